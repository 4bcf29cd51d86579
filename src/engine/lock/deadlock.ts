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
 * Soft deadlocks. A waiter is also blocked by the waiters *ahead of it in the queue* whose requests conflict with
 * its own (a "soft" edge: they hold nothing yet, but ProcLockWakeup will not let it pass them). A cycle that goes
 * through soft edges can be broken without aborting anyone, by reordering a queue. So DeadLockCheck searches: find
 * a cycle through the checking backend (FindLockCycle, hard edges first, then soft ones, remembering the soft edges
 * it crossed); if it has none, the wait is fine; if it has only hard edges, it is a real deadlock; otherwise try, one
 * by one, to reverse each soft edge of the cycle (a constraint "the waiter goes before the blocker"), turn the set
 * of constraints into a new order for each queue concerned (TopoSort, which keeps the current order as far as the
 * constraints allow) and test that configuration again, recursively (DeadLockCheckRecurse). The first configuration
 * without a cycle is applied: the queues are rearranged and whoever can go now is woken. No configuration: 40P01.
 *
 * Example (tests/scenarios/locks/soft-deadlock.spec, recorded from PostgreSQL 15): d1 holds ACCESS SHARE on a1, d2
 * on a2; e1 queues for ACCESS EXCLUSIVE on a1, e2 on a2; d1 asks for a2 (queued behind e2), d2 for a1 (behind e1).
 * d2's check (its deadlock_timeout is the short one) finds d2 →soft e1 →hard d1 →soft e2 →hard d2. The soft edges
 * are tried in the order FindLockCycle recorded them, the deepest first: reversing d1 →soft e2 makes a2's queue
 * [d1, e2]; with that order there is no cycle, so it is applied and d1 is granted at once (ACCESS SHARE does not
 * conflict with d2's). d2 waits on until d1 commits and e1 has had a1.
 *
 * Mirrors: src/backend/storage/lmgr/deadlock.c (DeadLockCheck, DeadLockCheckRecurse, TestConfiguration,
 * FindLockCycle, FindLockCycleRecurse(Member), ExpandConstraints, TopoSort, DeadLockReport) and CheckDeadLock in
 * proc.c. Simplifications: no lock groups (parallel query), no autovacuum to cancel; the search is bounded by the
 * number of waiters rather than MaxBackends-sized arrays.
 */
import type { LockManager, LockMode, LockTag } from './lock.js';
import { conflicts } from './lock.js';

/** An edge of a cycle, as DeadLockReport prints it: `owner` waits for `mode` on `tag`. */
export interface DeadlockInfo { owner: number; tag: LockTag; mode: LockMode }
/** A soft edge: `waiter` queues behind `blocker` on the lock `key` (as a constraint: waiter must go first). */
interface Edge { waiter: number; blocker: number; key: string }
interface WaitOrder { key: string; procs: number[] }

/** What the check found (DeadLockState): nothing, a soft deadlock resolved by new queue orders, or a hard one. */
export type DeadlockResult =
  | { kind: 'none' }
  | { kind: 'soft'; orders: { key: string; order: number[] }[] }
  | { kind: 'hard'; cycle: DeadlockInfo[] };

/** DeadLockCheck for the backend `start`, which waits. Pure: the caller applies a soft result (LockManager.setQueue). */
export function deadLockCheck(locks: LockManager, start: number): DeadlockResult {
  const st = new Search(locks);
  if (st.checkRecurse(start)) {
    st.waitOrders = [];
    const details = st.findLockCycle(start, []);
    return details ? { kind: 'hard', cycle: details } : { kind: 'none' };
  }
  if (st.waitOrders.length === 0) return { kind: 'none' };
  return { kind: 'soft', orders: st.waitOrders.map((w) => ({ key: w.key, order: w.procs })) };
}

/** The cycle through `start` (a list of owners start → … ), hard and soft edges alike, or null. */
export function findCycle(locks: LockManager, start: number): number[] | null {
  const d = new Search(locks).findLockCycle(start, []);
  return d ? d.map((x) => x.owner) : null;
}

class Search {
  curConstraints: Edge[] = [];
  waitOrders: WaitOrder[] = [];
  private visited: number[] = [];
  private details: DeadlockInfo[] = [];
  private depthFound = 0;
  private budget = 10000; // maxCurConstraints / maxPossibleConstraints: give up (call it hard) past this many tests
  constructor(private locks: LockManager) {}

  /** DeadLockCheckRecurse: true when no configuration without a deadlock was found. */
  checkRecurse(proc: number): boolean {
    const soft: Edge[] = [];
    const nEdges = this.testConfiguration(proc, soft);
    if (nEdges < 0) return true; // hard deadlock: no solution
    if (nEdges === 0) return false; // good configuration found
    if (--this.budget <= 0 || this.curConstraints.length >= 64) return true; // out of room
    for (let i = 0; i < soft.length; i++) {
      this.curConstraints.push(soft[i]!);
      if (!this.checkRecurse(proc)) return false; // found a valid solution
      this.curConstraints.pop();
    }
    return true;
  }

  /** TestConfiguration: -1 for a hard cycle (or inconsistent constraints), else the soft edges of a cycle found (0: none). */
  private testConfiguration(start: number, softOut: Edge[]): number {
    if (!this.expandConstraints()) return -1;
    let softFound = 0;
    const check = (p: number) => {
      const soft: Edge[] = [];
      if (this.findLockCycle(p, soft)) {
        if (soft.length === 0) return false;
        softFound = soft.length;
        softOut.length = 0;
        softOut.push(...soft);
      }
      return true;
    };
    for (const c of this.curConstraints) {
      if (!check(c.waiter)) return -1;
      if (!check(c.blocker)) return -1;
    }
    if (!check(start)) return -1;
    return softFound;
  }

  /** FindLockCycle: the cycle's DEADLOCK_INFO from `start` on (soft edges crossed are appended to `soft`), or null. */
  findLockCycle(start: number, soft: Edge[]): DeadlockInfo[] | null {
    this.visited = [];
    this.details = [];
    soft.length = 0;
    if (!this.recurse(start, 0, soft)) return null;
    return this.details.slice(0, this.depthFound);
  }

  private recurse(proc: number, depth: number, soft: Edge[]): boolean {
    const seen = this.visited.indexOf(proc);
    if (seen >= 0) {
      if (seen === 0) { this.depthFound = depth; return true; } // back at the start: a cycle
      return false; // a cycle that does not include the start: not ours
    }
    this.visited.push(proc);
    const key = this.locks.waitKey(proc);
    return key !== undefined && this.recurseMember(proc, key, depth, soft);
  }

  private recurseMember(proc: number, key: string, depth: number, soft: Edge[]): boolean {
    const lock = this.locks.lockState(key)!;
    const wait = this.locks.waitOf(proc)!;
    const info = { owner: proc, tag: lock.tag, mode: wait.mode };
    // hard edges: procs holding a conflicting mode
    for (const [other, modes] of lock.holders) {
      if (other === proc) continue;
      let hit = false;
      for (let m = 1; m <= 8; m++) if (modes[m] && conflicts(wait.mode, m as LockMode)) { hit = true; break; }
      if (!hit) continue;
      if (this.recurse(other, depth + 1, soft)) { this.details[depth] = info; return true; }
    }
    // soft edges: conflicting requests ahead in the queue (in the proposed order, if there is one for this lock)
    const order = this.waitOrders.find((w) => w.key === key);
    const queue = order ? order.procs.map((o) => ({ owner: o, mode: this.locks.waitOf(o)!.mode })) : lock.queue;
    for (const w of queue) {
      if (w.owner === proc) break;
      if (!conflicts(wait.mode, w.mode)) continue;
      if (this.recurse(w.owner, depth + 1, soft)) {
        this.details[depth] = info;
        soft.push({ waiter: proc, blocker: w.owner, key });
        return true;
      }
    }
    return false;
  }

  /** ExpandConstraints: a proposed order for each lock the constraints mention (the last-added first); false if inconsistent. */
  private expandConstraints(): boolean {
    this.waitOrders = [];
    const cs = this.curConstraints;
    for (let i = cs.length - 1; i >= 0; i--) {
      const key = cs[i]!.key;
      if (this.waitOrders.some((w) => w.key === key)) continue;
      const procs = this.topoSort(key, cs.slice(0, i + 1));
      if (!procs) return false;
      this.waitOrders.push({ key, procs });
    }
    return true;
  }

  /**
   * TopoSort: the lock's waiters reordered so each constraint's waiter comes before its blocker, changing the
   * current order as little as possible (the output is filled from the back with the last waiter that no
   * constraint keeps waiting); null if the constraints contradict each other.
   */
  private topoSort(key: string, constraints: Edge[]): number[] | null {
    const procs: (number | null)[] = this.locks.lockState(key)!.queue.map((w) => w.owner);
    const n = procs.length;
    const before = new Array<number>(n).fill(0);
    const after: number[][] = procs.map(() => []);
    for (const c of constraints) {
      const jj = procs.lastIndexOf(c.waiter);
      if (jj < 0) continue;
      const kk = procs.lastIndexOf(c.blocker);
      if (kk < 0) continue;
      before[jj]!++; // the waiter must come before
      after[kk]!.unshift(jj); // once the blocker is placed, the waiter is free
    }
    const out = new Array<number>(n);
    let last = n - 1;
    for (let i = n - 1; i >= 0; i--) {
      while (procs[last] === null) last--;
      let j = last;
      for (; j >= 0; j--) if (procs[j] !== null && before[j] === 0) break;
      if (j < 0) return null;
      out[i] = procs[j]!;
      procs[j] = null;
      for (const k of after[j]!) before[k]!--;
    }
    return out;
  }
}
