/**
 * The costs of reading an analyzed table through a B-tree (PostgreSQL's optimizer/path/costsize.c cost_index and
 * cost_bitmap_heap_scan over utils/adt/selfuncs.c btcostestimate / genericcostestimate):
 *
 *   - the index: the B-tree's descent (ceil(log2(index tuples)) comparisons, 50 operator costs per level), then
 *     the share of its leaf pages the conditions select, each a random page read, and per index tuple
 *     cpu_index_tuple_cost plus one operator call per index condition. A unique index probed by equality
 *     returns one tuple.
 *   - an Index Scan's heap: between max_IO (Mackert and Lohman's estimate of the distinct pages N fetches touch
 *     out of T, 2TN / (2T + N), each a random read) and min_IO (the selected share of the pages read in order: one
 *     random read, then sequential ones), interpolated by the square of the index column's correlation
 *     (pg_statistic, commands/analyze.ts): a table in key order reads a range almost sequentially.
 *     cpu_tuple_cost plus the other conditions per tuple fetched.
 *   - a Bitmap Heap Scan's heap: the index part whole before the first row (plus a tenth of an operator per row),
 *     then the pages Mackert and Lohman expect, each between a random and a sequential read as more of the table
 *     is read (random_page_cost - (random - seq) x sqrt(pages / T)); every condition rechecked per tuple.
 *
 *     r (5,000 rows, 28 pages, r_pkey 2 levels): WHERE id < 20 (19 rows, correlation 1)
 *       index 0.2825 + 4 (one leaf page) + 19 x 0.0075;  heap min_IO 4 (one page);  19 x 0.01  ->  cost=0.28..8.62
 *
 * Simplifications: single-column B-trees on a plain column, conditions `column op constant`; the index's page
 * count and height come from its simulated layout (index/nbtlayout.ts: null when it cannot be laid out); one
 * scan (no loop_count), no lossy bitmap pages (work_mem always holds these bitmaps).
 */
import type { Table } from '../catalog/catalog.js';
import type { BtreeIndex } from '../index/btree.js';
import { PgError } from '../errors.js';
import { indexLayout } from '../index/nbtlayout.js';
import { CPU_OPERATOR_COST, CPU_TUPLE_COST, CPU_INDEX_TUPLE_COST, RANDOM_PAGE_COST, SEQ_PAGE_COST } from './costsize.js';
import { indexPagesFetched } from './paramjoin.js';
import { clampRowEst, rint } from './plancat.js';
import { HashIndex } from '../index/hash.js';

/** A path's estimate before the target list: startup and total cost, rows; a bitmap's index part too. */
export interface PathEst { startup: number; total: number; rows: number; indexTotal?: number; indexRows?: number }

/** What a scan's cost depends on: the relation's size and the conditions' selectivities and operator counts. */
export interface ScanRel {
  table: Table;
  pages: number;
  tuples: number;
  /** rows after all the rel's conditions (baserel->rows) */
  rows: number;
  /** operator calls of all the rel's conditions (baserestrictcost) */
  allOps: number;
  /** pg_class.relallvisible / pages (estimate_rel_size's allvisfrac) */
  allvisfrac: number;
}

/** An index's size as the planner reads it: pages (with the metapage) and the root's level; null: not laid out. */
export function indexSize(t: Table, index: BtreeIndex): { pages: number; height: number } | null {
  if (index instanceof HashIndex) return { pages: index.layout().nblocks, height: 0 };
  try {
    const l = indexLayout(index, t.types);
    return { pages: l.pages.length, height: l.level };
  } catch (e) {
    if (e instanceof PgError && e.sqlstate === '0A000') return null;
    throw e;
  }
}

/**
 * btcostestimate over genericcostestimate: the index part of a scan whose conditions select `indexSel` of the rows.
 * saScans: the index scans an IN list / = ANY condition makes (one per array element, num_sa_scans); the tuple
 * estimate is then per scan, the pages fetched over all of them through the Mackert-Lohman formula, the CPU and
 * the descents paid once per scan.
 */
function btcostestimate(rel: ScanRel, index: BtreeIndex, indexSel: number, qualOps: number, uniqueEq: boolean,
  saScans = 1): { startup: number; total: number } | null {
  const size = indexSize(rel.table, index);
  if (!size) return null;
  const indexTuples = rel.tuples; // a non-partial index: the table's tuples
  let numIndexTuples = uniqueEq && saScans === 1 ? 1.0 : rint((indexSel * rel.tuples) / saScans);
  if (numIndexTuples > indexTuples) numIndexTuples = indexTuples;
  if (numIndexTuples < 1.0) numIndexTuples = 1.0;
  const numIndexPages = numIndexTuples > 1 && size.pages > 1 ? Math.ceil((numIndexTuples * size.pages) / indexTuples) : 1.0;
  let startup = 0;
  let total = saScans > 1
    ? indexPagesFetched(numIndexPages * saScans, size.pages, rel.pages + size.pages) * RANDOM_PAGE_COST
    : numIndexPages * RANDOM_PAGE_COST;
  let qualOpCost = 0;
  for (let i = 0; i < qualOps; i++) qualOpCost += CPU_OPERATOR_COST;
  total += numIndexTuples * saScans * (CPU_INDEX_TUPLE_COST + qualOpCost);
  // hashcostestimate is genericcostestimate alone: no descent of a tree
  if (index instanceof HashIndex) return { startup, total };
  if (indexTuples > 1) {
    const descent = Math.ceil(Math.log(indexTuples) / Math.log(2.0)) * CPU_OPERATOR_COST;
    startup += descent;
    total += saScans * descent;
  }
  const pageDescent = (size.height + 1) * 50.0 * CPU_OPERATOR_COST;
  startup += pageDescent;
  total += saScans * pageDescent;
  return { startup, total };
}

const opsCost = (n: number) => { let c = 0; for (let i = 0; i < n; i++) c += CPU_OPERATOR_COST; return c; };

/**
 * cost_index for an Index Scan (or Index Only Scan) whose index conditions select `indexSel` with `qualOps`
 * operators; `otherOps`: the other conditions, evaluated per fetched tuple. correlation: the column's (0 if none).
 */
export function costIndexPath(rel: ScanRel, index: BtreeIndex, indexSel: number, qualOps: number, otherOps: number, uniqueEq: boolean,
  correlation: number, indexOnly: boolean, saScans = 1): PathEst | null {
  const idx = btcostestimate(rel, index, indexSel, qualOps, uniqueEq, saScans);
  const size = indexSize(rel.table, index);
  if (!idx || !size) return null;
  const startup = idx.startup;
  let run = idx.total - idx.startup;
  const tuplesFetched = clampRowEst(indexSel * rel.tuples);
  let pagesFetched = indexPagesFetched(tuplesFetched, rel.pages, rel.pages + size.pages);
  if (indexOnly) pagesFetched = Math.ceil(pagesFetched * (1.0 - rel.allvisfrac));
  const maxIO = pagesFetched * RANDOM_PAGE_COST;
  pagesFetched = Math.ceil(indexSel * rel.pages);
  if (indexOnly) pagesFetched = Math.ceil(pagesFetched * (1.0 - rel.allvisfrac));
  let minIO = 0;
  if (pagesFetched > 0) {
    minIO = RANDOM_PAGE_COST;
    if (pagesFetched > 1) minIO += (pagesFetched - 1) * SEQ_PAGE_COST;
  }
  const csquared = correlation * correlation;
  run += maxIO + csquared * (minIO - maxIO);
  const cpuPerTuple = CPU_TUPLE_COST + opsCost(otherOps);
  run += cpuPerTuple * tuplesFetched;
  return { startup, total: startup + run, rows: rel.rows };
}

/** cost_bitmap_heap_scan over one Bitmap Index Scan (cost_bitmap_tree_node, compute_bitmap_pages). */
export function costBitmapHeapPath(rel: ScanRel, index: BtreeIndex, indexSel: number, qualOps: number, uniqueEq: boolean, saScans = 1): PathEst | null {
  const idx = btcostestimate(rel, index, indexSel, qualOps, uniqueEq, saScans);
  if (!idx) return null;
  // the index path's total, plus a tenth of an operator per row it is expected to return (its rows: the rel's)
  const est = bitmapHeap(rel, idx.total + 0.1 * CPU_OPERATOR_COST * rel.rows, indexSel);
  return { ...est, indexTotal: idx.total, indexRows: clampRowEst(indexSel * rel.tuples) };
}

/**
 * cost_bitmap_and_node then cost_bitmap_heap_scan: the bitmaps' tree costs (each Bitmap Index Scan's total plus a
 * tenth of an operator per row) summed with 100 operator costs per extra input, their selectivities multiplied.
 */
export function costBitmapAndPath(rel: ScanRel, parts: { indexTotal: number; sel: number }[]): PathEst {
  let total = 0, selec = 1.0;
  parts.forEach((p, i) => {
    selec *= p.sel;
    total += p.indexTotal + 0.1 * CPU_OPERATOR_COST * rel.rows;
    if (i > 0) total += 100.0 * CPU_OPERATOR_COST;
  });
  return bitmapHeap(rel, total, selec);
}

function bitmapHeap(rel: ScanRel, indexTotalCost: number, indexSel: number): PathEst {
  const tuplesFetched = clampRowEst(indexSel * rel.tuples);
  const T = rel.pages > 1 ? rel.pages : 1.0;
  let pagesFetched = (2.0 * T * tuplesFetched) / (2.0 * T + tuplesFetched);
  pagesFetched = pagesFetched >= T ? T : Math.ceil(pagesFetched);
  const startup = indexTotalCost;
  const costPerPage = pagesFetched >= 2.0 ? RANDOM_PAGE_COST - (RANDOM_PAGE_COST - SEQ_PAGE_COST) * Math.sqrt(pagesFetched / T) : RANDOM_PAGE_COST;
  let run = pagesFetched * costPerPage;
  const cpuPerTuple = CPU_TUPLE_COST + opsCost(rel.allOps);
  run += cpuPerTuple * tuplesFetched;
  return { startup, total: startup + run, rows: rel.rows };
}
