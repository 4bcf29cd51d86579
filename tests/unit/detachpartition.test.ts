/**
 * DETACH PARTITION … CONCURRENTLY's pending state (commands/detachpartition.ts, executor/execPartition.ts
 * omittedAsDetached): which snapshot still sees a partition pending detach, what a ROLLBACK of an ATTACH or of
 * FINALIZE puts back, and what VACUUM FREEZE pg_catalog.pg_inherits does to the mark.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';

beforeAll(async () => { await initParser(); });

function run(e: Engine, sql: string, session = 's1') {
  const r = e.execute(session, sql);
  expect(r.outcome.error, sql).toBeNull();
  return r.outcome.results;
}
const rows = (e: Engine, sql: string, session = 's1') => run(e, sql, session).at(-1)!.rows;

/** a parent with two partitions, p2's detach left pending (a cancelled second transaction, as FINALIZE's input) */
function pending(): Engine {
  const e = new Engine();
  for (const s of ['s1', 's2', 's3']) e.createSession(s);
  run(e, 'CREATE TABLE p (a int) PARTITION BY LIST (a)');
  run(e, 'CREATE TABLE p1 PARTITION OF p FOR VALUES IN (1)');
  run(e, 'CREATE TABLE p2 PARTITION OF p FOR VALUES IN (2)');
  run(e, 'INSERT INTO p VALUES (1), (2)');
  return e;
}

describe('DETACH PARTITION ... CONCURRENTLY', () => {
  it('completes at once when nobody uses the parent: p2 is a table of its own with its CHECK constraint', () => {
    const e = pending();
    run(e, 'ALTER TABLE p DETACH PARTITION p2 CONCURRENTLY', 's2');
    expect(e.catalog.get('p2')!.partOf).toBeUndefined();
    expect(e.catalog.get('p2')!.checks.map((c) => c.name)).toEqual(['p2_a_check']);
    expect(rows(e, 'SELECT a FROM p')).toEqual([['1']]);
  });

  it('omits the pending partition from a snapshot taken after the mark, keeps it in an older REPEATABLE READ one', () => {
    const e = pending();
    run(e, 'BEGIN ISOLATION LEVEL REPEATABLE READ', 's1');
    expect(rows(e, 'SELECT a FROM p ORDER BY a', 's1')).toEqual([['1'], ['2']]);
    // the detach's second transaction waits for s1 (it holds a lock on p)
    expect(e.execute('s2', 'ALTER TABLE p DETACH PARTITION p2 CONCURRENTLY').outcome.status).toBe('waiting');
    expect(e.catalog.get('p2')!.partOf?.detachPending).toBeGreaterThan(0);
    expect(rows(e, 'SELECT a FROM p ORDER BY a', 's3')).toEqual([['1']]);
    expect(rows(e, 'SELECT a FROM p ORDER BY a', 's1')).toEqual([['1'], ['2']]);
    run(e, 'COMMIT', 's1');
    expect(e.catalog.get('p2')!.partOf).toBeUndefined();
  });

  it('refuses a second concurrent detach while one is pending, and FINALIZE rolled back leaves it pending', () => {
    const e = pending();
    const p2 = e.catalog.get('p2')!;
    p2.partOf = { ...p2.partOf!, detachPending: 2 }; // a mark frozen by VACUUM: omitted by every snapshot
    expect(rows(e, 'SELECT a FROM p', 's3')).toEqual([['1']]);
    const r = e.execute('s2', 'ALTER TABLE p DETACH PARTITION p1 CONCURRENTLY');
    expect(r.outcome.error?.sqlstate).toBe('55000');
    expect(r.outcome.error?.message).toBe('partition "p2" already pending detach in partitioned table "public.p"');
    run(e, 'BEGIN', 's2');
    run(e, 'ALTER TABLE p DETACH PARTITION p2 FINALIZE', 's2');
    expect(e.catalog.get('p2')!.partOf).toBeUndefined();
    run(e, 'ROLLBACK', 's2');
    expect(e.catalog.get('p2')!.partOf?.detachPending).toBe(2);
  });

  it('VACUUM FREEZE pg_catalog.pg_inherits freezes a committed mark no snapshot holds in progress', () => {
    const e = pending();
    const p2 = e.catalog.get('p2')!;
    run(e, 'SELECT 1', 's1');
    const xid = Number(rows(e, 'SELECT txid_current()', 's2')[0]![0]);
    p2.partOf = { ...p2.partOf!, detachPending: xid };
    run(e, 'VACUUM FREEZE pg_catalog.pg_inherits', 's3');
    expect(e.catalog.get('p2')!.partOf?.detachPending).toBe(2);
  });
});

describe('ATTACH PARTITION seen by another session', () => {
  it('is not routed to until it commits, and its ROLLBACK leaves the table alone', () => {
    const e = pending();
    run(e, 'CREATE TABLE p3 (a int)');
    run(e, 'BEGIN', 's1');
    run(e, 'ALTER TABLE p ATTACH PARTITION p3 FOR VALUES IN (3)', 's1');
    const r = e.execute('s2', 'INSERT INTO p VALUES (3)');
    expect(r.outcome.error?.message).toBe('no partition of relation "p" found for row');
    run(e, 'ROLLBACK', 's1');
    expect(e.catalog.get('p3')!.partOf).toBeUndefined();
  });
});
