/**
 * GRANT / REVOKE on tables and ALTER TABLE … OWNER TO: writing a relation's relacl and relowner (catalog/acl.ts).
 *
 * GRANT and REVOKE take no lock on the table (they update its pg_class row); ALTER TABLE … OWNER TO takes
 * AccessExclusiveLock, as every ALTER TABLE subcommand not listed for a weaker one. A superuser's GRANT is made in
 * the owner's name (select_best_grantor), so REVOKE by the owner or a superuser takes it away again.
 *
 *     GRANT TRUNCATE ON t TO r;          -- relacl {postgres=arwdDxt/postgres,r=D/postgres}
 *     REVOKE ALL ON t FROM r;            -- relacl {postgres=arwdDxt/postgres}
 *     ALTER TABLE t OWNER TO r;          -- relowner r; the ACL's entries for the old owner become r's
 *
 * Mirrors: src/backend/catalog/aclchk.c (ExecuteGrantStmt, ExecGrant_Relation), commands/tablecmds.c
 * (ATExecChangeOwner). Simplifications: tables only (not views, sequences, schemas, databases, functions), no column
 * privileges, no WITH GRANT OPTION / GRANTED BY, no CASCADE of dependent grants; ownership does not pass on to
 * owned sequences (they have no owner here).
 */
import { PgError, notSupported, posOf } from '../errors.js';
import type { Executor } from '../executor/executor.js';
import type { Session, QueryResult } from '../session/session.js';
import type { Table } from '../catalog/catalog.js';
import { LockMode } from '../lock/lock.js';
import type { N, Gen } from '../executor/util.js';
import { TABLE_PRIVILEGES, PUBLIC_ROLE, aclDefault, mergeAcl, aclNewOwner, ownerOf } from '../catalog/acl.js';
import { roleOf } from './user.js';

/** GRANT privileges ON [TABLE] t, … TO role | PUBLIC, …  /  REVOKE … FROM … */
export function grantStmt(ex: Executor, s: Session, n: N): QueryResult {
  const eng = ex.eng;
  const verb = n.is_grant ? 'GRANT' : 'REVOKE';
  if (n.objtype !== 'OBJECT_TABLE') throw notSupported(`${verb} on ${String(n.objtype).replace('OBJECT_', '').toLowerCase()} objects (only tables have privileges here)`);
  if (n.targtype !== 'ACL_TARGET_OBJECT') throw notSupported(`${verb} ON ALL TABLES IN SCHEMA`);
  if (n.grant_option) throw notSupported(n.is_grant ? 'GRANT ... WITH GRANT OPTION' : 'REVOKE GRANT OPTION FOR');
  if (n.grantor) throw notSupported(`${verb} ... GRANTED BY`);
  let letters = '';
  if (!n.privileges) letters = Object.values(TABLE_PRIVILEGES).join('');
  else {
    for (const p of n.privileges as N[]) {
      const ap = p.AccessPriv as N;
      if (ap.cols) throw notSupported('column privileges');
      const l = TABLE_PRIVILEGES[String(ap.priv_name)];
      if (!l) throw new PgError('0LP01', `invalid privilege type ${String(ap.priv_name).toUpperCase()} for relation`);
      letters += l;
    }
  }
  const grantees = ((n.grantees ?? []) as N[]).map((g) => (g.RoleSpec.roletype === 'ROLESPEC_PUBLIC' ? PUBLIC_ROLE : roleOf(eng, s, g.RoleSpec).oid));
  const cat = eng.catalog;
  const tables: Table[] = ((n.objects ?? []) as N[]).map((o) => {
    const rv = o.RangeVar as N;
    if (!cat.get(rv.relname) && (cat.view(rv.relname) || cat.sequence(rv.relname))) throw notSupported(`${verb} on views and sequences`, posOf(rv.location));
    return ex.table(rv); // objectNamesToOids: NoLock
  });
  const xid = eng.ensureXid(s);
  for (const t of tables) {
    const before = t.acl;
    t.classXmax = xid; // heap_update of its pg_class row: the old version's xmax
    let acl = t.acl ?? aclDefault(ownerOf(t));
    for (const g of grantees) acl = mergeAcl(acl, g, ownerOf(t), letters, !!n.is_grant);
    t.acl = acl;
    s.tx!.undo.push(() => { if (before) t.acl = before; else delete t.acl; });
  }
  s.tx!.cidUsed = true;
  return { command: verb, columns: null, rows: [] };
}

/** ALTER TABLE t OWNER TO role (the statement's only subcommand). */
export function* changeOwner(ex: Executor, s: Session, t: Table, cmd: N): Gen<void> {
  const role = roleOf(ex.eng, s, cmd.newowner as N);
  yield* ex.eng.acquireLock(s, { type: 'relation', rel: t.oid }, LockMode.AccessExclusive);
  if (ownerOf(t) === role.oid) return;
  ex.eng.ensureXid(s);
  const saved = { owner: t.owner, acl: t.acl };
  const old = ownerOf(t);
  t.owner = role.oid;
  if (t.acl) t.acl = aclNewOwner(t.acl, old, role.oid);
  s.tx!.undo.push(() => {
    if (saved.owner === undefined) delete t.owner; else t.owner = saved.owner;
    if (saved.acl === undefined) delete t.acl; else t.acl = saved.acl;
  });
  s.tx!.cidUsed = true;
}
