/**
 * EXPLAIN's costs of GROUP BY an expression over one table's Seq Scan (PostgreSQL's planner.c
 * make_group_input_target, costsize.c cost_agg / cost_sort, selfuncs.c estimate_num_groups):
 *
 *     EXPLAIN SELECT k % 3, count(*) FROM g GROUP BY k % 3          (g: 10 pages, 1,200 rows estimated)
 *     HashAggregate  (cost=31.00..33.50 rows=200 width=12)
 *       Group Key: (k % 3)
 *       ->  Seq Scan on g  (cost=0.00..25.00 rows=1200 width=4)
 *
 * - the scan computes the grouping expressions itself (its target list is the expressions and the columns the
 *   aggregates read): it pays their operators per row (k % 3: 1200 x 0.0025) and its width is theirs — an int4
 *   expression 4, a text one 32 (get_typavgwidth), whatever ANALYZE measured for the column under it;
 * - the number of groups is estimate_num_groups over the columns the expressions read (pull_var_clause: k % 3
 *   counts k's distinct values — 200 without statistics, n_distinct after ANALYZE), scaled by the WHERE clause's
 *   selectivity (optimizer/clausesel.ts estimateNumGroups);
 * - the Agg hashes or compares each key per input row and runs the aggregates (cost_agg), and its output target
 *   computes the grouping expression again per group (its cost is counted, 200 x 0.0025 = 0.50, as
 *   create_agg_path adds the target's cost);
 * - Sort + GroupAggregate when add_path keeps it (or enable_hashagg is off): cost_sort of the scan's rows, then
 *   AGG_SORTED.
 *
 * Simplifications, refused with 0A000: a HAVING clause, LIMIT, a select list other than the grouping keys and the
 * aggregates costed in explainselect.ts, a grouping key left out of the select list, an expression of a type whose
 * width is not known here, an index path below.
 */
import type { Table } from '../catalog/catalog.js';
import type { Scope } from '../sql/expr.js';
import { costSeqScan, costHashAgg, costSortedAgg, costSort, CPU_OPERATOR_COST, type Cost } from '../optimizer/costsize.js';
import { estimateRelSize, columnWidth, clampRowEst } from '../optimizer/plancat.js';
import { whereSelectivity, estimateNumGroups } from '../optimizer/clausesel.js';
import { qualCost } from '../optimizer/qualorder.js';
import { Deparser } from '../optimizer/ruleutils.js';
import { collectColumnRefs, containsAggregate, type N } from '../executor/util.js';
import type { ScanPath } from '../optimizer/planner.js';
import { type PlanNode, noCosts } from './plannodes.js';

/** get_typavgwidth of an expression's type (typmod -1) */
const TYPE_WIDTH: Record<string, number> = { int: 4, smallint: 2, bigint: 8, bool: 1, text: 32, numeric: 32 };

/** the tree without its locations: two spellings of one expression are the same key */
const exprKey = (x: N) => JSON.stringify(x, (k, v) => (k === 'location' ? undefined : v));

/** Does any GROUP BY item (after output names and positions are resolved) name an expression? */
export function groupsByExpression(n: N, resolve: (k: N) => N): boolean {
  return ((n.groupClause ?? []) as N[]).some((g) => !resolve(g).ColumnRef);
}

type AggCost = (fc: N, t: Table) => { trans: number; final: number; width: number } | null;

export function costGroupByExpressions(scope: Scope, n: N, t: Table, nodes: { scan: PlanNode; agg: PlanNode; sort: PlanNode | null; limit: PlanNode | null },
  targets: N[], resolve: (k: N) => N, path: ScanPath, sorted: boolean, aggCost: AggCost): void {
  if (path.kind !== 'SeqScan') throw noCosts('GROUP BY an expression over an index scan');
  if (n.havingClause) throw noCosts('HAVING');
  if (nodes.limit) throw noCosts('LIMIT over GROUP BY an expression');
  const colIndex = (x: N): number => {
    const f = x.ColumnRef?.fields as N[] | undefined;
    if (!f || !f.every((y) => y.String) || f.length > 2) return -1;
    return t.columns.findIndex((c) => !c.dropped && c.name === f[f.length - 1]!.String.sval);
  };
  const widthOf = (col: number) => { const w = columnWidth(t, col); if (!w.exact) throw noCosts('a column whose width the simulator does not measure'); return w.width; };
  const d = new Deparser(scope);
  // the grouping keys, each once: a column, or an expression with its operators, width and columns
  const keys = new Map<string, { col: number; ops: number; width: number; vars: number[] }>();
  for (const g of (n.groupClause ?? []) as N[]) {
    const k = resolve(g);
    const key = exprKey(k);
    if (keys.has(key)) continue;
    const col = colIndex(k);
    if (col >= 0) { keys.set(key, { col, ops: 0, width: widthOf(col), vars: [col] }); continue; }
    if (containsAggregate(k) || JSON.stringify(k).includes('"SubLink"')) throw noCosts('this GROUP BY');
    const width = TYPE_WIDTH[d.typeOf(k)];
    if (width === undefined) throw noCosts('GROUP BY an expression of this type');
    const names = new Set<string>();
    collectColumnRefs(k, names);
    const vars = [...names].map((nm) => t.columns.findIndex((c) => !c.dropped && c.name === nm));
    if (!vars.length || vars.some((v) => v < 0)) throw noCosts('GROUP BY an expression without columns of the table');
    keys.set(key, { col: -1, ops: qualCost(k), width, vars });
  }
  // the select list: grouping keys (an expression's operators paid again per group by the Agg's target) and aggregates
  let trans = 0, final = 0, aggWidth = 0, targetOps = 0;
  const aggCols = new Set<number>();
  const shown = new Set<string>();
  for (const tl of targets) {
    const v = tl.ResTarget.val as N;
    const hit = keys.get(exprKey(v));
    if (hit) { shown.add(exprKey(v)); aggWidth += hit.width; targetOps += hit.ops; continue; }
    if (!v.FuncCall || !containsAggregate(v)) throw noCosts('this target list');
    const a = aggCost(v.FuncCall, t);
    if (!a) throw noCosts('this aggregate');
    trans += a.trans; final += a.final; aggWidth += a.width;
    for (const arg of (v.FuncCall.args ?? []) as N[]) { const c = colIndex(arg); if (c >= 0) aggCols.add(c); }
  }
  if ([...keys.keys()].some((k) => !shown.has(k))) throw noCosts('a GROUP BY key outside the select list');
  // the scan's target list: the grouping keys, then the columns the aggregates read that are not keys themselves
  const keyCols = new Set([...keys.values()].filter((k) => k.col >= 0).map((k) => k.col));
  let scanWidth = [...keys.values()].reduce((a, k) => a + k.width, 0);
  for (const c of aggCols) if (!keyCols.has(c)) scanWidth += widthOf(c);
  const scanOps = [...keys.values()].reduce((a, k) => a + k.ops, 0);
  const size = estimateRelSize(t);
  const ws = whereSelectivity(t, size.tuples, n.whereClause);
  if (!ws) throw noCosts('this WHERE clause (its selectivity is not estimated)');
  const scanRows = clampRowEst(size.tuples * ws.sel);
  const scan = nodes.scan.cost = costSeqScan(size.pages, size.tuples, ws.ops, scanRows, scanWidth, scanOps);
  const groups = estimateNumGroups(t, [...keys.values()].flatMap((k) => k.vars), n.whereClause);
  if (groups === null) throw noCosts('this GROUP BY (its number of groups is not estimated)');
  const withTarget = (c: Cost): Cost => ({ ...c, total: c.total + CPU_OPERATOR_COST * targetOps * groups });
  let top: Cost;
  if (sorted) {
    const sortBelow = nodes.agg.children[0];
    if (!sortBelow || sortBelow.type !== 'Sort') throw noCosts('this GroupAggregate');
    const s = sortBelow.cost = costSort(scan, null);
    top = nodes.agg.cost = withTarget(costSortedAgg(s, keys.size, trans, final, groups, aggWidth));
  } else {
    top = nodes.agg.cost = withTarget(costHashAgg(scan, keys.size, trans, final, groups, aggWidth));
  }
  if (nodes.sort) {
    // ORDER BY grouping keys: a Sort of the groups
    for (const sb of (n.sortClause ?? []) as N[]) if (!keys.has(exprKey(resolve(sb.SortBy.node)))) throw noCosts('this ORDER BY');
    nodes.sort.cost = costSort(top, null);
  }
}
