/**
 * The dependency graph: the transactions as nodes, Adya's direct dependencies as arrows — ww (overwrote its
 * version), wr (read its version), rw (anti-dependency: overwrote what it read) — growing step by step (and event by
 * event while the player scrubs). A cycle among committed transactions is highlighted and named (G0, G1c, G-single
 * as lost update or read skew, G2-item as write skew); when SERIALIZABLE cancels a transaction, the dangerous
 * structure SSI found (two consecutive rw edges it flagged) is highlighted instead. The edges come from the engine:
 * the versions each transaction read and the t_xmin / t_xmax on the pages (engine/trace/deps.ts), and the search
 * conditions the scans evaluated: an rw arrow drawn dotted is a predicate anti-dependency — a row another transaction
 * inserted (or changed) that the reader's condition matches but its snapshot did not see, a phantom (G2).
 * Nodes and arrows move with CSS transitions as the graph grows.
 */
import { useWs } from '../hooks';
import type { DepGraph, DepTxn } from '../../shared/api';

const W = 460, H = 300;
const label = (t: DepTxn) => (t.xid ? `T${t.xid}` : `${t.session} (${t.id})`);
const KIND_WORDS = { ww: 'ww: overwrote a version it wrote', wr: 'wr: read a version it wrote', rw: 'rw: overwrote a version it read (anti-dependency)' };

export function DepsView() {
  const g = useWs((s) => (s.shown ?? s.state)?.deps) as DepGraph | undefined;
  if (!g) return null;
  // the setup connection's transactions only feed everyone: left out unless they are part of something
  const hot = new Set<string>([...(g.anomalies.flatMap((a) => a.txns)), ...(g.dangerous?.txns ?? [])]);
  const txns = g.txns.filter((t) => t.session !== 'setup' || hot.has(t.id)).slice(-12);
  const shown = new Set(txns.map((t) => t.id));
  const cycle = g.anomalies.find((a) => a.edges.length) ?? null;
  const marked = new Set<number>(g.dangerous ? g.dangerous.edges : cycle ? cycle.edges : []);
  const R = Math.min(W, H) / 2 - 40;
  const pos = new Map(txns.map((t, i) => [t.id, { x: W / 2 + R * Math.cos((2 * Math.PI * i) / txns.length - Math.PI / 2),
    y: H / 2 + R * Math.sin((2 * Math.PI * i) / txns.length - Math.PI / 2) }]));
  const edges = g.edges.map((e, i) => ({ e, i })).filter(({ e }) => shown.has(e.from) && shown.has(e.to));
  return (
    <div className="deps" data-testid="deps">
      <p className="muted">Each transaction is a node; an arrow is a direct dependency on a row version (Adya): <span className="k-ww">ww</span> overwrote its version, <span className="k-wr">wr</span> read its version, <span className="k-rw">rw</span> overwrote what it read; a dotted <span className="k-rw">rw (predicate)</span> arrow: it inserted or changed a row that the other's search condition matches but did not see — a phantom. A cycle among committed transactions means no serial order explains what happened.</p>
      {g.dangerous && <p className="deps-verdict dangerous" data-testid="deps-dangerous"><strong>SERIALIZABLE:</strong> {g.dangerous.text}.</p>}
      {g.anomalies.map((a, i) => (
        <p key={i} className={`deps-verdict${a.committed === false ? ' forming' : ''}`} data-testid="deps-anomaly">
          <strong>{a.name}</strong> — {a.words}: {a.txns.map((id) => { const t = g.txns.find((x) => x.id === id); return t ? label(t) : id; }).join(' → ')}{a.edges.length ? ' → back' : ''}
          {a.committed === false ? ' (forming: a transaction in it is still running)' : ''}
          {a.edges.some((i) => g.edges[i]!.predicates.length > 0) && (
            <span className="deps-phantoms" data-testid="deps-phantoms"> Phantoms: {a.edges.map((i) => g.edges[i]!).filter((e) => e.predicates.length).map((e) => {
              const n = (id: string) => { const t = g.txns.find((x) => x.id === id); return t ? label(t) : id; };
              return `${n(e.from)}'s search: ${e.predicates[0]}; ${n(e.to)} wrote it`;
            }).join('; ')}.</span>
          )}
        </p>
      ))}
      {!g.anomalies.length && !g.dangerous && <p className="muted" data-testid="deps-none">No cycle: what ran so far is equivalent to running the committed transactions one after another.</p>}
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" style={{ maxWidth: W }} role="img" aria-label="dependency graph">
        <defs>{(['ww', 'wr', 'rw'] as const).map((k) => <marker key={k} id={`dep-${k}`} viewBox="0 0 10 10" refX="34" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" className={`k-${k}`} /></marker>)}</defs>
        {edges.map(({ e, i }) => {
          const a = pos.get(e.from)!, b = pos.get(e.to)!;
          // a gentle curve, so the two directions between a pair do not overlap
          const mx = (a.x + b.x) / 2 + (b.y - a.y) * 0.3, my = (a.y + b.y) / 2 - (b.x - a.x) * 0.3;
          // the label sits just outside the curve's middle, on its own side (the pair's other arrow bulges the other way)
          const len = Math.hypot(b.x - a.x, b.y - a.y) || 1, nx = (b.y - a.y) / len, ny = -(b.x - a.x) / len;
          const lx = (a.x + 2 * mx + b.x) / 4 + nx * 8, ly = (a.y + 2 * my + b.y) / 4 + ny * 8 + 3;
          const pred = e.kind === 'rw' && e.objects.length === 0 && e.predicates.length > 0;
          const cls = `dep-edge k-${e.kind}${marked.has(i) ? ' marked' : ''}${e.ssi ? ' ssi' : ''}${pred ? ' predicate' : ''}`;
          const about = [...e.objects, ...e.predicates.map((p) => `search ${p}`)];
          return (
            <g key={`${e.from}-${e.to}-${e.kind}`} className={cls} data-testid={`dep-edge-${e.kind}`} data-predicate={pred ? 'true' : undefined}>
              <path d={`M ${a.x} ${a.y} Q ${mx} ${my} ${b.x} ${b.y}`} markerEnd={`url(#dep-${e.kind})`}><title>{`${pred ? 'rw (predicate): inserted or changed a row the other\'s search condition matches, unseen by its snapshot (a phantom)' : KIND_WORDS[e.kind]}${e.ssi ? ' — SSI flagged this rw-conflict' : ''}: ${about.join(', ')}`}</title></path>
              <text x={lx} y={ly} textAnchor={nx > 0.3 ? 'start' : nx < -0.3 ? 'end' : 'middle'}>{e.kind}{pred ? ' (predicate)' : ''}{e.ssi ? ' (SSI)' : ''}</text>
            </g>
          );
        })}
        {txns.map((t) => {
          const p = pos.get(t.id)!;
          const inIt = hot.has(t.id);
          return (
            <g key={t.id} className={`dep-node ${t.status}${inIt ? ' marked' : ''}`} style={{ transform: `translate(${p.x}px, ${p.y}px)` }} data-testid={`dep-node-${t.xid || t.id}`}>
              <circle r={20} />
              <text y={4} textAnchor="middle">{label(t)}</text>
              <text y={34} textAnchor="middle" className="sub">{t.session} · {t.isolation}{t.status !== 'committed' ? ` · ${t.sqlstate === '40001' ? 'cancelled (40001)' : t.status}` : ''}</text>
              <title>{`${label(t)}: ${t.session}'s transaction (vxid ${t.id}) at ${t.isolation}, ${t.status}${t.sqlstate ? ` with SQLSTATE ${t.sqlstate}` : ''}`}</title>
            </g>
          );
        })}
      </svg>
      {!txns.length && <p className="muted">No transaction has read or written a row yet.</p>}
    </div>
  );
}
