/**
 * What an open cursor holds (src/engine/tcop/portalmem.ts, commands/portalcmds.ts): the buffer pin on the heap page
 * its streaming scan stopped on — from the first FETCH, moving with it, gone past the end, at CLOSE, at COMMIT and
 * for a WITH HOLD cursor once held — and its snapshot in the backend's xmin (VACUUM's horizon). An aggressive VACUUM
 * that would have to wait for the pin refuses with 0A000. (The transcripts of the same facts recorded from
 * PostgreSQL 15: tests/scenarios/cursor/vacuum-pin, snapshot, hold.)
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';
import { isPinned, removableHorizon } from '../../src/engine/vacuum/pruneheap.js';
import { backendXmin } from '../../src/engine/pgstat/views.js';

beforeAll(async () => { await initParser(); });

function setup() {
  const e = new Engine();
  e.createSession('a'); e.createSession('b');
  const run = (s: string, q: string) => {
    const o = e.execute(s, q).outcome;
    if (o.error) throw new Error(`${q}: ${o.error.message}`);
    return o;
  };
  // ids 1-226 on block 0, 227-300 on block 1
  run('a', 'CREATE TABLE t (id int PRIMARY KEY, v int) WITH (autovacuum_enabled = off)');
  run('a', 'INSERT INTO t SELECT g, g FROM generate_series(1, 300) g');
  const oid = e.catalog.get('t')!.oid;
  const pinned = (blk: number) => isPinned(e, oid, blk, e.session('b').id);
  return { e, run, pinned };
}

describe('a cursor\'s buffer pin', () => {
  it('is on the page of the row the cursor is on, from the first FETCH until the scan runs off its end', () => {
    const { run, pinned } = setup();
    run('a', 'BEGIN');
    run('a', 'DECLARE c CURSOR FOR SELECT id FROM t');
    expect([pinned(0), pinned(1)]).toEqual([false, false]); // only started: nothing read yet
    run('a', 'FETCH c');
    expect([pinned(0), pinned(1)]).toEqual([true, false]);
    run('a', 'MOVE 226 IN c');
    expect([pinned(0), pinned(1)]).toEqual([false, true]);
    run('a', 'MOVE ALL IN c');
    expect([pinned(0), pinned(1)]).toEqual([false, false]);
    run('a', 'COMMIT');
  });
  it('is not held by a query that reads its whole scan first, and goes at CLOSE and COMMIT', () => {
    const { run, pinned } = setup();
    run('a', 'BEGIN');
    run('a', 'DECLARE s CURSOR FOR SELECT id FROM t ORDER BY v DESC');
    run('a', 'FETCH s');
    expect(pinned(0) || pinned(1)).toBe(false);
    run('a', 'DECLARE c CURSOR FOR SELECT id FROM t');
    run('a', 'FETCH c');
    expect(pinned(0)).toBe(true);
    run('a', 'CLOSE c');
    expect(pinned(0)).toBe(false);
    run('a', 'DECLARE d CURSOR FOR SELECT id FROM t WHERE id > 250');
    run('a', 'FETCH d');
    expect(pinned(1)).toBe(true);
    run('a', 'COMMIT');
    expect(pinned(1)).toBe(false);
  });
  it('a WITH HOLD cursor keeps its position past COMMIT but no pin and no snapshot', () => {
    const { e, run, pinned } = setup();
    run('a', 'BEGIN');
    run('a', 'DECLARE h CURSOR WITH HOLD FOR SELECT id FROM t');
    run('a', 'FETCH h');
    run('a', 'COMMIT');
    expect(pinned(0)).toBe(false);
    expect(backendXmin(e.session('a'))).toBeNull();
    expect(run('a', 'FETCH h').results[0]!.rows).toEqual([['2']]);
  });
  it('an aggressive VACUUM that would wait for the pin refuses (0A000); after the cursor moves on it runs', () => {
    const { e, run } = setup();
    run('a', 'BEGIN');
    run('a', 'DECLARE c CURSOR FOR SELECT id FROM t');
    run('a', 'FETCH c');
    const o = e.execute('b', 'VACUUM FREEZE t').outcome;
    expect(o.error?.sqlstate).toBe('0A000');
    expect(o.error?.message).toMatch(/cleanup lock on t block 0/);
    run('a', 'MOVE ALL IN c');
    expect(e.execute('b', 'VACUUM FREEZE t').outcome.error).toBeNull();
    run('a', 'COMMIT');
  });
});

describe('a cursor\'s snapshot', () => {
  it('holds the backend\'s xmin and VACUUM\'s horizon until CLOSE, inside a READ COMMITTED transaction', () => {
    const { e, run } = setup();
    run('a', 'BEGIN');
    run('a', 'DECLARE c CURSOR FOR SELECT id FROM t');
    const xmin = backendXmin(e.session('a'));
    expect(xmin).not.toBeNull();
    run('b', 'DELETE FROM t WHERE id = 1');
    expect(removableHorizon(e)).toBe(xmin);
    run('a', 'CLOSE c');
    expect(backendXmin(e.session('a'))).toBeNull();
    expect(removableHorizon(e)).toBeGreaterThan(xmin!);
    run('a', 'COMMIT');
  });
});
