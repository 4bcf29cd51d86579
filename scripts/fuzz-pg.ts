/**
 * npm run fuzz:pg -- --seed S --cases N: the differential fuzzer — random multi-session schedules run on a real
 * PostgreSQL 15 and on the engine, transcripts compared byte for byte.
 *
 *   --seed S        run seed (default 1; HEAPSCOPE_FUZZ_SEED also sets it); case i of seed S is always the same case
 *   --cases N       how many cases (default 100), numbered from --start (default 0)
 *   --jobs J        cases run concurrently, each in its own database of one shared cluster (default 4)
 *   --no-shrink     report failures without shrinking them
 *   --shrink-per-signature K   shrink (and write) at most K failures per distinct signature (default 1)
 *   --out DIR       where shrunk reproducers go (default tests/scenarios/fuzz)
 *   --known DIR     signatures of the reproducers in DIR (and tests/fuzz-hangs) still marked "#! differs" are known engine gaps: a case
 *                   failing with one counts as "known", not as a new failure, and is not shrunk again
 *                   (default tests/scenarios/fuzz; --no-known: every difference is a failure)
 *   --json FILE     write the counts and failures as JSON
 *   --verbose       print every case's verdict
 *   --show I        run case I of the seed only and print its spec and both transcripts
 *   --wide          the wide statement mix (lib/fuzz/generate.ts wideStmt: sublinks and joins in UPDATE / DELETE,
 *                   MERGE, writable CTEs, LIMIT with row locks, table and advisory locks, TRUNCATE, DDL); its cases
 *                   are named "Sw-I" and are other cases than those of seed S without it
 * Exit status 1 when any case failed (a known gap is no failure).
 *
 * Verdicts are explained in lib/fuzz/runcase.ts; a failure is classified by its first differing line
 * (lib/fuzz/compare.ts) and shrunk by lib/fuzz/shrink.ts into tests/scenarios/fuzz/, recorded on a fresh cluster.
 */
import { writeFileSync, readFileSync } from 'node:fs';
import { listScenarios, knownDifference } from './lib/scenarios.js';
import { initParser } from '../src/engine/sql/parser.js';
import { FuzzServer } from './lib/fuzz/pgside.js';
import { runCase, type Verdict, type Status } from './lib/fuzz/runcase.js';
import { shrinkAndWrite, HANG_DIR } from './lib/fuzz/reproduce.js';
import { ThreadedEngine } from './lib/fuzz/enginepool.js';
import { engineUnsupported } from './lib/fuzz/compare.js';

interface Args {
  show?: number; seed: number; cases: number; start: number; jobs: number; shrink: boolean;
  perSig: number; out: string; known: string | null; json?: string; verbose: boolean; wide: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { seed: Number(process.env.HEAPSCOPE_FUZZ_SEED ?? 1), cases: 100, start: 0, jobs: 4, shrink: true, perSig: 1, out: 'tests/scenarios/fuzz', known: 'tests/scenarios/fuzz', verbose: false, wide: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!, v = argv[i + 1];
    const num = () => { const n = Number(v); if (!Number.isInteger(n) || n < 0) throw new Error(`${k} needs a non-negative integer, not ${JSON.stringify(v)}`); i++; return n; };
    switch (k) {
      case '--seed': a.seed = num(); break;
      case '--cases': a.cases = num(); break;
      case '--start': a.start = num(); break;
      case '--jobs': a.jobs = Math.max(1, num()); break;
      case '--no-shrink': a.shrink = false; break;
      case '--shrink-per-signature': a.perSig = num(); break;
      case '--out': if (!v) throw new Error('--out needs a directory'); a.out = v; i++; break;
      case '--json': if (!v) throw new Error('--json needs a file'); a.json = v; i++; break;
      case '--known': if (!v) throw new Error('--known needs a directory'); a.known = v; i++; break;
      case '--no-known': a.known = null; break;
      case '--verbose': a.verbose = true; break;
      case '--wide': a.wide = true; break;
      case '--show': a.show = num(); break;
      default: throw new Error(`unknown option ${k} (see scripts/fuzz-pg.ts)`);
    }
  }
  if (!Number.isFinite(a.seed)) throw new Error('HEAPSCOPE_FUZZ_SEED must be a number');
  return a;
}

/** signature → reproducer, for reproducers still marked "#! differs" (the engine does not match them yet) */
function knownSignatures(dir: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const f of listScenarios(dir)) {
    const text = readFileSync(f, 'utf8');
    const sig = /^# fuzz-signature: (.+)$/m.exec(text)?.[1];
    if (sig && knownDifference(f)) m.set(sig.trim(), f);
  }
  return m;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  await initParser();
  const t0 = performance.now();
  const server = await FuzzServer.start(args.jobs);
  const startMs = performance.now() - t0;
  const engines = server.workers.map(() => new ThreadedEngine());
  if (args.show !== undefined) {
    try {
      const v = await runCase(args.seed, args.show, server.workers[0]!, engines[0]!, { wide: args.wide });
      console.log(`${v.spec}\n--- verdict: ${v.status}${v.pgGuided ? ' (scheduled on PostgreSQL)' : ''}${v.signature ? `\n--- signature: ${v.signature}` : ''}`);
      if (v.diff) console.log(`--- first difference, line ${v.diff.line}:\n  postgres: ${JSON.stringify(v.diff.pg)}\n  engine:   ${JSON.stringify(v.diff.engine)}`);
      console.log(`--- postgres:\n${v.pg}\n--- engine:\n${v.engine}`);
      if (v.pg2) console.log(`--- postgres, second run:\n${v.pg2}`);
    } finally { await server.stop(); for (const e of engines) await e.close(); }
    return;
  }
  const counts: Record<Status | 'known', number> = { pass: 0, fail: 0, known: 0, unsupported: 0, flaky: 0, racy: 0, stuck: 0 };
  const known = args.known ? new Map([...knownSignatures(args.known), ...knownSignatures(HANG_DIR)]) : new Map<string, string>();
  const bySig = new Map<string, { count: number; cases: string[]; reproducer?: string }>();
  const unsupported = new Map<string, number>();
  const knownHits = new Map<string, { count: number; cases: string[] }>();
  const failures: Verdict[] = [];
  let nextIndex = args.start;
  const end = args.start + args.cases;
  let done = 0;
  const tRun = performance.now();
  try {
    const worker = async (w: number) => {
      const db = server.workers[w]!;
      while (nextIndex < end) {
        const i = nextIndex++;
        const v = await runCase(args.seed, i, db, engines[w]!, { wide: args.wide });
        done++;
        if (v.status === 'fail' && known.has(v.signature!)) {
          counts.known++;
          const e = knownHits.get(v.signature!) ?? { count: 0, cases: [] };
          e.count++;
          if (e.cases.length < 20) e.cases.push(v.case.id);
          knownHits.set(v.signature!, e);
        } else counts[v.status]++;
        if (v.status === 'fail' && !known.has(v.signature!)) {
          failures.push(v);
          const e = bySig.get(v.signature!) ?? { count: 0, cases: [] };
          e.count++;
          if (e.cases.length < 20) e.cases.push(v.case.id);
          bySig.set(v.signature!, e);
          console.log(`case ${v.case.id}: FAIL  ${v.signature}`);
        } else if (v.status === 'unsupported') {
          const what = engineUnsupported(v.diff!, v.engine)!.replace(/^(\S+: )?ERROR:\s+/, '').replace(/\b(s\d+|vac)\b/g, 'S');
          unsupported.set(what, (unsupported.get(what) ?? 0) + 1);
        }
        if (args.verbose) console.log(`case ${v.case.id}: ${v.status}${v.pgGuided ? ' (scheduled on PostgreSQL)' : ''} ${v.ms.toFixed(0)} ms`);
        else if (done % 500 === 0) console.log(`... ${done} cases, ${((performance.now() - tRun) / 1000).toFixed(0)} s`);
      }
    };
    await Promise.all(server.workers.map((_, w) => worker(w)));
    const runMs = performance.now() - tRun;
    if (args.shrink) {
      const jobs: Verdict[] = [];
      for (const sig of bySig.keys()) jobs.push(...failures.filter((f) => f.signature === sig)
        .sort((a, b) => a.case.permutation.length - b.case.permutation.length).slice(0, args.perSig));
      const shrinker = async (w: number) => {
        for (let j = jobs.shift(); j; j = jobs.shift()) {
          const t = performance.now();
          const r = await shrinkAndWrite(j, server.workers[w]!, engines[w]!, server.freshTemplate, args.out, { verbose: args.verbose });
          if (!r) continue;
          const took = `${((performance.now() - t) / 1000).toFixed(0)} s, ${r.tests} tests`;
          if (r.stable) { bySig.get(j.signature!)!.reproducer = r.file; console.log(`shrunk case ${j.case.id}: ${r.fromSteps} → ${r.steps} steps (${took}) → ${r.file}`); } else console.log(`shrunk case ${j.case.id}: ${r.fromSteps} → ${r.steps} steps (${took}), but its fresh-cluster recording is not stable: not written`);
        }
      };
      await Promise.all(server.workers.map((_, w) => shrinker(w)));
    }
    console.log(`\nseed ${args.seed}, cases ${args.start}..${end - 1}: ${args.cases} cases in ${(runMs / 1000).toFixed(1)} s (${(args.cases / (runMs / 1000)).toFixed(2)} cases/s, ${args.jobs} jobs; cluster start ${(startMs / 1000).toFixed(1)} s)`);
    console.log(`  ${counts.pass} pass, ${counts.fail} fail, ${counts.known} known engine gaps, ${counts.unsupported} engine 0A000, ${counts.flaky} flaky on PostgreSQL, ${counts.racy} racy wake-ups, ${counts.stuck} stuck on PostgreSQL (the last three not counted)`);
    if (bySig.size) {
      console.log('\nfailures by first differing line:');
      for (const [sig, e] of [...bySig].sort((a, b) => b[1].count - a[1].count)) {
        console.log(`  ${String(e.count).padStart(5)}  ${sig}\n         e.g. case ${e.cases.slice(0, 5).join(', ')}${e.reproducer ? `  → ${e.reproducer}` : ''}`);
      }
    }
    if (knownHits.size) {
      console.log('\nknown engine gaps (a reproducer marked "#! differs" has this signature):');
      for (const [sig, e] of [...knownHits].sort((a, b) => b[1].count - a[1].count)) {
        console.log(`  ${String(e.count).padStart(5)}  ${sig}\n         e.g. case ${e.cases.slice(0, 5).join(', ')}  → ${known.get(sig)}`);
      }
    }
    if (unsupported.size) {
      console.log('\nengine refusals (0A000, not failures):');
      for (const [what, n] of [...unsupported].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(5)}  ${what}`);
    }
    if (args.json) {
      writeFileSync(args.json, JSON.stringify({
        seed: args.seed, start: args.start, cases: args.cases, jobs: args.jobs, seconds: runMs / 1000, counts,
        signatures: Object.fromEntries(bySig), known: Object.fromEntries(knownHits), unsupported: Object.fromEntries(unsupported),
      }, null, 1));
    }
  } finally {
    await server.stop();
    for (const e of engines) await e.close();
  }
  process.exit(counts.fail ? 1 : 0);
}

main().catch((e) => { console.error(e instanceof Error ? e.message : e); process.exit(2); });
