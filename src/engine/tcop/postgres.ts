/**
 * The traffic cop: a query string from a client, run as PostgreSQL's exec_simple_query runs it.
 *
 * Parse with the real parser (libpg-query); then each statement in turn — several statements in one string share
 * one implicit transaction block, and an error stops the rest. Transaction statements go to xact/xactblock.ts,
 * SET/SHOW to commands/variable.ts, everything else to the executor. A statement that waits for a lock is parked
 * (tcop/dispatch.ts) and the call returns "waiting"; cancel() interrupts it with 57014.
 *
 *     execute(s1, "BEGIN; UPDATE t SET v = 1 WHERE k = 1")   -- done: BEGIN, UPDATE 1
 *     execute(s2, "UPDATE t SET v = 2 WHERE k = 1")           -- waiting (s1 holds the row)
 *     execute(s1, "COMMIT")                                    -- done, and s2's UPDATE 0 is reported as woken
 *
 * Mirrors: src/backend/tcop/postgres.c (exec_simple_query, PostgresMain's error recovery), utility.c's dispatch.
 */
import type { Engine } from '../engine.js';
import { CrashSignal } from '../checkpoint/checkpointer.js';
import { setStatement, showStatement } from '../commands/variable.js';
import { type ExecuteResponse, type SessionOutcome } from '../engine.js';
import { PgError, inFailedSqlTransaction, setPositionText } from '../errors.js';
import { wake } from '../lock/proc.js';
import { armStatementTimeout, clearSleep, disarmIdleTimeout, disarmStatementTimeout, terminateBackend } from './interrupts.js';
import { crashDuring } from '../postmaster/postmaster.js';
import { type Session, type StepYield } from '../session/session.js';
import { type RawStmt, parseSql } from '../sql/parser.js';
import { drainRunnable, enterSession, report, step, toPgError } from '../tcop/dispatch.js';
import { abortAfterError, commitTx, ensureTx, transactionStmt } from '../xact/xactblock.js';
import { fireDeferred } from '../ri/ri_triggers.js';
import { reportStat } from '../pgstat/pgstat_relation.js';
import { hasDeferred } from '../ri/aftertriggers.js';

/**
 * Run a query string in a session (exec_simple_query). With `chunked`, a bulk statement stops at each
 * progress point (every PROGRESS_ROWS rows) with status 'running'; call resume() to go on or cancel() to stop.
 */
export function execute(eng: Engine, sessionName: string, sql: string, opts: { chunked?: boolean } = {}): ExecuteResponse {
  const s = eng.session(sessionName);
  if (eng.serverState === 'down') {
    s.acc = { results: [], notices: [], error: null };
    const error = {
      severity: 'FATAL' as const, sqlstate: '08006', message: 'no connection to the server: the server crashed and has not been restarted',
    };
    return { outcome: report(eng, s, 'error', { results: [], notices: [], error }), woken: [] };
  }
  try {
    return executeRunning(eng, s, sql, opts);
  } catch (e) {
    if (e instanceof CrashSignal) return crashDuring(eng, e.point, s);
    throw e;
  }
}

export function executeRunning(eng: Engine, s: Session, sql: string, opts: { chunked?: boolean }): ExecuteResponse {
  if (s.running) {
    const outcome = report(eng, s, 'error', { results: [], notices: [], error: {
      severity: 'ERROR', sqlstate: '55000',
      message: `another command is already in progress: session ${s.name} is waiting (${s.waiting?.reason ?? 'busy'})`,
    } });
    return { outcome, woken: [] };
  }
  if (s.terminated) {
    // the backend exited while the client was idle: the client reads the FATAL now; after that nothing can be sent
    const error = s.connectionClosed ? { severity: 'FATAL' as const, sqlstate: '08003', message: 'no connection to the server' } : s.terminated;
    s.connectionClosed = true;
    return { outcome: report(eng, s, 'error', { results: [], notices: [], error }), woken: [] };
  }
  disarmIdleTimeout(eng, s);
  s.acc = { results: [], notices: [], error: null };
  s.noticeMarks = { marks: [], sent: 0 };
  s.currentQuery = sql;
  // no PL/pgSQL call is active between client messages (a crash may have abandoned one mid-way)
  s.plNames = null; s.plDepth = 0; s.plBudget = null;
  s.pgstat.timerAt = null; // a query arrived: the idle-stats-update timeout is disabled
  s.pgstat.walAtStart = eng.wal.insertLsn;
  let stmts: RawStmt[];
  try {
    stmts = parseSql(sql);
  } catch (e) {
    const err = toPgError(eng, e);
    if (eng.tracer.wants('error')) {
      eng.tracer.emit({ kind: 'error', session: s.name,
        text: `the PostgreSQL parser rejected the statement: ${err.message}${err.position ? ` (at character ${err.position})` : ''}`
          + `${s.block === 'inprogress' ? ' — inside BEGIN this fails the transaction too' : ''}` });
    }
    abortAfterError(eng, s);
    s.acc.error = err.toMessage();
    const outcome = report(eng, s, 'error');
    return { outcome, woken: drainRunnable(eng) };
  }
  s.running = runQueryString(eng, s, stmts);
  s.chunked = !!opts.chunked;
  const outcome = step(eng, s);
  return { outcome, woken: drainRunnable(eng) };
}

/**
 * A client's query that reads and writes nothing and ends at once — the isolation tester's lock-wait probe
 * (PREP_WAITING, pg_isolation_test_session_is_blocked) on its control connection, asked every 10 ms while a step
 * runs. What it leaves behind is what any query string does: pg_stat_activity shows it as the backend's last query,
 * and at ReadyForQuery the idle backend reports its statistics (pgstat_report_stat): counts still pending from the
 * setup reach pg_stat_user_tables once a second has passed since that backend's last flush (measured on
 * PostgreSQL 15: tests/scenarios/vacuum/stats-setup.spec). Refused silently when the backend is busy or in a
 * transaction block, where the real probe would not run either.
 */
export function probeQuery(eng: Engine, sessionName: string, sql: string): void {
  const s = eng.session(sessionName);
  if (s.running || s.tx || s.block !== 'none' || s.terminated || s.connectionClosed || eng.serverState !== 'running') return;
  s.currentQuery = sql;
  s.stmtStartAt = eng.clock.now;
  s.pgstat.timerAt = null; // as for any query: the idle-stats-update timeout is disabled, re-armed if still too soon
  s.idleSince = eng.clock.now;
  reportStat(eng.pgstat, s.pgstat, eng.clock.now, false);
}

/** Continue a chunked bulk statement. */
export function resume(eng: Engine, sessionName: string): ExecuteResponse {
  const s = eng.session(sessionName);
  if (!s.running || !s.progress) throw new PgError('55000', `session ${sessionName} has no running statement to resume`);
  try {
    return { outcome: step(eng, s), woken: drainRunnable(eng) };
  } catch (e) {
    if (e instanceof CrashSignal) return crashDuring(eng, e.point, s);
    throw e;
  }
}

/**
 * Cancel the statement a session is running or waiting in (pg_cancel_backend): it fails with 57014, its
 * transaction aborts as after any error, and whatever it wrote stays on the pages, invisible.
 */
export function cancel(eng: Engine, sessionName: string): ExecuteResponse {
  const s = eng.session(sessionName);
  if (!s.running) throw new PgError('55000', `session ${sessionName} is not running a statement`);
  const context = s.waiting?.context; // raised inside the wait: the waiter's error context applies (as for lock_timeout)
  if (s.waiting) { wake(eng, eng.locks.cancelWait(s.id)); eng.clock.disarm(s.id, 'deadlock'); eng.clock.disarm(s.id, 'lock_timeout'); s.waiting = null; }
  clearSleep(eng, s);
  s.progress = null;
  enterSession(eng, s);
  setPositionText(s.currentQuery);
  let r: IteratorResult<StepYield, void>;
  try { r = s.running.throw(new PgError('57014', 'canceling statement due to user request', context ? { context } : {})); } catch (e) {
    s.acc.error = toPgError(eng, e).toMessage();
    r = { done: true, value: undefined };
  }
  let outcome: SessionOutcome;
  if (r.done) { s.running = null; outcome = report(eng, s, s.acc.error ? 'error' : 'done'); } else outcome = report(eng, s, 'waiting');
  return { outcome, woken: drainRunnable(eng) };
}

export function* runQueryString(eng: Engine, s: Session, stmts: RawStmt[]): Generator<StepYield, void, void> {
  const multi = stmts.length > 1;
  s.stmtStartAt = eng.clock.now; // SetCurrentStatementStartTimestamp: once per query message
  for (let i = 0; i < stmts.length; i++) {
    const raw = stmts[i]!;
    s.noticeMarks.marks.push({ at: s.noticeMarks.sent + s.acc.notices.length, rows: sendsRowDescriptionFirst(raw) });
    try {
      armStatementTimeout(eng, s);
      yield* runStatement(eng, s, raw, multi, i === stmts.length - 1);
      disarmStatementTimeout(eng, s);
    } catch (e) {
      disarmStatementTimeout(eng, s);
      if (e instanceof CrashSignal) throw e; // the power failed mid-statement: nothing more happens in this backend
      const err = toPgError(eng, e);
      if (eng.tracer.wants('error')) eng.tracer.emit({ kind: 'error', session: s.name, text: `${s.name}: ERROR ${err.sqlstate}: ${err.message}` });
      eng.deps.failing(s.tx?.vxid, err.sqlstate);
      if (s.waiting) { eng.locks.cancelWait(s.id); s.waiting = null; }
      abortAfterError(eng, s);
      s.acc.error = err.toMessage();
      if (err.fatal) { const msg = s.acc.error; s.running = null; terminateBackend(eng, s, msg); s.connectionClosed = true; }
      return;
    }
  }
  if (s.block === 'implicit') {
    if (s.tx) commitTx(eng, s);
    s.block = 'none';
  }
}

export function* runStatement(eng: Engine, s: Session, raw: RawStmt, multi: boolean, last: boolean): Generator<StepYield, void, void> {
  const type = Object.keys(raw.stmt)[0]!;
  const node = raw.stmt[type];
  s.literals = raw.literals ?? null;
  enterSession(eng, s);
  if (eng.tracer.wants('statement')) {
    eng.tracer.emit({ kind: 'statement', session: s.name, text: `${s.name} runs: ${raw.text.length > 120 ? raw.text.slice(0, 117) + '...' : raw.text}` });
  }
  if (type === 'TransactionStmt') {
    if (node.kind === 'TRANS_STMT_COMMIT' && s.block === 'inprogress' && hasDeferred(s)) {
      // PreCommit: the deferred constraints' checks run first; an error fails the COMMIT and ends the block
      s.block = 'none';
      yield* fireDeferred(eng.executor, s, true);
      s.block = 'inprogress';
    }
    transactionStmt(eng, s, node);
    return;
  }
  if (s.block === 'failed') {
    throw inFailedSqlTransaction();
  }
  if (multi && s.block === 'none') s.block = 'implicit';
  if (type === 'VariableSetStmt') { s.acc.results.push(setStatement(eng, s, node)); finishStatement(eng, s, last); return; }
  if (type === 'VariableShowStmt') { s.acc.results.push(showStatement(eng, s, node)); finishStatement(eng, s, last); return; }
  const tx = ensureTx(eng, s);
  tx.pgstatOff = s.gucs.get('track_counts') === 'off';
  if (tx.deferrable && tx.readOnly && tx.isolation === 'serializable' && !tx.xactSnapshot && SNAPSHOT_STATEMENTS.has(type)) yield* getSafeSnapshot(eng, s);
  const result = yield* eng.executor.run(s, type, node, raw);
  // an autocommitted statement commits before it reports: deferred constraints are checked first
  if ((s.block === 'none' || (s.block === 'implicit' && last)) && hasDeferred(s)) yield* fireDeferred(eng.executor, s, true);
  s.acc.results.push(result);
  finishStatement(eng, s, last);
}

/** A statement whose RowDescription goes out when its executor starts (printtup_startup), before anything it raises
 * while running: a SELECT (not SELECT INTO) and INSERT / UPDATE / DELETE ... RETURNING. (EXPLAIN, SHOW and the like
 * send theirs with the output, at the end.) */
function sendsRowDescriptionFirst(raw: RawStmt): boolean {
  const type = Object.keys(raw.stmt)[0]!;
  const n = raw.stmt[type];
  if (type === 'SelectStmt') return !n.intoClause;
  return (type === 'InsertStmt' || type === 'UpdateStmt' || type === 'DeleteStmt') && !!n.returningList?.length;
}

/** The statements exec_simple_query takes a snapshot for (analyze_requires_snapshot), as far as they are modelled. */
const SNAPSHOT_STATEMENTS = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt', 'ExplainStmt', 'ExecuteStmt', 'CreateTableAsStmt']);

/**
 * GetSafeSnapshot (predicate.c), for SERIALIZABLE READ ONLY DEFERRABLE: take the snapshot, then wait until every
 * read-write serializable transaction that was running has ended. If one of them committed with a conflict out to
 * a transaction that committed before our snapshot, the snapshot is unsafe: drop it and try again with a new one.
 */
function* getSafeSnapshot(eng: Engine, s: Session): Generator<StepYield, void, void> {
  for (;;) {
    const tx = s.tx!;
    eng.snapshotFor(s);
    const sx = tx.sxact;
    if (!sx || sx.possibleUnsafe.size === 0) return; // no concurrent read-write serializable transaction: safe
    if (eng.tracer.wants('wait')) eng.tracer.emit({ kind: 'wait', session: s.name, text: `${s.name} (SERIALIZABLE READ ONLY DEFERRABLE) waits for a safe snapshot: until ${[...sx.possibleUnsafe].map((x) => eng.sessions[x.session]?.name ?? '?').join(', ')} end` });
    s.safeSnapshotWait = true;
    try {
      while (sx.possibleUnsafe.size > 0 && !sx.roUnsafe) yield { kind: 'wait' };
    } finally {
      s.safeSnapshotWait = false;
    }
    if (!sx.roUnsafe) return;
    // "deferrable snapshot was unsafe; trying a new one"
    eng.predicates.abort(sx);
    tx.sxact = null;
    tx.xactSnapshot = null;
  }
}

/** finish_xact_command: commit an autocommit statement, or bump the command counter inside a block. */
export function finishStatement(eng: Engine, s: Session, _last: boolean) {
  if (s.tx) s.tx.stmtSnapshot = null;
  if (s.block === 'none') {
    if (s.tx) commitTx(eng, s);
  } else if (s.tx) {
    s.tx.commandCounterIncrement();
  }
}
