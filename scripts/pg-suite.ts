/**
 * npm run conformance:pg-suite: PostgreSQL 15's own isolation tests (../shared/reference/pg15-isolation-suite, 67 of
 * them with their upstream expected output) run through the engine with the scenario runner. Prints, per test,
 * whether the engine's output equals the expected file (or one of its accepted alternatives NAME_N.out) and, for a
 * failing test, the first feature it lacks (the first "not supported by Heapscope" error) or its first differing
 * line; then "N of 67 match PostgreSQL's expected output". An external yardstick, not a CI gate: the figure is in
 * README and must never drop.
 * Options: --json FILE (the rows), a test name to run just that one.
 */
import { readFileSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSpec } from '../src/scenario/spec.js';
import { runScenario } from '../src/scenario/runner.js';
import { EngineDriver } from '../src/scenario/engineDriver.js';
import { initParser } from '../src/engine/sql/parser.js';

const ROOT = process.env.PG_SUITE ?? join('..', 'shared', 'reference', 'pg15-isolation-suite');
const args = process.argv.slice(2);
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
const only = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--json');
if (!existsSync(join(ROOT, 'specs'))) { console.error(`no PostgreSQL isolation suite at ${ROOT} (set PG_SUITE)`); process.exit(2); }
await initParser();
const names = readdirSync(join(ROOT, 'specs')).filter((f) => f.endsWith('.spec')).map((f) => f.replace(/\.spec$/, '')).filter((n) => !only.length || only.includes(n)).sort();
const rows: { test: string; match: boolean; reason: string }[] = [];
// the timer is cleared once the test settles: an uncleared one kept the process alive for a minute after the last test
const timeout = async <T>(p: Promise<T>, ms: number): Promise<T> => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, rej) => { timer = setTimeout(() => rej(new Error(`no result after ${ms / 1000} s`)), ms); })]);
  } finally { clearTimeout(timer); }
};
for (const name of names) {
  const expected = readdirSync(join(ROOT, 'expected')).filter((f) => f === `${name}.out` || new RegExp(`^${name}_\\d+\\.out$`).test(f)).map((f) => readFileSync(join(ROOT, 'expected', f), 'utf8'));
  let out = '', err = '', reason = '';
  try {
    const sc = parseSpec(readFileSync(join(ROOT, 'specs', `${name}.spec`), 'utf8'), `${name}.spec`);
    const r = await timeout(runScenario(sc, new EngineDriver()), 60_000);
    // pg_regress writes the tester's stderr into the same file: its spec warnings ("unused step name: x") come first
    const warnings = r.stderr.split('\n').filter((l) => /^unused step name: /.test(l));
    out = (warnings.length ? warnings.join('\n') + '\n' : '') + r.stdout; err = r.stderr;
  } catch (e) {
    reason = `the runner failed: ${(e as Error).message.split('\n')[0]}`;
  }
  const match = !reason && expected.some((x) => x === out);
  if (!match && !reason) {
    const unsupported = /ERROR:\s+(.*? is not supported by Heapscope)/.exec(err + out);
    const setupFailed = /^(setup failed|.*setup.*failed)[^\n]*\n?(?:ERROR:\s+)?([^\n]*)/m.exec(err);
    if (unsupported) reason = `needs ${unsupported[1]!.replace(/ is not supported by Heapscope$/, '')}`;
    else if (err.trim() && setupFailed) reason = `setup fails: ${err.split('\n').find((l) => /ERROR/.test(l))?.trim().slice(0, 110) ?? err.split('\n')[0]}`;
    else {
      const a = out.split('\n'), b = (expected[0] ?? '').split('\n');
      const i = a.findIndex((l, k) => l !== b[k]);
      reason = `differs at line ${i + 1}: expected ${JSON.stringify((b[i] ?? '<end>').slice(0, 100))}, got ${JSON.stringify((a[i] ?? '<end>').slice(0, 100))}`;
    }
  }
  rows.push({ test: name, match, reason });
  console.log(`${name.padEnd(36)} ${match ? 'match' : reason}`);
}
const matched = rows.filter((r) => r.match).length;
console.log(`\n${matched} of ${rows.length} match PostgreSQL's expected output`);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ matched, total: rows.length, rows }, null, 1));
