/**
 * Math functions, one definition per argument type as pg_proc has them: abs(int4) is int4abs, abs(numeric)
 * numeric_abs, abs(double precision) float8abs ... so the result type follows the argument (sqrt(2) is double
 * precision because 2 casts to float8, the preferred numeric type; sqrt(2.0) is numeric). Double precision results
 * use float.c's rules (round() is rint: half to even; errors 2201F / 2201E for sqrt, power and log domains),
 * numeric ones numeric.c's (round half away from zero; sqrt's result scale from the input's weight, as sqrt_var
 * chooses it; power with an integer exponent at NUMERIC_MIN_SIG_DIGITS decimals, as power_var does in 15).
 *
 * Mirrors: src/backend/utils/adt/int.c, int8.c (int4abs, int4mod), float.c (dround, dtrunc, dceil, dfloor, dsign,
 * dsqrt, dcbrt, dpow, dexp, dlog1, dlog10, degrees, radians, dpi), numeric.c (numeric_round, numeric_trunc,
 * numeric_ceil, numeric_floor, numeric_sign, numeric_mod, numeric_div_trunc, numeric_sqrt, numeric_power); numeric
 * exp / ln / log and power with a non-integer exponent: numericlog.ts. NaN and the infinities: each function's
 * NUMERIC_IS_SPECIAL branch where SPECIAL below has it (power as POSIX pow(3)), else 0A000. random() and setseed():
 * float.c's drandom and setseed over pg_prng (adt/prng.ts; without setseed the generator is seeded from the
 * backend's pid, not randomly).
 */
import { PgError, notSupported } from '../../errors.js';
import { Numeric } from '../numeric.js';
import { numLn, numExp, numLog, numPowerFrac } from './numericlog.js';
import { type Value, T, PgArray, formatValue } from '../types.js';
import { castTo } from '../coerce.js';
import { compareValues } from '../operators.js';
import { intAbs } from '../intarith.js';
import { PgFloat, f8, f4, rint, overflow, underflow, glibcCbrt } from '../../adt/float.js';
import { register, noSuchFunction, type FuncDef, type CallCtx } from './registry.js';
import { prngSeed, prngFseed, prngDouble } from '../../adt/prng.js';
import { printfG } from '../../adt/snprintf.js';
import { hashInt4, hashInt8, hashText, hashFloat8, hashUint32, hashTimestamp, hashInterval } from '../../adt/hashfunc.js';
import type { PgTimestamp, PgInterval } from '../../adt/datetime.js';

const F = (v: Value) => (v as PgFloat).v;
/** the calling backend (random()'s state is per backend) */
const backendOf = (c: CallCtx) => {
  const h = c.env.contrib?.();
  if (!h) throw new PgError('XX000', `${c.name}() called without a backend`);
  return h.session;
};
const Nm = (v: Value) => v as Numeric;
const im = (name: string, args: FuncDef['args'], ret: FuncDef['ret'], fn: NonNullable<FuncDef['fn']>): FuncDef => ({ name, args, ret, fn, immutable: true });
const divZero = () => new PgError('22012', 'division by zero');

/** A float8 result with float.c's overflow / underflow checks for a function of finite inputs. */
function checked(r: number, ...inputs: number[]): PgFloat {
  if (!Number.isFinite(r) && inputs.every(Number.isFinite)) throw overflow();
  if (r === 0 && inputs.every((x) => x !== 0)) throw underflow();
  return f8(r);
}

// ---- numeric helpers ----
const pow10 = (n: number) => 10n ** BigInt(n);
/** Round toward -∞ / +∞ / 0 at scale 0. */
function numCeilFloor(v: Numeric, up: boolean): Numeric {
  if (v.scale <= 0) return new Numeric(v.unscaled, 0);
  const d = pow10(v.scale);
  let q = v.unscaled / d;
  const r = v.unscaled % d;
  if (r !== 0n && (up ? v.unscaled > 0n : v.unscaled < 0n)) q += up ? 1n : -1n;
  return new Numeric(q, 0);
}
function numTrunc(v: Numeric, scale: number): Numeric {
  if (scale >= v.scale) return new Numeric(v.unscaled * pow10(scale - v.scale), scale);
  const q = v.unscaled / pow10(v.scale - scale);
  return scale >= 0 ? new Numeric(q, scale) : new Numeric(q * pow10(-scale), 0);
}
/** numeric_round with a negative scale rounds to tens, hundreds ... and shows no decimals. */
function numRound(v: Numeric, scale: number): Numeric {
  if (scale >= 0) return v.round(scale);
  const r = v.round(0);
  const d = pow10(-scale);
  let q = r.unscaled / d;
  const rem = r.unscaled % d;
  if ((rem < 0n ? -rem : rem) * 2n >= d) q += r.unscaled < 0n ? -1n : 1n;
  return new Numeric(q * d, 0);
}
function numMod(a: Numeric, b: Numeric): Numeric {
  if (b.isZero()) throw divZero();
  const s = Math.max(a.scale, b.scale);
  const x = a.unscaled * pow10(s - a.scale), y = b.unscaled * pow10(s - b.scale);
  return new Numeric(x % y, s);
}
function numDivTrunc(a: Numeric, b: Numeric): Numeric {
  if (b.isZero()) throw divZero();
  const s = Math.max(a.scale, b.scale);
  const x = a.unscaled * pow10(s - a.scale), y = b.unscaled * pow10(s - b.scale);
  return new Numeric(x / y, 0);
}
/** The weight of the first base-10000 digit, as NumericVar has it. */
function weight10000(v: Numeric): number {
  const abs = v.unscaled < 0n ? -v.unscaled : v.unscaled;
  if (abs === 0n) return 0;
  const intDigits = abs.toString().length - v.scale; // decimal digits before the point (may be <= 0)
  return Math.floor((intDigits - 1) / 4);
}
function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  for (;;) { const y = (x + n / x) >> 1n; if (y >= x) { while (x * x > n) x--; while ((x + 1n) * (x + 1n) <= n) x++; return x; } x = y; }
}
/** numeric_sqrt: rscale = NUMERIC_MIN_SIG_DIGITS - (estimated weight of the result), at least the input's scale. */
function numSqrt(v: Numeric): Numeric {
  if (v.unscaled < 0n) throw new PgError('2201F', 'cannot take square root of a negative number');
  const sweight = Math.trunc(((weight10000(v) + 1) * 4) / 2) - 1;
  const rscale = Math.min(Math.max(16 - sweight, v.scale, 0), 1000);
  // sqrt(u / 10^s) at scale rscale+1, then rounded: isqrt(u * 10^(2(rscale+1) - s))
  const e = 2 * (rscale + 1) - v.scale;
  const n = e >= 0 ? v.unscaled * pow10(e) : v.unscaled / pow10(-e);
  return new Numeric(isqrt(n), rscale + 1).round(rscale);
}
function numPower(base: Numeric, exp: Numeric): Numeric {
  const e = exp.round(exp.scale);
  const isInt = e.scale === 0 || e.unscaled % pow10(e.scale) === 0n;
  if (base.isZero() && e.unscaled < 0n) throw new PgError('2201F', 'zero raised to a negative power is undefined');
  if (base.unscaled < 0n && !isInt) throw new PgError('2201F', 'a negative number raised to a non-integer power yields a complex result');
  if (!isInt) return numPowerFrac(base, exp); // (numericlog.ts)
  const n = Number(e.unscaled / pow10(e.scale));
  if (Math.abs(n) > 100000) throw notSupported('power() of numeric with an exponent this large');
  if (base.isZero()) return new Numeric(n === 0 ? 1n : 0n, 0).round(16);
  // power_var (15): an integer exponent gives NUMERIC_MIN_SIG_DIGITS decimals, or the base's scale if larger
  const rscale = Math.min(Math.max(16, base.scale), 1000);
  if (n >= 0) {
    const r = new Numeric(base.unscaled ** BigInt(n), base.scale * n);
    return r.round(rscale);
  }
  const den = new Numeric(base.unscaled ** BigInt(-n), base.scale * -n);
  return Numeric.fromInt(1).divScale(den, rscale);
}
const numSign = (v: Numeric) => Numeric.fromInt(v.unscaled > 0n ? 1 : v.unscaled < 0n ? -1 : 0);
const numAbs = (v: Numeric) => (v.unscaled < 0n ? v.neg() : v);

// ---- float helpers ----
function fpow(x: number, y: number): number {
  if (x === 0 && y < 0) throw new PgError('2201F', 'zero raised to a negative power is undefined');
  if (x < 0 && !Number.isInteger(y) && Number.isFinite(y)) throw new PgError('2201F', 'a negative number raised to a non-integer power yields a complex result');
  return checked(Math.pow(x, y), x, y === 0 ? 1 : y).v;
}
function flog(x: number, f: (x: number) => number): PgFloat {
  if (x === 0) throw new PgError('2201E', 'cannot take logarithm of zero');
  if (x < 0) throw new PgError('2201E', 'cannot take logarithm of a negative number');
  return f8(f(x));
}

/** width_bucket_numeric / compute_bucket: ((operand - low) * count) / (high - low) at select_div_scale, + 1, floor */
function widthBucketNumeric(op: Numeric, lo: Numeric, hi: Numeric, count: number): number {
  if (count <= 0) throw new PgError('2201G', 'count must be greater than zero');
  const c = lo.cmp(hi);
  if (c === 0) throw new PgError('2201G', 'lower bound cannot equal upper bound');
  const reversed = c > 0;
  if (!reversed ? op.cmp(lo) < 0 : op.cmp(lo) > 0) return 0;
  if (!reversed ? op.cmp(hi) >= 0 : op.cmp(hi) <= 0) {
    if (count === 2147483647) throw new PgError('22003', 'integer out of range');
    return count + 1;
  }
  const num = (!reversed ? op.sub(lo) : lo.sub(op)).mul(Numeric.fromInt(count));
  const q = num.div(!reversed ? hi.sub(lo) : lo.sub(hi)).add(Numeric.fromInt(1));
  const p = 10n ** BigInt(q.scale);
  return Number(q.unscaled / p); // floor: q is positive here
}
/** width_bucket_float8 (15) */
function widthBucketFloat(op: number, lo: number, hi: number, count: number): number {
  if (count <= 0) throw new PgError('2201G', 'count must be greater than zero');
  if (Number.isNaN(op) || Number.isNaN(lo) || Number.isNaN(hi)) throw new PgError('2201G', 'operand, lower bound, and upper bound cannot be NaN');
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new PgError('2201G', 'lower and upper bounds must be finite');
  if (lo === hi) throw new PgError('2201G', 'lower bound cannot equal upper bound');
  const inRange = lo < hi ? !(op < lo) && op < hi : !(op > lo) && op > hi;
  if (!inRange) {
    if (lo < hi ? op < lo : op > lo) return 0;
    if (count === 2147483647) throw new PgError('22003', 'integer out of range');
    return count + 1;
  }
  const r = lo < hi ? (count * (op - lo)) / (hi - lo) + 1 : (count * (lo - op)) / (lo - hi) + 1;
  return Math.trunc(r);
}

const intOut = (v: bigint, bits: 32 | 64) => {
  const max = bits === 32 ? 2147483647n : 9223372036854775807n;
  if (v > max || v < -max - 1n) throw new PgError('22003', bits === 32 ? 'integer out of range' : 'bigint out of range');
  return Number.isSafeInteger(Number(v)) ? Number(v) : v;
};
function gcdBig(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a; b = b < 0n ? -b : b;
  while (b) [a, b] = [b, a % b];
  return a;
}
function intGcd(a: number | bigint, b: number | bigint, bits: 32 | 64) { return intOut(gcdBig(BigInt(a), BigInt(b)), bits); }
function intLcm(a: number | bigint, b: number | bigint, bits: 32 | 64) {
  const x = BigInt(a), y = BigInt(b);
  if (x === 0n || y === 0n) return 0;
  const r = (x / gcdBig(x, y)) * y;
  return intOut(r < 0n ? -r : r, bits);
}

function numGcdLcm(a: Numeric, b: Numeric, lcm: boolean): Numeric {
  const sc = Math.max(a.scale, b.scale);
  const x = a.unscaled * 10n ** BigInt(sc - a.scale), y = b.unscaled * 10n ** BigInt(sc - b.scale);
  if (!lcm) return new Numeric(gcdBig(x, y), sc);
  if (x === 0n || y === 0n) return new Numeric(0n, sc);
  const r = (x / gcdBig(x, y)) * y;
  return new Numeric(r < 0n ? -r : r, sc).round(sc);
}

/**
 * width_bucket(operand, thresholds) (arrayfuncs.c width_bucket_array): how many of the ascending thresholds are
 * <= the operand — 0 below the first. Operand and elements resolve to one type (anycompatible); numbers compare
 * as numbers.
 */
function widthBucketArray(op: Value, th: PgArray): number {
  if (th.ndim > 1) throw new PgError('2202E', 'thresholds must be one-dimensional array');
  if (th.items.some((x) => x === null)) throw new PgError('22004', 'thresholds array must not contain NULLs');
  const cmp = (a: Value, b: Value) => {
    const num = (v: Value) => (typeof v === 'number' || typeof v === 'bigint' ? Numeric.fromInt(v) : v instanceof Numeric ? v : null);
    const x = num(a), y = num(b);
    if (x && y) return x.cmp(y);
    if (a instanceof PgFloat || b instanceof PgFloat) {
      const f = (v: Value) => (v instanceof PgFloat ? v.v : Number(formatValue(v)));
      return f(a) < f(b) ? -1 : f(a) > f(b) ? 1 : 0;
    }
    const c = compareValues(a!, b!);
    return c;
  };
  // binary search, as width_bucket_array_fixed does: the first threshold greater than the operand
  let lo = 0, hi = th.items.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (cmp(op, th.items[mid]!) >= 0) lo = mid + 1; else hi = mid; }
  return lo;
}

/**
 * The numeric functions' answers for NaN and the infinities (numeric.c's NUMERIC_IS_SPECIAL branches): rounding
 * keeps them, abs(-Infinity) is Infinity, sign(NaN) is NaN, sqrt / ln of -Infinity are the negative-argument errors,
 * exp(-Infinity) is 0; mod and div as numeric_mod / numeric_div_trunc. undefined: no rule here (refused, 0A000).
 */
const SPECIAL: Record<string, (a: Numeric[]) => Numeric | null> = {
  abs: ([v]) => (v!.isNaN() ? v! : Numeric.PINF),
  round: ([v]) => v!, trunc: ([v]) => v!, ceil: ([v]) => v!, ceiling: ([v]) => v!, floor: ([v]) => v!,
  sign: ([v]) => (v!.isNaN() ? v! : Numeric.fromInt(v!.sign())),
  sqrt: ([v]) => { if (v!.sign() < 0) throw new PgError('2201F', 'cannot take square root of a negative number'); return v!; },
  exp: ([v]) => (v!.sign() < 0 ? Numeric.fromInt(0) : v!),
  ln: ([v]) => { if (v!.sign() < 0) throw new PgError('2201E', 'cannot take logarithm of a negative number'); return v!; },
  mod: ([a, b]) => {
    if (a!.isNaN() || b!.isNaN()) return Numeric.NaN;
    if (a!.isInf()) { if (b!.sign() === 0) throw divZero(); return Numeric.NaN; } // Inf % nonzero is NaN
    return a!; // x % ±Infinity is x
  },
  div: ([a, b]) => {
    if (a!.isNaN() || b!.isNaN()) return Numeric.NaN;
    if (a!.isInf()) {
      if (b!.isInf()) return Numeric.NaN;
      if (b!.sign() === 0) throw divZero();
      return a!.sign() * b!.sign() > 0 ? Numeric.PINF : Numeric.NINF;
    }
    return Numeric.fromInt(0);
  },
  power: ([x, y]) => numPowerSpecial(x!, y!), pow: ([x, y]) => numPowerSpecial(x!, y!),
  width_bucket: ([a, b, c]) => {
    if (a!.isNaN() || b!.isNaN() || c!.isNaN()) throw new PgError('2201G', 'operand, lower bound, and upper bound cannot be NaN');
    return null;
  },
};
/**
 * numeric_power with a NaN or an infinity, after POSIX pow(3): NaN ^ 0 and 1 ^ NaN are 1, other NaN cases NaN; the
 * zero and negative-base errors still apply; 1 ^ y and x ^ 0 are 1; x ^ ±Infinity is Infinity or 0 by whether |x| > 1
 * ((-1) ^ ±Infinity is 1); Infinity ^ y is Infinity or 0 by y's sign; -Infinity ^ y is -Infinity for an odd integer
 * y > 0, Infinity for another y > 0, 0 for y < 0.
 */
function numPowerSpecial(x: Numeric, y: Numeric): Numeric {
  const one = Numeric.fromInt(1), zero = Numeric.fromInt(0);
  const isOne = (v: Numeric) => !v.special && v.cmp(one) === 0;
  // numeric_is_integral: an infinity counts as an integer, NaN does not
  const integral = (v: Numeric) => v.isInf() || (!v.special && (v.scale === 0 || v.unscaled % pow10(v.scale) === 0n));
  if (x.isNaN()) return !y.special && y.isZero() ? one : Numeric.NaN;
  if (y.isNaN()) return isOne(x) ? one : Numeric.NaN;
  const s1 = x.sign(), s2 = y.sign();
  if (s1 === 0 && s2 < 0) throw new PgError('2201F', 'zero raised to a negative power is undefined');
  if (s1 < 0 && !integral(y)) throw new PgError('2201F', 'a negative number raised to a non-integer power yields a complex result');
  if (isOne(x) || s2 === 0) return one;
  if (y.isInf()) {
    if (!x.special && x.cmp(Numeric.fromInt(-1)) === 0) return one;
    const absGtOne = x.special ? true : (x.sign() < 0 ? x.neg() : x).cmp(one) > 0;
    return absGtOne === s2 > 0 ? Numeric.PINF : zero;
  }
  if (x.special === 'Infinity') return s2 > 0 ? Numeric.PINF : zero;
  if (s2 < 0) return zero;
  const odd = !y.special && integral(y) && (y.unscaled / pow10(y.scale)) % 2n !== 0n;
  return odd ? Numeric.NINF : Numeric.PINF;
}
/** A numeric function's definition guarded for the special values: SPECIAL's rule, or 0A000 naming the function. */
function specialAware(d: FuncDef): FuncDef {
  if (!d.fn || !d.args.includes('numeric')) return d;
  const f = d.fn, rule = SPECIAL[d.name];
  const guarded = (...args: Value[]): Value => {
    if (args.some((a) => a instanceof Numeric && a.special)) {
      const r = rule?.(args.filter((a): a is Numeric => a instanceof Numeric));
      if (r) return r;
      throw notSupported(`${d.name}() of NaN or an infinite numeric value`);
    }
    return f(...args);
  };
  return { ...d, fn: guarded as NonNullable<FuncDef['fn']> };
}

register(([
  im('width_bucket', ['numeric', 'numeric', 'numeric', 'int4'], T.int4, (a, b, c, d) => widthBucketNumeric(Nm(a), Nm(b), Nm(c), d as number)),
  im('width_bucket', ['float8', 'float8', 'float8', 'int4'], T.int4, (a, b, c, d) => widthBucketFloat(F(a), F(b), F(c), d as number)),
  {
    name: 'width_bucket', args: ['any', 'any'], ret: T.int4, immutable: true,
    build: ([o, t], c) => {
      if (!t!.type.elem) throw noSuchFunction('width_bucket', [o!.type, t!.type], c.pos);
      const elem = t!.type.elem, ot = o!.type;
      const numeric = (n: string) => ['int2', 'int4', 'int8', 'numeric', 'float4', 'float8'].includes(n);
      if (ot.name !== 'unknown' && ot.name !== elem.name && !(numeric(ot.name) && numeric(elem.name))) throw noSuchFunction('width_bucket', [ot, t!.type], c.pos);
      const f = ot.name === 'unknown' ? castTo(o!, elem, false, c.pos).fn : o!.fn, g = t!.fn;
      return (r) => { const v = f(r), a = g(r) as PgArray | null; return v === null || a === null ? null : widthBucketArray(v, a); };
    },
  },
  // hash opclass support functions (utils/adt/hashfunc.c): the bucket a hash join puts a key in (adt/hashfunc.ts)
  im('hashint4', ['int4'], T.int4, (v) => hashInt4(v as number) | 0),
  im('hashint8', ['int8'], T.int4, (v) => hashInt8(v as number | bigint) | 0),
  im('hashtext', ['text'], T.int4, (v) => hashText(String(v)) | 0),
  im('hashfloat8', ['float8'], T.int4, (v) => hashFloat8(F(v)) | 0),
  im('hashfloat4', ['float4'], T.int4, (v) => hashFloat8(F(v)) | 0),
  im('hashoid', ['oid'], T.int4, (v) => hashUint32(Number(v) >>> 0) | 0),
  im('timestamp_hash', ['timestamp'], T.int4, (v) => hashTimestamp((v as PgTimestamp).us) | 0),
  im('interval_hash', ['interval'], T.int4, (v) => { const i = v as PgInterval; return hashInterval(i.months, i.days, i.us) | 0; }),
  im('abs', ['int2'], T.int2, (v) => intAbs(v as number, T.int2)),
  im('abs', ['int4'], T.int4, (v) => intAbs(v as number, T.int4)),
  im('abs', ['int8'], T.int8, (v) => intAbs(v as number | bigint, T.int8)),
  im('abs', ['numeric'], T.numeric, (v) => numAbs(Nm(v))),
  im('abs', ['float8'], T.float8, (v) => f8(Math.abs(F(v)))),
  im('abs', ['float4'], T.float4, (v) => f4(Math.abs(F(v)))),
  im('round', ['float8'], T.float8, (v) => f8(rint(F(v)))),
  im('round', ['numeric'], T.numeric, (v) => numRound(Nm(v), 0)),
  im('round', ['numeric', 'int4'], T.numeric, (v, s) => numRound(Nm(v), s as number)),
  im('trunc', ['float8'], T.float8, (v) => f8(Math.trunc(F(v)))),
  im('trunc', ['numeric'], T.numeric, (v) => numTrunc(Nm(v), 0)),
  im('trunc', ['numeric', 'int4'], T.numeric, (v, s) => numTrunc(Nm(v), s as number)),
  im('ceil', ['float8'], T.float8, (v) => f8(Math.ceil(F(v)))),
  im('ceil', ['numeric'], T.numeric, (v) => numCeilFloor(Nm(v), true)),
  im('ceiling', ['float8'], T.float8, (v) => f8(Math.ceil(F(v)))),
  im('ceiling', ['numeric'], T.numeric, (v) => numCeilFloor(Nm(v), true)),
  im('floor', ['float8'], T.float8, (v) => f8(Math.floor(F(v)))),
  im('floor', ['numeric'], T.numeric, (v) => numCeilFloor(Nm(v), false)),
  im('sign', ['float8'], T.float8, (v) => f8(F(v) > 0 ? 1 : F(v) < 0 ? -1 : 0)),
  im('sign', ['numeric'], T.numeric, (v) => numSign(Nm(v))),
  im('mod', ['int2', 'int2'], T.int2, (a, b) => { if (b === 0) throw divZero(); return b === -1 ? 0 : ((a as number) % (b as number)) + 0; }),
  im('mod', ['int4', 'int4'], T.int4, (a, b) => { if (b === 0) throw divZero(); return b === -1 ? 0 : ((a as number) % (b as number)) + 0; }),
  im('mod', ['int8', 'int8'], T.int8, (a, b) => {
    if (b === 0) throw divZero();
    if (typeof a === 'number' && typeof b === 'number') return (a % b) + 0;
    const r = BigInt(a as number) % BigInt(b as number);
    return Number.isSafeInteger(Number(r)) ? Number(r) : r;
  }),
  im('mod', ['numeric', 'numeric'], T.numeric, (a, b) => numMod(Nm(a), Nm(b))),
  // int4gcd / int8gcd / int4lcm / int8lcm (int.c, int8.c): Euclid on the magnitudes; a result the type cannot hold
  // (gcd(-2^31, 0), an lcm too large) is out of range
  // numeric_fac: n! as numeric (0! = 1); a negative n is 22023, one past numeric's range overflows
  im('factorial', ['int8'], T.numeric, (a) => {
    const n = BigInt(a as number | bigint);
    if (n < 0n) throw new PgError('22023', 'factorial of a negative number is undefined');
    if (n > 32177n) throw new PgError('22003', 'value overflows numeric format');
    let r = 1n;
    for (let i = 2n; i <= n; i++) r *= i;
    return Numeric.fromInt(r);
  }),
  im('gcd', ['int4', 'int4'], T.int4, (a, b) => intGcd(a as number, b as number, 32)),
  im('gcd', ['int8', 'int8'], T.int8, (a, b) => intGcd(a as number | bigint, b as number | bigint, 64)),
  im('lcm', ['int4', 'int4'], T.int4, (a, b) => intLcm(a as number, b as number, 32)),
  im('lcm', ['int8', 'int8'], T.int8, (a, b) => intLcm(a as number | bigint, b as number | bigint, 64)),
  // numeric_gcd / numeric_lcm: on the values as exact decimals, at the larger display scale (gcd(12.5, 5) = 2.5)
  im('gcd', ['numeric', 'numeric'], T.numeric, (a, b) => numGcdLcm(Nm(a), Nm(b), false)),
  im('lcm', ['numeric', 'numeric'], T.numeric, (a, b) => numGcdLcm(Nm(a), Nm(b), true)),
  im('div', ['numeric', 'numeric'], T.numeric, (a, b) => numDivTrunc(Nm(a), Nm(b))),
  im('power', ['float8', 'float8'], T.float8, (a, b) => f8(fpow(F(a), F(b)))),
  im('power', ['numeric', 'numeric'], T.numeric, (a, b) => numPower(Nm(a), Nm(b))),
  im('pow', ['float8', 'float8'], T.float8, (a, b) => f8(fpow(F(a), F(b)))),
  im('pow', ['numeric', 'numeric'], T.numeric, (a, b) => numPower(Nm(a), Nm(b))),
  im('sqrt', ['float8'], T.float8, (v) => { if (F(v) < 0) throw new PgError('2201F', 'cannot take square root of a negative number'); return f8(Math.sqrt(F(v))); }),
  im('sqrt', ['numeric'], T.numeric, (v) => numSqrt(Nm(v))),
  im('cbrt', ['float8'], T.float8, (v) => f8(glibcCbrt(F(v)))),
  im('exp', ['float8'], T.float8, (v) => checked(Math.exp(F(v)), F(v))),
  im('exp', ['numeric'], T.numeric, (v) => numExp(Nm(v))),
  im('ln', ['float8'], T.float8, (v) => flog(F(v), Math.log)),
  im('ln', ['numeric'], T.numeric, (v) => numLn(Nm(v))),
  im('log', ['float8'], T.float8, (v) => flog(F(v), Math.log10)),
  im('log', ['numeric'], T.numeric, (v) => numLog(Numeric.fromInt(10), Nm(v), 'SQL function "log" statement 1')),
  im('log', ['numeric', 'numeric'], T.numeric, (b, v) => numLog(Nm(b), Nm(v))),
  im('log10', ['float8'], T.float8, (v) => flog(F(v), Math.log10)),
  im('log10', ['numeric'], T.numeric, (v) => numLog(Numeric.fromInt(10), Nm(v), 'SQL function "log10" statement 1')),
  im('pi', [], T.float8, () => f8(Math.PI)),
  im('degrees', ['float8'], T.float8, (v) => f8(F(v) / (Math.PI / 180))),
  im('radians', ['float8'], T.float8, (v) => f8(F(v) * (Math.PI / 180))),
  // float.c drandom / setseed over the backend's pg_prng state (adt/prng.ts: seeded from the pid until setseed)
  { name: 'random', args: [], ret: T.float8, volatility: 'volatile', build: (_a, c) => () => {
    const s = backendOf(c);
    s.prng ??= prngSeed(BigInt(s.pid));
    return f8(prngDouble(s.prng));
  } },
  { name: 'setseed', args: ['float8'], ret: T.void, volatility: 'volatile', build: ([a], c) => {
    const g = a!.fn;
    return (r) => {
      const v = g(r);
      if (v === null) return null; // strict
      const seed = F(v);
      if (seed < -1 || seed > 1 || Number.isNaN(seed)) throw new PgError('22023', `setseed parameter ${printfG(seed)} is out of allowed range [-1,1]`);
      backendOf(c).prng = prngFseed(seed);
      return '';
    };
  } },
] as FuncDef[]).map(specialAware));

export { numSqrt, numPower, numMod };
