/**
 * Waiting for locks: a backend asks the lock manager (lock/lock.ts), and if the lock is not granted it sleeps until
 * it is, arming a deadlock_timeout. When the timer fires it runs the deadlock check once: if it is part of a cycle
 * in the wait-for graph (lock/deadlock.ts) it aborts itself with 40P01 and PostgreSQL's DETAIL, else it goes on
 * waiting without checking again.
 *
 * Waiting for a transaction to end is waiting for a ShareLock on its xid (each transaction holds ExclusiveLock on
 * its own xid until it ends): XactLockTableWait. A released savepoint's xid lock is gone while the xid is still
 * in progress: then the wait moves to the top-level transaction.
 *
 * The trace narrates the check as separate moments, so the player can stop at each with the lock table as it was:
 * the cycle found (every waiter still waits), the victim chosen (the finder: its wait is cancelled, it raises 40P01),
 * its abort, its locks released at transaction end (LockReleaseAll, the waiter's request granted in the lock table),
 * and the waiter running on ("acquired").
 *
 * Mirrors: src/backend/storage/lmgr/proc.c (ProcSleep, ProcWakeup, CheckDeadLock), lmgr.c (XactLockTableWait),
 * lock.c (LockReleaseAll, ProcLockWakeup).
 * Simplifications: the deadlock check never rearranges wait queues (soft deadlocks abort instead); a woken waiter
 * runs in the caller's call, in the order the locks were granted.
 */
import type { Engine } from '../engine.js';
import { DATABASE_OID } from '../catalog/catalog.js';
import { CrashSignal } from '../checkpoint/checkpointer.js';
import { PgError, setPositionText } from '../errors.js';
import { findCycle } from '../lock/deadlock.js';
import { LOCK_MODES, LockMode, type LockTag, describeTag } from '../lock/lock.js';
import { type Session, type StepYield, formatMs } from '../session/session.js';
import { setCurrentLiterals } from '../sql/parser.js';
import { report, toPgError } from '../tcop/dispatch.js';

/** Called by the lock manager path when waits were granted. */
export function wake(eng: Engine, owners: number[]) {
  for (const o of owners) {
    const s = eng.sessions[o];
    if (s?.waiting) {
      eng.clock.disarm(o, 'deadlock');
      if (!eng.runnable.includes(o)) eng.runnable.push(o);
    }
  }
}

export function fireTimer(eng: Engine, sessionId: number) {
  const s = eng.sessions[sessionId]!;
  if (!s.waiting || !s.running) return;
  const cycle = findCycle(eng.locks, s.id);
  if (!cycle) {
    if (eng.tracer.wants('deadlock')) eng.tracer.emit({ kind: 'deadlock', session: s.name, outcome: 'no-cycle', text: `${s.name}: deadlock_timeout (${formatMs(s.gucs.deadlock_timeout)}) elapsed — checked the wait-for graph, no cycle; it keeps waiting and will not check again` });
    return;
  }
  const lines: string[] = [];
  const edges: string[] = [];
  for (let i = 0; i < cycle.length; i++) {
    const a = eng.sessions[cycle[i]!]!, b = eng.sessions[cycle[(i + 1) % cycle.length]!]!;
    const w = eng.locks.waitOf(a.id)!;
    lines.push(`Process ${a.pid} waits for ${LOCK_MODES[w.mode]} on ${describeTag(w.tag, DATABASE_OID)}; blocked by process ${b.pid}.`);
    edges.push(`${a.name} waits for ${LOCK_MODES[w.mode]} on ${lockName(eng, w.tag)} held by ${b.name}`);
  }
  const err = new PgError('40P01', 'deadlock detected', {
    detail: lines.join('\n'), hint: 'See server log for query details.',
    ...(s.waiting.context ? { context: s.waiting.context } : {}),
  });
  // the check as separate moments (DeadLockCheck finds the cycle; CheckDeadLock makes the finder the victim;
  // its abort releases its locks; the lock manager grants the waiter): each its own event the player stops at
  if (eng.tracer.wants('deadlock')) eng.tracer.emit({ kind: 'deadlock', session: s.name, outcome: 'cycle', text: `${s.name}: deadlock_timeout (${formatMs(s.gucs.deadlock_timeout)}) elapsed — the deadlock check walks the wait-for graph and finds the cycle ${cycle.map((c) => eng.sessions[c]!.name).join(' → ')} → ${s.name}: ${edges.join('; ')}` });
  if (eng.tracer.wants('deadlock')) eng.tracer.emit({ kind: 'deadlock', session: s.name, outcome: 'victim', ...(s.tx?.xid ? { xid: s.tx.xid } : {}), text: `${s.name} is the victim: the backend whose check found the cycle aborts itself (PostgreSQL does not pick the younger or cheaper one) — ERROR: deadlock detected (40P01); its wait is cancelled` });
  s.lastAbortReason = 'deadlock';
  eng.locks.cancelWait(s.id);
  s.waiting = null;
  const gen = s.running;
  let r: IteratorResult<StepYield, void>;
  try {
    setCurrentLiterals(s.literals);
    setPositionText(s.currentQuery);
    r = gen.throw(err);
  } catch (e) {
    if (e instanceof CrashSignal) throw e;
    // the generator did not handle it (should not happen): report as error
    s.acc.error = toPgError(eng, e).toMessage();
    r = { done: true, value: undefined };
  }
  if (r.done) {
    s.running = null;
    eng.finished.push(report(eng, s, s.acc.error ? 'error' : 'done'));
  }
}

/** Acquire a heavyweight lock, parking the statement while it waits. */
export function* acquireLock(eng: Engine, s: Session, tag: LockTag, mode: LockMode, context: string | null = null, reason = ''): Generator<StepYield, void, void> {
  const r = eng.locks.acquire(s.id, tag, mode, eng.clock.now);
  const sub = s.tx?.subs[s.tx.subs.length - 1];
  if (sub) sub.locks.push({ tag, mode });
  if (r === 'granted') return;
  const what = `${LOCK_MODES[mode]} on ${describeTag(tag, DATABASE_OID)}`;
  const holders = eng.locks.blockers(s.id).map((o) => eng.sessions[o]!.name);
  s.waiting = { tag, mode, since: eng.clock.now, context, reason: reason || `waiting for ${what}${holders.length ? ` held by ${holders.join(', ')}` : ''}` };
  eng.clock.arm(s.gucs.deadlock_timeout, 'deadlock', s.id);
  if (eng.tracer.wants('wait')) eng.tracer.emit({ kind: 'wait', session: s.name, text: `${s.name} waits for ${what}${holders.length ? ` (held by ${holders.join(', ')})` : ''}; deadlock check armed for t=${eng.clock.now + s.gucs.deadlock_timeout} ms` });
  yield { kind: 'wait' };
  s.waiting = null;
  if (eng.tracer.wants('granted')) eng.tracer.emit({ kind: 'granted', session: s.name, text: `${s.name} acquired ${what}` });
}

/** A lock object in a trace line: relations by name. */
function lockName(eng: Engine, t: LockTag): string {
  if (t.type === 'relation') return `relation ${eng.catalog.byOid(t.rel)?.name ?? t.rel}`;
  if (t.type === 'tuple') return `tuple (${t.blk},${t.off}) of ${eng.catalog.byOid(t.rel)?.name ?? t.rel}`;
  return describeTag(t, DATABASE_OID);
}

/**
 * LockReleaseAll at transaction end, then ProcLockWakeup: every lock the session holds goes, and the waiters whose
 * requests no longer conflict are granted. When that wakes someone, one trace event says which locks went and
 * whose waits were granted (the woken session's own "acquired" event follows when it runs on).
 */
export function releaseAllLocks(eng: Engine, s: Session) {
  const narrate = eng.tracer.enabled;
  const held = narrate ? eng.locks.heldBy(s.id) : [];
  const woken = eng.locks.releaseAll(s.id);
  if (woken.length && narrate && eng.tracer.wants('lock')) {
    const locks = held.flatMap((h) => h.modes.map((m) => `${LOCK_MODES[m]} on ${lockName(eng, h.tag)}`));
    const shown = locks.slice(0, 5).join(', ') + (locks.length > 5 ? ` and ${locks.length - 5} more` : '');
    const granted = woken.map((o) => { const w = eng.sessions[o]; return w?.waiting ? `${w.name}'s ${LOCK_MODES[w.waiting.mode]} on ${lockName(eng, w.waiting.tag)}` : `${w?.name ?? o}'s request`; });
    eng.tracer.emit({ kind: 'lock', session: s.name, outcome: 'released',
      text: `${s.name}'s transaction is over: it releases its ${locks.length} lock${locks.length === 1 ? '' : 's'} (${shown}); the lock manager grants ${granted.join(' and ')} — ${woken.map((o) => eng.sessions[o]?.name ?? o).join(' and ')} will wake` });
  }
  wake(eng, woken);
}

export function releaseLock(eng: Engine, s: Session, tag: LockTag, mode: LockMode) {
  wake(eng, eng.locks.release(s.id, tag, mode));
}

/** XactLockTableWait: wait until a transaction ends (ShareLock on its xid, released at once). */
export function* waitForXact(eng: Engine, s: Session, xid: number, context: string): Generator<StepYield, void, void> {
  for (;;) {
    const holder = eng.xacts.running.get(xid);
    const hs = holder !== undefined ? eng.sessions[holder]!.name : '?';
    yield* acquireLock(eng, s, { type: 'transactionid', xid }, LockMode.Share, context,
      `waiting for ShareLock on transaction ${xid} (${hs}'s transaction) — ${context}`);
    releaseLock(eng, s, { type: 'transactionid', xid }, LockMode.Share);
    // a released savepoint's xid lock is gone while the xid is still in progress: wait for its top level
    const still = eng.xacts.running.get(xid);
    if (still === undefined) return;
    const top = eng.sessions[still]?.tx?.xid;
    if (!top || top === xid) return;
    xid = top;
  }
}
