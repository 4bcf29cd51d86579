/**
 * The embed's message API without a browser (src/ui/embed/bridge.ts, protocol.ts): hello goes only to allowed
 * origins; a connect is accepted only from the parent window, an allowed origin, in exactly its shape, with one
 * port; commands of the wrong shape are counted and never reach the controller; replies carry the state and the
 * refusals. And the storage namespace (store/nsstorage.ts) that keeps embeds apart.
 */
import { describe, it, expect } from 'vitest';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { startBridge, type Controller, type ControllerEvent } from '../../src/ui/embed/bridge.js';
import { allowlist, parseOrigin, type Command } from '../../src/ui/embed/protocol.js';
import { NamespacedStorage, embedNamespace } from '../../src/store/nsstorage.js';
import { WorkspaceSaver, load, HEADER_KEY } from '../../src/store/persist.js';
import { MemoryStorage } from './memory-storage.js';

const DOCS = 'https://docs.example.com';

function harness(allowed = [DOCS]) {
  const posted: { msg: unknown; origin: string }[] = [];
  const parent = { postMessage: (msg: unknown, origin: string) => posted.push({ msg, origin }) };
  let listener: ((e: MessageEvent) => void) | null = null;
  const win = { parent, addEventListener: (_: 'message', f: (e: MessageEvent) => void) => { listener = f; } };
  const ran: Command[] = [];
  const listeners = new Set<(e: ControllerEvent) => void>();
  let position = 0;
  const ctl: Controller = {
    async run(cmd) {
      ran.push(cmd);
      if (cmd.type === 'step') position++;
      if (cmd.type === 'answer') throw new Error('The step shown asks no question to answer now.');
    },
    state: () => ({ kind: 'lesson', title: 'T', position, of: 3, phase: 'shown', head: null, steps: 0, clock: 0, sessions: [], answers: [], engine: 'ready' }),
    views: ['Heap'],
    whenReady: () => Promise.resolve(),
    subscribe(f) { listeners.add(f); return () => listeners.delete(f); },
  };
  const timers: (() => void)[] = [];
  const bridge = startBridge(win, new Set(allowed), ctl, { setTimeout: (f) => { timers.push(f); } });
  const deliver = (data: unknown, origin: string, ports: MessagePort[] = [], source: unknown = parent) =>
    listener!({ data, origin, ports, source } as unknown as MessageEvent);
  return { bridge, posted, ran, timers, deliver, parent, win, emit: (e: ControllerEvent) => { for (const f of listeners) f(e); } };
}
const tick = () => new Promise((r) => setTimeout(r, 20));
function hostPort() {
  const ch = new MessageChannel();
  const got: Record<string, unknown>[] = [];
  ch.port1.on('message', (m) => got.push(m));
  return { mine: ch.port1, theirs: ch.port2, got };
}

describe('the handshake', () => {
  it('hello is addressed to each allowed origin exactly, and repeated until a host connects', async () => {
    const h = harness([DOCS, 'http://127.0.0.1:4173']);
    for (const t of h.timers) t();
    expect(h.posted.map((p) => p.origin)).toEqual([DOCS, 'http://127.0.0.1:4173', DOCS, 'http://127.0.0.1:4173', DOCS, 'http://127.0.0.1:4173', DOCS, 'http://127.0.0.1:4173']);
    expect(h.posted.every((p) => JSON.stringify(p.msg) === '{"heapscope":1,"type":"hello"}')).toBe(true);
    expect(h.posted.some((p) => p.origin === '*')).toBe(false);
    const p = hostPort();
    h.deliver({ heapscope: 1, type: 'connect' }, DOCS, [p.theirs]);
    const n = h.posted.length;
    for (const t of h.timers) t();
    expect(h.posted.length).toBe(n); // connected: no more hellos
    p.mine.close();
  });
  it("the page's own messages to itself (Monaco's scheduler) are neither obeyed nor counted as a host's", () => {
    const h = harness();
    const p = hostPort();
    h.deliver({ vscodeScheduleAsyncWork: 3 }, 'http://127.0.0.1:4173', [], h.win);
    h.deliver({ heapscope: 1, type: 'connect' }, 'http://127.0.0.1:4173', [p.theirs], h.win);
    expect(h.bridge.ignored).toEqual({ origin: 0, shape: 0 });
    expect(h.bridge.connected).toBe(false);
    expect(h.ran).toEqual([]);
    p.mine.close();
  });
  it('a connect from another origin, another window or of another shape is ignored and counted', async () => {
    const h = harness();
    const p = hostPort();
    h.deliver({ heapscope: 1, type: 'connect' }, 'https://evil.example', [p.theirs]);
    h.deliver({ heapscope: 1, type: 'connect' }, 'https://docs.example.com.evil.example', [p.theirs]);
    h.deliver({ heapscope: 1, type: 'connect' }, DOCS, [p.theirs], { postMessage() {} }); // a sibling frame of the right origin
    expect(h.bridge.ignored).toEqual({ origin: 3, shape: 0 });
    h.deliver({ heapscope: 1, type: 'connect', extra: true }, DOCS, [p.theirs]);
    h.deliver({ heapscope: 2, type: 'connect' }, DOCS, [p.theirs]);
    h.deliver({ heapscope: 1, type: 'connect' }, DOCS, []);
    h.deliver('connect', DOCS, [p.theirs]);
    h.deliver({ heapscope: 1, type: 'step' }, DOCS, [p.theirs]); // a command on the window is not a command
    expect(h.bridge.ignored).toEqual({ origin: 3, shape: 5 });
    expect(h.bridge.connected).toBe(false);
    expect(h.ran).toEqual([]);
    p.mine.close();
  });
  it('a good connect gets ready (with the state and views) and the latest height', async () => {
    const h = harness();
    h.bridge.emit({ heapscope: 1, type: 'resize', height: 812 });
    await tick();
    const p = hostPort();
    h.deliver({ heapscope: 1, type: 'connect' }, DOCS, [p.theirs]);
    await tick();
    expect(h.bridge.connected).toBe(true);
    expect(p.got.map((m) => m.type)).toEqual(['ready', 'resize']);
    expect(p.got[0]).toMatchObject({ heapscope: 1, views: ['Heap'], state: { kind: 'lesson', position: 0, ignored: { origin: 0, shape: 0 } } });
    expect(p.got[1]).toEqual({ heapscope: 1, type: 'resize', height: 812 });
    p.mine.close();
  });
});

describe('commands on the port', () => {
  it('run in order and are answered with the state or the refusal; wrong shapes are counted, never run', async () => {
    const h = harness();
    const p = hostPort();
    h.deliver({ heapscope: 1, type: 'connect' }, DOCS, [p.theirs]);
    for (const bad of [
      { heapscope: 1, type: 'step', evil: '<script>' },
      { heapscope: 1, type: 'seek', to: 'far' },
      { heapscope: 1, type: 'seek', to: 1.5 },
      { heapscope: 1, type: 'load' }, // neither a lesson nor a scenario
      { heapscope: 1, type: 'load', lesson: 'a', scenario: 'b' },
      { heapscope: 1, type: 'load', lesson: '../../etc' },
      { heapscope: 1, type: 'eval', code: 'alert(1)' },
      { heapscope: 2, type: 'step' },
      null, 42, 'step',
    ]) p.mine.postMessage(bad);
    p.mine.postMessage({ heapscope: 1, type: 'step', id: 1 });
    p.mine.postMessage({ heapscope: 1, type: 'step', id: 'two' });
    p.mine.postMessage({ heapscope: 1, type: 'answer', choice: 0, id: 3 });
    p.mine.postMessage({ heapscope: 1, type: 'get-state', id: 4 });
    await tick(); await tick();
    expect(h.ran.map((c) => c.type)).toEqual(['step', 'step', 'answer', 'get-state']);
    expect(h.bridge.ignored).toEqual({ origin: 0, shape: 11 });
    const replies = p.got.filter((m) => m.type === 'reply');
    expect(replies.map((r) => [r.id, r.ok])).toEqual([[1, true], ['two', true], [3, false], [4, true]]);
    expect(replies[1]).toMatchObject({ state: { position: 2 } });
    expect(replies[2]).toMatchObject({ error: 'The step shown asks no question to answer now.' });
    expect(replies[3]).toMatchObject({ state: { ignored: { shape: 11 } } });
    p.mine.close();
  });
  it('the controller\'s events go to the host with the version (a step with the state)', async () => {
    const h = harness();
    const p = hostPort();
    h.deliver({ heapscope: 1, type: 'connect' }, DOCS, [p.theirs]);
    h.emit({ type: 'step' });
    h.emit({ type: 'answered', step: 1, choice: 2, right: false });
    h.emit({ type: 'error', message: 'ERROR 40001' });
    await tick();
    expect(p.got.filter((m) => m.type !== 'ready')).toEqual([
      { heapscope: 1, type: 'step', state: expect.objectContaining({ position: 0 }) },
      { heapscope: 1, type: 'answered', step: 1, choice: 2, right: false },
      { heapscope: 1, type: 'error', message: 'ERROR 40001' },
    ]);
    p.mine.close();
  });
});

describe('the allowlist', () => {
  it('takes exact origins only; without one, the embed\'s own', () => {
    expect([...allowlist(null, 'http://127.0.0.1:4173')]).toEqual(['http://127.0.0.1:4173']);
    expect([...allowlist('https://a.example, https://b.example:8443 javascript:alert(1) https://c.example/path *', 'x')]).toEqual(['https://a.example', 'https://b.example:8443']);
    expect(parseOrigin('https://docs.example.com/')).toBe('https://docs.example.com');
    expect(parseOrigin('HTTPS://Docs.Example.com')).toBeNull(); // spelled as the browser reports origins, exactly
    expect(parseOrigin('file:///etc/passwd')).toBeNull();
  });
});

describe('storage namespaces', () => {
  it('two embeds and the app write the same keys without seeing each other\'s, and one sweep spares the others', () => {
    const raw = new MemoryStorage();
    const a = new NamespacedStorage(raw, embedNamespace(DOCS, '/guide#one'));
    const b = new NamespacedStorage(raw, embedNamespace(DOCS, '/guide#two'));
    expect(embedNamespace(DOCS, '/guide#one')).not.toBe(embedNamespace('https://other.example', '/guide#one'));
    const header = (text: string) => ({ sessions: [{ name: 's1', text }], head: 1, scenario: null });
    const node = (sql: string) => ({ id: 1, parent: null, entry: { kind: 'sql' as const, session: 's1', sql } });
    for (const [st, text] of [[raw, 'app'], [a, 'one'], [b, 'two']] as const) expect(new WorkspaceSaver(st).replaceAll(header(text), [node(`SELECT '${text}'`)])).toBeNull();
    // a second generation in one namespace sweeps its own old keys only
    expect(new WorkspaceSaver(a, { gen: 0 }).replaceAll(header('one again'), [node("SELECT 'one again'")])).toBeNull();
    expect(load(raw, HEADER_KEY).workspace!.nodes[0]!.entry).toEqual({ kind: 'sql', session: 's1', sql: "SELECT 'app'" });
    expect(load(a, HEADER_KEY).workspace!.nodes[0]!.entry).toEqual({ kind: 'sql', session: 's1', sql: "SELECT 'one again'" });
    expect(load(b, HEADER_KEY).workspace!.nodes[0]!.entry).toEqual({ kind: 'sql', session: 's1', sql: "SELECT 'two'" });
    expect(a.length).toBe(3); // header, sessions, one chunk
    expect(raw.keys().filter((k) => k.startsWith('heapscope.embed.v1.')).length).toBe(6);
    a.clear();
    expect(load(a, HEADER_KEY).workspace).toBeNull();
    expect(load(b, HEADER_KEY).workspace).not.toBeNull();
    expect(load(raw, HEADER_KEY).workspace).not.toBeNull();
  });
});
