/**
 * npm run bench:redo — crash recovery speed (issue #5): the seed's workload (400,000-row INSERT, then one
 * transaction updating every row), a crash right after its COMMIT, and crash recovery. Reports REDO records per
 * second for the engine and, from the same run, for a real PostgreSQL 15 server doing the same (a throwaway
 * cluster killed with an immediate shutdown; its own log's "redo starts at" / "redo done at ... elapsed" lines, and
 * pg_waldump --stats for how many records that range holds). Target: engine >= 3 million records/s.
 * Not a test: it prints figures. ROWS (default 400000) and RUNS (default 3) can be set in the environment.
 */
import { readFileSync, mkdtempSync, cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { Engine } from '../src/engine/engine.js';
import { initParser } from '../src/engine/sql/parser.js';
import { Template, Cluster, PG_BIN } from './lib/pgcluster.js';

const N = Number(process.env.ROWS ?? 400000);
const RUNS = Number(process.env.RUNS ?? 3);
const WORKLOAD = [
  'CREATE TABLE data(id int PRIMARY KEY, val int)',
  `INSERT INTO data SELECT g, 0 FROM generate_series(1, ${N}) g`,
  'BEGIN',
  `UPDATE data SET val = val + 1 WHERE id <= ${N / 2}`,
  `UPDATE data SET val = val + 1 WHERE id > ${N / 2}`,
  'COMMIT',
];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function engineRun() {
  const e = new Engine({ trace: false });
  e.createSession('s');
  for (const sql of WORKLOAD) { const r = e.execute('s', sql); if (r.outcome.error) throw new Error(`${sql}: ${r.outcome.error.message}`); }
  const heapBefore = process.memoryUsage().heapUsed;
  e.crash();
  const t = performance.now();
  let redoMs = 0;
  const { report } = e.restart({ onRedoDone: () => { redoMs = performance.now() - t; } });
  const totalMs = performance.now() - t;
  const ms = redoMs;
  const check = e.execute('s', 'SELECT count(*), sum(val) FROM data').outcome.results[0]!.rows[0];
  return { records: report.replayed, ms, totalMs, check, heapMB: heapBefore / 1e6 };
}

async function postgresRun(template: Template) {
  const cluster = new Cluster(template);
  try {
    await cluster.start();
    const c = new pg.Client(cluster.connection);
    c.on('error', () => undefined);
    await c.connect();
    for (const sql of WORKLOAD) await c.query(sql);
    await c.end();
    const logBefore = readFileSync(cluster.logFile, 'utf8').length;
    cluster.crash();
    // keep the WAL as the crash left it: the end-of-recovery checkpoint may recycle the segments REDO read
    const walCopy = mkdtempSync(join(tmpdir(), 'heapscope-wal-'));
    cpSync(join(cluster.data, 'pg_wal'), walCopy, { recursive: true });
    await cluster.start();
    const log = readFileSync(cluster.logFile, 'utf8').slice(logBefore);
    const start = /redo starts at ([0-9A-F]+\/[0-9A-F]+)/.exec(log)?.[1];
    const done = /redo done at ([0-9A-F]+\/[0-9A-F]+) system usage: .*elapsed: ([\d.]+) s/.exec(log);
    if (!start || !done) throw new Error(`no redo lines in the server log:\n${log}`);
    const dump = spawnSync(join(PG_BIN, 'pg_waldump'), ['--stats', '-p', walCopy, '-s', start, '-e', done[1]!], { encoding: 'utf8' });
    rmSync(walCopy, { recursive: true, force: true });
    if (dump.status !== 0) throw new Error(`pg_waldump failed: ${dump.stderr}`);
    const stats = dump.stdout;
    const total = /Total\s+(\d+)/.exec(stats)?.[1];
    const c2 = new pg.Client(cluster.connection);
    await c2.connect();
    const r = await c2.query('SELECT count(*)::text AS n, sum(val)::text AS s FROM data');
    await c2.end();
    return { records: Number(total) + 1, ms: Number(done[2]) * 1000, check: [r.rows[0].n, r.rows[0].s] };
  } finally {
    cluster.stopSync();
  }
}

await initParser();
let template: Template | null = null;
try { template = new Template(); } catch (e) { console.error(`PostgreSQL 15 not available (${(e as Error).message}); engine figures only`); }
const eng: ReturnType<typeof engineRun>[] = [];
const pgs: Awaited<ReturnType<typeof postgresRun>>[] = [];
try {
  for (let i = 0; i < RUNS; i++) {
    eng.push(engineRun());
    if (template) pgs.push(await postgresRun(template));
    console.error(`run ${i + 1}/${RUNS}: engine ${eng[i]!.records} records, REDO ${eng[i]!.ms.toFixed(0)} ms${pgs[i] ? `; PostgreSQL ${pgs[i]!.records} records in ${pgs[i]!.ms.toFixed(0)} ms` : ''}`);
  }
} finally {
  template?.remove();
}
const rate = (r: { records: number; ms: number }) => r.records / (r.ms / 1000);
const eRate = median(eng.map(rate));
console.log(`Crash recovery after the seed workload (${N.toLocaleString('en')} rows, INSERT + one UPDATE transaction), medians of ${RUNS} runs:`);
console.log(`  engine:        ${eng[0]!.records.toLocaleString('en')} records replayed, REDO ${median(eng.map((r) => r.ms)).toFixed(0)} ms, ${(eRate / 1e6).toFixed(2)} M records/s (target >= 3 M/s); with the end-of-recovery checkpoint ${median(eng.map((r) => r.totalMs)).toFixed(0)} ms; heap before the crash ${eng[0]!.heapMB.toFixed(0)} MB`);
if (pgs.length) {
  const pRate = median(pgs.map(rate));
  console.log(`  PostgreSQL 15: ${pgs[0]!.records.toLocaleString('en')} records replayed (pg_waldump --stats between its redo start and done), ${median(pgs.map((r) => r.ms)).toFixed(0)} ms (its log's elapsed), ${(pRate / 1e6).toFixed(2)} M records/s`);
  console.log(`  ratio engine / PostgreSQL: ${(eRate / pRate).toFixed(2)}x records/s`);
  console.log(`  results after recovery agree (count, sum(val)): ${JSON.stringify(eng[0]!.check) === JSON.stringify(pgs[0]!.check) ? 'yes' : `NO: engine ${eng[0]!.check} vs PostgreSQL ${pgs[0]!.check}`}`);
}
