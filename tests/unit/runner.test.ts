/**
 * The runner's own contract beyond the recorded transcripts (tests/scenarios/runner/*.spec hold those): the
 * tester's 300-second step timeout passes in virtual time, output streams permutation by permutation, and a run
 * over billions of interleavings can be started and stopped without building them, and the exit status is the
 * tester's.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { initParser } from '../../src/engine/sql/parser.js';
import { parseSpec } from '../../src/scenario/spec.js';
import { runScenario, sessionNameStatement } from '../../src/scenario/runner.js';
import { EngineDriver } from '../../src/scenario/engineDriver.js';

beforeAll(async () => { await initParser(); });

const stepTimeout = readFileSync('tests/scenarios/runner/step-timeout.spec', 'utf8');
const recorded = readFileSync('tests/scenarios/runner/step-timeout.out', 'utf8'); // PGISOLATIONTIMEOUT=1

describe('runScenario on the engine', () => {
  it("cancels a step that would wait forever after the tester's default 300 s, in virtual time", async () => {
    const sc = parseSpec(stepTimeout.replace('#! PGISOLATIONTIMEOUT=1\n', ''), 'step-timeout.spec');
    expect(sc.stepTimeoutSec).toBeNull();
    const d = new EngineDriver();
    const t0 = performance.now();
    const r = await runScenario(sc, d);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(d.engine.clock.now).toBeGreaterThan(2 * 300_000); // two cancels, 300 virtual seconds each
    expect(r).toEqual({ stdout: recorded.replaceAll('after 1 seconds', 'after 300 seconds'), stderr: '', exitCode: 0 });
  });
  it('takes the step timeout from the spec first, then from the options', async () => {
    const sc = parseSpec(stepTimeout, 'step-timeout.spec');
    expect((await runScenario(sc, new EngineDriver(), { stepTimeoutSec: 9 })).stdout).toBe(recorded);
    const plain = parseSpec(stepTimeout.replace('#! PGISOLATIONTIMEOUT=1\n', ''), 'x.spec');
    expect((await runScenario(plain, new EngineDriver(), { stepTimeoutSec: 1 })).stdout).toBe(recorded);
  });
  it("ends with the tester's exit status (the recordings keep none): 1 after a failed setup, a mutually-blocking permutation or a timed-out annotated step, else 0", async () => {
    // statuses of PostgreSQL 15's isolationtester on these files (npm run check:isolationtester compares them live)
    const tester: Record<string, 0 | 1> = {
      'setup-fails': 1, 'session-setup-fails': 1, 'teardown-fails': 1, 'mutually-blocking': 1, 'annotation-timeout': 1,
      'teardown-fails-exit-0': 0, 'step-timeout': 0, 'annotations': 0, 'all-interleavings': 0,
    };
    for (const [name, status] of Object.entries(tester)) {
      const f = `tests/scenarios/runner/${name}.spec`;
      const r = await runScenario(parseSpec(readFileSync(f, 'utf8'), f), new EngineDriver());
      expect(r.exitCode, name).toBe(status);
    }
  });
  it('ends with status 1 when a step is sent to a session whose backend exited (failed to send query)', async () => {
    // tests/scenarios/locks/cancel-terminate.spec: PostgreSQL 15's isolationtester exits with 1 there (check:isolationtester)
    const f = 'tests/scenarios/locks/cancel-terminate.spec';
    const r = await runScenario(parseSpec(readFileSync(f, 'utf8'), f), new EngineDriver());
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/failed to send query for step s2sel: no connection to the server\n\n$/);
  });
  it('writes each permutation as it completes, and returns no text when given a writer', async () => {
    const sc = parseSpec('setup { CREATE TABLE t (v int); }\nteardown { DROP TABLE t; }\nsession a\nstep a1 { INSERT INTO t VALUES (1); }\nstep a2 { SELECT count(*) FROM t; }\nsession b\nstep b1 { INSERT INTO t VALUES (2); }\n');
    const whole = await runScenario(sc, new EngineDriver());
    const chunks: string[] = [];
    const streamed = await runScenario(sc, new EngineDriver(), { write: (c) => { chunks.push(c); } });
    expect(streamed).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    expect(chunks.join('')).toBe(whole.stdout);
    expect(chunks).toHaveLength(3);
    expect(chunks.map((c) => c.match(/starting permutation/g)?.length)).toEqual([1, 1, 1]);
  });
  it('starts a 3 × 8 spec at once and stops when its reader does', async () => {
    const body = ['a', 'b', 'c'].map((s) => `session ${s}\n${Array.from({ length: 8 }, (_, k) => `step ${s}${k} { SELECT ${k}; }`).join('\n')}\n`).join('');
    const sc = parseSpec(body);
    let seen = 0;
    const t0 = performance.now();
    await expect(runScenario(sc, new EngineDriver(), { write: (c) => { if ((seen += c.split('starting permutation').length - 1) >= 50) throw new Error('reader gone'); } })).rejects.toThrow('reader gone');
    expect(seen).toBe(50);
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});

describe('the statement each connection opens with', () => {
  it('is the text the recorder sends, the name quoted as node-postgres escapeLiteral quotes it', async () => {
    const pg = (await import('pg')).default;
    for (const n of ['s1', 'control connection', "o'b", 'a\\b', "x'\\y"]) {
      expect(sessionNameStatement(n)).toBe(`SELECT set_config('application_name',\n  current_setting('application_name') || '/' || ${pg.escapeLiteral(n)},\n  false)`);
    }
  });
});
