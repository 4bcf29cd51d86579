/**
 * What the planner makes of a subquery test in WHERE (optimizer/subselect.ts): correlation read from the parse
 * tree, and the selectivity — an uncorrelated EXISTS a pseudoconstant gating qual (1), a SubPlan test 0.5, a
 * semi / anti join not estimated (null). The row orders these estimates decide are checked by
 * tests/scenarios/plan/subplan-rows.spec.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { initParser, parseSqlUncached as parseSql } from '../../src/engine/sql/parser.js';
import { sublinkCorrelated, sublinkSelectivity } from '../../src/engine/optimizer/subselect.js';
import type { Table } from '../../src/engine/catalog/catalog.js';
import { whereSelectivity } from '../../src/engine/optimizer/clausesel.js';
import { estimateRelSize, clampRowEst } from '../../src/engine/optimizer/plancat.js';

type N = Record<string, any>;
let e: Engine, t: Table;
beforeAll(async () => {
  await initParser();
  e = new Engine();
  e.createSession('s1');
  for (const q of ['CREATE TABLE t (a int, b int)', 'CREATE TABLE u (x int, y int)', 'INSERT INTO u SELECT g, g FROM generate_series(1, 50) g', 'ANALYZE u']) e.execute('s1', q);
  t = e.catalog.get('t')!;
});
const whereOf = (sql: string): N => (parseSql(sql)[0]!.stmt as N).SelectStmt.whereClause;
const linkOf = (w: N): N => (w.SubLink ?? w.BoolExpr.args[0].SubLink) as N;

describe('sublinkCorrelated', () => {
  it('sees a column the subquery FROM does not name as the outer query\'s', () => {
    expect(sublinkCorrelated(linkOf(whereOf('SELECT * FROM t r WHERE EXISTS (SELECT 1 FROM u WHERE u.x = r.a)')), t)).toBe(true);
    expect(sublinkCorrelated(linkOf(whereOf('SELECT * FROM t r WHERE EXISTS (SELECT 1 FROM u q WHERE q.x > 1)')), t)).toBe(false);
    expect(sublinkCorrelated(linkOf(whereOf('SELECT * FROM t WHERE a IN (SELECT x FROM u)')), t)).toBe(false);
  });
  it('cannot tell for an unqualified name the outer table has', () => {
    expect(sublinkCorrelated(linkOf(whereOf('SELECT * FROM t WHERE EXISTS (SELECT 1 FROM u WHERE x = a)')), t)).toBeNull();
  });
});

describe('sublinkSelectivity', () => {
  const sel = (sql: string) => { const w = whereOf(sql); e.catalog.current = 's1'; return sublinkSelectivity(w, t, true, false, whereSelectivity); };
  it('an uncorrelated [NOT] EXISTS is a gating InitPlan: the rows are not reduced', () => {
    expect(sel('SELECT * FROM t WHERE EXISTS (SELECT 1 FROM u)')).toEqual({ sel: 1, ops: 0 });
    expect(sel('SELECT * FROM t WHERE NOT EXISTS (SELECT 1 FROM u q WHERE q.y IS NULL)')).toEqual({ sel: 1, ops: 0 });
  });
  it('a semi or anti join (IN uncorrelated, EXISTS correlated) is not estimated here', () => {
    expect(sel('SELECT * FROM t WHERE a IN (SELECT x FROM u)')).toBeNull();
    expect(sel('SELECT * FROM t r WHERE NOT EXISTS (SELECT 1 FROM u WHERE u.x = r.a)')).toBeNull();
  });
  it('NOT IN is a hashed SubPlan: half the rows, one comparison each', () => {
    expect(sel('SELECT * FROM t WHERE a NOT IN (SELECT x FROM u)')).toEqual({ sel: 0.5, ops: 1 });
  });
  it('<> ALL rescans the materialized rows: half of its run cost per row', () => {
    // u analyzed: 50 tuples on 1 page; Seq Scan 1 + 50 x 0.01 = 1.5; Material + 2 x 0.0025 x 50 = 1.75
    const r = sel('SELECT * FROM t WHERE a <> ALL (SELECT x FROM u)')!;
    expect(r.sel).toBe(0.5);
    expect(r.ops * 0.0025).toBeCloseTo(0.0025 + 0.5 * 1.75 + 0.5 * 50 * 0.0025, 10);
  });
  it('is undefined for a condition that is not a subquery test', () => {
    expect(sel('SELECT * FROM t WHERE a > 1')).toBeUndefined();
  });
});

describe('semi and anti joins: the rows PostgreSQL 15 estimates (EXPLAIN, recorded)', () => {
  let e2: Engine;
  beforeAll(() => {
    e2 = new Engine();
    e2.createSession('s');
    for (const q of [
      'CREATE TABLE t1 (a int, b int, c text)',
      'INSERT INTO t1 SELECT CASE WHEN g % 17 = 0 THEN NULL ELSE g % 16 END, (g * 7) % 27, chr(97 + g % 5) FROM generate_series(1, 334) g', 'ANALYZE t1',
      'CREATE TABLE t2 (a int, b int, c text)',
      "INSERT INTO t2 VALUES (-1, 0, 'c'), (2, 2, 'b'), (-1, 1, 'c'), (5, -1, 'c'), (4, 2, 'c'), (-2, 5, 'a'), (3, 0, 'a')", 'ANALYZE t2',
      'CREATE TABLE t3 (a int, b int, c text)', "INSERT INTO t3 SELECT g % 40, g % 7, 'x' FROM generate_series(1, 500) g",
    ]) { const r = e2.execute('s', q).outcome; if (r.error) throw new Error(r.error.message); }
    e2.catalog.current = 's';
  });
  const rows = (sql: string): number | null => {
    const q = (parseSql(sql)[0]!.stmt as N).SelectStmt;
    const t2 = e2.catalog.get(q.fromClause[0].RangeVar.relname)!;
    const tuples = estimateRelSize(t2).tuples;
    const ws = whereSelectivity(t2, tuples, q.whereClause, { sublinks: true, semi: true });
    return ws ? clampRowEst(tuples * ws.sel) : null;
  };
  it.each([
    ['SELECT * FROM t1 r WHERE EXISTS (SELECT 1 FROM t2 s WHERE s.a = r.a)', 98], // Hash Semi Join: Ssemi clamped to N2 x Sinner
    ['SELECT * FROM t1 r WHERE NOT EXISTS (SELECT 1 FROM t2 s WHERE s.a = r.a)', 236], // Hash Anti Join
    ["SELECT * FROM t1 r WHERE EXISTS (SELECT 1 FROM t2 s WHERE s.b = r.b AND s.c = 'c')", 50],
    ['SELECT * FROM t1 r WHERE r.b IN (SELECT s.a FROM t2 s)', 62],
    ['SELECT * FROM t2 r WHERE r.a IN (SELECT s.a FROM t1 s WHERE s.b > 10)', 7],
    ['SELECT * FROM t2 r WHERE NOT EXISTS (SELECT 1 FROM t1 s WHERE s.a = r.b)', 1],
    ['SELECT * FROM t3 r WHERE EXISTS (SELECT 1 FROM t1 s WHERE s.a = r.a)', 600],
    ['SELECT * FROM t1 r WHERE NOT EXISTS (SELECT 1 FROM t3 s WHERE s.a = r.a AND s.b < 3)', 176],
    ['SELECT * FROM t3 r WHERE r.b IN (SELECT s.b FROM t3 s WHERE s.a < 5)', 600],
    ['SELECT * FROM t1 r WHERE r.a > 3 AND EXISTS (SELECT 1 FROM t2 s WHERE s.a = r.a)', 70],
  ])('%s: rows=%i', (sql, expected) => { expect(rows(sql)).toBe(expected); });
});

describe('a correlated IN: a SubPlan re-run per row', () => {
  it('charges half its Seq Scan per row, the outer column a Param (var_eq_non_const)', () => {
    const e3 = new Engine();
    e3.createSession('s');
    for (const q of ['CREATE TABLE t6 (a int, b int, c text)',
      'INSERT INTO t6 SELECT CASE WHEN g % 17 = 0 THEN NULL ELSE g % 16 END, (g * 7) % 36, chr(97 + g % 5) FROM generate_series(1, 156) g',
      'CREATE INDEX ON t6 (b)', 'ANALYZE t6']) e3.execute('s', q);
    e3.catalog.current = 's';
    const t6 = e3.catalog.get('t6')!;
    const w = whereOf('SELECT * FROM t6 r0 WHERE r0.a IN (SELECT s.a FROM t6 s WHERE s.a = r0.a)');
    const r = sublinkSelectivity(w, t6, true, false, whereSelectivity)!;
    expect(r.sel).toBe(0.5);
    // Seq Scan on t6 s: 1 page + 156 x (0.01 + 0.0025) = 2.95; rows: (1 - 9/156 NULLs) / 16 values x 156 = 9
    // cost_subplan: the comparison + 0.5 x 2.95 + 0.5 x 9 rows x cpu_operator_cost
    expect(r.ops * 0.0025).toBeCloseTo(0.0025 + 0.5 * 2.95 + 0.5 * 9 * 0.0025, 6);
  });
});
