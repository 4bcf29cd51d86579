/**
 * LIMIT and OFFSET (PostgreSQL's executor/nodeLimit.c, recompute_limits): the bounds are evaluated once, before
 * the first row, as constant bigint expressions; a negative one is an error (2201W / 2201X), NULL means no bound.
 * The Limit node then skips OFFSET rows and stops pulling from its child after LIMIT more — so a scan below it
 * reads (and sets hint bits on) only as far as it has to.
 */
import type { Executor } from './executor.js';
import { PgError } from '../errors.js';
import { compileExpr, castTo, type Scope, type Row } from '../sql/expr.js';
import { T } from '../sql/types.js';
import type { N } from './util.js';

export function constInt(ex: Executor, node: N, scope: Scope, what: string): number | null {
  const c = compileExpr(node, { ...scope, columns: [], hasSystem: false });
  const v = castTo(c, T.int8, false).fn(null as unknown as Row);
  if (v === null) return null;
  if ((v as number | bigint) < 0) throw new PgError(what === 'LIMIT' ? '2201W' : '2201X', `${what} must not be negative`);
  return Number(v); // a bound past 2^53 rows is as good as infinite
}
