/**
 * A transaction id as a link to what it belongs to: the tooltip names the session and the statement that got it,
 * and hovering it highlights every tuple header field and pg_locks row carrying the same xid (one rule in a
 * <style> element: no re-render of the views).
 */
import type React from 'react';
import { useWorkspace } from './hooks';
import { pathTo, type WorkspaceState } from '../store/workspace';

let styleEl: HTMLStyleElement | null = null;
export function highlightXid(xid: number | null) {
  if (typeof document === 'undefined') return;
  if (!styleEl) { styleEl = document.createElement('style'); styleEl.id = 'xid-highlight'; document.head.appendChild(styleEl); }
  styleEl.textContent = xid ? `[data-xid="${xid}"] { background: var(--hl) !important; outline: 2px solid var(--accent); border-radius: 3px; }` : '';
}

/** Which session got the xid, and with which statement (from the results the page holds). Read when the pointer
 *  enters the xid, not on every render: a view holds a hundred xids and the timeline thousands of steps. */
function ownerOf(st: WorkspaceState, xid: number): string {
  const txn = (st.shown ?? st.state)?.deps.txns.find((t) => t.xid === xid || t.subXids.includes(xid));
  let stmt: string | null = null;
  search: for (const n of pathTo(st.nodes, st.head)) {
    for (const o of n.result?.outcomes ?? []) {
      if (o.trace.events.some((e) => e.kind === 'xid' && e.xid === xid)) { stmt = n.entry.kind === 'sql' ? `${n.entry.session}: ${n.entry.sql}` : null; break search; }
    }
  }
  const who = txn ? `${txn.session}'s transaction (${txn.isolation}, ${txn.status})` : null;
  return [who ? `xid ${xid}: ${who}` : `xid ${xid}`, stmt ? `got it at: ${stmt.slice(0, 120)}` : null].filter(Boolean).join('\n');
}

export function Xid({ xid }: { xid: number }) {
  const ws = useWorkspace();
  if (!xid) return <span>0</span>;
  const enter = (e: React.MouseEvent<HTMLSpanElement>) => { e.currentTarget.title = ownerOf(ws.store.getState(), xid); highlightXid(xid); };
  return <span className="xid" data-xid={xid} title={`xid ${xid}`} onMouseEnter={enter} onMouseLeave={() => highlightXid(null)}>{xid}</span>;
}
