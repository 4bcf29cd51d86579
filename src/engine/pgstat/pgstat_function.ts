/**
 * The cumulative statistics of functions: how often each user function was called and how long it ran —
 * pg_stat_user_functions' calls, total_time and self_time.
 *
 * Nothing is counted unless track_functions asks for it: `pl` counts the calls of procedural-language functions
 * (PL/pgSQL), `all` those of LANGUAGE sql functions too — except a SQL function the planner inlined into the
 * calling query (it is never called). Built-in functions are never counted. A call is counted when it returns:
 * one that fails with an error counts nothing, whatever the transaction does afterwards, and a call counts even
 * if its transaction rolls back (function counts are not transactional). A trigger function and a procedure run
 * by CALL count like any function.
 *
 *     SET track_functions = 'all';
 *     SELECT f(); SELECT f();       -- pending in this backend: pg_stat_xact_user_functions shows calls 2
 *     SELECT pg_stat_force_next_flush();   -- and once idle the counts are flushed: pg_stat_user_functions 2
 *
 * total_time is the time from the call's start to its end, in milliseconds; self_time leaves out the time
 * spent in other counted functions it called. A function calling itself recursively has its total counted once
 * (the outermost call's). As the table counts (pgstat_relation.ts), the counts wait in the backend until it
 * flushes, and a reader sees them as stats_fetch_consistency decides (views.ts).
 *
 * The statistics of a function go when the DROP FUNCTION that drops it commits (a rolled-back DROP keeps them),
 * and those of a function whose CREATE rolls back are dropped then; counts a backend still holds for a dropped
 * function are thrown away at its flush — they never bring the entry back (pgstat_drop_transactional,
 * AtEOXact_PgStat_DroppedStats). A function's shared entry is made, with zero counts, when a backend first
 * counts a call of it (pgstat_prep_pending_entry): pg_stat_get_function_calls() of a function never called is
 * NULL, then 0 while the first calls are pending (or after a reset), then their count once flushed.
 *
 * Mirrors: src/backend/utils/activity/pgstat_function.c (pgstat_init_function_usage, pgstat_end_function_usage,
 * pgstat_function_flush_cb, pgstat_create_function, pgstat_drop_function), pgstat_xact.c (the transactional
 * drops), utils/fmgr/fmgr.c (fn_stats: which languages track_functions covers), optimizer/util/clauses.c
 * (inline_function / inline_set_returning_function, for which SQL functions are never called).
 * Deliberate differences: PostgreSQL measures the wall clock; here a call's time is the virtual clock's time
 * that passed while it ran (a pg_sleep in it, a lock wait) plus 1 µs of its own per call — the instructions a
 * real call takes, which the virtual clock does not see — so total_time and self_time are never 0, as on a real
 * server, and are reproducible. Which SQL functions count as inlined is simplified: in an expression, a body of one
 * SELECT of one expression without FROM, WHERE, GROUP BY, ORDER BY, LIMIT, set operations or WITH; in FROM, a
 * non-VOLATILE, non-STRICT body of one SELECT (the checks on the body's strictness, volatility and parameter use
 * are not made). The "function call to dropped function" error (a call racing a concurrent DROP with
 * track_functions on) cannot happen: the engine's catalog lookup already fails with 42883 there.
 */
import type { Engine } from '../engine.js';
import type { Session } from '../session/session.js';
import type { PgFunction } from '../catalog/catalog.js';
import type { Transaction } from '../xact/xact.js';
import { parseSqlUncached } from '../sql/parser.js';

/** PgStat_FunctionCounts / PgStat_StatFuncEntry: calls and the times in microseconds. */
export interface FunctionCounts { calls: number; totalUs: number; selfUs: number }
export const emptyFunctionCounts = (): FunctionCounts => ({ calls: 0, totalUs: 0, selfUs: 0 });

/** Where the call is made: an expression, a FROM item, or a trigger / CALL (never inlined). */
export type CallSite = 'expr' | 'from' | 'other';

/** PgStat_FunctionCallUsage: what a counted call remembers from its start. */
export interface FunctionCallUsage { oid: number; startUs: number; saveTotal: number; saveFTotal: number }

/** The backend's clock for function times, in µs: the virtual clock plus the 1 µs each finished call took. */
function nowUs(eng: Engine, s: Session): number { return Math.round(eng.clock.now * 1000) + s.pgstat.funcTicks; }

const inlinedCache = new WeakMap<PgFunction, { expr: boolean; from: boolean }>();

/** Would the planner inline this SQL function (so it is never called)? See the module doc for the simplification. */
export function sqlFunctionInlined(f: PgFunction, site: CallSite): boolean {
  if (f.language !== 'sql' || site === 'other') return false;
  let c = inlinedCache.get(f);
  if (!c) {
    c = { expr: false, from: false };
    try {
      const stmts = parseSqlUncached(f.body);
      const sel = stmts.length === 1 ? (stmts[0]!.stmt as Record<string, any>).SelectStmt : undefined;
      if (sel && (!sel.op || sel.op === 'SETOP_NONE')) {
        const plain = !sel.withClause && !sel.valuesLists && !sel.intoClause && !sel.lockingClause;
        c.from = plain && (f.setof || f.ret.kind !== 'void') && f.volatility !== 'volatile' && !f.strict;
        c.expr = plain && !f.setof && f.ret.kind === 'type' && !sel.fromClause && !sel.whereClause && !sel.groupClause
          && !sel.havingClause && !sel.sortClause && !sel.limitCount && !sel.limitOffset && !sel.distinctClause
          && !sel.windowClause && (sel.targetList?.length ?? 0) === 1;
      }
    } catch { /* a body that does not parse is not inlined */ }
    inlinedCache.set(f, c);
  }
  return site === 'expr' ? c.expr : c.from;
}

/**
 * pgstat_init_function_usage: null when this call is not counted (track_functions, the language, inlining).
 * fmgr_info's fn_stats: PL/pgSQL is counted from `pl` on, LANGUAGE sql only with `all`.
 */
export function initFunctionUsage(eng: Engine, s: Session, f: PgFunction, site: CallSite): FunctionCallUsage | null {
  const track = s.gucs.get('track_functions');
  if (track === 'none') return null;
  if (f.language === 'sql' && (track !== 'all' || sqlFunctionInlined(f, site))) return null;
  const b = s.pgstat;
  b.dirty = true;
  // pgstat_prep_pending_entry makes the shared entry at once (its counts arrive at the flush): from now on
  // pg_stat_get_function_calls() reads 0, not NULL, even before this backend flushes or if the call fails
  const st = eng.pgstat;
  if (!st.functions.has(f.oid) && !st.dropped.has(`f${f.oid}`)) st.functions.set(f.oid, emptyFunctionCounts());
  const pending = b.funcPending.get(f.oid);
  return { oid: f.oid, startUs: nowUs(eng, s), saveTotal: b.totalFuncUs, saveFTotal: pending?.totalUs ?? 0 };
}

/** pgstat_end_function_usage for a call that returned (`finalize`: it is over — a set-returning call's last row). */
export function endFunctionUsage(eng: Engine, s: Session, fcu: FunctionCallUsage | null, finalize = true): void {
  if (!fcu) return;
  const b = s.pgstat;
  b.funcTicks++; // the call's own instructions
  const total = nowUs(eng, s) - fcu.startUs;
  const others = b.totalFuncUs - fcu.saveTotal;
  const self = total - others;
  b.totalFuncUs += self;
  let p = b.funcPending.get(fcu.oid);
  if (!p) { p = emptyFunctionCounts(); b.funcPending.set(fcu.oid, p); }
  if (finalize) p.calls++;
  p.totalUs = total + fcu.saveFTotal; // a recursive call's time is not counted twice
  p.selfUs += self;
  b.dirty = true;
}

// ------------------------------------------------------------------ transactional create / drop

/** A statistics entry to drop at the end of the transaction (PgStat_PendingDroppedStatsItem). */
export interface PendingDrop { kind: 'function' | 'relation'; oid: number; atCommit: boolean; level: number }

/** pgstat_drop_function / pgstat_drop_relation (atCommit) and pgstat_create_* (dropped if the creation aborts). */
export function dropTransactional(tx: Transaction, kind: PendingDrop['kind'], oid: number, atCommit: boolean): void {
  tx.pgstatDrops.push({ kind, oid, atCommit, level: tx.subs.length });
}

/** The shared entry of (kind, oid) goes; backends' pending counts for it are discarded at their flush. */
export function dropEntry(eng: Engine, kind: PendingDrop['kind'], oid: number): void {
  const st = eng.pgstat;
  if (kind === 'function') { st.functions.delete(oid); st.dropped.add(`f${oid}`); } else { st.tables.delete(oid); st.indexes.delete(oid); st.dropped.add(`r${oid}`); }
}

/** AtEOXact_PgStat_DroppedStats: a commit drops what the transaction dropped, an abort what it created. */
export function atEndOfXactDrops(eng: Engine, tx: Transaction, commit: boolean): void {
  for (const d of tx.pgstatDrops) if (d.atCommit === commit) dropEntry(eng, d.kind, d.oid);
  tx.pgstatDrops = [];
}

/** AtEOSubXact_PgStat_DroppedStats for the levels above `level` (0 = the top): kept by the parent, or ended. */
export function atEndOfSubXactDrops(eng: Engine, tx: Transaction, level: number, commit: boolean): void {
  const keep: PendingDrop[] = [];
  for (const d of tx.pgstatDrops) {
    if (d.level <= level) { keep.push(d); continue; }
    if (commit) keep.push({ ...d, level });
    else if (!d.atCommit) dropEntry(eng, d.kind, d.oid); // an aborted creation
  }
  tx.pgstatDrops = keep;
}
