/**
 * The cluster-wide statistics views: pg_stat_bgwriter (the checkpointer's and background writer's counts),
 * pg_stat_wal (the WAL this cluster wrote), pg_stat_database (each database's transactions, rows and deadlocks)
 * and pg_stat_progress_vacuum (one row per VACUUM running right now).
 *
 *     CHECKPOINT;  SELECT checkpoints_req, buffers_checkpoint FROM pg_stat_bgwriter;   1 | the pages it wrote
 *     SELECT wal_records, wal_fpi, wal_bytes FROM pg_stat_wal;                         records, full-page images, bytes
 *
 * The checkpointer publishes its counts when a checkpoint completes (pgstat_report_checkpointer), so every session
 * sees a CHECKPOINT's count as soon as the command returns (measured: tests/scenarios/walinspect/control-stats.spec).
 * pg_stat_database's counts travel with the table counts (pgstat_relation.ts): a backend's commits, rollbacks,
 * rows inserted / updated / deleted / read and deadlocks stay pending in it until its next flush — so after
 * `INSERT` neither it nor another session sees xact_commit or tup_inserted move until the writer flushes
 * (pg_stat_force_next_flush(), or its idle timer 10 s on; tests/scenarios/walinspect/database-stats.spec).
 *
 * Mirrors: src/backend/catalog/system_views.sql (pg_stat_bgwriter, pg_stat_wal, pg_stat_database,
 * pg_stat_progress_vacuum), utils/adt/pgstatfuncs.c (pg_stat_get_bgwriter_*, pg_stat_get_wal, pg_stat_get_db_*),
 * utils/activity/pgstat_checkpointer.c, pgstat_bgwriter.c, pgstat_wal.c, pgstat_database.c.
 * Deliberate differences (what a simulator cannot know): checkpoint_write_time / checkpoint_sync_time and
 * wal_write_time / wal_sync_time are 0 (no real time passes; PostgreSQL also shows 0 without track_wal_io_timing);
 * wal_write and wal_sync (the write() and fsync() calls) are 0 — the engine has no operating system;
 * buffers_backend, buffers_backend_fsync and buffers_alloc are 0 (the engine's shared buffers never run out, no
 * backend writes or allocates a buffer of its own); stats_reset is the virtual clock's start. pg_stat_wal counts
 * every record the engine's log holds since the statistics started (its initdb records are not in it, so the
 * figures are far smaller than a real cluster's) and is read live, not at the asking backend's flush;
 * a timed checkpoint counts in checkpoints_timed, CHECKPOINT in checkpoints_req, the end-of-recovery and shutdown
 * checkpoints in neither. pg_stat_database: the engine has one database's activity to count — the shared row
 * (datid 0), template1 and template0 show zeros (PostgreSQL's carry initdb's work), and postgres counts what
 * the engine's sessions did to user tables only (PostgreSQL adds every catalog read); tup_returned is the
 * sequential scans' rows, tup_fetched the index scans'; blks_read / blks_hit, temp files, conflicts and the
 * times are 0, checksum_failures NULL (no data checksums, as initdb's default), sessions counts the sessions
 * connected now, stats_reset NULL until a reset (pgstat_reset.ts); the row is read live at every access (no stats_fetch_consistency snapshot).
 * No VACUUM runs while a query reads pg_stat_progress_vacuum (a statement runs whole), so
 * the view is always empty.
 */
import type { Engine } from '../engine.js';
import type { Session } from '../session/session.js';
import { type SqlType, type Value, T } from '../sql/types.js';
import { Numeric } from '../sql/numeric.js';
import { virtualTimestamp } from '../adt/timestamp.js';
import type { ViewRows } from './views.js';

const view = (cols: [string, SqlType][], rows: Value[][]): ViewRows => ({ columns: cols.map(([name, type]) => ({ name, type })), rows });

const BGWRITER_COLUMNS: [string, SqlType][] = [
  ['checkpoints_timed', T.int8], ['checkpoints_req', T.int8], ['checkpoint_write_time', T.float8], ['checkpoint_sync_time', T.float8],
  ['buffers_checkpoint', T.int8], ['buffers_clean', T.int8], ['maxwritten_clean', T.int8], ['buffers_backend', T.int8],
  ['buffers_backend_fsync', T.int8], ['buffers_alloc', T.int8], ['stats_reset', T.timestamptz],
];

/** pg_stat_bgwriter */
export function statBgwriterView(eng: Engine): ViewRows {
  const b = eng.pgstat.bgwriter;
  return view(BGWRITER_COLUMNS, [[
    b.checkpointsTimed, b.checkpointsReq, 0, 0, b.buffersCheckpoint, b.buffersClean, b.maxwrittenClean, 0, 0, 0,
    virtualTimestamp(eng.pgstat.resetBgwriter ?? 0),
  ]]);
}

const WAL_COLUMNS: [string, SqlType][] = [
  ['wal_records', T.int8], ['wal_fpi', T.int8], ['wal_bytes', T.numeric], ['wal_buffers_full', T.int8], ['wal_write', T.int8],
  ['wal_sync', T.int8], ['wal_write_time', T.float8], ['wal_sync_time', T.float8], ['stats_reset', T.timestamptz],
];

/** pg_stat_wal: WalUsage summed over the records written (XLogInsertRecord: one record, its full-page images, its length) */
export function statWalView(eng: Engine): ViewRows {
  const w = eng.wal;
  let records = 0, fpi = 0, bytes = 0;
  for (let i = eng.pgstat.walFrom; i < w.count; i++) {
    records++;
    if (w.fpiOf(i) > 0) fpi++;
    bytes += w.lenOf(i);
  }
  return view(WAL_COLUMNS, [[records, fpi, Numeric.fromString(String(bytes))!, 0, 0, 0, 0, 0, virtualTimestamp(eng.pgstat.resetWal ?? 0)]]);
}

const DATABASE_COLUMNS: [string, SqlType][] = [
  ['datid', T.oid], ['datname', T.name], ['numbackends', T.int4], ['xact_commit', T.int8], ['xact_rollback', T.int8],
  ['blks_read', T.int8], ['blks_hit', T.int8], ['tup_returned', T.int8], ['tup_fetched', T.int8], ['tup_inserted', T.int8],
  ['tup_updated', T.int8], ['tup_deleted', T.int8], ['conflicts', T.int8], ['temp_files', T.int8], ['temp_bytes', T.int8],
  ['deadlocks', T.int8], ['checksum_failures', T.int8], ['checksum_last_failure', T.timestamptz], ['blk_read_time', T.float8],
  ['blk_write_time', T.float8], ['session_time', T.float8], ['active_time', T.float8], ['idle_in_transaction_time', T.float8],
  ['sessions', T.int8], ['sessions_abandoned', T.int8], ['sessions_fatal', T.int8], ['sessions_killed', T.int8],
  ['stats_reset', T.timestamptz],
];

/** pg_stat_database: the shared objects' row (datid 0), then postgres, template1, template0 as pg_database lists them */
export function statDatabaseView(eng: Engine): ViewRows {
  const d = eng.pgstat.db;
  const row = (oid: number, name: string | null, backends: number, c: typeof d | null, reset: number | null = null): Value[] => [
    oid, name, backends, c?.xactCommit ?? 0, c?.xactRollback ?? 0, 0, 0, c?.tupReturned ?? 0, c?.tupFetched ?? 0,
    c?.tupInserted ?? 0, c?.tupUpdated ?? 0, c?.tupDeleted ?? 0, 0, 0, 0, c?.deadlocks ?? 0, null, null, 0, 0, 0, 0, 0,
    backends, 0, 0, 0, reset === null ? null : virtualTimestamp(reset),
  ];
  const n = eng.sessions.length;
  return view(DATABASE_COLUMNS, [row(0, null, 0, null), row(5, 'postgres', n, d, eng.pgstat.resetDb), row(1, 'template1', 0, null), row(4, 'template0', 0, null)]);
}

const PROGRESS_VACUUM_COLUMNS: [string, SqlType][] = [
  ['pid', T.int4], ['datid', T.oid], ['datname', T.name], ['relid', T.oid], ['phase', T.text], ['heap_blks_total', T.int8],
  ['heap_blks_scanned', T.int8], ['heap_blks_vacuumed', T.int8], ['index_vacuum_count', T.int8], ['max_dead_tuples', T.int8],
  ['num_dead_tuples', T.int8],
];

/** pg_stat_progress_vacuum: empty (see the module doc) */
export function statProgressVacuumView(): ViewRows { return view(PROGRESS_VACUUM_COLUMNS, []); }

/** The views this module answers for, by name. */
export const GLOBAL_STAT_VIEWS: Record<string, (eng: Engine, s: Session) => ViewRows> = {
  pg_stat_bgwriter: statBgwriterView,
  pg_stat_wal: statWalView,
  pg_stat_database: statDatabaseView,
  pg_stat_progress_vacuum: statProgressVacuumView,
};
