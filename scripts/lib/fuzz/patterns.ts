/**
 * Recognising scenario classes in generated cases — so a test can show that the generator reaches them.
 *
 * The stale-ctid class (issue 9): a rolled-back HOT update of a row, a DELETE of that row by another
 * transaction, a VACUUM while the delete is in progress, an INSERT (which may reuse the pruned slot), and a READ
 * COMMITTED UPDATE with a WHERE on the non-key column that runs while the deleter is still in progress (so it
 * waits, and afterwards must find the row deleted — not follow a stale t_ctid to whatever now sits in the slot).
 */
import type { FuzzCase, FuzzStep, Stmt } from './model.js';

interface Placed { step: FuzzStep; session: string; at: number; iso: string | null; inBlock: boolean; blockEnd: Stmt['t'] | null; blockEndAt: number }

/** Each permutation step with its session, position, transaction block and how that block ends. */
function place(c: FuzzCase): Placed[] {
  const at = new Map(c.permutation.map((n, i) => [n, i]));
  const out: Placed[] = [];
  for (const s of c.sessions) {
    let block: Placed[] = [];
    let iso: string | null = null;
    let inBlock = false;
    for (const st of s.steps) {
      const i = at.get(st.name);
      if (i === undefined) continue;
      const p: Placed = { step: st, session: s.name, at: i, iso: inBlock ? iso : null, inBlock, blockEnd: null, blockEndAt: Infinity };
      if (st.stmt.t === 'begin') { inBlock = true; iso = st.stmt.iso; p.inBlock = true; p.iso = iso; }
      out.push(p);
      if (inBlock) block.push(p);
      if (inBlock && (st.stmt.t === 'commit' || st.stmt.t === 'rollback')) {
        for (const b of block) { b.blockEnd = st.stmt.t; b.blockEndAt = i; }
        block = []; inBlock = false; iso = null;
      }
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

const keyOf = (s: Stmt) => ('where' in s && s.where && s.where.col === 'k' && s.where.op === '=' ? s.where.val : null);

export function isStaleCtidClass(c: FuzzCase): boolean {
  const ps = place(c);
  for (const u of ps) {
    const us = u.step.stmt;
    if (us.t !== 'update' || us.col !== 'v' || u.blockEnd !== 'rollback') continue;
    const key = keyOf(us);
    for (const d of ps) {
      const ds = d.step.stmt;
      if (ds.t !== 'delete' || d.session === u.session || d.at < u.blockEndAt || d.blockEnd !== 'commit') continue;
      if (key !== null && keyOf(ds) !== null && keyOf(ds) !== key) continue;
      const during = (x: Placed) => x.at > d.at && x.at < d.blockEndAt;
      const vac = ps.some((v) => v.step.stmt.t === 'vacuum' && during(v));
      const ins = ps.some((i) => i.step.stmt.t === 'insert' && i.session !== d.session && during(i));
      const waiter = ps.some((w) => {
        const ws = w.step.stmt;
        return ws.t === 'update' && w.session !== d.session && (ws.where === null || ws.where.col === 'v') && during(w)
          && (w.iso === null || w.iso === 'READ COMMITTED');
      });
      if (vac && ins && waiter) return true;
    }
  }
  return false;
}
