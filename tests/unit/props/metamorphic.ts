/**
 * The metamorphic relation "physical maintenance changes no answer", checked over random schedules.
 *
 * A schedule (ops.ts) runs twice, in lockstep, on two fresh engines: once as it is, once with maintenance
 * inserted between steps — VACUUM and CHECKPOINT from an extra session that never opens a transaction,
 * background-writer rounds, and a READ COMMITTED reader (its visits set hint bits). Every outcome a client
 * sees (command tags, rows, errors with SQLSTATE and DETAIL, notices, which steps wait and when they finish)
 * must be the same in both runs, step by step, and so must the final contents and each key's lookup. Besides:
 * no internal error (XX000), no statement that loops (drive.ts's livelock guard), and after every step no
 * tuple with a forward t_ctid that no update made (Client.staleForwardLinks: the stale-t_ctid bug of issue 9). In PostgreSQL
 * this holds because VACUUM removes only tuples dead to every snapshot and a checkpoint only writes pages; what they
 * may change is physical: tuple positions, HOT or not, hint bits, page LSNs — nothing compared here (tuple ids in
 * messages are masked).
 *
 * Two things VACUUM legitimately changes are kept out of the comparison by construction:
 *  - the plan: VACUUM records statistics, after which a small table is read by a sequential scan instead of
 *    the primary-key index. Rows, locks and waits do not depend on that, but SERIALIZABLE does: an index
 *    scan takes tuple and index-page SIREAD locks, a sequential scan one on the relation, and the coarser
 *    lock reports more conflicts. So a schedule that uses SERIALIZABLE starts from an ANALYZEd table (both
 *    runs plan alike throughout); without ANALYZE, the first VACUUM turns index scans into sequential scans
 *    and the relation "an index scan and a sequential scan give the same answers" is checked along.
 *  - the order of a sequential scan: tuples placed into space VACUUM freed come earlier in the scan. A
 *    statement that meets several rows locks (or fails on) them in scan order, so a different order can
 *    legitimately change who waits for whom or which error comes first. Not only broad statements: a
 *    REPEATABLE READ snapshot can see two versions with one key (one a concurrent transaction deleted, and its
 *    own re-insert), and UPDATE ... WHERE k = 4 then meets both. So before each statement that scans, the two
 *    runs' orders of the tuples its WHERE clause may select (any version, named by creating xid and contents)
 *    are compared; if they differ, that statement is left out of both runs. SELECT ... ORDER BY ... FOR UPDATE
 *    locks after sorting (LockRows above Sort), so it is not affected.
 */
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import { Client, VAC, seen, type Seen, type KnownBug } from './drive.js';
import { SESSIONS, scheduleArb, tickArb, render, setupSql, type Op, type Iso, type Schedule } from './ops.js';
import type { SessionOutcome } from '../../../src/engine/engine.js';

export const REL = 't';
export type Noise = 'vacuum' | 'checkpoint' | 'bgwriter' | 'read';
type Tick = { t: 'tick'; ms: number };
export interface Case { analyze: boolean; schedule: Schedule<Tick>; noise: { at: number; what: Noise }[] }

const ISO_NO_SERIALIZABLE: Iso[] = [null, 'READ COMMITTED', 'REPEATABLE READ'];
const ISO_ALL: Iso[] = [...ISO_NO_SERIALIZABLE, 'SERIALIZABLE'];

/** A schedule of up to `maxTurns` turns plus up to `maxNoise` maintenance points. */
export function caseArb(maxTurns: number, noiseKinds: Noise[], maxNoise = 4): fc.Arbitrary<Case> {
  return fc.boolean().chain((analyze) => fc.record({
    analyze: fc.constant(analyze),
    schedule: scheduleArb({ isolations: analyze ? ISO_ALL : ISO_NO_SERIALIZABLE }, tickArb, maxTurns),
    noise: fc.array(fc.record({ at: fc.nat(maxTurns), what: fc.constantFrom(...noiseKinds) }), { minLength: 1, maxLength: maxNoise }),
  }));
}

export const stats = { excused: {} as Partial<Record<KnownBug, number>>, cases: 0, steps: 0, waits: 0, deadlocks: 0, serialization: 0, skippedOrder: 0,
  vacuums: 0, checkpoints: 0 };

/**
 * The tuples whose scan order can matter to an op: those its WHERE clause may select, in any version (a
 * REPEATABLE READ snapshot can see two versions with one key: one a concurrent transaction deleted, and its own
 * re-insert). Rows are visited in physical order, so if these tuples lie in a different order in the two runs
 * the op may legitimately lock, fail or report in a different order. null: the op's order is fixed (ORDER BY
 * before FOR UPDATE, aggregates, no scan).
 */
function scanned(op: Op): ((v: readonly unknown[]) => boolean) | null {
  switch (op.t) {
    case 'insert': case 'upsert': case 'updV': case 'updW': case 'updPad': case 'del': case 'lockKey': case 'updK':
      return (v) => v[0] === op.k || (op.t === 'updK' && v[0] === op.to);
    case 'broadUpd': return (v) => (v[1] as number) >= op.lo;
    case 'broadDel': return (v) => (v[1] as number) >= op.lo && (v[1] as number) < op.lo + 10;
    default: return null;
  }
}

function noiseOn(c: Client, what: Noise): SessionOutcome[] {
  if (what === 'bgwriter') return c.bgwriter();
  return c.step(VAC, what === 'vacuum' ? `VACUUM ${REL};` : what === 'checkpoint' ? 'CHECKPOINT;' : `SELECT count(*) FROM ${REL};`);
}

function count(os: Seen[]) {
  for (const o of os) {
    if (o.status === 'waiting') stats.waits++;
    if (o.error?.[1] === '40P01') stats.deadlocks++;
    if (o.error?.[1] === '40001') stats.serialization++;
  }
}

/** A known bug's trigger was reached (drive.ts KNOWN_BUGS): the case is not compared further. */
class Excused extends Error { constructor(readonly bug: KnownBug) { super(bug); } }

/**
 * Run a case in lockstep; returns null if every step matched (or a known bug's trigger was reached), else a
 * description of the first difference with both runs as .spec files.
 */
export function runCase(c: Case): string | null {
  try {
    return runLockstep(c);
  } catch (e) {
    if (!(e instanceof Excused)) throw e;
    stats.excused[e.bug] = (stats.excused[e.bug] ?? 0) + 1;
    return null;
  }
}

function runLockstep(c: Case): string | null {
  // the case being run, should it never return
  if (process.env.HEAPSCOPE_PROPERTY_TRACE) writeFileSync(process.env.HEAPSCOPE_PROPERTY_TRACE, JSON.stringify(c));
  const setup = setupSql(REL, c.analyze);
  const plain = new Client(setup), noisy = new Client(setup);
  stats.cases++;
  const fail = (where: string, a: unknown, b: unknown) => {
    const header = [`metamorphic: ${where}`];
    return `${where}\nwithout maintenance: ${JSON.stringify(a)}\nwith maintenance:    ${JSON.stringify(b)}\n\n--- without maintenance ---\n${plain.spec(header, REL)}\n--- with maintenance ---\n${noisy.spec(header, REL)}`;
  };
  let seenA: Seen[] = [];
  const both = (what: string, f: (cl: Client) => SessionOutcome[]): string | null => {
    let a: Seen[], b: Seen[];
    try { a = f(plain).map(seen); } catch (e) { return fail(`${what}: without maintenance: ${(e as Error).message}`, [], []); }
    try { b = f(noisy).map(seen); } catch (e) { return fail(`${what}: with maintenance: ${(e as Error).message}`, a, []); }
    if (plain.knownBug || noisy.knownBug) throw new Excused((plain.knownBug ?? noisy.knownBug)!);
    const internal = [...a, ...b].find((o) => o.error?.[1] === 'XX000');
    if (internal) return fail(`${what}: an internal error (never PostgreSQL's answer)`, a, b);
    count(a);
    seenA = a;
    const ja = JSON.stringify(a), jb = JSON.stringify(b);
    if (ja !== jb) return fail(what, a, b);
    if (plain.knownBug || noisy.knownBug) throw new Excused((plain.knownBug ?? noisy.knownBug)!);
    // PostgreSQL's heap invariant behind the stale-t_ctid bug of issue 9, checked after every step
    for (const cl of [plain, noisy]) {
      const stale = cl.staleForwardLinks(REL);
      if (stale.length) return fail(`${what}: ${cl === plain ? 'without' : 'with'} maintenance, a forward t_ctid no update made: ${stale.join('; ')}`, [], []);
    }
    return null;
  };
  const queues = c.schedule.programs.map((p) => p.slice());
  const turns = c.schedule.turns;
  for (let i = 0; i <= turns.length; i++) {
    for (const n of c.noise) {
      if (n.at !== i) continue;
      let o: Seen[];
      try { o = noiseOn(noisy, n.what).map(seen); } catch (e) { return fail(`${n.what} before turn ${i}: ${(e as Error).message}`, [], []); }
      if (n.what === 'vacuum') stats.vacuums++;
      if (n.what === 'checkpoint') stats.checkpoints++;
      if (o.some((x) => x.s !== VAC || x.status !== 'done' || x.error || x.notices.length)) return fail(`${n.what} before turn ${i} did something a client sees`, [], o);
    }
    if (i === turns.length) break;
    const turn = turns[i]!;
    stats.steps++;
    if (!('s' in turn)) {
      const d = both(`turn ${i}: +${turn.ms}ms`, (cl) => cl.advance(turn.ms));
      if (d) return d;
      continue;
    }
    const name = SESSIONS[turn.s]!;
    if (plain.busy(name) || noisy.busy(name)) {
      if (plain.busy(name) !== noisy.busy(name)) return fail(`turn ${i}: is ${name} still waiting?`, plain.busy(name), noisy.busy(name));
      continue; // the session waits: its program goes on when it is free
    }
    const op = queues[turn.s]!.shift() as Exclude<Op, { t: 'tick' }> | undefined;
    if (!op) continue;
    const pick = scanned(op);
    if (pick) {
      const la = plain.layout(REL, pick), lb = noisy.layout(REL, pick);
      const inB = new Set(lb), inA = new Set(la);
      const fa = la.filter((x) => inB.has(x)), fb = lb.filter((x) => inA.has(x));
      if (JSON.stringify(fa) !== JSON.stringify(fb)) { stats.skippedOrder++; continue; }
    }
    const sqlA = render(op, plain.view(name), REL, i % 3 === 0), sqlB = render(op, noisy.view(name), REL, i % 3 === 0);
    if (sqlA !== sqlB) return fail(`turn ${i}: ${name}'s transaction state differs`, sqlA, sqlB);
    const d = both(`turn ${i}: ${name}: ${sqlA}`, (cl) => cl.step(name, sqlA));
    if (d) return d;
  }
  // the end: every session commits what it has (waiters are given time), then the contents are compared
  for (let round = 0; round < 8; round++) {
    for (const name of SESSIONS) {
      if (plain.busy(name) || plain.view(name).inBlock === false) continue;
      const d = both(`end: ${name} commits`, (cl) => cl.step(name, 'COMMIT;'));
      if (d) return d;
    }
    if (!SESSIONS.some((n) => plain.busy(n))) break;
    const d = both('end: +1100ms', (cl) => cl.advance(1100));
    if (d) return d;
  }
  const stuck = SESSIONS.filter((n) => plain.busy(n) || noisy.busy(n));
  if (stuck.length) return fail('end: sessions still waiting after every transaction ended', stuck, []);
  const final = both('end: contents', (cl) => cl.step(VAC, `SELECT k, v, w, length(pad) AS pad FROM ${REL} ORDER BY k;`));
  if (final) return final;
  const full = seenA[0]!.results[0]![1].map((r) => r.slice(0, 3));
  // each key found by its own lookup (the primary-key index, while the table has no statistics) as in the full scan
  const lookups = both('end: lookups by key', (cl) => [1, 2, 3, 4, 5, 6].flatMap((k) => cl.step(VAC, `SELECT k, v, w FROM ${REL} WHERE k = ${k};`)));
  if (lookups) return lookups;
  const byKey = seenA.flatMap((o) => o.results[0]![1]);
  if (JSON.stringify(full) !== JSON.stringify(byKey)) return fail('end: lookups by key disagree with the full scan', full, byKey);
  return null;
}

/** Assert the relation over `runs` generated cases (fast-check shrinks a failure to a small schedule). */
export function checkMetamorphic(runs: number, maxOps: number, noise: Noise[], seed?: number) {
  const r = fc.check(fc.property(caseArb(maxOps, noise), (c) => runCase(c) === null), { numRuns: runs, ...(seed !== undefined ? { seed } : {}) });
  if (r.failed) {
    const c = r.counterexample![0] as Case;
    expect.fail(`seed ${r.seed}, path "${r.counterexample ? r.counterexamplePath : ''}", after ${r.numShrinks} shrinks:\n${runCase(c)}\ncase: ${JSON.stringify(c)}`);
  }
}
