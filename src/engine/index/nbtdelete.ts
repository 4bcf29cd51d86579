/**
 * Simple deletion: before a full B-tree leaf is deduplicated or split, the entries index scans marked LP_DEAD are
 * deleted from it — with, in passing, any other entry pointing into the same heap blocks (or the new item's) whose
 * heap chain is dead to all, which the heap is asked about there and then. Bottom-up deletion: when the leaf is still
 * full and the new entry is a new version of a key already there (an UPDATE that kept this index's key, a unique
 * index's duplicate), the heap is asked about the leaf's duplicates, a few blocks at most, and the old versions dead
 * to all go too; only when too little went does the leaf deduplicate, then split.
 *
 *     DELETE FROM k WHERE id BETWEEN 10 AND 25;           -- xid 725, committed
 *     SELECT * FROM k WHERE id = 10; ... id = 19;         -- index scans: entries 10..19 LP_DEAD
 *     INSERT ... (the leaf is full)                       -- 10..19 known deletable; 20..25 point into heap block 0 as
 *                                                            well and are dead to all: 16 entries go, no split
 *     Btree DELETE  latestRemovedXid 725; ndeleted 16; nupdated 0     (then Btree INSERT_LEAF)
 *
 * latestRemovedXid is the newest deleter among the heap versions still there (a version pruned to an LP_DEAD line
 * pointer counts for nothing: its prune record had it), for hot standby conflicts. A posting list whose TIDs are only
 * partly deletable keeps the others (nupdated).
 *
 * Mirrors: src/backend/access/nbtree/nbtinsert.c (_bt_delete_or_dedup_one_page, _bt_simpledel_pass, _bt_deadblocks),
 * nbtdedup.c (_bt_bottomupdel_pass, _bt_bottomupdel_finish_pending), heapam.c (bottomup_sort_and_shrink,
 * bottomup_nblocksfavorable),
 * nbtpage.c (_bt_delitems_delete_check, _bt_delitems_delete), heapam.c (heap_index_delete_tuples,
 * HeapTupleHeaderAdvanceLatestRemovedXid), heapam_visibility.c (HeapTupleSatisfiesNonVacuumable). Simplified: the
 * record's full-page image is the engine's image of the index (its length as INSERT_LEAF's).
 */
import type { Executor } from '../executor/executor.js';
import type { Session } from '../session/session.js';
import type { Table } from '../catalog/catalog.js';
import type { Value } from '../sql/types.js';
import type { BtreeIndex } from './btree.js';
import { PgError } from '../errors.js';
import { tidBlock, tidOffset } from '../heap/heap.js';
import { LpFlags, HEAP_XMIN_COMMITTED, HEAP_XMIN_INVALID, HEAP_ONLY_TUPLE, isHotUpdated, type Item } from '../heap/tuple.js';
import { satisfiesVacuum, VacState } from '../vacuum/vacuum.js';
import { vacuumContext } from '../vacuum/pruneheap.js';
import { updateXidOf } from '../multixact/multixact.js';
import { globalVisIsRemovable } from '../snapshot/globalvis.js';
import { simpleDeleteCandidates, bottomUpCandidates, leafExactFree, layoutOrNull, type BottomUpCandidates } from './nbtlayout.js';
import { pageBounds } from './nbtree.js';
import { WalKind } from '../wal/wal.js';
import { indexImage } from '../buffer/bufmgr.js';
import type { BtreeDeletePayload } from '../wal/records.js';

/** What the insertion's leaf went through before the entry is added (recorded with it: index/nbtlayout.ts replays it). */
export interface DeleteOutcome {
  /** simple deletion ran */
  afterdel: boolean;
  /** a bottom-up pass ran: whether a deduplication pass follows it (undefined: no bottom-up pass) */
  budedup?: boolean;
}

/**
 * Before adding an entry for (vals, tid), _bt_delete_or_dedup_one_page's deletions: when its leaf is full and holds
 * LP_DEAD entries, simple deletion; when it is still full and the entry is a new version of a key already there,
 * bottom-up deletion. Each deletion that removes anything is logged (Btree DELETE).
 */
/** what an index that keeps no history (its pages not modelled) does before an insertion: nothing (shared, never changed) */
const NOTHING_DELETED: Readonly<DeleteOutcome> = Object.freeze({ afterdel: false });

export function deleteBeforeInsert(ex: Executor, s: Session, t: Table, index: BtreeIndex, vals: Value[], tid: number, unchanged: boolean): DeleteOutcome {
  if (!index.log) return NOTHING_DELETED;
  const out: DeleteOutcome = { afterdel: false };
  const key = index.keyValues(vals);
  const inc = index.include.length ? index.include.map((c) => vals[c]!) : undefined;
  try {
    const cands = index.deadTids.size ? simpleDeleteCandidates(index, t.types, key, tid, inc) : null;
    if (cands) {
      out.afterdel = true;
      // heap_index_delete_tuples: TIDs in heap order; the LP_DEAD ones are known deletable, the others asked about
      const deletable = new Set<number>();
      let latest = 0;
      for (const c of [...cands.tids].sort((a, b) => a.tid - b.tid)) {
        if (!c.known && !chainDeadToAll(ex, s, t, c.tid)) continue;
        deletable.add(c.tid);
        latest = advanceLatestRemoved(ex, t, c.tid, latest);
      }
      deleteItems(ex, s, t, index, cands.blk, cands.items, deletable, latest);
    }
    // (a unique index's insertion can be a duplicate only of a key the entry map holds: skip the pages otherwise)
    const k = index.unique ? index.keyOf(vals) : null;
    if (!unchanged && !out.afterdel && (k === null || !index.lookup(k).length)) return out;
    const bu = bottomUpCandidates(index, t.types, key, tid, unchanged, out.afterdel, inc);
    if (!bu) return out;
    const { deletable, latest } = bottomUpDelete(ex, s, t, bu);
    deleteItems(ex, s, t, index, bu.blk, bu.items, deletable, latest);
    // _bt_bottomupdel_pass's verdict: no duplicates at all, or enough room now — no deduplication pass
    out.budedup = bu.nintervals > 0 && leafExactFree(index, t.types, key, tid) < Math.max(Math.trunc(8192 / 24), bu.newitemsz);
    return out;
  } catch (e) {
    if (e instanceof PgError && e.sqlstate === '0A000') return out; // pages the layout does not model
    throw e;
  }
}

const BOTTOMUP_MAX_NBLOCKS = 6, BOTTOMUP_TOLERANCE_NBLOCKS = 3;
const nextPow2 = (n: number) => { let p = 1; while (p < n) p *= 2; return p; };

/**
 * heap_index_delete_tuples for a bottom-up pass: the TIDs grouped by heap block, the groups with the most promising
 * TIDs first (bottomup_sort_and_shrink: counts rounded up to powers of two, at least 4; then more TIDs; then block
 * order), at most six blocks; a block is visited while the previous one freed something and the room wanted
 * (a sixteenth of a page, or the new item) is not yet found — halved at each block past the "favorable" ones, those
 * near the block before.
 */
function bottomUpDelete(ex: Executor, s: Session, t: Table, bu: BottomUpCandidates): { deletable: Set<number>; latest: number } {
  const sorted = [...bu.tids].sort((a, b) => a.tid - b.tid);
  interface Group { first: number; n: number; promising: number }
  const groups: Group[] = [];
  let cur = -1;
  sorted.forEach((d, i) => {
    const b = tidBlock(d.tid);
    if (b !== cur) { groups.push({ first: i, n: 0, promising: 0 }); cur = b; }
    const g = groups[groups.length - 1]!;
    g.n++;
    if (d.promising) g.promising++;
  });
  for (const g of groups) g.promising = g.promising <= 4 ? 4 : nextPow2(g.promising);
  groups.sort((a, b) => b.promising - a.promising || (a.n !== b.n ? nextPow2(b.n) - nextPow2(a.n) : 0) || a.first - b.first);
  const kept = groups.slice(0, BOTTOMUP_MAX_NBLOCKS);
  // bottomup_nblocksfavorable
  let favorable = 0, lastBlock = -1;
  for (const g of kept) {
    const b = tidBlock(sorted[g.first]!.tid);
    if (lastBlock !== -1 && (b < lastBlock - BOTTOMUP_TOLERANCE_NBLOCKS || b > lastBlock + BOTTOMUP_TOLERANCE_NBLOCKS)) break;
    favorable++;
    lastBlock = b;
  }
  const order = kept.flatMap((g) => sorted.slice(g.first, g.first + g.n));
  const deletable = new Set<number>();
  let latest = 0, target = Math.max(Math.trunc(8192 / 16), bu.newitemsz), lastFree = 0, actual = 0, final = false, accessed = 0, blk = -1;
  for (const d of order) {
    if (blk < 0 || tidBlock(d.tid) !== blk) {
      if (final) break;
      if (accessed >= 1 && actual === lastFree) break;
      lastFree = actual;
      if (favorable > 0) favorable--; else target = Math.trunc(target / 2);
      blk = tidBlock(d.tid);
      accessed++;
    }
    if (!chainDeadToAll(ex, s, t, d.tid)) continue;
    deletable.add(d.tid);
    actual += d.freespace;
    if (actual >= target) final = true;
    latest = advanceLatestRemoved(ex, t, d.tid, latest);
  }
  return { deletable, latest };
}

/** _bt_delitems_delete_check + _bt_delitems_delete: an item goes when all its TIDs do, a posting list losing some is
 *  updated; the removal and its Btree DELETE record (nothing when nothing goes). */
function deleteItems(ex: Executor, s: Session, t: Table, index: BtreeIndex, blk: number, items: number[][], deletable: Set<number>, latest: number): void {
  let ndeleted = 0, nupdated = 0, blockData = 0;
  for (const tids of items) {
    const n = tids.filter((x) => deletable.has(x)).length;
    if (n === tids.length) { ndeleted++; blockData += 2; } else if (n) { nupdated++; blockData += 2 + 2 + 2 * n; }
  }
  if (!ndeleted && !nupdated) return;
  index.simpleDelete(deletable);
  const w = ex.eng.wal;
  // the leaf's full-page image, where its page is laid out: the page after the deletion without its hole
  const layout = ex.eng.catalog.skipsWal(index.oid) ? null : layoutOrNull(index, t.types);
  const pg = layout?.pages[blk];
  const needs = w.needsFpi(index.pageLsns.get(blk) ?? index.leafLsn);
  const hole = pg && needs ? pageBounds(pg) : undefined;
  const fpi = hole ? hole.lower + 8192 - hole.upper : needs ? Math.min(8192, 64 + 16 * index.count) : 0;
  const payload: BtreeDeletePayload = { tids: [...deletable], latestRemovedXid: latest, ndeleted, nupdated };
  if (fpi) payload.image = indexImage(index);
  if (hole) payload.hole = hole;
  // XLogRecord, block 0's header with its RelFileNode and block number, the main data's header, xl_btree_delete (8),
  // then as block data the deleted items' offsets and the updated posting lists (offset, count, one uint16 a TID gone)
  const len = fpi ? 51 + 8 : 24 + 20 + 2 + 8 + blockData;
  const lsn = w.insert(WalKind.BtreeDelete, s.tx!.writeXid, len, index.oid, blk, 0, fpi, payload);
  if (lsn !== 0) { index.leafLsn = lsn; index.pageLsns.set(blk, lsn); }
}

/** heap_hot_search_buffer with SnapshotNonVacuumable found nothing: every version of the chain is dead to all */
function chainDeadToAll(ex: Executor, s: Session, t: Table, tid: number): boolean {
  const eng = ex.eng;
  const page = t.heap.pages[tidBlock(tid)];
  if (!page) return false;
  const ctx = vacuumContext(eng, 0); // 0: a committed deleter reads RECENTLY_DEAD, GlobalVis decides
  let off = tidOffset(tid);
  let item: Item | undefined = page.items[off - 1];
  if (!item) return false;
  if (item.lpFlags === LpFlags.REDIRECT) { off = item.lpOff; item = page.items[off - 1]; }
  let prevXmax = -1;
  while (item && item.lpFlags === LpFlags.NORMAL) {
    if (prevXmax >= 0 && item.xmin !== prevXmax) return true;
    const v = satisfiesVacuum(item, ctx);
    const dead = v === VacState.Dead || (v === VacState.RecentlyDead && globalVisIsRemovable(eng, s, updateXidOf(item, eng.multis)));
    if (!dead) return false;
    if (!isHotUpdated(item) || item.ctidBlock !== page.blkno) return true;
    prevXmax = updateXidOf(item, eng.multis);
    item = page.items[item.ctidOffset - 1];
    if (item && !(item.infomask2 & HEAP_ONLY_TUPLE)) return true;
  }
  return true;
}

/** HeapTupleHeaderAdvanceLatestRemovedXid along the chain from tid (stopping at a line pointer with no tuple) */
function advanceLatestRemoved(ex: Executor, t: Table, tid: number, latest: number): number {
  const page = t.heap.pages[tidBlock(tid)];
  if (!page) return latest;
  const clog = ex.eng.xacts.clog;
  let off = tidOffset(tid), prevXmax = -1;
  for (let guard = 0; guard < page.items.length + 1; guard++) {
    const item = page.items[off - 1];
    if (!item) break;
    if (item.lpFlags === LpFlags.REDIRECT) { off = item.lpOff; continue; }
    if (item.lpFlags !== LpFlags.NORMAL) break;
    if (prevXmax >= 0 && item.xmin !== prevXmax) break;
    const xmax = updateXidOf(item, ex.eng.multis);
    const xminCommitted = (item.infomask & HEAP_XMIN_COMMITTED) !== 0 || (!(item.infomask & HEAP_XMIN_INVALID) && clog.didCommit(item.xmin));
    if (xminCommitted && xmax !== item.xmin && xmax > latest) latest = xmax;
    if (!isHotUpdated(item)) break;
    off = item.ctidOffset;
    prevXmax = xmax;
  }
  return latest;
}
