/** Saved workspaces are validated entry by entry: a malformed one is refused as a whole, never half-loaded. */
import { describe, it, expect } from 'vitest';
import { validEntry, validateWorkspace, validateScenario, nextIdAfter, encodeNode, decodeNode, load, WorkspaceSaver, MAX_NODE_ID, HEADER_KEY, CHUNK } from '../../src/store/persist.js';
import type { LogEntry } from '../../src/shared/api.js';
import { CRASH_POINT_CHOICES } from '../../src/shared/api.js';
import { CRASH_POINTS } from '../../src/engine/checkpoint/checkpointer.js';

const ws = (entries: unknown[]) => ({
  version: 1, sessions: [{ name: 's1', text: '' }], head: entries.length || null,
  nodes: entries.map((entry, i) => ({ id: i + 1, parent: i ? i : null, entry })),
});

describe('saved workspace validation', () => {
  it('accepts every kind of log entry, server events included', () => {
    for (const e of [
      { kind: 'sql', session: 's1', sql: 'SELECT 1' }, { kind: 'advance', ms: 200 }, { kind: 'wait', session: 's1' },
      { kind: 'server', action: 'crash' }, { kind: 'server', action: 'crash', arg: 'torn-write' }, { kind: 'server', action: 'restart' },
      { kind: 'server', action: 'restart', arg: '12' }, { kind: 'server', action: 'checkpoint' }, { kind: 'server', action: 'bgwriter' },
      { kind: 'server', action: 'full_page_writes', arg: 'off' },
    ]) expect(validEntry(e), JSON.stringify(e)).toBe(true);
    expect(validateWorkspace(ws([{ kind: 'sql', session: 's1', sql: 'SELECT 1' }, { kind: 'server', action: 'crash' }]))).toBeNull();
  });
  it('refuses malformed server events with a message naming the node', () => {
    for (const e of [
      { kind: 'server', action: 'crash', arg: 'sideways' }, { kind: 'server', action: 'restart', arg: 'soon' },
      { kind: 'server', action: 'restart', arg: 5 }, { kind: 'server', action: 'full_page_writes' }, { kind: 'server', action: 'checkpoint', arg: 'x' },
      { kind: 'server', action: 'format c:' }, { kind: 'server' },
    ]) {
      expect(validEntry(e), JSON.stringify(e)).toBe(false);
      expect(validateWorkspace(ws([{ kind: 'sql', session: 's1', sql: 'SELECT 1' }, e]))).toBe('node 2 has an invalid entry');
    }
  });
  it('offers exactly the crash points the engine knows', () => {
    expect([...CRASH_POINT_CHOICES]).toEqual([...CRASH_POINTS]);
  });
});

describe('node ids and scenario queues', () => {
  const node = (id: unknown, parent: unknown = null) => ({ id, parent, entry: { kind: 'sql', session: 's1', sql: 'SELECT 1' } });
  const with_ = (nodes: unknown[], extra = {}) => ({ version: 1, sessions: [{ name: 's1', text: '' }], head: null, nodes, ...extra });
  it('ids are whole numbers from 1 to 2^53 - 2, so that the next one (largest + 1) is still exact', () => {
    expect(validateWorkspace(with_([node(MAX_NODE_ID)]))).toBeNull();
    for (const id of [2 ** 53, MAX_NODE_ID + 1, 0, -1, 1.5, '1', null, Number.NaN]) {
      expect(validateWorkspace(with_([node(id)])), String(id)).toMatch(/^node id .* is not a whole number from 1 to 9007199254740990$/);
    }
    // 2^53 + 1 is read by JSON.parse as 2^53: refused too, as is a duplicate made by rounding
    expect(validateWorkspace(JSON.parse('{"version":1,"sessions":[{"name":"s1","text":""}],"head":null,"nodes":[{"id":9007199254740993,"parent":null,"entry":{"kind":"wait","session":"s1"}}]}'))).toMatch(/is not a whole number/);
    expect(validateWorkspace(with_([node(5), node(5)]))).toBe('node id 5 appears twice');
    expect(validateWorkspace(with_([node(5, 5)]))).toBe('node 5 has an unknown parent (parents come before their children)');
    expect(validateWorkspace(with_([node(2, 3), node(3)]))).toBe('node 2 has an unknown parent (parents come before their children)');
  });
  it('the next id of 100,000 nodes is found without spreading them into an argument list', () => {
    const many = Array.from({ length: 100_000 }, (_, i) => node(i + 1, i ? i : null));
    expect(validateWorkspace(with_(many))).toBeNull();
    expect(nextIdAfter(many as { id: number }[])).toBe(100_001);
    expect(validateWorkspace(with_([...many, node(100_001, 100_000)]))).toBe('nodes must be a list of at most 100000');
  });
  it('session names are what the engine accepts, in the list and in entries', () => {
    for (const name of ['constructor', '__proto__', 'toString', 's1', '_x', 'a'.repeat(32)]) expect(validateWorkspace({ version: 1, sessions: [{ name, text: '' }], head: null, nodes: [] }), name).toBeNull();
    for (const name of ['a b', '1s', '', 'a'.repeat(33), '<b>']) {
      expect(validateWorkspace({ version: 1, sessions: [{ name, text: '' }], head: null, nodes: [] }), name).toMatch(/a session needs a name/);
      expect(validEntry({ kind: 'sql', session: name, sql: 'SELECT 1' }), name).toBe(false);
      expect(validEntry({ kind: 'wait', session: name }), name).toBe(false);
    }
  });
  it('a scenario queue is checked entry by entry, and its position against its length', () => {
    const queue = [{ kind: 'sql', session: 's1', sql: 'SELECT 1' }, { kind: 'advance', ms: 10 }];
    expect(validateScenario({ name: 'a.spec', queue, position: 2 })).toBeNull();
    expect(validateScenario(null)).toBeNull();
    expect(validateScenario({ name: 'a.spec', queue: [...queue, { kind: 'advance', ms: -1 }], position: 0 })).toBe('step 3 of the scenario queue is invalid');
    expect(validateScenario({ name: 'a.spec', queue, position: 3 })).toBe('the scenario position must be a whole number from 0 to 2');
    expect(validateScenario({ name: 'a.spec', queue, position: 0.5 })).toBe('the scenario position must be a whole number from 0 to 2');
    expect(validateScenario({ name: 'a.spec', queue: { length: 1 }, position: 0 })).toMatch(/must be a list/);
    expect(validateWorkspace(with_([], { scenario: { name: 'a.spec', queue: [{ kind: 'nope' }], position: 0 } }))).toBe('step 1 of the scenario queue is invalid');
  });
});

describe('compact rows and the incremental saver', () => {
  const entries: LogEntry[] = [
    { kind: 'sql', session: 's1', sql: 'SELECT 1' }, { kind: 'sql', session: 's2', sql: 'INSERT …', cancelAfterChunks: 3 },
    { kind: 'advance', ms: 250 }, { kind: 'wait', session: 's1' }, { kind: 'server', action: 'crash', arg: 'torn-write' },
    { kind: 'server', action: 'checkpoint' },
  ];
  it('every kind of entry survives a row', () => {
    entries.forEach((entry, i) => expect(decodeNode(JSON.parse(JSON.stringify(encodeNode({ id: i + 1, parent: i || null, entry })))))
      .toEqual({ id: i + 1, parent: i || null, entry }));
    for (const bad of [null, [], [1, null], [1, null, 'z', 'x'], [1, null, 'q', 's1', 'x', 1, 2], 'q']) expect(decodeNode(bad), JSON.stringify(bad)).toBeNull();
  });
  class Mem {
    m = new Map<string, string>(); writes: string[] = []; quota = Infinity;
    get length() { return this.m.size; }
    key(i: number) { return [...this.m.keys()][i] ?? null; }
    getItem(k: string) { return this.m.get(k) ?? null; }
    setItem(k: string, v: string) {
      let used = k.length + v.length;
      for (const [kk, vv] of this.m) if (kk !== k) used += kk.length + vv.length;
      if (used > this.quota) throw new Error('QuotaExceededError');
      this.m.set(k, v); this.writes.push(k);
    }
    removeItem(k: string) { this.m.delete(k); }
    clear() { this.m.clear(); }
  }
  const header = { sessions: [{ name: 's1', text: '' }], head: null, scenario: null };
  const nodes = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i + 1, parent: i || null, entry: { kind: 'sql' as const, session: 's1', sql: `SELECT ${i}` } }));
  it('an appended step rewrites its chunk and the header only; load reads back exactly what was saved', () => {
    const st = new Mem();
    const s = new WorkspaceSaver(st as unknown as Storage);
    expect(s.replaceAll(header, nodes(CHUNK * 2 + 3))).toBeNull();
    st.writes = [];
    expect(s.append({ ...header, head: CHUNK * 2 + 4 }, { id: CHUNK * 2 + 4, parent: CHUNK * 2 + 3, entry: { kind: 'advance', ms: 5 } })).toBeNull();
    const gen = (JSON.parse(st.getItem(HEADER_KEY)!) as { gen: number }).gen;
    expect(st.writes).toEqual([`${HEADER_KEY}.${gen}.2`, HEADER_KEY]);
    st.writes = [];
    expect(s.save({ ...header, sessions: [{ name: 's1', text: 'typed' }] })).toBeNull();
    expect(st.writes).toEqual([`${HEADER_KEY}.${gen}.sessions`, HEADER_KEY]);
    const l = load(st as unknown as Storage);
    expect(l.error).toBeNull();
    expect(l.workspace!.nodes).toEqual([...nodes(CHUNK * 2 + 3), { id: CHUNK * 2 + 4, parent: CHUNK * 2 + 3, entry: { kind: 'advance', ms: 5 } }]);
    expect(l.workspace!.sessions).toEqual([{ name: 's1', text: 'typed' }]);
  });
  it('a new timeline replaces the old one and leaves none of its chunks behind', () => {
    const st = new Mem();
    const s = new WorkspaceSaver(st as unknown as Storage);
    s.replaceAll(header, nodes(CHUNK * 3));
    s.replaceAll(header, nodes(2));
    const gen = (JSON.parse(st.getItem(HEADER_KEY)!) as { gen: number }).gen;
    expect([...st.m.keys()].sort()).toEqual([HEADER_KEY, `${HEADER_KEY}.${gen}.0`, `${HEADER_KEY}.${gen}.sessions`]);
    expect(load(st as unknown as Storage).workspace!.nodes).toEqual(nodes(2));
  });
  it('a new timeline that does not fit at all leaves no stale one to be restored, and says so', () => {
    const st = new Mem();
    const s = new WorkspaceSaver(st as unknown as Storage);
    s.replaceAll(header, nodes(10));
    st.quota = 2000;
    expect(s.replaceAll(header, nodes(200))).toMatch(/storage for this page is full/);
    expect(load(st as unknown as Storage)).toMatchObject({ workspace: null, error: null });
  });
  it('two tabs: after the other tab saved, this one writes everything afresh, and a reload shows one tab whole', () => {
    const st = new Mem();
    const a = new WorkspaceSaver(st as unknown as Storage);
    a.replaceAll(header, nodes(CHUNK + 10));
    const l = load(st as unknown as Storage);
    const b = new WorkspaceSaver(st as unknown as Storage, l);
    b.adopt(l.workspace!);
    // both go on from step CHUNK + 10, differently: a into the next chunk, then b once (the storage event tells a)
    const mine = (id: number, sql: string) => ({ id, parent: id - 1, entry: { kind: 'sql' as const, session: 's1', sql } });
    for (let i = 0; i < CHUNK; i++) a.append(header, mine(CHUNK + 11 + i, `SELECT 'a${i}'`));
    b.append(header, mine(CHUNK + 11, "SELECT 'b'"));
    a.invalidate();
    a.append(header, mine(2 * CHUNK + 11, 'SELECT 0'));
    const after = load(st as unknown as Storage);
    expect(after.error).toBeNull();
    expect(after.workspace!.nodes).toHaveLength(2 * CHUNK + 11);
    expect(after.workspace!.nodes[CHUNK + 10]!.entry).toEqual({ kind: 'sql', session: 's1', sql: "SELECT 'a0'" });
    expect([...st.m.keys()].filter((k) => k.startsWith(`${HEADER_KEY}.`))).toHaveLength(4); // 3 chunks and the sessions: the other generation is gone
  });
});
