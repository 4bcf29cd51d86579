/**
 * Casts and operators of time and timetz (their pg_cast and pg_operator rows; the values: adt/time.ts).
 *
 * Casts: time → interval and time → timetz are implicit (so time * 2 is an interval, 24:00:00, and time = interval
 * compares intervals); interval → time, timestamp → time, timestamptz → time / timetz, timetz → time are
 * explicit-or-assignment; time to a timestamp or a date has no cast (42846). Operators: time ± interval, interval +
 * time, time - time (an interval), timetz ± interval, interval + timetz, date + time (a timestamp) and date + timetz
 * (a timestamptz) in either order. time + time is 42725 "operator is not unique" (time + interval and interval + time
 * both fit), timetz - timetz is no operator at all (42883). An untyped literal beside a time is a time when
 * time <op> time exists (time - '01:00' is time - time, an interval) and otherwise the interval (time + '01:00').
 *
 * Mirrors: src/include/catalog/pg_cast.dat, pg_operator.dat (the time / timetz rows); utils/adt/date.c.
 */
import { PgError } from '../errors.js';
import { type SqlType, type Value, T } from './types.js';
import { PgDate, PgTimestamp, PgInterval, USECS_PER_DAY, USECS_PER_SEC, toLocal, checkTimestamp } from '../adt/datetime.js';
import {
  PgTime, PgTimeTz, adjustTimeForTypmod, timePlusInterval, intervalToTime, timeOfDay, timestamptzToTimeTz, timeToTimeTz,
} from '../adt/time.js';

type Conv = (v: Exclude<Value, null>) => Value;

/** A cast from or to time / timetz, or null when there is none of these. */
export function timeCast(from: SqlType, to: SqlType): Conv | null {
  const f = from.name, t = to.name;
  if (t === 'time') {
    const round = (us: number | null) => (us === null ? null : new PgTime(adjustTimeForTypmod(us, to.typmod)));
    if (f === 'time') return (v) => round((v as PgTime).us);
    if (f === 'timetz') return (v) => round((v as PgTimeTz).us);
    if (f === 'interval') return (v) => round(intervalToTime(v as PgInterval));
    if (f === 'timestamp') return (v) => round(timeOfDay((v as PgTimestamp).us));
    if (f === 'timestamptz') return (v) => { const us = (v as PgTimestamp).us; return round(Number.isFinite(us) ? timeOfDay(toLocal(us)) : null); };
    return null;
  }
  if (t === 'timetz') {
    const round = (z: PgTimeTz | null) => (z === null ? null : new PgTimeTz(adjustTimeForTypmod(z.us, to.typmod), z.zone));
    if (f === 'timetz') return (v) => round(v as PgTimeTz);
    if (f === 'time') return (v) => round(timeToTimeTz((v as PgTime).us));
    if (f === 'timestamptz') return (v) => round(timestamptzToTimeTz((v as PgTimestamp).us));
    return null;
  }
  if (f === 'time' && t === 'interval') return (v) => new PgInterval(0, 0, (v as PgTime).us);
  return null;
}

/** The common type of two operands when one is a time or timetz, or null. */
export function timeUnify(a: SqlType, b: SqlType): SqlType | null {
  const A = a.name, B = b.name;
  if (A === 'time' && B === 'time') return T.time;
  if ((A === 'timetz' || A === 'time') && (B === 'timetz' || B === 'time')) return T.timetz;
  if ((A === 'time' && B === 'interval') || (A === 'interval' && B === 'time')) return T.interval;
  return null;
}

export interface TimeBinOp { lt: SqlType; rt: SqlType; type: SqlType; fn: (a: Exclude<Value, null>, b: Exclude<Value, null>) => Value }

/** datetime_timestamp / datetimetz_timestamptz: a date's midnight plus the time (an infinite date stays infinite) */
function dateAndTime(d: number, us: number, zone: number): number {
  if (!Number.isFinite(d)) return d;
  const r = d * USECS_PER_DAY + us + zone * USECS_PER_SEC;
  // IS_VALID_TIMESTAMP: from 4714-11-24 BC to 294276 AD
  if (r < -211813488000000000 || r >= 9223371331200000000) throw new PgError('22008', 'timestamp out of range');
  return checkTimestamp(r);
}

/** A binary operator with a time or timetz operand, or null (the caller then tries the others). */
export function timeBinary(op: string, l: SqlType, r: SqlType): TimeBinOp | null {
  const L = l.name, R = r.name;
  const tm = (v: Value) => (v as PgTime).us, iv = (v: Value) => v as PgInterval, tz = (v: Value) => v as PgTimeTz;
  if (L !== 'time' && L !== 'timetz' && R !== 'time' && R !== 'timetz') return null;
  const plusMinus = op === '+' || op === '-';
  if (L === 'time' && R === 'unknown' && op === '-') return timeBinary(op, l, T.time);
  if ((L === 'time' || L === 'timetz') && R === 'unknown' && plusMinus) return timeBinary(op, l, T.interval);
  if (L === 'time' && R === 'time') {
    if (op === '-') return { lt: T.time, rt: T.time, type: T.interval, fn: (a, b) => new PgInterval(0, 0, tm(a) - tm(b)) };
    if (op === '+') {
      throw new PgError('42725', 'operator is not unique: time without time zone + time without time zone', { hint: 'Could not choose a best candidate operator. You might need to add explicit type casts.' });
    }
  }
  const sign = op === '+' ? 1 : -1;
  if (L === 'time' && R === 'interval' && plusMinus) return { lt: T.time, rt: T.interval, type: T.time, fn: (a, b) => new PgTime(timePlusInterval(tm(a), iv(b), sign)) };
  if (L === 'interval' && R === 'time' && op === '+') return { lt: T.interval, rt: T.time, type: T.time, fn: (a, b) => new PgTime(timePlusInterval(tm(b), iv(a))) };
  // timetz ± interval (time casts to interval implicitly: timetz + time is timetz + interval)
  if (L === 'timetz' && (R === 'interval' || R === 'time') && plusMinus) {
    return { lt: T.timetz, rt: T.interval, type: T.timetz, fn: (a, b) => new PgTimeTz(timePlusInterval(tz(a).us, iv(b), sign), tz(a).zone) };
  }
  if ((L === 'interval' || L === 'time') && R === 'timetz' && op === '+') {
    return { lt: T.interval, rt: T.timetz, type: T.timetz, fn: (a, b) => new PgTimeTz(timePlusInterval(tz(b).us, iv(a)), tz(b).zone) };
  }
  if (op === '+' && ((L === 'date' && R === 'time') || (L === 'time' && R === 'date'))) {
    const dateFirst = L === 'date';
    return {
      lt: l, rt: r, type: T.timestamp,
      fn: (a, b) => new PgTimestamp(dateAndTime(((dateFirst ? a : b) as PgDate).d, tm(dateFirst ? b : a), 0), false),
    };
  }
  if (op === '+' && ((L === 'date' && R === 'timetz') || (L === 'timetz' && R === 'date'))) {
    const dateFirst = L === 'date';
    return {
      lt: l, rt: r, type: T.timestamptz,
      fn: (a, b) => { const d = (dateFirst ? a : b) as PgDate, z = tz(dateFirst ? b : a); return new PgTimestamp(dateAndTime(d.d, z.us, z.zone), true); },
    };
  }
  return null;
}
