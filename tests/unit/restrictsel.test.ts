/**
 * The planner's restriction estimates (optimizer/selfuncs.ts var_eq_const, scalarineqsel), ANALYZE's correlation,
 * what EXPLAIN ANALYZE counts of a merge join (executor/nodeMergejoin.ts) and a Sort's memory (nodeSort.ts). The
 * figures PostgreSQL prints for them are checked by tests/scenarios/plan/selectivity.spec, scanchoice-analyzed.spec and
 * mergejoin-analyze.spec.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';
import { computeScalarStats } from '../../src/engine/commands/analyze.js';
import { varEqConst, scalarIneqSel } from '../../src/engine/optimizer/selfuncs.js';
import { mergeJoinCounts } from '../../src/engine/executor/nodeMergejoin.js';
import { sortSpaceUsedKb } from '../../src/engine/executor/nodeSort.js';
import type { Table } from '../../src/engine/catalog/catalog.js';
import type { SqlType } from '../../src/engine/sql/types.js';

beforeAll(async () => { await initParser(); });

function analyzed(sql: string[]): Table {
  const e = new Engine();
  e.createSession('s1');
  for (const q of sql) { const r = e.execute('s1', q).outcome; if (r.error) throw new Error(r.error.message); }
  return e.catalog.get('s')!;
}

describe('ANALYZE: the correlation statistic (compute_scalar_stats)', () => {
  it('is 1 for values in physical order, -1 reversed, none for one value; equal values keep their sample order', () => {
    expect(computeScalarStats([1, 2, 3, 4]).correlation).toBe(1);
    expect(computeScalarStats([4, 3, 2, 1]).correlation).toBe(-1);
    expect(computeScalarStats([7, null]).correlation).toBeNull();
    expect(computeScalarStats([1, 1, 1, 1]).correlation).toBe(1);
    const c = computeScalarStats([3, 1, 4, 2]).correlation!;
    expect(c).toBeGreaterThan(-1);
    expect(c).toBeLessThan(1);
  });
});

describe('restriction selectivity over pg_statistic', () => {
  let t: Table;
  beforeAll(() => {
    t = analyzed(['CREATE TABLE s (a int)', 'INSERT INTO s SELECT CASE WHEN g <= 50 THEN 1 ELSE g END FROM generate_series(1, 100) g',
      'INSERT INTO s VALUES (NULL), (NULL)', 'ANALYZE s']);
  });
  const v = () => ({ table: t, col: 0, tuples: 102, rows: 102 });
  it('var_eq_const: an MCV has its frequency; another value shares the rest with the other distinct values', () => {
    expect(varEqConst(v(), 1, false)).toBeCloseTo(50 / 102, 6);
    // 1 - 50/102 - 2/102 of the rows over 50 other values
    expect(varEqConst(v(), 77, false)).toBeCloseTo((1 - 50 / 102 - 2 / 102) / 50, 6);
  });
  it('<> leaves out the NULLs as well as the equal rows', () => {
    expect(varEqConst(v(), 1, true)).toBeCloseTo(1 - 50 / 102 - 2 / 102, 6);
  });
  it('scalarineqsel: < c and >= c together cover the non-NULL rows', () => {
    for (const c of [30, 60, 99]) {
      const lt = scalarIneqSel(v(), false, false, c)!, ge = scalarIneqSel(v(), true, true, c)!;
      expect(lt + ge).toBeCloseTo(1 - 2 / 102, 6);
    }
    expect(scalarIneqSel(v(), true, false, 1000)!).toBeLessThan(0.01); // above the histogram: the cutoff
  });
});

describe('EXPLAIN ANALYZE of a merge join: what ExecMergeJoin pulls', () => {
  const sx = [...Array(998).fill(0), 1, 5], sy = [1, 3, ...Array(998).fill(10)];
  it('stops when the outer side runs out, having read the inner side up to the first key above it', () => {
    expect(mergeJoinCounts(sy, sx, false, false, false)).toMatchObject({ outerFetched: 3, innerFetched: 1000 });
  });
  it('re-reads the inner rows after the mark for each outer row of the same key', () => {
    const sz = [0, 1, 1, 3, ...Array(996).fill(10)];
    expect(mergeJoinCounts(sx, sz, false, false, false)).toMatchObject({ outerFetched: 1000, innerFetched: 1002, innerRead: 5 });
  });
  it('a unique inner key: the next outer row after a match, nothing re-read', () => {
    expect(mergeJoinCounts([1, 1, 2], [1, 2, 3], false, false, true)).toMatchObject({ outerFetched: 3, innerFetched: 2 });
  });
  it('a left join reads the whole outer side', () => {
    expect(mergeJoinCounts([1, 5, 9], [2], true, false, false).outerFetched).toBe(3);
  });
});

describe('a Sort\'s memory (tuplesort_get_stats)', () => {
  const ints: SqlType[] = [{ name: 'int4' } as SqlType, { name: 'int4' } as SqlType];
  it('the 1,024-slot array and each tuple in kB rounded up', () => {
    expect(sortSpaceUsedKb(Array.from({ length: 6 }, (_, i) => [i, i]), ints)).toBe(25);
    expect(sortSpaceUsedKb(Array.from({ length: 1000 }, (_, i) => [i, i]), ints)).toBe(71);
  });
});
