/** Engine API behaviour: bad input changes nothing, busy sessions, the parse cache, trace batches, inspection. */
import { describe, it, expect, beforeAll } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { initParser, parseSql } from '../../src/engine/sql/parser.js';
import { snapshotOfState, sessions, heapPage, locks } from '../../src/engine/inspect/inspect.js';

beforeAll(async () => { await initParser(); });

function fresh() {
  const e = new Engine();
  e.createSession('s1');
  e.createSession('s2');
  e.execute('s1', 'CREATE TABLE t(id int PRIMARY KEY, v int NOT NULL, s text)');
  e.execute('s1', "INSERT INTO t VALUES (1, 10, 'a'), (2, 20, 'b')");
  return e;
}

describe('bad input gets a PostgreSQL error and changes nothing', () => {
  const bad: [string, string, string][] = [
    ['syntax error', 'SELEC * FROM t', '42601'],
    ['unknown table', 'SELECT * FROM nosuch', '42P01'],
    ['unknown column', 'UPDATE t SET v = nosuch', '42703'],
    ['type error', 'SELECT id + s FROM t', '42883'],
    ['bad literal', "UPDATE t SET v = 'x' WHERE id = 1", '22P02'],
    ['not-null violation', 'INSERT INTO t (id) VALUES (3)', '23502'],
    ['unsupported WITH clause', 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SEARCH DEPTH FIRST BY n SET o SELECT * FROM r', '0A000'],
    ['FULL JOIN without a hash- or merge-joinable condition (PostgreSQL refuses it too)', 'SELECT * FROM t a FULL JOIN t b ON a.id < b.id', '0A000'],
    ['ambiguous column', 'SELECT id FROM t a, t b', '42702'],
    ['unsupported LATERAL on the left side of a JOIN', 'SELECT * FROM LATERAL (SELECT 1 AS v) x JOIN t ON true', '0A000'],
    ['LATERAL reference across a RIGHT JOIN (PostgreSQL refuses it too)', 'SELECT * FROM t RIGHT JOIN LATERAL (SELECT t.v) x ON true', '42P01'],
    ['unsupported statement', 'VACUUM VERBOSE', '0A000'], // of the whole database: it would report every system catalog
    ['unsupported statement (ALTER TABLE ... REPLICA IDENTITY)', 'ALTER TABLE t REPLICA IDENTITY FULL', '0A000'],
    ['savepoint outside a transaction block', 'SAVEPOINT a', '25P01'],
    ['unsupported function', 'SELECT gen_random_uuid()', '0A000'],
  ];
  for (const [name, sql, code] of bad) {
    it(`${name}: ${sql}`, () => {
      const e = fresh();
      const before = JSON.stringify(snapshotOfState(e));
      const r = e.execute('s2', sql);
      expect(r.outcome.status).toBe('error');
      expect(r.outcome.error!.sqlstate).toBe(code);
      expect(r.outcome.error!.message.length).toBeGreaterThan(5);
      expect(JSON.stringify(snapshotOfState(e))).toBe(before);
    });
  }
  it('reports the syntax error position as PostgreSQL does (1-based characters)', () => {
    const e = fresh();
    expect(e.execute('s1', 'SELECT 1 FRM t').outcome.error).toMatchObject({ message: 'syntax error at or near "t"', position: 14 });
    expect(e.execute('s1', 'SELECT ünï FROM t WHERE').outcome.error).toMatchObject({ message: 'syntax error at end of input', position: 24 });
  });
  it('names the unsupported construct', () => {
    const e = fresh();
    expect(e.execute('s1', 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SEARCH DEPTH FIRST BY n SET o SELECT * FROM r').outcome.error!.message).toMatch(/SEARCH/);
    expect(e.execute('s1', 'SELECT a.id, b.v FROM t a JOIN t b ON b.id = a.id ORDER BY a.id').outcome.results[0]!.rows).toEqual([['1', '10'], ['2', '20']]);
    expect(e.execute('s1', 'WITH x AS (SELECT 1) SELECT * FROM x').outcome.results[0]!.rows).toEqual([['1']]);
    expect(e.execute('s1', 'SELECT * FROM LATERAL (SELECT 1 AS v) x JOIN t ON true').outcome.error!.message).toMatch(/LATERAL/);
    expect(e.execute('s1', 'SELECT t.id, x.v FROM t CROSS JOIN LATERAL (SELECT t.v) x ORDER BY t.id').outcome.results[0]!.rows).toEqual([['1', '10'], ['2', '20']]);
    expect(e.execute('s1', 'SELECT t.id, x.v FROM t, LATERAL (SELECT t.v) x ORDER BY t.id').outcome.results[0]!.rows).toEqual([['1', '10'], ['2', '20']]);
  });
  it('refuses a statement for a session that is waiting, without touching anything', () => {
    const e = fresh();
    e.execute('s1', 'BEGIN');
    e.execute('s1', 'UPDATE t SET v = 11 WHERE id = 1');
    expect(e.execute('s2', 'UPDATE t SET v = 12 WHERE id = 1').outcome.status).toBe('waiting');
    const before = JSON.stringify(snapshotOfState(e));
    const r = e.execute('s2', 'SELECT 1');
    expect(r.outcome.status).toBe('error');
    expect(r.outcome.error!.message).toMatch(/another command is already in progress/);
    expect(JSON.stringify(snapshotOfState(e))).toBe(before);
    const c = e.execute('s1', 'COMMIT');
    expect(c.woken).toHaveLength(1);
    expect(c.woken[0]).toMatchObject({ session: 's2', status: 'done' });
    expect(c.woken[0]!.results[0]!.command).toBe('UPDATE 1');
  });
  it('rejects unknown sessions', () => {
    expect(() => fresh().execute('nobody', 'SELECT 1')).toThrow(/no session named "nobody"/);
  });
});

describe('parse cache with literal lifting', () => {
  it('shares a parse between statements that differ in integer literals, with the right values', () => {
    const e = fresh();
    expect(e.execute('s1', 'SELECT v FROM t WHERE id = 1').outcome.results[0]!.rows).toEqual([['10']]);
    expect(e.execute('s1', 'SELECT v FROM t WHERE id = 2').outcome.results[0]!.rows).toEqual([['20']]);
    expect(e.execute('s1', 'SELECT 7 + 35 AS x').outcome.results[0]!.rows).toEqual([['42']]);
    expect(e.execute('s1', 'SELECT 1 + 2 AS x').outcome.results[0]!.rows).toEqual([['3']]);
  });
  it('keeps literal text in syntax errors and statement text', () => {
    expect(() => parseSql('SELECT 5 5')).toThrow('syntax error at or near "5"');
    expect(parseSql('SELECT 12; SELECT 34').map((s) => s.text)).toEqual(['SELECT 12', 'SELECT 34']);
    expect(parseSql('SELECT 99; SELECT 1').map((s) => s.text)).toEqual(['SELECT 99', 'SELECT 1']);
  });
  it('does not lift big numbers, decimals or negative literals', () => {
    const e = fresh();
    expect(e.execute('s1', 'SELECT 3000000000 AS a, 1.50 AS b, -4 AS c').outcome.results[0]!.rows).toEqual([['3000000000', '1.50', '-4']]);
    expect(e.execute('s1', 'SELECT 1000000000 AS a, 2.25 AS b, -8 AS c').outcome.results[0]!.rows).toEqual([['1000000000', '2.25', '-8']]);
  });
});

describe('trace batches and inspection', () => {
  it('narrates a statement: snapshot, visibility reasons, WAL', () => {
    const e = fresh();
    e.execute('s1', 'BEGIN ISOLATION LEVEL REPEATABLE READ');
    const r = e.execute('s1', 'SELECT * FROM t');
    const kinds = r.outcome.trace.events.map((ev) => ev.kind);
    expect(kinds).toContain('snapshot');
    expect(r.outcome.trace.events.filter((ev) => ev.kind === 'visibility').map((ev) => ev.outcome)).toEqual(['XMAX_INVALID', 'XMAX_INVALID']);
    e.execute('s2', 'UPDATE t SET v = 99 WHERE id = 1');
    const again = e.execute('s1', 'SELECT * FROM t');
    const vis = again.outcome.trace.events.filter((ev) => ev.kind === 'visibility');
    expect(vis.map((ev) => ev.outcome)).toEqual(['XMAX_IN_SNAPSHOT', 'XMAX_INVALID', 'XMIN_IN_SNAPSHOT']);
    expect(vis[2]!.text).toMatch(/invisible: inserting transaction 726 ≥ snapshot xmax 726/);
  });
  it('folds bulk statements into counts', () => {
    const e = fresh();
    const r = e.execute('s1', 'INSERT INTO t SELECT g, g, NULL FROM generate_series(3, 5000) g');
    expect(r.outcome.trace.events.length).toBeLessThanOrEqual(200);
    expect((r.outcome.trace.folded.insert ?? 0) + r.outcome.trace.events.filter((x) => x.kind === 'insert').length).toBe(4998);
  });
  it('shows sessions, waits and pg_locks the way PostgreSQL names them', () => {
    const e = fresh();
    e.execute('s1', 'BEGIN');
    e.execute('s1', 'UPDATE t SET v = 11 WHERE id = 1');
    e.execute('s2', 'UPDATE t SET v = 12 WHERE id = 1');
    const ss = sessions(e);
    expect(ss.find((x) => x.name === 's1')).toMatchObject({ state: 'idle in transaction', xid: 726 });
    expect(ss.find((x) => x.name === 's2')!.waiting).toMatchObject({ mode: 'ShareLock', blockedBy: ['s1'] });
    const l = locks(e);
    expect(l.filter((x) => x.session === 's2').map((x) => `${x.locktype}:${x.mode}:${x.granted}`).sort()).toEqual([
      // its own xid's lock too: heap_update takes the xid before it waits (recorded: a waiting UPDATE has a
      // backend_xid, tests/scenarios/autovacuum/lock-wait.spec)
      'relation:RowExclusiveLock:true', 'relation:RowExclusiveLock:true', 'transactionid:ExclusiveLock:true', 'transactionid:ShareLock:false',
      'tuple:ExclusiveLock:true', 'virtualxid:ExclusiveLock:true',
    ]);
    const page = heapPage(e.catalog.get('t')!, 0);
    expect(page.items[0]!.flags).toEqual(['HASVARWIDTH', 'XMIN_COMMITTED', 'HOT_UPDATED']);
    expect(page.items[0]!.t_xmax).toBe(726);
  });
});

describe('literals in stored expressions', () => {
  it('DEFAULT and CHECK keep their own literal values even when the statement text was served from the parse cache', () => {
    const e = new Engine();
    e.createSession('s');
    e.execute('s', 'CREATE TABLE a(id int PRIMARY KEY, q int DEFAULT 1 CHECK (q < 5))');
    e.execute('s', 'CREATE TABLE b(id int PRIMARY KEY, q int DEFAULT 7 CHECK (q < 9))'); // same shape: a cache hit
    expect(e.execute('s', 'INSERT INTO a(id) VALUES (3) RETURNING q').outcome.results[0]!.rows).toEqual([['1']]);
    expect(e.execute('s', 'INSERT INTO b(id) VALUES (3) RETURNING q').outcome.results[0]!.rows).toEqual([['7']]);
    expect(e.execute('s', 'INSERT INTO a VALUES (4, 6)').outcome.error!.sqlstate).toBe('23514');
    expect(e.execute('s', 'INSERT INTO b VALUES (4, 6)').outcome.error).toBeNull();
  });
});

describe('pg_locks shows SSI predicate locks', () => {
  it('a SERIALIZABLE sequential scan holds a relation SIReadLock, an index lookup a page + tuple lock', () => {
    const e = fresh();
    e.execute('s1', 'BEGIN ISOLATION LEVEL SERIALIZABLE');
    e.execute('s1', 'SELECT * FROM t WHERE v > 0');
    e.execute('s2', 'BEGIN ISOLATION LEVEL SERIALIZABLE');
    e.execute('s2', 'SELECT * FROM t WHERE id = 2');
    const si = locks(e).filter((l) => l.mode === 'SIReadLock').map((l) => `${l.session}:${l.locktype}:${l.page ?? ''}:${l.tuple ?? ''}`).sort();
    expect(si).toEqual(['s1:relation::', 's2:page:1:', 's2:tuple:0:2']);
  });
});
