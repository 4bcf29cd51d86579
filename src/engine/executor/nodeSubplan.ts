/**
 * Subqueries in expressions (PostgreSQL's executor/nodeSubplan.c): `x IN (SELECT ...)`, `EXISTS (...)`,
 * `(SELECT max(v) FROM t)`. An uncorrelated subquery is an InitPlan: run once, its rows kept. A correlated one
 * (it reads a column of the enclosing query) is a SubPlan: run again for each outer row, with that row's values.
 *
 * Simplifications: the subquery runs through the same query path as a top-level SELECT rather than as a planned
 * subtree; it may not wait for a lock (0A000).
 */
import type { Executor } from './executor.js';
import { notSupported } from '../errors.js';
import type { Session } from '../session/session.js';
import type { Scope, Row } from '../sql/expr.js';
import type { SqlType, Value } from '../sql/types.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import type { N } from './util.js';

/**
 * A subquery runs with the enclosing statement's snapshot, once per row of the enclosing query when it is
 * correlated, once altogether when it is not (an InitPlan). It never waits: it only reads.
 */
export function prepareSubquery(ex: Executor, s: Session, select: N, outer: Scope, snapshot: () => Snapshot) {
  const ref: { current: Row | null } = { current: null };
  const outerInfo = { scope: outer, row: ref, used: false };
  let cached: Value[][] | null = null;
  let types: SqlType[] = [];
  let names: string[] = [];
  const runOnce = (outerRow: Row | null) => {
    ref.current = outerRow;
    const g = ex.query(s, select, outer.sql, false, { outer: outerInfo, snapshot });
    const r = g.next();
    if (!r.done) throw notSupported('a subquery that has to wait for a lock');
    types = r.value.types;
    names = r.value.names;
    return r.value.rows;
  };
  // compile (and run) it once now with no outer row, to learn its column types and report errors early
  const dummy: Row = { vals: outer.columns.map(() => null), item: null, blk: 0, off: 0, aggs: null };
  const first = runOnce(dummy);
  if (!outerInfo.used) cached = first;
  return {
    types, names,
    run: (outerRow: Row) => cached ?? runOnce(outerRow),
  };
}
