/**
 * The planner's choice of how to read one table (PostgreSQL's optimizer/path/allpaths.c + costsize.c, reduced to
 * the rules that decide what a learner sees on small tables). The executor runs exactly the path chosen here and
 * EXPLAIN prints it, so the two cannot disagree.
 *
 * A table that was never vacuumed or analyzed has no statistics; the planner then assumes it has 10 pages
 * (plancat.c, estimate_rel_size) and about 2,260 rows, so an index looks cheap:
 *
 *     CREATE TABLE t (k int PRIMARY KEY, v int);  -- 5 rows, one page, no statistics
 *     WHERE k = 2              -> Index Scan using t_pkey        (unique index, one key)
 *     WHERE v = 20  (index t_v) -> Bitmap Heap Scan / Bitmap Index Scan on t_v  (non-unique: TIDs sorted)
 *     WHERE k >= 2             -> Bitmap Heap Scan               (a range: TIDs sorted, heap read in TID order)
 *     WHERE k >= 2 LIMIT 1     -> Seq Scan                       (the first match is cheap to reach)
 *     ORDER BY k (no WHERE)    -> Index Scan using t_pkey        (reading in key order beats sorting 2,260 rows)
 *     anything else            -> Seq Scan
 *
 * After VACUUM / ANALYZE the planner knows the real size (relpages, reltuples) and a one-page table is read
 * sequentially: cost_seqscan = pages + 0.0125 per tuple against ~8.3 for an index probe (indexProbe).
 * Which path runs decides which tuples get hint bits (a seq scan reads every version, an index scan only the
 * HOT chain of each entry up to its first visible member) and the row order without ORDER BY.
 *
 * An index path whose index covers every column the query uses runs as an Index Only Scan
 * (executor/nodeIndexonlyscan.ts: the visibility map decides which TIDs need the heap).
 * SET enable_seqscan = off makes a sequential scan cost disable_cost (1e10) more: an equality on an indexed column
 * then takes the Index Scan whatever the table's size.
 * An analyzed table is planned by cost instead (optimizer/scanpaths.ts): the Seq Scan against an Index Scan and a
 * Bitmap Heap Scan for each single-column index a condition `col op constant` serves — unless the query has
 * ORDER BY, GROUP BY, DISTINCT or LIMIT, runs SERIALIZABLE, or the table has an index the costs do not model.
 * Simplifications: without statistics rules, not the cost model; no BitmapAnd; enable_seqscan = off changes only the equality rule
 * (ranges and ORDER BY with a WHERE still read sequentially); the other enable_* settings change nothing.
 */
import { plannerIndexes } from '../catalog/catalogsnapshot.js';
import type { Table } from '../catalog/catalog.js';
import type { Scope } from '../sql/expr.js';
import type { BtreeIndex } from '../index/btree.js';
import { indexProbe, bitmapProbe, indexQuals } from './indxpath.js';
import { costBasedScan, ruleBitmapEstimate } from './scanpaths.js';
import type { PathEst } from './indexcost.js';

type N = Record<string, any>;

export type ScanPath =
  | { kind: 'SeqScan';
    /** why EXPLAIN cannot vouch for it: an analyzed table's condition an index might answer in a way not costed here */
    unsure?: string; }
  /** equality on a single-column index: look the key up, follow each entry's HOT chain */
  | { kind: 'IndexScan'; index: BtreeIndex; key: string | number; cond: N; quals?: N[]; est?: PathEst;
    /** run as an Index Only Scan (set by the SELECT that chose it: nodeIndexonlyscan.ts isIndexOnly) */
    indexOnly?: boolean; }
  /** the matching TIDs of an index, sorted, then the heap in TID order */
  | { kind: 'BitmapHeapScan'; index: BtreeIndex; tids: number[]; cond: N; /** a hash index's key (its bucket's SIREAD lock) */ hashKey?: string | number; or?: { index: BtreeIndex; cond: N; tids?: number[] }[]; quals?: N[]; est?: PathEst;
    /** why EXPLAIN cannot vouch for the plan (PostgreSQL may AND two bitmaps) */
    unsure?: string; }
  /** every entry of an index in key order (ORDER BY its column, no WHERE) */
  | { kind: 'IndexScanOrdered'; index: BtreeIndex; backward: boolean; indexOnly?: boolean;
    /** only the entries whose key passes (a parameterized range probe of a nested loop, optimizer/paramjoin.ts; a range of WHERE) */
    range?: (key: string | number) => boolean;
    /** a range of the WHERE clause: its conjuncts the index answers (printed as Index Cond) and the estimate */
    quals?: N[]; est?: PathEst; };

export interface ScanOptions {
  /** ORDER BY a single plain column of the table, with no WHERE: its position, else -1 */
  orderCol?: number;
  orderDesc?: boolean;
  /** SERIALIZABLE: keep to the paths whose SIREAD locks the engine models (no ordered index walk) */
  serializable?: boolean;
  /** LIMIT without ORDER BY: the first rows of a seq scan are cheaper than a bitmap over a range */
  limited?: boolean;
  /** ORDER BY, GROUP BY or DISTINCT: an index's order may be useful (pathkeys: not costed, the rules decide) */
  ordered?: boolean;
  /** check_index_only: the query reads no column this index lacks */
  indexOnly?: (index: BtreeIndex) => boolean;
}

/**
 * A condition's references to the scanned table itself, `t.a` or `public.t.a`, as bare `a`: the planner's
 * rules below match columns by name, and a qualified reference is the same Var to PostgreSQL (a subquery pulled
 * up, optimizer/pullup.ts, qualifies every reference). Other qualifiers (an outer query's table) stay.
 */
export function unqualifyOwn<T>(x: T, scope: Pick<Scope, 'relName' | 'alias'>): T {
  const own = scope.alias ?? scope.relName;
  if (!own || !x || typeof x !== 'object') return x;
  // the same tree for the same input (EXPLAIN matches the path's conditions to the WHERE's conjuncts by identity),
  // and an unchanged subtree is the input's own
  let memo = UNQUALIFIED.get(x as object);
  if (!memo) UNQUALIFIED.set(x as object, memo = new Map());
  const hit = memo.get(own);
  if (hit) return hit as T;
  const walk = (v: unknown): unknown => {
    if (!v || typeof v !== 'object') return v;
    if (Array.isArray(v)) { const m = v.map(walk); return m.every((y, i) => y === v[i]) ? v : m; }
    const o = v as N;
    if (o.ColumnRef) {
      const f = o.ColumnRef.fields as N[];
      const last = f[f.length - 1]!;
      const rel = f.length >= 2 ? f[f.length - 2]!.String?.sval : undefined;
      const schemaOk = f.length === 2 || (f.length === 3 && !scope.alias && f[0]!.String?.sval === 'public');
      if (rel === own && schemaOk && last.String) return { ColumnRef: { ...o.ColumnRef, fields: [last] } };
      return o;
    }
    let changed = false;
    const out: N = {};
    for (const [k, val] of Object.entries(o)) { const w = walk(val); if (w !== val) changed = true; out[k] = w; }
    return changed ? out : o;
  };
  const r = walk(x);
  memo.set(own, r);
  return r as T;
}
const UNQUALIFIED = new WeakMap<object, Map<string, unknown>>();

/**
 * The planner's scan switches (costsize.c: disable_cost, 1e10, added to a path of a disabled kind, so it wins only
 * when every other path is disabled too): enable_seqscan, enable_indexscan (index and index-only scans),
 * enable_bitmapscan. With statistics the costs decide (scanpaths.ts costBasedScan adds disable_cost); without,
 * the rules' choice is replaced when its kind is disabled, as measured on PostgreSQL 15
 * (tests/scenarios/plan/scan-switches.spec): an index scan's equality becomes a bitmap scan, else a seq scan; a
 * bitmap scan's equality becomes an index scan, its range a seq scan (an index scan when seq scans are off too).
 */
export interface ScanSwitches { seq: boolean; index: boolean; bitmap: boolean }

export function chooseScan(t: Table, whereQualified: N | undefined, scope: Scope, o: ScanOptions = {}): ScanPath {
  const off = (name: string) => scope.env.currentSetting(name, true) === 'off';
  const disabled: ScanSwitches = { seq: off('enable_seqscan'), index: off('enable_indexscan'), bitmap: off('enable_bitmapscan') };
  const p = chooseScanRules(t, whereQualified, scope, o, disabled);
  if (t.stats && p.kind !== 'SeqScan' && 'est' in p && p.est) return p; // chosen by costs, disable_cost included
  const whereNode = unqualifyOwn(whereQualified, scope);
  const isIndex = p.kind === 'IndexScan' || p.kind === 'IndexScanOrdered';
  if (isIndex && disabled.index) {
    const probe = p.kind === 'IndexScan' ? p : null;
    if (probe && !disabled.bitmap) {
      const tids = [...new Set(probe.index.lookup(probe.key))].sort((a, b) => a - b);
      return { kind: 'BitmapHeapScan', index: probe.index, tids, cond: probe.cond, ...(probe.index.am === 'hash' ? { hashKey: probe.key } : {}),
        est: t.stats ? undefined : ruleBitmapEstimate(t, whereNode, probe.index, probe.cond) };
    }
    if (!disabled.seq) return { kind: 'SeqScan' };
  }
  if (p.kind === 'BitmapHeapScan' && disabled.bitmap && !p.or) {
    const probe = indexProbe(t, whereNode, scope, true);
    if (probe && probe.index === p.index && !disabled.index) {
      const quals = indexQuals(t, whereNode, probe.index, probe.cond);
      return { kind: 'IndexScan', index: probe.index, key: probe.key, cond: probe.cond, ...(quals.length > 1 ? { quals } : {}) };
    }
    if (!disabled.seq) return { kind: 'SeqScan' };
    if (!probe && !disabled.index && !p.quals && p.index.am === 'btree') { // (a hash index has no key order)
      // the same entries walked in key order: the keys whose TIDs the bitmap holds
      const tids = new Set(p.tids), keys = new Set<string | number>();
      for (const [k, v] of p.index.entries) if (typeof v === 'number' ? tids.has(v) : v.some((x) => tids.has(x))) keys.add(k);
      return { kind: 'IndexScanOrdered', index: p.index, backward: false, range: (k) => keys.has(k), quals: [p.cond] };
    }
  }
  return p;
}

function chooseScanRules(t: Table, whereQualified: N | undefined, scope: Scope, o: ScanOptions, disabled: ScanSwitches): ScanPath {
  const whereNode = unqualifyOwn(whereQualified, scope);
  // enable_seqscan = off (costsize.c: disable_cost on the seq scan path)
  const seqscanDisabled = disabled.seq;
  // an analyzed table: the cheapest of the seq scan and the index paths by their costs (optimizer/scanpaths.ts)
  let unsure: string | undefined;
  if (t.stats && !seqscanDisabled && !o.limited && !o.ordered && !o.serializable) {
    const p = costBasedScan(t, whereNode, o.indexOnly, disabled);
    if (p && p !== 'UnmodelledIndexQual') return p;
    if (p === 'UnmodelledIndexQual') unsure = 'a condition an index could answer in a way the simulator does not cost (an IN list or = ANY, a text range, an expression: PostgreSQL may scan the index)';
  }
  const probe = indexProbe(t, whereNode, scope, seqscanDisabled);
  if (probe) {
    // (enable_bitmapscan = off: chooseScan replaces the bitmap scan below by the plain Index Scan)
    if (probe.index.unique || t.stats) {
      const quals = indexQuals(t, whereNode, probe.index, probe.cond);
      return { kind: 'IndexScan', index: probe.index, key: probe.key, cond: probe.cond, ...(quals.length > 1 ? { quals } : {}) };
    }
    // a non-unique index: several rows expected per key, a bitmap scan (TIDs sorted)
    const tids = [...new Set(probe.index.lookup(probe.key))].sort((a, b) => a - b);
    return { kind: 'BitmapHeapScan', index: probe.index, tids, cond: probe.cond, ...(probe.index.am === 'hash' ? { hashKey: probe.key } : {}), est: t.stats ? undefined : ruleBitmapEstimate(t, whereNode, probe.index, probe.cond) };
  }
  if (!t.stats) {
    const bitmap = bitmapProbe(t, whereNode);
    if (bitmap && !(o.limited && isOpenRange(bitmap.cond))) {
      const est = bitmap.or || bitmap.quals ? undefined : ruleBitmapEstimate(t, whereNode, bitmap.index, bitmap.cond);
      return { kind: 'BitmapHeapScan', index: bitmap.index, tids: bitmap.tids, cond: bitmap.cond, or: bitmap.or, est, ...(bitmap.quals ? { quals: bitmap.quals } : {}) };
    }
    if ((o.orderCol ?? -1) >= 0 && !o.serializable && !whereNode) {
      const index = plannerIndexes(t).find((i) => !i.def && i.columns[0] === o.orderCol);
      if (index) return { kind: 'IndexScanOrdered', index, backward: !!o.orderDesc };
    }
  }
  return unsure ? { kind: 'SeqScan', unsure } : { kind: 'SeqScan' };
}

/** `col < c`, `col >= c` …: a third of the rows by the default selectivity, so LIMIT finds one early in a seq scan */
function isOpenRange(cond: N): boolean {
  const e = cond.A_Expr;
  return !!e && e.kind === 'AEXPR_OP' && ['<', '<=', '>', '>='].includes(e.name?.[0]?.String?.sval);
}

/**
 * The scan options a SELECT gives the planner (grouping_planner's query_pathkeys and limit_tuples, reduced):
 * ORDER BY one plain column (or DISTINCT ON one column, ORDER BY it or nothing) with no WHERE, grouping or DISTINCT
 * may be answered by an index walk; a LIMIT without
 * ORDER BY favours a seq scan over a bitmap on a range.
 */
export function selectScanOptions(n: N, t: Table, grouping: boolean): ScanOptions {
  const sort = (n.sortClause ?? []) as N[];
  // DISTINCT ON (col): its Unique needs the rows in col's order (ORDER BY col, or none) — an index may give it
  const on = n.distinctClause?.length && Object.keys(n.distinctClause[0] ?? {}).length ? n.distinctClause as N[] : null;
  const first = sort.length === 1 ? sort[0]!.SortBy : on?.length === 1 && sort.length === 0 ? { node: on[0], sortby_dir: 'SORTBY_DEFAULT' } : undefined;
  const f = first?.node?.ColumnRef?.fields as N[] | undefined;
  const colName = (x: N | undefined) => (x?.ColumnRef?.fields?.length === 1 ? x.ColumnRef.fields[0].String?.sval as string | undefined : undefined);
  const onOk = on ? on.length === 1 && colName(on[0]) !== undefined && colName(on[0]) === colName(first?.node) : !n.distinctClause;
  const simple = !grouping && onOk && !n.whereClause && f?.length === 1 && !!f[0]!.String;
  return {
    orderCol: simple ? t.columns.findIndex((c) => c.name === f![0]!.String.sval) : -1,
    orderDesc: first?.sortby_dir === 'SORTBY_DESC',
    limited: !!n.limitCount && sort.length === 0,
    ordered: sort.length > 0 || !!n.groupClause?.length || !!n.distinctClause,
  };
}
