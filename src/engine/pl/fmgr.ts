/**
 * Calling a user function: finding it (pg_proc), binding its arguments, running its language's handler.
 *
 * A call f(args) in SQL is resolved like a built-in (parse_func.c: same name, the argument types implicitly
 * castable, the most exact matches win); a polymorphic parameter (anyelement, anynonarray) takes the argument's
 * own type. The language handler then runs the body: plpgsql_call_handler (pl/exec.ts) or fmgr_sql for LANGUAGE
 * sql (pl/sqlfunc.ts). A STRICT function called with a NULL argument returns NULL without running.
 *
 * The engine's expressions are synchronous closures, while a function body is a sequence of statements that may
 * wait for locks. A DO block, a trigger, a function in FROM, and a call that is a whole select-list item of a
 * query without a table (SELECT f(1), PERFORM f(), x := f()) run as part of the statement's generator: they can
 * wait for a lock, and a long loop yields so that the host can cancel it (57014). A call nested deeper in an
 * expression (SELECT f(1) + 1, WHERE f(k)) runs to its end on the spot — if it would have to wait for a lock it
 * fails with 0A000 instead, and its loops are bounded by a step budget (PL_STEP_LIMIT). Deliberate difference.
 *
 * Mirrors: src/backend/utils/fmgr/fmgr.c, parser/parse_func.c (func_get_detail for user functions),
 * src/pl/plpgsql/src/pl_handler.c (plpgsql_call_handler, plpgsql_inline_handler).
 */
import { PgError, notSupported, posOf } from '../errors.js';
import type { Executor } from '../executor/executor.js';
import { type Gen, firstLocation } from '../executor/util.js';
import type { PgFunction, Catalog } from '../catalog/catalog.js';
import type { Session } from '../session/session.js';
import { castTo, compileExpr, type Compiled, type Row } from '../sql/expr.js';
import { canCoerceImplicitly } from '../sql/funcs/registry.js';
import type { Scope } from '../sql/primnodes.js';
import { callSignature, checkArgNames, expandedParamTypes, matchCall, variadicForm } from '../sql/funcs/funcmatch.js';
import { type SqlType, type Value, PgArray, T, isStringLike, resolveTypeName } from '../sql/types.js';
import { compilePlpgsql, type PlFunction } from './compile.js';
import { PlExec, type PlReturn, type ReturnShape, type TriggerArgs } from './exec.js';
import { PlFrame } from './frame.js';
import { runSqlFunction } from './sqlfunc.js';
import { ExprWait, replayOr } from '../executor/exprwait.js';
import { initFunctionUsage, endFunctionUsage, type CallSite } from '../pgstat/pgstat_function.js';
import { PgRecord, recordType, rowTypeLookup } from '../adt/rowtypes.js';

const compiled = new WeakMap<PgFunction, PlFunction>();
/** plpgsql_compile, cached per definition (a `t.col%TYPE` variable takes the column's type at the first call). */
export function plCompiled(f: PgFunction, cat?: Catalog): PlFunction {
  let c = compiled.get(f);
  if (!c) {
    c = compilePlpgsql(f.source, (rel, col) => cat?.get(rel)?.columns.find((x) => !x.dropped && x.name === col)?.type ?? null, { name: f.name, body: f.body });
    compiled.set(f, c);
  }
  return c;
}

/** format_procedure: f(integer, text) as CONTEXT lines and errors name a function. */
export function signature(f: PgFunction): string {
  return `${f.name}(${f.args.map((a) => a.typeName).join(',')})`;
}

/** The columns of a named row type a function returns: a table's (not its dropped ones) or a composite type's fields. */
export function rowTypeColumns(cat: Catalog, rel: string): { name: string; type: SqlType }[] | null {
  const t = cat.get(rel);
  if (t) return t.columns.filter((c) => !c.dropped).map((c) => ({ name: c.name, type: c.type }));
  return cat.composites.get(rel)?.fields ?? null;
}

export function returnShape(f: PgFunction, cat: Catalog): ReturnShape {
  const type = f.ret.kind === 'type' ? f.ret.type : null;
  const columns = f.table ?? (f.ret.kind === 'rowtype' ? rowTypeColumns(cat, f.ret.rel) : null);
  return {
    setof: f.setof, type, columns, isVoid: f.ret.kind === 'void',
    isRecord: f.ret.kind === 'record' || f.ret.kind === 'rowtype' || f.ret.kind === 'trigger',
    readOnly: f.volatility !== 'volatile',
  };
}

/**
 * The schema a qualified call names, as the user-function lookup takes it (LookupExplicitNamespace): public is where
 * the others live (undefined), pg_temp — or the session's own pg_temp_N — its temporary functions; pg_temp before
 * the session made its temporary schema does not exist (3F000). Another session's pg_temp_N is refused.
 */
export function functionSchema(s: Session, schema: string | undefined): 'pg_temp' | undefined {
  if (schema === undefined || schema === 'public') return undefined;
  if (schema === 'pg_temp' || schema === `pg_temp_${s.backendId}`) {
    if (!s.tempNamespace) throw new PgError('3F000', `schema "${schema}" does not exist`);
    return 'pg_temp';
  }
  throw notSupported(`functions in the schema ${schema}`);
}

/**
 * func_get_detail among the user functions of that name: null when there is none by that name. The call's
 * arguments are matched to the parameters by position and name, defaults filling the rest (pl/funcmatch.ts). A
 * call from SQL that finds a procedure (or CALL that finds a function) is 42809, as ParseFuncOrColumn reports it.
 */
export function resolveUserFunction(cat: Catalog, name: string, argTypes: SqlType[], pos?: number, call = false,
  names: (string | null)[] = argTypes.map(() => null), variadicCall = false, schema?: 'pg_temp'): PgFunction | null {
  const all = cat.functionsNamed(name, schema);
  if (!all?.length) return null;
  const what = call ? 'procedure' : 'function';
  const at = pos !== undefined ? { position: pos } : {};
  const shown = callSignature(schema ? `${schema}.${name}` : name, argTypes, names);
  const cands: { f: PgFunction; types: (SqlType | 'any')[]; expanded: boolean }[] = [];
  for (const f of all) {
    const form = variadicForm(f, names, variadicCall);
    if (!form) continue;
    let types: (SqlType | 'any')[];
    if (form === 'expanded') types = expandedParamTypes(f, argTypes.length);
    else {
      const m = matchCall(f, names);
      if (!m) continue;
      types = argTypes.map((_, i) => f.args[m[i]!]!.type);
    }
    if (argTypes.every((t, i) => { const a = types[i]!; return a === 'any' || canCoerceImplicitly(t, a.name); })) cands.push({ f, types, expanded: form === 'expanded' });
  }
  if (!cands.length) {
    throw new PgError('42883', `${what} ${shown} does not exist`, { hint: `No ${what} matches the given name and argument types. You might need to add explicit type casts.`, ...at });
  }
  // the most parameters of exactly the argument's type win; a tie (defaults, or a named call fitting two orders) is 42725
  const exact = (c: { types: (SqlType | 'any')[] }) => argTypes.filter((t, i) => { const a = c.types[i]!; return a !== 'any' && a.name === t.name; }).length;
  const best = Math.max(...cands.map(exact));
  let top = cands.filter((c) => exact(c) === best);
  // f(numeric) and f(VARIADIC numeric[]) both fitting f(1): the non-variadic one, on efficiency grounds
  if (top.length > 1 && top.some((c) => !c.expanded)) top = top.filter((c) => !c.expanded || !top.some((o) => !o.expanded && sameTypes(o.types, c.types)));
  if (top.length > 1) {
    throw new PgError('42725', `${what} ${shown} is not unique`, { hint: `Could not choose a best candidate ${what}. You might need to add explicit type casts.`, ...at });
  }
  const f = top[0]!.f;
  if (f.kind === 'procedure' && !call) throw new PgError('42809', `${shown} is a procedure`, { hint: 'To call a procedure, use CALL.', ...at });
  if (f.kind !== 'procedure' && call) throw new PgError('42809', `${shown} is not a procedure`, { hint: 'To call a function, use SELECT.', ...at });
  return f;
}

const sameTypes = (a: (SqlType | 'any')[], b: (SqlType | 'any')[]) =>
  a.length === b.length && a.every((t, i) => { const u = b[i]!; return t === 'any' || u === 'any' ? t === u : t.name === u.name; });

/**
 * The call's arguments coerced to the function's parameter types (a polymorphic one: an untyped literal is text),
 * in parameter order, a parameter left out getting its default — compiled again for every call site (in `scope`)
 * and so evaluated at each call, as the planner's expand_function_arguments inserts the default expressions.
 */
export function coerceUserArgs(f: PgFunction, args: Compiled[], pos: number | undefined, names?: (string | null)[], scope?: Scope,
  variadicCall = false): Compiled[] {
  const coerce = (a: Compiled, t: SqlType | 'any') => (t === 'any' ? (a.type.name === 'unknown' ? castTo(a, T.text, false, pos) : a) : castTo(a, t, false, pos));
  if (variadicForm(f, names ?? args.map(() => null), variadicCall) === 'expanded') {
    // the trailing arguments, each coerced to the element type, make the VARIADIC parameter's array
    const k = f.args.length - 1;
    const at = f.args[k]!.type as SqlType;
    const elems = args.slice(k).map((a) => coerce(a, at.elem!).fn);
    const arr: Compiled = { type: at, name: 'array', strength: 0, fn: (r) => new PgArray(elems.map((g) => g(r) as Exclude<Value, PgArray>)) };
    return [...args.slice(0, k).map((a, i) => coerce(a, f.args[i]!.type)), arr];
  }
  const m = matchCall(f, names ?? args.map(() => null));
  if (!m) throw new PgError('XX000', `the call of ${f.name}() does not fit it`);
  const out = new Array<Compiled>(f.args.length);
  m.forEach((p, i) => {
    const param = f.args[p]!;
    if (i < args.length) { out[p] = coerce(args[i]!, param.type); return; }
    if (!scope) throw notSupported(`the default of a parameter of ${f.name}() here`, pos);
    // a default is coerced by assignment (coerce_to_specific_type): to a string type by I/O conversion too
    const d = compileExpr(param.def!, scope);
    out[p] = param.type !== 'any' && isStringLike(param.type) && d.type.name !== 'unknown' ? castTo(d, param.type, true, pos) : coerce(d, param.type);
  });
  return out;
}

/** Run a function with argument values (their types as the call has them): the body's result. */
export function* callFunction(ex: Executor, s: Session, f: PgFunction, args: { value: Value; type: SqlType }[], canYield: boolean,
  trigger: TriggerArgs | null = null, nonAtomic = false, site: CallSite = 'other'): Gen<PlReturn> {
  if (f.ret.kind === 'trigger' && !trigger) throw new PgError('0A000', 'trigger functions can only be called as triggers');
  if (s.plDepth >= 100) throw new PgError('54001', 'stack depth limit exceeded', { hint: 'Increase the configuration parameter "max_stack_depth" (currently 2048kB), after ensuring the platform\'s stack depth limit is adequate.' });
  const outerBudget = s.plBudget;
  const budget = outerBudget ?? { steps: 0, sinceYield: 0, canYield };
  s.plBudget = canYield === budget.canYield ? budget : { ...budget, canYield };
  s.plDepth++;
  // the calling expression's replay record (executor/exprwait.ts) is not the function's: its statements keep their own
  const replay = s.exprReplay;
  s.exprReplay = null;
  // a function called from SQL runs atomically (no COMMIT inside); only CALL passes nonAtomic
  const outerNonAtomic = s.plNonAtomic;
  s.plNonAtomic = nonAtomic;
  // pgstat_init_function_usage: a call is counted (track_functions) when it returns
  const fcu = initFunctionUsage(ex.eng, s, f, site);
  try {
    if (f.language === 'sql') { const r = yield* runSqlFunction(ex, s, f, args); endFunctionUsage(ex.eng, s, fcu); return r; }
    const fn = plCompiled(f, ex.eng.catalog);
    const frame = new PlFrame(fn, signature(f), args);
    args.forEach((a, i) => { const sl = frame.slots[i]; if (sl?.kind === 'var') { sl.value = a.value; sl.type = f.args[i]!.type === 'any' ? a.type : f.args[i]!.type as SqlType; } });
    const out = yield* new PlExec(ex, s, frame, returnShape(f, ex.eng.catalog), s.plBudget, trigger).run();
    if (f.kind === 'procedure') out.params = f.args.map((_, i) => { const sl = frame.slots[i]; return sl?.kind === 'var' ? sl.value : null; });
    endFunctionUsage(ex.eng, s, fcu);
    return out;
  } finally {
    s.exprReplay = replay;
    s.plNonAtomic = outerNonAtomic;
    s.plDepth--;
    if (outerBudget) { outerBudget.steps = s.plBudget!.steps; outerBudget.sinceYield = s.plBudget!.sinceYield; }
    s.plBudget = outerBudget;
  }
}

/**
 * A user function in FROM (nodeFunctionscan.c): run once, its rows materialized — RETURNS TABLE / SETOF rows, a
 * row type's columns, or one row of a scalar. Null when the FROM item is not a user function.
 */
export function* functionScan(ex: Executor, s: Session, rf: Record<string, any>,
  sql: string): Gen<{ names: string[]; types: SqlType[]; rows: Value[][] } | null> {
  const fc = rf.functions?.[0]?.List?.items?.[0]?.FuncCall;
  const names = (fc?.funcname as Record<string, any>[] | undefined)?.map((x) => x.String.sval as string);
  if (!fc || !names || names.length > 2 || rf.functions.length !== 1) return null;
  const qual = names.length === 2 ? names[0]! : undefined;
  if (qual !== undefined && qual !== 'public' && !/^pg_temp(_\d+)?$/.test(qual)) return null;
  const name = names[names.length - 1]!;
  const schema = functionSchema(s, qual);
  // unqualified: a built-in's name falls through to the built-in functions in FROM; qualified: only user functions
  if (qual === undefined && !ex.eng.catalog.functions.has(name)) return null;
  const env = ex.env(s, () => ex.eng.snapshotFor(s));
  const scope = { relName: null, alias: null, columns: [], hasSystem: false, env, sql };
  const raw = (fc.args ?? []) as Record<string, any>[];
  const argNames = raw.map((a) => (a.NamedArgExpr ? a.NamedArgExpr.name as string : null));
  const args = raw.map((a) => compileExpr(a.NamedArgExpr ? a.NamedArgExpr.arg : a, scope));
  checkArgNames(argNames, raw.map((a) => posOf(a.NamedArgExpr ? a.NamedArgExpr.location : firstLocation(a))));
  const pos = posOf(fc.location);
  const variadic = !!fc.func_variadic;
  const f = resolveUserFunction(ex.eng.catalog, name, args.map((a) => a.type), pos, false, argNames, variadic, schema);
  if (!f) {
    throw new PgError('42883', `function ${callSignature(names.join('.'), args.map((a) => a.type), argNames)} does not exist`, {
      hint: 'No function matches the given name and argument types. You might need to add explicit type casts.', position: pos });
  }
  const coerced = coerceUserArgs(f, args, pos, argNames, scope, variadic);
  const row: Row = { vals: [], item: null, blk: 0, off: 0, aggs: null };
  const vals = coerced.map((a) => ({ value: a.fn(row), type: a.type }));
  let cols: { name: string; type: SqlType }[];
  if (f.table) cols = f.table;
  else if (f.ret.kind === 'rowtype') cols = rowTypeColumns(ex.eng.catalog, f.ret.rel)!;
  else if (f.ret.kind === 'type') cols = [{ name, type: f.ret.type }];
  else if (f.ret.kind === 'void') cols = [{ name, type: T.text }];
  else if (rf.coldeflist?.length) {
    cols = (rf.coldeflist as Record<string, any>[]).map((cd) => {
      const c = cd.ColumnDef;
      const tn = c.typeName;
      return { name: c.colname as string, type: resolveTypeName(tn.names.map((x: Record<string, any>) => x.String.sval),
        (tn.typmods ?? []).map((m: Record<string, any>) => m.A_Const?.ival?.ival ?? 0), undefined, tn.arrayBounds) };
    });
  } else throw new PgError('42601', 'a column definition list is required for functions returning "record"', { position: pos });
  const alias = rf.alias?.aliasname as string | undefined;
  if (cols.length === 1 && alias && !f.table && f.ret.kind !== 'rowtype') cols = [{ name: alias, type: cols[0]!.type }];
  const colnames = ((rf.alias?.colnames ?? []) as Record<string, any>[]).map((x) => x.String.sval as string);
  const rows: Value[][] = [];
  if (!(f.strict && vals.some((v) => v.value === null))) {
    const out = yield* callFunction(ex, s, f, vals, true, null, false, 'from');
    if (f.setof) rows.push(...out.rows);
    else if (f.ret.kind === 'rowtype' || f.ret.kind === 'record') { if (out.rec) rows.push(out.rec.vals); } else rows.push([f.ret.kind === 'void' ? '' : out.value]);
  }
  return { names: cols.map((c, i) => colnames[i] ?? c.name), types: cols.map((c) => c.type), rows };
}

/**
 * A SETOF user function in the select list (ProjectSet): called once per input row, run to its end there (like any
 * call inside an expression); one column only (a row-returning one in the select list is a record: 0A000).
 */
export function userSrfCall(ex: Executor, s: Session, name: string, args: Compiled[],
  pos: number | undefined): { type: SqlType; rows(r: Row): Value[] } | null {
  const f = resolveUserFunction(ex.eng.catalog, name, args.map((a) => a.type), pos);
  if (!f || !f.setof) return null;
  const type = f.table?.length === 1 ? f.table[0]!.type : f.ret.kind === 'type' ? f.ret.type : null;
  if (!type) throw notSupported(`the function ${name}() returning rows of several columns in the select list (use it in FROM)`, pos);
  if (f.args.length !== args.length) throw notSupported(`parameter defaults of the set-returning function ${name}() in the select list`, pos);
  const coerced = coerceUserArgs(f, args, pos);
  return {
    type,
    rows: (r: Row) => {
      const vals = coerced.map((a) => ({ value: a.fn(r), type: a.type }));
      if (f.strict && vals.some((v) => v.value === null)) return [];
      return runToEnd(callFunction(ex, s, f, vals, false, null, false, 'expr'), `the function ${name}()`).rows.map((x) => x[0] ?? null);
    },
  };
}

/** Run a generator to its end where nobody can wait (an expression): a lock wait is 0A000, progress is ignored. */
export function runToEnd<T>(g: Gen<T>, what: string): T {
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
    if (r.value.kind === 'progress') continue;
    g.return(undefined as never);
    throw notSupported(`${what} that has to wait for a lock, called inside an expression`);
  }
}

/**
 * The compiled form of a call f(args) inside an expression: arguments coerced to the declared types, the
 * function run to its end each time the expression is evaluated.
 */
export function compileUserCall(ex: Executor, s: Session, f: PgFunction, args: Compiled[], pos: number | undefined,
  names?: (string | null)[], scope?: Scope, variadicCall = false): Compiled {
  if (f.setof) throw notSupported(`the set-returning function ${f.name}() outside FROM`, pos);
  if (f.ret.kind === 'trigger') throw new PgError('0A000', 'trigger functions can only be called as triggers', pos !== undefined ? { position: pos } : {});
  if (f.ret.kind === 'record') throw notSupported(`the function ${f.name}() returning a record, outside FROM`, pos);
  const coerced = coerceUserArgs(f, args, pos, names, scope, variadicCall);
  const fns = coerced.map((a) => a.fn);
  const types = coerced.map((a) => a.type);
  // a function returning a named row type: its row as one value of that type (ExecMakeFunctionResult's tuple datum)
  const rowType = f.ret.kind === 'rowtype' ? rowTypeLookup.byName(f.ret.rel) : undefined;
  if (f.ret.kind === 'rowtype' && !rowType) throw new PgError('42704', `type "${f.ret.rel}" does not exist`);
  const type = rowType ? recordType(rowType.fields, rowType.name, rowType.typeOid) : f.ret.kind === 'type' ? f.ret.type : T.text; // void prints as an empty value
  const finish = (v: Value, t: SqlType | null, rec?: { vals: Value[] } | null): Value => {
    if (rowType) return rec ? new PgRecord(rec.vals.slice()) : null;
    if (f.ret.kind === 'void') return '';
    if (v === null || !t || f.ret.kind !== 'type' || (t.name === type.name && t.typmod === type.typmod)) return v;
    return castTo({ fn: () => v, type: t, name: '', strength: 0 }, type, true).fn(null as unknown as Row);
  };
  return {
    type, name: f.name, strength: 2,
    fn: (r: Row) => {
      const vals = fns.map((g) => g(r));
      if (f.strict && vals.some((v) => v === null)) return null;
      // a row evaluated again after another call in it waited (exprwait.ts) gets this call's result replayed, not
      // the function run twice
      return replayOr(s, () => {
        let out: PlReturn;
        try {
          out = runToEnd(callFunction(ex, s, f, vals.map((value, i) => ({ value, type: types[i]! })), false, null, false, 'expr'), `the function ${f.name}()`);
        } catch (e) {
          // the function has run statements already: it cannot be evaluated again after a wait
          if (e instanceof ExprWait) throw new PgError('0A000', `${e.fn} waiting inside the function ${f.name}(), called inside an expression, is not supported by Heapscope`);
          throw e;
        }
        return finish(out.value, out.type, out.rec);
      });
    },
    gen: function* (r: Row) {
      const vals = fns.map((g) => g(r));
      if (f.strict && vals.some((v) => v === null)) return null;
      const out = yield* callFunction(ex, s, f, vals.map((value, i) => ({ value, type: types[i]! })), true, null, false, 'expr');
      return finish(out.value, out.type, out.rec);
    },
  };
}
