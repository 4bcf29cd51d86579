/**
 * CREATE INDEX and DROP INDEX (PostgreSQL's commands/indexcmds.c DefineIndex, catalog/index.c index_create /
 * index_build / index_update_stats, index_drop): the locks they take, the new relation file (Storage/CREATE in WAL),
 * the build over every HOT chain's newest version, and what the planner then knows (relpages / reltuples).
 *
 *     CREATE INDEX ON t (v)               ShareLock on t: writers wait for the build, the build for writers
 *     CREATE INDEX CONCURRENTLY ON t (v)  ShareUpdateExclusiveLock, then the waits of indexcmds.ts
 *                                         concurrentBuildWaits (writers, then older snapshots)
 *     DROP INDEX i                        AccessExclusiveLock on the table and the index
 *
 * The parts of the definition (expressions, predicate, options) are indexcmds.ts's; a partitioned table's index is
 * indexpartition.ts's; the build itself is relfile.ts buildIndex (B-tree) or index/hash.ts (hash).
 * Simplifications: listed at createIndex below.
 */
import { stampCreated } from '../catalog/catalogsnapshot.js';
import type { Executor } from '../executor/executor.js';
import { PgError, notSupported } from '../errors.js';
import type { Session, QueryResult } from '../session/session.js';
import { buildIndex, lockNewIndex } from './relfile.js';
import { tableKey } from '../catalog/catalog.js';
import { logIndexInitFork } from './unlogged.js';
import { BtreeIndex } from '../index/btree.js';
import { HashIndex } from '../index/hash.js';
import { applyRelOptions } from '../catalog/reloptions.js';
import { LockMode } from '../lock/lock.js';
import { waitForLockers } from '../lock/lmgr.js';
import { WalKind } from '../wal/wal.js';
import { indexImage } from '../buffer/bufmgr.js';
import { compileIndexDef, indexColumnName, chooseIndexColumnNames, concurrentBuildWaits, indexOptions, foldIndexConstants, type FoldedIndexDef } from './indexcmds.js';
import { definePartitionedIndex, dropPartitionedIndex, dropIndexEntry } from './indexpartition.js';
import { referencingKeys } from '../ri/ri_triggers.js';
import { N, Gen } from '../executor/util.js';

/**
 * CREATE [UNIQUE] INDEX: a B-tree over the table's current rows (one entry per HOT chain, for its newest
 * version). It takes a ShareLock on the table — writers wait for it, and it waits for writers. From then on an
 * UPDATE of the indexed columns is no longer HOT. CONCURRENTLY (not in a transaction block, not on a partitioned
 * table) takes ShareUpdateExclusiveLock and waits as REINDEX CONCURRENTLY does (indexcmds.ts concurrentBuildWaits).
 * Simplifications: the index appears only when it is done (PostgreSQL shows it invalid meanwhile), and a failed
 * build (a duplicate key) leaves no invalid index behind.
 */
export function* createIndex(ex: Executor, s: Session, n: N): Gen<QueryResult> {
  if (n.concurrent && s.block !== 'none') throw new PgError('25001', 'CREATE INDEX CONCURRENTLY cannot run inside a transaction block');
  if (n.nulls_not_distinct) throw notSupported('UNIQUE NULLS NOT DISTINCT');
  const am: string = n.accessMethod ?? 'btree';
  if (am !== 'btree' && am !== 'hash') {
    if (['gist', 'gin', 'spgist', 'brin'].includes(am)) throw notSupported(`index access method ${am}`);
    throw new PgError('42704', `access method "${am}" does not exist`);
  }
  ex.checkReadOnly(s, 'CREATE INDEX');
  const t = ex.table(n.relation);
  if (am === 'hash') checkHashIndex(n);
  if (n.concurrent && t.partKey) throw new PgError('0A000', `cannot create index on partitioned table "${t.name}" concurrently`);
  const concurrent = !!n.concurrent && !t.temp; // a temporary table is indexed plainly (no one else can use it)
  const cat = ex.eng.catalog;
  const exprs: N[] = [];
  const colNames: string[] = [];
  const cols = ((n.indexParams ?? []) as N[]).map((p) => {
    const e = p.IndexElem;
    if (!e.name) { exprs.push(e.expr); colNames.push(indexColumnName(e.expr)); return -1; }
    colNames.push(e.name);
    const idx = t.columns.findIndex((c) => c.name === e.name);
    if (idx < 0) throw new PgError('42703', `column "${e.name}" does not exist`);
    return idx;
  });
  const include = ((n.indexIncludingParams ?? []) as N[]).map((p) => {
    const e = p.IndexElem;
    if (!e.name) throw new PgError('0A000', 'expressions are not supported in included columns');
    const idx = t.columns.findIndex((c) => !c.dropped && c.name === e.name);
    if (idx < 0) throw new PgError('42703', `column "${e.name}" does not exist`);
    return idx;
  });
  let name: string = n.idxname ?? '';
  const ns = t.temp?.session; // an index lives in its table's schema (pg_temp_N for a temporary table)
  if (name && cat.relationExists(name, ns, t.nsp?.name)) {
    if (n.if_not_exists) {
      s.acc.notices.push({ severity: 'NOTICE', sqlstate: '42P07', message: `relation "${name}" already exists, skipping` });
      return { command: 'CREATE INDEX', columns: null, rows: [] };
    }
    throw new PgError('42P07', `relation "${name}" already exists`);
  }
  if (!name) {
    const base = `${t.name}_${chooseIndexColumnNames([...colNames, ...include.map((i) => t.columns[i]!.name)]).join('_')}_idx`;
    name = base;
    for (let k = 1; cat.relationExists(name, ns, t.nsp?.name); k++) name = `${base}${k}`;
  }
  // a partitioned table: a partitioned index, and one per partition (commands/indexpartition.ts)
  if (t.partKey) {
    yield* definePartitionedIndex(ex, s, t, n, name, (ss, nn) => createIndex(ex, ss, nn));
    s.tx!.cidUsed = true;
    return { command: 'CREATE INDEX', columns: null, rows: [] };
  }
  // the build folds the constant calls of the expressions and the predicate first (foldIndexConstants): once, where
  // they may wait
  const hasDef = exprs.length > 0 || !!n.whereClause;
  let folded: FoldedIndexDef | undefined;
  const fold = function* (): Gen<void> { if (hasDef) folded = yield* foldIndexConstants(ex, s, t, exprs, n.whereClause); };
  if (concurrent) {
    // CONCURRENTLY: ShareUpdateExclusiveLock (readers and writers go on), then the waits of its phases
    if ((yield* ex.lockTableAgain(s, t, LockMode.ShareUpdateExclusive, () => ex.table(n.relation), `waiting for ShareUpdateExclusiveLock on ${t.name} to build an index concurrently`)) !== t) {
      return yield* createIndex(ex, s, n);
    }
    yield* concurrentBuildWaits(ex, s, t, 'CREATE INDEX CONCURRENTLY', { safe: !hasDef, build: fold });
    if (cat.tables.get(tableKey(t)) !== t) throw new PgError('42P01', `relation "${t.name}" does not exist`);
  } else if ((yield* ex.lockTableAgain(s, t, LockMode.Share, () => ex.table(n.relation), `waiting for ShareLock on ${t.name} to build an index`)) !== t) {
    // looked up again once locked, if DDL committed meanwhile: a table another transaction dropped is gone (42P01)
    return yield* createIndex(ex, s, n); // another table under the name now, or none (ex.table's 42P01)
  } else yield* fold();
  ex.eng.ensureXid(s);
  const def = hasDef ? compileIndexDef(ex, s, t, exprs, n.whereClause, folded) : null;
  if (am === 'hash' && (def || cols[0]! < 0)) throw notSupported('expression and partial hash indexes');
  const index = am === 'hash' ? new HashIndex(cat.allocOid(), name, cols, t.types[cols[0]!]!) : new BtreeIndex(cat.allocOid(), name, cols, !!n.unique, false, include, def);
  const options = indexOptions(n);
  if (options.some((o) => o)) index.indoption = options;
  // WITH (...): a B-tree's own storage parameters (btoptions), checked before the build
  if (n.options?.length) {
    if (am === 'hash') index.reloptions = hashOptions(n.options as N[]);
    else index.reloptions = applyRelOptions(undefined, n.options as N[], false, 'btree').options;
  }
  if (t.temp) cat.localRels.add(index.oid); // a temporary table's index: local buffers, no WAL
  if (t.unlogged) cat.unloggedRels.add(index.oid); // an unlogged table's index is unlogged too
  // index_create: the new file, then AccessExclusiveLock on the index (WAL-logged for standbys), then index_build
  ex.eng.wal.insert(WalKind.StorageCreate, s.tx!.writeXid, 42, index.oid, -1, 0);
  lockNewIndex(ex, s, index);
  // index_build: each chain's newest not-dead version; 23505 for a duplicated key; a broken HOT chain sets
  // indcheckxmin (not for a concurrent build)
  buildIndex(ex, s, t, index, { brokenHotChain: !concurrent });
  logIndexInitFork(ex.eng, s, t, index); // after the build (index_build's ambuildempty)
  t.indexes.push(index);
  if (!t.temp) stampCreated(cat, s.name, s.tx!.xid, index); // not in others' catalog snapshots until COMMIT
  cat.standaloneIndexes.add(index.name);
  // index_update_stats: the build records relpages/reltuples — except that an empty, never-vacuumed table stays
  // "never vacuumed" (reltuples -1), so a table indexed before it is loaded does not look small to the planner
  const before = t.stats;
  ex.updateStats(s, t);
  if (!before && t.stats!.reltuples === 0) t.stats = undefined;
  const plain = cols.filter((c) => c >= 0);
  const addedIndexed = [...new Set([...plain, ...include, ...(def?.cols ?? [])])].filter((c) => !t.indexedColumns.has(c));
  const addedKeys = n.unique && !def ? plain.filter((c) => !t.keyColumns.has(c)) : [];
  for (const c of addedIndexed) t.indexedColumns.add(c);
  for (const c of addedKeys) t.keyColumns.add(c);
  s.tx!.undo.push(() => {
    t.indexes.splice(t.indexes.indexOf(index), 1);
    for (const c of addedIndexed) t.indexedColumns.delete(c);
    for (const c of addedKeys) t.keyColumns.delete(c);
  });
  index.leafLsn = ex.eng.wal.insertLsn;
  index.disk = indexImage(index); // the build is written straight to disk and synced (not replayed from WAL)
  s.tx!.curcid += 1; // index_build runs two catalog commands
  s.tx!.cidUsed = true;
  return { command: 'CREATE INDEX', columns: null, rows: [] };
}

/**
 * DefineIndex's checks of what the hash access method cannot do (amcanunique, amcaninclude, amcanmulticol,
 * amcanorder for ASC / DESC and NULLS FIRST / LAST), in its order.
 */
function checkHashIndex(n: N): void {
  const feature = (what: string) => new PgError('0A000', `access method "hash" does not support ${what}`);
  if (n.unique) throw feature('unique indexes');
  if (n.indexIncludingParams?.length) throw feature('included columns');
  if ((n.indexParams ?? []).length > 1) throw feature('multicolumn indexes');
  for (const p of (n.indexParams ?? []) as N[]) {
    if (p.IndexElem.ordering && p.IndexElem.ordering !== 'SORTBY_DEFAULT') throw feature('ASC/DESC options');
    if (p.IndexElem.nulls_ordering && p.IndexElem.nulls_ordering !== 'SORTBY_NULLS_DEFAULT') throw feature('NULLS FIRST/LAST options');
  }
}

/** hashoptions: fillfactor only (10 … 100) */
function hashOptions(opts: N[]): string[] {
  return opts.map((o) => {
    const d = o.DefElem;
    if (d.defname !== 'fillfactor') throw new PgError('22023', `unrecognized parameter "${d.defname}"`);
    const v = d.arg?.Integer?.ival ?? Number(d.arg?.String?.sval ?? d.arg?.A_Const?.ival?.ival);
    if (!Number.isInteger(v)) throw new PgError('22023', `invalid value for integer option "fillfactor": ${String(d.arg?.String?.sval ?? v)}`);
    if (v < 10 || v > 100) throw new PgError('22023', `value ${v} out of bounds for option "fillfactor"`, { detail: 'Valid values are between "10" and "100".' });
    return `fillfactor=${v}`;
  });
}

/**
 * DROP INDEX [CONCURRENTLY]: AccessExclusiveLock on the table, then the index goes. CONCURRENTLY runs transactions
 * of its own, so it is refused inside a transaction block, for more than one index and with CASCADE (utility.c
 * ExecDropStmt, tablecmds.c RemoveRelations); it takes only ShareUpdateExclusiveLock on the table, and waits twice
 * for the transactions holding any lock on it (catalog/index.c index_drop: after marking the index invalid, then
 * dead; lock/lmgr.ts WaitForLockers) — later readers and writers go on meanwhile. Simplification: the index is used
 * and kept up to date until the waits are over (PostgreSQL's planner stops using it once it is marked invalid).
 */
export function* dropIndex(ex: Executor, s: Session, n: N): Gen<QueryResult> {
  const cat = ex.eng.catalog;
  if (n.concurrent) {
    if (s.block !== 'none') throw new PgError('25001', 'DROP INDEX CONCURRENTLY cannot run inside a transaction block');
    if ((n.objects as N[]).length !== 1) throw new PgError('0A000', 'DROP INDEX CONCURRENTLY does not support dropping multiple objects');
    if (n.behavior === 'DROP_CASCADE') throw new PgError('0A000', 'DROP INDEX CONCURRENTLY does not support CASCADE');
  }
  for (const obj of n.objects as N[]) {
    const name = (obj.List.items as N[]).map((x) => x.String.sval as string).pop()!;
    const t = cat.indexByName(name)?.table;
    if (!t) {
      if (n.missing_ok) { s.acc.notices.push({ severity: 'NOTICE', sqlstate: '00000', message: `index "${name}" does not exist, skipping` }); continue; }
      throw new PgError('42704', `index "${name}" does not exist`);
    }
    const index = t.indexes.find((i) => i.name === name)!;
    if (!n.concurrent && (yield* dropPartitionedIndex(ex, s, t, index))) continue;
    if (n.concurrent && (t.partKey || index.parentIndex !== undefined)) throw new PgError('0A000', 'cannot drop partitioned index concurrently');
    if (!cat.standaloneIndexes.has(index.name)) {
      throw new PgError('2BP01', `cannot drop index ${name} because constraint ${name} on table ${t.name} requires it`, { hint: `You can drop constraint ${name} on table ${t.name} instead.` });
    }
    const deps = referencingKeys(ex, t).filter((r) => r.fk.refIndex === name);
    if (deps.length) {
      throw new PgError('2BP01', `cannot drop index ${name} because other objects depend on it`, {
        detail: deps.map((r) => `constraint ${r.fk.name} on table ${r.table.name} depends on index ${name}`).join('\n'),
        hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
      });
    }
    if (n.concurrent) {
      yield* ex.eng.acquireLock(s, { type: 'relation', rel: t.oid }, LockMode.ShareUpdateExclusive);
      yield* ex.eng.acquireLock(s, { type: 'relation', rel: index.oid }, LockMode.ShareUpdateExclusive);
      yield* waitForLockers(ex, s, t, LockMode.AccessExclusive, 'DROP INDEX CONCURRENTLY waits for every transaction using the table before marking the index dead');
      yield* waitForLockers(ex, s, t, LockMode.AccessExclusive, 'DROP INDEX CONCURRENTLY waits for every transaction using the table before dropping the index');
      yield* ex.eng.acquireLock(s, { type: 'relation', rel: index.oid }, LockMode.AccessExclusive);
      if (!t.indexes.includes(index)) throw new PgError('42704', `index "${name}" does not exist`);
    } else {
      yield* ex.eng.acquireLock(s, { type: 'relation', rel: t.oid }, LockMode.AccessExclusive);
      yield* ex.eng.acquireLock(s, { type: 'relation', rel: index.oid }, LockMode.AccessExclusive);
    }
    ex.eng.ensureXid(s);
    dropIndexEntry(ex, s, t, index);
    s.tx!.cidUsed = true;
  }
  return { command: 'DROP INDEX', columns: null, rows: [] };
}
