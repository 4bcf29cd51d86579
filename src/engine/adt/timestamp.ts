/**
 * Dates and times, part 2: arithmetic and the functions on them.
 *
 * Adding an interval to a timestamp adds its months first (the day of month is clamped: Jan 31 + 1 month = Feb 29
 * in a leap year), then its days, then its microseconds; a date plus an integer is that many days later. Subtracting
 * two timestamps gives an interval of days and time (never months: interval_justify_hours); age() instead counts
 * whole years, months and days from the two calendars, borrowing as timestamp_age does. extract() returns numeric
 * (PostgreSQL 14+), date_part() double precision; date_trunc() cuts to the start of a field (weeks start on Monday,
 * ISO). now() / transaction_timestamp() / statement_timestamp() / clock_timestamp() read the engine's virtual clock
 * (VIRTUAL_EPOCH_US below), never the wall clock.
 *
 * Mirrors: src/backend/utils/adt/timestamp.c (timestamp_pl_interval, timestamp_mi, interval_mul, interval_div,
 * timestamp_age, timestamp_trunc, timestamp_part / extract, interval_justify_*), date.c (date_pli, date_mi, ...).
 * Deliberate difference: virtual time 0 is 2000-01-01 00:00:00+00 (PostgreSQL's own epoch), so now() in a fresh
 * engine is that instant and moves only when the virtual clock does.
 */
import { PgError, notSupported } from '../errors.js';
import { type PgTz, typeAtUs, localToInstant } from './pgtz.js';
import { Numeric } from '../sql/numeric.js';

/** 2^63: an int64 (microseconds) holds less than this */
const INT64_LIMIT = 2 ** 63;
import {
  PgDate, PgTimestamp, PgInterval, tmFromUs, usFromTm, daysInMonth, civilFromDays, daysFromCivil, dow, dateInRange,
  checkTimestamp, toLocal, fromLocal, sessionTz, USECS_PER_DAY, USECS_PER_HOUR, USECS_PER_MINUTE, USECS_PER_SEC, POSTGRES_EPOCH_JDATE, UNIX_EPOCH_DAYS,
} from './datetime.js';

/** The timestamp of virtual time 0: 2000-01-01 00:00:00+00 (microseconds since PostgreSQL's epoch: 0). */
export const VIRTUAL_EPOCH_US = 0;
/** Virtual milliseconds → a timestamptz. */
export const virtualTimestamp = (ms: number) => new PgTimestamp(VIRTUAL_EPOCH_US + Math.round(ms * 1000), true);

const outOfRange = (what = 'timestamp') => new PgError('22008', `${what} out of range`);

/** timestamp_pl_interval: months (day clamped to the month's end), then days, then time. */
export function tsPlusInterval(us: number, iv: PgInterval, sign = 1): number {
  if (!Number.isFinite(us)) return us;
  if (iv.months !== 0) {
    const tm = tmFromUs(us);
    let m0 = tm.y * 12 + (tm.m - 1) + sign * iv.months;
    const y = Math.floor(m0 / 12); m0 -= y * 12;
    tm.y = y; tm.m = m0 + 1;
    tm.d = Math.min(tm.d, daysInMonth(tm.y, tm.m));
    us = usFromTm(tm);
  }
  us += sign * iv.days * USECS_PER_DAY;
  us += sign * iv.us;
  return checkTimestamp(us);
}

/**
 * timestamptz_pl_interval: months move the local time (in the session's zone) and the result is read back as an
 * instant; then days do the same; then the microseconds move the instant. So '1 day' across a DST switch is 23 or 25
 * hours, '24 hours' always 24.
 */
export function tstzPlusInterval(us: number, iv: PgInterval, sign = 1): number {
  if (!Number.isFinite(us)) return us;
  if (iv.months !== 0) us = fromLocal(tsPlusInterval(toLocal(us), new PgInterval(iv.months, 0, 0), sign));
  if (iv.days !== 0) us = fromLocal(tsPlusInterval(toLocal(us), new PgInterval(0, iv.days, 0), sign));
  return checkTimestamp(us + sign * iv.us);
}

/** timestamp_mi: the difference as days and time (interval_justify_hours), never months. */
export function tsMinus(a: number, b: number): PgInterval {
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw outOfRange('interval');
  return justifyHours(new PgInterval(0, 0, a - b));
}

export function justifyHours(iv: PgInterval): PgInterval {
  let days = iv.days + Math.trunc(iv.us / USECS_PER_DAY);
  let us = iv.us % USECS_PER_DAY;
  if (days > 0 && us < 0) { us += USECS_PER_DAY; days--; } else if (days < 0 && us > 0) { us -= USECS_PER_DAY; days++; }
  return new PgInterval(iv.months, days, us === 0 ? 0 : us);
}
export function justifyDays(iv: PgInterval): PgInterval {
  let months = iv.months + Math.trunc(iv.days / 30);
  let days = iv.days % 30;
  if (months > 0 && days < 0) { days += 30; months--; } else if (months < 0 && days > 0) { days -= 30; months++; }
  return new PgInterval(months, days === 0 ? 0 : days, iv.us);
}
export function justifyInterval(iv: PgInterval): PgInterval {
  let months = iv.months + Math.trunc(iv.days / 30), days = iv.days % 30;
  let us = iv.us;
  days += Math.trunc(us / USECS_PER_DAY); us %= USECS_PER_DAY;
  if (months > 0 && (days < 0 || (days === 0 && us < 0))) {
    days += 30; months--;
  } else if (months < 0 && (days > 0 || (days === 0 && us > 0))) {
    days -= 30; months++;
  }
  if (days > 0 && us < 0) { us += USECS_PER_DAY; days--; } else if (days < 0 && us > 0) { us -= USECS_PER_DAY; days++; }
  return new PgInterval(months, days === 0 ? 0 : days, us === 0 ? 0 : us);
}

const TSROUND = (x: number) => Math.round(x * 1e6) / 1e6;
/** interval_mul: fractional months and days cascade down to days and time. */
export function intervalMul(iv: PgInterval, factor: number): PgInterval {
  const mD = iv.months * factor, dD = iv.days * factor;
  if (!Number.isFinite(mD) || !Number.isFinite(dD) || Math.abs(mD) > 2147483647 || Math.abs(dD) > 2147483647) throw new PgError('22008', 'interval out of range');
  const months = Math.trunc(mD);
  let days = Math.trunc(dD);
  const monthRemDays = TSROUND((mD - months) * 30);
  let secRem = TSROUND((dD - days + monthRemDays - Math.trunc(monthRemDays)) * 86400);
  if (Math.abs(secRem) >= 86400) { days += Math.trunc(secRem / 86400); secRem -= Math.trunc(secRem / 86400) * 86400; }
  days += Math.trunc(monthRemDays);
  const us = Math.round(iv.us * factor + secRem * USECS_PER_SEC);
  // the microseconds are an int64 (FLOAT8_FITS_IN_INT64)
  if (!Number.isFinite(us) || Math.abs(us) >= INT64_LIMIT) throw new PgError('22008', 'interval out of range');
  return new PgInterval(months, days === 0 ? 0 : days, us === 0 ? 0 : us);
}
export function intervalDiv(iv: PgInterval, divisor: number): PgInterval {
  if (divisor === 0) throw new PgError('22012', 'division by zero');
  return intervalMul(iv, 1 / divisor);
}
export const intervalAdd = (a: PgInterval, b: PgInterval, sign = 1) => new PgInterval(a.months + sign * b.months, a.days + sign * b.days, a.us + sign * b.us);
export const intervalNeg = (a: PgInterval) => new PgInterval(-a.months, -a.days, -a.us);

/** date_pli / date_mii: a date n days later (22008 date out of range). */
export function datePlusDays(d: number, n: number): number {
  if (!Number.isFinite(d)) return d;
  const r = d + n;
  if (!dateInRange(r)) throw new PgError('22008', 'date out of range');
  return r;
}

/** timestamp_age: years, months, days and time between two timestamps, borrowing from the calendar. */
export function age(a: number, b: number): PgInterval {
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw outOfRange('interval');
  const t1 = tmFromUs(a), t2 = tmFromUs(b);
  let fsec = t1.us - t2.us, sec = t1.s - t2.s, min = t1.mi - t2.mi, hour = t1.h - t2.h;
  let mday = t1.d - t2.d, mon = t1.m - t2.m, year = t1.y - t2.y;
  // flip sign if necessary so that the normalisation below works on a positive span
  const neg = a < b;
  if (neg) { fsec = -fsec; sec = -sec; min = -min; hour = -hour; mday = -mday; mon = -mon; year = -year; }
  while (fsec < 0) { fsec += USECS_PER_SEC; sec--; }
  while (sec < 0) { sec += 60; min--; }
  while (min < 0) { min += 60; hour--; }
  while (hour < 0) { hour += 24; mday--; }
  while (mday < 0) {
    const ref = neg ? t1 : t2; // days of the earlier timestamp's month, as timestamp_age uses
    mday += daysInMonth(ref.y, ref.m);
    mon--;
  }
  while (mon < 0) { mon += 12; year--; }
  if (neg) { fsec = -fsec; sec = -sec; min = -min; hour = -hour; mday = -mday; mon = -mon; year = -year; }
  const us = ((hour * 60 + min) * 60 + sec) * USECS_PER_SEC + fsec;
  return new PgInterval(year * 12 + mon, mday === 0 ? 0 : mday, us === 0 ? 0 : us);
}

/** DecodeUnits / DecodeSpecial's field names (lower case) and the unit each names: shared by every date/time type's extract */
export const UNIT_ALIASES: Record<string, string> = {
  microsecond: 'microseconds', microseconds: 'microseconds', us: 'microseconds', usec: 'microseconds', usecs: 'microseconds', useconds: 'microseconds',
  millisecond: 'milliseconds', milliseconds: 'milliseconds', ms: 'milliseconds', msec: 'milliseconds', msecs: 'milliseconds', mseconds: 'milliseconds',
  second: 'second', seconds: 'second', s: 'second', sec: 'second', secs: 'second',
  minute: 'minute', minutes: 'minute', m: 'minute', min: 'minute', mins: 'minute',
  hour: 'hour', hours: 'hour', h: 'hour', hr: 'hour', hrs: 'hour',
  day: 'day', days: 'day', d: 'day', week: 'week', weeks: 'week', w: 'week',
  month: 'month', months: 'month', mon: 'month', mons: 'month', quarter: 'quarter', qtr: 'quarter',
  year: 'year', years: 'year', y: 'year', yr: 'year', yrs: 'year', decade: 'decade', decades: 'decade', dec: 'decade',
  century: 'century', centuries: 'century', c: 'century', cent: 'century', millennium: 'millennium', millennia: 'millennium', mil: 'millennium',
  epoch: 'epoch', dow: 'dow', isodow: 'isodow', doy: 'doy', isoyear: 'isoyear', julian: 'julian', j: 'julian',
  timezone: 'timezone', timezone_hour: 'timezone_hour', timezone_minute: 'timezone_minute',
};
export type DtKind = 'date' | 'timestamp' | 'timestamptz' | 'interval';
const KIND_DISPLAY: Record<DtKind, string> = { date: 'date', timestamp: 'timestamp without time zone', timestamptz: 'timestamp with time zone', interval: 'interval' };
const unknownUnit = (u: string, k: DtKind) => new PgError('22023', `unit "${u}" not recognized for type ${KIND_DISPLAY[k]}`);
const unsupportedUnit = (u: string, k: DtKind) => new PgError('0A000', `unit "${u}" not supported for type ${KIND_DISPLAY[k]}`);

/** ISO 8601 week number and ISO year of a day (date2isoweek / date2isoyear). */
function isoWeek(days: number): { week: number; year: number } {
  const { y } = civilFromDays(days);
  const mondayOfWeek1 = (yy: number) => { const jan4 = daysFromCivil(yy, 1, 4); return jan4 - ((dow(jan4) + 6) % 7); };
  let year = y;
  let start = mondayOfWeek1(year);
  if (days < start) { year--; start = mondayOfWeek1(year); } else if (days >= mondayOfWeek1(year + 1)) { year++; start = mondayOfWeek1(year); }
  return { week: Math.floor((days - start) / 7) + 1, year };
}

const num = (n: number) => Numeric.fromInt(n);
const scaled = (unscaled: number | bigint, scale: number) => new Numeric(BigInt(unscaled), scale);

/**
 * extract(field from x): numeric, as PostgreSQL 14+ computes it (seconds with 6 decimals, milliseconds with 3,
 * epoch with 6 for timestamps). date_part() is the same as double precision.
 */
export function extract(unitText: string, kind: DtKind, v: PgDate | PgTimestamp | PgInterval): Numeric | null {
  const u = UNIT_ALIASES[unitText.toLowerCase()];
  if (!u) throw unknownUnit(unitText.toLowerCase(), kind);
  if (kind === 'interval') {
    const iv = v as PgInterval;
    const years = Math.trunc(iv.months / 12);
    const tUs = iv.us;
    switch (u) {
      case 'microseconds': return num(tUs % USECS_PER_MINUTE);
      case 'milliseconds': return scaled(tUs % USECS_PER_MINUTE, 3);
      case 'second': return scaled(tUs % USECS_PER_MINUTE, 6);
      case 'minute': return num(Math.trunc((tUs % USECS_PER_HOUR) / USECS_PER_MINUTE));
      case 'hour': return num(Math.trunc(tUs / USECS_PER_HOUR));
      case 'day': return num(iv.days);
      case 'month': return num(iv.months % 12);
      case 'quarter': return num(Math.trunc((iv.months % 12) / 3) + 1);
      case 'year': return num(years);
      case 'decade': return num(Math.trunc(years / 10));
      case 'century': return num(Math.trunc(years / 100));
      case 'millennium': return num(Math.trunc(years / 1000));
      case 'epoch': {
        // interval_part: 365.25-day years, 30-day months, in microseconds, shown with 6 decimals
        const y = Math.trunc(iv.months / 12), m = iv.months % 12;
        const secs = BigInt(y) * 31557600n + BigInt(m) * 2592000n + BigInt(iv.days) * 86400n;
        return new Numeric(secs * 1000000n + BigInt(tUs), 6);
      }
      default: throw unsupportedUnit(u, kind);
    }
  }
  const isDate = kind === 'date';
  const raw = isDate ? (v as PgDate).d : (v as PgTimestamp).us;
  if (!Number.isFinite(raw)) {
    // infinite inputs: the monotonic fields are ±Infinity, the others NULL (numeric has no infinity in 15 here)
    throw notSupported(`extract from an infinite ${KIND_DISPLAY[kind]}`);
  }
  // a timestamptz's fields are those of its local time in the session's zone (its epoch is the instant's)
  const utoff = kind === 'timestamptz' ? typeAtUs(sessionTz(), raw).utoff : 0;
  const us = isDate ? raw * USECS_PER_DAY : raw + utoff * USECS_PER_SEC;
  const tm = tmFromUs(us);
  const days = Math.floor(us / USECS_PER_DAY);
  if (isDate && ['microseconds', 'milliseconds', 'second', 'minute', 'hour', 'timezone', 'timezone_hour', 'timezone_minute'].includes(u)) throw unsupportedUnit(u, kind);
  switch (u) {
    case 'microseconds': return num(tm.s * USECS_PER_SEC + tm.us);
    case 'milliseconds': return scaled(tm.s * USECS_PER_SEC + tm.us, 3);
    case 'second': return scaled(tm.s * USECS_PER_SEC + tm.us, 6);
    case 'minute': return num(tm.mi);
    case 'hour': return num(tm.h);
    case 'day': return num(tm.d);
    case 'month': return num(tm.m);
    case 'quarter': return num(Math.trunc((tm.m - 1) / 3) + 1);
    case 'week': return num(isoWeek(days).week);
    case 'year': return num(tm.y > 0 ? tm.y : tm.y - 1);
    case 'isoyear': { const y = isoWeek(days).year; return num(y > 0 ? y : y - 1); }
    case 'decade': return num(tm.y >= 0 ? Math.floor(tm.y / 10) : -Math.floor((8 - (tm.y - 1)) / 10));
    case 'century': return num(tm.y > 0 ? Math.floor((tm.y + 99) / 100) : -Math.floor((99 - (tm.y - 1)) / 100));
    case 'millennium': return num(tm.y > 0 ? Math.floor((tm.y + 999) / 1000) : -Math.floor((999 - (tm.y - 1)) / 1000));
    case 'dow': return num(dow(days));
    case 'isodow': { const d = dow(days); return num(d === 0 ? 7 : d); }
    case 'doy': return num(days - daysFromCivil(tm.y, 1, 1) + 1);
    case 'julian': {
      if (isDate) return num(days + POSTGRES_EPOCH_JDATE);
      // julian day plus the fraction of the day, as numeric
      const frac = us - days * USECS_PER_DAY;
      return Numeric.fromInt(days + POSTGRES_EPOCH_JDATE).add(new Numeric(BigInt(frac), 0).divScale(Numeric.fromInt(USECS_PER_DAY), 20).round(20)).round(20);
    }
    case 'epoch': {
      const e = us - utoff * USECS_PER_SEC - UNIX_EPOCH_DAYS * USECS_PER_DAY;
      return isDate ? num(e / USECS_PER_SEC) : scaled(e, 6);
    }
    case 'timezone': case 'timezone_hour': case 'timezone_minute':
      if (kind === 'timestamp') throw unsupportedUnit(u, kind);
      // seconds east of UTC; the hour and minute parts truncated toward zero
      return num(u === 'timezone' ? utoff : u === 'timezone_hour' ? Math.trunc(utoff / 3600) : Math.trunc((utoff % 3600) / 60));
    default: throw unknownUnit(unitText.toLowerCase(), kind);
  }
}

/**
 * date_trunc(field, x [, zone]): timestamps (and dates, as timestamptz) cut to the field's start; intervals too. A
 * timestamptz is cut in its local time (the session's zone, or `zone`): cut to a day or more, the local midnight is
 * read back in the zone (its offset may differ); cut to an hour or less, the offset stays (timestamptz_trunc_internal).
 */
export function dateTrunc(unitText: string, kind: DtKind, v: PgTimestamp | PgInterval, zone: PgTz = sessionTz()): PgTimestamp | PgInterval {
  const u = UNIT_ALIASES[unitText.toLowerCase()];
  if (kind === 'interval') {
    const iv = v as PgInterval;
    if (!u) throw unknownUnit(unitText.toLowerCase(), kind);
    const t = iv.us;
    const cut = (q: number) => Math.trunc(t / q) * q;
    const years = Math.trunc(iv.months / 12);
    switch (u) {
      case 'millennium': return new PgInterval(Math.trunc(years / 1000) * 12000, 0, 0);
      case 'century': return new PgInterval(Math.trunc(years / 100) * 1200, 0, 0);
      case 'decade': return new PgInterval(Math.trunc(years / 10) * 120, 0, 0);
      case 'year': return new PgInterval(years * 12, 0, 0);
      case 'quarter': return new PgInterval(years * 12 + Math.trunc((iv.months % 12) / 3) * 3, 0, 0);
      case 'month': return new PgInterval(iv.months, 0, 0);
      case 'day': return new PgInterval(iv.months, iv.days, 0);
      case 'hour': return new PgInterval(iv.months, iv.days, cut(USECS_PER_HOUR));
      case 'minute': return new PgInterval(iv.months, iv.days, cut(USECS_PER_MINUTE));
      case 'second': return new PgInterval(iv.months, iv.days, cut(USECS_PER_SEC));
      case 'milliseconds': return new PgInterval(iv.months, iv.days, cut(1000));
      case 'microseconds': return iv;
      case 'week': throw new PgError('0A000', 'interval units "week" not supported because months usually have fractional weeks');
      default: throw unknownUnit(unitText.toLowerCase(), kind);
    }
  }
  const ts = v as PgTimestamp;
  if (!u) throw unknownUnit(unitText.toLowerCase(), ts.tz ? 'timestamptz' : 'timestamp');
  if (!Number.isFinite(ts.us)) return ts;
  const utoffUs = ts.tz ? typeAtUs(zone, ts.us).utoff * USECS_PER_SEC : 0;
  const local = ts.us + utoffUs;
  const tm = tmFromUs(local);
  const days = Math.floor(local / USECS_PER_DAY);
  const redo = (l: number) => new PgTimestamp(ts.tz ? localToInstant(zone, l) : l, ts.tz);
  const at = (y: number, m: number, d: number) => redo(usFromTm({ y, m, d, h: 0, mi: 0, s: 0, us: 0 }));
  const cut = (q: number) => new PgTimestamp(Math.floor(local / q) * q - utoffUs, ts.tz);
  switch (u) {
    case 'millennium': { const y = tm.y > 0 ? Math.floor((tm.y - 1) / 1000) * 1000 + 1 : -(Math.floor((999 - (tm.y - 1)) / 1000) * 1000) + 1; return at(y, 1, 1); }
    case 'century': { const y = tm.y > 0 ? Math.floor((tm.y - 1) / 100) * 100 + 1 : -(Math.floor((99 - (tm.y - 1)) / 100) * 100) + 1; return at(y, 1, 1); }
    case 'decade': return at(tm.y > 0 ? Math.floor(tm.y / 10) * 10 : -Math.floor((8 - (tm.y - 1)) / 10) * 10, 1, 1);
    case 'year': return at(tm.y, 1, 1);
    case 'quarter': return at(tm.y, Math.floor((tm.m - 1) / 3) * 3 + 1, 1);
    case 'month': return at(tm.y, tm.m, 1);
    case 'week': return redo((days - ((dow(days) + 6) % 7)) * USECS_PER_DAY);
    case 'day': return redo(days * USECS_PER_DAY);
    case 'hour': return cut(USECS_PER_HOUR);
    case 'minute': return cut(USECS_PER_MINUTE);
    case 'second': return cut(USECS_PER_SEC);
    case 'milliseconds': return cut(1000);
    case 'microseconds': return ts;
    default: throw unsupportedUnit(u, ts.tz ? 'timestamptz' : 'timestamp');
  }
}

/** make_date: 22008 "date field value out of range: y-m-d" when the date does not exist. */
export function makeDate(y: number, m: number, d: number): PgDate {
  const yy = y < 0 ? y + 1 : y;
  if (y === 0 || m < 1 || m > 12 || d < 1 || d > daysInMonth(yy, m)) throw new PgError('22008', `date field value out of range: ${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
  return new PgDate(daysFromCivil(yy, m, d));
}
export function makeTimestamp(y: number, m: number, d: number, h: number, mi: number, s: number, tz: boolean): PgTimestamp {
  const date = makeDate(y, m, d);
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60) throw new PgError('22008', `time field value out of range: ${h}:${String(mi).padStart(2, '0')}:${String(s).padStart(2, '0')}`);
  return new PgTimestamp(checkTimestamp(date.d * USECS_PER_DAY + h * USECS_PER_HOUR + mi * USECS_PER_MINUTE + Math.round(s * USECS_PER_SEC)), tz);
}
