/**
 * The engine API as the app sees it: plain data in and out (what structured clone carries: objects, arrays, Maps),
 * the same in-process (tests, CLI) and through the Web Worker (comlink). Nothing here imports engine internals, so
 * the UI can depend on it freely.
 *
 * Anything keyed by a name a person or a file chose (sessions, tables, indexes) is a Map or a list, never a plain
 * object: a session called `constructor` or `__proto__` must not find Object.prototype's members.
 */
import type { SessionOutcome } from '../engine/engine.js';
import type { SessionView, PageView, IndexEntryView, TableSummary, DurabilityState } from '../engine/inspect/inspect.js';
import type { WalRecordView } from '../engine/wal/wal.js';
import type { PgLocksRow } from '../engine/lock/lock.js';
import type { DepGraph, DepEdge, DepTxn, DepAnomaly } from '../engine/trace/deps.js';
import type { VacuumState } from '../engine/inspect/vacuumstate.js';
export type { VacuumState } from '../engine/inspect/vacuumstate.js';
export type { BloatSample } from '../engine/inspect/bloat.js';
import type { TraceEvent } from '../engine/trace/trace.js';

export type { DepGraph, DepEdge, DepTxn, DepAnomaly, TraceEvent };
export type { SessionOutcome, SessionView, PageView, IndexEntryView, TableSummary, WalRecordView, DurabilityState };

/** One entry of the deterministic log: replaying the log on a fresh engine rebuilds the exact same state. */
export type LogEntry =
  /** cancelAfterChunks: the statement was cancelled by the user after that many progress chunks (replayed exactly) */
  | { kind: 'sql'; session: string; sql: string; cancelAfterChunks?: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'wait'; session: string }
  /** server events (durability): crash now or arm a micro-point, restart (crash recovery), checkpoint, background
   *  writer round, full_page_writes on/off, a postgresql.conf setting (configure: "autovacuum=on"), Heapscope's
   *  xid shortcut (consume_xids: the next xid, like pg_resetwal -x) */
  | { kind: 'server'; action: ServerAction; arg?: string };

/** A session name: what the workspace, a saved file and a scenario may use (the engine's session of setup blocks is "setup"). */
export const SESSION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,31}$/;

export type ServerAction = 'crash' | 'restart' | 'checkpoint' | 'bgwriter' | 'full_page_writes' | 'configure' | 'consume_xids';
/** the engine's CRASH_POINTS (checkpoint/checkpointer.ts), repeated so the UI bundle needs no engine module; a unit test keeps them equal */
export const CRASH_POINT_CHOICES = ['now', 'commit-before-flush', 'commit-after-flush', 'checkpoint-halfway', 'page-write-after-wal-flush', 'torn-write'] as const;

/** What a step produced: the session's own outcome plus any other sessions it woke (in order). */
export interface StepResult {
  entry: LogEntry;
  outcomes: SessionOutcome[];
  /** virtual time after the step */
  clock: number;
  /** error text if the step could not be applied at all (bad log entry) */
  rejected?: string;
}

/** What the timeline shows next to a step without keeping its whole result: it failed, it waits, or neither. */
export type StepMark = 'ok' | 'failed' | 'waits';
export function markOf(outcomes: readonly SessionOutcome[]): StepMark {
  return outcomes.some((o) => o.status === 'error') ? 'failed' : outcomes.some((o) => o.status === 'waiting') ? 'waits' : 'ok';
}
/** marks travel as one character per step */
export const MARK_CHARS: Record<StepMark, string> = { ok: '.', failed: 'x', waits: 'w' };
export const markFromChar = (c: string | undefined): StepMark | null => (c === '.' ? 'ok' : c === 'x' ? 'failed' : c === 'w' ? 'waits' : null);

export interface TableState extends TableSummary {
  /** pages shown in full (a window of PAGE_WINDOW blocks); every page is summarised in `pageSummaries` */
  pageViews: PageView[];
  pageSummaries: { blkno: number; items: number; free: number }[];
  indexes: string[];
  /** each index (in `indexes` order): its first entries in key order and how many there are */
  indexViews: { name: string; entries: IndexEntryView[]; count: number }[];
}

export interface TupleVisibility { visible: boolean; outcome: string }

export const PAGE_WINDOW = 4;

export interface EngineState {
  /** first block shown in full */
  pageFrom: number;
  clock: number;
  nextXid: number;
  sessions: SessionView[];
  tables: TableState[];
  locks: (PgLocksRow & { session: string })[];
  clog: { xid: number; status: string }[];
  wal: WalRecordView[];
  walCount: number;
  walInsert: string;
  /** the flush pointer: WAL before it is on disk and survives a crash */
  walFlush: string;
  /** the last checkpoint's redo pointer */
  walRedo: string;
  /** records after the flush pointer (would be lost by a crash now) */
  walUnflushed: number;
  /** xids whose COMMIT record is not flushed yet (synchronous_commit = off): reported committed, lost by a crash now */
  walUnflushedCommits: number[];
  /** pending timers of the virtual clock (deadlock checks, lock / statement / idle timeouts, ends of pg_sleep) */
  timers: { at: number; session: string; kind: string }[];
  durability: DurabilityState;
  /** the transactions as a graph of ww / wr / rw dependencies (Adya), with the anomaly a cycle makes (engine/trace/deps.ts) */
  deps: DepGraph;
  /** the horizon and who holds it, bloat over time, statistics and autovacuum (engine/inspect/vacuumstate.ts) */
  vacuum: VacuumState;
  /** relation OIDs and their names (tables and indexes), so views show names with the OID on hover */
  relNames: [number, string][];
  /** shown tuples ("table:blk:off") dead to everyone: no snapshot can see them again (below the removable horizon) */
  deadToAll?: Set<string>;
  /** for each session, each shown tuple ("table:blk:off"): is it visible to that session's (next) snapshot, and why */
  visibility: Map<string, Map<string, TupleVisibility>>;
  /** a state as of one trace event (stateAt): that event, also when the step's batch folded it (past its detail limit) */
  event?: TraceEvent;
}

export interface ReplayResult { results: (StepResult | null)[]; state: EngineState; marks: string; latest: SessionOutcome[] }

export interface EngineApi {
  /** load the parser (WebAssembly) */
  ready(): Promise<{ ok: true }>;
  /**
   * Start over with these sessions and replay the log. Results come back only for the entries listed in
   * `resultsFor` (a step's result never changes, so the store keeps the ones it has); all of them when it is absent.
   * Whatever was asked, `marks` has one character per entry (MARK_CHARS) and `latest` each session's latest outcome
   * along the log (without its trace): what the timeline and the result panes show, without every step's result.
   */
  replay(sessions: string[], log: LogEntry[], opts?: { resultsFor?: number[] }): Promise<ReplayResult>;
  /** which heap pages to show in full (the rest are summarised): from this block, PAGE_WINDOW of them */
  setPageWindow(from: number): Promise<EngineState>;
  /**
   * Apply one more log entry to the current engine. A bulk statement runs in chunks; onProgress hears about
   * each chunk, and cancel() stops it (the entry that comes back then records where, for exact replay).
   */
  apply(entry: LogEntry, onProgress?: (p: { session: string; done: number; total: number }) => void): Promise<{ result: StepResult; state: EngineState }>;
  /** cancel the statement being applied (between two chunks) */
  cancel(): Promise<void>;
  /** "why is this tuple (in)visible to this session?" */
  explain(table: string, blk: number, off: number, session: string): Promise<string>;
  /** the current state */
  state(): Promise<EngineState>;
  /**
   * The state as of one event of a step: the log to that step (the same sessions as the last replay) is replayed
   * to the moment its trace event number `seq` (TraceEvent.seq) happened. Null if the step has no such event.
   * The current engine is not changed.
   */
  stateAt(sessions: string[], log: LogEntry[], seq: number): Promise<EngineState | null>;
}
