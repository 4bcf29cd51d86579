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
 * A semi join keeps outer rows x eqjoinsel_semi (optimizer/selfuncs.ts), an anti join outer rows x (1 - it):
 *
 *     t1 (334 rows, a: 16 values) WHERE EXISTS (SELECT 1 FROM t2 s WHERE s.a = r.a)   Hash Semi Join  rows=98
 *
 * Correlation is read from the raw parse tree: a column reference the subquery's own FROM items do not name.
 * Simplifications: an unqualified column name that the outer table also has is not resolved (not estimated:
 * null); semi and anti joins are estimated only for a query of one table over a subquery of one table with one
 * equality as its correlation (else null: the caller treats the plan as unmodelled); the semi join's own cost
 * is not added to the input of the grouping above it; a correlated EXISTS that stays a SubPlan is not estimated.
 */
import type { Table } from '../catalog/catalog.js';
import { plannerTableByName, plannerIndexes } from '../catalog/catalogsnapshot.js';
import { contains, type N } from './parsetree.js';
import { estimateRelSize, clampRowEst } from './plancat.js';
import { costSeqScan, CPU_OPERATOR_COST } from './costsize.js';
import { eqjoinselSemi } from './selfuncs.js';

/** clausesel.ts whereSelectivity, handed in by its caller (clausesel.ts calls this module: no import back) */
export type WhereSel = (t: Table, tuples: number, where: N | undefined) => { sel: number; ops: number } | null;

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
 * cost_subplan for a subquery reading one table with a Seq Scan (no aggregates, grouping, ordering): its per-row
 * cost in cpu_operator_cost units. Hashed (`NOT IN`, an `IN` under OR, uncorrelated): the table is built once —
 * its cost is startup, left out here — and each row pays the comparison. Not hashed (ANY / ALL with another
 * operator, or correlated): each row is charged half the plan's run cost and a cpu_operator_cost for half its rows,
 * plus the comparison; an uncorrelated plan is materialized first (build_subplan's Material). A correlated
 * subquery's outer columns are Params there (var_eq_non_const); an index on a column compared with one would be
 * probed instead (not modelled: null). null: not modelled.
 */
function subplanOps(link: N, hashed: boolean, correlated: boolean, whereSelectivity: WhereSel): number | null {
  const q = link.subselect.SelectStmt as N;
  const from = q.fromClause as N[] | undefined;
  if (from?.length !== 1 || !from[0]!.RangeVar || from[0]!.RangeVar.schemaname || q.groupClause || q.havingClause || q.sortClause
    || q.distinctClause || q.limitCount || q.limitOffset || q.withClause || contains(q.targetList, (o) => !!o.FuncCall || !!o.SubLink)) return null;
  const testOps = link.testexpr && !link.testexpr.RowExpr ? 1 : null;
  if (testOps === null) return null;
  if (hashed && !correlated) return testOps;
  const rv = from[0]!.RangeVar;
  const inner = plannerTableByName(rv.relname as string);
  if (!inner) return null;
  let where = q.whereClause as N | undefined;
  if (correlated) {
    const innerName = (rv.alias?.aliasname ?? rv.relname) as string;
    const own = new Set(inner.columns.filter((c) => !c.dropped).map((c) => c.name));
    const isOuter = (cr: N): boolean | null => {
      const f = cr.fields as N[];
      if (!f.every((y) => y.String) || f.length > 2) return null;
      return f.length === 2 ? f[0]!.String.sval !== innerName : !own.has(f[0]!.String.sval);
    };
    if (contains(q.targetList, (o) => !!o.ColumnRef && isOuter(o.ColumnRef) !== false)) return null;
    let unsure = false;
    const swap = (x: unknown): unknown => {
      if (Array.isArray(x)) return x.map(swap);
      if (!x || typeof x !== 'object') return x;
      const o = x as N;
      if (o.SubLink) { unsure = true; return o; }
      if (o.ColumnRef) { const r = isOuter(o.ColumnRef); if (r === null) unsure = true; return r ? { OuterParam: {} } : o; }
      return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, swap(v)]));
    };
    where = swap(where) as N | undefined;
    if (unsure) return null;
    // an index whose first column meets a Param: PostgreSQL would probe it
    const probed = new Set<number>();
    contains(where, (o) => {
      const e = o.A_Expr;
      if (e?.kind !== 'AEXPR_OP') return false;
      for (const [a, b] of [[e.lexpr, e.rexpr], [e.rexpr, e.lexpr]] as N[][]) {
        if (!b?.OuterParam || !a?.ColumnRef) continue;
        const nm = lastName(a.ColumnRef), i = inner.columns.findIndex((c) => c.name === nm);
        if (i >= 0) probed.add(i);
      }
      return false;
    });
    if (plannerIndexes(inner).some((i) => probed.has(i.columns[0]!))) return null;
  }
  const size = estimateRelSize(inner);
  const ws = whereSelectivity(inner, size.tuples, where);
  if (!ws) return null;
  const rows = clampRowEst(size.tuples * ws.sel);
  const scan = costSeqScan(size.pages, size.tuples, ws.ops, rows, size.width);
  const run = correlated ? scan.total : scan.total + 2 * CPU_OPERATOR_COST * rows; // cost_material when uncorrelated
  return testOps + (0.5 * run + 0.5 * rows * CPU_OPERATOR_COST) / CPU_OPERATOR_COST;
}

const DEFAULT_INEQ_SEL = 1 / 3;
const AGGREGATES = new Set(['count', 'sum', 'avg', 'min', 'max', 'bool_and', 'bool_or', 'every', 'string_agg', 'array_agg', 'json_agg', 'jsonb_agg']);
const isAggregate = (f: N) => AGGREGATES.has((f.funcname as N[]).map((y) => y.String?.sval).pop());
const lastName = (cr: N) => { const f = cr.fields as N[]; return f[f.length - 1]?.String?.sval as string | undefined; };
const andArgs = (w: N | undefined): N[] => (!w ? [] : w.BoolExpr?.boolop === 'AND_EXPR' ? (w.BoolExpr.args as N[]).flatMap(andArgs) : [w]);

/**
 * The rows a semi join (anti: `anti`) keeps of the outer table, as a fraction of them (calc_joinrel_size_estimate:
 * outer rows x selectivity; anti: x (1 - it)), for the shapes pull_up_sublinks makes of a subquery reading one
 * table without aggregates, grouping, DISTINCT or LIMIT: `EXISTS` whose WHERE is one equality `inner.col =
 * outer.col` beside conditions on the inner table alone, and `col IN (SELECT inner.col ...)`. The join clause is
 * eqjoinsel_semi for `=` (`<>`: neqjoinsel's 1 - the NULLs' fraction; an inequality DEFAULT_INEQ_SEL); the inner
 * table's own conditions restrict its rows. null: another shape.
 */
function semiJoinSelectivity(link: N, t: Table, anti: boolean, whereSelectivity: WhereSel): number | null {
  const q = link.subselect.SelectStmt as N;
  const from = q.fromClause as N[] | undefined;
  if (from?.length !== 1 || !from[0]!.RangeVar || from[0]!.RangeVar.schemaname || q.groupClause || q.havingClause || q.distinctClause
    || q.limitCount || q.limitOffset || q.withClause || q.windowClause
    || contains(q.targetList, (o) => !!o.SubLink || (!!o.FuncCall && (!!o.FuncCall.over || isAggregate(o.FuncCall))))) return null;
  const rv = from[0]!.RangeVar;
  const inner = plannerTableByName(rv.relname as string);
  if (!inner) return null;
  const innerName = (rv.alias?.aliasname ?? rv.relname) as string;
  const colOf = (tab: Table, name: string | undefined) => (name === undefined ? -1 : tab.columns.findIndex((c) => !c.dropped && c.name === name));
  /** a plain column of the inner table (qualified by its name, or unqualified and the inner table's) */
  const innerCol = (x: N | undefined): number => {
    const f = x?.ColumnRef?.fields as N[] | undefined;
    if (!f || !f.every((y) => y.String) || f.length > 2 || (f.length === 2 && f[0]!.String.sval !== innerName)) return -1;
    return colOf(inner, lastName(x!.ColumnRef));
  };
  /** a plain column of the outer table, qualified by another name (the correlation) */
  const outerCol = (x: N | undefined, qualified: boolean): number => {
    const f = x?.ColumnRef?.fields as N[] | undefined;
    if (!f || !f.every((y) => y.String) || f.length > 2 || (qualified && f.length !== 2)) return -1;
    if (f.length === 2 && f[0]!.String.sval === innerName) return -1;
    return colOf(t, lastName(x!.ColumnRef));
  };
  let join: { outer: number; inner: number; op: string } | null = null;
  const restrictions: N[] = [];
  const outerCols = new Set(t.columns.filter((c) => !c.dropped).map((c) => c.name));
  for (const c of andArgs(q.whereClause)) {
    const refers = refersOutside({ SelectStmt: { fromClause: from, whereClause: c } }, new Set(), outerCols);
    if (refers === null) return null;
    if (!refers) { restrictions.push(c); continue; }
    const e = c.A_Expr;
    if (link.subLinkType !== 'EXISTS_SUBLINK' || join || e?.kind !== 'AEXPR_OP' || e.name?.length !== 1 || e.name[0].String?.sval !== '=') return null;
    let i = innerCol(e.lexpr), o = outerCol(e.rexpr, true);
    if (i < 0 || o < 0) { i = innerCol(e.rexpr); o = outerCol(e.lexpr, true); }
    if (i < 0 || o < 0) return null;
    join = { outer: o, inner: i, op: '=' };
  }
  if (link.subLinkType === 'ANY_SUBLINK') {
    const tl = q.targetList as N[];
    const op = (link.operName as N[] | undefined)?.map((x) => x.String?.sval).pop() ?? '=';
    const i = tl?.length === 1 ? innerCol(tl[0]!.ResTarget.val) : -1, o = outerCol(link.testexpr, false);
    if (i < 0 || o < 0) return null;
    join = { outer: o, inner: i, op };
  }
  if (!join) return null;
  const tt = inner.columns[join.inner]!.type.name, to = t.columns[join.outer]!.type.name;
  if (tt !== to || !['int2', 'int4', 'int8', 'text'].includes(tt)) return null;
  const isize = estimateRelSize(inner), osize = estimateRelSize(t);
  const ws = whereSelectivity(inner, isize.tuples, restrictions.length ? { BoolExpr: { boolop: 'AND_EXPR', args: restrictions } } : undefined);
  if (!ws) return null;
  const innerRows = clampRowEst(isize.tuples * ws.sel);
  const outerVar = { table: t, col: join.outer, tuples: osize.tuples, rows: osize.tuples };
  let sel: number;
  if (join.op === '=') sel = eqjoinselSemi(outerVar, { table: inner, col: join.inner, tuples: isize.tuples, rows: innerRows });
  else if (join.op === '<>' || join.op === '!=') sel = 1 - (t.stats?.columns?.[join.outer]?.nullfrac ?? 0);
  else if (['<', '<=', '>', '>='].includes(join.op)) sel = DEFAULT_INEQ_SEL;
  else return null;
  return anti ? 1 - sel : sel;
}

/**
 * The selectivity of a WHERE condition that is a subquery test (`EXISTS (...)`, `x IN (SELECT ...)`, `x op ALL
 * (SELECT ...)`) or its NOT; `topLevel`: the condition is the WHERE clause or an argument of its top-level AND.
 * undefined: not a subquery test; null: a semi / anti join or a case the simulator does not estimate.
 */
export function sublinkSelectivity(q: N, t: Table, topLevel: boolean, semi: boolean,
  whereSelectivity: WhereSel): { sel: number; ops: number } | null | undefined {
  const neg = q.BoolExpr?.boolop === 'NOT_EXPR' && q.BoolExpr.args?.length === 1;
  const link = (neg ? q.BoolExpr.args[0] : q).SubLink as N | undefined;
  if (!link || !link.subselect?.SelectStmt) return undefined;
  const correlated = sublinkCorrelated(link, t);
  if (correlated === null) return null;
  const subplan = (hashed: boolean) => { const ops = subplanOps(link, hashed, correlated, whereSelectivity); return ops === null ? null : { sel: 0.5, ops }; };
  switch (link.subLinkType) {
    case 'EXISTS_SUBLINK': {
      if (!correlated) return topLevel ? { sel: 1, ops: 0 } : null; // an InitPlan's $0: a pseudoconstant gating qual
      // a semi / anti join (estimated for one outer table), or a correlated SubPlan (its cost is not modelled)
      const s = topLevel && semi ? semiJoinSelectivity(link, t, neg, whereSelectivity) : null;
      return s === null ? null : { sel: s, ops: 0 };
    }
    case 'ANY_SUBLINK': {
      // IN (SELECT ...) uncorrelated, as a condition of its own: a semi join
      if (!correlated && topLevel && !neg) {
        const s = semi ? semiJoinSelectivity(link, t, false, whereSelectivity) : null;
        return s === null ? null : { sel: s, ops: 0 };
      }
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
