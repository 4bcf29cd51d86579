/** The state as of one trace event (worker/events.ts): a step replayed to the moment event `seq` happened. */
import { describe, it, expect } from 'vitest';
import { EngineHost } from '../../src/worker/host.js';
import type { LogEntry } from '../../src/shared/api.js';

const S = ['s1', 's2'];
const base: LogEntry[] = [
  { kind: 'sql', session: 's1', sql: 'CREATE TABLE t(id int PRIMARY KEY, v int)' },
  { kind: 'sql', session: 's1', sql: 'INSERT INTO t VALUES (1, 10), (2, 20)' },
];

async function stepEvents(log: LogEntry[]) {
  const h = new EngineHost();
  const r = await h.replay(S, log);
  const events = r.results[log.length - 1]!.outcomes.flatMap((o) => o.trace.events);
  return { h, events, final: r.state };
}

describe('the state as of an event', () => {
  it('numbers events in the order they happen and shows an UPDATE half done: xmax stamped, then WAL, then the index entry', async () => {
    const log: LogEntry[] = [...base, { kind: 'sql', session: 's1', sql: 'UPDATE t SET id = 3 WHERE id = 2' }];
    const { h, events, final } = await stepEvents(log);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    const at = async (kind: string) => (await h.stateAt(S, log, events.find((e) => e.kind === kind)!.seq!))!;
    const before = await at('snapshot');
    expect(before.tables[0]!.pageViews[0]!.items).toHaveLength(2); // the new version is not written yet
    const updated = await at('update');
    const items = updated.tables[0]!.pageViews[0]!.items;
    expect(items).toHaveLength(3);
    expect(items[1]!.t_xmax).toBe(updated.nextXid - 1);
    expect(updated.tables[0]!.indexViews[0]!.count).toBe(2); // the index entry comes later
    expect(updated.walCount).toBe(before.walCount);
    const logged = await at('wal');
    expect(logged.walCount).toBe(before.walCount + 1);
    const indexed = await at('index');
    expect(indexed.tables[0]!.indexViews[0]!.count).toBe(3);
    // the host's own engine is untouched: its state is still the one after the step
    expect(await h.state()).toEqual(final);
  });

  it('steps a VACUUM line pointer by line pointer: LP_DEAD, index entries removed, LP_UNUSED; and a HOT chain redirected', async () => {
    const log: LogEntry[] = [...base,
      { kind: 'sql', session: 's1', sql: 'UPDATE t SET v = 11 WHERE id = 1' }, // HOT: (0,1) → (0,3)
      { kind: 'sql', session: 's1', sql: 'DELETE FROM t WHERE id = 2' },
      { kind: 'sql', session: 's1', sql: 'VACUUM t' }];
    const { h, events } = await stepEvents(log);
    const flags = async (seq: number) => (await h.stateAt(S, log, seq))!.tables[0]!.pageViews[0]!.items.map((i) => i.lp_flags_name);
    const redirect = events.find((e) => e.kind === 'prune' && e.outcome === 'redirect')!;
    expect(redirect.off).toBe(1);
    expect((await flags(0))[0]).toBe('LP_NORMAL');
    expect((await flags(redirect.seq!))[0]).toBe('LP_REDIRECT');
    const dead = events.find((e) => e.kind === 'prune' && e.outcome === 'dead')!;
    expect((await flags(dead.seq!))[dead.off! - 1]).toBe('LP_DEAD');
    const idx = events.find((e) => e.kind === 'index')!;
    expect((await h.stateAt(S, log, idx.seq!))!.tables[0]!.indexViews[0]!.count).toBe(1);
    const unused = events.find((e) => e.kind === 'prune' && e.outcome === 'unused' && e.off === dead.off)!;
    expect(unused.seq!).toBeGreaterThan(idx.seq!);
    expect((await flags(unused.seq!))[dead.off! - 1]).toBe('LP_UNUSED');
  });

  it('steps REDO record by record: a page LSN in the buffers changes at its record', async () => {
    const log: LogEntry[] = [...base,
      { kind: 'sql', session: 's1', sql: 'UPDATE t SET v = 11 WHERE id = 1' },
      { kind: 'server', action: 'crash' }, { kind: 'server', action: 'restart' }];
    const { h, events, final } = await stepEvents(log);
    const redo = events.filter((e) => e.kind === 'redo' && e.outcome === 'BLK_NEEDS_REDO' && e.rel === 't');
    expect(redo.length).toBeGreaterThan(1);
    const lsnOf = async (seq: number) => (await h.stateAt(S, log, seq))!.durability.buffers.find((b) => b.rel === 't' && b.blk === 0)?.bufferLsn;
    const last = redo[redo.length - 1]!;
    const recovered = final.durability.buffers.find((b) => b.rel === 't' && b.blk === 0)!.bufferLsn;
    // the page's LSN becomes the recovered one at the last record for it, not before
    expect(await lsnOf(last.seq!)).toBe(recovered);
    expect(await lsnOf(last.seq! - 1)).not.toBe(recovered);
    expect(await lsnOf(redo[0]!.seq!)).not.toBe(recovered);
  });

  it('returns null for an event the step does not have', async () => {
    const { h } = await stepEvents(base);
    expect(await h.stateAt(S, base, 10_000)).toBeNull();
  });
});

describe('a session\'s scrollback', () => {
  it('lists every statement of the session with its result, a waited one completed by the step that woke it', async () => {
    const { sessionHistory } = await import('../../src/store/history.js');
    const h = new EngineHost();
    const log: LogEntry[] = [...base,
      { kind: 'sql', session: 's1', sql: 'BEGIN' },
      { kind: 'sql', session: 's1', sql: 'UPDATE t SET v = 11 WHERE id = 1' },
      { kind: 'sql', session: 's2', sql: 'UPDATE t SET v = 12 WHERE id = 1' },
      { kind: 'sql', session: 's1', sql: 'SELECT nosuch' },
      { kind: 'sql', session: 's1', sql: 'ROLLBACK' }];
    const r = await h.replay(S, log);
    const path = log.map((entry, i) => ({ id: i + 1, parent: i, entry, result: r.results[i]!, mark: null }));
    const s1 = sessionHistory(path, 's1');
    expect(s1.map((x) => x.sql)).toEqual(['CREATE TABLE t(id int PRIMARY KEY, v int)', 'INSERT INTO t VALUES (1, 10), (2, 20)', 'BEGIN', 'UPDATE t SET v = 11 WHERE id = 1', 'SELECT nosuch', 'ROLLBACK']);
    expect(s1.map((x) => x.outcome?.results[0]?.command ?? x.outcome?.error?.sqlstate)).toEqual(['CREATE TABLE', 'INSERT 0 2', 'BEGIN', 'UPDATE 1', '42703', 'ROLLBACK']);
    const s2 = sessionHistory(path, 's2');
    expect(s2).toHaveLength(1);
    expect(s2[0]!.waited).toBe(true);
    expect(s2[0]!.outcome?.results[0]?.command).toBe('UPDATE 1'); // woken by the ROLLBACK
  });
});
