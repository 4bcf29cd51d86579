/**
 * The cumulative statistics of tables: what pg_stat_user_tables counts, and when other sessions get to see it.
 *
 * Every backend counts what it does to each table in its own memory first. Row changes are counted per
 * (sub)transaction and settled when it ends (AtEOXact_PgStat_Relations): a commit turns inserts into live rows
 * and updates and deletes into dead ones; an abort turns the rows it inserted or updated into dead rows and
 * changes nothing else — but n_tup_ins / n_tup_upd / n_tup_del count the attempt either way. Scans and
 * HOT updates are counted at once. Those pending counts reach the shared statistics (what every session reads)
 * only when the backend flushes them, and it flushes only while idle outside a transaction, at most once a
 * second (PGSTAT_MIN_INTERVAL): a backend that flushed less than 1 s ago arms a 10 s idle timer instead
 * (PGSTAT_IDLE_INTERVAL) and flushes when it fires, or after 60 s pending in any case (PGSTAT_MAX_INTERVAL).
 * pg_stat_force_next_flush() makes the next flush happen regardless.
 *
 * Measured on PostgreSQL 15 (tests/scenarios/autovacuum/stats-delay.spec): a backend connects and flushes the
 * catalog reads of its authentication, so an INSERT in its first second is not seen by anyone for 10 s. In an
 * isolation-tester run (no real time passes between steps) nothing a step did shows in pg_stat_user_tables until
 * `+10000ms` — or until the writing session calls pg_stat_force_next_flush() and goes idle.
 *
 *     t=0    s1: INSERT 10 rows        pending in s1 (its last flush was at connect, t=0): timer armed for t=10 s
 *     t=0    s2: SELECT n_tup_ins …    0
 *     t=10s  s1's timer fires          shared: n_tup_ins 10, n_live_tup 10, n_mod_since_analyze 10
 *
 * VACUUM and ANALYZE write their results straight into the shared entry (pgstat_report_vacuum / _analyze):
 * n_live_tup and n_dead_tup become what they counted, n_ins_since_vacuum (VACUUM) or n_mod_since_analyze
 * (ANALYZE) go back to 0, last_(auto)vacuum and the counters move. A crash discards all statistics.
 *
 * Mirrors: src/backend/utils/activity/pgstat_relation.c (pgstat_count_heap_insert & co., AtEOXact_ /
 * AtEOSubXact_PgStat_Relations, pgstat_relation_flush_cb, pgstat_report_vacuum, pgstat_report_analyze,
 * pgstat_update_heap_dead_tuples), pgstat.c (pgstat_report_stat, pgstat_force_next_flush), postgres.c (the
 * idle-stats-update timeout). Simplifications: a query string leaves something to flush when it read or wrote a
 * table, read the statistics, or wrote WAL (a CREATE TABLE's catalog rows, a COMMIT record; measured:
 * tests/scenarios/autovacuum/ddl-flush.spec) — PostgreSQL also counts function calls and SLRU traffic, and WAL
 * written by another backend's statement within the same call counts here too; no partial flushes under
 * lock contention. Indexes have entries of their own (IndexCounts; measured: tests/scenarios/pgstat/index-stats*.spec),
 * except that the planner's own index probes (get_actual_variable_range, reading an analyzed table's histogram
 * ends for a range or merge-join estimate: 2 scans of the index in PostgreSQL) are not counted, and an Index Only
 * Scan inside a join counts the heap fetches an Index Scan would.
 */
import type { Session } from '../session/session.js';
import type { Transaction } from '../xact/xact.js';
import { type FunctionCounts } from './pgstat_function.js';
import { FRESH_CLUSTER_ZEROED } from './pgstat_slru.js';

/** PGSTAT_MIN_INTERVAL, PGSTAT_IDLE_INTERVAL, PGSTAT_MAX_INTERVAL (pgstat.c), in ms */
export const PGSTAT_MIN_INTERVAL = 1000;
export const PGSTAT_IDLE_INTERVAL = 10000;
export const PGSTAT_MAX_INTERVAL = 60000;

/** PgStat_TableXactStatus: one table's row changes in one (sub)transaction level. */
export interface XactCounts { ins: number; upd: number; del: number; truncdropped: boolean; pre?: { ins: number; upd: number; del: number } }

/** PgStat_TableCounts: one table's counts pending in one backend. */
export interface PendingCounts {
  seqScan: number; seqTupRead: number; idxScan: number; idxTupFetch: number;
  /** the table's own t_tuples_fetched: the live tuples a Bitmap Heap Scan fetched (an Index Scan's count against its index) */
  heapFetch: number;
  ins: number; upd: number; del: number; hot: number;
  liveDelta: number; deadDelta: number; changed: number; truncdropped: boolean;
}

/** PgStat_StatTabEntry: the shared statistics of one table. Times are virtual ms. */
export interface TableStats {
  seqScan: number; seqTupRead: number; idxScan: number; idxTupFetch: number; heapFetch: number;
  ins: number; upd: number; del: number; hot: number;
  live: number; dead: number; modSinceAnalyze: number; insSinceVacuum: number;
  lastVacuum: number | null; lastAutovacuum: number | null; lastAnalyze: number | null; lastAutoanalyze: number | null;
  vacuumCount: number; autovacuumCount: number; analyzeCount: number; autoanalyzeCount: number;
}

export const emptyTableStats = (): TableStats => ({
  seqScan: 0, seqTupRead: 0, idxScan: 0, idxTupFetch: 0, heapFetch: 0, ins: 0, upd: 0, del: 0, hot: 0, live: 0, dead: 0,
  modSinceAnalyze: 0, insSinceVacuum: 0, lastVacuum: null, lastAutovacuum: null, lastAnalyze: null, lastAutoanalyze: null,
  vacuumCount: 0, autovacuumCount: 0, analyzeCount: 0, autoanalyzeCount: 0,
});
const emptyPending = (): PendingCounts => ({
  seqScan: 0, seqTupRead: 0, idxScan: 0, idxTupFetch: 0, heapFetch: 0, ins: 0, upd: 0, del: 0, hot: 0, liveDelta: 0, deadDelta: 0, changed: 0,
  truncdropped: false,
});

/**
 * An index's counts (PgStat_TableCounts of an index relation): t_numscans — the scans started on it (_bt_first:
 * an Index Scan, an Index Only Scan, a Bitmap Index Scan, a foreign-key check's probe; not an INSERT's unique
 * check) — t_tuples_returned, the entries it returned (idx_tup_read), and t_tuples_fetched, the live heap tuples
 * an Index Scan fetched through it (idx_tup_fetch; an Index Only Scan of an all-visible page fetches none, a
 * Bitmap Heap Scan's fetches count against the table).
 */
export interface IndexCounts { scans: number; tupRead: number; tupFetch: number }
export const emptyIndexCounts = (): IndexCounts => ({ scans: 0, tupRead: 0, tupFetch: 0 });

/** What one backend keeps of the statistics system: its pending counts and when it last flushed. */
export class BackendStats {
  pending = new Map<number, PendingCounts>();
  /** the indexes' pending counts, by index oid */
  indexPending = new Map<number, IndexCounts>();
  /** anything to flush (a table was read or written since the last flush) */
  dirty = false;
  /** virtual ms of the last flush (the connection's own flush at its start), null = never */
  lastFlush: number | null = null;
  /** when counts first waited for a flush that was too soon, null = none waiting */
  pendingSince: number | null = null;
  /** the idle-stats-update timer, if armed (virtual ms) */
  timerAt: number | null = null;
  /** pg_stat_force_next_flush() was called */
  forceNext = false;
  /** the WAL insert position when the backend's current query string began: WAL written since is pending WAL
   *  usage, which a flush reports too (pgstat_have_pending_wal) — a CREATE TABLE or any write makes one due */
  walAtStart = 0;
  /** PgStat_StatDBEntry's pending counts of this backend: its transactions' ends (pgStatXactCommit /
   *  pgStatXactRollback, AtEOXact_PgStat_Database) and the deadlocks it was the victim of (pgstat_report_deadlock) */
  xactCommit = 0; xactRollback = 0; deadlocks = 0;
  /** the functions' pending counts, by function oid (pgstat_function.ts) */
  funcPending = new Map<number, FunctionCounts>();
  /** total_func_time: the self time of every counted call so far, µs; funcTicks: the calls' own µs so far */
  totalFuncUs = 0; funcTicks = 0;
  /** the SLRU pages this backend zeroed, by pg_stat_slru row (pgstat_slru.ts) */
  slruZeroed: number[] = [];

  clone(): BackendStats {
    const c = new BackendStats();
    for (const [k, v] of this.funcPending) c.funcPending.set(k, { ...v });
    c.totalFuncUs = this.totalFuncUs; c.funcTicks = this.funcTicks; c.slruZeroed = this.slruZeroed.slice();
    for (const [k, v] of this.pending) c.pending.set(k, { ...v });
    for (const [k, v] of this.indexPending) c.indexPending.set(k, { ...v });
    c.dirty = this.dirty; c.lastFlush = this.lastFlush; c.pendingSince = this.pendingSince; c.timerAt = this.timerAt; c.forceNext = this.forceNext;
    c.walAtStart = this.walAtStart;
    c.xactCommit = this.xactCommit; c.xactRollback = this.xactRollback; c.deadlocks = this.deadlocks;
    return c;
  }
  counts(oid: number): PendingCounts {
    let p = this.pending.get(oid);
    if (!p) { p = emptyPending(); this.pending.set(oid, p); }
    this.dirty = true;
    return p;
  }
  indexCounts(oid: number): IndexCounts {
    let p = this.indexPending.get(oid);
    if (!p) { p = emptyIndexCounts(); this.indexPending.set(oid, p); }
    this.dirty = true;
    return p;
  }
}

/** The shared statistics (pgstat's shared hash of relation entries). */
/** PgStat_CheckpointerStats + PgStat_BgWriterStats: what pg_stat_bgwriter shows (pgstat/pgstat_global.ts). */
export interface BgwriterStats { checkpointsTimed: number; checkpointsReq: number; buffersCheckpoint: number; buffersClean: number; maxwrittenClean: number }

/** PgStat_StatDBEntry of the one database (pg_stat_database's postgres row, pgstat/pgstat_global.ts) */
export interface DatabaseStats {
  xactCommit: number; xactRollback: number; tupReturned: number; tupFetched: number; tupInserted: number; tupUpdated: number;
  tupDeleted: number; deadlocks: number;
}

export class SharedStats {
  readonly tables = new Map<number, TableStats>();
  /** the indexes' shared entries, by index oid */
  readonly indexes = new Map<number, IndexCounts>();
  db: DatabaseStats = { xactCommit: 0, xactRollback: 0, tupReturned: 0, tupFetched: 0, tupInserted: 0, tupUpdated: 0, tupDeleted: 0, deadlocks: 0 };
  bgwriter: BgwriterStats = { checkpointsTimed: 0, checkpointsReq: 0, buffersCheckpoint: 0, buffersClean: 0, maxwrittenClean: 0 };
  /** the first WAL record pg_stat_wal counts: the statistics start (or were discarded by a crash) there */
  walFrom = 0;
  /** the functions' shared entries, by function oid (pgstat_function.ts) */
  readonly functions = new Map<number, FunctionCounts>();
  /** entries dropped with their objects ('f' + function oid, 'r' + relation oid): a later flush does not revive them */
  readonly dropped = new Set<string>();
  /** stats_reset of pg_stat_database's postgres row, pg_stat_bgwriter and pg_stat_wal (virtual ms; null: never reset) */
  resetDb: number | null = null; resetBgwriter: number | null = null; resetWal: number | null = null;
  /** pg_stat_slru's blks_zeroed by row; slruKnown: the other logs' counts are still a fresh cluster's (pgstat_slru.ts) */
  slruZeroed: number[] = FRESH_CLUSTER_ZEROED.slice();
  slruKnown = true;
  clone(): SharedStats {
    const c = new SharedStats();
    c.bgwriter = { ...this.bgwriter }; c.db = { ...this.db }; c.walFrom = this.walFrom;
    for (const [k, v] of this.functions) c.functions.set(k, { ...v });
    for (const k of this.dropped) c.dropped.add(k);
    c.resetDb = this.resetDb; c.resetBgwriter = this.resetBgwriter; c.resetWal = this.resetWal;
    c.slruZeroed = this.slruZeroed.slice(); c.slruKnown = this.slruKnown;
    for (const [k, v] of this.tables) c.tables.set(k, { ...v });
    for (const [k, v] of this.indexes) c.indexes.set(k, { ...v });
    return c;
  }
  entry(oid: number): TableStats {
    let e = this.tables.get(oid);
    if (!e) { e = emptyTableStats(); this.tables.set(oid, e); }
    return e;
  }
}

// ------------------------------------------------------------------ counting (heapam, the scans)

/** The (sub)transaction level a write is counted at: 0 the top, n the n-th open savepoint. */
function xactCounts(tx: Transaction, oid: number): XactCounts {
  if (tx.pgstatOff) return { ins: 0, upd: 0, del: 0, truncdropped: false }; // track_counts = off: counted nowhere
  const level = tx.subs.length;
  const frames = tx.pgstat;
  while (frames.length <= level) frames.push(new Map());
  const m = frames[level]!;
  let c = m.get(oid);
  if (!c) { c = { ins: 0, upd: 0, del: 0, truncdropped: false }; m.set(oid, c); }
  return c;
}

/** pgstat_count_heap_insert */
export function countInsert(tx: Transaction, oid: number, n = 1): void { xactCounts(tx, oid).ins += n; }
/** pgstat_count_heap_update (a HOT update is also counted at once, whatever becomes of the transaction) */
export function countUpdate(tx: Transaction, oid: number, hot: boolean): void {
  xactCounts(tx, oid).upd++;
  if (hot && !tx.pgstatOff) tx.pgstatHot.set(oid, (tx.pgstatHot.get(oid) ?? 0) + 1);
}
/** pgstat_count_heap_delete */
export function countDelete(tx: Transaction, oid: number): void { xactCounts(tx, oid).del++; }
/** pgstat_count_truncate: what this level counted so far is forgotten; the table starts from zero at commit */
export function countTruncate(tx: Transaction, oid: number): void {
  const c = xactCounts(tx, oid);
  if (!c.truncdropped) c.pre = { ins: c.ins, upd: c.upd, del: c.del }; // save_truncdrop_counters
  c.ins = 0; c.upd = 0; c.del = 0; c.truncdropped = true;
}

/** A scan of the table: one Seq Scan or index scan, and the visible tuples it read (pgstat_count_heap_scan & co.) */
export function countScan(s: Session, oid: number, kind: 'seq' | 'index', tuples: number): void {
  if (!trackCounts(s)) return;
  const p = s.pgstat.counts(oid);
  if (kind === 'seq') { p.seqScan++; p.seqTupRead += tuples; } else { p.idxScan++; p.idxTupFetch += tuples; }
}

/**
 * One scan through an index (pgstat_count_index_scan, pgstat_count_index_tuples, pgstat_count_heap_fetch):
 * `read` entries returned, `fetched` live heap tuples found through them. A Bitmap Index Scan (`bitmap`) only
 * hands TIDs over; the Bitmap Heap Scan's fetches count against the table.
 */
export function countIndexScan(s: Session, tableOid: number, indexOid: number, read: number, fetched: number, bitmap: boolean): void {
  if (!trackCounts(s)) return;
  const i = s.pgstat.indexCounts(indexOid);
  i.scans++; i.tupRead += read;
  if (!bitmap) i.tupFetch += fetched;
  const p = s.pgstat.counts(tableOid);
  p.idxScan++; p.idxTupFetch += fetched;
  if (bitmap) p.heapFetch += fetched;
}

/** pgstat_update_heap_dead_tuples: a reader's pruning reclaimed `n` dead tuples' storage. */
export function countPrunedDead(s: Session | undefined, oid: number, n: number): void {
  if (!s || n <= 0 || !trackCounts(s)) return;
  s.pgstat.counts(oid).deadDelta -= n;
}

/** track_counts (pgstat_init_relation: with it off a relation opened counts nothing) */
export const trackCounts = (s: Session): boolean => s.gucs.get('track_counts') !== 'off';

/** The backend read the statistics or the catalogs (it has something to report at the next flush). */
export function touched(s: Session): void { s.pgstat.dirty = true; }

// ------------------------------------------------------------------ transaction end

/** AtEOSubXact_PgStat_Relations for savepoint levels > `level` (1-based level of the first one ending). */
export function atEndOfSubXacts(s: Session, tx: Transaction, firstLevel: number, commit: boolean): void {
  const frames = tx.pgstat;
  for (let lv = frames.length - 1; lv >= firstLevel; lv--) {
    const m = frames[lv];
    if (!m) continue;
    if (commit) {
      // merged into the parent level
      const parent = frames[lv - 1] ?? (frames[lv - 1] = new Map());
      for (const [oid, c] of m) {
        const p = parent.get(oid);
        if (!p) { parent.set(oid, { ...c }); continue; }
        if (c.truncdropped) { p.ins = 0; p.upd = 0; p.del = 0; p.truncdropped = true; }
        p.ins += c.ins; p.upd += c.upd; p.del += c.del;
      }
    } else {
      for (const [oid, c] of m) settle(s, oid, c, false);
    }
    frames.length = lv;
  }
}

/** AtEOXact_PgStat_Relations: every level's counts settle as the transaction commits or aborts. */
export function atEndOfXact(s: Session, tx: Transaction, commit: boolean): void {
  if (commit) s.pgstat.xactCommit++; else s.pgstat.xactRollback++;
  if (commit) atEndOfSubXacts(s, tx, 1, true);
  for (let lv = tx.pgstat.length - 1; lv >= 0; lv--) for (const [oid, c] of tx.pgstat[lv] ?? []) settle(s, oid, c, commit);
  tx.pgstat.length = 0;
  for (const [oid, n] of tx.pgstatHot) s.pgstat.counts(oid).hot += n;
  tx.pgstatHot.clear();
}

function settle(s: Session, oid: number, c: XactCounts, commit: boolean) {
  const p = s.pgstat.counts(oid);
  if (!commit && c.truncdropped && c.pre) { c = { ...c, ...c.pre }; } // restore_truncdrop_counters
  // attempted actions count whether or not they commit
  p.ins += c.ins; p.upd += c.upd; p.del += c.del;
  if (commit) {
    if (c.truncdropped) { p.truncdropped = true; p.liveDelta = 0; p.deadDelta = 0; }
    p.liveDelta += c.ins - c.del; // an insert adds a live row, a delete removes one
    p.deadDelta += c.upd + c.del; // an update and a delete each leave a dead version
    p.changed += c.ins + c.upd + c.del;
  } else {
    p.deadDelta += c.ins + c.upd; // what it inserted (and the new versions of its updates) is dead
  }
}

// ------------------------------------------------------------------ flushing

/** pgstat_relation_flush_cb for one backend: its pending counts into the shared entries. */
function flush(shared: SharedStats, b: BackendStats, now: number): void {
  // pgstat_update_dbstats and, per table, pgstat_relation_flush_cb's database totals
  const db = shared.db;
  db.xactCommit += b.xactCommit; db.xactRollback += b.xactRollback; db.deadlocks += b.deadlocks;
  b.xactCommit = 0; b.xactRollback = 0; b.deadlocks = 0;
  for (const [oid, p] of b.pending) {
    if (shared.dropped.has(`r${oid}`)) continue; // counts for a dropped table do not revive its entry
    db.tupReturned += p.seqTupRead; db.tupFetched += p.idxTupFetch;
    db.tupInserted += p.ins; db.tupUpdated += p.upd; db.tupDeleted += p.del;
    const e = shared.entry(oid);
    e.seqScan += p.seqScan; e.seqTupRead += p.seqTupRead; e.idxScan += p.idxScan; e.idxTupFetch += p.idxTupFetch; e.heapFetch += p.heapFetch;
    e.ins += p.ins; e.upd += p.upd; e.del += p.del; e.hot += p.hot;
    if (p.truncdropped) { e.live = 0; e.dead = 0; e.insSinceVacuum = 0; }
    e.live = Math.max(0, e.live + p.liveDelta);
    e.dead = Math.max(0, e.dead + p.deadDelta);
    e.modSinceAnalyze += p.changed;
    e.insSinceVacuum += p.ins;
  }
  for (const [oid, p] of b.indexPending) {
    if (shared.dropped.has(`r${oid}`)) continue;
    db.tupReturned += p.tupRead;
    let e = shared.indexes.get(oid);
    if (!e) { e = emptyIndexCounts(); shared.indexes.set(oid, e); }
    e.scans += p.scans; e.tupRead += p.tupRead; e.tupFetch += p.tupFetch;
  }
  // pgstat_function_flush_cb
  for (const [oid, p] of b.funcPending) {
    if (shared.dropped.has(`f${oid}`)) continue;
    let e = shared.functions.get(oid);
    if (!e) { e = { calls: 0, totalUs: 0, selfUs: 0 }; shared.functions.set(oid, e); }
    e.calls += p.calls; e.totalUs += p.totalUs; e.selfUs += p.selfUs;
  }
  b.funcPending.clear();
  // pgstat_slru_flush
  b.slruZeroed.forEach((n, i) => { shared.slruZeroed[i] = (shared.slruZeroed[i] ?? 0) + (n ?? 0); });
  b.slruZeroed = [];
  b.pending.clear();
  b.indexPending.clear();
  b.dirty = false;
  b.lastFlush = now;
  b.pendingSince = null;
  b.timerAt = null;
}

/** Outcome of pgstat_report_stat: flushed, nothing to do, or deferred (the idle timer is armed). */
export type ReportOutcome = 'Flushed' | 'NothingPending' | 'Deferred';

/**
 * pgstat_report_stat, called as the backend goes idle outside a transaction (`force` when the idle timer fired).
 * A deferral arms the idle-stats-update timer PGSTAT_IDLE_INTERVAL from now unless it is armed.
 */
export function reportStat(shared: SharedStats, b: BackendStats, now: number, force: boolean): ReportOutcome {
  if (b.forceNext) { force = true; b.forceNext = false; }
  if (!b.dirty) { b.timerAt = null; return 'NothingPending'; }
  // counts pending for PGSTAT_MAX_INTERVAL are flushed whatever the interval
  const overdue = b.pendingSince !== null && now - b.pendingSince >= PGSTAT_MAX_INTERVAL;
  if (!force && !overdue) {
    if (b.lastFlush !== null && now - b.lastFlush < PGSTAT_MIN_INTERVAL) {
      if (b.pendingSince === null) b.pendingSince = now;
      if (b.timerAt === null) b.timerAt = now + PGSTAT_IDLE_INTERVAL;
      return 'Deferred';
    }
  }
  flush(shared, b, now);
  return 'Flushed';
}

// ------------------------------------------------------------------ VACUUM and ANALYZE report

/** pgstat_report_vacuum: straight into the shared entry. */
export function reportVacuum(shared: SharedStats, oid: number, live: number, dead: number, auto: boolean, now: number): void {
  const e = shared.entry(oid);
  e.live = live;
  e.dead = dead;
  e.insSinceVacuum = 0; // even if pages were skipped
  if (auto) { e.lastAutovacuum = now; e.autovacuumCount++; } else { e.lastVacuum = now; e.vacuumCount++; }
}

/**
 * pgstat_report_analyze. ANALYZE inside a transaction that changed the table counted those rows; they are
 * reported again at its end, so they are taken off here (and the dead rows of its aborted subtransactions).
 */
export function reportAnalyze(shared: SharedStats, s: Session | null, oid: number, live: number, dead: number, auto: boolean, now: number): void {
  if (s?.tx) {
    for (const m of s.tx.pgstat) {
      const c = m?.get(oid);
      if (!c) continue;
      live -= c.ins - c.del;
      dead -= c.upd + c.del;
    }
  }
  if (s) dead -= s.pgstat.pending.get(oid)?.deadDelta ?? 0;
  const e = shared.entry(oid);
  e.live = Math.max(0, live);
  e.dead = Math.max(0, dead);
  e.modSinceAnalyze = 0;
  if (auto) { e.lastAutoanalyze = now; e.autoanalyzeCount++; } else { e.lastAnalyze = now; e.analyzeCount++; }
}
