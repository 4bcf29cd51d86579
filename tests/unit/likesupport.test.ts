import { describe, expect, it } from 'vitest';
import { likeFixedPrefix, regexFixedPrefix, regexSelectivity, likeSelectivity } from '../../src/engine/optimizer/likesupport.js';
import { foldWhereClause } from '../../src/engine/optimizer/clauses.js';

describe('pattern fixed prefixes (like_support.c / regprefix.c)', () => {
  it('reads a regular expression prefix after ^ up to the first branch', () => {
    expect(regexFixedPrefix('^ab', false)).toMatchObject({ status: 'partial', prefix: 'ab' });
    expect(regexFixedPrefix('^ab*c', false)).toMatchObject({ status: 'partial', prefix: 'a' });
    expect(regexFixedPrefix('^a+b', false)).toMatchObject({ status: 'partial', prefix: 'a' });
    expect(regexFixedPrefix('^a?b', false).status).toBe('none');
    expect(regexFixedPrefix('^a\\.b', false)).toMatchObject({ prefix: 'a.b' });
    expect(regexFixedPrefix('^[a]b', false)).toMatchObject({ prefix: 'ab' });
    expect(regexFixedPrefix('^ab$', false)).toMatchObject({ status: 'exact', prefix: 'ab' });
    expect(regexFixedPrefix('ab', false).status).toBe('none');
  });
  it('stops a case-insensitive prefix before a letter', () => {
    expect(regexFixedPrefix('^a', true).status).toBe('none');
    expect(regexFixedPrefix('^1a', true)).toMatchObject({ status: 'partial', prefix: '1' });
    expect(likeFixedPrefix('1a%', true)).toMatchObject({ status: 'partial', prefix: '1', rest: 'a%' });
    expect(likeFixedPrefix('ab', false)).toMatchObject({ status: 'exact', prefix: 'ab' });
  });
  it('gives the heuristic selectivity of the rest', () => {
    expect(regexSelectivity('a.c', 0)).toBeCloseTo(0.18);
    expect(regexSelectivity('(ab|cd)x', 0)).toBeCloseTo(0.08);
    expect(regexSelectivity('[^abc]x$', 0)).toBeCloseTo(0.15);
    expect(regexSelectivity('^ab*c', 1)).toBeCloseTo(0.08);
    expect(regexSelectivity('a|b', 0)).toBe(1);
    expect(likeSelectivity('%ab_')).toBeCloseTo(0.036);
  });
});

describe('constant folding of WHERE (eval_const_expressions + canonicalize_qual)', () => {
  const c = (v: number) => ({ A_Const: { ival: { ival: v }, location: -1 } });
  const op = (o: string, l: object, r: object) => ({ A_Expr: { kind: 'AEXPR_OP', name: [{ String: { sval: o } }], lexpr: l, rexpr: r } });
  const col = { ColumnRef: { fields: [{ String: { sval: 'k' } }] } };
  const kEq3 = op('=', col, c(3));
  const bool = (boolop: string, ...args: object[]) => ({ BoolExpr: { boolop, args, location: 0 } });
  it('drops false from OR and true from AND', () => {
    expect(foldWhereClause(bool('OR_EXPR', op('>', c(2), c(4)), kEq3))).toBe(kEq3);
    expect(foldWhereClause(bool('AND_EXPR', op('=', c(1), c(1)), kEq3))).toBe(kEq3);
  });
  it('makes an OR with a true arm no condition, an AND with NULL false', () => {
    expect(foldWhereClause(bool('OR_EXPR', kEq3, op('<', c(1), c(2))))).toBeUndefined();
    expect(foldWhereClause(bool('AND_EXPR', kEq3, { A_Const: { isnull: true } }))).toMatchObject({ A_Const: { boolval: {} } });
  });
  it('leaves a clause without constants as it is', () => {
    const w = bool('AND_EXPR', kEq3, op('<', col, c(9)));
    expect(foldWhereClause(w)).toBe(w);
  });
});
