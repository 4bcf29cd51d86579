/**
 * Expressions: parse-tree nodes from the PostgreSQL parser compiled into closures over a row.
 *
 * Compilation resolves column references, picks operator result types the way PostgreSQL's operator tables
 * do (int4 + int4 → int4, int + numeric → numeric, 'literal' takes the other side's type), names result columns
 * as FigureColname() does (?column?, count, int4 ...), and reports PostgreSQL's errors (42703 unknown column,
 * 42883 no such operator, 22012 division by zero, 22003 out of range). Evaluation is three-valued (NULL).
 *
 * This file is the dispatcher (parse_expr.c transformExprRecurse): constants, column references (system
 * columns, a join's qualified names, an enclosing query's columns, whole rows), CASE / COALESCE / NULLIF / GREATEST, casts,
 * parameters — and it hands the rest to the modules PostgreSQL splits the same way:
 *
 *     sql/primnodes.ts   the shapes: Row, Compiled, Scope, ExprEnv (nodes/primnodes.h)
 *     sql/coerce.ts      casts and common types (parse_coerce.c)
 *     sql/operators.ts   operators: comparison, arithmetic, LIKE, IN, BETWEEN (parse_oper.c, utils/adt)
 *     sql/funccall.ts    function calls and aggregates with their transition states (parse_func.c, parse_agg.c)
 *     sql/sublink.ts     EXISTS / IN / scalar subqueries (transformSubLink)
 *     sql/arrayexpr.ts   ARRAY[...], subscripts, op ANY/ALL (array), array operators
 *     sql/rowexpr.ts     whole-row references, ROW(...), row comparisons
 *
 * The modules below get compileExpr passed in (a `rec` argument), so none imports this file back.
 * Function calls are resolved in the function catalog (sql/funcs/registry.ts, pg_proc's role); casts and
 * operators of the float, date/time and oid types come from sql/adtops.ts.
 *
 * Mirrors: src/backend/parser/parse_expr.c, parse_target.c (FigureColname). Simplifications: a fixed set of
 * types and operators; implicit casts only along pg_cast's paths that these types need.
 */
import { PgError, notSupported, posOf } from '../errors.js';
import { Numeric } from './numeric.js';
import { type Value, T, isStringLike, isArray, resolveTypeName, typeDisplayName, integerLiteral } from './types.js';
import { compileArrayExpr, compileIndirection } from './arrayexpr.js';
import './funcs/varlena.js';
import './funcs/bytea.js';
import './funcs/numeric.js';
import './funcs/datetime.js';
import './funcs/system.js';
import './funcs/lockfuncs.js';
import './funcs/asyncfuncs.js';
import './funcs/array.js';
import './funcs/enumfuncs.js';
import './funcs/json.js';
import './funcs/sysinfo.js';
import './funcs/comment.js';
import './funcs/privileges.js';
import './funcs/objprivileges.js';
import '../partitioning/partfuncs.js';
import './funcs/pgstatfuncs.js';
import './funcs/toastfuncs.js';
import './funcs/controldata.js';
import './funcs/varbit.js';
import { bitIn } from '../adt/varbit.js';
import { virtualTimestamp } from '../adt/timestamp.js';
import { PgDate, PgTimestamp, USECS_PER_DAY, toLocal } from '../adt/datetime.js';
import { PgTime, PgTimeTz, adjustTimeForTypmod, timestamptzToTimeTz } from '../adt/time.js';
import { literalAt, intConst } from './parser.js';
import type { Fn, Compiled, Scope, Row } from './primnodes.js';
import { coerceBool, commonType, castTo, fold, withoutFolding } from './coerce.js';
import { compareValues, compileComparison, compileAExpr } from './operators.js';
import { compileSubLink } from './sublink.js';
import { compileFunc } from './funccall.js';
import { compileGroupingFunc } from './groupingfunc.js';
import { compileRowExpr, compileWholeRow } from './rowexpr.js';
import { rowNullTest } from '../adt/rowtypes.js';

export type { Row, Fn, Compiled, ExprEnv, ColumnSource, AggSpec, Scope } from './primnodes.js';
export { castTo } from './coerce.js';
export { rtrimBlanks } from './coerce.js';
export { compareValues } from './operators.js';
export { newAggState } from './funccall.js';

type N = Record<string, any>;
/** a node's type: its first key ({ A_Expr: {...} }), without building the array of keys */
const nodeType = (n: N): string => { for (const k in n) return k; return undefined!; };

const SYSTEM_COLUMNS = ['ctid', 'xmin', 'xmax', 'cmin', 'cmax', 'tableoid'];

export function compileExpr(node: N, scope: Scope): Compiled {
  if (scope.groupExprs && scope.aggs && !scope.inAgg) {
    // an expression GROUP BY names: the group's value, kept in a hidden column (executor/select.ts)
    const idx = scope.groupExprs.map.get(scope.groupExprs.key(node));
    if (idx !== undefined) {
      const plain = compileNode(node, { ...scope, aggs: undefined, groupCols: undefined, groupExprs: undefined });
      return { fn: (r) => r.vals[idx]!, type: plain.type, name: plain.name, strength: plain.strength, location: posOf(exprLocation(node)) };
    }
  }
  const c = compileNode(node, scope);
  return c.location === undefined ? { ...c, location: posOf(exprLocation(node)) } : c;
}

/** the smaller of two locations, either maybe missing */
const leftmost = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined || (b !== undefined && b < a) ? b : a);

/** exprLocation on the raw parse tree: where an error about this expression points (0-based byte offset). */
export function exprLocation(node: N | undefined): number | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const t = nodeType(node);
  const n = node[t];
  if (!n || typeof n !== 'object') return undefined;
  const own = typeof n.location === 'number' && n.location >= 0 ? n.location : undefined;
  switch (t) {
    case 'TypeCast': return leftmost(own, exprLocation(n.arg));
    case 'A_Expr': return leftmost(own, exprLocation(n.lexpr));
    case 'BoolExpr': { let m = own; for (const a of (n.args ?? []) as N[]) m = leftmost(m, exprLocation(a)); return m; }
    case 'NullTest': case 'BooleanTest': return leftmost(own, exprLocation(n.arg));
    case 'SubLink': return leftmost(own, exprLocation(n.testexpr));
    default: return own;
  }
}

/** the row a constant is evaluated with (it reads none) */
const NO_ROW = null as unknown as Row;

function compileNode(node: N, scope: Scope): Compiled {
  const t = nodeType(node);
  const n = node[t];
  switch (t) {
    case 'A_Const': return compileConst(n);
    case 'ColumnRef': return compileColumnRef(n, scope);
    case 'TypeCast': {
      const tn = n.typeName;
      const names = tn.names.map((x: N) => x.String.sval);
      const mods = (tn.typmods ?? []).map((m: N) => intConst(m.A_Const) ?? 0);
      const target = resolveTypeName(names, mods, posOf(tn.location), tn.arrayBounds);
      // ARRAY[...]::t[]: the constructor takes the cast's element type (an empty ARRAY[] needs it)
      const arg = n.arg.A_ArrayExpr && isArray(target) ? compileArrayExpr(n.arg.A_ArrayExpr, scope, compileExpr, target) : compileExpr(n.arg, scope);
      const c = castTo(arg, target, true, posOf(n.location));
      return { ...c, name: arg.strength >= 2 ? arg.name : names[names.length - 1], strength: Math.max(arg.strength, 1) };
    }
    case 'A_Expr': return compileAExpr(n, scope, compileExpr);
    case 'BoolExpr': {
      const what = n.boolop === 'AND_EXPR' ? 'AND' : n.boolop === 'OR_EXPR' ? 'OR' : 'NOT';
      // simplify_and_arguments / simplify_or_arguments: a constant false (true) ends the simplification
      let decided = false;
      const args = (n.args as N[]).map((a) => {
        const c = decided ? withoutFolding(() => coerceBool(compileExpr(a, scope), what)) : coerceBool(compileExpr(a, scope), what);
        if (c.isConst && c.fn(NO_ROW) === (what === 'OR')) decided = true;
        return c;
      });
      const fns = args.map((a) => a.fn);
      let fn: Fn;
      if (n.boolop === 'NOT_EXPR') { const f = fns[0]!; fn = (r) => { const v = f(r); return v === null ? null : !v; }; } else if (n.boolop === 'AND_EXPR') fn = (r) => { let nul = false; for (const f of fns) { const v = f(r); if (v === false) return false; if (v === null) nul = true; } return nul ? null : true; };
      else fn = (r) => {
        let nul = false; for (const f of fns) { const v = f(r); if (v === true) return true; if (v === null) nul = true; } return nul ? null : false;
      };
      return { fn, type: T.bool, name: '?column?', strength: 0 };
    }
    case 'NullTest': {
      const arg = compileExpr(n.arg, scope), a = arg.fn;
      const isNull = n.nulltesttype === 'IS_NULL';
      // a row: IS NULL when every field is, IS NOT NULL when none is (adt/rowtypes.ts)
      const fn: Fn = arg.type.name === 'record' ? (r) => rowNullTest(a(r), isNull) : isNull ? (r) => a(r) === null : (r) => a(r) !== null;
      return { fn, type: T.bool, name: '?column?', strength: 0 };
    }
    case 'BooleanTest': {
      const a = coerceBool(compileExpr(n.arg, scope), 'IS').fn;
      const k = n.booltesttype as string;
      const fn: Fn = (r) => {
        const v = a(r);
        switch (k) {
          case 'IS_TRUE': return v === true;
          case 'IS_NOT_TRUE': return v !== true;
          case 'IS_FALSE': return v === false;
          case 'IS_NOT_FALSE': return v !== false;
          case 'IS_UNKNOWN': return v === null;
          default: return v !== null;
        }
      };
      return { fn, type: T.bool, name: '?column?', strength: 0 };
    }
    case 'FuncCall': return compileFunc(n, scope, compileExpr);
    case 'GroupingFunc': return compileGroupingFunc(n, scope, compileExpr, (a) => exprLocation(a));
    case 'CoalesceExpr': {
      let decided = false; // arguments after a non-null constant are never simplified
      const args = (n.args as N[]).map((a) => {
        const c = decided ? withoutFolding(() => compileExpr(a, scope)) : compileExpr(a, scope);
        if (c.isConst && c.fn(NO_ROW) !== null) decided = true;
        return c;
      });
      const type = commonType(args, 'COALESCE', posOf(n.location));
      const fns = args.map((a) => castTo(a, type, false, posOf(n.location)).fn);
      return { fn: (r) => { for (const f of fns) { const v = f(r); if (v !== null) return v; } return null; }, type, name: 'coalesce', strength: 2 };
    }
    case 'CaseExpr': {
      const arg = n.arg ? compileExpr(n.arg, scope) : null;
      // eval_const_expressions: an arm whose WHEN is constant false is dropped unsimplified; one constant true
      // ends the CASE (the arms after it and ELSE are dropped unsimplified)
      let decided = false;
      const unless = <R>(skip: boolean, f: () => R): R => (skip ? withoutFolding(f) : f());
      const whens = (n.args as N[]).map((w) => {
        const cw = w.CaseWhen;
        const skipped = decided;
        const cond = unless(skipped, () => {
          let c = compileExpr(cw.expr, scope);
          if (arg) c = compileComparison('=', arg, c, posOf(cw.location));
          return coerceBool(c, 'CASE/WHEN');
        });
        const known = !skipped && cond.isConst ? cond.fn(NO_ROW) : undefined;
        const res = unless(skipped || known === false || known === null, () => compileExpr(cw.result, scope));
        if (known === true) decided = true;
        return { cond: cond.fn, res };
      });
      const def = n.defresult ? unless(decided, () => compileExpr(n.defresult, scope)) : null;
      // transformCaseExpr puts the ELSE result first when it chooses the common type
      const results = (def ? [def] : []).concat(whens.map((w) => w.res));
      const common = commonType(results, 'CASE', posOf(n.location));
      // no ELSE: transformCaseExpr adds ELSE NULL, a constant of typmod -1, so the CASE keeps no typmod
      const type = def || common.typmod < 0 ? common : { ...common, typmod: -1 };
      const ws = whens.map((w) => ({ cond: w.cond, res: castTo(w.res, type, false).fn }));
      const d = def ? castTo(def, type, false).fn : null;
      // FigureColname: a CASE is named after its ELSE result when that has a name of its own (a column, a function)
      const name = def && def.strength >= 2 ? def.name : 'case';
      return { fn: (r) => { for (const w of ws) if (w.cond(r) === true) return w.res(r); return d ? d(r) : null; }, type, name, strength: 2 };
    }
    case 'SubLink': return compileSubLink(n, scope, compileExpr);
    case 'ParamRef': {
      const pv = scope.env.pl?.param(n.number, n.location);
      if (pv) return pv;
      // a simple query has no parameters; an EXECUTE's are constants of their type (untyped ones act as literals)
      const p = scope.env.params?.[n.number - 1];
      if (!p) throw new PgError('42P02', `there is no parameter $${n.number}`, { position: posOf(n.location) });
      const v = p.value;
      return { fn: () => v, type: p.type, name: '?column?', strength: 0, isConst: true, ...(p.type.name === 'unknown' ? { literal: true, location: posOf(n.location) } : {}) };
    }
    case 'CollateClause': {
      // the cluster's collation is C: COLLATE "C", "POSIX" and "default" change nothing, any other is not there
      const coll = ((n.collname ?? []) as N[]).map((x) => x.String.sval as string);
      const inner = compileExpr(n.arg, scope);
      if (!isStringLike(inner.type)) throw new PgError('42804', `collations are not supported by type ${typeDisplayName(inner.type)}`, { position: posOf(n.location) });
      if (coll.length !== 1 || !['C', 'POSIX', 'default'].includes(coll[0]!)) throw new PgError('42704', `collation "${coll.join('.')}" for encoding "UTF8" does not exist`, { position: posOf(n.location) });
      return inner;
    }
    case 'A_ArrayExpr': return compileArrayExpr(n, scope, compileExpr);
    case 'A_Indirection': return compileIndirection(n, scope, compileExpr);
    case 'RowExpr': return compileRowExpr(n, scope, compileExpr);
    case 'SQLValueFunction': {
      // CURRENT_TIMESTAMP / CURRENT_DATE / LOCALTIMESTAMP: the transaction's start on the virtual clock
      const op = String(n.op).replace('SVFOP_', '').toLowerCase();
      const env = scope.env;
      const xact = () => virtualTimestamp(env.timestamps().xact);
      switch (op) {
        case 'current_timestamp': case 'current_timestamp_n': return { fn: xact, type: T.timestamptz, name: 'current_timestamp', strength: 2 };
        // the local date and time of the session's zone
        case 'localtimestamp': case 'localtimestamp_n': return { fn: () => new PgTimestamp(toLocal(xact().us), false), type: T.timestamp, name: 'localtimestamp', strength: 2 };
        // CURRENT_TIME / LOCALTIME [(p)]: the transaction's start as a time of day (adt/time.ts), rounded to p digits
        case 'current_time': case 'current_time_n': case 'localtime': case 'localtime_n': {
          const p = typeof n.typmod === 'number' && n.typmod >= 0 ? Math.min(n.typmod, 6) : -1;
          const tz = op.startsWith('current');
          const type = tz ? T.timetz : T.time;
          return {
            fn: () => {
              const v = timestamptzToTimeTz(xact().us)!, us = adjustTimeForTypmod(v.us, p);
              return tz ? new PgTimeTz(us, v.zone) : new PgTime(us);
            },
            type: p >= 0 ? { ...type, typmod: p } : type, name: tz ? 'current_time' : 'localtime', strength: 2,
          };
        }
        case 'current_date': return { fn: () => new PgDate(Math.floor(toLocal(xact().us) / USECS_PER_DAY)), type: T.date, name: 'current_date', strength: 2 };
        // CURRENT_SCHEMA without parentheses: the function current_schema() (funcs/system.ts)
        case 'current_schema': return compileExpr({ FuncCall: { funcname: [{ String: { sval: 'current_schema' } }], args: [], location: n.location } }, scope);
        // the role every session here is (the recorder connects as postgres); type name in PostgreSQL
        case 'current_user': case 'current_role': case 'session_user': case 'user':
          return { fn: () => 'postgres', type: T.text, name: op, strength: 2 };
        case 'current_catalog': return { fn: () => 'postgres', type: T.text, name: 'current_catalog', strength: 2 };
        default: throw notSupported(op, posOf(n.location));
      }
    }
    case 'MinMaxExpr': {
      const name = n.op === 'IS_GREATEST' ? 'greatest' : 'least';
      const ca = ((n.args ?? []) as N[]).map((a) => compileExpr(a, scope));
      const pos = posOf(n.location);
      const type = commonType(ca, name.toUpperCase(), pos);
      const fns = ca.map((a) => castTo(a, type, false, pos).fn);
      const sign = name === 'greatest' ? 1 : -1;
      const c: Compiled = {
        fn: (r) => {
          let best: Value = null;
          for (const f of fns) { const v = f(r); if (v !== null && (best === null || compareValues(v, best) * sign > 0)) best = v; }
          return best;
        }, type, name, strength: 2,
      };
      return ca.every((a) => a.isConst) ? fold(c) : c;
    }
    default: throw notSupported(`expression type ${t}`, posOf(n?.location));
  }
}

function compileConst(n: N): Compiled {
  if (n.isnull) return { fn: () => null, type: T.unknown, name: '?column?', strength: 0, isConst: true };
  if (n.ival !== undefined) {
    const v = literalAt(n.location) ?? n.ival.ival ?? 0;
    return { fn: () => v, type: T.int4, name: '?column?', strength: 0, isConst: true };
  }
  if (n.fval !== undefined) {
    const s = n.fval.fval as string;
    // an integer too big for the scanner's int4 (or negated into range): int4, int8 or numeric, as make_const decides
    const int = integerLiteral(s);
    if (int) { const iv = int.value; return { fn: () => iv, type: int.type, name: '?column?', strength: 0, isConst: true }; }
    const v = Numeric.fromString(s)!;
    return { fn: () => v, type: T.numeric, name: '?column?', strength: 0, isConst: true };
  }
  if (n.boolval !== undefined) {
    const v = !!n.boolval.boolval;
    return { fn: () => v, type: T.bool, name: '?column?', strength: 0, isConst: true };
  }
  if (n.sval !== undefined) {
    const v = n.sval.sval as string;
    return { fn: () => v, type: T.unknown, name: '?column?', strength: 0, isConst: true, literal: true, location: posOf(n.location) };
  }
  if (n.bsval !== undefined) {
    // B'0101' / X'1F': make_const reads it with bit_in (the scanner keeps the b / x), a constant of type bit
    let v;
    try { v = bitIn(String(n.bsval.bsval)); } catch (e) {
      if (e instanceof PgError && e.position === undefined) e.position = posOf(n.location);
      throw e;
    }
    return { fn: () => v, type: { name: 'bit', typmod: -1 }, name: '?column?', strength: 0, isConst: true };
  }
  return { fn: () => null, type: T.unknown, name: '?column?', strength: 0, isConst: true };
}

function compileJoinColumnRef(n: N, scope: Scope, names: string[]): Compiled | null {
  const rels = scope.rels!;
  let hits: number[] = [];
  const col = names[names.length - 1]!;
  if (names.length === 2) {
    const rel = rels.find((r) => r.name === names[0]);
    if (!rel) return null;
    for (let i = rel.offset; i < rel.offset + rel.count; i++) if (scope.columns[i]!.name === col) hits.push(i);
    if (!hits.length) throw new PgError('42703', `column ${names[0]}.${col} does not exist`, { position: posOf(n.location) });
    if (hits.length > 1) throw new PgError('42702', `column reference "${col}" is ambiguous`, { position: posOf(n.location) });
  } else {
    hits = scope.columns.map((c, i) => (c.name === col && !c.hidden ? i : -1)).filter((i) => i >= 0);
    if (hits.length > 1) throw new PgError('42702', `column reference "${col}" is ambiguous`, { position: posOf(n.location) });
    if (!hits.length) return null;
  }
  const idx = hits[0]!;
  if (scope.aggs && !scope.inAgg && !scope.groupCols?.has(idx)) {
    const rel = rels.find((r) => idx >= r.offset && idx < r.offset + r.count)!;
    throw new PgError('42803', `column "${rel.name}.${col}" must appear in the GROUP BY clause or be used in an aggregate function`, { position: posOf(n.location) });
  }
  if (scope.columns[idx]!.refused) throw notSupported(scope.columns[idx]!.refused!, posOf(n.location));
  return { fn: (r) => r.vals[idx]!, type: scope.columns[idx]!.type, name: col, strength: 2 };
}

/** a FROM item's name as a value (transformWholeRowRef): its whole row (sql/rowexpr.ts) */
const wholeRow = (name: string, scope: Scope, n: N): Compiled => {
  const w = compileWholeRow(name, scope, n.location);
  if (!w) throw notSupported(`whole-row references (the table "${name}" used as a value)`, posOf(n.location));
  return w;
};

/** A reference to the enclosing query's row (a correlated subquery): compiled there, read from its current row. */
function outerColumnRef(n: N, outer: NonNullable<Scope['outer']>): Compiled {
  const inner = compileColumnRef(n, { ...outer.scope, aggs: undefined, inAgg: false });
  outer.used = true;
  const ref = outer.row;
  return { ...inner, fn: () => inner.fn(ref.current!) };
}

function compileColumnRef(n: N, scope: Scope): Compiled {
  const fields = n.fields as N[];
  if (scope.env.pl && !fields.some((f) => f.A_Star)) {
    const v = scope.env.pl.variable(fields.map((f) => f.String.sval as string), scope, n.location);
    if (v) return v;
  }
  if (scope.rels && !fields.some((f) => f.A_Star)) {
    const names0 = fields.map((f) => f.String.sval as string);
    if (names0.length <= 2) {
      const c = compileJoinColumnRef(n, scope, names0);
      if (c) return c;
      if (names0.length === 1 && scope.rels.some((r) => r.name === names0[0])) return wholeRow(names0[0]!, scope, n);
      if (!scope.outer) {
        if (names0.length === 2) throw new PgError('42P01', `missing FROM-clause entry for table "${names0[0]}"`, { position: posOf(n.location) });
        throw new PgError('42703', `column "${names0[0]}" does not exist`, { position: posOf(n.location) });
      }
      return outerColumnRef(n, scope.outer);
    }
  }
  if (fields.length === 2 && fields[0]!.String && fields[1]!.A_Star) {
    // t.* in an expression: t's whole row (at the top of a select list it was expanded into the columns before)
    const q = fields[0]!.String.sval as string;
    const w = compileWholeRow(q, scope, n.location);
    if (w) return w;
    if (scope.outer) {
      return outerColumnRef(n, scope.outer);
    }
    throw new PgError('42P01', `missing FROM-clause entry for table "${q}"`, { position: posOf(n.location) });
  }
  if (fields.some((f) => f.A_Star)) throw new PgError('42601', 'row expansion via "*" is not supported here', { position: posOf(n.location) });
  const names = fields.map((f) => f.String.sval as string);
  let col: string;
  if (names.length === 1) col = names[0]!;
  else if (names.length === 2) {
    const q = names[0]!;
    if (q !== (scope.alias ?? scope.relName)) { // an alias hides the table's own name
      if (scope.outer) {
        return outerColumnRef(n, scope.outer);
      }
      throw new PgError('42P01', `missing FROM-clause entry for table "${q}"`, { position: posOf(n.location) });
    }
    col = names[1]!;
  } else throw notSupported('qualified names with schemas', posOf(n.location));
  const idx = scope.columns.findIndex((c) => c.name === col);
  // a subquery's two output columns of one name: naming it is ambiguous (SELECT x.a FROM (SELECT 1 AS a, 2 AS a) x)
  if (idx >= 0 && scope.columns.some((c, i) => i > idx && c.name === col && !c.hidden)) {
    throw new PgError('42702', `column reference "${col}" is ambiguous`, { position: posOf(n.location) });
  }
  if (idx < 0 && names.length === 1 && col === (scope.alias ?? scope.relName) && !(scope.hasSystem && SYSTEM_COLUMNS.includes(col))) {
    return wholeRow(col, scope, n);
  }
  if (idx < 0 && scope.outer && !(scope.hasSystem && SYSTEM_COLUMNS.includes(col))) {
    // a reference to the enclosing query's row (a correlated subquery)
    return outerColumnRef(n, scope.outer);
  }
  if (idx < 0) {
    if (scope.hasSystem && SYSTEM_COLUMNS.includes(col)) return compileSystemColumn(col, scope, n);
    // errorMissingColumn: a qualified name is printed without quotes
    throw new PgError('42703', names.length === 2 ? `column ${names[0]}.${col} does not exist` : `column "${col}" does not exist`, { position: posOf(n.location) });
  }
  if (scope.aggs && !scope.inAgg && !scope.groupCols?.has(idx)) {
    const q = scope.alias ?? scope.relName;
    throw new PgError('42803', `column "${q ? q + '.' : ''}${col}" must appear in the GROUP BY clause or be used in an aggregate function`, { position: posOf(n.location) });
  }
  if (scope.columns[idx]!.refused) throw notSupported(scope.columns[idx]!.refused!, posOf(n.location));
  const type = scope.columns[idx]!.type;
  return { fn: (r) => r.vals[idx]!, type, name: col, strength: 2, columnRef: true };
}

function compileSystemColumn(col: string, scope: Scope, n: N): Compiled {
  if (scope.aggs && !scope.inAgg) {
    throw new PgError('42803', `column "${scope.alias ?? scope.relName}.${col}" must appear in the GROUP BY clause or be used in an aggregate function`, { position: posOf(n.location) });
  }
  switch (col) {
    case 'ctid': return { fn: (r) => `(${r.blk},${r.off})`, type: T.tid, name: col, strength: 2 };
    case 'xmin': return { fn: (r) => r.item!.xmin, type: T.xid, name: col, strength: 2 };
    case 'xmax': return { fn: (r) => r.item!.xmax, type: T.xid, name: col, strength: 2 };
    case 'cmin': case 'cmax': return { fn: (r) => r.item!.field3, type: T.cid, name: col, strength: 2 };
    case 'tableoid': {
      // the relation the row came from: the partition, for a row an Append over a partitioned table found
      const own = scope.relOid;
      if (own === undefined) throw notSupported(`system column ${col} here`, posOf(n.location));
      return { fn: (r) => (r as { rel?: { oid: number } }).rel?.oid ?? own, type: T.oid, name: col, strength: 2 };
    }
    default: throw notSupported(`system column ${col}`, posOf(n.location));
  }
}
