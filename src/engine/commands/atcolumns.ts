/**
 * ALTER TABLE's column subcommands: ADD COLUMN (serial and GENERATED too), DROP COLUMN, ALTER COLUMN TYPE (its
 * phase-1 preparation and its execution) and ALTER COLUMN of an identity column. Each changes the catalog and tells
 * ALTER TABLE's phase 3 (commands/atwork.ts) what the rows need: a rewrite with new values, a NOT NULL scan, CHECKs
 * to verify. The statement, its lock and its other subcommands are commands/altertable.ts's.
 *
 * Mirrors: src/backend/commands/tablecmds.c (ATExecAddColumn, ATExecDropColumn, ATPrepAlterColumnType,
 * ATExecAlterColumnType, ATExecSetIdentity), parser/parse_utilcmd.c (transformColumnDefinition's serial).
 */
import { domainLookup } from '../adt/domains.js';
import type { Executor } from '../executor/executor.js';
import { PgError, notSupported, posOf } from '../errors.js';
import type { Session } from '../session/session.js';
import { intConst, materializeLiterals } from '../sql/parser.js';
import { compileExpr, castTo, type Row, type Compiled } from '../sql/expr.js';
import { resolveTypeName, typeDisplayName, type SqlType, type Value } from '../sql/types.js';
import { relKey, type Table, type Column } from '../catalog/catalog.js';
import { stampCreated } from '../catalog/catalogsnapshot.js';
import { ensureTopXid } from '../xact/xactblock.js';
import { Sequence } from '../sequence/sequence.js';
import { alterSequence } from './sequence.js';
import { tempNamespace } from './tempcmds.js';
import { WalKind } from '../wal/wal.js';
import { N, Gen, SERIAL_TYPES, collectColumnRefs } from '../executor/util.js';
import { refreshColumns, refreshIndexColumns, sortedByOid } from './relfile.js';
import { referencingKeys } from '../ri/ri_triggers.js';
import { inInheritanceTree } from './atinherit.js';
import type { AlterWork, AlteredTableInfo } from './atwork.js';
import { viewsReading } from './atconstraints.js';
import { typeStorage } from '../heap/heaptoast.js';

/** Functions whose DEFAULT cannot be a missing value: each row must get its own (a table rewrite). */
const VOLATILE = new Set(['nextval', 'random', 'clock_timestamp', 'timeofday', 'gen_random_uuid', 'setval']);
function isVolatile(n: unknown): boolean {
  if (!n || typeof n !== 'object') return false;
  if (Array.isArray(n)) return n.some(isVolatile);
  const o = n as N;
  if (o.FuncCall && VOLATILE.has((o.FuncCall.funcname as N[]).map((x) => x.String.sval).pop())) return true;
  return Object.values(o).some(isVolatile);
}

export function findColumn(t: Table, name: string): Column | undefined {
  return t.columns.find((c) => !c.dropped && c.name === name);
}
export function columnOrError(t: Table, name: string): Column {
  const c = findColumn(t, name);
  if (!c) throw new PgError('42703', `column "${name}" of relation "${t.name}" does not exist`);
  return c;
}

/**
 * ALTER COLUMN ... SET STORAGE (ATExecSetStorage): the column's attstorage — PLAIN (never compressed, never out of
 * line), MAIN (compressed only after the others), EXTERNAL (out of line, never compressed), EXTENDED (both: the
 * default of text). Rows already written keep their form; the toaster (heap/heaptoast.ts) reads it for new ones. A
 * fixed-width type can only be PLAIN.
 */
export function setStorage(s: Session, t: Table, name: string, mode: string): void {
  const storage = ({ plain: 'p', external: 'e', extended: 'x', main: 'm' } as const)[mode.toLowerCase() as 'plain'];
  if (!storage) throw new PgError('22023', `invalid storage type "${mode}"`);
  const c = columnOrError(t, name);
  if (storage !== 'p' && typeStorage(c.type) === 'p') throw new PgError('0A000', `column data type ${typeDisplayName(c.type)} can only have storage PLAIN`);
  const before = c.storage;
  c.storage = storage;
  s.tx!.undo.push(() => { c.storage = before; });
}

/**
 * ALTER COLUMN ... SET GENERATED { ALWAYS | BY DEFAULT } / RESTART [WITH n] / SET sequence option (ATExecSetIdentity):
 * the column's identity kind, and its sequence altered as ALTER SEQUENCE would (commands/sequence.ts).
 */
export function* setIdentity(ex: Executor, s: Session, t: Table, c: N): Gen<void> {
  const col = columnOrError(t, c.name);
  if (!col.identity) throw new PgError('55000', `column "${col.name}" of relation "${t.name}" is not an identity column`);
  const opts = ((c.def?.List?.items ?? []) as N[]).map((x) => x.DefElem as N);
  const generated = opts.find((o) => o.defname === 'generated');
  if (generated) col.identity = Number(generated.arg?.Integer?.ival) === 97 ? 'a' : 'd'; // ATTRIBUTE_IDENTITY_ALWAYS 'a'
  const seqOpts = opts.filter((o) => o.defname !== 'generated');
  if (!seqOpts.length) return;
  const seq = [...ex.eng.catalog.sequences.values()].find((q) => q.ownedBy === t.name && q.ownedByColumn === col.name && q.temp?.session === t.temp?.session);
  if (!seq) throw notSupported('ALTER COLUMN ... SET of an identity column without its sequence');
  yield* alterSequence(ex, s, { sequence: { relname: seq.name }, options: seqOpts.map((o) => ({ DefElem: o })) });
}

/** Column type of a ColumnDef (serial: ADD COLUMN handles it before; ALTER COLUMN TYPE serial is 42704 as in PostgreSQL). */
function columnType(cd: N): SqlType {
  const tn = cd.typeName as N;
  const names = (tn.names as N[]).map((x) => x.String.sval as string);
  if (SERIAL_TYPES.has(names[names.length - 1]!.toLowerCase())) throw new PgError('42704', `type "${names[names.length - 1]}" does not exist`, { position: posOf(tn.location)! });
  const mods = ((tn.typmods ?? []) as N[]).map((m) => intConst(m.A_Const) ?? 0);
  return resolveTypeName(names, mods, posOf(tn.location), tn.arrayBounds);
}

/** The DEFAULT compiled and coerced to the column's type (errors as at CREATE TABLE). */
export function checkDefault(ex: Executor, s: Session, col: Column, expr: unknown): Compiled {
  const snap = () => ex.eng.snapshotFor(s);
  return ex.assign(compileExpr(expr as N, { relName: null, alias: null, columns: [], hasSystem: false, env: ex.env(s, snap), sql: '' }), col, undefined);
}

export function addColumn(ex: Executor, s: Session, t: Table, cd: N, ifNotExists: boolean, work: AlterWork): void {
  if (findColumn(t, cd.colname)) {
    if (ifNotExists) {
      s.acc.notices.push({ severity: 'NOTICE', sqlstate: '42701', message: `column "${cd.colname}" of relation "${t.name}" already exists, skipping` });
      return;
    }
    throw new PgError('42701', `column "${cd.colname}" of relation "${t.name}" already exists`);
  }
  const serial = serialColumn(ex, s, t, cd);
  const type = serial?.type ?? columnType(cd);
  const col: Column = { name: cd.colname, type, notNull: !!serial, defaultExpr: serial?.defaultExpr ?? null, attnum: t.columns.length + 1 };
  // transformAlterTableStmt: the column's PRIMARY KEY / UNIQUE become an index (pass ADD_INDEX), its CHECK and
  // REFERENCES constraints of their own (ADD_OTHERCONSTR) — on the named table only; a child reached by recursion
  // gets the column (NOT NULL and DEFAULT included) and the CHECK by the constraint's own recursion
  const later: N[] = [];
  const cons = (cd.constraints ?? []) as N[];
  if (cons.some((k) => k.Constraint?.contype?.startsWith('CONSTR_ATTR_'))) throw notSupported('DEFERRABLE in ALTER TABLE ... ADD COLUMN (add the constraint separately)');
  const key = [{ String: { sval: cd.colname } }];
  for (const cn of cons) {
    const k = cn.Constraint as N;
    switch (k.contype) {
      case 'CONSTR_NOTNULL': col.notNull = true; break;
      case 'CONSTR_NULL': break;
      case 'CONSTR_DEFAULT': col.defaultExpr = materializeLiterals(k.raw_expr); break;
      case 'CONSTR_PRIMARY': col.notNull = true; later.push({ ...k, keys: key }); break;
      case 'CONSTR_UNIQUE': later.push({ ...k, keys: key }); break;
      case 'CONSTR_CHECK': later.push({ ...k, columnName: cd.colname }); break;
      case 'CONSTR_FOREIGN': later.push({ ...k, fk_attrs: key }); break;
      case 'CONSTR_IDENTITY': throw notSupported('ALTER TABLE ... ADD COLUMN ... GENERATED AS IDENTITY', posOf(k.location));
      case 'CONSTR_GENERATED':
        if (k.generated_kind === 'v') throw notSupported('virtual generated columns (PostgreSQL 15 has STORED only)', posOf(k.location));
        if (col.defaultExpr) throw new PgError('42601', `both default and generation expression specified for column "${cd.colname}" of table "${t.name}"`, { position: posOf(k.location)! });
        col.generated = materializeLiterals(k.raw_expr);
        break;
      default: throw notSupported(`column constraint ${k.contype}`, posOf(k.location));
    }
  }
  if (t === work.top) for (const k of later) work.schedule({ subtype: 'AT_AddConstraint', def: { Constraint: k } });
  const tab = work.tab(t);
  if (col.generated) return addGeneratedColumn(ex, s, t, col, tab);
  // a column of a domain without a DEFAULT: each existing row reads the domain's default or NULL, checked by the domain
  const domDefault = !col.defaultExpr && col.type.domain ? domainLookup.byName(col.type.domain.name)?.defaultExpr : undefined;
  const def = col.defaultExpr ? checkDefault(ex, s, col, col.defaultExpr)
    : col.type.domain && (domDefault || t.heap.tupleCount > 0) ? checkDefault(ex, s, col, domDefault ?? { A_Const: { isnull: true } }) : null;
  const volatile = !!col.defaultExpr && isVolatile(col.defaultExpr);
  if (col.defaultExpr) ex.eng.catalog.allocOid(); // the pg_attrdef row (none without a DEFAULT)
  if (def && !volatile) {
    // a non-volatile DEFAULT is evaluated once and stored as the missing value (ATExecAddColumn)
    const v = def.fn(null as unknown as Row);
    if (v !== null) col.missing = v;
  }
  t.columns.push(col);
  refreshColumns(t);
  if (volatile) {
    // each existing row gets its own value: phase 3 rewrites the table
    tab.newvals.push({ idx: col.attnum - 1, fn: () => def!.fn(null as unknown as Row), generated: false });
    tab.rewrite = true;
  } else if (col.notNull && col.missing === undefined) {
    tab.verifyNotNull = true; // phase 3 looks for a row (which would read NULL here)
  }
}

/**
 * ADD COLUMN c serial (transformColumnDefinition): a sequence t_c_seq owned by the column is created first, the column
 * is an integer NOT NULL DEFAULT nextval('t_c_seq') — a volatile default, so every existing row gets the next value.
 */
function serialColumn(ex: Executor, s: Session, t: Table, cd: N): { type: SqlType; defaultExpr: N } | null {
  const tn = cd.typeName as N;
  const names = (tn.names as N[]).map((x) => x.String.sval as string);
  const base = SERIAL_TYPES.get(names[names.length - 1]!.toLowerCase());
  if (!base || names.length > 1) return null;
  if (findColumn(t, cd.colname)) return null; // 42701 / IF NOT EXISTS below
  const cat = ex.eng.catalog;
  if (t.nsp || inInheritanceTree(ex, t)) throw notSupported('ALTER TABLE ... ADD COLUMN of a serial type in a schema other than public or an inheritance tree', posOf(tn.location));
  const type = resolveTypeName([base], [], posOf(tn.location));
  const tempSession = t.temp?.session;
  let seqName = `${t.name}_${cd.colname}_seq`;
  for (let k = 1; cat.relationExists(seqName, tempSession); k++) seqName = `${t.name}_${cd.colname}_seq${k}`;
  const seq = new Sequence(cat.allocOid(), seqName, type.name === 'int8' ? 9223372036854775807n : type.name === 'int2' ? 32767 : 2147483647, t.name);
  seq.ownedByColumn = cd.colname;
  if (t.temp) seq.temp = { session: t.temp.session, nsp: tempNamespace(ex.eng, s).nsp };
  const key = relKey(seq);
  cat.sequences.set(key, seq);
  if (!t.temp) stampCreated(cat, s.name, ensureTopXid(ex.eng, s), seq);
  s.tx!.undo.push(() => cat.sequences.delete(key));
  if (!t.temp) ex.eng.wal.insert(WalKind.StorageCreate, s.tx!.writeXid, 42, seq.oid, -1, 0);
  return { type, defaultExpr: { FuncCall: { funcname: [{ String: { sval: 'nextval' } }], args: [{ A_Const: { sval: { sval: seqName }, location: -1 } }], location: -1 } } };
}

/** ADD COLUMN … GENERATED ALWAYS AS (…) STORED: every existing row gets its value — a table rewrite. */
function addGeneratedColumn(ex: Executor, s: Session, t: Table, col: Column, tab: AlteredTableInfo): void {
  const refs = new Set<string>();
  collectColumnRefs(col.generated, refs);
  for (const r of refs) {
    if (t.columns.some((o) => !o.dropped && o.name === r && o.generated)) {
      throw new PgError('42P17', `cannot use generated column "${r}" in column generation expression`, { detail: 'A generated column cannot reference another generated column.' });
    }
  }
  const snap = () => ex.eng.snapshotFor(s);
  const gen = ex.assign(compileExpr(col.generated as N, { ...ex.tableScope(t, null, s, snap, ''), hasSystem: false }), col, undefined);
  ex.eng.catalog.allocOid(); // the pg_attrdef row
  t.columns.push(col);
  refreshColumns(t);
  const row: Row = { vals: [], item: null, blk: 0, off: 0, aggs: null };
  tab.newvals.push({ idx: col.attnum - 1, fn: (vals) => { row.vals = vals; return gen.fn(row); }, generated: true });
  tab.rewrite = true;
}

export function dropColumn(ex: Executor, s: Session, t: Table, name: string, missingOk: boolean): void {
  const col = findColumn(t, name);
  if (!col) {
    if (missingOk) {
      s.acc.notices.push({ severity: 'NOTICE', sqlstate: '00000', message: `column "${name}" of relation "${t.name}" does not exist, skipping` });
      return;
    }
    throw new PgError('42703', `column "${name}" of relation "${t.name}" does not exist`);
  }
  const views = viewsReading(ex, t.name, col.name);
  if (views.length) {
    throw new PgError('2BP01', `cannot drop column ${col.name} of table ${t.name} because other objects depend on it`, {
      detail: views.map((v) => `${v} depends on column ${col.name} of table ${t.name}`).join('\n'), hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
    });
  }
  const idx = col.attnum - 1;
  if (referencingKeys(ex, t).some((r) => r.fk.refCols.includes(idx))) throw notSupported('DROP COLUMN of a column a foreign key references');
  if (t.columns.some((c) => {
    if (!c.generated || c.dropped) return false;
    const r = new Set<string>(); collectColumnRefs(c.generated, r); return r.has(col.name);
  })) {
    throw notSupported('DROP COLUMN of a column a generated column reads');
  }
  // a foreign key of this table on the column goes with it, as its indexes and the CHECKs that read it do (automatic dependencies)
  if (t.fkeys?.some((f) => f.cols.includes(idx))) t.fkeys = t.fkeys.filter((f) => !f.cols.includes(idx));
  for (const i of t.indexes.filter((x) => x.columns.includes(idx) || x.include.includes(idx) || x.def?.cols.includes(idx))) {
    t.indexes.splice(t.indexes.indexOf(i), 1);
    ex.eng.catalog.standaloneIndexes.delete(i.name);
  }
  t.checks = t.checks.filter((ch) => { const refs = new Set<string>(); collectColumnRefs(ch.expr, refs); return !refs.has(col.name); });
  for (const [nm, sq] of ex.eng.catalog.sequences) if (sq.ownedBy === t.name && sq.ownedByColumn === col.name) ex.eng.catalog.sequences.delete(nm);
  Object.assign(col, { name: `........pg.dropped.${col.attnum}........`, dropped: true, notNull: false, defaultExpr: null, missing: undefined, identity: undefined });
  refreshIndexColumns(t);
  refreshColumns(t);
}

/** COERCION_ASSIGNMENT: the implicit casts, plus I/O conversion of any type to a string type. */
function assignmentCast(c: Compiled, target: SqlType): Compiled {
  try {
    return castTo(c, target, false);
  } catch (e) {
    const stringLike = ['text', 'varchar', 'bpchar', 'name'].includes(target.name);
    if (e instanceof PgError && e.sqlstate === '42846' && stringLike) return castTo(c, target, true);
    throw e;
  }
}

/** What ATPrepAlterColumnType works out before anything changes: the new type and the conversion from the old row. */
interface AlterTypePrep { newType: SqlType; conv: Compiled }

/**
 * ATPrepAlterColumnType: the column looked up (42703), the new type resolved and the conversion — USING or an
 * assignment cast of the column — compiled against the table as it is before the statement (42804).
 */
export function prepAlterColumnType(ex: Executor, s: Session, t: Table, name: string, cd: N): AlterTypePrep {
  const col = columnOrError(t, name);
  const newType = columnType(cd);
  const idx = col.attnum - 1;
  if (t.fkeys?.some((f) => f.cols.includes(idx)) || referencingKeys(ex, t).some((r) => r.fk.refCols.includes(idx))) {
    throw notSupported('ALTER COLUMN ... TYPE of a foreign key column');
  }
  // an expression or partial index over the column would be parsed again for the new type (AT_PASS_OLD_INDEX)
  if (t.indexes.some((i) => i.def?.cols.includes(idx))) throw notSupported('ALTER COLUMN ... TYPE of a column an expression index or a partial index reads');
  const snap = () => ex.eng.snapshotFor(s);
  const scope = { ...ex.tableScope(t, null, s, snap, ''), hasSystem: false };
  if (cd.raw_default) {
    const using = compileExpr(materializeLiterals(cd.raw_default) as N, scope);
    try {
      return { newType, conv: assignmentCast(using, newType) };
    } catch (e) {
      if (e instanceof PgError && e.sqlstate === '42846') throw new PgError('42804', `result of USING clause for column "${col.name}" cannot be cast automatically to type ${typeDisplayName(newType)}`, { hint: 'You might need to add an explicit cast.' });
      throw e;
    }
  }
  const ref: Compiled = { fn: (r) => r.vals[idx]!, type: col.type, name: col.name, strength: 2 };
  try {
    return { newType, conv: assignmentCast(ref, newType) };
  } catch (e) {
    if (e instanceof PgError && e.sqlstate === '42846') {
      throw new PgError('42804', `column "${col.name}" cannot be cast automatically to type ${typeDisplayName(newType)}`, { hint: `You might need to specify "USING ${col.name}::${typeDisplayName(newType)}".` });
    }
    throw e;
  }
}

/**
 * ATExecAlterColumnType: the column looked up again (a DROP COLUMN earlier in the statement: 42703), its DEFAULT
 * cast to the new type, the type changed and the CHECK constraints that read the column compiled again (queued for
 * phase 3). A binary-compatible change touches only the catalog; any other gives phase 3 a rewrite.
 */
export function alterColumnType(ex: Executor, s: Session, t: Table, c: N, work: AlterWork): void {
  const col = columnOrError(t, c.name);
  const cd = c.def.ColumnDef as N;
  const idx = col.attnum - 1;
  const tab = work.tab(t);
  const before = tab.oldTypes.get(idx);
  if (before && (before.name !== col.type.name || before.typmod !== col.type.typmod)) throw new PgError('0A000', `cannot alter type of column "${col.name}" twice`);
  const { newType, conv } = (t === work.top ? work.prepared.get(c) : undefined) ?? prepAlterColumnType(ex, s, t, c.name, cd);
  if (col.defaultExpr) {
    // the stored default is an expression of the old type (a literal was coerced to it): an assignment cast to the new
    try { assignmentCast(checkDefault(ex, s, col, col.defaultExpr), newType); } catch (e) {
      if (e instanceof PgError && (e.sqlstate === '42804' || e.sqlstate === '42846')) throw new PgError('42804', `default for column "${col.name}" cannot be cast automatically to type ${typeDisplayName(newType)}`);
      throw e;
    }
  }
  const old = col.type;
  if (!before) tab.oldTypes.set(idx, old);
  // RememberAllDependentForRebuilding: each index on the column, once, dropped and created again after the pass
  for (const i of sortedByOid(t.indexes)) {
    if ((i.columns.includes(idx) || i.include.includes(idx)) && !tab.changedIndexes.includes(i)) tab.changedIndexes.push(i);
  }
  const textual = (x: SqlType) => x.name === 'text' || x.name === 'varchar';
  const binaryCompatible = !cd.raw_default && (
    (old.name === newType.name && (newType.typmod < 0 || (old.typmod >= 0 && newType.typmod >= old.typmod)))
    || (textual(old) && newType.name === 'text') || (old.name === 'text' && newType.name === 'varchar' && newType.typmod < 0));
  col.type = newType;
  refreshColumns(t);
  // the CHECK constraints on the column parsed again for its new type (a failure fails the ALTER), verified in phase 3
  // (newest first, as PostgreSQL 15 parses them again: the first to fail is the one reported)
  const snap = () => ex.eng.snapshotFor(s);
  t.checks = t.checks.slice().reverse().map((ch) => {
    const refs = new Set<string>();
    collectColumnRefs(ch.expr, refs);
    if (!refs.has(col.name)) return { ...ch, compiled: undefined };
    tab.changedChecks.add(ch.name); // …and so is each CHECK constraint on it (a new pg_constraint row)
    const compiled = compileExpr(ch.expr as N, { ...ex.tableScope(t, null, s, snap, ''), hasSystem: false });
    if (!ch.notValid) tab.constraints.push({ name: ch.name, compiled });
    return { ...ch, compiled };
  }).reverse();
  // no rewrite: the old tuples stay, and so does the missing value they read (binary-compatible: the same datum);
  // otherwise the old rows are read with the missing value (ADD COLUMN ... DEFAULT) in place, so it is converted too
  if (binaryCompatible) return;
  const row: Row = { vals: [], item: null, blk: 0, off: 0, aggs: null };
  tab.newvals.push({ idx, fn: (vals) => { row.vals = vals; return conv.fn(row) as Value; }, generated: false });
  tab.rewrite = true;
}
