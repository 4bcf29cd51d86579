import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { chooseJoin, joinTypeLabel, type JoinSide } from '../../src/engine/optimizer/joinpath.js';
import { hashJoin, bucketCount } from '../../src/engine/executor/nodeHashjoin.js';
import { mergeJoin } from '../../src/engine/executor/nodeMergejoin.js';
import { nestLoop } from '../../src/engine/executor/nodeNestloop.js';
import { hashInt4, hashInt8, hashText } from '../../src/engine/adt/hashfunc.js';
import type { Value } from '../../src/engine/sql/types.js';

const side = (o: Partial<JoinSide>): JoinSide => ({ rows: 2260, analyzed: false, restricted: false, keyUnique: false, keyDistinct: null,
  indexOnJoinColumn: false, ...o });
const eq = (o: Value[], i: Value[]) => o[0] === i[0];

describe('the planner\'s join rules (optimizer/joinpath.ts)', () => {
  it('hashes the unique side; of two unique sides the smaller, the right one on a tie', () => {
    expect(chooseJoin(side({ keyUnique: true }), side({ keyUnique: false, rows: 1270 }), 'inner', true, false)).toMatchObject({ method: 'HashJoin', outer: 'right' });
    expect(chooseJoin(side({ keyUnique: true }), side({ keyUnique: true }), 'inner', true, false)).toMatchObject({ method: 'HashJoin', outer: 'left', unsure: null });
    expect(chooseJoin(side({ keyUnique: true, rows: 11, restricted: true }), side({ keyUnique: true }), 'inner', true, false)).toMatchObject({ method: 'HashJoin', outer: 'right' });
  });
  it('merges two non-unique keys of never-analyzed tables, the smaller side outer', () => {
    expect(chooseJoin(side({}), side({ rows: 1270 }), 'inner', true, false)).toMatchObject({ method: 'MergeJoin', outer: 'right' });
    expect(chooseJoin(side({}), side({}), 'inner', true, false)).toMatchObject({ method: 'MergeJoin', outer: 'left' });
  });
  it('a RIGHT JOIN is planned as the LEFT JOIN with the sides swapped', () => {
    const c = chooseJoin(side({ keyUnique: true }), side({ keyUnique: true }), 'right', true, false);
    expect(c).toMatchObject({ method: 'HashJoin', outer: 'right' });
    expect(joinTypeLabel('right', c.outer)).toBe(' Left');
  });
  it('without an equality: a nested loop, the smaller side materialized; what the rules cannot vouch for is marked', () => {
    expect(chooseJoin(side({ rows: 1270 }), side({}), 'inner', false, false)).toMatchObject({ method: 'NestLoop', outer: 'right' });
    expect(chooseJoin(side({ keyUnique: true }), side({ keyUnique: true }), 'inner', true, true).unsure).toMatch(/ORDER BY or LIMIT/);
    expect(chooseJoin(side({ analyzed: true }), side({}), 'inner', true, false).unsure).toMatch(/analyzed/);
  });
});

describe('join nodes: the row order each method gives', () => {
  const outer: Value[][] = [[1, 'x'], [2, 'z'], [1, 'w'], [null, 'q']];
  const inner: Value[][] = [[1, 'a'], [3, 'b'], [1, 'c']];
  it('a hash join follows the outer side; one key\'s inner rows newest first; NULL keys never match', () => {
    const r = hashJoin(outer, inner, 0, 0, eq, true, false);
    expect(r.map((p) => `${p.o?.[1]}${p.i?.[1] ?? '-'}`)).toEqual(['xc', 'xa', 'z-', 'wc', 'wa', 'q-']);
  });
  it('a hash right join returns the unmatched inner rows by bucket (the hash of the key), NULL keys in bucket 0', () => {
    const rows: Value[][] = [[3, 'a'], [4, 'b'], [5, 'c'], [null, 'n']];
    const r = hashJoin([[1, 'o']], rows, 0, 0, eq, false, true, { hash: (v) => hashInt4(v as number), nbuckets: bucketCount(2260) });
    const bucket = (v: Value) => (v === null ? 0 : hashInt4(v as number) & 4095);
    const expected = [...rows].sort((a, b) => bucket(a[0]!) - bucket(b[0]!)).map((x) => x[1]);
    expect(r.map((p) => p.i![1])).toEqual(expected);
    expect(bucketCount(5)).toBe(1024);
    expect(bucketCount(2260)).toBe(4096);
  });
  it('a merge join returns key order, each outer row of a key with every inner row of it, NULLs last', () => {
    const text = (r: ReturnType<typeof mergeJoin>) => r.map((p) => `${p.o?.[1] ?? '-'}${p.i?.[1] ?? '-'}`);
    expect(text(mergeJoin(outer, inner, 0, 0, eq, true, false))).toEqual(['xa', 'xc', 'wa', 'wc', 'z-', 'q-']);
    expect(text(mergeJoin(outer, inner, 0, 0, eq, false, true))).toEqual(['xa', 'xc', 'wa', 'wc', '-b']);
  });
  it('a nested loop follows the outer side, then the inner side', () => {
    const r = nestLoop(outer, inner, eq, true);
    expect(r.map((p) => `${p.o?.[1]}${p.i?.[1] ?? '-'}`)).toEqual(['xa', 'xc', 'z-', 'wa', 'wc', 'q-']);
  });
});

describe('hash functions equal PostgreSQL 15\'s (tests/scenarios/plan/hashfunc.out, recorded)', () => {
  it('hashint4, hashint8 and hashtext of -2..6', () => {
    const out = readFileSync(new URL('../scenarios/plan/hashfunc.out', import.meta.url), 'utf8');
    const rows = out.split('\n').filter((l) => /^\s*-?\d+\|/.test(l)).map((l) => l.split('|').map((x) => x.trim()));
    const small = rows.filter((r) => r.length === 4);
    expect(small.length).toBe(9);
    for (const [k, h4, h8, ht] of small) {
      expect(hashInt4(Number(k)) | 0).toBe(Number(h4));
      expect(hashInt8(BigInt(k!)) | 0).toBe(Number(h8));
      expect(hashText(k!) | 0).toBe(Number(ht));
    }
    const big = rows.find((r) => r.length === 5)!;
    expect([hashInt8(5000000000n) | 0, hashInt8(-5000000000n) | 0, hashText('') | 0, hashText('abcdefghijklmnop') | 0, hashText('héllo wörld 12345') | 0]).toEqual(big.map(Number));
  });
});

describe('property: every join method returns the rows of the join\'s definition (a nested loop), only the order differs', () => {
  const rowsArb = fc.array(fc.tuple(fc.option(fc.integer({ min: 0, max: 4 }), { nil: null }), fc.integer({ min: 0, max: 99 })), { maxLength: 12 });
  const key = (p: { o: Value[] | null; i: Value[] | null }) => JSON.stringify([p.o, p.i]);
  const sortedKeys = (ps: { o: Value[] | null; i: Value[] | null }[]) => ps.map(key).sort();
  const eqNonNull = (o: Value[], i: Value[]) => o[0] !== null && o[0] === i[0];
  it('inner and left joins: hash and merge join equal the nested loop as multisets', () => {
    fc.assert(fc.property(rowsArb, rowsArb, fc.boolean(), (outer, inner, left) => {
      const nl = nestLoop(outer, inner, eqNonNull, left);
      expect(sortedKeys(hashJoin(outer, inner, 0, 0, eqNonNull, left, false))).toEqual(sortedKeys(nl));
      expect(sortedKeys(mergeJoin(outer, inner, 0, 0, eqNonNull, left, false))).toEqual(sortedKeys(nl));
    }));
  });
  it('a preserved inner side (hash / merge right join) adds each inner row nothing matched, once', () => {
    fc.assert(fc.property(rowsArb, rowsArb, (outer, inner) => {
      // the right join of outer ⟕ inner is the left join with the sides swapped
      const expected = nestLoop(inner, outer, (i, o) => eqNonNull(o, i), true).map((p) => ({ o: p.i, i: p.o }));
      const buckets = { hash: (v: Value) => hashInt4(v as number), nbuckets: 1024 };
      expect(sortedKeys(hashJoin(outer, inner, 0, 0, eqNonNull, false, true, buckets))).toEqual(sortedKeys(expected));
      expect(sortedKeys(mergeJoin(outer, inner, 0, 0, eqNonNull, false, true))).toEqual(sortedKeys(expected));
    }));
  });
});

describe('a join too large to build in memory (nodeNestloop.ts JOIN_ROWS_LIMIT)', () => {
  it('is refused with 54000 by each join method, and a query over it neither crashes nor changes anything', async () => {
    const { JOIN_ROWS_LIMIT } = await import('../../src/engine/executor/nodeNestloop.js');
    const n = Math.ceil(Math.sqrt(JOIN_ROWS_LIMIT)) + 1;
    const rows: Value[][] = Array.from({ length: n }, () => [1]);
    expect(() => nestLoop(rows, rows, () => true, false)).toThrow(expect.objectContaining({ sqlstate: '54000' }));
    expect(() => hashJoin(rows, rows, 0, 0, eq, false, false, { hash: (v) => hashInt4(v as number), nbuckets: bucketCount(n) })).toThrow(expect.objectContaining({ sqlstate: '54000' }));
    expect(() => mergeJoin(rows, rows, 0, 0, eq, false, false)).toThrow(expect.objectContaining({ sqlstate: '54000' }));
    const { Engine } = await import('../../src/engine/engine.js');
    const { initParser } = await import('../../src/engine/sql/parser.js');
    await initParser();
    const e = new Engine({ trace: false });
    e.createSession('s');
    e.execute('s', 'CREATE TABLE big(a int)');
    e.execute('s', 'INSERT INTO big SELECT g FROM generate_series(1, 200) g');
    const r = e.execute('s', 'SELECT count(*) FROM big a, big b, big c').outcome;
    expect(r.error?.sqlstate).toBe('54000');
    expect(e.execute('s', 'SELECT count(*) FROM big a, big b').outcome.results[0]!.rows).toEqual([['40000']]);
  }, 60_000);
  it('holds for a function in FROM beside a table (a lateral nested loop), and for a function returning too many rows', async () => {
    const { Engine } = await import('../../src/engine/engine.js');
    const { FUNCTION_ROWS_LIMIT } = await import('../../src/engine/executor/nodeFunctionscan.js');
    const e = new Engine({ trace: false });
    e.createSession('s');
    e.execute('s', 'CREATE TABLE big(a int)');
    e.execute('s', 'INSERT INTO big SELECT g FROM generate_series(1, 1500) g');
    expect(e.execute('s', 'SELECT count(*) FROM big, generate_series(1, 1500) g').outcome.error?.sqlstate).toBe('54000');
    // before: every row was built, a 100-million-row series exhausted the tab's memory
    const r = e.execute('s', `SELECT count(*) FROM generate_series(1, ${FUNCTION_ROWS_LIMIT + 1})`).outcome;
    expect(r.error?.sqlstate).toBe('0A000');
    expect(e.execute('s', `SELECT count(*) FROM generate_series(1, ${FUNCTION_ROWS_LIMIT})`).outcome.results[0]!.rows).toEqual([[String(FUNCTION_ROWS_LIMIT)]]);
    // a LIMIT still stops the series early: only the rows read are made
    expect(e.execute('s', 'SELECT * FROM generate_series(1, 1000000000) LIMIT 2').outcome.results[0]!.rows).toEqual([['1'], ['2']]);
  }, 60_000);
});
