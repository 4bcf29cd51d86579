/**
 * The executor: the dispatcher from a parsed statement to the module that runs it, and the helpers they share.
 * The work itself lives by PostgreSQL's names: the planner's scan choice in optimizer/planner.ts, run by
 * nodeSeqscan.ts / nodeIndexscan.ts / nodeBitmapHeapscan.ts (via scan.ts); joins built by from.ts as
 * optimizer/joinpath.ts chooses, run by nodeHashjoin.ts / nodeMergejoin.ts / nodeNestloop.ts / nodeSubqueryscan.ts
 * (LATERAL); nodeSetOp.ts (UNION, INTERSECT, EXCEPT), nodeCtescan.ts (WITH, subqueries in FROM),
 * nodeWindowAgg.ts, nodeProjectSet.ts; select.ts wiring nodeAgg, nodeSort, nodeUnique, nodeLockRows, nodeLimit,
 * nodeResult, nodeValuesscan, nodeSubplan; nodeModifyTable.ts (INSERT, ON CONFLICT), nodeModifyUpdate.ts (UPDATE,
 * DELETE, their FROM / USING joins),
 * indexinsert.ts (index entries and the unique check), rowlocks.ts (waiting for a row); commands/ for DDL,
 * VACUUM, LOCK and CHECKPOINT.
 *
 * The executor: SELECT, INSERT, UPDATE, DELETE, SELECT ... FOR UPDATE; DDL and utility statements are dispatched
 * to commands/ (tablecmds, altertable, truncate, sequence, view, createas, prepare, vacuum, lockcmds).
 *
 * Reading: a sequential scan walks every page and line pointer in physical order and asks the visibility
 * rules (HeapTupleSatisfiesMVCC) about each version; an equality condition on a unique index's column uses
 * the index instead and follows the HOT chain from the entry. Rows come back in physical order, as a
 * PostgreSQL seq scan returns them, unless ORDER BY says otherwise.
 *
 * Writing: UPDATE/DELETE/FOR UPDATE find their rows with the statement's snapshot, then try to modify each
 * version (HeapTupleSatisfiesUpdate → TM_Result):
 *   TM_Ok            → modify it.
 *   TM_BeingModified → another transaction is changing it: take the heavyweight tuple lock, wait for a
 *                      ShareLock on that transaction's id, then look again.
 *   TM_Updated/Deleted (the other transaction committed) → READ COMMITTED re-checks the newest version
 *                      (EvalPlanQual: lock it, re-evaluate WHERE, modify it if it still matches);
 *                      REPEATABLE READ / SERIALIZABLE fail with 40001.
 *   TM_SelfModified  → changed by this same command already: skip.
 * INSERT checks NOT NULL and CHECK constraints, writes the heap tuple, then inserts into each index; a unique
 * index looks for conflicting keys with the dirty snapshot and waits for an in-progress inserter/deleter.
 *
 * Mirrors: src/backend/executor/nodeModifyTable.c (ExecInsert/ExecUpdate/ExecDelete), execMain.c
 * (EvalPlanQual, ExecConstraints), nodeLockRows.c, nodeSeqscan.c, nodeIndexscan.c, nodeAgg.c, nodeSort.c;
 * commands/tablecmds.c for DDL. SERIALIZABLE reads and writes report to the SSI module (predicate/).
 * Waiting for a row another transaction is changing or has locked is executor/rowlocks.ts.
 * Simplifications: joins are nested loops; subqueries in expressions run per outer row or once; EXPLAIN
 * (commands/explain.ts) prints the plan for single-table queries.
 */

import { drainInplace } from '../lock/lmgr.js';
import { catalogSees } from '../catalog/catalogsnapshot.js';
import { PG15_CATALOG_RELATIONS } from '../catalog/pg15names.js';
import { VOID, advisory, advisoryUnlockAll } from '../lock/advisory.js';
import { ExprWait, replayOr } from './exprwait.js';
import { signalBackend, sleep } from '../tcop/interrupts.js';
import { PgError, notSupported, posOf } from '../errors.js';
import type { Engine } from '../engine.js';
import type { Session, QueryResult } from '../session/session.js';
import { type RawStmt } from '../sql/parser.js';
import {
  compileExpr, castTo, type Compiled, type Scope, type Row, type AggSpec, type ExprEnv,
} from '../sql/expr.js';
import { type SqlType, type Value, T, typeDisplayName } from '../sql/types.js';
import { tempKey, type Table, type Column } from '../catalog/catalog.js';
import { BtreeIndex } from '../index/btree.js';
import { type WaitPolicy } from './rowlocks.js';
import {
  type HeapContext, type TupleLockMode,
} from '../heap/heapam.js';
import { LockMode } from '../lock/lock.js';
import { setRegclassLookup } from '../catalog/regclass.js';
import { setRegprocLookup } from '../catalog/regproc.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import { formatSnapshot } from '../snapshot/snapshot.js';
import {
  N, Gen, Source, Candidate, firstLocation,
} from './util.js';
import { scan, pageVisitor } from './scan.js';
import type { ScanInstr, QueryInstr } from './instrument.js';
import type { ScanOptions, ScanPath } from '../optimizer/planner.js';
import { source, joinSource, type JoinContext } from './from.js';
import { selectStmt, query } from './select.js';
import { prepareSubquery } from './nodeSubplan.js';
import { groupColumn, aggregate } from './nodeAgg.js';
import { constInt } from './nodeLimit.js';
import { valuesQuery } from './nodeValuesscan.js';
import { lockRowForSelect } from './nodeLockRows.js';
import { insertStmt, findConflict, prepareOnConflict, compileReturning, dmlResult, defaultMaker, assign, checkConstraints } from './nodeModifyTable.js';
import { updateStmt, deleteStmt } from './nodeModifyUpdate.js';
import { conjunctList, orderQuals, qualCost } from '../optimizer/qualorder.js';
import { mergeStmt } from './nodeMerge.js';
import { indexInsert, uniqueCheck, indexAdd, indexInsertAll, indexInsertRest } from './indexinsert.js';
import { createTable, dropStmt } from '../commands/tablecmds.js';
import { createIndex, dropIndex } from '../commands/defineindex.js';
import { reindexStmt } from '../commands/reindex.js';
import { setConfig } from '../commands/variable.js';
import { vacuumStmt, updateStats, vacuumTable } from '../commands/vacuum.js';
import type { VacuumParams } from '../vacuum/vacuumlazy.js';
import { lockStmt, checkpoint } from '../commands/lockcmds.js';
import { alterTableStmt, renameStmt } from '../commands/altertable.js';
import { rewriteViewTarget } from '../commands/viewupdate.js';
import { createSequence, alterSequence, dropSequence } from '../commands/sequence.js';
import { createView, dropView } from '../commands/view.js';
import { createTableAs } from '../commands/createas.js';
import { discardStmt } from '../commands/tempcmds.js';
import { truncateStmt } from '../commands/truncate.js';
import { prepareStmt, executeStmt, deallocateStmt } from '../commands/prepare.js';
import { explainStmt } from '../commands/explain.js';
import { createExtension, dropExtension } from '../commands/extension.js';
import '../contrib/index.js';
import type { QResult } from './nodeSetOp.js';
import { withModify } from './nodeCtescan.js';
import { asQuery, fireDeferred } from '../ri/ri_triggers.js';
import { setConstraints } from '../ri/aftertriggers.js';
import { callStmt, createFunction, dropFunction, doStmt } from '../commands/functioncmds.js';
import { createTrigger, dropTrigger } from '../commands/trigger.js';
import { resolveUserFunction, compileUserCall, functionSchema } from '../pl/fmgr.js';
import { exportSnapshot } from '../snapshot/snapmgr.js';
import { commentStmt } from '../commands/comment.js';
import { createRole, dropRole, privilegedStatement } from '../commands/user.js';
import { grantStmt } from '../commands/grant.js';
import { clusterStmt } from '../commands/cluster.js';
import { createSchema, dropSchema } from '../commands/schemacmds.js';
import { createEnum, alterEnum, dropType, createDomain, dropDomain, setEnumLookup, createComposite } from '../commands/typecmds.js';
import { performCursorOpen, performPortalClose, performPortalFetch, currentOf, checkTableNotInUse } from '../commands/portalcmds.js';
import { asyncNotify, asyncStatement, notificationQueueUsage } from '../commands/async.js';
import { refreshMatView, checkMatviewQuery } from '../commands/matview.js';
import { usesXactSnapshot } from '../xact/xact.js';

export class Executor {
  /** set by EXPLAIN ANALYZE for the statement it runs: the first scan / the top-level SELECT fill it in */
  scanInstr: ScanInstr | null = null;
  queryInstr: QueryInstr | null = null;
  /** set by EXPLAIN ANALYZE: the RI trigger calls of the query at this AFTER-trigger level, by trigger name */
  triggerInstr: { level: number; calls: Map<string, { constraint: string; calls: number }> } | null = null;

  constructor(readonly eng: Engine) {}

  /** Run one statement; the AFTER trigger events (foreign keys) it queued fire when it ends (ri/aftertriggers.ts). */
  *run(s: Session, type: string, node: N, raw: RawStmt): Gen<QueryResult> {
    s.inplacePending.clear();
    return yield* asQuery(this, s, () => this.runThenInplace(s, type, node, raw));
  }

  /** The statement, then its inplace updates of pg_class rows waiting for those rows' updaters (lock/lmgr.ts). */
  private *runThenInplace(s: Session, type: string, node: N, raw: RawStmt): Gen<QueryResult> {
    const r = yield* this.runStatement(s, type, node, raw);
    yield* drainInplace(this, s);
    return r;
  }

  private *runStatement(s: Session, type: string, node: N, raw: RawStmt): Gen<QueryResult> {
    privilegedStatement(this.eng, s, type); // a role without SUPERUSER: only statements whose checks are modelled
    checkTableNotInUse(this, s, type, node); // an open cursor of this session reads the table (55006)
    setEnumLookup(this.eng.catalog, this, s); // enum input and output read this catalog's pg_enum rows (adt/enum.ts)
    // PortalRunUtility: a utility statement runs with an active snapshot (PlannedStmtRequiresSnapshot) — under
    // REPEATABLE READ / SERIALIZABLE the transaction's, taken now, before the statement waits for any lock
    if (s.tx && utilityTakesSnapshot(type, node) && usesXactSnapshot(s.tx.isolation)) this.eng.snapshotFor(s);
    switch (type) {
      case 'SelectStmt':
        if (node.intoClause) return yield* createTableAs(this, s, { ...node, intoClause: undefined }, node.intoClause, false, raw);
        return yield* this.selectStmt(s, node, raw);
      case 'CreateTableAsStmt':
        if (node.objtype === 'OBJECT_MATVIEW') { // CREATE MATERIALIZED VIEW (commands/matview.ts)
          checkMatviewQuery(this, node.query.SelectStmt ?? node.query);
          return yield* createTableAs(this, s, node.query.SelectStmt ?? node.query, node.into, !!node.if_not_exists, raw, true);
        }
        if (node.objtype !== 'OBJECT_TABLE') throw notSupported(`CREATE ${String(node.objtype).replace('OBJECT_', '')} AS`);
        return yield* createTableAs(this, s, node.query.SelectStmt ?? node.query, node.into, !!node.if_not_exists, raw);
      case 'RefreshMatViewStmt': return yield* refreshMatView(this, s, node);
      case 'InsertStmt': case 'UpdateStmt': case 'DeleteStmt':
        // a simple view as the target: the command on its table instead (commands/viewupdate.ts), again for a view on a view
        for (let r = rewriteViewTarget(this.eng.catalog, type, node); r; r = rewriteViewTarget(this.eng.catalog, type, node)) node = r;
        if (type !== 'InsertStmt') node = currentOf(this, s, node); // WHERE CURRENT OF cursor: the tuple it is on
        if (node.withClause) return yield* withModify(this, s, type, node, raw);
        return yield* (type === 'InsertStmt' ? this.insertStmt(s, node, raw) : type === 'UpdateStmt' ? this.updateStmt(s, node, raw) : this.deleteStmt(s, node, raw));
      case 'MergeStmt':
        if (node.withClause) return yield* withModify(this, s, type, node, raw);
        return yield* mergeStmt(this, s, node, raw);
      case 'CreateStmt': return yield* this.createTable(s, node);
      case 'DropStmt':
        if (node.removeType === 'OBJECT_SEQUENCE') return yield* dropSequence(this, s, node);
        if (node.removeType === 'OBJECT_VIEW') return yield* dropView(this, s, node);
        if (node.removeType === 'OBJECT_FUNCTION' || node.removeType === 'OBJECT_PROCEDURE') return yield* dropFunction(this, s, node);
        if (node.removeType === 'OBJECT_TRIGGER') return yield* dropTrigger(this, s, node);
        if (node.removeType === 'OBJECT_EXTENSION') return dropExtension(this, s, node);
        if (node.removeType === 'OBJECT_SCHEMA') return yield* dropSchema(this, s, node);
        if (node.removeType === 'OBJECT_TYPE') return dropType(this, s, node);
        if (node.removeType === 'OBJECT_DOMAIN') return dropDomain(this, s, node);
        return yield* this.dropStmt(s, node);
      case 'LockStmt': return yield* this.lockStmt(s, node);
      case 'ReindexStmt': return yield* reindexStmt(this, s, node);
      case 'CheckPointStmt': return this.checkpoint(s);
      case 'VacuumStmt': return yield* this.vacuumStmt(s, node);
      case 'ExplainStmt': return yield* explainStmt(this, s, node, raw);
      case 'TruncateStmt': return yield* truncateStmt(this, s, node);
      case 'DiscardStmt': return discardStmt(this.eng, s, node);
      case 'CommentStmt': return commentStmt(this, s, node);
      case 'IndexStmt': return yield* this.createIndex(s, node);
      case 'AlterTableStmt': return yield* alterTableStmt(this, s, node);
      case 'RenameStmt': return yield* renameStmt(this, s, node);
      case 'CreateSeqStmt': return yield* createSequence(this, s, node);
      case 'AlterSeqStmt': return yield* alterSequence(this, s, node);
      case 'ViewStmt': return yield* createView(this, s, node, raw.text);
      case 'CreateExtensionStmt': return createExtension(this, s, node);
      case 'CopyStmt': throw notSupported('COPY');
      case 'PrepareStmt': return yield* prepareStmt(this, s, node, raw);
      case 'ExecuteStmt': return yield* executeStmt(this, s, node, raw);
      case 'DeallocateStmt': return deallocateStmt(s, node);
      case 'ConstraintsSetStmt': {
        const r = setConstraints(s, node, this.eng.catalog.tables.values());
        yield* fireDeferred(this, s, false); // those now IMMEDIATE fire at once
        return r;
      }
      case 'DoStmt': return yield* doStmt(this, s, node);
      case 'CallStmt': return yield* callStmt(this, s, node);
      case 'CreateFunctionStmt': return yield* createFunction(this, s, node, raw.text);
      case 'CreateTrigStmt': return yield* createTrigger(this, s, node, raw.text);
      case 'CreateSchemaStmt': return createSchema(this, s, node);
      case 'CreateEnumStmt': return createEnum(this, s, node);
      case 'AlterEnumStmt': return alterEnum(this, s, node);
      case 'CompositeTypeStmt': return createComposite(this, s, node);
      case 'CreateDomainStmt': return createDomain(this, s, node);
      case 'AlterDomainStmt': throw notSupported('ALTER DOMAIN');
      case 'CreateRangeStmt': throw notSupported('range types (CREATE TYPE ... AS RANGE)');
      case 'CreateRoleStmt': return createRole(this.eng, s, node);
      case 'DropRoleStmt': return dropRole(this.eng, s, node);
      case 'GrantStmt': return grantStmt(this, s, node);
      case 'ClusterStmt': return yield* clusterStmt(this, s, node);
      case 'DeclareCursorStmt': return yield* performCursorOpen(this, s, node, raw);
      case 'FetchStmt': return yield* performPortalFetch(this, s, node);
      case 'ClosePortalStmt': return performPortalClose(s, node);
      case 'NotifyStmt': case 'ListenStmt': case 'UnlistenStmt': return asyncStatement(this.eng, s, type, node);
      default: throw notSupported(`the statement ${type.replace(/Stmt$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase()}`);
    }
  }

  // ------------------------------------------------------------------ helpers

  /**
   * The environment expressions of session `s` run in, reading snapshots through `snapshot`. One per session and
   * snapshot function (a statement asks for several: its scopes, constant folding's): its members read the session
   * at call time, but for the parameter and PL/pgSQL name lists, taken as they are — a new list is a new environment.
   */
  env(s: Session, snapshot: () => Snapshot): ExprEnv {
    const eng = this.eng;
    setRegclassLookup(eng.catalog);
    setRegprocLookup(eng.catalog);
    setEnumLookup(eng.catalog, this, s);
    let bySnap = this.envs.get(s);
    if (!bySnap) { bySnap = new WeakMap(); this.envs.set(s, bySnap); }
    const kept = bySnap.get(snapshot);
    if (kept && kept.params === s.params && kept.pl === s.plNames) return kept.env;
    const env = this.newEnv(s, snapshot);
    bySnap.set(snapshot, { params: s.params, pl: s.plNames, env });
    return env;
  }
  private envs = new WeakMap<Session, WeakMap<() => Snapshot, { params: Session['params']; pl: Session['plNames']; env: ExprEnv }>>();

  private newEnv(s: Session, snapshot: () => Snapshot): ExprEnv {
    const eng = this.eng;
    return {
      txidCurrent: (assign) => (assign ? eng.ensureTopXid(s) : s.tx?.xid || null),
      // side effects replayed, not repeated, when the row is evaluated again after a wait (executor/exprwait.ts)
      nextval: (name) => replayOr(s, () => eng.nextval(s, name)) as number | bigint,
      currval: (name) => eng.currval(s, name),
      lastval: () => eng.lastval(s),
      setval: (name, v, called) => replayOr(s, () => eng.setval(s, name, v, called)) as number | bigint,
      subquery: (select, outer, opts) => this.prepareSubquery(s, select, outer, snapshot, opts),
      currentSnapshot: () => formatSnapshot(snapshot()),
      exportSnapshot: () => replayOr(s, () => exportSnapshot(s, snapshot())) as string,
      xactStatus: (xid) => eng.xactStatus(xid),
      currentSetting: (name, missingOk) => eng.currentSetting(s, name, missingOk),
      setConfig: (name, value, isLocal) => setConfig(eng, s, name, value, isLocal),
      params: s.params,
      pl: s.plNames,
      userFunction: (name, args, pos, names, scope, variadic, schema) => {
        const f = resolveUserFunction(eng.catalog, name, args.map((a) => a.type), pos, false, names, variadic, functionSchema(s, schema));
        return f ? compileUserCall(this, s, f, args, pos, names, scope, variadic) : null;
      },
      timestamps: () => ({ xact: s.xactStartAt, stmt: s.stmtStartAt, clock: eng.clock.now }),
      hasExtension: (name) => eng.catalog.extensions.has(name),
      contrib: () => ({ eng, session: s }),
      forceNextStatsFlush: () => { s.pgstat.forceNext = true; },
      advisory: (c) => replayOr(s, () => advisory(eng, s, c)),
      advisoryUnlockAll: () => advisoryUnlockAll(eng, s),
      sleep: (secs) => replayOr(s, () => {
        const ms = Math.round(secs * 1e6) / 1e3;
        if (ms > 0) throw new ExprWait('pg_sleep()', VOID, () => sleep(eng, s, ms));
        return VOID;
      }),
      signalBackend: (pid, kind) => replayOr(s, () => signalBackend(eng, s, pid, kind)) as boolean,
      backendPid: () => s.pid,
      notify: (channel, payload) => asyncNotify(eng, s, channel, payload),
      listeningChannels: () => s.async.channels.slice(),
      notificationQueueUsage: () => notificationQueueUsage(eng),
      myTempSchema: () => s.tempNamespace,
    };
  }

  heapCtx(s: Session): HeapContext {
    const eng = this.eng;
    const tx = s.tx!;
    return {
      wal: eng.wal, tx, tracer: eng.tracer, session: s.name,
      xmax: {
        multis: eng.multis,
        isCurrent: (x) => x !== 0 && (x === tx.xid || (tx.subXidSet?.has(x) ?? false)),
        isInProgress: (x) => eng.xacts.isInProgress(x),
        didCommit: (x) => eng.xacts.clog.didCommit(x),
        createMulti: (members) => eng.createMulti(tx.writeXid, members),
      },
      toast: {
        allocOid: () => eng.catalog.allocOid(),
        indexInsert: (toast, vals, blk, off) => indexAdd(this, s, toast, toast.indexes[0]!, vals, blk, off),
        // toast_save_datum / toast_delete_datum: table_open(toastrel, RowExclusiveLock) and its index, to the end of
        // the transaction; only DDL on the TOAST table itself (not modelled) could make it wait
        lock: (toast) => {
          for (const rel of [toast.oid, toast.indexes[0]!.oid]) {
            if (eng.locks.acquire(s.id, { type: 'relation', rel }, LockMode.RowExclusive, eng.clock.now, { wait: false }) !== 'granted') {
              throw notSupported('waiting for a lock on a TOAST table');
            }
          }
        },
      },
    };
  }

  table(rv: N): Table {
    if (rv.schemaname === 'pg_toast' && !rv.catalogname) {
      const r = this.eng.catalog.toastRel(rv.relname);
      if (r && !r.index) return r.table;
      if (!r) throw new PgError('42P01', `relation "pg_toast.${rv.relname}" does not exist`, { position: posOf(rv.location) });
    }
    if (rv.schemaname && /^pg_(catalog|toast)$/.test(rv.schemaname)) throw notSupported(`tables of the schema ${rv.schemaname}`, posOf(rv.location));
    if (rv.catalogname) throw notSupported('cross-database references', posOf(rv.location));
    const cat = this.eng.catalog;
    // no schema: pg_temp first, then search_path's schemas; public.t, s.t or pg_temp.t: that schema only (a schema
    // that does not exist has no relation: 42P01 below)
    const t = rv.schemaname && rv.schemaname !== 'pg_temp' ? cat.getIn(rv.schemaname, rv.relname)
      : rv.schemaname === 'pg_temp' ? (cat.current !== null ? cat.tables.get(tempKey(cat.current, rv.relname)) : undefined)
        : cat.get(rv.relname);
    // a system catalog or view PostgreSQL 15 has (pg_index, pg_stat_statements' neighbours ...) and the simulator does not
    if (!t && !rv.schemaname && PG15_CATALOG_RELATIONS.has(rv.relname)) throw notSupported(`the system catalog ${rv.relname} in this statement (SELECT reads pg_class, pg_attribute, pg_constraint, pg_index, pg_proc, pg_type, pg_stats, pg_inherits, pg_database, pg_tables, pg_indexes, pg_sequences, pg_settings, pg_locks, the pg_stat views and information_schema.columns)`, posOf(rv.location));
    // a view reached here is the target of INSERT / UPDATE / DELETE / MERGE / TRUNCATE / LOCK (a SELECT expands it first)
    if (!t && (!rv.schemaname || rv.schemaname === 'public') && cat.view(rv.relname)) throw notSupported(`writing through the view "${rv.relname}" (automatically updatable views, INSTEAD OF triggers)`, posOf(rv.location));
    if (!t) throw new PgError('42P01', `relation "${rv.schemaname ? `${rv.schemaname}.` : ''}${rv.relname}" does not exist`, { position: posOf(rv.location) });
    return t;
  }

  /**
   * Lock a table and (`indexes`) its indexes in the given mode for the rest of the transaction: the planner opens
   * every index of a table it plans a scan or an UPDATE / DELETE of with the table's lock (get_relation_info). An
   * INSERT plans no scan of its target: the executor's RowExclusiveLock on the indexes it inserts into is released
   * when it closes them (ExecCloseIndices), so none stays — see insertLocksIndexes.
   */
  /**
   * RangeVarGetRelidExtended for a statement's target: look the name up, lock the table, and — when the wait let DDL
   * commit or roll back meanwhile (the invalidation messages AcceptInvalidationMessages takes) — look it up again:
   * the same table, or another one under that name now (dropped and created again: lock that one instead), or none
   * (42P01). See catalog/catalogsnapshot.ts.
   */
  *lockedTable(s: Session, rv: N, mode: LockMode, indexes = true): Gen<Table> {
    for (let t = this.table(rv); ;) {
      const generation = this.eng.catalog.generation;
      yield* this.lockRelation(s, t, mode, indexes);
      if (this.eng.catalog.generation === generation) return t;
      const again = this.table(rv);
      if (again === t) return t;
      t = again;
    }
  }

  /**
   * The same retry for a utility command that found its table itself (`lookup`: the name looked up again): lock
   * `t`; if DDL committed while it waited, the table under the name now — `t`, another one (locked in turn), or
   * null when the name is gone (the caller reports it as its command does).
   */
  *lockTableAgain(s: Session, t: Table, mode: LockMode, lookup: () => Table | null | undefined, reason = ''): Gen<Table | null> {
    for (;;) {
      const generation = this.eng.catalog.generation;
      yield* this.eng.acquireLock(s, { type: 'relation', rel: t.oid }, mode, null, reason);
      if (this.eng.catalog.generation === generation) return t;
      const again = lookup();
      if (again === t) return t;
      if (!again) return null;
      t = again;
    }
  }

  *lockRelation(s: Session, t: Table, mode: LockMode, indexes = true): Gen<void> {
    yield* this.eng.acquireLock(s, { type: 'relation', rel: t.oid }, mode);
    // a partitioned table's indexes have no storage: the executor opens (and locks) only its partitions'
    // (ExecOpenIndices); and not an index another session's CREATE INDEX has not committed (the relcache leaves it out)
    if (indexes && !t.partKey) for (const i of t.indexes) if (catalogSees(this.eng.catalog, i.nameXmin)) yield* this.eng.acquireLock(s, { type: 'relation', rel: i.oid }, mode);
  }

  checkReadOnly(s: Session, what: string) {
    if (s.tx!.readOnly) throw new PgError('25006', `cannot execute ${what} in a read-only transaction`);
  }

  tableScope(t: Table, alias: string | null, s: Session, snap: () => Snapshot, sql: string): Scope {
    return {
      relName: t.name, alias, relOid: t.oid,
      columns: t.columns.map((c) => (c.dropped ? { name: c.name, type: c.type, dropped: true } : { name: c.name, type: c.type })), hasSystem: true,
      env: this.env(s, snap), sql,
    };
  }

  /** Recognise `col = constant` (top-level AND) on a single-column unique index. */

  compileWhere(n: N | undefined, scope: Scope): Compiled | null {
    if (!n) return null;
    const w = compileExpr(n, scope); // as written: parse analysis reports errors in the written order
    if (w.type.name === 'bool') return w.isConst ? w : inCostOrder(this, n, w, scope);
    if (w.type.name === 'unknown') return castTo(w, T.bool, false);
    throw new PgError('42804', `argument of WHERE must be type boolean, not type ${typeDisplayName(w.type)}`, { position: posOf(firstLocation(n)) });
  }

  // ------------------------------------------------------------------ SELECT

  /** Run a SELECT (or VALUES) and return its rows as values. */


  // ---- executor/scan.ts
  scan(s: Session, t: Table, snap: Snapshot, where: Compiled | null, whereNode: N | undefined, scope: Scope, opts: ScanOptions | ScanPath = {},
    instr?: ScanInstr): Candidate[] {
    return scan(this, s, t, snap, where, whereNode, scope, opts, instr);
  }
  pageVisitor(s: Session, t: Table): (blk: number) => void { return pageVisitor(this, s, t); }

  // ---- executor/from.ts
  source(s: Session, from: N[] | undefined, snap: () => Snapshot, sql: string, pre?: Map<N, QResult>, ctx?: JoinContext): Source {
    return source(this, s, from, snap, sql, pre, ctx);
  }
  joinSource(s: Session, from: N[], snap: () => Snapshot, sql: string, pre?: Map<N, QResult>): Source { return joinSource(this, s, from, snap, sql, pre); }

  // ---- executor/select.ts, nodeSubplan.ts, nodeAgg.ts, nodeLimit.ts, nodeValuesscan.ts, nodeLockRows.ts
  *selectStmt(s: Session, n: N, raw: RawStmt): Gen<QueryResult> { return yield* selectStmt(this, s, n, raw); }
  prepareSubquery(s: Session, select: N, outer: Scope, snapshot: () => Snapshot, opts?: { exists?: boolean }) {
    return prepareSubquery(this, s, select, outer, snapshot, opts);
  }
  *query(s: Session, n: N, sql: string, topLevel: boolean, sub?: { outer: NonNullable<Scope['outer']>; snapshot: () => Snapshot }, keepUnknown = false) {
    return yield* query(this, s, n, sql, topLevel, sub, keepUnknown);
  }
  groupColumn(g: N, targetList: N[] | undefined, scope: Scope): number | { expr: N } { return groupColumn(this, g, targetList, scope); }
  aggregate(rows: Row[], aggs: AggSpec[], groupCols: Set<number>, hasGroup: boolean, having: Compiled | null, removed?: { groupsRemoved: number }): Row[] {
    return aggregate(this, rows, aggs, groupCols, hasGroup, having, removed);
  }
  constInt(node: N, scope: Scope, what: string): number | null { return constInt(this, node, scope, what); }
  valuesQuery(s: Session, n: N, sql: string, snap: () => Snapshot, outer?: Scope['outer']): { names: string[]; types: SqlType[]; rows: Value[][] } {
    return valuesQuery(this, s, n, sql, snap, outer);
  }
  *lockRowForSelect(s: Session, t: Table, c: Candidate, mode: TupleLockMode, policy: WaitPolicy, where: Compiled | null): Gen<Candidate | null> {
    return yield* lockRowForSelect(this, s, t, c, mode, policy, where);
  }

  // ---- executor/nodeModifyTable.ts
  *insertStmt(s: Session, n: N, raw: RawStmt): Gen<QueryResult> { return yield* insertStmt(this, s, n, raw); }
  findConflict(s: Session, t: Table, arbiters: BtreeIndex[], vals: Value[]): { blk: number; off: number; xwait: number } | null {
    return findConflict(this, s, t, arbiters, vals);
  }
  prepareOnConflict(s: Session, t: Table, n: N, snap: () => Snapshot, sql: string) { return prepareOnConflict(this, s, t, n, snap, sql); }
  compileReturning(list: N[], scope: Scope): { fns: ((r: Row) => Value)[]; names: string[]; types: SqlType[] } { return compileReturning(this, list, scope); }
  dmlResult(tag: string, ret: { names: string[]; types: SqlType[] } | null, rows: Value[][]): QueryResult { return dmlResult(this, tag, ret, rows); }
  defaultMaker(t: Table, s: Session, snap: () => Snapshot): (provided: ReadonlySet<number> | null) => Value[] { return defaultMaker(this, t, s, snap); }
  assign(c: Compiled, col: Column, location: number | undefined): Compiled { return assign(this, c, col, location); }
  checkConstraints(s: Session, t: Table, vals: Value[], snap: () => Snapshot) { return checkConstraints(this, s, t, vals, snap); }
  *updateStmt(s: Session, n: N, raw: RawStmt): Gen<QueryResult> { return yield* updateStmt(this, s, n, raw); }
  *deleteStmt(s: Session, n: N, raw: RawStmt): Gen<QueryResult> { return yield* deleteStmt(this, s, n, raw); }

  // ---- executor/indexinsert.ts
  *indexInsert(s: Session, t: Table, index: BtreeIndex, vals: Value[], blk: number, off: number): Gen<void> {
    return yield* indexInsert(this, s, t, index, vals, blk, off);
  }
  uniqueCheck(s: Session, t: Table, index: BtreeIndex, vals: Value[], blk: number, off: number, keyKept = false): number {
    return uniqueCheck(this, s, t, index, vals, blk, off, keyKept);
  }
  indexAdd(s: Session, t: Table, index: BtreeIndex, vals: Value[], blk: number, off: number): void { return indexAdd(this, s, t, index, vals, blk, off); }
  indexInsertAll(s: Session, t: Table, vals: Value[], blk: number, off: number, oldVals?: Value[], updated?: ReadonlySet<number>): number {
    return indexInsertAll(this, s, t, vals, blk, off, oldVals, updated);
  }
  *indexInsertRest(s: Session, t: Table, from: number, vals: Value[], blk: number, off: number, updated?: ReadonlySet<number>): Gen<void> {
    return yield* indexInsertRest(this, s, t, from, vals, blk, off, updated);
  }

  // ---- commands/tablecmds.ts
  *createTable(s: Session, n: N): Gen<QueryResult> { return yield* createTable(this, s, n); }
  *dropStmt(s: Session, n: N): Gen<QueryResult> { return yield* dropStmt(this, s, n); }
  *createIndex(s: Session, n: N): Gen<QueryResult> { return yield* createIndex(this, s, n); }
  *dropIndex(s: Session, n: N): Gen<QueryResult> { return yield* dropIndex(this, s, n); }

  // ---- commands/vacuum.ts
  *vacuumStmt(s: Session, n: N): Gen<QueryResult> { return yield* vacuumStmt(this, s, n); }
  updateStats(s: Session, t: Table, analyze = false) { return updateStats(this, s, t, analyze); }
  vacuumTable(s: Session, t: Table, p?: VacuumParams) { return vacuumTable(this, s, t, p); }

  // ---- commands/lockcmds.ts
  *lockStmt(s: Session, n: N): Gen<QueryResult> { return yield* lockStmt(this, s, n); }
  checkpoint(s: Session): QueryResult { return checkpoint(this, s); }
}

/**
 * A WHERE clause's AND-ed conditions tested cheapest first (optimizer/qualorder.ts, PostgreSQL's
 * order_qual_clauses): the first false one decides, so a cheap guard protects a costly or failing condition
 * written before it.
 */
function inCostOrder(ex: Executor, n: N, w: Compiled, scope: Scope): Compiled {
  const conj = conjunctList(n);
  if (conj.length < 2) return w;
  const isUser = (name: string) => ex.eng.catalog.functions.has(name);
  const ordered = orderQuals(conj, (q) => qualCost(q, isUser));
  const fns = ordered.map((q) => compileExpr(q, scope).fn);
  // ExecQual: the first condition that is false or NULL rejects the row, and the rest are not evaluated (unlike
  // an AND inside an expression, where NULL AND false must still look at the false)
  return {
    ...w,
    fn: (row) => {
      for (const f of fns) {
        const v = f(row);
        if (v !== true) return v === false ? false : null;
      }
      return true;
    },
  };
}

/**
 * PlannedStmtRequiresSnapshot for the statements runStatement dispatches: every utility statement but LOCK,
 * SET CONSTRAINTS and the efficiency exceptions (FETCH, LISTEN / NOTIFY / UNLISTEN, CHECKPOINT); the planned
 * statements (SELECT, INSERT, UPDATE, DELETE, MERGE) take theirs themselves, around their relation locks, and
 * VACUUM (never in a transaction block) is left out. Transaction control, SET and SHOW never get here.
 */
const NO_SNAPSHOT = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt', 'LockStmt', 'ConstraintsSetStmt',
  'FetchStmt', 'ListenStmt', 'NotifyStmt', 'UnlistenStmt', 'CheckPointStmt']);
function utilityTakesSnapshot(type: string, node: N): boolean {
  if (NO_SNAPSHOT.has(type)) return false;
  if (type === 'VacuumStmt') return node.is_vacuumcmd === false; // ANALYZE may run in a transaction block
  return true;
}
