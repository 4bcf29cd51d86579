/**
 * What PostgreSQL 15 has and the simulator lacks is 0A000 naming it, never 42883 / 42803 / 42703 / 42P01: the
 * recorded pg_proc / pg_operator / pg_class names (catalog/pg15names.ts) decide, and a call or operator whose
 * argument types no PostgreSQL overload takes stays 42883 as PostgreSQL says.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';
import { pg15SignatureFits } from '../../src/engine/sql/funccall.js';
import { pg15HasOperator } from '../../src/engine/sql/coerce.js';
import { T } from '../../src/engine/sql/types.js';

describe('recorded signatures', () => {
  it('a function overload fits by type, implicit cast, untyped literal or VARIADIC "any"', () => {
    expect(pg15SignatureFits('to_timestamp', [T.unknown, T.unknown])).toBe(true);
    expect(pg15SignatureFits('to_timestamp', [T.int4])).toBe(true); // int4 -> float8 implicitly
    expect(pg15SignatureFits('lower', [T.int4])).toBe(false);
    expect(pg15SignatureFits('concat', [])).toBe(false);
    expect(pg15SignatureFits('concat', [T.int4, T.bool])).toBe(true);
    expect(pg15SignatureFits('round', [T.float8, T.int4])).toBe(false);
  });
  it('an operator fits its operand types', () => {
    expect(pg15HasOperator('~', T.text, T.unknown)).toBe(true);
    expect(pg15HasOperator('&', T.int4, T.int8)).toBe(true);
    expect(pg15HasOperator('+', T.int4, T.text)).toBe(false);
    expect(pg15HasOperator('~', null, T.int8)).toBe(true);
    expect(pg15HasOperator('~', null, T.numeric)).toBe(false);
  });
});

describe('refusals name what PostgreSQL has', () => {
  let e: Engine;
  beforeAll(async () => {
    await initParser();
    e = new Engine({ trace: false });
    e.createSession('s');
    e.execute('s', 'CREATE TABLE a (id int, v numeric, t text)');
  });
  const state = (q: string) => e.execute('s', q).outcome.error?.sqlstate ?? 'ok';
  it.each([
    ['SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) FROM a', 'ok'],
    ['SELECT regr_slope(v, v) FROM a', '0A000'],
    ['SELECT corr(v, v), id FROM a', '0A000'],
    ['SELECT jsonb_path_exists(to_jsonb(x), \'$.a\') FROM a x', '0A000'],
    ['SELECT row_to_json(x) FROM a x', 'ok'],
    ['SELECT * FROM pg_am', '0A000'],
    ['SELECT * FROM pg_index', 'ok'], // modelled (catalog/pg_index.ts), the user's indexes
    ["SELECT to_timestamp('2024', 'YYYY')", '0A000'],
    ["SELECT t ~>=~ 'a' FROM a", '0A000'], // text_pattern_ge as an operator
    ["SELECT t ^@ 'a' FROM a", 'ok'], // starts_with as an operator
    ['SELECT lower(1)', '42883'],
    ['SELECT id + t FROM a', '42883'],
    ['SELECT * FROM no_such_table', '42P01'],
    ['SELECT no_such_function(1)', '42883'],
  ])('%s: %s', (q, code) => expect(state(q)).toBe(code));
});
