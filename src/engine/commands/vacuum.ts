/**
 * VACUUM and ANALYZE as statements: prune every page (dead versions out, HOT chains redirected), remove the index
 * entries of dead line pointers, mark those line pointers unused, set the visibility map bit of all-visible pages,
 * record the free space, and update relpages/reltuples. Pages a waiting backend has pinned are skipped.
 *
 * Mirrors: src/backend/commands/vacuum.c, access/heap/vacuumlazy.c (lazy_scan_heap, lazy_vacuum_heap_page),
 * commands/analyze.c (the relpages/reltuples part). Simplifications: no freezing (VACUUM FREEZE is 0A000), no
 * truncation of empty trailing pages, no VACUUM FULL, no VERBOSE output.
 */
import type { Executor } from '../executor/executor.js';
import { PgError, notSupported, posOf } from '../errors.js';
import type { Session, QueryResult } from '../session/session.js';
import type { Table } from '../catalog/catalog.js';
import { HeapRelation, packTid, formatTid } from '../heap/heap.js';
import { prunePage, reclaimDead, removeIndexEntries } from '../vacuum/vacuum.js';
import { removableHorizon, vacuumContext, isPinned } from '../vacuum/pruneheap.js';
import type { Page } from '../heap/heap.js';
import { PD_ALL_VISIBLE } from '../heap/heap.js';
import { LpFlags, HEAP_XMAX_LOCK_ONLY } from '../heap/tuple.js';
import { groupKey } from '../sql/types.js';
import { utf8Len } from '../sql/utf8.js';
import {
  satisfiesMVCC, VIS_VISIBLE, 
} from '../visibility/visibility.js';
import { WalKind, formatLsn } from '../wal/wal.js';
import { reportVacuumOf, reportAnalyzeOf } from '../pgstat/report.js';
import { advanceCatalogFrozenXid } from '../postmaster/autovacuum.js';
import { heap2Payload, type BtreeVacuumPayload } from '../wal/records.js';
import {
  N, VACUUM_OPTIONS, ANALYZE_OPTIONS, 
} from '../executor/util.js';

/**
 * ANALYZE only feeds the planner, which this engine does not have: it is accepted, and like PostgreSQL it gives
 * its transaction an xid when it writes statistics (the table has rows). VACUUM is accepted while there is
 * nothing for it to remove (it then only sets hint bits, as reading does); removing dead versions is not modelled.
 */
export function vacuumStmt(ex: Executor, s: Session, n: N): QueryResult {
  const isVacuum = n.is_vacuumcmd === true;
  const opts = ((n.options ?? []) as N[]).map((o) => String(o.DefElem.defname));
  // ExecVacuum: PostgreSQL 15's options (16 added process_main, buffer_usage_limit, skip_database_stats, ...)
  const known = isVacuum ? VACUUM_OPTIONS : ANALYZE_OPTIONS;
  for (const o of (n.options ?? []) as N[]) {
    if (!known.has(o.DefElem.defname)) throw new PgError('42601', `unrecognized ${isVacuum ? 'VACUUM' : 'ANALYZE'} option "${o.DefElem.defname}"`, { position: posOf(o.DefElem.location) });
  }
  if (((n.options ?? []) as N[]).some((o) => o.DefElem.defname === 'index_cleanup' && /^(off|false|0|no)$/i.test(String(o.DefElem.arg?.String?.sval ?? o.DefElem.arg?.A_Const?.sval?.sval ?? o.DefElem.arg?.A_Const?.boolval?.boolval ?? '')))) {
    throw notSupported('VACUUM (INDEX_CLEANUP OFF)');
  }
  if (isVacuum && s.block !== 'none') throw new PgError('25001', 'VACUUM cannot run inside a transaction block');
  if (opts.includes('full')) throw notSupported('VACUUM FULL');
  if (opts.includes('freeze')) throw notSupported('VACUUM FREEZE');
  const analyze = !isVacuum || opts.includes('analyze');
  const rels = ((n.rels ?? []) as N[]).map((r) => ex.table(r.VacuumRelation.relation));
  const tables = rels.length ? rels : [...ex.eng.catalog.tables.values()];
  if (isVacuum) for (const t of tables) { ex.vacuumTable(s, t); reportVacuumOf(ex.eng, t, false); }
  if (isVacuum && !rels.length) advanceCatalogFrozenXid(ex.eng, false); // a database-wide VACUUM also does the catalogs
  for (const t of tables) ex.updateStats(s, t);
  if (analyze) for (const t of tables) reportAnalyzeOf(ex.eng, s, t, false);
  if (analyze) {
    const snap = ex.eng.snapshotFor(s);
    const vctx = ex.eng.visibilityContext(s);
    const anyRows = tables.some((t) => t.heap.pages.some((p) => p.items.some((it) => it.lpFlags === LpFlags.NORMAL && VIS_VISIBLE[satisfiesMVCC(it, snap, vctx)])));
    if (anyRows) ex.eng.ensureTopXid(s);
  }
  return { command: isVacuum ? 'VACUUM' : 'ANALYZE', columns: null, rows: [] };
}

/** relpages / reltuples as VACUUM, ANALYZE and index builds record them. */
export function updateStats(ex: Executor, s: Session, t: Table) {
  t.heap.targetBlock = -1; // pg_class is updated: the relation's cache entry is rebuilt (relcache invalidation)
  let live = 0;
  // n_distinct per column over the live rows (the planner's "is this join key unique?", optimizer/plancat.ts)
  const seen = t.columns.map(() => new Set<unknown>()); // one column's values are of one type: numbers and strings as they are
  const nonNull = t.columns.map(() => 0);
  const bytes = t.columns.map(() => 0);
  for (const p of t.heap.pages) {
    for (const it of p.items) {
      if (it.lpFlags === LpFlags.NORMAL && !(it.infomask & 0x0200) && (it.infomask & 0x0800 || it.infomask & HEAP_XMAX_LOCK_ONLY || it.xmax === 0)) {
        live++;
        it.values.forEach((v, c) => { if (v !== null && c < seen.length) { seen[c]!.add(typeof v === 'object' ? groupKey(v)! : v); nonNull[c]!++; if (typeof v === 'string') bytes[c]! += varlenaSize(v); } });
      }
    }
  }
  // every non-null value distinct: -1 (a fraction of the rows, as pg_statistic keeps it), else the count
  const distinct = seen.map((set, c) => (set.size > 0 && set.size === nonNull[c] ? -1 : set.size));
  // stawidth: the average stored size of a varlena value (a short one has a 1-byte header), truncated to int
  const widths = t.columns.map((col, c) => (['text', 'varchar'].includes(col.type.name) && nonNull[c]! > 0 ? Math.trunc(bytes[c]! / nonNull[c]!) : null));
  const nullfrac = t.columns.map((_, c) => (live > 0 ? (live - nonNull[c]!) / live : 0));
  t.stats = { relpages: t.heap.pages.length, reltuples: live, distinct, nullfrac, widths };
  void s;
}

/** VARSIZE_ANY of an uncompressed text value: a 1-byte header up to 126 bytes of data, else 4 (toast is not modelled). */
const varlenaSize = (v: string) => { const n = utf8Len(v); return n + 1 <= 127 ? n + 1 : n + 4; };

/** Lazy VACUUM of one table: prune every page, clean the index, reclaim dead line pointers (vacuum/). */
export function vacuumTable(ex: Executor, s: Session, t: Table) {
  const eng = ex.eng;
  const tracer = eng.tracer;
  const oldestXmin = removableHorizon(eng);
  const ctx = vacuumContext(eng, oldestXmin);
  const deadByPage = new Map<number, number[]>();
  const deadTids = new Set<number>();
  let removed = 0, visible = 0;
  const setVisible = (blk: number) => {
    const page = t.heap.pages[blk]!;
    if (page.flags & PD_ALL_VISIBLE) return;
    page.flags |= PD_ALL_VISIBLE;
    const fpi = eng.wal.fullPageWrites && (t.vmLsn ?? 0) <= eng.wal.redoLsn ? 8192 : 0; // first change of the VM page since the checkpoint
    t.vmLsn = eng.wal.insert(WalKind.Heap2Visible, 0, 64, t.oid, blk, 0, fpi);
    visible++;
  };
  // a Heap2 record carries the page's line pointers after the operation, and a full-page image if it is the
  // page's first change since the checkpoint (like every registered buffer)
  const logHeap2 = (kind: WalKind, len: number, page: Page) => {
    const fpi = eng.wal.needsFpi(page.lsn) ? page.lower + (8192 - page.upper) : 0;
    page.lsn = eng.wal.insert(kind, 0, len, t.oid, page.blkno, 0, fpi, heap2Payload(page, fpi > 0, kind === WalKind.Heap2FreezePage));
  };
  // first pass, page by page: prune (+ freeze what must be), and mark pages without dead items all-visible
  for (const page of t.heap.pages) {
    if (isPinned(eng, t.oid, page.blkno, s.id)) continue; // lazy_scan_noprune: no cleanup lock on a pinned page
    const r = prunePage(page, ctx);
    if (r.pruned) {
      logHeap2(WalKind.Heap2Prune, 58, page); removed += r.unused + r.deadItems.length + r.redirected;
      if (tracer.wants('prune')) {
        // one event per line pointer pruning changed, each with the page as pruned (the record is one Heap2/PRUNE)
        for (const off of r.changed) {
          const it = page.items[off - 1]!;
          const what = it.lpFlags === LpFlags.REDIRECT ? `LP_REDIRECT → ${formatTid(page.blkno, it.lpOff)} (the HOT chain's root stays, so index entries pointing at it still lead to the live version)`
            : it.lpFlags === LpFlags.DEAD ? 'LP_DEAD (the tuple is gone; the line pointer stays until the index entries pointing at it are removed)'
              : it.lpFlags === LpFlags.UNUSED ? 'LP_UNUSED (a heap-only tuple no index points at: free at once)' : 'kept';
          tracer.emit({ kind: 'prune', session: s.name, rel: t.name, blk: page.blkno, off, lsn: formatLsn(page.lsn), outcome: ['unused', 'normal', 'redirect', 'dead'][it.lpFlags],
            text: `VACUUM prunes ${t.name} ${formatTid(page.blkno, off)} (dead to everyone: older than the horizon ${oldestXmin}) → ${what}` });
        }
        tracer.emit({ kind: 'wal', session: s.name, rel: t.name, blk: page.blkno, lsn: formatLsn(page.lsn), text: `WAL record appended: Heap2/PRUNE for ${t.name} block ${page.blkno}; page LSN → ${formatLsn(page.lsn)}` });
      }
    }
    if (r.frozen) logHeap2(WalKind.Heap2FreezePage, 64, page);
    // every LP_DEAD line pointer, also those a reader's pruning left earlier (lazy_scan_prune collects them all)
    const deadItems: number[] = [];
    page.items.forEach((it, k) => { if (it.lpFlags === LpFlags.DEAD) deadItems.push(k + 1); });
    if (deadItems.length) {
      deadByPage.set(page.blkno, deadItems);
      for (const off of deadItems) deadTids.add(packTid(page.blkno, off));
    } else if (r.allVisible) setVisible(page.blkno);
  }
  // index vacuum, then the second heap pass over pages that had dead line pointers
  if (deadTids.size) {
    const before = t.indexes.map((i) => i.count);
    removeIndexEntries(t, deadTids);
    t.indexes.forEach((i, k) => {
      if (i.count === before[k]) return;
      i.leafLsn = eng.wal.insert(WalKind.BtreeVacuum, 0, 56, i.oid, i.leafBlock, 0, 0, { deadTids } satisfies BtreeVacuumPayload);
      if (tracer.wants('index')) tracer.emit({ kind: 'index', session: s.name, rel: t.name, lsn: formatLsn(i.leafLsn), text: `VACUUM removes ${before[k]! - i.count} entr${before[k]! - i.count === 1 ? 'y' : 'ies'} from index ${i.name} pointing at LP_DEAD line pointers (${[...deadByPage].flatMap(([b, o]) => o.map((x) => formatTid(b, x))).slice(0, 8).join(', ')}); Btree/VACUUM` });
    });
    for (const [blk, offs] of deadByPage) {
      const page = t.heap.pages[blk]!;
      reclaimDead(page, offs);
      logHeap2(WalKind.Heap2Vacuum, 58, page);
      if (tracer.wants('prune')) {
        for (const off of offs) tracer.emit({ kind: 'prune', session: s.name, rel: t.name, blk, off, lsn: formatLsn(page.lsn), outcome: 'unused', text: `VACUUM's second pass: ${t.name} ${formatTid(blk, off)} LP_DEAD → LP_UNUSED (no index entry points at it any more; the slot can be reused)` });
        tracer.emit({ kind: 'wal', session: s.name, rel: t.name, blk, lsn: formatLsn(page.lsn), text: `WAL record appended: Heap2/VACUUM for ${t.name} block ${blk}; page LSN → ${formatLsn(page.lsn)}` });
      }
      if (prunePage(page, ctx).allVisible) setVisible(blk);
    }
  }
  // the free space map learns each page's room; updating pg_class rebuilds the relation's cache entry, which
  // forgets the target block — the next INSERT asks the FSM and may go back to an earlier page
  for (const page of t.heap.pages) t.heap.fsm.set(page.blkno, HeapRelation.freeSpace(page));
  t.heap.targetBlock = -1;
  if (eng.tracer.wants('wal')) eng.tracer.emit({ kind: 'wal', session: s.name, rel: t.name, text: `VACUUM ${t.name}: horizon ${oldestXmin}; ${removed} dead version(s) pruned, ${deadTids.size} index entr${deadTids.size === 1 ? 'y' : 'ies'} removed, ${visible} page(s) now all-visible` });
}
