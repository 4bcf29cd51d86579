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
 * This file holds the state the parts share and the API; the work lives where PostgreSQL keeps it: the query loop
 * in tcop/postgres.ts (exec_simple_query), the transaction-block state machine in xact/xactblock.ts (xact.c's
 * TBLOCK_* states, StartTransaction / CommitTransaction / AbortTransaction), crash and restart in
 * postmaster/postmaster.ts, durability in checkpoint/, buffer/ and recovery/. Deliberate differences: no background processes (the wal
 * writer, checkpointer, background writer, statistics flushes and autovacuum act on the virtual clock or when asked), catalog changes are not
 * MVCC-versioned, one database.
 */
import { clonePortal } from './tcop/portalmem.js';
import { DependencyRecorder } from './trace/deps.js';
import { PgError, type PgMessage, posOf } from './errors.js';
import { currentSetting } from './commands/variable.js';
import { Catalog } from './catalog/catalog.js';
import { Transactions, Transaction, usesXactSnapshot } from './xact/xact.js';
import { MultiXacts, type MultiMember, memberStatusName } from './multixact/multixact.js';
import type { MultiXactCreatePayload, MultiXactZeroPagePayload } from './wal/records.js';
import { LockManager, type LockTag, LockMode } from './lock/lock.js';
import { Wal, WalKind } from './wal/wal.js';
import { VirtualClock } from './clock/clock.js';
import { Tracer, type TraceBatch } from './trace/trace.js';
import { Session, type QueryResult, type StepYield } from './session/session.js';
import { type Snapshot, formatSnapshot } from './snapshot/snapshot.js';
import { XID_STATUS_NAMES, XidStatus } from './clog/clog.js';
import type { VisibilityContext } from './visibility/visibility.js';
import { Executor } from './executor/executor.js';
import { PredicateLockManager } from './predicate/predicate.js';
import { Clog } from './clog/clog.js';
import { HEAP_XMIN_COMMITTED, HEAP_XMIN_INVALID, HEAP_XMAX_COMMITTED, HEAP_XMAX_INVALID } from './heap/tuple.js';
import {
  type ControlFile, type CrashPoint, type CheckpointKind, type CheckpointResult,
  createCheckpoint, bgwriterRound,
} from './checkpoint/checkpointer.js';
import { type CrashReport, type RecoveryReport } from './recovery/recovery.js';
import { execute, resume, cancel, probeQuery } from './tcop/postgres.js';
import { advance, advanceToNextTimer, crash, restart, crashPointReached, setFullPageWrites, serverWork } from './postmaster/postmaster.js';
import { acquireLock, releaseLock, waitForXact } from './lock/proc.js';
import { abortTx, ensureTx, ensureXid, ensureTopXid } from './xact/xactblock.js';
import { nextval, currval, lastval, setval } from './commands/sequence.js';
import { SharedStats } from './pgstat/pgstat_relation.js';
import { BloatSeries } from './inspect/bloat.js';
import { AutoVacuum } from './postmaster/autovacuum.js';
import { ServerConf } from './guc/guc.js';
import { type XidLimits, xidLimits, FRESH_OLDEST_XID, FRESH_OLDEST_XID_DB, checkConsume } from './xact/varsup.js';
import { relfrozenxidOf } from './postmaster/autovacuum.js';
import { NotifyQueue, type AsyncNotification } from './commands/async.js';

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
  /** for each notice: the statement of the query string that raised it (0-based), and whether that statement had
   * sent its RowDescription already (a query returning rows sends it when its executor starts) — a client
   * reading the reply (libpq) hands over notices relative to result sets by this */
  noticeAt?: { stmt: number; afterRowDescription: boolean }[];
  trace: TraceBatch;
  /** virtual time when this outcome happened */
  at: number;
  /** NOTIFY messages the client received since its last outcome (before this ReadyForQuery), in arrival order */
  notifications?: AsyncNotification[];
  /** for status 'running': rows processed so far of the bulk statement */
  progress?: { done: number; total: number; chunks: number };
}

export interface ExecuteResponse {
  outcome: SessionOutcome;
  /** other sessions whose parked statements finished (completed or failed) as a consequence, in order */
  woken: SessionOutcome[];
}


export class Engine {
  readonly catalog = new Catalog();
  readonly xacts = new Transactions();
  readonly locks = new LockManager();
  readonly wal = new Wal();
  readonly clock = new VirtualClock();
  readonly tracer = new Tracer();
  readonly predicates = new PredicateLockManager();
  /** who read and wrote which versions: the dependency graph (trace/deps.ts) */
  readonly deps = new DependencyRecorder();
  /** MultiXacts: several transactions with an interest in one tuple's xmax (pg_multixact; multixact/multixact.ts) */
  multis = new MultiXacts();
  /** pg_multixact/members: next member offset, and the highest SLRU pages initialised so far */
  private nextMemberOffset = 1;
  /** MultiXactState->nextOffset as a checkpoint logs it: 0 until the first MultiXact (which skips offset 0) */
  get nextMultiOffset(): number { return this.multis.next === 1 ? 0 : this.nextMemberOffset; }
  private memberPagesZeroed = -1;
  private offsetPagesZeroed = 0;

  /** MultiXactIdCreateFromMembers: a new MultiXact of these members, logged as PostgreSQL logs it. */
  createMulti(xid: number, members: MultiMember[]): number {
    const id = this.multis.next;
    const MEMBERS_PER_PAGE = 1636, OFFSETS_PER_PAGE = 2048;
    if (Math.floor(id / OFFSETS_PER_PAGE) > this.offsetPagesZeroed) {
      this.offsetPagesZeroed = Math.floor(id / OFFSETS_PER_PAGE);
      this.wal.insert(WalKind.MultiXactZeroOffPage, xid, 28, 0, -1, 0, 0, { pageno: this.offsetPagesZeroed } satisfies MultiXactZeroPagePayload);
    }
    const last = Math.floor((this.nextMemberOffset + members.length - 1) / MEMBERS_PER_PAGE);
    for (let p = Math.floor(this.nextMemberOffset / MEMBERS_PER_PAGE); p <= last; p++) {
      if (p > this.memberPagesZeroed) {
        this.memberPagesZeroed = p;
        this.wal.insert(WalKind.MultiXactZeroMemPage, xid, 28, 0, -1, 0, 0, { pageno: p } satisfies MultiXactZeroPagePayload);
      }
    }
    const create: MultiXactCreatePayload = {
      mid: id, offset: this.nextMemberOffset, members: members.map((m) => ({ xid: m.xid, status: memberStatusName(m) })),
    };
    this.nextMemberOffset += members.length;
    this.wal.insert(WalKind.MultiXactCreateId, xid, 38 + 8 * members.length, 0, -1, 0, 0, create);
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
  /** sessions whose lock wait was granted, to be stepped (tcop/dispatch.ts) */
  runnable: number[] = [];
  /** outcomes of resumed sessions not yet reported */
  finished: SessionOutcome[] = [];
  nextPid = 1001;
  /** the LISTEN / NOTIFY queue all sessions share (commands/async.ts) */
  notifyQueue = new NotifyQueue();
  /** the cumulative statistics (pgstat/): the shared table entries every session reads */
  pgstat = new SharedStats();
  /** bloat over time, one sample per step (inspect/bloat.ts; on in the app only) */
  bloat = new BloatSeries();
  /** the autovacuum launcher (postmaster/autovacuum.ts) */
  autovacuum = new AutoVacuum();
  /** postgresql.conf: the server's settings (autovacuum and its thresholds are read from here) */
  serverConf = new ServerConf();
  /** datfrozenxid of the databases the sessions cannot reach (template0, template1) and of postgres's catalogs */
  templateFrozenXid = FRESH_OLDEST_XID;
  catalogFrozenXid = FRESH_OLDEST_XID;

  constructor(opts: EngineOptions = {}) {
    this.tracer.enabled = opts.trace ?? true;
    if (opts.nextXid !== undefined) { this.xacts.nextXid = opts.nextXid; this.xacts.latestCompletedXid = opts.nextXid - 1; }
    this.executor = new Executor(this);
    this.wal.localRels = this.catalog.localRels; // temporary relations are not WAL-logged
    this.wal.unloggedRels = this.catalog.unloggedRels; // nor unlogged ones
    this.wirePredicates();
    this.wireOids();
    this.control = {
      state: 'in production', checkPoint: this.wal.insertLsn, redo: this.wal.insertLsn, nextXid: this.xacts.nextXid, time: 0,
      fullPageWrites: true,
    };
  }

  /** GetNewObjectId's XLOG NEXTOID (30 bytes: the OID logged ahead to), under the running session's xid if it has one */
  wireOids(): void {
    // GetActiveSnapshot for the running session: an RI query's, the transaction snapshot (REPEATABLE READ), the
    // statement's; a statement that has not taken one yet is about to (a fresh one)
    this.catalog.activeSnapshot = () => {
      const s = this.catalog.current === null ? undefined : this.sessions.find((x) => x.name === this.catalog.current);
      const tx = s?.tx;
      if (!tx) return null;
      return s.spiSnapshot?.snapshot ?? tx.xactSnapshot ?? tx.stmtSnapshot ?? this.xacts.snapshot(tx.xid, this.clock.now);
    };
    this.catalog.onOidPrefetch = (bound) => {
      const s = this.catalog.current === null ? undefined : this.sessions.find((x) => x.name === this.catalog.current);
      this.wal.insert(WalKind.XlogNextOid, s?.tx?.writeXid ?? 0, 30, 0, -1, 0, 0, { nextOid: bound });
    };
  }

  /** Let the SSI module name sessions and narrate conflicts in this engine's trace. */
  wirePredicates(): void {
    this.predicates.name = (sx) => this.sessions[sx.session]?.name ?? `session ${sx.session}`;
    this.predicates.onRw = (r, w) => this.deps.rwConflict(r.tag, w.tag);
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
    c.wal.localRels = c.catalog.localRels;
    c.wal.unloggedRels = c.catalog.unloggedRels;
    w.clock = this.clock.clone();
    w.predicates = this.predicates.clone();
    w.deps = this.deps.clone();
    c.tracer.seq = this.tracer.seq; // event numbers go on where they were
    c.wirePredicates();
    c.wireOids();
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
    c.pgstat = this.pgstat.clone();
    c.autovacuum = this.autovacuum.clone();
    c.bloat = this.bloat.clone();
    c.serverConf = this.serverConf.clone();
    c.templateFrozenXid = this.templateFrozenXid;
    c.catalogFrozenXid = this.catalogFrozenXid;
    c.notifyQueue = this.notifyQueue.clone();
    for (const s of this.sessions) {
      const n = new Session(s.id, s.name, s.pid, s.backendId);
      n.pgstat = s.pgstat.clone();
      n.backendStartAt = s.backendStartAt;
      n.idleSince = s.idleSince;
      n.stmtStartAt = s.stmtStartAt;
      n.xactStartAt = s.xactStartAt;
      n.lxid = s.lxid;
      if (s.globalVis) n.globalVis = { ...s.globalVis };
      n.currentQuery = s.currentQuery;
      n.lastAbortReason = s.lastAbortReason;
      n.terminated = s.terminated;
      n.connectionClosed = s.connectionClosed;
      n.gucs = s.gucs.clone();
      n.gucs.server = c.serverConf;
      n.currvals = new Map(s.currvals);
      n.tempNamespace = s.tempNamespace;
      n.prepared = new Map(s.prepared);
      n.portals = new Map([...s.portals].map(([k, p]) => [k, clonePortal(p)]));
      n.unnamedPortals = s.unnamedPortals;
      n.async = s.async.clone();
      if (s.prng) n.prng = { ...s.prng }; // random()'s generator goes on where it was (adt/prng.ts)
      c.sessions.push(n);
    }
    return c;
  }

  // ---------------------------------------------------------------- sessions

  createSession(name: string): Session {
    if (this.sessions.some((s) => s.name === name)) throw new PgError('42710', `session "${name}" already exists`);
    const id = this.sessions.length;
    // the BackendId (sinval slot; pg_temp_N's N): the lowest free slot, the autovacuum launcher holding the first —
    // PostgreSQL 15's isolationtester's control connection is 2 and its first session 3 (tests/scenarios/temp/ddl.out)
    const s = new Session(id, name, this.nextPid++, id + 2);
    s.gucs.server = this.serverConf;
    // the connection's start: authentication reads catalogs and the backend's first idle moment flushes those counts
    s.backendStartAt = s.idleSince = this.clock.now;
    s.pgstat.lastFlush = this.clock.now;
    this.sessions.push(s);
    return s;
  }
  session(name: string): Session {
    const s = this.sessions.find((x) => x.name === name);
    if (!s) throw new PgError('08003', `no session named "${name}"`);
    return s;
  }

  // ---------------------------------------------------------------- running statements (tcop/)

  /**
   * Run a query string in a session (exec_simple_query, tcop/postgres.ts). With `chunked`, a bulk statement stops
   * at each progress point with status 'running'; resume() goes on, cancel() stops it.
   */
  execute(sessionName: string, sql: string, opts: { chunked?: boolean } = {}): ExecuteResponse { return execute(this, sessionName, sql, opts); }
  /** Continue a chunked bulk statement. */
  resume(sessionName: string): ExecuteResponse { return resume(this, sessionName); }
  /** a query that touches nothing and ends at once (the isolation tester's lock-wait probe): tcop/postgres.ts probeQuery */
  probeQuery(sessionName: string, sql: string): void { probeQuery(this, sessionName, sql); }
  /** Cancel the statement a session is running or waiting in (pg_cancel_backend: 57014). */
  cancel(sessionName: string): ExecuteResponse { return cancel(this, sessionName); }

  // ---------------------------------------------------------------- the server: time, crashes, recovery (postmaster/)

  /** Advance the virtual clock, firing due deadlock checks and background work; returns the sessions that finished. */
  advance(ms: number, opts: { exclusive?: boolean } = {}): SessionOutcome[] { return advance(this, ms, !!opts.exclusive); }
  /** Jump to the next pending timer (what a client blocked on a waiting session experiences). */
  advanceToNextTimer(): { fired: boolean; finished: SessionOutcome[] } { return advanceToNextTimer(this); }
  /** Crash now, or arm a micro-point where the power will fail. */
  crash(point: CrashPoint = 'now'): SessionOutcome[] { return crash(this, point); }
  /** Start the server after a crash: crash recovery, then sessions reconnect as new backends. */
  restart(opts: { crashAfterRecords?: number; onRedoDone?: () => void } = {}): { outcomes: SessionOutcome[]; report: RecoveryReport } {
    return restart(this, opts);
  }
  /** At an armed micro-point: the power fails here. */
  crashPointReached(point: CrashPoint): void { crashPointReached(this, point); }
  /** full_page_writes (a server setting: SIGHUP). */
  setFullPageWrites(on: boolean): SessionOutcome[] { return setFullPageWrites(this, on); }

  // ---------------------------------------------------------------- durability: checkpoints, crashes, recovery

  /** CHECKPOINT (statement, checkpoint_timeout, end of recovery): see checkpoint/checkpointer.ts. */
  checkpoint(kind: CheckpointKind, session = ''): CheckpointResult {
    return createCheckpoint(this, kind, session);
  }

  /** One background writer round (checkpoint/checkpointer.ts). */
  bgwriter(): SessionOutcome[] { return serverWork(this, () => bgwriterRound(this)); }

  /** CHECKPOINT without a session (the durability view's button). */
  checkpointNow(): SessionOutcome[] { return serverWork(this, () => this.checkpoint('immediate')); }

  // ---------------------------------------------------------------- locks, as the executor uses them (lock/proc.ts)

  /** Acquire a heavyweight lock, parking the statement while it waits. */
  acquireLock(s: Session, tag: LockTag, mode: LockMode, context: string | null = null, reason = '', opts: { session?: boolean; nowait?: boolean } = {}): Generator<StepYield, void, void> {
    return acquireLock(this, s, tag, mode, context, reason, opts);
  }
  releaseLock(s: Session, tag: LockTag, mode: LockMode): void { releaseLock(this, s, tag, mode); }
  /** XactLockTableWait: wait until a transaction ends. */
  waitForXact(s: Session, xid: number, context: string): Generator<StepYield, void, void> { return waitForXact(this, s, xid, context); }

  // ---------------------------------------------------------------- transactions (xact/xactblock.ts)

  ensureTx(s: Session): Transaction { return ensureTx(this, s); }
  /** AbortTransaction: roll the session's transaction back and release its locks (a backend that exits). */
  abortTx(s: Session): void { abortTx(this, s); }
  /** GetCurrentTransactionId: the xid new versions are stamped with (assigned at the first write). */
  ensureXid(s: Session): number { return ensureXid(this, s); }
  /** GetTopTransactionId */
  ensureTopXid(s: Session, tx?: Transaction): number { return ensureTopXid(this, s, tx); }

  /** GetLatestSnapshot: a fresh snapshot whatever the isolation level (RI checks that must see new rows). */
  latestSnapshot(s: Session): Snapshot {
    const tx = this.ensureTx(s);
    return this.xacts.snapshot(tx.xid, this.clock.now);
  }

  snapshotFor(s: Session): Snapshot {
    const tx = this.ensureTx(s);
    tx.queryRun = true;
    if (s.spiSnapshot) return s.spiSnapshot.snapshot; // an RI trigger's query runs with the snapshot it was given
    if (usesXactSnapshot(tx.isolation)) {
      if (!tx.xactSnapshot) {
        tx.xactSnapshot = this.xacts.snapshot(tx.xid, this.clock.now);
        if (tx.isolation === 'serializable') {
          tx.sxact = this.predicates.register(s.id, tx.xactSnapshot, tx.readOnly);
          if (tx.sxact) tx.sxact.tag = tx.vxid;
          if (tx.sxact && tx.xid) this.predicates.setXid(tx.sxact, tx.xid);
        }
        if (this.tracer.wants('snapshot')) {
          this.tracer.emit({ kind: 'snapshot', session: s.name,
            text: `${s.name} takes its transaction snapshot ${formatSnapshot(tx.xactSnapshot)} (${tx.isolation}: kept until the transaction ends)` });
        }
      }
      return tx.xactSnapshot;
    }
    const snap = this.xacts.snapshot(tx.xid, this.clock.now);
    tx.stmtSnapshot = snap;
    if (this.tracer.wants('snapshot')) {
      this.tracer.emit({ kind: 'snapshot', session: s.name,
        text: `${s.name} takes a statement snapshot ${formatSnapshot(snap)} (${tx.isolation}: a new one for every statement)` });
    }
    return snap;
  }

  /** A read-write serializable transaction ended: wake the DEFERRABLE ones whose snapshot is now known safe or unsafe. */
  wakeSafeSnapshotWaiters(): void {
    for (const x of this.sessions) {
      const sx = x.tx?.sxact;
      if (x.safeSnapshotWait && sx && (sx.possibleUnsafe.size === 0 || sx.roUnsafe) && !this.runnable.includes(x.id)) this.runnable.push(x.id);
    }
  }

  /** GetOldestMultiXactId: the oldest MultiXact a running transaction may be a member of (else the next id). */
  oldestMxact(): number {
    let m = this.multis.next;
    for (const s of this.sessions) { const o = s.tx?.oldestMemberMxact; if (o && o < m) m = o; }
    return m;
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
          if (!tracer.wants('hint')) return;
          tracer.emit({
            kind: 'hint', session: s.name, xid: bit & (HEAP_XMIN_COMMITTED | HEAP_XMIN_INVALID) ? item.xmin : item.xmax,
            text: `hint bit ${HINT_NAMES[bit] ?? bit} set on a tuple of ${item.xmin} (by a reader, no WAL)`,
          });
        },
      };
    }
    c.myXid = tx.xid;
    c.subXids = tx.subXidSet;
    c.curcid = tx.curcid;
    c.combos = tx.combos;
    return c;
  }

  // ---------------------------------------------------------------- query strings

  // ---------------------------------------------------------------- sequences (commands/sequence.ts)

  nextval(s: Session, name: string | number): number | bigint { return nextval(this, s, name); }
  currval(s: Session, name: string | number): number | bigint { return currval(this, s, name); }
  lastval(s: Session): number | bigint { return lastval(this, s); }
  setval(s: Session, name: string | number, big: number | bigint, isCalled: boolean): number | bigint { return setval(this, s, name, big, isCalled); }

  /** current_setting(name) */
  currentSetting(s: Session, name: string, missingOk = false): string | null {
    return currentSetting(this, s, name, missingOk);
  }

  // ---------------------------------------------------------------- xid limits (xact/varsup.ts)

  /** SetTransactionIdLimit: the limits from the oldest datfrozenxid. */
  xidLimits(): XidLimits {
    let oldest = this.catalogFrozenXid, db = 'postgres';
    for (const t of this.catalog.tables.values()) { const r = relfrozenxidOf(t); if (r >= 3 && r < oldest) oldest = r; }
    if (this.templateFrozenXid <= oldest) { oldest = this.templateFrozenXid; db = FRESH_OLDEST_XID_DB; }
    return xidLimits(oldest, db, this.serverConf.num('autovacuum_freeze_max_age'));
  }

  /**
   * Heapscope's shortcut to use up transaction ids (NOT PostgreSQL: what `pg_resetwal -x target` does to a stopped
   * cluster): the next xid becomes `target`; the skipped ones were never used. Only while no transaction is open.
   */
  consumeXids(target: number): SessionOutcome[] {
    checkConsume(this.xacts.nextXid, target, this.xidLimits());
    if (this.sessions.some((x) => x.tx)) throw new PgError('55000', 'close every transaction first (pg_resetwal works on a stopped server)');
    const from = this.xacts.nextXid;
    this.xacts.nextXid = target;
    this.xacts.latestCompletedXid = target - 1;
    this.control.nextXid = target;
    if (this.tracer.wants('xid')) this.tracer.emit({ kind: 'xid', session: '', text: `Heapscope's xid shortcut (like pg_resetwal -x ${target}): the next transaction id jumps from ${from} to ${target}` });
    return [{ session: '', status: 'done', results: [], error: null, notices: [], trace: this.tracer.take(), at: this.clock.now }];
  }

  /** A server setting changed in postgresql.conf and reloaded (Heapscope's server control; scenarios' `#! server`). */
  configure(settings: Record<string, string>): void {
    const next = this.serverConf.clone();
    for (const [k, v] of Object.entries(settings)) next.set(k, v);
    this.serverConf = next;
    for (const x of this.sessions) x.gucs.server = next;
  }

  xactStatus(xid: number): string | null {
    if (xid >= this.xacts.nextXid) throw new PgError('22023', `transaction ID ${xid} is in the future`);
    if (xid < 3) return 'committed';
    const st = this.xacts.clog.get(xid);
    if (st === XidStatus.InProgress && !this.xacts.isInProgress(xid)) return 'aborted';
    return XID_STATUS_NAMES[st];
  }
}

const HINT_NAMES: Record<number, string> = {
  [HEAP_XMIN_COMMITTED]: 'XMIN_COMMITTED', [HEAP_XMIN_INVALID]: 'XMIN_INVALID',
  [HEAP_XMAX_COMMITTED]: 'XMAX_COMMITTED', [HEAP_XMAX_INVALID]: 'XMAX_INVALID',
};

export { posOf };
