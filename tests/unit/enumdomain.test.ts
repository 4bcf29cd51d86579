/** Enum values on disk and in a cloned engine; a domain's CHECK runs on every coercion to it. */
import { describe, it, expect, beforeAll } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';
import { datumBytes, typlenAlign } from '../../src/engine/heap/datum.js';
import { PgEnum } from '../../src/engine/adt/enum.js';
import type { SqlType } from '../../src/engine/sql/types.js';

beforeAll(async () => { await initParser(); });

const rows = (e: Engine, sql: string) => {
  const r = e.execute('s1', sql);
  if (r.outcome.error) throw new Error(r.outcome.error.message);
  return r.outcome.results.at(-1)!.rows;
};

describe('enum types', () => {
  it('are stored as the label oid: 4 bytes, int-aligned', () => {
    const t: SqlType = { name: 'enum', typmod: -1, enumType: { oid: 16400, name: 'mood' } };
    expect(typlenAlign(t)).toEqual([4, 'i']);
    const bytes = datumBytes([true, new PgEnum(16400, 0x12345, 'ok', 2)], [{ name: 'bool', typmod: -1 }, t]);
    expect([...bytes!]).toEqual([1, 0, 0, 0, 0x45, 0x23, 0x01, 0x00]);
  });
  it('keep their labels and order in a cloned engine, and ADD VALUE there does not reach the original', () => {
    const e = new Engine();
    e.createSession('s1');
    rows(e, "CREATE TYPE mood AS ENUM ('sad', 'happy')");
    const c = e.clone();
    c.execute('s1', "ALTER TYPE mood ADD VALUE 'ok' BEFORE 'happy'");
    expect(rows(c, 'SELECT enum_range(NULL::mood)::text AS r')[0]).toEqual(['{sad,ok,happy}']);
    expect(rows(e, 'SELECT enum_range(NULL::mood)::text AS r')[0]).toEqual(['{sad,happy}']);
  });
});

describe('domains', () => {
  it('check a value cast to them, and allow NULL unless NOT NULL', () => {
    const e = new Engine();
    e.createSession('s1');
    rows(e, 'CREATE DOMAIN even AS int CHECK (VALUE % 2 = 0)');
    expect(rows(e, 'SELECT 4::even, NULL::even')[0]).toEqual(['4', null]);
    const r = e.execute('s1', 'SELECT 3::even');
    expect(r.outcome.error).toMatchObject({ sqlstate: '23514', message: 'value for domain even violates check constraint "even_check"' });
  });
});
