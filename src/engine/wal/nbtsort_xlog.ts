/**
 * A B-tree build's WAL: CREATE INDEX, REINDEX, TRUNCATE, VACUUM FULL and a table rewrite build each index straight
 * into its new file, bottom up (index/nbtlayout.ts lays the pages out), and log every page whole — an XLOG FPI record
 * per page (_bt_blwritepage → log_newpage): 49 bytes of headers plus the page without its hole (the free space
 * between pd_lower and pd_upper). REDO restores the page from it; an index built this way needs no other record.
 *
 * The order is the order nbtsort.c finishes the pages: a page is written when the next page of its level is started
 * (after the downlink to it went to its parent, which may finish the parent first), and at the end the last page of
 * each level from the leaves up; then the metapage, block 0, always 88 bytes (its pd_lower is 72). That is the
 * tree's post-order — each page after all of its children, the leaves left to right:
 *
 *     CREATE INDEX a_id ON a (id)    -- 1000 int4 keys: leaves 1, 2, 4 and the root 3
 *     XLOG FPI  7429  blk 1 (FPW); hole: offset: 1492, length: 812      366 entries and a high key
 *     XLOG FPI  7429  blk 2 (FPW); hole: offset: 1492, length: 812
 *     XLOG FPI  5449  blk 4 (FPW); hole: offset: 1096, length: 2792     the rightmost leaf: no high key
 *     XLOG FPI   141  blk 3 (FPW); hole: offset: 36, length: 8100       the root: three downlinks
 *     XLOG FPI   137  blk 0 (FPW); hole: offset: 72, length: 8104       the metapage
 *
 * (tests/scenarios/walinspect/index-build.out.) An empty index logs its metapage only.
 *
 * Mirrors: src/backend/access/nbtree/nbtsort.c (_bt_blwritepage, _bt_buildadd, _bt_uppershutdown),
 * access/transam/xloginsert.c (log_newpage). Simplifications: an index whose pages the layout does not model
 * (an expression index, one with more entries than index/nbtlayout.ts keeps history for, key types it cannot size)
 * logs its metapage only, so positions after its build differ from PostgreSQL's; REDO does not replay these images
 * (the build writes the index to disk and syncs it, which the engine models directly: BtreeIndex.disk).
 */
import type { Engine } from '../engine.js';
import type { Session } from '../session/session.js';
import type { Table } from '../catalog/catalog.js';
import type { BtreeIndex } from '../index/btree.js';
import { indexLayout, type BtPage } from '../index/nbtlayout.js';
import { PgError } from '../errors.js';
import { tidBlock } from '../heap/heap.js';
import { WalKind } from './wal.js';

/** an XLOG FPI record of an index page: the hole of its image (the REDO side has nothing to replay) */
export interface IndexNewPagePayload { index: true; lower: number; upper: number; fork?: 'init'; node?: number }

/** log_newpage's headers: XLogRecord (24), block header (4), image header (5), RelFileNode (12), block number (4) */
const NEWPAGE_HEADERS = 49;
const PAGE = 8192;
const HEADER = 24;
const ITEMID = 4;
const BTPAGEOPAQUE = 16;
/** the metapage: BTMetaPageData ends at 72 */
const META_LOWER = 72;

/** pd_lower / pd_upper of a laid-out page: line pointers for the high key and items, the tuples from the special space down */
function bounds(p: BtPage): { lower: number; upper: number } {
  const all = p.hikey ? [p.hikey, ...p.items] : p.items;
  return { lower: HEADER + ITEMID * all.length, upper: PAGE - BTPAGEOPAQUE - all.reduce((n, t) => n + t.size, 0) };
}

/** the pages in the order the build finishes them: post-order from the root, then the metapage */
function writeOrder(pages: readonly (BtPage | undefined)[], root: number): number[] {
  const out: number[] = [];
  const visit = (blk: number) => {
    const p = pages[blk];
    if (!p) return;
    if (p.level > 0) for (const t of p.items) visit(tidBlock(t.tid));
    out.push(blk);
  };
  if (root) visit(root);
  return out;
}

/** _bt_blwritepage for every page of the index just built (the table's file as it is now). */
export function logIndexBuild(eng: Engine, s: Session, t: Table, index: BtreeIndex): void {
  if (eng.catalog.skipsWal(index.oid)) return; // a temporary or unlogged table's index: not WAL-logged
  if (index.am === 'hash') return; // hashbuild's pages are not logged as images (its records are not modelled)
  const xid = s.tx!.writeXid;
  const log = (blk: number, lower: number, upper: number) => {
    const payload: IndexNewPagePayload = { index: true, lower, upper };
    const lsn = eng.wal.insert(WalKind.XlogFpi, xid, NEWPAGE_HEADERS, index.oid, blk, 0, lower + (PAGE - upper), payload);
    if (lsn) index.pageLsns.set(blk, lsn); // log_newpage stamps the page
  };
  if (index.count > 0) {
    let layout;
    try { layout = indexLayout(index, t.types); } catch (e) { if (!(e instanceof PgError) || e.sqlstate !== '0A000') throw e; }
    if (layout) for (const blk of writeOrder(layout.pages, layout.root)) { const b = bounds(layout.pages[blk]!); log(blk, b.lower, b.upper); }
  }
  log(0, META_LOWER, PAGE - BTPAGEOPAQUE);
  eng.wal.noteBackendInsert(s.name);
}

/**
 * btbuildempty: an unlogged index's init fork gets its empty metapage, logged whole (log_newpage) even though the
 * index itself is not WAL-logged — recovery must be able to rebuild the fork it resets the index from.
 */
export function logEmptyIndexPage(eng: Engine, s: Session, index: BtreeIndex, fork: { fork: 'init' }): void {
  const payload: IndexNewPagePayload = { index: true, lower: META_LOWER, upper: PAGE - BTPAGEOPAQUE, ...fork };
  eng.wal.insert(WalKind.XlogFpi, s.tx!.writeXid, NEWPAGE_HEADERS, index.oid, 0, 0, META_LOWER + BTPAGEOPAQUE, payload);
  eng.wal.noteBackendInsert(s.name);
}

/**
 * btbuild of an empty index the engine keeps no object for — a TOAST table's index, built when the TOAST table is
 * created (create_toast_table → index_build): its metapage, logged whole, the record naming the file `node` itself.
 * An unlogged table's TOAST index logs it in its init fork (btbuildempty); a temporary one logs nothing.
 */
export function logEmptyMetapage(eng: Engine, s: Session, rel: number, node: number, fork?: 'init'): void {
  const payload: IndexNewPagePayload = { index: true, lower: META_LOWER, upper: PAGE - BTPAGEOPAQUE, node, ...(fork ? { fork } : {}) };
  eng.wal.insert(WalKind.XlogFpi, s.tx!.writeXid, NEWPAGE_HEADERS, rel, 0, 0, META_LOWER + BTPAGEOPAQUE, payload);
  eng.wal.noteBackendInsert(s.name);
}
