import { describe, it, expect } from 'vitest';
import { aclCheck, aclDefault, mergeAcl, aclNewOwner, ownerCheck, aclMentions, PUBLIC_ROLE, BOOTSTRAP_SUPERUSER, TABLE_PRIVILEGES } from '../../src/engine/catalog/acl.js';

const r = { oid: 20000, name: 'r', superuser: false, login: false };
const q = { oid: 20001, name: 'q', superuser: false, login: false };
const D = TABLE_PRIVILEGES.truncate!;

describe('catalog/acl', () => {
  it('a NULL relacl is the owner holding every privilege; a superuser passes every check', () => {
    expect(aclCheck({}, r, D)).toBe(false);
    expect(aclCheck({ owner: r.oid }, r, D)).toBe(true);
    expect(aclCheck({ owner: r.oid }, BOOTSTRAP_SUPERUSER, D)).toBe(true);
    expect(ownerCheck({ owner: r.oid }, q)).toBe(false);
    expect(ownerCheck({}, BOOTSTRAP_SUPERUSER)).toBe(true);
  });
  it('GRANT adds letters for the grantee, REVOKE takes them away and drops an emptied entry', () => {
    const granted = mergeAcl(aclDefault(10), r.oid, 10, 'Dr', true);
    expect(aclCheck({ acl: granted }, r, D)).toBe(true);
    expect(aclCheck({ acl: granted }, q, D)).toBe(false);
    const revoked = mergeAcl(granted, r.oid, 10, 'arwdDxt', false);
    expect(revoked).toEqual(aclDefault(10));
    expect(aclCheck({ acl: mergeAcl(aclDefault(10), PUBLIC_ROLE, 10, D, true) }, q, D)).toBe(true);
  });
  it('ALTER ... OWNER TO moves the old owner\'s entries to the new owner', () => {
    const acl = aclNewOwner(mergeAcl(aclDefault(10), r.oid, 10, D, true), 10, q.oid);
    expect(acl).toEqual([{ grantee: q.oid, grantor: q.oid, privs: 'arwdDxt' }, { grantee: r.oid, grantor: q.oid, privs: 'D' }]);
    expect(aclMentions({ owner: q.oid, acl }, r.oid)).toBe(true);
    expect(aclMentions({ owner: q.oid, acl }, q.oid)).toBe(false);
  });
});
