/**
 * The statistics views as SQL sees them: pg_stat_user_tables / pg_stat_all_tables (the shared table statistics,
 * pgstat_relation.ts) and pg_stat_activity (every backend's state as it reports it: its query, its transaction's
 * start, its xid and xmin, what it waits for).
 *
 * Reading either inside a transaction gives the same answer every time (stats_fetch_consistency = cache: an entry
 * is copied at its first read in the transaction; snapshot: all of them at the first access; none: never copied;
 * pg_stat_activity's backend list is copied at the first read). pg_stat_clear_snapshot() discards the copies.
 * pg_stat_user_indexes shows each index's scans, entries returned and heap tuples fetched (pgstat_relation.ts);
 * pg_stat_xact_user_tables this backend's counts not flushed yet; pg_stat_user_functions and
 * pg_stat_xact_user_functions the same for functions (pgstat_function.ts). The pg_statio_* views are refused with 0A000:
 * the engine's buffer manager does not count a relation's buffer hits and reads as PostgreSQL does (every
 * ReadBuffer of every fork, the visibility map's and free space map's included).
 *
 * backend_xmin is what holds VACUUM back: the xmin of the oldest snapshot the backend holds — a REPEATABLE READ
 * transaction's snapshot until it ends, a READ COMMITTED statement's only while that statement runs (so an idle
 * READ COMMITTED transaction shows backend_xid, if it wrote, but no backend_xmin).
 *
 * Mirrors: src/backend/catalog/system_views.sql (pg_stat_all_tables, pg_stat_user_tables, pg_stat_activity),
 * utils/adt/pgstatfuncs.c (pg_stat_get_*, pg_stat_get_activity), utils/activity/backend_status.c.
 * Simplifications: pg_stat_all_tables lists the user tables only (this engine has no catalog tables to count);
 * the background processes' rows (checkpointer, background writer, walwriter, autovacuum launcher, logical
 * replication launcher) carry pids of their own numbering (PostgreSQL's are the operating system's); datid is 5,
 * datname postgres, usesysid 10, usename postgres, client_addr 127.0.0.1; backend_start is when the session was
 * created on the virtual clock.
 */
import { portalsXmin } from '../tcop/portalmem.js';
import type { Engine } from '../engine.js';
import type { Session } from '../session/session.js';
import type { Transaction } from '../xact/xact.js';
import { type SqlType, type Value, T } from '../sql/types.js';
import { virtualTimestamp } from '../adt/timestamp.js';
import { GLOBAL_STAT_VIEWS } from './pgstat_global.js';
import { type TableStats, type IndexCounts, emptyTableStats, emptyIndexCounts, touched } from './pgstat_relation.js';
import type { Table } from '../catalog/catalog.js';
import type { FunctionCounts } from './pgstat_function.js';
import { PgFloat } from '../adt/float.js';
import { statSlruView } from './pgstat_slru.js';
import { notSupported } from '../errors.js';

/** A view's columns and rows; a column with `refused` is not modelled (naming it is 0A000), `starRefused` refuses SELECT * */
export interface ViewRows { columns: { name: string; type: SqlType; refused?: string }[]; rows: Value[][]; starRefused?: string }

const TABLE_COLUMNS: [string, SqlType][] = [
  ['relid', T.oid], ['schemaname', T.text], ['relname', T.text], ['seq_scan', T.int8], ['seq_tup_read', T.int8],
  ['idx_scan', T.int8], ['idx_tup_fetch', T.int8], ['n_tup_ins', T.int8], ['n_tup_upd', T.int8], ['n_tup_del', T.int8],
  ['n_tup_hot_upd', T.int8], ['n_live_tup', T.int8], ['n_dead_tup', T.int8], ['n_mod_since_analyze', T.int8],
  ['n_ins_since_vacuum', T.int8], ['last_vacuum', T.timestamptz], ['last_autovacuum', T.timestamptz],
  ['last_analyze', T.timestamptz], ['last_autoanalyze', T.timestamptz], ['vacuum_count', T.int8],
  ['autovacuum_count', T.int8], ['analyze_count', T.int8], ['autoanalyze_count', T.int8],
];

const ts = (ms: number | null): Value => (ms === null ? null : virtualTimestamp(ms));

/**
 * stats_fetch_consistency as the session has it: 'none' reads the shared entries every time; 'cache' copies an
 * entry at its first read in the transaction; 'snapshot' copies every entry at the transaction's first access
 * (pgstat_build_snapshot), so one first read later is as it was then. Returns the caches to use, or null.
 */
function fetchCaches(eng: Engine, s: Session): Transaction | null {
  touched(s);
  const tx = s.tx;
  const mode = s.gucs.get('stats_fetch_consistency');
  if (!tx || mode === 'none') return null;
  if (mode === 'snapshot' && !tx.pgstatSnapshot) {
    tx.pgstatSnapshot = true;
    tx.pgstatCache.clear(); tx.pgstatIndexCache.clear(); tx.pgstatFuncCache.clear();
    for (const [k, v] of eng.pgstat.tables) tx.pgstatCache.set(k, { ...v });
    for (const [k, v] of eng.pgstat.indexes) tx.pgstatIndexCache.set(k, { ...v });
    for (const [k, v] of eng.pgstat.functions) tx.pgstatFuncCache.set(k, { ...v });
    tx.pgstatSlruCache = eng.pgstat.slruZeroed.slice();
  }
  return tx;
}

/** The shared entry of a table as this session sees it (stats_fetch_consistency: cached for its transaction). */
export function statsFor(eng: Engine, s: Session, oid: number): TableStats {
  const tx = fetchCaches(eng, s);
  return cachedCopy(tx?.pgstatCache, !!tx?.pgstatSnapshot, eng.pgstat.tables, oid, emptyTableStats);
}

/**
 * An entry as a transaction's cache holds it: the cached copy, else a copy of the shared entry (or an empty one)
 * kept in the cache — in a snapshot, an entry that was not there is as empty as it was.
 */
function cachedCopy<T extends object>(cache: Map<number, T> | undefined, inSnapshot: boolean, shared: Map<number, T>, oid: number, empty: () => T): T {
  const hit = cache?.get(oid);
  if (hit) return hit;
  const e = { ...((inSnapshot ? undefined : shared.get(oid)) ?? empty()) };
  cache?.set(oid, e);
  return e;
}

/** pg_stat_clear_snapshot(): the copies of this transaction are discarded (and pg_stat_activity's backend list). */
export function clearStatsSnapshot(s: Session): void {
  const tx = s.tx;
  if (!tx) return;
  tx.pgstatCache.clear(); tx.pgstatIndexCache.clear(); tx.pgstatFuncCache.clear();
  tx.pgstatSlruCache = null; tx.pgstatSnapshot = false; tx.activityCache = null;
}

/** The shared entry of an index as this session sees it (cached for the rest of its transaction). */
export function indexStatsFor(eng: Engine, s: Session, oid: number): IndexCounts {
  const tx = fetchCaches(eng, s);
  return cachedCopy(tx?.pgstatIndexCache, !!tx?.pgstatSnapshot, eng.pgstat.indexes, oid, emptyIndexCounts);
}

/**
 * The shared entry of a function as this session sees it (pgstat_fetch_stat_funcentry): null when there is none —
 * a miss is cached too (stats_fetch_consistency = cache), and in a snapshot a function without an entry has none.
 */
export function funcStatsFor(eng: Engine, s: Session, oid: number): FunctionCounts | null {
  const tx = fetchCaches(eng, s);
  if (tx && (tx.pgstatSnapshot || tx.pgstatFuncCache.has(oid))) return tx.pgstatFuncCache.get(oid) ?? null;
  const e = eng.pgstat.functions.get(oid);
  const copy = e ? { ...e } : null;
  tx?.pgstatFuncCache.set(oid, copy);
  return copy;
}

/** pg_stat_slru as this session sees it: fixed-amount statistics are copied at the first access ('cache', 'snapshot'). */
function statSlru(eng: Engine, s: Session): ViewRows {
  const tx = fetchCaches(eng, s);
  if (!tx) return statSlruView(eng, eng.pgstat.slruZeroed);
  tx.pgstatSlruCache ??= eng.pgstat.slruZeroed.slice();
  return statSlruView(eng, tx.pgstatSlruCache);
}

/** float8 milliseconds of a time counted in µs (pg_stat_get_function_total_time's total_time / 1000.0) */
export const msOf = (us: number): PgFloat => new PgFloat(us / 1000, false);

const FUNCTION_COLUMNS: [string, SqlType][] = [
  ['funcid', T.oid], ['schemaname', T.name], ['funcname', T.name], ['calls', T.int8], ['total_time', T.float8], ['self_time', T.float8],
];

/** The user functions in pg_proc's order (by oid here), those the running session sees: with the ones another
 *  session's running DROP FUNCTION deleted */
function userFunctions(eng: Engine) {
  const cat = eng.catalog;
  const dropped = cat.shadows.filter((sh) => sh.fns && sh.session !== cat.current).flatMap((sh) => sh.fns!);
  return [...[...cat.functions.values()].flat(), ...dropped].sort((a, b) => a.oid - b.oid);
}

/** pg_stat_user_functions: the functions with a shared entry (pg_stat_get_function_calls(oid) IS NOT NULL). */
export function statUserFunctionsView(eng: Engine, s: Session): ViewRows {
  const rows: Value[][] = [];
  for (const f of userFunctions(eng)) {
    const e = funcStatsFor(eng, s, f.oid);
    if (e) rows.push([f.oid, 'public', f.name, e.calls, msOf(e.totalUs), msOf(e.selfUs)]);
  }
  return { columns: FUNCTION_COLUMNS.map(([name, type]) => ({ name, type })), rows };
}

/** pg_stat_xact_user_functions: this backend's counts not flushed yet (pg_stat_get_xact_function_calls & co.). */
export function statXactUserFunctionsView(eng: Engine, s: Session): ViewRows {
  touched(s);
  const rows: Value[][] = [];
  for (const f of userFunctions(eng)) {
    const p = s.pgstat.funcPending.get(f.oid);
    if (p) rows.push([f.oid, 'public', f.name, p.calls, msOf(p.totalUs), msOf(p.selfUs)]);
  }
  return { columns: FUNCTION_COLUMNS.map(([name, type]) => ({ name, type })), rows };
}

/** system_views.sql's idx_scan and idx_tup_fetch of a table: sums over its indexes (NULL without one), plus the
 *  table's own fetches (a Bitmap Heap Scan's) */
function indexSums(t: Table, heapFetch: number, of: (oid: number) => IndexCounts): [Value, Value] {
  if (!t.indexes.length) return [null, null];
  let scans = 0, fetch = heapFetch;
  for (const i of t.indexes) { const c = of(i.oid); scans += c.scans; fetch += c.tupFetch; }
  return [scans, fetch];
}

/** pg_stat_user_tables (and, here, pg_stat_all_tables). */
export function statTablesView(eng: Engine, s: Session): ViewRows {
  const rows: Value[][] = [];
  for (const t of eng.catalog.tables.values()) {
    // every session's temporary tables too: the view reads pg_class (tests/scenarios/temp/visibility.out)
    const e = statsFor(eng, s, t.oid);
    const [idxScan, idxTupFetch] = indexSums(t, e.heapFetch, (oid) => indexStatsFor(eng, s, oid));
    rows.push([
      t.oid, t.temp ? t.temp.schema : 'public', t.name, e.seqScan, e.seqTupRead, idxScan, idxTupFetch,
      e.ins, e.upd, e.del, e.hot, e.live, e.dead, e.modSinceAnalyze, e.insSinceVacuum,
      ts(e.lastVacuum), ts(e.lastAutovacuum), ts(e.lastAnalyze), ts(e.lastAutoanalyze),
      e.vacuumCount, e.autovacuumCount, e.analyzeCount, e.autoanalyzeCount,
    ]);
  }
  return { columns: TABLE_COLUMNS.map(([name, type]) => ({ name, type })), rows };
}

const INDEX_COLUMNS: [string, SqlType][] = [
  ['relid', T.oid], ['indexrelid', T.oid], ['schemaname', T.text], ['relname', T.text], ['indexrelname', T.text],
  ['idx_scan', T.int8], ['idx_tup_read', T.int8], ['idx_tup_fetch', T.int8],
];

/** pg_stat_user_indexes (and, here, pg_stat_all_indexes): one row per index of every table. */
export function statIndexesView(eng: Engine, s: Session): ViewRows {
  const rows: Value[][] = [];
  for (const t of eng.catalog.tables.values()) {
    for (const i of t.indexes) {
      const e = indexStatsFor(eng, s, i.oid);
      rows.push([t.oid, i.oid, t.temp ? t.temp.schema : 'public', t.name, i.name, e.scans, e.tupRead, e.tupFetch]);
    }
  }
  return { columns: INDEX_COLUMNS.map(([name, type]) => ({ name, type })), rows };
}

const XACT_TABLE_COLUMNS = TABLE_COLUMNS.slice(0, 11);

/**
 * pg_stat_xact_user_tables (and pg_stat_xact_all_tables): this backend's counts not flushed yet — what earlier
 * transactions left pending and the open transaction's row changes at every (sub)transaction level
 * (pg_stat_get_xact_tuples_inserted & co. add trans->tuples_inserted up the stack). Read live, never cached.
 */
export function statXactTablesView(eng: Engine, s: Session): ViewRows {
  touched(s);
  const rows: Value[][] = [];
  const zero = emptyIndexCounts();
  for (const t of eng.catalog.tables.values()) {
    const p = s.pgstat.pending.get(t.oid);
    let ins = p?.ins ?? 0, upd = p?.upd ?? 0, del = p?.del ?? 0;
    for (const m of s.tx?.pgstat ?? []) { const c = m?.get(t.oid); if (c) { ins += c.ins; upd += c.upd; del += c.del; } }
    const hot = (p?.hot ?? 0) + (s.tx?.pgstatHot.get(t.oid) ?? 0);
    const [idxScan, idxTupFetch] = indexSums(t, p?.heapFetch ?? 0, (oid) => s.pgstat.indexPending.get(oid) ?? zero);
    rows.push([t.oid, t.temp ? t.temp.schema : 'public', t.name, p?.seqScan ?? 0, p?.seqTupRead ?? 0, idxScan, idxTupFetch, ins, upd, del, hot]);
  }
  return { columns: XACT_TABLE_COLUMNS.map(([name, type]) => ({ name, type })), rows };
}

/** pg_statio_*: per-relation buffer hits and reads are not counted by this engine's buffer manager. */
const statioRefused = (view: string, cols: string) => (): ViewRows => {
  throw notSupported(`${view} (${cols}: per-relation shared-buffer hits and reads are not counted)`);
};

const ACTIVITY_COLUMNS: [string, SqlType][] = [
  ['datid', T.oid], ['datname', T.text], ['pid', T.int4], ['leader_pid', T.int4], ['usesysid', T.oid], ['usename', T.text],
  ['application_name', T.text], ['client_addr', T.text], ['client_hostname', T.text], ['client_port', T.int4],
  ['backend_start', T.timestamptz], ['xact_start', T.timestamptz], ['query_start', T.timestamptz], ['state_change', T.timestamptz],
  ['wait_event_type', T.text], ['wait_event', T.text], ['state', T.text], ['backend_xid', T.xid], ['backend_xmin', T.xid],
  ['query_id', T.int8], ['query', T.text], ['backend_type', T.text],
];

/** One backend's row facts, as the inspection API and pg_stat_activity share them. */
export interface BackendActivity {
  session: string; pid: number; state: string; xactStart: number | null; queryStart: number | null; stateChange: number;
  waitEventType: string | null; waitEvent: string | null; backendXid: number | null; backendXmin: number | null; query: string;
}

/** MyProc->xmin: the oldest snapshot the backend holds right now. */
export function backendXmin(s: Session): number | null {
  const tx = s.tx;
  if (!tx) return null;
  let x: number | null = null;
  if (tx.xactSnapshot) x = tx.xactSnapshot.xmin;
  if (tx.stmtSnapshot && (x === null || tx.stmtSnapshot.xmin < x)) x = tx.stmtSnapshot.xmin;
  const px = portalsXmin(s); // an open cursor's registered snapshot
  if (px !== null && (x === null || px < x)) x = px;
  return x;
}

/** The client backends' activity, in pid order. `self` is the session asking (it is active, running the query). */
export function backendActivity(eng: Engine, self: Session | null): BackendActivity[] {
  return eng.sessions.map((x) => {
    const active = x === self || !!x.running;
    const state = active ? 'active' : x.state;
    const waiting = x.waiting;
    return {
      session: x.name, pid: x.pid, state,
      xactStart: x.tx ? x.xactStartAt : null,
      queryStart: x.currentQuery ? x.stmtStartAt : null,
      stateChange: active ? x.stmtStartAt : x.idleSince,
      waitEventType: waiting ? 'Lock' : active ? null : 'Client',
      waitEvent: waiting ? waiting.tag.type : active ? null : 'ClientRead',
      backendXid: x.tx?.xid || null,
      backendXmin: backendXmin(x),
      query: x.currentQuery,
    };
  });
}

/** pg_stat_activity */
export function statActivityView(eng: Engine, s: Session): ViewRows {
  touched(s);
  const cached = s.tx?.activityCache;
  if (cached) return cached as ViewRows;
  // the asking backend runs this query, so it holds the query's snapshot: its backend_xmin shows (exec_simple_query
  // takes the snapshot before the plan runs)
  eng.snapshotFor(s);
  const rows: Value[][] = backendActivity(eng, s).map((a) => {
    const x = eng.sessions.find((y) => y.name === a.session)!;
    return [
      5, 'postgres', a.pid, null, 10, 'postgres', x.gucs.get('application_name'), '127.0.0.1', null, 40000 + x.id, ts(x.backendStartAt), ts(a.xactStart), ts(a.queryStart),
      ts(a.stateChange), a.waitEventType, a.waitEvent, a.state, a.backendXid, a.backendXmin, null, a.query, 'client backend',
    ];
  });
  const bg = (pid: number, type: string, wait: string): Value[] => [
    null, null, pid, null, null, null, '', null, null, null, ts(0), null, null, null, 'Activity', wait, null, null, null, null, '', type,
  ];
  if (eng.autovacuum.launcherRunning(eng)) rows.push(bg(990, 'autovacuum launcher', 'AutoVacuumMain'));
  rows.push(bg(991, 'logical replication launcher', 'LogicalLauncherMain'));
  rows.push(bg(992, 'background writer', 'BgWriterMain'), bg(993, 'checkpointer', 'CheckpointerMain'), bg(994, 'walwriter', 'WalWriterMain'));
  const out = { columns: ACTIVITY_COLUMNS.map(([name, type]) => ({ name, type })), rows };
  if (s.tx) s.tx.activityCache = out;
  return out;
}

/** The statistics views this module answers for, by name (and the cluster-wide ones of pgstat_global.ts). */
export const STAT_VIEWS: Record<string, (eng: Engine, s: Session) => ViewRows> = {
  pg_stat_user_tables: statTablesView,
  pg_stat_all_tables: statTablesView,
  pg_stat_user_indexes: statIndexesView,
  pg_stat_all_indexes: statIndexesView,
  pg_stat_xact_user_tables: statXactTablesView,
  pg_stat_xact_all_tables: statXactTablesView,
  pg_statio_user_tables: statioRefused('pg_statio_user_tables', 'heap_blks_read, heap_blks_hit, idx_blks_read, idx_blks_hit, toast_blks_read, toast_blks_hit, tidx_blks_read, tidx_blks_hit'),
  pg_statio_all_tables: statioRefused('pg_statio_all_tables', 'heap_blks_read, heap_blks_hit, idx_blks_read, idx_blks_hit, toast_blks_read, toast_blks_hit, tidx_blks_read, tidx_blks_hit'),
  pg_statio_user_indexes: statioRefused('pg_statio_user_indexes', 'idx_blks_read, idx_blks_hit'),
  pg_statio_all_indexes: statioRefused('pg_statio_all_indexes', 'idx_blks_read, idx_blks_hit'),
  pg_stat_activity: statActivityView,
  pg_stat_user_functions: statUserFunctionsView,
  pg_stat_xact_user_functions: statXactUserFunctionsView,
  pg_stat_slru: statSlru,
  ...GLOBAL_STAT_VIEWS,
};
