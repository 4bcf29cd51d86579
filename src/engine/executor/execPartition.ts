/**
 * Tuple routing: a row written through a partitioned table goes to the one leaf partition whose bound accepts its
 * partition key, descending through sub-partitioned partitions (ExecFindPartition). The leaf's columns may sit at
 * other positions than the parent's (a table made elsewhere and ATTACHed): the row is converted by column name
 * (the tuple conversion map of execute_attr_map_slot).
 *
 *     CREATE TABLE foo (a int, b text) PARTITION BY LIST (a);
 *     CREATE TABLE foo1 PARTITION OF foo FOR VALUES IN (1);
 *     INSERT INTO foo VALUES (1, 'x');   -- routed: the tuple is written in foo1's heap, foo has none
 *     UPDATE foo SET a = 2;              -- 23514: no partition accepts a = 2; with a foo2 the row moves
 *
 * Mirrors: src/backend/executor/execPartition.c (ExecFindPartition, the PartitionDispatch of each level),
 * partitioning/partdesc.c (RelationGetPartitionDesc: the children in bound order), access/common/tupconvert.c.
 * A partition pending a concurrent detach (DETACH PARTITION … CONCURRENTLY's first transaction committed, the
 * second not: inhdetachpending) is left out of the descriptor once the xid that marked it is no longer in progress
 * to the active snapshot (find_inheritance_children_extended's omit_detached): a READ COMMITTED statement after that
 * commit no longer sees the partition, a REPEATABLE READ transaction whose snapshot is older still does, and a
 * foreign key's check (which reads with the latest snapshot) never does. With no active snapshot (no statement of a
 * session running) it is kept.
 * Simplifications: the partition descriptor is recomputed from the catalog when asked (no relcache, so no cached
 * descriptor outlives a statement).
 */
import type { Catalog, Table } from '../catalog/catalog.js';
import type { Executor } from './executor.js';
import type { Session } from '../session/session.js';
import { LockMode } from '../lock/lock.js';
import type { Gen } from './util.js';
import type { Value } from '../sql/types.js';
import { prunePartitions } from '../partitioning/partprune.js';
import { boundOrder, partitionForKey, noPartitionError, boundAccepts, type BoundOf } from '../partitioning/partbounds.js';
import { xidInSnapshot } from '../snapshot/snapshot.js';
import { catalogSees } from '../catalog/catalogsnapshot.js';

/**
 * Is partition `c` (pending detach) left out for the running session? Only once the marking transaction committed
 * (another session's uncommitted mark is not seen by the catalog snapshot), and when its xid is not in progress to
 * the active snapshot (XidInMVCCSnapshot).
 */
export function omittedAsDetached(cat: Catalog, c: Table): boolean {
  // an ATTACH not yet committed: another session's catalog snapshot does not see the partition yet
  if (c.partOf?.xmin !== undefined && !catalogSees(cat, c.partOf.xmin)) return true;
  const x = c.partOf?.detachPending;
  if (x === undefined) return false;
  const owner = cat.pendingXids.get(x);
  if (owner !== undefined) return owner === cat.current; // (the detaching transaction itself: it commits at once)
  const snap = cat.activeSnapshot?.();
  return !!snap && !xidInSnapshot(x, snap);
}

/**
 * RelationGetPartitionDesc(rel, omit_detached = true): a partitioned table's partitions, in bound order — without a
 * partition pending detach that the active snapshot no longer sees (`includeDetached`: every partition, as a detach
 * itself or the dependency-driven DROP of the parent reads them).
 */
export function partitionsOf(cat: Catalog, t: Table, includeDetached = false): Table[] {
  const out: Table[] = [];
  for (const c of cat.tables.values()) if (c.partOf?.parent === t.oid && (includeDetached || !omittedAsDetached(cat, c))) out.push(c);
  return out.sort((a, b) => boundOrder(a.partOf!.bound, b.partOf!.bound));
}

/** The partitions as the bound routines see them. */
export function boundsOf(cat: Catalog, t: Table): BoundOf<Table>[] {
  return partitionsOf(cat, t).map((p) => ({ rel: p, name: p.name, bound: p.partOf!.bound }));
}

/** Every leaf under a partitioned table, in Append order (depth first, each level in bound order). */
export function leafPartitions(cat: Catalog, t: Table): Table[] {
  if (!t.partKey) return [t];
  return partitionsOf(cat, t).flatMap((p) => leafPartitions(cat, p));
}

/** Every partition under t, partitioned ones included (find_all_inheritors' order: each level before the next). */
export function allPartitions(cat: Catalog, t: Table, includeDetached = false): Table[] {
  const out: Table[] = [];
  const queue = [t];
  while (queue.length) {
    const p = queue.shift()!;
    if (!p.partKey) continue;
    for (const c of partitionsOf(cat, p, includeDetached)) { out.push(c); queue.push(c); }
  }
  return out;
}

/** The parent of a partition. */
export function parentOf(cat: Catalog, t: Table): Table | undefined {
  if (!t.partOf) return undefined;
  for (const c of cat.tables.values()) if (c.oid === t.partOf.parent) return c;
  return undefined;
}

/** A row of `from`'s layout in `to`'s (columns matched by name; a column `to` has and `from` lacks is NULL). */
export function convertRow(from: Table, to: Table, vals: Value[]): Value[] {
  if (from === to || sameLayout(from, to)) return vals;
  return to.columns.map((c) => {
    if (c.dropped) return null;
    const i = from.columns.findIndex((f) => !f.dropped && f.name === c.name);
    return i < 0 ? null : vals[i] ?? null;
  });
}

/** Do both tables keep their columns at the same positions (no conversion needed)? */
export function sameLayout(a: Table, b: Table): boolean {
  if (a.columns.length !== b.columns.length) return false;
  return a.columns.every((c, i) => { const o = b.columns[i]!; return !!c.dropped === !!o.dropped && (c.dropped || c.name === o.name); });
}

/**
 * ExecFindPartition: the leaf for a row of `root`'s layout, and the row in the leaf's layout; 23514 "no partition of
 * relation … found for row" when a level has no partition (and no DEFAULT) accepting the key.
 */
export function routeTuple(cat: Catalog, root: Table, vals: Value[]): { leaf: Table; vals: Value[] } {
  let rel = root, row = vals;
  while (rel.partKey) {
    const key = rel.partKey;
    const kv = key.cols.map((c) => row[c] ?? null);
    const hit = partitionForKey(boundsOf(cat, rel), kv);
    if (!hit) throw noPartitionError(rel.name, key, kv);
    row = convertRow(rel, hit.rel, row);
    rel = hit.rel;
  }
  return { leaf: rel, vals: row };
}

/**
 * ExecPartitionCheck: does the row (in `leaf`'s layout) still satisfy the partition constraint — the bound of `leaf`
 * and of each ancestor up to (not including) `upto`?
 */
export function partitionCheck(cat: Catalog, leaf: Table, vals: Value[], upto?: Table): boolean {
  let rel = leaf, row = vals;
  while (rel.partOf && rel !== upto) {
    const parent = parentOf(cat, rel);
    if (!parent) return true;
    const pr = convertRow(rel, parent, row);
    const kv = parent.partKey!.cols.map((c) => pr[c] ?? null);
    const b = rel.partOf.bound;
    if (b.kind === 'default') {
      // the DEFAULT partition takes what no sibling accepts
      if (partitionsOf(cat, parent).some((p) => p !== rel && boundAccepts(p.partOf!.bound, kv))) return false;
    } else if (!boundAccepts(b, kv)) return false;
    rel = parent; row = pr;
    if (rel === upto) break;
  }
  return true;
}

/**
 * ExecPartitionCheck's first use of a partition's constraint in this backend: RelationGetPartitionQual builds it
 * (generate_partition_qual), opening the parent with AccessShareLock — and, for a sub-partition, building the parent's
 * qual the same way unless the relcache has it —
 * held to the end of the transaction. The relcache keeps the qual, so a later check of the same partition in this
 * session locks nothing: pg_locks shows the parent's AccessShareLock after the first UPDATE of a partition's row
 * (or INSERT straight into it, or a row routed to a DEFAULT partition), not after the next.
 * Simplified: the relcache entry is never invalidated (PostgreSQL rebuilds it after DDL on the partition).
 */
export function* buildPartitionQual(ex: Executor, s: Session, rel: Table): Gen<void> {
  if (!rel.partOf || s.partQuals.has(rel)) return;
  const parent = parentOf(ex.eng.catalog, rel);
  if (!parent) return;
  yield* ex.lockRelation(s, parent, LockMode.AccessShare, false);
  // a sub-partition's qual includes its parent's (built and kept the same way)
  yield* buildPartitionQual(ex, s, parent);
  s.partQuals.add(rel);
}

/** The root of a partition tree (the table itself when it is no partition). */
export function partitionRoot(cat: Catalog, t: Table): Table {
  let r = t;
  for (let p = parentOf(cat, r); p; p = parentOf(cat, r)) r = p;
  return r;
}

/** The leaves a scan of `t` with this WHERE reads, after plan-time pruning at each level (partitioning/partprune.ts). */
export function scanLeaves(cat: Catalog, t: Table, where: Record<string, unknown> | undefined): Table[] {
  if (!t.partKey) return [t];
  return prunePartitions(boundsOf(cat, t), t.partKey, where).flatMap((p) => scanLeaves(cat, p, where));
}
