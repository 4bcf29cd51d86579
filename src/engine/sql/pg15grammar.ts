/**
 * PostgreSQL 15's grammar, where the parser's differs.
 *
 * The parser (libpg-query) is PostgreSQL 18's gram.y and scan.l. Everything PostgreSQL 15 accepts parses the
 * same way, but 16–18 accept more, and a simulator of 15 must refuse that with 15's own error, not run it:
 *
 *   SELECT 0x1F;      -- 16: non-decimal integers, and 1_000 (underscores). 15's scanner reads a number
 *                     --     followed by an identifier:  ERROR: trailing junk after numeric literal at or near "0x1F"
 *   SELECT * FROM (SELECT 1);            -- 16: the alias became optional.  15: subquery in FROM must have an alias
 *   SELECT x IS JSON; JSON_OBJECT('a': 1); JSON_ARRAY(1 RETURNING text); JSON_TABLE(...)   -- 16/17: SQL/JSON
 *   CREATE TABLE t (b int GENERATED ALWAYS AS (a) VIRTUAL);           -- 18 (15 requires STORED)
 *   ... RETURNING WITH (OLD AS o) ...; MERGE ... RETURNING; WHEN NOT MATCHED BY SOURCE      -- 17/18
 *   CHECK (...) NOT ENFORCED; PRIMARY KEY (a, b WITHOUT OVERLAPS); NOT NULL a (table level)  -- 18
 *   col text STORAGE PLAIN (16); now() AT LOCAL (17)
 *
 * Each check finds where 15's parser would have stopped (the token it could not accept) and raises 15's message
 * there, as recorded from a real PostgreSQL 15 (tests/messages/pg15-syntax.*). Constructs that 15 parses as
 * something else are left to analysis: JSON_ARRAY(1, 2) is a call of a function json_array that does not exist
 * (42883), SYSTEM_USER a column that does not exist (42703) — see expr.ts.
 *
 * Mirrors: the differences between src/backend/parser/gram.y and scan.l of PostgreSQL 15 and 18 (release notes
 * of 16, 17, 18). Simplification: only the grammar a learner is likely to type is covered; anything else 18 added
 * either fails the same way in 15 or reaches the engine as an unsupported feature (0A000).
 */
import { scanSync } from 'libpg-query';
import { PgError } from '../errors.js';
import { byteToCharPosition } from './utf8.js';

type N = Record<string, any>;
interface Token { start: number; end: number; text: string; keyword: boolean }

/** What the checks need of a statement text: its tokens (scanned once, lazily) and positions as PostgreSQL counts them. */
class Source {
  private toks: Token[] | null = null;
  constructor(readonly sql: string) {}
  get tokens(): Token[] {
    if (!this.toks) {
      try {
        this.toks = scanSync(this.sql).tokens.map((t) => ({ start: t.start, end: t.end, text: t.text, keyword: t.keywordKind !== 0 }));
      } catch { this.toks = []; }
    }
    return this.toks;
  }
  /** 1-based character position of a byte offset */
  position(byte: number): number { return byteToCharPosition(this.sql, byte) + 1; }
  /** index of the first token starting at or after a byte offset */
  indexAt(byte: number): number {
    const t = this.tokens;
    let i = 0;
    while (i < t.length && t[i]!.start < byte) i++;
    return i;
  }
  is(i: number, word: string): boolean { return this.tokens[i]?.text.toUpperCase() === word; }
  /** the index of the parenthesis closing the one at index i */
  closing(i: number): number {
    let depth = 0;
    for (let k = i; k < this.tokens.length; k++) {
      const x = this.tokens[k]!.text;
      if (x === '(') depth++;
      else if (x === ')' && --depth === 0) return k;
    }
    return this.tokens.length;
  }
  syntaxError(i: number): PgError {
    const t = this.tokens[i];
    if (!t) return new PgError('42601', 'syntax error at end of input', { position: this.sql.length + 1 });
    return new PgError('42601', `syntax error at or near "${t.text}"`, { position: this.position(t.start) });
  }
}

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

/** Every node of a parse tree with its type name, depth first, in source order of the tree. */
function* nodes(x: unknown): Generator<[string, N]> {
  if (!x || typeof x !== 'object') return;
  if (Array.isArray(x)) { for (const y of x) yield* nodes(y); return; }
  for (const [k, v] of Object.entries(x as N)) {
    if (/^[A-Z]/.test(k) && v && typeof v === 'object' && !Array.isArray(v)) yield [k, v as N];
    yield* nodes(v);
  }
}

function minLocation(x: unknown): number {
  let m = Infinity;
  const walk = (y: unknown) => {
    if (!y || typeof y !== 'object') return;
    if (Array.isArray(y)) { y.forEach(walk); return; }
    for (const [k, v] of Object.entries(y as N)) {
      if (k === 'location' && typeof v === 'number' && v >= 0 && v < m) m = v;
      else walk(v);
    }
  };
  walk(x);
  return m;
}

const LEADING = new Set(['SELECT', 'VALUES', 'WITH', 'TABLE']);
/** Inside SQL/JSON constructors: the first word 15's function-call grammar cannot take after an argument. */
const JSON_CLAUSE_WORDS = new Set([':', 'VALUE', 'RETURNING', 'ABSENT', 'FORMAT', 'PASSING', 'COLUMNS', 'WITH', 'WITHOUT', 'KEEP', 'OMIT']);
const JSON_ON_WORDS = new Set(['NULL', 'ERROR', 'EMPTY', 'TRUE', 'FALSE', 'UNKNOWN', 'DEFAULT']);
const JSON_CONSTRUCTORS = new Set(['JsonObjectConstructor', 'JsonArrayConstructor', 'JsonArrayQueryConstructor', 'JsonObjectAgg', 'JsonArrayAgg', 'JsonFuncExpr', 'JsonTable', 'JsonScalarExpr', 'JsonSerializeExpr', 'JsonParseExpr']);

/** Throw PostgreSQL 15's error if this statement uses grammar that came after 15. */
export function checkPg15Grammar(stmt: N, sql: string): void {
  let src: Source | null = null;
  const S = () => (src ??= new Source(sql));
  const after = (byte: number, word: string) => {
    const s = S(); for (let i = s.indexAt(byte); i < s.tokens.length; i++) if (s.is(i, word)) return i; return -1;
  };
  for (const [type, n] of nodes(stmt)) {
    switch (type) {
      case 'RangeSubselect': {
        if (n.alias) break;
        // transformRangeSubselect in 15 (gram.y): the '(' that opens the subquery
        const s = S();
        let i = Math.min(s.indexAt(minLocation(n.subquery)), s.tokens.length - 1);
        while (i > 0 && !LEADING.has(s.tokens[i]!.text.toUpperCase())) i--;
        while (i > 0 && s.tokens[i - 1]!.text === '(') i--;
        const values = !!n.subquery?.SelectStmt?.valuesLists;
        throw new PgError('42601', values ? 'VALUES in FROM must have an alias' : 'subquery in FROM must have an alias', {
          hint: values ? 'For example, FROM (VALUES ...) [AS] foo.' : 'For example, FROM (SELECT ...) [AS] foo.', position: s.position(s.tokens[i]!.start),
        });
      }
      case 'JsonIsPredicate': {
        const s = S();
        for (let i = s.indexAt(n.location ?? 0); i < s.tokens.length; i++) if (s.is(i, 'JSON') && (s.is(i - 1, 'IS') || (s.is(i - 1, 'NOT') && s.is(i - 2, 'IS')))) throw s.syntaxError(i);
        break;
      }
      case 'Constraint': {
        if (n.contype === 'CONSTR_GENERATED' && n.generated_kind === 'v') {
          // 15 requires STORED after the generation expression
          const s = S();
          const as = after(n.location ?? 0, 'AS');
          const open = as >= 0 ? as + 1 : -1;
          if (open > 0 && s.tokens[open]?.text === '(') throw s.syntaxError(s.closing(open) + 1);
        }
        if (n.contype === 'CONSTR_NOTNULL' && n.keys?.length) throw S().syntaxError(after(n.location ?? 0, 'NOT')); // table-level NOT NULL (18)
        break;
      }
      case 'ColumnDef':
        if (n.storage_name) { const i = after(n.location ?? 0, 'STORAGE'); if (i >= 0) throw S().syntaxError(i); }
        break;
      case 'MergeStmt': {
        const s = S();
        if (n.returningClause || n.returningList) { const i = after(0, 'RETURNING'); if (i >= 0) throw s.syntaxError(i); }
        for (let i = 0; i < s.tokens.length; i++) if (s.is(i, 'MATCHED') && s.is(i + 1, 'BY')) throw s.syntaxError(i + 1);
        break;
      }
      case 'InsertStmt': case 'UpdateStmt': case 'DeleteStmt': {
        // RETURNING WITH (OLD AS o, NEW AS n) (18): 15 stops at WITH
        const opt = n.returningClause?.options?.[0]?.ReturningOption;
        if (opt) { const s = S(); let i = Math.min(s.indexAt(opt.location ?? 0), s.tokens.length - 1); while (i > 0 && !s.is(i, 'WITH')) i--; throw s.syntaxError(i); }
        break;
      }
      default:
        if (JSON_CONSTRUCTORS.has(type)) {
          const s = S();
          const open = s.indexAt(n.location ?? 0) + 1;
          if (s.tokens[open]?.text !== '(') break;
          const close = s.closing(open);
          let depth = 0;
          for (let i = open + 1; i < close; i++) {
            const x = s.tokens[i]!.text.toUpperCase();
            if (x === '(') depth++;
            else if (x === ')') depth--;
            else if (depth === 0 && (JSON_CLAUSE_WORDS.has(x) || (JSON_ON_WORDS.has(x) && s.is(i + 1, 'ON')))) throw s.syntaxError(i);
          }
        }
    }
  }
  // clauses 18 added that leave no trace in the parse tree, or none a check above can see
  if (/\bENFORCED\b|\bOVERLAPS\b|\bLOCAL\b/i.test(sql)) {
    const s = S();
    for (let i = 1; i < s.tokens.length; i++) {
      if (s.is(i, 'ENFORCED') && (s.is(i - 1, 'NOT') || s.tokens[i - 1]!.text === ')' || s.is(i - 1, 'DEFERRABLE') || s.is(i - 1, 'DEFERRED') || s.is(i - 1, 'IMMEDIATE'))) throw s.syntaxError(i);
      if (s.is(i, 'OVERLAPS') && s.is(i - 1, 'WITHOUT')) throw s.syntaxError(i - 1);
      if (s.is(i, 'LOCAL') && s.is(i - 1, 'AT')) throw s.syntaxError(i);
    }
  }
}
