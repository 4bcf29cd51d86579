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
import { regexpReplace, regexpLike, regexpCount, regexpSubstr, regexpInstr, textRegexSubstr, regexpMatch, regexpMatchesRows, regexpSplit,
  similarToEscape, similarSubstring } from '../regexp.js';
import { type Value, T, formatValue, PgArray, arrayOf } from '../types.js';

const T_TEXT_ARRAY = arrayOf(T.text);
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

const im = (name: string, args: FuncDef['args'], ret: FuncDef['ret'], fn: NonNullable<FuncDef['fn']>): FuncDef => ({ name, args, ret, fn, immutable: true });
const bcTrim = (s: string) => s.replace(/ +$/, '');

register([
  // textregexreplace_noopt / textregexreplace (sql/regexp.ts): JS RegExp where an ARE means the same
  im('regexp_replace', ['text', 'text', 'text'], T.text, (a, b, c) => regexpReplace(S(a), S(b), S(c), '')),
  im('regexp_replace', ['text', 'text', 'text', 'text'], T.text, (a, b, c, d) => regexpReplace(S(a), S(b), S(c), S(d))),
  im('regexp_replace', ['text', 'text', 'text', 'int4'], T.text, (a, b, c, d) => regexpReplace(S(a), S(b), S(c), '', d as number)),
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
  im('regexp_replace', ['text', 'text', 'text', 'int4', 'int4'], T.text, (a, b, c, d, e) => regexpReplace(S(a), S(b), S(c), '', d as number, e as number)),
  im('regexp_replace', ['text', 'text', 'text', 'int4', 'int4', 'text'], T.text, (a, b, c, d, e, f) => regexpReplace(S(a), S(b), S(c), S(f), d as number, e as number)),
  im('regexp_substr', ['text', 'text', 'int4'], T.text, (a, b, c) => regexpSubstr(S(a), S(b), c as number)),
  im('regexp_substr', ['text', 'text', 'int4', 'int4'], T.text, (a, b, c, d) => regexpSubstr(S(a), S(b), c as number, d as number)),
  im('regexp_substr', ['text', 'text', 'int4', 'int4', 'text'], T.text, (a, b, c, d, e) => regexpSubstr(S(a), S(b), c as number, d as number, S(e))),
  im('regexp_substr', ['text', 'text', 'int4', 'int4', 'text', 'int4'], T.text, (a, b, c, d, e, f) => regexpSubstr(S(a), S(b), c as number, d as number, S(e), f as number)),
  im('regexp_instr', ['text', 'text'], T.int4, (a, b) => regexpInstr(S(a), S(b))),
  im('regexp_instr', ['text', 'text', 'int4'], T.int4, (a, b, c) => regexpInstr(S(a), S(b), c as number)),
  im('regexp_instr', ['text', 'text', 'int4', 'int4'], T.int4, (a, b, c, d) => regexpInstr(S(a), S(b), c as number, d as number)),
  im('regexp_instr', ['text', 'text', 'int4', 'int4', 'int4'], T.int4, (a, b, c, d, e) => regexpInstr(S(a), S(b), c as number, d as number, e as number)),
  im('regexp_instr', ['text', 'text', 'int4', 'int4', 'int4', 'text'], T.int4, (a, b, c, d, e, f) => regexpInstr(S(a), S(b), c as number, d as number, e as number, S(f))),
  im('regexp_instr', ['text', 'text', 'int4', 'int4', 'int4', 'text', 'int4'], T.int4, (a, b, c, d, e, f, g) => regexpInstr(S(a), S(b), c as number, d as number, e as number, S(f), g as number)),
  im('regexp_match', ['text', 'text'], T_TEXT_ARRAY, (a, b) => regexpMatch(S(a), S(b))),
  im('regexp_match', ['text', 'text', 'text'], T_TEXT_ARRAY, (a, b, c) => regexpMatch(S(a), S(b), S(c))),
  im('regexp_split_to_array', ['text', 'text'], T_TEXT_ARRAY, (a, b) => new PgArray(regexpSplit('regexp_split_to_array', S(a), S(b)))),
  im('regexp_split_to_array', ['text', 'text', 'text'], T_TEXT_ARRAY, (a, b, c) => new PgArray(regexpSplit('regexp_split_to_array', S(a), S(b), S(c)))),
  ...(['regexp_matches', 'regexp_split_to_table'] as const).flatMap((name): FuncDef[] => [2, 3].map((nargs): FuncDef => ({
    name, args: nargs === 2 ? ['text', 'text'] : ['text', 'text', 'text'], ret: name === 'regexp_matches' ? T_TEXT_ARRAY : T.text, immutable: true,
    table: {
      set: true, columns: [[name, name === 'regexp_matches' ? T_TEXT_ARRAY : T.text]],
      rows: (v) => (v.some((x) => x === null) ? [] : name === 'regexp_matches' ? regexpMatchesRows(S(v[0]!), S(v[1]!), nargs === 3 ? S(v[2]!) : '')
        : regexpSplit(name, S(v[0]!), S(v[1]!), nargs === 3 ? S(v[2]!) : '').map((x) => [x])),
    },
  }))),
  im('length', ['text'], T.int4, (s) => cpLen(S(s))),
  im('length', ['bpchar'], T.int4, (s) => cpLen(bcTrim(S(s)))),
  im('char_length', ['text'], T.int4, (s) => cpLen(S(s))),
  im('char_length', ['bpchar'], T.int4, (s) => cpLen(bcTrim(S(s)))),
  im('character_length', ['text'], T.int4, (s) => cpLen(S(s))),
  im('character_length', ['bpchar'], T.int4, (s) => cpLen(bcTrim(S(s)))),
  im('octet_length', ['text'], T.int4, (s) => utf8Len(S(s))),
  im('octet_length', ['bpchar'], T.int4, (s) => utf8Len(S(s))),
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
