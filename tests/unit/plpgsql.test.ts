/**
 * PL/pgSQL (issue 15): what the recorded transcripts (tests/scenarios/plpgsql) cannot show — a runaway loop is
 * cancellable from the host instead of freezing the worker, a function called inside an expression is bounded,
 * an EXCEPTION block's subtransaction really aborts its writes, and an engine copy keeps its own functions.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';

beforeAll(async () => { await initParser(); });

function run(e: Engine, sql: string) {
  const r = e.execute('s1', sql);
  expect(r.outcome.error, sql).toBeNull();
  return r.outcome.results;
}

describe('PL/pgSQL', () => {
  it('an infinite loop in a DO block yields to the host (running) and cancel() ends it with 57014', () => {
    const e = new Engine();
    e.createSession('s1');
    let r = e.execute('s1', 'DO $$ BEGIN LOOP END LOOP; END $$', { chunked: true });
    expect(r.outcome.status).toBe('running');
    r = e.resume('s1');
    expect(r.outcome.status).toBe('running');
    r = e.cancel('s1');
    expect(r.outcome.status).toBe('error');
    expect(r.outcome.error?.sqlstate).toBe('57014');
    expect(r.outcome.error?.message).toBe('canceling statement due to user request');
    // the session is usable afterwards
    expect(run(e, 'SELECT 1').at(-1)!.rows).toEqual([['1']]);
  });

  it('an endless recursive query yields to the host (running) between rounds, so cancel() stops it with 57014', () => {
    const e = new Engine();
    e.createSession('s1');
    let r = e.execute('s1', 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r', { chunked: true });
    expect(r.outcome.status).toBe('running');
    r = e.cancel('s1');
    expect(r.outcome.error?.sqlstate).toBe('57014');
    expect(run(e, 'SELECT 1').at(-1)!.rows).toEqual([['1']]);
  });

  it('a runaway function called inside an expression stops with 0A000 after the step budget', () => {
    const e = new Engine();
    e.createSession('s1');
    run(e, 'CREATE FUNCTION spin() RETURNS int LANGUAGE plpgsql AS $$ BEGIN LOOP END LOOP; END $$');
    const r = e.execute('s1', 'SELECT spin()');
    expect(r.outcome.error?.sqlstate).toBe('0A000');
  }, 60_000);

  it("an EXCEPTION block's writes are rolled back with its subtransaction, the rest commits", () => {
    const e = new Engine();
    e.createSession('s1');
    run(e, 'CREATE TABLE t (k int PRIMARY KEY)');
    run(e, `DO $$ BEGIN
      INSERT INTO t VALUES (1);
      BEGIN INSERT INTO t VALUES (2); INSERT INTO t VALUES (1); EXCEPTION WHEN unique_violation THEN NULL; END;
      INSERT INTO t VALUES (3);
    END $$`);
    expect(run(e, 'SELECT k FROM t ORDER BY k').at(-1)!.rows).toEqual([['1'], ['3']]);
    // the aborted subtransaction's tuple (k = 2) is on the page, its xmin aborted
    const t = e.catalog.get('t')!;
    const xmins = [];
    for (let off = 1; off <= 3; off++) xmins.push(t.heap.item(0, off)!.xmin);
    expect(e.xactStatus(xmins[1]!)).toBe('aborted');
    expect(e.xactStatus(xmins[0]!)).toBe('committed');
  });

  it('a copy of the engine keeps the functions and triggers it had; DROP on the original does not reach it', () => {
    const e = new Engine();
    e.createSession('s1');
    run(e, 'CREATE TABLE t (k int)');
    run(e, 'CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.k := NEW.k * 10; RETURN NEW; END $$');
    run(e, 'CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()');
    const c = e.clone();
    run(e, 'DROP TRIGGER tr ON t');
    run(e, 'DROP FUNCTION f()');
    const r = c.execute('s1', 'INSERT INTO t VALUES (2) RETURNING k');
    expect(r.outcome.error).toBeNull();
    expect(r.outcome.results.at(-1)!.rows).toEqual([['20']]);
    expect(run(e, 'INSERT INTO t VALUES (2) RETURNING k').at(-1)!.rows).toEqual([['2']]);
  });

  it('a ROLLBACK undoes CREATE FUNCTION and CREATE TRIGGER', () => {
    const e = new Engine();
    e.createSession('s1');
    run(e, 'CREATE TABLE t (k int)');
    run(e, 'BEGIN; CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$; CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f(); ROLLBACK');
    expect(e.catalog.functions.has('f')).toBe(false);
    expect(e.catalog.get('t')!.triggers ?? []).toEqual([]);
    expect(run(e, 'INSERT INTO t VALUES (1)').at(-1)!.command).toBe('INSERT 0 1');
  });

  it('a DECLARE in a nested block is refused with 0A000 (not run with the wrong initialisation)', () => {
    const e = new Engine();
    e.createSession('s1');
    const r = e.execute('s1', "DO $$ BEGIN FOR i IN 1..2 LOOP DECLARE n int := 0; BEGIN n := n + 1; RAISE NOTICE '%', n; END; END LOOP; END $$");
    expect(r.outcome.error?.sqlstate).toBe('0A000');
    expect(r.outcome.error?.message).toContain('DECLARE in a nested block');
    expect(r.outcome.notices).toEqual([]);
    // a 'declare' inside a string or a comment is no DECLARE section
    run(e, "DO $$ DECLARE s text := 'declare'; BEGIN -- declare\n RAISE NOTICE '%', s; END $$");
  });
});
