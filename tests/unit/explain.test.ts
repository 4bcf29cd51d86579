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
    ['EXPLAIN (COSTS OFF, BUFFERS) SELECT * FROM t', '0A000'],
    ['EXPLAIN (VERBOSE, COSTS OFF) SELECT k, rank() OVER (ORDER BY v) FROM t', '0A000'],
    ['EXPLAIN (COSTS OFF) WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r JOIN t ON t.k = r.n) SELECT * FROM r', '0A000'],
    ['EXPLAIN (COSTS OFF) SELECT * FROM (SELECT k, row_number() OVER (ORDER BY v) AS r FROM t) s WHERE r < 3', '0A000'],
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

describe('EXPLAIN formats: one plan, each format as explain.c writes it', () => {
  it('text leaves a zero "Rows Removed" count out; JSON prints it', () => {
    const e = fresh();
    expect(plan(e, 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM t WHERE v > 0')).toBe('Seq Scan on t (actual rows=5 loops=1)\n  Filter: (v > 0)');
    const json = JSON.parse(plan(e, 'EXPLAIN (FORMAT json, ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM t WHERE v > 0'));
    expect(json[0].Plan['Rows Removed by Filter']).toBe(0);
    expect(json[0].Plan['Node Type']).toBe('Seq Scan');
  });
  it('a non-text format is one value; JSON is valid JSON with its strings escaped', () => {
    const e = fresh();
    const r = e.execute('s1', "EXPLAIN (FORMAT json, COSTS OFF) SELECT * FROM t WHERE v::text = 'a\"b'").outcome;
    expect(r.results[0]!.rows.length).toBe(1);
    expect(JSON.parse(String(r.results[0]!.rows[0]![0]))[0].Plan.Filter).toContain('a"b');
  });
  it('EXPLAIN of a kept CTE plans it without reading its rows (no hint bits)', () => {
    const e = fresh();
    const hinted = () => heapPage(e.catalog.get('t')!, 0).items.filter((i) => i.flags.includes('XMIN_COMMITTED')).length;
    expect(plan(e, 'EXPLAIN (COSTS OFF) WITH c AS MATERIALIZED (SELECT * FROM t) SELECT * FROM c')).toBe('CTE Scan on c\n  CTE c\n    ->  Seq Scan on t');
    expect(hinted()).toBe(0);
    expect(plan(e, 'EXPLAIN (COSTS OFF) SELECT * FROM (SELECT * FROM t LIMIT 2) s WHERE v > 1')).toBe('Subquery Scan on s\n  Filter: (s.v > 1)\n  ->  Limit\n        ->  Seq Scan on t');
    expect(hinted()).toBe(0);
    e.execute('s1', 'WITH c AS MATERIALIZED (SELECT * FROM t) SELECT * FROM c'); // running it does read them
    expect(hinted()).toBe(5);
  });
});

describe('a join\'s index scan PostgreSQL would make index-only is refused, not printed as an Index Scan', () => {
  it('refuses when the query reads only the index\'s columns of the inner table, prints the plan otherwise', () => {
    const e = fresh();
    e.execute('s1', 'CREATE TABLE n (a int, b text)');
    e.execute('s1', "INSERT INTO n VALUES (1, 'x'), (2, 'y')");
    expect(e.execute('s1', 'EXPLAIN (COSTS OFF) SELECT t.k FROM t JOIN n ON t.k < n.a').outcome.error?.sqlstate).toBe('0A000');
    expect(e.execute('s1', 'EXPLAIN (COSTS OFF) SELECT count(*) FROM t JOIN n ON t.k < n.a').outcome.error?.sqlstate).toBe('0A000');
    expect(plan(e, 'EXPLAIN (COSTS OFF) SELECT t.v FROM t JOIN n ON t.k < n.a')).toContain('Index Scan using t_pkey on t');
  });
});
