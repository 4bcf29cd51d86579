import { describe, it, expect } from 'vitest';
import { costSeqScan, costSort, costLimit, costHashAgg, costAggPlain, fmtCost } from '../../src/engine/optimizer/costsize.js';
import { rint, clampRowEst } from '../../src/engine/optimizer/plancat.js';

// The formulas' rules; the figures PostgreSQL prints for them are checked by tests/scenarios/plan/costs.spec.
describe('costsize.c formulas (optimizer/costsize.ts)', () => {
  it('a cost prints as printf("%.2f"): nearest of the exact binary value, an exact tie to even', () => {
    expect(fmtCost(24.125)).toBe('24.12'); // 193/8: an exact tie
    expect(fmtCost(1.125)).toBe('1.12');
    expect(fmtCost(1.075)).toBe('1.07'); // 1.07499999999999995559 in binary
    expect(fmtCost(0.0577)).toBe('0.06');
  });
  it('rint rounds halves to even; clamp_row_est keeps at least one row', () => {
    expect([rint(0.5), rint(1.5), rint(2.5), rint(2.6)]).toEqual([0, 2, 2, 3]);
    expect([clampRowEst(0.2), clampRowEst(11.3)]).toEqual([1, 11]);
  });
  it('a seq scan pays a page each and a tuple cost plus its quals per tuple', () => {
    const base = costSeqScan(10, 2260, 0, 2260, 8);
    const filtered = costSeqScan(10, 2260, 1, 11, 8);
    expect(filtered.total - base.total).toBeCloseTo(2260 * 0.0025, 10);
    expect(base.startup).toBe(0);
  });
  it('a sort costs nothing before its input is read; a LIMIT far below the rows makes it a bounded heap sort', () => {
    const scan = costSeqScan(10, 2260, 0, 2260, 8);
    const full = costSort(scan, null), top3 = costSort(scan, 3);
    expect(full.startup).toBeGreaterThan(scan.total);
    expect(top3.startup).toBeLessThan(full.startup);
    expect(top3.total - top3.startup).toBeCloseTo(full.total - full.startup, 10);
  });
  it('a limit interpolates its input by the share of rows it reads', () => {
    const scan = costSeqScan(10, 2260, 0, 2260, 8);
    const l = costLimit(scan, 1, 3);
    expect(l.rows).toBe(3);
    expect(l.startup).toBeCloseTo(scan.total / 2260, 10);
    expect(l.total).toBeCloseTo(scan.total * 4 / 2260, 10);
  });
  it('aggregation: one output row for a plain aggregate, one per group for a hash aggregate', () => {
    const scan = costSeqScan(10, 2260, 0, 2260, 4);
    expect(costAggPlain(scan, 1, 0, 8).rows).toBe(1);
    const h = costHashAgg(scan, 1, 1, 0, 200, 12);
    expect(h.total - h.startup).toBeCloseTo(200 * 0.01, 10);
  });
});
