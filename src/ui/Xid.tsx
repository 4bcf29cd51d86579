/**
 * A transaction id as a link to what it belongs to: the tooltip names the session and the statement that got it,
 * and hovering it highlights every tuple header field and pg_locks row carrying the same xid (one rule in a
 * <style> element: no re-render of the views).
 */
import { useWs } from './hooks';
import { pathTo } from '../store/workspace';

let styleEl: HTMLStyleElement | null = null;
export function highlightXid(xid: number | null) {
  if (typeof document === 'undefined') return;
  if (!styleEl) { styleEl = document.createElement('style'); styleEl.id = 'xid-highlight'; document.head.appendChild(styleEl); }
  styleEl.textContent = xid ? `[data-xid="${xid}"] { background: var(--hl) !important; outline: 2px solid var(--accent); border-radius: 3px; }` : '';
}

/** Which session got the xid, and with which statement (from the results the page holds). */
function useOwner(xid: number): string {
  const txn = useWs((s) => (s.shown ?? s.state)?.deps.txns.find((t) => t.xid === xid || t.subXids.includes(xid)));
  const stmt = useWs((s) => {
    for (const n of pathTo(s.nodes, s.head)) {
      for (const o of n.result?.outcomes ?? []) if (o.trace.events.some((e) => e.kind === 'xid' && e.xid === xid)) return n.entry.kind === 'sql' ? `${n.entry.session}: ${n.entry.sql}` : null;
    }
    return null;
  });
  const who = txn ? `${txn.session}'s transaction (${txn.isolation}, ${txn.status})` : null;
  return [who ? `xid ${xid}: ${who}` : `xid ${xid}`, stmt ? `got it at: ${stmt.slice(0, 120)}` : null].filter(Boolean).join('\n');
}

export function Xid({ xid }: { xid: number }) {
  const title = useOwner(xid);
  if (!xid) return <span>0</span>;
  return <span className="xid" data-xid={xid} title={title} onMouseEnter={() => highlightXid(xid)} onMouseLeave={() => highlightXid(null)}>{xid}</span>;
}
