/**
 * The dependency graph of the engine's transactions (trace/deps.ts), with the pages as the record of who wrote
 * which version: t_xmin installed it; t_xmax, when it is an updater and not only a locker, installed the next one.
 */
import type { Engine } from '../engine.js';
import { type Table, heapGetattrs } from '../catalog/catalog.js';
import type { DepGraph, DepSource } from '../trace/deps.js';
import { HEAP_XMAX_INVALID, HEAP_XMAX_LOCK_ONLY, LpFlags, type Item } from '../heap/tuple.js';
import { updateXidOf } from '../multixact/multixact.js';

/** tables bigger than this are not scanned for write dependencies (a bulk load is not graphed row by row) */
const MAX_SCANNED_TUPLES = 50_000;

export function dependencyGraph(e: Engine): DepGraph {
  const updater = (it: Item) => (it.infomask & (HEAP_XMAX_INVALID | HEAP_XMAX_LOCK_ONLY) ? 0 : updateXidOf(it, e.multis));
  const src: DepSource = {
    version(rel, blk, off, xmin) {
      const t = e.catalog.byOid(rel) as Table | undefined;
      const it = t?.heap?.item(blk, off);
      if (!it || it.lpFlags !== LpFlags.NORMAL || it.xmin !== xmin) return null;
      return { updater: updater(it) };
    },
    versions(f) {
      for (const t of e.catalog.tables.values()) {
        if (t.heap.tupleCount > MAX_SCANNED_TUPLES) continue;
        for (const p of t.heap.pages) p.items.forEach((it, i) => {
          if (it.lpFlags === LpFlags.NORMAL) { const u = updater(it); if (u) f(t.oid, p.blkno, i + 1, it.xmin, u); }
        });
      }
    },
    tuples(rel, wanted, f) {
      const t = e.catalog.byOid(rel) as Table | undefined;
      if (!t?.heap || t.heap.tupleCount > MAX_SCANNED_TUPLES) return;
      const vals = (it: Item) => (it.values.length < t.columns.length ? heapGetattrs(t, it.values) : it.values);
      let prev: Map<string, Item> | null = null; // each version's predecessor (t_ctid points at it): made when first needed
      for (const p of t.heap.pages) p.items.forEach((it, i) => {
        if (it.lpFlags !== LpFlags.NORMAL || !wanted(it.xmin)) return;
        if (!prev) {
          prev = new Map();
          for (const q of t.heap.pages) q.items.forEach((o, j) => { if (o.lpFlags === LpFlags.NORMAL && (o.ctidBlock !== q.blkno || o.ctidOffset !== j + 1)) prev!.set(`${o.ctidBlock},${o.ctidOffset}`, o); });
        }
        const before = prev.get(`${p.blkno},${i + 1}`);
        f(p.blkno, i + 1, it.xmin, vals(it), it.infomask & HEAP_XMAX_INVALID ? 0 : updater(it) || it.xmax,
          before && updater(before) === it.xmin ? vals(before) : null);
      });
    },
    relName: (rel) => e.catalog.byOid(rel)?.name ?? String(rel),
    running() {
      const m = new Map<string, { xid: number; subXids: number[] }>();
      for (const s of e.sessions) if (s.tx) m.set(s.tx.vxid, { xid: s.tx.xid, subXids: s.tx.liveSubXids() });
      return m;
    },
  };
  return e.deps.graph(src);
}
