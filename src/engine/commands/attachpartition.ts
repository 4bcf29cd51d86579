/**
 * ALTER TABLE parent ATTACH PARTITION t FOR VALUES …: making an existing table a partition.
 *
 * ATTACH takes only ShareUpdateExclusiveLock on the parent — readers and writers of the parent go on — but
 * AccessExclusiveLock on the table attached (and on its partitions, and on the parent's DEFAULT partition). The table
 * must have exactly the parent's columns (by name, of the same types; NOT NULL where the parent has it); its bound
 * must not overlap a sibling's (42P17). Then every row of it is checked against the new partition constraint (a
 * validation scan: 23514 "partition constraint of relation … is violated by some row"), and the rows of the DEFAULT
 * partition against the bound it loses (23514 "updated partition constraint for default partition … would be
 * violated by some row"). Each index of the parent needs one on the partition: an equivalent index the table has is
 * attached, otherwise one is built.
 *
 *     CREATE TABLE foo (a int PRIMARY KEY, b text) PARTITION BY LIST (a);
 *     CREATE TABLE foo1 (b text, a int PRIMARY KEY);          -- columns in another order: rows are converted
 *     ALTER TABLE foo ATTACH PARTITION foo1 FOR VALUES IN (1); -- foo1_pkey becomes a partition of foo_pkey
 *
 * Mirrors: src/backend/commands/tablecmds.c (ATExecAttachPartition, MergeAttributesIntoExisting,
 * QueuePartitionConstraintValidation, AttachPartitionEnsureIndexes).
 * Simplifications: the validation scan always runs (PartConstraintImpliedByRelConstraint's proof from the table's
 * own CHECK constraints is not modelled); a parent with CHECK constraints, or a table referenced by a foreign key,
 * refuses with 0A000 (foreign keys of the parent and of the table: commands/fkpartition.ts). DETACH PARTITION, plain
 * and CONCURRENTLY: commands/detachpartition.ts.
 */
import type { Executor } from '../executor/executor.js';
import type { Session } from '../session/session.js';
import type { Table } from '../catalog/catalog.js';
import { BtreeIndex } from '../index/btree.js';
import { PgError, notSupported, posOf } from '../errors.js';
import { LockMode } from '../lock/lock.js';
import { boundAccepts, checkNewBound, type PartitionBound } from '../partitioning/partbounds.js';
import { allPartitions, boundsOf, leafPartitions, partitionsOf, convertRow, parentOf, partitionCheck } from '../executor/execPartition.js';
import { evalBound } from './partitioncmds.js';
import { clonePartitionKeys } from './fkpartition.js';
import { saveTableDef, buildIndex, refreshIndexColumns } from './relfile.js';
import type { N, Gen } from '../executor/util.js';
import { grantLock } from '../lock/proc.js';

const same = (a: { name: string; typmod: number }, b: { name: string; typmod: number }) => a.name === b.name && a.typmod === b.typmod;

/** MergeAttributesIntoExisting for a partition: the same columns as the parent, by name and type. */
function checkColumns(parent: Table, t: Table) {
  for (const c of t.columns) {
    if (c.dropped) continue;
    const p = parent.columns.find((x) => !x.dropped && x.name === c.name);
    if (!p) {
      throw new PgError('42804', `table "${t.name}" contains column "${c.name}" not found in parent "${parent.name}"`, {
        detail: 'The new partition may contain only the columns present in parent.',
      });
    }
    if (!same(p.type, c.type)) throw new PgError('42804', `child table "${t.name}" has different type for column "${c.name}"`);
  }
  for (const p of parent.columns) {
    if (p.dropped) continue;
    const c = t.columns.find((x) => !x.dropped && x.name === p.name);
    if (!c) throw new PgError('42804', `child table is missing column "${p.name}"`);
    if (p.notNull && !c.notNull) throw new PgError('42804', `column "${p.name}" in child table must be marked NOT NULL`);
    if (!!p.generated !== !!c.generated) throw notSupported('ATTACH PARTITION of a table whose generated columns differ from the parent\'s');
  }
}

/**
 * ATExecAttachPartition. The parent is locked ShareUpdateExclusive by the caller (AlterTableGetLockLevel).
 */
export function* attachPartition(ex: Executor, s: Session, parent: Table, cmd: N): Gen<void> {
  const cat = ex.eng.catalog;
  if (!parent.partKey) throw new PgError('42809', `table "${parent.name}" is not partitioned`);
  // (the parent's indexes, which get a partition each, ShareUpdateExclusiveLock too)
  for (const i of parent.indexes) yield* ex.eng.acquireLock(s, { type: 'relation', rel: i.oid }, LockMode.ShareUpdateExclusive);
  const t = ex.table(cmd.name);
  yield* ex.lockRelation(s, t, LockMode.AccessExclusive, false);
  // the DEFAULT partition is locked before anything is checked: its rows are validated below
  const dflt = partitionsOf(cat, parent).find((p) => p.partOf!.bound.kind === 'default');
  if (dflt) yield* ex.lockRelation(s, dflt, LockMode.AccessExclusive, false);
  for (const p of allPartitions(cat, t)) yield* ex.lockRelation(s, p, LockMode.AccessExclusive, false);
  if (t.partOf) throw new PgError('55000', `"${t.name}" is already a partition`);
  // table inheritance and partitioning do not mix (catalog/pg_inherits.ts)
  if (cat.inherits.some((r) => r.rel === t.oid)) throw new PgError('42809', 'cannot attach inheritance child as partition');
  if (cat.inherits.some((r) => r.parent === t.oid)) throw new PgError('42809', 'cannot attach inheritance parent as partition');
  for (let a: Table | undefined = parent; a; a = parentOf(cat, a)) {
    if (a === t) throw new PgError('42P07', 'circular inheritance not allowed', { detail: `"${t.name}" is already a child of "${parent.name}".` });
  }
  if (t.temp && !parent.temp) throw new PgError('42809', `cannot attach a temporary relation as partition of permanent relation "${parent.name}"`);
  if (!t.temp && parent.temp) throw new PgError('42809', `cannot attach a permanent relation as partition of temporary relation "${parent.name}"`);
  // a table referenced by a foreign key of its own may not become a partition: its key would be the parent's business
  const refd = [...cat.tables.values()].flatMap((o) => (o.fkeys ?? []).filter((f) => f.refOid === t.oid && f.parent === undefined).map((f) => ({ o, f })));
  if (refd.length) throw notSupported('ATTACH PARTITION of a table referenced by a foreign key');
  if (t.triggers?.length) throw notSupported('ATTACH PARTITION of a table with triggers');
  checkColumns(parent, t);
  if (parent.checks.length) throw notSupported('ATTACH PARTITION to a parent with CHECK constraints');
  const bound = evalBound(ex, s, cmd.bound, parent);
  checkNewBound(t.name, bound, boundsOf(cat, parent), posOf(cmd.bound.location));
  ex.eng.ensureXid(s);
  s.tx!.undo.push(saveTableDef(ex, t));
  s.tx!.undo.push(saveTableDef(ex, parent));
  // others' partition descriptors include it once this transaction commits (catalog/catalogsnapshot.ts)
  const xid = ex.eng.ensureTopXid(s);
  t.partOf = { parent: parent.oid, bound, xmin: xid };
  ex.eng.catalog.pendingXids.set(xid, s.name);
  s.tx!.undo.push(() => { delete t.partOf; });
  ensureIndexes(ex, s, parent, t);
  // the parent's foreign keys onto the table, its rows checked (commands/fkpartition.ts)
  yield* clonePartitionKeys(ex, s, parent, t, true);
  // phase 3 (ATRewriteTables): the table's rows against its partition constraint, then the DEFAULT's against the rest
  const snapshot = ex.eng.latestSnapshot(s);
  for (const leaf of leafPartitions(cat, t)) {
    const rows = ex.scan(s, leaf, snapshot, null, undefined, ex.tableScope(leaf, null, s, () => snapshot, ''));
    if (rows.some((r) => !partitionCheck(cat, leaf, r.vals, parent))) throw new PgError('23514', `partition constraint of relation "${leaf.name}" is violated by some row`);
  }
  if (dflt && bound.kind !== 'default') {
    // QueuePartitionConstraintValidation: a partitioned DEFAULT's partitions are locked AccessExclusive, then scanned
    for (const p of allPartitions(cat, dflt)) yield* ex.lockRelation(s, p, LockMode.AccessExclusive, false);
    validateDefault(ex, s, parent, dflt, bound);
  }
  cat.generation++;
}

/**
 * check_default_partition_contents: no row of the DEFAULT partition (of any of its leaves, when it is partitioned
 * itself) may belong to the new bound.
 */
export function validateDefault(ex: Executor, s: Session, parent: Table, dflt: Table, bound: PartitionBound) {
  const snapshot = ex.eng.latestSnapshot(s);
  const key = parent.partKey!;
  for (const leaf of leafPartitions(ex.eng.catalog, dflt)) {
    const rows = ex.scan(s, leaf, snapshot, null, undefined, ex.tableScope(leaf, null, s, () => snapshot, ''));
    const keyOf = (vals: unknown[]) => {
      const pv = convertRow(leaf, parent, vals as never);
      return key.cols.map((c) => pv[c] ?? null);
    };
    if (rows.some((r) => boundAccepts(bound, keyOf(r.vals)))) {
      throw new PgError('23514', `updated partition constraint for default partition "${leaf.name}" would be violated by some row`);
    }
  }
}

/**
 * AttachPartitionEnsureIndexes: each index of the parent gets its partition on the new partition — an index of the
 * table with the same key columns (and uniqueness) not yet attached elsewhere, or a new one built now.
 */
function ensureIndexes(ex: Executor, s: Session, parent: Table, t: Table): void {
  const cat = ex.eng.catalog;
  for (const pi of parent.indexes) {
    if (pi.def) throw notSupported('ATTACH PARTITION to a parent with expression or partial indexes');
    const cols = pi.columns.map((c) => parent.columns[c]!.name);
    const incl = pi.include.map((c) => parent.columns[c]!.name);
    const match = t.indexes.find((i) => !i.def && i.unique === pi.unique && i.primary === pi.primary && i.parentIndex === undefined &&
      i.columns.length === cols.length && i.columns.every((c, k) => t.columns[c]!.name === cols[k]) &&
      i.include.length === incl.length && i.include.every((c, k) => t.columns[c]!.name === incl[k]));
    if (match) {
      match.parentIndex = pi.oid;
      s.tx!.undo.push(() => { delete match.parentIndex; });
      continue;
    }
    if (pi.primary && t.indexes.some((i) => i.primary)) throw new PgError('42P16', `multiple primary keys for table "${t.name}" are not allowed`);
    const colIdx = cols.map((n) => t.columns.findIndex((c) => !c.dropped && c.name === n));
    const inclIdx = incl.map((n) => t.columns.findIndex((c) => !c.dropped && c.name === n));
    if (pi.primary) for (const i of colIdx) t.columns[i]!.notNull = true;
    const base = pi.primary ? `${t.name}_pkey` : `${t.name}_${cols.join('_')}_${pi.unique ? 'key' : 'idx'}`;
    let name = base;
    for (let k = 1; cat.relationExists(name, t.temp?.session); k++) name = `${base}${k}`;
    const idx = new BtreeIndex(cat.allocOid(), name, colIdx, pi.unique, pi.primary, inclIdx);
    if (pi.unique) cat.allocOid(); // its pg_constraint row
    idx.parentIndex = pi.oid;
    idx.indoption = pi.indoption;
    t.indexes.push(idx);
    refreshIndexColumns(t);
    grantLock(ex.eng, s, { type: 'relation', rel: idx.oid }, LockMode.AccessExclusive);
    buildIndex(ex, s, t, idx);
  }
}
