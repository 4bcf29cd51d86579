/** Out-of-line TOAST storage (heap/toast_internals.ts): the chunking and pointer rules, and the engine's use of them. */
import { describe, it, expect, beforeAll } from 'vitest';
import { chunkRows, pointerBytes, externalSize, TOAST_MAX_CHUNK_SIZE, TOAST_POINTER_SIZE } from '../../src/engine/heap/toast_internals.js';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';

beforeAll(async () => { await initParser(); });

describe('toast_save_datum chunks', () => {
  it('cuts a value into chunks of 1996 bytes numbered from 0, the last one the rest', () => {
    const bytes = Uint8Array.from({ length: 6400 }, (_, i) => i & 0xff);
    const rows = chunkRows(16432, bytes);
    expect(rows.map((r) => [r[0], r[1], r[2].length])).toEqual([[16432, 0, 1996], [16432, 1, 1996], [16432, 2, 1996], [16432, 3, 412]]);
    expect(Buffer.concat(rows.map((r) => r[2].data()))).toEqual(Buffer.from(bytes));
  });
  it('makes exactly n chunks for n × 1996 bytes', () => {
    expect(chunkRows(1, new Uint8Array(2 * TOAST_MAX_CHUNK_SIZE)).map((r) => r[2].length)).toEqual([1996, 1996]);
  });
});

describe('varatt_external', () => {
  it('is 18 bytes: 0x01, tag 18, raw size + 4, stored size, value OID, TOAST table OID (little-endian)', () => {
    const c = { data: new Uint8Array(6400), rawSize: 6400, raw: true as const };
    const p = pointerBytes(c, { valueId: 16432, toastRelId: 16387, chunks: [] });
    expect(p.length).toBe(TOAST_POINTER_SIZE);
    expect(Buffer.from(p).toString('hex')).toBe('011204190000001900003040000003400000');
  });
  it('counts a compressed value with its 4-byte raw-size word, an uncompressed one as it is', () => {
    expect(externalSize({ data: new Uint8Array(100), rawSize: 5000 })).toBe(104);
    expect(externalSize({ data: new Uint8Array(100), rawSize: 100, raw: true })).toBe(100);
  });
});

describe('the engine stores long values out of line', () => {
  const run = (e: Engine, sql: string) => e.execute('a', sql).outcome;
  const noise = (n: number) => `SELECT string_agg(md5(g::text), '') FROM generate_series(1, ${n}) g`;
  it('keeps an 18-byte pointer in the row and the value in chunks; reads it back whole', () => {
    const e = new Engine({ trace: false });
    e.createSession('a');
    run(e, 'CREATE TABLE t(id int, s text)');
    run(e, 'CREATE EXTENSION pageinspect');
    expect(run(e, `INSERT INTO t SELECT 1, (${noise(200)})`).error).toBeFalsy();
    expect(run(e, "SELECT lp_len FROM heap_page_items(get_raw_page('t', 0))").results[0]!.rows).toEqual([['46']]);
    expect(run(e, `SELECT pg_column_size(s), s = (${noise(200)}) FROM t`).results[0]!.rows).toEqual([['6400', 't']]);
    expect(run(e, 'SELECT chunk_seq, length(chunk_data) FROM pg_toast.pg_toast_16384 ORDER BY chunk_seq').results[0]!.rows)
      .toEqual([['0', '1996'], ['1', '1996'], ['2', '1996'], ['3', '412']]);
  });
  it('writes no chunk for an UPDATE that leaves the value alone, and deletes the chunks with the row', () => {
    const e = new Engine({ trace: false });
    e.createSession('a');
    run(e, 'CREATE TABLE t(id int, s text)');
    run(e, `INSERT INTO t SELECT 1, (${noise(100)})`);
    run(e, 'UPDATE t SET id = 2');
    expect(run(e, 'SELECT count(*), count(DISTINCT chunk_id) FROM pg_toast.pg_toast_16384').results[0]!.rows).toEqual([['2', '1']]);
    run(e, 'DELETE FROM t');
    expect(run(e, 'SELECT count(*) FROM pg_toast.pg_toast_16384').results[0]!.rows).toEqual([['0']]);
  });
  it('refuses with 0A000 to rewrite a table whose TOAST table holds chunks (VACUUM FULL)', () => {
    const e = new Engine({ trace: false });
    e.createSession('a');
    run(e, 'CREATE TABLE t(id int, s text)');
    run(e, `INSERT INTO t SELECT 1, (${noise(100)})`);
    const r = run(e, 'VACUUM FULL t');
    expect(r.error?.sqlstate).toBe('0A000');
    expect(r.error?.message).toMatch(/VACUUM FULL of a table with values stored out of line/);
  });
});
