/**
 * Printing expressions as EXPLAIN shows them (PostgreSQL's utils/adt/ruleutils.c, get_rule_expr): every operator
 * in parentheses, constants with the cast the parser gave them, NOT folded into the negated operator.
 *
 *     WHERE k = 2 AND s = 'x'      ->  Filter: ((k = 2) AND (s = 'x'::text))
 *     WHERE k IN (1, 3)            ->  Filter: (k = ANY ('{1,3}'::integer[]))
 *     WHERE NOT (v < 3)            ->  Filter: (v >= 3)
 *     WHERE k BETWEEN 2 AND 4      ->  Filter: ((k >= 2) AND (k <= 4))
 *     WHERE s LIKE 'x%'            ->  Filter: (s ~~ 'x%'::text)
 *     WHERE v IS DISTINCT FROM 2   ->  Filter: (v IS DISTINCT FROM 2)      (NOT DISTINCT: (NOT (v IS DISTINCT FROM 2)))
 *     WHERE coalesce(s, 'n') <> 'x'    ->  Filter: (COALESCE(s, 'n'::text) <> 'x'::text)
 *     WHERE CASE WHEN v > 2 THEN v END IS NULL  ->  Filter: (CASE WHEN (v > 2) THEN v ELSE NULL::integer END IS NULL)
 *     WHERE lower(s) = 'x'         ->  Filter: (lower(s) = 'x'::text)     WHERE v::text = '1'  ->  ((v)::text = '1'::text)
 *     WHERE t IS NOT NULL          ->  Filter: (t.* IS NOT NULL)           (a whole-row reference)
 *
 * Each expression's type is worked out as the parser would (exprtype): a constant is printed with the type the
 * other operand, the CASE / COALESCE / GREATEST's common type or the function's argument gives it.
 *
 * It works on the raw parse tree with the table's column types. What it cannot print the way PostgreSQL would
 * (numeric or date constants and types, casts to other types, functions outside FUNCS below, expressions of
 * constants only — PostgreSQL folds those —, subqueries) is refused with 0A000 rather than printed differently.
 */
import { orderQuals, qualCost, constant } from './qualorder.js';
import { notSupported } from '../errors.js';
import { intConst } from '../sql/parser.js';
import { T, formatValue, parseInput, integerLiteral } from '../sql/types.js';
import type { Scope } from '../sql/expr.js';
import { commutator } from '../sql/operators.js';
import { bitIn } from '../adt/varbit.js';

type N = Record<string, any>;
type Ty = 'int' | 'smallint' | 'text' | 'bool' | 'bigint' | 'numeric' | 'bit' | 'varbit' | 'bytea' | 'unknown' | 'other';

const refuse = (what: string) => notSupported(`EXPLAIN of ${what}`);
const NEGATOR: Record<string, string> = { '=': '<>', '<>': '=', '<': '>=', '>=': '<', '>': '<=', '<=': '>' };
const INT_TYPES = new Set(['int2', 'int4', 'int8']);
/** x IS [NOT] TRUE / FALSE / UNKNOWN */
const BOOLEAN_TEST: Record<string, string> = {
  IS_TRUE: 'IS TRUE', IS_NOT_TRUE: 'IS NOT TRUE', IS_FALSE: 'IS FALSE', IS_NOT_FALSE: 'IS NOT FALSE', IS_UNKNOWN: 'IS UNKNOWN', IS_NOT_UNKNOWN: 'IS NOT UNKNOWN',
};
/** FUNCS' names that are SQL keywords (not unreserved), which quote_identifier quotes */
const KEYWORD_FUNCS = new Set(['left', 'right']);
/** a type as EXPLAIN names it in a cast */
const TYPE_NAME: Partial<Record<Ty, string>> = { int: 'integer', smallint: 'smallint', bigint: 'bigint', numeric: 'numeric', text: 'text', bool: 'boolean', bit: '"bit"', varbit: 'bit varying', bytea: 'bytea' };
/** a cast's target type (pg_type names and the SQL spellings the grammar turns into them) */
const CAST_TYPE: Record<string, Ty> = { int4: 'int', int2: 'smallint', int8: 'bigint', numeric: 'numeric', text: 'text', bool: 'bool', bytea: 'bytea' };
/**
 * Built-in functions EXPLAIN may print as written: argument types (a constant argument is printed as that type),
 * and the result type ('arg': the first argument's).
 */
const FUNCS: Record<string, { args: Ty[]; result: Ty | 'arg' }> = {
  lower: { args: ['text'], result: 'text' }, upper: { args: ['text'], result: 'text' }, length: { args: ['text'], result: 'int' },
  md5: { args: ['text'], result: 'text' }, abs: { args: ['int'], result: 'arg' }, mod: { args: ['int', 'int'], result: 'arg' },
  left: { args: ['text', 'int'], result: 'text' }, right: { args: ['text', 'int'], result: 'text' },
  substr: { args: ['text', 'int', 'int'], result: 'text' }, replace: { args: ['text', 'text', 'text'], result: 'text' },
  reverse: { args: ['text'], result: 'text' }, initcap: { args: ['text'], result: 'text' },
};

/** How a subquery of the query being explained prints ($0, "(hashed SubPlan 1)") and its type (commands/explainsubplan.ts). */
export interface SublinkText { text: string; ty: Ty }
/** The subqueries of the query level EXPLAIN is printing, by their location (set while it prints, synchronously). */
let currentSublinks: Map<number, SublinkText> | null = null;
export function setSublinkTexts(m: Map<number, SublinkText> | null): void { currentSublinks = m; }
/** A condition's cost for ordering: an InitPlan's parameter costs nothing (it was computed before the scan). */
const costOf = (q: N) => qualCost(currentSublinks ? paramsForInitPlans(q) : q);
function paramsForInitPlans(q: unknown): unknown {
  if (!q || typeof q !== 'object') return q;
  if (Array.isArray(q)) return q.map(paramsForInitPlans);
  const o = q as N;
  if (o.SubLink && currentSublinks?.get(o.SubLink.location)?.text.startsWith('$')) return { A_Const: { ival: { ival: 0 } } };
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, paramsForInitPlans(v)]));
}

export class Deparser {
  /** prefix: qualify column names with their relation (EXPLAIN does above a scan when the query has several) */
  constructor(readonly scope: Scope, readonly prefix = false) {}

  /** The AND-list of quals in a WHERE clause (BETWEEN counts as two), as the planner keeps them. */
  /** a node's AND-ed conditions in the order the plan tests them (qualorder.ts: cheapest first, as PostgreSQL prints them) */
  quals(n: N | undefined): N[] {
    return orderQuals(this.flatQuals(n), costOf);
  }

  /** several conditions of one plan node, in the order it tests them */
  qualsOf(ns: readonly N[]): N[] {
    return orderQuals(ns.flatMap((n) => this.flatQuals(n)), costOf);
  }

  private flatQuals(n: N | undefined): N[] {
    if (!n) return [];
    if (n.BoolExpr?.boolop === 'AND_EXPR') return (n.BoolExpr.args as N[]).flatMap((a) => this.flatQuals(a));
    const e = n.A_Expr;
    if (e?.kind === 'AEXPR_BETWEEN') {
      const [lo, hi] = e.rexpr.List.items as N[];
      return [op('>=', e.lexpr, lo!), op('<=', e.lexpr, hi!)];
    }
    return [n];
  }

  /** A qual list as one line: "(a = 1)" or "((a = 1) AND (b = 2))". */
  qualList(qs: N[], indexCond = false): string {
    const parts = qs.map((q) => this.expr(indexCond ? commuteForIndex(q) : q));
    return parts.length === 1 ? parts[0]! : `(${parts.join(' AND ')})`;
  }

  typeOf(n: N): Ty {
    if (n.ColumnRef) {
      const c = this.column(n);
      if (!c) return 'other';
      if (c.type.name === 'bit' || c.type.name === 'varbit') return c.type.name;
      return INT_TYPES.has(c.type.name) ? (c.type.name === 'int8' ? 'bigint' : 'int') : c.type.name === 'text' ? 'text' : c.type.name === 'bool' ? 'bool' : c.type.name === 'bytea' ? 'bytea' : c.type.name === 'numeric' ? 'numeric' : 'other';
    }
    if (n.A_Const) {
      if (n.A_Const.isnull || n.A_Const.sval) return 'unknown';
      if (n.A_Const.boolval) return 'bool';
      if (n.A_Const.bsval) return 'bit';
      if (n.A_Const.fval) {
        // make_const: an integer too long for int4 is int8 (or numeric), anything else numeric
        const int = integerLiteral(String(n.A_Const.fval.fval));
        return !int ? 'numeric' : int.type.name === 'int8' ? 'bigint' : 'int';
      }
      return n.A_Const.ival !== undefined || intConst(n.A_Const) !== undefined ? 'int' : 'other';
    }
    if (n.TypeCast) return castType(n);
    if (n.SubLink) return currentSublinks?.get(n.SubLink.location)?.ty ?? 'other';
    if (n.CoalesceExpr) return commonType((n.CoalesceExpr.args as N[]).map((a) => this.typeOf(a)));
    if (n.MinMaxExpr) return commonType((n.MinMaxExpr.args as N[]).map((a) => this.typeOf(a)));
    if (n.CaseExpr) return commonType(caseResults(n).map((a) => this.typeOf(a)));
    if (n.BoolExpr || n.NullTest || n.BooleanTest) return 'bool';
    if (n.A_Expr && ['AEXPR_DISTINCT', 'AEXPR_NOT_DISTINCT', 'AEXPR_LIKE', 'AEXPR_ILIKE', 'AEXPR_IN', 'AEXPR_BETWEEN'].includes(n.A_Expr.kind)) return 'bool';
    if (n.A_Expr?.kind === 'AEXPR_NULLIF') return this.typeOf(n.A_Expr.lexpr);
    if (n.A_Expr?.kind === 'AEXPR_OP' && ['=', '<>', '!=', '<', '>', '<=', '>='].includes(opName(n))) return 'bool';
    if (n.A_Expr?.kind === 'AEXPR_OP' && opName(n) === '||') {
      const l = this.typeOf(n.A_Expr.lexpr), r = this.typeOf(n.A_Expr.rexpr);
      return (l === 'text' || l === 'unknown') && (r === 'text' || r === 'unknown') && (l === 'text' || r === 'text') ? 'text' : 'other';
    }
    if (n.GroupingFunc) return 'int';
    if (n.FuncCall) {
      const name = funcName(n);
      const fn = FUNCS[name];
      if (fn && !n.FuncCall.agg_star && (n.FuncCall.args ?? []).length === fn.args.length) return fn.result === 'arg' ? this.typeOf(n.FuncCall.args[0]) : fn.result;
      if (name === 'count') return 'bigint';
      if ((name === 'sum') && n.FuncCall.args?.length === 1) return this.typeOf(n.FuncCall.args[0]) === 'int' ? 'bigint' : 'other';
      if ((name === 'min' || name === 'max') && n.FuncCall.args?.length === 1) return this.typeOf(n.FuncCall.args[0]);
      return 'other';
    }
    if (n.A_Expr?.kind === 'AEXPR_OP' && ['+', '-', '*', '/', '%'].includes(opName(n))) {
      const l = n.A_Expr.lexpr ? this.typeOf(n.A_Expr.lexpr) : 'int', r = this.typeOf(n.A_Expr.rexpr);
      if ((l === 'int' || l === 'bigint') && (r === 'int' || r === 'bigint')) return l === 'bigint' || r === 'bigint' ? 'bigint' : 'int';
      if (l === 'numeric' && r === 'numeric') return 'numeric';
      return 'other';
    }
    return 'other';
  }

  column(n: N): { name: string; type: { name: string } } | undefined {
    const r = this.resolve(n);
    return r ? { name: r.name, type: r.type } : undefined;
  }

  /** A column reference: its column, and the relation it belongs to in a join (null for a single table). */
  private resolve(n: N): { name: string; type: { name: string }; rel: string | null } | undefined {
    const f = n.ColumnRef.fields as N[];
    if (!f.every((x) => x.String) || f.length > 2) return undefined;
    const name = f[f.length - 1]!.String.sval as string;
    const rels = this.scope.rels;
    if (!rels) return f.length === 1 || f[0]!.String.sval === (this.scope.alias ?? this.scope.relName)
      ? (() => { const c = this.scope.columns.find((x) => x.name === name); return c && { ...c, rel: null }; })() : undefined;
    const hits = rels.filter((r) => (f.length === 1 || r.name === f[0]!.String.sval) &&
      this.scope.columns.slice(r.offset, r.offset + r.count).some((c) => c.name === name));
    if (hits.length !== 1) return undefined;
    const r = hits[0]!;
    const c = this.scope.columns.slice(r.offset, r.offset + r.count).find((x) => x.name === name)!;
    return { name: c.name, type: c.type, rel: r.name };
  }

  /** An expression of the qual or target list. */
  expr(n: N): string {
    if (n.ColumnRef) {
      const c = this.resolve(n);
      if (!c) {
        // a whole-row reference (t, t.*): printed t.*, qualified even for a single table (get_variable's varattno 0)
        const f = n.ColumnRef.fields as N[];
        const q = f.length === 1 || (f.length === 2 && f[1]!.A_Star) ? f[0]!.String?.sval as string | undefined : undefined;
        const isRel = q !== undefined && (this.scope.rels ? this.scope.rels.some((r) => r.name === q) : q === (this.scope.alias ?? this.scope.relName));
        if (isRel) return `${quoteIdent(q!)}.*`;
        throw refuse('this column reference');
      }
      const rel = c.rel ?? this.scope.alias ?? this.scope.relName;
      return this.prefix && rel ? `${quoteIdent(rel)}.${quoteIdent(c.name)}` : quoteIdent(c.name);
    }
    if (n.A_Const) return this.constant(n, 'int');
    if (n.BoolExpr) {
      const b = n.BoolExpr;
      if (b.boolop === 'NOT_EXPR') {
        const a = b.args[0] as N;
        if (a.A_Expr?.kind === 'AEXPR_OP' && NEGATOR[opName(a)]) return this.expr(op(NEGATOR[opName(a)]!, a.A_Expr.lexpr, a.A_Expr.rexpr));
        if (a.NullTest) return this.expr({ NullTest: { ...a.NullTest, nulltesttype: a.NullTest.nulltesttype === 'IS_NULL' ? 'IS_NOT_NULL' : 'IS_NULL' } });
        // negate_clause: NOT (x = ANY (…)) is x <> ALL (…), NOT (x <> ALL (…)) is x = ANY (…)
        const ae = a.A_Expr;
        if (ae && ['AEXPR_IN', 'AEXPR_OP_ANY', 'AEXPR_OP_ALL'].includes(ae.kind) && NEGATOR[opName(a)]) {
          const kind = ae.kind === 'AEXPR_IN' ? 'AEXPR_IN' : ae.kind === 'AEXPR_OP_ANY' ? 'AEXPR_OP_ALL' : 'AEXPR_OP_ANY';
          return this.expr({ A_Expr: { ...ae, kind, name: [{ String: { sval: NEGATOR[opName(a)]! } }] } });
        }
        return `(NOT ${this.expr(a)})`;
      }
      const args = b.boolop === 'AND_EXPR' ? this.quals(n) : (b.args as N[]).flatMap((a) => (a.BoolExpr?.boolop === 'OR_EXPR' ? a.BoolExpr.args : [a]));
      return `(${args.map((a: N) => this.expr(a)).join(b.boolop === 'AND_EXPR' ? ' AND ' : ' OR ')})`;
    }
    if (n.NullTest) return `(${this.expr(n.NullTest.arg)} ${n.NullTest.nulltesttype === 'IS_NULL' ? 'IS NULL' : 'IS NOT NULL'})`;
    if (n.BooleanTest) {
      const test = BOOLEAN_TEST[n.BooleanTest.booltesttype as string];
      if (!test || this.typeOf(n.BooleanTest.arg) !== 'bool') throw refuse('this boolean test');
      return `(${this.expr(n.BooleanTest.arg)} ${test})`;
    }
    if (n.A_Expr) return this.aexpr(n);
    // GROUPING(a, b) (ruleutils.c get_rule_expr's T_GroupingFunc)
    if (n.GroupingFunc) return `GROUPING(${((n.GroupingFunc.args ?? []) as N[]).map((a) => this.expr(a)).join(', ')})`;
    if (n.FuncCall) {
      const f = n.FuncCall;
      const name = funcName(n);
      const fn = FUNCS[name];
      if (fn && !f.agg_star && !f.agg_filter && !f.agg_order && !f.over && !f.agg_distinct && !f.func_variadic && (f.funcname as N[]).length === 1) {
        const args = (f.args ?? []) as N[];
        if (args.length !== fn.args.length) throw refuse(`the function call ${name}() with ${args.length} arguments`);
        if (args.every((a) => constant(a))) throw refuse('a function of constants (PostgreSQL folds it)');
        const want = fn.result === 'arg' ? args.map(() => this.typeOf(args[0]!)) : fn.args;
        if (want[0] !== 'int' && want[0] !== 'bigint' && want[0] !== 'text') throw refuse(`the function call ${name}() over this type`);
        // a function named by a keyword is quoted (quote_identifier): "left", "right"
        return `${KEYWORD_FUNCS.has(name) ? `"${name}"` : name}(${args.map((a, i) => this.typed(a, want[i]!)).join(', ')})`;
      }
      if (!['count', 'sum', 'min', 'max'].includes(name) || f.agg_filter || f.agg_order || f.over || f.agg_distinct) throw refuse(`the function call ${name}()`);
      if (f.agg_star) return `${name}(*)`;
      return `${name}(${(f.args as N[]).map((a) => this.expr(a)).join(', ')})`;
    }
    if (n.SubLink) {
      const t = currentSublinks?.get(n.SubLink.location);
      if (!t) throw refuse('subqueries (SubPlan / InitPlan)');
      return t.text;
    }
    if (n.TypeCast) {
      const ty = castType(n);
      const name = TYPE_NAME[ty];
      if (!name) throw refuse('a cast to this type');
      const arg = n.TypeCast.arg as N;
      // a Const of its own type (an integer literal cast to bigint or smallint prints '7'::bigint)
      if (arg.A_Const) return (ty === 'bigint' || ty === 'smallint') && !arg.A_Const.isnull ? this.constant({ A_Const: { sval: { sval: this.constant(arg, 'int').replace(/^'|'::integer$/g, '') } } }, ty) : this.constant(arg, ty);
      if (constant(arg)) throw refuse('a cast of a constant expression (PostgreSQL folds it)');
      const from = this.typeOf(arg);
      if (from === ty) return this.expr(arg);
      if (from === 'other' || from === 'unknown') throw refuse('a cast from this type');
      return `(${this.expr(arg)})::${name}`;
    }
    if (n.CoalesceExpr || n.MinMaxExpr) {
      const args = (n.CoalesceExpr ?? n.MinMaxExpr).args as N[];
      const ty = this.typeOf(n);
      if (!TYPE_NAME[ty]) throw refuse(`${n.CoalesceExpr ? 'COALESCE' : 'GREATEST / LEAST'} over these types`);
      if (args.every((a) => constant(a))) throw refuse('an expression of constants (PostgreSQL folds it)');
      const name = n.CoalesceExpr ? 'COALESCE' : n.MinMaxExpr.op === 'IS_GREATEST' ? 'GREATEST' : 'LEAST';
      return `${name}(${args.map((a) => this.typed(a, ty)).join(', ')})`;
    }
    if (n.CaseExpr) return this.caseExpr(n);
    throw refuse(`the expression ${Object.keys(n)[0]}`);
  }

  /** An operand printed as type ty: a constant with that cast, anything else as itself (its type must be ty). */
  private typed(x: N, ty: Ty): string {
    if (x.A_Const) return this.constant(x, ty);
    const t = this.typeOf(x);
    // an implicit cast between integer types is not shown (EXPLAIN hides implicit coercions)
    if (t !== ty && !(isIntish(t) && isIntish(ty))) throw refuse('an implicit cast between these types');
    const f = this.fold(x);
    return f ?? this.expr(x);
  }

  /** CASE [arg] WHEN ... THEN ... ELSE ... END, its results of one type (no ELSE: ELSE NULL of that type). */
  private caseExpr(n: N): string {
    const c = n.CaseExpr;
    const ty = this.typeOf(n);
    if (!TYPE_NAME[ty]) throw refuse('CASE over these types');
    if (constant(n)) throw refuse('a CASE of constants (PostgreSQL folds it)');
    const argTy = c.arg ? this.typeOf(c.arg) : 'bool';
    if (c.arg && !TYPE_NAME[argTy]) throw refuse('CASE over this type');
    const parts = ['CASE'];
    if (c.arg) parts.push(this.expr(c.arg));
    for (const w of c.args as N[]) {
      const cond = w.CaseWhen.expr as N;
      if (!c.arg && cond.A_Const) throw refuse('a CASE WHEN of a constant (PostgreSQL folds it)');
      parts.push('WHEN', c.arg ? this.typed(cond, argTy) : this.expr(cond), 'THEN', this.typed(w.CaseWhen.result, ty));
    }
    parts.push('ELSE', c.defresult ? this.typed(c.defresult, ty) : `NULL::${TYPE_NAME[ty]}`, 'END');
    return parts.join(' ');
  }

  private aexpr(n: N): string {
    const e = n.A_Expr;
    if (e.kind === 'AEXPR_BETWEEN') return this.expr({ BoolExpr: { boolop: 'AND_EXPR', args: this.quals(n) } });
    // x IN (…) / x NOT IN (…) / x op ANY|ALL (ARRAY[…]) of constants (op one of = <> < <= > >=): a ScalarArrayOpExpr
    // over one array constant
    // (transformAExprIn; one element alone is a plain comparison)
    const inOp = opName(n) === '!=' ? '<>' : opName(n);
    if ((e.kind === 'AEXPR_IN' || ((e.kind === 'AEXPR_OP_ANY' || e.kind === 'AEXPR_OP_ALL') && e.rexpr?.A_ArrayExpr))
      && (inOp === '=' || inOp === '<>' || (e.kind !== 'AEXPR_IN' && ['<', '<=', '>', '>='].includes(inOp)))) {
      const items = (e.kind === 'AEXPR_IN' ? e.rexpr.List.items : e.rexpr.A_ArrayExpr.elements ?? []) as N[];
      if (e.kind === 'AEXPR_IN' && items.length === 1) return this.expr(op(inOp, e.lexpr, items[0]!));
      const ty = this.typeOf(e.lexpr);
      if (ty !== 'int' && ty !== 'text') throw refuse('IN over this type');
      const vals = items.map((i) => {
        if (!i.A_Const) throw refuse('IN with expressions');
        if (i.A_Const.isnull) return 'NULL';
        const v = i.A_Const.sval ? String(i.A_Const.sval.sval) : String(intConst(i.A_Const));
        if (!/^[A-Za-z0-9_.-]+$/.test(v) || /^null$/i.test(v) || (ty === 'int' && !/^-?\d+$/.test(v))) throw refuse('IN with this constant');
        return v;
      });
      const all = e.kind === 'AEXPR_IN' ? inOp === '<>' : e.kind === 'AEXPR_OP_ALL';
      return `(${this.expr(e.lexpr)} ${inOp} ${all ? 'ALL' : 'ANY'} ('{${vals.join(',')}}'::${ty === 'int' ? 'integer' : 'text'}[]))`;
    }
    // x IS [NOT] DISTINCT FROM NULL is parsed as the null test it means (transformAExprDistinct)
    if ((e.kind === 'AEXPR_DISTINCT' || e.kind === 'AEXPR_NOT_DISTINCT') && (e.lexpr.A_Const?.isnull || e.rexpr.A_Const?.isnull)) {
      const arg = e.rexpr.A_Const?.isnull ? e.lexpr : e.rexpr;
      return this.expr({ NullTest: { arg, nulltesttype: e.kind === 'AEXPR_DISTINCT' ? 'IS_NOT_NULL' : 'IS_NULL' } });
    }
    if (e.kind === 'AEXPR_DISTINCT' || e.kind === 'AEXPR_NOT_DISTINCT' || e.kind === 'AEXPR_NULLIF') {
      const lt = this.typeOf(e.lexpr), rt = this.typeOf(e.rexpr);
      const ty = lt === 'unknown' ? (rt === 'unknown' ? 'text' : rt) : rt === 'unknown' ? lt : commonType([lt, rt]);
      if (!TYPE_NAME[ty] || (lt !== 'unknown' && rt !== 'unknown' && !(lt === rt || (isIntish(lt) && isIntish(rt))))) throw refuse(`${e.kind === 'AEXPR_NULLIF' ? 'NULLIF' : 'IS DISTINCT FROM'} between these types`);
      if (constant(e.lexpr) && constant(e.rexpr)) throw refuse('an expression of constants (PostgreSQL folds it)');
      const side = (x: N, other: Ty) => (x.A_Const ? this.constant(x, other) : this.fold(x) ?? this.expr(x));
      const l = side(e.lexpr, rt === 'unknown' ? ty : rt), r = side(e.rexpr, lt === 'unknown' ? ty : lt);
      if (e.kind === 'AEXPR_NULLIF') return `NULLIF(${l}, ${r})`;
      const d = `(${l} IS DISTINCT FROM ${r})`;
      return e.kind === 'AEXPR_DISTINCT' ? d : `(NOT ${d})`;
    }
    const name = opName(n);
    let sym: string;
    if (e.kind === 'AEXPR_OP') sym = name === '!=' ? '<>' : name;
    else if (e.kind === 'AEXPR_LIKE') sym = name;
    else if (e.kind === 'AEXPR_ILIKE') sym = name;
    else if (e.kind === 'AEXPR_OP_ANY' || e.kind === 'AEXPR_OP_ALL') throw refuse(`${name} ${e.kind === 'AEXPR_OP_ANY' ? 'ANY' : 'ALL'} (array)`);
    else throw refuse(`the operator ${name}`);
    if (!e.lexpr) throw refuse(`the prefix operator ${name}`);
    const folded = this.fold(n);
    if (folded !== null) return folded;
    const lt = this.typeOf(e.lexpr), rt = this.typeOf(e.rexpr);
    const side = (x: N, other: Ty): string => {
      if (x.A_Const) return this.constant(x, other);
      const f = this.fold(x);
      return f ?? this.expr(x);
    };
    // numeric against an integer constant: the constant is coerced to numeric at parse time ('2'::numeric)
    const numConst = (a: Ty, x: N, b: Ty) => b === 'numeric' && isIntish(a) && !!x.A_Const;
    const okTypes = (lt === rt) || (isIntish(lt) && isIntish(rt)) || (lt === 'unknown' && rt !== 'other') || (rt === 'unknown' && lt !== 'other')
      || numConst(lt, e.lexpr, rt) || numConst(rt, e.rexpr, lt);
    if (!okTypes || lt === 'other' || rt === 'other') throw refuse(`a comparison between these types (${name})`);
    return `(${side(e.lexpr, rt)} ${sym} ${side(e.rexpr, lt)})`;
  }

  /** Integer arithmetic on constants only: eval_const_expressions folds it (k = 2 + 1 prints k = 3). */
  private fold(n: N): string | null {
    const v = constInt(n);
    if (v === null || n.A_Const) return null;
    return v < 0 ? `'${v}'::integer` : String(v);
  }

  /** A constant, typed by the other side of its operator: 2, '-1'::integer, 'x'::text. */
  constant(n: N, other: Ty): string {
    const c = n.A_Const;
    if (c.isnull) {
      const name = TYPE_NAME[other];
      if (!name) throw refuse('NULL constants');
      return `NULL::${name}`;
    }
    if (c.boolval) {
      if (other !== 'bool') throw refuse('this constant');
      return c.boolval.boolval ? 'true' : 'false';
    }
    if (other === 'numeric' && !c.boolval && !c.bsval) {
      // get_const_expr: a numeric printed bare when it reads back as one (a point or an exponent, no sign)
      const text = String(c.sval ? c.sval.sval : c.fval ? c.fval.fval : intConst(c));
      const out = formatValue(parseInput(text, T.numeric))!;
      return /^\d/.test(out) && /[.eE]/.test(out) ? out : `'${out}'::numeric`;
    }
    if (c.fval) {
      // an integer literal too long for int4: an int8 Const
      const int = integerLiteral(String(c.fval.fval));
      if (!int || int.type.name !== 'int8' || (other !== 'bigint' && other !== 'int')) throw refuse('this constant');
      return `'${String(int.value)}'::bigint`;
    }
    if (c.sval) {
      const s = String(c.sval.sval);
      if ((other === 'bigint' || other === 'smallint') && /^\s*-?\d+\s*$/.test(s)) return `'${s.trim()}'::${TYPE_NAME[other]}`;
      if (other === 'int') { if (!/^\s*-?\d+\s*$/.test(s)) throw refuse('this constant'); const v = Number(s); return v < 0 ? `'${v}'::integer` : String(v); }
      if (other === 'text') return `'${s.replace(/'/g, "''")}'::text`;
      // a bit string: the constant as bit_out prints it, with format_type's name of the type without a typmod
      if (other === 'bit' || other === 'varbit') return `'${bitIn(s).toString()}'::${TYPE_NAME[other]}`;
      // a bytea constant: byteain's value printed by byteaout (as bytea_output says)
      if (other === 'bytea') return `'${formatValue(parseInput(s, T.bytea))!.replace(/'/g, "''")}'::bytea`;
      throw refuse('this constant');
    }
    if (c.bsval) {
      if (other !== 'bit' && other !== 'varbit') throw refuse('this constant');
      return `'${bitIn(String(c.bsval.bsval)).toString()}'::${TYPE_NAME[other]}`;
    }
    const v = intConst(c);
    if (v === undefined || c.fval || c.boolval) throw refuse('this constant');
    if (Math.abs(v) > 2147483647) throw refuse('a bigint constant');
    return v < 0 ? `'${v}'::integer` : String(v);
  }
}

const isIntish = (t: Ty) => t === 'int' || t === 'bigint' || t === 'smallint';

/** select_common_type over CASE / COALESCE / GREATEST's operands: unknown constants take the others' type (text if all unknown). */
function commonType(ts: Ty[]): Ty {
  const known = ts.filter((t) => t !== 'unknown');
  if (known.length === 0) return 'text';
  if (known.every(isIntish)) return known.includes('bigint') ? 'bigint' : 'int';
  return known.every((t) => t === known[0]) ? known[0]! : 'other';
}

/** A cast's target type. */
function castType(n: N): Ty {
  const tn = n.TypeCast.typeName;
  if (tn.arrayBounds?.length || tn.typmods?.length) return 'other';
  const names = (tn.names as N[]).map((x) => x.String.sval as string);
  if (names.length === 2 && names[0] !== 'pg_catalog') return 'other';
  return CAST_TYPE[names[names.length - 1]!] ?? 'other';
}

/** a CASE's result expressions (THEN ..., ELSE ...) */
const caseResults = (n: N): N[] => [
  ...(n.CaseExpr.args as N[]).map((w) => w.CaseWhen.result as N), ...(n.CaseExpr.defresult ? [n.CaseExpr.defresult as N] : []),
];
export const opName = (n: N): string => n.A_Expr.name[n.A_Expr.name.length - 1].String.sval;
export const funcName = (n: N): string => (n.FuncCall.funcname as N[]).map((x) => x.String.sval).pop()!.toLowerCase();
const op = (o: string, l: N, r: N): N => ({ A_Expr: { kind: 'AEXPR_OP', name: [{ String: { sval: o } }], lexpr: l, rexpr: r } });

/** `3 = k` as an index qual: the indexed column on the left (the commutator), as the planner builds it. */
function commuteForIndex(q: N): N {
  const e = q.A_Expr;
  if (e?.kind === 'AEXPR_OP' && !e.lexpr?.ColumnRef && e.rexpr?.ColumnRef && commutator(opName(q))) return op(commutator(opName(q))!, e.rexpr, e.lexpr);
  return q;
}

function constInt(n: N): number | null {
  if (n.A_Const) { const v = n.A_Const.sval || n.A_Const.fval || n.A_Const.isnull ? undefined : intConst(n.A_Const); return v === undefined ? null : v; }
  if (n.A_Expr?.kind === 'AEXPR_OP' && n.A_Expr.lexpr) {
    const l = constInt(n.A_Expr.lexpr), r = constInt(n.A_Expr.rexpr);
    if (l === null || r === null) return null;
    switch (opName(n)) {
      case '+': return l + r;
      case '-': return l - r;
      case '*': return l * r;
      default: return null;
    }
  }
  return null;
}

export function quoteIdent(s: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`;
}
