/**
 * Deadlock detection: a cycle in the wait-for graph, found by the waiter whose deadlock_timeout fires.
 *
 * PostgreSQL does not look for deadlocks when a wait begins. Each waiting backend arms a one-shot timer of
 * deadlock_timeout; when it fires, that backend runs the detector once. If it finds a cycle through itself,
 * it aborts *itself* with 40P01; if not, it never checks again for that wait. So the victim is the waiter whose
 * timer fires first after the cycle exists — with steps back to back that is the first waiter, with think time
 * longer than deadlock_timeout between them it is the one that closed the cycle.
 *
 * Worked example (tests/scenarios/deadlock/deadlock-detail.spec, recorded from PostgreSQL 15; the setup's CREATE
 * TABLE + INSERT of rows 123 at (0,1) and 124 at (0,2) is xid 724). s1 (xid 725, pid 1002) updates 123, s2 (xid
 * 726, pid 1003) updates 124; then each updates the other's row and waits for a ShareLock on the other's xid:
 *
 *          waits for ShareLock on transaction 726
 *     s1 ────────────────────────────────────────► s2      s1 holds ExclusiveLock on transactionid 725 and
 *     725 ◄──────────────────────────────────────── 726    the tuple lock on (0,2); s2 those on 726 and (0,1)
 *          waits for ShareLock on transaction 725
 *
 * Steps back to back: s1 began waiting first, so its deadlock_timeout (1 s) fires first; it finds the cycle
 * s1 → s2 → s1 and aborts itself — "ERROR: deadlock detected", DETAIL "Process 1002 waits for ShareLock on
 * transaction 726; blocked by process 1003. / Process 1003 waits for ShareLock on transaction 725; blocked by
 * process 1002.", CONTEXT "while updating tuple (0,2)" — and s2's UPDATE completes. With 1500 ms between the two
 * waits (the second permutation), s1's timer fires while s2 is not waiting yet: no cycle, and s1 never checks again.
 * s2 closes the cycle, its own timer fires a second later, and s2 is the victim ("while updating tuple (0,1)").
 *
 * Mirrors: src/backend/storage/lmgr/deadlock.c (DeadLockCheck, FindLockCycle, DeadLockReport) and
 * CheckDeadLock in proc.c. Simplifications: hard edges only (holders); PostgreSQL can also resolve "soft"
 * deadlocks among queued waiters by reordering the queue, which this engine does not model.
 */
import type { LockManager } from './lock.js';

/** The cycle starting at `start` (a list of owners start → … → start), or null. */
export function findCycle(locks: LockManager, start: number): number[] | null {
  const path: number[] = [];
  const onPath = new Set<number>();
  const visited = new Set<number>();
  const dfs = (o: number): boolean => {
    path.push(o);
    onPath.add(o);
    for (const next of locks.blockers(o)) {
      if (next === start) return true;
      if (onPath.has(next) || visited.has(next)) continue;
      if (dfs(next)) return true;
    }
    path.pop();
    onPath.delete(o);
    visited.add(o);
    return false;
  };
  return dfs(start) ? path : null;
}
