/**
 * A heap relation: an array of 8 kB pages, each a line-pointer array growing down from the header and tuples
 * growing up from the end (pd_lower / pd_upper).
 *
 * New tuples go to the relation's current target block if they fit; otherwise to the first block the free space
 * map says has room (VACUUM fills the map, and forgets the target block: the relation's cache entry is rebuilt);
 * with an empty map to the last block, else to a new page at the end (RelationGetBufferForTuple). An UPDATE puts
 * the new version on the same page when it fits — the precondition for a HOT update; when it does not, the page is
 * marked PD_PAGE_FULL, a hint for readers to prune it (vacuum/pruneheap.ts).
 *
 * Worked example (engine; tests/truth/seed.steps.json records the same kind of HOT update with pageinspect).
 * CREATE TABLE accounts (id int PRIMARY KEY, balance int); INSERT (1, 100), (2, 200) — one transaction, xid 724;
 * then UPDATE accounts SET balance = 90 WHERE id = 1 (xid 725, HOT: no indexed column changed, room on the page):
 *
 *     block 0   pd_lsn 0/01500358  pd_lower 36  pd_upper 8096  pd_prune_xid 725
 *     ┌────────────┬──────┬──────┬──────┬──────── free ────────┬───────────┬───────────┬───────────┐
 *     │ header 24B │ lp 1 │ lp 2 │ lp 3 │                       │ (1, 90)   │ (2, 200)  │ (1, 100)  │
 *     └────────────┴──────┴──────┴──────┴───────────────────────┴───────────┴───────────┴───────────┘
 *                   │      │      └─ off 8096 ──────────────────┘ 8096       8128        8160 ─ 8192
 *     lp 1 (0,1)  t_xmin 724  t_xmax 725  t_ctid (0,3)  HEAP_HOT_UPDATED       ─┐ a HOT chain: the index
 *     lp 3 (0,3)  t_xmin 725  t_xmax 0    t_ctid (0,3)  HEAP_ONLY_TUPLE        ◄┘ still says 1 → (0,1)
 *     lp 2 (0,2)  t_xmin 724  t_xmax 0    t_ctid (0,2)  (its own TID: the latest version)
 *
 * Each line pointer is 4 bytes (pd_lower = 24 + 4 × 3 = 36); each 32-byte tuple (23-byte header + padding + two
 * int4) is placed below the previous one (pd_upper 8192 − 3 × 32 = 8096). A reader coming from the index to (0,1)
 * follows t_ctid to (0,3). Line pointers are reused: once VACUUM has made one LP_UNUSED (vacuum/vacuum.ts), the
 * next insert on the page takes it (PageAddItem, PD_HAS_FREE_LINES) before growing the array.
 *
 * Mirrors: src/include/storage/bufpage.h (PageHeaderData, ItemIdData), src/backend/storage/page/bufpage.c
 * (PageAddItem, PageGetHeapFreeSpace), src/backend/access/heap/hio.c, storage/freespace (the FSM as a list of
 * bytes per block, pg_freespace() shows their 32-byte categories). The visibility map is heap/visibilitymap.ts.
 * Simplifications: the FSM is searched from block 0 (PostgreSQL's tree starts at a moving fp_next_slot), one
 * target block per relation rather than per backend.
 *
 * fillfactor (a storage parameter: CREATE TABLE ... WITH (fillfactor = 50), ALTER TABLE ... SET) keeps
 * BLCKSZ * (100 - fillfactor) / 100 bytes free on each page for new tuples (RelationGetTargetPageFreeSpace), but an
 * UPDATE may still use that room on the old version's page — which is what makes room for HOT updates:
 *
 *     fillfactor 10, rows of 232 bytes:  page 0 takes 3 rows (7460 bytes left < 232 + 7372 kept free), row 4 goes
 *     to page 1; an UPDATE of row 1 still fits on page 0 and becomes a heap-only tuple there.
 */
import { type Item, LpFlags, MAXALIGN } from './tuple.js';
import type { PageImage } from '../buffer/bufmgr.js';

export const BLCKSZ = 8192;
/** pd_flags bits */
export const PD_HAS_FREE_LINES = 0x0001;
/** an UPDATE found no room on this page for the new version: a hint that the page could use pruning */
export const PD_PAGE_FULL = 0x0002;
export const PD_ALL_VISIBLE = 0x0004;
export const PAGE_HEADER = 24;
export const ITEMID_SIZE = 4;
/** MaxHeapTuplesPerPage */
export const MAX_TUPLES_PER_PAGE = 291;
/** MaxHeapTupleSize: BLCKSZ - MAXALIGN(SizeOfPageHeaderData + sizeof(ItemIdData)) */
export const MAX_HEAP_TUPLE_SIZE = BLCKSZ - 32;

export interface Page {
  blkno: number;
  /** pd_lsn: end of the last WAL record that changed this page (0 = never logged) */
  lsn: number;
  lower: number;
  upper: number;
  pruneXid: number;
  flags: number;
  items: Item[];
  /** the buffer was read from a torn disk copy that no full-page image has repaired: its contents are garbage */
  torn?: boolean;
}

export class HeapRelation {
  /** shared buffers: the pages as the engine works on them */
  pages: Page[] = [];
  /** the data file: each block as last written (by a checkpoint or the background writer); absent = never written */
  disk: (PageImage | undefined)[] = [];
  /** the block new tuples try first (rd_targblock): forgotten when the relation's cache entry is rebuilt */
  targetBlock = -1;
  /** the free space map: room per block as VACUUM (or a page found full) last recorded it; empty until then */
  fsm = new Map<number, number>();
  /** at least the most room any block of the map records (recordFreeSpace raises it; never lowered): a search for
   *  more than that can stop before walking the blocks */
  fsmMax = 0;
  /** the fillfactor storage parameter (10..100): new tuples leave BLCKSZ * (100 - fillfactor) / 100 bytes free */
  fillfactor = 100;
  /** pages of the free space map fork: 0 = no fork yet, 3 once a block's room is recorded (a table under ~4000 blocks) */
  fsmPages = 0;
  /**
   * The map's pages are as VACUUM left them (FreeSpaceMapVacuum): the upper levels agree with the leaves and every
   * page's fp_next_slot hint is 0. An insert that searches or updates the map moves hints the engine does not keep.
   */
  fsmAsVacuumLeft = false;
  /** the visibility map (heap/visibilitymap.ts): per block VISIBILITYMAP_ALL_VISIBLE | VISIBILITYMAP_ALL_FROZEN */
  vm = new Map<number, number>();
  /** the visibility map fork exists (VACUUM creates it when it pins the map page of a block) */
  vmExists = false;

  /** Room a new tuple of `len` bytes needs on a page other than its old version's (hio.c: targetFreeSpace). */
  fitsNew(page: Page, len: number): boolean {
    if (this.fillfactor >= 100) return HeapRelation.fits(page, len);
    const save = Math.floor((BLCKSZ * (100 - this.fillfactor)) / 100);
    const aligned = MAXALIGN(len);
    const nearlyEmpty = MAX_HEAP_TUPLE_SIZE - Math.floor(MAX_TUPLES_PER_PAGE / 8) * ITEMID_SIZE;
    const target = aligned + save > nearlyEmpty ? Math.max(aligned, nearlyEmpty) : aligned + save;
    return HeapRelation.freeSpace(page) >= target;
  }

  static fits(page: Page, len: number): boolean {
    const reuse = (page.flags & PD_HAS_FREE_LINES) !== 0;
    return (reuse || page.items.length < MAX_TUPLES_PER_PAGE) && page.upper - page.lower >= MAXALIGN(len) + (reuse ? 0 : ITEMID_SIZE);
  }

  clone(): HeapRelation {
    const h = new HeapRelation();
    h.targetBlock = this.targetBlock;
    h.fillfactor = this.fillfactor;
    h.fsm = new Map(this.fsm);
    h.fsmMax = this.fsmMax;
    h.fsmPages = this.fsmPages;
    h.fsmAsVacuumLeft = this.fsmAsVacuumLeft;
    h.vm = new Map(this.vm);
    h.vmExists = this.vmExists;
    h.disk = this.disk.slice(); // disk images are never changed in place
    h.pages = this.pages.map((p) => ({ ...p, items: p.items.map((it) => ({ ...it })) }));
    return h;
  }

  newPage(): Page {
    const p = emptyPage(this.pages.length);
    this.pages.push(p);
    return p;
  }

  /** set by pageFor: whether the page it returned was just added */
  lastPageIsNew = false;

  /** PageGetHeapFreeSpace: room for one more tuple, its line pointer included (what the FSM records). */
  static freeSpace(page: Page): number {
    const space = page.upper - page.lower;
    if (space < ITEMID_SIZE) return 0;
    if (page.items.length >= MAX_TUPLES_PER_PAGE && !(page.flags & PD_HAS_FREE_LINES)) return 0;
    return space - ITEMID_SIZE;
  }

  /**
   * RelationGetBufferForTuple: a page for a new tuple of `len` bytes — `preferred` (the old version's page, for an
   * UPDATE), else the target block, else what the free space map knows (the first block with room, by its
   * 32-byte categories), else the last block; a page found too small has its room recorded in the map
   * (RecordAndGetPageWithFreeSpace, which creates the FSM fork) and the map is asked again; at the end a new block.
   */
  pageFor(len: number, preferred?: Page): Page {
    this.lastPageIsNew = false;
    if (preferred && HeapRelation.fits(preferred, len)) return preferred;
    let target = this.targetBlock;
    let tried: Set<number> | null = null; // the blocks found too full (made when the first one is)
    if (target < 0) target = this.searchFreeSpace(len, tried);
    if (target < 0 && this.pages.length) target = this.pages.length - 1; // the FSM knows nothing: try the last page
    while (target >= 0) {
      const p = this.pages[target]!;
      this.targetBlock = target;
      if (this.fitsNew(p, len)) return p;
      this.recordFreeSpace(target, HeapRelation.freeSpace(p));
      this.fsmAsVacuumLeft = false; // RecordAndGetPageWithFreeSpace: the leaf only, the upper levels lag
      (tried ??= new Set()).add(target);
      target = this.searchFreeSpace(len, tried);
    }
    const p = this.newPage();
    this.targetBlock = p.blkno;
    this.lastPageIsNew = true;
    return p;
  }

  /**
   * fsm_search: the first block whose recorded category covers the request — the tuple plus the room fillfactor
   * keeps free (targetFreeSpace) — leaving out the blocks this insert already found too full.
   */
  private searchFreeSpace(len: number, tried: ReadonlySet<number> | null): number {
    if (!this.fsm.size) return -1;
    this.fsmAsVacuumLeft = false; // fsm_search_avail moves fp_next_slot
    const save = this.fillfactor >= 100 ? 0 : Math.floor((BLCKSZ * (100 - this.fillfactor)) / 100);
    const need = Math.ceil((MAXALIGN(len) + save) / 32);
    if (fsmCategory(this.fsmMax) < need) return -1; // (no block can have the room: the walk below would find none)
    for (let b = 0; b < this.pages.length; b++) {
      const avail = this.fsm.get(b);
      if (avail === undefined || fsmCategory(avail) < need || tried?.has(b)) continue;
      return b;
    }
    return -1;
  }

  /** RecordPageWithFreeSpace: the map keeps the room as a category of 32 bytes; the fork has 3 pages for a small table. */
  recordFreeSpace(blk: number, avail: number): void {
    this.fsm.set(blk, avail);
    if (avail > this.fsmMax) this.fsmMax = avail;
    if (this.fsmPages < 3) this.fsmPages = 3; // (a map truncated to its upper pages grows its leaf again)
  }

  /** PageAddItem: append a line pointer and place the tuple below pd_upper. Returns the offset number (1-based). */
  static addItem(page: Page, item: Item): number {
    const size = MAXALIGN(item.lpLen);
    page.upper -= size;
    item.lpOff = page.upper;
    item.lpFlags = LpFlags.NORMAL;
    if (page.flags & PD_HAS_FREE_LINES) {
      // reuse the first unused line pointer (PageAddItem), as vacuum left some
      const i = page.items.findIndex((it) => it.lpFlags === LpFlags.UNUSED);
      if (i >= 0) { page.items[i] = item; return i + 1; }
      page.flags &= ~PD_HAS_FREE_LINES;
    }
    page.lower += ITEMID_SIZE;
    page.items.push(item);
    return page.items.length;
  }

  item(blk: number, off: number): Item | undefined {
    return this.pages[blk]?.items[off - 1];
  }

  get tupleCount(): number {
    let n = 0;
    for (const p of this.pages) n += p.items.length;
    return n;
  }
}

/** PageInit: an empty page (no line pointers, pd_lower right after the header, pd_upper at the end). */
export function emptyPage(blkno: number): Page {
  return { blkno, lsn: 0, lower: PAGE_HEADER, upper: BLCKSZ, pruneXid: 0, flags: 0, items: [] };
}

/** fsm_space_avail_to_cat: the map stores room in steps of BLCKSZ / 256 = 32 bytes (255: a whole page's worth) */
export function fsmCategory(avail: number): number {
  if (avail >= 8164) return 255; // MaxFSMRequestSize
  return Math.min(254, Math.floor(avail / 32));
}

export const packTid = (blk: number, off: number) => blk * 65536 + off;
export const tidBlock = (tid: number) => Math.floor(tid / 65536);
export const tidOffset = (tid: number) => tid % 65536;
export const formatTid = (blk: number, off: number) => `(${blk},${off})`;
