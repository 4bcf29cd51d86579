/**
 * double precision (float8) and real (float4): IEEE-754 binary floating point, as utils/adt/float.c has them.
 *
 * A float value is a PgFloat: the JS number (for real, already rounded to single precision with Math.fround) and
 * which of the two types it is, so the output function knows how many digits it needs. Output follows PostgreSQL
 * 12+ with extra_float_digits = 1 (the default): the shortest decimal that reads back as the same value (Ryu's
 * result; here found with toExponential / toPrecision, which round correctly), in fixed notation when the decimal
 * exponent is in [-4, 15) for float8 and [-4, 6) for float4, else d.ddde±XX like printf. NaN, Infinity and
 * -Infinity are spelled as PostgreSQL spells them. Arithmetic checks overflow and underflow as float.c's
 * float_overflow_error / float_underflow_error do (22003 "value out of range: overflow"), division by zero 22012.
 *
 * Mirrors: src/backend/utils/adt/float.c (float8in, float8out, float4in, float4out, float8pl..., dtoi4, dsqrt,
 * dpow, dlog1, ...), src/common/d2s.c and f2s.c (the output format's thresholds).
 * Simplifications: extra_float_digits is always 1 (its value is not consulted).
 */
import { PgError } from '../errors.js';

export class PgFloat {
  constructor(readonly v: number, readonly single: boolean) {}
  toString(): string { return floatOut(this.v, this.single); }
  cmp(o: PgFloat): number { return floatCmp(this.v, o.v); }
  /** a stable key for index maps (independent of output settings) */
  key(): string { return 'f' + (this.v === 0 ? 0 : this.v); } // 0 = -0, NaN = NaN (float8eq)
}

export const f8 = (v: number) => new PgFloat(v, false);
export const f4 = (v: number) => new PgFloat(Math.fround(v), true);

/** float8_cmp_internal: NaN sorts above everything and equals itself. */
export function floatCmp(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The shortest decimal digits that read back as v (float4: as Math.fround of v), and the decimal exponent. */
function shortest(v: number, single: boolean): { digits: string; exp: number } {
  let s: string;
  if (!single) s = Math.abs(v).toExponential();
  else {
    const a = Math.abs(v);
    s = a.toExponential(8);
    for (let p = 1; p <= 9; p++) { const t = a.toExponential(p - 1); if (Math.fround(Number(t)) === a) { s = t; break; } }
  }
  const [mant, e] = s.split('e');
  return { digits: mant!.replace('.', ''), exp: Number(e) };
}

export function floatOut(v: number, single: boolean): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  const sign = v < 0 || Object.is(v, -0) ? '-' : '';
  if (v === 0) return sign + '0';
  const { digits, exp } = shortest(v, single);
  if (exp >= -4 && exp < (single ? 6 : 15)) {
    if (exp < 0) return sign + '0.' + '0'.repeat(-exp - 1) + digits;
    if (digits.length <= exp + 1) return sign + digits + '0'.repeat(exp + 1 - digits.length);
    return sign + digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
  }
  const m = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
  const ae = Math.abs(exp);
  return `${sign}${m}e${exp < 0 ? '-' : '+'}${ae < 10 ? '0' + ae : ae}`;
}

const FLOAT_SYNTAX = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** float8in / float4in: strtod's syntax, NaN and Infinity spellings, surrounding blanks; 22P02 and 22003. */
export function floatIn(s: string, single: boolean): PgFloat {
  const t = s.trim();
  const typ = single ? 'real' : 'double precision';
  const lower = t.toLowerCase();
  let v: number;
  if (lower === 'nan' || lower === '+nan' || lower === '-nan') v = NaN;
  else if (/^[+]?(inf|infinity)$/.test(lower)) v = Infinity;
  else if (/^-(inf|infinity)$/.test(lower)) v = -Infinity;
  else {
    if (!FLOAT_SYNTAX.test(t)) throw new PgError('22P02', `invalid input syntax for type ${typ}: "${s}"`);
    v = Number(t);
    const r = single ? Math.fround(v) : v;
    const mantissaZero = !/[1-9]/.test(t.replace(/e.*$/i, ''));
    if (!Number.isFinite(r) || (r === 0 && !mantissaZero)) throw new PgError('22003', `"${t}" is out of range for type ${typ}`);
    v = r;
  }
  return new PgFloat(single ? Math.fround(v) : v, single);
}

export const overflow = () => new PgError('22003', 'value out of range: overflow');
export const underflow = () => new PgError('22003', 'value out of range: underflow');

/** float_overflow_error / float_underflow_error checks of float.h's float8_pl, _mi, _mul, _div. */
export function floatArith(op: string, single: boolean): ((a: number, b: number) => number) | null {
  const r = single ? Math.fround : (x: number) => x;
  const check = (x: number, a: number, b: number, zeroOk: boolean) => {
    if (!Number.isFinite(x) && Number.isFinite(a) && Number.isFinite(b)) throw overflow();
    if (x === 0 && !zeroOk) throw underflow();
    return x;
  };
  switch (op) {
    case '+': return (a, b) => check(r(a + b), a, b, true);
    case '-': return (a, b) => check(r(a - b), a, b, true);
    case '*': return (a, b) => check(r(a * b), a, b, a === 0 || b === 0);
    case '/': return (a, b) => {
      if (b === 0 && !Number.isNaN(a)) throw new PgError('22012', 'division by zero');
      return check(r(a / b), a, Number.isFinite(b) ? b : 0, a === 0 || !Number.isFinite(b));
    };
    default: return null;
  }
}

/** rint(): round half to even, as dtoi4 / dround do. */
export function rint(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.floor(x), d = x - f;
  if (d < 0.5) return f === 0 && x < 0 ? -0 : f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** dtoi4 / dtoi2 / dtoi8: rint, then the range check (NaN is out of range too). */
export function floatToInt(x: number, bits: 16 | 32 | 64): number | bigint {
  const v = rint(x);
  const names = { 16: 'smallint', 32: 'integer', 64: 'bigint' } as const;
  const lim = bits === 16 ? 32768 : bits === 32 ? 2147483648 : 9223372036854775808;
  if (Number.isNaN(v) || v < -lim || v >= lim) throw new PgError('22003', `${names[bits]} out of range`);
  if (bits === 64 && !Number.isSafeInteger(v)) return BigInt(v);
  return v === 0 ? 0 : v;
}

/** printf's %.{p}g (float8_numeric uses DBL_DIG = 15 significant digits, float4_numeric FLT_DIG = 6). */
export function formatG(x: number, p: number): string {
  if (x === 0) return '0';
  const e = Number(x.toExponential(p - 1).split('e')[1]);
  if (e < -4 || e >= p) {
    const [m, ex] = x.toExponential(p - 1).split('e');
    const n = Number(ex); // printf writes at least two exponent digits: 1e+06
    return m!.replace(/\.?0+$/, '') + 'e' + (n < 0 ? '-' : '+') + String(Math.abs(n)).padStart(2, '0');
  }
  return x.toFixed(Math.max(0, p - 1 - e)).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

/**
 * cbrt as glibc computes it (sysdeps/ieee754/dbl-64/s_cbrt.c), which dcbrt calls: a polynomial first guess on the
 * mantissa, one rational refinement, the exponent's third — within an ulp, not correctly rounded, so
 * cbrt(27) is 3.0000000000000004 in PostgreSQL on Linux (JavaScript's Math.cbrt gives 3).
 */
export function glibcCbrt(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return x + x;
  // frexp: |x| = xm * 2^xe, xm in [0.5, 1)
  let xe = Math.floor(Math.log2(Math.abs(x))) + 1;
  let xm = Math.abs(x) / 2 ** xe;
  if (!Number.isFinite(xm) || xm === 0) { xm = Math.abs(x) * 2 ** 100 / 2 ** (xe + 100); }
  while (xm < 0.5) { xm *= 2; xe--; }
  while (xm >= 1) { xm /= 2; xe++; }
  const u = 0.35489576504391984 + (1.508191937815849 + (-2.114994941673713 + (2.4469312256353444
    + (-1.8346927748361308 + (0.7849323449766392 - 0.14526389938548637 * xm) * xm) * xm) * xm) * xm) * xm;
  const t2 = u * u * u;
  const ym = ((u * (t2 + 2.0 * xm)) / (2.0 * t2 + xm)) * CBRT_FACTOR[2 + (xe % 3)]!;
  const e = Math.trunc(xe / 3); // ldexp, in two steps where 2^e alone would overflow or underflow
  const half = Math.trunc(e / 2);
  return Math.sign(x) * ym * 2 ** half * 2 ** (e - half);
}
const CBRT2 = 1.2599210498948732, SQR_CBRT2 = 1.5874010519681996;
const CBRT_FACTOR = [1.0 / SQR_CBRT2, 1.0 / CBRT2, 1.0, CBRT2, SQR_CBRT2];
