import { describe, it, expect } from 'vitest';
import { dedupSorted, dedupPass, swapPosting, BUILD_MAX_POSTING, PAGE_MAX_POSTING } from '../../src/engine/index/nbtdedup.js';
import { formPosting, type BtTuple, type BtPage } from '../../src/engine/index/nbtree.js';
import { btLayout, type IndexEvent } from '../../src/engine/index/nbtlayout.js';
import type { Value } from '../../src/engine/sql/types.js';
import { packTid, tidBlock, tidOffset } from '../../src/engine/heap/heap.js';

const int4 = (key: Value[]) => {
  const d = new Uint8Array(4 * key.length);
  key.forEach((v, j) => new DataView(d.buffer).setInt32(4 * j, Number(v), true));
  return { data: d, vars: false };
};
const item = (k: number, tid: number): BtTuple => ({ key: [k], tid, pivot: false, ...int4([k]), size: 16 });
const tids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => packTid(Math.floor((from + i) / 226), ((from + i) % 226) + 1));

describe('nbtdedup', () => {
  it('caps posting lists at a tenth of a page in CREATE INDEX and a sixth in a deduplication pass', () => {
    expect(BUILD_MAX_POSTING).toBe(812);
    expect(PAGE_MAX_POSTING).toBe(1356);
    const out = dedupSorted(tids(300).map((t) => item(1, t)), 1);
    expect(out.map((t) => t.tids?.length ?? 1)).toEqual([132, 132, 36]);
    expect(out[0]!.size).toBe(808);
    // t_tid of a posting list: (posting offset 16, 132 | BT_IS_POSTING)
    expect([tidBlock(out[0]!.tid), tidOffset(out[0]!.tid)]).toEqual([16, 8324]);
  });
  it('leaves distinct keys alone and merges runs only', () => {
    const out = dedupSorted([item(1, 1), item(2, 2), item(2, 3), item(3, 4)], 1);
    expect(out.map((t) => t.tids ?? [t.tid])).toEqual([[1], [2, 3], [4]]);
  });
  it('a pass over a page of one value stops after five full lists and a sixth cut short (single value strategy)', () => {
    const page: BtPage = { blk: 1, level: 0, prev: 0, next: 0, root: true, hikey: null, items: tids(1500).map((t) => item(7, t)) };
    // the intervals merged: the five full lists and the sixth (xl_btree_dedup.nintervals)
    expect(dedupPass(page, item(7, packTid(99, 1)), 1, false)).toBe(6);
    const n = page.items.map((t) => t.tids?.length ?? 1);
    expect(n.slice(0, 5)).toEqual([222, 222, 222, 222, 222]);
    expect(n[5]).toBe(168);
    expect(n.slice(6).every((x) => x === 1)).toBe(true);
  });
  it('an insertion inside a posting list\'s TID range swaps in its TID and takes the highest one', () => {
    const op = formPosting(item(5, 0), [10, 20, 30]);
    const [np, ni] = swapPosting(op, item(5, 15));
    expect(np.tids).toEqual([10, 15, 20]);
    expect(ni.tid).toBe(30);
  });
  it('a unique index is not deduplicated at build time', () => {
    const log: IndexEvent[] = [{ k: 'build', items: [1, 2, 3].map((t) => ({ key: [4], tid: t })) }];
    const l = btLayout(log, int4, { nkeyatts: 1, unique: true, dedup: true });
    expect(l.pages[1]!.items.map((t) => t.tids)).toEqual([undefined, undefined, undefined]);
  });
  it('refuses a full leaf whose insertion would first try bottom-up deletion (an UPDATE that keeps the key)', () => {
    const log: IndexEvent[] = tids(500).map((t) => ({ k: 'ins', key: [1], tid: t, unchanged: true }) as IndexEvent);
    expect(() => btLayout(log, int4, { nkeyatts: 1, unique: false, dedup: true })).toThrow(/bottom-up/);
  });
});
