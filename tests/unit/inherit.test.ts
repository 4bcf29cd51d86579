/**
 * Table inheritance's rules (commands/inheritcmds.ts, commands/atinherit.ts, optimizer/inherit.ts,
 * catalog/pg_inherits.ts): MergeAttributes' column order, counts and notices; what ROLLBACK puts back; a diamond
 * (one grandparent reached twice) merged and scanned once; DROP COLUMN's counting rules; the catalog snapshot of
 * pg_inherits seen by another session.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';
import { mergeLocalColumns, type Inherited } from '../../src/engine/commands/inheritcmds.js';
import { T } from '../../src/engine/sql/types.js';
import type { Session } from '../../src/engine/session/session.js';
import type { Column } from '../../src/engine/catalog/catalog.js';

beforeAll(async () => { await initParser(); });

function run(e: Engine, sql: string, session = 's1') {
  const r = e.execute(session, sql);
  expect(r.outcome.error, sql).toBeNull();
  return r.outcome;
}
function fails(e: Engine, sql: string, session = 's1') {
  const r = e.execute(session, sql);
  expect(r.outcome.error, sql).not.toBeNull();
  return r.outcome.error!;
}
const rows = (e: Engine, sql: string, session = 's1') => run(e, sql, session).results.at(-1)!.rows.map((r) => r.map(String));
function engine(): Engine {
  const e = new Engine();
  e.createSession('s1');
  e.createSession('s2');
  return e;
}
const attrs = (e: Engine, t: string) => e.catalog.get(t)!.columns.filter((c) => !c.dropped).map((c) => `${c.name}:${c.inhcount ?? 0}${c.notLocal ? '' : 'L'}`);

describe('MergeAttributes: the statement\'s own columns merged into the inherited ones', () => {
  const col = (name: string, type = T.int4, extra: Partial<Column> = {}): Column => ({ name, type, notNull: false, defaultExpr: null, attnum: 0, ...extra });
  const session = () => ({ acc: { notices: [] as { message: string; detail?: string }[] } });
  const inherited = (): Inherited => ({ parents: [], checks: [], columns: [col('a', T.int4, { inhcount: 1, notLocal: true }), col('b', T.text, { inhcount: 1, notLocal: true })] });

  it('keeps the inherited order, appends new columns, renumbers, and says merging or moving', () => {
    const s = session();
    const out = mergeLocalColumns(s as unknown as Session, inherited(), [col('a'), col('x'), col('b', T.text, { notNull: true })]);
    expect(out.map((c) => `${c.attnum}${c.name}`)).toEqual(['1a', '2b', '3x']);
    expect(out.map((c) => [!!c.notLocal, c.inhcount ?? 0])).toEqual([[false, 1], [false, 1], [false, 0]]);
    expect(out[1]!.notNull).toBe(true); // a local NOT NULL adds to the inherited column
    expect(s.acc.notices.map((n) => n.message)).toEqual([
      'merging column "a" with inherited definition', 'moving and merging column "b" with inherited definition']);
  });

  it('a local column of another type than the inherited one is 42804, after its notice', () => {
    const s = session();
    expect(() => mergeLocalColumns(s as unknown as Session, inherited(), [col('a', T.text)])).toThrow(/column "a" has a type conflict/);
    expect(s.acc.notices).toHaveLength(1);
  });

  it('a local DEFAULT wins over the inherited one', () => {
    const inh = inherited();
    inh.columns[0]!.defaultExpr = { A_Const: { ival: { ival: 1 } } };
    const mine = { A_Const: { ival: { ival: 2 } } };
    const out = mergeLocalColumns(session() as unknown as Session, inh, [col('a', T.int4, { defaultExpr: mine })]);
    expect(out[0]!.defaultExpr).toBe(mine);
  });
});

describe('inheritance in the engine', () => {
  it('a diamond: the grandparent\'s column merged once (inhcount 2), each table scanned once', () => {
    const e = engine();
    run(e, 'CREATE TABLE g (a int)');
    run(e, 'CREATE TABLE l () INHERITS (g)');
    run(e, 'CREATE TABLE r () INHERITS (g)');
    const o = run(e, 'CREATE TABLE d () INHERITS (l, r)');
    expect(o.notices.map((n) => n.message)).toEqual(['merging multiple inherited definitions of column "a"']);
    expect(attrs(e, 'd')).toEqual(['a:2']);
    run(e, 'INSERT INTO d VALUES (1)');
    expect(rows(e, 'SELECT tableoid::regclass, a FROM g')).toEqual([['d', '1']]);
    // DROP COLUMN from the top: d loses a once both of its parents lost it
    run(e, 'ALTER TABLE g ADD COLUMN z int');
    expect(attrs(e, 'd')).toEqual(['a:2', 'z:2']);
    run(e, 'ALTER TABLE g DROP COLUMN z');
    expect(attrs(e, 'd')).toEqual(['a:2']);
  });

  it('ROLLBACK undoes CREATE … INHERITS, INHERIT and NO INHERIT', () => {
    const e = engine();
    run(e, 'CREATE TABLE p (a int); CREATE TABLE c () INHERITS (p); CREATE TABLE o (a int)');
    run(e, 'BEGIN; ALTER TABLE c NO INHERIT p; ALTER TABLE o INHERIT p; CREATE TABLE c2 () INHERITS (p)');
    expect(rows(e, 'SELECT inhrelid::regclass FROM pg_inherits ORDER BY 1')).toEqual([['o'], ['c2']]);
    expect(attrs(e, 'c')).toEqual(['a:0L']);
    run(e, 'ROLLBACK');
    expect(rows(e, 'SELECT inhrelid::regclass, inhparent::regclass FROM pg_inherits')).toEqual([['c', 'p']]);
    expect(attrs(e, 'c')).toEqual(['a:1']);
    expect(attrs(e, 'o')).toEqual(['a:0L']);
  });

  it('another session sees an uncommitted NO INHERIT\'s row, not an uncommitted INHERIT\'s', () => {
    const e = engine();
    run(e, 'CREATE TABLE p (a int); CREATE TABLE c () INHERITS (p); CREATE TABLE o (a int)');
    run(e, 'BEGIN; ALTER TABLE c NO INHERIT p; ALTER TABLE o INHERIT p');
    expect(rows(e, 'SELECT inhrelid::regclass FROM pg_inherits', 's2')).toEqual([['c']]);
    run(e, 'COMMIT');
    expect(rows(e, 'SELECT inhrelid::regclass FROM pg_inherits', 's2')).toEqual([['o']]);
  });

  it('DROP COLUMN: ONLY leaves the children a column of their own; a local column survives its parent\'s drop', () => {
    const e = engine();
    run(e, 'CREATE TABLE p (a int, b int, k int); CREATE TABLE c (b int) INHERITS (p)');
    expect(attrs(e, 'c')).toEqual(['a:1', 'b:1L', 'k:1']);
    run(e, 'ALTER TABLE ONLY p DROP COLUMN a');
    run(e, 'ALTER TABLE p DROP COLUMN b');
    expect(attrs(e, 'c')).toEqual(['a:0L', 'b:0L', 'k:1']);
    expect(fails(e, 'ALTER TABLE c DROP COLUMN k').message).toBe('cannot drop inherited column "k"');
    expect(fails(e, 'ALTER TABLE c RENAME COLUMN k TO kk').message).toBe('cannot rename inherited column "k"');
  });

  it('a member is changed by OID: a temporary table of the same name is not the child', () => {
    const e = engine();
    run(e, 'CREATE TABLE p (a int); CREATE TABLE c () INHERITS (p); INSERT INTO c VALUES (1)');
    run(e, 'CREATE TEMP TABLE c (a int); INSERT INTO c VALUES (100)');
    expect(rows(e, 'UPDATE p SET a = a + 1 RETURNING a')).toEqual([['2']]);
    expect(rows(e, 'DELETE FROM p RETURNING a')).toEqual([['2']]);
    expect(rows(e, 'SELECT a FROM c')).toEqual([['100']]);
  });

  it('WHERE tableoid = … sees each member\'s own OID (a child laid out as its parent too)', () => {
    const e = engine();
    run(e, 'CREATE TABLE p (a int); CREATE TABLE c () INHERITS (p); INSERT INTO p VALUES (1); INSERT INTO c VALUES (2)');
    expect(rows(e, "SELECT a FROM p WHERE tableoid = 'c'::regclass")).toEqual([['2']]);
    expect(rows(e, "SELECT a FROM p WHERE tableoid = 'p'::regclass")).toEqual([['1']]);
  });

  it('a join with an inheritance parent and MERGE into one are refused, not answered from the parent alone', () => {
    const e = engine();
    run(e, 'CREATE TABLE p (a int); CREATE TABLE c () INHERITS (p); CREATE TABLE o (a int)');
    expect(fails(e, 'SELECT * FROM p JOIN o USING (a)').sqlstate).toBe('0A000');
    // EXPLAIN prints the Append of parent and child; what it cannot print as the executor runs it is refused
    const plan = e.execute('s1', 'EXPLAIN (COSTS OFF) SELECT * FROM p').outcome;
    expect(plan.results[0]!.rows.map((r) => r[0])).toEqual(['Append', '  ->  Seq Scan on p p_1', '  ->  Seq Scan on c p_2']);
    // EXPLAIN ANALYZE counts each member as its own scan (plan/partition-append-analyze: recorded)
    run(e, 'INSERT INTO p VALUES (1); INSERT INTO c VALUES (2), (3)');
    const analyzed = e.execute('s1', 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM p').outcome;
    expect(analyzed.results[0]!.rows.map((r) => r[0])).toEqual(['Append (actual rows=3 loops=1)', '  ->  Seq Scan on p p_1 (actual rows=1 loops=1)',
      '  ->  Seq Scan on c p_2 (actual rows=2 loops=1)']);
    // under LIMIT the members after the one that filled it never start (plan/append-limit-analyze: recorded)
    const limited = e.execute('s1', 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM p LIMIT 1').outcome;
    expect(limited.results[0]!.rows.map((r) => r[0])).toEqual(['Limit (actual rows=1 loops=1)', '  ->  Append (actual rows=1 loops=1)',
      '        ->  Seq Scan on p p_1 (actual rows=1 loops=1)', '        ->  Seq Scan on c p_2 (never executed)']);
    expect(fails(e, 'EXPLAIN (COSTS OFF) UPDATE p SET a = 1').sqlstate).toBe('0A000');
    run(e, 'SELECT * FROM ONLY p JOIN o USING (a)');
  });
});
