/**
 * The workspace store against an in-process EngineHost (the worker's object, without the worker) and an in-memory
 * localStorage: hostile names, hostile files, long timelines, saving, exporting.
 */
import { describe, it, expect } from 'vitest';
import type { Remote } from 'comlink';
import { createWorkspace, MAX_FILE_BYTES, HISTORY_BACK } from '../../src/store/workspace.js';
import { HEADER_KEY, STORAGE_KEY, CHUNK } from '../../src/store/persist.js';
import { EngineHost } from '../../src/worker/host.js';
import type { EngineApi, LogEntry } from '../../src/shared/api.js';
import { parseSpec } from '../../src/scenario/spec.js';
import { MemoryStorage } from './memory-storage.js';

function workspace(storage = new MemoryStorage(), host = new EngineHost()) {
  const calls: { log: number; resultsFor: number[] | undefined }[] = [];
  const api = new Proxy(host, {
    get(t, p) {
      if (p === 'replay') return (s: string[], log: LogEntry[], o?: { resultsFor?: number[] }) => { calls.push({ log: log.length, resultsFor: o?.resultsFor }); return t.replay(s, log, o); };
      const v = Reflect.get(t, p);
      return typeof v === 'function' ? v.bind(t) : v;
    },
  });
  const w = createWorkspace({ storage, client: () => ({ api: api as unknown as Remote<EngineApi>, onCrash() {}, terminate() {} }) });
  return { ...w, storage, host, calls };
}
async function started(storage?: MemoryStorage, host?: EngineHost) {
  const w = workspace(storage, host);
  await w.actions.init();
  expect(w.store.getState().phase).toBe('ready');
  return w;
}
const file = (nodes: unknown[], extra: Record<string, unknown> = {}) => JSON.stringify({ version: 1, sessions: [{ name: 's1', text: '' }], head: (nodes[nodes.length - 1] as { id: number } | undefined)?.id ?? null, nodes, ...extra });
const chain = (entries: LogEntry[], firstId = 1) => entries.map((entry, i) => ({ id: firstId + i, parent: i ? firstId + i - 1 : null, entry }));

describe('names that are Object.prototype members', () => {
  for (const name of ['constructor', '__proto__', 'toString']) {
    it(`a session named ${name} runs, shows its results and survives a reload`, async () => {
      const storage = new MemoryStorage();
      const w = await started(storage);
      const spec = `setup { CREATE TABLE t(id int PRIMARY KEY, v int); }\nsession ${name}\nstep a { INSERT INTO t VALUES (1, 10); }\nstep b { SELECT * FROM t; }\nsession s2\nstep c { UPDATE t SET v = 11; }\npermutation a c b\n`;
      expect(await w.actions.loadScenario(spec, 'proto.spec')).toBe(true);
      for (let i = 0; i < 4; i++) await w.actions.nextScenarioStep();
      const st = w.store.getState();
      expect(st.sessions.map((s) => s.name)).toEqual([name, 's2']);
      expect(st.latest.get(name)!.results[0]!.rows).toEqual([['1', '11']]);
      expect(st.state!.visibility.get(name)!.size).toBe(2);
      expect(st.latest.get('hasOwnProperty')).toBeUndefined();
      const again = await started(storage);
      const st2 = again.store.getState();
      expect(st2.notice).toBeNull();
      expect(st2.sessions.map((s) => s.name)).toEqual([name, 's2']);
      expect(st2.latest.get(name)!.results[0]!.rows).toEqual([['1', '11']]);
      expect(st2.nodes.size).toBe(4);
      expect(st2.scenario).toMatchObject({ name: 'proto.spec', position: 4 });
    });
  }
});

describe('hostile files', () => {
  it('a workspace whose node id is 2^53 is refused and changes nothing', async () => {
    const w = await started();
    await w.actions.run('s1', 'CREATE TABLE kept(id int)');
    const before = { nodes: w.store.getState().nodes, saved: w.storage.getItem(HEADER_KEY) };
    for (const id of [2 ** 53, 2 ** 53 - 1, 1.5, 0, -3]) {
      expect(await w.actions.importWorkspace(file([{ id, parent: null, entry: { kind: 'sql', session: 's1', sql: 'SELECT 1' } }]))).toBe(false);
      expect(w.store.getState().notice?.text).toContain(`node id ${id} is not a whole number from 1 to 9007199254740990`);
      expect(w.store.getState().nodes).toBe(before.nodes);
      expect(w.storage.getItem(HEADER_KEY)).toBe(before.saved);
    }
  });
  it('the largest id a file may use still leaves room for one more step; past it, a clear refusal', async () => {
    const w = await started();
    expect(await w.actions.importWorkspace(file(chain([{ kind: 'sql', session: 's1', sql: 'SELECT 1' }], Number.MAX_SAFE_INTEGER - 1)))).toBe(true);
    expect((await w.actions.run('s1', 'SELECT 2'))?.outcomes[0]!.results[0]!.rows).toEqual([['2']]);
    expect(w.store.getState().head).toBe(Number.MAX_SAFE_INTEGER);
    expect(await w.actions.run('s1', 'SELECT 3')).toBeNull();
    expect(w.store.getState().notice?.text).toMatch(/No step can be added: the step numbers have reached 9007199254740991/);
    expect(w.store.getState().nodes.size).toBe(2);
  });
  it('a saved scenario queue is validated like the timeline: a bad one is refused', async () => {
    const w = await started();
    const good = { name: 'x.spec', queue: [{ kind: 'sql', session: 's1', sql: 'SELECT 1' }], position: 0 };
    for (const [scenario, why] of [
      [{ ...good, queue: [{ kind: 'sql', session: 's1' }] }, 'step 1 of the scenario queue is invalid'],
      [{ ...good, queue: 'SELECT 1' }, 'the scenario queue must be a list'],
      [{ ...good, position: 7 }, 'the scenario position must be a whole number from 0 to 1'],
      [{ ...good, position: -1 }, 'the scenario position'],
      [{ ...good, queue: [{ kind: 'wait', session: '<img src=x>' }] }, 'step 1 of the scenario queue is invalid'],
      [{ queue: [], position: 0 }, 'the scenario needs a name'],
    ] as const) {
      expect(await w.actions.importWorkspace(file([], { scenario }))).toBe(false);
      expect(w.store.getState().notice?.text).toContain(why);
      expect(w.store.getState().scenario).toBeNull();
    }
    expect(await w.actions.importWorkspace(file([], { scenario: good }))).toBe(true);
    expect((await w.actions.nextScenarioStep())?.outcomes[0]!.results[0]!.rows).toEqual([['1']]);
  });
  it('a file over 5 MB is refused with a message saying so', async () => {
    const w = await started();
    let read = false;
    expect(await w.actions.openFile({ name: 'huge.json', size: MAX_FILE_BYTES + 1, text: async () => { read = true; return '{}'; } })).toBe(false);
    expect(read).toBe(false);
    expect(w.store.getState().notice).toEqual({ kind: 'error', text: 'huge.json is 5.0 MB; Heapscope opens files up to 5 MB. Your current workspace is unchanged.' });
  });
  it('a successful import replaces an old error banner', async () => {
    const w = await started();
    expect(await w.actions.openFile({ name: 'bad.json', size: 10, text: async () => '{"version":1}' })).toBe(false);
    expect(w.store.getState().notice?.kind).toBe('error');
    const text = file(chain([{ kind: 'sql', session: 's1', sql: 'SELECT 1' }, { kind: 'sql', session: 's1', sql: 'SELECT 2' }]));
    expect(await w.actions.openFile({ name: 'good.json', size: text.length, text: async () => text })).toBe(true);
    expect(w.store.getState().notice).toEqual({ kind: 'info', text: 'Opened good.json: 2 steps, 2 replayed to the current one.' });
  });
  it('a scenario whose session name the workspace cannot save is refused (not accepted and lost at the next reload)', async () => {
    const w = await started();
    for (const name of ['"a b"', '"<img src=x onerror=alert(1)>"', '"setup"', `"${'x'.repeat(40)}"`]) {
      expect(await w.actions.loadScenario(`session ${name}\nstep a { SELECT 1; }\n`, 'names.spec')).toBe(false);
      expect(w.store.getState().notice?.text).toMatch(/needs another name/);
    }
  });
});

describe('long timelines', () => {
  const updates = (n: number): LogEntry[] => [
    { kind: 'sql', session: 's1', sql: 'CREATE TABLE data(id int PRIMARY KEY, val int)' },
    { kind: 'sql', session: 's1', sql: 'INSERT INTO data SELECT g, 0 FROM generate_series(1, 100) g' },
    ...Array.from({ length: n - 2 }, (_, i): LogEntry => ({ kind: 'sql', session: i % 2 ? 's1' : 's2', sql: `UPDATE data SET val = val + 1 WHERE id = ${1 + (i % 100)}` })),
  ];
  it('importing 10,000 steps asks the engine for the last HISTORY_BACK results (the scrollback), marks every step, and a jump asks for those it lacks', async () => {
    const w = await started();
    const nodes = chain(updates(10000));
    nodes[5]!.entry = { kind: 'sql', session: 's1', sql: 'SELECT nosuch' };
    expect(await w.actions.importWorkspace(JSON.stringify({ version: 1, sessions: [{ name: 's1', text: '' }, { name: 's2', text: '' }], head: 10000, nodes }))).toBe(true);
    const st = w.store.getState();
    const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
    expect(w.calls.at(-1)).toEqual({ log: 10000, resultsFor: range(10000 - HISTORY_BACK, 10000) });
    expect([...st.nodes.values()].filter((n) => n.result).map((n) => n.id)).toEqual(range(10001 - HISTORY_BACK, 10001));
    expect([...st.nodes.values()].filter((n) => n.mark === 'failed').map((n) => n.id)).toEqual([6]);
    expect([...st.nodes.values()].every((n) => n.mark !== null)).toBe(true);
    expect(st.latest.get('s1')!.results[0]!.command).toBe('UPDATE 1');
    const applied = w.host.stepsApplied;
    await w.actions.jumpTo(5000);
    expect(w.calls.at(-1)).toEqual({ log: 5000, resultsFor: range(5000 - HISTORY_BACK, 5000) });
    expect(w.host.stepsApplied - applied).toBeLessThan(1250);
    expect(w.store.getState().nodes.get(5000)!.result!.outcomes[0]!.results[0]!.command).toBe('UPDATE 1');
  }, 60_000);
  it('saving a step writes the same amount at step 5,000 as at step 50, and a reload restores every step', async () => {
    const storage = new MemoryStorage();
    const w = await started(storage);
    expect(await w.actions.importWorkspace(JSON.stringify({ version: 1, sessions: [{ name: 's1', text: '' }, { name: 's2', text: '' }], head: 50, nodes: chain(updates(50)) }))).toBe(true);
    let before = storage.written;
    await w.actions.run('s1', 'SELECT 1');
    const small = storage.written - before;
    expect(await w.actions.importWorkspace(JSON.stringify({ version: 1, sessions: [{ name: 's1', text: '' }, { name: 's2', text: '' }], head: 5000, nodes: chain(updates(5000)) }))).toBe(true);
    before = storage.written;
    await w.actions.run('s1', 'SELECT 1');
    const big = storage.written - before;
    expect(big).toBeLessThan(small + CHUNK * 80); // at most one chunk more: never the whole timeline (~350,000 characters)
    before = storage.written;
    w.actions.setText('s1', 'typing');
    expect(storage.written - before).toBeLessThan(500); // typing saves the header only
    const again = await started(storage);
    expect(again.store.getState().nodes.size).toBe(5001);
    expect(again.store.getState().head).toBe(5001);
    expect(again.store.getState().sessions[0]!.text).toBe('typing');
    expect(again.store.getState().nextId).toBe(5002);
  }, 60_000);
  it('a scenario with one session of 10,000 steps loads and runs (no recursion as deep as the steps)', async () => {
    const w = await started();
    const steps = Array.from({ length: 10000 }, (_, i) => `step a${i} { SELECT ${i}; }`).join('\n');
    // without a permutation (the only interleaving is generated), then with one written out
    expect(await w.actions.loadScenario(`session s1\n${steps}\n`, 'generated.spec')).toBe(true);
    expect(w.store.getState().scenario!.queue).toHaveLength(10000);
    const spec = `session s1\n${steps}\npermutation ${Array.from({ length: 10000 }, (_, i) => `a${i}`).join(' ')}\n`;
    expect(await w.actions.loadScenario(spec, 'long.spec')).toBe(true);
    for (let i = 0; i < 10000; i++) await w.actions.nextScenarioStep();
    expect(w.store.getState().latest.get('s1')!.results[0]!.rows).toEqual([['9999']]);
    expect(w.store.getState().nodes.size).toBe(10000);
    await w.actions.jumpTo(3);
    expect(w.store.getState().latest.get('s1')!.results[0]!.rows).toEqual([['2']]);
  }, 120_000);
});

describe('saving to localStorage', () => {
  it('a full storage is said once, the workspace keeps working in memory, and saving resumes when there is room', async () => {
    const storage = new MemoryStorage(3000);
    const w = await started(storage);
    await w.actions.run('s1', 'SELECT 1');
    expect(w.store.getState().notice).toBeNull();
    for (let i = 0; i < 30; i++) await w.actions.run('s1', `SELECT ${'x'.repeat(80)} AS c${i}`);
    expect(w.store.getState().notice?.text).toMatch(/storage for this page is full .* a reload would lose them\. Use "Save \.json"/);
    expect(w.store.getState().nodes.size).toBe(31);
    storage.quota = Infinity;
    await w.actions.run('s1', 'SELECT 2');
    expect(w.store.getState().notice).toBeNull();
    const again = await started(storage);
    expect(again.store.getState().nodes.size).toBe(32);
  });
  it('the older one-key layout is read, then written in chunks and removed', async () => {
    const storage = new MemoryStorage();
    storage.setItem(STORAGE_KEY, file(chain([{ kind: 'sql', session: 's1', sql: 'SELECT 41' }, { kind: 'sql', session: 's1', sql: 'SELECT 42' }])));
    const w = await started(storage);
    expect(w.store.getState().latest.get('s1')!.results[0]!.rows).toEqual([['42']]);
    expect(storage.getItem(STORAGE_KEY)).toBeNull();
    expect(JSON.parse(storage.getItem(HEADER_KEY)!)).toMatchObject({ version: 2, count: 2 });
    expect((await started(storage)).store.getState().nodes.size).toBe(2);
  });
  it('a damaged save is reported, kept under ….broken, and the page starts with a fresh workspace', async () => {
    const storage = new MemoryStorage();
    const w = await started(storage);
    await w.actions.run('s1', 'SELECT 1');
    const [chunk] = storage.keys().filter((k) => k.startsWith(`${HEADER_KEY}.`) && /\.\d+\.\d+$/.test(k));
    const saved = JSON.parse(storage.getItem(chunk!)!) as { gen: number; rows: unknown[][] };
    storage.setItem(chunk!, JSON.stringify({ gen: saved.gen, rows: [saved.rows[0]!.slice(0, 4)] })); // the SQL is gone
    const again = await started(storage);
    expect(again.store.getState().notice?.text).toBe(`The saved workspace could not be restored (node 1 has an invalid entry); it was kept under "${HEADER_KEY}.broken".`);
    expect(again.store.getState().nodes.size).toBe(0);
    expect(JSON.parse(storage.getItem(`${HEADER_KEY}.broken`)!) as string[]).toContain(JSON.stringify({ gen: saved.gen, rows: [saved.rows[0]!.slice(0, 4)] }));
  });
});

describe('Export .spec', () => {
  it('statements with "}" in strings, names, dollar quotes and comments are respelled and read back as the same steps', async () => {
    const w = await started();
    const sqls = [
      'CREATE TABLE j(id int PRIMARY KEY, tags text, "we}ird" int)',
      "INSERT INTO j VALUES (1, '{a,b}', 7), (2, E'\\\\}x', 8)",
      'SELECT tags, "we}ird" FROM j ORDER BY id -- {all}',
      "SELECT $q$}$q$ AS brace, '}' || '{' AS pair /* } */",
    ];
    const want: unknown[] = [];
    for (const sql of sqls) want.push((await w.actions.run('s1', sql))!.outcomes[0]!.results.map((r) => r.rows));
    const spec = w.actions.exportScenario()!;
    expect(spec).not.toBeNull();
    const sc = parseSpec(spec, 'exported.spec');
    expect(sc.sessions[0]!.steps).toHaveLength(4);
    const back = await started();
    expect(await back.actions.loadScenario(spec, 'exported.spec')).toBe(true);
    const got: unknown[] = [];
    for (let i = 0; i < 4; i++) got.push((await back.actions.nextScenarioStep())!.outcomes[0]!.results.map((r) => r.rows));
    expect(got).toEqual(want);
    expect(want[2]).toEqual([[['{a,b}', '7'], ['\\}x', '8']]]);
    expect(want[3]).toEqual([[['}', '}{']]]);
  });
  it('a "}" that cannot be respelled makes the export refuse, naming the step', async () => {
    const w = await started();
    await w.actions.run('s1', 'SELECT 1');
    await w.actions.run('s2', 'SELECT }');
    expect(w.actions.exportScenario()).toBeNull();
    expect(w.store.getState().notice?.text).toBe('Not exported: step s2_1 cannot be written to a .spec file: it has a "}" outside any string, quoted name or comment (the isolation tester ends a step at the first "}" and has no way to quote one).');
  });
});
