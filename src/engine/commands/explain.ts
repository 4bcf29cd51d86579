/**
 * EXPLAIN (PostgreSQL's commands/explain.c): the plan the simulator runs for a statement, printed as PostgreSQL
 * prints it — one node per line, children under "->", each node's conditions beneath it.
 *
 *     EXPLAIN (COSTS OFF) SELECT * FROM t WHERE k >= 2 ORDER BY v LIMIT 1;
 *     Limit
 *       ->  Sort
 *             Sort Key: v
 *             ->  Bitmap Heap Scan on t
 *                   Recheck Cond: (k >= 2)
 *                   ->  Bitmap Index Scan on t_pkey
 *                         Index Cond: (k >= 2)
 *
 * The scan path is the one the executor runs (optimizer/planner.ts chooseScan), and so is the join method
 * (optimizer/joinpath.ts: Hash Join over a Hash, Merge Join over two Sorts, Nested Loop over a Materialize, with
 * Hash / Merge Cond and Join Filter, names qualified); the nodes above follow the query (grouping_planner):
 * Aggregate / HashAggregate (GROUP BY, DISTINCT), WindowAgg (over its Sort), ProjectSet, Sort, LockRows, Limit;
 * UPDATE, DELETE and INSERT sit under ModifyTable ("Update on t"). A subquery in FROM or a WITH query that adds
 * nothing prints the inner query's plan (pulled up / inlined); EXPLAIN EXECUTE the prepared statement's plan for
 * its values. EXPLAIN ANALYZE runs the statement and adds each node's "(actual rows=N loops=1)" and the rows its
 * filter removed (executor/instrument.ts). Costs (the default) come from optimizer/costsize.ts. After Planning Time,
 * EXPLAIN ANALYZE prints one "Trigger for constraint …: calls=N" line per foreign-key trigger the statement fired
 * (ExplainPrintTriggers, in trigger-name order; deferred ones have not fired yet).
 *
 * Simplifications, each refused with 0A000 rather than printed differently from PostgreSQL: costs of any node
 * but Seq Scan, Aggregate, HashAggregate, Sort, Limit, Result, a hash join on a unique inner key, a merge join
 * over sorts of never-analyzed tables, a nested loop over a Materialize, ModifyTable and LockRows, an Index Scan
 * of one key of a one-page unique index (range and bitmap scans, analyzed indexes, RETURNING …) — use COSTS OFF;
 * TIMING ON, VERBOSE, BUFFERS, WAL, SETTINGS, FORMAT other than TEXT; joins the planner's rules cannot
 * vouch for (three or more relations, index scans under a join, ORDER BY / LIMIT over a join …) and EXPLAIN
 * ANALYZE of joins; subqueries (SubPlan / InitPlan, a Subquery Scan that stays), CTE Scan, UNION / INTERSECT /
 * EXCEPT; GROUP BY with DISTINCT;
 * INSERT ... SELECT and ON CONFLICT. Memory figures of Sort and HashAggregate are those PostgreSQL prints for a
 * few small rows (25kB, 40kB).
 */
import { PgError, notSupported, posOf } from '../errors.js';
import type { Executor } from '../executor/executor.js';
import type { Session, QueryResult } from '../session/session.js';
import { intConst, type RawStmt } from '../sql/parser.js';
import { compileExpr, castTo, type Scope, type Row } from '../sql/expr.js';
import { LockMode } from '../lock/lock.js';
import { newQueryInstr, newScanInstr, type QueryInstr, type ScanInstr } from '../executor/instrument.js';
import { chooseScan, type ScanPath } from '../optimizer/planner.js';
import type { JoinPlan } from '../optimizer/joinpath.js';
import { costParamIndexScan, costParamNestLoop, equiJoinSelectivity, type EquiSide } from '../optimizer/paramjoin.js';
import { costSeqScan, costIndexScanUniqueEq, costAggPlain, costHashAgg, costSort, costLimit, costResult, costHashJoinUniqueInner, costHashJoinDefaultInner, costText, CPU_OPERATOR_COST, CPU_TUPLE_COST, type Cost } from '../optimizer/costsize.js';
import { estimateRelSize, columnWidth, columnUnique, clampRowEst, typeWidth } from '../optimizer/plancat.js';
import { bucketCount } from '../executor/nodeHashjoin.js';
import { whereSelectivity } from '../optimizer/clausesel.js';
import { Deparser, quoteIdent, opName, funcName } from '../optimizer/ruleutils.js';
import { containsAggregate, type N, type Gen } from '../executor/util.js';
import { isIndexOnly, heapFetches } from '../executor/nodeIndexonlyscan.js';
import type { Table } from '../catalog/catalog.js';
import { extractWindows, windowSpec } from '../executor/nodeWindowAgg.js';
import { extractSrfs } from '../executor/nodeProjectSet.js';
import { afterTriggerState } from '../ri/aftertriggers.js';
import { insertLocksIndexes } from '../executor/nodeModifyTable.js';

/** One plan node as EXPLAIN prints it. */
export interface PlanNode {
  name: string;
  /** "Key: value" lines shown with and without ANALYZE */
  details: string[];
  /** lines shown only with ANALYZE (after the details) */
  analyzeDetails: string[];
  children: PlanNode[];
  /** actual rows (ANALYZE) */
  rows: number | null;
  /** the planner's cost estimate (EXPLAIN with costs, optimizer/costsize.ts) */
  cost?: Cost;
  /** how many times the node ran (a nested loop's inner side: once per outer row) */
  loops?: number;
}

const node = (name: string, details: string[] = [], children: PlanNode[] = []): PlanNode => ({ name, details, analyzeDetails: [], children, rows: null });

interface Options { analyze: boolean; summary: boolean; costs: boolean }

function parseOptions(list: N[] | undefined): Options {
  const o: Record<string, boolean | string> = {};
  for (const d of list ?? []) {
    const e = d.DefElem;
    const name = String(e.defname);
    const a = e.arg;
    let v: boolean | string = true;
    if (a?.String) v = String(a.String.sval).toLowerCase();
    else if (a?.Integer) v = !!a.Integer.ival;
    else if (a?.Boolean) v = !!a.Boolean.boolval;
    if (name === 'format') { o.format = v; continue; }
    if (typeof v === 'string') {
      if (['on', 'true', 'yes', '1'].includes(v)) v = true;
      else if (['off', 'false', 'no', '0'].includes(v)) v = false;
      else throw new PgError('22023', `${name} requires a Boolean value`, { position: posOf(e.location) });
    }
    if (!['analyze', 'verbose', 'costs', 'settings', 'buffers', 'wal', 'timing', 'summary'].includes(name)) {
      throw new PgError('22023', `unrecognized EXPLAIN option "${name}"`, { position: posOf(e.location) });
    }
    o[name] = v;
  }
  const analyze = o.analyze === true;
  if (o.wal === true && !analyze) throw new PgError('22023', 'EXPLAIN option WAL requires ANALYZE');
  if (o.timing === true && !analyze) throw new PgError('22023', 'EXPLAIN option TIMING requires ANALYZE');
  if (o.format !== undefined && o.format !== 'text') {
    if (!['xml', 'json', 'yaml'].includes(String(o.format))) throw new PgError('22023', `unrecognized value for EXPLAIN option "format": "${o.format}"`);
    throw notSupported(`EXPLAIN (FORMAT ${String(o.format).toUpperCase()})`);
  }
  if (analyze && o.timing !== false) throw notSupported('EXPLAIN ANALYZE with timing (use EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF))');
  for (const x of ['verbose', 'buffers', 'wal', 'settings']) if (o[x] === true) throw notSupported(`EXPLAIN (${x.toUpperCase()})`);
  return { analyze, summary: o.summary === undefined ? analyze : o.summary === true, costs: o.costs !== false };
}

export function* explainStmt(ex: Executor, s: Session, n: N, raw: RawStmt): Gen<QueryResult> {
  const opts = parseOptions(n.options);
  let q = n.query as N;
  if (q.ExecuteStmt) {
    // EXPLAIN EXECUTE: the prepared statement's plan for these parameter values (a custom plan: the values are
    // constants to the planner, and EXPLAIN prints them so)
    const sub = explainExecute(ex, s, q.ExecuteStmt, raw);
    q = sub.stmt;
    raw = sub.raw;
  }
  const type = Object.keys(q)[0]!;
  const stmt = q[type];
  if (JSON.stringify(stmt).includes('"SubLink"')) throw notSupported('EXPLAIN of subqueries (SubPlan / InitPlan)');
  if (stmt.withClause && type !== 'SelectStmt') throw notSupported('EXPLAIN of WITH queries (CTE Scan)');
  let plan: PlanNode;
  // ExplainPrintTriggers: the AFTER triggers (foreign keys) the analyzed query fired, counted at its query level
  const triggers = opts.analyze ? { level: afterTriggerState(s).levels.length, calls: new Map<string, { constraint: string; calls: number }>() } : null;
  ex.triggerInstr = triggers;
  try {
    switch (type) {
      case 'SelectStmt': plan = yield* explainSelect(ex, s, stmt, raw, opts); break;
      case 'UpdateStmt': case 'DeleteStmt': plan = yield* explainUpdateDelete(ex, s, type, stmt, raw, opts); break;
      case 'InsertStmt': plan = yield* explainInsert(ex, s, stmt, raw, opts); break;
      default: throw notSupported(`EXPLAIN of ${type.replace(/Stmt$/, '')}`);
    }
  } finally { ex.triggerInstr = null; }
  const lines: string[] = [];
  print(plan, 0, true, opts.analyze, lines);
  if (opts.summary) lines.push('Planning Time: 0.000 ms');
  for (const [, t] of [...(triggers?.calls ?? [])].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) lines.push(`Trigger for constraint ${t.constraint}: calls=${t.calls}`);
  if (opts.summary && opts.analyze) lines.push('Execution Time: 0.000 ms');
  return { command: 'EXPLAIN', columns: [{ name: 'QUERY PLAN', type: 'text' }], rows: lines.map((l) => [l]) };
}

/** The prepared statement of an EXECUTE with each $n replaced by its value as a constant (prepare.c EvaluateParams). */
function explainExecute(ex: Executor, s: Session, e: N, raw: RawStmt): { stmt: N; raw: RawStmt } {
  const p = s.prepared.get(e.name);
  if (!p) throw new PgError('26000', `prepared statement "${e.name}" does not exist`);
  const args = (e.params ?? []) as N[];
  if (args.length !== p.types.length) {
    throw new PgError('42601', `wrong number of parameters for prepared statement "${p.name}"`, { detail: `Expected ${p.types.length} parameters but got ${args.length}.` });
  }
  const scope: Scope = { relName: null, alias: null, columns: [], hasSystem: false, env: ex.env(s, () => ex.eng.snapshotFor(s)), sql: raw.text };
  const consts = args.map((a, i) => {
    const c = compileExpr(a, scope);
    const want = p.types[i];
    const v = (want ? castTo(c, want, false) : c).fn(null as unknown as Row);
    const t = want?.name ?? c.type.name;
    if (typeof v === 'number' && ['int2', 'int4', 'int8'].includes(t) && Number.isSafeInteger(v)) return { A_Const: { ival: { ival: v } } };
    if (typeof v === 'string' && (t === 'text' || t === 'unknown')) return { A_Const: { sval: { sval: v } } };
    throw notSupported('EXPLAIN EXECUTE with a parameter of this type or value');
  });
  const subst = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(subst);
    if (!x || typeof x !== 'object') return x;
    const o = x as N;
    if (o.ParamRef) return consts[o.ParamRef.number - 1] ?? o;
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, subst(v)]));
  };
  const stmt = subst(p.stmt) as N;
  return { stmt, raw: { stmt, location: 0, len: p.text.length, text: p.text } };
}

function print(p: PlanNode, indent: number, root: boolean, analyze: boolean, out: string[]) {
  const pad = ' '.repeat(indent);
  const actual = analyze ? (p.rows === null ? ' (never executed)' : ` (actual rows=${p.rows} loops=${p.loops ?? 1})`) : '';
  const cost = p.cost ? `  ${costText(p.cost)}` : '';
  out.push(`${pad}${root ? '' : '->  '}${p.name}${cost}${actual}`);
  const inner = ' '.repeat(indent + (root ? 2 : 6));
  for (const d of p.details) out.push(inner + d);
  if (analyze && p.rows !== null) for (const d of p.analyzeDetails) out.push(inner + d);
  for (const c of p.children) print(c, indent + (root ? 2 : 6), false, analyze, out);
}

const relLabel = (t: Table, alias: string | null) => `${quoteIdent(t.name)}${alias && alias !== t.name ? ' ' + quoteIdent(alias) : ''}`;

/** The top-level AND conjuncts of a WHERE clause (the units an index condition is chosen from). */
const conjuncts = (w: N | undefined): N[] => (!w ? [] : w.BoolExpr?.boolop === 'AND_EXPR' ? w.BoolExpr.args : [w]);

/** The scan node for a path, its conditions split between the index and the filter. */
function scanNode(path: ScanPath, t: Table, alias: string | null, where: N | undefined,
  d: Deparser): { top: PlanNode; scan: PlanNode; index: PlanNode | null } {
  const rel = relLabel(t, alias);
  const cond = 'cond' in path ? path.cond : null;
  const rest = conjuncts(where).filter((c) => c !== cond).flatMap((c) => d.quals(c));
  const filter = rest.length ? [`Filter: ${d.qualList(rest)}`] : [];
  switch (path.kind) {
    case 'SeqScan': { const p = node(`Seq Scan on ${rel}`, filter); return { top: p, scan: p, index: null }; }
    case 'IndexScan': {
      const p = node(`Index Scan using ${quoteIdent(path.index.name)} on ${rel}`, [`Index Cond: ${d.qualList(d.quals(cond!), true)}`, ...filter]);
      return { top: p, scan: p, index: null };
    }
    case 'IndexScanOrdered': {
      const p = node(`Index Scan${path.backward ? ' Backward' : ''} using ${quoteIdent(path.index.name)} on ${rel}`, filter);
      return { top: p, scan: p, index: null };
    }
    case 'BitmapHeapScan': {
      const c = d.qualList(d.quals(cond!), true);
      const idx = path.or
        ? node('BitmapOr', [], path.or.map((a) => node(`Bitmap Index Scan on ${quoteIdent(a.index.name)}`, [`Index Cond: ${d.qualList(d.quals(a.cond), true)}`])))
        : node(`Bitmap Index Scan on ${quoteIdent(path.index.name)}`, [`Index Cond: ${c}`]);
      const p = node(`Bitmap Heap Scan on ${rel}`, [`Recheck Cond: ${c}`, ...filter], [idx]);
      return { top: p, scan: p, index: idx };
    }
  }
}

/** Scan counts as ANALYZE shows them: the filter's removed rows follow the scan's node (after Index Cond / Filter). */
function fillScan(sc: { scan: PlanNode; index: PlanNode | null }, instr: ScanInstr, pulled: number | null) {
  const rows = pulled === null ? instr.rows : Math.min(pulled, instr.rows);
  sc.scan.rows = rows;
  const removed = pulled === null || rows === 0 ? (pulled === 0 ? 0 : instr.removed) : instr.removedBefore[rows - 1]!;
  const hasFilter = sc.scan.details.some((x) => x.startsWith('Filter:'));
  if (hasFilter) sc.scan.analyzeDetails.push(`Rows Removed by Filter: ${removed}`);
  if (sc.index) {
    if (sc.index.name === 'BitmapOr') throw notSupported('EXPLAIN ANALYZE of a BitmapOr');
    sc.index.rows = instr.indexRows;
    if (instr.heapBlocks > 0) sc.scan.analyzeDetails.push(`Heap Blocks: exact=${instr.heapBlocks}`);
  }
}

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

function* explainSelect(ex: Executor, s: Session, n: N, raw: RawStmt, o: Options, prefix = false): Gen<PlanNode> {
  const inner = trivialWrapper(n);
  if (inner) return yield* explainSelect(ex, s, inner, raw, o, true);
  if (n.withClause) throw notSupported('EXPLAIN of WITH queries (CTE Scan)');
  if (n.op && n.op !== 'SETOP_NONE') throw notSupported('EXPLAIN of UNION / INTERSECT / EXCEPT (Append, SetOp)');
  if (n.fromClause?.[0]?.RangeSubselect) throw notSupported('EXPLAIN of subqueries in FROM (Subquery Scan)');
  const qi: QueryInstr = newQueryInstr();
  qi.planOnly = !o.analyze;
  ex.queryInstr = qi;
  let result: { rows: unknown[][] };
  try { result = yield* ex.query(s, n, raw.text, true); } finally { ex.queryInstr = null; }
  if (n.valuesLists) {
    const p = node('Values Scan on "*VALUES*"');
    if (o.analyze) p.rows = result.rows.length;
    return p;
  }
  const scope = qi.scope!;
  const joined = qi.joinPlan;
  const d = new Deparser(scope, !!joined || prefix);
  const f = n.fromClause?.[0] as N | undefined;
  const grouping = !!n.groupClause?.length || !!n.havingClause || containsAggregate(n.targetList) || containsAggregate(n.sortClause);
  const distinct = !!n.distinctClause;
  if (grouping && distinct) throw notSupported('EXPLAIN of DISTINCT with GROUP BY or aggregates');
  const table = f?.RangeVar && !joined ? ex.table(f.RangeVar) : null;
  let top: PlanNode;
  let joinTop: PlanNode | null = null;
  let scan: { top: PlanNode; scan: PlanNode; index: PlanNode | null } | null = null;
  const path = qi.path;
  let indexOnlyFetches: number | null = null;
  if (joined) {
    top = joinNode(ex, s, joined, d, raw.text, o.analyze);
    joinTop = top;
  } else if (table && path) {
    scan = scanNode(path, table, f!.RangeVar.alias?.aliasname ?? null, n.whereClause, new Deparser(scope)); // a scan's own quals unqualified
    if (isIndexOnly(path, table, n)) { scan.scan.name = scan.scan.name.replace(/^Index Scan/, 'Index Only Scan'); indexOnlyFetches = heapFetches(path, table); }
    top = scan.top;
  } else if (f?.RangeFunction) {
    const fd = new Deparser(scope);
    const w = fd.quals(n.whereClause);
    const alias = f.RangeFunction.alias?.aliasname;
    top = node(`Function Scan on generate_series${alias ? ' ' + quoteIdent(alias) : ''}`, w.length ? [`Filter: ${fd.qualList(w)}`] : []);
    if (o.analyze) { top.rows = qi.fastRows; if (w.length) top.analyzeDetails.push(`Rows Removed by Filter: ${qi.fastRemoved}`); }
  } else if (!f) {
    if (n.whereClause) throw notSupported('EXPLAIN of WHERE without FROM (One-Time Filter)');
    top = node('Result');
    if (o.analyze) top.rows = qi.fastRows;
  } else throw notSupported('EXPLAIN of this FROM item');

  const targets = (n.targetList ?? []) as N[];
  /** an ORDER BY / GROUP BY item: an output column by position or name means that target's expression */
  const resolve = (k: N): N => {
    const pos = k.A_Const && !k.A_Const.sval && !k.A_Const.fval ? Number(k.A_Const.ival?.ival ?? 0) : 0;
    if (pos >= 1 && pos <= targets.length) return targets[pos - 1]!.ResTarget.val;
    const nm = k.ColumnRef?.fields?.length === 1 ? k.ColumnRef.fields[0].String?.sval : undefined;
    const hit = nm !== undefined ? targets.find((t) => t.ResTarget.name === nm) : undefined;
    return hit ? hit.ResTarget.val : k;
  };
  const keyText = (k: N, paren: boolean) => {
    if (k.ColumnRef?.fields?.some((x: N) => x.A_Star)) return scope.columns.map((c) => quoteIdent(c.name)).join(', ');
    const e = d.expr(k);
    return paren && !k.ColumnRef && !e.startsWith('(') ? `(${e})` : e;
  };

  const sortKeyText = (sb: N) => {
    const x = sb.SortBy;
    const desc = x.sortby_dir === 'SORTBY_DESC';
    const nulls = x.sortby_nulls === 'SORTBY_NULLS_FIRST' ? !desc ? ' NULLS FIRST' : '' : x.sortby_nulls === 'SORTBY_NULLS_LAST' ? desc ? ' NULLS LAST' : '' : '';
    return `${keyText(x.node, true)}${desc ? ' DESC' : ''}${nulls}`;
  };

  let agg: PlanNode | null = null;
  if (grouping) {
    const keys = ((n.groupClause ?? []) as N[]).map((g) => keyText(resolve(g), false));
    const having = n.havingClause ? [`Filter: ${d.qualList(d.quals(n.havingClause))}`] : [];
    agg = node(keys.length ? 'HashAggregate' : 'Aggregate', [...(keys.length ? [`Group Key: ${keys.join(', ')}`] : []), ...having], [top]);
    top = agg;
  } else if (distinct) {
    if (n.distinctClause.length && Object.keys(n.distinctClause[0] ?? {}).length) throw notSupported('DISTINCT ON');
    agg = node('HashAggregate', [`Group Key: ${targets.map((t) => keyText(t.ResTarget.val, false)).join(', ')}`], [top]);
    top = agg;
  }
  // window functions: a WindowAgg over the Sort its PARTITION BY / ORDER BY need (none after an index walk)
  const wcalls = extractWindows(n)?.calls ?? [];
  let winSort: PlanNode | null = null, winAgg: PlanNode | null = null;
  if (wcalls.length) {
    const w = windowSpec(wcalls);
    if (!w) throw notSupported('EXPLAIN of window functions over different windows');
    const keys = [...((w.partitionClause ?? []) as N[]).map((p) => keyText(p, true)), ...((w.orderClause ?? []) as N[]).map(sortKeyText)];
    if (keys.length && path?.kind !== 'IndexScanOrdered') { winSort = node('Sort', [`Sort Key: ${keys.join(', ')}`], [top]); winSort.analyzeDetails.push('Sort Method: quicksort  Memory: 25kB'); top = winSort; }
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
  if (liveSortItems.length && !sortedByIndex) {
    const keys = liveSortItems.map((sb) => sortKeyText({ SortBy: { ...sb.SortBy, node: resolve(sb.SortBy.node) } }));
    sort = node('Sort', [`Sort Key: ${keys.join(', ')}`], [top]);
    sort.analyzeDetails.push('Sort Method: quicksort  Memory: 25kB');
    top = sort;
  }
  let lock: PlanNode | null = null;
  if (n.lockingClause?.length) { lock = node('LockRows', [], [top]); top = lock; }
  let limit: PlanNode | null = null;
  if (n.limitCount || n.limitOffset) { limit = node('Limit', [], [top]); top = limit; }

  if (o.costs) {
    if (joined) {
      if (top !== joinTop) throw noCosts('nodes above a join');
      const targets0 = targets.length === 1 && targets[0]!.ResTarget.val.ColumnRef?.fields?.length === 1 &&
        targets[0]!.ResTarget.val.ColumnRef.fields[0].A_Star;
      if (!targets0) throw noCosts('a join with this select list (only SELECT * is modelled)');
      costHashJoin(joined, top);
    } else if (winAgg || projectSet || distinct || (lock && (agg || sort || limit))) throw noCosts(winAgg ? 'window functions' : projectSet ? 'set-returning functions' : distinct ? 'DISTINCT' : 'LockRows over other nodes');
    else if (!f) {
      if (!targets.every((t) => t.ResTarget.val.A_Const && intConstOrNull(t.ResTarget.val) !== null)) throw noCosts('a Result of these expressions');
      top.cost = costResult(4 * targets.length);
    } else {
      if (!table || !path || !scan) throw noCosts('this FROM item');
      if (indexOnlyFetches !== null) throw noCosts('an Index Only Scan');
      if (path.kind !== 'SeqScan' && !(path.kind === 'IndexScan' && path.index.unique)) throw noCosts('this index scan (btcostestimate of a range or a non-unique index)');
      costUpper(ex, scope, n, table, { scan: scan.scan, agg, sort, limit }, targets, resolve, path);
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
      if (n.havingClause) agg.analyzeDetails.push(`Rows Removed by Filter: ${qi.groupsRemoved}`);
      if (agg.name === 'HashAggregate') agg.analyzeDetails.push('Batches: 1  Memory Usage: 40kB');
    }
    const input = scan ? qi.scan.rows : 1;
    if (winSort) winSort.rows = input;
    if (winAgg) winAgg.rows = limit && !sort && !projectSet ? qi.pulled : input;
    if (projectSet) { projectSet.rows = limit && !sort ? qi.pulled : all; if (!scan) { const r = findResult(projectSet); if (r) r.rows = 1; } }
    if (scan) fillScan(scan, qi.scan, sort || agg || winAgg || projectSet ? null : qi.limitHit ? qi.pulled : null);
    if (scan && indexOnlyFetches !== null) scan.scan.analyzeDetails.push(`Heap Fetches: ${indexOnlyFetches}`);
  }
  return top;
}

/**
 * A join tree as EXPLAIN prints it (optimizer/joinpath.ts chose it): the join node with its Hash / Merge Cond
 * (the outer side's column first) and Join Filter, qualified by relation; a Hash node over the hashed side, a
 * Sort over each side of a merge join, a Materialize over a nested loop's inner side; each scan's own WHERE
 * conditions as its Filter, unqualified.
 */
function joinNode(ex: Executor, s: Session, p: JoinPlan, d: Deparser, sql: string, analyze = false): PlanNode {
  if (p.kind === 'Other') throw notSupported(`EXPLAIN of a join with ${p.what}`);
  if (p.kind === 'Scan') {
    const scope = ex.tableScope(p.table, p.alias, s, () => ex.eng.snapshotFor(s), sql);
    const where = p.quals.length === 0 ? undefined : p.quals.length === 1 ? p.quals[0] : { BoolExpr: { boolop: 'AND_EXPR', args: p.quals } };
    if (chooseScan(p.table, where, scope).kind !== 'SeqScan') throw notSupported('EXPLAIN of a join over an index scan (PostgreSQL may also move the join condition into it)');
    const sc = scanNode({ kind: 'SeqScan' }, p.table, p.alias, where, new Deparser(scope)).top;
    if (analyze) {
      if (!p.actual) throw notSupported('EXPLAIN ANALYZE of a join side that was not read');
      sc.rows = p.actual.rows;
      if (where) sc.analyzeDetails.push(`Rows Removed by Filter: ${p.actual.removed}`);
    }
    return sc;
  }
  if (p.unsure) throw notSupported(`EXPLAIN of ${p.unsure}`);
  if (analyze) {
    // the counts a demand-driven executor would show: a merge join stops reading a side early, a join filter
    // counts its rejections — not modelled
    if (p.method === 'MergeJoin') throw notSupported('EXPLAIN ANALYZE of a Merge Join (use EXPLAIN (COSTS OFF))');
    if (p.filter.length) throw notSupported('EXPLAIN ANALYZE of a join with a Join Filter');
    if (!p.actual || p.actual.outerRows === 0) throw notSupported('EXPLAIN ANALYZE of a join whose outer side returned no rows');
  }
  if (p.param) return paramLoopNode(ex, s, p, d, sql, analyze);
  const outer = joinNode(ex, s, p.outer, d, sql, analyze), inner = joinNode(ex, s, p.inner, d, sql, analyze);
  const details: string[] = [];
  const name = p.method === 'NestLoop' ? `Nested Loop${p.label ? p.label + ' Join' : ''}` : `${p.method === 'HashJoin' ? 'Hash' : 'Merge'}${p.label} Join`;
  let children: PlanNode[];
  if (p.cond) {
    const e = p.cond.qual.A_Expr;
    // the outer side's column first: which operand is the left input's key
    const lhsIsLeftSide = sideOfColumn(d, e.lexpr, p) === 'left';
    const outerFirst = lhsIsLeftSide === p.cond.outerIsLeft;
    const [a, b] = outerFirst ? [e.lexpr, e.rexpr] : [e.rexpr, e.lexpr];
    details.push(`${p.method === 'HashJoin' ? 'Hash' : 'Merge'} Cond: (${d.expr(a)} = ${d.expr(b)})`);
    if (p.method === 'HashJoin') {
      const hash = node('Hash', [], [inner]);
      if (analyze) {
        hash.rows = p.actual!.innerRows;
        hash.analyzeDetails.push(hashMemory(p));
      }
      children = [outer, hash];
    } else if (p.searched) {
      // the join order search's merge join: a side already sorted on the key has no Sort; a Materialize may shield the inner
      const srt = (x: PlanNode, key: N, c: Cost | null) => (c ? node('Sort', [`Sort Key: ${d.expr(key)}`], [x]) : x);
      const innerTop = srt(inner, b, p.searched.sortInner);
      children = [srt(outer, a, p.searched.sortOuter), p.searched.material ? node('Materialize', [], [innerTop]) : innerTop];
    } else children = [node('Sort', [`Sort Key: ${d.expr(a)}`], [outer]), node('Sort', [`Sort Key: ${d.expr(b)}`], [inner])];
  } else if (p.searched && !p.searched.material) {
    if (analyze) throw notSupported('EXPLAIN ANALYZE of a nested loop rescanning its inner side');
    children = [outer, inner];
  } else {
    const mat = node('Materialize', [], [inner]);
    if (analyze) { mat.rows = p.actual!.innerRows; mat.loops = p.actual!.outerRows; }
    children = [outer, mat];
  }
  if (p.filter.length) details.push(`Join Filter: ${d.qualList(p.filter.flatMap((q) => d.quals(q)))}`);
  const j = node(name, details, children);
  if (analyze) j.rows = p.actual!.rows;
  return j;
}

/**
 * A parameterized nested loop (optimizer/paramjoin.ts): the outer side's scan, and an Index Scan of the inner
 * table whose Index Cond compares its key column with the outer row's, qualified: "Index Cond: (k = n.a)".
 */
function paramLoopNode(ex: Executor, s: Session, p: Extract<JoinPlan, { kind: 'Join' }>, d: Deparser, sql: string, analyze: boolean): PlanNode {
  if (analyze) throw notSupported('EXPLAIN ANALYZE of a parameterized nested loop (its inner side runs once per outer row)');
  if (p.inner.kind !== 'Scan' || p.outer.kind !== 'Scan' || p.filter.length) throw notSupported('EXPLAIN of this parameterized nested loop');
  const outer = joinNode(ex, s, p.outer, d, sql, analyze);
  const t = p.inner.table, param = p.param!;
  const outerCol = p.outer.table.columns[param.outerKey]!.name;
  const cond = `(${quoteIdent(t.columns[param.innerKey]!.name)} ${param.op} ${quoteIdent(p.outer.name)}.${quoteIdent(outerCol)})`;
  const inner = node(`Index Scan using ${quoteIdent(param.index.name)} on ${relLabel(t, p.inner.alias)}`, [`Index Cond: ${cond}`]);
  return node(`Nested Loop${p.label ? p.label + ' Join' : ''}`, [], [outer, inner]);
}

/** Costs of a parameterized nested loop: the outer Seq Scan, one probe of the inner index per outer row. */
function costParamLoop(p: Extract<JoinPlan, { kind: 'Join' }>, top: PlanNode) {
  if (p.outer.kind !== 'Scan' || p.inner.kind !== 'Scan') throw noCosts('a join of joins');
  if (p.param!.op !== '=') throw noCosts('a parameterized range scan (btcostestimate of a range)');
  const o = joinScanCost(p.outer), size = estimateRelSize(p.inner.table);
  const os: EquiSide = { table: p.outer.table, quals: p.outer.quals, key: p.param!.outerKey };
  const is: EquiSide = { table: p.inner.table, quals: [], key: p.param!.innerKey };
  const probe = costParamIndexScan(size.tuples, size.pages, 2, o.cost.rows, o.size.pages + size.pages, size.width);
  const selec = equiJoinSelectivity(os, is);
  top.cost = costParamNestLoop(o.cost, probe, selec, size.tuples, clampRowEst(o.cost.rows * size.tuples * selec));
  const [outerNode, innerNode] = top.children as [PlanNode, PlanNode];
  outerNode.cost = o.cost;
  innerNode.cost = probe;
}

/**
 * The Hash node's ANALYZE line: the bucket count ExecChooseHashTableSize sized for the planner's estimate, one
 * batch, and the peak memory — the bucket array (8 bytes a bucket) plus the hashed tuples, in kB rounded up. The
 * tuples' exact bytes are not modelled; the figure is printed only when they cannot move it (under 900 bytes).
 */
function hashMemory(p: Extract<JoinPlan, { kind: 'Join' }>): string {
  const inner = p.inner;
  if (inner.kind !== 'Scan') throw notSupported('EXPLAIN ANALYZE of a Hash over a join');
  const est = estimateRelSize(inner.table);
  const sel = inner.quals.length ? whereSelectivity(inner.table, est.tuples, inner.quals.length === 1 ? inner.quals[0] : { BoolExpr: { boolop: 'AND_EXPR', args: inner.quals } }) : { sel: 1, ops: 0 };
  if (!sel) throw notSupported('EXPLAIN ANALYZE of a Hash whose row estimate the simulator does not make');
  const nbuckets = bucketCount(clampRowEst(est.tuples * sel.sel));
  const perTuple = 16 + 32 + inner.table.columns.reduce((a, c) => a + (typeWidth(c.type).exact && c.type.name !== 'text' ? typeWidth(c.type).width : 64), 0);
  const tupleBytes = p.actual!.innerRows * perTuple;
  if (tupleBytes >= 900 || p.actual!.innerRows > nbuckets) throw notSupported('EXPLAIN ANALYZE of a Hash of this size (its memory figure is not modelled)');
  return `Buckets: ${nbuckets}  Batches: 1  Memory Usage: ${Math.floor((nbuckets * 8) / 1024) + 1}kB`;
}

/** Which input of a join a column reference belongs to: the relations under its left (written first) side. */
function sideOfColumn(d: Deparser, col: N, p: Extract<JoinPlan, { kind: 'Join' }>): 'left' | 'right' {
  const text = d.expr(col);
  const rel = text.includes('.') ? text.slice(0, text.indexOf('.')) : '';
  const leftPlan = p.cond!.outerIsLeft ? p.outer : p.inner;
  const names = (q: JoinPlan): string[] => (q.kind === 'Join' ? [...names(q.outer), ...names(q.inner)] : [quoteIdent(q.name)]);
  return names(leftPlan).includes(rel) ? 'left' : 'right';
}

const noCosts = (what: string) => notSupported(`EXPLAIN with costs of ${what} (the simulator reproduces costsize.c for Seq Scan, a unique Index Scan, Aggregate, HashAggregate, Sort, Limit, Result, LockRows, ModifyTable and the joins of two plain tables it plans; use EXPLAIN (COSTS OFF))`);

const intConstOrNull = (x: N): number | null =>
  (x.A_Const && !x.A_Const.isnull && !x.A_Const.sval && !x.A_Const.fval && !x.A_Const.boolval ? intConst(x.A_Const) ?? null : null);

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
    if (path.kind !== 'IndexScan' || t.stats || path.index.entries.size + path.index.nullEntries.length > 200) throw noCosts('this index scan (btcostestimate of an analyzed table or a multi-page index)');
    if (tlistOps) throw noCosts('expressions over an index scan');
    return costIndexScanUniqueEq(tuples, pages, qualOps - 1, rows, width);
  };
  void ex; void scope;
  const size = estimateRelSize(t);
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
    (t.indexes.some((x) => x.unique && x.columns.length === 1 && x.columns[0] === col) ? clampRowEst(tuples) : tuples < 200 ? clampRowEst(tuples) : 200);
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
function costHashJoin(p: JoinPlan, top: PlanNode) {
  if (p.kind === 'Join' && p.searched) { costSearched(p, top); return; }
  if (p.kind === 'Join' && p.method === 'MergeJoin') { costMergeJoin(p, top); return; }
  if (p.kind === 'Join' && p.method === 'NestLoop') { if (p.param) costParamLoop(p, top); else costNestLoop(p, top); return; }
  if (p.kind !== 'Join' || p.method !== 'HashJoin' || !p.cond || p.filter.length || p.label === ' Right') throw noCosts('this join (only a hash join on a unique inner key and a merge join over sorts are modelled)');
  if (p.outer.kind !== 'Scan' || p.inner.kind !== 'Scan') throw noCosts('a join of joins');
  const outerT = p.outer.table, innerT = p.inner.table;
  if (!!outerT.stats !== !!innerT.stats) throw noCosts('a join of an analyzed table with a never-analyzed one');
  const outerKey = p.cond.outerIsLeft ? p.cond.left : p.cond.right, innerKey = p.cond.outerIsLeft ? p.cond.right : p.cond.left;
  const innerUnique = innerT.indexes.some((i) => i.unique && i.columns.length === 1 && i.columns[0] === innerKey);
  const o = joinScanCost(p.outer), i = joinScanCost(p.inner);
  // a non-unique inner key without statistics: a bucket holds a tenth of the inner rows (estimate_hash_bucket_stats)
  const defaultBuckets = !innerUnique && p.label === '' && !outerT.stats && !innerT.stats && i.size.tuples >= 200;
  if (!innerUnique && !defaultBuckets) throw noCosts('a hash join whose inner key has no unique index (approx_tuple_count, bucket sizes)');
  /** get_variable_numdistinct of a join key */
  const distinct = (t: Table, col: number, tuples: number): { nd: number; nullfrac: number } => {
    const nullfrac = t.stats?.nullfrac?.[col] ?? 0;
    if (t.indexes.some((x) => x.unique && x.columns.length === 1 && x.columns[0] === col)) return { nd: clampRowEst(tuples), nullfrac };
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

/** Costs of a plan of the join order search (optimizer/joinrels.ts), node by node as it costed them. */
function costSearched(p: JoinPlan, n: PlanNode) {
  if (p.kind !== 'Join' || !p.searched) {
    if (p.kind !== 'Scan') throw noCosts('this join');
    n.cost = joinScanCost(p).cost;
    return;
  }
  const sp = p.searched;
  n.cost = sp.cost;
  const [o, i] = n.children as [PlanNode, PlanNode];
  const under = (x: PlanNode, wrapped: boolean) => (wrapped ? x.children[0]! : x);
  if (sp.method === 'HashJoin') {
    costSearched(p.outer, o);
    const ic = sp.inner.cost;
    i.cost = { startup: ic.total, total: ic.total, rows: ic.rows, width: ic.width };
    costSearched(p.inner, i.children[0]!);
    return;
  }
  if (sp.sortOuter) o.cost = sp.sortOuter;
  costSearched(p.outer, under(o, !!sp.sortOuter));
  let inner = i;
  if (sp.material) { i.cost = sp.material; inner = i.children[0]!; }
  if (sp.method === 'MergeJoin' && sp.sortInner) { inner.cost = sp.sortInner; inner = inner.children[0]!; }
  costSearched(p.inner, inner);
}

/** the Result at the bottom of a ProjectSet without FROM */
function findResult(p: PlanNode): PlanNode | null {
  if (p.name === 'Result') return p;
  for (const c of p.children) { const r = findResult(c); if (r) return r; }
  return null;
}

/**
 * EXPLAIN (COSTS OFF) of UPDATE ... FROM / DELETE ... USING: ModifyTable over the join the executor plans
 * (from.ts joinSource with the target first, as nodeModifyUpdate.ts runs it). Its costs and ANALYZE are refused.
 */
function* explainJoinedModify(ex: Executor, s: Session, type: string, n: N, raw: RawStmt, o: Options, t: Table, alias: string | null): Gen<PlanNode> {
  const what = type === 'UpdateStmt' ? 'UPDATE ... FROM' : 'DELETE ... USING';
  if (o.analyze) throw notSupported(`EXPLAIN ANALYZE of ${what}`);
  if (o.costs) throw noCosts(what);
  const extra = (type === 'UpdateStmt' ? n.fromClause : n.usingClause) as N[];
  if (n.withClause || extra.some((f) => !f.RangeVar)) throw notSupported(`EXPLAIN of ${what} with other than plain tables`);
  yield* ex.lockRelation(s, t, LockMode.RowExclusive);
  const snapshot = ex.eng.snapshotFor(s);
  const item = { RangeVar: n.relation };
  const src = ex.source(s, [item, ...extra], () => snapshot, raw.text, undefined, { where: n.whereClause, target: { item, rows: () => [] } });
  ex.compileWhere(n.whereClause, src.scope); // the errors PostgreSQL's parse analysis reports
  const top = joinNode(ex, s, src.joinPlan!, new Deparser(src.scope, true), raw.text);
  return node(`${type === 'UpdateStmt' ? 'Update' : 'Delete'} on ${relLabel(t, alias)}`, [], [top]);
}

function* explainUpdateDelete(ex: Executor, s: Session, type: string, n: N, raw: RawStmt, o: Options): Gen<PlanNode> {
  const t = ex.table(n.relation);
  const alias = n.relation.alias?.aliasname ?? null;
  if (n.fromClause?.length || n.usingClause?.length) return yield* explainJoinedModify(ex, s, type, n, raw, o, t, alias);
  const returning = !!(n.returningList ?? n.returningClause?.exprs)?.length;
  let instr: ScanInstr | null = null;
  let result: QueryResult | null = null;
  let scope: Scope;
  let path: ScanPath;
  if (o.analyze) {
    instr = newScanInstr();
    ex.scanInstr = instr;
    try { result = yield* ex.run(s, type, n, raw); } finally { ex.scanInstr = null; }
    scope = ex.tableScope(t, alias, s, () => ex.eng.snapshotFor(s), raw.text);
    path = instr.path ?? chooseScan(t, n.whereClause, scope);
  } else {
    yield* ex.lockRelation(s, t, LockMode.RowExclusive);
    const snapshot = ex.eng.snapshotFor(s);
    scope = ex.tableScope(t, alias, s, () => snapshot, raw.text);
    ex.compileWhere(n.whereClause, scope); // the errors PostgreSQL's parse analysis reports
    path = chooseScan(t, n.whereClause, scope);
  }
  const d = new Deparser(scope);
  const sc = scanNode(path, t, alias, n.whereClause, d);
  const mt = node(`${type === 'UpdateStmt' ? 'Update' : 'Delete'} on ${relLabel(t, alias)}`, [], [sc.top]);
  if (instr && result) { mt.rows = returning ? result.rows.length : 0; fillScan(sc, instr, null); }
  if (o.costs) {
    // ModifyTable costs what its subplan does; the subplan returns the new values (UPDATE) and the ctid (6 bytes)
    const uniqueProbe = path.kind === 'IndexScan' && path.index.unique && !t.stats && path.index.entries.size + path.index.nullEntries.length <= 200;
    if (path.kind !== 'SeqScan' && !uniqueProbe) throw noCosts('this index scan (btcostestimate of a range, a non-unique or a multi-page index)');
    if (returning) throw noCosts('RETURNING');
    const size = estimateRelSize(t);
    const ws = whereSelectivity(t, size.tuples, n.whereClause);
    if (!ws) throw noCosts('this WHERE clause (its selectivity is not estimated)');
    let width = 6, ops = 0;
    for (const tl of (type === 'UpdateStmt' ? n.targetList : []) as N[]) {
      const col = t.columns.findIndex((c) => !c.dropped && c.name === tl.ResTarget.name);
      const v = tl.ResTarget.val as N;
      const e = v.A_Expr;
      const plainInt = (x: N) => intConstOrNull(x) !== null || (x.ColumnRef && t.columns.find((c) => c.name === x.ColumnRef.fields[x.ColumnRef.fields.length - 1]?.String?.sval)?.type.name === 'int4');
      if (col < 0) throw noCosts('this SET list');
      if (v.A_Const && !v.A_Const.isnull && (intConstOrNull(v) !== null || v.A_Const.sval)) { /* a constant: no cost */ } else if (v.ColumnRef && plainInt(v)) { /* a column: no cost */ } else if (e?.kind === 'AEXPR_OP' && ['+', '-', '*'].includes(opName(v)) && e.lexpr && plainInt(e.lexpr) && plainInt(e.rexpr)) ops += 1;
      else throw noCosts('this SET expression');
      const w = typeWidth(t.columns[col]!.type);
      if (!w.exact) throw noCosts('a column whose width the simulator does not measure');
      width += w.width;
    }
    if (uniqueProbe && ops) throw noCosts('expressions over an index scan');
    sc.scan.cost = uniqueProbe ? costIndexScanUniqueEq(size.tuples, size.pages, ws.ops - 1, clampRowEst(size.tuples * ws.sel), width)
      : costSeqScan(size.pages, size.tuples, ws.ops, clampRowEst(size.tuples * ws.sel), width, ops);
    mt.cost = { startup: sc.scan.cost.startup, total: sc.scan.cost.total, rows: 0, width: 0 };
  }
  return mt;
}

function* explainInsert(ex: Executor, s: Session, n: N, raw: RawStmt, o: Options): Gen<PlanNode> {
  if (n.onConflictClause) throw notSupported('EXPLAIN of INSERT ... ON CONFLICT');
  const lists = n.selectStmt?.SelectStmt?.valuesLists as N[] | undefined;
  if (!lists) throw notSupported('EXPLAIN of INSERT ... SELECT');
  const t = ex.table(n.relation);
  const alias = n.relation.alias?.aliasname ?? null;
  const child = lists.length === 1 ? node('Result') : node('Values Scan on "*VALUES*"');
  const mt = node(`Insert on ${relLabel(t, alias)}`, [], [child]);
  if (o.costs) {
    // the row(s) to insert, as wide as the table's columns: a Result costs one tuple, a Values Scan an operator
    // call and a tuple per row (cost_valuesscan)
    if ((n.returningList ?? n.returningClause?.exprs)?.length) throw noCosts('RETURNING');
    if (!lists.every((l) => (l.List.items as N[]).every((x) => x.A_Const && !x.A_Const.isnull))) throw noCosts('INSERT of expressions');
    const widths = t.columns.filter((c) => !c.dropped).map((c) => typeWidth(c.type));
    if (widths.some((w) => !w.exact)) throw noCosts('a column whose width the simulator does not measure');
    const width = widths.reduce((a, w) => a + w.width, 0);
    let perRow = CPU_OPERATOR_COST;
    perRow += CPU_TUPLE_COST;
    child.cost = lists.length === 1 ? costResult(width) : { startup: 0, total: perRow * lists.length, rows: lists.length, width };
    mt.cost = { startup: child.cost.startup, total: child.cost.total, rows: 0, width: 0 };
  }
  if (o.analyze) {
    const r = yield* ex.run(s, 'InsertStmt', n, raw);
    mt.rows = (n.returningList ?? n.returningClause?.exprs)?.length ? r.rows.length : 0;
    child.rows = lists.length;
  } else {
    yield* ex.lockRelation(s, t, LockMode.RowExclusive, insertLocksIndexes(n));
  }
  return mt;
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
