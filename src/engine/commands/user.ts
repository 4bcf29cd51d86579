/**
 * Roles as statements: CREATE ROLE / USER / GROUP, DROP ROLE, and SET ROLE / RESET ROLE — which role is the current
 * user (GetUserId()) that the privilege checks of catalog/acl.ts ask about.
 *
 * Every session connects as the bootstrap superuser; SET ROLE r makes r the current user for what follows (the
 * hidden setting "role": undone with its transaction or savepoint like any SET, left alone by RESET ALL), SET ROLE
 * NONE / RESET ROLE goes back. A role is a pg_authid row: shared by the whole cluster, made and dropped
 * transactionally; CREATE ROLE takes an OID from the same counter as tables. DROP ROLE refuses while something
 * depends on the role (2BP01: it owns a table, or a table's ACL names it), and refuses the current and the session user.
 *
 *     CREATE ROLE r;  ALTER TABLE t OWNER TO r;  DROP ROLE r;   -- ERROR: role "r" cannot be dropped because some
 *                                                               --        objects depend on it  DETAIL: owner of table t
 *
 * Mirrors: src/backend/commands/user.c (CreateRole, DropRole), commands/variable.c (check_role / assign_role),
 * catalog/pg_shdepend.c (checkSharedDependencies' detail). Simplifications: role membership (IN ROLE, ROLE, ADMIN,
 * GRANT r TO u) is refused; LOGIN, CREATEDB and the other attributes are kept but not enforced; a statement run by a
 * role without SUPERUSER is refused unless its privilege checks are modelled (privilegedStatement below).
 */
import { PgError, notSupported } from '../errors.js';
import type { Engine } from '../engine.js';
import type { Session, QueryResult } from '../session/session.js';
import { BOOTSTRAP_SUPERUSER, aclMentions, ownerOf, type Role } from '../catalog/acl.js';
import type { N } from '../executor/util.js';

/** GetUserId(): the role SET ROLE chose, else the session user (the bootstrap superuser). */
export function currentRole(eng: Engine, s: Session): Role {
  const name = s.gucs.getHidden('role');
  return (name !== undefined ? eng.catalog.roles.get(name) : undefined) ?? BOOTSTRAP_SUPERUSER;
}

/** The role a RoleSpec names (CURRENT_USER, SESSION_USER, a name); 42704 when there is none. */
export function roleOf(eng: Engine, s: Session, spec: N): Role {
  if (spec.roletype === 'ROLESPEC_CURRENT_USER' || spec.roletype === 'ROLESPEC_CURRENT_ROLE') return currentRole(eng, s);
  if (spec.roletype === 'ROLESPEC_SESSION_USER') return BOOTSTRAP_SUPERUSER;
  if (spec.roletype === 'ROLESPEC_PUBLIC') throw new PgError('42704', 'role "public" does not exist');
  const r = eng.catalog.roles.get(String(spec.rolename));
  if (!r) throw new PgError('42704', `role "${String(spec.rolename)}" does not exist`);
  return r;
}

/**
 * The statements whose privilege checks are modelled, so a role without SUPERUSER may run them: the rest are refused
 * (0A000) rather than run without the checks PostgreSQL would make.
 */
const CHECKED_STATEMENTS = new Set(['TruncateStmt', 'VacuumStmt', 'ClusterStmt']);
export function privilegedStatement(eng: Engine, s: Session, type: string): void {
  const role = currentRole(eng, s);
  if (role.superuser || CHECKED_STATEMENTS.has(type)) return;
  const what = type.replace(/Stmt$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
  throw notSupported(`${what} run by a role without SUPERUSER (privilege checks are modelled only for TRUNCATE, VACUUM, ANALYZE and CLUSTER)`);
}

/** check_role + assign_role: SET ROLE name | NONE, RESET ROLE (name null). */
export function setRole(eng: Engine, s: Session, name: string | null, opts: { inTransaction: boolean; local: boolean }): void {
  if (name !== null && name !== 'none') {
    const r = eng.catalog.roles.get(name);
    if (!r) throw new PgError('22023', `role "${name}" does not exist`);
    // the session user (a superuser) is a member of every role: is_member_of_role always holds
  }
  s.gucs.setHidden('role', name === null || name === 'none' ? undefined : name, opts);
}

const RESERVED_ROLE_NAMES = new Set(['public', 'none', 'current_user', 'current_role', 'session_user']);

/** CREATE ROLE / USER / GROUP name [WITH options] */
export function createRole(eng: Engine, s: Session, n: N): QueryResult {
  const name = String(n.role);
  const cat = eng.catalog;
  if (RESERVED_ROLE_NAMES.has(name)) throw new PgError('42939', `role name "${name}" is reserved`);
  if (name.startsWith('pg_')) throw new PgError('42939', `role name "${name}" is reserved`, { detail: 'Role names starting with "pg_" are reserved.' });
  const role: Role = { oid: 0, name, superuser: false, login: n.stmt_type === 'ROLESTMT_USER' };
  for (const o of (n.options ?? []) as N[]) {
    const d = o.DefElem as N;
    const on = d.arg?.Boolean?.boolval === true || d.arg?.Integer?.ival === 1;
    switch (d.defname) {
      case 'superuser': role.superuser = on; break;
      case 'canlogin': role.login = on; break;
      case 'createdb': case 'createrole': case 'inherit': case 'isreplication': case 'bypassrls': case 'connectionlimit':
      case 'password': case 'validUntil': case 'sysid': break; // kept by PostgreSQL, not enforced here
      case 'addroleto': case 'rolemembers': case 'adminmembers': throw notSupported('role membership (CREATE ROLE ... IN ROLE / ROLE / ADMIN)');
      default: throw notSupported(`CREATE ROLE option ${String(d.defname)}`);
    }
  }
  if (cat.roles.has(name)) throw new PgError('42710', `role "${name}" already exists`);
  eng.ensureXid(s);
  role.oid = cat.allocOid();
  cat.roles.set(name, role);
  s.tx!.undo.push(() => cat.roles.delete(name));
  s.tx!.cidUsed = true;
  return { command: 'CREATE ROLE', columns: null, rows: [] };
}

/** DROP ROLE [IF EXISTS] name, … */
export function dropRole(eng: Engine, s: Session, n: N): QueryResult {
  const cat = eng.catalog;
  const me = currentRole(eng, s);
  for (const spec of (n.roles ?? []) as N[]) {
    const rs = spec.RoleSpec as N;
    if (rs.roletype !== 'ROLESPEC_CSTRING') throw new PgError('42601', `cannot use special role specifier in DROP ROLE`);
    const name = String(rs.rolename);
    const role = cat.roles.get(name);
    if (!role) {
      if (!n.missing_ok) throw new PgError('42704', `role "${name}" does not exist`);
      s.acc.notices.push({ severity: 'NOTICE', sqlstate: '00000', message: `role "${name}" does not exist, skipping` });
      continue;
    }
    if (role.oid === me.oid) throw new PgError('55006', 'current user cannot be dropped');
    if (role.oid === BOOTSTRAP_SUPERUSER.oid) throw new PgError('55006', 'session user cannot be dropped');
    // checkSharedDependencies: what the role owns, then what it holds privileges on (pg_shdepend's order)
    const owned: string[] = [], privs: string[] = [];
    for (const t of cat.tables.values()) {
      if (ownerOf(t) === role.oid) owned.push(`owner of table ${t.name}`);
      if (aclMentions(t, role.oid)) privs.push(`privileges for table ${t.name}`);
    }
    for (const nsp of cat.namespaces.values()) if (nsp.owner === role.oid) owned.push(`owner of schema ${nsp.name}`);
    const detail = [...owned, ...privs];
    if (detail.length) throw new PgError('2BP01', `role "${name}" cannot be dropped because some objects depend on it`, { detail: detail.join('\n') });
    eng.ensureXid(s);
    cat.roles.delete(name);
    s.tx!.undo.push(() => cat.roles.set(name, role));
    s.tx!.cidUsed = true;
  }
  return { command: 'DROP ROLE', columns: null, rows: [] };
}
