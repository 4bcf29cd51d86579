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
 * Simplifications: considered only for an inner join of two never-analyzed tables (or one of them sized by VACUUM or
 * CREATE INDEX, never ANALYZEd: its relpages / reltuples, the default column estimates) whose equality's inner column
 * has a unique single-column index of one leaf page (the inner side's own conditions its probe's Filter), the outer side
 * read by a Seq Scan, against the hash join optimizer/joinpath.ts chose; within 1% of each other (add_path's fuzz)
 * the choice is left unsure. The range probe: two never-analyzed tables, one comparison of integer columns of one
 * type, a unique index, its costs refused (btcostestimate of a range). EXPLAIN ANALYZE of either is refused.
 */
import { plannerIndexes } from '../catalog/catalogsnapshot.js';
import type { Table } from '../catalog/catalog.js';
import type { BtreeIndex } from '../index/btree.js';
import {
  CPU_TUPLE_COST, CPU_OPERATOR_COST, CPU_INDEX_TUPLE_COST, RANDOM_PAGE_COST, btcostOneTuple, costSeqScan, costHashJoinUniqueInner,
  costHashJoinDefaultInner, opsCost, type Cost,
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
  const { indexStartup, indexTotal } = btcostOneTuple(tuples, (indexPagesRead * RANDOM_PAGE_COST) / loops);
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
  const index = plannerIndexes(t).find((i) => i.unique && !i.def && i.columns.length === 1 && i.columns[0] === col);
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

/** the operators of a side's own conditions, evaluated per tuple (0 without any); null: not estimated */
function innerFilterOps(sd: EquiSide, tuples: number): number | null {
  if (!sd.quals.length) return 0;
  const where = sd.quals.length === 1 ? sd.quals[0] : { BoolExpr: { boolop: 'AND_EXPR', args: sd.quals } };
  return whereSelectivity(sd.table, tuples, where)?.ops ?? null;
}

/** The plan of a two-table equi-join paramJoinChoice settles on. */
export type EquiChoice =
  | { kind: 'hash'; hashed: 'a' | 'b' }
  | { kind: 'param'; outer: 'a' | 'b'; index: BtreeIndex };

/** A hash join's cost hashing `i` (probed by `o`); null when the bucket estimate is not modelled. */
function hashCost(o: EquiSide, oc: Cost, i: EquiSide, ic: Cost, selec: number): Cost | null {
  if (columnUnique(i.table, i.key)) return costHashJoinUniqueInner(oc, ic, selec, bucketCount(ic.rows));
  // no statistics and at least 200 tuples: get_variable_numdistinct's default, a tenth of the rows a bucket
  if (estimateRelSize(i.table).tuples < 200) return null;
  void o;
  return costHashJoinDefaultInner(oc, ic, selec);
}

/**
 * add_paths_to_joinrel by cost for an inner equi-join of two never-analyzed tables, one key unique: a hash join
 * hashing either side, or a parameterized nested loop probing a unique index of either side — the cheapest
 * total. null when the model does not cover the join (then joinpath.ts's rules stand), 'unsure' when it cannot
 * tell (costs within add_path's 1% fuzz, a condition on a join key, an estimate it does not make).
 */
export function equiJoinChoice(a: EquiSide, b: EquiSide): EquiChoice | 'unsure' | null {
  // never analyzed, or one side sized by VACUUM / CREATE INDEX only (joinpath.ts sizedOnly): no column statistics
  if ((a.table.stats && b.table.stats) || a.table.stats?.distinct || b.table.stats?.distinct) return null;
  if (!columnUnique(a.table, a.key) && !columnUnique(b.table, b.key)) return null;
  if (namesKey(a) || namesKey(b)) return 'unsure';
  const ac = sideScanCost(a), bc = sideScanCost(b);
  if (!ac || !bc) return 'unsure';
  const selec = equiJoinSelectivity(a, b);
  const options: { choice: EquiChoice; total: number }[] = [];
  // the hash joins: b hashed (a probes) first, as add_paths_to_joinrel tries the written order first
  for (const [hashed, o, oc, i, ic] of [['b', a, ac, b, bc], ['a', b, bc, a, ac]] as const) {
    const c = hashCost(o, oc, i, ic, selec);
    if (!c) return 'unsure';
    options.push({ choice: { kind: 'hash', hashed }, total: c.total });
  }
  const totalPages = estimateRelSize(a.table).pages + estimateRelSize(b.table).pages;
  const bounds: number[] = [];
  for (const [outer, o, oc, i] of [['a', a, ac, b], ['b', b, bc, a]] as const) {
    const index = paramIndexFor(i.table, i.key);
    if (!index) continue;
    void o;
    const size = estimateRelSize(i.table);
    const probe = costParamIndexScan(size.tuples, size.pages, 2, oc.rows, totalPages, size.width);
    // the inner side's own conditions are the probe's Filter: cost_index's qpqual cost on the one tuple fetched
    // (the probe's rows stay 1: get_parameterized_baserel_size clamps its fraction of one row)
    const filterOps = innerFilterOps(i, size.tuples);
    if (filterOps === null) { bounds.push(costParamNestLoop(oc, probe, selec, size.tuples, 1).total); continue; }
    const filtered = { ...probe, total: probe.total + opsCost(filterOps) };
    const total = costParamNestLoop(oc, filtered, selec, size.tuples, 1).total;
    options.push({ choice: { kind: 'param', outer, index }, total });
  }
  const sorted = [...options].sort((x, y) => x.total - y.total); // stable: an exact tie keeps the first tried
  if (bounds.some((b) => b <= sorted[0]!.total * 1.01)) return 'unsure';
  const [best, next] = sorted as [(typeof options)[number], (typeof options)[number] | undefined];
  const exactTie = next && next.total === best.total && best.choice.kind === 'hash' && next.choice.kind === 'hash';
  if (next && !exactTie && next.total <= best.total * 1.01) return 'unsure';
  return best.choice;
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
  const indexed = (x: typeof l) => plannerIndexes(x.table).some((i) => i.columns[0] === x.col);
  const ok = (x: typeof l) => (x.quals.length === 0
    ? plannerIndexes(x.table).find((i) => i.unique && !i.def && i.columns.length === 1 && i.columns[0] === x.col) ?? null : null);
  const lc = kind !== 'left' && indexed(l), rc = indexed(r);
  const li = lc ? ok(l) : null, ri = rc ? ok(r) : null;
  // a side with conditions of its own is the cheaper outer side (fewer loops); an index this model does not cost: unsure
  if ((lc && !li && l.quals.length === 0) || (rc && !ri && r.quals.length === 0)) return null;
  if (li && ri) return sameRows ? { side: 'right', index: ri } : null;
  if (ri) return { side: 'right', index: ri };
  if (li) return { side: 'left', index: li };
  return null;
}

/**
 * cost_index over btcostestimate for a full scan of a unique B-tree of one leaf page (2 pages with the metapage)
 * on a never-analyzed table, no index condition: the path a merge join or an ORDER BY may use for its order.
 * Every index tuple is read (cpu_index_tuple_cost each), the heap pages by Mackert and Lohman at random_page_cost
 * (correlation 0 without statistics), cpu_tuple_cost a row.
 *
 *     t(k int PRIMARY KEY, v text), 1,270 tuples on 10 pages assumed: 0.15..67.20 (index 8 + 6.35 + descent,
 *     heap 10 pages x 4, rows 12.70)
 */
export function costIndexFullScan(tuples: number, pages: number, indexPages: number, totalPages: number, width: number): Cost {
  const numIndexTuples = Math.max(1, tuples);
  const numIndexPages = indexPages > 1 && tuples > 1 ? Math.ceil((numIndexTuples * indexPages) / tuples) : 1;
  let indexStartup = 0, indexTotal = numIndexPages * RANDOM_PAGE_COST;
  indexTotal += numIndexTuples * CPU_INDEX_TUPLE_COST;
  if (tuples > 1) {
    const descent = Math.ceil(Math.log(tuples) / Math.log(2.0)) * CPU_OPERATOR_COST;
    indexStartup += descent; indexTotal += descent;
  }
  const pageDescent = (0 + 1) * 50.0 * CPU_OPERATOR_COST;
  indexStartup += pageDescent; indexTotal += pageDescent;
  let startup = 0, run = 0;
  startup += indexStartup;
  run += indexTotal - indexStartup;
  const tuplesFetched = clampRowEst(tuples);
  run += indexPagesFetched(tuplesFetched, pages, totalPages) * RANDOM_PAGE_COST; // max_IO_cost (csquared 0)
  run += CPU_TUPLE_COST * tuplesFetched;
  return { startup, total: startup + run, rows: clampRowEst(tuples), width };
}
