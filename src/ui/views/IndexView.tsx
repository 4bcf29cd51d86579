/** Index entries: key → heap TID (one entry per version that is not a heap-only tuple). */
import { useWs } from '../hooks';
import { EMPTY_ARR } from '../hooks';

export function IndexView() {
  const tables = useWs((s) => (s.shown ?? s.state)?.tables ?? EMPTY_ARR);
  const withIdx = tables.filter((t) => t.indexes.length);
  if (!withIdx.length) return <p className="empty">No indexes yet (PRIMARY KEY and UNIQUE constraints create them).</p>;
  return (
    <div>
      {withIdx.map((t) => t.indexViews.map((i) => (
        <div key={i.name} className="index">
          <h3>{i.name} <small>on {t.name} · {i.count} entries</small></h3>
          <table className="grid"><thead><tr><th>key</th><th>→ heap TID</th></tr></thead>
            <tbody>{i.entries.map((e, k) => <tr key={k}><td>{e.key}</td><td>{e.tid}</td></tr>)}</tbody>
          </table>
          {i.count > i.entries.length && <div className="more">first {i.entries.length} shown</div>}
        </div>
      )))}
    </div>
  );
}
