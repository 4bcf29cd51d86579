/**
 * Times of day: time [(p)] without time zone and time [(p)] with time zone (timetz).
 *
 * A time is microseconds since midnight, 0 .. 24:00:00 inclusive (int8, 8 bytes, typalign 'd'); 24:00:00 is a value
 * of its own, the end of the day, so time '24:00' > time '23:59:59.999999'. A timetz is that and a zone — seconds
 * *west* of UTC, as POSIX counts (int32): TimeTzADT is 12 bytes, 8 of time then 4 of zone, still aligned to 8.
 * timetz '12:00+02' stores 12:00 and zone -7200. Two timetz values are ordered by the instant they name on one day
 * (time + zone: UTC), then by zone — so '13:00+01' < '12:00+00' < '11:00-01' although they are the same instant, and
 * '12:00+00' = '13:00+01' is false (timetz_cmp_internal).
 *
 * Input (time_in / timetz_in: ParseDateTime + DecodeTimeOnly) reads hh:mm[:ss[.frac]], hhmm and hhmmss digits, an
 * ISO 'T' before them, AM / PM, 'allballs' (midnight, UTC) and 'now'; a date before the time is checked and then
 * ignored — except that it lets a zone name with daylight saving time pick its offset ('2024-07-01 12:34
 * America/New_York' is -04; without a date such a zone is 22007). A zone is ±hh[[:]mm[[:]ss]] (hours up to 15,
 * else 22009 time zone displacement out of range), an abbreviation (PST, CET, Z), a POSIX string (GMT+3 is three
 * hours west) or a fixed-offset zone name; a timetz without one takes the session's TimeZone offset on the current
 * date. time ignores the zone. Seconds may be 60 (12:34:60 is 12:35:00); fractions are rounded to the microsecond
 * and then to the typmod's precision (AdjustTimeForTypmod: half away from zero, 23:59:59.5 as time(0) is 24:00:00).
 * Output is hh:mm:ss[.frac] whatever DateStyle says (EncodeTimeOnly), timetz's with its offset.
 *
 * Arithmetic: time ± interval uses only the interval's time part and wraps around midnight (time_pl_interval);
 * time - time is an interval of hours (never justified: 24:00:00 - 00:00 is 24:00:00); date + time is a timestamp,
 * date + timetz a timestamptz. Casts: interval → time keeps the time part modulo a day; time → interval and time →
 * timetz are implicit.
 *
 * Mirrors: src/backend/utils/adt/date.c (time_in, time_out, tm2time, AdjustTimeForTypmod, time_pl_interval,
 * time_mi_time, interval_time, timestamp_time, timestamptz_timetz, datetime_timestamp, datetimetz_timestamptz,
 * time_part_common, timetz_zone, make_time, timetz_cmp_internal), datetime.c (DecodeTimeOnly, DecodeTimezone).
 * Simplifications: a day-of-week word or a Julian day in the input is not read (22007); TIME(7)'s WARNING
 * "precision reduced to maximum allowed, 6" is not sent (the precision is 6 all the same).
 */
import { PgError } from '../errors.js';
import { Numeric } from '../sql/numeric.js';
import {
  PgInterval, USECS_PER_DAY, USECS_PER_HOUR, USECS_PER_MINUTE, USECS_PER_SEC, daysFromCivil, daysInMonth, encodeTimezone,
  sessionTz, toLocal, currentXactUs,
} from './datetime.js';
import { type PgTz, pgTzset, tzAbbrev, localOffset, typeAtUs, UNIX_TO_PG_SECS } from './pgtz.js';
import { UNIT_ALIASES } from './timestamp.js';

/** A time of day: microseconds since midnight, 0 .. USECS_PER_DAY (24:00:00) */
export class PgTime {
  constructor(readonly us: number) {}
  toString(): string { return timeOut(this.us); }
  cmp(o: PgTime): number { return this.us < o.us ? -1 : this.us > o.us ? 1 : 0; }
  key(): string { return 'h' + this.us; }
}
/** A time with time zone: the local time of day and the zone, seconds west of UTC (TimeTzADT) */
export class PgTimeTz {
  constructor(readonly us: number, readonly zone: number) {}
  toString(): string { return timeOut(this.us) + encodeTimezone(-this.zone, false); }
  /** timetz_cmp_internal: the UTC time of day, then the zone */
  cmp(o: PgTimeTz): number {
    const a = this.us + this.zone * USECS_PER_SEC, b = o.us + o.zone * USECS_PER_SEC;
    if (a !== b) return a < b ? -1 : 1;
    return this.zone < o.zone ? -1 : this.zone > o.zone ? 1 : 0;
  }
  key(): string { return 'z' + this.us + '/' + this.zone; }
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
/** EncodeTimeOnly: hh:mm:ss and the fraction without trailing zeros */
export function timeOut(us: number): string {
  const h = Math.floor(us / USECS_PER_HOUR), mi = Math.floor((us % USECS_PER_HOUR) / USECS_PER_MINUTE);
  const s = Math.floor((us % USECS_PER_MINUTE) / USECS_PER_SEC), f = us % USECS_PER_SEC;
  return `${pad(h)}:${pad(mi)}:${pad(s)}${f ? '.' + pad(f, 6).replace(/0+$/, '') : ''}`;
}

/** AdjustTimeForTypmod: round to p fractional digits, halves away from zero (no wrap: 23:59:59.5 → 24:00:00) */
export function adjustTimeForTypmod(us: number, typmod: number): number {
  if (typmod < 0 || typmod >= 6) return us;
  const q = 10 ** (6 - typmod);
  return us >= 0 ? Math.floor((us + q / 2) / q) * q : -Math.floor((-us + q / 2) / q) * q;
}

/** rint: halves to even */
const rint = (x: number) => { const r = Math.round(x); return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r; };

class BadTime extends Error { constructor(readonly kind: 'syntax' | 'range' | 'tzdisp') { super(kind); } }
const syntax = () => new BadTime('syntax');

/** A zone offset of a fixed-offset zone (pg_get_timezone_offset: a zone that never switched), else null. */
function fixedOffset(z: PgTz): number | null {
  return z.ats.length === 0 ? z.first.utoff : null;
}

/**
 * time_in / timetz_in: the time of day and the zone (seconds west; for time it is read and thrown away).
 * Throws 22007 (invalid input syntax), 22008 (field value out of range) or 22009 (time zone displacement).
 */
export function timeIn(s: string, withTz: boolean): { us: number; zone: number } {
  const typeName = withTz ? 'time with time zone' : 'time';
  try {
    return decodeTimeOnly(s, withTz);
  } catch (e) {
    if (!(e instanceof BadTime)) throw e;
    if (e.kind === 'range') throw new PgError('22008', `date/time field value out of range: "${s}"`);
    if (e.kind === 'tzdisp') throw new PgError('22009', `time zone displacement out of range: "${s}"`);
    throw new PgError('22007', `invalid input syntax for type ${typeName}: "${s}"`);
  }
}

/** The session zone's offset (seconds west) for a time of day on the current date (DetermineTimeZoneOffset). */
function sessionZoneToday(us: number): number {
  const today = Math.floor(toLocal(currentXactUs()) / USECS_PER_DAY);
  return -localOffset(sessionTz(), Math.floor((today * USECS_PER_DAY + us) / USECS_PER_SEC) + UNIX_TO_PG_SECS).utoff;
}

function decodeTimeOnly(s: string, withTz: boolean): { us: number; zone: number } {
  const lower = s.trim().toLowerCase();
  if (lower === 'allballs') return { us: 0, zone: 0 };
  if (lower === 'now') {
    // the transaction's start as a local time of the session's zone
    const now = currentXactUs();
    const utoff = typeAtUs(sessionTz(), now).utoff;
    const local = now + utoff * USECS_PER_SEC;
    return { us: local - Math.floor(local / USECS_PER_DAY) * USECS_PER_DAY, zone: -utoff };
  }
  // ParseDateTime's fields: a word runs on through digits, '/', '+', '-', '_' (a zone name: GMT+3, Etc/GMT-2)
  const toks = lower.match(/[a-z][a-z0-9_/+:.-]*|[+-]\d[\d:]*|\d+([-/.])\d+\1\d+|\d[\d:.]*|\S/g) ?? [];
  let y: number | null = null, m: number | null = null, d: number | null = null;
  let h: number | null = null, mi = 0, sec = 0, fsec = 0, mer: 'am' | 'pm' | null = null;
  let zone: number | null = null, named: PgTz | null = null;
  const setTime = (hh: string, mm: string, ss?: string, frac?: string) => {
    if (h !== null) throw syntax();
    h = +hh; mi = +mm; sec = ss ? +ss : 0;
    fsec = frac ? rint(Number('0.' + frac) * USECS_PER_SEC) : 0;
  };
  for (let t of toks) {
    if (/^t\d/.test(t)) t = t.slice(1); // ISO 8601's T before the time
    let mt: RegExpExecArray | null;
    if ((mt = /^(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d*))?)?$/.exec(t))) { setTime(mt[1]!, mt[2]!, mt[3], mt[4]); continue; }
    if ((mt = /^(\d{2})(\d{2})(\d{2})?(?:\.(\d*))?$/.exec(t)) && (t.length === 4 || mt[3] !== undefined)) { setTime(mt[1]!, mt[2]!, mt[3], mt[4]); continue; }
    if ((mt = /^(\d+)([-/.])(\d+)\2(\d+)$/.exec(t))) {
      if (y !== null) throw syntax();
      const [a, b, c] = [mt[1]!, mt[3]!, mt[4]!];
      if (a.length >= 3) { y = +a; m = +b; d = +c; } else { m = +a; d = +b; y = +c; }
      continue;
    }
    if (/^[+-]/.test(t)) {
      // DecodeTimezone: ±hh, ±hhmm, ±hhmmss, ±hh:mm[:ss]
      const z = /^([+-])(?:(\d{1,2})(?::(\d{1,2})(?::(\d{1,2}))?)?|(\d{2})(\d{2})(\d{2})?)$/.exec(t);
      if (!z) throw syntax();
      const hr = +(z[2] ?? z[5]!), mn = +(z[3] ?? z[6] ?? 0), sc = +(z[4] ?? z[7] ?? 0);
      if (hr > 15 || mn >= 60 || sc >= 60) throw new BadTime('tzdisp');
      if (zone !== null || named) throw syntax();
      const east = (hr * 3600 + mn * 60 + sc) * (z[1] === '-' ? -1 : 1);
      zone = -east;
      continue;
    }
    if (/^[a-z]/.test(t)) {
      if (t === 'am' || t === 'a.m.' || t === 'pm' || t === 'p.m.') { if (mer) throw syntax(); mer = t[0] === 'a' ? 'am' : 'pm'; continue; }
      if (t === 'ad') continue;
      if (t === 'bc') { if (y === null || y <= 0) throw syntax(); y = 1 - y; continue; }
      if (t === 'z' || t === 'zulu') { zone = 0; continue; }
      if (zone !== null || named) throw syntax();
      const ab = /^[a-z]+$/.test(t) ? tzAbbrev(t) : undefined;
      if (ab !== undefined) {
        if ('utoff' in ab) zone = -ab.utoff;
        else { named = pgTzset(ab.zone); if (!named) throw syntax(); }
        continue;
      }
      const z = pgTzset(t);
      if (!z) throw syntax();
      named = z;
      continue;
    }
    throw syntax();
  }
  if (h === null) throw syntax();
  let hour: number = h;
  if (y !== null) {
    if (m! < 1 || m! > 12 || d! < 1 || d! > daysInMonth(y, m!)) throw new BadTime('range');
  }
  if (mer !== null) {
    if (hour > 12) throw new BadTime('range');
    if (mer === 'am' && hour === 12) hour = 0; else if (mer === 'pm' && hour !== 12) hour += 12;
  }
  if (mi > 59 || sec > 60 || hour > 24 || fsec > USECS_PER_SEC || (hour === 24 && (mi > 0 || sec > 0 || fsec > 0))) throw new BadTime('range');
  const us = ((hour * 60 + mi) * 60 + sec) * USECS_PER_SEC + fsec;
  if (named) {
    const fixed = fixedOffset(named);
    if (fixed !== null) zone = -fixed;
    else {
      // a zone with daylight saving time needs the date to know its offset
      if (y === null) throw syntax();
      zone = -localOffset(named, Math.floor((daysFromCivil(y, m!, d!) * USECS_PER_DAY + us) / USECS_PER_SEC) + UNIX_TO_PG_SECS).utoff;
    }
  }
  if (zone === null) zone = withTz ? sessionZoneToday(us) : 0;
  return { us, zone };
}

/** time_pl_interval / time_mi_interval: the interval's time part, modulo a day (its days and months are ignored) */
export function timePlusInterval(us: number, iv: PgInterval, sign = 1): number {
  let r = us + sign * iv.us;
  r -= Math.trunc(r / USECS_PER_DAY) * USECS_PER_DAY;
  if (r < 0) r += USECS_PER_DAY;
  return r;
}

/** interval_time: the time part of an interval, brought into 0 .. 24:00 by whole days */
export function intervalToTime(iv: PgInterval): number {
  let r = iv.us;
  if (r >= USECS_PER_DAY) r -= Math.floor(r / USECS_PER_DAY) * USECS_PER_DAY;
  else if (r < 0) r += Math.ceil(-r / USECS_PER_DAY) * USECS_PER_DAY;
  return r;
}

/** The time of day of a local timestamp (timestamp_time; an infinite one gives NULL) */
export const timeOfDay = (localUs: number): number | null => (Number.isFinite(localUs) ? localUs - Math.floor(localUs / USECS_PER_DAY) * USECS_PER_DAY : null);

/** timestamptz_timetz: the local time in the session's zone, with that zone's offset then */
export function timestamptzToTimeTz(us: number): PgTimeTz | null {
  if (!Number.isFinite(us)) return null;
  const utoff = typeAtUs(sessionTz(), us).utoff;
  return new PgTimeTz(timeOfDay(us + utoff * USECS_PER_SEC)!, -utoff);
}
/** time_timetz: the session zone's offset on the current date */
export const timeToTimeTz = (us: number): PgTimeTz => new PgTimeTz(us, sessionZoneToday(us));

/** timetz_zone / timetz_izone: the same instant shown in another zone (seconds east) */
export function timetzAtZone(v: PgTimeTz, utoff: number): PgTimeTz {
  const tz = -utoff;
  let r = v.us + (v.zone - tz) * USECS_PER_SEC;
  r -= Math.floor(r / USECS_PER_DAY) * USECS_PER_DAY;
  return new PgTimeTz(r, tz);
}
/** The offset (seconds east) a zone given to timetz AT TIME ZONE has now: at the transaction's start */
export const zoneOffsetNow = (z: PgTz): number => typeAtUs(z, currentXactUs()).utoff;

/** the units a time of day has a value for (DecodeUnits' other names are 0A000 "not supported" for it) */
const TIME_UNITS = new Set(['microseconds', 'milliseconds', 'second', 'minute', 'hour', 'timezone', 'timezone_hour', 'timezone_minute', 'epoch']);

/** time_part_common / timetz_part: extract(field from time[tz]) as numeric (date_part: the same as float8) */
export function extractTime(unitText: string, v: PgTime | PgTimeTz): Numeric {
  const tz = v instanceof PgTimeTz;
  const typeName = tz ? 'time with time zone' : 'time without time zone';
  const lower = unitText.toLowerCase();
  const u = UNIT_ALIASES[lower];
  if (!u || !TIME_UNITS.has(u)) {
    if (u) throw new PgError('0A000', `unit "${lower}" not supported for type ${typeName}`);
    throw new PgError('22023', `unit "${lower}" not recognized for type ${typeName}`);
  }
  const t = v.us;
  const secUs = t % USECS_PER_MINUTE;
  const zone = tz ? v.zone : 0;
  switch (u) {
    case 'microseconds': return Numeric.fromInt(secUs);
    case 'milliseconds': return new Numeric(BigInt(secUs), 3);
    case 'second': return new Numeric(BigInt(secUs), 6);
    case 'minute': return Numeric.fromInt(Math.floor((t % USECS_PER_HOUR) / USECS_PER_MINUTE));
    case 'hour': return Numeric.fromInt(Math.floor(t / USECS_PER_HOUR));
    case 'epoch': return new Numeric(BigInt(t) + BigInt(zone) * 1000000n, 6);
    default:
      if (!tz) throw new PgError('0A000', `unit "${lower}" not supported for type ${typeName}`);
      if (u === 'timezone') return Numeric.fromInt(-zone);
      if (u === 'timezone_hour') return Numeric.fromInt(Math.trunc(-zone / 3600));
      return Numeric.fromInt(Math.trunc((-zone % 3600) / 60));
  }
}

/** make_time(hour, min, sec): 22008 "time field value out of range: h:mm:ss" (the seconds as %02g) */
export function makeTime(h: number, mi: number, sec: number, fmtSec: (s: number) => string): PgTime {
  if (h < 0 || mi < 0 || mi > 59 || sec < 0 || sec > 60 || h > 24 || (h === 24 && (mi > 0 || sec > 0))) {
    throw new PgError('22008', `time field value out of range: ${h}:${pad(mi)}:${fmtSec(sec).padStart(2, '0')}`);
  }
  return new PgTime(((h * 60 + mi) * 60) * USECS_PER_SEC + rint(sec * USECS_PER_SEC));
}
