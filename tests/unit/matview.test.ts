/**
 * Materialized views (src/engine/commands/matview.ts): the rules the transcripts in tests/scenarios/ddl/matview*.spec
 * do not reach directly — a ROLLBACK of REFRESH puts back the old file, its tuples and the populated flag; an engine
 * clone (time travel) does not share the view's state with the original; a plain REFRESH leaves no dead tuple while
 * CONCURRENTLY leaves exactly the changed rows' old versions.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';
import { LpFlags, HEAP_XMIN_FROZEN } from '../../src/engine/heap/tuple.js';

beforeAll(async () => { await initParser(); });

function ok(e: Engine, s: string, sql: string) {
  const r = e.execute(s, sql);
  expect(r.outcome.error, `${s}: ${sql}`).toBeNull();
  return r;
}
function setup(withData = true): Engine {
  const e = new Engine();
  e.createSession('s1');
  ok(e, 's1', 'CREATE TABLE src (id int, v text)');
  ok(e, 's1', "INSERT INTO src VALUES (1, 'a'), (2, 'b'), (3, 'c')");
  ok(e, 's1', `CREATE MATERIALIZED VIEW mv AS SELECT id, v FROM src${withData ? '' : ' WITH NO DATA'}`);
  return e;
}
const items = (e: Engine) => e.catalog.get('mv')!.heap.pages.flatMap((p) => p.items).filter((i) => i.lpFlags === LpFlags.NORMAL);

describe('REFRESH MATERIALIZED VIEW', () => {
  it('a rolled-back REFRESH keeps the old relfilenode, tuples and populated flag', () => {
    const e = setup(false);
    const t = e.catalog.get('mv')!;
    const file = t.relfilenode ?? t.oid;
    ok(e, 's1', 'BEGIN');
    ok(e, 's1', 'REFRESH MATERIALIZED VIEW mv');
    expect(e.catalog.get('mv')!.matview!.populated).toBe(true);
    expect(items(e)).toHaveLength(3);
    ok(e, 's1', 'ROLLBACK');
    const after = e.catalog.get('mv')!;
    expect(after.matview!.populated).toBe(false);
    expect(after.relfilenode ?? after.oid).toBe(file);
    expect(items(e)).toHaveLength(0);
    expect(e.execute('s1', 'SELECT * FROM mv').outcome.error!.sqlstate).toBe('55000');
  });

  it('a clone of the engine does not share the view with the original', () => {
    const e = setup(false);
    const c = e.clone();
    ok(e, 's1', 'REFRESH MATERIALIZED VIEW mv');
    expect(e.catalog.get('mv')!.matview!.populated).toBe(true);
    expect(c.catalog.get('mv')!.matview!.populated).toBe(false);
    expect(c.execute('s1', 'SELECT * FROM mv').outcome.error!.sqlstate).toBe('55000');
  });

  it('a plain REFRESH writes every row frozen into a new file; CONCURRENTLY leaves the changed rows\' old versions', () => {
    const e = setup();
    ok(e, 's1', 'CREATE UNIQUE INDEX mv_id ON mv (id)');
    ok(e, 's1', "UPDATE src SET v = 'B' WHERE id = 2");
    ok(e, 's1', 'REFRESH MATERIALIZED VIEW mv');
    expect(items(e)).toHaveLength(3);
    expect(items(e).every((i) => (i.infomask & HEAP_XMIN_FROZEN) === HEAP_XMIN_FROZEN && i.xmax === 0)).toBe(true);
    const file = e.catalog.get('mv')!.relfilenode;
    ok(e, 's1', "UPDATE src SET v = 'C' WHERE id = 3");
    ok(e, 's1', 'REFRESH MATERIALIZED VIEW CONCURRENTLY mv');
    expect(e.catalog.get('mv')!.relfilenode).toBe(file);
    const all = items(e);
    expect(all).toHaveLength(4); // three old versions, one of them deleted, and the new row for id 3
    expect(all.filter((i) => i.xmax !== 0)).toHaveLength(1);
    expect(all.filter((i) => i.xmax !== 0)[0]!.values).toEqual([3, 'c']);
  });
});
