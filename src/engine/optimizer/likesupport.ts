/**
 * How the planner estimates a pattern match — LIKE, ILIKE and the regular-expression operators ~, ~*, !~, !~*
 * (PostgreSQL's utils/adt/like_support.c: pattern_fixed_prefix, like_selectivity, regex_selectivity; and
 * regex/regprefix.c for a regular expression's fixed prefix).
 *
 * A pattern is split into a fixed prefix — the characters every match must start with — and the rest:
 *
 *     LIKE 'ab%c'       prefix "ab" (up to the first % or _), rest "%c"
 *     ILIKE '1a%'       prefix "1" (a letter has two cases, so a case-insensitive prefix stops before it)
 *     ~ '^ab+c'         prefix "ab" (anchored; b+ needs one b, then the machine branches)
 *     ~ '^ab*c'         prefix "a"  (b* may match nothing)
 *     ~ 'abc'           no prefix   (not anchored with ^)
 *     ~ '^abc$'         exact "abc" (estimated as `= 'abc'`)
 *
 * The rest gets a heuristic selectivity, a product over its characters: a fixed character 0.2 (FIXED_CHAR_SEL),
 * any character 0.9 (ANY_CHAR_SEL), a bracket 0.25 (CHAR_RANGE_SEL; negated 0.75), a quantifier 2.0
 * (PARTIAL_WILDCARD_SEL), a LIKE % 5.0 (FULL_WILDCARD_SEL); alternatives add up, a parenthesised group
 * multiplies in; a regular expression without a trailing $ gets a further 5.0, and the prefix's characters are
 * divided back out. For example, with 12,103 estimated rows and no statistics:
 *
 *     c ~ 'a.c'       0.2 x 0.9 x 0.2 x 5.0 = 0.18            -> rows=2179
 *     c ~ '^ab*c'     prefix "a": 0.005 (DEFAULT_MATCH_SEL) x (0.2^4 x 2.0 x 5.0 / 0.2) -> rows=5
 *
 * optimizer/clausesel.ts combines this with the column's MCV list and histogram (patternsel).
 *
 * Simplifications: the fixed prefix of a regular expression is read from the pattern's text — a literal run after
 * ^, where PostgreSQL walks the compiled automaton; patterns with director prefixes (***) or embedded options
 * (?i) give no prefix here.
 */

export const FIXED_CHAR_SEL = 0.2;
const CHAR_RANGE_SEL = 0.25;
const ANY_CHAR_SEL = 0.9;
const FULL_WILDCARD_SEL = 5.0;
const PARTIAL_WILDCARD_SEL = 2.0;

/** Pattern_Prefix_Status: no fixed prefix, a prefix and more, or the whole pattern is a literal */
export type PrefixStatus = 'none' | 'partial' | 'exact';
export interface FixedPrefix { status: PrefixStatus; prefix: string; rest: string }

const hasCase = (ch: string) => ch.toLowerCase() !== ch.toUpperCase();

/**
 * like_fixed_prefix: the characters before the first % or _ (a backslash quotes the next one); case-insensitive,
 * it stops before a character that has two cases.
 */
export function likeFixedPrefix(pat: string, caseInsensitive: boolean): FixedPrefix {
  let prefix = '', pos = 0;
  for (; pos < pat.length; pos++) {
    let ch = pat[pos]!;
    if (ch === '%' || ch === '_') break;
    if (ch === '\\') { pos++; if (pos >= pat.length) break; ch = pat[pos]!; }
    if (caseInsensitive && hasCase(ch)) break;
    prefix += ch;
  }
  if (pos >= pat.length) return { status: 'exact', prefix, rest: '' };
  return { status: prefix ? 'partial' : 'none', prefix, rest: pat.slice(pos) };
}

/** like_selectivity: the pattern after its leading wildcards, each character's share multiplied, at most 1. */
export function likeSelectivity(pat: string): number {
  let sel = 1.0, pos = 0;
  while (pos < pat.length && (pat[pos] === '%' || pat[pos] === '_')) pos++;
  for (; pos < pat.length; pos++) {
    const ch = pat[pos]!;
    if (ch === '\\') pos++; // an escaped character is a fixed one
    if (pos >= pat.length) break;
    sel *= ch === '%' ? FULL_WILDCARD_SEL : ch === '_' ? ANY_CHAR_SEL : FIXED_CHAR_SEL;
  }
  return sel > 1.0 ? 1.0 : sel;
}

const RE_SPECIAL = new Set(['.', '[', '(', ')', '|', '*', '+', '?', '{', '\\', '$', '^']);
const RE_QUANT = new Set(['*', '+', '?', '{']);

/**
 * The fixed prefix of an ARE (pg_regprefix over the compiled NFA), read from the text: after a leading ^, the
 * literal characters (an escaped punctuation character, a one-character bracket such as [a]) up to the first
 * branch. A character made optional by * ? or {…} is not part of it; one followed by + is, and ends it. Exact
 * when a $ ends the pattern right after the literals. Case-insensitive, a character with two cases ends it.
 */
export function regexFixedPrefix(pat: string, caseInsensitive: boolean): FixedPrefix {
  const none: FixedPrefix = { status: 'none', prefix: '', rest: pat };
  if (!pat.startsWith('^') || pat.startsWith('***')) return none;
  let prefix = '', pos = 1;
  while (pos < pat.length) {
    let ch: string, next: number;
    const c = pat[pos]!;
    if (c === '\\') {
      const e = pat[pos + 1];
      if (e === undefined || /[A-Za-z0-9]/.test(e)) break; // \d, \w, back references, …: not one literal
      ch = e; next = pos + 2;
    } else if (c === '[') {
      const m = /^\[([^\]\\^[])\]/.exec(pat.slice(pos));
      if (!m) break;
      ch = m[1]!; next = pos + m[0].length;
    } else if (RE_SPECIAL.has(c)) break;
    else { ch = c; next = pos + 1; }
    if (caseInsensitive && hasCase(ch)) break;
    const q = pat[next];
    if (q !== undefined && RE_QUANT.has(q)) {
      if (q === '+') prefix += ch;
      break;
    }
    prefix += ch;
    pos = next;
  }
  if (!prefix) return none;
  const exact = pos === pat.length - 1 && pat[pos] === '$';
  return { status: exact ? 'exact' : 'partial', prefix, rest: pat };
}

/** regex_selectivity_sub: one alternative's (or group's) characters multiplied, alternatives summed, at most 1. */
function regexSelectivitySub(p: string): number {
  let sel = 1.0, depth = 0, parenPos = 0;
  /** a factor counts only outside parentheses; a group's own selectivity comes in at its ) */
  const times = (f: number) => { if (depth === 0) sel *= f; };
  for (let pos = 0; pos < p.length; pos++) {
    switch (p[pos]) {
      case '(':
        if (depth === 0) parenPos = pos;
        depth++;
        break;
      case ')':
        if (depth === 0) { times(FIXED_CHAR_SEL); break; }
        depth--;
        if (depth === 0) sel *= regexSelectivitySub(p.slice(parenPos + 1, pos));
        break;
      case '|':
        if (depth !== 0) break;
        sel += regexSelectivitySub(p.slice(pos + 1)); // alternatives add up
        return sel > 1.0 ? 1.0 : sel;
      case '[': {
        let neg = false;
        if (p[++pos] === '^') { neg = true; pos++; }
        if (p[pos] === ']') pos++; // a ] first in the class is a member
        while (pos < p.length && p[pos] !== ']') pos++;
        times(neg ? 1.0 - CHAR_RANGE_SEL : CHAR_RANGE_SEL);
        break;
      }
      case '.': times(ANY_CHAR_SEL); break;
      case '*': case '?': case '+': times(PARTIAL_WILDCARD_SEL); break;
      case '{':
        while (pos < p.length && p[pos] !== '}') pos++;
        times(PARTIAL_WILDCARD_SEL);
        break;
      case '\\':
        pos++; // the quoted character is a fixed one
        if (pos >= p.length) return sel > 1.0 ? 1.0 : sel;
        times(FIXED_CHAR_SEL);
        break;
      default: times(FIXED_CHAR_SEL); // a literal, and ^ too
    }
  }
  return sel > 1.0 ? 1.0 : sel;
}

/** regex_selectivity: the whole pattern, a trailing wildcard unless it ends in $, the prefix's characters divided out. */
export function regexSelectivity(pat: string, fixedPrefixLen: number): number {
  let sel: number;
  if (pat.length > 0 && pat.endsWith('$') && (pat.length === 1 || pat[pat.length - 2] !== '\\')) sel = regexSelectivitySub(pat.slice(0, -1));
  else sel = regexSelectivitySub(pat) * FULL_WILDCARD_SEL;
  if (fixedPrefixLen > 0) {
    const prefixsel = Math.pow(FIXED_CHAR_SEL, fixedPrefixLen);
    if (prefixsel > 0) sel /= prefixsel;
  }
  return Math.min(1, Math.max(0, sel));
}
