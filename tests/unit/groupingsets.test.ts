import { describe, it, expect } from 'vitest';
import {
  expandGroupingSets, extractRollupSets, reorderGroupingSets, planGroupingSets, bipartiteMatch, type GroupingSetNode,
} from '../../src/engine/optimizer/groupingsets.js';

// refs 1, 2, 3 stand for a, b, c (their order in GROUP BY). The expected sets and passes are what PostgreSQL 15's
// EXPLAIN and results show for the same clauses (tests/scenarios/query/grouping-sets*.spec).
const s = (...refs: number[]): GroupingSetNode => ({ kind: 'simple', refs });
const rollup = (...c: GroupingSetNode[]): GroupingSetNode => ({ kind: 'rollup', content: c });
const cube = (...c: GroupingSetNode[]): GroupingSetNode => ({ kind: 'cube', content: c });
const sets = (...c: GroupingSetNode[]): GroupingSetNode => ({ kind: 'sets', content: c });
const empty: GroupingSetNode = { kind: 'empty' };
const show = (xs: number[][]) => xs.map((x) => `(${x.join(',')})`).join(' ');

describe('expand_grouping_sets (optimizer/groupingsets.ts)', () => {
  it('ROLLUP: the prefixes, longest first, then (); sorted by length', () => {
    expect(show(expandGroupingSets([rollup(s(1), s(2))], false)!)).toBe('() (1) (1,2)');
  });
  it('CUBE: bit i of the set number takes element i', () => {
    expect(show(expandGroupingSets([cube(s(1), s(2))], false)!)).toBe('() (1) (2) (1,2)');
  });
  it('a parenthesized list is one element of a ROLLUP or CUBE', () => {
    expect(show(expandGroupingSets([rollup(s(1, 2), s(3))], false)!)).toBe('() (1,2) (1,2,3)');
  });
  it('several items: the cartesian product, each set without duplicate members', () => {
    // GROUP BY a, ROLLUP (b, c)
    expect(show(expandGroupingSets([s(1), rollup(s(2), s(3))], false)!)).toBe('(1) (1,2) (1,2,3)');
    // GROUP BY ROLLUP (a, b), ROLLUP (a): (a, b) x (a) keeps (a, b) once inside the set, the sets themselves twice
    expect(expandGroupingSets([rollup(s(1), s(2)), rollup(s(1))], false)!.length).toBe(6);
  });
  it('GROUP BY DISTINCT: each set sorted, duplicate sets dropped', () => {
    expect(show(expandGroupingSets([rollup(s(1), s(2)), rollup(s(1))], true)!)).toBe('() (1) (1,2)');
    expect(show(expandGroupingSets([sets(s(2, 1), s(1, 2), s(1))], true)!)).toBe('(1) (1,2)');
  });
  it('nested GROUPING SETS and () inside them', () => {
    expect(show(expandGroupingSets([sets(s(1), sets(s(2), s(3)), empty)], false)!)).toBe('() (1) (2) (3)');
  });
  it('more sets than the limit: null (the parser reports 54001)', () => {
    const c = cube(s(1), s(2), s(3));
    expect(expandGroupingSets([c, c, c, c, cube(s(1), s(2))], false, 4096)).toBeNull();
    expect(expandGroupingSets([c, c, c, c], false, 4096)!.length).toBe(4096);
  });
});

describe('extract_rollup_sets and reorder_grouping_sets', () => {
  it('a chain of nested sets is one rollup, listed largest first', () => {
    const r = extractRollupSets([[], [1], [1, 2]]);
    expect(r.map(show)).toEqual(['() (1) (1,2)']);
    expect(show(reorderGroupingSets(r[0]!, []))).toBe('(1,2) (1) ()');
  });
  it('CUBE (a, b): two rollups — (a, b) (a) () and (b)', () => {
    const r = extractRollupSets([[], [1], [2], [1, 2]]);
    expect(r.map((x) => show(reorderGroupingSets(x, [])))).toEqual(['(1,2) (1) ()', '(2)']);
  });
  it('the empty sets go to the first chain; a set is matched to the smaller subset met first', () => {
    // GROUPING SETS ((a, b), (c), (b), ()): (c) () and (b, a) (b) — as PostgreSQL's GroupAggregate shows
    const r = extractRollupSets([[], [3], [2], [1, 2]]);
    expect(r.map((x) => show(reorderGroupingSets(x, [])))).toEqual(['(3) ()', '(2,1) (2)']);
  });
  it('a duplicate set stays next to its first copy', () => {
    // GROUPING SETS ((a), (a), (a, b), (b), ())
    const r = extractRollupSets([[], [1], [1], [2], [1, 2]]);
    expect(r.map((x) => show(reorderGroupingSets(x, [])))).toEqual(['(1,2) (1) (1) ()', '(2)']);
  });
  it('a set of empty sets only', () => {
    expect(extractRollupSets([[], []]).map(show)).toEqual(['() ()']);
  });
  it("a rollup's new members follow ORDER BY while it agrees", () => {
    expect(show(reorderGroupingSets([[2], [1, 2]], [2, 1]))).toBe('(2,1) (2)');
    expect(show(reorderGroupingSets([[1], [1, 2, 3]], [1, 3]))).toBe('(1,3,2) (1)');
    expect(show(reorderGroupingSets([[1], [1, 2, 3]], [1, -1, 3]))).toBe('(1,2,3) (1)');
  });
});

describe('Hopcroft-Karp (lib/bipartite_match.c)', () => {
  it('a maximum matching: three sets over two smaller ones', () => {
    // u 3 may take 1 or 2, u 4 only 1: both get one
    const { pairUV } = bipartiteMatch(4, [null, null, null, [2, 1], [1]]);
    expect(pairUV[3]! > 0 && pairUV[4]! > 0 && pairUV[3] !== pairUV[4]).toBe(true);
    expect(pairUV[4]).toBe(1);
  });
});

describe('consider_groupingsets_paths (the passes)', () => {
  it('hashable with an empty set: MixedAggregate — hash keys first in EXPLAIN, the () group first in the output', () => {
    const p = planGroupingSets([[], [1], [1, 2]], [], true);
    expect(p.strategy).toBe('Mixed');
    expect(p.explainOrder.map((x) => `${x.hashed ? 'H' : 'G'}${show(x.sets)}`)).toEqual(['H(1,2)', 'H(1)', 'G()']);
    expect(p.outputOrder.map((x) => `${x.hashed ? 'H' : 'G'}${show(x.sets)}`)).toEqual(['G()', 'H(1,2)', 'H(1)']);
  });
  it('GROUPING SETS ((a, b), (c), ()): the tables in rollup order (c) then (a, b)', () => {
    const p = planGroupingSets([[], [3], [1, 2]], [], true);
    expect(p.explainOrder.map((x) => show(x.sets))).toEqual(['(3)', '(1,2)', '()']);
  });
  it('no empty set: HashAggregate', () => {
    expect(planGroupingSets([[1], [2]], [], true).strategy).toBe('Hashed');
  });
  it('not hashable: GroupAggregate passes, one per rollup', () => {
    const p = planGroupingSets([[], [1], [2], [1, 2]], [], false);
    expect(p.strategy).toBe('Sorted');
    expect(p.outputOrder.map((x) => show(x.sets))).toEqual(['(1,2) (1) ()', '(2)']);
  });
  it('only empty sets: a plain Aggregate', () => {
    expect(planGroupingSets([[], []], [], true).strategy).toBe('Plain');
  });
});
