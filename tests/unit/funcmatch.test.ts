import { describe, it, expect } from 'vitest';
import { matchCall, checkArgNames, callSignature, nargDefaults } from '../../src/engine/sql/funcs/funcmatch.js';
import type { PgFunction } from '../../src/engine/catalog/catalog.js';
import { T } from '../../src/engine/sql/types.js';
import { PgError } from '../../src/engine/errors.js';

const DEF = { A_Const: { ival: { ival: 0 } } };
function fn(params: [string | null, boolean][]): PgFunction {
  return {
    oid: 1, name: 'f', ret: { kind: 'void' }, setof: false, table: null, language: 'sql', volatility: 'volatile', strict: false, body: '', source: '',
    args: params.map(([name, def]) => ({ name, type: T.int4, typeName: 'integer', ...(def ? { def: DEF } : {}) })),
  };
}
const err = (f: () => unknown) => { try { f(); } catch (e) { return e instanceof PgError ? `${e.sqlstate} ${e.message}` : String(e); } return 'no error'; };

describe('sql/funcs/funcmatch (MatchNamedCall)', () => {
  const f = fn([['a', false], ['b', true], ['c', true]]);
  it('positional calls may leave out trailing parameters with defaults, not the others', () => {
    expect(nargDefaults(f)).toBe(2);
    expect(matchCall(f, [null])).toEqual([0, 1, 2]);
    expect(matchCall(f, [null, null, null])).toEqual([0, 1, 2]);
    expect(matchCall(f, [])).toBeNull();
    expect(matchCall(f, [null, null, null, null])).toBeNull();
  });
  it('named arguments give their parameters in call order, the defaulted ones appended', () => {
    expect(matchCall(f, ['c', 'a'])).toEqual([2, 0, 1]);
    expect(matchCall(f, [null, 'c'])).toEqual([0, 2, 1]);
  });
  it('a name that fills a positional parameter, names no parameter, or leaves a parameter without default out does not match', () => {
    expect(matchCall(f, [null, 'a'])).toBeNull();
    expect(matchCall(f, [null, 'd'])).toBeNull();
    expect(matchCall(f, ['b'])).toBeNull();
    expect(matchCall(fn([[null, false], [null, false]]), [null, 'b'])).toBeNull();
  });
  it('the parser rejects a positional argument after a named one and a name used twice (42601)', () => {
    expect(err(() => checkArgNames(['a', null], [7, 12]))).toBe('42601 positional argument cannot follow named argument');
    expect(err(() => checkArgNames(['a', 'a'], [7, 12]))).toBe('42601 argument name "a" used more than once');
    expect(err(() => checkArgNames([null, 'a', 'b'], [1, 2, 3]))).toBe('no error');
  });
  it('errors spell the call as funcname_signature_string does', () => {
    expect(callSignature('f', [T.int4, T.text], [null, 'b'])).toBe('f(integer, b => text)');
  });
});
