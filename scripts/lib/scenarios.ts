/** Shared helpers for the scenario CLI, the recorder and the conformance suite (Node only). */
import { readFileSync, readdirSync, statSync, existsSync, writeFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseSpec, type Scenario } from '../../src/scenario/spec.js';
import { runScenario, type RunOptions, type RunResult } from '../../src/scenario/runner.js';
import { EngineDriver } from '../../src/scenario/engineDriver.js';
import { initParser } from '../../src/engine/sql/parser.js';

export const SCENARIO_ROOT = 'tests/scenarios';
/** malformed specs with the isolationtester's stderr for each (NAME.err) */
export const SPEC_ERRORS_ROOT = 'tests/spec-errors';

export function listScenarios(root = SCENARIO_ROOT): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f.endsWith('.spec')) out.push(p);
    }
  };
  if (existsSync(root)) walk(root);
  return out;
}

/** FILE.out: the recorded stdout; FILE.err: the recorded stderr, present only when there was some. */
export const expectedPath = (spec: string) => spec.replace(/\.spec$/, '.out');
export const expectedErrPath = (spec: string) => spec.replace(/\.spec$/, '.err');

export interface Recording { stdout: string; stderr: string }
export function readRecording(spec: string): Recording | undefined {
  if (!existsSync(expectedPath(spec))) return undefined;
  const err = expectedErrPath(spec);
  return { stdout: readFileSync(expectedPath(spec), 'utf8'), stderr: existsSync(err) ? readFileSync(err, 'utf8') : '' };
}
export function writeRecording(spec: string, r: Recording) {
  writeFileSync(expectedPath(spec), r.stdout);
  if (r.stderr) writeFileSync(expectedErrPath(spec), r.stderr);
  else rmSync(expectedErrPath(spec), { force: true });
}
/** The first line where two recordings differ, or '' when they are equal. */
export function firstDifference(got: Recording, want: Recording, gotName: string, wantName: string): string {
  for (const stream of ['stdout', 'stderr'] as const) {
    const a = got[stream].split('\n'), b = want[stream].split('\n');
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (a[i] !== b[i]) return `${stream} line ${i + 1}:\n    ${wantName}: ${JSON.stringify(b[i] ?? '<end>')}\n    ${gotName}: ${JSON.stringify(a[i] ?? '<end>')}`;
    }
  }
  return '';
}

export function loadScenario(file: string): Scenario {
  return parseSpec(readFileSync(file, 'utf8'), relative(process.cwd(), file));
}

/** "#! differs: reason" marks a scenario the engine is known not to match yet. */
export function knownDifference(file: string): string | null {
  const m = /^#!\s*differs:\s*(.+)$/m.exec(readFileSync(file, 'utf8'));
  return m ? m[1]!.trim() : null;
}

export async function engineTranscript(file: string, opts: RunOptions = {}): Promise<RunResult> {
  await initParser();
  return runScenario(loadScenario(file), new EngineDriver(), opts);
}
