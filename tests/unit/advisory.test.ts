/** Advisory lock keys as pg_locks shows them, and a waiting call replayed once after its wait (exprwait.ts). */
import { describe, it, expect, beforeAll } from 'vitest';
import { advisoryTag } from '../../src/engine/lock/advisory.js';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';

beforeAll(async () => { await initParser(); });

describe('advisory lock tags (SET_LOCKTAG_INT64 / SET_LOCKTAG_INT32)', () => {
  it('a bigint key: its high and low 32 bits, objsubid 1; negative keys as unsigned', () => {
    expect(advisoryTag([4294967301])).toEqual({ type: 'advisory', classid: 1, objid: 5, objsubid: 1 });
    expect(advisoryTag([-1])).toEqual({ type: 'advisory', classid: 4294967295, objid: 4294967295, objsubid: 1 });
    expect(advisoryTag([-(2n ** 63n)])).toEqual({ type: 'advisory', classid: 2147483648, objid: 0, objsubid: 1 });
  });
  it('two int keys: each as an unsigned oid, objsubid 2', () => {
    expect(advisoryTag([7, -8])).toEqual({ type: 'advisory', classid: 7, objid: 4294967288, objsubid: 2 });
  });
});

describe('a call that waits inside an expression', () => {
  it('takes each lock of the select list once, though the second one waited', () => {
    const e = new Engine({ trace: false });
    e.createSession('a'); e.createSession('b');
    e.execute('a', 'SELECT pg_advisory_lock(2)');
    expect(e.execute('b', 'SELECT pg_advisory_lock(1), pg_advisory_lock(2), pg_advisory_lock(3)').outcome.status).toBe('waiting');
    const r = e.execute('a', 'SELECT pg_advisory_unlock(2)');
    expect(r.woken.map((o) => o.status)).toEqual(['done']);
    const held = (s: string) => e.execute(s, "SELECT objid, count(*) FROM pg_locks WHERE locktype = 'advisory' GROUP BY objid ORDER BY objid").outcome.results[0]!.rows;
    expect(held('b')).toEqual([['1', '1'], ['2', '1'], ['3', '1']]);
    // one unlock each releases them: each was taken once
    const u = e.execute('b', 'SELECT pg_advisory_unlock(1), pg_advisory_unlock(2), pg_advisory_unlock(3), pg_advisory_unlock(2)').outcome;
    expect(u.results[0]!.rows).toEqual([['t', 't', 't', 'f']]);
    expect(u.notices.map((n) => n.message)).toEqual(["you don't own a lock of type ExclusiveLock"]);
  });
  it('a nextval evaluated before the wait is not repeated after it', () => {
    const e = new Engine({ trace: false });
    e.createSession('a'); e.createSession('b');
    e.execute('a', 'CREATE SEQUENCE sq');
    e.execute('a', 'SELECT pg_advisory_lock(5)');
    expect(e.execute('b', "SELECT nextval('sq'), pg_advisory_lock(5)").outcome.status).toBe('waiting');
    const r = e.execute('a', 'SELECT pg_advisory_unlock(5)');
    expect(r.woken[0]!.results[0]!.rows).toEqual([['1', '']]);
    expect(e.execute('b', "SELECT nextval('sq')").outcome.results[0]!.rows).toEqual([['2']]);
  });
  it('where the executor cannot wait (a subquery) it is a clear 0A000 and nothing was taken', () => {
    const e = new Engine({ trace: false });
    e.createSession('a'); e.createSession('b');
    e.execute('a', 'SELECT pg_advisory_lock(1)');
    const o = e.execute('b', 'SELECT (SELECT pg_advisory_lock(1)) AS x').outcome;
    expect(o.status).toBe('error');
    expect(o.error?.sqlstate).toBe('0A000');
    expect(e.execute('b', "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted").outcome.results[0]!.rows).toEqual([['0']]);
  });
  it('pg_sleep lets virtual time pass: the statement finishes when the clock gets there', () => {
    const e = new Engine({ trace: false });
    e.createSession('a');
    expect(e.execute('a', 'SELECT pg_sleep(1.5)').outcome.status).toBe('waiting');
    expect(e.advance(1499)).toEqual([]);
    const done = e.advance(1);
    expect(done.map((o) => [o.session, o.status, o.at])).toEqual([['a', 'done', 1500]]);
  });
  it('pg_sleep_for and pg_sleep_until wait on the same clock', () => {
    const e = new Engine({ trace: false });
    e.createSession('a');
    e.execute('a', "SELECT pg_sleep_for('1.5 seconds')");
    expect(e.advance(5000).map((o) => o.at)).toEqual([1500]);
    e.execute('a', "SELECT pg_sleep_until(clock_timestamp() + interval '2 seconds')");
    expect(e.advance(5000).map((o) => o.at)).toEqual([7000]);
    expect(e.execute('a', "SELECT pg_sleep_for('-1 second')").outcome.status).toBe('done');
  });
  it('a session-level advisory lock held by an idle session survives a copy of the engine (time travel)', () => {
    const e = new Engine({ trace: false });
    e.createSession('a'); e.createSession('b');
    e.execute('a', 'SELECT pg_advisory_lock(9)');
    const c = e.clone();
    expect(c.execute('b', 'SELECT pg_try_advisory_lock(9)').outcome.results[0]!.rows).toEqual([['f']]);
    expect(c.execute('a', 'SELECT pg_advisory_unlock(9)').outcome.results[0]!.rows).toEqual([['t']]);
    expect(c.execute('b', 'SELECT pg_try_advisory_lock(9)').outcome.results[0]!.rows).toEqual([['t']]);
  });
});
