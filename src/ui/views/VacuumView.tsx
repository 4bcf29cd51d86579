/**
 * The Vacuum view: who holds the horizon back, bloat over time, and what autovacuum thinks of each table.
 *
 * - Horizon explainer: the removable horizon (the oldest running xid or snapshot xmin of any session), and for every
 *   dead version VACUUM could not remove yet, the sessions that keep it — each one click from its session column.
 * - Bloat over time (d3): per step, the table's size, its free space, its live and dead versions, and the WAL written, with
 *   VACUUM (V) and autovacuum (A) runs marked.
 * - The statistics as pg_stat_user_tables has them now (flushed counts only: a session's changes arrive up to 10 s
 *   of virtual time late) and autovacuum's thresholds for each table; the autovacuum setting; Heapscope's xid
 *   shortcut towards wraparound.
 * The data is the engine's (engine/inspect/vacuumstate.ts).
 */
import { useState } from 'react';
import { scaleLinear, line, max } from 'd3';
import { useWorkspace, useWs } from '../hooks';
import type { BloatSample, VacuumState } from '../../shared/api';

const W = 620, H = 150, PAD = { l: 48, r: 12, t: 12, b: 22 };

function Plot({ samples, table, metric }: { samples: BloatSample[]; table: string; metric: 'tuples' | 'bytes' }) {
  const pts = samples.map((s, i) => ({ i, s, t: s.tables.find((x) => x.name === table) }));
  const first = samples[0]?.walBytes ?? 0;
  const series = metric === 'tuples'
    ? [{ name: 'live', cls: 'live', get: (p: typeof pts[number]) => p.t?.live ?? null }, { name: 'dead', cls: 'dead', get: (p: typeof pts[number]) => p.t?.dead ?? null }]
    : [{ name: 'table size (kB)', cls: 'size', get: (p: typeof pts[number]) => (p.t ? p.t.pages * 8 : null) },
      { name: 'free space (kB)', cls: 'free', get: (p: typeof pts[number]) => (p.t ? Math.round(p.t.free / 102.4) / 10 : null) },
      { name: 'WAL written (kB)', cls: 'walv', get: (p: typeof pts[number]) => (p.s.walBytes - first) / 1024 }];
  const x = scaleLinear().domain([0, Math.max(1, pts.length - 1)]).range([PAD.l, W - PAD.r]);
  const top = max(series.flatMap((se) => pts.map((p) => se.get(p) ?? 0))) ?? 0;
  const y = scaleLinear().domain([0, Math.max(1, top)]).nice().range([H - PAD.b, PAD.t]);
  const marks = pts.filter((p) => p.s.kind === 'vacuum' || (p.s.kind === 'autovacuum' && p.s.label.includes(`public.${table}`)));
  return (
    <div className="plot">
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" style={{ maxWidth: W }} role="img" aria-label={`${table}: ${metric === 'tuples' ? 'live and dead tuples' : 'table size, free space and WAL volume'} over time`} data-testid={`bloat-${metric}`}>
        {y.ticks(4).map((v) => <g key={v}><line x1={PAD.l} x2={W - PAD.r} y1={y(v)} y2={y(v)} className="gridline" /><text x={PAD.l - 4} y={y(v) + 4} textAnchor="end" className="tick">{v}</text></g>)}
        {marks.map((p) => (
          <g key={`m${p.s.seq}`} data-testid={p.s.kind === 'vacuum' ? 'mark-vacuum' : 'mark-autovacuum'}>
            <line x1={x(p.i)} x2={x(p.i)} y1={PAD.t} y2={H - PAD.b} className={p.s.kind === 'vacuum' ? 'vacmark' : 'avmark'} />
            <text x={x(p.i) + 2} y={PAD.t + 9} className="vaclabel">{p.s.kind === 'vacuum' ? 'V' : 'A'}</text>
            <title>{p.s.label} (t = {p.s.at} ms)</title>
          </g>
        ))}
        {series.map((se) => {
          const d = line<typeof pts[number]>().defined((p) => se.get(p) !== null).x((p) => x(p.i)).y((p) => y(se.get(p) ?? 0))(pts);
          return <path key={se.name} d={d ?? ''} className={`bloat-line ${se.cls}`}><title>{se.name}</title></path>;
        })}
        <text x={PAD.l} y={H - 6} className="tick">steps →</text>
      </svg>
      <p className="plot-legend">{series.map((se) => <span key={se.name} className={`legend-item ${se.cls}`}>{se.cls === 'dead' || se.cls === 'walv' || se.cls === 'free' ? '╌╌' : '——'} {se.name}</span>)}</p>
    </div>
  );
}

export function VacuumView({ onLookSession }: { onLookSession?: (session: string) => void }) {
  const v = useWs((s) => (s.shown ?? s.state)?.vacuum) as VacuumState | undefined;
  const { actions } = useWorkspace();
  const busy = useWs((s) => s.phase !== 'ready');
  const [pick, setPick] = useState<string | null>(null);
  /** the switch as clicked, until the engine's state says so too (the checkbox follows the click at once) */
  const [autovacuumAsked, setAutovacuumAsked] = useState<boolean | null>(null);
  if (!v) return null;
  const names = v.tables.map((t) => t.name);
  const table = pick && names.includes(pick) ? pick : names[0] ?? null;
  const go = (name: string) => {
    onLookSession?.(name);
    const col = document.querySelector(`[data-testid="session-${name}"]`);
    col?.scrollIntoView({ block: 'nearest' });
    (col?.querySelector('textarea, [contenteditable="true"], .monaco-editor textarea') as HTMLElement | null)?.focus();
  };
  const byHolder = new Map<string, number>();
  for (const h of v.horizon.held) for (const s of h.holders) byHolder.set(s.session, (byHolder.get(s.session) ?? 0) + 1);
  const l = v.xidLimits;
  return (
    <div className="vacuum" data-testid="vacuum-view">
      <h3>Who holds the horizon back</h3>
      <p data-testid="horizon">Removable horizon: <strong>xid {v.horizon.horizon}</strong> — VACUUM removes a dead version only if the transaction that deleted it is older than every session's running xid and snapshot xmin.</p>
      {v.horizon.holders.length === 0
        ? <p className="muted">No session holds a transaction id or a snapshot: everything dead can go.</p>
        : (
          <table className="grid" data-testid="horizon-holders"><thead><tr><th>session</th><th>pid</th><th>backend_xid</th><th>backend_xmin</th><th>isolation</th><th>dead versions it keeps</th><th /></tr></thead>
            <tbody>{v.horizon.holders.map((h) => (
              <tr key={h.session}><td>{h.session}</td><td>{h.pid}</td><td>{h.xid ?? '—'}</td><td>{h.xmin ?? '—'}</td><td>{h.isolation ?? '—'}</td><td>{byHolder.get(h.session) ?? 0}</td>
                <td><button onClick={() => go(h.session)} data-testid={`goto-${h.session}`}>go to {h.session}</button></td></tr>
            ))}</tbody>
          </table>
        )}
      {v.horizon.held.length > 0 && (
        <ul className="held" data-testid="held-versions">
          {v.horizon.held.slice(0, 30).map((h) => (
            <li key={`${h.table}:${h.blk}:${h.off}`} data-testid="held-version">
              {h.table} ({h.blk},{h.off}) deleted by {h.xmax}, dead but not yet removable — kept by{' '}
              {h.holders.map((s, i) => (
                <span key={s.session}>{i ? ', ' : ''}<button className="linkish" onClick={() => go(s.session)}>{s.session}</button>{' '}
                  ({s.xmin !== null && s.xmin <= h.xmax ? `its ${s.isolation === 'repeatable read' || s.isolation === 'serializable' ? 'transaction' : 'statement'} snapshot, xmin ${s.xmin}` : `its running xid ${s.xid}`})</span>
              ))}
            </li>
          ))}
          {v.horizon.held.length > 30 && <li className="muted">… and {v.horizon.held.length - 30} more</li>}
        </ul>
      )}

      <h3>Bloat over time</h3>
      {table ? (
        <>
          <p><label>table <select value={table} onChange={(e) => setPick(e.target.value)} data-testid="bloat-table">{names.map((n) => <option key={n}>{n}</option>)}</select></label></p>
          <Plot samples={v.series} table={table} metric="tuples" />
          <Plot samples={v.series} table={table} metric="bytes" />
          <p className="muted legend">One point per step. V: a VACUUM statement, A: an autovacuum run on this table. Dead versions are those no snapshot needs plus the recently dead ones VACUUM must keep; their room turns into free space only when pruning or VACUUM reclaims it, and lazy VACUUM gives the file system back only the empty pages at its end.</p>
        </>
      ) : <p className="muted">No table yet.</p>}

      <h3>Statistics and autovacuum</h3>
      <p>
        <label><input type="checkbox" checked={autovacuumAsked ?? v.autovacuum.on} disabled={busy}
          onChange={(e) => {
            const on = e.target.checked;
            setAutovacuumAsked(on);
            void actions.server('configure', `autovacuum=${on ? 'on' : 'off'}`).finally(() => setAutovacuumAsked(null));
          }} data-testid="autovacuum-toggle" /> autovacuum</label>
        {' '}(launcher every {v.autovacuum.naptimeSec} s of virtual time; off by default, as on the cluster the recordings come from)
      </p>
      <table className="grid" data-testid="stat-tables"><thead><tr><th>table</th><th>n_live_tup</th><th>n_dead_tup</th><th>vacuum threshold</th><th>n_ins_since_vacuum</th><th>insert threshold</th><th>n_mod_since_analyze</th><th>analyze threshold</th><th>vacuum / autovacuum</th><th>next run</th></tr></thead>
        <tbody>{v.tables.map((t) => (
          <tr key={t.name}><td>{t.name}{t.reloptions.length ? <small> ({t.reloptions.join(', ')})</small> : null}</td><td>{t.stats.live}</td><td>{t.stats.dead}</td><td>{fmt(t.decision.vacthresh)}</td>
            <td>{t.stats.insSinceVacuum}</td><td>{t.decision.vacinsthresh === null ? 'off' : fmt(t.decision.vacinsthresh)}</td><td>{t.stats.modSinceAnalyze}</td><td>{fmt(t.decision.anlthresh)}</td>
            <td>{t.stats.vacuumCount} / {t.stats.autovacuumCount}</td>
            <td data-testid={`decision-${t.name}`}>{t.decision.dovacuum || t.decision.doanalyze ? [t.decision.dovacuum ? 'VACUUM' : '', t.decision.doanalyze ? 'ANALYZE' : ''].filter(Boolean).join(' + ') + (t.decision.wraparound ? ' (to prevent wraparound)' : '') : '—'}</td></tr>
        ))}</tbody>
      </table>
      {v.autovacuum.runs.length > 0 && <p className="muted" data-testid="autovacuum-runs">Last runs: {v.autovacuum.runs.slice(-5).map((r) => `${r.query} at t=${r.at} ms`).join(' · ')}</p>}

      <h3>Transaction ids and wraparound</h3>
      <p data-testid="xid-limits">Next xid {v.nextXid}; oldest datfrozenxid {l.oldestXid} ({l.oldestDb}). Anti-wraparound autovacuum from {l.vacLimit}, WARNING from {l.warnLimit}, new xids refused from {l.stopLimit}, wraparound at {l.wrapLimit}.</p>
      <p>
        <button disabled={busy || v.nextXid >= l.warnLimit} onClick={() => void actions.server('consume_xids', String(l.warnLimit))} data-testid="consume-xids">use up xids to the warning limit</button>{' '}
        <button disabled={busy || v.nextXid >= l.stopLimit} onClick={() => void actions.server('consume_xids', String(l.stopLimit))} data-testid="consume-xids-stop">… to the stop limit</button>
        <small className="muted"> Heapscope's shortcut, not PostgreSQL: the next xid jumps as <code>pg_resetwal -x</code> would make it.</small>
      </p>
    </div>
  );
}

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));
