/**
 * COMMENT ON: a description attached to an object, kept in pg_description (pg_shdescription for a database) keyed
 * by the catalog the object lives in (classoid: pg_class 1259 for tables, indexes, views, sequences; pg_proc 1255;
 * pg_namespace 2615), its OID (objoid) and, for a column, its attnum (objsubid). IS NULL or IS '' removes it.
 *
 *     COMMENT ON TABLE t IS 'orders';  COMMENT ON COLUMN t.v IS 'the value';
 *     SELECT obj_description('t'::regclass, 'pg_class'), col_description('t'::regclass, 2);  -- orders | the value
 *
 * A comment is part of the transaction (a ROLLBACK takes it back) and goes with its object: DROP TABLE, DROP
 * FUNCTION, DROP COLUMN (dependency.c's DeleteComments). Here a comment is kept until the statement that reads it
 * finds its object gone — the same answer, as OIDs are never reused.
 *
 * Mirrors: src/backend/commands/comment.c (CommentObject, CreateComments, CreateSharedComments, DeleteComments),
 * catalog/objectaddress.c (get_object_address: the "is not a table" / "is not an index" checks), and the SQL
 * functions obj_description / col_description / shobj_description (system_functions.sql).
 * Simplifications: only the user's objects' comments are rows of pg_description (initdb's thousands for the built-in
 * objects are not; those a learner meets — the public schema's and the three databases' — are); COMMENT ON TYPE /
 * DOMAIN (pg_type 1247) and ROLE (pg_shdescription, pg_authid 1260) by a superuser only, not on a built-in type;
 * comments on constraints and the other object kinds are refused with 0A000.
 */
import type { Executor } from '../executor/executor.js';
import type { Engine } from '../engine.js';
import type { Session, QueryResult } from '../session/session.js';
import type { Catalog } from '../catalog/catalog.js';
import { tempKey } from '../catalog/catalog.js';
import { PgError, notSupported } from '../errors.js';
import { ownerCheck, mustBeOwner, type Owned } from '../catalog/acl.js';
import { currentRole } from './user.js';
import { resolveTypeName, typeDisplayName, type SqlType } from '../sql/types.js';
import type { N } from '../executor/util.js';

export const PG_CLASS = 1259, PG_PROC = 1255, PG_NAMESPACE = 2615, PG_DATABASE = 1262, PG_TYPE = 1247, PG_AUTHID = 1260;
/** the system catalogs a description's classoid names, by name (obj_description's second argument) */
export const DESCRIPTION_CATALOGS: Record<string, number> = {
  pg_class: PG_CLASS, pg_proc: PG_PROC, pg_namespace: PG_NAMESPACE, pg_database: PG_DATABASE, pg_type: PG_TYPE, pg_authid: PG_AUTHID,
};

/** initdb's comments on the objects a learner queries (the rest of its pg_description is not modelled) */
const INITDB_COMMENTS: [number, number, number, string][] = [[PG_NAMESPACE, 2200, 0, 'standard public schema']];
const INITDB_SHARED: [number, number, string][] = [
  [PG_DATABASE, 1, 'default template for new databases'], [PG_DATABASE, 4, 'unmodifiable empty database'],
  [PG_DATABASE, 5, 'default administrative connection database'],
];

const key = (classoid: number, objoid: number, subid: number) => `${classoid}/${objoid}/${subid}`;

/** The comments, initdb's included (a COMMENT ... IS NULL on one of them stores its removal: null). */
function stored(cat: Catalog, shared: boolean): Map<string, string | null> {
  return shared ? cat.shdescriptions : cat.descriptions;
}

/** Does the object a description names still exist? (its comment went with it otherwise) */
function objectExists(cat: Catalog, classoid: number, objoid: number, subid: number): boolean {
  if (classoid === PG_PROC) return [...cat.functions.values()].some((fs) => fs.some((f) => f.oid === objoid));
  if (classoid === PG_NAMESPACE) return objoid === 2200;
  if (classoid === PG_TYPE) return !!userType(cat, (t) => t.oid === objoid);
  if (classoid === PG_AUTHID) return [...cat.roles.values()].some((r) => r.oid === objoid);
  if (classoid !== PG_CLASS) return true;
  for (const t of cat.tables.values()) {
    if (t.oid === objoid) return subid === 0 || !!t.columns[subid - 1] && !t.columns[subid - 1]!.dropped;
    if (t.indexes.some((i) => i.oid === objoid)) return true;
  }
  for (const v of cat.views.values()) if (v.oid === objoid) return subid === 0 || subid <= v.columns.length;
  for (const q of cat.sequences.values()) if (q.oid === objoid) return subid === 0;
  return false;
}

/** pg_description's rows (objoid, classoid, objsubid, description), for pg_description and obj_description. */
export function descriptionRows(cat: Catalog): [number, number, number, string][] {
  const out: [number, number, number, string][] = [];
  const own = stored(cat, false);
  for (const [c, o, sub, d] of INITDB_COMMENTS) if (!own.has(key(c, o, sub))) out.push([o, c, sub, d]);
  for (const [k, d] of own) {
    if (d === null) continue;
    const [c, o, sub] = k.split('/').map(Number) as [number, number, number];
    if (objectExists(cat, c, o, sub)) out.push([o, c, sub, d]);
  }
  return out;
}

/** pg_shdescription's rows (objoid, classoid, description). */
export function shDescriptionRows(cat: Catalog): [number, number, string][] {
  const own = stored(cat, true);
  const out: [number, number, string][] = [];
  for (const [c, o, d] of INITDB_SHARED) if (!own.has(key(c, o, 0))) out.push([o, c, d]);
  for (const [k, d] of own) {
    if (d === null) continue;
    const [c, o] = k.split('/').map(Number) as [number, number];
    if (objectExists(cat, c, o, 0)) out.push([o, c, d]);
  }
  return out;
}

/** A type CREATE TYPE / CREATE DOMAIN / CREATE TABLE made (its pg_type row: oid, name), the first one matching. */
function userType(cat: Catalog, match: (t: { oid: number; name: string }) => boolean): { oid: number; name: string } | undefined {
  const all: { oid: number; name: string }[] = [...cat.enums.values(), ...cat.domains.values(), ...cat.composites.values()];
  for (const t of cat.tables.values()) if (!t.temp) all.push({ oid: t.oid + 2, name: t.name });
  for (const v of cat.views.values()) if (!v.temp) all.push({ oid: v.oid + 2, name: v.name });
  return all.find(match);
}

/** A relation by a qualified name list (public, pg_temp or none), of any kind, as COMMENT ON finds it. */
function relationByName(cat: Catalog, names: string[]): { oid: number; kind: string; name: string; owned: Owned; columns: string[] } | null {
  if (names.length > 2) throw notSupported(`a relation name with a catalog (${names.join('.')})`);
  const [schema, name] = names.length === 2 ? [names[0]!, names[1]!] : [undefined, names[0]!];
  if (schema !== undefined && schema !== 'public' && schema !== 'pg_temp') throw notSupported(`COMMENT ON objects of the schema ${schema}`);
  const t = schema === 'pg_temp' ? (cat.current !== null ? cat.tables.get(tempKey(cat.current, name)) : undefined)
    : schema === 'public' ? cat.getIn('public', name) : cat.get(name);
  if (t) {
    return { oid: t.oid, kind: t.matview ? 'm' : t.partKey ? 'p' : 'r', name: t.name, owned: t as Owned,
      columns: t.columns.map((c) => (c.dropped ? '' : c.name)) };
  }
  const ix = schema === 'pg_temp' ? undefined : cat.indexByName(name);
  if (ix) return { oid: ix.index.oid, kind: ix.table.partKey ? 'I' : 'i', name, owned: ix.table as Owned, columns: ix.index.columns.map(String) };
  const v = cat.view(name, schema);
  if (v) return { oid: v.oid, kind: 'v', name, owned: v as Owned, columns: v.columns.map((c) => c.name) };
  const q = cat.sequence(name, schema);
  if (q) return { oid: q.oid, kind: 'S', name, owned: q as unknown as Owned, columns: [] };
  return null;
}

const RELATION_KINDS: Record<string, { kinds: string; what: string; owner: string }> = {
  OBJECT_TABLE: { kinds: 'rp', what: 'a table', owner: 'table' },
  OBJECT_INDEX: { kinds: 'iI', what: 'an index', owner: 'index' },
  OBJECT_VIEW: { kinds: 'v', what: 'a view', owner: 'view' },
  OBJECT_SEQUENCE: { kinds: 'S', what: 'a sequence', owner: 'sequence' },
  OBJECT_MATVIEW: { kinds: 'm', what: 'a materialized view', owner: 'materialized view' },
};

/** CommentObject: find the object, check ownership, store (or remove) its description as the transaction's work. */
export function commentStmt(ex: Executor, s: Session, n: N): QueryResult {
  const eng = ex.eng, cat = eng.catalog;
  const objtype = n.objtype as string;
  const text = (n.comment as string | undefined) ?? null;
  const role = currentRole(eng, s);
  let target: { classoid: number; objoid: number; subid: number; shared: boolean };
  const items = (): string[] => ((n.object?.List?.items ?? []) as N[]).map((x) => x.String.sval as string);
  if (RELATION_KINDS[objtype]) {
    const k = RELATION_KINDS[objtype]!;
    const names = items();
    const r = relationByName(cat, names);
    if (!r) throw new PgError('42P01', `relation "${names.join('.')}" does not exist`);
    if (!k.kinds.includes(r.kind)) throw new PgError('42809', `"${r.name}" is not ${k.what}`);
    if (!ownerCheck(r.owned, role)) throw mustBeOwner(k.owner, r.name);
    target = { classoid: PG_CLASS, objoid: r.oid, subid: 0, shared: false };
  } else if (objtype === 'OBJECT_COLUMN') {
    const names = items();
    const col = names[names.length - 1]!, rel = names.slice(0, -1);
    if (!rel.length) throw new PgError('42601', 'column name must be qualified');
    const r = relationByName(cat, rel);
    if (!r || 'iIS'.includes(r.kind)) throw new PgError('42P01', `relation "${rel.join('.')}" does not exist`);
    const attnum = r.columns.indexOf(col) + 1;
    if (attnum === 0) throw new PgError('42703', `column "${col}" of relation "${r.name}" does not exist`);
    if (!ownerCheck(r.owned, role)) throw mustBeOwner(r.kind === 'v' ? 'view' : r.kind === 'm' ? 'materialized view' : 'table', r.name);
    target = { classoid: PG_CLASS, objoid: r.oid, subid: attnum, shared: false };
  } else if (objtype === 'OBJECT_FUNCTION' || objtype === 'OBJECT_PROCEDURE') {
    const what = objtype === 'OBJECT_PROCEDURE' ? 'procedure' : 'function';
    const ow = n.object.ObjectWithArgs as N;
    const names = (ow.objname as N[]).map((x) => x.String.sval as string);
    const name = names[names.length - 1]!;
    const temp = names.length === 2 && /^pg_temp(_\d+)?$/.test(names[0]!);
    if (names.length > 1 && !temp && names[0] !== 'public') throw notSupported(`functions in the schema ${names[0]}`);
    const list = cat.functionsNamed(name, temp ? 'pg_temp' : undefined) ?? [];
    let f = list[0];
    if (ow.args_unspecified) {
      if (list.length > 1) throw new PgError('42725', `${what} name "${names.join('.')}" is not unique`, { hint: `Specify the argument list to select the ${what} unambiguously.` });
      if (!f) throw new PgError('42883', `could not find a ${what} named "${names.join('.')}"`);
    } else {
      const want: SqlType[] = ((ow.objargs ?? []) as N[]).map((a) => {
        const tn = a.TypeName ?? a;
        return resolveTypeName((tn.names as N[]).map((x) => x.String.sval as string), [], undefined, tn.arrayBounds);
      });
      f = list.find((g) => g.args.filter((a) => !a.output || g.kind === 'procedure').length === want.length
        && g.args.every((a, i) => a.type !== 'any' && a.type.name === want[i]!.name));
      if (!f) throw new PgError('42883', `${what} ${names.join('.')}(${want.map(typeDisplayName).join(', ')}) does not exist`);
    }
    if ((f.kind === 'procedure') !== (what === 'procedure')) throw new PgError('42809', `${f.name}(${f.args.map((a) => a.typeName).join(', ')}) is not a ${what}`);
    target = { classoid: PG_PROC, objoid: f.oid, subid: 0, shared: false };
  } else if (objtype === 'OBJECT_SCHEMA') {
    const name = n.object.String.sval as string;
    if (name !== 'public') {
      if (cat.namespaces.has(name)) throw notSupported('COMMENT ON a schema CREATE SCHEMA made');
      throw new PgError('3F000', `schema "${name}" does not exist`);
    }
    if (!role.superuser) throw mustBeOwner('schema', name); // pg_database_owner owns public: not modelled for others
    target = { classoid: PG_NAMESPACE, objoid: 2200, subid: 0, shared: false };
  } else if (objtype === 'OBJECT_DATABASE') {
    const name = n.object.String.sval as string;
    const oid = ({ postgres: 5, template1: 1, template0: 4 } as Record<string, number>)[name];
    if (oid === undefined) throw new PgError('3D000', `database "${name}" does not exist`);
    if (!role.superuser) throw mustBeOwner('database', name);
    target = { classoid: PG_DATABASE, objoid: oid, subid: 0, shared: true };
  } else if (objtype === 'OBJECT_ROLE') {
    // a role is a shared object: pg_shdescription (CreateSharedComments)
    const name = n.object.String.sval as string;
    const r = cat.roles.get(name);
    if (!r) throw new PgError('42704', `role "${name}" does not exist`);
    if (!role.superuser) throw notSupported('COMMENT ON ROLE by a role without SUPERUSER (CREATEROLE is not modelled)');
    target = { classoid: PG_AUTHID, objoid: r.oid, subid: 0, shared: true };
  } else if (objtype === 'OBJECT_TYPE' || objtype === 'OBJECT_DOMAIN') {
    const tn = n.object.TypeName ?? n.object;
    const names = ((tn.names ?? []) as N[]).map((x) => x.String.sval as string);
    const name = names[names.length - 1]!;
    if (names.length > 1 && names[0] !== 'public') throw notSupported(`COMMENT ON types of the schema ${names[0]}`);
    const t = userType(cat, (x) => x.name === name);
    if (!t) {
      let builtin = false;
      try { resolveTypeName(names, [], undefined, tn.arrayBounds); builtin = true; } catch { /* not a type at all */ }
      if (builtin) throw notSupported('COMMENT ON a built-in type');
      throw new PgError('42704', `type "${names.join('.')}" does not exist`);
    }
    if (objtype === 'OBJECT_DOMAIN' && !cat.domains.has(name)) throw new PgError('42809', `"${name}" is not a domain`);
    if (!role.superuser) throw notSupported('COMMENT ON TYPE by a role without SUPERUSER (type owners are not modelled)');
    target = { classoid: PG_TYPE, objoid: t.oid, subid: 0, shared: false };
  } else {
    throw notSupported(`COMMENT ON ${objtype.replace('OBJECT_', '').replace('TABCONSTRAINT', 'CONSTRAINT').replace(/_/g, ' ')}`);
  }
  setComment(eng, s, target.classoid, target.objoid, target.subid, target.shared, text === '' ? null : text);
  return { command: 'COMMENT', columns: null, rows: [] };
}

/** CreateComments: store (or, for NULL, delete) the description, undone if the transaction aborts. */
function setComment(eng: Engine, s: Session, classoid: number, objoid: number, subid: number, shared: boolean, text: string | null): void {
  const m = stored(eng.catalog, shared);
  const k = key(classoid, objoid, subid);
  eng.ensureXid(s);
  s.tx!.cidUsed = true;
  const had = m.has(k), before = m.get(k);
  m.set(k, text);
  s.tx!.undo.push(() => { if (had) m.set(k, before!); else m.delete(k); });
}
