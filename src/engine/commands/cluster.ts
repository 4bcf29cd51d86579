/**
 * CLUSTER t [USING index]: rewrite a table into a new file with its rows in an index's order, as VACUUM FULL does in
 * physical order (vacuum/vacuumfull.ts does both); the index is remembered (pg_index.indisclustered) for the next
 * CLUSTER t without USING.
 *
 * The ownership check comes before the lock (RangeVarCallbackOwnsTable runs inside RangeVarGetRelidExtended): a role
 * that does not own the table fails at once, even while another session's lock would have kept it waiting; the owner
 * waits for AccessExclusiveLock.
 *
 *     s1: BEGIN; LOCK t IN SHARE UPDATE EXCLUSIVE MODE;
 *     s2: SET ROLE owner_of_t; CLUSTER t USING t_a_idx;    -- waits for s1
 *     s2: SET ROLE someone_else; CLUSTER t USING t_a_idx;  -- ERROR: must be owner of table t (no wait)
 *
 * Mirrors: src/backend/commands/cluster.c (cluster, cluster_rel, check_index_is_clusterable, mark_index_clustered).
 * A partitioned table is clustered leaf by leaf (clusterPartitioned), each leaf in a transaction of its own.
 * Simplifications: CLUSTER without a table (every clustered table, one transaction each) and VERBOSE are refused;
 * a partitioned table's leaves share the statement's transaction (only their locks are let go between them); the
 * copy is sorted by the index's key, ties by TID (PostgreSQL's sort leaves ties unordered).
 */
import { PgError, notSupported, posOf } from '../errors.js';
import type { Executor } from '../executor/executor.js';
import type { Session, QueryResult } from '../session/session.js';
import { LockMode } from '../lock/lock.js';
import type { N, Gen } from '../executor/util.js';
import { ownerCheck, mustBeOwner } from '../catalog/acl.js';
import { currentRole } from './user.js';
import { vacuumFull } from '../vacuum/vacuumfull.js';
import { releaseRelationLocks } from './vacuum.js';
import { partitionsOf } from '../executor/execPartition.js';
import type { Table } from '../catalog/catalog.js';
import type { BtreeIndex } from '../index/btree.js';

export function* clusterStmt(ex: Executor, s: Session, n: N): Gen<QueryResult> {
  if (!n.relation) throw notSupported('CLUSTER without a table (every previously clustered table)');
  if (((n.params ?? []) as N[]).some((p) => p.DefElem.defname === 'verbose')) throw notSupported('CLUSTER (VERBOSE)');
  for (const p of (n.params ?? []) as N[]) {
    if (p.DefElem.defname !== 'verbose') throw new PgError('42601', `unrecognized CLUSTER option "${String(p.DefElem.defname)}"`, { position: posOf(p.DefElem.location) });
  }
  ex.checkReadOnly(s, 'CLUSTER');
  const rv = n.relation as N;
  const t = ex.table(rv);
  if (!ownerCheck(t, currentRole(ex.eng, s))) throw mustBeOwner('table', t.name); // before the lock
  yield* ex.eng.acquireLock(s, { type: 'relation', rel: t.oid }, LockMode.AccessExclusive);
  let index;
  if (n.indexname === undefined || n.indexname === null) {
    index = t.indexes.find((i) => i.oid === t.clusteredOn);
    if (!index) throw new PgError('42704', `there is no previously clustered index for table "${rv.relname}"`);
  } else {
    const name = String(n.indexname);
    index = t.indexes.find((i) => i.name === name);
    if (!index) {
      const cat = ex.eng.catalog;
      if (cat.indexByName(name) || cat.get(name)) throw new PgError('42809', `"${name}" is not an index for table "${t.name}"`);
      throw new PgError('42704', `index "${name}" for table "${rv.relname}" does not exist`);
    }
  }
  // check_index_is_clusterable: the access method must be able to return tuples in order (amclusterable)
  if (index.am !== 'btree') throw new PgError('0A000', `cannot cluster on index "${index.name}" because access method does not support clustering`);
  if (index.def?.pred) throw new PgError('0A000', `cannot cluster on partial index "${index.name}"`);
  if (t.partKey) return yield* clusterPartitioned(ex, s, t, index);
  // mark_index_clustered, then rebuild_relation: the copy in the index's order
  const before = t.clusteredOn;
  if (before !== index.oid) {
    t.clusteredOn = index.oid;
    ex.eng.ensureXid(s);
    s.tx!.undo.push(() => { if (before === undefined) delete t.clusteredOn; else t.clusteredOn = before; });
  }
  yield* vacuumFull(ex, s, t, false, index);
  return { command: 'CLUSTER', columns: null, rows: [] };
}

/**
 * CLUSTER of a partitioned table (cluster()'s multi-table path): not in a transaction block; the parent's lock is
 * let go once the leaves are listed (get_tables_to_cluster_partitioned: each leaf partition of the index, silently
 * skipping those the role does not own), then each leaf is clustered on its partition of the index in a transaction
 * of its own (cluster_multiple_rels) — its AccessExclusiveLock held only meanwhile.
 */
function* clusterPartitioned(ex: Executor, s: Session, t: Table, index: BtreeIndex): Gen<QueryResult> {
  if (s.block !== 'none') throw new PgError('25001', 'CLUSTER cannot run inside a transaction block');
  const cat = ex.eng.catalog;
  const role = currentRole(ex.eng, s);
  const leaves: { leaf: Table; index: BtreeIndex }[] = [];
  const walk = (parent: Table, pi: BtreeIndex) => {
    for (const p of partitionsOf(cat, parent)) {
      const ci = p.indexes.find((i) => i.parentIndex === pi.oid);
      if (!ci) continue;
      if (p.partKey) walk(p, ci);
      else if (ownerCheck(p, role)) leaves.push({ leaf: p, index: ci });
    }
  };
  walk(t, index);
  ex.eng.releaseLock(s, { type: 'relation', rel: t.oid }, LockMode.AccessExclusive);
  for (const { leaf, index: li } of leaves) {
    if (!cat.byOid(leaf.oid)) continue;
    yield* ex.eng.acquireLock(s, { type: 'relation', rel: leaf.oid }, LockMode.AccessExclusive);
    if (!ownerCheck(leaf, currentRole(ex.eng, s))) { releaseRelationLocks(ex, s); continue; } // cluster_rel's recheck
    if (leaf.clusteredOn !== li.oid) {
      const before = leaf.clusteredOn;
      leaf.clusteredOn = li.oid;
      ex.eng.ensureXid(s);
      s.tx!.undo.push(() => { if (before === undefined) delete leaf.clusteredOn; else leaf.clusteredOn = before; });
    }
    yield* vacuumFull(ex, s, leaf, false, li);
    releaseRelationLocks(ex, s);
  }
  return { command: 'CLUSTER', columns: null, rows: [] };
}
