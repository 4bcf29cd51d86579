import { describe, it, expect } from 'vitest';
import { hashTableOrder, tableSize } from '../../src/engine/executor/execGrouping.js';

// The rules of simplehash's layout; the orders PostgreSQL returns are checked by tests/scenarios/plan/hashagg.spec.
describe('the HashAggregate table (executor/execGrouping.ts)', () => {
  it('is sized for the estimate over the fill factor 0.9, to a power of two', () => {
    expect(tableSize(200)).toBe(256);
    expect(tableSize(2260)).toBe(4096);
    expect(tableSize(4)).toBe(4);
    expect(tableSize(1)).toBe(2);
  });
  it('walks its slots backwards from the first free one (the module doc\'s example)', () => {
    expect(hashTableOrder([3, 17, 200], 200)).toEqual([2, 1, 0]); // slots 200, 17, 3
  });
  it('a collision takes the next free slot; an entry further from home displaces one nearer to its own (robin hood)', () => {
    // slots 8 (estimate 7): a, b both want slot 1, c wants slot 2 -> a:1 b:2, then c (distance 0 at 2 < b's 1) goes to 3
    expect(hashTableOrder([1, 1, 2], 7)).toEqual([2, 1, 0]);
    // then d wants 1: past a (distance 0) and b (1), at slot 3 d is 2 from home and c only 1 — d takes 3, c moves to 4
    expect(hashTableOrder([1, 1, 2, 1], 7)).toEqual([2, 3, 1, 0]); // slots 4 (c), 3 (d), 2 (b), 1 (a)
  });
  it('grows past 90 % full and returns every group once', () => {
    const hashes = Array.from({ length: 40 }, (_, i) => (i * 2654435761) >>> 0);
    const order = hashTableOrder(hashes, 4);
    expect([...order].sort((a, b) => a - b)).toEqual(hashes.map((_, i) => i));
  });
  it('a row finding its group at the threshold doubles the table (SH_INSERT checks before the lookup)', () => {
    // 7 groups expected: 8 slots, grow at 7 members. Hash 9 is slot 1 of 8 but slot 9 of 16.
    const hashes = [0, 9, 2, 3, 4, 5, 6];
    const none = hashTableOrder(hashes, 7);
    const grown = hashTableOrder(hashes, 7, [false, false, false, false, false, false, true]);
    expect(grown).toEqual(hashTableOrder(hashes, 15)); // the same as a 16-slot table from the start (15 / 0.9 -> 16)
    expect(grown).not.toEqual(none);
    // a duplicate before the threshold changes nothing
    expect(hashTableOrder(hashes, 7, [true, true, false, false, false, false, false])).toEqual(none);
  });
});
