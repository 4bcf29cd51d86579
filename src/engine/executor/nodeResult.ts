/**
 * Result and projection (PostgreSQL's executor/nodeResult.c and execExprInterp's projection): `SELECT 1 + 1`
 * without FROM is a Result node returning one row; over a source that is not a table (a join, a function such as
 * generate_series, a WITH query read by name) the rows are filtered by WHERE and projected to the select list
 * as they are produced, stopping once LIMIT has enough — no intermediate list of rows.
 *
 *     SELECT g * 2 FROM generate_series(1, 3) g WHERE g <> 2 LIMIT 1;   ->  (2)   (the series stops after g = 1)
 *
 * EXPLAIN ANALYZE reads the rows returned and those the filter removed (QueryInstr.fastRows / fastRemoved).
 *
 * A WHERE clause that folds to false or NULL — as a whole, or one of its AND-ed conditions — is a gating Result's
 * constant qual (resconstantqual, EXPLAIN's "One-Time Filter: false"): the plan below it never runs, so no scan
 * reads a page, no join is built and no predicate lock is taken.
 *
 *     SELECT count(*) FROM big a, big b, big c WHERE 1 = 0;   ->  0, at once
 */
import { compileExpr, type Compiled, type Row, type Scope } from '../sql/expr.js';
import type { Value } from '../sql/types.js';
import type { QueryInstr } from './instrument.js';
import { constant } from '../optimizer/qualorder.js';

export function projectRows(rows: Iterable<Value[]>, where: Compiled | null, targets: Compiled[], limit: number | null, qi: QueryInstr | null): Value[][] {
  const out: Value[][] = [];
  const r: Row = { vals: [], item: null, blk: 0, off: 0, aggs: null };
  const nt = targets.length;
  for (const vals of rows) {
    if (limit !== null && out.length >= limit) break;
    r.vals = vals;
    if (where && where.fn(r) !== true) { if (qi) qi.fastRemoved++; continue; }
    const o = new Array<Value>(nt);
    for (let i = 0; i < nt; i++) o[i] = targets[i]!.fn(r);
    out.push(o);
  }
  if (qi) qi.fastRows = out.length;
  return out;
}

/** The WHERE clause is a One-Time Filter that is false: the whole clause, or one AND-ed condition, is constant false / NULL. */
export function oneTimeFilterFalse(where: Compiled | null, whereClause: unknown, scope: Scope): boolean {
  if (!where) return false;
  if (where.isConst) return where.fn(null as unknown as Row) !== true;
  const b = (whereClause as { BoolExpr?: { boolop: string; args: unknown[] } } | undefined)?.BoolExpr;
  if (b?.boolop !== 'AND_EXPR') return false;
  return b.args.some((a) => {
    if (!constant(a)) return false;
    const c = compileExpr(a as Parameters<typeof compileExpr>[0], scope);
    return !!c.isConst && c.fn(null as unknown as Row) !== true;
  });
}
