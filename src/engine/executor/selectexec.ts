/**
 * Running a planned SELECT (PostgreSQL's execMain.c ExecutePlan over the plan tree): the scan or join produces
 * rows (a fast path projects them as they come when nothing above needs them all), then aggregation (nodeAgg.ts,
 * aggsets.ts), window functions (nodeWindowAgg.ts), set-returning functions (nodeProjectSet.ts), the Sort, and
 * per row: LockRows (FOR UPDATE & co., with EvalPlanQual in rowlocks.ts), DISTINCT / DISTINCT ON (nodeUnique.ts),
 * OFFSET and LIMIT (nodeLimit.ts). A cursor's query stops here and leaves its rows to FETCH (portalcmds.ts).
 *
 * Order matters for what a learner sees: a LIMIT straight above the scan stops the scan early (WHERE never runs on
 * the rows after, and their tuples get no hint bits), while under a Sort every row is read and its select list
 * computed first (make_sort_input_target), so `SELECT 1/(k-3) FROM t ORDER BY k LIMIT 1` fails if k = 3 exists.
 *
 * Simplified: the nodes run one after another over arrays of rows instead of pulling tuples one at a time; where
 * PostgreSQL's demand-driven order is visible (LIMIT, user functions with NOTICEs, lock waits) it is reproduced.
 */
import { evalWaiting, mayWait } from './exprwait.js';
import { recordPredicateRead, scanWaiting } from './scan.js';
import type { Executor } from './executor.js';
import type { Session } from '../session/session.js';
import type { Compiled, Scope, Row, AggSpec } from '../sql/expr.js';
import { type SqlType, type Value, formatValue } from '../sql/types.js';
import { type WaitPolicy } from './rowlocks.js';
import { compareKeys, sortRows, type SortKey } from './nodeSort.js';
import { pgQsort } from './qsort.js';
import { distinctPlan, joinHashedOrder, type groupPlan } from './grouporder.js';
import type { JoinGroupEstimate } from '../optimizer/joingroups.js';
import { distinctFilter } from './nodeUnique.js';
import { projectRows } from './nodeResult.js';
import { aggregate } from './nodeAgg.js';
import { aggregateGroupingSets, groupingSetsRows, type GroupingSetsExec } from './aggsets.js';
import { groupHash, hashTableOrder } from './execGrouping.js';
import type { Table } from '../catalog/catalog.js';
import type { chooseScan } from '../optimizer/planner.js';
import type { prepareWindows } from './nodeWindowAgg.js';
import type { prepareSrfs } from './nodeProjectSet.js';
import { isImmutableFunction } from '../sql/funcs/registry.js';
import type { TupleLockMode } from '../heap/heapam.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import { N, Gen, Candidate, type Source, callsUserFunction } from './util.js';

/** What parse analysis and planning decided for one SELECT: the plan ExecutePlan runs. */
export interface PlannedSelect {
  ex: Executor; s: Session; n: N; sql: string; topLevel: boolean;
  sub?: { outer: NonNullable<Scope['outer']>; snapshot: () => Snapshot };
  src: Source; scope: Scope; snap: () => Snapshot;
  where: ReturnType<Executor['compileWhere']>; oneTimeFalse: boolean;
  targets: Compiled[]; names: string[];
  grouping: boolean; hasGroup: boolean; aggs: AggSpec[]; keyCols: Set<number>; groupExprs: Compiled[]; having: Compiled | null;
  groupOrder: ReturnType<typeof groupPlan> | undefined; gsExec: GroupingSetsExec | null; joinEst: JoinGroupEstimate | null;
  wp: ReturnType<typeof prepareWindows> | null; ps: ReturnType<typeof prepareSrfs> | null;
  sortKeys: SortKey[]; distinctOn: N[] | null; onFirst: ((r: Row) => boolean) | null;
  lockMode: TupleLockMode | null; policy: WaitPolicy;
  path: ReturnType<typeof chooseScan> | null;
  qi: Executor['queryInstr'];
}

export function* executeSelect(p: PlannedSelect): Gen<{ names: string[]; types: SqlType[]; rows: Value[][] }> {
  const { ex, s, n, topLevel, sub, src, scope, snap, where, oneTimeFalse, targets, names, grouping, hasGroup, aggs, keyCols, groupExprs,
    having, groupOrder, gsExec, joinEst, wp, ps, sortKeys, distinctOn, onFirst, lockMode, policy, path, qi } = p;
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
  // DISTINCT ON's Unique drops rows after its Sort the same way (it cannot project: the rows it drops were computed
  // in full below it) — without ORDER BY there is no make_sort_input_target and nothing is computed late
  const dropsBelow = limit !== null && (sortKeys.length || n.distinctClause) || !!onFirst;
  const lateTargets = !!n.sortClause?.length && computedLate(n.targetList);
  if (dropsBelow && !lockMode && !hasGenTarget(targets) && !lateTargets) {
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
