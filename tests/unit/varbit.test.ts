import { describe, it, expect } from 'vitest';
import {
  bitIn, applyBitTypmod, bitFromInt, bitToInt, bitLogic, bitNot, bitShift, bitCat, bitSubstring, bitOverlay, bitPosition,
  bitGetBit, bitSetBit, bitCount, bitBody, checkBitTypmod,
} from '../../src/engine/adt/varbit.js';
import { PgError } from '../../src/engine/errors.js';

const b = (s: string) => bitIn(s);
const sqlstate = (f: () => unknown) => { try { f(); } catch (e) { return e instanceof PgError ? `${e.sqlstate} ${e.message}` : String(e); } return 'no error'; };

describe('bit strings (adt/varbit.ts)', () => {
  it('reads binary and hex input, MSB-first with zero padding', () => {
    expect(b('0101').toString()).toBe('0101');
    expect([...b('x1F').bytes]).toEqual([0x1f]);
    expect([...b('B101').bytes]).toEqual([0xa0]); // the pad bits are zero
    expect(b('').len).toBe(0);
    expect(sqlstate(() => b('012'))).toBe('22P02 "2" is not a valid binary digit');
    expect(sqlstate(() => b('X1g'))).toBe('22P02 "g" is not a valid hexadecimal digit');
  });

  it('applies bit(n) and bit varying(n) typmods: exact / at most, truncation and padding only when explicit', () => {
    expect(applyBitTypmod(b('0101'), 3, false, true).toString()).toBe('010');
    expect(applyBitTypmod(b('01'), 4, false, true).toString()).toBe('0100');
    expect(sqlstate(() => applyBitTypmod(b('101'), 4, false, false))).toBe('22026 bit string length 3 does not match type bit(4)');
    expect(applyBitTypmod(b('10'), 3, true, false).toString()).toBe('10');
    expect(sqlstate(() => applyBitTypmod(b('1010'), 3, true, false))).toBe('22001 bit string too long for type bit varying(3)');
    expect(sqlstate(() => checkBitTypmod(0, true))).toBe('22023 length for type varbit must be at least 1');
  });

  it('casts integers by their two\'s complement bits, sign-extended past the width', () => {
    expect(bitFromInt(5, 8).toString()).toBe('00000101');
    expect(bitFromInt(-5, 8).toString()).toBe('11111011');
    expect(bitFromInt(300, 4).toString()).toBe('1100');
    expect(bitFromInt(-1, 40).toString()).toBe('1'.repeat(40));
    expect(bitFromInt(5, -1).toString()).toBe('1'); // no typmod: bit(1)
    expect(bitToInt(b('1'.repeat(32)), 32)).toBe(-1);
    expect(bitToInt(b('1'.repeat(31)), 32)).toBe(2147483647); // the padding shifted out of an unsigned word
    expect(bitToInt(b('x7FFFFFFFFFFFFFFF'), 64)).toBe(9223372036854775807n);
    expect(sqlstate(() => bitToInt(b('1'.repeat(33)), 32))).toBe('22003 integer out of range');
  });

  it('compares as bitcmp: the common bytes, then the shorter first', () => {
    expect(b('10').cmp(b('1'))).toBe(1);
    expect(b('1').cmp(b('01'))).toBe(1);
    expect(b('').cmp(b('0'))).toBe(-1);
    expect(b('xF0').cmp(b('1111'))).toBe(1);
    expect(b('0101').cmp(b('0101'))).toBe(0);
  });

  it('has the bitwise operators, shifts within the length and concatenation', () => {
    expect(bitLogic('&', b('1100'), b('1010')).toString()).toBe('1000');
    expect(bitLogic('#', b('1100'), b('1010')).toString()).toBe('0110');
    expect(sqlstate(() => bitLogic('|', b('1'), b('10')))).toBe('22026 cannot OR bit strings of different sizes');
    expect([...bitNot(b('101')).bytes]).toEqual([0x40]); // pad bits stay zero
    expect(bitShift(b('1100'), 1, true).toString()).toBe('1000');
    expect(bitShift(b('1100'), -1, true).toString()).toBe('0110');
    expect(bitShift(b('1100'), 5, false).toString()).toBe('0000');
    expect(bitCat(b('110'), b('01')).toString()).toBe('11001');
  });

  it('counts substring, position and overlay as SQL does', () => {
    expect(bitSubstring(b('110101'), 2, 3).toString()).toBe('101');
    expect(bitSubstring(b('110101'), 0, 2).toString()).toBe('1');
    expect(bitSubstring(b('110101'), 10, null).toString()).toBe('');
    expect(sqlstate(() => bitSubstring(b('1'), 1, -1))).toBe('22011 negative substring length not allowed');
    expect(bitPosition(b('110101'), b('01'))).toBe(3);
    expect(bitPosition(b('1'), b(''))).toBe(1);
    expect(bitOverlay(b('11111'), b('00'), 2, null).toString()).toBe('10011');
    expect(bitOverlay(b('11111'), b('00'), 2, 1).toString()).toBe('100111');
  });

  it('gets, sets and counts bits', () => {
    expect(bitGetBit(b('0101'), 1)).toBe(1);
    expect(bitSetBit(b('0101'), 0, 1).toString()).toBe('1101');
    expect(sqlstate(() => bitGetBit(b('xFFFF'), 20))).toBe('2202E bit index 20 out of valid range (0..15)');
    expect(sqlstate(() => bitSetBit(b('0101'), 1, 2))).toBe('22023 new bit must be 0 or 1');
    expect(bitCount(b('1101'))).toBe(3);
  });

  it('lays the datum out as the bit length (int32, little-endian) and the bytes', () => {
    expect(bitBody(b('1010'))).toEqual([4, 0, 0, 0, 0xa0]);
    expect(bitBody(b('x0102'))).toEqual([16, 0, 0, 0, 1, 2]);
  });
});
