/**
 * FOREIGN KEY constraints: defining one (CREATE TABLE … REFERENCES, ALTER TABLE … ADD FOREIGN KEY), checking the
 * rows already there, VALIDATE CONSTRAINT, and what a foreign key forbids DROP and TRUNCATE to do.
 *
 * Adding a foreign key locks both tables in ShareRowExclusiveLock (writers of either wait; readers do not), finds
 * the unique index on the referenced columns it will rely on (the primary key when no columns are named: 42830
 * if there is none), and — unless the table is new or the constraint is NOT VALID — checks every existing row
 * at once (RI_Initial_Check: a left join looking for a referencing key with no referenced row, with the latest
 * snapshot). The first orphan fails it with the same 23503 an INSERT would get. The enforcement itself is done
 * by triggers (ri/ri_triggers.ts).
 *
 *     ALTER TABLE orders ADD FOREIGN KEY (product) REFERENCES products;           -- orders_product_fkey
 *     ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (product) REFERENCES products (id) NOT VALID;
 *     ALTER TABLE orders VALIDATE CONSTRAINT fk;   -- ShareUpdateExclusiveLock only: writers go on meanwhile
 *
 * NOT VALID skips the check of the old rows only: new and changed rows are checked from the start. VALIDATE
 * CONSTRAINT checks the old ones later under a weaker lock (ShareUpdateExclusiveLock on the table, RowShareLock
 * on the referenced one), so it does not block writes while it scans.
 *
 * Mirrors: src/backend/commands/tablecmds.c (ATAddForeignKeyConstraint, transformFkeyGetPrimaryKey,
 * transformFkeyCheckAttrs, validateForeignKeyConstraint, ATExecValidateConstraint, createForeignKeyActionTriggers /
 * CheckTriggers for the OIDs), utils/adt/ri_triggers.c (RI_Initial_Check). A partitioned table on either side
 * makes the key a family of constraints (commands/fkpartition.ts). Simplifications: the key types must be the same
 * family (integers, numerics, strings) or the same type; a partitioned table referencing itself is refused.
 */
import type { Executor } from '../executor/executor.js';
import { PgError, notSupported, posOf } from '../errors.js';
import type { Session } from '../session/session.js';
import { typeDisplayName, type SqlType } from '../sql/types.js';
import type { Table, ForeignKey, FkAction } from '../catalog/catalog.js';
import { addFkRecurseReferenced, addFkRecurseReferencing, validateFkRows } from './fkpartition.js';
import { LockMode } from '../lock/lock.js';
import { type N, type Gen } from '../executor/util.js';
import { referencingKeys, tableByOid } from '../ri/ri_triggers.js';

const INTS = ['int2', 'int4', 'int8'];
const NUMS = [...INTS, 'numeric', 'float4', 'float8'];
const STRINGS = ['text', 'varchar', 'bpchar', 'name'];
function compatible(a: SqlType, b: SqlType): boolean {
  if (a.name === b.name) return true;
  return [NUMS, STRINGS].some((fam) => fam.includes(a.name) && fam.includes(b.name));
}

/** Is this constraint name taken on the table (CHECK, index-backed or foreign key)? */
export function fkNameTaken(t: Table, name: string): boolean {
  return (t.fkeys ?? []).some((f) => f.name === name);
}

/**
 * ATAddForeignKeyConstraint. `creating`: part of CREATE TABLE (the new table is empty: no check of old rows).
 * `pickName` chooses a free name from a base (ChooseConstraintName).
 */
export function* addForeignKey(ex: Executor, s: Session, t: Table, c: N, creating: boolean, pickName: (base: string) => string): Gen<void> {
  if (c.fk_matchtype === 'p') throw notSupported('MATCH PARTIAL', posOf(c.location));
  const pkRv = c.pktable as N;
  if (pkRv.schemaname && pkRv.schemaname !== 'public') throw notSupported(`schemas other than public ("${pkRv.schemaname}")`, posOf(pkRv.location));
  const cat = ex.eng.catalog;
  const self = pkRv.relname === t.name;
  const pkT = self ? t : cat.get(pkRv.relname);
  if (!pkT) {
    if (cat.view(pkRv.relname)) throw new PgError('42809', `referenced relation "${pkRv.relname}" is not a table`);
    throw new PgError('42P01', `relation "${pkRv.relname}" does not exist`);
  }
  if (!self) yield* ex.eng.acquireLock(s, { type: 'relation', rel: pkT.oid }, LockMode.ShareRowExclusive);
  if (t.partKey && c.skip_validation) {
    throw new PgError('42809', `cannot add NOT VALID foreign key on partitioned table "${t.name}" referencing relation "${pkT.name}"`, {
      detail: 'This feature is not yet supported on partitioned tables.',
    });
  }
  if (self && t.partKey) throw notSupported('a foreign key of a partitioned table referencing itself', posOf(c.location));
  // ATAddForeignKeyConstraint: persistence must agree (a temporary table's rows vanish with its session)
  if (!t.temp && !t.unlogged && (pkT.temp || pkT.unlogged)) throw new PgError('42P16', 'constraints on permanent tables may reference only permanent tables');
  if (t.unlogged && pkT.temp) throw new PgError('42P16', 'constraints on unlogged tables may reference only permanent or unlogged tables');
  if (t.temp && !pkT.temp) throw new PgError('42P16', 'constraints on temporary tables may reference only temporary tables');
  const colOf = (tab: Table, name: string) => {
    const i = tab.columns.findIndex((x) => !x.dropped && x.name === name);
    if (i < 0) throw new PgError('42703', `column "${name}" referenced in foreign key constraint does not exist`);
    return i;
  };
  const fkNames = ((c.fk_attrs ?? []) as N[]).map((x) => x.String.sval as string);
  const cols = fkNames.map((nm) => colOf(t, nm));
  let refCols: number[];
  let index;
  if (c.pk_attrs?.length) {
    refCols = (c.pk_attrs as N[]).map((x) => colOf(pkT, x.String.sval as string));
    if (refCols.length !== cols.length) throw new PgError('42830', 'number of referencing and referenced columns for foreign key disagree');
    // transformFkeyCheckAttrs: a unique index on exactly these columns, in any order
    const want = [...refCols].sort().join();
    index = pkT.indexes.find((i) => i.unique && !i.def && [...i.columns].sort().join() === want);
    if (!index) throw new PgError('42830', `there is no unique constraint matching given keys for referenced table "${pkT.name}"`);
  } else {
    index = pkT.indexes.find((i) => i.primary);
    if (!index) throw new PgError('42704', `there is no primary key for referenced table "${pkT.name}"`);
    refCols = index.columns.slice();
    if (refCols.length !== cols.length) throw new PgError('42830', 'number of referencing and referenced columns for foreign key disagree');
  }
  const name: string = c.conname ?? pickName(`${t.name}_${fkNames.join('_')}_fkey`);
  if (c.conname && fkNameTaken(t, c.conname)) throw new PgError('42710', `constraint "${c.conname}" for relation "${t.name}" already exists`);
  cols.forEach((fc, i) => {
    const ft = t.columns[fc]!.type, pt = pkT.columns[refCols[i]!]!.type;
    if (!compatible(ft, pt)) {
      throw new PgError('42804', `foreign key constraint "${name}" cannot be implemented`, {
        detail: `Key columns "${t.columns[fc]!.name}" and "${pkT.columns[refCols[i]!]!.name}" are of incompatible types: ${typeDisplayName(ft)} and ${typeDisplayName(pt)}.`,
      });
    }
  });
  const delSetCols = c.fk_del_set_cols?.length ? (c.fk_del_set_cols as N[]).map((x) => {
    const nm = x.String.sval as string;
    const i = colOf(t, nm);
    if (!cols.includes(i)) throw new PgError('42P10', `column "${nm}" referenced in ON DELETE SET action must be part of foreign key`);
    return i;
  }) : null;
  if (delSetCols && !['n', 'd'].includes(c.fk_del_action)) throw new PgError('42601', 'a column list with ON DELETE SET is only supported for ON DELETE actions SET NULL and SET DEFAULT');
  // the pg_constraint row, then its triggers: two on the referenced table (ON DELETE, ON UPDATE), two here
  const oid = cat.allocOid();
  for (let k = 0; k < 4; k++) cat.allocOid();
  const fk: ForeignKey = {
    name, oid, cols, refOid: pkT.oid, refCols, refIndex: index.name,
    onDelete: (c.fk_del_action ?? 'a') as FkAction, onUpdate: (c.fk_upd_action ?? 'a') as FkAction, delSetCols,
    match: c.fk_matchtype === 'f' ? 'f' : 's', deferrable: !!c.deferrable, initiallyDeferred: !!c.initdeferred,
    validated: !c.skip_validation,
  };
  if (fk.initiallyDeferred && !fk.deferrable) fk.deferrable = true; // INITIALLY DEFERRED implies DEFERRABLE
  if (!creating && !c.skip_validation && !t.partKey) validateFkRows(ex, s, t, fk, pkT);
  (t.fkeys ??= []).push(fk);
  // a partitioned table on either side: the key's children and clones (commands/fkpartition.ts)
  if (pkT.partKey) yield* addFkRecurseReferenced(ex, s, t, fk, pkT);
  if (t.partKey) {
    const clones = yield* addFkRecurseReferencing(ex, s, t, fk);
    if (!creating) for (const cl of clones) validateFkRows(ex, s, cl.table, cl.fk, pkT);
  }
}

/** ALTER TABLE … VALIDATE CONSTRAINT for a foreign key (the caller holds ShareUpdateExclusiveLock on `t`). */
export function* validateForeignKey(ex: Executor, s: Session, t: Table, fk: ForeignKey): Gen<void> {
  if (fk.validated) return;
  const pkT = tableByOid(ex, fk.refOid)!;
  if (pkT !== t) yield* ex.eng.acquireLock(s, { type: 'relation', rel: pkT.oid }, LockMode.RowShare);
  validateFkRows(ex, s, t, fk, pkT);
  fk.validated = true;
}

/**
 * The keys that reference `t` as pg_depend reports them: a child made for a partition of a referenced partitioned
 * table is an internal part of its top constraint, which is named instead (once per referencing table).
 */
export function dependentKeys(ex: Executor, t: Table, dropping: Set<string>): { table: Table; fk: ForeignKey }[] {
  const out: { table: Table; fk: ForeignKey }[] = [];
  for (const r of referencingKeys(ex, t)) {
    if (r.fk.noAction || r.table === t || droppedWith(ex, r.table, dropping)) continue;
    let top = r.fk;
    for (let up = top.parent; up !== undefined;) {
      const p = (r.table.fkeys ?? []).find((f) => f.oid === up);
      if (!p) break;
      top = p; up = p.parent;
    }
    if (!out.some((o) => o.fk === top)) out.push({ table: r.table, fk: top });
  }
  return out;
}

/** Is `t` among the tables dropped, or a partition of one of them? */
function droppedWith(ex: Executor, t: Table, dropping: Set<string>): boolean {
  for (let a: Table | undefined = t; a; a = a.partOf ? tableByOid(ex, a.partOf.parent) : undefined) if (dropping.has(a.name)) return true;
  return false;
}

/** The "other objects depend on it" error for a referenced table (DROP TABLE without CASCADE). */
export function referencedTableError(ex: Executor, t: Table, dropping: Set<string>): PgError | null {
  const refs = dependentKeys(ex, t, dropping);
  if (!refs.length) return null;
  return new PgError('2BP01', `cannot drop table ${t.name} because other objects depend on it`, {
    detail: refs.map((r) => `constraint ${r.fk.name} on table ${r.table.name} depends on table ${t.name}`).join('\n'),
    hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
  });
}

/** DROP … CASCADE of a key: the constraint and every clone or child made from it, on whatever table. */
export function dropKeyFamily(ex: Executor, s: Session, top: ForeignKey): void {
  const gone = new Set([top.oid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const o of ex.eng.catalog.tables.values()) {
      for (const f of o.fkeys ?? []) if (f.parent !== undefined && gone.has(f.parent) && !gone.has(f.oid)) { gone.add(f.oid); grew = true; }
    }
  }
  for (const o of ex.eng.catalog.tables.values()) {
    const before = o.fkeys;
    if (!before?.some((f) => gone.has(f.oid))) continue;
    o.fkeys = before.filter((f) => !gone.has(f.oid));
    s.tx!.undo.push(() => { o.fkeys = before; });
  }
}

/** TRUNCATE of a referenced table, unless the referencing tables are truncated with it (heap_truncate_check_FKs). */
export function truncateCheck(ex: Executor, tables: Table[]): void {
  const names = new Set(tables.map((x) => x.name));
  for (const t of tables) {
    for (const r of referencingKeys(ex, t)) {
      if (names.has(r.table.name) || r.fk.noAction) continue; // a partition's clone: its parent's key is the one
      throw new PgError('0A000', 'cannot truncate a table referenced in a foreign key constraint', {
        detail: `Table "${r.table.name}" references "${t.name}".`,
        hint: `Truncate table "${r.table.name}" at the same time, or use TRUNCATE ... CASCADE.`,
      });
    }
  }
}
