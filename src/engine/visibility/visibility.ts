/**
 * Tuple visibility: may this statement see this row version? Each decision is a named outcome with a reason.
 *
 * The rules, in PostgreSQL's order (HeapTupleSatisfiesMVCC):
 *  1. Who inserted it (t_xmin)? If the hint bit XMIN_COMMITTED is not set yet: an aborted inserter → invisible;
 *     our own transaction → visible if inserted by an earlier command (cmin < curcid); an inserter that the
 *     snapshot counts as running → invisible; otherwise ask the CLOG and cache the answer as a hint bit.
 *     Note the order: the snapshot is consulted BEFORE the CLOG, so a reader with an old snapshot never sets
 *     a hint bit for a transaction that committed after its snapshot.
 *  2. Who deleted or updated it (t_xmax)? None, or only a row lock → visible. Our own transaction → visible
 *     only to commands before the deleting one (cmax >= curcid). A deleter the snapshot counts as running →
 *     still visible. An aborted deleter → visible (hint XMAX_INVALID). A committed deleter → invisible.
 * Hint bits are set by readers (SetHintBits), never by COMMIT, and produce no WAL (checksums/wal_log_hints off).
 *
 * Worked example (tests/scenarios/lessons/snapshots.spec, recorded from PostgreSQL 15, plus a DELETE; the page as
 * the engine shows it). The setup's CREATE TABLE + INSERT (1, 20) is one transaction, xid 724. The writer BEGINs,
 * INSERTs (2, 35) and DELETEs id 1 as xid 725 and stays open; the clerk INSERTs (3, 50) as xid 726, autocommit.
 * A REPEATABLE READ reader then takes its snapshot 725:727:725 (725 running, everything below 727 else finished):
 *
 *     lp  t_xmin t_xmax  hint bits after the reader's SELECT   the reader's verdict
 *     1   724    725     XMIN_COMMITTED (set by the DELETE)     xmin committed; xmax 725 in xip → deleter
 *                                                               "running" → VISIBLE (no xmax hint: not known yet)
 *     2   725    0       XMAX_INVALID                           xmin 725 in xip → INVISIBLE (no hint: the
 *                                                               snapshot answered before the CLOG was asked)
 *     3   726    0       XMIN_COMMITTED | XMAX_INVALID          726 < xmax, not in xip, CLOG says committed →
 *                                                               VISIBLE, and the reader sets XMIN_COMMITTED
 *
 * It returns ids 1 and 3. After the writer COMMITs, the same reader still returns 1 and 3 and still sets no hint
 * on lp 2 (its snapshot decides first). A new statement (snapshot 727:727:) returns 2 and 3, and on its way sets
 * XMAX_COMMITTED on lp 1 and XMIN_COMMITTED on lp 2 — the commit itself touched no tuple.
 *
 * Also here: HeapTupleSatisfiesUpdate (what UPDATE/DELETE/SELECT FOR UPDATE find: TM_Result) and
 * HeapTupleSatisfiesDirty (what a unique-index check sees, including in-progress inserters).
 *
 * Mirrors: src/backend/access/heap/heapam_visibility.c. "Our" transaction includes its live subtransactions
 * (savepoints). A MultiXact xmax (HEAP_XMAX_IS_MULTI) is asked about its updater member where a plain xmax would be
 * asked about itself, and gets no xmax hint bits. Frozen xmin via HEAP_XMIN_FROZEN only.
 */
import type { Item } from '../heap/tuple.js';
import {
  HEAP_XMIN_COMMITTED, HEAP_XMIN_INVALID, HEAP_XMIN_FROZEN, HEAP_XMAX_COMMITTED, HEAP_XMAX_INVALID,
  HEAP_XMAX_LOCK_ONLY, HEAP_COMBOCID, HEAP_XMAX_IS_MULTI,
} from '../heap/tuple.js';
import type { Clog } from '../clog/clog.js';
import { XidStatus } from '../clog/clog.js';
import { type Snapshot, xidInSnapshot, formatSnapshot } from '../snapshot/snapshot.js';

/** What the visibility code needs to know about the transaction that is looking. */
export interface VisibilityContext {
  /** our transaction id, 0 when none has been assigned yet */
  myXid: number;
  /** ids of our live subtransactions (savepoints not rolled back), or null when there are none */
  subXids: Set<number> | null;
  /** command id of the running command */
  curcid: number;
  /** combo CID map of our transaction: combo id → [cmin, cmax] */
  combos: [number, number][];
  clog: Clog;
  isInProgress(xid: number): boolean;
  /** is any member of this MultiXact still running? */
  multiRunning?(multi: number): boolean;
  /** the updater member of a MultiXact (HeapTupleGetUpdateXid), 0 when all members are lockers */
  multiUpdater?(multi: number): number;
  /** called when a hint bit is set, so the trace can show it */
  onHint?(item: Item, bit: number): void;
  /** the WAL flush pointer (a committed-hint waits for an asynchronous COMMIT's flush) */
  flushedLsn?(): number;
}

export const enum Vis {
  XminAbortedHint, OwnInsertLaterCommand, OwnInsertVisible, OwnInsertLockedOnly, OwnInsertDeleterAborted,
  OwnInsertDeletedLaterCommand, OwnInsertOwnDelete, XminInSnapshot, XminAborted, XmaxInvalid, XmaxLockOnly,
  OwnDeleteLaterCommand, OwnDelete, XmaxInSnapshot, XmaxAborted, XmaxCommitted, XminFrozenXmaxInvalid,
}
export const VIS_NAMES = [
  'XMIN_ABORTED_HINT', 'OWN_INSERT_LATER_COMMAND', 'OWN_INSERT', 'OWN_INSERT_LOCKED_ONLY', 'OWN_INSERT_DELETER_ABORTED',
  'OWN_INSERT_DELETED_LATER_COMMAND', 'OWN_INSERT_OWN_DELETE', 'XMIN_IN_SNAPSHOT', 'XMIN_ABORTED', 'XMAX_INVALID',
  'XMAX_LOCK_ONLY', 'OWN_DELETE_LATER_COMMAND', 'OWN_DELETE', 'XMAX_IN_SNAPSHOT', 'XMAX_ABORTED', 'XMAX_COMMITTED',
  'XMIN_FROZEN',
] as const;
export const VIS_VISIBLE: readonly boolean[] = [
  false, false, true, true, true, true, false, false, false, true, true, true, false, true, true, false, true,
];

export function getCmin(item: Item, ctx: VisibilityContext): number {
  return item.infomask & HEAP_COMBOCID ? ctx.combos[item.field3]![0] : item.field3;
}
export function getCmax(item: Item, ctx: VisibilityContext): number {
  return item.infomask & HEAP_COMBOCID ? ctx.combos[item.field3]![1] : item.field3;
}

function setHint(item: Item, bit: number, ctx: VisibilityContext) {
  if ((item.infomask & bit) === 0) {
    if (bit === HEAP_XMIN_COMMITTED || bit === HEAP_XMAX_COMMITTED) {
      if (ctx.flushedLsn && !ctx.clog.commitHintAllowed(bit === HEAP_XMIN_COMMITTED ? item.xmin : item.xmax, ctx.flushedLsn())) return;
    }
    item.infomask |= bit;
    ctx.onHint?.(item, bit);
  }
}

const isLockedOnly = (item: Item) => (item.infomask & HEAP_XMAX_LOCK_ONLY) !== 0;
/** Is the row locker in xmax (a plain xid, or a MultiXact of several lockers) still running? */
const lockerRunning = (item: Item, ctx: VisibilityContext) =>
  item.infomask & HEAP_XMAX_IS_MULTI ? (ctx.multiRunning?.(item.xmax) ?? false) : ctx.isInProgress(item.xmax);
/** TransactionIdIsCurrentTransactionId: our top-level xid or one of our live subtransactions' xids. */
const mine = (xid: number, ctx: VisibilityContext) => xid !== 0 && (xid === ctx.myXid || (ctx.subXids !== null && ctx.subXids.has(xid)));
const isMulti = (item: Item) => (item.infomask & HEAP_XMAX_IS_MULTI) !== 0;
/** HeapTupleGetUpdateXid for a MultiXact xmax that is not lock-only */
const updaterOf = (item: Item, ctx: VisibilityContext) => ctx.multiUpdater?.(item.xmax) ?? 0;

/** HeapTupleSatisfiesMVCC. Returns a Vis outcome; VIS_VISIBLE[outcome] says whether the row is visible. */
export function satisfiesMVCC(item: Item, snap: Snapshot, ctx: VisibilityContext): Vis {
  const im = item.infomask;
  if ((im & HEAP_XMIN_COMMITTED) === 0) {
    if (im & HEAP_XMIN_INVALID) return Vis.XminAbortedHint;
    if (mine(item.xmin, ctx)) {
      if (getCmin(item, ctx) >= ctx.curcid) return Vis.OwnInsertLaterCommand;
      if (im & HEAP_XMAX_INVALID) return Vis.OwnInsertVisible;
      if (isLockedOnly(item)) return Vis.OwnInsertLockedOnly;
      if (isMulti(item)) {
        // the updating subtransaction must have aborted if it is not ours
        if (!mine(updaterOf(item, ctx), ctx)) return Vis.OwnInsertDeleterAborted;
        return getCmax(item, ctx) >= ctx.curcid ? Vis.OwnInsertDeletedLaterCommand : Vis.OwnInsertOwnDelete;
      }
      if (!mine(item.xmax, ctx)) { setHint(item, HEAP_XMAX_INVALID, ctx); return Vis.OwnInsertDeleterAborted; }
      return getCmax(item, ctx) >= ctx.curcid ? Vis.OwnInsertDeletedLaterCommand : Vis.OwnInsertOwnDelete;
    }
    if (xidInSnapshot(item.xmin, snap)) return Vis.XminInSnapshot;
    if (ctx.clog.didCommit(item.xmin)) setHint(item, HEAP_XMIN_COMMITTED, ctx);
    else { setHint(item, HEAP_XMIN_INVALID, ctx); return Vis.XminAborted; }
  } else if ((im & HEAP_XMIN_FROZEN) !== HEAP_XMIN_FROZEN && xidInSnapshot(item.xmin, snap)) {
    return Vis.XminInSnapshot;
  }
  // the inserter committed and is visible to us
  const im2 = item.infomask;
  if (im2 & HEAP_XMAX_INVALID) return (im2 & HEAP_XMIN_FROZEN) === HEAP_XMIN_FROZEN ? Vis.XminFrozenXmaxInvalid : Vis.XmaxInvalid;
  if (isLockedOnly(item)) return Vis.XmaxLockOnly;
  if (im2 & HEAP_XMAX_IS_MULTI) {
    const x = updaterOf(item, ctx);
    if (mine(x, ctx)) return getCmax(item, ctx) >= ctx.curcid ? Vis.OwnDeleteLaterCommand : Vis.OwnDelete;
    if (xidInSnapshot(x, snap)) return Vis.XmaxInSnapshot;
    return ctx.clog.didCommit(x) ? Vis.XmaxCommitted : Vis.XmaxAborted;
  }
  if ((im2 & HEAP_XMAX_COMMITTED) === 0) {
    if (mine(item.xmax, ctx)) return getCmax(item, ctx) >= ctx.curcid ? Vis.OwnDeleteLaterCommand : Vis.OwnDelete;
    if (xidInSnapshot(item.xmax, snap)) return Vis.XmaxInSnapshot;
    if (!ctx.clog.didCommit(item.xmax)) { setHint(item, HEAP_XMAX_INVALID, ctx); return Vis.XmaxAborted; }
    setHint(item, HEAP_XMAX_COMMITTED, ctx);
  } else if (xidInSnapshot(item.xmax, snap)) {
    return Vis.XmaxInSnapshot;
  }
  return Vis.XmaxCommitted;
}

/** A sentence a learner can read: why this version is (in)visible to this snapshot. */
export function explainVisibility(v: Vis, item: Item, snap: Snapshot, who = 'this statement'): string {
  const s = formatSnapshot(snap);
  const inSnap = (x: number) =>
    x >= snap.xmax ? `${x} ≥ snapshot xmax ${snap.xmax} (it started after the snapshot ${s} was taken)`
      : `${x} is in the snapshot's running list ${s}`;
  switch (v) {
    case Vis.XminAbortedHint: return `invisible: the inserting transaction ${item.xmin} aborted (hint bit XMIN_INVALID)`;
    case Vis.XminAborted: return `invisible: the CLOG says inserting transaction ${item.xmin} aborted`;
    case Vis.OwnInsertLaterCommand: return `invisible: inserted by ${who}'s own transaction in this or a later command (cmin ≥ current command)`;
    case Vis.OwnInsertVisible: return `visible: inserted by ${who}'s own transaction in an earlier command`;
    case Vis.OwnInsertLockedOnly: return `visible: inserted by our own transaction; xmax is only a row lock`;
    case Vis.OwnInsertDeleterAborted: return `visible: inserted by our own transaction; the deleter aborted`;
    case Vis.OwnInsertDeletedLaterCommand: return `visible: our own transaction deleted it, but in this or a later command`;
    case Vis.OwnInsertOwnDelete: return `invisible: inserted and then deleted by our own transaction`;
    case Vis.XminInSnapshot: return `invisible: inserting transaction ${inSnap(item.xmin)}`;
    case Vis.XmaxInvalid: return `visible: inserter ${item.xmin} committed before the snapshot and nobody deleted it`;
    case Vis.XminFrozenXmaxInvalid: return `visible: frozen (committed long ago) and not deleted`;
    case Vis.XmaxLockOnly: return `visible: inserter committed; xmax ${item.xmax} only holds a row lock`;
    case Vis.OwnDeleteLaterCommand: return `visible: our own transaction deleted it, but in this or a later command`;
    case Vis.OwnDelete: return `invisible: deleted by our own transaction`;
    case Vis.XmaxInSnapshot: return `visible: deleted/updated by ${item.xmax}, but that transaction ${inSnap(item.xmax).replace(/^\d+ /, '')}`;
    case Vis.XmaxAborted: return `visible: the deleting transaction ${item.xmax} aborted`;
    case Vis.XmaxCommitted: return `invisible: deleted/updated by ${item.xmax}, which committed before the snapshot`;
  }
}

/** TM_Result, as table_tuple_update/delete/lock return it (src/include/access/tableam.h). */
export const enum TM {
  Ok = 'TM_Ok', Invisible = 'TM_Invisible', SelfModified = 'TM_SelfModified', Updated = 'TM_Updated', Deleted = 'TM_Deleted',
  BeingModified = 'TM_BeingModified',
}

const isUpdatedNotDeleted = (item: Item, blk: number, off: number) => item.ctidBlock !== blk || item.ctidOffset !== off;

/** HeapTupleSatisfiesUpdate: can we update/delete/lock this version now, or must we wait / give up? */
export function satisfiesUpdate(item: Item, blk: number, off: number, ctx: VisibilityContext): TM {
  const im = item.infomask;
  if ((im & HEAP_XMIN_COMMITTED) === 0) {
    if (im & HEAP_XMIN_INVALID) return TM.Invisible;
    if (mine(item.xmin, ctx)) {
      if (getCmin(item, ctx) >= ctx.curcid) return TM.Invisible;
      if (im & HEAP_XMAX_INVALID) return TM.Ok;
      if (isLockedOnly(item)) return lockerRunning(item, ctx) ? TM.BeingModified : TM.Ok;
      if (isMulti(item)) {
        if (!mine(updaterOf(item, ctx), ctx)) return lockerRunning(item, ctx) ? TM.BeingModified : TM.Ok;
        return getCmax(item, ctx) >= ctx.curcid ? TM.SelfModified : TM.Invisible;
      }
      if (!mine(item.xmax, ctx)) { setHint(item, HEAP_XMAX_INVALID, ctx); return TM.Ok; }
      return getCmax(item, ctx) >= ctx.curcid ? TM.SelfModified : TM.Invisible;
    }
    if (ctx.isInProgress(item.xmin)) return TM.Invisible;
    if (ctx.clog.didCommit(item.xmin)) setHint(item, HEAP_XMIN_COMMITTED, ctx);
    else { setHint(item, HEAP_XMIN_INVALID, ctx); return TM.Invisible; }
  }
  const im2 = item.infomask;
  if (im2 & HEAP_XMAX_INVALID) return TM.Ok;
  if (im2 & HEAP_XMAX_COMMITTED) {
    if (isLockedOnly(item)) return TM.Ok;
    return isUpdatedNotDeleted(item, blk, off) ? TM.Updated : TM.Deleted;
  }
  if (im2 & HEAP_XMAX_IS_MULTI) {
    if (isLockedOnly(item)) {
      if (lockerRunning(item, ctx)) return TM.BeingModified;
      setHint(item, HEAP_XMAX_INVALID, ctx);
      return TM.Ok;
    }
    const x = updaterOf(item, ctx);
    if (mine(x, ctx)) return getCmax(item, ctx) >= ctx.curcid ? TM.SelfModified : TM.Invisible;
    if (lockerRunning(item, ctx)) return TM.BeingModified;
    if (ctx.clog.didCommit(x)) return isUpdatedNotDeleted(item, blk, off) ? TM.Updated : TM.Deleted;
    // the updater aborted and no member is left: nothing of interest remains in xmax
    setHint(item, HEAP_XMAX_INVALID, ctx);
    return TM.Ok;
  }
  if (mine(item.xmax, ctx)) {
    if (isLockedOnly(item)) return TM.BeingModified;
    return getCmax(item, ctx) >= ctx.curcid ? TM.SelfModified : TM.Invisible;
  }
  if (isLockedOnly(item)) {
    if (ctx.isInProgress(item.xmax)) return TM.BeingModified;
    setHint(item, HEAP_XMAX_INVALID, ctx);
    return TM.Ok;
  }
  if (ctx.isInProgress(item.xmax)) return TM.BeingModified;
  if (!ctx.clog.didCommit(item.xmax)) { setHint(item, HEAP_XMAX_INVALID, ctx); return TM.Ok; }
  setHint(item, HEAP_XMAX_COMMITTED, ctx);
  return isUpdatedNotDeleted(item, blk, off) ? TM.Updated : TM.Deleted;
}

/** HeapTupleSatisfiesDirty, used by the unique check: sees in-progress inserts/deletes and reports them. */
export interface DirtyResult { visible: boolean; waitXmin: number; waitXmax: number }
export function satisfiesDirty(item: Item, ctx: VisibilityContext): DirtyResult {
  const r: DirtyResult = { visible: false, waitXmin: 0, waitXmax: 0 };
  const im = item.infomask;
  if ((im & HEAP_XMIN_COMMITTED) === 0) {
    if (im & HEAP_XMIN_INVALID) return r;
    if (mine(item.xmin, ctx)) {
      if (im & HEAP_XMAX_INVALID || isLockedOnly(item)) { r.visible = true; return r; }
      if (isMulti(item)) { r.visible = !mine(updaterOf(item, ctx), ctx); return r; }
      if (!mine(item.xmax, ctx)) { setHint(item, HEAP_XMAX_INVALID, ctx); r.visible = true; return r; }
      return r;
    }
    if (ctx.isInProgress(item.xmin)) {
      r.waitXmin = item.xmin;
      r.visible = true;
      return r;
    }
    if (ctx.clog.get(item.xmin) === XidStatus.Committed) setHint(item, HEAP_XMIN_COMMITTED, ctx);
    else { setHint(item, HEAP_XMIN_INVALID, ctx); return r; }
  }
  const im2 = item.infomask;
  if (im2 & HEAP_XMAX_INVALID) { r.visible = true; return r; }
  if (im2 & HEAP_XMAX_COMMITTED) { r.visible = isLockedOnly(item); return r; }
  if (isLockedOnly(item)) {
    if (!isMulti(item) && !mine(item.xmax, ctx) && !ctx.isInProgress(item.xmax)) setHint(item, HEAP_XMAX_INVALID, ctx);
    r.visible = true;
    return r;
  }
  if (im2 & HEAP_XMAX_IS_MULTI) {
    const x = updaterOf(item, ctx);
    if (mine(x, ctx)) return r;
    if (ctx.isInProgress(x)) { r.waitXmax = x; r.visible = true; return r; }
    if (ctx.clog.didCommit(x)) return r;
    r.visible = true; // the updater aborted
    return r;
  }
  if (mine(item.xmax, ctx)) return r;
  if (ctx.isInProgress(item.xmax)) {
    r.waitXmax = item.xmax;
    r.visible = true;
    return r;
  }
  if (!ctx.clog.didCommit(item.xmax) || isLockedOnly(item)) { setHint(item, HEAP_XMAX_INVALID, ctx); r.visible = true; return r; }
  setHint(item, HEAP_XMAX_COMMITTED, ctx);
  return r;
}
