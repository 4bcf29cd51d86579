/**
 * INSERT (ModifyTable's ExecInsert) and what UPDATE and DELETE share with it. INSERT checks NOT NULL and CHECK
 * constraints (ExecConstraints), writes the heap tuple, then inserts into each index (executor/indexinsert.ts: the
 * unique check can wait for a concurrent inserter). Stored generated columns are computed here for INSERT and
 * UPDATE alike (generatedMaker), and RETURNING lists are compiled here for all three.
 *
 * ON CONFLICT DO NOTHING / DO UPDATE finds the conflicting row through the arbiter index, locks it and updates it.
 * UPDATE and DELETE themselves — the TM_* outcomes, EvalPlanQual, UPDATE ... FROM and DELETE ... USING — are in
 * nodeModifyUpdate.ts.
 *
 * Each inserted row of a table with foreign keys queues its RI trigger events (ri/ri_triggers.ts); they fire when
 * the statement ends.
 *
 * Mirrors: src/backend/executor/nodeModifyTable.c (ExecInsert, ExecOnConflictUpdate, ExecComputeStoredGenerated),
 * execMain.c (ExecConstraints), execIndexing.c.
 */
import { dmlValues } from './nodeCtescan.js';
import { checkNotMatview } from '../commands/matview.js';
import type { Executor } from './executor.js';
import { PgError, notSupported, posOf } from '../errors.js';
import type { Session, QueryResult } from '../session/session.js';
import { type RawStmt } from '../sql/parser.js';
import {
  compileExpr, castTo, type Compiled, type Scope, type Row,
} from '../sql/expr.js';
import { type SqlType, type Value, T, formatValue, typeDisplayName, isStringLike } from '../sql/types.js';
import { domainLookup } from '../adt/domains.js';
import { type Table, type Column, heapGetattrs, liveColumns } from '../catalog/catalog.js';
import { tidBlock, tidOffset, formatTid } from '../heap/heap.js';
import { BtreeIndex } from '../index/btree.js';
import { waitForModify, lockTuple, TUPLE_HW_LOCK } from './rowlocks.js';
import { type Item } from '../heap/tuple.js';
import {
  satisfiesMVCC, satisfiesDirty, VIS_VISIBLE, TM,
} from '../visibility/visibility.js';
import {
  heapInsert, heapUpdate, type TupleLockMode,
} from '../heap/heapam.js';
import { LockMode } from '../lock/lock.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import { usesXactSnapshot } from '../xact/xact.js';
import { queueRiEvents } from '../ri/ri_triggers.js';
import { routeTuple, convertRow, partitionCheck, parentOf, buildPartitionQual } from './execPartition.js';
import { arbiterMatches } from '../commands/indexcmds.js';
import { countIndexScan } from '../pgstat/pgstat_relation.js';
import { type AfterEvent, fireStatementTriggers, fireBeforeRow, queueAfterRow, fireAfterEvents, triggersFor } from '../commands/trigger.js';
import {
  N, Gen, PROGRESS_ROWS, hotChain, failingRow, sameValue, checkValuesLists, firstLocation,
} from './util.js';

/**
 * rewriteTargetListIU for an identity column given a value: GENERATED ALWAYS refuses it unless OVERRIDING SYSTEM
 * VALUE; OVERRIDING USER VALUE throws a BY DEFAULT column's value away. True: use the default instead.
 */
function identityOverridden(t: Table, col: Column, override: string | undefined): boolean {
  if (col.identity === 'a' && override !== 'OVERRIDING_SYSTEM_VALUE') {
    throw new PgError('428C9', `cannot insert a non-DEFAULT value into column "${col.name}"`, {
      detail: `Column "${col.name}" is an identity column defined as GENERATED ALWAYS.`, hint: 'Use OVERRIDING SYSTEM VALUE to override.',
    });
  }
  return col.identity === 'd' && override === 'OVERRIDING_USER_VALUE';
}

/** The 428C9 of a value given for a generated column (INSERT) — only DEFAULT may be written there. */
function generatedInsert(col: Column): PgError {
  return new PgError('428C9', `cannot insert a non-DEFAULT value into column "${col.name}"`, { detail: `Column "${col.name}" is a generated column.` });
}

/**
 * ExecComputeStoredGenerated: the generated columns' expressions, compiled once; the returned function fills them
 * in from the rest of the row (INSERT, and every UPDATE: they are recomputed whatever was set).
 */
export function generatedMaker(ex: Executor, t: Table, s: Session, snap: () => Snapshot): ((vals: Value[]) => void) | null {
  const gens = t.columns.filter((c) => c.generated && !c.dropped);
  if (!gens.length) return null;
  const scope = { ...ex.tableScope(t, null, s, snap, ''), hasSystem: false };
  const fns = gens.map((c) => ({ i: c.attnum - 1, fn: ex.assign(compileExpr(c.generated as N, scope), c, undefined).fn }));
  return (vals) => {
    const row: Row = { vals, item: null, blk: 0, off: 0, aggs: null };
    for (const g of fns) vals[g.i] = g.fn(row);
  };
}

/**
 * Whether an INSERT keeps locks on its target's indexes: only when ON CONFLICT names its arbiter (a column list
 * or ON CONSTRAINT), which the planner infers by opening every index with RowExclusiveLock (infer_arbiter_indexes);
 * the executor's own index locks are released at ExecCloseIndices. Measured: tests/scenarios/locks/index-locks.spec.
 */
export function insertLocksIndexes(n: N): boolean {
  const infer = n.onConflictClause?.infer;
  return !!infer && (!!infer.indexElems?.length || !!infer.conname);
}

export function* insertStmt(ex: Executor, s: Session, n: N, raw: RawStmt): Gen<QueryResult> {
  if (n.withClause) throw notSupported('WITH queries');
  ex.table(n.relation); // a missing table fails before the snapshot is taken
  // the transaction snapshot is taken before parse analysis (exec_simple_query); a READ COMMITTED statement's own
  // snapshot only once its relation locks are held (PortalRunMulti), so it sees what a lock holder committed
  if (usesXactSnapshot(ex.eng.ensureTx(s).isolation)) ex.eng.snapshotFor(s);
  // looked up again if DDL committed while it waited for the lock (the table may have been replaced)
  const t = yield* ex.lockedTable(s, n.relation, LockMode.RowExclusive, insertLocksIndexes(n));
  const snapshot = ex.eng.snapshotFor(s);
  const snap = () => snapshot;
  checkNotMatview(t); // CheckValidResultRel (commands/matview.ts)
  if (!t.temp) ex.checkReadOnly(s, 'INSERT'); // ExecCheckXactReadOnly: a temporary table may be written
  s.tx!.cidUsed = true; // a data-modifying command uses its command id even if it changes no row (standard_ExecutorStart)
  const targetCols: number[] = n.cols
    ? (n.cols as N[]).map((c, k, all) => {
      const idx = t.columns.findIndex((col) => col.name === c.ResTarget.name);
      if ((c.ResTarget.indirection as N[] | undefined)?.some((x) => x.String)) throw notSupported('INSERT into a field of a composite column (INSERT INTO t (c.a) ...)', posOf(c.ResTarget.location));
      if (idx < 0) throw new PgError('42703', `column "${c.ResTarget.name}" of relation "${t.name}" does not exist`, { position: posOf(c.ResTarget.location) });
      if (all.slice(0, k).some((x: N) => x.ResTarget.name === c.ResTarget.name)) throw new PgError('42701', `column "${c.ResTarget.name}" specified more than once`, { position: posOf(c.ResTarget.location) });
      return idx;
    })
    : liveColumns(t).map((c) => c.attnum - 1);
  const env = ex.env(s, snap);
  const noScope: Scope = { relName: null, alias: null, columns: [], hasSystem: false, env, sql: raw.text };
  let rows: Value[][];
  const defaults = ex.defaultMaker(t, s, snap);
  const sel = n.selectStmt?.SelectStmt;
  if (!sel) {
    rows = [defaults(new Set())]; // DEFAULT VALUES: one row of every column's default (NULL where it has none)
  } else if (sel.valuesLists) {
    checkValuesLists(sel.valuesLists as N[]);
    rows = [];
    for (const l of sel.valuesLists as N[]) {
      const items = l.List.items as N[];
      if (items.length > targetCols.length) throw new PgError('42601', 'INSERT has more expressions than target columns', { position: posOf(firstLocation(items[targetCols.length]!)) });
      if (items.length < targetCols.length && n.cols) throw new PgError('42601', 'INSERT has more target columns than expressions', { position: posOf(n.cols[items.length].ResTarget.location) });
      const provided = new Set<number>();
      items.forEach((e, i) => {
        const col = t.columns[targetCols[i]!]!;
        if (e.SetToDefault) return;
        if (col.generated) throw generatedInsert(col);
        if (col.identity && identityOverridden(t, col, n.override)) return;
        provided.add(col.attnum - 1);
      });
      const vals: Value[] = defaults(provided);
      items.forEach((e, i) => {
        const col = t.columns[targetCols[i]!]!;
        if (e.SetToDefault || !provided.has(col.attnum - 1)) return;
        vals[col.attnum - 1] = ex.assign(compileExpr(e, noScope), col, firstLocation(e)).fn(null as unknown as Row);
      });
      rows.push(vals);
    }
  } else {
    for (const c of targetCols) {
      const col = t.columns[c]!; if (col.generated) throw generatedInsert(col); if (col.identity) identityOverridden(t, col, n.override);
    }
    const q = yield* ex.query(s, sel, raw.text, false, undefined, true); // unknown literals take the target columns' types
    if (q.types.length > targetCols.length) throw new PgError('42601', 'INSERT has more expressions than target columns');
    const identity = q.types.length === t.columns.length && targetCols.every((c, i) => c === i) &&
      q.types.every((ty, i) => ty.name === t.columns[i]!.type.name && t.columns[i]!.type.typmod < 0);
    const convs = q.types.map((ty, i) => ex.assign({ fn: (r) => r.vals[i]!, type: ty, name: '', strength: 0 }, t.columns[targetCols[i]!]!, undefined).fn);
    const r: Row = { vals: [], item: null, blk: 0, off: 0, aggs: null };
    const provided = new Set(targetCols.slice(0, convs.length));
    rows = identity ? q.rows : q.rows.map((src) => {
      r.vals = src;
      const vals = defaults(provided);
      for (let i = 0; i < convs.length; i++) vals[targetCols[i]!] = convs[i]!(r);
      return vals;
    });
  }
  const returning = n.returningList;
  const ret = returning ? ex.compileReturning(returning, ex.tableScope(t, null, s, snap, raw.text)) : null;
  const out: Value[][] = [];
  const hctx = ex.heapCtx(s);
  const onConflict = n.onConflictClause && !t.partKey ? ex.prepareOnConflict(s, t, n, snap, raw.text) : null;
  const generate = generatedMaker(ex, t, s, snap);
  const trig = t.triggers?.length ? { queue: [] as AfterEvent[], before: triggersFor(t, 'before', true, 'INSERT').length > 0 } : null;
  // fireBSTriggers: INSERT's, and UPDATE's too for ON CONFLICT DO UPDATE (fireASTriggers: the other way round)
  const upsert = n.onConflictClause?.action === 'ONCONFLICT_UPDATE';
  const upsertCols = upsert ? new Set(((n.onConflictClause.targetList ?? []) as N[]).map((x) => x.ResTarget.name as string)) : undefined;
  if (trig) yield* fireStatementTriggers(ex, s, t, 'before', 'INSERT', null);
  if (trig && upsert) yield* fireStatementTriggers(ex, s, t, 'before', 'UPDATE', null, upsertCols);
  let inserted = 0, affected = 0;
  // a partitioned table: each row is routed to its leaf partition (executor/execPartition.ts), which is locked
  // RowExclusive the first time a row goes there and has its own triggers, arbiter indexes and generated columns
  const leaves = new Map<Table, { onConflict: typeof onConflict; generate: typeof generate; trig: typeof trig }>();
  const leafQueue: AfterEvent[] = trig?.queue ?? [];
  const dispatched = new Set<Table>();
  const leafState = function* (leaf: Table) {
    let st = leaves.get(leaf);
    if (!st) {
      yield* ex.lockRelation(s, leaf, LockMode.RowExclusive, insertLocksIndexes(n));
      st = {
        onConflict: n.onConflictClause ? ex.prepareOnConflict(s, leaf, n, snap, raw.text) : null,
        generate: generatedMaker(ex, leaf, s, snap),
        trig: leaf.triggers?.length ? { queue: leafQueue, before: triggersFor(leaf, 'before', true, 'INSERT').length > 0 } : null,
      };
      leaves.set(leaf, st);
    }
    return st;
  };
  const partitionViolation = (r: Table, v: Value[]) =>
    new PgError('23514', `new row for relation "${r.name}" violates partition constraint`, { detail: failingRow(v.filter((_, i) => !r.columns[i]!.dropped)) });
  rowLoop: for (const vals0 of rows) {
    if (++inserted % PROGRESS_ROWS === 0) yield { kind: 'progress', done: inserted, total: rows.length };
    let vals = vals0;
    let rt = t, rOnConflict = onConflict, rGenerate = generate, rTrig = trig;
    if (t.partKey) {
      const cat = ex.eng.catalog;
      // ExecFindPartition: a root that is a partition itself checks its own partition constraint first
      if (t.partOf) yield* buildPartitionQual(ex, s, t);
      if (t.partOf && !partitionCheck(cat, t, vals, parentOf(cat, t))) throw partitionViolation(t, vals);
      const routed = routeTuple(cat, t, vals);
      // the partitioned tables on the way are locked RowExclusive as the row reaches them (ExecInitPartitionDispatchInfo)
      const path: Table[] = [];
      for (let p = parentOf(cat, routed.leaf); p && p !== t; p = parentOf(cat, p)) path.unshift(p);
      for (const p of path) if (!dispatched.has(p)) { yield* ex.lockRelation(s, p, LockMode.RowExclusive, false); dispatched.add(p); }
      rt = routed.leaf; vals = routed.vals;
      const st = yield* leafState(rt);
      // a DEFAULT partition on the way is checked against its constraint as it is now: a partition attached
      // meanwhile (while this waited for its lock) may have taken the row's key from it
      for (const p of [...path, rt]) {
        if (p.partOf?.bound.kind !== 'default') continue;
        yield* buildPartitionQual(ex, s, p);
        const pv = convertRow(t, p, vals0);
        if (!partitionCheck(cat, p, pv, parentOf(cat, p))) throw partitionViolation(p, pv);
      }
      rOnConflict = st.onConflict; rGenerate = st.generate; rTrig = st.trig;
    }
    const back = (v: Value[]) => (rt === t ? v : convertRow(rt, t, v));
    if (rTrig?.before) {
      const v = yield* fireBeforeRow(ex, s, rt, 'INSERT', null, vals);
      if (!v) continue;
      vals = v;
    }
    if (rGenerate) rGenerate(vals);
    // a partition named directly checks its partition constraint (ExecPartitionCheck; a routed row fits by construction)
    if (rt === t && t.partOf) yield* buildPartitionQual(ex, s, t);
    if (rt === t && t.partOf && !partitionCheck(ex.eng.catalog, t, vals)) {
      throw new PgError('23514', `new row for relation "${t.name}" violates partition constraint`, { detail: failingRow(vals.filter((_, i) => !t.columns[i]!.dropped)) });
    }
    ex.checkConstraints(s, rt, vals, snap);
    if (rOnConflict) {
      // speculative insertion's pre-check (ExecCheckIndexConstraints), waiting out in-progress inserters
      for (;;) {
        const c = ex.findConflict(s, rt, rOnConflict.arbiters, vals);
        if (!c) break;
        if (c.xwait) {
          yield* ex.eng.waitForXact(s, c.xwait, `while checking uniqueness of tuple ${formatTid(c.blk, c.off)} in relation "${rt.name}"`);
          continue;
        }
        const res = yield* rOnConflict.handle(vals, c.blk, c.off, rTrig?.queue ?? null);
        if (res === 'retry') continue;
        if (res) { affected++; if (ret) out.push(ret.fns.map((f) => f({ ...res, vals: back(res.vals) }))); }
        continue rowLoop;
      }
    }
    affected++;
    ex.eng.ensureXid(s);
    if (s.tx!.sxact) ex.eng.predicates.checkConflictIn(s.tx!.sxact, rt.oid);
    const tid = heapInsert(hctx, rt, vals);
    if (rt.indexes.length) {
      const waitAt = ex.indexInsertAll(s, rt, vals, tid.blk, tid.off);
      if (waitAt >= 0) yield* ex.indexInsertRest(s, rt, waitAt, vals, tid.blk, tid.off);
    }
    queueRiEvents(ex, s, rt, 'insert', null, 0, vals, tid);
    if (rTrig) queueAfterRow(ex, s, rTrig.queue, rt, 'INSERT', null, vals);
    if (ret) {
      const r = { vals: back(vals), item: rt.heap.item(tid.blk, tid.off)!, blk: tid.blk, off: tid.off, aggs: null, rel: rt } as Row;
      out.push(ret.fns.map((f) => f(r)));
    }
  }
  if (!trig && leafQueue.length) yield* fireAfterEvents(ex, s, leafQueue);
  if (trig) {
    if (upsert) yield* fireStatementTriggers(ex, s, t, 'after', 'UPDATE', trig.queue, upsertCols);
    yield* fireStatementTriggers(ex, s, t, 'after', 'INSERT', trig.queue);
    yield* fireAfterEvents(ex, s, trig.queue);
  }
  return ex.dmlResult(`INSERT 0 ${affected}`, ret, out);
}

/** A live or in-progress row with the same key in an arbiter index (through the dirty snapshot). */
export function findConflict(ex: Executor, s: Session, t: Table, arbiters: BtreeIndex[], vals: Value[]): { blk: number; off: number; xwait: number } | null {
  const vctx = ex.eng.visibilityContext(s);
  const visit = ex.pageVisitor(s, t);
  for (const index of arbiters) {
    if (!index.covers(vals)) continue;
    const key = index.keyOf(vals);
    if (key === null) continue;
    // one index scan per arbiter (check_exclusion_or_unique_constraint): the entries it returns, the tuple it fetches
    let read = 0;
    for (const tid of index.lookup(key)) {
      if (index.deadTids.has(tid)) continue;
      read++;
      visit(tidBlock(tid));
      for (const m of hotChain(t, tidBlock(tid), tidOffset(tid), ex.eng.multis)) {
        const d = satisfiesDirty(m.item, vctx);
        if (!d.visible) continue;
        countIndexScan(s, t.oid, index.oid, read, 1, false);
        return { blk: m.blk, off: m.off, xwait: d.waitXmin || d.waitXmax };
      }
    }
    countIndexScan(s, t.oid, index.oid, read, 0, false);
  }
  return null;
}

/**
 * INSERT ... ON CONFLICT: the arbiter indexes, and what to do with a conflicting row — nothing, or lock it
 * and update it (ExecOnConflictUpdate). Under REPEATABLE READ / SERIALIZABLE a conflicting row that the
 * snapshot cannot see is a serialization failure.
 */
export function prepareOnConflict(ex: Executor, s: Session, t: Table, n: N, snap: () => Snapshot, sql: string) {
  const oc = n.onConflictClause;
  let arbiters: BtreeIndex[];
  if (oc.infer?.conname) {
    const i = t.indexes.find((x) => x.name === oc.infer.conname);
    if (!i) throw new PgError('42704', `constraint "${oc.infer.conname}" for table "${t.name}" does not exist`);
    arbiters = [i];
  } else if (oc.infer?.indexElems) {
    const exprs: N[] = [];
    const cols = (oc.infer.indexElems as N[]).flatMap((e) => {
      if (!e.IndexElem.name) { exprs.push(e.IndexElem.expr); return []; }
      const idx = t.columns.findIndex((c) => c.name === e.IndexElem.name);
      if (idx < 0) throw new PgError('42703', `column "${e.IndexElem.name}" does not exist`, { position: posOf(oc.infer.location) });
      return [idx];
    });
    arbiters = t.indexes.filter((i) => arbiterMatches(i, cols, exprs, oc.infer.whereClause));
    if (!arbiters.length) throw new PgError('42P10', 'there is no unique or exclusion constraint matching the ON CONFLICT specification');
  } else {
    if (oc.action === 'ONCONFLICT_UPDATE') throw new PgError('42601', 'ON CONFLICT DO UPDATE requires inference specification or constraint name', { hint: 'For example, ON CONFLICT (column_name).', position: posOf(oc.location) });
    arbiters = t.indexes.filter((i) => i.unique);
  }
  const self = ex;
  const notVisible = (item: Item) => {
    if (!usesXactSnapshot(s.tx!.isolation)) return false;
    return !VIS_VISIBLE[satisfiesMVCC(item, snap(), ex.eng.visibilityContext(s))];
  };
  if (oc.action !== 'ONCONFLICT_UPDATE') {
    return {
      arbiters,
      *handle(_vals: Value[], blk: number, off: number, _queue: AfterEvent[] | null): Gen<Row | null | 'retry'> {
        if (notVisible(t.heap.item(blk, off)!)) throw new PgError('40001', 'could not serialize access due to concurrent update');
        return null;
      },
    };
  }
  // DO UPDATE: SET and WHERE see the existing row (the target) and EXCLUDED (the row proposed for insertion)
  const excludedRow: { current: Row | null } = { current: null };
  const scope = ex.tableScope(t, n.relation.alias?.aliasname ?? null, s, snap, sql);
  scope.outer = { scope: { ...ex.tableScope(t, 'excluded', s, snap, sql), hasSystem: false }, row: excludedRow, used: false };
  const sets = (oc.targetList as N[]).flatMap((tl) => {
    const rt = tl.ResTarget;
    const idx = t.columns.findIndex((c) => c.name === rt.name);
    if (idx < 0) throw new PgError('42703', `column "${rt.name}" of relation "${t.name}" does not exist`, { position: posOf(rt.location) });
    const col = t.columns[idx]!;
    if (col.generated) {
      if (!rt.val.SetToDefault) throw new PgError('428C9', `column "${col.name}" can only be updated to DEFAULT`, { detail: `Column "${col.name}" is a generated column.` });
      return []; // recomputed with the rest of the row
    }
    if (rt.val.SetToDefault) throw notSupported('DEFAULT in ON CONFLICT DO UPDATE SET', posOf(rt.location));
    return [{ idx, fn: ex.assign(compileExpr(rt.val, scope), col, firstLocation(rt.val)).fn }];
  });
  const where = oc.whereClause ? ex.compileWhere(oc.whereClause, scope) : null;
  const generate = generatedMaker(ex, t, s, snap);
  const updatedCols = new Set(sets.map((x) => t.columns[x.idx]!.name));
  const keyCols = [...t.keyColumns], idxCols = [...t.indexedColumns];
  // ExecUpdateLockMode: the conflicting row is locked FOR UPDATE only if a key column is among the SET targets
  const lockMode: TupleLockMode = sets.some((x) => t.keyColumns.has(x.idx)) ? 'exclusive' : 'nokeyexclusive';
  return {
    arbiters,
    *handle(vals: Value[], blk: number, off: number, queue: AfterEvent[] | null): Gen<Row | null | 'retry'> {
      const { tm } = yield* lockTuple(self, s, t, blk, off, lockMode, 'block', false);
      if (tm !== TM.Ok) {
        if (tm === TM.SelfModified || tm === TM.Invisible) throw new PgError('21000', 'ON CONFLICT DO UPDATE command cannot affect row a second time', { hint: 'Ensure that no rows proposed for insertion within the same command have duplicate constrained values.' });
        if (usesXactSnapshot(s.tx!.isolation)) throw new PgError('40001', 'could not serialize access due to concurrent update');
        return 'retry'; // updated or deleted meanwhile: look for the conflict again
      }
      const item = t.heap.item(blk, off)!;
      if (notVisible(item)) throw new PgError('40001', 'could not serialize access due to concurrent update');
      excludedRow.current = { vals, item: null, blk: 0, off: 0, aggs: null };
      const oldVals = heapGetattrs(t, item.values);
      const existing: Row = { vals: oldVals, item, blk, off, aggs: null };
      if (where && where.fn(existing) !== true) return null;
      let newVals = oldVals.slice();
      for (const st of sets) newVals[st.idx] = st.fn(existing);
      if (queue && triggersFor(t, 'before', true, 'UPDATE', updatedCols).length) {
        // ExecUpdate's ExecBRUpdateTriggers: the row is locked already; NULL skips the update (the row stays locked)
        const v = yield* fireBeforeRow(self, s, t, 'UPDATE', oldVals, newVals, updatedCols);
        if (!v) return null;
        newVals = v;
      }
      if (generate) generate(newVals);
      self.checkConstraints(s, t, newVals, snap);
      const indexedChanged = idxCols.some((i) => !sameValue(oldVals[i]!, newVals[i]!));
      const mode: TupleLockMode = keyCols.some((i) => !sameValue(oldVals[i]!, newVals[i]!)) ? 'exclusive' : 'nokeyexclusive';
      // heap_update takes the (sub)transaction's xid first (GetCurrentTransactionId): when the row was already locked
      // by us before a savepoint, the lock took none, and the update must belong to the subtransaction
      self.eng.ensureXid(s);
      // ExecUpdate → heap_update looks at the (now locked by us) version again: no wait, but who else holds it
      const check = yield* waitForModify(self, s, t, blk, off, mode, 'update');
      if (check.tm !== TM.Ok) throw new PgError('XX000', `ON CONFLICT DO UPDATE found its locked row ${formatTid(blk, off)} in state ${check.tm}`);
      if (s.tx!.sxact) self.eng.predicates.checkConflictIn(s.tx!.sxact, t.oid, blk, off, s.tx!.subs.length > 0);
      const nt = heapUpdate(self.heapCtx(s), t, blk, off, newVals, indexedChanged, mode, check.lockers);
      if (check.tupleLock) self.eng.releaseLock(s, { type: 'tuple', rel: t.oid, blk, off }, TUPLE_HW_LOCK[mode]);
      queueRiEvents(self, s, t, 'update', oldVals, item.xmin, newVals, nt);
      if (queue) queueAfterRow(self, s, queue, t, 'UPDATE', oldVals, newVals, updatedCols);
      if (!nt.hot && t.indexes.length) {
        const waitAt = self.indexInsertAll(s, t, newVals, nt.blk, nt.off);
        if (waitAt >= 0) yield* self.indexInsertRest(s, t, waitAt, newVals, nt.blk, nt.off);
      }
      return { vals: newVals, item: t.heap.item(nt.blk, nt.off)!, blk: nt.blk, off: nt.off, aggs: null };
    },
  };
}

export function compileReturning(ex: Executor, list: N[], scope: Scope): { fns: ((r: Row) => Value)[]; names: string[]; types: SqlType[] } {
  const fns: ((r: Row) => Value)[] = [], names: string[] = [], types: SqlType[] = [];
  for (const t of list) {
    const rt = t.ResTarget;
    const cr = rt.val.ColumnRef;
    if (cr && cr.fields[cr.fields.length - 1].A_Star) {
      // t.* over UPDATE ... FROM / DELETE ... USING's join: only that relation's columns
      const qual = cr.fields.length === 2 ? cr.fields[0].String?.sval as string | undefined : undefined;
      const rel = qual !== undefined && scope.rels ? scope.rels.find((x) => x.name === qual) : undefined;
      if (qual !== undefined && scope.rels && !rel) throw new PgError('42P01', `missing FROM-clause entry for table "${qual}"`, { position: posOf(cr.location) });
      scope.columns.forEach((c, i) => {
        if (c.dropped || (rel && (i < rel.offset || i >= rel.offset + rel.count))) return;
        fns.push((r) => r.vals[i]!); names.push(c.name); types.push(c.type);
      });
      continue;
    }
    const c = compileExpr(rt.val, scope);
    const cc = c.type.name === 'unknown' ? castTo(c, T.text, false) : c;
    fns.push(cc.fn); names.push(rt.name ?? c.name); types.push(cc.type);
  }
  return { fns, names, types };
}

export function dmlResult(ex: Executor, tag: string, ret: { names: string[]; types: SqlType[] } | null, rows: Value[][]): QueryResult {
  const r: QueryResult = {
    command: tag,
    columns: ret ? ret.names.map((name, i) => ({ name, type: ret.types[i]!.name })) : null,
    rows: ret ? rows.map((r) => r.map(formatValue)) : [],
  };
  if (ret) dmlValues.set(r, { names: ret.names, types: ret.types, rows }); // for WITH ... (DML RETURNING) readers
  return r;
}

/**
 * The columns' DEFAULT expressions, compiled once. The returned function evaluates them for one row, skipping
 * the columns the row provides: like PostgreSQL, each row gets its own nextval(), and a column given explicitly
 * never consumes a sequence value.
 */
/** the DEFAULT expression of a column's domain (typdefaultbin), null when it has none */
function domainDefault(t: SqlType): unknown | null {
  const d = domainLookup.byName(t.domain!.name);
  return d && d.oid === t.domain!.oid ? d.defaultExpr : null;
}

export function defaultMaker(ex: Executor, t: Table, s: Session, snap: () => Snapshot): (provided: ReadonlySet<number> | null) => Value[] {
  const fns = t.columns.map((c) => {
    // a column of a domain without a DEFAULT of its own: the domain's default, or NULL — checked by the domain
    const expr = c.defaultExpr ?? (c.type.domain && !c.dropped ? (domainDefault(c.type) ?? { A_Const: { isnull: true } }) : null);
    if (!expr) return null;
    const scope: Scope = { relName: null, alias: null, columns: [], hasSystem: false, env: ex.env(s, snap), sql: '' };
    return ex.assign(compileExpr(expr as N, scope), c, undefined).fn;
  });
  const n = fns.length;
  if (fns.every((f) => !f)) return () => new Array<Value>(n).fill(null);
  return (provided) => fns.map((f, i) => (f && !provided?.has(i) ? f(null as unknown as Row) : null));
}

/** Assignment coercion of an expression to a column's type (transformAssignedExpr). */
export function assign(ex: Executor, c: Compiled, col: Column, location: number | undefined): Compiled {
  try {
    return castTo(c, col.type, false, posOf(location));
  } catch (e) {
    // any type goes into a string column by its output text (find_coercion_pathway: an automatic I/O conversion
    // cast to a string type is allowed in assignment context) — INSERT INTO t (text_col) VALUES (3)
    if (e instanceof PgError && e.sqlstate === '42846' && isStringLike(col.type) && col.type.name !== 'unknown') {
      let viaText: Compiled | null = null;
      try { viaText = castTo(c, T.text, true, posOf(location)); } catch (e2) { if (!(e2 instanceof PgError && e2.sqlstate === '42846')) throw e2; }
      if (viaText) return castTo(viaText, col.type, false, posOf(location)); // varchar(n): the length is checked
    }
    // a row of the wrong shape for a row-type column keeps coerce_record_to_complex's own message
    if (e instanceof PgError && e.sqlstate === '42846' && !(c.type.name === 'record' && !c.type.composite?.relName && col.type.composite?.relName)) {
      const bare = (t: SqlType) => typeDisplayName(t.elem ? t : { ...t, typmod: -1 }); // format_type_be: no typmods
      throw new PgError('42804', `column "${col.name}" is of type ${bare(col.type)} but expression is of type ${bare(c.type)}`, {
        hint: 'You will need to rewrite or cast the expression.', ...(location !== undefined ? { position: posOf(location)! } : {}),
      });
    }
    throw e;
  }
}

/** ExecConstraints: NOT NULL, then CHECK constraints. */
export function checkConstraints(ex: Executor, s: Session, t: Table, vals: Value[], snap: () => Snapshot) {
  const failing = () => failingRow(t.columns.some((c) => c.dropped) ? vals.filter((_, i) => !t.columns[i]!.dropped) : vals);
  for (const c of t.columns) {
    if (c.notNull && vals[c.attnum - 1] === null) {
      throw new PgError('23502', `null value in column "${c.name}" of relation "${t.name}" violates not-null constraint`, { detail: failing() });
    }
  }
  if (t.checks.length) {
    const row: Row = { vals, item: null, blk: 0, off: 0, aggs: null };
    for (const ch of t.checks) {
      const f = (ch.compiled ??= compileExpr(ch.expr as N, { ...ex.tableScope(t, null, s, snap, ''), hasSystem: false })) as Compiled;
      if (f.fn(row) === false) {
        throw new PgError('23514', `new row for relation "${t.name}" violates check constraint "${ch.name}"`, { detail: failing() });
      }
    }
  }
}
