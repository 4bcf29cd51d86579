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
 * Simplifications: one leaf page; equality on one column. A covering query is printed as an Index Only Scan
 * (nodeIndexonlyscan.ts) but fetched through this path.
 */
import { tidBlock, tidOffset } from '../heap/heap.js';
import { hotChain } from './util.js';
import type { ScanState } from './scan.js';
import type { ScanPath } from '../optimizer/planner.js';

export function execIndexScan(st: ScanState, path: Extract<ScanPath, { kind: 'IndexScan' }>): void {
  const sx = st.s.tx!.sxact;
  if (sx) st.ex.eng.predicates.lockPage(sx, path.index.oid, path.index.leafBlock);
  for (const tid of path.index.lookup(path.key)) fetchChain(st, tid, true);
}

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
    for (const [, v] of hits) for (const tid of typeof v === 'number' ? [v] : v) fetchChain(st, tid, true);
    return;
  } else {
    for (const v of path.index.entries.values()) { if (typeof v === 'number') tids.push(v); else tids.push(...v); }
    for (const e of path.index.nullEntries) tids.push(e.tid);
  }
  for (const tid of tids) fetchChain(st, tid, false);
}

/** index_fetch_heap: the HOT chain from this TID's root to its first visible member (returned, if it passes WHERE). */
export function fetchChain(st: ScanState, tid: number, tupleLock: boolean): void {
  st.visit(tidBlock(tid));
  for (const m of hotChain(st.t, tidBlock(tid), tidOffset(tid), st.ex.eng.multis)) if (st.test(m.item, m.blk, m.off, tupleLock)) break;
}
