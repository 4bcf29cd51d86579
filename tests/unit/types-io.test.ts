/** Input/output of the system and catalog types (xid, cid, name, json, regproc): as PostgreSQL 15's adt/*.c. */
import { describe, it, expect } from 'vitest';
import { parseInput, formatValue, T, strtoul32, truncateName } from '../../src/engine/sql/types.js';

describe('xid / cid input (strtoul, unchecked, as PostgreSQL 15)', () => {
  it('reads decimal, hex, octal, signs and stops at the first non-digit', () => {
    expect(strtoul32('5')).toBe(5);
    expect(strtoul32('  42abc')).toBe(42);
    expect(strtoul32('0x10')).toBe(16);
    expect(strtoul32('010')).toBe(8);
    expect(strtoul32('abc')).toBe(0);
    expect(strtoul32('-1')).toBe(4294967295);
    expect(strtoul32('4294967296')).toBe(0);
    expect(strtoul32('99999999999999999999999')).toBe(4294967295);
  });
  it('prints unsigned', () => {
    expect(formatValue(parseInput('4294967295', T.xid))).toBe('4294967295');
    expect(formatValue(parseInput('7', T.cid))).toBe('7');
  });
});

describe('name input (namein: NAMEDATALEN - 1 bytes, cut silently at a character boundary)', () => {
  it('keeps 63 bytes at most', () => {
    expect(parseInput('x'.repeat(70), T.name)).toBe('x'.repeat(63));
    expect(parseInput('abc', T.name)).toBe('abc');
    expect(truncateName('é'.repeat(40))).toBe('é'.repeat(31)); // 62 bytes: a 64th byte would split a character
    expect(truncateName('a' + '€'.repeat(30))).toBe('a' + '€'.repeat(20)); // 61 bytes
  });
});
