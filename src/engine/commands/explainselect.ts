/**
 * EXPLAIN of a SELECT: the plan tree of a query over one table, a join, a function or no FROM, with the nodes
 * grouping_planner puts above it (PostgreSQL's optimizer/plan/planner.c, as explain.c prints it) — Aggregate /
 * HashAggregate (GROUP BY, DISTINCT), Unique over a Sort (DISTINCT ON), WindowAgg over its Sort, ProjectSet, Sort (none when an index walk already
 * orders the rows, or a sort key is equated to a constant), LockRows, Limit — and, with costs, the single-table
 * plan's figures (optimizer/costsize.ts: the scan, then each node above from the estimate of the node below).
 * First the planner's own rewrites, as the executor makes them: WITH queries inlined, views expanded, simple
 * subqueries in FROM pulled up (optimizer/pullup.ts) — the plan printed is the merged query's, its pulled tables
 * named as ruleutils.c names them (`t_1` when the name is taken). A subquery that stays but adds nothing (`SELECT *
 * FROM (... ORDER BY a) s`: setrefs.c drops the trivial Subquery Scan) prints the inner query's plan.
 *
 * UNION / INTERSECT / EXCEPT: explainappend.ts. An inheritance parent: an Append of its members (inheritanceAppend
 * below). A CTE that stays and a subquery in FROM that stays (conditions pushed into it first, as the executor
 * pushes them: optimizer/subquerypush.ts): a CTE Scan / Subquery Scan over the inner query's plan (explaincte.ts).
 *
 * Simplifications, refused with 0A000: the CTE and Subquery Scan shapes explaincte.ts refuses,
 * DISTINCT with GROUP BY, EXPLAIN ANALYZE of DISTINCT ON, window functions over different windows; costs of
 * expressions, aggregates and GROUP BY shapes whose figures are not reproduced, nodes above a join, a join's select list other than *.
 */
import { notSupported } from '../errors.js';
import type { Executor } from '../executor/executor.js';
import type { Session } from '../session/session.js';
import type { RawStmt } from '../sql/parser.js';
import type { Scope } from '../sql/expr.js';
import { newQueryInstr, type QueryInstr } from '../executor/instrument.js';
import { type ScanPath, unqualifyOwn } from '../optimizer/planner.js';
import { inheritanceAppend, partitionAppend, partitionScanPath, type MemberScans } from './explaininherit.js';
import { hasInheritanceChildren } from '../catalog/pg_inherits.js';
import { costSeqScan, costIndexScanUniqueEq, costAggPlain, costHashAgg, costSort, costLimit, costResult, CPU_TUPLE_COST, CPU_OPERATOR_COST, type Cost } from '../optimizer/costsize.js';
import { estimateRelSize, columnWidth, columnUnique, clampRowEst } from '../optimizer/plancat.js';
import { whereSelectivity } from '../optimizer/clausesel.js';
import { Deparser, quoteIdent, opName, funcName, setSublinkTexts } from '../optimizer/ruleutils.js';
import { containsAggregate, type N, type Gen } from '../executor/util.js';
import { isIndexOnly, heapFetches } from '../executor/nodeIndexonlyscan.js';
import { oneTimeFilterFalse } from '../executor/nodeResult.js';
import type { Table } from '../catalog/catalog.js';
import { extractWindows, windowSpec } from '../executor/nodeWindowAgg.js';
import { extractSrfs } from '../executor/nodeProjectSet.js';
import { sortSpaceUsedKb } from '../executor/nodeSort.js';
import { type PlanNode, type Prop, node, type Options, noCosts, intConstOrNull, textProp, listProp, countProp, sortMethodProp } from './plannodes.js';
import { intConst } from '../sql/parser.js';
import { scanNode, fillScan } from './explainscan.js';
import { selectOutputs } from './explainverbose.js';
import { keptCte, keptSubquery, recursiveUnion, modifyingCte } from './explaincte.js';
import { joinNode, refuseIndexOnlyInJoin } from './explainjoin.js';
import { explainSetOp } from './explainappend.js';
import { hasSublinks, planSubplans, attachSubplans } from './explainsubplan.js';
import { costJoin } from './explainjoincost.js';
import { inlineCtes, pullUpSubqueries } from '../optimizer/pullup.js';
import { pushDownIntoSubqueries } from '../optimizer/subquerypush.js';
import { pullupEnv } from '../executor/select.js';
import { groupsByExpression, costGroupByExpressions } from './explaingroupcost.js';
import { orderedByGroupKeys } from '../executor/grouporder.js';
import { foldWhereClause } from '../optimizer/clauses.js';
import { foldSelectQuals, constantScope, noSnapshot } from '../optimizer/constfold.js';
import type { GroupingSetsPlan } from '../optimizer/groupingsets.js';

const sortNode = (keys: string[], child: PlanNode) => node('Sort', [listProp('Sort Key', keys)], [child]);
const aggNode = (strategy: 'Plain' | 'Sorted' | 'Hashed', props: Prop[], child: PlanNode) => node('Aggregate', props, [child], { strategy, partialMode: 'Simple' });
/**
 * An Agg over grouping sets (explain.c show_grouping_sets, text format): the top node's sets, then each pass of its
 * chain — a sorted rollup after the first one under its own "Sort Key" (create_groupingsets_plan). Key names: "Hash
 * Key" for a hashed pass, "Group Key" for a sorted one, "()" for the empty set; under a GroupAggregate the Sort of
 * the first rollup's largest set.
 */
function groupingSetsNode(plan: GroupingSetsPlan, keysOf: (set: number[]) => string[], having: Prop[], child: PlanNode, o: Options): PlanNode {
  if (o.format !== 'text') throw notSupported('EXPLAIN of grouping sets in a format other than text');
  if (o.costs) throw noCosts('grouping sets');
  if (o.analyze) throw notSupported('EXPLAIN ANALYZE of grouping sets');
  const lines: string[] = [];
  let firstSort = plan.explainOrder[0]!.hashed;
  plan.explainOrder.forEach((ph, i) => {
    const label = ph.hashed ? 'Hash Key' : 'Group Key';
    const sorts = i > 0 && !ph.hashed && !firstSort;
    if (i > 0 && !ph.hashed) firstSort = false;
    if (sorts) lines.push(`Sort Key: ${keysOf(ph.sets[0]!).join(', ')}`);
    for (const set of ph.sets) lines.push(`${sorts ? '  ' : ''}${label}: ${set.length ? keysOf(set).join(', ') : '()'}`);
  });
  const lead = plan.explainOrder[0]!;
  const input = plan.strategy === 'Sorted' ? sortNode(keysOf(lead.sets[0]!), child) : child;
  return node('Aggregate', [{ kind: 'split', text: lines, props: [] }, ...having], [input], { strategy: plan.strategy, partialMode: 'Simple' });
}

/** show_hashagg_info under ANALYZE: one batch in memory (the 40kB PostgreSQL reports for a few small groups) */
const hashAggBatches: Prop = {
  kind: 'split', analyze: true, text: ['Batches: 1  Memory Usage: 40kB'],
  props: [{ kind: 'int', label: 'HashAgg Batches', value: 1 }, { kind: 'int', label: 'Peak Memory Usage', value: 40, unit: 'kB' }, { kind: 'int', label: 'Disk Usage', value: 0, unit: 'kB' }],
};

/**
 * `SELECT * FROM (subquery) s` and `WITH c AS (query) SELECT * FROM c` (c read once, not MATERIALIZED) add nothing
 * to their query: PostgreSQL pulls the subquery up or inlines the CTE, or drops the trivial Subquery Scan, and
 * prints the inner query's plan — with column names qualified, since the range table now has two entries.
 */
function trivialWrapper(n: N): N | null {
  const targets = (n.targetList ?? []) as N[];
  const starOnly = targets.length === 1 && targets[0]!.ResTarget.val.ColumnRef?.fields?.length === 1 && targets[0]!.ResTarget.val.ColumnRef.fields[0].A_Star;
  const bare = starOnly && !n.whereClause && !n.groupClause && !n.havingClause && !n.sortClause && !n.limitCount && !n.limitOffset && !n.distinctClause && !n.lockingClause && !n.windowClause && (!n.op || n.op === 'SETOP_NONE') && n.fromClause?.length === 1;
  if (!bare) return null;
  const f = n.fromClause[0] as N;
  const plainSelect = (q: N | undefined) => !!q?.SelectStmt && (!q.SelectStmt.op || q.SelectStmt.op === 'SETOP_NONE') && !q.SelectStmt.withClause && !q.SelectStmt.lockingClause && !q.SelectStmt.valuesLists && !q.SelectStmt.intoClause;
  if (!n.withClause && f.RangeSubselect && !f.RangeSubselect.lateral && !f.RangeSubselect.alias?.colnames &&
    plainSelect(f.RangeSubselect.subquery)) return f.RangeSubselect.subquery.SelectStmt;
  const w = n.withClause;
  const ctes = (w?.ctes ?? []) as N[];
  if (w && !w.recursive && ctes.length === 1 && f.RangeVar && !f.RangeVar.schemaname && !f.RangeVar.alias) {
    const c = ctes[0]!.CommonTableExpr;
    if (c.ctename === f.RangeVar.relname && c.ctematerialized !== 'CTEMaterializeAlways' && !c.aliascolnames && plainSelect(c.ctequery)) return c.ctequery.SelectStmt;
  }
  return null;
}

export function* explainSelect(ex: Executor, s: Session, n: N, raw: RawStmt, o: Options, prefix = false): Gen<PlanNode> {
  // the planner's first steps, as the executor takes them (executor/select.ts): WITH queries inlined, views
  // expanded, simple subqueries in FROM pulled up — the plan is then that of the merged query
  const env = pullupEnv(ex, s, raw.text, undefined);
  let merged = n;
  if (merged.withClause) { const inlined = inlineCtes(merged, env); if (!inlined.withClause) merged = inlined; }
  merged = (yield* pullUpSubqueries(merged, env)) ?? merged;
  // conditions pushed into the subqueries that stay (optimizer/subquerypush.ts), as the executor does next
  merged = (yield* pushDownIntoSubqueries(merged, env)) ?? merged;
  if (merged !== n) return yield* explainSelect(ex, s, merged, raw, o, true);
  const inner = trivialWrapper(n);
  if (inner) return yield* explainSelect(ex, s, inner, raw, o, true);
  // a WITH query that stays: planned first, read by a CTE Scan (explaincte.ts)
  const cte = n.withClause ? keptCte(n, o) : null;
  if (cte?.modify) return yield* modifyingCte(ex, s, n, raw, o, cte);
  let ctePlan = cte ? yield* explainSelect(ex, s, cte.recursive?.first ?? cte.query, raw, o, true) : null;
  if (n.op && n.op !== 'SETOP_NONE') return yield* explainSetOp(ex, s, n, raw, o, (arm) => explainSelect(ex, s, arm, raw, o));
  // a subquery in FROM that stays: planned first, read by a Subquery Scan (explaincte.ts)
  const subq = n.fromClause?.[0]?.RangeSubselect ? keptSubquery(n, o) : null;
  const subqPlan = subq ? yield* explainSelect(ex, s, subq.query, raw, o, true) : null;
  // subqueries in the select list or WHERE: planned first (InitPlans / hashed SubPlans, explainsubplan.ts)
  const leafNames = (f: N): string[] => (f.JoinExpr ? [...leafNames(f.JoinExpr.larg), ...leafNames(f.JoinExpr.rarg)]
    : f.RangeVar ? [f.RangeVar.alias?.aliasname ?? f.RangeVar.relname] : []);
  if ((cte || subq) && hasSublinks(n)) throw notSupported(`EXPLAIN of subqueries beside a ${cte ? 'CTE' : 'subquery in FROM'}`);
  if ((cte || subq) && o.costs) throw noCosts(cte ? 'a CTE Scan' : 'a Subquery Scan');
  const subs = hasSublinks(n)
    ? yield* planSubplans(ex, s, n, o, ((n.fromClause ?? []) as N[]).flatMap(leafNames), (q) => explainSelect(ex, s, q, raw, o)) : null;
  const qi: QueryInstr = newQueryInstr();
  qi.planOnly = !o.analyze;
  ex.queryInstr = qi;
  let result: { rows: unknown[][] };
  // (a kept CTE is analyzed, not read: plain EXPLAIN runs nothing)
  if (cte || subq) s.noRows++;
  try { result = yield* ex.query(s, n, raw.text, true); } finally { ex.queryInstr = null; if (cte || subq) s.noRows--; }
  // the plan shows the clause after constant folding (optimizer/constfold.ts, then clauses.ts's AND / OR
  // simplification), as the query above planned it; the query analyzed all of it
  n = foldSelectQuals(n, constantScope(ex.env(s, noSnapshot), raw.text));
  const folded = foldWhereClause(n.whereClause);
  if (folded !== n.whereClause) n = { ...n, whereClause: folded };
  setSublinkTexts(subs?.texts ?? null); // while this level prints (no yield below)
  try {
    if (n.valuesLists) {
      const p = node('Values Scan', [], [], { target: { tag: null, object: null, alias: '*VALUES*' } });
      if (o.analyze) p.rows = result.rows.length;
      return p;
    }
    const scope = qi.scope!;
    const joined = qi.joinPlan;
    // several range table entries (or VERBOSE): sort / group keys qualified; the output entries only for several
    const d = new Deparser(scope, !!joined || prefix || !!subs || !!qi.inhMembers || (qi.partLeaves?.length ?? 0) > 1 || !!cte || !!subq || o.verbose);
    const outD = new Deparser(scope, !!joined || prefix || !!subs || !!qi.inhMembers || (qi.partLeaves?.length ?? 0) > 1 || !!cte || !!subq);
    const f = n.fromClause?.[0] as N | undefined;
    const grouping = !!n.groupClause?.length || !!n.havingClause || containsAggregate(n.targetList) || containsAggregate(n.sortClause);
    const distinct = !!n.distinctClause;
    if (grouping && distinct) throw notSupported('EXPLAIN of DISTINCT with GROUP BY or aggregates');
    const distinctOn = distinct && n.distinctClause.length > 0 && Object.keys(n.distinctClause[0] ?? {}).length > 0;
    if (distinctOn && o.analyze) throw notSupported('EXPLAIN ANALYZE of DISTINCT ON');
    if (distinctOn && qi.joinPlan) throw notSupported('EXPLAIN of DISTINCT ON over a join (PostgreSQL weighs a join that delivers the rows sorted)');
    let table = f?.RangeVar && !joined && !cte ? ex.table(f.RangeVar) : null;
    let top: PlanNode;
    let joinTop: PlanNode | null = null;
    let scan: { top: PlanNode; scan: PlanNode; index: PlanNode | null } | null = null;
    let path = qi.path;
    let indexOnlyFetches: number | null = null;
    /** an Append's member scans (an inheritance parent, a partitioned table): ANALYZE fills each in */
    let members: MemberScans | null = null;
    if (f && oneTimeFilterFalse(ex.compileWhere(n.whereClause, scope), n.whereClause, scope)) {
      top = node('Result', [textProp('One-Time Filter', 'false')]); // the scans and joins below are never planned
      if (o.analyze) top.rows = 0;
    } else if (joined) {
      refuseIndexOnlyInJoin(joined, n, d);
      top = joinNode(ex, s, joined, d, raw.text, o.analyze, o.verbose);
      joinTop = top;
    } else if (subq) {
      // its conditions qualified (show_scan_qual's prefix for a Subquery Scan)
      const sd = new Deparser(scope, true);
      top = node('Subquery Scan', [textProp('Filter', sd.qualList(sd.quals(n.whereClause))), countProp('Rows Removed by Filter', 0)], [subqPlan!], { target: { tag: null, object: null, alias: subq.alias } });
    } else if (cte) {
      const cd = new Deparser(scope, o.verbose);
      const w = cd.quals(n.whereClause);
      top = node('CTE Scan', w.length ? [textProp('Filter', cd.qualList(w)), countProp('Rows Removed by Filter', 0)] : [], [], { target: { tag: 'CTE Name', object: cte.name, alias: cte.alias ?? cte.name } });
    } else if (table && path && qi.partLeaves && qi.partLeaves.length !== 1) {
      // a partitioned table: an Append of the partitions pruning kept, or nothing at all (explaininherit.ts)
      members = partitionAppend(ex, s, n, qi.partLeaves, table, f!.RangeVar.alias?.aliasname ?? null, scope, path, o);
      top = members.top;
    } else if (table && path && qi.partLeaves) {
      // one partition left: its scan alone, no Append (setrefs.c removes a one-child Append), named by the parent
      const leaf = partitionScanPath(s, qi.partLeaves[0]!, n, scope);
      scan = scanNode(leaf.path, leaf.table, f!.RangeVar.alias?.aliasname ?? table.name, unqualifyOwn(n.whereClause, scope), new Deparser(scope, o.verbose));
      table = leaf.table; path = leaf.path;
      top = scan.top;
    } else if (table && path && qi.inhMembers) {
      members = inheritanceAppend(ex, s, n, qi.inhMembers, table, f!.RangeVar.alias?.aliasname ?? null, scope, path, o);
      top = members.top;
    } else if (table && path) {
      // a scan's own quals unqualified
      scan = scanNode(path, table, f!.RangeVar.alias?.aliasname ?? null, unqualifyOwn(n.whereClause, scope), new Deparser(scope, o.verbose));
      if (isIndexOnly(path, table, n, scope.env.currentSetting('enable_indexonlyscan', true) !== 'off')) { scan.scan.type = 'Index Only Scan'; indexOnlyFetches = heapFetches(path, table); }
      top = scan.top;
    } else if (f?.RangeFunction) {
      const fd = new Deparser(scope, o.verbose);
      const w = fd.quals(n.whereClause);
      const alias = f.RangeFunction.alias?.aliasname;
      const target = { tag: 'Function Name', object: 'generate_series', schema: 'pg_catalog', alias: alias ?? 'generate_series' };
      top = node('Function Scan', w.length ? [textProp('Filter', fd.qualList(w)), countProp('Rows Removed by Filter', qi.fastRemoved)] : [], [], { target });
      if (o.analyze) top.rows = qi.fastRows;
    } else if (!f) {
      if (n.whereClause) throw notSupported('EXPLAIN of WHERE without FROM (One-Time Filter)');
      top = node('Result');
      if (o.analyze) top.rows = qi.fastRows;
    } else throw notSupported('EXPLAIN of this FROM item');

    const targets = (n.targetList ?? []) as N[];
    /** an ORDER BY / GROUP BY item: an output column by position or name means that target's expression */
    const resolve = (k: N): N => {
      const pos = k.A_Const && !k.A_Const.sval && !k.A_Const.fval ? intConst(k.A_Const) ?? 0 : 0;
      if (pos >= 1 && pos <= targets.length) return targets[pos - 1]!.ResTarget.val;
      const nm = k.ColumnRef?.fields?.length === 1 ? k.ColumnRef.fields[0].String?.sval : undefined;
      const hit = nm !== undefined ? targets.find((t) => t.ResTarget.name === nm) : undefined;
      return hit ? hit.ResTarget.val : k;
    };
    const keyText = (k: N, paren: boolean) => {
      if (k.ColumnRef?.fields?.some((x: N) => x.A_Star)) return scope.columns.map((c) => quoteIdent(c.name)).join(', ');
      // a key that is an expression computed below (a Var of the node under it, ruleutils.c get_variable) is
      // printed in parentheses of its own: Sort Key: ((k % 3)), (lower(c))
      const e = d.expr(k);
      return paren && !k.ColumnRef ? `(${e})` : e;
    };

    const sortKeyText = (sb: N) => {
      const x = sb.SortBy;
      const desc = x.sortby_dir === 'SORTBY_DESC';
      const nulls = x.sortby_nulls === 'SORTBY_NULLS_FIRST' ? !desc ? ' NULLS FIRST' : '' : x.sortby_nulls === 'SORTBY_NULLS_LAST' ? desc ? ' NULLS LAST' : '' : '';
      return `${keyText(x.node, true)}${desc ? ' DESC' : ''}${nulls}`;
    };

    let agg: PlanNode | null = null;
    if (grouping && qi.groupingSets) {
      const having = n.havingClause ? [textProp('Filter', d.qualList(d.quals(n.havingClause)))] : [];
      const keysOf = (set: number[]) => set.map((r) => keyText(resolve(qi.groupKeyNodes![r - 1]!), false));
      agg = groupingSetsNode(qi.groupingSets, keysOf, having, top, o);
      top = agg;
    } else if (grouping) {
      // (a GroupAggregate's keys are its Sort's output columns: an expression in parentheses of its own too)
      const keys = ((qi.groupKeyNodes ?? n.groupClause ?? []) as N[]).filter((_, i) => !qi.groupUseless?.has(i))
        .map((g) => keyText(resolve(g), !!qi.groupSorted));
      const having = n.havingClause ? [textProp('Filter', d.qualList(d.quals(n.havingClause)))] : [];
      // GroupAggregate over a Sort when add_path kept that, or an aggregate cannot be hashed (optimizer/distinctpaths.ts)
      if (keys.length && qi.groupSorted) top = sortNode(keys, top);
      agg = aggNode(keys.length ? (qi.groupSorted ? 'Sorted' : 'Hashed') : 'Plain', [...(keys.length ? [listProp('Group Key', keys)] : []), ...having], top);
      top = agg;
    } else if (distinctOn) {
    // DISTINCT ON: a Unique over the rows sorted on ORDER BY (which must begin with the DISTINCT ON expressions)
    // and then the DISTINCT ON expressions ORDER BY left out (planner.c: the sort pathkeys extended by the
    // distinct ones); an index walk in that order needs no Sort
      const onKeys = (n.distinctClause as N[]).map((k) => resolve(k));
      const orderKeys = ((n.sortClause ?? []) as N[]).map((sb) => ({ SortBy: { ...sb.SortBy, node: resolve(sb.SortBy.node) } }));
      const same = (a: N, b: N) => keyText(a, false) === keyText(b, false);
      const extra = onKeys.filter((k) => !orderKeys.some((sb) => same(sb.SortBy.node, k)));
      // a DISTINCT ON expression ORDER BY leaves out is printed in one more pair of parentheses
      const keys = [...orderKeys.map(sortKeyText), ...extra.map((k) => (k.ColumnRef ? keyText(k, false) : `(${keyText(k, false)})`))];
      if (path?.kind === 'IndexScanOrdered') {
        if (extra.length && (orderKeys.length || onKeys.length > 1)) throw notSupported('EXPLAIN of DISTINCT ON over an index walk that gives only part of its order (Incremental Sort)');
      } else {
        top = sortNode(keys, top);
      }
      agg = node('Unique', [], [top]);
      top = agg;
    } else if (distinct && qi.distinctSorted) {
      // add_path kept the sorted path (optimizer/distinctpaths.ts): Unique over a Sort on the DISTINCT columns
      top = sortNode([...new Set(targets.map((t) => keyText(t.ResTarget.val, false)))], top);
      agg = node('Unique', [], [top]);
      top = agg;
    } else if (distinct) {
      agg = aggNode('Hashed', [listProp('Group Key', targets.map((t) => keyText(t.ResTarget.val, false)))], top);
      top = agg;
    }
    // show_hashagg_info outside text, with costs: the partitions the planner expected to spill (none here)
    if (agg?.strategy === 'Hashed' && o.costs) agg.props.push({ kind: 'split', text: [], props: [{ kind: 'int', label: 'Planned Partitions', value: 0 }] });
    // window functions: a WindowAgg over the Sort its PARTITION BY / ORDER BY need (none after an index walk)
    const wcalls = extractWindows(n)?.calls ?? [];
    let winSort: PlanNode | null = null, winAgg: PlanNode | null = null;
    if (wcalls.length) {
      const w = windowSpec(wcalls);
      if (!w) throw notSupported('EXPLAIN of window functions over different windows');
      const keys = [...((w.partitionClause ?? []) as N[]).map((p) => keyText(p, true)), ...((w.orderClause ?? []) as N[]).map(sortKeyText)];
      if (keys.length && path?.kind !== 'IndexScanOrdered') { winSort = sortNode(keys, top); winSort.props.push(sortMethodProp('quicksort', 25)); top = winSort; }
      winAgg = node('WindowAgg', [], [top]);
      top = winAgg;
    }
    const projectSet = extractSrfs(n) ? node('ProjectSet', [], [top]) : null;
    if (projectSet) top = projectSet;
    if ((winAgg || projectSet) && o.analyze && !table && f) throw notSupported('EXPLAIN ANALYZE of window or set-returning functions over a function');
    const sortItems = (n.sortClause ?? []) as N[];
    let sort: PlanNode | null = null;
    const sortedByIndex = path && (path.kind === 'IndexScanOrdered' || (path.kind === 'IndexScan' && sortItems.length === 1 && !grouping && !distinct
      && resolve(sortItems[0]!.SortBy.node).ColumnRef?.fields?.length === 1
      && table!.columns[path.index.columns[0]!]?.name === resolve(sortItems[0]!.SortBy.node).ColumnRef.fields[0].String?.sval
      && sortItems[0]!.SortBy.sortby_dir !== 'SORTBY_DESC'));
    // a sort key the WHERE equates to a constant is redundant (pathkeys.c pathkey_is_redundant: its equivalence class
    // holds a constant, every row has the same value); none left, no Sort
    const fixed = table && !grouping && !distinct ? constantColumns(n.whereClause, table.name, f!.RangeVar.alias?.aliasname ?? null) : new Set<string>();
    const isFixed = (k: N) => {
      const fl = k.ColumnRef?.fields as N[] | undefined;
      return !!fl && fl.every((x) => x.String) && fixed.has(fl.map((x) => x.String.sval).join('.'));
    };
    const liveSortItems = sortItems.filter((sb) => !isFixed(resolve(sb.SortBy.node)));
    // the join order search chose a path already in ORDER BY's order (a merge join, an Index Scan below): no Sort
    const sortedByJoin = joined?.kind === 'Join' && !!joined.searched?.presorted;
    // a GroupAggregate's groups come out in GROUP BY's order: ORDER BY the same keys needs no Sort
    const sortedByGroup = grouping && !qi.groupingSets && !!qi.groupSorted && orderedByGroupKeys(n);
    if (liveSortItems.length && !sortedByIndex && !sortedByJoin && !distinctOn && !sortedByGroup) {
      const keys = liveSortItems.map((sb) => sortKeyText({ SortBy: { ...sb.SortBy, node: resolve(sb.SortBy.node) } }));
      sort = sortNode(keys, top);
      if (o.analyze) sort.props.push(sortMethod(qi, n));
      top = sort;
    }
    let lock: PlanNode | null = null;
    if (n.lockingClause?.length) { lock = node('LockRows', [], [top]); top = lock; }
    let limit: PlanNode | null = null;
    if (n.limitCount || n.limitOffset) { limit = node('Limit', [], [top]); top = limit; }

    if (o.costs) {
      if (qi.inhMembers || (qi.partLeaves && qi.partLeaves.length !== 1)) {
        // an inheritance parent's or a partitioned table's Append: costed with its members (explaininherit.ts)
        if (top.type !== 'Append') throw noCosts('nodes above an Append');
      } else if (joined) {
        if (top !== joinTop) throw noCosts('nodes above a join');
        const targets0 = targets.length === 1 && targets[0]!.ResTarget.val.ColumnRef?.fields?.length === 1 &&
          targets[0]!.ResTarget.val.ColumnRef.fields[0].A_Star;
        if (!targets0) throw noCosts('a join with this select list (only SELECT * is modelled)');
        costJoin(joined, top);
      } else if (winAgg || projectSet || distinct || (lock && (agg || sort || limit))) throw noCosts(winAgg ? 'window functions' : projectSet ? 'set-returning functions' : distinct ? 'DISTINCT' : 'LockRows over other nodes');
      else if (!f) {
        if (!targets.every((t) => t.ResTarget.val.A_Const && intConstOrNull(t.ResTarget.val) !== null)) throw noCosts('a Result of these expressions');
        top.cost = costResult(4 * targets.length);
      } else {
        if (!table || !path || !scan) throw noCosts('this FROM item');
        const est = 'est' in path ? path.est : undefined;
        if (indexOnlyFetches !== null && !est) throw noCosts('an Index Only Scan');
        if (path.kind !== 'SeqScan' && !est && !(path.kind === 'IndexScan' && path.index.unique)) throw noCosts('this index scan (btcostestimate of a range or a non-unique index)');
        // GROUP BY an expression: explaingroupcost.ts (the scan computes the expressions)
        if (agg && !qi.groupingSets && groupsByExpression(n, resolve)) {
          if (qi.groupSorted && sort) throw noCosts('a Sort over a GroupAggregate');
          costGroupByExpressions(scope, n, table, { scan: scan.scan, agg, sort, limit }, targets, resolve, path, !!qi.groupSorted, aggCost);
        } else {
          if (qi.groupSorted) throw noCosts('a GroupAggregate over a Sort');
          costUpper(ex, scope, n, table, { scan: scan.scan, agg, sort, limit }, targets, resolve, path);
        }
        // a Bitmap Index Scan: 0 .. the index part's total, the rows its conditions select, no width
        if (est?.indexTotal !== undefined && scan.index) scan.index.cost = { startup: 0, total: est.indexTotal, rows: est.indexRows!, width: 0 };
        if (lock) {
        // LockRows: its input carries each row's ctid (6 bytes); cpu_tuple_cost per row locked
          const c = scan.scan.cost!;
          c.width += 6;
          lock.cost = { startup: c.startup, total: c.total + CPU_TUPLE_COST * c.rows, rows: c.rows, width: c.width };
        }
      }
    }

    if (o.analyze) {
      const all = qi.belowSort;
      if (limit) limit.rows = result.rows.length;
      if (lock) lock.rows = qi.locked;
      if (sort) sort.rows = qi.pulled;
      if (agg) {
        agg.rows = grouping ? (sort ? all : qi.pulled) : qi.distinct;
        // show_hashagg_info, then the HAVING's count (ExplainNode's order for an Agg)
        if (agg.strategy === 'Hashed') agg.props.push(hashAggBatches);
        if (n.havingClause) agg.props.push(countProp('Rows Removed by Filter', qi.groupsRemoved));
      }
      const input = scan || members ? qi.scan.rows : 1;
      if (members) {
        // (a LIMIT 0 never pulls from the Append: no member started)
        members.top.rows = qi.scan.appendStarted ? qi.scan.rows : null;
        // under a LIMIT the members after the one that filled it never started: "(never executed)"
        members.scans.forEach((m, i) => { const mi = qi.scan.members?.[i]; if (mi) fillScan(m, mi, null); });
      }
      if (winSort) winSort.rows = input;
      if (winAgg) winAgg.rows = limit && !sort && !projectSet ? qi.pulled : input;
      if (projectSet) { projectSet.rows = limit && !sort ? qi.pulled : all; if (!scan) { const r = findResult(projectSet); if (r) r.rows = 1; } }
      // (one partition left: its scan ran as the Append's only member)
      const scanInstr = qi.partLeaves?.length === 1 && qi.scan.members?.length === 1 ? qi.scan.members[0]! : qi.scan;
      // (…unless a LIMIT 0 never started it)
      const unstarted = !!qi.partLeaves && !qi.scan.appendStarted;
      if (scan && !unstarted) fillScan(scan, scanInstr, sort || agg || winAgg || projectSet ? null : qi.limitHit ? qi.pulled : null);
      if (scan && indexOnlyFetches !== null) scan.scan.props.push({ kind: 'float', label: 'Heap Fetches', value: indexOnlyFetches, digits: 0, analyze: true });
    }
    if (o.verbose) {
      if (subs) throw notSupported('EXPLAIN (VERBOSE) of subqueries (InitPlan / SubPlan)');
      selectOutputs(top, n, scope, outD, resolve, table);
    }
    if (subs) attachSubplans(top, subs);
    if (cte?.recursive) ctePlan = recursiveUnion(ctePlan!, cte, scope);
    if (ctePlan) top.initPlans = [{ label: `CTE ${cte!.name}`, plan: ctePlan }, ...(top.initPlans ?? [])];
    return top;
  } finally { setSublinkTexts(null); }
}

/** the Result at the bottom of a ProjectSet without FROM */
function findResult(p: PlanNode): PlanNode | null {
  if (p.type === 'Result') return p;
  for (const c of p.children) { const r = findResult(c); if (r) return r; }
  return null;
}

/**
 * The columns a WHERE's top-level AND conjuncts equate to a non-null literal (`v = 3`, `3 = v`, `t.v = 'x'`), as the
 * names a column reference may use: `v` and `t.v` (or `alias.v`). Their equivalence classes hold a constant
 * (equivclass.c, ec_has_const). Simplification: a parameter ($1 of EXECUTE) or a constant expression is not counted.
 */
function constantColumns(where: N | undefined, table: string, alias: string | null): Set<string> {
  const out = new Set<string>();
  if (!where) return out;
  const conj: N[] = where.BoolExpr?.boolop === 'AND_EXPR' ? where.BoolExpr.args : [where];
  const isConst = (x: N | undefined) => !!x?.A_Const && !x.A_Const.isnull;
  for (const c of conj) {
    const e = c.A_Expr;
    if (!e || e.kind !== 'AEXPR_OP' || e.name?.length !== 1 || e.name[0]?.String?.sval !== '=') continue;
    const col = isConst(e.rexpr) ? e.lexpr : isConst(e.lexpr) ? e.rexpr : null;
    const fl = col?.ColumnRef?.fields as N[] | undefined;
    if (!fl || !fl.every((x) => x.String) || fl.length > 2) continue;
    const name = fl[fl.length - 1]!.String.sval as string;
    if (fl.length === 2 && fl[0]!.String.sval !== (alias ?? table)) continue;
    out.add(name);
    out.add(`${alias ?? table}.${name}`);
  }
  return out;
}


/** What an aggregate call costs (transition / final function calls) and how wide its result is; null: not modelled. */
function aggCost(fc: N, table: Table): { trans: number; final: number; width: number } | null {
  const name = funcName({ FuncCall: fc });
  if (fc.agg_filter || fc.agg_order || fc.agg_distinct || fc.over) return null;
  if (name === 'count' && fc.agg_star) return { trans: 1, final: 0, width: 8 };
  const args = (fc.args ?? []) as N[];
  if (args.length !== 1 || !args[0]!.ColumnRef) return null;
  const f = args[0]!.ColumnRef.fields as N[];
  const col = table.columns.findIndex((c) => !c.dropped && c.name === f[f.length - 1]!.String?.sval);
  if (col < 0) return null;
  const type = table.columns[col]!.type.name;
  const intish = type === 'int2' || type === 'int4';
  if (name === 'count') return { trans: 1, final: 0, width: 8 };
  if (name === 'sum' && intish) return { trans: 1, final: 0, width: 8 };
  if ((name === 'min' || name === 'max') && (intish || type === 'int8')) return { trans: 1, final: 0, width: columnWidth(table, col).width };
  if (name === 'avg' && intish) return { trans: 1, final: 1, width: 32 };
  return null;
}

/**
 * Costs of a single-table plan (optimizer/costsize.ts): the Seq Scan with its quals, then Aggregate /
 * HashAggregate, Sort and Limit above it, each from the estimate of the node below.
 */
function costUpper(ex: Executor, scope: Scope, n: N, t: Table, nodes: { scan: PlanNode; agg: PlanNode | null; sort: PlanNode | null; limit: PlanNode | null },
  targets: N[], resolve: (k: N) => N, path: ScanPath) {
  /** the scan: a Seq Scan, or an Index Scan of one key of a unique index (its condition is one of the quals) */
  const scanCost = (pages: number, tuples: number, qualOps: number, rows: number, width: number, tlistOps = 0): Cost => {
    if (path.kind === 'SeqScan') return costSeqScan(pages, tuples, qualOps, rows, width, tlistOps);
    // a path chosen by cost (optimizer/scanpaths.ts) carries its estimate; the target list is paid per output row
    if ('est' in path && path.est) {
      let tl = 0;
      for (let i = 0; i < tlistOps; i++) tl += CPU_OPERATOR_COST;
      return { startup: path.est.startup, total: path.est.total + tl * rows, rows, width };
    }
    if (path.kind !== 'IndexScan' || t.stats || path.index.entries.size + path.index.nullEntries.length > 200) throw noCosts('this index scan (btcostestimate of an analyzed table or a multi-page index)');
    if (tlistOps) throw noCosts('expressions over an index scan');
    return costIndexScanUniqueEq(tuples, pages, qualOps - 1, rows, width);
  };
  void scope;
  // an inheritance parent read ONLY: no 10-page minimum (relhassubclass)
  const size = estimateRelSize(t, hasInheritanceChildren(ex.eng.catalog, t));
  const ws = whereSelectivity(t, size.tuples, n.whereClause);
  if (!ws) throw noCosts('this WHERE clause (its selectivity is not estimated)');
  const scanRows = clampRowEst(size.tuples * ws.sel);
  const colIndex = (x: N): number => {
    const f = x.ColumnRef?.fields as N[] | undefined;
    if (!f || !f.every((y) => y.String) || f.length > 2) return -1;
    return t.columns.findIndex((c) => !c.dropped && c.name === f[f.length - 1]!.String.sval);
  };
  const widthOf = (col: number) => { const w = columnWidth(t, col); if (!w.exact) throw noCosts('a column whose width the simulator does not measure'); return w.width; };
  const allCols = t.columns.map((c, i) => ({ c, i })).filter((x) => !x.c.dropped).map((x) => x.i);
  /** the columns a target needs and its cost in operator calls; null: an expression not modelled */
  const targetCols = (x: N): { cols: number[]; ops: number; width: number } | null => {
    if (x.ColumnRef?.fields?.some((y: N) => y.A_Star)) return { cols: allCols, ops: 0, width: allCols.reduce((a, c) => a + widthOf(c), 0) };
    const c = colIndex(x);
    if (c >= 0) return { cols: [c], ops: 0, width: widthOf(c) };
    const e = x.A_Expr;
    if (e?.kind === 'AEXPR_OP' && ['+', '-', '*'].includes(opName(x)) && e.lexpr) {
      const l = targetCols(e.lexpr), r = targetCols(e.rexpr);
      const intCol = (y: N) => { const i = colIndex(y); return i >= 0 ? t.columns[i]!.type.name === 'int4' : intConstOrNull(y) !== null && Math.abs(intConstOrNull(y)!) < 2 ** 31; };
      if (!intCol(e.lexpr) || !intCol(e.rexpr)) return null;
      return { cols: [...(l?.cols ?? []), ...(r?.cols ?? [])], ops: 1 + (l?.ops ?? 0) + (r?.ops ?? 0), width: 4 };
    }
    if (intConstOrNull(x) !== null) return { cols: [], ops: 0, width: 4 };
    return null;
  };
  const sortItems = (n.sortClause ?? []) as N[];
  let top: Cost;
  if (nodes.agg) {
    if (n.havingClause) throw noCosts('HAVING');
    if (n.whereClause && n.groupClause?.length) throw noCosts('GROUP BY under a WHERE clause (estimate_num_groups scales by the selectivity)');
    let trans = 0, final = 0, aggWidth = 0;
    const needed = new Set<number>();
    const groupCols = ((n.groupClause ?? []) as N[]).map((g) => colIndex(resolve(g)));
    if (groupCols.some((c) => c < 0) || groupCols.length > 1) throw noCosts('this GROUP BY');
    for (const g of groupCols) { needed.add(g); aggWidth += widthOf(g); }
    for (const tl of targets) {
      const v = tl.ResTarget.val;
      if (v.FuncCall) {
        const a = aggCost(v.FuncCall, t);
        if (!a) throw noCosts('this aggregate');
        trans += a.trans; final += a.final; aggWidth += a.width;
        for (const arg of (v.FuncCall.args ?? []) as N[]) { const c = colIndex(arg); if (c >= 0) needed.add(c); }
      } else {
        const c = colIndex(v);
        if (c < 0 || !groupCols.includes(c)) throw noCosts('this target list');
      }
    }
    // every grouping column printed once in the target list (a grouping column missing from it is resjunk: not modelled)
    if (groupCols.some((g) => !targets.some((tl) => colIndex(tl.ResTarget.val) === g))) throw noCosts('a GROUP BY column outside the select list');
    const scanWidth = [...needed].reduce((a, c) => a + widthOf(c), 0);
    nodes.scan.cost = scanCost(size.pages, size.tuples, ws.ops, scanRows, scanWidth);
    if (groupCols.length) {
      const g = groupCols[0]!;
      let groups: number;
      if (!t.stats) groups = columnUnique(t, g) ? size.tuples : 200;
      else if (t.stats.distinct?.[g] === -1 && (t.stats.nullfrac?.[g] ?? 1) === 0) groups = size.tuples;
      else throw noCosts('GROUP BY of an analyzed column with duplicates or NULLs (n_distinct estimates)');
      groups = Math.min(groups, scanRows);
      top = nodes.agg.cost = costHashAgg(nodes.scan.cost, 1, trans, final, groups, aggWidth);
    } else {
      top = nodes.agg.cost = costAggPlain(nodes.scan.cost, trans, final, aggWidth);
    }
    for (const sb of sortItems) { const c = colIndex(resolve(sb.SortBy.node)); if (c < 0 || !groupCols.includes(c)) throw noCosts('this ORDER BY'); }
  } else {
    let width = 0, ops = 0;
    const outCols = new Set<number>();
    for (const tl of targets) {
      const r = targetCols(tl.ResTarget.val);
      if (!r) throw noCosts('this target list');
      width += r.width; ops += r.ops;
      const c = colIndex(tl.ResTarget.val);
      if (c >= 0) outCols.add(c);
      if (tl.ResTarget.val.ColumnRef?.fields?.some((y: N) => y.A_Star)) allCols.forEach((x) => outCols.add(x));
    }
    // an ORDER BY column not in the select list rides along as a resjunk column
    for (const sb of sortItems) {
      const k = resolve(sb.SortBy.node);
      const c = colIndex(k);
      if (c < 0) { if (!targets.some((tl) => tl.ResTarget.val === k)) throw noCosts('this ORDER BY'); continue; }
      if (!outCols.has(c)) { outCols.add(c); width += widthOf(c); }
    }
    if (ops && (sortItems.length || nodes.limit)) throw noCosts('expressions under Sort or Limit');
    top = nodes.scan.cost = scanCost(size.pages, size.tuples, ws.ops, scanRows, width, ops);
  }
  const limitOf = (x: N | undefined, what: string): number | null => {
    if (!x) return null;
    const v = intConstOrNull(x);
    if (v === null || v < 0) throw noCosts(`this ${what}`);
    return v;
  };
  const count = limitOf(n.limitCount, 'LIMIT'), offset = limitOf(n.limitOffset, 'OFFSET') ?? 0;
  if (count === 0) throw noCosts('LIMIT 0');
  if (nodes.sort) top = nodes.sort.cost = costSort(top, count !== null ? count + offset : null);
  if (nodes.limit) nodes.limit.cost = costLimit(top, offset, count);
}

/**
 * A Sort's "Sort Method" line under ANALYZE (tuplesort_get_stats): under a LIMIT of constants the sort is bounded
 * (offset + count) and, once it has more than twice that many rows, keeps only the first ones in a heap ("top-N
 * heapsort"); else a quicksort of them all. The memory: executor/nodeSort.ts sortSpaceUsedKb over the tuples the
 * Sort held; a handful of rows when they are not known (25kB, the empty SortTuple array's), refused beyond.
 */
function sortMethod(qi: QueryInstr, n: N): Prop {
  const count = n.limitCount ? intConstOrNull(n.limitCount) : null, offset = n.limitOffset ? intConstOrNull(n.limitOffset) : 0;
  const bound = n.limitCount && count !== null && offset !== null ? count + offset : null;
  const t = qi.sortTuples?.() ?? null;
  const rows = t ? t.rows.length : qi.belowSort;
  const heap = bound !== null && bound > 0 && rows > 2 * bound;
  const method = heap ? 'top-N heapsort' : 'quicksort';
  if (!t) {
    if (rows > 8) throw notSupported('EXPLAIN ANALYZE of a Sort of expressions or groups over more than 8 rows (its memory figure is not modelled)');
    return sortMethodProp(method, 25);
  }
  const kb = sortSpaceUsedKb(heap ? t.rows.slice(0, bound!) : t.rows, t.types, bound === null ? undefined : { held: heap ? 2 * bound! + 1 : rows });
  if (kb === null) throw notSupported('EXPLAIN ANALYZE of a Sort of these types (its memory figure is not modelled)');
  return sortMethodProp(method, kb);
}
