/**
 * User-defined types: CREATE TYPE name AS ENUM (...), CREATE TYPE name AS (field type, ...) — a composite type,
 * whose values are rows (adt/rowtypes.ts) — ALTER TYPE name ADD VALUE, DROP TYPE; CREATE DOMAIN and DROP
 * DOMAIN (a domain's constraints and how coercion checks them: adt/domains.ts). An enum type is a
 * pg_type row (typtype 'e') with one pg_enum row per label (adt/enum.ts); a column of the type depends on it, so
 * DROP TYPE refuses while one exists (2BP01):
 *
 *     CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');        -- sort orders 1, 2, 3
 *     ALTER TYPE mood ADD VALUE 'meh' AFTER 'sad';             -- sort order 1.5
 *     ALTER TYPE mood ADD VALUE 'ecstatic';                    -- 4: after the last
 *     CREATE TABLE p (m mood);  DROP TYPE mood;                -- cannot drop type mood because other objects depend on it
 *
 * Mirrors: src/backend/commands/typecmds.c (DefineEnum, AlterEnum, DefineDomain, RemoveTypeById), catalog/pg_enum.c
 * (EnumValuesCreate, AddEnumLabel), catalog/dependency.c's report.
 * Simplifications: enum types live in public only (a schema-qualified name other than public is refused); DROP TYPE
 * ... CASCADE of a type a column uses is refused (0A000; PostgreSQL drops the column); range and base types,
 * ALTER TYPE on a composite type (ADD / DROP / ALTER ATTRIBUTE) and ALTER DOMAIN are refused (0A000); an enum's array type exists (mood[]) but
 * has no pg_type row of its own here.
 */
import { PgError, notSupported, posOf } from '../errors.js';
import { rowTypeLookup, type CompositeType, type RowField } from '../adt/rowtypes.js';
import type { Executor } from '../executor/executor.js';
import type { Session, QueryResult } from '../session/session.js';
import type { N } from '../executor/util.js';
import type { Catalog } from '../catalog/catalog.js';
import { stampCreated, catalogSees } from '../catalog/catalogsnapshot.js';
import { enumLookup, type EnumType, type EnumLabel } from '../adt/enum.js';
import { PG15_TYPES } from '../catalog/pg15names.js';
import { type SqlType, type Value, resolveTypeName } from '../sql/types.js';
import { domainLookup, type DomainType, type DomainConstraint } from '../adt/domains.js';
import { compileExpr } from '../sql/expr.js';
import type { Compiled, Row } from '../sql/primnodes.js';
import { intConst, materializeLiterals } from '../sql/parser.js';
import { utf8Len } from '../sql/utf8.js';

const NAMEDATALEN = 64;

/** Point enum input / output at this catalog (the executor does so for each statement it runs). */
export function setEnumLookup(cat: Catalog, ex?: Executor, s?: Session): void {
  domainLookup.byName = (name) => { const d = cat.domains.get(name); return d && catalogSees(cat, d.nameXmin) ? d : undefined; };
  domainLookup.checker = (oid) => {
    const d = [...cat.domains.values()].find((x) => x.oid === oid);
    if (!d) return () => {};
    return domainChecker(d, ex, s);
  };
  rowTypeLookup.byName = (name) => {
    const c = cat.composites.get(name);
    if (c && catalogSees(cat, c.nameXmin)) return { name: c.name, typeOid: c.oid, fields: c.fields, table: false };
    const t = cat.get(name);
    // a table's row type: its pg_type row was made right after the table's array type (heap_create_with_catalog)
    if (t) return { name: t.name, typeOid: t.oid + 2, fields: t.columns.filter((x) => !x.dropped).map((x) => ({ name: x.name, type: x.type })), table: true };
    return undefined;
  };
  enumLookup.byName = (name) => { const e = cat.enums.get(name); return e && catalogSees(cat, e.nameXmin) ? e : undefined; };
  enumLookup.byOid = (oid) => { for (const e of cat.enums.values()) if (e.oid === oid) return e; return undefined; };
  enumLookup.state = (xmin) => {
    if (xmin === undefined) return 'committed';
    const owner = cat.pendingXids.get(xmin);
    return owner === undefined ? 'committed' : owner === cat.current ? 'mine' : 'invisible';
  };
}

/** the type's unqualified name (public. or pg_catalog. allowed as the qualifier) */
function typeNameOf(names: N[]): string {
  const parts = names.map((x) => String(x.String?.sval ?? x));
  if (parts.length > 1 && parts[parts.length - 2] !== 'public') throw notSupported(`types in the schema ${parts[parts.length - 2]}`);
  return parts[parts.length - 1]!;
}

function checkLabel(label: string): void {
  if (utf8Len(label) > NAMEDATALEN - 1) throw new PgError('42602', `invalid enum label "${label}"`, { detail: `Labels must be ${NAMEDATALEN - 1} bytes or less.` });
}

/** CREATE TYPE name AS ENUM ('label', ...) */
export function createEnum(ex: Executor, s: Session, n: N): QueryResult {
  const eng = ex.eng, cat = eng.catalog;
  ex.checkReadOnly(s, 'CREATE TYPE');
  const name = typeNameOf(n.typeName ?? []);
  // a type of that name: another enum, a table's row type, a built-in (pg_type_typname_nsp_index)
  if (typeExists(cat, name)) {
    throw new PgError('42710', `type "${name}" already exists`);
  }
  const labels = ((n.vals ?? []) as N[]).map((v) => String(v.String?.sval ?? v));
  labels.forEach(checkLabel);
  const xid = eng.ensureXid(s);
  cat.allocOid(); // its array type _name, assigned first (DefineEnum's AssignTypeArrayOid)
  const oid = cat.allocOid();
  const seen = new Set<string>();
  const rows: EnumLabel[] = labels.map((label, i) => {
    if (seen.has(label)) throw new PgError('23505', 'duplicate key value violates unique constraint "pg_enum_typid_label_index"', { detail: `Key (enumtypid, enumlabel)=(${oid}, ${label}) already exists.` });
    seen.add(label);
    // EnumValuesCreate: the labels take even OIDs (an odd one is skipped), so that their OID order is their sort order
    let labelOid = cat.allocOid();
    while (labelOid & 1) labelOid = cat.allocOid();
    return { oid: labelOid, label, sortOrder: i + 1, added: false };
  });
  const t: EnumType = { oid, name, labels: rows };
  stampCreated(cat, s.name, xid as number, t);
  for (const r of rows) r.nameXmin = t.nameXmin;
  cat.enums.set(name, t);
  s.tx!.undo.push(() => { if (cat.enums.get(name) === t) cat.enums.delete(name); });
  s.tx!.cidUsed = true;
  return { command: 'CREATE TYPE', columns: null, rows: [] };
}

/**
 * CREATE TYPE name AS (field type, ...) (DefineCompositeType): a pg_class row of relkind 'c' holding the fields as
 * its attributes, then its array type and its pg_type row (typtype 'c'), in heap_create_with_catalog's order.
 */
export function createComposite(ex: Executor, s: Session, n: N): QueryResult {
  const eng = ex.eng, cat = eng.catalog;
  ex.checkReadOnly(s, 'CREATE TYPE');
  const rv = n.typevar ?? {};
  if (rv.schemaname && rv.schemaname !== 'public') throw notSupported(`types in the schema ${String(rv.schemaname)}`);
  const name = String(rv.relname);
  // DefineCompositeType: the type name first, then DefineRelation — MergeAttributes' duplicate names, the
  // attributes' types, and heap_create_with_catalog's relation name (an index or sequence of that name)
  if (typeExists(cat, name)) throw new PgError('42710', `type "${name}" already exists`);
  const defs = ((n.coldeflist ?? []) as N[]).map((el) => el.ColumnDef as N);
  defs.forEach((cd, i) => { if (defs.slice(0, i).some((o) => o.colname === cd.colname)) throw new PgError('42701', `column "${String(cd.colname)}" specified more than once`); });
  const fields: RowField[] = defs.map((cd) => {
    const tn = cd.typeName;
    if (cd.collClause) throw notSupported('COLLATE on a composite type\'s attribute');
    const mods = ((tn.typmods ?? []) as N[]).map((m) => intConst(m.A_Const) ?? 0);
    const tnames = (tn.names as N[]).map((x) => String(x.String.sval));
    if (tnames[tnames.length - 1] === 'record') throw new PgError('42P16', `column "${String(cd.colname)}" has pseudo-type record${tn.arrayBounds?.length ? '[]' : ''}`);
    return { name: String(cd.colname), type: resolveTypeName((tn.names as N[]).map((x) => String(x.String.sval)), mods, posOf(tn.location), tn.arrayBounds) };
  });
  if (cat.relationExists(name)) throw new PgError('42P07', `relation "${name}" already exists`);
  const xid = eng.ensureXid(s) as number;
  const relOid = cat.allocOid();
  cat.allocOid(); // its array type _name
  const t: CompositeType = { oid: cat.allocOid(), relOid, name, fields };
  stampCreated(cat, s.name, xid, t);
  cat.composites.set(name, t);
  s.tx!.undo.push(() => { if (cat.composites.get(name) === t) cat.composites.delete(name); });
  s.tx!.cidUsed = true;
  return { command: 'CREATE TYPE', columns: null, rows: [] };
}

/** ALTER TYPE name ADD VALUE [IF NOT EXISTS] 'label' [BEFORE | AFTER 'neighbour'] (AddEnumLabel's sort orders) */
export function alterEnum(ex: Executor, s: Session, n: N): QueryResult {
  const eng = ex.eng;
  const done: QueryResult = { command: 'ALTER TYPE', columns: null, rows: [] };
  ex.checkReadOnly(s, 'ALTER TYPE');
  if (n.oldVal) throw notSupported('ALTER TYPE ... RENAME VALUE');
  const name = typeNameOf(n.typeName ?? []);
  const t = enumLookup.byName(name);
  if (!t) throw new PgError('42704', `type "${name}" does not exist`);
  const label = String(n.newVal);
  checkLabel(label);
  const visible = t.labels.filter((l) => enumLookup.state(l.nameXmin) !== 'invisible');
  if (visible.some((l) => l.label === label)) {
    if (n.skipIfNewValExists) { s.acc.notices.push({ severity: 'NOTICE', sqlstate: '42710', message: `enum label "${label}" already exists, skipping` }); return done; }
    throw new PgError('42710', `enum label "${label}" already exists`);
  }
  let sortOrder: number;
  if (n.newValNeighbor !== undefined) {
    const i = visible.findIndex((l) => l.label === n.newValNeighbor);
    if (i < 0) throw new PgError('22023', `"${String(n.newValNeighbor)}" is not an existing enum label`);
    const after = !!n.newValIsAfter;
    const other = visible[after ? i + 1 : i - 1];
    const here = visible[i]!.sortOrder;
    sortOrder = other ? Math.fround((here + other.sortOrder) / 2) : after ? here + 1 : here - 1;
  } else {
    sortOrder = visible.length ? visible[visible.length - 1]!.sortOrder + 1 : 1;
  }
  const xid = eng.ensureXid(s) as number;
  const row: EnumLabel = { oid: eng.catalog.allocOid(), label, sortOrder, added: true };
  stampCreated(eng.catalog, s.name, xid, row);
  const before = t.labels;
  t.labels = [...t.labels, row].sort((a, b) => a.sortOrder - b.sortOrder);
  s.tx!.undo.push(() => { t.labels = before; });
  s.tx!.cidUsed = true;
  return done;
}


/** A DROP TYPE / DROP DOMAIN name that names nothing: an error, or with IF EXISTS a NOTICE and on to the next. */
function typeMissing(s: Session, n: N, name: string): void {
  if (!n.missing_ok) throw new PgError('42704', `type "${name}" does not exist`);
  s.acc.notices.push({ severity: 'NOTICE', sqlstate: '00000', message: `type "${name}" does not exist, skipping` });
}

/** A type leaves the catalog with the transaction: put back if it aborts. */
function dropEntry<V>(s: Session, map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  s.tx!.undo.push(() => map.set(key, value));
}

/** DROP TYPE [IF EXISTS] name, ... [CASCADE | RESTRICT] */
export function dropType(ex: Executor, s: Session, n: N): QueryResult {
  const eng = ex.eng, cat = eng.catalog;
  ex.checkReadOnly(s, 'DROP TYPE');
  const found: EnumType[] = [];
  for (const o of (n.objects ?? []) as N[]) {
    const name = typeNameOf(o.TypeName?.names ?? []);
    const t = enumLookup.byName(name);
    if (!t) {
      const comp = cat.composites.get(name);
      if (comp && catalogSees(cat, comp.nameXmin)) {
        checkNoDependents(cat, n, comp.name, (ty) => ty.composite?.typeOid === comp.oid);
        eng.ensureXid(s);
        dropEntry(s, cat.composites, comp.name, comp);
        continue;
      }
      const dom = domainLookup.byName(name);
      if (dom) { // DROP TYPE drops a domain too
        checkNoDependents(cat, n, dom.name, (ty) => ty.domain?.oid === dom.oid);
        eng.ensureXid(s);
        dropEntry(s, cat.domains, dom.name, dom);
        continue;
      }
      // a table's row type: DROP TABLE drops it (findDependentObjects: the type is the table's internal dependent)
      if (cat.get(name)) throw new PgError('2BP01', `cannot drop type ${name} because table ${name} requires it`, { hint: `You can drop table ${name} instead.` });
      if (PG15_TYPES.has(name)) throw notSupported(`DROP TYPE of the built-in type ${name}`);
      typeMissing(s, n, name);
      continue;
    }
    found.push(t);
  }
  for (const t of found) checkNoDependents(cat, n, t.name, (ty) => ty.enumType?.oid === t.oid);
  if (found.length) eng.ensureXid(s);
  for (const t of found) dropEntry(s, cat.enums, t.name, t);
  s.tx!.cidUsed = true;
  return { command: 'DROP TYPE', columns: null, rows: [] };
}

const compiledChecks = new WeakMap<DomainConstraint, Compiled>();

/** CoerceToDomain's tests for one domain: NOT NULL, then the CHECKs (VALUE: the value being coerced). */
function domainChecker(d: DomainType, ex: Executor | undefined, s: Session | undefined): (v: Value) => void {
  const compile = (c: DomainConstraint): Compiled => {
    let f = compiledChecks.get(c);
    if (!f) {
      if (!ex || !s) throw notSupported('a domain CHECK constraint here');
      const noSub = () => { throw notSupported('subqueries in a domain CHECK'); };
      f = compileExpr(c.expr as N, { relName: null, alias: null, columns: [{ name: 'value', type: d.base }], hasSystem: false, env: ex.env(s, noSub), sql: '' });
      compiledChecks.set(c, f);
    }
    return f;
  };
  return (v) => {
    if (v === null && d.notNull) throw new PgError('23502', `domain ${d.name} does not allow null values`);
    for (const c of d.checks) {
      const row: Row = { vals: [v], item: null, blk: 0, off: 0, aggs: null };
      if (compile(c).fn(row) === false) throw new PgError('23514', `value for domain ${d.name} violates check constraint "${c.name}"`);
    }
  };
}

const typeExists = (cat: Catalog, name: string) =>
  !!(enumLookup.byName(name) || domainLookup.byName(name) || cat.get(name) || cat.view(name) || cat.sequence(name) || cat.composites.has(name));

/** CREATE DOMAIN name [AS] type [DEFAULT e] [[CONSTRAINT c] NOT NULL | NULL | CHECK (...)] ... */
export function createDomain(ex: Executor, s: Session, n: N): QueryResult {
  const eng = ex.eng, cat = eng.catalog;
  ex.checkReadOnly(s, 'CREATE DOMAIN');
  const name = typeNameOf(n.domainname ?? []);
  if (typeExists(cat, name)) throw new PgError('42710', `type "${name}" already exists`);
  const tn = n.typeName;
  if (n.collClause) throw notSupported('CREATE DOMAIN ... COLLATE');
  const mods = ((tn.typmods ?? []) as N[]).map((m) => intConst(m.A_Const) ?? 0);
  const base = resolveTypeName((tn.names as N[]).map((x) => String(x.String.sval)), mods, undefined, tn.arrayBounds);
  if (base.domain) throw notSupported('a domain over another domain');
  if (base.elem) throw notSupported('a domain over an array type');
  if (base.name === 'record') throw notSupported('a domain over a row type');
  let defaultExpr: unknown | null = null, notNull = false;
  const checks: DomainConstraint[] = [];
  const used = new Set<string>();
  for (const el of (n.constraints ?? []) as N[]) {
    const c = el.Constraint;
    switch (c.contype) {
      case 'CONSTR_DEFAULT':
        if (defaultExpr) throw new PgError('42601', 'multiple default expressions');
        defaultExpr = materializeLiterals(c.raw_expr); break;
      case 'CONSTR_NOTNULL': notNull = true; break;
      case 'CONSTR_NULL': if (notNull) throw new PgError('42601', 'conflicting NULL/NOT NULL constraints'); break;
      case 'CONSTR_CHECK': {
        if (c.is_no_inherit) throw new PgError('42P17', 'check constraints for domains cannot be marked NO INHERIT');
        let cname = c.conname as string | undefined;
        if (!cname) { for (let i = 0; ; i++) { const cand = `${name}_check${i ? i : ''}`; if (!used.has(cand)) { cname = cand; break; } } }
        used.add(cname!);
        checks.push({ name: cname!, expr: materializeLiterals(c.raw_expr) });
        break;
      }
      default: throw notSupported(`${String(c.contype).replace('CONSTR_', '')} constraints on a domain`);
    }
  }
  const xid = eng.ensureXid(s) as number;
  cat.allocOid(); // its array type, assigned first (DefineDomain's AssignTypeArrayOid)
  const d: DomainType = { oid: cat.allocOid(), name, base, defaultExpr, notNull, checks };
  // PostgreSQL checks each CHECK in constraint-name order
  d.checks.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // the CHECK expressions must compile against VALUE (a column reference to anything else fails now)
  for (const c of d.checks) compileExpr(c.expr as N, { relName: null, alias: null, columns: [{ name: 'value', type: base }], hasSystem: false, env: ex.env(s, () => { throw notSupported('subqueries in a domain CHECK'); }), sql: '' });
  stampCreated(cat, s.name, xid, d);
  cat.domains.set(name, d);
  s.tx!.undo.push(() => { if (cat.domains.get(name) === d) cat.domains.delete(name); });
  s.tx!.cidUsed = true;
  return { command: 'CREATE DOMAIN', columns: null, rows: [] };
}

/** DROP DOMAIN [IF EXISTS] name, ... [CASCADE | RESTRICT] */
export function dropDomain(ex: Executor, s: Session, n: N): QueryResult {
  const eng = ex.eng, cat = eng.catalog;
  ex.checkReadOnly(s, 'DROP DOMAIN');
  const found: DomainType[] = [];
  for (const o of (n.objects ?? []) as N[]) {
    const name = typeNameOf(o.TypeName?.names ?? []);
    const d = domainLookup.byName(name);
    if (!d) {
      if (enumLookup.byName(name)) throw new PgError('42809', `"${name}" is not a domain`);
      typeMissing(s, n, name);
      continue;
    }
    found.push(d);
  }
  for (const d of found) checkNoDependents(cat, n, d.name, (t) => t.domain?.oid === d.oid);
  if (found.length) eng.ensureXid(s);
  for (const d of found) dropEntry(s, cat.domains, d.name, d);
  s.tx!.cidUsed = true;
  return { command: 'DROP DOMAIN', columns: null, rows: [] };
}

/**
 * The objects whose columns use a type (findDependentObjects' list for a pg_type row): table columns and composite
 * types' attributes, in the order they were made, and views showing such a column; `except`: tables the same DROP
 * removes. An array of the type counts; a row type holding one that holds it does not (it depends on the inner one).
 */
export function typeDependents(cat: Catalog, uses: (t: SqlType) => boolean, except?: ReadonlySet<string>): string[] {
  const deep = (t: SqlType): boolean => uses(t) || (!!t.elem && deep(t.elem));
  const deps: { oid: number; what: string }[] = [];
  for (const tab of cat.tables.values()) {
    if (!catalogSees(cat, tab.nameXmin) || except?.has(tab.name)) continue;
    for (const c of tab.columns) if (!c.dropped && deep(c.type)) deps.push({ oid: tab.oid, what: `column ${c.name} of table ${tab.name}` });
  }
  for (const ct of cat.composites.values()) {
    if (!catalogSees(cat, ct.nameXmin)) continue;
    for (const f of ct.fields) if (deep(f.type)) deps.push({ oid: ct.relOid, what: `column ${f.name} of composite type ${ct.name}` });
  }
  deps.sort((a, b) => a.oid - b.oid);
  const out = deps.map((d) => d.what);
  for (const v of cat.views.values()) if (v.columns.some((c) => deep(c.type))) out.push(`view ${v.name}`);
  return out;
}

/** findDependentObjects' report for a type: the columns (and views) using it — 2BP01, or 0A000 for CASCADE */
function checkNoDependents(cat: Catalog, n: N, typeName: string, uses: (t: SqlType) => boolean): void {
  const deps = typeDependents(cat, uses);
  if (!deps.length) return;
  if (n.behavior === 'DROP_CASCADE') throw notSupported(`DROP ... CASCADE of a type that ${deps[0]} uses (dropping the dependent columns)`);
  throw new PgError('2BP01', `cannot drop type ${typeName} because other objects depend on it`, {
    detail: deps.map((d) => `${d} depends on type ${typeName}`).join('\n'), hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
  });
}
