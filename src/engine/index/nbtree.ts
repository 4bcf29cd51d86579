/**
 * The shapes of a B-tree page and its index tuples, as pageinspect shows them (PostgreSQL's
 * src/include/access/nbtree.h and itup.h):
 *
 *   - a plain leaf item: the key, then t_tid = the heap TID it points at;
 *   - a posting-list tuple (PostgreSQL 13+ deduplication): one copy of the key followed by an array of heap TIDs,
 *     ascending; its t_tid is not a heap TID but (posting offset, number of TIDs | BT_IS_POSTING 0x2000) — so
 *     bt_page_items shows ctid (16,8324) for an int4 key with 132 TIDs, and the TIDs themselves in `tids`;
 *   - a pivot tuple (a high key, a downlink): the key cut down to the columns that tell two neighbours apart, t_tid =
 *     (child block, number of key columns kept), plus BT_PIVOT_HEAP_TID_ATTR 0x1000 and a trailing heap TID when no key
 *     column tells them apart (the heap TID is the tiebreaker: every leaf entry is unique in (key, heap TID)).
 *
 * Sizes are IndexTupleSize, MAXALIGNed: 8 bytes of header, the key's bytes (index_form_tuple), then the posting list
 * (6 bytes a TID) or the pivot's heap TID (8 bytes aligned).
 *
 * Mirrors: src/include/access/nbtree.h (BTreeTupleIsPosting, BTreeTupleGetHeapTID, BTreeTupleGetMaxHeapTID,
 * BTMaxItemSize), nbtutils.c (_bt_keep_natts_fast). Simplified: the key's bytes are computed by the caller.
 */
import type { Value } from '../sql/types.js';
import { MAXALIGN } from '../heap/tuple.js';
import { packTid, tidBlock } from '../heap/heap.js';
import { cmpValue } from './nbtcompare.js';

/** An index tuple on a page: a leaf item, a posting-list tuple, or a pivot (high key / downlink). */
export interface BtTuple {
  key: Value[];
  /** t_tid as stored: a plain item's heap TID; a posting list's (posting offset, n | BT_IS_POSTING); a pivot's (block, natts | flags) */
  tid: number;
  pivot: boolean;
  /** a posting-list tuple's heap TIDs, ascending (two or more) */
  tids?: number[];
  /** a pivot's heap TID tiebreaker (BT_PIVOT_HEAP_TID_ATTR) */
  htid?: number;
  /** LP_DEAD: an index scan found every version it points at dead to all */
  dead?: boolean;
  /** the key's bytes (index_form_tuple, without alignment padding) */
  data: Uint8Array;
  /** INDEX_VAR_MASK: a variable-width column among the ones it keeps */
  vars: boolean;
  /** INDEX_NULL_MASK: a NULL among the columns it keeps (a null bitmap follows the header: the data starts at 16) */
  nulls?: boolean;
  /** MAXALIGN(IndexTupleSize) */
  size: number;
}
export interface BtPage {
  blk: number;
  level: number;
  prev: number;
  next: number;
  /** BTP_ROOT once the root */
  root: boolean;
  hikey: BtTuple | null;
  items: BtTuple[];
  /** BTP_HAS_GARBAGE: an index scan marked items LP_DEAD (cleared by simple deletion, deduplication, a split, VACUUM) */
  garbage?: boolean;
}

export const BT_IS_POSTING = 0x2000;
export const BT_PIVOT_HEAP_TID_ATTR = 0x1000;
/** page minus its header (24) and BTPageOpaqueData (16) */
export const SPACE = 8192 - 24 - 16;
export const ITEMID = 4;
export const LEAF_FF = 90, NONLEAF_FF = 70;
/** BTMaxItemSize: a third of a page (after the header, three line pointers and the special space), MAXALIGN_DOWN */
export const BT_MAX_ITEM_SIZE = Math.floor((8192 - MAXALIGN(24 + 3 * ITEMID) - MAXALIGN(16)) / 3 / 8) * 8;

/** IndexInfoFindDataOffset: the 8-byte header, then (with a NULL) the null bitmap, MAXALIGNed */
export const dataOffset = (t: { nulls?: boolean }) => (t.nulls ? MAXALIGN(8 + 4) : 8);
/** The key's part of a tuple: header and key bytes (BTreeTupleGetPostingOffset for a posting list) */
export const keySize = (t: BtTuple) => MAXALIGN(dataOffset(t) + t.data.length);
/** BTreeTupleGetHeapTID: a leaf entry's (first) heap TID, a pivot's tiebreaker */
export const heapTid = (t: BtTuple): number | undefined => (t.pivot ? t.htid : t.tids ? t.tids[0] : t.tid);
/** BTreeTupleGetMaxHeapTID */
export const maxHeapTid = (t: BtTuple): number | undefined => (t.pivot ? t.htid : t.tids ? t.tids[t.tids.length - 1] : t.tid);
/** every heap TID a leaf entry points at */
export const heapTids = (t: BtTuple): number[] => (t.tids ? t.tids : [t.tid]);

/** _bt_keep_natts_fast: the key columns a pivot between these two needs (nkeyatts + 1: a heap TID too) */
export function keepNatts(a: Value[], b: Value[]): number {
  let n = 1;
  for (let i = 0; i < a.length && i < b.length; i++) { if (cmpValue(a[i]!, b[i]!) !== 0) break; n++; }
  return n;
}

/** _bt_form_posting: a leaf entry with the base's key and these heap TIDs (a plain item when only one) */
export function formPosting(base: BtTuple, tids: number[]): BtTuple {
  const ks = keySize(base);
  const { key, data, vars, nulls } = base;
  const t: BtTuple = tids.length === 1 ? { key, tid: tids[0]!, pivot: false, data, vars, size: ks }
    : { key, tid: packTid(ks, tids.length | BT_IS_POSTING), pivot: false, tids, data, vars, size: MAXALIGN(ks + 6 * tids.length) };
  if (nulls) t.nulls = true;
  return t;
}

/** A downlink to `child` carrying a pivot's key (and heap TID): BTreeTupleSetDownLink on a copy */
export function downlink(pv: BtTuple, child: number): BtTuple {
  const natts = pv.key.length | (pv.htid !== undefined ? BT_PIVOT_HEAP_TID_ATTR : 0);
  return { ...pv, tid: packTid(child, natts), pivot: true };
}

/** a pivot's block (a downlink's child) */
export const pivotBlock = (t: BtTuple) => tidBlock(t.tid);

/** pd_lower / pd_upper of a laid-out page: the high key and items' line pointers, the tuples from the special space down */
export function pageBounds(p: BtPage): { lower: number; upper: number } {
  const n = p.items.length + (p.hikey ? 1 : 0);
  const tuples = p.items.reduce((s, t) => s + t.size, 0) + (p.hikey ? p.hikey.size : 0);
  return { lower: 24 + 4 * n, upper: 8192 - 16 - tuples };
}
