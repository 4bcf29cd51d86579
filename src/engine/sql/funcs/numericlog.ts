/**
 * numeric's transcendental functions, as numeric.c computes them: ln_var, exp_var, log_var and power_var with a
 * non-integer exponent. The result scale is chosen first, as PostgreSQL 15 chooses it — at least
 * NUMERIC_MIN_SIG_DIGITS (16) significant digits, at least the inputs' display scales, at most 1000 decimals, the
 * magnitude estimated from the leading base-10000 digits (estimate_ln_dweight) — so ln(10::numeric) is
 * 2.3025850929940457 and exp(1.0) 2.7182818284590452; the value is then computed in fixed point with guard digits
 * (sqrt argument reduction and the atanh series for ln, halving and Taylor for exp) and rounded half away from
 * zero to that scale, as round_var does.
 *
 * Mirrors: src/backend/utils/adt/numeric.c (numeric_ln, numeric_exp, numeric_log, numeric_power,
 * estimate_ln_dweight). log(numeric) and log10(numeric) are SQL functions calling log(10, x): their errors carry
 * that CONTEXT line.
 */
import { PgError } from '../../errors.js';
import { Numeric } from '../numeric.js';

const MIN_SIG = 16, MAX_SCALE = 1000, MAX_RESULT_SCALE = 2000;
const p10 = (n: number) => 10n ** BigInt(n);
const abs = (x: bigint) => (x < 0n ? -x : x);
const clampScale = (s: number) => Math.min(Math.max(s, 0), MAX_SCALE);

/** the value as a fixed-point integer with P decimals (truncated) */
function fixed(v: Numeric, P: number): bigint { return v.scale <= P ? v.unscaled * p10(P - v.scale) : v.unscaled / p10(v.scale - P); }
/** a fixed-point value with P decimals rounded half away from zero to `scale` decimals */
function rounded(x: bigint, P: number, scale: number): Numeric {
  if (scale >= P) return new Numeric(x * p10(scale - P), scale);
  const d = p10(P - scale);
  let q = x / d;
  if (abs(x % d) * 2n >= d) q += x < 0n ? -1n : 1n;
  return new Numeric(q, scale);
}
function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt((n.toString(2).length >> 1) + 1);
  for (;;) { const y = (x + n / x) >> 1n; if (y >= x) return x; x = y; }
}

/** ln of a positive fixed-point value (P decimals): square roots until it is near 1, then 2 atanh((y-1)/(y+1)) */
function lnFixed(x: bigint, P: number): bigint {
  const one = p10(P);
  // x = y * 10^k with y in [1, 10): ln x = ln y + k ln 10
  const k = x.toString().length - 1 - P;
  const y = k >= 0 ? x / p10(k) : x * p10(-k);
  const r = lnNear(y, P);
  return k === 0 ? r : r + BigInt(k) * lnNear(10n * one, P);
}
function lnNear(y0: bigint, P: number): bigint {
  const one = p10(P);
  let y = y0, m = 1n;
  const hi = one + one / 20n, lo = one - one / 20n;
  while (y > hi || y < lo) { y = isqrt(y * one); m *= 2n; }
  const z = ((y - one) * one) / (y + one), z2 = (z * z) / one;
  let sum = 0n, term = z;
  for (let n = 1n; term !== 0n; n += 2n) { sum += term / n; term = (term * z2) / one; }
  return 2n * m * sum;
}
/** exp of a fixed-point value (P decimals): halved until small, the Taylor series, squared back */
function expFixed(x: bigint, P: number): bigint {
  const one = p10(P);
  if (x < 0n) return (one * one) / expFixed(-x, P);
  let k = 0;
  let r = x;
  while (r > one / 100n) { r /= 2n; k++; }
  let sum = one, term = one;
  for (let n = 1n; term !== 0n; n++) { term = (term * r) / (one * n); sum += term; }
  for (let i = 0; i < k; i++) sum = (sum * sum) / one;
  return sum;
}

/** estimate_ln_dweight: the decimal weight of ln(v) from v's leading base-10000 digits */
function estimateLnDweight(v: Numeric): number {
  if (v.unscaled <= 0n) return 0;
  const one = Numeric.fromInt(1);
  if (v.cmp(Numeric.fromString('0.9')!) >= 0 && v.cmp(Numeric.fromString('1.1')!) <= 0) {
    const x = v.sub(one);
    if (x.isZero()) return 0;
    return abs(x.unscaled).toString().length - 1 - x.scale; // the weight of its most significant decimal digit
  }
  const u = v.unscaled, intDigits = u.toString().length - v.scale;
  const weight = Math.floor((intDigits - 1) / 4);
  // the digits from 10000^weight: v / 10000^weight = u * 10^(4(-weight) - scale)
  const e = -4 * weight - v.scale;
  const scaled0 = e >= 0 ? u * p10(e) : u / p10(-e);
  const exact0 = e >= 0 || u % p10(-e) === 0n;
  let digits = Number(scaled0);
  let dweight = weight * 4;
  const e1 = e + 4;
  const scaled1 = e1 >= 0 ? u * p10(e1) : u / p10(-e1);
  const more = !(exact0 && scaled0 * 10000n === scaled1 && (e1 >= 0 || u % p10(-e1) === 0n));
  if (more) { digits = Number(scaled1 % 100000000n); dweight -= 4; }
  const ln = Math.log(digits) + dweight * 2.302585092994046;
  return Math.trunc(Math.log10(Math.abs(ln)));
}

function checkLnArg(v: Numeric, context?: string): void {
  const ctx = context ? { context } : {};
  if (v.isZero()) throw new PgError('2201E', 'cannot take logarithm of zero', ctx);
  if (v.unscaled < 0n) throw new PgError('2201E', 'cannot take logarithm of a negative number', ctx);
}

/** numeric_ln */
export function numLn(v: Numeric): Numeric {
  checkLnArg(v);
  const rscale = clampScale(Math.max(MIN_SIG - estimateLnDweight(v), v.scale));
  const P = rscale + 12;
  return rounded(lnFixed(fixed(v, P + 4), P + 4) / 10000n, P, rscale);
}

/** numeric_exp */
export function numExp(v: Numeric): Numeric {
  let val = v.toNumber() * 0.434294481903252;
  val = Math.min(Math.max(val, -MAX_RESULT_SCALE), MAX_RESULT_SCALE);
  const rscale = clampScale(Math.max(MIN_SIG - Math.trunc(val), v.scale));
  if (Math.abs(v.toNumber()) > MAX_RESULT_SCALE * 3) {
    if (v.unscaled > 0n) throw new PgError('22003', 'value overflows numeric format');
    return new Numeric(0n, rscale);
  }
  // guard digits: the result's own digits before the point, and the squarings' loss
  const P = rscale + 20 + Math.ceil(Math.abs(val)) + Math.ceil(Math.log2(Math.abs(v.toNumber()) * 100 + 1));
  return rounded(expFixed(fixed(v, P), P), P, rscale);
}

/** numeric_log / log_var: ln(num) / ln(base); `context`: the SQL function log(x) / log10(x) calling it */
export function numLog(base: Numeric, num: Numeric, context?: string): Numeric {
  checkLnArg(base, context);
  checkLnArg(num, context);
  const resultDweight = estimateLnDweight(num) - estimateLnDweight(base);
  const rscale = clampScale(Math.max(MIN_SIG - resultDweight, base.scale, num.scale));
  const P = rscale + Math.max(0, resultDweight) + 16;
  const lb = lnFixed(fixed(base, P), P);
  if (lb === 0n) throw new PgError('22012', 'division by zero', context ? { context } : {});
  const ln = lnFixed(fixed(num, P), P);
  return rounded((ln * p10(P)) / lb, P, rscale);
}

/** power_var with a non-integer exponent: exp(exp * ln(base)), at the scale its estimated weight calls for */
export function numPowerFrac(base: Numeric, exp: Numeric): Numeric {
  // the initial low-precision estimate of exp * ln(base) (local_rscale = 8 - ln_dweight)
  const localScale = Math.max(8 - estimateLnDweight(base), 0);
  const est = rounded(lnFixed(fixed(base, localScale + 10), localScale + 10), localScale + 10, localScale);
  const lnNum = est.mul(exp).round(localScale);
  let val = lnNum.toNumber();
  if (Math.abs(val) > MAX_RESULT_SCALE * 3.01) {
    if (val > 0) throw new PgError('22003', 'value overflows numeric format');
    return new Numeric(0n, 0).round(clampScale(Math.max(MIN_SIG, base.scale, exp.scale)));
  }
  val *= 0.434294481903252;
  const rscale = clampScale(Math.max(MIN_SIG - Math.trunc(val), base.scale, exp.scale));
  const P = rscale + 24 + Math.max(0, Math.ceil(val)) + Math.ceil(Math.log2(Math.abs(lnNum.toNumber()) * 100 + 1));
  const ln = lnFixed(fixed(base, P), P);
  const prod = (ln * exp.unscaled) / p10(exp.scale);
  return rounded(expFixed(prod, P), P, rscale);
}
