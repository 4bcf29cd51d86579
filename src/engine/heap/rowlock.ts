/**
 * Row-lock strengths (LockTupleMode) and how a tuple header records them.
 *
 * A row lock is not kept in a lock table: it is written into the tuple itself, as t_xmax = the locker with
 * HEAP_XMAX_LOCK_ONLY and lock-strength bits. There are four strengths, weakest first:
 *
 *     FOR KEY SHARE      keyshare        HEAP_XMAX_KEYSHR_LOCK
 *     FOR SHARE          share           HEAP_XMAX_SHR_LOCK (= KEYSHR | EXCL)
 *     FOR NO KEY UPDATE  nokeyexclusive  HEAP_XMAX_EXCL_LOCK          (also what an UPDATE that keeps the key takes)
 *     FOR UPDATE         exclusive       HEAP_XMAX_EXCL_LOCK + HEAP_KEYS_UPDATED (a DELETE, or an UPDATE of a key)
 *
 * Two strengths conflict as the table below says; FOR KEY SHARE only conflicts with FOR UPDATE, which is why a
 * foreign-key check (FOR KEY SHARE on the referenced row) does not block an UPDATE that leaves the key alone.
 *
 * Mirrors: src/backend/access/heap/heapam.c (tupleLockExtraInfo, the LockTupleMode conflict table via
 * DoLockModesConflict), src/include/access/htup_details.h (HEAP_XMAX_IS_LOCKED_ONLY, the lock bits).
 * Simplification: no pg_upgrade'd "LOCK_ONLY without strength bits" tuples.
 */
import {
  type Item, HEAP_LOCK_MASK, HEAP_XMAX_SHR_LOCK, HEAP_XMAX_KEYSHR_LOCK, HEAP_XMAX_EXCL_LOCK, HEAP_KEYS_UPDATED,
  HEAP_XMAX_LOCK_ONLY, HEAP_XMAX_IS_MULTI,
} from './tuple.js';

export type TupleLockMode = 'keyshare' | 'share' | 'nokeyexclusive' | 'exclusive';

export const TUPLE_LOCK_BITS: Record<TupleLockMode, number> = {
  keyshare: HEAP_XMAX_KEYSHR_LOCK, share: HEAP_XMAX_SHR_LOCK, nokeyexclusive: HEAP_XMAX_EXCL_LOCK, exclusive: HEAP_XMAX_EXCL_LOCK,
};
export const LOCK_STRENGTH: Record<TupleLockMode, number> = { keyshare: 0, share: 1, nokeyexclusive: 2, exclusive: 3 };
export const LOCK_MODES: readonly TupleLockMode[] = ['keyshare', 'share', 'nokeyexclusive', 'exclusive'];

const CONFLICTS = [
  [false, false, false, true],
  [false, false, true, true],
  [false, true, true, true],
  [true, true, true, true],
];
/** Do two row-lock strengths conflict? */
export function tupleLocksConflict(a: TupleLockMode, b: TupleLockMode): boolean {
  return CONFLICTS[LOCK_STRENGTH[a]]![LOCK_STRENGTH[b]]!;
}
export const strongerOf = (a: TupleLockMode, b: TupleLockMode): TupleLockMode => (LOCK_STRENGTH[a] >= LOCK_STRENGTH[b] ? a : b);

/** The strength recorded in an xmax's bits (a lock-only xmax, or a MultiXact's strongest member). */
export function lockModeOfBits(infomask: number, infomask2: number): TupleLockMode {
  const bits = infomask & HEAP_LOCK_MASK;
  if (bits === HEAP_XMAX_SHR_LOCK) return 'share';
  if (bits === HEAP_XMAX_KEYSHR_LOCK) return 'keyshare';
  return infomask2 & HEAP_KEYS_UPDATED ? 'exclusive' : 'nokeyexclusive';
}
/** The strength of the row lock recorded in a lock-only xmax. */
export const lockModeOfItem = (item: Item): TupleLockMode => lockModeOfBits(item.infomask, item.infomask2);

/** HEAP_XMAX_IS_LOCKED_ONLY: is xmax only a row lock (no update or delete)? */
export const isLockedOnly = (infomask: number): boolean => (infomask & HEAP_XMAX_LOCK_ONLY) !== 0;
/** HEAP_XMAX_IS_KEYSHR_LOCKED / _SHR_ / _EXCL_ */
export const isKeyShareLocked = (infomask: number): boolean => (infomask & HEAP_LOCK_MASK) === HEAP_XMAX_KEYSHR_LOCK;
export const isShareLocked = (infomask: number): boolean => (infomask & HEAP_LOCK_MASK) === HEAP_XMAX_SHR_LOCK;
export const isExclLocked = (infomask: number): boolean => (infomask & HEAP_LOCK_MASK) === HEAP_XMAX_EXCL_LOCK;

/** xmax_infomask_changed: did someone else change the tuple's xmax meanwhile (heap_update's "start over")? */
export function xmaxInfomaskChanged(now: number, before: number): boolean {
  const interesting = HEAP_XMAX_IS_MULTI | HEAP_XMAX_LOCK_ONLY | HEAP_LOCK_MASK;
  return (now & interesting) !== (before & interesting);
}
