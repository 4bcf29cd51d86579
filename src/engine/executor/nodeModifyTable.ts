/**
 * INSERT, UPDATE and DELETE (ModifyTable). INSERT checks NOT NULL and CHECK constraints, writes the heap tuple,
 * then inserts into each index (executor/indexinsert.ts: the unique check can wait for a concurrent inserter).
 * UPDATE and DELETE find their rows with the statement's snapshot, then try to change each version:
 *
 *   TM_Ok            → change it.
 *   TM_BeingModified → someone is changing or has locked it: wait as heap_update/heap_delete do (rowlocks.ts).
 *   TM_Updated/Deleted (committed meanwhile) → READ COMMITTED re-checks the newest version (EvalPlanQual: lock it,
 *                      re-evaluate WHERE, change it if it still matches); REPEATABLE READ / SERIALIZABLE fail 40001.
 *   TM_SelfModified  → changed by this same command already: skip.
 *
 * ON CONFLICT DO NOTHING / DO UPDATE finds the conflicting row through the arbiter index, locks it and updates it.
 *
 * Each changed row of a table with foreign keys (either side) queues its RI trigger events (ri/ri_triggers.ts);
 * they fire when the statement ends. An RI trigger's cascaded UPDATE / DELETE runs through here too, with the
 * crosscheck snapshot under REPEATABLE READ (a row its transaction snapshot cannot see is a 40001).
 *
 * Mirrors: src/backend/executor/nodeModifyTable.c (ExecInsert, ExecUpdate, ExecDelete, ExecOnConflictUpdate),
 * execMain.c (EvalPlanQual, ExecConstraints), execIndexing.c.
 */
import { filterWaiting, recordPredicateRead } from './scan.js';
import { evalWaiting, mayWait } from './exprwait.js';
import { dmlValues } from './nodeCtescan.js';
import type { Executor } from './executor.js';
import { PgError, notSupported, posOf } from '../errors.js';
import type { Session, QueryResult } from '../session/session.js';
import { type RawStmt } from '../sql/parser.js';
import {
  compileExpr, castTo, type Compiled, type Scope, type Row,
} from '../sql/expr.js';
import { type SqlType, type Value, T, formatValue, typeDisplayName } from '../sql/types.js';
import { type Table, type Column, heapGetattrs, liveColumns } from '../catalog/catalog.js';
import { tidBlock, tidOffset, formatTid } from '../heap/heap.js';
import { BtreeIndex } from '../index/btree.js';
import { waitForModify, lockTuple, lockLatest, TUPLE_HW_LOCK } from './rowlocks.js';
import { type Item } from '../heap/tuple.js';
import {
  satisfiesMVCC, satisfiesUpdate, satisfiesDirty, VIS_VISIBLE, TM,
} from '../visibility/visibility.js';
import {
  heapInsert, heapUpdate, heapDelete, type TupleLockMode, type LockerCheck, NO_LOCKER_CHECK,
} from '../heap/heapam.js';
import { LockMode } from '../lock/lock.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import { usesXactSnapshot } from '../xact/xact.js';
import { queueRiEvents } from '../ri/ri_triggers.js';
import { arbiterMatches } from '../commands/indexcmds.js';
import { callsUserFunction } from './util.js';
import { type AfterEvent, fireStatementTriggers, fireBeforeRow, queueAfterRow, fireAfterEvents, triggersFor } from '../commands/trigger.js';
import {
  N, Gen, Candidate, PROGRESS_ROWS, hotChain, failingRow, sameValue, checkValuesLists, firstLocation,
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

export function* insertStmt(ex: Executor, s: Session, n: N, raw: RawStmt): Gen<QueryResult> {
  if (n.withClause) throw notSupported('WITH queries');
  const t = ex.table(n.relation);
  const snapshot = ex.eng.snapshotFor(s);
  const snap = () => snapshot;
  yield* ex.lockRelation(s, t, LockMode.RowExclusive);
  if (!t.temp) ex.checkReadOnly(s, 'INSERT'); // ExecCheckXactReadOnly: a temporary table may be written
  s.tx!.cidUsed = true; // a data-modifying command uses its command id even if it changes no row (standard_ExecutorStart)
  const targetCols: number[] = n.cols
    ? (n.cols as N[]).map((c, k, all) => {
      const idx = t.columns.findIndex((col) => col.name === c.ResTarget.name);
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
  if (!sel) throw notSupported('INSERT ... DEFAULT VALUES');
  if (sel.valuesLists) {
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
    const q = yield* ex.query(s, sel, raw.text, false);
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
  const returning = n.returningList ?? n.returningClause?.exprs;
  const ret = returning ? ex.compileReturning(returning, ex.tableScope(t, null, s, snap, raw.text)) : null;
  const out: Value[][] = [];
  const hctx = ex.heapCtx(s);
  const onConflict = n.onConflictClause ? ex.prepareOnConflict(s, t, n, snap, raw.text) : null;
  const generate = generatedMaker(ex, t, s, snap);
  const trig = t.triggers?.length ? { queue: [] as AfterEvent[], before: triggersFor(t, 'before', true, 'INSERT').length > 0 } : null;
  // fireBSTriggers: INSERT's, and UPDATE's too for ON CONFLICT DO UPDATE (fireASTriggers: the other way round)
  const upsert = n.onConflictClause?.action === 'ONCONFLICT_UPDATE';
  const upsertCols = upsert ? new Set(((n.onConflictClause.targetList ?? []) as N[]).map((x) => x.ResTarget.name as string)) : undefined;
  if (trig) yield* fireStatementTriggers(ex, s, t, 'before', 'INSERT', null);
  if (trig && upsert) yield* fireStatementTriggers(ex, s, t, 'before', 'UPDATE', null, upsertCols);
  let inserted = 0, affected = 0;
  rowLoop: for (const vals0 of rows) {
    if (++inserted % PROGRESS_ROWS === 0) yield { kind: 'progress', done: inserted, total: rows.length };
    let vals = vals0;
    if (trig?.before) {
      const v = yield* fireBeforeRow(ex, s, t, 'INSERT', null, vals);
      if (!v) continue;
      vals = v;
    }
    if (generate) generate(vals);
    ex.checkConstraints(s, t, vals, snap);
    if (onConflict) {
      // speculative insertion's pre-check (ExecCheckIndexConstraints), waiting out in-progress inserters
      for (;;) {
        const c = ex.findConflict(s, t, onConflict.arbiters, vals);
        if (!c) break;
        if (c.xwait) {
          yield* ex.eng.waitForXact(s, c.xwait, `while checking uniqueness of tuple ${formatTid(c.blk, c.off)} in relation "${t.name}"`);
          continue;
        }
        const res = yield* onConflict.handle(vals, c.blk, c.off, trig?.queue ?? null);
        if (res === 'retry') continue;
        if (res) { affected++; if (ret) out.push(ret.fns.map((f) => f(res))); }
        continue rowLoop;
      }
    }
    affected++;
    ex.eng.ensureXid(s);
    if (s.tx!.sxact) ex.eng.predicates.checkConflictIn(s.tx!.sxact, t.oid);
    const tid = heapInsert(hctx, t, vals);
    if (t.indexes.length) {
      const waitAt = ex.indexInsertAll(s, t, vals, tid.blk, tid.off);
      if (waitAt >= 0) yield* ex.indexInsertRest(s, t, waitAt, vals, tid.blk, tid.off);
    }
    queueRiEvents(ex, s, t, 'insert', null, 0, vals, tid);
    if (trig) queueAfterRow(ex, s, trig.queue, t, 'INSERT', null, vals);
    if (ret) out.push(ret.fns.map((f) => f({ vals, item: t.heap.item(tid.blk, tid.off)!, blk: tid.blk, off: tid.off, aggs: null })));
  }
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
    for (const tid of index.lookup(key)) {
      visit(tidBlock(tid));
      for (const m of hotChain(t, tidBlock(tid), tidOffset(tid), ex.eng.multis)) {
        const d = satisfiesDirty(m.item, vctx);
        if (!d.visible) continue;
        return { blk: m.blk, off: m.off, xwait: d.waitXmin || d.waitXmax };
      }
    }
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
      scope.columns.forEach((c, i) => { if (c.dropped) return; fns.push((r) => r.vals[i]!); names.push(c.name); types.push(c.type); });
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
export function defaultMaker(ex: Executor, t: Table, s: Session, snap: () => Snapshot): (provided: ReadonlySet<number> | null) => Value[] {
  const fns = t.columns.map((c) => {
    if (!c.defaultExpr) return null;
    const scope: Scope = { relName: null, alias: null, columns: [], hasSystem: false, env: ex.env(s, snap), sql: '' };
    return ex.assign(compileExpr(c.defaultExpr as N, scope), c, undefined).fn;
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
    if (e instanceof PgError && e.sqlstate === '42846') {
      throw new PgError('42804', `column "${col.name}" is of type ${typeDisplayName(col.type)} but expression is of type ${typeDisplayName(c.type)}`, {
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
 * What UPDATE and DELETE do before their scan: the target relation opened with RowExclusiveLock, the statement's
 * snapshot, the read-only check, the command id marked used (standard_ExecutorStart: even if no row changes), and the
 * WHERE clause compiled over the target's scope.
 */
function* modifyStart(ex: Executor, s: Session, n: N, raw: RawStmt, cmd: 'UPDATE' | 'DELETE') {
  const extra = cmd === 'UPDATE' ? n.fromClause : n.usingClause;
  if (extra?.length) throw notSupported(cmd === 'UPDATE' ? 'UPDATE ... FROM' : 'DELETE ... USING');
  if (n.withClause) throw notSupported('WITH queries');
  const t = ex.table(n.relation);
  const snapshot = ex.eng.snapshotFor(s);
  const snap = () => snapshot;
  yield* ex.lockRelation(s, t, LockMode.RowExclusive);
  if (!t.temp) ex.checkReadOnly(s, cmd);
  s.tx!.cidUsed = true;
  const scope = ex.tableScope(t, n.relation.alias?.aliasname ?? null, s, snap, raw.text);
  return { t, snapshot, snap, scope, where: ex.compileWhere(n.whereClause, scope) };
}

export function* updateStmt(ex: Executor, s: Session, n: N, raw: RawStmt): Gen<QueryResult> {
  const { t, snapshot, snap, scope, where } = yield* modifyStart(ex, s, n, raw, 'UPDATE');
  const sets: { idx: number; fn: (r: Row) => Value }[] = [];
  for (const tl of n.targetList as N[]) {
    const rt = tl.ResTarget;
    if (rt.indirection?.length) throw notSupported('assignment to a field or array element', posOf(rt.location));
    if (rt.val?.MultiAssignRef) throw notSupported('multiple-column assignment (a, b) = (...)', posOf(rt.location));
    const idx = t.columns.findIndex((c) => c.name === rt.name);
    if (idx < 0) throw new PgError('42703', `column "${rt.name}" of relation "${t.name}" does not exist`, { position: posOf(rt.location) });
    const col = t.columns[idx]!;
    if (col.generated) {
      if (!rt.val.SetToDefault) throw new PgError('428C9', `column "${col.name}" can only be updated to DEFAULT`, { detail: `Column "${col.name}" is a generated column.` });
      continue; // recomputed below, whatever the SET says
    }
    if (col.identity === 'a' && !rt.val.SetToDefault) {
      throw new PgError('428C9', `column "${col.name}" can only be updated to DEFAULT`, { detail: `Column "${col.name}" is an identity column defined as GENERATED ALWAYS.` });
    }
    if (rt.val.SetToDefault) {
      const make = ex.defaultMaker(t, s, snap);
      const others = new Set(t.columns.map((_, i) => i).filter((i) => i !== idx));
      sets.push({ idx, fn: () => make(others)[idx]! });
    } else sets.push({ idx, fn: ex.assign(compileExpr(rt.val, scope), col, firstLocation(rt.val)).fn });
  }
  // rewriteTargetListIU: after every target is analysed, one column may not be assigned twice
  const twice = sets.find((x, k) => sets.findIndex((y) => y.idx === x.idx) !== k);
  if (twice) throw new PgError('42601', `multiple assignments to same column "${t.columns[twice.idx]!.name}"`);
  const returning = n.returningList ?? n.returningClause?.exprs;
  const ret = returning ? ex.compileReturning(returning, scope) : null;
  const keyCols = [...t.keyColumns];
  const idxCols = [...t.indexedColumns];
  // heap_update: FOR UPDATE strength only if a key column's value really changes (HeapDetermineColumnsInfo
  // compares the old and new values: SET k = k keeps the key and takes the weaker FOR NO KEY UPDATE)
  let mode: TupleLockMode = 'nokeyexclusive';
  const modeFor = (old: Value[], nv: Value[]): TupleLockMode => (keyCols.some((i) => !sameValue(old[i]!, nv[i]!)) ? 'exclusive' : 'nokeyexclusive');
  const updatedCols = new Set(sets.map((x) => t.columns[x.idx]!.name));
  const trig = t.triggers?.length ? { queue: [] as AfterEvent[], before: triggersFor(t, 'before', true, 'UPDATE', updatedCols).length > 0 } : null;
  if (trig) yield* fireStatementTriggers(ex, s, t, 'before', 'UPDATE', null, updatedCols);
  // WHERE tested row by row in the loop below (pipelined: a user function's side effects, triggers), or after the
  // scan where it can wait (pg_advisory_lock(…) in WHERE), or during the scan
  const pipelined = !!trig || callsUserFunction(n.whereClause, ex);
  const waits = !!where && mayWait(n.whereClause);
  // UPDATE/DELETE's own search is no item read (deps.ts)
  const found = ex.eng.deps.unread(() => ex.scan(s, t, snapshot, waits || pipelined ? null : where, n.whereClause, scope));
  const cands = waits && !pipelined ? yield* filterWaiting(s, found, where!) : found;
  recordPredicateRead(ex, s, t, snapshot, where, n.whereClause, scope); // but a predicate read
  let count = 0;
  const out: Value[][] = [];
  const generate = generatedMaker(ex, t, s, snap);
  const compute = (c: Row): Value[] => {
    const nv = c.vals.slice();
    for (const st of sets) nv[st.idx] = st.fn(c);
    if (generate) generate(nv);
    return nv;
  };
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
    return !nt.hot && t.indexes.length ? ex.indexInsertAll(s, t, newVals, nt.blk, nt.off, old) : -1;
  };
  const doUpdate = function* (this: Executor, cur: Candidate, newVals: Value[], tupleLock: boolean, lockers: LockerCheck): Gen<void> {
    const waitAt = applyUpdate(cur, newVals, tupleLock, lockers);
    const { blk, off } = placed;
    if (waitAt >= 0) yield* ex.indexInsertRest(s, t, waitAt, newVals, blk, off);
    finish(newVals, blk, off);
  };
  const finish = (newVals: Value[], blk: number, off: number) => {
    count++;
    if (ret) out.push(ret.fns.map((f) => f({ vals: newVals, item: t.heap.item(blk, off)!, blk, off, aggs: null })));
  };
  let done = 0;
  for (const cand of cands) {
    if (++done % PROGRESS_ROWS === 0) yield { kind: 'progress', done, total: cands.length };
    if (pipelined && where && (waits ? yield* evalWaiting(s, () => where.fn(cand)) : where.fn(cand)) !== true) continue;
    // Fast path: nobody else is changing this version (TM_Ok) — no waiting machinery needed.
    vctx.myXid = s.tx!.xid;
    vctx.subXids = s.tx!.subXidSet;
    if (satisfiesUpdate(cand.item, cand.blk, cand.off, vctx) === TM.Ok) {
      let newVals = compute(cand);
      if (trig?.before) {
        const v = yield* fireBeforeRow(ex, s, t, 'UPDATE', cand.vals, newVals, updatedCols);
        if (!v) continue;
        newVals = v;
        if (generate) generate(newVals); // ExecComputeStoredGenerated runs after the BEFORE ROW triggers
      }
      mode = modeFor(cand.vals, newVals);
      const waitAt = applyUpdate(cand, newVals, false, NO_LOCKER_CHECK);
      if (waitAt >= 0) {
        const { blk, off } = placed; yield* ex.indexInsertRest(s, t, waitAt, newVals, blk, off); finish(newVals, blk, off);
      } else finish(newVals, placed.blk, placed.off);
      continue;
    }
    let cur: Candidate = cand;
    let newVals = compute(cur);
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
        yield* doUpdate.call(ex, cur, newVals, tupleLock, lockers);
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
      if (where && where.fn(latest) !== true) {
        if (ex.eng.tracer.wants('epq')) ex.eng.tracer.emit({ kind: 'epq', session: s.name, rel: t.name, blk: latest.blk, off: latest.off, text: `EvalPlanQual: the newest version ${formatTid(latest.blk, latest.off)} no longer matches WHERE — row skipped (it stays locked)` });
        break;
      }
      if (ex.eng.tracer.wants('epq')) ex.eng.tracer.emit({ kind: 'epq', session: s.name, rel: t.name, blk: latest.blk, off: latest.off, text: `EvalPlanQual: the newest version ${formatTid(latest.blk, latest.off)} still matches WHERE — update it` });
      cur = latest;
      newVals = compute(cur);
    }
  }
  if (trig) {
    yield* fireStatementTriggers(ex, s, t, 'after', 'UPDATE', trig.queue, updatedCols);
    yield* fireAfterEvents(ex, s, trig.queue);
  }
  return ex.dmlResult(`UPDATE ${count}`, ret, out);
}

export function* deleteStmt(ex: Executor, s: Session, n: N, raw: RawStmt): Gen<QueryResult> {
  const { t, snapshot, scope, where } = yield* modifyStart(ex, s, n, raw, 'DELETE');
  const returning = n.returningList ?? n.returningClause?.exprs;
  const ret = returning ? ex.compileReturning(returning, scope) : null;
  const trig = t.triggers?.length ? { queue: [] as AfterEvent[], before: triggersFor(t, 'before', true, 'DELETE').length > 0 } : null;
  if (trig) yield* fireStatementTriggers(ex, s, t, 'before', 'DELETE', null);
  const pipelined = !!trig || callsUserFunction(n.whereClause, ex);
  const waits = !!where && mayWait(n.whereClause); // pg_advisory_lock(…) in WHERE: the clause is evaluated where it can wait
  // UPDATE/DELETE's own search is no item read (deps.ts)
  const found = ex.eng.deps.unread(() => ex.scan(s, t, snapshot, waits || pipelined ? null : where, n.whereClause, scope));
  const cands = waits && !pipelined ? yield* filterWaiting(s, found, where!) : found;
  recordPredicateRead(ex, s, t, snapshot, where, n.whereClause, scope); // but a predicate read
  const crosscheck = crosschecker(ex, s);
  let count = 0, done = 0;
  const out: Value[][] = [];
  for (const cand of cands) {
    if (++done % PROGRESS_ROWS === 0) yield { kind: 'progress', done, total: cands.length };
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
        if (ret) out.push(ret.fns.map((f) => f(cur)));
        break;
      }
      release();
      if (tm === TM.SelfModified || tm === TM.Invisible) break;
      if (usesXactSnapshot(s.tx!.isolation)) {
        throw new PgError('40001', `could not serialize access due to concurrent ${tm === TM.Deleted ? 'delete' : 'update'}`);
      }
      if (tm === TM.Deleted) break;
      const latest = yield* lockLatest(ex, s, t, cur.item, 'exclusive', 'block', false);
      if (!latest || (where && where.fn(latest) !== true)) break;
      cur = latest;
    }
  }
  if (trig) {
    yield* fireStatementTriggers(ex, s, t, 'after', 'DELETE', trig.queue);
    yield* fireAfterEvents(ex, s, trig.queue);
  }
  return ex.dmlResult(`DELETE ${count}`, ret, out);
}
