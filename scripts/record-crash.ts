/**
 * npm run record:crash — the oracle for crash recovery (issue #5): what a real PostgreSQL 15 keeps after an
 * immediate-mode shutdown (`pg_ctl stop -m immediate`, the closest a script gets to pulling the plug).
 *
 * s1 commits a row, s2 inserts a row and updates the committed one without committing, s3 commits with
 * synchronous_commit = off. Then the server is killed and started again: crash recovery replays the WAL from the
 * last checkpoint's redo pointer. Recorded into tests/durability/immediate-shutdown.expected.json: the rows
 * visible after recovery, the heap page's line pointers (pageinspect: the uncommitted versions are still on the
 * page — there is no UNDO — and are invisible because their xids have no COMMIT in the log), pg_xact_status of
 * each xid, and the server log's recovery lines. The script waits 1 s before the crash so the wal writer has written
 * everything up to s3's asynchronous COMMIT (crashing at once would race it: WAL still in shared memory is lost
 * with the server). tests/unit/recovery.test.ts replays the same steps in the engine and compares
 * with it. Note: the cluster runs with fsync=off and the OS does not crash, so the asynchronous commit survives
 * here too — only a real power failure (or the simulator's crash) loses the unflushed tail.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import pg from 'pg';
import { Template, Cluster } from './lib/pgcluster.js';

const raw = { getTypeParser: () => (v: string) => v };
const OUT = 'tests/durability/immediate-shutdown.expected.json';

async function main() {
  const template = new Template();
  const cluster = new Cluster(template);
  try {
    await cluster.start();
    const connect = async () => { const c = new pg.Client(cluster.connection); c.on('error', () => { /* the server goes away under it */ }); await c.connect(); return c; };
    const q = async (c: pg.Client, sql: string) => (await c.query({ text: sql, types: raw } as pg.QueryConfig)).rows;
    const [s1, s2, s3] = [await connect(), await connect(), await connect()];
    const steps: [pg.Client, string, string][] = [
      [s1, 's1', 'CREATE EXTENSION pageinspect'],
      [s1, 's1', 'CREATE TABLE t(id int PRIMARY KEY, v text)'],
      [s1, 's1', "INSERT INTO t VALUES (1, 'committed')"],
      [s2, 's2', 'BEGIN'],
      [s2, 's2', "INSERT INTO t VALUES (2, 'uncommitted insert')"],
      [s2, 's2', "UPDATE t SET v = 'uncommitted update' WHERE id = 1"],
      [s3, 's3', 'SET synchronous_commit = off'],
      [s3, 's3', "INSERT INTO t VALUES (3, 'async commit')"],
    ];
    const xids: Record<string, string> = {};
    for (const [c, name, sql] of steps) {
      await c.query(sql);
      if (name === 's2' && sql.startsWith('INSERT')) xids.s2 = (await q(s2, 'SELECT pg_current_xact_id()::text AS x'))[0].x;
    }
    xids.s3 = (await q(s1, 'SELECT xmin::text AS x FROM t WHERE id = 3'))[0].x;
    xids.s1 = (await q(s1, 'SELECT xmin::text AS x FROM t WHERE id = 1'))[0].x;
    // give the wal writer time (> 3 x wal_writer_delay) so what reached the kernel is deterministic: everything
    // up to s3's asynchronous COMMIT, which includes s2's uncommitted changes that precede it in the log
    await new Promise((r) => setTimeout(r, 1000));
    const logBefore = readFileSync(cluster.logFile, 'utf8').length;
    cluster.crash();
    for (const c of [s1, s2, s3]) await c.end().catch(() => undefined);
    await cluster.start();
    const log = readFileSync(cluster.logFile, 'utf8').slice(logBefore);
    const c = await connect();
    const rows = await q(c, 'SELECT id, v, xmin::text, xmax::text FROM t ORDER BY id');
    const items = await q(c, "SELECT lp, lp_flags, t_xmin, t_xmax, t_ctid, t_infomask FROM heap_page_items(get_raw_page('t', 0))");
    const status: Record<string, string> = {};
    for (const [k, x] of Object.entries(xids)) {
      status[k] = await q(c, `SELECT pg_xact_status('${x}'::xid8) AS s`).then((r) => r[0].s, (e: Error) => `ERROR: ${e.message.replace(x, `xid+${Number(x) - Number(xids.s1)}`)}`);
    }
    await c.end();
    const recoveryLog = log.split('\n').filter((l) => /database system was|redo (starts|done)|automatic recovery|checkpoint starting: end-of-recovery|ready to accept/.test(l))
      .map((l) => l.replace(/^.*?(LOG|FATAL|ERROR):\s+/, '$1: ').replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \w+/g, '<time>').replace(/[0-9A-F]+\/[0-9A-F]+/g, '<lsn>').replace(/system usage: .*$/, 'system usage: <usage>'));
    const firstXid = Number(xids.s1);
    const norm = (x: string) => (/^\d+$/.test(x) && Number(x) >= firstXid - 5 ? `xid+${Number(x) - firstXid}` : x);
    const result = {
      recordedFrom: 'PostgreSQL 15 (Debian postgresql-15), fresh initdb, pg_ctl stop -m immediate then start',
      xidsRelativeTo: 's1 commit xid = xid+0',
      rowsAfterRecovery: rows.map((r) => ({ ...r, xmin: norm(r.xmin), xmax: norm(r.xmax) })),
      heapPageAfterRecovery: items.map((r) => ({ ...r, t_xmin: r.t_xmin && norm(r.t_xmin), t_xmax: r.t_xmax && norm(r.t_xmax) })),
      xactStatusAfterRecovery: status,
      recoveryLog,
    };
    mkdirSync('tests/durability', { recursive: true });
    writeFileSync(OUT, JSON.stringify(result, null, 1) + '\n');
    console.log(JSON.stringify(result, null, 1));
    console.log(`recorded ${OUT}`);
  } finally {
    cluster.stopSync();
    template.remove();
  }
}
main().catch((e) => { console.error(`record:crash: ${(e as Error).message}`); process.exitCode = 1; });
