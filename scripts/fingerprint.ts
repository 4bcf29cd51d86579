/**
 * npx tsx scripts/fingerprint.ts: one SHA-256 over everything a workload of the engine's hot paths makes visible —
 * every statement's outcome (rows, command tags, errors, notices, trace events), every WAL record (pg_waldump line
 * and REDO payload), every heap page's bytes and the inspector's state. A speed change must leave it unchanged:
 * run it before and after (on the same ROWS / TX) and compare the last line. `--parts` prints one hash per part.
 *
 * The workload: the bench's bulk INSERT and UPDATE transaction (smaller), autocommitted single-row UPDATEs with
 * trace on, and around them what invalidates cached work — ALTER TABLE, CREATE / DROP INDEX, ANALYZE, search_path,
 * prepared statements, SERIALIZABLE and REPEATABLE READ transactions, two sessions waiting on one row, DELETE,
 * VACUUM, CHECKPOINT.
 */
import { createHash } from 'node:crypto';
import { Engine } from '../src/engine/engine.js';
import { initParser } from '../src/engine/sql/parser.js';
import { snapshotOfState } from '../src/engine/inspect/inspect.js';
import { heapPageImage } from '../src/engine/contrib/rawpage.js';

const N = Number(process.env.ROWS ?? 20000);
const TX = Number(process.env.TX ?? 1500);
await initParser();
const e = new Engine({ trace: true });
for (const n of ['s', 'b']) e.createSession(n);
const outcomes = createHash('sha256');
const ex = (sql: string, who = 's') => {
  const r = e.execute(who, sql);
  if (process.env.SHOW && (r.outcome.error || r.outcome.status !== 'done')) console.log(who, sql, r.outcome.status, r.outcome.error?.message);
  outcomes.update(JSON.stringify(r) + '\n');
};
const single = (from: number, count: number, table = 'data', col = 'val') => {
  for (let i = from; i < from + count; i++) ex(`UPDATE ${table} SET ${col} = ${col} + ${i % 3} WHERE id = ${1 + ((i * 7919) % N)}`);
};

ex('CREATE TABLE data(id int PRIMARY KEY, val int)');
ex(`INSERT INTO data SELECT g, 0 FROM generate_series(1, ${N}) g`);
ex('BEGIN'); ex(`UPDATE data SET val = val + 1 WHERE id <= ${N / 2}`); ex(`UPDATE data SET val = val + 1 WHERE id > ${N / 2}`); ex('COMMIT');
single(0, TX);
ex('SELECT count(*), sum(val) FROM data');
// DDL between statements of the same text
ex('ALTER TABLE data ADD COLUMN note text DEFAULT \'x\'');
single(TX, 50);
ex('CREATE INDEX data_val ON data(val)');
single(TX + 50, 50);
ex('ANALYZE data');
single(TX + 100, 50);
ex('DROP INDEX data_val');
single(TX + 150, 50);
ex('ALTER TABLE data ALTER COLUMN val TYPE bigint');
single(TX + 200, 50);
ex('UPDATE data SET val = val + 1 WHERE id = 3 RETURNING *');
ex('UPDATE data SET id = id + 0, val = 7 WHERE id = 4 RETURNING id, val, note');
ex(`UPDATE data SET id = id + ${N} WHERE id = 5`);
ex('DELETE FROM data WHERE id = 6');
ex('DELETE FROM data WHERE id = 6');
ex('UPDATE data SET val = 1 WHERE id = 999999999');
ex('UPDATE data SET val = val / 0 WHERE id = 7');
ex('UPDATE data SET nosuch = 1 WHERE id = 7');
// search_path: the same text names another table
ex('CREATE SCHEMA other'); ex('CREATE TABLE other.data(id int PRIMARY KEY, val int)');
ex('INSERT INTO other.data SELECT g, 100 FROM generate_series(1, 50) g');
ex('SET search_path = other, public'); single(0, 20); ex('RESET search_path'); single(0, 20);
ex('SELECT id, val FROM other.data ORDER BY id LIMIT 5');
// prepared statements across DDL
ex('PREPARE up(int) AS UPDATE data SET val = val + 1 WHERE id = $1');
for (let i = 10; i < 20; i++) ex(`EXECUTE up(${i})`);
ex('ALTER TABLE data ADD COLUMN extra int DEFAULT 5');
for (let i = 10; i < 20; i++) ex(`EXECUTE up(${i})`);
// isolation levels and predicate locks
for (const iso of ['SERIALIZABLE', 'REPEATABLE READ']) {
  ex(`BEGIN ISOLATION LEVEL ${iso}`); single(300, 20); ex('COMMIT');
  ex(`BEGIN ISOLATION LEVEL ${iso}`, 'b'); ex('UPDATE data SET val = val + 1 WHERE id = 1', 'b');
  ex(`BEGIN ISOLATION LEVEL ${iso}`); ex('UPDATE data SET val = val + 1 WHERE id = 2'); ex('UPDATE data SET val = val + 1 WHERE id = 1');
  ex('COMMIT', 'b'); outcomes.update(JSON.stringify(e.advanceToNextTimer())); ex('ROLLBACK');
}
ex('BEGIN', 'b'); ex('UPDATE data SET val = val + 1 WHERE id = 8', 'b');
ex('UPDATE data SET val = val + 1 WHERE id = 8'); ex('COMMIT', 'b'); outcomes.update(JSON.stringify(e.advanceToNextTimer()));
ex('VACUUM data'); single(400, 100); ex('CHECKPOINT'); single(500, 100);
ex('SELECT count(*), sum(val), min(id), max(id) FROM data');

const wal = createHash('sha256');
for (let i = 0; i < e.wal.count; i++) wal.update(e.wal.dumpLine(i) + JSON.stringify(e.wal.payloadOf(i), (_, v) => (v instanceof Uint8Array ? [...v] : typeof v === 'bigint' ? String(v) : v)) + '\n');
const pages = createHash('sha256');
for (const t of e.catalog.tables.values()) {
  const types = t.columns.map((c) => c.type);
  for (const p of t.heap.pages) { const img = heapPageImage(p, types); pages.update(img ?? 'null'); }
}
const state = createHash('sha256').update(JSON.stringify(snapshotOfState(e)));
const parts = { outcomes: outcomes.digest('hex'), wal: wal.digest('hex'), pages: pages.digest('hex'), state: state.digest('hex') };
if (process.argv.includes('--parts')) for (const [k, v] of Object.entries(parts)) console.log(k.padEnd(9), v);
console.log(`WAL records ${e.wal.count}; fingerprint ${createHash('sha256').update(Object.values(parts).join()).digest('hex')}`);
