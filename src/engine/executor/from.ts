/**
 * FROM: a single table, a function (generate_series, or any function of the catalog: functionScan), a WITH query or a subquery (read by name from its
 * materialized rows, nodeCtescan.ts), or joins — inner, left and right joins and comma lists, run as nested loops
 * over each side's rows. A view's name is replaced by its query's rows and a sequence's by its one row
 * (commands/view.ts: relationSource).
 *
 * Mirrors: src/backend/executor/nodeNestloop.c, nodeFunctionscan.c; parser/parse_clause.c (transformFromClause).
 * Simplifications: only nested loops (no hash or merge join); FULL and CROSS JOIN LATERAL are refused with 0A000.
 */
import type { Executor } from './executor.js';
import { memberStatusName } from '../multixact/multixact.js';
import { PgError, notSupported, posOf } from '../errors.js';
import type { Session } from '../session/session.js';
import {
  compileExpr, castTo, type Scope, type Row, 
} from '../sql/expr.js';
import { type Value, type SqlType, type TypeName, T } from '../sql/types.js';
import { resolveFunction, buildCall, hasFunction, functionRows, sqlTypeOf } from '../sql/funcs/registry.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import { relationSource } from '../commands/view.js';
import { lookupCte } from './nodeCtescan.js';
import type { QResult } from './nodeSetOp.js';
import {
  N, Source, JoinInput, firstLocation, 
} from './util.js';

/** A WITH query or a subquery in FROM, read by name: its materialized rows (nodeCtescan.ts). */
function derived(f: N, s: Session, pre: Map<N, QResult> | undefined): { name: string; alias: string | null; r: QResult } | null {
  if (f.RangeSubselect) { const r = pre?.get(f); return r ? { name: f.RangeSubselect.alias.aliasname, alias: f.RangeSubselect.alias.aliasname, r } : null; }
  if (f.RangeFunction) {
    const r = pre?.get(f);
    const fname = f.RangeFunction.functions?.[0]?.List?.items?.[0]?.FuncCall?.funcname?.map((x: N) => x.String.sval).pop() as string;
    return r ? { name: fname, alias: f.RangeFunction.alias?.aliasname ?? null, r } : null;
  }
  if (f.RangeVar && !f.RangeVar.schemaname) {
    const r = lookupCte(s, f.RangeVar.relname);
    if (!r) return null;
    const cols = ((f.RangeVar.alias?.colnames ?? []) as N[]).map((x) => x.String.sval as string);
    return { name: f.RangeVar.relname, alias: f.RangeVar.alias?.aliasname ?? null, r: cols.length ? { ...r, names: r.names.map((x, i) => cols[i] ?? x) } : r };
  }
  return null;
}

export function source(ex: Executor, s: Session, from: N[] | undefined, snap: () => Snapshot, sql: string, pre?: Map<N, QResult>): Source {
  const env = ex.env(s, snap);
  if (!from || from.length === 0) return { scope: { relName: null, alias: null, columns: [], hasSystem: false, env, sql }, table: null, rows: () => [[]] };
  const f = from[0]!;
  if (from.length > 1 || f.JoinExpr) return ex.joinSource(s, from, snap, sql, pre);
  const d = derived(f, s, pre);
  if (d) {
    return { scope: { relName: d.name, alias: d.alias, columns: d.r.names.map((name, i) => ({ name, type: d.r.types[i]! })), hasSystem: false, env, sql }, table: null, rows: () => d.r.rows };
  }
  if (f.RangeVar) {
    const other = relationSource(ex, s, f.RangeVar, snap, sql); // a view or a sequence (commands/view.ts)
    if (other) return other;
    const t = ex.table(f.RangeVar);
    return { scope: ex.tableScope(t, f.RangeVar.alias?.aliasname ?? null, s, snap, sql), table: t };
  }
  if (f.RangeFunction) {
    const mfc = f.RangeFunction.functions?.[0]?.List?.items?.[0]?.FuncCall;
    if (mfc && mfc.funcname?.map((x: N) => x.String.sval).pop() === 'pg_get_multixact_members' && f.RangeFunction.functions.length === 1) return multixactMembers(ex, mfc, f.RangeFunction, env, sql);
    const fs = functionScan(s, f.RangeFunction, env, sql);
    return { scope: { relName: fs.relName, alias: fs.alias, columns: fs.columns, hasSystem: false, env, sql }, table: null, rows: fs.rows };
  }
  throw notSupported('this FROM item');
}

/**
 * A function in FROM (nodeFunctionscan.c): generate_series, or any function of the catalog (sql/funcs) — a table
 * function's OUT columns (heap_page_items, pgstattuple, …), or a scalar function's value as one row of one column
 * named after the function or the alias. The arguments are computed once, before any row.
 */
function functionScan(s: Session, rf: N, env: Scope['env'], sql: string, outer?: Scope): { relName: string; alias: string | null; columns: { name: string; type: SqlType }[]; rows: (row?: Row) => Iterable<Value[]> } {
  const fc = rf.functions?.[0]?.List?.items?.[0]?.FuncCall;
  const names = ((fc?.funcname ?? []) as N[]).map((x: N) => x.String.sval as string);
  const fname = names[names.length - 1]?.toLowerCase();
  if (!fc || rf.functions.length !== 1) throw notSupported('ROWS FROM (...) with several functions', posOf(fc?.location));
  if (rf.ordinality) throw notSupported('WITH ORDINALITY', posOf(fc.location));
  if (names.length > 1 && names[0] !== 'pg_catalog' && names[0] !== 'public') throw notSupported(`function ${names.join('.')}`, posOf(fc.location));
  // the arguments may name columns of the FROM items before it (a function in FROM is implicitly LATERAL)
  const argScope: Scope = outer ?? { relName: null, alias: null, columns: [], hasSystem: false, env, sql };
  const args = ((fc.args ?? []) as N[]).map((a) => compileExpr(a, argScope));
  const noRow = { vals: [], item: null, blk: 0, off: 0, aggs: null } as unknown as Row;
  const alias = rf.alias?.aliasname ?? null;
  const colnames = ((rf.alias?.colnames ?? []) as N[]).map((x) => x.String.sval as string);
  if (fname === 'generate_series') {
    if (args.length < 2 || args.length > 3) throw notSupported('generate_series with other than 2 or 3 arguments', posOf(fc.location));
    if (args.some((a) => !['int2', 'int4', 'int8', 'unknown'].includes(a.type.name))) throw notSupported('generate_series over non-integers', posOf(fc.location));
    const type = args.some((a) => a.type.name === 'int8') ? T.int8 : T.int4;
    const fns = args.map((a) => castTo(a, type, false).fn);
    return {
      relName: 'generate_series', alias, columns: [{ name: colnames[0] ?? alias ?? 'generate_series', type }],
      rows: function* (row = noRow) {
        const vals = fns.map((f) => f(row));
        if (vals.some((v) => v === null)) return;
        if (vals.some((v) => typeof v === 'bigint')) throw notSupported('generate_series beyond ±2^53');
        const [a, b, st] = [vals[0] as number, vals[1] as number, (vals[2] ?? 1) as number];
        if (st === 0) throw new PgError('22023', 'step size cannot equal zero');
        if (st > 0) for (let i = a; i <= b; i += st) yield [i];
        else for (let i = a; i >= b; i += st) yield [i];
      },
    };
  }
  if (!fname || !hasFunction(fname)) throw notSupported(`function ${fname ?? ''} in FROM`, posOf(fc.location));
  void s;
  const pos = posOf(fc.location);
  const def = resolveFunction(fname, args.map((a) => a.type), pos, names.join('.'), env);
  const ctx = { env, pos, name: fname, literalAt: args.map((a) => (a.literal ? a.location : undefined)) };
  const coerced = args.map((a, i) => (def.args[i] === 'any' || def.args[i] === undefined ? a : castTo(a, sqlTypeOf(def.args[i] as TypeName), false, pos)));
  if (def.table) {
    if (colnames.length > def.table.columns.length) throw new PgError('42601', `table "${alias}" has ${def.table.columns.length} columns available but ${colnames.length} columns specified`);
    const once = outer ? null : functionRows(def, coerced.map((a) => a.fn(noRow)), ctx); // errors before any row
    return {
      relName: fname, alias, columns: def.table.columns.map(([n, t], i) => ({ name: colnames[i] ?? n, type: t })),
      rows: (row = noRow) => once ?? functionRows(def, coerced.map((a) => a.fn(row)), ctx),
    };
  }
  const call = buildCall(def, args, ctx, (x, t) => castTo(x, t, false, pos));
  const v = outer ? null : call.fn(noRow);
  return { relName: fname, alias, columns: [{ name: colnames[0] ?? alias ?? fname, type: call.type }], rows: (row = noRow) => [[outer ? call.fn(row) : v]] };
}

/**
 * pg_get_multixact_members(multixid xid) → (xid xid, mode text): a MultiXact's members and their status (keysh,
 * sh, fornokeyupd, forupd, nokeyupd, upd), as pg_multixact stores them (multixact.c pg_get_multixact_members).
 */
function multixactMembers(ex: Executor, fc: N, rf: N, env: Scope['env'], sql: string): Source {
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
 * Joins as nested loops over the visible rows of each table (FROM a, b / JOIN ... ON / LEFT / RIGHT / CROSS).
 * Rows come out in the order of the left input, then the right — a nested loop's order; PostgreSQL may pick
 * a hash or merge join and return another order, so give joins an ORDER BY when order matters.
 */
export function joinSource(ex: Executor, s: Session, from: N[], snap: () => Snapshot, sql: string, pre?: Map<N, QResult>): Source {
  const env = ex.env(s, snap);
  const combinedScope = (inp: JoinInput): Scope => {
    let offset = 0;
    return {
      relName: null, alias: null, columns: inp.columns, hasSystem: false, env, sql,
      rels: inp.rels.map((r) => { const x = { name: r.name, offset, count: r.count }; offset += r.count; return x; }),
    };
  };
  const base = (item: N): JoinInput => {
    const d = derived(item, s, pre);
    if (d) {
      const name = d.alias ?? d.name;
      return { names: [name], columns: d.r.names.map((nm, i) => ({ name: nm, type: d.r.types[i]! })), rels: [{ name, count: d.r.names.length }], tables: [], rows: () => d.r.rows };
    }
    if (item.RangeVar) {
      const other = relationSource(ex, s, item.RangeVar, snap, sql);
      if (other) {
        const name = item.RangeVar.alias?.aliasname ?? item.RangeVar.relname;
        const rows = other.rows!;
        return { names: [name], columns: other.scope.columns, rels: [{ name, count: other.scope.columns.length }], tables: [], rows: () => [...rows()] };
      }
      const t = ex.table(item.RangeVar);
      const name = item.RangeVar.alias?.aliasname ?? t.name;
      const scope = ex.tableScope(t, name, s, snap, sql);
      return {
        names: [name], columns: scope.columns, rels: [{ name, count: t.columns.length }], tables: [t],
        rows: () => ex.scan(s, t, snap(), null, undefined, scope).map((c) => c.vals),
      };
    }
    if (item.RangeFunction) {
      const fs = functionScan(s, item.RangeFunction, env, sql);
      const name = fs.alias ?? fs.relName;
      return { names: [name], columns: fs.columns, rels: [{ name, count: fs.columns.length }], tables: [], rows: () => [...fs.rows()] };
    }
    if (item.JoinExpr) {
      const j = item.JoinExpr;
      if (j.usingClause?.length || j.isNatural) throw notSupported('JOIN ... USING / NATURAL JOIN (use ON)', posOf(firstLocation(item)));
      if (j.alias) throw notSupported('aliases for joins');
      let left = base(j.larg), right = base(j.rarg);
      let kind = j.jointype as string;
      if (kind === 'JOIN_RIGHT') { [left, right] = [right, left]; kind = 'JOIN_LEFT'; }
      if (kind !== 'JOIN_INNER' && kind !== 'JOIN_LEFT') throw notSupported(`${kind.replace('JOIN_', '')} JOIN`, posOf(firstLocation(item)));
      const swapped = j.jointype === 'JOIN_RIGHT';
      const names = [...left.names, ...right.names];
      const dup = names.find((x, i) => names.indexOf(x) !== i);
      if (dup) throw new PgError('42712', `table name "${dup}" specified more than once`);
      const combined: JoinInput = {
        names, columns: [...left.columns, ...right.columns], rels: [...left.rels, ...right.rels], tables: [...left.tables, ...right.tables],
        rows: () => [],
      };
      const on = j.quals ? ex.compileWhere(j.quals, combinedScope(combined)) : null;
      const leftWidth = left.columns.length, rightWidth = right.columns.length;
      combined.rows = () => {
        const out: Value[][] = [];
        const rr = right.rows();
        const row: Row = { vals: [], item: null, blk: 0, off: 0, aggs: null };
        for (const l of left.rows()) {
          let matched = false;
          for (const r of rr) {
            row.vals = l.concat(r);
            if (on && on.fn(row) !== true) continue;
            matched = true;
            out.push(row.vals);
          }
          if (!matched && kind === 'JOIN_LEFT') out.push(l.concat(new Array<Value>(rightWidth).fill(null)));
        }
        if (swapped) {
          // report columns in the written order (left table first) even though the right side drove the loop
          return out.map((v) => v.slice(leftWidth).concat(v.slice(0, leftWidth)));
        }
        return out;
      };
      if (swapped) {
        combined.columns = [...right.columns, ...left.columns];
        combined.rels = [...right.rels, ...left.rels];
        combined.names = [...right.names, ...left.names];
      }
      return combined;
    }
    throw notSupported('this FROM item in a join', posOf(firstLocation(item)));
  };
  /** FROM a, LATERAL (subquery) x: the subquery runs once per row of `a`, seeing its columns (nodeSubqueryscan.c) */
  const lateral = (a: JoinInput, rs: N): JoinInput => {
    if (!rs.alias) throw new PgError('42601', 'subquery in FROM must have an alias', { hint: 'For example, FROM (SELECT ...) [AS] foo.' });
    const name = rs.alias.aliasname as string;
    const ref: { current: Row | null } = { current: null };
    const outer = { scope: combinedScope(a), row: ref, used: false };
    const runOnce = (vals: Value[]) => {
      ref.current = { vals, item: null, blk: 0, off: 0, aggs: null };
      const r = ex.query(s, rs.subquery.SelectStmt, sql, false, { outer, snapshot: snap }).next();
      if (!r.done) throw notSupported('a LATERAL subquery that has to wait for a lock');
      return r.value;
    };
    const first = runOnce(a.columns.map(() => null)); // its column names and types, and its errors, before any row
    const colnames = ((rs.alias.colnames ?? []) as N[]).map((x) => x.String.sval as string);
    const columns = first.names.map((nm, i) => ({ name: colnames[i] ?? nm, type: first.types[i]! }));
    const names = [...a.names, name];
    if (a.names.includes(name)) throw new PgError('42712', `table name "${name}" specified more than once`);
    return {
      names, columns: [...a.columns, ...columns], rels: [...a.rels, { name, count: columns.length }], tables: a.tables,
      rows: () => { const out: Value[][] = []; for (const l of a.rows()) for (const r of runOnce(l).rows) out.push(l.concat(r)); return out; },
    };
  };
  let acc = base(from[0]!);
  /** FROM a, f(a.x): a function after other items runs once per row of what precedes it (nodeNestloop + Function Scan) */
  const lateralFunction = (a: JoinInput, rf: N): JoinInput => {
    const fs = functionScan(s, rf, env, sql, combinedScope(a));
    const name = fs.alias ?? fs.relName;
    if (a.names.includes(name)) throw new PgError('42712', `table name "${name}" specified more than once`);
    const row: Row = { vals: [], item: null, blk: 0, off: 0, aggs: null };
    return {
      names: [...a.names, name], columns: [...a.columns, ...fs.columns], rels: [...a.rels, { name, count: fs.columns.length }], tables: a.tables,
      rows: () => { const out: Value[][] = []; for (const l of a.rows()) { row.vals = l; for (const r of fs.rows(row)) out.push(l.concat(r)); } return out; },
    };
  };
  for (const item of from.slice(1)) {
    if (item.RangeSubselect?.lateral) { acc = lateral(acc, item.RangeSubselect); continue; }
    if (item.RangeFunction) { acc = lateralFunction(acc, item.RangeFunction); continue; }
    const next = base(item);
    const names = [...acc.names, ...next.names];
    const dup = names.find((x, i) => names.indexOf(x) !== i);
    if (dup) throw new PgError('42712', `table name "${dup}" specified more than once`);
    const a = acc;
    acc = {
      names, columns: [...a.columns, ...next.columns], rels: [...a.rels, ...next.rels], tables: [...a.tables, ...next.tables],
      rows: () => { const rr = next.rows(); const out: Value[][] = []; for (const l of a.rows()) for (const r of rr) out.push(l.concat(r)); return out; },
    };
  }
  const final = acc;
  return { scope: combinedScope(final), table: null, rows: () => final.rows(), tables: final.tables };
}
