/**
 * A session: one client connection (a backend, in PostgreSQL's words) with its transaction state.
 *
 * Transaction block states, as xact.c keeps them (TBLOCK_*), reduced to what a client can observe:
 *   none       — autocommit: each statement runs in its own transaction
 *   implicit   — a multi-statement query string: one transaction around all of it (TBLOCK_IMPLICIT_INPROGRESS)
 *   inprogress — after BEGIN
 *   failed     — an error happened inside BEGIN ... ; everything but COMMIT/ROLLBACK (and ROLLBACK TO a
 *                savepoint, which recovers) fails with 25P02
 * A session whose statement waits for a lock is parked: its statement is a suspended generator resumed when
 * the lock is granted, exactly where it stopped (as a PostgreSQL backend sleeps in ProcSleep).
 *
 * Mirrors: src/backend/access/transam/xact.c (TBlockState), tcop/postgres.c (exec_simple_query),
 * utils/misc/guc.c for the settings modelled here.
 */
import type { Transaction } from '../xact/xact.js';
import type { LockTag, LockMode } from '../lock/lock.js';
import type { PgMessage } from '../errors.js';
import { SessionGucs } from '../guc/guc.js';
import { BackendStats } from '../pgstat/pgstat_relation.js';
import { AsyncBackend } from '../commands/async.js';

export type BlockState = 'none' | 'implicit' | 'inprogress' | 'failed';

export interface QueryResult {
  /** command tag as the server sends it: "SELECT 2", "INSERT 0 1", "UPDATE 3", "BEGIN" */
  command: string;
  /** present when the statement returns rows (SELECT, SHOW, RETURNING) */
  columns: { name: string; type: string }[] | null;
  rows: (string | null)[][];
}

export interface WaitState {
  tag: LockTag;
  mode: LockMode;
  since: number;
  /** CONTEXT line PostgreSQL attaches while waiting ("while updating tuple (0,2) in relation \"t\"") */
  context: string | null;
  /** what the session is doing, in words */
  reason: string;
}

/** What a running statement can pause for: a lock wait, or (bulk statements) a progress point. */
export type StepYield = { kind: 'wait' } | { kind: 'progress'; done: number; total: number };

export class Session {
  tx: Transaction | null = null;
  block: BlockState = 'none';
  /** the last local transaction id (a vxid's second half): 1 is taken at backend start by InitPostgres' own
   *  transaction (it reads the catalogs), so the first statement's transaction is N/2 */
  lxid = 1;
  /** the backend's GlobalVis bounds (snapshot/globalvis.ts); undefined until first asked */
  globalVis?: import('../snapshot/globalvis.js').GlobalVisState;
  running: Generator<StepYield, void, void> | null = null;
  waiting: WaitState | null = null;
  /** the heap page a parked statement holds a buffer pin on (the row it waits to change): nobody may prune it */
  pin: { rel: number; blk: number } | null = null;
  /** results, notices and error of the query string being executed */
  acc: { results: QueryResult[]; notices: PgMessage[]; error: PgMessage | null } = { results: [], notices: [], error: null };
  /** where each statement of the query string began in its notice stream (see SessionOutcome.noticeAt); `sent`:
   * notices already reported with a partial outcome */
  noticeMarks: { marks: { at: number; rows: boolean }[]; sent: number } = { marks: [], sent: 0 };
  /** this session's visibility context, reused across tuples (see Engine.visibilityContext) */
  vctx: import('../visibility/visibility.js').VisibilityContext | null = null;
  /** run bulk statements in chunks (stop at progress points) */
  chunked = false;
  /** set while a bulk statement runs in chunks (see Engine.execute with chunked) */
  progress: { done: number; total: number; chunks: number } | null = null;
  /** currval() per sequence (by OID) for this session */
  currvals = new Map<number, number | bigint>();
  /** the sequence (OID) this session's latest nextval() advanced: lastval()'s (last_used_seq) */
  lastSeq: number | undefined = undefined;
  /** open cursors (portals) by name: DECLARE / FETCH / CLOSE (commands/portalcmds.ts, tcop/portalmem.ts) */
  portals = new Map<string, import('../tcop/portalmem.js').Portal>();
  /** CreateNewPortal's counter: "<unnamed portal N>", a backend-lifetime number (PL/pgSQL's OPEN of a NULL
   *  cursor variable and its FOR loops over queries take one each) */
  unnamedPortals = 0;
  /** while a DECLARE runs its query: the heap block of each row its scan returns, when the scan streams (select.ts) */
  cursorScan: { plDepth: number; claimed: boolean; rel: number | null; blks: number[]; tids: [number, number][]; limited: boolean;
    /** a FOR UPDATE / SHARE cursor: its candidate rows, each locked (and projected) only when a FETCH pulls it */
    wantLocks: boolean; lockRows: import('../tcop/portalmem.js').LazyRows | null;
    /** the heap pages its scans read, their pruning put off until the cursor reaches them (executor/scan.ts pageVisitor) */
    visits: { t: import('../catalog/catalog.js').Table; blk: number }[] | null; } | null = null;
  /** PREPARE'd statements of this session, by name (commands/prepare.ts) */
  prepared = new Map<string, import('../commands/prepare.js').PreparedStatement>();
  /** the parameter values of the EXECUTE being run ($1, $2, …), or null */
  params: { value: import('../sql/types.js').Value; type: import('../sql/types.js').SqlType }[] | null = null;
  /** SPI_execute_snapshot's snapshots while an RI trigger's query runs (ri/ri_triggers.ts): the snapshot the query
   *  reads with, and the crosscheck one an UPDATE / DELETE must also see the row in (else 40001); null = the usual */
  spiSnapshot: { snapshot: import('../snapshot/snapshot.js').Snapshot; crosscheck: import('../snapshot/snapshot.js').Snapshot | null } | null = null;
  /**
   * > 0 while queries are analyzed but produce no rows: below a LIMIT 0 (nodeLimit.c never pulls from its subplan,
   * so nothing under it runs), or a subquery compiled only for its shape (nodeSubplan.ts)
   */
  noRows = 0;
  /** partitions whose partition constraint this backend's relcache has built (rd_partcheck): executor/execPartition.ts */
  partQuals = new WeakSet<object>();
  /** literal values of the statement being run (see sql/parser.ts: parse cache with literal lifting) */
  literals: Map<number, number> | null = null;
  /** virtual ms when the current query string arrived (statement_timestamp) and the transaction began (now()) */
  stmtStartAt = 0;
  xactStartAt = 0;
  /** the query string being executed (for deadlock reports: "Process 123: UPDATE ...") */
  currentQuery = '';
  /** the waiting-capable calls made while evaluating the current row, replayed after a wait (executor/exprwait.ts) */
  exprReplay: { results: import('../sql/types.js').Value[]; pos: number } | null = null;
  /** PROC_IN_SAFE_IC: a concurrent build of indexes without expressions or predicates is running here, so other
   *  concurrent builds' WaitForOlderSnapshots do not wait for this backend's snapshots (commands/indexcmds.ts) */
  inSafeIC = false;
  /** the tables whose pg_class row this statement updated in place (vacuum.ts updateStats): the statement waits for
   *  their row's updater before it ends (lock/lmgr.ts drainInplace) */
  inplacePending = new Set<import('../catalog/catalog.js').Table>();
  /** float.c's drandom_seed: random()'s generator state, made at the first random() or setseed() (adt/prng.ts) */
  prng: import('../adt/prng.js').PrngState | null = null;
  /** SERIALIZABLE READ ONLY DEFERRABLE: waiting for a safe snapshot (GetSafeSnapshot) */
  safeSnapshotWait = false;
  /** while a pg_sleep runs: when it ends (virtual ms) */
  sleepingUntil: number | null = null;
  /** the backend exited (pg_terminate_backend, idle_in_transaction_session_timeout): the connection is closed */
  terminated: import('../errors.js').PgMessage | null = null;
  /** the client has been told (the FATAL reached it): further queries cannot even be sent */
  connectionClosed = false;
  /** set when the last transaction was aborted by a deadlock, for the status line */
  lastAbortReason: string | null = null;
  /** while PL/pgSQL code runs: the names its SQL sees (pl/frame.ts), how deeply calls nest, the step budget */
  plNames: import('../pl/frame.js').PlNames | null = null;
  plDepth = 0;
  plBudget: import('../pl/exec.js').PlBudget | null = null;
  /** the error-context stack of the PL/pgSQL calls running (outermost first): each function's current statement and
   *  the SPI queries in between — what GET DIAGNOSTICS ... PG_CONTEXT prints (pl/exec.ts) */
  plContext: (() => string)[] = [];
  /** the PL/pgSQL code running now was called non-atomically (a top-level CALL or DO outside a transaction block):
   * it may COMMIT and ROLLBACK (pl/transaction.ts) */
  plNonAtomic = false;
  /** the output (INOUT / OUT) arguments of the CALL just run and their final values, for PL/pgSQL's CALL to assign */
  callOutputs: { args: number[]; values: import('../sql/types.js').Value[]; argOf?: number[] } | null = null;
  /** this backend's pending statistics and when it last flushed them (pgstat/pgstat_relation.ts) */
  pgstat = new BackendStats();
  /** virtual ms the connection was made, and since when it is idle (pg_stat_activity's backend_start, state_change) */
  backendStartAt = 0;
  idleSince = 0;
  /** myTempNamespace: the OID of this backend's pg_temp_N once it made a temporary table (0: not yet) */
  tempNamespace = 0;
  /** LISTEN state: channels listened on, a pending notify signal, notifications not yet handed to the client (commands/async.ts) */
  async = new AsyncBackend();
  /** this session's settings (SET / SHOW; guc/guc.ts) */
  gucs = new SessionGucs();
  constructor(
    readonly id: number,
    readonly name: string,
    readonly pid: number,
    readonly backendId: number,
  ) {}

  get state(): 'idle' | 'active' | 'idle in transaction' | 'idle in transaction (aborted)' {
    if (this.running) return 'active';
    if (this.block === 'failed') return 'idle in transaction (aborted)';
    if (this.block === 'inprogress') return 'idle in transaction';
    return 'idle';
  }
}

/** GUC_UNIT_MS display: the largest unit that divides the value evenly (1000 → "1s", 1500 → "1500ms"). */
export function formatMs(ms: number): string {
  if (ms === 0) return '0';
  if (ms % 86400000 === 0) return `${ms / 86400000}d`;
  if (ms % 3600000 === 0) return `${ms / 3600000}h`;
  if (ms % 60000 === 0) return `${ms / 60000}min`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
