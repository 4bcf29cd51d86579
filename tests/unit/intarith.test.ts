/**
 * Integer arithmetic is exact: every int2/int4/int8 operator result equals the BigInt result, or raises 22003
 * exactly when that result does not fit the type (int.c / int8.c); int8 values stay in normal form (a number
 * while safe, a bigint beyond); sum() and avg() accumulate exactly.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { intArith, intNegate, intAbs } from '../../src/engine/sql/intarith.js';
import { T, normInt8, checkIntRange, parseInput, integerLiteral, formatValue } from '../../src/engine/sql/types.js';
import { PgError } from '../../src/engine/errors.js';
import { newAggState } from '../../src/engine/sql/expr.js';
import { Numeric } from '../../src/engine/sql/numeric.js';

const RANGES = { int2: [-32768n, 32767n], int4: [-2147483648n, 2147483647n], int8: [-9223372036854775808n, 9223372036854775807n] } as const;
const MSG = { int2: 'smallint out of range', int4: 'integer out of range', int8: 'bigint out of range' } as const;
type IntType = keyof typeof RANGES;

const oracle = (op: string, a: bigint, b: bigint): bigint | 'div0' => {
  if ((op === '/' || op === '%') && b === 0n) return 'div0';
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return a / b; // BigInt division truncates toward zero, as C does
    default: return b === -1n ? 0n : a % b;
  }
};
const asValue = (t: IntType, x: bigint) => (t === 'int8' ? normInt8(x) : Number(x));
const outcome = (f: () => unknown): unknown => {
  try { const v = f(); return typeof v === 'bigint' ? `big:${v}` : typeof v === 'number' ? `num:${v === 0 ? 0 : v}` : v; } catch (e) {
    if (e instanceof PgError) return `${e.sqlstate} ${e.message}`;
    throw e;
  }
};
const expected = (t: IntType, r: bigint | 'div0') => {
  if (r === 'div0') return '22012 division by zero';
  const [lo, hi] = RANGES[t];
  if (r < lo || r > hi) return `22003 ${MSG[t]}`;
  const v = asValue(t, r);
  return typeof v === 'bigint' ? `big:${v}` : `num:${v}`;
};

// values near the interesting edges (0, ±1, 2^31, 2^53, 2^63) as well as anywhere in range
const edgy = (t: IntType) => {
  const [lo, hi] = RANGES[t];
  const specials = [0n, 1n, -1n, 2n, -2n, lo, hi, lo + 1n, hi - 1n, 46341n, -46341n, 2147483647n, -2147483648n, 9007199254740991n, 9007199254740993n,
    -9007199254740993n, 4294967296n]
    .filter((x) => x >= lo && x <= hi);
  return fc.oneof(fc.bigInt({ min: lo, max: hi }), fc.constantFrom(...specials), fc.bigInt({ min: -1000n, max: 1000n }));
};

describe('integer operators are exact, with 22003 on overflow', () => {
  for (const t of ['int2', 'int4', 'int8'] as const) {
    for (const op of ['+', '-', '*', '/', '%']) {
      it(`${t} ${op}`, () => {
        const g = intArith(op, T[t])!;
        fc.assert(fc.property(edgy(t), edgy(t), (a, b) => {
          expect(outcome(() => g(asValue(t, a), asValue(t, b)))).toBe(expected(t, oracle(op, a, b)));
        }), { numRuns: 3000 });
      });
    }
    it(`${t} unary minus and abs()`, () => {
      fc.assert(fc.property(edgy(t), (a) => {
        expect(outcome(() => intNegate(asValue(t, a), T[t]))).toBe(expected(t, -a));
        expect(outcome(() => intAbs(asValue(t, a), T[t]))).toBe(expected(t, a < 0n ? -a : a));
      }), { numRuns: 2000 });
    });
  }
  it('casts between integer types check the target range', () => {
    fc.assert(fc.property(edgy('int8'), fc.constantFrom('int2', 'int4', 'int8') as fc.Arbitrary<IntType>, (a, t) => {
      expect(outcome(() => checkIntRange(normInt8(a), T[t]))).toBe(expected(t, a));
    }), { numRuns: 3000 });
  });
  it('int8 input and literals keep every digit', () => {
    expect(parseInput('9007199254740993', T.int8)).toBe(9007199254740993n);
    expect(parseInput('-9223372036854775808', T.int8)).toBe(-9223372036854775808n);
    expect(parseInput('42', T.int8)).toBe(42);
    expect(() => parseInput('9223372036854775808', T.int8)).toThrow('value "9223372036854775808" is out of range for type bigint');
    expect(integerLiteral('2147483648')).toEqual({ value: 2147483648, type: T.int8 });
    expect(integerLiteral('-2147483648')).toEqual({ value: -2147483648, type: T.int4 });
    expect(integerLiteral('9223372036854775808')).toBeNull(); // numeric
  });
  it('sum() and avg() of integers are exact, also when a running sum of safe int8 values passes 2^53 (int8_avg_accum)', () => {
    // sum(int2/int4) is int8, sum(int8) and avg() numeric: the accumulator must never round (9007199254740991 + 2)
    const agg = (kind: 'sum' | 'avg', t: IntType, xs: bigint[]) => {
      const st = newAggState({ kind, arg: null, star: false, distinct: false, type: kind === 'sum' && t !== 'int8' ? T.int8 : T.numeric });
      for (const x of xs) st.add(asValue(t, x));
      return formatValue(st.result());
    };
    const exact = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);
    expect(agg('sum', 'int8', [9007199254740991n, 2n])).toBe('9007199254740993');
    expect(agg('sum', 'int8', [4503599627370497n, 4503599627370497n, 1n])).toBe('9007199254740995');
    for (const t of ['int2', 'int4', 'int8'] as const) {
      fc.assert(fc.property(fc.array(edgy(t), { minLength: 1, maxLength: 6 }), (xs) => {
        expect(agg('sum', t, xs)).toBe(String(exact(xs)));
        expect(agg('avg', t, xs)).toBe(Numeric.fromInt(exact(xs)).div(Numeric.fromInt(xs.length)).toString());
      }), { numRuns: 2000 });
    }
  });
});
