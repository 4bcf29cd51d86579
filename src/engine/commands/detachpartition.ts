/**
 * ALTER TABLE parent DETACH PARTITION t [CONCURRENTLY | FINALIZE]: a partition becomes a table of its own again.
 *
 * The plain form takes AccessExclusiveLock on the parent and on t (and on the DEFAULT partition, whose constraint
 * widens): every reader and writer of the parent waits, and the change is one transaction.
 *
 * CONCURRENTLY takes only ShareUpdateExclusiveLock on both, and runs as two transactions, so that queries on the
 * parent go on all along:
 *   1. t's pg_inherits row is marked inhdetachpending (MarkInheritDetached), foreign keys referencing the parent are
 *      checked against t's rows, and the transaction commits. From then on a query whose snapshot is taken after
 *      that commit no longer sees t as a partition (a READ COMMITTED statement, a foreign key's check); a
 *      REPEATABLE READ transaction whose snapshot is older still does (executor/execPartition.ts).
 *   2. a new transaction waits for every transaction holding any lock on the parent now (WaitForLockersMultiple
 *      with AccessExclusiveLock, without queueing for the lock: later queries are not blocked), locks the parent
 *      ShareUpdateExclusive and t AccessExclusive again, and finishes (DetachPartitionFinalize): the pg_inherits
 *      row goes, relpartbound is cleared, t's indexes and foreign keys become its own.
 * If the second transaction fails (pg_cancel_backend, a timeout) the partition stays "pending detach": queries
 * skip it as above, ALTER TABLE of it says it has an incomplete detach, a second concurrent detach on the parent is
 * refused, and DETACH PARTITION t FINALIZE (ShareUpdateExclusive on the parent, AccessExclusive on t, waiting for
 * the snapshots older than its own: WaitForOlderSnapshots) completes it — inside a transaction block too.
 *
 *     ALTER TABLE p DETACH PARTITION p2 CONCURRENTLY;   -- not inside BEGIN (25001); not with a DEFAULT partition
 *     ALTER TABLE p DETACH PARTITION p2 FINALIZE;       -- after a cancelled one
 *
 * Mirrors: src/backend/commands/tablecmds.c (ATExecDetachPartition, MarkInheritDetached, RemoveInheritance,
 * DetachPartitionFinalize, ATExecDetachPartitionFinalize, ATDetachCheckNoForeignKeyRefs), catalog/pg_inherits.c
 * (find_inheritance_children_extended's omit_detached).
 * The first transaction also gives t a CHECK constraint equal to its partition constraint (t_a_check), which stays.
 * Simplifications: the second transaction takes no xid until it writes.
 */
import type { Executor } from '../executor/executor.js';
import type { Session } from '../session/session.js';
import type { Table } from '../catalog/catalog.js';
import { PgError, notSupported } from '../errors.js';
import { boundLiteral } from '../partitioning/partbounds.js';
import { parseSqlUncached } from '../sql/parser.js';
import { addConstraint } from './atconstraints.js';
import { exprKey } from './inheritcmds.js';
import { LockMode } from '../lock/lock.js';
import { partitionsOf } from '../executor/execPartition.js';
import { detachPartitionKeys } from './fkpartition.js';
import { saveTableDef } from './relfile.js';
import { commitTx, ensureTopXid } from '../xact/xactblock.js';
import { waitForLockers, waitForOlderSnapshots } from '../lock/lmgr.js';
import { stillExists } from '../catalog/pg_inherits.js';
import type { N, Gen } from '../executor/util.js';

/** pg_inherits' OID (InheritsRelationId) */
export const PG_INHERITS_OID = 2611;

const pendingHint = 'Use ALTER TABLE ... DETACH PARTITION ... FINALIZE to complete the pending detach operation.';

/** "relation … is not a partition of relation …" (42P01), as RemoveInheritance / MarkInheritDetached say it. */
const notAPartition = (t: Table, parent: Table) => new PgError('42P01', `relation "${t.name}" is not a partition of relation "${parent.name}"`);

/** The DEFAULT partition of `parent` other than `t`, if any. */
const defaultPartition = (ex: Executor, parent: Table, t?: Table) =>
  partitionsOf(ex.eng.catalog, parent).find((p) => p.partOf!.bound.kind === 'default' && p !== t);

/**
 * ATExecDetachPartition. The parent is locked by the caller (AlterTableGetLockLevel: AccessExclusiveLock, or
 * ShareUpdateExclusiveLock for CONCURRENTLY — whose caller has also refused a transaction block).
 */
export function* detachPartition(ex: Executor, s: Session, parent: Table, cmd: N): Gen<void> {
  if (cmd.concurrent) return yield* detachConcurrently(ex, s, parent, cmd);
  const t = ex.table(cmd.name);
  yield* ex.lockRelation(s, t, LockMode.AccessExclusive);
  if (t.partOf?.parent !== parent.oid) throw notAPartition(t, parent);
  // RemoveInheritance refuses a partition whose concurrent detach is unfinished
  if (t.partOf.detachPending !== undefined) {
    throw new PgError('55000', `cannot detach partition "${t.name}"`, { detail: 'The partition is being detached concurrently or has an unfinished detach.', hint: pendingHint });
  }
  const dflt = defaultPartition(ex, parent, t);
  if (dflt) yield* ex.lockRelation(s, dflt, LockMode.AccessExclusive, false);
  ex.eng.ensureXid(s);
  s.tx!.undo.push(saveTableDef(ex, t));
  yield* detachPartitionKeys(ex, s, parent, t);
  removePartition(s, t);
  detachIndexes(s, t);
  ex.eng.catalog.generation++;
}

/** DETACH PARTITION … CONCURRENTLY: the two transactions. */
function* detachConcurrently(ex: Executor, s: Session, parent: Table, cmd: N): Gen<void> {
  const eng = ex.eng, cat = eng.catalog;
  if (defaultPartition(ex, parent)) throw new PgError('55000', 'cannot detach partitions concurrently when a default partition exists');
  const t = ex.table(cmd.name);
  yield* ex.lockRelation(s, t, LockMode.ShareUpdateExclusive);
  // MarkInheritDetached: no other partition of the parent may be pending detach already
  const pending = partitionsOf(cat, parent, true).find((p) => p.partOf!.detachPending !== undefined);
  if (pending) {
    throw new PgError('55000', `partition "${pending.name}" already pending detach in partitioned table "${parent.nsp?.name ?? 'public'}.${parent.name}"`, { hint: pendingHint });
  }
  if (t.partOf?.parent !== parent.oid) throw notAPartition(t, parent);
  const xid = ensureTopXid(eng, s);
  const was = t.partOf;
  t.partOf = { ...was, detachPending: xid };
  cat.pendingXids.set(xid, s.name); // others' catalog snapshots see the mark once this transaction commits
  s.tx!.undo.push(() => { t.partOf = was; });
  yield* detachPartitionKeys(ex, s, parent, t, 'check');
  s.tx!.undo.push(saveTableDef(ex, t));
  detachAddConstraintIfNeeded(ex, s, parent, t);
  cat.generation++;
  // the first transaction commits (its locks go); the second waits for everyone who may still plan with t
  commitTx(eng, s);
  eng.ensureTx(s);
  yield* waitForLockers(ex, s, parent, LockMode.AccessExclusive, 'DETACH PARTITION CONCURRENTLY waits for every transaction using the partitioned table');
  if (!stillExists(cat, parent)) throw new PgError('55000', `partitioned table "${parent.name}" was removed concurrently`);
  yield* eng.acquireLock(s, { type: 'relation', rel: parent.oid }, LockMode.ShareUpdateExclusive);
  if (!stillExists(cat, t)) throw new PgError('55000', `partition "${t.name}" was removed concurrently`);
  yield* ex.lockRelation(s, t, LockMode.AccessExclusive);
  yield* detachFinalize(ex, s, parent, t);
}

/**
 * DetachAddConstraintIfNeeded: the partition gets a CHECK constraint equal to its partition constraint (valid, not
 * scanned: its rows satisfy it), named as ADD CHECK would name it (t_a_check) — unless it has one with that very
 * expression (PartConstraintImpliedByRelConstraint's proof, simplified to an equal expression). Modelled for a key of
 * one column and a list bound without NULL or a range bound; other shapes refuse with 0A000.
 */
function detachAddConstraintIfNeeded(ex: Executor, s: Session, parent: Table, t: Table): void {
  const key = parent.partKey!, b = t.partOf!.bound;
  const shape = () => notSupported('DETACH PARTITION ... CONCURRENTLY of a partition whose constraint is not one key column\'s list (without NULL) or range');
  if (parent.partOf || key.cols.length !== 1 || key.cols[0]! < 0 || !key.names[0]) throw shape();
  const col = `"${key.names[0].replace(/"/g, '""')}"`;
  const parts = [`${col} IS NOT NULL`];
  if (b.kind === 'list' && !b.values.includes(null)) {
    parts.push(b.values.length === 1 ? `${col} = ${boundLiteral(b.values[0]!)}` : `${col} = ANY (ARRAY[${b.values.map(boundLiteral).join(', ')}])`);
  } else if (b.kind === 'range') {
    const lo = b.lower[0]!, hi = b.upper[0]!;
    if (lo.kind === 'value') parts.push(`${col} >= ${boundLiteral(lo.v)}`);
    if (hi.kind === 'value') parts.push(`${col} < ${boundLiteral(hi.v)}`);
  } else throw shape();
  const expr = ((parseSqlUncached(`SELECT ${parts.join(' AND ')}`)[0]!.stmt.SelectStmt as N).targetList as N[])[0]!.ResTarget.val;
  if (t.checks.some((ch) => exprKey(ch.expr) === exprKey(expr))) return;
  addConstraint(ex, s, t, { contype: 'CONSTR_CHECK', raw_expr: expr, skip_validation: true, initially_valid: true, location: -1 });
}

/**
 * ATExecDetachPartitionFinalize: the partition AccessExclusive (the parent ShareUpdateExclusive by the caller), the
 * snapshots older than this statement's waited out, then the last part of the detach.
 */
export function* detachPartitionFinalize(ex: Executor, s: Session, parent: Table, cmd: N): Gen<void> {
  const t = ex.table(cmd.name);
  yield* ex.lockRelation(s, t, LockMode.AccessExclusive);
  if (t.partOf?.parent !== parent.oid) throw notAPartition(t, parent);
  if (t.partOf.detachPending === undefined) {
    throw new PgError('55000', `cannot complete detaching partition "${t.name}"`, { detail: 'There\'s no pending concurrent detach.' });
  }
  // WaitForOlderSnapshots(GetActiveSnapshot()->xmin): this statement's snapshot is the reference
  const limitXmin = (s.tx?.stmtSnapshot ?? ex.eng.latestSnapshot(s)).xmin;
  yield* waitForOlderSnapshots(ex, s, limitXmin, 'DETACH PARTITION ... FINALIZE waits for the transactions with older snapshots');
  yield* detachFinalize(ex, s, parent, t);
}

/** DetachPartitionFinalize after a concurrent detach: the pg_inherits row, relpartbound, indexes and keys. */
function* detachFinalize(ex: Executor, s: Session, parent: Table, t: Table): Gen<void> {
  ex.eng.ensureXid(s);
  s.tx!.undo.push(saveTableDef(ex, t));
  removePartition(s, t);
  yield* detachPartitionKeys(ex, s, parent, t, 'finalize');
  detachIndexes(s, t);
  ex.eng.catalog.generation++;
}

/** RemoveInheritance and relispartition / relpartbound cleared. */
function removePartition(s: Session, t: Table): void {
  const was = t.partOf;
  delete t.partOf;
  s.tx!.undo.push(() => { t.partOf = was; });
}

/** The partition's indexes are detached from the parent's (IndexSetParentIndex). */
function detachIndexes(s: Session, t: Table): void {
  for (const i of t.indexes) {
    if (i.parentIndex === undefined) continue;
    const pi = i.parentIndex;
    delete i.parentIndex;
    s.tx!.undo.push(() => { i.parentIndex = pi; });
  }
}

/**
 * VACUUM [FREEZE] pg_catalog.pg_inherits, as far as it shows: with FREEZE, the pg_inherits row of a partition pending
 * detach whose marking transaction every snapshot sees as committed gets xmin FrozenTransactionId (2) — which no
 * snapshot holds in progress, so the partition stays omitted (executor/execPartition.ts). Plain VACUUM freezes
 * nothing this young (vacuum_freeze_min_age).
 */
export function freezePendingDetachMarks(ex: Executor, horizon: number): void {
  for (const t of ex.eng.catalog.tables.values()) {
    const x = t.partOf?.detachPending;
    if (x === undefined || x < 3 || x >= horizon || !ex.eng.xacts.clog.didCommit(x)) continue;
    t.partOf = { ...t.partOf!, detachPending: 2 };
  }
}
