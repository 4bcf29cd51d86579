/**
 * SELECT: the query's plan nodes run bottom-up — the scan or join (nodeSeqscan.ts & co., nodeHashjoin.ts,
 * nodeMergejoin.ts, nodeNestloop.ts), its filter, then aggregation (nodeAgg.ts), window functions
 * (nodeWindowAgg.ts), set-returning functions (nodeProjectSet.ts), the sort (nodeSort.ts), row locks of SELECT
 * ... FOR UPDATE & co. (nodeLockRows.ts), DISTINCT (nodeUnique.ts) and LIMIT / OFFSET (nodeLimit.ts); no FROM
 * or a function source is a Result. This file is the driver: it rewrites the query (WITH inlining, subquery
 * pull-up), takes the snapshot and the relation locks, has its clauses analyzed (selectanalyze.ts: GROUP BY, the
 * select list, DISTINCT ON), chooses the plan (optimizer/planner.ts, grouporder.ts) and hands it to
 * selectexec.ts, which runs it (PostgreSQL's execMain.c ExecutePlan over the tree createplan.c built).
 *
 * Snapshots and locks: a READ COMMITTED query takes its snapshot once its AccessShareLocks are held (so a query
 * that waited behind ALTER TABLE or TRUNCATE sees what they committed); a transaction snapshot (REPEATABLE READ,
 * SERIALIZABLE) is taken first, as exec_simple_query does. If DDL changed a table while the query waited, the
 * query is analyzed again against the new definition.
 */
import { expandsInheritance, lockInheritanceTree } from '../optimizer/inherit.js';
import { isIndexOnly } from './nodeIndexonlyscan.js';
import { allPartitions, scanLeaves, parentOf } from './execPartition.js';
import { checkScannable } from '../commands/matview.js';
import type { Executor } from './executor.js';
import { PgError, notSupported } from '../errors.js';
import type { Session, QueryResult } from '../session/session.js';
import { type RawStmt } from '../sql/parser.js';
import { compileExpr, type Scope } from '../sql/expr.js';
import { type SqlType, type Value, formatValue } from '../sql/types.js';
import { type WaitPolicy } from './rowlocks.js';
import { compileSortKeys } from './nodeSort.js';
import { groupPlan, distinctPlan, groupingSetsHashable } from './grouporder.js';
import { JoinGroupEstimate } from '../optimizer/joingroups.js';
import { oneTimeFilterFalse } from './nodeResult.js';
import { type GroupingSetsExec } from './aggsets.js';
import { sortGroupRefs } from './groupclause.js';
import { planGroupingSets } from '../optimizer/groupingsets.js';
import type { Table } from '../catalog/catalog.js';
import { chooseScan, selectScanOptions, unqualifyOwn } from '../optimizer/planner.js';
import { setOpQuery } from './nodeSetOp.js';
import { analyzeGroupBy, compileTargetList, distinctOnClause } from './selectanalyze.js';
import { executeSelect } from './selectexec.js';
import { withQuery, runFromSubqueries } from './nodeCtescan.js';
import { extractWindows, prepareWindows, windowOrder } from './nodeWindowAgg.js';
import { extractSrfs, prepareSrfs } from './nodeProjectSet.js';
import { userSrfCall } from '../pl/fmgr.js';
import { isImmutableFunction, isSetFunction } from '../sql/funcs/registry.js';
import { pullUpSubqueries, inlineCtes, type PullupEnv } from '../optimizer/pullup.js';
import { foldSelectQuals, constantScope, noSnapshot } from '../optimizer/constfold.js';
import { pushDownIntoSubqueries } from '../optimizer/subquerypush.js';
import { lookupCte } from './nodeCtescan.js';
import { PG15_AGGREGATES } from '../catalog/pg15names.js';
import {
  type TupleLockMode,
} from '../heap/heapam.js';
import { LockMode } from '../lock/lock.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import { usesXactSnapshot } from '../xact/xact.js';
import { lockSequencesIn } from '../commands/sequence.js';
import { N, Gen, LOCK_STRENGTH, LOCK_CLAUSE_NAME, containsAggregate, containsGroupingFunc } from './util.js';

export function* selectStmt(ex: Executor, s: Session, n: N, raw: RawStmt): Gen<QueryResult> {
  const q = yield* ex.query(s, n, raw.text, true);
  return { command: `SELECT ${q.rows.length}`, columns: q.names.map((name, i) => ({ name, type: q.types[i]!.name })), rows: q.rows.map((r) => r.map(formatValue)) };
}

/**
 * keepUnknown: INSERT ... SELECT's own SELECT (transformInsertStmt): an unknown-typed literal in its select list
 * ('5', NULL) stays unknown, to be coerced to the target column's type, instead of being resolved to text — unless
 * ORDER BY, DISTINCT or GROUP BY must compare it first (they resolve it to text in PostgreSQL too).
 */
export function* query(ex: Executor, s: Session, n: N, sql: string, topLevel: boolean, sub?: { outer: NonNullable<Scope['outer']>; snapshot: () => Snapshot },
  keepUnknown = false): Gen<{ names: string[]; types: SqlType[]; rows: Value[][] }> {
  // LIMIT 0: the Limit node returns nothing without ever pulling from below, so nothing below runs — the query
  // (its WITH queries and subqueries too) is analyzed, and errors of analysis and constant folding still come
  if (!s.noRows && limitIsZero(ex, s, n, sql)) {
    s.noRows++;
    try { return yield* query(ex, s, n, sql, topLevel, sub, keepUnknown); } finally { s.noRows--; }
  }
  // the planner's rewrites see the catalog and the WITH queries in scope (optimizer/pullup.ts)
  const penv = pullupEnv(ex, s, sql, sub);
  if (n.withClause) {
    const inlined = inlineCtes(n, penv);
    if (inlined.withClause) return yield* withQuery(ex, s, inlined, sql, topLevel, sub);
    n = inlined;
  }
  if (n.op && n.op !== 'SETOP_NONE') return yield* setOpQuery(ex, s, n, sql, sub);
  if (n.intoClause) throw notSupported('SELECT INTO');
  // simple subqueries in FROM merged into this query (optimizer/pullup.ts)
  const pulled = yield* pullUpSubqueries(n, penv);
  if (pulled) n = pulled;
  // conditions pushed into the subqueries that stay, their unread columns dropped (optimizer/subquerypush.ts)
  const pushed = yield* pushDownIntoSubqueries(n, penv);
  if (pushed) n = pushed;
  // WHERE's constant subexpressions folded (optimizer/constfold.ts): the planner sees k = 3 for k = 1 + 2; the
  // clause as written is what parse analysis compiles (its errors point where they were written)
  const writtenWhere = n.whereClause;
  n = foldSelectQuals(n, constantScope(ex.env(s, noSnapshot), sql));
  // EXPLAIN ANALYZE of this statement: count what each plan node returns (commands/explain.ts)
  const qi = topLevel ? ex.queryInstr : null;
  if (qi) ex.queryInstr = null;
  let snapCache: Snapshot | null = null;
  const snap = sub ? sub.snapshot : () => (snapCache ??= ex.eng.snapshotFor(s));
  // the transaction snapshot is taken before parse analysis (exec_simple_query); a READ COMMITTED statement's own
  // snapshot only once its relation locks are held (PortalStart), so it sees what a lock holder committed
  if (sub || usesXactSnapshot(s.tx!.isolation)) snap();
  const generation = ex.eng.catalog.generation;
  if (n.valuesLists) return ex.valuesQuery(s, n, sql, snap, sub?.outer);
  // window functions: each call becomes a hidden column, computed after the scan (nodeWindowAgg.ts)
  const win = extractWindows(n);
  if (win) n = win.n;
  // set-returning functions in the select list: hidden columns too, each row expanded (nodeProjectSet.ts)
  const srf = extractSrfs(n, (name) => ex.eng.catalog.functionsNamed(name)?.some((f) => f.setof) ?? false);
  if (srf) n = srf.n;
  const pre = n.fromClause?.length ? yield* runFromSubqueries(ex, s, n.fromClause, sql, sub) : undefined;
  const src = ex.source(s, n.fromClause, snap, sql, pre, { where: n.whereClause, orderedOrLimited: !!(n.sortClause?.length || n.limitCount || n.limitOffset),
    grouped: !!(n.groupClause?.length || n.distinctClause), select: n });
  if (sub) src.scope.outer = sub.outer;
  const locking = n.lockingClause as N[] | undefined;
  let lockMode: TupleLockMode | null = null, policy: WaitPolicy = 'block';
  if (locking?.length) {
    const lc = locking[0]!.LockingClause;
    lockMode = LOCK_STRENGTH[lc.strength]!;
    policy = lc.waitPolicy === 'LockWaitSkip' ? 'skip' : lc.waitPolicy === 'LockWaitError' ? 'error' : 'block';
    if (src.tables) throw notSupported(`${LOCK_CLAUSE_NAME[lockMode]} with joins`);
    // a system catalog or view (pg_class, ...) is computed here, not read from a heap: its rows cannot be locked
    const rv = n.fromClause?.length === 1 ? (n.fromClause[0] as N).RangeVar : undefined;
    if (!src.table && rv) throw notSupported(`${LOCK_CLAUSE_NAME[lockMode]} of the rows of "${rv.relname}" (row locks on system catalog rows)`);
    if (!src.table) throw new PgError('0A000', `${LOCK_CLAUSE_NAME[lockMode]} cannot be applied to a function`);
    if (!topLevel) throw notSupported('row locking (FOR UPDATE / SHARE) in a query that is not a top-level SELECT (INSERT ... SELECT, CREATE TABLE AS, a subquery)');
  }
  if (src.table) yield* ex.lockRelation(s, src.table, lockMode ? LockMode.RowShare : LockMode.AccessShare);
  if (src.table?.partKey) {
    // a partitioned table: the planner locks the partitions it did not prune (expand_partitioned_rtentry)
    // (with the mode of the parent's range table entry: RowShareLock under FOR UPDATE / SHARE)
    const mode = lockMode ? LockMode.RowShare : LockMode.AccessShare;
    // (a partitioned partition only when pruning kept some partition under it)
    const leaves = scanLeaves(ex.eng.catalog, src.table, n.whereClause);
    if (qi) qi.partLeaves = leaves; // EXPLAIN prints what pruning left (commands/explaininherit.ts)
    const kept = new Set<Table>();
    for (const leaf of leaves) for (let a = parentOf(ex.eng.catalog, leaf); a && a !== src.table && !kept.has(a); a = parentOf(ex.eng.catalog, a)) kept.add(a);
    for (const p of allPartitions(ex.eng.catalog, src.table)) if (p.partKey && kept.has(p)) yield* ex.lockRelation(s, p, mode);
    for (const leaf of leaves) yield* ex.lockRelation(s, leaf, mode);
  }
  for (const jt of src.tables ?? []) yield* ex.lockRelation(s, jt, LockMode.AccessShare);
  // DDL changed a table while we waited for its lock: analyze again with the new definition (the locks are held now)
  if (ex.eng.catalog.sequences.size && !sub) yield* lockSequencesIn(ex, s, n);
  if (ex.eng.catalog.generation !== generation) return yield* query(ex, s, n, sql, topLevel, sub);
  // ExecCheckRelationsScannable: an unpopulated materialized view cannot be read (commands/matview.ts)
  // (not for a plain EXPLAIN, which runs nothing: EXEC_FLAG_EXPLAIN_ONLY)
  if (!s.noRows && !qi?.planOnly) { checkScannable(src.table); for (const jt of src.tables ?? []) checkScannable(jt); }
  if (src.table && !src.scope.inhOnly && expandsInheritance(ex.eng.catalog, src.table, true)) {
    // an inheritance parent: the planner finds the children and locks each (expand_inherited_rtentry), with the
    // parent's mode; it does not look the query up again after these waits (optimizer/inherit.ts)
    src.scope.inhMembers = yield* lockInheritanceTree(ex, s, src.table, lockMode ? LockMode.RowShare : LockMode.AccessShare);
    if (qi) qi.inhMembers = src.scope.inhMembers; // EXPLAIN prints their Append (commands/explainselect.ts)
  }
  // (a WITH query or a subquery only analyzed for its shape takes no snapshot of its own: it reads nothing)
  if (!s.noRows || topLevel) snap();
  // CheckValidRowMarkRel: no row locks in a materialized view
  if (lockMode && src.table?.matview) throw new PgError('42809', `cannot lock rows in materialized view "${src.table.name}"`);
  if (lockMode) { ex.checkReadOnly(s, `SELECT ${LOCK_CLAUSE_NAME[lockMode]}`); s.tx!.cidUsed = true; } // standard_ExecutorStart: GetCurrentCommandId(true)

  const scope = src.scope;
  const where = ex.compileWhere(writtenWhere, scope);
  // a WHERE that folds to a constant false or NULL is a gating Result's One-Time Filter: nothing below it runs (no
  // scan, no join, no predicate lock) — SELECT … FROM a, b, c WHERE 1 = 0 reads nothing
  const oneTimeFalse = oneTimeFilterFalse(where, n.whereClause, scope);
  const { aggs, groupItems, groupExprs, groupBase, groupKeyOf, gclause, gsets, hasGroup, itemCols, gsetCol, uselessGroup, keyItems,
    keyCols, gsetCols, aggScope } = analyzeGroupBy(ex, n, scope, src.table ?? null);
  // (an aggregate inside a window call — rank() OVER (ORDER BY sum(v)), sum(sum(v)) OVER () — groups the query too)
  const grouping = hasGroup || !!gclause || !!n.havingClause || containsAggregate(n.targetList) || containsAggregate(n.sortClause)
    || containsGroupingFunc(n.targetList) || containsGroupingFunc(n.sortClause)
    || !!win?.calls.some((c) => containsAggregate(c.node)) || !!srf?.calls.some((c) => containsAggregate(c.node));
  // window functions of a grouped query run over its groups (nodeWindowAgg.ts), their columns grouped ones
  const wp = win ? prepareWindows(win.calls, grouping ? aggScope : scope, grouping) : null;
  const winGroupScope: Scope | null = wp && grouping ? {
    ...aggScope, columns: [...aggScope.columns, ...wp.columns], rowWidth: aggScope.columns.length,
    groupCols: new Set([...aggScope.groupCols!, ...wp.columns.map((_, i) => aggScope.columns.length + i)]),
  } : null;
  if (wp && lockMode) throw new PgError('0A000', `${LOCK_CLAUSE_NAME[lockMode]} is not allowed with window functions`);
  // a set-returning function of a grouped query expands each group's row (ProjectSet above the Agg)
  const ps = srf ? prepareSrfs(srf.calls, grouping ? aggScope : scope, (name, args, pos) => userSrfCall(ex, s, name, args, pos)) : null;
  if (ps && wp) throw notSupported('set-returning functions in the select list together with window functions');
  const srfGroupScope: Scope | null = ps && grouping ? {
    ...aggScope, columns: [...aggScope.columns, ...ps.columns], rowWidth: aggScope.columns.length,
    groupCols: new Set([...aggScope.groupCols!, ...ps.columns.map((_, i) => aggScope.columns.length + i)]),
  } : null;
  if (ps && lockMode) throw new PgError('0A000', `${LOCK_CLAUSE_NAME[lockMode]} is not allowed with set-returning functions in the target list`);
  // the window functions' and set-returning calls' results follow the row's columns (not part of its whole row)
  const exprScope = winGroupScope ?? srfGroupScope ?? (grouping ? aggScope
    : wp ? { ...scope, columns: [...scope.columns, ...wp.columns], rowWidth: scope.columns.length }
    : ps ? { ...scope, columns: [...scope.columns, ...ps.columns], rowWidth: scope.columns.length } : scope);
  const { targets, names, exprKeys } = compileTargetList(n, exprScope, src, keepUnknown);
  const having = n.havingClause ? compileExpr(n.havingClause, aggScope) : null;
  if (grouping && lockMode) throw new PgError('0A000', `${LOCK_CLAUSE_NAME[lockMode]} is not allowed with ${hasGroup ? 'GROUP BY clause' : 'aggregate functions'}`);

  // Sort keys: output-column names and ordinals refer to targets, anything else is an expression (nodeSort.ts)
  const sortKeys = compileSortKeys(n.sortClause, targets, names, exprKeys, exprScope);
  // DISTINCT ON (exprs): the first row of each set of rows equal on them (executor/selectanalyze.ts)
  const { distinctOn, onFirst } = distinctOnClause(n, targets, names, exprKeys, exprScope, scope, sortKeys);

  // the planner's path (optimizer/planner.ts): ORDER BY a plain column may walk an index instead of sorting
  const iosEnabled = scope.env.currentSetting('enable_indexonlyscan', true) !== 'off';
  const path = src.table ? chooseScan(src.table, n.whereClause, scope, {
    ...selectScanOptions(ownKeys(win ? { ...n, sortClause: windowOrder(win.calls, n.sortClause) } : n, scope), src.table, grouping || !!ps),
    serializable: !!s.tx!.sxact,
    indexOnly: (index) => isIndexOnly({ kind: 'IndexScanOrdered', index, backward: false }, src.table!, n, iosEnabled),
  }) : null;
  // an Index Only Scan fetches no heap tuple of an all-visible block (what the statistics count: pgstat/)
  if (path && (path.kind === 'IndexScan' || path.kind === 'IndexScanOrdered') && isIndexOnly(path, src.table!, n, iosEnabled)) path.indexOnly = true;
  // GROUP BY: the HashAggregate's table, or a GroupAggregate over a Sort (optimizer/distinctpaths.ts)
  // over a join: estimate_num_groups over the join tree (optimizer/joingroups.ts)
  const joinEst = !src.table ? JoinGroupEstimate.of(src.joinPlan, scope.rels) : null;
  const groupOrder = hasGroup && !gsets ? groupPlan(n, src.table ?? null, aggs, keyCols, keyItems, scope, groupBase, path, joinEst) : undefined;
  // grouping sets: the Agg's passes (optimizer/groupingsets.ts), each hash table ordered as a GROUP BY of its set
  const gsExec: GroupingSetsExec | null = gsets ? {
    plan: planGroupingSets(gsets, sortGroupRefs(n.sortClause, gclause!.items.map((x) => x.key), (g) => groupKeyOf(g).key),
      groupingSetsHashable(aggs, itemCols, groupBase)),
    refCols: itemCols, sets: gsetCols, setCol: gsetCol,
    orderFor: (cols) => groupPlan({ ...n, havingClause: undefined }, src.table ?? null, [], new Set(cols),
      cols.map((c) => groupItems[itemCols.indexOf(c)]!), scope, groupBase, null, joinEst),
  } : null;
  if (qi) {
    qi.path = path; qi.scope = scope; qi.joinPlan = src.joinPlan ?? null;
    qi.groupSorted = !!groupOrder?.sorted;
    qi.groupKeyNodes = gclause ? gclause.items.map((x) => x.node) : undefined;
    qi.groupingSets = gsExec?.plan;
    qi.groupUseless = uselessGroup;
    // SELECT DISTINCT: Unique over Sort or HashAggregate (optimizer/distinctpaths.ts), for EXPLAIN to print
    const plainDistinct = n.distinctClause && !Object.keys(n.distinctClause[0] ?? {}).length;
    qi.distinctSorted = !!(plainDistinct && src.table && distinctPlan(n, src.table, targets, scope, path).strategy === 'sorted');
    if (qi.planOnly) return { names, types: targets.map((t) => t.type), rows: [] };
  }
  if (s.noRows) return { names, types: targets.map((t) => t.type), rows: [] };
  return yield* executeSelect({ ex, s, n, sql, topLevel, sub, src, scope, snap, where, oneTimeFalse, targets, names, grouping, hasGroup,
    aggs, keyCols, groupExprs, having, groupOrder, gsExec, joinEst, wp, ps, sortKeys, distinctOn, onFirst, lockMode, policy, path, qi });
}

/** Is this query's LIMIT a constant (no column, function or subquery in it) that evaluates to 0? */
function limitIsZero(ex: Executor, s: Session, n: N, sql: string): boolean {
  if (!n.limitCount || !plainConstant(n.limitCount)) return false;
  try {
    return ex.constInt(n.limitCount, { relName: null, alias: null, columns: [], hasSystem: false, env: ex.env(s, () => ex.eng.snapshotFor(s)), sql }, 'LIMIT') === 0;
  } catch {
    return false; // its error comes where it always does
  }
}
const plainConstant = (x: unknown): boolean => !x || typeof x !== 'object'
  || Object.entries(x as N).every(([k, v]) => k !== 'SubLink' && k !== 'ColumnRef' && k !== 'FuncCall' && plainConstant(v));

/** Functions PostgreSQL marks STABLE that a pulled-up select list may call (not volatile, not set-returning). */
const STABLE_FUNCTIONS = new Set(['now', 'current_setting', 'to_char', 'to_date', 'to_timestamp', 'age', 'date_part', 'date_trunc',
  'extract', 'current_database', 'current_schema', 'current_user', 'session_user', 'version', 'format', 'concat', 'concat_ws',
  'statement_timestamp', 'transaction_timestamp', 'pg_backend_pid', 'txid_current_if_assigned', 'pg_current_snapshot', 'txid_current_snapshot']);

/** What the subquery pull-up asks of the executor: the catalog, the WITH queries in scope, analysis without rows. */
export function pullupEnv(ex: Executor, s: Session, sql: string, sub: { outer: NonNullable<Scope['outer']>; snapshot: () => Snapshot } | undefined): PullupEnv {
  const cat = ex.eng.catalog;
  return {
    tableColumns(rv) {
      const schema = rv.schemaname as string | undefined;
      if (schema && schema !== 'public') return null;
      const name = rv.relname as string;
      // system catalogs and views come first on the search path (commands/view.ts relationSource)
      if (name.startsWith('pg_') || cat.view(name, schema) || cat.sequence(name, schema)) return null;
      const t = schema ? cat.getIn(schema, name) : cat.get(name);
      return t ? t.columns.filter((c) => !c.dropped).map((c) => c.name) : null;
    },
    cteColumns: (rv) => lookupCte(s, rv.relname)?.names ?? null,
    view(rv) {
      const schema = rv.schemaname as string | undefined;
      if ((schema && schema !== 'public' && schema !== 'pg_temp') || (rv.relname as string).startsWith('pg_') || (!schema && lookupCte(s, rv.relname))) return null;
      const v = cat.view(rv.relname, schema);
      return v ? { query: v.query as N, columns: v.columns.map((c) => c.name) } : null;
    },
    *shape(select) {
      s.noRows++;
      try { return yield* ex.query(s, select, sql, false, sub); } finally { s.noRows--; }
    },
    safeFunction(name) {
      const user = cat.functionsNamed(name);
      if (user) return user.every((f) => f.volatility !== 'volatile' && !f.setof);
      return !isSetFunction(name) && (isImmutableFunction(name) || STABLE_FUNCTIONS.has(name));
    },
    isAggregate: (name) => PG15_AGGREGATES.has(name.toLowerCase()),
  };
}

/** ORDER BY / DISTINCT ON keys naming the scanned table (`t.a`) as the planner's rules read them (bare `a`) */
const ownKeys = (n: N, scope: Scope): N =>
  (n.sortClause || n.distinctClause ? { ...n, sortClause: unqualifyOwn(n.sortClause, scope), distinctClause: unqualifyOwn(n.distinctClause, scope) } : n);
