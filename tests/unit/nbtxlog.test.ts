import { describe, it, expect, beforeAll } from 'vitest';
import { initParser } from '../../src/engine/sql/parser.js';
import { assemble } from '../../src/engine/wal/nbtxlog.js';
import { Engine } from '../../src/engine/engine.js';
import { indexLayout } from '../../src/engine/index/nbtlayout.js';
import { WalKind } from '../../src/engine/wal/wal.js';
import type { BtreeXlogPayload } from '../../src/engine/wal/records.js';

const none = () => null;
beforeAll(async () => { await initParser(); });

describe('XLogRecordAssemble lengths of Btree records (tests/scenarios/walinspect/btree-split.out)', () => {
  it('INSERT_LEAF: headers, the int4 tuple, xl_btree_insert', () => {
    expect(assemble([{ id: 0, blk: 1, data: 16 }], 2, none).len).toBe(64);
  });
  it('NEWROOT of an empty index: the root (no data) and the metapage with xl_btree_metadata', () => {
    expect(assemble([{ id: 0, blk: 1, data: 0, willInit: true }, { id: 2, blk: 0, data: 28, willInit: true }], 8, none).len).toBe(90);
  });
  it('NEWROOT after a split: the two downlinks of the root, the left child, the metapage', () => {
    const blocks = [{ id: 0, blk: 3, data: 24, willInit: true }, { id: 1, blk: 1, data: 0 }, { id: 2, blk: 0, data: 28, willInit: true }];
    expect(assemble(blocks, 8, none).len).toBe(122);
  });
  it('SPLIT_R of the rightmost int4 leaf: the left high key, the 42 tuples of the right page', () => {
    expect(assemble([{ id: 0, blk: 1, data: 16 }, { id: 1, blk: 2, data: 42 * 16, willInit: true }], 10, none).len).toBe(752);
  });
  it('a full-page image replaces the block data; a WILL_INIT block never takes one', () => {
    const img = () => ({ lower: 1496, upper: 2288 });
    const a = assemble([{ id: 0, blk: 1, data: 16 }, { id: 1, blk: 2, data: 672, willInit: true }], 10, img);
    expect(a.fpi).toBe(8192 - 792);
    expect(a.len).toBe(24 + 4 + 5 + 12 + 4 + 4 + 4 + 672 + 2 + 10);
    expect(a.refs).toEqual([{ id: 0, blk: 1, hole: { lower: 1496, upper: 2288 } }, { id: 1, blk: 2 }]);
  });
  it('main data past 255 bytes takes the long header', () => {
    expect(assemble([], 300, none).len).toBe(24 + 5 + 300);
  });
});

function btreeRecords(e: Engine): { type: string; desc: string }[] {
  const w = e.wal, out: { type: string; desc: string }[] = [];
  for (let i = 0; i < w.count; i++) {
    const k = w.kindOf(i);
    if (k === WalKind.BtreeInsertLeaf || k === WalKind.BtreeSplitL || k === WalKind.BtreeSplitR || k === WalKind.BtreeNewroot
      || k === WalKind.BtreeInsertUpper || k === WalKind.BtreeDedup || k === WalKind.BtreeInsertPost) {
      const p = w.payloadOf(i) as BtreeXlogPayload | undefined;
      if (k !== WalKind.BtreeInsertLeaf) out.push({ type: w.typeOf(i), desc: p?.desc ?? '' });
    }
  }
  return out;
}

describe('the records of an insertion that splits pages', () => {
  it('ascending keys: NEWROOT lev 0, then 90/10 splits of the rightmost leaf and their downlinks', () => {
    const e = new Engine({ trace: false });
    e.createSession('a');
    e.execute('a', 'CREATE TABLE t (id int PRIMARY KEY)');
    e.execute('a', 'INSERT INTO t SELECT g FROM generate_series(1, 1200) g');
    expect(btreeRecords(e)).toEqual([
      { type: 'NEWROOT', desc: 'lev 0' },
      { type: 'SPLIT_R', desc: 'level 0, firstrightoff 367, newitemoff 408, postingoff 0' },
      { type: 'NEWROOT', desc: 'lev 1' },
      { type: 'SPLIT_R', desc: 'level 0, firstrightoff 367, newitemoff 408, postingoff 0' },
      { type: 'INSERT_UPPER', desc: 'off 3' },
      { type: 'SPLIT_R', desc: 'level 0, firstrightoff 367, newitemoff 408, postingoff 0' },
      { type: 'INSERT_UPPER', desc: 'off 4' },
    ]);
  });
  it('crash recovery replays the splits: the same pages after restart', () => {
    const e = new Engine({ trace: false });
    e.createSession('a');
    e.execute('a', 'CREATE TABLE t (id int PRIMARY KEY, v int)');
    e.execute('a', 'INSERT INTO t SELECT g * 2, g FROM generate_series(1, 600) g');
    e.execute('a', 'CHECKPOINT');
    e.execute('a', 'INSERT INTO t SELECT g * 2 + 1, g FROM generate_series(1, 300) g');
    const shape = () => {
      const t = e.catalog.get('t')!;
      const l = indexLayout(t.indexes[0]!, t.types);
      return { root: l.root, level: l.level, pages: l.pages.map((p) => p && { next: p.next, level: p.level, n: p.items.length, hikey: p.hikey?.key }) };
    };
    const before = shape();
    expect(before.pages.length).toBeGreaterThan(3);
    e.crash();
    e.restart();
    expect(shape()).toEqual(before);
  });
  it('crash recovery replays deduplication and posting list splits: the same pages after restart', () => {
    const e = new Engine({ trace: false });
    e.createSession('a');
    e.execute('a', 'CREATE TABLE d (k int, v int)');
    e.execute('a', 'CREATE INDEX d_k ON d (k)');
    e.execute('a', 'INSERT INTO d SELECT g % 7, g FROM generate_series(1, 1500) g');
    e.execute('a', 'CHECKPOINT');
    e.execute('a', 'DELETE FROM d WHERE v % 3 = 0');
    e.execute('a', 'VACUUM d');
    e.execute('a', 'INSERT INTO d SELECT g % 7, g FROM generate_series(1, 1500) g');
    const kinds = new Set<string>();
    for (let i = 0; i < e.wal.count; i++) kinds.add(e.wal.typeOf(i));
    expect([...kinds].filter((k) => ['DEDUP', 'INSERT_POST', 'SPLIT_L', 'SPLIT_R', 'VACUUM'].includes(k)).sort()).toEqual(['DEDUP', 'INSERT_POST', 'SPLIT_L', 'SPLIT_R', 'VACUUM']);
    const shape = () => {
      const t = e.catalog.get('d')!;
      const l = indexLayout(t.indexes[0]!, t.types);
      return l.pages.map((p) => p && { next: p.next, items: p.items.map((x) => x.tids ?? [x.tid]) });
    };
    const before = shape();
    e.crash();
    e.restart();
    expect(shape()).toEqual(before);
  });
});
