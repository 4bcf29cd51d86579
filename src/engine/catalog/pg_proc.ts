/**
 * pg_proc and pg_type, read in FROM: the rows of the functions and types the user made. A function's row says which
 * schema it lives in (pronamespace: public, 2200, or the session's pg_temp_N for CREATE FUNCTION pg_temp.f), its kind
 * (prokind 'f' a function, 'p' a procedure), its argument count and its body (prosrc). A type's row says its schema
 * (typnamespace), its kind (typtype: 'c' a row type, 'e' an enum, 'd' a domain, 'b' the array type every one of them
 * gets, named _name), the relation a row type describes (typrelid) and the array / element links.
 *
 *     CREATE TEMP TABLE tt (id int);  CREATE FUNCTION pg_temp.f() RETURNS int LANGUAGE sql AS 'SELECT 1';
 *     SELECT proname, pronamespace = pg_my_temp_schema() FROM pg_proc;           -- f | t
 *     SELECT typname, typtype FROM pg_type WHERE typnamespace = pg_my_temp_schema() ORDER BY 1;  -- _tt | b, tt | c
 *
 * OIDs as PostgreSQL takes them: the array type's always comes first (AssignTypeArrayOid), so a table's row type is
 * its relation's OID + 2 (relation, array, row type; a composite type of CREATE TYPE ... AS too), an enum's or a
 * domain's the OID after its array type's.
 *
 * Mirrors: src/include/catalog/pg_proc.h, pg_type.h (the columns kept, in their order); catalog/heap.c
 * (AddNewRelationType), catalog/pg_type.c. Simplifications: only the user's functions and types — the built-in
 * ones (pg_catalog) are not rows here — and only the columns listed; SELECT * is refused (PostgreSQL's rows have
 * more). The catalog is not MVCC: another session's uncommitted CREATE FUNCTION shows already.
 */
import type { Engine } from '../engine.js';
import { T, type SqlType, type Value } from '../sql/types.js';
import type { SystemRelation } from './sysviews.js';
import { visibleClassRows, visibleViewsAndSequences } from './catalogsnapshot.js';

const PUBLIC_NSP = 2200;
const cols = (c: [string, SqlType][]) => c.map(([name, type]) => ({ name, type }));

/** pg_proc: the user functions and procedures in OID order, with those another session's running DROP deleted. */
export function pgProcView(eng: Engine): SystemRelation {
  const cat = eng.catalog;
  const dropped = cat.shadows.filter((sh) => sh.fns && sh.session !== cat.current).flatMap((sh) => sh.fns!);
  const fns = [...[...cat.functions.values()].flat(), ...dropped].sort((a, b) => a.oid - b.oid);
  const rows: Value[][] = fns.map((f) => {
    const nargs = f.args.filter((a) => !a.output || f.kind === 'procedure').length;
    return [f.oid, f.name, f.temp?.nsp ?? PUBLIC_NSP, f.kind === 'procedure' ? 'p' : 'f', f.strict, f.setof,
      f.volatility[0]!, nargs, f.args.filter((a) => a.def).length, f.body];
  });
  return {
    columns: cols([['oid', T.oid], ['proname', T.name], ['pronamespace', T.oid], ['prokind', T.text], ['proisstrict', T.bool],
      ['proretset', T.bool], ['provolatile', T.text], ['pronargs', T.int2], ['pronargdefaults', T.int2], ['prosrc', T.text]]),
    rows, starRefused: 'SELECT * FROM pg_proc (Heapscope models oid, proname, pronamespace, prokind, proisstrict, proretset, provolatile, pronargs, pronargdefaults, prosrc: name them)',
  };
}

/** pg_type: the row types of the user's tables, views and composite types, its enums and domains, and their array types. */
export function pgTypeView(eng: Engine): SystemRelation {
  const cat = eng.catalog;
  const rows: Value[][] = [];
  // oid, typname, typnamespace, typtype, typrelid, typelem, typarray
  const withArray = (oid: number, arr: number, name: string, nsp: number, typtype: string, relid: number) => {
    rows.push([oid, name, nsp, typtype, relid, 0, arr]);
    rows.push([arr, `_${name}`, nsp, 'b', 0, oid, 0]);
  };
  for (const { table: t, name } of visibleClassRows(eng)) withArray(t.oid + 2, t.oid + 1, name, t.temp ? t.temp.nsp : t.nsp?.oid ?? PUBLIC_NSP, 'c', t.oid);
  for (const v of visibleViewsAndSequences(eng).views) withArray(v.oid + 2, v.oid + 1, v.name, v.temp?.nsp ?? PUBLIC_NSP, 'c', v.oid);
  for (const c of cat.composites.values()) withArray(c.oid, c.relOid + 1, c.name, PUBLIC_NSP, 'c', c.relOid);
  for (const e of cat.enums.values()) withArray(e.oid, e.oid - 1, e.name, PUBLIC_NSP, 'e', 0);
  for (const d of cat.domains.values()) withArray(d.oid, d.oid - 1, d.name, PUBLIC_NSP, 'd', 0);
  rows.sort((a, b) => (a[0] as number) - (b[0] as number));
  return {
    columns: cols([['oid', T.oid], ['typname', T.name], ['typnamespace', T.oid], ['typtype', T.text], ['typrelid', T.oid],
      ['typelem', T.oid], ['typarray', T.oid]]),
    rows, starRefused: 'SELECT * FROM pg_type (Heapscope models oid, typname, typnamespace, typtype, typrelid, typelem, typarray: name them)',
  };
}
