/**
 * TOAST inside the row: a row longer than TOAST_TUPLE_THRESHOLD (2032 bytes) gets its long values compressed.
 *
 * heap_insert and heap_update hand a row over 2032 bytes to the toaster before it goes on a page. The toaster
 * takes the biggest value whose column's storage allows compression ('x', extended: text, varchar, json …) and
 * compresses it with pglz (heap/pglz.ts), then the next biggest, until the row's data fits in 2032 bytes minus its
 * header, or nothing is left to try. A compressed value keeps a 4-byte varlena header plus 4 bytes saying its raw
 * size and method (pg_column_size counts them), is aligned like the type, and is never packed short:
 *
 *     INSERT INTO t VALUES (1, repeat('x', 3000));   -- row of 3028 bytes → s compressed to 36 + 8 bytes
 *     SELECT lp_len FROM heap_page_items(get_raw_page('t', 0));   -- 72 (24 header + 4 id + 44 value)
 *     SELECT pg_column_size(s), pg_column_compression(s) FROM t;  -- 44, pglz
 *
 * Which values may be compressed is the column's attstorage (the type's typstorage unless ALTER COLUMN ... SET
 * STORAGE changed it): EXTENDED (text) first, MAIN (numeric) only after the extended ones; EXTERNAL is never
 * compressed (only moved out of line), PLAIN never touched — a PLAIN text column's row may exceed 2032 bytes.
 *
 * An UPDATE that leaves a compressed value alone carries the compressed datum into the new version as it is (the
 * executor never decompressed it), even when the new row would be short enough without compression.
 *
 * Which table has a TOAST table (needs_toast_table): one whose row could pass the threshold — any column of
 * unbounded length. When the row still does not fit after compression, the biggest values go out of line into
 * that TOAST table, one by one (heap/toast_internals.ts: 1996-byte chunks, an 18-byte pointer left in the row):
 * a value bigger than the whole target at once in round 1, then extended / external ones in round 2, main ones
 * last, only when the row would not fit on a page. A row that still exceeds 8160 bytes with no TOAST table to go
 * to is 54000 "row is too big".
 *
 * Mirrors: src/backend/access/heap/heaptoast.c (heap_toast_insert_or_update's four rounds),
 * access/table/toast_helper.c (toast_tuple_init, toast_tuple_find_biggest_attribute, toast_tuple_try_compression),
 * access/common/toast_internals.c (toast_compress_datum: a gain of more than 2 bytes required),
 * catalog/toasting.c (needs_toast_table). Simplifications: a temporary or unlogged table, and one that needed a
 * TOAST table only after CREATE TABLE, has none here: a value that would go out of line there is 0A000;
 * compression is pglz only (default_toast_compression lz4 is not modelled);
 * only text-like values (text, varchar, char, json), bit strings and bytea are laid out byte by byte for compression — another type that
 * would need compressing is refused with 0A000; a compressed value read by INSERT ... SELECT into another table is
 * compressed again there only if that row needs it (PostgreSQL copies the compressed datum).
 */
import { PgError, notSupported } from '../errors.js';
import type { Column } from '../catalog/catalog.js';
import { type SqlType, type Value, Bytea, formatValue, typeDisplayName } from '../sql/types.js';
import { utf8Bytes } from './datum.js';
import { utf8Len } from '../sql/utf8.js';
import { pglzCompress } from './pglz.js';
import { PgBit, bitBody } from '../adt/varbit.js';
import { type External, TOAST_POINTER_SIZE, externalSize } from './toast_internals.js';

/** MaximumBytesPerTuple(TOAST_TUPLES_PER_PAGE = 4): a row above this goes to the toaster */
export const TOAST_TUPLE_THRESHOLD = 2032;
/** TOAST_TUPLE_TARGET (the default of the toast_tuple_target storage parameter) and TOAST_TUPLE_TARGET_MAIN */
const TOAST_TUPLE_TARGET = 2032, TOAST_TUPLE_TARGET_MAIN = 8160;
/** MaxHeapTupleSize */
export const MAX_HEAP_TUPLE_SIZE = 8160;
/** MAXALIGN(TOAST_POINTER_SIZE): a value must be bigger than a TOAST pointer to be worth toasting */
const TOAST_POINTER_ALIGNED = 24;

/**
 * A value the toaster changed, as the row stores it: the pglz bytes and the raw size (its header is 8 more bytes);
 * `raw`: the bytes are not compressed (an EXTERNAL column's value, or one pglz could not shrink, moved out of line;
 * or a TOAST chunk's chunk_data, which is PLAIN and keeps its 4-byte header); `external`: moved out of line
 * (heap/toast_internals.ts) — the row holds an 18-byte pointer to its chunks.
 */
export interface Compressed { data: Uint8Array; rawSize: number; raw?: true; external?: External }

/** The bytes a toasted value takes in its row: the TOAST pointer, or a 4-byte header (+ 4 of raw size) and the data. */
export const storedSize = (c: Compressed): number => (c.external ? TOAST_POINTER_SIZE : c.data.length + (c.raw ? 4 : 8));
/** pg_column_size of a toasted value (toast_datum_size): out of line, the stored size in the TOAST table */
export const columnSize = (c: Compressed): number => (c.external ? externalSize(c) : storedSize(c));

/**
 * The compressed values of a row, by column, keyed by the row's values array (a tuple's values are never changed
 * in place; copies of a page share them, and so does the WAL record that redoes the insert).
 */
const STORED = new WeakMap<readonly Value[], readonly (Compressed | undefined)[]>();
export const compressedOf = (values: readonly Value[]): readonly (Compressed | undefined)[] | undefined => STORED.get(values);
export function setCompressed(values: readonly Value[], c: readonly (Compressed | undefined)[]): void { STORED.set(values, c); }
/** A copy of a tuple's values that stores its values as the tuple does (compressed ones compressed). */
export function copyValues(values: readonly Value[]): Value[] {
  const copy = values.slice();
  const c = STORED.get(values);
  if (c) STORED.set(copy, c);
  return copy;
}

/** attstorage: 'p' plain, 'e' external (out of line only), 'm' main (compressed last), 'x' extended (both) */
export type Storage = 'p' | 'e' | 'm' | 'x';

/** typstorage of a column's type: 'p' plain (fixed length), 'x' extended, 'm' main (numeric) */
export function typeStorage(t: SqlType): 'p' | 'x' | 'm' {
  switch (t.name) {
    case 'int2': case 'int4': case 'int8': case 'float4': case 'float8': case 'bool': case 'date': case 'timestamp': case 'timestamptz':
    case 'interval': case 'time': case 'timetz': case 'oid': case 'regclass': case 'regproc': case 'regprocedure': case 'regtype': case 'xid': case 'xid8': case 'cid':
    case 'tid': case 'pg_lsn': case 'name': case 'cstring': case 'enum': return 'p';
    case 'numeric': return 'm';
    default: return 'x';
  }
}

/** needs_toast_table: could a row exceed TOAST_TUPLE_THRESHOLD (2032 bytes)? Unbounded varlena columns can. */
export function needsToast(columns: Column[]): boolean {
  let max = 24;
  for (const c of columns) {
    switch (c.type.name) {
      case 'int2': max += 2; break;
      case 'int4': max += 4; break;
      case 'int8': case 'float8': case 'timestamp': case 'timestamptz': case 'time': case 'pg_lsn': max += 8; break;
      case 'float4': case 'date': case 'oid': case 'xid': max += 4; break;
      case 'timetz': max += 12; break;
      case 'interval': max += 16; break;
      case 'bool': max += 1; break;
      case 'name': max += 64; break;
      case 'varchar': case 'bpchar': if (c.type.typmod < 0) return true; max += c.type.typmod * 4 + 4; break;
      case 'bit': case 'varbit': if (c.type.typmod < 0) return true; max += Math.ceil(c.type.typmod / 8) + 8; break; // type_maximum_size
      case 'numeric': if (c.type.typmod < 0) return true; max += Math.ceil(Math.floor(c.type.typmod / 65536) / 4) * 2 + 8; break;
      default: return true;
    }
  }
  return max > 2032;
}

/** the types whose values are laid out (and compressed) as their UTF-8 text */
export const TEXTLIKE: ReadonlySet<string> = new Set(['text', 'varchar', 'bpchar', 'json']);

/** The pointer of a value toastRow moved out of line, until the caller has stored its chunks (toast_save_datum). */
export const PENDING: External = Object.freeze({ valueId: 0, toastRelId: 0, chunks: [] }) as External;

/**
 * heap_toast_insert_or_update for a row of `len` bytes (over the threshold): which values to compress. `dataSize`
 * computes the row's data size with a set of compressed values (heap_compute_data_size); `carried` are compressed
 * values an UPDATE keeps from the old version. Returns the compressed values by column.
 */
export function toastRow(
  values: readonly Value[], types: readonly SqlType[], storage: readonly Storage[], hasToastTable: boolean | string, targetOption: number | undefined,
  carried: readonly (Compressed | undefined)[] | undefined, dataSize: (c: readonly (Compressed | undefined)[]) => number,
): (Compressed | undefined)[] {
  const n = values.length;
  const comp: (Compressed | undefined)[] = carried ? carried.slice() : new Array<Compressed | undefined>(n);
  const ignore: boolean[] = [], incompressible: boolean[] = [], size: number[] = [];
  let hasNull = false;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const st = storage[i]!;
    ignore[i] = v === null || st === 'p';
    if (v === null) hasNull = true;
    incompressible[i] = false;
    // a value an UPDATE carries over out of line stays as it is (toast_tuple_init: TOASTCOL_IGNORE)
    if (comp[i]?.external) ignore[i] = true;
    size[i] = comp[i] ? storedSize(comp[i]!) : ignore[i] ? 0 : 4 + rawLength(v, types[i]!);
  }
  const hoff = (23 + (hasNull ? Math.ceil(n / 8) : 0) + 7) & ~7;
  let maxDataLen = (targetOption ?? TOAST_TUPLE_TARGET) - hoff;
  const biggest = (forCompression: boolean, main: boolean): number => {
    let at = -1, best = TOAST_POINTER_ALIGNED;
    for (let i = 0; i < n; i++) {
      if (ignore[i] || (forCompression && (incompressible[i] || comp[i]))) continue;
      const st = storage[i]!;
      if (main ? st !== 'm' : st !== 'x' && st !== 'e') continue;
      if (size[i]! > best) { at = i; best = size[i]!; }
    }
    return at;
  };
  // toast_tuple_externalize: the value (compressed or not) goes to the TOAST table; the row keeps an 18-byte pointer.
  // The chunks are written by the caller (heapam.ts toastSave), which gives the pointer its OID.
  const externalize = (i: number) => {
    // a table PostgreSQL gives a TOAST table the simulator has not made one for (hasToastTable names why)
    if (typeof hasToastTable === 'string') throw notSupported(`storing a value out of line in the TOAST table of ${hasToastTable} (column ${i + 1} of ${typeDisplayName(types[i]!)}, ${size[i]} bytes)`);
    if (!comp[i]) { const raw = rawBytes(values[i]!, types[i]!); comp[i] = { data: raw, rawSize: raw.length, raw: true }; }
    comp[i] = { ...comp[i]!, external: PENDING };
    size[i] = TOAST_POINTER_SIZE;
    ignore[i] = true;
  };
  const tryCompress = (i: number) => {
    const raw = rawBytes(values[i]!, types[i]!);
    const c = pglzCompress(raw);
    // toast_compress_datum: kept only when it saves more than 2 bytes, header included
    if (c && c.length + 8 < raw.length - 2) { comp[i] = { data: c, rawSize: raw.length }; size[i] = c.length + 8; } else incompressible[i] = true;
  };
  // 1: compress extended values, biggest first; one still bigger than the whole target goes out of line at once
  while (dataSize(comp) > maxDataLen) {
    const i = biggest(true, false);
    if (i < 0) break;
    if (storage[i] === 'x') tryCompress(i);
    else incompressible[i] = true; // EXTERNAL: never compressed, only moved out of line
    if (size[i]! > maxDataLen && hasToastTable) externalize(i);
  }
  // 2: extended and external values still too long go out of line, biggest first
  while (dataSize(comp) > maxDataLen && hasToastTable) {
    const i = biggest(false, false);
    if (i < 0) break;
    externalize(i);
  }
  // 3: compress main values (numeric)
  while (dataSize(comp) > maxDataLen) {
    const i = biggest(true, true);
    if (i < 0) break;
    tryCompress(i);
  }
  // 4: main values out of line only when the row would not fit on a page at all
  maxDataLen = TOAST_TUPLE_TARGET_MAIN - hoff;
  while (dataSize(comp) > maxDataLen && hasToastTable) {
    const i = biggest(false, true);
    if (i < 0) break;
    externalize(i);
  }
  return comp;
}

/** The bytes pglz works on (VARDATA_ANY of the datum); only text-like values and bytea are laid out here. */
function rawBytes(v: Value, t: SqlType): Uint8Array {
  if (v instanceof Bytea) return v.data(); // its bytes as they are (a raw page's laid out, or 0A000)
  if (TEXTLIKE.has(t.name)) return Uint8Array.from(utf8Bytes(String(formatValue(v))));
  if (v instanceof PgBit) return Uint8Array.from(bitBody(v)); // a bit string: its bit length and bytes
  throw notSupported(`compressing a long value of type ${typeDisplayName(t)} (TOAST)`);
}

/** The length of VARDATA_ANY, measured without laying the bytes out (a non-text value by its text, an estimate). */
function rawLength(v: Value, t: SqlType): number {
  if (v instanceof PgBit) return 4 + v.bytes.length;
  if (v instanceof Bytea) return v.length;
  const s = String(formatValue(v));
  return TEXTLIKE.has(t.name) ? utf8Len(s) : s.length;
}

/** RelationGetBufferForTuple's limit */
export function rowTooBig(len: number): PgError {
  return new PgError('54000', `row is too big: size ${len}, maximum size ${MAX_HEAP_TUPLE_SIZE}`);
}
