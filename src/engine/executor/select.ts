/**
 * SELECT: scan, filter, group and aggregate, sort, DISTINCT, LIMIT/OFFSET, subqueries, VALUES — and SELECT ... FOR
 * UPDATE / FOR NO KEY UPDATE / FOR SHARE / FOR KEY SHARE, which locks each row it returns (NOWAIT and SKIP LOCKED
 * included; READ COMMITTED follows a row updated meanwhile to its newest version, EvalPlanQual).
 *
 * Mirrors: src/backend/executor/nodeAgg.c, nodeSort.c, nodeLimit.c, nodeUnique.c, nodeLockRows.c, nodeSubplan.c,
 * nodeValuesscan.c. Simplifications: subqueries run once or per outer row, not as a planned subplan tree.
 *
 * Snapshots and locks: a READ COMMITTED query takes its snapshot once its AccessShareLocks are held (so a query
 * that waited behind ALTER TABLE or TRUNCATE sees what they committed); a transaction snapshot (REPEATABLE READ,
 * SERIALIZABLE) is taken first, as exec_simple_query does. If DDL changed a table while the query waited, the
 * query is analyzed again against the new definition.
 */
import { evalWaiting, mayWait } from './exprwait.js';
import { recordPredicateRead, scanWaiting } from './scan.js';
import type { Executor } from './executor.js';
import { PgError, notSupported, posOf } from '../errors.js';
import type { Session, QueryResult } from '../session/session.js';
import { type RawStmt, intConst } from '../sql/parser.js';
import {
  compileExpr, castTo, compareValues, newAggState, type Compiled, type Scope, type Row, type AggSpec, 
} from '../sql/expr.js';
import { type SqlType, type Value, T, formatValue, groupKey } from '../sql/types.js';
import type { Table } from '../catalog/catalog.js';
import { lockTuple, lockLatest, type WaitPolicy } from './rowlocks.js';
import { chooseScan, selectScanOptions } from '../optimizer/planner.js';
import { setOpQuery } from './nodeSetOp.js';
import { withQuery, runFromSubqueries } from './nodeCtescan.js';
import { extractWindows, prepareWindows, windowOrder } from './nodeWindowAgg.js';
import { extractSrfs, prepareSrfs } from './nodeProjectSet.js';
import { userSrfCall } from '../pl/fmgr.js';
import {
  TM, 
} from '../visibility/visibility.js';
import {
  type TupleLockMode, 
} from '../heap/heapam.js';
import { LockMode } from '../lock/lock.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import { usesXactSnapshot } from '../xact/xact.js';
import { lockSequencesIn } from '../commands/sequence.js';
import {
  N, Gen, Candidate, LOCK_STRENGTH, LOCK_CLAUSE_NAME, checkValuesLists, expressionKey, firstLocation, containsAggregate, callsUserFunction,
} from './util.js';

export function* selectStmt(ex: Executor, s: Session, n: N, raw: RawStmt): Gen<QueryResult> {
  const q = yield* ex.query(s, n, raw.text, true);
  return { command: `SELECT ${q.rows.length}`, columns: q.names.map((name, i) => ({ name, type: q.types[i]!.name })), rows: q.rows.map((r) => r.map(formatValue)) };
}

/**
 * A subquery runs with the enclosing statement's snapshot, once per row of the enclosing query when it is
 * correlated, once altogether when it is not (an InitPlan). It never waits: it only reads.
 */
export function prepareSubquery(ex: Executor, s: Session, select: N, outer: Scope, snapshot: () => Snapshot) {
  const ref: { current: Row | null } = { current: null };
  const outerInfo = { scope: outer, row: ref, used: false };
  let cached: Value[][] | null = null;
  let types: SqlType[] = [];
  const runOnce = (outerRow: Row | null) => {
    ref.current = outerRow;
    const g = ex.query(s, select, outer.sql, false, { outer: outerInfo, snapshot });
    const r = g.next();
    if (!r.done) throw notSupported('a subquery that has to wait for a lock');
    types = r.value.types;
    return r.value.rows;
  };
  // compile (and run) it once now with no outer row, to learn its column types and report errors early
  const dummy: Row = { vals: outer.columns.map(() => null), item: null, blk: 0, off: 0, aggs: null };
  const first = runOnce(dummy);
  if (!outerInfo.used) cached = first;
  return {
    types,
    run: (outerRow: Row) => cached ?? runOnce(outerRow),
  };
}

export function* query(ex: Executor, s: Session, n: N, sql: string, topLevel: boolean, sub?: { outer: NonNullable<Scope['outer']>; snapshot: () => Snapshot }): Gen<{ names: string[]; types: SqlType[]; rows: Value[][] }> {
  if (n.withClause) return yield* withQuery(ex, s, n, sql, topLevel, sub);
  if (n.op && n.op !== 'SETOP_NONE') return yield* setOpQuery(ex, s, n, sql, sub);
  if (n.intoClause) throw notSupported('SELECT INTO');
  // EXPLAIN ANALYZE of this statement: count what each plan node returns (commands/explain.ts)
  const qi = topLevel ? ex.queryInstr : null;
  if (qi) ex.queryInstr = null;
  let snapCache: Snapshot | null = null;
  const snap = sub ? sub.snapshot : () => (snapCache ??= ex.eng.snapshotFor(s));
  // the transaction snapshot is taken before parse analysis (exec_simple_query); a READ COMMITTED statement's own
  // snapshot only once its relation locks are held (PortalStart), so it sees what a lock holder committed
  if (sub || usesXactSnapshot(s.tx!.isolation)) snap();
  const generation = ex.eng.catalog.generation;
  if (n.valuesLists) return ex.valuesQuery(s, n, sql, snap);
  // window functions: each call becomes a hidden column, computed after the scan (nodeWindowAgg.ts)
  const win = extractWindows(n);
  if (win) n = win.n;
  // set-returning functions in the select list: hidden columns too, each row expanded (nodeProjectSet.ts)
  const srf = extractSrfs(n, (name) => ex.eng.catalog.functions.get(name)?.some((f) => f.setof) ?? false);
  if (srf) n = srf.n;
  const pre = n.fromClause?.length ? yield* runFromSubqueries(ex, s, n.fromClause, sql, sub) : undefined;
  const src = ex.source(s, n.fromClause, snap, sql, pre);
  if (sub) src.scope.outer = sub.outer;
  const locking = n.lockingClause as N[] | undefined;
  let lockMode: TupleLockMode | null = null, policy: WaitPolicy = 'block';
  if (locking?.length) {
    const lc = locking[0]!.LockingClause;
    lockMode = LOCK_STRENGTH[lc.strength]!;
    policy = lc.waitPolicy === 'LockWaitSkip' ? 'skip' : lc.waitPolicy === 'LockWaitError' ? 'error' : 'block';
    if (src.tables) throw notSupported(`${LOCK_CLAUSE_NAME[lockMode]} with joins`);
    if (!src.table) throw new PgError('0A000', `${LOCK_CLAUSE_NAME[lockMode]} cannot be applied to a function`);
    if (!topLevel) throw notSupported('row locking in INSERT ... SELECT');
  }
  if (src.table) yield* ex.lockRelation(s, src.table, lockMode ? LockMode.RowShare : LockMode.AccessShare);
  for (const jt of src.tables ?? []) yield* ex.lockRelation(s, jt, LockMode.AccessShare);
  // DDL changed a table while we waited for its lock: analyze again with the new definition (the locks are held now)
  if (ex.eng.catalog.sequences.size && !sub) yield* lockSequencesIn(ex, s, n);
  if (ex.eng.catalog.generation !== generation) return yield* query(ex, s, n, sql, topLevel, sub);
  snap();
  if (lockMode) { ex.checkReadOnly(s, `SELECT ${LOCK_CLAUSE_NAME[lockMode]}`); s.tx!.cidUsed = true; } // standard_ExecutorStart: GetCurrentCommandId(true)

  const scope = src.scope;
  const where = ex.compileWhere(n.whereClause, scope);
  const hasGroup = !!n.groupClause?.length;
  const aggs: AggSpec[] = [];
  // Targets: detect aggregates by compiling in grouping mode first.
  const groupCols = new Set<number>();
  if (hasGroup) {
    for (const g of n.groupClause as N[]) {
      const idx = ex.groupColumn(g, n.targetList, scope);
      groupCols.add(idx);
    }
  }
  const aggScope: Scope = { ...scope, aggs, groupCols };
  const targets: Compiled[] = [];
  const names: string[] = [];
  /** what each target computes, to tell "the same expression twice" from different ones (ORDER BY ambiguity) */
  const exprKeys: string[] = [];
  const compileTargets = (sc: Scope) => {
    targets.length = 0; names.length = 0; exprKeys.length = 0;
    for (const t of (n.targetList ?? []) as N[]) {
      const rt = t.ResTarget;
      const cr = rt.val.ColumnRef;
      if (cr && cr.fields[cr.fields.length - 1].A_Star) {
        if (!src.table && src.scope.columns.length === 0) throw new PgError('42601', 'SELECT * with no tables specified is not valid', { position: posOf(cr.location) });
        if (src.scope.starRefused) throw notSupported(src.scope.starRefused, posOf(cr.location));
        src.scope.columns.forEach((c, i) => {
          if (c.dropped) return;
          if (sc.aggs && !sc.groupCols?.has(i)) {
            throw new PgError('42803', `column "${scope.alias ?? scope.relName}.${c.name}" must appear in the GROUP BY clause or be used in an aggregate function`, { position: posOf(cr.location) });
          }
          targets.push({ fn: (r) => r.vals[i]!, type: c.type, name: c.name, strength: 2 });
          names.push(c.name);
          exprKeys.push(`column ${i}`);
        });
        continue;
      }
      const c = compileExpr(rt.val, sc);
      targets.push(c.type.name === 'unknown' ? castTo(c, T.text, false) : c);
      names.push(rt.name ?? c.name);
      exprKeys.push(expressionKey(rt.val, scope));
    }
  };
  const grouping = hasGroup || !!n.havingClause || containsAggregate(n.targetList) || containsAggregate(n.sortClause);
  const wp = win ? prepareWindows(win.calls, scope) : null;
  if (wp && grouping) throw notSupported('window functions together with GROUP BY or aggregates');
  if (wp && lockMode) throw new PgError('0A000', `${LOCK_CLAUSE_NAME[lockMode]} is not allowed with window functions`);
  const ps = srf ? prepareSrfs(srf.calls, scope, (name, args, pos) => userSrfCall(ex, s, name, args, pos)) : null;
  if (ps && (grouping || wp)) throw notSupported('set-returning functions in the select list together with GROUP BY, aggregates or window functions');
  if (ps && lockMode) throw new PgError('0A000', `${LOCK_CLAUSE_NAME[lockMode]} is not allowed with set-returning functions in the target list`);
  const exprScope = grouping ? aggScope : wp ? { ...scope, columns: [...scope.columns, ...wp.columns] } : ps ? { ...scope, columns: [...scope.columns, ...ps.columns] } : scope;
  compileTargets(exprScope);
  const having = n.havingClause ? compileExpr(n.havingClause, aggScope) : null;
  if (grouping && lockMode) throw new PgError('0A000', `${LOCK_CLAUSE_NAME[lockMode]} is not allowed with ${hasGroup ? 'GROUP BY clause' : 'aggregate functions'}`);

  // Sort keys: output-column names and ordinals refer to targets, anything else is an expression.
  const sortKeys: { fn: (r: Row) => Value; desc: boolean; nullsFirst: boolean }[] = [];
  for (const sb of (n.sortClause ?? []) as N[]) {
    const sn = sb.SortBy;
    const desc = sn.sortby_dir === 'SORTBY_DESC';
    const nullsFirst = sn.sortby_nulls === 'SORTBY_NULLS_FIRST' ? true : sn.sortby_nulls === 'SORTBY_NULLS_LAST' ? false : desc;
    let fn: ((r: Row) => Value) | null = null;
    let keyType: SqlType | null = null;
    const k = sn.node;
    if (k.A_Const?.ival !== undefined || (k.A_Const && Object.keys(k.A_Const).length === 1 && k.A_Const.location !== undefined && !k.A_Const.sval && !k.A_Const.fval && !k.A_Const.boolval)) {
      const pos = intConst(k.A_Const) ?? 0;
      if (pos < 1 || pos > targets.length) throw new PgError('42P10', `ORDER BY position ${pos} is not in select list`, { position: posOf(k.A_Const.location) });
      fn = targets[pos - 1]!.fn;
      keyType = targets[pos - 1]!.type;
    } else if (k.ColumnRef?.fields?.length === 1 && k.ColumnRef.fields[0].String) {
      // a bare name is an output column first (SQL92 rule, findTargetlistEntrySQL92), an input column only if none
      const nm = k.ColumnRef.fields[0].String.sval;
      const hits = names.map((x, i) => (x === nm ? i : -1)).filter((i) => i >= 0);
      if (hits.some((i) => exprKeys[i] !== exprKeys[hits[0]!])) throw new PgError('42702', `ORDER BY "${nm}" is ambiguous`, { position: posOf(k.ColumnRef.location) });
      if (hits.length) { fn = targets[hits[0]!]!.fn; keyType = targets[hits[0]!]!.type; }
    }
    if (!fn) {
      const c = compileExpr(k, exprScope);
      fn = c.fn;
      keyType = c.type;
    }
    // xid and cid have equality but no B-tree ordering (xid8 has one)
    if (keyType && (keyType.name === 'xid' || keyType.name === 'cid')) {
      throw new PgError('42883', `could not identify an ordering operator for type ${keyType.name}`, { hint: 'Use an explicit ordering operator or modify the query.', position: posOf(firstLocation(k)) });
    }
    sortKeys.push({ fn, desc, nullsFirst });
  }

  // the planner's path (optimizer/planner.ts): ORDER BY a plain column may walk an index instead of sorting
  const path = src.table ? chooseScan(src.table, n.whereClause, scope, { ...selectScanOptions(win ? { ...n, sortClause: windowOrder(win.calls, n.sortClause) } : n, src.table, grouping || !!ps), serializable: !!s.tx!.sxact }) : null;
  if (qi) { qi.path = path; qi.scope = scope; if (qi.planOnly) return { names, types: targets.map((t) => t.type), rows: [] }; }
  const limitEarly = n.limitCount ? ex.constInt(n.limitCount, scope, 'LIMIT') : null;
  // Fast path: no grouping, sorting, DISTINCT, OFFSET or locking — project rows as they are produced.
  if (!grouping && !wp && !ps && !sortKeys.length && !lockMode && !n.distinctClause && !n.limitOffset && !src.table) {
    const out: Value[][] = [];
    const r: Row = { vals: [], item: null, blk: 0, off: 0, aggs: null };
    const nt = targets.length;
    const waits = mayWait(n.whereClause) || mayWait(n.targetList); // SELECT pg_advisory_lock(1): evaluated where it can wait
    for (const vals of src.rows!()) {
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
  if (src.table) {
    rows = yield* scanWaiting(ex, s, src.table, snap(), pipelined ? null : where, n.whereClause, scope, path!, qi?.scan);
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

  if (grouping) rows = ex.aggregate(rows, aggs, groupCols, hasGroup, having, qi ?? undefined);
  if (wp) rows = wp.run(rows);
  if (ps) rows = ps.run(rows);
  if (qi) qi.belowSort = rows.length;

  if (sortKeys.length) {
    const keyed = rows.map((r) => ({ r, k: sortKeys.map((sk) => sk.fn(r)) }));
    keyed.sort((a, b) => {
      for (let i = 0; i < sortKeys.length; i++) {
        const sk = sortKeys[i]!;
        const x = a.k[i]!, y = b.k[i]!;
        if (x === null || y === null) {
          if (x === y) continue;
          return (x === null) === sk.nullsFirst ? -1 : 1;
        }
        const c = compareValues(x, y);
        if (c !== 0) return sk.desc ? -c : c;
      }
      return 0;
    });
    rows = keyed.map((x) => x.r);
  }

  const limit = n.limitCount ? ex.constInt(n.limitCount, scope, 'LIMIT') : null;
  const offset = (n.limitOffset ? ex.constInt(n.limitOffset, scope, 'OFFSET') : 0) ?? 0;
  const distinct = !!n.distinctClause;
  if (distinct && n.distinctClause.length && n.distinctClause[0] && Object.keys(n.distinctClause[0]).length) throw notSupported('DISTINCT ON');
  const out: Value[][] = [];
  const seen = distinct ? new Set<string>() : null;
  let skipped = 0;
  const waitTargets = mayWait(n.targetList);
  // a user function as a whole select-list item runs as a step of the statement, once per row (it may wait)
  const genTargets = !waitTargets && !sortKeys.length && !distinct && !grouping && targets.some((t) => t.gen);
  for (let r of rows) {
    if (limit !== null && out.length >= limit) { if (qi) qi.limitHit = true; break; }
    if (pipelined && (mayWait(n.whereClause) ? yield* evalWaiting(s, () => where!.fn(r)) : where!.fn(r)) !== true) continue;
    if (qi) qi.pulled++;
    if (lockMode && src.table) {
      const locked = yield* ex.lockRowForSelect(s, src.table, r as Candidate, lockMode, policy, where);
      if (!locked) continue;
      if (qi) qi.locked++;
      r = locked;
    }
    const row = r;
    let vals: Value[];
    if (genTargets) { vals = []; for (const tg of targets) vals.push(tg.gen ? yield* tg.gen(row) : tg.fn(row)); } // SELECT f(x) FROM t: f may wait
    else vals = waitTargets ? yield* evalWaiting(s, () => targets.map((t) => t.fn(row))) : targets.map((t) => t.fn(row));
    if (seen) {
      const key = JSON.stringify(vals.map(groupKey));
      if (seen.has(key)) continue;
      seen.add(key);
    }
    if (skipped < offset) { skipped++; continue; }
    out.push(vals);
  }
  if (qi) {
    qi.distinct = seen?.size ?? 0;
    if (seen && sortKeys.length) qi.distinct = new Set(rows.map((r) => JSON.stringify(targets.map((t) => formatValue(t.fn(r)))))).size;
  }
  return { names, types: targets.map((t) => t.type), rows: out };
}

export function groupColumn(ex: Executor, g: N, targetList: N[] | undefined, scope: Scope): number {
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
    const idx = rel ? scope.columns.findIndex((c, i) => c.name === nm && i >= rel.offset && i < rel.offset + rel.count) : scope.columns.findIndex((c) => c.name === nm);
    if (idx < 0 && targetList) {
      const t = targetList.find((x: N) => x.ResTarget.name === nm);
      if (t) return ex.groupColumn(t.ResTarget.val, undefined, scope);
    }
    if (idx < 0) throw new PgError('42703', `column "${nm}" does not exist`, { position: posOf(g.ColumnRef.location) });
    return idx;
  }
  throw notSupported('GROUP BY expressions (group by columns or output positions)', posOf(firstLocation(g)));
}

export function aggregate(ex: Executor, rows: Row[], aggs: AggSpec[], groupCols: Set<number>, hasGroup: boolean, having: Compiled | null, removed?: { groupsRemoved: number }): Row[] {
  const groups = new Map<string, { rep: Row; states: ReturnType<typeof newAggState>[] }>();
  const cols = [...groupCols];
  const order: string[] = [];
  const get = (r: Row) => {
    const key = hasGroup ? JSON.stringify(cols.map((c) => groupKey(r.vals[c]!))) : '';
    let g = groups.get(key);
    if (!g) { g = { rep: r, states: aggs.map(newAggState) }; groups.set(key, g); order.push(key); }
    return g;
  };
  if (!hasGroup) get({ vals: [], item: null, blk: 0, off: 0, aggs: null });
  for (const r of rows) {
    const g = get(r);
    for (let i = 0; i < aggs.length; i++) g.states[i]!.add(aggs[i]!.arg ? aggs[i]!.arg!.fn(r) : null);
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

export function constInt(ex: Executor, node: N, scope: Scope, what: string): number | null {
  const c = compileExpr(node, { ...scope, columns: [], hasSystem: false });
  const v = castTo(c, T.int8, false).fn(null as unknown as Row);
  if (v === null) return null;
  if ((v as number | bigint) < 0) throw new PgError(what === 'LIMIT' ? '2201W' : '2201X', `${what} must not be negative`);
  return Number(v); // a bound past 2^53 rows is as good as infinite
}

export function valuesQuery(ex: Executor, s: Session, n: N, sql: string, snap: () => Snapshot): { names: string[]; types: SqlType[]; rows: Value[][] } {
  const scope: Scope = { relName: null, alias: null, columns: [], hasSystem: false, env: ex.env(s, snap), sql };
  checkValuesLists(n.valuesLists as N[]);
  const lists = (n.valuesLists as N[]).map((l) => (l.List.items as N[]).map((e) => compileExpr(e, scope)));
  const width = lists[0]!.length;
  const types: SqlType[] = [];
  for (let i = 0; i < width; i++) {
    let t: SqlType = T.unknown;
    for (const l of lists) if (l[i]!.type.name !== 'unknown') { t = l[i]!.type; break; }
    types.push(t.name === 'unknown' ? T.text : t);
  }
  const rows = lists.map((l) => l.map((c, i) => castTo(c, types[i]!, false).fn(null as unknown as Row)));
  return { names: types.map((_, i) => `column${i + 1}`), types, rows };
}

export function* lockRowForSelect(ex: Executor, s: Session, t: Table, c: Candidate, mode: TupleLockMode, policy: WaitPolicy, where: Compiled | null): Gen<Candidate | null> {
  const { tm, skipped } = yield* lockTuple(ex, s, t, c.blk, c.off, mode, policy, true);
  if (skipped) return null;
  switch (tm) {
    case TM.Ok: return c;
    case TM.Updated: case TM.Deleted: {
      if (usesXactSnapshot(s.tx!.isolation)) throw new PgError('40001', 'could not serialize access due to concurrent update');
      if (tm === TM.Deleted) return null;
      const latest = yield* lockLatest(ex, s, t, c.item, mode, policy, true);
      if (!latest) return null;
      if (where && where.fn(latest) !== true) return null;
      return latest;
    }
    default: return null; // TM_SelfModified, TM_Invisible
  }
}
