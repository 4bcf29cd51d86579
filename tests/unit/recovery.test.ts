/**
 * Crash and recovery (issue #5): the engine against the real PostgreSQL 15 oracle recorded by `npm run record:crash`
 * (tests/durability/immediate-shutdown.expected.json), plus the REDO rules — page LSN comparison, full-page images,
 * torn pages, crashes at micro-points, a crash during recovery, bad requests.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { Engine } from '../../src/engine/engine';
import { initParser } from '../../src/engine/sql/parser';
import { heapPage } from '../../src/engine/inspect/inspect';
import type { CrashPoint } from '../../src/engine/checkpoint/checkpointer';

beforeAll(async () => { await initParser(); });

function engine(names = ['s1', 's2', 's3']) {
  const e = new Engine();
  for (const n of names) e.createSession(n);
  const q = (s: string, sql: string) => {
    const r = e.execute(s, sql);
    if (r.outcome.error) return { error: r.outcome.error, rows: [] as (string | null)[][], tag: '' };
    const last = r.outcome.results[r.outcome.results.length - 1];
    return { error: null, rows: last?.rows ?? [], tag: last?.command ?? '' };
  };
  const rows = (s: string, sql: string) => { const r = q(s, sql); if (r.error) throw new Error(r.error.message); return r.rows; };
  return { e, q, rows };
}

describe('immediate shutdown of a real PostgreSQL 15, replayed in the engine', () => {
  const oracle = JSON.parse(readFileSync('tests/durability/immediate-shutdown.expected.json', 'utf8'));
  test('rows, heap page, transaction status and recovery log match the recording', () => {
    const { e, rows } = engine();
    rows('s1', 'CREATE TABLE t(id int PRIMARY KEY, v text)');
    rows('s1', "INSERT INTO t VALUES (1, 'committed')");
    rows('s2', 'BEGIN');
    rows('s2', "INSERT INTO t VALUES (2, 'uncommitted insert')");
    const s2 = Number(rows('s2', 'SELECT pg_current_xact_id()')[0]![0]);
    rows('s2', "UPDATE t SET v = 'uncommitted update' WHERE id = 1");
    rows('s3', 'SET synchronous_commit = off');
    rows('s3', "INSERT INTO t VALUES (3, 'async commit')");
    const s1 = Number(rows('s1', 'SELECT xmin FROM t WHERE id = 1')[0]![0]);
    const s3 = Number(rows('s1', 'SELECT xmin FROM t WHERE id = 3')[0]![0]);
    e.advance(1000); // as the recorder waits 1 s: the wal writer has flushed s3's asynchronous COMMIT
    e.crash();
    const { report } = e.restart();
    const norm = (x: string | number | null) => (x === null ? null : Number(x) >= s1 - 5 && Number(x) > 0 ? `xid+${Number(x) - s1}` : String(x));
    const after = rows('s1', 'SELECT id, v, xmin, xmax FROM t ORDER BY id').map((r) => ({ id: r[0], v: r[1], xmin: norm(r[2]!), xmax: norm(r[3]!) }));
    expect(after).toEqual(oracle.rowsAfterRecovery);
    const items = heapPage(e.catalog.get('t')!, 0).items.map((it) => ({
      lp: String(it.lp), lp_flags: String(it.lp_flags), t_xmin: norm(it.t_xmin), t_xmax: it.t_xmax === 0 ? '0' : norm(it.t_xmax), t_ctid: it.t_ctid, t_infomask: String(it.t_infomask),
    }));
    expect(items).toEqual(oracle.heapPageAfterRecovery);
    const status = { s2: rows('s1', `SELECT pg_xact_status('${s2}')`)[0]![0], s3: rows('s1', `SELECT pg_xact_status('${s3}')`)[0]![0], s1: rows('s1', `SELECT pg_xact_status('${s1}')`)[0]![0] };
    expect(status).toEqual(oracle.xactStatusAfterRecovery);
    const log = report.log.map((l) => l.replace(/\s+/g, ' ').replace(/last known up at .*$/, 'last known up at <time>').replace(/[0-9A-F]+\/[0-9A-F]{8}/g, '<lsn>'));
    expect(log).toEqual(oracle.recoveryLog);
  });
});

describe('crash points, REDO rules and bad requests', () => {
  const visible = (rows: (s: string, q: string) => (string | null)[][]) => rows('s1', 'SELECT id, v FROM t ORDER BY id').map((r) => r.join('='));
  function setup(opts: { rows?: number } = {}) {
    const x = engine();
    x.rows('s1', 'CREATE TABLE t(id int PRIMARY KEY, v text)');
    x.rows('s1', `INSERT INTO t SELECT g, 'row ' || g FROM generate_series(1, ${opts.rows ?? 3}) g`);
    return x;
  }

  test('commit-before-flush: the client never hears COMMIT, the row stays on the page, invisible and aborted', () => {
    const { e, rows, q } = setup();
    rows('s2', 'BEGIN');
    rows('s2', "INSERT INTO t VALUES (10, 'lost')");
    const xid = Number(rows('s2', 'SELECT pg_current_xact_id()')[0]![0]);
    rows('s1', "INSERT INTO t VALUES (11, 'flushes the log past s2''s insert')"); // s2's INSERT record reaches the disk
    e.crash('commit-before-flush');
    const r = q('s2', 'COMMIT');
    expect(r.error?.sqlstate).toBe('08006');
    expect(r.error?.message).toMatch(/server closed the connection unexpectedly/);
    expect(e.serverState).toBe('down');
    expect(q('s1', 'SELECT 1').error?.sqlstate).toBe('08006');
    const { report } = e.restart();
    expect(report.abortedNoOutcome).toEqual([xid]);
    expect(visible(rows)).toEqual(['1=row 1', '2=row 2', '3=row 3', "11=flushes the log past s2's insert"]);
    expect(rows('s1', `SELECT pg_xact_status('${xid}')`)[0]![0]).toBe('aborted');
    const onPage = heapPage(e.catalog.get('t')!, 0).items.find((i) => i.t_xmin === xid);
    expect(onPage?.values).toEqual(['10', 'lost']); // no UNDO: still there
  });

  test('commit-after-flush: the client lost its connection, but the commit is durable and comes back', () => {
    const { e, rows, q } = setup();
    rows('s2', 'BEGIN');
    rows('s2', "INSERT INTO t VALUES (10, 'kept')");
    e.crash('commit-after-flush');
    expect(q('s2', 'COMMIT').error?.sqlstate).toBe('08006');
    e.restart();
    expect(visible(rows)).toContain('10=kept');
  });

  test('synchronous_commit = off: a crash before the wal writer loses the reported COMMIT; after 200 ms it survives', () => {
    for (const wait of [0, 200]) {
      const { e, rows } = setup();
      rows('s3', 'SET synchronous_commit = off');
      expect(engineTag(e, 's3', "INSERT INTO t VALUES (20, 'async')")).toBe('INSERT 0 1');
      e.advance(wait);
      const out = e.crash();
      expect(e.lastCrash!.lostCommits.length).toBe(wait ? 0 : 1);
      expect(out[0]!.trace.events.some((ev) => ev.kind === 'crash')).toBe(true);
      e.restart();
      expect(visible(rows).includes('20=async')).toBe(wait > 0);
    }
  });

  test('page LSN decides: records whose changes a checkpoint already wrote are skipped, later ones applied', () => {
    const { e, rows } = setup();
    rows('s1', 'CHECKPOINT');
    rows('s1', "UPDATE t SET v = 'after checkpoint' WHERE id = 2");
    e.bgwriter(); // writes the page (and flushes WAL up to its LSN first: the WAL rule)
    rows('s1', "UPDATE t SET v = 'after bgwriter' WHERE id = 3");
    e.crash();
    const { report } = e.restart();
    const heapSteps = report.steps.filter((s) => /Heap\//.test(s.text));
    expect(heapSteps.map((s) => s.action)).toEqual(['BLK_RESTORED', 'BLK_NEEDS_REDO']); // the FPI record restores, the next applies
    expect(visible(rows)).toEqual(['1=row 1', '2=after checkpoint', '3=after bgwriter']);
  });

  test('checkpoint-halfway: pg_control keeps the old redo pointer; pages already written are skipped by REDO', () => {
    const { e, rows } = setup({ rows: 600 }); // three heap pages
    rows('s1', 'CHECKPOINT');
    e.setFullPageWrites(false); // with full-page images every first record would restore its page instead
    rows('s1', "UPDATE t SET v = 'x'");
    const redoBefore = e.control.redo;
    e.crash('checkpoint-halfway');
    const out = e.execute('s1', 'CHECKPOINT');
    expect(out.outcome.error?.sqlstate).toBe('08006');
    expect(e.control.redo).toBe(redoBefore);
    const written = e.catalog.get('t')!.heap.disk.filter(Boolean).length;
    expect(written).toBeGreaterThan(0);
    const { report } = e.restart();
    expect(report.skipped).toBeGreaterThan(0);
    expect(rows('s1', 'SELECT count(*), sum(id), min(v), max(v) FROM t')[0]).toEqual(['600', '180300', 'x', 'x']);
  });

  test('page-write-after-wal-flush: the WAL rule flushed the log first, so REDO has every change the lost write carried', () => {
    const { e, rows, q } = setup();
    rows('s2', 'BEGIN');
    rows('s2', "UPDATE t SET v = 'uncommitted' WHERE id = 2"); // only in WAL buffers: nobody flushed it
    const flushedBefore = e.wal.flushedLsn;
    e.crash('page-write-after-wal-flush');
    expect(q('s1', 'CHECKPOINT').error?.sqlstate).toBe('08006');
    expect(e.wal.flushedLsn).toBeGreaterThan(flushedBefore); // the flush happened, the write did not
    expect(e.catalog.get('t')!.heap.disk[0]).toBeUndefined();
    const { report } = e.restart();
    expect(report.abortedNoOutcome.length).toBe(1);
    expect(visible(rows)).toEqual(['1=row 1', '2=row 2', '3=row 3']);
    const p0 = heapPage(e.catalog.get('t')!, 0);
    expect(p0.items.some((i) => i.values?.[1] === 'uncommitted')).toBe(true); // the aborted version is on the page again
  });

  for (const fpw of [true, false]) {
    test(`torn page write with full_page_writes = ${fpw ? 'on: the full-page image repairs it' : 'off: the page stays corrupt'}`, () => {
      const { e, rows, q } = setup();
      e.setFullPageWrites(fpw);
      rows('s1', 'CHECKPOINT'); // the page is on disk
      rows('s1', "UPDATE t SET v = 'changed' WHERE id = 1"); // first change since the checkpoint: FPI when fpw is on
      rows('s1', "INSERT INTO t VALUES (4, 'new')");
      e.crash('torn-write');
      expect(q('s1', 'CHECKPOINT').error?.sqlstate).toBe('08006');
      expect(e.catalog.get('t')!.heap.disk[0]!.torn).toBe(true);
      const { report } = e.restart();
      if (fpw) {
        // two images: the heap page's (the UPDATE) and the index leaf's (the INSERT's first index entry after the checkpoint)
        expect(report.restored).toBe(2);
        expect(report.corruptPages).toEqual([]);
        expect(visible(rows)).toEqual(['1=changed', '2=row 2', '3=row 3', '4=new']);
      } else {
        expect(report.restored).toBe(0);
        expect(report.corruptPages).toEqual(['t block 0']);
        expect(visible(rows)).not.toEqual(['1=changed', '2=row 2', '3=row 3', '4=new']);
      }
    });
  }

  test('a crash during recovery, then recovery again: the same result as one recovery', () => {
    const a = setup();
    a.rows('s2', 'BEGIN');
    a.rows('s2', "UPDATE t SET v = 'uncommitted' WHERE id = 2");
    a.rows('s1', 'DELETE FROM t WHERE id = 3');
    a.e.crash();
    const b = a.e.clone();
    a.e.restart();
    const r1 = b.restart({ crashAfterRecords: 4 });
    expect(r1.report.outcome).toBe('CrashedDuringRecovery');
    expect(b.control.state).toBe('in crash recovery');
    expect(b.serverState).toBe('down');
    const r2 = b.restart();
    expect(r2.report.log[0]).toMatch(/interrupted while in recovery/);
    expect(visible((s: string, sql: string) => b.execute(s, sql).outcome.results[0]!.rows)).toEqual(visible(a.rows));
    expect(heapPage(b.catalog.get('t')!, 0)).toEqual(heapPage(a.e.catalog.get('t')!, 0));
  });

  test('serial values logged ahead are skipped after a crash, as in PostgreSQL (SEQ_LOG_VALS = 32)', () => {
    const { e, rows } = engine();
    rows('s1', 'CREATE TABLE s(id serial PRIMARY KEY, v int)');
    rows('s1', 'INSERT INTO s(v) VALUES (1), (2)');
    e.crash();
    e.restart();
    expect(rows('s1', 'INSERT INTO s(v) VALUES (3) RETURNING id')[0]![0]).toBe('34');
  });

  test('bad requests are refused and change nothing; a waiting statement dies with the server', () => {
    const { e, rows, q } = setup();
    expect(() => e.restart()).toThrow(/nothing to recover/);
    expect(() => e.crash('sideways' as CrashPoint)).toThrow(/unknown crash point/);
    rows('s1', 'BEGIN');
    rows('s1', "UPDATE t SET v = 'held' WHERE id = 1");
    const waiting = e.execute('s2', "UPDATE t SET v = 'waits' WHERE id = 1");
    expect(waiting.outcome.status).toBe('waiting');
    expect(q('s3', 'CHECKPOINT').tag).toBe('CHECKPOINT'); // a checkpoint while a statement waits
    expect(e.session('s2').running).not.toBeNull();
    const out = e.crash();
    expect(out.find((o) => o.session === 's2')?.error?.sqlstate).toBe('08006');
    expect(() => e.crash()).toThrow(/already down/);
    expect(() => e.checkpointNow()).toThrow(/down/);
    e.restart();
    expect(visible(rows)).toEqual(['1=row 1', '2=row 2', '3=row 3']);
    expect(e.session('s2').pid).toBeGreaterThan(1003); // reconnected as a new backend
  });

  test('a torn write of the page an UPDATE moved the new version to is repaired by that page\'s own full-page image', () => {
    const e = new Engine();
    e.createSession('s1');
    const run = (sql: string) => { const r = e.execute('s1', sql); expect(r.outcome.error, sql).toBeNull(); return r.outcome; };
    run('CREATE TABLE t (id int PRIMARY KEY, v int)');
    run('INSERT INTO t SELECT g, 0 FROM generate_series(1, 227) AS g'); // page 0 holds 226 rows, page 1 one
    run('CHECKPOINT');
    run('UPDATE t SET v = 1 WHERE id = 1'); // page 0 is full: the new version goes to page 1 (its first change since the checkpoint)
    e.bgwriter();
    run('UPDATE t SET v = 2 WHERE id = 227');
    e.crash('torn-write');
    e.bgwriter(); // the crash is armed at the next page write
    const { report } = e.restart();
    expect(report.corruptPages).toEqual([]);
    expect(run('SELECT id, v FROM t WHERE id IN (1, 227) ORDER BY id').results[0]!.rows).toEqual([['1', '1'], ['227', '2']]);
  });
});

describe('REDO of Heap2/VISIBLE: the visibility map after a crash is the map before it', () => {
  test('VACUUM then VACUUM (FREEZE): the all-visible record and the all-frozen-only record (flags 0x02) are both replayed', () => {
    const { e, rows } = engine(['s1']);
    rows('s1', 'CREATE EXTENSION pg_visibility');
    rows('s1', 'CREATE TABLE g (id int, v int)');
    rows('s1', 'CREATE TABLE h (id int)');
    rows('s1', 'INSERT INTO g SELECT x, x FROM generate_series(1, 400) x'); // two heap pages
    rows('s1', 'CHECKPOINT');
    rows('s1', 'VACUUM g'); // all-visible, flags 0x01
    rows('s1', 'VACUUM (FREEZE) g'); // only the all-frozen bit: flags 0x02
    rows('s1', 'CREATE TABLE f (id int, v int)');
    rows('s1', 'INSERT INTO f SELECT x, x FROM generate_series(1, 10) x');
    rows('s1', 'VACUUM (FREEZE) f'); // both bits in one record: flags 0x03
    const map = "SELECT 'g', blkno, all_visible, all_frozen FROM pg_visibility_map('g') UNION ALL SELECT 'f', blkno, all_visible, all_frozen FROM pg_visibility_map('f') ORDER BY 1, 2";
    const before = rows('s1', map);
    expect(before.filter((r) => r[3] === 't').length).toBe(3);
    rows('s1', 'INSERT INTO h VALUES (1)'); // its COMMIT flushes the log, the VACUUMs' records with it
    e.crash();
    e.restart();
    expect(rows('s1', map)).toEqual(before);
  });
});

function engineTag(e: Engine, s: string, sql: string) {
  const r = e.execute(s, sql);
  return r.outcome.error ? r.outcome.error.message : r.outcome.results[0]!.command;
}
