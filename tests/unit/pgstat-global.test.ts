// The cluster-wide statistics views count what the engine does (pgstat/pgstat_global.ts): a timed checkpoint in
// checkpoints_timed, CHECKPOINT in checkpoints_req with the buffers it wrote, a background-writer round in
// buffers_clean, pg_stat_wal the engine's own WAL records and full-page images, and pg_stat_database a deadlock
// victim once its session flushes; pg_control_checkpoint() follows the control file.
import { describe, it, expect, beforeAll } from 'vitest';
import { initParser } from '../../src/engine/sql/parser.js';
import { Engine } from '../../src/engine/engine.js';
import { CHECKPOINT_TIMEOUT } from '../../src/engine/checkpoint/checkpointer.js';
import { formatLsn } from '../../src/engine/wal/wal.js';

beforeAll(async () => { await initParser(); });

function setup() {
  const e = new Engine({ trace: false });
  e.createSession('s1'); e.createSession('s2');
  const q = (s: string, sql: string) => { const o = e.execute(s, sql).outcome; if (o.error) throw new Error(`${sql}: ${o.error.message}`); return o; };
  const row = (s: string, sql: string) => q(s, sql).results[0]!.rows[0]!.map((v) => (v === null ? null : String(v)));
  return { e, q, row };
}

describe('pg_stat_bgwriter, pg_stat_wal', () => {
  it('counts requested and timed checkpoints and the buffers each writer wrote', () => {
    const { e, q, row } = setup();
    q('s1', 'CREATE TABLE t (a int)');
    q('s1', 'INSERT INTO t SELECT g FROM generate_series(1, 1000) g');
    e.bgwriter();
    const [clean] = row('s1', 'SELECT buffers_clean FROM pg_stat_bgwriter');
    expect(Number(clean)).toBeGreaterThan(0);
    q('s1', 'UPDATE t SET a = a + 1 WHERE a <= 10');
    q('s1', 'CHECKPOINT');
    expect(row('s2', 'SELECT checkpoints_req, checkpoints_timed, buffers_checkpoint > 0 FROM pg_stat_bgwriter')).toEqual(['1', '0', 't']);
    q('s1', 'INSERT INTO t VALUES (0)');
    e.advance(CHECKPOINT_TIMEOUT + 1);
    expect(row('s2', 'SELECT checkpoints_req, checkpoints_timed FROM pg_stat_bgwriter')).toEqual(['1', '1']);
  });

  it('pg_stat_wal counts the WAL records, their full-page images and bytes', () => {
    const { e, q, row } = setup();
    q('s1', 'CREATE TABLE t (a int)');
    q('s1', 'INSERT INTO t VALUES (1)');
    q('s1', 'CHECKPOINT');
    const [r0, f0, b0] = row('s1', 'SELECT wal_records, wal_fpi, wal_bytes FROM pg_stat_wal').map(Number);
    expect(r0).toBe(e.wal.count);
    q('s1', 'UPDATE t SET a = 2'); // the first change of the page after the checkpoint logs its image
    const [r1, f1, b1] = row('s1', 'SELECT wal_records, wal_fpi, wal_bytes FROM pg_stat_wal').map(Number);
    expect(r1!).toBeGreaterThan(r0!);
    expect(f1).toBe(f0! + 1);
    let bytes = 0;
    for (let i = r0!; i < r1!; i++) bytes += e.wal.lenOf(i);
    expect(b1! - b0!).toBe(bytes);
    expect(bytes).toBeGreaterThan(e.wal.fpiOf(r0!) + e.wal.fpiOf(r1! - 1)); // the image is in the bytes
  });
});

describe('pg_control_checkpoint', () => {
  it('names the last checkpoint record and its redo pointer', () => {
    const { e, q, row } = setup();
    q('s1', 'CREATE TABLE t (a int)');
    q('s1', 'CHECKPOINT');
    const [ck, redo, nextXid] = row('s1', 'SELECT checkpoint_lsn, redo_lsn, next_xid FROM pg_control_checkpoint()');
    expect(formatLsn(e.control.checkPoint).replace(/\/0+/, '/')).toBe(ck);
    expect(formatLsn(e.control.redo).replace(/\/0+/, '/')).toBe(redo);
    expect(nextXid).toBe(`0:${e.control.nextXid}`);
    const [rec] = row('s1', 'SELECT pg_control_checkpoint()');
    expect(rec!.startsWith(`(${ck},${redo},`)).toBe(true);
  });
});

describe('pg_stat_database', () => {
  it('counts a deadlock and the rolled-back transaction of its victim once the victim flushes', () => {
    const { e, q, row } = setup();
    q('s1', 'CREATE TABLE t (a int)');
    q('s1', 'INSERT INTO t VALUES (1), (2)');
    q('s1', 'BEGIN'); q('s2', 'BEGIN');
    q('s1', 'UPDATE t SET a = 10 WHERE a = 1');
    q('s2', 'UPDATE t SET a = 20 WHERE a = 2');
    e.execute('s1', 'UPDATE t SET a = 11 WHERE a = 2'); // waits
    e.execute('s2', 'UPDATE t SET a = 21 WHERE a = 1'); // waits, then deadlock_timeout
    e.advance(1000);
    for (const s of ['s1', 's2']) { q(s, 'ROLLBACK'); q(s, 'SELECT pg_stat_force_next_flush()'); }
    const [deadlocks, rollbacks] = row('s1', "SELECT deadlocks, xact_rollback FROM pg_stat_database WHERE datname = 'postgres'");
    expect(deadlocks).toBe('1');
    expect(rollbacks).toBe('2');
  });
});
