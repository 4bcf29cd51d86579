/**
 * Waiting for a row: the deciding half of heap_update, heap_delete and heap_lock_tuple.
 *
 * Before changing or locking a version, a backend asks HeapTupleSatisfiesUpdate. TM_BeingModified means someone
 * else still has an interest in it (t_xmax: an updater, a locker, or a MultiXact of several). What it does next
 * depends on who and on the strength it needs (heap/rowlock.ts):
 *
 *   - a locker whose lock does not conflict (FOR KEY SHARE next to an UPDATE that keeps the key, two FOR SHARE):
 *     no wait — the new xmax records both (a MultiXact, heap/xmax.ts);
 *   - our own lock, from this transaction or a parent savepoint: no wait;
 *   - anyone else: take the heavyweight tuple lock (first in line among waiters), then wait for a ShareLock on
 *     each conflicting transaction's xid (XactLockTableWait; for a MultiXact, on each conflicting member), then
 *     look again — it committed an update (TM_Updated: READ COMMITTED follows the chain, EvalPlanQual), a delete
 *     (TM_Deleted), or it aborted or only locked (TM_Ok).
 *
 * FOR KEY SHARE on a version someone updated without touching the key does not wait either, and also locks the
 * newer versions of the row (heap_lock_updated_tuple), so nobody can delete the key under the locker.
 * NOWAIT fails (55P03) and SKIP LOCKED skips where this would wait.
 *
 * Mirrors: src/backend/access/heap/heapam.c (heap_update and heap_delete up to the change, heap_lock_tuple,
 * heap_lock_updated_tuple_rec, UpdateXmaxHintBits), heapam_handler.c (heapam_tuple_lock with
 * TUPLE_LOCK_FLAG_FIND_LAST_VERSION for EvalPlanQual). Simplifications: the buffer lock is implicit (nothing runs
 * between two statements of this code but the generator's own waits); NOWAIT and SKIP LOCKED check the
 * transactions to wait for, not who holds the heavyweight tuple lock; following an update chain always waits
 * (as PostgreSQL 15 does).
 */
import { movedPartitions, movedError } from '../heap/heapam.js';
import { PgError } from '../errors.js';
import type { Engine } from '../engine.js';
import type { Session, StepYield } from '../session/session.js';
import { type Table, heapGetattrs } from '../catalog/catalog.js';
import { type Item, LpFlags, HEAP_XMAX_INVALID, HEAP_XMAX_COMMITTED, HEAP_XMAX_IS_MULTI, HEAP_KEYS_UPDATED } from '../heap/tuple.js';
import { formatTid } from '../heap/heap.js';
import { type HeapContext, type LockerCheck, heapLockTuple, heapLockUpdated } from '../heap/heapam.js';
import {
  type TupleLockMode, LOCK_STRENGTH, isLockedOnly, isKeyShareLocked, isShareLocked, isExclLocked, xmaxInfomaskChanged,
} from '../heap/rowlock.js';
import { doesMultiConflict, multiWaitList, isOnlyLocked, testLockmodeForConflict, xmaxMembers, type XmaxContext } from '../heap/xmax.js';
import { updateXidOf } from '../multixact/multixact.js';
import { LockMode } from '../lock/lock.js';
import { TM, satisfiesUpdate, satisfiesDirty, getCmin } from '../visibility/visibility.js';
import type { Value } from '../sql/types.js';

type Gen<T> = Generator<StepYield, T, void>;
export type WaitPolicy = 'block' | 'skip' | 'error';

/** Heavyweight lock mode that protects a row lock of each strength (tuple locks in pg_locks). */
export const TUPLE_HW_LOCK: Record<TupleLockMode, LockMode> = {
  keyshare: LockMode.AccessShare, share: LockMode.RowShare, nokeyexclusive: LockMode.Exclusive, exclusive: LockMode.AccessExclusive,
};

/** What the waiting code needs from the executor. */
export interface RowLockEnv {
  readonly eng: Engine;
  heapCtx(s: Session): HeapContext;
}

/** A version to change, as a scan or an update chain found it. */
export interface RowVersion { vals: Value[]; item: Item; blk: number; off: number; aggs: null }

export interface ModifyCheck {
  tm: TM;
  /** we hold the heavyweight tuple lock: release it after the change */
  tupleLock: boolean;
  lockers: LockerCheck;
}

const rowBusy = (t: Table) => new PgError('55P03', `could not obtain lock on row in relation "${t.name}"`);
const updatedOrDeleted = (item: Item, blk: number, off: number) => (item.ctidBlock !== blk || item.ctidOffset !== off ? TM.Updated : TM.Deleted);
const aborted = (xc: XmaxContext, xid: number) => !xc.isCurrent(xid) && !xc.isInProgress(xid) && !xc.didCommit(xid);

function describeTm(tm: TM, item: Item): string {
  const x = item.infomask & HEAP_XMAX_IS_MULTI ? `MultiXact ${item.xmax}` : String(item.xmax);
  switch (tm) {
    case TM.Ok: return 'TM_Ok (free to change)';
    case TM.BeingModified: return `TM_BeingModified (t_xmax ${x} is still in progress)`;
    case TM.Updated: return `TM_Updated (t_xmax ${x} committed an update; newer version at (${item.ctidBlock},${item.ctidOffset}))`;
    case TM.Deleted: return `TM_Deleted (t_xmax ${x} committed a delete)`;
    case TM.SelfModified: return 'TM_SelfModified (already changed by this command)';
    case TM.Invisible: return 'TM_Invisible';
  }
}

/** UpdateXmaxHintBits, after waiting for a plain xmax: committed update → XMAX_COMMITTED, anything else → XMAX_INVALID. */
function updateXmaxHintBits(eng: Engine, item: Item, xid: number): void {
  if (item.infomask & (HEAP_XMAX_COMMITTED | HEAP_XMAX_INVALID)) return;
  if (!isLockedOnly(item.infomask) && eng.xacts.clog.didCommit(xid)) {
    if (eng.xacts.clog.commitHintAllowed(xid, eng.wal.flushedLsn)) item.infomask |= HEAP_XMAX_COMMITTED;
  } else item.infomask |= HEAP_XMAX_INVALID;
}

function trace(env: RowLockEnv, s: Session, t: Table, blk: number, off: number, tm: TM, item: Item, what: string) {
  const tracer = env.eng.tracer;
  if (tracer.wants('epq')) tracer.emit({ kind: 'epq', session: s.name, rel: t.name, blk, off, outcome: tm, text: `${s.name} checks ${formatTid(blk, off)} before ${what} it: ${describeTm(tm, item)}` });
}

/** While it waits, the backend keeps its pin on the row's page: nobody prunes it under the row (see pruneheap.ts). */
function* pinned<T>(s: Session, t: Table, blk: number, body: Gen<T>): Gen<T> {
  const prev = s.pin;
  s.pin = { rel: t.oid, blk };
  try { return yield* body; } finally { s.pin = prev; }
}

/**
 * heap_update / heap_delete up to the change: wait until the version at (blk, off) may be updated (taking `mode`)
 * or deleted, and report what was found. The caller releases the tuple lock after the change.
 */
export function waitForModify(env: RowLockEnv, s: Session, t: Table, blk: number, off: number, mode: TupleLockMode, oper: 'update' | 'delete'): Gen<ModifyCheck> {
  return pinned(s, t, blk, modifyLoop(env, s, t, blk, off, mode, oper));
}

function* modifyLoop(env: RowLockEnv, s: Session, t: Table, blk: number, off: number, mode: TupleLockMode, oper: 'update' | 'delete'): Gen<ModifyCheck> {
  const eng = env.eng;
  // heap_update / heap_delete begin with GetCurrentTransactionId(): the xid exists before any wait for the row
  // (pg_stat_activity shows a waiting UPDATE with its backend_xid: tests/scenarios/autovacuum/lock-wait.spec)
  eng.ensureXid(s);
  const xc = env.heapCtx(s).xmax;
  const tag = { type: 'tuple' as const, rel: t.oid, blk, off };
  const context = `${oper === 'update' ? 'while updating tuple' : 'while deleting tuple'} ${formatTid(blk, off)} in relation "${t.name}"`;
  let tupleLock = false, checked = false, remain = false;
  const lockTuple = function* (): Gen<void> {
    if (tupleLock) return;
    yield* eng.acquireLock(s, tag, TUPLE_HW_LOCK[mode], null, `waiting for the tuple lock on ${formatTid(blk, off)} of ${t.name}`);
    tupleLock = true;
  };
  const result = (tm: TM): ModifyCheck => ({ tm, tupleLock, lockers: { checked, remain } });
  for (;;) {
    const item = t.heap.item(blk, off)!;
    const tm = satisfiesUpdate(item, blk, off, eng.visibilityContext(s));
    trace(env, s, t, blk, off, tm, item, oper === 'update' ? 'updating' : 'deleting');
    if (tm !== TM.BeingModified) return result(tm);
    const xwait = item.xmax, infomask = item.infomask;
    const changed = () => item.xmax !== xwait || xmaxInfomaskChanged(item.infomask, infomask);
    if (infomask & HEAP_XMAX_IS_MULTI) {
      const { conflict, currentIsMember } = doesMultiConflict(xc, xwait, mode);
      if (conflict) {
        // skip the tuple lock when we are a member ourselves: a stronger waiter could be waiting for us
        if (!currentIsMember) yield* lockTuple();
        for (const x of multiWaitList(xc, xwait, mode).wait) yield* eng.waitForXact(s, x, context);
        checked = true;
        remain = multiWaitList(xc, xwait, mode).remain !== 0;
        if (changed()) continue;
      }
      if (oper === 'update') {
        // the MultiXact may still have members (ours, key-share lockers): they go on to the new version
        const updater = isLockedOnly(item.infomask) ? 0 : xc.multis.updateXid(xwait);
        return result(!updater || aborted(xc, updater) ? TM.Ok : updatedOrDeleted(item, blk, off));
      }
    } else if (xc.isCurrent(xwait)) {
      // the only locker is ourselves (this transaction or a parent savepoint): no wait, and our lock stays
      if (oper === 'update') { checked = remain = true; return result(TM.Ok); }
    } else if (oper === 'update' && isKeyShareLocked(infomask) && mode === 'nokeyexclusive') {
      // a key-share locker and an update that keeps the key: no wait, the locker stays
      checked = remain = true;
      return result(TM.Ok);
    } else {
      yield* lockTuple();
      yield* eng.waitForXact(s, xwait, context);
      checked = true;
      if (changed()) continue;
      updateXmaxHintBits(eng, item, xwait);
      if (oper === 'update') return result(item.infomask & HEAP_XMAX_INVALID ? TM.Ok : updatedOrDeleted(item, blk, off));
    }
    // heap_delete: we may overwrite an aborted or lock-only xmax
    const ok = (item.infomask & HEAP_XMAX_INVALID) || isLockedOnly(item.infomask) || isOnlyLocked(xc, item);
    return result(ok ? TM.Ok : updatedOrDeleted(item, blk, off));
  }
}

/** Do we already hold a lock at least as strong as `mode` on this version (so heap_lock_tuple has nothing to do)? */
function alreadyHeld(xc: XmaxContext, item: Item, mode: TupleLockMode): 'held' | 'promote' | 'no' {
  if (item.infomask & HEAP_XMAX_IS_MULTI) {
    let promote = false;
    for (const m of xc.multis.members(item.xmax)) {
      if (!xc.isCurrent(m.xid)) continue;
      if (LOCK_STRENGTH[m.mode] >= LOCK_STRENGTH[mode]) return 'held';
      promote = true;
    }
    return promote ? 'promote' : 'no';
  }
  if (!xc.isCurrent(item.xmax)) return 'no';
  const im = item.infomask;
  switch (mode) {
    case 'keyshare': return 'held';
    case 'share': return isShareLocked(im) || isExclLocked(im) ? 'held' : 'no';
    case 'nokeyexclusive': return isExclLocked(im) ? 'held' : 'no';
    case 'exclusive': return isExclLocked(im) && item.infomask2 & HEAP_KEYS_UPDATED ? 'held' : 'no';
  }
}

/**
 * heap_lock_tuple: lock the version at (blk, off) with `mode`, waiting as the policy says. `followUpdates`
 * (SELECT ... FOR): when the version was updated meanwhile, lock its newer versions too. Returns TM_Ok when
 * the row is locked (now, or already by us), or why not; `skipped` under SKIP LOCKED.
 */
export function lockTuple(
  env: RowLockEnv, s: Session, t: Table, blk: number, off: number, mode: TupleLockMode, policy: WaitPolicy, followUpdates: boolean,
): Gen<{ tm: TM; skipped: boolean }> {
  return pinned(s, t, blk, lockLoop(env, s, t, blk, off, mode, policy, followUpdates));
}

function* lockLoop(
  env: RowLockEnv, s: Session, t: Table, blk: number, off: number, mode: TupleLockMode, policy: WaitPolicy, followUpdates: boolean,
): Gen<{ tm: TM; skipped: boolean }> {
  const eng = env.eng;
  const xc = env.heapCtx(s).xmax;
  const tag = { type: 'tuple' as const, rel: t.oid, blk, off };
  const context = `while locking tuple ${formatTid(blk, off)} in relation "${t.name}"`;
  let tupleLock = false, firstTime = true, skipTupleLock = false;
  const done = (tm: TM, skipped = false) => ({ tm, skipped });
  try {
    for (;;) {
      const item = t.heap.item(blk, off)!;
      let tm = satisfiesUpdate(item, blk, off, eng.visibilityContext(s));
      trace(env, s, t, blk, off, tm, item, 'locking');
      if (tm === TM.BeingModified || tm === TM.Updated || tm === TM.Deleted) {
        // t_ctid is captured with xmax: after a wait it may lead somewhere else (a later update of the row by the
        // one we waited behind), and heap_lock_updated_tuple follows the link as it was when we looked
        const xwait = item.xmax, infomask = item.infomask, infomask2 = item.infomask2;
        const ctid = { blk: item.ctidBlock, off: item.ctidOffset };
        const multi = (infomask & HEAP_XMAX_IS_MULTI) !== 0;
        const changed = () => item.xmax !== xwait || xmaxInfomaskChanged(item.infomask, infomask);
        if (firstTime) {
          firstTime = false;
          const held = alreadyHeld(xc, item, mode);
          if (held === 'held') return done(TM.Ok);
          // promoting a weaker lock of ours: no tuple lock, or we could deadlock with a waiter who holds it
          if (held === 'promote') skipTupleLock = true;
        }
        let requireSleep = true;
        if (mode === 'keyshare') {
          // only a key change (a DELETE, a key UPDATE) or FOR UPDATE — all set HEAP_KEYS_UPDATED — conflicts
          if (!(infomask2 & HEAP_KEYS_UPDATED)) {
            // an update that kept the key does not conflict; but its newer versions get our lock too
            if (followUpdates && !isLockedOnly(infomask)) {
              const r = yield* lockUpdatedChain(env, s, t, ctid, blk, off, mode);
              if (r !== TM.Ok) return done(r);
            }
            if (changed()) continue;
            requireSleep = false;
          }
        } else if (mode === 'share') {
          if (isLockedOnly(infomask) && !isExclLocked(infomask)) requireSleep = false;
        } else if (mode === 'nokeyexclusive') {
          if (multi) { if (!doesMultiConflict(xc, xwait, mode).conflict) requireSleep = false; } else if (isKeyShareLocked(infomask)) requireSleep = false;
        }
        // the only locker is ourselves: whatever its strength, no wait (the lock is recorded below)
        if (requireSleep && !multi && xc.isCurrent(xwait)) requireSleep = false;
        // a committed update or delete in the way: waiting cannot help
        if (requireSleep && (tm === TM.Updated || tm === TM.Deleted)) return done(tm);
        if (requireSleep) {
          const wait = multi ? multiWaitList(xc, xwait, mode).wait : [xwait];
          if (policy !== 'block' && wait.some((x) => xc.isInProgress(x))) {
            if (policy === 'skip') return done(tm, true);
            throw rowBusy(t);
          }
          if (!skipTupleLock && !tupleLock) {
            yield* eng.acquireLock(s, tag, TUPLE_HW_LOCK[mode], null, `waiting for the tuple lock on ${formatTid(blk, off)} of ${t.name}`);
            tupleLock = true;
          }
          for (const x of wait) yield* eng.waitForXact(s, x, context);
          if (followUpdates && !isLockedOnly(infomask)) {
            const r = yield* lockUpdatedChain(env, s, t, ctid, blk, off, mode);
            if (r !== TM.Ok) return done(r);
          }
          if (changed()) continue;
          if (!multi) updateXmaxHintBits(eng, item, xwait);
        }
        // we may lock if the earlier xmax aborted or only locked, or if nothing made us wait
        tm = !requireSleep || item.infomask & HEAP_XMAX_INVALID || isLockedOnly(item.infomask) || isOnlyLocked(xc, item)
          ? TM.Ok : updatedOrDeleted(item, blk, off);
      }
      if (tm !== TM.Ok) return done(tm);
      eng.ensureXid(s);
      heapLockTuple(env.heapCtx(s), t, blk, off, mode);
      return done(TM.Ok);
    }
  } finally {
    if (tupleLock) eng.releaseLock(s, tag, TUPLE_HW_LOCK[mode]);
  }
}

/**
 * heap_lock_updated_tuple_rec: after locking a version that was updated, lock each newer version of the row as
 * well, waiting for a conflicting holder. TM_Updated/TM_Deleted when a committed change conflicts with our lock.
 */
function* lockUpdatedChain(
  env: RowLockEnv, s: Session, t: Table, ctid: { blk: number; off: number }, fromBlk: number, fromOff: number, mode: TupleLockMode,
): Gen<TM> {
  if (ctid.blk === fromBlk && ctid.off === fromOff) return TM.Ok; // not updated (a delete links to itself)
  const eng = env.eng;
  const xc = env.heapCtx(s).xmax;
  let blk = ctid.blk, off = ctid.off, priorXmax = 0;
  for (;;) {
    const item = t.heap.item(blk, off);
    // vacuumed away after its creator aborted, or a reused slot: the end of the chain
    if (!item || item.lpFlags !== LpFlags.NORMAL) return TM.Ok;
    if (priorXmax && item.xmin !== priorXmax) return TM.Ok;
    if (aborted(xc, item.xmin)) return TM.Ok;
    let mine = false, waited = false;
    if (!(item.infomask & HEAP_XMAX_INVALID)) {
      for (const m of xmaxMembers(xc, item)) {
        const r = testLockmodeForConflict(xc, m, mode);
        if (r === 'self') { mine = true; break; }
        if (r === 'wait') {
          yield* pinned(s, t, blk, eng.waitForXact(s, m.xid, `while locking updated version ${formatTid(blk, off)} in relation "${t.name}"`));
          waited = true;
          break;
        }
        if (r === 'conflict') return updatedOrDeleted(item, blk, off);
      }
    }
    if (waited) continue;
    if (!mine) {
      eng.ensureXid(s);
      heapLockUpdated(env.heapCtx(s), t, blk, off, mode);
    }
    if (item.infomask & HEAP_XMAX_INVALID || (item.ctidBlock === blk && item.ctidOffset === off) || isOnlyLocked(xc, item)) return TM.Ok;
    priorXmax = updateXidOf(item, xc.multis);
    blk = item.ctidBlock; off = item.ctidOffset;
  }
}

/**
 * READ COMMITTED's EvalPlanQual fetch (heapam_tuple_lock with TUPLE_LOCK_FLAG_FIND_LAST_VERSION): from a version
 * another transaction replaced, follow t_ctid to the newest version of the row and lock it. A link is trusted
 * only if the version it reaches was created by the transaction that replaced the one before (t_xmin = prior
 * updater): VACUUM may have freed the line pointer and an INSERT reused it for an unrelated row. Returns the
 * locked newest version, or null when the row is gone (deleted, the chain broken, or changed by our own command).
 * The chain reaching a version our own command created is TM_SelfModified in heapam_tuple_lock: UPDATE / DELETE
 * ignore it (null), MERGE passes `selfModified`, told that version's cmin, to raise its error instead.
 */
export function* lockLatest(
  env: RowLockEnv, s: Session, t: Table, replaced: Item, mode: TupleLockMode, policy: WaitPolicy, followUpdates: boolean,
  selfModified?: (cmin: number) => void,
): Gen<RowVersion | null> {
  const eng = env.eng;
  const xc = env.heapCtx(s).xmax;
  if (movedPartitions(replaced)) throw movedError();
  let blk = replaced.ctidBlock, off = replaced.ctidOffset, priorXmax = updateXidOf(replaced, xc.multis);
  const tracer = eng.tracer;
  const gone = (why: string) => {
    if (tracer.wants('epq')) tracer.emit({ kind: 'epq', session: s.name, rel: t.name, blk, off, text: `EvalPlanQual: ${why} — the row is gone, nothing to do` });
    return null;
  };
  for (;;) {
    if (tracer.wants('epq')) tracer.emit({ kind: 'epq', session: s.name, rel: t.name, blk, off, text: `EvalPlanQual: following t_ctid to ${formatTid(blk, off)} (its t_xmin must be ${priorXmax})` });
    const item = t.heap.item(blk, off);
    if (!item || item.lpFlags !== LpFlags.NORMAL) return gone(`${formatTid(blk, off)} holds no tuple any more`);
    if (item.xmin !== priorXmax) return gone(`${formatTid(blk, off)} has t_xmin ${item.xmin}, not ${priorXmax}: its line pointer was reused for another row`);
    const vctx = eng.visibilityContext(s);
    const d = satisfiesDirty(item, vctx);
    if (!d.visible) {
      // dead even to a dirty snapshot: a committed transaction (or we) replaced or deleted this version too
      if (item.ctidBlock === blk && item.ctidOffset === off) return gone(`${formatTid(blk, off)} was deleted`);
      if (movedPartitions(item)) throw movedError();
      priorXmax = updateXidOf(item, xc.multis); blk = item.ctidBlock; off = item.ctidOffset;
      continue;
    }
    if (d.waitXmax) {
      if (policy === 'skip') return null;
      if (policy === 'error') throw rowBusy(t);
      yield* pinned(s, t, blk, eng.waitForXact(s, d.waitXmax, `while rechecking updated tuple ${formatTid(blk, off)} in relation "${t.name}"`));
      continue;
    }
    if (xc.isCurrent(priorXmax) && getCmin(item, vctx) >= vctx.curcid && selfModified) selfModified(getCmin(item, vctx));
    if (xc.isCurrent(priorXmax) && getCmin(item, vctx) >= vctx.curcid) return gone(`${formatTid(blk, off)} was created by this very command`);
    const { tm, skipped } = yield* lockTuple(env, s, t, blk, off, mode, policy, followUpdates);
    if (skipped) return null;
    if (tm === TM.Ok) return { vals: heapGetattrs(t, item.values), item, blk, off, aggs: null };
    if (tm !== TM.Updated) return gone(`${formatTid(blk, off)}: ${tm}`);
    if (movedPartitions(item)) throw movedError();
    priorXmax = updateXidOf(item, xc.multis); blk = item.ctidBlock; off = item.ctidOffset;
  }
}
