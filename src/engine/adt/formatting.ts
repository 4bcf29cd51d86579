/**
 * to_char(): values printed through a template, as PostgreSQL 15's formatting.c prints them.
 *
 * A template is read left to right into nodes (parse_format): at each position the longest keyword that matches
 * (keywords are looked up by their first character, lower-case spellings included: 'xyz' prints x, the year's last
 * digit, z), else one literal character. "double-quoted text" is copied (a backslash inside quotes the next
 * character), \" outside quotes is a literal quote, everything else not a keyword is copied as it is.
 *
 * Date/time templates (DCH_to_char): HH HH12 HH24 MI SS MS US FF1..FF6 SSSS SSSSS, AM PM A.M. P.M. (and lower case),
 * Y,YYY YYYY YYY YY Y, ISO years IYYY IYY IY I, BC AD B.C. A.D., MONTH Month month MON Mon mon MM, DAY Day day DY
 * Dy dy, DDD IDDD DD D ID W WW IW CC J Q, RM rm, TZ tz TZH TZM OF; prefixes FM (no padding) and FX (nothing when
 * printing), TM (translated names: the C locale's English ones, unpadded), suffixes TH / th (ordinal) and SP
 * (ignored). Words are padded to 9 characters (MONTH, DAY), RM to 4, unless FM.
 * Number templates (NUM_processor): 9 0 . , D G S MI PL SG PR EEEE V L RN rn TH th FM B, with the C locale's
 * symbols (',' '.' and a blank currency symbol).
 *
 * Example: to_char(timestamp '2024-03-05 14:07:09', 'FMDay, DDth Month YYYY HH12:MI AM') is
 * 'Tuesday, 05th March     2024 02:07 PM'; to_char(-1234.5, 'S9,999.99') is '-1,234.50'; to_char(0.5, '9.99') is
 * '  .50' (the first position is the sign's, a leading zero before the point is blank unless a 0 asks for it).
 *
 * Mirrors: src/backend/utils/adt/formatting.c — parse_format, DCH_to_char (timestamp_to_char, timestamptz_to_char,
 * interval_to_char), NUMDesc_prepare, NUM_processor and NUM_numpart_to_char, numeric_to_char, int4_to_char,
 * int8_to_char, float4_to_char, float8_to_char, int_to_roman, get_th.
 * An interval prints its fields (interval2itm); the ISO week templates and J read them as if they were a date, as
 * formatting.c does; names of days and months, D, ID, BC/AD and the zone templates are 22007 for an interval.
 * Where formatting.c leans on C, the engine does what PostgreSQL 15 on x86-64 does: V of an int4 wraps as int32
 * arithmetic does, a float outside int4 under RN converts to INT_MIN (#s), a NaN or infinite float prints as
 * snprintf.c spells it (NaN, Infinity), and a digit position past the end of the digits writes C's NUL, which ends
 * the result there. Simplifications: the C locale only (lc_numeric / lc_monetary / lc_time = C); no format cache.
 */
import { PgError } from '../errors.js';
import { Numeric } from '../sql/numeric.js';
import { date2j, tmFromUs, sessionTz, type PgInterval, USECS_PER_HOUR, USECS_PER_MINUTE, USECS_PER_SEC } from './datetime.js';
import { typeAtUs } from './pgtz.js';
import { printfF, printfE } from './snprintf.js';

// ---- parse_format ----

interface KeyNode { kind: 'key'; key: string; suffix: number }
interface CharNode { kind: 'char'; ch: string }
type FormatNode = KeyNode | CharNode;

const S_FM = 1, S_TM = 2, S_TH = 4, S_th = 8, S_SP = 16;

/** DCH_keywords in formatting.c's order: within a first letter, longer spellings first. */
const DCH_KEYWORDS = ('A.D. A.M. AD AM B.C. BC CC DAY DDD DD DY Day Dy D FF1 FF2 FF3 FF4 FF5 FF6 FX HH24 HH12 HH ' +
  'IDDD ID IW IYYY IYY IY I J MI MM MONTH MON MS Month Mon OF P.M. PM Q RM SSSSS SSSS SS TZH TZM TZ US WW W ' +
  'Y,YYY YYYY YYY YY Y a.d. a.m. ad am b.c. bc cc day ddd dd dy d ff1 ff2 ff3 ff4 ff5 ff6 fx hh24 hh12 hh iddd id ' +
  'iw iyyy iyy iy i j mi mm month mon ms of p.m. pm q rm sssss ssss ss tzh tzm tz us ww w y,yyy yyyy yyy yy y').split(' ');
/** NUM_keywords */
const NUM_KEYWORDS = ', . 0 9 B C D EEEE FM G L MI PL PR RN SG SP S TH V b c d eeee fm g l mi pl pr rn sg sp s th v'.split(' ');
/** Lower-case spellings that print the same as the upper-case one (the others: day, mon, am ... print in lower case). */
const DCH_SAME_AS_UPPER = new Set('cc ddd dd d ff1 ff2 ff3 ff4 ff5 ff6 fx hh24 hh12 hh iddd id iw iyyy iyy iy i j mi mm ms of q sssss ssss ss tzh tzm us ww w y,yyy yyyy yyy yy y'.split(' '));
const NUM_CANON: Record<string, string> = { b: 'B', c: 'C', d: 'D', eeee: 'EEEE', fm: 'FM', g: 'G', l: 'L', mi: 'MI', pl: 'PL', pr: 'PR', sg: 'SG', sp: 'SP', s: 'S', v: 'V' };

function keyAt(str: string, i: number, keys: readonly string[]): string | undefined {
  for (const k of keys) if (str.startsWith(k, i)) return k; // keys of one first letter are ordered longest first
  return undefined;
}
const suffixAt = (str: string, i: number, post: boolean): [number, number] | undefined => {
  const two = str.slice(i, i + 2);
  if (!post) return two === 'FM' || two === 'fm' ? [S_FM, 2] : two === 'TM' || two === 'tm' ? [S_TM, 2] : undefined;
  return two === 'TH' ? [S_TH, 2] : two === 'th' ? [S_th, 2] : two === 'SP' ? [S_SP, 2] : undefined;
};

function parseFormat(fmt: string, dch: boolean): FormatNode[] {
  const keys = dch ? DCH_KEYWORDS : NUM_KEYWORDS;
  const nodes: FormatNode[] = [];
  const chars = Array.from(fmt);
  const str = chars.join('');
  // work on code points: an index into chars, with the string offset kept alongside
  let off = 0, ci = 0;
  const advance = (n: number) => { for (let k = 0; k < n;) { const c = chars[ci++]!; off += c.length; k += c.length; } };
  while (ci < chars.length) {
    let suffix = 0;
    if (dch) { const s = suffixAt(str, off, false); if (s) { suffix |= s[0]; advance(s[1]); } }
    if (ci >= chars.length) break;
    const key = keyAt(str, off, keys);
    if (key) {
      advance(key.length);
      if (dch && ci < chars.length) { const s = suffixAt(str, off, true); if (s) { suffix |= s[0]; advance(s[1]); } }
      nodes.push({ kind: 'key', key, suffix });
      continue;
    }
    if (chars[ci] === '"') {
      advance(1);
      while (ci < chars.length) {
        if (chars[ci] === '"') { advance(1); break; }
        if (chars[ci] === '\\' && ci + 1 < chars.length) advance(1);
        nodes.push({ kind: 'char', ch: chars[ci]! }); advance(chars[ci]!.length);
      }
      continue;
    }
    if (chars[ci] === '\\' && chars[ci + 1] === '"') advance(1);
    nodes.push({ kind: 'char', ch: chars[ci]! }); advance(chars[ci]!.length);
  }
  return nodes;
}

// ---- shared helpers: C's printf ----

/** sprintf("%0*d", width, v): zeros after the sign, the width counting the sign */
function zpad(v: number | bigint, width: number): string {
  const neg = v < 0;
  const digits = (neg ? -BigInt(v) : BigInt(v)).toString();
  return neg ? '-' + digits.padStart(width - 1, '0') : digits.padStart(width, '0');
}
/** get_th: the ordinal suffix of a number printed as text */
function getTh(num: string, upper: boolean): string {
  const last = num[num.length - 1] ?? '';
  if (!/[0-9]/.test(last)) throw new PgError('22P02', `"${num}" is not a number`);
  let th = 'th';
  if (!(num.length > 1 && num[num.length - 2] === '1')) th = last === '1' ? 'st' : last === '2' ? 'nd' : last === '3' ? 'rd' : 'th';
  return upper ? th.toUpperCase() : th;
}
const tdiv = (a: number, b: number) => Math.trunc(a / b);
/** rint: to the nearest integer, halves to even */
const rint = (x: number) => { const f = Math.floor(x), d = x - f; return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1; };

// ---- DCH_to_char ----

const MONTHS_FULL = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS_FULL = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const RM_MONTHS = ['XII', 'XI', 'X', 'IX', 'VIII', 'VII', 'VI', 'V', 'IV', 'III', 'II', 'I'];

/** The broken-down value DCH_to_char prints (struct pg_tm + fsec + the zone's abbreviation). */
interface DchTm {
  year: number; mon: number; mday: number; hour: number; min: number; sec: number; fsec: number; wday: number; yday: number;
  gmtoff: number; tzn: string | null;
}

const j2day = (j: number) => { const d = (j + 1) % 7; return d < 0 ? d + 7 : d; };
function isoWeek(y: number, m: number, d: number): { week: number; year: number } {
  const dayn = date2j(y, m, d);
  let day4 = date2j(y, 1, 4), day0 = j2day(day4 - 1), year = y;
  if (dayn < day4 - day0) { day4 = date2j(y - 1, 1, 4); day0 = j2day(day4 - 1); year--; }
  let week = tdiv(dayn - (day4 - day0), 7) + 1;
  if (week >= 52) {
    const n4 = date2j(year + 1, 1, 4), n0 = j2day(n4 - 1);
    if (dayn >= n4 - n0) { week = tdiv(dayn - (n4 - n0), 7) + 1; year++; }
  }
  return { week, year };
}
/** date2isoyearday: the day of the ISO year */
function isoYearDay(y: number, m: number, d: number): number {
  const iy = isoWeek(y, m, d).year;
  const day4 = date2j(iy, 1, 4);
  return date2j(y, m, d) - (day4 - j2day(day4 - 1)) + 1;
}

const invalidForInterval = () => new PgError('22007', 'invalid format specification for an interval value', { hint: 'Intervals are not tied to specific calendar dates.' });

function dchToChar(nodes: FormatNode[], tm: DchTm, isInterval: boolean): string {
  let out = '';
  const adjYear = (y: number) => (isInterval ? y : y <= 0 ? -(y - 1) : y);
  const noInterval = () => { if (isInterval) throw invalidForInterval(); };
  for (const n of nodes) {
    if (n.kind === 'char') { out += n.ch; continue; }
    const fm = (n.suffix & S_FM) !== 0;
    const tmName = (n.suffix & S_TM) !== 0;
    const key = DCH_SAME_AS_UPPER.has(n.key) ? n.key.toUpperCase() : n.key;
    let s: string | null = null; // a number that may take TH
    const word = (w: string, width: number) => (fm || tmName ? w : w.padEnd(width, ' '));
    const pm = ((tm.hour % 24) + 24) % 24 >= 12;
    switch (key) {
      case 'A.M.': case 'P.M.': out += pm ? 'P.M.' : 'A.M.'; break;
      case 'AM': case 'PM': out += pm ? 'PM' : 'AM'; break;
      case 'a.m.': case 'p.m.': out += pm ? 'p.m.' : 'a.m.'; break;
      case 'am': case 'pm': out += pm ? 'pm' : 'am'; break;
      case 'HH': case 'HH12': s = zpad(tm.hour % 12 === 0 ? 12 : tm.hour % 12, fm ? 0 : tm.hour >= 0 ? 2 : 3); break;
      case 'HH24': s = zpad(tm.hour, fm ? 0 : tm.hour >= 0 ? 2 : 3); break;
      case 'MI': s = zpad(tm.min, fm ? 0 : tm.min >= 0 ? 2 : 3); break;
      case 'SS': s = zpad(tm.sec, fm ? 0 : tm.sec >= 0 ? 2 : 3); break;
      case 'FF1': s = zpad(tdiv(tm.fsec, 100000), 1); break;
      case 'FF2': s = zpad(tdiv(tm.fsec, 10000), 2); break;
      case 'FF3': case 'MS': s = zpad(tdiv(tm.fsec, 1000), 3); break;
      case 'FF4': s = zpad(tdiv(tm.fsec, 100), 4); break;
      case 'FF5': s = zpad(tdiv(tm.fsec, 10), 5); break;
      case 'FF6': case 'US': s = zpad(tm.fsec, 6); break;
      case 'SSSS': case 'SSSSS': s = String(tm.hour * 3600 + tm.min * 60 + tm.sec); break;
      case 'tz': noInterval(); if (tm.tzn) out += tm.tzn.toLowerCase(); break;
      case 'TZ': noInterval(); if (tm.tzn) out += tm.tzn; break;
      case 'TZH': noInterval(); out += (tm.gmtoff >= 0 ? '+' : '-') + zpad(tdiv(Math.abs(tm.gmtoff), 3600), 2); break;
      case 'TZM': noInterval(); out += zpad(tdiv(Math.abs(tm.gmtoff) % 3600, 60), 2); break;
      case 'OF': {
        noInterval();
        out += (tm.gmtoff >= 0 ? '+' : '-') + zpad(tdiv(Math.abs(tm.gmtoff), 3600), fm ? 0 : 2);
        if (Math.abs(tm.gmtoff) % 3600 !== 0) out += ':' + zpad(tdiv(Math.abs(tm.gmtoff) % 3600, 60), 2);
        break;
      }
      case 'A.D.': case 'B.C.': noInterval(); out += tm.year <= 0 ? 'B.C.' : 'A.D.'; break;
      case 'AD': case 'BC': noInterval(); out += tm.year <= 0 ? 'BC' : 'AD'; break;
      case 'a.d.': case 'b.c.': noInterval(); out += tm.year <= 0 ? 'b.c.' : 'a.d.'; break;
      case 'ad': case 'bc': noInterval(); out += tm.year <= 0 ? 'bc' : 'ad'; break;
      case 'MONTH': case 'Month': case 'month': case 'MON': case 'Mon': case 'mon': {
        noInterval();
        if (!tm.mon) break;
        const full = key.length === 5;
        let w = full ? MONTHS_FULL[tm.mon - 1]! : MONTHS_FULL[tm.mon - 1]!.slice(0, 3);
        if (key === 'MONTH' || key === 'MON') w = w.toUpperCase(); else if (key === 'month' || key === 'mon') w = w.toLowerCase();
        out += full ? word(w, 9) : w;
        break;
      }
      case 'MM': s = zpad(tm.mon, fm ? 0 : tm.mon >= 0 ? 2 : 3); break;
      case 'DAY': case 'Day': case 'day': case 'DY': case 'Dy': case 'dy': {
        noInterval();
        const full = key.length === 3;
        let w = full ? DAYS_FULL[tm.wday]! : DAYS_FULL[tm.wday]!.slice(0, 3);
        if (key === 'DAY' || key === 'DY') w = w.toUpperCase(); else if (key === 'day' || key === 'dy') w = w.toLowerCase();
        out += full ? word(w, 9) : w;
        break;
      }
      case 'DDD': s = zpad(tm.yday, fm ? 0 : 3); break;
      case 'IDDD': s = zpad(isoYearDay(tm.year, tm.mon, tm.mday), fm ? 0 : 3); break;
      case 'DD': s = zpad(tm.mday, fm ? 0 : 2); break;
      case 'D': noInterval(); s = String(tm.wday + 1); break;
      case 'ID': noInterval(); s = String(tm.wday === 0 ? 7 : tm.wday); break;
      case 'WW': s = zpad(tdiv(tm.yday - 1, 7) + 1, fm ? 0 : 2); break;
      case 'IW': s = zpad(isoWeek(tm.year, tm.mon, tm.mday).week, fm ? 0 : 2); break;
      case 'Q': if (!tm.mon) break; s = String(tdiv(tm.mon - 1, 3) + 1); break;
      case 'CC': {
        const i = isInterval ? tdiv(tm.year, 100) : tm.year > 0 ? tdiv(tm.year - 1, 100) + 1 : tdiv(tm.year, 100) - 1;
        s = i <= 99 && i >= -99 ? zpad(i, fm ? 0 : i >= 0 ? 2 : 3) : String(i);
        break;
      }
      case 'Y,YYY': {
        const y = adjYear(tm.year), i = tdiv(y, 1000);
        s = `${i},${zpad(y - i * 1000, 3)}`;
        break;
      }
      case 'YYYY': case 'YYY': case 'YY': case 'Y': case 'IYYY': case 'IYY': case 'IY': case 'I': {
        const y = adjYear(key[0] === 'I' ? isoWeek(tm.year, tm.mon, tm.mday).year : tm.year);
        const len = key.length;
        const v = len === 4 ? y : y % 10 ** len;
        s = len === 1 ? String(v) : zpad(v, fm ? 0 : y >= 0 ? len : len + 1);
        break;
      }
      case 'RM': case 'rm': {
        if (!tm.mon && !tm.year) break;
        const idx = tm.mon === 0 ? (tm.year >= 0 ? 0 : 11) : tm.mon < 0 ? -1 * (tm.mon + 1) : 12 - tm.mon;
        const w = key === 'RM' ? RM_MONTHS[idx]! : RM_MONTHS[idx]!.toLowerCase();
        out += fm ? w : w.padEnd(4, ' ');
        break;
      }
      case 'W': s = String(tdiv(tm.mday - 1, 7) + 1); break;
      case 'J': s = String(date2j(tm.year, tm.mon, tm.mday)); break;
      default: break; // FX prints nothing
    }
    if (s !== null) {
      out += s;
      if (n.suffix & (S_TH | S_th)) out += getTh(s, (n.suffix & S_TH) !== 0);
    }
  }
  return out;
}

function tsTm(us: number, tz: boolean): DchTm {
  let local = us, gmtoff = 0, tzn: string | null = null;
  if (tz) {
    const t = typeAtUs(sessionTz(), us);
    gmtoff = t.utoff; tzn = t.abbr; local = us + t.utoff * USECS_PER_SEC;
  }
  const t = tmFromUs(local);
  const j = date2j(t.y, t.m, t.d);
  return { year: t.y, mon: t.m, mday: t.d, hour: t.h, min: t.mi, sec: t.s, fsec: t.us, wday: j2day(j), yday: j - date2j(t.y, 1, 1) + 1, gmtoff, tzn };
}

/** timestamp_to_char / timestamptz_to_char: NULL for an empty template or an infinite value. */
export function timestampToChar(us: number, tz: boolean, fmt: string): string | null {
  if (fmt === '' || !Number.isFinite(us)) return null;
  return dchToChar(parseFormat(fmt, true), tsTm(us, tz), false);
}

/** interval_to_char: the interval's fields (interval2itm: C's truncating division), yday the span in days. */
export function intervalToChar(iv: PgInterval, fmt: string): string | null {
  if (fmt === '') return null;
  const year = tdiv(iv.months, 12), mon = iv.months % 12;
  let t = iv.us;
  const hour = tdiv(t, USECS_PER_HOUR); t -= hour * USECS_PER_HOUR;
  const min = tdiv(t, USECS_PER_MINUTE); t -= min * USECS_PER_MINUTE;
  const sec = tdiv(t, USECS_PER_SEC); t -= sec * USECS_PER_SEC;
  // the day count is a C int and wraps (the hours stay 64-bit)
  const yday = ((year * 12 + mon) * 30 + iv.days) | 0;
  const tm: DchTm = { year, mon, mday: iv.days, hour, min, sec, fsec: t, wday: 0, yday, gmtoff: 0, tzn: null };
  return dchToChar(parseFormat(fmt, true), tm, true);
}

// ---- the number templates ----

const F_DECIMAL = 1, F_LDECIMAL = 2, F_ZERO = 4, F_BLANK = 8, F_FILLMODE = 16, F_LSIGN = 32, F_BRACKET = 64, F_MINUS = 128,
  F_PLUS = 256, F_ROMAN = 512, F_MULTI = 1024, F_EEEE = 2048;
const LSIGN_NONE = 0, LSIGN_PRE = 1, LSIGN_POST = 2;

/** NUMDesc: what the template asks for, gathered while parsing (NUMDesc_prepare). */
interface NumDesc { flag: number; pre: number; post: number; lsign: number; preLsignNum: number; multi: number; zeroStart: number; zeroEnd: number }

const syntax = (msg: string, detail?: string) => new PgError('42601', msg, detail ? { detail } : {});

function numDescPrepare(nodes: FormatNode[]): { nodes: FormatNode[]; num: NumDesc } {
  const num: NumDesc = { flag: 0, pre: 0, post: 0, lsign: LSIGN_NONE, preLsignNum: 0, multi: 0, zeroStart: 0, zeroEnd: 0 };
  const is = (f: number) => (num.flag & f) !== 0;
  const canon = nodes.map((n): FormatNode => (n.kind === 'key' ? { ...n, key: NUM_CANON[n.key] ?? n.key } : n));
  for (const n of canon) {
    if (n.kind !== 'key') continue;
    if (is(F_EEEE) && n.key !== 'EEEE') throw syntax('"EEEE" must be the last pattern used');
    switch (n.key) {
      case '9':
        if (is(F_BRACKET)) throw syntax('"9" must be ahead of "PR"');
        if (is(F_MULTI)) { num.multi++; break; }
        if (is(F_DECIMAL)) num.post++; else num.pre++;
        break;
      case '0':
        if (is(F_BRACKET)) throw syntax('"0" must be ahead of "PR"');
        if (!is(F_ZERO) && !is(F_DECIMAL)) { num.flag |= F_ZERO; num.zeroStart = num.pre + 1; }
        if (!is(F_DECIMAL)) num.pre++; else num.post++;
        num.zeroEnd = num.pre + num.post;
        break;
      case 'B': if (num.pre === 0 && num.post === 0 && !is(F_ZERO)) num.flag |= F_BLANK; break;
      case 'D': case '.':
        if (n.key === 'D') num.flag |= F_LDECIMAL;
        if (is(F_DECIMAL)) throw syntax('multiple decimal points');
        if (is(F_MULTI)) throw syntax('cannot use "V" and decimal point together');
        num.flag |= F_DECIMAL;
        break;
      case 'FM': num.flag |= F_FILLMODE; break;
      case 'S':
        if (is(F_LSIGN)) throw syntax('cannot use "S" twice');
        if (is(F_PLUS) || is(F_MINUS) || is(F_BRACKET)) throw syntax('cannot use "S" and "PL"/"MI"/"SG"/"PR" together');
        if (!is(F_DECIMAL)) {
          num.lsign = LSIGN_PRE; num.preLsignNum = num.pre; num.flag |= F_LSIGN;
        } else if (num.lsign === LSIGN_NONE) {
          num.lsign = LSIGN_POST; num.flag |= F_LSIGN;
        }
        break;
      case 'MI': case 'PL': case 'SG':
        if (is(F_LSIGN)) throw syntax(`cannot use "S" and "${n.key}" together`);
        if (n.key !== 'PL') num.flag |= F_MINUS;
        if (n.key !== 'MI') num.flag |= F_PLUS;
        break;
      case 'PR':
        if (is(F_LSIGN) || is(F_PLUS) || is(F_MINUS)) throw syntax('cannot use "PR" and "S"/"PL"/"MI"/"SG" together');
        num.flag |= F_BRACKET;
        break;
      case 'RN': case 'rn': num.flag |= F_ROMAN; break;
      case 'V':
        if (is(F_DECIMAL)) throw syntax('cannot use "V" and decimal point together');
        num.flag |= F_MULTI;
        break;
      case 'EEEE':
        if (is(F_EEEE)) throw syntax('cannot use "EEEE" twice');
        if (is(F_BLANK) || is(F_FILLMODE) || is(F_LSIGN) || is(F_BRACKET) || is(F_MINUS) || is(F_PLUS) || is(F_ROMAN) || is(F_MULTI))
          throw syntax('"EEEE" is incompatible with other formats', '"EEEE" may only be used together with digit and decimal point patterns.');
        num.flag |= F_EEEE;
        break;
      default: break;
    }
  }
  return { nodes: canon, num };
}

/** int_to_roman */
function intToRoman(n: number): string {
  if (n > 3999 || n < 1) return '#'.repeat(15);
  const r1 = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX'], r10 = ['X', 'XX', 'XXX', 'XL', 'L', 'LX', 'LXX', 'LXXX', 'XC'];
  const r100 = ['C', 'CC', 'CCC', 'CD', 'D', 'DC', 'DCC', 'DCCC', 'CM'];
  const th = Math.floor(n / 1000), h = Math.floor(n / 100) % 10, t = Math.floor(n / 10) % 10, o = n % 10;
  return 'M'.repeat(th) + (h ? r100[h - 1] : '') + (t ? r10[t - 1] : '') + (o ? r1[o - 1] : '');
}

/** The digits to print (numstr: no sign; '#'s on overflow), the sign, the blanks before the first digit. */
interface NumStr { numstr: string; sign: '+' | '-'; outPreSpaces: number }

const overflowStr = (num: NumDesc) => '#'.repeat(num.pre) + '.' + '#'.repeat(num.post);
function fitted(digits: string, sign: '+' | '-', num: NumDesc): NumStr {
  const dot = digits.indexOf('.');
  const preLen = dot >= 0 ? dot : digits.length;
  if (preLen > num.pre) return { numstr: overflowStr(num), sign, outPreSpaces: 0 };
  return { numstr: digits, sign, outPreSpaces: num.pre - preLen };
}

/** NUM_processor (to_char's direction) with NUM_numpart_to_char. */
function numProcessor(nodes: FormatNode[], num: NumDesc, ns: NumStr): string {
  const is = (f: number) => (num.flag & f) !== 0;
  const number = ns.numstr;
  let sign: string = ns.sign;
  let outPreSpaces = ns.outPreSpaces;
  if (num.zeroStart) num.zeroStart--;
  if (is(F_EEEE)) return number;
  if (is(F_ROMAN)) { num.lsign = 0; num.preLsignNum = 0; num.post = 0; num.pre = 0; outPreSpaces = 0; sign = ''; num.flag = (num.flag & F_FILLMODE) | F_ROMAN; }
  let signWrote: boolean;
  if (is(F_PLUS) || is(F_MINUS)) signWrote = !(is(F_PLUS) && !is(F_MINUS));
  else {
    if (sign !== '-' && is(F_FILLMODE)) num.flag &= ~F_BRACKET;
    signWrote = sign === '+' && is(F_FILLMODE) && !is(F_LSIGN);
    if (num.lsign === LSIGN_PRE && num.pre === num.preLsignNum) num.lsign = LSIGN_POST;
  }
  let numCount = num.post + num.pre - 1;
  let lastRelevant = -1; // an index into number, -1 for none
  if (is(F_FILLMODE) && is(F_DECIMAL)) {
    const dot = number.indexOf('.');
    if (dot >= 0) {
      lastRelevant = dot;
      for (let i = dot + 1; i < number.length; i++) if (number[i] !== '0') lastRelevant = i;
      if (num.zeroEnd > outPreSpaces) {
        const lastZero = Math.min(number.length - 1, num.zeroEnd - outPreSpaces);
        if (lastRelevant < lastZero) lastRelevant = lastZero;
      }
    }
  }
  if (!signWrote && outPreSpaces === 0) numCount++;
  const ch = (i: number) => number[i] ?? '';
  let np = 0; // Np->number_p
  let numIn = false, numCurr = 0;
  let out = '';
  let cutAt = -1;
  const predecSpace = () => !is(F_ZERO) && np === 0 && number[0] === '0' && num.post !== 0;
  const lastRelIsDot = () => lastRelevant >= 0 && number[lastRelevant] === '.';

  const numpart = (id: string) => {
    if (is(F_ROMAN)) return;
    numIn = false;
    if (!signWrote && (numCurr >= outPreSpaces || (is(F_ZERO) && num.zeroStart === numCurr)) && (!predecSpace() || lastRelIsDot())) {
      if (is(F_LSIGN)) {
        if (num.lsign === LSIGN_PRE) { out += sign === '-' ? '-' : '+'; signWrote = true; }
      } else if (is(F_BRACKET)) {
        out += sign === '+' ? ' ' : '<'; signWrote = true;
      } else if (sign === '+') {
        if (!is(F_FILLMODE)) out += ' ';
        signWrote = true;
      } else if (sign === '-') {
        out += '-'; signWrote = true;
      }
    }
    if (numCurr < outPreSpaces && (num.zeroStart > numCurr || !is(F_ZERO))) {
      if (!is(F_FILLMODE)) out += ' ';
    } else if (is(F_ZERO) && numCurr < outPreSpaces && num.zeroStart <= numCurr) {
      out += '0'; numIn = true;
    } else {
      if (ch(np) === '.') {
        if (!lastRelIsDot()) out += '.';
        else if (is(F_FILLMODE) && lastRelIsDot()) out += '.';
      } else if (lastRelevant >= 0 && np > lastRelevant && id !== '0') {
        // FM: trailing zeros after the last relevant digit are dropped
      } else if (predecSpace()) {
        if (!is(F_FILLMODE)) out += ' ';
        else if (lastRelIsDot()) out += '0';
      } else {
        if (np >= number.length && cutAt < 0) cutAt = out.length; // *inout_p = '\0': the string ends here
        out += ch(np); numIn = true;
      }
      if (np < number.length) np++;
    }
    let end = numCount + (outPreSpaces ? 1 : 0) + (is(F_DECIMAL) ? 1 : 0);
    if (lastRelevant >= 0 && lastRelevant === np) end = numCurr;
    if (numCurr + 1 === end) {
      if (signWrote && is(F_BRACKET)) out += sign === '+' ? ' ' : '>';
      else if (is(F_LSIGN) && num.lsign === LSIGN_POST) out += sign === '-' ? '-' : '+';
    }
    numCurr++;
  };

  for (const n of nodes) {
    if (n.kind === 'char') { out += n.ch; continue; }
    switch (n.key) {
      case '9': case '0': case '.': case 'D': numpart(n.key); break;
      case ',': case 'G': if (numIn) out += ','; else if (!is(F_FILLMODE)) out += ' '; break;
      case 'L': out += ' '; break;
      case 'RN': out += is(F_FILLMODE) ? number : number.padStart(15, ' '); break;
      case 'rn': out += is(F_FILLMODE) ? number.toLowerCase() : number.toLowerCase().padStart(15, ' '); break;
      case 'th': case 'TH':
        if (is(F_ROMAN) || number[0] === '#' || sign === '-' || is(F_DECIMAL)) break;
        out += getTh(number, n.key === 'TH');
        break;
      case 'MI': if (sign === '-') out += '-'; else if (!is(F_FILLMODE)) out += ' '; break;
      case 'PL': if (sign === '+') out += '+'; else if (!is(F_FILLMODE)) out += ' '; break;
      case 'SG': out += sign; break;
      default: break; // S, PR, V, B, C, SP, FM, EEEE print nothing here
    }
  }
  return cutAt >= 0 ? out.slice(0, cutAt) : out;
}

/** numeric_out_sci: the significand rounded (half away from zero) to `scale` digits, which may make it 10.0 */
function numericOutSci(v: Numeric, scale: number): string {
  let exponent = 0;
  if (!v.isZero()) {
    const digits = (v.unscaled < 0n ? -v.unscaled : v.unscaled).toString();
    exponent = digits.length - 1 - v.scale;
  }
  // v / 10^exponent, exactly, then rounded
  const shifted = exponent >= 0 ? new Numeric(v.unscaled, v.scale + exponent) : new Numeric(v.unscaled * 10n ** BigInt(-exponent), v.scale);
  return `${shifted.round(scale).toString()}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

const prepareNum = (fmt: string) => numDescPrepare(parseFormat(fmt, false));

/** numeric_to_char */
export function numericToChar(value: Numeric, fmt: string): string {
  if (fmt === '') return '';
  const { nodes, num } = prepareNum(fmt);
  let ns: NumStr;
  if (num.flag & F_ROMAN) {
    const r = value.round(0);
    if (r.unscaled > 2147483647n || r.unscaled < -2147483648n) throw new PgError('22003', 'integer out of range');
    ns = { numstr: intToRoman(Number(r.unscaled)), sign: '+', outPreSpaces: 0 };
  } else if (num.flag & F_EEEE) {
    const o = numericOutSci(value, num.post);
    ns = { numstr: o[0] === '-' ? o : ' ' + o, sign: '+', outPreSpaces: 0 };
  } else {
    let val = value;
    if (num.flag & F_MULTI) { val = value.mul(new Numeric(10n ** BigInt(num.multi), 0)); num.pre += num.multi; }
    const o = val.round(num.post).toString();
    ns = fitted(o[0] === '-' ? o.slice(1) : o, o[0] === '-' ? '-' : '+', num);
  }
  return numProcessor(nodes, num, ns);
}

/** int4_to_char and int8_to_char */
export function intToChar(value: number | bigint, fmt: string, bits: 32 | 64): string {
  if (fmt === '') return '';
  const { nodes, num } = prepareNum(fmt);
  let ns: NumStr;
  const big = BigInt(value);
  if (num.flag & F_ROMAN) {
    if (big > 2147483647n || big < -2147483648n) throw new PgError('22003', 'integer out of range'); // int84
    ns = { numstr: intToRoman(Number(big)), sign: '+', outPreSpaces: 0 };
  } else if (num.flag & F_EEEE) {
    if (bits === 32) { const o = printfE(Number(value), num.post); ns = { numstr: o[0] === '+' ? ' ' + o.slice(1) : o, sign: '+', outPreSpaces: 0 }; } else {
      const o = numericOutSci(new Numeric(big, 0), num.post);
      ns = { numstr: o[0] === '-' ? o : ' ' + o, sign: '+', outPreSpaces: 0 };
    }
  } else {
    let v = big;
    if (num.flag & F_MULTI) {
      if (bits === 32) {
        // int4_to_char multiplies in int32, which wraps (PostgreSQL builds with -fwrapv), by (int32) pow(10, n): past
        // 10^9 that conversion gives INT_MIN on x86-64 (cvttsd2si), the platform PostgreSQL was recorded on
        const factor = num.multi > 9 ? -(2n ** 31n) : 10n ** BigInt(num.multi);
        v = BigInt.asIntN(32, big * factor);
      } else {
        v = big * 10n ** BigInt(num.multi);
        if (v >= 2n ** 63n || v < -(2n ** 63n)) throw new PgError('22003', 'bigint out of range');
      }
      num.pre += num.multi;
    }
    const neg = v < 0n;
    let digits = (neg ? -v : v).toString();
    const preLen = digits.length;
    if (num.post) digits += '.' + '0'.repeat(num.post);
    ns = preLen > num.pre ? { numstr: overflowStr(num), sign: neg ? '-' : '+', outPreSpaces: 0 } : { numstr: digits, sign: neg ? '-' : '+', outPreSpaces: num.pre - preLen };
  }
  return numProcessor(nodes, num, ns);
}

/** float4_to_char and float8_to_char: printf's rounding of the binary value, at most FLT_DIG / DBL_DIG digits */
export function floatToChar(value: number, fmt: string, single: boolean): string {
  if (fmt === '') return '';
  const { nodes, num } = prepareNum(fmt);
  let ns: NumStr;
  if (num.flag & F_ROMAN) {
    // (int) rint(value): outside int4 (NaN, infinity) x86-64's conversion gives INT_MIN, which prints as #s
    const r = Number.isFinite(value) ? rint(value) : NaN;
    ns = { numstr: intToRoman(r >= -2147483648 && r <= 2147483647 ? r : -2147483648), sign: '+', outPreSpaces: 0 };
  } else if (num.flag & F_EEEE) {
    if (!Number.isFinite(value)) {
      const s = ' ' + '#'.repeat(num.pre) + '.' + '#'.repeat(num.post + 4);
      ns = { numstr: s, sign: '+', outPreSpaces: 0 };
    } else { const o = printfE(value, num.post); ns = { numstr: o[0] === '+' ? ' ' + o.slice(1) : o, sign: '+', outPreSpaces: 0 }; }
  } else {
    let val = value;
    // float4_to_char multiplies in single precision
    if (num.flag & F_MULTI) { val = single ? Math.fround(value * Math.fround(10 ** num.multi)) : value * 10 ** num.multi; num.pre += num.multi; }
    const dig = single ? 6 : 15;
    const intLen = printfF(Math.abs(val), 0).length;
    if (intLen >= dig) num.post = 0; else if (intLen + num.post > dig) num.post = dig - intLen;
    const o = printfF(val, num.post);
    ns = fitted(o[0] === '-' ? o.slice(1) : o, o[0] === '-' ? '-' : '+', num);
  }
  return numProcessor(nodes, num, ns);
}
