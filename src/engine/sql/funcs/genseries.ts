/**
 * generate_series, as PostgreSQL 15 defines it: over integers (int.c generate_series_int4, int8.c
 * generate_series_int8), over numeric (numeric.c generate_series_numeric: the start as given, then start + step,
 * start + 2 * step ... — so generate_series(1.0, 2.0, 0.25) is 1.0, 1.25, 1.50, 1.75, 2.00, each sum taking the
 * larger scale) and over timestamps (timestamp.c generate_series_timestamp / _timestamptz: start, start + step, ...
 * while not past stop; a date argument is read as timestamp with time zone, the preferred type). A zero step is
 * 22023, in every form; an argument NULL gives no rows. Used by the select list (executor/nodeProjectSet.ts) and
 * by FROM (executor/nodeFunctionscan.ts).
 */
import { PgError, notSupported } from '../../errors.js';
import { castTo, type Compiled, type Row } from '../expr.js';
import { type SqlType, type Value, T } from '../types.js';
import { Numeric } from '../numeric.js';
import { PgInterval, PgTimestamp } from '../../adt/datetime.js';
import { tsPlusInterval, tstzPlusInterval } from '../../adt/timestamp.js';
import { noSuchFunction } from './registry.js';

const zeroStep = () => new PgError('22023', 'step size cannot equal zero');

/**
 * The overload generate_series(args) resolves to: its element type and its rows for one input row, produced as
 * they are read (FROM generate_series(1, 1000000000) LIMIT 3 makes three).
 */
export function generateSeries(args: Compiled[], pos?: number): { type: SqlType; rows: (r: Row) => Iterable<Value> } {
  const names = args.map((a) => a.type.name);
  const has = (...ts: string[]) => names.some((n) => ts.includes(n));
  const allOf = (...ts: string[]) => names.every((n) => ts.includes(n) || n === 'unknown');
  if (args.length < 2 || args.length > 3) throw noSuchFunction('generate_series', args.map((a) => a.type), pos);
  if (has('timestamp', 'timestamptz', 'date') || names[2] === 'interval') {
    // generate_series(timestamp[tz], timestamp[tz], interval): there is no two-argument form
    const ok = args.length === 3 && allOf('timestamp', 'timestamptz', 'date', 'interval') && (names[2] === 'interval' || names[2] === 'unknown')
      && !['interval'].includes(names[0]!) && !['interval'].includes(names[1]!);
    if (!ok) throw noSuchFunction('generate_series', args.map((a) => a.type), pos);
    const type = has('timestamptz', 'date') || !has('timestamp') ? T.timestamptz : T.timestamp;
    const [a, b] = [castTo(args[0]!, type, false, pos).fn, castTo(args[1]!, type, false, pos).fn];
    const st = castTo(args[2]!, T.interval, false, pos).fn;
    return {
      type, rows: function* (r) {
        const x = a(r) as PgTimestamp | null, y = b(r) as PgTimestamp | null, step = st(r) as PgInterval | null;
        if (x === null || y === null || step === null) return;
        const sign = step.span();
        if (sign === 0) throw zeroStep();
        // a timestamptz steps in the session's zone (timestamptz_pl_interval: '1 day' across a DST switch is 23 or 25 hours)
        const plus = type.name === 'timestamptz' ? tstzPlusInterval : tsPlusInterval;
        for (let us = x.us; sign > 0 ? us <= y.us : us >= y.us; us = plus(us, step)) yield new PgTimestamp(us, type.name === 'timestamptz');
      },
    };
  }
  if (has('numeric') && allOf('int2', 'int4', 'int8', 'numeric')) {
    const fs = args.map((c) => castTo(c, T.numeric, false, pos).fn);
    return {
      type: T.numeric, rows: function* (r) {
        const vs = fs.map((f) => f(r) as Numeric | null);
        if (vs.some((v) => v === null)) return;
        const [start, stop] = [vs[0]!, vs[1]!];
        // generate_series_step_numeric: no NaN or infinity as start, stop or step
        const noSpecial = (v: Numeric, what: string) => {
          if (v.special) throw new PgError('22023', `${what} cannot be ${v.isNaN() ? 'NaN' : 'infinity'}`);
        };
        noSpecial(start, 'start value'); noSpecial(stop, 'stop value');
        if (vs[2]) noSpecial(vs[2], 'step size');
        const step = vs[2] ?? Numeric.fromInt(1);
        if (step.isZero()) throw zeroStep();
        const up = step.cmp(Numeric.fromInt(0)) > 0;
        for (let cur = start; up ? cur.cmp(stop) <= 0 : cur.cmp(stop) >= 0; cur = cur.add(step)) yield cur;
      },
    };
  }
  if (!allOf('int2', 'int4', 'int8')) throw noSuchFunction('generate_series', args.map((a) => a.type), pos);
  const type = has('int8') ? T.int8 : T.int4;
  const fs = args.map((c) => castTo(c, type, false, pos).fn);
  return {
    type, rows: function* (r) {
      const vals = fs.map((f) => f(r));
      if (vals.some((v) => v === null)) return;
      if (vals.some((v) => typeof v === 'bigint')) throw notSupported('generate_series beyond ±2^53');
      const [a, b, st] = [vals[0] as number, vals[1] as number, (vals[2] ?? 1) as number];
      if (st === 0) throw zeroStep();
      if (st > 0) for (let i = a; i <= b; i += st) yield i; else for (let i = a; i >= b; i += st) yield i;
    },
  };
}
