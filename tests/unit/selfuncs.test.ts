import { describe, it, expect } from 'vitest';
import { computeScalarStats } from '../../src/engine/commands/analyze.js';
import { eqjoinsel, estimateHashBucketStats, variableNumDistinct, scalarIneqSel, type KeyVar } from '../../src/engine/optimizer/selfuncs.js';
import { cheapestPath } from '../../src/engine/optimizer/joinpathcost.js';
import type { Table } from '../../src/engine/catalog/catalog.js';
import type { Value } from '../../src/engine/sql/types.js';

/** a one-column table as the planner sees it after ANALYZE of these values */
function analyzed(values: Value[], unique = false): KeyVar {
  const table = {
    columns: [{ name: 'a', type: { name: 'int4' } }],
    indexes: unique ? [{ am: 'btree', unique: true, columns: [0] }] : [],
    stats: { relpages: 1, reltuples: values.length, columns: [computeScalarStats(values)] },
  } as unknown as Table;
  return { table, col: 0, tuples: values.length, rows: values.length };
}

// The rules; the figures PostgreSQL derives from them are checked by tests/scenarios/plan/analyzed-joins.spec.
describe('ANALYZE statistics (commands/analyze.ts compute_scalar_stats)', () => {
  it('repeated values are the MCV list, most frequent first; n_distinct over a tenth of the rows is a fraction', () => {
    const s = computeScalarStats([2, 1, 2, 3, 1, 2]);
    expect(s.stadistinct).toBe(-0.5);
    expect(s.mcv!.values).toEqual([2, 1]);
    expect(s.mcv!.freqs).toEqual([0.5, Math.fround(1 / 3)]);
    expect(s.histogram).toBeNull(); // one value left (3): no histogram
  });
  it('no value repeated: unique, discounting NULLs; the histogram holds every value', () => {
    const s = computeScalarStats([5, null, 1, 3, 2, 4]);
    expect(s.nullfrac).toBe(Math.fround(1 / 6));
    expect(s.stadistinct).toBe(Math.fround(-(1 - Math.fround(1 / 6))));
    expect(s.mcv).toBeNull();
    expect(s.histogram).toEqual([1, 2, 3, 4, 5]);
  });
  it('few distinct values in many rows: an absolute n_distinct', () => {
    const s = computeScalarStats(Array.from({ length: 100 }, (_, i) => i % 3));
    expect(s.stadistinct).toBe(3);
    expect(s.mcv!.values).toEqual([0, 1, 2]); // 34, 33, 33: an equal count keeps the smaller value first
  });
  it('the histogram takes at most 101 evenly spaced bounds of the non-MCV values', () => {
    const s = computeScalarStats(Array.from({ length: 1000 }, (_, i) => i));
    expect(s.histogram!.length).toBe(101);
    expect([s.histogram![0], s.histogram![1], s.histogram![100]]).toEqual([0, 9, 999]);
  });
});

describe('selfuncs.c estimates (optimizer/selfuncs.ts)', () => {
  const m = analyzed([2, 1, 2, 3, 1, 2]), n = analyzed([2, 1, 2]);
  it('get_variable_numdistinct: a negative n_distinct scales with the tuples; a unique index forces unique', () => {
    expect(variableNumDistinct(m).nd).toBe(3);
    expect(variableNumDistinct({ ...m, tuples: 12 }).nd).toBe(6);
    expect(variableNumDistinct(analyzed([1, 1, 2], true)).nd).toBe(3);
  });
  it('eqjoinsel matches the MCV lists and takes the smaller of the two sides\' views', () => {
    expect(eqjoinsel(m, n)).toBeCloseTo(5 / 12, 6);
    expect(eqjoinsel(n, m)).toBeCloseTo(5 / 12, 6);
  });
  it('without MCV lists on both sides: 1 / the larger distinct count', () => {
    expect(eqjoinsel(analyzed([1, 2, 3, 4]), m)).toBeCloseTo(1 / 4, 10);
  });
  it('estimate_hash_bucket_stats scales 1 / ndistinct by the top MCV over the average frequency', () => {
    expect(estimateHashBucketStats(n, 1024).bucketFrac).toBeCloseTo(2 / 3, 6);
    expect(estimateHashBucketStats(m, 1024).bucketFrac).toBeCloseTo(0.5, 6);
    expect(estimateHashBucketStats(analyzed([1, 2, 3, 4]), 1024).bucketFrac).toBe(0.25);
  });
  it('scalarineqsel: MCVs that satisfy the comparison plus the histogram\'s interpolated share', () => {
    const v = analyzed(Array.from({ length: 11 }, (_, i) => i * 10)); // histogram 0, 10, ..., 100
    expect(scalarIneqSel(v, false, true, 50)).toBeCloseTo(0.5, 10);
    expect(scalarIneqSel(v, false, true, 1000)).toBeCloseTo(1 - 0.01 / 10, 10); // clamped off the end
  });
});

describe('add_path and set_cheapest (optimizer/joinpathcost.ts cheapestPath)', () => {
  const c = (startup: number, total: number) => ({ startup, total, rows: 1, width: 8 });
  it('the cheapest total wins', () => {
    expect(cheapestPath([{ what: 'a', cost: c(0, 10) }, { what: 'b', cost: c(5, 9) }]).what).toBe('b');
  });
  it('within 1% on total, the cheaper startup survives even at a slightly higher total', () => {
    expect(cheapestPath([{ what: 'a', cost: c(5, 10) }, { what: 'b', cost: c(0, 10.05) }]).what).toBe('b');
  });
  it('a fuzzily equal sorted path (a merge join) dominates an unsorted one', () => {
    expect(cheapestPath([{ what: 'hash', cost: c(1, 10) }, { what: 'merge', cost: c(1, 10.02), sorted: true }]).what).toBe('merge');
  });
});
