/** The index's key → TIDs map behaves like a Map for any keys; the index listing is in key order either way. */
import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { TidMap } from '../../src/engine/index/tidmap.js';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';
import { indexEntries } from '../../src/engine/inspect/inspect.js';

beforeAll(async () => { await initParser(); });

describe('TidMap', () => {
  it('matches a Map under random sets, deletes and lookups (small ints, far ints, negatives, strings)', () => {
    const key = fc.oneof(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: -5, max: 1e7 }), fc.string({ maxLength: 3 }).map((s) => 's' + s));
    const op = fc.record({ del: fc.boolean(), k: key, v: fc.integer({ min: 1, max: 1e6 }) });
    fc.assert(fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
      const m = new Map<string | number, number>();
      const t = new TidMap();
      for (const o of ops) {
        if (o.del) expect(t.delete(o.k)).toBe(m.delete(o.k));
        else { m.set(o.k, o.v); t.set(o.k, o.v); }
        expect(t.get(o.k)).toBe(m.get(o.k));
      }
      expect(t.size).toBe(m.size);
      expect(new Map([...t])).toEqual(m);
      const c = t.clone();
      expect(new Map([...c])).toEqual(m);
    }), { numRuns: 500 });
  });
  it('the index listing is in key order with TIDs ascending, fast path or not', () => {
    const e = new Engine();
    e.createSession('s');
    e.execute('s', 'CREATE TABLE t(id int PRIMARY KEY, v int)');
    e.execute('s', 'INSERT INTO t SELECT g, 0 FROM generate_series(1, 300) g');
    e.execute('s', 'UPDATE t SET v = 1 WHERE id < 20');
    const t = e.catalog.get('t')!;
    const fast = indexEntries(t, 't_pkey', 50);
    const full = indexEntries(t, 't_pkey').slice(0, 50);
    expect(fast).toEqual(full);
    expect(fast[0]!.key).toBe('(1)');
  });
});
