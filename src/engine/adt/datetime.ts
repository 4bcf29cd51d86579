/**
 * Dates and times, part 1: the calendar, the values, and how text becomes a date/time and back.
 *
 * PostgreSQL counts from its own epoch, 2000-01-01 00:00:00: a date is days since then (int4, 4 bytes), a
 * timestamp / timestamptz microseconds since then (int8, 8 bytes; timestamptz is UTC and is shown in the session's
 * TimeZone), an interval is three separate counts — months, days, microseconds — because a month and a day have no
 * fixed length (16 bytes). The calendar is the proleptic Gregorian one (date2j / j2date, Julian day numbers), so
 * 0001-01-01 BC is the year before 0001-01-01. Input (ParseDateTime + DecodeDateTime) reads ISO 8601, the
 * DateStyle field order (MDY / DMY / YMD) for ambiguous numeric dates, month names, "T", time zones written as
 * Z / UTC / ±hh[:mm], BC, and the special words epoch, infinity, -infinity, now, today, tomorrow, yesterday; errors
 * are 22007 (invalid input syntax) and 22008 (field value out of range, with the "datestyle" hint when a month is
 * over 12). Output (EncodeDateOnly / EncodeDateTime / EncodeInterval) follows DateStyle: ISO, SQL, Postgres, German.
 *
 * Like PostgreSQL's DateStyle and TimeZone globals in a backend, the output settings here are module state that the
 * traffic cop sets from the session's settings before each statement (setDateTimeContext), together with the
 * transaction's start time that 'now' and 'today' read.
 *
 * Mirrors: src/backend/utils/adt/datetime.c (ParseDateTime, DecodeDateTime, DecodeInterval, EncodeDateTime,
 * EncodeInterval, date2j, j2date), date.c (date_in, date_out), timestamp.c (timestamp_in/out, interval_in/out).
 * A timestamptz is shown in the session's TimeZone and a local time without an offset read in it (pgtz.ts holds the
 * zones; 2024-07-01 12:00+00 is 2024-07-01 08:00:00-04 in America/New_York, "07/01/2024 08:00:00 EDT" in SQL style).
 * Simplifications: IntervalStyle is always postgres;
 * timestamps are kept as JS numbers, exact to the microsecond within ±285 years of 2000 (farther ones are refused
 * with 0A000); no typmod precision for interval fields. time and timetz: adt/time.ts.
 */
import { PgError, notSupported } from '../errors.js';
import { type PgTz, UTC_ZONE, pgTzset, typeAtUs, localToInstant, tzAbbrev } from './pgtz.js';

/** 2^63: an int64 (microseconds) holds less than this */
const INT64_LIMIT = 2 ** 63;

export const USECS_PER_DAY = 86_400_000_000;
export const USECS_PER_HOUR = 3_600_000_000;
export const USECS_PER_MINUTE = 60_000_000;
export const USECS_PER_SEC = 1_000_000;
export const POSTGRES_EPOCH_JDATE = 2451545;
export const UNIX_EPOCH_DAYS = -10957; // 1970-01-01 as days since 2000-01-01

/** A date: days since 2000-01-01 (±Infinity for infinity / -infinity). */
export class PgDate {
  constructor(readonly d: number) {}
  toString(): string { return dateOut(this.d); }
  cmp(o: PgDate): number { return this.d < o.d ? -1 : this.d > o.d ? 1 : 0; }
  key(): string { return 'd' + this.d; }
}
/** A timestamp (tz = false) or timestamptz (tz = true): microseconds since 2000-01-01 00:00:00 (UTC for tz). */
export class PgTimestamp {
  constructor(readonly us: number, readonly tz: boolean) {}
  toString(): string { return timestampOut(this.us, this.tz); }
  cmp(o: PgTimestamp): number { return this.us < o.us ? -1 : this.us > o.us ? 1 : 0; }
  key(): string { return 't' + this.us; }
}
/** An interval: months, days and microseconds, kept apart as PostgreSQL keeps them. */
export class PgInterval {
  constructor(readonly months: number, readonly days: number, readonly us: number) {}
  toString(): string { return intervalOut(this); }
  /** interval_cmp_value: a month counts as 30 days, a day as 24 hours */
  span(): number { return (this.months * 30 + this.days) * USECS_PER_DAY + this.us; }
  cmp(o: PgInterval): number { const a = this.span(), b = o.span(); return a < b ? -1 : a > b ? 1 : 0; }
  key(): string { return 'i' + this.span(); }
}

// ---- the session context (DateStyle, TimeZone; the transaction's start for 'now') ----
interface DateTimeContext { style: 'ISO' | 'SQL' | 'Postgres' | 'German'; order: 'MDY' | 'DMY' | 'YMD'; nowUs: number; tz: PgTz }
const ctx: DateTimeContext = { style: 'ISO', order: 'MDY', nowUs: 0, tz: UTC_ZONE };
let lastStyle = '';
/**
 * Set before each statement from the session's DateStyle and TimeZone (a value the setting accepted: a zone name,
 * a POSIX string) and the virtual time of its transaction's start.
 */
export function setDateTimeContext(dateStyle: string, xactStartUs: number, timeZone = 'Etc/UTC'): void {
  ctx.nowUs = xactStartUs;
  if (timeZone !== ctx.tz.name) ctx.tz = pgTzset(timeZone) ?? UTC_ZONE;
  if (dateStyle === lastStyle) return;
  lastStyle = dateStyle;
  const [style, order] = dateStyle.split(',').map((x) => x.trim());
  ctx.style = (['ISO', 'SQL', 'Postgres', 'German'].includes(style!) ? style : 'ISO') as DateTimeContext['style'];
  ctx.order = (['MDY', 'DMY', 'YMD'].includes(order!) ? order : 'MDY') as DateTimeContext['order'];
}

// ---- the calendar ----
const tdiv = (a: number, b: number) => Math.trunc(a / b);
export function date2j(y: number, m: number, d: number): number {
  if (m > 2) { m += 1; y += 4800; } else { m += 13; y += 4799; }
  const century = tdiv(y, 100);
  let julian = y * 365 - 32167;
  julian += tdiv(y, 4) - century + tdiv(century, 4);
  julian += tdiv(7834 * m, 256) + d;
  return julian;
}
export function j2date(jd: number): { y: number; m: number; d: number } {
  let julian = jd + 32044;
  let quad = tdiv(julian, 146097);
  const extra = (julian - quad * 146097) * 4 + 3;
  julian += 60 + quad * 3 + tdiv(extra, 146097);
  quad = tdiv(julian, 1461);
  julian -= quad * 1461;
  let y = tdiv(julian * 4, 1461);
  julian = (y !== 0 ? (julian + 305) % 365 : (julian + 306) % 366) + 123;
  y += quad * 4;
  const q2 = tdiv(julian * 2141, 65536);
  return { y: y - 4800, m: (q2 + 10) % 12 + 1, d: julian - tdiv(7834 * q2, 256) };
}
export const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const MDAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
export const daysInMonth = (y: number, m: number) => (m === 2 && isLeap(y) ? 29 : MDAYS[m - 1]!);
/** Days since 2000-01-01 of a civil date (astronomical year: 0 = 1 BC). */
export const daysFromCivil = (y: number, m: number, d: number) => date2j(y, m, d) - POSTGRES_EPOCH_JDATE;
export const civilFromDays = (days: number) => j2date(days + POSTGRES_EPOCH_JDATE);
/** day of week, 0 = Sunday */
export const dow = (days: number) => (((days + POSTGRES_EPOCH_JDATE + 1) % 7) + 7) % 7;

/** The range checks: dates from 4714-11-24 BC to 5874897-12-31; timestamps within what a JS number keeps exact. */
const DATE_MAX = daysFromCivil(5874898, 1, 1), DATE_MIN = -POSTGRES_EPOCH_JDATE;
export const dateInRange = (d: number) => d >= DATE_MIN && d < DATE_MAX;
export function checkTimestamp(us: number): number {
  if (!Number.isFinite(us)) return us;
  if (!Number.isSafeInteger(us)) throw notSupported('timestamps more than 285 years away from 2000 (kept exact to the microsecond only within that range)');
  return us;
}

export interface Tm { y: number; m: number; d: number; h: number; mi: number; s: number; us: number }
export function tmFromUs(us: number): Tm {
  const days = Math.floor(us / USECS_PER_DAY);
  let t = us - days * USECS_PER_DAY;
  const { y, m, d } = civilFromDays(days);
  const h = Math.floor(t / USECS_PER_HOUR); t -= h * USECS_PER_HOUR;
  const mi = Math.floor(t / USECS_PER_MINUTE); t -= mi * USECS_PER_MINUTE;
  const s = Math.floor(t / USECS_PER_SEC); t -= s * USECS_PER_SEC;
  return { y, m, d, h, mi, s, us: t };
}
/** The transaction's start (microseconds since 2000-01-01 UTC): what 'now' reads. */
export const currentXactUs = (): number => ctx.nowUs;
/** The session's time zone (TimeZone): how a timestamptz is shown and a local time read. */
export const sessionTz = (): PgTz => ctx.tz;
/** A timestamptz instant as a local time of the session's zone (microseconds, as if UTC); infinities stay. */
export const toLocal = (us: number, tz: PgTz = ctx.tz): number => (Number.isFinite(us) ? us + typeAtUs(tz, us).utoff * USECS_PER_SEC : us);
/** A local time of the session's zone as its instant (DetermineTimeZoneOffset); infinities stay. */
export const fromLocal = (localUs: number, tz: PgTz = ctx.tz): number => (Number.isFinite(localUs) ? checkTimestamp(localToInstant(tz, localUs)) : localUs);

/**
 * A zone given as text to AT TIME ZONE / timezone() / date_trunc(…, zone): an abbreviation of the Default set first
 * (a fixed offset, or the zone it is read from), then a zone name or POSIX string (timestamp_zone).
 */
export function zoneArg(text: string): PgTz | { utoff: number } {
  const a = tzAbbrev(text.toLowerCase());
  if (a !== undefined) {
    if (!('zone' in a)) return { utoff: a.utoff };
    const z = pgTzset(a.zone);
    if (z) return z;
  }
  // a bare offset is read as a POSIX one, west positive: AT TIME ZONE '+05' is five hours behind UTC
  const m = /^([+-]?)(\d{1,3})(?::(\d{1,2})(?::(\d{1,2}))?)?$/.exec(text.trim());
  if (m && +m[2]! <= 167) return { utoff: (m[1] === '-' ? 1 : -1) * (+m[2]! * 3600 + (m[3] ? +m[3] * 60 : 0) + (m[4] ? +m[4] : 0)) };
  const z = pgTzset(text);
  if (!z) throw new PgError('22023', `time zone "${text}" not recognized`);
  return z;
}

export const usFromTm = (tm: Tm) => checkTimestamp(daysFromCivil(tm.y, tm.m, tm.d) * USECS_PER_DAY + tm.h * USECS_PER_HOUR +
  tm.mi * USECS_PER_MINUTE + tm.s * USECS_PER_SEC + tm.us);

// ---- output ----
const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const yearOf = (y: number) => (y > 0 ? y : 1 - y);
const bc = (y: number) => (y > 0 ? '' : ' BC');
const frac = (us: number) => (us ? '.' + pad(us, 6).replace(/0+$/, '') : '');

/** A date as DateStyle prints it — or in `style` (JSON's XSD dates are ISO's: JsonEncodeDateTime). */
export function dateOut(d: number, style: DateTimeContext['style'] | 'XSD' = ctx.style): string {
  if (d === Infinity) return 'infinity';
  if (d === -Infinity) return '-infinity';
  const { y, m, d: dd } = civilFromDays(d);
  const Y = pad(yearOf(y), 4);
  switch (style) {
    case 'SQL': return (ctx.order === 'DMY' ? `${pad(dd)}/${pad(m)}` : `${pad(m)}/${pad(dd)}`) + `/${Y}${bc(y)}`;
    case 'German': return `${pad(dd)}.${pad(m)}.${Y}${bc(y)}`;
    case 'Postgres': return (ctx.order === 'DMY' ? `${pad(dd)}-${pad(m)}` : `${pad(m)}-${pad(dd)}`) + `-${Y}${bc(y)}`;
    default: return `${Y}-${pad(m)}-${pad(dd)}${bc(y)}`;
  }
}

/**
 * A timestamp as DateStyle prints it — or in `style`: 'XSD' is what JSON uses whatever DateStyle says
 * (JsonEncodeDateTime's USE_XSD_DATES: 2024-01-01T10:00:00+00:00).
 */
export function timestampOut(us: number, tz: boolean, style: DateTimeContext['style'] | 'XSD' = ctx.style): string {
  if (us === Infinity) return 'infinity';
  if (us === -Infinity) return '-infinity';
  // a timestamptz is shown as the session zone's local time, with its offset (ISO, XSD) or abbreviation
  const type = tz ? typeAtUs(ctx.tz, us) : null;
  const t = tmFromUs(type ? us + type.utoff * USECS_PER_SEC : us);
  const Y = pad(yearOf(t.y), 4);
  const time = `${pad(t.h)}:${pad(t.mi)}:${pad(t.s)}${frac(t.us)}`;
  const zone = type ? ' ' + type.abbr : '';
  switch (style) {
    case 'XSD': return `${Y}-${pad(t.m)}-${pad(t.d)}T${time}${type ? encodeTimezone(type.utoff, true) : ''}${bc(t.y)}`;
    case 'SQL': return (ctx.order === 'DMY' ? `${pad(t.d)}/${pad(t.m)}` : `${pad(t.m)}/${pad(t.d)}`) + `/${Y} ${time}${zone}${bc(t.y)}`;
    case 'German': return `${pad(t.d)}.${pad(t.m)}.${Y} ${time}${zone}${bc(t.y)}`;
    case 'Postgres': {
      const wd = DAYS[dow(daysFromCivil(t.y, t.m, t.d))];
      const md = ctx.order === 'DMY' ? `${pad(t.d)} ${MONTHS[t.m - 1]}` : `${MONTHS[t.m - 1]} ${pad(t.d)}`;
      return `${wd} ${md} ${time} ${Y}${zone}${bc(t.y)}`;
    }
    default: return `${Y}-${pad(t.m)}-${pad(t.d)} ${time}${type ? encodeTimezone(type.utoff, false) : ''}${bc(t.y)}`;
  }
}

/** EncodeTimezone: ±hh, then :mm and :ss when not zero (XSD: always ±hh:mm). */
export function encodeTimezone(utoff: number, xsd: boolean): string {
  const a = Math.abs(utoff), h = Math.floor(a / 3600), m = Math.floor((a % 3600) / 60), s = a % 60;
  return (utoff < 0 ? '-' : '+') + pad(h) + (m || s || xsd ? ':' + pad(m) : '') + (s ? ':' + pad(s) : '');
}

/** EncodeInterval, IntervalStyle postgres. */
export function intervalOut(iv: PgInterval): string {
  const parts: string[] = [];
  const years = tdiv(iv.months, 12), mons = iv.months - years * 12;
  let before = false;
  const add = (v: number, unit: string) => {
    if (v === 0) return;
    parts.push(`${before && v > 0 ? '+' : ''}${v} ${unit}${v !== 1 ? 's' : ''}`);
    if (v < 0) before = true;
  };
  add(years, 'year'); add(mons, 'mon'); add(iv.days, 'day');
  const t = iv.us;
  if (t !== 0 || parts.length === 0) {
    const a = Math.abs(t);
    const h = Math.floor(a / USECS_PER_HOUR), mi = Math.floor((a % USECS_PER_HOUR) / USECS_PER_MINUTE);
    const s = Math.floor((a % USECS_PER_MINUTE) / USECS_PER_SEC), f = a % USECS_PER_SEC;
    parts.push(`${t < 0 ? '-' : before ? '+' : ''}${pad(h)}:${pad(mi)}:${pad(s)}${frac(f)}`);
  }
  return parts.join(' ');
}

// ---- input ----
const MONTH_NAMES: Record<string, number> = {};
['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'].forEach((n, i) => {
  MONTH_NAMES[n] = i + 1; MONTH_NAMES[n.slice(0, 3)] = i + 1;
});
MONTH_NAMES.sept = 9;
const DAY_NAMES = new Set(['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sun', 'mon', 'tue', 'tues', 'wed', 'thu', 'thur', 'thurs', 'fri', 'sat']);

export type DateTimeKind = 'date' | 'timestamp' | 'timestamptz';
const KIND_NAME: Record<DateTimeKind, string> = { date: 'date', timestamp: 'timestamp', timestamptz: 'timestamp with time zone' };

class BadField extends Error { constructor(readonly overflow: boolean, readonly hint = false, readonly dateRange = false) { super('bad field'); } }

/**
 * date_in / timestamp_in / timestamptz_in: the value as days (date) or microseconds (timestamps), ±Infinity for
 * the infinities. Throws PostgreSQL's 22007 / 22008.
 */
export function dateTimeIn(s: string, kind: DateTimeKind): number {
  const bad = () => new PgError('22007', `invalid input syntax for type ${KIND_NAME[kind]}: "${s}"`);
  try {
    const r = decodeDateTime(s, kind);
    if (r === null) throw bad();
    return r;
  } catch (e) {
    if (!(e instanceof BadField)) throw e;
    if (e.dateRange) throw new PgError('22008', `${kind === 'date' ? 'date' : 'timestamp'} out of range: "${s}"`);
    if (!e.overflow) throw bad();
    throw new PgError('22008', `date/time field value out of range: "${s}"`, e.hint ? { hint: 'Perhaps you need a different "datestyle" setting.' } : {});
  }
}

function decodeDateTime(s: string, kind: DateTimeKind): number | null {
  const lower = s.trim().toLowerCase();
  // 'now' and 'today' are read in the session's zone: today is the local date, its midnight a local midnight
  const nowLocal = toLocal(ctx.nowUs);
  const nowDays = Math.floor(nowLocal / USECS_PER_DAY);
  const day = (days: number) => (kind === 'date' ? days : kind === 'timestamp' ? days * USECS_PER_DAY : fromLocal(days * USECS_PER_DAY));
  switch (lower) {
    case 'infinity': case '+infinity': return Infinity;
    case '-infinity': return -Infinity;
    case 'epoch': return kind === 'date' ? UNIX_EPOCH_DAYS : UNIX_EPOCH_DAYS * USECS_PER_DAY;
    case 'now': return kind === 'date' ? nowDays : kind === 'timestamp' ? nowLocal : ctx.nowUs;
    case 'today': return day(nowDays);
    case 'tomorrow': return day(nowDays + 1);
    case 'yesterday': return day(nowDays - 1);
  }
  // split into fields: runs of digits (with . : - / inside), words, signs
  const spaced = lower.replace(/,/g, ' ').replace(/(\d:\d{2}(?::\d{2}(?:\.\d*)?)?)([+-]|z\b)/g, '$1 $2');
  const toks = spaced.match(/[a-z][a-z0-9_+-]*(?:\/[a-z0-9_+-]+)+|[a-z]+\d+[a-z]+|[a-z]+\.?|[+-]?\d[\d.:/-]*|[+-]|\S/g) ?? [];
  let y: number | null = null, m: number | null = null, d: number | null = null;
  let h = 0, mi = 0, sec = 0, us = 0, haveTime = false, tzOff: number | null = null, isBC = false;
  /** a zone named in the text (Asia/Tokyo, or an abbreviation read from a zone): the local time is read in it */
  let zone: PgTz | null = null;
  const nums: { v: string }[] = [];
  let i = 0;
  const setTime = (t: string) => {
    const tm = /^(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d*))?)?$/.exec(t);
    if (!tm) return false;
    h = +tm[1]!; mi = +tm[2]!; sec = tm[3] ? +tm[3] : 0;
    const f = tm[4] ?? '';
    us = f ? Math.round(Number('0.' + f) * 1e6) : 0;
    haveTime = true;
    return true;
  };
  for (; i < toks.length; i++) {
    let t = toks[i]!;
    if (t === 't' || t === 'at') continue;
    // 2024-01-31t13:45 glued with T
    const glued = /^(\d{4}-\d{1,2}-\d{1,2})t(.*)$/.exec(t);
    if (glued) { toks.splice(i + 1, 0, glued[2]!); t = glued[1]!; }
    if (/^[a-z]/.test(t)) {
      const w = t.replace(/\.$/, '');
      if (w in MONTH_NAMES) { if (m !== null) return null; m = MONTH_NAMES[w]!; continue; }
      if (DAY_NAMES.has(w)) continue;
      if (w === 'bc') { isBC = true; continue; }
      if (w === 'ad') continue;
      if (w === 'z' || w === 'utc' || w === 'gmt' || w === 'zulu' || w === 'ut') { tzOff = 0; continue; }
      if (w.includes('/') || /\d/.test(w)) {
        // DecodeTimezoneName: a full zone name
        const z = pgTzset(w);
        if (!z) throw new PgError('22023', `time zone "${w}" not recognized`);
        zone = z;
        continue;
      }
      const abbrev = tzAbbrev(w);
      if (abbrev !== undefined) {
        if ('zone' in abbrev) zone = pgTzset(abbrev.zone);
        else tzOff = abbrev.utoff;
        continue;
      }
      if (w === 'am' || w === 'pm') { if (!haveTime || h > 12) throw new BadField(false); if (w === 'pm' && h < 12) h += 12; if (w === 'am' && h === 12) h = 0; continue; }
      if (w === 'allballs') { haveTime = true; continue; }
      return null;
    }
    if ((t.startsWith('+') || t.startsWith('-')) && (haveTime || y !== null)) {
      // a time zone offset: ±hh, ±hhmm, ±hh:mm
      const z = /^([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$/.exec(t);
      if (!z) return null;
      const off = (+z[2]! * 3600 + (z[3] ? +z[3] * 60 : 0) + (z[4] ? +z[4] : 0)) * (z[1] === '-' ? -1 : 1);
      tzOff = off;
      continue;
    }
    if (t.includes(':')) { if (!setTime(t)) return null; continue; }
    nums.push({ v: t });
  }
  // the date fields
  for (const n of nums) {
    const t = n.v;
    let dm: RegExpExecArray | null;
    if ((dm = /^(\d+)-(\d+)-(\d+)$/.exec(t)) || (dm = /^(\d+)\/(\d+)\/(\d+)$/.exec(t)) || (dm = /^(\d+)\.(\d+)\.(\d+)$/.exec(t))) {
      const [a, b, c] = [dm[1]!, dm[2]!, dm[3]!];
      if (a.length >= 3 || (ctx.order === 'YMD' && !t.includes('.'))) { y = yearFrom(a); m = +b; d = +c; } else if (ctx.order === 'DMY' || t.includes('.')) { d = +a; m = +b; y = yearFrom(c); } else { m = +a; d = +b; y = yearFrom(c); }
      continue;
    }
    if (/^\d{8}$/.test(t) && y === null) { y = +t.slice(0, 4); m = +t.slice(4, 6); d = +t.slice(6); continue; }
    if (/^\d+$/.test(t)) {
      if (m !== null && d === null && t.length <= 2) { d = +t; continue; }
      if (m !== null && d !== null && y === null) { y = yearFrom(t); continue; }
      if (m !== null && d === null && y === null && t.length > 2) { y = yearFrom(t); continue; }
      if (m === null && d === null && t.length <= 2) { d = +t; continue; }
      if (y === null && d !== null) { y = yearFrom(t); continue; }
      return null;
    }
    return null;
  }
  if (y === null || m === null || d === null) return null;
  if (isBC) { if (y <= 0) throw new BadField(true); y = 1 - y; }
  if (m < 1 || m > 12) throw new BadField(true, true);
  if (d < 1 || d > daysInMonth(y, m)) throw new BadField(true);
  if (h > 24 || mi > 59 || sec > 60 || (h === 24 && (mi > 0 || sec > 0 || us > 0))) throw new BadField(true);
  const days = daysFromCivil(y, m, d);
  if (kind === 'date') {
    if (!dateInRange(days)) throw new BadField(true, false, true);
    return days;
  }
  let total = days * USECS_PER_DAY + h * USECS_PER_HOUR + mi * USECS_PER_MINUTE + sec * USECS_PER_SEC + us;
  if (kind === 'timestamptz') {
    if (tzOff !== null) total -= tzOff * USECS_PER_SEC;
    else total = localToInstant(zone ?? ctx.tz, total); // DetermineTimeZoneOffset
  }
  return checkTimestamp(total);
}
const yearFrom = (t: string) => { const n = +t; return t.length <= 2 ? (n < 70 ? 2000 + n : 1900 + n) : n; };

// ---- interval input ----
const UNITS: Record<string, [string, number]> = {};
const unit = (names: string[], kind: string, mult: number) => { for (const n of names) UNITS[n] = [kind, mult]; };
unit(['microsecond', 'microseconds', 'us', 'usec', 'usecs', 'useconds', 'microsecon'], 'us', 1);
unit(['millisecond', 'milliseconds', 'ms', 'msec', 'msecs', 'mseconds', 'millisecon'], 'us', 1000);
unit(['second', 'seconds', 's', 'sec', 'secs'], 'us', USECS_PER_SEC);
unit(['minute', 'minutes', 'm', 'min', 'mins'], 'us', USECS_PER_MINUTE);
unit(['hour', 'hours', 'h', 'hr', 'hrs'], 'us', USECS_PER_HOUR);
unit(['day', 'days', 'd'], 'day', 1);
unit(['week', 'weeks', 'w'], 'day', 7);
unit(['month', 'months', 'mon', 'mons'], 'month', 1);
unit(['year', 'years', 'y', 'yr', 'yrs'], 'month', 12);
unit(['decade', 'decades', 'dec', 'decs'], 'month', 120);
unit(['century', 'centuries', 'c', 'cent'], 'month', 1200);
unit(['millennium', 'millennia', 'mil', 'mils', 'millenniums'], 'month', 12000);

/** interval_in (DecodeInterval, DecodeISO8601Interval): 22007 when it does not parse. */
export function intervalIn(s: string): PgInterval {
  const bad = () => new PgError('22007', `invalid input syntax for type interval: "${s}"`);
  const fieldRange = () => new PgError('22015', `interval field value out of range: "${s}"`);
  const lower = s.trim().toLowerCase();
  if (lower === '') throw bad();
  let months = 0, days = 0, us = 0;
  // fractions cascade down: 1.5 months = 1 month 15 days, 1.5 days = 1 day 12 hours
  const addMonths = (v: number) => { const w = Math.trunc(v); months += w; addDays((v - w) * 30); };
  const addDays = (v: number) => { const w = Math.trunc(v); days += w; us += Math.round((v - w) * USECS_PER_DAY); };
  const iso = /^p(?:(\d+(?:\.\d+)?)y)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)w)?(?:(\d+(?:\.\d+)?)d)?(?:t(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?)?$/.exec(lower);
  if (iso) {
    const [, Y, M, W, D, H, MI, S] = iso;
    if (Y) addMonths(+Y * 12); if (M) addMonths(+M); if (W) addDays(+W * 7); if (D) addDays(+D);
    us += Math.round((H ? +H * USECS_PER_HOUR : 0) + (MI ? +MI * USECS_PER_MINUTE : 0) + (S ? +S * USECS_PER_SEC : 0));
    return new PgInterval(months, days, us);
  }
  const toks = lower.replace(/^@\s*/, '').match(/[+-]?\d[\d:.]*|[+-]?\.\d+|[a-z]+/g);
  if (!toks || toks.join('').length !== lower.replace(/^@\s*/, '').replace(/\s+/g, '').length) throw bad();
  let ago = false, any = false;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (t === 'ago') { if (i !== toks.length - 1) throw bad(); ago = true; continue; }
    if (t.includes(':')) {
      const tm = /^([+-])?(\d+):(\d+)(?::(\d+(?:\.\d*)?))?$/.exec(t);
      if (!tm) throw bad();
      // DecodeTime: minutes 0..59, seconds 0..60 (hours unbounded)
      if (+tm[3]! > 59 || (tm[4] !== undefined && +tm[4] > 60)) throw fieldRange();
      const v = +tm[2]! * USECS_PER_HOUR + +tm[3]! * USECS_PER_MINUTE + Math.round((tm[4] ? +tm[4] : 0) * USECS_PER_SEC);
      us += tm[1] === '-' ? -v : v;
      any = true;
      continue;
    }
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(t)) throw bad();
    const v = Number(t);
    const u = toks[i + 1];
    if (u !== undefined && /^[a-z]/.test(u) && u !== 'ago') {
      const def = UNITS[u];
      if (!def) throw bad();
      i++;
      if (def[0] === 'us') {
        // one field's microseconds must fit an int64 (ParseFractionalSecond / int64 multiplication overflow)
        if (Math.abs(v * def[1]) >= INT64_LIMIT) throw fieldRange();
        us += Math.round(v * def[1]);
      } else if (def[0] === 'day') addDays(v * def[1]);
      else addMonths(v * def[1]);
    } else us += Math.round(v * USECS_PER_SEC); // a bare number is seconds
    any = true;
  }
  if (!any) throw bad();
  // tm2interval: months and days are int32, the time an int64
  if (Math.abs(months) > 2147483647 || Math.abs(days) > 2147483647 || Math.abs(us) >= INT64_LIMIT) throw new PgError('22008', 'interval out of range');
  return ago ? new PgInterval(-months, -days, -us) : new PgInterval(months, days, us);
}
