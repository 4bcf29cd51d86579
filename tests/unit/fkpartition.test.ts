/**
 * Foreign keys on partitioned tables (commands/fkpartition.ts): the shape of a key's family of constraint rows
 * (clones on the referencing partitions, children for the referenced partitions), what a rollback of ATTACH /
 * DETACH / DROP CONSTRAINT puts back, the row-move rule of PostgreSQL 15 (ON UPDATE, not ON DELETE), and a
 * property: whatever mix of inserts, deletes and partition-moving updates runs, no referencing row is left without
 * its referenced row.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';

beforeAll(async () => { await initParser(); });

function run(e: Engine, sql: string, session = 's1') {
  const r = e.execute(session, sql);
  expect(r.outcome.error, sql).toBeNull();
  return r.outcome.results;
}
function fails(e: Engine, sql: string, session = 's1'): { sqlstate: string; message: string } {
  const r = e.execute(session, sql);
  expect(r.outcome.error, sql).not.toBeNull();
  return r.outcome.error!;
}
const rows = (e: Engine, sql: string, session = 's1') => run(e, sql, session).at(-1)!.rows;

function engine(): Engine {
  const e = new Engine();
  e.createSession('s1');
  e.createSession('s2');
  run(e, 'CREATE TABLE ppk (a int PRIMARY KEY) PARTITION BY RANGE (a)');
  run(e, 'CREATE TABLE ppk1 PARTITION OF ppk FOR VALUES FROM (0) TO (10)');
  run(e, 'CREATE TABLE ppk2 PARTITION OF ppk FOR VALUES FROM (10) TO (20)');
  run(e, 'INSERT INTO ppk VALUES (1), (2), (11)');
  return e;
}
const fkeys = (e: Engine, t: string) => (e.catalog.get(t)!.fkeys ?? []).map((f) => ({
  name: f.name, ref: e.catalog.byOid(f.refOid)!.name, clone: f.parent !== undefined, noAction: !!f.noAction, noCheck: !!f.noCheck,
}));

describe('a foreign key family', () => {
  it('a key on a partitioned table referencing a partitioned table: a child per referenced partition, a clone per partition', () => {
    const e = engine();
    run(e, 'CREATE TABLE pfk (a int REFERENCES ppk) PARTITION BY RANGE (a)');
    run(e, 'CREATE TABLE pfk1 PARTITION OF pfk FOR VALUES FROM (0) TO (10)');
    expect(fkeys(e, 'pfk')).toEqual([
      { name: 'pfk_a_fkey', ref: 'ppk', clone: false, noAction: false, noCheck: false },
      { name: 'pfk_a_fkey1', ref: 'ppk1', clone: true, noAction: false, noCheck: true },
      { name: 'pfk_a_fkey2', ref: 'ppk2', clone: true, noAction: false, noCheck: true },
    ]);
    expect(fkeys(e, 'pfk1')).toEqual([{ name: 'pfk_a_fkey', ref: 'ppk', clone: true, noAction: true, noCheck: false }]);
    // a new referenced partition: one more child, named on from the schema's constraint names
    run(e, 'CREATE TABLE ppk3 PARTITION OF ppk FOR VALUES FROM (20) TO (30)');
    expect(fkeys(e, 'pfk').map((f) => f.name)).toEqual(['pfk_a_fkey', 'pfk_a_fkey1', 'pfk_a_fkey2', 'pfk_a_fkey3']);
  });

  it('a rolled-back ATTACH PARTITION leaves no clone behind; a rolled-back DETACH gives the clone its parent back', () => {
    const e = engine();
    run(e, 'CREATE TABLE pfk (a int REFERENCES ppk) PARTITION BY RANGE (a)');
    run(e, 'CREATE TABLE pfk1 (a int)');
    run(e, 'BEGIN');
    run(e, 'ALTER TABLE pfk ATTACH PARTITION pfk1 FOR VALUES FROM (0) TO (10)');
    expect(fkeys(e, 'pfk1')).toHaveLength(1);
    run(e, 'ROLLBACK');
    expect(fkeys(e, 'pfk1')).toEqual([]);
    run(e, 'ALTER TABLE pfk ATTACH PARTITION pfk1 FOR VALUES FROM (0) TO (10)');
    run(e, 'BEGIN');
    run(e, 'ALTER TABLE pfk DETACH PARTITION pfk1');
    expect(fkeys(e, 'pfk1')[0]).toMatchObject({ clone: false, noAction: false });
    run(e, 'ROLLBACK');
    expect(fkeys(e, 'pfk1')[0]).toMatchObject({ clone: true, noAction: true });
  });

  it('DROP CONSTRAINT of the parent key drops the family; of a clone it is 42P16; a rollback puts the family back', () => {
    const e = engine();
    run(e, 'CREATE TABLE pfk (a int REFERENCES ppk) PARTITION BY RANGE (a)');
    run(e, 'CREATE TABLE pfk1 PARTITION OF pfk FOR VALUES FROM (0) TO (10)');
    expect(fails(e, 'ALTER TABLE pfk1 DROP CONSTRAINT pfk_a_fkey').sqlstate).toBe('42P16');
    run(e, 'BEGIN');
    run(e, 'ALTER TABLE pfk DROP CONSTRAINT pfk_a_fkey');
    expect(fkeys(e, 'pfk')).toEqual([]);
    expect(fkeys(e, 'pfk1')).toEqual([]);
    run(e, 'ROLLBACK');
    expect(fkeys(e, 'pfk')).toHaveLength(3);
    expect(fkeys(e, 'pfk1')).toHaveLength(1);
    expect(fails(e, 'INSERT INTO pfk VALUES (5)').message).toBe('insert or update on table "pfk1" violates foreign key constraint "pfk_a_fkey"');
  });

  it('NOT VALID on a partitioned referencing table is refused (42809)', () => {
    const e = engine();
    run(e, 'CREATE TABLE pfk (a int) PARTITION BY RANGE (a)');
    expect(fails(e, 'ALTER TABLE pfk ADD FOREIGN KEY (a) REFERENCES ppk NOT VALID').sqlstate).toBe('42809');
  });
});

describe('a row moved across partitions of a referenced table', () => {
  it('runs ON UPDATE (PostgreSQL 15), not ON DELETE', () => {
    const e = engine();
    run(e, 'CREATE TABLE c (a int REFERENCES ppk ON UPDATE RESTRICT ON DELETE CASCADE)');
    run(e, 'INSERT INTO c VALUES (1)');
    const err = fails(e, 'UPDATE ppk SET a = 15 WHERE a = 1');
    expect(err.sqlstate).toBe('23503');
    expect(err.message).toBe('update or delete on table "ppk" violates foreign key constraint "c_a_fkey" on table "c"');
    expect(rows(e, 'SELECT a FROM c')).toEqual([['1']]);
    run(e, 'CREATE TABLE d (a int REFERENCES ppk ON UPDATE CASCADE ON DELETE CASCADE)');
    run(e, 'INSERT INTO d VALUES (2)');
    run(e, 'UPDATE ppk SET a = 12 WHERE a = 2');
    expect(rows(e, 'SELECT a FROM d')).toEqual([['12']]);
  });

  it('a key on the source partition itself sees a delete; one on a partitioned partition in between refuses the move', () => {
    const e = engine();
    run(e, 'CREATE TABLE c (a int REFERENCES ppk1 ON DELETE CASCADE)');
    run(e, 'INSERT INTO c VALUES (1)');
    run(e, 'UPDATE ppk SET a = 15 WHERE a = 1');
    expect(rows(e, 'SELECT count(*) FROM c')).toEqual([['0']]);
    run(e, 'CREATE TABLE m (a int PRIMARY KEY) PARTITION BY RANGE (a)');
    run(e, 'CREATE TABLE m1 PARTITION OF m FOR VALUES FROM (0) TO (10) PARTITION BY RANGE (a)');
    run(e, 'CREATE TABLE m1a PARTITION OF m1 FOR VALUES FROM (0) TO (10)');
    run(e, 'CREATE TABLE m2 PARTITION OF m FOR VALUES FROM (10) TO (20)');
    run(e, 'INSERT INTO m VALUES (1)');
    run(e, 'CREATE TABLE mr (a int REFERENCES m1)');
    expect(fails(e, 'UPDATE m SET a = 11').sqlstate).toBe('0A000');
  });
});

describe('CLUSTER of a partitioned table', () => {
  it('is refused in a transaction block (25001) and orders each leaf outside one', () => {
    const e = engine();
    run(e, 'INSERT INTO ppk VALUES (5), (3)');
    run(e, 'BEGIN');
    expect(fails(e, 'CLUSTER ppk USING ppk_pkey').sqlstate).toBe('25001');
    run(e, 'ROLLBACK');
    run(e, 'CLUSTER ppk USING ppk_pkey');
    expect(rows(e, 'SELECT a FROM ppk1')).toEqual([['1'], ['2'], ['3'], ['5']]);
  });
});

describe('property: no orphans', () => {
  it('after any mix of inserts, deletes and moving updates (ON DELETE CASCADE, ON UPDATE CASCADE), every referencing key exists', () => {
    const op = fc.oneof(
      fc.record({ k: fc.constant('ins' as const), a: fc.integer({ min: 0, max: 19 }) }),
      fc.record({ k: fc.constant('ref' as const), a: fc.integer({ min: 0, max: 19 }) }),
      fc.record({ k: fc.constant('del' as const), a: fc.integer({ min: 0, max: 19 }) }),
      fc.record({ k: fc.constant('mov' as const), a: fc.integer({ min: 0, max: 19 }), b: fc.integer({ min: 0, max: 19 }) }),
    );
    fc.assert(fc.property(fc.array(op, { maxLength: 12 }), (ops) => {
      const e = engine();
      run(e, 'CREATE TABLE c (id int, a int REFERENCES ppk ON DELETE CASCADE ON UPDATE CASCADE) PARTITION BY RANGE (id)');
      run(e, 'CREATE TABLE c1 PARTITION OF c FOR VALUES FROM (0) TO (1000)');
      let id = 0;
      for (const o of ops) {
        const sql = o.k === 'ins' ? `INSERT INTO ppk VALUES (${o.a})` : o.k === 'ref' ? `INSERT INTO c VALUES (${id++}, ${o.a})`
          : o.k === 'del' ? `DELETE FROM ppk WHERE a = ${o.a}` : `UPDATE ppk SET a = ${o.b} WHERE a = ${o.a}`;
        const r = e.execute('s1', sql);
        if (r.outcome.error) expect(['23505', '23503']).toContain(r.outcome.error.sqlstate);
        expect(rows(e, 'SELECT count(*) FROM c WHERE a NOT IN (SELECT a FROM ppk)')).toEqual([['0']]);
      }
    }), { numRuns: 25 });
  });
});
