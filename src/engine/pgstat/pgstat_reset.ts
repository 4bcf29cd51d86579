/**
 * Resetting the cumulative statistics, and asking whether an object has any.
 *
 *     SELECT pg_stat_reset();                                   every table's, index's and function's counts of this
 *                                                               database, and the database's own, become 0
 *     SELECT pg_stat_reset_single_table_counters('t'::regclass);    one table's (or index's) entry
 *     SELECT pg_stat_reset_single_function_counters('f'::regproc);  one function's entry
 *     SELECT pg_stat_reset_shared('bgwriter');                  a cluster-wide view: bgwriter (with the
 *                                                               checkpointer's counts), wal, archiver, recovery_prefetch
 *     SELECT pg_stat_have_stats('function', 5, 'f'::regproc);   is there an entry (fixed kinds: always)
 *
 * A reset zeroes the shared entries in place: an entry that existed stays (pg_stat_get_function_calls reads 0,
 * not NULL) and one that did not is not made. Counts still pending in some backend are not reset — they arrive
 * at its next flush. A reader that cached an entry in its transaction (stats_fetch_consistency) keeps its copy.
 * Resetting one object's entry, like pg_stat_reset(), sets the database's stats_reset.
 *
 * Mirrors: src/backend/utils/activity/pgstat.c (pgstat_reset, pgstat_reset_counters, pgstat_reset_of_kind,
 * pgstat_get_kind_from_str, pgstat_have_entry), utils/adt/pgstatfuncs.c (pg_stat_reset*, pg_stat_have_stats).
 * Simplifications: there are no entries for the system catalogs and no archiver or recovery-prefetch statistics
 * to reset (pg_stat_archiver and pg_stat_recovery_prefetch are not modelled); pg_stat_have_stats knows the one
 * database (oid 5, postgres) and the shared-objects entry (oid 0), and no replication slots or subscriptions; a
 * table's entry exists once some backend flushed counts for it (PostgreSQL makes it at the backend's first counted
 * access of the table, pgstat_prep_pending_entry — a function's is made so here too).
 */
import type { Engine } from '../engine.js';
import { PgError } from '../errors.js';
import { emptyTableStats, emptyIndexCounts } from './pgstat_relation.js';
import { emptyFunctionCounts } from './pgstat_function.js';

/** MyDatabaseId: the postgres database */
export const MY_DATABASE_ID = 5;

/** pgstat_reset_counters: every entry of this database, and the database's own. */
export function resetCounters(eng: Engine): void {
  const st = eng.pgstat;
  for (const k of st.tables.keys()) st.tables.set(k, emptyTableStats());
  for (const k of st.indexes.keys()) st.indexes.set(k, emptyIndexCounts());
  for (const k of st.functions.keys()) st.functions.set(k, emptyFunctionCounts());
  st.db = { xactCommit: 0, xactRollback: 0, tupReturned: 0, tupFetched: 0, tupInserted: 0, tupUpdated: 0, tupDeleted: 0, deadlocks: 0 };
  st.resetDb = eng.clock.now;
}

/** pgstat_reset(kind, MyDatabaseId, oid): that entry if it exists; the database's stats_reset moves either way. */
export function resetSingle(eng: Engine, kind: 'relation' | 'function', oid: number): void {
  const st = eng.pgstat;
  if (kind === 'function') { if (st.functions.has(oid)) st.functions.set(oid, emptyFunctionCounts()); } else {
    if (st.tables.has(oid)) st.tables.set(oid, emptyTableStats());
    if (st.indexes.has(oid)) st.indexes.set(oid, emptyIndexCounts());
  }
  st.resetDb = eng.clock.now;
}

/** pg_stat_reset_shared(target) */
export function resetShared(eng: Engine, target: string): void {
  const st = eng.pgstat;
  switch (target) {
    case 'bgwriter': // the background writer's and the checkpointer's
      st.bgwriter = { checkpointsTimed: 0, checkpointsReq: 0, buffersCheckpoint: 0, buffersClean: 0, maxwrittenClean: 0 };
      st.resetBgwriter = eng.clock.now;
      return;
    case 'wal': st.walFrom = eng.wal.count; st.resetWal = eng.clock.now; return;
    case 'archiver': case 'recovery_prefetch': return; // not modelled: nothing to reset
    default:
      throw new PgError('22023', `unrecognized reset target: "${target}"`, { hint: 'Target must be "archiver", "bgwriter", "recovery_prefetch", or "wal".' });
  }
}

/** PgStat_KindInfo's names: the variable-numbered kinds, then the fixed ones (which always have their stats). */
const VARIABLE_KINDS = ['database', 'relation', 'function', 'replslot', 'subscription'];
const FIXED_KINDS = ['archiver', 'bgwriter', 'checkpointer', 'slru', 'wal'];

/** pg_stat_have_stats(kind, dboid, objoid): pgstat_have_entry. */
export function haveStats(eng: Engine, kind: string, dboid: number, objoid: number): boolean {
  if (FIXED_KINDS.includes(kind)) return true;
  if (!VARIABLE_KINDS.includes(kind)) throw new PgError('22023', `invalid statistics kind: "${kind}"`);
  const st = eng.pgstat;
  switch (kind) {
    case 'database': return objoid === 0 && (dboid === MY_DATABASE_ID || dboid === 0);
    case 'relation': return dboid === MY_DATABASE_ID && (st.tables.has(objoid) || st.indexes.has(objoid));
    case 'function': return dboid === MY_DATABASE_ID && st.functions.has(objoid);
    default: return false;
  }
}
