/**
 * Out-of-line TOAST storage: the TOAST table, its chunks and the 18-byte pointer a row keeps instead of the value.
 *
 * A table that could hold a row over 2032 bytes (catalog/toasting.c needs_toast_table: heap/heaptoast.ts needsToast)
 * gets, when it is created, a TOAST table pg_toast.pg_toast_<table's oid> (chunk_id oid, chunk_seq int4,
 * chunk_data bytea) and a unique B-tree index pg_toast_<oid>_index on (chunk_id, chunk_seq); their OIDs come right
 * after the table's row types (and its defaults' and checks'): reltoastrelid = table + 3 for a plain CREATE TABLE.
 *
 * When the toaster (heaptoast.ts) moves a value out of line, toast_save_datum takes a new OID from the OID counter
 * for it (the value's chunk_id) and cuts its bytes — compressed or not — into chunks of TOAST_MAX_CHUNK_SIZE (1996)
 * bytes: each chunk a row of the TOAST table (2032 bytes for a full one: 4 fit on a page), inserted with heap_insert
 * and entered in the index, before the row that points at them. The row keeps a varatt_external pointer of 18 bytes
 * (1-byte header 0x01, tag 18, then va_rawsize = raw size + 4, va_extinfo = stored size | compression method << 30,
 * va_valueid, va_toastrelid), unaligned:
 *
 *     INSERT INTO t SELECT 1, string_agg(md5(g::text), '') FROM generate_series(1, 200) g;   -- 6400 bytes of md5
 *     heap_page_items: lp_len 46 = 24 + 4 (id) + 18;  t_data \x01000000 01 12 04190000 00190000 30400000 03400000
 *     pg_toast.pg_toast_16384: chunks 0..3 of 1996, 1996, 1996 and 412 bytes;  pg_column_size(s) = 6400
 *
 * Deleting the row, or an UPDATE that changes the value, deletes its chunks (toast_delete_datum: t_xmax set on each,
 * VACUUM removes them); an UPDATE that leaves the value alone keeps the same pointer and writes no chunk.
 * Reading detoasts the value (the simulator's row keeps the value itself next to the pointer, so reading does not
 * look the chunks up).
 *
 * Mirrors: src/backend/access/common/toast_internals.c (toast_save_datum, toast_delete_datum),
 * access/heap/heaptoast.c (heap_toast_delete), include/varatt.h; the TOAST table itself: catalog/toasting.ts.
 * Simplifications: the chunks are found by the TIDs the pointer keeps (not by an index scan under SnapshotToast);
 * a toasted value is not detoasted from its chunks when read (its row keeps it); autovacuum does not pick a TOAST
 * table on its own (a VACUUM of its table vacuums it); VACUUM FULL,
 * CLUSTER and a rewriting ALTER TABLE of a table with out-of-line values refuse 0A000.
 */
import { Bytea } from '../sql/types.js';
import type { Compressed } from './heaptoast.js';

/** TOAST_MAX_CHUNK_SIZE for 8 kB pages: 4 chunk rows (header, chunk_id, chunk_seq, a 4-byte varlena header) per page */
export const TOAST_MAX_CHUNK_SIZE = 1996;
/** TOAST_POINTER_SIZE: VARHDRSZ_EXTERNAL (2) + sizeof(varatt_external) (16) */
export const TOAST_POINTER_SIZE = 18;
/** VARTAG_ONDISK */
const VARTAG_ONDISK = 18;

/** Where a value stored out of line is: its chunk_id (va_valueid), the TOAST table (va_toastrelid), its chunks. */
export interface External { valueId: number; toastRelId: number; chunks: { blk: number; off: number }[] }

/** The bytes toast_save_datum stores: a compressed value's raw-size word and pglz bytes, else the raw bytes. */
export function externalBytes(c: Compressed): Uint8Array {
  if (c.raw) return c.data;
  const out = new Uint8Array(c.data.length + 4);
  const w = c.rawSize; // method pglz (0) in the top two bits
  out[0] = w & 0xff; out[1] = (w >> 8) & 0xff; out[2] = (w >> 16) & 0xff; out[3] = (w >>> 24) & 0x3f;
  out.set(c.data, 4);
  return out;
}

/** VARATT_EXTERNAL_GET_EXTSIZE: the stored bytes of a value out of line (what pg_column_size reports) */
export const externalSize = (c: Compressed): number => c.data.length + (c.raw ? 0 : 4);

/** The chunk rows of a value: (chunk_id, chunk_seq, chunk_data), chunk_data of at most 1996 bytes. */
export function chunkRows(valueId: number, bytes: Uint8Array): [number, number, Bytea][] {
  const rows: [number, number, Bytea][] = [];
  for (let seq = 0, at = 0; at < bytes.length || seq === 0; seq++, at += TOAST_MAX_CHUNK_SIZE) {
    rows.push([valueId, seq, new Bytea(bytes.slice(at, Math.min(bytes.length, at + TOAST_MAX_CHUNK_SIZE)))]);
  }
  return rows;
}

/** The 18 bytes of a varattrib_1b_e holding a varatt_external, little-endian. */
export function pointerBytes(c: Compressed, ext: External): number[] {
  const le = (x: number) => [x & 0xff, (x >> 8) & 0xff, (x >> 16) & 0xff, (x >>> 24) & 0xff];
  return [0x01, VARTAG_ONDISK, ...le(c.rawSize + 4), ...le(externalSize(c)), ...le(ext.valueId), ...le(ext.toastRelId)];
}
