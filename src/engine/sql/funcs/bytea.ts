/**
 * The bytea functions: lengths, substring / substr, position, overlay, btrim / ltrim / rtrim, get_byte / set_byte /
 * get_bit / set_bit, encode / decode, convert_to / convert_from, and the digests md5 / sha224 … sha512.
 *
 *     SELECT substring('\x0102030405'::bytea from 2 for 3);   -- \x020304 (positions count bytes, from 1)
 *     SELECT get_byte('\x01'::bytea, 1);                       -- ERROR: index 1 out of valid range, 0..0
 *     SELECT convert_from('\x68c3a9'::bytea, 'UTF8');          -- hé
 *     SELECT sha256('abc');                                    -- an untyped literal is bytea here (no sha256(text))
 *
 * A raw page from get_raw_page is a bytea of 8192 bytes: length() knows that without its bytes; the others read
 * the bytes the engine lays out for it (sql/types.ts Bytea.data), or refuse with 0A000.
 *
 * Mirrors: src/backend/utils/adt/varlena.c (byteaoctetlen, bytea_substr, byteapos, byteaoverlay, byteaGetByte,
 * byteaSetByte, byteaGetBit, byteaSetBit, bytea_string_agg), oracle_compat.c (byteatrim, bytealtrim, byteartrim),
 * encode.c (binary_encode, binary_decode: adt/bytea.ts), mbutils.c (pg_convert_to / pg_convert_from,
 * pg_verify_mbstr), cryptohashfuncs.c (md5_text, md5_bytea, sha*_bytea: adt/cryptohash.ts).
 * Simplifications: the database encoding is UTF8; convert_to / convert_from know UTF8 and SQL_ASCII (another
 * encoding PostgreSQL knows is refused with 0A000).
 */
import { PgError, notSupported } from '../../errors.js';
import { type Value, T, Bytea } from '../types.js';
import { register, type FuncDef } from './registry.js';
import { encodeBytes, decodeText, hexEncode } from '../../adt/bytea.js';
import { md5Digest, sha224, sha256, sha384, sha512 } from '../../adt/cryptohash.js';
import { utf8Bytes } from '../utf8.js';

const B = (v: Value): Uint8Array => (v as Bytea).data();
const N = (v: Value) => v as number;
const by = (b: Uint8Array | number[]) => new Bytea(b instanceof Uint8Array ? b : Uint8Array.from(b));
const im = (name: string, args: FuncDef['args'], ret: FuncDef['ret'], fn: NonNullable<FuncDef['fn']>): FuncDef => ({ name, args, ret, fn, immutable: true });

/** bytea_substring: SQL's SUBSTRING — bytes before position 1 count against the length */
function substr(b: Uint8Array, start: number, len?: number): Uint8Array {
  if (len === undefined) return b.slice(Math.max(start - 1, 0));
  if (len < 0) throw new PgError('22011', 'negative substring length not allowed');
  const end = start + len, from = Math.max(start, 1);
  return end <= from ? new Uint8Array(0) : b.slice(from - 1, end - 1);
}

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
};

/** byteaoverlay: substring(s, 1, p - 1) || r || substring(s, p + n) */
function overlay(s: Uint8Array, r: Uint8Array, p: number, n: number): Uint8Array {
  if (p + n > 2147483647) throw new PgError('22003', 'integer out of range');
  return concat(substr(s, 1, p - 1), r, substr(s, p + n));
}

/** byteapos: the first occurrence, from 1; an empty pattern is at 1 */
function position(s: Uint8Array, sub: Uint8Array): number {
  outer: for (let i = 0; i + sub.length <= s.length; i++) {
    for (let k = 0; k < sub.length; k++) if (s[i + k] !== sub[k]) continue outer;
    return i + 1;
  }
  return 0;
}

/** byteatrim & co.: the bytes of the set dropped from either end */
function trim(s: Uint8Array, set: Uint8Array, left: boolean, right: boolean): Uint8Array {
  let a = 0, b = s.length;
  if (left) while (a < b && set.includes(s[a]!)) a++;
  if (right) while (b > a && set.includes(s[b - 1]!)) b--;
  return s.slice(a, b);
}

const rangeError = (n: number | bigint, max: number) => new PgError('2202E', `index ${n} out of valid range, 0..${max}`);
function getByte(b: Uint8Array, n: number): number {
  if (n < 0 || n >= b.length) throw rangeError(n, b.length - 1);
  return b[n]!;
}
function setByte(b: Uint8Array, n: number, v: number): Bytea {
  if (n < 0 || n >= b.length) throw rangeError(n, b.length - 1);
  const out = b.slice();
  out[n] = v & 0xff; // (char) newByte
  return by(out);
}
function bitIndex(b: Uint8Array, n: number | bigint): number {
  const i = Number(n);
  if (i < 0 || i >= b.length * 8) throw rangeError(n, b.length * 8 - 1);
  return i;
}

/**
 * pg_char_to_encoding's names (clean_encoding_name: letters and digits, lower case): UTF8 and SQL_ASCII are
 * modelled, the others PostgreSQL knows refuse with 0A000.
 */
const OTHER_ENCODINGS = new Set(('abc alt big5 euccn eucjis2004 eucjp euckr euctw gb18030 gbk iso88591 iso885910 iso885913 iso885914 iso885915 '
  + 'iso885916 iso88592 iso88593 iso88594 iso88595 iso88596 iso88597 iso88598 iso88599 johab koi8 koi8r koi8u latin1 latin10 latin2 latin3 '
  + 'latin4 latin5 latin6 latin7 latin8 latin9 mskanji muleinternal shiftjis shiftjis2004 sjis tcvn tcvn5712 uhc vscii win win1250 win1251 '
  + 'win1252 win1253 win1254 win1255 win1256 win1257 win1258 win866 win874 win932 win936 win949 win950 windows1250 windows1251 windows1252 '
  + 'windows1253 windows1254 windows1255 windows1256 windows1257 windows1258 windows866 windows874 windows932 windows936 windows949 windows950').split(' '));
function encodingOf(name: string, which: 'source' | 'destination'): void {
  const clean = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (clean === 'utf8' || clean === 'unicode' || clean === 'sqlascii') return;
  if (OTHER_ENCODINGS.has(clean)) throw notSupported(`converting to or from the encoding ${name} (only UTF8 is modelled)`);
  throw new PgError('22023', `invalid ${which} encoding name "${name}"`);
}

/** pg_verify_mbstr for UTF8 (pg_utf8_islegal; a zero byte is invalid too), then the text */
export function utf8Decode(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length;) {
    const c = b[i]!;
    const len = c < 0x80 ? 1 : (c & 0xe0) === 0xc0 ? 2 : (c & 0xf0) === 0xe0 ? 3 : (c & 0xf8) === 0xf0 ? 4 : 1;
    const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < b.length && b[i + k]! >= lo && b[i + k]! <= hi;
    let ok: boolean;
    switch (len) {
      case 1: ok = c > 0 && c < 0x80; break;
      case 2: ok = c >= 0xc2 && cont(1); break;
      case 3: ok = cont(1, c === 0xe0 ? 0xa0 : 0x80, c === 0xed ? 0x9f : 0xbf) && cont(2); break;
      default: ok = c <= 0xf4 && cont(1, c === 0xf0 ? 0x90 : 0x80, c === 0xf4 ? 0x8f : 0xbf) && cont(2) && cont(3);
    }
    if (!ok) {
      // report_invalid_encoding: the bytes of the character as far as they go
      const shown = [...b.slice(i, Math.min(i + len, b.length))].map((x) => '0x' + x.toString(16).padStart(2, '0')).join(' ');
      throw new PgError('22021', `invalid byte sequence for encoding "UTF8": ${shown}`);
    }
    let cp = len === 1 ? c : c & (0xff >> (len + 1));
    for (let k = 1; k < len; k++) cp = (cp << 6) | (b[i + k]! & 0x3f);
    s += String.fromCodePoint(cp);
    i += len;
  }
  return s;
}

const hexText = (b: Uint8Array) => hexEncode(b);

register([
  im('octet_length', ['bytea'], T.int4, (b) => (b as Bytea).length),
  im('length', ['bytea'], T.int4, (b) => (b as Bytea).length),
  im('bit_length', ['bytea'], T.int4, (b) => (b as Bytea).length * 8),
  im('substring', ['bytea', 'int4'], T.bytea, (b, a) => by(substr(B(b), N(a)))),
  im('substring', ['bytea', 'int4', 'int4'], T.bytea, (b, a, l) => by(substr(B(b), N(a), N(l)))),
  im('substr', ['bytea', 'int4'], T.bytea, (b, a) => by(substr(B(b), N(a)))),
  im('substr', ['bytea', 'int4', 'int4'], T.bytea, (b, a, l) => by(substr(B(b), N(a), N(l)))),
  im('position', ['bytea', 'bytea'], T.int4, (s, sub) => position(B(s), B(sub))),
  im('overlay', ['bytea', 'bytea', 'int4'], T.bytea, (s, r, p) => by(overlay(B(s), B(r), N(p), B(r).length))),
  im('overlay', ['bytea', 'bytea', 'int4', 'int4'], T.bytea, (s, r, p, n) => by(overlay(B(s), B(r), N(p), N(n)))),
  im('btrim', ['bytea', 'bytea'], T.bytea, (s, c) => by(trim(B(s), B(c), true, true))),
  im('ltrim', ['bytea', 'bytea'], T.bytea, (s, c) => by(trim(B(s), B(c), true, false))),
  im('rtrim', ['bytea', 'bytea'], T.bytea, (s, c) => by(trim(B(s), B(c), false, true))),
  im('get_byte', ['bytea', 'int4'], T.int4, (b, n) => getByte(B(b), N(n))),
  im('set_byte', ['bytea', 'int4', 'int4'], T.bytea, (b, n, v) => setByte(B(b), N(n), N(v))),
  im('get_bit', ['bytea', 'int8'], T.int4, (b, n) => { const d = B(b), i = bitIndex(d, n as number | bigint); return (d[i >> 3]! >> (i & 7)) & 1; }),
  im('set_bit', ['bytea', 'int8', 'int4'], T.bytea, (b, n, v) => {
    const d = B(b), i = bitIndex(d, n as number | bigint);
    if (N(v) !== 0 && N(v) !== 1) throw new PgError('22023', 'new bit must be 0 or 1');
    const out = d.slice();
    out[i >> 3] = N(v) ? out[i >> 3]! | (1 << (i & 7)) : out[i >> 3]! & ~(1 << (i & 7));
    return by(out);
  }),
  im('encode', ['bytea', 'text'], T.text, (b, f) => encodeBytes(B(b), f as string)),
  im('decode', ['text', 'text'], T.bytea, (s, f) => by(decodeText(s as string, f as string))),
  im('convert_to', ['text', 'name'], T.bytea, (s, e) => { encodingOf(e as string, 'destination'); return by(utf8Bytes(s as string)); }),
  im('convert_from', ['bytea', 'name'], T.text, (b, e) => { encodingOf(e as string, 'source'); return utf8Decode(B(b)); }),
  im('md5', ['text'], T.text, (s) => hexText(md5Digest(utf8Bytes(s as string)))),
  im('md5', ['bytea'], T.text, (b) => hexText(md5Digest(B(b)))),
  im('sha224', ['bytea'], T.bytea, (b) => by(sha224(B(b)))),
  im('sha256', ['bytea'], T.bytea, (b) => by(sha256(B(b)))),
  im('sha384', ['bytea'], T.bytea, (b) => by(sha384(B(b)))),
  im('sha512', ['bytea'], T.bytea, (b) => by(sha512(B(b)))),
]);

/** byteacat: the || of two byteas */
export const byteaCat = (a: Value, b: Value): Bytea => by(concat(B(a), B(b)));
