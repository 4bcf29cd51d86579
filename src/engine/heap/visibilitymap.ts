/**
 * The visibility map: two bits per heap block, kept in the relation's "vm" fork.
 *
 *   VISIBILITYMAP_ALL_VISIBLE — every tuple on the block is visible to every transaction, now and later
 *   VISIBILITYMAP_ALL_FROZEN  — and every one is frozen: no xid on the block will ever need checking again
 *
 * VACUUM sets them (with the page's own PD_ALL_VISIBLE flag, logging Heap2/VISIBLE); any change to a block clears
 * both (heap_insert, heap_update, heap_delete, heap_lock_tuple: visibilitymap_clear). Three things read them: an
 * Index Only Scan skips the heap for a TID on an all-visible block (its "Heap Fetches" count the others), a
 * non-aggressive VACUUM may skip all-visible blocks, and an aggressive one (freezing for wraparound) skips
 * all-frozen blocks only. pg_visibility_map() shows the bits.
 *
 *     CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 10);
 *     SELECT * FROM pg_visibility_map('t');   -- (0, f, f)
 *     VACUUM t;                               -- (0, t, f): visible to all, but the xmins are not frozen
 *     VACUUM FREEZE t;                        -- (0, t, t)
 *     UPDATE t SET id = 0 WHERE id = 1;       -- (0, f, f): the block changed
 *
 * Mirrors: src/backend/access/heap/visibilitymap.c (visibilitymap_set, visibilitymap_clear,
 * visibilitymap_get_status). Simplification: the map is a Map from block to bits, not 8 kB pages of bits (its
 * size, pg_relation_size(t, 'vm'), is computed: one page for up to 32,672 heap blocks).
 */
import type { HeapRelation } from './heap.js';

export const VISIBILITYMAP_ALL_VISIBLE = 0x01;
export const VISIBILITYMAP_ALL_FROZEN = 0x02;

export function vmStatus(heap: HeapRelation, blk: number): number {
  return heap.vm.get(blk) ?? 0;
}

/** visibilitymap_set: add bits; returns whether anything changed. */
export function vmSet(heap: HeapRelation, blk: number, bits: number): boolean {
  heap.vmExists = true;
  const old = heap.vm.get(blk) ?? 0;
  if ((old | bits) === old) return false;
  heap.vm.set(blk, old | bits);
  return true;
}

/** visibilitymap_clear: the block changed, neither bit holds any more. */
export function vmClear(heap: HeapRelation, blk: number): void {
  if (heap.vm.size) heap.vm.delete(blk);
}

/** Truncate the map with the heap (RelationTruncate → visibilitymap_prepare_truncate). */
export function vmTruncate(heap: HeapRelation, nblocks: number): void {
  for (const b of [...heap.vm.keys()]) if (b >= nblocks) heap.vm.delete(b);
  if (nblocks === 0) heap.vmExists = false;
}

/** Pages in the vm fork: a header and 2 bits per heap block (MAPSIZE = 8168 bytes → 32,672 blocks a page). */
export function vmPages(heap: HeapRelation): number {
  return heap.vmExists ? Math.max(1, Math.ceil(heap.pages.length / 32672)) : 0;
}
