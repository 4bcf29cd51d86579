/**
 * The lesson player: plays a lesson (src/lessons) on the workspace store, one step at a time.
 *
 * A step runs through the store like anything the learner types, as the entries src/lessons/steps.ts says (the
 * checker runs the very same ones in CI), each node tagged with the step's number. Where the learner is comes from
 * the timeline (script.ts: the tags on the path to head) plus the step shown, saved with the workspace and clamped
 * to what the timeline allows — so a reload, a jump in the timeline or a detour of the learner's own never leaves
 * the player showing one step with the engine at another.
 *
 *  - next: show the next step; a step that runs something runs at once, unless it asks a question (it waits for
 *    the answer: answering runs it and judges the answer on the engine with claims.ts, never by the stated answer
 *    alone) or hands over a task (the learner types; the check is judged after every statement they run).
 *  - a task continues from the instructor's solution: the player jumps back to the lesson's last node and runs the
 *    solution there, so the learner's attempt stays in the timeline as a branch.
 *  - what if: anything the learner runs branches off the lesson's path; "back to the lesson" jumps to its last node.
 *  - back: jumps to the node of the step before (running a step again later reuses the nodes it made).
 *
 * Each lesson has its own storage slot (persist.ts: lessonSlotKey), so the free workspace and other lessons keep
 * theirs. Progress per lesson (for the gallery) is kept in progress.ts.
 */
import { createStore } from 'zustand/vanilla';
import type { Lesson, Question } from '../lessons/format';
import { judge, holds, type Judgement } from '../lessons/claims';
import { setupEntries, stepEntries, stepSession } from '../lessons/steps';
import type { StepResult } from '../shared/api';
import { lessonSlotKey, FILE_LESSON_KEY, type SavedLesson, type SavedWorkspace } from './persist';
import { lessonPosition, clampCursor, phaseOf, nodeForCursor, existingStepNode, type LessonPosition, type Phase } from './script';
import { pathTo, type TimelineNode } from './nodes';
import { saveProgress } from './progress';
import { MAX_FILE_BYTES, type Workspace, type WorkspaceState } from './workspace';

/** A lesson ready to play: parsed, with where it came from. */
export interface LessonDoc { lesson: Lesson; hash: string; source: 'bundled' | 'file'; /** the opened file's text (source 'file') */ text?: string }

/** A short stable hash of a lesson's text (FNV-1a): a saved game of an older version of the lesson is not resumed. */
export function hashText(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) { h ^= text.charCodeAt(i); h = Math.imul(h, 0x01000193); }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** Parse a lesson's text (the parser, with its Markdown and YAML readers, is loaded on first use). */
export async function parseLessonText(text: string, name: string): Promise<LessonDoc | { errors: string[] }> {
  const { parseLesson } = await import('../lessons/parse');
  const r = parseLesson(text, name);
  return r.lesson ? { lesson: r.lesson, hash: hashText(text), source: 'file', text } : { errors: r.errors.map((e) => e.message) };
}

export const slotOf = (doc: Pick<LessonDoc, 'source' | 'lesson'>) => (doc.source === 'file' ? FILE_LESSON_KEY : lessonSlotKey(doc.lesson.meta.id));
/** where an opened lesson file's text is kept (beside its slot, written once) */
export const FILE_LESSON_TEXT_KEY = 'heapscope.lessonfile.text';

const EDITOR_HINT = (name: string) => `-- ${name}: try your own SQL here ("what if"); Ctrl+Enter runs it\n`;

/** The workspace a lesson starts in: its sessions (the setup connection first, as recorded), nothing run yet. */
export function freshLessonWorkspace(doc: LessonDoc): SavedWorkspace {
  return {
    version: 1, sessions: doc.lesson.sessions.map((name) => ({ name, text: EDITOR_HINT(name) })), nodes: [], head: null, controlFirst: true,
    lesson: { id: doc.lesson.meta.id, hash: doc.hash, source: doc.source, cursor: -1, answers: [], tasks: [] },
  };
}

/** Everything the player shows, derived from the workspace's state. */
export interface PlayerView {
  lesson: Lesson;
  saved: SavedLesson;
  pos: LessonPosition;
  cursor: number;
  phase: Phase;
  /** the answer given to the shown step's question, if any */
  answer: SavedLesson['answers'][number] | null;
  /** for a task being tried: the check judged on the state after the learner's last statement */
  task: { judgements: Judgement[]; reached: boolean; tried: boolean } | null;
}

export function viewOf(s: Pick<WorkspaceState, 'nodes' | 'head' | 'lesson' | 'state'>, lesson: Lesson): PlayerView | null {
  const saved = s.lesson;
  if (!saved || saved.id !== lesson.meta.id) return null;
  const path = pathTo(s.nodes, s.head);
  const pos = lessonPosition(path, lesson);
  const cursor = clampCursor(saved.cursor, pos, lesson);
  const phase = phaseOf(cursor, pos, lesson);
  const answer = saved.answers.find((a) => a.step === cursor) ?? null;
  let task: PlayerView['task'] = null;
  const step = lesson.steps[cursor];
  if (phase === 'pending' && step?.task && s.state) {
    const head = s.head === null ? undefined : s.nodes.get(s.head);
    const tried = pos.detour > 0 && !!head?.result;
    const result: StepResult = tried ? head!.result! : { entry: { kind: 'advance', ms: 0 }, outcomes: [], clock: s.state.clock };
    const judgements = judge(step.task.check, s.state, result, step.task.session);
    task = { judgements, reached: tried && holds(judgements), tried };
  }
  return { lesson, saved, pos, cursor, phase, answer, task };
}

/** A question's answer judged on the engine: is the picked choice's claim true now, and which choice's is. */
export function judgeAnswer(q: Question, choice: number, state: Parameters<typeof judge>[1], result: StepResult, session: string | null) {
  if (q.kind === 'concept' || !q.choiceClaims.length) return { right: choice === q.answer, truth: q.answer, actual: null as Judgement[] | null };
  const truths = q.choiceClaims.map((c) => holds(judge(c, state, result, session)));
  const truth = truths.indexOf(true);
  return { right: truths[choice] === true, truth, actual: judge(q.choiceClaims[choice]!, state, result, session) };
}

/** The outcomes of the nodes at the end of the path that carry out step k (a wait, then its statement). */
function stepResultOnPath(path: readonly TimelineNode[], k: number): StepResult | null {
  const outcomes: StepResult['outcomes'] = [];
  let last: StepResult | null = null;
  for (let i = path.length - 1; i >= 0 && path[i]!.step === k; i--) {
    const r = path[i]!.result;
    if (!r) return null;
    if (!last) last = r;
    outcomes.unshift(...r.outcomes);
  }
  return last ? { ...last, outcomes } : null;
}

export function createPlayer(ws: Workspace, storage: Storage | undefined = typeof localStorage !== 'undefined' ? localStorage : undefined) {
  const { store, actions } = ws;
  /** the lesson being played (runtime: the parsed lesson is not saved, its id and hash are) */
  const player = createStore<{ doc: LessonDoc | null; lastJudgement: { step: number; actual: Judgement[] | null } | null }>(() =>
    ({ doc: null, lastJudgement: null }));
  /** the course's progress is recorded (not for a shared lesson, played in a slot of its own) */
  let recordProgress = true;
  /**
   * Counts start() and stop(): an action that awaited the engine goes on only if no other lesson (or slot) was opened
   * meanwhile — else a step still running when a shared link opened would write its cursor into the link's slot.
   */
  let epoch = 0;
  const get = () => store.getState();
  const lessonOf = () => player.getState().doc?.lesson ?? null;
  const view = () => { const l = lessonOf(); return l ? viewOf(get(), l) : null; };

  const saveLesson = (patch: Partial<SavedLesson>) => {
    const cur = get().lesson;
    if (!cur) return;
    const next = { ...cur, ...patch };
    actions.setLesson(next);
    const l = lessonOf();
    if (l && storage && recordProgress) {
      const v = viewOf(get(), l);
      const asked = l.steps.filter((s) => s.predict).length;
      saveProgress(storage, l.meta.id, { step: v?.cursor ?? next.cursor, of: l.steps.length, right: next.answers.filter((a) => a.right).length,
        answered: next.answers.length, asked, done: (v?.cursor ?? -1) >= l.steps.length });
    }
  };
  const setCursor = (cursor: number) => saveLesson({ cursor });

  // the saved step follows the timeline: a jump made in the timeline itself moves it
  store.subscribe((s, prev) => {
    if (s.head === prev.head && s.nodes === prev.nodes) return;
    const l = lessonOf();
    if (!l || !s.lesson || s.lesson.id !== l.meta.id || s.phase === 'busy') return;
    const v = viewOf(s, l);
    if (v && v.cursor !== s.lesson.cursor) setCursor(v.cursor);
  });

  /** run step k from the lesson's last node: reuse an earlier run of it, or apply its entries */
  const runStep = async (k: number): Promise<StepResult | null> => {
    const e = epoch;
    const l = lessonOf()!;
    const v = view()!;
    const step = l.steps[k]!;
    if (v.pos.detour > 0 || v.pos.anchor !== get().head) await actions.jumpTo(v.pos.anchor);
    if (e !== epoch) return null;
    const again = existingStepNode(get().nodes, v.pos.anchor, k, l);
    if (again !== null) {
      await actions.jumpTo(again, 4);
      return stepResultOnPath(pathTo(get().nodes, get().head), k);
    }
    const { result, ok } = await actions.runSteps(stepEntries(step, get().state), k);
    return ok ? result : null;
  };

  const ensureSetup = async () => {
    const l = lessonOf()!;
    const v = view()!;
    if (v.pos.setupDone) return true;
    // an earlier run of the setup, from the start
    const first = setupEntries(l);
    let at: number | null = null;
    for (const e of first) {
      let found: number | null = null;
      for (const n of get().nodes.values()) if (n.parent === at && n.step === -1 && n.entry.kind === e.kind &&
        (n.entry as { sql?: string }).sql === (e as { sql?: string }).sql) found = n.id;
      if (found === null) { at = null; break; }
      at = found;
    }
    if (at !== null) { await actions.jumpTo(at); return true; }
    const e = epoch;
    if (get().head !== null) await actions.jumpTo(null);
    if (e !== epoch) return false;
    const { ok, result } = await actions.runSteps(first, -1);
    if (!ok || result.outcomes.some((o) => o.error)) {
      const err = result.outcomes.find((o) => o.error)?.error;
      store.setState({ notice: { kind: 'error', text: `The lesson's setup failed${err ? `: ERROR ${err.sqlstate}: ${err.message}` : ''}.` } });
      return false;
    }
    return true;
  };

  const p = {
    player,
    view,
    /**
     * Open a lesson in its slot: resume where the learner was, or start it (its setup runs at once). `slot` plays
     * it elsewhere (a shared link's slot: the learner's own record of the lesson and the course's progress stay).
     */
    async start(doc: LessonDoc, opts: { slot?: string } = {}) {
      const e = ++epoch;
      player.setState({ doc, lastJudgement: null });
      recordProgress = opts.slot === undefined;
      await actions.whenStarted();
      if (doc.source === 'file' && doc.text !== undefined && storage) {
        try {
          storage.setItem(FILE_LESSON_TEXT_KEY, JSON.stringify({ name: doc.lesson.file, text: doc.text }));
        } catch { /* the lesson still plays; a reload will not find it */ }
      }
      await actions.openSlot(opts.slot ?? slotOf(doc), () => freshLessonWorkspace(doc));
      if (e !== epoch) return;
      const saved = get().lesson;
      if (!saved || saved.id !== doc.lesson.meta.id || saved.hash !== doc.hash || doc.source === 'file' && saved.source !== 'file') {
        const changed = saved?.id === doc.lesson.meta.id;
        await actions.replaceWorkspace(freshLessonWorkspace(doc));
        if (changed) store.setState({ notice: { kind: 'info', text: opts.slot === undefined ? `"${doc.lesson.meta.title}" has changed since you last played it, so it starts again from the beginning.` : `"${doc.lesson.meta.title}" has changed since this link was made, so it starts from the beginning.` } });
      }
      if (e !== epoch) return;
      if (await ensureSetup() && e === epoch) { const v = view(); if (v) setCursor(v.cursor); }
    },
    /**
     * A lesson file chosen with Open…: parsed (the errors, with file:line, are shown and nothing changes), then
     * played in the slot for opened lessons. Too big a file is refused before it is read.
     */
    async openFile(f: { name: string; size: number; text(): Promise<string> }): Promise<boolean> {
      const refuse = (text: string) => { store.setState({ notice: { kind: 'error', text } }); return false; };
      if (f.size > MAX_FILE_BYTES) return refuse(`${f.name} is ${(f.size / 1e6).toFixed(1)} MB; Heapscope opens files up to ${MAX_FILE_BYTES / 1e6} MB. Your current workspace is unchanged.`);
      const doc = await parseLessonText(await f.text(), f.name);
      if ('errors' in doc) {
        const more = doc.errors.length > 8 ? `\n… and ${doc.errors.length - 8} more` : '';
        return refuse(`${f.name} is not a lesson Heapscope can play:\n${doc.errors.slice(0, 8).join('\n')}${more}\nYour current workspace is unchanged.`);
      }
      await p.start(doc);
      return true;
    },
    /** The lesson file opened last (kept in storage), played again; false if there is none or it no longer parses. */
    async resumeFile(): Promise<boolean> {
      let saved: unknown;
      try { saved = JSON.parse(storage?.getItem(FILE_LESSON_TEXT_KEY) ?? 'null'); } catch { saved = null; }
      const x = saved as { name?: unknown; text?: unknown } | null;
      if (!x || typeof x.name !== 'string' || typeof x.text !== 'string') return false;
      const doc = await parseLessonText(x.text, x.name);
      if ('errors' in doc) return false;
      await p.start(doc);
      return true;
    },
    /** Leave the lesson (the slot keeps it; start() resumes). */
    stop() { epoch++; player.setState({ doc: null, lastJudgement: null }); },
    async next() {
      const e = epoch;
      const l = lessonOf();
      let v = view();
      if (!l || !v || get().phase !== 'ready') return;
      if (v.phase === 'pending') {
        const step = l.steps[v.cursor]!;
        if (step.task) return p.solve();
        if (step.predict && !v.answer) return; // the question holds "next" until answered
        if (v.pos.detour > 0) return p.backToLesson();
        await runStep(v.cursor);
        return;
      }
      if (v.pos.detour > 0) return p.backToLesson();
      if (v.cursor >= l.steps.length) return;
      if (v.cursor < 0 && !(await ensureSetup())) return;
      if (e !== epoch) return;
      v = view()!;
      const target = v.cursor + 1;
      if (target >= l.steps.length) { setCursor(l.steps.length); return; }
      const step = l.steps[target]!;
      const answered = v.saved.answers.some((a) => a.step === target);
      setCursor(target);
      if (step.task || (step.predict && !answered) || !stepEntries(step, null).length) return;
      await runStep(target);
      if (e === epoch) setCursor(target);
    },
    async back() {
      const l = lessonOf();
      const v = view();
      if (!l || !v || v.cursor < 0 || get().phase !== 'ready') return;
      const target = v.cursor - 1;
      const node = target < 0 ? (v.pos.stepNodes.get(-1) ?? null) : nodeForCursor(target, v.pos);
      const e = epoch;
      if (node !== get().head) await actions.jumpTo(node);
      if (e === epoch) setCursor(target);
    },
    /** Pick a choice of the shown step's question: the step runs, and the answer is judged on what the engine did. */
    async answer(choice: number) {
      const l = lessonOf();
      const v = view();
      if (!l || !v || v.phase !== 'pending' || get().phase !== 'ready') return;
      const step = l.steps[v.cursor]!;
      const q = step.predict;
      if (!q || v.answer || !Number.isInteger(choice) || choice < 0 || choice >= q.choices.length) return;
      const k = v.cursor;
      const e = epoch;
      const result = await runStep(k);
      const state = get().state;
      if (e !== epoch || !result || !state || view()?.pos.done !== k) return;
      const j = judgeAnswer(q, choice, state, result, stepSession(step));
      player.setState({ lastJudgement: { step: k, actual: j.actual } });
      saveLesson({ cursor: k, answers: [...(get().lesson?.answers ?? []).filter((a) => a.step !== k), { step: k, choice, right: j.right, truth: j.truth }] });
    },
    /** Continue a task from the instructor's solution (the learner's own attempt stays as a branch). */
    async solve() {
      const l = lessonOf();
      const v = view();
      if (!l || !v || v.phase !== 'pending' || !l.steps[v.cursor]!.task || get().phase !== 'ready') return;
      const k = v.cursor;
      const how = v.task?.reached ? 'reached' : 'solution';
      const tasks = (get().lesson?.tasks ?? []).filter((t) => t.step !== k);
      const had = get().lesson?.tasks.find((t) => t.step === k);
      const e = epoch;
      await runStep(k);
      if (e !== epoch) return;
      // once reached by the learner, it stays reached
      saveLesson({ cursor: k, tasks: [...tasks, { step: k, how: had?.how === 'reached' ? 'reached' : how }] });
    },
    /** Return from the learner's own SQL to the exact state of the lesson (the detour stays as a branch). */
    async backToLesson() {
      const v = view();
      if (!v || get().phase !== 'ready') return;
      if (v.pos.anchor !== get().head) await actions.jumpTo(v.pos.anchor);
    },
    /** Start the lesson over (the old timeline goes; the gallery's progress too). */
    async restart() {
      const doc = player.getState().doc;
      if (!doc) return;
      const e = epoch;
      await actions.replaceWorkspace(freshLessonWorkspace(doc));
      if (e !== epoch) return;
      player.setState({ lastJudgement: null });
      if (await ensureSetup() && e === epoch) setCursor(-1);
    },
  };
  return p;
}

export type Player = ReturnType<typeof createPlayer>;
