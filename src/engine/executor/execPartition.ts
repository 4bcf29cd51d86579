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
 * Simplifications: the partition descriptor is recomputed from the catalog when asked (no relcache); detached
 * partitions pending a concurrent detach are not modelled.
 */
import type { Catalog, Table } from '../catalog/catalog.js';
import type { Value } from '../sql/types.js';
import { prunePartitions } from '../partitioning/partprune.js';
import { boundOrder, partitionForKey, noPartitionError, boundAccepts, type BoundOf } from '../partitioning/partbounds.js';

/** RelationGetPartitionDesc: a partitioned table's partitions, in bound order. */
export function partitionsOf(cat: Catalog, t: Table): Table[] {
  const out: Table[] = [];
  for (const c of cat.tables.values()) if (c.partOf?.parent === t.oid) out.push(c);
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
export function allPartitions(cat: Catalog, t: Table): Table[] {
  const out: Table[] = [];
  const queue = [t];
  while (queue.length) {
    const p = queue.shift()!;
    if (!p.partKey) continue;
    for (const c of partitionsOf(cat, p)) { out.push(c); queue.push(c); }
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
