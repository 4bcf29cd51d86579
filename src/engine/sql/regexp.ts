/**
 * POSIX regular expressions (PostgreSQL's utils/adt/regexp.c over Henry Spencer's ARE engine in
 * src/backend/regex): the operators ~ ~* !~ !~* (textregexeq & co.), regexp_replace (textregexreplace),
 * substring(text FROM pattern) (textregexsubstr), and 15's regexp_like, regexp_count and regexp_substr.
 *
 * PostgreSQL's "advanced regular expressions" are not JavaScript's. This module runs a pattern on JS RegExp only
 * when it is made of pieces whose meaning is the same in both: literals, . (which in an ARE matches a newline too:
 * the s flag), ^ and $ (the whole string's ends), [bracket] classes without [:name:] / [.x.] / [=x=], groups ( )
 * and (?: ), |, greedy * + ? {m,n}, and the escapes \d \s \w \D \S \W \t \n \r and escaped punctuation.
 * Anything else — non-greedy quantifiers (an ARE's whole-expression greediness differs from JS's per-quantifier
 * rule), back references, lookaround, \b (backspace in an ARE, a word boundary in JS), \y \m \M \A \Z, embedded
 * options (?i), director prefixes ***: — is refused with 0A000 rather than answered differently.
 * Errors for malformed patterns are refused too (PostgreSQL's messages come from the ARE compiler: 2201B).
 *
 * SQL regular expressions (SIMILAR TO, substring(x SIMILAR p ESCAPE e)) are translated to an ARE first, as
 * similar_escape_internal does (similarToEscape), then matched as ~ matches (similarForMatch, similarSubstring).
 */
import { PgError, notSupported } from '../errors.js';
import { T } from './types.js';
import type { Compiled } from './primnodes.js';

export const isRegexOp = (op: string) => op === '~' || op === '~*' || op === '!~' || op === '!~*';

const SAFE_ESCAPES = new Set(['d', 's', 'w', 'D', 'S', 'W', 't', 'n', 'r']);

/** The JS RegExp for an ARE whose meaning JS shares, or a 0A000 refusal naming what is not modelled. */
export function areToRegExp(pattern: string, caseInsensitive: boolean, global = false): RegExp {
  const refuse = (what: string) => notSupported(`regular expressions with ${what}`);
  if (pattern.startsWith('***')) throw refuse('a director prefix (***)');
  let out = '';
  let inBracket = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      const nx = pattern[i + 1];
      if (nx === undefined) throw refuse('a trailing backslash');
      if (/[A-Za-z0-9]/.test(nx) && !SAFE_ESCAPES.has(nx)) throw refuse(`the escape \\${nx}`);
      out += '\\' + nx;
      i++;
      continue;
    }
    if (inBracket) {
      if (ch === '[' && /[:.=]/.test(pattern[i + 1] ?? '')) throw refuse('[:class:] / [.x.] / [=x=] in brackets');
      if (ch === ']' && !out.endsWith('[') && !out.endsWith('[^')) inBracket = false;
      out += ch;
      continue;
    }
    switch (ch) {
      case '[': inBracket = true; out += ch; if (pattern[i + 1] === '^') { out += '^'; i++; } if (pattern[i + 1] === ']') { out += '\\]'; i++; } continue;
      case '(':
        if (pattern[i + 1] === '?') {
          if (pattern[i + 2] !== ':') throw refuse('(? ... ) constraints or options');
          out += '(?:'; i += 2; continue;
        }
        out += ch; continue;
      case '*': case '+': case '?': case '}':
        if (pattern[i + 1] === '?') throw refuse('non-greedy quantifiers');
        out += ch; continue;
      case '{':
        if (!/^\{\d+(,\d*)?\}/.test(pattern.slice(i))) throw refuse('a brace that is not a bound {m,n}');
        out += ch; continue;
      default: out += ch;
    }
  }
  if (inBracket) throw refuse('an unterminated bracket expression');
  try {
    return new RegExp(out, 's' + (caseInsensitive ? 'i' : '') + (global ? 'g' : ''));
  } catch {
    throw refuse('this pattern (the simulator could not translate it)');
  }
}

/** textregexeq / texticregexeq and their negations: a cached RegExp per pattern value. */
export function compileRegexMatch(op: string, l: Compiled, r: Compiled, pos?: number): Compiled {
  const ci = op.endsWith('*'), neg = op.startsWith('!');
  let cache: [string, RegExp] | null = null;
  const lf = l.fn, rf = r.fn;
  const compile = (p: string) => {
    try { return areToRegExp(p, ci); } catch (e) { if (e instanceof PgError && pos !== undefined && e.position === undefined) e.position = pos; throw e; }
  };
  if (r.isConst) { const p = rf(null as never); if (p !== null) cache = [p as string, compile(p as string)]; }
  return {
    fn: (row) => {
      const a = lf(row), b = rf(row); // a strict operator's operands are both evaluated first
      if (a === null || b === null) return null;
      if (!cache || cache[0] !== b) cache = [b as string, compile(b as string)];
      const m = cache[1].test(a as string);
      return neg ? !m : m;
    },
    type: T.bool, name: '?column?', strength: 0,
  };
}

/**
 * regexp_replace(source, pattern, replacement [, flags]): the first match (every one with flag g) replaced; in the
 * replacement \1..\9 is a group, \& the whole match, \\ a backslash. Flags: g, i, c, q (parseFlags).
 */
export function regexpReplace(src: string, pattern: string, repl: string, flags: string): string {
  const re = flaggedRegExp('regexp_replace', pattern, flags, true);
  let js = '';
  for (let i = 0; i < repl.length; i++) {
    const ch = repl[i]!;
    if (ch === '$') { js += '$$'; continue; }
    if (ch === '\\' && i + 1 < repl.length) {
      const nx = repl[i + 1]!;
      if (/[1-9]/.test(nx)) { js += `$${nx}`; i++; continue; }
      if (nx === '&') { js += '$&'; i++; continue; }
      if (nx === '\\') { js += '\\'; i++; continue; }
    }
    js += ch;
  }
  return src.replace(re, js);
}

/**
 * parse_re_flags: i (case-insensitive), c (case-sensitive, the default; the last of i / c wins), q (the pattern is a
 * literal string), g (global: only where the function has that meaning, else 22023); the other ARE options
 * (b e n p s t w x) are refused, an unknown letter is 22023.
 */
function parseFlags(fname: string, flags: string, global: boolean): { ci: boolean; quote: boolean; g: boolean } {
  let ci = false, quote = false, g = false;
  for (const f of flags) {
    if (f === 'g') { if (!global) throw new PgError('22023', `${fname}() does not support the "global" option`); g = true; } else if (f === 'i') ci = true;
    else if (f === 'c') ci = false;
    else if (f === 'q') quote = true;
    else if (/[bcenpqstwx]/.test(f)) throw notSupported(`${fname}() flag "${f}"`);
    else throw new PgError('22023', `invalid regular expression option: "${f}"`);
  }
  return { ci, quote, g };
}
function flaggedRegExp(fname: string, pattern: string, flags: string, global: boolean, forceGlobal = false): RegExp {
  const f = parseFlags(fname, flags, global);
  if (f.quote) return new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 's' + (f.ci ? 'i' : '') + (f.g || forceGlobal ? 'g' : ''));
  return areToRegExp(pattern, f.ci, f.g || forceGlobal);
}

/** regexp_like(string, pattern [, flags]): does the pattern match anywhere? */
export const regexpLike = (src: string, pattern: string, flags = '') => flaggedRegExp('regexp_like', pattern, flags, false).test(src);

/** regexp_count(string, pattern [, start [, flags]]): non-overlapping matches from character `start` (1-based). */
export function regexpCount(src: string, pattern: string, start = 1, flags = ''): number {
  if (start <= 0) throw new PgError('22023', `invalid value for parameter "start": ${start}`);
  const re = flaggedRegExp('regexp_count', pattern, flags, false, true);
  const from = Array.from(src).slice(start - 1).join('');
  let n = 0;
  for (const _m of from.matchAll(re)) n++; // an empty match advances one character, as PostgreSQL's loop does
  return n;
}

/** regexp_substr(string, pattern): the first match, NULL without one (the start / N / flags / subexpr forms are refused). */
export function regexpSubstr(src: string, pattern: string): string | null {
  const m = areToRegExp(pattern, false).exec(src);
  return m ? m[0] : null;
}

/** substring(string FROM pattern): the first match, or its first parenthesized subexpression when the pattern has one. */
export function textRegexSubstr(src: string, pattern: string): string | null {
  const re = areToRegExp(pattern, false);
  const m = re.exec(src);
  if (!m) return null;
  if (m.length > 1) return m[1] ?? null;
  return m[0];
}

/**
 * similar_escape_internal (utils/adt/regexp.c): a SQL regular expression as the ARE PostgreSQL matches it.
 * The whole is wrapped in ^(?: ... )$; % is .*, _ is ., ( is (?: , \ . ^ $ are escaped; inside [ ] a
 * backslash is doubled; the escape character (default \, none when ESCAPE '') makes the next character
 * literal (\X), and escape-" splits the pattern in three parts: ){1,1}?( and ){1,1}(?: — the middle one is what
 * substring(... SIMILAR ...) returns. More than two escape-" separators is 2200B.
 */
export function similarToEscape(pat: string, esc: string | null): string {
  let e: string | null = esc === null ? '\\' : esc;
  const ec = e === '' ? [] : Array.from(e);
  if (ec.length > 1) throw new PgError('22025', 'invalid escape string', { hint: 'Escape string must be empty or one character.' });
  e = ec.length ? ec[0]! : null;
  let out = '^(?:';
  let afterEscape = false, inClass = false, nquotes = 0;
  for (const ch of Array.from(pat)) {
    if (afterEscape) {
      if (ch === '"' && !inClass) {
        if (nquotes === 0) out += '){1,1}?(';
        else if (nquotes === 1) out += '){1,1}(?:';
        else throw new PgError('2200B', 'SQL regular expression may not contain more than two escape-double-quote separators');
        nquotes++;
      } else out += '\\' + ch;
      afterEscape = false;
    } else if (e !== null && ch === e) afterEscape = true;
    else if (inClass) {
      if (ch === '\\') out += '\\';
      out += ch;
      if (ch === ']') inClass = false;
    } else if (ch === '[') { out += ch; inClass = true; } else if (ch === '%') out += '.*';
    else if (ch === '_') out += '.';
    else if (ch === '(') out += '(?:';
    else if (ch === '\\' || ch === '.' || ch === '^' || ch === '$') out += '\\' + ch;
    else out += ch;
  }
  return out + ')$';
}

/**
 * The ARE of similarToEscape for a yes/no match: the separators' non-greedy {1,1}? only decides how substring
 * splits the string, never whether it matches, so it is dropped (the JS translation refuses non-greedy quantifiers).
 */
export const similarForMatch = (are: string) => are.split('){1,1}?(').join('){1,1}(');

/**
 * substring(x SIMILAR p ESCAPE e) — PostgreSQL 15's substring(text, text, text), textregexsubstr over
 * similar_to_escape(p, e): NULL unless the whole string matches; then the part between the two escape-"
 * separators (after one separator: the rest), else the whole string. The ARE's {1,1}? makes the first part
 * match as little as it can and the middle as much as it then can; JS RegExp has no such whole-part preference,
 * so the split points are searched for (shortest first part, longest middle), each part matched as a whole.
 */
export function similarSubstring(src: string, pat: string, esc: string | null): string | null {
  const are = similarToEscape(pat, esc);
  const body = are.slice(4, -2); // inside ^(?: ... )$
  const [a, rest] = splitOnce(body, '){1,1}?(');
  const whole = (p: string) => areToRegExp('^(?:' + p + ')$', false);
  if (rest === undefined) return whole(a).test(src) ? src : null;
  const [b, c] = splitOnce(rest, '){1,1}(?:');
  const ra = whole(a), rb = whole(b), rc = c === undefined ? null : whole(c);
  const ch = Array.from(src);
  const part = (i: number, j: number) => ch.slice(i, j).join('');
  for (let i = 0; i <= ch.length; i++) {
    if (!ra.test(part(0, i))) continue;
    for (let j = ch.length; j >= i; j--) {
      if (rc ? rb.test(part(i, j)) && rc.test(part(j, ch.length)) : j === ch.length && rb.test(part(i, j))) return part(i, j);
    }
  }
  return null;
}
function splitOnce(s: string, sep: string): [string, string | undefined] {
  const k = s.indexOf(sep);
  return k < 0 ? [s, undefined] : [s.slice(0, k), s.slice(k + sep.length)];
}
