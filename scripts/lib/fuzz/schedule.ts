/**
 * Choosing a case's interleaving by running it: a permutation that never asks a blocked session to go on.
 *
 * A permutation written in advance would often send the next step of a session that is still waiting for a
 * lock held by a session whose COMMIT comes later — the isolation tester then waits forever. So the scheduler
 * runs the sessions through a scenario driver (the engine's, normally: it is in-process and instant) exactly as
 * the scenario runner will — same sends, polls and clock advances in the same order — and at each point picks,
 * at random, a session that has steps left and is not blocked.
 *
 * When every session with steps left is blocked (a deadlock), the scheduler lets the clock run: a `+1100ms`
 * advance, longer than the 1 s deadlock_timeout every session keeps. During it every pending deadlock check
 * fires, in the order the waits began, on the server (a real sleep) and in the engine (virtual time) alike, and
 * all deadlocks among the waiters resolve before the next step. (Waiting for one blocked session instead
 * would return as soon as that one is free, while the other sessions' checks, due a few milliseconds later,
 * fire on the server during the next steps but not in the engine, whose clock stands still between steps.) The
 * deadlock_timeout values are all the same, so the first to begin waiting is the first to check: two waits that
 * begin in consecutive steps are apart by the runner's polls on the server, and in the engine they fire in the
 * order they were armed.
 *
 * A case made from a template carries a plan: the scheduler then takes the first planned step whose session is
 * free and due to run it, and draws at random only when no planned step can go.
 *
 * If PostgreSQL later blocks where the engine did not (an engine bug), the permutation may be impossible on the
 * server; the fuzzer then schedules again with the PostgreSQL driver as the guide.
 */
import type { Driver } from '../../../src/engine/scenario/runner.js';
import { Rng } from './prng.js';
import { stmtSql, setupSql, type FuzzCase } from './model.js';
import { VACUUM_SESSION } from './generate.js';

/** The clock advance that lets every pending deadlock check fire (deadlock_timeout is 1 s). */
export const DEADLOCK_ADVANCE = '+1100ms';
const ADVANCE_MS = 1100;

/**
 * Fill in `c.permutation` by running the case through `driver`. Returns the permutation, or null when every
 * remaining session stays blocked through two clock advances (nothing will ever wake them).
 */
export async function schedule(c: FuzzCase, driver: Driver, rng: Rng): Promise<string[] | null> {
  const sessions = c.sessions.filter((s) => s.steps.length);
  const perm: string[] = [];
  let stuck = false;
  await driver.open(sessions.map((s) => s.name));
  try {
    if ((await driver.control(setupSql(c))).error) throw new Error(`case ${c.id}: setup failed`);
    driver.notices();
    const next = new Map(sessions.map((s) => [s.name, 0]));
    const waiting: string[] = [];
    const completeReady = async () => {
      let n = 0;
      for (const w of waiting.slice()) if (await driver.poll(w)) { driver.take(w); waiting.splice(waiting.indexOf(w), 1); n++; }
      return n;
    };
    let idleAdvances = 0;
    for (;;) {
      const remaining = sessions.filter((s) => next.get(s.name)! < s.steps.length);
      if (!remaining.length) break;
      const free = remaining.filter((s) => !waiting.includes(s.name));
      if (!free.length) {
        if (idleAdvances >= 2) { stuck = true; break; }
        perm.push(DEADLOCK_ADVANCE);
        await driver.sleep(ADVANCE_MS);
        idleAdvances = (await completeReady()) ? 0 : idleAdvances + 1;
        continue;
      }
      idleAdvances = 0;
      const planned = c.plan?.find((n) => !perm.includes(n) && free.some((f) => f.steps[next.get(f.name)!]?.name === n));
      // the VACUUM session is picked less often, so VACUUM lands at scattered points rather than first
      const s = planned
        ? free.find((f) => f.steps[next.get(f.name)!]?.name === planned)!
        : rng.weighted(free.map((x) => [x, x.name === VACUUM_SESSION ? 1 : 3] as const));
      const step = s.steps[next.get(s.name)!]!;
      next.set(s.name, next.get(s.name)! + 1);
      perm.push(step.name);
      if ((await driver.send(s.name, stmtSql(step.stmt))) === 'waiting') waiting.push(s.name);
      else driver.take(s.name);
      await completeReady();
    }
    // the runner then waits for the remaining waiters in order: each must finish
    if (!stuck) for (const w of waiting.slice()) { if (!(await driver.wait(w))) { stuck = true; break; } driver.take(w); }
  } finally {
    await driver.close();
  }
  if (stuck) return null;
  c.permutation = perm;
  return perm;
}
