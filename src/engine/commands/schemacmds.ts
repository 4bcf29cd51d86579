/**
 * Schemas: CREATE SCHEMA and DROP SCHEMA, and which schema a new table goes to. A schema is a pg_namespace row: a
 * name space of its own for relations, so s.t and public.t are different tables. An unqualified name is looked up
 * in search_path's schemas in order (after the session's pg_temp_N), and a new table without a schema goes to the
 * first schema on the path that exists (namespace.c's creation namespace):
 *
 *     CREATE SCHEMA s;  CREATE TABLE s.t (a int);  SET search_path = s, public;
 *     CREATE TABLE u (a int);          -- s.u
 *     SELECT 't'::regclass;            -- t (visible on the path);  after RESET search_path: s.t
 *     DROP SCHEMA s;                   -- ERROR: cannot drop schema s because other objects depend on it (2BP01)
 *     DROP SCHEMA s CASCADE;           -- NOTICE: drop cascades to 2 other objects
 *
 * Mirrors: src/backend/commands/schemacmds.c (CreateSchemaCommand), catalog/namespace.c
 * (RangeVarGetCreationNamespace, LookupExplicitNamespace), catalog/dependency.c (DROP ... CASCADE's report).
 * Simplifications: a CREATE SCHEMA schema holds tables and their indexes only — a view, sequence or serial column,
 * partitioned table or foreign key there is refused (0A000), as are CREATE SCHEMA's own elements (CREATE SCHEMA s
 * CREATE TABLE ...); "$user" on search_path finds no schema; pg_namespace is not readable as a relation.
 */
import { PgError, notSupported, posOf } from '../errors.js';
import type { Executor } from '../executor/executor.js';
import type { Session, QueryResult } from '../session/session.js';
import { PUBLIC_NAMESPACE_OID, tableKey, type Table, type Namespace } from '../catalog/catalog.js';
import { LockMode } from '../lock/lock.js';
import type { N, Gen } from '../executor/util.js';
import { currentRole, roleOf } from './user.js';

/** RangeVarGetCreationNamespace for a permanent relation: its schema ('public' or a CREATE SCHEMA one). */
export function creationSchema(ex: Executor, rv: N): string {
  const cat = ex.eng.catalog;
  if (rv.schemaname) {
    if (rv.schemaname === 'public' || cat.namespaces.has(rv.schemaname)) return rv.schemaname as string;
    if (/^pg_(catalog|toast)$/.test(rv.schemaname)) throw notSupported(`creating relations in ${rv.schemaname}`, posOf(rv.location));
    throw new PgError('3F000', `schema "${rv.schemaname}" does not exist`, { position: posOf(rv.location) });
  }
  const first = cat.pathSchemas()[0];
  if (!first) throw new PgError('3F000', 'no schema has been selected to create in', { position: posOf(rv.location) });
  return first;
}

/** A view or sequence goes to public only here: refuse one whose creation schema is another. */
export function publicOnly(ex: Executor, rv: N, what: string): void {
  if (creationSchema(ex, rv) !== 'public') throw notSupported(`${what} in a schema other than public`, posOf(rv.location));
}

/** pg_class.relnamespace of a table. */
export function namespaceOid(t: Table): number { return t.temp ? t.temp.nsp : t.nsp ? t.nsp.oid : PUBLIC_NAMESPACE_OID; }

/** CREATE SCHEMA [IF NOT EXISTS] name [AUTHORIZATION role] */
export function createSchema(ex: Executor, s: Session, n: N): QueryResult {
  const done: QueryResult = { command: 'CREATE SCHEMA', columns: null, rows: [] };
  const eng = ex.eng, cat = eng.catalog;
  if (n.schemaElts?.length) throw notSupported('CREATE SCHEMA with schema elements (CREATE SCHEMA s CREATE TABLE ...)');
  const owner = n.authrole ? roleOf(eng, s, n.authrole.RoleSpec ?? n.authrole) : currentRole(eng, s);
  const name = String(n.schemaname ?? owner.name);
  if (name.startsWith('pg_')) throw new PgError('42939', `unacceptable schema name "${name}"`, { detail: 'The prefix "pg_" is reserved for system schemas.' });
  ex.checkReadOnly(s, 'CREATE SCHEMA');
  if (name === 'public' || name === 'information_schema' || cat.namespaces.has(name)) {
    if (n.if_not_exists) {
      s.acc.notices.push({ severity: 'NOTICE', sqlstate: '42P06', message: `schema "${name}" already exists, skipping` });
      return done;
    }
    throw new PgError('42P06', `schema "${name}" already exists`);
  }
  eng.ensureXid(s);
  const nsp = { oid: cat.allocOid(), name, owner: owner.oid };
  cat.namespaces.set(name, nsp);
  s.tx!.undo.push(() => cat.namespaces.delete(name));
  s.tx!.cidUsed = true;
  return done;
}

/** DROP SCHEMA [IF EXISTS] name, … [CASCADE | RESTRICT] */
export function* dropSchema(ex: Executor, s: Session, n: N): Gen<QueryResult> {
  const eng = ex.eng, cat = eng.catalog;
  ex.checkReadOnly(s, 'DROP SCHEMA');
  const names = ((n.objects ?? []) as N[]).map((o) => String(o.String?.sval ?? o));
  const found: Namespace[] = [];
  for (const name of names) {
    if (name === 'public' || /^pg_/.test(name)) throw notSupported(`DROP SCHEMA ${name}`);
    const nsp = cat.namespaces.get(name);
    if (!nsp) {
      if (!n.missing_ok) throw new PgError('3F000', `schema "${name}" does not exist`);
      s.acc.notices.push({ severity: 'NOTICE', sqlstate: '00000', message: `schema "${name}" does not exist, skipping` });
      continue;
    }
    found.push(nsp);
  }
  // findDependentObjects: the schemas' tables, in the order pg_depend lists them (creation order here)
  const tables = [...cat.tables.values()].filter((t) => t.nsp && found.some((f) => f.oid === t.nsp!.oid)).sort((a, b) => a.oid - b.oid);
  const lines = tables.map((t) => `table ${t.nsp!.name}.${t.name}`);
  if (tables.length && n.behavior !== 'DROP_CASCADE') {
    throw new PgError('2BP01', `cannot drop schema ${found[0]!.name} because other objects depend on it`, {
      detail: lines.map((l) => `${l} depends on schema ${found[0]!.name}`).join('\n'), hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
    });
  }
  if (lines.length === 1) s.acc.notices.push({ severity: 'NOTICE', sqlstate: '00000', message: `drop cascades to ${lines[0]!}` });
  else if (lines.length) s.acc.notices.push({ severity: 'NOTICE', sqlstate: '00000', message: `drop cascades to ${lines.length} other objects`, detail: lines.map((l) => `drop cascades to ${l}`).join('\n') });
  eng.ensureXid(s);
  for (const nsp of found) {
    cat.namespaces.delete(nsp.name);
    s.tx!.undo.push(() => cat.namespaces.set(nsp.name, nsp));
  }
  for (const t of tables) {
    yield* eng.acquireLock(s, { type: 'relation', rel: t.oid }, LockMode.AccessExclusive);
    const key = tableKey(t);
    cat.tables.delete(key);
    s.tx!.undo.push(() => cat.tables.set(key, t));
  }
  s.tx!.cidUsed = true;
  return { command: 'DROP SCHEMA', columns: null, rows: [] };
}
