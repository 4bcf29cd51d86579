/**
 * Time travel and step-by-step playback.
 * The timeline lists every step on the path to the current one (and, on demand, the other branches); clicking
 * a step restores that moment exactly (the engine replays the log). The player walks through the current
 * step's trace events one at a time, with a one-line caption, and highlights the tuple each event touches.
 */
import { memo, useEffect, useMemo, useState } from 'react';
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

/** `lesson`: a lesson drives the statements (its next / back), so only the events of the current one are stepped here. */
export function Player({ onEvent, lesson = false }: { onEvent?(kind: string | undefined): void; lesson?: boolean }) {
  const { actions } = useWorkspace();
  const playback = useWs((s) => s.playback);
  const nodes = useWs((s) => s.nodes);
  const head = useWs((s) => s.head);
  const node = useWs((s) => (s.playback ? s.nodes.get(s.playback.nodeId) : undefined));
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState(600);
  const events = useMemo(() => node?.result?.outcomes.flatMap((o) => o.trace.events) ?? [], [node]);
  const folded = new Map<string, number>();
  for (const o of node?.result?.outcomes ?? []) for (const [k, v] of Object.entries(o.trace.folded)) folded.set(k, (folded.get(k) ?? 0) + (v ?? 0));
  const idx = playback?.event ?? 0;
  useEffect(() => {
    if (!playing || !playback) return;
    if (idx >= events.length - 1) { setPlaying(false); return; }
    const t = setTimeout(() => { actions.setPlayback({ ...playback, event: idx + 1 }); onEvent?.(events[idx + 1]?.kind); }, speed);
    return () => clearTimeout(t);
  }, [playing, idx, events, playback, speed, actions, onEvent]);
  if (!playback || !node) return <div className="player muted">Run a statement to see what the engine did, step by step.</div>;
  const ev = events[idx];
  const go = (d: number) => {
    const next = Math.max(0, Math.min(events.length - 1, idx + d));
    actions.setPlayback({ ...playback, event: next });
    onEvent?.(events[next]?.kind);
  };
  const path = pathTo(nodes, head);
  const at = path.findIndex((n) => n.id === head);
  let child: TimelineNode | undefined;
  for (const n of nodes.values()) if (n.parent === head && (!child || n.id > child.id)) child = n;
  const foldedText = [...folded].map(([k, v]) => `${v} ${k}`).join(', ');
  return (
    <div className="player" aria-label="event player">
      <div className="controls">
        {lesson && <span className="muted">What the engine did, event by event:</span>}
        {!lesson && <button onClick={() => void actions.jumpTo(at > 0 ? path[at - 1]!.id : null)} disabled={head === null} aria-label="previous statement">◀◀ statement</button>}
        <button onClick={() => go(-1)} disabled={idx <= 0} aria-label="previous event">◀ {lesson ? 'event' : 'prev'}</button>
        <button onClick={() => setPlaying(!playing)} aria-label={playing ? 'pause' : 'play'}>{playing ? '⏸ pause' : '▶ play'}</button>
        <button onClick={() => go(1)} disabled={idx >= events.length - 1} aria-label="next event">{lesson ? 'event' : 'next'} ▶</button>
        {!lesson && <button onClick={() => child && void actions.jumpTo(child.id)} disabled={!child} aria-label="next statement" title="the newest step after this one">statement ▶▶</button>}
        <label>speed <select value={speed} onChange={(e) => setSpeed(Number(e.target.value))} aria-label="playback speed"><option value={1200}>slow</option><option value={600}>normal</option><option value={200}>fast</option></select></label>
        <span className="muted">event {events.length ? idx + 1 : 0} / {events.length}{foldedText ? ` (+ ${foldedText} summarised)` : ''}</span>
      </div>
      <p className="caption" data-testid="caption">{ev ? ev.text : 'This step produced no events.'}</p>
    </div>
  );
}

export function useHighlight() {
  const playback = useWs((s) => s.playback);
  const node = useWs((s) => (s.playback ? s.nodes.get(s.playback.nodeId) : undefined));
  const ev = node?.result?.outcomes.flatMap((o) => o.trace.events)[playback?.event ?? 0];
  return ev ? { rel: ev.rel, blk: ev.blk, off: ev.off, lsn: ev.lsn, session: ev.session, kind: ev.kind } : null;
}
