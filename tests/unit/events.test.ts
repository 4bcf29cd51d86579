/** The state as of one trace event (worker/events.ts): a step replayed to the moment event `seq` happened. */
import { describe, it, expect } from 'vitest';
import { EngineHost } from '../../src/worker/host.js';
import type { EngineState, LogEntry } from '../../src/shared/api.js';
import { eventSlots } from '../../src/store/slots.js';
import { DETAIL_LIMIT } from '../../src/engine/trace/trace.js';

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

  it('steps the deadlock check: cycle found, victim chosen, the victim\'s locks released, the waiter granted — each with its own state', async () => {
    const sql = (session: string, q: string): LogEntry => ({ kind: 'sql', session, sql: q });
    const log: LogEntry[] = [...base, sql('s1', 'BEGIN'), sql('s2', 'BEGIN'), sql('s1', 'UPDATE t SET v = 11 WHERE id = 1'), sql('s2', 'UPDATE t SET v = 21 WHERE id = 2'),
      sql('s1', 'UPDATE t SET v = 12 WHERE id = 2'), sql('s2', 'UPDATE t SET v = 22 WHERE id = 1'), { kind: 'advance', ms: 1000 }];
    const { h, events } = await stepEvents(log);
    const find = (kind: string, outcome?: string) => { const e = events.find((x) => x.kind === kind && (outcome === undefined || x.outcome === outcome)); expect(e, `${kind} ${outcome ?? ''}`).toBeDefined(); return e!; };
    const cycle = find('deadlock', 'cycle'), victim = find('deadlock', 'victim'), released = find('lock', 'released'), granted = find('granted');
    // in this order, each its own event
    expect(cycle.seq! < victim.seq! && victim.seq! < released.seq! && released.seq! < granted.seq!).toBe(true);
    expect(cycle.text).toMatch(/finds the cycle s1 → s2 → s1/);
    expect(victim.session).toBe('s1');
    expect(granted.session).toBe('s2');
    const s1xid = victim.xid!;
    expect(released.text).toContain(`ExclusiveLock on transaction ${s1xid}`);
    const at = async (e: { seq?: number }) => (await h.stateAt(S, log, e.seq!))!;
    const waits = (st: Awaited<ReturnType<typeof at>>) => Object.fromEntries(st.sessions.filter((s) => s.name.startsWith('s')).map((s) => [s.name, s.waiting ? s.waiting.blockedBy : null]));
    const s1Locks = (st: Awaited<ReturnType<typeof at>>) => st.locks.filter((l) => l.session === 's1');
    const s2Wait = (st: Awaited<ReturnType<typeof at>>) => st.locks.find((l) => l.session === 's2' && l.transactionid === s1xid && l.mode === 'ShareLock');
    // cycle found and victim chosen: both still wait for each other; s2's ShareLock on s1's xid is not granted
    for (const e of [cycle, victim]) {
      const st = await at(e);
      expect(waits(st)).toEqual({ s1: ['s2'], s2: ['s1'] });
      expect(s2Wait(st)!.granted).toBe(false);
    }
    // the victim aborted: its wait is gone, its locks are still held until its transaction's locks are released
    const aborted = await at(find('abort'));
    expect(waits(aborted)).toEqual({ s1: null, s2: ['s1'] });
    expect(s1Locks(aborted).length).toBeGreaterThan(0);
    // locks released: s1 holds nothing, s2's request is granted, s2 has not run on yet
    const rel = await at(released);
    expect(s1Locks(rel)).toEqual([]);
    expect(s2Wait(rel)!.granted).toBe(true);
    expect(waits(rel).s2).toEqual([]);
    // the waiter granted: it runs on
    expect(waits(await at(granted))).toEqual({ s1: null, s2: null });
  });

  it('reaches events past the trace\'s detail limit: numbered, built on the replay, with the state at each', async () => {
    const log: LogEntry[] = [{ kind: 'sql', session: 's1', sql: 'CREATE TABLE t(id int PRIMARY KEY, v int)' },
      { kind: 'sql', session: 's1', sql: 'INSERT INTO t SELECT g, 0 FROM generate_series(1, 150) g' }, { kind: 'sql', session: 's1', sql: 'UPDATE t SET v = 1' }];
    const { h } = await stepEvents(log);
    const r = (await new EngineHost().replay(S, log)).results[2]!;
    const slots = eventSlots(r);
    expect(slots.kept).toBe(DETAIL_LIMIT);
    const folded = r.outcomes.reduce((a, o) => a + Object.values(o.trace.folded).reduce((x: number, v) => x + (v ?? 0), 0), 0);
    expect(slots.length).toBe(DETAIL_LIMIT + folded);
    // the state at each event of a window among the row updates: the WAL grows by one record at each WAL event
    // (an index insert logs its own without one), and the version an UPDATE event names carries its xmax from that event on, not before
    const xmaxAt = (st: EngineState, blk: number, off: number) =>
      st.tables[0]!.pageViews.find((p) => p.blkno === blk)?.items.find((it) => it.lp === off)?.t_xmax;
    const from = slots.kept + 100; // past the scan's 150 visibility checks and 150 hint bits: the first rows' updates
    let prev = (await h.stateAt(S, log, slots.at(from - 1)!.seq))!;
    let updates = 0, wals = 0;
    for (let i = from; i < from + 60; i++) {
      const slot = slots.at(i)!;
      expect(slot.event).toBeNull(); // the batch only counted it
      const st = (await h.stateAt(S, log, slot.seq))!;
      const ev = st.event!;
      expect(ev.seq).toBe(slot.seq);
      expect(ev.text.length).toBeGreaterThan(0);
      if (ev.kind === 'wal') expect(st.walCount).toBe(prev.walCount + 1); else expect(st.walCount).toBeGreaterThanOrEqual(prev.walCount);
      if (ev.kind === 'wal') wals++;
      if (ev.kind === 'update' && xmaxAt(st, ev.blk!, ev.off!) !== undefined) {
        updates++;
        expect(xmaxAt(st, ev.blk!, ev.off!)).toBe(ev.xid);
        expect(xmaxAt(prev, ev.blk!, ev.off!)).toBe(0);
      }
      prev = st;
    }
    expect(updates).toBeGreaterThan(3);
    expect(wals).toBeGreaterThan(5);
    // the last event: the autocommit's COMMIT
    const last = (await h.stateAt(S, log, slots.at(slots.length - 1)!.seq))!;
    expect(last.event!.kind).toBe('commit');
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
