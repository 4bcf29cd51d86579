/**
 * A heap relation: an array of 8 kB pages, each a line-pointer array growing down from the header and tuples
 * growing up from the end (pd_lower / pd_upper).
 *
 * New tuples go to the relation's current target block if they fit, else to a new page at the end
 * (RelationGetBufferForTuple without a free space map: the FSM is the vacuum issue's). An UPDATE puts the new
 * version on the same page when it fits — the precondition for a HOT update.
 *
 * Mirrors: src/include/storage/bufpage.h (PageHeaderData, ItemIdData), src/backend/storage/page/bufpage.c
 * (PageAddItem), src/backend/access/heap/hio.c. Simplifications: no free space map, no visibility map yet,
 * fillfactor 100, line pointers are never reused (no vacuum yet).
 */
import { type Item, LpFlags, MAXALIGN } from './tuple.js';
import type { PageImage } from '../buffer/bufmgr.js';

export const BLCKSZ = 8192;
/** pd_flags bits */
export const PD_HAS_FREE_LINES = 0x0001;
export const PD_ALL_VISIBLE = 0x0004;
export const PAGE_HEADER = 24;
export const ITEMID_SIZE = 4;
/** MaxHeapTuplesPerPage */
export const MAX_TUPLES_PER_PAGE = 291;

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
  /** the block new tuples try first (rd_targblock) */
  targetBlock = -1;

  static fits(page: Page, len: number): boolean {
    const reuse = (page.flags & PD_HAS_FREE_LINES) !== 0;
    return (reuse || page.items.length < MAX_TUPLES_PER_PAGE) && page.upper - page.lower >= MAXALIGN(len) + (reuse ? 0 : ITEMID_SIZE);
  }

  clone(): HeapRelation {
    const h = new HeapRelation();
    h.targetBlock = this.targetBlock;
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

  /** Choose a page for a new tuple of `len` bytes (preferring `preferred`, e.g. the old version's page). */
  pageFor(len: number, preferred?: Page): Page {
    this.lastPageIsNew = false;
    if (preferred && HeapRelation.fits(preferred, len)) return preferred;
    if (this.targetBlock >= 0) {
      const t = this.pages[this.targetBlock]!;
      if (HeapRelation.fits(t, len)) return t;
    }
    const p = this.newPage();
    this.targetBlock = p.blkno;
    this.lastPageIsNew = true;
    return p;
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

export const packTid = (blk: number, off: number) => blk * 65536 + off;
export const tidBlock = (tid: number) => Math.floor(tid / 65536);
export const tidOffset = (tid: number) => tid % 65536;
export const formatTid = (blk: number, off: number) => `(${blk},${off})`;
