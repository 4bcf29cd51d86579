/**
 * Snapshots on the transaction-id number line (d3 scale): each session's xmin, xmax and running list, and the
 * commit-log state of every xid (committed / aborted / in progress — shape and text, not only colour).
 */
import { scaleLinear } from 'd3';
import { useWs } from '../hooks';

export function SnapshotView({ lookSession = null }: { lookSession?: string | null }) {
  const st = useWs((s) => s.shown ?? s.state);
  if (!st) return null;
  const clog = st.clog;
  const lo = clog.length ? clog[0]!.xid : st.nextXid - 1;
  const hi = st.nextXid;
  const width = 640;
  const x = scaleLinear().domain([lo - 0.5, hi + 0.5]).range([40, width - 20]);
  const sessions = st.sessions.filter((s) => s.name !== 'setup');
  const rowH = 34;
  const height = 70 + sessions.length * rowH;
  const stateOf = (xid: number) => clog.find((c) => c.xid === xid)?.status ?? 'in progress';
  return (
    <div className="snapshots">
      <svg width={width} height={height} role="img" aria-label="snapshots on the xid number line">
        <text x={4} y={16} className="axis-label">xid</text>
        {clog.map((c) => (
          <g key={c.xid} transform={`translate(${x(c.xid)},24)`}>
            <text textAnchor="middle" y={0} className="xid">{c.xid}</text>
            <text textAnchor="middle" y={16} className={`clog ${c.status.replace(' ', '-')}`}>{c.status === 'committed' ? '✓' : c.status === 'aborted' ? '✗' : '…'}</text>
          </g>
        ))}
        {sessions.map((s, i) => {
          const y = 70 + i * rowH;
          const parsed = s.snapshot?.split(':');
          return (
            <g key={s.name}>
              <text x={4} y={y + 4} className="sname">{s.name}</text>
              {parsed ? (() => {
                const xmin = Number(parsed[0]), xmax = Number(parsed[1]);
                const xip = parsed[2] ? parsed[2].split(',').map(Number) : [];
                return (
                  <g>
                    <line x1={x(lo - 0.5)} x2={x(xmin - 0.5)} y1={y} y2={y} className="seen" />
                    <line x1={x(xmax - 0.5)} x2={x(hi + 0.5)} y1={y} y2={y} className="future" />
                    <text x={x(xmin - 0.5)} y={y - 6} className="mark">xmin {xmin}</text>
                    <text x={x(xmax - 0.5)} y={y + 14} className="mark">xmax {xmax}</text>
                    {xip.map((v) => <rect key={v} x={x(v) - 6} y={y - 6} width={12} height={12} className="xip"><title>{v} was running</title></rect>)}
                  </g>
                );
              })() : <text x={44} y={y + 4} className="muted">{s.block === 'inprogress' ? `no transaction snapshot yet (${s.isolation}: taken at the first statement)` : 'takes a fresh snapshot for each statement'}</text>}
            </g>
          );
        })}
      </svg>
      <p className="legend">✓ committed · ✗ aborted · … in progress (from the commit log). A bar up to <em>xmin</em>: finished before the snapshot;
        squares: running at the snapshot (invisible); beyond <em>xmax</em>: started later (invisible, even once committed).</p>
      <table className="grid"><thead><tr><th>session</th><th>state</th><th>xid</th><th>snapshot</th><th>isolation</th></tr></thead>
        <tbody>{st.sessions.map((s) => <tr key={s.name} className={lookSession === s.name ? 'highlight-row' : ''}><td>{s.name}</td><td>{s.state}</td><td>{s.xid ?? '—'}</td><td>{s.snapshot ?? '—'}</td><td>{s.isolation ?? '—'}</td></tr>)}</tbody>
      </table>
      <p className="muted">xid state: {clog.slice(-12).map((c) => `${c.xid} ${stateOf(c.xid)}`).join(' · ')}</p>
    </div>
  );
}
