/**
 * The pg_stat_get_* functions the statistics views are built from, called directly (system_views.sql defines
 * pg_stat_all_tables' n_live_tup as pg_stat_get_live_tuples(c.oid), and so on): a table's shared statistics entry
 * as this session sees it — cached for the rest of its transaction, like the views (stats_fetch_consistency =
 * cache). An oid without an entry reads 0 (timestamps NULL), as in PostgreSQL. An index's oid reads the index's own
 * entry (numscans, tuples_returned, tuples_fetched: pg_stat_user_indexes' idx_scan, idx_tup_read, idx_tup_fetch);
 * a table's tuples_fetched is its own — a Bitmap Heap Scan's fetches.
 *
 *     SELECT pg_stat_get_live_tuples('t'::regclass), pg_stat_get_dead_tuples('t'::regclass);
 *
 * The function entries (pgstat/pgstat_function.ts): pg_stat_get_function_calls / _total_time / _self_time read
 * NULL for a function without an entry (times in milliseconds); pg_stat_get_xact_function_* read this backend's
 * counts not flushed yet. The resets and pg_stat_have_stats are pgstat/pgstat_reset.ts's.
 *
 * Mirrors: src/backend/utils/adt/pgstatfuncs.c (PG_STAT_GET_RELENTRY_INT64 / _TIMESTAMPTZ,
 * pg_stat_get_function_*, pg_stat_get_xact_function_*, pg_stat_reset*, pg_stat_have_stats).
 */
import { register, type FuncDef } from './registry.js';
import { T, type SqlType, type Value } from '../types.js';
import { withHost, host } from '../../contrib/host.js';
import { statsFor, indexStatsFor, clearStatsSnapshot, funcStatsFor, msOf } from '../../pgstat/views.js';
import { resetCounters, resetSingle, resetShared, haveStats } from '../../pgstat/pgstat_reset.js';
import { touched } from '../../pgstat/pgstat_relation.js';
import type { FunctionCounts } from '../../pgstat/pgstat_function.js';
import { resetSlru } from '../../pgstat/pgstat_slru.js';
import type { TableStats, IndexCounts } from '../../pgstat/pgstat_relation.js';
import { virtualTimestamp } from '../../adt/timestamp.js';

const COUNTERS: [string, keyof TableStats, SqlType][] = [
  ['numscans', 'seqScan', T.int8], ['tuples_returned', 'seqTupRead', T.int8], ['tuples_fetched', 'heapFetch', T.int8], ['tuples_inserted', 'ins', T.int8],
  ['tuples_updated', 'upd', T.int8], ['tuples_deleted', 'del', T.int8], ['tuples_hot_updated', 'hot', T.int8],
  ['live_tuples', 'live', T.int8], ['dead_tuples', 'dead', T.int8], ['mod_since_analyze', 'modSinceAnalyze', T.int8],
  ['ins_since_vacuum', 'insSinceVacuum', T.int8], ['vacuum_count', 'vacuumCount', T.int8], ['autovacuum_count', 'autovacuumCount', T.int8],
  ['analyze_count', 'analyzeCount', T.int8], ['autoanalyze_count', 'autoanalyzeCount', T.int8],
  ['last_vacuum_time', 'lastVacuum', T.timestamptz], ['last_autovacuum_time', 'lastAutovacuum', T.timestamptz],
  ['last_analyze_time', 'lastAnalyze', T.timestamptz], ['last_autoanalyze_time', 'lastAutoanalyze', T.timestamptz],
];

const INDEX_FIELDS: Record<string, keyof IndexCounts> = { numscans: 'scans', tuples_returned: 'tupRead', tuples_fetched: 'tupFetch' };

const defs: FuncDef[] = COUNTERS.map(([name, field, ret]) => ({
  name: `pg_stat_get_${name}`, args: ['oid'], ret,
  build: withHost((oid, { eng, session }): Value => {
    if ([...eng.catalog.tables.values()].some((t) => t.indexes.some((i) => i.oid === oid))) {
      // an index's own entry: its scans, the entries it returned, the heap tuples fetched through it
      const i = indexStatsFor(eng, session, oid as number);
      const f = INDEX_FIELDS[name];
      return f ? i[f] : ret === T.timestamptz ? null : 0;
    }
    const v = statsFor(eng, session, oid as number)[field] as number | null;
    return ret === T.timestamptz ? (v === null ? null : virtualTimestamp(v)) : v;
  }),
}));
// pg_stat_clear_snapshot(): the statistics copied in this transaction are read afresh at the next access
defs.push({ name: 'pg_stat_clear_snapshot', args: [], ret: T.void, build: (_a, c) => () => { clearStatsSnapshot(host(c).session); return ''; } });

// the function entries: NULL without one
const FUNC_FIELDS: [string, (e: FunctionCounts) => Value, SqlType][] = [
  ['calls', (e) => e.calls, T.int8], ['total_time', (e) => msOf(e.totalUs), T.float8], ['self_time', (e) => msOf(e.selfUs), T.float8],
];
for (const [name, get, ret] of FUNC_FIELDS) {
  defs.push({
    name: `pg_stat_get_function_${name}`, args: ['oid'], ret,
    build: withHost((oid, { eng, session }) => { const e = funcStatsFor(eng, session, oid as number); return e ? get(e) : null; }),
  }, {
    name: `pg_stat_get_xact_function_${name}`, args: ['oid'], ret,
    build: withHost((oid, { session }) => { touched(session); const e = session.pgstat.funcPending.get(oid as number); return e ? get(e) : null; }),
  });
}

const voidFn = (name: string, args: FuncDef['args'], run: (vals: Value[], c: Parameters<NonNullable<FuncDef['build']>>[1]) => void): FuncDef => ({
  name, args, ret: T.void,
  build: (as, c) => (r) => {
    const vals = as.map((a) => a.fn(r));
    run(vals, c);
    return '';
  },
});
defs.push(
  voidFn('pg_stat_reset', [], (_v, c) => resetCounters(host(c).eng)),
  // STRICT: a NULL argument resets nothing (the function is not called)
  voidFn('pg_stat_reset_single_table_counters', ['oid'], ([oid], c) => { if (oid !== null) resetSingle(host(c).eng, 'relation', oid as number); }),
  voidFn('pg_stat_reset_single_function_counters', ['oid'], ([oid], c) => { if (oid !== null) resetSingle(host(c).eng, 'function', oid as number); }),
  voidFn('pg_stat_reset_shared', ['text'], ([t], c) => { if (t !== null) resetShared(host(c).eng, String(t)); }),
  // not STRICT: NULL resets every SLRU's counts
  voidFn('pg_stat_reset_slru', ['text'], ([t], c) => resetSlru(host(c).eng, t === null ? null : String(t))),
  voidFn('pg_stat_reset_slru', [], (_v, c) => resetSlru(host(c).eng, null)), // the parameter's DEFAULT NULL
  {
    name: 'pg_stat_have_stats', args: ['text', 'oid', 'oid'], ret: T.bool,
    build: ([k, d, o], c) => (r) => {
      const kind = k!.fn(r), db = d!.fn(r), obj = o!.fn(r);
      if (kind === null || db === null || obj === null) return null;
      return haveStats(host(c).eng, String(kind), Number(db), Number(obj));
    },
  },
);
register(defs);
