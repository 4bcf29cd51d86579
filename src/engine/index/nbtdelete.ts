/**
 * Simple deletion: before a full B-tree leaf is deduplicated or split, the entries index scans marked LP_DEAD are
 * deleted from it — with, in passing, any other entry pointing into the same heap blocks (or the new item's) whose
 * heap chain is dead to all, which the heap is asked about there and then.
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
import { simpleDeleteCandidates } from './nbtlayout.js';
import { WalKind } from '../wal/wal.js';
import { indexImage } from '../buffer/bufmgr.js';
import type { BtreeDeletePayload } from '../wal/records.js';

/**
 * Before adding an entry for (vals, tid): when its leaf is full and holds LP_DEAD entries, run simple deletion (and
 * log it). Returns true when it ran (the insertion then assumes duplicates, as _bt_delete_or_dedup_one_page does).
 */
export function simpleDeletion(ex: Executor, s: Session, t: Table, index: BtreeIndex, vals: Value[], tid: number): boolean {
  if (!index.log || !index.deadTids.size) return false;
  let cands;
  try {
    cands = simpleDeleteCandidates(index, t.types, index.keyValues(vals), tid, index.include.length ? index.include.map((c) => vals[c]!) : undefined);
  } catch (e) {
    if (e instanceof PgError && e.sqlstate === '0A000') return false; // pages the layout does not model
    throw e;
  }
  if (!cands) return false;
  // heap_index_delete_tuples: TIDs in heap order; the LP_DEAD ones are known deletable, the others asked about
  const deletable = new Set<number>();
  let latest = 0;
  for (const c of [...cands.tids].sort((a, b) => a.tid - b.tid)) {
    if (!c.known && !chainDeadToAll(ex, s, t, c.tid)) continue;
    deletable.add(c.tid);
    latest = advanceLatestRemoved(ex, t, c.tid, latest);
  }
  // _bt_delitems_delete_check: an item goes when all its TIDs do; a posting list losing some is updated
  let ndeleted = 0, nupdated = 0;
  for (const tids of cands.items) {
    const n = tids.filter((x) => deletable.has(x)).length;
    if (n === tids.length) ndeleted++; else if (n) nupdated++;
  }
  if (!ndeleted && !nupdated) return false;
  index.simpleDelete(deletable);
  const w = ex.eng.wal;
  const fpi = w.needsFpi(index.leafLsn) ? Math.min(8192, 64 + 16 * index.count) : 0;
  const payload: BtreeDeletePayload = { tids: [...deletable], latestRemovedXid: latest, ndeleted, nupdated };
  if (fpi) payload.image = indexImage(index);
  // XLogRecord, block 0's header with its RelFileNode and block number, the main data's header, xl_btree_delete (8),
  // then as block data the deleted items' offsets and the updated posting lists (offset, count, one uint16 a TID gone)
  const updated = cands.items.filter((x) => { const n = x.filter((y) => deletable.has(y)).length; return n && n < x.length; });
  const blockData = 2 * ndeleted + updated.reduce((n, x) => n + 2 + 2 + 2 * x.filter((y) => deletable.has(y)).length, 0);
  const len = fpi ? 51 + 8 : 24 + 20 + 2 + 8 + blockData;
  const lsn = w.insert(WalKind.BtreeDelete, s.tx!.writeXid, len, index.oid, cands.blk, 0, fpi, payload);
  if (lsn !== 0) index.leafLsn = lsn;
  return true;
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
