/**
 * Sequences (serial columns): a counter outside MVCC.
 *
 * nextval() is not transactional: a value handed out is never given back, even if the transaction that asked
 * for it rolls back — which is why serial columns have gaps. To avoid a WAL record per call, a sequence logs
 * 32 values ahead (SEQ_LOG_VALS) and logs again when they are used up or when a checkpoint happened since;
 * only a call that writes WAL assigns the transaction an xid (GetTopTransactionId in nextval_internal).
 *
 * Mirrors: src/backend/commands/sequence.c (nextval_internal, currval, setval), serial columns from
 * parse_utilcmd.c (transformColumnDefinition). Simplifications: only the serial defaults (start 1, increment 1,
 * cache 1, no cycle); CREATE SEQUENCE statements are not supported yet.
 */
import { PgError } from '../errors.js';

export const SEQ_LOG_VALS = 32;

export class Sequence {
  lastValue = 1;
  isCalled = false;
  logCnt = 0;
  /** LSN of the sequence's page (its last WAL record) */
  pageLsn = 0;
  /** the sequence's page as last written to disk (by a checkpoint); undefined = as created */
  disk?: { lastValue: number; isCalled: boolean; logCnt: number; lsn: number };
  /** the column of `ownedBy` the sequence belongs to (OWNED BY t.col, a serial column): dropped with it */
  ownedByColumn: string | null = null;
  constructor(readonly oid: number, readonly name: string, readonly max: number | bigint, public ownedBy: string | null) {}

  clone(): Sequence {
    const s = new Sequence(this.oid, this.name, this.max, this.ownedBy);
    s.ownedByColumn = this.ownedByColumn; s.lastValue = this.lastValue; s.isCalled = this.isCalled; s.logCnt = this.logCnt; s.pageLsn = this.pageLsn; s.disk = this.disk;
    return s;
  }

  /** The next value, and whether this call must write WAL (then the caller assigns an xid and logs). */
  next(redoLsn: number): { value: number; logit: boolean } {
    let logit = false;
    if (this.logCnt < 1 || !this.isCalled || this.pageLsn <= redoLsn) { logit = true; this.logCnt = SEQ_LOG_VALS + 1; }
    const value = this.isCalled ? this.lastValue + 1 : this.lastValue;
    if (value > this.max) throw new PgError('2200H', `nextval: reached maximum value of sequence "${this.name}" (${this.max})`);
    this.lastValue = value;
    this.isCalled = true;
    this.logCnt--;
    return { value, logit };
  }
}
