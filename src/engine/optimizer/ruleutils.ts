/**
 * Printing expressions as EXPLAIN shows them (PostgreSQL's utils/adt/ruleutils.c, get_rule_expr): every operator
 * in parentheses, constants with the cast the parser gave them, NOT folded into the negated operator.
 *
 *     WHERE k = 2 AND s = 'x'      ->  Filter: ((k = 2) AND (s = 'x'::text))
 *     WHERE k IN (1, 3)            ->  Filter: (k = ANY ('{1,3}'::integer[]))
 *     WHERE NOT (v < 3)            ->  Filter: (v >= 3)
 *     WHERE k BETWEEN 2 AND 4      ->  Filter: ((k >= 2) AND (k <= 4))
 *     WHERE s LIKE 'x%'            ->  Filter: (s ~~ 'x%'::text)
 *
 * It works on the raw parse tree with the table's column types. What it cannot print the way PostgreSQL would
 * (casts between types, numeric or date constants, function calls other than aggregates, subqueries) is refused
 * with 0A000 rather than printed differently.
 */
import { orderQuals, qualCost } from './qualorder.js';
import { notSupported } from '../errors.js';
import { intConst } from '../sql/parser.js';
import type { Scope } from '../sql/expr.js';

type N = Record<string, any>;
type Ty = 'int' | 'text' | 'bool' | 'bigint' | 'unknown' | 'other';

const refuse = (what: string) => notSupported(`EXPLAIN of ${what}`);
const NEGATOR: Record<string, string> = { '=': '<>', '<>': '=', '<': '>=', '>=': '<', '>': '<=', '<=': '>' };
const COMMUTE: Record<string, string> = { '=': '=', '<>': '<>', '<': '>', '>': '<', '<=': '>=', '>=': '<=' };
const INT_TYPES = new Set(['int2', 'int4', 'int8']);

export class Deparser {
  /** prefix: qualify column names with their relation (EXPLAIN does above a scan when the query has several) */
  constructor(readonly scope: Scope, readonly prefix = false) {}

  /** The AND-list of quals in a WHERE clause (BETWEEN counts as two), as the planner keeps them. */
  /** a node's AND-ed conditions in the order the plan tests them (qualorder.ts: cheapest first, as PostgreSQL prints them) */
  quals(n: N | undefined): N[] {
    return orderQuals(this.flatQuals(n), (q) => qualCost(q));
  }

  /** several conditions of one plan node, in the order it tests them */
  qualsOf(ns: readonly N[]): N[] {
    return orderQuals(ns.flatMap((n) => this.flatQuals(n)), (q) => qualCost(q));
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
      return INT_TYPES.has(c.type.name) ? (c.type.name === 'int8' ? 'bigint' : 'int') : c.type.name === 'text' ? 'text' : c.type.name === 'bool' ? 'bool' : 'other';
    }
    if (n.A_Const) return n.A_Const.sval ? 'unknown' : n.A_Const.ival !== undefined || intConst(n.A_Const) !== undefined ? 'int' : 'other';
    if (n.FuncCall) {
      const name = funcName(n);
      if (name === 'count') return 'bigint';
      if ((name === 'sum') && n.FuncCall.args?.length === 1) return this.typeOf(n.FuncCall.args[0]) === 'int' ? 'bigint' : 'other';
      if ((name === 'min' || name === 'max') && n.FuncCall.args?.length === 1) return this.typeOf(n.FuncCall.args[0]);
      return 'other';
    }
    if (n.A_Expr?.kind === 'AEXPR_OP' && ['+', '-', '*', '/', '%'].includes(opName(n))) {
      const l = n.A_Expr.lexpr ? this.typeOf(n.A_Expr.lexpr) : 'int', r = this.typeOf(n.A_Expr.rexpr);
      if ((l === 'int' || l === 'bigint') && (r === 'int' || r === 'bigint')) return l === 'bigint' || r === 'bigint' ? 'bigint' : 'int';
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
      if (!c) throw refuse('this column reference');
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
        return `(NOT ${this.expr(a)})`;
      }
      const args = b.boolop === 'AND_EXPR' ? this.quals(n) : (b.args as N[]).flatMap((a) => (a.BoolExpr?.boolop === 'OR_EXPR' ? a.BoolExpr.args : [a]));
      return `(${args.map((a: N) => this.expr(a)).join(b.boolop === 'AND_EXPR' ? ' AND ' : ' OR ')})`;
    }
    if (n.NullTest) return `(${this.expr(n.NullTest.arg)} ${n.NullTest.nulltesttype === 'IS_NULL' ? 'IS NULL' : 'IS NOT NULL'})`;
    if (n.A_Expr) return this.aexpr(n);
    if (n.FuncCall) {
      const f = n.FuncCall;
      const name = funcName(n);
      if (!['count', 'sum', 'min', 'max'].includes(name) || f.agg_filter || f.agg_order || f.over || f.agg_distinct) throw refuse(`the function call ${name}()`);
      if (f.agg_star) return `${name}(*)`;
      return `${name}(${(f.args as N[]).map((a) => this.expr(a)).join(', ')})`;
    }
    if (n.SubLink) throw refuse('subqueries (SubPlan / InitPlan)');
    throw refuse(`the expression ${Object.keys(n)[0]}`);
  }

  private aexpr(n: N): string {
    const e = n.A_Expr;
    if (e.kind === 'AEXPR_BETWEEN') return this.expr({ BoolExpr: { boolop: 'AND_EXPR', args: this.quals(n) } });
    if (e.kind === 'AEXPR_IN' && opName(n) === '=') {
      const items = e.rexpr.List.items as N[];
      const ty = this.typeOf(e.lexpr);
      if (ty !== 'int' && ty !== 'text') throw refuse('IN over this type');
      const vals = items.map((i) => {
        if (!i.A_Const) throw refuse('IN with expressions');
        const v = i.A_Const.sval ? String(i.A_Const.sval.sval) : String(intConst(i.A_Const));
        if (!/^[A-Za-z0-9_.-]+$/.test(v) || (ty === 'int' && !/^-?\d+$/.test(v))) throw refuse('IN with this constant');
        return v;
      });
      return `(${this.expr(e.lexpr)} = ANY ('{${vals.join(',')}}'::${ty === 'int' ? 'integer' : 'text'}[]))`;
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
    const okTypes = (lt === rt) || (isIntish(lt) && isIntish(rt)) || (lt === 'unknown' && rt !== 'other') || (rt === 'unknown' && lt !== 'other');
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
    if (c.isnull) throw refuse('NULL constants');
    if (c.sval) {
      const s = String(c.sval.sval);
      if (other === 'int') { if (!/^\s*-?\d+\s*$/.test(s)) throw refuse('this constant'); const v = Number(s); return v < 0 ? `'${v}'::integer` : String(v); }
      if (other === 'text') return `'${s.replace(/'/g, "''")}'::text`;
      throw refuse('this constant');
    }
    const v = intConst(c);
    if (v === undefined || c.fval || c.boolval) throw refuse('this constant');
    if (Math.abs(v) > 2147483647) throw refuse('a bigint constant');
    return v < 0 ? `'${v}'::integer` : String(v);
  }
}

const isIntish = (t: Ty) => t === 'int' || t === 'bigint';
export const opName = (n: N): string => n.A_Expr.name[n.A_Expr.name.length - 1].String.sval;
export const funcName = (n: N): string => (n.FuncCall.funcname as N[]).map((x) => x.String.sval).pop()!.toLowerCase();
const op = (o: string, l: N, r: N): N => ({ A_Expr: { kind: 'AEXPR_OP', name: [{ String: { sval: o } }], lexpr: l, rexpr: r } });

/** `3 = k` as an index qual: the indexed column on the left (the commutator), as the planner builds it. */
function commuteForIndex(q: N): N {
  const e = q.A_Expr;
  if (e?.kind === 'AEXPR_OP' && !e.lexpr?.ColumnRef && e.rexpr?.ColumnRef && COMMUTE[opName(q)]) return op(COMMUTE[opName(q)]!, e.rexpr, e.lexpr);
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
