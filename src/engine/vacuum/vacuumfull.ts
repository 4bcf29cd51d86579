/**
 * VACUUM FULL: rewrite the table into a new file, leaving the dead versions behind.
 *
 * Lazy VACUUM frees space inside the pages but never gives a half-empty page back; VACUUM FULL copies every row
 * version somebody may still need into a brand-new relfilenode, packed from block 0, rebuilds every index over
 * it, and drops the old files at commit. It holds an AccessExclusiveLock throughout (no reader, no writer), takes a
 * transaction id (it changes pg_class), and freezes as it copies — CLUSTER's cutoffs use a freeze age of 0, so
 * every copied tuple whose xmin committed before the horizon gets HEAP_XMIN_FROZEN, and relfrozenxid becomes the
 * horizon. The copies keep their t_xmin / t_xmax; HOT chains are not kept (HEAP_HOT_UPDATED and
 * HEAP_ONLY_TUPLE are cleared, every version gets an index entry), each t_ctid points at the copy of its successor.
 *
 * Worked example (tests/scenarios/vacuum/full.spec, recorded on PostgreSQL 15): t has ids 1..10 at (0,1)..(0,10),
 * ids 1..4 deleted and id 5 updated to (0,11). VACUUM (FULL, VERBOSE) t says "found 5 removable, 6 nonremovable row
 * versions in 1 pages"; the new block 0 holds ids 6..10 at (0,1)..(0,5) and id 5 at (0,6), all frozen
 * (t_infomask 2816; 11008 for the updated one), pd_lower 48; the free space and visibility maps start empty.
 *
 * Mirrors: src/backend/commands/cluster.c (cluster_rel, rebuild_relation, copy_table_data),
 * access/heap/heapam_handler.c (heapam_relation_copy_for_cluster), rewriteheap.c (rewrite_heap_tuple).
 * The new pages are WAL-logged whole, one XLOG/FPI record each (log_newpage), not as row inserts: REDO after a crash
 * restores them from the images, so the copies keep their original xmins, frozen bits and links.
 * Simplifications: the rebuilt indexes log nothing (PostgreSQL's btree build logs its pages as FPI records too;
 * the engine writes them straight to disk); the TOAST table is not rewritten: a table whose TOAST table holds chunks is refused 0A000.
 */
import { notSupported } from '../errors.js';
import { copyValues } from '../heap/heaptoast.js';
import type { Executor } from '../executor/executor.js';
import type { Session } from '../session/session.js';
import { heapGetattrs, type Table } from '../catalog/catalog.js';
import { leafOrder } from '../index/nbtcompare.js';
import type { Item } from '../heap/tuple.js';
import type { BtreeIndex } from '../index/btree.js';
import { HeapRelation, packTid, tidBlock, tidOffset } from '../heap/heap.js';
import {
  LpFlags, HEAP_XMIN_COMMITTED, HEAP_XMIN_FROZEN, HEAP_NATTS_MASK,
} from '../heap/tuple.js';
import { WalKind } from '../wal/wal.js';
import { pageImage } from '../buffer/bufmgr.js';
import type { NewPagePayload } from '../wal/records.js';
import { LockMode } from '../lock/lock.js';
import { saveTableDef, makeNewHeap, rebuildIndexes, lockToastRel } from '../commands/relfile.js';
import { satisfiesVacuum, VacState } from './vacuum.js';
import { removableHorizon, vacuumContext } from './pruneheap.js';
import type { Gen } from '../executor/util.js';
import type { PgMessage } from '../errors.js';

/** HEAP_XACT_MASK: the infomask bits about transactions (what a copy keeps; the rest is recomputed) */
const HEAP_XACT_MASK = 0xfff0;

/** VACUUM FULL, or CLUSTER (commands/cluster.ts) when `clusterOn` names the index whose order the copy takes. */
export function* vacuumFull(ex: Executor, s: Session, t: Table, verbose: boolean, clusterOn?: BtreeIndex): Gen<void> {
  yield* ex.lockRelation(s, t, LockMode.AccessExclusive, false); // (each index is locked when it is rebuilt)
  // the rewrite of a TOAST table that holds chunks (a new TOAST table, the values copied over) is not modelled
  if (t.toast?.heap.pages.length) throw notSupported(`${clusterOn ? 'CLUSTER' : 'VACUUM FULL'} of a table with values stored out of line in its TOAST table`);
  const eng = ex.eng;
  eng.ensureTopXid(s);
  const oldestXmin = removableHorizon(eng);
  const ctx = vacuumContext(eng, oldestXmin);
  if (verbose) s.acc.notices.push({ severity: 'INFO', sqlstate: '00000', message: `vacuuming "public.${t.name}"` } as PgMessage);
  // heapam_relation_copy_for_cluster: the old heap in physical order; the dead stay behind
  const kept: { item: Item; tid: number }[] = [];
  let removable = 0, recentlyDead = 0;
  const oldPages = t.heap.pages.length;
  for (const page of t.heap.pages) {
    page.items.forEach((it, k) => {
      if (it.lpFlags !== LpFlags.NORMAL) return;
      const v = satisfiesVacuum(it, ctx);
      if (v === VacState.Dead) { removable++; return; }
      if (v === VacState.RecentlyDead) recentlyDead++;
      // the rewrite copies a compressed value as it is
      kept.push({ item: { ...it, values: copyValues(it.values) }, tid: packTid(page.blkno, k + 1) });
    });
  }
  if (clusterOn) { // copy_table_data with an index: the versions in the index's key order (ties by TID)
    const keyed = kept.map((k) => ({ k, key: clusterOn.keyValues(heapGetattrs(t, k.item.values)), tid: k.tid }));
    keyed.sort(leafOrder);
    kept.splice(0, kept.length, ...keyed.map((e) => e.k));
  }
  s.tx!.undo.push(saveTableDef(ex, t));
  // make_new_heap + swap_relation_files: a new relfilenode (the transient table takes 3 OIDs, its TOAST table and
  // index 2 more — their files are swapped by content, so the table keeps its TOAST OIDs), each index rebuilt
  // into a new one too
  makeNewHeap(ex, s, t);
  if (t.toastOids) lockToastRel(ex, s, t.toastOids.rel); // copy_table_data locks the old TOAST table
  const moved = new Map<number, number>();
  const copies: { item: Item; old: Item }[] = [];
  // raw_heap_insert: the copy goes straight onto the new file's pages (no Heap INSERT record: the pages are logged
  // whole below), packed from block 0 as the fill factor allows
  const write = (k: { item: Item; tid: number }) => {
    const item: Item = { ...k.item, lpFlags: LpFlags.NORMAL, lpOff: 0 };
    const page = t.heap.pageFor(item.lpLen);
    const off = HeapRelation.addItem(page, item);
    item.ctidBlock = page.blkno; item.ctidOffset = off;
    moved.set(k.tid, packTid(page.blkno, off));
    copies.push({ item, old: k.item });
  };
  // rewrite_heap_tuple: an updated version whose successor is copied too waits until that successor is written
  // (it must point at the copy), then follows it; "unresolved" tuples keyed by the successor's old TID
  const keptTids = new Set(kept.map((k) => k.tid));
  const unresolved = new Map<number, { item: Item; tid: number }>();
  for (const k of kept) {
    const next = packTid(k.item.ctidBlock, k.item.ctidOffset);
    if (next !== k.tid && keptTids.has(next) && !moved.has(next)) { unresolved.set(next, k); continue; }
    write(k);
    for (let cur = k.tid, held = unresolved.get(cur); held; cur = held.tid, held = unresolved.get(cur)) {
      unresolved.delete(cur);
      write(held);
    }
  }
  for (const k of unresolved.values()) write(k); // a successor that never came (cannot happen: a safety net)
  // the copy keeps the original's transaction fields; heap_freeze_tuple with FreezeXid = the horizon
  for (const { item, old } of copies) {
    item.xmin = old.xmin; item.xmax = old.xmax; item.field3 = old.field3;
    item.infomask = (item.infomask & ~HEAP_XACT_MASK) | (old.infomask & HEAP_XACT_MASK);
    item.infomask2 = old.infomask2 & HEAP_NATTS_MASK;
    if (item.infomask & HEAP_XMIN_COMMITTED && item.xmin < oldestXmin) item.infomask |= HEAP_XMIN_FROZEN;
    // t_ctid: the copy of the version it led to, or itself (heapInsert's) when that one was left behind
    const to = moved.get(packTid(old.ctidBlock, old.ctidOffset));
    if (to !== undefined) { item.ctidBlock = tidBlock(to); item.ctidOffset = tidOffset(to); }
  }
  // log_newpage of every page of the new file (XLOG/FPI: 49 bytes of headers and the page without its hole,
  // tests/scenarios/durability/vacuum-full-crash.out); the pages are written straight to disk and synced
  for (const page of t.heap.pages) {
    const image = page.lower + (8192 - page.upper);
    page.lsn = eng.wal.insert(WalKind.XlogFpi, s.tx!.writeXid, 49, t.oid, page.blkno, 0, image, { image: pageImage(page) } satisfies NewPagePayload);
    t.heap.disk[page.blkno] = pageImage(page);
  }
  eng.wal.noteBackendInsert(s.name);
  s.tx!.cidUsed = true;
  // reindex_relation: each index in turn gets its new file and is built over the new heap
  if (t.toastOids) lockToastRel(ex, s, t.toastOids.index); // swap_relation_files: the TOAST indexes swapped by content
  rebuildIndexes(ex, s, t);
  t.relfrozenxid = oldestXmin;
  t.relminmxid = eng.multis.next;
  t.toastFrozenXid = undefined;
  t.stats = { relpages: t.heap.pages.length, reltuples: kept.length, relallvisible: 0 };
  t.heap.targetBlock = -1;
  if (verbose) {
    s.acc.notices.push({
      severity: 'INFO', sqlstate: '00000', message: `"public.${t.name}": found ${removable} removable, ${kept.length} nonremovable row versions in ${oldPages} pages`,
      detail: `${recentlyDead} dead row versions cannot be removed yet.\nCPU: user: 0.00 s, system: 0.00 s, elapsed: 0.00 s.`,
    } as PgMessage);
  }
  if (eng.tracer.wants('wal')) eng.tracer.emit({ kind: 'wal', session: s.name, rel: t.name, text: `VACUUM FULL ${t.name}: ${kept.length} row version(s) copied into relfilenode ${t.relfilenode} (${t.heap.pages.length} page(s), was ${oldPages}), ${removable} dead left behind, indexes rebuilt` });
}
