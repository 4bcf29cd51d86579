/**
 * The casts and operators of bit(n) and bit varying(n) (pg_cast and pg_operator rows for them; the values and their
 * functions are adt/varbit.ts). The expression compiler asks here first when an operand is a bit string.
 *
 * Casts: text or an untyped literal → bit / bit varying by the input function, then the length coercion (explicit:
 * truncate / pad; assignment: 22026 / 22001); bit ↔ bit varying implicitly (binary-coercible, with the length
 * coercion); integer / bigint → bit(n) and bit → integer / bigint explicitly only (no cast from smallint, none to or
 * from bit varying). Operators: & | # (bit, bit) → bit; ~ bit → bit; << >> (bit, integer) → bit; || (bit varying,
 * bit varying) → bit varying — an untyped literal beside a bit string is read as one. Comparison of two bit strings
 * of either type is bitcmp (biteq and varbiteq are one C function), so the two sides only lose their typmods.
 *
 * Mirrors: src/include/catalog/pg_cast.dat, pg_operator.dat (the bit rows); utils/adt/varbit.c.
 */
import { type SqlType, type Value } from './types.js';
import type { BinOp } from './adtops.js';
import { PgBit, bitIn, applyBitTypmod, bitFromInt, bitToInt, bitLogic, bitNot, bitShift, bitCat } from '../adt/varbit.js';

export const T_BIT: SqlType = { name: 'bit', typmod: -1 };
export const T_VARBIT: SqlType = { name: 'varbit', typmod: -1 };

export const isBitType = (t: SqlType) => !t.elem && (t.name === 'bit' || t.name === 'varbit');
const STRINGS = new Set(['text', 'varchar', 'bpchar', 'name']);
type Conv = (v: Exclude<Value, null>) => Value;

/** A cast to or from a bit string type, or null when neither side is one (or no such cast exists: the caller's 42846). */
export function bitCast(from: SqlType, to: SqlType, explicit: boolean): Conv | null {
  if (!isBitType(to)) {
    if (isBitType(from) && explicit && from.name === 'bit' && (to.name === 'int4' || to.name === 'int8')) {
      const w = to.name === 'int4' ? 32 : 64;
      return (v) => bitToInt(v as PgBit, w);
    }
    return null;
  }
  const varying = to.name === 'varbit';
  if (from.name === 'unknown' || (explicit && STRINGS.has(from.name))) {
    // the input function runs with typmod -1 (coerce_type), the length coercion after it
    return (v) => applyBitTypmod(bitIn(String(v)), to.typmod, varying, explicit);
  }
  if (isBitType(from)) return (v) => applyBitTypmod(v as PgBit, to.typmod, varying, explicit);
  if (!varying && explicit && (from.name === 'int4' || from.name === 'int8')) return (v) => bitFromInt(v as number | bigint, to.typmod);
  return null;
}

/** The operand type of a comparison with a bit string: bit beside bit, else bit varying; typmods dropped. */
export function bitUnify(a: SqlType, b: SqlType): SqlType | null {
  const ok = (t: SqlType) => isBitType(t) || t.name === 'unknown';
  if (!(isBitType(a) || isBitType(b)) || !ok(a) || !ok(b)) return null;
  return a.name === 'varbit' || b.name === 'varbit' ? T_VARBIT : T_BIT;
}

/** & | # << >> || with a bit string operand: the operand types, the result type, the function (or null). */
export function bitBinary(op: string, l: SqlType, r: SqlType): BinOp | null {
  if (!isBitType(l) && !isBitType(r)) return null;
  const ok = (t: SqlType) => isBitType(t) || t.name === 'unknown';
  if ((op === '&' || op === '|' || op === '#') && ok(l) && ok(r)) {
    return { lt: T_BIT, rt: T_BIT, type: T_BIT, fn: (a, b) => bitLogic(op, a as PgBit, b as PgBit) };
  }
  if (op === '||' && ok(l) && ok(r)) return { lt: T_VARBIT, rt: T_VARBIT, type: T_VARBIT, fn: (a, b) => bitCat(a as PgBit, b as PgBit) };
  if ((op === '<<' || op === '>>') && isBitType(l) && (r.name === 'int4' || r.name === 'int2' || r.name === 'unknown')) {
    return { lt: T_BIT, rt: { name: 'int4', typmod: -1 }, type: T_BIT, fn: (a, b) => bitShift(a as PgBit, b as number, op === '<<') };
  }
  return null;
}

/** prefix ~ of a bit string (bitnot), or null */
export function bitPrefix(op: string, t: SqlType): Conv | null {
  return op === '~' && isBitType(t) ? (v) => bitNot(v as PgBit) : null;
}
