/**
 * The JSON lexer and parser both json and jsonb read their input with (PostgreSQL's src/common/jsonapi.c:
 * json_lex, json_lex_string, json_lex_number, the recursive-descent parse_object / parse_array, json_errdetail;
 * utils/adt/jsonfuncs.c json_ereport_error / report_json_context).
 *
 * The text becomes a tree of nodes, each remembering where its text begins and ends: json keeps the text as
 * typed, so `'{"a": [1 , 2]}'::json -> 'a'` is the slice `[1 , 2]`; jsonb builds its normalised value from it.
 * An error is 22P02 "invalid input syntax for type json" with PostgreSQL's DETAIL naming what was expected and
 * what was found, and a CONTEXT showing the line up to the offending token:
 *
 *     SELECT '[1, abc]'::json;
 *     ERROR:  invalid input syntax for type json
 *     DETAIL:  Token "abc" is invalid.
 *     CONTEXT:  JSON data, line 1: [1, abc...
 *
 * A \u escape is decoded (surrogate pairs joined) only when the value is needed as text (jsonb, ->> of json);
 * \u0000 then cannot become text (22P05). Simplifications: positions count UTF-16 code units where PostgreSQL counts
 * bytes (the 50-byte context window differs for non-ASCII text).
 */
import { PgError } from '../errors.js';

export type JNode =
  | { t: 'obj'; s: number; e: number; keys: string[]; keyRaw: [number, number][]; vals: JNode[] }
  | { t: 'arr'; s: number; e: number; items: JNode[] }
  | { t: 'str'; s: number; e: number; str: string | null }
  | { t: 'num'; s: number; e: number }
  | { t: 'true' | 'false' | 'null'; s: number; e: number };

type Tok = 'OBJ_START' | 'OBJ_END' | 'ARR_START' | 'ARR_END' | 'COMMA' | 'COLON' | 'STRING' | 'NUMBER' | 'TRUE' | 'FALSE' | 'NULL' | 'END';

const isAlnum = (c: string) => /[A-Za-z0-9_$]/.test(c) || c.charCodeAt(0) >= 0x80;

/** A lexer over one input (JsonLexContext): the current token, its span, the line it is on. */
class Lexer {
  /** the current token (before the first: none, which is not END for the context's "...") */
  tok: Tok = 'NULL';
  start = 0;
  end = 0;
  str: string | null = null;
  line = 1;
  lineStart = 0;
  constructor(readonly src: string, readonly typeName: string, readonly decode: boolean) {}

  fail(detail: string, code = '22P02', message = 'invalid input syntax for type json'): never {
    throw new PgError(code, message, { detail, context: this.context() });
  }
  /** report_json_context: the line up to the token's end, at most ~50 characters, "..." where cut */
  context(): string {
    let cs = this.lineStart;
    const ce = this.end;
    while (ce - cs >= 50) cs++;
    if (cs - this.lineStart <= 3) cs = this.lineStart;
    const prefix = cs > this.lineStart ? '...' : '';
    const next = this.src[ce];
    const suffix = this.tok !== 'END' && ce < this.src.length && next !== '\n' && next !== '\r' ? '...' : '';
    return `JSON data, line ${this.line}: ${prefix}${this.src.slice(cs, ce)}${suffix}`;
  }
  token(): string { return this.src.slice(this.start, this.end); }
  invalid(): never { this.fail(`Token "${this.token()}" is invalid.`); }

  next(): void {
    const s = this.src;
    let i = this.end;
    while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === '\n' || s[i] === '\r')) {
      if (s[i] === '\n') { this.line++; this.lineStart = i + 1; }
      i++;
    }
    this.start = i;
    this.str = null;
    if (i >= s.length) { this.tok = 'END'; this.end = i; return; }
    const c = s[i]!;
    const single: Record<string, Tok> = { '{': 'OBJ_START', '}': 'OBJ_END', '[': 'ARR_START', ']': 'ARR_END', ',': 'COMMA', ':': 'COLON' };
    if (single[c]) { this.tok = single[c]!; this.end = i + 1; return; }
    if (c === '"') { this.lexString(i); return; }
    if (c === '-' || (c >= '0' && c <= '9')) { this.lexNumber(c === '-' ? i + 1 : i); return; }
    let p = i;
    while (p < s.length && isAlnum(s[p]!)) p++;
    if (p === i) { this.end = i + 1; this.invalid(); }
    this.end = p;
    const w = s.slice(i, p);
    if (w === 'true') this.tok = 'TRUE';
    else if (w === 'false') this.tok = 'FALSE';
    else if (w === 'null') this.tok = 'NULL';
    else { this.invalid(); }
  }

  private lexNumber(from: number): void {
    const s = this.src;
    let i = from, error = false;
    const digit = (k: number) => k < s.length && s[k]! >= '0' && s[k]! <= '9';
    if (i < s.length && s[i] === '0') i++;
    else if (i < s.length && s[i]! >= '1' && s[i]! <= '9') { while (digit(i)) i++; } else error = true;
    if (i < s.length && s[i] === '.') {
      i++;
      if (!digit(i)) error = true; else while (digit(i)) i++;
    }
    if (i < s.length && (s[i] === 'e' || s[i] === 'E')) {
      i++;
      if (i < s.length && (s[i] === '+' || s[i] === '-')) i++;
      if (!digit(i)) error = true; else while (digit(i)) i++;
    }
    while (i < s.length && isAlnum(s[i]!)) { i++; error = true; }
    this.end = i;
    this.tok = 'NUMBER';
    if (error) { this.invalid(); }
  }

  private lexString(from: number): void {
    const s = this.src;
    let i = from + 1;
    let out = '';
    let hi = -1; // a pending high surrogate
    for (;;) {
      if (i >= s.length) { this.end = i; this.invalid(); }
      const c = s[i]!;
      if (c === '"') break;
      if (c.charCodeAt(0) < 32) {
        this.end = i;
        this.tok = 'STRING';
        this.fail(`Character with value 0x${c.charCodeAt(0).toString(16).padStart(2, '0')} must be escaped.`);
      }
      if (c === '\\') {
        i++;
        if (i >= s.length) { this.end = i; this.invalid(); }
        const e = s[i]!;
        if (e === 'u') {
          let ch = 0;
          for (let k = 1; k <= 4; k++) {
            i++;
            if (i >= s.length) { this.end = i; this.invalid(); }
            const h = s[i]!;
            if (!/[0-9a-fA-F]/.test(h)) { this.end = i + 1; this.tok = 'STRING'; this.fail('"\\u" must be followed by four hexadecimal digits.'); }
            ch = ch * 16 + parseInt(h, 16);
          }
          if (this.decode) {
            if (ch >= 0xd800 && ch <= 0xdbff) {
              if (hi >= 0) { this.end = i + 1; this.tok = 'STRING'; this.fail('Unicode high surrogate must not follow a high surrogate.'); }
              hi = ch;
            } else if (ch >= 0xdc00 && ch <= 0xdfff) {
              if (hi < 0) { this.end = i + 1; this.tok = 'STRING'; this.fail('Unicode low surrogate must follow a high surrogate.'); }
              out += String.fromCharCode(hi, ch);
              hi = -1;
            } else {
              if (hi >= 0) { this.end = i + 1; this.tok = 'STRING'; this.fail('Unicode low surrogate must follow a high surrogate.'); }
              if (ch === 0) {
                this.end = i + 1; this.tok = 'STRING';
                this.fail('\\u0000 cannot be converted to text.', '22P05', 'unsupported Unicode escape sequence');
              }
              out += String.fromCharCode(ch);
            }
          }
          i++;
          continue;
        }
        if (this.decode && hi >= 0) { this.end = i + 1; this.tok = 'STRING'; this.fail('Unicode low surrogate must follow a high surrogate.'); }
        const map: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (map[e] === undefined) {
          this.start = i;
          this.end = i + 1;
          this.tok = 'STRING';
          this.fail(`Escape sequence "\\${e}" is invalid.`);
        }
        out += map[e];
        i++;
        continue;
      }
      if (this.decode && hi >= 0) { this.end = i + 1; this.tok = 'STRING'; this.fail('Unicode low surrogate must follow a high surrogate.'); }
      out += c;
      i++;
    }
    if (this.decode && hi >= 0) { this.end = i + 1; this.tok = 'STRING'; this.fail('Unicode low surrogate must follow a high surrogate.'); }
    this.end = i + 1;
    this.tok = 'STRING';
    this.str = this.decode ? out : null;
  }
}

/** json_errdetail's report_parse_error: what the parser expected where it found this token */
function expected(lx: Lexer, what: 'VALUE' | 'ARRAY_NEXT' | 'OBJECT_START' | 'OBJECT_LABEL' | 'OBJECT_NEXT' | 'OBJECT_COMMA' | 'END'): never {
  if (lx.tok === 'END') lx.fail('The input string ended unexpectedly.');
  const t = lx.token();
  const msg: Record<typeof what, string> = {
    VALUE: `Expected JSON value, but found "${t}".`,
    ARRAY_NEXT: `Expected "," or "]", but found "${t}".`,
    OBJECT_START: `Expected string or "}", but found "${t}".`,
    OBJECT_LABEL: `Expected ":", but found "${t}".`,
    OBJECT_NEXT: `Expected "," or "}", but found "${t}".`,
    OBJECT_COMMA: `Expected string, but found "${t}".`,
    END: `Expected end of input, but found "${t}".`,
  };
  lx.fail(msg[what]);
}

/**
 * pg_parse_json: the whole input as one JSON value. `decode` de-escapes strings (jsonb's input, or a json value
 * whose strings are read as text); `typeName` is the type the error message names.
 */
export function parseJson(src: string, typeName: 'json' | 'jsonb', decode: boolean): JNode {
  const lx = new Lexer(src, typeName, decode);
  lx.next();
  const v = parseValue(lx);
  lx.next();
  if (lx.tok !== 'END') expected(lx, 'END');
  return v;
}

function parseValue(lx: Lexer): JNode {
  const s = lx.start;
  switch (lx.tok) {
    case 'OBJ_START': return parseObject(lx);
    case 'ARR_START': return parseArray(lx);
    case 'STRING': return { t: 'str', s, e: lx.end, str: lx.str };
    case 'NUMBER': return { t: 'num', s, e: lx.end };
    case 'TRUE': return { t: 'true', s, e: lx.end };
    case 'FALSE': return { t: 'false', s, e: lx.end };
    case 'NULL': return { t: 'null', s, e: lx.end };
    default: return expected(lx, 'VALUE');
  }
}

function parseObject(lx: Lexer): JNode {
  const s = lx.start;
  const keys: string[] = [], keyRaw: [number, number][] = [], vals: JNode[] = [];
  lx.next();
  if (lx.tok === 'OBJ_END') return { t: 'obj', s, e: lx.end, keys, keyRaw, vals };
  if (lx.tok !== 'STRING') expected(lx, 'OBJECT_START');
  for (;;) {
    keys.push(lx.str ?? '');
    keyRaw.push([lx.start, lx.end]);
    lx.next();
    if ((lx.tok as Tok) !== 'COLON') expected(lx, 'OBJECT_LABEL');
    lx.next();
    vals.push(parseValue(lx));
    lx.next();
    if ((lx.tok as Tok) === 'OBJ_END') return { t: 'obj', s, e: lx.end, keys, keyRaw, vals };
    if ((lx.tok as Tok) !== 'COMMA') expected(lx, 'OBJECT_NEXT');
    lx.next();
    if (lx.tok !== 'STRING') expected(lx, 'OBJECT_COMMA');
  }
}

function parseArray(lx: Lexer): JNode {
  const s = lx.start;
  const items: JNode[] = [];
  lx.next();
  if (lx.tok === 'ARR_END') return { t: 'arr', s, e: lx.end, items };
  for (;;) {
    items.push(parseValue(lx));
    lx.next();
    if ((lx.tok as Tok) === 'ARR_END') return { t: 'arr', s, e: lx.end, items };
    if (lx.tok !== 'COMMA') expected(lx, 'ARRAY_NEXT');
    lx.next();
  }
}

/** escape_json: a string as a JSON string literal (\" \\ \b \f \n \r \t, other control characters as \u00XX). */
export function escapeJson(s: string): string {
  let out = '"';
  for (const ch of s) {
    switch (ch) {
      case '"': out += '\\"'; break;
      case '\\': out += '\\\\'; break;
      case '\b': out += '\\b'; break;
      case '\f': out += '\\f'; break;
      case '\n': out += '\\n'; break;
      case '\r': out += '\\r'; break;
      case '\t': out += '\\t'; break;
      default: out += ch.charCodeAt(0) < 32 ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}` : ch;
    }
  }
  return out + '"';
}
