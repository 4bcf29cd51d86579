/**
 * Heap tuples and their headers, field for field as pageinspect's heap_page_items() shows them.
 *
 * A heap tuple header (HeapTupleHeaderData, src/include/access/htup_details.h) carries:
 *   t_xmin    — the transaction that created this version
 *   t_xmax    — the transaction that deleted/updated it, or that holds a row lock on it (0 = none)
 *   t_field3  — the command id (cmin when inserted, cmax when deleted) or a combo CID when both happened in
 *               the same transaction (HEAP_COMBOCID)
 *   t_ctid    — this version's own TID, or the TID of the newer version that replaced it
 *   t_infomask / t_infomask2 — hint bits and flags (below)
 * In this engine a line pointer (ItemIdData: lp_flags, lp_off, lp_len) and the tuple it points at are kept in
 * one object, `Item`, to keep 400k-row tables compact. A REDIRECT/DEAD/UNUSED line pointer has no tuple.
 *
 * Simplifications: values are compressed inside the row (heaptoast.ts) or stored out of line (toast_internals.ts); values are kept
 * as JS values next to the header rather than as bytes, but lp_len and lp_off are computed from PostgreSQL's layout
 * (23-byte header, null bitmap, type alignment).
 */
import type { Value, SqlType } from '../sql/types.js';
import { formatValue, PgArray, Bytea, PgRecord } from '../sql/types.js';
import { arrayDatumSize } from '../adt/arrayfuncs.js';
import { PgJsonb, jsonbBytes } from '../adt/jsonb.js';
import { PgBit } from '../adt/varbit.js';
import { Numeric } from '../sql/numeric.js';
const isNumeric = (v: unknown): v is Numeric => v instanceof Numeric;
import { utf8Len } from '../sql/utf8.js';
import { type Compressed, storedSize } from './heaptoast.js';
import { TOAST_POINTER_SIZE } from './toast_internals.js';

export const HEAP_HASNULL = 0x0001;
export const HEAP_HASVARWIDTH = 0x0002;
export const HEAP_HASEXTERNAL = 0x0004;
export const HEAP_XMAX_KEYSHR_LOCK = 0x0010;
export const HEAP_COMBOCID = 0x0020;
export const HEAP_XMAX_EXCL_LOCK = 0x0040;
export const HEAP_XMAX_LOCK_ONLY = 0x0080;
export const HEAP_XMAX_SHR_LOCK = HEAP_XMAX_EXCL_LOCK | HEAP_XMAX_KEYSHR_LOCK;
export const HEAP_LOCK_MASK = HEAP_XMAX_SHR_LOCK | HEAP_XMAX_EXCL_LOCK | HEAP_XMAX_KEYSHR_LOCK;
export const HEAP_XMIN_COMMITTED = 0x0100;
export const HEAP_XMIN_INVALID = 0x0200;
export const HEAP_XMIN_FROZEN = HEAP_XMIN_COMMITTED | HEAP_XMIN_INVALID;
export const HEAP_XMAX_COMMITTED = 0x0400;
export const HEAP_XMAX_INVALID = 0x0800;
export const HEAP_XMAX_IS_MULTI = 0x1000;
export const HEAP_UPDATED = 0x2000;

export const HEAP_NATTS_MASK = 0x07ff;
export const HEAP_KEYS_UPDATED = 0x2000;
export const HEAP_HOT_UPDATED = 0x4000;
export const HEAP_ONLY_TUPLE = 0x8000;

export const enum LpFlags { UNUSED = 0, NORMAL = 1, REDIRECT = 2, DEAD = 3 }
export const LP_FLAG_NAMES = ['LP_UNUSED', 'LP_NORMAL', 'LP_REDIRECT', 'LP_DEAD'] as const;

/** A line pointer with the tuple it points at (when lp_flags = LP_NORMAL). */
export interface Item {
  lpFlags: LpFlags;
  lpOff: number;
  /** tuple length in bytes; for LP_REDIRECT PostgreSQL stores 0 and keeps the target offset in lp_off */
  lpLen: number;
  xmin: number;
  xmax: number;
  field3: number;
  ctidBlock: number;
  ctidOffset: number;
  infomask: number;
  infomask2: number;
  values: Value[];
}

/** The flag names heap_tuple_infomask_flags() prints, in pageinspect's order. */
/**
 * HeapTupleHeaderIsHotUpdated: HEAP_HOT_UPDATED, and the update did not fail — xmax not hinted invalid (aborted),
 * xmin not hinted invalid. Chain walks (index scans, unique checks, pruning) follow t_ctid only then.
 */
export function isHotUpdated(it: Item): boolean {
  return (it.infomask2 & HEAP_HOT_UPDATED) !== 0 && (it.infomask & HEAP_XMAX_INVALID) === 0
    && (it.infomask & (HEAP_XMIN_COMMITTED | HEAP_XMIN_INVALID)) !== HEAP_XMIN_INVALID;
}

export function infomaskFlagNames(infomask: number, infomask2: number): string[] {
  const out: string[] = [];
  const m: [number, string][] = [
    [HEAP_HASNULL, 'HASNULL'], [HEAP_HASVARWIDTH, 'HASVARWIDTH'], [HEAP_XMAX_KEYSHR_LOCK, 'XMAX_KEYSHR_LOCK'],
    [HEAP_COMBOCID, 'COMBOCID'], [HEAP_XMAX_EXCL_LOCK, 'XMAX_EXCL_LOCK'], [HEAP_XMAX_LOCK_ONLY, 'XMAX_LOCK_ONLY'],
    [HEAP_XMIN_COMMITTED, 'XMIN_COMMITTED'], [HEAP_XMIN_INVALID, 'XMIN_INVALID'], [HEAP_XMAX_COMMITTED, 'XMAX_COMMITTED'],
    [HEAP_XMAX_INVALID, 'XMAX_INVALID'], [HEAP_XMAX_IS_MULTI, 'XMAX_IS_MULTI'], [HEAP_UPDATED, 'UPDATED'],
  ];
  for (const [bit, name] of m) if (infomask & bit) out.push(name);
  if (infomask2 & HEAP_KEYS_UPDATED) out.push('KEYS_UPDATED');
  if (infomask2 & HEAP_HOT_UPDATED) out.push('HOT_UPDATED');
  if (infomask2 & HEAP_ONLY_TUPLE) out.push('ONLY_TUPLE');
  return out;
}

export const MAXALIGN = (n: number) => (n + 7) & ~7;
const align = (n: number, a: number) => (n + a - 1) & ~(a - 1);

/**
 * Tuple length as heap_form_tuple computes it, packed into one number (no allocation per tuple):
 * bits 0-23 the length, TL_HASNULL / TL_VARWIDTH flags above.
 */
export const TL_HASNULL = 1 << 24;
export const TL_VARWIDTH = 1 << 25;
export function tupleLengthPacked(values: Value[], types: SqlType[], compressed?: readonly (Compressed | undefined)[]): number {
  const r = tupleLength(values, types, compressed);
  return r.len | (r.hasNull ? TL_HASNULL : 0) | (r.hasVarwidth ? TL_VARWIDTH : 0);
}

/**
 * Tuple length as heap_form_tuple computes it: header (+null bitmap) MAXALIGNed, then each datum aligned. A value
 * the toaster compressed (heap/heaptoast.ts) takes its compressed size with a 4-byte header and 4 bytes of raw size.
 */
export function tupleLength(
  values: Value[], types: SqlType[], compressed?: readonly (Compressed | undefined)[],
): { len: number; hasNull: boolean; hasVarwidth: boolean } {
  let hasNull = false, hasVarwidth = false;
  for (const v of values) if (v === null) hasNull = true;
  let off = MAXALIGN(23 + (hasNull ? Math.ceil(values.length / 8) : 0));
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === null) continue;
    const c = compressed?.[i];
    if (c) { hasVarwidth = true; off = c.external ? off + TOAST_POINTER_SIZE : align(off, 4) + storedSize(c); continue; } // a TOAST pointer is unaligned
    switch (types[i]!.name) {
      case 'int2': off = align(off, 2) + 2; break;
      case 'int4': off = align(off, 4) + 4; break;
      case 'int8': case 'float8': case 'timestamp': case 'timestamptz': case 'time': off = align(off, 8) + 8; break; // typalign 'd'
      case 'timetz': off = align(off, 8) + 12; break; // int64 time, int32 zone
      case 'float4': case 'date': case 'oid': case 'regclass': case 'regproc': case 'regprocedure': case 'xid': case 'cid': case 'enum': off = align(off, 4) + 4; break; // typalign 'i'
      case 'interval': off = align(off, 8) + 16; break; // int64 time, int32 day, int32 month
      case 'bool': off += 1; break;
      case 'name': off += 64; break; // NameData: fixed NAMEDATALEN bytes, typalign 'c'
      default: {
        hasVarwidth = true;
        const et = types[i]!.elem;
        const ct = types[i]!.composite;
        if (ct && v instanceof PgRecord) {
          // a composite datum (heap/datum.ts recordImage): a tuple of its own; short header when it fits, else 'd'
          const size = tupleLength(v.vals, ct.fields.map((f) => f.type)).len;
          if (size - 3 <= 127) off += size - 3; else off = align(off, 8) + size;
          break;
        }
        if (et && v instanceof PgArray) {
          // the array varlena (adt/arrayfuncs.ts arrayDatumSize): short 1-byte header when it fits, else aligned
          const [esz, ealign] = elemStorage(et);
          const size = arrayDatumSize(v, esz, ealign);
          if (size - 3 <= 127 && !v.expanded) off += size - 3; else off = align(off, ealign === 8 ? 8 : 4) + size;
          break;
        }
        const bytes = types[i]!.name === 'numeric' && isNumeric(v) ? numericDigitBytes(v) : v instanceof PgJsonb ? jsonbBytes(v.v).length - 4
          : v instanceof PgBit ? 4 + v.bytes.length : v instanceof Bytea ? v.length : utf8Len(formatValue(v)!); // a bit string: its bit length and bytes
        // short varlena (1-byte header, unaligned) when it fits, as heap_fill_tuple packs it
        if (bytes + 1 <= 127) off += bytes + 1; else off = align(off, 4) + bytes + 4;
      }
    }
  }
  return { len: off, hasNull, hasVarwidth };
}

/** An array element's stored size (as a function of its value) and typalign: varlena elements keep 4-byte headers. */
function elemStorage(t: SqlType): [(v: Value) => number, number] {
  switch (t.name) {
    case 'int2': return [() => 2, 2];
    case 'int4': case 'float4': case 'date': case 'oid': case 'regclass': case 'regproc': case 'regprocedure': case 'enum': return [() => 4, 4];
    case 'int8': case 'float8': case 'timestamp': case 'timestamptz': case 'time': return [() => 8, 8];
    case 'timetz': return [() => 12, 8];
    case 'interval': return [() => 16, 8];
    case 'bool': return [() => 1, 1];
    case 'name': return [() => 64, 1];
    case 'numeric': return [(v) => 4 + numericDigitBytes(v as Numeric), 4];
    case 'bytea': return [(v) => 4 + (v as Bytea).length, 4];
    default: return [(v) => 4 + utf8Len(formatValue(v)!), 4];
  }
}
/** A numeric datum's stored size (VARSIZE_ANY): its body and a 1-byte header, or a 4-byte one past 126 bytes. */
export function numericStoredSize(n: Numeric): number {
  const b = numericDigitBytes(n);
  return b + 1 <= 127 ? b + 1 : b + 4;
}

/**
 * numeric's body: a 2-byte header (short format) plus 2 bytes per stored base-10000 digit (Numeric.digits10000);
 * a display scale over 63 or a weight outside -64..63 does not fit the short header (NUMERIC_CAN_BE_SHORT): the
 * long format's header takes 4 bytes.
 */
function numericDigitBytes(n: Numeric): number {
  if (n.special) return 2; // NaN and the infinities: the 2-byte header alone
  const { digits, weight } = n.digits10000();
  const short = n.scale <= 63 && (digits.length === 0 || (weight <= 63 && weight >= -64));
  return (short ? 2 : 4) + 2 * digits.length;
}
