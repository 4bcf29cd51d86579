/**
 * Time travel and step-by-step playback.
 * The timeline lists every step on the path to the current one (and, on demand, the other branches); clicking
 * a step restores that moment exactly (the engine replays the log). The player walks through the current
 * step's trace events one at a time, with a one-line caption, and highlights the tuple each event touches.
 */
import { memo, useState } from 'react';
import { useWorkspace, useWs } from './hooks';
import { pathTo, type TimelineNode } from '../store/workspace';
import type { LogEntry } from '../shared/api';

const describe = (e: LogEntry) => (e.kind === 'sql' ? `${e.session}: ${e.sql}` : e.kind === 'advance' ? `clock +${e.ms} ms`
  : e.kind === 'server' ? `server: ${e.action === 'crash' ? (e.arg && e.arg !== 'now' ? `arm crash (${e.arg})` : 'CRASH') : e.action === 'restart' ? `restart${e.arg ? ` (fails again after ${e.arg} records)` : ''}` : e.action === 'full_page_writes' ? `full_page_writes = ${e.arg}` : e.action}`
    : `${e.session}: wait to finish`);

export function Timeline() {
  const { actions } = useWorkspace();
  const nodes = useWs((s) => s.nodes);
  const head = useWs((s) => s.head);
  const path = pathTo(nodes, head);
  const all = [...nodes.values()];
  const onPath = new Set(path.map((p) => p.id));
  const hasChild = new Set(all.map((m) => m.parent));
  const tips = all.filter((n) => !hasChild.has(n.id) && !onPath.has(n.id));
  const [showAll, setShowAll] = useState(false);
  // in a lesson, the steps the learner ran themselves are marked (the lesson's carry their step number)
  const inLesson = useWs((s) => s.lesson !== null);
  const LIMIT = 150;
  const hidden = showAll ? 0 : Math.max(0, path.length - LIMIT);
  return (
    <nav className="timeline" aria-label="timeline">
      <h3>Timeline <small>{path.length} step{path.length === 1 ? '' : 's'}{tips.length ? ` · ${tips.length} other branch${tips.length === 1 ? '' : 'es'}` : ''}</small></h3>
      <ol>
        <li><button className={head === null ? 'current' : ''} onClick={() => void actions.jumpTo(null)}>start</button></li>
        {hidden > 0 && <li><button onClick={() => setShowAll(true)}>… show {hidden} earlier steps</button></li>}
        {path.slice(hidden).map((n, i) => <Step key={n.id} n={n} i={hidden + i + 1} current={n.id === head} own={inLesson && n.step === undefined} jumpTo={actions.jumpTo} />)}
      </ol>
      {tips.length > 0 && (
        <details>
          <summary>Other branches</summary>
          <ul>{tips.map((t) => <li key={t.id}><button onClick={() => void actions.jumpTo(t.id)} data-testid="branch-tip">↪ {describe(t.entry)}</button></li>)}</ul>
        </details>
      )}
    </nav>
  );
}

const Step = memo(function Step({ n, i, current, own, jumpTo }: { n: TimelineNode; i: number; current: boolean; own: boolean; jumpTo(id: number): Promise<void> }) {
  const onJump = () => void jumpTo(n.id);
  const failed = n.mark === 'failed';
  const waits = n.mark === 'waits';
  return (
    <li>
      <button className={`${current ? 'current' : ''}${failed ? ' failed' : ''}${own ? ' own' : ''}`} onClick={onJump} data-testid={`step-${i}`} title={`${own ? 'your own (not the lesson\'s): ' : ''}${describe(n.entry)}`}>
        {i}. {own ? '✎ ' : ''}{describe(n.entry).slice(0, 70)}{failed ? ' ✗' : waits ? ' ⏳' : ''}
      </button>
    </li>
  );
}, (a, b) => a.n.id === b.n.id && a.i === b.i && a.current === b.current && a.n.mark === b.n.mark && a.own === b.own);

/** Which view shows what an event touches. */
export function viewForEvent(kind: string | undefined): 'Heap' | 'Index' | 'Snapshots' | 'Waits' | 'WAL' | 'Durability' | null {
  switch (kind) {
    case 'visibility': case 'hint': case 'insert': case 'update': case 'delete': case 'lock-row': case 'epq': return 'Heap';
    case 'index': return 'Index';
    case 'snapshot': case 'xid': case 'commit': case 'abort': return 'Snapshots';
    case 'wait': case 'granted': case 'deadlock': case 'lock': case 'ssi': return 'Waits';
    case 'wal': return 'WAL';
    case 'crash': case 'redo': case 'checkpoint': case 'buffer': return 'Durability';
    default: return null;
  }
}

export { Player } from './Player';

export function useHighlight() {
  const playback = useWs((s) => s.playback);
  const node = useWs((s) => (s.playback ? s.nodes.get(s.playback.nodeId) : undefined));
  const ev = node?.result?.outcomes.flatMap((o) => o.trace.events)[playback?.event ?? 0];
  return ev ? { rel: ev.rel, blk: ev.blk, off: ev.off, lsn: ev.lsn, session: ev.session, kind: ev.kind } : null;
}
