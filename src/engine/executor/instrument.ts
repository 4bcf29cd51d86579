/**
 * Instrumentation for EXPLAIN ANALYZE (PostgreSQL's executor/instrument.c): while a statement runs under EXPLAIN
 * ANALYZE, each plan node counts the rows it returns ("actual rows=N loops=1") and a scan counts the visible rows
 * its filter removed ("Rows Removed by Filter: N").
 *
 *     Limit (actual rows=2 loops=1)
 *       ->  Seq Scan on t (actual rows=2 loops=1)    -- the Limit stopped pulling after two rows
 *
 * The simulator's executor produces a scan's rows all at once, so a node under a Limit reports the rows the Limit
 * pulled from it (what PostgreSQL's demand-driven executor would have produced), and the filter count up to
 * the last row pulled (removedBefore). Simplifications: no timing (the virtual clock does not move during a
 * statement), no buffer counts.
 */
import type { ScanPath } from '../optimizer/planner.js';
import type { Scope } from '../sql/expr.js';
import type { JoinPlan } from '../optimizer/joinpath.js';
import type { SqlType, Value } from '../sql/types.js';

/** What a scan node counts (InstrStopNode's tuple counts, nfiltered1). */
export interface ScanInstr {
  /** rows the scan returned */
  rows: number;
  /** visible rows the filter removed; removedBefore[i]: how many before the i-th returned row */
  removed: number;
  removedBefore: number[];
  /** TIDs the Bitmap Index Scan returned; distinct heap blocks the bitmap heap scan read */
  indexRows: number;
  heapBlocks: number;
  /** the path the scan ran */
  path: ScanPath | null;
  /** an Append's members, each counted as its own scan (executor/scan.ts appendScan) */
  members?: ScanInstr[];
  /** the Append was pulled from (a LIMIT 0 above never pulls: EXPLAIN ANALYZE prints "never executed") */
  appendStarted?: boolean;
}

export const newScanInstr = (): ScanInstr => ({ rows: 0, removed: 0, removedBefore: [], indexRows: 0, heapBlocks: 0, path: null });

/** What a top-level SELECT counts above its scan. */
export interface QueryInstr {
  scan: ScanInstr;
  path: ScanPath | null;
  /** rows the aggregate returned (or the scan, without grouping): the input of Sort / the final loop */
  belowSort: number;
  /** rows the final loop (LockRows / Unique / Limit) pulled from below */
  pulled: number;
  /** groups HAVING removed */
  groupsRemoved: number;
  /** rows LockRows locked */
  locked: number;
  /** distinct rows a DISTINCT produced */
  distinct: number;
  /** GROUP BY runs as a GroupAggregate over a Sort, not a HashAggregate (optimizer/distinctpaths.ts) */
  groupSorted?: boolean;
  /** GROUP BY items (their positions in the clause) the planner drops as keys: a grouped primary key's table's other columns */
  groupUseless?: Set<number>;
  /** GROUP BY with grouping sets or (): the grouping expressions as written, each once (ref order) */
  groupKeyNodes?: Record<string, any>[];
  /** the grouping sets' Agg passes (optimizer/groupingsets.ts), for EXPLAIN */
  groupingSets?: import('../optimizer/groupingsets.js').GroupingSetsPlan;
  /** the DISTINCT is a Unique over a Sort, not a HashAggregate (optimizer/distinctpaths.ts) */
  distinctSorted?: boolean;
  /** a source without a table (Result, Function Scan): rows it produced, rows its filter removed */
  fastRows: number;
  fastRemoved: number;
  /** the final loop stopped because LIMIT was reached */
  limitHit: boolean;
  /** EXPLAIN without ANALYZE: analyze and plan the query (errors included), run nothing */
  planOnly: boolean;
  scope: Scope | null;
  /** an inheritance parent's members, the parent first, each scanned in turn (optimizer/inherit.ts) */
  inhMembers?: import('../catalog/catalog.js').Table[];
  /** a partitioned table's leaves left after plan-time pruning, in the order the Append reads them (execPartition.ts) */
  partLeaves?: import('../catalog/catalog.js').Table[];
  /** the join tree of a FROM with joins (optimizer/joinpath.ts) */
  joinPlan: JoinPlan | null;
  /** the Sort's tuples in sorted order (the select list and its resjunk keys) with their types; null: not modelled */
  sortTuples?: () => { rows: Value[][]; types: SqlType[] } | null;
}

export const newQueryInstr = (): QueryInstr => ({ scan: newScanInstr(), path: null, belowSort: 0, groupsRemoved: 0, pulled: 0, locked: 0, distinct: 0,
  fastRows: 0, fastRemoved: 0, limitHit: false, planOnly: false, scope: null, joinPlan: null });
