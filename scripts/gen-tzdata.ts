/**
 * npm run gen:tzdata: write src/engine/adt/tzdata.ts — the tz database the engine carries — from this machine's
 * compiled zone files (/usr/share/zoneinfo, Debian's tzdata: the same files Debian's PostgreSQL 15 reads) and
 * PostgreSQL's default timezone abbreviations (/usr/share/postgresql/15/timezonesets/Default).
 *
 * Each zone file (TZif, version 2+) lists local time types and the instants of switching between them, then a POSIX
 * rule for later years. Identical files (links such as US/Eastern → America/New_York) are stored once; switches that
 * the POSIX rule itself reproduces (every US switch since 2007, say) are dropped, since the engine regenerates them.
 * Encoding of one zone: "utoff/isdst/abbr;…|first type|<base-32 delta seconds><type letter A-Z>…|POSIX rule".
 */
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createHash } from 'node:crypto';
import { parsePosixTz, ruleSwitches, yearOfUnix, type TzType } from '../src/engine/adt/posixtz.js';

const ROOT = process.env.ZONEINFO ?? '/usr/share/zoneinfo';
const ABBREVS = process.env.TZ_ABBREVS ?? '/usr/share/postgresql/15/timezonesets/Default';
const OUT = 'src/engine/adt/tzdata.ts';

function walk(dir: string, out: string[] = []): string[] {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    const rel = relative(ROOT, p);
    if (rel === 'posix' || rel === 'right' || rel === 'posixrules') continue;
    if (statSync(p).isDirectory()) walk(p, out);
    else if (readFileSync(p).subarray(0, 4).toString('latin1') === 'TZif') out.push(rel);
  }
  return out;
}

interface Zone { types: TzType[]; first: number; ats: number[]; idx: number[]; footer: string }
function readTzif(file: string): Zone {
  const b = readFileSync(file);
  const counts = (o: number) => [0, 1, 2, 3, 4, 5].map((k) => b.readInt32BE(o + 20 + 4 * k)) as [number, number, number, number, number, number];
  let [isut, isstd, leap, timecnt, typecnt, charcnt] = counts(0);
  if (b[4] === 0) throw new Error(`${file}: TZif version 1 has no 64-bit data`);
  let o = 44 + timecnt * 5 + typecnt * 6 + charcnt + leap * 8 + isstd + isut;
  [isut, isstd, leap, timecnt, typecnt, charcnt] = counts(o);
  o += 44;
  const ats: number[] = [];
  for (let i = 0; i < timecnt; i++) ats.push(Number(b.readBigInt64BE(o + 8 * i)));
  o += 8 * timecnt;
  const idx = [...b.subarray(o, o + timecnt)];
  o += timecnt;
  const raw = [...Array(typecnt).keys()].map((i) => ({ utoff: b.readInt32BE(o + 6 * i), isdst: b[o + 6 * i + 4] === 1, ai: b[o + 6 * i + 5]! }));
  o += 6 * typecnt;
  const chars = b.subarray(o, o + charcnt).toString('latin1');
  o += charcnt + leap * 12 + isstd + isut;
  const types = raw.map((t) => ({ utoff: t.utoff, isdst: t.isdst, abbr: chars.slice(t.ai, chars.indexOf('\0', t.ai)) }));
  const footer = b.subarray(o).toString('latin1').split('\n')[1] ?? '';
  if (leap) throw new Error(`${file}: leap seconds`);
  // tzcode's default type: type 0 unless transitions use it and the first transition goes to DST
  let first = 0;
  if (idx.includes(0) && ats.length && types[idx[0]!]!.isdst) {
    first = types.findIndex((t) => !t.isdst);
    if (first < 0) first = 0;
  }
  // drop the "big bang" switch some files start with (before any real time)
  while (ats.length && ats[0]! < -(2 ** 40)) { first = idx[0]!; ats.shift(); idx.shift(); }
  return { types, first, ats, idx, footer };
}

const same = (a: TzType, b: TzType) => a.utoff === b.utoff && a.isdst === b.isdst && a.abbr === b.abbr;
/** How many leading switches must be kept: the rest the footer rule reproduces exactly. */
function keep(z: Zone): number {
  const p = parsePosixTz(z.footer);
  const n = z.ats.length;
  if (!p || !p.dst) return n;
  const reproduces = (k: number) => {
    if (k === 0) return false;
    const last = z.ats[k - 1]!, end = z.ats[n - 1]!;
    const gen: { at: number; t: TzType }[] = [];
    for (let y = yearOfUnix(last); y <= yearOfUnix(end) + 1; y++) {
      for (const sw of ruleSwitches(p, y)) if (sw.at > last && sw.at <= end) gen.push({ at: sw.at, t: sw.dst ? p.dst! : p.std });
    }
    if (gen.length !== n - k) return false;
    return gen.every((g, j) => g.at === z.ats[k + j] && same(g.t, z.types[z.idx[k + j]!]!));
  };
  let best = n;
  for (let k = n - 1; k >= 1; k--) { if (reproduces(k)) best = k; else break; }
  return best;
}

const B32 = '0123456789abcdefghijklmnopqrstuv';
const b32 = (v: number) => { let s = ''; do { s = B32[v % 32] + s; v = Math.floor(v / 32); } while (v > 0); return s; };
function encode(z: Zone): string {
  const k = keep(z);
  const types = z.types.map((t) => `${t.utoff}/${t.isdst ? 1 : 0}/${t.abbr}`).join(';');
  let trans = '', prev = 0;
  for (let i = 0; i < k; i++) {
    const d = i === 0 ? z.ats[0]! : z.ats[i]! - prev;
    if (i > 0 && d <= 0) throw new Error('switches out of order');
    trans += (d < 0 ? '-' : '') + b32(Math.abs(d)) + String.fromCharCode(65 + z.idx[i]!);
    prev = z.ats[i]!;
  }
  if (z.types.length > 26) throw new Error('too many types');
  return `${types}|${z.first}|${trans}|${z.footer}`;
}

const names = walk(ROOT).sort();
const byHash = new Map<string, number>();
const data: string[] = [];
const index: Record<string, number> = {};
for (const n of names) {
  const h = createHash('sha1').update(readFileSync(join(ROOT, n))).digest('hex');
  let i = byHash.get(h);
  if (i === undefined) { i = data.length; data.push(encode(readTzif(join(ROOT, n)))); byHash.set(h, i); }
  index[n] = i;
}
// timezonesets/Default: "ABBR offset [D]" (a fixed offset, D = daylight) or "ABBR Zone/Name" (read from that zone)
const abbrevs: Record<string, [number, number] | string> = {};
for (const line of readFileSync(ABBREVS, 'utf8').split('\n')) {
  const l = line.replace(/#.*/, '').trim();
  if (!l || l.startsWith('@')) continue;
  const [a, v, d] = l.split(/\s+/) as [string, string, string | undefined];
  abbrevs[a.toUpperCase()] = /^[+-]?\d+$/.test(v) ? [+v, d === 'D' ? 1 : 0] : v;
}
const version = /# version (\S+)/.exec(readFileSync(join(ROOT, 'tzdata.zi'), 'utf8'))?.[1] ?? 'unknown';
const out = `/**
 * GENERATED by scripts/gen-tzdata.ts from ${ROOT} (tz database ${version}) and PostgreSQL 15's
 * timezonesets/Default — do not edit. Read by pgtz.ts, which explains the encoding.
 */
/* eslint-disable */
export const TZDATA_VERSION = ${JSON.stringify(version)};
/** zone name → index into ZONE_DATA (links share an entry) */
export const ZONE_NAMES: Record<string, number> = ${JSON.stringify(index)};
export const ZONE_DATA: readonly string[] = ${JSON.stringify(data, null, 0).replace(/","/g, '",\n"')};
/** timezone abbreviation → [seconds east, 1 if daylight] or the zone it is read from */
export const TZ_ABBREVS: Record<string, readonly [number, number] | string> = ${JSON.stringify(abbrevs)};
`;
writeFileSync(OUT, out);
console.log(`wrote ${OUT}: ${names.length} names, ${data.length} zones, ${Object.keys(abbrevs).length} abbreviations, ${(out.length / 1024).toFixed(0)} KiB`);
