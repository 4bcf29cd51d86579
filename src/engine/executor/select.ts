/**
 * SELECT: the query's plan nodes run bottom-up — the scan or join (nodeSeqscan.ts & co., nodeHashjoin.ts,
 * nodeMergejoin.ts, nodeNestloop.ts), its filter, then aggregation (nodeAgg.ts), window functions
 * (nodeWindowAgg.ts), set-returning functions (nodeProjectSet.ts), the sort (nodeSort.ts), row locks of SELECT
 * ... FOR UPDATE & co. (nodeLockRows.ts), DISTINCT (nodeUnique.ts) and LIMIT / OFFSET (nodeLimit.ts); no FROM
 * or a function source is a Result. This file is the driver that wires them (PostgreSQL's execMain.c
 * ExecutePlan over the tree createplan.c built), with parse analysis of the target list.
 *
 * Snapshots and locks: a READ COMMITTED query takes its snapshot once its AccessShareLocks are held (so a query
 * that waited behind ALTER TABLE or TRUNCATE sees what they committed); a transaction snapshot (REPEATABLE READ,
 * SERIALIZABLE) is taken first, as exec_simple_query does. If DDL changed a table while the query waited, the
 * query is analyzed again against the new definition.
 */
import { expandsInheritance, lockInheritanceTree } from '../optimizer/inherit.js';
import { isIndexOnly } from './nodeIndexonlyscan.js';
import { allPartitions, scanLeaves, parentOf } from './execPartition.js';
import { evalWaiting, mayWait } from './exprwait.js';
import { recordPredicateRead, scanWaiting } from './scan.js';
import { checkScannable } from '../commands/matview.js';
import type { Executor } from './executor.js';
import { PgError, notSupported, posOf } from '../errors.js';
import type { Session, QueryResult } from '../session/session.js';
import { type RawStmt } from '../sql/parser.js';
import {
  compileExpr, castTo, type Compiled, type Scope, type Row, type AggSpec,
} from '../sql/expr.js';
import { type SqlType, type Value, T, formatValue, groupKey } from '../sql/types.js';
import { intConst } from '../sql/parser.js';
import { type WaitPolicy } from './rowlocks.js';
import { compileSortKeys, compareKeys, sortRows } from './nodeSort.js';
import { pgQsort } from './qsort.js';
import { groupPlan, distinctPlan, joinHashedOrder, groupingSetsHashable } from './grouporder.js';
import { JoinGroupEstimate } from '../optimizer/joingroups.js';
import { functionalGrouping } from '../optimizer/groupkeys.js';
import { distinctFilter } from './nodeUnique.js';
import { projectRows, oneTimeFilterFalse } from './nodeResult.js';
import { aggregate } from './nodeAgg.js';
import { aggregateGroupingSets, groupingSetsRows, type GroupingSetsExec } from './aggsets.js';
import { hasGroupingShape, transformGroupClause, sortGroupRefs } from './groupclause.js';
import { planGroupingSets } from '../optimizer/groupingsets.js';
import { groupHash, hashTableOrder } from './execGrouping.js';
import type { Table } from '../catalog/catalog.js';
import { chooseScan, selectScanOptions, unqualifyOwn } from '../optimizer/planner.js';
import { setOpQuery } from './nodeSetOp.js';
import { withQuery, runFromSubqueries } from './nodeCtescan.js';
import { extractWindows, prepareWindows, windowOrder } from './nodeWindowAgg.js';
import { extractSrfs, prepareSrfs } from './nodeProjectSet.js';
import { userSrfCall } from '../pl/fmgr.js';
import { isImmutableFunction, isSetFunction } from '../sql/funcs/registry.js';
import { expandFieldStar } from '../sql/arrayexpr.js';
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
import {
  N, Gen, Candidate, LOCK_STRENGTH, LOCK_CLAUSE_NAME, expressionKey, containsAggregate, containsGroupingFunc, callsUserFunction, firstLocation,
} from './util.js';

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
    if (!src.table) throw new PgError('0A000', `${LOCK_CLAUSE_NAME[lockMode]} cannot be applied to a function`);
    if (!topLevel) throw notSupported('row locking (FOR UPDATE / SHARE) in a query that is not a top-level SELECT (INSERT ... SELECT, CREATE TABLE AS, a subquery)');
  }
  if (src.table) yield* ex.lockRelation(s, src.table, lockMode ? LockMode.RowShare : LockMode.AccessShare);
  if (src.table?.partKey) {
    // a partitioned table: the planner locks the partitions it did not prune (expand_partitioned_rtentry)
    // (with the mode of the parent's range table entry: RowShareLock under FOR UPDATE / SHARE)
    if (qi) throw notSupported('EXPLAIN of a scan of a partitioned table (an Append)');
    const mode = lockMode ? LockMode.RowShare : LockMode.AccessShare;
    // (a partitioned partition only when pruning kept some partition under it)
    const leaves = scanLeaves(ex.eng.catalog, src.table, n.whereClause);
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
    if (qi && !qi.planOnly) throw notSupported('EXPLAIN ANALYZE of a scan of an inheritance parent (an Append)');
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
  const aggs: AggSpec[] = [];
  // Targets: detect aggregates by compiling in grouping mode first.
  const groupCols = new Set<number>();
  const groupExprNodes: N[] = [];
  /** the GROUP BY items in clause order: a column's index, or an expression (placed once its hidden column is known) */
  const groupItems: (number | N)[] = [];
  // GROUPING SETS / ROLLUP / CUBE / (): the grouping expressions once each, and the sets (executor/groupclause.ts)
  const groupKeyOf = (g: N) => {
    const it = ex.groupColumn(g, n.targetList, scope);
    const key = typeof it === 'number' ? `column ${it}` : expressionKey(it.expr, scope);
    return { key, item: { it, node: g, key } };
  };
  const gclause = hasGroupingShape(n.groupClause) ? transformGroupClause(n.groupClause as N[], !!n.groupDistinct, groupKeyOf) : null;
  const gsets = gclause?.sets ?? null;
  const hasGroup = gclause ? gclause.items.length > 0 : !!n.groupClause?.length;
  if (gclause) {
    for (const { it } of gclause.items) { if (typeof it === 'number') groupItems.push(it); else { groupExprNodes.push(it.expr); groupItems.push(it.expr); } }
  } else if (hasGroup) {
    for (const g of n.groupClause as N[]) {
      const it = ex.groupColumn(g, n.targetList, scope);
      if (typeof it === 'number') groupItems.push(it); else { groupExprNodes.push(it.expr); groupItems.push(it.expr); }
    }
  }
  // GROUP BY an expression: computed per input row into a hidden column after the scan's own
  let groupBase: Scope = scope;
  const groupExprs: Compiled[] = [];
  if (groupExprNodes.length) {
    const map = new Map<string, number>();
    for (const e of groupExprNodes) {
      if (containsAggregate(e)) throw new PgError('42803', 'aggregate functions are not allowed in GROUP BY', { position: posOf(firstLocation(e)) });
      const key = expressionKey(e, scope);
      if (map.has(key)) continue;
      map.set(key, scope.columns.length + groupExprs.length);
      groupExprs.push(compileExpr(e, scope));
    }
    groupBase = { ...scope, columns: [...scope.columns, ...groupExprs.map((c, k) => ({ name: `........pg.group.${k}........`, type: c.type, dropped: true }))],
      groupExprs: { key: (x) => expressionKey(x, scope), map } };
  }
  // the grouping columns in GROUP BY's order (a HashAggregate hashes them in that order)
  const itemCols = groupItems.map((it) => (typeof it === 'number' ? it : groupBase.groupExprs!.map.get(expressionKey(it, scope))!));
  for (const c of itemCols) groupCols.add(c);
  // grouping sets: a hidden column after the row's (and the GROUP BY expressions') holds each group's set number
  const gsetCol = gsets ? groupBase.columns.length : -1;
  if (gsets) groupBase = { ...groupBase, columns: [...groupBase.columns, { name: '........pg.gset........', type: T.int4, dropped: true }] };
  // a grouped primary key: its table's other columns may appear ungrouped, and the planner keys the groups without
  // them (optimizer/groupkeys.ts: check_functional_grouping, remove_useless_groupby_columns)
  // (with grouping sets: by the expressions every set has, parseCheckAggregates' gset_common; no key is dropped)
  const groupRels = scope.rels ?? (src.table ? [{ offset: 0, count: src.table.columns.length, table: src.table }] : []);
  const fgAll = hasGroup ? functionalGrouping(groupRels, gsets ? groupItems.filter((_, i) => gsets.every((set) => set.includes(i + 1))) : groupItems) : null;
  const fg = gsets && fgAll ? { ...fgAll, useless: new Set<number>() } : fgAll;
  const uselessGroup = new Set<number>(fg?.useless.size ? groupItems.flatMap((it, i) => (typeof it === 'number' && fg.useless.has(it) ? [i] : [])) : []);
  const keyItems = uselessGroup.size ? groupItems.filter((_, i) => !uselessGroup.has(i)) : groupItems;
  const keyCols = uselessGroup.size ? new Set([...groupCols].filter((c) => !fg!.useless.has(c))) : groupCols;
  const gsetCols = gsets?.map((set) => new Set(set.map((r) => itemCols[r - 1]!))) ?? [];
  const aggScope: Scope = { ...groupBase, aggs, groupCols: fg?.dependent.size ? new Set([...groupCols, ...fg.dependent]) : groupCols,
    ...(fg?.dependent.size ? { groupDependent: fg.dependent } : {}),
    groupingSets: { cols: groupCols, col: gsets ? gsetCol : null, sets: gsetCols } };
  const targets: Compiled[] = [];
  const names: string[] = [];
  /** what each target computes, to tell "the same expression twice" from different ones (ORDER BY ambiguity) */
  const exprKeys: string[] = [];
  const keepUnknownHere = keepUnknown && !n.sortClause?.length && !n.distinctClause && !n.groupClause?.length;
  const compileTargets = (sc: Scope) => {
    targets.length = 0; names.length = 0; exprKeys.length = 0;
    for (const t of (n.targetList ?? []) as N[]) {
      const rt = t.ResTarget;
      const cr = rt.val.ColumnRef;
      if (cr && cr.fields[cr.fields.length - 1].A_Star) {
        // PL/pgSQL's `rec.*` (NEW.*, OLD.*, a %ROWTYPE variable): one column per field
        const recName = cr.fields.length === 2 ? cr.fields[0].String?.sval as string | undefined : undefined;
        const fromItem = recName !== undefined
          && !!(src.scope.rels?.some((r) => r.name === recName) || src.scope.alias === recName || (src.table && src.scope.relName === recName));
        const fields = recName !== undefined ? sc.env.pl?.recordFields?.(recName, cr.location, fromItem) ?? null : null;
        if (fields) {
          for (const f of fields) {
            const v = sc.env.pl!.variable([recName!, f], sc, cr.location)!;
            targets.push(v); names.push(f); exprKeys.push(`record ${recName}.${f}`);
          }
          continue;
        }
        if (!src.table && src.scope.columns.length === 0) throw new PgError('42601', 'SELECT * with no tables specified is not valid', { position: posOf(cr.location) });
        if (src.scope.starRefused) throw notSupported(src.scope.starRefused, posOf(cr.location));
        // t.* in a join: only that relation's columns
        const qual = cr.fields.length === 2 ? cr.fields[0].String?.sval as string | undefined : undefined;
        const rel = qual !== undefined && src.scope.rels ? src.scope.rels.find((r) => r.name === qual) : undefined;
        if (qual !== undefined && src.scope.rels && !rel) throw new PgError('42P01', `missing FROM-clause entry for table "${qual}"`, { position: posOf(cr.location) });
        src.scope.columns.forEach((c, i) => {
          if (c.dropped || (c.hidden && !rel)) return; // a USING join's side column: only t.* shows it
          if (rel && (i < rel.offset || i >= rel.offset + rel.count)) return;
          if (sc.aggs && !sc.groupCols?.has(i)) {
            throw new PgError('42803', `column "${scope.alias ?? scope.relName}.${c.name}" must appear in the GROUP BY clause or be used in an aggregate function`, { position: posOf(cr.location) });
          }
          targets.push({ fn: (r) => r.vals[i]!, type: c.type, name: c.name, strength: 2 });
          names.push(c.name);
          exprKeys.push(`column ${i}`);
        });
        continue;
      }
      const ai = rt.val.A_Indirection;
      if (ai && ai.indirection[ai.indirection.length - 1].A_Star) {
        // (f(x)).*: one column per field of the row value
        expandFieldStar(ai, sc, compileExpr).forEach((c) => {
          targets.push(c); names.push(c.name);
          exprKeys.push(expressionKey({ A_Indirection: { ...ai, indirection: [...ai.indirection.slice(0, -1), { String: { sval: c.name } }] } }, scope));
        });
        continue;
      }
      const c = compileExpr(rt.val, sc);
      targets.push(c.type.name === 'unknown' && !keepUnknownHere ? castTo(c, T.text, false) : c);
      names.push(rt.name ?? c.name);
      exprKeys.push(expressionKey(rt.val, scope));
    }
  };
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
  compileTargets(exprScope);
  const having = n.havingClause ? compileExpr(n.havingClause, aggScope) : null;
  if (grouping && lockMode) throw new PgError('0A000', `${LOCK_CLAUSE_NAME[lockMode]} is not allowed with ${hasGroup ? 'GROUP BY clause' : 'aggregate functions'}`);

  // Sort keys: output-column names and ordinals refer to targets, anything else is an expression (nodeSort.ts)
  const sortKeys = compileSortKeys(n.sortClause, targets, names, exprKeys, exprScope);
  // DISTINCT ON (exprs): the first row of each set of rows equal on them, in ORDER BY's order (without ORDER BY,
  // sorted by them, as the Sort under PostgreSQL's Unique does)
  const distinctOn = n.distinctClause?.length && n.distinctClause[0] && Object.keys(n.distinctClause[0]).length ? n.distinctClause as N[] : null;
  let onFirst: ((r: Row) => boolean) | null = null;
  if (distinctOn) {
    const asSort = distinctOn.map((node) => ({ SortBy: { node, sortby_dir: 'SORTBY_DEFAULT', sortby_nulls: 'SORTBY_NULLS_DEFAULT' } }));
    const onKeys = compileSortKeys(asSort, targets, names, exprKeys, exprScope);
    const ident = (k: N): string => {
      const pos = k.A_Const?.ival !== undefined ? intConst(k.A_Const) ?? null : null;
      if (pos !== null && pos >= 1 && pos <= targets.length) return exprKeys[pos - 1]!;
      if (k.ColumnRef?.fields?.length === 1 && k.ColumnRef.fields[0].String) {
        const i = names.indexOf(k.ColumnRef.fields[0].String.sval);
        if (i >= 0) return exprKeys[i]!;
      }
      return expressionKey(k, scope);
    };
    // transformDistinctOnClause: an ORDER BY item that is a DISTINCT ON expression may not follow one that is not
    // (an ORDER BY item equal to an earlier one is not in the sort list at all: addTargetToSortList drops it)
    const onIds = distinctOn.map(ident);
    let skipped = false;
    const sorted = new Set<string>();
    for (const sb of (n.sortClause ?? []) as N[]) {
      const id = ident(sb.SortBy.node);
      if (sorted.has(id)) continue;
      sorted.add(id);
      const at = onIds.indexOf(id);
      if (at < 0) { skipped = true; continue; }
      if (skipped) throw new PgError('42P10', 'SELECT DISTINCT ON expressions must match initial ORDER BY expressions', { position: posOf(firstLocation(distinctOn[at]!)) });
    }
    // the Sort under Unique: ORDER BY's keys, then the DISTINCT ON expressions ORDER BY leaves out
    const orderIds = ((n.sortClause ?? []) as N[]).map((sb) => ident(sb.SortBy.node));
    sortKeys.push(...onKeys.filter((_, i) => !orderIds.includes(onIds[i]!)));
    const seenOn = new Set<string>();
    onFirst = (r) => {
      const key = JSON.stringify(onKeys.map((k) => groupKey(k.fn(r))));
      if (seenOn.has(key)) return false;
      seenOn.add(key);
      return true;
    };
  }

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
  const limitEarly = n.limitCount ? ex.constInt(n.limitCount, scope, 'LIMIT') : null;
  // Fast path: no grouping, sorting, DISTINCT, OFFSET or locking — project rows as they are produced (nodeResult.ts)
  if (!grouping && !wp && !ps && !sortKeys.length && !lockMode && !n.distinctClause && !n.limitOffset && !src.table) {
    const waits = mayWait(n.whereClause) || mayWait(n.targetList); // SELECT pg_advisory_lock(1): evaluated where it can wait
    if (!waits && !targets.some((tg) => tg.gen)) return { names, types: targets.map((t) => t.type),
      rows: projectRows(oneTimeFalse ? [] : src.rows!(), where, targets, limitEarly, qi) };
    const out: Value[][] = [];
    const r: Row = { vals: [], item: null, blk: 0, off: 0, aggs: null };
    const nt = targets.length;
    for (const vals of oneTimeFalse ? [] : src.rows!()) {
      if (limitEarly !== null && out.length >= limitEarly) break;
      r.vals = vals;
      if (!waits && targets.some((tg) => tg.gen)) {
        // SELECT f(…): a user function as a whole select-list item runs as a step of this statement (it may wait)
        if (where && where.fn(r) !== true) { if (qi) qi.fastRemoved++; continue; }
        const o = new Array<Value>(nt);
        for (let i = 0; i < nt; i++) { const tg = targets[i]!; o[i] = tg.gen ? yield* tg.gen(r) : tg.fn(r); }
        out.push(o);
        continue;
      }
      const project = () => {
        if (where && where.fn(r) !== true) return null;
        const o = new Array<Value>(nt);
        for (let i = 0; i < nt; i++) o[i] = targets[i]!.fn(r);
        return o;
      };
      const o = waits ? yield* evalWaiting(s, project) : project();
      if (!o) { if (qi) qi.fastRemoved++; continue; }
      out.push(o);
    }
    if (qi) qi.fastRows = out.length;
    return { names, types: targets.map((t) => t.type), rows: out };
  }
  // Produce rows.
  let rows: Row[] = [];
  // a user function in WHERE or the select list: test WHERE and compute the targets row by row, in the order the
  // executor's pipeline does (their NOTICEs interleave per row; a LIMIT stops the calls)
  const pipelined = !!src.table && !grouping && !wp && !ps && !sortKeys.length && !n.distinctClause && !lockMode && !!where
    && (callsUserFunction(n.whereClause, ex) || callsUserFunction(n.targetList, ex));
  // a LIMIT straight above the scan (nothing in between needs every row): the scan stops once it has LIMIT + OFFSET
  // rows, as PostgreSQL's demand-driven Limit stops pulling — WHERE never runs on the rows after (scan.ts)
  const stopAfter = limitEarly !== null && !grouping && !wp && !ps && !sortKeys.length && !n.distinctClause && !lockMode && !pipelined
    ? limitEarly + ((n.limitOffset ? ex.constInt(n.limitOffset, scope, 'OFFSET') : 0) ?? 0) : null;
  if (oneTimeFalse) {
    // nothing to read
  } else if (src.table) {
    rows = yield* scanWaiting(ex, s, src.table, snap(), pipelined ? null : where, n.whereClause, scope, path!, qi?.scan, stopAfter);
    recordPredicateRead(ex, s, src.table, snap(), where, n.whereClause, scope);
  } else {
    const r: Row = { vals: [], item: null, blk: 0, off: 0, aggs: null };
    const waits = mayWait(n.whereClause);
    for (const vals of src.rows!()) {
      r.vals = vals;
      if (where && (waits ? yield* evalWaiting(s, () => where.fn(r)) : where.fn(r)) !== true) continue;
      rows.push({ vals, item: null, blk: 0, off: 0, aggs: null });
    }
  }

  if (groupExprs.length) rows = rows.map((r) => ({ ...r, vals: [...r.vals, ...groupExprs.map((c) => c.fn(r))] }));
  if (gsExec) rows = aggregateGroupingSets(ex, rows, aggs, gsExec, having, qi ?? undefined);
  else if (grouping) rows = aggregate(ex, rows, aggs, keyCols, hasGroup, having, qi ?? undefined, groupOrder);
  if (wp) rows = wp.run(rows);
  if (ps) rows = ps.run(rows);
  if (qi) qi.belowSort = rows.length;

  const unsorted = rows;
  if (sortKeys.length) rows = sortRows(rows, sortKeys);
  if (qi && sortKeys.length) {
    // what EXPLAIN ANALYZE's Sort held: plain columns only (an expression is not evaluated a second time)
    const sorted = rows;
    const plain = !grouping && !wp && !ps && ((n.targetList ?? []) as N[]).every((t) => !!t.ResTarget?.val?.ColumnRef) &&
      sortKeys.every((k) => !k.junk || k.junk.column);
    const junk = sortKeys.filter((k) => k.junk);
    qi.sortTuples = () => (plain ? {
      rows: sorted.map((r) => [...targets.map((t) => t.fn(r)), ...junk.map((k) => k.fn(r))]),
      types: [...targets.map((t) => t.type), ...junk.map((k) => k.junk!.type)],
    } : null);
  }

  const limit = n.limitCount ? ex.constInt(n.limitCount, scope, 'LIMIT') : null;
  const offset = (n.limitOffset ? ex.constInt(n.limitOffset, scope, 'OFFSET') : 0) ?? 0;
  // make_sort_input_target: under a Sort or DISTINCT the select list is computed below it, for every row, also
  // the rows a LIMIT then drops (so their errors come) — except what is volatile or expensive (a subquery, a user
  // function, a function that is not immutable), which is computed above, for the rows returned only
  if (limit !== null && (sortKeys.length || n.distinctClause) && !lockMode && !hasGenTarget(targets) && !computedLate(n.targetList)) {
    for (const r of unsorted) for (const t of targets) t.fn(r);
  }
  const unique = distinctOn ? null : distinctFilter(n.distinctClause);
  const out: Value[][] = [];
  const foundAfter: boolean[] = []; // a duplicate after out[i]: the hash table's grow check runs for it too (execGrouping.ts)
  const seen = unique?.seen ?? null;
  let skipped = 0;
  const waitTargets = mayWait(n.targetList);
  // a user function as a whole select-list item runs as a step of the statement, once per row (it may wait)
  const genTargets = !waitTargets && !sortKeys.length && !n.distinctClause && !grouping && targets.some((t) => t.gen);
  // a cursor's query (commands/portalcmds.ts): the heap block of each row of a streaming scan, for the pin it keeps
  const ownCursor = topLevel && !sub && s.cursorScan && !s.cursorScan.claimed && s.cursorScan.plDepth === s.plDepth && !s.noRows ? s.cursorScan : null;
  // (an index walk in ORDER BY's order is the plan's top: the Sort above it is a no-op here and absent in PostgreSQL)
  const indexOrdered = path?.kind === 'IndexScanOrdered' && (n.sortClause ?? []).length === 1;
  const cursorScan = claimCursorScan(s, topLevel && !sub && !!src.table && !src.table.partKey && !grouping && !wp && !ps
    && (!sortKeys.length || indexOrdered) && !n.distinctClause, src.table);
  // a cursor's query (commands/portalcmds.ts): the rows above the scan / Sort are pulled one by one as FETCH asks —
  // a FOR UPDATE / SHARE cursor's LockRows locks each as it passes, the select list is computed for it then
  if (ownCursor && (ownCursor.wantLocks ? !!lockMode && !!src.table
    : !n.distinctClause && !onFirst && !waitTargets && !genTargets && !pipelined && !qi && !lockMode)) {
    const table = src.table, mode = lockMode;
    // make_sort_input_target: under a Sort the select list is computed below it, for every row, at the first FETCH
    if (sortKeys.length && !indexOrdered && !lockMode && !computedLate(n.targetList)) for (const r of unsorted) for (const tg of targets) tg.fn(r);
    let skippedL = 0, emitted = 0;
    ownCursor.lockRows = {
      rows, next: 0,
      * fetch(r0) {
        if (limit !== null && emitted >= limit) return 'end';
        let r = r0;
        if (mode && table) {
          const locked = yield* ex.lockRowForSelect(s, table, r0 as Candidate, mode, policy, where);
          if (!locked) return null;
          r = locked;
        }
        const vals = targets.map((tg) => tg.fn(r));
        if (skippedL < offset) { skippedL++; return null; }
        emitted++;
        return { vals, blk: r0.blk, tid: [r.blk, r.off] as [number, number] };
      },
    };
    return { names, types: targets.map((t) => t.type), rows: [] };
  }
  for (let r of rows) {
    if (limit !== null && out.length >= limit) { if (qi) qi.limitHit = true; break; }
    if (pipelined && (mayWait(n.whereClause) ? yield* evalWaiting(s, () => where!.fn(r)) : where!.fn(r)) !== true) continue;
    if (onFirst && !onFirst(r)) continue;
    if (qi) qi.pulled++;
    if (lockMode && src.table) {
      const locked = yield* ex.lockRowForSelect(s, src.table, r as Candidate, lockMode, policy, where);
      if (!locked) continue;
      if (qi) qi.locked++;
      r = locked;
    }
    const row = r;
    let vals: Value[];
    if (genTargets) { // SELECT f(x) FROM t: f may wait
      vals = [];
      for (const tg of targets) vals.push(tg.gen ? yield* tg.gen(row) : tg.fn(row));
    } else vals = waitTargets ? yield* evalWaiting(s, () => targets.map((t) => t.fn(row))) : targets.map((t) => t.fn(row));
    if (unique && !unique.first(vals)) { foundAfter[out.length - 1] = true; continue; }
    if (skipped < offset) { skipped++; continue; }
    out.push(vals);
    if (cursorScan) { cursorScan.blks.push(r.blk); cursorScan.tids.push([r.blk, r.off]); }
  }
  if (cursorScan) cursorScan.limited = limit !== null && out.length >= limit;
  // a hashed DISTINCT returns its rows in its hash table's order (execGrouping.ts)
  if (unique && !src.table && joinEst && !sortKeys.length && limit === null && !offset && out.length > 1) {
    const items = ((n.targetList ?? []) as N[]).map((tl) => tl.ResTarget.val as N);
    const h = joinHashedOrder(joinEst, targets.map((tg) => tg.type.name), items);
    if (h) {
      const perm = hashTableOrder(out.map((v) => groupHash(v, h.fns)), h.expected, foundAfter);
      const reordered = perm.map((i) => out[i]!);
      out.length = 0;
      out.push(...reordered);
    }
  }
  if (unique && src.table && !sortKeys.length && limit === null && !offset && out.length > 1) {
    const planned = distinctPlan(n, src.table, targets, scope, path);
    const { strategy } = planned;
    // over grouping sets create_distinct_paths takes the grouped rows' estimate (the sum of the sets') as its groups
    const gsRows = gsExec ? groupingSetsRows(gsExec) : null;
    const h = planned.h && gsRows !== null ? { ...planned.h, expected: gsRows } : planned.h;
    if (strategy === 'sorted') {
      const keys = h!.fns.map(() => ({ desc: false, nullsFirst: false }));
      pgQsort(out, (a, b) => compareKeys(keys, a, b));
    } else if (h) {
      const perm = hashTableOrder(out.map((v) => groupHash(v, h.fns)), h.expected, foundAfter);
      const reordered = perm.map((i) => out[i]!);
      out.length = 0;
      out.push(...reordered);
    }
  }
  if (qi) {
    qi.distinct = seen?.size ?? 0;
    if (seen && sortKeys.length) qi.distinct = new Set(rows.map((r) => JSON.stringify(targets.map((t) => formatValue(t.fn(r)))))).size;
  }
  return { names, types: targets.map((t) => t.type), rows: out };
}

/** The cursor's capture of its scan's blocks, taken by the cursor's own query (not by one a function in it runs). */
function claimCursorScan(s: Session, streaming: boolean, t: Table | null): NonNullable<Session['cursorScan']> | null {
  const c = s.cursorScan;
  if (!c || c.claimed || c.plDepth !== s.plDepth || s.noRows) return null;
  c.claimed = true;
  if (!streaming || !t) return null;
  c.rel = t.oid;
  return c;
}

const hasGenTarget = (targets: Compiled[]) => targets.some((t) => t.gen);
/** Does a select list hold what make_sort_input_target postpones past the Sort (see above)? */
function computedLate(x: unknown): boolean {
  if (!x || typeof x !== 'object') return false;
  const o = x as N;
  if (o.SubLink) return true;
  if (o.FuncCall && !isImmutableFunction((o.FuncCall.funcname as N[]).map((f) => f.String.sval as string).pop()!)) return true;
  return Object.values(o).some(computedLate);
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
