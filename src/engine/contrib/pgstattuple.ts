/**
 * pgstattuple: how much of a table is live rows, dead rows and free space — the bloat VACUUM removes.
 *
 *     CREATE EXTENSION pgstattuple;
 *     SELECT tuple_percent, dead_tuple_percent, free_percent FROM pgstattuple('t');
 *     -- after deleting 40 % of 2,000 rows:  52.08 | 34.72 | 2     (the dead rows still take their room)
 *     -- after VACUUM:                        52.08 | 0     | 36.77 (their room is free space now, reusable)
 *
 * pgstattuple() reads every block: each tuple with a normal line pointer is live if the dirty snapshot sees it
 * (committed and not deleted, or still in progress), dead otherwise; the free space is PageGetHeapFreeSpace of
 * every block; percentages are of the table's length, printed with two decimals. pgstattuple_approx() skips the
 * blocks the visibility map says are all-visible (their free space comes from the free space map, their tuples
 * are estimated) and judges the others with HeapTupleSatisfiesVacuum.
 *
 * pgstatindex() reads a B-tree page by page: its depth, its leaf and internal pages, how full the leaves are and how
 * many lie out of key order.
 *
 * Mirrors: contrib/pgstattuple/pgstattuple.c (pgstat_heap), pgstatapprox.c (statapprox_heap), pgstatindex.c
 * (pgstatindex_impl). Simplifications: pgstattuple() of an index is refused (pgstatindex() answers); no page is
 * ever deleted or half-dead (empty_pages, deleted_pages 0), as nbtlayout.ts deletes none.
 */
import { PgError, notSupported } from '../errors.js';
import { indexLayout, pageFree } from '../index/nbtlayout.js';
import { register, type FuncDef, type CallCtx } from '../sql/funcs/registry.js';
import { T, type Value, type SqlType } from '../sql/types.js';
import { BLCKSZ, HeapRelation } from '../heap/heap.js';
import { LpFlags } from '../heap/tuple.js';
import { satisfiesDirty } from '../visibility/visibility.js';
import { floatIn } from '../adt/float.js';
import { host, relationArg } from './host.js';
import { percent2 } from './bytes.js';
import { vmStatus, VISIBILITYMAP_ALL_VISIBLE } from '../heap/visibilitymap.js';
import { fsmCategory } from '../heap/heap.js';
import { satisfiesVacuum, VacState } from '../vacuum/vacuum.js';
import { removableHorizon, vacuumContext } from '../vacuum/pruneheap.js';
import { countScan } from '../pgstat/pgstat_relation.js';

const EXT = 'pgstattuple';
const f8 = (s: string) => floatIn(s, false);

function pgstattuple(c: CallCtx, rel: Value): Value[][] {
  const { eng, session } = host(c);
  const { table, index } = relationArg(c, rel);
  if (index) throw notSupported('pgstattuple() of an index (pgstatindex() is modelled)');
  const vctx = eng.visibilityContext(session);
  let live = 0, liveLen = 0, dead = 0, deadLen = 0, free = 0;
  for (const p of table.heap.pages) {
    for (const it of p.items) {
      if (it.lpFlags !== LpFlags.NORMAL) continue;
      if (satisfiesDirty(it, vctx).visible) { live++; liveLen += it.lpLen; } else { dead++; deadLen += it.lpLen; }
    }
    free += HeapRelation.freeSpace(p);
  }
  // pgstat_heap reads the table through a heap scan (table_beginscan_strat, SnapshotAny): a seq_scan in
  // pg_stat_user_tables, every normal tuple a seq_tup_read (measured: vacuum/stats-setup.spec)
  countScan(session, table.oid, 'seq', live + dead);
  const len = table.heap.pages.length * BLCKSZ;
  return [[len, live, liveLen, f8(percent2(liveLen, len)), dead, deadLen, f8(percent2(deadLen, len)), free, f8(percent2(free, len))]];
}

function pgstattupleApprox(c: CallCtx, rel: Value): Value[][] {
  const { eng } = host(c);
  const { table, index } = relationArg(c, rel);
  if (index) throw notSupported('pgstattuple_approx of an index');
  const ctx = vacuumContext(eng, removableHorizon(eng));
  let scanned = 0, live = 0, liveLen = 0, dead = 0, deadLen = 0, free = 0;
  for (const p of table.heap.pages) {
    if (vmStatus(table.heap, p.blkno) & VISIBILITYMAP_ALL_VISIBLE) {
      // all-visible: not read; its free space from the FSM, the rest counted as live tuples
      const avail = fsmCategory(table.heap.fsm.get(p.blkno) ?? 0) * 32;
      liveLen += BLCKSZ - avail; free += avail;
      continue;
    }
    scanned++;
    free += HeapRelation.freeSpace(p);
    for (const it of p.items) {
      if (it.lpFlags !== LpFlags.NORMAL) continue;
      const v = satisfiesVacuum({ ...it }, ctx);
      if (v === VacState.Live || v === VacState.DeleteInProgress) { live++; liveLen += it.lpLen; } else { dead++; deadLen += it.lpLen; }
    }
  }
  const n = table.heap.pages.length;
  const len = n * BLCKSZ;
  const count = estimateReltuples(table.stats, n, scanned, live);
  // scanned_percent = 100 * scanned / nblocks in BlockNumber (integer) arithmetic; the others in double
  const pct = (x: number) => floatIn(n ? String((100 * x) / len) : '0', false);
  return [[len, floatIn(n ? String(Math.floor((100 * scanned) / n)) : '0', false), count, liveLen, pct(liveLen), dead, deadLen, pct(deadLen), free, pct(free)]];
}

/**
 * pgstatindex: a B-tree's pages as nbtree laid them out (index/nbtlayout.ts), the metapage left out of the counts
 * but not out of index_size; avg_leaf_density is 100 − free / room of the leaves (room: pd_special less the page
 * header, 8,152 bytes), leaf_fragmentation the share of leaves whose right sibling lies on an earlier block.
 */
function pgstatindex(c: CallCtx, rel: Value): Value[][] {
  const { table, index } = relationArg(c, rel);
  if (!index) throw new PgError('42809', `relation "${table.name}" is not a btree index`);
  if (index.am !== 'btree') throw new PgError('42809', `relation "${index.name}" is not a btree index`);
  const layout = indexLayout(index, table.types);
  let internal = 0, leaves = 0, room = 0, free = 0, fragments = 0;
  layout.pages.forEach((p, blk) => {
    if (!p) return;
    if (p.level > 0) { internal++; return; }
    leaves++; room += BTREE_PAGE_ROOM; free += pageFree(p);
    if (p.next !== 0 && p.next < blk) fragments++;
  });
  const size = (1 + internal + leaves) * BLCKSZ;
  const density = room > 0 ? f8(percent2(room - free, room)) : f8('NaN');
  const frag = leaves > 0 ? f8(percent2(fragments, leaves)) : f8('NaN');
  return [[4, layout.level, size, layout.root, internal, leaves, 0, 0, density, frag]];
}
/** BLCKSZ − (BLCKSZ − pd_special + SizeOfPageHeaderData): a B-tree page's room for items */
const BTREE_PAGE_ROOM = 8176 - 24;

/** vac_estimate_reltuples: the scanned blocks' count, plus the old density (pg_class) for the blocks not read. */
export function estimateReltuples(stats: { relpages: number; reltuples: number } | undefined, total: number, scanned: number, scannedTuples: number): number {
  if (scanned >= total) return scannedTuples;
  if (scanned === 0) return stats?.reltuples ?? 0;
  if (!stats || stats.relpages === 0 || stats.reltuples < 0) return Math.floor((scannedTuples / scanned) * total + 0.5);
  return Math.floor((stats.reltuples / stats.relpages) * (total - scanned) + scannedTuples + 0.5);
}

const STAT_COLUMNS: [string, SqlType][] = [
  ['table_len', T.int8], ['tuple_count', T.int8], ['tuple_len', T.int8], ['tuple_percent', T.float8], ['dead_tuple_count', T.int8],
  ['dead_tuple_len', T.int8], ['dead_tuple_percent', T.float8], ['free_space', T.int8], ['free_percent', T.float8],
];
const APPROX_COLUMNS: [string, SqlType][] = [
  ['table_len', T.int8], ['scanned_percent', T.float8], ['approx_tuple_count', T.int8], ['approx_tuple_len', T.int8], ['approx_tuple_percent', T.float8],
  ['dead_tuple_count', T.int8], ['dead_tuple_len', T.int8], ['dead_tuple_percent', T.float8], ['approx_free_space', T.int8], ['approx_free_percent', T.float8],
];

const INDEX_COLUMNS: [string, SqlType][] = [
  ['version', T.int4], ['tree_level', T.int4], ['index_size', T.int8], ['root_block_no', T.int8], ['internal_pages', T.int8], ['leaf_pages', T.int8],
  ['empty_pages', T.int8], ['deleted_pages', T.int8], ['avg_leaf_density', T.float8], ['leaf_fragmentation', T.float8],
];

const defs: FuncDef[] = [
  { name: 'pgstattuple', args: ['text'], ret: T.text, extension: EXT, table: { set: false, columns: STAT_COLUMNS, rows: ([r], c) => pgstattuple(c, r!) } },
  { name: 'pgstattuple', args: ['regclass'], ret: T.text, extension: EXT, table: { set: false, columns: STAT_COLUMNS, rows: ([r], c) => pgstattuple(c, r!) } },
  { name: 'pgstatindex', args: ['text'], ret: T.text, extension: EXT, table: { set: false, columns: INDEX_COLUMNS, rows: ([r], c) => pgstatindex(c, r!) } },
  { name: 'pgstatindex', args: ['regclass'], ret: T.text, extension: EXT, table: { set: false, columns: INDEX_COLUMNS, rows: ([r], c) => pgstatindex(c, r!) } },
  { name: 'pgstattuple_approx', args: ['regclass'], ret: T.text, extension: EXT, table: { set: false, columns: APPROX_COLUMNS, rows: ([r], c) => pgstattupleApprox(c, r!) } },
  {
    name: 'pg_relpages', args: ['text'], ret: T.int8, extension: EXT,
    build: ([a], c) => (r) => { const v = a!.fn(r); return v === null ? null : relationArg(c, v).table.heap.pages.length; },
  },
];
register(defs);
