/** The write-ahead log in LSN order (as pg_waldump lists it) and the page LSNs it produced. */
import { useWs } from '../hooks';

export function WalView({ highlightLsn }: { highlightLsn?: string | undefined }) {
  const st = useWs((s) => s.state);
  if (!st) return null;
  const rows = st.wal.slice(-150);
  return (
    <div className="wal">
      <p className="muted">{st.walCount} records; insert position {st.walInsert}. The last {rows.length} are listed. Each change's record ends where the page's pd_lsn now points.</p>
      <table className="grid" data-testid="wal"><thead><tr><th>LSN</th><th>end</th><th>rmgr</th><th>type</th><th>xid</th><th>len</th><th>FPI</th><th>block</th></tr></thead>
        <tbody>{rows.map((r) => (
          <tr key={r.lsn} className={highlightLsn && r.endLsn === highlightLsn ? 'highlight-row' : ''}><td><code>{r.lsn}</code></td><td><code>{r.endLsn}</code></td><td>{r.rmgr}</td><td>{r.type}</td><td>{r.xid || ''}</td><td>{r.len}</td><td>{r.fpiLen ? `${r.fpiLen} B` : ''}</td><td>{r.rel ? `${r.rel}/${r.blk ?? ''}${r.off ? ` off ${r.off}` : ''}` : ''}</td></tr>
        ))}</tbody>
      </table>
    </div>
  );
}
