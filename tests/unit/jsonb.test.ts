import { describe, it, expect } from 'vitest';
import { jsonbIn, jsonIn, jsonbOut, jsonbCmp, jsonbContains, jsonbBytes } from '../../src/engine/adt/jsonb.js';
import { PgError } from '../../src/engine/errors.js';

describe('jsonb (adt/jsonb.ts)', () => {
  it('normalises key order (length, then bytes) and keeps the last duplicate', () => {
    expect(jsonbIn('{"bb":1, "a":2, "b":4, "a":3}').toString()).toBe('{"a": 3, "b": 4, "bb": 1}');
  });
  it('json keeps the text as typed', () => {
    expect(jsonIn(' {"b" : 1} ').toString()).toBe(' {"b" : 1} ');
  });
  it('prints pretty as jsonb_pretty', () => {
    expect(jsonbOut(jsonbIn('{"a": [1, []]}').v, true)).toBe('{\n    "a": [\n        1,\n        [\n        ]\n    ]\n}');
  });
  it('orders [] below null and objects above arrays', () => {
    expect(jsonbCmp(jsonbIn('[]').v, jsonbIn('null').v)).toBeLessThan(0);
    expect(jsonbCmp(jsonbIn('{}').v, jsonbIn('[1,2]').v)).toBeGreaterThan(0);
  });
  it('containment', () => {
    expect(jsonbContains(jsonbIn('["foo", "bar"]').v, jsonbIn('"foo"').v)).toBe(true);
    expect(jsonbContains(jsonbIn('[1,2,[1,3]]').v, jsonbIn('[1,3]').v)).toBe(false);
  });
  it('on-disk size of {"a": 1} is 28 bytes with a 4-byte header (pageinspect: 25 in the tuple)', () => {
    expect(jsonbBytes(jsonbIn('{"a": 1}').v).length).toBe(28);
  });
  it('errors carry DETAIL and CONTEXT', () => {
    try { jsonIn('[1, abc]'); expect.unreachable(); } catch (e) {
      expect(e).toBeInstanceOf(PgError);
      expect((e as PgError).detail).toBe('Token "abc" is invalid.');
      expect((e as PgError).context).toBe('JSON data, line 1: [1, abc...');
    }
  });
});
