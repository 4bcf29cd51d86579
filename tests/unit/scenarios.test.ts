/**
 * Every scenario under tests/scenarios, run on the engine, must print exactly the transcript recorded from
 * PostgreSQL 15: FILE.out on stdout, and FILE.err (or nothing) on stderr. Scenarios marked "#! differs: reason" are known gaps: their test is expected to
 * fail, so the day the engine matches, this test says so and the marker must go.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync } from 'node:fs';
import { listScenarios, expectedPath, knownDifference, engineTranscript, readRecording } from '../../scripts/lib/scenarios.js';
import { initParser } from '../../src/engine/sql/parser.js';

beforeAll(async () => { await initParser(); });

const files = listScenarios();

describe('scenario transcripts match PostgreSQL 15 recordings', () => {
  it('has a library of at least 40 scenarios, each with a recording', () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
    for (const f of files) expect(existsSync(expectedPath(f)), `${f} has no recording`).toBe(true);
  });
  for (const f of files) {
    const known = knownDifference(f);
    const name = f.replace('tests/scenarios/', '');
    const check = async () => {
      const expected = readRecording(f)!;
      const got = await engineTranscript(f);
      expect(got.stdout).toBe(expected.stdout);
      expect(got.stderr).toBe(expected.stderr);
    };
    if (known) it.fails(`${name} (known gap: ${known})`, check);
    else it(name, check);
  }
});
