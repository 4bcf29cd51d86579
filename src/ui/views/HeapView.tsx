/**
 * Heap pages: line pointers and tuples with their header chips (xmin, xmax, cmin/cmax, ctid, infomask flags),
 * HOT chains as arrows, dead/redirect pointers, each tuple coloured (and labelled — never colour alone) by
 * whether the selected session can see it. Clicking a tuple asks the engine why. While a lesson plays, the tuples
 * its step wrote or read are outlined and the target of a look: link is ringed (its header field too).
 * Changes move (d3 transitions, motion.ts; none with prefers-reduced-motion): a new version grows in, a stamped
 * xmax flashes, a line pointer that becomes LP_REDIRECT / LP_DEAD / LP_UNUSED flashes and a redirect's arrow to
 * the chain's next member draws itself. A temporary table is listed schema-qualified (pg_temp_2.t for the first session) and labelled
 * temporary, with the session that owns it.
 */
import { GLOSSARY } from '../glossary';
import { Xid } from '../Xid';
import { useEffect, memo, useCallback, useRef, useState } from 'react';
import { useWorkspace, useWs } from '../hooks';
import { EMPTY_ARR, EMPTY_MAP } from '../hooks';
import type { PageView, TableState, TupleVisibility } from '../../shared/api';
import { appear, drawIn, flash } from '../motion';

/** Has this page been on the screen before (a card mounting in it now is a change, not the first paint)? */
const pageIsLive = (el: Element | null) => !!el?.closest<HTMLElement>('.tuples')?.dataset.live;

/** What a lesson marks: the step's tuples ("table:blk:off" → written or read) and the looked-at tuple. */

/** A long value (a TOAST-sized text) shown by its start and its length, the whole of it on hover. */
const LONG = 80;
const shortValue = (x: string | null): string => (x === null ? 'NULL' : x.length > LONG ? `${x.slice(0, 48)}… (${x.length.toLocaleString('en')} characters)` : x);
const longValue = (vs: (string | null)[] | null): boolean => !!vs?.some((x) => x !== null && x.length > LONG);
export interface HeapMarks { touched: ReadonlyMap<string, 'write' | 'read'>; look: { table: string; blk: number; off: number; field: string | null } | null }
const NO_MARKS: HeapMarks = { touched: new Map(), look: null };

export function HeapView({ highlight, marks = NO_MARKS }: { highlight: { rel?: string; blk?: number; off?: number } | null; marks?: HeapMarks }) {
  const { actions } = useWorkspace();
  const tables = useWs((s) => (s.shown ?? s.state)?.tables ?? EMPTY_ARR);
  const session = useWs((s) => s.selectedSession);
  const vis = useWs((s) => (s.shown ?? s.state)?.visibility.get(session) ?? EMPTY_MAP);
  const explanation = useWs((s) => s.explanation);
  const selected = useWs((s) => s.selectedTuple);
  if (!tables.length) return <p className="empty">No tables yet. CREATE TABLE in a session to see its pages here.</p>;
  return (
    <div className="heap">
      <p className="legend">
        Visibility for <strong>{session}</strong> (pick the session in the toolbar):
        <span className="chip vis">✓ visible</span><span className="chip invis" title={GLOSSARY['invisible to this session']}>✗ invisible to this session</span><span className="chip invis dead-all" title={GLOSSARY['dead to everyone']}>✗ dead to everyone</span>. Click a tuple: why? Hover any field or flag for what it means; hover an xid to see everything carrying it.
        {marks.touched.size > 0 && <> Outlined: what this step {[...marks.touched.values()].includes('write') && <span className="chip touched-write">wrote</span>}{[...marks.touched.values()].includes('read') && <span className="chip touched-read">read</span>}.</>}
      </p>
      <details className="glossary" data-testid="glossary"><summary>Glossary (PostgreSQL's terms)</summary>
        <dl>{Object.entries(GLOSSARY).map(([k, v]) => <div key={k}><dt>{k}</dt><dd>{v}</dd></div>)}</dl>
      </details>
      {selected && explanation && (
        <div className="explain" role="note" data-testid="explanation"><strong>({selected.blk},{selected.off}) in {selected.table}:</strong> {explanation}</div>
      )}
      {tables.map((t) => <TableHeap key={t.name} t={t} vis={vis} highlight={highlight} marks={marks}
        onPick={pickerFor(t.name, actions)} onWindow={(f) => void actions.setPageWindow(f)} />)}
    </div>
  );
}

const pickers = new Map<string, (blk: number, off: number) => void>();
function pickerFor(table: string, actions: { explain(t: string, b: number, o: number): Promise<void> }) {
  let f = pickers.get(table);
  if (!f) { f = (blk, off) => void actions.explain(table, blk, off); pickers.set(table, f); }
  return f;
}

function TableHeap({ t, vis, highlight, marks, onPick, onWindow }: {
  t: TableState; vis: ReadonlyMap<string, TupleVisibility>; highlight: { rel?: string; blk?: number; off?: number } | null; marks: HeapMarks;
  onPick(blk: number, off: number): void; onWindow(from: number): void;
}) {
  const first = t.pageViews[0]?.blkno ?? 0;
  const last = first + t.pageViews.length;
  const others = t.pageSummaries.filter((p) => p.blkno < first || p.blkno >= last);
  return (
    <div className="table-heap">
      <h3>{t.name} {t.temp && <span className="badge temp-label" data-testid={`temp-${t.name}`} title={`a temporary table: only ${t.temp.session} sees it (schema ${t.temp.schema}); its pages are in that backend's local buffers, not WAL-logged, gone at session end or a crash`}>temporary · {t.temp.session}{t.temp.onCommit !== 'preserve' ? ` · ON COMMIT ${t.temp.onCommit === 'drop' ? 'DROP' : 'DELETE ROWS'}` : ''}</span>} <small>oid {t.oid} · {t.pages} page{t.pages === 1 ? '' : 's'} · {t.items} line pointer{t.items === 1 ? '' : 's'}</small></h3>
      {t.pages > t.pageViews.length && (
        <div className="page-nav">
          <button onClick={() => onWindow(first - 4)} disabled={first === 0} aria-label="previous pages">◀ earlier pages</button>
          <span> blocks {first}–{last - 1} of {t.pages} </span>
          <button onClick={() => onWindow(first + 4)} disabled={last >= t.pages} aria-label="next pages">later pages ▶</button>
        </div>
      )}
      {t.pageViews.map((p, i) => <Page key={p.blkno} first={i === 0} table={t.name} p={p} vis={vis} highlight={highlight} marks={marks} onPick={onPick} />)}
      {others.length > 0 && (
        <div className="page-summary" aria-label="other pages">
          {others.length} other page{others.length === 1 ? '' : 's'} (summarised): {others.reduce((a, p) => a + p.items, 0)} line pointers,
          {' '}{others.reduce((a, p) => a + p.free, 0)} bytes free
        </div>
      )}
    </div>
  );
}

function Page({ first, table, p, vis, highlight, marks, onPick }: {
  first: boolean; table: string; p: PageView; vis: ReadonlyMap<string, TupleVisibility>;
  highlight: { rel?: string; blk?: number; off?: number } | null; marks: HeapMarks; onPick(blk: number, off: number): void;
}) {
  const deadToAll = useWs((s) => (s.shown ?? s.state)?.deadToAll);
  const sel = useWs((s) => s.selectedTuple);
  const shown = p.items.slice(0, 60);
  const box = useRef<HTMLDivElement>(null);
  const cards = useRef(new Map<number, HTMLElement>());
  const register = useCallback((lp: number, el: HTMLElement | null) => { if (el) cards.current.set(lp, el); else cards.current.delete(lp); }, []);
  const [arrows, setArrows] = useState<{ d: string; hot: boolean; label: string; redirect?: boolean }[]>([]);
  const arrowBox = useRef<SVGSVGElement>(null);
  const drawnArrows = useRef(new Set<string>());
  // an arrow that was not there before draws itself (a new version's link, a line pointer redirected)
  useEffect(() => {
    const live = !!box.current?.dataset.live;
    arrowBox.current?.querySelectorAll<SVGPathElement>('path[data-key]').forEach((el) => {
      const k = el.dataset.key!;
      if (drawnArrows.current.has(k)) return;
      drawnArrows.current.add(k);
      if (live) drawIn(el);
    });
    if (box.current) box.current.dataset.live = '1';
  }, [arrows]);
  // what the arrows depend on: the page's versions and links, and the width they are laid out in. Measuring forces
  // a layout, so it happens only when one of these changed — not on every render (a jump renders several times)
  const [width, setWidth] = useState(0);
  // pages scrolled out of sight are not laid out (content-visibility); measuring their cards would force it
  const [onScreen, setOnScreen] = useState(first || typeof IntersectionObserver === 'undefined');
  // cards are made only for pages on (or near) the screen, or holding the tuple the player points at
  const showCards = onScreen || (highlight?.rel === table && highlight.blk === p.blkno) || (marks.look?.table === table && marks.look.blk === p.blkno);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver((entries) => setWidth(Math.round(entries[0]!.contentRect.width)));
    ro?.observe(el);
    const io = typeof IntersectionObserver === 'undefined' ? null : new IntersectionObserver((entries) => setOnScreen(entries.some((e) => e.isIntersecting)), { rootMargin: '200px' });
    io?.observe(el);
    return () => { ro?.disconnect(); io?.disconnect(); };
  }, []);
  const sig = `${p.blkno}|${p.lsn}|${shown.map((it) => `${it.lp}:${it.lp_flags}:${it.t_ctid ?? ''}:${it.flags.length}:${it.lp_flags === 2 ? it.lp_off : ''}`).join(',')}|${width}|${onScreen}`;
  // t_ctid links between versions on this page: HOT chains solid, other updates dashed
  // measured in the frame after the cards are painted: reading positions right after mounting 240 cards would force
  // a layout before the first paint (the arrows appear one frame later instead)
  useEffect(() => {
    if (!onScreen) return;
    const raf = requestAnimationFrame(() => measure());
    return () => cancelAnimationFrame(raf);
  }, [sig]); // eslint-disable-line react-hooks/exhaustive-deps
  const measure = () => {
    const b = box.current?.getBoundingClientRect();
    if (!b) return;
    const out: { d: string; hot: boolean; label: string; redirect?: boolean }[] = [];
    for (const it of shown) {
      if (it.lp_flags === 2) {
        // LP_REDIRECT: the line pointer leads to the chain's next member (lp_off), not to a tuple
        const a = cards.current.get(it.lp)?.getBoundingClientRect(), c = cards.current.get(it.lp_off)?.getBoundingClientRect();
        if (!a || !c) continue;
        const x1 = a.left + a.width / 2 - b.left, x2 = c.left + c.width / 2 - b.left;
        const y1 = a.bottom - b.top, y2 = (c.top >= a.bottom - 1 ? c.top : c.bottom) - b.top, dip = Math.max(y1, y2) + 14;
        out.push({ d: c.top >= a.bottom - 1 ? `M${x1},${y1} C${x1},${(y1 + y2) / 2} ${x2},${(y1 + y2) / 2} ${x2},${y2 - 2}` : `M${x1},${y1} C${x1},${dip} ${x2},${dip} ${x2},${y2 + 2}`, hot: true, redirect: true, label: `lp ${it.lp} LP_REDIRECT → lp ${it.lp_off}` });
        continue;
      }
      if (it.lp_flags !== 1 || !it.t_ctid) continue;
      const m = /^\((\d+),(\d+)\)$/.exec(it.t_ctid);
      if (!m || Number(m[1]) !== p.blkno || Number(m[2]) === it.lp) continue;
      const a = cards.current.get(it.lp)?.getBoundingClientRect(), c = cards.current.get(Number(m[2]))?.getBoundingClientRect();
      if (!a || !c) continue;
      const x1 = a.left + a.width / 2 - b.left, x2 = c.left + c.width / 2 - b.left;
      let d: string;
      if (c.top >= a.bottom - 1) {
        // the newer version sits on a later row: from the bottom of the old one to the top of the new one
        const y1 = a.bottom - b.top, y2 = c.top - b.top - 2, mid = (y1 + y2) / 2;
        d = `M${x1},${y1} C${x1},${mid} ${x2},${mid} ${x2},${y2}`;
      } else {
        // same row (or an earlier one): loop underneath both cards
        const y1 = a.bottom - b.top, y2 = c.bottom - b.top, dip = Math.max(y1, y2) + 14;
        d = `M${x1},${y1} C${x1},${dip} ${x2},${dip} ${x2},${y2 + 2}`;
      }
      out.push({ d, hot: it.flags.includes('HOT_UPDATED'), label: `(${p.blkno},${it.lp}) → ${it.t_ctid}` });
    }
    setArrows((prev) => (JSON.stringify(prev) === JSON.stringify(out) ? prev : out));
  };
  return (
    <div className="page" data-testid={`page-${table}-${p.blkno}`}>
      <div className="page-head">
        block {p.blkno} · <span title={GLOSSARY.pd_lsn}>pd_lsn</span> <code>{p.lsn}</code> · <span title={GLOSSARY.pd_lower}>pd_lower</span> {p.lower} · <span title={GLOSSARY.pd_upper}>pd_upper</span> {p.upper} · <span title={GLOSSARY.pd_prune_xid}>prune_xid</span> {p.prune_xid}{p.flags & 4 ? ' · ALL_VISIBLE' : ''}
      </div>
      <div className="tuples" ref={box}>
        <svg className="chain-arrows" aria-hidden="true" ref={arrowBox}>
          <defs><marker id={`ah-${table}-${p.blkno}`} viewBox="0 0 10 10" refX="5" refY="9" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,0 L5,10 z" /></marker></defs>
          {arrows.map((a) => <path key={a.label} data-key={a.label} d={a.d} className={`${a.hot ? 'hot' : 'cold'}${a.redirect ? ' redirect' : ''}`} markerEnd={`url(#ah-${table}-${p.blkno})`}><title>{a.label}</title></path>)}
        </svg>
        {!showCards && <div className="cards-deferred" style={{ minHeight: `${Math.ceil(shown.length / 5) * 66}px` }}>{shown.length} line pointers — shown when scrolled into view</div>}
        {showCards && shown.map((it) => {
          const key = `${table}:${p.blkno}:${it.lp}`;
          const v = vis.get(key);
          const dead = !!deadToAll?.has(key);
          const explained = !!sel && sel.table === table && sel.blk === p.blkno && sel.off === it.lp;
          const hl = highlight && highlight.rel === table && highlight.blk === p.blkno && highlight.off === it.lp;
          const touch = marks.touched.get(key) ?? '';
          const lk = marks.look && marks.look.table === table && marks.look.blk === p.blkno && marks.look.off === it.lp ? (marks.look.field ?? '*') : '';
          if (it.lp_flags !== 1) {
            return <LinePointer key={it.lp} lp={it.lp} flags={it.lp_flags} name={it.lp_flags_name} to={it.lp_off} className={`tuple lp-${it.lp_flags_name}${touch ? ` touched-${touch}` : ''}${lk ? ' looked' : ''}`} testId={`tuple-${table}-${p.blkno}-${it.lp}`} register={register} />;
          }
          return <TupleCard key={it.lp} table={table} blk={p.blkno} it={it} visible={!!v?.visible} dead={dead} explained={explained} hl={!!hl} touch={touch} look={lk} sig={`${it.t_xmin}|${it.t_xmax}|${it.t_field3}|${it.t_ctid}|${it.t_infomask}|${it.t_infomask2}|${v?.visible}|${dead}|${explained}|${hl}|${touch}|${lk}`} onPick={onPick} register={register} />;
        })}
        {p.itemCount > shown.length && <div className="more">… {p.itemCount - shown.length} more line pointers on this page</div>}
      </div>
    </div>
  );
}

/** A line pointer without a tuple (LP_REDIRECT, LP_DEAD, LP_UNUSED); it flashes when it becomes one, or another. */
function LinePointer({ lp, flags, name, to, className, testId, register }:
  { lp: number; flags: number; name: string; to: number; className: string; testId: string; register(lp: number, el: HTMLElement | null): void }) {
  const el = useRef<HTMLDivElement | null>(null);
  useEffect(() => { if (pageIsLive(el.current)) flash(el.current); }, [flags, to]);
  return <div ref={(e) => { el.current = e; register(lp, e); }} className={className} data-testid={testId} title={GLOSSARY[name]}>lp {lp}: {name}{flags === 2 ? ` → ${to}` : ''}</div>;
}

type ItemView = PageView['items'][number];
/** One tuple card; re-rendered only when its header, visibility or highlight changes (sig). */
/** look: '' (not looked at), '*' (the tuple) or the header field looked at */
const TupleCard = memo(function TupleCard({ table, blk, it, visible, dead = false, explained = false, hl, touch, look, onPick, register }: {
  table: string; blk: number; it: ItemView; visible: boolean; dead?: boolean; explained?: boolean; hl: boolean; touch: string; look: string; sig: string;
  onPick(blk: number, off: number): void; register(lp: number, el: HTMLElement | null): void;
}) {
  const hotNext = it.flags.includes('HOT_UPDATED') && it.t_ctid ? it.t_ctid : null;
  const el = useRef<HTMLElement | null>(null);
  const xmaxChip = useRef<HTMLSpanElement>(null);
  const shownXmax = useRef<number | null>(null);
  useEffect(() => { if (look) el.current?.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' }); }, [look]);
  // a version that appears on a page already shown grows in; an xmax stamped on it flashes
  useEffect(() => { if (pageIsLive(el.current)) appear(el.current); }, []);
  useEffect(() => {
    const x = it.t_xmax ?? 0;
    if (shownXmax.current !== null && shownXmax.current !== x && x !== 0) flash(xmaxChip.current);
    shownXmax.current = x;
  }, [it.t_xmax]);
  const f = (name: string) => (look === name ? ' looked-field' : '');
  return (
    <button
      ref={(e) => { el.current = e; register(it.lp, e); }}
      className={`tuple ${visible ? 'visible' : 'invisible'}${dead ? ' dead-all' : ''}${explained ? ' explained' : ''}${hl ? ' highlight' : ''}${touch ? ` touched-${touch}` : ''}${look ? ' looked' : ''}`}
      onClick={() => onPick(blk, it.lp)} data-testid={`tuple-${table}-${blk}-${it.lp}`}
      aria-label={`tuple (${blk},${it.lp}) ${visible ? 'visible' : 'invisible'}: ${(it.values ?? []).map((x) => shortValue(x)).join(', ')}`}
    >
      <div className="tuple-top">
        <span className={`lp${f('lp_flags')}`}>({blk},{it.lp})</span>
        <span className="vis-mark" title={dead ? GLOSSARY['dead to everyone'] : visible ? undefined : GLOSSARY['invisible to this session']}>{visible ? '✓' : dead ? '✗ dead to everyone' : '✗'}</span>
        <span className={`values${f('values')}`} title={longValue(it.values) ? (it.values ?? []).map((x) => x ?? 'NULL').join(' | ').slice(0, 2000) : undefined}>
          {(it.values ?? []).map((x) => shortValue(x)).join(' | ')}
        </span>
        {it.compressed?.map((c) => (
          <span key={c.attnum} className="chip toast" title={`TOAST: column ${c.attnum} is stored compressed inside the row (pglz): ${c.raw} bytes kept in ${c.stored} (8 of them its header). A row over 2032 bytes has its longest values compressed.`}>
            pglz #{c.attnum} {c.raw}→{c.stored} B
          </span>
        ))}
      </div>
      <div className="hdr">
        <span className={`chip${f('t_xmin')}`} title={GLOSSARY.xmin}>xmin <Xid xid={it.t_xmin ?? 0} /></span>
        <span ref={xmaxChip} className={`chip${f('t_xmax')}`} title={GLOSSARY.xmax} data-testid="xmax-chip">xmax <Xid xid={it.t_xmax ?? 0} /></span>
        <span className={`chip${f('t_field3')}`} title={it.flags.includes('COMBOCID') ? GLOSSARY.combo : GLOSSARY.cid}>{it.flags.includes('COMBOCID') ? 'combo' : 'cid'} {it.t_field3}</span>
        <span className={`chip${f('t_ctid')}`} title={GLOSSARY.ctid}>ctid {it.t_ctid}</span>
        {hotNext && hotNext !== `(${blk},${it.lp})` && <span className="chip hot">HOT → {hotNext}</span>}
      </div>
      <div className={`flags${look === 't_infomask' || look === 't_infomask2' || look === 'flags' ? ' looked-field' : ''}`}>{it.flags.filter((x) => x !== 'HASVARWIDTH').map((x, i) => <span key={x} title={GLOSSARY[x]}>{i ? ' ' : ''}{x}</span>)}</div>
    </button>
  );
}, (a, b) => a.sig === b.sig && a.table === b.table && a.blk === b.blk && a.onPick === b.onPick && a.register === b.register);
