/**
 * Heap pages: line pointers and tuples with their header chips (xmin, xmax, cmin/cmax, ctid, infomask flags),
 * HOT chains as arrows, dead/redirect pointers, each tuple coloured (and labelled — never colour alone) by
 * whether the selected session can see it. Clicking a tuple asks the engine why.
 */
import { memo } from 'react';
import { useWorkspace, useWs } from '../hooks';
import { EMPTY_ARR, EMPTY_OBJ } from '../hooks';
import type { PageView, TableState } from '../../shared/api';

export function HeapView({ highlight }: { highlight: { rel?: string; blk?: number; off?: number } | null }) {
  const { actions } = useWorkspace();
  const tables = useWs((s) => s.state?.tables ?? EMPTY_ARR);
  const session = useWs((s) => s.selectedSession);
  const vis = useWs((s) => s.state?.visibility[session] ?? EMPTY_OBJ);
  const explanation = useWs((s) => s.explanation);
  const selected = useWs((s) => s.selectedTuple);
  if (!tables.length) return <p className="empty">No tables yet. CREATE TABLE in a session to see its pages here.</p>;
  return (
    <div className="heap">
      <p className="legend">
        Visibility for <strong>{session}</strong> (pick the session in the toolbar):
        <span className="chip vis">✓ visible</span><span className="chip invis">✗ invisible</span>. Click a tuple: why?
      </p>
      {selected && explanation && (
        <div className="explain" role="note" data-testid="explanation"><strong>({selected.blk},{selected.off}) in {selected.table}:</strong> {explanation}</div>
      )}
      {tables.map((t) => <TableHeap key={t.name} t={t} vis={vis} highlight={highlight} onPick={pickerFor(t.name, actions)} onWindow={(f) => void actions.setPageWindow(f)} />)}
    </div>
  );
}

const pickers = new Map<string, (blk: number, off: number) => void>();
function pickerFor(table: string, actions: { explain(t: string, b: number, o: number): Promise<void> }) {
  let f = pickers.get(table);
  if (!f) { f = (blk, off) => void actions.explain(table, blk, off); pickers.set(table, f); }
  return f;
}

function TableHeap({ t, vis, highlight, onPick, onWindow }: { t: TableState; vis: Record<string, { visible: boolean; outcome: string }>; highlight: { rel?: string; blk?: number; off?: number } | null; onPick(blk: number, off: number): void; onWindow(from: number): void }) {
  const first = t.pageViews[0]?.blkno ?? 0;
  const last = first + t.pageViews.length;
  const others = t.pageSummaries.filter((p) => p.blkno < first || p.blkno >= last);
  return (
    <div className="table-heap">
      <h3>{t.name} <small>oid {t.oid} · {t.pages} page{t.pages === 1 ? '' : 's'} · {t.items} line pointers</small></h3>
      {t.pages > t.pageViews.length && (
        <div className="page-nav">
          <button onClick={() => onWindow(first - 4)} disabled={first === 0} aria-label="previous pages">◀ earlier pages</button>
          <span> blocks {first}–{last - 1} of {t.pages} </span>
          <button onClick={() => onWindow(first + 4)} disabled={last >= t.pages} aria-label="next pages">later pages ▶</button>
        </div>
      )}
      {t.pageViews.map((p) => <Page key={p.blkno} table={t.name} p={p} vis={vis} highlight={highlight} onPick={onPick} />)}
      {others.length > 0 && (
        <div className="page-summary" aria-label="other pages">
          {others.length} other page{others.length === 1 ? '' : 's'} (summarised): {others.reduce((a, p) => a + p.items, 0)} line pointers,
          {' '}{others.reduce((a, p) => a + p.free, 0)} bytes free
        </div>
      )}
    </div>
  );
}

function Page({ table, p, vis, highlight, onPick }: { table: string; p: PageView; vis: Record<string, { visible: boolean; outcome: string }>; highlight: { rel?: string; blk?: number; off?: number } | null; onPick(blk: number, off: number): void }) {
  const shown = p.items.slice(0, 60);
  return (
    <div className="page" data-testid={`page-${table}-${p.blkno}`}>
      <div className="page-head">
        block {p.blkno} · pd_lsn <code>{p.lsn}</code> · pd_lower {p.lower} · pd_upper {p.upper} · prune_xid {p.prune_xid}{p.flags & 4 ? ' · ALL_VISIBLE' : ''}
      </div>
      <div className="tuples">
        {shown.map((it) => {
          const key = `${table}:${p.blkno}:${it.lp}`;
          const v = vis[key];
          const hl = highlight && highlight.rel === table && highlight.blk === p.blkno && highlight.off === it.lp;
          const hotNext = it.flags.includes('HOT_UPDATED') && it.t_ctid ? it.t_ctid : null;
          if (it.lp_flags !== 1) {
            return <div key={it.lp} className={`tuple lp-${it.lp_flags_name}`}>lp {it.lp}: {it.lp_flags_name}{it.lp_flags === 2 ? ` → ${it.lp_off}` : ''}</div>;
          }
          return <TupleCard key={it.lp} table={table} blk={p.blkno} it={it} visible={!!v?.visible} hl={!!hl} sig={`${it.t_xmin}|${it.t_xmax}|${it.t_field3}|${it.t_ctid}|${it.t_infomask}|${it.t_infomask2}|${v?.visible}|${hl}`} onPick={onPick} />;
        })}
        {p.itemCount > shown.length && <div className="more">… {p.itemCount - shown.length} more line pointers on this page</div>}
      </div>
    </div>
  );
}

type ItemView = PageView['items'][number];
/** One tuple card; re-rendered only when its header, visibility or highlight changes (sig). */
const TupleCard = memo(function TupleCard({ table, blk, it, visible, hl, onPick }: { table: string; blk: number; it: ItemView; visible: boolean; hl: boolean; sig: string; onPick(blk: number, off: number): void }) {
  const hotNext = it.flags.includes('HOT_UPDATED') && it.t_ctid ? it.t_ctid : null;
  return (
    <button
      className={`tuple ${visible ? 'visible' : 'invisible'}${hl ? ' highlight' : ''}`}
      onClick={() => onPick(blk, it.lp)} data-testid={`tuple-${table}-${blk}-${it.lp}`}
      aria-label={`tuple (${blk},${it.lp}) ${visible ? 'visible' : 'invisible'}: ${(it.values ?? []).join(', ')}`}
    >
      <div className="tuple-top">
        <span className="lp">({blk},{it.lp})</span>
        <span className="vis-mark">{visible ? '✓' : '✗'}</span>
        <span className="values">{(it.values ?? []).map((x) => x ?? 'NULL').join(' | ')}</span>
      </div>
      <div className="hdr">
        <span className="chip">xmin {it.t_xmin}</span>
        <span className="chip">xmax {it.t_xmax}</span>
        <span className="chip">{it.flags.includes('COMBOCID') ? 'combo' : 'cid'} {it.t_field3}</span>
        <span className="chip">ctid {it.t_ctid}</span>
        {hotNext && hotNext !== `(${blk},${it.lp})` && <span className="chip hot">HOT → {hotNext}</span>}
      </div>
      <div className="flags">{it.flags.filter((f) => f !== 'HASVARWIDTH').join(' ')}</div>
    </button>
  );
}, (a, b) => a.sig === b.sig && a.table === b.table && a.blk === b.blk && a.onPick === b.onPick);
