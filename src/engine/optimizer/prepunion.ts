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
 * A UNION folds the UNIONs below it into one HashAggregate over all their arms (plan_union_children); an arm that
 * is another set operation counts its estimated rows. A grouped arm's rows are its estimated groups (estimate_num_groups
 * over the GROUP BY items' columns), times DEFAULT_INEQ_SEL for each HAVING comparison of an aggregate with a
 * constant (cost_agg); a SELECT DISTINCT arm's rows its groups; window functions keep their input's rows.
 * Simplifications: each leaf arm a SELECT from one table (its WHERE estimated by clausesel.ts) of columns,
 * expressions, aggregates or window functions, or of constants — other shapes (joins, subqueries, HAVING of other
 * forms) keep the first-occurrence order (executor/nodeSetOp.ts says so); no Sort
 * + Unique / sorted SetOp for inputs too large to hash (choose_hashed_setop's cost choice is made: tiny inputs sort).
 */
import type { Table } from '../catalog/catalog.js';
import { estimateRelSize, clampRowEst } from './plancat.js';
import { plannerIndexes } from '../catalog/catalogsnapshot.js';
import { intConst } from '../sql/parser.js';
import { whereSelectivity, estimateNumGroups } from './clausesel.js';
import { costSort, costHashAgg, CPU_OPERATOR_COST } from './costsize.js';

type N = Record<string, any>;

/**
 * One arm of a set operation the planner can size: its table, its output columns (table column numbers; `plain`
 * false when some output is an expression or an aggregate — EXPLAIN then refuses), its estimated rows and groups.
 */
export interface SetOpArm { table: Table | null; alias: string | null; cols: number[]; plain: boolean; rows: number; groups: number }

const AGGREGATES = new Set(['count', 'sum', 'avg', 'min', 'max', 'bool_and', 'bool_or', 'every', 'string_agg', 'array_agg', 'stddev', 'stddev_samp',
  'stddev_pop', 'variance', 'var_samp', 'var_pop']);
const isAggCall = (x: N) => !!x.FuncCall && !x.FuncCall.over && AGGREGATES.has((x.FuncCall.funcname as N[]).at(-1)?.String?.sval);

/** Does the tree hold a node `pred` accepts (not looking into sublinks: those refuse the arm anyway)? */
function has(x: unknown, pred: (o: N) => boolean): boolean {
  if (!x || typeof x !== 'object') return false;
  if (Array.isArray(x)) return x.some((y) => has(y, pred));
  const o = x as N;
  return pred(o) || Object.values(o).some((v) => has(v, pred));
}

/**
 * The arm as the planner sizes it (recurse_set_operations: the arm's rows, and estimate_num_groups over its output
 * expressions — the columns they read), or null when it is not a SELECT from one plain table or of constants.
 * An arm of aggregates without GROUP BY is one row, one group. `table` resolves the FROM item to a plain table
 * (null: a view, a WITH query, a system relation, a partitioned table).
 */
export function setOpArm(arm: N, table: (rv: N) => Table | null): SetOpArm | null {
  if (arm?.op && arm.op !== 'SETOP_NONE') return nestedArm(arm, table);
  if (!arm || arm.withClause || arm.sortClause?.length || arm.limitCount || arm.limitOffset || arm.windowClause?.length || arm.lockingClause?.length
    || arm.valuesLists || arm.groupingSets) return null;
  const grouped = !!arm.groupClause?.length;
  // DISTINCT ON, or HAVING without GROUP BY: not sized
  if ((arm.havingClause && !grouped) || (arm.distinctClause && (arm.distinctClause as N[]).some((x) => x && Object.keys(x).length))) return null;
  const targets = ((arm.targetList ?? []) as N[]).map((rt) => rt.ResTarget?.val as N);
  if (has([targets, arm.whereClause, arm.groupClause, arm.havingClause], (o) => !!o.SubLink || !!o.A_Star || !!o.GroupingSet)) return null;
  const windowed = has(targets, (o) => !!o.FuncCall?.over);
  if (windowed && (grouped || arm.distinctClause || has(targets, isAggCall))) return null;
  const from = arm.fromClause as N[] | undefined;
  // SELECT of constants without FROM: a Result, one row
  if (!from?.length && !arm.whereClause && !grouped && !arm.distinctClause && !has(targets, (o) => !!o.ColumnRef || !!o.FuncCall)) {
    return { table: null, alias: null, cols: [], plain: false, rows: 1, groups: 1 };
  }
  if (from?.length !== 1 || !from[0]!.RangeVar) return null;
  const t = table(from[0]!.RangeVar);
  if (!t || t.partKey) return null;
  const alias = from[0]!.RangeVar.alias?.aliasname ?? null;
  const colOf = (f: N[]): number => {
    if (!f.every((x) => x.String) || f.length > 2) return -2;
    if (f.length === 2 && f[0]!.String.sval !== (alias ?? t.name)) return -2;
    return t.columns.findIndex((x) => !x.dropped && x.name === f[f.length - 1]!.String.sval);
  };
  /** pull_var_clause (recursing into aggregates and window functions): the columns an expression reads; null: one not of the table */
  const readOf = (x: N): number[] | null => {
    const out: number[] = [];
    let bad = false;
    has(x, (o) => { if (o.ColumnRef) { const c = colOf(o.ColumnRef.fields as N[]); if (c < 0) bad = true; else out.push(c); } return false; });
    return bad ? null : out;
  };
  const cols: number[] = [], read: number[] = [];
  let plain = !grouped && !arm.distinctClause && !windowed;
  for (const v of targets) {
    const f = v?.ColumnRef?.fields as N[] | undefined;
    if (f) { const c = colOf(f); if (c < 0) return null; cols.push(c); read.push(c); continue; }
    plain = false;
    const r = readOf(v);
    if (!r) return null;
    read.push(...r);
  }
  const tuples = estimateRelSize(t).tuples;
  const ws = whereSelectivity(t, tuples, arm.whereClause);
  if (!ws) return null;
  if (grouped) {
    // the grouped rel's rows: estimate_num_groups over the GROUP BY items' columns (a constant item adds nothing),
    // times the HAVING clause's selectivity (cost_agg); recurse_set_operations takes those rows as its groups too
    const items = (arm.groupClause as N[]).map((g) => groupItem(g, targets, arm.targetList as N[]));
    if (items.some((g) => !g)) return null;
    // an analyzed table's expression index: PostgreSQL would use that expression's statistics (not modelled)
    if (t.stats && items.some((g) => !g!.ColumnRef) && plannerIndexes(t).some((i) => i.def?.exprs.length)) return null;
    const gcols: number[] = [];
    for (const g of items) { const r = readOf(g!); if (!r) return null; gcols.push(...r); }
    const groups = gcols.length ? estimateNumGroups(t, gcols, arm.whereClause) : 1;
    if (groups === null) return null;
    const having = arm.havingClause ? havingSelectivity(arm.havingClause) : 1;
    if (having === null) return null;
    const rows = clampRowEst(groups * having);
    return { table: t, alias, cols, plain: false, rows, groups: rows };
  }
  if (has(targets, isAggCall)) {
    return { table: t, alias, cols, plain: false, rows: 1, groups: 1 };
  }
  if (arm.distinctClause && read.length === 0) return { table: t, alias, cols, plain: false, rows: 1, groups: 1 };
  const rows = clampRowEst(tuples * ws.sel);
  const groups = read.length ? estimateNumGroups(t, read, arm.whereClause) : 1;
  if (groups === null) return null;
  // SELECT DISTINCT: its rows are its groups (recurse_set_operations: the path's rows)
  if (arm.distinctClause) return { table: t, alias, cols, plain: false, rows: groups, groups };
  return { table: t, alias, cols, plain, rows, groups };
}

/** A GROUP BY item as the expression it groups on: a position or an output name read from the select list. */
function groupItem(g: N, targets: N[], targetList: N[]): N | null {
  const pos = g.A_Const?.ival !== undefined ? intConst(g.A_Const) ?? 0 : null;
  if (pos !== null) return targets[pos - 1] ?? null;
  const f = g.ColumnRef?.fields as N[] | undefined;
  if (f?.length === 1 && f[0]!.String) {
    const hit = targetList.find((x) => x.ResTarget?.name === f[0]!.String.sval);
    if (hit) return null; // an output name that may also be a column: not resolved here
  }
  return g;
}

/**
 * clauselist_selectivity of a HAVING clause: an aggregate compared with a constant by an inequality is
 * DEFAULT_INEQ_SEL (examine_variable finds no statistics for an Aggref), AND-ed conditions multiply. null: another shape.
 */
function havingSelectivity(q: N): number | null {
  if (q.BoolExpr?.boolop === 'AND_EXPR') {
    let sel = 1;
    for (const a of q.BoolExpr.args as N[]) { const s = havingSelectivity(a); if (s === null) return null; sel *= s; }
    return sel;
  }
  const e = q.A_Expr;
  if (e?.kind !== 'AEXPR_OP' || e.name?.length !== 1 || !['<', '<=', '>', '>='].includes(e.name[0].String?.sval)) return null;
  const isConst = (x: N | undefined) => !!x?.A_Const && !x.A_Const.isnull;
  const aggSide = isConst(e.rexpr) ? e.lexpr : isConst(e.lexpr) ? e.rexpr : null;
  return aggSide && isAggCall(aggSide) ? DEFAULT_INEQ_SEL : null;
}
const DEFAULT_INEQ_SEL = 1 / 3;

/**
 * An arm that is itself a set operation (recurse_set_operations: its path's rows are its groups):
 * UNION ALL the arms' rows summed, UNION the same ("the worst case"), INTERSECT the smaller group count (ALL: the
 * smaller row count), EXCEPT the left arm's groups (ALL: its rows). EXPLAIN refuses it (plain is false).
 */
function nestedArm(n: N, table: (rv: N) => Table | null): SetOpArm | null {
  if (n.sortClause?.length || n.limitCount || n.limitOffset || n.withClause) return null;
  const l = setOpArm(n.larg, table), r = setOpArm(n.rarg, table);
  if (!l || !r) return null;
  const rows = n.op === 'SETOP_UNION' ? l.rows + r.rows
    : n.op === 'SETOP_INTERSECT' ? (n.all ? Math.min(l.rows, r.rows) : Math.min(l.groups, r.groups))
      : n.all ? l.rows : l.groups;
  return { table: null, alias: null, cols: [], plain: false, rows, groups: rows };
}

/**
 * plan_union_children's rule: a UNION below a UNION folds into its arms when it is the same ALL-ness, or a
 * UNION ALL under a UNION (the column types must match too: the callers check that).
 */
export const unionFolds = (x: N, top: N): boolean => x?.op === 'SETOP_UNION' && (!!x.all === !!top.all || !!x.all);

/** How a hashed set operation reads its arms and sizes its table. */
export interface HashedSetOp {
  /** the arm read first (INTERSECT: the one with fewer groups) */
  first: 'left' | 'right';
  /** the groups the hash table is sized for */
  expected: number;
  /** choose_hashed_setop chose Sort + Unique / a sorted SetOp instead: the rows come out in key order */
  sorted: boolean;
}

/**
 * choose_hashed_setop: the sort (cost_sort over the Append's rows, then one comparison per row and column) against
 * the hash (one hash per row and column, cpu_tuple_cost per group), compared exactly (no fuzz: the input's cost is
 * the same on both sides). Only tiny inputs sort: two rows that may be two groups.
 */
function sortIsCheaper(inputRows: number, groups: number, cols: number): boolean {
  const sort = costSort({ startup: 0, total: 0, rows: inputRows, width: 0 }, null);
  const sortedTotal = sort.total + CPU_OPERATOR_COST * inputRows * cols;
  const hashed = costHashAgg({ startup: 0, total: 0, rows: inputRows, width: 0 }, cols, 0, 0, groups, 0);
  return sortedTotal < hashed.total || (sortedTotal === hashed.total && sort.startup < hashed.startup);
}

/** generate_union_paths / generate_nonunion_paths for two sized arms. */
export function hashedSetOp(op: 'SETOP_UNION' | 'SETOP_INTERSECT' | 'SETOP_EXCEPT', l: SetOpArm, r: SetOpArm, cols: number): HashedSetOp {
  const input = l.rows + r.rows;
  if (op === 'SETOP_UNION') return { first: 'left', expected: input, sorted: sortIsCheaper(input, input, cols) };
  const expected = op === 'SETOP_EXCEPT' ? l.groups : Math.min(l.groups, r.groups);
  return { first: op === 'SETOP_EXCEPT' || l.groups <= r.groups ? 'left' : 'right', expected, sorted: sortIsCheaper(input, expected, cols) };
}
