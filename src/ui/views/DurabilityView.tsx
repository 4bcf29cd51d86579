/**
 * Durability: the WAL as a tape (redo pointer, flush pointer, insert position), shared buffers vs the pages on
 * disk (page LSN in memory vs on disk), pg_control, the crash controls with their micro-points, and the last
 * crash recovery record by record with the page-LSN comparison REDO made for each. The tape's pointers slide to
 * their new positions (d3 transitions; none with prefers-reduced-motion).
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { scaleLinear } from 'd3';
import { useWorkspace, useWs } from '../hooks';
import { CRASH_POINT_CHOICES } from '../../shared/api';
import { useMovingAttr } from '../motion';

/** a pointer on the tape that slides to its new LSN (d3 transition, motion.ts) */
function MovingMark({ x, children }: { x: number; children: ReactNode }) {
  const ref = useMovingAttr<SVGGElement>('transform', `translate(${Math.round(x)},0)`);
  return <g ref={ref}>{children}</g>;
}
function MovingRect({ width }: { width: number }) {
  const ref = useMovingAttr<SVGRectElement>('width', String(Math.round(width)));
  return <rect ref={ref} x={10} y={18} height={14} className="tape-flushed" />;
}
import { RelName, relNames } from '../RelName';

const POINT_WORDS: Record<string, string> = {
  now: 'now (power failure)',
  'commit-before-flush': 'at the next COMMIT, before its WAL flush',
  'commit-after-flush': 'at the next COMMIT, after its WAL flush',
  'checkpoint-halfway': 'halfway through the next checkpoint',
  'page-write-after-wal-flush': 'at the next page write: WAL flushed, page not yet written',
  'torn-write': 'during the next page write (torn page)',
};
const ACTION_WORDS: Record<string, string> = {
  BLK_NEEDS_REDO: 'applied', BLK_DONE: 'skipped (page newer)', BLK_RESTORED: 'full-page image restored', BLK_NOTFOUND: 'relation gone', XACT: 'commit log', NOOP: '—',
};
const lsnValue = (s: string) => { const [hi, lo] = s.split('/'); return parseInt(hi!, 16) * 0x100000000 + parseInt(lo!, 16); };

export function DurabilityView({ highlight }: { highlight: { rel?: string | undefined; blk?: number | undefined; lsn?: string | undefined } | null }) {
  const { actions } = useWorkspace();
  const st = useWs((s) => s.shown ?? s.state);
  // while stepping through a REDO the recovery is half done: its report (the list of records) is the finished one's
  const finalRecovery = useWs((s) => s.state?.durability.lastRecovery);
  const busy = useWs((s) => s.phase !== 'ready');
  const [point, setPoint] = useState<string>('now');
  const [interrupt, setInterrupt] = useState('');
  const body = useRef<HTMLDivElement>(null);
  // keep the row of the event being played in sight
  useEffect(() => { body.current?.querySelector('tr.highlight-row')?.scrollIntoView({ block: 'nearest' }); }, [highlight?.lsn, highlight?.rel, highlight?.blk]);
  if (!st) return null;
  const d = st.durability;
  const names = relNames(st);
  const down = d.server === 'down';
  // the tape: from the start of the log to the insert position
  const first = st.wal.length && st.walCount === st.wal.length ? lsnValue(st.wal[0]!.lsn) : lsnValue(d.control.redo);
  const marks = [
    { name: 'redo pointer', lsn: d.control.redo, cls: 'redo' },
    { name: 'flushed', lsn: st.walFlush, cls: 'flush' },
    { name: 'insert', lsn: st.walInsert, cls: 'insert' },
  ];
  const lo = Math.min(first, ...marks.map((m) => lsnValue(m.lsn)));
  const hi = Math.max(lo + 1, ...marks.map((m) => lsnValue(m.lsn)));
  const x = scaleLinear().domain([lo, hi]).range([10, 690]);
  const crash = () => void actions.server('crash', point === 'now' ? undefined : point);
  const restart = () => void actions.server('restart', interrupt.trim() === '' ? undefined : interrupt.trim());
  const rec = d.lastRecovery ?? finalRecovery;
  return (
    <div className="durability" data-testid="durability" ref={body}>
      <div className="durability-controls" role="group" aria-label="server controls">
        <strong data-testid="server-state" className={down ? 'down' : 'up'}>{down ? 'server down (crashed) — restart it to run crash recovery' : '● server running'}</strong>
        {d.crashArmed && <span data-testid="crash-armed"> · crash armed: {POINT_WORDS[d.crashArmed] ?? d.crashArmed}</span>}
        <div>
          <button onClick={() => void actions.server('checkpoint')} disabled={busy || down}>CHECKPOINT</button>
          <button onClick={() => void actions.server('bgwriter')} disabled={busy || down} title="write up to 100 dirty pages, oldest page LSN first (the WAL rule flushes the log first)">Background writer round</button>
          <label>crash <select value={point} onChange={(e) => setPoint(e.target.value)} aria-label="crash point">
            {CRASH_POINT_CHOICES.map((p) => <option key={p} value={p}>{POINT_WORDS[p]}</option>)}
          </select></label>
          <button className="danger" onClick={crash} disabled={busy || down} data-testid="crash">{point === 'now' ? 'Pull the plug' : 'Arm crash'}</button>
          <button onClick={restart} disabled={busy || !down} data-testid="restart">Restart (crash recovery)</button>
          <label title="make the power fail again after this many REDO records (a crash during recovery)">fail again after <input value={interrupt} onChange={(e) => setInterrupt(e.target.value.replace(/[^0-9]/g, ''))} size={4} aria-label="crash during recovery after records" placeholder="—" /> records</label>
          <label><input type="checkbox" checked={d.fullPageWrites} disabled={busy} onChange={(e) => void actions.server('full_page_writes', e.target.checked ? 'on' : 'off')} data-testid="fpw" /> full_page_writes</label>
        </div>
      </div>
      <svg className="tape" viewBox="0 0 700 54" role="img" aria-label={`WAL tape: redo pointer ${d.control.redo}, flushed up to ${st.walFlush}, insert position ${st.walInsert}`}>
        <rect x={10} y={18} width={680} height={14} className="tape-all" />
        <MovingRect width={Math.max(0, x(lsnValue(st.walFlush)) - 10)} />
        {marks.map((m) => {
          const px = x(lsnValue(m.lsn));
          const anchor = px > 560 ? 'end' : px < 140 ? 'start' : 'middle';
          const same = m.cls === 'insert' && st.walInsert === st.walFlush;
          if (m.cls === 'flush' && st.walInsert === st.walFlush) return <line key={m.name} x1={px} x2={px} y1={12} y2={38} className="mark flush" />;
          const y = m.cls === 'redo' ? 10 : m.cls === 'flush' ? 50 : Math.abs(px - x(lsnValue(d.control.redo))) < 150 ? 50 : 10;
          return (
            <MovingMark key={m.name} x={px}>
              <line y1={12} y2={38} className={`mark ${m.cls}`} />
              <text y={y} textAnchor={anchor} className="mark-label">{same ? 'insert = flushed' : m.name} {m.lsn}</text>
            </MovingMark>
          );
        })}
      </svg>
      <p className="muted" data-testid="control">pg_control: state <strong>{d.control.state}</strong>, latest checkpoint's redo pointer <code>{d.control.redo}</code>, checkpoint record <code>{d.control.checkPoint}</code>, next xid {d.control.nextXid}. Solid part of the tape: WAL on disk (survives a crash); the rest is only in WAL buffers.</p>
      {d.lastCrash && <p data-testid="last-crash">Last crash ({POINT_WORDS[d.lastCrash.point] ?? d.lastCrash.point}, t={d.lastCrash.at} ms): lost {d.lastCrash.lostRecords} WAL record(s) still in buffers and {d.lastCrash.lostDirtyPages} page(s) changed since their last write{d.lastCrash.lostCommits.length ? <strong> — and the reported COMMITs of {d.lastCrash.lostCommits.join(', ')} (asynchronous)</strong> : ''}.</p>}
      <h4>{down ? 'On disk (the server is down: shared buffers are gone; the memory columns show what was read back)' : 'Shared buffers vs disk'}</h4>
      <table className="grid" data-testid="buffers"><thead><tr><th>relation</th><th>block</th><th>page LSN in memory</th><th>page LSN on disk</th><th>state</th></tr></thead>
        <tbody>{d.buffers.map((b) => {
          const state = down ? (b.diskTorn ? 'torn on disk (first 4 kB new, the rest old)' : b.diskLsn === null ? 'not on disk' : 'on disk')
            : b.torn ? 'CORRUPT (torn, not repaired)' : b.diskLsn === null ? (b.dirty ? 'dirty — never written' : 'empty') : b.dirty ? 'dirty' : b.diskTorn ? 'torn on disk' : 'clean';
          const hl = highlight && highlight.rel === b.rel && (b.blk === null || highlight.blk === b.blk);
          return <tr key={`${b.rel}:${b.blk}`} className={`${hl ? 'highlight-row' : ''}${b.torn ? ' corrupt' : ''}`}><td><RelName oid={b.oid} names={names} /></td><td>{b.blk ?? 'leaf'}</td><td><code>{b.bufferLsn}</code></td><td><code>{b.diskLsn ?? '—'}</code></td><td>{state}</td></tr>;
        })}</tbody>
      </table>
      {rec && (
        <>
          <h4>Last crash recovery</h4>
          <p data-testid="recovery-summary">{rec.outcome === 'Recovered' ? 'Recovered' : 'Interrupted by another power failure'}: {rec.replayed} record(s) replayed — {rec.applied} applied, {rec.skipped} skipped (page already newer), {rec.restored} full-page image(s) restored.
            {rec.abortedNoOutcome.length > 0 && <> Transactions with no COMMIT in the log, now aborted (their tuples stay, invisible): {rec.abortedNoOutcome.join(', ')}.</>}
            {rec.corruptPages.length > 0 && <strong data-testid="corrupt"> Corrupt after REDO: {rec.corruptPages.join(', ')} — torn by the crash, and no full-page image to repair it (full_page_writes = off).</strong>}</p>
          <table className="grid" data-testid="redo-steps"><thead><tr><th>LSN</th><th>REDO</th><th>page LSN before</th><th>what happened</th></tr></thead>
            <tbody>{rec.steps.map((s) => <tr key={s.lsn} className={highlight?.lsn === s.lsn ? 'highlight-row' : ''}><td><code>{s.lsn}</code></td><td>{ACTION_WORDS[s.action] ?? s.action}</td><td><code>{s.pageLsnBefore ?? ''}</code></td><td>{s.text.replace(/^REDO \S+ /, '')}</td></tr>)}</tbody>
          </table>
        </>
      )}
      {d.serverLog.length > 0 && <><h4>Server log</h4><pre className="server-log" data-testid="server-log">{d.serverLog.join('\n')}</pre></>}
    </div>
  );
}
