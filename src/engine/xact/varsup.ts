/**
 * Transaction-id limits: how close the cluster is to wraparound, and what PostgreSQL does about it.
 *
 * Xids are 32 bits and compared modulo 2^32: every xid sees 2^31 xids as "the past" and 2^31 as "the future". A
 * row whose xmin falls more than 2^31 xids behind the newest would suddenly look as if it were in the future and
 * vanish — so the oldest unfrozen xid of any database (datfrozenxid, from the tables' relfrozenxid) sets limits
 * (SetTransactionIdLimit):
 *
 *     xidWrapLimit = oldest datfrozenxid + 2^31 - 1         the point of no return
 *     xidStopLimit = xidWrapLimit - 3,000,000               new xids refused: ERROR 54000 "database is not accepting
 *                                                            commands to avoid wraparound data loss in database …"
 *     xidWarnLimit = xidWrapLimit - 40,000,000              every new xid: WARNING "database … must be vacuumed
 *                                                            within N transactions"
 *     xidVacLimit  = oldest datfrozenxid + autovacuum_freeze_max_age   anti-wraparound autovacuum starts, even with
 *                                                            autovacuum = off
 *
 * In a fresh PostgreSQL 15 cluster the oldest datfrozenxid is 716, in template1 (measured: pg_controldata's
 * "oldestXID 716", "oldestXID's DB 1"), so the warnings name template1 until every database is vacuumed.
 *
 * Using up two billion xids one at a time is not something a learner can wait for: Heapscope's server control
 * "consume xids" (Engine.consumeXids) moves the next xid forward the way `pg_resetwal -x` would, with the same
 * effect on a cluster (all the skipped xids count as never used). That control is Heapscope's, not PostgreSQL's.
 *
 * Mirrors: src/backend/access/transam/varsup.c (GetNewTransactionId's limit checks, SetTransactionIdLimit),
 * src/bin/pg_resetwal (-x). Simplifications: xids are plain numbers that never wrap (the stop limit comes first);
 * the oldest datfrozenxid is the oldest of template0/template1's (716 until an anti-wraparound autovacuum, which
 * vacuums them too), postgres's catalogs' (716 until a database-wide VACUUM or that autovacuum) and the relfrozenxid
 * of any table that carries one (set by freezing, where the engine models it); no multixact limits.
 */
import { PgError, type PgMessage } from '../errors.js';

/** FirstNormalTransactionId..: the oldest datfrozenxid of a fresh PostgreSQL 15 cluster, and its database */
export const FRESH_OLDEST_XID = 716;
export const FRESH_OLDEST_XID_DB = 'template1';
const MAX_XID_HALF = 2 ** 31 - 1;

export interface XidLimits {
  oldestXid: number; oldestDb: string;
  wrapLimit: number; stopLimit: number; warnLimit: number; vacLimit: number;
  pastVacLimit(xid: number): boolean;
}

/** SetTransactionIdLimit */
export function xidLimits(oldestXid: number, oldestDb: string, freezeMaxAge: number): XidLimits {
  const wrapLimit = oldestXid + MAX_XID_HALF;
  const vacLimit = oldestXid + freezeMaxAge;
  return {
    oldestXid, oldestDb, wrapLimit, stopLimit: wrapLimit - 3_000_000, warnLimit: wrapLimit - 40_000_000, vacLimit,
    pastVacLimit: (xid) => xid >= vacLimit,
  };
}

/** GetNewTransactionId's check before handing out `xid`: an error to throw, a warning to send, or nothing. */
export type XidCheck = { kind: 'Ok' } | { kind: 'Warn'; notice: PgMessage } | { kind: 'Refuse'; error: PgError };

const HINT_TAIL = 'You might also need to commit or roll back old prepared transactions, or drop stale replication slots.';

export function checkNewXid(xid: number, l: XidLimits): XidCheck {
  if (xid < l.warnLimit) return { kind: 'Ok' };
  if (xid >= l.stopLimit) {
    return { kind: 'Refuse', error: new PgError('54000', `database is not accepting commands to avoid wraparound data loss in database "${l.oldestDb}"`,
      { hint: `Stop the postmaster and vacuum that database in single-user mode.\n${HINT_TAIL}` }) };
  }
  return { kind: 'Warn', notice: { severity: 'WARNING', sqlstate: '01000', message: `database "${l.oldestDb}" must be vacuumed within ${l.wrapLimit - xid} transactions`,
    hint: `To avoid a database shutdown, execute a database-wide VACUUM in that database.\n${HINT_TAIL}` } };
}

/** The Heapscope shortcut's bounds: forward only, and not past the wraparound point. */
export function checkConsume(nextXid: number, target: number, l: XidLimits): void {
  if (!Number.isInteger(target) || target <= nextXid) throw new PgError('22023', `the next transaction id can only move forward (it is ${nextXid})`);
  if (target >= l.wrapLimit) throw new PgError('22023', `the next transaction id must stay below the wraparound limit ${l.wrapLimit}`);
}
