/**
 * Sharing by link: the whole workspace in the URL's fragment (`#/share/<data>`), so that opening the link anywhere
 * rebuilds exactly the same state by deterministic replay — nothing is sent to a server (a fragment never leaves
 * the browser).
 *
 * What a link holds: the sessions and their editor text, whether the setup connection comes first (pids as
 * recorded), a loaded scenario's queue, the steps of the current path (from the start to the current step and on
 * along the newest branch, each with the script step it carried out), which of them is the current step, the open
 * view, the selected session, and for a lesson its id, its text's hash and the learner's record (step shown,
 * answers, tasks). Nodes travel as the compact rows of storage (persist.ts) without their ids: the recipient
 * numbers them 1, 2, 3 … along the path, and replaying the path gives the same engine state, since the engine is
 * deterministic.
 *
 * The data is `<checksum><json>` compressed with lz-string into URL-safe characters. On the way in, every layer is
 * checked before anything changes: the length, the compression, the checksum (a link cut short by a mail program
 * or changed by hand), the JSON, the payload's shape (zod), then every entry as a saved workspace is checked
 * (persist.ts: validateWorkspace). A link that fails any of them is refused with a message saying which.
 */
import LZString from 'lz-string'; // CommonJS: its default export, so plain Node (tsx) loads it too
import { z } from '../shared/zod';
import { encodeNode, decodeNode, validateWorkspace, type SavedNode, type SavedWorkspace, type SavedLesson } from './persist';
import { pathTo, type TimelineNode } from './nodes';
import type { LogEntry } from '../shared/api';

/** the fragment's prefix */
export const SHARE_PREFIX = '#/share/';
/**
 * The longest fragment a link may carry. Browsers accept far longer URLs (Chromium 2 MB), but mail programs, chat
 * tools and URL fields cut or refuse long ones; past this the user is offered the file (Save .json) instead.
 */
export const MAX_SHARE_CHARS = 16_000;
export const SHARE_VERSION = 1;

/** FNV-1a over the JSON text, 8 hex digits: catches a link cut short or changed by hand (not a signature). */
export function checksum(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) { h ^= text.charCodeAt(i); h = Math.imul(h, 0x01000193); }
  return (h >>> 0).toString(16).padStart(8, '0');
}

const row = z.array(z.unknown()).min(1).max(4);
const lessonRecord = z.object({
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/).max(60),
  hash: z.string().max(40),
  cursor: z.number().int().min(-1).max(10_000),
  answers: z.array(z.object({ step: z.number().int(), choice: z.number().int(), right: z.boolean(), truth: z.number().int() })).max(1000),
  tasks: z.array(z.object({ step: z.number().int(), how: z.enum(['reached', 'solution']) })).max(1000),
}).strict();

/** The payload's shape (version 1). Entries inside are checked again as a saved workspace's. */
export const SharePayloadSchema = z.object({
  v: z.literal(SHARE_VERSION),
  sessions: z.array(z.object({ name: z.string().max(32), text: z.string().max(200_000) }).strict()).min(1).max(8),
  controlFirst: z.boolean().optional(),
  scenario: z.object({ name: z.string().max(200), queue: z.array(row).max(10_000) }).strict().optional(),
  /** the steps of the current path: [step tag or null, ...the node's compact row without id and parent] */
  path: z.array(z.array(z.unknown()).min(2).max(5)).max(20_000),
  /** how many of `path` lead to the current step (0: the start) */
  at: z.number().int().min(0),
  view: z.string().max(20).optional(),
  session: z.string().max(32).optional(),
  lesson: lessonRecord.optional(),
}).strict();
export type SharePayload = z.infer<typeof SharePayloadSchema>;

/** A workspace as the link carries it, and what the recipient's page shows besides the store's state. */
export interface Shared { workspace: SavedWorkspace; view: string | null; session: string | null }

/** What sharing needs of the workspace's state. */
export interface ShareSource {
  sessions: { name: string; text: string }[];
  nodes: ReadonlyMap<number, TimelineNode>;
  head: number | null;
  controlFirst: boolean;
  scenario: { name: string; queue: LogEntry[] } | null;
  lesson: SavedLesson | null;
  selectedSession: string;
}

const rowOf = (entry: LogEntry) => encodeNode({ id: 0, parent: null, entry }).slice(2);
const entryOf = (r: readonly unknown[]): LogEntry | null => decodeNode([0, null, ...r])?.entry ?? null;

/** The current path: from the start to head, then on along the newest child (what "statement ▶▶" walks). */
export function currentPath(nodes: ReadonlyMap<number, TimelineNode>, head: number | null): { path: TimelineNode[]; at: number } {
  const path = pathTo(nodes, head);
  const at = path.length;
  const newest = new Map<number | null, TimelineNode>();
  for (const n of nodes.values()) { const c = newest.get(n.parent); if (!c || n.id > c.id) newest.set(n.parent, n); }
  for (let n = newest.get(head); n && path.length <= nodes.size; n = newest.get(n.id)) path.push(n);
  return { path, at };
}

/** The payload for a workspace's state. */
export function payloadOf(s: ShareSource, view: string | null): SharePayload {
  const { path, at } = currentPath(s.nodes, s.head);
  return {
    v: SHARE_VERSION,
    sessions: s.sessions.map((x) => ({ name: x.name, text: x.text })),
    ...(s.controlFirst ? { controlFirst: true } : {}),
    ...(s.scenario ? { scenario: { name: s.scenario.name, queue: s.scenario.queue.map(rowOf) } } : {}),
    path: path.map((n) => [n.step ?? null, ...rowOf(n.entry)]),
    at,
    ...(view ? { view } : {}),
    session: s.selectedSession,
    ...(s.lesson ? { lesson: { id: s.lesson.id, hash: s.lesson.hash, cursor: s.lesson.cursor, answers: s.lesson.answers, tasks: s.lesson.tasks } } : {}),
  };
}

export type Encoded = { ok: true; data: string } | { ok: false; chars: number; message: string };

/** The fragment's data for a payload, or why there is none (too long for a link). */
export function encodeShare(p: SharePayload, max = MAX_SHARE_CHARS): Encoded {
  const json = JSON.stringify(p);
  const data = LZString.compressToEncodedURIComponent(checksum(json) + json);
  if (SHARE_PREFIX.length + data.length > max) {
    return { ok: false, chars: SHARE_PREFIX.length + data.length, message: `This workspace is too long for a link (${(SHARE_PREFIX.length + data.length).toLocaleString('en')} characters; a link carries at most ${max.toLocaleString('en')}). Save it as a file (Save .json) and send the file instead.` };
  }
  return { ok: true, data };
}

export type Decoded = { ok: true; payload: SharePayload; shared: Shared } | { ok: false; error: string };

const refuse = (why: string): Decoded => ({ ok: false, error: `This shared link cannot be opened: ${why}. Nothing was loaded; your own workspace is as you left it.` });

/** Read a link's data (what follows SHARE_PREFIX). Never throws; nothing is changed by it. */
export function decodeShare(data: string, max = MAX_SHARE_CHARS): Decoded {
  if (data.length === 0) return refuse('it holds no workspace');
  if (SHARE_PREFIX.length + data.length > max) return refuse(`it is too long (${data.length.toLocaleString('en')} characters)`);
  if (!/^[A-Za-z0-9+\-$]+$/.test(data)) return refuse('it contains characters a Heapscope link never has (it was changed, or cut and pasted wrongly)');
  let text: string | null;
  try { text = LZString.decompressFromEncodedURIComponent(data); } catch { text = null; }
  if (!text || text.length < 9) return refuse('its data is damaged (it was cut short or changed)');
  const sum = text.slice(0, 8), json = text.slice(8);
  if (checksum(json) !== sum) return refuse('its data is damaged: the checksum does not match (it was cut short or changed)');
  let x: unknown;
  try { x = JSON.parse(json); } catch { return refuse('its data is damaged (not valid JSON)'); }
  if (typeof x === 'object' && x !== null && 'v' in x && (x as { v: unknown }).v !== SHARE_VERSION) {
    return refuse(`it was made by another version of Heapscope (link format ${JSON.stringify((x as { v: unknown }).v)?.slice(0, 20)}, this one reads ${SHARE_VERSION})`);
  }
  const parsed = SharePayloadSchema.safeParse(x);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return refuse(`it is not a Heapscope workspace (${issue.path.join('.') || 'the payload'}: ${issue.message})`);
  }
  const p = parsed.data;
  if (p.at > p.path.length) return refuse('its current step is past the end of its steps');
  const nodes: SavedNode[] = [];
  for (let i = 0; i < p.path.length; i++) {
    const [tag, ...r] = p.path[i]!;
    const entry = entryOf(r);
    if (!entry) return refuse(`step ${i + 1} is damaged`);
    if (tag !== null && (typeof tag !== 'number' || !Number.isSafeInteger(tag))) return refuse(`step ${i + 1} has an invalid step number`);
    nodes.push({ id: i + 1, parent: i === 0 ? null : i, entry, ...(tag !== null ? { step: tag as number } : {}) });
  }
  const queue: LogEntry[] = [];
  for (const [i, r] of (p.scenario?.queue ?? []).entries()) {
    const e = entryOf(r);
    if (!e) return refuse(`step ${i + 1} of the scenario is damaged`);
    queue.push(e);
  }
  const workspace: SavedWorkspace = {
    version: 1, sessions: p.sessions, nodes, head: p.at === 0 ? null : p.at,
    scenario: p.scenario ? { name: p.scenario.name, queue, position: 0 } : null,
    ...(p.controlFirst ? { controlFirst: true } : {}),
    lesson: p.lesson ? { ...p.lesson, source: 'bundled' } : null,
  };
  const err = validateWorkspace(workspace);
  if (err) return refuse(`it is not a valid workspace (${err})`);
  const session = p.session && p.sessions.some((s) => s.name === p.session) ? p.session : null;
  return { ok: true, payload: p, shared: { workspace, view: p.view ?? null, session } };
}
