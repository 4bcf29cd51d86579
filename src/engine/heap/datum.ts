/**
 * A heap tuple's data bytes as heap_fill_tuple lays them out (after the header and null bitmap): each non-null
 * value aligned to its type's alignment, integers and floats little-endian, short strings with a 1-byte varlena
 * header. pageinspect's t_data and bt_page_items' data show them; heap_update compares an old and a new version's
 * bytes for the common prefix and suffix it leaves out of the WAL record.
 *
 * Mirrors: src/backend/access/common/heaptuple.c (heap_fill_tuple). Simplifications: only the types listed here
 * (integers, floats, dates, timestamps, intervals, booleans, strings) are laid out; others give null.
 */
import { type Value, type SqlType } from '../sql/types.js';
import { PgFloat } from '../adt/float.js';
import { PgDate, PgTimestamp, PgInterval } from '../adt/datetime.js';

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
export const FIXED: Partial<Record<string, [number, number]>> = { int2: [2, 2], int4: [4, 4], int8: [8, 8], bool: [1, 1], oid: [4, 4], xid: [4, 4], cid: [4, 4] };

/** heap_fill_tuple's layout of the non-null values (from a MAXALIGNed start), or null for a type not laid out here. */
export function datumBytes(values: Value[], types: SqlType[]): Uint8Array | null {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === null) continue;
    const t = types[i];
    if (!t) return null;
    const fixed = FIXED[t.name];
    if (fixed) {
      const [len, align] = fixed;
      while (out.length % align) out.push(0);
      if (t.name === 'bool') { out.push(v ? 1 : 0); continue; }
      let x = BigInt(v as number | bigint);
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
    if (t.name !== 'text' && t.name !== 'varchar' && t.name !== 'bpchar') return null;
    const bytes = utf8Bytes(String(v));
    if (bytes.length + 1 <= 127) { out.push(((bytes.length + 1) << 1) | 1); out.push(...bytes); continue; }
    while (out.length % 4) out.push(0);
    const size = (bytes.length + 4) << 2; // 4-byte varlena header, little-endian
    out.push(size & 0xff, (size >> 8) & 0xff, (size >> 16) & 0xff, (size >>> 24) & 0xff, ...bytes);
  }
  return Uint8Array.from(out);
}

/** float4/float8 (IEEE, little-endian), date (int32 days), timestamp[tz] (int64 µs), interval (int64 µs, int32 days,
 * int32 months) — since 2000-01-01, ±infinity as the extreme integers (DATEVAL_NOEND, DT_NOEND) */
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
  return null;
}
