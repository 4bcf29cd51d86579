/**
 * Waiting for the transactions that use a table, without queueing for a lock on it — what the CONCURRENTLY forms of
 * DDL (DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY) do between the transactions they run:
 *
 *     WaitForLockers(t, mode)  the transactions holding, now, a lock on t that conflicts with `mode` must end first;
 *                              each is waited for on its virtual transaction id (VirtualXactLock: ShareLock on the
 *                              virtualxid it holds ExclusiveLock on until it ends), so a transaction that locks t
 *                              after the call is not waited for, and nobody queues behind the waiter
 *     WaitForOlderSnapshots    every other transaction holding a snapshot now must end first
 *
 * Mirrors: src/backend/storage/lmgr/lmgr.c (WaitForLockers, WaitForLockersMultiple), lock.c (GetLockConflicts,
 * VirtualXactLock), commands/indexcmds.c (WaitForOlderSnapshots). Simplification: WaitForOlderSnapshots waits for
 * every snapshot another backend holds (a snapshot taken now has an xmin no older than any of them, so each one's
 * xmin precedes or equals it, as the function's test asks).
 */
import type { Executor } from '../executor/executor.js';
import type { Session, StepYield } from '../session/session.js';
import type { Table } from '../catalog/catalog.js';
import { LockMode, conflicts } from './lock.js';
import { backendXmin } from '../pgstat/views.js';

type Gen<T> = Generator<StepYield, T, void>;

/** WaitForLockers on one table. */
export function* waitForLockers(ex: Executor, s: Session, t: Table, mode: LockMode, reason: string): Gen<void> {
  const eng = ex.eng;
  const state = eng.locks.lockState(`r${t.oid}`);
  if (!state) return;
  const vxids: string[] = [];
  for (const [owner, counts] of state.holders) {
    if (owner === s.id) continue;
    if (!counts.some((c, m) => c > 0 && conflicts(mode, m as LockMode))) continue;
    const vxid = eng.sessions[owner]?.tx?.vxid;
    if (vxid) vxids.push(vxid);
  }
  for (const vxid of vxids) yield* waitForVxid(ex, s, vxid, reason);
}

/** WaitForOlderSnapshots: every other transaction holding a snapshot now must end first. */
export function* waitForOlderSnapshots(ex: Executor, s: Session, reason: string): Gen<void> {
  const vxids = ex.eng.sessions.filter((x) => x !== s && x.tx && backendXmin(x) !== null).map((x) => x.tx!.vxid);
  for (const vxid of vxids) yield* waitForVxid(ex, s, vxid, reason);
}

/** VirtualXactLock: ShareLock on the transaction's virtualxid lock, released at once. */
function* waitForVxid(ex: Executor, s: Session, vxid: string, reason: string): Gen<void> {
  const tag = { type: 'virtualxid' as const, vxid };
  yield* ex.eng.acquireLock(s, tag, LockMode.Share, null, `${reason} (virtual transaction ${vxid})`);
  ex.eng.releaseLock(s, tag, LockMode.Share);
}
