/**
 * The two parsers and when each is loaded (sql/parser.ts): PostgreSQL 15's SQL grammar at start, PL/pgSQL's
 * (libpg-query 18's pl_gram.y, a download of its own in the app) only before a step that compiles PL/pgSQL —
 * which the worker's host decides from the step's text (needsPlpgsql) and awaits before the engine runs it.
 * This file never calls initParser, so it sees the app's order of loading.
 */
import { describe, it, expect } from 'vitest';
import { initSqlParser, needsPlpgsql, plpgsqlParserReady, parseSql } from '../../src/engine/sql/parser.js';
import { EngineHost } from '../../src/worker/host.js';

describe('parser loading', () => {
  it('tells the texts that compile PL/pgSQL from the others', async () => {
    await initSqlParser();
    const yes = [
      'DO $$ BEGIN RAISE NOTICE $q$x$q$; END $$',
      'do language plpgsql $$ begin null; end $$',
      'CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$',
      "CREATE PROCEDURE p() LANGUAGE 'plpgsql' AS $$ BEGIN NULL; END $$",
      'SELECT 1; DO $$ BEGIN NULL; END $$',
    ];
    const no = [
      'SELECT 1',
      'INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING',
      'CREATE RULE r AS ON INSERT TO t DO INSTEAD NOTHING',
      "CREATE FUNCTION g() RETURNS int LANGUAGE sql AS 'SELECT 1'",
      'SELECT "do" FROM t',
      'DO', // does not parse: the parser's error, no PL/pgSQL
    ];
    for (const s of yes) expect(needsPlpgsql(s), s).toBe(true);
    for (const s of no) expect(needsPlpgsql(s), s).toBe(false);
  });

  it('the SQL parser is PostgreSQL 15 (its trees and its errors)', async () => {
    await initSqlParser();
    const ins = parseSql('INSERT INTO t VALUES (1) RETURNING a')[0]!.stmt.InsertStmt;
    expect(ins.returningList).toHaveLength(1);
    expect(parseSql('SELECT current_user')[0]!.stmt.SelectStmt.targetList[0].ResTarget.val.SQLValueFunction.op).toBe('SVFOP_CURRENT_USER');
    expect(() => parseSql('SELECT x IS JSON')).toThrow(/syntax error at or near "JSON"/);
  });

  it('the host loads PL/pgSQL\'s parser only for the step that needs it, and the step then runs', async () => {
    const h = new EngineHost();
    await h.ready();
    expect(plpgsqlParserReady()).toBe(false);
    const plain = await h.apply({ kind: 'sql', session: 's1', sql: 'CREATE TABLE t (a int); INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING' });
    expect(plain.result.outcomes[0]!.status).toBe('done');
    expect(plpgsqlParserReady()).toBe(false);
    const r = await h.apply({ kind: 'sql', session: 's1', sql: 'DO $$ BEGIN INSERT INTO t SELECT a + 41 FROM t; END $$' });
    expect(r.result.outcomes[0]!.status).toBe('done');
    expect(plpgsqlParserReady()).toBe(true);
    const q = await h.apply({ kind: 'sql', session: 's1', sql: 'SELECT max(a) FROM t' });
    expect(q.result.outcomes[0]!.results?.[0]?.rows).toEqual([['42']]);
  });
});
