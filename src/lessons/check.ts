/**
 * The lesson checker: runs a parsed lesson through the engine, step by step, exactly as the player will, and
 * verifies everything the lesson states.
 *
 *  - every setup block and every step succeeds, unless the lesson says it fails (expect: outcome: "40001", or a
 *    predict whose answer is that error) — a syntax error the real parser reports is always a lesson bug;
 *  - every predict question has exactly one right choice, and it is the stated answer;
 *  - every expect claim holds;
 *  - every task's check does not hold before the learner acts (else the task teaches nothing) and holds after
 *    the instructor's solution (else it cannot pass);
 *  - every look: target exists when the step is shown.
 * Claims about what PostgreSQL does (rows, waits, errors) are further checked against a real PostgreSQL 15: the
 * lesson's transcript (toSpec.ts) is a scenario of the conformance suite.
 */
import type { EngineApi, EngineState, StepResult } from '../shared/api.js';
import { type Claim, type Lesson, LessonError } from './format.js';
import { judge, holds, describeFailures, findTuple, outcomeWord } from './claims.js';
import { lessonBackends, serverEntries, setupEntries, stepEntries, stepSession } from './steps.js';

export interface CheckResult { errors: LessonError[]; steps: number; questions: number; verified: number; tasks: number }

/** Does a claim say the step fails with this SQLSTATE? */
const claimsError = (c: Claim | null | undefined, code: string, session?: string) =>
  (session === undefined ? c?.outcome === code : c?.outcomes?.[session] === code) || (code === '40P01' && !!c?.victim && (session === undefined || c.victim === session));

export async function checkLesson(lesson: Lesson, api: EngineApi): Promise<CheckResult> {
  const errors: LessonError[] = [];
  const fail = (line: number, m: string) => errors.push(new LessonError(lesson.file, line, m));
  let questions = 0, verified = 0, tasks = 0;
  await api.ready();
  let { state } = await api.replay(lessonBackends(lesson), []);
  const apply = async (entries: ReturnType<typeof stepEntries>): Promise<StepResult> => {
    const outcomes: StepResult['outcomes'] = [];
    let last: StepResult | null = null;
    for (const e of entries) {
      const r = await api.apply(e);
      state = r.state;
      last = r.result;
      if (r.result.rejected) throw new Error(r.result.rejected);
      outcomes.push(...r.result.outcomes);
    }
    return { entry: last?.entry ?? { kind: 'advance', ms: 0 }, outcomes, clock: last?.clock ?? state.clock };
  };

  const nServer = serverEntries(lesson).length;
  for (const [i, e] of setupEntries(lesson).entries()) {
    if (i < nServer) {
      const r = await api.apply(e);
      state = r.state;
      if (r.result.rejected) fail(1, `server setting ${e.kind === 'server' ? e.arg : ''}: ${r.result.rejected}`);
      continue;
    }
    const r = await apply([e]);
    const err = r.outcomes.find((o) => o.error)?.error;
    if (err) fail(lesson.setup[i - nServer]!.line, `setup fails: ERROR ${err.sqlstate}: ${err.message}`);
  }

  for (const step of lesson.steps) {
    const session = stepSession(step);
    if (step.task) {
      tasks++;
      const before: StepResult = { entry: { kind: 'advance', ms: 0 }, outcomes: [], clock: state.clock };
      if (holds(judge(step.task.check, state, before, step.task.session))) fail(step.task.line, 'the task\'s check already holds before the learner does anything: it cannot tell whether the goal was reached');
    }
    let result: StepResult;
    try {
      result = await apply(stepEntries(step, state));
    } catch (e) {
      fail(step.line, `the step cannot run: ${(e as Error).message}`);
      continue;
    }
    // an error nobody announced is a mistake in the lesson (or the engine changed under it)
    if (session) {
      const own = [...result.outcomes].reverse().find((o) => o.session === session);
      const code = own?.error?.sqlstate;
      if (code) {
        const announced = claimsError(step.expect, code) || claimsError(step.predict?.claim, code) || claimsError(step.task?.check, code);
        const where = step.task?.line ?? (step.action?.line ?? step.line);
        if (code === '42601') fail(where, `the SQL does not parse: ${own.error!.message}${own.error!.position ? ` (at character ${own.error!.position})` : ''}`);
        else if (!announced) fail(where, `${session} fails with ERROR ${code}: ${own.error!.message} — if that is the point, say so (expect: { outcome: "${code}" })`);
      }
    }
    // every other statement finishing in this step counts too (a deadlock victim, a 40001 after a wait), including
    // the step session's previous statement, which the step waited for
    const ownLast = session ? [...result.outcomes].reverse().find((o) => o.session === session) : undefined;
    for (const o of result.outcomes) {
      if (o === ownLast || !o.error || o.error.severity === 'FATAL') continue;
      const code = o.error.sqlstate;
      if (!claimsError(step.expect, code, o.session) && !claimsError(step.predict?.claim, code, o.session)) {
        fail(step.action?.line ?? step.line, `${o.session}'s statement, finishing in this step, fails with ERROR ${code}: ${o.error.message} — say so (expect: { outcomes: { ${o.session}: "${code}" } })`);
      }
    }
    if (step.predict) {
      questions++;
      const q = step.predict;
      if (q.kind === 'concept') {
        if (q.answer < 0 || q.answer >= q.choices.length) fail(q.line, 'the answer is not one of the choices');
      } else {
        const truths = q.choiceClaims.map((c) => holds(judge(c, state, result, session)));
        const right = truths.map((t, k) => (t ? k : -1)).filter((k) => k >= 0);
        if (right.length === 1 && right[0] === q.answer) verified++;
        else if (right.length === 0) fail(q.line, `no choice is right: the answer ${describeFailures(judge(q.choiceClaims[q.answer]!, state, result, session))}`);
        else if (right.length > 1) fail(q.line, `more than one choice is right: ${right.map((k) => `"${q.choices[k]}"`).join(' and ')}`);
        else fail(q.line, `the stated answer "${q.choices[q.answer]}" is wrong: ${describeFailures(judge(q.choiceClaims[q.answer]!, state, result, session))}; the engine says "${q.choices[right[0]!]}"`);
      }
    }
    if (step.expect) {
      const js = judge(step.expect, state, result, session);
      if (!holds(js)) fail(step.line, `expect: ${describeFailures(js)}`);
    }
    if (step.task) {
      const js = judge(step.task.check, state, result, step.task.session);
      if (!holds(js)) fail(step.task.line, `the task's check fails after its own solution: ${describeFailures(js)} — a learner could never pass it`);
    }
    for (const look of step.looks) {
      if (look.kind === 'tuple') {
        const [table, blk, off] = look.path;
        if (!findTuple(state, { table: table!, blk: Number(blk), off: Number(off) })) fail(look.line, `look:${look.raw}: there is no tuple ${table} (${blk},${off}) after this step`);
      } else if (look.kind === 'view' && !['Heap', 'Index', 'Snapshots', 'Waits', 'WAL', 'Durability'].includes(look.path[0] ?? '')) {
        fail(look.line, `look:${look.raw}: no such view (Heap, Index, Snapshots, Waits, WAL, Durability)`);
      }
    }
  }
  return { errors, steps: lesson.steps.length, questions, verified, tasks };
}

/** For a step's session: 'ok', 'waits' or the SQLSTATE, from a step result (the player's "what happened"). */
export function stepOutcome(result: StepResult, session: string): string {
  return outcomeWord([...result.outcomes].reverse().find((o) => o.session === session));
}

export type { EngineState };
