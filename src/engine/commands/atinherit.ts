/**
 * ALTER TABLE on an inheritance tree: which subcommands reach the children and how the children count what they
 * inherit (attinhcount / attislocal, coninhcount / conislocal).
 *
 *     ALTER TABLE p ADD COLUMN z int;        -- every descendant gets z (a child that has z already: NOTICE "merging
 *                                            --  definition of column "z" for child …", its inhcount + 1)
 *     ALTER TABLE ONLY p ADD COLUMN q int;   -- 42P16 column must be added to child tables too
 *     ALTER TABLE p DROP COLUMN z;           -- dropped in each child that has it only from p (not local, inhcount 1)
 *     ALTER TABLE ONLY p DROP COLUMN z;      -- the children keep z as their own (attislocal)
 *     ALTER TABLE c DROP COLUMN a;           -- 42P16 cannot drop inherited column "a"
 *     ALTER TABLE p ADD CHECK (a > 0);       -- each child gets it too (its rows checked), inhcount 1
 *
 * The whole tree is locked first with the subcommand's lock (find_all_inheritors(relid, lockmode)), each table's
 * definition saved for ROLLBACK. ALTER COLUMN TYPE, SET / DROP NOT NULL and SET / DROP DEFAULT apply to every
 * descendant as they do to the parent (ATSimpleRecursion); a column a table inherited cannot have its type changed
 * or be renamed there.
 *
 * Mirrors: src/backend/commands/tablecmds.c (ATPrepAddColumn, ATExecAddColumn's child merge, ATExecDropColumn,
 * ATPrepAlterColumnType, ATAddCheckConstraint, ATExecDropConstraint, renameatt_internal, ATSimpleRecursion).
 * Simplifications: the parent's own change comes before its children's (PostgreSQL drops the children's column
 * first); a child column merged on ADD COLUMN is not checked for NOT NULL or DEFAULT.
 */
import type { Executor } from '../executor/executor.js';
import type { Session } from '../session/session.js';
import { PgError } from '../errors.js';
import type { Table } from '../catalog/catalog.js';
import { inheritanceChildren, allInheritors } from '../catalog/pg_inherits.js';
import { saveTableDef } from './relfile.js';
import { exprKey } from './inheritcmds.js';
import type { LockMode } from '../lock/lock.js';
import type { N, Gen } from '../executor/util.js';

const RECURSING = ['AT_AddColumn', 'AT_DropColumn', 'AT_ColumnDefault', 'AT_SetNotNull', 'AT_DropNotNull', 'AT_AlterColumnType', 'AT_AddConstraint', 'AT_DropConstraint'];
const col = (t: Table, name: string) => t.columns.find((c) => !c.dropped && c.name === name);
const inhError = (msg: string) => new PgError('42P16', msg);

/** Is `t` part of an inheritance tree (a parent or a child)? */
export function inInheritanceTree(ex: Executor, t: Table): boolean {
  return ex.eng.catalog.inherits.some((r) => r.rel === t.oid || r.parent === t.oid);
}

/**
 * ATPrepCmd's part for inheritance: a subcommand ONLY cannot do on a parent (42P16), then the descendants locked with
 * the statement's mode and their definitions saved. Returns the descendants (empty when nothing recurses).
 */
export function* prepareInheritedAlter(ex: Executor, s: Session, t: Table, cmds: N[], recurse: boolean, mode: LockMode): Gen<Table[]> {
  const cat = ex.eng.catalog;
  const children = inheritanceChildren(cat, t);
  if (!recurse && children.length) {
    if (cmds.some((c) => c.subtype === 'AT_AddColumn')) throw inhError('column must be added to child tables too');
    const chk = cmds.find((c) => c.subtype === 'AT_AddConstraint' && c.def?.Constraint?.contype === 'CONSTR_CHECK' && !c.def.Constraint.is_no_inherit);
    if (chk) throw inhError('constraint must be added to child tables too');
  }
  if (!recurse || !children.length || !cmds.some((c) => RECURSING.includes(c.subtype))) return [];
  const tree = allInheritors(cat, t).slice(1);
  for (const d of tree) {
    yield* ex.lockRelation(s, d, mode, false);
    s.tx!.undo.push(saveTableDef(ex, d));
  }
  return tree;
}

/**
 * One subcommand on `t` and, where it recurses, on the tree: `apply` runs the plain subcommand on one table.
 * `recursing`: `t` is a child reached from its parent (its inherited columns and constraints may change there).
 */
export function alterInherited(ex: Executor, s: Session, t: Table, c: N, recurse: boolean, apply: (t: Table, c: N) => void, recursing = false): void {
  const cat = ex.eng.catalog;
  const children = () => inheritanceChildren(cat, t);
  switch (c.subtype) {
    case 'AT_AddColumn': {
      apply(t, c);
      if (!recurse) return;
      const cd = c.def.ColumnDef as N;
      const added = col(t, cd.colname);
      if (!added) return; // IF NOT EXISTS skipped it
      for (const ch of children()) {
        const have = col(ch, cd.colname);
        if (have) {
          if (have.type.name !== added.type.name || have.type.typmod !== added.type.typmod) {
            throw new PgError('42804', `child table "${ch.name}" has different type for column "${cd.colname}"`);
          }
          s.acc.notices.push({ severity: 'NOTICE', sqlstate: '00000', message: `merging definition of column "${cd.colname}" for child "${ch.name}"` });
          have.inhcount = (have.inhcount ?? 0) + 1;
          continue;
        }
        alterInherited(ex, s, ch, c, recurse, apply, true);
        const nc = col(ch, cd.colname)!;
        nc.inhcount = 1; nc.notLocal = true;
      }
      return;
    }
    case 'AT_DropColumn': {
      const dc = col(t, c.name);
      if (dc && dc.inhcount && !recursing) throw inhError(`cannot drop inherited column "${c.name}"`);
      if (dc) {
        for (const ch of children()) {
          const cc = col(ch, c.name);
          if (!cc) continue;
          if (recurse && cc.inhcount === 1 && cc.notLocal) alterInherited(ex, s, ch, c, recurse, apply, true);
          else { cc.inhcount = Math.max(0, (cc.inhcount ?? 0) - 1); if (!recurse) cc.notLocal = false; }
        }
      }
      apply(t, c);
      return;
    }
    case 'AT_AlterColumnType': {
      const ac = col(t, c.name);
      if (ac?.inhcount && !recursing) throw inhError(`cannot alter inherited column "${c.name}"`);
      if (!recurse && children().length) throw inhError(`type of inherited column "${c.name}" must be changed in child tables too`);
      apply(t, c);
      if (recurse) for (const ch of children()) alterInherited(ex, s, ch, c, recurse, apply, true);
      return;
    }
    case 'AT_ColumnDefault': case 'AT_SetNotNull': case 'AT_DropNotNull':
      apply(t, c);
      if (recurse) for (const ch of children()) if (col(ch, c.name)) alterInherited(ex, s, ch, c, recurse, apply, true);
      return;
    case 'AT_AddConstraint': {
      const k = c.def.Constraint as N;
      if (k.contype !== 'CONSTR_CHECK') { apply(t, c); return; }
      if (k.is_no_inherit) throw new PgError('0A000', 'NO INHERIT check constraints are not supported by Heapscope');
      const before = t.checks.length;
      apply(t, c);
      if (t.checks.length === before) return;
      const made = t.checks[t.checks.length - 1]!;
      if (recursing) { made.inhcount = 1; made.notLocal = true; }
      if (!recurse) return;
      for (const ch of children()) {
        const have = ch.checks.find((x) => x.name === made.name);
        if (have) {
          if (exprKey(have.expr) !== exprKey(made.expr)) throw new PgError('42710', `constraint "${made.name}" for relation "${ch.name}" already exists`);
          s.acc.notices.push({ severity: 'NOTICE', sqlstate: '00000', message: `merging constraint "${made.name}" with inherited definition` });
          have.inhcount = (have.inhcount ?? 0) + 1;
          continue;
        }
        alterInherited(ex, s, ch, { ...c, def: { Constraint: { ...k, conname: made.name } } }, recurse, apply, true);
      }
      return;
    }
    case 'AT_DropConstraint': {
      const check = t.checks.find((x) => x.name === c.name);
      if (check?.inhcount && !recursing) throw inhError(`cannot drop inherited constraint "${c.name}" of relation "${t.name}"`);
      if (check) {
        for (const ch of children()) {
          const cc = ch.checks.find((x) => x.name === c.name);
          if (!cc) continue;
          if (recurse && cc.inhcount === 1 && cc.notLocal) alterInherited(ex, s, ch, c, recurse, apply, true);
          else { cc.inhcount = Math.max(0, (cc.inhcount ?? 0) - 1); if (!recurse) cc.notLocal = false; }
        }
      }
      apply(t, c);
      return;
    }
    default: apply(t, c);
  }
}

/** renameatt: an inherited column is renamed from its parent only, everywhere in the tree. */
export function renameInherited(ex: Executor, t: Table, from: string, recurse: boolean): Table[] {
  const cat = ex.eng.catalog;
  const c = col(t, from);
  if (c?.inhcount) throw inhError(`cannot rename inherited column "${from}"`);
  const children = inheritanceChildren(cat, t);
  if (!children.length) return [];
  if (!recurse) throw inhError(`inherited column "${from}" must be renamed in child tables too`);
  return allInheritors(cat, t).slice(1).filter((d) => col(d, from));
}
