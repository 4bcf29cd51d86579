/**
 * The bitwise integer operators (int.c / int8.c int4and & co.) equal two's-complement BigInt arithmetic in their
 * type's width, shifts wrap as C's do on x86-64 (the count masked to the width); and sql/regexp.ts runs a pattern
 * on JS RegExp only where an ARE means the same, refusing (0A000) the pieces whose meaning differs.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { intArith, intShift, intNot } from '../../src/engine/sql/intarith.js';
import { T, normInt8 } from '../../src/engine/sql/types.js';
import { areToRegExp, regexpReplace } from '../../src/engine/sql/regexp.js';
import { AreSearch, regexpMatches } from '../../src/engine/sql/regexpexec.js';
import { PgError } from '../../src/engine/errors.js';

const WIDTH = { int2: 16, int4: 32, int8: 64 } as const;
const wrap = (t: keyof typeof WIDTH, x: bigint) => BigInt.asIntN(WIDTH[t], x);
const asInt = (t: keyof typeof WIDTH, x: bigint) => (t === 'int8' ? normInt8(x) : Number(x));

describe('bitwise integer operators', () => {
  for (const t of ['int2', 'int4', 'int8'] as const) {
    const v = fc.bigInt(-(1n << BigInt(WIDTH[t] - 1)), (1n << BigInt(WIDTH[t] - 1)) - 1n);
    it(`${t}: & | # ~ equal two's-complement BigInt`, () => {
      fc.assert(fc.property(v, v, (a, b) => {
        expect(intArith('&', T[t])!(asInt(t, a), asInt(t, b))).toEqual(asInt(t, a & b));
        expect(intArith('|', T[t])!(asInt(t, a), asInt(t, b))).toEqual(asInt(t, a | b));
        expect(intArith('#', T[t])!(asInt(t, a), asInt(t, b))).toEqual(asInt(t, a ^ b));
        expect(intNot(asInt(t, a), T[t])).toEqual(asInt(t, ~a));
      }));
    });
    it(`${t}: shifts keep the left type and wrap`, () => {
      const mask = t === 'int8' ? 63 : 31;
      fc.assert(fc.property(v, fc.integer({ min: 0, max: 70 }), (a, n) => {
        const k = BigInt(n & mask);
        // int2 shifts in int (32 bits) and then keeps 16: the same as shifting in 16 bits for counts below 16
        const shl = t === 'int2' ? wrap('int2', BigInt.asIntN(32, a << k)) : wrap(t, a << k);
        expect(intShift('<<', T[t])(asInt(t, a), n)).toEqual(asInt(t, shl));
        expect(intShift('>>', T[t])(asInt(t, a), n)).toEqual(asInt(t, a >> k));
      }));
    });
  }
});

describe('regular expressions: ARE on JS RegExp where they agree', () => {
  const refused = (p: string) => {
    try { areToRegExp(p, false); } catch (e) { return e instanceof PgError && e.sqlstate === '0A000'; }
    return false;
  };
  it('an ARE dot matches a newline; ^ and $ are the string ends', () => {
    expect(areToRegExp('a.b', false).test('a\nb')).toBe(true);
    expect(areToRegExp('^b$', false).test('a\nb')).toBe(false);
    expect(areToRegExp('^A', true).test('abc')).toBe(true);
  });
  it('pieces whose meaning differs are refused', () => {
    for (const p of ['a*?', 'a+?b', '\\bword', '\\y', '(?=x)', '(?i)a', '***:a', '[[:alpha:]]', '(a)\\1', 'a{', '\\m']) expect(refused(p), p).toBe(true);
    for (const p of ['^[A-Z]-[0-9]+$', '(?:ab|cd)*', '\\d\\s\\w', 'a{2,3}', '[^]a]', '\\.']) expect(refused(p), p).toBe(false);
  });
  it('regexp_replace: first match, g for all, \\n groups and \\& the match, $ literal', () => {
    expect(regexpReplace('aXbX', 'X', '-', '')).toBe('a-bX');
    expect(regexpReplace('aXbX', 'x', '-', 'gi')).toBe('a-b-');
    expect(regexpReplace('john smith', '(\\w+) (\\w+)', '\\2 \\1', '')).toBe('smith john');
    expect(regexpReplace('abc', 'b', '<\\&>$1', '')).toBe('a<b>$1c');
    expect(() => regexpReplace('a', 'a', 'b', 'z')).toThrow(/invalid regular expression option/);
  });
});

describe('where an ARE matches: leftmost start, there the longest match (sql/regexpexec.ts)', () => {
  const search = (p: string) => new AreSearch(areToRegExp(p, false), p);
  it('takes the longest match at the leftmost start, not the first alternative that succeeds', () => {
    expect(search('a|ab').exec('xabcd', 0)).toMatchObject({ start: 1, end: 3 });
    expect(search('a?(ab)?').exec('ab', 0)).toMatchObject({ start: 0, end: 2, groups: ['ab'] });
    expect(regexpReplace('abcabc', 'b|bc', 'X', 'g')).toBe('aXaX');
  });
  it('the longest match is never shorter than what JavaScript finds, and starts where it starts', () => {
    fc.assert(fc.property(fc.stringMatching(/^[ab]{0,8}$/), fc.constantFrom('a|ab', 'b?ab?', '(a|b)*b', 'a*', 'ab|a|b+'), (s, p) => {
      const js = new RegExp(p, 's').exec(s);
      const m = search(p).exec(s, 0);
      if (!js) return m === null;
      return m !== null && m.start === js.index && m.end >= js.index + js[0].length && new RegExp(`^(?:${p})$`, 's').test(s.slice(m.start, m.end));
    }));
  });
  it('skips degenerate (empty) matches at the ends and right after a match only when splitting', () => {
    const s = search('');
    expect(regexpMatches(s, 'abc', 0, true).map((m) => m.start)).toEqual([0, 1, 2, 3]);
    expect(regexpMatches(s, 'abc', 0, true, true).map((m) => m.start)).toEqual([1, 2]);
  });
  it('refuses captured groups that an alternation decides', () => {
    expect(() => regexpReplace('ab', '(a|ab)b?', '[\\1]', '')).toThrow(/alternation/);
    expect(regexpReplace('ab', 'a|ab', '[\\&]', '')).toBe('[ab]');
  });
});
