/**
 * npm run bench: the seed article's WAL workload through the engine (WAL and tracing on) and through PGlite
 * (PostgreSQL compiled to WASM) in the same process, side by side; plus single-row UPDATE transactions/s.
 *
 *   INSERT INTO data SELECT g, 0 FROM generate_series(1, 400000) g;
 *   BEGIN; UPDATE data SET val = val + 1 WHERE id <= 200000; UPDATE data SET val = val + 1 WHERE id > 200000; COMMIT;
 *
 * Runs alternate engine / PGlite (RUNS each, default 5) and report medians. Targets (issue): engine ≤ 0.4×
 * PGlite's time on the whole workload, < 400 MB heap, ≥ 20,000 single-row UPDATE transactions per second.
 * Heap is sampled (after a forced GC at the start) after every statement; the maximum is reported.
 */
import { Engine } from '../src/engine/engine.js';
import { initParser } from '../src/engine/sql/parser.js';

const RUNS = Number(process.env.RUNS ?? 5);
const N = Number(process.env.ROWS ?? 400000);
const TX = Number(process.env.TX ?? 10000);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const now = () => performance.now();

const INSERT = `INSERT INTO data SELECT g, 0 FROM generate_series(1, ${N}) g`;
const UPD1 = `UPDATE data SET val = val + 1 WHERE id <= ${N / 2}`;
const UPD2 = `UPDATE data SET val = val + 1 WHERE id > ${N / 2}`;

async function engineRun() {
  gc();
  const base = process.memoryUsage().heapUsed;
  let peak = 0;
  const sample = () => { peak = Math.max(peak, process.memoryUsage().heapUsed - base); };
  const e = new Engine({ trace: true });
  e.createSession('s');
  const ex = (sql: string) => {
    const r = e.execute('s', sql);
    if (r.outcome.error) throw new Error(`${sql}: ${r.outcome.error.message}`);
    sample();
    return r;
  };
  ex('CREATE TABLE data(id int PRIMARY KEY, val int)');
  let t = now();
  ex(INSERT);
  const insert = now() - t;
  t = now();
  ex('BEGIN'); ex(UPD1); ex(UPD2); ex('COMMIT');
  const update = now() - t;
  const wal = e.wal.count;
  const check = e.execute('s', 'SELECT count(*), sum(val) FROM data').outcome.results[0]!.rows[0];
  return { insert, update, wal, peakMB: peak / 1e6, check };
}

async function pgliteRun() {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create();
  await db.exec('CREATE TABLE data(id int PRIMARY KEY, val int)');
  let t = now();
  await db.exec(INSERT);
  const insert = now() - t;
  t = now();
  await db.exec('BEGIN'); await db.exec(UPD1); await db.exec(UPD2); await db.exec('COMMIT');
  const update = now() - t;
  const r = await db.query<{ count: number; sum: number }>('SELECT count(*)::int AS count, sum(val)::int AS sum FROM data');
  await db.close();
  return { insert, update, check: [String(r.rows[0]!.count), String(r.rows[0]!.sum)] };
}

async function engineTx() {
  const e = new Engine({ trace: true });
  e.createSession('s');
  e.execute('s', 'CREATE TABLE data(id int PRIMARY KEY, val int)');
  e.execute('s', `INSERT INTO data SELECT g, 0 FROM generate_series(1, ${N}) g`);
  const t = now();
  for (let i = 0; i < TX; i++) e.execute('s', `UPDATE data SET val = val + 1 WHERE id = ${1 + ((i * 7919) % N)}`);
  return TX / ((now() - t) / 1000);
}

async function pgliteTx() {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create();
  await db.exec('CREATE TABLE data(id int PRIMARY KEY, val int)');
  await db.exec(`INSERT INTO data SELECT g, 0 FROM generate_series(1, ${N}) g`);
  const t = now();
  for (let i = 0; i < TX; i++) await db.exec(`UPDATE data SET val = val + 1 WHERE id = ${1 + ((i * 7919) % N)}`);
  const r = TX / ((now() - t) / 1000);
  await db.close();
  return r;
}

await initParser();
const eng: Awaited<ReturnType<typeof engineRun>>[] = [];
const pgl: Awaited<ReturnType<typeof pgliteRun>>[] = [];
for (let i = 0; i < RUNS; i++) {
  eng.push(await engineRun());
  pgl.push(await pgliteRun());
  console.error(`run ${i + 1}/${RUNS}: engine ${(eng[i]!.insert + eng[i]!.update).toFixed(0)} ms, PGlite ${(pgl[i]!.insert + pgl[i]!.update).toFixed(0)} ms`);
}
const eIns = median(eng.map((r) => r.insert)), eUpd = median(eng.map((r) => r.update));
const pIns = median(pgl.map((r) => r.insert)), pUpd = median(pgl.map((r) => r.update));
const etx = median([await engineTx(), await engineTx(), await engineTx()]);
const ptx = await pgliteTx();
const same = JSON.stringify(eng[0]!.check) === JSON.stringify(pgl[0]!.check);
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(`Seed WAL workload (${N.toLocaleString('en')} rows), medians of ${RUNS} runs, side by side in one process:`);
console.log(`                       engine        PGlite      ratio`);
console.log(`  INSERT ${N}       ${fmt(eIns).padStart(8)}    ${fmt(pIns).padStart(8)}     ${(eIns / pIns).toFixed(2)}x`);
console.log(`  UPDATE transaction   ${fmt(eUpd).padStart(8)}    ${fmt(pUpd).padStart(8)}     ${(eUpd / pUpd).toFixed(2)}x`);
console.log(`  whole workload       ${fmt(eIns + eUpd).padStart(8)}    ${fmt(pIns + pUpd).padStart(8)}     ${((eIns + eUpd) / (pIns + pUpd)).toFixed(2)}x   (target <= 0.40x)`);
console.log(`  engine WAL records: ${eng[0]!.wal.toLocaleString('en')}; engine peak heap: ${Math.max(...eng.map((r) => r.peakMB)).toFixed(0)} MB (target < 400 MB)`);
console.log(`  results agree (count, sum(val)): ${same ? 'yes' : `NO: engine ${eng[0]!.check} vs PGlite ${pgl[0]!.check}`}`);
console.log(`Single-row UPDATE transactions/s: engine ${etx.toFixed(0)}, PGlite ${ptx.toFixed(0)} (${(etx / ptx).toFixed(1)}x; target >= 20,000/s)`);
