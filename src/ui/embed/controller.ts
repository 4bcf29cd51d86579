/**
 * What an embed's commands do (the message API's other half; bridge.ts moves the messages). An embed plays one
 * lesson of the course or one free scenario, on the same workspace store and lesson player as the full app — in a
 * storage namespace of its own (store/nsstorage.ts), so its timeline is never the app's nor another embed's.
 *
 *  - a lesson: step = the player's next, back = its back, seek = next / back until the step shown is the one asked
 *    (a question on the way stops it: answer first), answer = pick a choice, reset = play it again;
 *  - a scenario (an isolation-tester .spec): step = "Next step", back and seek = jump to where the queue stood at
 *    that step (positions are read from the timeline, store/script.ts) or run the queue up to it, reset = load it
 *    again. A scenario is resumed from storage when it is the same text as before.
 *
 * It reports a step once the engine has settled after a change of position or current step, an answer once the
 * learner (or the host) answered, and an error whenever the workspace shows a new error.
 */
import { createStore } from 'zustand/vanilla';
import type { Workspace } from '../../store/workspace';
import type { Player, LessonDoc } from '../../store/player';
import { hashText } from '../../store/player';
import { pathTo } from '../../store/nodes';
import { scenarioPosition } from '../../store/script';
import { HEADER_KEY } from '../../store/persist';
import type { Catalog } from '../lessons/catalog';
import type { Command } from './protocol';
import type { BaseState, Controller, ControllerEvent } from './bridge';

export type EmbedMode = { kind: 'none' } | { kind: 'lesson'; doc: LessonDoc } | { kind: 'scenario'; name: string; text: string } | { kind: 'failed'; message: string };

/** where the embed remembers which scenario text its workspace holds (inside its namespace) */
export const SCENARIO_HASH_KEY = 'heapscope.embed.scenario';

export function createController(ws: Workspace, player: Player, storage: Storage | undefined, loadCatalog: () => Promise<Catalog>, views: string[]) {
  const { store, actions } = ws;
  const mode = createStore<{ mode: EmbedMode }>(() => ({ mode: { kind: 'none' } }));
  const get = () => store.getState();
  const listeners = new Set<(e: ControllerEvent) => void>();
  const emit = (e: ControllerEvent) => { for (const f of listeners) f(e); };
  let readyResolve!: () => void;
  const readyP = new Promise<void>((r) => { readyResolve = r; });

  const fail = (message: string): never => { throw new Error(message); };
  const lessonView = () => {
    const m = mode.getState().mode;
    return m.kind === 'lesson' ? player.view() : null;
  };

  const loadLesson = async (id: string) => {
    const cat = await loadCatalog();
    const doc = cat.lessons.find((d) => d.lesson.meta.id === id);
    if (!doc) fail(`There is no lesson "${id}" in this Heapscope (its lessons: ${cat.lessons.map((d) => d.lesson.meta.id).join(', ')}).`);
    mode.setState({ mode: { kind: 'lesson', doc: doc! } });
    await player.start(doc!);
  };
  const loadScenario = async (text: string, name: string, fresh: boolean) => {
    player.stop();
    const hash = hashText(text);
    // a scenario plays in the namespace's free slot (a lesson in its own)
    if (get().slot !== HEADER_KEY) await actions.openSlot(HEADER_KEY);
    const resume = !fresh && storage?.getItem(SCENARIO_HASH_KEY) === hash && get().scenario !== null;
    if (!resume) {
      const ok = await actions.loadScenario(text, name);
      if (!ok) fail(get().notice?.text ?? `Could not load ${name}.`);
      try { storage?.setItem(SCENARIO_HASH_KEY, hash); } catch { /* resumed from the start next time */ }
    }
    mode.setState({ mode: { kind: 'scenario', name, text } });
  };

  /** jump to where the queue stood at position n, or run it on to n */
  const seekScenario = async (n: number) => {
    const sc = get().scenario;
    if (!sc) fail('No scenario is loaded.');
    const target = Math.max(0, Math.min(n, sc!.queue.length));
    if (target < sc!.position) {
      const path = pathTo(get().nodes, get().head);
      let i = path.length;
      while (i > 0 && scenarioPosition(path.slice(0, i), sc!.queue) > target) i--;
      await actions.jumpTo(i === 0 ? null : path[i - 1]!.id);
    }
    // a step whose session is busy is preceded by a wait (the position moves on the step after it); two steps
    // without moving means the queue cannot go on
    for (let still = 0; (get().scenario?.position ?? target) < target && still < 2;) {
      const before = get().scenario!.position;
      if (!(await actions.nextScenarioStep())) break;
      still = get().scenario!.position === before ? still + 1 : 0;
    }
    if ((get().scenario?.position ?? -1) !== target) fail(`The scenario could not reach step ${target} (it is at ${get().scenario?.position}).`);
  };

  const seekLesson = async (n: number) => {
    for (let guard = 0; guard < 1000; guard++) {
      const v = lessonView();
      if (!v) fail('No lesson is loaded.');
      const l = v!.lesson;
      const target = Math.max(-1, Math.min(n, l.steps.length));
      if (v!.cursor === target && v!.pos.detour === 0) return;
      const before = `${v!.cursor}/${get().head}`;
      if (v!.cursor < target || v!.pos.detour > 0) {
        const step = l.steps[v!.cursor];
        if (v!.phase === 'pending' && step?.predict && !v!.answer) fail(`Step ${v!.cursor + 1} asks a question: answer it first (the "answer" command).`);
        await player.next();
      } else await player.back();
      const after = lessonView();
      if (after && `${after.cursor}/${get().head}` === before) fail(`The lesson could not go on from step ${v!.cursor + 1}.`);
    }
  };

  const run = async (cmd: Command) => {
    await readyP; // a command sent early waits for what the page was given to load
    if (get().phase === 'failed') fail(get().notice?.text ?? 'The engine did not start.');
    const m = mode.getState().mode;
    switch (cmd.type) {
      case 'load':
        if (cmd.lesson !== undefined) await loadLesson(cmd.lesson);
        else await loadScenario(cmd.scenario!, cmd.name ?? 'scenario', true);
        return;
      case 'get-state': return;
      case 'reset':
        if (m.kind === 'lesson') await player.restart();
        else if (m.kind === 'scenario') await loadScenario(m.text, m.name, true);
        else await actions.reset();
        return;
      case 'step':
        if (m.kind === 'lesson') return seekLesson((lessonView()?.cursor ?? -1) + 1);
        if (m.kind === 'scenario') return seekScenario((get().scenario?.position ?? 0) + 1);
        return fail('Nothing is loaded: send "load" first.');
      case 'back':
        if (m.kind === 'lesson') return seekLesson((lessonView()?.cursor ?? 0) - 1);
        if (m.kind === 'scenario') return seekScenario((get().scenario?.position ?? 0) - 1);
        return fail('Nothing is loaded: send "load" first.');
      case 'seek':
        if (m.kind === 'lesson') return seekLesson(cmd.to);
        if (m.kind === 'scenario') return seekScenario(cmd.to);
        return fail('Nothing is loaded: send "load" first.');
      case 'answer': {
        const v = lessonView();
        const q = v && v.cursor >= 0 ? v.lesson.steps[v.cursor]?.predict : undefined;
        if (!v || !q || v.phase !== 'pending' || v.answer) fail('The step shown asks no question to answer now.');
        if (cmd.choice >= q!.choices.length) fail(`The question has ${q!.choices.length} choices (0 to ${q!.choices.length - 1}).`);
        await player.answer(cmd.choice);
        return;
      }
    }
  };

  const state = (): BaseState => {
    const s = get();
    const m = mode.getState().mode;
    const v = lessonView();
    const path = pathTo(s.nodes, s.head);
    return {
      kind: m.kind === 'lesson' ? 'lesson' : m.kind === 'scenario' ? 'scenario' : 'none',
      title: m.kind === 'lesson' ? m.doc.lesson.meta.title : m.kind === 'scenario' ? m.name : '',
      position: v ? v.cursor : s.scenario?.position ?? 0,
      of: v ? v.lesson.steps.length : s.scenario?.queue.length ?? 0,
      phase: v ? v.phase : null,
      head: s.head, steps: path.length, clock: s.state?.clock ?? 0,
      sessions: (s.state?.sessions ?? []).filter((x) => x.name !== 'setup').map((x) => ({ name: x.name, pid: x.pid ?? null, status: x.status, waiting: !!x.waiting })),
      answers: (s.lesson?.answers ?? []).map((a) => ({ step: a.step, choice: a.choice, right: a.right })),
      engine: s.phase,
    };
  };

  // events: a step once the engine settles on a new position, an answer, a new error
  let lastStep = '';
  let lastAnswers = 0;
  const sig = () => { const st = state(); return `${st.kind}|${st.position}|${st.head}|${st.steps}`; };
  let booted = false;
  store.subscribe((s, prev) => {
    if (s.notice && s.notice !== prev.notice && s.notice.kind === 'error') emit({ type: 'error', message: s.notice.text });
    if (s.phase !== 'ready' || !booted) return; // what loading does is not a step: `ready` reports where it ended
    const answers = s.lesson?.answers ?? [];
    if (answers.length !== lastAnswers) {
      if (answers.length > lastAnswers) { const a = answers[answers.length - 1]!; emit({ type: 'answered', step: a.step, choice: a.choice, right: a.right }); }
      lastAnswers = answers.length;
    }
    // one event per move: a lesson's next sets the step shown, then runs it — report once the engine settled
    if (!stepTimer) stepTimer = setTimeout(() => {
      stepTimer = null;
      if (get().phase !== 'ready') return; // the next settle reports it
      const now = sig();
      if (now !== lastStep) { lastStep = now; emit({ type: 'step' }); }
    }, 0);
  });
  let stepTimer: ReturnType<typeof setTimeout> | null = null;

  const controller: Controller = {
    run, state, views,
    whenReady: () => readyP,
    subscribe(f) { listeners.add(f); return () => listeners.delete(f); },
  };
  return {
    controller, mode,
    /** load what the page was given (a lesson id or a scenario), then report ready */
    async boot(initial: { lesson: string } | { scenario: string; name: string } | null) {
      await actions.whenStarted();
      try {
        if (initial && 'lesson' in initial) await loadLesson(initial.lesson);
        else if (initial) await loadScenario(initial.scenario, initial.name, false);
      } catch (e) {
        mode.setState({ mode: { kind: 'failed', message: (e as Error).message } });
        emit({ type: 'error', message: (e as Error).message });
      }
      // the "Loaded …: N steps queued" banner is for the full app; an embed's toolbar says as much
      if (get().notice?.kind === 'info') actions.dismissNotice();
      lastStep = sig();
      lastAnswers = get().lesson?.answers.length ?? 0;
      booted = true;
      readyResolve();
    },
  };
}
