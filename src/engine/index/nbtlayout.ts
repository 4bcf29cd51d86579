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
 * Where a page splits is nbtsplitloc.c's choice: every legal split point gets a "delta" — on the rightmost page
 * of a level, how far the left half is from being fillfactor full (leaf fillfactor 90, internal 70), otherwise
 * how unequal the halves' free space is — then, among the few lowest deltas (the split interval), the point whose
 * new high key needs the fewest key columns (suffix truncation). The left half's new high key is the first
 * right item's key cut down to the columns that tell it from the last left item.
 *
 * Mirrors: src/backend/access/nbtree/nbtsort.c (_bt_buildadd, _bt_uppershutdown), nbtinsert.c (_bt_doinsert,
 * _bt_split, _bt_insert_parent, _bt_newroot), nbtsplitloc.c (_bt_findsplitloc, _bt_recsplitloc,
 * _bt_deltasortsplits — with src/port/qsort.c's unstable order of equal deltas — _bt_bestsplitloc),
 * nbtutils.c (_bt_keep_natts_fast, _bt_truncate). Simplifications (each refused with 0A000 rather than shown
 * wrong): a page that would split while it holds equal keys (PostgreSQL deduplicates them into a posting list
 * or deletes old versions bottom-up first), a CREATE INDEX over equal keys (posting lists), NULL keys, INCLUDE
 * columns, a non-rightmost leaf VACUUM empties (page deletion), an index with more than LOG_CAP entries ever.
 * Not modelled: LP_DEAD hints set by index scans, which PostgreSQL deletes from a full page before splitting it.
 */
import type { Value, SqlType } from '../sql/types.js';
import { notSupported } from '../errors.js';
import { datumBytes, FIXED } from '../heap/datum.js';
import type { BtreeIndex } from './btree.js';
import { tidBlock, packTid } from '../heap/heap.js';
import { MAXALIGN } from '../heap/tuple.js';
import { cmpValue, leafOrder } from './nbtcompare.js';

/** What happened to an index, in order: a bulk load, an insertion, a VACUUM removing entries. */
export type IndexEvent =
  | { k: 'build'; items: { key: Value[]; tid: number }[] }
  | { k: 'ins'; key: Value[]; tid: number }
  | { k: 'del'; tids: ReadonlySet<number> };
/** beyond this many events the index keeps no history (and its pages cannot be shown) */
export const LOG_CAP = 50_000;

/** An index tuple on a page: a leaf item (heap TID), or a pivot (high key / downlink: t_tid block, natts). */
export interface BtTuple {
  key: Value[];
  /** leaf item: the heap TID; pivot: packTid(block, natts) — the child for a downlink */
  tid: number;
  pivot: boolean;
  data: Uint8Array;
  /** INDEX_VAR_MASK: a variable-width column among the ones it keeps */
  vars: boolean;
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
}
export interface BtLayout {
  /** by block number; 0 (the metapage) is undefined */
  pages: (BtPage | undefined)[];
  root: number;
  level: number;
}

const SPACE = 8192 - 24 - 16; // page minus header and BTPageOpaqueData
const ITEMID = 4;
const LEAF_FF = 90, NONLEAF_FF = 70;

export type Bytes = (key: Value[]) => { data: Uint8Array; vars: boolean };

/** _bt_keep_natts_fast: the key columns a pivot between these two needs (nkeyatts + 1: a heap TID too) */
function keepNatts(a: Value[], b: Value[]): number {
  let n = 1;
  for (let i = 0; i < a.length; i++) { if (cmpValue(a[i]!, b[i]!) !== 0) break; n++; }
  return n;
}

const used = (p: BtPage) => p.items.reduce((n, t) => n + t.size + ITEMID, 0) + (p.hikey ? p.hikey.size + ITEMID : 0);
/** PageGetFreeSpace: free bytes less one line pointer */
export const pageFree = (p: BtPage) => Math.max(0, SPACE - used(p) - ITEMID);
const int16 = (x: number) => Math.trunc(x);

/** src/port/qsort.c (Bentley & McIlroy): which of several equal deltas sorts first is its choice, not a stable one. */
function pgQsort<T>(a: T[], cmp: (x: T, y: T) => number, lo = 0, n = a.length): void {
  const swap = (i: number, j: number) => { const t = a[i]!; a[i] = a[j]!; a[j] = t; };
  const swapn = (i: number, j: number, k: number) => { for (let x = 0; x < k; x++) swap(i + x, j + x); };
  const c = (i: number, j: number) => cmp(a[i]!, a[j]!);
  const med3 = (x: number, y: number, z: number) => (c(x, y) < 0 ? (c(y, z) < 0 ? y : c(x, z) < 0 ? z : x) : c(y, z) > 0 ? y : c(x, z) < 0 ? x : z);
  for (;;) {
    if (n < 7) {
      for (let m = lo + 1; m < lo + n; m++) for (let l = m; l > lo && c(l - 1, l) > 0; l--) swap(l, l - 1);
      return;
    }
    let sorted = true;
    for (let m = lo + 1; m < lo + n; m++) if (c(m - 1, m) > 0) { sorted = false; break; }
    if (sorted) return;
    let m = lo + Math.floor(n / 2);
    if (n > 7) {
      let l = lo, r = lo + n - 1;
      if (n > 40) { const d = Math.floor(n / 8); l = med3(l, l + d, l + 2 * d); m = med3(m - d, m, m + d); r = med3(r - 2 * d, r - d, r); }
      m = med3(l, m, r);
    }
    swap(lo, m);
    let pa = lo + 1, pb = pa, pc = lo + n - 1, pd = pc;
    for (;;) {
      let r: number;
      while (pb <= pc && (r = c(pb, lo)) <= 0) { if (r === 0) { swap(pa, pb); pa++; } pb++; }
      while (pb <= pc && (r = c(pc, lo)) >= 0) { if (r === 0) { swap(pc, pd); pd--; } pc--; }
      if (pb > pc) break;
      swap(pb, pc); pb++; pc--;
    }
    const pn = lo + n;
    let d1 = Math.min(pa - lo, pb - pa); swapn(lo, pb - d1, d1);
    d1 = Math.min(pd - pc, pn - pd - 1); swapn(pb, pn - d1, d1);
    d1 = pb - pa; const d2 = pd - pc;
    if (d1 <= d2) {
      if (d1 > 1) pgQsort(a, cmp, lo, d1);
      if (d2 > 1) { lo = pn - d2; n = d2; continue; }
    } else {
      if (d2 > 1) pgQsort(a, cmp, pn - d2, d2);
      if (d1 > 1) { n = d1; continue; }
    }
    return;
  }
}

interface Split { leftfree: number; rightfree: number; firstright: number; newleft: boolean; delta: number }

/** _bt_findsplitloc: where to split `p` to add `nt` at data position `pos`. */
function findSplit(p: BtPage, nt: BtTuple, pos: number, nkeyatts: number): Split {
  const leaf = p.level === 0, rightmost = p.next === 0;
  const leftspace = SPACE, rightspace = SPACE - (p.hikey ? p.hikey.size + ITEMID : 0);
  const total = p.items.reduce((n, t) => n + t.size + ITEMID, 0);
  const newsz = nt.size + ITEMID;
  const splits: Split[] = [];
  let minFirstRight = Infinity;
  const rec = (firstright: number, newleft: boolean, toleft: number, frsz: number) => {
    const frs = firstright === pos && !newleft ? newsz : frsz;
    let lf = leftspace - toleft, rf = rightspace - (total - toleft);
    lf -= leaf ? frs + 8 : frs;
    if (newleft) lf -= newsz; else rf -= newsz;
    if (!leaf) rf += frs - (8 + ITEMID);
    if (lf >= 0 && rf >= 0) { minFirstRight = Math.min(minFirstRight, frs); splits.push({ leftfree: lf, rightfree: rf, firstright, newleft, delta: 0 }); }
  };
  let toleft = 0;
  p.items.forEach((t, i) => {
    const sz = t.size + ITEMID;
    // (a split with nothing on the left is refused by its space: the page is full)
    if (i < pos) rec(i, false, toleft, sz);
    else if (i > pos) rec(i, true, toleft, sz);
    else { rec(i, false, toleft, sz); rec(i, true, toleft, sz); }
    toleft += sz;
  });
  if (pos >= p.items.length) rec(p.items.length, false, total, 0);
  if (!splits.length) throw notSupported('a B-tree page split with no legal split point');
  let usemult: boolean, ff: number;
  if (!leaf) { usemult = rightmost; ff = NONLEAF_FF / 100; } else if (rightmost) { usemult = true; ff = LEAF_FF / 100; } else {
    const after = afterNewItem(p, nt, pos, nkeyatts, newsz, minFirstRight, total);
    if (after === 'exact') {
      const s = splits.find((x) => x.newleft && x.firstright === pos);
      if (s) return s;
      usemult = false; ff = 0.5;
    } else if (after === 'mult') { usemult = true; ff = LEAF_FF / 100; } else { usemult = false; ff = 0.5; }
  }
  const interval = Math.trunc(Math.min(Math.max(1, splits.length * 0.05), leaf ? 9 : 18));
  for (const s of splits) {
    const d = int16(usemult ? ff * s.leftfree - (1 - ff) * s.rightfree : s.leftfree - s.rightfree);
    s.delta = Math.abs(d);
  }
  pgQsort(splits, (a, b) => (a.delta > b.delta ? 1 : a.delta < b.delta ? -1 : 0));
  // _bt_bestsplitloc: the first split of the interval with the lowest penalty
  const all = p.items.slice(); all.splice(pos, 0, nt);
  const penalty = (s: Split): number => {
    const frIdx = s.newleft ? s.firstright + 1 : s.firstright; // in `all`
    if (!leaf) return all[frIdx]!.size + ITEMID;
    return keepNatts(all[frIdx - 1]!.key, all[frIdx]!.key);
  };
  let best = 0, bestPen = Infinity;
  for (let i = 0; i < Math.min(interval, splits.length); i++) {
    const pen = penalty(splits[i]!);
    if (pen < bestPen) { bestPen = pen; best = i; }
  }
  if (leaf && bestPen > nkeyatts) throw notSupported('a B-tree leaf split among equal keys (nbtsplitloc.c\'s many-duplicates and single-value strategies)');
  return splits[best]!;
}

/** _bt_afternewitemoff: the "split after the new item" optimization for localized ascending composite keys */
function afterNewItem(p: BtPage, nt: BtTuple, pos: number, nkeyatts: number, newsz: number, minFirstRight: number, total: number): 'no' | 'exact' | 'mult' {
  if (nkeyatts === 1 || pos === 0) return 'no';
  if (newsz !== minFirstRight || newsz * p.items.length !== total) return 'no';
  if (newsz > MAXALIGN(8 + 16) + ITEMID) return 'no';
  if (pos >= p.items.length) {
    const k = keepNatts(p.items[p.items.length - 1]!.key, nt.key);
    return k > 1 && k <= nkeyatts ? 'mult' : 'no';
  }
  const prev = p.items[pos - 1]!;
  const lb = tidBlock(prev.tid), hb = tidBlock(nt.tid);
  if (!(lb === hb || (lb + 1 === hb && nt.tid % 65536 === 1))) return 'no';
  const k = keepNatts(prev.key, nt.key);
  if (!(k > 1 && k <= nkeyatts)) return 'no';
  const firstData = p.next === 0 ? 1 : 2;
  const newoff = pos + firstData, maxoff = p.items.length + firstData - 1;
  return newoff / (maxoff + 1) > LEAF_FF / 100 ? 'mult' : 'exact';
}

class Builder {
  pages: (BtPage | undefined)[] = [undefined];
  root = 0;
  level = 0;
  constructor(private readonly bytes: Bytes, private readonly nkeyatts: number) {}

  tuple(key: Value[], tid: number, pivot: boolean): BtTuple {
    const { data, vars } = this.bytes(key);
    return { key, tid, pivot, data, vars, size: MAXALIGN(8 + data.length) };
  }
  newPage(level: number): BtPage {
    const p: BtPage = { blk: this.pages.length, level, prev: 0, next: 0, root: false, hikey: null, items: [] };
    this.pages.push(p);
    return p;
  }
  /** _bt_truncate: the left half's high key from its last item and the right half's first */
  truncate(lastleft: BtTuple, firstright: BtTuple): BtTuple {
    const keep = keepNatts(lastleft.key, firstright.key);
    if (keep > this.nkeyatts) throw notSupported('a B-tree high key between equal keys (it would carry a heap TID)');
    return this.tuple(firstright.key.slice(0, keep), packTid(tidBlock(firstright.tid), keep), true);
  }

  /** nbtsort.c: load sorted items bottom up */
  build(items: { key: Value[]; tid: number }[]): void {
    for (let i = 1; i < items.length; i++) if (keepNatts(items[i - 1]!.key, items[i]!.key) > this.nkeyatts) throw notSupported('a B-tree built over equal keys (PostgreSQL 15 stores them as posting-list tuples: deduplication)');
    interface Level { page: BtPage; lowkey: BtTuple | null; next: Level | null }
    const full = (lvl: number) => Math.trunc((8192 * (100 - (lvl === 0 ? LEAF_FF : NONLEAF_FF))) / 100);
    // pages under construction keep line pointer 1 free for the high key (counted in pd_lower)
    const free = (p: BtPage) => SPACE - p.items.reduce((n, t) => n + t.size + ITEMID, 0) - ITEMID - ITEMID;
    const levelState = (lvl: number): Level => ({ page: this.newPage(lvl), lowkey: null, next: null });
    const add = (st: Level, t: BtTuple): void => {
      const leaf = st.page.level === 0;
      const pgspc = free(st.page);
      if (pgspc < t.size + (leaf ? 8 : 0) || (pgspc < full(st.page.level) && st.page.items.length > 1)) {
        const opage = st.page, npage = this.newPage(opage.level);
        const moved = opage.items.pop()!;
        const first = leaf ? moved : this.tuple([], moved.tid - (moved.tid % 65536), true);
        npage.items.push(first);
        opage.hikey = leaf ? this.truncate(opage.items[opage.items.length - 1]!, moved) : moved;
        st.next ??= levelState(opage.level + 1);
        const low = st.lowkey ?? this.tuple([], 0, true);
        add(st.next, this.tuple(low.key, packTid(opage.blk, low.key.length), true));
        st.lowkey = opage.hikey;
        opage.next = npage.blk; npage.prev = opage.blk;
        st.page = npage;
      }
      const isFirstInternal = !leaf && st.page.items.length === 0;
      st.page.items.push(isFirstInternal ? this.tuple([], t.tid - (t.tid % 65536), true) : t);
    };
    if (!items.length) return;
    const leaves = levelState(0);
    for (const it of items) add(leaves, this.tuple(it.key, it.tid, false));
    for (let s: Level | null = leaves; s; s = s.next) {
      if (!s.next) { s.page.root = true; this.root = s.page.blk; this.level = s.page.level; } else {
        const low = s.lowkey ?? this.tuple([], 0, true);
        add(s.next, this.tuple(low.key, packTid(s.page.blk, low.key.length), true));
      }
    }
  }

  /** _bt_doinsert */
  insert(key: Value[], tid: number): void {
    const nt = this.tuple(key, tid, false);
    if (!this.root) { const p = this.newPage(0); p.root = true; p.items.push(nt); this.root = p.blk; this.level = 0; return; }
    const stack: { page: BtPage; at: number }[] = [];
    let p = this.pages[this.root]!;
    while (p.level > 0) {
      // the last downlink whose key is <= the new item's (a truncated pivot's missing columns are minus infinity)
      let at = 0;
      for (let i = 1; i < p.items.length; i++) {
        const pv = p.items[i]!;
        let c = 0;
        for (let a = 0; a < pv.key.length && !c; a++) c = cmpValue(pv.key[a]!, key[a]!);
        if (c > 0) break;
        at = i;
      }
      stack.push({ page: p, at });
      p = this.pages[tidBlock(p.items[at]!.tid)]!;
    }
    let lo = 0, hi = p.items.length;
    while (lo < hi) { const m = (lo + hi) >> 1; if (leafOrder(p.items[m]!, nt) < 0) lo = m + 1; else hi = m; }
    this.place(p, nt, lo, stack);
  }

  private place(p: BtPage, nt: BtTuple, pos: number, stack: { page: BtPage; at: number }[]): void {
    if (pageFree(p) >= nt.size) { p.items.splice(pos, 0, nt); return; }
    const all = p.items.slice(); all.splice(pos, 0, nt);
    if (p.level === 0) {
      for (let i = 1; i < all.length; i++) {
        if (keepNatts(all[i - 1]!.key, all[i]!.key) > this.nkeyatts) throw notSupported('a full B-tree leaf holding equal keys (PostgreSQL 15 deduplicates them, or deletes old versions bottom-up, before splitting)');
      }
    }
    const s = findSplit(p, nt, pos, this.nkeyatts);
    const cut = s.newleft ? s.firstright + 1 : s.firstright;
    const left = all.slice(0, cut), right = all.slice(cut);
    const rp = this.newPage(p.level);
    rp.hikey = p.hikey;
    rp.prev = p.blk; rp.next = p.next;
    if (p.next) this.pages[p.next]!.prev = rp.blk;
    p.next = rp.blk;
    if (p.level === 0) p.hikey = this.truncate(left[left.length - 1]!, right[0]!);
    else { p.hikey = right[0]!; right[0] = this.tuple([], right[0]!.tid - (right[0]!.tid % 65536), true); }
    p.items = left; rp.items = right;
    const down = this.tuple(p.hikey.key, packTid(rp.blk, p.hikey.key.length), true);
    const parent = stack.pop();
    if (!parent) {
      const root = this.newPage(p.level + 1);
      p.root = false; root.root = true;
      root.items = [this.tuple([], packTid(p.blk, 0), true), down];
      this.root = root.blk; this.level = root.level;
      return;
    }
    this.place(parent.page, down, parent.at + 1, stack);
  }

  /** btvacuumpage: remove the entries; a non-rightmost leaf left empty would be deleted */
  remove(tids: ReadonlySet<number>): void {
    for (const p of this.pages) {
      if (!p || p.level !== 0) continue;
      const before = p.items.length;
      p.items = p.items.filter((t) => !tids.has(t.tid));
      if (before && !p.items.length && !p.root && p.next) throw notSupported('a B-tree leaf emptied by VACUUM (page deletion)');
    }
  }
}

/** The index's pages, replayed from its history. */
export function btLayout(log: readonly IndexEvent[], bytes: Bytes, nkeyatts: number): BtLayout {
  const b = new Builder(bytes, nkeyatts);
  for (const e of log) {
    if (e.k === 'build') b.build(e.items);
    else if (e.k === 'ins') b.insert(e.key, e.tid);
    else b.remove(e.tids);
  }
  return { pages: b.pages, root: b.root, level: b.level };
}

const cache = new WeakMap<BtreeIndex, { log: readonly IndexEvent[]; n: number; layout: BtLayout }>();

/** An index's pages (cached until its history grows); 0A000 for what the layout does not model. */
export function indexLayout(index: BtreeIndex, tableTypes: readonly SqlType[]): BtLayout {
  if (index.include.length) throw notSupported(`the pages of index "${index.name}" with INCLUDE columns`);
  const log = index.log;
  if (!log) throw notSupported(`the pages of index "${index.name}": it has had more than ${LOG_CAP} entries (Heapscope lays out the pages of smaller indexes only)`);
  const hit = cache.get(index);
  if (hit && hit.log === log && hit.n === log.length) return hit.layout;
  const kt = index.keyTypes(tableTypes);
  if (kt.some((t) => !t)) throw notSupported(`the pages of expression index "${index.name}"`);
  const types = kt as SqlType[];
  const bytes = (key: Value[]) => {
    if (key.some((x) => x === null)) throw notSupported(`the pages of index "${index.name}" with NULL keys`);
    const kept = types.slice(0, key.length);
    const data = datumBytes(key, kept);
    if (!data) throw notSupported(`the pages of an index on ${types.map((t) => t.name).join(', ')}`);
    return { data, vars: kept.some((t) => !FIXED[t.name]) };
  };
  const layout = btLayout(log, bytes, types.length);
  cache.set(index, { log, n: log.length, layout });
  return layout;
}
