/**
 * The event player: a statement's trace events one at a time, each with a one-line caption. While stepping
 * ("scrubbing"), every view shows the engine's state as of the played event — replayed to that moment by the
 * engine (src/worker/events.ts) — not the state after the statement; "after the statement" goes back to it.
 * Keys: ← / → step through events and Shift+← / → through statements (in a lesson, where ← / → move the
 * lesson, the event keys are , and .); never while typing in an editor or a field. A bulk statement's events past
 * the trace's detail limit are stepped too: their caption comes with the replayed state (store/slots.ts).
 */
import { useEffect, useMemo, useState } from 'react';
import { useWorkspace, useWs } from './hooks';
import { pathTo, type TimelineNode } from '../store/workspace';
import { eventSlots } from '../store/slots';

const typing = (t: EventTarget | null) => !!(t as HTMLElement | null)?.closest?.('.monaco-editor, input, textarea, select, [contenteditable="true"], [role="tablist"]');

/** `lesson`: a lesson drives the statements (its next / back), so only the events of the current one are stepped here. */
export function Player({ onEvent, lesson = false }: { onEvent?(kind: string | undefined): void; lesson?: boolean }) {
  const { actions } = useWorkspace();
  const playback = useWs((s) => s.playback);
  const nodes = useWs((s) => s.nodes);
  const head = useWs((s) => s.head);
  const node = useWs((s) => (s.playback ? s.nodes.get(s.playback.nodeId) : undefined));
  const shownReady = useWs((s) => s.shown !== null);
  const shownEvent = useWs((s) => s.shown?.event ?? null);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState(600);
  const slots = useMemo(() => eventSlots(node?.result), [node]);
  const count = slots.length;
  const kindAt = (i: number) => slots.at(i)?.event?.kind;
  const folded = new Map<string, number>();
  for (const o of node?.result?.outcomes ?? []) for (const [k, v] of Object.entries(o.trace.folded)) folded.set(k, (folded.get(k) ?? 0) + (v ?? 0));
  const idx = playback?.event ?? 0;
  const scrub = !!playback?.scrub;
  const go = (d: number) => {
    if (!playback) return;
    // from "after the statement", back is its last event and forward the one after the captioned one
    const next = Math.max(0, Math.min(count - 1, scrub ? idx + d : d < 0 ? count - 1 : idx + 1));
    void actions.setPlayback({ ...playback, event: next, scrub: true });
    onEvent?.(kindAt(next));
  };
  const path = pathTo(nodes, head);
  const at = path.findIndex((n) => n.id === head);
  let child: TimelineNode | undefined;
  for (const n of nodes.values()) if (n.parent === head && (!child || n.id > child.id)) child = n;
  const prevStatement = () => { if (head !== null) void actions.jumpTo(at > 0 ? path[at - 1]!.id : null); };
  const nextStatement = () => { if (child) void actions.jumpTo(child.id); };
  useEffect(() => {
    if (!playing || !playback) return;
    if (scrub && idx >= count - 1) { setPlaying(false); return; }
    const t = setTimeout(() => {
      const n = scrub ? idx + 1 : 0; void actions.setPlayback({ ...playback, event: n, scrub: true }); onEvent?.(slots.at(n)?.event?.kind);
    }, scrub ? speed : 0);
    return () => clearTimeout(t);
  }, [playing, idx, count, slots, playback, speed, actions, onEvent, scrub]);
  // the keys (see the module comment)
  const keyRef = { go, prevStatement, nextStatement, lesson };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented || typing(e.target)) return;
      const k = keyRef;
      const back = k.lesson ? e.key === ',' : e.key === 'ArrowLeft' || e.key === ',';
      const fwd = k.lesson ? e.key === '.' : e.key === 'ArrowRight' || e.key === '.';
      if (!back && !fwd) return;
      e.preventDefault();
      if (e.shiftKey && !k.lesson) { if (back) k.prevStatement(); else k.nextStatement(); } else k.go(back ? -1 : 1);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });
  if (!playback || !node) return <div className="player muted">Run a statement to see what the engine did, step by step.</div>;
  const slot = slots.at(idx);
  // an event the trace only counted: its caption comes with the replayed state
  const ev = slot?.event ?? (scrub && shownEvent && shownEvent.seq === slot?.seq ? shownEvent : null);
  const foldedText = [...folded].map(([k, v]) => `${v} ${k}`).join(', ');
  // in a lesson ← → move between the lesson's steps, so the event keys are , and .
  const keys = lesson
    ? <><kbd>,</kbd> and <kbd>.</kbd> step events</>
    : <><kbd>←</kbd> <kbd>→</kbd> step events · <kbd>Shift</kbd>+<kbd>←</kbd> <kbd>→</kbd> statements</>;
  return (
    <div className={`player${scrub ? ' scrubbing' : ''}`} aria-label="event player">
      <div className="controls">
        {lesson && <span className="muted">What the engine did, event by event:</span>}
        {!lesson && <button onClick={prevStatement} disabled={head === null} aria-label="previous statement">◀◀ statement</button>}
        <button onClick={() => go(-1)} disabled={scrub ? idx <= 0 : !count} aria-label="previous event">◀ {lesson ? 'event' : 'prev'}</button>
        <button onClick={() => setPlaying(!playing)} aria-label={playing ? 'pause' : 'play'}>{playing ? '‖ pause' : '▶ play'}</button>
        <button onClick={() => go(1)} disabled={scrub ? idx >= count - 1 : !count} aria-label="next event">{lesson ? 'event' : 'next'} ▶</button>
        <button onClick={() => void actions.setPlayback({ ...playback, scrub: false })} disabled={!scrub} aria-label="after the statement" title="show the state after the whole statement">after it ▶|</button>
        {!lesson && <button onClick={nextStatement} disabled={!child} aria-label="next statement" title="the newest step after this one">statement ▶▶</button>}
        <label>speed <select value={speed} onChange={(e) => setSpeed(Number(e.target.value))} aria-label="playback speed"><option value={1200}>slow</option><option value={600}>normal</option><option value={200}>fast</option></select></label>
        <span className="muted" data-testid="event-count">event {count ? idx + 1 : 0} / {count}{foldedText ? ` (${slots.kept} narrated in the list, the other ${count - slots.kept} — ${foldedText} — narrated when stepped to)` : ''}</span>
        <span className="keys muted" data-testid="player-keys">{keys}</span>
      </div>
      <p className="caption" data-testid="caption">{ev ? ev.text : slot ? (scrub ? `Replaying to event ${idx + 1}…` : 'Step to see this event.') : 'This step produced no events.'}</p>
      <p className="shown-as-of muted" data-testid="shown-as-of">
        {scrub ? (shownReady ? <>The views show the state <strong>as of event {idx + 1}</strong> (replayed to that moment).</>
          : <>Replaying to event {idx + 1}…</>)
          : <>The views show the state <strong>after the statement</strong>; step to see it event by event.</>}
      </p>
    </div>
  );
}
