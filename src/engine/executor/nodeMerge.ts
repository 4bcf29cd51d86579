/**
 * MERGE (ModifyTable's ExecMerge, PostgreSQL 15). The target is joined to the source — `target RIGHT JOIN source
 * ON cond` when a WHEN NOT MATCHED clause may insert, an inner join otherwise (transform_MERGE_to_join) — and the
 * join runs as the planner chooses (from.ts joinSource, the target carrying its TID as UPDATE ... FROM's does).
 * Each join row is one source row and, when it matched, one target version:
 *
 *   matched     → ExecMergeMatched: the WHEN MATCHED clauses in order; the first whose AND condition holds acts —
 *                 UPDATE SET …, DELETE or DO NOTHING — and no other is tried. No clause qualifies: nothing.
 *   not matched → ExecMergeNotMatched: the WHEN NOT MATCHED clauses the same way — INSERT … or DO NOTHING. They
 *                 see only the source's columns.
 *
 * Changing the matched version meets the same TM_* outcomes as UPDATE / DELETE (rowlocks.ts waits):
 *
 *   TM_SelfModified → this command changed the row already (a second source row matched it): 21000; a later
 *                     command changed it (a BEFORE trigger's statement): 27000 (GetTupleForTrigger).
 *   TM_Deleted      → READ COMMITTED: the row is gone, so the source row is NOT MATCHED after all (an INSERT clause
 *                     may insert it); REPEATABLE READ / SERIALIZABLE: 40001.
 *   TM_Updated      → READ COMMITTED: lock the newest version (ExecUpdateLockMode's strength, whatever the action),
 *                     then EvalPlanQual: the join condition re-evaluated for it with the same source row. Still
 *                     joins: the WHEN MATCHED clauses are tried again from the top on the new version (another
 *                     clause may act, or none: the row stays locked); no longer joins, or deleted: NOT MATCHED.
 *                     REPEATABLE READ / SERIALIZABLE: 40001.
 *
 * Statement triggers fire for each kind of action the MERGE names, whether or not it runs: BEFORE in the order
 * INSERT, UPDATE, DELETE; AFTER in the order DELETE, UPDATE, INSERT (fireBSTriggers / fireASTriggers). Row triggers
 * fire as the action's own command fires them. The command tag counts the rows inserted, updated and deleted.
 *
 * Mirrors: src/backend/executor/nodeModifyTable.c (ExecMerge, ExecMergeMatched, ExecMergeNotMatched,
 * ExecInitMerge), parser/parse_merge.c (transformMergeStmt, setNamespaceForMergeWhen). Simplifications: the whole
 * join is built before the first action (PostgreSQL pipelines it); a subquery or VALUES source is joined by a
 * nested loop over a full scan of the target (PostgreSQL may pull it up and scan the target by index: hint bits
 * of rows it never reads differ; several rows of VALUES: PostgreSQL probes the target's index per row, SIREAD
 * locks differ) — but one row of VALUES is pulled up as constants (pullUpValuesQual); a partitioned target with
 * triggers is refused with 0A000 (a partition whose columns are laid out unlike the root's has its rows converted
 * by column name, as the tuple maps do). RETURNING is PostgreSQL 17's, a syntax error here as in 15. WITH in front
 * of MERGE is run by nodeCtescan.ts (withModify), which hands the statement here without it.
 */
import { expandsInheritance } from '../optimizer/inherit.js';
import type { Executor } from './executor.js';
import { PgError, notSupported, posOf } from '../errors.js';
import type { Session, QueryResult } from '../session/session.js';
import type { RawStmt } from '../sql/parser.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import { compileExpr, type Compiled, type Scope, type Row } from '../sql/expr.js';
import type { Value } from '../sql/types.js';
import { type Table, heapGetattrs, liveColumns } from '../catalog/catalog.js';
import { formatTid } from '../heap/heap.js';
import { waitForModify, lockLatest, TUPLE_HW_LOCK } from './rowlocks.js';
import { TM, getCmax } from '../visibility/visibility.js';
import { heapUpdate, heapDelete, heapInsert, type TupleLockMode, type LockerCheck } from '../heap/heapam.js';
import { LockMode } from '../lock/lock.js';
import { usesXactSnapshot } from '../xact/xact.js';
import { queueRiEvents, queueCrossPartitionUpdate } from '../ri/ri_triggers.js';
import { recordPredicateRead } from './scan.js';
import { runFromSubqueries } from './nodeCtescan.js';
import { generatedMaker } from './nodeModifyTable.js';
import { compileSetList } from './nodeModifyUpdate.js';
import { allPartitions, sameLayout, partitionCheck, routeTuple, convertRow } from './execPartition.js';
import { type AfterEvent, type TriggerOp, fireStatementTriggers, fireBeforeRow, queueAfterRow, fireAfterEvents, triggersFor } from '../commands/trigger.js';
import { N, Gen, Candidate, PROGRESS_ROWS, sameValue, firstLocation } from './util.js';

/** The attribute number in `rel` (a partition) of the root's column at `rootIdx`: columns are matched by name. */
function leafIndex(root: Table, rel: Table, rootIdx: number): number {
  const name = root.columns[rootIdx]!.name;
  return rel.columns.findIndex((c) => !c.dropped && c.name === name);
}

/** One WHEN clause, compiled: its condition and what it does. */
interface MergeAction {
  kind: 'update' | 'delete' | 'insert' | 'nothing';
  cond: Compiled | null;
  /** UPDATE: the SET list over the join row */
  sets?: { idx: number; fn: (r: Row) => Value }[];
  /** INSERT: the new row from the source's columns */
  make?: (r: Row) => Value[];
}

/** What ExecMergeMatched ends with: done (acted, or no clause qualified), or the row is NOT MATCHED after all. */
type MatchedOutcome = 'done' | 'notMatched';

const COMMAND: Record<string, MergeAction['kind']> = { CMD_UPDATE: 'update', CMD_DELETE: 'delete', CMD_INSERT: 'insert', CMD_NOTHING: 'nothing' };

/**
 * transform_MERGE_to_join: the target RIGHT JOIN the source when a WHEN NOT MATCHED clause may INSERT the source
 * rows nothing matched, an inner join otherwise; the target's FROM item is `targetItem` (its rows carry their TID).
 */
export function mergeJoinTree(n: N): { targetItem: N; joinItem: N } {
  // only an INSERT needs the unmatched source rows: WHEN NOT MATCHED THEN DO NOTHING alone leaves an inner join
  // (measured: tests/scenarios/dml/merge/explain.spec)
  const notMatched = ((n.mergeWhenClauses ?? []) as N[]).some((c) => c.MergeWhenClause.matched !== true && c.MergeWhenClause.commandType === 'CMD_INSERT');
  const targetItem = { RangeVar: n.relation };
  return { targetItem, joinItem: { JoinExpr: { jointype: notMatched ? 'JOIN_RIGHT' : 'JOIN_INNER', larg: targetItem, rarg: n.sourceRelation, quals: n.joinCondition } } };
}

/**
 * pull_up_simple_values: a source that is one row of VALUES (no volatile function in it) is pulled up into the
 * query as constants, so the join condition becomes a condition on the target alone — `ON kv.k = s.k` over
 * `(VALUES (1, 5)) s(k, v)` is `kv.k = 1`, and the target is read by that (an Index Scan on the key: SIREAD locks on
 * the index page and the row, not on the whole relation; the other rows are never visited). The condition with the
 * constants written in, or null when the source is anything else or the condition reads more than the target's
 * columns, constants and operators (the target is then read in full, as before).
 */
export function pullUpValuesQual(n: N, t: Table, tname: string): N | null {
  const sub = (n.sourceRelation as N).RangeSubselect as N | undefined;
  const sel = sub?.subquery?.SelectStmt as N | undefined;
  const lists = sel?.valuesLists as N[] | undefined;
  if (!sub || sub.lateral || !lists || lists.length !== 1 || sel!.withClause || sel!.sortClause || sel!.limitCount || sel!.limitOffset) return null;
  const items = (lists[0]!.List?.items ?? []) as N[];
  if (!items.every(isPlainConstant)) return null;
  const alias = sub.alias?.aliasname as string | undefined;
  const names = ((sub.alias?.colnames ?? []) as N[]).map((c) => c.String?.sval as string);
  const colName = (i: number) => names[i] ?? `column${i + 1}`;
  const targetCols = new Set(t.columns.filter((c) => !c.dropped).map((c) => c.name));
  let ok = true, readsTarget = false;
  const srcIdx = (name: string) => items.findIndex((_, i) => colName(i) === name);
  const column = (x: N): unknown => {
    const f = (x.ColumnRef.fields ?? []) as N[];
    const parts = f.every((y) => y.String) ? f.map((y) => y.String.sval as string) : [];
    if (parts.length === 2 && parts[0] === alias && srcIdx(parts[1]!) >= 0) return items[srcIdx(parts[1]!)];
    if ((parts.length === 2 && parts[0] === tname && targetCols.has(parts[1]!))
      || (parts.length === 1 && targetCols.has(parts[0]!) && srcIdx(parts[0]!) < 0)) { readsTarget = true; return x; }
    ok = false; // a source column by its bare name, a whole-row reference, anything else: not rewritten
    return x;
  };
  // parse nodes are { Type: body } (a capitalised key); bodies are plain objects of fields, typeName a TypeName body
  const walk = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(walk);
    if (!x || typeof x !== 'object') return x;
    const o = x as N;
    const keys = Object.keys(o);
    if (keys.length === 1 && /^[A-Z]/.test(keys[0]!)) {
      if (keys[0] === 'ColumnRef') return column(o);
      if (!PULLED_UP_NODES.has(keys[0]!)) { ok = false; return x; }
      return { [keys[0]!]: walk(o[keys[0]!]) };
    }
    const out: N = {};
    for (const [k, v] of Object.entries(o)) out[k] = k === 'typeName' ? v : walk(v);
    return out;
  };
  const q = walk(n.joinCondition);
  return ok && readsTarget && q ? (q as N) : null;
}

/** what a pulled-up join condition may be made of (no function call that might be volatile, no sublink) */
const PULLED_UP_NODES = new Set(['A_Expr', 'BoolExpr', 'NullTest', 'A_Const', 'TypeCast', 'List', 'String']);

/** a VALUES item is_simple_values keeps: a constant (a literal, possibly cast) */
function isPlainConstant(x: N): boolean {
  if (x.A_Const) return true;
  if (x.TypeCast) return isPlainConstant(x.TypeCast.arg as N);
  return false;
}

/**
 * transformMergeStmt's check: a WHEN clause without AND makes every later clause of the same kind (MATCHED / NOT
 * MATCHED) unreachable.
 */
export function checkReachable(clauses: N[]): void {
  const terminal = { matched: false, notMatched: false };
  for (const c of clauses) {
    const kind = c.matched === true ? 'matched' : 'notMatched';
    if (terminal[kind]) throw new PgError('42601', 'unreachable WHEN clause specified after unconditional WHEN clause');
    if (!c.condition) terminal[kind] = true;
  }
}

/** setNamespaceForMergeWhen: a NOT MATCHED clause cannot see the target; naming it is parse_relation.c's errorMissingRTE. */
function hideTarget<T>(t: Table, name: string, compile: () => T): T {
  try { return compile(); } catch (e) {
    if (!(e instanceof PgError)) throw e;
    if (e.sqlstate === '42P01' && e.message === `missing FROM-clause entry for table "${name}"`) {
      throw new PgError('42P01', `invalid reference to FROM-clause entry for table "${name}"`, {
        position: e.position, hint: `There is an entry for table "${name}", but it cannot be referenced from this part of the query.`,
      });
    }
    const col = e.sqlstate === '42703' ? /^column "(.*)" does not exist$/.exec(e.message)?.[1] : undefined;
    if (col && t.columns.some((c) => c.name === col && !c.dropped)) {
      throw new PgError('42703', e.message, {
        position: e.position, hint: `There is a column named "${col}" in table "${name}", but it cannot be referenced from this part of the query.`,
      });
    }
    throw e;
  }
}

export function* mergeStmt(ex: Executor, s: Session, n: N, raw: RawStmt): Gen<QueryResult> {
  if (n.withClause) throw notSupported('WITH queries outside nodeCtescan.withModify'); // never: withModify strips it
  const rv = n.relation as N;
  // transformMergeStmt: only a table may be MERGE's target (errdetail_relkind_not_supported)
  const cat = ex.eng.catalog;
  const other = !rv.schemaname || rv.schemaname === 'public' || rv.schemaname === 'pg_temp'
    ? (cat.view(rv.relname, rv.schemaname) ? 'views' : cat.sequence(rv.relname, rv.schemaname) ? 'sequences'
      : cat.get(rv.relname)?.matview ? 'materialized views' : null) : null;
  if (other) throw new PgError('42809', `cannot execute MERGE on relation "${rv.relname}"`, { detail: `This operation is not supported for ${other}.` });
  const t = ex.table(rv);
  if (rv.inh && expandsInheritance(cat, t, true)) throw notSupported('MERGE into an inheritance parent (its children as result relations)', posOf(rv.location));
  // the transaction snapshot is taken before parse analysis (exec_simple_query); a READ COMMITTED statement's own
  // snapshot only once its relation locks are held (PortalRunMulti), so it sees what a lock holder committed
  if (usesXactSnapshot(ex.eng.ensureTx(s).isolation)) ex.eng.snapshotFor(s);
  yield* ex.lockRelation(s, t, LockMode.RowExclusive);
  const snapshot = ex.eng.snapshotFor(s);
  const snap = () => snapshot;
  // a partitioned target: every partition is a result relation (locked RowExclusive), rows are changed in the leaf
  // they live in and inserted rows routed from the root (execPartition.ts)
  const leaves = t.partKey ? allPartitions(cat, t) : [];
  for (const p of leaves) if (p.partKey) yield* ex.lockRelation(s, p, LockMode.RowExclusive);
  if (t.partKey && [t, ...leaves].some((p) => p.triggers?.length)) throw notSupported('MERGE into a partitioned table with triggers', posOf(rv.location));
  if (!t.temp) ex.checkReadOnly(s, 'MERGE');
  s.tx!.cidUsed = true;
  const outputCid = s.tx!.curcid; // es_output_cid: the command id this MERGE's own changes carry
  const clauses = ((n.mergeWhenClauses ?? []) as N[]).map((c) => c.MergeWhenClause as N);
  checkReachable(clauses);
  const alias = n.relation.alias?.aliasname ?? null;
  const tname = alias ?? t.name;
  const tscope = ex.tableScope(t, alias, s, snap, raw.text);
  const { targetItem, joinItem } = mergeJoinTree(n);
  // transformMergeStmt's own check (more specific than checkNameSpaceConflicts): the target table's name used again
  // by the source
  const sr = n.sourceRelation as N;
  const sourceName = sr.RangeVar ? (sr.RangeVar.alias?.aliasname ?? sr.RangeVar.relname)
    : (sr.RangeSubselect ?? sr.RangeFunction ?? sr.JoinExpr)?.alias?.aliasname;
  if (sourceName === t.name) {
    throw new PgError('42712', `name "${tname}" specified more than once`, { detail: 'The name is used both as MERGE target table and data source.' });
  }
  const pre = yield* runFromSubqueries(ex, s, [joinItem], raw.text, undefined);
  const tw = t.columns.length;
  /** the target versions the join read, by the number its rows carry in the hidden TID column */
  const cands: Candidate[] = [];
  const pulledOn = pullUpValuesQual(n, t, tname);
  const src = ex.source(s, [joinItem], snap, raw.text, pre, {
    target: {
      item: targetItem,
      // (a parameterized inner Index Scan probes with `path`: only the versions the probe reaches)
      rows: (tt, scope, path) => {
        const where = pulledOn ? ex.compileWhere(pulledOn, scope) : null;
        return ex.eng.deps.unread(() => ex.scan(s, tt, snapshot, where, pulledOn ?? undefined, scope, path)).map((c) => [...c.vals, cands.push(c) - 1]);
      },
    },
  });
  for (const jt of src.tables ?? []) if (jt !== t) yield* ex.lockRelation(s, jt, LockMode.AccessShare);
  const scope = src.scope;
  const on = ex.compileWhere(n.joinCondition, scope);
  // the source alone, as a NOT MATCHED clause sees it (the target's columns and its TID left off the front)
  const sourceScope: Scope = {
    ...scope, columns: scope.columns.slice(tw + 1),
    rels: (scope.rels ?? []).slice(1).map((r) => ({ ...r, offset: r.offset - tw - 1 })),
  };
  const actions = clauses.map((c) => compileAction(ex, s, t, tname, c, c.matched === true ? scope : sourceScope, snap));
  const matched = actions.filter((_, i) => clauses[i]!.matched === true);
  const notMatched = actions.filter((_, i) => clauses[i]!.matched !== true);

  // the columns any UPDATE clause sets: UPDATE OF triggers, and ExecUpdateLockMode's strength for EvalPlanQual
  const updatedCols = new Set(actions.flatMap((a) => (a.sets ?? []).map((x) => t.columns[x.idx]!.name)));
  const setIdx: ReadonlySet<number> = new Set(actions.flatMap((a) => (a.sets ?? []).map((x) => x.idx)));
  /** the SET columns as `rel`'s attribute numbers (a partition may lay out its columns unlike the root) */
  const setIdxOf = (rel: Table): ReadonlySet<number> => (rel === t || sameLayout(rel, t) ? setIdx : new Set([...setIdx].map((i) => leafIndex(t, rel, i))));
  const epqMode = (rel: Table): TupleLockMode => ([...setIdxOf(rel)].some((i) => rel.keyColumns.has(i)) ? 'exclusive' : 'nokeyexclusive');
  const kinds = new Set(actions.map((a) => a.kind));
  const ops: TriggerOp[] = (['INSERT', 'UPDATE', 'DELETE'] as const).filter((op) => kinds.has(op.toLowerCase() as MergeAction['kind']));
  const trig = t.triggers?.length ? { queue: [] as AfterEvent[] } : null;
  if (trig) for (const op of ops) yield* fireStatementTriggers(ex, s, t, 'before', op, null, op === 'UPDATE' ? updatedCols : undefined);
  const hasBefore = (op: TriggerOp) => !!trig && triggersFor(t, 'before', true, op, op === 'UPDATE' ? updatedCols : undefined).length > 0;
  const before = { INSERT: hasBefore('INSERT'), UPDATE: hasBefore('UPDATE'), DELETE: hasBefore('DELETE') };

  const joined = [...src.rows!()];
  recordPredicateRead(ex, s, t, snapshot, null, undefined, tscope);
  const generate = generatedMaker(ex, t, s, snap);
  const hctx = ex.heapCtx(s);
  let count = 0;
  const traceEpq = (rel: Table, blk: number, off: number, text: string) => {
    if (ex.eng.tracer.wants('epq')) ex.eng.tracer.emit({ kind: 'epq', session: s.name, rel: rel.name, blk, off, text });
  };
  const release = (rel: Table, cur: Candidate, held: boolean, mode: TupleLockMode) => {
    if (held) ex.eng.releaseLock(s, { type: 'tuple', rel: rel.oid, blk: cur.blk, off: cur.off }, TUPLE_HW_LOCK[mode]);
  };

  /** ExecInsert through the root (a partitioned target routes the row to its leaf): heap, indexes, RI events. */
  const insertRouted = function* (vals0: Value[]): Gen<{ leaf: Table; vals: Value[] }> {
    const { leaf, vals } = t.partKey ? routeTuple(cat, t, vals0) : { leaf: t, vals: vals0 };
    ex.checkConstraints(s, leaf, vals, snap);
    ex.eng.ensureXid(s);
    if (s.tx!.sxact) ex.eng.predicates.checkConflictIn(s.tx!.sxact, leaf.oid);
    const tid = heapInsert(hctx, leaf, vals);
    if (leaf.indexes.length) {
      const waitAt = ex.indexInsertAll(s, leaf, vals, tid.blk, tid.off);
      if (waitAt >= 0) yield* ex.indexInsertRest(s, leaf, waitAt, vals, tid.blk, tid.off);
    }
    queueRiEvents(ex, s, leaf, 'insert', null, 0, vals, tid);
    count++;
    return { leaf, vals };
  };

  /** ExecUpdateAct + epilogue: heap_update, the new index entries, RI and AFTER ROW events. */
  const doUpdate = function* (rel: Table, cur: Candidate, rootVals: Value[], mode: TupleLockMode, held: boolean, lockers: LockerCheck): Gen<void> {
    // the new row in the partition's own layout (ExecMergeMatched's slot converted by the partition's tuple map)
    const newVals = convertRow(t, rel, rootVals);
    if (rel !== t && !partitionCheck(cat, rel, newVals, t)) {
      // ExecCrossPartitionUpdate: the new row belongs to another partition — delete it here (t_ctid marked as
      // moved), insert it routed from the root
      ex.eng.ensureXid(s);
      if (s.tx!.sxact) ex.eng.predicates.checkConflictIn(s.tx!.sxact, rel.oid, cur.blk, cur.off, s.tx!.subs.length > 0);
      heapDelete(hctx, rel, cur.blk, cur.off, true);
      release(rel, cur, held, mode);
      queueRiEvents(ex, s, rel, 'delete', cur.vals, cur.item.xmin, null, null, true);
      const moved = yield* insertRouted(rootVals);
      // the keys referencing the root see the move as an UPDATE (ExecCrossPartitionUpdateForeignKey)
      queueCrossPartitionUpdate(ex, s, t, rel, cur.vals, moved.leaf, moved.vals);
      return;
    }
    ex.checkConstraints(s, rel, newVals, snap);
    ex.eng.ensureXid(s);
    const old = cur.vals;
    const indexedChanged = [...rel.indexedColumns].some((i) => !sameValue(old[i]!, newVals[i]!));
    if (s.tx!.sxact) ex.eng.predicates.checkConflictIn(s.tx!.sxact, rel.oid, cur.blk, cur.off, s.tx!.subs.length > 0);
    const nt = heapUpdate(hctx, rel, cur.blk, cur.off, newVals, indexedChanged, mode, lockers);
    release(rel, cur, held, mode);
    queueRiEvents(ex, s, rel, 'update', old, cur.item.xmin, newVals, nt);
    if (trig) queueAfterRow(ex, s, trig.queue, t, 'UPDATE', old, newVals, updatedCols);
    if (!nt.hot && rel.indexes.length) {
      const waitAt = ex.indexInsertAll(s, rel, newVals, nt.blk, nt.off, old, setIdxOf(rel));
      if (waitAt >= 0) yield* ex.indexInsertRest(s, rel, waitAt, newVals, nt.blk, nt.off, setIdxOf(rel));
    }
    count++;
  };
  const doDelete = (rel: Table, cur: Candidate, held: boolean) => {
    ex.eng.ensureXid(s);
    if (s.tx!.sxact) ex.eng.predicates.checkConflictIn(s.tx!.sxact, rel.oid, cur.blk, cur.off, s.tx!.subs.length > 0);
    heapDelete(hctx, rel, cur.blk, cur.off);
    if (trig) queueAfterRow(ex, s, trig.queue, t, 'DELETE', cur.vals, null);
    release(rel, cur, held, 'exclusive');
    queueRiEvents(ex, s, rel, 'delete', cur.vals, cur.item.xmin, null, null);
    count++;
  };

  /** ExecMergeMatched for the target version at (blk, off) joined with `rest` (its TID and the source's columns). */
  const mergeMatched = function* (rel: Table, blk: number, off: number, rest: Value[]): Gen<MatchedOutcome> {
    if (!matched.length) return 'done';
    const fetch = (b: number, o: number): Candidate => {
      const item = rel.heap.item(b, o)!; // SnapshotAny: EvalPlanQual may hand us a version our snapshot cannot see
      return { vals: heapGetattrs(rel, item.values), item, blk: b, off: o, aggs: null };
    };
    let cur = fetch(blk, off);
    /** the version's columns as the root lays them out: what the WHEN clauses and the SET list read */
    const asRoot = (c: Candidate) => convertRow(rel, t, c.vals);
    for (;;) {
      const curRoot = asRoot(cur);
      const r: Row = { ...cur, vals: curRoot.concat(rest) };
      const act = matched.find((a) => !a.cond || a.cond.fn(r) === true);
      if (!act || act.kind === 'nothing') return 'done';
      let tm: TM;
      if (act.kind === 'update') {
        let newVals = curRoot.slice();
        for (const st of act.sets!) newVals[st.idx] = st.fn(r);
        if (generate) generate(newVals);
        const leafNew = convertRow(t, rel, newVals);
        const mode: TupleLockMode = [...rel.keyColumns].some((i) => !sameValue(cur.vals[i]!, leafNew[i]!)) ? 'exclusive' : 'nokeyexclusive';
        const w = yield* waitForModify(ex, s, rel, cur.blk, cur.off, mode, 'update');
        tm = w.tm;
        if (tm === TM.Ok) {
          if (before.UPDATE) {
            const v = yield* fireBeforeRow(ex, s, t, 'UPDATE', cur.vals, newVals, updatedCols);
            if (!v) { release(rel, cur, w.tupleLock, mode); return 'done'; } // the trigger said "do nothing"
            newVals = v;
            if (generate) generate(newVals);
          }
          yield* doUpdate(rel, cur, newVals, mode, w.tupleLock, w.lockers);
          return 'done';
        }
        release(rel, cur, w.tupleLock, mode);
      } else {
        const w = yield* waitForModify(ex, s, rel, cur.blk, cur.off, 'exclusive', 'delete');
        tm = w.tm;
        if (tm === TM.Ok) {
          if (before.DELETE && !(yield* fireBeforeRow(ex, s, t, 'DELETE', cur.vals, null))) { release(rel, cur, w.tupleLock, 'exclusive'); return 'done'; }
          doDelete(rel, cur, w.tupleLock);
          return 'done';
        }
        release(rel, cur, w.tupleLock, 'exclusive');
      }
      // changed by a later command of ours (a statement a BEFORE trigger ran) rather than by this MERGE itself:
      // GetTupleForTrigger refuses it. (The simulator's command counter is not reset after the trigger's
      // statements, so such a version may also look TM_Invisible here.)
      if ((tm === TM.SelfModified || tm === TM.Invisible) && getCmax(cur.item, ex.eng.visibilityContext(s)) !== outputCid) {
        if (before[act.kind === 'update' ? 'UPDATE' : 'DELETE']) {
          throw new PgError('27000', 'tuple to be updated was already modified by an operation triggered by the current command', {
            hint: 'Consider using an AFTER trigger instead of a BEFORE trigger to propagate changes to other rows.',
          });
        }
        throw notSupported('MERGE of a row a later command of the same statement changed (a function called in it)');
      }
      if (tm === TM.SelfModified) {
        throw new PgError('21000', 'MERGE command cannot affect row a second time', { hint: 'Ensure that not more than one source row matches any one target row.' });
      }
      if (tm === TM.Invisible) throw new PgError('XX000', 'attempted to update or delete invisible tuple');
      if (tm === TM.Deleted) {
        if (usesXactSnapshot(s.tx!.isolation)) throw new PgError('40001', 'could not serialize access due to concurrent delete');
        traceEpq(rel, cur.blk, cur.off, `MERGE: ${formatTid(cur.blk, cur.off)} was deleted meanwhile — the source row is NOT MATCHED now`);
        return 'notMatched';
      }
      // TM_Updated
      if (usesXactSnapshot(s.tx!.isolation)) throw new PgError('40001', 'could not serialize access due to concurrent update');
      // the chain may end at a version this very MERGE wrote (a second source row for the row): 21000, as on the
      // row itself; one a later command of ours wrote (a trigger's statement): 27000
      const latest = yield* lockLatest(ex, s, rel, cur.item, epqMode(rel), 'block', false, (cmin) => {
        if (cmin !== outputCid) {
          throw new PgError('27000', 'tuple to be updated or deleted was already modified by an operation triggered by the current command', {
            hint: 'Consider using an AFTER trigger instead of a BEFORE trigger to propagate changes to other rows.',
          });
        }
        throw new PgError('21000', 'MERGE command cannot affect row a second time', { hint: 'Ensure that not more than one source row matches any one target row.' });
      });
      if (!latest) return 'notMatched';
      const epq: Row = { ...latest, vals: convertRow(rel, t, heapGetattrs(rel, latest.item.values)).concat(rest) };
      if (on && on.fn(epq) !== true) {
        traceEpq(rel, latest.blk, latest.off, `EvalPlanQual: the newest version ${formatTid(latest.blk, latest.off)} no longer joins the source row — NOT MATCHED (it stays locked)`);
        return 'notMatched';
      }
      traceEpq(rel, latest.blk, latest.off, `EvalPlanQual: the newest version ${formatTid(latest.blk, latest.off)} still joins — the WHEN MATCHED clauses are tried again on it`);
      cur = fetch(latest.blk, latest.off);
    }
  };

  /** ExecMergeNotMatched: the first NOT MATCHED clause whose condition holds for the source row. */
  const mergeNotMatched = function* (source: Value[]): Gen<void> {
    const r: Row = { vals: source, item: null, blk: 0, off: 0, aggs: null };
    const act = notMatched.find((a) => !a.cond || a.cond.fn(r) === true);
    if (!act || act.kind !== 'insert') return;
    let vals: Value[] | null = act.make!(r);
    if (before.INSERT) vals = yield* fireBeforeRow(ex, s, t, 'INSERT', null, vals);
    if (!vals) return;
    if (generate) generate(vals);
    yield* insertRouted(vals);
    if (trig) queueAfterRow(ex, s, trig.queue, t, 'INSERT', null, vals);
  };

  let done = 0;
  for (const jv of joined) {
    if (++done % PROGRESS_ROWS === 0) yield { kind: 'progress', done, total: joined.length };
    const key = jv[tw] as number | null;
    const rest = jv.slice(tw);
    const c = key === null ? null : cands[key]!;
    const outcome = c === null ? 'notMatched' : yield* mergeMatched(c.rel ?? t, c.blk, c.off, rest);
    if (outcome === 'notMatched') yield* mergeNotMatched(jv.slice(tw + 1));
  }
  if (trig) {
    for (const op of [...ops].reverse()) yield* fireStatementTriggers(ex, s, t, 'after', op, trig.queue, op === 'UPDATE' ? updatedCols : undefined);
    yield* fireAfterEvents(ex, s, trig.queue);
  }
  return ex.dmlResult(`MERGE ${count}`, null, []);
}

/** One WHEN clause compiled over the join row (MATCHED) or the source row (NOT MATCHED: the target hidden). */
function compileAction(ex: Executor, s: Session, t: Table, tname: string, c: N, scope: Scope, snap: () => Snapshot): MergeAction {
  const kind = COMMAND[c.commandType as string];
  if (!kind) throw notSupported(`MERGE action ${c.commandType}`);
  const hidden = c.matched !== true;
  const compile = <T>(f: () => T): T => (hidden ? hideTarget(t, tname, f) : f());
  const cond = compile(() => (c.condition ? ex.compileWhere(c.condition, scope) : null));
  if (kind === 'update') return { kind, cond, sets: compile(() => compileSetList(ex, s, t, c.targetList as N[], scope, snap)) };
  if (kind === 'insert') return { kind, cond, make: compile(() => compileInsert(ex, s, t, c, scope, snap)) };
  return { kind, cond };
}

/** INSERT [(cols)] [OVERRIDING …] VALUES (…) | DEFAULT VALUES of a WHEN NOT MATCHED clause, over the source row. */
function compileInsert(ex: Executor, s: Session, t: Table, c: N, scope: Scope, snap: () => Snapshot): (r: Row) => Value[] {
  const cols = (c.targetList ?? []) as N[];
  const targetCols: number[] = cols.length
    ? cols.map((x, k) => {
      const rt = x.ResTarget;
      const idx = t.columns.findIndex((col) => col.name === rt.name && !col.dropped);
      if (idx < 0) throw new PgError('42703', `column "${rt.name}" of relation "${t.name}" does not exist`, { position: posOf(rt.location) });
      if (cols.slice(0, k).some((y) => y.ResTarget.name === rt.name)) throw new PgError('42701', `column "${rt.name}" specified more than once`, { position: posOf(rt.location) });
      return idx;
    })
    : liveColumns(t).map((col) => col.attnum - 1);
  const values = (c.values ?? []) as N[];
  if (values.length > targetCols.length) throw new PgError('42601', 'INSERT has more expressions than target columns', { position: posOf(firstLocation(values[targetCols.length]!)) });
  if (values.length < targetCols.length && cols.length && values.length) {
    throw new PgError('42601', 'INSERT has more target columns than expressions', { position: posOf(cols[values.length]!.ResTarget.location) });
  }
  const defaults = ex.defaultMaker(t, s, snap);
  const fns: { idx: number; fn: (r: Row) => Value }[] = [];
  values.forEach((e, i) => {
    const col = t.columns[targetCols[i]!]!;
    if (e.SetToDefault) return;
    if (col.generated) throw new PgError('428C9', `cannot insert a non-DEFAULT value into column "${col.name}"`, { detail: `Column "${col.name}" is a generated column.` });
    if (col.identity === 'a' && c.override !== 'OVERRIDING_SYSTEM_VALUE') {
      throw new PgError('428C9', `cannot insert a non-DEFAULT value into column "${col.name}"`, {
        detail: `Column "${col.name}" is an identity column defined as GENERATED ALWAYS.`, hint: 'Use OVERRIDING SYSTEM VALUE to override.',
      });
    }
    if (col.identity === 'd' && c.override === 'OVERRIDING_USER_VALUE') return;
    fns.push({ idx: col.attnum - 1, fn: ex.assign(compileExpr(e, scope), col, firstLocation(e)).fn });
  });
  const provided = new Set(fns.map((f) => f.idx));
  return (r) => {
    const vals = defaults(provided);
    for (const f of fns) vals[f.idx] = f.fn(r);
    return vals;
  };
}
