/** pglz (src/engine/heap/pglz.ts) and the toaster (heap/heaptoast.ts): what compression keeps, and what it refuses. */
import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { pglzCompress } from '../../src/engine/heap/pglz.js';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';

beforeAll(async () => { await initParser(); });

/** pglz_decompress, written from the format: a control byte per 8 items, a set bit a (length, offset) tag */
function decompress(src: Uint8Array, rawSize: number): Uint8Array {
  const out: number[] = [];
  let sp = 0;
  while (sp < src.length && out.length < rawSize) {
    const ctrl = src[sp++]!;
    for (let bit = 0; bit < 8 && sp < src.length && out.length < rawSize; bit++) {
      if (ctrl & (1 << bit)) {
        let len = (src[sp]! & 0x0f) + 3;
        const off = ((src[sp]! & 0xf0) << 4) | src[sp + 1]!;
        sp += 2;
        if (len === 18) len += src[sp++]!;
        for (let k = 0; k < len; k++) out.push(out[out.length - off]!);
      } else out.push(src[sp++]!);
    }
  }
  return Uint8Array.from(out);
}

describe('pglz', () => {
  it('decompresses to its input, and succeeds only with at least 25 % saved (property)', () => {
    const input = fc.oneof(
      fc.uint8Array({ minLength: 0, maxLength: 6000 }),
      // compressible: few distinct bytes, repeated runs
      fc.array(fc.tuple(fc.constantFrom(0x61, 0x62, 0xc3, 0xa9, 0x20), fc.integer({ min: 1, max: 300 })), { maxLength: 80 })
        .map((runs) => Uint8Array.from(runs.flatMap(([b, n]) => new Array<number>(n).fill(b)))),
    );
    fc.assert(fc.property(input, (src) => {
      const c = pglzCompress(src);
      if (src.length < 32) return c === null;
      if (c === null) return true;
      return c.length < Math.floor((src.length * 75) / 100) && Buffer.from(decompress(c, src.length)).equals(Buffer.from(src));
    }), { numRuns: 300 });
  });
  it('gives up on input with nothing to match in its first 1 KB', () => {
    let x = 2463534242;
    const noise = Uint8Array.from({ length: 4000 }, () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x & 0xff; });
    expect(pglzCompress(noise)).toBeNull();
  });
});

describe('the toaster', () => {
  const run = (e: Engine, sql: string) => e.execute('a', sql).outcome;
  it('refuses with 0A000 a value that would go out of line into a TOAST table not modelled (a temporary table\'s), and the table is unchanged', () => {
    const e = new Engine({ trace: false });
    e.createSession('a');
    run(e, 'CREATE TEMP TABLE t(id int, s text)');
    const noise = "SELECT string_agg(md5(g::text), '') FROM generate_series(1, 100) g";
    const r = run(e, `INSERT INTO t SELECT 1, (${noise})`);
    expect(r.error?.sqlstate).toBe('0A000');
    expect(r.error?.message).toMatch(/out of line in the TOAST table of a temporary table/);
    expect(run(e, 'SELECT count(*) FROM t').results[0]!.rows).toEqual([['0']]);
    // a compressible one of the same length is kept, compressed
    expect(run(e, "INSERT INTO t VALUES (2, repeat('ab', 1600))").error).toBeFalsy();
    expect(run(e, 'SELECT pg_column_compression(s) FROM t').results[0]!.rows).toEqual([['pglz']]);
  });
  it('survives a crash: REDO puts the compressed tuple back as it was', () => {
    const e = new Engine({ trace: false });
    e.createSession('a');
    run(e, 'CREATE EXTENSION pageinspect');
    run(e, 'CREATE TABLE t(id int, s text)');
    run(e, "INSERT INTO t VALUES (1, repeat('x', 3000))");
    const before = run(e, "SELECT lp_len, t_data FROM heap_page_items(get_raw_page('t', 0))").results[0]!.rows;
    e.crash();
    e.restart();
    expect(run(e, "SELECT lp_len, t_data FROM heap_page_items(get_raw_page('t', 0))").results[0]!.rows).toEqual(before);
    expect(run(e, 'SELECT length(s), pg_column_size(s) FROM t').results[0]!.rows).toEqual([['3000', '44']]);
  });
});
