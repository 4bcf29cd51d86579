/**
 * LOCK TABLE and CHECKPOINT as statements.
 *
 * LOCK TABLE takes the mode named on each table until the transaction ends; NOWAIT fails at once with 55P03 instead of
 * queueing. Without ONLY the table's children (inheritance children, partitions) are locked too, depth first.
 *
 * Mirrors: src/backend/commands/lockcmds.c (LockTableCommand, LockTableRecurse), postmaster/checkpointer.c (RequestCheckpoint).
 */
import type { Executor } from '../executor/executor.js';
import { PgError } from '../errors.js';
import type { Session, QueryResult } from '../session/session.js';
import { LockMode } from '../lock/lock.js';
import type { Table } from '../catalog/catalog.js';
import { inheritanceChildren, stillExists } from '../catalog/pg_inherits.js';
import { partitionsOf } from '../executor/execPartition.js';
import {
  N, Gen,
} from '../executor/util.js';

export function* lockStmt(ex: Executor, s: Session, n: N): Gen<QueryResult> {
  if (s.block === 'none') throw new PgError('25P01', 'LOCK TABLE can only be used in transaction blocks');
  const mode = n.mode as LockMode;
  for (const r of n.relations as N[]) {
    // RangeVarCallbackForLockTable: a materialized view cannot be LOCKed (checked before the lock is taken)
    if (ex.table(r.RangeVar).matview) {
      throw new PgError('42809', `cannot lock relation "${r.RangeVar.relname}"`, { detail: 'This operation is not supported for materialized views.' });
    }
    // NOWAIT: LockAcquire with dontWait; not available is 55P03 "could not obtain lock on relation"
    for (let t = ex.table(r.RangeVar); ;) {
      const generation = ex.eng.catalog.generation;
      yield* ex.eng.acquireLock(s, { type: 'relation', rel: t.oid }, mode, null, '', { nowait: !!n.nowait });
      // RangeVarGetRelidExtended: DDL committed while it waited — the name again (gone: 42P01)
      if (ex.eng.catalog.generation === generation) break;
      const again = ex.table(r.RangeVar);
      if (again === t) break;
      t = again;
    }
    // LOCK t (not ONLY): its children too, depth first (LockTableRecurse), a child dropped meanwhile let go
    if (r.RangeVar.inh) yield* lockChildren(ex, s, ex.table(r.RangeVar), mode, !!n.nowait);
  }
  return { command: 'LOCK TABLE', columns: null, rows: [] };
}

/** LockTableRecurse: each child (inheritance children and partitions, by OID) locked in `mode`, then its own. */
function* lockChildren(ex: Executor, s: Session, t: Table, mode: LockMode, nowait: boolean): Gen<void> {
  const cat = ex.eng.catalog;
  const children = [...inheritanceChildren(cat, t), ...(t.partKey ? partitionsOf(cat, t) : [])].sort((a, b) => a.oid - b.oid);
  for (const c of children) {
    yield* ex.eng.acquireLock(s, { type: 'relation', rel: c.oid }, mode, null, '', { nowait });
    if (!stillExists(cat, c)) { ex.eng.releaseLock(s, { type: 'relation', rel: c.oid }, mode); continue; }
    yield* lockChildren(ex, s, c, mode, nowait);
  }
}

/** CHECKPOINT (RequestCheckpoint with CHECKPOINT_IMMEDIATE | CHECKPOINT_WAIT): see checkpoint/checkpointer.ts. */
export function checkpoint(ex: Executor, s: Session): QueryResult {
  ex.eng.checkpoint('immediate', s.name);
  return { command: 'CHECKPOINT', columns: null, rows: [] };
}
