/**
 * EngineHost: the EngineApi over one in-process Engine. The Web Worker exposes exactly this object through
 * comlink (src/worker); tests and the command line use it directly.
 *
 * The host keeps the deterministic log's semantics: `replay` builds a fresh engine from a list of entries —
 * that is how time travel, branches, reloads and recovery from a crashed worker all work.
 */
import { Engine } from './engine.js';
import { initParser } from './sql/parser.js';
import { PgError } from './errors.js';
import { heapPage, indexEntries, sessions, locks, clog, wal, tables } from './inspect/inspect.js';
import { explainVisibility, satisfiesMVCC, VIS_VISIBLE, VIS_NAMES } from './visibility/visibility.js';
import type { EngineApi, EngineState, LogEntry, StepResult, TableState } from '../shared/api.js';

const MAX_DETAIL_PAGES = 24;
const MAX_INDEX_ENTRIES = 400;
const WAL_TAIL = 300;

export class EngineHost implements EngineApi {
  private engine = new Engine();

  async ready() {
    await initParser();
    return { ok: true as const };
  }

  async replay(sessionNames: string[], log: LogEntry[]) {
    await initParser();
    this.engine = new Engine();
    for (const n of sessionNames) this.engine.createSession(n);
    const results = log.map((e) => this.applySync(e));
    return { results, state: this.stateSync() };
  }

  async apply(entry: LogEntry) {
    await initParser();
    const result = this.applySync(entry);
    return { result, state: this.stateSync() };
  }

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
    const ctx = { myXid: tx?.xid ?? 0, curcid: tx?.curcid ?? 0, combos: tx?.combos ?? [], clog: this.engine.xacts.clog, isInProgress: (x: number) => this.engine.xacts.isInProgress(x) };
    const v = satisfiesMVCC(copy, snap, ctx);
    const which = tx?.xactSnapshot ? `${session}'s transaction snapshot` : `a new statement snapshot of ${session}`;
    return `Seen with ${which} ${snap.xmin}:${snap.xmax}:${snap.xip.join(',')} — ${explainVisibility(v, copy, snap, session)}`;
  }

  private applySync(entry: LogEntry): StepResult {
    const e = this.engine;
    try {
      switch (entry.kind) {
        case 'sql': {
          if (typeof entry.sql !== 'string' || entry.sql.length > 1_000_000) throw new Error('a statement must be a string of at most 1 MB');
          if (!e.sessions.some((s) => s.name === entry.session)) e.createSession(entry.session);
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
      const detail = Math.min(t.heap.pages.length, MAX_DETAIL_PAGES);
      const ie: Record<string, ReturnType<typeof indexEntries>> = {};
      const ic: Record<string, number> = {};
      for (const i of t.indexes) {
        const all = i.count <= MAX_INDEX_ENTRIES ? indexEntries(t, i.name) : indexEntries(t, i.name).slice(0, MAX_INDEX_ENTRIES);
        ie[i.name] = all;
        ic[i.name] = i.count;
      }
      return {
        ...ts,
        pageViews: Array.from({ length: detail }, (_, b) => heapPage(t, b)),
        pageSummaries: t.heap.pages.map((p) => ({ blkno: p.blkno, items: p.items.length, free: p.upper - p.lower })),
        indexEntries: ie, indexEntryCount: ic,
      };
    });
    const visibility: EngineState['visibility'] = {};
    for (const s of e.sessions) {
      const tx = s.tx;
      const snap = tx?.xactSnapshot ?? e.xacts.snapshot(tx?.xid ?? 0, e.clock.now);
      const ctx = { myXid: tx?.xid ?? 0, curcid: tx?.curcid ?? 0, combos: tx?.combos ?? [], clog: e.xacts.clog, isInProgress: (x: number) => e.xacts.isInProgress(x) };
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
    return {
      visibility,
      clock: e.clock.now, nextXid: e.xacts.nextXid, sessions: sessions(e), tables: tableStates, locks: locks(e),
      clog: clog(e).slice(-200), wal: wal(e, Math.max(0, walCount - WAL_TAIL), walCount), walCount,
      walInsert: e.wal.record(Math.max(0, walCount - 1))?.endLsn ?? '0/0',
      timers: e.clock.pending().map((t) => ({ at: t.at, session: e.sessions[t.session]?.name ?? '?', kind: t.kind })),
    };
  }
}
