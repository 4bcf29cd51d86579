/**
 * What the views highlight while a lesson plays: the tuples the current step touched (written or read, from its
 * trace events) and the target of a `look:` link the learner clicked in the narration (lessons/README.md, "Pointing
 * at the views"): a tuple or one of its header fields, a session, the lock a session waits for, the newest WAL
 * record, or a view.
 */
import type { StepResult } from '../shared/api';

export interface Look { kind: 'tuple' | 'session' | 'lock' | 'wal' | 'view'; path: string[]; raw: string }
export type ViewName = 'Heap' | 'Index' | 'Snapshots' | 'Waits' | 'WAL' | 'Durability' | 'Dependencies' | 'Vacuum';
export const VIEW_NAMES: readonly ViewName[] = ['Heap', 'Index', 'Snapshots', 'Waits', 'WAL', 'Durability', 'Dependencies', 'Vacuum'];

const LOOK_KINDS = new Set(['tuple', 'session', 'lock', 'wal', 'view']);
/** A look: target ("tuple/accounts/0/1/t_xmax"), or null if it is none. */
export function parseLook(raw: string): Look | null {
  const path = raw.split('/');
  const kind = path.shift()!;
  if (!LOOK_KINDS.has(kind) || path.some((p) => p.length > 64)) return null;
  return { kind: kind as Look['kind'], path, raw };
}

/** The view that shows a look target. */
export function viewOfLook(l: Look): ViewName | null {
  switch (l.kind) {
    case 'tuple': return 'Heap';
    case 'lock': return 'Waits';
    case 'wal': return 'WAL';
    case 'session': return null; // the session's column is highlighted wherever the views are
    case 'view': return (VIEW_NAMES as readonly string[]).includes(l.path[0] ?? '') ? (l.path[0] as ViewName) : null;
  }
}

/** The tuple a look points at, if it points at one: table, block, offset and maybe a header field. */
export function lookTuple(l: Look | null): { table: string; blk: number; off: number; field: string | null } | null {
  if (!l || l.kind !== 'tuple' || l.path.length < 3) return null;
  const [table, blk, off, field] = l.path;
  if (!/^\d+$/.test(blk!) || !/^\d+$/.test(off!)) return null;
  return { table: table!, blk: Number(blk), off: Number(off), field: field ?? null };
}

const WRITES = new Set(['insert', 'update', 'delete', 'lock-row', 'hint', 'prune', 'epq']);
/** The tuples a step touched ("table:blk:off" → written, or only read). */
export function touchedTuples(result: StepResult | null | undefined): Map<string, 'write' | 'read'> {
  const out = new Map<string, 'write' | 'read'>();
  for (const o of result?.outcomes ?? []) {
    for (const e of o.trace.events) {
      if (e.rel === undefined || e.blk === undefined || e.off === undefined) continue;
      const key = `${e.rel}:${e.blk}:${e.off}`;
      if (WRITES.has(e.kind)) out.set(key, 'write');
      else if (e.kind === 'visibility' && !out.has(key)) out.set(key, 'read');
    }
  }
  return out;
}

/** The view a step's events are best seen in (null: stay where the learner is). */
export function viewForStep(result: StepResult | null | undefined): ViewName | null {
  const kinds = new Set((result?.outcomes ?? []).flatMap((o) => o.trace.events.map((e) => e.kind)));
  if (!result) return null;
  if (result.entry.kind === 'server') return 'Durability';
  if (kinds.has('deadlock') || kinds.has('wait') || result.outcomes.some((o) => o.status === 'waiting')) return 'Waits';
  if (kinds.has('crash') || kinds.has('redo') || kinds.has('checkpoint')) return 'Durability';
  if (kinds.has('autovacuum')) return 'Vacuum';
  if ([...kinds].some((k) => WRITES.has(k) || k === 'visibility')) return 'Heap';
  return null;
}
