/**
 * Date and time functions: the current time (from the virtual clock), extract / date_part, date_trunc, age,
 * justify_*, make_date / make_timestamp / make_interval (their parameters may be named), isfinite, to_char
 * (adt/formatting.ts).
 *
 * now(), current_timestamp and transaction_timestamp() are the start of the current transaction — the same value
 * for every statement in it; statement_timestamp() the start of the current statement; clock_timestamp() the
 * moment of the call. All three read the engine's virtual clock (virtual t = 0 is 2000-01-01 00:00:00+00), so they
 * differ only when virtual time has passed — between steps of a scenario (+1500ms) or while a statement waits for a
 * lock.
 *
 * Mirrors: src/backend/utils/adt/timestamp.c (now, statement_timestamp, clock_timestamp, timestamp_part,
 * extract_timestamp, timestamp_trunc, timestamp_age, interval_justify_*, make_timestamp), date.c (make_date,
 * extract_date), utils/adt/datetime.c (units).
 */
import { Numeric } from '../numeric.js';
import { type Value, T } from '../types.js';
import { f8, formatG, type PgFloat } from '../../adt/float.js';
import { PgDate, PgTimestamp, PgInterval, USECS_PER_DAY, USECS_PER_SEC, UNIX_EPOCH_DAYS, toLocal, fromLocal, zoneArg } from '../../adt/datetime.js';
import { virtualTimestamp, extract, dateTrunc, age, justifyDays, justifyHours, justifyInterval, makeDate, makeTimestamp, type DtKind } from '../../adt/timestamp.js';
import { type PgTz, pgTzsetOffset, UTC_ZONE } from '../../adt/pgtz.js';
import { register, type FuncDef } from './registry.js';
import { timestampToChar, intervalToChar, numericToChar, intToChar, floatToChar } from '../../adt/formatting.js';
import type { Fn } from '../expr.js';
import { type PgTime, type PgTimeTz, extractTime, makeTime, timetzAtZone, zoneOffsetNow } from '../../adt/time.js';

/** parse_sane_timezone: a numeric offset (+05:30: east, ISO's sign), else an abbreviation or a zone name. */
function saneZone(text: string): PgTz | { utoff: number } {
  const m = /^\s*([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?\s*$/.exec(text);
  if (m) return { utoff: (m[1] === '-' ? -1 : 1) * (+m[2]! * 3600 + (m[3] ? +m[3] * 60 : 0) + (m[4] ? +m[4] : 0)) };
  return zoneArg(text);
}

const im = (name: string, args: FuncDef['args'], ret: FuncDef['ret'], fn: NonNullable<FuncDef['fn']>): FuncDef => ({ name, args, ret, fn, immutable: true });
const S = (v: Value) => v as string;
const dateAsTs = (v: Value) => new PgTimestamp((v as PgDate).d * USECS_PER_DAY, true);
const toFloat = (n: Numeric | null) => (n === null ? null : f8(n.toNumber()));
const now = (which: 'xact' | 'stmt' | 'clock'): FuncDef['build'] => (_a, c) => (() => virtualTimestamp(c.env.timestamps()[which])) as Fn;

/** A function of a timestamptz's local time depends on TimeZone: STABLE in PostgreSQL, never folded or indexed. */
const st = (name: string, args: FuncDef['args'], ret: FuncDef['ret'], fn: NonNullable<FuncDef['fn']>): FuncDef => ({ name, args, ret, fn });
const extractDefs = (name: 'extract' | 'date_part'): FuncDef[] => (['date', 'timestamp', 'timestamptz', 'interval'] as DtKind[]).map((k) => {
  const mk = k === 'timestamptz' ? st : im;
  return name === 'extract'
    ? mk(name, ['text', k], T.numeric, (u, v) => extract(S(u), k, v as PgDate))
    : k === 'date'
      ? mk(name, ['text', 'date'], T.float8, (u, v) => toFloat(extract(S(u), 'timestamp', new PgTimestamp((v as PgDate).d * USECS_PER_DAY, false))))
      : mk(name, ['text', k], T.float8, (u, v) => toFloat(extract(S(u), k, v as PgTimestamp)));
});
const ts = (v: Value) => (v as PgTimestamp).us;
/** extract / date_part of time and timetz (adt/time.ts time_part_common): numeric, or its float8 */
const timeExtractDefs: FuncDef[] = (['time', 'timetz'] as const).flatMap((k) => [
  im('extract', ['text', k], T.numeric, (u, v) => extractTime(S(u), v as PgTime)),
  im('date_part', ['text', k], T.float8, (u, v) => toFloat(extractTime(S(u), v as PgTime))),
]);
/** timetz_zone: a zone's offset now (an abbreviation's fixed one; a POSIX '+05' is five hours west) */
const timetzZone = (z: string): number => { const zone = zoneArg(z); return 'utoff' in zone ? zone.utoff : zoneOffsetNow(zone); };
/** The transaction's start as a local time of the session's zone, cut to its midnight (current_date as timestamp). */
const localMidnight = (c: { env: { timestamps(): { xact: number } } }) => {
  const t = toLocal(virtualTimestamp(c.env.timestamps().xact).us);
  return Math.floor(t / USECS_PER_DAY) * USECS_PER_DAY;
};
/** timestamp_zone & co.: `ts AT TIME ZONE zone` reads a local time in the zone; of a timestamptz, shows it there. */
const atZone = (zone: PgTz | { utoff: number }, us: number, toInstant: boolean): number => {
  if (!Number.isFinite(us)) return us;
  if ('utoff' in zone) return us + (toInstant ? -1 : 1) * zone.utoff * USECS_PER_SEC;
  return toInstant ? fromLocal(us, zone) : toLocal(us, zone);
};
const intervalZone = (v: Value): { utoff: number } => {
  const iv = v as PgInterval;
  if (iv.months !== 0 || iv.days !== 0) throw new PgError('22023', `interval time zone "${iv.toString()}" must not include months or days`);
  return { utoff: Math.trunc(iv.us / USECS_PER_SEC) };
};

register([
  { name: 'now', args: [], ret: T.timestamptz, build: now('xact') },
  { name: 'transaction_timestamp', args: [], ret: T.timestamptz, build: now('xact') },
  { name: 'statement_timestamp', args: [], ret: T.timestamptz, build: now('stmt') },
  { name: 'clock_timestamp', args: [], ret: T.timestamptz, build: now('clock') },
  ...extractDefs('extract'),
  ...extractDefs('date_part'),
  im('date_trunc', ['text', 'timestamp'], T.timestamp, (u, v) => dateTrunc(S(u), 'timestamp', v as PgTimestamp)),
  st('date_trunc', ['text', 'timestamptz'], T.timestamptz, (u, v) => dateTrunc(S(u), 'timestamptz', v as PgTimestamp)),
  st('date_trunc', ['text', 'timestamptz', 'text'], T.timestamptz, (u, v, z) => {
    const zone = zoneArg(S(z));
    return dateTrunc(S(u), 'timestamptz', v as PgTimestamp, 'utoff' in zone ? pgTzsetOffset(-zone.utoff) ?? UTC_ZONE : zone);
  }),
  st('timezone', ['text', 'timestamptz'], T.timestamp, (z, v) => new PgTimestamp(atZone(zoneArg(S(z)), ts(v), false), false)),
  st('timezone', ['text', 'timestamp'], T.timestamptz, (z, v) => new PgTimestamp(atZone(zoneArg(S(z)), ts(v), true), true)),
  im('timezone', ['interval', 'timestamptz'], T.timestamp, (z, v) => new PgTimestamp(atZone(intervalZone(z), ts(v), false), false)),
  im('timezone', ['interval', 'timestamp'], T.timestamptz, (z, v) => new PgTimestamp(atZone(intervalZone(z), ts(v), true), true)),
  im('date_trunc', ['text', 'interval'], T.interval, (u, v) => dateTrunc(S(u), 'interval', v as PgInterval)),
  im('age', ['timestamp', 'timestamp'], T.interval, (a, b) => age((a as PgTimestamp).us, (b as PgTimestamp).us)),
  // timestamptz_age: the calendars of the two local times
  st('age', ['timestamptz', 'timestamptz'], T.interval, (a, b) => age(toLocal(ts(a)), toLocal(ts(b)))),
  {
    // age(x): from midnight of the current date (of the transaction's start)
    name: 'age', args: ['timestamp'], ret: T.interval, build: ([a], c) => {
      const f = a!.fn;
      return (r) => {
        const v = f(r); if (v === null) return null;
        return age(localMidnight(c), (v as PgTimestamp).us);
      };
    },
  },
  {
    name: 'age', args: ['timestamptz'], ret: T.interval, build: ([a], c) => {
      const f = a!.fn;
      return (r) => {
        const v = f(r); if (v === null) return null;
        return age(localMidnight(c), toLocal((v as PgTimestamp).us));
      };
    },
  },
  ...timeExtractDefs,
  im('make_time', ['int4', 'int4', 'float8'], T.time, (h, m, s) => makeTime(h as number, m as number, (s as PgFloat).v, (x) => formatG(x, 15))),
  // timetz AT TIME ZONE: the same instant shown in another zone (time AT TIME ZONE: the time as a timetz first)
  st('timezone', ['text', 'timetz'], T.timetz, (z, v) => timetzAtZone(v as PgTimeTz, timetzZone(S(z)))),
  im('timezone', ['interval', 'timetz'], T.timetz, (z, v) => timetzAtZone(v as PgTimeTz, intervalZone(z).utoff)),
  im('justify_days', ['interval'], T.interval, (v) => justifyDays(v as PgInterval)),
  im('justify_hours', ['interval'], T.interval, (v) => justifyHours(v as PgInterval)),
  im('justify_interval', ['interval'], T.interval, (v) => justifyInterval(v as PgInterval)),
  im('make_date', ['int4', 'int4', 'int4'], T.date, (y, m, d) => makeDate(y as number, m as number, d as number)),
  { name: 'make_timestamp', args: ['int4', 'int4', 'int4', 'int4', 'int4', 'float8'], ret: T.timestamp, immutable: true, fn: (y, m, d, h, mi, s) => makeTimestamp(y as number, m as number, d as number, h as number, mi as number, (s as { v: number }).v, false) },
  // make_timestamptz: a local time of the session's zone, or of the zone given
  { name: 'make_timestamptz', args: ['int4', 'int4', 'int4', 'int4', 'int4', 'float8'], ret: T.timestamptz, fn: (y, m, d, h, mi, s) => new PgTimestamp(fromLocal(makeTimestamp(y as number, m as number, d as number, h as number, mi as number, (s as { v: number }).v, false).us), true) },
  {
    name: 'make_timestamptz', args: ['int4', 'int4', 'int4', 'int4', 'int4', 'float8', 'text'], ret: T.timestamptz,
    fn: (y, m, d, h, mi, s, z) => {
      const local = makeTimestamp(y as number, m as number, d as number, h as number, mi as number, (s as { v: number }).v, false).us;
      return new PgTimestamp(atZone(saneZone(S(z)), local, true), true);
    },
  },
  // make_interval(years, months, weeks, days, hours, mins, secs): every parameter defaults to 0 (all the shorter forms)
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((k): FuncDef => im('make_interval', (['int4', 'int4', 'int4', 'int4', 'int4', 'int4', 'float8'] as FuncDef['args']).slice(0, k), T.interval, (...a: Value[]) => makeInterval(a))),
  // isfinite: not +/-infinity (an interval is always finite in PostgreSQL 15)
  im('isfinite', ['date'], T.bool, (v) => Number.isFinite((v as PgDate).d)),
  im('isfinite', ['timestamp'], T.bool, (v) => Number.isFinite(ts(v))),
  st('isfinite', ['timestamptz'], T.bool, (v) => Number.isFinite(ts(v))),
  im('isfinite', ['interval'], T.bool, () => true),
  // float8_timestamptz: seconds since 1970-01-01 00:00 UTC, to the microsecond (rint)
  im('to_timestamp', ['float8'], T.timestamptz, (v) => {
    const sec = (v as PgFloat).v;
    if (Number.isNaN(sec)) throw new PgError('22008', 'timestamp cannot be NaN');
    if (!Number.isFinite(sec)) throw notSupported('infinite timestamps');
    // DATETIME_MIN_JULIAN (4713 BC) .. TIMESTAMP_END_JULIAN (294277 AD), in seconds from the Unix epoch
    if (sec < 86400 * (0 - 2440588) || sec >= 86400 * (109203528 - 2440588)) throw new PgError('22008', `timestamp out of range: "${formatG(sec, 6)}"`);
    const us = rintHalfEven((sec + UNIX_EPOCH_DAYS * 86400) * 1_000_000);
    return new PgTimestamp(us, true);
  }),
  // to_char is STABLE in PostgreSQL (it reads the session's settings): never folded, refused in an index
  { ...st('to_char', ['timestamp', 'text'], T.text, (v, f) => timestampToChar(ts(v), false, S(f))), volatility: 'stable' },
  { ...st('to_char', ['timestamptz', 'text'], T.text, (v, f) => timestampToChar(ts(v), true, S(f))), volatility: 'stable' },
  { ...st('to_char', ['interval', 'text'], T.text, (v, f) => intervalToChar(v as PgInterval, S(f))), volatility: 'stable' },
  {
    ...st('to_char', ['numeric', 'text'], T.text, (v, f) => {
      if ((v as Numeric).special) throw notSupported('to_char() of NaN or an infinite numeric value');
      return numericToChar(v as Numeric, S(f));
    }), volatility: 'stable',
  },
  { ...st('to_char', ['int4', 'text'], T.text, (v, f) => intToChar(v as number, S(f), 32)), volatility: 'stable' },
  { ...st('to_char', ['int8', 'text'], T.text, (v, f) => intToChar(v as number | bigint, S(f), 64)), volatility: 'stable' },
  { ...st('to_char', ['float4', 'text'], T.text, (v, f) => floatToChar((v as PgFloat).v, S(f), true)), volatility: 'stable' },
  { ...st('to_char', ['float8', 'text'], T.text, (v, f) => floatToChar((v as PgFloat).v, S(f), false)), volatility: 'stable' },
]);
import { PgError, notSupported } from '../../errors.js';
/** rint: to the nearest integer, halves to even */
const rintHalfEven = (x: number) => { const r = Math.round(x); return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r; };

export { dateAsTs };

/** make_interval: months from years and months, days from weeks and days, the time from the rest (secs to the microsecond) */
function makeInterval(a: Value[]): PgInterval {
  const n = (i: number) => (i < a.length ? (a[i] as number) : 0);
  const secs = a.length > 6 ? (a[6] as PgFloat).v : 0;
  if (!Number.isFinite(secs)) throw new PgError('22008', 'interval out of range');
  const us = n(4) * 3600 * USECS_PER_SEC + n(5) * 60 * USECS_PER_SEC + rintHalfEven(secs * USECS_PER_SEC);
  return new PgInterval(n(0) * 12 + n(1), n(2) * 7 + n(3), us);
}
