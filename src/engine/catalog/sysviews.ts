/**
 * The system catalogs a learner queries about VACUUM, read in FROM: pg_class (one row per relation: relpages,
 * reltuples and relallvisible as VACUUM / ANALYZE last set them, relfrozenxid, relminmxid) and pg_database
 * (datfrozenxid, datminmxid); pg_inherits (catalog/pg_inherits.ts), pg_attribute and pg_constraint (catalog/pg_attribute.ts),
 * pg_index (catalog/pg_index.ts), the view pg_stats (catalog/pg_stats.ts),
 * pg_tables, pg_indexes and pg_sequences (catalog/system_views.ts).
 *
 *     SELECT relname, relpages, reltuples, relallvisible, relfrozenxid, age(relfrozenxid) FROM pg_class WHERE relname = 't';
 *     -- never vacuumed: 0 | -1 | 0 | <the creator's xmin>;  after VACUUM: the real counts, relfrozenxid advanced
 *
 * Mirrors: src/include/catalog/pg_class.h, pg_database.h; commands/vacuum.c (vac_update_relstats). Simplifications:
 * only the columns listed here (SELECT * is refused with 0A000: PostgreSQL's rows have more), only the user's
 * relations — tables (relkind r, a partitioned one p), materialized views (m), their indexes (relkind i), sequences (S),
 * views (v) — no system catalogs; temporary views
 * are left out; datfrozenxid is computed from the relfrozenxids when
 * read, where PostgreSQL stores it at the end of each VACUUM (the same value: a relfrozenxid only moves forward).
 */
import { boundText } from '../partitioning/partbounds.js';
import type { Engine } from '../engine.js';
import { T, PgArray, type SqlType, type Value } from '../sql/types.js';
import { floatIn } from '../adt/float.js';
import { notSupported } from '../errors.js';
import { vmStatus } from '../heap/visibilitymap.js';
import type { Table } from './catalog.js';
import type { BtreeIndex } from '../index/btree.js';
import { bufferCacheView } from '../contrib/pg_buffercache.js';
import { pgMatviewsView, pgTablesView, pgIndexesView, pgSequencesView } from './system_views.js';
import { visibleClassRows, visibleViewsAndSequences, catalogQuerySnapshot } from './catalogsnapshot.js';
import { pgInheritsRows } from './pg_inherits.js';
import { pgAttributeView, pgConstraintView } from './pg_attribute.js';
import { pgIndexView } from './pg_index.js';
import { pgProcView, pgTypeView } from './pg_proc.js';
import { descriptionRows, shDescriptionRows } from '../commands/comment.js';
import { pgStatsView } from './pg_stats.js';

export interface SystemRelation { columns: { name: string; type: SqlType }[]; rows: Value[][]; starRefused: string }

/**
 * vac_update_datfrozenxid: the oldest relfrozenxid of the database's relations — its system catalogs (advanced by a
 * database-wide VACUUM, postmaster/autovacuum.ts advanceCatalogFrozenXid; 716 from initdb) and its tables.
 */
export function datFrozenXid(eng: Engine): number {
  let oldest = eng.catalogFrozenXid;
  for (const t of eng.catalog.tables.values()) if ((t.relfrozenxid ?? 0) >= 3 && t.relfrozenxid! < oldest) oldest = t.relfrozenxid!;
  return oldest;
}

/** An index's pg_class row; a partitioned table's index is a partitioned index (relkind 'I'): no storage. */
/** pg_class.relpersistence: 't' temporary, 'u' unlogged, 'p' permanent (a table's indexes share its own) */
const persistence = (t: Table): string => (t.temp ? 't' : t.unlogged ? 'u' : 'p');

export function indexClassRow(t: Table, i: BtreeIndex): Value[] {
  const p = !!t.partKey;
  return [i.oid, i.name, t.temp ? t.temp.nsp : t.nsp?.oid ?? 2200, p ? 'I' : 'i', persistence(t), p ? 0 : i.relfilenode ?? i.oid, p ? 0 : i.stats?.relpages ?? 1,
    floatIn(String(p ? 0 : i.stats?.reltuples ?? 0), true), 0, false, i.columns.length + i.include.length, 0, 0,
    i.reloptions ? new PgArray(i.reloptions) : null, i.parentIndex !== undefined, null, 0];
}

/** A TOAST table's pg_class row and its index's (catalog/toasting.ts): relkind 't' in pg_toast (OID 99). */
function toastClassRows(t: Table, toast: Table): Value[][] {
  const i = toast.indexes[0]!;
  return [
    [toast.oid, toast.name, 99, 't', persistence(t), toast.relfilenode ?? toast.oid, toast.stats?.relpages ?? 0,
      floatIn(String(toast.stats?.reltuples ?? -1), true), toast.stats?.relallvisible ?? 0, true, 3,
      toast.relfrozenxid ?? t.toastFrozenXid ?? t.relfrozenxid ?? 3, toast.relminmxid ?? t.relminmxid ?? 1, null, false, null, 0],
    [i.oid, i.name, 99, 'i', persistence(t), i.relfilenode ?? i.oid, i.stats?.relpages ?? 1, floatIn(String(i.stats?.reltuples ?? 0), true),
      0, false, 2, 0, 0, null, false, null, 0],
  ];
}

export function systemRelation(eng: Engine, name: string): SystemRelation | null {
  // pg_buffercache's view, created by the extension (contrib/pg_buffercache.ts)
  if (name === 'pg_buffercache' && eng.catalog.extensions.has('pg_buffercache')) return bufferCacheView(eng);
  if (name === 'pg_namespace') throw notSupported('the catalog pg_namespace (schemas are not modelled; pg_class.relnamespace and pg_my_temp_schema() show their OIDs)');
  if (name === 'pg_class') {
    const rows: Value[][] = [];
    // the rows its snapshot sees: not another session's uncommitted CREATE / RENAME, its uncommitted DROP's row
    // still (catalog/catalogsnapshot.ts)
    for (const { table: t, name, indexes } of visibleClassRows(eng)) {
      // every session's temporary tables are in pg_class (in their pg_temp_N, relpersistence 't')
      rows.push([
        t.oid, name, t.temp ? t.temp.nsp : t.nsp?.oid ?? 2200, t.partKey ? 'p' : t.matview ? 'm' : 'r', persistence(t), t.partKey ? 0 : t.relfilenode ?? t.oid, t.stats?.relpages ?? 0, floatIn(String(t.stats?.reltuples ?? -1), true),
        t.stats?.relallvisible ?? 0, indexes.length > 0, t.columns.length, t.relfrozenxid ?? 3, t.relminmxid ?? 1,
        t.reloptions ? new PgArray(t.reloptions) : null, !!t.partOf, t.partOf ? boundText(t.partOf.bound) : null, t.toast?.oid ?? 0,
      ]);
      if (t.toast) rows.push(...toastClassRows(t, t.toast));
      // its indexes (a temporary table's are temporary too): relpages / reltuples as the build, ANALYZE or VACUUM
      // set them; no relfrozenxid
      for (const i of indexes) rows.push(indexClassRow(t, i));
    }
    // what another session's transaction in progress dropped is still there for this one
    for (const d of eng.catalog.droppedPending) if (d.session !== eng.catalog.current && eng.xacts.isInProgress(d.xid)) rows.push(d.row);
    // a sequence is one page holding one tuple; a view has no storage
    // (every session's temporary ones too, in their pg_temp_N)
    const { views, seqs } = visibleViewsAndSequences(eng);
    for (const q of seqs) rows.push([q.oid, q.name, q.temp?.nsp ?? 2200, 'S', q.temp ? 't' : q.unlogged ? 'u' : 'p', q.oid, 1, floatIn('1', true), 0, false, 3, 0, 0, null, false, null, 0]);
    for (const v of views) {
      rows.push([v.oid, v.name, v.temp?.nsp ?? 2200, 'v', v.temp ? 't' : 'p', 0, 0, floatIn('-1', true), 0, false, v.columns.length, 0, 0, null, false, null, 0]);
    }
    return {
      columns: ([['oid', T.oid], ['relname', T.text], ['relnamespace', T.oid], ['relkind', T.text], ['relpersistence', T.text], ['relfilenode', T.oid],
        ['relpages', T.int4], ['reltuples', T.float4], ['relallvisible', T.int4], ['relhasindex', T.bool], ['relnatts', T.int2],
        ['relfrozenxid', T.xid], ['relminmxid', T.xid], ['reloptions', T.text_array], ['relispartition', T.bool],
        // relpartbound: a pg_node_tree in PostgreSQL; here the bound as pg_get_expr prints it (NULL for a non-partition)
        ['relpartbound', T.text], ['reltoastrelid', T.oid]] as [string, SqlType][]).map(([n, type]) => ({ name: n, type })),
      rows, starRefused: 'SELECT * FROM pg_class (Heapscope models oid, relname, relnamespace, relkind, relpersistence, relfilenode, relpages, reltuples, relallvisible, relhasindex, relnatts, relfrozenxid, relminmxid, reloptions, relispartition, relpartbound, reltoastrelid: name them)',
    };
  }
  if (name === 'pg_inherits') {
    // table inheritance's rows (MVCC: with the statement's snapshot), then one per partition and per partition index
    return {
      columns: ([['inhrelid', T.oid], ['inhparent', T.oid], ['inhseqno', T.int4], ['inhdetachpending', T.bool]] as [string, SqlType][]).map(([n, type]) => ({ name: n, type })),
      rows: pgInheritsRows(eng.catalog, catalogQuerySnapshot(eng)), starRefused: '',
    };
  }
  if (name === 'pg_attribute') return pgAttributeView(eng);
  if (name === 'pg_constraint') return pgConstraintView(eng);
  if (name === 'pg_index') return pgIndexView(eng);
  if (name === 'pg_proc') return pgProcView(eng);
  if (name === 'pg_description') {
    return { columns: ([['objoid', T.oid], ['classoid', T.oid], ['objsubid', T.int4], ['description', T.text]] as [string, SqlType][]).map(([n, type]) => ({ name: n, type })),
      rows: descriptionRows(eng.catalog), starRefused: '' };
  }
  if (name === 'pg_shdescription') {
    return { columns: ([['objoid', T.oid], ['classoid', T.oid], ['description', T.text]] as [string, SqlType][]).map(([n, type]) => ({ name: n, type })),
      rows: shDescriptionRows(eng.catalog), starRefused: '' };
  }
  if (name === 'pg_type') return pgTypeView(eng);
  if (name === 'pg_stats') return pgStatsView(eng);
  if (name === 'pg_tables') return pgTablesView(eng);
  if (name === 'pg_matviews') return pgMatviewsView(eng);
  if (name === 'pg_indexes') return pgIndexesView(eng);
  if (name === 'pg_sequences') return pgSequencesView(eng);
  if (name === 'pg_database') {
    return {
      columns: ([['oid', T.oid], ['datname', T.text], ['datistemplate', T.bool], ['datallowconn', T.bool], ['datfrozenxid', T.xid], ['datminmxid', T.xid]] as [string, SqlType][]).map(([n, type]) => ({ name: n, type })),
      rows: [[5, 'postgres', false, true, datFrozenXid(eng), 1], [1, 'template1', true, true, eng.templateFrozenXid, 1], [4, 'template0', true, false, eng.templateFrozenXid, 1]],
      starRefused: 'SELECT * FROM pg_database (Heapscope models oid, datname, datistemplate, datallowconn, datfrozenxid, datminmxid: name them)',
    };
  }
  return null;
}

/** relallvisible as VACUUM and ANALYZE count it (visibilitymap_count). */
export function allVisibleCount(t: Table): number {
  let n = 0;
  for (const p of t.heap.pages) if (vmStatus(t.heap, p.blkno) & 1) n++;
  return n;
}
