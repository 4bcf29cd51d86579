/**
 * The hash functions of PostgreSQL's hash opclasses (utils/adt/hashfunc.c hashint4 / hashint8 / hashtext over
 * common/hashfn.c hash_bytes and hash_bytes_uint32 — Bob Jenkins' lookup3 mix). A hash join puts each inner row
 * in bucket `hash & (nbuckets - 1)`, and where a join returns rows by walking its buckets (the unmatched rows of
 * a Hash Right Join) their order is this hash's order; the values are checked against hashint4() etc. recorded
 * from PostgreSQL 15 (tests/unit/hashfunc.test.ts).
 *
 *     hashint4(1) = -1905060026     hashint8(1) = hashint4(1)     (an int8 in int4 range hashes alike)
 *
 * Results are unsigned 32-bit numbers (PostgreSQL prints them as int4).
 */

import { utf8Bytes } from '../sql/utf8.js';

const rot = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;

function final(a: number, b: number, c: number): number {
  c = (c ^ b) >>> 0; c = (c - rot(b, 14)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rot(c, 11)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rot(a, 25)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rot(b, 16)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rot(c, 4)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rot(a, 14)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rot(b, 24)) >>> 0;
  return c;
}

/** hash_bytes_uint32: one 32-bit word. */
export function hashUint32(k: number): number {
  const init = (0x9e3779b9 + 4 + 3923095) >>> 0;
  return final((init + (k >>> 0)) >>> 0, init, init);
}

/** hash_bytes over a byte string (little-endian byte order, as on the machines PostgreSQL was recorded on). */
export function hashBytes(k: Uint8Array): number {
  let len = k.length;
  let a = (0x9e3779b9 + len + 3923095) >>> 0, b = a, c = a;
  let p = 0;
  const word = (i: number) => (k[i]! | (k[i + 1]! << 8) | (k[i + 2]! << 16) | (k[i + 3]! << 24)) >>> 0;
  while (len >= 12) {
    a = (a + word(p)) >>> 0; b = (b + word(p + 4)) >>> 0; c = (c + word(p + 8)) >>> 0;
    // mix(a, b, c)
    a = (a - c) >>> 0; a = (a ^ rot(c, 4)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rot(a, 6)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rot(b, 8)) >>> 0; b = (b + a) >>> 0;
    a = (a - c) >>> 0; a = (a ^ rot(c, 16)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rot(a, 19)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rot(b, 4)) >>> 0; b = (b + a) >>> 0;
    p += 12; len -= 12;
  }
  // the last 0..11 bytes; the lowest byte of c is reserved for the length
  const at = (i: number) => k[p + i]!;
  switch (len) {
    case 11: c = (c + (at(10) << 24)) >>> 0; // falls through
    case 10: c = (c + (at(9) << 16)) >>> 0; // falls through
    case 9: c = (c + (at(8) << 8)) >>> 0; // falls through
    case 8: b = (b + (at(7) << 24)) >>> 0; // falls through
    case 7: b = (b + (at(6) << 16)) >>> 0; // falls through
    case 6: b = (b + (at(5) << 8)) >>> 0; // falls through
    case 5: b = (b + at(4)) >>> 0; // falls through
    case 4: a = (a + (at(3) << 24)) >>> 0; // falls through
    case 3: a = (a + (at(2) << 16)) >>> 0; // falls through
    case 2: a = (a + (at(1) << 8)) >>> 0; // falls through
    case 1: a = (a + at(0)) >>> 0;
  }
  return final(a, b, c);
}

/** hashint4 */
export const hashInt4 = (v: number): number => hashUint32(v | 0);

/** hashint8: the high half folded into the low one (so int8 values in int4 range hash as hashint4 does). */
export function hashInt8(v: number | bigint): number {
  const x = BigInt.asUintN(64, BigInt(v));
  const lo = Number(x & 0xffffffffn), hi = Number(x >> 32n);
  const neg = BigInt(v) < 0n;
  return hashUint32((lo ^ (neg ? ~hi >>> 0 : hi)) >>> 0);
}

/** hashtext (deterministic collation): the string's UTF-8 bytes. */
export const hashText = (s: string): number => hashBytes(utf8Bytes(s));

/**
 * hash_numeric: hash_any over the base-10000 digits (int16 each, little-endian) without leading or trailing zero
 * digits, XORed with the first digit's weight; zero hashes to -1, NaN and the infinities to 0. The scale and the sign are left out (1.0 = 1.00).
 *
 *     0.5 -> digits [5000], weight -1;  12345.6 -> digits [1, 2345, 6000], weight 1
 */
export function hashNumeric(n: { digits10000(): { digits: number[]; weight: number }; special?: string | null }): number {
  if (n.special) return 0;
  const { digits, weight } = n.digits10000();
  if (!digits.length) return 0xffffffff;
  const bytes = new Uint8Array(digits.length * 2);
  digits.forEach((d, i) => { bytes[2 * i] = d & 0xff; bytes[2 * i + 1] = d >> 8; });
  return (hashBytes(bytes) ^ weight) >>> 0;
}

// ---- the extended (64-bit, seeded) variants: hash partitioning's hashes (hashint4extended & co.)

function mix(a: number, b: number, c: number): [number, number, number] {
  a = (a - c) >>> 0; a = (a ^ rot(c, 4)) >>> 0; c = (c + b) >>> 0;
  b = (b - a) >>> 0; b = (b ^ rot(a, 6)) >>> 0; a = (a + c) >>> 0;
  c = (c - b) >>> 0; c = (c ^ rot(b, 8)) >>> 0; b = (b + a) >>> 0;
  a = (a - c) >>> 0; a = (a ^ rot(c, 16)) >>> 0; c = (c + b) >>> 0;
  b = (b - a) >>> 0; b = (b ^ rot(a, 19)) >>> 0; a = (a + c) >>> 0;
  c = (c - b) >>> 0; c = (c ^ rot(b, 4)) >>> 0; b = (b + a) >>> 0;
  return [a, b, c];
}

/** final() keeping b too: the extended hashes return (b << 32) | c. */
function final64(a: number, b: number, c: number): bigint {
  c = (c ^ b) >>> 0; c = (c - rot(b, 14)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rot(c, 11)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rot(a, 25)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rot(b, 16)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rot(c, 4)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rot(a, 14)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rot(b, 24)) >>> 0;
  return (BigInt(b) << 32n) | BigInt(c);
}

/** The seed folded in (seed != 0): a += seed's high word, b += its low word, then one mix. */
function seeded(init: number, seed: bigint): [number, number, number] {
  let a = init, b = init, c = init;
  if (seed !== 0n) {
    a = (a + Number((seed >> 32n) & 0xffffffffn)) >>> 0;
    b = (b + Number(seed & 0xffffffffn)) >>> 0;
    [a, b, c] = mix(a, b, c);
  }
  return [a, b, c];
}

/** hash_bytes_uint32_extended: an unsigned 64-bit result. */
export function hashUint32Extended(k: number, seed: bigint): bigint {
  const [a, b, c] = seeded((0x9e3779b9 + 4 + 3923095) >>> 0, seed);
  return final64((a + (k >>> 0)) >>> 0, b, c);
}

/** hash_bytes_extended over a byte string (little-endian). */
export function hashBytesExtended(k: Uint8Array, seed: bigint): bigint {
  let len = k.length;
  let [a, b, c] = seeded((0x9e3779b9 + len + 3923095) >>> 0, seed);
  let p = 0;
  const word = (i: number) => (k[i]! | (k[i + 1]! << 8) | (k[i + 2]! << 16) | (k[i + 3]! << 24)) >>> 0;
  while (len >= 12) {
    a = (a + word(p)) >>> 0; b = (b + word(p + 4)) >>> 0; c = (c + word(p + 8)) >>> 0;
    [a, b, c] = mix(a, b, c);
    p += 12; len -= 12;
  }
  const at = (i: number) => k[p + i]!;
  switch (len) {
    case 11: c = (c + (at(10) << 24)) >>> 0; // falls through
    case 10: c = (c + (at(9) << 16)) >>> 0; // falls through
    case 9: c = (c + (at(8) << 8)) >>> 0; // falls through
    case 8: b = (b + (at(7) << 24)) >>> 0; // falls through
    case 7: b = (b + (at(6) << 16)) >>> 0; // falls through
    case 6: b = (b + (at(5) << 8)) >>> 0; // falls through
    case 5: b = (b + at(4)) >>> 0; // falls through
    case 4: a = (a + (at(3) << 24)) >>> 0; // falls through
    case 3: a = (a + (at(2) << 16)) >>> 0; // falls through
    case 2: a = (a + (at(1) << 8)) >>> 0; // falls through
    case 1: a = (a + at(0)) >>> 0;
  }
  return final64(a, b, c);
}

/** hashint4extended (int2 and int4 alike) */
export const hashInt4Extended = (v: number, seed: bigint): bigint => hashUint32Extended(v | 0, seed);

/** hashint8extended: the high half folded into the low one, as hashint8 does. */
export function hashInt8Extended(v: number | bigint, seed: bigint): bigint {
  const x = BigInt.asUintN(64, BigInt(v));
  const lo = Number(x & 0xffffffffn), hi = Number(x >> 32n);
  return hashUint32Extended((lo ^ (BigInt(v) < 0n ? ~hi >>> 0 : hi)) >>> 0, seed);
}

/** hashtextextended (deterministic collation) */
export const hashTextExtended = (s: string, seed: bigint): bigint => hashBytesExtended(utf8Bytes(s), seed);

/**
 * hashfloat8 (hashfloat4 widens to float8 first): hash_bytes over the value's eight bytes as the machine stores them
 * (little-endian here), with +0 and -0 both hashing to 0 and every NaN as the one canonical NaN.
 */
export function hashFloat8(v: number): number {
  if (v === 0) return 0;
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, Number.isNaN(v) ? NaN : v, true);
  return hashBytes(b);
}

const INT64_MAX = (1n << 63n) - 1n, INT64_MIN = -(1n << 63n);

/** date's hash opclass: hashint4 of the days since 2000-01-01 (infinity: DATEVAL_NOEND, INT_MAX). */
export const hashDate = (days: number): number => hashInt4(days === Infinity ? 0x7fffffff : days === -Infinity ? -0x80000000 : days);

/** timestamp_hash (timestamp and timestamptz): hashint8 of the microseconds since 2000-01-01 (infinity: INT64_MAX). */
export const hashTimestamp = (us: number): number => hashInt8(us === Infinity ? INT64_MAX : us === -Infinity ? INT64_MIN : BigInt(us));

/** interval_hash: hashint8 of the low 64 bits of interval_cmp_value (a month 30 days, a day 24 hours). */
export function hashInterval(months: number, days: number, us: number): number {
  const span = (BigInt(months) * 30n + BigInt(days)) * 86_400_000_000n + BigInt(us);
  return hashInt8(BigInt.asIntN(64, span));
}
