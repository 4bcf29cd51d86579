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
import { CONTROL, POLL_MS, type Driver } from '../../../src/scenario/runner.js';
import { Rng } from './prng.js';
import { stmtSql, setupSql, type FuzzCase } from './model.js';
import { VACUUM_SESSION } from './generate.js';
import { StuckError } from './compare.js';

/** The clock advance that lets every pending deadlock check fire (deadlock_timeout is 1 s). */
export const DEADLOCK_ADVANCE = '+1100ms';
const ADVANCE_MS = 1100;

/** The runner's last wait for a step (its 300 s step timeout; the PostgreSQL driver caps it, see pgside.ts). */
const FINAL_WAIT_MS = 300_000;
/** A step neither finished nor blocked after this many polls counts as waiting (it cannot happen in the engine). */
const MAX_POLLS = 1000;

/**
 * How the runner looks at a step it has sent or still waits for (try_complete_step without blocking): done
 * already; else a 10 ms poll, then "is it blocked by a lock?" — the same calls, so the engine's virtual clock
 * moves as it will when the scenario runs.
 */
async function settle(driver: Driver, session: string): Promise<'done' | 'waiting'> {
  if (await driver.finished(session, 0)) return 'done';
  for (let i = 0; i < MAX_POLLS; i++) {
    if (await driver.finished(session, POLL_MS)) return 'done';
    if (await driver.blocked(session)) return (await driver.finished(session, 0)) ? 'done' : 'waiting';
  }
  return 'waiting';
}

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
    const setup = await driver.exec(CONTROL, setupSql(c));
    if ('blockedBy' in setup || setup.error) throw new Error(`case ${c.id}: setup failed`);
    driver.notices();
    const next = new Map(sessions.map((s) => [s.name, 0]));
    const waiting: string[] = [];
    const completeReady = async () => {
      let n = 0;
      for (const w of waiting.slice()) if ((await settle(driver, w)) === 'done') { driver.take(w); waiting.splice(waiting.indexOf(w), 1); n++; }
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
      await driver.send(s.name, stmtSql(step.stmt));
      if ((await settle(driver, s.name)) === 'waiting') waiting.push(s.name);
      else driver.take(s.name);
      await completeReady();
    }
    // the runner then waits for the remaining waiters in order: each must finish
    if (!stuck) for (const w of waiting.slice()) { if (!(await driver.finished(w, FINAL_WAIT_MS))) { stuck = true; break; } driver.take(w); }
  } catch (e) {
    if (!(e instanceof StuckError)) throw e;
    stuck = true;
  } finally {
    await driver.close();
  }
  if (stuck) return null;
  c.permutation = perm;
  return perm;
}
