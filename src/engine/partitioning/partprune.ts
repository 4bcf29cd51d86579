/**
 * Partition pruning at plan time: the partitions a scan of a partitioned table need not read, because no row they
 * can hold satisfies the WHERE clause. The clauses that compare the key column with a constant prune — `a = 1`,
 * `1 = a`, `a IN (1, 2)`, `a IS NULL`, and on LIST and RANGE partitioning `a < 5`, `a >= 5`, `a BETWEEN 1 AND 7`;
 * comparisons ANDed together narrow one interval first (as gen_partprune_steps groups a key's clauses), ANDed
 * conditions intersect, ORed ones unite. A partition is kept when its bound can hold a value the clause allows; the
 * DEFAULT partition when a value the clause allows falls outside every other bound (for a LIST comparison: always).
 *
 *     SELECT * FROM foo WHERE a = 1;        -- only foo1 is scanned (and locked): EXPLAIN shows no Append
 *     SELECT * FROM foo WHERE a >= 20;      -- [20, 30) and a DEFAULT partition (which holds 30 and up)
 *
 * Mirrors: src/backend/partitioning/partprune.c (gen_partprune_steps, get_matching_list_bounds,
 * get_matching_range_bounds, get_matching_partitions). Simplifications: single-column keys of integer or text type
 * only; bounds are compared as PostgreSQL does, as datums of a continuous order (`a > 9` keeps [0, 10): no
 * reasoning about integers being discrete); `<>`, expressions that are stable rather than constant and run-time
 * (executor) pruning are not modelled — those scans read every partition the other clauses keep.
 */
import type { Value } from '../sql/types.js';
import { intConst } from '../sql/parser.js';
import { partitionForKey, cmp, type BoundOf, type PartitionKey, type RangeDatum } from './partbounds.js';
import { commutator } from '../sql/operators.js';

type N = Record<string, any>;

function constOf(n: N | undefined): { v: Value } | null {
  const c = n?.A_Const;
  if (!c) return null;
  if (c.isnull) return { v: null };
  if (c.ival) return { v: intConst(c) ?? 0 };
  if (c.sval) return { v: c.sval.sval };
  return null;
}
const colName = (n: N | undefined): string | null => {
  const f = n?.ColumnRef?.fields as N[] | undefined;
  return f?.length ? (f[f.length - 1]!.String?.sval ?? null) : null;
};

/** An interval of key values (null ends: unbounded). */
interface Interval { lo: Value | undefined; loInc: boolean; hi: Value | undefined; hiInc: boolean }
const ALL: Interval = { lo: undefined, loInc: false, hi: undefined, hiInc: false };

/** col op const (or const op col, commuted): the interval it allows, or null when it is not such a comparison. */
function comparison(e: N, name: string, fit: (c: { v: Value }) => boolean): Interval | null {
  if (e.kind === 'AEXPR_BETWEEN' && colName(e.lexpr) === name) {
    const [a, b] = ((e.rexpr?.List?.items ?? e.rexpr ?? []) as N[]).map(constOf);
    if (!a || !b || a.v === null || b.v === null || !fit(a) || !fit(b)) return null;
    return { lo: a.v, loInc: true, hi: b.v, hiInc: true };
  }
  if (e.kind !== 'AEXPR_OP' || e.name?.length !== 1) return null;
  let op = e.name[0].String?.sval as string;
  let c: { v: Value } | null = null;
  if (colName(e.lexpr) === name) c = constOf(e.rexpr);
  else if (colName(e.rexpr) === name) { c = constOf(e.lexpr); op = commutator(op) ?? op; }
  if (!c || c.v === null || !fit(c)) return null;
  switch (op) {
    case '<': return { ...ALL, hi: c.v };
    case '<=': return { ...ALL, hi: c.v, hiInc: true };
    case '>': return { ...ALL, lo: c.v };
    case '>=': return { ...ALL, lo: c.v, loInc: true };
    default: return null;
  }
}

function intersect(a: Interval, b: Interval): Interval {
  const r = { ...a };
  if (b.lo !== undefined && (r.lo === undefined || cmp(b.lo, r.lo) > 0 || (cmp(b.lo, r.lo) === 0 && !b.loInc))) { r.lo = b.lo; r.loInc = b.loInc; }
  if (b.hi !== undefined && (r.hi === undefined || cmp(b.hi, r.hi) < 0 || (cmp(b.hi, r.hi) === 0 && !b.hiInc))) { r.hi = b.hi; r.hiInc = b.hiInc; }
  return r;
}
/** Is value v inside the interval? */
const inside = (i: Interval, v: Value) => v !== null && (i.lo === undefined || cmp(v, i.lo) > 0 || (i.loInc && cmp(v, i.lo) === 0))
  && (i.hi === undefined || cmp(v, i.hi) < 0 || (i.hiInc && cmp(v, i.hi) === 0));
/** Does the interval hold any value below (side -1) or at-or-above (side 1) the datum d? */
function reaches(i: Interval, d: RangeDatum, side: -1 | 1): boolean {
  if (d.kind !== 'value') return side === -1 ? d.kind === 'maxvalue' : d.kind === 'minvalue';
  if (side === -1) return i.lo === undefined || cmp(i.lo, d.v) < 0;
  return i.hi === undefined || cmp(i.hi, d.v) > 0 || (i.hiInc && cmp(i.hi, d.v) === 0);
}

/** The partitions (by index) whose bounds can hold a value of the interval (get_matching_range/list_bounds). */
function matchingInterval<T>(parts: BoundOf<T>[], key: PartitionKey, i: Interval): Set<number> | null {
  if (key.strategy === 'hash') return null;
  const keep = new Set<number>();
  // a > 5 AND a < 3: no value at all, no partition
  if (i.lo !== undefined && i.hi !== undefined && (cmp(i.lo, i.hi) > 0 || (cmp(i.lo, i.hi) === 0 && !(i.loInc && i.hiInc)))) return keep;
  let dflt = -1;
  const ranges: { lower: RangeDatum; upper: RangeDatum }[] = [];
  parts.forEach((p, k) => {
    const b = p.bound;
    if (b.kind === 'default') { dflt = k; return; }
    if (b.kind === 'list') { if (b.values.some((v) => inside(i, v))) keep.add(k); return; }
    if (b.kind === 'range') {
      ranges.push({ lower: b.lower[0]!, upper: b.upper[0]! });
      // [L, U) meets the interval: it holds a value at or above L, and one below U
      if (reaches(i, b.lower[0]!, 1) && reaches(i, b.upper[0]!, -1)) keep.add(k);
    }
  });
  if (dflt >= 0 && (key.strategy === 'list' || rangeGap(ranges, i))) keep.add(dflt);
  return keep;
}

/** Does some value of the interval fall outside every range bound (what the DEFAULT partition holds)? */
function rangeGap(ranges: { lower: RangeDatum; upper: RangeDatum }[], i: Interval): boolean {
  const sorted = [...ranges].sort((x, y) => datumCmp(x.lower, y.lower));
  // walk up from the interval's low end: `at` is the lowest value not covered by the bounds seen so far
  let at: RangeDatum = i.lo === undefined ? { kind: 'minvalue' } : { kind: 'value', v: i.lo };
  for (const r of sorted) {
    // a hole [at, L) below this bound: does the interval hold a value in it?
    if (datumCmp(r.lower, at) > 0) return reaches(i, at, 1) && reaches(i, r.lower, -1);
    if (datumCmp(r.upper, at) > 0) at = r.upper;
    if (at.kind === 'maxvalue') return false;
  }
  return reaches(i, at, 1);
}
/** MINVALUE below every value, MAXVALUE above */
function datumCmp(a: RangeDatum, b: RangeDatum): number {
  const rank = (d: RangeDatum) => (d.kind === 'minvalue' ? -1 : d.kind === 'maxvalue' ? 1 : 0);
  if (a.kind !== 'value' || b.kind !== 'value') return rank(a) - rank(b);
  return cmp(a.v, b.v);
}
const and = (x: Set<number> | null, y: Set<number>) => (x === null ? y : new Set([...x].filter((k) => y.has(k))));
const or = (x: Set<number> | null, y: Set<number>) => (x === null ? y : new Set([...x, ...y]));

/** The partitions (by index) a clause allows, or null when it does not restrict the key. */
function matching<T>(parts: BoundOf<T>[], key: PartitionKey, where: N | undefined): Set<number> | null {
  if (!where) return null;
  const name = key.names[0]!;
  const ints = key.types[0]!.name.startsWith('int');
  const fit = (c: { v: Value }) => (c.v === null || (ints ? typeof c.v === 'number' : typeof c.v === 'string'));
  const byValues = (vs: Value[]) => {
    const keep = new Set<number>();
    for (const v of vs) { const p = partitionForKey(parts, [v]); if (p) keep.add(parts.indexOf(p)); }
    return keep;
  };
  const b = where.BoolExpr;
  if (b?.boolop === 'AND_EXPR' || b?.boolop === 'OR_EXPR') {
    const isAnd = b.boolop === 'AND_EXPR';
    let interval: Interval | null = null;
    let acc: Set<number> | null = null;
    for (const a of b.args as N[]) {
      const iv = isAnd && a.A_Expr ? comparison(a.A_Expr, name, fit) : null;
      if (iv) { interval = interval ? intersect(interval, iv) : iv; continue; }
      const m = matching(parts, key, a);
      if (!m) { if (isAnd) continue; return null; }
      acc = isAnd ? and(acc, m) : or(acc, m);
    }
    if (interval) {
      const m = matchingInterval(parts, key, interval);
      if (m) acc = and(acc, m);
    }
    return acc;
  }
  const e = where.A_Expr;
  if (e?.kind === 'AEXPR_OP' && e.name?.length === 1 && e.name[0].String?.sval === '=') {
    const c = colName(e.lexpr) === name ? constOf(e.rexpr) : colName(e.rexpr) === name ? constOf(e.lexpr) : null;
    return c && c.v !== null && fit(c) ? byValues([c.v]) : null;
  }
  if (e?.kind === 'AEXPR_IN' && e.name?.[0]?.String?.sval === '=' && colName(e.lexpr) === name) {
    const cs = ((e.rexpr?.List?.items ?? []) as N[]).map(constOf);
    return cs.every((c) => c && c.v !== null && fit(c)) ? byValues(cs.map((c) => c!.v)) : null;
  }
  if (e) { const iv = comparison(e, name, fit); return iv ? matchingInterval(parts, key, iv) : null; }
  const nt = where.NullTest;
  if (nt?.nulltesttype === 'IS_NULL' && colName(nt.arg) === name) return byValues([null]);
  return null;
}

/** get_matching_partitions: the partitions (in bound order) a scan with this WHERE must read. */
export function prunePartitions<T>(parts: BoundOf<T>[], key: PartitionKey, where: N | undefined): T[] {
  const keyType = key.types[0]?.name ?? '';
  const m = key.cols.length === 1 && PRUNABLE_TYPES.has(keyType) ? matching(parts, key, where) : null;
  return parts.filter((_, k) => !m || m.has(k)).map((p) => p.rel);
}
const PRUNABLE_TYPES = new Set(['int2', 'int4', 'int8', 'text', 'varchar']);
