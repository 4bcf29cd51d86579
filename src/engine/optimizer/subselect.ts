/**
 * What the planner makes of a subquery in WHERE (PostgreSQL's optimizer/prep/prepjointree.c pull_up_sublinks and
 * optimizer/plan/subselect.c make_subplan), and so how much of the table it is expected to let through
 * (clausesel.c clause_selectivity):
 *
 *     a WHERE condition of its own (the clause, or an argument of its top-level AND):
 *       EXISTS (... correlated in its WHERE ...)      pulled up into a semi join; NOT EXISTS an anti join
 *       x IN (SELECT ... uncorrelated ...)            pulled up into a semi join (convert_ANY_sublink_to_join)
 *       [NOT] EXISTS (... uncorrelated ...)           an InitPlan whose result $0 gates the whole scan: a Result's
 *                                                     `One-Time Filter: $0`. The qual is pseudoconstant, so it
 *                                                     does not change the scan's rows (selectivity 1)
 *     anything else — correlated IN, NOT IN, ANY / ALL with an operator, EXISTS under OR or with aggregates —
 *                                                     a SubPlan (hashed or not) tested per row: selectivity 0.5,
 *                                                     clause_selectivity's fixed guess ("Just for the moment!
 *                                                     FIX ME!"), its NOT 1 - 0.5
 *
 * Correlation is read from the raw parse tree: a column reference the subquery's own FROM items do not name.
 * Simplifications: an unqualified column name that the outer table also has is not resolved (not estimated:
 * null); semi and anti joins are not estimated here (null: the caller treats the plan as unmodelled).
 */
import type { Table } from '../catalog/catalog.js';
import { plannerTableByName } from '../catalog/catalogsnapshot.js';
import { contains, type N } from './parsetree.js';
import { estimateRelSize, clampRowEst } from './plancat.js';
import { costSeqScan, CPU_OPERATOR_COST } from './costsize.js';
import { whereSelectivity } from './clausesel.js';

/** The names a SELECT's FROM items offer (aliases, else table names), recursively through joins. */
function fromNames(from: N[] | undefined, out = new Set<string>()): Set<string> {
  for (const f of from ?? []) {
    if (f.RangeVar) out.add(f.RangeVar.alias?.aliasname ?? f.RangeVar.relname);
    else if (f.RangeSubselect || f.RangeFunction) {
      const a = (f.RangeSubselect ?? f.RangeFunction).alias?.aliasname;
      if (!a) return new Set(['\0unknown']);
      out.add(a);
    } else if (f.JoinExpr) {
      if (f.JoinExpr.alias) out.add(f.JoinExpr.alias.aliasname);
      fromNames([f.JoinExpr.larg, f.JoinExpr.rarg], out);
    } else return new Set(['\0unknown']);
  }
  return out;
}

/**
 * Does this part of a subquery name a column of the query around it? true / false, or null when it cannot tell
 * (an unqualified name the outer table also has, a FROM item without a name). `inner`: the names the subquery's
 * levels offer; `outerCols`: the outer table's column names.
 */
function refersOutside(x: unknown, inner: Set<string>, outerCols: Set<string>): boolean | null {
  if (!x || typeof x !== 'object') return false;
  if (Array.isArray(x)) {
    let r: boolean | null = false;
    for (const y of x) { const v = refersOutside(y, inner, outerCols); if (v) return true; if (v === null) r = null; }
    return r;
  }
  const o = x as N;
  if (o.SelectStmt) {
    const q = o.SelectStmt as N;
    if (q.op && q.op !== 'SETOP_NONE') return refersOutside([q.larg && { SelectStmt: q.larg }, q.rarg && { SelectStmt: q.rarg }], inner, outerCols);
    const names = fromNames(q.fromClause, new Set(inner));
    if (names.has('\0unknown')) return null;
    return refersOutside([q.targetList, q.fromClause, q.whereClause, q.groupClause, q.havingClause, q.sortClause, q.limitCount], names, outerCols);
  }
  if (o.ColumnRef) {
    const f = o.ColumnRef.fields as N[];
    if (f.length === 2 && f[0]!.String) return !inner.has(f[0]!.String.sval as string);
    if (f.length === 1 && f[0]!.String) return outerCols.has(f[0]!.String.sval as string) ? null : false;
    if (f.length === 1 && f[0]!.A_Star) return false;
    return null;
  }
  if (o.RangeVar) return false;
  let r: boolean | null = false;
  for (const v of Object.values(o)) { const w = refersOutside(v, inner, outerCols); if (w) return true; if (w === null) r = null; }
  return r;
}

/** Is the subquery correlated (does it read the outer query's columns)? null: cannot tell. */
export function sublinkCorrelated(link: N, t: Table): boolean | null {
  const outerCols = new Set(t.columns.filter((c) => !c.dropped).map((c) => c.name));
  return refersOutside({ SelectStmt: link.subselect.SelectStmt }, new Set(), outerCols);
}


/**
 * cost_subplan for an uncorrelated subquery reading one table with a Seq Scan (no aggregates, grouping, ordering):
 * its per-row cost in cpu_operator_cost units. Hashed (`NOT IN`, an `IN` under OR): the table is built once — its
 * cost is startup, left out here — and each row pays the comparison. Not hashed (ANY / ALL with another operator):
 * the plan is materialized (build_subplan's Material over an uncorrelated subplan) and each row is charged half its
 * run cost and a cpu_operator_cost for half its rows, plus the comparison. null: not modelled.
 */
function subplanOps(link: N, hashed: boolean): number | null {
  const q = link.subselect.SelectStmt as N;
  const from = q.fromClause as N[] | undefined;
  if (from?.length !== 1 || !from[0]!.RangeVar || from[0]!.RangeVar.schemaname || q.groupClause || q.havingClause || q.sortClause
    || q.distinctClause || q.limitCount || q.limitOffset || q.withClause || contains(q.targetList, (o) => !!o.FuncCall || !!o.SubLink)) return null;
  const testOps = link.testexpr && !link.testexpr.RowExpr ? 1 : null;
  if (testOps === null) return null;
  if (hashed) return testOps;
  const inner = plannerTableByName(from[0]!.RangeVar.relname as string);
  if (!inner) return null;
  const size = estimateRelSize(inner);
  const ws = whereSelectivity(inner, size.tuples, q.whereClause);
  if (!ws) return null;
  const rows = clampRowEst(size.tuples * ws.sel);
  const scan = costSeqScan(size.pages, size.tuples, ws.ops, rows, size.width);
  const material = scan.total + 2 * CPU_OPERATOR_COST * rows; // cost_material
  return testOps + (0.5 * material + 0.5 * rows * CPU_OPERATOR_COST) / CPU_OPERATOR_COST;
}

/**
 * The selectivity of a WHERE condition that is a subquery test (`EXISTS (...)`, `x IN (SELECT ...)`, `x op ALL
 * (SELECT ...)`) or its NOT; `topLevel`: the condition is the WHERE clause or an argument of its top-level AND.
 * undefined: not a subquery test; null: a semi / anti join or a case the simulator does not estimate.
 */
export function sublinkSelectivity(q: N, t: Table, topLevel: boolean): { sel: number; ops: number } | null | undefined {
  const neg = q.BoolExpr?.boolop === 'NOT_EXPR' && q.BoolExpr.args?.length === 1;
  const link = (neg ? q.BoolExpr.args[0] : q).SubLink as N | undefined;
  if (!link || !link.subselect?.SelectStmt) return undefined;
  const correlated = sublinkCorrelated(link, t);
  if (correlated === null) return null;
  const subplan = (hashed: boolean) => { const ops = correlated ? null : subplanOps(link, hashed); return ops === null ? null : { sel: 0.5, ops }; };
  switch (link.subLinkType) {
    case 'EXISTS_SUBLINK': {
      if (!correlated) return topLevel ? { sel: 1, ops: 0 } : null; // an InitPlan's $0: a pseudoconstant gating qual
      return null; // a semi / anti join, or a correlated SubPlan (its cost is not modelled)
    }
    case 'ANY_SUBLINK': {
      // IN (SELECT ...) uncorrelated, as a condition of its own: a semi join
      if (!correlated && topLevel && !neg) return null;
      // `=` hashes (NOT IN, an IN under OR); another operator rescans the materialized rows
      const op = (link.operName as N[] | undefined)?.map((x) => x.String?.sval).pop() ?? '=';
      return subplan(op === '=');
    }
    case 'ALL_SUBLINK':
      return subplan(false);
    default:
      return null;
  }
}
