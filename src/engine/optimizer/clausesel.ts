/**
 * Selectivity of a table's own WHERE conditions (PostgreSQL's optimizer/path/clausesel.c over utils/adt/selfuncs.c
 * eqsel / scalarineqsel, optimizer/selfuncs.ts): the fraction of the table's rows the planner expects to pass,
 * multiplied over the AND-ed conditions, a lower and an upper bound on one column taken together.
 *
 *     col = constant     1 / (distinct values of col): a unique column 1 / rows; without statistics 200 distinct
 *                        values are assumed (DEFAULT_NUM_DISTINCT): 0.005 — 2,260 rows x 0.005 = 11 ("rows=11");
 *                        after ANALYZE the MCV list's frequency, or the rest shared among the other values
 *     col < constant     1/3 without statistics (DEFAULT_INEQ_SEL); after ANALYZE the MCVs below it plus the
 *                        histogram's share (a text constant placed in its bin by convert_string_to_scalar, C collation)
 *
 *     col LIKE / ILIKE / ~ / ~* 'pattern'   patternsel (optimizer/likesupport.ts): a fixed prefix and the rest's heuristic
 *
 * Anything else — a function, a pattern with a prefix over a histogram — is not estimated: null, and the caller
 * treats its plan as one EXPLAIN cannot vouch for (optimizer/joinpath.ts).
 */
import type { Table } from '../catalog/catalog.js';
import type { Value } from '../sql/types.js';
import { intConst } from '../sql/parser.js';
import { estimateRelSize, clampRowEst } from './plancat.js';
import { varEqConst, varEqNonConst, scalarIneqSel, variableNumDistinct, type KeyVar } from './selfuncs.js';
import { likeToRegex, commutator } from '../sql/operators.js';
import { areToRegExp, isRegexOp } from '../sql/regexp.js';
import { likeFixedPrefix, likeSelectivity, regexFixedPrefix, regexSelectivity } from './likesupport.js';
import { qualCost } from './qualorder.js';
import { foldWhereClause } from './clauses.js';
import { sublinkSelectivity } from './subselect.js';

type N = Record<string, any>;

const DEFAULT_NUM_DISTINCT = 200;
const DEFAULT_INEQ_SEL = 1 / 3;
const DEFAULT_EQ_SEL = 0.005;
/** DEFAULT_MATCH_SEL: a pattern's fixed prefix without a histogram */
const DEFAULT_MATCH_SEL = 0.005;
const COMPARISONS = new Set(['<', '<=', '>', '>=']);

/** The selectivity of a rel's own AND-ed conditions (the joins' sides, executor/from.ts); null: not estimated. */
export function restrictionSelectivity(t: Table, quals: N[]): number | null {
  if (!quals.length) return 1;
  const r = whereSelectivity(t, estimateRelSize(t).tuples, quals.length === 1 ? quals[0] : { BoolExpr: { boolop: 'AND_EXPR', args: quals } }, { sublinks: true });
  return r ? r.sel : null;
}

const NEGATED: Record<string, string> = { '<': '>=', '<=': '>', '>': '<=', '>=': '<', '=': '<>', '<>': '=' };
/** NOT (x op c) as one comparison: its operator, or null */
const negatedOp = (op: string): string | null => NEGATED[op] ?? null;

/**
 * A WHERE clause's selectivity and its evaluation cost in operator calls (cost_qual_eval: one cpu_operator_cost per
 * operator; AND / OR / NOT themselves are free), for the EXPLAIN costs of a scan (optimizer/costsize.ts):
 *
 *     col = c        var_eq_const (optimizer/selfuncs.ts): the MCV's frequency, else the rest spread over the other
 *                    distinct values; a unique index 1 / tuples; no statistics 1 / distinct values (200 by default)
 *     col <> c       1 - that - the NULLs' fraction
 *     col < c        scalarineqsel over the MCV list and histogram; 1/3 without statistics
 *     a < col AND col < b   a range pair: s(col < b) + s(col > a) - 1 (+ the NULLs' fraction, excluded twice);
 *                    0.005 when either side had no statistics; BETWEEN is such a pair
 *     a OR b         s(a) + s(b) - s(a) s(b)          a AND b   s(a) s(b)
 *
 * null when the clause holds anything else the model does not estimate (say, a function compared with another
 * function): EXPLAIN then refuses costs rather than guess.
 */
export function whereSelectivity(t: Table, tuples: number, where0: N | undefined, opts: WhereSelOptions = {}): { sel: number; ops: number } | null {
  // the clause the planner sees: its constant parts folded (optimizer/clauses.ts)
  const where = foldWhereClause(where0);
  if (!where) return { sel: 1, ops: 0 };
  if (where.A_Const) return null; // WHERE false: a Result with a One-Time Filter, not a scan's selectivity
  // the WHERE's conditions of their own (a subquery there may be pulled up or become a gating InitPlan)
  const topLevel = new Set<N>(where.BoolExpr?.boolop === 'AND_EXPR' ? where.BoolExpr.args as N[] : [where]);
  const colOf = (x: N | undefined) => {
    const f = x?.ColumnRef?.fields as N[] | undefined;
    if (!f || !f.every((y) => y.String) || f.length > 2) return -1;
    return t.columns.findIndex((c) => !c.dropped && c.name === f[f.length - 1]!.String.sval);
  };
  const intConstant = (x: N | undefined) => !!x?.A_Const && !x.A_Const.isnull && !x.A_Const.sval && !x.A_Const.fval && !x.A_Const.boolval;
  const strConstant = (x: N | undefined) => !!x?.A_Const?.sval;
  const keyVar = (col: number): KeyVar => ({ table: t, col, tuples, rows: tuples });
  const hasStats = (col: number) => !!t.stats?.columns?.[col];
  /** one comparison `col op const`: its column, operator and selectivity */
  const comparison = (q: N, negate: boolean): { col: number; op: string; sel: number; key?: string; noRange?: boolean } | null => {
    const e = q.A_Expr;
    if (!e || e.kind !== 'AEXPR_OP' || e.name?.length !== 1 || !e.lexpr) return null;
    let op = e.name[0].String?.sval as string;
    if (op === '!=') op = '<>';
    let col = colOf(e.lexpr), other = e.rexpr;
    if (col < 0) { col = colOf(e.rexpr); other = e.lexpr; if (col >= 0) op = commutator(op) ?? op; }
    if (col < 0) return exprComparison(e, op, negate);
    if (other?.OuterParam) {
      // the outer query's column in a correlated subquery (optimizer/subselect.ts): a Param, a value unknown here
      if (negate) { const neg = negatedOp(op); if (!neg) return null; op = neg; }
      if (op === '=' || op === '<>') return { col, op, sel: varEqNonConst(keyVar(col), op === '<>'), noRange: true };
      return COMPARISONS.has(op) ? { col, op, sel: DEFAULT_INEQ_SEL, noRange: true } : null;
    }
    if (colOf(other) >= 0) {
      // two columns of this table (`b <> a`): get_restriction_variable finds no constant side, so eqsel and neqsel
      // give their defaults (DEFAULT_EQ_SEL 0.005 and 1 minus it), an inequality DEFAULT_INEQ_SEL; never a range pair
      if (negate) { const neg = negatedOp(op); if (!neg) return null; op = neg; }
      if (op === '=') return { col, op, sel: DEFAULT_EQ_SEL, noRange: true };
      if (op === '<>') return { col, op, sel: 1 - DEFAULT_EQ_SEL, noRange: true };
      return COMPARISONS.has(op) ? { col, op, sel: DEFAULT_INEQ_SEL, noRange: true } : null;
    }
    const type = t.columns[col]!.type.name;
    const isInt = ['int2', 'int4', 'int8'].includes(type);
    other = typedLiteral(other, isInt);
    const okConst = isInt ? intConstant(other) : type === 'text' || type === 'varchar' ? strConstant(other) : false;
    if (!okConst) return null;
    const value: Value = isInt ? intConst(other!.A_Const) ?? null : other!.A_Const.sval.sval;
    if (value === null) return null;
    if (negate) { const neg = negatedOp(op); if (!neg) return null; op = neg; }
    if (op === '=' || op === '<>') return { col, op, sel: varEqConst(keyVar(col), value, op === '<>') };
    if (!COMPARISONS.has(op)) return null;
    if (!hasStats(col)) return { col, op, sel: DEFAULT_INEQ_SEL };
    const sel = scalarIneqSel(keyVar(col), op === '>' || op === '>=', op === '<=' || op === '>=', value as number | string);
    return sel === null ? null : { col, op, sel };
  };
  /**
   * `expression op constant` over this table's columns (examine_variable finds no statistics for it): eqsel's
   * 1 / get_variable_numdistinct (the tuples if under 200, else 200), neqsel 1 minus that, an inequality
   * DEFAULT_INEQ_SEL. Its cost is the expression's cost_qual_eval (optimizer/qualorder.ts qualCost).
   */
  const exprComparison = (e: N, op: string, negate: boolean): { col: number; op: string; sel: number; key: string } | null => {
    const isConst = (x: N | undefined) => intConstant(x) || strConstant(x);
    const expr = isConst(e.rexpr) ? e.lexpr : isConst(e.lexpr) ? e.rexpr : null;
    if (!expr || JSON.stringify(expr).includes('"SubLink"') || !mentionsOwn(expr)) return null;
    if (negate) { const neg = negatedOp(op); if (!neg) return null; op = neg; }
    const nd = tuples < DEFAULT_NUM_DISTINCT ? clampRowEst(tuples) : DEFAULT_NUM_DISTINCT;
    // addRangeClause pairs bounds on equal expressions: the tree without its locations
    const key = JSON.stringify(expr, (k, v) => (k === 'location' ? undefined : v));
    if (op === '=') return { col: -1, op, sel: 1 / nd, key };
    if (op === '<>') return { col: -1, op, sel: 1 - 1 / nd, key };
    return COMPARISONS.has(op) ? { col: -1, op, sel: DEFAULT_INEQ_SEL, key } : null;
  };
  const mentionsOwn = (x: unknown): boolean => {
    if (!x || typeof x !== 'object') return false;
    if (Array.isArray(x)) return x.some(mentionsOwn);
    const n = x as N;
    if (n.ColumnRef) return colOf(n) >= 0;
    return Object.values(n).some(mentionsOwn);
  };
  /** nulltestsel: the NULLs' fraction (with statistics) or DEFAULT_UNK_SEL 0.005; IS NOT NULL its complement */
  const nullTest = (q: N): number | null => {
    const nt = q.NullTest;
    if (!nt) return null;
    const col = colOf(nt.arg);
    const frac = col >= 0 && t.stats?.columns?.[col] ? t.stats.columns[col]!.nullfrac : col >= 0 || mentionsOwn(nt.arg) ? 0.005 : null;
    if (frac === null) return null;
    const isNull = nt.nulltesttype === 'IS_NULL';
    return col >= 0 && t.stats?.columns?.[col] ? (isNull ? frac : 1 - frac) : isNull ? 0.005 : 0.995;
  };
  /**
   * patternsel for `col [NOT] LIKE / ILIKE 'pattern'` and `col ~ / ~* / !~ / !~* 'regex'` on a text column
   * (optimizer/likesupport.ts splits the pattern): an exact pattern — an equality (var_eq_const); otherwise, for
   * the values outside the MCV list, the matching share of the histogram (at least 10 entries, blended with the
   * heuristic under 100) or the heuristic alone, kept within 0.0001 .. 0.9999, plus the matching MCVs'
   * frequencies; negated: 1 - that - the NULLs. The heuristic is the rest's selectivity, times, with a fixed
   * prefix, prefix_selectivity — DEFAULT_MATCH_SEL without a histogram (with one, a text range over it: not
   * modelled, null).
   */
  const patternClause = (q: N): number | null => {
    const e = q.A_Expr;
    if (!e || (e.kind !== 'AEXPR_LIKE' && e.kind !== 'AEXPR_ILIKE' && e.kind !== 'AEXPR_OP') || e.name?.length !== 1) return null;
    const op = e.name[0]?.String?.sval as string;
    const isLike = e.kind !== 'AEXPR_OP';
    if (isLike ? !['~~', '!~~', '~~*', '!~~*'].includes(op) : !isRegexOp(op)) return null;
    const col = colOf(e.lexpr), pat = e.rexpr?.A_Const?.sval?.sval;
    if (col < 0 || typeof pat !== 'string' || !['text', 'varchar'].includes(t.columns[col]!.type.name)) return null;
    const ci = op.endsWith('*'), negated = op.startsWith('!');
    let re: RegExp;
    try { re = isLike ? likeToRegex(pat, ci) : areToRegExp(pat, ci); } catch { return null; }
    const fp = isLike ? likeFixedPrefix(pat, ci) : regexFixedPrefix(pat, ci);
    const restSel = isLike ? likeSelectivity(fp.rest) : regexSelectivity(pat, fp.prefix.length);
    const st = t.stats?.columns?.[col] ?? null;
    const nullfrac = st?.nullfrac ?? 0;
    let result: number;
    if (fp.status === 'exact') result = varEqConst(keyVar(col), fp.prefix, false);
    else {
      const hist = st?.histogram ?? [];
      if (fp.status === 'partial' && hist.length) return null;
      const heursel = (fp.status === 'partial' ? DEFAULT_MATCH_SEL : 1.0) * restSel;
      let selec = -1;
      if (hist.length >= 10) {
        let m = 0;
        for (let k = 1; k < hist.length - 1; k++) if (re.test(String(hist[k]))) m++;
        selec = m / (hist.length - 2);
      }
      if (hist.length < 100) selec = selec < 0 ? heursel : selec * (hist.length / 100) + heursel * (1 - hist.length / 100);
      selec = Math.min(0.9999, Math.max(0.0001, selec));
      let mcvSel = 0, sumcommon = 0;
      st?.mcv?.values.forEach((v, k) => { sumcommon += st.mcv!.freqs[k]!; if (re.test(String(v))) mcvSel += st.mcv!.freqs[k]!; });
      result = selec * (1 - nullfrac - sumcommon) + mcvSel;
    }
    if (negated) result = 1 - result - nullfrac;
    return Math.min(1, Math.max(0, result));
  };
  /**
   * scalararraysel for `col IN (c1, c2, …)` / `col = ANY (ARRAY[…])` (OR of the elements' eqsel), `col NOT IN (…)` /
   * `col <> ALL (…)` (AND of their neqsel) and `col < ANY / ALL (ARRAY[…])` (each element's scalarineqsel, 1/3
   * without statistics): the elements combined as independent events, or — equality under OR,
   * inequality under AND — the disjoint sum when that stays within 0..1. A NULL element selects nothing. Costed as
   * cost_qual_eval does: the operator on half the elements. Nine or more (a hashed array) are not modelled: null.
   */
  const arrayClause = (q: N, negate: boolean): number | null => {
    const e = q.A_Expr;
    if (!e || !['AEXPR_IN', 'AEXPR_OP_ANY', 'AEXPR_OP_ALL'].includes(e.kind) || e.name?.length !== 1 || colOf(e.lexpr) < 0) return null;
    let op = e.name[0].String?.sval as string;
    if (op === '!=') op = '<>';
    if (op !== '=' && op !== '<>' && (e.kind === 'AEXPR_IN' || !COMPARISONS.has(op))) return null;
    let useOr = e.kind === 'AEXPR_IN' ? op === '=' : e.kind === 'AEXPR_OP_ANY';
    const items = (e.kind === 'AEXPR_IN' ? e.rexpr?.List?.items : e.rexpr?.A_ArrayExpr?.elements) as N[] | undefined;
    if (!items?.length || items.length >= 9) return null;
    // NOT (x op ANY (...)) is x negator ALL (...) (negate_clause)
    if (negate) { op = negatedOp(op)!; useOr = !useOr; }
    const isEquality = op === '=', isInequality = op === '<>';
    let s1 = useOr ? 0 : 1, disjoint = s1;
    for (const it of items) {
      let s2: number;
      if (it.A_Const?.isnull) s2 = 0;
      else {
        const c = comparison({ A_Expr: { kind: 'AEXPR_OP', name: [{ String: { sval: op } }], lexpr: e.lexpr, rexpr: it } }, false);
        if (!c) return null;
        s2 = c.sel;
      }
      if (useOr) { s1 = s1 + s2 - s1 * s2; if (isEquality) disjoint += s2; } else { s1 *= s2; if (isInequality) disjoint += s2 - 1; }
    }
    if ((useOr ? isEquality : isInequality) && disjoint >= 0 && disjoint <= 1) s1 = disjoint;
    return Math.min(1, Math.max(0, s1));
  };
  /** BETWEEN as the parser makes it: (x >= a AND x <= b); NOT BETWEEN: (x < a OR x > b) */
  const between = (e: N): N | null => {
    if (e.kind !== 'AEXPR_BETWEEN' && e.kind !== 'AEXPR_NOT_BETWEEN') return null;
    const items = e.rexpr?.List?.items as N[] | undefined;
    if (!items || items.length !== 2) return null;
    const cmp = (op: string, r: N) => ({ A_Expr: { kind: 'AEXPR_OP', name: [{ String: { sval: op } }], lexpr: e.lexpr, rexpr: r } });
    return e.kind === 'AEXPR_BETWEEN'
      ? { BoolExpr: { boolop: 'AND_EXPR', args: [cmp('>=', items[0]!), cmp('<=', items[1]!)] } }
      : { BoolExpr: { boolop: 'OR_EXPR', args: [cmp('<', items[0]!), cmp('>', items[1]!)] } };
  };
  const clause = (q: N): { sel: number; ops: number } | null => {
    if (q.BoolExpr?.boolop === 'AND_EXPR') return list(q.BoolExpr.args as N[]);
    if (opts.sublinks) {
      // a subquery test (optimizer/subselect.ts): its selectivity and its SubPlan's cost per row
      const s = sublinkSelectivity(q, t, topLevel.has(q), !!opts.semi, whereSelectivity);
      if (s !== undefined) return s;
    }
    if (q.BoolExpr?.boolop === 'OR_EXPR') {
      let sel = 0, ops = 0;
      for (const a of q.BoolExpr.args as N[]) { const r = clause(a); if (!r) return null; sel = sel + r.sel - sel * r.sel; ops += r.ops; }
      return { sel, ops };
    }
    if (q.A_Expr?.kind === 'AEXPR_BETWEEN' || q.A_Expr?.kind === 'AEXPR_NOT_BETWEEN') { const b = between(q.A_Expr); return b ? clause(b) : null; }
    const de = q.A_Expr;
    if (de && (de.kind === 'AEXPR_DISTINCT' || de.kind === 'AEXPR_NOT_DISTINCT')) {
      // x IS [NOT] DISTINCT FROM NULL is the null test (transformAExprDistinct); against a value, a DistinctExpr: the
      // selectivity of its `=` negated (clause_selectivity), NOT DISTINCT the NOT of that
      const isNull = de.rexpr?.A_Const?.isnull ? de.lexpr : de.lexpr?.A_Const?.isnull ? de.rexpr : null;
      if (isNull) return clause({ NullTest: { arg: isNull, nulltesttype: de.kind === 'AEXPR_DISTINCT' ? 'IS_NOT_NULL' : 'IS_NULL' } });
      const c = comparison({ A_Expr: { ...de, kind: 'AEXPR_OP', name: [{ String: { sval: '=' } }] } }, false);
      return c ? { sel: de.kind === 'AEXPR_DISTINCT' ? 1 - c.sel : c.sel, ops: 1 } : null;
    }
    // a null test costs nothing (cost_qual_eval_walker), LIKE one operator
    const nt = nullTest(q);
    if (nt !== null) return { sel: nt, ops: 0 };
    const lk = patternClause(q);
    if (lk !== null) return { sel: lk, ops: 1 };
    const neg = q.BoolExpr?.boolop === 'NOT_EXPR' && q.BoolExpr.args.length === 1;
    const arr = arrayClause(neg ? q.BoolExpr.args[0] : q, neg);
    if (arr !== null) {
      const e = (neg ? q.BoolExpr.args[0] : q).A_Expr;
      const n = ((e.kind === 'AEXPR_IN' ? e.rexpr.List.items : e.rexpr.A_ArrayExpr.elements) as N[]).length;
      // transformAExprIn makes `x IN (c)` of one element a plain `x = c`
      return { sel: arr, ops: e.kind === 'AEXPR_IN' && n === 1 ? 1 : 0.5 * n };
    }
    const c = comparison(neg ? q.BoolExpr.args[0] : q, neg);
    // an expression's comparison costs its functions and operators too (cost_qual_eval)
    return c ? { sel: c.sel, ops: c.key ? qualCost(neg ? q.BoolExpr.args[0] : q) : 1 } : null;
  };
  /** clauselist_selectivity: a product, except a lower and an upper bound on one column form a range pair (addRangeClause) */
  const list = (qs: N[]): { sel: number; ops: number } | null => {
    let sel = 1, ops = 0;
    const ranges = new Map<number | string, { lo: number | null; hi: number | null }>();
    const flat = qs.flatMap((q) => (q.A_Expr?.kind === 'AEXPR_BETWEEN' ? (between(q.A_Expr)?.BoolExpr.args as N[] | undefined) ?? [q] : [q]));
    for (const q of flat) {
      if (q.BoolExpr?.boolop === 'AND_EXPR') { const r = list(q.BoolExpr.args as N[]); if (!r) return null; sel *= r.sel; ops += r.ops; continue; }
      const neg = q.BoolExpr?.boolop === 'NOT_EXPR' && q.BoolExpr.args.length === 1;
      const c = !q.BoolExpr || neg ? comparison(neg ? q.BoolExpr.args[0] : q, neg) : null;
      if (c && COMPARISONS.has(c.op) && !c.noRange) {
        // addRangeClause pairs bounds on the same expression (equal() trees)
        const key = c.key ?? c.col;
        const r = ranges.get(key) ?? { lo: null, hi: null };
        // two bounds on one side (x > 1 AND x > 2): the more restrictive one
        if (c.op === '>' || c.op === '>=') r.lo = r.lo === null || c.sel < r.lo ? c.sel : r.lo;
        else r.hi = r.hi === null || c.sel < r.hi ? c.sel : r.hi;
        ranges.set(key, r);
        ops += c.key ? qualCost(neg ? q.BoolExpr.args[0] : q) : 1;
        continue;
      }
      const r = clause(q);
      if (!r) return null;
      sel *= r.sel; ops += r.ops;
    }
    for (const [col, r] of ranges) {
      if (r.lo === null || r.hi === null) { sel *= (r.lo ?? r.hi)!; continue; }
      let s2: number;
      if (r.hi === DEFAULT_INEQ_SEL || r.lo === DEFAULT_INEQ_SEL) s2 = DEFAULT_RANGE_INEQ_SEL;
      else {
        s2 = r.hi + r.lo - 1.0;
        s2 += typeof col === 'number' ? nullTestSel(col) : 0.005; // the NULLs were excluded by both bounds
        if (s2 <= 0.0) s2 = s2 < -0.01 ? DEFAULT_RANGE_INEQ_SEL : 1.0e-10;
      }
      sel *= s2;
    }
    return { sel, ops };
  };
  /** nulltestsel(IS_NULL): the NULLs' fraction (0.005, DEFAULT_UNK_SEL, without statistics) */
  const nullTestSel = (col: number) => t.stats?.columns?.[col]?.nullfrac ?? 0.005;
  return clause(where);
}

const DEFAULT_RANGE_INEQ_SEL = 0.005;

/**
 * sublinks: estimate subquery tests too (optimizer/subselect.ts) — for row estimates only (the groups of a hash
 * table, a join side's rows): their SubPlans' costs are not modelled, so a caller choosing a scan by cost leaves it off.
 */
export interface WhereSelOptions {
  sublinks?: boolean;
  /** the query reads this one table: a subquery pulled up into a semi / anti join with it is estimated too */
  semi?: boolean;
}

/**
 * A constant written with its type — 'ab'::text, '8'::bigint, as constant folding writes one back
 * (optimizer/constfold.ts) — as the plain literal the comparisons above read.
 */
function typedLiteral(x: N | undefined, isInt: boolean): N | undefined {
  const c = x?.TypeCast;
  const arg = c?.arg?.A_Const;
  if (!arg || arg.isnull || c.typeName?.arrayBounds?.length || c.typeName?.typmods?.length) return x;
  const name = (c.typeName.names as N[]).map((y) => y.String?.sval).pop();
  if (isInt && ['int2', 'int4', 'int8'].includes(name)) {
    const s = arg.sval ? String(arg.sval.sval).trim() : arg.ival !== undefined ? String(intConst(arg)) : null;
    return s !== null && /^-?\d+$/.test(s) && Math.abs(Number(s)) <= Number.MAX_SAFE_INTEGER ? { A_Const: { ival: { ival: Number(s) }, location: -1 } } : x;
  }
  if (!isInt && (name === 'text' || name === 'varchar') && arg.sval) return { A_Const: { sval: arg.sval, location: -1 } };
  return x;
}

/**
 * estimate_num_groups (utils/adt/selfuncs.c) for GROUP BY / DISTINCT columns of one table: the product of the
 * columns' distinct values (a unique column: the table's tuples; no statistics: 200, or the tuples if fewer;
 * ANALYZE's n_distinct), clamped to the table's tuples (a tenth of them for several columns, but never below the
 * largest column's count), then reduced for a WHERE clause by the expected distinct values among the rows kept,
 * n x (1 - ((N - p) / N)^(N / n)), and clamped to the rows. null when the simulator cannot make the estimate
 * (a WHERE clause it does not estimate, a column ANALYZE found only NULLs in).
 */
export function estimateNumGroups(t: Table, cols0: number[], where: N | undefined): number | null {
  const cols = [...new Set(cols0)]; // add_unique_group_var: a column named twice counts once
  const tuples = estimateRelSize(t).tuples;
  const ws = whereSelectivity(t, tuples, where, { sublinks: true, semi: true });
  if (!ws || cols.length === 0) return null;
  const rows = clampRowEst(tuples * ws.sel);
  let reldistinct = 1, maxnd = 0;
  for (const c of cols) {
    const nd = variableNumDistinct({ table: t, col: c, tuples, rows }).nd;
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
