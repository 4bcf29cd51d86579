/**
 * The lesson player and the script positions: pure functions (where a lesson or a scenario stands, read from the
 * timeline) and the player on the workspace store with an in-process engine — playing a lesson, judging answers on
 * the engine, tasks, what-if detours and coming back, reloads, and "Next step" of a scenario after a jump.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { Remote } from 'comlink';
import { createWorkspace } from '../../src/store/workspace.js';
import { createPlayer, hashText, type LessonDoc } from '../../src/store/player.js';
import { lessonPosition, clampCursor, phaseOf, scenarioPosition, type TaggedNode } from '../../src/store/script.js';
import { pathTo } from '../../src/store/nodes.js';
import { lessonSlotKey, HEADER_KEY, FILE_LESSON_KEY } from '../../src/store/persist.js';
import { loadProgress, PROGRESS_KEY, progressText } from '../../src/store/progress.js';
import { parseLesson } from '../../src/lessons/parse.js';
import { checkLesson } from '../../src/lessons/check.js';
import { judge, holds } from '../../src/lessons/claims.js';
import { EngineHost } from '../../src/worker/host.js';
import { initParser } from '../../src/engine/sql/parser.js';
import type { EngineApi, LogEntry } from '../../src/shared/api.js';
import { Markdown } from '../../src/ui/lessons/Markdown.js';
import { buildCatalog, bundledCatalog } from '../../src/ui/lessons/catalog.js';
import { MemoryStorage } from './memory-storage.js';

beforeAll(async () => { await initParser(); });

const TEXT = `---
id: t
title: A test lesson
summary: A lesson written for the tests.
level: beginner
concepts: [testing]
minutes: 5
prerequisites: []
sessions: [alice, bob]
---

Two sessions and one row.

\`\`\`sql setup
CREATE TABLE kv (k int PRIMARY KEY, v int);
INSERT INTO kv VALUES (1, 10);
\`\`\`

## Alice begins

\`\`\`sql alice
BEGIN;
UPDATE kv SET v = 11 WHERE k = 1;
\`\`\`

## Bob updates

\`\`\`predict
kind: waits
question: Who waits?
choices: [alice, bob, nobody]
answer: bob
explain: Alice holds the row.
\`\`\`

\`\`\`sql bob
UPDATE kv SET v = 12 WHERE k = 1;
\`\`\`

## A pause

Bob waits for Alice.

## Alice commits

\`\`\`predict
kind: outcome
question: What happens to Bob's UPDATE?
session: bob
choices:
  It completes: ok
  It fails: "40001"
answer: It completes
explain: READ COMMITTED re-checks the new version.
\`\`\`

\`\`\`sql alice
COMMIT;
\`\`\`

## Your turn

\`\`\`task
prompt: As Bob, read the value.
session: bob
check:
  rows: "(12)"
solution: SELECT v FROM kv WHERE k = 1;
\`\`\`

## The end

That was it.
`;
const lesson = parseLesson(TEXT, 'lessons/t.md').lesson!;
const doc: LessonDoc = { lesson, hash: hashText(TEXT), source: 'bundled' };

function inProcess(host = new EngineHost()) {
  return () => ({ api: host as unknown as Remote<EngineApi>, onCrash() {}, terminate() {} });
}
async function open(storage = new MemoryStorage(), d: LessonDoc = doc) {
  const ws = createWorkspace({ storage, client: inProcess() });
  await ws.actions.init(lessonSlotKey(d.lesson.meta.id));
  const player = createPlayer(ws, storage);
  await player.start(d);
  return { ws, player, storage, view: () => player.view()!, st: () => ws.store.getState() };
}
const nodeCount = (ws: { store: { getState(): { nodes: ReadonlyMap<number, unknown> } } }) => ws.store.getState().nodes.size;

describe('the test lesson is a valid lesson', () => {
  it('parses and passes the checker', async () => {
    expect(parseLesson(TEXT, 'lessons/t.md').errors).toEqual([]);
    expect((await checkLesson(lesson, new EngineHost())).errors.map((e) => e.message)).toEqual([]);
  });
});

describe('where a lesson stands, read from the timeline (pure)', () => {
  const setup: TaggedNode = { id: 1, parent: null, entry: { kind: 'sql', session: 'setup', sql: lesson.setup[0]!.sql }, step: -1 };
  const s0: TaggedNode = { id: 2, parent: 1, entry: { kind: 'sql', session: 'alice', sql: 'BEGIN;\nUPDATE kv SET v = 11 WHERE k = 1;' }, step: 0 };
  const s1: TaggedNode = { id: 3, parent: 2, entry: { kind: 'sql', session: 'bob', sql: 'UPDATE kv SET v = 12 WHERE k = 1;' }, step: 1 };
  const mine: TaggedNode = { id: 4, parent: 3, entry: { kind: 'sql', session: 'bob', sql: 'SELECT 1' } };
  it('nothing run: the setup is not done, the introduction is shown', () => {
    const p = lessonPosition([], lesson);
    expect(p).toMatchObject({ setupDone: false, done: -1, anchor: null, detour: 0 });
    expect(clampCursor(5, p, lesson)).toBe(-1);
  });
  it('the steps run so far, and the node to come back to', () => {
    const p = lessonPosition([setup, s0, s1], lesson);
    expect(p).toMatchObject({ setupDone: true, done: 1, anchor: 3, detour: 0 });
    expect([...p.stepNodes]).toEqual([[-1, 1], [0, 2], [1, 3]]);
    // the step shown may be the last one run, or a step of narration after it, or the next one to run — no further
    expect(clampCursor(0, p, lesson)).toBe(1);
    expect(clampCursor(1, p, lesson)).toBe(1);
    expect(clampCursor(2, p, lesson)).toBe(2);
    expect(clampCursor(3, p, lesson)).toBe(3);
    // further than the timeline allows (it was moved back): the last step run
    expect(clampCursor(6, p, lesson)).toBe(1);
    expect(clampCursor(Number.NaN, p, lesson)).toBe(1);
    expect(phaseOf(2, p, lesson)).toBe('shown');
    expect(phaseOf(3, p, lesson)).toBe('pending');
  });
  it('the learner\'s own SQL after it is a detour; the lesson stays where it was', () => {
    const p = lessonPosition([setup, s0, s1, mine], lesson);
    expect(p).toMatchObject({ done: 1, anchor: 3, detour: 1 });
  });
  it('a tagged node whose statement is not the step\'s (an edited lesson, a forged file) ends the lesson\'s path', () => {
    const forged: TaggedNode = { ...s1, entry: { kind: 'sql', session: 'bob', sql: 'COMMIT' } };
    expect(lessonPosition([setup, s0, forged], lesson)).toMatchObject({ done: 0, anchor: 2, detour: 1 });
    // nor may a step that runs something be skipped
    expect(lessonPosition([setup, { ...s1, parent: 1 }], lesson)).toMatchObject({ done: -1, anchor: 1, detour: 1 });
  });
  it('a wait inserted before a busy session\'s statement leaves its step half done', () => {
    const wait: TaggedNode = { id: 5, parent: 3, entry: { kind: 'wait', session: 'alice' }, step: 3 };
    const p = lessonPosition([setup, s0, s1, wait], lesson);
    expect(p).toMatchObject({ done: 1, partial: 3, anchor: 5, detour: 0 });
    expect(clampCursor(1, p, lesson)).toBe(3);
  });
});

describe('a scenario\'s position is read from the path to head', () => {
  const q: LogEntry[] = [
    { kind: 'sql', session: 'setup', sql: 'CREATE TABLE t(id int)' },
    { kind: 'sql', session: 's1', sql: 'BEGIN' },
    { kind: 'sql', session: 's1', sql: 'INSERT INTO t VALUES (1)' },
    { kind: 'sql', session: 's1', sql: 'COMMIT' },
  ];
  const n = (id: number, step?: number, entry: LogEntry = q[step ?? 0]!): TaggedNode => ({ id, parent: id > 1 ? id - 1 : null, entry,
    ...(step !== undefined ? { step } : {}) });
  it('after the last tagged node; a wait before a statement leaves the statement to run', () => {
    expect(scenarioPosition([], q)).toBe(0);
    expect(scenarioPosition([n(1, 0), n(2, 1)], q)).toBe(2);
    expect(scenarioPosition([n(1, 0), n(2, 1), n(3, undefined, { kind: 'sql', session: 's1', sql: 'SELECT 1' })], q)).toBe(2);
    expect(scenarioPosition([n(1, 0), n(2, 1), n(3, 2, { kind: 'wait', session: 's1' })], q)).toBe(2);
  });
  it('an older save (no tags at all) keeps its counter', () => {
    expect(scenarioPosition([n(1), n(2)], q, 2, false)).toBe(2);
  });
});

describe('the player on the store', () => {
  it('starts a lesson with the setup connection first: pids as the recordings number them', async () => {
    const { st, view } = await open();
    expect(st().state!.sessions.map((s) => [s.name, s.pid])).toEqual([['setup', 1001], ['alice', 1002], ['bob', 1003]]);
    expect(view()).toMatchObject({ cursor: -1, phase: 'intro' });
    expect(view().pos.setupDone).toBe(true);
    expect(st().slot).toBe(lessonSlotKey('t'));
  });

  it('plays to the end: answers judged on the engine (one wrong, one right), a task from its solution, the summary', async () => {
    const { ws, player, storage, view, st } = await open();
    await player.next();
    expect(view()).toMatchObject({ cursor: 0, phase: 'shown' });
    expect(view().pos.done).toBe(0);
    await player.next();
    expect(view()).toMatchObject({ cursor: 1, phase: 'pending' });
    const before = nodeCount(ws);
    await player.next(); // the question holds "next"
    expect(view().cursor).toBe(1);
    expect(nodeCount(ws)).toBe(before);
    await player.answer(0); // "alice waits": wrong, bob does
    expect(view()).toMatchObject({ cursor: 1, phase: 'shown' });
    expect(st().lesson!.answers).toEqual([{ step: 1, choice: 0, right: false, truth: 1 }]);
    expect(player.player.getState().lastJudgement!.actual!.map((j) => j.actual)).toEqual(['bob waits']);
    await player.next(); // a step of narration: nothing runs
    expect(view()).toMatchObject({ cursor: 2, phase: 'shown' });
    expect(nodeCount(ws)).toBe(before + 1);
    await player.next();
    expect(view()).toMatchObject({ cursor: 3, phase: 'pending' });
    await player.answer(0); // "It completes": right
    expect(st().lesson!.answers[1]).toEqual({ step: 3, choice: 0, right: true, truth: 0 });
    await player.next();
    expect(view()).toMatchObject({ cursor: 4, phase: 'pending' });
    expect(view().task).toMatchObject({ tried: false, reached: false });
    const anchor = st().head;
    // the learner's attempt: checked after every statement
    await ws.actions.run('bob', 'SELECT 1');
    expect(view().task).toMatchObject({ tried: true, reached: false });
    await ws.actions.run('bob', 'SELECT v FROM kv');
    expect(view().task).toMatchObject({ tried: true, reached: true });
    const attempt = st().head!;
    await player.next(); // continues from the instructor's solution
    expect(view()).toMatchObject({ cursor: 4, phase: 'shown' });
    expect(st().lesson!.tasks).toEqual([{ step: 4, how: 'reached' }]);
    const path = pathTo(st().nodes, st().head);
    expect(path[path.length - 1]!.parent).toBe(anchor);
    expect(path[path.length - 1]!.entry).toEqual({ kind: 'sql', session: 'bob', sql: 'SELECT v FROM kv WHERE k = 1;' });
    expect(st().nodes.has(attempt)).toBe(true); // the attempt stays, as a branch
    expect(path.some((x) => x.id === attempt)).toBe(false);
    await player.next();
    expect(view()).toMatchObject({ cursor: 5, phase: 'shown' });
    await player.next();
    expect(view()).toMatchObject({ cursor: 6, phase: 'summary' });
    expect(loadProgress(storage).get('t')).toEqual({ step: 6, of: 6, done: true, right: 1, answered: 2, asked: 2 });
    expect(progressText(loadProgress(storage).get('t'))).toBe('done · 1 of 2 questions right');
  });

  it('an answer is judged on the engine, not by the answer the lesson states', async () => {
    // a lesson whose stated answer is wrong (the checker would refuse it): the engine still decides
    const forged = structuredClone(lesson);
    forged.steps[1]!.predict!.answer = 0; // "alice"
    const { player, st } = await open(new MemoryStorage(), { ...doc, lesson: forged, hash: 'forged' });
    await player.next();
    await player.next();
    await player.answer(0);
    expect(st().lesson!.answers).toEqual([{ step: 1, choice: 0, right: false, truth: 1 }]);
  });

  it('a reload resumes at the same step; a jump in the timeline moves the step with it', async () => {
    const storage = new MemoryStorage();
    const a = await open(storage);
    await a.player.next();
    await a.player.next();
    await a.player.answer(1);
    await a.player.next();
    await a.player.next();
    expect(a.view()).toMatchObject({ cursor: 3, phase: 'pending' });
    const head = a.st().head;
    const b = await open(storage);
    expect(b.view()).toMatchObject({ cursor: 3, phase: 'pending' });
    expect(b.st().head).toBe(head);
    expect(b.st().lesson!.answers).toEqual([{ step: 1, choice: 1, right: true, truth: 1 }]);
    // the timeline's own "jump" (not the player's): the lesson follows
    await b.ws.actions.jumpTo(b.view().pos.stepNodes.get(0)!);
    expect(b.view()).toMatchObject({ cursor: 0, phase: 'shown' });
    expect(b.st().lesson!.cursor).toBe(0);
    expect(loadProgress(storage).get('t')!.step).toBe(0);
  });

  it('what if: the learner\'s own SQL branches off; back to the lesson returns to the exact node', async () => {
    const { ws, player, view, st } = await open();
    await player.next();
    const lessonHead = st().head;
    await ws.actions.run('alice', 'UPDATE kv SET v = 99');
    await ws.actions.run('bob', 'SELECT * FROM kv');
    expect(view().pos).toMatchObject({ done: 0, detour: 2, anchor: lessonHead });
    const detourTip = st().head!;
    await player.next(); // off the path, "next" first comes back
    expect(st().head).toBe(lessonHead);
    expect(view().pos.detour).toBe(0);
    expect(st().nodes.has(detourTip)).toBe(true);
    // the state is the lesson's again: the detour's UPDATE is not in it
    expect(st().state!.sessions.find((s) => s.name === 'alice')!.xid).toBe(725);
    await ws.actions.jumpTo(detourTip);
    await player.backToLesson();
    expect(st().head).toBe(lessonHead);
  });

  it('back jumps to the step before, and next runs nothing new (it goes the same way again)', async () => {
    const { ws, player, view, st } = await open();
    await player.next();
    await player.next();
    await player.answer(1);
    const headAfter = st().head;
    const count = nodeCount(ws);
    await player.back();
    expect(view()).toMatchObject({ cursor: 0, phase: 'shown' });
    expect(st().head).toBe(view().pos.stepNodes.get(0));
    await player.next(); // the question was answered: the step runs again — by jumping to where it ran
    expect(view()).toMatchObject({ cursor: 1, phase: 'shown' });
    expect(st().head).toBe(headAfter);
    expect(nodeCount(ws)).toBe(count);
    await player.back();
    await player.back();
    expect(view()).toMatchObject({ cursor: -1, phase: 'intro' });
    expect(view().pos.setupDone).toBe(true);
  });

  it('a lesson changed since it was played starts again from the beginning, with a notice', async () => {
    const storage = new MemoryStorage();
    const a = await open(storage);
    await a.player.next();
    const changed: LessonDoc = { ...doc, hash: hashText(`${TEXT}\n`) };
    const b = await open(storage, changed);
    expect(b.view()).toMatchObject({ cursor: -1, phase: 'intro' });
    expect(b.st().notice?.text).toMatch(/has changed since you last played it/);
  });

  it('each lesson and the free workspace keep their own slot', async () => {
    const storage = new MemoryStorage();
    const ws = createWorkspace({ storage, client: inProcess() });
    await ws.actions.init();
    await ws.actions.run('s1', 'CREATE TABLE mine(id int)');
    const player = createPlayer(ws, storage);
    await player.start(doc);
    await player.next();
    await ws.actions.openSlot(HEADER_KEY);
    expect(ws.store.getState().lesson).toBeNull();
    expect(ws.store.getState().state!.tables.map((t) => t.name)).toEqual(['mine']);
    await player.start(doc);
    expect(player.view()!.cursor).toBe(0);
    expect(storage.keys().some((k) => k.startsWith(`${lessonSlotKey('t')}.`))).toBe(true);
    expect(storage.keys().some((k) => k.startsWith(`${HEADER_KEY}.`))).toBe(true);
  });

  it('Open… a lesson file: errors with file:line change nothing; a good one plays in the slot for opened lessons', async () => {
    const { ws, player, st, storage } = await open();
    await player.next();
    const head = st().head;
    const bad = TEXT.replace('choices: [alice, bob, nobody]', 'choices: [alice, carol, nobody]');
    const file = (name: string, text: string) => ({ name, size: text.length, text: async () => text });
    expect(await player.openFile(file('mine.md', bad))).toBe(false);
    expect(st().notice!.text).toMatch(/^mine\.md is not a lesson Heapscope can play:\nmine\.md:28: predict: answer "bob" must be exactly one of the choices \(alice \| carol \| nobody\)\nYour current workspace is unchanged\.$/);
    expect(st().head).toBe(head);
    expect(st().slot).toBe(lessonSlotKey('t'));
    expect(await player.openFile({ name: 'huge.md', size: 10_000_000, text: async () => '' })).toBe(false);
    expect(st().notice!.text).toMatch(/huge\.md is 10\.0 MB/);
    expect(await player.openFile(file('mine.md', TEXT.replace('id: t', 'id: mine')))).toBe(true);
    expect(st().slot).toBe(FILE_LESSON_KEY);
    expect(player.view()).toMatchObject({ cursor: -1, phase: 'intro' });
    // a reload finds it again
    const ws2 = createWorkspace({ storage, client: inProcess() });
    await ws2.actions.init(FILE_LESSON_KEY);
    const p2 = createPlayer(ws2, storage);
    expect(await p2.resumeFile()).toBe(true);
    expect(p2.view()!.lesson.meta.id).toBe('mine');
    expect(ws.store.getState().slot).toBe(FILE_LESSON_KEY);
  });
});

describe('"Next step" of a scenario after a jump (the bug: a COMMIT without its BEGIN)', () => {
  const spec = `setup { CREATE TABLE t(id int PRIMARY KEY); }
session s1
step b { BEGIN; }
step i { INSERT INTO t VALUES (1); }
step c { COMMIT; }
session s2
step r { SELECT * FROM t; }
permutation b i c r
`;
  it('runs the step that follows the current one on its path, also after a reload', async () => {
    const storage = new MemoryStorage();
    const ws = createWorkspace({ storage, client: inProcess() });
    await ws.actions.init();
    await ws.actions.loadScenario(spec, 'jump.spec');
    for (let i = 0; i < 3; i++) await ws.actions.nextScenarioStep(); // setup, BEGIN, INSERT
    expect(ws.store.getState().scenario!.position).toBe(3);
    const nodes = pathTo(ws.store.getState().nodes, ws.store.getState().head);
    await ws.actions.jumpTo(nodes[0]!.id); // back to right after the setup
    expect(ws.store.getState().scenario!.position).toBe(1);
    await ws.actions.nextScenarioStep();
    const last = () => pathTo(ws.store.getState().nodes, ws.store.getState().head).at(-1)!;
    expect(last().entry).toEqual({ kind: 'sql', session: 's1', sql: 'BEGIN;' }); // not COMMIT
    expect(ws.store.getState().latest.get('s1')!.error).toBeNull();
    const ws2 = createWorkspace({ storage, client: inProcess() });
    await ws2.actions.init();
    expect(ws2.store.getState().scenario!.position).toBe(2);
    await ws2.actions.nextScenarioStep();
    expect(pathTo(ws2.store.getState().nodes, ws2.store.getState().head).at(-1)!.entry).toEqual({ kind: 'sql', session: 's1', sql: 'INSERT INTO t VALUES (1);' });
  });

  it('numbers backends as the recordings do (setup connection 1001); a saved workspace without that flag keeps its numbering', async () => {
    const storage = new MemoryStorage();
    const ws = createWorkspace({ storage, client: inProcess() });
    await ws.actions.init();
    await ws.actions.loadScenario(spec, 'pids.spec');
    expect(ws.store.getState().state!.sessions.map((s) => [s.name, s.pid])).toEqual([['setup', 1001], ['s1', 1002], ['s2', 1003]]);
    const old = JSON.stringify({ version: 1, sessions: [{ name: 's1', text: '' }, { name: 's2', text: '' }], head: 2, nodes: [
      { id: 1, parent: null, entry: { kind: 'sql', session: 's1', sql: 'SELECT 1' } }, { id: 2, parent: 1, entry: { kind: 'sql', session: 'setup', sql: 'SELECT 2' } }] });
    expect(await ws.actions.importWorkspace(old, 'old.json')).toBe(true);
    expect(ws.store.getState().state!.sessions.map((s) => [s.name, s.pid])).toEqual([['s1', 1001], ['s2', 1002], ['setup', 1003]]);
    // and the flag travels with a saved file
    await ws.actions.loadScenario(spec, 'pids.spec');
    expect(JSON.parse(ws.actions.exportWorkspace()).controlFirst).toBe(true);
  });
});

describe('every lesson of the course plays through the player as the checker ran it', () => {
  const files = readdirSync('lessons').filter((f) => f.endsWith('.md') && f !== 'README.md').sort();
  for (const f of files) {
    it(f, async () => {
      const text = readFileSync(`lessons/${f}`, 'utf8');
      const l = parseLesson(text, `lessons/${f}`).lesson!;
      const d: LessonDoc = { lesson: l, hash: hashText(text), source: 'bundled' };
      const { player, view, st } = await open(new MemoryStorage(), d);
      for (let guard = 0; view().phase !== 'summary' && guard < 400; guard++) {
        const v = view();
        const step = l.steps[v.cursor];
        if (v.phase === 'pending' && step?.predict && !v.answer) await player.answer(step.predict.answer);
        else await player.next();
        if (step?.task && view().cursor === v.cursor && view().phase === 'shown') {
          const head = st().nodes.get(st().head!)!;
          expect(holds(judge(step.task.check, st().state!, head.result!, step.task.session)), `${f}: task at line ${step.task.line}`).toBe(true);
        }
      }
      expect(view().phase).toBe('summary');
      const asked = l.steps.filter((s) => s.predict).length;
      expect(st().lesson!.answers.length).toBe(asked);
      expect(st().lesson!.answers.filter((a) => !a.right).map((a) => l.steps[a.step]!.predict!.line)).toEqual([]);
      expect(st().notice).toBeNull();
    });
  }
});

describe('the course in the build', () => {
  it('bundles every lesson of lessons/, parsed, in course order', () => {
    const c = bundledCatalog();
    const files = readdirSync('lessons').filter((f) => f.endsWith('.md') && f !== 'README.md');
    expect(c.broken).toEqual([]);
    expect(c.lessons.map((d) => `${d.lesson.meta.id}.md`).sort()).toEqual(files.sort());
    const orders = c.lessons.map((d) => d.lesson.meta.order ?? Infinity);
    expect(orders).toEqual([...orders].sort((a, b) => a - b));
    expect(c.lessons[0]!.lesson.meta.id).toBe('atomicity');
  });
  it('a lesson that does not parse is listed with its errors; the others are unaffected', () => {
    const c = buildCatalog({ '/lessons/t.md': TEXT, '/lessons/bad.md': TEXT.replace('level: beginner', 'level: expert'), '/lessons/README.md': '# not a lesson' });
    expect(c.lessons.map((d) => d.lesson.meta.id)).toEqual(['t']);
    expect(c.broken).toEqual([{ file: 'lessons/bad.md', errors: [expect.stringMatching(/^lessons\/bad\.md:5: front matter: level:/)] }]);
  });
});

describe('progress for the gallery', () => {
  it('is validated entry by entry: damaged or foreign entries are dropped', () => {
    const s = new MemoryStorage();
    s.setItem(PROGRESS_KEY, JSON.stringify({
      good: { step: 2, of: 5, done: false, right: 1, answered: 1, asked: 3 },
      '__proto__': { step: 1, of: 2, done: false, right: 0, answered: 0, asked: 0 },
      'Bad Id': { step: 1, of: 2, done: false, right: 0, answered: 0, asked: 0 },
      past: { step: 9, of: 5, done: false, right: 0, answered: 0, asked: 0 },
      liar: { step: 1, of: 5, done: false, right: 4, answered: 1, asked: 3 },
      text: 'done',
    }));
    expect([...loadProgress(s).keys()]).toEqual(['good']);
    s.setItem(PROGRESS_KEY, '{not json');
    expect(loadProgress(s).size).toBe(0);
    expect(progressText(undefined)).toBe('not started');
    expect(progressText({ step: 2, of: 5, done: false, right: 1, answered: 1, asked: 3 })).toBe('step 3 of 5 · 1 of 3 questions right');
  });
});

describe('narration is rendered without running anything', () => {
  const html = (md: string) => renderToStaticMarkup(createElement(Markdown, { text: md }));
  it('raw HTML is not rendered as HTML, script never appears', () => {
    const out = html('Hello <script>alert(1)</script> <img src=x onerror="alert(2)"> <b onclick="x()">b</b>\n\n<iframe src="https://example.com"></iframe>');
    expect(out).not.toMatch(/<script|<iframe|onerror|onclick|<img/i);
    expect(out).toContain('Hello');
  });
  it('javascript:, data: and vbscript: links are disarmed; http(s) links open safely; look: links are buttons', () => {
    const out = html('[a](javascript:alert(1)) [b](data:text/html,<script>alert(1)</script>) [c](vbscript:x) [d](https://www.postgresql.org/docs/15/) [e](look:tuple/kv/0/1/t_xmax)');
    expect(out).not.toMatch(/javascript:|data:text|vbscript:/i);
    expect(out).toContain('<a href="https://www.postgresql.org/docs/15/" target="_blank" rel="noopener noreferrer">d</a>');
    expect(out).toMatch(/<button type="button" class="look-link" data-look="tuple\/kv\/0\/1\/t_xmax"[^>]*>e<\/button>/);
    expect(out).toMatch(/<span>a<\/span>/);
  });
  it('images are not loaded (their alt text is shown), tables and code render', () => {
    const out = html('![the page](https://example.com/x.png)\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```text\nERROR:  x\n```');
    expect(out).not.toMatch(/<img/);
    expect(out).toContain('[image: the page]');
    expect(out).toContain('<table>');
    expect(out).toContain('ERROR:  x');
  });
});
