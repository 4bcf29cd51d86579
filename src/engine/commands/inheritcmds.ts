/**
 * Table inheritance's DDL: CREATE TABLE … INHERITS (parent, …) with its column merging, ALTER TABLE child INHERIT
 * parent / NO INHERIT parent, and what DROP TABLE owes the children of a parent.
 *
 *     CREATE TABLE p1 (a int NOT NULL, b text DEFAULT 'x', CHECK (a > 0));  CREATE TABLE p2 (a int, c numeric);
 *     CREATE TABLE c (b text, d int) INHERITS (p1, p2);
 *     -- NOTICE merging multiple inherited definitions of column "a"
 *     -- NOTICE moving and merging column "b" with inherited definition  (DETAIL: moved to the inherited position)
 *     -- c's columns: a (NOT NULL, inhcount 2), b (local and inherited), c (inherited), d (local); p1's CHECK too
 *     DROP TABLE p1;          -- 2BP01: table c depends on table p1 (HINT: Use DROP ... CASCADE)
 *
 * MergeAttributes' rules: the parents' columns come first, in parent order, each name once — a column several
 * parents have must have one type (42804 "inherited column … has a type conflict"), it is NOT NULL if any parent's
 * is; then the statement's own columns, a name already inherited merged into the inherited column (42804 "column …
 * has a type conflict" on another type; its DEFAULT wins, NOT NULL adds) and the rest appended. Each column counts
 * its parents (attinhcount) and whether the table defines it itself (attislocal); the parents' CHECK constraints
 * are copied likewise (coninhcount / conislocal), a local one of the same name and expression merged.
 *
 * Mirrors: src/backend/commands/tablecmds.c (MergeAttributes, MergeCheckConstraint, StoreCatalogInheritance,
 * ATExecAddInherit / MergeAttributesIntoExisting / MergeConstraintsIntoExisting, ATExecDropInherit /
 * RemoveInheritance), catalog/dependency.c (the DEPENDENCY_NORMAL of a child on its parent, reportDependentObjects).
 * Simplifications: a parent's DEFAULT conflicting with another parent's is not detected; NO INHERIT constraints and
 * inherited generated columns are refused (0A000); typed tables and OF are not modelled.
 */
import type { Executor } from '../executor/executor.js';
import type { Session } from '../session/session.js';
import { PgError, notSupported } from '../errors.js';
import { tableKey, type Table, type Column, type CheckConstraint, type Catalog } from '../catalog/catalog.js';
import { typeDisplayName } from '../sql/types.js';
import { LockMode } from '../lock/lock.js';
import { ensureTopXid } from '../xact/xactblock.js';
import { shadowRow, unshadow } from '../catalog/catalogsnapshot.js';
import { inheritanceChildren, inheritanceParents, allInheritors, type InhRow } from '../catalog/pg_inherits.js';
import { saveTableDef } from './relfile.js';
import type { N, Gen } from '../executor/util.js';

/** What CREATE TABLE … INHERITS takes from its parents, before the statement's own columns are merged in. */
export interface Inherited { parents: Table[]; columns: Column[]; checks: CheckConstraint[] }

const notice = (s: Session, message: string, detail?: string) => s.acc.notices.push({ severity: 'NOTICE', sqlstate: '00000', message, ...(detail ? { detail } : {}) });
const sameType = (a: Column, b: Column) => a.type.name === b.type.name && a.type.typmod === b.type.typmod;
/** A parse tree without its token locations (two CHECK expressions written alike compare equal). */
export function exprKey(e: unknown): string {
  return JSON.stringify(e, (k, v) => (k === 'location' ? undefined : v as unknown));
}
/** A table's name as a dependency message prints it: another session's temporary table schema-qualified. */
export function depName(cat: Catalog, t: Table): string { return t.temp && t.temp.session !== cat.current ? `${t.temp.schema}.${t.name}` : t.name; }

/**
 * A parent named by a RangeVar: pg_temp_N.name may name another session's temporary table (then refused by
 * checkPersistence, as PostgreSQL refuses it once found).
 */
function parentTable(ex: Executor, rv: N): Table {
  if (rv.schemaname && /^pg_temp_\d+$/.test(rv.schemaname)) {
    for (const t of ex.eng.catalog.tables.values()) if (t.temp?.schema === rv.schemaname && t.name === rv.relname) return t;
  }
  return ex.table(rv);
}

/** The temporary-table rules for making `child` (temp or not) inherit from `parent`. */
export function checkPersistence(cat: Catalog, parent: Table, childTemp: boolean): void {
  if (parent.temp && !childTemp) throw new PgError('42809', `cannot inherit from temporary relation "${parent.name}"`);
  if (parent.temp && parent.temp.session !== cat.current) throw new PgError('42809', 'cannot inherit from temporary relation of another session');
  if (parent.partKey) throw new PgError('42809', `cannot inherit from partitioned table "${parent.name}"`);
  if (parent.partOf) throw new PgError('42809', `cannot inherit from partition "${parent.name}"`);
}

/**
 * MergeAttributes' first half: each parent looked up (42P01) and locked ShareUpdateExclusive (a self-exclusive lock:
 * two children made at once see each other's pg_inherits rows), named once (42P07), persistence checked; their
 * columns and CHECK constraints merged.
 */
export function* inheritStart(ex: Executor, s: Session, n: N, temp: boolean): Gen<Inherited> {
  const cat = ex.eng.catalog;
  if (n.partspec) throw new PgError('42809', 'cannot create partitioned table as inheritance child');
  const parents: Table[] = [];
  for (const r of n.inhRelations as N[]) {
    const rv = r.RangeVar as N;
    const p = parentTable(ex, rv);
    if (parents.includes(p)) throw new PgError('42P07', `relation "${p.name}" would be inherited from more than once`);
    checkPersistence(cat, p, temp);
    yield* ex.lockRelation(s, p, LockMode.ShareUpdateExclusive, false);
    parents.push(p);
  }
  const columns: Column[] = [];
  const checks: CheckConstraint[] = [];
  for (const p of parents) {
    for (const pc of p.columns) {
      if (pc.dropped) continue;
      if (pc.generated) throw notSupported('inheriting a generated column');
      if (pc.identity) throw notSupported('inheriting an identity column');
      const have = columns.find((c) => c.name === pc.name);
      if (have) {
        notice(s, `merging multiple inherited definitions of column "${pc.name}"`);
        if (!sameType(have, pc)) throw new PgError('42804', `inherited column "${pc.name}" has a type conflict`, { detail: `${typeDisplayName(have.type)} versus ${typeDisplayName(pc.type)}` });
        have.inhcount = (have.inhcount ?? 0) + 1;
        have.notNull ||= pc.notNull;
        if (!have.defaultExpr && pc.defaultExpr) have.defaultExpr = pc.defaultExpr;
        continue;
      }
      columns.push({ name: pc.name, type: pc.type, notNull: pc.notNull, defaultExpr: pc.defaultExpr, attnum: columns.length + 1, inhcount: 1, notLocal: true });
    }
    for (const ch of p.checks) {
      const have = checks.find((c) => c.name === ch.name);
      if (have) {
        if (exprKey(have.expr) !== exprKey(ch.expr)) throw new PgError('42710', `check constraint name "${ch.name}" appears multiple times but with different expressions`);
        have.inhcount = (have.inhcount ?? 0) + 1;
        continue;
      }
      checks.push({ name: ch.name, expr: ch.expr, inhcount: 1, notLocal: true });
    }
  }
  return { parents, columns, checks };
}

/**
 * MergeAttributes' second half: the statement's own columns merged into the inherited ones (NOTICE "merging" when
 * the column is written where it is inherited, "moving and merging" when not) or appended after them; returns the
 * table's columns, renumbered.
 */
export function mergeLocalColumns(s: Session, inh: Inherited, local: Column[]): Column[] {
  const out = inh.columns.map((c) => ({ ...c }));
  for (const [k, lc] of local.entries()) {
    const at = out.findIndex((c) => c.name === lc.name);
    if (at < 0) { out.push({ ...lc }); continue; }
    if (at === k) notice(s, `merging column "${lc.name}" with inherited definition`);
    else notice(s, `moving and merging column "${lc.name}" with inherited definition`, 'User-specified column moved to the position of the inherited column.');
    const ic = out[at]!;
    if (!sameType(ic, lc)) throw new PgError('42804', `column "${lc.name}" has a type conflict`, { detail: `${typeDisplayName(ic.type)} versus ${typeDisplayName(lc.type)}` });
    if (lc.identity || lc.generated) throw notSupported('an identity or generated column merged with an inherited one');
    out[at] = { ...ic, notNull: ic.notNull || lc.notNull, defaultExpr: lc.defaultExpr ?? ic.defaultExpr, notLocal: false };
  }
  out.forEach((c, i) => { c.attnum = i + 1; });
  return out;
}

/** MergeCheckConstraint: a local CHECK named as an inherited one merges into it (same expression) or is an error. */
export function mergeLocalChecks(s: Session, tableName: string, inh: Inherited, local: (CheckConstraint & { base?: string })[]): CheckConstraint[] {
  const out: CheckConstraint[] = inh.checks.map((c) => ({ ...c }));
  for (const lc of local) {
    const have = lc.name ? out.find((c) => c.name === lc.name) : undefined;
    if (!have) { out.push(lc); continue; }
    if (exprKey(have.expr) !== exprKey(lc.expr)) throw new PgError('42710', `constraint "${lc.name}" for relation "${tableName}" already exists`);
    notice(s, `merging constraint "${lc.name}" with inherited definition`);
    have.notLocal = false;
  }
  return out;
}

/** StoreSingleInheritance: a pg_inherits row, written by the running transaction (undone on abort). */
export function addInhRow(ex: Executor, s: Session, rel: number, parent: number, seqno: number): void {
  const cat = ex.eng.catalog;
  const xid = ensureTopXid(ex.eng, s);
  const row: InhRow = { rel, parent, seqno, xmin: xid };
  cat.inherits.push(row);
  cat.pendingXids.set(xid, s.name);
  s.tx!.undo.push(() => { cat.inherits = cat.inherits.filter((r) => r !== row); });
}

/** DeleteInheritsTuple: the rows `which` picks deleted; others still see them until this transaction ends. */
export function removeInhRows(ex: Executor, s: Session, which: (r: InhRow) => boolean): void {
  const cat = ex.eng.catalog;
  const gone = cat.inherits.filter(which);
  if (!gone.length) return;
  const xid = ensureTopXid(ex.eng, s);
  cat.inherits = cat.inherits.filter((r) => !gone.includes(r));
  // a row this transaction wrote itself was never seen by anyone else
  const deleted = gone.filter((r) => r.xmin === undefined || cat.pendingXids.get(r.xmin) !== s.name).map((row) => ({ row, xid, session: s.name }));
  cat.inhDeleted.push(...deleted);
  if (deleted.length) cat.pendingXids.set(xid, s.name);
  s.tx!.undo.push(() => { cat.inherits.push(...gone); cat.inhDeleted = cat.inhDeleted.filter((d) => !deleted.includes(d)); });
}

/**
 * ALTER TABLE child INHERIT parent (ATExecAddInherit): the child AccessExclusive (taken by the caller), the parent
 * ShareUpdateExclusive; no cycle, not twice; every parent column present with its type and NOT NULL, every parent
 * CHECK present (MergeAttributesIntoExisting / MergeConstraintsIntoExisting), each counted as inherited.
 */
export function* addInherit(ex: Executor, s: Session, child: Table, rv: N): Gen<void> {
  const cat = ex.eng.catalog;
  const parent = parentTable(ex, rv);
  yield* ex.lockRelation(s, parent, LockMode.ShareUpdateExclusive, false);
  checkPersistence(cat, parent, !!child.temp);
  if (child.partKey || child.partOf) throw new PgError('42809', `cannot change inheritance of ${child.partKey ? 'partitioned table' : 'a partition'}`);
  if (child.temp && !parent.temp && child.temp.session !== cat.current) throw new PgError('42809', 'cannot inherit to temporary relation of another session');
  if (inheritanceParents(cat, child).includes(parent)) throw new PgError('42P07', `relation "${parent.name}" would be inherited from more than once`);
  if (allInheritors(cat, child).includes(parent)) throw new PgError('42P07', 'circular inheritance not allowed', { detail: `"${parent.name}" is already a child of "${child.name}".` });
  s.tx!.undo.push(saveTableDef(ex, child));
  const changes: (() => void)[] = [];
  for (const pc of parent.columns) {
    if (pc.dropped) continue;
    const cc = child.columns.find((c) => !c.dropped && c.name === pc.name);
    if (!cc) throw new PgError('42804', `child table is missing column "${pc.name}"`);
    if (!sameType(cc, pc)) throw new PgError('42804', `child table "${child.name}" has different type for column "${pc.name}"`);
    if (pc.notNull && !cc.notNull) throw new PgError('42804', `column "${pc.name}" in child table must be marked NOT NULL`);
    changes.push(() => { cc.inhcount = (cc.inhcount ?? 0) + 1; });
  }
  for (const pch of parent.checks) {
    const cch = child.checks.find((c) => c.name === pch.name);
    if (!cch) throw new PgError('42804', `child table is missing constraint "${pch.name}"`);
    if (exprKey(cch.expr) !== exprKey(pch.expr)) throw new PgError('42804', `child table "${child.name}" has different definition for check constraint "${pch.name}"`);
    changes.push(() => { cch.inhcount = (cch.inhcount ?? 0) + 1; });
  }
  for (const f of changes) f();
  const seqno = Math.max(0, ...cat.inherits.filter((r) => r.rel === child.oid).map((r) => r.seqno)) + 1;
  addInhRow(ex, s, child.oid, parent.oid, seqno);
}

/**
 * ALTER TABLE child NO INHERIT parent (RemoveInheritance): the parent AccessShare; what the child had from it stays,
 * counted once less — a column or CHECK no other parent gives becomes the child's own (attislocal / conislocal).
 */
export function* dropInherit(ex: Executor, s: Session, child: Table, rv: N): Gen<void> {
  const cat = ex.eng.catalog;
  const parent = ex.table(rv);
  yield* ex.lockRelation(s, parent, LockMode.AccessShare, false);
  if (!cat.inherits.some((r) => r.rel === child.oid && r.parent === parent.oid)) {
    throw new PgError('42P01', `relation "${parent.name}" is not a parent of relation "${child.name}"`);
  }
  s.tx!.undo.push(saveTableDef(ex, child));
  for (const pc of parent.columns) {
    const cc = pc.dropped ? undefined : child.columns.find((c) => !c.dropped && c.name === pc.name);
    if (!cc || !cc.inhcount) continue;
    cc.inhcount--;
    if (cc.inhcount === 0) cc.notLocal = false;
  }
  for (const pch of parent.checks) {
    const cch = child.checks.find((c) => c.name === pch.name);
    if (!cch || !cch.inhcount) continue;
    cch.inhcount--;
    if (cch.inhcount === 0) cch.notLocal = false;
  }
  removeInhRows(ex, s, (r) => r.rel === child.oid && r.parent === parent.oid);
}

/**
 * DROP TABLE t: its children depend on it (and theirs on them). Without CASCADE any that the statement does not drop
 * too is a 2BP01 listing each dependency, depth first; with CASCADE they are dropped too (locked AccessExclusive,
 * NOTICE). Returns the tables to drop before t; t's own pg_inherits rows go with it.
 */
export function* inheritanceDependents(ex: Executor, s: Session, t: Table, cascade: boolean, dropping: Set<string>, several: boolean): Gen<Table[]> {
  const cat = ex.eng.catalog;
  const deps: { t: Table; on: Table }[] = [];
  const walk = (p: Table) => { for (const c of inheritanceChildren(cat, p)) if (!deps.some((d) => d.t === c)) { deps.push({ t: c, on: p }); walk(c); } };
  walk(t);
  const outside = deps.filter((d) => !dropping.has(d.t.name));
  if (!outside.length) return [];
  if (!cascade) {
    // several tables named: reportDependentObjects speaks of them all
    throw new PgError('2BP01', several ? 'cannot drop desired object(s) because other objects depend on them' : `cannot drop table ${t.name} because other objects depend on it`, {
      detail: deps.map((d) => `table ${depName(cat, d.t)} depends on table ${depName(cat, d.on)}`).join('\n'), hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
    });
  }
  const lines = deps.map((d) => `drop cascades to table ${depName(cat, d.t)}`);
  s.acc.notices.push(lines.length === 1 ? { severity: 'NOTICE', sqlstate: '00000', message: lines[0]! }
    : { severity: 'NOTICE', sqlstate: '00000', message: `drop cascades to ${lines.length} other objects`, detail: lines.join('\n') });
  for (const d of deps) yield* ex.lockRelation(s, d.t, LockMode.AccessExclusive, false);
  return deps.map((d) => d.t).reverse();
}

/** A table dropped with its parent (DROP … CASCADE): out of the catalog, its row kept for the others until commit. */
export function dropDependentTable(ex: Executor, s: Session, t: Table): void {
  const cat = ex.eng.catalog;
  const key = tableKey(t);
  cat.tables.delete(key);
  const sh = t.temp ? null : shadowRow(cat, s.name, ensureTopXid(ex.eng, s), key, t.name, t);
  s.tx!.undo.push(() => { cat.tables.set(key, t); if (sh) unshadow(cat, sh); });
  removeInhRows(ex, s, (r) => r.rel === t.oid);
}

/** A dropped table's own pg_inherits rows (as a child; its children's rows went with them). */
export function dropInheritRows(ex: Executor, s: Session, t: Table): void {
  removeInhRows(ex, s, (r) => r.rel === t.oid || r.parent === t.oid);
}
