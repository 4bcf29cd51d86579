/**
 * Which catalog rows a session sees: the catalog snapshot, and the re-lookup after a lock wait.
 *
 * PostgreSQL's catalogs are ordinary MVCC tables. CREATE TABLE inserts a pg_class row with the creating
 * transaction's xid as xmin; DROP TABLE deletes it (xmax); ALTER TABLE ... RENAME TO writes a new version. A
 * name lookup (namespace.c RangeVarGetRelidExtended → get_relname_relid, a syscache search) does not read with the
 * transaction snapshot but with the *catalog snapshot* (snapmgr.c GetCatalogSnapshot): a fresh one, so it sees
 * what has committed by now — also inside a REPEATABLE READ transaction — plus its own transaction's changes:
 *
 *     s1: BEGIN; CREATE TABLE x (id int);
 *     s2: SELECT * FROM x;        -- ERROR 42P01: s1's pg_class row is not committed; no wait, no lock to wait for
 *     s1: COMMIT;
 *     s2: SELECT * FROM x;        -- found (a REPEATABLE READ s2 too — yet its `SELECT FROM pg_class`, a plain
 *                                 --  query with the transaction snapshot, still shows no row for x)
 *
 * DROP and RENAME keep the old row visible to others until they commit: s2 finds the old name, asks for the
 * relation's lock and waits behind s1's AccessExclusiveLock. When the lock is granted, lmgr.c LockRelationOid
 * calls AcceptInvalidationMessages: the invalidations s1's commit sent (inval.c AtEOXact_Inval, before its locks
 * are released) reset the caches, and RangeVarGetRelidExtended looks the name up again — after a committed DROP
 * or RENAME the name is gone (42P01 once the wait ends), after ROLLBACK everything is as before. An ALTER TABLE's
 * new column set is read the same way: after the wait, s2 analyzes with the definition that is there now.
 *
 * Here the catalog objects are changed in place (undone by the transaction's undo actions), and this module adds
 * the MVCC part on top:
 * - an object a running transaction made (CREATE TABLE / INDEX) or renamed carries `nameXmin`, that transaction's
 *   top-level xid; `Catalog.pendingXids` holds the xids of running transactions that changed the catalog, with
 *   their session. A catalog lookup sees an object unless its nameXmin is another session's pending xid; the
 *   planner reads a table's indexes through plannerIndexes (get_relation_info's relcache list), its lock of them too.
 * - the pg_class rows a running transaction deleted or replaced (DROP TABLE, RENAME TO) are kept as `shadows`:
 *   other sessions still find the table under its old key.
 * - at the end of a transaction that changed the catalog its xid stops being pending and its shadows go
 *   (atEndOfXactCatalog): the invalidation. The catalog generation moves on, so a statement that waited for a lock
 *   meanwhile looks its table up again and analyzes again (executor/select.ts compares generations after its locks;
 *   INSERT / UPDATE / DELETE use Executor.lockedTable; DROP, ALTER, TRUNCATE, CREATE INDEX Executor.lockTableAgain,
 *   LOCK TABLE its own loop): the same table, another one now under that name, or none (42P01).
 * - `SELECT ... FROM pg_class` reads the rows as MVCC rows with the statement's snapshot (rowVisibleTo).
 *
 * Mirrors: utils/time/snapmgr.c (GetCatalogSnapshot), catalog/namespace.c (RangeVarGetRelidExtended's retry),
 * utils/cache/inval.c (AcceptInvalidationMessages, AtEOXact_Inval).
 *
 * Simplified: nameXmin is the top-level xid (a subtransaction's DDL is undone directly by ROLLBACK TO SAVEPOINT);
 * ALTER TABLE's column changes are not versioned (no other session can read the table while the ALTER holds
 * AccessExclusiveLock; ALTERs under weaker locks — SET (fillfactor), ADD FOREIGN KEY — change what others see at
 * once); tables, their indexes, views and sequences are versioned, roles and schemas are not, functions only
 * for DROP FUNCTION (others still call a function whose DROP has not committed; a CREATE is seen at once); a shadow
 * goes at its transaction's end, so a REPEATABLE READ query of pg_class no longer shows a row deleted after its
 * snapshot; only CREATE TABLE waits for a same-named uncommitted table (as on pg_type's unique index) — CREATE
 * VIEW / SEQUENCE / INDEX of such a name fail at once with 42P07.
 */
import type { Snapshot } from '../snapshot/snapshot.js';
import { xidInSnapshot } from '../snapshot/snapshot.js';
import type { Catalog, Table, View } from './catalog.js';
import type { Sequence } from '../sequence/sequence.js';
import type { Engine } from '../engine.js';
import type { BtreeIndex } from '../index/btree.js';

/** Something with a pg_class row that a running transaction may have written. */
export interface Versioned { nameXmin?: number }

/**
 * A pg_class row a running transaction deleted (DROP) or replaced (RENAME TO): others still find it by `key`. It is
 * a table's, a view's or a sequence's (exactly one of the three).
 */
export interface Shadow { key: string; name: string; xid: number; session: string; table?: Table; view?: View; seq?: Sequence;
  /** pg_proc rows a running DROP FUNCTION deleted (key 'fn:' + name): other sessions still call them */
  fns?: import('./catalog.js').PgFunction[]; }

/** Stamp `obj` as written by the session's running transaction `xid` (its top-level xid). */
export function stampCreated(cat: Catalog, session: string, xid: number, obj: Versioned): void {
  obj.nameXmin = xid;
  cat.pendingXids.set(xid, session);
}

/**
 * Keep the row `table` had under `key` (named `name`) visible to the other sessions until `xid` ends — unless that
 * row is this transaction's own (a table it created or renamed): others never saw it (null).
 */
export function shadowRow(cat: Catalog, session: string, xid: number, key: string, name: string, table: Table): Shadow | null {
  return shadowOf(cat, session, xid, key, name, table, { table });
}
/** shadowRow for a view's or a sequence's row (DROP VIEW, DROP SEQUENCE). */
export function shadowOf(cat: Catalog, session: string, xid: number, key: string, name: string, obj: Versioned,
  which: { table: Table } | { view: View } | { seq: Sequence }): Shadow | null {
  if (obj.nameXmin !== undefined && cat.pendingXids.get(obj.nameXmin) === session) return null;
  const sh: Shadow = { key, name, xid, session, ...which };
  cat.shadows.push(sh);
  cat.pendingXids.set(xid, session);
  return sh;
}

/** Forget one shadow (the DROP or RENAME that made it was rolled back to a savepoint). */
export function unshadow(cat: Catalog, sh: Shadow): void {
  cat.shadows = cat.shadows.filter((x) => x !== sh);
}

/** The catalog snapshot's rule: is `xmin` (absent: an old row) seen by the running session? */
export function catalogSees(cat: Catalog, xmin: number | undefined): boolean {
  if (xmin === undefined) return true;
  const owner = cat.pendingXids.get(xmin);
  return owner === undefined || owner === cat.current;
}

/**
 * The end of transaction `xid` (commit or abort, its undo actions already run): its catalog rows are committed or
 * gone, so its xid stops being pending and its shadows go; the generation moves on (the invalidation messages a
 * statement waiting for one of its locks accepts when it gets the lock).
 */
export function atEndOfXactCatalog(cat: Catalog, xid: number): void {
  if (!xid || !cat.pendingXids.has(xid)) return;
  cat.pendingXids.delete(xid);
  if (cat.shadows.length) cat.shadows = cat.shadows.filter((sh) => sh.xid !== xid);
  if (cat.inhDeleted.length) cat.inhDeleted = cat.inhDeleted.filter((d) => d.xid !== xid);
  cat.generation++;
}

/**
 * Is a pg_class row written by `xmin` visible to a query of pg_class with `snap`? Its own session's rows always;
 * another session's once committed before the snapshot.
 */
export function rowVisibleTo(cat: Catalog, xmin: number | undefined, snap: Snapshot): boolean {
  if (xmin === undefined) return true;
  const owner = cat.pendingXids.get(xmin);
  if (owner !== undefined) return owner === cat.current;
  return xmin < snap.xmax && !xidInSnapshot(xmin, snap);
}

/** Is a shadowed (deleted or replaced) row still visible to a query of pg_class with `snap`? */
export function shadowVisibleTo(cat: Catalog, sh: Shadow, snap: Snapshot): boolean {
  if (sh.session === cat.current) return false;
  return sh.xid >= snap.xmax || xidInSnapshot(sh.xid, snap);
}

/**
 * The snapshot a query of pg_class / pg_indexes by the running session reads with: its transaction snapshot under
 * REPEATABLE READ / SERIALIZABLE once taken, else a fresh one (a READ COMMITTED statement's).
 */
export function catalogQuerySnapshot(eng: Engine): Snapshot {
  const s = eng.catalog.current !== null ? eng.sessions.find((x) => x.name === eng.catalog.current) : undefined;
  const tx = s?.tx;
  return tx?.xactSnapshot ?? eng.xacts.snapshot(tx?.xid ?? 0, eng.clock.now);
}

/** The tables (with the indexes) a query of pg_class by the running session sees, and the shadowed rows. */
export function visibleClassRows(eng: Engine): { table: Table; name: string; indexes: BtreeIndex[] }[] {
  const cat = eng.catalog;
  const out: { table: Table; name: string; indexes: BtreeIndex[] }[] = [];
  const pending = cat.pendingXids.size > 0;
  const snap = pending || cat.tables.size ? catalogQuerySnapshot(eng) : null;
  for (const t of cat.tables.values()) {
    if (!rowVisibleTo(cat, t.nameXmin, snap!)) continue;
    out.push({ table: t, name: t.name, indexes: t.indexes.filter((i) => rowVisibleTo(cat, i.nameXmin, snap!)) });
  }
  for (const sh of cat.shadows) if (sh.table && shadowVisibleTo(cat, sh, snap!)) out.push({ table: sh.table, name: sh.name, indexes: sh.table.indexes });
  return out;
}

/** the catalog whose session is running a statement (set with Catalog.current), for plannerIndexes */
let activeCatalog: Catalog | null = null;
export function setActiveCatalog(cat: Catalog): void { activeCatalog = cat; }
/** A table by its name as the running session's planner sees it (a subquery's table, optimizer/subselect.ts). */
export function plannerTableByName(name: string): Table | undefined { return activeCatalog?.get(name); }

/**
 * A table's indexes as the running session's planner sees them (plancat.c get_relation_info reads the relcache's
 * index list, built with the catalog snapshot): not an index another session's CREATE INDEX has not committed.
 * Index maintenance (INSERT, UPDATE) still uses every index (`t.indexes`).
 */
export function plannerIndexes(t: Table): BtreeIndex[] {
  // the planner's B-trees: a hash index answers only `col = constant` (plannerHashIndexes, optimizer/scanpaths.ts)
  if (t.indexes.some((i) => i.am !== 'btree')) return visibleIndexes(t).filter((i) => i.am === 'btree');
  return visibleIndexes(t);
}

/** The hash indexes the planner may use (equality conditions only). */
export function plannerHashIndexes(t: Table): BtreeIndex[] {
  return t.indexes.some((i) => i.am === 'hash') ? visibleIndexes(t).filter((i) => i.am === 'hash') : [];
}

function visibleIndexes(t: Table): BtreeIndex[] {
  const cat = activeCatalog;
  if (!cat || !cat.pendingXids.size || !t.indexes.some((i) => i.nameXmin !== undefined && !catalogSees(cat, i.nameXmin))) return t.indexes;
  return t.indexes.filter((i) => catalogSees(cat, i.nameXmin));
}

/** The views and sequences a query of pg_class by the running session sees (as visibleClassRows for tables). */
export function visibleViewsAndSequences(eng: Engine): { views: View[]; seqs: Sequence[] } {
  const cat = eng.catalog;
  if (!cat.pendingXids.size) return { views: [...cat.views.values()], seqs: [...cat.sequences.values()] };
  const snap = catalogQuerySnapshot(eng);
  const views = [...cat.views.values()].filter((v) => rowVisibleTo(cat, v.nameXmin, snap));
  const seqs = [...cat.sequences.values()].filter((q) => rowVisibleTo(cat, q.nameXmin, snap));
  for (const sh of cat.shadows) {
    if (!shadowVisibleTo(cat, sh, snap)) continue;
    if (sh.view) views.push(sh.view);
    if (sh.seq) seqs.push(sh.seq);
  }
  return { views, seqs };
}
