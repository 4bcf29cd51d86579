/**
 * has_column_privilege, has_any_column_privilege, has_schema_privilege, has_database_privilege,
 * has_function_privilege: may a role use this column, schema, database or function in these ways? As for
 * has_table_privilege (privileges.ts), the privileges are a comma-separated, case-insensitive list (any one held is
 * enough), each optionally WITH GRANT OPTION; the role is named, given by OID, or the current one; an object named
 * that does not exist is an error, one given by OID (or a column by attnum) that does not exist gives NULL.
 *
 *     CREATE ROLE alice;  GRANT SELECT ON t TO alice;
 *     SELECT has_column_privilege('alice', 't', 'a', 'SELECT');          -- t  (the table's grant covers its columns)
 *     SELECT has_schema_privilege('alice', 'public', 'CREATE');          -- f  (PostgreSQL 15: only its owner creates)
 *     SELECT has_database_privilege('alice', current_database(), 'TEMP'); -- t  (PUBLIC's default: CONNECT, TEMP)
 *     SELECT has_function_privilege('alice', 'lower(text)', 'EXECUTE');  -- t  (PUBLIC's default: EXECUTE)
 *
 * The defaults are PostgreSQL 15's acldefault(): a database grants CONNECT and TEMPORARY to PUBLIC (template0 and
 * template1 CONNECT only, as initdb leaves them), a function EXECUTE to PUBLIC; the public schema (owned by
 * pg_database_owner) grants USAGE to PUBLIC and CREATE to its owner only, pg_catalog and information_schema USAGE
 * to PUBLIC; a CREATE SCHEMA schema gives nothing to anyone but its owner. A superuser holds everything; a grant
 * option only the owner (bootstrap superuser for the databases and built-in objects).
 *
 * Mirrors: src/backend/utils/adt/acl.c (has_column_privilege_*, column_privilege_check, has_schema_privilege_*,
 * has_database_privilege_*, has_function_privilege_*, convert_*_priv_string), catalog/aclchk.c (pg_attribute_aclcheck,
 * pg_namespace_aclcheck, pg_database_aclcheck, pg_proc_aclcheck). Simplifications: GRANT on columns, schemas,
 * databases and functions is not modelled (GRANT refuses it with 0A000), so every answer comes from the defaults
 * above and the table's own privileges; a built-in function's signature is matched on its argument types' names
 * as pg_proc lists them (no implicit casts, as regprocedurein); has_function_privilege of a built-in function's
 * OID gives NULL (built-in OIDs are not modelled).
 */
import { PgError } from '../../errors.js';
import { register, type FuncDef, type CallCtx } from './registry.js';
import { T, type Value, type SqlType, regprocLookup, resolveTypeName } from '../types.js';
import { host } from '../../contrib/host.js';
import { aclCheck, ownerCheck, type Role } from '../../catalog/acl.js';
import { PUBLIC_NAMESPACE_OID, DATABASE_OID, type Table } from '../../catalog/catalog.js';
import { PG15_FUNCTION_SIGNATURES } from '../../catalog/pg15names.js';
import { roleArg, tableArg, type Arg } from './privileges.js';

type Priv = { key: string; grant: boolean };

/** convert_any_priv_string: the privileges asked for, checked against the ones this kind of object has. */
function privList(text: string, known: Record<string, string>): Priv[] {
  return text.split(',').map((chunk) => {
    let p = chunk.trim();
    const m = /^(.*?)\s+with\s+grant\s+option$/i.exec(p);
    if (m) p = m[1]!.trim();
    const key = known[p.toLowerCase()];
    if (key === undefined) throw new PgError('22023', `unrecognized privilege type: "${chunk.trim()}"`);
    return { key, grant: !!m };
  });
}

const COLUMN_PRIVS: Record<string, string> = { select: 'r', insert: 'a', update: 'w', references: 'x' };
const SCHEMA_PRIVS: Record<string, string> = { create: 'C', usage: 'U' };
const DATABASE_PRIVS: Record<string, string> = { create: 'C', connect: 'c', temporary: 'T', temp: 'T' };
const FUNCTION_PRIVS: Record<string, string> = { execute: 'X' };

/** an identifier as text: "quoted" kept as written, otherwise folded to lower case */
const identText = (v: Value): string => {
  const raw = String(v).trim();
  return raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1).replace(/""/g, '"') : raw.toLowerCase();
};

/** Build the overloads of one function: [role?] then the object's argument kinds, then the privilege text. */
function forms(name: string, objs: (Arg | 'int2')[][], check: (c: CallCtx, role: Role | null, objs: Value[], privs: string) => boolean | null): FuncDef[] {
  const out: FuncDef[] = [];
  for (const user of [null, 'text', 'oid'] as const) {
    for (const o of objs) {
      out.push({
        name, args: [...(user ? [user] : []), ...o, 'text'], ret: T.bool,
        build: (args, c) => {
          const fs = args.map((a) => a.fn);
          return (r) => {
            const vs = fs.map((f) => f(r));
            if (vs.some((x) => x === null)) return null;
            const u = user ? vs.shift()! : null;
            const pv = vs.pop()!;
            const role = roleArg(c, user, u);
            return check(c, role, vs, String(pv));
          };
        },
      });
    }
  }
  return out;
}

// ------------------------------------------------------------------ columns

/** column_privilege_check: the column by name (42703 when there is none) or attnum (NULL when none or dropped) */
function columnOf(t: Table, kind: 'text' | 'int2', v: Value): { attnum: number } | null {
  const sys: Record<string, number> = { ctid: -1, xmin: -2, cmin: -3, xmax: -4, cmax: -5, tableoid: -6 };
  if (kind === 'int2') {
    const n = Number(v);
    if (n < 0) return Object.values(sys).includes(n) ? { attnum: n } : null;
    const col = t.columns.find((x) => x.attnum === n && !x.dropped);
    return col ? { attnum: n } : null;
  }
  const name = identText(v);
  const col = t.columns.find((x) => x.name === name && !x.dropped);
  if (col) return { attnum: col.attnum };
  if (name in sys) return { attnum: sys[name]! };
  throw new PgError('42703', `column "${name}" of relation "${t.name}" does not exist`);
}

const tableHolds = (t: Table, role: Role | null, privs: Priv[]): boolean => {
  if (!role) return false;
  return privs.some(({ key, grant }) => (grant ? ownerCheck(t, role) : aclCheck(t, role, key)));
};

const columnDefs = forms('has_column_privilege', [['text', 'text'], ['text', 'int2'], ['oid', 'text'], ['oid', 'int2']], (c, role, [tv, cv], p) => {
  const privs = privList(p, COLUMN_PRIVS);
  const t = tableArg(c, typeof tv === 'string' ? 'text' : 'oid', tv!, 'has_column_privilege') as Table | null;
  if (!t) return null;
  const col = columnOf(t, typeof cv === 'number' ? 'int2' : 'text', cv!);
  if (!col) return null;
  // no column grants are modelled: a column's privilege is its table's
  return tableHolds(t, role, privs);
});

const anyColumnDefs = forms('has_any_column_privilege', [['text'], ['oid']], (c, role, [tv], p) => {
  const privs = privList(p, COLUMN_PRIVS);
  const t = tableArg(c, typeof tv === 'string' ? 'text' : 'oid', tv!, 'has_any_column_privilege') as Table | null;
  if (!t) return null;
  return tableHolds(t, role, privs);
});

// ------------------------------------------------------------------ schemas

interface Nsp { oid: number; owner: number | null; publicPrivs: string }
/** the schemas a role may be asked about: the built-in ones and CREATE SCHEMA's */
function schemas(c: CallCtx): Map<string, Nsp> {
  const m = new Map<string, Nsp>([
    ['pg_catalog', { oid: 11, owner: null, publicPrivs: 'U' }],
    ['public', { oid: PUBLIC_NAMESPACE_OID, owner: null, publicPrivs: 'U' }],
    ['pg_toast', { oid: 99, owner: null, publicPrivs: '' }],
  ]);
  for (const n of host(c).eng.catalog.namespaces.values()) m.set(n.name, { oid: n.oid, owner: n.owner, publicPrivs: '' });
  return m;
}

function holds(role: Role | null, owner: number | null, publicPrivs: string, privs: Priv[]): boolean {
  if (!role) return false;
  const owns = role.superuser || (owner !== null && owner === role.oid);
  return privs.some(({ key, grant }) => owns || (!grant && publicPrivs.includes(key)));
}

const schemaDefs = forms('has_schema_privilege', [['text'], ['oid']], (c, role, [sv], p) => {
  const privs = privList(p, SCHEMA_PRIVS);
  const all = schemas(c);
  let nsp: Nsp | undefined;
  if (typeof sv === 'string') {
    const name = identText(sv);
    // information_schema's OID is not modelled; it is there to be asked about by name
    nsp = name === 'information_schema' ? { oid: -1, owner: null, publicPrivs: 'U' } : all.get(name);
    if (!nsp) throw new PgError('3F000', `schema "${name}" does not exist`);
  } else {
    nsp = [...all.values()].find((n) => n.oid === Number(sv));
    if (!nsp) return null;
  }
  return holds(role, nsp.owner, nsp.publicPrivs, privs);
});

// ------------------------------------------------------------------ databases

// initdb's databases: postgres (PUBLIC: CONNECT, TEMPORARY), template1 and template0 (PUBLIC: CONNECT)
const DATABASES: [string, number, string][] = [['postgres', DATABASE_OID, 'cT'], ['template1', 1, 'c'], ['template0', 4, 'c']];

const databaseDefs = forms('has_database_privilege', [['text'], ['oid']], (_c, role, [dv], p) => {
  const privs = privList(p, DATABASE_PRIVS);
  let db: [string, number, string] | undefined;
  if (typeof dv === 'string') {
    const name = identText(dv);
    db = DATABASES.find((d) => d[0] === name);
    if (!db) throw new PgError('3D000', `database "${name}" does not exist`);
  } else {
    db = DATABASES.find((d) => d[1] === Number(dv));
    if (!db) return null;
  }
  return holds(role, null, db[2], privs);
});

// ------------------------------------------------------------------ functions

/** regprocedurein for a privilege check: does 'name(argtype, ...)' name a function (user-defined or built-in)? */
function functionExists(text: string): { owner: number | null } {
  const open = text.indexOf('(');
  if (open < 0 || !text.trimEnd().endsWith(')')) throw new PgError('22P02', 'expected a left parenthesis');
  let name = text.slice(0, open).trim();
  let schema: string | null = null;
  const dot = name.lastIndexOf('.');
  if (dot >= 0) { schema = identText(name.slice(0, dot)); name = name.slice(dot + 1); }
  name = identText(name);
  const argText = text.trimEnd().slice(open + 1, -1);
  const args: SqlType[] = argText.trim() === '' ? [] : argText.split(',').map((a) => resolveTypeName([a.trim().toLowerCase().replace(/\s+/g, ' ')], []));
  if (schema !== 'pg_catalog' && regprocLookup.bySignature(schema, name, args) !== null) return { owner: null };
  if (schema === null || schema === 'pg_catalog') {
    const want = `${name}|${args.map((a) => a.name).join(',')}|`;
    if (PG15_FUNCTION_SIGNATURES.some((s) => s.startsWith(want))) return { owner: null };
  }
  throw new PgError('42883', `function "${text}" does not exist`);
}

const functionDefs = forms('has_function_privilege', [['text'], ['oid']], (_c, role, [fv], p) => {
  const privs = privList(p, FUNCTION_PRIVS);
  if (typeof fv === 'string') functionExists(fv);
  else if (regprocLookup.byOid(Number(fv)) === null) return null;
  // EXECUTE is PUBLIC's by default; the grant option is the owner's (a superuser here, or the creating role)
  return holds(role, null, 'X', privs);
});

register([...columnDefs, ...anyColumnDefs, ...schemaDefs, ...databaseDefs, ...functionDefs]);
