/**
 * Plan costs as EXPLAIN prints them (PostgreSQL's optimizer/path/costsize.c), for the nodes whose formulas the
 * simulator reproduces exactly; everything else is refused (commands/explain.ts) rather than printed wrong.
 *
 * A cost is in units of one sequential page read; each node has a startup cost (before its first row) and a
 * total cost (all rows), plus the rows and the average row width it expects:
 *
 *     seq_page_cost 1.0   cpu_tuple_cost 0.01   cpu_operator_cost 0.0025   (the defaults)
 *
 *     Seq Scan      total = pages x seq_page_cost + tuples x (cpu_tuple_cost + quals' operators x cpu_operator_cost)
 *                   t never vacuumed (10 pages, 2,260 tuples):  10 + 2260 x 0.01 = 32.60
 *                   WHERE v = 3: + 2260 x 0.0025 = 38.25, rows = 2260 x 0.005 = 11
 *     Aggregate     startup = input total + aggregates' transition functions x cpu_operator_cost x input rows;
 *                   total = startup + final functions + cpu_tuple_cost (one row)
 *     HashAggregate startup = input total + (grouping columns + transition functions) x cpu_operator_cost x rows;
 *                   total = startup + groups x cpu_tuple_cost (+ final functions per group)
 *     Sort          startup = input total + 2 x cpu_operator_cost x N x log2(N)  (N >= 2), run = cpu_operator_cost x N;
 *                   under LIMIT k with N > 2k a bounded heap sort: log2(2k) instead of log2(N)
 *     Limit         interpolates its input: startup + (total - startup) x (offset [+ count]) / rows
 *     Result        0.00..0.01 (one row)
 *     Hash Join     (a unique inner key: commands/explain.ts costHashJoin) startup = inner total + (one hash +
 *                   cpu_tuple_cost) x inner rows; run = outer + one hash per outer row + the probes of the outer
 *                   rows expected to match (and a tenth for the others) + cpu_tuple_cost per matched row
 *     Nested Loop   (costNestLoop) over a Materialize (2 operator calls a row once, 1 a rescan): outer run + first
 *                   inner pass + (outer rows - 1) rescans + (cpu_tuple_cost + join filter) per pair
 *     Merge Join    (commands/explain.ts costMergeJoin) startup = both sorts' startup; run = the sorts' runs, the inner
 *                   one x (1 + rescanned / inner rows), a comparison per row read, cpu_tuple_cost per joined row
 *
 * Numbers print with two decimals as C's printf does (an exact tie rounds to even: 1.125 -> 1.12).
 */
import { rint, clampRowEst } from './plancat.js';

export const SEQ_PAGE_COST = 1.0;
export const CPU_TUPLE_COST = 0.01;
export const CPU_OPERATOR_COST = 0.0025;

export interface Cost { startup: number; total: number; rows: number; width: number }

/** costsize.c's LOG2 (log(x) / 0.693147180559945, not an exact log2). */
const LOG2 = (x: number) => Math.log(x) / 0.693147180559945;

/** A sum of n operator calls' costs, added one by one as cost_qual_eval does. */
export function opsCost(n: number): number {
  let c = 0;
  const whole = Math.floor(n);
  for (let i = 0; i < whole; i++) c += CPU_OPERATOR_COST;
  // a fraction: an IN list's operator on half its elements (cost_qual_eval's estimate_array_length x 0.5)
  if (n > whole) c += CPU_OPERATOR_COST * (n - whole);
  return c;
}

/** cost_seqscan, with the quals' per-tuple cost (operators x cpu_operator_cost) and any target-list cost. */
export function costSeqScan(pages: number, tuples: number, qualOps: number, rows: number, width: number, tlistOps = 0): Cost {
  let run = SEQ_PAGE_COST * pages;
  const cpuPerTuple = CPU_TUPLE_COST + opsCost(qualOps);
  run += cpuPerTuple * tuples;
  if (tlistOps) run += opsCost(tlistOps) * rows; // the target list is evaluated per output row
  return { startup: 0, total: 0 + run, rows, width };
}

/** cost_agg, AGG_PLAIN: one output row. transOps / finalOps: transition and final function calls per row / group. */
export function costAggPlain(input: Cost, transOps: number, finalOps: number, width: number): Cost {
  let startup = input.total;
  startup += opsCost(transOps) * input.rows;
  startup += opsCost(finalOps);
  return { startup, total: startup + CPU_TUPLE_COST, rows: 1, width };
}

/** cost_agg, AGG_HASHED (no spill: these inputs fit in work_mem, so the disk terms are zero). */
export function costHashAgg(input: Cost, groupCols: number, transOps: number, finalOps: number, groups: number, width: number): Cost {
  let startup = input.total;
  startup += opsCost(transOps) * input.rows;
  startup += (CPU_OPERATOR_COST * groupCols) * input.rows;
  let total = startup;
  total += opsCost(finalOps) * groups;
  total += CPU_TUPLE_COST * groups;
  return { startup, total, rows: groups, width };
}

/**
 * cost_agg, AGG_SORTED: output on the fly — the input's startup, then per input row the transition functions and
 * one comparison per key, per group the final function and cpu_tuple_cost.
 */
export function costSortedAgg(input: Cost, groupCols: number, transOps: number, finalOps: number, groups: number, width: number): Cost {
  let total = input.total;
  total += opsCost(transOps) * input.rows;
  total += (CPU_OPERATOR_COST * groupCols) * input.rows;
  total += opsCost(finalOps) * groups;
  total += CPU_TUPLE_COST * groups;
  return { startup: input.startup, total, rows: groups, width };
}

/** cost_sort in memory (cost_tuplesort: quicksort, or a bounded heap sort when a LIMIT keeps fewer than half). */
export function costSort(input: Cost, limit: number | null): Cost {
  const tuples = Math.max(input.rows, 2);
  const comparison = 2.0 * CPU_OPERATOR_COST;
  const output = limit !== null && limit > 0 && limit < tuples ? limit : tuples;
  let startup = tuples > 2 * output ? comparison * tuples * LOG2(2.0 * output) : comparison * tuples * LOG2(tuples);
  const run = CPU_OPERATOR_COST * tuples;
  startup += input.total;
  return { startup, total: startup + run, rows: input.rows, width: input.width };
}

/** cost_limit (adjust_limit_rows_costs): the part of the input a LIMIT / OFFSET reads. */
export function costLimit(input: Cost, offset: number, count: number | null): Cost {
  let rows = input.rows, startup = input.startup, total = input.total;
  if (offset !== 0) {
    const off = Math.min(offset, rows);
    if (input.rows > 0) startup += (input.total - input.startup) * off / input.rows;
    rows = Math.max(1, rows - off);
  }
  if (count !== null) {
    const c = Math.min(count, rows);
    if (input.rows > 0) total = startup + (input.total - input.startup) * c / input.rows;
    rows = Math.max(1, c);
  }
  return { startup, total, rows, width: input.width };
}

export const RANDOM_PAGE_COST = 4.0;
export const CPU_INDEX_TUPLE_COST = 0.005;

/**
 * genericcostestimate + btcostestimate for a scan returning one index tuple per call whose index pages cost
 * `indexPageCost` (pages read x random_page_cost, shared by the loops of a nested loop): one tuple's cpu_index_tuple_cost and qual, the descent's comparisons
 * (log2 of the index's tuples) and its per-page charge (50 x cpu_operator_cost per level; a one-level tree).
 */
export function btcostOneTuple(tuples: number, indexPageCost: number): { indexStartup: number; indexTotal: number } {
  let indexStartup = 0;
  let indexTotal = indexPageCost;
  indexTotal += 1 * 1 * (CPU_INDEX_TUPLE_COST + CPU_OPERATOR_COST * 1);
  if (tuples > 1) {
    const descent = Math.ceil(Math.log(tuples) / Math.log(2.0)) * CPU_OPERATOR_COST;
    indexStartup += descent;
    indexTotal += 1 * descent;
  }
  const pageDescent = (0 + 1) * 50.0 * CPU_OPERATOR_COST;
  indexStartup += pageDescent;
  indexTotal += 1 * pageDescent;
  return { indexStartup, indexTotal };
}

/** initial_cost_hashjoin: the outer side's cost, the inner side built and hashed as startup, one hash per outer row. */
function initialHashCost(o: Cost, i: Cost): { startup: number; run: number } {
  const startup = o.startup + i.total + (CPU_OPERATOR_COST * 1 + CPU_TUPLE_COST) * i.rows;
  const run = (o.total - o.startup) + CPU_OPERATOR_COST * 1 * o.rows;
  return { startup, run };
}

/**
 * cost_index over btcostestimate / genericcostestimate for `key = constant` on a unique B-tree of one leaf page
 * (its root; tree height 0) on a table without statistics (index correlation 0): one index tuple, one index page
 * and one heap page, each a random page read.
 *
 *     startup = ceil(log2(index tuples)) x cpu_operator_cost + (height + 1) x 50 x cpu_operator_cost   (descent)
 *     total   = startup + random_page_cost (index page) + (cpu_index_tuple_cost + cpu_operator_cost) (the tuple
 *               and its condition) + random_page_cost (heap page) + cpu_tuple_cost + filter operators (the row)
 *
 * t never vacuumed, WHERE k = 2: 0.03 + 0.125 = 0.155 .. 8.1725  ->  "cost=0.15..8.17 rows=1"
 */
export function costIndexScanUniqueEq(tuples: number, pages: number, filterOps: number, rows: number, width: number): Cost {
  // genericcostestimate: one index tuple on one index page
  const { indexStartup, indexTotal } = btcostOneTuple(tuples, 1 * RANDOM_PAGE_COST);
  // cost_index: one heap tuple on one heap page (Mackert-Lohman: 2T / (2T + 1) pages, rounded up)
  let startup = 0, run = 0;
  startup += indexStartup;
  run += indexTotal - indexStartup;
  const T = pages > 1 ? pages : 1;
  const pagesFetched = Math.min(T, Math.ceil((2.0 * T * 1) / (2.0 * T + 1)));
  const maxIO = pagesFetched * RANDOM_PAGE_COST;
  run += maxIO; // correlation 0: csquared = 0
  const cpuPerTuple = CPU_TUPLE_COST + opsCost(filterOps);
  run += cpuPerTuple * 1;
  return { startup, total: startup + run, rows, width };
}

/** The one row of a Result without FROM. */
export const costResult = (width: number): Cost => ({ startup: 0, total: CPU_TUPLE_COST, rows: 1, width });

/** A cost figure as printf("%.2f") prints it: the nearest, an exact tie to even. */
export function fmtCost(x: number): string {
  // an exact tie (x = k/8 with a third decimal 5: multiplying by 8 is exact in binary) rounds to even; toFixed
  // rounds every other value to the nearest of its exact binary value, as printf does
  if (Number.isInteger(x * 8) && Math.round(x * 1000) % 10 === 5) {
    const hundredths = Math.floor(x * 100);
    return ((hundredths % 2 === 0 ? hundredths : hundredths + 1) / 100).toFixed(2);
  }
  return x.toFixed(2);
}

export const costText = (c: Cost): string => `(cost=${fmtCost(c.startup)}..${fmtCost(c.total)} rows=${Math.round(c.rows)} width=${c.width})`;

/**
 * initial / final_cost_hashjoin for a hash join whose inner (hashed) key is unique (inner_unique): the inner scan
 * and its hashing are startup cost; one hash per outer row; the outer rows expected to match (outer rows x selec)
 * probe a bucket and stop at the first match, the others scan a bucket at a tenth of the cost; cpu_tuple_cost per
 * matched row. virtualBuckets: the Hash's bucket count for the inner rows (nodeHashjoin.ts bucketCount).
 */
export function costHashJoinUniqueInner(o: Cost, i: Cost, selec: number, virtualBuckets: number): Cost {
  const init = initialHashCost(o, i);
  const startup = init.startup;
  let run = init.run;
  // semi-join factors with jselec = the inner join's selectivity
  const matched = rint(o.rows * selec);
  run += CPU_OPERATOR_COST * matched * 1 * 0.5; // clamp_row_est(inner rows x bucket size x 2 / (match_count + 1)) is 1 for a unique key
  run += CPU_OPERATOR_COST * (o.rows - matched) * Math.max(1, rint(i.rows / virtualBuckets)) * 0.05;
  run += CPU_TUPLE_COST * matched;
  return { startup, total: startup + run, rows: clampRowEst(o.rows * i.rows * selec), width: o.width + i.width };
}

/**
 * initial / final_cost_hashjoin for an inner join whose hashed key has no statistics and is not unique
 * (estimate_hash_bucket_stats punts: a bucket holds a tenth of the inner rows): each outer row's probe compares
 * half a bucket — clamp_row_est(inner rows x 0.1) x 0.5 — and cpu_tuple_cost per joined row (approx_tuple_count:
 * outer x inner x selec).
 */
export function costHashJoinDefaultInner(o: Cost, i: Cost, selec: number): Cost {
  return costHashJoinBuckets(o, i, 0.1, clampRowEst(o.rows * i.rows * selec));
}

/**
 * initial / final_cost_hashjoin for a join whose hashed key is not known unique: each outer row's probe compares
 * half a bucket — clamp_row_est(inner rows x bucketFrac) x 0.5 (optimizer/selfuncs.ts estimateHashBucketStats) —
 * and cpu_tuple_cost per joined row (joinTuples: approx_tuple_count, outer x inner x selectivity).
 */
export function costHashJoinBuckets(o: Cost, i: Cost, bucketFrac: number, joinTuples: number): Cost {
  const init = initialHashCost(o, i);
  const startup = init.startup;
  let run = init.run;
  run += CPU_OPERATOR_COST * o.rows * clampRowEst(i.rows * bucketFrac) * 0.5;
  run += CPU_TUPLE_COST * joinTuples;
  return { startup, total: startup + run, rows: joinTuples, width: o.width + i.width };
}

/** cost_material over an input that fits in work_mem: two operator calls a row; a rescan costs one a row. */
export function costMaterial(input: Cost): { mat: Cost; rescanRun: number } {
  const mat: Cost = {
    startup: input.startup, total: input.startup + (input.total - input.startup) + 2 * CPU_OPERATOR_COST * input.rows,
    rows: input.rows, width: input.width };
  return { mat, rescanRun: CPU_OPERATOR_COST * input.rows };
}

/**
 * initial / final_cost_nestloop (not inner_unique): the outer side, the inner side's first pass, (outer rows - 1)
 * rescans (rescanStartup / rescanRun each), and cpu_tuple_cost plus the join quals' operators for every pair.
 */
export function costNestLoopPlain(o: Cost, i: Cost, rescanStartup: number, rescanRun: number, qualOps: number, rows: number): Cost {
  let startup = 0, run = 0;
  startup += o.startup + i.startup;
  run += o.total - o.startup;
  if (o.rows > 1) run += (o.rows - 1) * rescanStartup;
  run += i.total - i.startup;
  if (o.rows > 1) run += (o.rows - 1) * rescanRun;
  const ntuples = o.rows * i.rows;
  let qual = 0;
  for (let k = 0; k < qualOps; k++) qual += CPU_OPERATOR_COST;
  run += (CPU_TUPLE_COST + qual) * ntuples;
  return { startup, total: startup + run, rows, width: o.width + i.width };
}

/**
 * initial / final_cost_mergejoin over a Sort of each input: the scan fractions (selfuncs.ts mergejoinscansel;
 * an outer join reads its preserved side whole) turn into rows skipped before the first pair and read up to the
 * last; the sorts' startup is startup, with the skipped part; the inner side's run is inflated by the rescans of
 * equal outer keys (join rows - inner rows), or materialized when that is cheaper; one comparison per row read,
 * cpu_tuple_cost per joined row (mergeTuples: approx_tuple_count).
 */
export function costMergeJoinSorted(o: Cost, i: Cost, sel: { outerstart: number; outerend: number; innerstart: number; innerend: number },
  mergeTuples: number, rows: number, presorted: { outer?: boolean; inner?: boolean; innerUnique?: boolean } = {},
): { cost: Cost; outerSort: Cost; innerSort: Cost; materialize: boolean } {
  const innerPathRows = i.rows <= 0 ? 1 : i.rows;
  const outerSkip = rint(o.rows * sel.outerstart), innerSkip = rint(i.rows * sel.innerstart);
  const outerRows = clampRowEst(o.rows * sel.outerend), innerRows = clampRowEst(i.rows * sel.innerend);
  const outerstartsel = outerSkip / o.rows, innerstartsel = innerSkip / i.rows;
  const outerendsel = outerRows / o.rows, innerendsel = innerRows / i.rows;
  // an input already in key order (an Index Scan: match_unsorted_outer / generate_mergejoin_paths) is read as it is
  const outerSort = presorted.outer ? o : costSort(o, null), innerSort = presorted.inner ? i : costSort(i, null);
  let startup = 0, run = 0;
  startup += outerSort.startup;
  startup += (outerSort.total - outerSort.startup) * outerstartsel;
  run += (outerSort.total - outerSort.startup) * (outerendsel - outerstartsel);
  startup += innerSort.startup;
  startup += (innerSort.total - innerSort.startup) * innerstartsel;
  const innerRun = (innerSort.total - innerSort.startup) * (innerendsel - innerstartsel);
  // a unique inner key: no outer row comes back to an inner one (skip_mark_restore), so nothing is rescanned
  const rescanned = presorted.innerUnique ? 0 : Math.max(0, mergeTuples - innerPathRows);
  const rescanratio = 1.0 + rescanned / innerRows;
  const bare = innerRun * rescanratio;
  const mat = innerRun + CPU_OPERATOR_COST * innerRows * rescanratio;
  const materialize = !presorted.innerUnique && mat < bare;
  run += materialize ? mat : bare;
  startup += CPU_OPERATOR_COST * (outerSkip + innerSkip * rescanratio);
  run += CPU_OPERATOR_COST * ((outerRows - outerSkip) + (innerRows - innerSkip) * rescanratio);
  run += CPU_TUPLE_COST * mergeTuples;
  return { cost: { startup, total: startup + run, rows, width: o.width + i.width }, outerSort, innerSort, materialize };
}
