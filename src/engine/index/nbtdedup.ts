/**
 * Deduplication (PostgreSQL 13+): equal keys in a B-tree leaf are merged into one posting-list tuple — the key once,
 * then the heap TIDs in order — so an index over a low-cardinality column takes a fraction of the space.
 *
 *     CREATE INDEX ON t (status);                    -- 10 000 rows, 3 values: 20 leaf pages become 4 or 5
 *     SELECT itemoffset, ctid, itemlen, htid, tids FROM bt_page_items('t_status_idx', 1);
 *       -- 2 | (16,8324) | 808 | (0,1) | {"(0,1)","(0,2)",…}        ctid: (posting offset, 132 TIDs | 0x2000)
 *
 * When it happens:
 *   - CREATE INDEX (nbtsort.c) on a non-unique index: runs of equal keys become posting lists of up to 812 bytes
 *     (a tenth of a page less a line pointer: 132 TIDs for an int4 key).
 *   - An insertion into a full leaf (_bt_dedup_pass): before splitting the page, its equal neighbours are merged into
 *     posting lists of up to 1356 bytes (half of BTMaxItemSize: 222 TIDs for int4); the page splits only when that
 *     did not free room for the new item. When the new item equals both the page's first and last item the page holds
 *     one value ("single value" strategy): posting lists stop after five full ones and a sixth cut to leave the page
 *     96 % full, the split that follows leaves the left half that full too.
 *   - A unique index is never deduplicated at build time, and in a full leaf only after a bottom-up deletion pass
 *     (old versions of the same key, dead to everyone, removed first) did not free enough room — the version churn
 *     case of an UPDATE that changes no key or a key re-inserted while its old version still has an entry.
 *   - Only for an index whose every key column's equal values are byte-for-byte equal (allequalimage: integers, text
 *     in a deterministic collation, ... — not numeric, not floats), with deduplicate_items on (the default).
 *
 * An insertion whose heap TID falls inside an existing posting list's range splits that list: the new TID takes its
 * place in the list and the list's highest TID moves into the new item, which goes right after it (_bt_swap_posting).
 *
 * Mirrors: src/backend/access/nbtree/nbtdedup.c (_bt_dedup_pass, _bt_dedup_start_pending, _bt_dedup_save_htid,
 * _bt_dedup_finish_pending, _bt_do_singleval, _bt_singleval_fillfactor, _bt_form_posting, _bt_swap_posting),
 * nbtsort.c (_bt_load's deduplicating loop). Simplified: the pass works on the page's item list, not its bytes.
 */
import type { BtPage, BtTuple } from './nbtree.js';
import { BT_MAX_ITEM_SIZE, SPACE, ITEMID, keySize, keepNatts, heapTids, formPosting } from './nbtree.js';
import { MAXALIGN } from '../heap/tuple.js';

/** _bt_load: a posting list built by CREATE INDEX is at most a tenth of a page, less a line pointer */
export const BUILD_MAX_POSTING = Math.floor((8192 * 10) / 100 / 8) * 8 - ITEMID;
/** _bt_dedup_pass: at most a sixth of a page (half of BTMaxItemSize) */
export const PAGE_MAX_POSTING = Math.min(BT_MAX_ITEM_SIZE / 2, 0x1fff);
const SINGLEVAL_FF = 96;

/** BTDedupState: the pending posting list */
class Pending {
  base: BtTuple | null = null;
  tids: number[] = [];
  nitems = 0;
  basetupsize = 0;
  /** maxpostingsize-capped tuples formed or seen (single value strategy) */
  nmaxitems = 0;
  nintervals = 0;
  constructor(public maxpostingsize: number) {}

  /** _bt_dedup_start_pending */
  start(base: BtTuple): void {
    this.base = base;
    this.tids = heapTids(base).slice();
    this.basetupsize = keySize(base);
    this.nitems = 1;
  }
  /** _bt_dedup_save_htid: false when merging would make the posting list too big */
  save(t: BtTuple): boolean {
    const n = heapTids(t);
    if (MAXALIGN(this.basetupsize + (this.tids.length + n.length) * 6) > this.maxpostingsize) {
      if (this.tids.length > 50) this.nmaxitems++;
      return false;
    }
    this.nitems++;
    this.tids.push(...n);
    return true;
  }
  /** _bt_dedup_finish_pending: the base as it was, or a new posting list */
  finish(): BtTuple {
    const out = this.nitems === 1 ? this.base! : formPosting(this.base!, this.tids);
    if (this.nitems > 1) this.nintervals++;
    this.base = null; this.tids = []; this.nitems = 0;
    return out;
  }
}

/** nbtsort.c: CREATE INDEX merging runs of equal keys (the items sorted) into posting lists */
export function dedupSorted(items: BtTuple[], nkeyatts: number): BtTuple[] {
  const out: BtTuple[] = [];
  const st = new Pending(BUILD_MAX_POSTING);
  for (const it of items) {
    if (!st.base) st.start(it);
    else if (!(keepNatts(st.base.key, it.key) > nkeyatts && st.save(it))) { out.push(st.finish()); st.start(it); }
  }
  if (st.base) out.push(st.finish());
  return out;
}

/**
 * _bt_dedup_pass: merge the full leaf's equal neighbours into posting lists; false when nothing was merged (the page
 * is left as it was), else the number of intervals merged (xl_btree_dedup.nintervals). `bottomup`: the pass after a
 * failed bottom-up deletion (no single value strategy).
 */
export function dedupPass(p: BtPage, newitem: BtTuple, nkeyatts: number, bottomup: boolean): number {
  const items = p.items;
  if (!items.length) return 0;
  const st = new Pending(PAGE_MAX_POSTING);
  // PostgreSQL 15 passes the new item's size without its line pointer (later releases add it here)
  const newitemsz = newitem.size;
  let dedup = true;
  // _bt_do_singleval: the new item equals both the first and the last item
  let singleval = !bottomup && keepNatts(newitem.key, items[0]!.key) > nkeyatts && keepNatts(newitem.key, items[items.length - 1]!.key) > nkeyatts;
  const out: BtTuple[] = [];
  items.forEach((it, i) => {
    if (i === 0) { st.start(it); return; }
    if (dedup && keepNatts(st.base!.key, it.key) > nkeyatts && st.save(it)) return;
    out.push(st.finish());
    if (singleval) {
      if (st.nmaxitems === 5) {
        // _bt_singleval_fillfactor: the sixth list leaves the left half of the coming split 96 % full
        const leftfree = SPACE - newitemsz - 8;
        const reduction = Math.trunc(leftfree * ((100 - SINGLEVAL_FF) / 100));
        st.maxpostingsize = st.maxpostingsize > reduction ? st.maxpostingsize - reduction : 0;
      } else if (st.nmaxitems === 6) { dedup = false; singleval = false; }
    }
    st.start(it);
  });
  out.push(st.finish());
  if (st.nintervals === 0) return 0;
  p.items = out;
  return st.nintervals;
}

/**
 * _bt_swap_posting: the new item's heap TID falls inside posting list `op`: the list gets the new TID in order and
 * gives up its highest, which the new item takes. Returns [the new list, the new item].
 */
export function swapPosting(op: BtTuple, nt: BtTuple): [BtTuple, BtTuple] {
  const tids = op.tids!.slice();
  const max = tids[tids.length - 1]!;
  let at = tids.findIndex((t) => t > nt.tid);
  if (at < 0) at = tids.length - 1;
  tids.splice(at, 0, nt.tid);
  tids.pop();
  return [formPosting(op, tids), { ...nt, tid: max }];
}
