/**
 * String functions, as utils/adt/varlena.c and oracle_compat.c define them: lengths count characters (not bytes:
 * octet_length does), positions are 1-based, a negative or zero length or count gives '' rather than an error
 * where PostgreSQL does so (repeat, lpad), and an error where it does not (substr with a negative length: 22011;
 * split_part field 0: 22023). concat / concat_ws / format take "any" arguments and print each with its type's
 * output function (so a character(n) keeps its padding there); format knows %s, %I (quote_ident) and %L
 * (quote_literal), argument positions (%2$s) and widths (%10s, %-10s, %*s, %*2$s) with PostgreSQL's errors.
 *
 * Mirrors: src/backend/utils/adt/varlena.c (textlen, text_substr, text_reverse, replace_text, split_part,
 * text_concat, text_format, quote_ident via ruleutils.c), oracle_compat.c (lpad, rpad, btrim, ltrim, rtrim,
 * repeat, translate, ascii, chr, initcap), quote.c.
 * The database encoding is UTF-8 and the collation C, so upper / lower / initcap change ASCII letters only (as
 * PostgreSQL does under the C locale: lower('ÀBC') is 'Àbc').
 */
import { PgError, notSupported } from '../../errors.js';
import { regexpReplace, regexpLike, regexpCount, regexpSubstr, textRegexSubstr, similarToEscape, similarSubstring } from '../regexp.js';
import { type Value, T, formatValue, Bytea } from '../types.js';
import { utf8Len } from '../utf8.js';
import { register, type FuncDef } from './registry.js';
import type { Fn } from '../expr.js';

const chars = (s: string): string[] => (/[\uD800-\uDFFF]/.test(s) ? [...s] : s.split(''));
const cpLen = (s: string) => (/[\uD800-\uDFFF]/.test(s) ? [...s].length : s.length);
const S = (v: Value) => v as string;
const N = (v: Value) => v as number;

/** text_substr: SQL's SUBSTRING semantics — characters before position 1 count against the length. */
function substr(s: string, start: number, len?: number): string {
  const cs = chars(s);
  if (len === undefined) return cs.slice(Math.max(start - 1, 0)).join('');
  if (len < 0) throw new PgError('22011', 'negative substring length not allowed');
  const end = start + len; // exclusive, 1-based
  const from = Math.max(start, 1);
  if (end <= from) return '';
  return cs.slice(from - 1, end - 1).join('');
}

function overlay(s: string, r: string, p: number, n: number): string {
  if (p <= 0) throw new PgError('22011', 'negative substring length not allowed');
  return substr(s, 1, p - 1) + r + substr(s, p + n);
}

/**
 * A result of this many bytes: past MaxAllocSize PostgreSQL refuses it ("requested length too large", 54000); the
 * simulator refuses one past 64 MB (0A000) rather than build it.
 */
function checkLength(bytes: number): void {
  if (bytes + 4 > 0x3fffffff) throw new PgError('54000', 'requested length too large');
  if (bytes > 64 * 1024 * 1024) throw notSupported('a string result larger than 64 MB');
}

function pad(s: string, len: number, fill: string, left: boolean): string {
  if (len <= 0) return '';
  if (len > 64 * 1024 * 1024) throw notSupported('a string result larger than 64 MB');
  const cs = chars(s);
  if (cs.length >= len) return cs.slice(0, len).join('');
  const fs = chars(fill);
  if (fs.length === 0) return s;
  const need = len - cs.length;
  let p = '';
  for (let i = 0; i < need; i++) p += fs[i % fs.length];
  return left ? p + s : s + p;
}

function trim(s: string, set: string, left: boolean, right: boolean): string {
  const cs = chars(s), del = new Set(chars(set));
  let a = 0, b = cs.length;
  if (left) while (a < b && del.has(cs[a]!)) a++;
  if (right) while (b > a && del.has(cs[b - 1]!)) b--;
  return cs.slice(a, b).join('');
}

/** quote_ident: double quotes unless the name is a lower-case identifier that is not a keyword. */
export function quoteIdent(s: string): string {
  if (/^[a-z_][a-z0-9_$]*$/.test(s) && !RESERVED.has(s)) return s;
  return '"' + s.replace(/"/g, '""') + '"';
}
const RESERVED = new Set(['all', 'analyse', 'analyze', 'and', 'any', 'array', 'as', 'asc', 'asymmetric', 'both', 'case', 'cast', 'check', 'collate', 'column', 'constraint', 'create', 'current_catalog', 'current_date', 'current_role', 'current_time', 'current_timestamp', 'current_user', 'default', 'deferrable', 'desc', 'distinct', 'do', 'else', 'end', 'except', 'false', 'fetch', 'for', 'foreign', 'from', 'grant', 'group', 'having', 'in', 'initially', 'intersect', 'into', 'lateral', 'leading', 'limit', 'localtime', 'localtimestamp', 'not', 'null', 'offset', 'on', 'only', 'or', 'order', 'placing', 'primary', 'references', 'returning', 'select', 'session_user', 'some', 'symmetric', 'table', 'then', 'to', 'trailing', 'true', 'union', 'unique', 'user', 'using', 'variadic', 'when', 'where', 'window', 'with']);
/** quote_literal: single quotes doubled; a backslash makes it an E'' string with the backslashes doubled. */
export function quoteLiteral(s: string): string {
  const body = s.replace(/'/g, "''");
  return s.includes('\\') ? "E'" + body.replace(/\\/g, '\\\\') + "'" : "'" + body + "'";
}

/**
 * text_format: %[argpos$][flags][width]type with s, I, L and %%; the width may be * (the next argument) or *n$
 * (argument n), a negative width meaning left-aligned; after n$ the next unnumbered specifier takes argument n + 1.
 */
function format(fmt: string, args: Value[]): string {
  const unterminated = () => new PgError('22023', 'unterminated format() type specifier', { hint: 'For a single "%" use "%%".' });
  const argZero = () => new PgError('22023', 'format specifies argument 0, but arguments are numbered from 1');
  let out = '', next = 0, i = 0;
  /** text_format_parse_digits: a number, or null; the end of the string after digits is unterminated */
  const digits = (): number | null => {
    if (!/[0-9]/.test(fmt[i] ?? '')) return null;
    let n = 0;
    while (/[0-9]/.test(fmt[i] ?? '')) {
      n = n * 10 + Number(fmt[i]);
      if (n > 2147483647) throw new PgError('22003', 'number is out of range');
      i++;
      if (i >= fmt.length) throw unterminated();
    }
    return n;
  };
  const advance = () => { i++; if (i >= fmt.length) throw unterminated(); };
  const take = (at: number | null): Value => {
    const idx = at !== null ? at - 1 : next;
    if (idx >= args.length) throw new PgError('22023', 'too few arguments for format()');
    next = idx + 1;
    return args[idx]!;
  };
  for (; i < fmt.length; i++) {
    const ch = fmt[i]!;
    if (ch !== '%') { out += ch; continue; }
    advance();
    if (fmt[i] === '%') { out += '%'; continue; }
    let argpos: number | null = null, widthpos: number | null | undefined, width = 0, minus = false;
    const n = digits();
    if (n !== null && fmt[i] !== '$') width = n;
    else {
      if (n !== null) { if (n === 0) throw argZero(); argpos = n; advance(); }
      while (fmt[i] === '-') { minus = true; advance(); }
      if (fmt[i] === '*') {
        advance();
        const w = digits();
        if (w !== null) {
          if (fmt[i] !== '$') throw new PgError('22023', 'width argument position must be ended by "$"');
          if (w === 0) throw argZero();
          widthpos = w; advance();
        } else widthpos = null;
      } else width = digits() ?? 0;
    }
    const type = fmt[i]!;
    if (!'sIL'.includes(type)) throw new PgError('22023', `unrecognized format() type specifier "${type}"`, { hint: 'For a single "%" use "%%".' });
    if (widthpos !== undefined) {
      const wv = take(widthpos);
      width = wv === null ? 0 : typeof wv === 'number' ? wv : Number(formatValue(wv));
      if (!Number.isInteger(width)) throw new PgError('22P02', `invalid input syntax for type integer: "${formatValue(wv)}"`);
    }
    const v = take(argpos);
    let str: string;
    if (v === null) {
      if (type === 'I') throw new PgError('22004', 'null values cannot be formatted as an SQL identifier');
      str = type === 'L' ? 'NULL' : '';
    } else str = type === 'I' ? quoteIdent(formatValue(v)!) : type === 'L' ? quoteLiteral(formatValue(v)!) : formatValue(v)!;
    // text_format_append_string: a negative width aligns left
    if (width !== 0) {
      const left = width < 0 || minus, w = Math.abs(width), len = cpLen(str);
      if (len < w) str = left ? str + ' '.repeat(w - len) : ' '.repeat(w - len) + str;
    }
    out += str;
  }
  return out;
}

/** The MD5 digest of the string's UTF-8 bytes, in hex (RFC 1321). */
function md5(s: string): string {
  const bytes: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) bytes.push(c);
    else if (c < 0x800) bytes.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) bytes.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else bytes.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  const n = ((bytes.length + 8) >> 6) + 1;
  const w = new Uint32Array(n * 16);
  for (let i = 0; i < bytes.length; i++) w[i >> 2]! |= bytes[i]! << ((i % 4) * 8);
  w[bytes.length >> 2]! |= 0x80 << ((bytes.length % 4) * 8);
  w[n * 16 - 2] = (bytes.length * 8) >>> 0;
  w[n * 16 - 1] = Math.floor(bytes.length / 0x20000000);
  const K = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) >>> 0);
  const R = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
  let a0 = 0x67452301, b0 = 0xefcdab89, c0 = 0x98badcfe, d0 = 0x10325476;
  for (let blk = 0; blk < n; blk++) {
    let a = a0, b = b0, c = c0, d = d0;
    for (let i = 0; i < 64; i++) {
      let f: number, g: number;
      if (i < 16) {
        f = (b & c) | (~b & d); g = i;
      } else if (i < 32) {
        f = (d & b) | (~d & c); g = (5 * i + 1) % 16;
      } else if (i < 48) {
        f = b ^ c ^ d; g = (3 * i + 5) % 16;
      } else {
        f = c ^ (b | ~d); g = (7 * i) % 16;
      }
      const tmp = d; d = c; c = b;
      const x = (a + f + K[i]! + w[blk * 16 + g]!) >>> 0;
      const r = R[(i >> 4) * 4 + (i % 4)]!;
      b = (b + ((x << r) | (x >>> (32 - r)))) >>> 0;
      a = tmp;
    }
    a0 = (a0 + a) >>> 0; b0 = (b0 + b) >>> 0; c0 = (c0 + c) >>> 0; d0 = (d0 + d) >>> 0;
  }
  return [a0, b0, c0, d0].map((x) => Array.from({ length: 4 }, (_, i) => ((x >>> (i * 8)) & 0xff).toString(16).padStart(2, '0')).join('')).join('');
}

const im = (name: string, args: FuncDef['args'], ret: FuncDef['ret'], fn: NonNullable<FuncDef['fn']>): FuncDef => ({ name, args, ret, fn, immutable: true });
const bcTrim = (s: string) => s.replace(/ +$/, '');

const regexpRefused = (): never => { throw notSupported('regexp_replace() with a start position or occurrence'); };
register([
  // textregexreplace_noopt / textregexreplace (sql/regexp.ts): JS RegExp where an ARE means the same
  im('regexp_replace', ['text', 'text', 'text'], T.text, (a, b, c) => regexpReplace(S(a), S(b), S(c), '')),
  im('regexp_replace', ['text', 'text', 'text', 'text'], T.text, (a, b, c, d) => regexpReplace(S(a), S(b), S(c), S(d))),
  { name: 'regexp_replace', args: ['text', 'text', 'text', 'int4'], ret: T.text, fn: regexpRefused },
  im('substring', ['text', 'text'], T.text, (a, b) => textRegexSubstr(S(a), S(b))),
  // SUBSTRING(x SIMILAR pattern ESCAPE e) (PostgreSQL 15 parses it as substring(text, text, text)): SQL regular
  // expressions translated by similar_to_escape (sql/regexp.ts)
  im('substring', ['text', 'text', 'text'], T.text, (a, b, c) => similarSubstring(S(a), S(b), S(c))),
  im('similar_to_escape', ['text'], T.text, (a) => similarToEscape(S(a), null)),
  im('similar_to_escape', ['text', 'text'], T.text, (a, b) => similarToEscape(S(a), S(b))),
  im('regexp_like', ['text', 'text'], T.bool, (a, b) => regexpLike(S(a), S(b))),
  im('regexp_like', ['text', 'text', 'text'], T.bool, (a, b, c) => regexpLike(S(a), S(b), S(c))),
  im('regexp_count', ['text', 'text'], T.int4, (a, b) => regexpCount(S(a), S(b))),
  im('regexp_count', ['text', 'text', 'int4'], T.int4, (a, b, c) => regexpCount(S(a), S(b), c as number)),
  im('regexp_count', ['text', 'text', 'int4', 'text'], T.int4, (a, b, c, d) => regexpCount(S(a), S(b), c as number, S(d))),
  im('regexp_substr', ['text', 'text'], T.text, (a, b) => regexpSubstr(S(a), S(b))),
  { name: 'regexp_replace', args: ['text', 'text', 'text', 'int4', 'int4'], ret: T.text, fn: regexpRefused },
  { name: 'regexp_replace', args: ['text', 'text', 'text', 'int4', 'int4', 'text'], ret: T.text, fn: regexpRefused },
  im('length', ['text'], T.int4, (s) => cpLen(S(s))),
  im('length', ['bpchar'], T.int4, (s) => cpLen(bcTrim(S(s)))),
  im('char_length', ['text'], T.int4, (s) => cpLen(S(s))),
  im('char_length', ['bpchar'], T.int4, (s) => cpLen(bcTrim(S(s)))),
  im('character_length', ['text'], T.int4, (s) => cpLen(S(s))),
  im('character_length', ['bpchar'], T.int4, (s) => cpLen(bcTrim(S(s)))),
  im('octet_length', ['text'], T.int4, (s) => utf8Len(S(s))),
  im('octet_length', ['bpchar'], T.int4, (s) => utf8Len(S(s))),
  // bytea (the values pageinspect returns): byteaoctetlen, and encode (encode.c: hex, escape, base64)
  im('octet_length', ['bytea'], T.int4, (b) => bytesOf(b).length),
  im('length', ['bytea'], T.int4, (b) => bytesOf(b).length),
  im('encode', ['bytea', 'text'], T.text, (b, f) => encodeBytes(bytesOf(b), S(f))),
  im('bit_length', ['text'], T.int4, (s) => utf8Len(S(s)) * 8),
  im('upper', ['text'], T.text, (s) => S(s).replace(/[a-z]+/g, (x) => x.toUpperCase())),
  im('lower', ['text'], T.text, (s) => S(s).replace(/[A-Z]+/g, (x) => x.toLowerCase())),
  im('initcap', ['text'], T.text, (s) => S(s).replace(/[A-Z]+/g, (x) => x.toLowerCase()).replace(/(^|[^A-Za-z0-9])([a-z])/g, (_, a: string, b: string) => a + b.toUpperCase())),
  im('repeat', ['text', 'int4'], T.text, (s, n) => { if (N(n) <= 0) return ''; checkLength(utf8Len(S(s)) * N(n)); return S(s).repeat(N(n)); }),
  im('lpad', ['text', 'int4'], T.text, (s, n) => pad(S(s), N(n), ' ', true)),
  im('lpad', ['text', 'int4', 'text'], T.text, (s, n, f) => pad(S(s), N(n), S(f), true)),
  im('rpad', ['text', 'int4'], T.text, (s, n) => pad(S(s), N(n), ' ', false)),
  im('rpad', ['text', 'int4', 'text'], T.text, (s, n, f) => pad(S(s), N(n), S(f), false)),
  im('substr', ['text', 'int4'], T.text, (s, a) => substr(S(s), N(a))),
  im('substr', ['text', 'int4', 'int4'], T.text, (s, a, l) => substr(S(s), N(a), N(l))),
  im('substring', ['text', 'int4'], T.text, (s, a) => substr(S(s), N(a))),
  im('substring', ['text', 'int4', 'int4'], T.text, (s, a, l) => substr(S(s), N(a), N(l))),
  im('left', ['text', 'int4'], T.text, (s, n) => { const cs = chars(S(s)); return cs.slice(0, N(n) < 0 ? Math.max(cs.length + N(n), 0) : N(n)).join(''); }),
  im('right', ['text', 'int4'], T.text, (s, n) => { const cs = chars(S(s)); return cs.slice(N(n) < 0 ? Math.min(-N(n), cs.length) : Math.max(cs.length - N(n), 0)).join(''); }),
  // overlay(s placing r from p [for n]): textoverlay = substr(s, 1, p - 1) || r || substr(s, p + n)
  im('overlay', ['text', 'text', 'int4'], T.text, (s, r, p) => overlay(S(s), S(r), N(p), cpLen(S(r)))),
  im('overlay', ['text', 'text', 'int4', 'int4'], T.text, (s, r, p, n) => overlay(S(s), S(r), N(p), N(n))),
  im('reverse', ['text'], T.text, (s) => chars(S(s)).reverse().join('')),
  im('replace', ['text', 'text', 'text'], T.text, (s, a, b) => (S(a) === '' ? S(s) : S(s).split(S(a)).join(S(b)))),
  im('split_part', ['text', 'text', 'int4'], T.text, (s, d, n) => {
    const k = N(n);
    if (k === 0) throw new PgError('22023', 'field position must not be zero');
    const parts = S(d) === '' ? [S(s)] : S(s).split(S(d));
    const i = k > 0 ? k - 1 : parts.length + k;
    return i >= 0 && i < parts.length ? parts[i]! : '';
  }),
  im('strpos', ['text', 'text'], T.int4, (s, sub) => { const i = S(s).indexOf(S(sub)); return i < 0 ? 0 : cpLen(S(s).slice(0, i)) + 1; }),
  im('position', ['text', 'text'], T.int4, (s, sub) => { const i = S(s).indexOf(S(sub)); return i < 0 ? 0 : cpLen(S(s).slice(0, i)) + 1; }),
  im('btrim', ['text'], T.text, (s) => trim(S(s), ' ', true, true)),
  im('btrim', ['text', 'text'], T.text, (s, c) => trim(S(s), S(c), true, true)),
  im('ltrim', ['text'], T.text, (s) => trim(S(s), ' ', true, false)),
  im('ltrim', ['text', 'text'], T.text, (s, c) => trim(S(s), S(c), true, false)),
  im('rtrim', ['text'], T.text, (s) => trim(S(s), ' ', false, true)),
  im('rtrim', ['text', 'text'], T.text, (s, c) => trim(S(s), S(c), false, true)),
  im('md5', ['text'], T.text, (s) => md5(S(s))),
  // to_hex (varlena.c): the two's-complement bits of the integer's own width
  im('to_hex', ['int4'], T.text, (v) => ((v as number) >>> 0).toString(16)),
  im('to_hex', ['int8'], T.text, (v) => BigInt.asUintN(64, BigInt(v as number | bigint)).toString(16)),
  im('ascii', ['text'], T.int4, (s) => S(s).codePointAt(0) ?? 0),
  im('chr', ['int4'], T.text, (n) => {
    // chr (oracle_compat.c): the checks in its order, then the UTF-8 encoder's
    if (N(n) < 0) throw new PgError('54000', 'character number must be positive');
    if (N(n) === 0) throw new PgError('54000', 'null character not permitted');
    if (N(n) > 0x10ffff) throw new PgError('54000', 'requested character too large for encoding: ' + N(n));
    if (N(n) >= 0xd800 && N(n) <= 0xdfff) throw new PgError('54000', 'requested character not valid for encoding: ' + N(n));
    return String.fromCodePoint(N(n));
  }),
  im('starts_with', ['text', 'text'], T.bool, (s, p) => S(s).startsWith(S(p))),
  im('translate', ['text', 'text', 'text'], T.text, (s, from, to) => {
    const f = chars(S(from)), t = chars(S(to));
    return chars(S(s)).map((ch) => { const i = f.indexOf(ch); return i < 0 ? ch : i < t.length ? t[i]! : ''; }).join('');
  }),
  im('quote_ident', ['text'], T.text, (s) => quoteIdent(S(s))),
  im('quote_literal', ['text'], T.text, (s) => quoteLiteral(S(s))),
  im('quote_literal', ['any'], T.text, (v) => quoteLiteral(formatValue(v)!)),
  { name: 'quote_nullable', args: ['text'], ret: T.text, immutable: true, build: ([a]) => { const f = a!.fn; return (r) => { const v = f(r); return v === null ? 'NULL' : quoteLiteral(S(v)); }; } },
  { name: 'quote_nullable', args: ['any'], ret: T.text, immutable: true, build: ([a]) => { const f = a!.fn; return (r) => { const v = f(r); return v === null ? 'NULL' : quoteLiteral(formatValue(v)!); }; } },
  // concat / concat_ws / format: not strict, "any" arguments printed by their output functions
  { name: 'concat', args: ['any'], variadic: 'any', ret: T.text, immutable: false, build: (as) => { const fs = as.map((a) => a.fn); return (r) => { let s = ''; for (const f of fs) { const v = f(r); if (v !== null) s += formatValue(v); } return s; }; } },
  {
    name: 'concat_ws', args: ['text', 'any'], variadic: 'any', ret: T.text, build: ([sep, ...as]) => {
      const sf = sep!.fn, fs = as.map((a) => a.fn);
      return (r) => {
        const d = sf(r); if (d === null) return null;
        const parts: string[] = []; for (const f of fs) { const v = f(r); if (v !== null) parts.push(formatValue(v)!); } return parts.join(S(d));
      };
    },
  },
  { name: 'format', args: ['text'], variadic: 'any', ret: T.text, build: ([fmt, ...as]) => { const ff = fmt!.fn, fs = as.map((a) => a.fn); return ((r) => { const f = ff(r); return f === null ? null : format(S(f), fs.map((g) => g(r))); }) as Fn; } },
]);

/** a bytea's bytes (a raw page stands for 8192 bytes the engine does not lay out: refused) */
function bytesOf(v: Value): Uint8Array {
  const b = v as Bytea;
  if (!b.bytes) throw notSupported(`the bytes of ${b.opaque?.what ?? 'this bytea value'} (pass it to pageinspect's functions instead)`);
  return b.bytes;
}

/** encode(bytea, format): hex digits; escape (a zero byte or one with the high bit as \ooo, a backslash doubled, the rest as is); base64 */
function encodeBytes(b: Uint8Array, format: string): string {
  switch (format.toLowerCase()) {
    case 'hex': return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
    case 'escape': return [...b].map((x) => (x === 0x5c ? '\\\\' : x === 0 || x >= 0x80 ? '\\' + x.toString(8).padStart(3, '0') : String.fromCharCode(x))).join('');
    case 'base64': {
      const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
      let s = '';
      for (let i = 0; i < b.length; i += 3) {
        const n = (b[i]! << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
        s += A[(n >> 18) & 63]! + A[(n >> 12) & 63]! + (i + 1 < b.length ? A[(n >> 6) & 63]! : '=') + (i + 2 < b.length ? A[n & 63]! : '=');
      }
      return s.replace(/(.{76})(?=.)/g, '$1\n'); // a newline after every 76 characters
    }
    default: throw new PgError('22023', `unrecognized encoding: "${format}"`);
  }
}
