import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { pgQsort } from '../../src/engine/executor/qsort.js';

// The orders are PostgreSQL 15's, from `SELECT * FROM q ORDER BY k` over the rows inserted in this order (tuplesort's
// in-memory quicksort is the one merge joins' Sorts run).
const byKey = (x: string, y: string) => Number(x[0]) - Number(y[0]);
describe("PostgreSQL's quicksort (executor/qsort.ts)", () => {
  it('7 rows with equal keys: not stable', () => {
    expect(pgQsort(['2a', '1b', '2c', '1d', '2e', '1f', '2g'], byKey).join(' ')).toBe('1d 1b 1f 2a 2e 2g 2c');
  });
  it('21 rows, keys g % 3', () => {
    const rows = Array.from({ length: 21 }, (_, g) => `${g % 3}${String.fromCharCode(97 + g)}`);
    expect(pgQsort(rows, byKey).join(' ')).toBe('0d 0m 0j 0a 0s 0p 0g 1k 1b 1e 1h 1n 1q 1t 2o 2f 2u 2r 2l 2i 2c');
  });
  it('sorts, keeps every element, leaves fewer than 7 and presorted inputs in a stable order', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 120 }), (keys) => {
      const rows = keys.map((k, i) => ({ k, i }));
      const out = pgQsort([...rows], (a, b) => a.k - b.k);
      expect(out.map((r) => r.k)).toEqual([...keys].sort((a, b) => a - b));
      expect(out.map((r) => r.i).sort((a, b) => a - b)).toEqual(rows.map((r) => r.i));
      const stable = [...rows].sort((a, b) => a.k - b.k);
      if (rows.length < 7) expect(out).toEqual(stable);
      expect(pgQsort([...stable], (a, b) => a.k - b.k)).toEqual(stable);
    }));
  });
});
