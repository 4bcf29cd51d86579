/** The WAL flush pointer (XLogFlush at COMMIT) and the pg_waldump-shaped listing. */
import { describe, it, expect, beforeAll } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';
import { waldump, walPositions } from '../../src/engine/inspect/inspect.js';
import { formatLsn, WAL_WRITER_DELAY } from '../../src/engine/wal/wal.js';

beforeAll(async () => { await initParser(); });

function fresh() {
  const e = new Engine();
  e.createSession('s1');
  e.createSession('s2');
  e.execute('s1', 'CREATE TABLE t(id int PRIMARY KEY, v int)');
  e.execute('s1', 'INSERT INTO t VALUES (1, 10), (2, 20)');
  return e;
}

describe('the flush pointer', () => {
  it('a COMMIT flushes the log up to its own record; the changes before it are on disk with it', () => {
    const e = fresh();
    expect(e.wal.unflushedCount()).toBe(0);
    e.execute('s1', 'BEGIN');
    e.execute('s1', 'UPDATE t SET v = v + 1 WHERE id = 1');
    const afterUpdate = e.wal.count;
    expect(e.wal.unflushedCount()).toBeGreaterThan(0); // the UPDATE's records sit in WAL buffers
    expect(e.wal.record(afterUpdate - 1).flushed).toBe(false);
    e.execute('s1', 'COMMIT');
    const commit = e.wal.record(e.wal.count - 1);
    expect(commit.type).toBe('COMMIT');
    expect(commit.flushed).toBe(true);
    expect(formatLsn(e.wal.flushedLsn)).toBe(commit.endLsn);
    expect(e.wal.unflushedCount()).toBe(0);
  });

  it('an ABORT record is not flushed (losing it loses nothing: no outcome means aborted)', () => {
    const e = fresh();
    const flushed = e.wal.flushedLsn;
    e.execute('s2', 'BEGIN');
    e.execute('s2', 'DELETE FROM t WHERE id = 2');
    e.execute('s2', 'ROLLBACK');
    const abort = e.wal.record(e.wal.count - 1);
    expect(abort.type).toBe('ABORT');
    expect(abort.flushed).toBe(false);
    expect(e.wal.flushedLsn).toBe(flushed);
    // the next commit of anyone flushes the abort record too: the log is flushed as a prefix
    e.execute('s1', 'UPDATE t SET v = 0 WHERE id = 1');
    expect(e.wal.unflushedCount()).toBe(0);
    expect(e.wal.record(e.wal.count - 2).flushed).toBe(true);
  });

  it('a read-only transaction writes and flushes nothing; CHECKPOINT flushes everything', () => {
    const e = fresh();
    e.execute('s2', 'BEGIN');
    e.execute('s2', 'INSERT INTO t VALUES (3, 30)');
    const before = { count: e.wal.count, flushed: e.wal.flushedLsn };
    e.execute('s1', 'SELECT * FROM t');
    expect(e.wal.count).toBe(before.count);
    expect(e.wal.flushedLsn).toBe(before.flushed);
    e.execute('s1', 'CHECKPOINT');
    const pos = walPositions(e);
    expect(pos.unflushedRecords).toBe(0);
    expect(pos.flush).toBe(pos.insert);
    expect(e.wal.flush(0).outcome).toBe('AlreadyFlushed');
  });

  it('the flush pointer never moves backwards and never passes the insert position', () => {
    const e = fresh();
    const r = e.wal.flush(e.wal.insertLsn + 1_000_000);
    expect(r.outcome).toBe('AlreadyFlushed');
    expect(e.wal.flushedLsn).toBeLessThanOrEqual(e.wal.insertLsn);
    expect(e.clone().wal.flushedLsn).toBe(e.wal.flushedLsn);
  });
});

describe('synchronous_commit = off and the wal writer', () => {
  it('an asynchronous COMMIT returns before its record is flushed; the wal writer flushes it one wal_writer_delay later', () => {
    const e = fresh();
    e.execute('s1', 'SET synchronous_commit = off');
    e.execute('s1', 'UPDATE t SET v = 11 WHERE id = 1');
    const commit = e.wal.record(e.wal.count - 1);
    expect(commit.type).toBe('COMMIT');
    expect(commit.flushed).toBe(false);
    expect(e.wal.unflushedCommits()).toEqual([commit.xid]);
    // visible to everyone already: CLOG says committed even though the log is not durable yet
    expect(e.execute('s2', 'SELECT v FROM t WHERE id = 1').outcome.results.at(-1)!.rows).toEqual([['11']]);
    e.advance(WAL_WRITER_DELAY - 1);
    expect(e.wal.unflushedCommits()).toEqual([commit.xid]);
    e.advance(1);
    expect(e.wal.unflushedCommits()).toEqual([]);
    expect(formatLsn(e.wal.flushedLsn)).toBe(commit.endLsn);
  });

  it('a synchronous COMMIT in another session flushes the earlier asynchronous one too (the log is flushed as a prefix)', () => {
    const e = fresh();
    e.execute('s1', 'SET synchronous_commit = off');
    e.execute('s1', 'UPDATE t SET v = 11 WHERE id = 1');
    expect(e.wal.unflushedCommits().length).toBe(1);
    e.execute('s2', 'UPDATE t SET v = 21 WHERE id = 2');
    expect(e.wal.unflushedCommits()).toEqual([]);
    e.execute('s1', 'RESET ALL');
    e.execute('s1', 'UPDATE t SET v = 12 WHERE id = 1');
    expect(e.wal.unflushedCount()).toBe(0);
  });

  it('every setting other than off flushes at COMMIT (no standby: local, remote_write, remote_apply mean on)', () => {
    for (const v of ['local', 'remote_write', 'remote_apply', 'on', 'true', '1']) {
      const e = fresh();
      e.execute('s1', `SET synchronous_commit = ${v}`);
      e.execute('s1', 'DELETE FROM t WHERE id = 2');
      expect(e.wal.unflushedCount(), v).toBe(0);
    }
  });
});

describe('pg_waldump listing', () => {
  it('lays records out as pg_waldump does, with rec excluding and tot including the full-page image', () => {
    const e = fresh();
    e.execute('s1', 'CHECKPOINT');
    const from = e.wal.count;
    e.execute('s1', 'UPDATE t SET v = 11 WHERE id = 1'); // first change after the checkpoint: FPW
    const lines = waldump(e, from);
    const recs = e.wal.records(from);
    expect(lines.length).toBe(recs.length);
    const shape = /^rmgr: (\S+) +len \(rec\/tot\): +(\d+)\/ +(\d+), tx: +(\d+), lsn: ([0-9A-F]+\/[0-9A-F]{8}), prev ([0-9A-F]+\/[0-9A-F]{8}), desc: (.*)$/;
    lines.forEach((line, k) => {
      const m = shape.exec(line);
      expect(m, line).not.toBeNull();
      const r = recs[k]!;
      expect(line.slice(6, 18)).toBe(r.rmgr.padEnd(11) + ' '); // %-11s then a space
      expect(Number(m![2]) + r.fpiLen).toBe(Number(m![3]));
      expect(Number(m![3])).toBe(r.len);
      expect(Number(m![4])).toBe(r.xid);
      expect(m![5]).toBe(r.lsn);
      expect(m![6]).toBe(e.wal.record(from + k - 1).lsn); // prev = the record before
      expect(m![7]!.startsWith(r.type)).toBe(true);
      expect(m![7]!.endsWith(' FPW')).toBe(r.fpiLen > 0);
    });
    expect(recs.some((r) => r.fpiLen > 0)).toBe(true);
  });
});
