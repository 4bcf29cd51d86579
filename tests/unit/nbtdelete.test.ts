import { describe, it, expect } from 'vitest';
import { btLayout, type IndexEvent } from '../../src/engine/index/nbtlayout.js';
import { btreeOptionsOf, applyRelOptions } from '../../src/engine/catalog/reloptions.js';
import type { Value } from '../../src/engine/sql/types.js';
import { packTid } from '../../src/engine/heap/heap.js';

const int4 = (key: Value[]) => {
  const d = new Uint8Array(4 * key.length);
  key.forEach((v, j) => new DataView(d.buffer).setInt32(4 * j, Number(v), true));
  return { data: d, vars: false };
};
const opt = { nkeyatts: 1, unique: false, dedup: true };
const built = (keys: number[]): IndexEvent => ({ k: 'build', items: keys.map((k, i) => ({ key: [k], tid: packTid(0, i + 1) })).sort((a, b) => a.key[0]! as number - (b.key[0]! as number) || a.tid - b.tid) });

describe('LP_DEAD marks (_bt_killitems)', () => {
  it('marks plain items and sets BTP_HAS_GARBAGE on their leaf', () => {
    const l = btLayout([built([1, 2, 3]), { k: 'kill', tids: [packTid(0, 2)] }], int4, opt);
    const leaf = l.pages[1]!;
    expect(leaf.items.map((t) => t.dead === true)).toEqual([false, true, false]);
    expect(leaf.garbage).toBe(true);
  });
  it('marks a posting list only when every one of its TIDs was found dead', () => {
    const log: IndexEvent[] = [built([5, 5, 5, 6, 6]), { k: 'kill', tids: [packTid(0, 1), packTid(0, 2), packTid(0, 4)] }];
    expect(btLayout(log, int4, opt).pages[1]!.items.map((t) => t.dead === true)).toEqual([false, false]);
    log.push({ k: 'kill', tids: [packTid(0, 3)] });
    // the second scan killed the last TID only: the list is marked only when one scan saw all of it dead
    expect(btLayout(log, int4, opt).pages[1]!.items.map((t) => t.dead === true)).toEqual([false, false]);
    log.push({ k: 'kill', tids: [packTid(0, 1), packTid(0, 2), packTid(0, 3)] });
    expect(btLayout(log, int4, opt).pages[1]!.items.map((t) => t.dead === true)).toEqual([true, false]);
  });
  it('simple deletion removes the entries (a posting list keeps its other TIDs) and clears BTP_HAS_GARBAGE', () => {
    const log: IndexEvent[] = [built([5, 5, 5, 6]), { k: 'kill', tids: [packTid(0, 4)] }, { k: 'sdel', tids: new Set([packTid(0, 4), packTid(0, 2)]) }];
    const leaf = btLayout(log, int4, opt).pages[1]!;
    expect(leaf.items.map((t) => t.tids ?? [t.tid])).toEqual([[packTid(0, 1), packTid(0, 3)]]);
    expect(leaf.garbage).toBe(false);
  });
});

describe('B-tree storage parameters', () => {
  it('default to fillfactor 90 and deduplication on; are checked as btoptions checks them', () => {
    expect(btreeOptionsOf(undefined)).toEqual({ fillfactor: 90, dedup: true });
    const { options } = applyRelOptions(undefined, [{ DefElem: { defname: 'fillfactor', arg: { Integer: { ival: 70 } } } }, { DefElem: { defname: 'deduplicate_items', arg: { String: { sval: 'off' } } } }], false, 'btree');
    expect(options).toEqual(['fillfactor=70', 'deduplicate_items=off']);
    expect(btreeOptionsOf(options)).toEqual({ fillfactor: 70, dedup: false });
    expect(() => applyRelOptions(undefined, [{ DefElem: { defname: 'autovacuum_enabled' } }], false, 'btree')).toThrow(/unrecognized parameter/);
  });
  it('a bulk load leaves each leaf fillfactor full', () => {
    const keys = Array.from({ length: 1000 }, (_, i) => i);
    // bt_page_stats' live_items of the first leaf: its items and its high key (as tests/scenarios/btree/reloptions.out)
    const per = (ff: number) => { const p = btLayout([built(keys)], int4, { ...opt, fillfactor: ff }).pages[1]!; return p.items.length + (p.hikey ? 1 : 0); };
    expect(per(90)).toBe(367);
    expect(per(70)).toBe(285);
  });
});
