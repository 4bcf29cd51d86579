/**
 * LOCK TABLE and CHECKPOINT as statements.
 *
 * Mirrors: src/backend/commands/lockcmds.c (LockTableCommand), postmaster/checkpointer.c (RequestCheckpoint).
 */
import type { Executor } from '../executor/executor.js';
import { PgError, notSupported } from '../errors.js';
import type { Session, QueryResult } from '../session/session.js';
import { LockMode } from '../lock/lock.js';
import {
  N, Gen, 
} from '../executor/util.js';

export function* lockStmt(ex: Executor, s: Session, n: N): Gen<QueryResult> {
  if (s.block === 'none') throw new PgError('25P01', 'LOCK TABLE can only be used in transaction blocks');
  if (n.nowait) throw notSupported('LOCK ... NOWAIT');
  const mode = n.mode as LockMode;
  for (const r of n.relations as N[]) {
    const t = ex.table(r.RangeVar);
    yield* ex.eng.acquireLock(s, { type: 'relation', rel: t.oid }, mode);
  }
  return { command: 'LOCK TABLE', columns: null, rows: [] };
}

/** CHECKPOINT (RequestCheckpoint with CHECKPOINT_IMMEDIATE | CHECKPOINT_WAIT): see checkpoint/checkpointer.ts. */
export function checkpoint(ex: Executor, s: Session): QueryResult {
  ex.eng.checkpoint('immediate', s.name);
  return { command: 'CHECKPOINT', columns: null, rows: [] };
}
