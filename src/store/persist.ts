/**
 * Saving the workspace: sessions (with their editor text) and the timeline (the deterministic log as a tree
 * of steps). Everything is validated on the way in; invalid data is reported, never half-loaded.
 */
import { type LogEntry, CRASH_POINT_CHOICES } from '../shared/api';

export interface SavedNode { id: number; parent: number | null; entry: LogEntry }
export interface SavedWorkspace { version: 1; sessions: { name: string; text: string }[]; nodes: SavedNode[]; head: number | null; scenario?: SavedScenario | null }
export interface SavedScenario { name: string; queue: LogEntry[]; position: number }

export const STORAGE_KEY = 'heapscope.workspace.v1';

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

export function validEntry(e: unknown): e is LogEntry {
  if (!isObj(e)) return false;
  if (e.kind === 'sql') return typeof e.session === 'string' && e.session.length > 0 && e.session.length <= 64 && typeof e.sql === 'string' && e.sql.length <= 1_000_000 && (e.cancelAfterChunks === undefined || (Number.isInteger(e.cancelAfterChunks) && (e.cancelAfterChunks as number) >= 1));
  if (e.kind === 'advance') return typeof e.ms === 'number' && Number.isFinite(e.ms) && e.ms >= 0 && e.ms <= 86_400_000;
  if (e.kind === 'wait') return typeof e.session === 'string';
  if (e.kind === 'server') {
    if (e.action === 'crash') return e.arg === undefined || (CRASH_POINT_CHOICES as readonly string[]).includes(e.arg as string);
    if (e.action === 'restart') return e.arg === undefined || (typeof e.arg === 'string' && /^\d{1,7}$/.test(e.arg));
    if (e.action === 'full_page_writes') return e.arg === 'on' || e.arg === 'off';
    return (e.action === 'checkpoint' || e.action === 'bgwriter') && e.arg === undefined;
  }
  return false;
}

/** Check a parsed workspace; returns an error message or null. */
export function validateWorkspace(x: unknown): string | null {
  if (!isObj(x)) return 'not an object';
  if (x.version !== 1) return `unknown version ${JSON.stringify(x.version)}`;
  if (!Array.isArray(x.sessions) || x.sessions.length < 1 || x.sessions.length > 8) return 'sessions must be a list of 1 to 8';
  const names = new Set<string>();
  for (const s of x.sessions) {
    if (!isObj(s) || typeof s.name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,31}$/.test(s.name) || typeof s.text !== 'string') return 'a session needs a name (letters, digits, _) and a text';
    if (names.has(s.name)) return `session ${s.name} appears twice`;
    names.add(s.name);
  }
  if (!Array.isArray(x.nodes) || x.nodes.length > 100_000) return 'nodes must be a list';
  const ids = new Set<number>();
  for (const n of x.nodes) {
    if (!isObj(n) || typeof n.id !== 'number' || ids.has(n.id)) return 'every node needs a unique numeric id';
    if (n.parent !== null && (typeof n.parent !== 'number' || !ids.has(n.parent))) return `node ${n.id} has an unknown parent`;
    if (!validEntry(n.entry)) return `node ${n.id} has an invalid entry`;
    ids.add(n.id);
  }
  if (x.head !== null && (typeof x.head !== 'number' || !ids.has(x.head))) return 'head points at no node';
  return null;
}

export function load(storage: Storage): { workspace: SavedWorkspace | null; error: string | null } {
  const raw = storage.getItem(STORAGE_KEY);
  if (!raw) return { workspace: null, error: null };
  try {
    const x = JSON.parse(raw) as unknown;
    const err = validateWorkspace(x);
    if (err) return { workspace: null, error: `The saved workspace could not be restored (${err}); it was kept under "${STORAGE_KEY}.broken".` };
    return { workspace: x as SavedWorkspace, error: null };
  } catch (e) {
    return { workspace: null, error: `The saved workspace is not valid JSON (${(e as Error).message}); it was kept under "${STORAGE_KEY}.broken".` };
  }
}

export function save(storage: Storage, w: SavedWorkspace): void {
  try { storage.setItem(STORAGE_KEY, JSON.stringify(w)); } catch { /* quota: keep working in memory */ }
}
