/**
 * Referential integrity: how a FOREIGN KEY is enforced, one queued trigger event at a time.
 *
 * PostgreSQL enforces a foreign key with ordinary SQL run by triggers (SPI), not with a special mechanism, and
 * that SQL takes ordinary row locks:
 *
 *   check (a row of the referencing table was inserted, or its key updated):
 *       SELECT 1 FROM ONLY products x WHERE id = $1 FOR KEY SHARE OF x
 *     no row → 23503 'insert or update on table "orders" violates foreign key constraint "orders_product_fkey"'
 *              DETAIL 'Key (product)=(7) is not present in table "products".'
 *     a row  → it stays locked FOR KEY SHARE until we commit: nobody can delete it or change its key meanwhile
 *              (its t_xmax shows us as a key-share locker, pg_locks our RowShareLock on the table), but others
 *              may still update its other columns.
 *   action (a row of the referenced table was deleted, or its key updated), by ON DELETE / ON UPDATE:
 *     NO ACTION  unless another row now has the old key:
 *                SELECT 1 FROM ONLY orders x WHERE product = $1 FOR KEY SHARE OF x
 *                a row → 23503 'update or delete on table "products" violates foreign key constraint … on table
 *                "orders"' DETAIL 'Key (id)=(7) is still referenced from table "orders".'
 *     RESTRICT   the same lookup, at once and never deferred, even if another row has the old key now
 *     CASCADE    DELETE FROM ONLY orders WHERE product = $1  (or UPDATE … SET product = $new)
 *     SET NULL / SET DEFAULT   UPDATE ONLY orders SET product = NULL / DEFAULT WHERE product = $1 (then, for SET
 *                DEFAULT, the NO ACTION check: the default must itself be present)
 *
 * Each query is a command of its own (SPI increments the command counter first, so it sees the statement's own
 * changes) with a fresh snapshot under READ COMMITTED and the transaction snapshot under REPEATABLE READ. The
 * referenced-side queries must also see rows committed after that snapshot (detectNewRows): under REPEATABLE
 * READ / SERIALIZABLE they read with the latest snapshot and keep the transaction snapshot as the crosscheck, so
 * a cascaded DELETE of a row the transaction could not see fails with 40001 'could not serialize access due to
 * concurrent update' rather than silently deleting it. A lookup stops at its first row (tcount 1).
 *
 * Which events are queued (AfterTriggerSaveEvent's RI_FKey_pk_upd_check_required / _fk_upd_check_required): an
 * UPDATE of the referenced table only when the key changed; an UPDATE of the referencing table only when its
 * key changed (or the row was inserted by this very transaction) and is not NULL. A NULL in the key (MATCH
 * SIMPLE) needs no referenced row; MATCH FULL allows all-NULL or no NULL.
 *
 * Partitioned tables (commands/fkpartition.ts): a lookup or cascade on a partitioned table runs without ONLY, over
 * the partitions its custom plan keeps after pruning on the key; a partitioned referenced table is searched with the
 * latest snapshot even under REPEATABLE READ (PostgreSQL 15's known bug, isolation test fk-snapshot); an UPDATE
 * that moves a row to another partition is an UPDATE of the key for the keys referencing the root
 * (queueCrossPartitionUpdate), not a DELETE.
 *
 * Mirrors: src/backend/utils/adt/ri_triggers.c (RI_FKey_check, ri_restrict, RI_FKey_cascade_del / _upd, ri_set,
 * ri_Check_Pk_Match, ri_PerformCheck, ri_ReportViolation, RI_FKey_pk_upd_check_required,
 * RI_FKey_fk_upd_check_required). Simplifications: the lookups are run directly (not parsed from SQL text) and use
 * an index only when one covers exactly the key columns; the cascaded UPDATE / DELETE are planned like a query
 * with the key's values as constants (a custom plan: an index on the referencing column is used); no cached
 * plans; MATCH PARTIAL is refused as in PostgreSQL; the key comparison is the referenced column type's equality.
 */
import { PgError } from '../errors.js';
import type { Executor } from '../executor/executor.js';
import type { Session } from '../session/session.js';
import type { RawStmt } from '../sql/parser.js';
import { castTo } from '../sql/expr.js';
import { type Value, type SqlType, formatValue } from '../sql/types.js';
import type { Table, ForeignKey } from '../catalog/catalog.js';
import type { ScanPath } from '../optimizer/planner.js';
import { HEAP_XMAX_INVALID } from '../heap/tuple.js';
import { isLockedOnly } from '../heap/rowlock.js';
import { updateXidOf } from '../multixact/multixact.js';
import { LockMode } from '../lock/lock.js';
import { usesXactSnapshot } from '../xact/xact.js';
import { type N, type Gen, sameValue } from '../executor/util.js';
import { convertRow, partitionsOf, partitionCheck } from '../executor/execPartition.js';
import {
  type RiEvent, saveEvent, beginQuery, takeLevel, abandonLevel, isDeferred, deferEvent, takeDeferred,
} from './aftertriggers.js';

type Param = { value: Value; type: SqlType };

/** The tables whose foreign keys reference `t`, with those keys (sorted as their triggers fire: by OID). */
export function referencingKeys(ex: Executor, t: Table): { table: Table; fk: ForeignKey }[] {
  let out: { table: Table; fk: ForeignKey }[] | null = null; // (asked for every row an UPDATE or DELETE changes: none made when none found)
  for (const other of ex.eng.catalog.tables.values()) {
    if (other.fkeys?.length) for (const fk of other.fkeys) if (fk.refOid === t.oid) (out ??= []).push({ table: other, fk });
  }
  return out ? out.sort((a, b) => a.fk.oid - b.fk.oid) : [];
}

export function tableByOid(ex: Executor, oid: number): Table | undefined {
  for (const t of ex.eng.catalog.tables.values()) if (t.oid === oid) return t;
  return undefined;
}

const hasNull = (vals: Value[], cols: number[]) => cols.some((c) => vals[c] === null);
const keysEqual = (a: Value[], b: Value[], cols: number[]) => cols.every((c) => sameValue(a[c]!, b[c]!));

/**
 * AfterTriggerSaveEvent for the RI triggers of one changed row of `t`: the referenced side's action triggers first
 * (RI_ConstraintTrigger_a_…), then the referencing side's check triggers (RI_ConstraintTrigger_c_…). A constraint
 * cloned onto a partition of the referencing table has no action triggers, a child made for a partition of the
 * referenced table no check triggers (commands/fkpartition.ts). `changingPart`: the delete half of an UPDATE that
 * moves the row to another partition — the cloned action triggers skip it, the update queued on the root
 * (queueCrossPartitionUpdate) enforces those keys.
 */
export function queueRiEvents(
  ex: Executor, s: Session, t: Table, op: 'insert' | 'update' | 'delete',
  oldVals: Value[] | null, oldXmin: number, newVals: Value[] | null, newTid: { blk: number; off: number } | null,
  changingPart = false,
): void {
  if (op === 'insert' && !t.fkeys?.length) return;
  if (op !== 'insert') {
    for (const { table, fk } of referencingKeys(ex, t)) {
      if (fk.noAction || (changingPart && fk.parent !== undefined)) continue;
      // RI_FKey_pk_upd_check_required: an old key with a NULL was never referenced; an unchanged key needs nothing
      if (hasNull(oldVals!, fk.refCols)) continue;
      if (op === 'update' && keysEqual(oldVals!, newVals!, fk.refCols)) continue;
      const action = op === 'delete' ? fk.onDelete : fk.onUpdate;
      saveEvent(s, { kind: 'action', op, fkRel: table.oid, constraint: fk.name, oldVals, newVals, newTid: null, deferrable: fk.deferrable && action === 'a' });
    }
  }
  if (op !== 'delete' && t.fkeys?.length) {
    for (const fk of [...t.fkeys].sort((a, b) => a.oid - b.oid)) {
      if (fk.noCheck) continue;
      if (op === 'update') {
        // RI_FKey_fk_upd_check_required
        const nulls = fk.cols.filter((c) => newVals![c] === null).length;
        if (nulls === fk.cols.length) continue;
        if (nulls && fk.match === 's') continue;
        const insertedByUs = isCurrentXid(s, oldXmin);
        if (!insertedByUs && !nulls && keysEqual(oldVals!, newVals!, fk.cols)) continue;
      }
      saveEvent(s, { kind: 'check', op, fkRel: t.oid, constraint: fk.name, oldVals, newVals, newTid, deferrable: fk.deferrable });
    }
  }
}

/**
 * ExecCrossPartitionUpdateForeignKey: after an UPDATE through `root` moved a row from partition `src` to `dst`, the
 * keys referencing the root see an UPDATE of the key (their ON UPDATE action runs; PostgreSQL 15), queued on the
 * root with the old and new rows in its layout. A key that references a partitioned table between the source
 * partition and the root (not the root itself) cannot be enforced that way: 0A000.
 */
export function queueCrossPartitionUpdate(ex: Executor, s: Session, root: Table, src: Table, oldVals: Value[], dst: Table, newVals: Value[]): void {
  // only when the source partition has AFTER UPDATE row triggers (an RI trigger of either side, or a user's)
  if (!referencingKeys(ex, src).length && !src.fkeys?.length && !src.triggers?.length) return;
  for (let a = parentTable(ex, src); a && a !== root; a = parentTable(ex, a)) {
    if (referencingKeys(ex, a).some((r) => !r.fk.noAction && r.fk.parent === undefined)) {
      throw new PgError('0A000', 'cannot move tuple across partitions when a non-root ancestor of the source partition is directly referenced in a foreign key', {
        detail: `A foreign key points to ancestor "${a.name}" but not the root ancestor "${root.name}".`,
        hint: `Consider defining the foreign key on table "${root.name}".`,
      });
    }
  }
  const refs = referencingKeys(ex, root).filter((r) => !r.fk.noAction);
  const oldRoot = convertRow(src, root, oldVals), newRoot = convertRow(dst, root, newVals);
  for (const { table, fk } of refs) {
    if (hasNull(oldRoot, fk.refCols)) continue;
    if (keysEqual(oldRoot, newRoot, fk.refCols)) continue;
    saveEvent(s, { kind: 'action', op: 'update', fkRel: table.oid, constraint: fk.name, oldVals: oldRoot, newVals: newRoot, newTid: null, deferrable: fk.deferrable && fk.onUpdate === 'a' });
  }
}

function parentTable(ex: Executor, t: Table): Table | undefined {
  return t.partOf ? tableByOid(ex, t.partOf.parent) : undefined;
}

function isCurrentXid(s: Session, xid: number): boolean {
  const tx = s.tx!;
  return xid !== 0 && (xid === tx.xid || (tx.subXidSet?.has(xid) ?? false));
}

/** AfterTriggerEndQuery: fire the events the query at `level` queued (deferred constraints' wait for COMMIT). */
export function* endQuery(ex: Executor, s: Session, level: number): Gen<void> {
  const evs = takeLevel(s, level);
  const instr = ex.triggerInstr?.level === level ? ex.triggerInstr.calls : null;
  for (const ev of evs) {
    const found = lookup(ex, ev);
    if (!found) continue;
    if (ev.deferrable && isDeferred(s, found.fk)) { deferEvent(s, ev); continue; }
    if (instr) {
      // the trigger's name (RI_ConstraintTrigger_a_<oid> / _c_<oid>: the constraint's OID + 1..4), as EXPLAIN sorts them
      const k = ev.kind === 'action' ? `a_${found.fk.oid + (ev.op === 'delete' ? 1 : 2)}` : `c_${found.fk.oid + (ev.op === 'insert' ? 3 : 4)}`;
      const c = instr.get(k) ?? { constraint: found.fk.name, calls: 0 };
      c.calls++;
      instr.set(k, c);
    }
    yield* fireEvent(ex, s, ev);
  }
}

/** Run `body` as one query: its RI events fire when it ends (AfterTriggerBeginQuery … EndQuery). */
export function* asQuery<T>(ex: Executor, s: Session, body: () => Gen<T>): Gen<T> {
  const level = beginQuery(s);
  try {
    const r = yield* body();
    yield* endQuery(ex, s, level);
    return r;
  } catch (e) {
    abandonLevel(s, level);
    throw e;
  }
}

/** AfterTriggerFireDeferred (COMMIT), or after SET CONSTRAINTS … IMMEDIATE (only those no longer deferred). */
export function* fireDeferred(ex: Executor, s: Session, all: boolean): Gen<void> {
  for (;;) {
    const evs = takeDeferred(s, all, (ev) => { const f = lookup(ex, ev); return !!f && isDeferred(s, f.fk); });
    if (!evs.length) return;
    for (const ev of evs) yield* fireEvent(ex, s, ev);
  }
}

function lookup(ex: Executor, ev: RiEvent): { fkT: Table; fk: ForeignKey; pkT: Table } | null {
  const fkT = tableByOid(ex, ev.fkRel);
  const fk = fkT?.fkeys?.find((f) => f.name === ev.constraint);
  const pkT = fk ? tableByOid(ex, fk.refOid) : undefined;
  return fkT && fk && pkT ? { fkT, fk, pkT } : null; // the constraint was dropped meanwhile: nothing to do
}

function* fireEvent(ex: Executor, s: Session, ev: RiEvent): Gen<void> {
  const f = lookup(ex, ev);
  if (!f) return;
  if (f.fk.match !== 's' && f.fk.match !== 'f') throw new PgError('0A000', 'MATCH PARTIAL not yet implemented');
  if (ev.kind === 'check') yield* riCheck(ex, s, ev, f.fkT, f.fk, f.pkT);
  else yield* riAction(ex, s, ev, f.fkT, f.fk, f.pkT);
}

/** "Key (a, b)=(1, 2)" as ri_ReportViolation prints it. */
function keyText(t: Table, cols: number[], vals: Value[]): string {
  return `Key (${cols.map((c) => t.columns[c]!.name).join(', ')})=(${vals.map((v) => formatValue(v) ?? 'null').join(', ')})`;
}

export function fkViolation(fkT: Table, fk: ForeignKey, pkT: Table, row: Value[]): PgError {
  return new PgError('23503', `insert or update on table "${fkT.name}" violates foreign key constraint "${fk.name}"`, {
    detail: `${keyText(fkT, fk.cols, fk.cols.map((c) => row[c]!))} is not present in table "${pkT.name}".`,
  });
}
export function matchFullViolation(fkT: Table, fk: ForeignKey): PgError {
  return new PgError('23503', `insert or update on table "${fkT.name}" violates foreign key constraint "${fk.name}"`, {
    detail: 'MATCH FULL does not allow mixing of null and nonnull key values.',
  });
}
function pkViolation(fkT: Table, fk: ForeignKey, pkT: Table, oldRow: Value[]): PgError {
  return new PgError('23503', `update or delete on table "${pkT.name}" violates foreign key constraint "${fk.name}" on table "${fkT.name}"`, {
    detail: `${keyText(pkT, fk.refCols, fk.refCols.map((c) => oldRow[c]!))} is still referenced from table "${fkT.name}".`,
  });
}

/** RI_FKey_check: the referencing row's key must be present in the referenced table (and is locked there). */
function* riCheck(ex: Executor, s: Session, ev: RiEvent, fkT: Table, fk: ForeignKey, pkT: Table): Gen<void> {
  // a version that was updated or deleted again since (by us) is not checked: its successor is, if any
  if (ev.newTid && !liveToSelf(ex, s, fkT, ev.newTid.blk, ev.newTid.off)) return;
  const row = ev.newVals!;
  const nulls = fk.cols.filter((c) => row[c] === null).length;
  if (nulls) {
    if (fk.match === 's' || nulls === fk.cols.length) return;
    throw matchFullViolation(fkT, fk);
  }
  const params = fk.cols.map((c) => ({ value: row[c]!, type: fkT.columns[c]!.type }));
  // a partitioned referenced table is searched with the latest snapshot even under REPEATABLE READ: PostgreSQL 15
  // finds the partition with it, and its index scan ends up using it too (a known bug, isolation test fk-snapshot)
  const found = yield* spi(ex, s, pkT.partKey ? 'latest' : false, selectSql(pkT, fk.refCols, false), () => lockFirstMatch(ex, s, pkT, fk.refCols, params));
  if (!found) throw fkViolation(fkT, fk, pkT, row);
}

/** SnapshotSelf, for a version we wrote: still there, not updated or deleted by us since. */
function liveToSelf(ex: Executor, s: Session, t: Table, blk: number, off: number): boolean {
  const item = t.heap.item(blk, off);
  if (!item) return false;
  if (item.infomask & HEAP_XMAX_INVALID || isLockedOnly(item.infomask)) return true;
  return !isCurrentXid(s, updateXidOf(item, ex.eng.multis));
}

function* riAction(ex: Executor, s: Session, ev: RiEvent, fkT: Table, fk: ForeignKey, pkT: Table): Gen<void> {
  const old = ev.oldVals!;
  const action = ev.op === 'delete' ? fk.onDelete : fk.onUpdate;
  const oldKey: Param[] = fk.refCols.map((c) => ({ value: old[c]!, type: pkT.columns[c]!.type }));
  const restrict = function* (noAction: boolean): Gen<void> {
    // ri_Check_Pk_Match: NO ACTION is satisfied if another row now provides the old key
    if (noAction && (yield* spi(ex, s, true, selectSql(pkT, fk.refCols, false), () => lockFirstMatch(ex, s, pkT, fk.refCols, oldKey)))) return;
    if (yield* spi(ex, s, true, selectSql(fkT, fk.cols, true), () => lockFirstMatch(ex, s, fkT, fk.cols, oldKey))) throw pkViolation(fkT, fk, pkT, old);
  };
  const where = (first: number): N => andOf(fk.cols.map((c, i) => eqParam(fkT.columns[c]!.name, first + i)));
  const relation = { relname: fkT.name, inh: !!fkT.partKey, relpersistence: 'p', location: -1 };
  switch (action) {
    case 'a': case 'r': return yield* restrict(action === 'a');
    case 'c': {
      if (ev.op === 'delete') {
        yield* spiDml(ex, s, 'delete', { relation, whereClause: where(1) }, oldKey, `DELETE FROM ${only(fkT)}${rel(fkT)} WHERE ${quals(fkT, fk.cols, 1, true)}`);
      } else {
        const neu = ev.newVals!;
        const newKey: Param[] = fk.refCols.map((c) => ({ value: neu[c]!, type: pkT.columns[c]!.type }));
        const targetList = fk.cols.map((c, i) => ({ ResTarget: { name: fkT.columns[c]!.name, val: paramRef(i + 1), location: -1 } }));
        const sql = `UPDATE ${only(fkT)}${rel(fkT)} SET ${fk.cols.map((c, i) => `${q(fkT.columns[c]!.name)} = $${i + 1}`).join(', ')} WHERE ${quals(fkT, fk.cols, newKey.length + 1, true)}`;
        yield* spiDml(ex, s, 'update', { relation, targetList, whereClause: where(newKey.length + 1) }, [...newKey, ...oldKey], sql);
      }
      return;
    }
    case 'n': case 'd': {
      const setCols = ev.op === 'delete' && fk.delSetCols ? fk.delSetCols : fk.cols;
      const val = action === 'n' ? { A_Const: { isnull: true, location: -1 } } : { SetToDefault: { location: -1 } };
      const targetList = setCols.map((c) => ({ ResTarget: { name: fkT.columns[c]!.name, val, location: -1 } }));
      const sql = `UPDATE ${only(fkT)}${rel(fkT)} SET ${setCols.map((c) => `${q(fkT.columns[c]!.name)} = ${action === 'n' ? 'NULL' : 'DEFAULT'}`).join(', ')} WHERE ${quals(fkT, fk.cols, 1, true)}`;
      yield* spiDml(ex, s, 'update', { relation, targetList, whereClause: where(1) }, oldKey, sql);
      // SET DEFAULT: if the default is the key just removed, the rows kept it — the NO ACTION check catches that
      if (action === 'd') yield* restrict(true);
      return;
    }
  }
}

const paramRef = (k: number): N => ({ ParamRef: { number: k, location: -1 } });
const eqParam = (col: string, k: number): N => ({
  A_Expr: { kind: 'AEXPR_OP', name: [{ String: { sval: '=' } }], lexpr: { ColumnRef: { fields: [{ String: { sval: col } }], location: -1 } }, rexpr: paramRef(k), location: -1 },
});
const andOf = (xs: N[]): N => (xs.length === 1 ? xs[0]! : { BoolExpr: { boolop: 'AND_EXPR', args: xs, location: -1 } });

/**
 * ri_PerformCheck's SPI_execute_snapshot: a new command (CommandCounterIncrement), and the snapshots — under
 * REPEATABLE READ / SERIALIZABLE a query that must detect new rows reads with the latest snapshot and keeps the
 * transaction snapshot as the crosscheck.
 */
function* spi<T>(ex: Executor, s: Session, detectNewRows: boolean | 'latest', sql: string, body: () => Gen<T>): Gen<T> {
  const tx = s.tx!;
  tx.commandCounterIncrement();
  if (ex.eng.tracer.wants('statement')) {
    ex.eng.tracer.emit({ kind: 'statement', session: s.name,
      text: `${s.name}: a foreign-key trigger runs ${sql}${detectNewRows === true && usesXactSnapshot(tx.isolation) ? ' (with the latest snapshot; the transaction snapshot is the crosscheck)' : ''}` });
  }
  const prev = s.spiSnapshot;
  s.spiSnapshot = null;
  if (detectNewRows === 'latest' && usesXactSnapshot(tx.isolation)) {
    s.spiSnapshot = { snapshot: ex.eng.latestSnapshot(s), crosscheck: null };
  } else if (detectNewRows && usesXactSnapshot(tx.isolation)) {
    const crosscheck = ex.eng.snapshotFor(s);
    s.spiSnapshot = { snapshot: ex.eng.latestSnapshot(s), crosscheck };
  }
  try {
    return yield* body();
  } catch (e) {
    // _SPI_error_callback: an error inside the query names it
    if (e instanceof PgError) {
      const line = `SQL statement "${sql}"`;
      e.context = e.context ? `${e.context}\n${line}` : line;
    }
    throw e;
  } finally { s.spiSnapshot = prev; }
}

/** How ri_triggers.c spells names and conditions in its queries (every name quoted). */
const q = (name: string) => `"${name.replace(/"/g, '""')}"`;
const rel = (t: Table) => `"public".${q(t.name)}`;
/** ri_triggers.c's ONLY: a partitioned table is read (or changed) with its partitions */
const only = (t: Table) => (t.partKey ? '' : 'ONLY ');
/** pk-side column first ("id" = $1) for lookups in the referenced table, the parameter first otherwise */
function quals(t: Table, cols: number[], first: number, paramFirst: boolean): string {
  return cols.map((c, i) => (paramFirst ? `$${first + i} OPERATOR(pg_catalog.=) ${q(t.columns[c]!.name)}` : `${q(t.columns[c]!.name)} OPERATOR(pg_catalog.=) $${first + i}`)).join(' AND ');
}
const selectSql = (t: Table, cols: number[], paramFirst: boolean) => `SELECT 1 FROM ${only(t)}${rel(t)} x WHERE ${quals(t, cols, 1, paramFirst)} FOR KEY SHARE OF x`;

/** A cascaded UPDATE / DELETE: a query of its own (its RI events fire when it ends), with `$n` parameters. */
function* spiDml(ex: Executor, s: Session, kind: 'update' | 'delete', stmt: N, params: Param[], sql: string): Gen<void> {
  yield* spi(ex, s, true, sql, () => asQuery(ex, s, function* () {
    const prev = s.params;
    s.params = params;
    try {
      const raw = { text: '' } as RawStmt;
      if (kind === 'delete') yield* ex.deleteStmt(s, stmt, raw);
      else yield* ex.updateStmt(s, stmt, raw);
    } finally { s.params = prev; }
  }));
}

/**
 * SELECT 1 FROM ONLY t x WHERE cols = $… FOR KEY SHARE OF x, stopping at the first row locked: RowShareLock on
 * the table, then each match locked (waiting, following updates under READ COMMITTED, 40001 otherwise).
 */
function* lockFirstMatch(ex: Executor, s: Session, t: Table, cols: number[], params: Param[]): Gen<boolean> {
  yield* ex.lockRelation(s, t, LockMode.RowShare);
  // a partitioned table: the partitions the custom plan keeps, locked as the planner expands them, leaves read in turn
  const { rels, leaves } = t.partKey ? lookupPartitions(ex, t, cols, params) : { rels: [], leaves: [t] };
  for (const r of rels) yield* ex.lockRelation(s, r, LockMode.RowShare);
  const snap = ex.eng.snapshotFor(s);
  s.tx!.cidUsed = true; // a query with row marks uses its command id (standard_ExecutorStart)
  const prev = s.params;
  s.params = params;
  try {
    const names = cols.map((c) => t.columns[c]!.name);
    const whereNode = andOf(names.map((nm, i) => eqParam(nm, i + 1)));
    for (const leaf of leaves) {
      const lcols = names.map((nm) => leaf.columns.findIndex((x) => !x.dropped && x.name === nm));
      const scope = ex.tableScope(leaf, 'x', s, () => snap, '');
      const where = ex.compileWhere(whereNode, scope);
      const cands = ex.scan(s, leaf, snap, where, whereNode, scope, scanPath(leaf, lcols, params, whereNode));
      for (const c of cands) {
        const locked = yield* ex.lockRowForSelect(s, leaf, c, 'keyshare', 'block', where);
        if (locked) return true;
      }
    }
    return false;
  } finally { s.params = prev; }
}

/**
 * expand_partitioned_rtentry for an RI lookup: its SPI plan is a custom plan (the key's values are constants to the
 * planner: a generic plan's Append of every partition costs more), so plan-time pruning keeps at each level only the
 * partition accepting the key when the level's partition key is among the looked-up columns — the others are
 * neither locked nor read. Depth first, each level in bound order.
 */
function lookupPartitions(ex: Executor, t: Table, cols: number[], params: Param[]): { rels: Table[]; leaves: Table[] } {
  const cat = ex.eng.catalog;
  const known = new Set(cols.map((c) => t.columns[c]!.name));
  const row: Value[] = t.columns.map(() => null);
  cols.forEach((c, i) => { row[c] = params[i]!.value; });
  const rels: Table[] = [], leaves: Table[] = [];
  const walk = (q: Table, qrow: Value[]) => {
    const keyed = q.partKey!.cols.every((c) => c >= 0 && known.has(q.columns[c]!.name));
    for (const p of partitionsOf(cat, q)) {
      const prow = convertRow(q, p, qrow);
      if (keyed && !partitionCheck(cat, p, prow, q)) continue;
      rels.push(p);
      if (p.partKey) walk(p, prow); else leaves.push(p);
    }
  };
  walk(t, row);
  return { rels, leaves };
}

/** The planner's choice for the lookup: an index on exactly the key columns (unique: Index Scan), else Seq Scan. */
function scanPath(t: Table, cols: number[], params: Param[], cond: N): ScanPath {
  const same = (a: readonly number[]) => a.length === cols.length && [...a].sort().join() === [...cols].sort().join();
  const index = t.indexes.find((i) => !i.def && i.unique && same(i.columns)) ?? t.indexes.find((i) => !i.def && same(i.columns));
  if (!index) return { kind: 'SeqScan' };
  if (t.stats) {
    // with statistics a small table is cheaper to read whole (as indxpath.ts's indexProbe decides)
    const pages = t.heap.pages.length;
    const tuples = (t.stats.reltuples / Math.max(1, t.stats.relpages)) * pages;
    if (pages + 0.0125 * tuples < 8.3) return { kind: 'SeqScan' };
  }
  const row: Value[] = [];
  try {
    cols.forEach((c, i) => {
      const p = params[i]!;
      row[c] = castTo({ fn: () => p.value, type: p.type, name: '', strength: 0 }, t.columns[c]!.type, false).fn(null as never);
    });
  } catch { return { kind: 'SeqScan' }; }
  const key = index.keyOf(row);
  if (key === null) return { kind: 'SeqScan' };
  if (index.unique || t.stats) return { kind: 'IndexScan', index, key, cond };
  return { kind: 'BitmapHeapScan', index, tids: [...new Set(index.lookup(key))].sort((a, b) => a - b), cond };
}
