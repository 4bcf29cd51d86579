/**
 * pg_size_bytes' error fields, measured from PostgreSQL 15 (isolationtester transcripts print only the message, so
 * the DETAIL and HINT are checked here; tests/scenarios/sqlfuncs/size-bytes checks results and messages).
 */
import { describe, it, expect } from 'vitest';
import { sizeBytes, sizePretty } from '../../src/engine/sql/funcs/dbsize.js';
import { PgError } from '../../src/engine/errors.js';

const fail = (s: string) => { try { sizeBytes(s); } catch (e) { return e as PgError; } throw new Error(`no error for ${s}`); };

describe('pg_size_bytes (dbsize.c)', () => {
  it('names an unknown unit in DETAIL and lists the valid ones in HINT', () => {
    const e = fail('1 AB');
    expect([e.sqlstate, e.message, e.detail, e.hint]).toEqual(['22023', 'invalid size: "1 AB"', 'Invalid size unit: "AB".', 'Valid units are "bytes", "kB", "MB", "GB", "TB", and "PB".']);
    expect(fail('1 kB x ').detail).toBe('Invalid size unit: "kB x".'); // trailing blanks trimmed, inner ones kept
    expect(fail('1e').detail).toBe('Invalid size unit: "e".'); // no digits after E: the E is the unit
  });
  it('has no DETAIL when there is no number at all', () => {
    const e = fail('- 1');
    expect([e.message, e.detail, e.hint]).toEqual(['invalid size: "- 1"', undefined, undefined]);
  });
  it('is the inverse of pg_size_pretty on whole units', () => {
    for (const s of ['10 bytes', '64 kB', '20 MB', '30 GB']) expect(sizePretty(sizeBytes(s))).toBe(s);
  });
});
