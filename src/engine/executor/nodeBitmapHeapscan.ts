/**
 * Bitmap Heap Scan over a Bitmap Index Scan (PostgreSQL's executor/nodeBitmapHeapscan.c, nodeBitmapIndexscan.c,
 * nodes/tidbitmap.c): first the index hands over every TID matching the Index Cond, collected in a bitmap — which
 * forgets the index order and keeps TID order — then the heap is read page by page in that order, each TID's HOT
 * chain followed to its first visible member, and the condition re-checked ("Recheck Cond").
 *
 *     WHERE k >= 2        t_pkey gives (0,5) (0,2) (0,3)  ->  bitmap {(0,2) (0,3) (0,5)}  ->  rows in TID order
 *
 * The planner takes it for a range, an IN list or a non-unique equality on a table without statistics (assumed
 * 10 pages). Under SERIALIZABLE the index leaf page and each returned tuple get SIREAD locks.
 * Simplifications: exact bitmaps only (no lossy pages), one index (no BitmapAnd / BitmapOr).
 */
import { tidBlock } from '../heap/heap.js';
import type { ScanState } from './scan.js';
import type { ScanInstr } from './instrument.js';
import type { ScanPath } from '../optimizer/planner.js';
import { fetchChain } from './nodeIndexscan.js';
import { HashIndex } from '../index/hash.js';

export function execBitmapHeapScan(st: ScanState, path: Extract<ScanPath, { kind: 'BitmapHeapScan' }>, instr?: ScanInstr): void {
  const sx = st.s.tx!.sxact;
  const lockBlk = path.index instanceof HashIndex && path.hashKey !== undefined ? path.index.scanBlock(path.hashKey) : path.index.leafBlock;
  if (sx) st.ex.eng.predicates.lockPage(sx, path.index.oid, lockBlk);
  let lastBlk = -1;
  for (const tid of path.tids) {
    if (st.done) break;
    if (instr && tidBlock(tid) !== lastBlk) { instr.heapBlocks++; lastBlk = tidBlock(tid); }
    fetchChain(st, tid, true);
  }
  if (instr) instr.indexRows = path.tids.length;
}
