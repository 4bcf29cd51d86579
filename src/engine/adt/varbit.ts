/**
 * The bit string types bit(n) and bit varying(n) (varbit): a string of bits, as SQL writes them B'0101' or X'1F'.
 *
 * A value is its length in bits and the bits themselves, packed MSB-first into bytes, the unused low bits of the
 * last byte zero (VARBITPAD). bit(n) holds exactly n bits: a value of another length is refused when assigned
 * (22026 "bit string length 3 does not match type bit(4)") and truncated or zero-padded on the right by an explicit
 * cast. bit varying(n) holds at most n: too long is 22001 on assignment, truncated by an explicit cast. Both are
 * stored the same way, a varlena (typlen -1, typalign 'i', typstorage 'x'): the varlena header, an int32 with the
 * bit length, then the bytes — so B'1' in a row is 1 + 4 + 1 = 6 bytes, 9 as a computed datum.
 *
 * The operators work on the bits: & | # need equal lengths (22026 "cannot AND bit strings of different sizes"),
 * ~ inverts, << and >> shift within the length (zeros come in, a negative count shifts the other way), ||
 * concatenates (the result is bit varying); comparison is bitcmp: the common bytes as unsigned, then the shorter
 * first. Casts: integer / bigint → bit(n) takes the rightmost n bits of the two's complement, sign-extended when n
 * is wider (bitfromint4 / bitfromint8); bit → integer / bigint reads the bits as a signed number (22003 when longer
 * than 32 / 64 bits).
 *
 * Mirrors: src/backend/utils/adt/varbit.c (bit_in, varbit_in, bit_out, bit, varbit, bit_cmp, bit_and & co.,
 * bitshiftleft / bitshiftright, bit_catenate, bitsubstring, bitoverlay, bitposition, bitgetbit / bitsetbit,
 * bit_bit_count, bitfromint4 / bitfromint8, bittoint4 / bittoint8), format_type.c's spelling of the types.
 * Simplifications: none in the values; no bit_and / bit_or / bit_xor aggregates over bit strings, no arrays of them
 * laid out on disk, no hash opclass (PostgreSQL has none either: GROUP BY and DISTINCT sort them).
 */
import { PgError } from '../errors.js';

/** the longest bit(n) / bit varying(n) a typmod may ask for: MaxAttrSize (10 MB) in bits (anybit_typmodin) */
export const MAX_BIT_TYPMOD = 10 * 1024 * 1024 * 8;

/** A bit string value: `len` bits, MSB-first in `bytes` (ceil(len / 8) bytes, the pad bits zero). */
export class PgBit {
  constructor(readonly len: number, readonly bytes: Uint8Array) {}
  /** bit_out / varbit_out: the bits as 0 and 1 */
  toString(): string {
    let s = '';
    for (let i = 0; i < this.len; i++) s += (this.bytes[i >> 3]! >> (7 - (i & 7))) & 1 ? '1' : '0';
    return s;
  }
  key(): string { return 'B' + this.toString(); }
  bit(i: number): number { return (this.bytes[i >> 3]! >> (7 - (i & 7))) & 1; }
  /** bit_cmp: the common bytes compared unsigned, then the shorter string first */
  cmp(o: PgBit): number {
    const n = Math.min(this.bytes.length, o.bytes.length);
    for (let i = 0; i < n; i++) if (this.bytes[i] !== o.bytes[i]) return this.bytes[i]! < o.bytes[i]! ? -1 : 1;
    return this.len === o.len ? 0 : this.len < o.len ? -1 : 1;
  }
}

/** A bit string from an array of 0 / 1. */
function fromBits(bits: ArrayLike<number>): PgBit {
  const bytes = new Uint8Array((bits.length + 7) >> 3);
  for (let i = 0; i < bits.length; i++) if (bits[i]) bytes[i >> 3]! |= 0x80 >> (i & 7);
  return new PgBit(bits.length, bytes);
}
const bitsOf = (v: PgBit): number[] => Array.from({ length: v.len }, (_, i) => v.bit(i));

/**
 * bit_in / varbit_in with typmod -1: 'b' or 'B' then binary digits, 'x' or 'X' then hex digits (4 bits each),
 * otherwise binary digits (so '1001'::bit works); any other character is 22P02.
 */
export function bitIn(s: string): PgBit {
  let hex = false, i = 0;
  if (s[0] === 'b' || s[0] === 'B') i = 1;
  else if (s[0] === 'x' || s[0] === 'X') { hex = true; i = 1; }
  const bits: number[] = [];
  for (const ch of s.slice(i)) {
    if (hex) {
      const d = /[0-9a-fA-F]/.test(ch) ? parseInt(ch, 16) : -1;
      if (d < 0) throw new PgError('22P02', `"${ch}" is not a valid hexadecimal digit`);
      bits.push((d >> 3) & 1, (d >> 2) & 1, (d >> 1) & 1, d & 1);
    } else {
      if (ch !== '0' && ch !== '1') throw new PgError('22P02', `"${ch}" is not a valid binary digit`);
      bits.push(ch === '1' ? 1 : 0);
    }
  }
  return fromBits(bits);
}

/**
 * The length coercion bit(bit, int4, bool) / varbit(varbit, int4, bool), and the input functions' typmod check:
 * bit(n) must be exactly n bits (an explicit cast truncates or pads with zeros on the right), bit varying(n) at
 * most n (an explicit cast truncates). typmod <= 0: no limit.
 */
export function applyBitTypmod(v: PgBit, typmod: number, varying: boolean, explicit: boolean): PgBit {
  if (typmod <= 0 || v.len === typmod || (varying && v.len <= typmod)) return v;
  if (!explicit) {
    if (varying) throw new PgError('22001', `bit string too long for type bit varying(${typmod})`);
    throw new PgError('22026', `bit string length ${v.len} does not match type bit(${typmod})`);
  }
  const bits = bitsOf(v).slice(0, typmod);
  while (bits.length < typmod) bits.push(0);
  return fromBits(bits);
}

/** bittypmodin / varbittypmodin: the length written in bit(n) / bit varying(n) */
export function checkBitTypmod(n: number, varying: boolean, position?: number): number {
  const name = varying ? 'varbit' : 'bit'; // anybit_typmodin's typename: varbit, not bit varying
  const at = position !== undefined ? { position } : {}; // the type name's position (typenameTypeMod)
  if (n < 1) throw new PgError('22023', `length for type ${name} must be at least 1`, at);
  if (n > MAX_BIT_TYPMOD) throw new PgError('22023', `length for type ${name} cannot exceed ${MAX_BIT_TYPMOD}`, at);
  return n;
}

/** bitfromint4 / bitfromint8: the rightmost n bits of the two's complement, sign-extended beyond the integer's width (n <= 0 is 1) */
export function bitFromInt(x: number | bigint, typmod: number): PgBit {
  const n = typmod <= 0 ? 1 : typmod;
  const b = BigInt(x);
  const bits = new Array<number>(n);
  for (let i = 0; i < n; i++) bits[i] = Number((b >> BigInt(n - 1 - i)) & 1n); // >> on a bigint sign-extends
  return fromBits(bits);
}

/** bittoint4 / bittoint8: the bits as a signed integer of 32 / 64 bits (22003 when there are more) */
export function bitToInt(v: PgBit, width: 32 | 64): number | bigint {
  if (v.len > width) throw new PgError('22003', width === 32 ? 'integer out of range' : 'bigint out of range');
  // as the C code does: the whole bytes shifted into an unsigned word, the padding shifted out, read as signed
  let r = 0n;
  for (const byte of v.bytes) r = BigInt.asUintN(width, (r << 8n) | BigInt(byte));
  r = BigInt.asIntN(width, r >> BigInt(v.bytes.length * 8 - v.len));
  return width === 32 ? Number(r) : r >= -9007199254740991n && r <= 9007199254740991n ? Number(r) : r;
}

const OP_WORD: Record<string, string> = { '&': 'AND', '|': 'OR', '#': 'XOR' };
/** bit_and / bit_or / bitxor: bit by bit, the lengths equal (22026) */
export function bitLogic(op: '&' | '|' | '#', a: PgBit, b: PgBit): PgBit {
  if (a.len !== b.len) throw new PgError('22026', `cannot ${OP_WORD[op]} bit strings of different sizes`);
  const out = new Uint8Array(a.bytes.length);
  for (let i = 0; i < out.length; i++) out[i] = op === '&' ? a.bytes[i]! & b.bytes[i]! : op === '|' ? a.bytes[i]! | b.bytes[i]! : a.bytes[i]! ^ b.bytes[i]!;
  return new PgBit(a.len, out);
}

/** bitnot: every bit inverted (the pad bits kept zero) */
export function bitNot(a: PgBit): PgBit {
  return fromBits(bitsOf(a).map((x) => 1 - x));
}

/** bitshiftleft / bitshiftright: within the length, zeros shifted in; a negative count shifts the other way */
export function bitShift(a: PgBit, count: number, left: boolean): PgBit {
  const k = left ? count : -count; // positive: towards the first bit
  const bits = bitsOf(a), n = bits.length;
  return fromBits(bits.map((_, i) => { const j = i + k; return j >= 0 && j < n ? bits[j]! : 0; }));
}

/** bit_catenate: a then b */
export function bitCat(a: PgBit, b: PgBit): PgBit {
  return fromBits([...bitsOf(a), ...bitsOf(b)]);
}

/** bitsubstring: `len` bits from the 1-based position `start` (null: to the end), as SQL's substring counts them */
export function bitSubstring(a: PgBit, start: number, len: number | null): PgBit {
  if (len !== null && len < 0) throw new PgError('22011', 'negative substring length not allowed');
  const s1 = Math.max(start, 1);
  const e1 = len === null ? a.len + 1 : Math.min(start + len, a.len + 1);
  if (s1 > a.len || e1 <= s1) return new PgBit(0, new Uint8Array(0));
  return fromBits(bitsOf(a).slice(s1 - 1, e1 - 1));
}

/** bitoverlay: a with `len` bits from the 1-based `start` replaced by b (len null: b's length) */
export function bitOverlay(a: PgBit, b: PgBit, start: number, len: number | null): PgBit {
  const l = len ?? b.len;
  if (start <= 0) throw new PgError('22011', 'negative substring length not allowed');
  return bitCat(bitCat(bitSubstring(a, 1, start - 1), b), bitSubstring(a, start + l, null));
}

/** bitposition: where `sub` first occurs in `str` (1-based), 0 if nowhere; an empty `sub` is at 1 */
export function bitPosition(str: PgBit, sub: PgBit): number {
  if (sub.len === 0) return 1;
  if (str.len === 0 || sub.len > str.len) return 0;
  const s = str.toString(), t = sub.toString();
  return s.indexOf(t) + 1;
}

/** bitgetbit: the bit at a 0-based index (2202E outside the string) */
export function bitGetBit(a: PgBit, n: number): number {
  if (n < 0 || n >= a.len) throw new PgError('2202E', `bit index ${n} out of valid range (0..${a.len - 1})`);
  return a.bit(n);
}

/** bitsetbit: a copy with the bit at a 0-based index set to 0 or 1 */
export function bitSetBit(a: PgBit, n: number, value: number): PgBit {
  if (n < 0 || n >= a.len) throw new PgError('2202E', `bit index ${n} out of valid range (0..${a.len - 1})`);
  if (value !== 0 && value !== 1) throw new PgError('22023', 'new bit must be 0 or 1');
  const bits = bitsOf(a);
  bits[n] = value;
  return fromBits(bits);
}

/** bit_bit_count: how many bits are 1 */
export function bitCount(a: PgBit): number {
  let c = 0;
  for (let i = 0; i < a.len; i++) c += a.bit(i);
  return c;
}

/** The size a stored bit string takes in a row: its body behind a 1-byte header, or a 4-byte one past 127 bytes. */
export function bitStoredSize(v: PgBit): number {
  const n = 4 + v.bytes.length;
  return n + 1 <= 127 ? n + 1 : n + 4;
}

/** The datum's body after its varlena header: the int32 bit length (little-endian) and the bytes. */
export function bitBody(v: PgBit): number[] {
  return [v.len & 0xff, (v.len >> 8) & 0xff, (v.len >> 16) & 0xff, (v.len >>> 24) & 0xff, ...v.bytes];
}
