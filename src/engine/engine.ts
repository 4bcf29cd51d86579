/**
 * The engine facade: sessions, query strings, transactions, waits and the virtual clock.
 *
 * One call, `execute(session, sql)`, runs a query string the way PostgreSQL's exec_simple_query does: parse
 * with the real parser, run each statement (in one implicit transaction if there are several), and report
 * the command tags, rows, notices or the error. A statement that must wait for a lock is parked and the call
 * returns `waiting`; when another session's COMMIT/ROLLBACK (or a deadlock abort) releases the lock, the
 * waiter resumes within that same call and its completion is reported too.
 *
 * Time is virtual: `advance(ms)` moves the clock and fires deadlock_timeout checks; nothing reads a wall
 * clock, nothing is random, so a scenario replays identically.
 *
 * Mirrors: src/backend/tcop/postgres.c (exec_simple_query), access/transam/xact.c (StartTransaction,
 * CommitTransaction, AbortTransaction, the TBLOCK_* state machine). Durability — checkpoints, a crash at a
 * statement boundary or an armed micro-point, restart with crash recovery — is driven from here and lives in
 * checkpoint/, buffer/ and recovery/. Deliberate differences: no background processes (no autovacuum; the wal
 * writer, checkpointer and background writer act on the virtual clock or when asked), catalog changes are not
 * MVCC-versioned, one database.
 */
import { PgError, type PgMessage, notSupported, posOf, setPositionText } from './errors.js';
import { setStatement, showStatement, currentSetting } from './commands/variable.js';
import { parseSql, setCurrentLiterals, intConst, type RawStmt } from './sql/parser.js';
import { Catalog, DATABASE_OID } from './catalog/catalog.js';
import { Transactions, Transaction, type IsolationLevel, usesXactSnapshot } from './xact/xact.js';
import { MultiXacts, type MultiMember } from './multixact/multixact.js';
import { LockManager, type LockTag, LockMode, LOCK_MODES, describeTag } from './lock/lock.js';
import { findCycle } from './lock/deadlock.js';
import { Wal, WalKind, formatLsn, WAL_WRITER_DELAY } from './wal/wal.js';
import { VirtualClock } from './clock/clock.js';
import { Tracer, type TraceBatch } from './trace/trace.js';
import { Session, type QueryResult, type StepYield, formatMs } from './session/session.js';
import { type Snapshot, formatSnapshot } from './snapshot/snapshot.js';
import { XID_STATUS_NAMES, XidStatus } from './clog/clog.js';
import type { VisibilityContext } from './visibility/visibility.js';
import { Executor } from './sql/executor.js';
import { PredicateLockManager } from './predicate/predicate.js';
import { Clog } from './clog/clog.js';
import type { XactPayload, SequencePayload } from './wal/records.js';
import {
  type ControlFile, type CrashPoint, type CheckpointKind, type CheckpointResult, CrashSignal, CHECKPOINT_TIMEOUT, CRASH_POINTS,
  createCheckpoint, bgwriterRound,
} from './checkpoint/checkpointer.js';
import { crashState, startup, type CrashReport, type RecoveryReport } from './recovery/recovery.js';

export interface EngineOptions {
  /** trace fine-grained events (default true) */
  trace?: boolean;
  /** the first transaction id to hand out (default: where a fresh PostgreSQL 15 cluster starts, 724) */
  nextXid?: number;
}

export type ExecStatus = 'done' | 'waiting' | 'error' | 'running';

/** What one session reports: a completed query string, a wait, or an error. */
export interface SessionOutcome {
  session: string;
  status: ExecStatus;
  results: QueryResult[];
  error: PgMessage | null;
  notices: PgMessage[];
  trace: TraceBatch;
  /** virtual time when this outcome happened */
  at: number;
  /** for status 'running': rows processed so far of the bulk statement */
  progress?: { done: number; total: number; chunks: number };
}

export interface ExecuteResponse {
  outcome: SessionOutcome;
  /** other sessions whose parked statements finished (completed or failed) as a consequence, in order */
  woken: SessionOutcome[];
}

/** A lookup table keyed by what users type (setting names, values): no prototype, so "constructor" is not in it. */
const dict = <T>(o: Record<string, T>): Record<string, T> => Object.assign(Object.create(null) as Record<string, T>, o);

const ISOLATION_NAMES: Record<string, IsolationLevel> = dict({
  'read uncommitted': 'read uncommitted', 'read committed': 'read committed',
  'repeatable read': 'repeatable read', serializable: 'serializable',
});


export class Engine {
  readonly catalog = new Catalog();
  readonly xacts = new Transactions();
  readonly locks = new LockManager();
  readonly wal = new Wal();
  readonly clock = new VirtualClock();
  readonly tracer = new Tracer();
  readonly predicates = new PredicateLockManager();
  /** MultiXacts: several transactions with an interest in one tuple's xmax (pg_multixact; multixact/multixact.ts) */
  multis = new MultiXacts();
  /** pg_multixact/members: next member offset, and the highest SLRU pages initialised so far */
  private nextMemberOffset = 1;
  private memberPagesZeroed = -1;
  private offsetPagesZeroed = 0;

  /** MultiXactIdCreateFromMembers: a new MultiXact of these members, logged as PostgreSQL logs it. */
  createMulti(xid: number, members: MultiMember[]): number {
    const id = this.multis.next;
    const MEMBERS_PER_PAGE = 1636, OFFSETS_PER_PAGE = 2048;
    if (Math.floor(id / OFFSETS_PER_PAGE) > this.offsetPagesZeroed) {
      this.offsetPagesZeroed = Math.floor(id / OFFSETS_PER_PAGE);
      this.wal.insert(WalKind.MultiXactZeroOffPage, xid, 28);
    }
    const last = Math.floor((this.nextMemberOffset + members.length - 1) / MEMBERS_PER_PAGE);
    for (let p = Math.floor(this.nextMemberOffset / MEMBERS_PER_PAGE); p <= last; p++) {
      if (p > this.memberPagesZeroed) { this.memberPagesZeroed = p; this.wal.insert(WalKind.MultiXactZeroMemPage, xid, 28); }
    }
    this.nextMemberOffset += members.length;
    this.wal.insert(WalKind.MultiXactCreateId, xid, 38 + 8 * members.length);
    return this.multis.add(members);
  }
  readonly sessions: Session[] = [];
  readonly executor: Executor;
  /** pg_control (checkpoint/checkpointer.ts). initdb ends with a shutdown checkpoint at the start of the log. */
  control: ControlFile;
  /** what is on disk besides data pages and WAL: the commit log as the last checkpoint wrote it */
  durable = { clog: new Clog() };
  /** the server: up, or down after a crash until restart() */
  serverState: 'running' | 'down' = 'running';
  /** a crash micro-point waiting to be reached (see CrashPoint) */
  crashArmed: CrashPoint | null = null;
  /** virtual time of the last checkpoint (checkpoint_timeout counts from it) */
  lastCheckpointAt = 0;
  /** what happened at the last crash and the last recovery */
  lastCrash: (CrashReport & { point: CrashPoint; at: number }) | null = null;
  lastRecovery: RecoveryReport | null = null;
  /** the server log lines of crashes and recoveries (PostgreSQL's wording) */
  serverLog: string[] = [];
  /** sessions whose lock wait was granted and that must resume */
  private runnable: number[] = [];
  /** outcomes of resumed sessions not yet reported */
  private finished: SessionOutcome[] = [];
  private nextPid = 1001;

  constructor(opts: EngineOptions = {}) {
    this.tracer.enabled = opts.trace ?? true;
    if (opts.nextXid !== undefined) { this.xacts.nextXid = opts.nextXid; this.xacts.latestCompletedXid = opts.nextXid - 1; }
    this.executor = new Executor(this);
    this.wirePredicates();
    this.control = { state: 'in production', checkPoint: this.wal.insertLsn, redo: this.wal.insertLsn, nextXid: this.xacts.nextXid, time: 0, fullPageWrites: true };
  }

  /** Let the SSI module name sessions and narrate conflicts in this engine's trace. */
  private wirePredicates() {
    this.predicates.name = (sx) => this.sessions[sx.session]?.name ?? `session ${sx.session}`;
    this.predicates.onConflict = (text) => { if (this.tracer.wants('ssi')) this.tracer.emit({ kind: 'ssi', session: '', text }); };
  }

  // ---------------------------------------------------------------- checkpoints of the deterministic log

  /**
   * Can the engine be copied now? Only at a quiet moment: no session inside a transaction or a statement
   * (a parked statement is a suspended generator and cannot be copied), no SSI bookkeeping alive.
   */
  canClone(): boolean {
    return this.runnable.length === 0 && this.finished.length === 0 && !this.predicates.active &&
      this.sessions.every((s) => !s.running && !s.tx && s.block === 'none');
  }

  /** An independent copy that behaves exactly like this engine from here on (time travel checkpoints). */
  clone(): Engine {
    if (!this.canClone()) throw new Error('the engine can only be copied when every session is idle');
    const c = new Engine({ trace: this.tracer.enabled });
    const w = c as unknown as Record<string, unknown>; // the readonly fields are assigned once, here
    w.catalog = this.catalog.clone();
    w.xacts = this.xacts.clone();
    w.locks = this.locks.clone();
    w.wal = this.wal.clone();
    w.clock = this.clock.clone();
    w.predicates = this.predicates.clone();
    c.wirePredicates();
    c.nextPid = this.nextPid;
    c.control = { ...this.control };
    c.durable = { clog: this.durable.clog.clone() };
    c.serverState = this.serverState;
    c.crashArmed = this.crashArmed;
    c.lastCheckpointAt = this.lastCheckpointAt;
    c.lastCrash = this.lastCrash;
    c.lastRecovery = this.lastRecovery;
    c.serverLog = this.serverLog.slice();
    c.nextMemberOffset = this.nextMemberOffset;
    c.memberPagesZeroed = this.memberPagesZeroed;
    c.offsetPagesZeroed = this.offsetPagesZeroed;
    c.multis = this.multis.clone();
    for (const s of this.sessions) {
      const n = new Session(s.id, s.name, s.pid, s.backendId);
      n.lxid = s.lxid;
      n.currentQuery = s.currentQuery;
      n.lastAbortReason = s.lastAbortReason;
      n.gucs = s.gucs.clone();
      n.currvals = new Map(s.currvals);
      c.sessions.push(n);
    }
    return c;
  }

  // ---------------------------------------------------------------- sessions

  createSession(name: string): Session {
    if (this.sessions.some((s) => s.name === name)) throw new PgError('42710', `session "${name}" already exists`);
    const id = this.sessions.length;
    const s = new Session(id, name, this.nextPid++, id + 3);
    this.sessions.push(s);
    return s;
  }
  session(name: string): Session {
    const s = this.sessions.find((x) => x.name === name);
    if (!s) throw new PgError('08003', `no session named "${name}"`);
    return s;
  }

  // ---------------------------------------------------------------- running statements

  /**
   * Run a query string in a session (exec_simple_query). With `chunked`, a bulk statement stops at each
   * progress point (every PROGRESS_ROWS rows) with status 'running'; call resume() to go on or cancel() to stop.
   */
  execute(sessionName: string, sql: string, opts: { chunked?: boolean } = {}): ExecuteResponse {
    const s = this.session(sessionName);
    if (this.serverState === 'down') {
      s.acc = { results: [], notices: [], error: null };
      return { outcome: this.outcome(s, 'error', { results: [], notices: [], error: { severity: 'FATAL', sqlstate: '08006', message: 'no connection to the server: the server crashed and has not been restarted' } }), woken: [] };
    }
    try {
      return this.executeRunning(s, sql, opts);
    } catch (e) {
      if (e instanceof CrashSignal) return this.crashDuring(e.point, s);
      throw e;
    }
  }

  private executeRunning(s: Session, sql: string, opts: { chunked?: boolean }): ExecuteResponse {
    if (s.running) {
      const outcome = this.outcome(s, 'error', { results: [], notices: [], error: {
        severity: 'ERROR', sqlstate: '55000',
        message: `another command is already in progress: session ${s.name} is waiting (${s.waiting?.reason ?? 'busy'})`,
      } });
      return { outcome, woken: [] };
    }
    s.acc = { results: [], notices: [], error: null };
    s.currentQuery = sql;
    let stmts: RawStmt[];
    try {
      stmts = parseSql(sql);
    } catch (e) {
      const err = this.toPgError(e);
      if (this.tracer.wants('error')) this.tracer.emit({ kind: 'error', session: s.name, text: `the PostgreSQL parser rejected the statement: ${err.message}${err.position ? ` (at character ${err.position})` : ''}${s.block === 'inprogress' ? ' — inside BEGIN this fails the transaction too' : ''}` });
      this.abortAfterError(s);
      s.acc.error = err.toMessage();
      const outcome = this.outcome(s, 'error');
      return { outcome, woken: this.drainRunnable() };
    }
    s.running = this.runQueryString(s, stmts);
    s.chunked = !!opts.chunked;
    const outcome = this.step(s);
    return { outcome, woken: this.drainRunnable() };
  }

  /** Continue a chunked bulk statement. */
  resume(sessionName: string): ExecuteResponse {
    const s = this.session(sessionName);
    if (!s.running || !s.progress) throw new PgError('55000', `session ${sessionName} has no running statement to resume`);
    try {
      return { outcome: this.step(s), woken: this.drainRunnable() };
    } catch (e) {
      if (e instanceof CrashSignal) return this.crashDuring(e.point, s);
      throw e;
    }
  }

  /**
   * Cancel the statement a session is running or waiting in (pg_cancel_backend): it fails with 57014, its
   * transaction aborts as after any error, and whatever it wrote stays on the pages, invisible.
   */
  cancel(sessionName: string): ExecuteResponse {
    const s = this.session(sessionName);
    if (!s.running) throw new PgError('55000', `session ${sessionName} is not running a statement`);
    if (s.waiting) { this.wake(this.locks.cancelWait(s.id)); this.clock.disarm(s.id, 'deadlock'); s.waiting = null; }
    s.progress = null;
    setCurrentLiterals(s.literals);
    setPositionText(s.currentQuery);
    let r: IteratorResult<StepYield, void>;
    try { r = s.running.throw(new PgError('57014', 'canceling statement due to user request')); } catch (e) {
      s.acc.error = this.toPgError(e).toMessage();
      r = { done: true, value: undefined };
    }
    let outcome: SessionOutcome;
    if (r.done) { s.running = null; outcome = this.outcome(s, s.acc.error ? 'error' : 'done'); } else outcome = this.outcome(s, 'waiting');
    return { outcome, woken: this.drainRunnable() };
  }

  /** Advance the virtual clock, firing due deadlock checks; returns the sessions that finished meanwhile. */
  advance(ms: number): SessionOutcome[] {
    const target = this.clock.now + ms;
    const out: SessionOutcome[] = [];
    try {
      for (;;) {
        const t = this.clock.popDue(target);
        if (!t) break;
        this.fireTimer(t.session);
        out.push(...this.drainRunnable());
      }
      this.clock.now = Math.max(this.clock.now, target);
      if (this.serverState === 'running') {
        this.wal.walWriter(this.clock.now); // no background process: the wal writer's flush happens when time passes it
        // the checkpointer's checkpoint_timeout, if WAL was written since the last checkpoint
        if (this.clock.now >= this.lastCheckpointAt + CHECKPOINT_TIMEOUT && this.wal.count > 0 && this.wal.kindOf(this.wal.count - 1) !== WalKind.CheckpointOnline && this.wal.kindOf(this.wal.count - 1) !== WalKind.CheckpointShutdown) {
          this.checkpoint('timed');
        }
      }
    } catch (e) {
      if (!(e instanceof CrashSignal)) throw e;
      const r = this.crashDuring(e.point, null);
      out.push(...r.woken);
    }
    return out;
  }

  // ---------------------------------------------------------------- durability: checkpoints, crashes, recovery

  /** CHECKPOINT (statement, checkpoint_timeout, end of recovery): see checkpoint/checkpointer.ts. */
  checkpoint(kind: CheckpointKind, session = ''): CheckpointResult {
    return createCheckpoint(this, kind, session);
  }

  /** At an armed micro-point: the power fails here (the caller's statement never finishes). */
  crashPointReached(point: CrashPoint): void {
    if (this.crashArmed !== point) return;
    this.crashArmed = null;
    throw new CrashSignal(point);
  }

  /** A server-level outcome (no session): what crash/restart/checkpoint controls report, with their trace. */
  private serverOutcome(): SessionOutcome {
    return { session: '', status: 'done', results: [], error: null, notices: [], trace: this.tracer.take(), at: this.clock.now };
  }

  /**
   * Pull the plug (point 'now'), or arm a micro-point that crashes when the engine reaches it. Returns the
   * server's outcome and, for a crash, the error every session in the middle of a statement gets.
   */
  crash(point: CrashPoint = 'now'): SessionOutcome[] {
    if (!CRASH_POINTS.includes(point)) throw new PgError('22023', `unknown crash point "${String(point)}"`, { hint: `Crash points: ${CRASH_POINTS.join(', ')}.` });
    if (this.serverState === 'down') throw new PgError('55000', 'the server is already down: restart it first');
    if (point !== 'now') {
      this.crashArmed = point;
      if (this.tracer.wants('crash')) this.tracer.emit({ kind: 'crash', session: '', text: `crash armed: the power will fail ${CRASH_POINT_WORDS[point]}` });
      return [this.serverOutcome()];
    }
    const r = this.crashDuring('now', null);
    return [r.outcome, ...r.woken];
  }

  /** Perform the crash; `s` is the session whose call reached the crash point (it loses its connection). */
  private crashDuring(point: CrashPoint, s: Session | null): ExecuteResponse {
    const report = crashState(this);
    const lost: SessionOutcome[] = [];
    const connectionLost: PgMessage = { severity: 'FATAL', sqlstate: '08006', message: 'server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request.' };
    for (const x of this.sessions) {
      const wasBusy = !!x.running || x === s;
      x.running = null; x.waiting = null; x.progress = null; x.tx = null; x.block = 'none'; x.vctx = null;
      if (wasBusy) { x.acc = { results: [], notices: [], error: null }; lost.push({ session: x.name, status: 'error', results: [], error: connectionLost, notices: [], trace: { events: [], folded: {} }, at: this.clock.now }); }
    }
    const w = this as unknown as Record<string, unknown>;
    w.locks = new LockManager();
    w.predicates = new PredicateLockManager();
    this.wirePredicates();
    w.xacts = new Transactions();
    this.xacts.nextXid = this.control.nextXid;
    this.runnable = [];
    this.finished = [];
    this.clock.disarmAll();
    this.serverState = 'down';
    this.crashArmed = null;
    this.lastCrash = { ...report, point, at: this.clock.now };
    this.serverLog.push(`(power failure at t=${this.clock.now} ms${point === 'now' ? '' : `, ${CRASH_POINT_WORDS[point]}`})`);
    if (this.tracer.wants('crash')) {
      this.tracer.emit({ kind: 'crash', session: '', text: `CRASH${point === 'now' ? '' : ` ${CRASH_POINT_WORDS[point]}`}: shared buffers, WAL buffers, locks and sessions are gone. Lost: ${report.lostRecords} WAL record(s) not yet flushed, ${report.lostDirtyPages} page(s) changed since they were last written${report.lostCommits.length ? `, and the COMMITs of ${report.lostCommits.join(', ')} (synchronous_commit = off: reported committed, never flushed)` : ''}. On disk: data files as last written, WAL up to ${formatLsn(this.wal.flushedLsn)}, pg_control (redo ${formatLsn(this.control.redo)})` });
    }
    const server = this.serverOutcome();
    const own = s ? lost.find((o) => o.session === s.name) : undefined;
    // the server outcome carries the trace; the session whose call crashed gets the connection error first
    if (own) { own.trace = server.trace; return { outcome: own, woken: lost.filter((o) => o !== own) }; }
    return { outcome: server, woken: lost };
  }

  /**
   * Start the server after a crash: crash recovery (recovery/recovery.ts), then sessions reconnect as new
   * backends. `crashAfterRecords` makes the power fail again during REDO after that many records.
   */
  restart(opts: { crashAfterRecords?: number; onRedoDone?: () => void } = {}): { outcomes: SessionOutcome[]; report: RecoveryReport } {
    if (this.serverState !== 'down') throw new PgError('55000', 'the server is running: there is nothing to recover (crash it first)');
    const report = startup(this, { ...(opts.crashAfterRecords !== undefined ? { crashAfter: opts.crashAfterRecords } : {}), ...(opts.onRedoDone ? { onRedoDone: opts.onRedoDone } : {}) });
    this.lastRecovery = report;
    this.serverLog.push(...report.log);
    if (report.outcome === 'CrashedDuringRecovery') {
      crashState(this); // REDO's work was only in buffers
      const w = this as unknown as Record<string, unknown>;
      w.xacts = new Transactions();
      if (this.tracer.wants('crash')) this.tracer.emit({ kind: 'crash', session: '', text: `CRASH during recovery after ${report.replayed} record(s): nothing REDO did had been written; pg_control still says "in crash recovery" with redo ${formatLsn(this.control.redo)} — the next start replays the same records again` });
      return { outcomes: [this.serverOutcome()], report };
    }
    this.serverState = 'running';
    for (let i = 0; i < this.sessions.length; i++) {
      const old = this.sessions[i]!;
      const n = new Session(old.id, old.name, this.nextPid++, old.backendId);
      this.sessions[i] = n;
    }
    if (this.tracer.wants('redo')) this.tracer.emit({ kind: 'redo', session: '', text: `recovery done: ${report.replayed} record(s) replayed (${report.applied} applied, ${report.skipped} skipped as already on the page, ${report.restored} full-page image(s) restored); end-of-recovery checkpoint written; sessions reconnect as new backends (pids ${this.sessions.map((x) => x.pid).join(', ')})` });
    return { outcomes: [this.serverOutcome()], report };
  }

  /** One background writer round (checkpoint/checkpointer.ts). */
  bgwriter(): SessionOutcome[] { return this.serverWork(() => bgwriterRound(this)); }

  /** CHECKPOINT without a session (the durability view's button). */
  checkpointNow(): SessionOutcome[] { return this.serverWork(() => this.checkpoint('immediate')); }

  /** Work the server does on its own (no session): refused while down; an armed crash point may stop it. */
  private serverWork(work: () => void): SessionOutcome[] {
    if (this.serverState === 'down') throw new PgError('55000', 'the server is down');
    try {
      work();
    } catch (e) {
      if (!(e instanceof CrashSignal)) throw e;
      const r = this.crashDuring(e.point, null);
      return [r.outcome, ...r.woken];
    }
    return [this.serverOutcome()];
  }

  /** full_page_writes (a server setting: postgresql.conf + reload). */
  setFullPageWrites(on: boolean): SessionOutcome[] {
    this.wal.fullPageWrites = on;
    if (this.tracer.wants('checkpoint')) this.tracer.emit({ kind: 'checkpoint', session: '', text: `full_page_writes = ${on ? 'on' : 'off'}${on ? ': the first change of each page after a checkpoint logs the whole page' : ': no full-page images — a page torn by a crash cannot be repaired'}` });
    return [this.serverOutcome()];
  }

  /** Jump to the next pending timer (what a client blocked on a waiting session experiences). */
  advanceToNextTimer(): { fired: boolean; finished: SessionOutcome[] } {
    const t = this.clock.next();
    if (!t) return { fired: false, finished: [] };
    return { fired: true, finished: this.advance(t.at - this.clock.now) };
  }

  private step(s: Session): SessionOutcome {
    const gen = s.running!;
    setCurrentLiterals(s.literals);
    setPositionText(s.currentQuery);
    for (;;) {
      const r = gen.next();
      if (r.done) break;
      if (r.value.kind === 'progress') {
        if (!s.chunked) continue;
        s.progress = { done: r.value.done, total: r.value.total, chunks: (s.progress?.chunks ?? 0) + 1 };
        return { ...this.outcome(s, 'running'), progress: s.progress };
      }
      s.progress = null;
      return this.outcome(s, 'waiting');
    }
    s.running = null;
    s.progress = null;
    return this.outcome(s, s.acc.error ? 'error' : 'done');
  }

  private outcome(s: Session, status: ExecStatus, acc = s.acc): SessionOutcome {
    const partial = status === 'waiting' || status === 'running';
    const o: SessionOutcome = {
      session: s.name, status, results: partial ? [] : acc.results, error: acc.error,
      notices: acc.notices, trace: partial && status === 'running' ? { events: [], folded: {} } : this.tracer.take(), at: this.clock.now,
    };
    if (partial) s.acc.notices = [];
    return o;
  }

  private drainRunnable(): SessionOutcome[] {
    const out = this.finished;
    this.finished = [];
    while (this.runnable.length) {
      const id = this.runnable.shift()!;
      const s = this.sessions[id]!;
      if (!s.running) continue;
      s.chunked = false; // a statement woken by someone else runs to its end (or next wait) in this call
      const o = this.step(s);
      if (o.status !== 'waiting') out.push(o);
    }
    return out;
  }

  /** Called by the lock manager path when waits were granted. */
  private wake(owners: number[]) {
    for (const o of owners) {
      const s = this.sessions[o];
      if (s?.waiting) {
        this.clock.disarm(o, 'deadlock');
        if (!this.runnable.includes(o)) this.runnable.push(o);
      }
    }
  }

  private fireTimer(sessionId: number) {
    const s = this.sessions[sessionId]!;
    if (!s.waiting || !s.running) return;
    const cycle = findCycle(this.locks, s.id);
    if (!cycle) {
      if (this.tracer.wants('deadlock')) this.tracer.emit({ kind: 'deadlock', session: s.name, text: `${s.name}: deadlock_timeout (${formatMs(s.gucs.deadlock_timeout)}) elapsed — checked the wait-for graph, no cycle; it keeps waiting and will not check again` });
      return;
    }
    const lines: string[] = [];
    for (let i = 0; i < cycle.length; i++) {
      const a = this.sessions[cycle[i]!]!, b = this.sessions[cycle[(i + 1) % cycle.length]!]!;
      const w = this.locks.waitOf(a.id)!;
      lines.push(`Process ${a.pid} waits for ${LOCK_MODES[w.mode]} on ${describeTag(w.tag, DATABASE_OID)}; blocked by process ${b.pid}.`);
    }
    const err = new PgError('40P01', 'deadlock detected', {
      detail: lines.join('\n'), hint: 'See server log for query details.',
      ...(s.waiting.context ? { context: s.waiting.context } : {}),
    });
    if (this.tracer.wants('deadlock')) this.tracer.emit({ kind: 'deadlock', session: s.name, text: `${s.name}: deadlock_timeout elapsed — found the cycle ${cycle.map((c) => this.sessions[c]!.name).join(' → ')} → ${s.name}; ${s.name} aborts itself` });
    s.lastAbortReason = 'deadlock';
    this.locks.cancelWait(s.id);
    s.waiting = null;
    const gen = s.running;
    let r: IteratorResult<StepYield, void>;
    try {
      setCurrentLiterals(s.literals);
      setPositionText(s.currentQuery);
      r = gen.throw(err);
    } catch (e) {
      if (e instanceof CrashSignal) throw e;
      // the generator did not handle it (should not happen): report as error
      s.acc.error = this.toPgError(e).toMessage();
      r = { done: true, value: undefined };
    }
    if (r.done) {
      s.running = null;
      this.finished.push(this.outcome(s, s.acc.error ? 'error' : 'done'));
    }
  }

  // ---------------------------------------------------------------- locks, as the executor uses them

  /** Acquire a heavyweight lock, parking the statement while it waits. */
  *acquireLock(s: Session, tag: LockTag, mode: LockMode, context: string | null = null, reason = ''): Generator<StepYield, void, void> {
    const r = this.locks.acquire(s.id, tag, mode, this.clock.now);
    const sub = s.tx?.subs[s.tx.subs.length - 1];
    if (sub) sub.locks.push({ tag, mode });
    if (r === 'granted') return;
    const what = `${LOCK_MODES[mode]} on ${describeTag(tag, DATABASE_OID)}`;
    const holders = this.locks.blockers(s.id).map((o) => this.sessions[o]!.name);
    s.waiting = { tag, mode, since: this.clock.now, context, reason: reason || `waiting for ${what}${holders.length ? ` held by ${holders.join(', ')}` : ''}` };
    this.clock.arm(s.gucs.deadlock_timeout, 'deadlock', s.id);
    if (this.tracer.wants('wait')) this.tracer.emit({ kind: 'wait', session: s.name, text: `${s.name} waits for ${what}${holders.length ? ` (held by ${holders.join(', ')})` : ''}; deadlock check armed for t=${this.clock.now + s.gucs.deadlock_timeout} ms` });
    yield { kind: 'wait' };
    s.waiting = null;
    if (this.tracer.wants('granted')) this.tracer.emit({ kind: 'granted', session: s.name, text: `${s.name} acquired ${what}` });
  }

  releaseLock(s: Session, tag: LockTag, mode: LockMode) {
    this.wake(this.locks.release(s.id, tag, mode));
  }

  /** XactLockTableWait: wait until a transaction ends (ShareLock on its xid, released at once). */
  *waitForXact(s: Session, xid: number, context: string): Generator<StepYield, void, void> {
    for (;;) {
      const holder = this.xacts.running.get(xid);
      const hs = holder !== undefined ? this.sessions[holder]!.name : '?';
      yield* this.acquireLock(s, { type: 'transactionid', xid }, LockMode.Share, context,
        `waiting for ShareLock on transaction ${xid} (${hs}'s transaction) — ${context}`);
      this.releaseLock(s, { type: 'transactionid', xid }, LockMode.Share);
      // a released savepoint's xid lock is gone while the xid is still in progress: wait for its top level
      const still = this.xacts.running.get(xid);
      if (still === undefined) return;
      const top = this.sessions[still]?.tx?.xid;
      if (!top || top === xid) return;
      xid = top;
    }
  }

  // ---------------------------------------------------------------- transactions

  ensureTx(s: Session): Transaction {
    if (!s.tx) this.startTx(s, s.gucs.default_transaction_isolation, s.gucs.default_transaction_read_only);
    return s.tx!;
  }

  private startTx(s: Session, iso: IsolationLevel, readOnly: boolean) {
    s.lxid++;
    const vxid = `${s.backendId}/${s.lxid}`;
    s.tx = new Transaction(vxid, iso, readOnly);
    this.locks.acquire(s.id, { type: 'virtualxid', vxid }, LockMode.Exclusive, this.clock.now);
  }

  /**
   * GetCurrentTransactionId: assign an xid at the first write — to the top-level transaction first, then to
   * each open savepoint's subtransaction (a child always gets a later xid than its parent). Returns the xid
   * new versions are stamped with (the innermost subtransaction's).
   */
  ensureXid(s: Session): number {
    const t0 = s.tx;
    if (t0 && t0.xid && t0.subs.length === 0) return t0.writeXid; // the common case, once per row in bulk statements
    const tx = this.ensureTx(s);
    this.ensureTopXid(s, tx);
    for (const sub of tx.subs) {
      if (sub.xid || sub.aborted) continue;
      sub.xid = this.xacts.assign(s.id, true);
      this.locks.acquire(s.id, { type: 'transactionid', xid: sub.xid }, LockMode.Exclusive, this.clock.now);
      sub.locks.push({ tag: { type: 'transactionid', xid: sub.xid }, mode: LockMode.Exclusive });
      if (tx.sxact) this.predicates.mapSubXid(tx.sxact, sub.xid);
      if (this.tracer.wants('xid')) this.tracer.emit({ kind: 'xid', session: s.name, xid: sub.xid, text: `${s.name}'s savepoint ${sub.name} gets subtransaction id ${sub.xid} at its first write` });
    }
    const inner = tx.subs[tx.subs.length - 1];
    tx.writeXid = inner && inner.xid ? inner.xid : tx.xid;
    return tx.writeXid;
  }

  /** GetTopTransactionId: the top-level xid only (what txid_current() reports). */
  ensureTopXid(s: Session, tx: Transaction = this.ensureTx(s)): number {
    if (!tx.xid) {
      tx.xid = this.xacts.assign(s.id);
      this.locks.acquire(s.id, { type: 'transactionid', xid: tx.xid }, LockMode.Exclusive, this.clock.now);
      if (tx.sxact) this.predicates.setXid(tx.sxact, tx.xid);
      tx.writeXid = tx.xid;
      if (this.tracer.wants('xid')) this.tracer.emit({ kind: 'xid', session: s.name, xid: tx.xid, text: `${s.name} gets transaction id ${tx.xid} at its first write (and holds ExclusiveLock on it until it ends)` });
    }
    return tx.xid;
  }

  snapshotFor(s: Session): Snapshot {
    const tx = this.ensureTx(s);
    tx.queryRun = true;
    if (usesXactSnapshot(tx.isolation)) {
      if (!tx.xactSnapshot) {
        tx.xactSnapshot = this.xacts.snapshot(tx.xid, this.clock.now);
        if (tx.isolation === 'serializable') {
          tx.sxact = this.predicates.register(s.id, tx.xactSnapshot, tx.readOnly);
          if (tx.sxact && tx.xid) this.predicates.setXid(tx.sxact, tx.xid);
        }
        if (this.tracer.wants('snapshot')) this.tracer.emit({ kind: 'snapshot', session: s.name, text: `${s.name} takes its transaction snapshot ${formatSnapshot(tx.xactSnapshot)} (${tx.isolation}: kept until the transaction ends)` });
      }
      return tx.xactSnapshot;
    }
    const snap = this.xacts.snapshot(tx.xid, this.clock.now);
    tx.stmtSnapshot = snap;
    if (this.tracer.wants('snapshot')) this.tracer.emit({ kind: 'snapshot', session: s.name, text: `${s.name} takes a statement snapshot ${formatSnapshot(snap)} (${tx.isolation}: a new one for every statement)` });
    return snap;
  }

  /** MultiXactIdIsRunning */
  multiRunning(multi: number): boolean {
    return this.multis.members(multi).some((m) => this.xacts.isInProgress(m.xid));
  }

  /** The visibility context of a session's current command (one object per session, refreshed in place). */
  visibilityContext(s: Session): VisibilityContext {
    const tx = s.tx!;
    let c = s.vctx;
    if (!c) {
      const tracer = this.tracer;
      c = s.vctx = {
        myXid: 0, subXids: null, curcid: 0, combos: [], clog: this.xacts.clog,
        isInProgress: (x) => this.xacts.isInProgress(x),
        multiRunning: (m) => this.multiRunning(m),
        multiUpdater: (m) => this.multis.updateXid(m),
        flushedLsn: () => this.wal.flushedLsn,
        onHint: (item, bit) => {
          if (tracer.wants('hint')) tracer.emit({ kind: 'hint', session: s.name, xid: bit & 0x0300 ? item.xmin : item.xmax, text: `hint bit ${HINT_NAMES[bit] ?? bit} set on a tuple of ${item.xmin} (by a reader, no WAL)` });
        },
      };
    }
    c.myXid = tx.xid;
    c.subXids = tx.subXidSet;
    c.curcid = tx.curcid;
    c.combos = tx.combos;
    return c;
  }

  private commitTx(s: Session) {
    const tx = s.tx!;
    if (tx.sxact) this.predicates.preCommit(tx.sxact); // may fail with 40001: then the transaction aborts instead
    if (tx.xid) {
      const subXids = tx.liveSubXids();
      const lsn = this.wal.insert(WalKind.XactCommit, tx.xid, 34 + 4 * subXids.length, 0, -1, 0, 0, { subXids } satisfies XactPayload);
      const sync = s.gucs.synchronous_commit !== 'off';
      this.crashPointReached('commit-before-flush');
      // RecordTransactionCommit: with synchronous_commit on, durable before the client hears COMMIT; off: the wal writer will flush it
      if (sync) this.wal.flush(lsn); else { this.wal.setAsyncXactLsn(lsn, this.clock.now); for (const x of [tx.xid, ...subXids]) this.xacts.clog.setAsyncCommitLsn(x, lsn); }
      this.crashPointReached('commit-after-flush');
      for (const x of subXids) this.xacts.complete(x, true);
      this.xacts.complete(tx.xid, true);
      if (this.tracer.wants('commit')) this.tracer.emit({ kind: 'commit', session: s.name, xid: tx.xid, lsn: formatLsn(lsn), text: sync ? `${s.name} commits ${tx.xid}: COMMIT record flushed to disk up to ${formatLsn(lsn)}, CLOG says committed; no tuple is touched` : `${s.name} commits ${tx.xid} asynchronously (synchronous_commit = off): COMMIT record at ${formatLsn(lsn)} is only in WAL buffers until the wal writer flushes it (t=${this.clock.now + WAL_WRITER_DELAY} ms); CLOG says committed` });
    } else if (this.tracer.wants('commit')) {
      this.tracer.emit({ kind: 'commit', session: s.name, text: `${s.name} ends a transaction that never wrote: no xid, no WAL` });
    }
    if (tx.sxact) this.predicates.commit(tx.sxact, this.xacts.nextXid);
    s.gucs.atCommit();
    this.endTx(s);
  }

  private abortTx(s: Session) {
    const tx = s.tx;
    if (!tx) return;
    for (let i = tx.undo.length - 1; i >= 0; i--) tx.undo[i]!();
    if (tx.sxact) this.predicates.abort(tx.sxact);
    if (tx.xid) {
      const subXids = tx.liveSubXids();
      const lsn = this.wal.insert(WalKind.XactAbort, tx.xid, 34 + 4 * subXids.length, 0, -1, 0, 0, { subXids } satisfies XactPayload);
      for (const x of subXids) this.xacts.complete(x, false);
      this.xacts.complete(tx.xid, false);
      if (this.tracer.wants('abort')) this.tracer.emit({ kind: 'abort', session: s.name, xid: tx.xid, lsn: formatLsn(lsn), text: `${s.name} aborts ${tx.xid}: ABORT record at ${formatLsn(lsn)}, CLOG says aborted; its tuples stay on the pages, invisible` });
    }
    s.gucs.atAbort();
    this.endTx(s);
  }

  /** AbortSubTransaction for levels [from, top): mark their xids aborted, release the locks they took. */
  private abortSubs(s: Session, from: number, remove: boolean) {
    const tx = s.tx!;
    if (tx.subs[from]) s.gucs.undoTo(tx.subs[from]!.gucLevel);
    for (let i = tx.subs.length - 1; i >= from; i--) {
      const sub = tx.subs[i]!;
      if (!sub.aborted) {
        if (sub.xid) {
          const subXids = sub.children;
          const lsn = this.wal.insert(WalKind.XactAbort, sub.xid, 34 + 4 * subXids.length, 0, -1, 0, 0, { subXids } satisfies XactPayload);
          for (const x of subXids) this.xacts.complete(x, false);
          this.xacts.complete(sub.xid, false);
          if (this.tracer.wants('abort')) this.tracer.emit({ kind: 'abort', session: s.name, xid: sub.xid, lsn: formatLsn(lsn), text: `${s.name} rolls back savepoint ${sub.name}: subtransaction ${sub.xid} aborted (its tuples stay, invisible)` });
        }
        for (let j = sub.locks.length - 1; j >= 0; j--) this.wake(this.locks.release(s.id, sub.locks[j]!.tag, sub.locks[j]!.mode as LockMode));
        sub.locks = [];
        sub.aborted = true;
      }
      if (remove) tx.subs.pop();
    }
    const inner = tx.subs[tx.subs.length - 1];
    tx.writeXid = inner && inner.xid && !inner.aborted ? inner.xid : tx.xid;
  }

  private savepointIndex(s: Session, name: string): number {
    const subs = s.tx?.subs ?? [];
    for (let i = subs.length - 1; i >= 0; i--) if (subs[i]!.name === name) return i;
    throw new PgError('3B001', `savepoint "${name}" does not exist`);
  }

  private endTx(s: Session) {
    s.tx = null;
    this.wake(this.locks.releaseAll(s.id));
  }

  /** After an ERROR: abort the transaction; inside BEGIN the block becomes "failed" (TBLOCK_ABORT). */
  private abortAfterError(s: Session) {
    const inner = s.tx?.subs[s.tx.subs.length - 1];
    if (inner && (s.block === 'inprogress' || s.block === 'failed')) {
      // an error inside a savepoint aborts just that subtransaction; ROLLBACK TO SAVEPOINT recovers
      if (!inner.aborted) this.abortSubs(s, s.tx!.subs.length - 1, false);
      s.block = 'failed';
      return;
    }
    if (s.block === 'inprogress' || s.block === 'failed') {
      if (s.tx) this.abortTx(s);
      s.block = 'failed';
    } else {
      this.abortTx(s);
      s.block = 'none';
    }
  }

  toPgError(e: unknown): PgError {
    if (e instanceof PgError) return e;
    const err = new PgError('XX000', `internal error in Heapscope: ${(e as Error)?.message ?? String(e)}`);
    return err;
  }

  // ---------------------------------------------------------------- query strings

  private *runQueryString(s: Session, stmts: RawStmt[]): Generator<StepYield, void, void> {
    const multi = stmts.length > 1;
    for (let i = 0; i < stmts.length; i++) {
      const raw = stmts[i]!;
      try {
        yield* this.runStatement(s, raw, multi, i === stmts.length - 1);
      } catch (e) {
        if (e instanceof CrashSignal) throw e; // the power failed mid-statement: nothing more happens in this backend
        const err = this.toPgError(e);
        if (this.tracer.wants('error')) this.tracer.emit({ kind: 'error', session: s.name, text: `${s.name}: ERROR ${err.sqlstate}: ${err.message}` });
        if (s.waiting) { this.locks.cancelWait(s.id); s.waiting = null; }
        this.abortAfterError(s);
        s.acc.error = err.toMessage();
        return;
      }
    }
    if (s.block === 'implicit') {
      if (s.tx) this.commitTx(s);
      s.block = 'none';
    }
  }

  private *runStatement(s: Session, raw: RawStmt, multi: boolean, last: boolean): Generator<StepYield, void, void> {
    const type = Object.keys(raw.stmt)[0]!;
    const node = raw.stmt[type];
    s.literals = raw.literals ?? null;
    setCurrentLiterals(s.literals);
    if (this.tracer.wants('statement')) this.tracer.emit({ kind: 'statement', session: s.name, text: `${s.name} runs: ${raw.text.length > 120 ? raw.text.slice(0, 117) + '...' : raw.text}` });
    if (type === 'TransactionStmt') { this.transactionStmt(s, node, multi); return; }
    if (s.block === 'failed') {
      throw new PgError('25P02', 'current transaction is aborted, commands ignored until end of transaction block');
    }
    if (multi && s.block === 'none') s.block = 'implicit';
    if (type === 'VariableSetStmt') { s.acc.results.push(setStatement(this, s, node)); this.finishStatement(s, last); return; }
    if (type === 'VariableShowStmt') { s.acc.results.push(showStatement(this, s, node)); this.finishStatement(s, last); return; }
    this.ensureTx(s);
    const result = yield* this.executor.run(s, type, node, raw);
    s.acc.results.push(result);
    this.finishStatement(s, last);
  }

  /** finish_xact_command: commit an autocommit statement, or bump the command counter inside a block. */
  private finishStatement(s: Session, _last: boolean) {
    if (s.tx) s.tx.stmtSnapshot = null;
    if (s.block === 'none') {
      if (s.tx) this.commitTx(s);
    } else if (s.tx) {
      s.tx.commandCounterIncrement();
    }
  }

  private transactionStmt(s: Session, n: Record<string, any>, multi: boolean) {
    const kind = n.kind as string;
    const tag = (t: string) => s.acc.results.push({ command: t, columns: null, rows: [] });
    const warn = (sqlstate: string, message: string) => s.acc.notices.push({ severity: 'WARNING', sqlstate, message });
    switch (kind) {
      case 'TRANS_STMT_BEGIN': case 'TRANS_STMT_START': {
        if (s.block === 'failed') throw new PgError('25P02', 'current transaction is aborted, commands ignored until end of transaction block');
        const opts = this.transactionOptions(n.options ?? []);
        if (s.block === 'inprogress') {
          warn('25001', 'there is already a transaction in progress');
        } else {
          if (!s.tx) this.startTx(s, opts.isolation ?? s.gucs.default_transaction_isolation, opts.readOnly ?? s.gucs.default_transaction_read_only);
          else {
            if (opts.isolation) this.setIsolation(s, opts.isolation);
            if (opts.readOnly !== undefined) s.tx.readOnly = opts.readOnly;
          }
          s.block = 'inprogress';
          if (this.tracer.wants('statement')) this.tracer.emit({ kind: 'statement', session: s.name, text: `${s.name} begins a transaction block (${s.tx!.isolation}); virtual xid ${s.tx!.vxid}, no xid and no snapshot yet` });
        }
        tag(kind === 'TRANS_STMT_BEGIN' ? 'BEGIN' : 'START TRANSACTION');
        return;
      }
      case 'TRANS_STMT_COMMIT': {
        if (n.chain) throw notSupported('COMMIT AND CHAIN');
        if (s.block === 'none') { warn('25P01', 'there is no transaction in progress'); tag('COMMIT'); return; }
        if (s.block === 'failed') { this.abortTx(s); s.block = 'none'; tag('ROLLBACK'); return; }
        s.block = 'none'; // an error while committing ends the block too (TBLOCK_END → TBLOCK_DEFAULT)
        if (s.tx) this.commitTx(s);
        tag('COMMIT');
        return;
      }
      case 'TRANS_STMT_ROLLBACK': {
        if (n.chain) throw notSupported('ROLLBACK AND CHAIN');
        if (s.block === 'none') { warn('25P01', 'there is no transaction in progress'); tag('ROLLBACK'); return; }
        this.abortTx(s);
        s.block = 'none';
        tag('ROLLBACK');
        return;
      }
      case 'TRANS_STMT_SAVEPOINT': case 'TRANS_STMT_RELEASE': case 'TRANS_STMT_ROLLBACK_TO': {
        const what = kind === 'TRANS_STMT_SAVEPOINT' ? 'SAVEPOINT' : kind === 'TRANS_STMT_RELEASE' ? 'RELEASE SAVEPOINT' : 'ROLLBACK TO SAVEPOINT';
        if (s.block === 'failed' && kind !== 'TRANS_STMT_ROLLBACK_TO') throw new PgError('25P02', 'current transaction is aborted, commands ignored until end of transaction block');
        if (s.block !== 'inprogress' && s.block !== 'failed') throw new PgError('25P01', `${what} can only be used in transaction blocks`);
        const name = n.savepoint_name as string;
        const tx = s.tx!;
        if (kind === 'TRANS_STMT_SAVEPOINT') {
          tx.subs.push({ name, xid: 0, aborted: false, locks: [], gucLevel: s.gucs.level, children: [] });
          tx.writeXid = tx.xid;
          tag('SAVEPOINT');
          return;
        }
        const i = this.savepointIndex(s, name);
        if (kind === 'TRANS_STMT_RELEASE') {
          // CommitSubTransaction for i..top: each xid becomes a child of the enclosing savepoint (or of the
          // transaction), committing or aborting with it; the locks move up, except the subtransaction's own xid
          // lock, which is released — a waiter then finds the xid still in progress and waits for the top level
          const parent = tx.subs[i - 1];
          const into = parent ? parent.children : tx.releasedSubXids;
          const released = tx.subs.slice(i);
          tx.subs.length = i;
          for (const sub of released) {
            if (sub.xid) into.push(sub.xid);
            into.push(...sub.children);
            for (const l of sub.locks) {
              if (l.tag.type === 'transactionid' && l.tag.xid === sub.xid) this.releaseLock(s, l.tag, l.mode as LockMode);
              else if (parent) parent.locks.push(l);
            }
          }
          const inner = tx.subs[tx.subs.length - 1];
          tx.writeXid = inner && inner.xid ? inner.xid : tx.xid;
          tag('RELEASE');
          return;
        }
        this.abortSubs(s, i, true);
        tx.subs.push({ name, xid: 0, aborted: false, locks: [], gucLevel: s.gucs.level, children: [] });
        tx.writeXid = tx.xid;
        s.block = 'inprogress';
        tag('ROLLBACK');
        return;
      }
      default:
        if (s.block === 'failed') throw new PgError('25P02', 'current transaction is aborted, commands ignored until end of transaction block');
        throw notSupported(`transaction statement ${kind.replace('TRANS_STMT_', '')}`);
    }
  }

  transactionOptions(options: Record<string, any>[]): { isolation?: IsolationLevel; readOnly?: boolean } {
    const out: { isolation?: IsolationLevel; readOnly?: boolean } = {};
    for (const o of options) {
      const d = o.DefElem;
      const v = d.arg?.A_Const;
      if (d.defname === 'transaction_isolation') out.isolation = ISOLATION_NAMES[v.sval.sval]!;
      else if (d.defname === 'transaction_read_only') out.readOnly = !!(intConst(v) ?? v.boolval?.boolval);
      else if (d.defname === 'transaction_deferrable') { /* only meaningful for SERIALIZABLE READ ONLY; accepted */ }
    }
    return out;
  }

  setIsolation(s: Session, iso: IsolationLevel) {
    const tx = s.tx!;
    if (tx.queryRun && tx.isolation !== iso) throw new PgError('25001', 'SET TRANSACTION ISOLATION LEVEL must be called before any query');
    tx.isolation = iso;
  }

  // ---------------------------------------------------------------- sequences

  private sequence(name: string) {
    const seq = this.catalog.sequences.get(name);
    if (!seq) throw new PgError('42P01', `relation "${name}" does not exist`);
    return seq;
  }

  /** nextval(): not transactional; logs (and assigns an xid) every SEQ_LOG_VALS values or after a checkpoint. */
  nextval(s: Session, name: string): number {
    const seq = this.sequence(name);
    const tx = this.ensureTx(s);
    if (tx.readOnly) throw new PgError('25006', 'cannot execute nextval() in a read-only transaction');
    const { value, logit } = seq.next(this.wal.redoLsn);
    if (logit) {
      const xid = this.ensureTopXid(s, tx);
      seq.pageLsn = this.wal.insert(WalKind.SequenceLog, xid, 99, seq.oid, 0, 0, 0, { lastValue: seq.lastValue + seq.logCnt, isCalled: true } satisfies SequencePayload);
    }
    s.currvals.set(name, value);
    if (this.tracer.wants('wal')) this.tracer.emit({ kind: 'wal', session: s.name, text: `nextval('${name}') = ${value}${logit ? ' (logged 32 values ahead: WAL record, and the transaction gets an xid)' : ' (no WAL: within the values already logged)'}; a rollback will not give it back` });
    return value;
  }
  currval(s: Session, name: string): number {
    this.sequence(name);
    const v = s.currvals.get(name);
    if (v === undefined) throw new PgError('55000', `currval of sequence "${name}" is not yet defined in this session`);
    return v;
  }
  setval(s: Session, name: string, big: number | bigint, isCalled: boolean): number {
    const seq = this.sequence(name);
    if (big < 1 || big > seq.max) throw new PgError('22003', `setval: value ${big} is out of bounds for sequence "${name}" (1..${seq.max})`);
    if (typeof big === 'bigint') throw notSupported('sequence values beyond 2^53');
    const value = big;
    const xid = this.ensureTopXid(s);
    seq.lastValue = value; seq.isCalled = isCalled; seq.logCnt = 0;
    seq.pageLsn = this.wal.insert(WalKind.SequenceLog, xid, 99, seq.oid, 0, 0, 0, { lastValue: value, isCalled } satisfies SequencePayload);
    if (isCalled) s.currvals.set(name, value);
    return value;
  }

  /** current_setting(name) */
  currentSetting(s: Session, name: string, missingOk = false): string | null {
    return currentSetting(this, s, name, missingOk);
  }

  xactStatus(xid: number): string | null {
    if (xid >= this.xacts.nextXid) throw new PgError('22023', `transaction ID ${xid} is in the future`);
    if (xid < 3) return 'committed';
    const st = this.xacts.clog.get(xid);
    if (st === XidStatus.InProgress && !this.xacts.isInProgress(xid)) return 'aborted';
    return XID_STATUS_NAMES[st];
  }
}

const CRASH_POINT_WORDS: Record<CrashPoint, string> = {
  now: 'now',
  'commit-before-flush': 'at the next COMMIT, after its record is in WAL buffers and before the flush',
  'commit-after-flush': 'at the next COMMIT, after its record is flushed and before the client hears COMMIT',
  'checkpoint-halfway': 'halfway through the next checkpoint (some dirty pages written, pg_control not updated)',
  'page-write-after-wal-flush': 'at the next page write, after the WAL rule flushed the log and before the page is written',
  'torn-write': 'during the next page write, which tears (half of the page reaches the disk)',
};

const HINT_NAMES: Record<number, string> = { 0x0100: 'XMIN_COMMITTED', 0x0200: 'XMIN_INVALID', 0x0400: 'XMAX_COMMITTED', 0x0800: 'XMAX_INVALID' };

export { posOf };
