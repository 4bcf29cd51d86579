/**
 * A function in FROM (PostgreSQL's executor/nodeFunctionscan.c): generate_series, any function of the catalog
 * (sql/funcs) — a table function's OUT columns, or a scalar function's value as one row — and
 * pg_get_multixact_members. The arguments are computed once, before any row, unless the function follows other
 * FROM items and names their columns (implicitly LATERAL: computed per row of what precedes it, executor/from.ts).
 *
 * unnest(anyarray) gives one row per element; WITH ORDINALITY numbers the rows. Called once, when the scan first
 * reads — never under a LIMIT 0. generate_series over integers, numeric and timestamps: sql/funcs/genseries.ts.
 * Simplifications: one function (no ROWS FROM (...) with several) — refused with 0A000.
 */
import { extensionOfFunction } from '../catalog/extfuncs.js';
import type { Executor } from './executor.js';
import { memberStatusName } from '../multixact/multixact.js';
import { PgError, notSupported, posOf } from '../errors.js';
import type { Session } from '../session/session.js';
import { compileExpr, castTo, type Scope, type Row } from '../sql/expr.js';
import { type Value, type SqlType, type TypeName, PgArray, T, isArray } from '../sql/types.js';
import { resolveFunction, buildCall, hasFunction, functionRows, sqlTypeOf, noSuchFunction } from '../sql/funcs/registry.js';
import type { N, Source } from './util.js';
import { generateSeries } from '../sql/funcs/genseries.js';

/**
 * A function in FROM (nodeFunctionscan.c): generate_series, or any function of the catalog (sql/funcs) — a table
 * function's OUT columns (heap_page_items, pgstattuple, …), or a scalar function's value as one row of one column
 * named after the function or the alias; unnest(anyarray), one row per element. The arguments are computed once,
 * before any row. WITH ORDINALITY adds a bigint column numbering the rows from 1.
 */
type FunctionScan = { relName: string; alias: string | null; columns: { name: string; type: SqlType }[]; rows: (row?: Row) => Iterable<Value[]> };
export function functionScan(s: Session, rf: N, env: Scope['env'], sql: string, outer?: Scope): FunctionScan {
  const fs = limited(functionScanInner(s, rf, env, sql, outer));
  if (!rf.ordinality) return fs;
  // WITH ORDINALITY: one more column, bigint, numbering the function's rows from 1 (named by the alias list or "ordinality")
  const colnames = ((rf.alias?.colnames ?? []) as N[]).map((x) => x.String.sval as string);
  const inner = fs.rows;
  return {
    ...fs, columns: [...fs.columns, { name: colnames[fs.columns.length] ?? 'ordinality', type: T.int8 }],
    rows: function* (row?: Row) { let i = 0; for (const r of inner(row)) yield [...r, ++i]; },
  };
}
/** How many rows a function in FROM may return: more would exhaust the browser tab's memory before PostgreSQL's. */
export const FUNCTION_ROWS_LIMIT = 2_000_000;
function limited(fs: FunctionScan): FunctionScan {
  const inner = fs.rows;
  return {
    ...fs,
    rows: function* (row?: Row) {
      let n = 0;
      for (const r of inner(row)) {
        if (++n > FUNCTION_ROWS_LIMIT) throw notSupported(`a function in FROM returning more than ${FUNCTION_ROWS_LIMIT.toLocaleString('en')} rows (${fs.relName})`);
        yield r;
      }
    },
  };
}

function functionScanInner(s: Session, rf: N, env: Scope['env'], sql: string, outer?: Scope): FunctionScan {
  const fc = rf.functions?.[0]?.List?.items?.[0]?.FuncCall;
  const names = ((fc?.funcname ?? []) as N[]).map((x: N) => x.String.sval as string);
  const fname = names[names.length - 1]?.toLowerCase();
  if (!fc || rf.functions.length !== 1) throw notSupported('ROWS FROM (...) with several functions', posOf(fc?.location));
  if (names.length > 1 && names[0] !== 'pg_catalog' && names[0] !== 'public') throw notSupported(`function ${names.join('.')}`, posOf(fc.location));
  // the arguments may name columns of the FROM items before it (a function in FROM is implicitly LATERAL)
  const argScope: Scope = outer ?? { relName: null, alias: null, columns: [], hasSystem: false, env, sql };
  const args = ((fc.args ?? []) as N[]).map((a) => compileExpr(a, argScope));
  const noRow = { vals: [], item: null, blk: 0, off: 0, aggs: null } as unknown as Row;
  const alias = rf.alias?.aliasname ?? null;
  const colnames = ((rf.alias?.colnames ?? []) as N[]).map((x) => x.String.sval as string);
  if (fname === 'generate_series') {
    // over integers, numeric or timestamps (sql/funcs/genseries.ts); its rows made as the scan reads them
    const g = generateSeries(args, posOf(fc.location));
    return {
      relName: 'generate_series', alias, columns: [{ name: colnames[0] ?? alias ?? 'generate_series', type: g.type }],
      rows: function* (row = noRow) { for (const x of g.rows(row)) yield [x]; },
    };
  }
  if (fname === 'unnest') {
    // unnest(anyarray) in FROM: one row per element, all dimensions flattened (array_unnest)
    if (args.length > 1) return unnestSeveral(args, alias, colnames, outer, posOf(fc.location));
    const a = args[0]!;
    if (a.type.name === 'unknown') throw new PgError('42725', 'function unnest(unknown) is not unique', { hint: 'Could not choose a best candidate function. You might need to add explicit type casts.', position: posOf(fc.location) });
    if (!isArray(a.type)) throw noSuchFunction('unnest', [a.type], posOf(fc.location));
    const f = a.fn;
    const once = outer ? null : (f(noRow) as PgArray | null);
    return {
      relName: 'unnest', alias, columns: [{ name: colnames[0] ?? alias ?? 'unnest', type: a.type.elem }],
      rows: (row = noRow) => { const v = outer ? (f(row) as PgArray | null) : once; return v === null ? [] : v.items.map((x) => [x]); },
    };
  }
  const ext = fname ? extensionOfFunction(fname) : undefined;
  if (ext && env.hasExtension?.(ext) && !hasFunction(fname!)) throw notSupported(`the function ${fname}() of the extension ${ext}`, posOf(fc.location));
  if (!fname || !hasFunction(fname)) throw notSupported(`function ${fname ?? ''} in FROM`, posOf(fc.location));
  void s;
  const pos = posOf(fc.location);
  const def = resolveFunction(fname, args.map((a) => a.type), pos, names.join('.'), env);
  const ctx = { env, pos, name: fname, literalAt: args.map((a) => (a.literal ? a.location : undefined)) };
  const coerced = args.map((a, i) => (def.args[i] === 'any' || def.args[i] === undefined ? a : castTo(a, sqlTypeOf(def.args[i] as TypeName), false, pos)));
  if (def.table) {
    if (colnames.length > def.table.columns.length) throw new PgError('42601', `table "${alias}" has ${def.table.columns.length} columns available but ${colnames.length} columns specified`);
    // called once, when the scan first reads (errors before any row) — never under a LIMIT 0
    let once: Value[][] | null = null;
    return {
      // a set of a scalar type (its one column named after the function: no OUT parameter) takes the table alias
      // as its column name, as chooseScalarFunctionAlias does; an OUT parameter's name stays
      relName: fname, alias,
      columns: def.table.columns.map(([n, t], i) => ({ name: colnames[i] ?? (n === fname && def.table!.columns.length === 1 ? alias ?? n : n), type: t })),
      rows: (row = noRow) => (outer ? functionRows(def, coerced.map((a) => a.fn(row)), ctx)
        : (once ??= functionRows(def, coerced.map((a) => a.fn(noRow)), ctx))),
    };
  }
  const call = buildCall(def, args, ctx, (x, t) => castTo(x, t, false, pos));
  let v: { value: Value } | null = null;
  return { relName: fname, alias, columns: [{ name: colnames[0] ?? alias ?? fname, type: call.type }],
    rows: (row = noRow) => [[outer ? call.fn(row) : (v ??= { value: call.fn(noRow) }).value]] };
}

/**
 * pg_get_multixact_members(multixid xid) → (xid xid, mode text): a MultiXact's members and their status (keysh,
 * sh, fornokeyupd, forupd, nokeyupd, upd), as pg_multixact stores them (multixact.c pg_get_multixact_members).
 */
export function multixactMembers(ex: Executor, fc: N, rf: N, env: Scope['env'], sql: string): Source {
  const argScope: Scope = { relName: null, alias: null, columns: [], hasSystem: false, env, sql };
  const args = ((fc.args ?? []) as N[]).map((a) => compileExpr(a, argScope));
  if (args.length !== 1) throw new PgError('42883', `function pg_get_multixact_members(${args.map((a) => a.type.name).join(', ')}) does not exist`, { position: posOf(fc.location)! });
  const id = castTo(args[0]!, T.xid, false, posOf(fc.location)).fn(null as unknown as Row);
  const multis = ex.eng.multis;
  if (typeof id === 'number' && id >= multis.next) throw new PgError('XX000', `MultiXactId ${id} has not been created yet -- apparent wraparound`);
  const alias = rf.alias?.aliasname ?? null;
  const names = ((rf.alias?.colnames ?? []) as N[]).map((c) => c.String.sval as string);
  return {
    scope: { relName: 'pg_get_multixact_members', alias, columns: [{ name: names[0] ?? 'xid', type: T.xid }, { name: names[1] ?? 'mode', type: T.text }], hasSystem: false, env, sql },
    table: null,
    rows: function* () {
      if (typeof id !== 'number') return;
      for (const m of multis.members(id)) yield [m.xid, memberStatusName(m)];
    },
  };
}

/**
 * unnest(a1, a2, ...) in FROM (only there: a ROWS FROM of one unnest per array): one column per array, as many
 * rows as the longest has, the shorter ones padded with NULLs.
 */
function unnestSeveral(args: ReturnType<typeof compileExpr>[], alias: string | null, colnames: string[], outer: Scope | undefined, pos?: number): FunctionScan {
  for (const a of args) {
    if (a.type.name === 'unknown') throw new PgError('42725', 'function unnest(unknown) is not unique', { hint: 'Could not choose a best candidate function. You might need to add explicit type casts.', ...(pos !== undefined ? { position: pos } : {}) });
    if (!isArray(a.type)) throw noSuchFunction('pg_catalog.unnest', [a.type], pos); // (each array is a call of its own)
  }
  const noRow = { vals: [], item: null, blk: 0, off: 0, aggs: null } as unknown as Row;
  const read = (row: Row) => args.map((a) => (a.fn(row) as PgArray | null)?.items ?? []);
  const once = outer ? null : read(noRow);
  return {
    relName: 'unnest', alias, columns: args.map((a, i) => ({ name: colnames[i] ?? 'unnest', type: a.type.elem! })),
    rows: (row = noRow) => {
      const lists = outer ? read(row) : once!;
      const n = Math.max(0, ...lists.map((l) => l.length));
      return Array.from({ length: n }, (_, i) => lists.map((l) => (i < l.length ? l[i]! : null)));
    },
  };
}
