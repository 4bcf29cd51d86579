/**
 * The enum support functions: enum_first(anyenum), enum_last(anyenum), enum_range(anyenum) and
 * enum_range(anyenum, anyenum). Only the argument's type matters to the one-argument forms (enum_first(NULL::mood)
 * is the usual spelling); the two-argument form's bounds are inclusive and a NULL bound is open.
 *
 * Mirrors: src/backend/utils/adt/enum.c (enum_first, enum_last, enum_range_bounds, enum_range_all).
 */
import { PgError } from '../../errors.js';
import { type SqlType, arrayOf, PgArray, PgEnum } from '../types.js';
import { register, noSuchFunction, type FuncDef } from './registry.js';
import { castTo } from '../coerce.js';
import { enumLookup, enumEndpoint, enumRange, type EnumType } from '../../adt/enum.js';
import type { Compiled } from '../primnodes.js';

/** the enum type the arguments resolve to (anyenum): the first typed one */
function enumArg(args: Compiled[], name: string, pos?: number): SqlType {
  const t = args.find((a) => a.type.name !== 'unknown')?.type;
  if (!t) throw new PgError('42804', 'could not determine polymorphic type because input has type unknown', pos !== undefined ? { position: pos } : {});
  if (!t.enumType || args.some((a) => a.type.name !== 'unknown' && a.type.enumType?.oid !== t.enumType!.oid)) throw noSuchFunction(name, args.map((a) => a.type), pos);
  return t;
}
const typeOf = (t: SqlType): EnumType => {
  const e = enumLookup.byOid(t.enumType!.oid);
  if (!e) throw new PgError('XX000', `cache lookup failed for type ${t.enumType!.oid}`);
  return e;
};
const toArray = (vs: PgEnum[]) => new PgArray(vs, vs.length ? [vs.length] : [], vs.length ? [1] : []);

const endpoint = (name: string, last: boolean): FuncDef => ({
  name, args: ['any'], ret: (args) => enumArg(args, name), volatility: 'stable',
  build: (args, c) => { const t = enumArg(args, name, c.pos); return () => enumEndpoint(typeOf(t), last); },
});

const defs: FuncDef[] = [
  endpoint('enum_first', false),
  endpoint('enum_last', true),
  {
    name: 'enum_range', args: ['any'], ret: (args) => arrayOf(enumArg(args, 'enum_range')), volatility: 'stable',
    build: (args, c) => { const t = enumArg(args, 'enum_range', c.pos); return () => toArray(enumRange(typeOf(t), null, null)); },
  },
  {
    name: 'enum_range', args: ['any', 'any'], ret: (args) => arrayOf(enumArg(args, 'enum_range')), volatility: 'stable',
    build: (args, c) => {
      const t = enumArg(args, 'enum_range', c.pos);
      const lo = castTo(args[0]!, t, false, c.pos).fn, hi = castTo(args[1]!, t, false, c.pos).fn;
      return (r) => toArray(enumRange(typeOf(t), lo(r) as PgEnum | null, hi(r) as PgEnum | null));
    },
  },
];
register(defs);
