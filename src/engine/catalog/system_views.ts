/**
 * The system views pg_tables, pg_indexes and pg_sequences (src/backend/catalog/system_views.sql: views over pg_class,
 * pg_namespace and pg_index) and pg_get_indexdef (utils/adt/ruleutils.c pg_get_indexdef_worker), which prints an
 * index as the CREATE INDEX that would make it:
 *
 *     CREATE UNIQUE INDEX t_pkey ON public.t USING btree (id)
 *     CREATE INDEX t_lower_idx ON public.t USING btree (lower(name)) INCLUDE (v) WHERE (v > 0)
 *
 * The system catalogs' own rows (pg_catalog, information_schema) are PostgreSQL 15's, recorded from a fresh
 * database by `npm run record:pg-names` (catalog/pg15names.ts); the user's relations follow in creation order.
 * Simplifications: hasindexes / hastriggers say whether the table has indexes / triggers (or foreign keys) now —
 * PostgreSQL's relhasindex and relhastriggers stay true after the last one is dropped, until a VACUUM; rules and row
 * security are not modelled (false); an index whose expression reads a character varying / character column
 * (PostgreSQL prints the implicit cast) or whose predicate has a shape not deparsed is refused with 0A000.
 */
import { visibleClassRows, visibleViewsAndSequences } from './catalogsnapshot.js';
import { seqValue } from '../sequence/sequence.js';
import type { Engine } from '../engine.js';
import type { Table } from './catalog.js';
import type { BtreeIndex } from '../index/btree.js';
import { T, typeDisplayName, type SqlType, type Value } from '../sql/types.js';
import { notSupported } from '../errors.js';
import { PG15_SYSTEM_TABLES, PG15_SYSTEM_INDEXES } from './pg15names.js';

/** quote_identifier: quoted unless a lower-case plain name (keywords are not checked here) */
const quoteIdent = (s: string) => (/^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`);
const schemaOf = (t: Table) => t.temp?.schema ?? 'public';

/** pg_get_indexdef(index): the index as its CREATE INDEX statement. */
export function indexDefinition(t: Table, i: BtreeIndex): string {
  let k = 0;
  const keys = i.columns.map((c) => {
    if (c >= 0) return quoteIdent(t.columns[c]!.name);
    const e = i.def!.exprs[k]!, node = i.def!.exprNodes[k++] as Record<string, unknown>;
    if (i.def!.cols.some((col) => t.columns[col]!.type.name === 'varchar' || t.columns[col]!.type.name === 'bpchar')) {
      throw notSupported('pg_get_indexdef of an expression over a character varying / character column');
    }
    return node.FuncCall ? e.text : `(${e.text})`; // looks_like_function: a call prints bare, else parenthesized
  });
  const include = i.include.length ? ` INCLUDE (${i.include.map((c) => quoteIdent(t.columns[c]!.name)).join(', ')})` : '';
  let where = '';
  if (i.def?.pred) {
    if (!i.def.pred.text) throw notSupported('pg_get_indexdef of this kind of partial index predicate');
    where = ` WHERE ${i.def.pred.text}`;
  }
  return `CREATE ${i.unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(i.name)} ON ${schemaOf(t)}.${quoteIdent(t.name)} USING ${i.am} (${keys.join(', ')})${include}${where}`;
}

const cols = (xs: [string, SqlType][]) => xs.map(([name, type]) => ({ name, type }));

export function pgTablesView(eng: Engine): { columns: { name: string; type: SqlType }[]; rows: Value[][]; starRefused: string } {
  const rows: Value[][] = PG15_SYSTEM_TABLES.map(([sch, name, ts, hi, hr, ht, rs]) => [sch, name, 'postgres', ts, hi, hr, ht, rs]);
  const referenced = new Set<number>();
  for (const t of eng.catalog.tables.values()) for (const fk of t.fkeys ?? []) referenced.add(fk.refOid);
  for (const { table: t, name, indexes } of visibleClassRows(eng)) {
    if (t.matview) continue; // relkind 'm': pg_matviews
    const triggers = !!(t.triggers?.length || t.fkeys?.length || referenced.has(t.oid));
    rows.push([schemaOf(t), name, 'postgres', null, indexes.length > 0, false, triggers, false]);
  }
  return {
    columns: cols([['schemaname', T.text], ['tablename', T.text], ['tableowner', T.text], ['tablespace', T.text], ['hasindexes', T.bool],
      ['hasrules', T.bool], ['hastriggers', T.bool], ['rowsecurity', T.bool]]),
    rows, starRefused: '',
  };
}

export function pgIndexesView(eng: Engine): { columns: { name: string; type: SqlType }[]; rows: Value[][]; starRefused: string } {
  const rows: Value[][] = PG15_SYSTEM_INDEXES.map(([sch, tab, name, ts, def]) => [sch, tab, name, ts, def]);
  for (const { table: t, name, indexes } of visibleClassRows(eng)) for (const i of indexes) rows.push([schemaOf(t), name, i.name, null, indexDefinition(t, i)]);
  return {
    columns: cols([['schemaname', T.text], ['tablename', T.text], ['indexname', T.text], ['tablespace', T.text], ['indexdef', T.text]]),
    rows, starRefused: '',
  };
}

/**
 * pg_sequences: one row per sequence this session may see (another session's temporary ones left out), its
 * parameters and last_value — NULL until the first nextval() (or setval(..., true)), as pg_sequence_last_value says.
 */
export function pgSequencesView(eng: Engine): { columns: { name: string; type: SqlType }[]; rows: Value[][]; starRefused: string } {
  const cat = eng.catalog;
  const rows: Value[][] = [];
  for (const q of visibleViewsAndSequences(eng).seqs) {
    if (q.temp && q.temp.session !== cat.current) continue;
    const schema = q.temp ? [...cat.tables.values()].find((t) => t.temp?.nsp === q.temp!.nsp)?.temp?.schema : 'public';
    const p = q.params;
    const row: Value[] = [schema ?? '', q.name, 'postgres', typeDisplayName({ name: p.type, typmod: -1 }), seqValue(p.start), seqValue(p.min), seqValue(p.max),
      seqValue(p.increment), p.cycle, 1, q.isCalled ? seqValue(q.lastValue) : null];
    if (schema === undefined) Object.defineProperty(row, 0, { enumerable: true, get() { throw notSupported('pg_sequences.schemaname of a temporary sequence'); } });
    rows.push(row);
  }
  return {
    columns: cols([['schemaname', T.name], ['sequencename', T.name], ['sequenceowner', T.name], ['data_type', T.regtype], ['start_value', T.int8],
      ['min_value', T.int8], ['max_value', T.int8], ['increment_by', T.int8], ['cycle', T.bool], ['cache_size', T.int8], ['last_value', T.int8]]),
    rows, starRefused: '',
  };
}

/** pg_matviews (system_views.sql): one row per materialized view this session sees. */
export function pgMatviewsView(eng: Engine): { columns: { name: string; type: SqlType }[]; rows: Value[][]; starRefused: string } {
  const rows: Value[][] = [];
  for (const { table: t, name, indexes } of visibleClassRows(eng)) {
    if (!t.matview) continue;
    rows.push([t.nsp?.name ?? 'public', name, 'postgres', null, indexes.length > 0, t.matview.populated]);
  }
  return {
    columns: ([['schemaname', T.name], ['matviewname', T.name], ['matviewowner', T.name], ['tablespace', T.name], ['hasindexes', T.bool], ['ispopulated', T.bool]] as [string, SqlType][])
      .map(([name, type]) => ({ name, type })),
    rows, starRefused: 'SELECT * FROM pg_matviews (Heapscope models schemaname, matviewname, matviewowner, tablespace, hasindexes, ispopulated — not definition: name them)',
  };
}
