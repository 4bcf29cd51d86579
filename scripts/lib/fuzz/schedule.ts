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


/**
 * Fill in `c.permutation` by running the case through drivers from `newDriver`. Returns the permutation, or
 * null when no order of waiting for blocked sessions lets the case finish.
 *
 * When every session with steps left is blocked, the runner must wait for one of them; which one matters (a
 * deadlock check may free one session and leave another waiting for a lock held by a session whose COMMIT is
 * still to come). The scheduler tries the first waiter; if that one never finishes, it replays the case from the
 * start — the engine is deterministic, and the random choices are drawn again from a fresh `newRng()` — and
 * at that point waits for the next waiter instead.
 */
export async function schedule(c: FuzzCase, newDriver: () => Driver | Promise<Driver>, newRng: () => Rng, maxReplays = 12): Promise<string[] | null> {
  const picks: number[] = []; // at the i-th dead end, wait for waiter picks[i]
  for (let replay = 0; replay <= maxReplays; replay++) {
    const r = await scheduleOnce(c, await newDriver(), newRng(), picks);
    if (r.perm) { c.permutation = r.perm; return r.perm; }
    // the dead end r.deadEnd chose waiter picks[r.deadEnd] (or 0) of r.waiters: take the next one there
    const at = r.deadEnd!;
    const next = (picks[at] ?? 0) + 1;
    if (next >= r.waiters!) return null;
    picks.length = at;
    picks[at] = next;
  }
  return null;
}

async function scheduleOnce(c: FuzzCase, driver: Driver, rng: Rng, picks: number[]): Promise<{ perm?: string[]; deadEnd?: number; waiters?: number }> {
  const sessions = c.sessions.filter((s) => s.steps.length);
  const perm: string[] = [];
  let deadEnds = 0;
  await driver.open(sessions.map((s) => s.name));
  try {
    if ((await driver.control(setupSql(c))).error) throw new Error(`case ${c.id}: setup failed`);
    driver.notices();
    for (const s of sessions) if (s.deadlockTimeoutMs !== null) await driver.run(s.name, `SET deadlock_timeout = '${s.deadlockTimeoutMs}ms';`);
    const next = new Map(sessions.map((s) => [s.name, 0]));
    const waiting: string[] = [];
    const completeReady = async () => {
      for (const w of waiting.slice()) if (await driver.poll(w)) { driver.take(w); waiting.splice(waiting.indexOf(w), 1); }
    };
    for (;;) {
      const remaining = sessions.filter((s) => next.get(s.name)! < s.steps.length);
      if (!remaining.length) break;
      const free = remaining.filter((s) => !waiting.includes(s.name));
      let s;
      const planned = c.plan?.find((n) => !perm.includes(n) && free.some((f) => f.steps[next.get(f.name)!]?.name === n));
      if (planned) {
        s = free.find((f) => f.steps[next.get(f.name)!]?.name === planned)!;
      } else if (free.length) {
        // the VACUUM session is picked less often, so VACUUM lands at scattered points rather than first
        s = rng.weighted(free.map((x) => [x, x.name === VACUUM_SESSION ? 1 : 3] as const));
      } else {
        const blocked = remaining.filter((x) => waiting.includes(x.name)).sort((a, b) => waiting.indexOf(a.name) - waiting.indexOf(b.name));
        const here = deadEnds++;
        s = blocked[Math.min(picks[here] ?? 0, blocked.length - 1)]!;
        if (!(await driver.wait(s.name))) return { deadEnd: here, waiters: blocked.length };
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
    // the runner then waits for the remaining waiters in order: each must finish
    for (const w of waiting.slice()) {
      if (!(await driver.wait(w))) return { deadEnd: deadEnds, waiters: 1 };
      driver.take(w);
    }
  } finally {
    await driver.close();
  }
  return { perm };
}
