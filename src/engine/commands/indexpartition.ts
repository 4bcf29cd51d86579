/**
 * Indexes of partitioned tables. A partitioned table has no rows, so its index (a partitioned index, relkind 'I')
 * has no storage either: CREATE INDEX on it makes the partitioned index and then, partition by partition, either
 * attaches an equivalent index the partition already has (same key columns, same uniqueness, not yet attached) or
 * builds a new one named after the partition — recursing into sub-partitioned partitions. Each partition's index
 * remembers its parent index (pg_inherits).
 *
 *     CREATE INDEX ON foo (a);            -- foo_a_idx ('I'), foo1_a_idx and foo2_a_idx built under ShareLock
 *     DROP INDEX foo1_a_idx;              -- 2BP01: index foo_a_idx requires it
 *     DROP INDEX foo_a_idx;               -- AccessExclusiveLock on foo and foo_a_idx, then on every partition
 *                                         -- of foo (find_all_inheritors) before their indexes go
 *
 * Mirrors: src/backend/commands/indexcmds.c (DefineIndex's partitioned part, CompareIndexInfo) and tablecmds.c
 * (RemoveRelations: a partitioned index's table's partitions are locked before their indexes).
 * Simplifications: expression and partial indexes, and INCLUDE columns, of a partitioned table refuse 0A000;
 * CREATE INDEX ON ONLY is refused too.
 */
import type { Executor } from '../executor/executor.js';
import type { Session, QueryResult } from '../session/session.js';
import type { Table } from '../catalog/catalog.js';
import { indexOptions } from './indexcmds.js';
import { BtreeIndex } from '../index/btree.js';
import { PgError, notSupported } from '../errors.js';
import { LockMode } from '../lock/lock.js';
import { allPartitions, partitionsOf } from '../executor/execPartition.js';
import type { N, Gen } from '../executor/util.js';
import { indexClassRow } from '../catalog/sysviews.js';

/** DefineIndex on a partitioned table `t`; `create` builds the index of one leaf partition (CREATE INDEX on it). */
export function* definePartitionedIndex(ex: Executor, s: Session, t: Table, n: N, name: string,
  create: (s: Session, n: N) => Gen<QueryResult>): Gen<BtreeIndex> {
  const cat = ex.eng.catalog;
  if (n.relation.inh === false) throw notSupported('CREATE INDEX ON ONLY a partitioned table');
  if (n.whereClause || (n.indexIncludingParams ?? []).length) throw notSupported('partial indexes or INCLUDE columns on a partitioned table');
  const cols = ((n.indexParams ?? []) as N[]).map((p) => {
    const e = p.IndexElem;
    if (!e.name) throw notSupported('expression indexes on a partitioned table');
    if (!t.columns.some((c) => !c.dropped && c.name === e.name)) throw new PgError('42703', `column "${e.name}" does not exist`);
    return e.name as string;
  });
  if (n.unique) {
    const missing = t.partKey!.names.find((k) => !cols.includes(k));
    if (missing) {
      throw new PgError('0A000', 'unique constraint on partitioned table must include all partitioning columns', {
        detail: `UNIQUE constraint on table "${t.name}" lacks column "${missing}" which is part of the partition key.`,
      });
    }
  }
  yield* ex.eng.acquireLock(s, { type: 'relation', rel: t.oid }, LockMode.Share, null, `waiting for ShareLock on ${t.name} to build an index`);
  ex.eng.ensureXid(s);
  const index = new BtreeIndex(cat.allocOid(), name, cols.map((c) => t.columns.findIndex((x) => !x.dropped && x.name === c)), !!n.unique, false);
  const options = indexOptions(n);
  if (options.some((o) => o)) index.indoption = options;
  t.indexes.push(index);
  cat.standaloneIndexes.add(name);
  s.tx!.undo.push(() => { t.indexes.splice(t.indexes.indexOf(index), 1); cat.standaloneIndexes.delete(name); });
  for (const p of partitionsOf(cat, t)) {
    yield* ex.eng.acquireLock(s, { type: 'relation', rel: p.oid }, LockMode.Share);
    const match = p.indexes.find((i) => i.parentIndex === undefined && !i.def && !i.include.length && i.unique === index.unique &&
      i.columns.length === cols.length && i.columns.every((c, k) => p.columns[c]!.name === cols[k]));
    if (match) {
      match.parentIndex = index.oid;
      s.tx!.undo.push(() => { delete match.parentIndex; });
      continue;
    }
    const before = p.indexes.length;
    yield* create(s, { ...n, idxname: undefined, relation: { ...n.relation, relname: p.name, schemaname: undefined } });
    const made = p.indexes[before]!;
    made.parentIndex = index.oid;
  }
  return index;
}

/** The index leaves its table's list; its pg_class row stays visible to others until the transaction ends. */
export function dropIndexEntry(ex: Executor, s: Session, t: Table, i: BtreeIndex) {
  const cat = ex.eng.catalog;
  const pending = { row: indexClassRow(t, i), session: s.name, xid: ex.eng.ensureTopXid(s) };
  cat.droppedPending = cat.droppedPending.filter((d) => ex.eng.xacts.isInProgress(d.xid));
  cat.droppedPending.push(pending);
  t.indexes.splice(t.indexes.indexOf(i), 1);
  s.tx!.undo.push(() => { t.indexes.push(i); cat.droppedPending = cat.droppedPending.filter((d) => d !== pending); });
}

/**
 * DROP INDEX of an index that is a partition of another (2BP01), and of a partitioned index: AccessExclusiveLock on
 * its table and on it, then on every partition of the table, then on the partitions' indexes as they go.
 * Returns false when `index` is an ordinary index (the caller drops it).
 */
export function* dropPartitionedIndex(ex: Executor, s: Session, t: Table, index: BtreeIndex): Gen<boolean> {
  const cat = ex.eng.catalog;
  if (index.parentIndex !== undefined) {
    const parent = cat.byOid(index.parentIndex);
    throw new PgError('2BP01', `cannot drop index ${index.name} because index ${parent?.name} requires it`, { hint: `You can drop index ${parent?.name} instead.` });
  }
  if (!t.partKey) return false;
  yield* ex.eng.acquireLock(s, { type: 'relation', rel: t.oid }, LockMode.AccessExclusive);
  yield* ex.eng.acquireLock(s, { type: 'relation', rel: index.oid }, LockMode.AccessExclusive);
  const parts = allPartitions(cat, t);
  for (const p of parts) yield* ex.eng.acquireLock(s, { type: 'relation', rel: p.oid }, LockMode.AccessExclusive);
  ex.eng.ensureXid(s);
  const drop = (rel: Table, i: BtreeIndex) => dropIndexEntry(ex, s, rel, i);
  const dropTree = function* (rel: Table, i: BtreeIndex): Gen<void> {
    for (const p of partitionsOf(cat, rel)) {
      for (const ci of p.indexes.filter((x) => x.parentIndex === i.oid)) {
        yield* ex.eng.acquireLock(s, { type: 'relation', rel: ci.oid }, LockMode.AccessExclusive);
        yield* dropTree(p, ci);
      }
    }
    drop(rel, i);
  };
  yield* dropTree(t, index);
  s.tx!.cidUsed = true;
  return true;
}
