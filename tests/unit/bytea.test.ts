/** bytea (adt/bytea.ts, adt/cryptohash.ts, contrib/rawpage.ts): input and output, order, base64, digests, a raw page's bytes. */
import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { byteaIn, byteaOut, byteaCmp, setByteaOutput, encodeBytes, decodeText } from '../../src/engine/adt/bytea.js';
import { md5Digest, sha224, sha256, sha384, sha512 } from '../../src/engine/adt/cryptohash.js';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';

beforeAll(async () => { await initParser(); });
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const ascii = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));

describe('byteain / byteaout', () => {
  it('reads hex and escape input, and prints both output formats back to the same bytes (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
      setByteaOutput('hex');
      const h = byteaOut(b);
      setByteaOutput('escape');
      const e = byteaOut(b);
      setByteaOutput('hex');
      return hex(byteaIn(h)) === hex(b) && hex(byteaIn(e)) === hex(b);
    }), { numRuns: 200 });
  });
  it('refuses what PostgreSQL refuses, with its messages', () => {
    expect(() => byteaIn('a\\b')).toThrow('invalid input syntax for type bytea');
    expect(() => byteaIn('\\400')).toThrow('invalid input syntax for type bytea');
    expect(() => byteaIn('\\x6')).toThrow('invalid hexadecimal data: odd number of digits');
    expect(() => byteaIn('\\x6 9')).toThrow('invalid hexadecimal digit: " "');
    expect(hex(byteaIn('\\x 68 69 '))).toBe('6869');
  });
  it('orders as memcmp, the shorter first on a common prefix', () => {
    const vals = ['\\x', '\\x00', '\\x0102', 'ab', 'abc', '\\x7f', '\\xff'].map(byteaIn);
    for (let i = 0; i + 1 < vals.length; i++) expect(byteaCmp(vals[i]!, vals[i + 1]!)).toBe(-1);
    expect(byteaCmp(byteaIn('abc'), byteaIn('\\x616263'))).toBe(0);
  });
});

describe('encode / decode', () => {
  it('base64 round trips (property); a first "=" ends every later group too, as pg_base64_decode does', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => hex(decodeText(encodeBytes(b, 'base64'), 'base64')) === hex(b)), { numRuns: 200 });
    expect(hex(decodeText('YQ==YQ==', 'base64'))).toBe('6161');
    expect(() => decodeText('a', 'base64')).toThrow('invalid base64 end sequence');
    expect(() => decodeText('=AAA', 'base64')).toThrow('unexpected "=" while decoding base64 sequence');
    expect(encodeBytes(new Uint8Array(60), 'base64')).toContain('\n'); // a line break after 76 characters
  });
});

describe('digests (FIPS 180-4 / RFC 1321 test vectors)', () => {
  const two = ascii('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq');
  const long = ascii('abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu');
  it('md5', () => {
    expect(hex(md5Digest(ascii('')))).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(hex(md5Digest(ascii('message digest')))).toBe('f96b697d7cb7938d525a2f31aaf161d0');
  });
  it('sha224 / sha256 over one and two blocks', () => {
    expect(hex(sha256(two))).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    expect(hex(sha224(two))).toBe('75388b16512776cc5dba5da1fd890150b0c6455cb4f58b1952522525');
  });
  it('sha384 / sha512 over two blocks', () => {
    expect(hex(sha512(long))).toBe('8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909');
    expect(hex(sha384(long))).toBe('09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039');
  });
});

describe('bytea in the engine', () => {
  const run = (e: Engine, sql: string) => e.execute('a', sql).outcome;
  const rows = (e: Engine, sql: string) => { const o = run(e, sql); if (o.error) throw new Error(o.error.message); return o.results[0]!.rows; };
  it('a long bytea is compressed inside the row from its raw bytes (pg_column_size 44 for 3000 zero bytes)', () => {
    const e = new Engine({ trace: false });
    e.createSession('a');
    run(e, 'CREATE TABLE b (id int, x bytea)');
    run(e, "INSERT INTO b VALUES (1, decode(repeat('00', 3000), 'hex'))");
    expect(rows(e, 'SELECT length(x), pg_column_size(x), pg_column_compression(x) FROM b')).toEqual([['3000', '44', 'pglz']]);
  });
  it("a raw page's bytes agree with page_header and heap_page_items", () => {
    const e = new Engine({ trace: false });
    e.createSession('a');
    run(e, 'CREATE EXTENSION pageinspect');
    run(e, 'CREATE TABLE t (id int, s text)');
    run(e, "INSERT INTO t VALUES (1, 'one'), (2, NULL)");
    run(e, 'CREATE TABLE pages AS SELECT get_raw_page(\'t\', 0) AS p');
    const [lower, upper] = (rows(e, 'SELECT lower, upper FROM pages, page_header(p)') as string[][])[0]!;
    // pd_lower and pd_upper, little-endian at bytes 12 and 14
    expect(rows(e, 'SELECT get_byte(p, 12) + 256 * get_byte(p, 13), get_byte(p, 14) + 256 * get_byte(p, 15) FROM pages')).toEqual([[lower, upper]]);
    // each tuple's data sits at lp_off + t_hoff
    const items = rows(e, 'SELECT lp_off, t_hoff, t_data FROM pages, heap_page_items(p) ORDER BY lp') as string[][];
    for (const [off, hoff, data] of items) {
      const n = (data!.length - 2) / 2;
      expect(rows(e, `SELECT substring(p from ${Number(off) + Number(hoff) + 1} for ${n}) FROM pages`)).toEqual([[data]]);
    }
  });
});
