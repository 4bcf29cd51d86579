/**
 * EXPLAIN: what it refuses (with the SQLSTATE PostgreSQL or Heapscope uses) and that the printed plan is the path
 * the executor runs — which tuples get hint bits follows the scan EXPLAIN names. Plan text itself is checked
 * against PostgreSQL 15 recordings in tests/scenarios/plan/.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';
import { heapPage } from '../../src/engine/inspect/inspect.js';

beforeAll(async () => { await initParser(); });

function fresh() {
  const e = new Engine();
  e.createSession('s1');
  e.execute('s1', 'CREATE TABLE t(k int PRIMARY KEY, v int)');
  e.execute('s1', 'INSERT INTO t SELECT g, g * 10 FROM generate_series(1, 5) g');
  return e;
}
const plan = (e: Engine, sql: string) => {
  const r = e.execute('s1', sql).outcome;
  if (r.error) throw new Error(r.error.message);
  return r.results[0]!.rows.map((x) => x[0]).join('\n');
};

describe('EXPLAIN refuses what it cannot print as PostgreSQL would', () => {
  const cases: [string, string][] = [
    ['EXPLAIN SELECT * FROM t WHERE k IN (1, 2)', '0A000'],
    ['EXPLAIN SELECT * FROM t a JOIN t b ON a.v = b.v', '0A000'],
    ['EXPLAIN (ANALYZE, COSTS OFF) SELECT * FROM t', '0A000'],
    ['EXPLAIN (COSTS OFF, FORMAT JSON) SELECT * FROM t', '0A000'],
    ['EXPLAIN (COSTS OFF, FORMAT nope) SELECT * FROM t', '22023'],
    ['EXPLAIN (COSTS OFF, TIMING ON) SELECT * FROM t', '22023'],
    ['EXPLAIN (COSTS OFF, BOGUS) SELECT * FROM t', '22023'],
    ['EXPLAIN (COSTS OFF) SELECT a.k, count(*) FROM t a JOIN t b ON a.k = b.k JOIN t c ON c.k = a.k GROUP BY a.k', '0A000'],
    ['EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) SELECT * FROM t a JOIN t b ON a.v = b.v AND a.k < b.k', '0A000'],
    ['EXPLAIN (COSTS OFF) SELECT * FROM t a JOIN t b ON a.k = b.k ORDER BY a.k', '0A000'],
    ['EXPLAIN (COSTS OFF) SELECT * FROM t WHERE v = (SELECT 1)', '0A000'],
    ['EXPLAIN (COSTS OFF) SELECT nosuch FROM t', '42703'],
  ];
  for (const [sql, code] of cases) {
    it(sql, () => {
      const e = fresh();
      const r = e.execute('s1', sql).outcome;
      expect(r.error?.sqlstate, r.error?.message).toBe(code);
    });
  }
  it('TIMING OFF without ANALYZE is allowed only as off; the 22023 names the option', () => {
    const e = fresh();
    expect(e.execute('s1', 'EXPLAIN (COSTS OFF, TIMING ON) SELECT 1').outcome.error!.message).toBe('EXPLAIN option TIMING requires ANALYZE');
  });
});

describe('the plan EXPLAIN prints is the path the executor runs', () => {
  it('an Index Scan reads one HOT chain; a Seq Scan hints every tuple', () => {
    const e = fresh();
    expect(plan(e, 'EXPLAIN (COSTS OFF) SELECT * FROM t WHERE k = 2')).toBe('Index Scan using t_pkey on t\n  Index Cond: (k = 2)');
    e.execute('s1', 'SELECT * FROM t WHERE k = 2');
    const hinted = () => heapPage(e.catalog.get('t')!, 0).items.filter((i) => i.flags.includes('XMIN_COMMITTED')).length;
    expect(hinted()).toBe(1);
    expect(plan(e, 'EXPLAIN (COSTS OFF) SELECT * FROM t WHERE v = 20')).toBe('Seq Scan on t\n  Filter: (v = 20)');
    e.execute('s1', 'SELECT * FROM t WHERE v = 20');
    expect(hinted()).toBe(5);
  });
  it('after VACUUM ANALYZE the same query is a Seq Scan', () => {
    const e = fresh();
    e.execute('s1', 'VACUUM ANALYZE t');
    expect(plan(e, 'EXPLAIN (COSTS OFF) SELECT * FROM t WHERE k = 2')).toBe('Seq Scan on t\n  Filter: (k = 2)');
  });
  it('EXPLAIN ANALYZE counts the rows the scan returned and the filter removed', () => {
    const e = fresh();
    expect(plan(e, 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) SELECT * FROM t WHERE v > 20 LIMIT 1'))
      .toBe('Limit (actual rows=1 loops=1)\n  ->  Seq Scan on t (actual rows=1 loops=1)\n        Filter: (v > 20)\n        Rows Removed by Filter: 2\nPlanning Time: 0.000 ms\nExecution Time: 0.000 ms');
  });
});
