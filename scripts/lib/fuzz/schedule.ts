/**
 * Choosing a case's interleaving by running it: a permutation that never asks a blocked session to go on.
 *
 * A permutation written in advance would often send the next step of a session that is still waiting for a
 * lock held by a session whose COMMIT comes later — the isolation tester then waits forever. So the scheduler
 * runs the sessions through a scenario driver (the engine's, normally: it is in-process and instant) exactly as
 * the scenario runner will — same sends, polls and waits in the same order — and at each point picks, at random,
 * a session that has steps left and is not blocked. Only when every session with steps left is blocked (a
 * deadlock) does it pick a blocked one, so that the runner waits and a deadlock check resolves it.
 *
 * If PostgreSQL later blocks where the engine did not (an engine bug), the permutation may be impossible on the
 * server; the fuzzer then schedules again with the PostgreSQL driver as the guide.
 */
import type { Driver } from '../../../src/engine/scenario/runner.js';
import { Rng } from './prng.js';
import { stmtSql, setupSql, type FuzzCase } from './model.js';
import { VACUUM_SESSION } from './generate.js';

/**
 * Fill in `c.permutation` by running the case through `driver`. Returns the permutation, or null when the
 * driver reports every remaining session blocked with nothing to wake them.
 */
export async function schedule(c: FuzzCase, driver: Driver, rng: Rng): Promise<string[] | null> {
  const sessions = c.sessions.filter((s) => s.steps.length);
  const setup = setupSql(c);
  const perm: string[] = [];
  await driver.open(sessions.map((s) => s.name));
  let stuck = false;
  try {
    if ((await driver.control(setup)).error) throw new Error(`case ${c.id}: setup failed`);
    driver.notices();
    for (const s of sessions) if (s.deadlockTimeoutMs !== null) await driver.run(s.name, `SET deadlock_timeout = '${s.deadlockTimeoutMs}ms';`);
    const next = new Map(sessions.map((s) => [s.name, 0]));
    const waiting: string[] = [];
    const left = () => sessions.filter((s) => next.get(s.name)! < s.steps.length);
    const completeReady = async () => {
      for (const w of waiting.slice()) if (await driver.poll(w)) { driver.take(w); waiting.splice(waiting.indexOf(w), 1); }
    };
    for (;;) {
      const remaining = left();
      if (!remaining.length) break;
      const free = remaining.filter((s) => !waiting.includes(s.name));
      let s;
      if (free.length) {
        // the VACUUM session is picked less often, so VACUUM lands at scattered points rather than first
        const weighted = free.map((x) => [x, x.name === VACUUM_SESSION ? 1 : 3] as const);
        s = rng.weighted(weighted);
      } else {
        s = remaining.find((x) => x.name === waiting[0]) ?? remaining[0]!;
        if (!(await driver.wait(s.name))) { stuck = true; break; }
        driver.take(s.name);
        waiting.splice(waiting.indexOf(s.name), 1);
        await completeReady();
      }
      const step = s.steps[next.get(s.name)!]!;
      next.set(s.name, next.get(s.name)! + 1);
      perm.push(step.name);
      if ((await driver.send(s.name, stmtSql(step.stmt))) === 'waiting') waiting.push(s.name);
      else driver.take(s.name);
      await completeReady();
    }
    if (!stuck) for (const w of waiting.slice()) { if (!(await driver.wait(w))) { stuck = true; break; } driver.take(w); }
  } finally {
    await driver.close();
  }
  if (stuck) return null;
  c.permutation = perm;
  return perm;
}
