/**
 * The comment functions of system_functions.sql, each a query of pg_description (pg_shdescription):
 * obj_description(oid, catalog name) — the object's comment in that catalog; obj_description(oid) — any catalog's
 * (deprecated); col_description(table oid, attnum); shobj_description(oid, catalog name) for shared objects
 * (databases). NULL when there is none, or when the catalog name is not one of PostgreSQL's. Strict, as SQL functions
 * over a scalar subquery are: a NULL argument gives NULL.
 *
 * Mirrors: src/backend/catalog/system_functions.sql. Rows: commands/comment.ts.
 */
import { register, type FuncDef } from './registry.js';
import { T } from '../types.js';
import { host } from '../../contrib/host.js';
import { DESCRIPTION_CATALOGS, PG_CLASS, descriptionRows, shDescriptionRows } from '../../commands/comment.js';

/** the catalogs PostgreSQL 15 has, for a name not modelled here: their OIDs are never a modelled description's */
const classOid = (name: string): number | null => DESCRIPTION_CATALOGS[name] ?? null;

const strict2 = (f: (a: unknown, b: unknown, c: Parameters<NonNullable<FuncDef['build']>>[1]) => string | null): NonNullable<FuncDef['build']> => ([a, b], c) => {
  const fa = a!.fn, fb = b!.fn;
  return (r) => { const x = fa(r), y = fb(r); return x === null || y === null ? null : f(x, y, c); };
};

const defs: FuncDef[] = [
  { name: 'obj_description', args: ['oid', 'name'], ret: T.text, build: strict2((oid, cls, c) => {
    const k = classOid(String(cls));
    return descriptionRows(host(c).eng.catalog).find(([o, cl, sub]) => o === Number(oid) && cl === k && sub === 0)?.[3] ?? null;
  }) },
  { name: 'obj_description', args: ['oid'], ret: T.text, build: ([a], c) => {
    const fa = a!.fn;
    return (r) => {
      const x = fa(r);
      return x === null ? null : descriptionRows(host(c).eng.catalog).find(([o, , sub]) => o === Number(x) && sub === 0)?.[3] ?? null;
    };
  } },
  { name: 'col_description', args: ['oid', 'int4'], ret: T.text, build: strict2((oid, attnum, c) =>
    descriptionRows(host(c).eng.catalog).find(([o, cl, sub]) => o === Number(oid) && cl === PG_CLASS && sub === Number(attnum))?.[3] ?? null) },
  { name: 'shobj_description', args: ['oid', 'name'], ret: T.text, build: strict2((oid, cls, c) => {
    const k = classOid(String(cls));
    return shDescriptionRows(host(c).eng.catalog).find(([o, cl]) => o === Number(oid) && cl === k)?.[2] ?? null;
  }) },
];
register(defs);
