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
 * Simplifications: rules, not the cost model; no BitmapAnd.
 */
import type { Table } from '../catalog/catalog.js';
import type { Scope } from '../sql/expr.js';
import type { BtreeIndex } from '../index/btree.js';
import { indexProbe, bitmapProbe } from './indxpath.js';

type N = Record<string, any>;

export type ScanPath =
  | { kind: 'SeqScan' }
  /** equality on a single-column index: look the key up, follow each entry's HOT chain */
  | { kind: 'IndexScan'; index: BtreeIndex; key: string | number; cond: N }
  /** the matching TIDs of an index, sorted, then the heap in TID order */
  | { kind: 'BitmapHeapScan'; index: BtreeIndex; tids: number[]; cond: N; or?: { index: BtreeIndex; cond: N }[] }
  /** every entry of an index in key order (ORDER BY its column, no WHERE) */
  | { kind: 'IndexScanOrdered'; index: BtreeIndex; backward: boolean;
    /** only the entries whose key passes (a parameterized range probe of a nested loop, optimizer/paramjoin.ts) */
    range?: (key: string | number) => boolean; };

export interface ScanOptions {
  /** ORDER BY a single plain column of the table, with no WHERE: its position, else -1 */
  orderCol?: number;
  orderDesc?: boolean;
  /** SERIALIZABLE: keep to the paths whose SIREAD locks the engine models (no ordered index walk) */
  serializable?: boolean;
  /** LIMIT without ORDER BY: the first rows of a seq scan are cheaper than a bitmap over a range */
  limited?: boolean;
}

export function chooseScan(t: Table, whereNode: N | undefined, scope: Scope, o: ScanOptions = {}): ScanPath {
  const probe = indexProbe(t, whereNode, scope);
  if (probe) {
    if (probe.index.unique || t.stats) return { kind: 'IndexScan', index: probe.index, key: probe.key, cond: probe.cond };
    // a non-unique index: several rows expected per key, a bitmap scan (TIDs sorted)
    const tids = [...new Set(probe.index.lookup(probe.key))].sort((a, b) => a - b);
    return { kind: 'BitmapHeapScan', index: probe.index, tids, cond: probe.cond };
  }
  if (!t.stats) {
    const bitmap = bitmapProbe(t, whereNode);
    if (bitmap && !(o.limited && isOpenRange(bitmap.cond))) return { kind: 'BitmapHeapScan', index: bitmap.index, tids: bitmap.tids, cond: bitmap.cond, or: bitmap.or };
    if ((o.orderCol ?? -1) >= 0 && !o.serializable && !whereNode) {
      const index = t.indexes.find((i) => !i.def && i.columns[0] === o.orderCol);
      if (index) return { kind: 'IndexScanOrdered', index, backward: !!o.orderDesc };
    }
  }
  return { kind: 'SeqScan' };
}

/** `col < c`, `col >= c` …: a third of the rows by the default selectivity, so LIMIT finds one early in a seq scan */
function isOpenRange(cond: N): boolean {
  const e = cond.A_Expr;
  return !!e && e.kind === 'AEXPR_OP' && ['<', '<=', '>', '>='].includes(e.name?.[0]?.String?.sval);
}

/**
 * The scan options a SELECT gives the planner (grouping_planner's query_pathkeys and limit_tuples, reduced):
 * ORDER BY one plain column with no WHERE, grouping or DISTINCT may be answered by an index walk; a LIMIT without
 * ORDER BY favours a seq scan over a bitmap on a range.
 */
export function selectScanOptions(n: N, t: Table, grouping: boolean): ScanOptions {
  const sort = (n.sortClause ?? []) as N[];
  const first = sort.length === 1 ? sort[0]!.SortBy : undefined;
  const f = first?.node?.ColumnRef?.fields as N[] | undefined;
  const simple = !grouping && !n.distinctClause && !n.whereClause && f?.length === 1 && !!f[0]!.String;
  return {
    orderCol: simple ? t.columns.findIndex((c) => c.name === f![0]!.String.sval) : -1,
    orderDesc: first?.sortby_dir === 'SORTBY_DESC',
    limited: !!n.limitCount && sort.length === 0,
  };
}
