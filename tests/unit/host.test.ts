/** The EngineHost (what the worker exposes): replay, chunked bulk statements, cancel, bad log entries. */
import { describe, it, expect } from 'vitest';
import { EngineHost } from '../../src/worker/host.js';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';
import type { LogEntry } from '../../src/shared/api.js';
import { MEMORY_BUDGET, MIN_SPACING, RECENT } from '../../src/worker/timetravel.js';

const setup: LogEntry[] = [
  { kind: 'sql', session: 's1', sql: 'CREATE TABLE t(id int PRIMARY KEY, v int)' },
  { kind: 'sql', session: 's1', sql: 'INSERT INTO t SELECT g, 0 FROM generate_series(1, 1000) g' },
];

describe('EngineHost', () => {
  it('lists each temporary table under its schema, apart from the permanent table it shadows, and explains its tuples', async () => {
    const h = new EngineHost();
    const { state } = await h.replay(['s1', 's2'], [
      { kind: 'sql', session: 's1', sql: 'CREATE TABLE t (id int); INSERT INTO t VALUES (1)' },
      { kind: 'sql', session: 's1', sql: 'CREATE TEMP TABLE t (id int) ON COMMIT DELETE ROWS; BEGIN; INSERT INTO t VALUES (1), (2)' },
      { kind: 'sql', session: 's2', sql: 'CREATE TEMP TABLE t (id int); INSERT INTO t VALUES (1), (2), (3)' },
    ]);
    const byName = new Map(state.tables.map((t) => [t.name, t]));
    expect([...byName.keys()].sort()).toEqual(['pg_temp_2.t', 'pg_temp_3.t', 't']);
    expect([byName.get('t')!.items, byName.get('pg_temp_2.t')!.items, byName.get('pg_temp_3.t')!.items]).toEqual([1, 2, 3]);
    expect(byName.get('t')!.temp).toBeUndefined();
    expect(byName.get('pg_temp_2.t')!.temp).toEqual({ session: 's1', schema: 'pg_temp_2', onCommit: 'delete' });
    // s2 cannot see s1's uncommitted rows in s1's table (visibility is judged per tuple, whoever owns the table)
    expect(state.visibility.get('s1')!.get('pg_temp_2.t:0:1')!.visible).toBe(true);
    expect(state.visibility.get('s2')!.get('pg_temp_2.t:0:1')!.visible).toBe(false);
    expect(await h.explain('pg_temp_3.t', 0, 3, 's2')).not.toMatch(/^no tuple/);
  });
  it('reports progress of a bulk statement and cancels it between chunks, recording where for exact replay', async () => {
    const h = new EngineHost();
    await h.replay(['s1', 's2'], setup);
    const seen: number[] = [];
    const { result, state } = await h.apply({ kind: 'sql', session: 's2', sql: 'INSERT INTO t SELECT g, 1 FROM generate_series(1001, 101000) g' }, (p) => {
      seen.push(p.done);
      if (seen.length === 2) void h.cancel();
    });
    expect(seen).toEqual([20000, 40000]);
    expect(result.entry).toMatchObject({ kind: 'sql', cancelAfterChunks: 2 });
    expect(result.outcomes[0]!.error).toMatchObject({ sqlstate: '57014', message: 'canceling statement due to user request' });
    const count = (await h.apply({ kind: 'sql', session: 's1', sql: 'SELECT count(*) FROM t' })).result.outcomes[0]!.results[0]!.rows;
    expect(count).toEqual([['1000']]);
    // replaying the recorded log reproduces the same pages, WAL and commit log exactly
    const replayed = await new EngineHost().replay(['s1', 's2'], [...setup, result.entry]);
    expect(replayed.state.tables).toEqual(state.tables);
    expect(replayed.state.wal).toEqual(state.wal);
    expect(replayed.state.clog).toEqual(state.clog);
  });
  it('runs a bulk statement to the end when nobody cancels, with progress along the way', async () => {
    const h = new EngineHost();
    await h.replay(['s1'], setup);
    let calls = 0;
    const { result } = await h.apply({ kind: 'sql', session: 's1', sql: 'UPDATE t SET v = v + 1' }, () => { calls++; });
    expect(calls).toBe(0); // 1000 rows: below one chunk
    expect(result.outcomes[0]!.results[0]!.command).toBe('UPDATE 1000');
  });
  it('rejects malformed log entries without changing anything', async () => {
    const h = new EngineHost();
    const { state: before } = await h.replay(['s1'], setup);
    for (const bad of [{ kind: 'advance', ms: -5 }, { kind: 'nope' }, { kind: 'sql', session: 's1', sql: 42 }] as unknown as LogEntry[]) {
      const { result, state } = await h.apply(bad);
      expect(result.rejected).toBeTruthy();
      expect(state.tables).toEqual(before.tables);
      expect(state.clog).toEqual(before.clog);
    }
  });
  it('explains visibility without setting hint bits', async () => {
    const h = new EngineHost();
    await h.replay(['s1', 's2'], [...setup.slice(0, 1), { kind: 'sql', session: 's1', sql: 'INSERT INTO t VALUES (1, 1)' }, { kind: 'sql', session: 's2', sql: 'BEGIN ISOLATION LEVEL REPEATABLE READ' }]);
    const text = await h.explain('t', 0, 1, 's2');
    expect(text).toMatch(/visible: inserter 725 committed/);
    const st = await h.state();
    expect(st.tables[0]!.pageViews[0]!.items[0]!.flags).not.toContain('XMIN_COMMITTED');
  });
});

describe('Engine.cancel', () => {
  it('cancels a statement that waits for a lock: 57014, the wait is gone', async () => {
    await initParser();
    const e = new Engine();
    e.createSession('a'); e.createSession('b');
    e.execute('a', 'CREATE TABLE t(id int PRIMARY KEY)');
    e.execute('a', 'INSERT INTO t VALUES (1)');
    e.execute('a', 'BEGIN');
    e.execute('a', 'UPDATE t SET id = 1');
    expect(e.execute('b', 'DELETE FROM t').outcome.status).toBe('waiting');
    const c = e.cancel('b');
    expect(c.outcome.error!.sqlstate).toBe('57014');
    expect(e.locks.view().filter((l) => !l.granted)).toEqual([]);
    expect(e.clock.pending()).toEqual([]);
  });
});

describe('EngineHost time travel', () => {
  it('jumping around (checkpoints, prefixes, branches) always gives the state a fresh replay gives', async () => {
    const h = new EngineHost();
    const log: LogEntry[] = [...setup];
    for (let i = 0; i < 150; i++) {
      log.push(i % 10 === 3
        ? { kind: 'sql', session: 's2', sql: 'BEGIN' }
        : i % 10 === 6 ? { kind: 'sql', session: 's2', sql: 'COMMIT' }
          : { kind: 'sql', session: i % 3 ? 's1' : 's2', sql: `UPDATE t SET v = v + ${i} WHERE id = ${1 + (i * 7) % 1000}` });
    }
    await h.replay(['s1', 's2'], log);
    const branch: LogEntry[] = [...log.slice(0, 90), { kind: 'sql', session: 's1', sql: 'DELETE FROM t WHERE id < 500' }];
    for (const cut of [152, 40, 120, 7, 151, 64, 65, 90]) {
      const target = cut === 90 ? branch : log.slice(0, cut);
      const got = await h.replay(['s1', 's2'], target, { resultsFor: [] });
      const want = await new EngineHost().replay(['s1', 's2'], target, { resultsFor: [] });
      expect(got.state.tables).toEqual(want.state.tables);
      expect(got.state.clog).toEqual(want.state.clog);
      expect(got.state.wal).toEqual(want.state.wal);
      expect(got.state.sessions).toEqual(want.state.sessions);
    }
  });
  it('server entries (crash, restart, checkpoint, bgwriter, full_page_writes) replay exactly; bad ones are rejected and change nothing', async () => {
    const log: LogEntry[] = [
      ...setup,
      { kind: 'server', action: 'checkpoint' },
      { kind: 'sql', session: 's1', sql: 'UPDATE t SET v = 1 WHERE id = 1' },
      { kind: 'server', action: 'bgwriter' },
      { kind: 'sql', session: 's2', sql: 'BEGIN' },
      { kind: 'sql', session: 's2', sql: 'UPDATE t SET v = 2 WHERE id = 2' },
      { kind: 'server', action: 'crash' },
      { kind: 'sql', session: 's1', sql: 'SELECT 1' },
      { kind: 'server', action: 'restart', arg: '3' },
      { kind: 'server', action: 'restart' },
      { kind: 'server', action: 'full_page_writes', arg: 'off' },
      { kind: 'sql', session: 's1', sql: 'SELECT sum(v) FROM t' },
    ];
    const h = new EngineHost();
    const { results, state } = await h.replay(['s1', 's2'], log);
    expect(results.every((r) => !r!.rejected)).toBe(true);
    expect(results[8]!.outcomes[0]!.error?.sqlstate).toBe('08006'); // no connection while the server is down
    expect(state.durability.lastRecovery).toMatchObject({ outcome: 'Recovered' });
    expect(state.durability.serverLog.some((l) => l.includes('interrupted while in recovery'))).toBe(true);
    expect(state.durability.fullPageWrites).toBe(false);
    expect(results[12]!.outcomes[0]!.results[0]!.rows).toEqual([['1']]); // s1's update survived, s2's did not
    const again = await new EngineHost().replay(['s1', 's2'], log);
    expect(again.state.tables).toEqual(state.tables);
    expect(again.state.wal).toEqual(state.wal);
    expect(again.state.durability).toEqual(state.durability);
    // time travel back to before the crash and forward again gives the same state
    await h.replay(['s1', 's2'], log.slice(0, 6));
    expect((await h.replay(['s1', 's2'], log)).state.durability).toEqual(state.durability);
    // bad server entries: a clear rejection, nothing changes
    const before = await h.state();
    for (const bad of [
      { kind: 'server', action: 'restart' }, // the server is running
      { kind: 'server', action: 'crash', arg: 'sideways' },
      { kind: 'server', action: 'full_page_writes', arg: 'maybe' },
      { kind: 'server', action: 'restart', arg: '-1' },
      { kind: 'server', action: 'explode' },
    ] as unknown as LogEntry[]) {
      const r = (await h.apply(bad)).result;
      expect(r.rejected, JSON.stringify(bad)).toBeTruthy();
    }
    const after = await h.state();
    expect(after.tables).toEqual(before.tables);
    expect(after.durability).toEqual(before.durability);
  });
});

/** A long log like a long lesson: a table, then single-row updates from two sessions, some inside transactions. */
function longLog(n: number): LogEntry[] {
  const log: LogEntry[] = [
    { kind: 'sql', session: 's1', sql: 'CREATE TABLE data(id int PRIMARY KEY, val int)' },
    { kind: 'sql', session: 's1', sql: 'INSERT INTO data SELECT g, 0 FROM generate_series(1, 1000) g' },
  ];
  for (let i = 0; log.length < n; i++) {
    log.push(i % 50 === 10 ? { kind: 'sql', session: 's2', sql: 'BEGIN' } : i % 50 === 14 ? { kind: 'sql', session: 's2', sql: 'COMMIT' }
      : { kind: 'sql', session: i % 2 ? 's1' : 's2', sql: `UPDATE data SET val = val + 1 WHERE id = ${1 + ((i * 37) % 1000)}` });
  }
  return log;
}

describe('EngineHost at scale (counted work, not timed)', () => {
  it('replaying a log copies the engine in proportion to the log, not to its square', async () => {
    const copied: number[] = [];
    for (const n of [4000, 16000]) {
      const h = new EngineHost();
      await h.replay(['s1', 's2'], longLog(n), { resultsFor: [] });
      expect(h.stepsApplied).toBe(n);
      copied.push(h.checkpoints.copied);
    }
    // 4× the steps: linear work copies about 4× as much; a copy every 16 steps (the old policy) copied 16×
    expect(copied[1]! / copied[0]!).toBeLessThan(6);
  }, 60_000);

  it('every jump in a 16,000-step log replays a bounded stretch, wherever it lands, with the same state as a fresh replay', async () => {
    const n = 16000;
    const log = longLog(n);
    const h = new EngineHost();
    await h.replay(['s1', 's2'], log, { resultsFor: [] });
    const replayed: number[] = [];
    for (const cut of [8000, 1234, 15999, 4000, 12000, 6001, 2, 9999, 15000]) {
      const before = h.stepsApplied;
      const got = await h.replay(['s1', 's2'], log.slice(0, cut), { resultsFor: [cut - 1] });
      replayed.push(h.stepsApplied - before);
      expect(got.results[cut - 1]).not.toBeNull();
      if (cut === 8000 || cut === 6001) {
        const fresh = await new EngineHost().replay(['s1', 's2'], log.slice(0, cut), { resultsFor: [cut - 1] });
        expect(got.state).toEqual(fresh.state);
        expect(got.marks).toBe(fresh.marks);
        expect(got.latest).toEqual(fresh.latest);
      }
    }
    // the old policy (a copy every 16 steps, the last 40 kept) replayed 8000 steps for the jump to the middle
    expect(Math.max(...replayed)).toBeLessThanOrEqual(n / 8);
    // memory: the copies kept stay within the budget, spread over the log
    const kept = h.checkpoints.all;
    expect(kept.reduce((a, c) => a + c.size, 0)).toBeLessThanOrEqual(MEMORY_BUDGET + kept[kept.length - 1]!.size);
    expect(kept[0]!.depth).toBeLessThan(n / 4);
  }, 60_000);

  it('statements run one at a time are copied every 16: stepping back a little replays at most 16 of them', async () => {
    const h = new EngineHost();
    const log = longLog(4000).filter((e) => e.kind !== 'sql' || !/^(BEGIN|COMMIT)$/.test(e.sql)); // a copy waits for a COMMIT
    await h.replay(['s1', 's2'], log.slice(0, 2000), { resultsFor: [] });
    for (const e of log.slice(2000, 3600)) await h.apply(e); // 100 copies: more than are kept
    const replayed: number[] = [];
    for (let cut = 3599; cut > 3500; cut -= 7) { // within the RECENT copies kept for the newest steps
      const before = h.stepsApplied;
      await h.replay(['s1', 's2'], log.slice(0, cut), { resultsFor: [cut - 1] });
      replayed.push(h.stepsApplied - before);
    }
    expect(replayed).toHaveLength(15);
    expect(Math.max(...replayed)).toBeLessThanOrEqual(MIN_SPACING);
    expect(RECENT * MIN_SPACING).toBeGreaterThan(100);
  }, 60_000);

  it('marks say which steps failed or wait, and latest outcomes are each session\'s last, also from a checkpoint', async () => {
    const log: LogEntry[] = [
      ...setup,
      { kind: 'sql', session: 's1', sql: 'SELECT nosuch FROM t' },
      { kind: 'sql', session: 's1', sql: 'BEGIN' },
      { kind: 'sql', session: 's1', sql: 'UPDATE t SET v = 1 WHERE id = 1' },
      { kind: 'sql', session: 's2', sql: 'UPDATE t SET v = 2 WHERE id = 1' },
      { kind: 'sql', session: 's1', sql: 'COMMIT' },
      { kind: 'sql', session: 's2', sql: 'SELECT v FROM t WHERE id = 1' },
    ];
    const h = new EngineHost();
    const r = await h.replay(['s1', 's2'], log, { resultsFor: [] });
    expect(r.marks).toBe('..x..w..');
    expect(r.results.every((x) => x === null)).toBe(true);
    expect(new Map(r.latest.map((o) => [o.session, o.results[0]?.command])).get('s1')).toBe('COMMIT');
    expect(r.latest.find((o) => o.session === 's2')!.results[0]!.rows).toEqual([['2']]);
    expect(r.latest.every((o) => o.trace.events.length === 0)).toBe(true);
  });
});

describe('EngineHost with names that are Object.prototype members', () => {
  for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
    it(`a session called ${name}, a table "valueOf", indexes "__proto__" and "constructor": visibility and index views find them`, async () => {
      const h = new EngineHost();
      const { state, results } = await h.replay([name, 's2'], [
        { kind: 'sql', session: name, sql: 'CREATE TABLE "valueOf"(id int PRIMARY KEY, v int)' },
        { kind: 'sql', session: name, sql: 'CREATE INDEX "__proto__" ON "valueOf"(v)' },
        { kind: 'sql', session: name, sql: 'CREATE INDEX "constructor" ON "valueOf"(v)' },
        { kind: 'sql', session: name, sql: 'INSERT INTO "valueOf" VALUES (1, 2)' },
      ]);
      expect(results.map((x) => x!.rejected ?? x!.outcomes[0]!.error?.message ?? null)).toEqual([null, null, null, null]);
      expect([...state.visibility.keys()]).toEqual([name, 's2']);
      expect(state.visibility.get(name)!.get('valueOf:0:1')).toEqual({ visible: true, outcome: expect.any(String) });
      expect(state.tables[0]!.indexViews.map((i) => [i.name, i.count])).toEqual([['valueOf_pkey', 1], ['__proto__', 1], ['constructor', 1]]);
      expect(r(state.tables[0]!.indexViews[1]!.entries)).toEqual(['(2)->(0,1)']);
    });
  }
});
const r = (entries: { key: string; tid: string }[]) => entries.map((e) => `${e.key}->${e.tid}`);
