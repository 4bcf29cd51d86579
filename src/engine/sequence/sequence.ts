/**
 * Sequences: a counter outside MVCC (CREATE SEQUENCE, serial columns).
 *
 * nextval() is not transactional: a value handed out is never given back, even if the transaction that asked
 * for it rolls back — which is why serial columns have gaps. To avoid a WAL record per call, a sequence logs
 * 32 values ahead (SEQ_LOG_VALS) and logs again when they are used up or when a checkpoint happened since;
 * only a call that writes WAL assigns the transaction an xid (GetTopTransactionId in nextval_internal).
 *
 *     CREATE SEQUENCE s INCREMENT 5 MINVALUE 10 MAXVALUE 22;   -- start 10
 *     nextval: 10 (WAL: "last value 20" — fetching ahead stops at the maximum), 15, 20, then
 *     ERROR 2200H  nextval: reached maximum value of sequence "s" (22)   — or, with CYCLE, 10 again
 *
 * The sequence's own row (SELECT * FROM s) shows last_value, log_cnt (values still covered by the last WAL
 * record) and is_called (whether last_value has been handed out).
 *
 * Mirrors: src/backend/commands/sequence.c (nextval_internal, do_setval, init_params), serial columns from
 * parse_utilcmd.c (transformColumnDefinition). Simplifications: CACHE is always 1 (a larger cache is refused),
 * values are exact (bigint) inside and handed out as numbers when they fit in 2^53.
 */
import { PgError } from '../errors.js';

export const SEQ_LOG_VALS = 32;

export type SeqType = 'int2' | 'int4' | 'int8';
export const SEQ_TYPE_RANGE: Record<SeqType, [bigint, bigint]> = {
  int2: [-32768n, 32767n], int4: [-2147483648n, 2147483647n], int8: [-9223372036854775808n, 9223372036854775807n],
};

/** pg_sequence's row: what CREATE / ALTER SEQUENCE set. */
export interface SeqParams { type: SeqType; start: bigint; increment: bigint; min: bigint; max: bigint; cycle: boolean }

/** A sequence value as SQL sees it: a number when exact, a bigint beyond 2^53. */
export const seqValue = (v: bigint): number | bigint => (v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v);

export class Sequence {
  /** its pg_class row's xmin while CREATE SEQUENCE's transaction may still run (catalog/catalogsnapshot.ts) */
  nameXmin?: number;
  lastValue: bigint;
  isCalled = false;
  logCnt = 0;
  /** LSN of the sequence's page (its last WAL record) */
  pageLsn = 0;
  /** the sequence's page as last written to disk (by a checkpoint); undefined = as created */
  disk?: { lastValue: bigint; isCalled: boolean; logCnt: number; lsn: number };
  /** the column of `ownedBy` the sequence belongs to (OWNED BY t.col, a serial column): dropped with it */
  ownedByColumn: string | null = null;
  params: SeqParams;
  /** a temporary sequence (relpersistence 't', in its session's pg_temp_N): its page is local, nothing is WAL-logged */
  temp?: { session: string; nsp: number };
  /** an unlogged sequence (relpersistence 'u': CREATE UNLOGGED SEQUENCE, a serial / identity column of an unlogged
   *  table): no WAL for nextval / setval, reset to its start by crash recovery (commands/unlogged.ts) */
  unlogged?: boolean;
  /** an unlogged sequence's init fork: its state when its file was made (crash recovery resets the sequence to it) */
  init?: { lastValue: bigint; isCalled: boolean };
  constructor(readonly oid: number, public name: string, max: number | bigint | SeqParams, public ownedBy: string | null) {
    this.params = typeof max === 'object'
      ? max
      : { type: BigInt(max) > 2147483647n ? 'int8' : BigInt(max) === 32767n ? 'int2' : 'int4', start: 1n, increment: 1n, min: 1n, max: BigInt(max), cycle: false };
    this.lastValue = this.params.start;
  }

  get max(): bigint { return this.params.max; }
  get min(): bigint { return this.params.min; }

  clone(): Sequence {
    const s = new Sequence(this.oid, this.name, { ...this.params }, this.ownedBy);
    s.ownedByColumn = this.ownedByColumn; s.lastValue = this.lastValue; s.isCalled = this.isCalled;
    s.logCnt = this.logCnt; s.pageLsn = this.pageLsn; s.disk = this.disk;
    if (this.temp) s.temp = this.temp;
    if (this.unlogged) s.unlogged = true;
    if (this.init) s.init = { ...this.init };
    if (this.nameXmin !== undefined) s.nameXmin = this.nameXmin;
    return s;
  }

  /**
   * nextval_internal with a cache of 1: the value handed out, and — when this call must write WAL — the value
   * logged (SEQ_LOG_VALS ahead, or fewer when the range ends first). `redoLsn`: the last checkpoint's redo
   * pointer (a page not logged since must be logged again, for full-page-write safety).
   */
  next(redoLsn: number): { value: bigint; logged: bigint | null } {
    const { increment: incby, max: maxv, min: minv, cycle } = this.params;
    let next = this.lastValue, last = next, result = next;
    let fetch = 1, rescnt = 0, log = this.logCnt, logit = false;
    if (!this.isCalled) { rescnt++; fetch--; }
    if (log < fetch || !this.isCalled || this.pageLsn <= redoLsn) { fetch = log = fetch + SEQ_LOG_VALS; logit = true; }
    while (fetch) {
      if (incby > 0n) {
        if ((maxv >= 0n && next > maxv - incby) || (maxv < 0n && next + incby > maxv)) {
          if (rescnt > 0) break;
          if (!cycle) throw new PgError('2200H', `nextval: reached maximum value of sequence "${this.name}" (${maxv})`);
          next = minv;
        } else next += incby;
      } else if ((minv < 0n && next < minv - incby) || (minv >= 0n && next + incby < minv)) {
        if (rescnt > 0) break;
        if (!cycle) throw new PgError('2200H', `nextval: reached minimum value of sequence "${this.name}" (${minv})`);
        next = maxv;
      } else next += incby;
      fetch--;
      if (rescnt < 1) { log--; rescnt++; last = next; if (rescnt === 1) result = next; }
    }
    log -= fetch;
    this.lastValue = last;
    this.isCalled = true;
    this.logCnt = log;
    return { value: result, logged: logit ? next : null };
  }
}
