/**
 * DDL and storage (issue 13): what TRUNCATE and a rewriting ALTER TABLE do to a table's file, as seen through
 * crash recovery and time travel — things the PostgreSQL transcripts (tests/messages, tests/scenarios/ddl) cannot
 * show. REDO must not replay a table's WAL from before its new relfilenode into the new file; an engine copy
 * taken before an ALTER must keep the old definition.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';

beforeAll(async () => { await initParser(); });

function run(e: Engine, sql: string) {
  const r = e.execute('s1', sql);
  expect(r.outcome.error, sql).toBeNull();
  return r.outcome.results;
}
const rows = (e: Engine, sql: string) => run(e, sql).at(-1)!.rows;

function engine(): Engine {
  const e = new Engine();
  e.createSession('s1');
  run(e, 'CREATE TABLE t (k int PRIMARY KEY, v int)');
  run(e, 'INSERT INTO t SELECT g, g * 10 FROM generate_series(1, 50) g');
  return e;
}

describe('DDL storage', () => {
  it('TRUNCATE gives a new relfilenode; after a crash REDO does not bring the old rows back', () => {
    const e = engine();
    const before = e.catalog.get('t')!.relfilenode ?? e.catalog.get('t')!.oid;
    run(e, 'TRUNCATE t');
    expect(e.catalog.get('t')!.relfilenode).not.toBe(before);
    run(e, 'INSERT INTO t VALUES (7, 70)');
    e.crash();
    e.restart();
    expect(rows(e, 'SELECT k, v FROM t ORDER BY k')).toEqual([['7', '70']]);
    expect(rows(e, 'SELECT k FROM t WHERE k = 3')).toEqual([]);
  });

  it('ALTER COLUMN TYPE rewrites every row once; recovery replays only the new file', () => {
    const e = engine();
    run(e, 'UPDATE t SET v = -1 WHERE k <= 5');
    const heapBefore = e.catalog.get('t')!.heap;
    run(e, 'ALTER TABLE t ALTER COLUMN v TYPE bigint');
    const t = e.catalog.get('t')!;
    expect(t.heap).not.toBe(heapBefore);
    // only the 50 live versions were copied (not the 5 dead ones)
    expect(t.heap.pages.flatMap((p) => p.items).length).toBe(50);
    e.crash();
    e.restart();
    expect(rows(e, 'SELECT count(*), sum(v) FROM t')).toEqual([['50', String(12750 - 150 - 5)]]);
    expect(rows(e, 'SELECT v FROM t WHERE k = 2')).toEqual([['-1']]);
  });

  it('ADD COLUMN with a constant DEFAULT keeps the file and the tuples (natts) as they were', () => {
    const e = engine();
    const t = e.catalog.get('t')!;
    const heap = t.heap;
    const natts = heap.pages[0]!.items[0]!.infomask2 & 0x7ff;
    run(e, 'ALTER TABLE t ADD COLUMN w int DEFAULT 5');
    expect(t.heap).toBe(heap);
    expect(heap.pages[0]!.items[0]!.infomask2 & 0x7ff).toBe(natts);
    expect(rows(e, 'SELECT w FROM t WHERE k = 1')).toEqual([['5']]);
  });

  it('an engine copy taken before ALTER TABLE keeps the old definition', () => {
    const e = engine();
    const copy = e.clone();
    run(e, 'ALTER TABLE t ADD COLUMN w int DEFAULT 5, DROP COLUMN v');
    run(e, 'ALTER TABLE t RENAME TO u');
    expect(rows(e, 'SELECT * FROM u WHERE k = 1')).toEqual([['1', '5']]);
    expect(copy.catalog.get('t')!.columns.map((c) => c.name)).toEqual(['k', 'v']);
    expect(rows(copy, 'SELECT * FROM t WHERE k = 1')).toEqual([['1', '10']]);
  });

  it('fillfactor leaves room on each page that an UPDATE can still use (a HOT update)', () => {
    const e = new Engine();
    e.createSession('s1');
    run(e, 'CREATE TABLE f (k int, pad text) WITH (fillfactor = 50)');
    const pad = `'${'x'.repeat(500)}'`;
    run(e, `INSERT INTO f SELECT g, ${pad} FROM generate_series(1, 20) g`);
    const f = e.catalog.get('f')!;
    const perPage = f.heap.pages[0]!.items.length;
    expect(perPage).toBeLessThan(10); // about half of the 15 rows a full page would take
    run(e, 'UPDATE f SET k = 100 WHERE k = 1');
    expect(rows(e, 'SELECT ctid FROM f WHERE k = 100')).toEqual([[`(0,${perPage + 1})`]]);
  });
});
