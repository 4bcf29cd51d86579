/**
 * Interrupts: what ends a statement from outside — a timeout, a cancel, a terminate — and pg_sleep.
 *
 * PostgreSQL's timeouts are timers (timeout.c) whose handlers set a flag; the backend notices it at its next
 * CHECK_FOR_INTERRUPTS (ProcessInterrupts in postgres.c) — for a waiting or sleeping backend, at once — and fails the
 * statement with an ERROR, or exits with FATAL. Here the timers are the virtual clock's (clock/clock.ts) and a
 * statement only takes virtual time while it waits for a lock or sleeps, so that is when they can fire:
 *
 *   lock_timeout          armed when a lock wait begins: 55P03 "canceling statement due to lock timeout"
 *   statement_timeout     armed when each statement of a query string begins: 57014 "canceling statement due to
 *                         statement timeout"
 *   idle_in_transaction_session_timeout   armed when a query string ends inside a transaction block: the backend
 *                         exits, FATAL 25P03 "terminating connection due to idle-in-transaction timeout"
 *   pg_cancel_backend(pid)     the backend's statement fails with 57014 "canceling statement due to user request"
 *                              (an idle backend ignores it); pg_terminate_backend(pid): it exits, FATAL 57P01
 *                              "terminating connection due to administrator command"
 *   pg_sleep(s)           the statement waits s seconds of virtual time; the deadlock checks and timeouts of
 *                         other sessions fire meanwhile, in time order
 *
 * A backend that exits rolls back its transaction and releases every lock, its session-level advisory locks too;
 * its connection stays closed.
 *
 * Mirrors: src/backend/tcop/postgres.c (ProcessInterrupts, StatementTimeoutHandler, enable_statement_timeout,
 * IdleInTransactionSessionTimeoutHandler), storage/ipc/signalfuncs.c (pg_cancel_backend, pg_terminate_backend),
 * utils/adt/misc.c (pg_sleep). Simplifications: pg_terminate_backend's timeout argument is not modelled (the
 * target exits at once); no idle_session_timeout.
 */
import type { Engine } from '../engine.js';
import { PgError, type PgMessage } from '../errors.js';
import type { Timer } from '../clock/clock.js';
import { fireTimer, interruptWait, wake } from '../lock/proc.js';
import type { Session, StepYield } from '../session/session.js';
import { dropSessionTempTables } from '../commands/tempcmds.js';

/** A timer of the virtual clock is due (postmaster's advance calls this in time order). */
export function fireTimeout(eng: Engine, t: Timer): void {
  const s = eng.sessions[t.session];
  if (!s) return;
  switch (t.kind) {
    case 'deadlock': fireTimer(eng, s.id); return;
    case 'lock_timeout':
      if (s.waiting && s.running) interruptStatement(eng, s, new PgError('55P03', 'canceling statement due to lock timeout', waitContext(s)));
      return;
    case 'statement_timeout':
      if (s.running) interruptStatement(eng, s, new PgError('57014', 'canceling statement due to statement timeout', waitContext(s)));
      return;
    case 'sleep':
      if (s.running && s.sleepingUntil !== null) {
        s.sleepingUntil = null;
        if (!eng.runnable.includes(s.id)) eng.runnable.push(s.id);
      }
      return;
    case 'idle_in_transaction':
      if (!s.running && (s.block === 'inprogress' || s.block === 'failed')) {
        terminateBackend(eng, s, { severity: 'FATAL', sqlstate: '25P03', message: 'terminating connection due to idle-in-transaction timeout' });
      }
      return;
  }
}

const waitContext = (s: Session) => (s.waiting?.context ? { context: s.waiting.context } : {});

/** Fail the statement a session runs (waiting for a lock, sleeping) with `err`, as ProcessInterrupts does. */
export function interruptStatement(eng: Engine, s: Session, err: PgError): void {
  if (!s.running) return;
  clearSleep(eng, s);
  s.progress = null;
  interruptWait(eng, s, err);
}

export function clearSleep(eng: Engine, s: Session): void {
  if (s.sleepingUntil === null) return;
  s.sleepingUntil = null;
  eng.clock.disarm(s.id, 'sleep');
}

/** pg_sleep: wait `ms` of virtual time (the statement is parked; the clock's timer wakes it). */
export function* sleep(eng: Engine, s: Session, ms: number): Generator<StepYield, void, void> {
  if (!(ms > 0)) return;
  s.sleepingUntil = eng.clock.now + ms;
  eng.clock.arm(ms, 'sleep', s.id);
  if (eng.tracer.wants('wait')) eng.tracer.emit({ kind: 'wait', session: s.name, text: `${s.name} sleeps ${ms} ms (pg_sleep), until t=${s.sleepingUntil} ms` });
  try {
    yield { kind: 'wait' };
  } finally {
    clearSleep(eng, s);
  }
}

/** statement_timeout for one statement of a query string (enable_statement_timeout / disable_statement_timeout). */
export function armStatementTimeout(eng: Engine, s: Session): void {
  eng.clock.disarm(s.id, 'statement_timeout');
  const ms = s.gucs.statement_timeout;
  if (ms > 0) eng.clock.arm(ms, 'statement_timeout', s.id);
}
export function disarmStatementTimeout(eng: Engine, s: Session): void { eng.clock.disarm(s.id, 'statement_timeout'); }

export function disarmIdleTimeout(eng: Engine, s: Session): void { eng.clock.disarm(s.id, 'idle_in_transaction'); }

/**
 * The backend exits (FATAL): a statement it runs fails with `msg`, its transaction is rolled back, every lock it
 * holds is released (session-level advisory locks too), and its connection is closed.
 */
export function terminateBackend(eng: Engine, s: Session, msg: PgMessage): void {
  if (s.terminated) return;
  if (s.running) {
    interruptStatement(eng, s, new PgError(msg.sqlstate, msg.message, { fatal: true }));
    s.connectionClosed = true; // the FATAL went to the client as the statement's result
  }
  if (s.terminated) return; // the statement's own error handling ended the backend already
  if (s.tx) eng.abortTx(s);
  s.block = 'none';
  s.portals.clear(); // held cursors too: they go with the backend
  dropSessionTempTables(eng, s.name); // RemoveTempRelations at backend exit, before its session locks go
  wake(eng, eng.locks.releaseAll(s.id, true));
  for (const k of ['deadlock', 'lock_timeout', 'statement_timeout', 'idle_in_transaction', 'sleep'] as const) eng.clock.disarm(s.id, k);
  s.terminated = msg;
  if (eng.tracer.wants('error')) eng.tracer.emit({ kind: 'error', session: s.name, text: `${s.name}: FATAL ${msg.sqlstate}: ${msg.message} — its transaction is rolled back, its locks are released and the connection is closed` });
}

/** pg_cancel_backend / pg_terminate_backend: signal the backend with this pid; false (and a WARNING) if there is none. */
export function signalBackend(eng: Engine, from: Session, pid: number, kind: 'cancel' | 'terminate'): boolean {
  const target = eng.sessions.find((x) => x.pid === pid && !x.terminated);
  if (!target) {
    from.acc.notices.push({ severity: 'WARNING', sqlstate: '01000', message: `PID ${pid} is not a PostgreSQL backend process` });
    return false;
  }
  if (kind === 'cancel') {
    if (target === from) throw new PgError('57014', 'canceling statement due to user request');
    if (target.running) interruptStatement(eng, target, new PgError('57014', 'canceling statement due to user request', waitContext(target)));
    return true;
  }
  if (target === from) throw new PgError('57P01', 'terminating connection due to administrator command', { fatal: true });
  terminateBackend(eng, target, { severity: 'FATAL', sqlstate: '57P01', message: 'terminating connection due to administrator command' });
  return true;
}
