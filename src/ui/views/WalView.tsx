/** The write-ahead log in LSN order (as pg_waldump lists it) and the page LSNs it produced. */
import { Xid } from '../Xid';
import { RelName, relNames } from '../RelName';
import { useWs } from '../hooks';

export function WalView({ highlightLsn, highlightLast = false }: { highlightLsn?: string | undefined; highlightLast?: boolean }) {
  const st = useWs((s) => s.shown ?? s.state);
  if (!st) return null;
  const names = relNames(st);
  const rows = st.wal.slice(-150);
  return (
    <div className="wal">
      <p className="muted">{st.walCount} records; insert position {st.walInsert}. The last {rows.length} are listed. Each change's record ends where the page's pd_lsn now points.</p>
      <p data-testid="wal-pointers">Flushed to disk up to <code>{st.walFlush}</code>
        {st.walUnflushed > 0 ? <> — {st.walUnflushed} record{st.walUnflushed === 1 ? '' : 's'} only in WAL buffers (a crash now would lose {st.walUnflushed === 1 ? 'it' : 'them'}; a COMMIT flushes up to its own record)</> : <> — nothing waits in WAL buffers</>}
        .{st.walUnflushedCommits.length > 0 && <strong data-testid="wal-async-commits"> Asynchronous commit{st.walUnflushedCommits.length === 1 ? '' : 's'} of xid {st.walUnflushedCommits.join(', ')} (synchronous_commit = off): the client was told COMMIT, but a crash before the wal writer flushes (200 ms of virtual time after the commit) would lose {st.walUnflushedCommits.length === 1 ? 'it' : 'them'}.</strong>}
        {' '}Last checkpoint's redo pointer <code>{st.walRedo}</code>: the next change to a page after it logs a full-page image.</p>
      <table className="grid" data-testid="wal"><thead><tr><th>LSN</th><th>end</th><th>rmgr</th><th>type</th><th>xid</th><th>len</th><th>FPI</th><th>block</th><th>on disk</th></tr></thead>
        <tbody>{rows.map((r, i) => (
          <tr key={r.lsn} className={(highlightLsn && r.endLsn === highlightLsn) || (highlightLast && i === rows.length - 1) ? 'highlight-row' : ''}><td><code>{r.lsn}</code></td><td><code>{r.endLsn}</code></td><td>{r.rmgr}</td><td>{r.type}</td><td>{r.xid ? <Xid xid={r.xid} /> : ''}</td><td>{r.len}</td><td>{r.fpiLen ? `${r.fpiLen} B` : ''}</td><td>{r.rel ? <><RelName oid={r.rel} names={names} /> blk {r.blk ?? ''}{r.off ? ` off ${r.off}` : ''}</> : ''}</td><td>{r.flushed ? 'flushed' : 'buffer only'}</td></tr>
        ))}</tbody>
      </table>
    </div>
  );
}
