/**
 * The function catalog: which functions exist, for which argument types, and which one a call means.
 *
 * PostgreSQL keeps every function in pg_proc — a name, argument types, a result type and the C function that
 * computes it (utils/adt/*.c) — and a call f(args) is resolved by func_get_detail / func_select_candidate: among
 * the functions of that name and number of arguments, an exact match wins; otherwise the candidates every
 * argument can be implicitly cast to are kept, then those with the most exact matches, then those taking the
 * preferred type of the argument's category (text, double precision, timestamp with time zone) where a cast is
 * needed; an untyped literal ('abc', type unknown) fits any type and leans to the string category. No candidate
 * is 42883 "function f(types) does not exist" with its HINT; several left are 42725 "is not unique".
 *
 * Here a FuncDef is a pg_proc row with its implementation. Definitions live beside the utils/adt file they mirror:
 * funcs/varlena.ts (strings), funcs/numeric.ts (math), funcs/datetime.ts (dates and times), funcs/system.ts
 * (transaction ids, snapshots, settings, sequences).
 *
 * Mirrors: src/backend/parser/parse_func.c (ParseFuncOrColumn, func_get_detail, func_select_candidate),
 * parse_coerce.c (can_coerce_type, TypeCategory, IsPreferredType), catalog/pg_proc.dat.
 * Simplifications: the implicit-cast table is the part of pg_cast these types need; no named arguments
 * (f(x => 1)), no default arguments, no VARIADIC arrays (variadic "any" only).
 */
import { PgError, notSupported } from '../../errors.js';
import { type SqlType, type TypeName, type Value, T, arrayOf, typeDisplayName } from '../types.js';
import type { Compiled, Fn, ExprEnv } from '../expr.js';
import { PgRecord, recordType } from '../../adt/rowtypes.js';

/** An argument type: a concrete type, or "any" (the argument is passed as it is, with its own type). */
export type ArgType = TypeName | 'any';

export interface CallCtx {
  env: ExprEnv;
  pos?: number;
  name: string;
  /** where each argument that is a literal begins (an error about a literal's value points at it) */
  literalAt?: (number | undefined)[];
}

export interface FuncDef {
  name: string;
  args: ArgType[];
  /** more arguments of this type may follow (concat, format: variadic "any") */
  variadic?: ArgType;
  ret: SqlType | ((args: Compiled[]) => SqlType);
  /** a strict function: called with the argument values only when none is NULL (then the result is NULL) */
  fn?: (...a: any[]) => Value;
  /** or a builder that makes the closure itself (non-strict functions, functions that need the engine) */
  build?: (args: Compiled[], c: CallCtx) => Fn;
  /** immutable: a call with constant arguments is computed once, at compile time (eval_const_expressions) */
  immutable?: boolean;
  /**
   * pg_proc's provolatile when it is not immutable and the definition says so: a STABLE or VOLATILE function may not
   * appear in an index expression or predicate (42P17). Unset: not declared (only `immutable` is then known).
   */
  volatility?: 'stable' | 'volatile';
  /** the extension that creates it (CREATE EXTENSION): until then the function does not exist (42883) */
  extension?: string;
  /**
   * A function returning rows (OUT parameters: a record, or SETOF record), read in FROM as nodeFunctionscan.c
   * does: `columns` are the OUT parameters' names and types, `rows` computes them from the argument values (a
   * strict function: a NULL argument gives no rows for a set, one row of NULLs for a record).
   */
  table?: { columns: [string, SqlType][]; set: boolean; rows: (vals: Value[], c: CallCtx) => Value[][] };
}

const FUNCS = new Map<string, FuncDef[]>();
export function register(defs: FuncDef[]): void {
  for (const d of defs) {
    const list = FUNCS.get(d.name);
    if (list) list.push(d); else FUNCS.set(d.name, [d]);
  }
}
export const hasFunction = (name: string) => FUNCS.has(name);
/** a built-in with a variadic "any" form (concat, format, json_build_object ...) */
export const isVariadicBuiltin = (name: string) => (FUNCS.get(name) ?? []).some((d) => d.variadic !== undefined);
/** a built-in function returning a set of one column (jsonb_array_elements ...): allowed in the select list */
export const setFunctionOfOneColumn = (name: string) => !!FUNCS.get(name)?.every((d) => d.table?.set && d.table.columns.length === 1);
/** Does a built-in function of this name return a set (generate_series, unnest ...)? */
export const isSetFunction = (name: string) => !!FUNCS.get(name)?.some((d) => d.table?.set);
/** Is every built-in function of this name immutable (false for an unknown name)? */
export const isImmutableFunction = (name: string) => !!FUNCS.get(name)?.every((d) => d.immutable);
/** every overload is declared STABLE or VOLATILE (FuncDef.volatility): CheckMutability's refusal in an index */
export const isDeclaredMutableFunction = (name: string) => !!FUNCS.get(name)?.every((d) => d.volatility !== undefined);

/** pg_cast's implicit casts among the modelled types (can_coerce_type with COERCION_IMPLICIT). */
const IMPLICIT: Partial<Record<TypeName, TypeName[]>> = {
  int2: ['int4', 'int8', 'numeric', 'float4', 'float8', 'oid', 'regclass', 'regproc', 'regprocedure'],
  int4: ['int8', 'numeric', 'float4', 'float8', 'oid', 'regclass', 'regproc', 'regprocedure'],
  int8: ['numeric', 'float4', 'float8', 'oid', 'regclass', 'regproc', 'regprocedure'],
  numeric: ['float4', 'float8'],
  float4: ['float8'],
  varchar: ['text', 'name'],
  bpchar: ['text', 'name'],
  text: ['name'],
  name: ['text'],
  date: ['timestamp', 'timestamptz'],
  timestamp: ['timestamptz'],
  time: ['interval', 'timetz'],
  oid: ['regclass', 'regproc', 'regprocedure'],
  regclass: ['oid'],
  regtype: ['oid'],
  regproc: ['oid', 'regprocedure'],
  regprocedure: ['oid', 'regproc'],
  bit: ['varbit'],
  varbit: ['bit'],
};
export function canCoerceImplicitly(from: SqlType, to: ArgType): boolean {
  if (to === 'any' || from.name === to || from.name === 'unknown') return true;
  // an array to an array type whose element type its elements cast to implicitly (ArrayCoerceExpr)
  if (from.elem && to.startsWith('_')) return canCoerceImplicitly(from.elem, to.slice(1) as ArgType);
  return IMPLICIT[from.name]?.includes(to) ?? false;
}
type Category = 'S' | 'N' | 'D' | 'T' | 'B' | 'V' | 'X';
const category = (t: TypeName): Category => {
  switch (t) {
    case 'text': case 'varchar': case 'bpchar': case 'name': case 'unknown': return 'S';
    case 'int2': case 'int4': case 'int8': case 'numeric': case 'float4': case 'float8': case 'oid': case 'regclass': case 'regtype': case 'regproc': case 'regprocedure': return 'N';
    case 'date': case 'timestamp': case 'timestamptz': case 'time': case 'timetz': return 'D';
    case 'interval': return 'T';
    case 'bool': return 'B';
    case 'bit': case 'varbit': return 'V';
    default: return 'X';
  }
};
const PREFERRED = new Set<ArgType>(['text', 'float8', 'timestamptz', 'interval', 'bool', 'oid', 'varbit']);

const argTypeAt = (d: FuncDef, i: number): ArgType => (i < d.args.length ? d.args[i]! : d.variadic!);

/** func_select_candidate, for the modelled types. */
export function resolveFunction(name: string, argTypes: SqlType[], pos?: number, shownName = name, env?: ExprEnv): FuncDef {
  // an extension's functions exist once it is created (env: the statement's view of the catalog)
  const all = (FUNCS.get(name) ?? []).filter((d) => d.extension === undefined || (env?.hasExtension?.(d.extension) ?? false));
  let cands = all.filter((d) => (d.variadic ? argTypes.length >= d.args.length : argTypes.length === d.args.length));
  const exact = cands.find((d) => argTypes.every((t, i) => argTypeAt(d, i) === t.name));
  if (exact) return exact;
  cands = cands.filter((d) => argTypes.every((t, i) => canCoerceImplicitly(t, argTypeAt(d, i))));
  if (cands.length === 0) throw noSuchFunction(shownName, argTypes, pos);
  if (cands.length === 1) return cands[0]!;
  const best = <X>(xs: X[], score: (x: X) => number) => { const m = Math.max(...xs.map(score)); return xs.filter((x) => score(x) === m); };
  cands = best(cands, (d) => argTypes.filter((t, i) => argTypeAt(d, i) === t.name).length);
  if (cands.length > 1) cands = best(cands, (d) => argTypes.filter((t, i) => argTypeAt(d, i) !== t.name && PREFERRED.has(argTypeAt(d, i))).length);
  if (cands.length > 1 && argTypes.some((t) => t.name === 'unknown')) {
    // at each unknown position: the string category if a candidate takes it, else the one category all take
    // (several: not unique), then that category's preferred type if a candidate takes it
    for (let i = 0; i < argTypes.length && cands.length > 1; i++) {
      if (argTypes[i]!.name !== 'unknown') continue;
      const cats = new Set(cands.map((d) => (argTypeAt(d, i) === 'any' ? 'X' : category(argTypeAt(d, i) as TypeName))));
      const cat = cats.has('S') ? 'S' : cats.size === 1 ? [...cats][0]! : null;
      if (cat === null) { cands = []; break; }
      cands = cands.filter((d) => argTypeAt(d, i) === 'any' || category(argTypeAt(d, i) as TypeName) === cat);
      if (cands.some((d) => PREFERRED.has(argTypeAt(d, i)))) cands = cands.filter((d) => PREFERRED.has(argTypeAt(d, i)));
    }
  }
  if (cands.length !== 1) {
    throw new PgError('42725', `function ${shownName}(${argTypes.map((t) => typeDisplayName(t)).join(', ')}) is not unique`, {
      hint: 'Could not choose a best candidate function. You might need to add explicit type casts.', ...(pos !== undefined ? { position: pos } : {}),
    });
  }
  return cands[0]!;
}

export function noSuchFunction(name: string, argTypes: SqlType[], pos?: number, what: 'function' | 'procedure' = 'function'): PgError {
  // func_signature_string: format_type_be's names, without typmods
  return new PgError('42883', `${what} ${name}(${argTypes.map((t) => typeDisplayName(t.elem ? t : { ...t, typmod: -1 })).join(', ')}) does not exist`, {
    hint: `No ${what} matches the given name and argument types. You might need to add explicit type casts.`, ...(pos !== undefined ? { position: pos } : {}),
  });
}

const TYPE_OF: Partial<Record<TypeName, SqlType>> = {};
for (const t of Object.values(T)) TYPE_OF[t.name] = t;
export const sqlTypeOf = (n: TypeName): SqlType => TYPE_OF[n] ?? (n.startsWith('_') ? arrayOf(sqlTypeOf(n.slice(1) as TypeName)) : { name: n, typmod: -1 });

/** A constant NULL (a strict operator or function given one folds to NULL: sql/operators.ts arith). */
export const isNullConst = (c: Compiled): boolean => !!c.isConst && c.fn(null as never) === null;

/**
 * Build the call: coerce each argument to the chosen function's declared type (coerce is castTo, passed in to keep
 * this module free of the expression compiler), then the closure; strict functions return NULL for a NULL argument.
 */
export function buildCall(d: FuncDef, args: Compiled[], c: CallCtx, coerce: (x: Compiled, t: SqlType) => Compiled): Compiled {
  const coerced = args.map((a, i) => {
    const at = argTypeAt(d, i);
    if (at === 'any') return a;
    return coerce(a, sqlTypeOf(at));
  });
  const type = typeof d.ret === 'function' ? d.ret(coerced) : d.ret;
  let fn: Fn;
  if (d.table) {
    const tf = d.table;
    if (tf.set) throw notSupported(`${d.name}() in the select list (it returns a set: call it in FROM, SELECT * FROM ${d.name}(...))`, c.pos);
    // a function with OUT columns in the select list returns a row value of type record (printed as record_out
    // does: (a,b,c)), whose fields (f(x)).field and (f(x)).* select
    const fs = coerced.map((a) => a.fn);
    fn = (r) => {
      const vals = fs.map((g) => g(r));
      if (vals.some((v) => v === null)) return null;
      const row = tf.rows(vals, c)[0];
      return row ? new PgRecord(row) : null;
    };
    const out: Compiled = { fn, type: recordType(tf.columns.map(([name, t]) => ({ name, type: t })), null), name: c.name, strength: 2 };
    return out;
  } else if (d.build) fn = d.build(coerced, { ...c, literalAt: args.map((a) => (a.literal ? a.location : undefined)) });
  else if (d.fn) {
    const f = d.fn;
    const fs = coerced.map((a) => a.fn);
    // a strict function with a constant-NULL argument is never called (eval_const_expressions)
    if (coerced.some(isNullConst)) return { fn: () => null, type, name: c.name, strength: 2, isConst: true };
    if (fs.length === 0) fn = () => f();
    else if (fs.length === 1) {
      const a0 = fs[0]!; fn = (r) => { const x = a0(r); return x === null ? null : f(x); };
    } else if (fs.length === 2) {
      const a0 = fs[0]!, a1 = fs[1]!; fn = (r) => { const x = a0(r), y = a1(r); return x === null || y === null ? null : f(x, y); };
    } else fn = (r) => { const vs = fs.map((g) => g(r)); return vs.some((v) => v === null) ? null : f(...vs); };
  } else throw notSupported(`the function ${d.name}()`, c.pos);
  const out: Compiled = { fn, type, name: c.name, strength: 2 };
  if (d.immutable && coerced.every((a) => a.isConst)) {
    const v = fn(null as never);
    return { ...out, fn: () => v, isConst: true };
  }
  return out;
}


/** The rows a function in FROM returns (nodeFunctionscan.c): a table function's, or one row of a scalar function's value. */
export function functionRows(d: FuncDef, vals: Value[], c: CallCtx): Value[][] {
  const tf = d.table!;
  if (vals.some((v) => v === null)) return tf.set ? [] : [tf.columns.map(() => null)];
  return tf.rows(vals, c);
}
