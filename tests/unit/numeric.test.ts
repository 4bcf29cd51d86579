/** numeric arithmetic and display scale, as numeric.c computes them. */
import { describe, it, expect } from 'vitest';
import { Numeric } from '../../src/engine/sql/numeric.js';

const n = (s: string) => Numeric.fromString(s)!;
describe('numeric', () => {
  it('keeps the display scale through + - *', () => {
    expect(n('10.50').add(n('20.25')).toString()).toBe('30.75');
    expect(n('1.5').sub(n('2')).toString()).toBe('-0.5');
    expect(n('10.50').mul(n('3')).toString()).toBe('31.50');
  });
  it('divides with select_div_scale (at least 16 significant digits)', () => {
    expect(n('3').div(n('2')).toString()).toBe('1.5000000000000000');
    expect(n('10.50').div(n('3')).toString()).toBe('3.5000000000000000');
    expect(n('1').div(n('3')).toString()).toBe('0.33333333333333333333');
    expect(n('30.75').div(n('2')).toString()).toBe('15.3750000000000000');
    expect(n('100000').div(n('3')).toString()).toBe('33333.333333333333');
  });
  it('rounds half away from zero', () => {
    expect(n('2.345').round(2).toString()).toBe('2.35');
    expect(n('-2.345').round(2).toString()).toBe('-2.35');
  });
  it('rejects what is not a number', () => {
    expect(Numeric.fromString('abc')).toBeNull();
    expect(Numeric.fromString('.')).toBeNull();
  });
});
