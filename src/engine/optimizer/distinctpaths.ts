/**
 * How SELECT DISTINCT and GROUP BY are made (PostgreSQL's optimizer/plan/planner.c create_distinct_paths,
 * add_paths_to_grouping_rel). DISTINCT: either a Unique over
 * the input sorted on the DISTINCT columns, or a HashAggregate on them — whichever add_path keeps. The two are
 * costed (costsize.c cost_sort + create_upper_unique_path's one comparison per input row and column, against
 * cost_agg AGG_HASHED's one hash per input row and column and cpu_tuple_cost per group); when their totals are
 * within add_path's 1% fuzz (and the startups too) the sorted one wins on its pathkeys. The order a learner sees
 * without ORDER BY follows: sorted on the columns, or the hash table's (executor/execGrouping.ts).
 *
 *     t1 (10 rows, analyzed), SELECT DISTINCT b FROM t1 WHERE a < 3   (2 rows, 2 groups expected)
 *       Seq Scan 1.125;  Sort 1.135..1.140 + Unique 0.005 = 1.145;  HashAggregate 1.130..1.150
 *       -> totals within 1%, startups within 1%: the sorted path dominates: Unique over Sort
 *     SELECT DISTINCT b FROM t1                                       (10 rows, 4 groups)
 *       Sort + Unique 1.316;  HashAggregate 1.165  -> HashAggregate
 *
 * GROUP BY the same way: a GroupAggregate over the input sorted on the group keys (cost_agg AGG_SORTED: the
 * Sort's startup, then per input row the transition functions and one comparison per key, per group the final
 * function and cpu_tuple_cost) against the HashAggregate (AGG_HASHED: everything but the groups' output before
 * the first group). An aggregate with DISTINCT or ORDER BY inside cannot be hashed at all (planner.c can_hash:
 * numOrderedAggs = 0): always Sort + GroupAggregate, the groups in key order.
 *
 * Simplifications: only over a Seq Scan whose conditions the model estimates (else null: the caller hashes, as
 * before); no presorted input (an index walk in the DISTINCT order), no hash_mem limit (these tables are small);
 * GROUP BY with aggregates whose costs are not modelled keeps the HashAggregate; a HAVING clause costs its
 * operators per group on both paths (cost_agg's quals).
 */
import type { Table } from '../catalog/catalog.js';
import { costSeqScan, costSort, costHashAgg, costSortedAgg, CPU_OPERATOR_COST, type Cost } from './costsize.js';
import { estimateRelSize, clampRowEst } from './plancat.js';
import { whereSelectivity } from './clausesel.js';
import { cheapestPath } from './joinpathcost.js';

type N = Record<string, any>;

/** The Seq Scan below, with its conditions; null when they are not estimated. */
function seqInput(t: Table, where: N | undefined): Cost | null {
  const size = estimateRelSize(t);
  const ws = whereSelectivity(t, size.tuples, where, { sublinks: true, semi: true });
  return ws ? costSeqScan(size.pages, size.tuples, ws.ops, clampRowEst(size.tuples * ws.sel), size.width) : null;
}

/**
 * 'sorted' (Unique over Sort), 'hashed' (HashAggregate), or null when the costs are not modelled. numCols: the
 * DISTINCT columns as written (each hashed); sortCols: the different ones (a column named twice is sorted and compared once).
 */
export function distinctStrategy(t: Table, where: N | undefined, numCols: number, sortCols: number, groups: number): 'sorted' | 'hashed' | null {
  const input = seqInput(t, where);
  if (!input) return null;
  const sort = costSort(input, null);
  const unique = { ...sort, total: sort.total + CPU_OPERATOR_COST * input.rows * sortCols, rows: groups };
  const hash = costHashAgg(input, numCols, 0, 0, groups, input.width);
  // create_distinct_paths adds the sorted path first, then the hashed one
  return cheapestPath<'sorted' | 'hashed'>([{ what: 'sorted', cost: unique, sorted: true }, { what: 'hashed', cost: hash }]).what;
}

/** GROUP BY: 'sorted' (GroupAggregate over Sort) or 'hashed'; transOps / finalOps: the aggregates' function calls. */
export function groupingStrategy(t: Table, where: N | undefined, numCols: number, groups: number, transOps: number, finalOps: number,
  havingOps = 0, orderedByKeys = false): 'sorted' | 'hashed' | null {
  const input = seqInput(t, where);
  if (!input) return null;
  // cost_agg's HAVING: its per-group cost on both (startup 0 for these clauses)
  const having = (c: Cost): Cost => ({ ...c, total: c.total + CPU_OPERATOR_COST * havingOps * groups });
  const sorted = having(costSortedAgg(costSort(input, null), numCols, transOps, finalOps, groups, input.width));
  const hash = having(costHashAgg(input, numCols, transOps, finalOps, groups, input.width));
  // ORDER BY the grouping keys: the GroupAggregate's output is already in that order, the groups of the hash table
  // are sorted by a Sort above it (grouping_planner: each path with what the final ORDER BY still needs)
  if (orderedByKeys) return cheapestPath<'sorted' | 'hashed'>([{ what: 'sorted', cost: sorted, sorted: true }, { what: 'hashed', cost: costSort(hash, null), sorted: true }]).what;
  return cheapestPath<'sorted' | 'hashed'>([{ what: 'sorted', cost: sorted, sorted: true }, { what: 'hashed', cost: hash }]).what;
}
