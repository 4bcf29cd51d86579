/**
 * Constant folding of a WHERE clause, as the planner does it before anything else looks at the clause
 * (PostgreSQL's optimizer/util/clauses.c eval_const_expressions, then prep/prepqual.c canonicalize_qual in WHERE
 * context). A condition that does not depend on any row is computed once, at plan time, and the boolean structure
 * around it simplified:
 *
 *     WHERE 2 > 4 OR c = 'aA'          ->  WHERE c = 'aA'      (false drops out of an OR)
 *     WHERE 1 = 1 AND k = 3            ->  WHERE k = 3         (true drops out of an AND)
 *     WHERE k = 3 OR 1 < 2             ->  no WHERE at all     (an OR with a true arm is true)
 *     WHERE k = 3 AND NULL             ->  WHERE false         (in WHERE, NULL is as good as false)
 *
 * This is why EXPLAIN prints `Filter: (c = 'aA'::text)` for the first query, and why the planner's estimates —
 * the rows, the size of a HashAggregate's table and so the order its groups come out in — see only `c = 'aA'`.
 *
 * Simplifications: only comparisons of two integer literals or two string literals (= and <> for strings: their
 * order depends on the collation), the boolean literals, NULL, NOT, AND and OR are folded; PostgreSQL folds every
 * immutable function of constants (1 + 2, lower('A')). What is not folded here stays in the clause and is
 * evaluated per row, with the same result.
 */
import { intConst } from '../sql/parser.js';

type N = Record<string, any>;
/** a folded constant: true, false or NULL; undefined when the expression depends on the row */
type Folded = boolean | null | undefined;

const CMP: Record<string, (a: number | string, b: number | string) => boolean> = {
  '=': (a, b) => a === b, '<>': (a, b) => a !== b, '!=': (a, b) => a !== b,
  '<': (a, b) => a < b, '<=': (a, b) => a <= b, '>': (a, b) => a > b, '>=': (a, b) => a >= b,
};

/** The value of a constant boolean expression, or undefined. */
function constValue(x: N | undefined): Folded {
  if (!x) return undefined;
  const c = x.A_Const;
  if (c) {
    if (c.isnull) return null;
    if (c.boolval !== undefined) return !!c.boolval.boolval;
    return undefined;
  }
  const e = x.A_Expr;
  if (e?.kind === 'AEXPR_OP' && e.name?.length === 1 && e.lexpr?.A_Const && e.rexpr?.A_Const) {
    const op = e.name[0]?.String?.sval as string, l = e.lexpr.A_Const, r = e.rexpr.A_Const;
    const cmp = CMP[op];
    if (!cmp) return undefined;
    if (l.isnull || r.isnull) return undefined; // NULL = 1: unknown-typed, left to the executor's own rules
    if (l.ival !== undefined && r.ival !== undefined) {
      const a = intConst(l), b = intConst(r);
      return a === undefined || b === undefined ? undefined : cmp(a, b);
    }
    if (l.sval && r.sval && (op === '=' || op === '<>' || op === '!=')) return cmp(l.sval.sval ?? '', r.sval.sval ?? '');
    return undefined;
  }
  const b = x.BoolExpr;
  if (b?.boolop === 'NOT_EXPR' && b.args?.length === 1) {
    const v = constValue(b.args[0]);
    return v === undefined || v === null ? v : !v;
  }
  return undefined;
}

const boolConst = (v: boolean, location: number): N => ({ A_Const: { boolval: v ? { boolval: true } : {}, location } });

/**
 * One level of the clause folded in WHERE context: a constant, or the clause with its constant arms dropped
 * (the same object when nothing changed).
 */
function fold(x: N): N | Folded {
  const v = constValue(x);
  if (v !== undefined) return v;
  const b = x.BoolExpr;
  if (b?.boolop !== 'AND_EXPR' && b?.boolop !== 'OR_EXPR') return x;
  const isAnd = b.boolop === 'AND_EXPR';
  const args: N[] = [];
  let changed = false;
  for (const a of b.args as N[]) {
    const f = fold(a);
    if (f === null || typeof f === 'boolean') {
      changed = true;
      // AND: true drops out, false or NULL makes it false; OR: false or NULL drops out, true makes it true
      if (isAnd ? f !== true : f === true) return isAnd ? false : true;
      continue;
    }
    if (f !== a) changed = true;
    args.push(f as N);
  }
  if (!changed) return x;
  if (args.length === 0) return isAnd;
  if (args.length === 1) return args[0]!;
  return { BoolExpr: { ...b, args } };
}

/**
 * A WHERE clause after constant folding: the same object when nothing folds, undefined when it is always true,
 * the literal false when it can never hold (planned as a Result with `One-Time Filter: false`).
 */
export function foldWhereClause(where: N | undefined): N | undefined {
  if (!where) return where;
  const f = fold(where);
  if (f === true) return undefined;
  if (f === false || f === null) return boolConst(false, typeof where.BoolExpr?.location === 'number' ? where.BoolExpr.location : -1);
  return f as N;
}
