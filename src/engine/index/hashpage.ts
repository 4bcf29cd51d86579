/**
 * The pages of a hash index, laid out as PostgreSQL's hash access method lays them out (linear hashing).
 *
 * Block 0 is the metapage; the buckets' primary pages follow, then overflow pages and bitmap pages. An index tuple
 * holds only the key's 32-bit hash code (the hash opclass's function: hashint4, hashtext …) and the heap TID, 16 bytes
 * with its header; a page keeps its tuples sorted by hash code, a new one going before the ones with an equal code
 * (_hash_binsearch). A key's bucket is `hash & highmask`, or `hash & lowmask` when that bucket does not exist yet
 * (_hash_hashkey2bucket). A bucket is a chain: the primary page, then overflow pages added when it is full.
 *
 *     CREATE INDEX on an empty, never-vacuumed table: estimate_rel_size's 10 pages of (int, int) rows ≈ 2260 rows,
 *     / ffactor 307 → 8 buckets (blocks 1-8), the bitmap page at block 9 (its bit 0), maxbucket 7, masks 15 / 7.
 *
 * The table grows one bucket at a time: once ntuples > ffactor × (maxbucket + 1) the next bucket is split from its
 * "old" bucket (new & lowmask). Buckets are allocated a splitpoint at a time (a doubling; four phases each past 1024
 * buckets), and each splitpoint's overflow pages come after its buckets: hashm_spares[] counts the overflow pages
 * allocated up to each splitpoint, so BUCKET_TO_BLKNO adds them in. A split copies the tuples that move, then
 * cleans them out of the old bucket and squeezes its chain (freed overflow pages go back to the bitmap).
 *
 * Mirrors: src/backend/access/hash/hashpage.c (_hash_init, _hash_init_metabuffer, _hash_expandtable,
 * _hash_splitbucket), hashinsert.c (_hash_doinsert, _hash_pgaddtup, _hash_pgaddmultitup), hashovfl.c
 * (_hash_addovflpage, _hash_getovflpage, _hash_freeovflpage, _hash_squeezebucket, bitno_to_blkno,
 * _hash_ovflblkno_to_bitno), hash.c (hashbucketcleanup), hashutil.c (_hash_spareindex, _hash_get_totalbuckets,
 * _hash_hashkey2bucket, _hash_binsearch). Simplifications: no concurrent pins, so a split always finishes and its
 * cleanup always runs at once (no LH_BUCKET_BEING_SPLIT / NEEDS_SPLIT_CLEANUP left behind); one bitmap page (32768
 * overflow pages; more is refused); fillfactor 75 (the default) unless the index's reloptions say otherwise.
 */
import { notSupported } from '../errors.js';

export const LH_UNUSED_PAGE = 0, LH_OVERFLOW_PAGE = 1, LH_BUCKET_PAGE = 2, LH_BITMAP_PAGE = 4, LH_META_PAGE = 8;
export const LH_PAGE_HAS_DEAD_TUPLES = 128;
export const HASH_MAGIC = 0x6440640, HASH_VERSION = 4, HASHO_PAGE_ID = 0xff80;
export const INVALID_BLOCK = 0xffffffff;
/** BLCKSZ minus the page header (24) and HashPageOpaqueData (16) */
const PAGE_SPACE = 8192 - 24 - 16;
/** an index tuple: IndexTupleData (8) + the uint32 hash code, MAXALIGNed; and its line pointer */
export const ITEM_SIZE = 16;
const ITEMID = 4;
/** the bitmap page's bytes (bmsize: the largest power of 2 that fits) and bits a page */
export const BMSIZE = 4096, BMSHIFT = 15;
const BITS_PER_MAP_PAGE = BMSIZE * 8;
const ONE_PHASE_GROUPS = 10;

export interface HashItem { hash: number; tid: number; dead?: boolean }
export interface HashPage {
  blk: number;
  flag: number;
  bucket: number;
  /** a primary bucket page: hashm_maxbucket when it was last split (or created); an overflow page: the previous page */
  prev: number;
  next: number;
  items: HashItem[];
}
export interface HashMeta {
  ntuples: number; ffactor: number; maxbucket: number; highmask: number; lowmask: number;
  ovflpoint: number; firstfree: number; nmaps: number; spares: number[]; mapp: number[];
}
export interface HashLayout {
  meta: HashMeta;
  /** by block number: undefined for the metapage and for pages allocated but never initialized (zero pages) */
  pages: (HashPage | undefined)[];
  /** blocks of the relation (pg_relation_size / 8192) */
  nblocks: number;
  /** bitmap bits of overflow pages freed (every other bit up to the last overflow page is in use) */
  freeBits: Set<number>;
}

/** _hash_log2: the smallest i with 2^i >= num */
export function hashLog2(num: number): number {
  let i = 0;
  for (let limit = 1; limit < num; limit *= 2) i++;
  return i;
}

/** _hash_spareindex: the splitpoint phase that holds bucket count `num` */
export function spareIndex(num: number): number {
  const group = hashLog2(num);
  if (group < ONE_PHASE_GROUPS) return group;
  return ONE_PHASE_GROUPS + ((group - ONE_PHASE_GROUPS) << 2) + (Math.floor((num - 1) / 2 ** (group - 3)) & 3);
}

/** _hash_get_totalbuckets: how many buckets exist once a splitpoint phase is allocated */
export function totalBuckets(phase: number): number {
  if (phase < ONE_PHASE_GROUPS) return 2 ** phase;
  const group = ONE_PHASE_GROUPS + ((phase - ONE_PHASE_GROUPS) >> 2);
  const before = 2 ** (group - 1);
  return before + (before / 4) * (((phase - ONE_PHASE_GROUPS) & 3) + 1);
}

/** _hash_hashkey2bucket */
export function hashKeyToBucket(hash: number, m: HashMeta): number {
  let b = (hash & m.highmask) >>> 0;
  if (b > m.maxbucket) b = (b & m.lowmask) >>> 0;
  return b;
}

/** BUCKET_TO_BLKNO */
export const bucketToBlkno = (m: HashMeta, b: number): number => b + (b ? m.spares[spareIndex(b + 1) - 1]! : 0) + 1;

/** hashm_ffactor: the target page usage (fillfactor %, 75 by default) over an item's width (16 + its line pointer) */
export const ffactorFor = (fillfactor: number): number => Math.max(10, Math.floor(Math.floor((8192 * fillfactor) / 100) / (ITEM_SIZE + ITEMID)));

/** PageGetFreeSpace of a hash page with n items (the room for one more line pointer taken off) */
export const pageFreeSpace = (p: HashPage): number => Math.max(0, PAGE_SPACE - (ITEM_SIZE + ITEMID) * p.items.length - ITEMID);
/** PageGetFreeSpaceForMultipleTuples */
const freeForMultiple = (p: HashPage, n: number): number => Math.max(0, PAGE_SPACE - (ITEM_SIZE + ITEMID) * p.items.length - ITEMID * n);

/** _hash_binsearch: the first offset (0-based) whose hash code is >= hash */
function binsearch(items: HashItem[], hash: number): number {
  let lo = 0, hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid]!.hash < hash) lo = mid + 1; else hi = mid;
  }
  return lo;
}
/** _hash_pgaddtup: keep the page sorted by hash code */
const addTuple = (p: HashPage, it: HashItem) => { p.items.splice(binsearch(p.items, it.hash), 0, it); };

/** _hash_init with _hash_init_metabuffer: the metapage, num_buckets primary pages, the first bitmap page. */
export function hashInit(numTuples: number, fillfactor: number): HashLayout {
  const ffactor = ffactorFor(fillfactor);
  const d = numTuples / ffactor;
  const numBuckets = d <= 2 ? 2 : d >= 0x40000000 ? 0x40000000 : totalBuckets(spareIndex(Math.floor(d)));
  const spare = spareIndex(numBuckets);
  const highmask = 2 ** hashLog2(numBuckets + 1) - 1;
  const meta: HashMeta = {
    ntuples: 0, ffactor, maxbucket: numBuckets - 1, highmask, lowmask: highmask >>> 1, ovflpoint: spare, firstfree: 0,
    nmaps: 1, spares: new Array<number>(98).fill(0), mapp: new Array<number>(1024).fill(0),
  };
  meta.spares[spare] = 1;
  const pages: (HashPage | undefined)[] = [undefined];
  for (let b = 0; b < numBuckets; b++) pages.push({ blk: b + 1, flag: LH_BUCKET_PAGE, bucket: b, prev: numBuckets - 1, next: INVALID_BLOCK, items: [] });
  const bm = numBuckets + 1;
  pages.push({ blk: bm, flag: LH_BITMAP_PAGE, bucket: -1, prev: INVALID_BLOCK, next: INVALID_BLOCK, items: [] });
  meta.mapp[0] = bm;
  return { meta, pages, nblocks: bm + 1, freeBits: new Set() };
}

/** bitno_to_blkno: an overflow bit's block */
function bitToBlkno(m: HashMeta, bit: number): number {
  const n = bit + 1;
  let i = 1;
  while (i < m.ovflpoint && n > m.spares[i]!) i++;
  return totalBuckets(i) + n;
}

/** _hash_ovflblkno_to_bitno: an overflow (or bitmap) page's bit; null for another block */
export function blknoToBit(m: HashMeta, blk: number): number | null {
  for (let i = 1; i <= m.ovflpoint; i++) {
    if (blk <= totalBuckets(i)) break;
    const bit = blk - totalBuckets(i);
    if (bit > m.spares[i - 1]! && bit <= m.spares[i]!) return bit - 1;
  }
  return null;
}

/** _hash_getovflpage: a freed overflow page if the bitmap has one (from hashm_firstfree), else a new one at the end */
function getOverflowPage(l: HashLayout): number {
  const m = l.meta;
  const orig = m.firstfree;
  const last = m.spares[m.ovflpoint]! - 1;
  let bit = -1;
  for (const b of [...l.freeBits].sort((a, c) => a - c)) if (b >= orig && b <= last) { bit = b; break; }
  if (bit >= 0) l.freeBits.delete(bit);
  else {
    if (last + 1 >= BITS_PER_MAP_PAGE) throw notSupported('a hash index with more than one bitmap page of overflow pages');
    bit = m.spares[m.ovflpoint]!;
    m.spares[m.ovflpoint]!++;
  }
  if (m.firstfree === orig) m.firstfree = bit + 1;
  const blk = bitToBlkno(m, bit);
  if (blk >= l.nblocks) l.nblocks = blk + 1;
  return blk;
}

/** _hash_addovflpage: chain a new overflow page after the bucket's last page */
function addOverflowPage(l: HashLayout, tail: HashPage): HashPage {
  const blk = getOverflowPage(l);
  const p: HashPage = { blk, flag: LH_OVERFLOW_PAGE, bucket: tail.bucket, prev: tail.blk, next: INVALID_BLOCK, items: [] };
  l.pages[blk] = p;
  tail.next = blk;
  return p;
}

/** _hash_freeovflpage: unlink the page, clear its bitmap bit, and leave it an unused page */
function freeOverflowPage(l: HashLayout, p: HashPage): void {
  const prev = l.pages[p.prev]!;
  prev.next = p.next;
  if (p.next !== INVALID_BLOCK) l.pages[p.next]!.prev = p.prev;
  const bit = blknoToBit(l.meta, p.blk)!;
  l.freeBits.add(bit);
  if (bit < l.meta.firstfree) l.meta.firstfree = bit;
  l.pages[p.blk] = { blk: p.blk, flag: LH_UNUSED_PAGE, bucket: -1, prev: INVALID_BLOCK, next: INVALID_BLOCK, items: [] };
}

/** The pages of a bucket's chain, primary page first. */
export function bucketChain(l: HashLayout, bucket: number): HashPage[] {
  const out: HashPage[] = [];
  for (let b = bucketToBlkno(l.meta, bucket); b !== INVALID_BLOCK; b = l.pages[b]!.next) out.push(l.pages[b]!);
  return out;
}

/** _hash_doinsert: into the key's bucket (the first page of its chain with room, or a new overflow page), then a split if due. */
export function hashInsert(l: HashLayout, hash: number, tid: number): void {
  const m = l.meta;
  let p = l.pages[bucketToBlkno(m, hashKeyToBucket(hash, m))]!;
  while (pageFreeSpace(p) < ITEM_SIZE) {
    // _hash_vacuum_one_page: a full page with LP_DEAD items drops them first
    if (p.flag & LH_PAGE_HAS_DEAD_TUPLES && p.items.some((x) => x.dead)) {
      const before = p.items.length;
      p.items = p.items.filter((x) => !x.dead);
      m.ntuples -= before - p.items.length;
      p.flag &= ~LH_PAGE_HAS_DEAD_TUPLES;
      if (pageFreeSpace(p) >= ITEM_SIZE) break;
    }
    p = p.next !== INVALID_BLOCK ? l.pages[p.next]! : addOverflowPage(l, p);
  }
  addTuple(p, { hash, tid });
  m.ntuples++;
  if (m.ntuples > m.ffactor * (m.maxbucket + 1)) expandTable(l);
}

/** _hash_expandtable: the next bucket, split from its old bucket (a new splitpoint's buckets allocated first) */
function expandTable(l: HashLayout): void {
  const m = l.meta;
  if (m.maxbucket >= 0x7ffffffe) return;
  const nb = m.maxbucket + 1;
  const ob = (nb & m.lowmask) >>> 0;
  const startN = bucketToBlkno(m, nb);
  const spare = spareIndex(nb + 1);
  if (spare > m.ovflpoint) {
    // _hash_alloc_buckets: the relation is extended over the whole splitpoint (the pages stay zero until used)
    const add = totalBuckets(spare) - nb;
    if (startN + add > l.nblocks) l.nblocks = startN + add;
  }
  m.maxbucket = nb;
  if (nb > m.highmask) { m.lowmask = m.highmask; m.highmask = (nb | m.lowmask) >>> 0; }
  if (spare > m.ovflpoint) { m.spares[spare] = m.spares[m.ovflpoint]!; m.ovflpoint = spare; }
  if (startN >= l.nblocks) l.nblocks = startN + 1;
  const npage: HashPage = { blk: startN, flag: LH_BUCKET_PAGE, bucket: nb, prev: nb, next: INVALID_BLOCK, items: [] };
  l.pages[startN] = npage;
  const chain = bucketChain(l, ob);
  chain[0]!.prev = nb;
  // _hash_splitbucket: the old chain in order; tuples of the new bucket are copied a page's worth at a time
  let cur = npage;
  let batch: HashItem[] = [];
  const flush = () => { for (const it of batch) addTuple(cur, it); batch = []; };
  for (const p of chain) {
    for (const it of p.items) {
      if (it.dead || hashKeyToBucket(it.hash, m) !== nb) continue;
      if (freeForMultiple(cur, batch.length + 1) < (batch.length + 1) * ITEM_SIZE) { flush(); cur = addOverflowPage(l, cur); }
      batch.push({ hash: it.hash, tid: it.tid });
    }
  }
  flush();
  // hashbucketcleanup (split cleanup, at once: no one else pins the old bucket)
  bucketCleanup(l, ob, (it) => hashKeyToBucket(it.hash, m) !== ob);
}

/**
 * hashbucketcleanup: remove the bucket's tuples `kill` picks (moved by a split, or dead heap TIDs for VACUUM), page
 * by page; then, if any went, squeeze the chain. Returns how many were removed.
 */
export function bucketCleanup(l: HashLayout, bucket: number, kill: (it: HashItem) => boolean, clearDead = false): number {
  let removed = 0;
  for (const p of bucketChain(l, bucket)) {
    const keep = p.items.filter((it) => !kill(it));
    removed += p.items.length - keep.length;
    p.items = keep;
    if (clearDead) p.flag &= ~LH_PAGE_HAS_DEAD_TUPLES;
  }
  if (removed) squeezeBucket(l, bucket);
  return removed;
}

/**
 * _hash_squeezebucket: move tuples from the chain's last page to the earliest page with room, freeing each overflow
 * page emptied, until the "write" and "read" pages meet.
 */
function squeezeBucket(l: HashLayout, bucket: number): void {
  const chain = bucketChain(l, bucket);
  if (chain.length < 2) return;
  let wi = 0, ri = chain.length - 1;
  let w = chain[wi]!, r = chain[ri]!;
  for (;;) {
    let batch: HashItem[] = [];
    let moved: HashItem[] = [];
    let rescan = false;
    for (const it of r.items) {
      if (it.dead) continue;
      while (freeForMultiple(w, batch.length + 1) < (batch.length + 1) * ITEM_SIZE) {
        wi++;
        const reached = chain[wi] === r;
        if (batch.length) {
          for (const x of batch) addTuple(w, x);
          const gone = new Set(moved);
          r.items = r.items.filter((x) => !gone.has(x));
          rescan = true;
        }
        if (reached) return;
        w = chain[wi]!;
        batch = []; moved = [];
        if (rescan) break;
      }
      if (rescan) break;
      batch.push({ hash: it.hash, tid: it.tid });
      moved.push(it);
    }
    if (rescan) continue;
    // every live tuple of the read page is in the batch: it goes to the write page and the read page is freed
    for (const x of batch) addTuple(w, x);
    const prevIdx = ri - 1;
    freeOverflowPage(l, r);
    if (chain[prevIdx] === w) return;
    ri = prevIdx;
    r = chain[ri]!;
  }
}

/** A copy to replay further on (pages and items copied: replay changes them in place). */
export function copyLayout(l: HashLayout): HashLayout {
  return {
    meta: { ...l.meta, spares: l.meta.spares.slice(), mapp: l.meta.mapp.slice() },
    pages: l.pages.map((p) => p && { ...p, items: p.items.map((it) => ({ ...it })) }),
    nblocks: l.nblocks, freeBits: new Set(l.freeBits),
  };
}
