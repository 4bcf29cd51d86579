/**
 * Expressions: parse-tree nodes from the PostgreSQL parser compiled into closures over a row.
 *
 * Compilation resolves column references, picks operator result types the way PostgreSQL's operator tables
 * do (int4 + int4 → int4, int + numeric → numeric, 'literal' takes the other side's type), names result columns
 * as FigureColname() does (?column?, count, int4 ...), and reports PostgreSQL's errors (42703 unknown column,
 * 42883 no such operator, 22012 division by zero, 22003 out of range). Evaluation is three-valued (NULL).
 *
 * Function calls are resolved in the function catalog (sql/funcs/registry.ts, pg_proc's role); casts and
 * operators of the float, date/time and oid types come from sql/adtops.ts.
 *
 * Mirrors: src/backend/parser/parse_expr.c, parse_target.c (FigureColname), parse_oper.c, utils/adt/*.
 * Simplifications: a fixed set of types and operators; implicit casts only along pg_cast's paths that these
 * types need.
 */
import { PgError, notSupported, posOf } from '../errors.js';
import { Numeric } from './numeric.js';
import {
  type SqlType, type Value, T, isIntegral, isStringLike, parseInput, resolveTypeName, checkIntRange, toNumeric,
  formatValue, typeDisplayName, applyNumericTypmod, applyStringTypmod, integerLiteral, groupKey,
} from './types.js';
import { intArith, intNegate } from './intarith.js';
import { pg15HasFunction } from '../catalog/pg15names.js';
import { resolveFunction, buildCall, hasFunction, noSuchFunction } from './funcs/registry.js';
import type { ContribHost } from '../contrib/host.js';
import './funcs/varlena.js';
import './funcs/numeric.js';
import './funcs/datetime.js';
import './funcs/system.js';
import './funcs/lockfuncs.js';
import { adtCast, adtUnify, adtCompare, adtBinary, adtNegate, adtAggState } from './adtops.js';
import { virtualTimestamp } from '../adt/timestamp.js';
import { PgDate, PgTimestamp, USECS_PER_DAY } from '../adt/datetime.js';
import type { Item } from '../heap/tuple.js';
import { literalAt, intConst } from './parser.js';

/** The row an expression is evaluated on. One object is reused across a scan. */
export interface Row {
  vals: Value[];
  item: Item | null;
  blk: number;
  off: number;
  /** aggregate results, in grouping mode */
  aggs: Value[] | null;
}
export type Fn = (r: Row) => Value;
export interface Compiled {
  fn: Fn; type: SqlType; name: string; strength: number; isConst?: boolean;
  /** 1-based position of the expression (exprLocation: the leftmost of an operator and its operands) */
  location?: number;
  /** an untyped string literal: coercing it reports errors at the literal itself, wherever the coercion is */
  literal?: boolean;
  /** a call of a user function as the whole expression: the same value computed as a statement step that may wait
   *  for a lock and yield (pl/fmgr.ts); where the caller can run a generator it prefers this to `fn` */
  gen?: (r: Row) => Generator<import('../session/session.js').StepYield, Value, void>;
}

/** Functions the compiler calls back into the engine for (transaction ids, snapshots, settings). */
export interface ExprEnv {
  txidCurrent(assign: boolean): number | null;
  nextval(seq: string): number | bigint;
  currval(seq: string): number | bigint;
  setval(seq: string, value: number | bigint, isCalled: boolean): number | bigint;
  /** prepare a subquery (SubLink); `outer` gives it access to the enclosing query's columns */
  subquery(select: Record<string, any>, outer: Scope): { run(outerRow: Row): Value[][]; types: SqlType[] };
  currentSnapshot(): string;
  xactStatus(xid: number): string | null;
  currentSetting(name: string, missingOk: boolean): string | null;
  /** $1, $2, … of the EXECUTE being run (commands/prepare.ts); absent in a simple query */
  params?: { value: Value; type: SqlType }[] | null;
  /** virtual milliseconds: the transaction's start, the statement's start, now (for now() and friends) */
  timestamps(): { xact: number; stmt: number; clock: number };
  /** inside a PL/pgSQL function: its variables and $n (pl/frame.ts), consulted before a name is a column */
  pl?: { variable(names: string[], scope: Scope, location: number | undefined): Compiled | null; param(n: number, location: number | undefined): Compiled | null } | null;
  /** a call of a user function (CREATE FUNCTION; pl/fmgr.ts), or null when no user function has that name */
  userFunction?(name: string, args: Compiled[], pos: number | undefined): Compiled | null;
  /** is this extension created (CREATE EXTENSION)? its functions exist only then */
  hasExtension?(name: string): boolean;
  /** the engine and the session, for the inspection and size functions (contrib/, sql/funcs/dbsize.ts) */
  contrib?(): ContribHost;
  /** pg_stat_force_next_flush(): this backend's next statistics report flushes whatever the interval */
  forceNextStatsFlush?(): void;
  /** pg_advisory_lock & co. (lock/advisory.ts); may throw ExprWait (executor/exprwait.ts) */
  advisory(c: import('../lock/advisory.js').AdvisoryCall): Value;
  advisoryUnlockAll(): Value;
  /** pg_sleep: throws ExprWait for the sleep, unless it is over */
  sleep(seconds: number): Value;
  /** pg_cancel_backend / pg_terminate_backend */
  signalBackend(pid: number, kind: 'cancel' | 'terminate'): boolean;
  backendPid(): number;
}

/** a column in scope; `dropped` (attisdropped) keeps its slot in the row but is left out of * and never matches a name */
export interface ColumnSource { name: string; type: SqlType; dropped?: boolean }
export interface AggSpec { kind: 'count' | 'sum' | 'avg' | 'min' | 'max'; arg: Compiled | null; star: boolean; distinct: boolean; type: SqlType }
export interface Scope {
  relName: string | null;
  alias: string | null;
  columns: ColumnSource[];
  /** true when system columns (ctid, xmin, ...) are available */
  hasSystem: boolean;
  /** grouping mode: aggregates allowed; plain columns must be grouped */
  aggs?: AggSpec[];
  groupCols?: Set<number>;
  /** in grouping mode, compiled GROUP BY expressions matched by their source text position */
  inAgg?: boolean;
  /** several relations (a join): each one's visible name and where its columns start in `columns` */
  rels?: { name: string; offset: number; count: number }[];
  /** the enclosing query, for correlated subqueries: its scope and the row being evaluated */
  outer?: { scope: Scope; row: { current: Row | null }; used: boolean };
  env: ExprEnv;
  sql: string;
  /** SELECT * over this source is refused with this 0A000 feature (a system view with only some of its columns) */
  starRefused?: string;
}

type N = Record<string, any>;
const nodeType = (n: N) => Object.keys(n)[0]!;

const SYSTEM_COLUMNS = ['ctid', 'xmin', 'xmax', 'cmin', 'cmax', 'tableoid'];

export function compileExpr(node: N, scope: Scope): Compiled {
  const c = compileNode(node, scope);
  return c.location === undefined ? { ...c, location: posOf(exprLocation(node)) } : c;
}

/** exprLocation on the raw parse tree: where an error about this expression points (0-based byte offset). */
export function exprLocation(node: N | undefined): number | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const t = nodeType(node);
  const n = node[t];
  if (!n || typeof n !== 'object') return undefined;
  const own = typeof n.location === 'number' && n.location >= 0 ? n.location : undefined;
  const leftmost = (...xs: (number | undefined)[]) => { let m: number | undefined; for (const x of xs) if (x !== undefined && (m === undefined || x < m)) m = x; return m; };
  switch (t) {
    case 'TypeCast': return leftmost(own, exprLocation(n.arg));
    case 'A_Expr': return leftmost(own, exprLocation(n.lexpr));
    case 'BoolExpr': return leftmost(own, ...((n.args ?? []) as N[]).map(exprLocation));
    case 'NullTest': case 'BooleanTest': return leftmost(own, exprLocation(n.arg));
    case 'SubLink': return leftmost(own, exprLocation(n.testexpr));
    default: return own;
  }
}

function compileNode(node: N, scope: Scope): Compiled {
  const t = nodeType(node);
  const n = node[t];
  switch (t) {
    case 'A_Const': return compileConst(n);
    case 'ColumnRef': return compileColumnRef(n, scope);
    case 'TypeCast': {
      const arg = compileExpr(n.arg, scope);
      const tn = n.typeName;
      const names = tn.names.map((x: N) => x.String.sval);
      const mods = (tn.typmods ?? []).map((m: N) => intConst(m.A_Const) ?? 0);
      const target = resolveTypeName(names, mods, posOf(tn.location));
      const c = castTo(arg, target, true, posOf(n.location));
      return { ...c, name: arg.strength >= 2 ? arg.name : names[names.length - 1], strength: Math.max(arg.strength, 1) };
    }
    case 'A_Expr': return compileAExpr(n, scope);
    case 'BoolExpr': {
      const args = (n.args as N[]).map((a) => coerceBool(compileExpr(a, scope), n.boolop === 'AND_EXPR' ? 'AND' : n.boolop === 'OR_EXPR' ? 'OR' : 'NOT'));
      const fns = args.map((a) => a.fn);
      let fn: Fn;
      if (n.boolop === 'NOT_EXPR') { const f = fns[0]!; fn = (r) => { const v = f(r); return v === null ? null : !v; }; }
      else if (n.boolop === 'AND_EXPR') fn = (r) => { let nul = false; for (const f of fns) { const v = f(r); if (v === false) return false; if (v === null) nul = true; } return nul ? null : true; };
      else fn = (r) => { let nul = false; for (const f of fns) { const v = f(r); if (v === true) return true; if (v === null) nul = true; } return nul ? null : false; };
      return { fn, type: T.bool, name: '?column?', strength: 0 };
    }
    case 'NullTest': {
      const a = compileExpr(n.arg, scope).fn;
      const fn: Fn = n.nulltesttype === 'IS_NULL' ? (r) => a(r) === null : (r) => a(r) !== null;
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
    case 'FuncCall': return compileFunc(n, scope);
    case 'CoalesceExpr': {
      const args = (n.args as N[]).map((a) => compileExpr(a, scope));
      const type = commonType(args, 'COALESCE', posOf(n.location));
      const fns = args.map((a) => castTo(a, type, false, posOf(n.location)).fn);
      return { fn: (r) => { for (const f of fns) { const v = f(r); if (v !== null) return v; } return null; }, type, name: 'coalesce', strength: 2 };
    }
    case 'CaseExpr': {
      const arg = n.arg ? compileExpr(n.arg, scope) : null;
      const whens = (n.args as N[]).map((w) => {
        const cw = w.CaseWhen;
        let cond = compileExpr(cw.expr, scope);
        if (arg) cond = compileComparison('=', arg, cond, posOf(cw.location));
        return { cond: coerceBool(cond, 'CASE/WHEN').fn, res: compileExpr(cw.result, scope) };
      });
      const def = n.defresult ? compileExpr(n.defresult, scope) : null;
      // transformCaseExpr puts the ELSE result first when it chooses the common type
      const results = (def ? [def] : []).concat(whens.map((w) => w.res));
      const type = commonType(results, 'CASE', posOf(n.location));
      const ws = whens.map((w) => ({ cond: w.cond, res: castTo(w.res, type, false).fn }));
      const d = def ? castTo(def, type, false).fn : null;
      return { fn: (r) => { for (const w of ws) if (w.cond(r) === true) return w.res(r); return d ? d(r) : null; }, type, name: 'case', strength: 2 };
    }
    case 'SubLink': return compileSubLink(n, scope);
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
    case 'A_ArrayExpr': throw notSupported('arrays', posOf(n.location));
    case 'RowExpr': throw notSupported('row constructors', posOf(n.location));
    case 'SQLValueFunction': {
      // CURRENT_TIMESTAMP / CURRENT_DATE / LOCALTIMESTAMP: the transaction's start on the virtual clock
      const op = String(n.op).replace('SVFOP_', '').toLowerCase();
      const env = scope.env;
      const xact = () => virtualTimestamp(env.timestamps().xact);
      switch (op) {
        case 'current_timestamp': case 'current_timestamp_n': return { fn: xact, type: T.timestamptz, name: 'current_timestamp', strength: 2 };
        case 'localtimestamp': case 'localtimestamp_n': return { fn: () => new PgTimestamp(xact().us, false), type: T.timestamp, name: 'localtimestamp', strength: 2 };
        case 'current_date': return { fn: () => new PgDate(Math.floor(xact().us / USECS_PER_DAY)), type: T.date, name: 'current_date', strength: 2 };
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
    default: {
      // SQL/JSON (16/17): what 15's grammar reads as a call of an ordinary function (json_array(...), json_value(...))
      const call = jsonAsFunctionCall(t, n);
      if (call) return compileFunc(call, scope);
      if (t === 'JsonParseExpr') throw new PgError('0A000', 'type json is not supported by Heapscope', { position: posOf(n.location) });
      throw notSupported(`expression type ${t}`, posOf(n?.location));
    }
  }
}

/** How PostgreSQL 15 parses an SQL/JSON constructor of 16/17 that has only plain arguments: as a function call. */
function jsonAsFunctionCall(t: string, n: N): N | null {
  const call = (name: string, args: (N | undefined)[]) => ({ funcname: [{ String: { sval: name } }], args: args.filter((a) => a), location: n.location });
  switch (t) {
    case 'JsonArrayConstructor': return call('json_array', ((n.exprs ?? []) as N[]).map((e) => e.JsonValueExpr?.raw_expr));
    case 'JsonObjectConstructor': return n.exprs?.length ? null : call('json_object', []);
    case 'JsonFuncExpr': return call(String(n.op).replace('_OP', '').toLowerCase(), [n.context_item?.raw_expr, n.pathspec]);
    case 'JsonScalarExpr': return call('json_scalar', [n.expr]);
    case 'JsonSerializeExpr': return call('json_serialize', [n.expr?.raw_expr]);
    default: return null;
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
  if (n.bsval !== undefined) throw notSupported('bit-string constants', posOf(n.location));
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
  } else {
    hits = scope.columns.map((c, i) => (c.name === col ? i : -1)).filter((i) => i >= 0);
    if (hits.length > 1) throw new PgError('42702', `column reference "${col}" is ambiguous`, { position: posOf(n.location) });
    if (!hits.length) return null;
  }
  const idx = hits[0]!;
  if (scope.aggs && !scope.inAgg && !scope.groupCols?.has(idx)) {
    const rel = rels.find((r) => idx >= r.offset && idx < r.offset + r.count)!;
    throw new PgError('42803', `column "${rel.name}.${col}" must appear in the GROUP BY clause or be used in an aggregate function`, { position: posOf(n.location) });
  }
  return { fn: (r) => r.vals[idx]!, type: scope.columns[idx]!.type, name: col, strength: 2 };
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
      if (!scope.outer) {
        if (names0.length === 2) throw new PgError('42P01', `missing FROM-clause entry for table "${names0[0]}"`, { position: posOf(n.location) });
        throw new PgError('42703', `column "${names0[0]}" does not exist`, { position: posOf(n.location) });
      }
      const outer = scope.outer;
      const inner = compileColumnRef(n, { ...outer.scope, aggs: undefined, inAgg: false });
      outer.used = true;
      const ref = outer.row;
      return { ...inner, fn: () => inner.fn(ref.current!) };
    }
  }
  if (fields.some((f) => f.A_Star)) throw new PgError('42601', 'row expansion via "*" is not supported here', { position: posOf(n.location) });
  const names = fields.map((f) => f.String.sval as string);
  let col: string;
  if (names.length === 1) col = names[0]!;
  else if (names.length === 2) {
    const q = names[0]!;
    if (q !== (scope.alias ?? scope.relName)) { // an alias hides the table's own name
      if (scope.outer) {
        const outer = scope.outer;
        const inner = compileColumnRef(n, { ...outer.scope, aggs: undefined, inAgg: false });
        outer.used = true;
        const ref = outer.row;
        return { ...inner, fn: () => inner.fn(ref.current!) };
      }
      throw new PgError('42P01', `missing FROM-clause entry for table "${q}"`, { position: posOf(n.location) });
    }
    col = names[1]!;
  } else throw notSupported('qualified names with schemas', posOf(n.location));
  const idx = scope.columns.findIndex((c) => c.name === col);
  if (idx < 0 && scope.outer && !(scope.hasSystem && SYSTEM_COLUMNS.includes(col))) {
    // a reference to the enclosing query's row (a correlated subquery)
    const outer = scope.outer;
    const inner = compileColumnRef(n, { ...outer.scope, aggs: undefined, inAgg: false });
    outer.used = true;
    const ref = outer.row;
    return { ...inner, fn: () => inner.fn(ref.current!) };
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
  const type = scope.columns[idx]!.type;
  return { fn: (r) => r.vals[idx]!, type, name: col, strength: 2 };
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
    default: throw notSupported(`system column ${col}`, posOf(n.location));
  }
}

function coerceBool(c: Compiled, ctx: string): Compiled {
  if (c.type.name === 'bool') return c;
  if (c.type.name === 'unknown') return castTo(c, T.bool, false);
  throw new PgError('42804', `argument of ${ctx} must be type boolean, not type ${typeDisplayName(c.type)}`);
}

/** The type both sides of an operator are converted to, PostgreSQL-style. */
function unifyTypes(a: SqlType, b: SqlType, op: string, pos?: number): SqlType {
  // character(n) has operators of its own that ignore trailing blanks (bpchareq, bpcharlt, ...): chosen when the
  // other side is character(n), character varying or an untyped literal; against text, both sides are text
  if (a.name === 'bpchar' && (b.name === 'bpchar' || b.name === 'varchar' || b.name === 'unknown')) return T.bpchar;
  if (b.name === 'bpchar' && (a.name === 'varchar' || a.name === 'unknown')) return T.bpchar;
  if (a.name === 'unknown' && b.name === 'unknown') return T.text;
  if (a.name === 'unknown') return b.name === 'varchar' ? T.text : b;
  if (b.name === 'unknown') return a.name === 'varchar' ? T.text : a;
  if (isIntegral(a) && isIntegral(b)) return a.name === 'int8' || b.name === 'int8' ? T.int8 : a.name === 'int2' && b.name === 'int2' ? T.int2 : T.int4;
  if ((isIntegral(a) || a.name === 'numeric') && (isIntegral(b) || b.name === 'numeric')) return T.numeric;
  if (isStringLike(a) && isStringLike(b)) return T.text;
  if (a.name === b.name) return a;
  const adt = adtUnify(a, b);
  if (adt) return adt;
  const xidLike = (t: SqlType) => t.name === 'xid' || t.name === 'xid8' || t.name === 'cid';
  if ((xidLike(a) && (xidLike(b) || isIntegral(b))) || (xidLike(b) && isIntegral(a))) return T.int8;
  throw new PgError('42883', `operator does not exist: ${typeDisplayName(a)} ${op} ${typeDisplayName(b)}`, {
    hint: 'No operator matches the given name and argument types. You might need to add explicit type casts.',
    ...(pos !== undefined ? { position: pos } : {}),
  });
}

/** select_common_type: the type a list of expressions (CASE results, COALESCE arguments, ...) is resolved to. */
function commonType(args: Compiled[], ctx: string, pos?: number): SqlType {
  let t: SqlType = T.unknown;
  for (const a of args) {
    if (a.type.name === 'unknown') continue;
    if (t.name === 'unknown') { t = a.type; continue; }
    try { t = unifyTypes(t, a.type, '', pos); } catch {
      const at = a.location ?? pos;
      throw new PgError('42804', `${ctx} types ${typeDisplayName(t)} and ${typeDisplayName(a.type)} cannot be matched`, at !== undefined ? { position: at } : {});
    }
  }
  return t.name === 'unknown' ? T.text : t;
}

/** Convert a compiled expression to another type (explicit CAST or implicit/assignment coercion). */
export function castTo(c: Compiled, target: SqlType, explicit: boolean, pos?: number): Compiled {
  const r = castToInner(c, target, explicit, pos);
  return c.isConst && r !== c ? fold(r) : r;
}

/**
 * Constant folding (eval_const_expressions): an expression over constants is computed once at compile time,
 * so its errors ("invalid input syntax", "division by zero") come before any row is read, as in PostgreSQL.
 */
function fold(c: Compiled): Compiled {
  const v = c.fn(null as unknown as Row);
  return { ...c, fn: () => v, isConst: true };
}

function castToInner(c: Compiled, target: SqlType, explicit: boolean, pos?: number): Compiled {
  const from = c.type;
  const f = c.fn;
  const same = from.name === target.name && (target.typmod < 0 || from.typmod === target.typmod);
  if (same) return c;
  const wrap = (g: (v: Exclude<Value, null>) => Value): Compiled => ({
    ...c, type: target, fn: (r) => { const v = f(r); return v === null ? null : g(v); },
  });
  if (from.name === 'unknown' || (explicit && (isStringLike(from) || from.name === 'tid' || from.name === 'pg_snapshot'))) {
    if (isStringLike(target) && target.name !== 'unknown') {
      if (from.name === 'bpchar' && target.name !== 'bpchar') return wrap((v) => applyStringTypmod(rtrimBlanks(v as string), target, explicit));
      return wrap((v) => applyStringTypmod(String(v), target, explicit));
    }
    const at = c.literal ? c.location : pos; // coerce_type points at the literal's own text
    return wrap((v) => {
      try { return parseInput(typeof v === 'string' ? v : formatValue(v)!, target); } catch (e) {
        if (e instanceof PgError && at !== undefined && e.position === undefined) e.position = at;
        throw e;
      }
    });
  }
  if (isIntegral(target) && isIntegral(from)) return wrap((v) => checkIntRange(v as number | bigint, target));
  // bytea, pg_lsn and arrays to a string type: their output text (an opaque raw page refuses, types.ts Bytea)
  if (explicit && isStringLike(target) && ['bytea', 'pg_lsn', '_text', '_tid'].includes(from.name)) return wrap((v) => applyStringTypmod(formatValue(v)!, target, explicit));
  const adt = adtCast(from, target, explicit);
  if (adt) return wrap(adt);
  // booltext: a boolean cast to a string type is spelled out
  if (from.name === 'bool' && isStringLike(target)) return wrap((v) => applyStringTypmod(v ? 'true' : 'false', target, explicit));
  if (isIntegral(target) && from.name === 'numeric') {
    return wrap((v) => checkIntRange((v as Numeric).round(0).unscaled, target));
  }
  if (target.name === 'numeric' && (isIntegral(from) || from.name === 'numeric')) {
    return wrap((v) => applyNumericTypmod(toNumeric(v as number | bigint | Numeric), target));
  }
  if (isStringLike(target)) {
    // character(n) → text / character varying drops the padding (rtrim1)
    if (from.name === 'bpchar' && target.name !== 'bpchar') return wrap((v) => applyStringTypmod(rtrimBlanks(v as string), target, explicit));
    if (isStringLike(from) || explicit) return wrap((v) => applyStringTypmod(formatValue(v)!, target, explicit));
  }
  if (target.name === 'bool' && isIntegral(from) && explicit && from.name === 'int4') return wrap((v) => v !== 0);
  if (isIntegral(target) && from.name === 'bool' && explicit && target.name === 'int4') return wrap((v) => (v ? 1 : 0));
  const xidLike = (t: SqlType) => t.name === 'xid' || t.name === 'xid8' || t.name === 'cid';
  if (xidLike(target) && (xidLike(from) || isIntegral(from))) return { ...c, type: target };
  if (isIntegral(target) && xidLike(from) && !explicit) return { ...c, type: target };
  if (target.name === 'text' && from.name === 'pg_snapshot') return { ...c, type: target };
  throw new PgError('42846', `cannot cast type ${typeDisplayName(from)} to ${typeDisplayName(target)}`, pos !== undefined ? { position: pos } : {});
}

function compareValues(a: Exclude<Value, null>, b: Exclude<Value, null>): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (a instanceof Numeric || b instanceof Numeric) return toNumeric(a as number | bigint | Numeric).cmp(toNumeric(b as number | bigint | Numeric));
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const adt = adtCompare(a, b);
  if (adt !== null) return adt;
  const sa = String(a), sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}
export { compareValues };

const CMP_OPS: Record<string, (c: number) => boolean> = {
  '=': (c) => c === 0, '<>': (c) => c !== 0, '!=': (c) => c !== 0, '<': (c) => c < 0, '>': (c) => c > 0, '<=': (c) => c <= 0, '>=': (c) => c >= 0,
};

/** Trailing blanks of a character(n) value, which its comparisons, length() and casts to text ignore (bcTruelen). */
export const rtrimBlanks = (s: string) => { let e = s.length; while (e > 0 && s.charCodeAt(e - 1) === 32) e--; return e === s.length ? s : s.slice(0, e); };

function compileComparison(op: string, l: Compiled, r: Compiled, pos?: number): Compiled {
  const t = unifyTypes(l.type, r.type, op, pos);
  let lf = castTo(l, t, false, pos).fn, rf = castTo(r, t, false, pos).fn;
  if (t.name === 'bpchar') {
    const lp = lf, rp = rf;
    lf = (row) => { const v = lp(row); return v === null ? null : rtrimBlanks(v as string); };
    rf = (row) => { const v = rp(row); return v === null ? null : rtrimBlanks(v as string); };
  }
  if (t.name === 'pg_lsn') {
    // pg_lsn_cmp: the positions as numbers (their text X/X does not sort)
    const lp = lf, rp = rf, num = (v: Value) => { const [h, l] = String(v).split('/'); return parseInt(h!, 16) * 0x100000000 + parseInt(l!, 16); };
    lf = (row) => { const v = lp(row); return v === null ? null : num(v); };
    rf = (row) => { const v = rp(row); return v === null ? null : num(v); };
  }
  const test = CMP_OPS[op]!;
  if (l.isConst && r.isConst) {
    const a = lf(null as unknown as Row), b = rf(null as unknown as Row);
    const v = a === null || b === null ? null : test(compareValues(a, b));
    return { fn: () => v, type: T.bool, name: '?column?', strength: 0, isConst: true };
  }
  if (op === '=' && (isIntegral(t))) {
    return { fn: (row) => { const a = lf(row); if (a === null) return null; const b = rf(row); if (b === null) return null; return a === b; }, type: T.bool, name: '?column?', strength: 0 };
  }
  return {
    fn: (row) => { const a = lf(row); if (a === null) return null; const b = rf(row); if (b === null) return null; return test(compareValues(a, b)); },
    type: T.bool, name: '?column?', strength: 0,
  };
}

function arith(op: string, l: Compiled, r: Compiled, pos?: number): Compiled {
  const c = arithInner(op, l, r, pos);
  return l.isConst && r.isConst ? fold(c) : c;
}

function arithInner(op: string, l: Compiled, r: Compiled, pos?: number): Compiled {
  if (op === '||') {
    // textcat / anytextcat / textanycat: a string (or unknown literal) on either side makes it text concatenation
    const stringish = (c: Compiled) => c.type.name === 'unknown' || isStringLike(c.type);
    if (!stringish(l) && !stringish(r)) throw opNotExist(op, l.type, r.type, pos);
    // string operands become text first (so character(n) loses its padding); others use their output function
    const lf = stringish(l) ? castTo(l, T.text, false, pos).fn : l.fn, rf = stringish(r) ? castTo(r, T.text, false, pos).fn : r.fn;
    const str = (v: Value) => (typeof v === 'boolean' ? (v ? 'true' : 'false') : formatValue(v)!); // bool's text cast spells it out
    return { fn: (row) => { const a = lf(row); const b = rf(row); return a === null || b === null ? null : str(a) + str(b); }, type: T.text, name: '?column?', strength: 0 };
  }
  let adt;
  try { adt = adtBinary(op, l.type, r.type); } catch (e) {
    if (e instanceof PgError && pos !== undefined && e.position === undefined) e.position = pos;
    throw e;
  }
  if (adt) {
    const lf = castTo(l, adt.lt, false, pos).fn, rf = castTo(r, adt.rt, false, pos).fn, g = adt.fn;
    return { fn: (row) => { const a = lf(row); if (a === null) return null; const b = rf(row); if (b === null) return null; return g(a, b); }, type: adt.type, name: '?column?', strength: 0 };
  }
  if (op === '^') return compileOperatorFunc('power', [l, r], pos);
  const t = unifyTypes(l.type, r.type, op, pos);
  const lf = castTo(l, t, false, pos).fn, rf = castTo(r, t, false, pos).fn;
  if (isIntegral(t)) {
    const g = intArith(op, t);
    if (!g) throw opNotExist(op, l.type, r.type, pos);
    return {
      fn: (row) => { const a = lf(row); if (a === null) return null; const b = rf(row); if (b === null) return null; return g(a as number | bigint, b as number | bigint); },
      type: t, name: '?column?', strength: 0,
    };
  }
  if (t.name === 'numeric') {
    let g: (a: Numeric, b: Numeric) => Numeric;
    switch (op) {
      case '+': g = (a, b) => a.add(b); break;
      case '-': g = (a, b) => a.sub(b); break;
      case '*': g = (a, b) => a.mul(b); break;
      case '/': g = (a, b) => { if (b.isZero()) throw new PgError('22012', 'division by zero'); return a.div(b); }; break;
      case '%': return compileOperatorFunc('mod', [l, r], pos);
      default: throw opNotExist(op, l.type, r.type, pos);
    }
    return {
      fn: (row) => { const a = lf(row); if (a === null) return null; const b = rf(row); if (b === null) return null; return g(toNumeric(a as number | bigint | Numeric), toNumeric(b as number | bigint | Numeric)); },
      type: T.numeric, name: '?column?', strength: 0,
    };
  }
  throw opNotExist(op, l.type, r.type, pos);
}
/** An operator implemented by a function of the catalog (numeric_power for ^, dsqrt for |/ ...). */
function compileOperatorFunc(fname: string, args: Compiled[], pos?: number): Compiled {
  const def = resolveFunction(fname, args.map((a) => a.type), pos);
  const c = buildCall(def, args, { env: null as never, pos, name: '?column?' }, (x, t) => castTo(x, t, false, pos));
  return { ...c, name: '?column?', strength: 0 };
}
const opNotExist = (op: string, a: SqlType, b: SqlType, pos?: number) =>
  new PgError('42883', `operator does not exist: ${typeDisplayName(a)} ${op} ${typeDisplayName(b)}`, {
    hint: 'No operator matches the given name and argument types. You might need to add explicit type casts.',
    ...(pos !== undefined ? { position: pos } : {}),
  });

function likeToRegex(p: string, ci: boolean): RegExp {
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const ch = p[i]!;
    if (ch === '\\' && i + 1 < p.length) { re += p[++i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); continue; }
    if (ch === '%') re += '[\\s\\S]*';
    else if (ch === '_') re += '[\\s\\S]';
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp('^' + re + '$', ci ? 'i' : '');
}

function compileAExpr(n: N, scope: Scope): Compiled {
  const kind = n.kind as string;
  const op = n.name ? (n.name as N[]).map((x) => x.String.sval).join('.') : '';
  const pos = posOf(n.location);
  switch (kind) {
    case 'AEXPR_OP': {
      if (!n.lexpr) {
        const r = compileExpr(n.rexpr, scope);
        if (op === '-') {
          if (r.isConst && r.type.name === 'int4') { const v = r.fn(null as unknown as Row) as number; return { fn: () => -v, type: T.int4, name: '?column?', strength: 0, isConst: true }; }
          if (isIntegral(r.type)) { const f = r.fn, t = r.type; return { fn: (row) => { const v = f(row); return v === null ? null : intNegate(v as number | bigint, t); }, type: r.type, name: '?column?', strength: 0 }; }
          if (r.type.name === 'numeric') { const f = r.fn; return { fn: (row) => { const v = f(row); return v === null ? null : (v as Numeric).neg(); }, type: T.numeric, name: '?column?', strength: 0 }; }
        }
        if (op === '-') {
          const neg = adtNegate(r.type);
          if (neg) { const f = r.fn; const c: Compiled = { fn: (row) => { const v = f(row); return v === null ? null : neg(v); }, type: r.type, name: '?column?', strength: 0 }; return r.isConst ? fold(c) : c; }
        }
        if (op === '+') return r;
        const fname = op === '|/' ? 'sqrt' : op === '||/' ? 'cbrt' : op === '@' ? 'abs' : null;
        if (fname) return compileOperatorFunc(fname, [r], pos);
        if (op === '-') {
          throw new PgError('42883', `operator does not exist: ${op} ${typeDisplayName(r.type)}`, {
            hint: 'No operator matches the given name and argument type. You might need to add an explicit type cast.', ...(pos !== undefined ? { position: pos } : {}),
          });
        }
        throw notSupported(`prefix operator ${op}`, pos);
      }
      const l = compileExpr(n.lexpr, scope), r = compileExpr(n.rexpr, scope);
      if (op in CMP_OPS) return compileComparison(op, l, r, pos);
      return arith(op, l, r, pos);
    }
    case 'AEXPR_IN': {
      const l = compileExpr(n.lexpr, scope);
      const items = (n.rexpr.List?.items ?? []) as N[];
      const cmps = items.map((it) => compileComparison('=', l, compileExpr(it, scope), pos).fn);
      const neg = op === '<>';
      return {
        fn: (row) => {
          let nul = false;
          for (const c of cmps) { const v = c(row); if (v === true) return !neg; if (v === null) nul = true; }
          return nul ? null : neg;
        }, type: T.bool, name: '?column?', strength: 0,
      };
    }
    case 'AEXPR_BETWEEN': case 'AEXPR_NOT_BETWEEN': case 'AEXPR_BETWEEN_SYM': case 'AEXPR_NOT_BETWEEN_SYM': {
      const v = compileExpr(n.lexpr, scope);
      const [lo, hi] = (n.rexpr.List.items as N[]).map((x) => compileExpr(x, scope));
      const ge = compileComparison('>=', v, lo!, pos).fn, le = compileComparison('<=', v, hi!, pos).fn;
      const sym = kind.endsWith('_SYM');
      const ge2 = sym ? compileComparison('>=', v, hi!, pos).fn : null, le2 = sym ? compileComparison('<=', v, lo!, pos).fn : null;
      const neg = kind.includes('NOT');
      const and3 = (a: Value, b: Value) => (a === false || b === false ? false : a === null || b === null ? null : true);
      return {
        fn: (row) => {
          let res = and3(ge(row), le(row));
          if (sym && res !== true) { const r2 = and3(ge2!(row), le2!(row)); res = res === null || r2 === null ? (r2 === true ? true : null) : r2; }
          return res === null ? null : neg ? !res : res;
        }, type: T.bool, name: '?column?', strength: 0,
      };
    }
    case 'AEXPR_LIKE': case 'AEXPR_ILIKE': {
      // bpcharlike matches the padded value: character(n) keeps its trailing blanks here
      const l0 = compileExpr(n.lexpr, scope);
      const l = l0.type.name === 'bpchar' ? l0 : castTo(l0, T.text, false, pos), r = castTo(compileExpr(n.rexpr, scope), T.text, false, pos);
      if (!isStringLike(l.type)) throw opNotExist(op, l.type, r.type, pos);
      const neg = op.startsWith('!');
      const ci = kind === 'AEXPR_ILIKE';
      let cache: [string, RegExp] | null = null;
      return {
        fn: (row) => {
          const a = l.fn(row), b = r.fn(row);
          if (a === null || b === null) return null;
          if (!cache || cache[0] !== b) cache = [b as string, likeToRegex(b as string, ci)];
          const m = cache[1].test(a as string);
          return neg ? !m : m;
        }, type: T.bool, name: '?column?', strength: 0,
      };
    }
    case 'AEXPR_DISTINCT': case 'AEXPR_NOT_DISTINCT': {
      const l = compileExpr(n.lexpr, scope), r = compileExpr(n.rexpr, scope);
      const eq = compileComparison('=', l, r, pos).fn;
      const lf = l.fn, rf = r.fn;
      const distinct = kind === 'AEXPR_DISTINCT';
      return {
        fn: (row) => {
          const a = lf(row), b = rf(row);
          const same = a === null || b === null ? a === b : eq(row) === true;
          return distinct ? !same : same;
        }, type: T.bool, name: '?column?', strength: 0,
      };
    }
    case 'AEXPR_NULLIF': {
      const l = compileExpr(n.lexpr, scope), r = compileExpr(n.rexpr, scope);
      const eq = compileComparison('=', l, r, pos).fn;
      const lf = l.fn;
      return { fn: (row) => (eq(row) === true ? null : lf(row)), type: l.type, name: 'nullif', strength: 2 };
    }
    default: throw notSupported(`operator kind ${kind}`, pos);
  }
}

/** Subqueries: EXISTS (...), x IN (SELECT ...), (SELECT ...) as a value (ExecSubPlan / InitPlan). */
function compileSubLink(n: N, scope: Scope): Compiled {
  const kind = n.subLinkType as string;
  const pos = posOf(n.location);
  const sub = scope.env.subquery(n.subselect.SelectStmt ?? n.subselect, scope);
  switch (kind) {
    case 'EXISTS_SUBLINK':
      return { fn: (r) => sub.run(r).length > 0, type: T.bool, name: 'exists', strength: 2 };
    case 'EXPR_SUBLINK': {
      if (sub.types.length !== 1) throw new PgError('42601', 'subquery must return only one column', pos !== undefined ? { position: pos } : {});
      return {
        fn: (r) => {
          const rows = sub.run(r);
          if (rows.length > 1) throw new PgError('21000', 'more than one row returned by a subquery used as an expression');
          return rows.length ? rows[0]![0]! : null;
        }, type: sub.types[0]!, name: '?column?', strength: 0,
      };
    }
    case 'ANY_SUBLINK': {
      if (sub.types.length !== 1) throw new PgError('42601', sub.types.length > 1 ? 'subquery has too many columns' : 'subquery has too few columns', pos !== undefined ? { position: pos } : {});
      const op = n.operName ? (n.operName as N[]).map((x) => x.String.sval).join('') : '=';
      const left = compileExpr(n.testexpr, scope);
      const slot: Row = { vals: [null], item: null, blk: 0, off: 0, aggs: null };
      const cmp = compileComparison(op, left, { fn: () => slot.vals[0]!, type: sub.types[0]!, name: '', strength: 0 }, pos).fn;
      return {
        fn: (r) => {
          let nul = false;
          for (const row of sub.run(r)) { slot.vals[0] = row[0]!; const v = cmp(r); if (v === true) return true; if (v === null) nul = true; }
          return nul ? null : false;
        }, type: T.bool, name: '?column?', strength: 0,
      };
    }
    default: throw notSupported(`${kind.replace('_SUBLINK', '')} subqueries`, pos);
  }
}

const AGGS = new Set(['count', 'sum', 'avg', 'min', 'max']);

function compileFunc(n: N, scope: Scope): Compiled {
  const names = (n.funcname as N[]).map((x) => x.String.sval as string);
  const name = names[names.length - 1]!.toLowerCase();
  const pos = posOf(n.location);
  if (names.length > 1 && names[0] !== 'pg_catalog') throw notSupported(`function ${names.join('.')}`, pos);
  // SYSTEM_USER (16) is, to 15's grammar, a column name
  if (name === 'system_user' && n.funcformat === 'COERCE_SQL_SYNTAX') throw new PgError('42703', 'column "system_user" does not exist', { position: pos });
  const args = (n.args ?? []) as N[];
  if (n.over) throw notSupported('window functions', pos);
  if (AGGS.has(name)) return compileAggregate(name as AggSpec['kind'], n, args, scope, pos);
  if (n.agg_star) throw new PgError('42809', `${name}(*) specified, but ${name} is not an aggregate function`, { position: pos });
  if (args.some((a) => a.NamedArgExpr)) throw notSupported('named function arguments (name => value)', pos);
  const ca = args.map((a) => compileExpr(a, scope));
  if (name === 'generate_series') throw notSupported('generate_series outside FROM', pos);
  if (!hasFunction(name)) {
    const uf = names.length === 1 ? scope.env.userFunction?.(name, ca, pos) : null;
    if (uf) return uf;
    if (pg15HasFunction(name, ca.length)) throw notSupported(`the function ${name}()`, pos);
    throw noSuchFunction(names.join('.'), ca.map((a) => a.type), pos);
  }
  // errors name the function as written: the SQL-syntax forms (EXTRACT, POSITION, SUBSTRING ...) as pg_catalog.f
  const def = resolveFunction(name, ca.map((a) => a.type), pos, names.join('.'), scope.env);
  return buildCall(def, ca, { env: scope.env, pos, name }, (x, t) => castTo(x, t, false, pos));
}

function compileAggregate(kind: AggSpec['kind'], n: N, args: N[], scope: Scope, pos?: number): Compiled {
  if (!scope.aggs) throw new PgError('42803', 'aggregate functions are not allowed in WHERE', pos !== undefined ? { position: pos } : {});
  if (scope.inAgg) throw new PgError('42803', 'aggregate function calls cannot be nested', pos !== undefined ? { position: pos } : {});
  if (n.agg_order || n.agg_filter) throw notSupported('aggregate ORDER BY / FILTER', pos);
  const inner: Scope = { ...scope, inAgg: true };
  let arg: Compiled | null = null;
  if (!n.agg_star) {
    if (args.length !== 1) throw notSupported(`${kind} with ${args.length} arguments`, pos);
    arg = compileExpr(args[0]!, inner);
  } else if (kind !== 'count') {
    throw new PgError('42809', `${kind}(*) specified, but ${kind} is not an aggregate function`, pos !== undefined ? { position: pos } : {});
  }
  let type: SqlType;
  const at = arg?.type ?? T.int8;
  switch (kind) {
    case 'count': type = T.int8; break;
    case 'sum':
      if (at.name === 'int2' || at.name === 'int4') type = T.int8;
      else if (at.name === 'int8' || at.name === 'numeric') type = T.numeric;
      else if (at.name === 'float8' || at.name === 'float4' || at.name === 'interval') type = at;
      else throw new PgError('42883', `function sum(${typeDisplayName(at)}) does not exist`, { position: pos, hint: 'No function matches the given name and argument types. You might need to add explicit type casts.' });
      break;
    case 'avg':
      if (isIntegral(at) || at.name === 'numeric') type = T.numeric;
      else if (at.name === 'float8' || at.name === 'float4') type = T.float8;
      else if (at.name === 'interval') type = T.interval;
      else throw new PgError('42883', `function avg(${typeDisplayName(at)}) does not exist`, { position: pos, hint: 'No function matches the given name and argument types. You might need to add explicit type casts.' });
      break;
    default: type = at.name === 'unknown' ? T.text : at;
  }
  const slot = scope.aggs.length;
  scope.aggs.push({ kind, arg, star: !!n.agg_star, distinct: !!n.agg_distinct, type });
  return { fn: (r) => r.aggs![slot]!, type, name: kind, strength: 2 };
}

/** Aggregate state machines (numeric.c int4_sum / int8_avg_accum / ...). */
export function newAggState(spec: AggSpec): { add(v: Value): void; result(): Value } {
  const seen = spec.distinct ? new Set<string>() : null;
  const dedup = (v: Value) => {
    if (!seen) return false;
    const k = groupKey(v)!;
    if (seen.has(k)) return true;
    seen.add(k);
    return false;
  };
  switch (spec.kind) {
    case 'count': {
      let c = 0;
      return { add: (v) => { if (spec.star || (v !== null && !dedup(v))) c++; }, result: () => c };
    }
    case 'sum': case 'avg': {
      const adt = adtAggState(spec.kind, spec.arg?.type ?? T.int8, dedup);
      if (adt) return adt;
      // int4_sum / int8_avg_accum: a number while the running sum stays a safe integer, exact Numeric after that
      let intSum = 0, big: Numeric | null = null, count = 0;
      return {
        add: (v) => {
          if (v === null || dedup(v)) return;
          count++;
          if (typeof v === 'number' && big === null) {
            const next = intSum + v;
            if (Number.isSafeInteger(next)) { intSum = next; return; }
            big = Numeric.fromInt(intSum);
            intSum = 0;
          }
          big = (big ?? Numeric.fromInt(intSum)).add(toNumeric(v as number | bigint | Numeric));
          intSum = 0;
        },
        result: () => {
          if (count === 0) return null;
          const total = big ? big.add(Numeric.fromInt(intSum)) : null;
          if (spec.kind === 'sum') {
            if (spec.type.name === 'int8') return total ? checkIntRange(total.unscaled, T.int8) : intSum;
            return total ?? Numeric.fromInt(intSum);
          }
          return (total ?? Numeric.fromInt(intSum)).div(Numeric.fromInt(count));
        },
      };
    }
    case 'min': case 'max': {
      let best: Value = null;
      const sign = spec.kind === 'max' ? 1 : -1;
      return { add: (v) => { if (v !== null && (best === null || compareValues(v, best) * sign > 0)) best = v; }, result: () => best };
    }
  }
}
