/**
 * bytea: a string of bytes — its input and output functions, its order, and the binary-to-text encodings.
 *
 * Input (byteain) reads two formats. Hex: `\x` then pairs of hex digits, white space allowed between the pairs
 * ('\x 68 69' is two bytes) but not inside one. Escape: every character stands for its own UTF-8 bytes, except a
 * backslash, which must start `\\` (one backslash) or `\ooo` (an octal byte, first digit 0-3):
 *
 *     SELECT '\x6869'::bytea, 'a\000b'::bytea;   -- \x6869 | \x610062
 *     SELECT 'a\b'::bytea;                       -- ERROR: invalid input syntax for type bytea
 *
 * Output (byteaout) follows bytea_output: hex (`\x` and two lower-case digits a byte) or escape (a backslash
 * doubled, a byte outside 0x20..0x7e as `\ooo`). Like DateStyle, the setting is module state the traffic cop sets
 * from the session before each statement (tcop/dispatch.ts enterSession).
 *
 * Order (byteacmp): memcmp over the common length, then the shorter first — '\x' < '\x00' < '\x0102' < '\x7f'.
 *
 * encode / decode (encode.c): hex (decode skips white space between digit pairs), escape (esc_encode: only a zero
 * byte and bytes with the high bit become `\ooo`; esc_decode reads what byteain's escape format reads), base64
 * (RFC 2045 with a newline after every 76 characters; decoding skips white space and keeps the first '=' end
 * sticky, as pg_base64_decode does).
 *
 * Mirrors: src/backend/utils/adt/varlena.c (byteain, byteaout, byteacmp), utils/adt/encode.c (hex_encode,
 * hex_decode, pg_base64_encode / decode, esc_encode / esc_decode, binary_encode / binary_decode).
 * Simplifications: none in what is here.
 */
import { PgError } from '../errors.js';
import { utf8Bytes as utf8Encode } from '../sql/utf8.js';

/** bytea_output: 'hex' or 'escape' (set per statement from the session's setting) */
let output: 'hex' | 'escape' = 'hex';
export function setByteaOutput(v: string): void { output = v === 'escape' ? 'escape' : 'hex'; }

const HEX = '0123456789abcdef';
/** hex_encode: two lower-case digits a byte */
export function hexEncode(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]! >> 4]! + HEX[b[i]! & 15]!;
  return s;
}

/** byteaout, as bytea_output says */
export function byteaOut(b: Uint8Array): string {
  if (output === 'hex') return '\\x' + hexEncode(b);
  let s = '';
  for (const c of b) {
    if (c === 0x5c) s += '\\\\';
    else if (c < 0x20 || c > 0x7e) s += '\\' + c.toString(8).padStart(3, '0');
    else s += String.fromCharCode(c);
  }
  return s;
}


/** the first character of s as the message quotes it (pg_mblen's bytes) */
const firstChar = (s: string, i: number) => String.fromCodePoint(s.codePointAt(i)!);

/** hex_decode: digit pairs, white space (' ', \n, \t, \r) between pairs skipped */
export function hexDecode(s: string): Uint8Array {
  const out: number[] = [];
  const digit = (i: number): number => {
    const c = s.charCodeAt(i);
    const v = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (v < 0) throw new PgError('22023', `invalid hexadecimal digit: "${firstChar(s, i)}"`);
    return v;
  };
  for (let i = 0; i < s.length;) {
    const c = s[i];
    if (c === ' ' || c === '\n' || c === '\t' || c === '\r') { i++; continue; }
    const hi = digit(i++);
    if (i >= s.length) throw new PgError('22023', 'invalid hexadecimal data: odd number of digits');
    out.push((hi << 4) | digit(i++));
  }
  return Uint8Array.from(out);
}

const isOct = (c: number | undefined, max: number) => c !== undefined && c >= 0x30 && c <= max;

/** the escape format's bytes (byteain's second half and esc_decode): `\\` and `\ooo`; any other backslash is an error */
function escapeDecode(b: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < b.length;) {
    if (b[i] !== 0x5c) { out.push(b[i++]!); continue; }
    if (isOct(b[i + 1], 0x33) && isOct(b[i + 2], 0x37) && isOct(b[i + 3], 0x37)) {
      out.push(((b[i + 1]! - 48) << 6) | ((b[i + 2]! - 48) << 3) | (b[i + 3]! - 48));
      i += 4;
    } else if (b[i + 1] === 0x5c) { out.push(0x5c); i += 2; } else throw new PgError('22P02', 'invalid input syntax for type bytea');
  }
  return Uint8Array.from(out);
}

/** byteain */
export function byteaIn(s: string): Uint8Array {
  if (s.startsWith('\\x')) return hexDecode(s.slice(2));
  return escapeDecode(utf8Encode(s));
}

/** byteacmp: memcmp over the shorter length, then the shorter first */
export function byteaCmp(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length - b.length < 0 ? -1 : a.length > b.length ? 1 : 0;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** encode(bytea, format): binary_encode */
export function encodeBytes(b: Uint8Array, format: string): string {
  switch (format.toLowerCase()) {
    case 'hex': return hexEncode(b);
    case 'escape': {
      let s = '';
      for (const x of b) s += x === 0x5c ? '\\\\' : x === 0 || x >= 0x80 ? '\\' + x.toString(8).padStart(3, '0') : String.fromCharCode(x);
      return s;
    }
    case 'base64': {
      let s = '';
      for (let i = 0; i < b.length; i += 3) {
        const n = (b[i]! << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
        s += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]! + (i + 1 < b.length ? B64[(n >> 6) & 63]! : '=') + (i + 2 < b.length ? B64[n & 63]! : '=');
      }
      return s.replace(/(.{76})(?=.)/gs, '$1\n'); // a newline after every 76 characters
    }
    default: throw new PgError('22023', `unrecognized encoding: "${format}"`);
  }
}

/** pg_base64_decode */
function base64Decode(s: string): Uint8Array {
  const out: number[] = [];
  let buf = 0, pos = 0, end = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') continue;
    let b: number;
    if (c === '=') {
      if (!end) {
        if (pos === 2) end = 1;
        else if (pos === 3) end = 2;
        else throw new PgError('22023', 'unexpected "=" while decoding base64 sequence');
      }
      b = 0;
    } else {
      b = B64.indexOf(c);
      if (b < 0) throw new PgError('22023', `invalid symbol "${firstChar(s, i)}" found while decoding base64 sequence`);
    }
    buf = (buf << 6) + b;
    if (++pos === 4) {
      out.push((buf >> 16) & 255);
      if (end === 0 || end > 1) out.push((buf >> 8) & 255);
      if (end === 0 || end > 2) out.push(buf & 255);
      buf = 0; pos = 0;
    }
  }
  if (pos !== 0) throw new PgError('22023', 'invalid base64 end sequence', { hint: 'Input data is missing padding, is truncated, or is otherwise corrupted.' });
  return Uint8Array.from(out);
}

/** decode(text, format): binary_decode */
export function decodeText(s: string, format: string): Uint8Array {
  switch (format.toLowerCase()) {
    case 'hex': return hexDecode(s);
    case 'escape': return escapeDecode(utf8Encode(s));
    case 'base64': return base64Decode(s);
    default: throw new PgError('22023', `unrecognized encoding: "${format}"`);
  }
}
