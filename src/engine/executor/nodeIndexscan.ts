/**
 * Index Scan (PostgreSQL's executor/nodeIndexscan.c, indexam.c's index_getnext_slot, heapam.c's
 * heap_hot_search_buffer): walk the index entries that match the Index Cond; for each entry's TID follow the HOT
 * chain from its root line pointer to the first member visible to the snapshot, and return that version.
 *
 *     t_pkey: 2 -> (0,2)          heap: (0,2) k=2 xmax=726 HOT-updated -> (0,6) k=2 xmin=726 heap-only
 *     WHERE k = 2  reads (0,2): updated by a committed xact, invisible; follows t_ctid to (0,6): visible, done.
 *
 * Only the chain members up to the visible one are looked at, so only they get hint bits — unlike a Seq Scan,
 * which touches every version on the page. Without a condition (ORDER BY the indexed column on a table with no
 * statistics) the scan returns every entry in key order, or backwards for DESC ("Index Scan Backward").
 * Under SERIALIZABLE it SIREAD-locks the leaf page it read and each tuple it returns.
 *
 * kill_prior_tuple: when the whole chain is dead to all — every member's deleter committed and older than any
 * snapshot (HeapTupleIsSurelyDead, by the hint bits the walk itself just set, and the backend's GlobalVis test), or
 * the root line pointer is LP_DEAD after pruning — the scan marks the index entry LP_DEAD as it leaves the leaf
 * (btgettuple, _bt_killitems), so later scans skip the heap and a full leaf can delete it before splitting.
 * Simplifications: one leaf page; equality on one column. A covering query is printed as an Index Only Scan
 * (nodeIndexonlyscan.ts) but fetched through this path.
 */
import { tidBlock, tidOffset } from '../heap/heap.js';
import { updateXidOf } from '../multixact/multixact.js';
import { type Item, LpFlags, isHotUpdated, HEAP_ONLY_TUPLE } from '../heap/tuple.js';
import { vmStatus, VISIBILITYMAP_ALL_VISIBLE } from '../heap/visibilitymap.js';
import type { Value } from '../sql/types.js';
import { heapTupleIsSurelyDead } from '../snapshot/globalvis.js';
import type { BtreeIndex } from '../index/btree.js';
import { HashIndex } from '../index/hash.js';
import type { ScanState } from './scan.js';
import type { ScanPath } from '../optimizer/planner.js';

export function execIndexScan(st: ScanState, path: Extract<ScanPath, { kind: 'IndexScan' }>): void {
  const sx = st.s.tx!.sxact;
  // a hash index: the bucket's primary page (hashsearch.c _hash_first)
  if (sx) st.ex.eng.predicates.lockPage(sx, path.index.oid, path.index instanceof HashIndex ? path.index.scanBlock(path.key) : path.index.leafBlock);
  const lsn = path.index.leafLsn;
  const killed: number[] = [];
  for (const tid of skipDead(path.index, path.index.lookup(path.key))) { if (st.done) break; if (fetchChain(st, tid, true)) killed.push(tid); }
  // the entries' key, for the layout to find their leaf (a one-column number key is its own value)
  const key = typeof path.key === 'number' && path.index.columns.length === 1 && !path.index.def ? [path.key] : undefined;
  killItems(st, path.index, lsn, killed, key);
}

/**
 * _bt_killitems after the scan: a scan that dropped its pin (every WAL-logged index) gives up when the leaf changed
 * since it read it — its LSN moved, say by the statement's own UPDATE adding entries. (The engine has one LSN for the
 * whole index.) A temporary table's index keeps its pin and always marks.
 */
function killItems(st: ScanState, index: BtreeIndex, lsn: number, killed: number[], key?: Value[]): void {
  if (killed.length && (st.t.temp || index.leafLsn === lsn)) index.kill(killed, key);
}
/** ignore_killed_tuples: an LP_DEAD entry is skipped, its heap never visited */
const skipDead = (index: BtreeIndex, tids: number[]): number[] => (index.deadTids.size ? tids.filter((t) => !index.deadTids.has(t)) : tids);

/**
 * A full index scan for ORDER BY on an indexed column when the table has no statistics (never vacuumed or
 * analyzed: the planner assumes 10 pages and prefers reading in index order to sorting). Entries with a NULL
 * key come last (NULLS LAST is a B-tree's ascending order). With a range (the inner side of a parameterized nested
 * loop, "Index Cond: (k > t.k)") only the entries whose key is in it, in key order, and no NULL.
 * The sort above puts the rows in the requested order;
 * which versions were visited is what the index walk decides.
 */
export function execIndexScanOrdered(st: ScanState, path: Extract<ScanPath, { kind: 'IndexScanOrdered' }>): void {
  const tids: number[] = [];
  const range = path.range;
  if (range) {
    // the entries in the range, in key order (integer keys: a B-tree's order); SIREAD locks as an Index Scan's
    const sx = st.s.tx!.sxact;
    if (sx) st.ex.eng.predicates.lockPage(sx, path.index.oid, path.index.leafBlock);
    const hits = [...path.index.entries].filter(([k]) => range(k)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const lsn = path.index.leafLsn;
    const killed: number[] = [];
    for (const [, v] of hits) for (const tid of skipDead(path.index, typeof v === 'number' ? [v] : v)) { if (st.done) break; if (fetchChain(st, tid, true)) killed.push(tid); }
    killItems(st, path.index, lsn, killed);
    return;
  } else {
    for (const v of path.index.entries.values()) { if (typeof v === 'number') tids.push(v); else tids.push(...v); }
    for (const e of path.index.nullEntries) tids.push(e.tid);
  }
  const lsn = path.index.leafLsn;
  const killed: number[] = [];
  for (const tid of skipDead(path.index, tids)) { if (st.done) break; if (fetchChain(st, tid, false)) killed.push(tid); }
  killItems(st, path.index, lsn, killed);
}

/**
 * index_fetch_heap: the HOT chain from this TID's root to its first visible member (returned, if it passes WHERE).
 * Returns all_dead (heap_hot_search_buffer): no member is visible and each is surely dead, or the root is LP_DEAD.
 */
export function fetchChain(st: ScanState, tid: number, tupleLock: boolean): boolean {
  st.idxRead++;
  st.visit(tidBlock(tid));
  const page = st.t.heap.pages[tidBlock(tid)];
  const root = page?.items[tidOffset(tid) - 1];
  if (!root) return false;
  if (root.lpFlags === LpFlags.DEAD || root.lpFlags === LpFlags.UNUSED) return true;
  let allDead = true, n = 0;
  // the HOT chain from the entry, walked as util.ts hotChain walks it (inline: no generator or object per version)
  const multis = st.ex.eng.multis, blk = tidBlock(tid);
  let off = tidOffset(tid);
  let item: Item | undefined = root;
  if (item.lpFlags === LpFlags.REDIRECT) { off = item.lpOff; item = page!.items[off - 1]; }
  let prevXmax = -1;
  while (item && item.lpFlags === LpFlags.NORMAL) {
    if (prevXmax >= 0 && item.xmin !== prevXmax) break;
    n++;
    // a visible version (even one WHERE then rejects) is found: nothing to kill
    if (st.test(item, blk, off, tupleLock) || st.visible) {
      if (st.visible && (vmStatus(st.t.heap, blk) & VISIBILITYMAP_ALL_VISIBLE)) st.allVisibleFetched++;
      return false;
    }
    if (allDead && !heapTupleIsSurelyDead(st.ex.eng, st.s, item)) allDead = false;
    if (!isHotUpdated(item) || item.ctidBlock !== blk) break;
    prevXmax = updateXidOf(item, multis);
    off = item.ctidOffset;
    item = page!.items[off - 1];
    if (item && !(item.infomask2 & HEAP_ONLY_TUPLE)) break;
  }
  return allDead && n > 0;
}
