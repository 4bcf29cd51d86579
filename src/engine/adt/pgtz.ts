/**
 * Time zones: what the TimeZone setting names, and how an instant becomes a local time and back.
 *
 * A timestamptz is an instant (microseconds since 2000-01-01 00:00 UTC); the session's TimeZone only decides how
 * it is printed and how a local time without an offset is read. A zone is a list of *local time types* (UTC offset,
 * DST or not, abbreviation) and the instants at which the zone switched from one to another — the tz database's
 * compiled files (TZif), ending with a POSIX rule string for the years after the last listed switch:
 *
 *     America/New_York  ... 2007-03-11 07:00 UTC → EDT (-04, dst) ... 2007-11-04 06:00 UTC → EST (-05) ...
 *                        rule after 2037: EST5EDT,M3.2.0,M11.1.0  (2nd Sunday of March, 1st Sunday of November)
 *
 * Instant → local (localtime): find the last switch at or before the instant; its type gives the offset.
 * Local → instant (DetermineTimeZoneOffset): a local time can be missing (the spring-forward gap: 2024-03-10 02:30
 * does not happen in New York) or happen twice (the fall-back hour: 2024-11-03 01:30 is EDT, then EST). PostgreSQL
 * reads a missing time with the offset from before the switch (02:30 EST = 03:30 EDT) and a doubled one with the
 * offset from after it (01:30 EST); so does this module.
 *
 * A name that is no file is read as a POSIX TZ string: 'UTC+3' is three hours *west* of UTC (POSIX counts west
 * positive), 'EST5EDT' uses the US rule. `SET TIME ZONE -7` / `INTERVAL '+05:30' HOUR TO MINUTE` make a fixed
 * offset, shown as the POSIX string '<-07>+07' / '<+05:30>-05:30' (pg_tzset_offset).
 *
 * Mirrors: src/timezone/localtime.c (tzparse, localsub, pg_next_dst_boundary), src/timezone/pgtz.c (pg_tzset,
 * pg_tzset_offset), src/backend/utils/adt/datetime.c (DetermineTimeZoneOffset, the timezone abbreviations).
 * The zone data is the tz database of the machine that generated tzdata.ts (scripts/gen-tzdata.ts, from
 * /usr/share/zoneinfo, the files Debian's PostgreSQL 15 reads too). Simplifications: leap-second zones (right/…)
 * are not carried; a POSIX string's rule is applied from 1900 to 2300 (tzcode applies it over a 400-year cycle).
 */
import { ZONE_DATA, ZONE_NAMES, TZ_ABBREVS, TZDATA_VERSION } from './tzdata.js';
import { parsePosixTz, ruleSwitches, yearOfUnix, type PosixTz } from './posixtz.js';

export { TZDATA_VERSION };

/** A local time type (tzcode's ttinfo): seconds east of UTC, DST or not, the abbreviation. */
import type { TzType } from './posixtz.js';
export type { TzType };

/** A loaded zone: its types and the instants (Unix seconds) at which it switches to them. */
export interface PgTz {
  /** the canonical name SHOW TimeZone prints */
  readonly name: string;
  readonly types: readonly TzType[];
  /** switch instants, Unix seconds, ascending */
  readonly ats: readonly number[];
  /** ats[i] switches to types[idx[i]] */
  readonly idx: readonly number[];
  /** the type before the first switch */
  readonly first: TzType;
}

/** Seconds between 1970-01-01 (Unix) and 2000-01-01 (PostgreSQL's epoch). */
export const UNIX_TO_PG_SECS = 946_684_800;
const SECS_PER_DAY = 86_400;

/** A zone made of a POSIX string alone: its rule's switches from 1900 to 2300. */
function zoneFromPosix(name: string, p: PosixTz): PgTz {
  const types = p.dst ? [p.std, p.dst] : [p.std];
  const ats: number[] = [], idx: number[] = [];
  if (p.dst) {
    for (let y = 1900; y <= 2300; y++) for (const sw of ruleSwitches(p, y)) { ats.push(sw.at); idx.push(sw.dst ? 1 : 0); }
  }
  return { name, types, ats, idx, first: p.std };
}

// ---- the carried tz database ----

const B32 = '0123456789abcdefghijklmnopqrstuv';
/** Decode one zone of tzdata.ts: "utoff/dst/abbr;…|firstType|<base-32 delta><type letter>…|footer". */
function decodeZone(name: string, enc: string): PgTz {
  const [typesText, firstText, transText, footer] = enc.split('|') as [string, string, string, string];
  const types = typesText.split(';').map((t) => {
    const [o, d, a] = t.split('/');
    return { utoff: +o!, isdst: d === '1', abbr: a! };
  });
  const ats: number[] = [], idx: number[] = [];
  let at = 0, num = '', neg = false, first = true;
  for (const ch of transText) {
    if (ch === '-') { neg = true; continue; }
    if (ch >= 'A' && ch <= 'Z') {
      let v = 0;
      for (const c of num) v = v * 32 + B32.indexOf(c);
      if (neg) v = -v;
      at = first ? v : at + v;
      first = false; neg = false; num = '';
      ats.push(at); idx.push(ch.charCodeAt(0) - 65);
      continue;
    }
    num += ch;
  }
  // the years after the last listed switch follow the footer rule
  const p = footer ? parsePosixTz(footer) : null;
  if (p && p.dst) {
    const types2 = types as TzType[];
    const typeOf = (t: TzType) => {
      let k = types2.findIndex((x) => x.utoff === t.utoff && x.isdst === t.isdst && x.abbr === t.abbr);
      if (k < 0) { types2.push(t); k = types2.length - 1; }
      return k;
    };
    const last = ats.length ? ats[ats.length - 1]! : -Infinity;
    const fromYear = ats.length ? yearOfUnix(last) : 1900;
    for (let y = fromYear; y <= 2300; y++) {
      for (const sw of ruleSwitches(p, y)) {
        if (sw.at <= last) continue;
        ats.push(sw.at); idx.push(typeOf(sw.dst ? p.dst : p.std));
      }
    }
  }
  return { name, types, ats, idx, first: types[+firstText]! };
}

const lowerNames = new Map<string, string>();
for (const n of Object.keys(ZONE_NAMES)) lowerNames.set(n.toLowerCase(), n);
const loaded = new Map<string, PgTz>();

/**
 * pg_tzset: the zone a TimeZone value names — a tz database name (any case; the canonical spelling is kept), else a
 * POSIX TZ string — or null when it is neither (PostgreSQL: invalid value for parameter "TimeZone").
 */
export function pgTzset(value: string): PgTz | null {
  const key = value.toLowerCase().replace(/^posix\//, '');
  const canon = lowerNames.get(key);
  if (canon !== undefined) {
    let z = loaded.get(canon);
    if (!z) { z = decodeZone(canon, ZONE_DATA[ZONE_NAMES[canon]!]!); loaded.set(canon, z); }
    return value.toLowerCase().startsWith('posix/') ? { ...z, name: 'posix/' + canon } : z;
  }
  if (value.startsWith(':')) return null;
  const p = parsePosixTz(value);
  if (!p) return null;
  const name = value.toUpperCase();
  let z = loaded.get('\0' + name);
  if (!z) { z = zoneFromPosix(name, p); loaded.set('\0' + name, z); }
  return z;
}

/** The POSIX spelling of a fixed offset (seconds west of UTC, POSIX's sign): 25200 → '<-07>+07'. */
export function offsetZoneName(westSecs: number): string {
  const hms = (v: number) => {
    const a = Math.abs(v), h = Math.floor(a / 3600), m = Math.floor((a % 3600) / 60), s = a % 60;
    return String(h).padStart(2, '0') + (m || s ? ':' + String(m).padStart(2, '0') : '') + (s ? ':' + String(s).padStart(2, '0') : '');
  };
  const east = -westSecs;
  return `<${east < 0 ? '-' : '+'}${hms(east)}>${westSecs < 0 ? '-' : '+'}${hms(westSecs)}`;
}

/** pg_tzset_offset: a zone of one fixed offset (seconds west); null past the 167 hours a POSIX offset can say. */
export function pgTzsetOffset(westSecs: number): PgTz | null {
  if (Math.abs(westSecs) > 167 * 3600 + 59 * 60 + 59) return null;
  return pgTzset(offsetZoneName(westSecs));
}

/** The UTC zone (the default, Etc/UTC). */
export const UTC_ZONE: PgTz = pgTzset('Etc/UTC')!;

/** Index of the last switch at or before t, or -1. */
function switchAt(z: PgTz, t: number): number {
  let lo = 0, hi = z.ats.length - 1, r = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (z.ats[mid]! <= t) { r = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return r;
}

/** localtime: the local time type in force at Unix second t. */
export function typeAt(z: PgTz, t: number): TzType {
  const k = switchAt(z, t);
  return k < 0 ? z.first : z.types[z.idx[k]!]!;
}

/**
 * DetermineTimeZoneOffset: the UTC offset (seconds east) of a local time (Unix seconds as if it were UTC). Read
 * with pg_next_dst_boundary's rule: in a gap the offset before the switch, in a doubled hour the one after.
 */
export function localOffset(z: PgTz, local: number): { utoff: number; type: TzType } {
  const prev = local - SECS_PER_DAY;
  const k = switchAt(z, prev);
  const before = k < 0 ? z.first : z.types[z.idx[k]!]!;
  if (k + 1 >= z.ats.length) return { utoff: before.utoff, type: before };
  const boundary = z.ats[k + 1]!;
  const after = z.types[z.idx[k + 1]!]!;
  const beforeTime = local - before.utoff, afterTime = local - after.utoff;
  if (beforeTime < boundary && afterTime < boundary) return { utoff: before.utoff, type: before };
  if (beforeTime >= boundary && afterTime >= boundary) {
    // more than one switch within the day (rare): the one in force at the candidate instant
    const t = typeAt(z, afterTime);
    return { utoff: t.utoff, type: t };
  }
  return beforeTime > afterTime ? { utoff: before.utoff, type: before } : { utoff: after.utoff, type: after };
}

/** A timezone abbreviation of the Default set (timezonesets/Default): a fixed offset, or a zone whose offset it reads. */
export type TzAbbrev = { utoff: number; isdst: boolean } | { zone: string };
export function tzAbbrev(word: string): TzAbbrev | undefined {
  const a = TZ_ABBREVS[word.toUpperCase()];
  if (a === undefined) return undefined;
  if (typeof a === 'string') return { zone: a };
  return { utoff: a[0], isdst: a[1] === 1 };
}

// ---- microseconds since 2000 (the engine's timestamps) ----
const US = 1_000_000;
/** The local time type in force at an instant (engine microseconds). */
export const typeAtUs = (z: PgTz, us: number): TzType => typeAt(z, Math.floor(us / US) + UNIX_TO_PG_SECS);
/** A local time (engine microseconds, as if UTC) read in zone z: the instant. */
export function localToInstant(z: PgTz, localUs: number): number {
  const { utoff } = localOffset(z, Math.floor(localUs / US) + UNIX_TO_PG_SECS);
  return localUs - utoff * US;
}
/** An instant shown in zone z: the local time (engine microseconds, as if UTC). */
export const instantToLocal = (z: PgTz, us: number): number => us + typeAtUs(z, us).utoff * US;
