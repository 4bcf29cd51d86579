/**
 * Export .spec: a statement containing "}" is respelled so that the isolation tester's format can hold it, and
 * PostgreSQL's own parser (libpg-query) reads the respelled statement as the very same parse tree.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { loadModule, parseSync } from 'libpg-query';
import { specSafeSql, toSpec, SpecExportError } from '../../src/store/specExport.js';
import { parseSpec, firstPermutation } from '../../src/scenario/spec.js';
import type { LogEntry } from '../../src/shared/api.js';

beforeAll(async () => { await loadModule(); });
/** the parse tree without positions (respelling moves text around) */
const tree = (sql: string) => JSON.parse(JSON.stringify(parseSync(sql), (k, v) => (k === 'location' || k === 'stmt_len' || k === 'stmt_location' ? undefined : v)));

describe('respelling "}"', () => {
  const cases: [string, string][] = [
    ["SELECT '{1,2}'::int[]", "SELECT E'{1,2\\x7D'::int[]"],
    ["SELECT 'a\\b}'", "SELECT E'a\\\\b\\x7D'"],
    ["SELECT 'it''s }'", "SELECT E'it''s \\x7D'"],
    ["SELECT E'\\}x\\\\}'", "SELECT E'\\x7Dx\\\\\\x7D'"],
    ["SELECT e'}'", "SELECT e'\\x7D'"],
    ["SELECT U&'\\0041}'", "SELECT U&'\\0041\\007D'"],
    ['SELECT 1 AS "a}b"', 'SELECT 1 AS U&"a\\007Db"'],
    ['SELECT 1 AS "a\\}"', 'SELECT 1 AS U&"a\\\\\\007D"'],
    ['SELECT 1 AS "q""}"', 'SELECT 1 AS U&"q""\\007D"'],
    ['SELECT $$}$$', "SELECT E'\\x7D'"],
    ["SELECT $tag$ it's \\ } $tag$", "SELECT E' it''s \\\\ \\x7D '"],
    ["SELECT 'a}'\n'b\\c'", "SELECT E'a\\x7D'\n'b\\\\c'"],
    ['SELECT 1 -- {all}', 'SELECT 1 -- {all)'],
    ["/* a /* nested } */ } */ SELECT '}'", "/* a /* nested ) */ ) */ SELECT E'\\x7D'"],
    ["SELECT x$y FROM (SELECT 1 AS \"x$y\") s WHERE '}' = '}'", "SELECT x$y FROM (SELECT 1 AS \"x$y\") s WHERE E'\\x7D' = E'\\x7D'"],
    ["SELECT int4 '5', '}'", "SELECT int4 '5', E'\\x7D'"],
    ['SELECT 1', 'SELECT 1'],
  ];
  for (const [sql, want] of cases) {
    it(JSON.stringify(sql), () => {
      const got = specSafeSql(sql, 'step x').sql;
      expect(got).toBe(want);
      expect(got).not.toContain('}');
      expect(tree(got)).toEqual(tree(sql));
    });
  }
  it('a string continued across a comment is respelled as a whole (PostgreSQL 15 reads it; the PostgreSQL 18 grammar the engine parses with does not)', () => {
    // checked on a real PostgreSQL 15: both spellings give 'a}b\c' (libpg-query reports a syntax error for both)
    expect(specSafeSql("SELECT 'a}'\n-- note }\n'b\\c'", 'step x').sql).toBe("SELECT E'a\\x7D'\n-- note )\n'b\\\\c'");
  });
  it('refuses what has no other spelling, naming the step and saying why', () => {
    for (const [sql, why] of [
      ['SELECT }', 'it has a "}" outside any string, quoted name or comment'],
      ["SELECT N'}'", `a N'…' literal contains "}"`],
      ["SELECT U&'!007D}' UESCAPE '!'", 'a Unicode literal with a UESCAPE clause contains "}"'],
      ['SELECT $$}', 'an unterminated dollar-quoted string contains "}"'],
    ]) {
      expect(() => specSafeSql(sql!, 'step s1_4')).toThrow(SpecExportError);
      expect(() => specSafeSql(sql!, 'step s1_4')).toThrow(`step s1_4 cannot be written to a .spec file: ${why} (the isolation tester ends a step at the first "}" and has no way to quote one)`);
    }
  });
});

describe('toSpec', () => {
  it('writes setup, sessions, steps and server events that parseSpec reads back as the same statements', () => {
    const log: LogEntry[] = [
      { kind: 'sql', session: 'setup', sql: "CREATE TABLE j(id int, doc text DEFAULT '{}')" },
      { kind: 'sql', session: 's1', sql: "INSERT INTO j VALUES (1, '{\"a\": 1}')" },
      { kind: 'advance', ms: 1500 },
      { kind: 'sql', session: 's2', sql: 'SELECT doc FROM j -- {x}' },
      { kind: 'wait', session: 's2' },
      { kind: 'server', action: 'crash', arg: 'commit-before-flush' },
      { kind: 'server', action: 'full_page_writes', arg: 'off' },
      { kind: 'server', action: 'restart' },
      { kind: 'sql', session: 's1', sql: 'INSERT INTO j SELECT g, NULL FROM generate_series(1, 100000) g', cancelAfterChunks: 2 },
    ];
    const text = toSpec(log, ['s1', 's2']);
    const sc = parseSpec(text, 'out.spec');
    expect(sc.setup.map((s) => tree(s))).toEqual([tree(log[0]!.kind === 'sql' ? log[0]!.sql : '')]);
    expect(sc.sessions.map((s) => [s.name, s.steps.map((st) => st.name)])).toEqual([['s1', ['s1_1', 's1_2']], ['s2', ['s2_1']]]);
    expect(tree(sc.sessions[0]!.steps[0]!.sql)).toEqual(tree("INSERT INTO j VALUES (1, '{\"a\": 1}')"));
    expect(firstPermutation(sc).map((p) => (p.kind === 'step' ? p.step.name : p.kind === 'advance' ? `+${p.ms}` : `@${p.action}:${p.arg ?? ''}`)))
      .toEqual(['s1_1', '+1500', 's2_1', '@crash:commit-before-flush', '@restart:', 's1_2']);
    expect(text).toContain('# full_page_writes = off is a server setting a .spec cannot hold: left out');
    expect(text).toContain('# step s1_2 was cancelled in Heapscope after 2 chunk(s); here it runs to the end');
    expect(text).toContain('# step s2_1: "}" in a comment written as ")"');
    expect(text).toContain('# setup block 1: "}" inside a literal written as an escape');
  });
});
