/**
 * contrib/pgrowlocks.ts: its module doc's example, and what the scenarios (tests/scenarios/rowlocks/pgrowlocks*.spec,
 * recorded from PostgreSQL 15) cannot show — the engine's refusal to wait for the table lock, the function's
 * absence before CREATE EXTENSION, and that its AccessShareLock does not outlive the call.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';

beforeAll(async () => { await initParser(); });

function engine() {
  const e = new Engine();
  for (const s of ['s1', 's2', 's3']) e.createSession(s);
  const run = (s: string, sql: string) => e.execute(s, sql).outcome;
  const rows = (s: string, sql: string) => {
    const o = run(s, sql);
    if (o.error) throw new Error(`${s}: ${sql}: ${o.error.message}`);
    return o.results[o.results.length - 1]!.rows.map((r) => r.join(' | '));
  };
  return { e, run, rows };
}
const SETUP = 'CREATE EXTENSION pgrowlocks; CREATE TABLE t (k int PRIMARY KEY, v int); INSERT INTO t VALUES (1, 0), (2, 0);';

describe('pgrowlocks', () => {
  it('the module doc: a FOR UPDATE lock by one xid, two FOR SHARE lockers as MultiXact 1, with their backend pids', () => {
    const { rows } = engine();
    rows('s1', SETUP);
    rows('s1', 'BEGIN; SELECT * FROM t WHERE k = 1 FOR UPDATE;');
    rows('s2', 'BEGIN; SELECT * FROM t WHERE k = 2 FOR SHARE;');
    rows('s3', 'BEGIN; SELECT * FROM t WHERE k = 2 FOR SHARE;');
    expect(rows('s1', "SELECT * FROM pgrowlocks('t')")).toEqual([
      '(0,1) | 725 | f | {725} | {"For Update"} | {1001}',
      '(0,2) | 1 | t | {726,727} | {Share,Share} | {1002,1003}',
    ]);
    expect(['s1', 's2', 's3'].map((s) => rows(s, 'SELECT pg_backend_pid()')[0])).toEqual(['1001', '1002', '1003']);
  });

  it('does not exist before CREATE EXTENSION (42883)', () => {
    const { run, rows } = engine();
    rows('s1', 'CREATE TABLE t (k int)');
    expect(run('s1', "SELECT * FROM pgrowlocks('t')").error?.sqlstate).toBe('42883');
  });

  it('an ACCESS EXCLUSIVE holder would make it wait: refused 0A000 naming the lock, and nothing is left queued', () => {
    const { run, rows } = engine();
    rows('s1', SETUP);
    rows('s1', 'BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE;');
    const err = run('s2', "SELECT * FROM pgrowlocks('t')").error;
    expect(err?.sqlstate).toBe('0A000');
    expect(err?.message).toContain('AccessShareLock on "t"');
    expect(rows('s1', 'SELECT count(*) FROM pg_locks WHERE NOT granted')).toEqual(['0']);
    rows('s1', 'COMMIT');
    expect(rows('s2', "SELECT count(*) FROM pgrowlocks('t')")).toEqual(['0']);
  });

  it('its AccessShareLock ends with the call: inside a transaction pg_locks shows only the FOR UPDATE\'s RowShareLock', () => {
    const { rows } = engine();
    rows('s1', SETUP);
    rows('s1', 'BEGIN; SELECT k FROM t FOR UPDATE;');
    expect(rows('s1', "SELECT locked_row, modes FROM pgrowlocks('t')")).toEqual(['(0,1) | {"For Update"}', '(0,2) | {"For Update"}']);
    expect(rows('s1', "SELECT mode FROM pg_locks WHERE relation = 't'::regclass AND pid = pg_backend_pid()")).toEqual(['RowShareLock']);
  });
});
