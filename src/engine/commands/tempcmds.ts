/**
 * Temporary tables: CREATE TEMP TABLE puts a table in the session's own schema pg_temp_N (N its backend ID),
 * which is searched before public — the temporary table shadows a permanent one of the same name, and no other
 * session can name it (42P01). Its pages live in the backend's local buffers: nothing about them is WAL-logged, no
 * checkpoint writes them, and after a crash they are simply gone. The table goes when the session ends, or earlier
 * as its ON COMMIT clause says:
 *
 *     CREATE TEMP TABLE t (id int) ON COMMIT DELETE ROWS;   -- emptied at every COMMIT (heap_truncate: same file)
 *     CREATE TEMP TABLE u (id int) ON COMMIT DROP;          -- dropped by the COMMIT of the creating transaction
 *     CREATE TEMP TABLE v (id int);                         -- PRESERVE ROWS (the default): kept until the session ends
 *
 * The schema itself is made (two OIDs: pg_temp_N and pg_toast_temp_N) the first time a backend with that ID
 * creates a temporary object, and is kept for the next backend that gets the ID.
 *
 * Mirrors: catalog/namespace.c (InitTempTableNamespace, RemoveTempRelations, isTempNamespace),
 * commands/tablecmds.c (PreCommit_on_commit_actions, heap_truncate), commands/discard.c (DISCARD TEMP),
 * storage/buffer/localbuf.c (local buffers), postmaster's RemovePgTempFiles at restart.
 *
 * Functions can be made there too (CREATE FUNCTION pg_temp.f ...): a call must name pg_temp to find one — pg_temp is
 * never searched for functions, so a temporary function cannot capture a call of a public one — and it goes with the
 * schema's other objects, as does a permanent function that takes a temporary table's row type.
 *
 * Views and sequences can be temporary too (CREATE TEMP VIEW / SEQUENCE, or named into pg_temp): they are kept
 * like temporary tables, under a tempKey, and go at the session's end. A view that reads a temporary relation is
 * temporary itself (view.c's isQueryUsingTempRelation: NOTICE "will be a temporary view"); a temporary table's
 * serial or identity column gets a temporary sequence, dropped with the table. A temporary sequence writes no WAL
 * (nextval needs no xid, and may run in a read-only transaction).
 *
 * Simplifications: pg_namespace is not a relation here (the schema's OID shows only as pg_class.relnamespace);
 * DISCARD TEMP drops them without taking their locks; a transaction that wrote no WAL before
 * its COMMIT record still flushes it (PostgreSQL lets such a commit be asynchronous).
 */
import type { Engine } from '../engine.js';
import type { Session, QueryResult } from '../session/session.js';
import { PgError, notSupported, posOf } from '../errors.js';
import { tableKey, type Catalog, type PgFunction, type Table } from '../catalog/catalog.js';
import { HeapRelation } from '../heap/heap.js';
import type { N } from '../executor/util.js';

export type OnCommit = 'preserve' | 'delete' | 'drop';

/** ON COMMIT of a CreateStmt / IntoClause: 42P16 on a permanent table, as transformCreateStmt says. */
export function onCommitOf(n: N, temp: boolean): OnCommit {
  const oc = n.oncommit ?? n.onCommit;
  if (!oc || oc === 'ONCOMMIT_NOOP') return 'preserve';
  if (!temp) throw new PgError('42P16', 'ON COMMIT can only be used on temporary tables');
  return oc === 'ONCOMMIT_DELETE_ROWS' ? 'delete' : oc === 'ONCOMMIT_DROP' ? 'drop' : 'preserve';
}

/** Is the relation a RangeVar names to be temporary? TEMP, or named into pg_temp (RangeVarAdjustRelationPersistence):
 *  42P16 for TEMP into a permanent schema. */
export function isTempRelation(rv: N): boolean {
  if (rv.schemaname && rv.schemaname !== 'public' && rv.schemaname !== 'pg_temp') throw notSupported(`schemas other than public ("${rv.schemaname}")`);
  if (rv.schemaname === 'public' && rv.relpersistence === 't') throw new PgError('42P16', 'cannot create temporary relation in non-temporary schema', { position: posOf(rv.location)! });
  return rv.relpersistence === 't' || rv.schemaname === 'pg_temp';
}

/** The schema a RangeVar names, as the catalog's lookups take it ('public', 'pg_temp', or none: the search path). */
export function schemaOf(rv: N): string | undefined {
  const sch = rv.schemaname as string | undefined;
  if (!sch) return undefined;
  if (sch === 'public' || sch === 'pg_temp' || /^pg_temp_\d+$/.test(sch)) return sch === 'public' ? 'public' : 'pg_temp';
  throw notSupported(`schemas other than public ("${sch}")`);
}

/** InitTempTableNamespace: the session's pg_temp_N, made (two OIDs) on first use by a backend with this ID. */
export function tempNamespace(eng: Engine, s: Session): { nsp: number; schema: string } {
  const cat = eng.catalog;
  let nsp = cat.tempNamespaces.get(s.backendId);
  if (nsp === undefined) {
    nsp = cat.allocOid();
    cat.allocOid(); // pg_toast_temp_N
    cat.tempNamespaces.set(s.backendId, nsp);
    // created by this transaction: gone again if it aborts (AtEOXact_Namespace), the OIDs stay used
    s.tx?.undo.push(() => cat.tempNamespaces.delete(s.backendId));
  }
  if (!s.tempNamespace) {
    s.tempNamespace = nsp;
    s.tx?.undo.push(() => { s.tempNamespace = 0; }); // AtEOXact_Namespace: forgotten if the transaction aborts
  }
  return { nsp, schema: `pg_temp_${s.backendId}` };
}

/** The relations a temporary table brings to localRels (the table and its indexes). */
export function markLocal(eng: Engine, t: Table): void {
  if (!t.temp) return;
  eng.catalog.localRels.add(t.oid);
  for (const i of t.indexes) eng.catalog.localRels.add(i.oid);
}

/** Take a temporary table out of the catalog (DROP, ON COMMIT DROP, session end, crash). */
function removeTemp(eng: Engine, t: Table): void {
  eng.catalog.tables.delete(tableKey(t));
  // its serial columns' sequences (owned by the table) go with it
  for (const [k, q] of [...eng.catalog.sequences]) if (q.temp?.session === t.temp!.session && q.ownedBy === t.name) eng.catalog.sequences.delete(k);
  eng.catalog.localRels.delete(t.oid);
  for (const i of t.indexes) eng.catalog.localRels.delete(i.oid);
  eng.catalog.generation++;
}

/** heap_truncate: ON COMMIT DELETE ROWS empties the table and its indexes in place (no new relfilenode). */
function truncateInPlace(t: Table): void {
  if (!t.heap.pages.length && t.indexes.every((i) => i.count === 0)) return;
  const heap = new HeapRelation();
  heap.fillfactor = t.heap.fillfactor;
  t.heap = heap;
  t.indexes = t.indexes.map((old) => old.fresh());
}

/** PreCommit_on_commit_actions: at this session's COMMIT, DROP or DELETE ROWS its temporary tables that ask for it. */
export function preCommitOnCommitActions(eng: Engine, s: Session): void {
  if (!eng.catalog.localRels.size) return;
  for (const t of [...eng.catalog.tables.values()]) {
    if (t.temp?.session !== s.name) continue;
    if (t.temp.onCommit === 'drop') removeTemp(eng, t);
    else if (t.temp.onCommit === 'delete') truncateInPlace(t);
  }
}

/** The temporary views and sequences of one session (or of all: a crash) leave the catalog, with its functions. */
function removeTempViewsAndSequences(cat: Catalog, session: string | null): void {
  for (const m of [cat.views, cat.sequences] as Map<string, { temp?: { session: string } }>[]) {
    for (const [k, r] of [...m]) if (r.temp && (session === null || r.temp.session === session)) m.delete(k);
  }
  for (const { key, rest } of tempFunctionDrops(cat, session)) if (rest.length) cat.functions.set(key, rest); else cat.functions.delete(key);
}

/**
 * The pg_proc rows that go with a session's temporary schema (every session's: null): its functions in pg_temp, and
 * any other function taking a row type of one of its temporary tables (dependency.c drops it with the type). Each
 * entry is a pg_proc key and the functions left under it.
 */
function tempFunctionDrops(cat: Catalog, session: string | null): { key: string; before: PgFunction[]; rest: PgFunction[] }[] {
  const mine = (x: { temp?: { session: string } }) => !!x.temp && (session === null || x.temp.session === session);
  // a table's row type is the third OID it took (after its array type): typecmds.ts rowTypeLookup
  const rowTypes = new Set([...cat.tables.values()].filter(mine).map((t) => t.oid + 2));
  const usesTempType = (f: PgFunction) => rowTypes.size > 0 && f.args.some((a) => {
    if (a.type === 'any') return false;
    const c = a.type.composite ?? a.type.elem?.composite;
    return c?.typeOid !== undefined && rowTypes.has(c.typeOid);
  });
  const out: { key: string; before: PgFunction[]; rest: PgFunction[] }[] = [];
  for (const [key, fs] of cat.functions) {
    const rest = fs.filter((f) => !mine(f) && !usesTempType(f));
    if (rest.length !== fs.length) out.push({ key, before: fs, rest });
  }
  return out;
}

/** RemoveTempRelations at backend exit: the session's temporary tables, views and sequences are dropped. */
export function dropSessionTempTables(eng: Engine, session: string): void {
  removeTempViewsAndSequences(eng.catalog, session);
  if (!eng.catalog.localRels.size) return;
  for (const t of [...eng.catalog.tables.values()]) if (t.temp?.session === session) removeTemp(eng, t);
}

/** A crash: every backend is gone, and the temporary files with them (RemovePgTempFiles at restart). */
export function dropAllTempTables(eng: Engine): void {
  removeTempViewsAndSequences(eng.catalog, null);
  if (!eng.catalog.localRels.size) return;
  for (const t of [...eng.catalog.tables.values()]) if (t.temp) removeTemp(eng, t);
}

/** DISCARD TEMP (DISCARD TEMPORARY): drop this session's temporary tables, views and sequences, as the transaction's
 *  own work (a ROLLBACK brings them back). DISCARD ALL / PLANS / SEQUENCES are refused. */
export function discardStmt(eng: Engine, s: Session, n: N): QueryResult {
  if (n.target !== 'DISCARD_TEMP') throw notSupported(`DISCARD ${String(n.target).replace('DISCARD_', '')}`);
  const cat = eng.catalog;
  const maps = [cat.tables, cat.views, cat.sequences] as Map<string, { temp?: { session: string } }>[];
  const mine = maps.flatMap((m) => [...m].filter(([, r]) => r.temp?.session === s.name).map(([k, r]) => ({ m, k, r })));
  const fns = tempFunctionDrops(cat, s.name);
  if (mine.length || fns.length) eng.ensureXid(s);
  for (const { key, before, rest } of fns) {
    if (rest.length) cat.functions.set(key, rest); else cat.functions.delete(key);
    s.tx!.undo.push(() => cat.functions.set(key, before));
  }
  for (const { m, k, r } of mine) {
    m.delete(k);
    cat.generation++;
    s.tx!.undo.push(() => m.set(k, r));
  }
  return { command: 'DISCARD TEMP', columns: null, rows: [] };
}
