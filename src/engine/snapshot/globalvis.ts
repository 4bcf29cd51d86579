/**
 * GlobalVis: a backend's cheap test of "is this transaction's deletion invisible to every snapshot, so the version is
 * dead to all?" — what an index scan asks before it marks an index entry LP_DEAD (kill_prior_tuple).
 *
 * Each backend keeps two bounds: below `maybe` a deleter is surely old enough; at or above `definitely` (its latest
 * snapshot's xmin) it surely is not; in between the backend recomputes the horizon from every backend's xmin
 * (ComputeXidHorizons) — but only when its latest snapshot's xmin (RecentXmin) moved since it last did. So a snapshot
 * released in another session is not noticed until some transaction id completes:
 *
 *     s2: BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT ...     -- holds xmin 725
 *     s1: DELETE ... (xid 725, commits); SELECT ... WHERE id = 4  -- horizon 725: not dead to all (and RecentXmin 726 noted)
 *     s2: COMMIT;  s1: SELECT ... WHERE id = 4                 -- RecentXmin still 726: no recomputation, still not dead
 *     s2: SELECT txid_current();  s1: SELECT ... WHERE id = 4  -- RecentXmin 727: recomputed, 725 is dead to all: LP_DEAD
 *
 * Mirrors: src/backend/storage/ipc/procarray.c (GlobalVisTestIsRemovableXid, GlobalVisTestShouldUpdate,
 * GlobalVisUpdate, GlobalVisUpdateApply; GetSnapshotData's definitely_needed). Simplified: one state for every kind of
 * relation (PostgreSQL keeps shared, catalog, data and temp ones), and the horizon is the engine's removableHorizon.
 */
import type { Engine } from '../engine.js';
import type { Session } from '../session/session.js';
import { removableHorizon } from '../vacuum/pruneheap.js';
import {
  HEAP_XMIN_COMMITTED, HEAP_XMIN_INVALID, HEAP_XMAX_INVALID, HEAP_XMAX_LOCK_ONLY, HEAP_XMAX_IS_MULTI, HEAP_LOCK_MASK, HEAP_XMAX_EXCL_LOCK,
  HEAP_XMAX_COMMITTED, type Item,
} from '../heap/tuple.js';

export interface GlobalVisState {
  /** xids below are removable */
  maybe: number;
  /** xids at or above are not */
  definitely: number;
  /** RecentXmin when the horizon was last computed (ComputeXidHorizonsResultLastXmin); 0: never */
  lastXmin: number;
}

/** GlobalVisTestIsRemovableXid for the session's backend (its latest snapshot's xmin is RecentXmin). */
export function globalVisIsRemovable(eng: Engine, s: Session, xid: number): boolean {
  const gv = (s.globalVis ??= { maybe: 0, definitely: 0, lastXmin: 0 });
  const recentXmin = (s.tx?.stmtSnapshot ?? s.tx?.xactSnapshot)?.xmin ?? eng.xacts.nextXid;
  if (recentXmin > gv.definitely) gv.definitely = recentXmin;
  if (xid < gv.maybe) return true;
  if (xid >= gv.definitely) return false;
  // GlobalVisTestShouldUpdate
  if (gv.lastXmin !== 0 && (gv.maybe >= gv.definitely || recentXmin === gv.lastXmin)) return false;
  gv.maybe = removableHorizon(eng);
  if (gv.maybe > gv.definitely) gv.definitely = gv.maybe;
  gv.lastXmin = recentXmin;
  return xid < gv.maybe;
}

/** HeapTupleIsSurelyDead (heapam_visibility.c): by the hint bits alone (just set by a visibility test), and GlobalVis */
export function heapTupleIsSurelyDead(eng: Engine, s: Session, item: Item): boolean {
  const m = item.infomask;
  if (!(m & HEAP_XMIN_COMMITTED)) return (m & HEAP_XMIN_INVALID) !== 0;
  if (m & HEAP_XMAX_INVALID) return false;
  if ((m & HEAP_XMAX_LOCK_ONLY) || (m & (HEAP_XMAX_IS_MULTI | HEAP_LOCK_MASK)) === HEAP_XMAX_EXCL_LOCK) return false;
  if (m & HEAP_XMAX_IS_MULTI) return false;
  if (!(m & HEAP_XMAX_COMMITTED)) return false;
  return globalVisIsRemovable(eng, s, item.xmax);
}
