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
 * The trace narrates a hard deadlock as separate moments, so the player can stop at each with the lock table as it
 * was: the cycle found (every waiter still waits), the victim chosen (the finder: its wait is cancelled, it raises
 * 40P01), its abort, its locks released at transaction end (LockReleaseAll, the waiter's request granted in the lock
 * table), and the waiter running on ("acquired").
 *
 * Mirrors: src/backend/storage/lmgr/proc.c (ProcSleep, ProcWakeup, CheckDeadLock), lmgr.c (XactLockTableWait),
 * lock.c (LockReleaseAll, ProcLockWakeup).
 * The check (deadlock.ts, DeadLockCheck) can also find a soft deadlock — a cycle through waiters queued ahead — and
 * resolve it by rearranging wait queues; then whoever can go is woken and nobody is aborted. A request whose
 * waiter ahead needs what it holds while holding what it wants fails at once (ProcSleep's early deadlock). While
 * waiting, lock_timeout may fire first (55P03), or statement_timeout (57014, tcop/interrupts.ts).
 *
 * Simplifications: a woken waiter runs in the caller's call, in the order the locks were granted.
 */
import type { Engine } from '../engine.js';
import { DATABASE_OID } from '../catalog/catalog.js';
import { CrashSignal } from '../checkpoint/checkpointer.js';
import { PgError, setPositionText } from '../errors.js';
import { type DeadlockInfo, deadLockCheck } from '../lock/deadlock.js';
import { LOCK_MODES, LockMode, type LockTag, describeTag } from '../lock/lock.js';
import { type Session, type StepYield, formatMs } from '../session/session.js';
import { setCurrentLiterals } from '../sql/parser.js';
import { logAccessExclusiveLock } from '../wal/standby.js';
import { report, toPgError } from '../tcop/dispatch.js';

/** Called by the lock manager path when waits were granted. */
export function wake(eng: Engine, owners: number[]) {
  for (const o of owners) {
    const s = eng.sessions[o];
    if (s?.waiting) {
      disarmWaitTimers(eng, s);
      if (!eng.runnable.includes(o)) eng.runnable.push(o);
    }
  }
}

/** DeadLockReport's DETAIL: one line per edge of the cycle. */
export function deadlockDetail(eng: Engine, cycle: DeadlockInfo[]): string {
  return cycle.map((d, i) => {
    const next = eng.sessions[cycle[(i + 1) % cycle.length]!.owner]!;
    return `Process ${eng.sessions[d.owner]!.pid} waits for ${LOCK_MODES[d.mode]} on ${describeTag(d.tag, DATABASE_OID)}; blocked by process ${next.pid}.`;
  }).join('\n');
}

export function fireTimer(eng: Engine, sessionId: number) {
  const s = eng.sessions[sessionId]!;
  if (!s.waiting || !s.running) return;
  const result = deadLockCheck(eng.locks, s.id);
  if (result.kind === 'soft') {
    const woken: number[] = [];
    for (const o of result.orders) woken.push(...eng.locks.setQueue(o.key, o.order));
    if (eng.tracer.wants('deadlock')) eng.tracer.emit({ kind: 'deadlock', session: s.name, outcome: 'soft', text: `${s.name}: deadlock_timeout elapsed — a soft deadlock (a cycle through waiters queued ahead): the wait queue${result.orders.length > 1 ? 's are' : ' is'} rearranged (${result.orders.map((o) => `${describeTag(eng.locks.lockState(o.key)?.tag ?? s.waiting!.tag, DATABASE_OID)}: ${o.order.map((x) => eng.sessions[x]!.name).join(', ')}`).join('; ')}) instead of aborting anyone` });
    wake(eng, woken);
    return;
  }
  if (result.kind === 'none') {
    if (eng.tracer.wants('deadlock')) eng.tracer.emit({ kind: 'deadlock', session: s.name, outcome: 'no-cycle', text: `${s.name}: deadlock_timeout (${formatMs(s.gucs.deadlock_timeout)}) elapsed — checked the wait-for graph, no cycle; it keeps waiting and will not check again` });
    return;
  }
  const cycle = result.cycle.map((d) => d.owner);
  const edges = result.cycle.map((d, i) => `${eng.sessions[d.owner]!.name} waits for ${LOCK_MODES[d.mode]} on ${lockName(eng, d.tag)} held by ${eng.sessions[result.cycle[(i + 1) % result.cycle.length]!.owner]!.name}`);
  s.pgstat.deadlocks++; s.pgstat.dirty = true; // pgstat_report_deadlock: pending until the victim's next flush
  const err = new PgError('40P01', 'deadlock detected', {
    detail: deadlockDetail(eng, result.cycle), hint: 'See server log for query details.',
    ...(s.waiting.context ? { context: s.waiting.context } : {}),
  });
  // the check as separate moments (DeadLockCheck finds the cycle; CheckDeadLock makes the finder the victim;
  // its abort releases its locks; the lock manager grants the waiter): each its own event the player stops at
  if (eng.tracer.wants('deadlock')) eng.tracer.emit({ kind: 'deadlock', session: s.name, outcome: 'cycle', text: `${s.name}: deadlock_timeout (${formatMs(s.gucs.deadlock_timeout)}) elapsed — the deadlock check walks the wait-for graph and finds the cycle ${cycle.map((c) => eng.sessions[c]!.name).join(' → ')} → ${s.name}: ${edges.join('; ')}` });
  if (eng.tracer.wants('deadlock')) eng.tracer.emit({ kind: 'deadlock', session: s.name, outcome: 'victim', ...(s.tx?.xid ? { xid: s.tx.xid } : {}), text: `${s.name} is the victim: the backend whose check found the cycle aborts itself (PostgreSQL does not pick the younger or cheaper one) — ERROR: deadlock detected (40P01); its wait is cancelled` });
  s.lastAbortReason = 'deadlock';
  interruptWait(eng, s, err);
}

/** End a session's lock wait with an error thrown into its statement (deadlock victim, lock / statement timeout, cancel). */
export function interruptWait(eng: Engine, s: Session, err: PgError) {
  if (s.waiting) {
    wake(eng, eng.locks.cancelWait(s.id));
    s.waiting = null;
  }
  disarmWaitTimers(eng, s);
  const gen = s.running!;
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

/** The timers a lock wait arms (deadlock_timeout's check, lock_timeout). */
export function disarmWaitTimers(eng: Engine, s: Session) {
  eng.clock.disarm(s.id, 'deadlock');
  eng.clock.disarm(s.id, 'lock_timeout');
}

/**
 * A lock that cannot conflict (an object this transaction just made or already holds exclusively) taken without a
 * wait: granted at once and, as every lock, released by ROLLBACK TO a savepoint taken before it (the resource owner
 * of the subtransaction that took it).
 */
export function grantLock(eng: Engine, s: Session, tag: LockTag, mode: LockMode): ReturnType<Engine['locks']['acquire']> {
  const r = eng.locks.acquire(s.id, tag, mode, eng.clock.now);
  const sub = s.tx?.subs[s.tx.subs.length - 1];
  if (r === 'granted' && sub) sub.locks.push({ tag, mode });
  return r;
}

/**
 * Acquire a heavyweight lock, parking the statement while it waits. `session`: a session-level hold (advisory
 * locks), not released at transaction end; `nowait`: fail with 55P03 instead of waiting (LOCK TABLE ... NOWAIT).
 */
export function* acquireLock(eng: Engine, s: Session, tag: LockTag, mode: LockMode, context: string | null = null, reason = '', opts: { session?: boolean; nowait?: boolean } = {}): Generator<StepYield, void, void> {
  // LockAcquireExtended: an AccessExclusiveLock on a relation not yet held in that mode is WAL-logged for standbys
  // once granted, and the transaction gets its xid first (LogAccessExclusiveLockPrepare; wal/standby.ts)
  const logRel = tag.type === 'relation' && mode === LockMode.AccessExclusive && !opts.session && !eng.locks.holds(s.id, tag, mode) ? tag.rel : 0;
  if (logRel) eng.ensureXid(s);
  const r = eng.locks.acquire(s.id, tag, mode, eng.clock.now, { session: !!opts.session, wait: !opts.nowait });
  if (r === 'not-available') throw new PgError('55P03', `could not obtain lock on ${describeObject(eng, tag)}`);
  if (typeof r === 'object') {
    // ProcSleep's early deadlock: the waiter ahead needs what we hold and holds what we want (RememberSimpleDeadLock)
    const other = eng.sessions[r.deadlock]!;
    const theirs = eng.locks.waitOf(other.id)!;
    const detail = deadlockDetail(eng, [{ owner: s.id, tag, mode }, { owner: other.id, tag: theirs.tag, mode: theirs.mode }]);
    if (eng.tracer.wants('deadlock')) eng.tracer.emit({ kind: 'deadlock', session: s.name, text: `${s.name} asks for ${LOCK_MODES[mode]} on ${describeTag(tag, DATABASE_OID)}: ${other.name}, queued ahead, needs a lock ${s.name} holds and holds one ${s.name} needs — a deadlock found at once, without waiting for deadlock_timeout` });
    s.lastAbortReason = 'deadlock';
    s.pgstat.deadlocks++; s.pgstat.dirty = true; // pgstat_report_deadlock
    throw new PgError('40P01', 'deadlock detected', { detail, hint: 'See server log for query details.', ...(context ? { context } : {}) });
  }
  const sub = s.tx?.subs[s.tx.subs.length - 1];
  if (sub && !opts.session) sub.locks.push({ tag, mode });
  if (r === 'granted') { if (logRel) logAccessExclusiveLock(eng, s, logRel); return; }
  const what = `${LOCK_MODES[mode]} on ${describeTag(tag, DATABASE_OID)}`;
  const holders = eng.locks.blockers(s.id).map((o) => eng.sessions[o]!.name);
  s.waiting = { tag, mode, since: eng.clock.now, context, reason: reason || `waiting for ${what}${holders.length ? ` held by ${holders.join(', ')}` : ''}` };
  eng.clock.arm(s.gucs.deadlock_timeout, 'deadlock', s.id);
  const lockTimeout = s.gucs.lock_timeout;
  if (lockTimeout > 0) eng.clock.arm(lockTimeout, 'lock_timeout', s.id);
  if (eng.tracer.wants('wait')) eng.tracer.emit({ kind: 'wait', session: s.name, text: `${s.name} waits for ${what}${holders.length ? ` (held by ${holders.join(', ')})` : ''}; deadlock check armed for t=${eng.clock.now + s.gucs.deadlock_timeout} ms` });
  try {
    yield { kind: 'wait' };
  } finally {
    disarmWaitTimers(eng, s);
  }
  s.waiting = null;
  if (logRel) logAccessExclusiveLock(eng, s, logRel);
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

/** How "could not obtain lock on …" names the object (LOCK TABLE NOWAIT: the relation's name). */
function describeObject(eng: Engine, tag: LockTag): string {
  if (tag.type === 'relation') {
    const t = eng.catalog.byOid(tag.rel);
    return `relation "${t?.name ?? tag.rel}"`;
  }
  return describeTag(tag, DATABASE_OID);
}
