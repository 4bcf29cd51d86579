export { utf8Bytes } from '../heap/datum.js';

/** printf("%.2f") of num/den × 100, rounding an exact tie to even as glibc does (pgstattuple's percentages). */
export function percent2(num: number, den: number): string {
  if (den === 0) return '0.00';
  const n = BigInt(num) * 10000n, d = BigInt(den);
  let q = n / d;
  const r2 = (n - q * d) * 2n;
  if (r2 > d || (r2 === d && q % 2n === 1n)) q += 1n;
  const s = q.toString().padStart(3, '0');
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
}
