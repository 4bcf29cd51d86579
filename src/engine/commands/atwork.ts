/**
 * ALTER TABLE's three phases: the subcommands sorted into passes, and the one scan or rewrite at the end.
 *
 * PostgreSQL does not run an ALTER TABLE's subcommands in the order written. Phase 1 (ATPrepCmd) checks each in
 * order against the table as it is before the statement — ALTER COLUMN TYPE looks its column up here, so
 * `ADD COLUMN d int, ALTER COLUMN d TYPE numeric` fails: column "d" does not exist — and files it under a pass.
 * Phase 2 runs the passes in this order, each pass's subcommands in the order written:
 *
 *     DROP            DROP COLUMN, DROP CONSTRAINT, DROP NOT NULL, DROP DEFAULT
 *     ALTER_TYPE      ALTER COLUMN TYPE (the column's CHECK constraints parsed again for the new type)
 *     ADD_COL         ADD COLUMN (its PRIMARY KEY / UNIQUE / CHECK / REFERENCES filed under the later passes)
 *     COL_ATTRS       SET NOT NULL
 *     ADD_INDEX       ADD PRIMARY KEY / UNIQUE (the index built now, or by the rewrite when there is one)
 *     ADD_OTHERCONSTR ADD CHECK, ADD FOREIGN KEY, SET DEFAULT
 *     MISC            SET / RESET (storage parameters), SET STATISTICS, VALIDATE CONSTRAINT, ENABLE / DISABLE TRIGGER
 *
 * Phase 2 changes only the catalog and notes what the rows need (AlteredTableInfo). Phase 3 (ATRewriteTables)
 * then reads the table once: a rewrite into a new relfilenode when some subcommand needs one (ALTER COLUMN TYPE
 * that is not binary compatible, ADD COLUMN with a volatile DEFAULT or GENERATED), every new value computed from
 * the old row; otherwise a scan, when SET NOT NULL or a new CHECK must be verified. Each row is checked for the
 * table's NOT NULL columns (23502 "column ... contains null values") and then the new CHECK constraints (23514 "check
 * constraint ... is violated by some row"). So `ALTER COLUMN b SET NOT NULL, ALTER COLUMN b DROP NOT NULL` leaves b
 * NOT NULL (DROP's pass runs first), and altering the type of one column twice in one statement is refused (0A000).
 *
 * Mirrors: src/backend/commands/tablecmds.c (AlterTable, ATController, ATPrepCmd, ATRewriteCatalogs, ATParseTransformCmd's
 * rescheduling, ATRewriteTables, ATRewriteTable; the AT_PASS_* numbers). Simplifications: no AT_PASS_OLD_INDEX /
 * OLD_CONSTR (a retyped column's CHECKs are compiled again at once, its indexes rebuilt by the rewrite); a foreign
 * key is checked when it is added (PostgreSQL: in phase 3, after the rewrite).
 */
import { PgError } from '../errors.js';
import { LockMode } from '../lock/lock.js';
import type { Executor } from '../executor/executor.js';
import type { Session } from '../session/session.js';
import type { Row, Compiled } from '../sql/expr.js';
import type { SqlType, Value } from '../sql/types.js';
import type { Table } from '../catalog/catalog.js';
import type { BtreeIndex } from '../index/btree.js';
import type { N, Gen } from '../executor/util.js';
import { latestRows, rewriteTable, lockNewIndex } from './relfile.js';
import { WalKind } from '../wal/wal.js';
import { markUnlogged } from './unlogged.js';
import { setPersistence } from './atpersistence.js';
import { markLocal } from './tempcmds.js';
import { logAccessExclusiveLock } from '../wal/standby.js';

/** The AT_PASS_* numbers of PostgreSQL 15's tablecmds.c. */
export const enum Pass {
  Drop = 0, AlterType = 1, OldIndex = 2, OldConstr = 3, AddCol = 4, AddConstr = 5, ColAttrs = 6,
  AddIndexConstr = 7, AddIndex = 8, AddOtherConstr = 9, Misc = 10,
}
const NUM_PASSES = 11;

/** The pass ATPrepCmd (and ATParseTransformCmd, for ADD CONSTRAINT) files a subcommand under. */
export function passOf(c: N): Pass {
  switch (c.subtype) {
    case 'AT_DropColumn': case 'AT_DropConstraint': case 'AT_DropNotNull': case 'AT_DropIdentity': case 'AT_DropExpression': return Pass.Drop;
    case 'AT_ColumnDefault': return c.def ? Pass.AddOtherConstr : Pass.Drop;
    case 'AT_AlterColumnType': return Pass.AlterType;
    case 'AT_AddColumn': return Pass.AddCol;
    case 'AT_SetNotNull': case 'AT_AddIdentity': return Pass.ColAttrs;
    case 'AT_SetIdentity': return Pass.Misc; // after ADD IDENTITY (ATPrepCmd)
    case 'AT_AddConstraint': {
      // transformAlterTableStmt turns PRIMARY KEY / UNIQUE into an index (AT_AddIndex); CHECK and FOREIGN KEY stay constraints
      const k = c.def?.Constraint?.contype;
      return k === 'CONSTR_PRIMARY' || k === 'CONSTR_UNIQUE' || k === 'CONSTR_EXCLUSION' ? Pass.AddIndex : Pass.AddOtherConstr;
    }
    default: return Pass.Misc;
  }
}

/** A column's value in the rewritten table (NewColumnValue): from the old row, or — generated — from the new one. */
export interface NewColumnValue { idx: number; fn: (vals: Value[]) => Value; generated: boolean }

/** AlteredTableInfo: what phase 3 must do to one table. */
export interface AlteredTableInfo {
  table: Table;
  rewrite: boolean;
  newvals: NewColumnValue[];
  verifyNotNull: boolean;
  /** CHECK constraints to verify against every row: new ones and those of a retyped column */
  constraints: { name: string; compiled: Compiled }[];
  /** the type each retyped column had before the statement (a second ALTER TYPE of it is refused) */
  oldTypes: Map<number, SqlType>;
  /** changedIndexOids / changedConstraintOids: the indexes and CHECK constraints on a retyped column, in the order
   *  found, each once — dropped and created again (new OIDs) once the ALTER TYPE pass is done */
  changedIndexes: BtreeIndex[];
  changedChecks: Set<string>;
  /** SET LOGGED (true) / SET UNLOGGED (false) that needs a rewrite (commands/atpersistence.ts) */
  toLogged?: boolean;
}

/** The work queue of one ALTER TABLE: its passes, the tables it changes, what phase 1 prepared. */
export class AlterWork {
  readonly passes: N[][] = Array.from({ length: NUM_PASSES }, () => []);
  readonly tabs = new Map<Table, AlteredTableInfo>();
  /** ATPrepAlterColumnType's new type and conversion for the named table's column, worked out before anything changed */
  readonly prepared = new Map<N, { newType: SqlType; conv: Compiled }>();
  private current = -1;
  constructor(readonly top: Table) {}

  tab(t: Table): AlteredTableInfo {
    let tab = this.tabs.get(t);
    if (!tab) {
      tab = { table: t, rewrite: false, newvals: [], verifyNotNull: false, constraints: [], oldTypes: new Map(), changedIndexes: [], changedChecks: new Set() };
      this.tabs.set(t, tab);
    }
    return tab;
  }

  /** File a subcommand under its pass (a later one than the pass running: ATParseTransformCmd's rule). */
  schedule(c: N, pass: Pass = passOf(c)): void {
    if (pass < this.current) throw new Error(`ALTER TABLE scheduling failure: too late for pass ${pass}`);
    this.passes[pass]!.push(c);
  }

  /** Phase 2: every pass in order; a subcommand may file more under later passes as it runs. After the ALTER TYPE
   *  pass, `afterAlterType` (ATPostAlterTypeCleanup) drops and recreates what depended on the retyped columns. */
  *run(exec: (c: N) => Gen<void>, afterAlterType?: () => void): Gen<void> {
    for (let p = 0; p < NUM_PASSES; p++) {
      this.current = p;
      const q = this.passes[p]!;
      for (let i = 0; i < q.length; i++) yield* exec(q[i]!);
      if (p === Pass.AlterType && q.length) afterAlterType?.();
    }
  }
}

/** Phase 3 (ATRewriteTables): each changed table rewritten or scanned once, its rows checked. */
export function rewriteTables(ex: Executor, s: Session, work: AlterWork): void {
  for (const tab of work.tabs.values()) {
    const t = tab.table;
    const notNull = tab.rewrite || tab.verifyNotNull ? t.columns.filter((c) => c.notNull && !c.dropped) : [];
    if (!tab.rewrite && !notNull.length && !tab.constraints.length) continue;
    const row: Row = { vals: [], item: null, blk: 0, off: 0, aggs: null };
    const verify = (vals: Value[]) => {
      for (const c of notNull) {
        if (vals[c.attnum - 1] === null) throw new PgError('23502', `column "${c.name}" of relation "${t.name}" contains null values`);
      }
      row.vals = vals;
      for (const k of tab.constraints) {
        if (k.compiled.fn(row) === false) throw new PgError('23514', `check constraint "${k.name}" of relation "${t.name}" is violated by some row`);
      }
    };
    if (!tab.rewrite) {
      for (const vals of latestRows(ex, s, t)) verify(vals);
      continue;
    }
    if (tab.toLogged !== undefined) setPersistence(ex, s, t, tab.toLogged); // the transient table's persistence
    rewriteTable(ex, s, t, (vals) => {
      const out = vals.slice();
      // every new value from the old row, then the generated columns from the new one
      for (const nv of tab.newvals) if (!nv.generated) out[nv.idx] = nv.fn(vals);
      for (const nv of tab.newvals) if (nv.generated) out[nv.idx] = nv.fn(out);
      return out;
    }, verify);
    // every tuple now carries every column: the missing values are forgotten (RelationClearMissing)
    for (const c of t.columns) c.missing = undefined;
  }
}

/**
 * ATPostAlterTypeCleanup, after the ALTER TYPE pass: every index and CHECK constraint on a retyped column is dropped
 * (its AccessExclusiveLock logged for standbys) and created again from its definition — a new OID, a new
 * pg_constraint row for a PRIMARY KEY / UNIQUE / CHECK — in PostgreSQL's passes: the constraints' indexes, then the
 * plain indexes (AT_PASS_OLD_INDEX), then the CHECK constraints (AT_PASS_OLD_CONSTR). A table to be rewritten gets
 * each index as an empty file (index_create's Storage CREATE; skip_build: phase 3's rewrite builds it into yet another
 * file); otherwise the index keeps its file and entries (TryReuseIndex: a binary-compatible change). A CLUSTER mark
 * moves to the new index.
 *
 *     t (id PRIMARY KEY, v int), t_v ON t (v): ALTER TABLE t ALTER COLUMN v TYPE bigint
 *       t_v  16401 (new OID; file 16401, empty)       t 16402 (the transient heap, +2 for its types)
 *       reindex by OID: t_pkey file 16405, t_v file 16406  (tests/scenarios/ddl/rewrite-oids.spec)
 *
 * Simplifications: the order found is by OID (PostgreSQL's is pg_depend's, the order the dependencies were made);
 * comments on the dropped objects are not carried (the engine keeps none on indexes).
 */
export function postAlterTypeCleanup(ex: Executor, s: Session, work: AlterWork): void {
  const eng = ex.eng;
  const cat = eng.catalog;
  const constraintIndex = (i: BtreeIndex) => i.primary || (i.unique && !cat.standaloneIndexes.has(i.name));
  for (const tab of work.tabs.values()) {
    const t = tab.table;
    if (!tab.changedIndexes.length) continue;
    for (const old of tab.changedIndexes) lockNewIndex(ex, s, old); // the drop's lock
    const ordered = [...tab.changedIndexes.filter(constraintIndex), ...tab.changedIndexes.filter((i) => !constraintIndex(i))];
    for (const old of ordered) {
      const oid = cat.allocOid();
      if (constraintIndex(old)) cat.allocOid(); // its pg_constraint row
      let index: BtreeIndex;
      if (tab.rewrite) {
        index = old.fresh(oid);
        index.relfilenode = oid;
        // its main fork (not logged for an unlogged or temporary table; skip_build: no init fork yet)
        eng.wal.insert(WalKind.StorageCreate, s.tx!.writeXid, 42, t.oid, -1, 0, 0, { node: oid });
      } else {
        index = old.clone(oid); // the old file, its entries and statistics
        index.relfilenode = old.relfilenode ?? old.oid;
        index.stats = old.stats;
      }
      eng.locks.acquire(s.id, { type: 'relation', rel: oid }, LockMode.AccessExclusive, eng.clock.now);
      logAccessExclusiveLock(eng, s, oid);
      if (constraintIndex(old) === false) cat.standaloneIndexes.add(index.name);
      t.indexes = t.indexes.map((i) => (i === old ? index : i));
      if (t.clusteredOn === old.oid) {
        t.clusteredOn = oid;
        s.tx!.undo.push(() => { t.clusteredOn = old.oid; });
      }
    }
    markUnlogged(eng, t);
    markLocal(eng, t);
    tab.changedIndexes = [];
  }
  for (const tab of work.tabs.values()) {
    for (let k = 0; k < tab.changedChecks.size; k++) cat.allocOid(); // each CHECK constraint's new pg_constraint row
    tab.changedChecks.clear();
  }
}
