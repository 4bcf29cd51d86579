/**
 * The engine API as the app sees it: plain JSON in and out, the same in-process (tests, CLI) and through the
 * Web Worker (comlink). Nothing here imports engine internals, so the UI can depend on it freely.
 */
import type { SessionOutcome } from '../engine/engine.js';
import type { SessionView, PageView, IndexEntryView, TableSummary, DurabilityState } from '../engine/inspect/inspect.js';
import type { WalRecordView } from '../engine/wal/wal.js';
import type { PgLocksRow } from '../engine/lock/lock.js';

export type { SessionOutcome, SessionView, PageView, IndexEntryView, TableSummary, WalRecordView, DurabilityState };

/** One entry of the deterministic log: replaying the log on a fresh engine rebuilds the exact same state. */
export type LogEntry =
  /** cancelAfterChunks: the statement was cancelled by the user after that many progress chunks (replayed exactly) */
  | { kind: 'sql'; session: string; sql: string; cancelAfterChunks?: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'wait'; session: string }
  /** server events (durability): crash now or arm a micro-point, restart (crash recovery), checkpoint, background
   *  writer round, full_page_writes on/off */
  | { kind: 'server'; action: ServerAction; arg?: string };

export type ServerAction = 'crash' | 'restart' | 'checkpoint' | 'bgwriter' | 'full_page_writes';
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

export interface TableState extends TableSummary {
  /** pages shown in full (a window of PAGE_WINDOW blocks); every page is summarised in `pageSummaries` */
  pageViews: PageView[];
  pageSummaries: { blkno: number; items: number; free: number }[];
  indexes: string[];
  indexEntries: Record<string, IndexEntryView[]>;
  indexEntryCount: Record<string, number>;
}

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
  /** pending timers (deadlock checks) */
  timers: { at: number; session: string; kind: string }[];
  durability: DurabilityState;
  /** for each session, each shown tuple ("table:blk:off"): is it visible to that session's (next) snapshot, and why */
  visibility: Record<string, Record<string, { visible: boolean; outcome: string }>>;
}

export interface EngineApi {
  /** load the parser (WebAssembly) */
  ready(): Promise<{ ok: true }>;
  /**
   * Start over with these sessions and replay the log. Results come back only for the entries listed in
   * `resultsFor` (a step's result never changes, so the store keeps the ones it has); all of them when it is absent.
   */
  replay(sessions: string[], log: LogEntry[], opts?: { resultsFor?: number[] }): Promise<{ results: (StepResult | null)[]; state: EngineState }>;
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
}
