/**
 * pg_attribute and pg_constraint as SQL reads them, with the columns table inheritance is about: a column's
 * attislocal / attinhcount (defined by the table itself, inherited from how many parents) and a constraint's
 * conislocal / coninhcount.
 *
 *     CREATE TABLE p (a int CHECK (a > 0));  CREATE TABLE c (a int, b int) INHERITS (p);
 *     SELECT attname, attislocal, attinhcount FROM pg_attribute WHERE attrelid = 'c'::regclass AND attnum > 0;
 *     -- a | t | 1     (merged: local and inherited)      b | t | 0
 *     SELECT conname, conislocal, coninhcount FROM pg_constraint WHERE conrelid = 'c'::regclass;   -- p_a_check | f | 1
 *
 * Mirrors: src/include/catalog/pg_attribute.h, pg_constraint.h. Simplifications: only the columns listed (SELECT *
 * is refused with 0A000), only the user's tables (no system catalogs, no indexes' attributes); the system columns
 * are listed with negative attnums as PostgreSQL lists them; atttypid only for the built-in types regtype.ts lists (a
 * column of another type refuses that cell), attcompression always ''; pg_constraint
 * has CHECK, PRIMARY KEY, UNIQUE and FOREIGN KEY rows (NOT NULL is no constraint row in PostgreSQL 15 either), with
 * their columns (conkey, and a foreign key's confrelid / confkey, actions and MATCH type), but no oid.
 */
import type { Engine } from '../engine.js';
import { T, PgArray, typeDisplayName, type SqlType, type Value } from '../sql/types.js';
import { collectColumnRefs } from '../executor/util.js';
import type { SystemRelation } from './sysviews.js';
import { visibleClassRows } from './catalogsnapshot.js';
import { typeStorage } from '../heap/heaptoast.js';
import { typlenAlign } from '../heap/datum.js';
import { typeOidAndTypmod } from '../sql/regtype.js';
import { notSupported } from '../errors.js';

/** the system columns' types: oid, cid, xid, cid, xid, tid */
const SYSTEM_ATTR_TYPE: Record<string, number> = { tableoid: 26, cmax: 29, xmax: 28, cmin: 29, xmin: 28, ctid: 27 };
const SYSTEM_ATTRS: [string, number][] = [['tableoid', -6], ['cmax', -5], ['xmax', -4], ['cmin', -3], ['xmin', -2], ['ctid', -1]];
const cols = (l: [string, SqlType][]) => l.map(([name, type]) => ({ name, type }));
const INT2_ARRAY: SqlType = { name: '_int2', typmod: -1, elem: T.int2 };

export function pgAttributeView(eng: Engine): SystemRelation {
  const rows: Value[][] = [];
  for (const { table: t } of visibleClassRows(eng)) {
    for (const [name, num] of SYSTEM_ATTRS) rows.push([t.oid, name, num, true, false, true, 0, false, '', '', name === 'ctid' ? 6 : 4, name === 'ctid' ? 's' : 'i', 'p', '', SYSTEM_ATTR_TYPE[name]!, -1]);
    for (const [i, c] of t.columns.entries()) {
      // a dropped column keeps its length and alignment (old tuples have its bytes), its type becomes none
      const [len, align] = typlenAlign(c.type);
      // a dropped column's type is 0 (none), its typmod kept
      const { oid, typmod } = typeOidAndTypmod(typeDisplayName({ ...c.type, typmod: -1 }), c.type.name, c.type.typmod);
      // a partition's columns are all its parent's (MergeAttributes / MergeAttributesIntoExisting: attislocal false,
      // attinhcount 1); a dropped one keeps what it had
      const inherited = !!t.partOf && !c.dropped;
      const row: Value[] = [t.oid, c.name, i + 1, c.notNull && !c.dropped, !!c.dropped, inherited ? false : !c.notLocal, inherited ? 1 : c.inhcount ?? 0,
        !!(c.defaultExpr || c.generated) && !c.dropped, c.identity ?? '', c.generated ? 's' : '', len, align, c.storage ?? typeStorage(c.type), '', c.dropped ? 0 : oid, typmod];
      if (oid === null && !c.dropped) {
        const what = `pg_attribute.atttypid of a column of type ${typeDisplayName(c.type)} (its oid is not listed in the simulator)`;
        Object.defineProperty(row, 14, { enumerable: true, get() { throw notSupported(what); } });
      }
      rows.push(row);
    }
  }
  const names: [string, SqlType][] = [['attrelid', T.oid], ['attname', T.text], ['attnum', T.int2], ['attnotnull', T.bool], ['attisdropped', T.bool],
    ['attislocal', T.bool], ['attinhcount', T.int4], ['atthasdef', T.bool], ['attidentity', T.text], ['attgenerated', T.text], ['attlen', T.int2],
    ['attalign', T.text], ['attstorage', T.text], ['attcompression', T.text], ['atttypid', T.oid], ['atttypmod', T.int4]];
  return {
    columns: cols(names), rows, starRefused: `SELECT * FROM pg_attribute (Heapscope models ${names.map(([n]) => n).join(', ')}: name them)`,
  };
}

export function pgConstraintView(eng: Engine): SystemRelation {
  const rows: Value[][] = [];
  const keyOf = (cols: readonly number[]) => (cols.length ? new PgArray(cols.map((c) => c + 1)) : null);
  for (const { table: t } of visibleClassRows(eng)) {
    for (const ch of t.checks) {
      // conkey of a CHECK: the columns its expression reads, in the order they first appear (StoreRelCheck)
      const refs = new Set<string>();
      collectColumnRefs(ch.expr, refs);
      const key = [...refs].map((r) => t.columns.find((c) => !c.dropped && c.name === r)).filter((c) => c !== undefined).map((c) => c.attnum - 1);
      rows.push([ch.name, t.oid, 'c', !ch.notLocal, ch.inhcount ?? 0, !ch.notValid, false, false, keyOf(key), 0, null, ' ', ' ', ' ', false]);
    }
    for (const i of t.indexes) {
      if (!i.primary && !(i.unique && !eng.catalog.standaloneIndexes.has(i.name))) continue;
      rows.push([i.name, t.oid, i.primary ? 'p' : 'u', true, 0, true, false, false, keyOf(i.columns), 0, null, ' ', ' ', ' ', true]);
    }
    for (const fk of t.fkeys ?? []) {
      rows.push([fk.name, t.oid, 'f', fk.parent === undefined, fk.parent === undefined ? 0 : 1, fk.validated, fk.deferrable, fk.initiallyDeferred,
        keyOf(fk.cols), fk.refOid, keyOf(fk.refCols), fk.onUpdate, fk.onDelete, fk.match, true]);
    }
  }
  const names: [string, SqlType][] = [['conname', T.text], ['conrelid', T.oid], ['contype', T.text], ['conislocal', T.bool], ['coninhcount', T.int4],
    ['convalidated', T.bool], ['condeferrable', T.bool], ['condeferred', T.bool], ['conkey', INT2_ARRAY], ['confrelid', T.oid], ['confkey', INT2_ARRAY],
    ['confupdtype', T.text], ['confdeltype', T.text], ['confmatchtype', T.text], ['connoinherit', T.bool]];
  return {
    columns: cols(names),
    rows, starRefused: `SELECT * FROM pg_constraint (Heapscope models ${names.map(([n]) => n).join(', ')}: name them)`,
  };
}
