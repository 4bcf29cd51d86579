/**
 * Table rewrites (commands/relfile.ts, atwork.ts postAlterTypeCleanup, atpersistence.ts): the rules the transcripts
 * in tests/scenarios/ddl/rewrite-oids.spec and durability/set-logged.spec do not reach directly — a ROLLBACK of
 * ALTER COLUMN TYPE puts back the old index objects under their old OIDs and the CLUSTER mark; a rolled-back SET
 * LOGGED leaves the table unlogged (its relations back in the unlogged set); needs_toast_table's fixed-width types;
 * SET ACCESS METHOD's errors; an unlogged sequence reset by a crash.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';
import { needsToast } from '../../src/engine/heap/heaptoast.js';
import { prepSetAccessMethod } from '../../src/engine/commands/atpersistence.js';
import { sortedByOid } from '../../src/engine/commands/relfile.js';
import { T } from '../../src/engine/sql/types.js';
import type { Column } from '../../src/engine/catalog/catalog.js';

beforeAll(async () => { await initParser(); });

function ok(e: Engine, s: string, sql: string) {
  const r = e.execute(s, sql);
  expect(r.outcome.error, `${s}: ${sql}`).toBeNull();
  return r;
}
function err(e: Engine, s: string, sql: string): string {
  const r = e.execute(s, sql);
  expect(r.outcome.error, sql).not.toBeNull();
  return `${r.outcome.error!.sqlstate} ${r.outcome.error!.message}`;
}
/** An engine with one session, s1. */
function fresh(): Engine {
  const e = new Engine();
  e.createSession('s1');
  return e;
}
const col = (name: string, type: Column['type']) => ({ name, type, attnum: 1, notNull: false } as unknown as Column);

describe('ALTER COLUMN TYPE recreates the indexes on the column', () => {
  it('gives the index a new OID and file, and a ROLLBACK puts the old one back with its CLUSTER mark', () => {
    const e = fresh();
    ok(e, 's1', 'CREATE TABLE t (id int PRIMARY KEY, v int)');
    ok(e, 's1', 'CREATE INDEX t_v ON t (v)');
    ok(e, 's1', 'INSERT INTO t SELECT g, g FROM generate_series(1, 10) g');
    ok(e, 's1', 'ALTER TABLE t CLUSTER ON t_v');
    const before = e.catalog.get('t')!.indexes.map((i) => i.oid);
    const clustered = e.catalog.get('t')!.clusteredOn;
    ok(e, 's1', 'BEGIN');
    ok(e, 's1', 'ALTER TABLE t ALTER COLUMN v TYPE bigint');
    const t = e.catalog.get('t')!;
    const tv = t.indexes.find((i) => i.name === 't_v')!;
    expect(before).not.toContain(tv.oid); // a new OID
    expect(t.indexes.find((i) => i.name === 't_pkey')!.oid).toBe(before[0]); // the primary key is only rebuilt
    expect(t.clusteredOn).toBe(tv.oid); // the mark follows the new index
    expect(tv.relfilenode).toBeGreaterThan(tv.oid); // rebuilt into a file after the transient table's
    expect(t.indexes.map((i) => i.oid)).toEqual(sortedByOid(t.indexes).map((i) => i.oid));
    ok(e, 's1', 'ROLLBACK');
    const back = e.catalog.get('t')!;
    expect(back.indexes.map((i) => i.oid)).toEqual(before);
    expect(back.clusteredOn).toBe(clustered);
    expect(ok(e, 's1', 'SELECT count(*) FROM t WHERE v = 5').outcome.results.at(-1)!.rows).toEqual([['1']]);
  });

  it('a binary-compatible change keeps the index file (and its entries) under the new OID', () => {
    const e = fresh();
    ok(e, 's1', 'CREATE TABLE vc (a varchar(10))');
    ok(e, 's1', 'CREATE INDEX vc_a ON vc (a)');
    ok(e, 's1', "INSERT INTO vc VALUES ('x'), ('y')");
    const old = e.catalog.get('vc')!.indexes[0]!;
    ok(e, 's1', 'ALTER TABLE vc ALTER COLUMN a TYPE varchar(20)');
    const now = e.catalog.get('vc')!.indexes[0]!;
    expect(now.oid).not.toBe(old.oid);
    expect(now.relfilenode).toBe(old.relfilenode ?? old.oid);
    expect(now.count).toBe(2);
  });
});

describe('SET LOGGED / SET UNLOGGED', () => {
  it('a rolled-back SET LOGGED leaves the table unlogged, its rows still outside the WAL', () => {
    const e = fresh();
    ok(e, 's1', 'CREATE UNLOGGED TABLE u (id int PRIMARY KEY)');
    ok(e, 's1', 'INSERT INTO u VALUES (1)');
    const u = e.catalog.get('u')!;
    ok(e, 's1', 'BEGIN');
    ok(e, 's1', 'ALTER TABLE u SET LOGGED');
    expect(e.catalog.get('u')!.unlogged).toBeUndefined();
    expect(e.catalog.unloggedRels.has(u.oid)).toBe(false);
    ok(e, 's1', 'ROLLBACK');
    expect(e.catalog.get('u')!.unlogged).toBe(true);
    expect(e.catalog.unloggedRels.has(u.oid)).toBe(true);
    expect(e.catalog.unloggedRels.has(e.catalog.get('u')!.indexes[0]!.oid)).toBe(true);
  });

  it('a table that owns a sequence is refused by name (0A000)', () => {
    const e = fresh();
    ok(e, 's1', 'CREATE UNLOGGED TABLE cu (id serial)');
    expect(err(e, 's1', 'ALTER TABLE cu SET LOGGED')).toMatch(/^0A000 .*SET LOGGED.*cu_id_seq/);
  });
});

describe('needs_toast_table and SET ACCESS METHOD', () => {
  it('fixed-width types need no TOAST table; unbounded ones do', () => {
    expect(needsToast([col('a', T.float8), col('b', T.int4)])).toBe(false);
    expect(needsToast([col('a', T.text)])).toBe(true);
  });
  it('heap is the only table access method', () => {
    expect(() => prepSetAccessMethod('heap')).not.toThrow();
    expect(() => prepSetAccessMethod('btree')).toThrow('access method "btree" is not of type TABLE');
    expect(() => prepSetAccessMethod('nope')).toThrow('access method "nope" does not exist');
  });
});

describe('unlogged sequences', () => {
  it('write no WAL on nextval and restart from their init fork after a crash', () => {
    const e = fresh();
    ok(e, 's1', 'CREATE UNLOGGED SEQUENCE s START 5');
    const lsn = e.wal.insertLsn;
    ok(e, 's1', "SELECT nextval('s'), nextval('s')");
    expect(e.wal.insertLsn).toBe(lsn);
    e.crash();
    e.restart();
    e.createSession('s2');
    expect(ok(e, 's2', "SELECT nextval('s')").outcome.results.at(-1)!.rows).toEqual([['5']]);
  });
});

describe('a table\'s TOAST OIDs and its TOAST relation agree', () => {
  it('after CREATE, a rewrite and a rolled-back rewrite', () => {
    const e = fresh();
    const agree = () => {
      const t = e.catalog.get('tt')!;
      expect(t.toast!.oid).toBe(t.toastOids!.rel);
      expect(t.toast!.indexes[0]!.oid).toBe(t.toastOids!.index);
      return t.toastOids!.rel;
    };
    ok(e, 's1', 'CREATE TABLE tt (id int, note text)');
    const first = agree();
    ok(e, 's1', 'ALTER TABLE tt ALTER COLUMN id TYPE bigint');
    expect(agree()).not.toBe(first);
    const second = agree();
    ok(e, 's1', 'BEGIN');
    ok(e, 's1', 'ALTER TABLE tt ALTER COLUMN id TYPE int');
    ok(e, 's1', 'ROLLBACK');
    expect(agree()).toBe(second);
  });
});
