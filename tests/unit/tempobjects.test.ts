/**
 * Temporary views and sequences (commands/tempcmds.ts): the rules the transcripts (tests/scenarios/temp) cannot show —
 * a temporary sequence writes no WAL record at all, a crash takes temporary views and sequences with the backends,
 * and a name resolves to the session's own temporary object first, to public's when qualified.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';
import { splitQualified } from '../../src/engine/commands/sequence.js';

beforeAll(async () => { await initParser(); });

function run(e: Engine, sql: string, session = 's1') {
  const r = e.execute(session, sql);
  expect(r.outcome.error, sql).toBeNull();
  return r.outcome.results;
}
const rows = (e: Engine, sql: string, session = 's1') => run(e, sql, session).at(-1)!.rows;

describe('temporary views and sequences', () => {
  it('regclass input splits and folds a qualified name as regclassin does', () => {
    expect(splitQualified('public.Sq')).toEqual({ schema: 'public', rel: 'sq' });
    expect(splitQualified('"My.Seq"')).toEqual({ schema: undefined, rel: 'My.Seq' });
    expect(splitQualified('pg_temp_3.s')).toEqual({ schema: 'pg_temp', rel: 's' });
  });

  it('a temporary sequence writes no WAL, a permanent one does', () => {
    const e = new Engine();
    e.createSession('s1');
    run(e, 'CREATE TEMP SEQUENCE ts');
    const before = e.wal.count;
    run(e, "SELECT nextval('ts'), nextval('ts'), setval('ts', 50)");
    expect(e.wal.count).toBe(before);
    run(e, 'CREATE SEQUENCE ps');
    const mid = e.wal.count;
    run(e, "SELECT nextval('ps')");
    expect(e.wal.count).toBeGreaterThan(mid);
  });

  it('the session sees its temporary objects first; public.x reaches the permanent one; others never see them', () => {
    const e = new Engine();
    e.createSession('s1');
    e.createSession('s2');
    run(e, 'CREATE SEQUENCE q START 10');
    run(e, 'CREATE VIEW v AS SELECT 1 AS a');
    run(e, 'CREATE TEMP SEQUENCE q START 500');
    run(e, 'CREATE TEMP VIEW v AS SELECT 2 AS a');
    expect(rows(e, "SELECT nextval('q'), nextval('public.q')")).toEqual([['500', '10']]);
    expect(rows(e, 'SELECT a FROM v')).toEqual([['2']]);
    expect(rows(e, 'SELECT a FROM public.v')).toEqual([['1']]);
    expect(rows(e, "SELECT nextval('q')", 's2')).toEqual([['11']]);
    expect(rows(e, 'SELECT a FROM v', 's2')).toEqual([['1']]);
  });

  it('a crash takes temporary views and sequences with the backends', () => {
    const e = new Engine();
    e.createSession('s1');
    run(e, 'CREATE TEMP SEQUENCE ts');
    run(e, 'CREATE TEMP VIEW tv AS SELECT 1');
    run(e, 'CREATE TEMP TABLE tt (id serial)');
    e.crash();
    e.restart();
    expect(e.catalog.views.size).toBe(0);
    expect(e.catalog.sequences.size).toBe(0);
  });

  it('search_path must keep public and put pg_temp before it (else 0A000, never silently ignored); a schema that does not exist is skipped, as PostgreSQL skips it', () => {
    const e = new Engine();
    e.createSession('s1');
    for (const p of ['public, pg_temp', 'pg_catalog', '"$user"', 's']) {
      expect(e.execute('s1', `SET search_path = ${p}`).outcome.error?.sqlstate, p).toBe('0A000');
    }
    for (const p of ['public', 'pg_temp, public', '"$user", public', 'pg_catalog, pg_temp, public', 's, public', '"My Schema", public']) run(e, `SET search_path = ${p}`);
    expect(rows(e, 'SELECT current_schema()')).toEqual([['public']]);
  });
});

describe('functions in pg_temp', () => {
  const mk = (e: Engine) => {
    e.createSession('s1');
    e.createSession('s2');
    run(e, 'CREATE TEMP TABLE tt (id int)');
    run(e, "CREATE FUNCTION pg_temp.tf() RETURNS SETOF int LANGUAGE sql AS 'SELECT 7'");
    run(e, "CREATE FUNCTION uses_tt(tt) RETURNS int LANGUAGE sql AS 'SELECT 1'");
    run(e, "CREATE FUNCTION keep() RETURNS int LANGUAGE sql AS 'SELECT 2'");
  };
  const names = (e: Engine) => [...e.catalog.functions.values()].flat().map((f) => f.name).sort();

  it('are found in FROM when qualified, by the session\'s own pg_temp_N too; another session\'s pg_temp_N is refused', () => {
    const e = new Engine();
    mk(e);
    expect(rows(e, 'SELECT * FROM pg_temp.tf()')).toEqual([['7']]);
    const schema = e.catalog.functions.get(`\0s1\0tf`)![0]!.temp!.schema;
    expect(rows(e, `SELECT * FROM ${schema}.tf()`)).toEqual([['7']]);
    run(e, 'CREATE TEMP TABLE other (id int)', 's2');
    expect(e.execute('s2', `SELECT * FROM ${schema}.tf()`).outcome.error?.sqlstate).toBe('0A000');
    expect(e.execute('s2', 'SELECT * FROM pg_temp.tf()').outcome.error?.sqlstate).toBe('42883');
  });

  it('go at backend exit and in a crash, with the permanent functions that take a temporary row type', () => {
    const e = new Engine();
    mk(e);
    expect(names(e)).toEqual(['keep', 'tf', 'uses_tt']);
    expect(e.execute('s2', 'SELECT pg_terminate_backend(pg_backend_pid())').outcome.error?.sqlstate).toBe('57P01');
    expect(names(e)).toEqual(['keep', 'tf', 'uses_tt']);
    expect(e.execute('s1', 'SELECT pg_terminate_backend(pg_backend_pid())').outcome.error?.sqlstate).toBe('57P01');
    expect(names(e)).toEqual(['keep']);
    const c = new Engine();
    mk(c);
    c.crash();
    c.restart();
    expect(names(c)).toEqual(['keep']);
  });
});
