/**
 * The order a plan node tests its AND-ed conditions in (createplan.c order_qual_clauses): cheapest first, by the
 * per-row cost cost_qual_eval puts on each (costsize.c cost_qual_eval_walker); equal costs keep the written order.
 * It shows whenever one condition guards another — the guard written second still runs first if it is cheaper:
 *
 *     WHERE (a % a) <> 0 AND a IS NULL       -- `a IS NULL` costs nothing, `%` and `<>` cost one operator each,
 *                                            -- so a = 0 never reaches the division: no "division by zero"
 *     EXPLAIN: Filter: ((a IS NULL) AND ((a % a) <> 0))
 *
 * Costs, in units of cpu_operator_cost: each operator or function 1 (pg_proc.procost of the built-ins), a user
 * function 100 (CREATE FUNCTION's default COST); IS [NOT] NULL, AND / OR / NOT, CASE, COALESCE, columns and
 * constants 0; GREATEST / LEAST 1; x IN (list) half the list (one hash and one comparison from 9 elements, PG 15's
 * hashed ScalarArrayOpExpr); a subquery more than any expression. A subexpression without columns is folded to a
 * constant by the planner and costs nothing. Simplified: casts cost 1 whatever their implementation (PostgreSQL:
 * 0 for a binary-compatible relabel, 2 for an I/O conversion); subqueries are not costed against each other.
 */
type N = Record<string, unknown>;

const SUBQUERY = 1e6;
const USER_FUNCTION = 100;

/** Is the subtree free of columns, parameters, function calls and subqueries (a constant after eval_const_expressions)? */
export function constant(n: unknown): boolean {
  if (!n || typeof n !== 'object') return true;
  if (Array.isArray(n)) return n.every(constant);
  const o = n as N;
  if ('ColumnRef' in o || 'SubLink' in o || 'ParamRef' in o || 'FuncCall' in o) return false;
  return Object.values(o).every(constant);
}

const listLength = (n: unknown): number => {
  const items = (n as { List?: { items?: unknown[] } } | undefined)?.List?.items;
  return items ? items.length : 1;
};

/** cost_qual_eval_walker over a raw expression: its per-row cost in cpu_operator_cost units. */
export function qualCost(n: unknown, isUserFunction: (name: string) => boolean = () => false): number {
  if (!n || typeof n !== 'object') return 0;
  if (Array.isArray(n)) return n.reduce((a: number, x) => a + qualCost(x, isUserFunction), 0);
  if (constant(n)) return 0;
  const o = n as N;
  const kids = (x: unknown) => qualCost(x, isUserFunction);
  if (o.SubLink) return SUBQUERY;
  if (o.A_Expr) {
    const e = o.A_Expr as N;
    const both = kids(e.lexpr) + kids(e.rexpr);
    switch (e.kind) {
      case 'AEXPR_IN': case 'AEXPR_OP_ANY': case 'AEXPR_OP_ALL': {
        const len = e.kind === 'AEXPR_IN' ? listLength(e.rexpr) : 1;
        return both + (len >= 9 ? 2 : len * 0.5);
      }
      case 'AEXPR_BETWEEN': case 'AEXPR_NOT_BETWEEN': case 'AEXPR_BETWEEN_SYM': case 'AEXPR_NOT_BETWEEN_SYM':
        return 2 * kids(e.lexpr) + kids(e.rexpr) + 2;
      default: return both + 1; // an operator, IS DISTINCT FROM, NULLIF, LIKE
    }
  }
  if (o.FuncCall) {
    const f = o.FuncCall as N;
    const name = ((f.funcname as N[]).map((x) => (x.String as N).sval as string)).pop()!;
    return (isUserFunction(name) ? USER_FUNCTION : 1) + kids(f.args);
  }
  if (o.MinMaxExpr) return 1 + kids((o.MinMaxExpr as N).args);
  if (o.TypeCast) return 1 + kids((o.TypeCast as N).arg);
  let sum = 0;
  for (const v of Object.values(o)) sum += kids(v);
  return sum;
}

/**
 * The implicit-AND list of a WHERE / ON clause: nested ANDs flattened, as canonicalize_qual leaves them, and
 * `x BETWEEN lo AND hi` as the two conditions it becomes (transformAExprBetween: x >= lo AND x <= hi).
 */
export function conjunctList(n: N | undefined): N[] {
  if (!n) return [];
  const b = n.BoolExpr as { boolop: string; args: N[] } | undefined;
  if (b?.boolop === 'AND_EXPR') return b.args.flatMap(conjunctList);
  const e = n.A_Expr as N | undefined;
  if (e?.kind === 'AEXPR_BETWEEN') {
    const [lo, hi] = (e.rexpr as { List: { items: N[] } }).List.items;
    const op = (sym: string, r: N | undefined): N => ({ A_Expr: { kind: 'AEXPR_OP', name: [{ String: { sval: sym } }], lexpr: e.lexpr, rexpr: r, location: e.location } });
    return [op('>=', lo), op('<=', hi)];
  }
  return [n];
}

/** order_qual_clauses: a stable sort of the conditions by cost. */
export function orderQuals<T>(quals: readonly T[], cost: (q: T) => number): T[] {
  return quals.map((q, i) => ({ q, i, c: cost(q) })).sort((a, b) => a.c - b.c || a.i - b.i).map((x) => x.q);
}
