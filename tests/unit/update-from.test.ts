/**
 * UPDATE ... FROM / DELETE ... USING (executor/nodeModifyUpdate.ts): the rule for a target row that joins several
 * rows where the simulator's join order is not sure to be PostgreSQL's, and the target's hidden TID column.
 * The values asserted are the ones recorded from PostgreSQL 15 in tests/scenarios/dml/update-from/.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';

beforeAll(async () => { await initParser(); });

function fresh() {
  const e = new Engine();
  e.createSession('s1');
  for (const sql of [
    'CREATE TABLE t(k int PRIMARY KEY, v int)', 'CREATE TABLE u(k int PRIMARY KEY, w int)', 'CREATE TABLE d(a int, b text)',
    'INSERT INTO t VALUES (1, 10), (2, 20), (3, 30), (4, 40)', 'INSERT INTO u VALUES (1, 100), (3, 300), (5, 500)',
    "INSERT INTO d VALUES (2, 'x'), (2, 'y'), (4, 'z')",
  ]) expect(e.execute('s1', sql).outcome.status).toBe('done');
  return e;
}
const rows = (e: Engine, sql: string) => {
  const r = e.execute('s1', sql);
  expect(r.outcome.status).toBe('done');
  return r.outcome.results[0]!.rows;
};

describe('a target row joining several rows, in a join whose order the simulator cannot vouch for', () => {
  it('is updated when every match writes the same values (basic.spec: updtwo)', () => {
    const e = fresh();
    // t.k = 1 joins d's two rows with a = 2 ('x', 'y': the same length)
    expect(e.execute('s1', 'UPDATE t SET v = u.w + length(d.b) FROM u, d WHERE t.k = u.k AND d.a = t.k + 1').outcome.results[0]!.command).toBe('UPDATE 2');
    expect(rows(e, 'SELECT * FROM t ORDER BY k')).toEqual([['1', '101'], ['2', '20'], ['3', '301'], ['4', '40']]);
  });
  it('is refused with 0A000, its row unchanged, when the matches would write different values', () => {
    const e = fresh();
    expect(e.execute('s1', "INSERT INTO d VALUES (2, 'longer')").outcome.status).toBe('done');
    const r = e.execute('s1', 'UPDATE t SET v = u.w + length(d.b) FROM u, d WHERE t.k = u.k AND d.a = t.k + 1');
    expect(r.outcome.status).toBe('error');
    expect(r.outcome.error!.sqlstate).toBe('0A000');
    expect(r.outcome.error!.message).toMatch(/joins several rows that give it different values/);
    expect(rows(e, 'SELECT * FROM t ORDER BY k')).toEqual([['1', '10'], ['2', '20'], ['3', '30'], ['4', '40']]);
  });
  it('DELETE ... USING without RETURNING deletes it whichever match comes first', () => {
    const e = fresh();
    expect(e.execute('s1', 'DELETE FROM t USING u, d WHERE t.k = u.k AND d.a = t.k + 1').outcome.results[0]!.command).toBe('DELETE 2');
  });
});

describe('the target\'s hidden TID column', () => {
  it('is not in RETURNING * nor t.* (basic.spec: updstar, delret)', () => {
    const e = fresh();
    const r = e.execute('s1', 'UPDATE t SET v = 0 FROM u WHERE u.k = t.k AND u.w > 200 RETURNING *').outcome.results[0]!;
    expect(r.columns!.map((c) => c.name)).toEqual(['k', 'v', 'k', 'w']);
    expect(r.rows).toEqual([['3', '0', '3', '300']]);
    const d = e.execute('s1', 'DELETE FROM t USING d WHERE t.k = d.a RETURNING t.*, d.b').outcome.results[0]!;
    expect(d.columns!.map((c) => c.name)).toEqual(['k', 'v', 'b']);
    expect(d.rows).toEqual([['2', '20', 'x'], ['4', '40', 'z']]);
  });
});
