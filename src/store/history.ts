/**
 * A session's scrollback (shown by ui/History.tsx): its statements along the path to the current step, in order, each
 * with its final outcome. A statement that had to wait is listed where it was sent and completed by the step whose
 * outcomes include its end (the step that woke it). Steps whose result the store does not hold have outcome null.
 */
import type { TimelineNode } from './nodes';
import type { SessionOutcome } from '../shared/api';

export interface HistoryItem { node: number; sql: string; outcome: SessionOutcome | null; waited: boolean }

/** The session's statements along the path, with their final outcomes (pure: tests call it). */
export function sessionHistory(path: readonly TimelineNode[], name: string): HistoryItem[] {
  const items: HistoryItem[] = [];
  let pending: HistoryItem | null = null;
  for (const n of path) {
    const own = n.entry.kind === 'sql' && n.entry.session === name;
    let mineHere = false;
    for (const o of n.result?.outcomes ?? []) {
      if (o.session !== name) continue;
      if (own && !mineHere) {
        mineHere = true;
        const item: HistoryItem = { node: n.id, sql: (n.entry as { sql: string }).sql, outcome: o.status === 'waiting' || o.status === 'running' ? null : o, waited: o.status === 'waiting' };
        items.push(item);
        pending = o.status === 'waiting' ? item : null;
      } else if (pending && o.status !== 'waiting') { pending.outcome = o; pending = null; }
    }
    if (own && !mineHere) { items.push({ node: n.id, sql: (n.entry as { sql: string }).sql, outcome: null, waited: false }); pending = null; }
  }
  return items;
}
