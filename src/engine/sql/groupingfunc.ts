/**
 * GROUPING(expr, ...) (parse_agg.c transformGroupingFunc / finalize_grouping_exprs, executed as execExprInterp.c
 * ExecEvalGroupingFunc): a bit mask of the arguments that the current group's grouping set leaves out — the first
 * argument the most significant bit. It tells a NULL that a set left out from a NULL value of the column.
 *
 *     SELECT a, b, GROUPING(a, b) FROM t GROUP BY ROLLUP (a, b);   -- (a, b): 0   (a): 1   (): 3
 *
 * Each argument must be one of the query's grouping expressions (42803); at most 31 of them (54023); not in WHERE
 * nor inside an aggregate's arguments. Without grouping sets every group has every expression: 0.
 * Simplifications: GROUPING in a subquery about the enclosing query's grouping is refused (0A000).
 */
import { PgError, notSupported, posOf } from '../errors.js';
import { T } from './types.js';
import type { Compiled, Scope } from './primnodes.js';

type N = Record<string, any>;

export function compileGroupingFunc(n: N, scope: Scope, compile: (n: N, s: Scope) => Compiled, locationOf: (n: N) => number | undefined): Compiled {
  const pos = posOf(n.location);
  const args = (n.args ?? []) as N[];
  if (args.length > 31) throw new PgError('54023', 'GROUPING must have fewer than 32 arguments', { position: pos });
  if (!scope.aggs) {
    if (scope.outer) throw notSupported('GROUPING in a subquery of the grouped query', pos);
    throw new PgError('42803', 'grouping operations are not allowed in WHERE', { position: pos });
  }
  if (scope.inAgg) throw new PgError('42803', 'aggregate function calls cannot be nested', { position: pos });
  const gs = scope.groupingSets;
  const plain: Scope = { ...scope, aggs: undefined, groupCols: undefined, groupExprs: undefined, groupingSets: undefined };
  const probe = { vals: scope.columns.map((_, i) => i), item: null, blk: 0, off: 0, aggs: null };
  const cols = args.map((a) => {
    let idx = scope.groupExprs?.map.get(scope.groupExprs.key(a));
    if (idx === undefined) {
      let c: Compiled | null = null;
      try { c = compile(a, { ...plain, outer: undefined }); } catch (e) { if (!scope.outer) throw e; }
      if (c?.columnRef) idx = c.fn(probe) as number;
    }
    if ((idx === undefined || !gs?.cols.has(idx)) && scope.outer) throw notSupported('GROUPING in a subquery of the grouped query', pos);
    if (idx === undefined || !gs?.cols.has(idx)) {
      throw new PgError('42803', 'arguments to GROUPING must be grouping expressions of the associated query level', { position: posOf(locationOf(a)) });
    }
    return idx;
  });
  if (!gs || gs.col === null) return { fn: () => 0, type: T.int4, name: 'grouping', strength: 0 };
  const col = gs.col;
  const masks = gs.sets.map((s) => cols.reduce((m, c) => m * 2 + (s.has(c) ? 0 : 1), 0));
  return { fn: (r) => masks[r.vals[col] as number] ?? 0, type: T.int4, name: 'grouping', strength: 0 };
}
