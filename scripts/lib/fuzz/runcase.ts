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
import { caseRng } from './prng.js';
import { generateCase, type GenOptions } from './generate.js';
import { schedule } from './schedule.js';
import { renderSpec, type FuzzCase } from './model.js';
import { firstDifference, signature, engineUnsupported, RUNNER_ERROR, type FirstDiff } from './compare.js';
import type { WorkerDb } from './pgside.js';
import { transcriptOf, racyBefore, scheduleRng } from './enginerun.js';
import type { EngineSide } from './enginepool.js';

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
export async function judge(c: FuzzCase, db: WorkerDb, eng: EngineSide, t0 = performance.now()): Promise<Omit<Verdict, 'pgGuided'>> {
  const spec = renderSpec(c);
  const { transcript: engine, racy } = await eng.run(spec);
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
  return { ...base, status: engineUnsupported(diff, engine) !== null ? 'unsupported' : 'fail', diff, signature: signature(spec, pg, engine), ms: ms() };
}

/** Case `index` of run `seed` (of the wide statement mix with opts.wide). */
export async function runCase(seed: number, index: number, db: WorkerDb, eng: EngineSide, opts: GenOptions = {}): Promise<Verdict> {
  const t0 = performance.now();
  // a case of the wide mix is named "Sw-I" (reproducers seed-Sw-case-I): case I of seed S is another case there
  const id = `${seed}${opts.wide ? 'w' : ''}-${index}`;
  const rng = caseRng(seed, index);
  const c = generateCase(rng, id, opts);
  const fresh = () => structuredClone(c);
  const guided = fresh();
  const perm = await eng.schedule(guided, seed, index);
  if (perm) {
    guided.permutation = perm;
    const v = await judge(guided, db, eng, t0);
    if (v.status !== 'stuck') return v;
  }
  // the engine's interleaving cannot be completed on PostgreSQL (or the engine got stuck, or hung): let
  // PostgreSQL choose
  const onPg = fresh();
  await db.reset(TABLES);
  const scheduled = await schedule(onPg, db.driver(), scheduleRng(seed, index));
  if (!scheduled) {
    return { status: 'stuck', case: onPg, spec: renderSpec(onPg), ms: performance.now() - t0, pgGuided: true };
  }
  return { ...(await judge(onPg, db, eng, t0)), pgGuided: true };
}
