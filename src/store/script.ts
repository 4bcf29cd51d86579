/**
 * Where a scenario or a lesson stands, read from the timeline — never kept beside it.
 *
 * "Next step" of a loaded .spec and "next" of a lesson both run a *script*: a list of steps. Each timeline node a
 * script step applies carries that step's number (`step` on the node: the scenario queue index, or the lesson step;
 * -1 for a lesson's setup). The position is then a function of the path from the start to the current step: jump
 * anywhere in the timeline (back, to another branch, after a reload) and the position follows, so "Next" can never
 * run a COMMIT whose BEGIN is on another branch. A counter kept beside the timeline could (and did).
 *
 * A lesson's path is the longest prefix of the current path that follows the lesson: its setup, then its steps in
 * order, each node's entry the one its step applies. Nodes after that prefix are the learner's own SQL (a "what
 * if" or a task attempt): `detour` counts them, and "back to the lesson" jumps to `anchor`, the last node of the
 * prefix. The step the player shows (the cursor, saved with the workspace) is clamped to what the prefix allows.
 * Pure functions: unit-tested in tests/unit/player.test.ts.
 */
import type { LogEntry } from '../shared/api';
import type { Lesson, LessonStep } from '../lessons/format';
import { setupEntries, stepEntries, stepSession } from '../lessons/steps';

export interface TaggedNode { id: number; parent: number | null; entry: LogEntry; step?: number }

/** The same statement or event (a cancelled bulk statement's amended entry still counts as the one sent). */
export function sameEntry(a: LogEntry, b: LogEntry): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'sql': return b.kind === 'sql' && a.session === b.session && a.sql === b.sql;
    case 'wait': return b.kind === 'wait' && a.session === b.session;
    case 'advance': return b.kind === 'advance' && a.ms === b.ms;
    case 'server': return b.kind === 'server' && a.action === b.action && (a.arg ?? null) === (b.arg ?? null);
  }
}

// ------------------------------------------------------------------------------------------------ scenarios

/**
 * The queue index "Next step" runs next: after the last tagged node on the path (a `wait` inserted before a queued
 * statement leaves that statement to run). `legacy`: the counter an older save kept, used only when no node of the
 * timeline carries a tag (such a save has none).
 */
export function scenarioPosition(path: readonly TaggedNode[], queue: readonly LogEntry[], legacy: number | null = null, anyTagged = true): number {
  for (let i = path.length - 1; i >= 0; i--) {
    const t = path[i]!.step;
    if (t === undefined || t < 0 || t >= queue.length) continue;
    const waitOnly = path[i]!.entry.kind === 'wait' && queue[t]!.kind !== 'wait';
    return waitOnly ? t : t + 1;
  }
  if (!anyTagged && legacy !== null && path.length) return Math.min(Math.max(0, legacy), queue.length);
  return 0;
}

// ------------------------------------------------------------------------------------------------ lessons

/** The entry that carries out a step (its statement or event; null for a step of narration only). */
export function actionEntry(step: LessonStep): LogEntry | null {
  const e = stepEntries(step, null);
  return e.length ? e[e.length - 1]! : null;
}
export const runsSomething = (step: LessonStep) => actionEntry(step) !== null;

export interface LessonPosition {
  /** every setup block ran on the path */
  setupDone: boolean;
  /** the last step completed on the lesson's path (-1: none yet) */
  done: number;
  /** a step whose inserted wait ran but not its action yet (a reload in between) */
  partial: number | null;
  /** the last node of the lesson's path (null: the start of the timeline) */
  anchor: number | null;
  /** nodes on the path after the lesson's path: the learner's own SQL */
  detour: number;
  /** for each completed step that ran something, its last node; -1: the last setup node */
  stepNodes: Map<number, number>;
}

export function lessonPosition(path: readonly TaggedNode[], lesson: Lesson): LessonPosition {
  const setup = setupEntries(lesson);
  const stepNodes = new Map<number, number>();
  let i = 0;
  let anchor: number | null = null;
  for (const e of setup) {
    const n = path[i];
    if (!n || n.step !== -1 || !sameEntry(n.entry, e)) break;
    anchor = n.id;
    i++;
  }
  const setupDone = i === setup.length;
  if (setupDone && setup.length) stepNodes.set(-1, anchor!);
  let done = -1, partial: number | null = null;
  if (setupDone) {
    let next = 0;
    while (i < path.length) {
      const n = path[i]!;
      const t = n.step;
      if (t === undefined || t < next || t >= lesson.steps.length) break;
      // the steps skipped over must be narration only
      let skipsAction = false;
      for (let k = next; k < t; k++) if (runsSomething(lesson.steps[k]!)) skipsAction = true;
      if (skipsAction) break;
      const step = lesson.steps[t]!;
      const want = actionEntry(step);
      if (!want) break;
      const session = stepSession(step);
      if (n.entry.kind === 'wait' && want.kind === 'sql' && n.entry.session === session) {
        // the wait stepEntries inserts before a busy session's statement
        partial = t; anchor = n.id; i++; next = t;
        continue;
      }
      if (!sameEntry(n.entry, want)) break;
      partial = null; anchor = n.id; i++;
      done = t; next = t + 1;
      stepNodes.set(t, n.id);
    }
  }
  return { setupDone, done, partial, anchor, detour: path.length - i, stepNodes };
}

/** The first step after `after` that runs something or hands over a task (lesson.steps.length: none, the summary). */
export function nextActionAfter(lesson: Lesson, after: number): number {
  for (let k = after + 1; k < lesson.steps.length; k++) if (runsSomething(lesson.steps[k]!)) return k;
  return lesson.steps.length;
}

/**
 * The step to show: the one saved if the timeline allows it — from the last completed step up to the next one that
 * runs something (the steps of narration only between them show the same state) — else the last completed step
 * (the timeline was moved back, or elsewhere). -1 is the introduction, steps.length the summary.
 */
export function clampCursor(cursor: number, pos: LessonPosition, lesson: Lesson): number {
  if (!pos.setupDone) return -1;
  if (pos.partial !== null) return pos.partial;
  if (!Number.isSafeInteger(cursor) || cursor < pos.done || cursor > nextActionAfter(lesson, pos.done)) return pos.done;
  return cursor;
}

export type Phase = 'intro' | 'pending' | 'shown' | 'summary';
/**
 * What the shown step is: the introduction, a step still to run (pending: its question waits for an answer, its
 * task for the learner, or it has not run yet), a step that ran (or only narrates), or the summary.
 */
export function phaseOf(cursor: number, pos: LessonPosition, lesson: Lesson): Phase {
  if (cursor < 0) return 'intro';
  if (cursor >= lesson.steps.length) return 'summary';
  if (cursor <= pos.done) return 'shown';
  return runsSomething(lesson.steps[cursor]!) ? 'pending' : 'shown';
}

/** The node that holds the state in which step `cursor` is shown: after the last step at or before it that ran something. */
export function nodeForCursor(cursor: number, pos: LessonPosition): number | null {
  for (let k = Math.min(cursor, pos.done); k >= -1; k--) {
    const id = pos.stepNodes.get(k);
    if (id !== undefined) return id;
  }
  return null;
}

/**
 * An earlier run of step `k` from node `from` (the lesson already went this way, and came back): the last node of
 * the newest such chain, or null. Reusing it keeps the timeline from growing a copy of the lesson at every back/next.
 */
export function existingStepNode(nodes: ReadonlyMap<number, TaggedNode>, from: number | null, k: number, lesson: Lesson): number | null {
  const step = lesson.steps[k];
  const want = step && actionEntry(step);
  if (!want) return null;
  const children = new Map<number | null, TaggedNode[]>();
  for (const n of nodes.values()) if (n.step === k) { const l = children.get(n.parent) ?? []; l.push(n); children.set(n.parent, l); }
  let best: number | null = null;
  const walk = (at: number | null, depth: number) => {
    for (const c of children.get(at) ?? []) {
      if (sameEntry(c.entry, want)) { if (best === null || c.id > best) best = c.id; } else if (c.entry.kind === 'wait' && depth < 8) walk(c.id, depth + 1);
    }
  };
  walk(from, 0);
  return best;
}
