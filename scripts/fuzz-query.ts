/**
 * npm run fuzz:query -- --seed S --cases N: the query fuzzer — random single-session SELECTs (joins, WHERE trees,
 * GROUP BY, set operations, subqueries, ORDER BY / LIMIT) over small random tables, run on a real PostgreSQL 15 and
 * on the engine; their results compared. It hunts the worst bug a simulator can have: a silent wrong answer.
 *
 *   --seed S      run seed (default 1); case i of seed S is always the same case
 *   --cases N     how many cases (default 200), numbered from --start (default 0)
 *   --show I      print case I's statements and both results
 *   --only I,J,…  run only these cases (say, the failures of an earlier --json run)
 *   --json FILE   write the counts and failures as JSON
 *   --trace       print each statement to stderr before the engine runs it (to find one that hangs or crashes)
 *   --row-order   compare every result in order, with or without ORDER BY: the order PostgreSQL returns rows in
 *                 is its plan's (scan, join method, hash table), and the engine claims the same plan choices
 *
 * A statement passes when both sides give the same rows (as a multiset; in order where ORDER BY covers every output
 * column) and command tag, or both fail with the same SQLSTATE. The engine refusing with 0A000 counts as
 * "unsupported", not as a failure. After a statement that differs, the case stops (later ones would compare
 * different tables). Exit status 1 when any statement failed. The generator is lib/fuzz/querygen.ts.
 */
import pg from 'pg';
import { startClient } from './lib/pgcluster.js';
import { caseRng } from './lib/fuzz/prng.js';
import { genCase, type QueryCase } from './lib/fuzz/querygen.js';
import { initParser } from '../src/engine/sql/parser.js';
import { Engine } from '../src/engine/engine.js';
import { formatValue } from '../src/engine/sql/types.js';
import { writeFileSync } from 'node:fs';

interface Outcome { ok: boolean; sqlstate?: string; message?: string; command?: string; rows?: (string | null)[][] }

const args = process.argv.slice(2);
const opt = (k: string, d: number) => { const i = args.indexOf(k); return i >= 0 ? Number(args[i + 1]) : d; };
const SEED = opt('--seed', 1), CASES = opt('--cases', 200), START = opt('--start', 0), SHOW = opt('--show', -1);
const JSON_OUT = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;

/** node-postgres keeps only a tag's first word and its row count: compare those */
const tag = (t: string) => { const w = t.trim().split(/\s+/); const n = w[w.length - 1]!; return /^\d+$/.test(n) && w.length > 1 ? `${w[0]} ${n}` : w[0]!; };
const rawText = { getTypeParser: () => (v: string) => v };

async function onPg(c: pg.Client, sql: string): Promise<Outcome> {
  try {
    const r = await c.query({ text: sql, rowMode: 'array', types: rawText } as pg.QueryConfig);
    const res = Array.isArray(r) ? r[r.length - 1] : r;
    return { ok: true, command: tag(`${res.command} ${res.rowCount ?? ''}`), rows: res.fields.length ? (res.rows as (string | null)[][]) : undefined };
  } catch (e) {
    const err = e as { code?: string; message: string };
    return { ok: false, sqlstate: err.code, message: err.message };
  }
}

const TRACE = args.includes('--trace');
function onEngine(e: Engine, sql: string): Outcome {
  if (TRACE) process.stderr.write(`${sql}\n`);
  const out = e.execute('s', sql).outcome;
  if (out.error) return { ok: false, sqlstate: out.error.sqlstate, message: out.error.message };
  const r = out.results[out.results.length - 1]!;
  return { ok: true, command: tag(r.command), rows: r.columns?.length ? r.rows.map((row) => row.map((v) => formatValue(v))) : undefined };
}

const key = (row: (string | null)[]) => JSON.stringify(row);
const ROW_ORDER = args.includes('--row-order');
const ordered = (sql: string) => ROW_ORDER || /ORDER BY [0-9, DESCNULSFIRTA]+( LIMIT| OFFSET|$)/.test(sql) && !/\) (UNION|INTERSECT|EXCEPT)/.test(sql);

function same(sql: string, a: Outcome, b: Outcome): string | null {
  if (!a.ok || !b.ok) {
    if (!a.ok && !b.ok && a.sqlstate === b.sqlstate) return null;
    return `PostgreSQL: ${a.ok ? `ok ${a.command}` : `${a.sqlstate} ${a.message}`}; engine: ${b.ok ? `ok ${b.command}` : `${b.sqlstate} ${b.message}`}`;
  }
  if (a.command !== b.command) return `command tag: PostgreSQL ${a.command}, engine ${b.command}`;
  const ra = a.rows ?? [], rb = b.rows ?? [];
  if (ordered(sql)) {
    if (ra.map(key).join('\n') !== rb.map(key).join('\n')) return `rows (in order): PostgreSQL ${JSON.stringify(ra)}, engine ${JSON.stringify(rb)}`;
    return null;
  }
  const sa = ra.map(key).sort(), sb = rb.map(key).sort();
  if (sa.join('\n') !== sb.join('\n')) return `rows (as a multiset): PostgreSQL ${JSON.stringify(ra)}, engine ${JSON.stringify(rb)}`;
  return null;
}

await initParser();
const { client, stop } = await startClient();
const counts = { statements: 0, pass: 0, fail: 0, unsupported: 0, cases: 0 };
const failures: { case: number; setup: string[]; sql: string; diff: string }[] = [];
const unsupported = new Map<string, number>();
try {
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1]!.split(',').map(Number) : null;
  const range = SHOW >= 0 ? [SHOW] : only ?? Array.from({ length: CASES }, (_, i) => START + i);
  for (const i of range) {
    const c: QueryCase = genCase(caseRng(SEED, i));
    counts.cases++;
    await client.query(`DROP TABLE IF EXISTS ${c.tables.join(', ')} CASCADE`);
    const e = new Engine({ trace: false });
    e.createSession('s');
    let broken = false;
    for (const sql of c.setup) {
      const a = await onPg(client, sql), b = onEngine(e, sql);
      const d = same(sql, a, b);
      if (SHOW >= 0) console.log(sql, '\n  pg:', JSON.stringify(a), '\n  engine:', JSON.stringify(b));
      if (d) { broken = true; if (!(b.sqlstate === '0A000')) failures.push({ case: i, setup: c.setup, sql, diff: d }); break; }
    }
    if (broken) continue;
    for (const sql of c.queries) {
      counts.statements++;
      const a = await onPg(client, sql), b = onEngine(e, sql);
      if (SHOW >= 0) console.log(sql, '\n  pg:', JSON.stringify(a), '\n  engine:', JSON.stringify(b));
      if (!b.ok && (b.sqlstate === '0A000' || b.sqlstate === '54000') && a.ok) { // unsupported, or beyond a simulator limit
        counts.unsupported++;
        const what = (b.message ?? '').replace(/ is not supported.*/, '');
        unsupported.set(what, (unsupported.get(what) ?? 0) + 1);
        if (/^(UPDATE|DELETE|INSERT)/.test(sql)) break; // the tables differ from here on
        continue;
      }
      const d = same(sql, a, b);
      if (d) { counts.fail++; failures.push({ case: i, setup: c.setup, sql, diff: d }); break; }
      counts.pass++;
    }
  }
} finally {
  await stop();
}
for (const f of failures.slice(0, 20)) console.log(`\ncase ${f.case}:\n  ${f.setup.join(';\n  ')};\n  ${f.sql};\n  -> ${f.diff.slice(0, 600)}`);
console.log(`\nunsupported (engine 0A000 where PostgreSQL answers): ${[...unsupported].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ×${v}`).join('; ') || 'none'}`);
console.log(`seed ${SEED}, ${counts.cases} cases: ${counts.statements} statements, ${counts.pass} pass, ${counts.fail} fail, ${counts.unsupported} unsupported; ${failures.length - counts.fail} setups differ`);
if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ counts, failures, unsupported: Object.fromEntries(unsupported) }, null, 1));
process.exit(failures.length ? 1 : 0);
