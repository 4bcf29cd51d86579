/**
 * What the planner reads from ANALYZE's statistics about a join key (PostgreSQL's utils/adt/selfuncs.c):
 *
 *   - get_variable_numdistinct: the distinct values of a column — stadistinct as stored (a negative one is a
 *     fraction of the table's tuples now), a unique single-column index forcing "unique" (-1 x (1 - nullfrac));
 *     without statistics the table's tuples when under 200, else 200 (DEFAULT_NUM_DISTINCT, "isdefault").
 *   - eqjoinsel (inner): the fraction of the outer x inner pairs an equality keeps. With an MCV list on both
 *     sides the lists are matched value by value: the matched pairs' frequencies exactly, the rest spread over
 *     the other side's remaining distinct values, the smaller of the two sides' views; otherwise
 *     (1 - nullfrac1)(1 - nullfrac2) / max(nd1, nd2).
 *   - estimate_hash_bucket_stats: the share of the inner rows a probe's bucket holds — 1 / ndistinct (1 /
 *     nbuckets when there are more distinct values than buckets), scaled up by most-common-frequency / average
 *     frequency when the distribution is skewed; without statistics a tenth (or the top MCV's frequency if higher).
 *
 *     m.a = 2,1,2,3,1,2 (MCVs 2: 0.5, 1: 0.333; 3 distinct), n.a = 2,1,2 (MCV 2: 0.667; 2 distinct):
 *     n JOIN m ON n.a = m.a: selectivity min(0.5, 0.4167) = 0.4167 -> 18 x 0.4167 = 7.5 -> "rows=8"
 *     bucket of n.a: 1/2 x 0.667 / 0.5 = 0.667 (2 of n's 3 rows); of m.a: 1/3 x 0.5 / 0.333 = 0.5
 *
 *   - var_eq_const (`col = constant`): a constant in the MCV list has its frequency; any other value shares the
 *     rows the MCVs and NULLs leave evenly with the other distinct values (at most the least common MCV's frequency);
 *     a unique index: 1 / tuples; no statistics: 1 / get_variable_numdistinct.
 *   - scalarineqsel (`col < constant` ...): the MCVs satisfying it plus the histogram's share of the rest, the
 *     histogram's first / last bound replaced by the column's true minimum / maximum when an index on it can tell
 *     (get_actual_variable_range). A text constant is placed within its histogram bin by convert_string_to_scalar
 *     (the C collation the clusters use: byte order).
 *
 * Simplifications: only plain columns of plain tables; equality of MCV values as JavaScript compares them (one
 * type family); no extended statistics, no security check.
 */
import { plannerIndexes } from '../catalog/catalogsnapshot.js';
import type { Table } from '../catalog/catalog.js';
import type { Value } from '../sql/types.js';
import { clampRowEst } from './plancat.js';
import { utf8Bytes } from '../sql/utf8.js';

const DEFAULT_NUM_DISTINCT = 200;

/** One side of an equality between columns: its table, the column, and the rel's tuples and (restricted) rows. */
export interface KeyVar { table: Table; col: number; tuples: number; rows: number }

const statsOf = (t: Table, col: number) => t.stats?.columns?.[col] ?? null;

/** has_unique_index: a unique index on the column alone (examine_variable's isunique). */
export const hasUniqueIndex = (t: Table, col: number) => plannerIndexes(t).some((i) => i.unique && !i.def && i.columns.length === 1 && i.columns[0] === col);

/** get_variable_numdistinct. */
export function variableNumDistinct(v: KeyVar): { nd: number; isDefault: boolean } {
  const st = statsOf(v.table, v.col);
  let stadistinct: number, stanullfrac: number;
  if (st) { stadistinct = st.stadistinct; stanullfrac = st.nullfrac; } else if (v.table.columns[v.col]!.type.name === 'bool') { stadistinct = 2; stanullfrac = 0; } else {
    stadistinct = 0; stanullfrac = 0;
  }
  if (hasUniqueIndex(v.table, v.col)) stadistinct = -1.0 * (1.0 - stanullfrac);
  if (stadistinct > 0) return { nd: clampRowEst(stadistinct), isDefault: false };
  const ntuples = v.tuples;
  if (ntuples <= 0) return { nd: DEFAULT_NUM_DISTINCT, isDefault: true };
  if (stadistinct < 0) return { nd: clampRowEst(-stadistinct * ntuples), isDefault: false };
  if (ntuples < DEFAULT_NUM_DISTINCT) return { nd: clampRowEst(ntuples), isDefault: false };
  return { nd: DEFAULT_NUM_DISTINCT, isDefault: true };
}

const sameValue = (a: Value, b: Value) => a === b || (typeof a !== typeof b && a !== null && b !== null && Number(a) === Number(b));
const clampProb = (p: number) => (p < 0 ? 0 : p > 1 ? 1 : p);

/** eqjoinsel for an inner (or left / full) join: eqjoinsel_inner. */
export function eqjoinsel(a: KeyVar, b: KeyVar): number {
  const nd1 = variableNumDistinct(a).nd, nd2 = variableNumDistinct(b).nd;
  const s1 = statsOf(a.table, a.col), s2 = statsOf(b.table, b.col);
  let selec: number;
  if (s1?.mcv && s2?.mcv) {
    const m1 = s1.mcv, m2 = s2.mcv;
    const has1 = m1.values.map(() => false), has2 = m2.values.map(() => false);
    let matchprodfreq = 0, nmatches = 0;
    for (let i = 0; i < m1.values.length; i++) {
      for (let j = 0; j < m2.values.length; j++) {
        if (has2[j]) continue;
        if (sameValue(m1.values[i]!, m2.values[j]!)) {
          has1[i] = has2[j] = true;
          matchprodfreq += m1.freqs[i]! * m2.freqs[j]!;
          nmatches++;
          break;
        }
      }
    }
    matchprodfreq = clampProb(matchprodfreq);
    const split = (m: typeof m1, has: boolean[]) => {
      let matched = 0, unmatched = 0;
      m.freqs.forEach((f, i) => { if (has[i]) matched += f; else unmatched += f; });
      return [clampProb(matched), clampProb(unmatched)] as const;
    };
    const [matchfreq1, unmatchfreq1] = split(m1, has1), [matchfreq2, unmatchfreq2] = split(m2, has2);
    const otherfreq1 = clampProb(1.0 - s1.nullfrac - matchfreq1 - unmatchfreq1);
    const otherfreq2 = clampProb(1.0 - s2.nullfrac - matchfreq2 - unmatchfreq2);
    let totalsel1 = matchprodfreq;
    if (nd2 > m2.values.length) totalsel1 += (unmatchfreq1 * otherfreq2) / (nd2 - m2.values.length);
    if (nd2 > nmatches) totalsel1 += (otherfreq1 * (otherfreq2 + unmatchfreq2)) / (nd2 - nmatches);
    let totalsel2 = matchprodfreq;
    if (nd1 > m1.values.length) totalsel2 += (unmatchfreq2 * otherfreq1) / (nd1 - m1.values.length);
    if (nd1 > nmatches) totalsel2 += (otherfreq2 * (otherfreq1 + unmatchfreq1)) / (nd1 - nmatches);
    selec = totalsel1 < totalsel2 ? totalsel1 : totalsel2;
  } else {
    selec = (1.0 - (s1?.nullfrac ?? 0)) * (1.0 - (s2?.nullfrac ?? 0));
    selec /= nd1 > nd2 ? nd1 : nd2;
  }
  return clampProb(selec);
}

/**
 * eqjoinsel_semi, for a semi or anti join (`EXISTS`, `IN (SELECT ...)`, `NOT EXISTS`): the fraction of the outer
 * rel's rows `a` that find a partner in the inner rel `b`, whose restricted rows `b.rows` cap its distinct values
 * (the only way the inner rel's conditions reach the estimate: the join's rows are the outer rows times this).
 * With MCV lists on both sides the matched MCVs are certain and the rest "uncertain": all of it has a partner when
 * nd1 <= nd2, else nd2 / nd1 of it — half when either count is a default. Without: the same ratio over the
 * non-NULL rows. Clamped to the inner join's selectivity times the inner rows.
 */
export function eqjoinselSemi(a: KeyVar, b: KeyVar): number {
  const v1 = variableNumDistinct(a), isdefault1 = v1.isDefault;
  let nd1 = v1.nd;
  let { nd: nd2, isDefault: isdefault2 } = variableNumDistinct(b);
  if (nd2 >= b.rows) { nd2 = b.rows; isdefault2 = false; }
  const s1 = statsOf(a.table, a.col), s2 = statsOf(b.table, b.col);
  const nullfrac1 = s1?.nullfrac ?? 0;
  let selec: number;
  if (s1?.mcv && s2?.mcv) {
    const m1 = s1.mcv, m2 = s2.mcv;
    const n2 = Math.min(m2.values.length, nd2);
    const has2 = new Array<boolean>(m2.values.length).fill(false);
    let matchfreq1 = 0, nmatches = 0;
    for (let i = 0; i < m1.values.length; i++) {
      for (let j = 0; j < n2; j++) {
        if (has2[j] || !sameValue(m1.values[i]!, m2.values[j]!)) continue;
        has2[j] = true;
        matchfreq1 += m1.freqs[i]!;
        nmatches++;
        break;
      }
    }
    matchfreq1 = clampProb(matchfreq1);
    let uncertainfrac: number;
    if (!isdefault1 && !isdefault2) {
      nd1 -= nmatches; nd2 -= nmatches;
      uncertainfrac = nd1 <= nd2 || nd2 < 0 ? 1.0 : nd2 / nd1;
    } else uncertainfrac = 0.5;
    selec = matchfreq1 + uncertainfrac * clampProb(1.0 - matchfreq1 - nullfrac1);
  } else if (!isdefault1 && !isdefault2) selec = nd1 <= nd2 || nd2 < 0 ? 1.0 - nullfrac1 : (nd2 / nd1) * (1.0 - nullfrac1);
  else selec = 0.5 * (1.0 - nullfrac1);
  // never more rows than the inner join of the same rels would give (eqjoinsel: Ssemi <= N2 x Sinner)
  return Math.min(selec, b.rows * eqjoinsel(a, b));
}

/**
 * var_eq_non_const for `col = x` where x is not a constant (a Param: the outer query's column in a correlated
 * subquery): 1 / distinct values of the non-NULL rows, never above the most common value's frequency; a unique
 * column 1 / tuples. negate: `col <> x`.
 */
export function varEqNonConst(v: KeyVar, negate: boolean): number {
  const st = statsOf(v.table, v.col);
  const nullfrac = st?.nullfrac ?? 0;
  let selec: number;
  if (hasUniqueIndex(v.table, v.col) && v.tuples >= 1.0) selec = 1.0 / v.tuples;
  else if (st) {
    selec = 1.0 - nullfrac;
    const nd = variableNumDistinct(v).nd;
    if (nd > 1) selec /= nd;
    if (st.mcv?.freqs.length && selec > st.mcv.freqs[0]!) selec = st.mcv.freqs[0]!;
  } else selec = 1.0 / variableNumDistinct(v).nd;
  if (negate) selec = 1.0 - selec - nullfrac;
  return clampProb(selec);
}

/** var_eq_const for `col = c` (negate: `col <> c`); c is not NULL. */
export function varEqConst(v: KeyVar, c: Value, negate: boolean): number {
  const st = statsOf(v.table, v.col);
  const nullfrac = st?.nullfrac ?? 0;
  let selec: number;
  if (hasUniqueIndex(v.table, v.col) && v.tuples >= 1.0) selec = 1.0 / v.tuples;
  else if (st) {
    const m = st.mcv;
    const i = m ? m.values.findIndex((x) => sameValue(x, c)) : -1;
    if (m && i >= 0) selec = m.freqs[i]!;
    else {
      const n = m ? m.freqs.length : 0;
      let sumcommon = 0;
      for (let k = 0; k < n; k++) sumcommon += m!.freqs[k]!;
      selec = clampProb(1.0 - sumcommon - nullfrac);
      const otherdistinct = variableNumDistinct(v).nd - n;
      if (otherdistinct > 1) selec /= otherdistinct;
      if (n > 0 && selec > m!.freqs[n - 1]!) selec = m!.freqs[n - 1]!;
    }
  } else selec = 1.0 / variableNumDistinct(v).nd;
  if (negate) selec = 1.0 - selec - nullfrac;
  return clampProb(selec);
}

/**
 * get_actual_variable_range: the column's smallest and largest value as a B-tree on it (its first column, plain,
 * not partial) holds them now; null when no such index. The index's entries stand for the heap tuples not yet
 * vacuumable (PostgreSQL skips the dead-to-all ones; entries of those are not told apart here).
 */
function actualVariableRange(v: KeyVar): { min: Scalar; max: Scalar } | null {
  const index = plannerIndexes(v.table).find((i) => !i.def && i.columns.length === 1 && i.columns[0] === v.col);
  if (!index || index.entries.size === 0) return null;
  const text = TEXT_TYPES.has(v.table.columns[v.col]!.type.name);
  let min: Scalar | null = null, max: Scalar | null = null;
  for (const [k0] of index.entries) {
    // a text key is stored as 's' + the text (index/btree.ts keyOf)
    const k: Scalar | null = typeof k0 === 'number' ? (text ? null : k0) : text && k0.startsWith('s') ? k0.slice(1) : null;
    if (k === null) return null;
    if (min === null || k < min) min = k;
    if (max === null || k > max) max = k;
  }
  return min === null || max === null ? null : { min, max };
}

/** estimate_hash_bucket_stats: the top MCV's frequency and the bucket size fraction of a hashed key. */
export function estimateHashBucketStats(v: KeyVar, nbuckets: number): { mcvFreq: number; bucketFrac: number } {
  const st = statsOf(v.table, v.col);
  const mcvFreq = st?.mcv?.freqs[0] ?? 0;
  const { nd, isDefault } = variableNumDistinct(v);
  if (isDefault) return { mcvFreq, bucketFrac: Math.max(0.1, mcvFreq) };
  const stanullfrac = st?.nullfrac ?? 0;
  const avgfreq = (1.0 - stanullfrac) / nd;
  let ndistinct = nd;
  if (v.tuples > 0) ndistinct = clampRowEst(ndistinct * (v.rows / v.tuples));
  let estfract = ndistinct > nbuckets ? 1.0 / nbuckets : 1.0 / ndistinct;
  if (avgfreq > 0 && mcvFreq > avgfreq) estfract *= mcvFreq / avgfreq;
  if (estfract < 1.0e-6) estfract = 1.0e-6;
  else if (estfract > 1.0) estfract = 1.0;
  return { mcvFreq, bucketFrac: estfract };
}

const DEFAULT_INEQ_SEL = 1 / 3.0;

/**
 * A value convert_to_scalar can place: a number as it is, a text (compared in the C collation the clusters use:
 * byte order) as itself — its scale is made per histogram bin (convertStringToScalar); null: not modelled.
 */
type Scalar = number | string;
const TEXT_TYPES = new Set(['text', 'varchar']);
/** a number on the scale (get_variable_range's ends: numbers only here) */
const toNumber = (v: Value): number | null => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : null);
const toScalar = (v: Value): Scalar | null => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : typeof v === 'string' ? v : null);

/** The bytes of a text as C's strcmp / convert_string_to_scalar read them (UTF-8). */
const bytesOf = (s: string): number[] => [...utf8Bytes(s)];

/**
 * convert_string_to_scalar (selfuncs.c): a constant and its histogram bin's bounds on one numeric scale. The scale's
 * base spans the bytes the bounds use (widened to all of A-Z, a-z, 0-9 when any of them appears; under 10 values
 * wide, the printable ASCII range), the prefix all three share is dropped, and each string becomes the fraction
 * sum of (byte - lo) / base^k over its first 12 bytes.
 */
function convertStringToScalar(value: string, lobound: string, hibound: string): { val: number; low: number; high: number } {
  let v = bytesOf(value), lo = bytesOf(lobound), hi = bytesOf(hibound);
  let rangelo = hi[0] ?? 0, rangehi = rangelo;
  for (const b of [...lo, ...hi]) { if (rangelo > b) rangelo = b; if (rangehi < b) rangehi = b; }
  const widen = (a: number, z: number) => {
    if (rangelo <= z && rangehi >= a) { if (rangelo > a) rangelo = a; if (rangehi < z) rangehi = z; }
  };
  widen(65, 90); // 'A'..'Z'
  widen(97, 122); // 'a'..'z'
  widen(48, 57); // '0'..'9'
  if (rangehi - rangelo < 9) { rangelo = 32; rangehi = 127; }
  let k = 0;
  while (k < lo.length && lo[k] === (hi[k] ?? 0) && lo[k] === (v[k] ?? 0)) k++;
  v = v.slice(k); lo = lo.slice(k); hi = hi.slice(k);
  const one = (bs: number[]): number => {
    const base = rangehi - rangelo + 1;
    let num = 0, denom = base;
    for (const b0 of bs.slice(0, 12)) {
      const b = b0 < rangelo ? rangelo - 1 : b0 > rangehi ? rangehi + 1 : b0;
      num += (b - rangelo) / denom;
      denom *= base;
    }
    return num;
  };
  return { val: one(v), low: one(lo), high: one(hi) };
}

/**
 * ineq_histogram_selectivity for `var < c` / `var <= c` (isgt false) or > / >=: the share of the histogram's
 * population below the constant, interpolated within its bin; -1 without a histogram.
 */
function ineqHistogramSelectivity(v: KeyVar, isgt: boolean, iseq: boolean, c: Scalar): number | null {
  const st = statsOf(v.table, v.col);
  const h = st?.histogram;
  if (!h || h.length < 2) return -1;
  const hv = h.map(toScalar);
  if (hv.some((x) => x === null || typeof x !== typeof c)) return null;
  const vals = (hv as Scalar[]).slice();
  const n = vals.length;
  let haveEnd = false;
  // the first / last bound replaced by the true minimum / maximum when the search reaches it (both for two bounds)
  const actual = (lo: boolean, hi: boolean) => {
    const r = actualVariableRange(v);
    if (!r) return false;
    if (lo) vals[0] = r.min;
    if (hi) vals[n - 1] = r.max;
    return true;
  };
  if (n === 2) haveEnd = actual(true, true);
  let lo = 0, hi = n;
  while (lo < hi) {
    const probe = Math.floor((lo + hi) / 2);
    if (probe === 0 && n > 2) haveEnd = actual(true, false);
    else if (probe === n - 1 && n > 2) haveEnd = actual(false, true);
    const x = vals[probe]!;
    // the operator itself applied to the bound (x > c for `>`), inverted for > and >=
    let ltcmp = isgt ? (iseq ? x >= c : x > c) : (iseq ? x <= c : x < c);
    if (isgt) ltcmp = !ltcmp;
    if (ltcmp) lo = probe + 1; else hi = probe;
  }
  let histfrac: number;
  if (lo <= 0) histfrac = 0;
  else if (lo >= n) histfrac = 1;
  else {
    const i = lo;
    let eqSelec = 0;
    if (i === 1 || isgt === iseq) {
      let other = variableNumDistinct(v).nd;
      if (st!.mcv) other -= st!.mcv.freqs.length;
      if (other > 1) eqSelec = 1.0 / other;
    }
    // convert_to_scalar: the constant and the bin's bounds on one scale, then linear interpolation within the bin
    const sc = typeof c === 'string' ? convertStringToScalar(c, String(vals[i - 1]), String(vals[i]))
      : { val: c, low: vals[i - 1] as number, high: vals[i] as number };
    const { val, low, high } = sc;
    let binfrac: number;
    if (high <= low) binfrac = 0.5;
    else if (val <= low) binfrac = 0;
    else if (val >= high) binfrac = 1;
    else { binfrac = (val - low) / (high - low); if (Number.isNaN(binfrac) || binfrac < 0 || binfrac > 1) binfrac = 0.5; }
    histfrac = i - 1 + binfrac;
    histfrac /= n - 1;
    if (i === 1) histfrac += eqSelec * (1.0 - binfrac);
    if (isgt === iseq) histfrac -= eqSelec;
  }
  let sel = isgt ? 1.0 - histfrac : histfrac;
  if (haveEnd) return clampProb(sel);
  const cutoff = 0.01 / (n - 1);
  if (sel < cutoff) sel = cutoff;
  else if (sel > 1.0 - cutoff) sel = 1.0 - cutoff;
  return sel;
}

/** scalarineqsel: the MCVs satisfying the comparison plus the histogram's share of the rest; null: not modelled. */
export function scalarIneqSel(v: KeyVar, isgt: boolean, iseq: boolean, c: number | string): number | null {
  const st = statsOf(v.table, v.col);
  if (!st) return DEFAULT_INEQ_SEL;
  let mcvSelec = 0, sumcommon = 0;
  if (st.mcv) {
    for (let k = 0; k < st.mcv.values.length; k++) {
      const x = toScalar(st.mcv.values[k]!);
      if (x === null || typeof x !== typeof c) return null;
      const f = st.mcv.freqs[k]!;
      const ok = isgt ? (iseq ? x >= c : x > c) : (iseq ? x <= c : x < c);
      if (ok) mcvSelec += f;
      sumcommon += f;
    }
  }
  const hist = ineqHistogramSelectivity(v, isgt, iseq, c);
  if (hist === null) return null;
  let selec = 1.0 - st.nullfrac - sumcommon;
  selec *= hist >= 0 ? hist : 0.5;
  selec += mcvSelec;
  return clampProb(selec);
}

/** get_variable_range: the histogram's ends widened by the MCVs (MCVs alone only when they cover the table). */
function variableRange(v: KeyVar): { min: number; max: number } | null | 'unmodelled' {
  const st = statsOf(v.table, v.col);
  if (!st) return null;
  let min: number | null = null, max: number | null = null;
  if (st.histogram?.length) {
    const a = toNumber(st.histogram[0]!), b = toNumber(st.histogram[st.histogram.length - 1]!);
    if (a === null || b === null) return 'unmodelled';
    min = a; max = b;
  }
  if (st.mcv) {
    let use = min !== null;
    if (!use) use = st.mcv.freqs.reduce((s, f) => s + f, 0) + st.nullfrac > 0.99999;
    if (use) {
      for (const x of st.mcv.values) {
        const n = toNumber(x);
        if (n === null) return 'unmodelled';
        if (min === null || n < min) min = n;
        if (max === null || n > max) max = n;
      }
    }
  }
  return min === null || max === null ? null : { min, max };
}

/**
 * mergejoinscansel for `left = right` merged ascending (NULLs last): the fractions of each input read before
 * the first join pair (start) and up to the last (end) — the other side's range against this side's
 * statistics. Defaults 0 and 1 when a range is not known; null when the key type's scale is not modelled.
 */
export function mergejoinscansel(left: KeyVar, right: KeyVar): { leftstart: number; leftend: number; rightstart: number; rightend: number } | null {
  const out = { leftstart: 0, leftend: 1, rightstart: 0, rightend: 1 };
  const lr = variableRange(left), rr = variableRange(right);
  if (lr === 'unmodelled' || rr === 'unmodelled') return null;
  if (!lr || !rr) return out;
  const sel = (v: KeyVar, iseq: boolean, c: number) => scalarIneqSel(v, false, iseq, c);
  const le = sel(left, true, rr.max), re = sel(right, true, lr.max);
  if (le === null || re === null) return null;
  if (le !== DEFAULT_INEQ_SEL) out.leftend = le;
  if (re !== DEFAULT_INEQ_SEL) out.rightend = re;
  if (out.leftend > out.rightend) out.leftend = 1.0;
  else if (out.leftend < out.rightend) out.rightend = 1.0;
  else out.leftend = out.rightend = 1.0;
  const ls = sel(left, false, rr.min), rs = sel(right, false, lr.min);
  if (ls === null || rs === null) return null;
  if (ls !== DEFAULT_INEQ_SEL) out.leftstart = ls;
  if (rs !== DEFAULT_INEQ_SEL) out.rightstart = rs;
  if (out.leftstart < out.rightstart) out.leftstart = 0.0;
  else if (out.leftstart > out.rightstart) out.rightstart = 0.0;
  else out.leftstart = out.rightstart = 0.0;
  if (out.leftstart >= out.leftend) { out.leftstart = 0.0; out.leftend = 1.0; }
  if (out.rightstart >= out.rightend) { out.rightstart = 0.0; out.rightend = 1.0; }
  return out;
}
