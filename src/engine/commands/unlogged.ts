/**
 * Unlogged tables (CREATE UNLOGGED TABLE): rows that skip the write-ahead log. They live in shared buffers like
 * any table and every session sees them, but no change to them is WAL-logged — so they are fast to write and are
 * not crash-safe: crash recovery has nothing to replay for them and resets each to empty.
 *
 *     CREATE UNLOGGED TABLE u (id int PRIMARY KEY);     WAL: Storage CREATE base/5/16451_init   (the init fork)
 *                                                           Storage CREATE base/5/16454_init   (the index's)
 *                                                           XLOG FPI  … fork init blk 0        (its metapage)
 *     INSERT INTO u VALUES (1), (2);                     WAL: only the COMMIT (the xid must be marked committed)
 *     page_header(get_raw_page('u', 0)).lsn              0/0: no record ever stamped the page
 *     CHECKPOINT;                                        the page stays dirty: a checkpoint writes only permanent
 *                                                        buffers (BM_PERMANENT); a shutdown checkpoint writes all
 *     (crash) (restart)  SELECT count(*) FROM u;         0: ResetUnloggedRelations copied each init fork over the
 *                                                        main fork — an empty heap, an index with only its metapage
 *
 * Each relation has an init fork ("_init"): for a heap an empty file, for a B-tree its empty metapage
 * (btbuildempty). Only the init fork's creation is WAL-logged, so recovery can always rebuild it.
 *
 * Mirrors: heapam_relation_set_new_filelocator (storage of a new unlogged heap), index_build's ambuildempty,
 * storage/file/reinit.c ResetUnloggedRelations, bufmgr.c's BM_PERMANENT in BufferSync.
 *
 * Unlogged sequences (CREATE UNLOGGED SEQUENCE, PostgreSQL 15; an unlogged table's serial and identity columns) log
 * only their init fork — its Storage CREATE and a Sequence LOG of the first state in fork init — so nextval() writes
 * no WAL and takes no xid, and crash recovery puts the sequence back to that first state.
 *
 * Simplifications: the background writer does not write unlogged buffers here (PostgreSQL's may, when it cleans
 * buffers ahead of reuse — the simulator never evicts); no clean shutdown, so the data survives only until a crash;
 * unlogged partitions, ALTER SEQUENCE SET LOGGED / UNLOGGED and SET LOGGED / UNLOGGED of a table owning a sequence
 * are refused (0A000). ALTER TABLE SET LOGGED / UNLOGGED: commands/atpersistence.ts.
 */
import type { Engine } from '../engine.js';
import type { Session } from '../session/session.js';
import type { Table } from '../catalog/catalog.js';
import type { BtreeIndex } from '../index/btree.js';
import type { Sequence } from '../sequence/sequence.js';
import { WalKind } from '../wal/wal.js';
import { notSupported } from '../errors.js';
import { logEmptyIndexPage } from '../wal/nbtsort_xlog.js';
import { HeapRelation } from '../heap/heap.js';
import { indexFromImage } from '../buffer/bufmgr.js';

/** The payload of a record for an init fork (the WAL logs these even for an unlogged relation). */
export const INIT_FORK = { fork: 'init' as const };

/** The table's relations join the unlogged set (their changes are not WAL-logged). */
export function markUnlogged(eng: Engine, t: Table): void {
  if (!t.unlogged) return;
  eng.catalog.unloggedRels.add(t.oid);
  for (const i of t.indexes) eng.catalog.unloggedRels.add(i.oid);
}

/** An unlogged sequence (CREATE UNLOGGED SEQUENCE, an unlogged table's serial or identity column): its records not
 *  logged but its init fork's, which holds its first state. */
export function markUnloggedSequence(eng: Engine, seq: Sequence): void {
  seq.unlogged = true;
  seq.init = { lastValue: seq.lastValue, isCalled: false };
  eng.catalog.unloggedRels.add(seq.oid);
}

/** A new unlogged heap's init fork: an empty file, its creation logged (log_smgrcreate(INIT_FORKNUM)). */
export function logHeapInitFork(eng: Engine, s: Session, t: Table): void {
  if (!t.unlogged) return;
  // the file's WAL starts here (pg_walinspect names the file of the time from it)
  t.storageLsn = eng.wal.insert(WalKind.StorageCreate, s.tx!.writeXid, 42, t.oid, -1, 0, 0, INIT_FORK);
}

/** An unlogged index's init fork (index_build → ambuildempty): its creation, then its metapage's image. */
export function logIndexInitFork(eng: Engine, s: Session, t: Table, index: BtreeIndex): void {
  if (!t.unlogged) return;
  // hashbuildempty writes a metapage, a bitmap page and the initial buckets: not modelled
  if (index.am === 'hash') throw notSupported('hash indexes on unlogged tables');
  // (the index is in unloggedRels already: its creator put it there before its main fork's Storage CREATE)
  index.storageLsn = eng.wal.insert(WalKind.StorageCreate, s.tx!.writeXid, 42, index.oid, -1, 0, 0, INIT_FORK);
  logEmptyIndexPage(eng, s, index, INIT_FORK);
}

/**
 * ResetUnloggedRelations at the end of crash recovery: every unlogged table's main fork replaced by its init
 * fork — no pages, no visibility map, each index back to an empty tree.
 */
export function resetUnloggedRelations(eng: Engine): void {
  for (const t of eng.catalog.tables.values()) {
    if (!t.unlogged) continue;
    const heap = new HeapRelation();
    heap.fillfactor = t.heap.fillfactor;
    t.heap = heap;
    for (const i of t.indexes) { i.disk = undefined; indexFromImage(i, undefined); }
  }
  // an unlogged sequence's page: its init fork's copy (as created, or as its last ALTER SEQUENCE wrote it)
  for (const q of eng.catalog.sequences.values()) {
    if (!q.unlogged || !q.init) continue;
    q.lastValue = q.init.lastValue; q.isCalled = q.init.isCalled; q.logCnt = 0; q.pageLsn = 0; q.disk = undefined;
  }
}
