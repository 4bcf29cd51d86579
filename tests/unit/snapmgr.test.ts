/**
 * Exported snapshots (snapshot/snapmgr.ts): the rules the transcripts (tests/scenarios/snapshot) cannot show — the
 * name is the exporter's vxid in hex for whatever backend IDs the sessions have, and the imported snapshot is a copy
 * the importer's own work cannot change.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';

beforeAll(async () => { await initParser(); });

function run(e: Engine, session: string, sql: string) {
  const r = e.execute(session, sql);
  expect(r.outcome.error, sql).toBeNull();
  return r.outcome.results.at(-1)!.rows;
}

describe('exported snapshots', () => {
  it('are named by the exporter\'s vxid in hex and counted per transaction; the importer\'s snapshot equals the exporter\'s', () => {
    const e = new Engine();
    e.createSession('s1');
    e.createSession('s2');
    run(e, 's1', 'BEGIN ISOLATION LEVEL REPEATABLE READ');
    const id = (run(e, 's1', 'SELECT pg_export_snapshot()') as string[][])[0]![0]!;
    const vxid = e.sessions[0]!.tx!.vxid.split('/').map(Number);
    expect(id).toBe(`${vxid[0]!.toString(16).toUpperCase().padStart(8, '0')}-${vxid[1]!.toString(16).toUpperCase().padStart(8, '0')}-1`);
    const id2 = (run(e, 's1', 'SELECT pg_export_snapshot()') as string[][])[0]![0]!;
    expect(id2).toBe(id.replace(/-1$/, '-2'));
    run(e, 's2', 'BEGIN ISOLATION LEVEL REPEATABLE READ');
    run(e, 's2', `SET TRANSACTION SNAPSHOT '${id2}'`);
    expect(run(e, 's2', 'SELECT pg_current_snapshot()')).toEqual(run(e, 's1', 'SELECT pg_current_snapshot()'));
  });

  it('the importer gets a copy: its own xid never enters the exporter\'s snapshot', () => {
    const e = new Engine();
    e.createSession('s1');
    e.createSession('s2');
    run(e, 's1', 'CREATE TABLE t (id int)');
    run(e, 's1', 'BEGIN ISOLATION LEVEL REPEATABLE READ');
    const id = (run(e, 's1', 'SELECT pg_export_snapshot()') as string[][])[0]![0]!;
    run(e, 's2', 'BEGIN ISOLATION LEVEL REPEATABLE READ');
    run(e, 's2', `SET TRANSACTION SNAPSHOT '${id}'`);
    run(e, 's2', 'INSERT INTO t VALUES (1)');
    const exported = e.sessions[0]!.tx!.exports[0]!.snapshot;
    expect(exported.xip).toEqual([]);
    expect(e.sessions[1]!.tx!.xactSnapshot).not.toBe(exported);
  });
});
