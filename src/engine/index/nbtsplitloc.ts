/**
 * Where a full B-tree page splits (nbtsplitloc.c). Every legal split point — between two items, counting the new one,
 * with each half's items fitting — gets a "delta": on the rightmost page of a level how far the left half is from
 * being fillfactor full (leaf 90, internal 70), otherwise how unequal the halves' free space is. Among the points
 * whose free space is within a tolerance of the best (5 % of the page's data for a leaf, 7.5 % for an internal page:
 * the split interval), the one whose new high key needs the fewest key columns wins (suffix truncation).
 *
 * When no point in that interval avoids a high key carrying a heap TID (equal keys all around the middle), a leaf
 * changes strategy: "many duplicates" — the page is not all one value — widens the interval to the whole page and
 * takes the balanced point nearest the middle that a key column tells apart; "single value" — the page (with the new
 * item) is all one value, and this is the rightmost page holding it — leaves the left half 96 % full, since later
 * duplicates arrive with higher heap TIDs and go right.
 *
 * Mirrors: src/backend/access/nbtree/nbtsplitloc.c (_bt_findsplitloc, _bt_recsplitloc, _bt_deltasortsplits — with
 * src/port/qsort.c's unstable order of equal deltas — _bt_afternewitemoff, _bt_defaultinterval, _bt_strategy,
 * _bt_interval_edges, _bt_bestsplitloc, _bt_split_penalty). The leaf fillfactor is the index's (BTGetFillFactor, default 90).
 */
import { notSupported } from '../errors.js';
import { tidBlock } from '../heap/heap.js';
import { MAXALIGN } from '../heap/tuple.js';
import { type BtPage, type BtTuple, SPACE, ITEMID, NONLEAF_FF, keepNatts, keySize } from './nbtree.js';

const int16 = (x: number) => Math.trunc(x);
const SINGLEVAL_FF = 96;
const LEAF_SPLIT_DISTANCE = 0.05, INTERNAL_SPLIT_DISTANCE = 0.075;

interface Split { leftfree: number; rightfree: number; firstright: number; newleft: boolean; delta: number }
export interface SplitChoice { firstright: number; newleft: boolean }

/** _bt_findsplitloc: where to split `p` to add `nt` at data position `pos` (the first right item, and which side nt goes). */
export function findSplit(p: BtPage, nt: BtTuple, pos: number, nkeyatts: number, leafff = 90): SplitChoice {
  const leaf = p.level === 0, rightmost = p.next === 0;
  const leftspace = SPACE, rightspace = SPACE - (p.hikey ? p.hikey.size + ITEMID : 0);
  const total = p.items.reduce((n, t) => n + t.size + ITEMID, 0);
  const newsz = nt.size + ITEMID;
  const splits: Split[] = [];
  let minFirstRight = Infinity;
  const rec = (firstright: number, newleft: boolean, toleft: number, frsz: number) => {
    const newIsFirstRight = firstright === pos && !newleft;
    const frs = newIsFirstRight ? newsz : frsz;
    // a posting list's TIDs are truncated away from the new high key (counted when the tuple is over 64 bytes)
    const fr = newIsFirstRight ? undefined : p.items[firstright];
    const postingsz = leaf && frs > 64 && fr?.tids ? fr.size - keySize(fr) : 0;
    let lf = leftspace - toleft, rf = rightspace - (total - toleft);
    lf -= leaf ? frs + 8 - postingsz : frs;
    if (newleft) lf -= newsz; else rf -= newsz;
    if (!leaf) rf += frs - (8 + ITEMID);
    lf = int16(lf); rf = int16(rf);
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
  if (!leaf) { usemult = rightmost; ff = NONLEAF_FF / 100; } else if (rightmost) { usemult = true; ff = leafff / 100; } else {
    const after = afterNewItem(p, nt, pos, nkeyatts, newsz, minFirstRight, total, leafff);
    if (after === 'exact') {
      const s = splits.find((x) => x.newleft && x.firstright === pos);
      if (s) return s;
      usemult = false; ff = 0.5;
    } else if (after === 'mult') { usemult = true; ff = leafff / 100; } else { usemult = false; ff = 0.5; }
  }
  const leftpage = splits[0]!, rightpage = splits[splits.length - 1]!;
  const deltasort = () => {
    for (const s of splits) s.delta = Math.abs(int16(usemult ? ff * s.leftfree - (1 - ff) * s.rightfree : s.leftfree - s.rightfree));
    pgQsort(splits, (a, b) => (a.delta > b.delta ? 1 : a.delta < b.delta ? -1 : 0));
  };
  deltasort();
  // _bt_defaultinterval: the splits whose free space on each side is within the tolerance of the best one's
  let interval = splits.length;
  {
    const tol = int16(total * (leaf ? LEAF_SPLIT_DISTANCE : INTERNAL_SPLIT_DISTANCE));
    const o = splits[0]!;
    for (let i = 1; i < splits.length; i++) {
      const s = splits[i]!;
      const out = s.leftfree < o.leftfree - tol || s.rightfree < o.rightfree - tol || s.leftfree > o.leftfree + tol || s.rightfree > o.rightfree + tol;
      if (out) { interval = i; break; }
    }
  }
  // the tuples either side of a split point (the page with the new item in it)
  const lastleft = (s: Split) => (s.newleft && s.firstright === pos ? nt : p.items[s.firstright - 1]!);
  const firstright = (s: Split) => (!s.newleft && s.firstright === pos ? nt : p.items[s.firstright]!);
  // _bt_strategy
  let strategy: 'default' | 'many' | 'single' = 'default';
  let perfect: number;
  if (!leaf) perfect = minFirstRight;
  else {
    const [li, ri] = intervalEdges(splits, Math.min(interval, splits.length));
    perfect = keepNatts(lastleft(li).key, firstright(ri).key);
    if (perfect > nkeyatts) {
      perfect = keepNatts(lastleft(leftpage).key, firstright(rightpage).key);
      if (perfect <= nkeyatts) { strategy = 'many'; perfect = nkeyatts; } else if (rightmost) strategy = 'single';
      else {
        perfect = keepNatts(p.hikey!.key, nt.key);
        if (perfect <= nkeyatts) strategy = 'single';
      }
    }
  }
  if (strategy === 'many') interval = splits.length;
  else if (strategy === 'single') { usemult = true; ff = SINGLEVAL_FF / 100; deltasort(); interval = 1; }
  // _bt_bestsplitloc: the first split of the interval with the lowest penalty
  const penalty = (s: Split): number => {
    if (!leaf) return !s.newleft && s.firstright === pos ? newsz : p.items[s.firstright]!.size + ITEMID;
    return keepNatts(lastleft(s).key, firstright(s).key);
  };
  let best = 0, bestPen = Infinity;
  for (let i = 0; i < Math.min(interval, splits.length); i++) {
    const pen = penalty(splits[i]!);
    if (pen < bestPen) { bestPen = pen; best = i; }
    if (pen <= perfect) break;
  }
  let final = splits[best]!;
  if (strategy === 'many' && !rightmost && !final.newleft && final.firstright >= pos && final.firstright < pos + 9) final = splits[0]!;
  return final;
}

/** _bt_interval_edges: the leftmost and rightmost split points of the interval */
function intervalEdges(splits: Split[], high: number): [Split, Split] {
  const opt = splits[0]!;
  let l: Split | null = null, r: Split | null = null;
  for (let i = high - 1; i >= 0; i--) {
    const d = splits[i]!;
    if (d.firstright < opt.firstright) l ??= d;
    else if (d.firstright > opt.firstright) r ??= d;
    else if (!d.newleft && opt.newleft) l ??= d;
    else if (d.newleft && !opt.newleft) r ??= d;
    else { l ??= d; r ??= d; }
    if (l && r) return [l, r];
  }
  return [l ?? opt, r ?? opt];
}

/** _bt_afternewitemoff: the "split after the new item" optimization for localized ascending composite keys */
function afterNewItem(p: BtPage, nt: BtTuple, pos: number, nkeyatts: number, newsz: number, minFirstRight: number, total: number, leafff: number): 'no' | 'exact' | 'mult' {
  if (nkeyatts === 1 || pos === 0) return 'no';
  if (newsz !== minFirstRight || newsz * p.items.length !== total) return 'no';
  if (newsz > MAXALIGN(8 + 16) + ITEMID) return 'no';
  if (pos >= p.items.length) {
    const k = keepNatts(p.items[p.items.length - 1]!.key, nt.key);
    return k > 1 && k <= nkeyatts ? 'mult' : 'no';
  }
  const prev = p.items[pos - 1]!;
  if (prev.tids) return 'no';
  const lb = tidBlock(prev.tid), hb = tidBlock(nt.tid);
  if (!(lb === hb || (lb + 1 === hb && nt.tid % 65536 === 1))) return 'no';
  const k = keepNatts(prev.key, nt.key);
  if (!(k > 1 && k <= nkeyatts)) return 'no';
  const firstData = p.next === 0 ? 1 : 2;
  const newoff = pos + firstData, maxoff = p.items.length + firstData - 1;
  return newoff / (maxoff + 1) > leafff / 100 ? 'mult' : 'exact';
}


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
