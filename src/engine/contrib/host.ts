/**
 * What PostgreSQL's contrib modules see of the server: the engine's state and the session calling them.
 *
 * The inspection extensions (pageinspect, pgstattuple, pgrowlocks, pg_visibility, pg_freespacemap, pg_walinspect) are
 * C functions reading shared buffers, the visibility map, the free space map and the WAL directly; here they are
 * FuncDefs in the function catalog (sql/funcs/registry.ts) marked with their extension, which exist once CREATE
 * EXTENSION made them (commands/extension.ts), and which reach the engine through the statement's ExprEnv.
 */
import type { Engine } from '../engine.js';
import type { Session } from '../session/session.js';
import type { Table } from '../catalog/catalog.js';
import { BtreeIndex } from '../index/btree.js';
import { PgError } from '../errors.js';
import type { CallCtx, FuncDef } from '../sql/funcs/registry.js';
import { RegClass, type Value } from '../sql/types.js';

export interface ContribHost { eng: Engine; session: Session }

export function host(c: CallCtx): ContribHost {
  const h = c.env.contrib?.();
  if (!h) throw new PgError('XX000', `${c.name}() called without an engine`);
  return h;
}

/**
 * A one-argument SQL function that reads the engine (a `build` for the function catalog): NULL in, NULL out;
 * otherwise `f` gets the argument and this session's host.
 */
export const withHost = (f: (v: Exclude<Value, null>, h: ContribHost) => Value): NonNullable<FuncDef['build']> => ([a], c) => {
  const g = a!.fn;
  return (r) => { const v = g(r); return v === null ? null : f(v, host(c)); };
};

/**
 * A relation named by a text argument ('t', '"T"', 'public.t') or a regclass value: a table or an index. A view
 * or a sequence is refused: "is not <notKind>" (the kinds the calling function accepts).
 */
export function relationArg(c: CallCtx, v: Value, notKind = 'a table, index, materialized view, sequence, or TOAST table'): { table: Table; index: BtreeIndex | null } {
  const { eng } = host(c);
  let name: string;
  if (v instanceof RegClass) {
    const r = eng.catalog.byOid(v.oid);
    if (!r) throw new PgError('42P01', `relation with OID ${v.oid} does not exist`);
    if (!(r instanceof BtreeIndex) && r.toastOf !== undefined) return { table: r, index: null };
    if (r instanceof BtreeIndex && r.name.startsWith('pg_toast_')) { const tr = eng.catalog.toastRel(r.name); if (tr) return tr; }
    name = r.name;
  } else {
    const s = String(v).trim();
    name = s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s.toLowerCase();
    name = name.replace(/^(public)\./, '');
    if (name.startsWith('pg_toast.')) {
      const tr = eng.catalog.toastRel(name.slice('pg_toast.'.length));
      if (tr) return tr;
      throw new PgError('42P01', `relation "${name}" does not exist`);
    }
  }
  const t = eng.catalog.get(name);
  if (t) return { table: t, index: null };
  const ix = eng.catalog.indexByName(name);
  if (ix) return ix;
  if (eng.catalog.view(name) || eng.catalog.sequence(name)) throw new PgError('42809', `"${name}" is not ${notKind}`);
  throw new PgError('42P01', `relation "${name}" does not exist`);
}

/** A heap relation argument (pgstattuple, pg_visibility, pg_freespace): an index is refused as PostgreSQL does. */
export function tableArg(c: CallCtx, v: Value, what = 'a table, materialized view, or TOAST table'): Table {
  const r = relationArg(c, v);
  if (r.index) throw new PgError('42809', `"${r.index.name}" is not ${what}`);
  return r.table;
}
