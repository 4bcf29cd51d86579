/**
 * What running a lesson step means for the engine: the log entries (shared/api.ts LogEntry) the step applies.
 *
 * As the isolation tester does, a step for a session that is still waiting in its previous statement first waits
 * for that statement to finish (virtual time passes: deadlock checks fire) — so the lesson never sends a second
 * statement to a busy connection. A task step applies its solution. The checker, the player and the scenario
 * export all go through here, so what CI verifies is what the learner's browser runs.
 */
import type { EngineState, LogEntry } from '../shared/api.js';
import type { Lesson, LessonStep } from './format.js';

/** The session a step talks to (null for server events). */
export function stepSession(step: LessonStep): string | null {
  if (step.task) return step.task.session;
  return step.action?.kind === 'sql' ? step.action.session : null;
}

/** The SQL a step runs (its action, or its task's solution). */
export function stepSql(step: LessonStep): string | null {
  if (step.task) return step.task.solution;
  return step.action?.kind === 'sql' ? step.action.sql : null;
}

/** The setup blocks' connection: the isolation tester's control connection, named as the workspace names it. */
export const SETUP_SESSION = 'setup';

/**
 * The engine's sessions for a lesson, in the order their backends are created: the setup connection first, then the
 * lesson's sessions — as the recordings number them (the control connection is pid 1001, the sessions 1002, 1003 …),
 * so a DETAIL naming pids reads the same in the player, the checker and PostgreSQL's transcript.
 */
export function lessonBackends(lesson: Pick<Lesson, 'sessions'>): string[] {
  return [SETUP_SESSION, ...lesson.sessions];
}

export function setupEntries(lesson: Lesson): LogEntry[] {
  return [...serverEntries(lesson), ...lesson.setup.map((s): LogEntry => ({ kind: 'sql', session: SETUP_SESSION, sql: s.sql }))];
}

/** The front matter's server settings, as postgresql.conf changes made before the setup (YAML's on/true is "on"). */
export function serverEntries(lesson: Lesson): LogEntry[] {
  return Object.entries(lesson.meta.server ?? {}).map(([k, v]): LogEntry => ({ kind: 'server', action: 'configure', arg: `${k}=${v === true ? 'on' : v === false ? 'off' : String(v)}` }));
}

/** The entries that run a step, given the state before it. */
export function stepEntries(step: LessonStep, state: EngineState | null): LogEntry[] {
  const a = step.action;
  const session = stepSession(step);
  const sql = stepSql(step);
  if (session && sql !== null) {
    const busy = state?.sessions.find((s) => s.name === session)?.state === 'active';
    return [...(busy ? [{ kind: 'wait' as const, session }] : []), { kind: 'sql', session, sql }];
  }
  if (!a) return [];
  if (a.kind === 'advance') return [{ kind: 'advance', ms: a.ms }];
  if (a.kind === 'server') return [{ kind: 'server', action: a.action, ...(a.arg !== undefined ? { arg: a.arg } : {}) }];
  return [];
}
