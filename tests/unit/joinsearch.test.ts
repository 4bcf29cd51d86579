/**
 * The join order search's index paths, outer joins and LIMIT (optimizer/joinrels.ts, pathnode.ts,
 * orderedpaths.ts): figures against PostgreSQL 15's, recorded in tests/scenarios/plan/joinsearch-index.spec (step
 * small), joinsearch-outer.spec and joinsearch-upper.spec.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';
import { standardJoinSearch, type SearchRel, type SearchPlan } from '../../src/engine/optimizer/joinrels.js';
import { fmtCost } from '../../src/engine/optimizer/costsize.js';
import type { Table } from '../../src/engine/catalog/catalog.js';

beforeAll(async () => { await initParser(); });

function rels(ddl: string[], names: string[]): SearchRel[] {
  const e = new Engine();
  e.createSession('s1');
  for (const sql of ddl) e.execute('s1', sql);
  const byName = (n: string) => [...e.catalog.tables.values()].find((t: Table) => t.name === n)!;
  return names.map((n) => ({ table: byName(n), name: n, quals: [], needed: 'all' as const }));
}
const v = (rel: number, col: number) => ({ rel, col });
const costs = (p: SearchPlan) => [fmtCost(p.cost.startup), fmtCost(p.cost.total), p.cost.rows];
const bQuoted = { A_Expr: { kind: 'AEXPR_OP', name: [{ String: { sval: '=' } }], lexpr: { ColumnRef: { fields: [{ String: { sval: 'b' } }] } },
  rexpr: { A_Const: { sval: { sval: 'x' }, location: 0 } } } };

describe('index paths in the join search', () => {
  it('m (filtered), n, t(k PRIMARY KEY): a Nested Loop probing t_pkey with n.a, m.a = t.k left as Join Filter: 26.10..62.16 rows=38', () => {
    const r = rels(['CREATE TABLE m (a int, b text)', 'CREATE TABLE n (a int, b text)', 'CREATE TABLE t (k int PRIMARY KEY, v text)'], ['m', 'n', 't']);
    r[0]!.quals = [bQuoted];
    const plan = standardJoinSearch(r, [[v(0, 0), v(1, 0)], [v(1, 0), v(2, 0)]]);
    if ('unsure' in plan || plan.kind !== 'join') throw new Error(`no plan: ${JSON.stringify(plan)}`);
    expect(plan.method).toBe('NestLoop');
    expect(costs(plan)).toEqual(['26.10', '62.16', 38]);
    // the probe takes n.a's value; the join's clause (its outer member m.a, first in the class) stays as a filter
    expect(plan.inner.kind === 'scan' && plan.inner.index?.by).toEqual(v(1, 0));
    expect(costs(plan.inner)).toEqual(['0.15', '0.21', 1]);
    expect(plan.clauses).toEqual([{ o: v(0, 0), i: v(2, 0) }]);
  });
  it('refuses when the indexed table may be read by an Index Only Scan (the columns the query reads are not known)', () => {
    const r = rels(['CREATE TABLE m (a int, b text)', 'CREATE TABLE n (a int, b text)', 'CREATE TABLE t (k int PRIMARY KEY, v text)'], ['m', 'n', 't']);
    delete r[2]!.needed;
    const plan = standardJoinSearch(r, [[v(0, 0), v(1, 0)], [v(1, 0), v(2, 0)]]);
    expect('unsure' in plan && plan.unsure).toMatch(/Index Only Scan/);
  });
});

describe('outer joins in the join search', () => {
  const three = () => rels(['CREATE TABLE a1 (x int, y int)', 'CREATE TABLE a2 (x int, y int)', 'CREATE TABLE a3 (x int, y int)'], ['a1', 'a2', 'a3']);
  it('a1 JOIN a2 ON a1.x = a2.x LEFT JOIN a3 ON a2.y = a3.y: a3 joins last, as the Merge Right Join 2739.31..7079.30 rows=288579', () => {
    const plan = standardJoinSearch(three(), [[v(0, 0), v(1, 0)]], [], {}, [{ a: v(1, 1), b: v(2, 1) }]);
    if ('unsure' in plan || plan.kind !== 'join') throw new Error('no plan');
    expect([plan.method, plan.jointype]).toEqual(['MergeJoin', 'right']);
    expect(costs(plan)).toEqual(['2739.31', '7079.30', 288579]);
    // the nullable a3 is the outer side alone; the inner side holds a1 and a2
    expect(plan.outer.kind === 'scan' && plan.outer.rel).toBe(2);
  });
  it('the nullable table is never joined before the table its ON equality names', () => {
    // a1.x = a3.x (inner) would let a1 join a3 first; a2 (nullable, on a1.y) must wait for a1
    const plan = standardJoinSearch(three(), [[v(0, 0), v(2, 0)]], [], {}, [{ a: v(0, 1), b: v(1, 1) }]);
    if ('unsure' in plan || plan.kind !== 'join') throw new Error('no plan');
    const holds = (p: SearchPlan, rel: number): boolean => (p.kind === 'scan' ? p.rel === rel : holds(p.outer, rel) || holds(p.inner, rel));
    const check = (p: SearchPlan): void => {
      if (p.kind === 'scan') return;
      for (const side of [p.outer, p.inner]) if (holds(side, 1) && side.kind !== 'scan') expect(holds(side, 0)).toBe(true);
      check(p.outer); check(p.inner);
    };
    check(plan);
    const outerJoins = (p: SearchPlan): string[] => (p.kind === 'scan' ? [] : [...(p.jointype ? [p.jointype] : []), ...outerJoins(p.outer), ...outerJoins(p.inner)]);
    expect(outerJoins(plan)).toHaveLength(1);
  });
});

describe('LIMIT over the join search', () => {
  it('LIMIT 3 keeps the nested loops whose first rows are cheap (consider_startup); without it a merge join wins', () => {
    const r = rels(['CREATE TABLE a1 (x int, y int)', 'CREATE TABLE a2 (x int, y int)', 'CREATE TABLE a3 (x int, y int)'], ['a1', 'a2', 'a3']);
    const eqs: [ReturnType<typeof v>, ReturnType<typeof v>][] = [[v(0, 0), v(1, 0)], [v(1, 1), v(2, 1)]];
    const limited = standardJoinSearch(r, eqs, [], { limit: { count: 3, offset: 0 } });
    const whole = standardJoinSearch(r, eqs);
    if ('unsure' in limited || 'unsure' in whole || limited.kind !== 'join' || whole.kind !== 'join') throw new Error('no plan');
    expect(limited.method).toBe('NestLoop');
    expect(whole.method).toBe('MergeJoin');
  });
});
