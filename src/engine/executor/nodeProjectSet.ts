/**
 * Set-returning functions in the select list (PostgreSQL's executor/nodeProjectSet.c): a function that returns
 * several rows turns each input row into as many output rows.
 *
 *     SELECT k, generate_series(1, k) FROM t;      -- k=1: (1,1);  k=2: (2,1) (2,2);  k=3: (3,1) (3,2) (3,3)
 *     SELECT generate_series(1, 2), generate_series(1, 3);   -- (1,1) (2,2) (NULL,3): run in lockstep, the
 *                                                            -- shorter one padded with NULLs (PostgreSQL 10+)
 *
 * Each call becomes a hidden column before the select list is compiled; after the scan and WHERE, every row is
 * expanded. An input row for which every function returns no rows produces no output.
 * Supported: generate_series over integers, numeric and timestamps (sql/funcs/genseries.ts), unnest(anyarray), generate_subscripts, the built-in
 * set-returning functions of one column (jsonb_array_elements, pg_listening_channels ...), and SETOF user functions of one column (pl/fmgr.ts
 * userSrfCall: run to their end per input row). In a grouped query each group's row is expanded. Not in CASE,
 * COALESCE or an aggregate's arguments (0A000 / 42803, as PostgreSQL). Simplifications: only at the top of a
 * select-list item or inside an expression of it (not in WHERE, ORDER BY, nor with window functions, nor nested),
 * unnest of one array (its elements, all dimensions flattened).
 */
import { PgError, notSupported, posOf } from '../errors.js';
import { compileExpr, castTo, type Compiled, type Row, type Scope } from '../sql/expr.js';
import { type SqlType, type Value, PgArray, T } from '../sql/types.js';
import { noSuchFunction, setFunctionOfOneColumn, resolveFunction, functionRows, sqlTypeOf } from '../sql/funcs/registry.js';
import { generateSeries } from '../sql/funcs/genseries.js';
import { FUNCTION_ROWS_LIMIT } from './nodeFunctionscan.js';
import type { N } from './util.js';
import { PG15_AGGREGATES } from '../catalog/pg15names.js';

interface Call { node: N; hidden: string }

const SRF_HINT = 'You might be able to move the set-returning function into a LATERAL FROM item.';

/** the SETOF user functions (CREATE FUNCTION ... RETURNS SETOF / TABLE), by name; none by default */
type UserSrfs = (name: string) => boolean;
const noUserSrfs: UserSrfs = () => false;
let userSrf: UserSrfs = noUserSrfs;
const isSrf = (o: N) => {
  if (!o.FuncCall || o.FuncCall.over) return false;
  const name = (o.FuncCall.funcname as N[]).map((f) => f.String.sval).pop()!.toLowerCase();
  return name === 'generate_series' || name === 'unnest' || name === 'generate_subscripts' || setFunctionOfOneColumn(name) || userSrf(name);
};

function findSrf(x: unknown): N | null {
  if (!x || typeof x !== 'object') return null;
  const o = x as N;
  if (o.SubLink) return null;
  if (isSrf(o)) return o;
  for (const v of Object.values(o)) { const r = findSrf(v); if (r) return r; }
  return null;
}

/** Replace each set-returning call in the select list by a hidden column reference. */
export function extractSrfs(n: N, userSrfs: UserSrfs = noUserSrfs): { n: N; calls: Call[] } | null {
  userSrf = userSrfs;
  try { return extract(n); } finally { userSrf = noUserSrfs; }
}
function extract(n: N): { n: N; calls: Call[] } | null {
  for (const [part, clause] of [[n.whereClause, 'WHERE'], [n.havingClause, 'HAVING']] as [N, string][]) {
    const at = findSrf(part);
    if (at) throw new PgError('0A000', `set-returning functions are not allowed in ${clause}`, { position: posOf(at.FuncCall.location) });
  }
  if (!findSrf(n.targetList)) return null;
  const calls: Call[] = [];
  const walk = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(walk);
    if (!x || typeof x !== 'object') return x;
    const o = x as N;
    if (o.SubLink) return o;
    // check_srf_call_placement / transformCaseExpr: CASE and COALESCE evaluate lazily, an aggregate once per group
    for (const [k, what] of [['CaseExpr', 'CASE'], ['CoalesceExpr', 'COALESCE']] as const) {
      const at = o[k] ? findSrf(o[k]) : null;
      if (at) throw new PgError('0A000', `set-returning functions are not allowed in ${what}`, { hint: SRF_HINT, position: posOf(at.FuncCall.location) });
    }
    if (o.FuncCall && !isSrf(o) && PG15_AGGREGATES.has(((o.FuncCall.funcname as N[]).map((f) => f.String.sval).pop() as string).toLowerCase())) {
      const at = findSrf({ args: o.FuncCall.args, filter: o.FuncCall.agg_filter, order: o.FuncCall.agg_order });
      if (at) {
        if (o.FuncCall.over) throw new PgError('42P20', 'window function calls cannot contain set-returning function calls', { hint: SRF_HINT, position: posOf(at.FuncCall.location) });
        throw new PgError('42803', 'aggregate function calls cannot contain set-returning function calls', { hint: SRF_HINT, position: posOf(at.FuncCall.location) });
      }
    }
    if (isSrf(o)) {
      const hidden = `?srf${calls.length}?`;
      calls.push({ node: o, hidden });
      return { ColumnRef: { fields: [{ String: { sval: hidden } }], location: o.FuncCall.location } };
    }
    const out: N = {};
    for (const [k, v] of Object.entries(o)) out[k] = walk(v);
    return out;
  };
  const targets = ((n.targetList ?? []) as N[]).map((t) => {
    // FigureColname: a call seen through casts (generate_series(...)::date) names the column after its function
    let direct: N | undefined = t.ResTarget?.val;
    while (direct?.TypeCast) direct = direct.TypeCast.arg;
    const w = walk(t) as N;
    if (direct && isSrf(direct) && !t.ResTarget.name) w.ResTarget.name = (direct.FuncCall.funcname as N[]).map((f: N) => f.String.sval).pop();
    return w;
  });
  return { n: { ...n, targetList: targets }, calls };
}

/** A user SETOF function in the select list: its column type and its rows for one input row (pl/fmgr.ts). */
export type UserSrfCall = (name: string, args: Compiled[], pos: number | undefined) => { type: SqlType; rows(r: Row): Value[] } | null;

export function prepareSrfs(calls: Call[], scope: Scope, user?: UserSrfCall): { columns: { name: string; type: SqlType }[]; run(rows: Row[]): Row[] } {
  const width = scope.columns.length;
  const specs = calls.map((c) => {
    const fc = c.node.FuncCall;
    const name = (fc.funcname as N[]).map((f) => f.String.sval).pop()!.toLowerCase();
    const pos = posOf(fc.location);
    const args = ((fc.args ?? []) as N[]).map((a) => compileExpr(a, scope));
    if (name === 'unnest') {
      // unnest(anyarray): the elements in storage order, every dimension flattened (array_unnest)
      if (args.length !== 1) throw notSupported('unnest with several arrays outside FROM', pos);
      const a = args[0]!;
      // unnest(anyarray), unnest(anymultirange) and unnest(tsvector) all take an untyped literal
      if (a.type.name === 'unknown') throw new PgError('42725', 'function unnest(unknown) is not unique', { hint: 'Could not choose a best candidate function. You might need to add explicit type casts.', ...(pos !== undefined ? { position: pos } : {}) });
      if (!a.type.elem) throw noSuchFunction('unnest', [a.type], pos);
      const f = a.fn;
      const rows = (r: Row) => { const v = f(r) as PgArray | null; return v === null ? [] : v.items; };
      return { type: a.type.elem, cast: [] as Compiled[], user: { type: a.type.elem, rows } };
    }
    if (name === 'generate_subscripts') {
      // generate_subscripts(anyarray, dim [, reverse]): the subscripts of one dimension, lower to upper (or back)
      if (args.length < 2 || args.length > 3 || !args[0]!.type.elem) throw noSuchFunction(name, args.map((a) => a.type), pos);
      const f = args[0]!.fn, d = castTo(args[1]!, T.int4, false).fn, rv = args[2] ? castTo(args[2], T.bool, false).fn : null;
      const rows = (r: Row): Value[] => {
        const a = f(r) as PgArray | null, k = d(r) as number | null;
        if (a === null || k === null || k < 1 || k > a.ndim) return [];
        const lb = a.lbs[k - 1]!, n = a.dims[k - 1]!;
        const xs = Array.from({ length: n }, (_, i) => lb + i);
        return rv && rv(r) === true ? xs.reverse() : xs;
      };
      return { type: T.int4, cast: [] as Compiled[], user: { type: T.int4, rows } };
    }
    if (setFunctionOfOneColumn(name)) {
      // a built-in set-returning function of one column (jsonb_array_elements, jsonb_object_keys ...)
      const def = resolveFunction(name, args.map((a) => a.type), pos);
      const coerced = args.map((a, i) => (def.args[i] === 'any' ? a : castTo(a, sqlTypeOf(def.args[i]!), false, pos)));
      const ctx = { env: scope.env, pos, name };
      const type = def.table!.columns[0]![1];
      const rows = (r: Row): Value[] => functionRows(def, coerced.map((c) => c.fn(r)), ctx).map((x) => x[0]!);
      return { type, cast: [] as Compiled[], user: { type, rows } };
    }
    const u = name !== 'generate_series' ? user?.(name, args, pos) : null;
    if (u) return { type: u.type, cast: [] as Compiled[], user: u };
    // generate_series over integers, numeric or timestamps (sql/funcs/genseries.ts), collected per input row
    const g = generateSeries(args, pos);
    const rows = (r: Row): Value[] => {
      const xs: Value[] = [];
      for (const x of g.rows(r)) {
        xs.push(x);
        if (xs.length > FUNCTION_ROWS_LIMIT) throw notSupported(`generate_series of more than ${FUNCTION_ROWS_LIMIT.toLocaleString('en')} rows in the select list`);
      }
      return xs;
    };
    return { type: g.type, cast: [] as Compiled[], user: { type: g.type, rows } };
  });
  return {
    columns: calls.map((c, i) => ({ name: c.hidden, type: specs[i]!.type })),
    run(input: Row[]): Row[] {
      const out: Row[] = [];
      for (const r of input) {
        const series = specs.map((sp): Value[] => sp.user.rows(r));
        const len = Math.max(0, ...series.map((x) => x.length));
        const base = Array.from({ length: width }, (_, i) => r.vals[i] ?? null); // (a group's row may have no columns)
        for (let i = 0; i < len; i++) {
          const vals: Value[] = base.concat(series.map((x) => (i < x.length ? x[i]! : null)));
          out.push({ ...r, vals });
        }
      }
      return out;
    },
  };
}
