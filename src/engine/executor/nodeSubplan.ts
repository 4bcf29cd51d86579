/**
 * Subqueries in expressions (PostgreSQL's executor/nodeSubplan.c): `x IN (SELECT ...)`, `EXISTS (...)`,
 * `(SELECT max(v) FROM t)`. An uncorrelated subquery is an InitPlan: run once, its rows kept. A correlated one
 * (it reads a column of the enclosing query) is a SubPlan: run again for each outer row, with that row's values.
 *
 * EXISTS stops at the first row (it is planned as under LIMIT 1): `EXISTS (SELECT 1 FROM t WHERE 10 / a > 0)`
 * never divides by the zero of a row after the first that qualifies.
 *
 * Simplifications: the subquery runs through the same query path as a top-level SELECT rather than as a planned
 * subtree; it may not wait for a lock (0A000); EXISTS is never turned into a semi join (a correlated EXISTS is a
 * SubPlan here, where PostgreSQL may pull it up into a join).
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
export function prepareSubquery(ex: Executor, s: Session, select: N, outer: Scope, snapshot: () => Snapshot, opts: { exists?: boolean } = {}) {
  const ref: { current: Row | null } = { current: null };
  const outerInfo = { scope: outer, row: ref, used: false };
  let cached: Value[][] | null = null;
  let types: SqlType[] = [];
  // EXISTS needs one row: planned and run as if under LIMIT 1 (make_subplan's tuple_fraction = 1.0), so its scan
  // stops at the first row that qualifies
  const q = opts.exists && !select.limitCount && !select.limitOffset ? { ...select, limitCount: { A_Const: { ival: { ival: 1 }, location: -1 } } } : select;
  let names: string[] = [];
  const runOnce = (outerRow: Row | null) => {
    ref.current = outerRow;
    const g = ex.query(s, q, outer.sql, false, { outer: outerInfo, snapshot });
    const r = g.next();
    if (!r.done) throw notSupported('a subquery that has to wait for a lock');
    types = r.value.types;
    names = r.value.names;
    return r.value.rows;
  };
  // analyze it now, producing no rows, to learn its column types and whether it reads the outer query's columns,
  // and to report its errors of analysis early; it runs only when an outer row first needs it (an InitPlan runs at
  // the first use of its value, once; a SubPlan for each outer row) — never, if no outer row does
  const dummy: Row = { vals: outer.columns.map(() => null), item: null, blk: 0, off: 0, aggs: null };
  s.noRows++;
  try { runOnce(dummy); } finally { s.noRows--; }
  return {
    types, names,
    run: (outerRow: Row) => (outerInfo.used ? runOnce(outerRow) : (cached ??= runOnce(dummy))),
  };
}
