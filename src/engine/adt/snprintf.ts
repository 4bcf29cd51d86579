/**
 * C's printf for doubles where PostgreSQL relies on it (formatting.c's float4_to_char / float8_to_char print through
 * "%.*f" and "%+.*e"): the binary value is rounded exactly — a double is an integer times a power of two, so its
 * decimal expansion is finite and computed here with BigInt — with exact ties going to the even digit, as glibc
 * does in the default rounding mode. JavaScript's toFixed breaks ties away from zero (2.5 → "3"; printf gives "2")
 * and switches to exponent notation from 1e21, so it cannot stand in.
 *
 * NaN and infinities print as snprintf.c's fmtfloat spells them: NaN, Infinity, -Infinity.
 *
 * Mirrors: src/port/snprintf.c's fmtfloat (which hands finite values to the platform's printf for %f / %e).
 */
/** |x| as n / 2^k */
function ratio(x: number): { n: bigint; k: bigint } {
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, Math.abs(x));
  const bits = buf.getBigUint64(0);
  const exp = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let e2: number;
  if (exp === 0) e2 = -1074; else { mant |= 1n << 52n; e2 = exp - 1075; }
  return e2 >= 0 ? { n: mant << BigInt(e2), k: 0n } : { n: mant, k: BigInt(-e2) };
}
/** round(num / den) with ties to even */
function roundDiv(num: bigint, den: bigint): bigint {
  const q = num / den, r = num % den;
  return 2n * r > den || (2n * r === den && q % 2n === 1n) ? q + 1n : q;
}
/** sprintf("%.*f", digits, x) */
export function printfF(x: number, digits: number): string {
  if (Number.isNaN(x)) return 'NaN'; // snprintf.c's fmtfloat spells them out, without a precision
  if (!Number.isFinite(x)) return x < 0 ? '-Infinity' : 'Infinity';
  const { n, k } = ratio(x);
  const q = roundDiv(n * 10n ** BigInt(digits), 1n << k);
  let s = q.toString();
  if (digits > 0) { s = s.padStart(digits + 1, '0'); s = s.slice(0, s.length - digits) + '.' + s.slice(s.length - digits); }
  return (x < 0 || Object.is(x, -0) ? '-' : '') + s;
}
/** sprintf("%+.*e", digits, x) */
export function printfE(x: number, digits: number): string {
  const sign = x < 0 || Object.is(x, -0) ? '-' : '+';
  if (x === 0) return `${sign}${digits > 0 ? '0.' + '0'.repeat(digits) : '0'}e+00`;
  const { n, k } = ratio(x);
  let e = Math.floor(Math.log10(Math.abs(x)));
  const scaled = (ex: number) => {
    const p = digits - ex;
    const num = n * (p > 0 ? 10n ** BigInt(p) : 1n), den = (1n << k) * (p < 0 ? 10n ** BigInt(-p) : 1n);
    return roundDiv(num, den);
  };
  let q = scaled(e);
  if (q >= 10n ** BigInt(digits + 1)) { e++; q = scaled(e); }
  if (q < 10n ** BigInt(digits)) { e--; q = scaled(e); }
  const s = q.toString();
  return `${sign}${s[0]}${digits > 0 ? '.' + s.slice(1) : ''}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}
/** sprintf("%g", x): six significant digits, exponent notation below 1e-4 or from 1e6, trailing zeros dropped */
export function printfG(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x < 0 ? '-Infinity' : 'Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const e = printfE(x, 5); // the exponent after rounding to six digits decides the style
  const exp = Number(e.slice(e.indexOf('e') + 1));
  const trim = (t: string) => (t.includes('.') ? t.replace(/0+$/, '').replace(/\.$/, '') : t);
  if (exp < -4 || exp >= 6) {
    const m = e.slice(0, e.indexOf('e')).replace(/^\+/, '');
    return `${trim(m)}e${e.slice(e.indexOf('e') + 1)}`;
  }
  return trim(printfF(x, 5 - exp));
}
