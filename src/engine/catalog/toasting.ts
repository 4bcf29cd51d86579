/**
 * The TOAST table a table gets when it is created: pg_toast.pg_toast_<table's oid> with the columns chunk_id (oid),
 * chunk_seq (int4) and chunk_data (bytea, storage PLAIN: never compressed nor packed short), and its unique B-tree
 * index pg_toast_<oid>_index on (chunk_id, chunk_seq). needs_toast_table (heap/heaptoast.ts needsToast) decides
 * whether there is one; commands/tablecmds.ts takes their two OIDs right after the table's row types and its
 * defaults' and checks' OIDs (reltoastrelid 16387 for a table of OID 16384 with neither). What goes in it:
 * heap/toast_internals.ts.
 *
 * pg_class shows both (relkind 't' and 'i' in pg_toast, OID 99) and the table's reltoastrelid; they are found by
 * name as pg_toast.pg_toast_<oid>, by OID (regclass), and by their table.
 *
 * Mirrors: src/backend/catalog/toasting.c (create_toast_table, AlterTableCreateToastTable). Simplifications: no
 * pg_index / pg_type rows for them; a temporary or unlogged table gets none (its would be pg_toast_temp_N's, or
 * unlogged), nor a table that needs one only after ALTER TABLE: a value that would go out of line there is 0A000
 * (heap/heapam.ts), and reltoastrelid reads 0.
 */
import type { Table } from './catalog.js';
import { HeapRelation } from '../heap/heap.js';
import { BtreeIndex } from '../index/btree.js';
import { T } from '../sql/types.js';

/** The TOAST table of a table (create_toast_table): pg_toast_<oid>, its index pg_toast_<oid>_index. */
export function makeToastTable(relOid: number, toastOid: number, indexOid: number): Table {
  const columns = [
    { name: 'chunk_id', type: T.oid, notNull: true },
    { name: 'chunk_seq', type: T.int4, notNull: true },
    { name: 'chunk_data', type: T.bytea, notNull: true, storage: 'p' as const },
  ];
  const index = new BtreeIndex(indexOid, `pg_toast_${relOid}_index`, [0, 1], true, false);
  return {
    oid: toastOid, name: `pg_toast_${relOid}`, columns: columns as Table['columns'], checks: [], indexes: [index], heap: new HeapRelation(),
    keyColumns: new Set([0, 1]), indexedColumns: new Set([0, 1]), types: columns.map((c) => c.type),
    nsp: { name: 'pg_toast', oid: 99 }, toastOf: relOid,
  };
}
