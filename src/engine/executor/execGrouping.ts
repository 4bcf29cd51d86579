/**
 * The hash table behind HashAggregate and a hashed DISTINCT (PostgreSQL's executor/execGrouping.c TupleHashTable
 * over lib/simplehash.h), reproduced for the order it returns its groups in — the order a learner sees from
 * `SELECT v, count(*) FROM t GROUP BY v` without ORDER BY.
 *
 * A group's hash: for each grouping column the running hash is rotated left one bit, then XORed with the column's
 * hash-opclass function (hashint4 / hashint8 / hashtext, adt/hashfunc.ts; a NULL adds nothing), and the result
 * goes through murmurhash32's finalizer. The table has a power-of-two number of slots: the planner's estimate of
 * the groups over the fill factor 0.9, rounded up (200 groups -> 256 slots). A group goes in slot
 * `hash & (slots - 1)`, else the next free one (linear probing) — robin hood style: an entry further from its own
 * slot takes the place of one nearer to its own, which moves on. Past 90 % full the table doubles, moving the
 * entries over in slot order from the first one that did not wrap around. The check runs at the start of every
 * insert call, before the key is looked up: a row whose group is already there grows a full table too (7
 * groups expected: 8 slots; the 7th group in, the next duplicate row doubles it to 16).
 *
 * The groups come out by walking the slots backwards, starting at the first free slot:
 *
 *     slots 256, groups in slots 3, 17, 200   ->   free slot 0 first: 0, 255, 254, ... -> 200, 17, 3
 *
 * Simplifications: the slot count follows the estimate the simulator makes (optimizer/clausesel.ts
 * estimateNumGroups); where it cannot make PostgreSQL's estimate, or a key type has no hash function here, the
 * groups keep their first-seen order (nodeAgg.ts says so).
 */
import type { Value } from '../sql/types.js';

const FILLFACTOR = 0.9;

/** murmurhash32's finalizer (common/hashfn.h). */
function murmur32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** TupleHashTableHash_internal: the grouping columns' hashes combined. */
export function groupHash(vals: Value[], fns: ((v: Value) => number)[]): number {
  let h = 0;
  for (let i = 0; i < fns.length; i++) {
    h = ((h << 1) | (h >>> 31)) >>> 0;
    const v = vals[i]!;
    if (v !== null) h = (h ^ fns[i]!(v)) >>> 0;
  }
  return murmur32(h);
}

/** SH_CREATE's size for an expected number of elements: nelements / 0.9, at least 2, to a power of two. */
export function tableSize(nelements: number): number {
  const want = Math.max(2, Math.floor(nelements / FILLFACTOR));
  let size = 1;
  while (size < want) size *= 2;
  return size;
}

/**
 * The order a simplehash table of `expected` elements returns groups inserted in this order (each given by its
 * hash; equal hashes of different groups are distinct groups here, as the key comparison would tell them apart).
 * Returns the indexes of the groups in iteration order.
 */
export function hashTableOrder(hashes: number[], expected: number, foundAfter: boolean[] = []): number[] {
  let size = tableSize(expected);
  let mask = size - 1;
  let grow = Math.floor(size * FILLFACTOR);
  let slots: number[] = new Array<number>(size).fill(-1); // group index, -1 empty
  let members = 0;
  const dist = (optimal: number, bucket: number) => (optimal <= bucket ? bucket - optimal : size + bucket - optimal);
  const resize = () => {
    const old = slots, oldSize = size;
    size *= 2; mask = size - 1; grow = Math.floor(size * FILLFACTOR);
    slots = new Array<number>(size).fill(-1);
    // start at the first slot that is free or holds an entry at its optimal position (in the new table)
    let start = 0;
    for (let i = 0; i < oldSize; i++) { const g = old[i]!; if (g < 0 || (hashes[g]! & mask) === i) { start = i; break; } }
    let copy = start;
    for (let i = 0; i < oldSize; i++) {
      const g = old[copy]!;
      if (g >= 0) {
        let cur = hashes[g]! & mask;
        while (slots[cur]! >= 0) cur = (cur + 1) & mask;
        slots[cur] = g;
      }
      copy = copy + 1 >= oldSize ? 0 : copy + 1;
    }
  };
  const insert = (hash: number, g: number) => {
    const start = hash & mask;
    let cur = start, insertDist = 0;
    for (;;) {
      const e = slots[cur]!;
      if (e < 0) { slots[cur] = g; members++; return; }
      const curDist = dist(hashes[e]! & mask, cur);
      if (insertDist > curDist) {
        // robin hood: shift the run from cur up to the next free slot one forward, take cur
        let empty = cur;
        do empty = (empty + 1) & mask; while (slots[empty]! >= 0);
        let move = empty;
        while (move !== cur) { const prev = (move - 1) & mask; slots[move] = slots[prev]!; move = prev; }
        slots[cur] = g; members++;
        return;
      }
      cur = (cur + 1) & mask;
      insertDist++;
    }
  };
  hashes.forEach((hash, g) => {
    if (members >= grow) resize();
    insert(hash, g);
    // SH_INSERT checks the threshold before looking the key up: a row that finds its group grows the table too
    if (foundAfter[g] && members >= grow) resize();
  });
  // SH_START_ITERATE / SH_ITERATE: from the first free slot, backwards
  let startElem = 0;
  for (let i = 0; i < size; i++) if (slots[i]! < 0) { startElem = i; break; }
  const order: number[] = [];
  let cur = startElem;
  for (let i = 0; i < size; i++) {
    const g = slots[cur]!;
    if (g >= 0) order.push(g);
    cur = (cur - 1) & mask;
  }
  return order;
}
