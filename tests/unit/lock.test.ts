/** The heavyweight lock conflict table and wait queue rules. */
import { describe, it, expect } from 'vitest';
import { LockManager, LockMode, conflicts, LOCK_MODES } from '../../src/engine/lock/lock.js';
import { findCycle } from '../../src/engine/lock/deadlock.js';

describe('lock conflict table (PostgreSQL docs, "Conflicting Lock Modes")', () => {
  // rows/cols: AccessShare .. AccessExclusive; X = conflict
  const table = [
    '.......X',
    '......XX',
    '....XXXX',
    '...XXXXX',
    '..XX.XXX',
    '..XXXXXX',
    '.XXXXXXX',
    'XXXXXXXX',
  ];
  for (let a = 1; a <= 8; a++) {
    it(`${LOCK_MODES[a]} conflicts as documented`, () => {
      for (let b = 1; b <= 8; b++) expect(conflicts(a as LockMode, b as LockMode)).toBe(table[a - 1]![b - 1] === 'X');
    });
  }
});

describe('lock manager', () => {
  const xid = { type: 'transactionid' as const, xid: 100 };
  it('a ShareLock request on a transaction id waits for the ExclusiveLock holder and is granted on release', () => {
    const lm = new LockManager();
    expect(lm.acquire(1, xid, LockMode.Exclusive, 0)).toBe('granted');
    expect(lm.acquire(2, xid, LockMode.Share, 0)).toBe('waiting');
    expect(lm.blockers(2)).toEqual([1]);
    expect(lm.view().find((r) => r.owner === 2)).toMatchObject({ locktype: 'transactionid', mode: 'ShareLock', granted: false });
    expect(lm.releaseAll(1)).toEqual([2]);
    expect(lm.holds(2, xid, LockMode.Share)).toBe(true);
  });
  it('queues behind an earlier conflicting waiter (no barging)', () => {
    const lm = new LockManager();
    const rel = { type: 'relation' as const, rel: 16384 };
    lm.acquire(1, rel, LockMode.AccessShare, 0);
    expect(lm.acquire(2, rel, LockMode.AccessExclusive, 0)).toBe('waiting');
    expect(lm.acquire(3, rel, LockMode.AccessShare, 0)).toBe('waiting');
    expect(lm.releaseAll(1)).toEqual([2]);
    expect(lm.releaseAll(2)).toEqual([3]);
  });
  it('finds a two-way cycle through the starting waiter only', () => {
    const lm = new LockManager();
    const x1 = { type: 'transactionid' as const, xid: 1 }, x2 = { type: 'transactionid' as const, xid: 2 };
    lm.acquire(1, x1, LockMode.Exclusive, 0);
    lm.acquire(2, x2, LockMode.Exclusive, 0);
    lm.acquire(1, x2, LockMode.Share, 0);
    expect(findCycle(lm, 1)).toBeNull();
    lm.acquire(2, x1, LockMode.Share, 0);
    expect(findCycle(lm, 1)).toEqual([1, 2]);
    expect(findCycle(lm, 2)).toEqual([2, 1]);
  });
});
