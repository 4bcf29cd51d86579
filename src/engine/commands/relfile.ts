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
 * Mirrors: src/backend/utils/cache/relcache.c (RelationSetNewRelfilenode), commands/tablecmds.c (ATRewriteTable),
 * catalog/index.c (index_build). Simplifications: the old file is not kept around until commit — the undo of an
 * aborted transaction puts the old heap and indexes back; WAL records written before the new file are skipped by
 * REDO (storageLsn) instead of naming an old relfilenode; a crash does not undo an uncommitted catalog change.
 */
import { notSupported } from '../errors.js';
import { makeToastTable } from '../catalog/toasting.js';
import { logHeapInitFork, logIndexInitFork } from './unlogged.js';
import { countScan } from '../pgstat/pgstat_relation.js';
import { logIndexBuild } from '../wal/nbtsort_xlog.js';
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
    fillfactor: t.heap.fillfactor, toast: t.toast,
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
 * RelationSetNewRelfilenode for the table and each index: new empty files (a Storage/CREATE record each); the
 * planner's relpages/reltuples start over.
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
  t.indexes = t.indexes.map((old) => {
    const index = newIndexFile(ex, s, old);
    if (emptyIndexes) { logIndexBuild(eng, s, t, index); logIndexInitFork(eng, s, t, index); } // TRUNCATE: each index built again, empty (its metapage)
    return index;
  });
  t.stats = undefined;
  for (const i of t.indexes) if (i instanceof HashIndex) i.initTuples = estimateRelSize(t).tuples; // an empty one's buckets
  t.relfrozenxid = recentXmin(ex, s);
  t.relminmxid = eng.multis.next;
  t.toastFrozenXid = undefined;
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
  ex.eng.locks.acquire(s.id, tag, LockMode.AccessExclusive, ex.eng.clock.now);
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
  const indexes = t.indexes;
  newRelfilenode(ex, s, t);
  const hctx = ex.heapCtx(s);
  for (const r of rows) heapInsert(hctx, t, r);
  // reindex: the new files were created empty above; build them over the new heap
  t.indexes = t.indexes.map((i) => {
    const fresh = i.fresh(); fresh.storageLsn = i.storageLsn; fresh.relfilenode = i.relfilenode; return fresh;
  });
  for (const i of t.indexes) { buildIndex(ex, s, t, i); logIndexInitFork(ex.eng, s, t, i); }
  if (indexes.length) ex.updateStats(s, t);
  s.tx!.cidUsed = true;
}
