import { describe, it, expect } from 'vitest';
import { constantNode } from '../../src/engine/optimizer/constfold.js';
import { T } from '../../src/engine/sql/types.js';
import { Numeric } from '../../src/engine/sql/numeric.js';

/** the literal text of a written-back constant: its value and the cast it carries, if any */
const shape = (n: Record<string, any> | null) => {
  if (!n) return null;
  if (n.A_Const) return { lit: n.A_Const.ival ? n.A_Const.ival.ival ?? 0 : n.A_Const.fval?.fval ?? n.A_Const.boolval ?? n.A_Const.ival };
  const names = (n.TypeCast.typeName.names as Record<string, any>[]).map((x) => x.String.sval).join('.');
  const a = n.TypeCast.arg.A_Const;
  return { cast: names, text: a.isnull ? null : a.sval.sval };
};

describe('optimizer/constfold constantNode', () => {
  it('an int4 is an integer literal (0 as the parser writes it), any sign', () => {
    expect(shape(constantNode(3, T.int4, 5))).toEqual({ lit: 3 });
    expect(shape(constantNode(-3, T.int4, 5))).toEqual({ lit: -3 });
    expect(constantNode(0, T.int4, 5)!.A_Const.ival).toEqual({});
    expect(constantNode(3, T.int4, 5)!.A_Const.location).toBe(-1); // never a lifted literal's position
  });
  it('a numeric is a numeric literal only when the scanner reads it back as one; else a cast', () => {
    expect(shape(constantNode(Numeric.fromString('2.5')!, T.numeric, 0))).toEqual({ lit: '2.5' });
    expect(shape(constantNode(Numeric.fromString('3')!, T.numeric, 0))).toEqual({ cast: 'pg_catalog.numeric', text: '3' });
    expect(shape(constantNode(Numeric.fromString('-1.5')!, T.numeric, 0))).toEqual({ cast: 'pg_catalog.numeric', text: '-1.5' });
  });
  it('text, int8 and NULLs carry their type; other types are not written back', () => {
    expect(shape(constantNode('ab', T.text, 0))).toEqual({ cast: 'pg_catalog.text', text: 'ab' });
    expect(shape(constantNode(8, T.int8, 0))).toEqual({ cast: 'pg_catalog.int8', text: '8' });
    expect(shape(constantNode(null, T.int4, 0))).toEqual({ cast: 'pg_catalog.int4', text: null });
    expect(constantNode(1.5 as never, T.float8, 0)).toBeNull();
  });
});
