/**
 * Waiting for the transactions that use a table, without queueing for a lock on it — what the CONCURRENTLY forms of
 * DDL (DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY) do between the transactions they run:
 *
 *     WaitForLockers(t, mode)  the transactions holding, now, a lock on t that conflicts with `mode` must end first;
 *                              each is waited for on its virtual transaction id (VirtualXactLock: ShareLock on the
 *                              virtualxid it holds ExclusiveLock on until it ends), so a transaction that locks t
 *                              after the call is not waited for, and nobody queues behind the waiter
 *     WaitForOlderSnapshots    every other transaction holding a snapshot as old as the caller's reference snapshot
 *                              (its xmin preceding or equal to that one's) must end first
 *
 * Mirrors: src/backend/storage/lmgr/lmgr.c (WaitForLockers, WaitForLockersMultiple), lock.c (GetLockConflicts,
 * VirtualXactLock), commands/indexcmds.c (WaitForOlderSnapshots), procarray.c (GetCurrentVirtualXIDs). Simplification:
 * a VACUUM's backend is not told apart (PROC_IN_VACUUM) — one holding a snapshot would be waited for.
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

/**
 * WaitForOlderSnapshots(limitXmin): every other transaction whose snapshot xmin precedes or equals limitXmin must
 * end first (GetCurrentVirtualXIDs with excludeXmin0: a backend holding no snapshot is not waited for, nor one in a
 * concurrent build of "safe" indexes, PROC_IN_SAFE_IC). Before waiting for the second and later ones, the list is
 * taken again and a transaction no longer in it (ended, or its snapshot released) is skipped.
 */
export function* waitForOlderSnapshots(ex: Executor, s: Session, limitXmin: number, reason: string): Gen<void> {
  const older = () => ex.eng.sessions.filter((x) => {
    if (x === s || !x.tx || x.inSafeIC) return false;
    const xmin = backendXmin(x);
    return xmin !== null && xmin <= limitXmin;
  }).map((x) => x.tx!.vxid);
  const vxids = older();
  for (let i = 0; i < vxids.length; i++) {
    if (i > 0 && !older().includes(vxids[i]!)) continue;
    yield* waitForVxid(ex, s, vxids[i]!, reason);
  }
}

/** VirtualXactLock: ShareLock on the transaction's virtualxid lock, released at once. */
function* waitForVxid(ex: Executor, s: Session, vxid: string, reason: string): Gen<void> {
  const tag = { type: 'virtualxid' as const, vxid };
  yield* ex.eng.acquireLock(s, tag, LockMode.Share, null, `${reason} (virtual transaction ${vxid})`);
  ex.eng.releaseLock(s, tag, LockMode.Share);
}

/**
 * heap_inplace_lock (PostgreSQL 15.8 on): an inplace update of a table's pg_class row — relhasindex, relpages and
 * reltuples by CREATE INDEX (index_update_stats), by VACUUM and ANALYZE (vac_update_relstats) — first waits for a
 * transaction that updated the row and is still running (GRANT / REVOKE take no lock on the table, only the row),
 * then updates the version it left. Simplification: the row locks of SELECT ... FROM pg_class FOR UPDATE are not
 * modelled (pg_class is no heap here), so only such an updater is waited for.
 */
export function* waitForInplaceLock(ex: Executor, s: Session, t: Table): Gen<void> {
  const x = t.classXmax;
  if (!x || !ex.eng.xacts.isInProgress(x)) return;
  if (s.tx && (s.tx.xid === x || s.tx.subXidSet?.has(x))) return; // our own update
  yield* ex.eng.waitForXact(s, x, `while updating tuple in relation "pg_class"`);
}

/** The inplace updates a statement made (Session.inplacePending), waited for as above; called when it ends. */
export function* drainInplace(ex: Executor, s: Session): Gen<void> {
  const ts = s.inplacePending;
  if (!ts.size) return;
  s.inplacePending = new Set();
  for (const t of ts) yield* waitForInplaceLock(ex, s, t);
}
