/**
 * From a failing fuzz case to a reproducer in the conformance suite.
 *
 * The case is shrunk (shrink.ts) with the predicate "PostgreSQL prints the same transcript twice and the engine
 * still differs with the same signature", its steps are renumbered, and it is written to
 * tests/scenarios/fuzz/seed-S-case-I.spec with a `#! differs:` line saying what differs (so the conformance
 * suite lists it as a known gap until the engine is fixed — then the scenario test fails and the marker must go)
 * and its recording (.out), made by the ordinary recorder on a fresh cluster, twice, to be sure it is stable.
 * A case on which the engine loops forever goes to tests/fuzz-hangs/ instead (see HANG_DIR).
 */
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { renderSpec, type FuzzCase } from './model.js';
import { shrinkCase, withPermutation } from './shrink.js';
import { signature, describeDifference, firstDifference, engineUnsupported, RUNNER_ERROR } from './compare.js';
import { pgRun, type Verdict } from './runcase.js';
import { racyBefore, transcriptText } from './enginerun.js';
import type { RunResult } from '../../../src/scenario/runner.js';
import { ENGINE_HANG, type EngineSide } from './enginepool.js';

/** Reproducers on which the engine never finishes (see shrinkAndWrite). */
export const HANG_DIR = 'tests/fuzz-hangs';
import type { WorkerDb } from './pgside.js';
import { VACUUM_SESSION } from './generate.js';
import type { Template } from '../pgcluster.js';
import { recordTranscript } from '../../record.js';
import { writeRecording } from '../scenarios.js';

export interface Reproducer { file: string; steps: number; fromSteps: number; tests: number; stable: boolean; signature: string }

/** Sessions renamed s1, s2, ... and steps s1_1, s1_2, ... in order (names never change behaviour). */
export function renumber(c: FuzzCase): FuzzCase {
  const rename = new Map<string, string>();
  let n = 0;
  const sessions = c.sessions.map((s) => {
    const sname = s.name === VACUUM_SESSION ? s.name : `s${++n}`;
    return {
      ...s,
      name: sname,
      steps: s.steps.map((st, i) => { const name = `${sname}_${i + 1}`; rename.set(st.name, name); return { ...st, name }; }),
    };
  });
  return { ...c, sessions, permutation: c.permutation.map((p) => rename.get(p) ?? p) };
}

/** Does `c` still fail the way `sig` says, with PostgreSQL stable? */
export async function stillFails(c: FuzzCase, sig: string, db: WorkerDb, eng: EngineSide): Promise<boolean> {
  const spec = renderSpec(c);
  const { transcript: engine, racy } = await eng.run(spec);
  // an engine that cannot finish the permutation differs at line 1: not the failure being shrunk (unless it is)
  if (engine.startsWith(RUNNER_ERROR) && !sig.includes('engine: runner error')) return false;
  const pg = await pgRun(spec, db);
  if (pg.startsWith(RUNNER_ERROR) || pg === engine || signature(spec, pg, engine) !== sig) return false;
  const d = firstDifference(pg, engine)!;
  if (racyBefore(pg, d, racy) || engineUnsupported(d, engine) !== null) return false;
  return (await pgRun(spec, db)) === pg;
}

function header(v: Verdict, c: FuzzCase, pg: string, engine: string, seed: string, index: string, fromSteps: number): string[] {
  return [
    `# Found by the differential fuzzer: npm run fuzz:pg -- --seed ${seed.replace(/w$/, '')} --start ${index} --cases 1${seed.endsWith('w') ? ' --wide' : ''}`,
    `# (shrunk from ${fromSteps} steps to ${c.permutation.length}). Signature of the first difference:`,
    `# fuzz-signature: ${v.signature}`,
    `#! differs: ${describeDifference(renderSpec(c), pg, engine)}`,
  ];
}

export async function shrinkAndWrite(v: Verdict, db: WorkerDb, eng: EngineSide, template: Template, outDir: string,
  opts: { budget?: number; verbose?: boolean; hangDir?: string } = {}): Promise<Reproducer | null> {
  const sig = v.signature!;
  const fromSteps = v.case.permutation.length;
  let t = performance.now();
  const log = opts.verbose ? (c: FuzzCase, ok: boolean) => {
    console.log(`  shrink ${v.case.id}: ${c.permutation.length} steps, ${c.tables.reduce((a, x) => a + x.rows.length, 0)} rows: ${ok ? 'still fails' : 'no'} (${(performance.now() - t).toFixed(0)} ms)`);
    t = performance.now();
  } : undefined;
  const { result, stats } = await shrinkCase(v.case, (c) => stillFails(c, sig, db, eng), (c) => renderSpec(c), opts.budget ?? 400, log);
  let c = renumber(withPermutation(result, result.permutation));
  if (!(await stillFails(c, sig, db, eng))) c = result; // renaming cannot matter, but the written case must be one that was tested
  const spec = renderSpec(c);
  const engine = (await eng.run(spec)).transcript;
  const [seed, index] = v.case.id.split('-') as [string, string];
  // a case on which the engine loops forever would freeze the in-process conformance suite (vitest cannot stop
  // a synchronous loop): it goes to a directory of its own, outside tests/scenarios
  const dir = engine === ENGINE_HANG ? (opts.hangDir ?? HANG_DIR) : outDir;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `seed-${seed}-case-${index}.spec`);
  const reused = await pgRun(spec, db);
  writeFileSync(file, renderSpec(c, header(v, c, reused, engine, seed, index, fromSteps)));
  // the recording the conformance suite will compare with: the ordinary recorder, a fresh cluster, twice
  const record = () => recordTranscript(file, template).catch((e: Error) => `${RUNNER_ERROR}${e.message}`);
  const run1 = await record(), run2 = await record();
  const rec1 = typeof run1 === 'string' ? run1 : transcriptText(run1);
  const rec2 = typeof run2 === 'string' ? run2 : transcriptText(run2);
  const stable = rec1 === rec2 && typeof run1 !== 'string' && rec1 !== engine;
  if (!stable) {
    rmSync(file, { force: true });
    return { file, steps: c.permutation.length, fromSteps, tests: stats.tests, stable: false, signature: sig };
  }
  // the header quotes the fresh recording's first difference
  writeFileSync(file, renderSpec(c, header(v, c, rec1, engine, seed, index, fromSteps)));
  writeRecording(file, run1 as RunResult);
  return { file, steps: c.permutation.length, fromSteps, tests: stats.tests, stable: true, signature: sig };
}
