/**
 * EngineHost: the EngineApi over one in-process Engine. The Web Worker exposes exactly this object through
 * comlink (src/worker); tests and the command line use it directly.
 *
 * The host keeps the deterministic log's semantics: `replay` builds a fresh engine from a list of entries —
 * that is how time travel, branches, reloads and recovery from a crashed worker all work.
 */
import { Engine } from '../engine/engine.js';
import { initParser } from '../engine/sql/parser.js';
import { PgError } from '../engine/errors.js';
import { heapPage, indexEntries, sessions, locks, clog, wal, walPositions, tables, durability } from '../engine/inspect/inspect.js';
import type { CrashPoint } from '../engine/checkpoint/checkpointer.js';
import { explainVisibility, satisfiesMVCC, VIS_VISIBLE, VIS_NAMES, type VisibilityContext } from '../engine/visibility/visibility.js';
import { PAGE_WINDOW, type EngineApi, type EngineState, type LogEntry, type StepResult, type TableState } from '../shared/api';

/** A visibility context for looking only: it belongs to no statement and sets no hint bits it is given copies. */
function readOnlyContext(e: Engine, tx: Engine['sessions'][number]['tx']): VisibilityContext {
  return {
    myXid: tx?.xid ?? 0, subXids: tx?.subXidSet ?? null, curcid: tx?.curcid ?? 0, combos: tx?.combos ?? [], clog: e.xacts.clog,
    isInProgress: (x: number) => e.xacts.isInProgress(x), multiRunning: (m: number) => e.multiRunning(m),
  };
}

const MAX_INDEX_ENTRIES = 200;
const CHECKPOINT_EVERY = 16;
const BULK_WAL_RECORDS = 5000;
/** line pointers listed per page (the UI shows that many cards; the rest are counted) */
const MAX_ITEMS_PER_PAGE = 60;
const MAX_CHECKPOINTS = 40;
const WAL_TAIL = 150;

export class EngineHost implements EngineApi {
  private engine = new Engine();
  private cancelRequested = false;
  private pageFrom = 0;
  /** the log the current engine has applied (entries as JSON, for prefix comparisons) and its session list */
  private applied: string[] = [];
  private sessionKey = '';
  /** copies of the engine at quiet moments along the log: time travel restarts from the nearest one */
  private checkpoints: { keys: string[]; engine: Engine }[] = [];
  /** WAL length when the last checkpoint was taken (or the engine restarted from one) */
  private walAtCheckpoint = 0;

  async ready() {
    await initParser();
    return { ok: true as const };
  }

  async replay(sessionNames: string[], log: LogEntry[], opts: { resultsFor?: number[] } = {}) {
    await initParser();
    const keys = log.map((e) => JSON.stringify(e));
    const sessionKey = sessionNames.join('\u0000');
    // results only where asked (a step's result never changes: the store keeps those it has), so a jump can start
    // from a checkpoint taken right at the target step
    const want = new Set(opts.resultsFor ?? log.map((_, i) => i));
    const firstWanted = Math.min(log.length, ...want);
    let start = 0;
    if (sessionKey !== this.sessionKey) this.checkpoints = [];
    const isPrefix = (p: string[]) => p.length <= keys.length && p.every((k, i) => k === keys[i]);
    // start from whichever is furthest along the log: the current engine, or a checkpoint
    let best: { keys: string[]; engine: Engine } | null = null;
    for (const cp of this.checkpoints) if (cp.keys.length <= firstWanted && (!best || cp.keys.length > best.keys.length) && isPrefix(cp.keys)) best = cp;
    if (sessionKey === this.sessionKey && this.applied.length <= firstWanted && (!best || this.applied.length >= best.keys.length) && isPrefix(this.applied)) {
      start = this.applied.length;
    } else {
      if (best) { this.engine = best.engine.clone(); start = best.keys.length; this.walAtCheckpoint = this.engine.wal.count; } else {
        this.engine = new Engine();
        this.walAtCheckpoint = 0;
        for (const n of sessionNames) this.engine.createSession(n);
      }
    }
    this.sessionKey = sessionKey;
    this.applied = keys.slice(0, start);
    const results: (StepResult | null)[] = log.map(() => null);
    for (let i = start; i < log.length; i++) {
      this.engine.tracer.enabled = want.has(i); // no narration for steps whose result is not wanted
      const r = this.applySync(log[i]!);
      this.applied.push(keys[i]!);
      if (want.has(i)) results[i] = r;
      this.maybeCheckpoint();
    }
    this.engine.tracer.enabled = true;
    return { results, state: this.stateSync() };
  }

  private maybeCheckpoint() {
    const n = this.applied.length;
    // every CHECKPOINT_EVERY steps, and right after a bulk step (thousands of WAL records): jumping to a step just
    // after a 10,000-row INSERT must not replay that INSERT again
    const bulk = this.engine.wal.count - this.walAtCheckpoint >= BULK_WAL_RECORDS;
    if ((n % CHECKPOINT_EVERY !== 0 && !bulk) || !this.engine.canClone()) return;
    this.walAtCheckpoint = this.engine.wal.count;
    if (this.checkpoints.some((c) => c.keys.length === n && c.keys[n - 1] === this.applied[n - 1])) return;
    this.checkpoints.push({ keys: this.applied.slice(), engine: this.engine.clone() });
    if (this.checkpoints.length > MAX_CHECKPOINTS) this.checkpoints.shift();
  }

  async setPageWindow(from: number) {
    this.pageFrom = Number.isInteger(from) && from >= 0 ? from : 0;
    return this.stateSync();
  }

  async apply(entry: LogEntry, onProgress?: (p: { session: string; done: number; total: number }) => void) {
    await initParser();
    this.cancelRequested = false;
    if (entry?.kind !== 'sql' || typeof entry.sql !== 'string' || typeof entry.session !== 'string' || entry.cancelAfterChunks !== undefined) {
      const result = this.applySync(entry);
      this.applied.push(JSON.stringify(result.entry)); // the store keeps rejected steps too; replay rejects them again
      this.maybeCheckpoint();
      return { result, state: this.stateSync() };
    }
    const e = this.engine;
    if (!e.sessions.some((s) => s.name === entry.session)) e.createSession(entry.session);
    let r;
    try { r = e.execute(entry.session, entry.sql, { chunked: true }); } catch (err) {
      this.applied.push(JSON.stringify(entry));
      return { result: { entry, outcomes: [], clock: e.clock.now, rejected: (err as Error).message }, state: this.stateSync() };
    }
    const outcomes = [...r.woken];
    let chunks = 0;
    while (r.outcome.status === 'running') {
      chunks++;
      onProgress?.({ session: entry.session, done: r.outcome.progress!.done, total: r.outcome.progress!.total });
      await new Promise((res) => setTimeout(res, 0)); // let a cancel() message in
      r = this.cancelRequested ? e.cancel(entry.session) : e.resume(entry.session);
      outcomes.push(...r.woken);
    }
    const recorded: LogEntry = this.cancelRequested ? { ...entry, cancelAfterChunks: chunks } : entry;
    this.cancelRequested = false;
    this.applied.push(JSON.stringify(recorded));
    this.maybeCheckpoint();
    return { result: { entry: recorded, outcomes: [r.outcome, ...outcomes], clock: e.clock.now }, state: this.stateSync() };
  }

  async cancel() { this.cancelRequested = true; }

  async state() { return this.stateSync(); }

  async explain(table: string, blk: number, off: number, session: string): Promise<string> {
    const t = this.engine.catalog.get(table);
    const item = t?.heap.item(blk, off);
    if (!t || !item) return `no tuple (${blk},${off}) in ${table}`;
    if (item.lpFlags !== 1) return `(${blk},${off}) is a ${['unused', 'normal', 'redirect', 'dead'][item.lpFlags]} line pointer: it holds no tuple`;
    const s = this.engine.sessions.find((x) => x.name === session);
    if (!s) return `no session ${session}`;
    // a read-only look: copy the tuple so no hint bit is set by explaining
    const copy = { ...item };
    const tx = s.tx;
    const snap = tx?.xactSnapshot ?? this.engine.xacts.snapshot(tx?.xid ?? 0, this.engine.clock.now);
    const v = satisfiesMVCC(copy, snap, readOnlyContext(this.engine, s.tx));
    const which = tx?.xactSnapshot ? `${session}'s transaction snapshot` : `a new statement snapshot of ${session}`;
    return `Seen with ${which} ${snap.xmin}:${snap.xmax}:${snap.xip.join(',')} — ${explainVisibility(v, copy, snap, session)}`;
  }

  private applySync(entry: LogEntry): StepResult {
    const e = this.engine;
    try {
      switch (entry.kind) {
        case 'sql': {
          if (typeof entry.sql !== 'string' || entry.sql.length > 1_000_000) throw new Error('a statement must be a string of at most 1 MB');
          if (typeof entry.session !== 'string' || !/^[A-Za-z_][A-Za-z0-9_ ]{0,63}$/.test(entry.session)) throw new Error('a session name must be letters, digits or _');
          if (!e.sessions.some((s) => s.name === entry.session)) e.createSession(entry.session);
          if (entry.cancelAfterChunks !== undefined) {
            // replay a cancelled bulk statement: the same number of chunks, then the cancel
            let r = e.execute(entry.session, entry.sql, { chunked: true });
            const outcomes = [...r.woken];
            for (let i = 0; r.outcome.status === 'running'; i++) {
              r = i + 1 >= entry.cancelAfterChunks ? e.cancel(entry.session) : e.resume(entry.session);
              outcomes.push(...r.woken);
            }
            return { entry, outcomes: [r.outcome, ...outcomes], clock: e.clock.now };
          }
          const r = e.execute(entry.session, entry.sql);
          return { entry, outcomes: [r.outcome, ...r.woken], clock: e.clock.now };
        }
        case 'advance': {
          if (!Number.isFinite(entry.ms) || entry.ms < 0 || entry.ms > 86_400_000) throw new Error('advance needs 0 ≤ ms ≤ 86400000');
          return { entry, outcomes: e.advance(entry.ms), clock: e.clock.now };
        }
        case 'wait': {
          const outcomes = [];
          for (let i = 0; i < 100 && e.session(entry.session).running; i++) {
            const r = e.advanceToNextTimer();
            outcomes.push(...r.finished);
            if (!r.fired) break;
          }
          return { entry, outcomes, clock: e.clock.now };
        }
        case 'server': {
          switch (entry.action) {
            case 'crash': return { entry, outcomes: e.crash((entry.arg ?? 'now') as CrashPoint), clock: e.clock.now };
            case 'restart': {
              const n = entry.arg === undefined ? undefined : Number(entry.arg);
              if (n !== undefined && !(Number.isInteger(n) && n >= 0)) throw new Error('restart:<n> needs a whole number of records');
              return { entry, outcomes: e.restart(n !== undefined ? { crashAfterRecords: n } : {}).outcomes, clock: e.clock.now };
            }
            case 'checkpoint': return { entry, outcomes: e.checkpointNow(), clock: e.clock.now };
            case 'bgwriter': return { entry, outcomes: e.bgwriter(), clock: e.clock.now };
            case 'full_page_writes':
              if (entry.arg !== 'on' && entry.arg !== 'off') throw new Error('full_page_writes is on or off');
              return { entry, outcomes: e.setFullPageWrites(entry.arg === 'on'), clock: e.clock.now };
            default: throw new Error(`unknown server action ${JSON.stringify((entry as { action: unknown }).action)}`);
          }
        }
        default:
          throw new Error(`unknown log entry ${JSON.stringify(entry).slice(0, 80)}`);
      }
    } catch (err) {
      return { entry, outcomes: [], clock: e.clock.now, rejected: err instanceof PgError || err instanceof Error ? err.message : String(err) };
    }
  }

  private stateSync(): EngineState {
    const e = this.engine;
    const tableStates: TableState[] = tables(e).map((ts) => {
      const t = e.catalog.get(ts.name)!;
      const from = Math.min(this.pageFrom, Math.max(0, t.heap.pages.length - 1));
      const detail = Math.max(0, Math.min(t.heap.pages.length - from, PAGE_WINDOW));
      const ie: Record<string, ReturnType<typeof indexEntries>> = {};
      const ic: Record<string, number> = {};
      for (const i of t.indexes) {
        ie[i.name] = indexEntries(t, i.name, MAX_INDEX_ENTRIES);
        ic[i.name] = i.count;
      }
      return {
        ...ts,
        pageViews: Array.from({ length: detail }, (_, b) => heapPage(t, from + b, MAX_ITEMS_PER_PAGE)),
        pageSummaries: t.heap.pages.map((p) => ({ blkno: p.blkno, items: p.items.length, free: p.upper - p.lower })),
        indexEntries: ie, indexEntryCount: ic,
      };
    });
    const visibility: EngineState['visibility'] = {};
    for (const s of e.sessions) {
      const tx = s.tx;
      const snap = tx?.xactSnapshot ?? e.xacts.snapshot(tx?.xid ?? 0, e.clock.now);
      const ctx = readOnlyContext(e, tx);
      const m: Record<string, { visible: boolean; outcome: string }> = {};
      for (const ts of tableStates) {
        const t = e.catalog.get(ts.name)!;
        for (const pv of ts.pageViews) {
          pv.items.forEach((_, i) => {
            const item = t.heap.pages[pv.blkno]!.items[i]!;
            if (item.lpFlags !== 1) return;
            const v = satisfiesMVCC({ ...item }, snap, ctx);
            m[`${ts.name}:${pv.blkno}:${i + 1}`] = { visible: VIS_VISIBLE[v]!, outcome: VIS_NAMES[v] };
          });
        }
      }
      visibility[s.name] = m;
    }
    const walCount = e.wal.count;
    const walPos = walPositions(e);
    return {
      pageFrom: this.pageFrom,
      visibility,
      clock: e.clock.now, nextXid: e.xacts.nextXid, sessions: sessions(e), tables: tableStates, locks: locks(e),
      clog: clog(e, 724, 200), wal: wal(e, Math.max(0, walCount - WAL_TAIL), walCount), walCount,
      walInsert: walPos.insert,
      walFlush: walPos.flush, walRedo: walPos.redo, walUnflushed: walPos.unflushedRecords, walUnflushedCommits: walPos.unflushedCommits,
      timers: e.clock.pending().map((t) => ({ at: t.at, session: e.sessions[t.session]?.name ?? '?', kind: t.kind })),
      durability: durability(e),
    };
  }
}
