/**
 * PostgreSQL 15's scanner, where the parser's differs.
 *
 * The parser (libpg-query 15, sql/parser.ts) is PostgreSQL 15's own gram.y, so the grammar 16–18 added (subqueries
 * in FROM without an alias, SQL/JSON, VIRTUAL generated columns, RETURNING OLD/NEW, MERGE ... BY SOURCE, STORAGE in
 * CREATE TABLE, NOT ENFORCED, AT LOCAL, ...) is refused by the grammar itself, with 15's messages and positions.
 * One difference is left: the scanner compiled into libpg-query (libpg_query 15-4.2.4) reads a number glued to an
 * identifier as a number followed by a column alias, where the PostgreSQL 15 server refuses it:
 *
 *   SELECT 0x1F;      -- 16: non-decimal integers, and 1_000 (underscores). 15's scanner reads a number
 *                     --     followed by an identifier:  ERROR: trailing junk after numeric literal at or near "0x1F"
 *   SELECT 123abc;    -- the same error (libpg-query: 123 AS abc)
 *
 * numericJunk finds where 15's scanner raises that error, as recorded from a real PostgreSQL 15
 * (tests/messages/pg15-syntax.*).
 *
 * Mirrors: scan.l's {integer_junk}, {numeric_junk}, {real_junk} rules of PostgreSQL 15.
 * Simplification: the text is scanned for strings, quoted identifiers, comments and dollar quotes only (enough to
 * skip what is not a number); anything else is left to the parser.
 */
import { PgError } from '../errors.js';

/** A number as 15's scanner reads it (decimal digits, a point, an exponent), and the identifier characters after it. */
const PG15_NUMBER = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/;

/**
 * 15's scanner (scan.l) on the text: a numeric literal glued to an identifier is "trailing junk" — which is how it
 * reads the numbers 16 added (0x1F, 0o17, 0b101, 1_000) as well as 123abc. Strings, quoted identifiers, comments
 * and dollar-quoted bodies are skipped as the scanner skips them. Returns the error for the first junk, or null.
 */
export function numericJunk(sql: string): PgError | null {
  if (!/\d[A-Za-z_\u0080-\uffff]/.test(sql)) return null; // the common case: nothing to look at
  const n = sql.length;
  let i = 0;
  const identChar = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_$\u0080-\uffff]/.test(c);
  while (i < n) {
    const c = sql[i]!;
    if (c === "'" ) { // '...' with '' inside; E'...' also takes backslash escapes
      const escapes = i > 0 && /[eE]/.test(sql[i - 1]!) && !identChar(sql[i - 2]);
      i++;
      while (i < n) { if (escapes && sql[i] === '\\') { i += 2; continue; } if (sql[i] === "'") { if (sql[i + 1] === "'") { i += 2; continue; } break; } i++; }
      i++;
      continue;
    }
    if (c === '"') { i++; while (i < n && !(sql[i] === '"' && sql[i + 1] !== '"')) i += sql[i] === '"' ? 2 : 1; i++; continue; }
    if (c === '-' && sql[i + 1] === '-') { while (i < n && sql[i] !== '\n') i++; continue; }
    if (c === '/' && sql[i + 1] === '*') {
      let depth = 0;
      while (i < n) { if (sql[i] === '/' && sql[i + 1] === '*') { depth++; i += 2; } else if (sql[i] === '*' && sql[i + 1] === '/') { i += 2; if (--depth === 0) break; } else i++; }
      continue;
    }
    if (c === '$') {
      const tag = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(sql.slice(i));
      if (tag && !identChar(sql[i - 1])) { const close = sql.indexOf(tag[0], i + tag[0].length); i = close < 0 ? n : close + tag[0].length; continue; }
      i++;
      continue;
    }
    if (identChar(c) && !/[0-9]/.test(c)) { while (i < n && identChar(sql[i])) i++; continue; } // an identifier or keyword
    if (/[0-9.]/.test(c)) {
      const num = PG15_NUMBER.exec(sql.slice(i))?.[0];
      if (num) {
        const rest = sql.slice(i + num.length);
        if (IDENT_START.test(rest[0] ?? '')) {
          return new PgError('42601', `trailing junk after numeric literal at or near "${num}${IDENT.exec(rest)![0]}"`, { position: i + 1 });
        }
        i += num.length;
        continue;
      }
    }
    i++;
  }
  return null;
}
