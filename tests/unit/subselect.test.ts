/**
 * What the planner makes of a subquery test in WHERE (optimizer/subselect.ts): correlation read from the parse
 * tree, and the selectivity — an uncorrelated EXISTS a pseudoconstant gating qual (1), a SubPlan test 0.5, a
 * semi / anti join not estimated (null). The row orders these estimates decide are checked by
 * tests/scenarios/plan/subplan-rows.spec.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { initParser, parseSql } from '../../src/engine/sql/parser.js';
import { sublinkCorrelated, sublinkSelectivity } from '../../src/engine/optimizer/subselect.js';
import type { Table } from '../../src/engine/catalog/catalog.js';

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
  const sel = (sql: string) => { const w = whereOf(sql); e.catalog.current = 's1'; return sublinkSelectivity(w, t, true); };
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
