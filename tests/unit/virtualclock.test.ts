/**
 * now() and friends read the virtual clock (a deliberate difference: PostgreSQL reads the wall clock). Virtual
 * t = 0 is 2000-01-01 00:00:00+00; transaction_timestamp() is the transaction's start, statement_timestamp() the
 * statement's, clock_timestamp() the current virtual time. Relations between them are checked against PostgreSQL
 * in tests/scenarios/sqlfuncs/now.spec; the absolute values can only be checked here.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';

beforeAll(async () => { await initParser(); });

const one = (e: Engine, sql: string) => {
  const { outcome } = e.execute('s1', sql);
  expect(outcome.error, sql).toBeNull();
  return outcome.results[outcome.results.length - 1]!.rows[0]!;
};

describe('the virtual clock behind now()', () => {
  it('starts at 2000-01-01 00:00:00+00 and moves only with virtual time', () => {
    const e = new Engine();
    e.createSession('s1');
    expect(one(e, 'SELECT now(), current_date, localtimestamp')).toEqual(['2000-01-01 00:00:00+00', '2000-01-01', '2000-01-01 00:00:00']);
    e.advance(1500);
    expect(one(e, 'SELECT now(), clock_timestamp()')).toEqual(['2000-01-01 00:00:01.5+00', '2000-01-01 00:00:01.5+00']);
    one(e, 'BEGIN');
    e.advance(86_400_000 + 250);
    expect(one(e, 'SELECT now(), statement_timestamp(), clock_timestamp() - now()')).toEqual(['2000-01-01 00:00:01.5+00', '2000-01-02 00:00:01.75+00', '1 day 00:00:00.25']);
    expect(one(e, "SELECT 'now'::timestamptz = now(), 'today'::date, age(timestamp '1999-12-25')")).toEqual(['t', '2000-01-01', '7 days']);
    one(e, 'COMMIT');
    expect(one(e, 'SELECT now()')).toEqual(['2000-01-02 00:00:01.75+00']);
  });
});
