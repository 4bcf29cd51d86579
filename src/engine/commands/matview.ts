/**
 * Materialized views: a view whose rows are stored. CREATE MATERIALIZED VIEW runs the query once and keeps its rows
 * in a heap of its own (pg_class relkind 'm'), read like a table's — Seq Scan, indexes, MVCC, pageinspect — while the
 * query is kept too (PostgreSQL: the _RETURN rule) so that REFRESH MATERIALIZED VIEW can run it again:
 *
 *     CREATE MATERIALIZED VIEW mv AS SELECT id, v FROM src;        -- SELECT 3: rows (0,1)..(0,3), xmin 724
 *     CREATE MATERIALIZED VIEW mv2 AS SELECT id FROM src WITH NO DATA;
 *     SELECT * FROM mv2;   -- 55000 materialized view "mv2" has not been populated (HINT: Use the REFRESH ...)
 *
 * REFRESH comes in two kinds, and the difference is the lesson (tests/scenarios/ddl/matview-refresh-locks.spec,
 * matview-concurrently.spec):
 *
 * - REFRESH MATERIALIZED VIEW mv (refresh_by_heap_swap) takes ACCESS EXCLUSIVE: a SELECT of mv waits until the
 *   refreshing transaction ends. The query's rows go into a brand-new relfilenode (make_new_heap, then
 *   finish_heap_swap), inserted already frozen (TABLE_INSERT_FROZEN: t_infomask 2818 = XMIN_FROZEN | XMAX_INVALID |
 *   HASVARWIDTH, t_xmin the refresher's xid), every index is rebuilt into a new file, and the old file with all its
 *   tuples is simply gone — no dead tuples, nothing for VACUUM.
 * - REFRESH MATERIALIZED VIEW CONCURRENTLY mv (refresh_by_match_merge) takes only EXCLUSIVE: readers go on
 *   reading the old rows, a second refresh waits. It needs a unique index on plain columns with no WHERE clause
 *   (55000 otherwise) and a populated view (0A000). The new rows are compared with the old ones (a FULL JOIN on the
 *   unique key and whole-row identity, PostgreSQL's "diff" temporary table ordered by the old row's ctid); an
 *   unchanged row keeps its tuple, an old row with no identical new row is DELETEd (its tuple gets the refresh's xid
 *   as xmax, HEAP_KEYS_UPDATED), a new row with no identical old row is INSERTed — so a changed row is a dead tuple
 *   plus a new one, in the same relfilenode, exactly as an UPDATE of a table would leave it for VACUUM.
 *
 * INSERT / UPDATE / DELETE on a materialized view are refused (42809 cannot change materialized view "mv"); TRUNCATE
 * says "mv" is not a table; DROP TABLE / DROP VIEW of one point at DROP MATERIALIZED VIEW in a HINT; the relations
 * it reads cannot be dropped under it (2BP01, as for a view: commands/view.ts dependentViews).
 *
 * Mirrors: src/backend/commands/matview.c (ExecRefreshMatView, refresh_matview_datafill, refresh_by_match_merge,
 * refresh_by_heap_swap, transientrel_startup's TABLE_INSERT_FROZEN), createas.c (ExecCreateTableAs for is_matview:
 * commands/createas.ts), executor/execMain.c (CheckValidResultRel, ExecCheckRelationsScannable),
 * commands/cluster.c (make_new_heap, finish_heap_swap). The WAL written into the view's own files is PostgreSQL's
 * (tests/scenarios/ddl/matview-wal.out): a plain REFRESH's Heap INSERT / INSERT+INIT records of frozen tuples into
 * the new file and the index build's XLOG FPI pages; CONCURRENTLY's Heap DELETE / INSERT and Btree INSERT_LEAF. The
 * OIDs (the transient table's, with its TOAST table; CONCURRENTLY's two temporary tables and the session's
 * pg_temp_N) and the command ids of the tuples (cmin 2, or 6 with a TOAST table; CONCURRENTLY's DELETE at 21 and
 * INSERT at 22 from a fresh transaction) are as measured there.
 * Simplifications: CONCURRENTLY's two temporary tables (the new data and the diff) are not created — their OIDs
 * are taken, but the diff is computed in memory: no pg_class rows, locks, catalog WAL or ANALYZE for them, and the
 * command ids between are counted, not used (the counts were measured with a text column, other shapes
 * extrapolated); the unmatched new rows are inserted in the query's order (PostgreSQL: the diff's order, ORDER BY
 * the old tid — the same in every case measured); the catalog changes of either REFRESH log no WAL; pg_matviews has
 * no definition column (no deparser); no ALTER MATERIALIZED VIEW (0A000), ALTER TABLE of one is refused (0A000),
 * no TABLESPACE / USING / WITH (...).
 */
import type { Executor } from '../executor/executor.js';
import { PgError, notSupported } from '../errors.js';
import type { Session, QueryResult } from '../session/session.js';
import type { Table } from '../catalog/catalog.js';
import { heapGetattrs } from '../catalog/catalog.js';
import { materializeLiterals } from '../sql/parser.js';
import type { SqlType, Value } from '../sql/types.js';
import { LockMode } from '../lock/lock.js';
import { heapInsert, heapDelete } from '../heap/heapam.js';
import { LpFlags, HEAP_XMIN_FROZEN } from '../heap/tuple.js';
import { WalKind } from '../wal/wal.js';
import { HeapRelation } from '../heap/heap.js';
import { satisfiesMVCC, VIS_VISIBLE } from '../visibility/visibility.js';
import { recordOut } from '../adt/rowtypes.js';
import { saveTableDef, buildIndex, newIndexFile, recentXmin } from './relfile.js';
import { references } from './view.js';
import { tempNamespace } from './tempcmds.js';
import { needsToast } from '../heap/heaptoast.js';
import { countTruncate } from '../pgstat/pgstat_relation.js';
import type { N, Gen } from '../executor/util.js';

/** After CREATE MATERIALIZED VIEW made the table: it is a materialized view, populated unless WITH NO DATA. */
export function markMatview(ex: Executor, t: Table, query: N, sql: string, populated: boolean): void {
  const cat = ex.eng.catalog;
  const stored = materializeLiterals(query);
  const rels = new Set<string>(), cols = new Set<string>(), star = { any: false };
  references(stored, rels, cols, star);
  const deps = [...rels].filter((r) => r !== t.name && (cat.get(r) || cat.view(r))).map((r) => {
    const src = cat.get(r);
    const all = src ? src.columns.filter((c) => !c.dropped).map((c) => c.name) : cat.view(r)!.columns.map((c) => c.name);
    return { rel: r, columns: star.any ? all : all.filter((c) => cols.has(c)) };
  });
  cat.allocOid(); // its _RETURN rule (pg_rewrite)
  t.matview = { query: stored, sql, populated, deps };
}

/** CREATE MATERIALIZED VIEW's checks before the query runs: no temporary relation in it (matview.c / createas.c). */
export function checkMatviewQuery(ex: Executor, query: N): void {
  const cat = ex.eng.catalog;
  const rels = new Set<string>(), cols = new Set<string>(), star = { any: false };
  references(query, rels, cols, star);
  if ([...rels].some((r) => cat.get(r)?.temp || cat.view(r)?.temp || cat.sequence(r)?.temp)) throw new PgError('0A000', 'materialized views must not use temporary tables or views');
}

/** ExecCheckRelationsScannable: reading an unpopulated materialized view is an error. */
export function checkScannable(t: Table | null | undefined): void {
  if (t?.matview && !t.matview.populated) {
    throw new PgError('55000', `materialized view "${t.name}" has not been populated`, { hint: 'Use the REFRESH MATERIALIZED VIEW command.' });
  }
}

/** CheckValidResultRel: INSERT / UPDATE / DELETE never write into a materialized view (only REFRESH does). */
export function checkNotMatview(t: Table): void {
  if (t.matview) throw new PgError('42809', `cannot change materialized view "${t.name}"`);
}

/** REFRESH MATERIALIZED VIEW [CONCURRENTLY] name [WITH [NO] DATA] (ExecRefreshMatView). */
export function* refreshMatView(ex: Executor, s: Session, n: N): Gen<QueryResult> {
  const done: QueryResult = { command: 'REFRESH MATERIALIZED VIEW', columns: null, rows: [] };
  ex.checkReadOnly(s, 'REFRESH MATERIALIZED VIEW');
  const rv = n.relation as N;
  const concurrent = !!n.concurrent;
  const cat = ex.eng.catalog;
  if ((!rv.schemaname || rv.schemaname === 'public') && (cat.view(rv.relname) || cat.sequence(rv.relname)) && !cat.get(rv.relname)) {
    throw new PgError('42809', `"${rv.relname}" is not a table or materialized view`); // RangeVarCallbackOwnsTable
  }
  // RangeVarGetRelidExtended: EXCLUSIVE for CONCURRENTLY (readers go on), ACCESS EXCLUSIVE otherwise
  const t = yield* ex.lockedTable(s, rv, concurrent ? LockMode.Exclusive : LockMode.AccessExclusive, false);
  if (!t.matview) throw new PgError('42809', `"${t.name}" is not a materialized view`);
  if (concurrent && !t.matview.populated) throw new PgError('0A000', 'CONCURRENTLY cannot be used when the materialized view is not populated');
  if (concurrent && n.skipData) throw new PgError('42601', 'CONCURRENTLY and WITH NO DATA options cannot be used together');
  ex.eng.ensureTopXid(s);
  if (concurrent) yield* refreshByMatchMerge(ex, s, t);
  else yield* refreshByHeapSwap(ex, s, t, !n.skipData);
  return done;
}

/** refresh_matview_datafill: the stored query's rows, with a fresh snapshot (the rule's range table locks the view AccessShare). */
function* datafill(ex: Executor, s: Session, t: Table): Gen<{ rows: Value[][]; types: SqlType[] }> {
  yield* ex.lockRelation(s, t, LockMode.AccessShare, false); // AcquireRewriteLocks: the rule's OLD / NEW entries
  const mv = t.matview!;
  const q = yield* ex.query(s, mv.query as N, mv.sql, false);
  return { rows: q.rows, types: q.types };
}

/**
 * refresh_by_heap_swap: make_new_heap (EXCLUSIVE on the view, a transient table's OIDs), the rows into it frozen,
 * finish_heap_swap (the view takes its relfilenode), reindex_relation (SHARE on the view, each index ACCESS EXCLUSIVE
 * and rebuilt into a new file). WITH NO DATA: the new file stays empty and the view unpopulated.
 */
function* refreshByHeapSwap(ex: Executor, s: Session, t: Table, withData: boolean): Gen<void> {
  const eng = ex.eng;
  const cat = eng.catalog;
  yield* ex.lockRelation(s, t, LockMode.Exclusive, false); // make_new_heap(…, ExclusiveLock)
  const rows = withData ? (yield* datafill(ex, s, t)).rows : [];
  const mv = t.matview!;
  // the swap of TOAST tables (the transient one's becomes the view's) is not modelled once values went out of line
  if (t.toast?.heap.pages.length) throw notSupported('REFRESH MATERIALIZED VIEW of a view with values stored out of line in its TOAST table');
  s.tx!.undo.push(saveTableDef(ex, t));
  // a new object, not changed in place (a clone of the engine shares nothing with this one)
  t.matview = { ...mv, populated: withData };
  s.tx!.undo.push(() => { t.matview = mv; });
  // the transient table pg_temp_NNN: its relation, row type and array type (its OID becomes the relfilenode), and
  // a TOAST table with its index when a column needs one (tests/scenarios/ddl/matview-wal.out)
  t.relfilenode = cat.allocOid();
  cat.allocOid(); cat.allocOid();
  const toast = needsToast(t.columns.filter((c) => !c.dropped));
  if (toast) { cat.allocOid(); cat.allocOid(); }
  const heap = new HeapRelation();
  heap.fillfactor = t.heap.fillfactor;
  t.heap = heap;
  t.storageLsn = eng.wal.insert(WalKind.StorageCreate, s.tx!.writeXid, 42, t.oid, -1, 0);
  // heap_create_with_catalog's command counter increments (2, and 4 more for the TOAST table): the rows' cmin
  s.tx!.curcid += 2 + (toast ? 4 : 0);
  // pgstat_count_truncate, then the rows as inserts into the view (ExecRefreshMatView: the transient table's own
  // counts are lost with it): n_live_tup starts over, n_tup_ins goes on (tests/scenarios/ddl/matview-pgstat.out)
  countTruncate(s.tx!, t.oid);
  const hctx = ex.heapCtx(s);
  for (const r of rows) {
    // transientrel_receive: table_tuple_insert with TABLE_INSERT_FROZEN — t_xmin stays, XMIN_FROZEN is set
    const tid = heapInsert(hctx, t, r);
    const item = t.heap.pages[tid.blk]!.items[tid.off - 1]!;
    item.infomask |= HEAP_XMIN_FROZEN;
  }
  s.tx!.cidUsed = true;
  // reindex_relation: ShareLock on the heap, each index rebuilt into a new file over the new rows
  yield* ex.lockRelation(s, t, LockMode.Share, false);
  t.indexes = t.indexes.map((i) => {
    const fresh = newIndexFile(ex, s, i);
    buildIndex(ex, s, t, fresh);
    return fresh;
  });
  t.stats = undefined;
  if (t.indexes.length) ex.updateStats(s, t); // index_update_stats sets the heap's relpages / reltuples
  t.relfrozenxid = recentXmin(ex, s);
  t.relminmxid = eng.multis.next;
  t.toastFrozenXid = undefined;
  t.heap.targetBlock = -1;
  if (eng.tracer.wants('wal')) eng.tracer.emit({ kind: 'wal', session: s.name, rel: t.name, text: `REFRESH MATERIALIZED VIEW ${t.name}: ${rows.length} row(s) written frozen into relfilenode ${t.relfilenode}, the old file and its tuples dropped, indexes rebuilt` });
}

/** is_usable_unique_index: unique, no predicate, every key a plain column (no expression). */
function usableUniqueIndexes(t: Table) {
  return t.indexes.filter((i) => i.unique && !i.def?.pred && i.columns.length > 0 && i.columns.every((c) => c >= 0));
}

/**
 * refresh_by_match_merge: the new rows (a temporary table in PostgreSQL), checked for duplicate rows without NULLs,
 * compared with the view's rows on the unique index's columns and whole-row identity; the old rows with no match
 * deleted (in ctid order), the new rows with no match inserted, as the view's own DELETE and INSERT.
 */
function* refreshByMatchMerge(ex: Executor, s: Session, t: Table): Gen<void> {
  const eng = ex.eng;
  const { rows } = yield* datafill(ex, s, t);
  // the duplicate check: a row without NULLs that appears twice
  const keys = rows.map((r) => recordOut(r));
  const seen = new Map<string, number>();
  for (const k of keys) seen.set(k, (seen.get(k) ?? 0) + 1);
  const dup = rows.findIndex((r, i) => r.every((v) => v !== null) && seen.get(keys[i]!)! > 1);
  if (dup >= 0) {
    throw new PgError('21000', `new data for materialized view "${t.name}" contains duplicate rows without any null columns`, { detail: `Row: ${keys[dup]}` });
  }
  const usable = usableUniqueIndexes(t);
  if (!usable.length) {
    throw new PgError('55000', `cannot refresh materialized view "${t.nsp?.name ?? 'public'}.${t.name}" concurrently`,
      { hint: 'Create a unique index with no WHERE clause on one or more columns of the materialized view.' });
  }
  // the diff query reads the view (AccessShare on it and its indexes); DELETE / INSERT: RowExclusive
  yield* ex.lockRelation(s, t, LockMode.AccessShare, true);
  yield* ex.lockRelation(s, t, LockMode.RowExclusive, true);
  // the OIDs of the two temporary tables (the session's pg_temp_N made first if needed): the new data's table
  // (relation, row type, array type, TOAST table and index when a column needs one), the diff's (its newdata
  // column is a row: always TOAST) — and the command ids their creation, ANALYZE and filling use: the DELETE ran
  // at 21 and the INSERT at 22 in a fresh transaction (matview-wal.out; 4 fewer without the first TOAST table)
  const cat = eng.catalog;
  tempNamespace(eng, s);
  const toast = needsToast(t.columns.filter((c) => !c.dropped));
  for (let i = 0; i < 3 + (toast ? 2 : 0) + 5; i++) cat.allocOid();
  s.tx!.curcid += 17 + (toast ? 4 : 0);
  const snap = eng.snapshotFor(s);
  const vctx = eng.visibilityContext(s);
  const old: { blk: number; off: number; key: string; vals: Value[] }[] = [];
  for (const page of t.heap.pages) {
    page.items.forEach((it, k) => {
      if (it.lpFlags !== LpFlags.NORMAL || !VIS_VISIBLE[satisfiesMVCC(it, snap, vctx)]) return;
      const vals = heapGetattrs(t, it.values);
      old.push({ blk: page.blkno, off: k + 1, key: recordOut(vals), vals });
    });
  }
  // FULL JOIN ... ON newdata.key = mv.key (every usable index's) AND newdata *= mv: a NULL key column never matches
  const nullKey = (vals: Value[]) => usable.some((i) => i.columns.some((c) => vals[c] === null));
  const pending = new Map<string, number[]>();
  rows.forEach((r, i) => {
    if (nullKey(r)) return;
    const l = pending.get(keys[i]!);
    if (l) l.push(i); else pending.set(keys[i]!, [i]);
  });
  const matched = new Set<number>();
  const gone: typeof old = [];
  for (const o of old) {
    const l = nullKey(o.vals) ? undefined : pending.get(o.key);
    if (l?.length) matched.add(l.shift()!); else gone.push(o);
  }
  const hctx = ex.heapCtx(s);
  for (const o of gone) heapDelete(hctx, t, o.blk, o.off);
  s.tx!.commandCounterIncrement();
  for (const [i, r] of rows.entries()) {
    if (matched.has(i)) continue;
    const vals = r.slice();
    const tid = heapInsert(hctx, t, vals);
    const waitAt = ex.indexInsertAll(s, t, vals, tid.blk, tid.off);
    if (waitAt >= 0) throw notSupported('REFRESH MATERIALIZED VIEW CONCURRENTLY waiting on a unique index');
  }
  s.tx!.cidUsed = true;
}
