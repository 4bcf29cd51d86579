/**
 * pg_walinspect and pg_buffercache (contrib/pg_walinspect.ts, contrib/pg_buffercache.ts): what they refuse, and
 * invariants between their functions. Their rows are compared with PostgreSQL 15 in tests/scenarios/walinspect.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';
import { snapshotOfState } from '../../src/engine/inspect/inspect.js';

beforeAll(async () => { await initParser(); });

function engine() {
  const e = new Engine();
  e.createSession('s1');
  for (const sql of ['CREATE EXTENSION pg_walinspect', 'CREATE EXTENSION pg_buffercache', 'CREATE TABLE m (l text)', 'CREATE TABLE t (id int PRIMARY KEY, v int)']) ok(e, sql);
  return e;
}
function ok(e: Engine, sql: string) {
  const r = e.execute('s1', sql);
  expect(r.outcome.error, sql).toBeNull();
  return r.outcome.results.at(-1)?.rows ?? [];
}
const mark = (e: Engine) => ok(e, 'INSERT INTO m SELECT pg_current_wal_insert_lsn()::text');
const FROM_MARK = '(SELECT l FROM m)::pg_lsn, pg_current_wal_flush_lsn()';

describe('pg_walinspect', () => {
  it('refuses, with 0A000 and no change, the columns it does not model; the others are read', () => {
    const e = engine();
    ok(e, 'INSERT INTO t VALUES (0, 0)'); // the index's first entry (Btree NEWROOT, whose main_data_length is not modelled)
    mark(e);
    ok(e, 'INSERT INTO t VALUES (1, 1)');
    ok(e, 'SELECT l FROM m'); // its hint bits set now, by a read that is not under test
    // the heap, Btree and COMMIT records of the INSERT are described (their text: tests/scenarios/walinspect/describe.out)
    expect(ok(e, `SELECT * FROM pg_get_wal_records_info(${FROM_MARK})`).length).toBeGreaterThan(0);
    ok(e, 'CHECKPOINT');
    ok(e, 'UPDATE t SET v = 2 WHERE id = 1'); // after the checkpoint: the flush pointer passes the CHECKPOINT record
    ok(e, 'CREATE TABLE z (x int)'); // a COMMIT that changed catalogs: its invalidation messages are not modelled
    for (const sql of [`SELECT * FROM pg_get_wal_records_info(${FROM_MARK})`, `SELECT description FROM pg_get_wal_records_info(${FROM_MARK})`,
      `SELECT description FROM pg_get_wal_records_info(${FROM_MARK}) WHERE resource_manager = 'Transaction'`,
      "SELECT count(*) FROM pg_get_wal_stats('0/10', pg_current_wal_flush_lsn())"]) {
      const before = JSON.stringify(snapshotOfState(e));
      const r = e.execute('s1', sql);
      expect(r.outcome.error?.sqlstate, sql).toBe('0A000');
      expect(JSON.stringify(snapshotOfState(e)), sql).toBe(before);
    }
    expect(ok(e, `SELECT block_ref, main_data_length FROM pg_get_wal_records_info(${FROM_MARK}) WHERE resource_manager = 'Transaction' LIMIT 3`)).toEqual([['', '8'], ['', '8'], ['', '8']]);
  });

  it('compares pg_lsn as positions, not as text', () => {
    const e = engine();
    ok(e, "INSERT INTO m VALUES ('0/FFFFFFF'), ('0/10000000'), ('1/0'), ('0/9')");
    expect(ok(e, 'SELECT l FROM m ORDER BY l::pg_lsn')).toEqual([['0/9'], ['0/FFFFFFF'], ['0/10000000'], ['1/0']]);
    expect(ok(e, "SELECT '0/FFFFFFF'::pg_lsn < '0/10000000'::pg_lsn, '1/0'::pg_lsn > '0/FFFFFFFF'::pg_lsn, '0/A'::pg_lsn = '0/0000000A'::pg_lsn")).toEqual([['t', 't', 't']]);
  });

  it('its statistics add up to the records of the same range, whatever the statements', () => {
    const stmt = fc.constantFrom('INSERT INTO t VALUES ($1, 1)', 'UPDATE t SET v = v + 1 WHERE id = $1', 'UPDATE t SET id = id + 1000 WHERE id = $1', 'DELETE FROM t WHERE id = $1', 'CHECKPOINT', 'VACUUM t');
    fc.assert(fc.property(fc.array(fc.tuple(stmt, fc.integer({ min: 1, max: 20 })), { minLength: 1, maxLength: 12 }), (steps) => {
      const e = engine();
      mark(e);
      for (const [s, k] of steps) e.execute('s1', s.replace('$1', String(k)));
      const recs = ok(e, `SELECT resource_manager, record_type, record_length, fpi_length FROM pg_get_wal_records_info(${FROM_MARK})`);
      const stats = ok(e, `SELECT * FROM pg_get_wal_stats(${FROM_MARK}, true)`);
      const byRmgr = ok(e, `SELECT * FROM pg_get_wal_stats(${FROM_MARK})`);
      expect(byRmgr).toHaveLength(22);
      expect(stats.reduce((n, r) => n + Number(r[1]), 0)).toBe(recs.length);
      expect(byRmgr.reduce((n, r) => n + Number(r[1]), 0)).toBe(recs.length);
      for (const r of stats) {
        const mine = recs.filter((x) => `${x[0]}/${x[1]}` === r[0]);
        expect(Number(r[1])).toBe(mine.length);
        expect(Number(r[3])).toBe(mine.reduce((n, x) => n + Number(x[2]) - Number(x[3]), 0)); // record_length includes the image
        expect(Number(r[5])).toBe(mine.reduce((n, x) => n + Number(x[3]), 0));
        expect(Number(r[7])).toBe(Number(r[3]) + Number(r[5]));
      }
      expect(Math.abs(stats.reduce((n, r) => n + Number(r[2]), 0) - 100)).toBeLessThan(1e-9);
    }), { numRuns: 25 });
  });
});

describe('pg_buffercache', () => {
  it('refuses bufferid, usagecount and an index\'s blocks with 0A000; a table\'s blocks and their dirtiness are read', () => {
    const e = engine();
    ok(e, 'INSERT INTO t VALUES (1, 1)');
    for (const sql of ['SELECT * FROM pg_buffercache', 'SELECT bufferid FROM pg_buffercache', 'SELECT max(usagecount) FROM pg_buffercache',
      "SELECT relblocknumber FROM pg_buffercache WHERE relfilenode = pg_relation_filenode('t_pkey')"]) {
      expect(e.execute('s1', sql).outcome.error?.sqlstate, sql).toBe('0A000');
    }
    const blocks = "SELECT relblocknumber, isdirty FROM pg_buffercache WHERE relfilenode = pg_relation_filenode('t') AND relforknumber = 0";
    expect(ok(e, blocks)).toEqual([['0', 't']]);
    ok(e, 'CHECKPOINT');
    expect(ok(e, blocks)).toEqual([['0', 'f']]);
  });
});
