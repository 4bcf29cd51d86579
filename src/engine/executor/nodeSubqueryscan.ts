/**
 * A LATERAL subquery in FROM (PostgreSQL's executor/nodeSubqueryscan.c, run per outer row as a parameterized
 * nested loop would): `FROM a, LATERAL (SELECT ... WHERE x = a.k) s` runs the subquery once for each row of
 * `a`, with that row's columns visible to it, and joins each of its rows to the row that produced it.
 *
 *     a: (1) (2)     LATERAL (SELECT a.k * 10 AS x)  ->  (1, 10) (2, 20)
 *
 * Simplifications: the subquery is compiled once without a row first (to learn its columns and report its errors
 * before any row); it may not wait for a lock (0A000). A non-LATERAL subquery in FROM is materialized once and
 * read by name (nodeCtescan.ts).
 */
import type { Executor } from './executor.js';
import { PgError, notSupported } from '../errors.js';
import type { Session } from '../session/session.js';
import type { Scope, Row } from '../sql/expr.js';
import type { Value } from '../sql/types.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import type { N, JoinInput } from './util.js';

export function lateralJoin(ex: Executor, s: Session, a: JoinInput, rs: N, outerScope: Scope, snap: () => Snapshot, sql: string): JoinInput {
  if (!rs.alias) throw new PgError('42601', 'subquery in FROM must have an alias', { hint: 'For example, FROM (SELECT ...) [AS] foo.' });
  const name = rs.alias.aliasname as string;
  const ref: { current: Row | null } = { current: null };
  const outer = { scope: outerScope, row: ref, used: false };
  const runOnce = (vals: Value[]) => {
    ref.current = { vals, item: null, blk: 0, off: 0, aggs: null };
    const r = ex.query(s, rs.subquery.SelectStmt, sql, false, { outer, snapshot: snap }).next();
    if (!r.done) throw notSupported('a LATERAL subquery that has to wait for a lock');
    return r.value;
  };
  const first = runOnce(a.columns.map(() => null)); // its column names and types, and its errors, before any row
  const colnames = ((rs.alias.colnames ?? []) as N[]).map((x) => x.String.sval as string);
  const columns = first.names.map((nm, i) => ({ name: colnames[i] ?? nm, type: first.types[i]! }));
  const names = [...a.names, name];
  if (a.names.includes(name)) throw new PgError('42712', `table name "${name}" specified more than once`);
  return {
    names, columns: [...a.columns, ...columns], rels: [...a.rels, { name, count: columns.length }], tables: a.tables,
    rows: () => { const out: Value[][] = []; for (const l of a.rows()) for (const r of runOnce(l).rows) out.push(l.concat(r)); return out; },
    plan: { kind: 'Other', name, what: 'a LATERAL subquery' },
  };
}
