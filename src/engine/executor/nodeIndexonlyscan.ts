/**
 * Index Only Scan: answer from the index alone when every column the query uses is in it.
 *
 * An index entry holds the key and a TID, not the row's visibility: whether the version it points at is visible
 * to the snapshot is written only in the heap tuple's header. The visibility map settles it without the heap when
 * the TID's block is all-visible (every tuple on it is visible to everyone); for any other block the scan reads
 * the heap tuple as an Index Scan would. EXPLAIN ANALYZE counts those visits as "Heap Fetches":
 *
 *     2,000 rows, never vacuumed:  SELECT id FROM big WHERE id = 5   → Index Only Scan … Heap Fetches: 1
 *     after VACUUM (all-visible):  the same query                     → Heap Fetches: 0
 *     after an UPDATE on block 0:  the same query                     → Heap Fetches: 1 (the bit is cleared)
 *
 * PostgreSQL 15 chooses it (enable_indexonlyscan) whenever the index covers the query, with or without the
 * visibility map: its cost only gets cheaper as more blocks are all-visible.
 *
 * Mirrors: src/backend/executor/nodeIndexonlyscan.c (IndexOnlyNext, VM_ALL_VISIBLE), optimizer/path/indxpath.c
 * (check_index_only). Simplifications: the rows are fetched as the Index Scan path fetches them (reading an
 * all-visible block changes nothing: its tuples carry their hint bits already), and the heap fetches are counted
 * over every TID the index condition matches — a LIMIT that stops the scan early is not taken into account.
 */
import type { Table } from '../catalog/catalog.js';
import type { ScanPath } from '../optimizer/planner.js';
import { tidBlock } from '../heap/heap.js';
import { vmStatus, VISIBILITYMAP_ALL_VISIBLE } from '../heap/visibilitymap.js';
import { collectColumnRefs, type N } from './util.js';

/**
 * check_index_only: an index path whose index holds (as key or INCLUDE column) every column the query refers to.
 * A `*` (or `t.*`) in the select list is its columns, expanded at parse analysis; a whole-row reference anywhere
 * else (row_to_json(t.*), count(t.*)) needs the whole row, which no index returns. enable_indexonlyscan = off
 * (`enabled` false) keeps the plain Index Scan. A hash index keeps hash codes, not keys (no amcanreturn).
 */
export function isIndexOnly(path: ScanPath, t: Table, n: N, enabled = true): boolean {
  if (!enabled || (path.kind !== 'IndexScan' && path.kind !== 'IndexScanOrdered')) return false;
  if (path.index.am !== 'btree') return false;
  const targets = (n.targetList ?? []) as N[];
  const isStar = (x: N) => { const f = x.ResTarget?.val?.ColumnRef?.fields as N[] | undefined; return !!f?.[f.length - 1]?.A_Star; };
  const refs = new Set<string>();
  if (targets.some(isStar)) for (const c of t.columns) if (!c.dropped) refs.add(c.name);
  const rest = targets.filter((x) => !isStar(x));
  if (JSON.stringify([rest, n.whereClause, n.sortClause, n.groupClause, n.havingClause, n.distinctClause]).includes('"A_Star"')) return false;
  for (const part of [rest, n.whereClause, n.sortClause, n.groupClause, n.havingClause, n.distinctClause]) collectColumnRefs(part, refs);
  const covered = new Set([...path.index.columns, ...path.index.include].filter((c) => c >= 0).map((c) => t.columns[c]!.name));
  return [...refs].every((r) => covered.has(r));
}

/** Heap Fetches: the matching index entries whose heap block the visibility map does not call all-visible. */
export function heapFetches(path: ScanPath, t: Table): number {
  const tids: number[] = [];
  if (path.kind === 'IndexScan') tids.push(...path.index.lookup(path.key));
  else if (path.kind === 'IndexScanOrdered') {
    for (const [k, v] of path.index.entries) { if (path.range && !path.range(k)) continue; if (typeof v === 'number') tids.push(v); else tids.push(...v); }
  }
  return tids.filter((tid) => !(vmStatus(t.heap, tidBlock(tid)) & VISIBILITYMAP_ALL_VISIBLE)).length;
}
