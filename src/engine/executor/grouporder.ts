/**
 * The order a HashAggregate, a hashed DISTINCT or their sorted alternatives return their groups in, decided at
 * plan time for one table (PostgreSQL's planner.c create_distinct_paths / add_paths_to_grouping_rel and the
 * hash table of execGrouping.c): which strategy (optimizer/distinctpaths.ts), the hash functions of the keys, and
 * the planner's estimate of the groups that sizes the hash table (optimizer/clausesel.ts estimateNumGroups).
 * executor/select.ts applies it to the rows; EXPLAIN prints the strategy.
 *
 * Simplifications: one table (a join's groups keep their first-seen order unless an aggregate forces a sort);
 * the cost choice only over a Seq Scan with conditions the model estimates.
 */
import type { Table } from '../catalog/catalog.js';
import type { Scope, AggSpec } from '../sql/expr.js';
import type { SqlType, Value } from '../sql/types.js';
import type { ScanPath } from '../optimizer/planner.js';
import { plannerIndexes } from '../catalog/catalogsnapshot.js';
import { estimateNumGroups } from '../optimizer/clausesel.js';
import { distinctStrategy, groupingStrategy } from '../optimizer/distinctpaths.js';
import { intConst } from '../sql/parser.js';
import { hashFunctionFor } from './nodeHashjoin.js';
import { collectColumnRefs, containsAggregate, expressionKey, type N } from './util.js';
import { qualCost } from '../optimizer/qualorder.js';
import type { HashedOrder } from './nodeAgg.js';
import type { JoinGroupEstimate } from '../optimizer/joingroups.js';

/**
 * Types with a B-tree opclass and no hash opclass (bit, bit varying): grouping or de-duplicating them can only sort
 * (the planner's grouping_is_hashable is false), so the groups come out in the keys' order.
 */
const SORT_ONLY = new Set(['bit', 'varbit']);
/** sorted on `n` keys (no hash functions: fns only count them) */
const SORTED = (n: number): HashedOrder => ({ fns: new Array<(v: Value) => number>(n).fill(() => 0), expected: 0, sorted: true });

/**
 * Grouping sets can be hashed (planner.c can_hash): no aggregate with DISTINCT or ORDER BY inside, and every grouping
 * column of a type with a hash opclass.
 */
export function groupingSetsHashable(aggs: AggSpec[], cols: number[], scope: Scope): boolean {
  return !aggs.some((a) => a.distinct || a.order) && !cols.some((c) => SORT_ONLY.has(scope.columns[c]?.type.name ?? ''));
}

/** The hash table a HashAggregate over these columns of a table would build, or undefined when not modelled. */
export function hashedOrder(t: Table, cols: number[], where: N | undefined, scope: Scope, estimateCols: number[] | null = cols): HashedOrder | undefined {
  if (cols.some((c) => SORT_ONLY.has(scope.columns[c]?.type.name ?? ''))) return SORTED(cols.length);
  const fns = cols.map((c) => hashFunctionFor(scope.columns[c]?.type.name ?? ''));
  if (fns.some((f) => !f) || !estimateCols) return undefined;
  const expected = estimateNumGroups(t, estimateCols, where);
  return expected === null ? undefined : { fns: fns as ((v: Value) => number)[], expected };
}

/**
 * The columns estimate_num_groups counts for these GROUP BY items: a column itself, an expression's own columns
 * (pull_var_clause; one without columns adds nothing). null where PostgreSQL would use an expression index's
 * statistics instead (an analyzed table with an expression index).
 */
export function groupEstimateColumns(t: Table, items: (number | N)[], scope: Scope): number[] | null {
  const out = new Set<number>();
  for (const it of items) {
    if (typeof it === 'number') { out.add(it); continue; }
    if (t.stats && plannerIndexes(t).some((i) => i.def?.exprs.length)) return null;
    const names = new Set<string>();
    collectColumnRefs(it, names);
    for (const nm of names) { const i = scope.columns.findIndex((c) => !c.dropped && c.name === nm); if (i >= 0) out.add(i); }
  }
  return out.size ? [...out] : null;
}

/**
 * GROUP BY's strategy: an aggregate with DISTINCT or ORDER BY inside cannot be hashed (planner.c can_hash), so
 * Sort + GroupAggregate; otherwise, over one table's Seq Scan, whichever add_path keeps; else the HashAggregate.
 */
export function groupPlan(n: N, t: Table | null, aggs: AggSpec[], groupCols: Set<number>, groupItems: (number | N)[], scope: Scope, groupBase: Scope,
  path: ScanPath | null, join: JoinGroupEstimate | null = null): HashedOrder | undefined {
  if (aggs.some((a) => a.distinct || a.order)) return { fns: [], expected: 0, sorted: true };
  if (!t) return join ? joinHashedOrder(join, [...groupCols].map((c) => groupBase.columns[c]?.type.name ?? ''), groupItems) : undefined;
  const h = hashedOrder(t, [...groupCols], n.whereClause, groupBase, groupEstimateColumns(t, groupItems, scope));
  // enable_hashagg = off: the hashed path costs disable_cost more (cost_agg), so the sorted one is kept
  if (scope.env.currentSetting('enable_hashagg', true) === 'off') return { ...(h ?? { fns: [], expected: 0 }), sorted: true };
  if (!h || path?.kind !== 'SeqScan') return h;
  const ops = aggregateOps(aggs);
  if (!ops) return h;
  const havingOps = n.havingClause ? qualCost(aggregatesAsVars(n.havingClause)) : 0;
  return groupingStrategy(t, n.whereClause, groupCols.size, h.expected, ops.trans, ops.final, havingOps, orderedByGroupKeys(n)) === 'sorted' ? { ...h, sorted: true } : h;
}

/**
 * Is ORDER BY the GROUP BY list itself, in its order, ascending (output names and positions read as the select
 * list's expressions)? Then a GroupAggregate needs no Sort above it.
 */
export function orderedByGroupKeys(n: N): boolean {
  const sorts = (n.sortClause ?? []) as N[], groups = (n.groupClause ?? []) as N[];
  if (!sorts.length || sorts.length !== groups.length) return false;
  const targets = (n.targetList ?? []) as N[];
  const resolve = (k: N): N => {
    const pos = k.A_Const?.ival !== undefined ? intConst(k.A_Const) ?? 0 : 0;
    if (pos >= 1 && pos <= targets.length) return targets[pos - 1]!.ResTarget.val;
    const nm = k.ColumnRef?.fields?.length === 1 ? k.ColumnRef.fields[0].String?.sval : undefined;
    const hit = nm !== undefined ? targets.find((x) => x.ResTarget.name === nm) : undefined;
    return hit ? hit.ResTarget.val : k;
  };
  const key = (x: N) => JSON.stringify(resolve(x), (k, v) => (k === 'location' ? undefined : v));
  return sorts.every((sb, i) => sb.SortBy.sortby_dir !== 'SORTBY_DESC' && sb.SortBy.sortby_nulls !== 'SORTBY_NULLS_FIRST'
    && key(sb.SortBy.node) === key(groups[i]!));
}

/**
 * A HAVING clause as cost_qual_eval sees it: an aggregate call costs nothing there, like a column (its work is
 * the Agg node's own), so each is replaced by a column reference.
 */
function aggregatesAsVars(n: unknown): unknown {
  if (!n || typeof n !== 'object') return n;
  if (Array.isArray(n)) return n.map(aggregatesAsVars);
  const o = n as N;
  if (o.FuncCall && !o.FuncCall.over && containsAggregate({ FuncCall: { ...o.FuncCall, args: [] } })) return { ColumnRef: { fields: [] } };
  if (o.SubLink) return o;
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, aggregatesAsVars(v)]));
}

/**
 * The hash table of a GROUP BY or DISTINCT over a join: hashed by each key's type, sized by estimate_num_groups over
 * the join (optimizer/joingroups.ts). undefined: a type without a hash function here, a `*`, or no estimate.
 * Simplification: always the HashAggregate — the sorted alternative is not costed over a join.
 */
export function joinHashedOrder(join: JoinGroupEstimate, types: string[], items: (number | N)[]): HashedOrder | undefined {
  if (types.some((ty) => SORT_ONLY.has(ty))) return SORTED(types.length);
  const fns = types.map((ty) => hashFunctionFor(ty));
  if (fns.some((f) => !f)) return undefined;
  const vars: NonNullable<ReturnType<JoinGroupEstimate['varAt']>>[] = [];
  for (const it of items) {
    if (typeof it !== 'number' && it.ColumnRef?.fields?.some((f: N) => f.A_Star)) return undefined;
    const v = typeof it === 'number' ? [join.varAt(it)] : join.varsOf(it);
    if (!v || v.some((x) => !x)) return undefined;
    vars.push(...(v as NonNullable<(typeof v)[number]>[]));
  }
  const expected = join.groups(vars);
  return expected === null ? undefined : { fns: fns as ((v: Value) => number)[], expected };
}

/** The aggregates' transition and final function calls (each built-in one costs one cpu_operator_cost); null: not modelled. */
export function aggregateOps(aggs: AggSpec[]): { trans: number; final: number } | null {
  let trans = 0, final = 0;
  for (const a of aggs) {
    if (a.filter || a.extra) return null;
    const argType = a.arg?.type.name;
    const intish = argType === 'int2' || argType === 'int4';
    const known = a.kind === 'count' || a.kind === 'min' || a.kind === 'max' || ((a.kind === 'sum' || a.kind === 'avg') && intish);
    if (!known) return null;
    trans++;
    if (a.kind === 'avg') final++; // int8_avg
  }
  return { trans, final };
}

/**
 * A plain SELECT DISTINCT over one table: the hash table it would use (its order) and whether PostgreSQL sorts
 * instead (optimizer/distinctpaths.ts; only over a Seq Scan, else hashed as before).
 */
export function distinctPlan(n: N, t: Table, targets: { type: SqlType }[], scope: Scope, path: ScanPath | null) {
  const cols = distinctColumns(n.targetList, t);
  const h = cols ? hashedOrder(t, cols, n.whereClause, scope) : distinctExprOrder(t, n, targets, scope);
  // the Unique compares each column once: make_pathkeys_for_sortclauses drops a DISTINCT column named twice (the
  // HashAggregate hashes every one)
  const items = ((n.targetList ?? []) as N[]).map((tl) => tl.ResTarget.val as N);
  const sortCols = cols ? new Set(cols).size : new Set(items.map((x) => expressionKey(x, scope))).size;
  if (h?.sorted) return { h, strategy: 'sorted' as const };
  const strategy = h && path?.kind === 'SeqScan' ? distinctStrategy(t, n.whereClause, h.fns.length, sortCols, h.expected) : null;
  return { h, strategy };
}

/**
 * SELECT DISTINCT of expressions over one table: hashed by each output's type, the groups estimated from the
 * columns the expressions read (estimate_num_groups pulls their Vars out). undefined: a type without a hash
 * function here, a `*`, or no estimate.
 */
export function distinctExprOrder(t: Table, n: N, targets: { type: SqlType }[], scope: Scope): HashedOrder | undefined {
  const items = ((n.targetList ?? []) as N[]).map((tl) => tl.ResTarget.val as N);
  if (items.some((x) => x.ColumnRef?.fields?.some((f: N) => f.A_Star))) return undefined;
  if (targets.some((tg) => SORT_ONLY.has(tg.type.name))) return SORTED(targets.length);
  const fns = targets.map((tg) => hashFunctionFor(tg.type.name));
  if (fns.some((f) => !f)) return undefined;
  const estimateCols = groupEstimateColumns(t, items, scope);
  if (!estimateCols) return undefined;
  const expected = estimateNumGroups(t, estimateCols, n.whereClause);
  return expected === null ? undefined : { fns: fns as ((v: Value) => number)[], expected };
}

/** SELECT DISTINCT of plain columns of one table (or *): their positions, else null. */
export function distinctColumns(targetList: N[] | undefined, t: Table): number[] | null {
  const cols: number[] = [];
  for (const tl of (targetList ?? []) as N[]) {
    const f = tl.ResTarget.val.ColumnRef?.fields as N[] | undefined;
    if (!f) return null;
    if (f.length === 1 && f[0]!.A_Star) { t.columns.forEach((c, i) => { if (!c.dropped) cols.push(i); }); continue; }
    if (!f.every((x) => x.String) || f.length > 2) return null;
    const i = t.columns.findIndex((c) => !c.dropped && c.name === f[f.length - 1]!.String.sval);
    if (i < 0) return null;
    cols.push(i);
  }
  return cols;
}
