/**
 * pg_inherits: which table inherits from which. One row per (child, parent) pair of table inheritance
 * (CREATE TABLE … INHERITS, ALTER TABLE … INHERIT), `inhseqno` the parent's place in the child's INHERITS list;
 * a partition's row (Table.partOf) and a partition index's (BtreeIndex.parentIndex) are listed beside them.
 *
 *     CREATE TABLE p (a int);  CREATE TABLE c () INHERITS (p);
 *     SELECT inhrelid::regclass, inhparent::regclass, inhseqno FROM pg_inherits;   -- c | p | 1
 *     ALTER TABLE c NO INHERIT p;                                                  -- the row is deleted
 *
 * The rows are MVCC rows, read with the catalog snapshot (catalogsnapshot.ts): another session's uncommitted
 * INHERIT is not seen by find_inheritance_children, its uncommitted NO INHERIT still is (the deleted row stays in
 * `inhDeleted` until that transaction ends). That is why a reader of the parent that waits for the child's lock
 * still reads the child it found before the wait (isolation test alter-table-4).
 *
 * Mirrors: src/backend/catalog/pg_inherits.c (find_inheritance_children, find_all_inheritors, has_superclass,
 * typeInheritsFrom, StoreSingleInheritance, DeleteInheritsTuple). Simplifications: the children of a parent are
 * sorted by OID as PostgreSQL sorts them; no inhdetachpending for inheritance (it is a partition's: Table.partOf's
 * detachPending).
 */
import type { Catalog, Table } from './catalog.js';
import { catalogSees, rowVisibleTo } from './catalogsnapshot.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import { xidInSnapshot } from '../snapshot/snapshot.js';

/** A pg_inherits row of table inheritance: `xmin` the transaction that wrote it (absent: committed long ago). */
export interface InhRow { rel: number; parent: number; seqno: number; xmin?: number }
/** A row a running transaction `xid` (of `session`) deleted: still seen by the others until it ends. */
export interface InhDeleted { row: InhRow; xid: number; session: string }

/** Is the row seen by the running session's catalog snapshot? */
function seen(cat: Catalog, r: InhRow): boolean { return catalogSees(cat, r.xmin); }

/** The rows the running session's catalog snapshot sees: the live ones it sees, the ones others are deleting. */
export function visibleInherits(cat: Catalog): InhRow[] {
  const out = cat.inherits.filter((r) => seen(cat, r));
  for (const d of cat.inhDeleted) if (d.session !== cat.current) out.push(d.row);
  return out;
}

/** find_inheritance_children: the direct children of `t` (by OID order), as the catalog snapshot sees them. */
export function inheritanceChildren(cat: Catalog, t: Table): Table[] {
  const oids = visibleInherits(cat).filter((r) => r.parent === t.oid).map((r) => r.rel).sort((a, b) => a - b);
  const out: Table[] = [];
  for (const o of [...new Set(oids)]) { const c = tableByOid(cat, o); if (c) out.push(c); }
  return out;
}

/** The parents of `t` in inhseqno order (the catalog as it is, for DDL holding the child's lock). */
export function inheritanceParents(cat: Catalog, t: Table): Table[] {
  return cat.inherits.filter((r) => r.rel === t.oid).sort((a, b) => a.seqno - b.seqno)
    .map((r) => tableByOid(cat, r.parent)).filter((p): p is Table => !!p);
}

/** has_subclass: does `t` have inheritance children (seen by the catalog snapshot)? */
export function hasInheritanceChildren(cat: Catalog, t: Table): boolean {
  if (!cat.inherits.length && !cat.inhDeleted.length) return false;
  return visibleInherits(cat).some((r) => r.parent === t.oid);
}

/** find_all_inheritors without the locks: `t` and every descendant, each level before the next (no repeats). */
export function allInheritors(cat: Catalog, t: Table): Table[] {
  const out = [t];
  for (let i = 0; i < out.length; i++) for (const c of inheritanceChildren(cat, out[i]!)) if (!out.includes(c)) out.push(c);
  return out;
}

/** A table by OID, as the running session's catalog snapshot sees it (another session's uncommitted DROP: still). */
export function tableByOid(cat: Catalog, oid: number): Table | undefined {
  for (const t of cat.tables.values()) if (t.oid === oid) return t;
  for (const sh of cat.shadows) if (sh.table?.oid === oid && sh.session !== cat.current) return sh.table;
  return undefined;
}

/** Is the table still in the catalog (not dropped meanwhile)? */
export function stillExists(cat: Catalog, t: Table): boolean {
  for (const x of cat.tables.values()) if (x === t) return true;
  return false;
}

/** The rows of pg_inherits a query with `snap` sees: inheritance, partitions, partition indexes. */
export function pgInheritsRows(cat: Catalog, snap: Snapshot): [number, number, number, boolean][] {
  const rows: [number, number, number, boolean][] = [];
  for (const r of cat.inherits) if (rowVisibleTo(cat, r.xmin, snap)) rows.push([r.rel, r.parent, r.seqno, false]);
  for (const d of cat.inhDeleted) {
    if (d.session !== cat.current && (d.xid >= snap.xmax || xidInSnapshot(d.xid, snap))) rows.push([d.row.rel, d.row.parent, d.row.seqno, false]);
  }
  // inhdetachpending: DETACH … CONCURRENTLY's mark, once its transaction is visible to the snapshot
  for (const t of cat.tables.values()) {
    if (t.partOf) rows.push([t.oid, t.partOf.parent, 1, t.partOf.detachPending !== undefined && rowVisibleTo(cat, t.partOf.detachPending, snap)]);
  }
  for (const t of cat.tables.values()) for (const i of t.indexes) if (i.parentIndex !== undefined) rows.push([i.oid, i.parentIndex, 1, false]);
  return rows;
}
