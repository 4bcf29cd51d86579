/**
 * What a row's t_xmax becomes when one more transaction locks, updates or deletes it.
 *
 * A plain xid is enough when nobody else still has an interest in the row. Otherwise the new xmax must remember
 * everyone who does — the earlier locker that is still running, a committed updater, our own earlier lock from
 * a parent (sub)transaction — and becomes a MultiXact of them and us (multixact/multixact.ts):
 *
 *     xmax before                        we add                 xmax after
 *     none (XMAX_INVALID)                lock / update          our xid
 *     our own xid, a lock                a stronger lock / update   our xid, the stronger of the two
 *     s1's xid, FOR KEY SHARE, running   UPDATE keeping the key     MultiXact {s1 keysh, us nokeyupd}
 *     parent's xid, FOR SHARE            savepoint's UPDATE     MultiXact {parent sh, savepoint nokeyupd}
 *     MultiXact, some members running    anything               a new MultiXact: the members still of interest + us
 *     a committed non-key update         FOR KEY SHARE          MultiXact {updater nokeyupd, us keysh}
 *
 * Also here, the questions the waiting code asks about a MultiXact: does it conflict with the lock we want
 * (DoesMultiXactIdConflict), which members must we wait for (Do_MultiXactIdWait), and is the version only locked
 * after all (HeapTupleHeaderIsOnlyLocked: its updater aborted).
 *
 * Mirrors: src/backend/access/heap/heapam.c (compute_new_xmax_infomask, DoesMultiXactIdConflict,
 * Do_MultiXactIdWait, HeapTupleHeaderIsOnlyLocked, test_lockmode_for_conflict) and multixact.c (MultiXactIdExpand).
 */
import { type Item, HEAP_XMAX_INVALID, HEAP_XMAX_IS_MULTI, HEAP_XMAX_COMMITTED, HEAP_XMAX_LOCK_ONLY, HEAP_KEYS_UPDATED } from './tuple.js';
import { type TupleLockMode, TUPLE_LOCK_BITS, LOCK_STRENGTH, tupleLocksConflict, lockModeOfBits, isLockedOnly, strongerOf } from './rowlock.js';
import { type MultiMember, type MultiXacts, multiHintBits } from '../multixact/multixact.js';

/** What deciding an xmax needs to know about transactions. */
export interface XmaxContext {
  multis: MultiXacts;
  /** TransactionIdIsCurrentTransactionId: our top-level xid or one of our live subtransactions' */
  isCurrent(xid: number): boolean;
  isInProgress(xid: number): boolean;
  didCommit(xid: number): boolean;
  /** MultiXactIdCreateFromMembers: a new MultiXact, with its WAL */
  createMulti(members: MultiMember[]): number;
}

export interface NewXmax { xmax: number; infomask: number; infomask2: number }

/** MultiXactIdIsRunning: is any member still running (we count: our own members are)? */
export function multiIsRunning(ctx: XmaxContext, multi: number): boolean {
  return ctx.multis.members(multi).some((m) => ctx.isCurrent(m.xid) || ctx.isInProgress(m.xid));
}

/** The member status a plain (non-MultiXact) xmax stands for. */
export function statusOfXmax(infomask: number, infomask2: number): { mode: TupleLockMode; update: boolean } {
  if (isLockedOnly(infomask)) return { mode: lockModeOfBits(infomask, infomask2), update: false };
  return { mode: infomask2 & HEAP_KEYS_UPDATED ? 'exclusive' : 'nokeyexclusive', update: true };
}

/** compute_new_xmax_infomask: the xmax and bits after `addXid` takes `mode` (a lock, or an update when isUpdate). */
export function computeNewXmax(
  ctx: XmaxContext, xmax: number, infomask: number, infomask2: number, addXid: number, mode: TupleLockMode, isUpdate: boolean,
): NewXmax {
  const plain = (m: TupleLockMode): NewXmax => isUpdate
    ? { xmax: addXid, infomask: 0, infomask2: m === 'exclusive' ? HEAP_KEYS_UPDATED : 0 }
    : { xmax: addXid, infomask: HEAP_XMAX_LOCK_ONLY | TUPLE_LOCK_BITS[m], infomask2: m === 'exclusive' ? HEAP_KEYS_UPDATED : 0 };
  const me: MultiMember = { xid: addXid, mode, update: isUpdate };
  const multi = (members: MultiMember[]): NewXmax => {
    const id = ctx.createMulti(members);
    const bits = multiHintBits(members);
    return { xmax: id, infomask: bits.infomask, infomask2: bits.infomask2 };
  };
  if (infomask & HEAP_XMAX_INVALID) return plain(mode);
  if (infomask & HEAP_XMAX_IS_MULTI) {
    const members = ctx.multis.members(xmax);
    if (!multiIsRunning(ctx, xmax)) {
      const updater = members.find((m) => m.update);
      if (isLockedOnly(infomask) || !updater || !ctx.didCommit(updater.xid)) return plain(mode);
    }
    // MultiXactIdExpand: the same member again changes nothing; else keep running members and committed updaters
    if (members.some((m) => m.xid === addXid && m.mode === mode && m.update === isUpdate)) {
      const bits = multiHintBits(members);
      return { xmax, infomask: bits.infomask, infomask2: bits.infomask2 };
    }
    const keep = members.filter((m) => ctx.isCurrent(m.xid) || ctx.isInProgress(m.xid) || (m.update && ctx.didCommit(m.xid)));
    return multi([...keep, me]);
  }
  const old = statusOfXmax(infomask, infomask2);
  if (infomask & HEAP_XMAX_COMMITTED) {
    // a committed update stays recorded as the updater (a lock-only xmax never gets this hint)
    return multi([{ xid: xmax, mode: old.mode, update: true }, me]);
  }
  if (ctx.isCurrent(xmax) || ctx.isInProgress(xmax)) {
    if (xmax === addXid) return plain(strongerOf(mode, old.mode)); // the same transaction again: the stronger of both
    return multi([{ xid: xmax, mode: old.mode, update: old.update }, me]);
  }
  if (!isLockedOnly(infomask) && ctx.didCommit(xmax)) return multi([{ xid: xmax, mode: old.mode, update: true }, me]);
  return plain(mode); // the locker or updater has gone (or aborted)
}

/**
 * DoesMultiXactIdConflict: must we wait for some member before taking `mode`? Our own members do not count (but
 * are reported: then the heavyweight tuple lock is skipped); nor do aborted updaters or finished lockers.
 */
export function doesMultiConflict(ctx: XmaxContext, multi: number, mode: TupleLockMode): { conflict: boolean; currentIsMember: boolean } {
  let conflict = false, currentIsMember = false;
  for (const m of ctx.multis.members(multi)) {
    if (ctx.isCurrent(m.xid)) { currentIsMember = true; continue; }
    if (conflict || !tupleLocksConflict(m.mode, mode)) continue;
    if (m.update ? (!ctx.isInProgress(m.xid) && !ctx.didCommit(m.xid)) : !ctx.isInProgress(m.xid)) continue;
    conflict = true;
  }
  return { conflict, currentIsMember };
}

/**
 * Do_MultiXactIdWait: the members we must wait for before taking `mode` (every conflicting one that is not ours),
 * and how many members remain of interest (ours, or running ones that do not conflict).
 */
export function multiWaitList(ctx: XmaxContext, multi: number, mode: TupleLockMode): { wait: number[]; remain: number } {
  const wait: number[] = [];
  let remain = 0;
  for (const m of ctx.multis.members(multi)) {
    if (ctx.isCurrent(m.xid)) { remain++; continue; }
    if (!tupleLocksConflict(m.mode, mode)) { if (ctx.isInProgress(m.xid)) remain++; continue; }
    wait.push(m.xid);
  }
  return { wait, remain };
}

/** HeapTupleHeaderIsOnlyLocked: no live or committed update in xmax (none, a lock, or a MultiXact whose updater aborted). */
export function isOnlyLocked(ctx: XmaxContext, item: Item): boolean {
  const im = item.infomask;
  if (im & HEAP_XMAX_INVALID || im & HEAP_XMAX_LOCK_ONLY || item.xmax === 0) return true;
  if (!(im & HEAP_XMAX_IS_MULTI)) return false;
  const x = ctx.multis.updateXid(item.xmax);
  if (!x || ctx.isCurrent(x) || ctx.isInProgress(x) || ctx.didCommit(x)) return !x;
  return true;
}

/** test_lockmode_for_conflict: following an update chain to lock newer versions, what does this member mean for us? */
export function testLockmodeForConflict(
  ctx: XmaxContext, m: { xid: number; mode: TupleLockMode; update: boolean }, mode: TupleLockMode,
): 'self' | 'wait' | 'ok' | 'conflict' {
  if (ctx.isCurrent(m.xid)) return 'self';
  if (ctx.isInProgress(m.xid)) return tupleLocksConflict(m.mode, mode) ? 'wait' : 'ok';
  if (ctx.didCommit(m.xid) && m.update && tupleLocksConflict(m.mode, mode)) return 'conflict';
  return 'ok';
}

/** The members an xmax stands for, a MultiXact's or a plain xid's (for the lock checks above). */
export function xmaxMembers(ctx: XmaxContext, item: Item): readonly MultiMember[] {
  if (item.infomask & HEAP_XMAX_IS_MULTI) return ctx.multis.members(item.xmax);
  return [{ xid: item.xmax, ...statusOfXmax(item.infomask, item.infomask2) }];
}

export { LOCK_STRENGTH };
