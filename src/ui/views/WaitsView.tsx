/**
 * Who waits for whom: the wait-for graph (deadlock cycle marked), pending deadlock checks, and pg_locks. When the
 * step holds a deadlock check, its four moments — cycle found, victim chosen, the victim's locks released, the
 * waiter granted — are listed; while the player steps through them, the graph and pg_locks show each moment's
 * state and the list marks where the player is (click a moment to go there).
 */
import { useMemo } from 'react';
import { Xid } from '../Xid';
import { RelName, relNames } from '../RelName';
import { useWorkspace, useWs } from '../hooks';
import type { SessionOutcome } from '../../shared/api';
import { eventSlots } from '../../store/slots';

type TraceEvent = SessionOutcome['trace']['events'][number];

/** The deadlock check's moments among a step's events (index into the step's events, or -1 if absent). */
export function deadlockMoments(events: readonly TraceEvent[]) {
  const cycle = events.findIndex((e) => e.kind === 'deadlock' && e.outcome === 'cycle');
  if (cycle < 0) return null;
  const victimAt = events.findIndex((e, i) => i > cycle && e.kind === 'deadlock' && e.outcome === 'victim');
  const victim = victimAt >= 0 ? events[victimAt]!.session : events[cycle]!.session;
  const released = events.findIndex((e, i) => i > victimAt && e.kind === 'lock' && e.outcome === 'released' && e.session === victim);
  const granted = events.findIndex((e, i) => i > Math.max(released, victimAt) && e.kind === 'granted');
  return {
    victim,
    steps: [
      { at: cycle, label: 'cycle found', text: `${events[cycle]!.session}'s deadlock_timeout fired; the check walks the wait-for graph and finds a cycle through it` },
      { at: victimAt, label: 'victim chosen', text: `${victim}, the backend that found the cycle, aborts itself with 40P01` },
      { at: released, label: 'locks released', text: `${victim}'s transaction ends: all its locks are released` },
      { at: granted, label: 'waiter granted', text: granted >= 0 ? `${events[granted]!.session}'s request is granted: it runs on` : 'no one was waiting for what it held' },
    ],
  };
}

export function WaitsView({ lookSession = null }: { lookSession?: string | null }) {
  const st = useWs((s) => s.shown ?? s.state);
  const lastError = useWs((s) => {
    const n = s.head === null ? null : s.nodes.get(s.head);
    return n?.result?.outcomes.find((o) => o.error?.sqlstate === '40P01') ?? null;
  });
  const { actions } = useWorkspace();
  const playback = useWs((s) => s.playback);
  const node = useWs((s) => (s.playback ? s.nodes.get(s.playback.nodeId) : undefined));
  const events = useMemo(() => node?.result?.outcomes.flatMap((o) => o.trace.events) ?? [], [node]);
  const slots = useMemo(() => eventSlots(node?.result), [node]);
  // the moments as slots of the player (an index into the step's events, counted ones included)
  const moments = useMemo(() => {
    const m = deadlockMoments(events);
    return m && { ...m, steps: m.steps.map((x) => ({ ...x, at: x.at < 0 ? -1 : slots.indexOfSeq(events[x.at]!.seq ?? x.at) })) };
  }, [events, slots]);
  if (!st) return null;
  const names = relNames(st);
  const scrub = !!playback?.scrub && !!moments;
  const idx = playback?.event ?? 0;
  // while stepping, the victim is marked from the moment it is chosen (before that it is only a waiter in the cycle)
  const victimName = scrub ? (moments!.steps[1]!.at >= 0 && idx >= moments!.steps[1]!.at ? moments!.victim : null) : lastError?.session ?? null;
  const sessions = st.sessions.filter((s) => s.name !== 'setup' && s.name !== 'control connection');
  const edges = sessions.flatMap((s) => (s.waiting?.blockedBy ?? []).map((b) => ({ from: s.name, to: b, label: `${s.waiting!.mode}` })));
  const inCycle = new Set<string>();
  for (const s of sessions) {
    const seen: string[] = [];
    let cur: string | undefined = s.name;
    while (cur && !seen.includes(cur)) { seen.push(cur); cur = edges.find((e) => e.from === cur)?.to; }
    if (cur && seen.includes(cur)) seen.slice(seen.indexOf(cur)).forEach((n) => inCycle.add(n));
  }
  const R = 90, cx = 190, cy = 120;
  const pos = new Map(sessions.map((s, i) => [s.name, { x: cx + R * Math.cos((2 * Math.PI * i) / sessions.length - Math.PI / 2),
    y: cy + R * Math.sin((2 * Math.PI * i) / sessions.length - Math.PI / 2) }]));
  return (
    <div className="waits">
      <svg width={380} height={250} role="img" aria-label="wait-for graph">
        <defs><marker id="arrow" viewBox="0 0 10 10" refX="34" refY="5" markerWidth="10" markerHeight="10" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" /></marker></defs>
        {edges.map((e, i) => {
          const a = pos.get(e.from)!, b = pos.get(e.to);
          if (!b) return null;
          const cyc = inCycle.has(e.from) && inCycle.has(e.to);
          return (
            <g key={i}>
              {/* curved, so the two directions of a cycle between two sessions are two arrows, not one line */}
              <path d={`M${a.x},${a.y} Q${(a.x + b.x) / 2 + (b.y - a.y) * 0.3},${(a.y + b.y) / 2 - (b.x - a.x) * 0.3} ${b.x},${b.y}`} className={`edge${cyc ? ' cycle' : ''}`} markerEnd="url(#arrow)" fill="none" />
              <text x={(a.x + b.x) / 2 + (b.y - a.y) * 0.15 + Math.sign(b.y - a.y) * 6} y={(a.y + b.y) / 2 - (b.x - a.x) * 0.15 + 4 - (b.y === a.y ? 6 : 0)} textAnchor={b.y > a.y ? 'start' : b.y < a.y ? 'end' : 'middle'} className="edge-label">{e.from} waits for {e.to}{cyc ? ' (cycle!)' : ''}</text>
            </g>
          );
        })}
        {sessions.map((s) => {
          const p = pos.get(s.name)!;
          const victim = victimName === s.name;
          return (
            <g key={s.name} transform={`translate(${p.x},${p.y})`}>
              <circle r={22} className={`node${s.waiting ? ' waiting' : ''}${inCycle.has(s.name) ? ' cycle' : ''}${victim ? ' victim' : ''}${lookSession === s.name ? ' looked' : ''}`} />
              <text textAnchor="middle" dy={4}>{s.name}</text>
              {victim && <text x={28} dy={4} className="victim-label">victim (40P01)</text>}
            </g>
          );
        })}
      </svg>
      {moments && node && (
        <div className="deadlock-check" data-testid="deadlock-check">
          <strong>The deadlock check, moment by moment</strong>{scrub ? '' : <span className="muted"> — step through the events (← →) or click a moment to see the locks as they were</span>}
          <ol>{moments.steps.map((m, i) => {
            const state = m.at < 0 ? 'absent' : !scrub || idx > m.at ? 'done' : idx === m.at ? 'current' : 'pending';
            return (
              <li key={m.label} className={`dl-${state}`} data-testid={`deadlock-moment-${i + 1}`} aria-current={state === 'current' ? 'step' : undefined}>
                {m.at >= 0 ? <button className="link" onClick={() => void actions.setPlayback({ nodeId: node.id, event: m.at, scrub: true })}>{m.label}</button> : <span>{m.label}</span>}
                {' '}<span className="muted">{m.text}{state === 'current' ? ' — shown now' : state === 'pending' ? ' (not yet)' : ''}</span>
              </li>
            );
          })}</ol>
        </div>
      )}
      {lastError && (!scrub || idx >= moments!.steps[1]!.at) && <p className="error" data-testid="deadlock-victim">Deadlock: <strong>{lastError.session}</strong> found the cycle when its deadlock_timeout fired and aborted itself. {lastError.error?.detail}</p>}
      {st.timers.length > 0 && <p className="muted">Pending timers: {st.timers.map((t) => `${t.session} ${TIMER_WORDS[t.kind] ?? t.kind} at t=${t.at} ms`).join(', ')} (now t={st.clock} ms)</p>}
      <h3>pg_locks</h3>
      <table className="grid" data-testid="pg-locks"><thead><tr><th>session</th><th>locktype</th><th>relation</th><th>page,tuple</th><th>transactionid</th><th>virtualxid</th><th>advisory key</th><th>mode</th><th>granted</th></tr></thead>
        <tbody>{st.locks.filter((l) => l.session !== 'control connection').map((l, i) => (
          <tr key={i} className={`${l.granted ? '' : 'not-granted'}${lookSession === l.session && !l.granted ? ' highlight-row' : ''}`}><td>{l.session}</td><td>{l.locktype}</td><td>{l.relation ? <RelName oid={l.relation} names={names} /> : ''}</td><td>{l.page !== null ? `${l.page},${l.tuple}` : ''}</td><td>{l.transactionid ? <Xid xid={l.transactionid} /> : ''}</td><td>{l.virtualxid ?? ''}</td><td>{l.locktype === 'advisory' ? `${l.classid},${l.objid},${l.objsubid}` : ''}</td><td>{l.mode}</td><td>{l.granted ? 'yes' : 'NO (waiting)'}</td></tr>
        ))}</tbody>
      </table>
    </div>
  );
}

/** How the pending timers of the virtual clock are named (clock/clock.ts TimerKind). */
const TIMER_WORDS: Record<string, string> = {
  deadlock: 'deadlock check', lock_timeout: 'lock_timeout', statement_timeout: 'statement_timeout',
  idle_in_transaction: 'idle_in_transaction_session_timeout', sleep: 'end of pg_sleep',
};
