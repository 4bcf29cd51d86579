/**
 * Crash and recovery (issue #5): the engine against the real PostgreSQL 15 oracle recorded by `npm run record:crash`
 * (tests/durability/immediate-shutdown.expected.json), plus the REDO rules — page LSN comparison, full-page images,
 * torn pages, crashes at micro-points, a crash during recovery, bad requests.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { Engine } from '../../src/engine/engine';
import { initParser } from '../../src/engine/sql/parser';
import { heapPage } from '../../src/engine/inspect/inspect';
import type { CrashPoint } from '../../src/engine/checkpoint/checkpointer';

beforeAll(async () => { await initParser(); });

function engine(names = ['s1', 's2', 's3']) {
  const e = new Engine();
  for (const n of names) e.createSession(n);
  const q = (s: string, sql: string) => {
    const r = e.execute(s, sql);
    if (r.outcome.error) return { error: r.outcome.error, rows: [] as (string | null)[][], tag: '' };
    const last = r.outcome.results[r.outcome.results.length - 1];
    return { error: null, rows: last?.rows ?? [], tag: last?.command ?? '' };
  };
  const rows = (s: string, sql: string) => { const r = q(s, sql); if (r.error) throw new Error(r.error.message); return r.rows; };
  return { e, q, rows };
}

describe('immediate shutdown of a real PostgreSQL 15, replayed in the engine', () => {
  const oracle = JSON.parse(readFileSync('tests/durability/immediate-shutdown.expected.json', 'utf8'));
  test('rows, heap page, transaction status and recovery log match the recording', () => {
    const { e, rows } = engine();
    rows('s1', 'CREATE TABLE t(id int PRIMARY KEY, v text)');
    rows('s1', "INSERT INTO t VALUES (1, 'committed')");
    rows('s2', 'BEGIN');
    rows('s2', "INSERT INTO t VALUES (2, 'uncommitted insert')");
    const s2 = Number(rows('s2', 'SELECT pg_current_xact_id()')[0]![0]);
    rows('s2', "UPDATE t SET v = 'uncommitted update' WHERE id = 1");
    rows('s3', 'SET synchronous_commit = off');
    rows('s3', "INSERT INTO t VALUES (3, 'async commit')");
    const s1 = Number(rows('s1', 'SELECT xmin FROM t WHERE id = 1')[0]![0]);
    const s3 = Number(rows('s1', 'SELECT xmin FROM t WHERE id = 3')[0]![0]);
    e.advance(1000); // as the recorder waits 1 s: the wal writer has flushed s3's asynchronous COMMIT
    e.crash();
    const { report } = e.restart();
    const norm = (x: string | number | null) => (x === null ? null : Number(x) >= s1 - 5 && Number(x) > 0 ? `xid+${Number(x) - s1}` : String(x));
    const after = rows('s1', 'SELECT id, v, xmin, xmax FROM t ORDER BY id').map((r) => ({ id: r[0], v: r[1], xmin: norm(r[2]!), xmax: norm(r[3]!) }));
    expect(after).toEqual(oracle.rowsAfterRecovery);
    const items = heapPage(e.catalog.get('t')!, 0).items.map((it) => ({
      lp: String(it.lp), lp_flags: String(it.lp_flags), t_xmin: norm(it.t_xmin), t_xmax: it.t_xmax === 0 ? '0' : norm(it.t_xmax), t_ctid: it.t_ctid, t_infomask: String(it.t_infomask),
    }));
    expect(items).toEqual(oracle.heapPageAfterRecovery);
    const status = { s2: rows('s1', `SELECT pg_xact_status('${s2}')`)[0]![0], s3: rows('s1', `SELECT pg_xact_status('${s3}')`)[0]![0], s1: rows('s1', `SELECT pg_xact_status('${s1}')`)[0]![0] };
    expect(status).toEqual(oracle.xactStatusAfterRecovery);
    const log = report.log.map((l) => l.replace(/\s+/g, ' ').replace(/last known up at .*$/, 'last known up at <time>').replace(/[0-9A-F]+\/[0-9A-F]{8}/g, '<lsn>'));
    expect(log).toEqual(oracle.recoveryLog);
  });
});
