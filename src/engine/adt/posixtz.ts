/**
 * POSIX TZ strings — 'EST5EDT,M3.2.0,M11.1.0', 'UTC+3', '<+05:30>-05:30' — and the switches their rules make.
 *
 * A POSIX string names a standard time and its offset *west* of UTC (so 'UTC+3' is three hours behind UTC), then
 * optionally a daylight time (one hour ahead unless given) and the two rules that switch to it and back: Mm.w.d is
 * the w-th (5 = last) weekday d (0 = Sunday) of month m, Jn the n-th day of the year not counting Feb 29, n the
 * zero-based day counting it; each may carry /time, the local time of the switch (default 02:00, may be negative or
 * past 24). The tz database ends every zone file with such a string for the years after its last listed switch.
 *
 * Mirrors: src/timezone/localtime.c (tzparse, getrule, transtime). Kept free of the zone data so that
 * scripts/gen-tzdata.ts can use it to trim what the rule reproduces.
 */

/** A local time type (tzcode's ttinfo): seconds east of UTC, DST or not, the abbreviation. */
export interface TzType { readonly utoff: number; readonly isdst: boolean; readonly abbr: string }
const SECS_PER_DAY = 86_400;


/** A switch rule: Jn (day 1..365, no Feb 29), n (0..365), or Mm.w.d; `secs` is the local time of day. */
type RuleDate = { kind: 'J'; day: number; secs: number } | { kind: 'n'; day: number; secs: number } | { kind: 'M'; month: number; week: number; wday: number; secs: number };
export interface PosixTz { std: TzType; dst: TzType | null; start: RuleDate | null; end: RuleDate | null }

/** tzparse: a POSIX TZ string, or null when it is not one. */
export function parsePosixTz(s: string): PosixTz | null {
  let i = 0;
  const name = (): string | null => {
    if (s[i] === '<') {
      const j = s.indexOf('>', i);
      if (j < 0) return null;
      const n = s.slice(i + 1, j);
      if (n.length < 3) return null;
      i = j + 1;
      return n;
    }
    const m = /^[A-Za-z]{3,}/.exec(s.slice(i));
    if (!m) return null;
    i += m[0].length;
    return m[0];
  };
  /** [+|-]hh[:mm[:ss]] as seconds, hours up to 167 (tzcode's getsecs) */
  const secs = (maxH: number): number | null => {
    const m = /^([+-])?(\d{1,3})(?::(\d{1,2})(?::(\d{1,2}))?)?/.exec(s.slice(i));
    if (!m) return null;
    const h = +m[2]!, mi = m[3] !== undefined ? +m[3] : 0, se = m[4] !== undefined ? +m[4] : 0;
    if (h > maxH || mi > 59 || se > 59) return null;
    i += m[0].length;
    return (m[1] === '-' ? -1 : 1) * (h * 3600 + mi * 60 + se);
  };
  // PostgreSQL's tzparse also takes an offset with no name at all ('-07:30', '+05'): its abbreviation is empty
  const stdName = /^[+\-\d]/.test(s) ? '' : name();
  if (stdName === null) return null;
  const stdOff = secs(167);
  if (stdOff === null) return null;
  const std: TzType = { utoff: -stdOff, isdst: false, abbr: stdName };
  if (i === s.length) return { std, dst: null, start: null, end: null };
  const dstName = name();
  if (dstName === null) return null;
  let dstUtoff = std.utoff + 3600;
  if (i < s.length && s[i] !== ',' && s[i] !== ';') {
    const o = secs(167);
    if (o === null) return null;
    dstUtoff = -o;
  }
  const dst: TzType = { utoff: dstUtoff, isdst: true, abbr: dstName };
  if (i === s.length) {
    // no rule: tzcode's default (the US rule since 2007)
    return { std, dst, start: { kind: 'M', month: 3, week: 2, wday: 0, secs: 7200 }, end: { kind: 'M', month: 11, week: 1, wday: 0, secs: 7200 } };
  }
  const rule = (): RuleDate | null => {
    let r: RuleDate;
    let m: RegExpExecArray | null;
    const rest = s.slice(i);
    if ((m = /^J(\d{1,3})/.exec(rest))) {
      if (+m[1]! < 1 || +m[1]! > 365) return null;
      r = { kind: 'J', day: +m[1]!, secs: 7200 };
    } else if ((m = /^M(\d{1,2})\.(\d)\.(\d)/.exec(rest))) {
      if (+m[1]! < 1 || +m[1]! > 12 || +m[2]! < 1 || +m[2]! > 5 || +m[3]! > 6) return null;
      r = { kind: 'M', month: +m[1]!, week: +m[2]!, wday: +m[3]!, secs: 7200 };
    } else if ((m = /^(\d{1,3})/.exec(rest))) {
      if (+m[1]! > 365) return null;
      r = { kind: 'n', day: +m[1]!, secs: 7200 };
    } else return null;
    i += m[0].length;
    if (s[i] === '/') { i++; const t = secs(167); if (t === null) return null; r.secs = t; }
    return r;
  };
  if (s[i] !== ',' && s[i] !== ';') return null;
  i++;
  const start = rule();
  if (start === null || (s[i] !== ',' && s[i] !== ';')) return null;
  i++;
  const end = rule();
  if (end === null || i !== s.length) return null;
  return { std, dst, start, end };
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
/** Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
function unixDays(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** transtime: the local midnight-based seconds (Unix, as if UTC) of a rule's day in year y, plus its time. */
function ruleLocal(y: number, r: RuleDate): number {
  let day: number;
  if (r.kind === 'J') day = unixDays(y, 1, 1) + r.day - 1 + (isLeap(y) && r.day >= 60 ? 1 : 0);
  else if (r.kind === 'n') day = unixDays(y, 1, 1) + r.day;
  else {
    const first = unixDays(y, r.month, 1);
    const firstDow = (((first + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
    let d = first + ((r.wday - firstDow + 7) % 7) + (r.week - 1) * 7;
    const mdays = MONTH_DAYS[r.month - 1]! + (r.month === 2 && isLeap(y) ? 1 : 0);
    while (d >= first + mdays) d -= 7;
    day = d;
  }
  return day * SECS_PER_DAY + r.secs;
}

/** The two switches a POSIX rule makes in year y: to DST (at start, read in standard time) and back (end, in DST). */
export function ruleSwitches(p: PosixTz, y: number): { at: number; dst: boolean }[] {
  if (!p.dst || !p.start || !p.end) return [];
  const on = ruleLocal(y, p.start) - p.std.utoff;
  const off = ruleLocal(y, p.end) - p.dst.utoff;
  return on < off ? [{ at: on, dst: true }, { at: off, dst: false }] : [{ at: off, dst: false }, { at: on, dst: true }];
}

/** The (proleptic Gregorian) year of Unix second t. */
export function yearOfUnix(t: number): number {
  let y = 1970 + Math.floor(t / (365.2425 * SECS_PER_DAY));
  while (unixDays(y, 1, 1) * SECS_PER_DAY > t) y--;
  while (unixDays(y + 1, 1, 1) * SECS_PER_DAY <= t) y++;
  return y;
}
