/**
 * Deadlock detection: a cycle in the wait-for graph, found by the waiter whose deadlock_timeout fires.
 *
 * PostgreSQL does not look for deadlocks when a wait begins. Each waiting backend arms a one-shot timer of
 * deadlock_timeout; when it fires, that backend runs the detector once. If it finds a cycle through itself,
 * it aborts *itself* with 40P01; if not, it never checks again for that wait. So the victim is the waiter whose
 * timer fires first after the cycle exists — with steps back to back that is the first waiter, with think time
 * longer than deadlock_timeout between them it is the one that closed the cycle.
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
