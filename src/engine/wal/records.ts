/**
 * What a WAL record carries for REDO (its payload), by resource manager — the engine's counterpart of the
 * xl_heap_insert / xl_heap_update / xl_btree_insert / xl_xact_commit structs and their block data.
 *
 * Heap INSERT / UPDATE / HOT_UPDATE / DELETE / LOCK records carry, like xl_heap_insert / xl_heap_update /
 * xl_heap_delete / xl_heap_lock, the fields REDO needs to repeat the change: for a new tuple its header at
 * creation (infomask, infomask2, cmin, length, where it went) and its values; for an old tuple its new xmax,
 * infomask bits, cmax (or combo id) and t_ctid; for each page its flags and pd_prune_xid after the change. They
 * live in typed columns (HeapRedoColumns, one slot per record) and the values array is shared with the tuple
 * (values are never changed in place), so two million records cost a few dozen bytes each. A record that is the
 * first change of its page since the checkpoint also carries the full-page image (the page right after the
 * change: XLogInsert copies the already-changed buffer). Pruning and vacuum records carry the page's line pointers
 * after the operation (PostgreSQL logs the offsets and repeats the pruning; the result is the same).
 *
 * Mirrors: src/include/access/heapam_xlog.h, nbtxlog.h, xact.h, sequence.h; xloginsert.c (XLogRegisterBuffer with
 * REGBUF_STANDARD, the FPI decision). Simplifications: payloads are engine objects, not bytes; the lengths shown
 * for records are PostgreSQL's, not these objects' sizes.
 */
import type { Page } from '../heap/heap.js';
import type { Item } from '../heap/tuple.js';
import type { Value } from '../sql/types.js';
import { type PageImage, type IndexImage, copyItem, pageImage } from '../buffer/bufmgr.js';

/**
 * A Heap2 PRUNE / VACUUM / FREEZE_PAGE record: the page's line pointers after it — for PRUNE and VACUUM only each
 * pointer's (lp_flags, lp_off, lp_len), three numbers, since the tuples themselves do not change (REDO keeps the
 * page's own tuple headers, as heap_xlog_prune repeats the pruning); FREEZE_PAGE changes tuple headers and carries
 * copies of the line pointers with their tuples. Plus the header and the full-page image if any.
 */
export interface Heap2Payload {
  blk: number;
  /** lp_flags, lp_off, lp_len of each line pointer (PRUNE, VACUUM) */
  lp?: Int32Array;
  /** every line pointer with its tuple (FREEZE_PAGE) */
  items?: readonly Item[];
  lower: number;
  upper: number;
  pruneXid: number;
  flags: number;
  /** the full-page image (first change of the page after a checkpoint, full_page_writes = on) */
  fpi?: PageImage;
  /** for pg_walinspect's description: PRUNE's latestRemovedXid, nredirected, ndead; VACUUM's nunused; FREEZE_PAGE's
   * cutoff xid and ntuples */
  latestRemovedXid?: number;
  nredirected?: number;
  ndead?: number;
  nunused?: number;
  cutoff?: number;
  ntuples?: number;
}
/** a Heap2/VISIBLE record (no REDO payload): xl_heap_visible's cutoff xid and flags; undefined cutoff = not known */
export interface Heap2VisiblePayload { cutoff?: number; vmFlags: number }

/** Hash DELETE (hashbucketcleanup) and UPDATE_META_PAGE records: what REDO and pg_walinspect read */
export interface HashDeletePayload {
  /** the heap TIDs VACUUM removed from the index (on the pass's first record only, as BtreeVacuumPayload's) */
  deadTids?: ReadonlySet<number>;
  clearDead?: boolean;
  primary?: boolean;
  /** an overflow page's record also names its bucket's primary page (block 0) */
  bucketBlk?: number;
  /** UPDATE_META_PAGE: hashm_ntuples after the pass */
  ntuples?: number;
}

export interface BtreeVacuumPayload {
  /** the heap TIDs whose entries VACUUM removed from the index (on the pass's first record only: REDO removes them all
   *  there, the leaves' other records then have nothing left to do) */
  deadTids?: ReadonlySet<number>;
  /** items removed from the leaf whole and posting lists updated (xl_btree_vacuum.ndeleted, nupdated) */
  ndeleted?: number;
  nupdated?: number;
  /** PostgreSQL's record would carry the leaf's full-page image (first change since the checkpoint): not modelled */
  imageUnmodelled?: boolean;
  /** the leaf's full-page image: its hole (the page as the record left it) */
  hole?: { lower: number; upper: number };
}
/** a Btree/DELETE record (simple deletion, _bt_delitems_delete): the heap TIDs whose entries went, xl_btree_delete's
 *  fields, and with a full-page image the index after the deletion (and the leaf's hole, where its page is laid out) */
export interface BtreeDeletePayload {
  tids: readonly number[]; latestRemovedXid: number; ndeleted: number; nupdated: number; image?: IndexImage;
  hole?: { lower: number; upper: number };
}
/** a Btree/INSERT_LEAF record: the key's values, and with a full-page image the leaf after the insert */
export interface BtreeInsertPayload { values: Value[]; image: IndexImage }
/** a block a Btree record registers (XLogRegisterBuffer): its block id, block number and, with a full-page image, the hole */
export interface BtBlockRef { id: number; blk: number; hole?: { lower: number; upper: number } }
/**
 * The Btree records of an insertion as wal/nbtxlog.ts writes them (INSERT_LEAF / INSERT_POST / SPLIT_L / SPLIT_R at the
 * leaf carry the key's values — REDO repeats the insertion, the heap TID in the record's columns — and, with a full-page
 * image, the index after it; INSERT_UPPER, upper-level splits, NEWROOT and DEDUP carry none: repeating the leaf's
 * insertion remakes them) with pg_walinspect's description and the blocks registered.
 */
export interface BtreeXlogPayload { values?: Value[]; image?: IndexImage; desc: string; refs: BtBlockRef[] }
/** the key values of an INSERT_LEAF-like record's payload (an array: the older shape; a BtreeXlogPayload; a BtreeInsertPayload) */
export const btreeValues = (p: unknown): Value[] | undefined =>
  Array.isArray(p) ? (p as Value[]) : (p as { values?: Value[] } | undefined)?.values;
/** a COMMIT / ABORT: its subtransactions, when it happened (virtual ms: xact_time) and whether it changed catalogs
 * (PostgreSQL's record then carries invalidation messages the engine does not model) */
export interface XactPayload { subXids: number[]; at?: number; catalog?: boolean }
/** an XLOG/FPI record (log_newpage): the whole page, as REDO restores it */
export interface NewPagePayload { image: PageImage }
/** a Storage/TRUNCATE record (xl_smgr_truncate): the relation's new length in blocks; heap, vm and fsm are cut */
export interface StorageTruncatePayload { blkno: number }
/** a MultiXact ZERO_OFF_PAGE / ZERO_MEM_PAGE record: the SLRU page zeroed (pg_multixact/offsets or members) */
export interface MultiXactZeroPagePayload { pageno: number }
/** a MultiXact CREATE_ID record (xl_multixact_create): the id, its first member offset, the members and their status names */
export interface MultiXactCreatePayload { mid: number; offset: number; members: readonly { xid: number; status: string }[] }
export interface SequencePayload { lastValue: bigint; isCalled: boolean; fork?: 'init' }
/**
 * a CHECKPOINT_ONLINE / CHECKPOINT_SHUTDOWN record (CheckPoint): REDO needs redo, nextXid, nextMulti and
 * fullPageWrites; the rest is for pg_walinspect's description — the multixact member offset, GetOldestActiveTransactionId,
 * the OID counter's logged bound (nextOid + oidCount, see pg_walinspect_desc.ts) and whether the oldest xid is still
 * initdb's (716 in template1); undefined where the engine does not know PostgreSQL's value
 */
export interface CheckpointPayload {
  redo: number; nextXid: number; nextMulti: number; fullPageWrites: boolean;
  nextMultiOffset?: number; oldestActiveXid?: number; nextOid?: number; oldestXidFresh?: boolean;
}

/** Record flag bits in HeapRedoColumns.flags */
export const RF_INIT_NEW_PAGE = 1;
export const RF_NEW_TUPLE = 2;
export const RF_OLD_TUPLE = 4;

/** The typed columns of heap tuple records (see the module doc); slot i belongs to WAL record i. */
export class HeapRedoColumns {
  cap = 0;
  flags = new Uint8Array(0);
  /** new tuple: block, offset, lp_off, lp_len, infomask, infomask2, t_field3 (cmin) */
  nBlk = new Int32Array(0); nOff = new Uint16Array(0); nLpOff = new Uint16Array(0); nLen = new Uint16Array(0);
  nMask = new Uint16Array(0); nMask2 = new Uint16Array(0); nField3 = new Uint32Array(0);
  /** old tuple (at the record's blk/off): xmax, infomask, infomask2, t_field3, t_ctid */
  oXmax = new Uint32Array(0); oMask = new Uint16Array(0); oMask2 = new Uint16Array(0); oField3 = new Uint32Array(0);
  oCtidBlk = new Int32Array(0); oCtidOff = new Uint16Array(0);
  /** page header after the change: the record's block (flags, pd_prune_xid) and the new tuple's block (flags) */
  pFlags = new Uint8Array(0); pPrune = new Uint32Array(0); pFlags2 = new Uint8Array(0);
  /** for pg_walinspect's description (wal/rmgrdesc.ts): the record's xl_heap_* flags byte and the new tuple's xmax */
  xlFlags = new Uint8Array(0); nXmax = new Uint32Array(0);

  private static readonly COLS = ['flags', 'nBlk', 'nOff', 'nLpOff', 'nLen', 'nMask', 'nMask2', 'nField3', 'oXmax', 'oMask', 'oMask2', 'oField3', 'oCtidBlk', 'oCtidOff', 'pFlags', 'pPrune', 'pFlags2', 'xlFlags', 'nXmax'] as const;

  ensure(n: number): void {
    if (n <= this.cap) return;
    let cap = Math.max(1024, this.cap);
    while (cap < n) cap *= 2;
    const self = this as unknown as Record<string, Uint8Array>;
    for (const c of HeapRedoColumns.COLS) {
      const a = self[c]!;
      const x = new (a.constructor as new (n: number) => Uint8Array)(cap);
      x.set(a);
      self[c] = x;
    }
    this.cap = cap;
  }
  clone(): HeapRedoColumns {
    const h = new HeapRedoColumns();
    h.cap = this.cap;
    const src = this as unknown as Record<string, Uint8Array>, dst = h as unknown as Record<string, Uint8Array>;
    for (const c of HeapRedoColumns.COLS) dst[c] = src[c]!.slice();
    return h;
  }
  /** the new tuple of record i (insert, or the new version of an update) */
  setNew(i: number, blk: number, off: number, it: Item): void {
    this.flags[i]! |= RF_NEW_TUPLE;
    this.nBlk[i] = blk; this.nOff[i] = off; this.nLpOff[i] = it.lpOff; this.nLen[i] = it.lpLen;
    this.nMask[i] = it.infomask; this.nMask2[i] = it.infomask2; this.nField3[i] = it.field3; this.nXmax[i] = it.xmax;
  }
  /** the old tuple's header after record i changed it (update, delete, lock) */
  setOld(i: number, it: Item): void {
    this.flags[i]! |= RF_OLD_TUPLE;
    this.oXmax[i] = it.xmax; this.oMask[i] = it.infomask; this.oMask2[i] = it.infomask2; this.oField3[i] = it.field3;
    this.oCtidBlk[i] = it.ctidBlock; this.oCtidOff[i] = it.ctidOffset;
  }
}

/** What a heap tuple record keeps as an object: the new tuple's values and, if any, the full-page image. */
/** fpi: the image of the record's block; fpi2: of the new version's block when an UPDATE put it on another page */
export interface HeapTuplePayload { values?: Value[]; fpi?: PageImage; fpi2?: PageImage }

/** A Heap2 record's payload for the page as it is now (after the pruning, vacuum or freezing). */
export function heap2Payload(page: Page, fpi: boolean, withTuples = false): Heap2Payload {
  const c: Heap2Payload = { blk: page.blkno, lower: page.lower, upper: page.upper, pruneXid: page.pruneXid, flags: page.flags };
  if (withTuples) c.items = page.items.map(copyItem);
  else {
    const items = page.items, lp = new Int32Array(items.length * 3);
    for (let k = 0; k < items.length; k++) { const it = items[k]!; lp[3 * k] = it.lpFlags; lp[3 * k + 1] = it.lpOff; lp[3 * k + 2] = it.lpLen; }
    c.lp = lp;
  }
  if (fpi) c.fpi = pageImage(page);
  return c;
}
