/**
 * Aggregation (PostgreSQL's executor/nodeAgg.c): GROUP BY and aggregate functions. Each input row is put in its
 * group (the values of the grouping columns); each group keeps one transition state per aggregate call
 * (count, sum, avg, min, max, …: sql/expr.ts newAggState), folded over its rows and finalized at the end. HAVING
 * filters the finished groups.
 *
 *     SELECT v, count(*) FROM t GROUP BY v HAVING count(*) > 1;
 *     rows (k,v): (1,10) (2,20) (3,10)  ->  groups 10: [count 2]  20: [count 1]  ->  HAVING keeps (10, 2)
 *
 * Without GROUP BY there is exactly one group, even over no rows (count(*) of an empty table is 0), the plain
 * "Aggregate" node; with GROUP BY PostgreSQL picks HashAggregate on these small tables (EXPLAIN prints which).
 * Groups come out in the HashAggregate's hash-table order (execGrouping.ts), as PostgreSQL returns them without
 * ORDER BY. Simplifications: where the simulator cannot make the planner's estimate of the groups that sizes the
 * table (a GROUP BY over a join or a subquery, NULLs in an analyzed column, a key type without a hash function
 * here, GROUP BY an expression of an analyzed table with an expression index, whose statistics PostgreSQL would
 * use), the groups come out in the order their first row arrived — give GROUP BY an ORDER BY when order matters.
 * GROUP BY an expression (or an output name / position naming one) computes it per input row into a hidden column
 * that the select list, HAVING and ORDER BY match by expression, estimated by its own columns as
 * estimate_num_groups does. GROUPING SETS, ROLLUP and CUBE run this once per set (aggsets.ts).
 */
import type { Executor } from './executor.js';
import { PgError, notSupported, posOf } from '../errors.js';
import { intConst } from '../sql/parser.js';
import { newAggState, compareValues, type Compiled, type Scope, type Row, type AggSpec } from '../sql/expr.js';
import { groupKey } from '../sql/types.js';
import { type N, firstLocation, containsGroupingFunc } from './util.js';
import { groupHash, hashTableOrder } from './execGrouping.js';
import { compareKeys } from './nodeSort.js';
import { pgQsort } from './qsort.js';
import type { Value } from '../sql/types.js';

/** A HashAggregate's table: the grouping columns' hash functions and the planner's estimate of the groups. */
/**
 * The order groups come out in: a HashAggregate's hash table (fns, expected), or — sorted — a GroupAggregate's
 * input sorted on the group keys (optimizer/distinctpaths.ts groupingStrategy; always with DISTINCT / ORDER BY
 * inside an aggregate).
 */
export interface HashedOrder { fns: ((v: Value) => number)[]; expected: number; sorted?: boolean }

/** A GROUP BY item: an input column's index, or an expression computed per row into a hidden column (select.ts). */
export function groupColumn(ex: Executor, g: N, targetList: N[] | undefined, scope: Scope): number | { expr: N } {
  if (g.A_Const?.ival !== undefined) {
    const pos = intConst(g.A_Const)!;
    const t = targetList?.[pos - 1]?.ResTarget?.val;
    if (!t) throw new PgError('42P10', `GROUP BY position ${pos} is not in select list`, { position: posOf(g.A_Const.location) });
    return ex.groupColumn(t, undefined, scope);
  }
  const f = g.ColumnRef?.fields;
  if (f && f[f.length - 1].String) {
    const nm = f[f.length - 1].String.sval;
    const rel = f.length === 2 && scope.rels ? scope.rels.find((r) => r.name === f[0].String.sval) : undefined;
    const idx = rel ? scope.columns.findIndex((c, i) => c.name === nm && i >= rel.offset && i < rel.offset + rel.count)
      : scope.columns.findIndex((c) => c.name === nm);
    if (idx < 0 && targetList) {
      const t = targetList.find((x: N) => x.ResTarget.name === nm);
      if (t) return ex.groupColumn(t.ResTarget.val, undefined, scope);
    }
    if (idx < 0 && f.length === 1 && (scope.rels ? scope.rels.some((r) => r.name === nm) : nm === (scope.alias ?? scope.relName))) throw notSupported('GROUP BY a whole row', posOf(g.ColumnRef.location));
    if (idx < 0) throw new PgError('42703', `column "${nm}" does not exist`, { position: posOf(g.ColumnRef.location) });
    return idx;
  }
  if (f && f[f.length - 1].A_Star) throw notSupported('GROUP BY a whole row', posOf(g.ColumnRef.location));
  if (g.RowExpr) throw notSupported('GROUP BY a row value (ROW(...))', posOf(firstLocation(g)));
  if (containsGroupingFunc(g)) throw new PgError('42803', 'grouping operations are not allowed in GROUP BY', { position: posOf(firstLocation(g)) });
  return { expr: g };
}

export function aggregate(ex: Executor, rows: Row[], aggs: AggSpec[], groupCols: Set<number>, hasGroup: boolean, having: Compiled | null,
  removed?: { groupsRemoved: number }, hashed?: HashedOrder): Row[] {
  const groups = new Map<string, { rep: Row; states: ReturnType<typeof newAggState>[] }>();
  const cols = [...groupCols];
  const order: string[] = [];
  // a row that finds its group already there still goes through the hash table's insert (its grow check)
  const foundAfter: boolean[] = [];
  const get = (r: Row) => {
    const key = hasGroup ? JSON.stringify(cols.map((c) => groupKey(r.vals[c]!))) : '';
    let g = groups.get(key);
    if (!g) { g = { rep: r, states: aggs.map(newAggState) }; groups.set(key, g); order.push(key); } else foundAfter[order.length - 1] = true;
    return g;
  };
  if (!hasGroup) get({ vals: [], item: null, blk: 0, off: 0, aggs: null });
  const ordered = aggs.some((a) => a.order);
  const buffers = new Map<string, Row[][]>();
  for (const r of rows) {
    const g = get(r);
    for (let i = 0; i < aggs.length; i++) {
      const a = aggs[i]!;
      if (a.filter && a.filter.fn(r) !== true) continue; // FILTER (WHERE ...)
      if (a.order) { // ORDER BY inside the call: the group's rows are sorted for it first (process_ordered_aggregate_*)
        const key = hasGroup ? JSON.stringify(cols.map((c) => groupKey(r.vals[c]!))) : '';
        let b = buffers.get(key);
        if (!b) { b = aggs.map(() => []); buffers.set(key, b); }
        b[i]!.push(r);
        continue;
      }
      g.states[i]!.add(a.arg ? a.arg.fn(r) : null, a.extra ? a.extra.fn(r) : undefined);
    }
  }
  if (ordered) {
    for (const [key, b] of buffers) {
      const g = groups.get(key)!;
      b.forEach((rs, i) => {
        const a = aggs[i]!;
        if (!a.order) return;
        for (const r of sortForAggregate(rs, a.order)) g.states[i]!.add(a.arg ? a.arg.fn(r) : null, a.extra ? a.extra.fn(r) : undefined);
      });
    }
  }
  // GroupAggregate: the groups in the sorted input's order (the keys ascending, NULLs last)
  if (hashed?.sorted && order.length > 1) {
    const keys = cols.map(() => ({ desc: false, nullsFirst: false }));
    const keyed = order.map((k) => ({ k, v: cols.map((c) => groups.get(k)!.rep.vals[c]!) }));
    pgQsort(keyed, (a, b) => compareKeys(keys, a.v, b.v));
    order.length = 0;
    order.push(...keyed.map((x) => x.k));
  } else if (hashed && order.length > 1) {
    // HashAggregate returns its groups in its hash table's order (execGrouping.ts)
    const hashes = order.map((k) => groupHash(cols.map((c) => groups.get(k)!.rep.vals[c]!), hashed.fns));
    const perm = hashTableOrder(hashes, hashed.expected, foundAfter);
    const sorted = perm.map((i) => order[i]!);
    order.length = 0;
    order.push(...sorted);
  }
  const out: Row[] = [];
  for (const key of order) {
    const g = groups.get(key)!;
    const r: Row = { vals: g.rep.vals, item: g.rep.item, blk: g.rep.blk, off: g.rep.off, aggs: g.states.map((st) => st.result()) };
    if (having && having.fn(r) !== true) { if (removed) removed.groupsRemoved++; continue; }
    out.push(r);
  }
  return out;
}

/** The rows of one group in an aggregate's ORDER BY order (NULLS LAST ascending, FIRST descending, by default). */
function sortForAggregate(rows: Row[], order: NonNullable<AggSpec['order']>): Row[] {
  const keyed = rows.map((r) => ({ r, k: order.map((o) => o.key.fn(r)) }));
  keyed.sort((x, y) => {
    for (let i = 0; i < order.length; i++) {
      const o = order[i]!, a = x.k[i]!, b = y.k[i]!;
      if (a === null && b === null) continue;
      if (a === null) return o.nullsFirst ? -1 : 1;
      if (b === null) return o.nullsFirst ? 1 : -1;
      const c = compareValues(a, b);
      if (c !== 0) return o.desc ? -c : c;
    }
    return 0;
  });
  return keyed.map((x) => x.r);
}
