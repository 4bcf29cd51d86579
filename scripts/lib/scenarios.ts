/** Shared helpers for the scenario CLI, the recorder and the conformance suite (Node only). */
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseSpec, type Scenario } from '../../src/engine/scenario/spec.js';
import { runScenario } from '../../src/engine/scenario/runner.js';
import { EngineDriver } from '../../src/engine/scenario/engineDriver.js';
import { initParser } from '../../src/engine/sql/parser.js';

export const SCENARIO_ROOT = 'tests/scenarios';

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

export const expectedPath = (spec: string) => spec.replace(/\.spec$/, '.out');

export function loadScenario(file: string): Scenario {
  return parseSpec(readFileSync(file, 'utf8'), relative(process.cwd(), file));
}

/** "#! differs: reason" marks a scenario the engine is known not to match yet. */
export function knownDifference(file: string): string | null {
  const m = /^#!\s*differs:\s*(.+)$/m.exec(readFileSync(file, 'utf8'));
  return m ? m[1]!.trim() : null;
}

export async function engineTranscript(file: string): Promise<string> {
  await initParser();
  return runScenario(loadScenario(file), new EngineDriver());
}
