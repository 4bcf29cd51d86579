/**
 * adt/snprintf.ts: printf's %.*f and %.*e of a double, which to_char's float templates print through. Checked
 * against JavaScript's own exact conversions — toFixed / toExponential also round the exact binary value and differ
 * only on an exact tie, which they break away from zero where printf (glibc) takes the even digit.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { printfF, printfE } from '../../src/engine/adt/snprintf.js';

/** x * 10^d is exactly halfway between two integers (BigInt arithmetic on the double's exact value) */
function exactTie(x: number, digits: number, exp = 0): boolean {
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, Math.abs(x));
  const bits = buf.getBigUint64(0);
  const e = Number((bits >> 52n) & 0x7ffn);
  const m = e === 0 ? bits & ((1n << 52n) - 1n) : (bits & ((1n << 52n) - 1n)) | (1n << 52n);
  const e2 = (e === 0 ? -1074 : e - 1075);
  const p = digits - exp;
  let num = m * (p > 0 ? 10n ** BigInt(p) : 1n), den = p < 0 ? 10n ** BigInt(-p) : 1n;
  if (e2 >= 0) num <<= BigInt(e2); else den <<= BigInt(-e2);
  return (2n * (num % den)) === den;
}

describe('printfF (%.*f)', () => {
  it('is toFixed wherever the value is not an exact tie (|x| < 1e21, where toFixed prints digits)', () => {
    fc.assert(fc.property(fc.double({ min: -1e20, max: 1e20, noNaN: true }), fc.integer({ min: 0, max: 20 }), (x, d) => {
      fc.pre(!exactTie(x, d));
      // toFixed keeps the sign of a negative value, but reads -0 as 0; printf prints -0 with its sign
      expect(printfF(x, d)).toBe(Object.is(x, -0) ? '-' + x.toFixed(d) : x.toFixed(d));
    }), { numRuns: 3000 });
  });
  it('breaks exact ties to the even digit', () => {
    fc.assert(fc.property(fc.integer({ min: -1e6, max: 1e6 }), (k) => {
      const x = k + 0.5;
      const got = printfF(x, 0);
      expect(Math.abs(Number(got)) % 2).toBe(0);
      expect(Math.abs(Number(got) - x)).toBe(0.5);
    }));
  });
});

describe('printfE (%+.*e)', () => {
  it('is toExponential with a sign and a two-digit exponent wherever the value is not an exact tie', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: 20 }), (x, d) => {
      fc.pre(x !== 0);
      const js = Math.abs(x).toExponential(d);
      const [mant, ex] = js.split('e') as [string, string];
      const e10 = Math.floor(Math.log10(Math.abs(x)));
      fc.pre(![e10 - 1, e10, e10 + 1].some((e) => exactTie(x, d, e)));
      const exp = Number(ex);
      const want = `${x < 0 ? '-' : '+'}${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
      expect(printfE(x, d)).toBe(want);
    }), { numRuns: 3000 });
  });
});
