/**
 * Where a regular expression matches, as PostgreSQL's ARE engine decides it (src/backend/regex, driven by
 * utils/adt/regexp.c setup_regexp_matches): the leftmost starting position, and there the LONGEST match — an RE
 * whose quantifiers are all greedy (the only kind sql/regexp.ts lets through) is greedy as a whole, and so is any RE
 * with a | at its top. JavaScript's backtracking takes the first alternative that succeeds instead:
 *
 *     regexp_replace('abcd', 'a|ab', 'X')        PostgreSQL 'Xcd' (the match is 'ab');  JS 'Xbcd' (it stops at 'a')
 *     regexp_match('ab', 'a?(ab)?')               PostgreSQL {ab};  JS would match 'a' alone and give {NULL}
 *
 * So the search here runs the JS RegExp to find the leftmost start (whether some match begins at a position does not
 * depend on the rule), then asks, longest first, whether a match from there can end at each later position (the
 * RegExp with a lookahead that pins the end). Captured groups are read from that longest match; PostgreSQL chooses
 * them by its own rule (earlier subexpressions take the longest share), which JS's backtracking order gives too
 * unless an alternation decides it — so a pattern with | whose groups are asked for is refused (0A000).
 *
 * The matching loop (regexpMatches) is setup_regexp_matches': after a match the next search starts at its end, one
 * character later after an empty match; regexp_split_to_* ignore empty matches at the string's start and end and
 * right after the previous match ("degenerate" ones). Positions are in characters (code points), as PostgreSQL
 * counts them in pg_wchar.
 * Simplifications: strings past LONGEST_SEARCH_LIMIT characters beyond a match are refused when the pattern could
 * match longer than JS found (the longest-first probe is quadratic).
 */
import { notSupported } from '../errors.js';

/** one match: its UTF-16 offsets in the string and the captured groups (undefined: the group took no part) */
export interface ReMatch { start: number; end: number; groups: (string | undefined)[]; spans: ([number, number] | undefined)[] }

const LONGEST_SEARCH_LIMIT = 20000;

/** A compiled ARE (as a JS RegExp from sql/regexp.ts areToRegExp) and how to search with PostgreSQL's rule. */
export class AreSearch {
  private readonly global: RegExp;
  private readonly pinned = new Map<number, RegExp>();
  /** could JS's first match at a position be shorter than the longest one there? (an alternation or a quantifier) */
  private readonly mayBeShort: boolean;
  readonly hasAlternation: boolean;
  readonly groupCount: number;

  constructor(private readonly re: RegExp, pattern: string) {
    this.global = new RegExp(re.source, re.flags.replace(/[gyd]/g, '') + 'gd');
    this.hasAlternation = /(^|[^\\])\|/.test(pattern.replace(/\\\\/g, ''));
    this.mayBeShort = this.hasAlternation || /[?*{+]/.test(pattern.replace(/\\./g, ''));
    this.groupCount = new RegExp(re.source + '|').exec('')!.length - 1;
  }

  /** refuse reading captured groups where an alternation decides them (PostgreSQL's subexpression rule) */
  checkGroupsUsable(what: string): void {
    if (this.hasAlternation && this.groupCount > 0) throw notSupported(`the captured groups (${what}) of a pattern with alternation (|)`);
  }

  private pinnedAt(fromEnd: number): RegExp {
    let r = this.pinned.get(fromEnd);
    if (!r) {
      r = new RegExp(`(?:${this.re.source})(?=[\\s\\S]{${fromEnd}}$)`, this.re.flags.replace(/[gyd]/g, '') + 'yd');
      this.pinned.set(fromEnd, r);
    }
    return r;
  }

  /** The leftmost-longest match starting at or after UTF-16 offset `from`, or null. */
  exec(s: string, from: number): ReMatch | null {
    this.global.lastIndex = from;
    const m = this.global.exec(s);
    if (!m) return null;
    let best: RegExpExecArray = m;
    const start = m.index;
    let end = start + m[0].length;
    if (this.mayBeShort && end < s.length) {
      if (s.length - end > LONGEST_SEARCH_LIMIT) throw notSupported(`a regular expression search over more than ${LONGEST_SEARCH_LIMIT} characters (PostgreSQL's longest match)`);
      for (let e = s.length; e > end; e--) {
        const r = this.pinnedAt(s.length - e);
        r.lastIndex = start;
        const x = r.exec(s);
        if (x) { best = x; end = e; break; }
      }
    }
    return { start, end, groups: best.slice(1), spans: best.indices!.slice(1) };
  }
}

/**
 * setup_regexp_matches: the matches from UTF-16 offset `from`, every one with `global`, else the first. With
 * `ignoreDegenerate` (regexp_split_to_*), an empty match at the start or end of the string, or right where the
 * previous match ended, is skipped.
 */
export function regexpMatches(search: AreSearch, s: string, from: number, global: boolean, ignoreDegenerate = false): ReMatch[] {
  const out: ReMatch[] = [];
  let at = from, prevEnd = 0;
  while (at <= s.length) {
    const m = search.exec(s, at);
    if (!m) break;
    if (!ignoreDegenerate || (m.start < s.length && m.end > prevEnd)) {
      out.push(m);
      prevEnd = m.end;
    }
    if (!global) break;
    at = m.end === m.start ? m.end + 1 : m.end;
    // an empty match inside a surrogate pair would split a character: step over the whole code point
    if (m.end === m.start && at < s.length && isLowSurrogate(s.charCodeAt(at))) at++;
  }
  return out;
}

const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** the code-point position (1-based) of UTF-16 offset i */
export const charPos = (s: string, i: number): number => Array.from(s.slice(0, i)).length + 1;
/** the UTF-16 offset of code-point position p (1-based; past the end: the string's length) */
export function offsetOf(s: string, p: number): number {
  let i = 0;
  for (let k = 1; k < p && i < s.length; k++) i += isHighSurrogate(s.charCodeAt(i)) && i + 1 < s.length ? 2 : 1;
  return i;
}
const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;
