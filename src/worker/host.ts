/**
 * EngineHost: the EngineApi over one in-process Engine. The Web Worker exposes exactly this object through
 * comlink (src/worker); tests and the command line use it directly.
 *
 * The host keeps the deterministic log's semantics: `replay` builds a fresh engine from a list of entries —
 * that is how time travel, branches, reloads and recovery from a crashed worker all work. It starts from the
 * current engine or from a checkpoint (a copy taken along the log) when one of them is a prefix of the new log
 * (timetravel.ts: how prefixes are recognised and when copies are taken and dropped).
 */
import { SYSTEM_RELATIONS } from '../engine/catalog/regclass.js';
import { Engine } from '../engine/engine.js';
import { sampleBloat } from '../engine/inspect/bloat.js';
import { vacuumState } from '../engine/inspect/vacuumstate.js';

/** The app's engine: as any other, plus the bloat series the Vacuum view plots. */
function appEngine(): Engine { const e = new Engine(); e.bloat.enabled = true; return e; }
import { initSqlParser, initPlpgsqlParser, needsPlpgsql } from '../engine/sql/parser.js';
import { PgError } from '../engine/errors.js';
import { dependencyGraph } from '../engine/inspect/deps.js';
import { removableHorizon } from '../engine/vacuum/pruneheap.js';
import { updateXidOf } from '../engine/multixact/multixact.js';
import { HEAP_XMAX_INVALID, HEAP_XMAX_LOCK_ONLY } from '../engine/heap/tuple.js';
import { heapPage, indexEntries, sessions, locks, clog, wal, walPositions, tables, durability, tableByDisplayName } from '../engine/inspect/inspect.js';
import type { CrashPoint } from '../engine/checkpoint/checkpointer.js';
import { explainVisibility, satisfiesMVCC, VIS_VISIBLE, VIS_NAMES, type VisibilityContext } from '../engine/visibility/visibility.js';
import { PAGE_WINDOW, SESSION_NAME, MARK_CHARS, markOf, type EngineApi, type EngineState, type LogEntry, type ReplayResult, type SessionOutcome, type StepResult, type TableState, type TupleVisibility } from '../shared/api';
import { Checkpoints, LogPrefixes, entryKey, engineSize, STEP_WORK, WAL_WORK } from './timetravel';
import { stateAtEvent, type EventBase } from './events';

/** A visibility context for looking only: it belongs to no statement and sets no hint bits it is given copies. */
function readOnlyContext(e: Engine, tx: Engine['sessions'][number]['tx']): VisibilityContext {
  return {
    myXid: tx?.xid ?? 0, subXids: tx?.subXidSet ?? null, curcid: tx?.curcid ?? 0, combos: tx?.combos ?? [], clog: e.xacts.clog,
    isInProgress: (x: number) => e.xacts.isInProgress(x), multiRunning: (m: number) => e.multiRunning(m), multiUpdater: (m: number) => e.multis.updateXid(m),
  };
}

const MAX_INDEX_ENTRIES = 200;
/** line pointers listed per page (the UI shows that many cards; the rest are counted) */
const MAX_ITEMS_PER_PAGE = 60;
const WAL_TAIL = 150;
/** a step that wrote this many WAL records is a bulk step: a checkpoint may follow it at once */
const BULK_WAL_RECORDS = 5000;
const NO_TRACE = { events: [], folded: {} };

export class EngineHost implements EngineApi {
  private engine = appEngine();
  private cancelRequested = false;
  private pageFrom = 0;
  /** numbers for log prefixes (see timetravel.ts) and, by prefix number, the mark of the step that ends it */
  private prefixes = new LogPrefixes();
  private marks: string[] = [];
  /** the log the current engine has applied: its prefix number and length, and the session list */
  private at = 0;
  private depth = 0;
  private sessionKey = '';
  /** each session's latest outcome on the current engine's log */
  private latest = new Map<string, SessionOutcome>();
  /** copies of the engine at quiet moments along the log: time travel restarts from the nearest one */
  readonly checkpoints = new Checkpoints();
  /** steps and work (timetravel.ts) since the last checkpoint, or since the engine started or was restored */
  private stepsSince = 0;
  private workSince = 0;
  /** the engine just before the step being stepped through event by event (events.ts) */
  private eventBase: EventBase = { prefix: -1, engine: null };
  /** steps applied since the host started (tests count them: a jump must replay a bounded stretch) */
  stepsApplied = 0;

  async ready() {
    await initSqlParser();
    return { ok: true as const };
  }

  /**
   * The parsers these entries need, loaded: the SQL parser always; PL/pgSQL's (a download of its own in the app) once
   * an entry compiles PL/pgSQL — a DO block or a CREATE FUNCTION ... LANGUAGE plpgsql, which every call of a
   * PL/pgSQL function follows in the log. The engine runs synchronously, so this is awaited before it starts.
   */
  private async parsersFor(entries: readonly LogEntry[]) {
    await initSqlParser();
    if (entries.some((x) => x?.kind === 'sql' && typeof x.sql === 'string' && needsPlpgsql(x.sql))) await initPlpgsqlParser();
  }

  async replay(sessionNames: string[], log: LogEntry[], opts: { resultsFor?: number[] } = {}): Promise<ReplayResult> {
    await this.parsersFor(log);
    const sessionKey = sessionNames.join('\u0000');
    if (sessionKey !== this.sessionKey) {
      // another session list is another engine from the first step: nothing known so far applies
      this.checkpoints.clear();
      this.prefixes = new LogPrefixes();
      this.marks = [];
      this.at = -1;
    }
    const keys = log.map(entryKey);
    const path = this.prefixes.path(keys);
    // results only where asked (a step's result never changes: the store keeps those it has), so a jump can start
    // from a checkpoint taken right at the target step
    const want = new Set(opts.resultsFor ?? log.map((_, i) => i));
    let firstWanted = log.length;
    for (const i of want) if (i < firstWanted) firstWanted = i;
    // start from whichever is furthest along the log: the current engine, or a checkpoint
    const best = this.checkpoints.best(path, firstWanted);
    const current = sessionKey === this.sessionKey && this.depth <= firstWanted && path[this.depth] === this.at;
    if (!current || (best && best.depth > this.depth)) {
      if (best) {
        this.engine = best.engine.clone();
        this.depth = best.depth;
        this.latest = new Map(best.latest);
      } else {
        this.engine = appEngine();
        for (const n of sessionNames) this.engine.createSession(n);
        this.depth = 0;
        this.latest = new Map();
      }
      this.at = path[this.depth]!;
      this.stepsSince = 0;
      this.workSince = 0;
    }
    this.sessionKey = sessionKey;
    const results: (StepResult | null)[] = new Array(log.length).fill(null);
    for (let i = this.depth; i < log.length; i++) {
      this.engine.tracer.enabled = want.has(i); // no narration for steps whose result is not wanted
      const walBefore = this.engine.wal.count;
      const r = this.applySync(log[i]!);
      this.book(keys[i]!, r, walBefore, false);
      if (want.has(i)) results[i] = r;
    }
    this.engine.tracer.enabled = true;
    let marks = '';
    for (let i = 1; i < path.length; i++) marks += this.marks[path[i]!] ?? ' ';
    return { results, state: this.stateSync(), marks, latest: [...this.latest.values()] };
  }

  /** After a step (its entry's key, its result): keep the books — prefix, mark, latest outcomes, checkpoints. */
  private book(key: string, r: StepResult, walBefore: number, interactive: boolean) {
    this.stepsApplied++;
    const entry = r.entry;
    const label = entry.kind === 'sql' ? `${entry.session}: ${entry.sql.length > 60 ? entry.sql.slice(0, 57) + '...' : entry.sql}` : entry.kind === 'advance' ? `+${entry.ms} ms` : entry.kind;
    sampleBloat(this.engine, label, entry.kind === 'sql' && /^\s*vacuum\b/i.test(entry.sql) ? 'vacuum' : entry.kind === 'advance' ? 'time' : 'statement');
    this.at = this.prefixes.child(this.at, key);
    this.depth++;
    this.marks[this.at] = MARK_CHARS[markOf(r.outcomes)];
    for (const o of r.outcomes) this.latest.set(o.session, { ...o, trace: NO_TRACE });
    const wal = Math.max(0, this.engine.wal.count - walBefore);
    this.stepsSince++;
    this.workSince += STEP_WORK + wal * WAL_WORK;
    if (!this.engine.canClone() || this.checkpoints.has(this.at)) return;
    const size = engineSize(this.engine);
    if (!this.checkpoints.due(this.stepsSince, this.workSince, size, { bulk: wal >= BULK_WAL_RECORDS, interactive })) return;
    this.checkpoints.add({ prefix: this.at, depth: this.depth, engine: this.engine.clone(), latest: new Map(this.latest), size });
    this.stepsSince = 0;
    this.workSince = 0;
  }

  async stateAt(sessionNames: string[], log: LogEntry[], seq: number): Promise<EngineState | null> {
    await this.parsersFor(log);
    return stateAtEvent(this.eventBase, {
      sessionKey: sessionNames.join('\u0000'), hostKey: this.sessionKey, log, seq,
      prefixes: this.prefixes, checkpoints: this.checkpoints, current: { engine: this.engine, depth: this.depth, at: this.at },
      fresh: () => { const e = appEngine(); for (const n of sessionNames) e.createSession(n); return e; },
      apply: (entry, e) => this.applySync(entry, e),
      inspect: (e) => this.stateSync(e),
    });
  }

  async setPageWindow(from: number) {
    this.pageFrom = Number.isInteger(from) && from >= 0 ? from : 0;
    return this.stateSync();
  }

  async apply(entry: LogEntry, onProgress?: (p: { session: string; done: number; total: number }) => void) {
    await this.parsersFor([entry]);
    this.cancelRequested = false;
    const walBefore = this.engine.wal.count;
    if (entry?.kind !== 'sql' || typeof entry.sql !== 'string' || typeof entry.session !== 'string' || entry.cancelAfterChunks !== undefined || !SESSION_NAME.test(entry.session)) {
      const result = this.applySync(entry);
      this.book(entryKey(result.entry), result, walBefore, true); // the store keeps rejected steps too; replay rejects them again
      return { result, state: this.stateSync() };
    }
    const e = this.engine;
    if (!e.sessions.some((s) => s.name === entry.session)) e.createSession(entry.session);
    let r;
    e.tracer.seq = 0;
    try { r = e.execute(entry.session, entry.sql, { chunked: true }); } catch (err) {
      const result: StepResult = { entry, outcomes: [], clock: e.clock.now, rejected: (err as Error).message };
      this.book(entryKey(entry), result, walBefore, true);
      return { result, state: this.stateSync() };
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
    const result: StepResult = { entry: recorded, outcomes: [r.outcome, ...outcomes], clock: e.clock.now };
    this.book(entryKey(recorded), result, walBefore, true);
    return { result, state: this.stateSync() };
  }

  async cancel() { this.cancelRequested = true; }

  async state() { return this.stateSync(); }

  async explain(table: string, blk: number, off: number, session: string): Promise<string> {
    const t = tableByDisplayName(this.engine, table);
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

  private applySync(entry: LogEntry, e: Engine = this.engine): StepResult {
    e.tracer.seq = 0; // event numbers start again with every step (stateAt replays a step to one of them)
    try {
      switch (entry.kind) {
        case 'sql': {
          if (typeof entry.sql !== 'string' || entry.sql.length > 1_000_000) throw new Error('a statement must be a string of at most 1 MB');
          if (typeof entry.session !== 'string' || !SESSION_NAME.test(entry.session)) throw new Error('a session name must be 1 to 32 letters, digits or _ (not starting with a digit)');
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
            case 'configure': {
              const m = /^([a-z_][a-z0-9_]*)=(.+)$/.exec(entry.arg ?? '');
              if (!m) throw new Error('configure needs name=value');
              e.configure({ [m[1]!]: m[2]! });
              return { entry, outcomes: [], clock: e.clock.now };
            }
            case 'consume_xids': return { entry, outcomes: e.consumeXids(Number(entry.arg)), clock: e.clock.now };
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

  private stateSync(e: Engine = this.engine): EngineState {
    const tableStates: TableState[] = tables(e).map((ts) => {
      const t = tableByDisplayName(e, ts.name)!;
      const from = Math.min(this.pageFrom, Math.max(0, t.heap.pages.length - 1));
      const detail = Math.max(0, Math.min(t.heap.pages.length - from, PAGE_WINDOW));
      return {
        ...ts,
        pageViews: Array.from({ length: detail }, (_, b) => heapPage(t, from + b, MAX_ITEMS_PER_PAGE)),
        pageSummaries: t.heap.pages.map((p) => ({ blkno: p.blkno, items: p.items.length, free: p.upper - p.lower })),
        indexViews: t.indexes.map((i) => ({ name: i.name, entries: indexEntries(t, i.name, MAX_INDEX_ENTRIES), count: i.count })),
      };
    });
    // dead to everyone: deleted or updated by a transaction that committed before the oldest snapshot (the horizon
    // pruning and VACUUM use) — unlike "invisible to this session", no snapshot can ever see it again
    const horizon = removableHorizon(e);
    const deadToAll = new Set<string>();
    for (const ts of tableStates) {
      const t = tableByDisplayName(e, ts.name)!;
      for (const pv of ts.pageViews) {
        t.heap.pages[pv.blkno]!.items.forEach((it, i) => {
          if (it.lpFlags !== 1 || it.infomask & (HEAP_XMAX_INVALID | HEAP_XMAX_LOCK_ONLY)) return;
          const x = updateXidOf(it, e.multis);
          if ((x && x < horizon && e.xacts.clog.didCommit(x)) || (it.xmin < horizon && !e.xacts.clog.didCommit(it.xmin) && !e.xacts.isInProgress(it.xmin))) deadToAll.add(`${ts.name}:${pv.blkno}:${i + 1}`);
        });
      }
    }
    const visibility: EngineState['visibility'] = new Map();
    for (const s of e.sessions) {
      const tx = s.tx;
      const snap = tx?.xactSnapshot ?? e.xacts.snapshot(tx?.xid ?? 0, e.clock.now);
      const ctx = readOnlyContext(e, tx);
      const m = new Map<string, TupleVisibility>();
      for (const ts of tableStates) {
        const t = tableByDisplayName(e, ts.name)!;
        for (const pv of ts.pageViews) {
          pv.items.forEach((_, i) => {
            const item = t.heap.pages[pv.blkno]!.items[i]!;
            if (item.lpFlags !== 1) return;
            const v = satisfiesMVCC({ ...item }, snap, ctx);
            m.set(`${ts.name}:${pv.blkno}:${i + 1}`, { visible: VIS_VISIBLE[v]!, outcome: VIS_NAMES[v] });
          });
        }
      }
      visibility.set(s.name, m);
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
      deps: dependencyGraph(e),
      vacuum: vacuumState(e),
      deadToAll,
      // tables, their indexes, views and sequences, and the system catalogs and views a query's locks name
      relNames: [...e.catalog.tables.values()].flatMap((t) => [[t.oid, t.name] as [number, string],
        ...t.indexes.map((i) => [i.oid, i.name] as [number, string])])
        .concat([...e.catalog.views.values()].map((v) => [v.oid, v.name]), [...e.catalog.sequences.values()].map((q) => [q.oid, q.name]),
          Object.entries(SYSTEM_RELATIONS).map(([n, o]) => [o, n])),
    };
  }
}
