/**
 * Casts and operators of the floating-point, date/time and object-identifier types (pg_cast and pg_operator rows
 * for them), kept apart from the expression compiler, which asks here first for these types.
 *
 * Casts: integers and numeric become double precision / real implicitly; a float becomes an integer by rint and a
 * range check (dtoi4), numeric through its %.15g text (float8_numeric); date → timestamp → timestamptz widen
 * implicitly (midnight; TimeZone is UTC) and narrow explicitly; every type becomes text by its output function
 * (boolean as true/false, as booltext does); integers become oid, oid and regclass convert both ways.
 * Operators: float arithmetic with float.c's overflow checks; date ± integer, date - date (integer days), date /
 * timestamp ± interval, timestamp - timestamp (interval), interval ± interval, interval × / ÷ a number; pg_lsn - pg_lsn
 * (numeric bytes: pg_lsn.c pg_lsn_mi).
 *
 * Mirrors: src/include/catalog/pg_cast.dat, pg_operator.dat; utils/adt/float.c, date.c, timestamp.c, regproc.c.
 */
import { regtypeOfOid, regtypeOid } from './regtype.js';
import { PgError } from '../errors.js';
import { Numeric } from './numeric.js';
import {
  type SqlType, type Value, T, isIntegral, isFloat, RegClass, RegProc, Bytea, regclassLookup, regprocOf, checkIntRange, roundTimestamp, applyNumericTypmod,
} from './types.js';
import { PgBit } from '../adt/varbit.js';
import { PgEnum } from '../adt/enum.js';
import { PgFloat, f8, f4, floatArith, floatToInt, formatG, floatCmp } from '../adt/float.js';
import { PgDate, PgTimestamp, PgInterval, USECS_PER_DAY, fromLocal, toLocal } from '../adt/datetime.js';
import { timeCast, timeUnify, timeBinary } from './timeops.js';
import { PgTime, PgTimeTz } from '../adt/time.js';
import { tsPlusInterval, tstzPlusInterval, tsMinus, intervalAdd, intervalMul, intervalDiv, datePlusDays, intervalNeg } from '../adt/timestamp.js';

type Conv = (v: Exclude<Value, null>) => Value;
const numOf = (v: Value): number => (v instanceof PgFloat ? v.v : v instanceof Numeric ? v.toNumber() : Number(v));
const isNumberish = (t: SqlType) => isIntegral(t) || t.name === 'numeric' || isFloat(t);
const isTs = (t: SqlType) => t.name === 'timestamp' || t.name === 'timestamptz';

/** A cast among the modelled types, or null when this module has none (the compiler then tries its own). */
export function adtCast(from: SqlType, to: SqlType, explicit: boolean): Conv | null {
  const f = from.name, t = to.name;
  const tc = timeCast(from, to); // time and timetz: sql/timeops.ts
  if (tc) return tc;
  if (t === 'float8' || t === 'float4') {
    const mk = t === 'float8' ? f8 : f4;
    if (isIntegral(from)) return (v) => mk(Number(v));
    if (f === 'numeric') return (v) => mk((v as Numeric).toNumber());
    if (f === 'float8' || f === 'float4') return (v) => mk((v as PgFloat).v);
    return null;
  }
  if (isFloat(from)) {
    if (t === 'int2') return (v) => floatToInt((v as PgFloat).v, 16);
    if (t === 'int4') return (v) => floatToInt((v as PgFloat).v, 32);
    if (t === 'int8') return (v) => floatToInt((v as PgFloat).v, 64);
    if (t === 'numeric') {
      return (v) => {
        const x = (v as PgFloat).v;
        const special = Numeric.fromFloatSpecial(x); // float8_numeric: NaN and the infinities carry over
        // float8_numeric / float4_numeric, then the target's typmod (numeric(p, s): rounded and shown at scale s; an infinity fits none)
        return applyNumericTypmod(special ?? Numeric.fromString(formatG(x, f === 'float8' ? 15 : 6))!, to);
      };
    }
    return null;
  }
  // between local times (date, timestamp) and instants (timestamptz) the session's TimeZone decides
  if (f === 'date' && isTs(to) && to.typmod < 0) {
    return (v) => {
      const d = (v as PgDate).d, local = Number.isFinite(d) ? d * USECS_PER_DAY : d;
      return new PgTimestamp(t === 'timestamptz' ? fromLocal(local) : local, t === 'timestamptz');
    };
  }
  if (isTs(from) && t === 'date') {
    return (v) => {
      const us = (v as PgTimestamp).us;
      return new PgDate(Number.isFinite(us) ? Math.floor((f === 'timestamptz' ? toLocal(us) : us) / USECS_PER_DAY) : us);
    };
  }
  if (isTs(from) && isTs(to)) {
    return (v) => {
      const us = (v as PgTimestamp).us;
      const moved = f === t ? us : t === 'timestamptz' ? fromLocal(us) : toLocal(us);
      return new PgTimestamp(roundTimestamp(moved, to.typmod), t === 'timestamptz');
    };
  }
  if (t === 'oid' && isIntegral(from)) return (v) => { const n = Number(v); if (n < -2147483648 || n > 4294967295) throw new PgError('22003', 'OID out of range'); return n < 0 ? n + 4294967296 : n; };
  if (t === 'oid' && f === 'regclass') return (v) => (v as RegClass).oid;
  if (f === 'oid' && isIntegral(to) && (explicit || t === 'int8')) return (v) => checkIntRange(v as number, to);
  if (t === 'regclass' && (f === 'oid' || isIntegral(from))) return (v) => { const oid = Number(v); return new RegClass(oid, regclassLookup.byOid(oid)); };
  if (f === 'regclass' && isIntegral(to) && explicit) return (v) => checkIntRange((v as RegClass).oid, to);
  // regtype (sql/regtype.ts): its name, its oid where the type is one of the listed built-ins
  if (t === 'regtype' && (f === 'oid' || isIntegral(from))) return (v) => regtypeOfOid(Number(v));
  if (t === 'oid' && f === 'regtype') return (v) => regtypeOid(v as string);
  if (f === 'regtype' && isIntegral(to) && explicit) return (v) => checkIntRange(regtypeOid(v as string), to);
  // regproc and regprocedure: binary-coercible with oid (and with each other), from integers implicitly
  const isProc = (n: string) => n === 'regproc' || n === 'regprocedure';
  if (t === 'oid' && isProc(f)) return (v) => (v as RegProc).oid;
  if (isProc(t) && (f === 'oid' || isIntegral(from) || isProc(f))) return (v) => regprocOf(v instanceof RegProc ? v.oid : Number(v), t === 'regprocedure');
  if (isProc(f) && isIntegral(to) && explicit) return (v) => checkIntRange((v as RegProc).oid, to);
  return null;
}

/** The common type of two operands of these types (select_common_type / the operator's input types), or null. */
export function adtUnify(a: SqlType, b: SqlType): SqlType | null {
  if (isFloat(a) || isFloat(b)) {
    if (!isNumberish(a) || !isNumberish(b)) return null;
    return a.name === 'float4' && b.name === 'float4' ? T.float4 : T.float8;
  }
  const tu = timeUnify(a, b);
  if (tu) return tu;
  const dt = (t: SqlType) => t.name === 'date' || isTs(t);
  if (dt(a) && dt(b)) {
    if (a.name === b.name) return a;
    return a.name === 'timestamptz' || b.name === 'timestamptz' ? T.timestamptz : T.timestamp;
  }
  if (a.name === 'interval' && b.name === 'interval') return T.interval;
  const oidLike = (t: SqlType) => t.name === 'oid' || t.name === 'regclass' || t.name === 'regproc' || t.name === 'regprocedure' || t.name === 'regtype';
  if (oidLike(a) && (oidLike(b) || isIntegral(b))) return T.oid;
  if (oidLike(b) && isIntegral(a)) return T.oid;
  return null;
}

/** Order of two values of the same modelled type (float NaN sorts last), or null when not one of them. */
export function adtCompare(a: Exclude<Value, null>, b: Exclude<Value, null>): number | null {
  if (a instanceof PgFloat) return floatCmp(a.v, numOf(b));
  if (b instanceof PgFloat) return floatCmp(numOf(a), b.v);
  if (a instanceof PgDate && b instanceof PgDate) return a.cmp(b);
  if (a instanceof PgTimestamp && b instanceof PgTimestamp) return a.cmp(b);
  if (a instanceof PgInterval && b instanceof PgInterval) return a.cmp(b);
  if (a instanceof PgTime && b instanceof PgTime) return a.cmp(b);
  if (a instanceof PgTimeTz && b instanceof PgTimeTz) return a.cmp(b);
  if (a instanceof RegClass && b instanceof RegClass) return a.cmp(b);
  if (a instanceof RegProc && b instanceof RegProc) return a.cmp(b);
  if (a instanceof PgBit && b instanceof PgBit) return a.cmp(b); // bitcmp (adt/varbit.ts)
  if (a instanceof Bytea && b instanceof Bytea) return a.cmp(b); // byteacmp
  if (a instanceof PgEnum && b instanceof PgEnum) return a.cmp(b);
  return null;
}

export interface BinOp { lt: SqlType; rt: SqlType; type: SqlType; fn: (a: Exclude<Value, null>, b: Exclude<Value, null>) => Value }

const lsnPos = (v: Value) => { const [h, lo] = String(v).split('/'); return BigInt(parseInt(h!, 16)) * 0x100000000n + BigInt(parseInt(lo!, 16)); };
/** pg_lsn_mi: a - b in bytes, as numeric (pg_wal_lsn_diff is the same function, xlogfuncs.c). */
export const lsnMinus = (a: Value, b: Value): Value => Numeric.fromString(String(lsnPos(a) - lsnPos(b)))!;

/** A binary operator over these types: the types to cast the operands to, the result type, the function. */
export function adtBinary(op: string, l: SqlType, r: SqlType): BinOp | null {
  const L = l.name, R = r.name;
  const intLike = (t: SqlType) => t.name === 'int4' || t.name === 'int2';
  const iv = (v: Value) => v as PgInterval, ts = (v: Value) => v as PgTimestamp, dd = (v: Value) => v as PgDate;
  // pg_lsn_mi: the distance in bytes between two WAL positions, as numeric
  if (L === 'pg_lsn' && R === 'pg_lsn' && op === '-') {
    return { lt: T.pg_lsn, rt: T.pg_lsn, type: T.numeric, fn: lsnMinus };
  }
  const tb = timeBinary(op, l, r); // time and timetz: sql/timeops.ts
  if (tb) return tb;
  // time * 2, 2 * time, time / 2: the time cast to an interval (implicitly)
  if (L === 'time' && isNumberish(r) && (op === '*' || op === '/')) return adtBinary(op, T.interval, r);
  if (isNumberish(l) && R === 'time' && op === '*') return adtBinary(op, l, T.interval);
  // timestamp ± time, date - time, time + timestamp: the time as an interval (date + time is a timestamp of its own)
  if (R === 'time' && (isTs(l) || (L === 'date' && op === '-')) && (op === '+' || op === '-')) return adtBinary(op, l, T.interval);
  if (L === 'time' && isTs(r) && op === '+') return adtBinary(op, T.interval, r);
  // dates
  // an untyped literal beside a date/time takes its type when that operator exists (binary_oper_exact)
  if (L === 'date' && R === 'unknown' && op === '-') return adtBinary(op, l, T.date);
  if (isTs(l) && R === 'unknown' && op === '-') return adtBinary(op, l, L === 'timestamptz' ? T.timestamptz : T.timestamp);
  if (L === 'date' && R === 'unknown' && op === '+') {
    throw new PgError('42725', 'operator is not unique: date + unknown', { hint: 'Could not choose a best candidate operator. You might need to add explicit type casts.' });
  }
  if (L === 'date' && intLike(r) && (op === '+' || op === '-')) return { lt: T.date, rt: T.int4, type: T.date, fn: (a, b) => new PgDate(datePlusDays(dd(a).d, op === '+' ? (b as number) : -(b as number))) };
  if (intLike(l) && R === 'date' && op === '+') return { lt: T.int4, rt: T.date, type: T.date, fn: (a, b) => new PgDate(datePlusDays(dd(b).d, a as number)) };
  if (L === 'date' && R === 'date' && op === '-') return { lt: T.date, rt: T.date, type: T.int4, fn: (a, b) => { const x = dd(a).d - dd(b).d; if (!Number.isFinite(x)) throw new PgError('22008', 'cannot subtract infinite dates'); return x; } };
  // timestamps and intervals
  const tsOrDate = (t: SqlType) => isTs(t) || t.name === 'date';
  if (tsOrDate(l) && (R === 'interval' || (R === 'unknown' && isTs(l))) && (op === '+' || op === '-')) {
    const tt = L === 'timestamptz' ? T.timestamptz : T.timestamp; // the operator's result has no typmod
    const plus = tt.name === 'timestamptz' ? tstzPlusInterval : tsPlusInterval;
    return { lt: tt, rt: T.interval, type: tt, fn: (a, b) => new PgTimestamp(plus(ts(a).us, iv(b), op === '+' ? 1 : -1), tt.name === 'timestamptz') };
  }
  if (L === 'interval' && tsOrDate(r) && op === '+') {
    const tt = R === 'timestamptz' ? T.timestamptz : T.timestamp;
    const plus = tt.name === 'timestamptz' ? tstzPlusInterval : tsPlusInterval;
    return { lt: T.interval, rt: tt, type: tt, fn: (a, b) => new PgTimestamp(plus(ts(b).us, iv(a)), tt.name === 'timestamptz') };
  }
  if (isTs(l) && isTs(r) && op === '-') {
    const tt = L === 'timestamptz' || R === 'timestamptz' ? T.timestamptz : T.timestamp;
    return { lt: tt, rt: tt, type: T.interval, fn: (a, b) => tsMinus(ts(a).us, ts(b).us) };
  }
  if (L === 'interval' && (R === 'interval' || R === 'unknown') && (op === '+' || op === '-')) return { lt: T.interval, rt: T.interval, type: T.interval, fn: (a, b) => intervalAdd(iv(a), iv(b), op === '+' ? 1 : -1) };
  if (L === 'interval' && isNumberish(r) && (op === '*' || op === '/')) return { lt: T.interval, rt: T.float8, type: T.interval, fn: (a, b) => (op === '*' ? intervalMul(iv(a), (b as PgFloat).v) : intervalDiv(iv(a), (b as PgFloat).v)) };
  if (isNumberish(l) && R === 'interval' && op === '*') return { lt: T.float8, rt: T.interval, type: T.interval, fn: (a, b) => intervalMul(iv(b), (a as PgFloat).v) };
  // floats
  if ((isFloat(l) || isFloat(r)) && isNumberish(l.name === 'unknown' ? r : l) && isNumberish(r.name === 'unknown' ? l : r)) {
    const t = (L === 'float4' || L === 'unknown') && (R === 'float4' || R === 'unknown') ? T.float4 : T.float8;
    if (op === '^') return { lt: T.float8, rt: T.float8, type: T.float8, fn: (a, b) => f8(Math.pow((a as PgFloat).v, (b as PgFloat).v)) };
    const g = floatArith(op, t.name === 'float4');
    if (!g) return null;
    const mk = t.name === 'float4' ? f4 : f8;
    return { lt: t, rt: t, type: t, fn: (a, b) => mk(g((a as PgFloat).v, (b as PgFloat).v)) };
  }
  return null;
}

/** Prefix minus of these types. */
export function adtNegate(t: SqlType): ((v: Exclude<Value, null>) => Value) | null {
  if (t.name === 'float8') return (v) => f8(-(v as PgFloat).v);
  if (t.name === 'float4') return (v) => f4(-(v as PgFloat).v);
  if (t.name === 'interval') return (v) => intervalNeg(v as PgInterval);
  return null;
}

/**
 * sum / avg over double precision, real and interval (float8_accum, float4pl, interval_accum): a float sum keeps
 * float.c's overflow check (avg also sums the squares, as float8_accum does, and fails when they overflow).
 */
export function adtAggState(kind: 'sum' | 'avg', t: SqlType, dedup: (v: Value) => boolean): { add(v: Value): void; result(): Value } | null {
  if (isFloat(t)) {
    const single = t.name === 'float4' && kind === 'sum';
    let n = 0, sx = 0, sx2 = 0;
    return {
      add: (v) => {
        if (v === null || dedup(v)) return;
        const x = (v as PgFloat).v;
        n++;
        const nx = single ? Math.fround(sx + x) : sx + x, nx2 = sx2 + x * x;
        if ((!Number.isFinite(nx) && Number.isFinite(sx) && Number.isFinite(x)) || (kind === 'avg' && !Number.isFinite(nx2) && Number.isFinite(sx2) && Number.isFinite(x))) throw new PgError('22003', 'value out of range: overflow');
        sx = nx; sx2 = nx2;
      },
      result: () => (n === 0 ? null : kind === 'sum' ? (single ? f4(sx) : f8(sx)) : f8(sx / n)),
    };
  }
  if (t.name === 'interval') {
    let n = 0, acc = new PgInterval(0, 0, 0);
    return {
      add: (v) => { if (v === null || dedup(v)) return; n++; acc = intervalAdd(acc, v as PgInterval); },
      result: () => (n === 0 ? null : kind === 'sum' ? acc : intervalDiv(acc, n)),
    };
  }
  return null;
}
