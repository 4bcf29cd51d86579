/**
 * The hot path's memos (the single-row UPDATE speed pass) must never hand back a stale answer: each is either a fact
 * of a frozen (cached, shared) parse tree alone, or keyed by everything it reads. These tests change what a memo
 * might wrongly keep — the catalog's functions, lifted literal values, settings, later statements' literals — and
 * check the answers follow.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { initParser, parseSql } from '../../src/engine/sql/parser.js';
import { callsUserFunction, calledNames } from '../../src/engine/executor/util.js';
import { mayWait } from '../../src/engine/executor/exprwait.js';
import { searchPathItems } from '../../src/engine/guc/guc.js';
import { EngineHost } from '../../src/worker/host.js';
import type { LogEntry } from '../../src/shared/api.js';

beforeAll(async () => { await initParser(); });

const rows = (e: Engine, sql: string) => {
  const r = e.execute('s', sql);
  expect(r.outcome.error).toBeNull();
  return r.outcome.results.at(-1)!.rows;
};

describe('memos of a frozen parse tree', () => {
  it('callsUserFunction reads the catalog at each call: a function created after the tree was first seen counts', () => {
    const where = parseSql('SELECT 1 FROM t WHERE k = f(k) AND g(2) > 0')[0]!.stmt.SelectStmt.whereClause;
    expect(Object.isFrozen(where)).toBe(true); // a cached tree: its walk is memoised
    expect(calledNames(where)).toEqual(['f', 'g']);
    const functions = new Map<string, unknown>();
    const ex = { eng: { catalog: { functions } } } as never;
    expect(callsUserFunction(where, ex)).toBe(false);
    functions.set('g', {});
    expect(callsUserFunction(where, ex)).toBe(true);
    functions.delete('g');
    expect(callsUserFunction(where, ex)).toBe(false);
  });
  it('mayWait finds a waiting call in a cached tree each time, and none where there is none', () => {
    const a = parseSql('SELECT 1 FROM t WHERE pg_advisory_lock(k) IS NOT NULL')[0]!.stmt.SelectStmt.whereClause;
    const b = parseSql('SELECT 1 FROM t WHERE k = 1')[0]!.stmt.SelectStmt.whereClause;
    for (let i = 0; i < 2; i++) { expect(mayWait(a)).toBe(true); expect(mayWait(b)).toBe(false); }
  });
  it('constant folding follows the lifted literals of a shared tree (k = 1 + 2, then k = 2 + 5)', () => {
    const e = new Engine();
    e.createSession('s');
    rows(e, 'CREATE TABLE t(k int PRIMARY KEY)');
    rows(e, 'INSERT INTO t SELECT g FROM generate_series(1, 20) g');
    expect(rows(e, 'SELECT k FROM t WHERE k = 1 + 2')).toEqual([['3']]);
    expect(rows(e, 'SELECT k FROM t WHERE k = 2 + 5')).toEqual([['7']]);
    expect(rows(e, 'SELECT k FROM t WHERE k = 4')).toEqual([['4']]);
    expect(rows(e, 'SELECT k FROM t WHERE k = 6')).toEqual([['6']]);
    rows(e, 'UPDATE t SET k = k + 100 WHERE k = 1 + 1');
    rows(e, 'UPDATE t SET k = k + 100 WHERE k = 1 + 4');
    expect(rows(e, 'SELECT k FROM t WHERE k > 100 ORDER BY k')).toEqual([['102'], ['105']]);
  });
});

describe('memos of settings', () => {
  it('a timeout read after each SET is the new value', () => {
    const e = new Engine();
    const s = e.createSession('s');
    for (const [v, ms] of [['1s', 1000], ['2s', 2000], ['250', 250], ['1s', 1000]] as const) {
      rows(e, `SET lock_timeout = '${v}'`);
      expect(s.gucs.lock_timeout).toBe(ms);
    }
    rows(e, 'RESET lock_timeout');
    expect(s.gucs.lock_timeout).toBe(0);
  });
  it('searchPathItems hands each caller its own list', () => {
    const a = searchPathItems('"$user", public');
    a.push('x');
    expect(searchPathItems('"$user", public')).toEqual(['$user', 'public']);
  });
  it('the same statement text after SET search_path names the other table', () => {
    const e = new Engine();
    e.createSession('s');
    rows(e, 'CREATE SCHEMA o');
    rows(e, 'CREATE TABLE t(k int PRIMARY KEY, v int)');
    rows(e, 'CREATE TABLE o.t(k int PRIMARY KEY, v int)');
    rows(e, 'INSERT INTO t VALUES (1, 10)');
    rows(e, 'INSERT INTO o.t VALUES (1, 20)');
    const q = 'UPDATE t SET v = v + 1 WHERE k = 1 RETURNING v';
    expect(rows(e, q)).toEqual([['11']]);
    rows(e, 'SET search_path = o, public');
    expect(rows(e, q)).toEqual([['21']]);
    rows(e, 'RESET search_path');
    expect(rows(e, q)).toEqual([['12']]);
  });
});

describe('a predicate read printed later', () => {
  it('keeps its own statement\'s literals, whatever statements of the same text ran after it', async () => {
    const q = (session: string, sql: string): LogEntry => ({ kind: 'sql', session, sql });
    const log: LogEntry[] = [q('s1', 'CREATE TABLE oncall(name text PRIMARY KEY, shift int)'), q('s1', "INSERT INTO oncall VALUES ('alice', 3), ('bob', 2)"),
      q('s1', 'BEGIN ISOLATION LEVEL REPEATABLE READ'), q('s2', 'BEGIN ISOLATION LEVEL REPEATABLE READ'),
      q('s1', 'SELECT count(*) FROM oncall WHERE shift = 3'), q('s2', 'SELECT count(*) FROM oncall WHERE shift = 3'),
      q('s1', "INSERT INTO oncall VALUES ('carol', 3)"), q('s2', "INSERT INTO oncall VALUES ('dave', 3)"), q('s1', 'COMMIT'), q('s2', 'COMMIT'),
      // the same text, other literals: the cached tree is shared, the earlier reads' text must not follow
      q('s1', 'SELECT count(*) FROM oncall WHERE shift = 8')];
    const g = (await new EngineHost().replay(['s1', 's2'], log)).state.deps;
    const texts = g.edges.flatMap((e) => e.predicates);
    expect(texts.length).toBeGreaterThan(0);
    for (const t of texts) expect(t).toMatch(/^oncall WHERE \(shift = 3\) matches/);
  });
});
