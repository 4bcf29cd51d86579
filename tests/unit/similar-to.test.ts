/**
 * SQL regular expressions (SIMILAR TO): similar_escape_internal's translation to an ARE, and the rule that a
 * pattern without escape-" separators matches exactly when its ARE (with the separators' non-greedy marker dropped)
 * matches the whole string; substring(... SIMILAR ...) takes the shortest first part and the longest middle.
 */
import { describe, it, expect } from 'vitest';
import { similarToEscape, similarForMatch, similarSubstring, areToRegExp } from '../../src/engine/sql/regexp.js';

describe('similar_to_escape', () => {
  it('translates % _ ( and the ARE metacharacters as PostgreSQL 15 does', () => {
    expect(similarToEscape('a%b_c(d|e).^$', null)).toBe('^(?:a.*b.c(?:d|e)\\.\\^\\$)$');
    expect(similarToEscape('a!"b!"c', '!')).toBe('^(?:a){1,1}?(b){1,1}(?:c)$');
    expect(() => similarToEscape('a!"b!"c!"', '!')).toThrow(/more than two escape-double-quote/);
    expect(() => similarToEscape('a', 'xy')).toThrow(/invalid escape string/);
  });
  it('matches whole strings only', () => {
    const m = (s: string, p: string) => areToRegExp(similarForMatch(similarToEscape(p, null)), false).test(s);
    expect(m('abc', 'a%')).toBe(true);
    expect(m('xabc', 'a%')).toBe(false);
    expect(m('abc', 'ab')).toBe(false);
  });
  it('substring returns the middle part', () => {
    expect(similarSubstring('foobar', '%!"o_b!"%', '!')).toBe('oob');
    expect(similarSubstring('foobar', '!"o_b!"%', '!')).toBeNull();
    expect(similarSubstring('abcabc', '%!"b%!"', '!')).toBe('bcabc');
  });
});
