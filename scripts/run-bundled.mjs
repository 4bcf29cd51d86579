#!/usr/bin/env node
/**
 * Run a TypeScript script the way the app ships the engine: bundled by esbuild (no tsx loader, no keepNames
 * helpers), then executed by node. Used by the benchmarks so they measure production-shaped code.
 * usage: node scripts/run-bundled.mjs scripts/bench.ts [args...]
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { basename } from 'node:path';

const [entry, ...args] = process.argv.slice(2);
mkdirSync('.tmp/bundled', { recursive: true });
const outfile = `.tmp/bundled/${basename(entry).replace(/\.ts$/, '.mjs')}`;
await build({
  entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile,
  external: ['libpg-query', 'libpg-query-plpgsql', '@electric-sql/pglite', 'pg'], logLevel: 'warning',
  banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
});
const r = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=4096', outfile, ...args], { stdio: 'inherit' });
process.exit(r.status ?? 1);
