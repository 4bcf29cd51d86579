/**
 * pg_prng (adt/prng.ts): the state after setseed and the doubles it gives, against values recorded from
 * PostgreSQL 15 (tests/scenarios/sqlfuncs/random-setseed.out: SELECT setseed(0.5); SELECT random() ...).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';
import { readFileSync } from 'node:fs';
import { prngFseed, prngSeed, prngDouble } from '../../src/engine/adt/prng.js';
import { printfG } from '../../src/engine/adt/snprintf.js';

describe('pg_prng', () => {
  it('gives the doubles PostgreSQL gives after setseed(0.5)', () => {
    const s = prngFseed(0.5);
    const got = [prngDouble(s), prngDouble(s), prngDouble(s)];
    const out = readExpected();
    expect(got.map(String)).toEqual(out);
  });
  it('is a state of two 64-bit words that never both are zero, and doubles in [0, 1)', () => {
    const s = prngSeed(0n);
    expect(s.s0 !== 0n || s.s1 !== 0n).toBe(true);
    for (let i = 0; i < 1000; i++) { const d = prngDouble(s); expect(d >= 0 && d < 1).toBe(true); }
  });
  it('spells setseed\'s out-of-range argument as printf %g does', () => {
    expect(printfG(1.5)).toBe('1.5');
    expect(printfG(-100000000)).toBe('-1e+08');
    expect(printfG(1234567)).toBe('1.23457e+06');
    expect(printfG(0.0001)).toBe('0.0001');
    expect(printfG(0.00001)).toBe('1e-05');
    expect(printfG(123456)).toBe('123456');
  });
});

/** the three values of `SELECT random() AS a, random() AS b, random() AS c` after setseed(0.5), as recorded */
function readExpected(): string[] {
  const out = readFileSync(new URL('../scenarios/sqlfuncs/random-setseed.out', import.meta.url), 'utf8');
  const i = out.indexOf('step r3:');
  const row = out.slice(i).split('\n')[3]!;
  return row.split('|').map((x) => x.trim());
}

describe('random() in the engine', () => {
  beforeAll(async () => { await initParser(); });
  it('goes on in a cloned engine where it was, and is per backend', () => {
    const e = new Engine();
    e.createSession('s1');
    e.createSession('s2');
    const one = (en: Engine, s: string) => en.execute(s, 'SELECT random()').outcome.results[0]!.rows[0]![0];
    e.execute('s1', 'SELECT setseed(0.5)');
    expect(one(e, 's1')).toBe(readExpected()[0]);
    const c = e.clone();
    expect(one(c, 's1')).toBe(one(e, 's1'));
    expect(one(e, 's2')).not.toBe(one(e, 's1'));
  });
});
