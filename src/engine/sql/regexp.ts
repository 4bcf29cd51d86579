/**
 * POSIX regular expressions (PostgreSQL's utils/adt/regexp.c over Henry Spencer's ARE engine in
 * src/backend/regex): the operators ~ ~* !~ !~* (textregexeq & co.), regexp_replace (textregexreplace, with 15's
 * start and N), substring(text FROM pattern) (textregexsubstr), regexp_match, regexp_matches, regexp_split_to_array
 * / _table, and 15's regexp_like, regexp_count, regexp_instr and regexp_substr. Where a match is — the leftmost
 * start, there the longest match, as an ARE decides — is sql/regexpexec.ts's.
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
import { T, PgArray, type Value } from './types.js';
import { AreSearch, regexpMatches, charPos, offsetOf, type ReMatch } from './regexpexec.js';
import type { Compiled } from './primnodes.js';

export const isRegexOp = (op: string) => op === '~' || op === '~*' || op === '!~' || op === '!~*';

const SAFE_ESCAPES = new Set(['d', 's', 'w', 'D', 'S', 'W', 't', 'n', 'r']);

/** The JS RegExp for an ARE whose meaning JS shares, or a 0A000 refusal naming what is not modelled. */
export function areToRegExp(pattern: string, caseInsensitive: boolean): RegExp {
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
    return new RegExp(out, 's' + (caseInsensitive ? 'i' : ''));
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

/** the compiled search of a pattern with its flags, cached by the last few (pattern, flags) pairs */
const searches = new Map<string, { search: AreSearch; g: boolean }>();
function searchFor(fname: string, pattern: string, flags: string, global: boolean): { search: AreSearch; g: boolean } {
  const key = `${fname}\u0000${flags}\u0000${pattern}`;
  let r = searches.get(key);
  if (!r) {
    const f = parseFlags(fname, flags, global);
    r = { search: new AreSearch(flaggedRegExp(pattern, f), f.quote ? 'x' : pattern), g: f.g };
    if (searches.size > 64) searches.clear();
    searches.set(key, r);
  }
  return r;
}
const positive = (name: string, v: number, min = 1) => {
  if (v < min) throw new PgError('22023', `invalid value for parameter "${name}": ${v}`);
};

/**
 * regexp_replace(source, pattern, replacement [, start [, N]] [, flags]): the first match (every one with flag g, or
 * only the Nth from character `start`; N = 0 all of them) replaced; in the replacement \1..\9 is a group, \& the
 * whole match, \\ a backslash. Flags: g, i, c, q (parseFlags).
 */
export function regexpReplace(src: string, pattern: string, repl: string, flags: string, start = 1, n: number | null = null): string {
  positive('start', start);
  if (n !== null) positive('n', n, 0);
  const { search, g } = searchFor('regexp_replace', pattern, flags, true);
  if (/\\[1-9]/.test(repl)) search.checkGroupsUsable('\\1..\\9 in regexp_replace\'s replacement');
  const all = n === null ? g : n === 0;
  const matches = regexpMatches(search, src, offsetOf(src, start), all || (n ?? 1) > 1);
  const chosen = n !== null && n > 0 ? matches.slice(n - 1, n) : all ? matches : matches.slice(0, 1);
  let out = '', last = 0;
  for (const m of chosen) {
    out += src.slice(last, m.start);
    const whole = src.slice(m.start, m.end);
    for (let i = 0; i < repl.length; i++) {
      const ch = repl[i]!;
      if (ch === '\\' && i + 1 < repl.length) {
        const nx = repl[i + 1]!;
        if (/[1-9]/.test(nx)) { out += m.groups[Number(nx) - 1] ?? ''; i++; continue; }
        if (nx === '&') { out += whole; i++; continue; }
        if (nx === '\\') { out += '\\'; i++; continue; }
      }
      out += ch;
    }
    last = m.end;
  }
  return out + src.slice(last);
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
/** the pattern as a JS RegExp under its parsed flags (q: the pattern is a literal string) */
function flaggedRegExp(pattern: string, f: { ci: boolean; quote: boolean }): RegExp {
  if (f.quote) return new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 's' + (f.ci ? 'i' : ''));
  return areToRegExp(pattern, f.ci);
}

/** regexp_like(string, pattern [, flags]): does the pattern match anywhere? */
export const regexpLike = (src: string, pattern: string, flags = '') => flaggedRegExp(pattern, parseFlags('regexp_like', flags, false)).test(src);

/** regexp_count(string, pattern [, start [, flags]]): non-overlapping matches from character `start` (1-based). */
export function regexpCount(src: string, pattern: string, start = 1, flags = ''): number {
  positive('start', start);
  const { search } = searchFor('regexp_count', pattern, flags, false);
  return regexpMatches(search, src, offsetOf(src, start), true).length;
}

/** the Nth match from character `start`, after the checks regexp_instr / regexp_substr make of their arguments */
function nthMatch(fname: string, src: string, pattern: string, start: number, n: number, flags: string, subexpr: number) {
  positive('start', start);
  positive('n', n);
  positive('subexpr', subexpr, 0);
  const { search } = searchFor(fname, pattern, flags, false);
  if (subexpr > 0) search.checkGroupsUsable(`${fname}() of a subexpression`);
  const m = regexpMatches(search, src, offsetOf(src, start), n > 1)[n - 1];
  if (!m) return null;
  // setup_regexp_matches: a pattern without subexpressions has one "pattern", the whole match (so subexpr 1 is
  // the match itself); a subexpression the pattern does not have, or one that took no part in the match: no result
  if (subexpr === 0 || (search.groupCount === 0 && subexpr === 1)) return { start: m.start, end: m.end };
  if (subexpr > search.groupCount) return null;
  const span = m.spans[subexpr - 1];
  return span ? { start: span[0], end: span[1] } : null;
}

/** regexp_instr(string, pattern [, start [, N [, endoption [, flags [, subexpr]]]]]): where the Nth match begins (or ends + 1), 0 if none */
export function regexpInstr(src: string, pattern: string, start = 1, n = 1, endoption = 0, flags = '', subexpr = 0): number {
  if (endoption !== 0 && endoption !== 1) throw new PgError('22023', `invalid value for parameter "endoption": ${endoption}`);
  const m = nthMatch('regexp_instr', src, pattern, start, n, flags, subexpr);
  if (!m) return 0;
  return charPos(src, endoption ? m.end : m.start);
}

/** regexp_substr(string, pattern [, start [, N [, flags [, subexpr]]]]): the Nth match (or its subexpression), NULL without one */
export function regexpSubstr(src: string, pattern: string, start = 1, n = 1, flags = '', subexpr = 0): string | null {
  const m = nthMatch('regexp_substr', src, pattern, start, n, flags, subexpr);
  return m ? src.slice(m.start, m.end) : null;
}

/** substring(string FROM pattern): the first match, or its first parenthesized subexpression when the pattern has one. */
export function textRegexSubstr(src: string, pattern: string): string | null {
  const { search } = searchFor('substring', pattern, '', false);
  const m = search.exec(src, 0);
  if (!m) return null;
  if (search.groupCount > 0) { search.checkGroupsUsable('substring(... FROM pattern)'); return m.groups[0] ?? null; }
  return src.slice(m.start, m.end);
}

/** regexp_match(string, pattern [, flags]): the first match's groups (or the whole match when it has none), NULL without one */
export function regexpMatch(src: string, pattern: string, flags = ''): PgArray | null {
  if (flags.includes('g')) throw new PgError('22023', 'regexp_match() does not support the "global" option', { hint: 'Use the regexp_matches function instead.' });
  const { search } = searchFor('regexp_match', pattern, flags, false);
  const m = search.exec(src, 0);
  return m ? matchArray(search, src, m, 'regexp_match()') : null;
}

/** regexp_matches(string, pattern [, flags]): one text[] per match (every match with flag g) */
export function regexpMatchesRows(src: string, pattern: string, flags = ''): Value[][] {
  const { search, g } = searchFor('regexp_matches', pattern, flags, true);
  return regexpMatches(search, src, 0, g).map((m) => [matchArray(search, src, m, 'regexp_matches()')]);
}

function matchArray(search: AreSearch, src: string, m: ReMatch, what: string): PgArray {
  if (search.groupCount === 0) return new PgArray([src.slice(m.start, m.end)]);
  search.checkGroupsUsable(what);
  return new PgArray(m.groups.map((x) => x ?? null));
}

/** regexp_split_to_array / regexp_split_to_table: the pieces between the matches (empty "degenerate" matches ignored) */
export function regexpSplit(fname: string, src: string, pattern: string, flags = ''): string[] {
  const { search } = searchFor(fname, pattern, flags, false);
  const out: string[] = [];
  let last = 0;
  for (const m of regexpMatches(search, src, 0, true, true)) { out.push(src.slice(last, m.start)); last = m.end; }
  out.push(src.slice(last));
  return out;
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
