/**
 * Saving the workspace: sessions (with their editor text) and the timeline (the deterministic log as a tree
 * of steps). Everything is validated on the way in; invalid data is reported, never half-loaded.
 *
 * In localStorage the workspace is a header (head, how many nodes, the scenario's position) and, under keys of their
 * own, the sessions with their texts, the scenario's queue and the nodes in chunks of CHUNK (each node a compact
 * row). Running a step rewrites the last chunk and the header, typing in an editor the sessions: saving costs the
 * same at step 50,000 as at step 5 (writing the whole workspace on every step and every keystroke did not). The rows
 * are compact because the browser gives a page about 5 million characters of localStorage; when even that is full the
 * store says so (nothing is lost in memory, and "Save .json" keeps it). The older one-key layout (STORAGE_KEY) is still
 * read, and replaced.
 *
 * Files (Save .json / Open…) keep the plain layout, SavedWorkspace, validated by the same function.
 *
 * Storage holds several workspaces side by side, each under a header key of its own (a *slot*): the free workspace
 * under HEADER_KEY, each lesson under lessonSlotKey(id), a shared link under SHARED_KEY or SHARED_LESSON_KEY. A slot's
 * sweeps touch only its own keys. An embed (src/ui/embed) keeps all of its slots under a prefix of its own
 * (nsstorage.ts).
 *
 * A node may carry `step`: the scenario queue index or the lesson step it applied (-1: a lesson's setup). The
 * position in a scenario or a lesson is derived from the tags on the path to the current step (store/script.ts),
 * so it can never disagree with the timeline.
 */
import { type LogEntry, CRASH_POINT_CHOICES, SESSION_NAME } from '../shared/api';

export interface SavedNode {
  id: number; parent: number | null; entry: LogEntry;
  /** the scenario queue index or lesson step this node applied (-1: a lesson's setup) */ step?: number;
}
export interface SavedWorkspace {
  version: 1; sessions: { name: string; text: string }[]; nodes: SavedNode[]; head: number | null; scenario?: SavedScenario | null;
  /** the engine creates the "setup" connection before the sessions (pid 1001, as the recordings number backends); absent: created when first used */
  controlFirst?: boolean;
  lesson?: SavedLesson | null;
}
/** `position` is what older saves counted; the position is now derived from the nodes' tags (store/script.ts) */
export interface SavedScenario { name: string; queue: LogEntry[]; position: number }
/** A lesson being played in this workspace: which one, where the learner is, and what they answered. */
export interface SavedLesson {
  id: string;
  /** a hash of the lesson's text: a lesson changed since is started afresh */
  hash: string;
  /** 'bundled' (in the app) or 'file' (opened with Open…; its text is kept beside the slot) */
  source: 'bundled' | 'file';
  /** the step shown: -1 the introduction, steps.length the summary (clamped to the timeline by store/script.ts) */
  cursor: number;
  /** predict answers: the choice picked, whether it was right (judged on the engine), the choice that was */
  answers: { step: number; choice: number; right: boolean; truth: number }[];
  /** tasks finished: by the learner's own SQL, or by the instructor's solution */
  tasks: { step: number; how: 'reached' | 'solution' }[];
}

/** the older layout: everything under one key */
export const STORAGE_KEY = 'heapscope.workspace.v1';
/** the header; chunk k of generation g of the nodes is under `${HEADER_KEY}.${g}.${k}`,
 * its sessions and scenario queue under `${HEADER_KEY}.${g}.sessions` and `….scenario` */
export const HEADER_KEY = 'heapscope.workspace.v2';
const FREE_KEY = HEADER_KEY; // the free workspace's slot
/** the slot of a lesson from the app; a lesson opened as a file has one slot of its own */
export const lessonSlotKey = (id: string) => `heapscope.lesson.v2.${id}`;
export const FILE_LESSON_KEY = 'heapscope.lessonfile.v2';
/** the slots a shared link opens in (store/share.ts), apart from the visitor's own workspace and lessons */
export const SHARED_KEY = 'heapscope.shared.v2';
export const SHARED_LESSON_KEY = 'heapscope.sharedlesson.v2';
export const CHUNK = 500;
export const MAX_NODES = 100_000;
/** node ids are whole numbers up to this, so that the next id (the largest + 1) is still exact in a double */
export const MAX_NODE_ID = Number.MAX_SAFE_INTEGER - 1;
const MAX_TEXT = 1_000_000;

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isSession = (x: unknown) => typeof x === 'string' && SESSION_NAME.test(x);

export function validEntry(e: unknown): e is LogEntry {
  if (!isObj(e)) return false;
  if (e.kind === 'sql') return isSession(e.session) && typeof e.sql === 'string' && e.sql.length <= MAX_TEXT && (e.cancelAfterChunks === undefined || (Number.isSafeInteger(e.cancelAfterChunks) && (e.cancelAfterChunks as number) >= 1));
  if (e.kind === 'advance') return typeof e.ms === 'number' && Number.isFinite(e.ms) && e.ms >= 0 && e.ms <= 86_400_000;
  if (e.kind === 'wait') return isSession(e.session);
  if (e.kind === 'server') {
    if (e.action === 'crash') return e.arg === undefined || (CRASH_POINT_CHOICES as readonly string[]).includes(e.arg as string);
    if (e.action === 'restart') return e.arg === undefined || (typeof e.arg === 'string' && /^\d{1,7}$/.test(e.arg));
    if (e.action === 'full_page_writes') return e.arg === 'on' || e.arg === 'off';
    if (e.action === 'configure') return typeof e.arg === 'string' && /^[a-z_][a-z0-9_]{0,62}=[A-Za-z0-9_.]{1,40}$/.test(e.arg);
    if (e.action === 'consume_xids') return typeof e.arg === 'string' && /^\d{1,10}$/.test(e.arg);
    return (e.action === 'checkpoint' || e.action === 'bgwriter') && e.arg === undefined;
  }
  return false;
}

/** A saved scenario queue (the steps "Next step" runs): its entries are checked like the timeline's. */
export function validateScenario(x: unknown): string | null {
  if (x === undefined || x === null) return null;
  if (!isObj(x) || typeof x.name !== 'string' || x.name.length > 200) return 'the scenario needs a name';
  if (!Array.isArray(x.queue) || x.queue.length > MAX_NODES) return `the scenario queue must be a list of at most ${MAX_NODES} steps`;
  for (let i = 0; i < x.queue.length; i++) if (!validEntry(x.queue[i])) return `step ${i + 1} of the scenario queue is invalid`;
  if (!Number.isSafeInteger(x.position) || (x.position as number) < 0 || (x.position as number) > x.queue.length) return `the scenario position must be a whole number from 0 to ${x.queue.length}`;
  return null;
}

const validTag = (t: unknown) => t === undefined || (Number.isSafeInteger(t) && (t as number) >= -1 && (t as number) <= MAX_NODES);

/** A saved lesson's shape (whether it fits its lesson is for the player: store/script.ts). */
export function validateLesson(x: unknown): string | null {
  if (x === undefined || x === null) return null;
  if (!isObj(x) || typeof x.id !== 'string' || !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(x.id) || x.id.length > 60) return 'the lesson needs an id';
  if (typeof x.hash !== 'string' || x.hash.length > 40 || (x.source !== 'bundled' && x.source !== 'file')) return 'the lesson\'s hash or source is invalid';
  if (!Number.isSafeInteger(x.cursor) || (x.cursor as number) < -1 || (x.cursor as number) > 10_000) return 'the lesson position must be a whole number';
  const small = (n: unknown, min = 0) => Number.isSafeInteger(n) && (n as number) >= min && (n as number) <= 10_000;
  if (!Array.isArray(x.answers) || x.answers.length > 1000 || !x.answers.every((a) => isObj(a) && small(a.step) && small(a.choice) && typeof a.right === 'boolean' && small(a.truth, -1))) return 'the lesson\'s answers are invalid';
  if (!Array.isArray(x.tasks) || x.tasks.length > 1000 || !x.tasks.every((t) => isObj(t) && small(t.step) && (t.how === 'reached' || t.how === 'solution'))) return 'the lesson\'s tasks are invalid';
  return null;
}

/** Check a parsed workspace; returns an error message or null. */
export function validateWorkspace(x: unknown): string | null {
  if (!isObj(x)) return 'not an object';
  if (x.version !== 1) return `unknown version ${JSON.stringify(x.version)?.slice(0, 40)}`;
  if (!Array.isArray(x.sessions) || x.sessions.length < 1 || x.sessions.length > 8) return 'sessions must be a list of 1 to 8';
  const names = new Set<string>();
  for (const s of x.sessions) {
    if (!isObj(s) || !isSession(s.name) || typeof s.text !== 'string' || s.text.length > MAX_TEXT) return 'a session needs a name (1 to 32 letters, digits, _) and a text';
    if (names.has(s.name as string)) return `session ${s.name} appears twice`;
    names.add(s.name as string);
  }
  if (!Array.isArray(x.nodes) || x.nodes.length > MAX_NODES) return `nodes must be a list of at most ${MAX_NODES}`;
  const ids = new Set<number>();
  for (const n of x.nodes) {
    if (!isObj(n) || !Number.isSafeInteger(n.id) || (n.id as number) < 1 || (n.id as number) > MAX_NODE_ID) {
      const id = isObj(n) ? JSON.stringify(n.id)?.slice(0, 40) : undefined;
      return `node id ${id ?? '(missing)'} is not a whole number from 1 to ${MAX_NODE_ID}`;
    }
    const id = n.id as number;
    if (ids.has(id)) return `node id ${id} appears twice`;
    // a parent must come before its child: so no node is its own ancestor
    if (n.parent !== null && (typeof n.parent !== 'number' || !ids.has(n.parent))) return `node ${id} has an unknown parent (parents come before their children)`;
    if (!validEntry(n.entry)) return `node ${id} has an invalid entry`;
    if (!validTag(n.step)) return `node ${id} has an invalid step number`;
    ids.add(id);
  }
  if (x.head !== null && (typeof x.head !== 'number' || !ids.has(x.head))) return 'head points at no node';
  if (x.controlFirst !== undefined && typeof x.controlFirst !== 'boolean') return 'controlFirst must be true or false';
  return validateScenario(x.scenario) ?? validateLesson(x.lesson);
}

/** The next free node id after these (validated) nodes. */
export function nextIdAfter(nodes: readonly { id: number }[]): number {
  let max = 0;
  for (const n of nodes) if (n.id > max) max = n.id;
  return max + 1;
}

// ------------------------------------------------------------------------------------------------ compact rows

/** A node as a row: [id, parent, kind letter, ...fields]; a tagged node's kind is [letter, step]. */
export function encodeNode(n: SavedNode): unknown[] {
  const e = n.entry;
  const k = (letter: string) => (n.step === undefined ? letter : [letter, n.step]);
  switch (e.kind) {
    case 'sql': return e.cancelAfterChunks !== undefined ? [n.id, n.parent, k('q'), e.session, e.sql, e.cancelAfterChunks] : [n.id, n.parent, k('q'), e.session, e.sql];
    case 'advance': return [n.id, n.parent, k('a'), e.ms];
    case 'wait': return [n.id, n.parent, k('w'), e.session];
    case 'server': return e.arg !== undefined ? [n.id, n.parent, k('v'), e.action, e.arg] : [n.id, n.parent, k('v'), e.action];
  }
}

/** The node a row stands for (its entry still to be validated), or null if it is no row. */
export function decodeNode(r: unknown): SavedNode | null {
  if (!Array.isArray(r) || r.length < 4) return null;
  const [id, parent, kind, a, b, c] = r as [number, number | null, unknown, unknown, unknown, unknown];
  let k = kind, step: unknown;
  if (Array.isArray(kind)) { if (kind.length !== 2) return null; [k, step] = kind as [unknown, unknown]; }
  let entry: unknown;
  if (k === 'q' && r.length <= 6) entry = r.length === 6 ? { kind: 'sql', session: a, sql: b, cancelAfterChunks: c } : { kind: 'sql', session: a, sql: b };
  else if (k === 'a' && r.length === 4) entry = { kind: 'advance', ms: a };
  else if (k === 'w' && r.length === 4) entry = { kind: 'wait', session: a };
  else if (k === 'v' && r.length <= 5) entry = r.length === 5 ? { kind: 'server', action: a, arg: b } : { kind: 'server', action: a };
  else return null;
  return step === undefined ? { id, parent, entry: entry as LogEntry } : { id, parent, entry: entry as LogEntry, step: step as number };
}

// ------------------------------------------------------------------------------------------------ loading

export interface Loaded {
  workspace: SavedWorkspace | null;
  error: string | null;
  /** the header's generation (chunks carry it) */
  gen: number;
  /** read from the older one-key layout (to be written again in chunks) */
  legacy: boolean;
}

/** Read the saved workspace of a slot (the free workspace: either layout). A broken one is copied under "….broken" and reported. */
export function load(storage: Storage, key = HEADER_KEY): Loaded {
  const header = storage.getItem(key);
  if (header !== null) return loadChunked(storage, header, key);
  if (key !== HEADER_KEY) return { workspace: null, error: null, gen: 0, legacy: false };
  const raw = storage.getItem(STORAGE_KEY);
  if (!raw) return { workspace: null, error: null, gen: 0, legacy: false };
  const fail = (why: string): Loaded => ({ workspace: null, error: `The saved workspace could not be restored (${why}); ${keepBroken(storage, STORAGE_KEY, raw)}`, gen: 0, legacy: true });
  let x: unknown;
  try { x = JSON.parse(raw); } catch (e) { return fail(`not valid JSON: ${(e as Error).message}`); }
  const err = validateWorkspace(x);
  return err ? fail(err) : { workspace: x as SavedWorkspace, error: null, gen: 0, legacy: true };
}

function loadChunked(storage: Storage, header: string, key: string): Loaded {
  const raws: string[] = [header];
  let gen = 0;
  const fail = (why: string): Loaded => ({ workspace: null, error: `The saved workspace could not be restored (${why}); ${keepBroken(storage, key, JSON.stringify(raws))}`, gen, legacy: false });
  let h: unknown;
  try { h = JSON.parse(header); } catch (e) { return fail(`not valid JSON: ${(e as Error).message}`); }
  if (!isObj(h) || h.version !== 2 || !Number.isSafeInteger(h.gen) || !Number.isSafeInteger(h.count) || (h.count as number) < 0 || (h.count as number) > MAX_NODES) return fail('the header is damaged');
  gen = h.gen as number;
  const count = h.count as number;
  const nodes: SavedNode[] = [];
  for (let k = 0; k * CHUNK < count; k++) {
    const raw = storage.getItem(`${key}.${gen}.${k}`);
    if (raw === null) return fail(`part ${k + 1} of the timeline is missing`);
    raws.push(raw);
    let c: unknown;
    try { c = JSON.parse(raw); } catch (e) { return fail(`part ${k + 1} of the timeline is not valid JSON: ${(e as Error).message}`); }
    if (!isObj(c) || c.gen !== gen || !Array.isArray(c.rows)) return fail(`part ${k + 1} of the timeline belongs to another save`);
    for (const r of c.rows) {
      if (nodes.length >= count) break;
      const n = decodeNode(r);
      if (!n) return fail(`node ${nodes.length + 1} of the timeline is damaged`);
      nodes.push(n);
    }
  }
  if (nodes.length !== count) return fail(`the timeline has ${nodes.length} of its ${count} nodes`);
  const sessions = storage.getItem(`${key}.${gen}.sessions`);
  if (sessions === null) return fail('the sessions are missing');
  raws.push(sessions);
  let ss: unknown;
  try { ss = JSON.parse(sessions); } catch (e) { return fail(`the sessions are not valid JSON: ${(e as Error).message}`); }
  let scenario: unknown = null;
  if (isObj(h.scenario)) {
    const raw = storage.getItem(`${key}.${gen}.scenario`);
    if (raw === null) return fail('the scenario queue is missing');
    raws.push(raw);
    let q: unknown;
    try { q = JSON.parse(raw); } catch (e) { return fail(`the scenario queue is not valid JSON: ${(e as Error).message}`); }
    scenario = { name: h.scenario.name, position: h.scenario.position, queue: isObj(q) ? q.queue : undefined };
  }
  const w = {
    version: 1 as const, sessions: isObj(ss) ? ss.sessions : undefined, head: h.head, scenario, nodes,
    ...(h.controlFirst !== undefined ? { controlFirst: h.controlFirst } : {}), ...(h.lesson !== undefined ? { lesson: h.lesson } : {}),
  };
  const err = validateWorkspace(w);
  return err ? fail(err) : { workspace: w as SavedWorkspace, error: null, gen, legacy: false };
}

function keepBroken(storage: Storage, key: string, raw: string): string {
  try {
    storage.setItem(`${key}.broken`, raw);
    return `it was kept under "${key}.broken".`;
  } catch {
    return 'the browser\'s storage had no room to keep a copy of it.';
  }
}

// ------------------------------------------------------------------------------------------------ saving

/** a generation no other tab is likely to pick (two tabs counting up from the same number would collide) */
const newGeneration = (old: number) => { let g; do g = Math.floor(Math.random() * 2 ** 31); while (g === old); return g; };

export interface SavedHeader { sessions: SavedWorkspace['sessions']; head: number | null; scenario: SavedScenario | null; controlFirst?: boolean; lesson?: SavedLesson | null }

/**
 * Writes the workspace to storage incrementally: `replaceAll` when the timeline is new (reset, import, a scenario),
 * `append` for each new step, `save` for everything else (the header only). Each returns null, or a message when
 * the storage is full: an append that failed is written again by the next call; a timeline that does not fit at all
 * is not saved (rather than leave an older one that no longer matches what the page shows).
 * Chunk keys carry the generation: a new timeline is written beside the old one, and the old one is removed after.
 * Another tab of the same page writes the same keys: when it does (the `storage` event), `invalidate` makes the
 * next save write everything afresh under a new generation, so the last tab to save wins whole, as with one key.
 */
export class WorkspaceSaver {
  /** every node's row (JSON), in order */
  private rows: string[] = [];
  private chars = 0;
  /** how many of `rows` storage holds, under generation `gen` */
  private written = 0;
  private gen: number;
  /** keys of other generations (or of the older layout) may still be in storage */
  private sweep = true;
  /** the sessions list and scenario queue storage holds (the store replaces them, never changes them in place) */
  private sessions: SavedHeader['sessions'] | null = null;
  private queue: readonly unknown[] | null = null;

  constructor(private storage: Storage, loaded: { gen: number } = { gen: 0 }, readonly key = HEADER_KEY) {
    this.gen = loaded.gen;
  }

  /** Take over the workspace that storage holds (what `load` returned). */
  adopt(w: { nodes: readonly SavedNode[]; sessions?: SavedHeader['sessions']; scenario?: SavedScenario | null }) {
    this.rows = w.nodes.map((n) => JSON.stringify(encodeNode(n)));
    this.chars = this.rows.reduce((a, r) => a + r.length + 1, 0);
    this.written = this.rows.length;
    this.queue = w.scenario?.queue ?? null;
    this.sessions = w.sessions ?? null;
  }

  /** Storage was written by someone else (another tab): the next save writes everything under a new generation. */
  invalidate() {
    this.gen = newGeneration(this.gen);
    this.written = 0;
    this.sessions = null;
    this.queue = null;
    this.sweep = true;
  }

  replaceAll(header: SavedHeader, nodes: readonly SavedNode[]): string | null {
    this.gen = newGeneration(this.gen);
    this.adopt({ nodes });
    this.written = 0;
    this.sweep = true;
    if (this.write(header)) return null;
    this.removeOthers(); // room for the new timeline: the old one is no longer what the page shows
    if (this.write(header)) return null;
    this.removeOthers(true);
    this.written = 0;
    return this.full();
  }

  append(header: SavedHeader, node: SavedNode): string | null {
    const row = JSON.stringify(encodeNode(node));
    this.rows.push(row);
    this.chars += row.length + 1;
    return this.save(header);
  }

  save(header: SavedHeader): string | null {
    return this.write(header) ? null : this.full();
  }

  private write(header: SavedHeader): boolean {
    try {
      while (this.written < this.rows.length) {
        const k = Math.floor(this.written / CHUNK);
        this.storage.setItem(`${this.key}.${this.gen}.${k}`, `{"gen":${this.gen},"rows":[${this.rows.slice(k * CHUNK, (k + 1) * CHUNK).join(',')}]}`);
        this.written = Math.min(this.rows.length, (k + 1) * CHUNK);
      }
      if (header.sessions !== this.sessions) {
        this.storage.setItem(`${this.key}.${this.gen}.sessions`, JSON.stringify({ sessions: header.sessions }));
        this.sessions = header.sessions;
      }
      const sc = header.scenario;
      if ((sc?.queue ?? null) !== this.queue) {
        if (sc) this.storage.setItem(`${this.key}.${this.gen}.scenario`, JSON.stringify({ queue: sc.queue }));
        this.queue = sc?.queue ?? null;
      }
      this.storage.setItem(this.key, JSON.stringify({
        version: 2, gen: this.gen, count: this.rows.length, head: header.head,
        scenario: sc ? { name: sc.name, position: sc.position } : null,
        ...(header.controlFirst ? { controlFirst: true } : {}), ...(header.lesson ? { lesson: header.lesson } : {}),
      }));
    } catch {
      return false;
    }
    if (this.sweep) { this.removeOthers(); this.sweep = false; }
    return true;
  }

  /** Remove what belongs to other generations and the older layout (with `all`, this generation too). */
  private removeOthers(all = false) {
    const key = this.key;
    const mine = `${key}.${this.gen}.`;
    const doomed: string[] = [];
    for (let i = 0; i < this.storage.length; i++) {
      const k = this.storage.key(i);
      if (k === null || k.endsWith('.broken')) continue;
      // the older one-key layout belongs to the free workspace's slot
      if ((k === STORAGE_KEY && key === FREE_KEY) || (k.startsWith(`${key}.`) && (all || !k.startsWith(mine)))) doomed.push(k);
      if (all && k === key) doomed.push(k);
    }
    for (const k of doomed) this.storage.removeItem(k);
  }

  private full() {
    return `Your browser's storage for this page is full (the workspace takes about ${(this.chars / 1e6).toFixed(1)} million characters of about 5): the newest changes are kept only in this tab and a reload would lose them. Use "Save .json" to keep the workspace in a file.`;
  }
}
