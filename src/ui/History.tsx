/**
 * A session's scrollback, as psql keeps it: every statement it ran along the path to the current step, in order,
 * each with its rows, command tag, notices and error. A statement that had to wait is listed where it was sent and
 * completed by the step that woke it (its outcome comes back with that step). The latest statement's result is
 * the session's result pane below; this lists the ones before it. Steps whose result the page does not hold (an
 * old part of a long timeline, after a reload) show their SQL and say so.
 */
import { useEffect, useMemo, useRef } from 'react';
import { useWs } from './hooks';
import { pathTo } from '../store/workspace';
import { sessionHistory, type HistoryItem } from '../store/history';

const MAX_SHOWN = 50;

export function History({ name }: { name: string }) {
  const nodes = useWs((s) => s.nodes);
  const head = useWs((s) => s.head);
  const items = useMemo(() => sessionHistory(pathTo(nodes, head), name), [nodes, head, name]);
  const earlier = items.slice(Math.max(0, items.length - 1 - MAX_SHOWN), -1);
  // like a terminal: the newest entries stay in sight
  const box = useRef<HTMLDetailsElement>(null);
  useEffect(() => { if (box.current) box.current.scrollTop = box.current.scrollHeight; }, [items.length]);
  if (!earlier.length) return null;
  return (
    <details className="history" open data-testid={`history-${name}`} ref={box}>
      <summary>history ({items.length - 1} earlier statement{items.length === 2 ? '' : 's'}{items.length - 1 > MAX_SHOWN ? `, last ${MAX_SHOWN} shown` : ''})</summary>
      <ol>{earlier.map((it) => <li key={it.node} data-testid="history-item"><pre className="prompt">{name}=&gt; {it.sql.trim()}</pre><Entry it={it} /></li>)}</ol>
    </details>
  );
}

function Entry({ it }: { it: HistoryItem }) {
  const o = it.outcome;
  if (!o) return <div className="muted">{it.waited ? '(waited; its end is not on this path yet)' : '(result not kept here: click the step in the timeline to see it)'}</div>;
  return (
    <div className="hist-result">
      {it.waited && <div className="muted">(waited for a lock, then:)</div>}
      {o.notices.map((n, i) => <div key={i} className="notice">{n.severity}: {n.message}</div>)}
      {o.results.map((r, i) => (
        <div key={i}>
          {r.columns && (r.columns.length > 0 || r.rows.length > 0) && (
            <table className="hgrid">
              <thead><tr>{r.columns.map((c, j) => <th key={j}>{c.name}</th>)}</tr></thead>
              <tbody>{r.rows.slice(0, 20).map((row, k) => <tr key={k}>{row.map((v, j) => <td key={j} className={v === null ? 'null' : ''}>{v ?? 'NULL'}</td>)}</tr>)}</tbody>
            </table>
          )}
          {r.rows.length > 20 && <div className="more">… {r.rows.length - 20} more rows</div>}
          <div className="tag">{r.command}</div>
        </div>
      ))}
      {o.error && <div className="error"><strong>{o.error.severity ?? 'ERROR'}:</strong> {o.error.message} <span className="sqlstate">SQLSTATE {o.error.sqlstate}</span>{o.error.detail && <div className="detail">DETAIL: {o.error.detail}</div>}</div>}
    </div>
  );
}
