/**
 * Lock and backend functions: the advisory locks (pg_advisory_lock & co., lock/advisory.ts), pg_sleep, and
 * pg_backend_pid / pg_cancel_backend / pg_terminate_backend (tcop/interrupts.ts).
 *
 * Each key form has its pg_proc row: (bigint) and (integer, integer). The lock functions return void (printed as
 * an empty string, and NOT NULL), the try_ and unlock ones boolean. pg_sleep takes seconds as double precision.
 *
 * Mirrors: src/backend/utils/adt/lockfuncs.c, utils/adt/misc.c (pg_sleep), storage/ipc/signalfuncs.c,
 * utils/adt/pgstatfuncs.c (pg_backend_pid); pg_sleep_for / pg_sleep_until are system_functions.sql's SQL wrappers
 * (pg_sleep of the interval's epoch, or of the time left until the timestamp on the virtual clock).
 * Simplifications: pg_terminate_backend(pid, timeout) ignores the timeout.
 */
import { T, type Value } from '../types.js';
import { PgFloat } from '../../adt/float.js';
import { PgInterval, PgTimestamp } from '../../adt/datetime.js';
import { VIRTUAL_EPOCH_US } from '../../adt/timestamp.js';
import { register, type FuncDef } from './registry.js';
import type { AdvisoryCall } from '../../lock/advisory.js';

/** The key arguments, already coerced to int8 / int4 by the call's resolution. */
const checkKeys = (vs: Value[]) => vs as (number | bigint)[];

const KEY_FORMS = [['int8'], ['int4', 'int4']] as const;

function advisoryDef(name: string, op: AdvisoryCall['op'], shared: boolean, xact: boolean, keys: readonly ('int8' | 'int4')[]): FuncDef {
  return {
    name, args: [...keys], ret: op === 'lock' ? T.void : T.bool,
    build: (args, c) => {
      const fs = args.map((a) => a.fn);
      return (r) => {
        const vs: Value[] = fs.map((f) => f(r));
        if (vs.some((v) => v === null)) return null;
        return c.env.advisory({ op, shared, xact, keys: checkKeys(vs) });
      };
    },
  };
}

const defs: FuncDef[] = [];
for (const keys of KEY_FORMS) {
  for (const shared of [false, true]) {
    const sh = shared ? '_shared' : '';
    defs.push(
      advisoryDef(`pg_advisory_lock${sh}`, 'lock', shared, false, keys),
      advisoryDef(`pg_advisory_xact_lock${sh}`, 'lock', shared, true, keys),
      advisoryDef(`pg_try_advisory_lock${sh}`, 'try', shared, false, keys),
      advisoryDef(`pg_try_advisory_xact_lock${sh}`, 'try', shared, true, keys),
      advisoryDef(`pg_advisory_unlock${sh}`, 'unlock', shared, false, keys),
    );
  }
}
defs.push(
  { name: 'pg_advisory_unlock_all', args: [], ret: T.void, build: (_a, c) => () => c.env.advisoryUnlockAll() },
  {
    name: 'pg_sleep', args: ['float8'], ret: T.void, build: ([a], c) => {
      const f = a!.fn;
      return (r) => { const v = f(r); return v === null ? null : c.env.sleep(v instanceof PgFloat ? v.v : Number(v)); };
    },
  },
  {
    // extract(epoch from interval): a year is 365.25 days, a remaining month 30 days
    name: 'pg_sleep_for', args: ['interval'], ret: T.void, build: ([a], c) => {
      const f = a!.fn;
      return (r) => {
        const v = f(r);
        if (!(v instanceof PgInterval)) return null;
        const secs = Math.trunc(v.months / 12) * 365.25 * 86400 + (v.months % 12) * 30 * 86400 + v.days * 86400 + v.us / 1e6;
        return c.env.sleep(secs);
      };
    },
  },
  {
    name: 'pg_sleep_until', args: ['timestamptz'], ret: T.void, build: ([a], c) => {
      const f = a!.fn;
      return (r) => {
        const v = f(r);
        if (!(v instanceof PgTimestamp)) return null;
        return c.env.sleep((v.us - (VIRTUAL_EPOCH_US + c.env.timestamps().clock * 1000)) / 1e6);
      };
    },
  },
  { name: 'pg_backend_pid', args: [], ret: T.int4, build: (_a, c) => () => c.env.backendPid() },
  ...(['cancel', 'terminate'] as const).map((kind): FuncDef => ({
    name: `pg_${kind}_backend`, args: ['int4'], ret: T.bool, build: ([a], c) => {
      const f = a!.fn;
      return (r) => { const v = f(r); return v === null ? null : c.env.signalBackend(Number(v), kind); };
    },
  })),
  {
    name: 'pg_terminate_backend', args: ['int4', 'int8'], ret: T.bool, build: ([a, b], c) => {
      const f = a!.fn, g = b!.fn;
      return (r) => { const v = f(r); return v === null || g(r) === null ? null : c.env.signalBackend(Number(v), 'terminate'); };
    },
  },
);
register(defs);
