/**
 * Constant folding of expressions (PostgreSQL's optimizer/util/clauses.c eval_const_expressions): every
 * subexpression that reads no row and calls only immutable functions and operators is computed once, at plan time,
 * and replaced by its value — a Const node of its type. The planner then sees a constant where the query wrote an
 * expression, so
 *
 *     WHERE k = 1 + 2          ->  Index Cond: (k = 3)            (an index qual: the key compared with a constant)
 *     WHERE k > 10 * 2         ->  Filter: (k > 20)               (estimated from the histogram with 20)
 *     WHERE k = abs(-3)        ->  Index Cond: (k = 3)            (abs is immutable)
 *     WHERE c = 'a' || 'b'     ->  Filter: (c = 'ab'::text)       (the Const keeps its type: text)
 *     WHERE k = -(3)           ->  Index Cond: (k = '-3'::integer)
 *     WHERE c = concat('a', 'b')   stays: concat is only stable (its output could depend on settings)
 *     WHERE x < random()           stays: random() is volatile
 *
 * Here the planner works on the parse tree, so the value is written back as the literal that means exactly that
 * typed constant: an integer literal for an int4, a numeric literal (or '3'::numeric), true / false, and
 * 'text'::type for the others — what ruleutils.c then prints for a Const. What folds: a subexpression that reads
 * no row (no column, parameter or subquery) and calls only built-in functions every overload of which is immutable
 * (the function catalog's flag, pg_proc's provolatile), operators, casts, CASE, COALESCE, GREATEST / LEAST; it is
 * compiled alone and evaluated with no row.
 *
 * An error while folding (1/0, an integer out of range) is raised by PostgreSQL at plan time; here the
 * subexpression is then left as written, and the compiler's own folding raises the same error when the statement
 * is analyzed — before any row is read, as in PostgreSQL (EXPLAIN SELECT … WHERE k = 1/0 fails too).
 *
 * Simplifications: only the WHERE clauses of SELECT, UPDATE and DELETE are folded (PostgreSQL folds the select
 * list, HAVING, JOIN / ON, VALUES too); values of the types int2 / int4 / int8, numeric, bool and text are written
 * back, others (floats, arrays) stay as written; anything with a date / time cast stays (some of those casts and operators are only stable); a strict
 * function or operator with a NULL constant argument and a non-constant one is not folded to NULL here; a CASE is
 * folded only when all of it is constant (PostgreSQL also drops its constant-false arms).
 */
import { compileExpr, type Scope } from '../sql/expr.js';
import { isImmutableFunction } from '../sql/funcs/registry.js';
import type { SqlType, Value } from '../sql/types.js';
import { getCurrentLiterals } from '../sql/parser.js';

type N = Record<string, any>;

const DATETIME = new Set(['date', 'time', 'timetz', 'timestamp', 'timestamptz', 'interval']);
/** A_Expr kinds whose operands may fold (an operator, IS [NOT] DISTINCT FROM, NULLIF) */
const FOLDABLE_AEXPR = new Set(['AEXPR_OP', 'AEXPR_DISTINCT', 'AEXPR_NOT_DISTINCT', 'AEXPR_NULLIF']);

const funcName = (f: N): string | null => {
  const names = (f.funcname as N[]).map((x) => x.String?.sval as string | undefined);
  if (names.some((x) => x === undefined) || names.length > 2 || (names.length === 2 && names[0] !== 'pg_catalog')) return null;
  return names[names.length - 1]!;
};

/**
 * Does the expression read no row and call only what could be immutable? (The compiler then decides: isConst.)
 * Column references, parameters, subqueries, aggregates and window calls and unknown node types say no.
 */
function rowFree(x: N | undefined): boolean {
  if (!x || typeof x !== 'object') return false;
  const keys = Object.keys(x);
  if (keys.length !== 1) return false;
  const n = x[keys[0]!];
  switch (keys[0]) {
    case 'A_Const': return true;
    case 'TypeCast': {
      // dates and times stay as written: several of their casts and operators are only stable (TimeZone, DateStyle)
      const name = (n.typeName?.names as N[] | undefined)?.map((y) => y.String?.sval).pop();
      return !n.typeName?.arrayBounds?.length && !DATETIME.has(String(name).toLowerCase()) && rowFree(n.arg);
    }
    case 'A_Expr': return FOLDABLE_AEXPR.has(n.kind) && (n.lexpr === undefined || rowFree(n.lexpr)) && rowFree(n.rexpr);
    case 'FuncCall': {
      if (n.agg_star || n.agg_filter || n.agg_order || n.agg_distinct || n.over || n.func_variadic || n.agg_within_group) return false;
      const name = funcName(n);
      return name !== null && isImmutableFunction(name) && ((n.args ?? []) as N[]).every(rowFree);
    }
    case 'BoolExpr': return (n.args as N[]).every(rowFree);
    case 'NullTest': case 'BooleanTest': return rowFree(n.arg);
    case 'CoalesceExpr': case 'MinMaxExpr': return (n.args as N[]).every(rowFree);
    case 'CaseExpr': return (n.arg === undefined || rowFree(n.arg)) && (n.defresult === undefined || rowFree(n.defresult))
      && (n.args as N[]).every((w) => rowFree(w.CaseWhen?.expr) && rowFree(w.CaseWhen?.result));
    default: return false;
  }
}

/** a literal as the parser gives it: nothing to fold */
function isLiteral(x: N): boolean {
  if (x.A_Const) return true;
  const c = x.TypeCast;
  return !!c && !!c.arg?.A_Const;
}

const typeName = (name: string, location: number) => ({ names: [{ String: { sval: 'pg_catalog' } }, { String: { sval: name } }], typemod: -1, location });
const cast = (arg: N, type: string, location: number): N => ({ TypeCast: { arg, typeName: typeName(type, location), location } });
const str = (s: string): N => ({ A_Const: { sval: { sval: s }, location: -1 } });

/**
 * A typed constant as a parse-tree literal that compiles back to the same type and value (-1 locations: not a
 * literal of the statement's text, whose lifted values are looked up by location), or null for a type not written back.
 */
export function constantNode(v: Value, type: SqlType, location: number): N | null {
  if (type.domain || type.elem || (type.typmod >= 0 && type.name !== 'numeric')) return null;
  if (v === null) {
    if (!['int2', 'int4', 'int8', 'numeric', 'bool', 'text'].includes(type.name)) return null;
    return cast({ A_Const: { isnull: true, location: -1 } }, type.name, location);
  }
  switch (type.name) {
    case 'int4': return { A_Const: { ival: v === 0 ? {} : { ival: v as number }, location: -1 } };
    case 'int2': case 'int8': return cast(str(String(v)), type.name, location);
    case 'bool': return { A_Const: { boolval: v ? { boolval: true } : {}, location: -1 } };
    case 'text': return cast(str(v as string), 'text', location);
    case 'numeric': {
      if (type.typmod >= 0) return null;
      const s = String(v);
      // a numeric literal when the scanner would read it back as numeric (a point or an exponent, no sign)
      return /^\d+(\.\d*)?([eE][-+]?\d+)?$/.test(s) && /[.eE]/.test(s) ? { A_Const: { fval: { fval: s }, location: -1 } } : cast(str(s), 'numeric', location);
    }
    default: return null;
  }
}

/** The folded value of a row-free expression as a literal, or null when it does not fold (or fails to). */
function foldOne(x: N, scope: Scope): N | null {
  try {
    // (a CASE or COALESCE of constants, which the compiler does not fold itself, is as constant: nothing in it reads a row)
    const c = compileExpr(x, scope);
    const own = x[Object.keys(x)[0]!]?.location;
    return constantNode(c.fn(null as never), c.type, typeof own === 'number' ? own : -1);
  } catch {
    return null; // raised again, in its place, when the statement is analyzed
  }
}

/**
 * An expression with its constant subexpressions folded: the same object when nothing folds. A subquery's own
 * expressions are left to its own planning (its query is folded when it is planned).
 */
export function foldConstants(x: N, scope: Scope): N {
  if (!x || typeof x !== 'object') return x;
  if (NOTHING_TO_FOLD.has(x)) return x;
  const out = foldInner(x, scope);
  // a frozen tree (a cached statement's, sql/parser.ts) with no constant subexpression and no function call — what
  // may fold is then a fact of the tree's shape alone — is not walked again
  if (out === x && Object.isFrozen(x) && !hasCandidate(x)) NOTHING_TO_FOLD.add(x);
  return out;
}
const NOTHING_TO_FOLD = new WeakSet<object>();

/** Is there a subexpression foldConstants would try to fold, or a function call (whose folding the catalog decides)? */
function hasCandidate(x: unknown): boolean {
  if (!x || typeof x !== 'object' || NOTHING_TO_FOLD.has(x)) return false; // (its subtrees were looked at first)
  if (Array.isArray(x)) return x.some(hasCandidate);
  const o = x as N;
  const keys = Object.keys(o);
  if (keys.length === 1 && (keys[0] === 'SubLink' || keys[0] === 'TypeName' || keys[0] === 'String')) return false;
  if (o.FuncCall) return true;
  if (keys.length === 1 && /^[A-Z]/.test(keys[0]!) && !isLiteral(o) && rowFree(o)) return true;
  return keys.some((k) => k !== 'typeName' && k !== 'funcname' && k !== 'name' && hasCandidate(o[k]));
}

function foldInner(x: N, scope: Scope): N {
  if (Array.isArray(x)) {
    let changed = false;
    const out = x.map((y) => { const f = foldConstants(y, scope); if (f !== y) changed = true; return f; });
    return changed ? out : x;
  }
  const keys = Object.keys(x);
  if (keys.length === 1 && (keys[0] === 'SubLink' || keys[0] === 'TypeName' || keys[0] === 'String')) return x;
  if (keys.length === 1 && /^[A-Z]/.test(keys[0]!) && !isLiteral(x) && rowFree(x)) {
    const f = foldOne(x, scope);
    if (f) return f;
  }
  let changed = false;
  const out: N = {};
  for (const k of keys) {
    const v = x[k];
    const f = k === 'typeName' || k === 'funcname' || k === 'name' ? v : foldConstants(v, scope);
    if (f !== v) changed = true;
    out[k] = f;
  }
  return changed ? out : x;
}

/** A scope to compile row-free expressions in: no columns, and an environment that refuses anything beyond constants. */
export function constantScope(env: Scope['env'], sql: string): Scope {
  return { relName: null, alias: null, columns: [], hasSystem: false, env, sql };
}

/**
 * Each clause's folded form, so that EXPLAIN, which folds the clause again to print it, gets the very nodes the
 * executor planned with (a scan's index quals are told from its filter by identity); valid for the statement's
 * lifted literals (sql/parser.ts) it was folded under.
 */
const folded = new WeakMap<N, { literals: unknown; out: N }>();

/** A SELECT with its WHERE clause folded (the same object when nothing folds). */
export function foldSelectQuals(n: N, scope: Scope): N {
  if (!n.whereClause) return n;
  const literals = getCurrentLiterals();
  let hit = folded.get(n.whereClause);
  if (!hit || hit.literals !== literals) {
    hit = { literals, out: foldConstants(n.whereClause, scope) };
    folded.set(n.whereClause, hit);
  }
  return hit.out === n.whereClause ? n : { ...n, whereClause: hit.out };
}

/** the snapshot of an environment that folds constants: an immutable expression reads none */
export const noSnapshot = (): never => { throw new Error('constant folding takes no snapshot'); };
