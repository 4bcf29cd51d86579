/**
 * The engine's side of a fuzz case, in-process: its transcript, its racy wake-ups, and the engine-guided
 * schedule. (enginepool.ts runs the same functions in worker threads, so an engine that loops forever is
 * stopped instead of freezing the fuzzer.)
 */
import { parseSpec } from '../../../src/scenario/spec.js';
import { runScenario, type Driver, type RunResult } from '../../../src/scenario/runner.js';
import { EngineDriver } from '../../../src/scenario/engineDriver.js';
import { tagKey } from '../../../src/engine/lock/lock.js';
import { caseRng } from './prng.js';
import { schedule } from './schedule.js';
import type { FuzzCase } from './model.js';
import { RUNNER_ERROR, type FirstDiff } from './compare.js';

/** A run as one text: stdout, then stderr (if any) after a marker line — what the fuzzer compares. */
export function transcriptText(r: RunResult): string {
  return r.stderr ? `${r.stdout}${STDERR_MARK}${r.stderr}` : r.stdout;
}
export const STDERR_MARK = '\n<<stderr>>\n';

export async function transcriptOf(spec: string, driver: Driver): Promise<string> {
  try {
    return transcriptText(await runScenario(parseSpec(spec, 'fuzz.spec'), driver));
  } catch (e) {
    return `${RUNNER_ERROR}${(e as Error).message.split('\n')[0]}`;
  }
}

export const engineRun = async (spec: string) => (await engineRunWatched(spec)).transcript;

/**
 * The engine's transcript, and the steps during which one event (a COMMIT, an abort) woke two or more sessions
 * that were waiting for the same transaction to end (XactLockTableWait: unique checks, row updates). On a real
 * server those sessions then run at the same time and race — which one inserts first, which one waits for the
 * other — so PostgreSQL's outcome from there on is a matter of scheduling; the engine always lets the first
 * waiter go first. `racy` holds the 1-based numbers of the steps sent when such a wake happened.
 */
export async function engineRunWatched(spec: string): Promise<{ transcript: string; racy: number[] }> {
  const d = new EngineDriver();
  const e = d.engine;
  const racy: number[] = [];
  let sent = 0;
  const xidWaits = () => {
    const m = new Map<number, string>();
    for (let id = 0; id < 64; id++) {
      const w = e.locks.waitOf(id);
      if (w?.tag.type === 'transactionid') m.set(id, tagKey(w.tag));
    }
    return m;
  };
  const watch = <A extends unknown[], R>(f: (...a: A) => R) => (...a: A): R => {
    const before = xidWaits();
    const r = f(...a);
    const after = xidWaits();
    const woken = new Map<string, number>();
    for (const [id, tag] of before) if (after.get(id) !== tag) woken.set(tag, (woken.get(tag) ?? 0) + 1);
    if ([...woken.values()].some((n) => n >= 2)) racy.push(sent);
    return r;
  };
  e.execute = watch(e.execute.bind(e));
  e.advance = watch(e.advance.bind(e));
  const send = d.send.bind(d);
  d.send = (session, sql) => { sent++; return send(session, sql); };
  return { transcript: await transcriptOf(spec, d), racy };
}

/** Did a racy wake (see engineRunWatched) happen before the transcripts part? */
export function racyBefore(pg: string, diff: FirstDiff, racy: number[]): boolean {
  if (!racy.length) return false;
  const lines = pg.split('\n');
  const isSend = (l: string | undefined) => l !== undefined && /^step \S+: /.test(l) && !/<\.\.\. completed>$/.test(l);
  let sends = 0;
  for (let i = 0; i < diff.line - 1; i++) if (isSend(lines[i])) sends++;
  if (isSend(diff.pg) || isSend(diff.engine)) sends++;
  return racy[0]! <= sends;
}

/** The random stream the scheduler of case `index` of run `seed` draws from. */
export const scheduleRng = (seed: number, index: number) => caseRng(seed ^ 0x5eed, index);

/** The engine-guided permutation of a case (schedule.ts), or null when the engine cannot complete it. */
export async function engineSchedule(c: FuzzCase, seed: number, index: number): Promise<string[] | null> {
  return schedule(c, new EngineDriver(), scheduleRng(seed, index));
}
