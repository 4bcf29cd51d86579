/**
 * The WAL records of a B-tree insertion, as nbtinsert.c writes them: one record per page change, each naming the
 * blocks it touches (XLogRegisterBuffer) with the bytes REDO needs to repeat the change.
 *
 *     INSERT INTO t SELECT g FROM generate_series(1, 1200) g      -- t (id int PRIMARY KEY), empty
 *     NEWROOT      90  lev 0                                       blk 1 (the first leaf), metapage
 *     INSERT_LEAF  64  off 1 ... off 407                           the 8-byte header and the int4 key
 *     SPLIT_R     752  level 0, firstrightoff 367, newitemoff 408, postingoff 0   blk 1 (left), blk 2 (new right)
 *     NEWROOT     122  lev 1                                       blk 3 (root: two downlinks), blk 1, metapage
 *     ...
 *     SPLIT_R     752  level 0, firstrightoff 367, newitemoff 408, postingoff 0   blk 2, blk 4
 *     INSERT_UPPER 72  off 3                                       blk 3 (the root), blk 2 (the child it completes)
 *
 * (tests/scenarios/walinspect/btree-split.out.) A record's length is XLogRecordAssemble's: the record header (24),
 * for each block its header (4), the RelFileNode on the first one only (12), the block number (4) and the block's
 * data, then the main data with its header (2; 5 past 255 bytes). A block whose page was last changed before the
 * checkpoint's redo pointer carries a full-page image instead of its data (image header 5, the page without the
 * hole between pd_lower and pd_upper); a block registered REGBUF_WILL_INIT (a split's new right page, a new root,
 * the metapage of NEWROOT) never does.
 *
 *     record        main data                    blocks (data)
 *     INSERT_LEAF   offnum (2)                   0 leaf (the new tuple)
 *     INSERT_POST   offnum (2)                   0 leaf (postingoff, 2, and the original new tuple)
 *     INSERT_UPPER  offnum (2)                   0 parent (the downlink), 1 child (its split completed)
 *     SPLIT_L / _R  level, firstrightoff,        0 left (the new item when it stayed left, the new high key),
 *                   newitemoff, postingoff (10)  1 new right page (its tuples), 2 old right sibling, 3 child
 *     NEWROOT       rootblk, level (8)           0 root (its tuples), 1 left child, 2 metapage (xl_btree_metadata, 28)
 *     DEDUP         nintervals (2)               0 leaf (the intervals merged, 4 bytes each)
 *
 * What each insertion did to the pages is index/nbtlayout.ts's (Builder.last: the splits from the leaf up, the
 * downlink or the new root, a deduplication pass first). REDO (recovery/redo.ts) repeats the leaf records' insertion
 * on the modelled index, which remakes the same pages (the layout is a function of the index's history); the records
 * above the leaf only stamp the pages they name with their LSN (BtreeIndex.pageLsns, kept in the index's disk image
 * too), which decides the full-page images after recovery. VACUUM's per-leaf records are vacuum/vacuumlazy.ts's, a
 * simple deletion's DELETE index/nbtdelete.ts's (their images from the same laid-out pages).
 *
 * Mirrors: src/backend/access/nbtree/nbtinsert.c (_bt_insertonpg, _bt_split, _bt_newroot), nbtpage.c (_bt_getroot),
 * nbtdedup.c (_bt_dedup_pass), nbtxlog.c (btree_redo), rmgrdesc/nbtdesc.c (btree_desc), xloginsert.c
 * (XLogRecordAssemble). Simplifications: INSERT_META (a split of the only page of a level that is not the root, after
 * page deletion) is not written; a DEDUP record's full-page image is taken of the page after the insertion that
 * followed it when that insertion split the page (PostgreSQL's is of the page between the two); an index the layout
 * does not model (index/nbtlayout.ts: no history past LOG_CAP entries, expression indexes, key types it cannot size)
 * keeps the older single-leaf records (executor/indexinsert.ts).
 */
import type { Engine } from '../engine.js';
import type { Session } from '../session/session.js';
import type { Value } from '../sql/types.js';
import type { BtreeIndex } from '../index/btree.js';
import type { BtInsertOutcome, BtLayout } from '../index/nbtlayout.js';
import { pageBounds } from '../index/nbtree.js';
import { indexImage } from '../buffer/bufmgr.js';
import { WalKind } from './wal.js';
import type { BtBlockRef, BtreeXlogPayload } from './records.js';

const PAGE = 8192;
/** sizeof(xl_btree_metadata): version, root, level, fastroot, fastlevel, last_cleanup_num_delpages, allequalimage (padded) */
const METADATA = 28;

/** a block to register: `willInit` (REGBUF_WILL_INIT) never takes a full-page image; `data`: its block data's bytes */
export interface RegBlock { id: number; blk: number; data: number; willInit?: boolean }


/**
 * XLogRecordAssemble's length for these blocks and main data: the record's length without images, the images'
 * bytes, and which blocks carry one (with their holes). `image(blk)`: the page's bounds when it needs a full-page image.
 */
export function assemble(blocks: readonly RegBlock[], mainData: number, image: (blk: number) => { lower: number; upper: number } | null):
{ len: number; fpi: number; refs: BtBlockRef[] } {
  let len = 24, fpi = 0;
  const refs: BtBlockRef[] = [];
  blocks.forEach((b, k) => {
    len += 4 + (k === 0 ? 12 : 0) + 4;
    const img = b.willInit ? null : image(b.blk);
    if (img) {
      len += 5;
      fpi += img.lower + (PAGE - img.upper);
      refs.push({ id: b.id, blk: b.blk, hole: img });
    } else {
      len += b.data;
      refs.push({ id: b.id, blk: b.blk });
    }
  });
  len += mainData + (mainData > 255 ? 5 : 2);
  return { len, fpi, refs };
}

/** `off N`, the description of an INSERT_LEAF at offset N: one string per offset, not one per record */
const offDescs: string[] = [];
const offDesc = (off: number) => offDescs[off] ??= `off ${off}`;

/**
 * logBtreeInsert's common case, an item added to its leaf with no split, dedup pass or posting list split: the one
 * INSERT_LEAF record its general path below would write (the same length, image, payload and columns), without
 * the closures and block lists per row.
 */
function logInsertLeaf(w: Engine['wal'], xid: number, index: BtreeIndex, vals: Value[], heapBlk: number, heapOff: number,
  out: BtInsertOutcome, layout: BtLayout): number {
  const blk = out.leaf;
  const p = layout.pages[blk];
  const img = p && w.needsFpi(index.pageLsns.get(blk) ?? index.leafLsn) ? pageBounds(p) : null;
  // assemble() for one block (id 0, the item as its data) and 2 bytes of main data
  let len = 24 + 4 + 12 + 4, fpi = 0;
  let refs: BtBlockRef[];
  if (img) { len += 5; fpi = img.lower + (PAGE - img.upper); refs = [{ id: 0, blk, hole: img }]; } else { len += out.itemSize; refs = [{ id: 0, blk }]; }
  len += 2 + 2;
  const payload: BtreeXlogPayload = { desc: offDesc(out.off), refs };
  payload.values = vals;
  if (fpi) payload.image = indexImage(index); // REDO restores the index whatever is on disk
  const lsn = w.insert(WalKind.BtreeInsertLeaf, xid, len, index.oid, blk, out.off, fpi, payload);
  if (lsn === 0) return 0; // a temporary table's index
  const ri = w.count - 1;
  w.hx.ensure(ri + 1); w.hx.nBlk[ri] = heapBlk; w.hx.nOff[ri] = heapOff;
  index.pageLsns.set(blk, lsn);
  if (payload.image) payload.image.lsn = lsn;
  return lsn;
}

/**
 * Write the records of the insertion just made (`out`, the pages as they are now in `layout`) of the entry for
 * heap tuple (heapBlk, heapOff) with these heap row values. Returns the last record's end (0: not WAL-logged).
 */
export function logBtreeInsert(eng: Engine, s: Session, index: BtreeIndex, vals: Value[], heapBlk: number, heapOff: number,
  out: BtInsertOutcome, layout: BtLayout): number {
  const w = eng.wal, xid = s.tx!.writeXid;
  const lsns = index.pageLsns;
  if (!out.rootCreated && !out.dedup && !out.splits.length && !out.postingoff) return logInsertLeaf(w, xid, index, vals, heapBlk, heapOff, out, layout);
  const page = (blk: number) => layout.pages[blk];
  const needs = (blk: number) => w.needsFpi(lsns.get(blk) ?? index.leafLsn);
  let last = 0;
  const emit = (kind: WalKind, blocks: RegBlock[], mainData: number, desc: string, off = 0, leafValues = false,
    image: (blk: number) => { lower: number; upper: number } | null = (blk) => {
      const p = page(blk);
      return p && needs(blk) ? pageBounds(p) : null;
    }) => {
    const a = assemble(blocks, mainData, image);
    const payload: BtreeXlogPayload = { desc, refs: a.refs };
    if (leafValues) {
      payload.values = vals;
      if (a.fpi) payload.image = indexImage(index); // REDO restores the index whatever is on disk
    }
    const lsn = w.insert(kind, xid, a.len, index.oid, blocks[0]!.blk, off, a.fpi, payload);
    if (lsn === 0) return; // a temporary table's index
    const ri = w.count - 1;
    if (leafValues) { w.hx.ensure(ri + 1); w.hx.nBlk[ri] = heapBlk; w.hx.nOff[ri] = heapOff; }
    for (const b of blocks) lsns.set(b.blk, lsn);
    if (payload.image) payload.image.lsn = lsn;
    last = lsn;
  };
  if (out.rootCreated) emit(WalKind.BtreeNewroot, [{ id: 0, blk: out.leaf, data: 0, willInit: true }, { id: 2, blk: 0, data: METADATA, willInit: true }], 8, 'lev 0');
  if (out.dedup) {
    const { blk, nintervals } = out.dedup;
    // the page as the pass left it: without the new item when no split followed
    const dimg = (b: number) => {
      const p = page(b);
      if (!p || !needs(b)) return null;
      const r = pageBounds(p);
      return out.splits.length ? r : { lower: r.lower - 4, upper: r.upper + out.itemSize };
    };
    emit(WalKind.BtreeDedup, [{ id: 0, blk, data: 4 * nintervals }], 2, `nintervals ${nintervals}`, 0, false, dimg);
  }
  if (!out.splits.length) {
    if (out.postingoff) emit(WalKind.BtreeInsertPost, [{ id: 0, blk: out.leaf, data: 2 + out.itemSize }], 2, `off ${out.off}`, out.off, true);
    else emit(WalKind.BtreeInsertLeaf, [{ id: 0, blk: out.leaf, data: out.itemSize }], 2, `off ${out.off}`, out.off, true);
    return last;
  }
  for (const sp of out.splits) {
    const blocks: RegBlock[] = [
      { id: 0, blk: sp.left, data: (sp.newitemonleft || sp.postingoff ? sp.newitemSize : 0) + sp.lefthikeySize },
      { id: 1, blk: sp.right, data: sp.rightBytes, willInit: true },
    ];
    if (sp.sibling) blocks.push({ id: 2, blk: sp.sibling, data: 0 });
    if (sp.level > 0) blocks.push({ id: 3, blk: sp.child, data: 0 });
    emit(sp.newitemonleft ? WalKind.BtreeSplitL : WalKind.BtreeSplitR, blocks, 10,
      `level ${sp.level}, firstrightoff ${sp.firstrightoff}, newitemoff ${sp.newitemoff}, postingoff ${sp.postingoff}`, 0, sp.level === 0);
  }
  if (out.upper) {
    const u = out.upper;
    emit(WalKind.BtreeInsertUpper, [{ id: 0, blk: u.blk, data: u.size }, { id: 1, blk: u.child, data: 0 }], 2, `off ${u.off}`, u.off);
  } else if (out.newroot) {
    const r = out.newroot;
    emit(WalKind.BtreeNewroot, [{ id: 0, blk: r.blk, data: r.rootBytes, willInit: true }, { id: 1, blk: r.left, data: 0 },
      { id: 2, blk: 0, data: METADATA, willInit: true }], 8, `lev ${r.level}`);
  }
  return last;
}
