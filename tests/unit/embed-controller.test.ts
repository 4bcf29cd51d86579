/**
 * What an embed's commands do (src/ui/embed/controller.ts), on the real store, player and an in-process engine: a
 * scenario stepped, sought forward and back, reset and resumed from its namespace; a lesson stepped up to a
 * question, answered, sought back; events once per move; refusals with their reasons.
 */
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import type { Remote } from 'comlink';
import { createWorkspace } from '../../src/store/workspace.js';
import { createPlayer } from '../../src/store/player.js';
import { NamespacedStorage, embedNamespace } from '../../src/store/nsstorage.js';
import { EngineHost } from '../../src/worker/host.js';
import type { EngineApi } from '../../src/shared/api.js';
import { buildCatalog } from '../../src/ui/lessons/catalog.js';
import { createController } from '../../src/ui/embed/controller.js';
import type { ControllerEvent } from '../../src/ui/embed/bridge.js';
import { MemoryStorage } from './memory-storage.js';

const files = Object.fromEntries(readdirSync('lessons').filter((f) => f.endsWith('.md')).map((f) => [`/lessons/${f}`, readFileSync(`lessons/${f}`, 'utf8')]));
const catalog = buildCatalog(files);
const SPEC = `setup { CREATE TABLE t (k int PRIMARY KEY, v int); INSERT INTO t VALUES (1, 0); }
session a
step a1 { BEGIN; }
step a2 { UPDATE t SET v = 1 WHERE k = 1; }
step a3 { COMMIT; }
session b
step b1 { UPDATE t SET v = 2 WHERE k = 1; }
permutation a1 a2 b1 a3
`;

async function embed(raw = new MemoryStorage(), name = 'x') {
  const storage = new NamespacedStorage(raw, embedNamespace('https://docs.example', name));
  const ws = createWorkspace({ storage, client: () => ({ api: new EngineHost() as unknown as Remote<EngineApi>, onCrash() {}, terminate() {} }) });
  const player = createPlayer(ws, storage);
  const c = createController(ws, player, storage, async () => catalog, ['Heap']);
  const events: ControllerEvent[] = [];
  c.controller.subscribe((e) => events.push(e));
  await ws.actions.init();
  return { ws, c, events, raw, cmd: (x: Record<string, unknown>) => c.controller.run({ heapscope: 1, ...x } as never), state: () => c.controller.state() };
}
const settle = () => new Promise((r) => setTimeout(r, 10));

describe('a scenario', () => {
  it('steps, seeks forward through a wait and back, resets, and resumes from its namespace', async () => {
    const e = await embed();
    await e.c.boot({ scenario: SPEC, name: 'demo' });
    expect(e.state()).toMatchObject({ kind: 'scenario', title: 'demo', position: 0, of: 5, steps: 0 });
    await e.cmd({ type: 'step' });
    expect(e.state()).toMatchObject({ position: 1, steps: 1 });
    await settle();
    expect(e.events).toEqual([{ type: 'step' }]); // one event for the move, none for loading
    await e.cmd({ type: 'seek', to: 4 }); // b1 waits for a's row lock
    expect(e.state().position).toBe(4);
    expect(e.state().sessions.find((s) => s.name === 'b')!.waiting).toBe(true);
    await e.cmd({ type: 'seek', to: 5 }); // a3 commits: b goes on
    expect(e.state().sessions.find((s) => s.name === 'b')!.waiting).toBe(false);
    await e.cmd({ type: 'seek', to: 2 });
    expect(e.state()).toMatchObject({ position: 2, steps: 2 });
    await settle();
    await e.cmd({ type: 'back' });
    expect(e.state().position).toBe(1);
    await settle();
    expect(e.events.filter((x) => x.type === 'step').length).toBe(3); // the step; the seeks to 4, 5 and 2, run back to back (one event, where they ended); back
    expect(e.events.every((x) => x.type === 'step')).toBe(true);
    await expect(e.cmd({ type: 'answer', choice: 0 })).rejects.toThrow('The step shown asks no question to answer now.');
    // a reload of the docs page: the same scenario resumes where it was
    const again = await embed(e.raw);
    await again.c.boot({ scenario: SPEC, name: 'demo' });
    expect(again.state()).toMatchObject({ position: 1, steps: 1 });
    await again.cmd({ type: 'reset' });
    expect(again.state()).toMatchObject({ position: 0, steps: 0 });
    // another embed on the same page starts afresh
    const other = await embed(e.raw, 'y');
    await other.c.boot({ scenario: SPEC, name: 'demo' });
    expect(other.state()).toMatchObject({ position: 0, steps: 0 });
  });
  it('a scenario that does not parse is refused with the reason', async () => {
    const e = await embed();
    await e.c.boot(null);
    await expect(e.cmd({ type: 'step' })).rejects.toThrow('Nothing is loaded: send "load" first.');
    await expect(e.cmd({ type: 'load', scenario: 'session s1 step a { SELECT 1; } permutation zz', name: 'bad' })).rejects.toThrow(/Could not load bad/);
    expect(e.state().kind).toBe('none');
  });
});

describe('a lesson', () => {
  it('steps to a question, refuses to pass it, answers it (reported), seeks back; an unknown one is refused', async () => {
    const e = await embed();
    await e.c.boot({ lesson: 'row-versions' });
    expect(e.state()).toMatchObject({ kind: 'lesson', position: -1, of: 10, phase: 'intro' });
    await e.cmd({ type: 'step' });
    expect(e.state()).toMatchObject({ position: 0, phase: 'shown' });
    await e.cmd({ type: 'step' });
    expect(e.state()).toMatchObject({ position: 1, phase: 'pending' });
    await expect(e.cmd({ type: 'step' })).rejects.toThrow('Step 2 asks a question: answer it first (the "answer" command).');
    await expect(e.cmd({ type: 'answer', choice: 9 })).rejects.toThrow(/The question has \d choices/);
    await e.cmd({ type: 'answer', choice: 0 });
    await settle();
    expect(e.state()).toMatchObject({ position: 1, phase: 'shown' });
    const answered = e.events.filter((x) => x.type === 'answered');
    expect(answered).toHaveLength(1);
    expect(answered[0]).toMatchObject({ step: 1, choice: 0 });
    await e.cmd({ type: 'seek', to: -1 });
    expect(e.state()).toMatchObject({ position: -1, phase: 'intro' });
    await expect(e.cmd({ type: 'load', lesson: 'no-such' })).rejects.toThrow(/There is no lesson "no-such" in this Heapscope/);
    await e.cmd({ type: 'reset' });
    expect(e.state()).toMatchObject({ position: -1, answers: [] });
  });
});
