/** Index entries: key → heap TID (one entry per version that is not a heap-only tuple). */
import { useWs } from '../hooks';
import { EMPTY_ARR, EMPTY_OBJ } from '../hooks';

export function IndexView() {
  const tables = useWs((s) => s.state?.tables ?? EMPTY_ARR);
  const withIdx = tables.filter((t) => t.indexes.length);
  if (!withIdx.length) return <p className="empty">No indexes yet (PRIMARY KEY and UNIQUE constraints create them).</p>;
  return (
    <div>
      {withIdx.map((t) => t.indexes.map((i) => (
        <div key={i} className="index">
          <h3>{i} <small>on {t.name} · {t.indexEntryCount[i]} entries</small></h3>
          <table className="grid"><thead><tr><th>key</th><th>→ heap TID</th></tr></thead>
            <tbody>{(t.indexEntries[i] ?? []).map((e, k) => <tr key={k}><td>{e.key}</td><td>{e.tid}</td></tr>)}</tbody>
          </table>
          {t.indexEntryCount[i]! > (t.indexEntries[i]?.length ?? 0) && <div className="more">first {t.indexEntries[i]!.length} shown</div>}
        </div>
      )))}
    </div>
  );
}
