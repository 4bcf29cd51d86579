/**
 * Running parked statements: each session's statement is a suspended generator; this steps it to its next wait,
 * progress point or end, and builds what the client receives (ReadyForQuery with the results, notices, error).
 *
 * A statement that must wait for a lock yields; when a COMMIT, ROLLBACK or deadlock abort elsewhere grants the
 * lock, the waiter is put on the run list and `drainRunnable` steps it within that same call, so the caller learns
 * which parked statements finished as a consequence.
 *
 * Mirrors: the part of src/backend/tcop/postgres.c that sends results (ReadyForQuery, dest.c); the run list stands
 * in for the operating system scheduling backends that a lock release has woken (ProcWakeup).
 */
import type { Engine } from '../engine.js';
import { type ExecStatus, type SessionOutcome } from '../engine.js';
import { PgError, setPositionText } from '../errors.js';
import { type Session } from '../session/session.js';
import { searchPathItems } from '../guc/guc.js';
import { setCurrentLiterals } from '../sql/parser.js';
import { setDateTimeContext } from '../adt/datetime.js';
import { setByteaOutput } from '../adt/bytea.js';
import { virtualTimestamp } from '../adt/timestamp.js';
import { reportStat } from '../pgstat/pgstat_relation.js';
import { processNotifyInterrupt } from '../commands/async.js';

/**
 * The module state a session's statement reads, set from that session before it runs or resumes: its literals, its
 * temporary tables first in name lookups, its search_path, DateStyle, TimeZone and bytea_output (a statement resumed
 * after a wait prints its dates and bytes in its own session's settings).
 */
export function enterSession(eng: Engine, s: Session): void {
  setCurrentLiterals(s.literals);
  eng.catalog.current = s.name;
  eng.catalog.searchPath = searchPathItems(s.gucs.get('search_path'));
  setDateTimeContext(s.gucs.get('DateStyle'), virtualTimestamp(s.tx ? s.xactStartAt : s.stmtStartAt).us, s.gucs.get('TimeZone'));
  setByteaOutput(s.gucs.get('bytea_output'));
}

export function step(eng: Engine, s: Session): SessionOutcome {
  const gen = s.running!;
  enterSession(eng, s);
  setPositionText(s.currentQuery);
  for (;;) {
    const r = gen.next();
    if (r.done) break;
    if (r.value.kind === 'progress') {
      if (!s.chunked) continue;
      s.progress = { done: r.value.done, total: r.value.total, chunks: (s.progress?.chunks ?? 0) + 1 };
      return { ...report(eng, s, 'running'), progress: s.progress };
    }
    s.progress = null;
    return report(eng, s, 'waiting');
  }
  s.running = null;
  s.progress = null;
  return report(eng, s, s.acc.error ? 'error' : 'done');
}

export function report(eng: Engine, s: Session, status: ExecStatus, acc = s.acc): SessionOutcome {
  const partial = status === 'waiting' || status === 'running';
  if (!partial && !s.running) armIdleTimeout(eng, s);
  // PostgresMain before ReadyForQuery outside a transaction: the notifications signalled meanwhile are read now
  if (!partial && !s.running) processNotifyInterrupt(eng, s);
  const nm = s.noticeMarks;
  const noticeAt = acc.notices.map((_, j) => {
    let i = nm.marks.length - 1;
    while (i > 0 && nm.marks[i]!.at > nm.sent + j) i--;
    return { stmt: Math.max(0, i), afterRowDescription: i >= 0 && nm.marks[i]!.rows };
  });
  if (partial) nm.sent += acc.notices.length;
  const o: SessionOutcome = {
    session: s.name, status, results: partial ? [] : acc.results, error: acc.error,
    notices: acc.notices, noticeAt, trace: partial && status === 'running' ? { events: [], folded: {} } : eng.tracer.take(), at: eng.clock.now,
  };
  if (!partial && s.async.inbox.length) o.notifications = s.async.inbox.splice(0);
  if (partial) s.acc.notices = [];
  else {
    // ReadyForQuery: the backend is idle again; outside a transaction it reports its statistics (pgstat_report_stat)
    s.idleSince = eng.clock.now;
    if (eng.wal.insertLsn !== s.pgstat.walAtStart) s.pgstat.dirty = true; // WAL usage to report
    if (!s.tx && s.block === 'none' && eng.serverState === 'running') reportStat(eng.pgstat, s.pgstat, eng.clock.now, false);
  }
  return o;
}

export function drainRunnable(eng: Engine): SessionOutcome[] {
  const out = eng.finished;
  eng.finished = [];
  while (eng.runnable.length) {
    const id = eng.runnable.shift()!;
    const s = eng.sessions[id]!;
    if (!s.running) continue;
    s.chunked = false; // a statement woken by someone else runs to its end (or next wait) in this call
    const o = step(eng, s);
    if (o.status !== 'waiting') out.push(o);
  }
  return out;
}

/** ReadyForQuery inside a transaction block: idle_in_transaction_session_timeout starts counting (tcop/interrupts.ts). */
export function armIdleTimeout(eng: Engine, s: Session): void {
  eng.clock.disarm(s.id, 'idle_in_transaction');
  const ms = s.gucs.idle_in_transaction_session_timeout;
  if (ms > 0 && !s.terminated && (s.block === 'inprogress' || s.block === 'failed')) eng.clock.arm(ms, 'idle_in_transaction', s.id);
}

export function toPgError(eng: Engine, e: unknown): PgError {
  if (e instanceof PgError) return e;
  const err = new PgError('XX000', `internal error in Heapscope: ${(e as Error)?.message ?? String(e)}`);
  return err;
}
