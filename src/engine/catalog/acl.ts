/**
 * Roles and privileges: pg_authid's rows, a relation's owner (relowner) and access list (relacl), and the checks a
 * command makes before it touches a relation — "may this role truncate t?", "does it own t?".
 *
 * Every session connects as the bootstrap superuser (oid 10), which passes every check. SET ROLE makes another role
 * the current user (GetUserId()); a role without SUPERUSER then needs the relation's owner to be itself, or an ACL
 * entry granting the privilege to it or to PUBLIC. An owner holds every privilege until it revokes one: a NULL
 * relacl means acldefault() (the owner: all), and the first GRANT / REVOKE writes that default out before changing it.
 *
 *     CREATE ROLE r;  SET ROLE r;  TRUNCATE t;        -- ERROR:  permission denied for table t (42501)
 *     RESET ROLE;  GRANT TRUNCATE ON t TO r;  SET ROLE r;  TRUNCATE t;   -- TRUNCATE TABLE
 *
 * Mirrors: src/backend/catalog/aclchk.c (pg_class_aclcheck, pg_class_ownercheck, aclcheck_error's texts),
 * utils/adt/acl.c (acldefault, aclnewowner), catalog/pg_authid.h. Simplifications: no role membership (GRANT role TO
 * role), no WITH GRANT OPTION bookkeeping beyond refusing it, no column privileges, no predefined roles (pg_read_all_data
 * & co.), every database owned by the bootstrap superuser.
 */
import { PgError } from '../errors.js';

/** A pg_authid row: the attributes that decide checks here (the rest — LOGIN, CREATEDB … — are kept, not enforced). */
export interface Role {
  oid: number;
  name: string;
  superuser: boolean;
  login: boolean;
}

/** The bootstrap superuser every session connects as (BOOTSTRAP_SUPERUSERID). */
export const BOOTSTRAP_SUPERUSER: Role = { oid: 10, name: 'postgres', superuser: true, login: true };
/** ACL_ID_PUBLIC: the grantee of GRANT … TO PUBLIC */
export const PUBLIC_ROLE = 0;

/** A table's privileges by their aclitem letters (ACL_INSERT 'a', ACL_SELECT 'r', ACL_UPDATE 'w', …). */
export const TABLE_PRIVILEGES: Record<string, string> = {
  insert: 'a', select: 'r', update: 'w', delete: 'd', truncate: 'D', references: 'x', trigger: 't',
};
const ALL_TABLE = 'arwdDxt';

/** An aclitem: grantee (0 = PUBLIC) gets these privilege letters from grantor. */
export interface AclItem { grantee: number; grantor: number; privs: string }

/** What a relation keeps for the checks: relowner (absent: the bootstrap superuser) and relacl (absent: NULL). */
export interface Owned { owner?: number; acl?: AclItem[] }

export const ownerOf = (r: Owned): number => r.owner ?? BOOTSTRAP_SUPERUSER.oid;

/** acldefault(OBJECT_TABLE, owner): the owner holds every privilege. */
export function aclDefault(owner: number): AclItem[] { return [{ grantee: owner, grantor: owner, privs: ALL_TABLE }]; }

/** pg_class_ownercheck: the owner, or a superuser. */
export function ownerCheck(r: Owned, role: Role): boolean { return role.superuser || ownerOf(r) === role.oid; }

/** pg_class_aclcheck for one privilege letter: a superuser always; otherwise an ACL entry for the role or PUBLIC. */
export function aclCheck(r: Owned, role: Role, priv: string): boolean {
  if (role.superuser) return true;
  const acl = r.acl ?? aclDefault(ownerOf(r));
  return acl.some((a) => (a.grantee === role.oid || a.grantee === PUBLIC_ROLE) && a.privs.includes(priv));
}

/** aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_TABLE, name) */
export function permissionDenied(kind: string, name: string): PgError {
  return new PgError('42501', `permission denied for ${kind} ${name}`);
}
/** aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_TABLE, name) */
export function mustBeOwner(kind: string, name: string): PgError {
  return new PgError('42501', `must be owner of ${kind} ${name}`);
}

/** merge_acl_with_grant: add (GRANT) or take away (REVOKE) privilege letters for one grantee; empty entries go. */
export function mergeAcl(acl: AclItem[], grantee: number, grantor: number, privs: string, grant: boolean): AclItem[] {
  const out = acl.map((a) => ({ ...a }));
  let e = out.find((a) => a.grantee === grantee && a.grantor === grantor);
  if (grant) {
    if (!e) { e = { grantee, grantor, privs: '' }; out.push(e); }
    e.privs = [...ALL_TABLE].filter((p) => e!.privs.includes(p) || privs.includes(p)).join('');
  } else if (e) {
    e.privs = [...e.privs].filter((p) => !privs.includes(p)).join('');
  }
  return out.filter((a) => a.privs !== '');
}

/** aclnewowner: ALTER … OWNER TO gives the old owner's entries (as grantee and as grantor) to the new owner. */
export function aclNewOwner(acl: AclItem[], oldOwner: number, newOwner: number): AclItem[] {
  const out: AclItem[] = [];
  for (const a of acl) {
    const item = { grantee: a.grantee === oldOwner ? newOwner : a.grantee, grantor: a.grantor === oldOwner ? newOwner : a.grantor, privs: a.privs };
    const same = out.find((o) => o.grantee === item.grantee && o.grantor === item.grantor);
    if (same) same.privs = [...ALL_TABLE].filter((p) => same.privs.includes(p) || item.privs.includes(p)).join('');
    else out.push(item);
  }
  return out;
}

/** The role names an ACL mentions (shdepend's 'a' entries), the owner left out: DROP ROLE's "privileges for …". */
export function aclMentions(r: Owned, roleOid: number): boolean {
  return !!r.acl?.some((a) => a.grantee === roleOid && a.grantee !== ownerOf(r)) || !!r.acl?.some((a) => a.grantor === roleOid && a.grantor !== ownerOf(r));
}
