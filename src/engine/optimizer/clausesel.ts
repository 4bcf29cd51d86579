/**
 * Selectivity of a table's own WHERE conditions (PostgreSQL's optimizer/path/clausesel.c over utils/adt/selfuncs.c
 * eqsel / scalarineqsel): the fraction of the table's rows the planner expects to pass, multiplied over the
 * AND-ed conditions.
 *
 *     col = constant     1 / (distinct values of col): a unique column 1 / rows; without statistics 200 distinct
 *                        values are assumed (DEFAULT_NUM_DISTINCT): 0.005 — 2,260 rows x 0.005 = 11 ("rows=11")
 *     col < constant     1/3 without statistics (DEFAULT_INEQ_SEL)
 *
 * Anything else — a range with statistics (PostgreSQL reads the histogram), two ranges on one column (a range
 * pair), OR, functions, LIKE — is not estimated: null, and the caller treats its plan as one EXPLAIN cannot vouch
 * for (optimizer/joinpath.ts).
 */
import type { Table } from '../catalog/catalog.js';
import { estimateRelSize, columnUnique, clampRowEst } from './plancat.js';

type N = Record<string, any>;

const DEFAULT_NUM_DISTINCT = 200;
const DEFAULT_INEQ_SEL = 1 / 3;
const COMPARISONS = new Set(['<', '<=', '>', '>=']);

export function restrictionSelectivity(t: Table, quals: N[]): number | null {
  let sel = 1;
  const ranged = new Set<number>();
  for (const q of quals) {
    const e = q.A_Expr;
    if (!e || e.kind !== 'AEXPR_OP' || e.name?.length !== 1) return null;
    const op = e.name[0].String?.sval as string;
    const colOf = (x: N | undefined) => {
      const f = x?.ColumnRef?.fields as N[] | undefined;
      if (!f || !f.every((y) => y.String)) return -1;
      return t.columns.findIndex((c) => !c.dropped && c.name === f[f.length - 1]!.String.sval);
    };
    const isConst = (x: N | undefined) => !!x?.A_Const && !x.A_Const.isnull;
    let col = colOf(e.lexpr);
    if (col < 0 || !isConst(e.rexpr)) { col = colOf(e.rexpr); if (col < 0 || !isConst(e.lexpr)) return null; }
    if (op === '=') {
      if (columnUnique(t, col)) { sel *= 1 / Math.max(1, t.stats ? t.stats.reltuples : estimateRelSize(t).tuples); continue; }
      if (t.stats) return null; // var_eq_const reads the MCV list
      sel *= 1 / DEFAULT_NUM_DISTINCT;
    } else if (COMPARISONS.has(op)) {
      if (t.stats || ranged.has(col)) return null; // the histogram, or a range pair (DEFAULT_RANGE_INEQ_SEL)
      ranged.add(col);
      sel *= DEFAULT_INEQ_SEL;
    } else return null;
  }
  return sel;
}

const NEGATED: Record<string, string> = { '<': '>=', '<=': '>', '>': '<=', '>=': '<' };

/**
 * A WHERE clause's selectivity and its evaluation cost in operator calls (cost_qual_eval: one cpu_operator_cost per
 * operator; AND / OR / NOT themselves are free), for the EXPLAIN costs of a scan (optimizer/costsize.ts):
 *
 *     col = c        1 / distinct values (a unique column: 1 / tuples; no statistics: 1/200; after ANALYZE, when
 *                    every value was distinct and none NULL: 1 / reltuples)
 *     col <> c       1 - that
 *     col < c        1/3 without statistics; two bounds on one column (c1 < col AND col < c2): 0.005 together
 *     a OR b         s(a) + s(b) - s(a) s(b)          a AND b   s(a) s(b)
 *
 * null when the clause holds anything else (a range with statistics — PostgreSQL reads the histogram —, a
 * function, IN, LIKE, IS NULL, a column against a column): EXPLAIN then refuses costs rather than guess.
 */
export function whereSelectivity(t: Table, tuples: number, where: N | undefined): { sel: number; ops: number } | null {
  if (!where) return { sel: 1, ops: 0 };
  const colOf = (x: N | undefined) => {
    const f = x?.ColumnRef?.fields as N[] | undefined;
    if (!f || !f.every((y) => y.String) || f.length > 2) return -1;
    return t.columns.findIndex((c) => !c.dropped && c.name === f[f.length - 1]!.String.sval);
  };
  const intConstant = (x: N | undefined) => !!x?.A_Const && !x.A_Const.isnull && !x.A_Const.sval && !x.A_Const.fval && !x.A_Const.boolval;
  const strConstant = (x: N | undefined) => !!x?.A_Const?.sval;
  const eqSel = (col: number): number | null => {
    if (columnUnique(t, col) && !t.stats) return 1 / Math.max(1, tuples);
    if (!t.stats) return 1 / DEFAULT_NUM_DISTINCT;
    if (t.stats.distinct?.[col] === -1 && (t.stats.nullfrac?.[col] ?? 1) === 0) return 1 / Math.max(1, tuples);
    return null;
  };
  /** one comparison `col op const`: its column, operator and selectivity */
  const comparison = (q: N, negate: boolean): { col: number; op: string; sel: number } | null => {
    const e = q.A_Expr;
    if (!e || e.kind !== 'AEXPR_OP' || e.name?.length !== 1 || !e.lexpr) return null;
    let op = e.name[0].String?.sval as string;
    if (op === '!=') op = '<>';
    let col = colOf(e.lexpr), other = e.rexpr;
    if (col < 0) { col = colOf(e.rexpr); other = e.lexpr; if (col >= 0) op = ({ '<': '>', '>': '<', '<=': '>=', '>=': '<=' } as Record<string, string>)[op] ?? op; }
    if (col < 0) return null;
    const type = t.columns[col]!.type.name;
    const okConst = ['int2', 'int4', 'int8'].includes(type) ? intConstant(other) : type === 'text' || type === 'varchar' ? strConstant(other) : false;
    if (!okConst) return null;
    if (negate) { if (op === '=') op = '<>'; else if (op === '<>') op = '='; else if (NEGATED[op]) op = NEGATED[op]!; else return null; }
    if (op === '=' || op === '<>') {
      const s = eqSel(col);
      if (s === null) return null;
      return { col, op, sel: op === '=' ? s : 1 - s };
    }
    if (!COMPARISONS.has(op) || t.stats) return null;
    return { col, op, sel: DEFAULT_INEQ_SEL };
  };
  const clause = (q: N): { sel: number; ops: number } | null => {
    if (q.BoolExpr?.boolop === 'AND_EXPR') return list(q.BoolExpr.args as N[]);
    if (q.BoolExpr?.boolop === 'OR_EXPR') {
      let sel = 0, ops = 0;
      for (const a of q.BoolExpr.args as N[]) { const r = clause(a); if (!r) return null; sel = sel + r.sel - sel * r.sel; ops += r.ops; }
      return { sel, ops };
    }
    if (q.A_Expr?.kind === 'AEXPR_BETWEEN') return null;
    const neg = q.BoolExpr?.boolop === 'NOT_EXPR' && q.BoolExpr.args.length === 1;
    const c = comparison(neg ? q.BoolExpr.args[0] : q, neg);
    return c ? { sel: c.sel, ops: 1 } : null;
  };
  /** clauselist_selectivity: a product, except a lower and an upper bound on one column form a range pair */
  const list = (qs: N[]): { sel: number; ops: number } | null => {
    let sel = 1, ops = 0;
    const ranges = new Map<number, { lo: boolean; hi: boolean }>();
    for (const q of qs) {
      if (q.BoolExpr?.boolop === 'AND_EXPR') { const r = list(q.BoolExpr.args as N[]); if (!r) return null; sel *= r.sel; ops += r.ops; continue; }
      const neg = q.BoolExpr?.boolop === 'NOT_EXPR' && q.BoolExpr.args.length === 1;
      const c = !q.BoolExpr || neg ? comparison(neg ? q.BoolExpr.args[0] : q, neg) : null;
      if (c && COMPARISONS.has(c.op)) {
        const r = ranges.get(c.col) ?? { lo: false, hi: false };
        if (c.op === '>' || c.op === '>=') { if (r.lo) return null; r.lo = true; } else { if (r.hi) return null; r.hi = true; }
        ranges.set(c.col, r);
        ops += 1;
        continue;
      }
      const r = clause(q);
      if (!r) return null;
      sel *= r.sel; ops += r.ops;
    }
    for (const r of ranges.values()) sel *= r.lo && r.hi ? DEFAULT_RANGE_INEQ_SEL : DEFAULT_INEQ_SEL;
    return { sel, ops };
  };
  return clause(where);
}

const DEFAULT_RANGE_INEQ_SEL = 0.005;

/**
 * estimate_num_groups (utils/adt/selfuncs.c) for GROUP BY / DISTINCT columns of one table: the product of the
 * columns' distinct values (a unique column: the table's tuples; no statistics: 200, or the tuples if fewer;
 * ANALYZE's n_distinct), clamped to the table's tuples (a tenth of them for several columns, but never below the
 * largest column's count), then reduced for a WHERE clause by the expected distinct values among the rows kept,
 * n x (1 - ((N - p) / N)^(N / n)), and clamped to the rows. null when the simulator cannot make the estimate
 * (a WHERE clause it does not estimate, a column ANALYZE found only NULLs in).
 */
export function estimateNumGroups(t: Table, cols: number[], where: N | undefined): number | null {
  const tuples = estimateRelSize(t).tuples;
  const ws = whereSelectivity(t, tuples, where);
  if (!ws || cols.length === 0) return null;
  const rows = clampRowEst(tuples * ws.sel);
  let reldistinct = 1, maxnd = 0;
  for (const c of cols) {
    let nd: number;
    if (t.indexes.some((i) => i.unique && i.columns.length === 1 && i.columns[0] === c)) nd = tuples;
    else if (!t.stats) nd = tuples < DEFAULT_NUM_DISTINCT ? clampRowEst(tuples) : DEFAULT_NUM_DISTINCT;
    else {
      // n_distinct counts the non-NULL values (all distinct: -(1 - nullfrac), a fraction of the tuples)
      const d = t.stats.distinct?.[c];
      if (d === undefined || d === 0) return null;
      nd = d === -1 ? clampRowEst(tuples * (1 - (t.stats.nullfrac?.[c] ?? 0))) : d;
    }
    reldistinct *= nd;
    maxnd = Math.max(maxnd, nd);
  }
  let clamp = tuples;
  if (cols.length > 1) { clamp *= 0.1; if (clamp < maxnd) clamp = Math.min(maxnd, tuples); }
  if (reldistinct > clamp) reldistinct = clamp;
  if (reldistinct > 0 && rows < tuples) reldistinct *= 1 - Math.pow((tuples - rows) / tuples, tuples / reldistinct);
  reldistinct = clampRowEst(reldistinct);
  let groups = Math.ceil(reldistinct);
  if (groups > rows) groups = rows;
  return Math.max(1, groups);
}
