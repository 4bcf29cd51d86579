/**
 * Set operations as the planner builds them (PostgreSQL's optimizer/prep/prepunion.c): UNION ALL is an Append of
 * the arms (their rows one after the other); UNION a HashAggregate over that Append, grouping on every output
 * column; INTERSECT / EXCEPT a HashSetOp over an Append whose rows carry which arm they came from. The hashed
 * nodes return their groups in hash table order (executor/execGrouping.ts), which is the row order without ORDER
 * BY — so the sizes the planner gave the tables matter:
 *
 *   - UNION: as many groups as input rows (generate_union_paths: "the worst case"), the arms' row estimates summed;
 *   - INTERSECT / EXCEPT: each arm's estimate_num_groups over its output columns (recurse_set_operations). EXCEPT
 *     reads its left arm first; INTERSECT the arm with fewer groups (the left one on a tie). The table holds the
 *     first arm's groups only (setop_fill_hash_table: the second arm's rows only count into existing groups),
 *     sized for that arm's groups (EXCEPT) or the smaller count (INTERSECT).
 *
 *     t(k PRIMARY KEY) 5 rows, u(w) 3 rows, never analyzed (2,260 estimated rows each):
 *     SELECT k FROM t INTERSECT SELECT w FROM u   ->  u first (200 groups assumed for w, t.k unique: 2,260)
 *
 * Simplifications: only two arms, each a SELECT of plain columns from one table (its WHERE estimated by
 * clausesel.ts) — other shapes keep the first-occurrence order (executor/nodeSetOp.ts says so); no Sort + Unique /
 * sorted SetOp (PostgreSQL's choice for inputs too large to hash).
 */
import type { Table } from '../catalog/catalog.js';
import { estimateRelSize, clampRowEst } from './plancat.js';
import { whereSelectivity, estimateNumGroups } from './clausesel.js';

type N = Record<string, any>;

/** One arm of a set operation the planner can size: its table, its output columns (table column numbers), estimates. */
export interface SetOpArm { table: Table; alias: string | null; cols: number[]; rows: number; groups: number }

/**
 * The arm as the planner sizes it, or null when it is not a plain SELECT of columns from one table. `table`
 * resolves the FROM item to a plain table (null: a view, a WITH query, a system relation, a partitioned table).
 */
export function setOpArm(arm: N, table: (rv: N) => Table | null): SetOpArm | null {
  if (!arm || (arm.op && arm.op !== 'SETOP_NONE') || arm.withClause || arm.groupClause?.length || arm.havingClause || arm.distinctClause
    || arm.sortClause?.length || arm.limitCount || arm.limitOffset || arm.windowClause?.length || arm.lockingClause?.length || arm.valuesLists) return null;
  const from = arm.fromClause as N[] | undefined;
  if (from?.length !== 1 || !from[0]!.RangeVar) return null;
  const t = table(from[0]!.RangeVar);
  if (!t || t.partKey) return null;
  const alias = from[0]!.RangeVar.alias?.aliasname ?? null;
  const cols: number[] = [];
  for (const rt of (arm.targetList ?? []) as N[]) {
    const f = rt.ResTarget?.val?.ColumnRef?.fields as N[] | undefined;
    if (!f || !f.every((x) => x.String) || f.length > 2) return null;
    if (f.length === 2 && f[0]!.String.sval !== (alias ?? t.name)) return null;
    const c = t.columns.findIndex((x) => !x.dropped && x.name === f[f.length - 1]!.String.sval);
    if (c < 0) return null;
    cols.push(c);
  }
  const tuples = estimateRelSize(t).tuples;
  const ws = whereSelectivity(t, tuples, arm.whereClause);
  const groups = estimateNumGroups(t, cols, arm.whereClause);
  if (!ws || groups === null) return null;
  return { table: t, alias, cols, rows: clampRowEst(tuples * ws.sel), groups };
}

/** How a hashed set operation reads its arms and sizes its table. */
export interface HashedSetOp {
  /** the arm read first (INTERSECT: the one with fewer groups) */
  first: 'left' | 'right';
  /** the groups the hash table is sized for */
  expected: number;
}

/** generate_union_paths / generate_nonunion_paths for two sized arms. */
export function hashedSetOp(op: 'SETOP_UNION' | 'SETOP_INTERSECT' | 'SETOP_EXCEPT', l: SetOpArm, r: SetOpArm): HashedSetOp {
  if (op === 'SETOP_UNION') return { first: 'left', expected: l.rows + r.rows };
  if (op === 'SETOP_EXCEPT') return { first: 'left', expected: l.groups };
  return { first: l.groups <= r.groups ? 'left' : 'right', expected: Math.min(l.groups, r.groups) };
}
