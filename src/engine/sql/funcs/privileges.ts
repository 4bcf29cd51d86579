/**
 * has_table_privilege: may a role use a table in these ways? The privileges are a comma-separated list (any one
 * held is enough), case-insensitive, each optionally WITH GRANT OPTION; the role is named or given by OID (or is the
 * current one), the table named (42P01 when there is none) or given by OID (NULL when there is none).
 *
 *     GRANT SELECT ON t TO alice;
 *     SELECT has_table_privilege('alice', 't', 'SELECT'), has_table_privilege('alice', 't', 'insert, delete');  -- t | f
 *
 * Mirrors: src/backend/utils/adt/acl.c (has_table_privilege_*, convert_table_priv_string, convert_any_priv_string),
 * catalog/aclchk.c (pg_class_aclcheck). Simplifications: grant options are not modelled (GRANT ... WITH GRANT OPTION
 * is refused where it is written), so only the owner and superusers hold one; tables only (a view, a sequence
 * refuses 0A000). The column, schema, database and function forms are in objprivileges.ts; the other
 * has_*_privilege functions are refused with 0A000 by the PostgreSQL 15 names list.
 */
import { PgError, notSupported } from '../../errors.js';
import { register, type FuncDef, type CallCtx } from './registry.js';
import { T, type Value } from '../types.js';
import { host } from '../../contrib/host.js';
import { aclCheck, ownerCheck, TABLE_PRIVILEGES, type Owned, type Role } from '../../catalog/acl.js';
import { currentRole } from '../../commands/user.js';

/** convert_any_priv_string over the table privileges: the letters asked for, and whether with grant option. */
export function tablePrivileges(text: string): { letter: string; grant: boolean }[] {
  return text.split(',').map((chunk) => {
    let p = chunk.trim();
    const m = /^(.*?)\s+with\s+grant\s+option$/i.exec(p);
    const grant = !!m;
    if (m) p = m[1]!.trim();
    const lower = p.toLowerCase();
    // RULE is accepted and never held (a privilege removed in 8.2, kept for old clients)
    const letter = lower === 'rule' ? '' : TABLE_PRIVILEGES[lower];
    if (letter === undefined) throw new PgError('22023', `unrecognized privilege type: "${chunk.trim()}"`);
    return { letter, grant };
  });
}

export type Arg = 'name' | 'oid' | 'text';
export function roleArg(c: CallCtx, kind: Arg | null, v: Value): Role | null {
  const { eng, session } = host(c);
  if (kind === null) return currentRole(eng, session);
  if (kind === 'oid') return [...eng.catalog.roles.values()].find((r) => r.oid === Number(v)) ?? null;
  const r = eng.catalog.roles.get(String(v));
  if (!r) throw new PgError('42704', `role "${String(v)}" does not exist`);
  return r;
}
export function tableArg(c: CallCtx, kind: Arg, v: Value, fname = 'has_table_privilege'): Owned | null {
  const cat = host(c).eng.catalog;
  if (kind === 'oid') {
    const t = [...cat.tables.values()].find((x) => x.oid === Number(v) && cat.visible(x));
    if (t) return t as Owned;
    if ([...cat.views.values(), ...cat.sequences.values()].some((x) => x.oid === Number(v))) throw notSupported(`${fname}() of a view or a sequence`);
    return null;
  }
  const raw = String(v).trim();
  const name = raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1).replace(/""/g, '"') : raw.toLowerCase();
  if (name.includes('.')) throw notSupported(`${fname}() of a schema-qualified name`);
  const t = cat.get(name);
  if (t) return t as Owned;
  if (cat.view(name) || cat.sequence(name)) throw notSupported(`${fname}() of a view or a sequence`);
  throw new PgError('42P01', `relation "${name}" does not exist`);
}

function check(role: Role | null, t: Owned, privs: { letter: string; grant: boolean }[]): boolean {
  if (!role) return false; // a role OID that names no role holds nothing
  return privs.some(({ letter, grant }) => letter !== '' && (grant ? ownerCheck(t, role) : aclCheck(t, role, letter)));
}

// the role's name is taken as text (PostgreSQL: name): an unknown literal then resolves to it as PostgreSQL's does
const forms: [Arg | null, Arg][] = [[null, 'text'], [null, 'oid'], ['text', 'text'], ['text', 'oid'], ['oid', 'text'], ['oid', 'oid']];
const defs: FuncDef[] = forms.map(([user, table]): FuncDef => ({
  name: 'has_table_privilege', args: user ? [user, table, 'text'] : [table, 'text'], ret: T.bool,
  build: (args, c) => {
    const fs = args.map((a) => a.fn);
    return (r) => {
      const vs = fs.map((f) => f(r));
      if (vs.some((x) => x === null)) return null;
      const [u, tv, pv] = user ? vs : [null, ...vs];
      const role = roleArg(c, user, u ?? null);
      const t = tableArg(c, table, tv!);
      if (!t) return null;
      return check(role, t, tablePrivileges(String(pv)));
    };
  },
}));
register(defs);
