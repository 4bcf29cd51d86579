/**
 * The workspace store (zustand, vanilla): the only caller of the engine.
 *
 * The workspace is a tree of steps (the deterministic log): each step is a statement sent to a session, a
 * virtual-clock advance, or "wait until this session's statement finishes". The engine state shown is always
 * the state after the `head` step. Jumping to any step replays the log from the root to it on a fresh engine
 * (determinism makes that exact); running a statement from a step that already has successors starts a new
 * branch and keeps the old one. The tree and the editors' text are saved to localStorage after every change,
 * so a reload — or a crashed worker, which is restarted and replayed — loses nothing.
 *
 * A loaded scenario and a lesson are scripts over the timeline: each node a script step applies is tagged with that
 * step's number, and the position ("Next step (3/8)", the lesson step shown) is derived from the tags on the path
 * to head (script.ts), so after any jump it still names the right next step. Storage keeps several workspaces
 * apart (slots: the free workspace, each lesson); `openSlot` switches between them.
 *
 * Long timelines (tens of thousands of steps) stay cheap: a jump asks the engine for the target step's result only;
 * the rest of what the page shows comes back in compact form (a mark per step for the timeline, each session's
 * latest outcome for its result pane); saving writes only what changed (persist.ts). Nodes and outcomes are kept in
 * Maps: node ids and session names come from files and people.
 */
import { eventSlots } from './slots';
import { createStore } from 'zustand/vanilla';
import { proxy } from 'comlink';
import { markOf, markFromChar, SESSION_NAME, type EngineState, type LogEntry, type SessionOutcome, type ServerAction, type StepResult } from '../shared/api';
import { startWorker, type EngineClient } from './client';
import { load, validateWorkspace, nextIdAfter, WorkspaceSaver, MAX_NODES, HEADER_KEY, type SavedWorkspace, type SavedScenario, type SavedNode, type SavedLesson } from './persist';
import { scenarioPosition } from './script';
import { toSpec, SpecExportError } from './specExport';
import { payloadOf, encodeShare, type Encoded, type Shared } from './share';
import { parseSpec, firstPermutation, permutationCount, ScenarioError } from '../scenario/spec';

import { Nodes, pathTo, type TimelineNode } from './nodes';

export { pathTo, type TimelineNode };

/**
 * Where the event player is: a step and one of its events. `scrub`: the learner is stepping through the events, so
 * the views show the state as of that event (`shown`); without it they show the state after the step.
 */
export interface Playback { nodeId: number; event: number; scrub?: boolean }

export interface WorkspaceState {
  phase: 'starting' | 'ready' | 'busy' | 'recovering' | 'failed';
  /** a banner: what went wrong or what happened (crash recovered, import refused...) */
  notice: { kind: 'info' | 'error'; text: string } | null;
  sessions: { name: string; text: string }[];
  /** the tree of steps, in the order they were made (a parent before its children) */
  nodes: Nodes;
  head: number | null;
  nextId: number;
  state: EngineState | null;
  /** the state as of the played event (Playback.scrub), replayed to that event by the engine; null: `state` */
  shown: EngineState | null;
  /** each session's latest outcome along the path to head (what its result pane shows) */
  latest: ReadonlyMap<string, SessionOutcome>;
  playback: Playback | null;
  selectedSession: string;
  /** the view open below the sessions (a name of ui/look.ts's VIEW_NAMES; a shared link carries it) */
  view: string;
  selectedTuple: { table: string; blk: number; off: number } | null;
  explanation: string | null;
  scenario: SavedScenario | null;
  /** the engine creates the "setup" connection first (pid 1001, then the sessions), as the recordings number backends */
  controlFirst: boolean;
  /** the lesson played in this workspace (store/player.ts) */
  lesson: SavedLesson | null;
  /** the storage slot (header key) this workspace is saved under */
  slot: string;
  /** a bulk statement in progress (rows done of total) */
  progress: { session: string; done: number; total: number } | null;
  timings: { readyMs: number | null; lastStepMs: number | null; lastJumpMs: number | null; lastEventMs?: number | null };
}

export const MAX_SESSIONS = 4;
/** a jump brings back the results of this many steps before its target (the sessions' scrollback) */
export const HISTORY_BACK = 24;
const DEFAULT_SESSIONS = [
  { name: 's1', text: 'CREATE TABLE products(id int PRIMARY KEY, state int, val int);\nINSERT INTO products VALUES (123, 1, 5);\n\nBEGIN ISOLATION LEVEL REPEATABLE READ;\nSELECT * FROM products WHERE state = 1;\n\nSELECT * FROM products WHERE state = 1;\nCOMMIT;\n' },
  { name: 's2', text: 'BEGIN;\nINSERT INTO products (id, state, val) VALUES (124, 1, 3);\nUPDATE products SET val = 4 WHERE id = 123;\nCOMMIT;\n' },
];

const EMPTY_LATEST: ReadonlyMap<string, SessionOutcome> = new Map();
const toSaved = (n: TimelineNode): SavedNode => (n.step === undefined ? { id: n.id, parent: n.parent, entry: n.entry }
  : { id: n.id, parent: n.parent, entry: n.entry, step: n.step });
const fromSaved = (nodes: readonly SavedNode[]) => Nodes.of(nodes.map((n) => ({ id: n.id, parent: n.parent, entry: n.entry, result: null, mark: null,
  ...(n.step !== undefined ? { step: n.step } : {}) })));
/** the engine's sessions, in the order their backends are made */
export const backendsOf = (s: Pick<WorkspaceState, 'sessions' | 'controlFirst'>) => (s.controlFirst ? ['setup', ...s.sessions.map((x) => x.name)] : s.sessions.map((x) => x.name));
/** A step's outcomes gathered over the entries that ran it (a wait, then its statement). */
export interface StepsResult { result: StepResult; ok: boolean }
/** how big a file Open… reads */
export const MAX_FILE_BYTES = 5_000_000;

export function createWorkspace(opts: { storage?: Storage; client?: () => EngineClient; now?: () => number } = {}) {
  const storage = opts.storage ?? (typeof localStorage !== 'undefined' ? localStorage : undefined);
  const now = opts.now ?? (() => performance.now());
  const makeClient = opts.client ?? startWorker;
  let client: EngineClient | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  /** the event player's latest request (older ones still queued are skipped) */
  let eventRequest = 0;
  /** settles once init has started the engine (or failed to) */
  let started!: () => void;
  const startedP = new Promise<void>((res) => { started = res; });

  const store = createStore<WorkspaceState>(() => ({
    phase: 'starting', notice: null, sessions: DEFAULT_SESSIONS.map((s) => ({ ...s })), nodes: Nodes.empty(), head: null, nextId: 1,
    state: null, shown: null, latest: EMPTY_LATEST, playback: null, selectedSession: 's1', view: 'Heap', selectedTuple: null, explanation: null, scenario: null, progress: null,
    controlFirst: false, lesson: null, slot: HEADER_KEY,
    timings: { readyMs: null, lastStepMs: null, lastJumpMs: null },
  }));
  const get = store.getState, set = store.setState;

  let saver: WorkspaceSaver | null = storage ? new WorkspaceSaver(storage) : null;
  let storageFull: string | null = null;
  const header = () => {
    const s = get(); return { sessions: s.sessions, head: s.head, scenario: s.scenario, controlFirst: s.controlFirst, lesson: s.lesson };
  };
  /**
   * The scenario's position follows the head (kept in the state for the toolbar, and saved: older versions of the app
   * read it). After a jump it is read from the path; a new node moves it only if it is tagged (O(1) per step).
   */
  const syncScenario = (added?: TimelineNode) => {
    const sc = get().scenario;
    if (!sc) return;
    let position: number;
    if (added) {
      if (added.step === undefined) return;
      position = scenarioPosition([added], sc.queue);
    } else {
      const nodes = get().nodes;
      let anyTagged = false;
      for (const n of nodes.values()) if (n.step !== undefined) { anyTagged = true; break; }
      position = scenarioPosition(pathTo(nodes, get().head), sc.queue, sc.position, anyTagged);
    }
    if (position !== sc.position) set({ scenario: { ...sc, position } });
  };
  /** after a save: tell once when the storage is full, and take the message back when saving works again */
  const saved = (problem: string | null) => {
    if (problem && !storageFull) set({ notice: { kind: 'error', text: problem } });
    if (!problem && storageFull && get().notice?.text === storageFull) set({ notice: null });
    storageFull = problem;
  };
  /** save what changed: the header (sessions, head, scenario), one new node, or a whole new timeline */
  const persist = () => { if (saver) saved(saver.save(header())); };
  const persistNode = (n: TimelineNode) => { if (saver) saved(saver.append(header(), toSaved(n))); };
  const persistAll = () => { if (saver) saved(saver.replaceAll(header(), [...get().nodes.values()].map(toSaved))); };

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

  const replayTo = async (head: number | null, also: Partial<WorkspaceState> = {}, resultsBack = 1) => {
    const path = pathTo(get().nodes, head);
    const t0 = now();
    // only the target's result (for the player; a lesson asks for its step's few); marks and latest outcomes come for every step anyway
    const resultsFor: number[] = [];
    // results for the last HISTORY_BACK steps too, so each session's scrollback shows its recent statements' results
    for (let i = Math.max(0, path.length - Math.max(resultsBack, HISTORY_BACK)); i < path.length; i++) if (!path[i]!.result) resultsFor.push(i);
    const { results, state, marks, latest } = await client!.api.replay(backendsOf(get()), path.map((n) => n.entry), { resultsFor });
    const changed: TimelineNode[] = [];
    path.forEach((n, i) => {
      const result = results[i] ?? n.result;
      const mark = result ? markOf(result.outcomes) : markFromChar(marks[i]) ?? n.mark;
      if (result !== n.result || mark !== n.mark) changed.push({ ...n, result, mark });
    });
    set({
      nodes: changed.length ? get().nodes.with(...changed) : get().nodes, head, state, shown: null, latest: new Map(latest.map((o) => [o.session, o])),
      timings: { ...get().timings, lastJumpMs: now() - t0 }, ...also,
    }); // one render for the whole jump
    syncScenario();
  };

  let crashes = 0;
  const recover = async (reason: string) => {
    if (++crashes > 3) {
      set({ phase: 'failed', notice: { kind: 'error', text: `The engine keeps stopping (${reason}). Your workspace is saved; reload the page to try again.` } });
      return;
    }
    set({ phase: 'recovering', notice: { kind: 'error', text: `The engine stopped (${reason}). Restarting it and replaying your ${pathTo(get().nodes, get().head).length} steps — nothing you typed is lost.` } });
    queue = Promise.resolve(); // a call the dead worker never answered must not hold up the ones after it
    try {
      await connect();
      await replayTo(get().head);
      set({ phase: 'ready', notice: { kind: 'info', text: `The engine crashed (${reason}) and was restarted; your workspace was replayed.` } });
    } catch (e) {
      set({ phase: 'failed', notice: { kind: 'error', text: `The engine could not be restarted: ${(e as Error).message}` } });
    }
  };

  const applyEntry = (entry: LogEntry, step?: number) => serial(() => applyNow(entry, step));
  /** apply one entry (inside `serial`); `step` tags the node with the script step it carries out */
  const applyNow = async (entry: LogEntry, step?: number): Promise<StepResult | null> => {
    if (!client || (get().phase !== 'ready' && get().phase !== 'busy')) return null;
    set({ phase: 'busy' });
    const t0 = now();
    try {
      const onProgress = proxy((p: { session: string; done: number; total: number }) => set({ progress: p }));
      const id = get().nextId;
      // validation keeps ids exact (persist.ts: MAX_NODE_ID), so a new id is never one that exists
      const full = get().nodes.size >= MAX_NODES ? `The timeline is full (${MAX_NODES.toLocaleString('en')} steps).`
        : !Number.isSafeInteger(id) || get().nodes.has(id) ? `No step can be added: the step numbers have reached ${id - 1}, the largest a browser counts exactly.` : null;
      if (full) {
        set({ phase: 'ready', notice: { kind: 'error', text: `${full} Save the workspace as .json and start over with Reset.` } });
        return null;
      }
      // a step from a node that already has a continuation starts a new branch (the old one stays)
      const parent = get().head;
      let siblings = 0;
      for (const n of get().nodes.values()) if (n.parent === parent) siblings++;
      const { result, state } = await client.api.apply(entry, onProgress);
      // the host may return the entry amended (a cancelled bulk statement records where it was cancelled)
      const node: TimelineNode = { id, parent: get().head, entry: result.entry, result, mark: markOf(result.outcomes),
        ...(step !== undefined ? { step } : {}) };
      const nodes = get().nodes.with(node);
      const latest = new Map(get().latest);
      for (const o of result.outcomes) latest.set(o.session, o);
      set({
        progress: null,
        nodes, head: id, nextId: id + 1, state, shown: null, latest, phase: 'ready',
        playback: { nodeId: id, event: 0 }, timings: { ...get().timings, lastStepMs: now() - t0 },
        notice: result.rejected ? { kind: 'error', text: result.rejected }
          : siblings > 0 && !get().lesson && step === undefined ? { kind: 'info', text: `New branch: this step leaves ${parent === null ? 'the start' : `step ${pathTo(get().nodes, parent).length}`}, where ${siblings === 1 ? 'another continuation' : `${siblings} other continuations`} already went on. ${siblings === 1 ? 'It stays' : 'They stay'} in the timeline, drawn as a branch under that step.` }
            : get().notice?.kind === 'error' && get().notice?.text !== storageFull ? null : get().notice,
      });
      syncScenario(node);
      persistNode(node);
      return result;
    } catch (e) {
      set({ phase: 'ready', progress: null, notice: { kind: 'error', text: `The step could not be run: ${(e as Error).message}` } });
      return null;
    }
  };

  /** The fields of the state a saved workspace sets. */
  const fromWorkspace = (w: SavedWorkspace, slot: string): Partial<WorkspaceState> => ({
    sessions: w.sessions, nodes: fromSaved(w.nodes), head: w.head, nextId: nextIdAfter(w.nodes), scenario: w.scenario ?? null,
    controlFirst: w.controlFirst ?? false, lesson: w.lesson ?? null, slot, selectedSession: w.sessions[0]!.name,
    playback: w.head === null ? null : { nodeId: w.head, event: 0 }, selectedTuple: null, explanation: null,
  });
  /** The fields a shared link sets: its workspace, the view it had open and the session it had selected. */
  const fromShared = (sh: Shared, slot: string): Partial<WorkspaceState> => {
    const n = sh.workspace.head ?? 0; // the shared path's nodes are numbered 1, 2, 3 … from the start
    return {
      ...fromWorkspace(sh.workspace, slot), ...(sh.view ? { view: sh.view } : {}), ...(sh.session ? { selectedSession: sh.session } : {}),
      notice: { kind: 'info', text: `Opened a shared ${sh.workspace.lesson ? 'lesson' : 'workspace'}: ${n} step${n === 1 ? '' : 's'} replayed to the shared one. It is kept apart from your own: the free workspace and the course are as you left them.` },
    };
  };
  const listenForOtherTabs = () => {
    // another tab saved: write everything afresh next time (the last tab to save wins whole)
    if (typeof window !== 'undefined') window.addEventListener('storage', (e) => { if (e.key === null || (saver && e.key.startsWith(saver.key))) saver?.invalidate(); });
  };

  const actions = {
    /**
     * Start the engine on the workspace saved in this slot (the free workspace unless told otherwise). `shared`
     * replaces what the slot holds (a shared link opened in its own slot: the replay runs once).
     */
    async init(slot = HEADER_KEY, opts: { shared?: Shared; notice?: WorkspaceState['notice'] } = {}) {
      let restored: SavedWorkspace | null = null;
      let legacy = false;
      set({ slot, ...(opts.notice ? { notice: opts.notice } : {}) });
      if (storage) {
        const loaded = opts.shared ? { workspace: null, error: null, gen: 0, legacy: false } : load(storage, slot);
        if (loaded.error) set({ notice: { kind: 'error', text: loaded.error } });
        restored = loaded.workspace;
        legacy = loaded.legacy;
        saver = new WorkspaceSaver(storage, loaded, slot);
        listenForOtherTabs();
      }
      if (opts.shared) {
        set(fromShared(opts.shared, slot)); // the event player at the shared step, as the sender had it
        persistAll();
      } else if (restored) {
        set({ ...fromWorkspace(restored, slot), playback: null });
        if (legacy) persistAll(); // into the chunked layout
        else saver?.adopt(restored);
      }
      try {
        const readyMs = await connect();
        set({ timings: { ...get().timings, readyMs } });
        await serial(() => replayTo(get().head));
        set({ phase: 'ready' });
      } catch (e) {
        set({ phase: 'failed', notice: { kind: 'error', text: `The engine did not start: ${(e as Error).message}` } });
      }
      started();
    },
    /** Resolves once the engine has started (init), whatever the outcome: look at `phase`. */
    whenStarted: () => startedP,
    /**
     * Switch to the workspace saved in another slot (every change to this one is saved already). `fresh` makes the
     * workspace of a slot that holds none yet (or a broken one).
     */
    openSlot: (slot: string, fresh?: () => SavedWorkspace) => serial(async () => {
      if (get().slot === slot && saver?.key === slot) return true;
      const loaded = storage ? load(storage, slot) : { workspace: null, error: null, gen: 0, legacy: false };
      if (storage) saver = new WorkspaceSaver(storage, loaded, slot);
      const w = loaded.workspace ?? fresh?.() ?? { version: 1 as const, sessions: DEFAULT_SESSIONS.map((s) => ({ ...s })), nodes: [], head: null };
      set({ ...fromWorkspace(w, slot), playback: null, notice: loaded.error ? { kind: 'error', text: loaded.error } : get().notice?.kind === 'error' ? null : get().notice });
      if (loaded.workspace && !loaded.legacy) saver?.adopt(loaded.workspace);
      else persistAll();
      if (client) await replayTo(get().head);
      return true;
    }),
    /** Open a shared link's workspace in a slot of its own (what that slot held before is replaced). */
    openShared: (slot: string, sh: Shared) => serial(async () => {
      if (storage) saver = new WorkspaceSaver(storage, { gen: 0 }, slot);
      set(fromShared(sh, slot));
      persistAll();
      if (client) await replayTo(get().head);
    }),
    /** The link data for this workspace (the view open is the UI's), or why there is none. */
    shareData(): Encoded {
      return encodeShare(payloadOf(get(), get().view));
    },
    setView: (view: string) => set({ view }),
    /** Start this slot afresh with a new workspace (a lesson from its beginning). */
    replaceWorkspace: (w: SavedWorkspace) => serial(async () => {
      set({ ...fromWorkspace(w, get().slot), playback: null });
      persistAll();
      if (client) await replayTo(get().head);
    }),
    /** Change the lesson record (where the learner is, what they answered) and save it. */
    setLesson(lesson: SavedLesson | null) {
      set({ lesson });
      persist();
    },
    /**
     * Run a script step: its entries one after another, each node tagged with `step`. The outcomes are gathered
     * (a wait's woken statements, then the statement's own); stops at an entry the engine refuses.
     */
    runSteps: (entries: readonly LogEntry[], step: number) => serial(async (): Promise<StepsResult> => {
      const outcomes: StepResult['outcomes'] = [];
      let last: StepResult | null = null;
      for (const e of entries) {
        const r = await applyNow(e, step);
        if (!r) return { ok: false, result: { entry: e, outcomes, clock: get().state?.clock ?? 0, rejected: 'the step did not run' } };
        last = r;
        outcomes.push(...r.outcomes);
        if (r.rejected) return { ok: false, result: { ...r, outcomes } };
      }
      return { ok: true, result: { entry: last?.entry ?? { kind: 'advance', ms: 0 }, outcomes, clock: last?.clock ?? get().state?.clock ?? 0 } };
    }),
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
    /** Restore the moment after step `id` (null: the start); `resultsBack` steps before it come with their results too. */
    jumpTo: (id: number | null, resultsBack = 1) => serial(async () => {
      if (!client) return;
      set({ phase: 'busy' });
      await replayTo(id, { phase: 'ready', playback: id === null ? null : { nodeId: id, event: 0 } }, resultsBack);
      persist();
    }),
    reset: () => serial(async () => {
      set({ nodes: Nodes.empty(), head: null, nextId: 1, scenario: null, playback: null, selectedTuple: null, explanation: null });
      await replayTo(null);
      persistAll();
    }),
    /** the session whose snapshot the views judge visibility by; the tuple explanation follows it */
    selectSession: (name: string) => {
      set({ selectedSession: name });
      const t = get().selectedTuple;
      if (t && client) void actions.explain(t.table, t.blk, t.off);
    },
    /**
     * Move the event player. With `scrub` the views show the state as of that event: the engine replays the step
     * to it (a burst of key presses asks only for the last one); without, the state after the step.
     */
    setPlayback: (p: Playback | null) => {
      const my = ++eventRequest;
      if (!p?.scrub) { set({ playback: p, shown: null }); return Promise.resolve(); }
      set({ playback: p });
      return serial(async () => {
        if (my !== eventRequest || !client) return;
        const node = get().nodes.get(p.nodeId);
        // every event of the step, also those its trace only counted (store/slots.ts)
        const slot = eventSlots(node?.result).at(p.event);
        if (!node || !slot) { set({ shown: null }); return; }
        const t0 = now();
        const shown = await client.api.stateAt(backendsOf(get()), pathTo(get().nodes, p.nodeId).map((n) => n.entry), slot.seq);
        if (my === eventRequest) set({ shown, timings: { ...get().timings, lastEventMs: now() - t0 } });
      });
    },
    dismissNotice: () => set({ notice: null }),
    notify: (kind: 'info' | 'error', text: string) => set({ notice: { kind, text } }),
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
      const badName = sc.sessions.find((s) => !SESSION_NAME.test(s.name) || s.name === 'setup');
      if (badName) { set({ notice: { kind: 'error', text: `Could not load ${name}: session "${badName.name.slice(0, 40)}" needs another name (1 to 32 letters, digits or _, not starting with a digit, and not "setup").` } }); return false; }
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
        // the setup blocks run on the tester's control connection, made before the sessions (pid 1001)
        controlFirst: true, lesson: null,
        nodes: Nodes.empty(), head: null, nextId: 1, scenario: { name, queue: q, position: 0 }, selectedSession: sc.sessions[0]!.name,
        playback: null, notice: { kind: 'info', text: `Loaded ${name}: ${q.length} steps queued (first of ${permutationCount(sc).toLocaleString('en-US')} permutation${permutationCount(sc) === 1n ? '' : 's'}). Use "Next step".` },
      });
      await replayTo(null);
      persistAll();
      return true;
    }),
    /**
     * Run the next queued scenario step (waiting for its session first, as the isolation tester does). Which step is
     * next is read from the path to head (script.ts), so after a jump it is the one that follows there.
     */
    nextScenarioStep: () => serial(async () => {
      const sc = get().scenario;
      if (!sc || sc.position >= sc.queue.length) return null;
      const entry = sc.queue[sc.position]!;
      if (entry.kind === 'sql' && get().state?.sessions.find((s) => s.name === entry.session)?.state === 'active') {
        return applyNow({ kind: 'wait', session: entry.session }, sc.position);
      }
      return applyNow(entry, sc.position);
    }),
    /**
     * The workspace as a scenario file (.spec): setup, one session per column, the path to head as a permutation.
     * Null (and a notice naming the step) when a statement cannot be written in the isolation tester's format.
     */
    exportScenario(): string | null {
      try {
        return toSpec(pathTo(get().nodes, get().head).map((n) => n.entry), get().sessions.map((s) => s.name));
      } catch (e) {
        if (!(e instanceof SpecExportError)) throw e;
        set({ notice: { kind: 'error', text: `Not exported: ${e.message}.` } });
        return null;
      }
    },
    /** Import a saved workspace (JSON) — validated first; the current workspace is untouched on error. */
    importWorkspace: (text: string, name = 'the file') => serial(async () => {
      let x: unknown;
      try { x = JSON.parse(text); } catch (e) { set({ notice: { kind: 'error', text: `${name} is not a workspace file: ${(e as Error).message}. Your current workspace is unchanged.` } }); return false; }
      const err = validateWorkspace(x);
      if (err) { set({ notice: { kind: 'error', text: `Not a valid workspace file: ${err}. Your current workspace is unchanged.` } }); return false; }
      // a file opens as a free workspace (a lesson's record stays with the lesson)
      const w = { ...(x as SavedWorkspace), lesson: null };
      set(fromWorkspace(w, get().slot));
      await replayTo(w.head);
      const steps = pathTo(get().nodes, w.head).length;
      set({ notice: { kind: 'info', text: `Opened ${name}: ${w.nodes.length.toLocaleString('en')} step${w.nodes.length === 1 ? '' : 's'}, ${steps.toLocaleString('en')} replayed to the current one.` } });
      persistAll();
      return true;
    }),
    exportWorkspace(): string {
      const s = get();
      return JSON.stringify({ version: 1, sessions: s.sessions, head: s.head, scenario: s.scenario, ...(s.controlFirst ? { controlFirst: true } : {}),
        nodes: [...s.nodes.values()].map(toSaved) }, null, 1);
    },
    /** A file chosen with Open…: .json is a workspace, anything else a scenario; too big a file is refused. */
    async openFile(f: { name: string; size: number; text(): Promise<string> }) {
      if (f.size > MAX_FILE_BYTES) {
        set({ notice: { kind: 'error', text: `${f.name} is ${(f.size / 1e6).toFixed(1)} MB; Heapscope opens files up to ${MAX_FILE_BYTES / 1e6} MB. Your current workspace is unchanged.` } });
        return false;
      }
      const text = await f.text();
      return f.name.endsWith('.json') ? actions.importWorkspace(text, f.name) : actions.loadScenario(text, f.name);
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
