/**
 * CREATE [OR REPLACE] FUNCTION / PROCEDURE, DROP FUNCTION / PROCEDURE, DO and CALL.
 *
 * A function is a pg_proc row: its name, the types of its input parameters (the function's identity together with
 * the name: f(int) and f(text) are two functions), what it returns (a type, SETOF / TABLE rows, void, trigger),
 * its language and its body as text. CREATE FUNCTION checks the body the way the language's validator does —
 * plpgsql_validator compiles PL/pgSQL, so a syntax error is reported now; a SQL body is parsed — and stores it;
 * nothing runs until the function is called (pl/fmgr.ts). OR REPLACE may change the body but not the return type
 * (42P13). DO runs an anonymous PL/pgSQL block once (plpgsql_inline_handler): it is compiled as a function
 * `inline_code_block` returning void, which is the name CONTEXT lines give it.
 *
 *     CREATE FUNCTION bump(k int) RETURNS int LANGUAGE plpgsql AS $$
 *       BEGIN UPDATE t SET v = v + 1 WHERE id = k; RETURN k; END $$;
 *     SELECT bump(1);                     -- the UPDATE runs inside the SELECT's transaction
 *     DO $$ BEGIN PERFORM bump(2); END $$;
 *
 * Mirrors: src/backend/commands/functioncmds.c (CreateFunction, interpret_function_parameter_list,
 * compute_function_attributes, ExecuteDoStmt), catalog/pg_proc.c (ProcedureCreate), dependency.c for DROP.
 * CREATE PROCEDURE makes a pg_proc row of kind 'p' that only CALL runs (SELECT p() is 42809, and so is CALL f());
 * CALL's transaction control is pl/transaction.ts.
 * A procedure's INOUT and OUT parameters are passed by CALL and printed as one row when it ends.
 * A parameter may have a DEFAULT (checked against its type now, evaluated at each call that leaves it out); calls
 * bind arguments by position or name (sql/funcs/funcmatch.ts).
 * Simplifications: no OUT / INOUT parameters of functions, no VARIADIC, no LANGUAGE sql procedures, no SET
 * clauses, SECURITY DEFINER is accepted and changes nothing (there is one user); a SQL body is parsed but not
 * analysed at CREATE (a missing table is reported at the call); the catalog is not MVCC (see catalog.ts).
 */
import type { Executor } from '../executor/executor.js';
import type { Gen, N } from '../executor/util.js';
import { PgError, notSupported, posOf } from '../errors.js';
import { type PgFunction, tempKey } from '../catalog/catalog.js';
import { tempNamespace } from './tempcmds.js';
import { type Shadow, unshadow } from '../catalog/catalogsnapshot.js';
import { dropTransactional } from '../pgstat/pgstat_function.js';
import type { Session, QueryResult } from '../session/session.js';
import { type SqlType, isStringLike, resolveTypeName, typeDisplayName } from '../sql/types.js';
import { parseSqlUncached, intConst } from '../sql/parser.js';
import { compilePlpgsql } from '../pl/compile.js';
import { PlExec } from '../pl/exec.js';
import { PlFrame } from '../pl/frame.js';
import { callFunction, coerceUserArgs, plCompiled, resolveUserFunction } from '../pl/fmgr.js';
import { callIsNonAtomic } from '../pl/transaction.js';
import { compileExpr, type Row } from '../sql/expr.js';
import { formatValue } from '../sql/types.js';
import { noSuchFunction } from '../sql/funcs/registry.js';
import { castTo } from '../sql/coerce.js';
import { firstLocation } from '../executor/util.js';
import { checkArgNames, matchCall } from '../sql/funcs/funcmatch.js';

const POLYMORPHIC = new Set(['anyelement', 'anynonarray', 'anycompatible', 'anycompatiblenonarray']);

function typeOf(tn: N, isReturn = false): { type: SqlType | 'any'; name: string } {
  const names = (tn.names as N[]).map((x) => x.String.sval as string);
  const last = names[names.length - 1]!.toLowerCase();
  if (tn.setof && !isReturn) throw notSupported('SETOF parameters', posOf(tn.location));
  if (POLYMORPHIC.has(last)) {
    if (tn.arrayBounds) throw notSupported(`${last}[] in function signatures`, posOf(tn.location));
    return { type: 'any', name: last };
  }
  if (last === 'anyarray' || last === 'anycompatiblearray') throw notSupported(`${last} in function signatures`, posOf(tn.location));
  // (the statement's integer literals are lifted out of the tree: intConst reads them back)
  const t0 = resolveTypeName(names, (tn.typmods ?? []).map((m: N) => intConst(m.A_Const) ?? 0), posOf(tn.location), tn.arrayBounds);
  // a function's argument and result types have no typmods (pg_proc keeps type oids): f(x bit(4)) takes any bit string
  const t = t0.elem ? { ...t0, typmod: -1, elem: { ...t0.elem, typmod: -1 } } : { ...t0, typmod: -1 };
  return { type: t, name: typeDisplayName(t) };
}

const defOf = (n: N, name: string): N | undefined => ((n.options ?? []) as N[]).map((o) => o.DefElem).find((d: N) => d.defname === name);

function sameArgs(a: PgFunction['args'], b: PgFunction['args']): boolean {
  return a.length === b.length && a.every((x, i) => (x.type === 'any' ? x.typeName === b[i]!.typeName : b[i]!.type !== 'any' && x.type.name === (b[i]!.type as SqlType).name));
}

/**
 * interpret_function_parameter_list's check of a DEFAULT: the expression is analysed with no table in scope and
 * coerced to the parameter's type (coerce_to_specific_type: 42804 when there is no such coercion); it is kept as
 * a parse tree and evaluated afresh at each call.
 */
function checkDefault(ex: Executor, s: Session, def: N, type: SqlType | 'any'): void {
  if (JSON.stringify(def).includes('"SubLink"')) throw new PgError('0A000', 'cannot use subquery in DEFAULT expression', { position: posOf(firstLocation(def)) });
  const env = ex.env(s, () => ex.eng.snapshotFor(s));
  const c = compileExpr(def, { relName: null, alias: null, columns: [], hasSystem: false, env, sql: '' });
  if (type === 'any' || c.type.name === 'unknown') { if (type !== 'any') castTo(c, type, false); return; }
  if (c.type.name === type.name) return;
  const mismatch = () => new PgError('42804', `argument of DEFAULT must be type ${typeDisplayName({ name: type.name, typmod: -1 })}, not type ${typeDisplayName(c.type)}`);
  // any type goes to a string type by assignment (an I/O conversion cast)
  if (isStringLike(type)) return;
  try { castTo(c, type, false); } catch (e) {
    if (e instanceof PgError && e.sqlstate === '42846') throw mismatch();
    throw e;
  }
}

/**
 * Is the function a name list gives to be made in the session's temporary schema (pg_temp.f, or pg_temp_N.f for its
 * own N)? public.f and f are not; any other schema is refused (user functions live in public).
 */
function isTempFunctionName(s: Session, names: string[]): boolean {
  if (names.length === 1) return false;
  if (names.length > 2) throw notSupported(`a function name with a catalog (${names.join('.')})`);
  const q = names[0]!;
  if (q === 'public') return false;
  if (q === 'pg_temp' || q === `pg_temp_${s.backendId}`) return true;
  throw notSupported(`functions in schema ${q}`);
}

export function* createFunction(ex: Executor, s: Session, n: N, text: string): Gen<QueryResult> {
  const proc = !!n.is_procedure;
  const names = (n.funcname as N[]).map((x) => x.String.sval as string);
  const temp = isTempFunctionName(s, names);
  const name = names[names.length - 1]!;
  const args: PgFunction['args'] = [];
  const table: { name: string; type: SqlType }[] = [];
  let sawDefault = false, variadic = false;
  for (const p of (n.parameters ?? []) as N[]) {
    const fp = p.FunctionParameter;
    // interpret_function_parameter_list: VARIADIC last among the input parameters, of an array type
    if (variadic && fp.mode !== 'FUNC_PARAM_OUT' && fp.mode !== 'FUNC_PARAM_TABLE') throw new PgError('42P13', 'VARIADIC parameter must be the last input parameter');
    const t = typeOf(fp.argType);
    if (fp.mode === 'FUNC_PARAM_VARIADIC') {
      if (t.type === 'any') throw notSupported(`VARIADIC ${t.name}`, posOf(fp.location));
      if (!t.type.elem) throw new PgError('42P13', 'VARIADIC parameter must be an array');
      variadic = true;
    }
    if (fp.mode === 'FUNC_PARAM_TABLE') {
      if (t.type === 'any') throw notSupported('polymorphic RETURNS TABLE columns');
      table.push({ name: fp.name, type: t.type });
      continue;
    }
    // a procedure's INOUT and OUT parameters: CALL passes an argument for each and prints what they hold at the end
    const output = proc && (fp.mode === 'FUNC_PARAM_INOUT' || fp.mode === 'FUNC_PARAM_OUT');
    if (fp.mode !== 'FUNC_PARAM_DEFAULT' && fp.mode !== 'FUNC_PARAM_IN' && fp.mode !== 'FUNC_PARAM_VARIADIC' && !output) throw notSupported(`${String(fp.mode).replace('FUNC_PARAM_', '')} parameters`, posOf(fp.location));
    if (output && t.type === 'any') throw notSupported('polymorphic INOUT / OUT parameters');
    if (fp.mode === 'FUNC_PARAM_OUT' && fp.defexpr) throw notSupported('a default of an OUT parameter', posOf(fp.location));
    if (fp.defexpr) checkDefault(ex, s, fp.defexpr, t.type);
    else if (sawDefault && fp.mode !== 'FUNC_PARAM_OUT') throw new PgError('42P13', 'input parameters after one with a default value must also have defaults');
    sawDefault ||= !!fp.defexpr;
    args.push({ name: fp.name ?? null, type: t.type, typeName: t.name, ...(output ? { output: true } : {}), ...(fp.defexpr ? { def: fp.defexpr } : {}) });
  }
  const rt = n.returnType as N | undefined;
  if (!rt && !proc) throw notSupported('a function without RETURNS (OUT parameters)');
  const rnames = rt ? (rt.names as N[]).map((x) => x.String.sval as string) : ['void'];
  const rlast = rnames[rnames.length - 1]!.toLowerCase();
  let ret: PgFunction['ret'];
  if (proc) ret = { kind: 'void' }; // a procedure returns nothing (prorettype void)
  else if (table.length) ret = { kind: 'record' };
  else if (rlast === 'void') ret = { kind: 'void' };
  else if (rlast === 'trigger') ret = { kind: 'trigger' };
  else if (rlast === 'record') ret = { kind: 'record' };
  else if (ex.eng.catalog.tables.has(rlast) && rnames.length === 1) ret = { kind: 'rowtype', rel: rlast };
  else if (ex.eng.catalog.composites.has(rlast) && rnames.length === 1) ret = { kind: 'rowtype', rel: rlast }; // a composite type's rows
  else if (POLYMORPHIC.has(rlast)) throw notSupported('polymorphic return types');
  else ret = { kind: 'type', type: typeOf(rt!, true).type as SqlType };
  if (ret.kind === 'trigger' && args.length) throw new PgError('42P13', 'trigger functions cannot have declared arguments', { hint: 'The arguments of the trigger can be accessed through TG_NARGS and TG_ARGV instead.' });
  const langDef = defOf(n, 'language');
  const language = (langDef?.arg?.String?.sval ?? 'sql').toLowerCase();
  if (language !== 'sql' && language !== 'plpgsql') {
    if (['c', 'internal', 'plpython3u', 'plperl', 'pltcl', 'plv8'].includes(language)) throw notSupported(`LANGUAGE ${language}`);
    throw new PgError('42704', `language "${language}" does not exist`);
  }
  const asDef = defOf(n, 'as');
  const sqlBody = n.sql_body;
  if (sqlBody) throw notSupported('SQL-standard function bodies (BEGIN ATOMIC / RETURN expr)');
  if (!asDef) throw new PgError('42P13', 'no function body specified');
  const items = (asDef.arg?.List?.items ?? [asDef.arg]) as N[];
  if (items.length > 1) throw notSupported('functions with a link symbol (AS obj_file, link_symbol)');
  const body = items[0]!.String.sval as string;
  const vol = (defOf(n, 'volatility')?.arg?.String?.sval ?? 'volatile') as PgFunction['volatility'];
  const strictDef = defOf(n, 'strict');
  const strict = strictDef ? strictDef.arg?.Boolean?.boolval !== false : false;
  for (const o of (n.options ?? []) as N[]) {
    const d = o.DefElem.defname as string;
    if (d === 'set') throw notSupported('SET clauses in CREATE FUNCTION');
    if (d === 'window') throw notSupported('WINDOW functions');
  }
  const setof = !!rt?.setof;
  const f: PgFunction = {
    oid: 0, name, args, ret, setof, table: table.length ? table : null, language, volatility: vol, strict, body, source: text,
    ...(proc ? { kind: 'procedure' as const } : {}), ...(variadic ? { variadic: true } : {}),
  };
  // the validator: PL/pgSQL is compiled now (a syntax error fails CREATE), a SQL body is parsed
  if (language === 'plpgsql') compilePlpgsql(text, undefined, { name, body });
  else parseSqlUncached(body);
  const cat = ex.eng.catalog;
  // a temporary function is kept apart from public's (its own key): it never shadows or replaces one of theirs
  const key = temp ? tempKey(s.name, name) : name;
  const list = cat.functions.get(key) ?? [];
  const old = list.find((x) => sameArgs(x.args, args));
  if (old && !n.replace) throw new PgError('42723', `function "${name}" already exists with same argument types`);
  if (old && (old.kind === 'procedure') !== proc) {
    throw new PgError('42809', 'cannot change routine kind', { detail: `"${name}" is a ${old.kind === 'procedure' ? 'procedure' : 'function'}.` });
  }
  if (old) {
    const sameRet = JSON.stringify(old.ret) === JSON.stringify(ret) && old.setof === setof && JSON.stringify(old.table) === JSON.stringify(f.table);
    if (!sameRet) {
      throw new PgError('42P13', 'cannot change return type of existing function', { hint: `Use DROP FUNCTION ${name}(${args.map((a) => a.typeName).join(',')}) first.` });
    }
    f.oid = old.oid;
  } else f.oid = cat.allocOid();
  ex.eng.ensureXid(s);
  s.tx!.cidUsed = true;
  if (temp) f.temp = { session: s.name, ...tempNamespace(ex.eng, s) }; // InitTempTableNamespace on first use
  const before = cat.functions.get(key);
  cat.functions.set(key, [...list.filter((x) => x !== old), f]);
  s.tx!.undo.push(() => { if (before) cat.functions.set(key, before); else cat.functions.delete(key); });
  if (!old) dropTransactional(s.tx!, 'function', f.oid, false); // pgstat_create_function: dropped if the creation aborts
  return { command: proc ? 'CREATE PROCEDURE' : 'CREATE FUNCTION', columns: null, rows: [] };
}

export function* dropFunction(ex: Executor, s: Session, n: N): Gen<QueryResult> {
  const cat = ex.eng.catalog;
  const proc = n.removeType === 'OBJECT_PROCEDURE';
  const what = proc ? 'procedure' : 'function';
  for (const obj of n.objects as N[]) {
    const ow = obj.ObjectWithArgs;
    const names = (ow.objname as N[]).map((x) => x.String.sval as string);
    const name = names[names.length - 1]!;
    const written = names.join('.');
    const temp = names.length > 1 && /^pg_temp(_\d+)?$/.test(names[0]!);
    if (temp && !s.tempNamespace) {
      // LookupExplicitNamespace: no temporary schema yet, so pg_temp does not exist
      if (n.missing_ok) { s.acc.notices.push({ severity: 'NOTICE', sqlstate: '00000', message: `schema "${names[0]}" does not exist, skipping` }); continue; }
      throw new PgError('3F000', `schema "${names[0]}" does not exist`);
    }
    if (temp) isTempFunctionName(s, names);
    else if (names.length > 1 && names[0] !== 'public') throw notSupported(`functions in the schema ${names[0]}`);
    const key = temp ? tempKey(s.name, name) : name;
    const list = cat.functions.get(key) ?? [];
    let f: PgFunction | undefined;
    let shown: string;
    if (ow.args_unspecified) {
      shown = written;
      if (list.length > 1) throw new PgError('42725', `${what} name "${name}" is not unique`, { hint: 'Specify the argument list to select the function unambiguously.' });
      f = list[0];
      if (!f) {
        if (n.missing_ok) { s.acc.notices.push({ severity: 'NOTICE', sqlstate: '00000', message: `${what} ${written}() does not exist, skipping` }); continue; }
        throw new PgError('42883', `could not find a ${what} named "${written}"`);
      }
    } else {
      const want = ((ow.objargs ?? []) as N[]).map((a) => typeOf(a.TypeName ?? a));
      const args = want.map((w) => ({ name: null, type: w.type, typeName: w.name }));
      shown = `${written}(${want.map((w) => w.name).join(', ')})`;
      f = list.find((x) => sameArgs(x.args, args));
      if (!f) {
        // the NOTICE spells the types as written (TypeNameListToString), the ERROR as format_type does
        const types = ((ow.objargs ?? []) as N[]).map((a) => ((a.TypeName ?? a).names as N[]).map((x) => x.String.sval).join('.')).join(', ');
        if (n.missing_ok) { s.acc.notices.push({ severity: 'NOTICE', sqlstate: '00000', message: `${what} ${written}(${types}) does not exist, skipping` }); continue; }
        throw new PgError('42883', `${what} ${shown} does not exist`);
      }
    }
    if ((f.kind === 'procedure') !== proc) throw new PgError('42809', `${f.name}(${f.args.map((a) => a.typeName).join(', ')}) is not a ${what}`);
    const fname = `${f.name}(${f.args.map((a) => a.typeName).join(', ')})`;
    const deps: { table: string; trigger: string }[] = [];
    if (!f.temp) for (const t of cat.tables.values()) for (const tg of t.triggers ?? []) if (tg.func === f.name && f.ret.kind === 'trigger') deps.push({ table: t.name, trigger: tg.name });
    if (deps.length && n.behavior !== 'DROP_CASCADE') {
      throw new PgError('2BP01', `cannot drop function ${fname} because other objects depend on it`, {
        detail: deps.map((d) => `trigger ${d.trigger} on table ${d.table} depends on function ${fname}`).join('\n'),
        hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
      });
    }
    ex.eng.ensureXid(s);
    s.tx!.cidUsed = true;
    if (deps.length) {
      s.acc.notices.push({ severity: 'NOTICE', sqlstate: '00000', message: deps.length === 1
        ? `drop cascades to trigger ${deps[0]!.trigger} on table ${deps[0]!.table}`
        : `drop cascades to ${deps.length} other objects`, ...(deps.length > 1 ? { detail: deps.map((d) => `drop cascades to trigger ${d.trigger} on table ${d.table}`).join('\n') } : {}) });
      for (const d of deps) {
        const t = cat.get(d.table)!;
        const before = t.triggers;
        t.triggers = (t.triggers ?? []).filter((x) => x.name !== d.trigger);
        s.tx!.undo.push(() => { t.triggers = before; });
      }
    }
    const before = cat.functions.get(key)!;
    const rest = before.filter((x) => x !== f);
    if (rest.length) cat.functions.set(key, rest); else cat.functions.delete(key);
    // the pg_proc row is deleted by a transaction still running: other sessions still find the function
    const tx = s.tx!;
    const sh: Shadow = { key: `fn:${key}`, name, xid: tx.xid, session: s.name, fns: [f] };
    cat.shadows.push(sh);
    cat.pendingXids.set(tx.xid, s.name);
    tx.undo.push(() => { cat.functions.set(key, before); unshadow(cat, sh); });
    dropTransactional(tx, 'function', f.oid, true); // pgstat_drop_function: its statistics go at commit
    void shown;
  }
  return { command: proc ? 'DROP PROCEDURE' : 'DROP FUNCTION', columns: null, rows: [] };
}

/** DO: an anonymous PL/pgSQL block, run once (ExecuteDoStmt → plpgsql_inline_handler). */
export function* doStmt(ex: Executor, s: Session, n: N): Gen<QueryResult> {
  const args = ((n.args ?? []) as N[]).map((a) => a.DefElem);
  const body = args.find((d: N) => d.defname === 'as')?.arg?.String?.sval as string | undefined;
  const lang = (args.find((d: N) => d.defname === 'language')?.arg?.String?.sval as string | undefined)?.toLowerCase() ?? 'plpgsql';
  if (body === undefined) throw new PgError('42601', 'no inline code specified');
  if (lang !== 'plpgsql') {
    if (lang === 'sql') throw new PgError('0A000', 'language "sql" does not support inline code execution');
    throw new PgError('42704', `language "${lang}" does not exist`);
  }
  let tag = 'hs';
  while (body.includes(`$${tag}$`)) tag += 'x';
  const f: PgFunction = {
    oid: 0, name: 'inline_code_block', args: [], ret: { kind: 'void' }, setof: false, table: null, language: 'plpgsql', volatility: 'volatile', strict: false,
    body, source: `CREATE FUNCTION inline_code_block() RETURNS void LANGUAGE plpgsql AS $${tag}$${body}$${tag}$`,
  };
  const fn = plCompiled(f, ex.eng.catalog);
  const frame = new PlFrame(fn, 'inline_code_block', []);
  const outer = s.plBudget;
  s.plBudget = outer ?? { steps: 0, sinceYield: 0, canYield: true };
  const outerNonAtomic = s.plNonAtomic;
  s.plNonAtomic = callIsNonAtomic(s); // ExecuteDoStmt's atomic flag: COMMIT is allowed at top level outside a block
  s.plDepth++;
  try {
    yield* new PlExec(ex, s, frame, { setof: false, type: null, columns: null, isVoid: true, isRecord: false }, s.plBudget, null).run();
  } finally {
    s.plDepth--;
    s.plBudget = outer;
    s.plNonAtomic = outerNonAtomic;
  }
  return { command: 'DO', columns: null, rows: [] };
}

/**
 * CALL proc(args) (ExecuteCallStmt): the arguments are evaluated, the procedure runs; typed at top level outside
 * a transaction block (or from a procedure that was) it runs non-atomically and may COMMIT (pl/transaction.ts).
 */
export function* callStmt(ex: Executor, s: Session, n: N): Gen<QueryResult> {
  const fc = n.funccall as N;
  const names = (fc.funcname as N[]).map((x) => x.String.sval as string);
  if (names.length > 1 && names[0] !== 'public') throw notSupported(`procedures in schema ${names[0]}`);
  const name = names[names.length - 1]!;
  const pos = posOf(fc.location);
  const env = ex.env(s, () => ex.eng.snapshotFor(s));
  const scope = { relName: null, alias: null, columns: [], hasSystem: false, env, sql: '' };
  const raw = (fc.args ?? []) as N[];
  const argNames = raw.map((a) => (a.NamedArgExpr ? a.NamedArgExpr.name as string : null));
  const args = raw.map((a) => compileExpr(a.NamedArgExpr ? a.NamedArgExpr.arg : a, scope));
  checkArgNames(argNames, raw.map((a) => posOf(a.NamedArgExpr ? a.NamedArgExpr.location : firstLocation(a))));
  const f = resolveUserFunction(ex.eng.catalog, name, args.map((a) => a.type), pos, true, argNames, !!fc.func_variadic);
  if (!f) throw noSuchFunction(name, args.map((a) => a.type), pos, 'procedure');
  const row: Row = { vals: [], item: null, blk: 0, off: 0, aggs: null };
  const vals = coerceUserArgs(f, args, pos, argNames, scope, !!fc.func_variadic).map((c) => ({ value: c.fn(row), type: c.type }));
  if (f.language !== 'plpgsql') throw notSupported('CALL of a LANGUAGE sql procedure', pos);
  ex.eng.snapshotFor(s); // CALL runs with a snapshot (PlannedStmtRequiresSnapshot): SET TRANSACTION comes too late in it
  const out = yield* callFunction(ex, s, f, vals, true, null, callIsNonAtomic(s));
  const outputs = f.args.flatMap((a, i) => (a.output ? [i] : []));
  // which argument of the call each output parameter took (-1: its default), for a CALL inside PL/pgSQL
  const order = matchCall(f, argNames) ?? f.args.map((_, i) => i); // (an expanded VARIADIC call: positional)
  const argOf = outputs.map((i) => { const k = order.indexOf(i); return k < args.length ? k : -1; });
  s.callOutputs = outputs.length ? { args: outputs, values: outputs.map((i) => out.params?.[i] ?? null), argOf } : null;
  if (!outputs.length) return { command: 'CALL', columns: null, rows: [] };
  // one row of the output parameters' values, named after them (a nameless one is column1, column2 ...)
  return {
    command: 'CALL',
    columns: outputs.map((i, k) => ({ name: f.args[i]!.name ?? `column${k + 1}`, type: (f.args[i]!.type as SqlType).name })),
    rows: [outputs.map((i) => formatValue(out.params?.[i] ?? null))],
  };
}
