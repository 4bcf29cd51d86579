// Function statistics on the virtual clock (pgstat/pgstat_function.ts): a call's time is the virtual time that
// passed while it ran plus 1 µs of its own, so times are exact and reproducible; a nested counted call's time is
// its caller's total but not its self time. pg_stat_slru models name and blks_zeroed only: naming another column
// is refused with 0A000, as is SELECT *.
import { describe, it, expect, beforeAll } from 'vitest';
import { initParser } from '../../src/engine/sql/parser.js';
import { Engine } from '../../src/engine/engine.js';
import { sqlFunctionInlined } from '../../src/engine/pgstat/pgstat_function.js';
import type { PgFunction } from '../../src/engine/catalog/catalog.js';
import { T } from '../../src/engine/sql/types.js';

beforeAll(async () => { await initParser(); });

function setup() {
  const e = new Engine({ trace: false });
  e.createSession('s1');
  const run = (sql: string) => {
    const o = e.execute('s1', sql).outcome;
    if (o.status !== 'waiting') return o;
    return e.advance(1000).find((x) => x.session === 's1')!; // a pg_sleep: the clock moves on until it ends
  };
  const q = (sql: string) => { const o = run(sql); if (o.error) throw new Error(`${sql}: ${o.error.message}`); return o; };
  const row = (sql: string) => q(sql).results[0]!.rows[0]!.map((v) => (v === null ? null : String(v)));
  return { e, q, row, run };
}

describe('function statistics', () => {
  it('times a call by the virtual clock: a 10 ms pg_sleep, plus 1 µs per call', () => {
    const { q, row } = setup();
    q(`CREATE FUNCTION inner_f() RETURNS void LANGUAGE plpgsql AS $$BEGIN PERFORM pg_sleep(0.01); END;$$`);
    q(`CREATE FUNCTION outer_f() RETURNS void LANGUAGE plpgsql AS $$BEGIN PERFORM inner_f(); END;$$`);
    q(`SET track_functions = 'pl'`);
    q('SELECT outer_f()');
    q('SELECT pg_stat_force_next_flush()');
    expect(row(`SELECT calls, total_time, self_time FROM pg_stat_user_functions WHERE funcname = 'inner_f'`)).toEqual(['1', '10.001', '10.001']);
    expect(row(`SELECT calls, total_time, self_time FROM pg_stat_user_functions WHERE funcname = 'outer_f'`)).toEqual(['1', '10.002', '0.001']);
  });

  it('counts nothing with track_functions = none, and never an inlined SQL function', () => {
    const { q, row } = setup();
    q(`CREATE FUNCTION sq(i int) RETURNS int LANGUAGE sql AS 'SELECT i + 1'`);
    q('SELECT sq(1)');
    expect(row('SELECT count(*) FROM pg_stat_xact_user_functions')).toEqual(['0']);
    q(`SET track_functions = 'all'`);
    q('SELECT sq(1)');
    expect(row('SELECT count(*) FROM pg_stat_xact_user_functions')).toEqual(['0']);
  });

  it('decides inlining from the body and the call site', () => {
    const f = (body: string, extra: Partial<PgFunction> = {}): PgFunction => ({
      oid: 1, name: 'f', args: [], ret: { kind: 'type', type: T.int4 }, setof: false, table: null, language: 'sql',
      volatility: 'volatile', strict: false, body, source: '', ...extra,
    });
    expect(sqlFunctionInlined(f('SELECT 1'), 'expr')).toBe(true);
    expect(sqlFunctionInlined(f('SELECT a FROM t'), 'expr')).toBe(false);
    expect(sqlFunctionInlined(f('SELECT 1; SELECT 2'), 'expr')).toBe(false);
    expect(sqlFunctionInlined(f('SELECT 1'), 'other')).toBe(false);
    expect(sqlFunctionInlined(f('SELECT a FROM t', { volatility: 'stable', setof: true }), 'from')).toBe(true);
    expect(sqlFunctionInlined(f('SELECT a FROM t', { setof: true }), 'from')).toBe(false);
    expect(sqlFunctionInlined(f('SELECT 1', { language: 'plpgsql' }), 'expr')).toBe(false);
  });
});

describe('pg_stat_slru', () => {
  it('refuses the columns it does not model, and SELECT *', () => {
    const { run } = setup();
    expect(run('SELECT blks_hit FROM pg_stat_slru').error?.sqlstate).toBe('0A000');
    expect(run('SELECT * FROM pg_stat_slru').error?.sqlstate).toBe('0A000');
    expect(run(`SELECT blks_zeroed FROM pg_stat_slru WHERE name = 'Xact'`).error).toBeFalsy();
  });
});
