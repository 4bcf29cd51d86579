/**
 * The join order search (optimizer/joinrels.ts): its figures against PostgreSQL 15's (recorded in
 * tests/scenarios/plan/joinorder.spec, step ec), and what it refuses rather than guess.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';
import { standardJoinSearch, type SearchRel } from '../../src/engine/optimizer/joinrels.js';
import { fmtCost } from '../../src/engine/optimizer/costsize.js';
import type { Table } from '../../src/engine/catalog/catalog.js';

beforeAll(async () => { await initParser(); });

function tables(extra: string[] = []): { e: Engine; rels: SearchRel[] } {
  const e = new Engine();
  e.createSession('s1');
  for (const n of ['a1', 'a2', 'a3']) e.execute('s1', `CREATE TABLE ${n} (x int, y int)`);
  for (const sql of extra) e.execute('s1', sql);
  const byName = (n: string) => [...e.catalog.tables.values()].find((t: Table) => t.name === n)!;
  return { e, rels: ['a1', 'a2', 'a3'].map((n) => ({ table: byName(n), name: n, quals: [] })) };
}
const x = (rel: number) => ({ rel, col: 0 });

describe('standard_join_search', () => {
  it('a1.x = a2.x AND a2.x = a3.x: Merge Join of Sort(a3) with a Materialize of the sorted {a1,a2}, 475.52..5209.87 rows=288579', () => {
    const plan = standardJoinSearch(tables().rels, [[x(0), x(1)], [x(1), x(2)]]);
    if ('unsure' in plan || plan.kind !== 'join') throw new Error('no plan');
    expect(plan.method).toBe('MergeJoin');
    expect([fmtCost(plan.cost.startup), fmtCost(plan.cost.total), plan.cost.rows]).toEqual(['475.52', '5209.87', 288579]);
    // the outer side a3 sorted; the inner {a1,a2} comes sorted on x (its merge join's order): no Sort, a Materialize
    expect(plan.outer.kind === 'scan' && plan.outer.rel).toBe(2);
    expect(plan.sortOuter).not.toBeNull();
    expect(plan.sortInner).toBeNull();
    expect(plan.material && fmtCost(plan.material.total)).toBe('775.23');
    // the derived clause a3.x = a1.x: the first member of each side in the class's order
    expect(plan.clauses).toEqual([{ o: x(2), i: x(0) }]);
  });
  it('refuses a non-unique index on a join column (its index paths are not costed)', () => {
    const plan = standardJoinSearch(tables(['CREATE INDEX ON a2 (x)']).rels, [[x(0), x(1)], [x(1), x(2)]]);
    expect('unsure' in plan && plan.unsure).toMatch(/index/);
  });
  it('EXPLAIN of such a join refuses with 0A000; the query still runs', () => {
    const { e } = tables(['CREATE INDEX ON a2 (x)', 'INSERT INTO a1 VALUES (1, 1)', 'INSERT INTO a2 VALUES (1, 1)', 'INSERT INTO a3 VALUES (1, 1)']);
    const sql = 'SELECT * FROM a1, a2, a3 WHERE a1.x = a2.x AND a2.x = a3.x';
    expect(e.execute('s1', `EXPLAIN (COSTS OFF) ${sql}`).outcome.error?.sqlstate).toBe('0A000');
    expect(e.execute('s1', sql).outcome.results?.[0]?.rows).toEqual([['1', '1', '1', '1', '1', '1']]);
  });
});
