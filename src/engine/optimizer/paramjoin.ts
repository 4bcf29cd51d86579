/**
 * A parameterized nested loop (PostgreSQL's optimizer/path/joinpath.c match_unsorted_outer over a parameterized
 * inner path from indxpath.c, costed by costsize.c cost_index / final_cost_nestloop): for each outer row, an Index
 * Scan of the inner table looks up the outer row's join key — the join condition becomes the inner scan's
 * "Index Cond: (k = n.a)". It wins over hashing the inner table when the outer side is small (its own WHERE
 * conditions leave few rows), since each probe reads one index page and one heap page instead of the whole table:
 *
 *     n(a int, b text), t(k int PRIMARY KEY, v int), never vacuumed (1,270 and 2,260 rows assumed):
 *     SELECT * FROM n JOIN t ON t.k = n.a WHERE n.b = 'x'     -- 6 outer rows expected
 *       Nested Loop  (cost=0.15..54.91 rows=6)      beats    Hash Join (Hash of all of t: 60.85 before a row)
 *         ->  Seq Scan on n   Filter: (b = 'x'::text)
 *         ->  Index Scan using t_pkey on t   Index Cond: (k = n.a)     (cost=0.15..4.84 per probe)
 *
 * A comparison between the sides is served the same way by a range of the index: `t JOIN u ON t.k < u.k` reads,
 * for each row of t, the entries of u_pkey above t.k ("Index Cond: (k > t.k)") — a third of the pairs by the
 * default selectivity, against every pair of a Materialize rescan, so on never-analyzed tables the index wins
 * whenever one serves (rangeParamSide).
 *
 * Only the versions an index probe reaches are read (and get hint bits); the inner rows come in the outer
 * side's order, each outer row's matches in index order.
 *
 * Costs, for a unique index of one leaf page (2 pages with the metapage) on a never-analyzed table, with
 * loop_count = outer rows: the index and heap pages a probe reads are shared across the loops
 * (index_pages_fetched, Mackert and Lohman: 2TN / (2T + N) pages of T for N fetches, divided by the loops). The
 * loop (final_cost_nestloop, inner_unique): the inner scan of an outer row that matches stops at the first
 * match, one that does not still pays the probe; with the inner join's selectivity (1 / the inner tuples) as the
 * match fraction, every outer row counts as unmatched — outer rows x the inner run cost.
 *
 * Simplifications: considered only for an inner join of two never-analyzed tables whose equality's inner column
 * has a unique single-column index of one leaf page, the inner side without conditions of its own, the outer side
 * read by a Seq Scan, against the hash join optimizer/joinpath.ts chose; within 1% of each other (add_path's fuzz)
 * the choice is left unsure. The range probe: two never-analyzed tables, one comparison of integer columns of one
 * type, a unique index, its costs refused (btcostestimate of a range). EXPLAIN ANALYZE of either is refused.
 */
import type { Table } from '../catalog/catalog.js';
import type { BtreeIndex } from '../index/btree.js';
import {
  CPU_INDEX_TUPLE_COST, CPU_OPERATOR_COST, CPU_TUPLE_COST, RANDOM_PAGE_COST, costSeqScan, costHashJoinUniqueInner, type Cost,
} from './costsize.js';
import { rint, clampRowEst, estimateRelSize, columnUnique } from './plancat.js';
import { whereSelectivity } from './clausesel.js';
import { bucketCount } from '../executor/nodeHashjoin.js';

/** effective_cache_size (4GB) in pages: index_pages_fetched assumes this much of the tables stays cached */
const EFFECTIVE_CACHE_SIZE = 524288;

/** index_pages_fetched (Mackert and Lohman), for a query whose tables take totalPages pages. */
export function indexPagesFetched(tuplesFetched: number, pages: number, totalPages: number): number {
  const T = pages > 1 ? pages : 1;
  const b = (EFFECTIVE_CACHE_SIZE * T) / Math.max(totalPages, 1);
  if (T <= b) {
    const fetched = (2.0 * T * tuplesFetched) / (2.0 * T + tuplesFetched);
    return fetched >= T ? T : Math.ceil(fetched);
  }
  // a table larger than its share of the cache (not reached on these tables)
  const lim = (2.0 * T * b) / (2.0 * T - b);
  const fetched = tuplesFetched <= lim ? (2.0 * T * tuplesFetched) / (2.0 * T + tuplesFetched) : b + (tuplesFetched - lim) * (T - b) / T;
  return Math.ceil(fetched);
}

/**
 * cost_index over btcostestimate for `key = $outer` on a unique B-tree of one leaf page (indexPages = 2 with the
 * metapage), repeated `loops` times: the cost of one probe as EXPLAIN prints it on the inner side.
 */
export function costParamIndexScan(tuples: number, pages: number, indexPages: number, loops: number, totalPages: number, width: number): Cost {
  // genericcostestimate: one index tuple on one index page, the pages shared by the loops
  const indexPagesRead = indexPagesFetched(1 * loops, indexPages, totalPages);
  let indexStartup = 0;
  let indexTotal = (indexPagesRead * RANDOM_PAGE_COST) / loops;
  indexTotal += 1 * 1 * (CPU_INDEX_TUPLE_COST + CPU_OPERATOR_COST * 1);
  if (tuples > 1) {
    const descent = Math.ceil(Math.log(tuples) / Math.log(2.0)) * CPU_OPERATOR_COST;
    indexStartup += descent;
    indexTotal += 1 * descent;
  }
  const pageDescent = (0 + 1) * 50.0 * CPU_OPERATOR_COST;
  indexStartup += pageDescent;
  indexTotal += 1 * pageDescent;
  // cost_index: one heap tuple per probe, the heap pages shared by the loops (correlation 0: the max_IO_cost)
  let startup = 0, run = 0;
  startup += indexStartup;
  run += indexTotal - indexStartup;
  const heapPages = indexPagesFetched(1 * loops, pages, totalPages);
  run += (heapPages * RANDOM_PAGE_COST) / loops;
  run += CPU_TUPLE_COST * 1;
  return { startup, total: startup + run, rows: 1, width };
}

/**
 * initial / final_cost_nestloop for an inner_unique join over a parameterized inner index scan whose Index Cond
 * is the whole join condition (has_indexed_join_quals); selec: the join's selectivity (eqjoinsel).
 */
export function costParamNestLoop(outer: Cost, inner: Cost, selec: number, innerRelRows: number, rows: number): Cost {
  let startup = 0, run = 0;
  startup += outer.startup + inner.startup;
  run += outer.total - outer.startup;
  if (outer.rows > 1) run += (outer.rows - 1) * inner.startup; // the rescans' startup
  const innerRun = inner.total - inner.startup;
  // compute_semi_anti_join_factors with the inner join's selectivity
  const matchFrac = selec;
  const matchCount = selec > 0 ? Math.max(1.0, (selec * innerRelRows) / selec) : 1.0;
  const matched = rint(outer.rows * matchFrac), unmatched = outer.rows - matched;
  const scanFrac = 2.0 / (matchCount + 1.0);
  const ntuples = matched * inner.rows * scanFrac;
  run += innerRun * scanFrac;
  if (matched > 1) run += (matched - 1) * innerRun * scanFrac;
  run += (unmatched * innerRun) / inner.rows;
  run += CPU_TUPLE_COST * ntuples;
  return { startup, total: startup + run, rows, width: outer.width + inner.width };
}

/** The inner side's index a parameterized probe could use: unique, on the join column alone, one leaf page. */
export function paramIndexFor(t: Table, col: number): BtreeIndex | null {
  const index = t.indexes.find((i) => i.unique && !i.def && i.columns.length === 1 && i.columns[0] === col);
  if (!index || index.entries.size + index.nullEntries.length > 200) return null;
  return index;
}

type N = Record<string, any>;

/** One side of a two-table equi-join: its table, its own WHERE conditions and its join key column. */
export interface EquiSide { table: Table; quals: N[]; key: number }

/** A Seq Scan of a side with its own conditions, all columns wide (SELECT * above the join); null: not estimated. */
export function sideScanCost(sd: EquiSide): Cost | null {
  const size = estimateRelSize(sd.table);
  if (!size.exact) return null;
  const where = sd.quals.length === 0 ? undefined : sd.quals.length === 1 ? sd.quals[0] : { BoolExpr: { boolop: 'AND_EXPR', args: sd.quals } };
  const ws = whereSelectivity(sd.table, size.tuples, where);
  if (!ws) return null;
  return costSeqScan(size.pages, size.tuples, ws.ops, clampRowEst(size.tuples * ws.sel), size.width);
}

/** eqjoinsel without statistics: 1 / the larger of the keys' distinct values (a unique key: its tuples; else 200 at most). */
export function equiJoinSelectivity(a: EquiSide, b: EquiSide): number {
  const nd = (sd: EquiSide) => {
    const tuples = estimateRelSize(sd.table).tuples;
    return columnUnique(sd.table, sd.key) ? clampRowEst(tuples) : tuples < 200 ? clampRowEst(tuples) : 200;
  };
  return 1 / Math.max(nd(a), nd(b));
}

/** Does a side's own condition name its join key (the planner would then derive a condition on the other key too)? */
const namesKey = (sd: EquiSide): boolean => sd.quals.some((q) => JSON.stringify(q).includes(`"sval":"${sd.table.columns[sd.key]!.name}"`));

/**
 * The cheaper of the hash join joinpath.ts chose (probe side `hashOuter`, hashed side `hashInner`, whose key is
 * unique) and a parameterized nested loop over either side's unique index: the loop's outer side and inner index
 * when a loop wins, null when the hash join does, 'unsure' when the model cannot tell (a cost within add_path's
 * 1% fuzz, a condition on a join key, an estimate it does not make).
 */
export function paramNestLoopChoice(hashOuter: EquiSide, hashInner: EquiSide): { outer: 'hashOuter' | 'hashInner'; index: BtreeIndex } | 'unsure' | null {
  if (hashOuter.table.stats || hashInner.table.stats) return null;
  const candidates: { outer: 'hashOuter' | 'hashInner'; o: EquiSide; i: EquiSide; index: BtreeIndex }[] = [];
  for (const [which, o, i] of [['hashOuter', hashOuter, hashInner], ['hashInner', hashInner, hashOuter]] as const) {
    const index = paramIndexFor(i.table, i.key);
    if (index && i.quals.length === 0) candidates.push({ outer: which, o, i, index });
  }
  if (candidates.length === 0) return null;
  if (namesKey(hashOuter) || namesKey(hashInner)) return 'unsure';
  const oc = sideScanCost(hashOuter), ic = sideScanCost(hashInner);
  if (!oc || !ic) return 'unsure';
  const selec = equiJoinSelectivity(hashOuter, hashInner);
  const hashTotal = costHashJoinUniqueInner(oc, ic, selec, bucketCount(ic.rows)).total;
  let best: { c: (typeof candidates)[number]; total: number } | null = null;
  const totalPages = estimateRelSize(hashOuter.table).pages + estimateRelSize(hashInner.table).pages;
  for (const c of candidates) {
    const outerCost = c.o === hashOuter ? oc : ic;
    const size = estimateRelSize(c.i.table);
    const probe = costParamIndexScan(size.tuples, size.pages, 2, outerCost.rows, totalPages, size.width);
    const total = costParamNestLoop(outerCost, probe, selec, size.tuples, 1).total;
    if (!best || total < best.total) best = { c, total };
  }
  if (!best) return null;
  const [lo, hi] = best.total < hashTotal ? [best.total, hashTotal] : [hashTotal, best.total];
  if (hi <= lo * 1.01) return 'unsure';
  return best.total < hashTotal ? { outer: best.c.outer, index: best.c.index } : null;
}

/**
 * The inner side of a nested loop over `l.col op r.col` (a comparison): a side whose column has a unique
 * single-column index and no WHERE condition of its own — probing it by range beats rescanning a Materialize of
 * all its rows, on these never-analyzed tables (a third of the pairs read instead of all of them). Both sides
 * qualifying: the right one when their estimated rows tie, else unsure (null); a side with conditions of its own
 * stays outer (fewer loops). For a LEFT JOIN only the nullable (right) side may be inner.
 */
export function rangeParamSide(l: { table: Table; quals: N[]; col: number }, r: { table: Table; quals: N[]; col: number }, kind: 'inner' | 'left' | 'right',
  sameRows: boolean): { side: 'left' | 'right'; index: BtreeIndex } | null {
  if (l.table.stats || r.table.stats || kind === 'right') return null;
  // any index on the compared column could serve; only a unique one over a side without conditions is modelled
  const indexed = (x: typeof l) => x.table.indexes.some((i) => i.columns[0] === x.col);
  const ok = (x: typeof l) => (x.quals.length === 0
    ? x.table.indexes.find((i) => i.unique && !i.def && i.columns.length === 1 && i.columns[0] === x.col) ?? null : null);
  const lc = kind !== 'left' && indexed(l), rc = indexed(r);
  const li = lc ? ok(l) : null, ri = rc ? ok(r) : null;
  // a side with conditions of its own is the cheaper outer side (fewer loops); an index this model does not cost: unsure
  if ((lc && !li && l.quals.length === 0) || (rc && !ri && r.quals.length === 0)) return null;
  if (li && ri) return sameRows ? { side: 'right', index: ri } : null;
  if (ri) return { side: 'right', index: ri };
  if (li) return { side: 'left', index: li };
  return null;
}
