/**
 * The write-ahead log in LSN order (as pg_waldump lists it) and the page LSNs it produced. Above the list, the listed
 * records as a tape with the flush pointer (WAL on disk up to here) and the insert position (the next record goes
 * here); both move with a d3 transition when a step or an event moves them (motion.ts).
 */
import { scaleLinear } from 'd3';
import { useMovingAttr } from '../motion';
import type { WalRecordView } from '../../shared/api';
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
      <WalTape rows={rows} insert={st.walInsert} flush={st.walFlush} />
      <table className="grid" data-testid="wal"><thead><tr><th>LSN</th><th>end</th><th>rmgr</th><th>type</th><th>xid</th><th>len</th><th>FPI</th><th>block</th><th>on disk</th></tr></thead>
        <tbody>{rows.map((r, i) => (
          <tr key={r.lsn} className={(highlightLsn && r.endLsn === highlightLsn) || (highlightLast && i === rows.length - 1) ? 'highlight-row' : ''}><td><code>{r.lsn}</code></td><td><code>{r.endLsn}</code></td><td>{r.rmgr}</td><td>{r.type}</td><td>{r.xid ? <Xid xid={r.xid} /> : ''}</td><td>{r.len}</td><td>{r.fpiLen ? `${r.fpiLen} B` : ''}</td><td>{r.rel ? <><RelName oid={r.rel} names={names} /> blk {r.blk ?? ''}{r.off ? ` off ${r.off}` : ''}</> : ''}</td><td>{r.flushed ? 'flushed' : 'buffer only'}</td></tr>
        ))}</tbody>
      </table>
    </div>
  );
}

const lsnValue = (s: string) => { const [hi, lo] = s.split('/'); return parseInt(hi!, 16) * 0x100000000 + parseInt(lo!, 16); };

/** The listed records as a tape, the flush pointer and the insert position on it (they move, they do not jump). */
function WalTape({ rows, insert, flush }: { rows: readonly WalRecordView[]; insert: string; flush: string }) {
  const W = 700;
  const ins = lsnValue(insert), fl = lsnValue(flush);
  const lo = Math.min(rows.length ? lsnValue(rows[0]!.lsn) : ins, fl, ins);
  const hi = Math.max(lo + 1, ins, fl);
  // a rounded domain: the pointers move along it as records are added (it grows only when they pass its end)
  const x = scaleLinear().domain([lo, hi + Math.max(64, (hi - lo) * 0.1)]).nice(6).range([10, W - 10]);
  const flushX = Math.round(x(fl)), insertX = Math.round(x(ins));
  const flushed = useMovingAttr<SVGRectElement>('width', String(Math.max(0, flushX - 10)));
  const flushPtr = useMovingAttr<SVGGElement>('transform', `translate(${flushX},0)`);
  const insertPtr = useMovingAttr<SVGGElement>('transform', `translate(${insertX},0)`);
  const anchor = (px: number) => (px > W - 140 ? 'end' : px < 140 ? 'start' : 'middle');
  return (
    <svg className="wal-tape" viewBox={`0 0 ${W} 58`} width="100%" role="img" aria-label={`WAL: flushed up to ${flush}, insert position ${insert}`} data-testid="wal-tape">
      <rect x={10} y={20} width={W - 20} height={14} className="tape-all" />
      {rows.map((r) => { const a = x(lsnValue(r.lsn)), b = x(lsnValue(r.endLsn)); return <rect key={r.lsn} x={a} y={20} width={Math.max(1, b - a)} height={14} className={`rec ${r.flushed ? 'flushed' : 'buffered'}`} fillOpacity={0}><title>{`${r.lsn} ${r.rmgr}/${r.type}`}</title></rect>; })}
      <rect ref={flushed} x={10} y={20} height={14} className="tape-flushed" />
      <g ref={flushPtr} className="ptr flush" data-testid="wal-flush-pointer" data-lsn={flush}>
        <line y1={16} y2={38} /><text y={52} textAnchor={anchor(flushX)}>flushed {flush}</text>
      </g>
      <g ref={insertPtr} className="ptr insert" data-testid="wal-insert-pointer" data-lsn={insert}>
        <line y1={14} y2={40} /><text y={11} textAnchor={anchor(insertX)}>insert {insert}</text>
      </g>
    </svg>
  );
}
