/**
 * Integer arithmetic as int.c and int8.c do it: exact results, and 22003 "smallint / integer / bigint out of
 * range" when a result does not fit the operator's type — never a silently rounded double.
 *
 * int2 and int4 values are JS numbers; every int2/int4 result is exact in a double (|a·b| < 2^62 still rounds
 * monotonically, so an out-of-range product is detected even when the double is not exact). int8 values are
 * numbers while they are safe integers and bigints beyond (types.ts normInt8): the number path is tried first and
 * kept whenever its result is a safe integer — then it is exact — else the operation is redone in BigInt.
 *
 * Mirrors: int4pl/int4mi/int4mul/int4div/int4mod, int8pl/.../int8mod, int4um/int8um, int4abs/int8abs (PostgreSQL
 * checks with pg_add_s64_overflow and friends). Division truncates toward zero; x % -1 is 0 (int4mod's guard).
 * The bitwise operators & | # ~ << >> (int4and & co.) never overflow: shifts wrap as C's do on x86-64.
 */
import { PgError } from '../errors.js';
import { type SqlType, checkIntRange, normInt8 } from './types.js';

type Int = number | bigint;
const big = (x: Int) => (typeof x === 'bigint' ? x : BigInt(x));
const divZero = () => new PgError('22012', 'division by zero');

/** The function computing `a op b` in integer type `t` (the wider of the two operands), or null if no such operator. */
export function intArith(op: string, t: SqlType): ((a: Int, b: Int) => Int) | null {
  if (t.name !== 'int8') {
    const lo = t.name === 'int2' ? -32768 : -2147483648, hi = -lo - 1;
    const fit = (r: number) => { if (r < lo || r > hi) throw new PgError('22003', `${t.name === 'int2' ? 'smallint' : 'integer'} out of range`); return r; };
    switch (op) {
      case '+': return (a, b) => fit((a as number) + (b as number));
      case '-': return (a, b) => fit((a as number) - (b as number));
      case '*': return (a, b) => fit((a as number) * (b as number));
      case '/': return (a, b) => { if (b === 0) throw divZero(); return fit(Math.trunc((a as number) / (b as number))); };
      case '%': return (a, b) => { if (b === 0) throw divZero(); return b === -1 ? 0 : (a as number) % (b as number); };
      // int4and / int4or / int4xor (int2 likewise): the result always fits
      case '&': return (a, b) => (a as number) & (b as number);
      case '|': return (a, b) => (a as number) | (b as number);
      case '#': return (a, b) => (a as number) ^ (b as number);
      default: return null;
    }
  }
  // int8: try the double, keep it when the result is a safe integer (then it is exact), else BigInt
  const exact = (r: bigint) => checkIntRange(r, t);
  switch (op) {
    case '+': return (a, b) => { if (typeof a === 'number' && typeof b === 'number') { const r = a + b; if (Number.isSafeInteger(r)) return r; } return exact(big(a) + big(b)); };
    case '-': return (a, b) => { if (typeof a === 'number' && typeof b === 'number') { const r = a - b; if (Number.isSafeInteger(r)) return r; } return exact(big(a) - big(b)); };
    case '*': return (a, b) => { if (typeof a === 'number' && typeof b === 'number') { const r = a * b; if (Number.isSafeInteger(r)) return r === 0 ? 0 : r; } return exact(big(a) * big(b)); };
    case '/': return (a, b) => {
      if (b === 0) throw divZero();
      // for safe integers the double quotient truncates to the exact integer quotient
      if (typeof a === 'number' && typeof b === 'number') return Math.trunc(a / b) + 0;
      return exact(big(a) / big(b));
    };
    case '%': return (a, b) => {
      if (b === 0) throw divZero();
      if (typeof a === 'number' && typeof b === 'number') return (a % b) + 0;
      return normInt8(big(a) % big(b));
    };
    case '&': return (a, b) => normInt8(big(a) & big(b));
    case '|': return (a, b) => normInt8(big(a) | big(b));
    case '#': return (a, b) => normInt8(big(a) ^ big(b));
    default: return null;
  }
}

/** Unary minus (int2um / int4um / int8um): -(-2^63) does not fit. */
export function intNegate(v: Int, t: SqlType): Int {
  if (typeof v === 'number') return checkIntRange(v === 0 ? 0 : -v, t);
  return checkIntRange(-v, t);
}

/** abs() (int2abs / int4abs / int8abs): abs(-2^63) does not fit. */
export function intAbs(v: Int, t: SqlType): Int {
  if (typeof v === 'number') return checkIntRange(Math.abs(v), t);
  return checkIntRange(v < 0n ? -v : v, t);
}

/** int2shl / int4shl / int8shl and the >> forms: the left operand's type, the count an int4 (masked as x86 does). */
export function intShift(op: '<<' | '>>', t: SqlType): (a: Int, b: Int) => Int {
  if (t.name === 'int8') {
    return (a, b) => { const n = BigInt((b as number) & 63); return normInt8(op === '<<' ? BigInt.asIntN(64, big(a) << n) : big(a) >> n); };
  }
  if (t.name === 'int2') return (a, b) => (op === '<<' ? (((a as number) << (b as number)) << 16) >> 16 : ((a as number) >> (b as number)) << 16 >> 16);
  return (a, b) => (op === '<<' ? (a as number) << (b as number) : (a as number) >> (b as number));
}

/** int2not / int4not / int8not: prefix ~ */
export function intNot(v: Int, t: SqlType): Int {
  return t.name === 'int8' ? normInt8(~big(v)) : ~(v as number);
}
