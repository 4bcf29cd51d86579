import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { PgArray, arrayIn, arrayOut, arrayCmp, arrayDatumSize } from '../../src/engine/adt/arrayfuncs.js';
import { T, arrayOf, parseInput, formatValue, typeDisplayName, resolveTypeName } from '../../src/engine/sql/types.js';
import { PgError } from '../../src/engine/errors.js';
import { getSlice, getElement, setElement, arrayCat } from '../../src/engine/sql/arrayexpr.js';

const text = (s: string) => s;
const int = (s: string) => parseInput(s, T.int4);
const errOf = (f: () => unknown): PgError => { try { f(); } catch (e) { return e as PgError; } throw new Error('no error'); };

describe('array_out', () => {
  it('quotes elements that need it, prints NULL, nests dimensions and decorates non-1 bounds', () => {
    expect(arrayOut(new PgArray(['a', 'b c', '', null, 'null', 'x"y', 'p\\q', '{', 'tab\tx']))).toBe('{a,"b c","",NULL,"null","x\\"y","p\\\\q","{","tab\tx"}');
    expect(arrayOut(new PgArray([1, 2, 3, 4], [2, 2]))).toBe('{{1,2},{3,4}}');
    expect(arrayOut(new PgArray([7, 8], [2], [2]))).toBe('[2:3]={7,8}');
    expect(arrayOut(new PgArray([]))).toBe('{}');
    expect(arrayOut(new PgArray([true, false]))).toBe('{t,f}');
  });
});

describe('array_in', () => {
  it('reads elements, NULL, quotes, escapes, blanks and explicit bounds', () => {
    expect(arrayIn('{ 1 , 2 }', int).items).toEqual([1, 2]);
    expect(arrayIn('{a,"b c",NULL,"NULL",\\"q}', text).items).toEqual(['a', 'b c', null, 'NULL', '"q']);
    const m = arrayIn('[0:1][1:2]={{1,2},{3,4}}', int);
    expect([m.dims, m.lbs, m.items]).toEqual([[2, 2], [0, 1], [1, 2, 3, 4]]);
    expect(arrayIn('{}', int).ndim).toBe(0);
  });
  it('reports a malformed literal with PostgreSQL\'s DETAIL', () => {
    const cases: [string, string][] = [
      ['1,2', 'Array value must start with "{" or dimension information.'],
      ['{1,2', 'Unexpected end of input.'],
      ['{{1,2},{3}}', 'Multidimensional arrays must have sub-arrays with matching dimensions.'],
      ['{1,2}x', 'Junk after closing right brace.'],
      ['{1,{2}}', 'Unexpected "{" character.'],
      ['{"1"2}', 'Unexpected array element.'],
      ['[1:2]={1}', 'Specified array dimensions do not match array contents.'],
      ['{{1},2}', 'Unexpected array element.'],
      ['{1,,2}', 'Unexpected "," character.'],
    ];
    for (const [lit, detail] of cases) {
      const e = errOf(() => arrayIn(lit, int));
      expect([e.sqlstate, e.message, e.detail]).toEqual(['22P02', `malformed array literal: "${lit}"`, detail]);
    }
    expect(errOf(() => arrayIn('{a}', int)).message).toBe('invalid input syntax for type integer: "a"');
  });
});

describe('array types', () => {
  it('are named after their element type', () => {
    expect(typeDisplayName(arrayOf(T.int4))).toBe('integer[]');
    expect(resolveTypeName(['int4'], [], undefined, [{}]).name).toBe('_int4');
    expect(resolveTypeName(['_text'], []).elem?.name).toBe('text');
    expect(formatValue(parseInput('{1.50,2}', arrayOf(T.numeric)))).toBe('{1.50,2}');
  });
});

describe('btarraycmp', () => {
  const cmp = (a: PgArray, b: PgArray) => arrayCmp(a, b, (x, y) => (x < y ? -1 : x > y ? 1 : 0));
  it('orders by elements, NULL last, then by length, dimensions and bounds', () => {
    expect(cmp(new PgArray([1, 2]), new PgArray([1, 3]))).toBe(-1);
    expect(cmp(new PgArray([1, 2]), new PgArray([1, 2, 0]))).toBe(-1);
    expect(cmp(new PgArray([1, null]), new PgArray([1, 2]))).toBe(1);
    expect(cmp(new PgArray([1, null]), new PgArray([1, null]))).toBe(0);
    expect(cmp(new PgArray([1, 2]), new PgArray([1, 2], [2], [0]))).toBe(1);
  });
});

describe('subscripts', () => {
  const a = new PgArray([10, 20, 30]);
  it('fetch, slice, assign and concatenate as arrayfuncs.c does', () => {
    expect(getElement(a, [2])).toBe(20);
    expect(getElement(a, [4])).toBe(null);
    expect(arrayOut(getSlice(a, [2], [null]))).toBe('{20,30}');
    expect(arrayOut(getSlice(a, [5], [6]))).toBe('{}');
    expect(arrayOut(setElement(new PgArray([1, 2]), [5], 50))).toBe('{1,2,NULL,NULL,50}');
    expect(arrayOut(setElement(null, [3], 7))).toBe('[3:3]={7}');
    expect(arrayOut(arrayCat(new PgArray([1, 2], [1, 2]), new PgArray([3, 4]))!)).toBe('{{1,2},{3,4}}');
    expect(errOf(() => arrayCat(new PgArray([1, 2], [1, 2]), new PgArray([1, 2, 3], [1, 3]))).sqlstate).toBe('2202E');
  });
});

describe('on-disk size', () => {
  it('follows construct_md_array (measured against PostgreSQL 15: pg_column_size + 3)', () => {
    const size = (a: PgArray, sz: number, al: number) => arrayDatumSize(a, () => sz, al);
    expect(size(new PgArray([1, 2, 3]), 4, 4)).toBe(36); // stored 33
    expect(size(new PgArray([]), 4, 4)).toBe(16); // stored 13
    expect(size(new PgArray([1, null, 3]), 4, 4)).toBe(40); // stored 37
    expect(size(new PgArray([true, false, true]), 1, 1)).toBe(27); // stored 24
    expect(arrayDatumSize(new PgArray(['a', 'bb', 'ccc']), (v: string) => 4 + v.length, 4)).toBe(48); // stored 45
  });
});

describe('array_out → array_in round trip (property)', () => {
  const elem = fc.oneof(fc.constant(null), fc.string({ maxLength: 6 }), fc.constantFrom('NULL', 'null', ' ', '{}', '"', '\\', ',', 'a b'));
  it('text[] of any strings, one or two dimensions', () => {
    fc.assert(fc.property(fc.array(elem, { maxLength: 8 }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: -2, max: 3 }), (items, nd, lb) => {
      let a: PgArray;
      if (items.length === 0) a = new PgArray([]);
      else if (nd === 2 && items.length % 2 === 0) a = new PgArray(items, [items.length / 2, 2], [lb, 1]);
      else a = new PgArray(items, [items.length], [lb]);
      const back = arrayIn(arrayOut(a), text);
      expect(back.items).toEqual(a.items);
      expect(back.dims).toEqual(a.dims);
      expect(back.lbs).toEqual(a.lbs);
    }), { numRuns: 500 });
  });
  it('int8[] values', () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.constant(null), fc.integer())), (xs) => {
      const a = new PgArray(xs);
      const back = parseInput(arrayOut(a), arrayOf(T.int8)) as PgArray;
      expect(back.items).toEqual(xs.length ? xs : []);
    }), { numRuns: 300 });
  });
});
