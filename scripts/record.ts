/**
 * npm run record -- FILE...: run each scenario against a real PostgreSQL 15 and write FILE.out beside it.
 * Each scenario runs in a fresh throwaway cluster (see lib/pgcluster.ts), which is always removed.
 * A scenario that cannot be recorded (bad file, a step that can never finish) writes nothing.
 */
import { writeFileSync } from 'node:fs';
import { Template, Cluster } from './lib/pgcluster.js';
import { PgDriver } from './lib/pgdriver.js';
import { runScenario } from '../src/engine/scenario/runner.js';
import { ScenarioError } from '../src/engine/scenario/spec.js';
import { loadScenario, expectedPath, listScenarios } from './lib/scenarios.js';

export async function recordTranscript(file: string, template: Template): Promise<string> {
  const sc = loadScenario(file);
  const cluster = new Cluster(template);
  try {
    await cluster.start();
    return await runScenario(sc, new PgDriver(cluster.connection, { crash: () => cluster.crash(), restart: async () => { await cluster.start(); return cluster.connection; } }));
  } finally {
    cluster.stopSync();
  }
}

async function main() {
  let files = process.argv.slice(2);
  if (files.length === 1 && files[0] === '--all') files = listScenarios();
  if (!files.length) { console.error('usage: npm run record -- FILE.spec [...] | --all'); process.exit(2); }
  for (const f of files) loadScenario(f); // fail fast on malformed files, before starting any server
  const template = new Template();
  let failed = 0;
  try {
    for (const f of files) {
      const t0 = Date.now();
      try {
        const out = await recordTranscript(f, template);
        writeFileSync(expectedPath(f), out);
        console.log(`recorded ${expectedPath(f)} (${Date.now() - t0} ms)`);
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
