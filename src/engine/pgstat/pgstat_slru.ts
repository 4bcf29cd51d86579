/**
 * pg_stat_slru: what the SLRU caches did — here the pages each one zeroed (blks_zeroed).
 *
 * An SLRU ("simple least-recently-used" buffer) holds the pages of a small transaction-status log: pg_xact (Xact,
 * the commit log), pg_subtrans (Subtrans), pg_multixact (MultiXactOffset, MultiXactMember), pg_notify (Notify,
 * the LISTEN / NOTIFY queue: commands/async.ts), pg_serial (Serial) and pg_commit_ts (CommitTs). A page is
 * zeroed (SimpleLruZeroPage) when the log grows onto it: the NOTIFY queue's first page at the first notification
 * since the server started and every page its head moves on to — three notifications of 4 kB each need three.
 *
 *     s1: SELECT pg_notify('c', repeat('x', 4096)) FROM generate_series(1, 3);   -- Notify: +3 pages zeroed
 *     s1: SELECT pg_stat_force_next_flush();     -- pending in s1 until it flushes, as table counts are
 *
 * The counts are the zeroing backend's until its next flush (pgstat_relation.ts), and a reader in a transaction
 * sees them as stats_fetch_consistency says: 'none' afresh each time, 'cache' and 'snapshot' as at the first
 * access in the transaction (in 'snapshot' mode one access to any statistics copies them all), until
 * pg_stat_clear_snapshot(). pg_stat_reset_slru(name) zeroes one SLRU's counts (an unknown name: "other"'s),
 * pg_stat_reset_slru(NULL) all of them.
 *
 * Mirrors: src/backend/utils/activity/pgstat_slru.c (pgstat_count_slru_page_zeroed, pgstat_slru_flush,
 * pgstat_reset_slru, pgstat_get_slru_index), access/transam/slru.c (SimpleLruZeroPage), commands/async.c
 * (asyncQueueAddEntries), clog.c / subtrans.c / multixact.c (ExtendCLOG, ExtendSUBTRANS, ExtendMultiXact*).
 * Deliberate differences: only blks_zeroed is modelled — blks_hit, blks_read, blks_written, blks_exists, flushes,
 * truncates and stats_reset are refused with 0A000 (the engine's clog, subtrans and multixact are not paged
 * caches); the other logs' counts are a fresh PostgreSQL 15 cluster's (initdb's and the first startup's zeroing,
 * measured: tests/scenarios/pgstat/slru-notify.spec), so the view is refused once they would have moved: after
 * a restart (its StartupSUBTRANS zeroes pages), once an xid reached a new pg_subtrans page (2048 xids a page) or
 * pg_xact page (32768), or the MultiXacts reached a new offsets page (2048) or members page (1636 members).
 */
import type { Engine } from '../engine.js';
import type { Session } from '../session/session.js';
import { notSupported } from '../errors.js';
import { T, type SqlType, type Value } from '../sql/types.js';
import type { ViewRows } from './views.js';

/** slru_names: pg_stat_slru's rows, in order */
export const SLRU_NAMES = ['CommitTs', 'MultiXactMember', 'MultiXactOffset', 'Notify', 'Serial', 'Subtrans', 'Xact', 'other'] as const;
export type SlruName = typeof SLRU_NAMES[number];

/** blks_zeroed of a fresh PostgreSQL 15 cluster, in SLRU_NAMES order (measured) */
export const FRESH_CLUSTER_ZEROED: readonly number[] = [0, 1, 1, 0, 0, 5, 2, 0];

/** SUBTRANS_XACTS_PER_PAGE, CLOG_XACTS_PER_PAGE, MULTIXACT_OFFSETS_PER_PAGE, MULTIXACT_MEMBERS_PER_PAGE */
const SUBTRANS_XACTS_PER_PAGE = 2048, CLOG_XACTS_PER_PAGE = 32768, MULTIXACT_OFFSETS_PER_PAGE = 2048, MULTIXACT_MEMBERS_PER_PAGE = 1636;

/** pgstat_count_slru_page_zeroed: `n` pages zeroed by this backend, pending until its flush. */
export function countSlruZeroed(s: Session, name: SlruName, n: number): void {
  const i = SLRU_NAMES.indexOf(name);
  s.pgstat.slruZeroed[i] = (s.pgstat.slruZeroed[i] ?? 0) + n;
  s.pgstat.dirty = true;
}

/** pgstat_reset_slru: one SLRU by name (an unknown name is "other"), or all of them (null). */
export function resetSlru(eng: Engine, name: string | null): void {
  const z = eng.pgstat.slruZeroed;
  if (name === null) { z.fill(0); return; }
  const i = SLRU_NAMES.indexOf(name as SlruName);
  z[i < 0 ? SLRU_NAMES.length - 1 : i] = 0;
}

/** Why the fresh-cluster figures of the other logs no longer hold, or null. */
function unknownBecause(eng: Engine): string | null {
  if (!eng.pgstat.slruKnown) return 'after a restart (the startup\'s own pg_subtrans zeroing is not modelled)';
  if (eng.xacts.nextXid > SUBTRANS_XACTS_PER_PAGE) return 'once xids reach a second pg_subtrans page (its zeroing is not modelled)';
  if (eng.xacts.nextXid > CLOG_XACTS_PER_PAGE) return 'once xids reach a second pg_xact page';
  if (eng.multis.next >= MULTIXACT_OFFSETS_PER_PAGE || eng.multis.memberCount >= MULTIXACT_MEMBERS_PER_PAGE) return 'once MultiXacts reach a second page';
  return null;
}

const SLRU_COLUMNS: [string, SqlType][] = [
  ['name', T.text], ['blks_zeroed', T.int8], ['blks_hit', T.int8], ['blks_read', T.int8], ['blks_written', T.int8],
  ['blks_exists', T.int8], ['flushes', T.int8], ['truncates', T.int8], ['stats_reset', T.timestamptz],
];
const NOT_MODELLED = 'of pg_stat_slru (Heapscope models name and blks_zeroed: the engine\'s transaction logs are not paged SLRU caches)';

/** pg_stat_slru: `zeroed` is the copy the session reads (views.ts applies stats_fetch_consistency). */
export function statSlruView(eng: Engine, zeroed: readonly number[]): ViewRows {
  const why = unknownBecause(eng);
  if (why) throw notSupported(`pg_stat_slru ${why}`);
  return {
    columns: SLRU_COLUMNS.map(([name, type], i) => (i < 2 ? { name, type } : { name, type, refused: `the column ${name} ${NOT_MODELLED}` })),
    rows: SLRU_NAMES.map((n, i): Value[] => [n, zeroed[i] ?? 0, null, null, null, null, null, null, null]),
    starRefused: 'SELECT * FROM pg_stat_slru (Heapscope models name, blks_zeroed: name them)',
  };
}
