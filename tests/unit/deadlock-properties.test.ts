/**
 * Invariants of the deadlock detector (lock/deadlock.ts) on random lock tables: whatever DeadLockCheck proposes for a
 * soft deadlock is a reordering of existing wait queues (nobody added or lost), and once applied the checking
 * backend is in no cycle any more; a hard verdict is a real cycle through it, each edge a waiter blocked by the next.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { LockManager, LockMode, conflicts } from '../../src/engine/lock/lock.js';
import { deadLockCheck, findCycle } from '../../src/engine/lock/deadlock.js';

const op = fc.record({ owner: fc.integer({ min: 1, max: 6 }), lock: fc.integer({ min: 1, max: 3 }), mode: fc.integer({ min: 1, max: 8 }) });

/** Requests in order; a waiting owner's later requests are skipped (a backend waits for one lock at a time). */
function build(ops: { owner: number; lock: number; mode: number }[]): LockManager {
  const lm = new LockManager();
  for (const o of ops) {
    if (lm.waitOf(o.owner)) continue;
    lm.acquire(o.owner, { type: 'relation', rel: o.lock }, o.mode as LockMode, 0);
  }
  return lm;
}

describe('DeadLockCheck on random lock tables', () => {
  it('soft: a permutation of each queue that leaves the checker out of any cycle; hard: a real cycle', () => {
    fc.assert(fc.property(fc.array(op, { minLength: 2, maxLength: 24 }), (ops) => {
      const lm = build(ops);
      for (let start = 1; start <= 6; start++) {
        if (!lm.waitOf(start)) continue;
        const r = deadLockCheck(lm, start);
        if (r.kind === 'soft') {
          const c = lm.clone();
          for (const o of r.orders) {
            const before = c.lockState(o.key)!.queue.map((w) => w.owner).sort();
            expect([...o.order].sort()).toEqual(before);
            c.setQueue(o.key, o.order);
          }
          expect(findCycle(c, start)).toBeNull();
        } else if (r.kind === 'hard') {
          expect(r.cycle[0]!.owner).toBe(start);
          for (let i = 0; i < r.cycle.length; i++) {
            const d = r.cycle[i]!, next = r.cycle[(i + 1) % r.cycle.length]!.owner;
            expect(lm.waitOf(d.owner)?.mode).toBe(d.mode);
            // next blocks d: it holds a conflicting mode, or queues ahead of d with a conflicting request
            const key = lm.waitKey(d.owner)!;
            const st = lm.lockState(key)!;
            const holds = (st.holders.get(next) ?? []).some((c, m) => c > 0 && conflicts(d.mode, m as LockMode));
            const q = st.queue.map((w) => w.owner);
            const ahead = q.indexOf(next) >= 0 && q.indexOf(next) < q.indexOf(d.owner) && conflicts(d.mode, st.queue[q.indexOf(next)]!.mode);
            expect(holds || ahead).toBe(true);
          }
        } else {
          expect(findCycle(lm, start)).toBeNull();
        }
      }
    }), { numRuns: 400 });
  });
});
