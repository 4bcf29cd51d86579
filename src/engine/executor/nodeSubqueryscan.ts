/**
 * A LATERAL subquery in FROM (PostgreSQL's executor/nodeSubqueryscan.c, run per outer row as a parameterized
 * nested loop would): `FROM a, LATERAL (SELECT ... WHERE x = a.k) s` runs the subquery once for each row of
 * `a`, with that row's columns visible to it, and joins each of its rows to the row that produced it; so do
 * `a JOIN LATERAL (...) s ON cond` and `a LEFT JOIN LATERAL (...) s ON cond` (a row of `a` with no match kept,
 * NULL-extended), and a function in a JOIN whose arguments name the left side's columns; across a RIGHT or FULL
 * JOIN such a reference is 42P01 (lateralRefusal).
 *
 *     a: (1) (2)     LATERAL (SELECT a.k * 10 AS x)  ->  (1, 10) (2, 20)
 *
 * Simplifications: the subquery is compiled once without a row first (to learn its columns and report its errors
 * before any row); it may not wait for a lock (0A000). A non-LATERAL subquery in FROM is materialized once and
 * read by name (nodeCtescan.ts).
 */
import { JOIN_ROWS_LIMIT, joinTooLarge } from './nodeNestloop.js';
import type { Executor } from './executor.js';
import { PgError, notSupported } from '../errors.js';
import type { Session } from '../session/session.js';
import type { Scope, Row } from '../sql/expr.js';
import type { Value } from '../sql/types.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import type { N, JoinInput } from './util.js';

/** A FROM item run once per row of the items before it: its columns, and its rows for one such row. */
export interface LateralItem { name: string; columns: JoinInput['columns']; perRow: (vals: Value[]) => Iterable<Value[]> }

/** A LATERAL subquery: compiled once with no row (its columns, its errors), then run for each row of `a`. */
export function lateralSubquery(ex: Executor, s: Session, a: JoinInput, rs: N, outerScope: Scope, snap: () => Snapshot, sql: string): LateralItem {
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
  return { name, columns, perRow: (vals) => runOnce(vals).rows };
}

/**
 * Join `a` to a FROM item run per row of it, as a nested loop with the item inner: FROM a, LATERAL (...) s and
 * a JOIN LATERAL (...) s ON cond — inner, or LEFT (a row of `a` the item gives no row passing ON is kept,
 * NULL-extended: LEFT JOIN LATERAL (...) s ON true). `on` compiles the ON condition against the joined columns.
 */
export function lateralInput(a: JoinInput, item: LateralItem, what: string, kind: 'inner' | 'left',
  on?: (joined: JoinInput) => ((vals: Value[]) => boolean) | null): JoinInput {
  if (a.names.includes(item.name)) throw new PgError('42712', `table name "${item.name}" specified more than once`);
  const joined: JoinInput = {
    names: [...a.names, item.name], columns: [...a.columns, ...item.columns],
    rels: [...a.rels, { name: item.name, count: item.columns.length }], tables: a.tables,
    rows: () => [], plan: { kind: 'Other', name: item.name, what },
  };
  const cond = on?.(joined) ?? null;
  const nulls = item.columns.map(() => null);
  joined.rows = () => {
    const out: Value[][] = [];
    for (const l of a.rows()) {
      let matched = false;
      for (const r of item.perRow(l)) {
        const v = l.concat(r);
        if (!cond || cond(v)) { out.push(v); matched = true; }
        if (out.length >= JOIN_ROWS_LIMIT) throw joinTooLarge();
      }
      if (!matched && kind === 'left') out.push(l.concat(nulls));
    }
    return out;
  };
  return joined;
}

export function lateralJoin(ex: Executor, s: Session, a: JoinInput, rs: N, outerScope: Scope, snap: () => Snapshot, sql: string): JoinInput {
  return lateralInput(a, lateralSubquery(ex, s, a, rs, outerScope, snap, sql), 'a LATERAL subquery', 'inner');
}

/** A LATERAL reference across a RIGHT or FULL JOIN: parse_relation.c's 42P01 with its DETAIL. */
export function lateralRefusal(compile: () => unknown, left: { names: string[] } | Set<string>): void {
  try { compile(); } catch (e) {
    const m = e instanceof PgError && e.sqlstate === '42P01' ? /^missing FROM-clause entry for table "(.*)"$/.exec(e.message) : null;
    const has = (x: string) => (left instanceof Set ? left.has(x) : left.names.includes(x));
    if (m && has(m[1]!)) {
      throw new PgError('42P01', `invalid reference to FROM-clause entry for table "${m[1]}"`, { position: (e as PgError).position, detail: 'The combining JOIN type must be INNER or LEFT for a LATERAL reference.' });
    }
    throw e;
  }
}
