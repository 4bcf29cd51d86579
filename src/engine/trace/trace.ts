/**
 * Trace events: the fine-grained story of one statement, for step-by-step playback.
 *
 * Every statement returns a batch of events ("snapshot taken", "tuple (0,3) invisible: xmin 742 in xip",
 * "waiting for ShareLock on transaction 742", "WAL record at 0/016A2B48", "hint bit set"). A bulk statement
 * keeps the first DETAIL_LIMIT events in full and afterwards only counts them by kind, so a 400,000-row UPDATE
 * stays fast and its batch small; the summary says how many were folded. Folded events are still numbered (`seq`
 * goes on counting them), so a replay of the step can stop at any one of them: `capture` asks the tracer to build
 * the events with numbers in a range in full, once, and hand them to onEmit — the player steps through a
 * 10,000-row statement's events without the batch ever holding them.
 *
 * This module has no PostgreSQL counterpart; it is what the server log and pageinspect would show if they
 * could narrate.
 */
export type TraceKind =
  | 'statement' | 'snapshot' | 'visibility' | 'hint' | 'xid' | 'insert' | 'update' | 'delete' | 'lock-row'
  | 'index' | 'wal' | 'lock' | 'wait' | 'granted' | 'deadlock' | 'commit' | 'abort' | 'epq' | 'error' | 'clock' | 'ssi'
  | 'buffer' | 'checkpoint' | 'crash' | 'redo' | 'prune' | 'stats' | 'autovacuum';

const KINDS: TraceKind[] = [
  'statement', 'snapshot', 'visibility', 'hint', 'xid', 'insert', 'update', 'delete', 'lock-row', 'index', 'wal', 'lock',
  'wait', 'granted', 'deadlock', 'commit', 'abort', 'epq', 'error', 'clock', 'ssi', 'buffer', 'checkpoint', 'crash', 'redo', 'prune', 'stats', 'autovacuum',
];
/** each kind's slot in the folded counts (a Map: the object of 28 hyphenated keys was a slow dictionary lookup per row) */
const KIND_INDEX = new Map<TraceKind, number>(KINDS.map((k, i) => [k, i]));

export interface TraceEvent {
  kind: TraceKind;
  session: string;
  /** one plain-English line */
  text: string;
  rel?: string;
  blk?: number;
  off?: number;
  xid?: number;
  lsn?: string;
  /** machine-readable outcome, e.g. a visibility outcome name or TM_Result */
  outcome?: string;
  /** the event's number within its step (set by emit: 0, 1, 2 … in the order events happen, across the sessions
   *  a step woke, folded ones included); replaying the step to event `seq` restores the state at that moment */
  seq?: number;
}

export interface TraceBatch { events: TraceEvent[]; folded: Partial<Record<TraceKind, number>> }

export const DETAIL_LIMIT = 200;

export class Tracer {
  events: TraceEvent[] = [];
  /** count of events past the detail limit, by kind (a typed array: cheap to bump in a 400k-row loop) */
  private foldedCounts = new Int32Array(KINDS.length);
  /** set false to skip building event text altogether (benchmarks can still count) */
  enabled = true;
  /** the next event's number in the current step (the host resets it before each step) */
  seq = 0;
  /**
   * Called right after an event is recorded, with its number: the engine's state at that instant is the state
   * "as of" the event (a host replaying a step to one of its events looks at the engine from here). Plain data
   * out, no effect on the engine.
   */
  onEmit: ((seq: number, e: TraceEvent) => void) | null = null;
  /** events numbered from..to (inclusive) past the detail limit are built and handed to onEmit all the same (a replay
   *  stopping at a folded event); they are not kept in the batch */
  capture: { from: number; to: number } | null = null;

  /** Cheap guard: call before building an event's text. */
  wants(kind: TraceKind): boolean {
    if (this.events.length < DETAIL_LIMIT) return this.enabled;
    if (this.capture && this.seq >= this.capture.from && this.seq <= this.capture.to) return true;
    this.foldedCounts[KIND_INDEX.get(kind)!]!++;
    this.seq++;
    return false;
  }
  emit(e: TraceEvent): void {
    if (this.events.length < DETAIL_LIMIT) {
      e.seq = this.seq++;
      this.events.push(e);
      this.onEmit?.(e.seq, e);
    } else if (this.capture && this.seq >= this.capture.from && this.seq <= this.capture.to) {
      e.seq = this.seq++;
      this.foldedCounts[KIND_INDEX.get(e.kind)!]!++;
      this.onEmit?.(e.seq, e);
    } else { this.foldedCounts[KIND_INDEX.get(e.kind)!]!++; this.seq++; }
  }
  take(): TraceBatch {
    const folded: Partial<Record<TraceKind, number>> = {};
    this.foldedCounts.forEach((n, i) => { if (n) folded[KINDS[i]!] = n; });
    const b: TraceBatch = { events: this.events, folded };
    this.events = [];
    this.foldedCounts.fill(0);
    return b;
  }
}
