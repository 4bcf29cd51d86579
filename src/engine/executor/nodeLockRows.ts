/**
 * SELECT ... FOR UPDATE / FOR NO KEY UPDATE / FOR SHARE / FOR KEY SHARE (PostgreSQL's executor/nodeLockRows.c):
 * each row the query returns is locked as it passes (heap_lock_tuple, executor/rowlocks.ts), after the scan and
 * its filter, before the projection and LIMIT above it.
 *
 * If the row was updated by a transaction that committed meanwhile: REPEATABLE READ and SERIALIZABLE fail with
 * 40001; READ COMMITTED follows the update chain to the newest version, locks that, and re-checks WHERE on it
 * (EvalPlanQual) — a row that no longer qualifies, or was deleted, is skipped. NOWAIT errors instead of waiting,
 * SKIP LOCKED skips a row someone else holds.
 */
import type { Executor } from './executor.js';
import { PgError } from '../errors.js';
import type { Session } from '../session/session.js';
import type { Compiled } from '../sql/expr.js';
import type { Table } from '../catalog/catalog.js';
import { lockTuple, lockLatest, type WaitPolicy } from './rowlocks.js';
import { TM } from '../visibility/visibility.js';
import type { TupleLockMode } from '../heap/heapam.js';
import { usesXactSnapshot } from '../xact/xact.js';
import { convertRow } from './execPartition.js';
import type { Gen, Candidate } from './util.js';

export function* lockRowForSelect(ex: Executor, s: Session, root: Table, c: Candidate, mode: TupleLockMode, policy: WaitPolicy,
  where: Compiled | null): Gen<Candidate | null> {
  // a row of a partitioned table is locked in the partition that holds it (its rowmark names the leaf)
  const t = c.rel ?? root;
  const { tm, skipped } = yield* lockTuple(ex, s, t, c.blk, c.off, mode, policy, true);
  if (skipped) return null;
  switch (tm) {
    case TM.Ok: return c;
    case TM.Updated: case TM.Deleted: {
      if (usesXactSnapshot(s.tx!.isolation)) throw new PgError('40001', 'could not serialize access due to concurrent update');
      if (tm === TM.Deleted) return null;
      const found = yield* lockLatest(ex, s, t, c.item, mode, policy, true);
      if (!found) return null;
      const latest: Candidate = t === root ? found : { ...found, vals: convertRow(t, root, found.vals), rel: t };
      if (where && where.fn(latest) !== true) return null;
      return latest;
    }
    default: return null; // TM_SelfModified, TM_Invisible
  }
}
