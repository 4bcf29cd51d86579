/**
 * What a WAL record carries for REDO (its payload), by resource manager — the engine's counterpart of the
 * xl_heap_insert / xl_heap_update / xl_btree_insert / xl_xact_commit structs and their block data.
 *
 * Heap records carry the after-image of each line pointer they changed (a copy of the tuple header and its
 * values) and the page header fields after the change; REDO puts them back on a page that is older than the
 * record (heap_xlog_insert and friends do the same from the struct fields). A record that is the first change of
 * its page since the checkpoint also carries the full-page image (the page as it was right after the change:
 * XLogInsert copies the already-changed buffer). Pruning and vacuum records carry the page's line pointers after
 * the operation (PostgreSQL logs the offsets and repeats the pruning; the result is the same).
 *
 * Mirrors: src/include/access/heapam_xlog.h, nbtxlog.h, xact.h, sequence.h; xloginsert.c (XLogRegisterBuffer with
 * REGBUF_STANDARD, the FPI decision). Simplifications: payloads are engine objects, not bytes; the lengths shown
 * for records are PostgreSQL's, not these objects' sizes.
 */
import type { Page } from '../heap/heap.js';
import type { Item } from '../heap/tuple.js';
import type { Value } from '../sql/types.js';
import { type PageImage, copyItem, pageImage } from '../buffer/bufmgr.js';

/** A heap page change: [offset, after-image] pairs, the header after it, and the full-page image if any. */
export interface HeapChange {
  blk: number;
  /** offsets and their line pointers after the change, flattened: off, item, off, item… */
  items: (number | Item)[];
  lower: number;
  upper: number;
  pruneXid: number;
  flags: number;
  /** XLOG_HEAP_INIT_PAGE: the page was new; REDO starts from an empty page */
  init?: true;
  /** every line pointer of the page after the change (pruning, vacuum, freezing) */
  all?: readonly Item[];
  /** the full-page image (first change of the page after a checkpoint, full_page_writes = on) */
  fpi?: PageImage;
}
/** A heap record: its own page, and for an UPDATE to another page that page too (the second block reference). */
export interface HeapPayload { main: HeapChange; other?: HeapChange }

export interface BtreeInsertPayload { values: Value[]; tid: number }
export interface BtreeVacuumPayload { deadTids: ReadonlySet<number> }
export interface XactPayload { subXids: number[] }
export interface SequencePayload { lastValue: number; isCalled: boolean }
export interface CheckpointPayload { redo: number; nextXid: number; nextMulti: number; fullPageWrites: boolean }

/** The change to one heap page as a record carries it: the listed offsets' after-images and the header. */
export function heapChange(page: Page, offs: number[], opts: { init?: boolean; fpi?: boolean; all?: boolean } = {}): HeapChange {
  const items: (number | Item)[] = [];
  if (!opts.all) for (const off of offs) items.push(off, copyItem(page.items[off - 1]!));
  const c: HeapChange = { blk: page.blkno, items, lower: page.lower, upper: page.upper, pruneXid: page.pruneXid, flags: page.flags };
  if (opts.init) c.init = true;
  if (opts.all) c.all = page.items.map(copyItem);
  if (opts.fpi) c.fpi = pageImage(page);
  return c;
}
