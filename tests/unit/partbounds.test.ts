import { describe, it, expect } from 'vitest';
import { boundOrder, boundAccepts, partitionForKey, checkNewBound, boundText, type PartitionBound, type PartitionKey } from '../../src/engine/partitioning/partbounds.js';
import { prunePartitions } from '../../src/engine/partitioning/partprune.js';
import { T } from '../../src/engine/sql/types.js';

const list = (...values: (number | null)[]): PartitionBound => ({ kind: 'list', values });
const range = (lo: number | 'min', hi: number | 'max'): PartitionBound => ({
  kind: 'range',
  lower: [lo === 'min' ? { kind: 'minvalue' } : { kind: 'value', v: lo }],
  upper: [hi === 'max' ? { kind: 'maxvalue' } : { kind: 'value', v: hi }],
});
const dflt: PartitionBound = { kind: 'default' };
const key: PartitionKey = { strategy: 'list', cols: [0], types: [T.int4], names: ['a'] };

describe('partition bounds (partbounds.c)', () => {
  it('orders LIST partitions by their smallest value, NULL-only after, DEFAULT last', () => {
    const bs = [dflt, list(null), list(4, 2), list(3, 1)];
    expect(bs.sort(boundOrder).map(boundText)).toEqual(['FOR VALUES IN (3, 1)', 'FOR VALUES IN (4, 2)', 'FOR VALUES IN (NULL)', 'DEFAULT']);
  });
  it('orders RANGE partitions by lower bound, MINVALUE first', () => {
    expect([range(10, 20), range('min', 10)].sort(boundOrder).map(boundText)).toEqual(['FOR VALUES FROM (MINVALUE) TO (10)', 'FOR VALUES FROM (10) TO (20)']);
  });
  it('a range includes its lower bound and excludes its upper; it never holds NULL', () => {
    expect(boundAccepts(range(10, 20), [10])).toBe(true);
    expect(boundAccepts(range(10, 20), [20])).toBe(false);
    expect(boundAccepts(range('min', 'max'), [null])).toBe(false);
  });
  it('routes to the accepting partition, else the DEFAULT, else none', () => {
    const parts = [{ rel: 'p1', name: 'p1', bound: list(1) }, { rel: 'pd', name: 'pd', bound: dflt }];
    expect(partitionForKey(parts, [1])?.rel).toBe('p1');
    expect(partitionForKey(parts, [7])?.rel).toBe('pd');
    expect(partitionForKey(parts.slice(0, 1), [7])).toBeNull();
  });
  it('refuses overlapping, empty and second DEFAULT bounds with 42P17', () => {
    const sib = [{ rel: 1, name: 'r1', bound: range(0, 10) }, { rel: 2, name: 'd', bound: dflt }];
    expect(() => checkNewBound('r2', range(5, 15), sib)).toThrow('partition "r2" would overlap partition "r1"');
    expect(() => checkNewBound('r2', range(15, 15), sib)).toThrow('empty range bound specified for partition "r2"');
    expect(() => checkNewBound('d2', dflt, sib)).toThrow('partition "d2" conflicts with existing default partition "d"');
    expect(() => checkNewBound('r2', range(10, 15), sib)).not.toThrow();
  });
});

describe('partition pruning (partprune.c)', () => {
  const parts = [{ rel: 'p1', name: 'p1', bound: list(1) }, { rel: 'p2', name: 'p2', bound: list(2) }, { rel: 'pn', name: 'pn', bound: list(null) }];
  const eq = (v: number) => ({ A_Expr: { kind: 'AEXPR_OP', name: [{ String: { sval: '=' } }], lexpr: { ColumnRef: { fields: [{ String: { sval: 'a' } }] } }, rexpr: { A_Const: { ival: { ival: v } } } } });
  it('keeps only the partition an equality on the key routes to', () => {
    expect(prunePartitions(parts, key, eq(2))).toEqual(['p2']);
    expect(prunePartitions(parts, key, eq(9))).toEqual([]);
  });
  it('keeps every partition when WHERE does not pin the key', () => {
    expect(prunePartitions(parts, key, undefined)).toEqual(['p1', 'p2', 'pn']);
    expect(prunePartitions(parts, key, { NullTest: { nulltesttype: 'IS_NULL', arg: { ColumnRef: { fields: [{ String: { sval: 'a' } }] } } } })).toEqual(['pn']);
  });
});
