/**
 * ALTER TABLE ... ADD CONSTRAINT / DROP CONSTRAINT: CHECK, PRIMARY KEY and UNIQUE on an existing table.
 *
 * Adding a constraint checks the rows already there — in ALTER TABLE's last phase (commands/atwork.ts): a CHECK
 * fails with 23514 "check constraint ... is violated by some row" on the first row it rejects (NULL passes, as for
 * new rows; NOT VALID: the old rows are not checked until VALIDATE CONSTRAINT); PRIMARY KEY makes its columns NOT
 * NULL (23502 "... contains null values" at that phase), and, like UNIQUE, builds a unique index over every live
 * version at once — a duplicate fails the build with 23505 "could not create unique index". Names follow
 * ChooseConstraintName: t_pkey, t_col_key, t_col_check (t_check when the CHECK reads several columns). RENAME
 * CONSTRAINT renames a key's index with it; DROP CONSTRAINT ... CASCADE takes the foreign keys using a key along.
 *
 *     ALTER TABLE u ADD CHECK (n > 0);          -- 23514 if some row has n <= 0; else u_n_check
 *     ALTER TABLE u ADD PRIMARY KEY (n);        -- u_pkey, an index built now (OIDs: index, then constraint)
 *
 * Mirrors: src/backend/commands/tablecmds.c (ATExecAddConstraint, ATAddCheckConstraint, ATExecAddIndexConstraint,
 * ATExecDropConstraint, validateCheckConstraint, rename_constraint_internal), catalog/pg_constraint.c
 * (ChooseConstraintName). Simplifications: no exclusion constraints (foreign keys: atforeignkey.ts); constraint names are unique per table (PostgreSQL
 * checks the schema).
 */
import { logIndexInitFork } from './unlogged.js';
import type { Executor } from '../executor/executor.js';
import { PgError, notSupported, posOf } from '../errors.js';
import type { Session } from '../session/session.js';
import { materializeLiterals } from '../sql/parser.js';
import { compileExpr, type Row, type Compiled } from '../sql/expr.js';
import type { AlterWork } from './atwork.js';
import { typeDisplayName } from '../sql/types.js';
import type { Table, ForeignKey } from '../catalog/catalog.js';
import { BtreeIndex } from '../index/btree.js';
import { WalKind } from '../wal/wal.js';
import { N, collectColumnRefs } from '../executor/util.js';
import { applyRelOptions } from '../catalog/reloptions.js';
import { latestRows, buildIndex, refreshIndexColumns, lockNewIndex } from './relfile.js';
import { LockMode } from '../lock/lock.js';
import type { Gen } from '../executor/util.js';
import { addForeignKey, validateForeignKey, dropKeyFamily } from './atforeignkey.js';
import { referencingKeys } from '../ri/ri_triggers.js';
import { chooseIndexColumnNames } from './indexcmds.js';

/** Views and materialized views that read `table` (and, when `column` is given, that column of it), as DROP names them ("view v", "materialized view m"). */
export function viewsReading(ex: Executor, rel: string, column: string | null): string[] {
  const out: { oid: number; label: string }[] = [];
  const reads = (deps: { rel: string; columns: string[] }[]) => deps.some((d) => d.rel === rel && (column === null || d.columns.includes(column)));
  for (const v of ex.eng.catalog.views.values()) if (reads(v.deps)) out.push({ oid: v.oid, label: `view ${v.name}` });
  // materialized views read their tables as views do (commands/matview.ts)
  for (const t of ex.eng.catalog.tables.values()) if (t.matview && reads(t.matview.deps)) out.push({ oid: t.oid, label: `materialized view ${t.name}` });
  return out.sort((a, b) => a.oid - b.oid).map((o) => o.label);
}

function constraintNames(ex: Executor, t: Table): Set<string> {
  return new Set([...t.checks.map((c) => c.name), ...t.indexes.filter((i) => !ex.eng.catalog.standaloneIndexes.has(i.name)).map((i) => i.name),
    ...(t.fkeys ?? []).map((f) => f.name)]);
}

/** ALTER TABLE … ADD [CONSTRAINT name] FOREIGN KEY (commands/atforeignkey.ts). */
export function* addFkConstraint(ex: Executor, s: Session, t: Table, c: N): Gen<void> {
  if (c.conname && constraintNames(ex, t).has(c.conname)) throw new PgError('42710', `constraint "${c.conname}" for relation "${t.name}" already exists`);
  yield* addForeignKey(ex, s, t, c, false, (base) => chooseName(ex, t, base));
}

/** ALTER TABLE … VALIDATE CONSTRAINT: a NOT VALID foreign key (or CHECK: always valid here) checked now. */
export function* validateConstraint(ex: Executor, s: Session, t: Table, name: string): Gen<void> {
  const fk = t.fkeys?.find((f) => f.name === name);
  if (fk) return yield* validateForeignKey(ex, s, t, fk);
  const check = t.checks.find((c) => c.name === name);
  if (check) {
    if (!check.notValid) return;
    const snap = () => ex.eng.snapshotFor(s);
    verifyCheck(ex, s, t, name, compileExpr(check.expr as N, { ...ex.tableScope(t, null, s, snap, ''), hasSystem: false }));
    t.checks = t.checks.map((c) => (c === check ? { ...c, notValid: undefined } : c)); // a new object: ROLLBACK keeps the old
    return;
  }
  if (constraintNames(ex, t).has(name)) {
    throw new PgError('42809', `constraint "${name}" of relation "${t.name}" is not a foreign key or check constraint`);
  }
  throw new PgError('42704', `constraint "${name}" of relation "${t.name}" does not exist`);
}

/** ALTER TABLE … DROP CONSTRAINT of a foreign key: its triggers on the referenced table go too (AccessExclusiveLock there). */
export function* dropFkConstraint(ex: Executor, s: Session, t: Table, name: string): Gen<void> {
  const fk = t.fkeys!.find((f) => f.name === name)!;
  // a clone on a partition (or a child for a referenced partition) goes only with its parent's key
  if (fk.parent !== undefined) throw new PgError('42P16', `cannot drop inherited constraint "${name}" of relation "${t.name}"`);
  if (fk.refOid !== t.oid) yield* ex.eng.acquireLock(s, { type: 'relation', rel: fk.refOid }, LockMode.AccessExclusive);
  // its clones and children, on the partitions of either side: their triggers go, their tables locked too
  for (const o of ex.eng.catalog.tables.values()) {
    for (const f of o.fkeys ?? []) {
      if (f.parent === undefined || f === fk || !descendsFrom(ex, f, fk)) continue;
      if (o !== t) yield* ex.eng.acquireLock(s, { type: 'relation', rel: o.oid }, LockMode.AccessExclusive);
      if (f.refOid !== t.oid) yield* ex.eng.acquireLock(s, { type: 'relation', rel: f.refOid }, LockMode.AccessExclusive);
    }
  }
  dropKeyFamily(ex, s, fk);
}

/** Is `f` a clone or child (at any depth) of `top`? */
function descendsFrom(ex: Executor, f: ForeignKey, top: ForeignKey): boolean {
  const byOid = new Map<number, ForeignKey>();
  for (const o of ex.eng.catalog.tables.values()) for (const x of o.fkeys ?? []) byOid.set(x.oid, x);
  for (let up = f.parent; up !== undefined; up = byOid.get(up)?.parent) if (up === top.oid) return true;
  return false;
}

/** ChooseConstraintName / ChooseRelationName: base, then base1, base2, … until unused. */
function chooseName(ex: Executor, t: Table, base: string): string {
  const used = constraintNames(ex, t);
  let name = base;
  for (let k = 1; used.has(name) || ex.eng.catalog.relationExists(name); k++) name = `${base}${k}`;
  return name;
}

/** ADD CONSTRAINT: with `work` (ALTER TABLE's queue) the rows are verified in its phase 3, else at once. */
export function addConstraint(ex: Executor, s: Session, t: Table, c: N, work?: AlterWork): void {
  // an index-backed constraint is first an index: its name taken by any relation is 42P07 (DefineIndex)
  const indexed = c.contype === 'CONSTR_PRIMARY' || c.contype === 'CONSTR_UNIQUE';
  if (indexed && c.conname && ex.eng.catalog.relationExists(c.conname, t.temp?.session)) throw new PgError('42P07', `relation "${c.conname}" already exists`);
  if (c.conname && constraintNames(ex, t).has(c.conname)) throw new PgError('42710', `constraint "${c.conname}" for relation "${t.name}" already exists`);
  switch (c.contype) {
    case 'CONSTR_CHECK': return addCheck(ex, s, t, c, work);
    case 'CONSTR_PRIMARY': case 'CONSTR_UNIQUE':
      if (c.skip_validation) throw new PgError('0A000', `${c.contype === 'CONSTR_PRIMARY' ? 'primary key' : 'unique'} constraints cannot be marked NOT VALID`);
      return addUnique(ex, s, t, c, work);
    case 'CONSTR_FOREIGN': throw notSupported('foreign keys', posOf(c.location));
    case 'CONSTR_EXCLUSION': throw notSupported('exclusion constraints', posOf(c.location));
    default: throw notSupported(`ALTER TABLE ... ADD ${String(c.contype).replace('CONSTR_', '')} constraint`, posOf(c.location));
  }
}

function addCheck(ex: Executor, s: Session, t: Table, c: N, work?: AlterWork): void {
  if (c.is_no_inherit) throw notSupported('NO INHERIT check constraints', posOf(c.location));
  const expr = materializeLiterals(c.raw_expr);
  const refs = new Set<string>();
  collectColumnRefs(expr, refs);
  const base = c.columnName ? `${t.name}_${c.columnName}_check` : refs.size === 1 ? `${t.name}_${[...refs][0]}_check` : `${t.name}_check`;
  const name = (c.conname as string | undefined) ?? chooseName(ex, t, base);
  const snap = () => ex.eng.snapshotFor(s);
  const compiled = compileExpr(expr as N, { ...ex.tableScope(t, null, s, snap, ''), hasSystem: false });
  if (compiled.type.name !== 'bool') throw new PgError('42804', `argument of CHECK must be type boolean, not type ${typeDisplayName(compiled.type)}`);
  ex.eng.catalog.allocOid(); // the pg_constraint row
  // NOT VALID: the rows already there are not checked (new and updated ones are)
  // (skip_validation with initially_valid: a constraint known to hold — DETACH CONCURRENTLY's: valid, not scanned)
  if (c.skip_validation) { t.checks.push({ name, expr, compiled, ...(c.initially_valid ? {} : { notValid: true }) }); return; }
  if (work) work.tab(t).constraints.push({ name, compiled });
  else verifyCheck(ex, s, t, name, compiled);
  t.checks.push({ name, expr, compiled });
}

/** validateCheckConstraint: every row a fresh snapshot sees must pass (NULL passes). */
function verifyCheck(ex: Executor, s: Session, t: Table, name: string, compiled: Compiled): void {
  const row: Row = { vals: [], item: null, blk: 0, off: 0, aggs: null };
  for (const vals of latestRows(ex, s, t)) {
    row.vals = vals;
    if (compiled.fn(row) === false) throw new PgError('23514', `check constraint "${name}" of relation "${t.name}" is violated by some row`);
  }
}

function addUnique(ex: Executor, s: Session, t: Table, c: N, work?: AlterWork): void {
  const primary = c.contype === 'CONSTR_PRIMARY';
  if (c.indexname) throw notSupported('constraints USING INDEX', posOf(c.location));
  if (c.nulls_not_distinct) throw notSupported('UNIQUE NULLS NOT DISTINCT', posOf(c.location));
  if (c.deferrable) throw notSupported('deferrable unique constraints', posOf(c.location));
  if (primary && t.indexes.some((i) => i.primary)) throw new PgError('42P16', `multiple primary keys for table "${t.name}" are not allowed`);
  const keys = ((c.keys ?? []) as N[]).map((k) => k.String.sval as string);
  const cols = keys.map((k) => {
    const col = t.columns.find((x) => !x.dropped && x.name === k);
    if (!col) throw new PgError('42703', `column "${k}" named in key does not exist`);
    return col;
  });
  if (primary && cols.some((col) => !col.notNull)) {
    // the key columns made NOT NULL (transformIndexConstraint's SET NOT NULL): verified by ALTER TABLE's phase 3
    if (!work) {
      const rows = latestRows(ex, s, t);
      for (const col of cols) {
        if (!col.notNull && rows.some((r) => r[col.attnum - 1] === null)) throw new PgError('23502', `column "${col.name}" of relation "${t.name}" contains null values`);
      }
    } else work.tab(t).verifyNotNull = true;
    for (const col of cols) col.notNull = true;
  }
  const name = (c.conname as string | undefined) ?? chooseName(ex, t, primary ? `${t.name}_pkey` : `${t.name}_${chooseIndexColumnNames([...keys, ...((c.including ?? []) as N[]).map((k) => k.String.sval as string)]).join('_')}_key`);
  if (ex.eng.catalog.relationExists(name)) throw new PgError('42P07', `relation "${name}" already exists`);
  const cat = ex.eng.catalog;
  const include = ((c.including ?? []) as N[]).map((k) => {
    const col = t.columns.find((x) => !x.dropped && x.name === k.String.sval);
    if (!col) throw new PgError('42703', `column "${k.String.sval}" named in key does not exist`);
    return col.attnum - 1;
  });
  const index = new BtreeIndex(cat.allocOid(), name, cols.map((x) => x.attnum - 1), true, primary, include);
  if (c.options?.length) index.reloptions = applyRelOptions(undefined, c.options as N[], false, 'btree').options;
  cat.allocOid(); // its pg_constraint row
  if (t.unlogged) cat.unloggedRels.add(index.oid); // an unlogged table's index is unlogged too
  ex.eng.wal.insert(WalKind.StorageCreate, s.tx!.writeXid, 42, index.oid, -1, 0);
  lockNewIndex(ex, s, index);
  // a table phase 3 rewrites gets the index built there, over the new rows (DefineIndex's skip_build)
  if (!work?.tab(t).rewrite) { buildIndex(ex, s, t, index); logIndexInitFork(ex.eng, s, t, index); }
  t.indexes.push(index);
  refreshIndexColumns(t);
  // index_update_stats, as CREATE INDEX does (an empty never-vacuumed table stays "never vacuumed")
  const before = t.stats;
  ex.updateStats(s, t);
  if (!before && t.stats!.reltuples === 0) t.stats = undefined;
}

export function dropConstraint(ex: Executor, s: Session, t: Table, name: string, missingOk: boolean): void {
  const check = t.checks.find((c) => c.name === name);
  if (check) { t.checks = t.checks.filter((c) => c !== check); return; }
  const index = t.indexes.find((i) => i.name === name && !ex.eng.catalog.standaloneIndexes.has(i.name));
  if (index) {
    const deps = referencingKeys(ex, t).filter((r) => r.fk.refIndex === index.name);
    if (deps.length) {
      throw new PgError('2BP01', `cannot drop constraint ${name} on table ${t.name} because other objects depend on it`, {
        detail: deps.map((r) => `constraint ${r.fk.name} on table ${r.table.name} depends on index ${name}`).join('\n'),
        hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
      });
    }
    t.indexes = t.indexes.filter((i) => i !== index);
    refreshIndexColumns(t);
    return;
  }
  if (missingOk) {
    s.acc.notices.push({ severity: 'NOTICE', sqlstate: '00000', message: `constraint "${name}" of relation "${t.name}" does not exist, skipping` });
    return;
  }
  throw new PgError('42704', `constraint "${name}" of relation "${t.name}" does not exist`);
}

/**
 * RENAME CONSTRAINT (rename_constraint_internal): a CHECK or FOREIGN KEY renamed in pg_constraint (42710 when the
 * table has one of the new name); a PRIMARY KEY or UNIQUE constraint renames its index too (42P07 when a relation
 * has the new name), and the foreign keys that use that index follow.
 */
export function renameConstraint(ex: Executor, s: Session, t: Table, from: string, to: string): void {
  const check = t.checks.find((c) => c.name === from);
  const index = t.indexes.find((i) => i.name === from && !ex.eng.catalog.standaloneIndexes.has(i.name));
  const fk = t.fkeys?.find((f) => f.name === from);
  if (!check && !index && !fk) throw new PgError('42704', `constraint "${from}" for table "${t.name}" does not exist`);
  if (check && ex.eng.catalog.inherits.some((r) => r.rel === t.oid || r.parent === t.oid)) throw notSupported('RENAME CONSTRAINT of a CHECK constraint in an inheritance tree');
  if (fk?.parent !== undefined) throw notSupported('RENAME CONSTRAINT of a foreign key cloned to a partition');
  if (index) {
    if (ex.eng.catalog.relationExists(to, t.temp?.session)) throw new PgError('42P07', `relation "${to}" already exists`);
  } else if (constraintNames(ex, t).has(to)) throw new PgError('42710', `constraint "${to}" for relation "${t.name}" already exists`);
  if (check) t.checks = t.checks.map((c) => (c === check ? { ...c, name: to } : c)); // a new object: ROLLBACK keeps the old
  if (fk) fk.name = to; // saveTableDef copied the foreign keys
  if (index) {
    index.name = to;
    const users = referencingKeys(ex, t).filter((r) => r.fk.refIndex === from);
    for (const r of users) r.fk.refIndex = to;
    s.tx!.undo.push(() => { index.name = from; for (const r of users) r.fk.refIndex = from; });
  }
}

/**
 * DROP CONSTRAINT … CASCADE of a PRIMARY KEY / UNIQUE constraint foreign keys use: those foreign keys go first
 * (NOTICE "drop cascades to constraint … on table …"), each referencing table locked AccessExclusive (its triggers).
 */
export function* dropDependentKeys(ex: Executor, s: Session, t: Table, name: string): Gen<void> {
  const index = t.indexes.find((i) => i.name === name && !ex.eng.catalog.standaloneIndexes.has(i.name));
  if (!index) return;
  const deps = referencingKeys(ex, t).filter((r) => r.fk.refIndex === index.name && r.fk.parent === undefined);
  if (!deps.length) return;
  const lines = deps.map((r) => `drop cascades to constraint ${r.fk.name} on table ${r.table.name}`);
  s.acc.notices.push(lines.length === 1
    ? { severity: 'NOTICE', sqlstate: '00000', message: lines[0]! }
    : { severity: 'NOTICE', sqlstate: '00000', message: `drop cascades to ${lines.length} other objects`, detail: lines.join('\n') });
  for (const r of deps) {
    if (r.table !== t) yield* ex.eng.acquireLock(s, { type: 'relation', rel: r.table.oid }, LockMode.AccessExclusive);
    dropKeyFamily(ex, s, r.fk);
  }
}
