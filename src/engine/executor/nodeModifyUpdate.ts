/**
 * UPDATE and DELETE (ModifyTable's ExecUpdate / ExecDelete). They find their rows with the statement's snapshot,
 * then try to change each version:
 *
 *   TM_Ok            → change it.
 *   TM_BeingModified → someone is changing or has locked it: wait as heap_update/heap_delete do (rowlocks.ts).
 *   TM_Updated/Deleted (committed meanwhile) → READ COMMITTED re-checks the newest version (EvalPlanQual: lock it,
 *                      re-evaluate WHERE, change it if it still matches); REPEATABLE READ / SERIALIZABLE fail 40001.
 *   TM_SelfModified  → changed by this same command already: skip.
 *
 * UPDATE ... FROM and DELETE ... USING join the target to the other relations (from.ts joinSource, with the
 * planner's choice of optimizer/joinpath.ts: the target is the first relation of the list, as in PostgreSQL's
 * range table); each join row names its target version by a hidden TID column (TARGET_TID, PostgreSQL's ctid
 * junk column). A target row that joins several rows is changed once, by the first join row the plan produces:
 * the later ones find it TM_SelfModified and are skipped. EvalPlanQual re-evaluates WHERE (the join condition
 * included) and SET for the newest version of the target row with the *same* rows of the other relations
 * (PostgreSQL re-fetches them by their TIDs: ROW_MARK_REFERENCE) — a new version that no longer joins is skipped,
 * no new partner is searched for. RETURNING sees the other relations' columns. Where the join order is not sure
 * to be PostgreSQL's (joinpath.ts `unsure`: three or more relations, a function or subquery in FROM), a target row
 * whose several matches would write (or RETURN) different values is refused with 0A000 — the match used would be
 * a guess.
 *
 * UPDATE / DELETE of an inheritance parent (not ONLY) changes the parent's rows and every descendant's, each table a
 * result relation of its own (inheritedModify), all locked RowExclusive first as the planner expands them.
 *
 * Each changed row of a table with foreign keys (either side) queues its RI trigger events (ri/ri_triggers.ts);
 * they fire when the statement ends. An RI trigger's cascaded UPDATE / DELETE runs through here too, with the
 * crosscheck snapshot under REPEATABLE READ (a row its transaction snapshot cannot see is a 40001).
 *
 * Mirrors: src/backend/executor/nodeModifyTable.c (ExecUpdate, ExecDelete), execMain.c (EvalPlanQual),
 * parser/analyze.c (transformUpdateStmt's FROM, transformDeleteStmt's USING). WITH in front of UPDATE / DELETE is
 * run by nodeCtescan.ts (withModify), which hands the statement here without it. Simplifications: FROM / USING's
 * subqueries and functions are computed before the join; the whole join is built before the first row changes, and
 * WHERE is evaluated on its rows after it (PostgreSQL pipelines them and pushes WHERE into the scans and the join) —
 * which only shows when WHERE or SET calls a function with side effects.
 */
import { filterWaiting, recordPredicateRead } from './scan.js';
import { expandsInheritance, lockInheritanceTree } from '../optimizer/inherit.js';
import { evalWaiting, mayWait } from './exprwait.js';
import { checkNotMatview } from '../commands/matview.js';
import type { Executor } from './executor.js';
import { PgError, notSupported, posOf } from '../errors.js';
import type { Session, QueryResult } from '../session/session.js';
import { type RawStmt } from '../sql/parser.js';
import { compileExpr, type Row, type Scope } from '../sql/expr.js';
import { compileAssignIndirection } from '../sql/arrayexpr.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import { type Value } from '../sql/types.js';
import { formatTid } from '../heap/heap.js';
import { waitForModify, lockLatest, TUPLE_HW_LOCK } from './rowlocks.js';
import { type Item } from '../heap/tuple.js';
import { satisfiesMVCC, satisfiesUpdate, VIS_VISIBLE, TM } from '../visibility/visibility.js';
import { heapUpdate, heapDelete, type TupleLockMode, type LockerCheck, NO_LOCKER_CHECK } from '../heap/heapam.js';
import { LockMode } from '../lock/lock.js';
import { usesXactSnapshot } from '../xact/xact.js';
import { queueRiEvents, queueCrossPartitionUpdate } from '../ri/ri_triggers.js';
import { callsUserFunction } from './util.js';
import { type AfterEvent, fireStatementTriggers, fireBeforeRow, queueAfterRow, fireAfterEvents, triggersFor } from '../commands/trigger.js';
import { generatedMaker } from './nodeModifyTable.js';
import { allPartitions, scanLeaves, partitionCheck, routeTuple, convertRow, buildPartitionQual, parentOf } from './execPartition.js';
import { heapInsert } from '../heap/heapam.js';
import type { Table } from '../catalog/catalog.js';
import { runFromSubqueries } from './nodeCtescan.js';
import { foldSelectQuals, constantScope, noSnapshot } from '../optimizer/constfold.js';
import {
  N, Gen, Candidate, PROGRESS_ROWS, sameValue, firstLocation, failingRow,
} from './util.js';

/**
 * heap_update / heap_delete's crosscheck snapshot (an RI trigger's cascaded change under REPEATABLE READ): a row
 * the transaction's own snapshot cannot see must not be changed — TM_Updated, which is 40001 there.
 */
function crosschecker(ex: Executor, s: Session): (item: Item) => void {
  const cross = s.spiSnapshot?.crosscheck;
  if (!cross) return () => {};
  const vctx = ex.eng.visibilityContext(s);
  return (item) => {
    if (!VIS_VISIBLE[satisfiesMVCC(item, cross, vctx)]) throw new PgError('40001', 'could not serialize access due to concurrent update');
  };
}

/**
 * The rows UPDATE / DELETE try to change, each with the rest of its join row (the hidden TID and the other
 * relations' columns; null without FROM / USING). A row is yielded once WHERE holds for it — except for a pipelined
 * plain UPDATE / DELETE, whose caller tests WHERE row by row (`pipelined`).
 */
interface Targets { rows: Iterable<{ cand: Candidate; rest: Value[] | null }>; total: number; pipelined: boolean; waits: boolean }

/** A target version widened to the join row it came from: what WHERE, SET and RETURNING are evaluated on. */
const widen = (c: Row, rest: Value[] | null): Row => (rest ? { ...c, vals: c.vals.concat(rest) } : c);

/**
 * What UPDATE and DELETE do before their scan: the target relation opened with RowExclusiveLock, the statement's
 * snapshot, the read-only check, the command id marked used (standard_ExecutorStart: even if no row changes), the
 * WHERE clause compiled over the target's scope — or over the join of the target with FROM / USING's relations
 * (each locked AccessShare, as a SELECT would) — and the scan itself, returned as `find`.
 */
/** the candidates of a scan with no FROM / USING as targets, made as the loop reaches them (no array of pairs
 *  kept alive through a 200,000-row statement): one pair and one iterator result, refilled for each candidate — the
 *  loops over them (updateStmt, deleteStmt) take the pair apart as they receive it */
function pairsOf(cands: readonly Candidate[]): Iterable<{ cand: Candidate; rest: null }> {
  return {
    [Symbol.iterator]() {
      let i = 0;
      const pair = { cand: null as unknown as Candidate, rest: null };
      const step: IteratorYieldResult<typeof pair> = { value: pair, done: false };
      return {
        next: (): IteratorResult<typeof pair> => {
          if (i >= cands.length) return { value: undefined, done: true };
          pair.cand = cands[i++]!;
          return step;
        },
      };
    },
  };
}

/** an inheritance member's statement (inheritedModify): the table it changes, not expanded again */
const MEMBER = Symbol('inheritance member');

function* modifyStart(ex: Executor, s: Session, n: N, raw: RawStmt, cmd: 'UPDATE' | 'DELETE') {
  if (n.withClause) throw notSupported('WITH queries outside nodeCtescan.withModify'); // never: withModify strips it
  // an inheritance member's statement names its table itself (inheritedModify locked it already)
  const member = (n as Record<symbol, Table | undefined>)[MEMBER];
  if (!member) ex.table(n.relation); // a missing table fails before the snapshot is taken
  // the transaction snapshot is taken before parse analysis (exec_simple_query); a READ COMMITTED statement's own
  // snapshot only once its relation locks are held (PortalRunMulti), so it sees what a lock holder committed
  if (usesXactSnapshot(ex.eng.ensureTx(s).isolation)) ex.eng.snapshotFor(s);
  // looked up again if DDL committed while it waited for the lock (the table may have been replaced)
  const t = member ?? (yield* ex.lockedTable(s, n.relation, LockMode.RowExclusive));
  const snapshot = ex.eng.snapshotFor(s);
  const snap = () => snapshot;
  checkNotMatview(t); // CheckValidResultRel (commands/matview.ts)
  if (!t.temp) ex.checkReadOnly(s, cmd); // a temporary table may be changed in a read-only transaction
  s.tx!.cidUsed = true;
  const triggers = !!t.triggers?.length;
  const alias = n.relation.alias?.aliasname ?? null;
  const tscope = ex.tableScope(t, alias, s, snap, raw.text);
  tscope.inhOnly = true; // one result relation: an inheritance parent's children are targets of their own (inheritedModify)
  // WHERE's constants folded for the planner (optimizer/constfold.ts); parse analysis compiles the clause as written
  const writtenWhere = n.whereClause;
  n = foldSelectQuals(n, constantScope(ex.env(s, noSnapshot), raw.text));
  const extra = (cmd === 'UPDATE' ? n.fromClause : n.usingClause) as N[] | undefined;
  if (!extra?.length) {
    const where = ex.compileWhere(writtenWhere, tscope);
    const find = function* (_outcome?: (r: Row) => Value[]): Gen<Targets> {
      const pipelined = triggers || callsUserFunction(n.whereClause, ex);
      const waits = !!where && mayWait(n.whereClause); // pg_advisory_lock(…) in WHERE: evaluated where it can wait
      // UPDATE/DELETE's own search is no item read (deps.ts)
      const found = ex.eng.deps.unread(() => ex.scan(s, t, snapshot, waits || pipelined ? null : where, n.whereClause, tscope));
      const cands = waits && !pipelined ? yield* filterWaiting(s, found, where!) : found;
      recordPredicateRead(ex, s, t, snapshot, where, n.whereClause, tscope); // but a predicate read
      return { rows: pairsOf(cands), total: cands.length, pipelined, waits };
    };
    return { t, snapshot, snap, scope: tscope, where, find };
  }
  const pre = yield* runFromSubqueries(ex, s, extra, raw.text, undefined); // subqueries and functions in FROM, computed before the join
  const targetItem = { RangeVar: n.relation };
  const cands = new Map<number, Candidate>();
  const tw = t.columns.length;
  const src = ex.source(s, [targetItem, ...extra], snap, raw.text, pre, {
    where: n.whereClause,
    target: {
      item: targetItem,
      rows: (tt, scope, path) => ex.eng.deps.unread(() => ex.scan(s, tt, snapshot, null, undefined, scope, path)).map((c) => {
        const key = c.blk * 65536 + c.off;
        cands.set(key, c);
        return [...c.vals, key];
      }),
    },
  });
  for (const jt of src.tables ?? []) if (jt !== t) yield* ex.lockRelation(s, jt, LockMode.AccessShare);
  const scope = src.scope;
  const where = ex.compileWhere(writtenWhere, scope);
  const waits = !!where && mayWait(n.whereClause);
  const what = cmd === 'UPDATE' ? 'UPDATE ... FROM' : 'DELETE ... USING';
  const unsure = src.joinPlan?.kind === 'Join' ? src.joinPlan.unsure : 'a join the simulator does not plan';
  const find = function* (outcome?: (r: Row) => Value[]): Gen<Targets> {
    const joined = [...src.rows!()];
    recordPredicateRead(ex, s, t, snapshot, null, undefined, tscope);
    const rows: { cand: Candidate; rest: Value[] }[] = [];
    const r: Row = { vals: [], item: null, blk: 0, off: 0, aggs: null };
    /** each target row's first match: what it would write and RETURN */
    const seen = new Map<number, Value[] | null>();
    for (const jv of joined) {
      r.vals = jv;
      if (where && (waits ? yield* evalWaiting(s, () => where.fn(r)) : where.fn(r)) !== true) continue;
      const key = jv[tw] as number;
      // which of several matches changes the row (or is RETURNed) is the plan's order: where the simulator's join
      // order is not sure to be PostgreSQL's (optimizer/joinpath.ts `unsure`), matches that differ are refused
      if (unsure && outcome) {
        const got = seen.get(key);
        if (got === undefined) seen.set(key, outcome(r));
        else if (!outcome(r).every((v, i) => sameValue(v, got![i]!))) throw notSupported(`${what} where a target row joins several rows that give it different values, in ${unsure}`);
      }
      const c = cands.get(key)!;
      // the version as the heap holds it now: an earlier join row of this command may have changed it already
      rows.push({ cand: { ...c, item: t.heap.item(c.blk, c.off)! }, rest: jv.slice(tw) });
    }
    return { rows, total: rows.length, pipelined: false, waits: false };
  };
  return { t, snapshot, snap, scope, where, find };
}

/**
 * UPDATE / DELETE of a partitioned table: the parent locked RowExclusive, then each leaf the WHERE clause does not
 * prune, in bound order, changed as its own target (ModifyTable over an Append: one result relation per leaf), with
 * the parent's name as the alias so that `foo.a` still resolves. `root` lets an UPDATE move a row whose new key
 * belongs to another partition (ExecCrossPartitionUpdate, in doUpdate below).
 */
function* partitionedModify(ex: Executor, s: Session, n: N, raw: RawStmt, cmd: 'UPDATE' | 'DELETE', t: Table): Gen<QueryResult> {
  if ((cmd === 'UPDATE' ? n.fromClause : n.usingClause)?.length) throw notSupported(`${cmd === 'UPDATE' ? 'UPDATE ... FROM' : 'DELETE ... USING'} on a partitioned table`);
  if (n.withClause) throw notSupported('WITH queries');
  yield* ex.lockRelation(s, t, LockMode.RowExclusive);
  const cat = ex.eng.catalog;
  // the partitioned partitions pruning kept some leaf under (expand_partitioned_rtentry), in the tree's order
  const leaves = scanLeaves(cat, t, n.whereClause);
  const kept = new Set<Table>();
  for (const leaf of leaves) for (let a = parentOf(cat, leaf); a && a !== t && !kept.has(a); a = parentOf(cat, a)) kept.add(a);
  for (const p of allPartitions(cat, t)) if (p.partKey && kept.has(p)) yield* ex.lockRelation(s, p, LockMode.RowExclusive);
  if (cmd === 'UPDATE') {
    for (const tl of n.targetList as N[]) {
      const rt = tl.ResTarget;
      if (!t.columns.some((c) => c.name === rt.name && !c.dropped)) throw new PgError('42703', `column "${rt.name}" of relation "${t.name}" does not exist`, { position: posOf(rt.location) });
    }
  }
  let count = 0;
  let last: QueryResult | null = null;
  const rows: QueryResult['rows'] = [];
  const alias = n.relation.alias ?? { aliasname: t.name };
  for (const leaf of leaves) {
    const ln = { ...n, relation: { ...n.relation, relname: leaf.name, alias }, [ROOT]: t };
    last = yield* (cmd === 'UPDATE' ? updateStmt : deleteStmt)(ex, s, ln, raw);
    count += Number(last.command.split(' ')[1]);
    rows.push(...last.rows);
  }
  if (!last) { s.tx!.cidUsed = true; return { command: `${cmd} 0`, columns: null, rows: [] }; }
  return { ...last, command: `${cmd} ${count}`, rows };
}
/**
 * UPDATE / DELETE of an inheritance parent (not ONLY): the parent and every descendant locked RowExclusive as the
 * planner expands them (optimizer/inherit.ts), then each changed as its own result relation, the parent first —
 * with the parent's name as the alias and RETURNING * as the parent's columns. No row moves between them.
 */
function* inheritedModify(ex: Executor, s: Session, n: N, raw: RawStmt, cmd: 'UPDATE' | 'DELETE', t: Table): Gen<QueryResult> {
  if ((cmd === 'UPDATE' ? n.fromClause : n.usingClause)?.length) throw notSupported(`${cmd === 'UPDATE' ? 'UPDATE ... FROM' : 'DELETE ... USING'} on an inheritance parent`);
  if (n.withClause) throw notSupported('WITH queries');
  const t0 = yield* ex.lockedTable(s, n.relation, LockMode.RowExclusive);
  if (t0 !== t) return yield* (cmd === 'UPDATE' ? updateStmt : deleteStmt)(ex, s, n, raw);
  const members = yield* lockInheritanceTree(ex, s, t, LockMode.RowExclusive);
  // statement triggers fire for the parent named only, around all the members' rows: not modelled
  if (members.some((m) => m.triggers?.length)) throw notSupported(`${cmd} through an inheritance parent when its tables have triggers`);
  if (cmd === 'UPDATE') {
    for (const tl of n.targetList as N[]) {
      const rt = tl.ResTarget;
      if (!t.columns.some((c) => c.name === rt.name && !c.dropped)) throw new PgError('42703', `column "${rt.name}" of relation "${t.name}" does not exist`, { position: posOf(rt.location) });
    }
  }
  const alias = n.relation.alias ?? { aliasname: t.name };
  // RETURNING *: the parent's columns, whatever a child adds
  const star = (e: N) => !!e?.ColumnRef && (e.ColumnRef.fields as N[]).length === 1 && !!e.ColumnRef.fields[0].A_Star;
  const columnRef = (name: string) => ({ ResTarget: { val: { ColumnRef: { fields: [{ String: { sval: name } }], location: -1 } }, location: -1 } });
  const parentColumns = () => t.columns.filter((c) => !c.dropped).map((c) => columnRef(c.name));
  const expandStar = (list: N[] | undefined) => list?.flatMap((r) => (star(r.ResTarget?.val) ? parentColumns() : [r]));
  let count = 0;
  let last: QueryResult | null = null;
  const rows: QueryResult['rows'] = [];
  for (const m of members) {
    const { inh: _inh, ...rel } = n.relation as N;
    const ln: N = { ...n, relation: { ...rel, relname: m.name, alias }, [MEMBER]: m };
    if (n.returningList) ln.returningList = expandStar(n.returningList);
    last = yield* (cmd === 'UPDATE' ? updateStmt : deleteStmt)(ex, s, ln, raw);
    count += Number(last.command.split(' ')[1]);
    rows.push(...last.rows);
  }
  return { ...last!, command: `${cmd} ${count}`, rows };
}
const expandedTarget = (ex: Executor, n: N, t: Table | null): boolean =>
  !!t && !!n.relation.inh && !(n as Record<symbol, unknown>)[MEMBER] && expandsInheritance(ex.eng.catalog, t, true);

/** the statement's partitioned target, on the per-leaf statements partitionedModify runs */
const ROOT = Symbol('partition root');

/**
 * UPDATE's SET list (and MERGE's WHEN MATCHED THEN UPDATE SET), checked as transformUpdateTargetList and
 * rewriteTargetListIU check it: the column exists, a generated or GENERATED ALWAYS identity column only takes DEFAULT
 * (a generated one is recomputed after, whatever the SET says), no column is assigned twice (42601).
 */
export function compileSetList(ex: Executor, s: Session, t: Table, list: N[], scope: Scope, snap: () => Snapshot): { idx: number; fn: (r: Row) => Value }[] {
  const sets: { idx: number; fn: (r: Row) => Value }[] = [];
  // transformTargetList: every SET expression is analysed before the target columns are looked up (SET w = w + 1
  // with no column w fails on the expression: 'column "w" does not exist')
  const exprs = list.map((tl) => {
    const rt = tl.ResTarget;
    return rt.indirection?.length || rt.val?.MultiAssignRef || rt.val?.SetToDefault ? null : compileExpr(rt.val, scope);
  });
  const subscripted = new Set<{ idx: number; fn: (r: Row) => Value }>();
  for (const [k, tl] of list.entries()) {
    const rt = tl.ResTarget;
    const idx = t.columns.findIndex((c) => c.name === rt.name && !c.dropped);
    if (idx < 0) throw new PgError('42703', `column "${rt.name}" of relation "${t.name}" does not exist`, { position: posOf(rt.location) });
    if (rt.val?.MultiAssignRef) throw notSupported('multiple-column assignment (a, b) = (...)', posOf(rt.location));
    const col = t.columns[idx]!;
    if (col.generated) {
      if (!rt.val.SetToDefault) throw new PgError('428C9', `column "${col.name}" can only be updated to DEFAULT`, { detail: `Column "${col.name}" is a generated column.` });
      continue; // recomputed below, whatever the SET says
    }
    if (col.identity === 'a' && !rt.val.SetToDefault) {
      throw new PgError('428C9', `column "${col.name}" can only be updated to DEFAULT`, { detail: `Column "${col.name}" is an identity column defined as GENERATED ALWAYS.` });
    }
    if (rt.indirection?.length && !rt.val.SetToDefault) {
      // SET a[2] = v, a[1:2] = ARRAY[...]: the new element (or slice) stored into the old array (arraysubs.c
      // array_subscript_assign); several assignments to elements of one column apply in order
      const asg = compileAssignIndirection(rt.indirection as N[], scope, compileExpr, col.type, col.name, posOf(rt.location));
      const val = ex.assign(compileExpr(rt.val, scope), { ...col, type: asg.elemType }, firstLocation(rt.val)).fn;
      const prev = sets.findIndex((x) => x.idx === idx && subscripted.has(x));
      const before = prev >= 0 ? sets[prev]!.fn : (r: Row) => r.vals[idx]!;
      const entry = { idx, fn: (r: Row) => asg.apply(before(r), val(r), r) };
      subscripted.add(entry);
      if (prev >= 0) sets[prev] = entry; else sets.push(entry);
      continue;
    }
    if (rt.val.SetToDefault) {
      const make = ex.defaultMaker(t, s, snap);
      const others = new Set(t.columns.map((_, i) => i).filter((i) => i !== idx));
      sets.push({ idx, fn: () => make(others)[idx]! });
    } else sets.push({ idx, fn: ex.assign(exprs[k]!, col, firstLocation(rt.val)).fn });
  }
  // rewriteTargetListIU: after every target is analysed, one column may not be assigned twice
  const twice = sets.find((x, k) => sets.findIndex((y) => y.idx === x.idx) !== k);
  if (twice) throw new PgError('42601', `multiple assignments to same column "${t.columns[twice.idx]!.name}"`);
  return sets;
}

export function* updateStmt(ex: Executor, s: Session, n: N, raw: RawStmt): Gen<QueryResult> {
  const target = n[ROOT as unknown as string] ? null : (n as Record<symbol, Table | undefined>)[MEMBER] ?? ex.table(n.relation);
  if (target?.partKey) return yield* partitionedModify(ex, s, n, raw, 'UPDATE', target);
  if (expandedTarget(ex, n, target)) return yield* inheritedModify(ex, s, n, raw, 'UPDATE', target!);
  const root = (n as Record<symbol, Table | undefined>)[ROOT];
  const { t, snap, scope, where, find } = yield* modifyStart(ex, s, n, raw, 'UPDATE');
  const sets = compileSetList(ex, s, t, n.targetList as N[], scope, snap);
  const returning = n.returningList;
  const ret = returning ? ex.compileReturning(returning, scope) : null;
  const keyCols = [...t.keyColumns];
  const idxCols = [...t.indexedColumns];
  // heap_update: FOR UPDATE strength only if a key column's value really changes (HeapDetermineColumnsInfo
  // compares the old and new values: SET k = k keeps the key and takes the weaker FOR NO KEY UPDATE)
  let mode: TupleLockMode = 'nokeyexclusive';
  const modeFor = (old: Value[], nv: Value[]): TupleLockMode => (keyCols.some((i) => !sameValue(old[i]!, nv[i]!)) ? 'exclusive' : 'nokeyexclusive');
  const updatedCols = new Set(sets.map((x) => t.columns[x.idx]!.name));
  const setIdx: ReadonlySet<number> = new Set(sets.map((x) => x.idx));
  const trig = t.triggers?.length ? { queue: [] as AfterEvent[], before: triggersFor(t, 'before', true, 'UPDATE', updatedCols).length > 0 } : null;
  if (trig) yield* fireStatementTriggers(ex, s, t, 'before', 'UPDATE', null, updatedCols);
  // WHERE tested row by row in the loop below (pipelined: a user function's side effects, triggers), or after the
  // scan where it can wait (pg_advisory_lock(…) in WHERE), or during the scan
  const generate = generatedMaker(ex, t, s, snap);
  const tw = t.columns.length;
  /** what a join row would write, and RETURN (over the new values) */
  const outcome = (r: Row): Value[] => {
    const nv = compute({ ...r, vals: r.vals.slice(0, tw) }, r.vals.slice(tw));
    if (!ret) return nv;
    const w = widen({ ...r, vals: nv }, r.vals.slice(tw));
    return [...nv, ...ret.fns.map((f) => f(w))];
  };
  const { rows, total, pipelined, waits } = yield* find(outcome);
  let count = 0;
  const out: Value[][] = [];
  function compute(c: Row, rest: Value[] | null): Value[] {
    const nv = c.vals.slice();
    const e = widen(c, rest);
    for (const st of sets) nv[st.idx] = st.fn(e);
    if (generate) generate(nv);
    return nv;
  }
  const hctx = ex.heapCtx(s);
  const vctx = ex.eng.visibilityContext(s);
  const crosscheck = crosschecker(ex, s);
  /** heap_update + index entries, synchronously; sets `placed` and returns the index position whose unique check must wait, or -1 */
  const placed = { blk: 0, off: 0 };
  const applyUpdate = (cur: Candidate, newVals: Value[], tupleLock: boolean, lockers: LockerCheck): number => {
    ex.checkConstraints(s, t, newVals, snap);
    ex.eng.ensureXid(s);
    const old = cur.vals;
    let indexedChanged = false;
    for (const i of idxCols) if (!sameValue(old[i]!, newVals[i]!)) { indexedChanged = true; break; }
    if (s.tx!.sxact) ex.eng.predicates.checkConflictIn(s.tx!.sxact, t.oid, cur.blk, cur.off, s.tx!.subs.length > 0);
    crosscheck(cur.item);
    const nt = heapUpdate(hctx, t, cur.blk, cur.off, newVals, indexedChanged, mode, lockers);
    if (tupleLock) ex.eng.releaseLock(s, { type: 'tuple', rel: t.oid, blk: cur.blk, off: cur.off }, TUPLE_HW_LOCK[mode]);
    queueRiEvents(ex, s, t, 'update', old, cur.item.xmin, newVals, nt);
    if (trig) queueAfterRow(ex, s, trig.queue, t, 'UPDATE', old, newVals, updatedCols);
    placed.blk = nt.blk; placed.off = nt.off;
    return !nt.hot && t.indexes.length ? ex.indexInsertAll(s, t, newVals, nt.blk, nt.off, old, setIdx) : -1;
  };
  const finish = (newVals: Value[], blk: number, off: number, rest: Value[] | null) => {
    count++;
    if (ret) { const r = widen({ vals: newVals, item: t.heap.item(blk, off)!, blk, off, aggs: null }, rest); out.push(ret.fns.map((f) => f(r))); }
  };
  const cat = ex.eng.catalog;
  const doUpdate = function* (cur: Candidate, newVals: Value[], tupleLock: boolean, lockers: LockerCheck, rest: Value[] | null): Gen<void> {
    if (t.partOf) yield* buildPartitionQual(ex, s, t);
    if (t.partOf && !partitionCheck(cat, t, newVals, root)) {
      // the new row no longer belongs here: through the partitioned table it moves (ExecCrossPartitionUpdate:
      // delete, marking t_ctid as moved, then insert routed from the root); a partition named directly refuses it
      if (!root) {
        throw new PgError('23514', `new row for relation "${t.name}" violates partition constraint`, { detail: failingRow(newVals.filter((_, i) => !t.columns[i]!.dropped)) });
      }
      const release = () => { if (tupleLock) ex.eng.releaseLock(s, { type: 'tuple', rel: t.oid, blk: cur.blk, off: cur.off }, TUPLE_HW_LOCK[mode]); };
      if (triggersFor(t, 'before', true, 'DELETE').length && !(yield* fireBeforeRow(ex, s, t, 'DELETE', cur.vals, null))) { release(); return; }
      const routed = routeTuple(cat, root, convertRow(t, root, newVals));
      ex.eng.ensureXid(s);
      if (s.tx!.sxact) ex.eng.predicates.checkConflictIn(s.tx!.sxact, t.oid, cur.blk, cur.off, s.tx!.subs.length > 0);
      crosscheck(cur.item);
      heapDelete(hctx, t, cur.blk, cur.off, true);
      release();
      queueRiEvents(ex, s, t, 'delete', cur.vals, cur.item.xmin, null, null, true);
      const leaf = routed.leaf;
      yield* ex.lockRelation(s, leaf, LockMode.RowExclusive);
      let lv: Value[] | null = routed.vals;
      if (triggersFor(leaf, 'before', true, 'INSERT').length) lv = yield* fireBeforeRow(ex, s, leaf, 'INSERT', null, lv);
      if (!lv) return;
      ex.checkConstraints(s, leaf, lv, snap);
      const tid = heapInsert(hctx, leaf, lv);
      if (leaf.indexes.length) {
        const waitAt = ex.indexInsertAll(s, leaf, lv, tid.blk, tid.off);
        if (waitAt >= 0) yield* ex.indexInsertRest(s, leaf, waitAt, lv, tid.blk, tid.off);
      }
      queueRiEvents(ex, s, leaf, 'insert', null, 0, lv, tid);
      queueCrossPartitionUpdate(ex, s, root, t, cur.vals, leaf, lv);
      count++;
      if (ret) {
        const item = leaf.heap.item(tid.blk, tid.off)!;
        const moved = { vals: convertRow(leaf, t, lv), item, blk: tid.blk, off: tid.off, aggs: null, rel: leaf } as Candidate;
        const r = widen(moved, rest);
        out.push(ret.fns.map((f) => f(r)));
      }
      return;
    }
    const waitAt = applyUpdate(cur, newVals, tupleLock, lockers);
    const { blk, off } = placed;
    if (waitAt >= 0) yield* ex.indexInsertRest(s, t, waitAt, newVals, blk, off, setIdx);
    finish(newVals, blk, off, rest);
  };
  let done = 0;
  for (const { cand, rest } of rows) {
    if (++done % PROGRESS_ROWS === 0) yield { kind: 'progress', done, total };
    if (pipelined && where && (waits ? yield* evalWaiting(s, () => where.fn(cand)) : where.fn(cand)) !== true) continue;
    // Fast path: nobody else is changing this version (TM_Ok) — no waiting machinery needed.
    vctx.myXid = s.tx!.xid;
    vctx.subXids = s.tx!.subXidSet;
    if (satisfiesUpdate(cand.item, cand.blk, cand.off, vctx) === TM.Ok) {
      let newVals = compute(cand, rest);
      if (trig?.before) {
        const v = yield* fireBeforeRow(ex, s, t, 'UPDATE', cand.vals, newVals, updatedCols);
        if (!v) continue;
        newVals = v;
        if (generate) generate(newVals); // ExecComputeStoredGenerated runs after the BEFORE ROW triggers
      }
      mode = modeFor(cand.vals, newVals);
      if (t.partOf) { yield* doUpdate(cand, newVals, false, NO_LOCKER_CHECK, rest); continue; }
      // doUpdate's own path for a table that is no partition, without a generator per row
      const waitAt = applyUpdate(cand, newVals, false, NO_LOCKER_CHECK);
      const { blk, off } = placed;
      if (waitAt >= 0) yield* ex.indexInsertRest(s, t, waitAt, newVals, blk, off, setIdx);
      finish(newVals, blk, off, rest);
      continue;
    }
    let cur: Candidate = cand;
    let newVals = compute(cur, rest);
    for (;;) {
      mode = modeFor(cur.vals, newVals);
      const { tm, tupleLock, lockers } = yield* waitForModify(ex, s, t, cur.blk, cur.off, mode, 'update');
      if (tm === TM.Ok) {
        if (trig?.before) {
          // GetTupleForTrigger has locked the newest version: the trigger sees it as OLD
          const v = yield* fireBeforeRow(ex, s, t, 'UPDATE', cur.vals, newVals, updatedCols);
          if (!v) { if (tupleLock) ex.eng.releaseLock(s, { type: 'tuple', rel: t.oid, blk: cur.blk, off: cur.off }, TUPLE_HW_LOCK[mode]); break; }
          newVals = v;
          if (generate) generate(newVals);
        }
        yield* doUpdate(cur, newVals, tupleLock, lockers, rest);
        break;
      }
      if (tupleLock) ex.eng.releaseLock(s, { type: 'tuple', rel: t.oid, blk: cur.blk, off: cur.off }, TUPLE_HW_LOCK[mode]);
      if (tm === TM.SelfModified || tm === TM.Invisible) break;
      if (usesXactSnapshot(s.tx!.isolation)) {
        throw new PgError('40001', `could not serialize access due to concurrent ${tm === TM.Deleted ? 'delete' : 'update'}`);
      }
      if (tm === TM.Deleted) break;
      const latest = yield* lockLatest(ex, s, t, cur.item, mode, 'block', false);
      if (!latest) break;
      if (where && where.fn(widen(latest, rest)) !== true) {
        if (ex.eng.tracer.wants('epq')) ex.eng.tracer.emit({ kind: 'epq', session: s.name, rel: t.name, blk: latest.blk, off: latest.off, text: `EvalPlanQual: the newest version ${formatTid(latest.blk, latest.off)} no longer matches WHERE — row skipped (it stays locked)` });
        break;
      }
      if (ex.eng.tracer.wants('epq')) ex.eng.tracer.emit({ kind: 'epq', session: s.name, rel: t.name, blk: latest.blk, off: latest.off, text: `EvalPlanQual: the newest version ${formatTid(latest.blk, latest.off)} still matches WHERE — update it` });
      cur = latest;
      newVals = compute(cur, rest);
    }
  }
  if (trig) {
    yield* fireStatementTriggers(ex, s, t, 'after', 'UPDATE', trig.queue, updatedCols);
    yield* fireAfterEvents(ex, s, trig.queue);
  }
  return ex.dmlResult(`UPDATE ${count}`, ret, out);
}

export function* deleteStmt(ex: Executor, s: Session, n: N, raw: RawStmt): Gen<QueryResult> {
  const target = n[ROOT as unknown as string] ? null : (n as Record<symbol, Table | undefined>)[MEMBER] ?? ex.table(n.relation);
  if (target?.partKey) return yield* partitionedModify(ex, s, n, raw, 'DELETE', target);
  if (expandedTarget(ex, n, target)) return yield* inheritedModify(ex, s, n, raw, 'DELETE', target!);
  const { t, scope, where, find } = yield* modifyStart(ex, s, n, raw, 'DELETE');
  const returning = n.returningList;
  const ret = returning ? ex.compileReturning(returning, scope) : null;
  const trig = t.triggers?.length ? { queue: [] as AfterEvent[], before: triggersFor(t, 'before', true, 'DELETE').length > 0 } : null;
  if (trig) yield* fireStatementTriggers(ex, s, t, 'before', 'DELETE', null);
  const { rows, total, pipelined, waits } = yield* find(ret ? (r) => ret.fns.map((f) => f(r)) : undefined);
  const crosscheck = crosschecker(ex, s);
  let count = 0, done = 0;
  const out: Value[][] = [];
  for (const { cand, rest } of rows) {
    if (++done % PROGRESS_ROWS === 0) yield { kind: 'progress', done, total };
    if (pipelined && where && (waits ? yield* evalWaiting(s, () => where.fn(cand)) : where.fn(cand)) !== true) continue;
    let cur: Candidate = cand;
    for (;;) {
      const { tm, tupleLock } = yield* waitForModify(ex, s, t, cur.blk, cur.off, 'exclusive', 'delete');
      const release = () => { if (tupleLock) ex.eng.releaseLock(s, { type: 'tuple', rel: t.oid, blk: cur.blk, off: cur.off }, TUPLE_HW_LOCK.exclusive); };
      if (tm === TM.Ok) {
        if (trig?.before && !(yield* fireBeforeRow(ex, s, t, 'DELETE', cur.vals, null))) { release(); break; }
        ex.eng.ensureXid(s);
        if (s.tx!.sxact) ex.eng.predicates.checkConflictIn(s.tx!.sxact, t.oid, cur.blk, cur.off, s.tx!.subs.length > 0);
        crosscheck(cur.item);
        heapDelete(ex.heapCtx(s), t, cur.blk, cur.off);
        if (trig) queueAfterRow(ex, s, trig.queue, t, 'DELETE', cur.vals, null);
        release();
        queueRiEvents(ex, s, t, 'delete', cur.vals, cur.item.xmin, null, null);
        count++;
        if (ret) { const r = widen(cur, rest); out.push(ret.fns.map((f) => f(r))); }
        break;
      }
      release();
      if (tm === TM.SelfModified || tm === TM.Invisible) break;
      if (usesXactSnapshot(s.tx!.isolation)) {
        throw new PgError('40001', `could not serialize access due to concurrent ${tm === TM.Deleted ? 'delete' : 'update'}`);
      }
      if (tm === TM.Deleted) break;
      const latest = yield* lockLatest(ex, s, t, cur.item, 'exclusive', 'block', false);
      if (!latest || (where && where.fn(widen(latest, rest)) !== true)) break;
      cur = latest;
    }
  }
  if (trig) {
    yield* fireStatementTriggers(ex, s, t, 'after', 'DELETE', trig.queue);
    yield* fireAfterEvents(ex, s, trig.queue);
  }
  return ex.dmlResult(`DELETE ${count}`, ret, out);
}
