/**
 * Foreign keys and partitioned tables: how one FOREIGN KEY becomes a family of pg_constraint rows, one per table
 * that has to enforce it.
 *
 * A partitioned table has no rows of its own, so a foreign key on it is enforced by its partitions:
 *
 *   referencing side (FOREIGN KEY on a partitioned table pfk): the constraint is cloned onto every partition
 *     (conrelid = the partition, conparentid = the parent's constraint, the same name unless the partition already
 *     uses it). Each clone has the check triggers: an INSERT routed to pfk1 is checked by pfk1's clone, so the error
 *     names the partition: 'insert or update on table "pfk1" violates foreign key constraint "pfk_a_fkey"'.
 *   referenced side (REFERENCES a partitioned table ppk): the constraint gets a child for every partition of ppk
 *     (conrelid = the referencing table, confrelid = the partition, a name of its own: pfk_a_fkey1, pfk_a_fkey2 …
 *     as ChooseConstraintName picks, unique in the schema). Each child has the action triggers on its partition:
 *     a DELETE from ppk1 is checked by pfk_a_fkey1 — 'update or delete on table "ppk1" violates foreign key
 *     constraint "pfk_a_fkey1" on table "pfk"'. The parent's own action triggers on ppk fire only for an UPDATE
 *     that moves a row to another partition (ri/ri_triggers.ts queueCrossPartitionUpdate).
 *
 * Partitions that come and go keep the family complete:
 *   CREATE TABLE … PARTITION OF / ATTACH PARTITION of a referencing partitioned table clones its keys onto the new
 *     partition (CloneFkReferencing: the referenced table and all its partitions locked ShareRowExclusive first,
 *     then the rows already there checked with the latest snapshot) — or adopts an equal key the table had;
 *   … of a referenced partitioned table adds children for the new partition (CloneFkReferenced, nothing to check);
 *   DETACH PARTITION of a referenced partition first checks that no referencing row has a key the partition holds
 *     (RI_PartitionRemove_Check: 'removing partition "ppk1" violates foreign key constraint "pfk_a_fkey1"'), then
 *     drops the children; of a referencing partition, its clones become constraints of their own.
 *
 * Mirrors: src/backend/commands/tablecmds.c (addFkRecurseReferenced, addFkRecurseReferencing, CloneForeignKeyConstraints,
 * CloneFkReferenced, CloneFkReferencing, tryAttachPartitionForeignKey, DetachPartitionFinalize,
 * ATDetachCheckNoForeignKeyRefs), catalog/pg_constraint.c (ChooseConstraintName, ConstraintSetParentConstraint),
 * utils/adt/ri_triggers.c (RI_PartitionRemove_Check). Simplifications: OIDs are allocated five per constraint row
 * (its row and its triggers) whatever triggers it really has; a detached partition that is itself partitioned
 * keeps its partitions' clones as they were (only the detached table's own key becomes independent).
 */
import type { Executor } from '../executor/executor.js';
import type { Session } from '../session/session.js';
import type { Table, ForeignKey } from '../catalog/catalog.js';
import { PgError } from '../errors.js';
import { LockMode } from '../lock/lock.js';
import { type Gen, sameValue } from '../executor/util.js';
import type { Value } from '../sql/types.js';
import { partitionsOf, allPartitions, leafPartitions, convertRow } from '../executor/execPartition.js';
import { latestRows } from './relfile.js';
import { formatValue } from '../sql/types.js';
import { tableByOid, fkViolation, matchFullViolation } from '../ri/ri_triggers.js';

/** Every constraint name of the schema (pg_constraint's names: CHECK, index-backed keys, foreign keys). */
function schemaConstraintNames(ex: Executor): Set<string> {
  const out = new Set<string>();
  const cat = ex.eng.catalog;
  for (const t of cat.tables.values()) {
    for (const c of t.checks) out.add(c.name);
    for (const i of t.indexes) if (!cat.standaloneIndexes.has(i.name)) out.add(i.name);
    for (const f of t.fkeys ?? []) out.add(f.name);
  }
  return out;
}

/** ChooseConstraintName(rel, the key's columns, "fkey"): the first of base, base1, base2 … no constraint of the schema has. */
export function chooseFkName(ex: Executor, t: Table, cols: number[]): string {
  const base = `${t.name}_${cols.map((c) => t.columns[c]!.name).join('_')}_fkey`;
  const used = schemaConstraintNames(ex);
  let name = base;
  for (let k = 1; used.has(name); k++) name = `${base}${k}`;
  return name;
}

/** A constraint row's OID, then its triggers'. */
function allocConstraintOid(ex: Executor): number {
  const cat = ex.eng.catalog;
  const oid = cat.allocOid();
  for (let k = 0; k < 4; k++) cat.allocOid();
  return oid;
}

/** Add a constraint row to a table, undone if the transaction aborts. */
function pushFk(s: Session, t: Table, fk: ForeignKey): void {
  const before = t.fkeys;
  t.fkeys = [...(before ?? []), fk];
  s.tx!.undo.push(() => { t.fkeys = before; });
}

/** The index of partition `p` attached to the parent's index named `name` (the key's conindid one level down). */
function childIndexName(ex: Executor, parent: Table, p: Table, name: string): string {
  const pi = parent.indexes.find((i) => i.name === name);
  const ci = pi && p.indexes.find((i) => i.parentIndex === pi.oid);
  return ci?.name ?? name;
}

/** A column list of `from` as positions in `to` (matched by name: a partition's columns may sit elsewhere). */
function mapCols(from: Table, to: Table, cols: number[]): number[] {
  return cols.map((c) => to.columns.findIndex((x) => !x.dropped && x.name === from.columns[c]!.name));
}

/**
 * addFkRecurseReferenced: for each partition of the referenced partitioned table `pkT` (recursively), a child of
 * `parent` on the referencing table, with the action triggers on that partition. The partitions are locked
 * ShareRowExclusive: nobody may delete a referenced row meanwhile.
 */
export function* addFkRecurseReferenced(ex: Executor, s: Session, fkT: Table, parent: ForeignKey, pkT: Table): Gen<void> {
  for (const p of partitionsOf(ex.eng.catalog, pkT)) {
    yield* ex.eng.acquireLock(s, { type: 'relation', rel: p.oid }, LockMode.ShareRowExclusive);
    yield* referencedChild(ex, s, fkT, parent, pkT, p);
  }
}

/** The child of key `parent` (on fkT, referencing pkT) for pkT's partition p — and, p partitioned, its own children. */
function* referencedChild(ex: Executor, s: Session, fkT: Table, parent: ForeignKey, pkT: Table, p: Table): Gen<void> {
  const child: ForeignKey = {
    ...parent, name: chooseFkName(ex, fkT, parent.cols), oid: allocConstraintOid(ex), refOid: p.oid,
    refCols: mapCols(pkT, p, parent.refCols), refIndex: childIndexName(ex, pkT, p, parent.refIndex), parent: parent.oid, noCheck: true,
  };
  delete child.noAction;
  pushFk(s, fkT, child);
  if (p.partKey) yield* addFkRecurseReferenced(ex, s, fkT, child, p);
}

/**
 * addFkRecurseReferencing: `fk` (on the partitioned table `fkT`) cloned onto each partition, recursively; the
 * clones of leaves are returned, for the caller to check their rows (unless the key is NOT VALID or the tables new).
 */
export function* addFkRecurseReferencing(ex: Executor, s: Session, fkT: Table, fk: ForeignKey): Gen<{ table: Table; fk: ForeignKey }[]> {
  const out: { table: Table; fk: ForeignKey }[] = [];
  for (const p of partitionsOf(ex.eng.catalog, fkT)) {
    yield* ex.eng.acquireLock(s, { type: 'relation', rel: p.oid }, LockMode.ShareRowExclusive);
    out.push(...(yield* cloneOnto(ex, s, fkT, fk, p)));
  }
  return out;
}

/** One clone of `fk` on partition `p` (a name of its own if p uses fk's already), and its partitions' clones. */
function* cloneOnto(ex: Executor, s: Session, fkT: Table, fk: ForeignKey, p: Table): Gen<{ table: Table; fk: ForeignKey }[]> {
  const cols = mapCols(fkT, p, fk.cols);
  const taken = (p.fkeys ?? []).some((f) => f.name === fk.name) || p.checks.some((c) => c.name === fk.name)
    || p.indexes.some((i) => i.name === fk.name && !ex.eng.catalog.standaloneIndexes.has(i.name));
  const clone: ForeignKey = {
    ...fk, name: taken ? chooseFkName(ex, p, cols) : fk.name, oid: allocConstraintOid(ex), cols,
    delSetCols: fk.delSetCols ? mapCols(fkT, p, fk.delSetCols) : null, parent: fk.oid, noAction: true,
  };
  delete clone.noCheck;
  pushFk(s, p, clone);
  if (!p.partKey) return [{ table: p, fk: clone }];
  return yield* addFkRecurseReferencing(ex, s, p, clone);
}

/** The constraints of `t` that enforce a key as its referencing side (not referenced-side children). */
const ownKeys = (t: Table) => (t.fkeys ?? []).filter((f) => !f.noCheck);

/** Constraints referencing `t` as a whole (not a child made for one of its partitions), from any table. */
function keysReferencing(ex: Executor, t: Table): { table: Table; fk: ForeignKey }[] {
  const out: { table: Table; fk: ForeignKey }[] = [];
  for (const o of ex.eng.catalog.tables.values()) for (const f of o.fkeys ?? []) if (f.refOid === t.oid && !f.noAction) out.push({ table: o, fk: f });
  return out.sort((a, b) => a.fk.oid - b.fk.oid);
}

/** Is `f` (on a partition) the same key as `fk` (on its parent): same columns, same referenced table and actions? */
function sameKey(parentT: Table, fk: ForeignKey, p: Table, f: ForeignKey): boolean {
  const cols = mapCols(parentT, p, fk.cols);
  return f.parent === undefined && !f.noCheck && f.refOid === fk.refOid && f.cols.length === cols.length && f.cols.every((c, i) => c === cols[i])
    && f.refCols.every((c, i) => c === fk.refCols[i]) && f.onDelete === fk.onDelete && f.onUpdate === fk.onUpdate && f.match === fk.match
    && f.deferrable === fk.deferrable && f.initiallyDeferred === fk.initiallyDeferred;
}

/**
 * CloneForeignKeyConstraints for a new partition `p` of `parent` (CREATE TABLE … PARTITION OF, ATTACH PARTITION):
 * the parent's own keys onto p (an equal key p has is adopted instead — tryAttachPartitionForeignKey), and for the
 * keys that reference the parent, children for p. `check`: the rows p has are checked (ATTACH).
 */
export function* clonePartitionKeys(ex: Executor, s: Session, parent: Table, p: Table, check: boolean): Gen<void> {
  // CloneFkReferenced: keys referencing the parent get a child for the new partition (and its partitions)
  for (const { table, fk } of keysReferencing(ex, parent)) {
    if (table === p) continue;
    yield* referencedChild(ex, s, table, fk, parent, p);
  }
  // CloneFkReferencing: the parent's keys onto the partition
  const toCheck: { table: Table; fk: ForeignKey }[] = [];
  for (const fk of ownKeys(parent)) {
    const pkT = tableByOid(ex, fk.refOid)!;
    yield* ex.eng.acquireLock(s, { type: 'relation', rel: pkT.oid }, LockMode.ShareRowExclusive);
    for (const q of allPartitions(ex.eng.catalog, pkT)) yield* ex.eng.acquireLock(s, { type: 'relation', rel: q.oid }, LockMode.ShareRowExclusive);
    const existing = (p.fkeys ?? []).find((f) => sameKey(parent, fk, p, f));
    if (existing) {
      // tryAttachPartitionForeignKey: the partition's own equal key becomes the clone (its rows were checked when it was added)
      const was = { parent: existing.parent, noAction: existing.noAction };
      existing.parent = fk.oid; existing.noAction = true;
      s.tx!.undo.push(() => { existing.parent = was.parent; existing.noAction = was.noAction; });
      continue;
    }
    toCheck.push(...(yield* cloneOnto(ex, s, parent, fk, p)));
  }
  if (check) for (const c of toCheck) if (c.fk.validated) validateFkRows(ex, s, c.table, c.fk, tableByOid(ex, c.fk.refOid)!);
}

/** The rows of `t` (of its leaves when partitioned, in t's layout) visible to the latest snapshot. */
function latestRowsOf(ex: Executor, s: Session, t: Table, rowsOf: (leaf: Table) => Value[][]): Value[][] {
  return leafPartitions(ex.eng.catalog, t).flatMap((leaf) => rowsOf(leaf).map((r) => (leaf === t ? r : convertRow(leaf, t, r))));
}

/** RI_Initial_Check over a partitioned referenced table too: every key of `t` must be present in `pkT`. */
export function validateFkRows(ex: Executor, s: Session, t: Table, fk: ForeignKey, pkT: Table): void {
  const rowsOf = (x: Table) => latestRows(ex, s, x);
  const pkRows = latestRowsOf(ex, s, pkT, rowsOf);
  for (const row of latestRowsOf(ex, s, t, rowsOf)) {
    const nulls = fk.cols.filter((c) => row[c] === null).length;
    if (nulls) {
      if (fk.match === 's' || nulls === fk.cols.length) continue;
      throw matchFullViolation(t, fk);
    }
    const found = pkRows.some((pr) => fk.cols.every((c, i) => keyEqual(pr[fk.refCols[i]!], row[c])));
    if (!found) throw fkViolation(t, fk, pkT, row);
  }
}

function keyEqual(a: Value | undefined, b: Value | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  if (sameValue(a, b)) return true;
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) return BigInt(a) === BigInt(b);
  return false;
}

/**
 * DETACH PARTITION p from `parent`: for each key referencing the parent, no referencing row may hold a key p has
 * (RI_PartitionRemove_Check, with the latest snapshot), then the children made for p go; p's clones of the parent's
 * keys become keys of their own (DetachPartitionFinalize). `phase`: both, or only the check (DETACH … CONCURRENTLY's
 * first transaction: ATDetachCheckNoForeignKeyRefs) or only the rest (its last one: DetachPartitionFinalize).
 */
export function* detachPartitionKeys(ex: Executor, s: Session, parent: Table, p: Table, phase: 'both' | 'check' | 'finalize' = 'both'): Gen<void> {
  const cat = ex.eng.catalog;
  const parts = new Set([p.oid, ...allPartitions(cat, p).map((x) => x.oid)]);
  if (phase !== 'finalize') yield* detachCheckNoForeignKeyRefs(ex, s, parent, p);
  if (phase === 'check') return;
  yield* finalizeDetachedKeys(ex, s, parts);
  yield* ownDetachedKeys(ex, s, parent, p);
}

/** ATDetachCheckNoForeignKeyRefs: no row referencing the parent may hold a key partition p has. */
function* detachCheckNoForeignKeyRefs(ex: Executor, s: Session, parent: Table, p: Table): Gen<void> {
  for (const { table, fk } of keysReferencing(ex, parent)) {
    const child = (table.fkeys ?? []).find((f) => f.parent === fk.oid && f.refOid === p.oid);
    if (!child) continue;
    yield* ex.eng.acquireLock(s, { type: 'relation', rel: table.oid }, LockMode.Share); // (ShareLock: a writer of the referencing table waits; measured: partition/detach-concurrently.spec)
    const rowsOf = (x: Table) => latestRows(ex, s, x);
    const pkRows = latestRowsOf(ex, s, p, rowsOf).map((r) => convertRow(p, parent, r));
    for (const row of latestRowsOf(ex, s, table, rowsOf)) {
      const nulls = fk.cols.filter((c) => row[c] === null).length;
      if (nulls && (fk.match === 's' || nulls === fk.cols.length)) continue;
      if (pkRows.some((pr) => fk.cols.every((c, i) => keyEqual(pr[fk.refCols[i]!], row[c])))) {
        throw new PgError('23503', `removing partition "${p.name}" violates foreign key constraint "${child.name}"`, {
          detail: `Key (${fk.refCols.map((c) => parent.columns[c]!.name).join(', ')})=(${fk.cols.map((c) => formatValue(row[c]!) ?? 'null').join(', ')}) is still referenced from table "${table.name}".`,
        });
      }
    }
  }
}

/**
 * The children of referencing keys made for p and its partitions go (they are the parent's business, not p's):
 * dropping a foreign key's pg_constraint row locks its table AccessExclusive (RemoveConstraintById), so the detach
 * waits for the referencing table's readers and writers.
 */
function* finalizeDetachedKeys(ex: Executor, s: Session, parts: Set<number>): Gen<void> {
  for (const o of [...ex.eng.catalog.tables.values()]) {
    const fks = o.fkeys;
    if (!fks?.some((f) => f.noCheck && parts.has(f.refOid))) continue;
    yield* ex.eng.acquireLock(s, { type: 'relation', rel: o.oid }, LockMode.AccessExclusive);
    o.fkeys = fks.filter((f) => !(f.noCheck && parts.has(f.refOid)));
    s.tx!.undo.push(() => { o.fkeys = fks; });
  }
}

function* ownDetachedKeys(ex: Executor, s: Session, parent: Table, p: Table): Gen<void> {
  // p's clones of the parent's keys are its own now: their check triggers stay, and they get action triggers of
  // their own (on a partitioned referenced table, a child for each of its partitions)
  const parentKeys = new Set(ownKeys(parent).map((f) => f.oid));
  for (const f of [...(p.fkeys ?? [])]) {
    if (f.parent === undefined || !parentKeys.has(f.parent)) continue;
    const was = { parent: f.parent, noAction: f.noAction };
    delete f.parent; delete f.noAction;
    s.tx!.undo.push(() => { f.parent = was.parent; f.noAction = was.noAction; });
    const pkT = tableByOid(ex, f.refOid);
    if (pkT?.partKey) yield* addFkRecurseReferenced(ex, s, p, f, pkT);
  }
}
