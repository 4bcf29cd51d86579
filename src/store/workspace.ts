/**
 * The workspace store (zustand, vanilla): the only caller of the engine.
 *
 * The workspace is a tree of steps (the deterministic log): each step is a statement sent to a session, a
 * virtual-clock advance, or "wait until this session's statement finishes". The engine state shown is always
 * the state after the `head` step. Jumping to any step replays the log from the root to it on a fresh engine
 * (determinism makes that exact); running a statement from a step that already has successors starts a new
 * branch and keeps the old one. The tree and the editors' text are saved to localStorage after every change,
 * so a reload — or a crashed worker, which is restarted and replayed — loses nothing.
 */
import { createStore } from 'zustand/vanilla';
import { proxy } from 'comlink';
import type { EngineState, LogEntry, StepResult, SessionOutcome, ServerAction } from '../shared/api';
import { startWorker, type EngineClient } from './client';
import { load, save, validateWorkspace, STORAGE_KEY, type SavedWorkspace, type SavedScenario } from './persist';
import { parseSpec, firstPermutation, permutationCount, ScenarioError } from '../engine/scenario/spec';

export interface TimelineNode { id: number; parent: number | null; entry: LogEntry; result: StepResult | null }

export interface Playback { nodeId: number; event: number }

export interface WorkspaceState {
  phase: 'starting' | 'ready' | 'busy' | 'recovering' | 'failed';
  /** a banner: what went wrong or what happened (crash recovered, import refused...) */
  notice: { kind: 'info' | 'error'; text: string } | null;
  sessions: { name: string; text: string }[];
  nodes: Record<number, TimelineNode>;
  head: number | null;
  nextId: number;
  state: EngineState | null;
  playback: Playback | null;
  selectedSession: string;
  selectedTuple: { table: string; blk: number; off: number } | null;
  explanation: string | null;
  scenario: SavedScenario | null;
  /** a bulk statement in progress (rows done of total) */
  progress: { session: string; done: number; total: number } | null;
  timings: { readyMs: number | null; lastStepMs: number | null; lastJumpMs: number | null };
}

export const MAX_SESSIONS = 4;
const DEFAULT_SESSIONS = [
  { name: 's1', text: "CREATE TABLE products(id int PRIMARY KEY, state int, val int);\nINSERT INTO products VALUES (123, 1, 5);\n\nBEGIN ISOLATION LEVEL REPEATABLE READ;\nSELECT * FROM products WHERE state = 1;\n\nSELECT * FROM products WHERE state = 1;\nCOMMIT;\n" },
  { name: 's2', text: 'BEGIN;\nINSERT INTO products (id, state, val) VALUES (124, 1, 3);\nUPDATE products SET val = 4 WHERE id = 123;\nCOMMIT;\n' },
];

export function pathTo(nodes: Record<number, TimelineNode>, id: number | null): TimelineNode[] {
  const out: TimelineNode[] = [];
  for (let n = id === null ? undefined : nodes[id]; n; n = n.parent === null ? undefined : nodes[n.parent]) out.push(n);
  return out.reverse();
}

/** The latest outcome of each session along the path to head (what its result pane shows). */
export function latestOutcomes(nodes: Record<number, TimelineNode>, head: number | null): Record<string, SessionOutcome> {
  const out: Record<string, SessionOutcome> = {};
  for (const n of pathTo(nodes, head)) for (const o of n.result?.outcomes ?? []) out[o.session] = o;
  return out;
}

export function createWorkspace(opts: { storage?: Storage; client?: () => EngineClient; now?: () => number } = {}) {
  const storage = opts.storage ?? (typeof localStorage !== 'undefined' ? localStorage : undefined);
  const now = opts.now ?? (() => performance.now());
  const makeClient = opts.client ?? startWorker;
  let client: EngineClient | null = null;
  let queue: Promise<unknown> = Promise.resolve();

  const store = createStore<WorkspaceState>(() => ({
    phase: 'starting', notice: null, sessions: DEFAULT_SESSIONS.map((s) => ({ ...s })), nodes: {}, head: null, nextId: 1,
    state: null, playback: null, selectedSession: 's1', selectedTuple: null, explanation: null, scenario: null, progress: null,
    timings: { readyMs: null, lastStepMs: null, lastJumpMs: null },
  }));
  const get = store.getState, set = store.setState;

  const persist = () => {
    if (!storage) return;
    const s = get();
    const w: SavedWorkspace = {
      version: 1, sessions: s.sessions, head: s.head, scenario: s.scenario,
      nodes: Object.values(s.nodes).sort((a, b) => a.id - b.id).map((n) => ({ id: n.id, parent: n.parent, entry: n.entry })),
    };
    save(storage, w);
  };

  /** Serialise engine calls: one at a time, in order. */
  const serial = <T>(f: () => Promise<T>): Promise<T> => {
    const p = queue.then(f, f);
    queue = p.catch(() => undefined);
    return p;
  };

  const connect = async () => {
    client?.terminate();
    client = makeClient();
    client.onCrash((reason) => { void recover(reason); });
    const t0 = now();
    await client.api.ready();
    return now() - t0;
  };

  const replayTo = async (head: number | null, also: Partial<WorkspaceState> = {}) => {
    const path = pathTo(get().nodes, head);
    const t0 = now();
    const resultsFor = path.map((n, i) => (n.result ? -1 : i)).filter((i) => i >= 0);
    const { results, state } = await client!.api.replay(get().sessions.map((s) => s.name), path.map((n) => n.entry), { resultsFor });
    const nodes = { ...get().nodes };
    path.forEach((n, i) => { if (results[i]) nodes[n.id] = { ...n, result: results[i]! }; });
    set({ nodes, head, state, timings: { ...get().timings, lastJumpMs: now() - t0 }, ...also }); // one render for the whole jump
  };

  let crashes = 0;
  const recover = async (reason: string) => {
    if (++crashes > 3) {
      set({ phase: 'failed', notice: { kind: 'error', text: `The engine keeps stopping (${reason}). Your workspace is saved; reload the page to try again.` } });
      return;
    }
    set({ phase: 'recovering', notice: { kind: 'error', text: `The engine stopped (${reason}). Restarting it and replaying your ${pathTo(get().nodes, get().head).length} steps — nothing you typed is lost.` } });
    try {
      await connect();
      await replayTo(get().head);
      set({ phase: 'ready', notice: { kind: 'info', text: `The engine crashed (${reason}) and was restarted; your workspace was replayed.` } });
    } catch (e) {
      set({ phase: 'failed', notice: { kind: 'error', text: `The engine could not be restarted: ${(e as Error).message}` } });
    }
  };

  const applyEntry = (entry: LogEntry) => serial(async () => {
    if (!client || (get().phase !== 'ready' && get().phase !== 'busy')) return null;
    set({ phase: 'busy' });
    const t0 = now();
    try {
      const onProgress = proxy((p: { session: string; done: number; total: number }) => set({ progress: p }));
      const { result, state } = await client.api.apply(entry, onProgress);
      const id = get().nextId;
      // the host may return the entry amended (a cancelled bulk statement records where it was cancelled)
      const node: TimelineNode = { id, parent: get().head, entry: result.entry, result };
      set({
        progress: null,
        nodes: { ...get().nodes, [id]: node }, head: id, nextId: id + 1, state, phase: 'ready',
        playback: { nodeId: id, event: 0 }, timings: { ...get().timings, lastStepMs: now() - t0 },
        notice: result.rejected ? { kind: 'error', text: result.rejected } : get().notice?.kind === 'error' ? null : get().notice,
      });
      persist();
      return result;
    } catch (e) {
      set({ phase: 'ready', progress: null, notice: { kind: 'error', text: `The step could not be run: ${(e as Error).message}` } });
      return null;
    }
  });

  const actions = {
    async init() {
      let restored: SavedWorkspace | null = null;
      if (storage) {
        const { workspace, error } = load(storage);
        if (error) {
          try { storage.setItem(`${STORAGE_KEY}.broken`, storage.getItem(STORAGE_KEY) ?? ''); } catch { /* ignore */ }
          set({ notice: { kind: 'error', text: error } });
        }
        restored = workspace;
      }
      if (restored) {
        const nodes: Record<number, TimelineNode> = {};
        for (const n of restored.nodes) nodes[n.id] = { ...n, result: null };
        set({ sessions: restored.sessions, nodes, head: restored.head, nextId: Math.max(0, ...restored.nodes.map((n) => n.id)) + 1, scenario: restored.scenario ?? null, selectedSession: restored.sessions[0]!.name });
      }
      try {
        const readyMs = await connect();
        set({ timings: { ...get().timings, readyMs } });
        await serial(() => replayTo(get().head));
        set({ phase: 'ready' });
      } catch (e) {
        set({ phase: 'failed', notice: { kind: 'error', text: `The engine did not start: ${(e as Error).message}` } });
      }
    },
    run: (session: string, sql: string) => applyEntry({ kind: 'sql', session, sql }),
    advance: (ms: number) => applyEntry({ kind: 'advance', ms }),
    waitFor: (session: string) => applyEntry({ kind: 'wait', session }),
    /** crash (now or at a micro-point), restart, checkpoint, background writer, full_page_writes */
    server: (action: ServerAction, arg?: string) => applyEntry({ kind: 'server', action, ...(arg !== undefined ? { arg } : {}) }),
    setText(name: string, text: string) {
      set({ sessions: get().sessions.map((s) => (s.name === name ? { ...s, text } : s)) });
      persist();
    },
    addSession() {
      const s = get().sessions;
      if (s.length >= MAX_SESSIONS) return;
      let i = s.length + 1;
      while (s.some((x) => x.name === `s${i}`)) i++;
      set({ sessions: [...s, { name: `s${i}`, text: '' }] });
      persist();
    },
    removeSession(name: string) {
      const s = get().sessions;
      if (s.length <= 1) return;
      const used = pathTo(get().nodes, get().head).some((n) => 'session' in n.entry && n.entry.session === name);
      if (used) { set({ notice: { kind: 'error', text: `Session ${name} has steps in the timeline; it can be removed only from an empty workspace (use Reset).` } }); return; }
      set({ sessions: s.filter((x) => x.name !== name), selectedSession: s.find((x) => x.name !== name)!.name });
      persist();
    },
    jumpTo: (id: number | null) => serial(async () => {
      if (!client) return;
      set({ phase: 'busy' });
      await replayTo(id, { phase: 'ready', playback: id === null ? null : { nodeId: id, event: 0 } });
      persist();
    }),
    reset: () => serial(async () => {
      set({ nodes: {}, head: null, nextId: 1, scenario: null, playback: null, selectedTuple: null, explanation: null });
      await replayTo(null);
      persist();
    }),
    selectSession: (name: string) => set({ selectedSession: name }),
    setPlayback: (p: Playback | null) => set({ playback: p }),
    dismissNotice: () => set({ notice: null }),
    async explain(table: string, blk: number, off: number) {
      set({ selectedTuple: { table, blk, off } });
      const text = await serial(() => client!.api.explain(table, blk, off, get().selectedSession));
      set({ explanation: text });
    },
    /** Load an isolation-tester .spec: sessions, setup, and the first permutation queued as steps (the others,
     *  possibly billions of interleavings, are only counted: nothing enumerates them). */
    loadScenario: (text: string, name = 'scenario') => serial(async () => {
      let sc;
      try { sc = parseSpec(text, name); } catch (e) {
        set({ notice: { kind: 'error', text: e instanceof ScenarioError ? `Could not load ${e.message}` : `Could not load ${name}: ${(e as Error).message}` } });
        return false;
      }
      if (sc.sessions.length > MAX_SESSIONS) { set({ notice: { kind: 'error', text: `${name} has ${sc.sessions.length} sessions; the workspace shows at most ${MAX_SESSIONS}.` } }); return false; }
      const q: LogEntry[] = [];
      for (const sql of sc.setup) q.push({ kind: 'sql', session: 'setup', sql });
      for (const s of sc.sessions) if (s.setup) q.push({ kind: 'sql', session: s.name, sql: s.setup });
      for (const item of firstPermutation(sc)) {
        q.push(item.kind === 'advance' ? { kind: 'advance', ms: item.ms }
          : item.kind === 'server' ? { kind: 'server', action: item.action, ...(item.arg !== undefined ? { arg: item.arg } : {}) }
            : { kind: 'sql', session: item.step.session, sql: item.step.sql });
      }
      set({
        sessions: sc.sessions.map((s) => ({ name: s.name, text: s.steps.map((st) => st.sql).join('\n') + '\n' })),
        nodes: {}, head: null, nextId: 1, scenario: { name, queue: q, position: 0 }, selectedSession: sc.sessions[0]!.name,
        playback: null, notice: { kind: 'info', text: `Loaded ${name}: ${q.length} steps queued (first of ${permutationCount(sc).toLocaleString('en-US')} permutation${permutationCount(sc) === 1n ? '' : 's'}). Use "Next step".` },
      });
      await replayTo(null);
      persist();
      return true;
    }),
    /** Run the next queued scenario step (waiting for its session first, as the isolation tester does). */
    async nextScenarioStep() {
      const sc = get().scenario;
      if (!sc || sc.position >= sc.queue.length) return null;
      const entry = sc.queue[sc.position]!;
      if (entry.kind === 'sql' && get().state?.sessions.find((s) => s.name === entry.session)?.state === 'active') {
        return applyEntry({ kind: 'wait', session: entry.session });
      }
      set({ scenario: { ...sc, position: sc.position + 1 } });
      return applyEntry(entry);
    },
    /** The workspace as a scenario file (.spec): setup, one session per column, the path to head as a permutation. */
    exportScenario(): string {
      const path = pathTo(get().nodes, get().head);
      const setup = path.filter((n) => n.entry.kind === 'sql' && n.entry.session === 'setup').map((n) => (n.entry as { sql: string }).sql);
      const steps = new Map<string, { name: string; sql: string }[]>();
      const perm: string[] = [];
      for (const s of get().sessions) steps.set(s.name, []);
      for (const n of path) {
        const e = n.entry;
        if (e.kind === 'advance') { perm.push(`+${e.ms}ms`); continue; }
        if (e.kind === 'server') {
          if (e.action === 'full_page_writes') continue; // not expressible in a .spec (a server setting)
          perm.push(`@${e.action}${e.arg !== undefined && e.arg !== 'now' ? `:${e.arg}` : ''}`);
          continue;
        }
        if (e.kind !== 'sql' || e.session === 'setup') continue;
        const list = steps.get(e.session) ?? [];
        steps.set(e.session, list);
        const name = `${e.session}_${list.length + 1}`;
        list.push({ name, sql: e.sql });
        perm.push(name);
      }
      let out = '# exported from Heapscope\n';
      for (const sql of setup) out += `setup { ${sql} }\n`;
      for (const [sess, list] of steps) {
        if (!list.length) continue;
        out += `\nsession ${sess}\n`;
        for (const st of list) out += `step ${st.name} { ${st.sql} }\n`;
      }
      if (perm.length) out += `\npermutation ${perm.join(' ')}\n`;
      return out;
    },
    /** Import a saved workspace (JSON) — validated first; the current workspace is untouched on error. */
    importWorkspace: (text: string) => serial(async () => {
      let x: unknown;
      try { x = JSON.parse(text); } catch (e) { set({ notice: { kind: 'error', text: `Not a workspace file: ${(e as Error).message}` } }); return false; }
      const err = validateWorkspace(x);
      if (err) { set({ notice: { kind: 'error', text: `Not a valid workspace file: ${err}. Your current workspace is unchanged.` } }); return false; }
      const w = x as SavedWorkspace;
      const nodes: Record<number, TimelineNode> = {};
      for (const n of w.nodes) nodes[n.id] = { ...n, result: null };
      set({ sessions: w.sessions, nodes, head: w.head, nextId: Math.max(0, ...w.nodes.map((n) => n.id)) + 1, scenario: w.scenario ?? null, selectedSession: w.sessions[0]!.name });
      await replayTo(w.head);
      persist();
      return true;
    }),
    exportWorkspace(): string {
      const s = get();
      return JSON.stringify({ version: 1, sessions: s.sessions, head: s.head, scenario: s.scenario, nodes: Object.values(s.nodes).map((n) => ({ id: n.id, parent: n.parent, entry: n.entry })) }, null, 1);
    },
    /** Show heap pages from this block on (the engine sends a window of pages in full). */
    setPageWindow: (from: number) => serial(async () => {
      if (!client) return;
      const state = await client.api.setPageWindow(Math.max(0, from));
      set({ state });
    }),
    /** Cancel the bulk statement that is running (it fails with 57014 and its transaction aborts). */
    async cancel() { if (get().progress) await client?.api.cancel(); },
    /** test hook: simulate a crash of the engine worker */
    simulateCrash() { void recover('simulated crash'); },
  };
  return { store, actions };
}

export type Workspace = ReturnType<typeof createWorkspace>;
