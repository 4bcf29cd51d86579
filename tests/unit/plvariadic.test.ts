import { describe, it, expect } from 'vitest';
import { variadicForm, expandedParamTypes } from '../../src/engine/sql/funcs/funcmatch.js';
import { cursorArrow } from '../../src/engine/pl/compile.js';
import { newPortalName } from '../../src/engine/pl/cursor.js';
import type { PgFunction } from '../../src/engine/catalog/catalog.js';
import type { Session } from '../../src/engine/session/session.js';
import { T, arrayOf } from '../../src/engine/sql/types.js';

function fn(variadic: boolean): PgFunction {
  return {
    oid: 1, name: 'f', ret: { kind: 'void' }, setof: false, table: null, language: 'sql', volatility: 'volatile', strict: false, body: '', source: '',
    args: [{ name: 'sep', type: T.text, typeName: 'text' }, { name: 'xs', type: arrayOf(T.int4), typeName: 'integer[]' }],
    ...(variadic ? { variadic: true } : {}),
  };
}

describe('VARIADIC matching (FuncnameGetCandidates expand_variadic)', () => {
  it('expands a positional call with at least as many arguments as parameters; fewer is a plain call', () => {
    expect(variadicForm(fn(true), [null, null], false)).toBe('expanded');
    expect(variadicForm(fn(true), [null, null, null], false)).toBe('expanded');
    expect(variadicForm(fn(true), [null], false)).toBe('plain');
  });
  it('VARIADIC in the call matches unexpanded; a named call without it does not match a variadic function at all', () => {
    expect(variadicForm(fn(true), [null, null], true)).toBe('plain');
    expect(variadicForm(fn(true), ['sep', 'xs'], false)).toBeNull();
    expect(variadicForm(fn(false), ['sep', 'xs'], false)).toBe('plain');
  });
  it('the expanded parameter list repeats the element type', () => {
    expect(expandedParamTypes(fn(true), 4).map((t) => (t === 'any' ? t : t.name))).toEqual(['text', 'int4', 'int4', 'int4']);
  });
});

describe('PL/pgSQL cursors', () => {
  it('PostgreSQL 15 knows only := for named cursor arguments: => between OPEN c( ) is its syntax error', () => {
    expect(cursorArrow('BEGIN OPEN c(a => 1); END', ['c'])).toBe(true);
    expect(cursorArrow('BEGIN FOR r IN c(f(x => 1), a := 2) LOOP END LOOP; END', ['c'])).toBe(false);
    expect(cursorArrow("BEGIN OPEN c(a := '=>'); END", ['c'])).toBe(false);
    expect(cursorArrow('BEGIN OPEN d(a => 1); END', ['c'])).toBe(false);
  });
  it('CreateNewPortal numbers unnamed portals for the session, skipping names in use', () => {
    const s = { unnamedPortals: 0, portals: new Map([['<unnamed portal 2>', {}]]) } as unknown as Session;
    expect(newPortalName(s)).toBe('<unnamed portal 1>');
    expect(newPortalName(s)).toBe('<unnamed portal 3>');
  });
});
