/**
 * The plan tree as EXPLAIN prints it (PostgreSQL's nodes/plannodes.h, reduced to what commands/explain.ts prints):
 * one node per line — its name ("Seq Scan on t"), its "Key: value" detail lines, its children under "->" — with
 * the planner's cost estimate and, under ANALYZE, the rows it returned and how many times it ran.
 *
 * Also the helpers every EXPLAIN module shares: a relation's label ("t" or "t x" for an alias), the 0A000 refusal
 * of costs the simulator does not reproduce, an integer literal's value.
 *
 * Simplifications: a node is its printed text, not an executable plan (the executor plans and runs on its own,
 * executor/select.ts; EXPLAIN rebuilds the text from the same choices).
 */
import { notSupported } from '../errors.js';
import { intConst } from '../sql/parser.js';
import type { Cost } from '../optimizer/costsize.js';
import { quoteIdent } from '../optimizer/ruleutils.js';
import type { N } from '../executor/util.js';
import type { Table } from '../catalog/catalog.js';

/** One plan node as EXPLAIN prints it. */
export interface PlanNode {
  name: string;
  /** "Key: value" lines shown with and without ANALYZE */
  details: string[];
  /** lines shown only with ANALYZE (after the details) */
  analyzeDetails: string[];
  children: PlanNode[];
  /** actual rows (ANALYZE) */
  rows: number | null;
  /** the planner's cost estimate (EXPLAIN with costs, optimizer/costsize.ts) */
  cost?: Cost;
  /** how many times the node ran (a nested loop's inner side: once per outer row) */
  loops?: number;
  /** subqueries run once before the node (printed after its details) and per row (after its children): explainsubplan.ts */
  initPlans?: { label: string; plan: PlanNode }[];
  subPlans?: { label: string; plan: PlanNode }[];
}

export const node = (name: string, details: string[] = [], children: PlanNode[] = []): PlanNode =>
  ({ name, details, analyzeDetails: [], children, rows: null });

export interface Options { analyze: boolean; summary: boolean; costs: boolean }

export const relLabel = (t: Table, alias: string | null) => `${quoteIdent(t.name)}${alias && alias !== t.name ? ' ' + quoteIdent(alias) : ''}`;

export const noCosts = (what: string) =>
  notSupported(`EXPLAIN with costs of ${what} (the simulator reproduces costsize.c for Seq Scan, a unique Index Scan, Aggregate, HashAggregate, Sort, Limit, Result, LockRows, ModifyTable and the joins of two plain tables it plans; use EXPLAIN (COSTS OFF))`);

export const intConstOrNull = (x: N): number | null =>
  (x.A_Const && !x.A_Const.isnull && !x.A_Const.sval && !x.A_Const.fval && !x.A_Const.boolval ? intConst(x.A_Const) ?? null : null);
