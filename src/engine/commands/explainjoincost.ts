/**
 * The costs EXPLAIN prints on a join of two plain tables (PostgreSQL's optimizer/path/costsize.c
 * initial_cost_* / final_cost_* for hashjoin, mergejoin and nestloop, over the Seq Scans of each side): the
 * join's startup and total cost, its rows (the join selectivity, selfuncs.c eqjoinsel) and width, and those of
 * the Hash / Sort / Materialize / inner Index Scan under it.
 *
 * Simplifications, refused with 0A000: joins of joins, join filters on hash and merge joins, merge joins of
 * analyzed tables (mergejoinscansel), a Materialize over work_mem, keys whose statistics the formulas here do
 * not read.
 */
import { plannerIndexes } from '../catalog/catalogsnapshot.js';
import type { JoinPlan } from '../optimizer/joinpath.js';
import { costParamIndexScan, costParamNestLoop, equiJoinSelectivity, type EquiSide } from '../optimizer/paramjoin.js';
import { costSeqScan, costSort, costHashJoinUniqueInner, costHashJoinDefaultInner, CPU_OPERATOR_COST, CPU_TUPLE_COST, type Cost } from '../optimizer/costsize.js';
import { estimateRelSize, columnWidth, clampRowEst } from '../optimizer/plancat.js';
import { bucketCount } from '../executor/nodeHashjoin.js';
import { whereSelectivity } from '../optimizer/clausesel.js';
import { opName } from '../optimizer/ruleutils.js';
import type { Table } from '../catalog/catalog.js';
import type { N } from '../executor/util.js';
import { hasUniqueIndex } from '../optimizer/selfuncs.js';
import { joinSelectivity, hashJoinCost, nestLoopCost, mergeJoinCost, type CostedSide } from '../optimizer/joinpathcost.js';
import { type PlanNode, noCosts } from './plannodes.js';

/** A Seq Scan under a join: its cost with its own quals, all columns wide (SELECT * above the join). */
function joinScanCost(sp: Extract<JoinPlan, { kind: 'Scan' }>): { size: ReturnType<typeof estimateRelSize>; cost: Cost } {
  const size = estimateRelSize(sp.table);
  const where = sp.quals.length === 0 ? undefined : sp.quals.length === 1 ? sp.quals[0] : { BoolExpr: { boolop: 'AND_EXPR', args: sp.quals } };
  const ws = whereSelectivity(sp.table, size.tuples, where);
  if (!ws) throw noCosts('this WHERE clause (its selectivity is not estimated)');
  const cols = sp.table.columns.map((c, i) => ({ c, i })).filter((x) => !x.c.dropped).map((x) => columnWidth(sp.table, x.i));
  if (cols.some((c) => !c.exact)) throw noCosts('a column whose width the simulator does not measure');
  return { size, cost: costSeqScan(size.pages, size.tuples, ws.ops, clampRowEst(size.tuples * ws.sel), cols.reduce((a, c) => a + c.width, 0)) };
}

/**
 * Costs of a nested loop over a Materialize of the inner Seq Scan (initial / final_cost_nestloop, cost_material,
 * cost_rescan): the Materialize reads its input once and charges two operator calls a row, a rescan one a row;
 * the loop pays the outer scan, the first inner pass, (outer rows - 1) rescans, and cpu_tuple_cost plus the join
 * filter's operators for every outer x inner pair. A comparison between the two sides (`t.k < u.k`) keeps a third
 * of the pairs (scalarltjoinsel's DEFAULT_INEQ_SEL).
 */
function costNestLoop(p: Extract<JoinPlan, { kind: 'Join' }>, top: PlanNode) {
  if (p.outer.kind !== 'Scan' || p.inner.kind !== 'Scan') throw noCosts('a join of joins');
  let sel = 1;
  for (const q of p.filter) {
    const e = q.A_Expr;
    if (!e || e.kind !== 'AEXPR_OP' || !['<', '<=', '>', '>='].includes(opName(q)) || !e.lexpr?.ColumnRef || !e.rexpr?.ColumnRef) throw noCosts('this join filter');
    sel *= 1 / 3;
  }
  const o = joinScanCost(p.outer), i = joinScanCost(p.inner);
  const bytes = i.cost.rows * (Math.ceil(i.cost.width / 8) * 8 + 24);
  if (bytes > 4 * 1024 * 1024) throw noCosts('a Materialize larger than work_mem');
  // cost_material
  const mat: Cost = {
    startup: i.cost.startup, total: i.cost.startup + (i.cost.total - i.cost.startup) + 2 * CPU_OPERATOR_COST * i.cost.rows,
    rows: i.cost.rows, width: i.cost.width };
  const rescanRun = CPU_OPERATOR_COST * i.cost.rows;
  // initial_cost_nestloop
  let startup = 0, run = 0;
  startup += o.cost.startup + mat.startup;
  run += o.cost.total - o.cost.startup;
  run += mat.total - mat.startup;
  if (o.cost.rows > 1) run += (o.cost.rows - 1) * rescanRun;
  // final_cost_nestloop
  const ntuples = o.cost.rows * i.cost.rows;
  let qual = 0;
  for (let k = 0; k < p.filter.length; k++) qual += CPU_OPERATOR_COST;
  run += (CPU_TUPLE_COST + qual) * ntuples;
  let rows = clampRowEst(ntuples * sel);
  if (p.label === ' Left' && rows < o.cost.rows) rows = o.cost.rows;
  top.cost = { startup, total: startup + run, rows, width: o.cost.width + i.cost.width };
  const [outerNode, matNode] = top.children as [PlanNode, PlanNode];
  outerNode.cost = o.cost;
  matNode.cost = mat;
  matNode.children[0]!.cost = i.cost;
}

/**
 * Costs of a merge join of two never-analyzed tables over two Sorts (initial / final_cost_mergejoin): without
 * statistics the whole of both inputs is merged; the sorts' startup is startup; each equal outer key rescans the
 * inner rows of that key — rescanned = join rows - inner rows, inflating the inner side's run cost and the merge
 * comparisons (ratio 1 + rescanned / inner rows; the inner sort is rescanned, not materialized, when that is
 * cheaper); cpu_tuple_cost per joined row. Join rows: outer x inner / max(distinct values) (200 each here).
 */
function costMergeJoin(p: Extract<JoinPlan, { kind: 'Join' }>, top: PlanNode) {
  if (!p.cond || p.filter.length) throw noCosts('a merge join with a join filter');
  if (p.outer.kind !== 'Scan' || p.inner.kind !== 'Scan') throw noCosts('a join of joins');
  if (p.outer.table.stats || p.inner.table.stats) throw noCosts('a merge join of analyzed tables (mergejoinscansel reads the histograms)');
  // a table merged with itself: PostgreSQL's figure differs from these formulas by a few hundredths (not understood)
  if (p.outer.table === p.inner.table) throw noCosts('a merge join of a table with itself');
  const o = joinScanCost(p.outer), i = joinScanCost(p.inner);
  const outerKey = p.cond.outerIsLeft ? p.cond.left : p.cond.right, innerKey = p.cond.outerIsLeft ? p.cond.right : p.cond.left;
  const nd = (t: Table, col: number, tuples: number) =>
    (plannerIndexes(t).some((x) => x.unique && x.columns.length === 1 && x.columns[0] === col) ? clampRowEst(tuples)
      : tuples < 200 ? clampRowEst(tuples) : 200);
  const selec = 1 / Math.max(nd(p.outer.table, outerKey, o.size.tuples), nd(p.inner.table, innerKey, i.size.tuples));
  const mergeTuples = clampRowEst(o.cost.rows * i.cost.rows * selec); // approx_tuple_count
  let rows = mergeTuples;
  if (p.label === ' Left' && rows < o.cost.rows) rows = o.cost.rows;
  if (p.label === ' Right' && rows < i.cost.rows) rows = i.cost.rows;
  const outerSort = costSort(o.cost, null), innerSort = costSort(i.cost, null);
  // initial_cost_mergejoin (start / end selectivities 0 and 1)
  let startup = 0, run = 0;
  startup += outerSort.startup;
  run += outerSort.total - outerSort.startup;
  startup += innerSort.startup;
  const innerRun = innerSort.total - innerSort.startup;
  // final_cost_mergejoin
  const rescanned = Math.max(0, mergeTuples - i.cost.rows);
  const rescanratio = 1.0 + rescanned / i.cost.rows;
  const bare = innerRun * rescanratio;
  const mat = innerRun + CPU_OPERATOR_COST * i.cost.rows * rescanratio;
  run += mat < bare ? mat : bare;
  run += CPU_OPERATOR_COST * (o.cost.rows + i.cost.rows * rescanratio);
  run += CPU_TUPLE_COST * mergeTuples;
  top.cost = { startup, total: startup + run, rows, width: o.cost.width + i.cost.width };
  if (mat < bare) throw noCosts('a merge join that materializes its inner side');
  const [os, is] = top.children as [PlanNode, PlanNode];
  os.cost = outerSort; os.children[0]!.cost = o.cost;
  is.cost = innerSort; is.children[0]!.cost = i.cost;
}

/**
 * Costs of a hash join of two tables whose inner (hashed) key has a unique index (final_cost_hashjoin's
 * inner_unique case, an inner join or a Hash Left Join), over Seq Scans: the inner side's scan and hashing are
 * startup cost; per outer row one hash; the outer rows expected to match (outer rows x join selectivity) probe a
 * bucket and stop at the first match, the others scan a bucket at a tenth of the cost; cpu_tuple_cost per joined
 * row. The join selectivity is eqjoinsel's 1 / max(distinct values of the two keys) (a unique key: its table's
 * tuples; no statistics: 200). Every other join's costs are refused.
 */
export function costJoin(p: JoinPlan, top: PlanNode) {
  if (p.kind === 'Join' && p.searched) { costSearched(p, top); return; }
  // both analyzed, or an ANALYZEd table with a never-analyzed one (joinpathcost.ts costs both)
  const statsBoth = p.kind === 'Join' && p.outer.kind === 'Scan' && p.inner.kind === 'Scan'
    && ((p.outer.table.stats && p.inner.table.stats) || !!p.outer.table.stats?.columns !== !!p.inner.table.stats?.columns);
  if (p.kind === 'Join' && p.outer.kind === 'Scan' && p.inner.kind === 'Scan' && statsBoth && !p.param) {
    const keys = joinKeys(p);
    if (keys && !hasUniqueIndex(p.outer.table, keys.outerKey) && !hasUniqueIndex(p.inner.table, keys.innerKey)) { costAnalyzedJoin(p, top, keys); return; }
  }
  if (p.kind === 'Join' && p.method === 'MergeJoin') { costMergeJoin(p, top); return; }
  if (p.kind === 'Join' && p.method === 'NestLoop') { if (p.param) costParamLoop(p, top); else costNestLoop(p, top); return; }
  if (p.kind !== 'Join' || p.method !== 'HashJoin' || !p.cond || p.filter.length || p.label === ' Right') throw noCosts('this join (only a hash join on a unique inner key and a merge join over sorts are modelled)');
  if (p.outer.kind !== 'Scan' || p.inner.kind !== 'Scan') throw noCosts('a join of joins');
  const outerT = p.outer.table, innerT = p.inner.table;
  if (!!outerT.stats !== !!innerT.stats) throw noCosts('a join of an analyzed table with a never-analyzed one');
  const outerKey = p.cond.outerIsLeft ? p.cond.left : p.cond.right, innerKey = p.cond.outerIsLeft ? p.cond.right : p.cond.left;
  const innerUnique = plannerIndexes(innerT).some((i) => i.unique && i.columns.length === 1 && i.columns[0] === innerKey);
  const o = joinScanCost(p.outer), i = joinScanCost(p.inner);
  // a non-unique inner key without statistics: a bucket holds a tenth of the inner rows (estimate_hash_bucket_stats)
  const defaultBuckets = !innerUnique && p.label === '' && !outerT.stats && !innerT.stats && i.size.tuples >= 200;
  if (!innerUnique && !defaultBuckets) throw noCosts('a hash join whose inner key has no unique index (approx_tuple_count, bucket sizes)');
  /** get_variable_numdistinct of a join key */
  const distinct = (t: Table, col: number, tuples: number): { nd: number; nullfrac: number } => {
    const nullfrac = t.stats?.nullfrac?.[col] ?? 0;
    if (plannerIndexes(t).some((x) => x.unique && x.columns.length === 1 && x.columns[0] === col)) return { nd: clampRowEst(tuples), nullfrac };
    if (!t.stats) return { nd: tuples < 200 ? clampRowEst(tuples) : 200, nullfrac };
    const d = t.stats.distinct?.[col];
    if (d === undefined || d === 0) throw noCosts('a join key without statistics');
    return { nd: d === -1 ? clampRowEst(tuples * (1 - nullfrac)) : d, nullfrac };
  };
  const d1 = distinct(outerT, outerKey, o.size.tuples), d2 = distinct(innerT, innerKey, i.size.tuples);
  if (outerT.stats && (d1.nullfrac > 0 || d2.nullfrac > 0 || (outerT.stats.distinct?.[outerKey] ?? 0) !== -1)) throw noCosts('a join key with an MCV list (eqjoinsel compares the lists)');
  const selec = ((1 - d1.nullfrac) * (1 - d2.nullfrac)) / Math.max(d1.nd, d2.nd);
  let rows = clampRowEst(o.cost.rows * i.cost.rows * selec);
  if (p.label === ' Left' && rows < o.cost.rows) rows = o.cost.rows;
  const joined = defaultBuckets ? costHashJoinDefaultInner(o.cost, i.cost, selec) : costHashJoinUniqueInner(o.cost, i.cost, selec, bucketCount(i.cost.rows));
  top.cost = { ...joined, rows };
  const [outerNode, hashNode] = top.children as [PlanNode, PlanNode];
  outerNode.cost = o.cost;
  hashNode.cost = { startup: i.cost.total, total: i.cost.total, rows: i.cost.rows, width: i.cost.width };
  hashNode.children[0]!.cost = i.cost;
}

/** Costs of a parameterized nested loop: the outer Seq Scan, one probe of the inner index per outer row. */
function costParamLoop(p: Extract<JoinPlan, { kind: 'Join' }>, top: PlanNode) {
  if (p.outer.kind !== 'Scan' || p.inner.kind !== 'Scan') throw noCosts('a join of joins');
  if (p.param!.op !== '=') throw noCosts('a parameterized range scan (btcostestimate of a range)');
  const o = joinScanCost(p.outer), size = estimateRelSize(p.inner.table);
  const os: EquiSide = { table: p.outer.table, quals: p.outer.quals, key: p.param!.outerKey };
  const is: EquiSide = { table: p.inner.table, quals: [], key: p.param!.innerKey };
  // a probe with a Filter (the inner side's own conditions): the join's printed cost is off by a hundredth (how
  // compute_semi_anti_join_factors weighs the filtered inner rows is not modelled); the plan is printed with COSTS OFF
  if (p.inner.quals.length) throw noCosts('a parameterized nested loop whose inner Index Scan has a Filter');
  const probe = costParamIndexScan(size.tuples, size.pages, 2, o.cost.rows, o.size.pages + size.pages, size.width);
  const selec = equiJoinSelectivity(os, is);
  top.cost = costParamNestLoop(o.cost, probe, selec, size.tuples, clampRowEst(o.cost.rows * size.tuples * selec));
  const [outerNode, innerNode] = top.children as [PlanNode, PlanNode];
  outerNode.cost = o.cost;
  innerNode.cost = probe;
}

/** The key columns of a join's equality: its Hash / Merge Cond, or a nested loop's one Join Filter `a.x = b.y`. */
function joinKeys(p: Extract<JoinPlan, { kind: 'Join' }>): { outerKey: number; innerKey: number } | null {
  if (p.cond) {
    if (p.filter.length) return null;
    return { outerKey: p.cond.outerIsLeft ? p.cond.left : p.cond.right, innerKey: p.cond.outerIsLeft ? p.cond.right : p.cond.left };
  }
  if (p.method !== 'NestLoop' || p.filter.length !== 1 || p.outer.kind !== 'Scan' || p.inner.kind !== 'Scan') return null;
  const e = p.filter[0]!.A_Expr;
  if (!e || e.kind !== 'AEXPR_OP' || opName(p.filter[0]!) !== '=') return null;
  const sides = [p.outer, p.inner] as const;
  const colOf = (x: N | undefined): { side: 0 | 1; col: number } | null => {
    const f = (x?.ColumnRef?.fields as N[] | undefined)?.map((y) => y.String?.sval as string | undefined);
    if (!f || f.length !== 2 || f.some((y) => y === undefined)) return null;
    for (const k of [0, 1] as const) {
      const sd = sides[k];
      if ((sd.alias ?? sd.name) !== f[0]) continue;
      const col = sd.table.columns.findIndex((c) => !c.dropped && c.name === f[1]);
      return col < 0 ? null : { side: k, col };
    }
    return null;
  };
  const a = colOf(e.lexpr), b = colOf(e.rexpr);
  if (!a || !b || a.side === b.side) return null;
  return a.side === 0 ? { outerKey: a.col, innerKey: b.col } : { outerKey: b.col, innerKey: a.col };
}

/**
 * Costs of a join of two analyzed tables whose keys have no unique index, as optimizer/joinpathcost.ts costed
 * it when choosing: eqjoinsel with the MCV lists for the rows, the hashed key's bucket size, the nested loop's
 * rescans (of a Materialize or of the Seq Scan itself), the merge join's scan fractions.
 */
function costAnalyzedJoin(p: Extract<JoinPlan, { kind: 'Join' }>, top: PlanNode, keys: { outerKey: number; innerKey: number }) {
  const os = joinScanCost(p.outer as Extract<JoinPlan, { kind: 'Scan' }>), is = joinScanCost(p.inner as Extract<JoinPlan, { kind: 'Scan' }>);
  const o: CostedSide = { table: (p.outer as Extract<JoinPlan, { kind: 'Scan' }>).table, key: keys.outerKey, scan: os.cost, tuples: os.size.tuples };
  const i: CostedSide = { table: (p.inner as Extract<JoinPlan, { kind: 'Scan' }>).table, key: keys.innerKey, scan: is.cost, tuples: is.size.tuples };
  const selec = joinSelectivity(o, i);
  let rows = clampRowEst(o.scan.rows * i.scan.rows * selec);
  if (p.label === ' Left' && rows < o.scan.rows) rows = o.scan.rows;
  if (p.label === ' Right' && rows < i.scan.rows) rows = i.scan.rows;
  const [outerNode, second] = top.children as [PlanNode, PlanNode];
  outerNode.cost = o.scan;
  if (p.method === 'HashJoin') {
    const h = hashJoinCost(o, i, selec);
    if (h.refused) throw noCosts(h.refused);
    top.cost = { ...h.cost, rows };
    second.cost = { startup: i.scan.total, total: i.scan.total, rows: i.scan.rows, width: i.scan.width };
    second.children[0]!.cost = i.scan;
  } else if (p.method === 'NestLoop') {
    const material = p.material !== false;
    const nl = nestLoopCost(o, i, rows, material);
    if (nl.refused) throw noCosts(nl.refused);
    top.cost = nl.cost;
    if (material) { second.cost = nl.mat!; second.children[0]!.cost = i.scan; } else second.cost = i.scan;
  } else {
    const m = mergeJoinCost(o, i, selec, rows, p.label === ' Left' ? 'left' : p.label === ' Right' ? 'right' : 'inner');
    if (!m) throw noCosts('a merge join of keys whose histogram scale is not modelled');
    if (m.refused) throw noCosts(m.refused);
    top.cost = m.cost;
    const [sortO, sortI] = top.children as [PlanNode, PlanNode];
    sortO.cost = costSort(o.scan, null); sortO.children[0]!.cost = o.scan;
    sortI.cost = costSort(i.scan, null); sortI.children[0]!.cost = i.scan;
  }
}

/** Costs of a plan of the join order search (optimizer/joinrels.ts), node by node as it costed them. */
function costSearched(p: JoinPlan, n: PlanNode) {
  if (p.kind !== 'Join' || !p.searched) {
    if (p.kind !== 'Scan') throw noCosts('this join');
    n.cost = p.searchedIndex?.cost ?? joinScanCost(p).cost;
    return;
  }
  const sp = p.searched;
  n.cost = sp.cost;
  const [o, i] = n.children as [PlanNode, PlanNode];
  if (sp.method === 'HashJoin') {
    costSearched(p.outer, o);
    const ic = sp.inner.cost;
    i.cost = { startup: ic.total, total: ic.total, rows: ic.rows, width: ic.width };
    costSearched(p.inner, i.children[0]!);
    return;
  }
  if (sp.sortOuter) o.cost = sp.sortOuter;
  costSearched(p.outer, sp.sortOuter ? o.children[0]! : o);
  let inner = i;
  if (sp.material) { i.cost = sp.material; inner = i.children[0]!; }
  if (sp.method === 'MergeJoin' && sp.sortInner) { inner.cost = sp.sortInner; inner = inner.children[0]!; }
  costSearched(p.inner, inner);
}
