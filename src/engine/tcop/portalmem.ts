/**
 * Portals: a session's open cursors, and what becomes of them when a transaction or savepoint ends.
 *
 * A cursor is a portal: a query that has started and can be resumed. While it is open inside its transaction it
 * keeps what a running query keeps — its snapshot (registered: it holds the backend's xmin, so VACUUM's horizon,
 * back until the cursor closes or the transaction ends), the locks its query took (AccessShareLock; those are the
 * transaction's anyway), and a buffer pin on the heap page its scan stopped on: a sequential or index scan that
 * returned a row keeps that page pinned until it moves on, so nobody can get a cleanup lock on it — VACUUM skips
 * pruning and freezing it (lazy_scan_noprune), a reader does not prune it.
 *
 * At the end of the transaction:
 *   COMMIT    — a WITH HOLD cursor is kept, its rows already materialised (PersistHoldablePortal): it keeps its
 *               position but no snapshot, lock or pin; every other cursor is closed;
 *   ROLLBACK  — every cursor made in the transaction is dropped (a WITH HOLD one too); cursors held over from an
 *               earlier transaction stay;
 *   ROLLBACK TO SAVEPOINT — the cursors made since the savepoint are dropped; older ones stay where they are
 *               (a FETCH inside the rolled-back part is not undone);
 *   RELEASE   — the cursors made inside move up to the enclosing level.
 *
 * Mirrors: src/backend/utils/mmgr/portalmem.c (CreatePortal, PreCommit_Portals, AtAbort_Portals,
 * AtSubAbort_Portals / AtSubCleanup_Portals, AtSubCommit_Portals, pg_cursor) and the buffer pin a scan keeps
 * (heapam.c heapgettup's rs_cbuf, indexam's xs_cbuf).
 */
import type { Session } from '../session/session.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import { type PortalPosition, currentRow } from './pquery.js';

/** A FOR UPDATE cursor's LockRows: the candidates its scan found, locked one by one as FETCH pulls them. fetch
 *  returns the row (its values, its scan's block, the locked version's tid), null when it is skipped (deleted,
 *  no longer matching, SKIP LOCKED), 'end' when a LIMIT is reached. */
export interface LazyRows {
  rows: import('../sql/primnodes.js').Row[];
  next: number;
  fetch(r: import('../sql/primnodes.js').Row): Generator<import('../session/session.js').StepYield, { vals: import('../sql/types.js').Value[]; blk: number; tid: [number, number] } | null | 'end', void>;
}

export interface Portal {
  name: string;
  /** the query string the DECLARE came in (pg_cursors.statement) */
  sourceText: string;
  holdable: boolean;
  binary: boolean;
  scrollable: boolean;
  /** virtual ms of the DECLARE's statement start (pg_cursors.creation_time) */
  createdAt: number;
  /** the savepoint level it was made at (0: the transaction itself); -1: held over from a committed transaction */
  level: number;
  columns: { name: string; type: string }[];
  /** the cursor's rows, already in output form */
  rows: (string | null)[][];
  /** a streaming scan of one table (nothing between it and the cursor that reads it all first): each row's heap
   *  block, for the pin the scan keeps; null when the first FETCH reads the whole scan (a Sort, an Aggregate).
   *  keepsLast: a LIMIT stopped it (the Limit node asks its scan for nothing more: the scan stays on the last row) */
  scan: { rel: number; blks: number[]; tids: [number, number][]; keepsLast: boolean } | null;
  /** FOR UPDATE / SHARE: the table whose rows it locks, and the rows not yet pulled (null once all are) */
  lockRel: number | null;
  lazy: LazyRows | null;
  /** the DECLARE's command id (its snapshot's curcid; LockRows' es_output_cid) */
  cid: number;
  /** the tables its query reads: while it is open in its transaction they cannot be altered, truncated or dropped */
  rels: Set<number>;
  /** the tuples it has locked so far */
  lockTids: [number, number][];
  /** the snapshot the query runs with; null once the cursor is held */
  snapshot: Snapshot | null;
  pos: PortalPosition;
  /** a FETCH has run the query (before that, no page is pinned: the executor has only been started) */
  started: boolean;
  /** the query not yet run (literals written in), its text, and the DECLARE's command id (its snapshot's curcid) */
  pending: { query: Record<string, any>; sql: string; cid: number; locks: boolean } | null;
  /** a streaming scan's pages in the order it read them, and how many the cursor has reached (pruned) so far */
  prune: { visits: { t: import('../catalog/catalog.js').Table; blk: number }[]; done: number } | null;
}

/** The heap page the cursor's scan is stopped on: pinned until the scan moves on or the cursor closes. */
export function portalPin(p: Portal): { rel: number; blk: number } | null {
  if (!p.scan || p.level < 0 || !p.started) return null;
  const row = currentRow(p.pos) ?? (p.scan.keepsLast && p.pos.cur > p.pos.nrows && p.pos.nrows > 0 ? p.pos.nrows : null);
  return row === null ? null : { rel: p.scan.rel, blk: p.scan.blks[row - 1]! };
}

/** Does one of this session's open cursors pin the page? */
export function portalPins(s: Session, rel: number, blk: number): boolean {
  for (const p of s.portals.values()) {
    const pin = portalPin(p);
    if (pin && pin.rel === rel && pin.blk === blk) return true;
  }
  return false;
}

/** The oldest xmin among the snapshots the session's open cursors hold, or null. */
export function portalsXmin(s: Session): number | null {
  let x: number | null = null;
  for (const p of s.portals.values()) if (p.snapshot && (x === null || p.snapshot.xmin < x)) x = p.snapshot.xmin;
  return x;
}

/** PreCommit_Portals: WITH HOLD cursors made in this transaction are kept (held), the others closed. */
export function atCommitPortals(s: Session): void {
  for (const [name, p] of s.portals) {
    if (p.level < 0) continue;
    if (!p.holdable) { s.portals.delete(name); continue; }
    p.level = -1;
    p.snapshot = null;
  }
}

/** AtAbort_Portals + AtCleanup_Portals: the cursors made in this transaction go; those held over stay. */
export function atAbortPortals(s: Session): void {
  for (const [name, p] of s.portals) if (p.level >= 0) s.portals.delete(name);
}

/** AtSubAbort_Portals + AtSubCleanup_Portals: cursors made at savepoint level > `level` go. */
export function atSubAbortPortals(s: Session, level: number): void {
  for (const [name, p] of s.portals) if (p.level > level) s.portals.delete(name);
}

/** AtSubCommit_Portals: cursors made at levels > `level` now belong to `level`. */
export function atSubCommitPortals(s: Session, level: number): void {
  for (const p of s.portals.values()) if (p.level > level) p.level = level;
}

/** A held cursor for a copy of the session (Engine.clone: only held cursors exist between transactions). */
export function clonePortal(p: Portal): Portal {
  return { ...p, pos: { ...p.pos }, prune: null, rels: new Set(p.rels) };
}
