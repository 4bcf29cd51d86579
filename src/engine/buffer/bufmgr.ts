/**
 * Shared buffers and the "disk": every page the engine works on is a buffer in memory; the data file holds
 * the copy last written out. A buffer is dirty when its page LSN differs from the copy on disk.
 *
 * The WAL rule (FlushBuffer → XLogFlush): before a dirty page is written, the WAL must be flushed up to the
 * page's LSN — otherwise a crash could leave a page on disk whose change the log does not know, and REDO could
 * not repeat or check it. So writing a page may flush WAL first; the outcome says so.
 *
 * Who writes pages: CHECKPOINT (all dirty pages, then the checkpoint record and pg_control; see
 * checkpoint/checkpointer.ts), the background writer (a round writes up to bgwriter_lru_maxpages dirty pages) and the
 * end-of-recovery checkpoint. Pages that were never written do not exist on disk: REDO recreates them from
 * INSERT+INIT records. A torn write (a crash in the middle of writing an 8 kB page in 4 kB pieces) leaves the
 * first half new and the second half old; only a full-page image in the WAL can repair it.
 *
 * Mirrors: src/backend/storage/buffer/bufmgr.c (FlushBuffer, BufferSync, BgBufferSync), smgr/md.c.
 * Simplifications: unlimited buffers (nothing is ever evicted, so the background writer only writes when asked);
 * a page whose only change is a hint bit is not dirty (PostgreSQL marks it dirty without WAL and a checkpoint
 * writes it — here hint bits set after the last write are lost by a crash, which PostgreSQL may also do); an index
 * is one simulated page (its entries are copied as a whole); the visibility map, FSM and catalog are not paged.
 */
import type { Page } from '../heap/heap.js';
import type { Item } from '../heap/tuple.js';
import type { Table } from '../catalog/catalog.js';
import type { BtreeIndex } from '../index/btree.js';
import type { Wal } from '../wal/wal.js';
import { TidMap } from '../index/tidmap.js';

/** A page as written to disk (or held in a full-page image): never changed after it is made. */
export interface PageImage {
  lsn: number;
  lower: number;
  upper: number;
  pruneXid: number;
  flags: number;
  items: readonly Item[];
  /** a torn write left this copy half old, half new (the simulator knows; PostgreSQL without checksums does not) */
  torn?: boolean;
}

/** An index's disk copy (the simulated single leaf page). */
export interface IndexImage {
  lsn: number;
  entries: TidMap;
  nullEntries: { key: unknown[]; tid: number }[];
  count: number;
  log: BtreeIndex['log'];
  /** the laid-out pages' LSNs as written (BtreeIndex.pageLsns) */
  pageLsns?: ReadonlyMap<number, number>;
}

export const copyItem = (it: Item): Item => ({ ...it });

/** The page's current contents as an image (items copied; values arrays are shared: they are never mutated). */
export function pageImage(p: Page): PageImage {
  return { lsn: p.lsn, lower: p.lower, upper: p.upper, pruneXid: p.pruneXid, flags: p.flags, items: p.items.map(copyItem) };
}

/** A buffer read from an image (its own copies, so changing the buffer never changes the disk). */
export function pageFromImage(blkno: number, img: PageImage): Page {
  return { blkno, lsn: img.lsn, lower: img.lower, upper: img.upper, pruneXid: img.pruneXid, flags: img.flags, items: img.items.map(copyItem), torn: img.torn };
}

export function indexImage(i: BtreeIndex): IndexImage {
  return {
    lsn: i.leafLsn, entries: i.entries.clone(), nullEntries: i.nullEntries.slice(), count: i.count, log: i.log && i.log.slice(),
    pageLsns: new Map(i.pageLsns),
  };
}

export function indexFromImage(i: BtreeIndex, img: IndexImage | undefined): void {
  i.entries = new TidMap();
  i.nullEntries = [];
  i.count = 0;
  i.leafLsn = 0;
  i.log = [];
  i.pageLsns = new Map();
  i.deadTids = new Set(); // LP_DEAD hints are not WAL-logged: the image's log may keep them, the scans forget them
  if (!img) return;
  i.entries = img.entries.clone();
  i.nullEntries = img.nullEntries.slice() as BtreeIndex['nullEntries'];
  i.count = img.count;
  i.log = img.log && img.log.slice();
  i.leafLsn = img.lsn;
  if (img.pageLsns) i.pageLsns = new Map(img.pageLsns);
}

export const isPageDirty = (t: Table, p: Page): boolean => { const d = t.heap.disk[p.blkno]; return !d || d.lsn !== p.lsn || !!d.torn !== !!p.torn; };
export const isIndexDirty = (i: BtreeIndex): boolean => (i.disk ? i.disk.lsn !== i.leafLsn : i.leafLsn !== 0);

/** One dirty buffer: a heap page or an index. */
export type DirtyBuffer = { kind: 'heap'; table: Table; page: Page } | { kind: 'index'; table: Table; index: BtreeIndex };

/** Dirty buffers in the order BufferSync writes them (relation by relation, block by block). */
export function dirtyBuffers(tables: Iterable<Table>): DirtyBuffer[] {
  const out: DirtyBuffer[] = [];
  for (const t of tables) {
    for (const p of t.heap.pages) if (isPageDirty(t, p)) out.push({ kind: 'heap', table: t, page: p });
    for (const i of t.indexes) if (isIndexDirty(i)) out.push({ kind: 'index', table: t, index: i });
  }
  return out;
}

export const bufferLsn = (b: DirtyBuffer): number => (b.kind === 'heap' ? b.page.lsn : b.index.leafLsn);

/** Named outcome of writing one buffer (FlushBuffer). */
export interface WriteResult {
  outcome: 'Written' | 'WrittenAfterWalFlush' | 'Torn';
  /** the page LSN the WAL rule required on disk first */
  lsn: number;
  /** where the flush pointer was before, if the write had to flush WAL */
  flushedFrom?: number;
}

/**
 * FlushBuffer: obey the WAL rule (flush up to the page LSN), then copy the buffer to disk. With `torn`, the
 * write stops halfway: line pointers and the tuples stored in the page's first 4 kB are the new ones, the rest
 * of the page keeps what the old disk copy had there.
 */
export function writeBuffer(wal: Wal, b: DirtyBuffer, torn = false): WriteResult {
  const lsn = bufferLsn(b);
  const f = wal.flush(lsn);
  const base: WriteResult = f.outcome === 'Flushed' ? { outcome: 'WrittenAfterWalFlush', lsn, flushedFrom: f.from } : { outcome: 'Written', lsn };
  if (b.kind === 'index') { b.index.disk = indexImage(b.index); return base; }
  const img = pageImage(b.page);
  if (b.page.torn) img.torn = true; // writing a corrupt buffer keeps it corrupt
  if (torn) {
    const old = b.table.heap.disk[b.page.blkno];
    // sector-sized pieces: the first 4 kB (header, line pointers, tuples stored below 4096) reached the disk
    const items = img.items.map((it, k) => {
      if (it.lpFlags !== 1 || it.lpOff < 4096) return it;
      const was = old?.items[k];
      return was && was.lpFlags === 1 && was.lpOff === it.lpOff ? was : { ...it, values: it.values.map(() => null), xmin: 0, xmax: 0, infomask: 0 };
    });
    b.table.heap.disk[b.page.blkno] = { ...img, items, torn: true };
    return { ...base, outcome: 'Torn' };
  }
  b.table.heap.disk[b.page.blkno] = img;
  return base;
}
