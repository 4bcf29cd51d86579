/**
 * numeric: arbitrary-precision decimal, as PostgreSQL's numeric.c keeps it (value + display scale).
 *
 * Stored as a BigInt of the unscaled digits and a scale (digits after the point). Addition, subtraction and
 * multiplication are exact; division uses PostgreSQL's select_div_scale() rule (at least 16 significant
 * digits, never less than either input's scale) and rounds half away from zero, as numeric_div does.
 * The special values (PostgreSQL 14+): NaN, Infinity, -Infinity — `special` set, unscaled 0 and scale 0. NaN sorts
 * above every other value and equals itself (numeric_cmp, so B-trees and sorting work); Infinity - Infinity,
 * Infinity * 0 and Infinity / Infinity are NaN, x / Infinity is 0, Infinity / 0 is still division by zero, NaN / 0 is
 * NaN (numeric_add_opt_error, numeric_mul_opt_error, numeric_div_opt_error).
 * Simplifications: no typmod rounding beyond what casts need.
 */
import { PgError } from '../errors.js';

export type NumericSpecial = 'NaN' | 'Infinity' | '-Infinity';
export class Numeric {
  constructor(readonly unscaled: bigint, readonly scale: number, readonly special: NumericSpecial | null = null) {}
  static readonly NaN = new Numeric(0n, 0, 'NaN');
  static readonly PINF = new Numeric(0n, 0, 'Infinity');
  static readonly NINF = new Numeric(0n, 0, '-Infinity');
  isNaN(): boolean { return this.special === 'NaN'; }
  isInf(): boolean { return this.special === 'Infinity' || this.special === '-Infinity'; }
  /** -1, 0, 1 (NaN: 0; callers test isNaN first) */
  sign(): number { return this.special === 'Infinity' ? 1 : this.special === '-Infinity' ? -1 : this.unscaled > 0n ? 1 : this.unscaled < 0n ? -1 : 0; }
  /** numeric_in: a number, or NaN / [+-]Infinity / [+-]inf in any case (no sign before NaN), else null */
  static parse(s: string): Numeric | null {
    const m = /^\s*(?:(nan)|([+-])?(inf|infinity))\s*$/i.exec(s);
    if (m) return m[1] ? Numeric.NaN : m[2] === '-' ? Numeric.NINF : Numeric.PINF;
    return Numeric.fromString(s);
  }
  /** float8_numeric's special cases: NaN and the infinities carry over */
  static fromFloatSpecial(x: number): Numeric | null {
    return Number.isNaN(x) ? Numeric.NaN : x === Infinity ? Numeric.PINF : x === -Infinity ? Numeric.NINF : null;
  }

  static fromString(s: string): Numeric | null {
    const m = /^\s*([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(s);
    if (!m || (m[2] === '' && (m[3] === undefined || m[3] === ''))) return null;
    const intPart = m[2] || '0';
    const frac = m[3] ?? '';
    let unscaled = BigInt(intPart + frac);
    let scale = frac.length;
    const exp = m[4] ? parseInt(m[4], 10) : 0;
    if (exp > 0) {
      if (exp >= scale) { unscaled *= 10n ** BigInt(exp - scale); scale = 0; } else scale -= exp;
    } else if (exp < 0) scale -= exp;
    if (m[1] === '-') unscaled = -unscaled;
    return new Numeric(unscaled, scale);
  }
  static fromInt(n: number | bigint): Numeric { return new Numeric(BigInt(n), 0); }

  /** The grouping key (types.ts groupKey): equal values share it whatever their scale (3.0 = 3.00, numeric_eq). */
  key(): string {
    if (this.special) return 'n' + this.special;
    let u = this.unscaled, sc = this.scale;
    while (sc > 0 && u % 10n === 0n) { u /= 10n; sc--; }
    return `n${u}e${sc}`;
  }

  private rescaled(scale: number): bigint { return this.unscaled * 10n ** BigInt(scale - this.scale); }
  /** an infinity of the sign s (1 or -1) */
  private static inf(s: number): Numeric { return s > 0 ? Numeric.PINF : Numeric.NINF; }
  add(o: Numeric): Numeric {
    if (this.special || o.special) {
      if (this.isNaN() || o.isNaN()) return Numeric.NaN;
      if (this.isInf() && o.isInf()) return this.special === o.special ? this : Numeric.NaN;
      return this.isInf() ? this : o;
    }
    const s = Math.max(this.scale, o.scale); return new Numeric(this.rescaled(s) + o.rescaled(s), s);
  }
  sub(o: Numeric): Numeric { return o.special ? this.add(o.neg()) : this.special ? this : this.add(o.neg()); }
  mul(o: Numeric): Numeric {
    if (this.special || o.special) {
      if (this.isNaN() || o.isNaN()) return Numeric.NaN;
      const s = this.sign() * o.sign();
      return s === 0 ? Numeric.NaN : Numeric.inf(s); // Infinity * 0 is NaN
    }
    return new Numeric(this.unscaled * o.unscaled, this.scale + o.scale);
  }
  neg(): Numeric {
    if (this.special) return this.isNaN() ? this : Numeric.inf(-this.sign());
    return new Numeric(-this.unscaled, this.scale);
  }
  /** numeric_cmp: -Infinity < every number < Infinity < NaN; NaN equals NaN */
  cmp(o: Numeric): number {
    if (this.special || o.special) {
      const rank = (x: Numeric) => (x.isNaN() ? 2 : x.isInf() ? x.sign() : 0);
      const a = rank(this), b = rank(o);
      return a < b ? -1 : a > b ? 1 : 0; // two finite values never get here
    }
    const s = Math.max(this.scale, o.scale); const a = this.rescaled(s), b = o.rescaled(s); return a < b ? -1 : a > b ? 1 : 0;
  }
  isZero(): boolean { return this.special === null && this.unscaled === 0n; }

  /** Round (half away from zero) to the given scale. */
  round(scale: number): Numeric {
    if (this.special) return this;
    if (scale >= this.scale) return new Numeric(this.rescaled(scale), scale);
    const div = 10n ** BigInt(this.scale - scale);
    let q = this.unscaled / div;
    const r = this.unscaled % div;
    const twice = (r < 0n ? -r : r) * 2n;
    if (twice >= div) q += this.unscaled < 0n ? -1n : 1n;
    return new Numeric(q, scale);
  }

  /**
   * The base-10000 digits as make_result stores them (strip_var: the digits aligned at the decimal point, leading and
   * trailing zero digits dropped) and the weight of the first (0 for zero, which has no digits).
   */
  digits10000(): { digits: number[]; weight: number } {
    let u = this.unscaled < 0n ? -this.unscaled : this.unscaled;
    let scale = this.scale;
    while (scale % 4 !== 0) { u *= 10n; scale++; }
    const digits: number[] = [];
    for (let t = u; t > 0n; t /= 10000n) digits.unshift(Number(t % 10000n));
    const weight = digits.length ? digits.length - 1 - scale / 4 : 0;
    while (digits.length && digits[digits.length - 1] === 0) digits.pop(); // the weight stays: it is the first digit's
    return { digits, weight };
  }

  /** Weight and first digit in base 10000, as numeric.c's NumericVar sees them (for select_div_scale). */
  private base10000(): { weight: number; first: number } {
    const abs = this.unscaled < 0n ? -this.unscaled : this.unscaled;
    if (abs === 0n) return { weight: 0, first: 0 };
    const str = abs.toString().padStart(this.scale + 1, '0');
    let intStr = str.slice(0, str.length - this.scale);
    let fracStr = str.slice(str.length - this.scale);
    if (/^0+$/.test(intStr)) intStr = '';
    intStr = intStr.padStart(Math.ceil(intStr.length / 4) * 4, '0');
    fracStr = fracStr.padEnd(Math.ceil(fracStr.length / 4) * 4, '0');
    const all = intStr + fracStr;
    const intGroups = intStr.length / 4;
    for (let i = 0; i < all.length; i += 4) {
      const d = parseInt(all.slice(i, i + 4), 10);
      if (d !== 0) return { weight: intGroups - 1 - i / 4, first: d };
    }
    return { weight: 0, first: 0 };
  }

  /**
   * Division with a special operand (numeric_div_opt_error): NaN if either is NaN, Infinity / ±Infinity is NaN,
   * Infinity / 0 division by zero, Infinity / x an infinity, x / Infinity zero. null: both are finite.
   */
  divSpecial(o: Numeric): Numeric | null {
    if (!this.special && !o.special) return null;
    if (this.isNaN() || o.isNaN()) return Numeric.NaN;
    if (this.isInf()) {
      if (o.special) return Numeric.NaN;
      const s = o.sign();
      if (s === 0) throw new PgError('22012', 'division by zero');
      return Numeric.inf(this.sign() * s);
    }
    return Numeric.fromInt(0);
  }
  div(o: Numeric): Numeric {
    const sp = this.divSpecial(o);
    if (sp) return sp;
    const a = this.base10000(), b = o.base10000();
    let qweight = a.weight - b.weight;
    if (a.first <= b.first) qweight--;
    let rscale = 16 - qweight * 4;
    rscale = Math.max(rscale, this.scale, o.scale, 0);
    rscale = Math.min(rscale, 1000);
    return this.divScale(o, rscale);
  }
  divScale(o: Numeric, rscale: number): Numeric {
    const sp = this.divSpecial(o);
    if (sp) return sp;
    // (a/10^sa) / (b/10^sb) = a*10^(sb) / (b*10^sa); compute with one extra digit then round.
    const extra = rscale + 1;
    const num = this.unscaled * 10n ** BigInt(o.scale + extra);
    const den = o.unscaled * 10n ** BigInt(this.scale);
    return new Numeric(num / den, extra).round(rscale);
  }

  toString(): string {
    if (this.special) return this.special;
    const neg = this.unscaled < 0n;
    let s = (neg ? -this.unscaled : this.unscaled).toString();
    if (this.scale > 0) {
      s = s.padStart(this.scale + 1, '0');
      s = s.slice(0, s.length - this.scale) + '.' + s.slice(s.length - this.scale);
    }
    return (neg ? '-' : '') + s;
  }
  toNumber(): number { return this.special ? (this.isNaN() ? NaN : this.sign() * Infinity) : Number(this.toString()); }
}
