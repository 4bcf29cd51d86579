/** Who waits for whom: the wait-for graph (deadlock cycle marked), pending deadlock checks, and pg_locks. */
import { Xid } from '../Xid';
import { RelName, relNames } from '../RelName';
import { useWs } from '../hooks';

export function WaitsView({ lookSession = null }: { lookSession?: string | null }) {
  const st = useWs((s) => s.shown ?? s.state);
  const lastError = useWs((s) => {
    const n = s.head === null ? null : s.nodes.get(s.head);
    return n?.result?.outcomes.find((o) => o.error?.sqlstate === '40P01') ?? null;
  });
  if (!st) return null;
  const names = relNames(st);
  const sessions = st.sessions.filter((s) => s.name !== 'setup' && s.name !== 'control connection');
  const edges = sessions.flatMap((s) => (s.waiting?.blockedBy ?? []).map((b) => ({ from: s.name, to: b, label: `${s.waiting!.mode}` })));
  const inCycle = new Set<string>();
  for (const s of sessions) {
    const seen: string[] = [];
    let cur: string | undefined = s.name;
    while (cur && !seen.includes(cur)) { seen.push(cur); cur = edges.find((e) => e.from === cur)?.to; }
    if (cur && seen.includes(cur)) seen.slice(seen.indexOf(cur)).forEach((n) => inCycle.add(n));
  }
  const R = 90, cx = 160, cy = 120;
  const pos = new Map(sessions.map((s, i) => [s.name, { x: cx + R * Math.cos((2 * Math.PI * i) / sessions.length - Math.PI / 2), y: cy + R * Math.sin((2 * Math.PI * i) / sessions.length - Math.PI / 2) }]));
  return (
    <div className="waits">
      <svg width={340} height={250} role="img" aria-label="wait-for graph">
        <defs><marker id="arrow" viewBox="0 0 10 10" refX="28" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" /></marker></defs>
        {edges.map((e, i) => {
          const a = pos.get(e.from)!, b = pos.get(e.to);
          if (!b) return null;
          const cyc = inCycle.has(e.from) && inCycle.has(e.to);
          return (
            <g key={i}>
              <line x1={a.x} y1={a.y} x2={b.x} y2={b.y} className={`edge${cyc ? ' cycle' : ''}`} markerEnd="url(#arrow)" />
              <text x={(a.x + b.x) / 2} y={(a.y + b.y) / 2 - 4} className="edge-label">{e.from} waits for {e.to}{cyc ? ' (cycle!)' : ''}</text>
            </g>
          );
        })}
        {sessions.map((s) => {
          const p = pos.get(s.name)!;
          const victim = lastError?.session === s.name;
          return (
            <g key={s.name} transform={`translate(${p.x},${p.y})`}>
              <circle r={22} className={`node${s.waiting ? ' waiting' : ''}${inCycle.has(s.name) ? ' cycle' : ''}${victim ? ' victim' : ''}${lookSession === s.name ? ' looked' : ''}`} />
              <text textAnchor="middle" dy={4}>{s.name}</text>
              {victim && <text textAnchor="middle" dy={38} className="victim-label">victim (40P01)</text>}
            </g>
          );
        })}
      </svg>
      {lastError && <p className="error" data-testid="deadlock-victim">Deadlock: <strong>{lastError.session}</strong> found the cycle when its deadlock_timeout fired and aborted itself. {lastError.error?.detail}</p>}
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
