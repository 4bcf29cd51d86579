/**
 * regclass: a relation named by its oid. 'rc'::regclass looks the name up in pg_class (42P01 when there is none),
 * and a regclass prints as the relation's name — or as the bare number when no relation has that oid.
 *
 * The system catalogs are not modelled as tables, but their fixed oids (from pg_class.h & co.) are known so that
 * 'pg_class'::regclass answers 1259 as in PostgreSQL.
 *
 * Mirrors: src/backend/utils/adt/regproc.c (regclassin, regclassout).
 */
import { catalogSees } from './catalogsnapshot.js';
import { regclassLookup } from '../sql/types.js';
import type { Catalog } from './catalog.js';
import { CATALOG_LOCK_RELATIONS } from './catalocks.js';

/**
 * The catalogs' oids are fixed by their headers; the system views' are assigned by initdb and were read from
 * PostgreSQL 15.18 (Debian 15.18-0+deb12u1) — another build may number them differently.
 */
export const SYSTEM_RELATIONS: Record<string, number> = {
  pg_type: 1247, pg_proc: 1255, pg_stats: 12053, ...CATALOG_LOCK_RELATIONS,
};
const SYSTEM_BY_OID = new Map(Object.entries(SYSTEM_RELATIONS).map(([n, o]) => [o, n]));

/** Point regclass input/output at this catalog (the executor does so for each statement it runs). */
export function setRegclassLookup(cat: Catalog): void {
  regclassLookup.byName = (name) => {
    const dot = /^([a-z_][a-z0-9_$]*)\.([a-z_][a-z0-9_$]*)$/.exec(name); // schema.relation (unquoted names only)
    if (dot && dot[1] === 'pg_toast') { const tr = cat.toastRel(dot[2]!); return tr ? (tr.index ?? tr.table).oid : null; } // a TOAST table or its index
    if (dot && dot[1] !== 'public' && dot[1] !== 'pg_catalog' && dot[1] !== 'pg_temp') {
      const q = cat.getIn(dot[1]!, dot[2]!) ?? [...cat.tables.values()].find((x) => x.nsp?.name === dot[1])?.indexes.find((i) => i.name === dot[2]);
      return q ? q.oid : null;
    }
    const t = cat.get(name);
    if (t) return t.oid;
    const sq = cat.sequence(name);
    if (sq) return sq.oid;
    const ix = cat.indexByName(name);
    if (ix) return ix.index.oid;
    const v = cat.view(name);
    if (v) return v.oid;
    return SYSTEM_RELATIONS[name] ?? null;
  };
  regclassLookup.byOid = (oid) => {
    const r = cat.byOid(oid);
    if (r && (r.name.startsWith('pg_toast_') && cat.toastRel(r.name))) return `pg_toast.${r.name}`; // pg_toast is not on search_path
    if (r) {
      // regclassout: qualified when the name, looked up on search_path, would not find this relation
      const owner = [...cat.tables.values()].find((t) => t === r || t.indexes.includes(r as never));
      // another session's uncommitted CREATE: the catalog snapshot has no row, regclassout prints the number
      if (owner && owner === r && !catalogSees(cat, owner.nameXmin)) return null;
      if (owner?.nsp && !cat.isVisible(owner)) return `${owner.nsp.name}.${r.name}`;
      if (owner?.temp && owner.temp.session !== cat.current) return `${owner.temp.schema}.${r.name}`;
      return r.name;
    }
    for (const sq of cat.sequences.values()) if (sq.oid === oid) return sq.name;
    for (const v of cat.views.values()) if (v.oid === oid) return v.name;
    return SYSTEM_BY_OID.get(oid) ?? null;
  };
}
