/**
 * The share-link codec (src/store/share.ts): a workspace survives the round trip exactly (same entries, tags, current
 * step, view, session; replaying it gives the same engine state), a too-long workspace is refused with the file
 * offered instead, and every kind of damaged or tampered link is refused with a message — never half-loaded.
 */
import { describe, it, expect } from 'vitest';
import { compressToEncodedURIComponent, decompressFromEncodedURIComponent } from 'lz-string';
import type { Remote } from 'comlink';
import { encodeShare, decodeShare, payloadOf, checksum, currentPath, MAX_SHARE_CHARS, SHARE_PREFIX, type SharePayload, type ShareSource } from '../../src/store/share.js';
import { createWorkspace } from '../../src/store/workspace.js';
import { SHARED_KEY, HEADER_KEY } from '../../src/store/persist.js';
import { Nodes, type TimelineNode } from '../../src/store/nodes.js';
import { EngineHost } from '../../src/worker/host.js';
import type { EngineApi, LogEntry } from '../../src/shared/api.js';
import { MemoryStorage } from './memory-storage.js';

const node = (id: number, parent: number | null, entry: LogEntry, step?: number): TimelineNode => ({ id, parent, entry, result: null, mark: null,
  ...(step !== undefined ? { step } : {}) });
const source = (over: Partial<ShareSource> = {}): ShareSource => ({
  sessions: [{ name: 's1', text: '-- notes "quoted" ✓\nSELECT 1;' }, { name: 'alice_2', text: '' }],
  nodes: Nodes.of([
    node(10, null, { kind: 'sql', session: 'setup', sql: 'CREATE TABLE t(id int PRIMARY KEY, v int)' }, 0),
    node(11, 10, { kind: 'sql', session: 's1', sql: "INSERT INTO t VALUES (1, 10) -- }'{" }, 1),
    node(12, 11, { kind: 'advance', ms: 1500 }),
    node(13, 12, { kind: 'server', action: 'crash', arg: 'commit-after-flush' }),
    node(14, 11, { kind: 'sql', session: 'alice_2', sql: 'SELECT 2' }), // another branch, newer: the path goes on along it
    node(15, 14, { kind: 'wait', session: 's1' }),
    node(16, 15, { kind: 'sql', session: 's1', sql: 'SELECT * FROM t', cancelAfterChunks: 3 }),
  ]),
  head: 14,
  controlFirst: true,
  scenario: { name: 'x.spec', queue: [{ kind: 'sql', session: 'setup', sql: 'CREATE TABLE t(id int PRIMARY KEY, v int)' }, { kind: 'sql', session: 's1', sql: "INSERT INTO t VALUES (1, 10) -- }'{" }] },
  lesson: null,
  selectedSession: 'alice_2',
  ...over,
});
const roundTrip = (p: SharePayload) => {
  const e = encodeShare(p);
  if (!e.ok) throw new Error(e.message);
  return decodeShare(e.data);
};

describe('round trip', () => {
  it('the current path (to head, then on along the newest branch), tags, current step, view and session come back exactly', () => {
    const s = source();
    const d = roundTrip(payloadOf(s, 'Waits'));
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    const w = d.shared.workspace;
    expect(w.sessions).toEqual(s.sessions);
    expect(w.nodes.map((n) => n.entry)).toEqual([10, 11, 14, 15, 16].map((id) => s.nodes.get(id)!.entry));
    expect(w.nodes.map((n) => n.step)).toEqual([0, 1, undefined, undefined, undefined]);
    expect(w.nodes.map((n) => [n.id, n.parent])).toEqual([[1, null], [2, 1], [3, 2], [4, 3], [5, 4]]);
    expect(w.head).toBe(3); // node 14 is the third on the path
    expect(w.controlFirst).toBe(true);
    expect(w.scenario).toEqual({ name: 'x.spec', queue: s.scenario!.queue, position: 0 });
    expect(d.shared.view).toBe('Waits');
    expect(d.shared.session).toBe('alice_2');
  });
  it('the start as current step, an empty timeline, and a lesson record', () => {
    const lesson = { id: 'row-versions', hash: 'abcd1234', source: 'bundled' as const, cursor: 2, answers: [{ step: 1, choice: 0, right: false, truth: 2 }], tasks: [{ step: 2, how: 'solution' as const }] };
    const d = roundTrip(payloadOf(source({ head: null, scenario: null, lesson }), null));
    expect(d.ok && d.shared.workspace.head).toBe(null);
    expect(d.ok && d.shared.workspace.nodes.length).toBe(5); // from the start along the newest children: 10, 11, 14, 15, 16
    expect(d.ok && d.shared.workspace.lesson).toEqual(lesson);
    const empty = roundTrip(payloadOf(source({ nodes: Nodes.empty(), head: null }), 'Heap'));
    expect(empty.ok && empty.shared.workspace.nodes).toEqual([]);
  });
  it('replaying the shared workspace gives the same engine state as the original', async () => {
    const storage = new MemoryStorage();
    const mk = () => createWorkspace({ storage, client: () => ({ api: new EngineHost() as unknown as Remote<EngineApi>, onCrash() {}, terminate() {} }) });
    const a = mk();
    await a.actions.init();
    await a.actions.run('s1', 'CREATE TABLE t(id int PRIMARY KEY, v int)');
    await a.actions.run('s1', 'BEGIN');
    await a.actions.run('s1', 'INSERT INTO t VALUES (1, 10)');
    await a.actions.run('s2', 'UPDATE t SET v = 11 WHERE id = 1'); // s1's row is not visible to s2 yet: UPDATE 0
    await a.actions.run('s1', 'UPDATE t SET v = 12 WHERE id = 1');
    await a.actions.jumpTo(a.store.getState().head! - 1);
    a.actions.setView('WAL');
    const enc = a.actions.shareData();
    expect(enc.ok).toBe(true);
    if (!enc.ok) return;
    const before = storage.getItem(HEADER_KEY);
    const d = decodeShare(enc.data);
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    const b = mk();
    await b.actions.init(SHARED_KEY, { shared: d.shared });
    const sa = a.store.getState(), sb = b.store.getState();
    expect(sb.state).toEqual(sa.state);
    expect(sb.view).toBe('WAL');
    expect([...sb.latest]).toEqual([...sa.latest]);
    expect(sb.nodes.size).toBe(5); // the step after the current one came along
    expect(storage.getItem(HEADER_KEY)).toBe(before); // the own workspace's slot is untouched
    expect(storage.getItem(SHARED_KEY)).not.toBeNull();
  });
});

describe('size limit', () => {
  it('past the limit there is no link, and the message says how long it is and offers the file', () => {
    const big = 'x'.repeat(40_000); // incompressible enough once mixed with numbers
    const text = Array.from({ length: 2000 }, (_, i) => `SELECT ${i * 7919 % 10007}, '${(i * 104729).toString(36)}';`).join('\n') + big;
    const e = encodeShare(payloadOf(source({ sessions: [{ name: 's1', text }], selectedSession: 's1', scenario: null, nodes: Nodes.empty(), head: null }), null));
    expect(e.ok).toBe(false);
    if (e.ok) return;
    expect(e.chars).toBeGreaterThan(MAX_SHARE_CHARS);
    expect(e.message).toMatch(/too long for a link \([\d,]+ characters; a link carries at most 16,000\)\. Save it as a file \(Save \.json\)/);
  });
  it('just under the limit a link is made, and a smaller limit refuses it', () => {
    const e = encodeShare(payloadOf(source(), 'Heap'));
    expect(e.ok).toBe(true);
    if (!e.ok) return;
    expect(SHARE_PREFIX.length + e.data.length).toBeLessThanOrEqual(MAX_SHARE_CHARS);
    expect(encodeShare(payloadOf(source(), 'Heap'), SHARE_PREFIX.length + e.data.length).ok).toBe(true);
    expect(encodeShare(payloadOf(source(), 'Heap'), SHARE_PREFIX.length + e.data.length - 1).ok).toBe(false);
    // a link longer than any link made here is refused before it is decompressed
    const d = decodeShare('A'.repeat(MAX_SHARE_CHARS));
    expect(!d.ok && d.error).toMatch(/too long/);
  });
});

describe('damaged and tampered links', () => {
  const good = (() => { const e = encodeShare(payloadOf(source(), 'Heap')); if (!e.ok) throw new Error(); return e.data; })();
  const reencode = (json: string, sum = checksum(json)) => compressToEncodedURIComponent(sum + json);
  const json = decompressFromEncodedURIComponent(good)!.slice(8);
  const expectRefused = (data: string, why: RegExp) => {
    const d = decodeShare(data);
    expect(d.ok).toBe(false);
    if (!d.ok) {
      expect(d.error).toMatch(/^This shared link cannot be opened: /);
      expect(d.error).toMatch(why);
      expect(d.error).toMatch(/Nothing was loaded; your own workspace is as you left it\.$/);
    }
  };
  it('cut short', () => {
    for (const n of [1, 5, Math.floor(good.length / 2), good.length - 3]) expectRefused(good.slice(0, n), /damaged/);
  });
  it('one character changed anywhere', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-$';
    for (let i = 0; i < good.length; i += Math.max(1, Math.floor(good.length / 40))) {
      const c = alphabet[(alphabet.indexOf(good[i]!) + 17) % alphabet.length]!;
      const d = decodeShare(good.slice(0, i) + c + good.slice(i + 1));
      expect(d.ok, `changed at ${i}`).toBe(false);
    }
  });
  it('characters no link has, and nothing at all', () => {
    expectRefused(good.slice(0, 20) + '<script>' + good.slice(20), /characters a Heapscope link never has/);
    expectRefused(good + '%20', /characters/);
    expectRefused('', /holds no workspace/);
  });
  it('a changed payload with its old checksum', () => {
    expectRefused(reencode(json.replace('SELECT 2', 'SELECT 3'), checksum(json)), /checksum does not match/);
  });
  it('a payload of the wrong shape, even with a right checksum', () => {
    expectRefused(reencode('[1,2,3]'), /not a Heapscope workspace/);
    expectRefused(reencode('{"v":1}'), /not a Heapscope workspace \(sessions: /);
    expectRefused(reencode(json.replace('"at":3', '"at":99')), /current step is past the end/);
    expectRefused(reencode(json.replace('"at":3', '"at":3,"extra":"<img src=x>"')), /not a Heapscope workspace/);
    expectRefused(reencode('not json'), /not valid JSON/);
    expectRefused(reencode(json.replace('"v":1', '"v":2')), /another version of Heapscope \(link format 2, this one reads 1\)/);
  });
  it('entries a workspace may not hold are refused by the workspace rules', () => {
    expectRefused(reencode(json.replace('"alice_2","text"', '"a b","text"')), /not a valid workspace \(a session needs a name/);
    expectRefused(reencode(json.replace('[null,"w","s1"]', '[null,"w","a b"]')), /not a valid workspace \(node 4 has an invalid entry\)/);
    expectRefused(reencode(json.replace('"SELECT * FROM t",3]', '"SELECT * FROM t",-1]')), /not a valid workspace \(node 5 has an invalid entry\)/);
    expectRefused(reencode(json.replace('[null,"w","s1"]', '[null,"v","rm -rf"]')), /not a valid workspace \(node 4 has an invalid entry\)/);
    expectRefused(reencode(json.replace('[null,"w","s1"]', '[null,"z","s1"]')), /step 4 is damaged/);
    expectRefused(reencode(json.replace('"queue":[["q","setup"', '"queue":[["q","no such"')), /step 1 of the scenario queue is invalid/);
    expectRefused(reencode(json.replace('[null,"q","alice_2","SELECT 2"]', '[1.5,"q","alice_2","SELECT 2"]')), /invalid step number/);
  });
});

describe('the current path', () => {
  it('follows the newest child past head, and stops at a tip', () => {
    const s = source();
    expect(currentPath(s.nodes, 14).path.map((n) => n.id)).toEqual([10, 11, 14, 15, 16]);
    expect(currentPath(s.nodes, 12).path.map((n) => n.id)).toEqual([10, 11, 12, 13]);
    expect(currentPath(s.nodes, 12).at).toBe(3);
    expect(currentPath(s.nodes, null).path.map((n) => n.id)).toEqual([10, 11, 14, 15, 16]);
  });
});

describe('a shared lesson', () => {
  it('opens at the shared step, even while a step of the lesson the visitor was playing is still running', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const { buildCatalog } = await import('../../src/ui/lessons/catalog.js');
    const { createPlayer } = await import('../../src/store/player.js');
    const { SHARED_LESSON_KEY, lessonSlotKey } = await import('../../src/store/persist.js');
    const files = Object.fromEntries(readdirSync('lessons').filter((f) => f.endsWith('.md')).map((f) => [`/lessons/${f}`, readFileSync(`lessons/${f}`, 'utf8')]));
    const doc = buildCatalog(files).lessons.find((d) => d.lesson.meta.id === 'row-versions')!;
    const mk = (storage: MemoryStorage) => {
      const ws = createWorkspace({ storage, client: () => ({ api: new EngineHost() as unknown as Remote<EngineApi>, onCrash() {}, terminate() {} }) });
      return { ws, player: createPlayer(ws, storage) };
    };
    // the sender plays to step 3 (a question answered on the way)
    const a = mk(new MemoryStorage());
    await a.ws.actions.init();
    await a.player.start(doc);
    await a.player.next();
    await a.player.next();
    await a.player.answer(0);
    await a.player.next();
    expect(a.player.view()!.cursor).toBe(2);
    const enc = a.ws.actions.shareData();
    if (!enc.ok) throw new Error(enc.message);
    const d = decodeShare(enc.data);
    if (!d.ok) throw new Error(d.error);
    // the recipient is in the middle of a step of the same lesson when the link opens
    const storage = new MemoryStorage();
    const b = mk(storage);
    await b.ws.actions.init();
    await b.player.start(doc);
    const running = b.player.next();
    b.player.stop();
    const opened = b.ws.actions.openShared(SHARED_LESSON_KEY, d.shared);
    await Promise.all([running, opened]);
    await b.player.start(doc, { slot: SHARED_LESSON_KEY });
    expect(b.player.view()!.cursor).toBe(2);
    expect(b.ws.store.getState().lesson).toMatchObject({ cursor: 2, answers: [{ step: 1, choice: 0 }] });
    expect(b.ws.store.getState().state).toEqual(a.ws.store.getState().state);
    // the recipient's own play stays in its own slot, not in the link's
    expect(storage.getItem(lessonSlotKey('row-versions'))).not.toBeNull();
  });
});
