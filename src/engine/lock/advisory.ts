/**
 * Advisory locks: heavyweight locks on a number the application chooses, for its own coordination ("only one
 * worker runs job 42"). The database attaches no meaning to them; they wait, queue, show in pg_locks and take part
 * in deadlock detection exactly like the locks PostgreSQL takes itself.
 *
 *   - a key is one bigint, or two ints; pg_locks shows it as classid / objid / objsubid: the bigint's high and low
 *     32 bits with objsubid 1, or the two ints (as unsigned oids) with objsubid 2;
 *   - pg_advisory_lock(k) holds the lock at *session* level: it survives COMMIT and ROLLBACK until
 *     pg_advisory_unlock(k) (once per time it was taken) or pg_advisory_unlock_all(); pg_advisory_xact_lock(k)
 *     holds it until the transaction (or the subtransaction it was taken in, on ROLLBACK TO) ends, and cannot be
 *     unlocked by hand;
 *   - the _shared variants take ShareLock instead of ExclusiveLock; pg_try_ variants never wait: they answer false;
 *   - unlocking a lock not held at session level warns "you don't own a lock of type ExclusiveLock" and answers false.
 *
 *     s1: SELECT pg_advisory_lock(1);                 -- pg_locks: advisory 0/1/1 ExclusiveLock granted (s1)
 *     s2: SELECT pg_advisory_lock(1);                 -- waits: advisory 0/1/1 ExclusiveLock not granted (s2)
 *     s1: SELECT pg_advisory_unlock(1);               -- t, and s2's call completes
 *
 * A call that must wait is made inside an expression (SELECT pg_advisory_lock(1) …, WHERE pg_advisory_lock(0) IS NOT
 * NULL); the engine's expressions are plain functions, so the call throws an ExprWait that the executor catches
 * where it evaluates the expression (executor/exprwait.ts), waits there and evaluates the row again, replaying
 * the calls already made.
 *
 * Mirrors: src/backend/utils/adt/lockfuncs.c (pg_advisory_lock_int8 & co., SET_LOCKTAG_INT64 / SET_LOCKTAG_INT32),
 * storage/lmgr/lock.c (LockAcquire with sessionLock, LockRelease, LockReleaseSession). Simplifications: the
 * USER_LOCKMETHOD and DEFAULT_LOCKMETHOD share one lock table (their tags never collide).
 */
import type { Engine } from '../engine.js';
import type { Session, StepYield } from '../session/session.js';
import { LOCK_MODES, LockMode, type LockTag } from './lock.js';
import { acquireLock, wake } from './proc.js';
import { ExprWait } from '../executor/exprwait.js';

/** SET_LOCKTAG_INT64 (one bigint key) or SET_LOCKTAG_INT32 (two int4 keys). */
export function advisoryTag(keys: (number | bigint)[]): LockTag {
  if (keys.length === 1) {
    const k = BigInt.asUintN(64, BigInt(keys[0]!));
    return { type: 'advisory', classid: Number(k >> 32n), objid: Number(k & 0xffffffffn), objsubid: 1 };
  }
  return { type: 'advisory', classid: Number(keys[0]!) >>> 0, objid: Number(keys[1]!) >>> 0, objsubid: 2 };
}

export interface AdvisoryCall {
  op: 'lock' | 'try' | 'unlock';
  shared: boolean;
  /** transaction level (pg_advisory_xact_lock): released at transaction end */
  xact: boolean;
  keys: (number | bigint)[];
}

/** The value of type void (pg_advisory_lock's result): not NULL, printed as an empty string. */
export const VOID = '';

/** pg_advisory_lock & co.: VOID for lock, a boolean for try / unlock. Throws ExprWait when it must wait. */
export function advisory(eng: Engine, s: Session, c: AdvisoryCall): boolean | typeof VOID {
  const tag = advisoryTag(c.keys);
  const mode = c.shared ? LockMode.Share : LockMode.Exclusive;
  if (c.op === 'unlock') {
    const woken = eng.locks.releaseHold(s.id, tag, mode, true);
    if (!woken) {
      s.acc.notices.push({ severity: 'WARNING', sqlstate: '01000', message: `you don't own a lock of type ${LOCK_MODES[mode]}` });
      return false;
    }
    wake(eng, woken);
    return true;
  }
  const r = eng.locks.acquire(s.id, tag, mode, eng.clock.now, { wait: false, session: !c.xact });
  if (r === 'granted') {
    if (c.xact) s.tx?.subs[s.tx.subs.length - 1]?.locks.push({ tag, mode });
    return c.op === 'try' ? true : VOID;
  }
  if (c.op === 'try') return false;
  const name = `pg_advisory${c.xact ? '_xact' : ''}_lock${c.shared ? '_shared' : ''}()`;
  throw new ExprWait(name, VOID, () => waitAdvisory(eng, s, tag, mode, !c.xact));
}

function* waitAdvisory(eng: Engine, s: Session, tag: LockTag, mode: LockMode, session: boolean): Generator<StepYield, void, void> {
  yield* acquireLock(eng, s, tag, mode, null, '', { session });
}

/** pg_advisory_unlock_all(): LockReleaseSession — every session-level advisory lock, all the times it was taken. */
export function advisoryUnlockAll(eng: Engine, s: Session): typeof VOID {
  for (const l of eng.locks.sessionLocks(s.id)) {
    for (let i = 0; i < l.count; i++) {
      const w = eng.locks.releaseHold(s.id, l.tag, l.mode, true);
      if (w) wake(eng, w);
    }
  }
  return VOID;
}
