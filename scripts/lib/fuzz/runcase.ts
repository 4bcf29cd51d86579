/**
 * One fuzz case end to end: generate, schedule, run on the engine and on PostgreSQL, compare, judge.
 *
 * Verdicts:
 *   pass         the transcripts are equal byte for byte
 *   fail         they differ, and PostgreSQL printed the same transcript three times (so the difference is
 *                not a timing accident on the server)
 *   unsupported  the first difference is the engine's 0A000 "... is not supported by Heapscope" (a refusal
 *                the house rules allow), not a wrong answer
 *   flaky        PostgreSQL printed two different transcripts for the same case: not reported
 *   racy         they differ after a COMMIT or abort woke two sessions waiting for the same transaction (their
 *                race on a real server has no fixed winner; see engineRunWatched): not reported
 *   stuck        no permutation of the case could be completed on PostgreSQL (not reported)
 */
import { parseSpec } from '../../../src/engine/scenario/spec.js';
import { runScenario, type Driver } from '../../../src/engine/scenario/runner.js';
import { EngineDriver } from '../../../src/engine/scenario/engineDriver.js';
import { tagKey } from '../../../src/engine/lock/lock.js';
import { caseRng } from './prng.js';
import { generateCase } from './generate.js';
import { schedule } from './schedule.js';
import { renderSpec, type FuzzCase } from './model.js';
import { firstDifference, signature, engineUnsupported, RUNNER_ERROR, type FirstDiff } from './compare.js';
import type { WorkerDb } from './pgside.js';

export type Status = 'pass' | 'fail' | 'unsupported' | 'flaky' | 'racy' | 'stuck';
export interface Verdict {
  status: Status;
  case: FuzzCase;
  spec: string;
  pg?: string;
  /** PostgreSQL's second transcript, when the first differed from the engine's */
  pg2?: string;
  engine?: string;
  diff?: FirstDiff;
  signature?: string;
  /** the permutation had to be chosen on PostgreSQL (the engine's guide could not be completed there) */
  pgGuided?: boolean;
  ms: number;
}

const TABLES = ['kv', 'kw'];

export async function transcriptOf(spec: string, driver: Driver): Promise<string> {
  try {
    return await runScenario(parseSpec(spec, 'fuzz.spec'), driver);
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
/** A case that hangs in a way the capped wait does not see is ended after this long. */
const PG_CASE_WATCHDOG_MS = 30_000;

export async function pgRun(spec: string, db: WorkerDb): Promise<string> {
  await db.reset(TABLES);
  let fired = false;
  const watchdog = setTimeout(() => { fired = true; void db.terminateOthers(); }, PG_CASE_WATCHDOG_MS);
  try {
    const out = await transcriptOf(spec, db.driver());
    return fired ? `${RUNNER_ERROR}the case did not finish within ${PG_CASE_WATCHDOG_MS} ms` : out;
  } finally {
    clearTimeout(watchdog);
  }
}

/** Compare a rendered case on both sides; PostgreSQL runs twice more before a difference counts. */
export async function judge(c: FuzzCase, db: WorkerDb, t0 = performance.now()): Promise<Omit<Verdict, 'pgGuided'>> {
  const spec = renderSpec(c);
  const { transcript: engine, racy } = await engineRunWatched(spec);
  const pg = await pgRun(spec, db);
  const base = { case: c, spec, pg, engine };
  const ms = () => performance.now() - t0;
  if (pg.startsWith(RUNNER_ERROR)) return { ...base, status: 'stuck', ms: ms() };
  const diff = firstDifference(pg, engine);
  if (!diff) return { ...base, status: 'pass', ms: ms() };
  if (racyBefore(pg, diff, racy)) return { ...base, status: 'racy', diff, ms: ms() };
  // PostgreSQL must print the same transcript three times: two waiters woken by one COMMIT race each other on
  // a real server, and a difference the engine shares with one of the outcomes is no bug
  for (let i = 0; i < 2; i++) {
    const again = await pgRun(spec, db);
    if (again !== pg) return { ...base, pg2: again, status: 'flaky', diff, ms: ms() };
  }
  return { ...base, status: engineUnsupported(diff) ? 'unsupported' : 'fail', diff, signature: signature(spec, pg, engine), ms: ms() };
}

/** Case `index` of run `seed`. */
export async function runCase(seed: number, index: number, db: WorkerDb): Promise<Verdict> {
  const t0 = performance.now();
  const id = `${seed}-${index}`;
  const rng = caseRng(seed, index);
  const c = generateCase(rng, id);
  const schedRng = () => caseRng(seed ^ 0x5eed, index);
  const fresh = () => structuredClone(c);
  const guided = fresh();
  if (await schedule(guided, () => new EngineDriver(), schedRng)) {
    const v = await judge(guided, db, t0);
    if (v.status !== 'stuck') return v;
  }
  // the engine's interleaving cannot be completed on PostgreSQL (or the engine got stuck): let PostgreSQL choose
  const onPg = fresh();
  const pgDriver = async () => { await db.reset(TABLES); return db.driver(); };
  const scheduled = await schedule(onPg, pgDriver, schedRng, 3);
  if (!scheduled) {
    return { status: 'stuck', case: onPg, spec: renderSpec(onPg), ms: performance.now() - t0, pgGuided: true };
  }
  return { ...(await judge(onPg, db, t0)), pgGuided: true };
}
