/**
 * Foreign keys (issue 15): rules the recorded transcripts (tests/scenarios/fk) do not show directly — which RI
 * events are queued (RI_FKey_fk_upd_check_required: seen as the FOR KEY SHARE lock the check leaves on the
 * referenced row), what a rollback or a rolled-back savepoint takes away (the constraint, deferred checks), and
 * that an engine copy keeps its own constraints.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';

beforeAll(async () => { await initParser(); });

function run(e: Engine, sql: string, session = 's1') {
  const r = e.execute(session, sql);
  expect(r.outcome.error, sql).toBeNull();
  return r.outcome.results;
}
function fails(e: Engine, sql: string, session = 's1'): string {
  const r = e.execute(session, sql);
  expect(r.outcome.error, sql).not.toBeNull();
  return r.outcome.error!.sqlstate;
}
const rows = (e: Engine, sql: string, session = 's1') => run(e, sql, session).at(-1)!.rows;

function engine(): Engine {
  const e = new Engine();
  e.createSession('s1');
  e.createSession('s2');
  run(e, 'CREATE TABLE p (id int PRIMARY KEY, v int)');
  run(e, 'CREATE TABLE c (id int PRIMARY KEY, pid int, n int)');
  run(e, 'INSERT INTO p VALUES (1, 0), (2, 0)');
  run(e, 'INSERT INTO c VALUES (10, 1, 0)');
  return e;
}

describe('foreign keys', () => {
  it('an UPDATE that keeps the referencing key runs no check (no FOR KEY SHARE lock on the referenced row)', () => {
    const e = engine();
    run(e, 'ALTER TABLE c ADD FOREIGN KEY (pid) REFERENCES p');
    run(e, 'BEGIN');
    run(e, 'UPDATE c SET n = n + 1 WHERE id = 10');
    expect(rows(e, 'SELECT xmax FROM p WHERE id = 1')).toEqual([['0']]);
    run(e, 'UPDATE c SET pid = 2 WHERE id = 10');
    expect(rows(e, 'SELECT xmax <> \'0\' FROM p WHERE id = 2')).toEqual([['t']]);
    run(e, 'COMMIT');
  });

  it('a row inserted by this transaction is checked again even when its key is unchanged', () => {
    const e = engine();
    run(e, 'ALTER TABLE c ADD FOREIGN KEY (pid) REFERENCES p');
    run(e, 'BEGIN');
    run(e, 'INSERT INTO c VALUES (11, 2, 0)');
    run(e, 'SAVEPOINT a');
    run(e, 'UPDATE c SET n = 1 WHERE id = 11'); // the check runs (RI_FKey_fk_upd_check_required), in the savepoint
    const x = rows(e, 'SELECT xmax FROM p WHERE id = 2')[0]![0];
    expect(x).not.toBe('0');
    run(e, 'COMMIT');
  });

  it('a rolled-back ALTER TABLE ... ADD FOREIGN KEY leaves no constraint behind', () => {
    const e = engine();
    run(e, 'BEGIN');
    run(e, 'ALTER TABLE c ADD CONSTRAINT cfk FOREIGN KEY (pid) REFERENCES p');
    run(e, 'ROLLBACK');
    expect(e.catalog.get('c')!.fkeys ?? []).toEqual([]);
    run(e, 'INSERT INTO c VALUES (12, 99, 0)'); // no constraint: accepted
  });

  it('a failed CREATE TABLE ... REFERENCES changes nothing', () => {
    const e = engine();
    expect(fails(e, 'CREATE TABLE d (x int REFERENCES nosuch)')).toBe('42P01');
    expect(e.catalog.get('d')).toBeUndefined();
    expect(fails(e, 'CREATE TABLE d (x text REFERENCES p)')).toBe('42804');
    expect(e.catalog.get('d')).toBeUndefined();
  });

  it('deferred checks queued inside a rolled-back savepoint are dropped with it', () => {
    const e = engine();
    run(e, 'ALTER TABLE c ADD FOREIGN KEY (pid) REFERENCES p DEFERRABLE INITIALLY DEFERRED');
    run(e, 'BEGIN');
    run(e, 'SAVEPOINT a');
    run(e, 'INSERT INTO c VALUES (13, 99, 0)');
    run(e, 'ROLLBACK TO a');
    run(e, 'COMMIT'); // the orphan's check went with the savepoint
    expect(rows(e, 'SELECT count(*) FROM c')).toEqual([['1']]);
    run(e, 'BEGIN');
    run(e, 'INSERT INTO c VALUES (14, 99, 0)');
    expect(fails(e, 'COMMIT')).toBe('23503');
    expect(rows(e, 'SELECT count(*) FROM c')).toEqual([['1']]);
  });

  it('SET CONSTRAINTS inside a rolled-back savepoint is undone', () => {
    const e = engine();
    run(e, 'ALTER TABLE c ADD CONSTRAINT cfk FOREIGN KEY (pid) REFERENCES p DEFERRABLE');
    run(e, 'BEGIN');
    run(e, 'SAVEPOINT a');
    run(e, 'SET CONSTRAINTS cfk DEFERRED');
    run(e, 'ROLLBACK TO a');
    expect(fails(e, 'INSERT INTO c VALUES (15, 99, 0)')).toBe('23503'); // immediate again
    run(e, 'ROLLBACK');
  });

  it('an engine copy keeps its own constraints', () => {
    const e = engine();
    run(e, 'ALTER TABLE c ADD CONSTRAINT cfk FOREIGN KEY (pid) REFERENCES p NOT VALID');
    const copy = e.clone();
    run(e, 'ALTER TABLE c VALIDATE CONSTRAINT cfk');
    expect(e.catalog.get('c')!.fkeys![0]!.validated).toBe(true);
    expect(copy.catalog.get('c')!.fkeys![0]!.validated).toBe(false);
    run(e, 'ALTER TABLE c DROP CONSTRAINT cfk');
    expect(copy.catalog.get('c')!.fkeys!.length).toBe(1);
    expect(fails(copy, 'INSERT INTO c VALUES (16, 99, 0)')).toBe('23503');
  });
});
