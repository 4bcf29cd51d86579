/**
 * deadlock.c's rules on small wait-for graphs: ProcSleep's place in the queue, the early deadlock, soft edges,
 * and the queue orders DeadLockCheck proposes (TopoSort). The scenarios in tests/scenarios/locks check the same
 * against PostgreSQL 15; these pin the individual rules.
 */
import { describe, it, expect } from 'vitest';
import { LockManager, LockMode } from '../../src/engine/lock/lock.js';
import { deadLockCheck, findCycle } from '../../src/engine/lock/deadlock.js';

const rel = (n: number) => ({ type: 'relation' as const, rel: n });

describe('ProcSleep: where a new waiter goes', () => {
  it('a holder asking for a stronger mode goes ahead of a waiter that needs what it holds, and is granted if nothing else is in the way', () => {
    const lm = new LockManager();
    lm.acquire(1, rel(1), LockMode.Share, 0);
    expect(lm.acquire(2, rel(1), LockMode.AccessExclusive, 0)).toBe('waiting');
    expect(lm.acquire(1, rel(1), LockMode.AccessExclusive, 0)).toBe('granted');
  });
  it('goes ahead but waits when another holder conflicts', () => {
    const lm = new LockManager();
    lm.acquire(1, rel(1), LockMode.Share, 0);
    lm.acquire(3, rel(1), LockMode.AccessShare, 0);
    expect(lm.acquire(2, rel(1), LockMode.Exclusive, 0)).toBe('waiting');
    expect(lm.acquire(1, rel(1), LockMode.AccessExclusive, 0)).toBe('waiting');
    expect(lm.lockState('r1')!.queue.map((w) => w.owner)).toEqual([1, 2]);
  });
  it('reports an immediate deadlock when the waiter ahead also holds what it asks for', () => {
    const lm = new LockManager();
    lm.acquire(1, rel(1), LockMode.Share, 0);
    lm.acquire(2, rel(1), LockMode.Share, 0);
    expect(lm.acquire(1, rel(1), LockMode.ShareRowExclusive, 0)).toBe('waiting');
    expect(lm.acquire(2, rel(1), LockMode.ShareRowExclusive, 0)).toEqual({ deadlock: 1 });
    expect(lm.waitOf(2)).toBeUndefined(); // not queued
  });
  it('refuses instead of queueing when told not to wait (NOWAIT, pg_try_advisory_lock)', () => {
    const lm = new LockManager();
    lm.acquire(1, rel(1), LockMode.RowExclusive, 0);
    expect(lm.acquire(2, rel(1), LockMode.Share, 0, { wait: false })).toBe('not-available');
    expect(lm.acquire(2, rel(1), LockMode.RowShare, 0, { wait: false })).toBe('granted');
    expect(lm.waitOf(2)).toBeUndefined();
  });
});

describe('session-level holds (advisory locks)', () => {
  const adv = { type: 'advisory' as const, classid: 0, objid: 1, objsubid: 1 as const };
  it('survive releaseAll at transaction end, transaction-level holds of the same lock do not', () => {
    const lm = new LockManager();
    lm.acquire(1, adv, LockMode.Exclusive, 0, { session: true });
    lm.acquire(1, adv, LockMode.Exclusive, 0); // pg_advisory_xact_lock on the same key
    lm.releaseAll(1);
    expect(lm.holds(1, adv, LockMode.Exclusive)).toBe(true);
    expect(lm.releaseHold(1, adv, LockMode.Exclusive, true)).toEqual([]);
    expect(lm.holds(1, adv, LockMode.Exclusive)).toBe(false);
    expect(lm.releaseHold(1, adv, LockMode.Exclusive, true)).toBeNull(); // "you don't own a lock"
  });
  it('a transaction-level hold cannot be released as a session one', () => {
    const lm = new LockManager();
    lm.acquire(1, adv, LockMode.Exclusive, 0);
    expect(lm.releaseHold(1, adv, LockMode.Exclusive, true)).toBeNull();
  });
  it('a waiter granted later keeps its session-level flag', () => {
    const lm = new LockManager();
    lm.acquire(1, adv, LockMode.Exclusive, 0, { session: true });
    expect(lm.acquire(2, adv, LockMode.Exclusive, 0, { session: true })).toBe('waiting');
    expect(lm.releaseHold(1, adv, LockMode.Exclusive, true)).toEqual([2]);
    lm.releaseAll(2);
    expect(lm.sessionLocks(2)).toHaveLength(1);
    expect(lm.releaseAll(2, true)).toEqual([]);
    expect(lm.sessionLocks(2)).toHaveLength(0);
  });
});

describe('DeadLockCheck', () => {
  /** d1 (1), d2 (2) hold ACCESS SHARE on a1 / a2; e1 (3), e2 (4) queue for ACCESS EXCLUSIVE; d1 → a2, d2 → a1. */
  const softCase = () => {
    const lm = new LockManager();
    lm.acquire(1, rel(1), LockMode.AccessShare, 0);
    lm.acquire(2, rel(2), LockMode.AccessShare, 0);
    lm.acquire(3, rel(1), LockMode.AccessExclusive, 0);
    lm.acquire(4, rel(2), LockMode.AccessExclusive, 0);
    lm.acquire(1, rel(2), LockMode.AccessShare, 0);
    lm.acquire(2, rel(1), LockMode.AccessShare, 0);
    return lm;
  };
  it('a cycle through soft edges is found (FindLockCycle follows waiters queued ahead)', () => {
    expect(findCycle(softCase(), 2)).toEqual([2, 3, 1, 4]);
  });
  it('is resolved by reversing the soft edge found deepest in the cycle: d1 goes ahead of e2 in a2\'s queue', () => {
    const lm = softCase();
    const r = deadLockCheck(lm, 2);
    expect(r).toEqual({ kind: 'soft', orders: [{ key: 'r2', order: [1, 4] }] });
    expect(lm.setQueue('r2', [1, 4])).toEqual([1]); // d1 is granted at once
    expect(deadLockCheck(lm, 2)).toEqual({ kind: 'none' });
  });
  it('a holder that went ahead of the exclusive waiter (ProcSleep) is in no soft deadlock with it', () => {
    // 2 waits for AccessExclusive on a1 (1 and 3 hold AccessShare); 1 asks for AccessExclusive too and goes
    // ahead of 2 (it needs what 1 holds), waiting only for 3: no cycle
    const lm = new LockManager();
    lm.acquire(1, rel(1), LockMode.AccessShare, 0);
    lm.acquire(3, rel(1), LockMode.AccessShare, 0);
    lm.acquire(2, rel(1), LockMode.AccessExclusive, 0);
    expect(lm.acquire(1, rel(1), LockMode.AccessExclusive, 0)).toBe('waiting');
    expect(deadLockCheck(lm, 1)).toEqual({ kind: 'none' });
  });
  it('a cycle of hard edges only is a real deadlock, reported from the checking waiter round the cycle', () => {
    const lm = new LockManager();
    const x = (n: number) => ({ type: 'transactionid' as const, xid: n });
    for (let i = 1; i <= 8; i++) lm.acquire(i, x(i), LockMode.Exclusive, 0);
    for (let i = 1; i <= 8; i++) lm.acquire(i, x((i % 8) + 1), LockMode.Share, 0);
    const r = deadLockCheck(lm, 3);
    expect(r.kind).toBe('hard');
    if (r.kind === 'hard') expect(r.cycle.map((d) => d.owner)).toEqual([3, 4, 5, 6, 7, 8, 1, 2]);
  });
  it('no cycle: nothing to do', () => {
    const lm = new LockManager();
    lm.acquire(1, rel(1), LockMode.AccessExclusive, 0);
    lm.acquire(2, rel(1), LockMode.AccessShare, 0);
    expect(deadLockCheck(lm, 2)).toEqual({ kind: 'none' });
  });
});
