/** The Standby records (wal/standby.ts), XLOG NEXTOID and a B-tree build's pages (wal/nbtsort_xlog.ts): the rules. */
import { describe, it, expect, beforeAll } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';
import { WalKind } from '../../src/engine/wal/wal.js';
import { recordLength, type RunningXactsPayload, type StandbyLockPayload } from '../../src/engine/wal/standby.js';
import { xactRecordLength } from '../../src/engine/xact/xactblock.js';
import { VAR_OID_PREFETCH } from '../../src/engine/catalog/catalog.js';

beforeAll(async () => { await initParser(); });

function fresh(...names: string[]) {
  const e = new Engine();
  for (const n of ['setup', ...names]) e.createSession(n);
  e.execute('setup', 'CREATE TABLE t (id int, v int); CREATE TABLE u (id int)');
  return e;
}
/** the records from index `from`, as [kind, payload] */
const since = (e: Engine, from: number) => Array.from({ length: e.wal.count - from }, (_, k) => [e.wal.kindOf(from + k), e.wal.payloadOf(from + k)] as const);

describe('Standby records', () => {
  it('a record without blocks: 24 + 2 + main data, the long data header (5) past 255 bytes', () => {
    expect(recordLength(24)).toBe(50);
    expect(recordLength(255)).toBe(281);
    expect(recordLength(256)).toBe(285);
  });

  it('a checkpoint logs RUNNING_XACTS before its record (its redo pointer), with the running xids latest connection first', () => {
    const e = fresh('s1', 's2');
    e.execute('s1', 'BEGIN; INSERT INTO t VALUES (1, 1)');
    e.execute('s2', 'BEGIN; INSERT INTO t VALUES (2, 2); SAVEPOINT a; INSERT INTO t VALUES (3, 3)');
    const n = e.wal.count;
    e.execute('setup', 'CHECKPOINT');
    const recs = since(e, n);
    expect(recs.map(([k]) => k)).toEqual([WalKind.StandbyRunningXacts, WalKind.CheckpointOnline]);
    const rx = recs[0]![1] as RunningXactsPayload;
    const x1 = e.sessions[1]!.tx!.xid, x2 = e.sessions[2]!.tx!.xid;
    expect(rx.xids).toEqual([x2, x1]);
    expect(rx.subxids).toEqual([x2 + 1]);
    expect(rx.oldestRunningXid).toBe(x1);
    expect(e.wal.record(n).len).toBe(recordLength(24 + 4 * 3));
    expect(e.control.redo).toBe(e.wal.startOf(n));
  });

  it('more than 64 live subtransactions overflow: no subxids, "subxid ovf"', () => {
    const e = fresh('s1');
    e.execute('s1', 'BEGIN');
    for (let k = 0; k < 65; k++) e.execute('s1', `SAVEPOINT p${k}; INSERT INTO t VALUES (${k}, 0)`);
    const n = e.wal.count;
    e.execute('setup', 'CHECKPOINT');
    const rx = since(e, n)[0]![1] as RunningXactsPayload;
    expect(rx.overflow).toBe(true);
    expect(rx.subxids).toEqual([]);
  });

  it('an AccessExclusiveLock is logged once per transaction and relation, gives an xid, and is listed at a checkpoint', () => {
    const e = fresh('s1');
    e.execute('s1', 'BEGIN');
    const n = e.wal.count;
    e.execute('s1', 'LOCK TABLE u IN ACCESS EXCLUSIVE MODE');
    e.execute('s1', 'LOCK TABLE u IN ACCESS EXCLUSIVE MODE');
    e.execute('s1', 'LOCK TABLE t IN SHARE MODE');
    const xid = e.sessions[1]!.tx!.xid;
    expect(xid).toBeGreaterThan(0);
    const u = e.catalog.get('u')!.oid;
    expect(since(e, n)).toEqual([[WalKind.StandbyLock, { locks: [{ xid, rel: u }] }]]);
    const m = e.wal.count;
    e.execute('setup', 'CHECKPOINT');
    const [lock, running] = since(e, m);
    expect(lock).toEqual([WalKind.StandbyLock, { locks: [{ xid, rel: u }] } satisfies StandbyLockPayload]);
    expect(running![0]).toBe(WalKind.StandbyRunningXacts);
    e.execute('s1', 'COMMIT');
    expect(e.wal.record(e.wal.count - 1).len).toBe(xactRecordLength(0, true)); // XACT_XINFO_HAS_AE_LOCKS
  });

  it('COMMIT / ABORT lengths: xact_time, then xinfo with subtransactions and AE locks', () => {
    expect(xactRecordLength(0, false)).toBe(34);
    expect(xactRecordLength(0, true)).toBe(38);
    expect(xactRecordLength(1, false)).toBe(46);
    expect(xactRecordLength(2, true)).toBe(50);
  });
});

describe('XLOG NEXTOID', () => {
  it('the OID counter logs VAR_OID_PREFETCH OIDs ahead; a crash resumes at the logged bound', () => {
    const e = fresh('s1');
    const bound = e.catalog.oidBound;
    expect(bound).toBe(16384 + VAR_OID_PREFETCH); // the setup's first OID logged the first prefetch
    const nextOids = () => Array.from({ length: e.wal.count }, (_, k) => k).filter((k) => e.wal.kindOf(k) === WalKind.XlogNextOid);
    expect(nextOids().length).toBe(1);
    e.execute('s1', 'CHECKPOINT');
    e.crash();
    e.restart();
    expect(e.catalog.nextOid).toBe(bound);
    e.execute('s1', 'CREATE TABLE w (id int)');
    expect(e.catalog.get('w')!.oid).toBe(bound);
    expect(nextOids().length).toBe(2);
    expect(e.wal.payloadOf(nextOids()[1]!)).toEqual({ nextOid: bound + VAR_OID_PREFETCH });
  });
});

describe('a B-tree build logs its pages', () => {
  it('post-order, then the metapage; an empty index logs its metapage only', () => {
    const e = fresh('s1');
    e.execute('setup', 'INSERT INTO t SELECT g, g FROM generate_series(1, 1000) g');
    const n = e.wal.count;
    e.execute('s1', 'CREATE INDEX t_id ON t (id)');
    const fpis = Array.from({ length: e.wal.count - n }, (_, k) => n + k).filter((k) => e.wal.kindOf(k) === WalKind.XlogFpi);
    expect(fpis.map((k) => e.wal.blkOf(k))).toEqual([1, 2, 4, 3, 0]);
    expect(e.wal.fpiOf(fpis[4]!)).toBe(88);
    const m = e.wal.count;
    e.execute('s1', 'CREATE INDEX u_id ON u (id)');
    const empty = Array.from({ length: e.wal.count - m }, (_, k) => m + k).filter((k) => e.wal.kindOf(k) === WalKind.XlogFpi);
    expect(empty.map((k) => e.wal.blkOf(k))).toEqual([0]);
  });
});
