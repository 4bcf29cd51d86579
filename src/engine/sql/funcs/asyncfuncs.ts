/**
 * The LISTEN / NOTIFY functions: pg_notify(channel, payload) — NOTIFY with its arguments as values (a NULL is an
 * empty string, so a NULL channel is "channel name cannot be empty") — pg_listening_channels() (SETOF text, in FROM
 * or the select list) and pg_notification_queue_usage() (double precision, 0 to 1).
 *
 * Mirrors: src/backend/commands/async.c (pg_notify, pg_listening_channels, pg_notification_queue_usage); the work is
 * done in commands/async.ts.
 */
import { T, type Value } from '../types.js';
import { f8 } from '../../adt/float.js';
import { notSupported } from '../../errors.js';
import { register } from './registry.js';
import type { ExprEnv } from '../expr.js';

const need = <K extends 'notify' | 'listeningChannels' | 'notificationQueueUsage'>(env: ExprEnv, k: K): NonNullable<ExprEnv[K]> => {
  const f = env[k];
  if (!f) throw notSupported('LISTEN / NOTIFY functions here');
  return f as NonNullable<ExprEnv[K]>;
};

register([
  {
    name: 'pg_notify', args: ['text', 'text'], ret: T.void, build: ([a, b], c) => {
      const f = a!.fn, g = b!.fn;
      return (r) => {
        const ch = f(r), pl = g(r);
        need(c.env, 'notify')(ch === null ? '' : String(ch), pl === null ? '' : String(pl));
        return '';
      };
    },
  },
  {
    name: 'pg_listening_channels', args: [], ret: T.text,
    table: { set: true, columns: [['pg_listening_channels', T.text]], rows: (_v, c) => need(c.env, 'listeningChannels')().map((x): Value[] => [x]) },
  },
  { name: 'pg_notification_queue_usage', args: [], ret: T.float8, build: (_a, c) => () => f8(need(c.env, 'notificationQueueUsage')()) },
]);
