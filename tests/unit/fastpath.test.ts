/** Fast-path locks (src/engine/lock/fastpath.ts) as pg_locks shows them: which holds are fastpath, and their order. */
import { describe, expect, it } from 'vitest';
import { LockManager, LockMode } from '../../src/engine/lock/lock.js';

const rel = (r: number) => ({ type: 'relation', rel: r }) as const;
const fast = (lm: LockManager, owner: number) => lm.view().filter((r) => r.owner === owner).map((r) => `${r.relation ?? r.virtualxid}:${r.mode}:${r.fastpath ? 't' : 'f'}`);

describe('fast-path locks', () => {
  it('weak relation locks and the own virtual xid are fast-path; a strong request moves every holder\'s entries to the shared table', () => {
    const lm = new LockManager();
    lm.acquire(1, { type: 'virtualxid', vxid: '3/1' }, LockMode.Exclusive, 0);
    lm.acquire(1, rel(100), LockMode.AccessShare, 0);
    lm.acquire(2, rel(100), LockMode.RowExclusive, 0);
    lm.acquire(1, rel(101), LockMode.AccessShare, 0);
    // newest first: relation 101 took the highest free slot after 100
    expect(fast(lm, 1)).toEqual(['101:AccessShareLock:t', '100:AccessShareLock:t', '3/1:ExclusiveLock:t']);
    expect(lm.acquire(3, rel(100), LockMode.Share, 0)).toBe('waiting'); // conflicts with 2's RowExclusiveLock
    expect(fast(lm, 1)).toEqual(['101:AccessShareLock:t', '3/1:ExclusiveLock:t', '100:AccessShareLock:f']);
    expect(fast(lm, 2)).toEqual(['100:RowExclusiveLock:f']);
    // while a strong lock is awaited (or held), new weak locks on that relation go to the shared table
    lm.acquire(4, rel(100), LockMode.AccessShare, 0);
    expect(lm.view().find((r) => r.owner === 4)!.fastpath).toBe(false);
  });
  it('sixteen relations fit in a backend\'s slots; the seventeenth goes to the shared table; released slots are reused', () => {
    const lm = new LockManager();
    for (let r = 1; r <= 17; r++) lm.acquire(1, rel(r), LockMode.AccessShare, 0);
    const rows = lm.view();
    expect(rows.filter((r) => r.fastpath)).toHaveLength(16);
    expect(rows.find((r) => r.relation === 17)!.fastpath).toBe(false);
    lm.release(1, rel(5), LockMode.AccessShare);
    lm.acquire(1, rel(18), LockMode.AccessShare, 0);
    expect(lm.view().find((r) => r.relation === 18)!.fastpath).toBe(true);
    lm.releaseAll(1);
    expect(lm.view()).toHaveLength(0);
  });
  it('a wait for another transaction\'s virtual xid moves that lock to the shared table', () => {
    const lm = new LockManager();
    const vx = { type: 'virtualxid', vxid: '4/7' } as const;
    lm.acquire(1, vx, LockMode.Exclusive, 0);
    expect(lm.view()[0]!.fastpath).toBe(true);
    expect(lm.acquire(2, vx, LockMode.Share, 0)).toBe('waiting');
    expect(lm.view().map((r) => r.fastpath)).toEqual([false, false]);
  });
  it('a cloned lock manager keeps the fast-path state apart', () => {
    const lm = new LockManager();
    lm.acquire(1, rel(1), LockMode.AccessShare, 0);
    const c = lm.clone();
    lm.acquire(2, rel(1), LockMode.AccessExclusive, 0);
    expect(c.view()[0]!.fastpath).toBe(true);
    expect(lm.view().find((r) => r.owner === 1)!.fastpath).toBe(false);
  });
});
