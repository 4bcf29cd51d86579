/**
 * REINDEX TABLE / REINDEX INDEX [CONCURRENTLY]: build an index again from the heap, into a new file — a bloated
 * index (entries of dead versions, half-empty pages) comes back compact.
 *
 * Plain REINDEX holds ShareLock on the table (writers wait, readers of the heap do not) and AccessExclusiveLock on
 * each index it rebuilds, so a transaction that has used the table (its statements lock the indexes too) makes it
 * wait, and it makes everyone after it wait:
 *
 *     s2: BEGIN; SELECT count(*) FROM t;     s1: REINDEX TABLE t;  -- waits for s2's AccessShareLock on t's indexes
 *
 * CONCURRENTLY builds a copy of each index beside the old one, in transactions of its own (so not inside a
 * transaction block), under ShareUpdateExclusiveLock only: reads and writes go on. Between its phases it waits for
 * the transactions that were using the table when the phase began (WaitForLockers: it waits on their virtual
 * transaction ids, not in the table's lock queue, so later lockers do not queue behind it):
 *
 *     phase 2, 3  wait for the holders of locks conflicting with ShareLock (writers), then build / validate the copy
 *                 and wait for every transaction holding an older snapshot (WaitForOlderSnapshots)
 *     phase 5, 6  wait for the holders of any lock on the table (AccessExclusiveLock conflicts with all), then mark
 *                 the old index dead, and drop it
 *
 * Mirrors: src/backend/commands/indexcmds.c (ExecReindex, ReindexIndex, ReindexTable, ReindexRelationConcurrently,
 * WaitForOlderSnapshots), catalog/index.c (reindex_index, reindex_relation), storage/lmgr/lmgr.c
 * (WaitForLockersMultiple: lock/lmgr.ts). Simplifications: REINDEX DATABASE / SYSTEM and the VERBOSE and TABLESPACE
 * options are refused with 0A000; REINDEX SCHEMA holds each table's locks to the statement's end (PostgreSQL commits
 * after each); CONCURRENTLY rebuilds each index at the end, after its waits, over the heap as it is then
 * (PostgreSQL builds from a snapshot and validates against a second one: the same entries), and the index keeps its
 * oid (PostgreSQL's copy has a new one, swapped in under the old name).
 */
import { logIndexInitFork } from './unlogged.js';
import type { Executor } from '../executor/executor.js';
import { PgError, notSupported } from '../errors.js';
import type { Session, QueryResult } from '../session/session.js';
import { tableKey, type Table } from '../catalog/catalog.js';
import { BtreeIndex } from '../index/btree.js';
import { LockMode } from '../lock/lock.js';
import { waitForLockers } from '../lock/lmgr.js';
import { concurrentBuildWaits } from './indexcmds.js';
import { WalKind } from '../wal/wal.js';
import { buildIndex, hasToast, reindexToastIndex } from './relfile.js';
import type { N, Gen } from '../executor/util.js';

export function* reindexStmt(ex: Executor, s: Session, n: N): Gen<QueryResult> {
  const options = ((n.params ?? []) as N[]).map((p) => p.DefElem.defname as string);
  for (const o of options) {
    if (o === 'verbose' || o === 'tablespace') throw notSupported(`REINDEX (${o.toUpperCase()})`);
    if (o !== 'concurrently') throw new PgError('42601', `unrecognized REINDEX option "${o}"`);
  }
  const concurrent = options.includes('concurrently');
  if (n.kind === 'REINDEX_OBJECT_SCHEMA') return yield* reindexSchema(ex, s, String(n.name), concurrent);
  if (n.kind !== 'REINDEX_OBJECT_TABLE' && n.kind !== 'REINDEX_OBJECT_INDEX') throw notSupported(`REINDEX ${String(n.kind).replace('REINDEX_OBJECT_', '')}`);
  if (concurrent && s.block !== 'none') throw new PgError('25001', 'REINDEX CONCURRENTLY cannot run inside a transaction block');
  const cat = ex.eng.catalog;
  const rv = n.relation as N;
  let t: Table;
  let targets: BtreeIndex[];
  let toast = false;
  if (n.kind === 'REINDEX_OBJECT_INDEX') {
    const owner = [...cat.tables.values()].find((x) => x.indexes.some((i) => i.name === rv.relname));
    if (!owner) {
      if (cat.get(rv.relname)) throw new PgError('42809', `"${rv.relname}" is not an index`);
      ex.table(rv); // relation "…" does not exist
      throw new PgError('42809', `"${rv.relname}" is not an index`);
    }
    t = owner;
    targets = t.indexes.filter((i) => i.name === rv.relname);
  } else {
    t = ex.table(rv);
    targets = t.indexes.slice();
    toast = !concurrent && hasToast(t); // REINDEX_REL_PROCESS_TOAST: the TOAST table's index too (a table with one has an index to reindex)
    if (!targets.length && !toast) {
      s.acc.notices.push({ severity: 'NOTICE', sqlstate: '00000', message: `table "${t.name}" has no indexes ${concurrent ? 'that can be reindexed concurrently' : 'to reindex'}` });
      return { command: 'REINDEX', columns: null, rows: [] };
    }
  }
  ex.checkReadOnly(s, 'REINDEX');
  yield* reindexTable(ex, s, t, targets, concurrent, toast);
  return { command: 'REINDEX', columns: null, rows: [] };
}

/**
 * REINDEX SCHEMA s [CONCURRENTLY] (ReindexMultipleTables): the schema's tables in pg_class order, each as REINDEX
 * TABLE (in a transaction of its own in PostgreSQL: not inside a transaction block); a table dropped while the
 * statement waited for an earlier one is skipped, and one without indexes says nothing.
 */
function* reindexSchema(ex: Executor, s: Session, name: string, concurrent: boolean): Gen<QueryResult> {
  const cat = ex.eng.catalog;
  if (name === 'pg_catalog' || name === 'pg_toast' || name === 'information_schema') throw notSupported(`REINDEX SCHEMA ${name} (system catalogs)`);
  if (name !== 'public' && !cat.namespaces.has(name)) throw new PgError('3F000', `schema "${name}" does not exist`);
  if (s.block !== 'none') throw new PgError('25001', `REINDEX SCHEMA ${concurrent ? 'CONCURRENTLY ' : ''}cannot run inside a transaction block`);
  ex.checkReadOnly(s, 'REINDEX');
  // relkind 'r' only: a partitioned table has no storage (its partitions are in the list themselves)
  const tables = [...cat.tables.values()].filter((t) => !t.temp && (t.nsp?.name ?? 'public') === name && !t.partKey).sort((a, b) => a.oid - b.oid);
  for (const t of tables) {
    if (cat.tables.get(tableKey(t)) !== t) continue; // dropped meanwhile (SearchSysCacheExists in ReindexMultipleInternal)
    const toast = !concurrent && hasToast(t);
    if (t.indexes.length || toast) yield* reindexTable(ex, s, t, t.indexes.slice(), concurrent, toast);
  }
  return { command: 'REINDEX', columns: null, rows: [] };
}

/** reindex_relation / ReindexRelationConcurrently for these indexes of one table. */
function* reindexTable(ex: Executor, s: Session, t: Table, targets: BtreeIndex[], concurrent: boolean, toast = false): Gen<void> {
  const rel = (oid: number) => ({ type: 'relation' as const, rel: oid });
  if (concurrent) {
    yield* ex.eng.acquireLock(s, rel(t.oid), LockMode.ShareUpdateExclusive);
    for (const i of targets) yield* ex.eng.acquireLock(s, rel(i.oid), LockMode.ShareUpdateExclusive);
    yield* concurrentBuildWaits(ex, s, t, 'REINDEX CONCURRENTLY', { safe: targets.every((i) => !i.def) }); // phases 2 and 3, as CREATE INDEX CONCURRENTLY's
    yield* waitForLockers(ex, s, t, LockMode.AccessExclusive, 'REINDEX CONCURRENTLY waits for every transaction using the table before marking the old index dead');
    yield* waitForLockers(ex, s, t, LockMode.AccessExclusive, 'REINDEX CONCURRENTLY waits for every transaction using the table before dropping the old index');
  } else {
    yield* ex.eng.acquireLock(s, rel(t.oid), LockMode.Share, null, `waiting for ShareLock on ${t.name} to rebuild its indexes`);
    for (const i of targets) yield* ex.eng.acquireLock(s, rel(i.oid), LockMode.AccessExclusive);
  }
  if (ex.eng.catalog.tables.get(tableKey(t)) !== t) return; // dropped while this waited for its lock (try_table_open)
  if (targets.length) rebuild(ex, s, t, targets);
  if (toast) { ex.eng.ensureXid(s); reindexToastIndex(ex, s, t); }
}

/** reindex_index for each target: a new file (a Storage/CREATE record), filled from the heap; undone on abort. */
function rebuild(ex: Executor, s: Session, t: Table, targets: BtreeIndex[]): void {
  const eng = ex.eng;
  eng.ensureXid(s);
  const before = t.indexes.slice();
  const beforeStats = t.stats;
  t.indexes = t.indexes.map((old) => {
    if (!targets.includes(old)) return old;
    const index = old.fresh();
    index.relfilenode = eng.catalog.allocOid(); // the new relfilenode
    index.storageLsn = eng.wal.insert(WalKind.StorageCreate, s.tx!.writeXid, 42, old.oid, -1, 0);
    buildIndex(ex, s, t, index);
    logIndexInitFork(eng, s, t, index); // an unlogged table's index: its new init fork
    return index;
  });
  // index_update_stats: the build records relpages / reltuples, as CREATE INDEX does (an empty never-vacuumed table
  // stays never vacuumed)
  ex.updateStats(s, t);
  if (!beforeStats && t.stats!.reltuples === 0) t.stats = undefined;
  s.tx!.undo.push(() => { t.indexes = before; t.stats = beforeStats; });
  s.tx!.cidUsed = true;
}
