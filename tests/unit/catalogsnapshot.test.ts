/**
 * The catalog snapshot's rules (src/engine/catalog/catalogsnapshot.ts): another session's uncommitted CREATE /
 * RENAME is invisible, its uncommitted DROP / RENAME keeps the old name visible, a statement that waited for the
 * DDL's lock looks the name up again, and the transaction's end makes its catalog changes everyone's (COMMIT) or
 * nobody's (ROLLBACK, ROLLBACK TO SAVEPOINT). The transcripts in tests/scenarios/ddl/catalog-visibility-*.spec check
 * the same against PostgreSQL 15; the property below checks it over random DDL sequences.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';
import { Catalog } from '../../src/engine/catalog/catalog.js';
import { catalogSees, stampCreated, atEndOfXactCatalog } from '../../src/engine/catalog/catalogsnapshot.js';

beforeAll(async () => { await initParser(); });

function ok(e: Engine, s: string, sql: string) {
  const r = e.execute(s, sql);
  expect(r.outcome.error, `${s}: ${sql}`).toBeNull();
  return r;
}
/** The table names a session's catalog lookups find, among `names`. */
function found(e: Engine, s: string, names: string[], inBlock = false): string[] {
  return names.filter((n) => {
    if (inBlock) ok(e, s, 'SAVEPOINT look'); // a failed lookup must not abort the transaction
    const r = e.execute(s, `SELECT 1 FROM ${n} LIMIT 0`);
    if (r.outcome.status === 'waiting') throw new Error(`${s} waits on ${n}`);
    if (inBlock) ok(e, s, r.outcome.error ? 'ROLLBACK TO SAVEPOINT look' : 'RELEASE SAVEPOINT look');
    return r.outcome.error === null;
  });
}

describe('catalogSees', () => {
  it('sees old rows, its own pending rows and not another session\'s', () => {
    const c = new Catalog();
    const obj: { nameXmin?: number } = {};
    expect(catalogSees(c, obj.nameXmin)).toBe(true);
    stampCreated(c, 's1', 750, obj);
    c.current = 's1';
    expect(catalogSees(c, obj.nameXmin)).toBe(true);
    c.current = 's2';
    expect(catalogSees(c, obj.nameXmin)).toBe(false);
    const gen = c.generation;
    atEndOfXactCatalog(c, 750);
    expect(catalogSees(c, obj.nameXmin)).toBe(true);
    expect(c.generation).toBe(gen + 1); // the invalidation: waiting statements analyze again
  });
  it('a clone keeps the shadows, pointing at its own tables', () => {
    const e = new Engine();
    e.createSession('s1');
    ok(e, 's1', 'CREATE TABLE a (id int)');
    ok(e, 's1', 'BEGIN');
    ok(e, 's1', 'DROP TABLE a');
    const c = e.catalog.clone();
    expect(c.shadows).toHaveLength(1);
    expect(c.shadows[0]!.table).not.toBe(e.catalog.shadows[0]!.table);
    c.current = 's2';
    expect(c.get('a')).toBe(c.shadows[0]!.table);
  });
});

describe('catalog lookups across sessions', () => {
  function two(): Engine {
    const e = new Engine();
    e.createSession('s1');
    e.createSession('s2');
    ok(e, 's1', 'CREATE TABLE a (id int)');
    ok(e, 's1', 'INSERT INTO a VALUES (1)');
    return e;
  }
  it('another session\'s uncommitted CREATE TABLE: 42P01 at once, no wait', () => {
    const e = two();
    ok(e, 's1', 'BEGIN');
    ok(e, 's1', 'CREATE TABLE x (id int)');
    const r = e.execute('s2', 'SELECT * FROM x');
    expect(r.outcome.status).toBe('error');
    expect(r.outcome.error!.sqlstate).toBe('42P01');
    ok(e, 's1', 'COMMIT');
    ok(e, 's2', 'SELECT * FROM x');
  });
  it('a reader waiting behind an uncommitted DROP gets 42P01 after COMMIT, the rows after ROLLBACK', () => {
    for (const end of ['COMMIT', 'ROLLBACK']) {
      const e = two();
      ok(e, 's1', 'BEGIN');
      ok(e, 's1', 'DROP TABLE a');
      expect(e.execute('s2', 'SELECT * FROM a').outcome.status).toBe('waiting');
      const w = ok(e, 's1', end).woken[0]!;
      if (end === 'COMMIT') expect(w.error?.sqlstate).toBe('42P01');
      else expect(w.results[0]!.rows).toEqual([['1']]);
    }
  });
  it('a reader waiting behind a rolled-back ADD COLUMN sees the old columns', () => {
    const e = two();
    ok(e, 's1', 'BEGIN');
    ok(e, 's1', 'ALTER TABLE a ADD COLUMN v int DEFAULT 5');
    expect(e.execute('s2', 'SELECT * FROM a').outcome.status).toBe('waiting');
    const w = ok(e, 's1', 'ROLLBACK').woken[0]!;
    expect(w.error).toBeNull();
    expect(w.results[0]!.columns!.map((c) => c.name)).toEqual(['id']);
  });
});

describe('property: DDL is seen by others only once committed', () => {
  const NAMES = ['a', 'b', 'c'];
  type Op = { kind: 'create'; name: string } | { kind: 'drop'; name: string } | { kind: 'rename'; from: string; to: string };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant('create' as const), name: fc.constantFrom(...NAMES) }),
    fc.record({ kind: fc.constant('drop' as const), name: fc.constantFrom(...NAMES) }),
    fc.record({ kind: fc.constant('rename' as const), from: fc.constantFrom(...NAMES), to: fc.constantFrom(...NAMES) }),
  );
  it('before the end: the old names; after COMMIT: the creator\'s; after ROLLBACK: the old ones', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 6 }), fc.boolean(), fc.boolean(), (ops, commit, savepoint) => {
      const e = new Engine();
      e.createSession('s1');
      e.createSession('s2');
      ok(e, 's1', 'CREATE TABLE a (id int)');
      const before = found(e, 's2', NAMES);
      ok(e, 's1', 'BEGIN');
      if (savepoint) ok(e, 's1', 'SAVEPOINT p');
      for (const o of ops) {
        const sql = o.kind === 'create' ? `CREATE TABLE ${o.name} (id int)` : o.kind === 'drop' ? `DROP TABLE ${o.name}`
          : `ALTER TABLE ${o.from} RENAME TO ${o.to}`;
        // a failing step (the name exists / does not) is skipped: undone by a savepoint of its own
        ok(e, 's1', 'SAVEPOINT q');
        if (e.execute('s1', sql).outcome.error) ok(e, 's1', 'ROLLBACK TO SAVEPOINT q');
        else ok(e, 's1', 'RELEASE SAVEPOINT q');
      }
      const mine = found(e, 's1', NAMES, true);
      expect(found(e, 's2', NAMES.filter((n) => !before.includes(n)))).toEqual([]); // new names: invisible, no wait
      if (savepoint) ok(e, 's1', 'ROLLBACK TO SAVEPOINT p');
      ok(e, 's1', commit ? 'COMMIT' : 'ROLLBACK');
      expect(found(e, 's2', NAMES)).toEqual(commit && !savepoint ? mine : before);
      expect(found(e, 's1', NAMES)).toEqual(commit && !savepoint ? mine : before);
    }), { numRuns: 60 });
  });
});
