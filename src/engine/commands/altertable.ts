/**
 * ALTER TABLE and ALTER TABLE ... RENAME: change a table's definition, under the lock each subcommand needs.
 *
 * The lock comes first (AlterTableGetLockLevel, the strongest of the subcommands'): AccessExclusiveLock for
 * nearly everything — ADD / DROP COLUMN, ALTER COLUMN TYPE / SET DEFAULT / SET NOT NULL, ADD / DROP CONSTRAINT,
 * RENAME — so the statement waits for every reader and writer of the table, and everyone after it waits for it;
 * SET (storage parameters) and ALTER COLUMN SET STATISTICS take ShareUpdateExclusiveLock, which lets reads and
 * writes go on. Only then are names checked (a missing column fails after the lock wait, as in PostgreSQL).
 *
 * The subcommands are checked in the order written, then run in PostgreSQL's passes, and the table is read once at
 * the end — one rewrite or one verifying scan for the whole statement (commands/atwork.ts). What each does:
 *   ADD COLUMN [DEFAULT c]     nothing: c (evaluated once) becomes attmissingval, old tuples keep their natts;
 *                              a volatile DEFAULT (nextval(), random()) rewrites the table, one value per row
 *   ADD COLUMN ... NOT NULL    the end's scan must find the table empty when there is no DEFAULT (23502)
 *   DROP COLUMN                nothing: attisdropped, the bytes stay in every tuple; its indexes and CHECKs go
 *   ALTER COLUMN TYPE          a rewrite into a new relfilenode (commands/relfile.ts) unless binary-compatible;
 *                              the indexes and CHECKs on the column are recreated under new OIDs (atwork.ts)
 *   SET LOGGED / SET UNLOGGED  a rewrite into a file of the new persistence (commands/atpersistence.ts)
 *   SET ACCESS METHOD heap     nothing (the table's own method); CLUSTER ON: the index CLUSTER uses next
 *   SET NOT NULL / ADD CHECK   the end's scan (or rewrite) must find no violating row (23502 / 23514); NOT VALID: none
 *   ADD PRIMARY KEY / UNIQUE   an index build (23505 "could not create unique index" on a duplicate)
 *   ALTER COLUMN ... RESTART / SET GENERATED / SET INCREMENT (an identity column): its sequence, as ALTER SEQUENCE
 *
 * The column subcommands (ADD / DROP COLUMN, ALTER COLUMN TYPE, identity) are commands/atcolumns.ts's, the
 * constraints commands/atconstraints.ts's.
 *
 * Mirrors: src/backend/commands/tablecmds.c (AlterTable, AlterTableGetLockLevel, ATExecSetNotNull, ATExecColumnDefault,
 * renameatt, RenameRelation, RenameConstraint).
 * Simplifications: catalog changes are not MVCC (readers see the new definition at once once they get past the
 * lock), the command counter moves by one per statement.
 */
import { stampCreated, shadowRow, unshadow, type Shadow } from '../catalog/catalogsnapshot.js';
import { ensureTopXid } from '../xact/xactblock.js';
import { findColumn, columnOrError, addColumn, dropColumn, prepAlterColumnType, alterColumnType, setIdentity, checkDefault } from './atcolumns.js';
import { attachPartition } from './attachpartition.js';
import { detachPartition, detachPartitionFinalize } from './detachpartition.js';
import { setTriggersEnabled } from './trigger.js';
import { alterIndexStmt } from './alterindex.js';
import { addInherit, dropInherit } from './inheritcmds.js';
import { inInheritanceTree, prepareInheritedAlter, alterInherited, renameInherited } from './atinherit.js';
import type { Executor } from '../executor/executor.js';
import { PgError, notSupported } from '../errors.js';
import type { Session, QueryResult } from '../session/session.js';
import { materializeLiterals } from '../sql/parser.js';
import { tableKey, type Table } from '../catalog/catalog.js';
import type { SqlType } from '../sql/types.js';
import { applyRelOptions, fillfactorOf } from '../catalog/reloptions.js';
import { LockMode } from '../lock/lock.js';
import type { N, Gen } from '../executor/util.js';
import { saveTableDef, hasToast, createToastTable } from './relfile.js';
import { partitionsOf } from '../executor/execPartition.js';
import { changeOwner } from './grant.js';
import { AlterWork, rewriteTables, postAlterTypeCleanup } from './atwork.js';
import { prepSetAccessMethod, prepChangePersistence } from './atpersistence.js';
import { setStorage } from './atcolumns.js';
import { renameConstraint, dropDependentKeys, addConstraint, dropConstraint, viewsReading, addFkConstraint, validateConstraint, dropFkConstraint } from './atconstraints.js';

/** What the statement says, as PostgreSQL's syntax error texts name the subcommands. */
const SUBCOMMAND_NAMES: Record<string, string> = {
  AT_AttachPartition: 'ATTACH PARTITION', AT_DetachPartition: 'DETACH PARTITION', AT_AddInherit: 'INHERIT', AT_DropInherit: 'NO INHERIT',
  AT_EnableTrig: 'ENABLE TRIGGER', AT_DisableTrig: 'DISABLE TRIGGER', AT_EnableRowSecurity: 'ENABLE ROW LEVEL SECURITY',
  AT_ClusterOn: 'CLUSTER ON', AT_SetLogged: 'SET LOGGED', AT_SetUnLogged: 'SET UNLOGGED', AT_ChangeOwner: 'OWNER TO',
  AT_SetTableSpace: 'SET TABLESPACE', AT_SetStorage: 'ALTER COLUMN ... SET STORAGE', AT_SetCompression: 'ALTER COLUMN ... SET COMPRESSION',
  AT_AddIdentity: 'ALTER COLUMN ... ADD GENERATED AS IDENTITY', AT_DropIdentity: 'ALTER COLUMN ... DROP IDENTITY', AT_SetIdentity: 'ALTER COLUMN ... SET GENERATED',
  AT_ValidateConstraint: 'VALIDATE CONSTRAINT', AT_AlterConstraint: 'ALTER CONSTRAINT', AT_ReplicaIdentity: 'REPLICA IDENTITY',
  AT_SetAccessMethod: 'SET ACCESS METHOD', AT_DropExpression: 'ALTER COLUMN ... DROP EXPRESSION', AT_SetOptions: 'ALTER COLUMN ... SET (attribute options)',
};
const subcommandName = (st: string) => SUBCOMMAND_NAMES[st] ?? st.replace(/^AT_/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();

/** AlterTableGetLockLevel for one subcommand (SET takes what its options need: reloptions.ts). */
function lockLevel(cmd: N): LockMode {
  switch (cmd.subtype) {
    case 'AT_SetRelOptions': case 'AT_ResetRelOptions':
      return applyRelOptions(undefined, (cmd.def?.List?.items ?? []) as N[], true).lock;
    case 'AT_SetStatistics': case 'AT_ValidateConstraint': case 'AT_ClusterOn': return LockMode.ShareUpdateExclusive;
    case 'AT_AddConstraint': return cmd.def?.Constraint?.contype === 'CONSTR_FOREIGN' ? LockMode.ShareRowExclusive : LockMode.AccessExclusive;
    case 'AT_EnableTrig': case 'AT_DisableTrig': case 'AT_EnableTrigAll': case 'AT_DisableTrigAll': case 'AT_EnableTrigUser': case 'AT_DisableTrigUser':
      return LockMode.ShareRowExclusive;
    default: return LockMode.AccessExclusive;
  }
}

/** The table an ALTER / RENAME names, or null (with a NOTICE) under IF EXISTS. */
function target(ex: Executor, s: Session, rv: N, missingOk: boolean): Table | null {
  if (rv.schemaname && /^pg_/.test(rv.schemaname)) throw notSupported(`ALTER TABLE in the schema ${rv.schemaname}`);
  const t = rv.schemaname ? ex.eng.catalog.getIn(rv.schemaname, rv.relname) : ex.eng.catalog.get(rv.relname);
  if (t) return t;
  if (ex.eng.catalog.view(rv.relname)) throw notSupported('ALTER TABLE on a view');
  if (ex.eng.catalog.sequence(rv.relname)) throw notSupported('ALTER TABLE on a sequence (ALTER SEQUENCE ... SET LOGGED / UNLOGGED, OWNER TO, RENAME ...)');
  if (missingOk) {
    s.acc.notices.push({ severity: 'NOTICE', sqlstate: '00000', message: `relation "${rv.relname}" does not exist, skipping` });
    return null;
  }
  throw new PgError('42P01', `relation "${rv.relname}" does not exist`);
}

/** The first column ("table.column") of another table or composite type whose type is this table's row type. */
function rowTypeUser(ex: Executor, t: Table): string | null {
  const cat = ex.eng.catalog, oid = t.oid + 2;
  const uses = (ty: SqlType): boolean => ty.composite?.typeOid === oid || (!!ty.elem && uses(ty.elem));
  for (const o of cat.tables.values()) for (const c of o.columns) if (!c.dropped && uses(c.type)) return `${o.name}.${c.name}`;
  for (const ct of cat.composites.values()) for (const f of ct.fields) if (uses(f.type)) return `${ct.name}.${f.name}`;
  return null;
}

export function* alterTableStmt(ex: Executor, s: Session, n: N): Gen<QueryResult> {
  const done: QueryResult = { command: 'ALTER TABLE', columns: null, rows: [] };
  if (n.objtype === 'OBJECT_INDEX') return yield* alterIndexStmt(ex, s, n);
  if (n.objtype === 'OBJECT_VIEW') throw notSupported('ALTER VIEW');
  if (n.objtype === 'OBJECT_MATVIEW') throw notSupported('ALTER MATERIALIZED VIEW');
  // ALTER TABLE of a materialized view (PostgreSQL allows some subcommands, refuses others): not modelled
  if (n.objtype === 'OBJECT_TABLE' && !n.relation?.schemaname && ex.eng.catalog.get(n.relation?.relname)?.matview) throw notSupported('ALTER TABLE of a materialized view');
  if (n.objtype === 'OBJECT_SEQUENCE') throw notSupported('ALTER SEQUENCE ... (table subcommands)');
  if (n.objtype !== 'OBJECT_TABLE') throw notSupported(`ALTER ${String(n.objtype).replace('OBJECT_', '')}`);
  ex.checkReadOnly(s, 'ALTER TABLE');
  const cmds = ((n.cmds ?? []) as N[]).map((c) => c.AlterTableCmd as N);
  if (cmds.length === 1 && cmds[0]!.subtype === 'AT_ChangeOwner') { // commands/grant.ts: any table, partitioned too
    const t = target(ex, s, n.relation, !!n.missing_ok);
    if (t) yield* changeOwner(ex, s, t, cmds[0]!);
    return done;
  }
  const partCmd = cmds.find((c) => ['AT_AttachPartition', 'AT_DetachPartition', 'AT_DetachPartitionFinalize'].includes(c.subtype));
  if (partCmd) {
    // ATTACH / DETACH PARTITION (commands/attachpartition.ts): alone in its ALTER TABLE, as PostgreSQL requires
    if (cmds.length > 1) throw notSupported('ATTACH / DETACH PARTITION together with other ALTER TABLE subcommands');
    const attach = partCmd.subtype === 'AT_AttachPartition';
    const finalize = partCmd.subtype === 'AT_DetachPartitionFinalize';
    const pc = partCmd.def.PartitionCmd as N;
    // ProcessUtilitySlow's PreventInTransactionBlock, before anything is looked up
    if (pc.concurrent && s.block !== 'none') throw new PgError('25001', 'ALTER TABLE ... DETACH CONCURRENTLY cannot run inside a transaction block');
    const t = target(ex, s, n.relation, !!n.missing_ok);
    if (!t) return done;
    // AlterTableGetLockLevel: ATTACH, DETACH CONCURRENTLY and FINALIZE ShareUpdateExclusiveLock on the parent, DETACH
    // AccessExclusiveLock
    yield* ex.eng.acquireLock(s, { type: 'relation', rel: t.oid }, attach || finalize || pc.concurrent ? LockMode.ShareUpdateExclusive : LockMode.AccessExclusive);
    if (!t.partKey) throw new PgError('42P17', `table "${t.name}" is not partitioned`);
    if (attach) yield* attachPartition(ex, s, t, pc);
    else if (finalize) yield* detachPartitionFinalize(ex, s, t, pc);
    else yield* detachPartition(ex, s, t, pc);
    return done;
  }
  const inhCmd = cmds.find((c) => c.subtype === 'AT_AddInherit' || c.subtype === 'AT_DropInherit');
  if (inhCmd) {
    // INHERIT / NO INHERIT parent (commands/inheritcmds.ts): AccessExclusiveLock on the child
    if (cmds.length > 1) throw notSupported('INHERIT / NO INHERIT together with other ALTER TABLE subcommands');
    const t = target(ex, s, n.relation, !!n.missing_ok);
    if (!t) return done;
    const t1 = yield* ex.lockTableAgain(s, t, LockMode.AccessExclusive, () => target(ex, s, n.relation, !!n.missing_ok));
    if (!t1) return done;
    ex.eng.ensureXid(s);
    const prv = (inhCmd.def.RangeVar ?? inhCmd.def) as N;
    if (inhCmd.subtype === 'AT_AddInherit') yield* addInherit(ex, s, t1, prv);
    else yield* dropInherit(ex, s, t1, prv);
    s.tx!.cidUsed = true;
    return done;
  }
  for (const c of cmds) {
    const known = ['AT_AddColumn', 'AT_DropColumn', 'AT_ColumnDefault', 'AT_SetNotNull', 'AT_DropNotNull', 'AT_AlterColumnType',
      'AT_AddConstraint', 'AT_DropConstraint', 'AT_SetRelOptions', 'AT_ResetRelOptions', 'AT_SetStatistics', 'AT_ValidateConstraint',
      'AT_EnableTrig', 'AT_DisableTrig', 'AT_EnableTrigAll', 'AT_DisableTrigAll', 'AT_EnableTrigUser', 'AT_DisableTrigUser', 'AT_SetIdentity', 'AT_SetStorage',
      'AT_SetAccessMethod', 'AT_SetLogged', 'AT_SetUnLogged', 'AT_ClusterOn'];
    if (!known.includes(c.subtype)) throw notSupported(`ALTER TABLE ... ${subcommandName(c.subtype)}`);
  }
  const t = target(ex, s, n.relation, !!n.missing_ok);
  if (!t) return done;
  // a partitioned table's definition reaches its partitions (ATSimpleRecursion): modelled for foreign keys only
  // (commands/fkpartition.ts), which a partition may also have of its own
  const fkCmd = (c: N) => (c.subtype === 'AT_AddConstraint' && c.def?.Constraint?.contype === 'CONSTR_FOREIGN')
    || (['AT_DropConstraint', 'AT_ValidateConstraint'].includes(c.subtype) && !!t.fkeys?.some((f) => f.name === c.name));
  const onlyFks = cmds.every(fkCmd);
  if (t.partKey && cmds.every((c) => c.subtype === 'AT_DropColumn')) return yield* dropPartitionedColumns(ex, s, n, t, cmds);
  if (t.partKey && !onlyFks) throw notSupported('ALTER TABLE of a partitioned table');
  if (t.partOf && !onlyFks && t.partOf.detachPending === undefined && cmds.some((c) => !['AT_SetRelOptions', 'AT_ResetRelOptions', 'AT_SetStatistics'].includes(c.subtype))) throw notSupported('ALTER TABLE of a partition (other than its storage parameters)');
  const mode = cmds.reduce((m, c) => Math.max(m, lockLevel(c)) as LockMode, LockMode.AccessShare);
  // looked up again once locked, if DDL committed meanwhile (gone: 42P01 / IF EXISTS's notice)
  const t1 = yield* ex.lockTableAgain(s, t, mode, () => target(ex, s, n.relation, !!n.missing_ok));
  if (!t1) return done;
  if (t1 !== t) return yield* alterTableStmt(ex, s, n); // another table under the name now: its own checks
  // ATPrepCmd: a partition whose concurrent detach is unfinished can only be detached (FINALIZE, on its parent)
  if (t.partOf?.detachPending !== undefined) {
    throw new PgError('55000', `cannot alter partition "${t.name}" with an incomplete detach`, { hint: 'Use ALTER TABLE ... DETACH PARTITION ... FINALIZE to complete the pending detach operation.' });
  }
  // find_composite_type_dependencies: a column elsewhere of this table's row type holds values of its old shape
  const rowUser = rowTypeUser(ex, t);
  if (rowUser && cmds.some((c) => c.subtype === 'AT_AlterColumnType')) throw new PgError('0A000', `cannot alter table "${t.name}" because column "${rowUser}" uses its row type`);
  if (rowUser && cmds.some((c) => c.subtype === 'AT_AddColumn' || c.subtype === 'AT_DropColumn')) {
    throw notSupported(`ALTER TABLE ... ADD / DROP COLUMN of a table whose row type the column "${rowUser}" uses`);
  }
  ex.eng.ensureXid(s);
  s.tx!.undo.push(saveTableDef(ex, t));
  // an inheritance tree: ONLY's restrictions, the descendants locked (commands/atinherit.ts)
  const inhTree = inInheritanceTree(ex, t);
  if (inhTree) yield* prepareInheritedAlter(ex, s, t, cmds, !!n.relation.inh, mode);
  // phase 1 (ATPrepCmd): each subcommand checked in the order written against the table as it is, filed under its
  // pass; phase 2 runs the passes (catalog changes only), phase 3 scans or rewrites the table once (commands/atwork.ts)
  const work = new AlterWork(t);
  for (const c of cmds) {
    if (c.subtype === 'AT_AlterColumnType') work.prepared.set(c, prepAlterColumnType(ex, s, t, c.name, c.def.ColumnDef));
    if (c.subtype === 'AT_SetAccessMethod') { prepSetAccessMethod(String(c.name)); continue; }
    if (c.subtype === 'AT_SetLogged' || c.subtype === 'AT_SetUnLogged') {
      const tab = work.tab(t);
      // (only a change already prepared counts: SET LOGGED, SET UNLOGGED of a logged table is one change)
      if (tab.toLogged !== undefined) throw new PgError('42601', 'cannot change persistence setting twice');
      // the rewrite into a transient table of the new persistence, in phase 3
      if (prepChangePersistence(ex, s, t, c.subtype === 'AT_SetLogged')) { tab.toLogged = c.subtype === 'AT_SetLogged'; tab.rewrite = true; }
      continue;
    }
    work.schedule(c);
  }
  let fks = 0;
  const apply = (tt: Table, cc: N) => alterOne(ex, s, tt, cc, work);
  yield* work.run(function* (c: N): Gen<void> {
    if (c.subtype === 'AT_AddConstraint' && c.def?.Constraint?.contype === 'CONSTR_FOREIGN') {
      yield* addFkConstraint(ex, s, t, c.def.Constraint); fks++;
    } else if (c.subtype === 'AT_ValidateConstraint') yield* validateConstraint(ex, s, t, c.name);
    else if (c.subtype === 'AT_SetIdentity') yield* setIdentity(ex, s, t, c);
    else if (c.subtype === 'AT_DropConstraint' && t.fkeys?.some((f) => f.name === c.name)) yield* dropFkConstraint(ex, s, t, c.name);
    else {
      if (c.subtype === 'AT_DropConstraint' && c.behavior === 'DROP_CASCADE') yield* dropDependentKeys(ex, s, t, c.name);
      if (inhTree) alterInherited(ex, s, t, c, !!n.relation.inh, apply);
      else apply(t, c);
    }
  }, () => postAlterTypeCleanup(ex, s, work));
  // ATRewriteCatalogs' AlterTableCreateToastTable: a table now with a column that may need one gets its TOAST table
  for (const tab of work.tabs.values()) if (!tab.table.toastOids && hasToast(tab.table)) tab.table.toastOids = createToastTable(ex, s, tab.table);
  rewriteTables(ex, s, work);
  // adding foreign keys runs catalog commands of its own: +1, and +4 per key (measured: tests/scenarios/fk/cid.spec)
  if (fks) s.tx!.curcid += 1 + 4 * fks;
  s.tx!.cidUsed = true;
  return done;
}

/**
 * ALTER TABLE of a partitioned table DROP COLUMN: the column goes from the table and from every partition (a
 * partition's columns are all inherited: attislocal false), the whole tree locked AccessExclusive first
 * (find_all_inheritors). Simplifications: ONLY, and a column in a partition key, refuse with 0A000.
 */
function* dropPartitionedColumns(ex: Executor, s: Session, n: N, t0: Table, cmds: N[]): Gen<QueryResult> {
  const done: QueryResult = { command: 'ALTER TABLE', columns: null, rows: [] };
  const t = yield* ex.lockTableAgain(s, t0, LockMode.AccessExclusive, () => target(ex, s, n.relation, !!n.missing_ok));
  if (!t) return done;
  const tree = [t];
  for (let i = 0; i < tree.length; i++) {
    if (!tree[i]!.partKey) continue;
    for (const c of partitionsOf(ex.eng.catalog, tree[i]!).sort((a, b) => a.oid - b.oid)) {
      yield* ex.lockRelation(s, c, LockMode.AccessExclusive, false);
      tree.push(c);
    }
  }
  if (!n.relation.inh && tree.length > 1) throw notSupported('ALTER TABLE ONLY of a partitioned table with partitions');
  ex.eng.ensureXid(s);
  for (const x of tree) s.tx!.undo.push(saveTableDef(ex, x));
  for (const c of cmds) {
    for (const x of tree) {
      const col = findColumn(x, c.name);
      if (col && x.partKey?.cols.includes(col.attnum - 1)) throw notSupported('DROP COLUMN of a partition key column');
      if (col && x !== t) { col.inhcount = 1; col.notLocal = true; } // (a partition's column, dropped as inherited)
      if (x === t || col) dropColumn(ex, s, x, c.name, !!c.missing_ok);
    }
  }
  ex.eng.catalog.generation++;
  s.tx!.cidUsed = true;
  return done;
}

function alterOne(ex: Executor, s: Session, t: Table, c: N, work: AlterWork): void {
  switch (c.subtype) {
    case 'AT_AddColumn': return addColumn(ex, s, t, c.def.ColumnDef, !!c.missing_ok, work);
    case 'AT_DropColumn': return dropColumn(ex, s, t, c.name, !!c.missing_ok);
    case 'AT_ColumnDefault': {
      const col = columnOrError(t, c.name);
      if (col.identity) throw new PgError('42601', `column "${col.name}" of relation "${t.name}" is an identity column`);
      if (!c.def) { col.defaultExpr = null; return; }
      const expr = materializeLiterals(c.def);
      checkDefault(ex, s, col, expr);
      col.defaultExpr = expr;
      return;
    }
    case 'AT_SetNotNull': {
      const col = columnOrError(t, c.name);
      if (col.notNull) return;
      col.notNull = true;
      work.tab(t).verifyNotNull = true; // phase 3 reads every row
      return;
    }
    case 'AT_DropNotNull': {
      const col = columnOrError(t, c.name);
      if (col.identity) throw new PgError('42601', `column "${col.name}" of relation "${t.name}" is an identity column`);
      if (t.indexes.some((i) => i.primary && i.columns.includes(col.attnum - 1))) throw new PgError('42P16', `column "${col.name}" is in a primary key`);
      col.notNull = false;
      return;
    }
    case 'AT_AlterColumnType': return alterColumnType(ex, s, t, c, work);
    case 'AT_AddConstraint': return addConstraint(ex, s, t, c.def.Constraint, work);
    case 'AT_DropConstraint': return dropConstraint(ex, s, t, c.name, !!c.missing_ok);
    case 'AT_SetRelOptions': case 'AT_ResetRelOptions': {
      const { options } = applyRelOptions(t.reloptions, (c.def?.List?.items ?? []) as N[], c.subtype === 'AT_ResetRelOptions');
      t.reloptions = options.length ? options : undefined;
      t.heap.fillfactor = fillfactorOf(t.reloptions);
      return;
    }
    case 'AT_ClusterOn': {
      // ATExecClusterOn: check_index_is_clusterable, then mark_index_clustered (the next CLUSTER t without USING)
      const index = t.indexes.find((i) => i.name === c.name);
      if (!index) throw new PgError('42704', `index "${String(c.name)}" for table "${t.name}" does not exist`);
      if (index.am !== 'btree') throw new PgError('0A000', `cannot cluster on index "${index.name}" because access method does not support clustering`);
      if (index.def?.pred) throw new PgError('0A000', `cannot cluster on partial index "${index.name}"`);
      const before = t.clusteredOn;
      t.clusteredOn = index.oid;
      s.tx!.undo.push(() => { if (before === undefined) delete t.clusteredOn; else t.clusteredOn = before; });
      return;
    }
    case 'AT_SetStatistics': columnOrError(t, c.name); return; // the planner keeps no per-column statistics target
    case 'AT_SetStorage': return setStorage(s, t, c.name, String(c.def?.String?.sval ?? ''));
    case 'AT_EnableTrig': case 'AT_DisableTrig': return setTriggersEnabled(ex, s, t, c.name, c.subtype === 'AT_EnableTrig');
    case 'AT_EnableTrigAll': case 'AT_DisableTrigAll': case 'AT_EnableTrigUser': case 'AT_DisableTrigUser':
      return setTriggersEnabled(ex, s, t, null, c.subtype.startsWith('AT_Enable'));
  }
}

/** A copy of a parse tree with every unqualified or table-qualified reference to column `from` renamed. */
function renameColumnRefs(n: unknown, from: string, to: string): unknown {
  if (Array.isArray(n)) return n.map((x) => renameColumnRefs(x, from, to));
  if (!n || typeof n !== 'object') return n;
  const o = n as N;
  if (o.ColumnRef) {
    const f = o.ColumnRef.fields as N[];
    const last = f[f.length - 1];
    if (last?.String?.sval === from) return { ColumnRef: { ...o.ColumnRef, fields: [...f.slice(0, -1), { String: { sval: to } }] } };
    return o;
  }
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, renameColumnRefs(v, from, to)]));
}

/**
 * The table a RENAME names, under AccessExclusiveLock — looked up again once locked, if DDL committed meanwhile
 * (gone: 42P01 / IF EXISTS's notice, then null) — with an xid for the catalog change.
 */
function* renameTarget(ex: Executor, s: Session, n: N): Gen<Table | null> {
  ex.checkReadOnly(s, 'ALTER TABLE');
  const t0 = target(ex, s, n.relation, !!n.missing_ok);
  if (!t0) return null;
  const t = yield* ex.lockTableAgain(s, t0, LockMode.AccessExclusive, () => target(ex, s, n.relation, !!n.missing_ok));
  if (!t) return null;
  ex.eng.ensureXid(s);
  return t;
}

/** ALTER TABLE ... RENAME CONSTRAINT ... TO ... (commands/atconstraints.ts renameConstraint), under AccessExclusiveLock. */
function* renameConstraintStmt(ex: Executor, s: Session, n: N): Gen<QueryResult> {
  const done: QueryResult = { command: 'ALTER TABLE', columns: null, rows: [] };
  const t = yield* renameTarget(ex, s, n);
  if (!t) return done;
  if (t.partKey || t.partOf) throw notSupported('RENAME CONSTRAINT of a partitioned table or partition');
  s.tx!.undo.push(saveTableDef(ex, t));
  renameConstraint(ex, s, t, n.subname, n.newname);
  s.tx!.cidUsed = true;
  return done;
}

/** ALTER TABLE ... RENAME [COLUMN] ... TO ... (RenameStmt on a table). */
export function* renameStmt(ex: Executor, s: Session, n: N): Gen<QueryResult> {
  if (n.renameType === 'OBJECT_TABCONSTRAINT') return yield* renameConstraintStmt(ex, s, n);
  if (n.renameType !== 'OBJECT_TABLE' && n.renameType !== 'OBJECT_COLUMN') throw notSupported(`ALTER ${String(n.renameType).replace('OBJECT_', '')} ... RENAME`);
  if (n.renameType === 'OBJECT_COLUMN' && n.relationType !== 'OBJECT_TABLE') throw notSupported(`renaming columns of a ${String(n.relationType).replace('OBJECT_', '').toLowerCase()}`);
  const done: QueryResult = { command: 'ALTER TABLE', columns: null, rows: [] };
  const t = yield* renameTarget(ex, s, n);
  if (!t) return done;
  const cat = ex.eng.catalog;
  if (n.renameType === 'OBJECT_COLUMN') {
    const col = findColumn(t, n.subname);
    if (!col) throw new PgError('42703', `column "${n.subname}" does not exist`);
    if (findColumn(t, n.newname)) throw new PgError('42701', `column "${n.newname}" of relation "${t.name}" already exists`);
    if (viewsReading(ex, t.name, col.name).length) throw notSupported('renaming a column a view reads');
    // an inheritance tree: an inherited column renamed from the top only, in every descendant (atinherit.ts)
    const tree = renameInherited(ex, t, n.subname, !!n.relation.inh);
    for (const d of tree) yield* ex.lockRelation(s, d, LockMode.AccessExclusive, false);
    const taken = tree.find((d) => findColumn(d, n.newname));
    if (taken) throw new PgError('42701', `column "${n.newname}" of relation "${taken.name}" already exists`);
    for (const tt of [t, ...tree]) {
      const cc = findColumn(tt, n.subname)!;
      s.tx!.undo.push(saveTableDef(ex, tt));
      // CHECK constraints keep their expressions by column name here (PostgreSQL: by attnum): rename inside them
      tt.checks = tt.checks.map((ch) => ({ ...(({ compiled: _c, ...rest }) => rest)(ch), expr: renameColumnRefs(ch.expr, cc.name, n.newname) }));
      cc.name = n.newname;
    }
  } else {
    const newName = n.newname as string;
    if (cat.relationExists(newName, t.temp?.session)) throw new PgError('42P07', `relation "${newName}" already exists`);
    if (viewsReading(ex, t.name, null).length) throw notSupported('renaming a table a view reads');
    if ([...cat.sequences.values()].some((q) => q.ownedBy === t.name)) throw notSupported('renaming a table that owns a sequence');
    const oldName = t.name, oldKey = tableKey(t), oldXmin = t.nameXmin;
    cat.tables.delete(oldKey);
    t.name = newName;
    const newKey = tableKey(t); // a temporary table stays in its session's schema
    cat.tables.set(newKey, t);
    // a new pg_class row version: others find the table by its old name (and not its new one) until COMMIT
    let sh: Shadow | null = null;
    if (!t.temp) {
      const xid = ensureTopXid(ex.eng, s);
      sh = shadowRow(cat, s.name, xid, oldKey, oldName, t);
      stampCreated(cat, s.name, xid, t);
    }
    s.tx!.undo.push(() => {
      cat.tables.delete(newKey); t.name = oldName; cat.tables.set(oldKey, t);
      if (sh) unshadow(cat, sh);
      if (oldXmin === undefined) delete t.nameXmin; else t.nameXmin = oldXmin;
    });
  }
  s.tx!.cidUsed = true;
  return done;
}
