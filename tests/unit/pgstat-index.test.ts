// An index's counts travel with its backend's other pending counts (pgstat/pgstat_relation.ts): nothing reaches the
// shared entry before the flush, the flush moves scans, entries returned and fetches, and the entries an index
// returned add to the database's tup_returned; a clone keeps them apart.
import { describe, it, expect } from 'vitest';
import { BackendStats, SharedStats, reportStat } from '../../src/engine/pgstat/pgstat_relation.js';

describe('index statistics flush', () => {
  it('moves pending index counts into the shared entry at the flush, not before', () => {
    const shared = new SharedStats();
    const b = new BackendStats();
    const i = b.indexCounts(42);
    i.scans = 2; i.tupRead = 7; i.tupFetch = 3;
    expect(shared.indexes.get(42)).toBeUndefined();
    const copy = b.clone();
    expect(reportStat(shared, b, 5000, true)).toBe('Flushed');
    expect(shared.indexes.get(42)).toEqual({ scans: 2, tupRead: 7, tupFetch: 3 });
    expect(shared.db.tupReturned).toBe(7);
    expect(b.indexPending.size).toBe(0);
    expect(copy.indexPending.get(42)).toEqual({ scans: 2, tupRead: 7, tupFetch: 3 });
    expect(shared.clone().indexes.get(42)).toEqual({ scans: 2, tupRead: 7, tupFetch: 3 });
  });
});
