/**
 * A heap page's 8192 bytes, laid out from the engine's page structure as bufpage.h and htup_details.h define
 * them — what get_raw_page() copies out of the buffer, for the functions that read it as plain bytea (length,
 * substring, encode, md5 ...) and for storing it in a table (CREATE TABLE pages AS SELECT get_raw_page('t', 0) AS p,
 * where the toaster compresses it like any long bytea):
 *
 *     0   PageHeaderData  pd_lsn (xlogid, xrecoff), pd_checksum, pd_flags, pd_lower, pd_upper, pd_special,
 *                         pd_pagesize_version (8192 | 4), pd_prune_xid
 *     24  ItemIdData[]    one uint32 each: lp_off (15 bits), lp_flags (2), lp_len (15)
 *     ... free space (zeros)
 *     pd_upper            the tuples: HeapTupleHeaderData (t_xmin, t_xmax, t_field3, t_ctid (bi_hi, bi_lo, posid),
 *                         t_infomask2, t_infomask, t_hoff, the null bitmap t_bits), padding to t_hoff, the data
 *
 * All integers little-endian. Mirrors: src/include/storage/bufpage.h, itemid.h, access/htup_details.h.
 * Simplifications: the page LSN is the engine's (its WAL starts elsewhere than a real cluster's); the checksum is 0
 * (data_checksums off); the space a pruned or moved tuple left is zeros (PostgreSQL leaves its old bytes there);
 * a page with a tuple whose data the engine does not lay out byte by byte (heap/datum.ts) gives null, and so does
 * an index or free space map page.
 */
import { BLCKSZ, type Page } from '../heap/heap.js';
import { LpFlags, MAXALIGN, HEAP_HASNULL, HEAP_NATTS_MASK } from '../heap/tuple.js';
import { compressedOf } from '../heap/heaptoast.js';
import { datumBytes } from '../heap/datum.js';
import type { SqlType } from '../sql/types.js';

/** PG_PAGE_LAYOUT_VERSION */
const LAYOUT_VERSION = 4;

export function heapPageImage(page: Page, types: readonly SqlType[]): Uint8Array | null {
  const img = new Uint8Array(BLCKSZ);
  const dv = new DataView(img.buffer);
  dv.setUint32(0, Math.floor(page.lsn / 0x100000000), true);
  dv.setUint32(4, page.lsn % 0x100000000, true);
  dv.setUint16(8, 0, true);
  dv.setUint16(10, page.flags, true);
  dv.setUint16(12, page.lower, true);
  dv.setUint16(14, page.upper, true);
  dv.setUint16(16, BLCKSZ, true);
  dv.setUint16(18, BLCKSZ | LAYOUT_VERSION, true);
  dv.setUint32(20, page.pruneXid >>> 0, true);
  for (let i = 0; i < page.items.length; i++) {
    const it = page.items[i]!;
    const normal = it.lpFlags === LpFlags.NORMAL;
    const len = normal ? it.lpLen : 0;
    dv.setUint32(24 + 4 * i, ((it.lpOff & 0x7fff) | ((it.lpFlags & 3) << 15) | ((len & 0x7fff) << 17)) >>> 0, true);
    if (!normal) continue;
    const natts = it.infomask2 & HEAP_NATTS_MASK;
    const hasNull = (it.infomask & HEAP_HASNULL) !== 0;
    const hoff = MAXALIGN(23 + (hasNull ? Math.ceil(natts / 8) : 0));
    const data = datumBytes(it.values, types as SqlType[], compressedOf(it.values));
    if (!data || data.length !== it.lpLen - hoff || it.lpOff + it.lpLen > BLCKSZ) return null;
    const at = it.lpOff;
    dv.setUint32(at, it.xmin >>> 0, true);
    dv.setUint32(at + 4, it.xmax >>> 0, true);
    dv.setUint32(at + 8, it.field3 >>> 0, true);
    dv.setUint16(at + 12, (it.ctidBlock >>> 16) & 0xffff, true); // BlockIdData: bi_hi, bi_lo
    dv.setUint16(at + 14, it.ctidBlock & 0xffff, true);
    dv.setUint16(at + 16, it.ctidOffset, true);
    dv.setUint16(at + 18, it.infomask2, true);
    dv.setUint16(at + 20, it.infomask, true);
    img[at + 22] = hoff;
    if (hasNull) {
      for (let a = 0; a < natts; a++) if (it.values[a] !== null && it.values[a] !== undefined) img[at + 23 + (a >> 3)]! |= 1 << (a & 7);
    }
    img.set(data, at + hoff);
  }
  return img;
}
