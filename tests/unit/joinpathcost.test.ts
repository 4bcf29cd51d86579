/**
 * The cost model's choice for two analyzed tables, one join key unique (optimizer/joinpathcost.ts
 * analyzedJoinChoice): the figures are PostgreSQL 15's, recorded from this setup with EXPLAIN (enable_mergejoin
 * off for the hash join's): Merge Join (cost=3.08..4.90) over Index Scan using t_pkey (0.14..13.64) and a Sort of u,
 * Hash Join (cost=3.25..4.88) hashing t. The two totals are within add_path's 1% fuzz; the merge join's lower
 * startup cost and its sorted output keep it. tests/scenarios/plan/join-unique-analyzed.spec checks the rows.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';
import { analyzedJoinChoice, hashJoinCost, mergeJoinCost, joinSelectivity, type CostedSide } from '../../src/engine/optimizer/joinpathcost.js';
import { sideScanCost } from '../../src/engine/optimizer/paramjoin.js';
import { estimateRelSize } from '../../src/engine/optimizer/plancat.js';
import { fmtCost } from '../../src/engine/optimizer/costsize.js';

beforeAll(async () => { await initParser(); });

function setup() {
  const e = new Engine();
  e.createSession('s1');
  for (const sql of [
    'CREATE TABLE t (a int PRIMARY KEY, b text)', 'CREATE TABLE u (a int, c int)',
    "INSERT INTO t SELECT g, 'x' || g FROM generate_series(1, 100) g", 'INSERT INTO u SELECT g % 10, g FROM generate_series(1, 50) g',
    'ANALYZE t', 'ANALYZE u',
  ]) expect(e.execute('s1', sql).outcome.error, sql).toBeNull();
  const t = e.catalog.get('t')!, u = e.catalog.get('u')!;
  const side = (table: typeof t): CostedSide => ({ table, key: 0, scan: sideScanCost({ table, quals: [], key: 0 })!, tuples: estimateRelSize(table).tuples });
  return { t, u, ts: side(t), us: side(u) };
}

describe('a join of analyzed tables with a unique key (optimizer/joinpathcost.ts)', () => {
  it('hashing the unique side costs as inner_unique: 3.25..4.88', () => {
    const { ts, us } = setup();
    const h = hashJoinCost(us, ts, joinSelectivity(us, ts), true).cost;
    expect([fmtCost(h.startup), fmtCost(h.total)]).toEqual(['3.25', '4.88']);
  });
  it('the merge join reading t through t_pkey stops where u.a ends: 3.08..4.90, and it wins', () => {
    const { t, u, ts, us } = setup();
    const c = analyzedJoinChoice({ table: t, quals: [], key: 0 }, { table: u, quals: [], key: 0 }, 'inner')!;
    expect(c.method).toBe('MergeJoin');
    expect(c.outer).toBe('left');
    expect([fmtCost(c.cost.startup), fmtCost(c.cost.total)]).toEqual(['3.08', '4.90']);
    // without the index path the merge join sorts both sides and the hash join wins
    const sorted = mergeJoinCost(ts, us, joinSelectivity(ts, us), 50, 'inner')!.cost;
    expect(sorted.total).toBeGreaterThan(4.88 * 1.01);
    // EXPLAIN cannot print a merge join over an Index Scan yet: it says so
    expect(c.unsure).toMatch(/Index Scan/);
  });
});
