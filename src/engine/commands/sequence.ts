/**
 * Sequences: nextval, currval, setval. A sequence is not transactional — a value handed out is never given back,
 * even if the transaction rolls back — and to avoid a WAL record per value, nextval logs 32 values ahead
 * (SEQ_LOG_VALS) and only writes again when those are used up or a checkpoint has happened since.
 *
 *     SELECT nextval('s');  -- 1: WAL record "last value 33", the transaction gets an xid
 *     SELECT nextval('s');  -- 2: no WAL
 *     ROLLBACK;              -- 1 and 2 stay used: the next nextval gives 3
 *
 * Mirrors: src/backend/commands/sequence.c (nextval_internal, currval_oid, do_setval).
 */
import type { Engine } from '../engine.js';
import { PgError, notSupported } from '../errors.js';
import { type Session } from '../session/session.js';
import { type SequencePayload } from '../wal/records.js';
import { WalKind } from '../wal/wal.js';
import { ensureTopXid, ensureTx } from '../xact/xactblock.js';

export function sequence(eng: Engine, name: string) {
  const seq = eng.catalog.sequences.get(name);
  if (!seq) throw new PgError('42P01', `relation "${name}" does not exist`);
  return seq;
}

/** nextval(): not transactional; logs (and assigns an xid) every SEQ_LOG_VALS values or after a checkpoint. */
export function nextval(eng: Engine, s: Session, name: string): number {
  const seq = sequence(eng, name);
  const tx = ensureTx(eng, s);
  if (tx.readOnly) throw new PgError('25006', 'cannot execute nextval() in a read-only transaction');
  const { value, logit } = seq.next(eng.wal.redoLsn);
  if (logit) {
    const xid = ensureTopXid(eng, s, tx);
    seq.pageLsn = eng.wal.insert(WalKind.SequenceLog, xid, 99, seq.oid, 0, 0, 0, { lastValue: seq.lastValue + seq.logCnt, isCalled: true } satisfies SequencePayload);
  }
  s.currvals.set(name, value);
  if (eng.tracer.wants('wal')) eng.tracer.emit({ kind: 'wal', session: s.name, text: `nextval('${name}') = ${value}${logit ? ' (logged 32 values ahead: WAL record, and the transaction gets an xid)' : ' (no WAL: within the values already logged)'}; a rollback will not give it back` });
  return value;
}

export function currval(eng: Engine, s: Session, name: string): number {
  sequence(eng, name);
  const v = s.currvals.get(name);
  if (v === undefined) throw new PgError('55000', `currval of sequence "${name}" is not yet defined in this session`);
  return v;
}

export function setval(eng: Engine, s: Session, name: string, big: number | bigint, isCalled: boolean): number {
  const seq = sequence(eng, name);
  if (big < 1 || big > seq.max) throw new PgError('22003', `setval: value ${big} is out of bounds for sequence "${name}" (1..${seq.max})`);
  if (typeof big === 'bigint') throw notSupported('sequence values beyond 2^53');
  const value = big;
  const xid = ensureTopXid(eng, s);
  seq.lastValue = value; seq.isCalled = isCalled; seq.logCnt = 0;
  seq.pageLsn = eng.wal.insert(WalKind.SequenceLog, xid, 99, seq.oid, 0, 0, 0, { lastValue: value, isCalled } satisfies SequencePayload);
  if (isCalled) s.currvals.set(name, value);
  return value;
}
