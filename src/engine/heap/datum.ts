/**
 * A heap tuple's data bytes as heap_fill_tuple lays them out (after the header and null bitmap): each non-null
 * value aligned to its type's alignment, integers and floats little-endian, short strings with a 1-byte varlena
 * header. pageinspect's t_data and bt_page_items' data show them; heap_update compares an old and a new version's
 * bytes for the common prefix and suffix it leaves out of the WAL record.
 *
 * Arrays of those types are laid out as construct_md_array builds them (arrayImage).
 *
 * Mirrors: src/backend/access/common/heaptuple.c (heap_fill_tuple), utils/adt/arrayfuncs.c (construct_md_array).
 * Simplifications: only the types listed here (integers, floats, dates, timestamps, intervals, booleans, strings, name,
 * numeric, bit strings, bytea (its bytes as they are), arrays of them but bit strings and bytea, composite values of them:
 * recordImage) are laid out; others give null.
 */
import { type Value, type SqlType, PgArray, RegClass, RegProc, Bytea, PgEnum, PgRecord } from '../sql/types.js';
import { PgFloat } from '../adt/float.js';
import { PgDate, PgTimestamp, PgInterval } from '../adt/datetime.js';
import { PgTime, PgTimeTz } from '../adt/time.js';
import { PgJsonb, jsonbBytes } from '../adt/jsonb.js';
import { Numeric } from '../sql/numeric.js';
import { PgBit, bitBody } from '../adt/varbit.js';
import type { Compressed } from './heaptoast.js';
import { pointerBytes } from './toast_internals.js';

/** UTF-8 bytes of a string (as the server stores text in a UTF8 database). */
export function utf8Bytes(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return out;
}

/** Fixed-width types: length and alignment (typlen, typalign). */
export const FIXED: Partial<Record<string, [number, number]>> = {
  int2: [2, 2], int4: [4, 4], int8: [8, 8], bool: [1, 1], oid: [4, 4], xid: [4, 4], cid: [4, 4],
  regclass: [4, 4], regproc: [4, 4], regprocedure: [4, 4], enum: [4, 4], // an enum value: its label's pg_enum oid
  name: [64, 1], // NameData: NAMEDATALEN bytes, typalign 'c'
};

/** typlen and typalign of a type (pg_type), as pg_attribute copies them; -1 is a varlena. */
export function typlenAlign(t: SqlType): [number, 'c' | 's' | 'i' | 'd'] {
  if (t.elem) return [-1, typlenAlign(t.elem)[1] === 'd' ? 'd' : 'i']; // an array: int-aligned unless its elements are double-aligned
  switch (t.name) {
    case 'int2': return [2, 's'];
    case 'int4': case 'float4': case 'date': case 'oid': case 'regclass': case 'regproc': case 'regprocedure': case 'regtype': case 'xid': case 'cid': case 'enum': return [4, 'i'];
    case 'int8': case 'float8': case 'timestamp': case 'timestamptz': case 'time': case 'xid8': case 'pg_lsn': return [8, 'd'];
    case 'timetz': return [12, 'd'];
    case 'interval': return [16, 'd'];
    case 'bool': return [1, 'c'];
    case 'name': return [64, 'c'];
    case 'tid': return [6, 's'];
    case 'txid_snapshot': case 'pg_snapshot': return [-1, 'd'];
    case 'record': return [-1, 'd']; // a composite type's pg_type row: typstorage 'x', typalign 'd'
    default: return [-1, 'i'];
  }
}

/**
 * heap_fill_tuple's layout of the non-null values (from a MAXALIGNed start), or null for a type not laid out here.
 * A compressed value (heap/heaptoast.ts) is its 4-byte header (VARATT_4B_C), its raw size and the pglz bytes; a value
 * out of line its 18-byte TOAST pointer (heap/toast_internals.ts).
 */
export function datumBytes(values: Value[], types: SqlType[], compressed?: readonly (Compressed | undefined)[]): Uint8Array | null {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === null) continue;
    const c = compressed?.[i];
    if (c?.external) { out.push(...pointerBytes(c, c.external)); continue; } // varattrib_1b_e: unaligned
    if (c?.raw) { // a PLAIN varlena: 4-byte header, never packed short
      while (out.length % 4) out.push(0);
      const head = (c.data.length + 4) << 2;
      out.push(head & 0xff, (head >> 8) & 0xff, (head >> 16) & 0xff, (head >>> 24) & 0xff);
      for (const b of c.data) out.push(b);
      continue;
    }
    if (c) {
      while (out.length % 4) out.push(0);
      const head = ((c.data.length + 8) << 2) | 0x02; // SET_VARSIZE_COMPRESSED, little-endian
      out.push(head & 0xff, (head >> 8) & 0xff, (head >> 16) & 0xff, (head >>> 24) & 0xff);
      out.push(c.rawSize & 0xff, (c.rawSize >> 8) & 0xff, (c.rawSize >> 16) & 0xff, (c.rawSize >>> 24) & 0x3f); // pglz: method 0
      for (const b of c.data) out.push(b);
      continue;
    }
    const t = types[i];
    if (!t) return null;
    const fixed = FIXED[t.name];
    if (fixed) {
      const [len, align] = fixed;
      while (out.length % align) out.push(0);
      if (t.name === 'bool') { out.push(v ? 1 : 0); continue; }
      if (t.name === 'name') { const b = utf8Bytes(String(v)); out.push(...b); for (let k = b.length; k < len; k++) out.push(0); continue; } // NUL-padded
      if (len <= 4 && typeof v === 'number' && Number.isInteger(v)) {
        // the common case without BigInt: two's complement of a small integer, little-endian
        const x = v < 0 ? v + 2 ** (len * 8) : v;
        for (let b = 0; b < len; b++) out.push((x >> (8 * b)) & 0xff); // (the low 32 bits: len <= 4)
        continue;
      }
      let x = BigInt(v instanceof RegClass || v instanceof RegProc || v instanceof PgEnum ? v.oid : (v as number | bigint));
      if (x < 0n) x += 1n << BigInt(len * 8);
      for (let b = 0; b < len; b++) { out.push(Number(x & 0xffn)); x >>= 8n; }
      continue;
    }
    const wide = wideDatum(v, t.name);
    if (wide) {
      while (out.length % wide.align) out.push(0);
      out.push(...wide.bytes);
      continue;
    }
    if (t.elem && v instanceof PgArray) {
      const img = arrayImage(v, t.elem);
      if (!img) return null;
      // short 1-byte header when it fits (the body moves up 3 bytes, its inner alignment kept), else aligned
      if (img.bytes.length - 3 <= 127 && !v.stored4B) { out.push(((img.bytes.length - 3) << 1) | 1, ...img.bytes.slice(4)); continue; }
      while (out.length % (img.align === 8 ? 8 : 4)) out.push(0);
      out.push(...img.bytes);
      continue;
    }
    if (v instanceof PgRecord) {
      // a composite datum (recordImage): a 1-byte header when it fits (its inner padding kept), else double-aligned
      const img = recordImage(v, t);
      if (!img) return null;
      if (img.length - 3 <= 127) { out.push(((img.length - 3) << 1) | 1, ...img.slice(4)); continue; }
      while (out.length % 8) out.push(0);
      out.push(...img);
      continue;
    }
    if (v instanceof PgJsonb) {
      // convertToJsonb's datum: a 1-byte header when it fits (its inner padding kept), else int-aligned
      const img = jsonbBytes(v.v);
      if (img.length - 3 <= 127) { out.push(((img.length - 3) << 1) | 1, ...img.slice(4)); continue; }
      while (out.length % 4) out.push(0);
      out.push(...img);
      continue;
    }
    if (v instanceof PgBit) {
      // bit / bit varying: the bit length (int32) and the bytes, behind a 1-byte header when that fits
      const body = bitBody(v);
      if (body.length + 1 <= 127) { out.push(((body.length + 1) << 1) | 1, ...body); continue; }
      while (out.length % 4) out.push(0);
      const size = (body.length + 4) << 2;
      out.push(size & 0xff, (size >> 8) & 0xff, (size >> 16) & 0xff, (size >>> 24) & 0xff, ...body);
      continue;
    }
    if (t.name === 'cstring') { out.push(...utf8Bytes(String(v)), 0); continue; } // typlen -2, typalign 'c'
    if (t.name !== 'text' && t.name !== 'varchar' && t.name !== 'bpchar' && t.name !== 'json' && !(t.name === 'numeric' && v instanceof Numeric) && !(v instanceof Bytea)) return null;
    const bytes = v instanceof Numeric ? numericBody(v) : v instanceof Bytea ? v.data() : utf8Bytes(String(v));
    if (bytes.length + 1 <= 127) { out.push(((bytes.length + 1) << 1) | 1); for (const x of bytes) out.push(x); continue; }
    while (out.length % 4) out.push(0);
    const size = (bytes.length + 4) << 2; // 4-byte varlena header, little-endian
    out.push(size & 0xff, (size >> 8) & 0xff, (size >> 16) & 0xff, (size >>> 24) & 0xff);
    for (const x of bytes) out.push(x); // (not a spread: a raw page's 8192 bytes)
  }
  return Uint8Array.from(out);
}

/**
 * A composite value as heap_form_tuple makes it a datum (HeapTupleHeaderGetDatum): a HeapTupleHeader whose first
 * fields are DatumTupleFields — the 4-byte varlena length, the typmod (-1 for a named type) and the type's oid —
 * then t_ctid left invalid (block 0xFFFFFFFF, offset 0), t_infomask2 = the number of fields, t_infomask
 * (HEAP_HASNULL, HEAP_HASVARWIDTH as heap_fill_tuple sets them), t_hoff, the null bitmap, and the fields laid out
 * from t_hoff as any tuple's data. Null when the type's oid is not known or a field's type is not laid out here.
 */
export function recordImage(v: PgRecord, t: SqlType): number[] | null {
  const oid = t.composite?.typeOid;
  if (oid === undefined) return null;
  const types = t.composite!.fields.map((f) => f.type);
  const data = datumBytes(v.vals, types);
  if (!data) return null;
  const natts = v.vals.length;
  const hasNull = v.vals.some((x) => x === null);
  const hoff = (23 + (hasNull ? Math.ceil(natts / 8) : 0) + 7) & ~7;
  const len = hoff + data.length;
  let infomask = hasNull ? 0x0001 : 0;
  if (v.vals.some((x, i) => x !== null && typlenAlign(types[i]!)[0] < 0)) infomask |= 0x0002; // HEAP_HASVARWIDTH
  const out: number[] = [];
  const u32 = (x: number) => out.push(x & 0xff, (x >>> 8) & 0xff, (x >>> 16) & 0xff, (x >>> 24) & 0xff);
  u32(len << 2); u32(0xffffffff); u32(oid);
  out.push(0xff, 0xff, 0xff, 0xff, 0, 0); // t_ctid: InvalidBlockNumber, InvalidOffsetNumber
  out.push(natts & 0xff, natts >> 8, infomask & 0xff, infomask >> 8, hoff);
  if (hasNull) {
    for (let b = 0; b < natts; b += 8) {
      let byte = 0;
      for (let k = 0; k < 8 && b + k < natts; k++) if (v.vals[b + k] !== null) byte |= 1 << k;
      out.push(byte);
    }
  }
  while (out.length < hoff) out.push(0);
  for (const x of data) out.push(x);
  return out;
}

/**
 * A numeric's body (after its varlena header), as make_result lays it out: the short format's 16-bit header —
 * 0x8000, the sign (0x2000 negative), the display scale in bits 7..12, the weight's sign (0x0040) and its low 6
 * bits — or, when scale or weight do not fit, the long format's sign + display scale word and a 16-bit weight;
 * then each base-10000 digit as an int16, little-endian.
 */
function numericBody(n: Numeric): number[] {
  // NUMERIC_NAN 0xC000, NUMERIC_PINF 0xD000, NUMERIC_NINF 0xF000: a header with no digits
  if (n.special) { const h = n.isNaN() ? 0xc000 : n.sign() > 0 ? 0xd000 : 0xf000; return [h & 0xff, h >> 8]; }
  const { digits, weight } = n.digits10000();
  const neg = n.unscaled < 0n;
  const w = digits.length ? weight : 0;
  const out: number[] = [];
  const u16 = (x: number) => out.push(x & 0xff, (x >> 8) & 0xff);
  if (n.scale <= 63 && w <= 63 && w >= -64) u16(0x8000 | (neg ? 0x2000 : 0) | (n.scale << 7) | (w < 0 ? 0x0040 : 0) | (w & 0x3f));
  else { u16((neg ? 0x4000 : 0) | n.scale); u16(w & 0xffff); }
  for (const d of digits) u16(d);
  return out;
}

/** pg_type oids of the element types arrays are laid out for (ARR_ELEMTYPE) */
const ELEM_OID: Partial<Record<string, number>> = {
  bool: 16, bytea: 17, name: 19, int8: 20, int2: 21, int4: 23, text: 25, oid: 26, float4: 700, float8: 701, bpchar: 1042, varchar: 1043, numeric: 1700,
  date: 1082, timestamp: 1114, timestamptz: 1184, interval: 1186,
};
/**
 * An array datum with its 4-byte header, as construct_md_array builds it: vl_len, ndim, dataoffset (0 without a
 * null bitmap), element type oid, dims, lower bounds, the null bitmap (bit set = not null), MAXALIGN padding, then
 * each non-null element padded to its typalign (strings with 4-byte headers). null for element types not laid out.
 */
function arrayImage(a: PgArray, elem: SqlType): { bytes: number[]; align: number } | null {
  const oid = ELEM_OID[elem.name];
  if (oid === undefined) return null;
  const hasNull = a.items.some((x) => x === null);
  const body: number[] = [];
  let align = 4;
  for (const x of a.items) {
    if (x === null) continue;
    let b: number[], al: number;
    if (elem.name === 'text' || elem.name === 'varchar' || elem.name === 'bpchar' || (elem.name === 'numeric' && x instanceof Numeric) || x instanceof Bytea) {
      const u = x instanceof Numeric ? numericBody(x) : x instanceof Bytea ? [...x.data()] : utf8Bytes(String(x)), size = (u.length + 4) << 2;
      b = [size & 0xff, (size >> 8) & 0xff, (size >> 16) & 0xff, (size >>> 24) & 0xff, ...u]; al = 4;
    } else {
      const one = datumBytes([x], [elem]);
      if (!one) return null;
      b = [...one]; al = FIXED[elem.name]?.[1] ?? (elem.name === 'float4' || elem.name === 'date' ? 4 : 8);
    }
    align = Math.max(align, al);
    while (body.length % al) body.push(0);
    body.push(...b);
    while (body.length % al) body.push(0);
  }
  const i32 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
  const head: number[] = [0, 0, 0, 0, ...i32(a.ndim), 0, 0, 0, 0, ...i32(oid)];
  for (const d of a.dims) head.push(...i32(d));
  for (const l of a.lbs) head.push(...i32(l));
  if (hasNull) {
    for (let i = 0; i < a.items.length; i += 8) {
      let byte = 0;
      for (let k = 0; k < 8 && i + k < a.items.length; k++) if (a.items[i + k] !== null) byte |= 1 << k;
      head.push(byte);
    }
  }
  if (a.ndim > 0) while (head.length % 8) head.push(0);
  if (hasNull) head.splice(8, 4, ...i32(head.length));
  const bytes = [...head, ...body];
  bytes.splice(0, 4, ...i32(bytes.length << 2));
  return { bytes, align: ['int8', 'float8', 'timestamp', 'timestamptz', 'interval', 'time', 'timetz'].includes(elem.name) ? 8 : 4 };
}

/** float4/float8 (IEEE, little-endian), date (int32 days), timestamp[tz] (int64 µs), time (int64 µs since midnight),
 * timetz (int64 µs, int32 zone seconds west), interval (int64 µs, int32 days, int32 months) — since 2000-01-01,
 * ±infinity as the extreme integers (DATEVAL_NOEND, DT_NOEND) */
function wideDatum(v: Value, type: string): { bytes: number[]; align: number } | null {
  const buf = new DataView(new ArrayBuffer(16));
  const i64 = (off: number, x: number) => {
    const big = x === Infinity ? (1n << 63n) - 1n : x === -Infinity ? -(1n << 63n) : BigInt(Math.round(x));
    buf.setBigInt64(off, big, true);
  };
  const i32 = (off: number, x: number) => buf.setInt32(off, x === Infinity ? 0x7fffffff : x === -Infinity ? -0x80000000 : x, true);
  const take = (n: number, align: number) => ({ bytes: [...new Uint8Array(buf.buffer, 0, n)], align });
  if (v instanceof PgFloat) { if (type === 'float4') { buf.setFloat32(0, v.v, true); return take(4, 4); } buf.setFloat64(0, v.v, true); return take(8, 8); }
  if (v instanceof PgDate) { i32(0, v.d); return take(4, 4); }
  if (v instanceof PgTimestamp) { i64(0, v.us); return take(8, 8); }
  if (v instanceof PgInterval) { i64(0, v.us); i32(8, v.days); i32(12, v.months); return take(16, 8); }
  if (v instanceof PgTime) { i64(0, v.us); return take(8, 8); }
  if (v instanceof PgTimeTz) { i64(0, v.us); i32(8, v.zone); return take(12, 8); }
  return null;
}
