/**
 * Time travel and step-by-step playback.
 * The timeline lists every step on the path to the current one (and, on demand, the other branches); clicking
 * a step restores that moment exactly (the engine replays the log). The player walks through the current
 * step's trace events one at a time, with a one-line caption, and highlights the tuple each event touches.
 * When the timeline has branches, they are drawn above the list as a tree (BranchTree.tsx) showing where they diverge.
 */
import { Fragment, memo, useMemo, useRef, useState } from 'react';
import { useWorkspace, useWs } from './hooks';
import { pathTo, type TimelineNode } from '../store/workspace';
import type { LogEntry } from '../shared/api';
import { BranchTree } from './BranchTree';
import { eventSlots } from '../store/slots';

const describe = (e: LogEntry) => (e.kind === 'sql' ? `${e.session}: ${e.sql}` : e.kind === 'advance' ? `clock +${e.ms} ms`
  : e.kind === 'server' ? `server: ${e.action === 'crash' ? (e.arg && e.arg !== 'now' ? `arm crash (${e.arg})` : 'CRASH') : e.action === 'restart' ? `restart${e.arg ? ` (fails again after ${e.arg} records)` : ''}` : e.action === 'full_page_writes' ? `full_page_writes = ${e.arg}` : e.action === 'configure' ? `postgresql.conf: ${e.arg}` : e.action === 'consume_xids' ? `next xid → ${e.arg} (Heapscope shortcut)` : e.action}`
    : `${e.session}: wait to finish`);

/** The newest child of each node: following it from a step gives the steps "ahead" of it. */
function childrenOf(nodes: ReadonlyMap<number, TimelineNode>) {
  const kids = new Map<number | null, TimelineNode[]>();
  for (const n of nodes.values()) { const l = kids.get(n.parent); if (l) l.push(n); else kids.set(n.parent, [n]); }
  return kids;
}
const newest = (l: TimelineNode[] | undefined) => (l && l.length ? l[l.length - 1]! : undefined);
const AHEAD_LIMIT = 150;

export function Timeline() {
  const { actions } = useWorkspace();
  const nodes = useWs((s) => s.nodes);
  const head = useWs((s) => s.head);
  const path = pathTo(nodes, head);
  const kids = useMemo(() => childrenOf(nodes), [nodes]);
  // the steps ahead: toward the step we came back from (if it is below this one), then the newest children
  const tipRef = useRef<number | null>(null);
  const tipPath = tipRef.current === null ? [] : pathTo(nodes, tipRef.current);
  const below = head === null ? tipPath.length > 0 : tipPath.some((n) => n.id === head);
  if (!below) tipRef.current = head;
  const ahead: TimelineNode[] = below ? tipPath.slice(head === null ? 0 : tipPath.findIndex((n) => n.id === head) + 1) : [];
  for (let n = newest(kids.get(ahead.length ? ahead[ahead.length - 1]!.id : head)); n && ahead.length < AHEAD_LIMIT; n = newest(kids.get(n.id))) ahead.push(n);
  const line = new Set([...path, ...ahead].map((n) => n.id));
  const all = [...nodes.values()];
  const hasChild = new Set(all.map((m) => m.parent));
  // the other branches' tips (the line's own tip, ahead of the current step, is not another branch)
  const tips = all.filter((n) => !hasChild.has(n.id) && !line.has(n.id));
  // the steps ahead listed: the first AHEAD_LIMIT of them (a jump back into a 20,000-step line would list thousands)
  const aheadShown = ahead.slice(0, AHEAD_LIMIT);
  const [showAll, setShowAll] = useState(false);
  // in a lesson, the steps the learner ran themselves are marked (the lesson's carry their step number)
  const inLesson = useWs((s) => s.lesson !== null);
  const LIMIT = 150;
  const hidden = showAll ? 0 : Math.max(0, path.length - LIMIT);
  /** the branches leaving the line at this step: each as its first step, length and tip */
  const branchesAt = (id: number | null) => (kids.get(id) ?? []).filter((c) => !line.has(c.id)).map((c) => {
    let tip = c, len = 1;
    for (let n = newest(kids.get(c.id)); n && len < 10_000; n = newest(kids.get(n.id))) { tip = n; len++; }
    return { first: c, tip, len };
  });
  const branches = (at: number | null) => {
    const bs = branchesAt(at);
    if (!bs.length) return null;
    return <>{bs.slice(0, 5).map((b) => (
      <li key={`b${b.first.id}`} className="branch-row">
        <button onClick={() => void actions.jumpTo(b.tip.id)} data-testid="branch-row" title={`a branch that leaves here: ${describe(b.first.entry)} … ${describe(b.tip.entry)}`}>
          <span className="fork" aria-hidden="true">└</span> branch: {describe(b.first.entry).slice(0, 50)}{b.len > 1 ? ` … +${b.len - 1} step${b.len === 2 ? '' : 's'}` : ''}
        </button>
      </li>))}</>;
  };
  return (
    <nav className="timeline" aria-label="timeline">
      <h3>Timeline <small>{path.length} step{path.length === 1 ? '' : 's'}{ahead.length ? ` · ${ahead.length} ahead` : ''}{tips.length ? ` · ${tips.length} other branch${tips.length === 1 ? '' : 'es'}` : ''}</small></h3>
      <BranchTree line={[...path, ...ahead]} head={head} pathLength={path.length} kids={kids}
        describe={(n) => describe(n.entry)} jumpTo={(id) => void actions.jumpTo(id)} />
      <ol>
        <li><button className={head === null ? 'current' : ''} onClick={() => void actions.jumpTo(null)}>start</button></li>
        {branches(null)}
        {hidden > 0 && <li><button onClick={() => setShowAll(true)}>… show {hidden} earlier steps</button></li>}
        {path.slice(hidden).map((n, i) => <Fragment key={n.id}>
          <Step n={n} i={hidden + i + 1} current={n.id === head} own={inLesson && n.step === undefined} jumpTo={actions.jumpTo} />{branches(n.id)}
        </Fragment>)}
        {ahead.length > 0 && <li className="ahead-label muted" data-testid="ahead-label">ahead of the current step (click to go there):</li>}
        {aheadShown.map((n, i) => <Fragment key={n.id}>
          <Step n={n} i={path.length + i + 1} current={false} own={inLesson && n.step === undefined} jumpTo={actions.jumpTo} ahead />{branches(n.id)}
        </Fragment>)}
        {ahead.length > aheadShown.length && <li><button className="ahead" data-testid="ahead-more" onClick={() => void actions.jumpTo(ahead[ahead.length - 1]!.id)}
          title="go to the last of them">… {ahead.length - aheadShown.length} more steps ahead (click to go to the last)</button></li>}
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

const Step = memo(function Step({ n, i, current, own, jumpTo, ahead = false }:
  { n: TimelineNode; i: number; current: boolean; own: boolean; jumpTo(id: number): Promise<void>; ahead?: boolean }) {
  const onJump = () => void jumpTo(n.id);
  const failed = n.mark === 'failed';
  const waits = n.mark === 'waits';
  // autovacuum's runs during the step (the virtual clock passed a launcher wake-up), listed like statements
  const runs = (n.result?.outcomes ?? []).flatMap((o) => o.trace.events.filter((e) => e.kind === 'autovacuum').map((e) => e.text.split(' — ')[0]!));
  return (
    <li>
      <button className={`${current ? 'current' : ''}${failed ? ' failed' : ''}${own ? ' own' : ''}${ahead ? ' ahead' : ''}`} onClick={onJump} data-testid={ahead ? `ahead-${i}` : `step-${i}`} title={`${ahead ? 'ahead (not applied now; click to go there): ' : ''}${own ? 'your own (not the lesson\'s): ' : ''}${describe(n.entry)}`}>
        {i}. {own ? '✎ ' : ''}{describe(n.entry).slice(0, 70)}{failed ? ' ✗' : waits ? ' (waits)' : ''}
      </button>
      {runs.map((r, k) => <div key={k} className="bg-run" data-testid="timeline-autovacuum">↳ {r}</div>)}
    </li>
  );
}, (a, b) => a.n.id === b.n.id && a.n.result === b.n.result && a.i === b.i && a.current === b.current &&
  a.n.mark === b.n.mark && a.own === b.own && a.ahead === b.ahead);

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
  const shownEvent = useWs((s) => s.shown?.event ?? null);
  const slot = eventSlots(node?.result).at(playback?.event ?? 0);
  const ev = slot?.event ?? (shownEvent && shownEvent.seq === slot?.seq ? shownEvent : undefined);
  return ev ? { rel: ev.rel, blk: ev.blk, off: ev.off, lsn: ev.lsn, session: ev.session, kind: ev.kind } : null;
}
