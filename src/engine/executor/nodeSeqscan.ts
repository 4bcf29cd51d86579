/**
 * Seq Scan (PostgreSQL's executor/nodeSeqscan.c over heapam.c's heapgettup_pagemode): read the table's pages in
 * order, and on each page every normal line pointer in order, asking the visibility rules about each version.
 *
 *     page 0: (0,1) k=1 xmin=724 committed -> visible, returned
 *             (0,2) k=2 xmin=725 aborted   -> invisible (and hinted XMIN_INVALID)
 *             (0,3) redirect / unused      -> skipped
 *
 * Rows therefore come back in physical (TID) order, which is the "row order without ORDER BY" a learner sees; an
 * UPDATE that moves a row to a later slot moves it later in the output. Before reading a page that holds
 * prunable tuples the scan may prune it (heap_page_prune_opt). Under SERIALIZABLE the scan takes a SIREAD lock on
 * the whole relation. Simplifications: no synchronized scans, no parallel scan, the whole table at once (or up to
 * the page where a LIMIT above has its rows).
 */
import { LpFlags } from '../heap/tuple.js';
import type { ScanState } from './scan.js';

export function execSeqScan(st: ScanState): void {
  const { t, s, ex } = st;
  const sx = s.tx!.sxact;
  if (sx) ex.eng.predicates.lockRelation(sx, t.oid);
  const pages = t.heap.pages;
  for (let b = 0; b < pages.length; b++) {
    if (pages[b]!.pruneXid) st.visit(b);
    const items = pages[b]!.items;
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (item.lpFlags !== LpFlags.NORMAL) continue;
      // the LIMIT above has its rows: the rest of this page is checked for visibility only (heapgetpage)
      if (st.done) st.checkVisibility(item); else st.test(item, b, i + 1, false);
    }
    if (st.done) return;
  }
}
