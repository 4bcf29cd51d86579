/**
 * pg_index: one row per index — which table it indexes (indrelid), its key and INCLUDE columns (indkey, an int2vector
 * printed "1 2"; 0 for an expression), unique / primary, and the flags a learner watches: indisclustered (the index
 * the last CLUSTER ordered the table by), indisvalid / indisready / indislive (CREATE INDEX CONCURRENTLY's phases).
 *
 *     CREATE TABLE t (a int PRIMARY KEY, b text);  CREATE INDEX t_b ON t (b) INCLUDE (a);
 *     SELECT indexrelid::regclass, indnatts, indnkeyatts, indisunique, indisprimary, indkey, indcollation, indclass
 *       FROM pg_index WHERE indrelid = 't'::regclass;
 *     -- t_pkey | 1 | 1 | t | t | 1 | 0 | 1978        t_b | 2 | 1 | f | f | 2 1 | 100 | 3126
 *
 * indcollation and indclass (oidvectors) cover the key columns only: the default collation (100, "C" 950 for name)
 * of a collatable type, else 0; the type's default B-tree operator class (pg_opclass' OIDs of PostgreSQL 15).
 *
 * Mirrors: src/include/catalog/pg_index.h (its columns in order), catalog/index.c (index_create, index_set_state_flags).
 * Simplifications: the engine builds an index in one go (commands/defineindex.ts createIndex), so an index listed is
 * always valid, ready and live — CREATE INDEX CONCURRENTLY's invalid phase, and the invalid index a failed build
 * leaves, are not modelled; NULLS NOT DISTINCT, deferrable unique constraints, exclusion constraints and REPLICA
 * IDENTITY USING INDEX are refused where they are declared, so those flags are false (indimmediate true). indoption
 * is each key column's DESC (1) / NULLS FIRST (2) as CREATE INDEX declared it. Refused with 0A000 when read:
 * indexprs / indpred of an expression or partial index (their
 * pg_node_tree text), and indclass / indcollation of an expression or of a type whose operator class is not listed.
 */
import type { Engine } from '../engine.js';
import { T, type SqlType, type Value } from '../sql/types.js';
import { notSupported } from '../errors.js';
import type { SystemRelation } from './sysviews.js';
import { visibleClassRows } from './catalogsnapshot.js';

/** pg_opclass: the default btree operator class of each type (opcdefault), by the type's name */
const BTREE_OPCLASS: Record<string, number> = {
  int4: 1978, int2: 1979, oid: 1981, date: 3122, float8: 3123, int8: 3124, numeric: 3125, text: 3126, varchar: 3126,
  timestamptz: 3127, timestamp: 3128, bool: 10003, bpchar: 10004, bytea: 10006, char: 10007, float4: 10012, inet: 10015,
  interval: 10022, name: 10028, time: 10038, timetz: 10041, tid: 10050, xid8: 10053, uuid: 10065, pg_lsn: 10067, jsonb: 10088,
};
/** pg_type.typcollation: the default collation for the string types, "C" for name */
const collationOf = (t: SqlType): number => (t.name === 'name' ? 950 : ['text', 'varchar', 'bpchar'].includes(t.name) ? 100 : 0);

/** A cell read only through a getter that refuses (as pg_buffercache's unmodelled columns: SELECT * refuses too). */
function refuse(row: Value[], col: number, what: string): void {
  Object.defineProperty(row, col, { enumerable: true, get() { throw notSupported(what); } });
}

export const PG_INDEX_COLUMNS: [string, SqlType][] = [
  ['indexrelid', T.oid], ['indrelid', T.oid], ['indnatts', T.int2], ['indnkeyatts', T.int2], ['indisunique', T.bool],
  ['indnullsnotdistinct', T.bool], ['indisprimary', T.bool], ['indisexclusion', T.bool], ['indimmediate', T.bool],
  ['indisclustered', T.bool], ['indisvalid', T.bool], ['indcheckxmin', T.bool], ['indisready', T.bool], ['indislive', T.bool],
  ['indisreplident', T.bool], ['indkey', T.text], ['indcollation', T.text], ['indclass', T.text], ['indoption', T.text],
  ['indexprs', T.text], ['indpred', T.text],
];

export function pgIndexView(eng: Engine): SystemRelation {
  const rows: Value[][] = [];
  for (const { table: t, indexes } of visibleClassRows(eng)) {
    for (const i of indexes) {
      const keys = i.columns;
      const types = i.keyTypes(t.types);
      const row: Value[] = [
        i.oid, t.oid, keys.length + i.include.length, keys.length, i.unique, false, i.primary, false, true,
        t.clusteredOn === i.oid, true, !!i.checkXmin, true, true, false,
        [...keys, ...i.include].map((c) => (c >= 0 ? t.columns[c]!.attnum : 0)).join(' '),
        types.map((ty) => (ty ? collationOf(ty) : 0)).join(' '),
        types.map((ty) => (ty ? BTREE_OPCLASS[ty.name] ?? 0 : 0)).join(' '),
        keys.map((_, k) => i.indoption?.[k] ?? 0).join(' '), null, null,
      ];
      const unknownClass = types.some((ty) => !ty || BTREE_OPCLASS[ty.name] === undefined);
      if (unknownClass) {
        refuse(row, 16, `pg_index.indcollation of the index "${i.name}" (an expression's collation is not kept)`);
        refuse(row, 17, `pg_index.indclass of the index "${i.name}" (an expression's or this type's operator class is not listed)`);
      }
      if (i.def?.exprs.length) refuse(row, 19, `pg_index.indexprs of the index "${i.name}" (the pg_node_tree of its expressions)`);
      if (i.def?.pred) refuse(row, 20, `pg_index.indpred of the index "${i.name}" (the pg_node_tree of its predicate)`);
      rows.push(row);
    }
  }
  return {
    columns: PG_INDEX_COLUMNS.map(([name, type]) => ({ name, type })), rows, starRefused: '', // all of PostgreSQL 15's columns
  };
}
