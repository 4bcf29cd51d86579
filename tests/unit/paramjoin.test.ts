import { describe, it, expect } from 'vitest';
import { costSeqScan, costHashJoinUniqueInner, fmtCost } from '../../src/engine/optimizer/costsize.js';
import { costParamIndexScan, costParamNestLoop, indexPagesFetched } from '../../src/engine/optimizer/paramjoin.js';

// The figures are PostgreSQL 15's, recorded in tests/scenarios/plan/paramjoin.spec (plancost, hashedsmall):
// n (int, text) never vacuumed = 10 pages, 1,270 tuples, WHERE b = 'x' keeps 6; t (k int PRIMARY KEY, v int) = 2,260.
describe('parameterized nested loop costs (optimizer/paramjoin.ts)', () => {
  it('Mackert-Lohman: fetches shared by the loops never exceed the table pages', () => {
    expect(indexPagesFetched(6, 2, 22)).toBe(2);
    expect(indexPagesFetched(6, 10, 22)).toBe(5); // 2 x 10 x 6 / 26 = 4.6, rounded up
    expect(indexPagesFetched(1, 10, 22)).toBe(1);
  });
  it('each probe of t_pkey with 6 loops costs 0.15..4.84; the loop 0.15..54.91 rows=6 (Seq Scan on n 25.88)', () => {
    const outer = costSeqScan(10, 1270, 1, 6, 36);
    expect(fmtCost(outer.total)).toBe('25.88');
    const probe = costParamIndexScan(2260, 10, 2, 6, 20, 8);
    expect([fmtCost(probe.startup), fmtCost(probe.total)]).toEqual(['0.15', '4.84']);
    const loop = costParamNestLoop(outer, probe, 1 / 2260, 2260, 6);
    expect([fmtCost(loop.startup), fmtCost(loop.total), loop.width]).toEqual(['0.15', '54.91', 44]);
  });
  it('the hash join it beats, and one it does not: t JOIN u WHERE t.v = 20 hashes t (38.39..76.93 rows=11)', () => {
    const u = costSeqScan(10, 2260, 0, 2260, 8), t = costSeqScan(10, 2260, 1, 11, 8);
    const hash = costHashJoinUniqueInner(u, t, 1 / 2260, 1024);
    expect([fmtCost(hash.startup), fmtCost(hash.total), hash.rows]).toEqual(['38.39', '76.93', 11]);
    const probe = costParamIndexScan(2260, 10, 2, 11, 20, 8);
    expect(costParamNestLoop(t, probe, 1 / 2260, 2260, 11).total).toBeGreaterThan(hash.total);
  });
});
