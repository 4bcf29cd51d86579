/**
 * The plan tree as EXPLAIN prints it (PostgreSQL's nodes/plannodes.h, reduced to what commands/explain.ts prints):
 * one node per line — its name ("Seq Scan on t"), its "Key: value" detail lines, its children under "->" — with
 * the planner's cost estimate and, under ANALYZE, the rows it returned and how many times it ran.
 *
 * A node is data — its type, the fields ExplainNode prints on its first line, its properties — and
 * commands/explainformat.ts writes it in each format (text, JSON, YAML, XML), as explain.c's ExplainNode does
 * through ExplainProperty*.
 *
 * Also the helpers every EXPLAIN module shares: property constructors, a table as a scan target, the 0A000
 * refusal of costs the simulator does not reproduce, an integer literal's value.
 *
 * Simplifications: a node is what EXPLAIN prints of it, not an executable plan (the executor plans and runs on
 * its own, executor/select.ts; EXPLAIN rebuilds the tree from the same choices).
 */
import { notSupported } from '../errors.js';
import { intConst } from '../sql/parser.js';
import type { Cost } from '../optimizer/costsize.js';
import type { N } from '../executor/util.js';
import type { Table } from '../catalog/catalog.js';

/**
 * One property of a node (explain.c's ExplainPropertyText / List / Integer / Float / Bool): a label and a value
 * each format writes in its own way (commands/explainformat.ts). `count` is show_instrumentation_count's figure:
 * text leaves a zero out. `split` is what explain.c writes one way in text and another in the other formats (the
 * Sort's "Sort Method: quicksort  Memory: 25kB" line is three properties in JSON). `analyze`: shown only under
 * ANALYZE, for a node that ran.
 */
export type Prop = (
  | { kind: 'text'; label: string; value: string }
  | { kind: 'list'; label: string; value: string[] }
  | { kind: 'int'; label: string; value: number; unit?: string }
  | { kind: 'float'; label: string; value: number; digits: number; unit?: string }
  | { kind: 'count'; label: string; value: number }
  | { kind: 'bool'; label: string; value: boolean }
  | { kind: 'split'; text: string[]; props: Prop[] }
) & { analyze?: boolean };

/** What a scan (or ModifyTable) reads, as ExplainTargetRel names it: "on t x" in text, its properties elsewhere. */
export interface Target {
  /** the property naming the object ("Relation Name", "Function Name", "CTE Name"); null: none (Subquery / Values Scan) */
  tag: string | null;
  object: string | null;
  /** its schema (printed under VERBOSE) */
  schema?: string;
  /** the range table entry's name: the alias, or the object's own name */
  alias: string;
}

/**
 * One plan node as EXPLAIN prints it: its Node Type and the fields ExplainNode prints before the costs (the
 * strategy of an Aggregate or SetOp, ModifyTable's operation, an index scan's direction and index, the scan
 * target, a join's type, a SetOp's command), then its properties in order, then its children.
 */
export interface PlanNode {
  /** Node Type (explain.c's sname: "Seq Scan", "Aggregate", "Hash Join", "ModifyTable", "SetOp", ...) */
  type: string;
  /** Aggregate: Plain / Sorted / Hashed; SetOp: Sorted / Hashed */
  strategy?: 'Plain' | 'Sorted' | 'Hashed' | 'Mixed';
  /** Aggregate's Partial Mode (always Simple: no parallel query) */
  partialMode?: 'Simple';
  /** ModifyTable: Insert / Update / Delete / Merge */
  operation?: string;
  /** Index Scan / Index Only Scan: the direction and the index; a Bitmap Index Scan has only indexName */
  scanDir?: 'Forward' | 'Backward';
  indexName?: string;
  target?: Target;
  /** joins: Inner / Left / Right / Full */
  joinType?: string;
  /** a join's inner side proven unique for the join (innerrel_is_unique); null: not known here */
  innerUnique?: boolean | null;
  /** SetOp: Intersect / Except [All] */
  command?: string;
  /** a join's conditions as written (its key equality, join filter, upper filter): VERBOSE's Output reads their columns */
  joinQuals?: N[];
  /** EXPLAIN VERBOSE's Output (explainverbose.ts); null: the node has no target list; absent: not worked out */
  output?: string[] | null;
  /** the "Key: value" properties, in ExplainNode's order */
  props: Prop[];
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

export const node = (type: string, props: Prop[] = [], children: PlanNode[] = [], head: Partial<PlanNode> = {}): PlanNode =>
  ({ type, ...head, props, children, rows: null });

export const textProp = (label: string, value: string): Prop => ({ kind: 'text', label, value });
export const listProp = (label: string, value: string[]): Prop => ({ kind: 'list', label, value });
/** show_instrumentation_count: a row count under ANALYZE ("Rows Removed by Filter"), left out of text when zero */
export const countProp = (label: string, value: number): Prop => ({ kind: 'count', label, value, analyze: true });
/** the text of a node's text property (its Filter, ...), or null */
export const propText = (p: PlanNode, label: string): string | null => {
  const x = p.props.find((y) => y.kind === 'text' && y.label === label);
  return x && x.kind === 'text' ? x.value : null;
};
/** add an ANALYZE property right after the property `after` (ExplainNode's order), or at the end */
export function addAfter(p: PlanNode, after: string | null, prop: Prop) {
  const i = after === null ? -1 : p.props.findIndex((y) => 'label' in y && y.label === after);
  if (i < 0) p.props.push(prop); else p.props.splice(i + 1, 0, prop);
}

/** "Sort Method: quicksort  Memory: 25kB" (show_sort_info; three properties outside text) */
export const sortMethodProp = (method: string, kb: number): Prop => ({
  kind: 'split', analyze: true, text: [`Sort Method: ${method}  Memory: ${kb}kB`],
  props: [{ kind: 'text', label: 'Sort Method', value: method }, { kind: 'int', label: 'Sort Space Used', value: kb, unit: 'kB' }, { kind: 'text', label: 'Sort Space Type', value: 'Memory' }],
});

/** Append over its members; outside text it says how many members run-time pruning removed (none here) */
export const appendNode = (members: PlanNode[]) => node('Append', [{ kind: 'split', text: [], props: [{ kind: 'int', label: 'Subplans Removed', value: 0 }] }], members);

/** A table as a scan target: "Relation Name" t, its schema, the alias (or the table's own name). */
export const relTarget = (t: Table, alias: string | null): Target => ({ tag: 'Relation Name', object: t.name, schema: t.nsp?.name ?? t.temp?.schema ?? 'public', alias: alias ?? t.name });

/** EXPLAIN's output format (explain.c ExplainFormat) */
export type Format = 'text' | 'json' | 'yaml' | 'xml';

export interface Options { analyze: boolean; summary: boolean; costs: boolean; format: Format; verbose: boolean }

export const noCosts = (what: string) =>
  notSupported(`EXPLAIN with costs of ${what} (the simulator reproduces costsize.c for Seq Scan, a unique Index Scan, Aggregate, HashAggregate, Sort, Limit, Result, LockRows, ModifyTable and the joins of two plain tables it plans; use EXPLAIN (COSTS OFF))`);

export const intConstOrNull = (x: N): number | null =>
  (x.A_Const && !x.A_Const.isnull && !x.A_Const.sval && !x.A_Const.fval && !x.A_Const.boolval ? intConst(x.A_Const) ?? null : null);
