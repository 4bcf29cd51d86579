/**
 * Plan-time partition pruning (partitioning/partprune.ts): the rule that matters most is that pruning never drops a
 * partition holding a row the WHERE clause accepts (a silent wrong answer) — checked as a property over random
 * clauses of comparisons, BETWEEN, IN, AND and OR against every key value in a range; and that it does prune what
 * PostgreSQL prunes in the cases recorded in tests/scenarios/partition/prune-ranges.spec.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { prunePartitions } from '../../src/engine/partitioning/partprune.js';
import { boundAccepts, partitionForKey, type PartitionBound, type PartitionKey, type BoundOf } from '../../src/engine/partitioning/partbounds.js';
import { initParser, parseSqlUncached } from '../../src/engine/sql/parser.js';
import { T } from '../../src/engine/sql/types.js';

const range = (lo: number | 'min', hi: number | 'max'): PartitionBound => ({
  kind: 'range',
  lower: [lo === 'min' ? { kind: 'minvalue' } : { kind: 'value', v: lo }],
  upper: [hi === 'max' ? { kind: 'maxvalue' } : { kind: 'value', v: hi }],
});
const rkey: PartitionKey = { strategy: 'range', cols: [0], types: [T.int4], names: ['k'] };
const lkey: PartitionKey = { ...rkey, strategy: 'list' };
const where = (clause: string) => parseSqlUncached(`SELECT * FROM t WHERE ${clause}`)[0]!.stmt.SelectStmt.whereClause;
const parts = (bounds: PartitionBound[]): BoundOf<string>[] => bounds.map((bound, i) => ({ rel: `p${i}`, name: `p${i}`, bound }));

/** Does key value v satisfy the clause? (the same grammar the generator writes) */
type Clause = { op: '<' | '<=' | '>' | '>=' | '='; c: number } | { between: [number, number] } | { in: number[] } | { and: Clause[] } | { or: Clause[] };
const text = (c: Clause): string => ('op' in c ? `k ${c.op} ${c.c}` : 'between' in c ? `k BETWEEN ${c.between[0]} AND ${c.between[1]}`
  : 'in' in c ? `k IN (${c.in.join(', ')})` : 'and' in c ? `(${c.and.map(text).join(' AND ')})` : `(${c.or.map(text).join(' OR ')})`);
const holds = (c: Clause, v: number): boolean => ('op' in c ? ({ '<': v < c.c, '<=': v <= c.c, '>': v > c.c, '>=': v >= c.c, '=': v === c.c })[c.op]
  : 'between' in c ? v >= c.between[0] && v <= c.between[1] : 'in' in c ? c.in.includes(v)
    : 'and' in c ? c.and.every((x) => holds(x, v)) : c.or.some((x) => holds(x, v)));
const num = fc.integer({ min: -5, max: 50 });
const leaf: fc.Arbitrary<Clause> = fc.oneof(
  fc.record({ op: fc.constantFrom('<', '<=', '>', '>=', '=') as fc.Arbitrary<'<' | '<=' | '>' | '>=' | '='>, c: num }),
  fc.tuple(num, num).map(([a, b]) => ({ between: [a, b] as [number, number] })),
  fc.array(num, { minLength: 1, maxLength: 3 }).map((xs) => ({ in: xs })),
);
const clause: fc.Arbitrary<Clause> = fc.letrec<{ c: Clause }>((tie) => ({
  c: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf,
    fc.array(tie('c'), { minLength: 2, maxLength: 3 }).map((and) => ({ and })),
    fc.array(tie('c'), { minLength: 2, maxLength: 3 }).map((or) => ({ or }))),
})).c;

beforeAll(async () => { await initParser(); });

describe('partition pruning (partprune.c)', () => {
  const layouts: [string, PartitionKey, PartitionBound[]][] = [
    ['RANGE with a hole and a DEFAULT', rkey, [range(0, 10), range(10, 20), range(30, 40), { kind: 'default' }]],
    ['RANGE from MINVALUE, no DEFAULT', rkey, [range('min', 5), range(5, 25), range(25, 'max')]],
    ['LIST with a DEFAULT', lkey, [{ kind: 'list', values: [1, 3] }, { kind: 'list', values: [20] }, { kind: 'default' }]],
  ];
  for (const [name, key, bounds] of layouts) {
    it(`never prunes a partition holding a matching row: ${name}`, () => {
      const ps = parts(bounds);
      fc.assert(fc.property(clause, (c) => {
        const kept = new Set(prunePartitions(ps, key, where(text(c))));
        for (let v = -10; v <= 55; v++) {
          if (!holds(c, v)) continue;
          const home = partitionForKey(ps, [v]);
          if (home && !kept.has(home.rel)) return false;
        }
        return true;
      }), { numRuns: 300 });
    });
  }

  it('prunes by ranges as PostgreSQL does (recorded in partition/prune-ranges)', () => {
    const ps = parts([range(0, 10), range(10, 20), range(30, 40), { kind: 'default' }]);
    const keep = (w: string) => prunePartitions(ps, rkey, where(w));
    expect(keep('k < 10')).toEqual(['p0', 'p3']); // the DEFAULT holds what is below 0
    expect(keep('k > 2 AND k < 8')).toEqual(['p0']); // inside one bound: the DEFAULT pruned too
    expect(keep('k >= 22 AND k < 28')).toEqual(['p3']); // the hole between 20 and 30 is the DEFAULT's
    expect(keep('k > 5 AND k < 3')).toEqual([]);
    expect(keep('k < 3 OR k = 35')).toEqual(['p0', 'p2', 'p3']);
    expect(keep('k <> 5')).toEqual(['p0', 'p1', 'p2', 'p3']); // not modelled: nothing pruned
    expect(boundAccepts(range(0, 10), [9])).toBe(true);
  });
});
