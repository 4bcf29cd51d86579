/**
 * Crash properties with contention, judged by what the clients were told (issue 9): see
 * tests/unit/props/crash.ts. HEAPSCOPE_PROPERTY_RUNS sets the number of cases; HEAPSCOPE_PROPERTY_SEED replays one;
 * HEAPSCOPE_KNOWN_BUGS=none stops excusing the known bugs' triggers (tests/unit/props/drive.ts KNOWN_BUGS).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { initParser } from '../../src/engine/sql/parser.js';
import { crashCaseArb, runCrashCase, crashStats, type CrashCase } from './props/crash.js';

beforeAll(async () => { await initParser(); });

/** 6,000 here and 4,000 metamorphic cases (metamorphic.test.ts): 10^4 cases in every `npx vitest run` */
const RUNS = Number(process.env.HEAPSCOPE_PROPERTY_RUNS ?? 6_000);
const SEED = process.env.HEAPSCOPE_PROPERTY_SEED ? Number(process.env.HEAPSCOPE_PROPERTY_SEED) : undefined;

describe('crash recovery keeps exactly the acknowledged commits', () => {
  it(`contended sessions, crashes now and at micro-points, a second crash after recovery (${RUNS} cases)`, () => {
    const r = fc.check(fc.property(crashCaseArb(30), (c) => runCrashCase(c) === null), { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}) });
    if (r.failed) {
      const c = r.counterexample![0] as CrashCase;
      expect.fail(`seed ${r.seed}, path "${r.counterexamplePath}", after ${r.numShrinks} shrinks:\n${runCrashCase(c)}\ncase: ${JSON.stringify(c)}`);
    }
    console.log(`crash oracle: ${JSON.stringify(crashStats)}`);
    expect(crashStats.microFired).toBeGreaterThan(RUNS / 10);
    expect(crashStats.inFlight).toBeGreaterThan(RUNS / 20);
    expect(crashStats.lostAsync).toBeGreaterThan(0);
    expect(crashStats.waits).toBeGreaterThan(RUNS / 10);
  }, 120_000 + RUNS * 60); // synchronous and CPU-bound: the limit only guards against a hang on a loaded machine
});
