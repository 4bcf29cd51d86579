/**
 * A B-tree's pages as PostgreSQL would have laid them out: the leaves in key order linked left to right, a high
 * key on every page but the rightmost of its level (the least key its right sibling may hold), and above them
 * internal pages holding one downlink per child — a pivot tuple whose key is the child's least key, the first
 * of each internal page a "minus infinity" pivot with no key.
 *
 * The engine keeps an index as a map from key to TIDs (index/btree.ts), so the pages are rebuilt, when
 * pageinspect asks, by replaying what happened to the index (BtreeIndex.log): a CREATE INDEX (nbtsort.c's bottom-up
 * load, leaves filled to fillfactor 90 and internal pages to 70), each insertion (nbtinsert.c: descend to the
 * leaf, add the item in (key, heap TID) order; when it does not fit, split the page and add a downlink to the
 * parent, splitting that too or making a new root), and each VACUUM's removal of entries from the leaves.
 *
 * Equal keys are merged into posting-list tuples (index/nbtdedup.ts): by CREATE INDEX, and in a full leaf before it
 * splits; where a page splits is index/nbtsplitloc.ts's choice. The left half's new high key is the first right
 * item's key cut down to the columns that tell it from the last left item — with a heap TID when none does.
 *
 * Mirrors: src/backend/access/nbtree/nbtsort.c (_bt_load, _bt_buildadd, _bt_uppershutdown), nbtinsert.c (_bt_doinsert,
 * _bt_findinsertloc, _bt_delete_or_dedup_one_page, _bt_binsrch_insert, _bt_split, _bt_insert_parent, _bt_newroot),
 * nbtutils.c (_bt_truncate, _bt_killitems), nbtree.c (btvacuumpage, btreevacuumposting).
 *
 * LP_DEAD marks (index scans and unique checks that found an entry's heap chain dead to all: 'kill' events) and the
 * deletions a full leaf makes before it deduplicates or splits (simple and bottom-up deletion, index/nbtdelete.ts:
 * 'sdel' events) need the heap as it was at that moment, so the engine decides them when they happen — asking these
 * replayed pages, kept up to date incrementally, whether the leaf is full — and the history records the outcome.
 * The fillfactor and deduplicate_items storage parameters are the index's (catalog/reloptions.ts); an ALTER INDEX
 * that changes them is an event of the history too ('opt'). Each insertion also tells what it did to the pages
 * (Builder.last: a deduplication pass, the splits from the leaf up with their offsets, the downlink or the new root) —
 * the WAL records nbtinsert.c writes for it (wal/nbtxlog.ts), so the replayed pages are kept up to date as the index
 * changes (incrementally).
 *
 * Simplifications (each refused with 0A000 rather than shown wrong): expression indexes, a non-rightmost leaf VACUUM
 * empties (page deletion), an index with more than LOG_CAP entries ever, a deletion whose decision REDO lost (after
 * crash recovery).
 */
import type { Value, SqlType } from '../sql/types.js';
import { notSupported, PgError } from '../errors.js';
import { datumBytes, FIXED } from '../heap/datum.js';
import type { BtreeIndex } from './btree.js';
import { tidBlock, packTid } from '../heap/heap.js';
import { MAXALIGN } from '../heap/tuple.js';
import { cmpValue } from './nbtcompare.js';
import {
  type BtTuple, type BtPage, SPACE, ITEMID, NONLEAF_FF, BT_PIVOT_HEAP_TID_ATTR, keepNatts, keySize, heapTid, maxHeapTid,
  formPosting, downlink, pivotBlock, dataOffset, heapTids,
} from './nbtree.js';
import { findSplit } from './nbtsplitloc.js';
import { btreeOptionsOf } from '../catalog/reloptions.js';
import { dedupSorted, dedupPass, swapPosting } from './nbtdedup.js';
export type { BtTuple, BtPage } from './nbtree.js';

/**
 * _bt_allequalimage: every key column's equal values are byte-for-byte equal (their opclass's btequalimage), so equal
 * keys may share one posting list — integers, text, dates, timestamps...; not numeric (1.0 = 1.00), not floats (0 = -0),
 * not interval ('1 day' = '24 hours') — as bt_metap's allequalimage shows on PostgreSQL 15.
 */
const CSTRING: SqlType = { name: 'cstring', typmod: -1 };
const EQUAL_IMAGE = new Set(['int2', 'int4', 'int8', 'text', 'varchar', 'bpchar', 'bool', 'oid', 'date', 'timestamp', 'timestamptz', 'bytea', 'name', 'uuid', 'time', 'bit', 'varbit']);
export function allEqualImage(types: readonly SqlType[]): boolean {
  return types.every((t) => EQUAL_IMAGE.has(t.name));
}

/** What happened to an index, in order: a bulk load, an insertion, a VACUUM removing entries. */
export type IndexEvent =
  | { k: 'build'; items: { key: Value[]; tid: number; inc?: Value[] }[] }
  | { k: 'ins'; key: Value[]; tid: number; unchanged?: true; inc?: Value[]; afterdel?: true; budedup?: boolean }
  | { k: 'del'; tids: ReadonlySet<number> }
  /** an index scan found these entries' heap chains dead to all (_bt_killitems): mark them LP_DEAD */
  | { k: 'kill'; tids: readonly number[]; key?: Value[] }
  /** simple deletion (_bt_delitems_delete) of these heap TIDs' entries from one full leaf, before an insertion */
  | { k: 'sdel'; tids: ReadonlySet<number> }
  /** ALTER INDEX ... SET / RESET: the storage parameters before and after (later splits and deduplication follow them) */
  | { k: 'opt'; before?: readonly string[]; after?: readonly string[] };
/** beyond this many events the index keeps no history (and its pages cannot be shown) */
export const LOG_CAP = 50_000;


export interface BtLayout {
  /** by block number; 0 (the metapage) is undefined */
  pages: (BtPage | undefined)[];
  root: number;
  level: number;
}

export type Bytes = (key: Value[]) => { data: Uint8Array; vars: boolean };
const hasNull = (key: Value[]) => key.some((x) => x === null);

const used = (p: BtPage) => p.items.reduce((n, t) => n + t.size + ITEMID, 0) + (p.hikey ? p.hikey.size + ITEMID : 0);
/** PageGetFreeSpace: free bytes less one line pointer */
export const pageFree = (p: BtPage) => Math.max(0, SPACE - used(p) - ITEMID);

/** What _bt_simpledel_pass hands the heap: the leaf, the TIDs to check (`known`: its item is LP_DEAD), each item's TIDs */
export interface SimpleDelCandidates { blk: number; tids: { tid: number; known: boolean }[]; items: number[][] }

/** What _bt_bottomupdel_pass hands the heap: every TID on the full leaf, promising or not, and the room each frees */
export interface BottomUpCandidates {
  blk: number; tids: { tid: number; promising: boolean; freespace: number }[]; items: number[][];
  /** intervals of duplicates on the leaf (none: no deduplication pass follows) */
  nintervals: number;
  /** the new item's size with its line pointer */
  newitemsz: number;
}

/** How the index is set up: key columns, uniqueness, whether equal keys may be merged (deduplication). */
export interface BtOptions {
  nkeyatts: number; unique: boolean;
  /** equal keys may be merged: deduplicate_items on and every key column allequalimage */
  dedup: boolean;
  /** the leaf fillfactor (the fillfactor storage parameter; absent: the default 90) */
  fillfactor?: number;
  /** the index could be deduplicated at all (every key column allequalimage, no INCLUDE columns): what
   *  deduplicate_items = on turns on after an ALTER INDEX (absent: as dedup) */
  canDedup?: boolean;
}

/**
 * One page split, as _bt_split logs it (xl_btree_split and its blocks): offsets are the original page's line pointers
 * (the first data item is 2 on a page with a high key); the byte counts are the block data's.
 */
export interface BtSplitOutcome {
  level: number; left: number; right: number;
  /** the old right sibling, whose left link changes (0: the page was the rightmost of its level) */
  sibling: number;
  /** above the leaves: the child whose split the new downlink completes (its INCOMPLETE_SPLIT flag is cleared) */
  child: number;
  firstrightoff: number; newitemoff: number; postingoff: number; newitemonleft: boolean;
  /** MAXALIGN(IndexTupleSize) of the new item and of the left page's new high key */
  newitemSize: number; lefthikeySize: number;
  /** the right page's tuples (pd_special - pd_upper): what REDO rebuilds it from */
  rightBytes: number;
}
/** What one insertion did to the pages — the WAL records nbtinsert.c writes for it (wal/nbtxlog.ts). */
export interface BtInsertOutcome {
  /** the leaf had no root yet: _bt_getroot made one (NEWROOT lev 0) */
  rootCreated: boolean;
  /** _bt_dedup_pass merged the full leaf's duplicates first (DEDUP): the leaf and the intervals merged */
  dedup?: { blk: number; nintervals: number };
  /** the leaf the item went to and, without a split, its line pointer (INSERT_LEAF; INSERT_POST with postingoff > 0) */
  leaf: number; off: number;
  /** _bt_binsrch_posting: the new heap TID's place in the posting list it fell into (0: none) */
  postingoff: number;
  itemSize: number;
  /** the splits, from the leaf up */
  splits: BtSplitOutcome[];
  /** the downlink added to a parent that had room (INSERT_UPPER) */
  upper?: { blk: number; off: number; child: number; size: number };
  /** the root split: the new root (NEWROOT) with its two downlinks (rootBytes) and the old root as left child */
  newroot?: { blk: number; level: number; left: number; rootBytes: number };
}

class Builder {
  pages: (BtPage | undefined)[] = [undefined];
  root = 0;
  level = 0;
  /** what the last insert() did (its WAL records) */
  last: BtInsertOutcome | null = null;

  private readonly nkeyatts: number;
  constructor(private readonly bytes: Bytes, private opt: BtOptions) { this.nkeyatts = opt.nkeyatts; }

  /** ALTER INDEX ... SET / RESET: the new storage parameters apply from now on (the pages stay as they are) */
  setOptions(reloptions: readonly string[] | undefined): void {
    const ro = btreeOptionsOf(reloptions);
    this.opt = { ...this.opt, fillfactor: ro.fillfactor, dedup: (this.opt.canDedup ?? this.opt.dedup) && ro.dedup };
  }

  /** `inc`: a leaf item's INCLUDE columns (stored after the key, no part of it: never in a pivot) */
  tuple(key: Value[], tid: number, pivot: boolean, inc?: Value[]): BtTuple {
    const all = inc ? [...key, ...inc] : key;
    const { data, vars } = this.bytes(all);
    const nulls = hasNull(all);
    const t: BtTuple = { key, tid, pivot, data, vars, size: MAXALIGN(dataOffset({ nulls }) + data.length) };
    if (nulls) t.nulls = true;
    return t;
  }
  /** the "minus infinity" first item of an internal page: no key, the child's block */
  minusInf(child: number): BtTuple { return this.tuple([], packTid(child, 0), true); }
  newPage(level: number): BtPage {
    const p: BtPage = { blk: this.pages.length, level, prev: 0, next: 0, root: false, hikey: null, items: [] };
    this.pages.push(p);
    return p;
  }
  /** _bt_truncate: the left half's high key from its last item and the right half's first (with a heap TID when no key column tells them apart) */
  truncate(lastleft: BtTuple, firstright: BtTuple): BtTuple {
    const keep = keepNatts(lastleft.key, firstright.key);
    if (keep > this.nkeyatts) {
      const t = this.tuple(firstright.key.slice(0, this.nkeyatts), packTid(tidBlock(firstright.tid), this.nkeyatts | BT_PIVOT_HEAP_TID_ATTR), true);
      return { ...t, htid: maxHeapTid(lastleft)!, size: t.size + 8 };
    }
    return this.tuple(firstright.key.slice(0, keep), packTid(tidBlock(firstright.tid), keep), true);
  }

  /** nbtsort.c: load sorted items bottom up (runs of equal keys merged into posting lists first, when deduplicating) */
  build(sorted: { key: Value[]; tid: number; inc?: Value[] }[]): void {
    interface Level { page: BtPage; lowkey: BtTuple | null; next: Level | null; lastextra: number }
    const full = (lvl: number) => Math.trunc((8192 * (100 - (lvl === 0 ? this.opt.fillfactor ?? 90 : NONLEAF_FF))) / 100);
    // pages under construction keep line pointer 1 free for the high key (counted in pd_lower)
    const free = (p: BtPage) => SPACE - p.items.reduce((n, t) => n + t.size + ITEMID, 0) - ITEMID - ITEMID;
    const levelState = (lvl: number): Level => ({ page: this.newPage(lvl), lowkey: null, next: null, lastextra: 0 });
    /** _bt_buildadd; `truncextra`: the bytes of t's posting list, which a high key made from it would not keep */
    const add = (st: Level, t: BtTuple, truncextra: number): void => {
      const leaf = st.page.level === 0;
      const pgspc = free(st.page);
      const lastextra = st.lastextra;
      st.lastextra = truncextra;
      if (pgspc < t.size + (leaf ? 8 : 0) || (pgspc + lastextra < full(st.page.level) && st.page.items.length > 1)) {
        const opage = st.page, npage = this.newPage(opage.level);
        const moved = opage.items.pop()!;
        npage.items.push(leaf ? moved : this.minusInf(tidBlock(moved.tid)));
        opage.hikey = leaf ? this.truncate(opage.items[opage.items.length - 1]!, moved) : moved;
        st.next ??= levelState(opage.level + 1);
        add(st.next, downlink(st.lowkey ?? this.minusInf(0), opage.blk), 0);
        st.lowkey = opage.hikey;
        opage.next = npage.blk; npage.prev = opage.blk;
        st.page = npage;
      }
      const isFirstInternal = !leaf && st.page.items.length === 0;
      st.page.items.push(isFirstInternal ? this.minusInf(tidBlock(t.tid)) : t);
    };
    if (!sorted.length) return;
    let items = sorted.map((it) => this.tuple(it.key, it.tid, false, it.inc));
    // _bt_load: a unique index is loaded as it is; another one deduplicated (when its key types allow)
    if (this.opt.dedup && !this.opt.unique) items = dedupSorted(items, this.nkeyatts);
    const leaves = levelState(0);
    for (const it of items) add(leaves, it, it.tids ? it.size - keySize(it) : 0);
    for (let s: Level | null = leaves; s; s = s.next) {
      if (s.next) add(s.next, downlink(s.lowkey ?? this.minusInf(0), s.page.blk), 0);
      else { s.page.root = true; this.root = s.page.blk; this.level = s.page.level; }
    }
  }

  /** _bt_compare of the new item (key, heap TID) with a pivot: > 0 when the pivot is greater (missing columns are minus infinity) */
  private cmpPivot(pv: BtTuple, key: Value[], tid: number): number {
    for (let a = 0; a < pv.key.length; a++) { const c = cmpValue(pv.key[a]!, key[a]!); if (c) return c; }
    if (pv.key.length < this.nkeyatts || pv.htid === undefined) return -1;
    return pv.htid - tid;
  }

  /** _bt_binsrch_insert: the new entry's place on the leaf, and the posting list whose TID range it falls in (-1: none) */
  private binsrch(p: BtPage, key: Value[], tid: number): { pos: number; posting: number } {
    const cmp = (t: BtTuple) => {
      for (let a = 0; a < key.length; a++) { const c = cmpValue(t.key[a]!, key[a]!); if (c) return c; }
      const lo = heapTid(t)!, hi = maxHeapTid(t)!;
      return tid < lo ? 1 : tid > hi ? -1 : 0;
    };
    let lo = 0, hi = p.items.length;
    while (lo < hi) { const m = (lo + hi) >> 1; const c = cmp(p.items[m]!); if (c === 0) return { pos: m, posting: m }; if (c < 0) lo = m + 1; else hi = m; }
    return { pos: lo, posting: -1 };
  }

  /** _bt_search: the leaf a new item (key, heap TID) goes to, and the downlinks followed */
  descend(key: Value[], tid: number): { leaf: BtPage; stack: { page: BtPage; at: number }[] } | null {
    if (!this.root) return null;
    const stack: { page: BtPage; at: number }[] = [];
    let p = this.pages[this.root]!;
    while (p.level > 0) {
      // the last downlink whose pivot is <= the new item (_bt_binsrch: the pivots are in order, item 0 is minus infinity)
      let lo = 1, hi = p.items.length;
      while (lo < hi) { const m = (lo + hi) >> 1; if (this.cmpPivot(p.items[m]!, key, tid) > 0) hi = m; else lo = m + 1; }
      const at = lo - 1;
      stack.push({ page: p, at });
      p = this.pages[pivotBlock(p.items[at]!)]!;
    }
    return { leaf: p, stack };
  }

  /**
   * _bt_findinsertloc's first question for an insertion about to be made: is its leaf full and holding LP_DEAD items,
   * so that simple deletion runs first? Then the leaf, and the TIDs _bt_simpledel_pass hands the heap: every TID on
   * the leaf whose heap block an LP_DEAD item (or the new item) points into, `known` when its item is LP_DEAD.
   */
  simpleDeleteCandidates(key: Value[], tid: number, inc?: Value[]): SimpleDelCandidates | null {
    const d = this.descend(key, tid);
    if (!d) return null;
    const p = d.leaf;
    if (pageFree(p) >= this.tuple(key, tid, false, inc).size || !p.items.some((t) => t.dead)) return null;
    const blocks = new Set<number>([tidBlock(tid)]);
    for (const t of p.items) if (t.dead) for (const h of heapTids(t)) blocks.add(tidBlock(h));
    const tids: { tid: number; known: boolean }[] = [];
    for (const t of p.items) for (const h of heapTids(t)) if (blocks.has(tidBlock(h))) tids.push({ tid: h, known: t.dead === true });
    return { blk: p.blk, tids, items: p.items.map(heapTids) };
  }

  /**
   * _bt_delete_or_dedup_one_page after simple deletion: does the insertion go on to a bottom-up deletion pass (its leaf
   * still full, and the new item a version of an existing key: an UPDATE's unchanged key, a unique index's duplicate,
   * or simple deletion having run)? Then every TID on the leaf in intervals of equal keys (_bt_bottomupdel_finish_pending:
   * a TID is promising when its item is one of several duplicates; of a posting list only the first or last TID, on the
   * block most of its TIDs are in).
   */
  bottomUpCandidates(key: Value[], tid: number, unchanged: boolean, afterdel: boolean, inc?: Value[]): BottomUpCandidates | null {
    const d = this.descend(key, tid);
    if (!d) return null;
    const p = d.leaf, nt = this.tuple(key, tid, false, inc);
    if (pageFree(p) >= nt.size || !this.uniquedup(p, nt, unchanged, afterdel) || !p.items.length) return null;
    const tids: BottomUpCandidates['tids'] = [];
    let nintervals = 0;
    for (let i = 0; i < p.items.length;) {
      let j = i + 1;
      while (j < p.items.length && keepNatts(p.items[i]!.key, p.items[j]!.key) > this.nkeyatts) j++;
      const dup = j - i > 1;
      if (dup) nintervals++;
      for (let x = i; x < j; x++) {
        const t = p.items[x]!;
        if (!t.tids) { tids.push({ tid: t.tid, promising: dup, freespace: t.size + ITEMID }); continue; }
        const n = t.tids.length;
        const minb = tidBlock(t.tids[0]!), midb = tidBlock(t.tids[n >> 1]!), maxb = tidBlock(t.tids[n - 1]!);
        const first = dup && minb === midb, last = dup && !first && midb === maxb;
        t.tids.forEach((h, k) => tids.push({ tid: h, promising: (first && k === 0) || (last && k === n - 1), freespace: 6 }));
      }
      i = j;
    }
    return { blk: p.blk, tids, items: p.items.map(heapTids), nintervals, newitemsz: nt.size + ITEMID };
  }

  /** PageGetExactFreeSpace of the leaf a new item would go to */
  exactFree(key: Value[], tid: number): number {
    const d = this.descend(key, tid);
    return d ? SPACE - used(d.leaf) : SPACE;
  }

  /** _bt_findinsertloc / _bt_delete_or_dedup_one_page's "uniquedup" (see bottomUpCandidates), or false when a unique
   *  index's insertion stops after simple deletion (checkingunique with no duplicate on the page) */
  private uniquedup(p: BtPage, nt: BtTuple, unchanged: boolean, afterdel: boolean): boolean {
    const checking = this.opt.unique && !hasNull(nt.key);
    return unchanged || afterdel || (checking && p.items.some((t) => keepNatts(t.key, nt.key) > this.nkeyatts));
  }

  /** _bt_doinsert: descend to the leaf, make room (delete, deduplicate) or split, add the item */
  insert(key: Value[], tid: number, unchanged: boolean, inc?: Value[], afterdel = false, budedup?: boolean): void {
    let nt = this.tuple(key, tid, false, inc);
    if (!this.root) {
      const p = this.newPage(0); p.root = true; p.items.push(nt); this.root = p.blk; this.level = 0;
      this.last = { rootCreated: true, leaf: p.blk, off: 1, postingoff: 0, itemSize: nt.size, splits: [] };
      return;
    }
    const { leaf: p, stack } = this.descend(key, tid)!;
    const out: BtInsertOutcome = { rootCreated: false, leaf: p.blk, off: 0, postingoff: 0, itemSize: nt.size, splits: [] };
    this.last = out;
    if (pageFree(p) < nt.size) {
      const n = this.deleteOrDedup(p, nt, unchanged, afterdel, budedup);
      if (n) out.dedup = { blk: p.blk, nintervals: n };
    }
    const found = this.binsrch(p, key, tid);
    let pos = found.pos;
    const posting = found.posting;
    if (posting >= 0) {
      // _bt_binsrch_posting: the first TID of the list greater than the new one
      const tids = p.items[posting]!.tids!;
      const at = tids.findIndex((x) => x > tid);
      out.postingoff = at < 0 ? tids.length - 1 : at;
      const [np, ni] = swapPosting(p.items[posting]!, nt);
      p.items[posting] = np; nt = ni; pos = posting + 1;
    }
    this.place(p, nt, pos, stack, 0, out);
  }

  /** _bt_delete_or_dedup_one_page: what a full leaf tries before it splits */
  private deleteOrDedup(p: BtPage, nt: BtTuple, unchanged: boolean, afterdel: boolean, budedup: boolean | undefined): number {
    // LP_DEAD items left here: the engine decided at insertion time what simple deletion removed (an 'sdel' event
    // just before this one), so none should be left; a history that lost that decision (REDO) cannot be shown
    if (p.items.some((t) => t.dead)) throw notSupported('simple deletion of LP_DEAD index entries replayed without its heap check (after crash recovery)');
    // a unique index checks a key with no NULL (checkingunique); then only when the page holds the key already (an
    // old version of it: "uniquedup") — or when simple deletion ran and did not free enough room
    const checking = this.opt.unique && !hasNull(nt.key);
    const uniquedup = this.uniquedup(p, nt, unchanged, afterdel);
    if (checking && !uniquedup) return 0;
    if (uniquedup) {
      // the bottom-up pass: its deletion is the 'sdel' event before this one, its verdict on deduplicating is budedup
      if (budedup === undefined) throw notSupported('bottom-up index deletion replayed without its heap check (nbtdedup.c _bt_bottomupdel_pass, after crash recovery)');
      if (!budedup) return 0;
    }
    const n = this.opt.dedup ? dedupPass(p, nt, this.nkeyatts, uniquedup) : 0;
    if (n) p.garbage = false;
    return n;
  }

  /** `child`: above the leaves, the page whose split the downlink nt completes; `out`: what is logged */
  private place(p: BtPage, nt: BtTuple, pos: number, stack: { page: BtPage; at: number }[], child = 0, out?: BtInsertOutcome): void {
    const first = p.hikey ? 2 : 1; // P_FIRSTDATAKEY
    if (pageFree(p) >= nt.size) {
      p.items.splice(pos, 0, nt);
      if (out && p.level === 0) out.off = pos + first;
      else if (out) out.upper = { blk: p.blk, off: pos + first, child, size: nt.size };
      return;
    }
    const s = findSplit(p, nt, pos, this.nkeyatts, this.opt.fillfactor ?? 90);
    const all = p.items.slice(); all.splice(pos, 0, nt);
    const cut = s.newleft ? s.firstright + 1 : s.firstright;
    const left = all.slice(0, cut), right = all.slice(cut);
    const sibling = p.next;
    const rp = this.newPage(p.level);
    p.garbage = false; // _bt_split: neither half keeps BTP_HAS_GARBAGE (nor an item's LP_DEAD)
    rp.hikey = p.hikey;
    rp.prev = p.blk; rp.next = p.next;
    if (p.next) this.pages[p.next]!.prev = rp.blk;
    p.next = rp.blk;
    if (p.level === 0) p.hikey = this.truncate(left[left.length - 1]!, right[0]!);
    else { p.hikey = right[0]!; right[0] = this.minusInf(pivotBlock(right[0]!)); }
    p.items = left.map(live); rp.items = right.map(live);
    if (out) {
      const firstrightoff = s.firstright + first, newitemoff = pos + first;
      // _bt_split logs the posting list split only when the list stayed on the left (newitemoff - 1 < firstrightoff)
      const postingoff = p.level === 0 && out.postingoff && newitemoff - 1 < firstrightoff ? out.postingoff : 0;
      out.splits.push({
        level: p.level, left: p.blk, right: rp.blk, sibling, child, firstrightoff, newitemoff, postingoff,
        newitemonleft: pos < cut, newitemSize: nt.size, lefthikeySize: p.hikey.size,
        rightBytes: rp.items.reduce((n, t) => n + t.size, 0) + (rp.hikey ? rp.hikey.size : 0),
      });
    }
    const down = downlink(p.hikey, rp.blk);
    const parent = stack.pop();
    if (!parent) {
      const root = this.newPage(p.level + 1);
      p.root = false; root.root = true;
      root.items = [this.minusInf(p.blk), down];
      this.root = root.blk; this.level = root.level;
      if (out) out.newroot = { blk: root.blk, level: root.level, left: p.blk, rootBytes: root.items.reduce((n, t) => n + t.size, 0) };
      return;
    }
    this.place(parent.page, down, parent.at + 1, stack, p.blk, out);
  }

  /** _bt_killitems: mark LP_DEAD the entries all of whose heap TIDs the scan found dead */
  kill(tids: readonly number[], key?: Value[]): void {
    const set = new Set(tids);
    // with the entries' key, only the leaves their (key, TID) lead to; without, every leaf
    const leaves = key ? new Set(tids.map((t) => this.descend(key, t)?.leaf)) : this.pages;
    for (const p of leaves) {
      if (!p || p.level !== 0) continue;
      let any = false;
      for (const t of p.items) if (!t.dead && heapTids(t).every((h) => set.has(h))) { t.dead = true; any = true; }
      if (any) p.garbage = true;
    }
  }

  /** btvacuumpage: remove the entries (a posting list keeps its other TIDs); a non-rightmost leaf left empty would be
   *  deleted. `simple`: _bt_delitems_delete's removal from one leaf before an insertion (no page is left empty). */
  remove(tids: ReadonlySet<number>, simple = false): void {
    for (const p of this.pages) {
      if (!p || p.level !== 0) continue;
      if (simple && !p.items.some((t) => heapTids(t).some((h) => tids.has(h)))) continue;
      const before = p.items.length;
      const out: BtTuple[] = [];
      for (const t of p.items) {
        if (!t.tids) { if (!tids.has(t.tid)) out.push(t); continue; }
        const keep = t.tids.filter((x) => !tids.has(x));
        if (keep.length === t.tids.length) out.push(t);
        else if (keep.length) out.push({ ...formPosting(t, keep), dead: t.dead });
      }
      if (out.length !== before || out.some((t, i) => t !== p.items[i])) p.garbage = false;
      p.items = out;
      if (!simple && before && !p.items.length && !p.root && p.next) throw notSupported('a B-tree leaf emptied by VACUUM (page deletion)');
    }
  }
}

/** an item as _bt_split copies it to a new page: PageAddItem makes a fresh line pointer, LP_DEAD forgotten */
const live = (t: BtTuple): BtTuple => (t.dead ? { ...t, dead: false } : t);

function replay(b: Builder, log: readonly IndexEvent[], from: number): void {
  for (let i = from; i < log.length; i++) {
    const e = log[i]!;
    b.last = null;
    if (e.k === 'build') b.build(e.items);
    else if (e.k === 'ins') b.insert(e.key, e.tid, e.unchanged === true, e.inc, e.afterdel === true, e.budedup);
    else if (e.k === 'kill') b.kill(e.tids, e.key);
    else if (e.k === 'opt') b.setOptions(e.after);
    else b.remove(e.tids, e.k === 'sdel');
  }
}

/** The index's pages, replayed from its history. */
export function btLayout(log: readonly IndexEvent[], bytes: Bytes, opt: BtOptions): BtLayout {
  const b = new Builder(bytes, opt);
  replay(b, log, 0);
  return { pages: b.pages, root: b.root, level: b.level };
}

/** the replayed history of an index: the builder and how many events it has applied (the log only grows, or is replaced) */
const cache = new WeakMap<BtreeIndex, { log: readonly IndexEvent[]; n: number; b: Builder }>();

/** The index's pages replayed up to now (incrementally: the cached builder applies the events added since). */
function builderOf(index: BtreeIndex, tableTypes: readonly SqlType[]): Builder {
  if (index.am !== 'btree') throw notSupported(`B-tree pages of ${index.am} index "${index.name}"`);
  const log = index.log;
  if (!log) throw notSupported(`the pages of index "${index.name}": it has had more than ${LOG_CAP} entries (Heapscope lays out the pages of smaller indexes only)`);
  const hit = cache.get(index);
  if (hit && hit.log === log && hit.n <= log.length) {
    if (hit.n < log.length) {
      try { replay(hit.b, log, hit.n); } catch (e) { cache.delete(index); throw e; }
      hit.n = log.length;
    }
    return hit.b;
  }
  const kt = index.keyTypes(tableTypes);
  if (kt.some((t) => !t)) throw notSupported(`the pages of expression index "${index.name}"`);
  const types = kt as SqlType[];
  // the key columns, then the INCLUDE columns (a leaf item carries both)
  // a key of type name is stored as a cstring (name_ops' opckeytype): its bytes and a NUL, no padding to 64
  const all = [...types.map((t) => (t.name === 'name' ? CSTRING : t)), ...index.include.map((c) => tableTypes[c]!)];
  const bytes = (key: Value[]) => {
    const kept = all.slice(0, key.length);
    const data = datumBytes(key, kept);
    if (!data) throw notSupported(`the pages of an index on ${all.map((t) => t.name).join(', ')}`);
    return { data, vars: kept.some((t) => !FIXED[t.name]) };
  };
  // _bt_allequalimage: an index with INCLUDE columns is never deduplicated
  // (the storage parameters the history starts with: those before its first ALTER INDEX, if any)
  const firstOpt = log.find((e) => e.k === 'opt') as Extract<IndexEvent, { k: 'opt' }> | undefined;
  const ro = btreeOptionsOf(firstOpt ? firstOpt.before : index.reloptions);
  const canDedup = !index.include.length && allEqualImage(types);
  const b = new Builder(bytes, { nkeyatts: types.length, unique: index.unique, dedup: ro.dedup && canDedup, fillfactor: ro.fillfactor, canDedup });
  replay(b, log, 0);
  cache.set(index, { log, n: log.length, b });
  return b;
}

/** An index's pages (replayed from its history); 0A000 for what the layout does not model. */
export function indexLayout(index: BtreeIndex, tableTypes: readonly SqlType[]): BtLayout {
  const b = builderOf(index, tableTypes);
  return { pages: b.pages, root: b.root, level: b.level };
}

/** Before an insertion: the TIDs simple deletion would hand the heap (see Builder.simpleDeleteCandidates); null: none. */
export function simpleDeleteCandidates(index: BtreeIndex, tableTypes: readonly SqlType[], key: Value[], tid: number, inc?: Value[]):
  SimpleDelCandidates | null {
  return builderOf(index, tableTypes).simpleDeleteCandidates(key, tid, inc);
}

/** Before an insertion, after simple deletion: what a bottom-up deletion pass hands the heap (null: none runs). */
export function bottomUpCandidates(index: BtreeIndex, tableTypes: readonly SqlType[], key: Value[], tid: number, unchanged: boolean, afterdel: boolean,
  inc?: Value[]): BottomUpCandidates | null {
  return builderOf(index, tableTypes).bottomUpCandidates(key, tid, unchanged, afterdel, inc);
}

/** PageGetExactFreeSpace of the leaf an entry (key, tid) would go to, as the index is now. */
export function leafExactFree(index: BtreeIndex, tableTypes: readonly SqlType[], key: Value[], tid: number): number {
  return builderOf(index, tableTypes).exactFree(key, tid);
}

/**
 * After an insertion: the new entry's leaf and line pointer (xl_btree_insert's offnum), or null when it went into a
 * posting list (PostgreSQL's INSERT_POST) or the index has more than one level.
 */
export function insertedAt(index: BtreeIndex, tableTypes: readonly SqlType[], key: Value[], tid: number): { blk: number; off: number } | null {
  const b = builderOf(index, tableTypes);
  const d = b.descend(key, tid);
  if (!d || b.level !== 0) return null;
  const at = d.leaf.items.findIndex((t) => !t.tids && t.tid === tid);
  return at < 0 ? null : { blk: d.leaf.blk, off: at + 1 + (d.leaf.hikey ? 1 : 0) };
}

/** indexes whose history the layout could not replay (the log they failed on): not tried again until it is replaced */
const failed = new WeakMap<BtreeIndex, readonly IndexEvent[]>();

/**
 * After an insertion (the 'ins' event just logged): what it did to the pages — the WAL records PostgreSQL writes for it
 * (wal/nbtxlog.ts) — and the pages as they are now; null where the layout does not model the index (no history kept,
 * an expression index, key types it cannot size, a history it cannot replay).
 */
export function insertOutcome(index: BtreeIndex, tableTypes: readonly SqlType[]): { out: BtInsertOutcome; layout: BtLayout } | null {
  const b = safeBuilder(index, tableTypes);
  if (!b?.last) return null;
  return { out: b.last, layout: { pages: b.pages, root: b.root, level: b.level } };
}

function safeBuilder(index: BtreeIndex, tableTypes: readonly SqlType[]): Builder | null {
  const log = index.log;
  if (!log || failed.get(index) === log) return null;
  try { return builderOf(index, tableTypes); } catch (e) {
    if (e instanceof PgError && e.sqlstate === '0A000') { failed.set(index, log); return null; }
    throw e;
  }
}

/** The index's pages as they are now, or null where the layout does not model them (never throws 0A000). */
export function layoutOrNull(index: BtreeIndex, tableTypes: readonly SqlType[]): BtLayout | null {
  const b = safeBuilder(index, tableTypes);
  return b && { pages: b.pages, root: b.root, level: b.level };
}

/** One leaf's part of a VACUUM (_bt_delitems_vacuum): items removed whole, and posting lists keeping some TIDs (how many go from each). */
export interface LeafVacuum { blk: number; ndeleted: number; updates: number[] }

/** btvacuumscan's leaves in block order and what removing these heap TIDs' entries does to each (only leaves that change); null: not modelled. */
export function vacuumPlan(index: BtreeIndex, tableTypes: readonly SqlType[], dead: ReadonlySet<number>): LeafVacuum[] | null {
  const b = safeBuilder(index, tableTypes);
  if (!b) return null;
  const out: LeafVacuum[] = [];
  for (const p of b.pages) {
    if (!p || p.level !== 0) continue;
    let ndeleted = 0;
    const updates: number[] = [];
    for (const t of p.items) {
      const tids = heapTids(t), n = tids.filter((x) => dead.has(x)).length;
      if (n === tids.length) ndeleted++; else if (n) updates.push(n);
    }
    if (ndeleted || updates.length) out.push({ blk: p.blk, ndeleted, updates });
  }
  return out;
}
