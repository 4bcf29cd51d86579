/**
 * What DDL does to a table's storage, shared by ALTER TABLE and TRUNCATE: a new relfilenode, a table rewrite, an
 * index build, and the undo of a catalog change.
 *
 * A relation's pg_class row names its data file (relfilenode). TRUNCATE and a rewriting ALTER TABLE (ALTER COLUMN
 * TYPE, ADD COLUMN with a volatile DEFAULT) do not delete rows: they give the table a brand-new, empty file and
 * its indexes new empty files (RelationSetNewRelfilenode), fill them, and drop the old files at commit. A ROLLBACK
 * keeps the old files — nothing was changed in them:
 *
 *     relfilenode 16384: (0,1) (0,2) (0,3)       ALTER TABLE t ALTER COLUMN v TYPE bigint
 *     relfilenode 16390: (0,1) (0,2) (0,3)       every live row copied, xmin = the ALTER's xid, cmin = its cid
 *
 * Because the new file holds only the rows the rewrite's snapshot saw, with the rewriter's xid as xmin, a
 * REPEATABLE READ transaction that took its snapshot before sees them as not yet committed — and after TRUNCATE
 * the table looks empty to it: neither command is MVCC-safe (PostgreSQL documents this for TRUNCATE).
 *
 * A rewrite builds the new file as a transient table (make_new_heap: pg_temp_NNN, whose OID becomes the new file
 * number, +2 OIDs for its row and array types, +2 for a TOAST table and index when a column needs them) and swaps
 * it in (finish_heap_swap), then rebuilds each index by OID into a new file of its own (reindex_relation):
 *
 *     ALTER TABLE k ALTER COLUMN id TYPE bigint      (k: id PRIMARY KEY, v UNIQUE; N the next free OID)
 *       k_pkey recreated: OID N, its constraint N+1, an empty file N
 *       k's new file N+2 (the transient table; N+3, N+4 its types), the rows copied into it
 *       reindex by OID: k_v_key into file N+5, k_pkey into file N+6    (tests/scenarios/durability/rewrite-wal.out)
 *
 * Mirrors: src/backend/utils/cache/relcache.c (RelationSetNewRelfilenode), commands/tablecmds.c (ATRewriteTable),
 * commands/cluster.c (make_new_heap, finish_heap_swap), catalog/toasting.c (create_toast_table),
 * catalog/index.c (index_build, reindex_relation). Simplifications: the old file is not kept around until commit — the undo of an
 * aborted transaction puts the old heap and indexes back; WAL records written before the new file are skipped by
 * REDO (storageLsn) instead of naming an old relfilenode; a crash does not undo an uncommitted catalog change.
 */
import { logHeapInitFork, logIndexInitFork, INIT_FORK } from './unlogged.js';
import { needsToast } from '../heap/heaptoast.js';
import { notSupported } from '../errors.js';
import { makeToastTable } from '../catalog/toasting.js';
import { countScan } from '../pgstat/pgstat_relation.js';
import { logIndexBuild, logEmptyMetapage } from '../wal/nbtsort_xlog.js';
import { logAccessExclusiveLock } from '../wal/standby.js';
import { LockMode } from '../lock/lock.js';
import { btreePages } from '../sql/funcs/dbsize.js';
import { HashIndex } from '../index/hash.js';
import { estimateRelSize } from '../optimizer/plancat.js';
import type { Executor } from '../executor/executor.js';
import { PgError } from '../errors.js';
import type { Session } from '../session/session.js';
import { type Table, heapGetattrs } from '../catalog/catalog.js';
import { HeapRelation, packTid } from '../heap/heap.js';
import { BtreeIndex } from '../index/btree.js';
import { LpFlags, HEAP_ONLY_TUPLE, HEAP_HOT_UPDATED, tupleLengthPacked } from '../heap/tuple.js';
import { removableHorizon, vacuumContext } from '../vacuum/pruneheap.js';
import { VacState, satisfiesVacuum } from '../vacuum/vacuum.js';
import { heapInsert } from '../heap/heapam.js';
import { satisfiesMVCC, satisfiesDirty, VIS_VISIBLE } from '../visibility/visibility.js';
import type { Value } from '../sql/types.js';
import { WalKind } from '../wal/wal.js';
import { indexImage } from '../buffer/bufmgr.js';
import { hotChain } from '../executor/util.js';
import { grantLock } from '../lock/proc.js';

/** The rows a DDL check or rewrite sees: every version visible to a fresh snapshot (GetLatestSnapshot), deformed. */
export function latestRows(ex: Executor, s: Session, t: Table): Value[][] {
  const eng = ex.eng;
  const snap = eng.xacts.snapshot(s.tx!.xid, eng.clock.now);
  const vctx = eng.visibilityContext(s);
  const out: Value[][] = [];
  for (const page of t.heap.pages) {
    for (const item of page.items) {
      if (item.lpFlags !== LpFlags.NORMAL) continue;
      if (VIS_VISIBLE[satisfiesMVCC(item, snap, vctx)]) out.push(heapGetattrs(t, item.values));
    }
  }
  return out;
}

/** Everything a catalog change to `t` may touch, to put back if the transaction aborts. */
export function saveTableDef(ex: Executor, t: Table): () => void {
  ex.eng.catalog.generation++;
  const saved = {
    name: t.name, columns: t.columns.map((c) => ({ ...c })), checks: t.checks.slice(), indexes: t.indexes.slice(), heap: t.heap,
    fkeys: t.fkeys?.map((f) => ({ ...f })),
    keyColumns: new Set(t.keyColumns), indexedColumns: new Set(t.indexedColumns), types: t.types.slice(),
    fixedLength: t.fixedLength, stats: t.stats, relfilenode: t.relfilenode, reloptions: t.reloptions, storageLsn: t.storageLsn,
    fillfactor: t.heap.fillfactor, toastOids: t.toastOids, toast: t.toast,
  };
  return () => {
    const { fillfactor, ...rest } = saved;
    Object.assign(t, rest);
    t.heap.fillfactor = fillfactor;
  };
}

/** After the column list changed: the column types and the fixed-width fast path of the tuple length. */
export function refreshColumns(t: Table): void {
  t.types = t.columns.map((c) => c.type);
  t.fixedLength = t.columns.every((c) => !c.dropped && ['int2', 'int4', 'int8', 'bool'].includes(c.type.name))
    ? tupleLengthPacked(t.columns.map(() => 0), t.types) : undefined;
}

/** After the index list changed: which columns are indexed (HOT) and which are keys (key updates). */
export function refreshIndexColumns(t: Table): void {
  t.keyColumns = new Set(); t.indexedColumns = new Set();
  for (const i of t.indexes) {
    // a key for row locks only in a unique index with no expression or predicate (one a foreign key could use)
    for (const c of i.columns) { if (c < 0) continue; t.indexedColumns.add(c); if (i.unique && !i.def) t.keyColumns.add(c); }
    for (const c of [...i.include, ...(i.def?.cols ?? [])]) t.indexedColumns.add(c);
  }
}

/**
 * TRUNCATE's RelationSetNewRelfilenode for the table, its TOAST table and each index: new empty files (a
 * Storage/CREATE record each) in PostgreSQL's order — the heap, the TOAST heap, then reindex_relation: each index by
 * OID, built empty (its metapage), and last the TOAST table's index; the planner's relpages/reltuples start over.
 */
export function newRelfilenode(ex: Executor, s: Session, t: Table, emptyIndexes = false): void {
  const eng = ex.eng;
  const cat = eng.catalog;
  // the TOAST table: TRUNCATE empties it with the table; a rewrite that would copy its chunks is not modelled
  if (t.toast?.heap.pages.length) {
    if (!emptyIndexes) throw notSupported('rewriting a table with values stored out of line in its TOAST table');
    t.toast = makeToastTable(t.oid, t.toast.oid, t.toast.indexes[0]!.oid);
  }
  eng.ensureXid(s);
  t.relfilenode = cat.allocOid();
  const heap = new HeapRelation();
  heap.fillfactor = t.heap.fillfactor;
  t.heap = heap;
  t.storageLsn = eng.wal.insert(WalKind.StorageCreate, s.tx!.writeXid, 42, t.oid, -1, 0);
  logHeapInitFork(eng, s, t); // an unlogged table: its new init fork (commands/unlogged.ts)
  const toast = hasToast(t);
  if (toast) { // the TOAST heap's new file
    const node = cat.allocOid();
    if (t.toastOids) lockToastRel(ex, s, t.toastOids.rel);
    logStorageCreate(eng, s, t, node);
  }
  t.indexes = sortedByOid(t.indexes).map((old) => {
    const index = newIndexFile(ex, s, old);
    if (emptyIndexes) { logIndexBuild(eng, s, t, index); logIndexInitFork(eng, s, t, index); } // TRUNCATE: each index built again, empty (its metapage)
    return index;
  });
  if (toast) reindexToastIndex(ex, s, t);
  t.stats = undefined;
  for (const i of t.indexes) if (i instanceof HashIndex) i.initTuples = estimateRelSize(t).tuples; // an empty one's buckets
  t.relfrozenxid = recentXmin(ex, s);
  t.relminmxid = eng.multis.next;
  t.toastFrozenXid = undefined;
}

/** RelationGetIndexList's order: by OID (reindex_relation rebuilds the indexes in it). */
export function sortedByOid<T extends { oid: number }>(indexes: readonly T[]): T[] {
  return indexes.slice().sort((a, b) => a.oid - b.oid);
}

/** Does the table have a TOAST table (a column that may be stored out of line; a partitioned table has no storage)? */
export function hasToast(t: Table): boolean {
  return !t.partKey && needsToast(t.columns.filter((c) => !c.dropped));
}

/**
 * RelationCreateStorage's Storage/CREATE of a file the engine keeps no object of its own for (a TOAST table or its
 * index), the record naming the file number itself: a permanent relation's main fork; an unlogged one logs only its
 * init fork's creation; a temporary one nothing (wal.insert drops a local relation's records).
 */
export function logStorageCreate(eng: Executor['eng'], s: Session, t: Table, node: number): number {
  return eng.wal.insert(WalKind.StorageCreate, s.tx!.writeXid, 42, t.oid, -1, 0, 0, t.unlogged ? { node, ...INIT_FORK } : { node });
}

/** An AccessExclusiveLock on a TOAST relation the command replaces the file of: its Standby LOCK record. */
export function lockToastRel(ex: Executor, s: Session, oid: number): void {
  const tag = { type: 'relation', rel: oid } as const;
  if (ex.eng.locks.holds(s.id, tag, LockMode.AccessExclusive)) return;
  ex.eng.locks.acquire(s.id, tag, LockMode.AccessExclusive, ex.eng.clock.now);
  logAccessExclusiveLock(ex.eng, s, oid);
}

/**
 * create_toast_table for a new heap (CREATE TABLE, make_new_heap): the TOAST table and its index take two OIDs;
 * their files' creation is logged, and the index's build writes its empty metapage (an XLOG FPI, in the init fork
 * for an unlogged table). Returns the two OIDs.
 */
export function createToastTable(ex: Executor, s: Session, t: Table): { rel: number; index: number } {
  const oids = { rel: ex.eng.catalog.allocOid(), index: ex.eng.catalog.allocOid() };
  logToastTable(ex, s, t, oids);
  return oids;
}

/** The WAL of create_toast_table: the TOAST heap's lock and file, its index's file and lock, the index's empty metapage. */
export function logToastTable(ex: Executor, s: Session, t: Table, oids: { rel: number; index: number }): void {
  const eng = ex.eng;
  logAccessExclusiveLock(eng, s, oids.rel);
  logStorageCreate(eng, s, t, oids.rel);
  // index_create: its main fork (logged for a permanent table), its lock, then index_build (an unlogged table's
  // index: ambuildempty creates the init fork only now)
  if (!t.unlogged) logStorageCreate(eng, s, t, oids.index);
  logAccessExclusiveLock(eng, s, oids.index);
  if (t.unlogged) logStorageCreate(eng, s, t, oids.index);
  logEmptyMetapage(eng, s, t.oid, oids.index, t.unlogged ? 'init' : undefined);
}

/** reindex_relation's REINDEX_REL_PROCESS_TOAST (TRUNCATE, REINDEX TABLE): the TOAST table's index gets a new, empty file. */
export function reindexToastIndex(ex: Executor, s: Session, t: Table): void {
  if (!hasToast(t)) return;
  const eng = ex.eng;
  const node = eng.catalog.allocOid();
  if (t.toastOids) lockToastRel(ex, s, t.toastOids.index);
  logStorageCreate(eng, s, t, node);
  logEmptyMetapage(eng, s, t.oid, node, t.unlogged ? 'init' : undefined);
}

/**
 * make_new_heap: the transient table pg_temp_NNN whose file becomes the table's (finish_heap_swap swaps the two
 * relfilenodes): its OID (the new file number), row type and array type, its AccessExclusiveLock, its file's
 * Storage/CREATE (an unlogged table: its init fork's), and a TOAST table of its own when a column needs one.
 * Returns the new TOAST table's OIDs (ALTER TABLE swaps the TOAST tables by link and keeps the new one; VACUUM
 * FULL and CLUSTER swap their files by content, so the table keeps its TOAST table's OIDs).
 */
export function makeNewHeap(ex: Executor, s: Session, t: Table): { rel: number; index: number } | undefined {
  const eng = ex.eng;
  const cat = eng.catalog;
  const node = cat.allocOid();
  cat.allocOid(); cat.allocOid(); // its array type and row type
  logAccessExclusiveLock(eng, s, node);
  t.relfilenode = node;
  const heap = new HeapRelation();
  heap.fillfactor = t.heap.fillfactor;
  t.heap = heap;
  t.storageLsn = eng.wal.insert(WalKind.StorageCreate, s.tx!.writeXid, 42, t.oid, -1, 0);
  logHeapInitFork(eng, s, t); // an unlogged table: its new init fork (commands/unlogged.ts)
  return hasToast(t) ? createToastTable(ex, s, t) : undefined;
}

/**
 * finish_heap_swap's reindex_relation: each index by OID gets its new file and is built over the new heap (an
 * unlogged table's index: its init fork too).
 */
export function rebuildIndexes(ex: Executor, s: Session, t: Table): void {
  t.indexes = sortedByOid(t.indexes).map((i) => {
    const fresh = newIndexFile(ex, s, i);
    buildIndex(ex, s, t, fresh);
    logIndexInitFork(ex.eng, s, t, fresh);
    return fresh;
  });
}

/**
 * reindex_index's new file for an index: AccessExclusiveLock on it (WAL-logged for standbys, wal/standby.ts), a new
 * relfilenode and its Storage/CREATE record; the index starts empty.
 */
export function newIndexFile(ex: Executor, s: Session, old: BtreeIndex): BtreeIndex {
  const eng = ex.eng;
  lockNewIndex(ex, s, old);
  const index = old.fresh(); // the whole definition: INCLUDE columns, expressions, storage parameters
  index.relfilenode = eng.catalog.allocOid();
  index.storageLsn = eng.wal.insert(WalKind.StorageCreate, s.tx!.writeXid, 42, old.oid, -1, 0);
  index.leafLsn = index.storageLsn;
  index.disk = indexImage(index);
  return index;
}

/** index_open(…, AccessExclusiveLock) of an index being (re)built, unless already held: the lock and its Standby LOCK record */
export function lockNewIndex(ex: Executor, s: Session, index: BtreeIndex): void {
  const tag = { type: 'relation', rel: index.oid } as const;
  if (ex.eng.locks.holds(s.id, tag, LockMode.AccessExclusive)) return;
  grantLock(ex.eng, s, tag, LockMode.AccessExclusive);
  logAccessExclusiveLock(ex.eng, s, index.oid);
}

/** RecentXmin: the xmin of the session's latest snapshot (what a new relfilenode's relfrozenxid starts at). */
export function recentXmin(ex: Executor, s: Session): number {
  // without a snapshot yet: the one it would have been (its own xid, just assigned, was the next xid then)
  return s.tx?.stmtSnapshot?.xmin ?? s.tx?.xactSnapshot?.xmin ?? ex.eng.xacts.snapshot(s.tx?.xid ?? 0, ex.eng.clock.now).xmin;
}

/**
 * Build an index over the table's current file (index_build): every chain's newest version not known dead gets
 * an entry; a unique index refuses a key two live versions share.
 */
export function buildIndex(ex: Executor, s: Session, t: Table, index: BtreeIndex, opts: { brokenHotChain?: boolean } = {}): void {
  const vctx = ex.eng.visibilityContext(s);
  // heapam_index_build_range_scan: a HOT-updated version that is recently dead (still visible to some snapshot) or
  // deleted by this transaction is not indexed — the chain is broken for older snapshots: indcheckxmin
  if (opts.brokenHotChain) {
    const vac = vacuumContext(ex.eng, removableHorizon(ex.eng));
    const myXid = s.tx?.xid ?? 0;
    index.checkXmin = t.heap.pages.some((p) => p.items.some((it) => it.lpFlags === LpFlags.NORMAL && (it.infomask2 & HEAP_HOT_UPDATED) !== 0
      && (satisfiesVacuum(it, vac) === VacState.RecentlyDead || (satisfiesVacuum(it, vac) === VacState.DeleteInProgress && myXid !== 0 && it.xmax === myXid))));
  }
  // hashbuild: _hash_init sizes the buckets for the heap's estimated rows (estimate_rel_size)
  if (index instanceof HashIndex) index.initTuples = estimateRelSize(t).tuples;
  const liveKeys = new Set<string | number>();
  let scanned = 0;
  for (const page of t.heap.pages) {
    page.items.forEach((item, i) => {
      if (item.lpFlags === LpFlags.NORMAL) scanned++;
      // a chain's root: a normal tuple that is not heap-only, or the redirect pruning left in its place (the entry
      // points at the root's offset, as heapam_index_build_range_scan's root_offsets map does)
      const redirect = item.lpFlags === LpFlags.REDIRECT;
      if (!redirect && (item.lpFlags !== LpFlags.NORMAL || item.infomask2 & HEAP_ONLY_TUPLE)) return;
      let last = redirect ? undefined : item;
      for (const m of hotChain(t, page.blkno, i + 1, ex.eng.multis)) last = m.item;
      if (!last) return;
      const d = satisfiesDirty({ ...last }, vctx);
      const vals = heapGetattrs(t, last.values);
      if (index.unique && d.visible && index.covers(vals)) {
        const key = index.keyOf(vals);
        if (key !== null && liveKeys.has(key)) {
          throw new PgError('23505', `could not create unique index "${index.name}"`, { detail: `Key ${index.describeKey(vals, t.columns.map((c) => c.name))} is duplicated.` });
        }
        if (key !== null) liveKeys.add(key);
      }
      index.insert(vals, packTid(page.blkno, i + 1));
    });
  }
  // the build's heap scan (table_beginscan_strat, SnapshotAny: every normal tuple) counts as a seq_scan
  countScan(s, t.oid, 'seq', scanned);
  index.leafLsn = ex.eng.wal.insertLsn;
  index.markBuilt(); // _bt_load: bottom up (and equal keys deduplicated into posting lists)
  index.stats = { relpages: btreePages(t, index), reltuples: index.count }; // index_update_stats
  index.disk = indexImage(index); // the build is written straight to disk and synced (not replayed from WAL)
  logIndexBuild(ex.eng, s, t, index); // …and WAL-logged page by page (XLOG FPI: wal/nbtsort_xlog.ts)
}

/**
 * ATRewriteTable: copy the rows a fresh snapshot sees, each through `transform`, into a new relfilenode (new
 * xmin: this transaction), each new row checked by `verify` (default: the NOT NULL and CHECK constraints as an
 * INSERT checks them), then rebuild every index.
 */
export function rewriteTable(ex: Executor, s: Session, t: Table, transform: (vals: Value[]) => Value[], verify?: (vals: Value[]) => void): void {
  const rows = latestRows(ex, s, t).map(transform);
  const snap = () => ex.eng.snapshotFor(s);
  for (const r of rows) { if (verify) verify(r); else ex.checkConstraints(s, t, r, snap); }
  const hadIndexes = t.indexes.length > 0;
  ex.eng.ensureXid(s);
  // make_new_heap, the rows into its file (Heap INSERT records: not the page images VACUUM FULL logs), then
  // finish_heap_swap: the TOAST tables swapped by link (the table keeps the new one), every index rebuilt
  // (the copy of a TOAST table's chunks into the new one is not modelled)
  if (t.toast?.heap.pages.length) throw notSupported('rewriting a table with values stored out of line in its TOAST table');
  const oldToast = t.toastOids;
  const toast = makeNewHeap(ex, s, t);
  if (toast) {
    t.toastOids = toast;
    // the TOAST table the rewrite made, empty (catalog/toasting.ts), in place of the old one
    if (t.toast) t.toast = makeToastTable(t.oid, toast.rel, toast.index);
  }
  const hctx = ex.heapCtx(s);
  for (const r of rows) heapInsert(hctx, t, r);
  rebuildIndexes(ex, s, t);
  // the transient table, now holding the old TOAST table, is dropped: its TOAST heap and index locked for it
  if (oldToast && toast) { lockToastRel(ex, s, oldToast.rel); lockToastRel(ex, s, oldToast.index); }
  t.stats = undefined;
  t.relfrozenxid = recentXmin(ex, s);
  t.relminmxid = ex.eng.multis.next;
  t.toastFrozenXid = undefined;
  if (hadIndexes) ex.updateStats(s, t);
  s.tx!.cidUsed = true;
}
