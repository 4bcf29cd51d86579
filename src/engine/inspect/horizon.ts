/**
 * Who holds the horizon back: for every dead version VACUUM cannot remove yet, the sessions that keep it.
 *
 * VACUUM may remove a version deleted (or replaced) by transaction X only when X is older than the removable
 * horizon — the oldest of every backend's running xid and the xmin of every snapshot it holds
 * (ComputeXidHorizons). So a version deleted by X is held back by each backend whose xid or snapshot xmin is
 * not after X: a REPEATABLE READ transaction that took its snapshot before X committed, a READ COMMITTED
 * statement running since then, or any transaction whose own xid is not after X (PostgreSQL does not ask why: a
 * running xid counts as it is).
 *
 * Mirrors: src/backend/storage/ipc/procarray.c (ComputeXidHorizons: the min of proc->xid and proc->xmin over
 * the procarray), heapam_visibility.c (HeapTupleSatisfiesVacuum's RECENTLY_DEAD). Simplification: one horizon
 * for every table (PostgreSQL keeps separate ones for catalog, data and temporary tables).
 */
import type { Engine } from '../engine.js';
import { LpFlags } from '../heap/tuple.js';
import { VacState, satisfiesVacuum } from '../vacuum/vacuum.js';
import { removableHorizon, vacuumContext } from '../vacuum/pruneheap.js';
import { backendXmin } from '../pgstat/views.js';

/** One backend's part in the horizon: its running xid and its snapshot xmin. */
export interface HorizonHolder { session: string; pid: number; xid: number | null; xmin: number | null; isolation: string | null }
/** A dead version VACUUM must keep, and who keeps it. */
export interface HeldVersion { table: string; blk: number; off: number; xmax: number; holders: HorizonHolder[] }
export interface HorizonReport { horizon: number; holders: HorizonHolder[]; held: HeldVersion[] }

export function horizonReport(eng: Engine, limit = 200): HorizonReport {
  const horizon = removableHorizon(eng);
  const holders: HorizonHolder[] = [];
  for (const s of eng.sessions) {
    const xid = s.tx?.xid || null;
    const xmin = backendXmin(s);
    if (xid === null && xmin === null) continue;
    holders.push({ session: s.name, pid: s.pid, xid, xmin, isolation: s.tx?.isolation ?? null });
  }
  const ctx = vacuumContext(eng, horizon);
  const held: HeldVersion[] = [];
  for (const t of eng.catalog.tables.values()) {
    for (const p of t.heap.pages) {
      for (let i = 0; i < p.items.length; i++) {
        const it = p.items[i]!;
        if (it.lpFlags !== LpFlags.NORMAL) continue;
        // a copy: asking must not set hint bits
        if (satisfiesVacuum({ ...it }, ctx) !== VacState.RecentlyDead) continue;
        const x = it.xmax;
        const by = holders.filter((h) => (h.xmin !== null && h.xmin <= x) || (h.xid !== null && h.xid <= x));
        if (held.length < limit) held.push({ table: t.name, blk: p.blkno, off: i + 1, xmax: x, holders: by });
      }
    }
  }
  return { horizon, holders, held };
}
