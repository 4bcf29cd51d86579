/**
 * npm run record -- FILE...: run each scenario against a real PostgreSQL 15 and write FILE.out (stdout) beside
 * it, and FILE.err when the run printed to stderr (a failed setup, a timed-out step; removed when it did not).
 * Each scenario runs in a fresh throwaway cluster (see lib/pgcluster.ts), which is always removed.
 * A scenario that cannot be recorded (bad file, a driver failure) writes nothing.
 * Files under tests/spec-errors/ are malformed on purpose: for those, PostgreSQL's isolationtester itself reads
 * the file (it rejects it before connecting anywhere) and its stderr is written to FILE.err.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { Template, Cluster } from './lib/pgcluster.js';
import { PgDriver } from './lib/pgdriver.js';
import { runScenario, type RunResult } from '../src/scenario/runner.js';
import { ScenarioError } from '../src/scenario/spec.js';
import { loadScenario, expectedPath, expectedErrPath, listScenarios, writeRecording, SPEC_ERRORS_ROOT } from './lib/scenarios.js';

export const ISOLATIONTESTER = process.env.ISOLATIONTESTER ?? '/usr/lib/postgresql/15/lib/pgxs/src/test/isolation/isolationtester';

/** What the isolationtester prints for a spec it rejects (no server: it checks the file before connecting). */
export function testerRejection(file: string): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(ISOLATIONTESTER, ['host=127.0.0.1 port=1 connect_timeout=1'], { input: readFileSync(file), encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}
const isSpecError = (f: string) => f.replace(/\\/g, '/').includes(`${SPEC_ERRORS_ROOT}/`);

export async function recordTranscript(file: string, template: Template): Promise<RunResult> {
  const sc = loadScenario(file);
  const cluster = new Cluster(template);
  try {
    await cluster.start(sc.server);
    return await runScenario(sc, new PgDriver(cluster.connection, {
      crash: () => cluster.crash(),
      restart: async () => { await cluster.start(sc.server); return cluster.connection; } }));
  } finally {
    cluster.stopSync();
  }
}

async function main() {
  let files = process.argv.slice(2);
  if (files.length === 1 && files[0] === '--all') files = listScenarios();
  if (!files.length) { console.error('usage: npm run record -- FILE.spec [...] | --all'); process.exit(2); }
  let failed = 0;
  for (const f of files.filter(isSpecError)) {
    const r = testerRejection(f);
    if (r.status === 1 && !r.stdout && r.stderr) { writeFileSync(expectedErrPath(f), r.stderr); console.log(`recorded ${expectedErrPath(f)}`); } else { failed++; console.error(`${f}: the isolationtester did not reject it (status ${r.status}): ${r.stderr || r.stdout}`); }
  }
  files = files.filter((f) => !isSpecError(f));
  if (!files.length) process.exit(failed ? 1 : 0);
  for (const f of files) loadScenario(f); // fail fast on malformed files, before starting any server
  const template = new Template();
  try {
    for (const f of files) {
      const t0 = Date.now();
      try {
        const r = await recordTranscript(f, template);
        writeRecording(f, r);
        console.log(`recorded ${expectedPath(f)}${r.stderr ? ' and .err' : ''} (${Date.now() - t0} ms${r.exitCode ? ', exit status 1' : ''})`);
      } catch (e) {
        failed++;
        console.error(e instanceof ScenarioError ? e.message : `${f}: ${(e as Error).message}`);
      }
    }
  } finally {
    template.remove();
  }
  process.exit(failed ? 1 : 0);
}

if (process.argv[1]?.endsWith('record.ts')) main().catch((e) => { console.error(e instanceof ScenarioError ? e.message : e); process.exit(1); });
