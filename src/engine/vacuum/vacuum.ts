/**
 * VACUUM (lazy): remove row versions no transaction can see any more.
 *
 * A version is dead when its deleter committed before every running transaction's snapshot (before the
 * "oldest xmin" horizon) or its inserter aborted. Pruning (heap_page_prune) works per HOT chain: dead members
 * are cut out; if the chain's root is dead but a later member lives, the root's line pointer becomes
 * LP_REDIRECT to it (the index still points at the root); a dead heap-only tuple's pointer becomes LP_UNUSED; a
 * dead tuple that index entries point at becomes LP_DEAD. The page is compacted. Then the index entries
 * pointing at LP_DEAD pointers are deleted and those pointers become LP_UNUSED (reusable by later inserts).
 * A page whose remaining tuples are all visible to everyone gets PD_ALL_VISIBLE.
 *
 * Worked example (engine). accounts (id int PRIMARY KEY, balance int) holds (1, 100) at (0,1) and (2, 200) at (0,2),
 * xmin 724. A REPEATABLE READ transaction takes its snapshot (725:725:); then UPDATE … WHERE id = 1 (xid 725, HOT:
 * (0,1) → (0,3)) and DELETE … WHERE id = 2 (xid 726) commit.
 *
 *     lp   before VACUUM                      VACUUM, RR open: horizon 725     VACUUM after the RR's COMMIT
 *     1    xmin 724 xmax 725 → (0,3)  HOT     kept: 725 is not < 725           LP_REDIRECT → 3 (index: 1 → (0,1))
 *     2    xmin 724 xmax 726                  kept                             LP_DEAD → index entry 2 removed
 *                                                                              → LP_UNUSED
 *     3    xmin 725  heap-only (1, 90)        kept                             LP_NORMAL, moved to 8160
 *
 * While the old snapshot is open, the horizon is its xmin 725 and neither deleter is below it: nothing is removed
 * (the RR reader may still need both old versions). Afterwards the WAL shows Heap2 PRUNE, Btree VACUUM, Heap2
 * VACUUM, Heap2 VISIBLE, the page is PD_ALL_VISIBLE | PD_HAS_FREE_LINES, and the next INSERT (3, 300) takes line
 * pointer 2 again.
 *
 * Mirrors: src/backend/access/heap/pruneheap.c (heap_page_prune, heap_prune_chain), vacuumlazy.c,
 * heapam_visibility.c (HeapTupleSatisfiesVacuum), bufpage.c (PageRepairFragmentation,
 * PageTruncateLinePointerArray). pd_prune_xid becomes the oldest xmax of a version that will soon be dead, and
 * PD_PAGE_FULL is cleared. Readers prune too (heap_page_prune_opt, pruneheap.ts). (MultiXact xmax are frozen by
 * lazy VACUUM's freezePage, heapam.c FreezeMultiXactId: pruning leaves them alone.) This file is the page-level work; the
 * whole VACUUM of a table — freezing, the visibility map, the free space map, truncation, relfrozenxid, VERBOSE —
 * is vacuumlazy.ts, VACUUM FULL vacuumfull.ts. Simplification: the index is cleaned in one pass.
 */
import type { Table } from '../catalog/catalog.js';
import type { BtreeIndex } from '../index/btree.js';
import type { Page, HeapRelation } from '../heap/heap.js';
import { vmTruncate } from '../heap/visibilitymap.js';
import { BLCKSZ, PAGE_HEADER, ITEMID_SIZE, PD_HAS_FREE_LINES, PD_PAGE_FULL, tidBlock, tidOffset } from '../heap/heap.js';
import {
  type Item, LpFlags, MAXALIGN, HEAP_XMIN_COMMITTED, HEAP_XMIN_INVALID, HEAP_XMIN_FROZEN, HEAP_XMAX_COMMITTED, HEAP_XMAX_INVALID,
  HEAP_XMAX_LOCK_ONLY, isHotUpdated, HEAP_ONLY_TUPLE, HEAP_XMAX_IS_MULTI,
} from '../heap/tuple.js';
import type { Clog } from '../clog/clog.js';

export const enum VacState { Dead, RecentlyDead, Live, InsertInProgress, DeleteInProgress }

export interface VacuumContext {
  clog: Clog;
  isInProgress(xid: number): boolean;
  multiRunning(multi: number): boolean;
  /** the updater member of a MultiXact, 0 if it has none */
  multiUpdater(multi: number): number;
  /** the oldest xid any running transaction may still need (GetOldestNonRemovableTransactionId) */
  oldestXmin: number;
  /** the WAL flush pointer (see Clog.commitHintAllowed) */
  flushedLsn?(): number;
}
const hintCommitted = (item: Item, bit: number, xid: number, ctx: VacuumContext) => {
  if (!ctx.flushedLsn || ctx.clog.commitHintAllowed(xid, ctx.flushedLsn())) item.infomask |= bit;
};

/** HeapTupleHeaderGetUpdateXid: t_xmax, or the updater member of an update MultiXact */
function updateXid(item: Item, ctx: VacuumContext): number {
  return (item.infomask & HEAP_XMAX_IS_MULTI) && !(item.infomask & (HEAP_XMAX_LOCK_ONLY | HEAP_XMAX_INVALID)) ? ctx.multiUpdater(item.xmax) : item.xmax;
}

/** HeapTupleSatisfiesVacuum, setting hint bits as it goes. */
export function satisfiesVacuum(item: Item, ctx: VacuumContext): VacState {
  if (!(item.infomask & HEAP_XMIN_COMMITTED)) {
    if (item.infomask & HEAP_XMIN_INVALID) return VacState.Dead;
    if (ctx.isInProgress(item.xmin)) return VacState.InsertInProgress;
    if (ctx.clog.didCommit(item.xmin)) hintCommitted(item, HEAP_XMIN_COMMITTED, item.xmin, ctx);
    else { item.infomask |= HEAP_XMIN_INVALID; return VacState.Dead; }
  }
  if (item.infomask & HEAP_XMAX_INVALID) return VacState.Live;
  if (item.infomask & HEAP_XMAX_LOCK_ONLY) {
    const running = item.infomask & HEAP_XMAX_IS_MULTI ? ctx.multiRunning(item.xmax) : ctx.isInProgress(item.xmax);
    if (!running) item.infomask |= HEAP_XMAX_INVALID;
    return VacState.Live;
  }
  if (item.infomask & HEAP_XMAX_IS_MULTI) {
    // an update MultiXact: the updater decides; lockers still running do not keep a committed update's victim alive
    const x = ctx.multiUpdater(item.xmax);
    if (ctx.isInProgress(x)) return VacState.DeleteInProgress;
    if (ctx.clog.didCommit(x)) return x < ctx.oldestXmin ? VacState.Dead : VacState.RecentlyDead;
    if (!ctx.multiRunning(item.xmax)) item.infomask |= HEAP_XMAX_INVALID;
    return VacState.Live;
  }
  if (!(item.infomask & HEAP_XMAX_COMMITTED)) {
    if (ctx.isInProgress(item.xmax)) return VacState.DeleteInProgress;
    if (ctx.clog.didCommit(item.xmax)) hintCommitted(item, HEAP_XMAX_COMMITTED, item.xmax, ctx);
    else { item.infomask |= HEAP_XMAX_INVALID; return VacState.Live; }
  }
  return item.xmax < ctx.oldestXmin ? VacState.Dead : VacState.RecentlyDead;
}

/**
 * acquire_sample_rows' count over whole pages: HeapTupleSatisfiesVacuum decides — live rows count as live, dead and
 * recently dead ones (and LP_DEAD stubs) as dead; a row the counting transaction inserted (`mine`) counts as live,
 * one it deleted as dead, other in-progress inserts not at all. ANALYZE's reltuples and pgstat's report use it.
 */
export function countLiveDead(pages: readonly Page[], ctx: VacuumContext, mine: (xid: number) => boolean): { live: number; dead: number } {
  let live = 0, dead = 0;
  for (const p of pages) {
    for (const it of p.items) {
      if (it.lpFlags === LpFlags.DEAD) { dead++; continue; }
      if (it.lpFlags !== LpFlags.NORMAL) continue;
      switch (satisfiesVacuum(it, ctx)) {
        case VacState.Live: live++; break;
        case VacState.Dead: case VacState.RecentlyDead: dead++; break;
        case VacState.InsertInProgress: if (mine(it.xmin)) live++; break;
        case VacState.DeleteInProgress: if (mine(it.xmax)) dead++; else live++; break;
      }
    }
  }
  return { live, dead };
}

/** changed: the offsets whose line pointer pruning changed; latestRemovedXid: the newest updater/deleter among the
 * removed DEAD tuples (what a standby's queries must not still see: xl_heap_prune.latestRemovedXid) */
export interface PageVacuumResult {
  pruned: boolean; redirected: number; deadItems: number[]; unused: number; allVisible: boolean; frozen: number; changed: number[];
  latestRemovedXid: number;
}

/** HeapTupleHeaderAdvanceLatestRemovedXid: a removed tuple whose inserter committed counts with its updater/deleter. */
function advanceLatestRemovedXid(it: Item, ctx: VacuumContext, latest: number): number {
  const frozen = (it.infomask & HEAP_XMIN_FROZEN) === HEAP_XMIN_FROZEN;
  const xmin = frozen ? 2 : it.xmin, xmax = updateXid(it, ctx);
  const committed = (it.infomask & HEAP_XMIN_COMMITTED) !== 0 || (!(it.infomask & HEAP_XMIN_INVALID) && ctx.clog.didCommit(it.xmin));
  return committed && xmax !== xmin && xmax > latest ? xmax : latest;
}

/** Prune one page: returns the offsets that became LP_DEAD (the index must forget them) and what changed. */
/**
 * prunePage's per-call arrays, kept between calls (a page is pruned synchronously, one at a time): each tuple's
 * HeapTupleSatisfiesVacuum state (-1: not computed yet), whether a chain walk removed it, and one HOT chain's
 * offsets. Fresh typed arrays per call cost more than the pruning itself on a busy page (their backing stores are
 * allocated outside the JS heap and counted against the GC's budget).
 */
let scratchState = new Int8Array(0), scratchHandled = new Uint8Array(0), scratchChain = new Int32Array(0);
function scratch(len: number) {
  if (scratchState.length < len) {
    const cap = Math.max(len, 2 * scratchState.length, 512);
    scratchState = new Int8Array(cap); scratchHandled = new Uint8Array(cap); scratchChain = new Int32Array(cap);
  }
  scratchState.fill(-1, 0, len);
  scratchHandled.fill(0, 0, len);
  return { state: scratchState, handled: scratchHandled, chain: scratchChain };
}

export function prunePage(page: Page, ctx: VacuumContext): PageVacuumResult {
  const items = page.items;
  const n = items.length;
  const res: PageVacuumResult = { pruned: false, redirected: 0, deadItems: [], unused: 0, allVisible: true, frozen: 0, changed: [], latestRemovedXid: 0 };
  // HeapTupleSatisfiesVacuum of every tuple, computed once (it sets hint bits on each, as heap_page_prune does)
  const { state, handled, chain } = scratch(n + 1);
  const st = (off: number): VacState => {
    let v = state[off]!;
    if (v < 0) { v = satisfiesVacuum(items[off - 1]!, ctx); state[off] = v; }
    return v as VacState;
  };
  for (let off = 1; off <= n; off++) if (items[off - 1]!.lpFlags === LpFlags.NORMAL) st(off);
  let newPruneXid = 0;
  for (let off = 1; off <= n; off++) {
    const root = items[off - 1]!;
    if (root.lpFlags === LpFlags.UNUSED || root.lpFlags === LpFlags.DEAD) continue;
    if (root.lpFlags === LpFlags.NORMAL && root.infomask2 & HEAP_ONLY_TUPLE) continue; // reached from its root
    // the chain: root (or redirect target) then heap-only successors
    let cur = root.lpFlags === LpFlags.REDIRECT ? root.lpOff : off;
    chain[0] = cur;
    let chainLen = 1;
    for (;;) {
      const it = items[cur - 1]!;
      if (it.lpFlags !== LpFlags.NORMAL || !isHotUpdated(it) || it.ctidBlock !== page.blkno) break;
      const next = it.ctidOffset;
      const nx = items[next - 1];
      if (!nx || nx.lpFlags !== LpFlags.NORMAL || !(nx.infomask2 & HEAP_ONLY_TUPLE) || nx.xmin !== updateXid(it, ctx)) break;
      if (chainLen > n) break; // a cycle of line pointers cannot be a chain
      chain[chainLen++] = next;
      cur = next;
    }
    // heap_prune_record_prunable: the oldest updater of a version that will become dead (or is being deleted) is
    // the page's next pd_prune_xid; the walk stops at the first version that is neither dead nor recently dead.
    // Members up to the last DEAD one are removed (RECENTLY_DEAD ones before it go too: nobody can reach them).
    let lastDead = -1;
    for (let i = 0; i < chainLen; i++) {
      const c = chain[i]!;
      if (items[c - 1]!.lpFlags !== LpFlags.NORMAL) break;
      const v = st(c);
      if (v === VacState.RecentlyDead || v === VacState.DeleteInProgress) {
        const x = updateXid(items[c - 1]!, ctx);
        if (newPruneXid === 0 || x < newPruneXid) newPruneXid = x;
      }
      if (v === VacState.Dead) lastDead = i;
      else if (v !== VacState.RecentlyDead) break;
    }
    if (lastDead < 0) continue;
    res.pruned = true;
    for (let i = 0; i <= lastDead; i++) {
      if (st(chain[i]!) === VacState.Dead) res.latestRemovedXid = advanceLatestRemovedXid(items[chain[i]! - 1]!, ctx, res.latestRemovedXid);
    }
    for (let i = 0; i <= lastDead; i++) {
      const c = chain[i]!;
      if (c === off) continue; // the root line pointer is handled below
      handled[c] = 1;
      makeUnused(items[c - 1]!);
      res.unused++;
      res.changed.push(c);
    }
    if (lastDead + 1 < chainLen) {
      makeRedirect(items[off - 1]!, chain[lastDead + 1]!);
      res.redirected++;
    } else {
      makeDead(items[off - 1]!);
      res.deadItems.push(off);
    }
    res.changed.push(off);
  }
  // a dead heap-only tuple that links to nothing (an aborted HOT update, whose parent may have been updated
  // again or is live) is removed by itself, whether or not a chain walk passed it (heap_prune_chain)
  for (let off = 1; off <= n; off++) {
    const it = items[off - 1]!;
    if (handled[off] || it.lpFlags !== LpFlags.NORMAL || !(it.infomask2 & HEAP_ONLY_TUPLE)) continue;
    if (st(off) === VacState.Dead && !isHotUpdated(it)) {
      res.latestRemovedXid = advanceLatestRemovedXid(it, ctx, res.latestRemovedXid);
      makeUnused(it); res.unused++; res.pruned = true; res.changed.push(off);
    }
  }
  if (res.pruned) compact(page);
  // with or without anything removed: the next prune xid, and "page full" forgotten until an UPDATE finds it full again
  // (without a removal this is a hint, not WAL-logged)
  page.pruneXid = newPruneXid;
  page.flags &= ~PD_PAGE_FULL;
  for (let off = 1; off <= n; off++) {
    const it = items[off - 1]!;
    if (it.lpFlags === LpFlags.DEAD) { res.allVisible = false; continue; }
    if (it.lpFlags !== LpFlags.NORMAL) continue;
    const xmaxSet = !(it.infomask & HEAP_XMAX_INVALID) && !(it.infomask & HEAP_XMAX_LOCK_ONLY);
    if (res.allVisible && (st(off) !== VacState.Live || it.xmin >= ctx.oldestXmin || xmaxSet)) res.allVisible = false;
  }
  return res;
}

function makeUnused(it: Item) { it.lpFlags = LpFlags.UNUSED; it.lpOff = 0; it.lpLen = 0; it.values = []; }
function makeDead(it: Item) { it.lpFlags = LpFlags.DEAD; it.lpOff = 0; it.lpLen = 0; it.values = []; }
function makeRedirect(it: Item, target: number) { it.lpFlags = LpFlags.REDIRECT; it.lpOff = target; it.lpLen = 0; it.values = []; }

/** PageRepairFragmentation / compactify_tuples: pack the remaining tuples at the end, in line-pointer order. */
function compact(page: Page) {
  let upper = BLCKSZ;
  for (const it of page.items) if (it.lpFlags === LpFlags.NORMAL) { upper -= MAXALIGN(it.lpLen); it.lpOff = upper; }
  page.upper = upper;
  setFreeLinesFlag(page);
}

/** PD_HAS_FREE_LINES: an insert may reuse an unused line pointer of this page. */
export function setFreeLinesFlag(page: Page) {
  if (page.items.some((it) => it.lpFlags === LpFlags.UNUSED)) page.flags |= PD_HAS_FREE_LINES;
  else page.flags &= ~PD_HAS_FREE_LINES;
}

/** The second heap pass: LP_DEAD → LP_UNUSED once the index no longer points at them; trailing ones are cut off. */
export function reclaimDead(page: Page, offsets: number[]): void {
  for (const off of offsets) makeUnused(page.items[off - 1]!);
  while (page.items.length && page.items[page.items.length - 1]!.lpFlags === LpFlags.UNUSED) page.items.pop();
  page.lower = PAGE_HEADER + ITEMID_SIZE * page.items.length;
  setFreeLinesFlag(page);
}

/**
 * RelationTruncate's cut (storage.c, smgrtruncate): the heap keeps its first `nblocks` pages — in memory and on
 * disk — and the visibility map and free space map forget the rest. VACUUM's truncation and its REDO (smgr_redo)
 * both come here.
 */
export function truncateHeap(heap: HeapRelation, nblocks: number): void {
  if (heap.pages.length > nblocks) heap.pages.length = nblocks;
  heap.disk.length = Math.min(heap.disk.length, nblocks);
  for (const b of [...heap.fsm.keys()]) if (b >= nblocks) heap.fsm.delete(b);
  if (nblocks === 0 && heap.fsmPages) heap.fsmPages = 2;
  vmTruncate(heap, nblocks);
  heap.targetBlock = -1;
}

/** Remove the table's index entries that point at the given (now dead) TIDs. */
export function removeIndexEntries(t: Table, dead: ReadonlySet<number>): number {
  let removed = 0;
  for (const index of t.indexes) removed += removeEntriesFrom(index, dead);
  return removed;
}

/** btvacuumpage for one index (also what REDO of a Btree/VACUUM record repeats). */
export function removeEntriesFrom(index: BtreeIndex, dead: ReadonlySet<number>): number {
  let removed = 0;
  if (index.log) index.record({ k: 'del', tids: new Set(dead) });
  if (index.deadTids.size) for (const t of dead) index.deadTids.delete(t);
  for (const [key, v] of [...index.entries]) {
    const tids = typeof v === 'number' ? [v] : v;
    const keep = tids.filter((tid) => !dead.has(tid));
    if (keep.length === tids.length) continue;
    removed += tids.length - keep.length;
    index.count -= tids.length - keep.length;
    if (!keep.length) index.entries.delete(key);
    else index.entries.set(key, keep.length === 1 ? keep[0]! : keep);
  }
  return removed;
}

export { tidBlock, tidOffset };
