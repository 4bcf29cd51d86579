/**
 * VALUES lists (PostgreSQL's executor/nodeValuesscan.c, with parse_clause.c's type resolution): every row has
 * the same number of columns, each column takes the type of its first non-unknown value (text if all are
 * unknown literals), and the values are cast to it. The columns are named column1, column2, …
 */
import type { Executor } from './executor.js';
import type { Session } from '../session/session.js';
import { compileExpr, castTo, type Scope, type Row } from '../sql/expr.js';
import { type SqlType, type Value, T } from '../sql/types.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import { type N, checkValuesLists } from './util.js';

export function valuesQuery(ex: Executor, s: Session, n: N, sql: string, snap: () => Snapshot, outer?: Scope['outer']): { names: string[]; types: SqlType[]; rows: Value[][] } {
  // outer: the row of the query around it (a VALUES list in LATERAL, or in a subquery, may name its columns)
  const scope: Scope = { relName: null, alias: null, columns: [], hasSystem: false, env: ex.env(s, snap), sql, ...(outer ? { outer } : {}) };
  checkValuesLists(n.valuesLists as N[]);
  const lists = (n.valuesLists as N[]).map((l) => (l.List.items as N[]).map((e) => compileExpr(e, scope)));
  const width = lists[0]!.length;
  const types: SqlType[] = [];
  for (let i = 0; i < width; i++) {
    let t: SqlType = T.unknown;
    for (const l of lists) if (l[i]!.type.name !== 'unknown') { t = l[i]!.type; break; }
    types.push(t.name === 'unknown' ? T.text : t);
  }
  const rows = lists.map((l) => l.map((c, i) => castTo(c, types[i]!, false).fn(null as unknown as Row)));
  return { names: types.map((_, i) => `column${i + 1}`), types, rows };
}
