/**
 * npx tsx scripts/fuzz-explain.ts FAILURES.json [N ...]: for failures that `fuzz-query.ts --json` wrote, run each
 * case's setup on a throwaway PostgreSQL 15 and on the engine and print both EXPLAINs of the failing statement
 * (PostgreSQL's with costs, the engine's with COSTS OFF) — to see which plan choice makes the row order differ.
 *   --costs   print the engine's costs too
 */
import { readFileSync } from 'node:fs';
import { startClient } from './lib/pgcluster.js';
import { initParser } from '../src/engine/sql/parser.js';
import { Engine } from '../src/engine/engine.js';
import { formatValue } from '../src/engine/sql/types.js';

const args = process.argv.slice(2);
const file = args[0]!;
const costs = args.includes('--costs');
const pick = args.slice(1).filter((a) => /^\d+$/.test(a)).map(Number);
const { failures } = JSON.parse(readFileSync(file, 'utf8')) as { failures: { case: number; setup: string[]; sql: string; diff: string }[] };
await initParser();
const { client, stop } = await startClient();
try {
  for (const [i, f] of failures.entries()) {
    if (pick.length && !pick.includes(i)) continue;
    await client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    const e = new Engine({ trace: false });
    e.createSession('s');
    for (const sql of f.setup) { await client.query(sql); e.execute('s', sql); }
    console.log(`\n#${i} case ${f.case}: ${f.sql}\n  ${f.diff.slice(0, 400)}`);
    const r = await client.query(`EXPLAIN ${f.sql}`);
    console.log('--- PostgreSQL\n' + r.rows.map((x: Record<string, string>) => x['QUERY PLAN']).join('\n'));
    const out = e.execute('s', `EXPLAIN ${costs ? '' : '(COSTS OFF) '}${f.sql}`).outcome;
    if (out.error) console.log('--- engine: ERROR', out.error.message);
    else console.log('--- engine\n' + out.results[out.results.length - 1]!.rows.map((row) => formatValue(row[0]!)).join('\n'));
  }
} finally {
  await stop();
}
