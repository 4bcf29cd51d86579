/**
 * VACUUM's rules and invariants (vacuum/vacuumlazy.ts, heap/visibilitymap.ts, the FSM in heap/heap.ts, the opaque
 * raw page of contrib/pageinspect.ts). The behaviour itself is compared with PostgreSQL 15 in
 * tests/scenarios/vacuum/*.spec, tests/truth/vacuum-freeze and tests/messages/inspect-functions.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';
import { snapshotOfState } from '../../src/engine/inspect/inspect.js';
import { LpFlags, HEAP_XMIN_FROZEN, HEAP_XMAX_INVALID, HEAP_XMAX_LOCK_ONLY } from '../../src/engine/heap/tuple.js';
import { PD_ALL_VISIBLE, HeapRelation, fsmCategory } from '../../src/engine/heap/heap.js';
import { vmStatus, VISIBILITYMAP_ALL_VISIBLE, VISIBILITYMAP_ALL_FROZEN } from '../../src/engine/heap/visibilitymap.js';
import { percent2 } from '../../src/engine/contrib/bytes.js';

beforeAll(async () => { await initParser(); });

function engine(ddl = 'CREATE TABLE t (id int PRIMARY KEY, v int)') {
  const e = new Engine();
  e.createSession('s1');
  e.createSession('s2');
  e.execute('s1', 'CREATE EXTENSION pageinspect');
  e.execute('s1', ddl);
  return e;
}
const ok = (e: Engine, sql: string, s = 's1') => { const r = e.execute(s, sql); expect(r.outcome.error, sql).toBeNull(); return r.outcome; };

describe('the raw page of get_raw_page()', () => {
  it('a heap page prints as its 8192 bytes (contrib/rawpage.ts); an index page has no byte image: 0A000; neither changes anything', () => {
    const e = engine();
    ok(e, 'INSERT INTO t VALUES (1, 1)');
    for (const sql of ["SELECT get_raw_page('t', 0)", "SELECT length(get_raw_page('t', 0)::text)"]) {
      const before = JSON.stringify(snapshotOfState(e));
      const r = e.execute('s2', sql);
      expect(r.outcome.error, sql).toBeNull();
      expect(JSON.stringify(snapshotOfState(e)), sql).toBe(before);
    }
    expect(e.execute('s2', "SELECT length(get_raw_page('t', 0))").outcome.results[0]!.rows).toEqual([['8192']]);
    const before = JSON.stringify(snapshotOfState(e));
    const r = e.execute('s2', "SELECT get_raw_page('t_pkey', 0)");
    expect(r.outcome.error?.sqlstate).toBe('0A000');
    expect(JSON.stringify(snapshotOfState(e))).toBe(before);
  });
  it('an extension\'s functions do not exist before CREATE EXTENSION, nor after DROP EXTENSION', () => {
    const e = engine();
    expect(e.execute('s1', "SELECT * FROM pgstattuple('t')").outcome.error?.sqlstate).toBe('42883');
    ok(e, 'CREATE EXTENSION pgstattuple');
    ok(e, "SELECT * FROM pgstattuple('t')");
    ok(e, 'DROP EXTENSION pgstattuple');
    expect(e.execute('s1', "SELECT * FROM pgstattuple('t')").outcome.error?.sqlstate).toBe('42883');
  });
});

describe("an extension's functions the engine does not model", () => {
  it('do not exist before CREATE EXTENSION (42883); after it they refuse 0A000 naming the function and its extension', () => {
    const e = engine();
    const calls = ["SELECT brin_page_type(get_raw_page('t', 0))", "SELECT * FROM pg_truncate_visibility_map('t')", "SELECT pgstathashindex('t_pkey')"];
    ok(e, 'INSERT INTO t VALUES (1, 1)');
    expect(e.execute('s1', "SELECT pg_truncate_visibility_map('t')").outcome.error?.sqlstate).toBe('42883');
    ok(e, 'CREATE EXTENSION pg_visibility');
    ok(e, 'CREATE EXTENSION pgstattuple');
    for (const sql of calls) {
      const err = e.execute('s1', sql).outcome.error;
      expect(err?.sqlstate, sql).toBe('0A000');
      expect(err?.message, sql).toMatch(/of the extension (pageinspect|pg_visibility|pgstattuple)/);
    }
  });
});

describe('pg_walinspect and pg_buffercache', () => {
  it('exist once created; what they do not model refuses with 0A000 (tests/unit/walinspect.test.ts has the rest)', () => {
    const e = engine();
    expect(e.execute('s1', "SELECT * FROM pg_get_wal_records_info('0/1500000', '0/1600000')").outcome.error?.sqlstate).toBe('42883');
    ok(e, 'CREATE EXTENSION pg_walinspect');
    ok(e, 'CREATE EXTENSION pg_buffercache');
    for (const sql of ["SELECT * FROM pg_get_wal_records_info('0/1500000', pg_current_wal_flush_lsn())", 'SELECT * FROM pg_buffercache', 'SELECT * FROM pg_buffercache_pages()']) {
      const r = e.execute('s1', sql).outcome;
      expect(r.error?.sqlstate, sql).toBe('0A000');
    }
    ok(e, "SELECT * FROM pg_get_wal_stats('0/1500000', pg_current_wal_flush_lsn(), true)");
  });
});

describe('pgstattuple arithmetic', () => {
  it('rounds to two decimals as printf does: an exact tie goes to even', () => {
    expect(percent2(256, 8192)).toBe('3.12'); // 3.125 exactly
    expect(percent2(768, 8192)).toBe('9.38'); // 9.375 exactly
    expect(percent2(341, 8192)).toBe('4.16');
    expect(percent2(0, 0)).toBe('0.00');
  });
});

/** Random DML + VACUUM (plain, FREEZE, FULL), row locks, an old snapshot, checkpoints and crashes, on a small table with a fillfactor. */
const op = fc.oneof(
  fc.record({ k: fc.constant('ins' as const), n: fc.integer({ min: 1, max: 60 }) }),
  fc.record({ k: fc.constant('del' as const), m: fc.integer({ min: 2, max: 7 }), r: fc.integer({ min: 0, max: 6 }) }),
  fc.record({ k: fc.constant('upd' as const), m: fc.integer({ min: 2, max: 7 }) }),
  fc.record({ k: fc.constantFrom('vac' as const, 'freeze' as const, 'full' as const, 'lock' as const, 'hold' as const, 'release' as const, 'checkpoint' as const, 'crash' as const) }),
);

describe('invariants of the visibility map and the free space map', () => {
  it('after any run: an all-visible block holds only tuples every snapshot sees; all-frozen ones only frozen tuples; right after VACUUM the FSM knows the room of each page; every insert finds a page', () => {
    fc.assert(fc.property(fc.array(op, { minLength: 1, maxLength: 25 }), fc.constantFrom(100, 70, 30), (ops, ff) => {
      const e = engine(`CREATE TABLE t (id int PRIMARY KEY, v int) WITH (fillfactor = ${ff})`);
      let next = 1, holding = false;
      for (const o of ops) {
        switch (o.k) {
          case 'ins': ok(e, `INSERT INTO t SELECT g, g FROM generate_series(${next}, ${next + o.n - 1}) g`); next += o.n; break;
          case 'del': ok(e, `DELETE FROM t WHERE id % ${o.m} = ${o.r % o.m}`); break;
          case 'upd': ok(e, `UPDATE t SET v = v + 1 WHERE id % ${o.m} = 0`); break;
          case 'vac': if (!holding) ok(e, 'VACUUM t'); break;
          case 'freeze': if (!holding) ok(e, 'VACUUM FREEZE t'); break;
          case 'full': if (!holding) ok(e, 'VACUUM FULL t'); break;
          case 'lock': ok(e, 'SELECT id FROM t WHERE id % 3 = 0 FOR UPDATE'); break;
          case 'hold': if (!holding) { ok(e, 'BEGIN ISOLATION LEVEL REPEATABLE READ', 's2'); ok(e, 'SELECT count(*) FROM t', 's2'); holding = true; } break;
          case 'release': if (holding) { ok(e, 'COMMIT', 's2'); holding = false; } break;
          case 'checkpoint': ok(e, 'CHECKPOINT'); break;
          case 'crash': e.crash(); e.restart(); holding = false; break; // REDO rebuilds the map from Heap2/VISIBLE
        }
        const t = e.catalog.get('t')!;
        for (const p of t.heap.pages) {
          const bits = vmStatus(t.heap, p.blkno);
          if (bits & VISIBILITYMAP_ALL_VISIBLE) {
            expect(p.flags & PD_ALL_VISIBLE, `block ${p.blkno}: VM all-visible without PD_ALL_VISIBLE`).toBeTruthy();
            for (const it of p.items) {
              expect(it.lpFlags, `block ${p.blkno}: an all-visible block has an LP_DEAD item`).not.toBe(LpFlags.DEAD);
              if (it.lpFlags !== LpFlags.NORMAL) continue;
              expect((it.infomask & (HEAP_XMAX_INVALID | HEAP_XMAX_LOCK_ONLY)) !== 0 || it.xmax === 0, `block ${p.blkno}: a deleted tuple on an all-visible block`).toBe(true);
              expect(e.xacts.clog.didCommit(it.xmin) || (it.infomask & HEAP_XMIN_FROZEN) === HEAP_XMIN_FROZEN, `block ${p.blkno}: uncommitted xmin ${it.xmin}`).toBe(true);
            }
          }
          if (bits & VISIBILITYMAP_ALL_FROZEN) {
            expect(bits & VISIBILITYMAP_ALL_VISIBLE, 'all-frozen implies all-visible').toBeTruthy();
            for (const it of p.items) if (it.lpFlags === LpFlags.NORMAL) expect(it.infomask & HEAP_XMIN_FROZEN, `block ${p.blkno}: unfrozen tuple on an all-frozen block`).toBe(HEAP_XMIN_FROZEN);
          }
          // right after a VACUUM the map knows every page's room exactly (to its 32-byte category)
          if (['vac', 'freeze'].includes(o.k) && !holding) expect(fsmCategory(t.heap.fsm.get(p.blkno) ?? -1), `block ${p.blkno}: FSM after VACUUM`).toBe(fsmCategory(HeapRelation.freeSpace(p)));
        }
      }
      if (holding) ok(e, 'COMMIT', 's2');
    }), { numRuns: 60 });
  });
});

describe('fsm_page_contents', () => {
  it('reads the fsm fork as VACUUM left it; once an insert searched or updated the map, its pages are refused (0A000)', () => {
    const e = engine('CREATE TABLE t (id int, pad text)');
    ok(e, "INSERT INTO t SELECT i, repeat('x', 100) FROM generate_series(1, 200) i");
    ok(e, 'DELETE FROM t WHERE id % 2 = 0');
    ok(e, 'VACUUM t');
    const leaf = e.execute('s1', "SELECT fsm_page_contents(get_raw_page('t', 'fsm', 2))").outcome;
    expect(leaf.error).toBeNull();
    expect(String(leaf.results[0]?.rows[0]?.[0])).toMatch(/^0: \d+\n[\s\S]*4095: \d+\n[\s\S]*fp_next_slot: 0\n$/);
    ok(e, "INSERT INTO t SELECT i, repeat('y', 1000) FROM generate_series(1, 20) i");
    const after = e.execute('s1', "SELECT fsm_page_contents(get_raw_page('t', 'fsm', 2))").outcome.error;
    expect(after?.sqlstate).toBe('0A000');
    expect(after?.message).toMatch(/fp_next_slot/);
  });
});
