/**
 * ALTER TABLE … SET LOGGED / SET UNLOGGED and SET ACCESS METHOD: the subcommands that change how a table is stored.
 *
 * A table's persistence is a property of its files: an unlogged table's changes skip the WAL and crash recovery
 * resets it from its init fork (commands/unlogged.ts). Changing it rewrites the table into a transient table of the
 * new persistence (make_new_heap), whose file becomes the table's, and rebuilds every index in the new persistence:
 *
 *     ALTER TABLE u SET LOGGED      new file 16445 (Storage CREATE base/5/16445), every row copied with a Heap
 *                                   INSERT record (the rows are in the WAL from now on), each index built and logged
 *     ALTER TABLE n SET UNLOGGED    new file 16451 (only Storage CREATE base/5/16451_init is logged), no row logged;
 *                                   each index's init fork and its empty metapage
 *
 * A table already of the persistence asked for is left alone (no rewrite). Foreign keys must stay between tables a
 * crash treats alike (ATPrepChangePersistence): a logged table may not reference an unlogged one, so SET LOGGED
 * refuses a table whose own keys reference an unlogged table, and SET UNLOGGED one a logged table's key references
 * (42P16 — its message says "references" in both directions, as PostgreSQL's does). A temporary table cannot change.
 *
 * SET ACCESS METHOD: the only table access method is heap; PostgreSQL 15 leaves a table that already uses the
 * method named as it is, so SET ACCESS METHOD heap changes nothing; an index method or an unknown name fail.
 *
 * Mirrors: src/backend/commands/tablecmds.c (ATPrepChangePersistence, ATPrepSetAccessMethod, ATRewriteTables'
 * persistence of the transient table). Simplifications: a table whose sequences it owns (serial, identity) is refused
 * (0A000: SequenceChangePersistence of owned sequences is not modelled), as are partitioned tables (refused by ALTER
 * TABLE as a whole).
 */
import { PgError, notSupported } from '../errors.js';
import type { Executor } from '../executor/executor.js';
import type { Table } from '../catalog/catalog.js';
import type { Session } from '../session/session.js';
import { referencingKeys, tableByOid } from '../ri/ri_triggers.js';

/** The index access methods of PostgreSQL 15 (pg_am rows of amtype 'i'). */
const INDEX_AMS = ['btree', 'hash', 'gist', 'gin', 'spgist', 'brin'];

/** ATPrepSetAccessMethod: heap, the table's own, is a no-op (PostgreSQL 15); anything else fails. */
export function prepSetAccessMethod(name: string): void {
  if (name === 'heap') return;
  if (INDEX_AMS.includes(name)) throw new PgError('42809', `access method "${name}" is not of type TABLE`);
  throw new PgError('42704', `access method "${name}" does not exist`);
}

/**
 * ATPrepChangePersistence: does SET LOGGED (toLogged) / SET UNLOGGED need a rewrite — false when the table already
 * is so — refusing a temporary table and a foreign key that would link a logged table to an unlogged one.
 */
export function prepChangePersistence(ex: Executor, s: Session, t: Table, toLogged: boolean): boolean {
  if (t.temp) throw new PgError('42P16', `cannot change logged status of table "${t.name}" because it is temporary`);
  if (toLogged ? !t.unlogged : t.unlogged) return false;
  const cat = ex.eng.catalog;
  if (toLogged) {
    // the table's own keys (conrelid = t): each referenced table must be permanent
    for (const fk of t.fkeys ?? []) {
      const ref = tableByOid(ex, fk.refOid);
      if (!ref || ref === t) continue;
      if (ref.unlogged) throw new PgError('42P16', `could not change table "${t.name}" to logged because it references unlogged table "${ref.name}"`);
    }
  } else {
    // the keys referencing it (confrelid = t): each referencing table must not be permanent
    for (const r of referencingKeys(ex, t)) {
      if (r.table === t) continue;
      if (!r.table.unlogged && !r.table.temp) throw new PgError('42P16', `could not change table "${t.name}" to unlogged because it references logged table "${r.table.name}"`);
    }
  }
  const owned = [...cat.sequences.values()].find((q) => q.ownedBy === t.name && !q.temp);
  if (owned) throw notSupported(`ALTER TABLE ... SET ${toLogged ? 'LOGGED' : 'UNLOGGED'} of a table that owns a sequence ("${owned.name}")`);
  void s;
  return true;
}

/** The table and its indexes take the new persistence (ATRewriteTables: the transient table is made so). */
export function setPersistence(ex: Executor, s: Session, t: Table, toLogged: boolean): void {
  const cat = ex.eng.catalog;
  const was = !!t.unlogged;
  const apply = (unlogged: boolean) => {
    if (unlogged) t.unlogged = true; else delete t.unlogged;
    for (const oid of [t.oid, ...t.indexes.map((i) => i.oid)]) { if (unlogged) cat.unloggedRels.add(oid); else cat.unloggedRels.delete(oid); }
  };
  apply(!toLogged);
  s.tx!.undo.push(() => apply(was));
}
