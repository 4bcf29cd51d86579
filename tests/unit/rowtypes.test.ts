import { describe, it, expect } from 'vitest';
import { PgRecord, recordOut, recordCmp, rowNullTest, recordInFields, recordType } from '../../src/engine/adt/rowtypes.js';
import { recordImage } from '../../src/engine/heap/datum.js';
import { tupleLength } from '../../src/engine/heap/tuple.js';
import { T } from '../../src/engine/sql/types.js';
import { PgArray } from '../../src/engine/adt/arrayfuncs.js';
import { Numeric } from '../../src/engine/sql/numeric.js';

const cmp = (a: unknown, b: unknown) => (a! < b! ? -1 : a! > b! ? 1 : 0);

describe('adt/rowtypes', () => {
  it('record_out quotes an empty field and one holding " \\ ( ) , or C white space, doubling " and \\ inside', () => {
    expect(recordOut([1, 'abc', null, true])).toBe('(1,abc,,t)');
    expect(recordOut([''])).toBe('("")');
    expect(recordOut(['a b', 'a,b', '(x)', 'say "hi"', 'back\\slash', 'tab\there', 'nl\nx'])).toBe('("a b","a,b","(x)","say ""hi""","back\\\\slash","tab\there","nl\nx")');
    // a no-break space is not C's isspace: left unquoted
    expect(recordOut(['a\u00a0b'])).toBe('(a\u00a0b)');
    expect(recordOut([])).toBe('()');
    expect(recordOut([null])).toBe('()');
  });
  it('a nested row and an array are fields like any other: their text, quoted when it needs to be', () => {
    const inner = new PgRecord([1, 'a b']);
    expect(new PgRecord([inner, 'z']).toString()).toBe('("(1,""a b"")",z)');
    expect(recordOut([new PgArray(['x', 'y z'])])).toBe('("{x,""y z""}")');
    expect(recordOut([Numeric.fromString('1.50')!])).toBe('(1.50)');
  });
  it('btrecordcmp: field by field, NULL after every value and equal to NULL', () => {
    expect(recordCmp(new PgRecord([1, null]), new PgRecord([1, null]), cmp)).toBe(0);
    expect(recordCmp(new PgRecord([1, 2]), new PgRecord([1, null]), cmp)).toBe(-1);
    expect(recordCmp(new PgRecord([null, 1]), new PgRecord([5, 0]), cmp)).toBe(1);
    expect(recordCmp(new PgRecord([2, 1]), new PgRecord([1, 9]), cmp)).toBe(1);
    expect(() => recordCmp(new PgRecord([1]), new PgRecord([1, 2]), cmp)).toThrow('different numbers of columns');
  });
  it('equal rows share a key (DISTINCT, GROUP BY), different ones do not', () => {
    expect(new PgRecord([1, null]).key()).toBe(new PgRecord([1, null]).key());
    expect(new PgRecord([1, 'a']).key()).not.toBe(new PgRecord([1, 'b']).key());
    expect(new PgRecord([null]).key()).not.toBe(new PgRecord(['']).key());
  });
  it('IS NULL of a row: every field NULL; IS NOT NULL: no field NULL', () => {
    expect(rowNullTest(new PgRecord([null, null]), true)).toBe(true);
    expect(rowNullTest(new PgRecord([null, 1]), true)).toBe(false);
    expect(rowNullTest(new PgRecord([null, 1]), false)).toBe(false);
    expect(rowNullTest(new PgRecord([1, 2]), false)).toBe(true);
    expect(rowNullTest(new PgRecord([]), true)).toBe(true);
    expect(rowNullTest(null, true)).toBe(true);
    expect(rowNullTest(null, false)).toBe(false);
  });
  it('record_in: empty field NULL, "" empty, backslash and quotes, white space kept inside, malformed literals 22P02', () => {
    expect(recordInFields('(1,abc)', 2)).toEqual(['1', 'abc']);
    expect(recordInFields('(,)', 2)).toEqual([null, null]);
    expect(recordInFields('(1,"")', 2)).toEqual(['1', '']);
    expect(recordInFields(' ( 5 , x y ) ', 2)).toEqual([' 5 ', ' x y ']);
    expect(recordInFields('(1,"a""b")', 2)).toEqual(['1', 'a"b']);
    expect(recordInFields('(1,a\\"b)', 2)).toEqual(['1', 'a"b']);
    expect(recordInFields('("(1,x)",2.5)', 2)).toEqual(['(1,x)', '2.5']);
    expect(recordInFields('()', 0)).toEqual([]);
    for (const [lit, detail] of [['abc', 'Missing left parenthesis.'], ['(1,2,3)', 'Too many columns.'], ['(1)', 'Too few columns.'],
      ['(1', 'Unexpected end of input.'], ['(1,2) junk', 'Junk after right parenthesis.'], ['(1,"abc', 'Unexpected end of input.']]) {
      expect(() => recordInFields(lit!, 2)).toThrow(expect.objectContaining({ sqlstate: '22P02', message: `malformed record literal: "${lit}"`, detail }));
    }
  });
  it('a composite datum: DatumTupleFields, invalid t_ctid, natts, infomask, t_hoff 24, then the fields (as PostgreSQL 15 stores ROW(1, \'ab\')::pair)', () => {
    const pair = recordType([{ name: 'a', type: T.int4 }, { name: 'b', type: T.text }], 'pair', 16429);
    const img = recordImage(new PgRecord([1, 'ab']), pair)!;
    const hex = (b: number[]) => b.map((x) => x.toString(16).padStart(2, '0')).join('');
    expect(hex(img)).toBe('7c000000' + 'ffffffff2d400000ffffffff000002000200180001000000076162');
    expect(tupleLength([1, 'ab'], [T.int4, T.text]).len).toBe(img.length);
    // a NULL field: HASNULL, its bitmap byte; no varlena field present: no HASVARWIDTH
    expect(hex(recordImage(new PgRecord([5, null]), pair)!)).toBe('70000000ffffffff2d400000ffffffff00000200010018' + '01' + '05000000');
  });
});
