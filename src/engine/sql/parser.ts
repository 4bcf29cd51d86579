/**
 * The real PostgreSQL parser (libpg-query: PostgreSQL's own gram.y compiled to WebAssembly).
 *
 * Statements are parsed exactly as PostgreSQL parses them, so a syntax error carries PostgreSQL's own message
 * ("syntax error at or near ...") and cursor position. The WebAssembly module loads once, asynchronously
 * (initParser); after that parsing is synchronous, which keeps the engine synchronous and deterministic.
 *
 * Mirrors: src/backend/parser/gram.y + scan.l, raw_parser(). The parse tree is the JSON form of PostgreSQL's
 * node structs (SelectStmt, UpdateStmt, A_Expr, ...). The library (libpg-query 15.6.3, libpg_query 15-4.2.4) is
 * PostgreSQL 15's grammar, so its trees are 15's (RETURNING as returningList, MERGE's WHEN [NOT] MATCHED as a
 * `matched` flag, CURRENT_USER and CURRENT_SCHEMA as SQLValueFunction) and what 16–18 added is 15's syntax error.
 * Where the library's scanner differs from the server's (a number glued to a name: pg15grammar.ts) and where it
 * drops a grammar error's HINT (GRAMMAR_HINTS), this module puts PostgreSQL 15's error back. PL/pgSQL's grammar
 * is another build's (initPlpgsqlParser below). One piece of parse analysis happens on the tree here:
 * ROW(...) = ROW(...) becomes the fields' comparisons (expandRowEquality).
 */
import { loadModule, parseSync } from 'libpg-query';
import { PgError } from '../errors.js';
import { utf8Len, byteToCharPosition } from './utf8.js';
import { numericJunk } from './pg15grammar.js';

let ready: Promise<void> | null = null;
let loaded = false;

/** Load the SQL parser (PostgreSQL 15's gram.y): what every statement needs. */
export function initSqlParser(): Promise<void> {
  if (!ready) ready = loadModule().then(() => { loaded = true; });
  return ready;
}
export const parserReady = () => loaded;

/**
 * PL/pgSQL's grammar (pl_gram.y) comes from another build of libpg-query (npm alias libpg-query-plpgsql: the one
 * of PostgreSQL 18, the first whose library exposes it; PL/pgSQL's grammar of 15 and 18 agree on what a learner
 * writes, and pl/compile.ts refuses the one difference it meets). Its WebAssembly is twice the SQL parser's size and
 * only function bodies and DO blocks need it, so it is loaded on demand: the app's worker awaits it before a step
 * that compiles PL/pgSQL (needsPlpgsql); Node (tests, command line) loads both at once (initParser).
 */
type PlpgsqlModule = typeof import('libpg-query-plpgsql');
let plpgsql: PlpgsqlModule | null = null;
let plReady: Promise<void> | null = null;

export function initPlpgsqlParser(): Promise<void> {
  if (!plReady) {
    plReady = import('libpg-query-plpgsql').then(async (m) => { await m.loadModule(); plpgsql = m; })
      .catch((e: unknown) => { plReady = null; throw e; });
  }
  return plReady;
}
export const plpgsqlParserReady = () => plpgsql !== null;

/** Both parsers: for Node, where loading is a file read. */
export function initParser(): Promise<void> {
  return Promise.all([initSqlParser(), initPlpgsqlParser()]).then(() => undefined);
}

/** PL/pgSQL's parser on a CREATE FUNCTION text: the PLpgSQL_function trees as JSON (pl/compile.ts reads them). */
export function parsePlpgsql(createText: string): unknown {
  if (!plpgsql) throw new Error('PL/pgSQL parser not initialised: await initPlpgsqlParser() first');
  return plpgsql.parsePlPgSQLSync(createText);
}

/**
 * Does running this text compile PL/pgSQL (a DO block; CREATE FUNCTION or PROCEDURE ... LANGUAGE plpgsql, whose
 * validator compiles the body)? A call of a PL/pgSQL function needs nothing more: the function was created by a
 * text that said plpgsql, earlier in the same log. Texts that do not parse need nothing: they fail in the parser.
 */
export function needsPlpgsql(sql: string): boolean {
  if (/plpgsql/i.test(sql)) return true;
  if (!/\bdo\b/i.test(sql) || !loaded) return false;
  try { return parseSql(sql).some((s) => !!s.stmt.DoStmt); } catch { return false; }
}

export interface RawStmt {
  stmt: Record<string, any>;
  location: number;
  len: number;
  text: string;
  /** integer literal values by location, overriding the (shared, cached) tree's zeros */
  literals?: Map<number, number>;
}

/**
 * The literal values of the statement being compiled. Cached trees are shared and never mutated; the engine
 * sets this before running (or resuming) a session's statement, and compileConst reads it.
 */
let currentLiterals: Map<number, number> | null = null;
export function setCurrentLiterals(m: Map<number, number> | null | undefined): void { currentLiterals = m ?? null; }
/** The literals in force now (PL/pgSQL code sets none for its own queries and puts these back afterwards). */
export function getCurrentLiterals(): Map<number, number> | null { return currentLiterals; }
export function literalAt(location: number): number | undefined { return currentLiterals?.get(location); }
/**
 * A copy of a parse tree with the current statement's lifted literals written in: for trees the catalog keeps
 * (DEFAULT and CHECK expressions), which are evaluated later, while another statement's literals are current.
 */
export function materializeLiterals<T>(node: T): T {
  if (!node || typeof node !== 'object') return node;
  if (Array.isArray(node)) return node.map((x) => materializeLiterals(x)) as T;
  const o = node as Record<string, any>;
  const out: Record<string, any> = {};
  for (const k in o) out[k] = materializeLiterals(o[k]);
  if (isIntConstNode(o)) out.ival = { ival: intConst(o) };
  return out as T;
}
const isIntConstNode = (o: Record<string, any>) => o.ival !== undefined && typeof o.location === 'number' && (o.ival === null || typeof o.ival === 'object');

/** The value of an integer A_Const node, honouring lifted literals. */
export function intConst(c: Record<string, any> | undefined): number | undefined {
  if (!c || c.ival === undefined) return undefined;
  return literalAt(c.location) ?? c.ival.ival ?? 0;
}

/**
 * Parse cache with literal lifting: statements that differ only in small integer literals share one parse.
 * The digits of each literal are replaced by zeros of the same length (same structure, same locations), the
 * zeroed text keys the cache, and a hit patches the real values into a fresh copy of the cached tree at the
 * literals' locations. Only plain texts are lifted (no comments, dollar quotes, parameters, or numbers that
 * are not small unsigned integers); anything else is parsed directly.
 */
const cache = new Map<string, { stmts: RawStmt[] }>();

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const k in o) deepFreeze((o as Record<string, unknown>)[k]);
  }
  return o;
}
const CACHE_LIMIT = 512;

function liftLiterals(sql: string): { key: string; literals: { at: number; value: number }[] } | null {
  let key = '';
  const literals: { at: number; value: number }[] = [];
  let i = 0, last = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c > 127) return null; // keep byte offsets = char offsets
    if (c === 39 /* ' */ || c === 34 /* " */) {
      const q = c;
      i++;
      while (i < n) {
        if (sql.charCodeAt(i) > 127) return null;
        if (sql.charCodeAt(i) === q) { if (sql.charCodeAt(i + 1) === q) { i += 2; continue; } break; }
        i++;
      }
      i++;
      continue;
    }
    if (c === 36 /* $ */ || c === 92 /* \ */) return null;
    if ((c === 45 && sql.charCodeAt(i + 1) === 45) || (c === 47 && sql.charCodeAt(i + 1) === 42)) return null; // comments
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95) { // identifier or keyword
      i++;
      while (i < n) {
        const d = sql.charCodeAt(i); if ((d >= 65 && d <= 90) || (d >= 97 && d <= 122) || d === 95 || (d >= 48 && d <= 57) || d === 36) i++; else break;
      }
      continue;
    }
    if (c >= 48 && c <= 57) {
      let j = i;
      while (j < n && sql.charCodeAt(j) >= 48 && sql.charCodeAt(j) <= 57) j++;
      const nx = sql.charCodeAt(j);
      if (nx === 46 || nx === 101 || nx === 69 || nx === 120 || nx === 88 || nx === 95 || (nx >= 65 && nx <= 90) || (nx >= 97 && nx <= 122)) return null;
      if (sql.charCodeAt(i - 1) === 46) return null;
      if (j - i > 9) return null;
      literals.push({ at: i, value: Number(sql.slice(i, j)) });
      key += sql.slice(last, i) + '0'.repeat(j - i);
      last = j;
      i = j;
      continue;
    }
    i++;
  }
  return { key: key + sql.slice(last), literals };
}

export function parseSql(sql: string): RawStmt[] {
  if (!loaded) throw new Error('parser not initialised: await initParser() first');
  const lifted = sql.length < 2000 ? liftLiterals(sql) : null;
  if (lifted) {
    const hit = cache.get(lifted.key);
    if (hit) {
      const values = lifted.literals.length ? new Map(lifted.literals.map((l) => [l.at, l.value])) : undefined;
      return hit.stmts.map((st) => ({ ...st, text: values ? sql.slice(st.location, st.location + st.len).trim() : st.text, literals: values }));
    }
    let stmts: RawStmt[];
    try { stmts = parseUncached(lifted.key); } catch { return parseUncached(sql); }
    // the zeroed text parsed the same way as the original only if every literal became an integer constant
    const zeroed = new Map(lifted.literals.map((l) => [l.at, 0]));
    if (countIntConsts(stmts, zeroed) === lifted.literals.length) {
      if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
      cache.set(lifted.key, { stmts: stmts.map((st) => deepFreeze(st)) });
      return parseSql(sql);
    }
  }
  return parseUncached(sql);
}

function countIntConsts(stmts: RawStmt[], at: Map<number, number>): number {
  let n = 0;
  const walk = (x: unknown) => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) { x.forEach(walk); return; }
    const o = x as Record<string, any>;
    if (o.A_Const && o.A_Const.ival !== undefined && at.has(o.A_Const.location)) n++;
    for (const k in o) walk(o[k]);
  };
  stmts.forEach((s) => walk(s.stmt));
  return n;
}

/**
 * make_row_comparison_op's = and <> of two ROW(...) constructors of one length, as parse analysis leaves them: the
 * AND of the fields' = (the OR of their <>), one field its comparison alone — so the planner sees `(a, b) = (1, 2)`
 * as `a = 1 AND b = 2` (an index on a serves it). Rows with t.* in them, or of different lengths (42601 when
 * compiled), and < <= > >= (RowCompareExpr: sql/rowexpr.ts) stay as written.
 */
function expandRowEquality(x: unknown): void {
  if (!x || typeof x !== 'object') return;
  if (Array.isArray(x)) { x.forEach(expandRowEquality); return; }
  const o = x as Record<string, any>;
  for (const k in o) expandRowEquality(o[k]);
  const e = o.A_Expr;
  if (!e || e.kind !== 'AEXPR_OP' || e.name?.length !== 1) return;
  const op = e.name[0].String?.sval as string | undefined;
  const l = e.lexpr?.RowExpr?.args as Record<string, any>[] | undefined, r = e.rexpr?.RowExpr?.args as Record<string, any>[] | undefined;
  if ((op !== '=' && op !== '<>') || !l?.length || !r || l.length !== r.length) return;
  const star = (a: Record<string, any>) => (a.ColumnRef?.fields as Record<string, any>[] | undefined)?.some((f) => f.A_Star);
  if (l.some(star) || r.some(star)) return;
  const pairs = l.map((a, i) => ({ A_Expr: { kind: 'AEXPR_OP', name: e.name, lexpr: a, rexpr: r[i], location: e.location } }));
  delete o.A_Expr;
  if (pairs.length === 1) o.A_Expr = pairs[0]!.A_Expr;
  else o.BoolExpr = { boolop: op === '=' ? 'AND_EXPR' : 'OR_EXPR', args: pairs, location: e.location };
}

/** Parse without the cache and without literal lifting (PL/pgSQL's queries: their trees hold their own values). */
export function parseSqlUncached(sql: string): RawStmt[] {
  if (!loaded) throw new Error('parser not initialised: await initParser() first');
  return parseUncached(sql);
}

/** The hints gram.y gives with its own errors (libpg-query reports a grammar error's message and position only). */
const GRAMMAR_HINTS: Record<string, string> = {
  'subquery in FROM must have an alias': 'For example, FROM (SELECT ...) [AS] foo.',
  'VALUES in FROM must have an alias': 'For example, FROM (VALUES ...) [AS] foo.',
  'missing argument': 'Use NONE to denote the missing argument of a unary operator.',
};

function parseUncached(sql: string): RawStmt[] {
  if (/^\s*$/.test(sql)) return []; // an empty query string: EmptyQueryResponse, no statement (libpg-query refuses it)
  let tree: { stmts?: { stmt: Record<string, any>; stmt_location?: number; stmt_len?: number }[] };
  try {
    tree = parseSync(sql) as typeof tree;
  } catch (e) {
    const d = (e as { sqlDetails?: { message: string; cursorPosition: number } }).sqlDetails;
    // the server's scanner would have stopped earlier, at a number glued to a name (0x1F, 1_000: pg15grammar.ts)
    const junk = numericJunk(sql);
    if (junk && (!d || junk.position! <= d.cursorPosition + 1)) throw junk;
    // libpg-query's cursorPosition is already a 0-based character index (scanner_errposition converts it)
    if (d) throw new PgError('42601', d.message, { position: d.cursorPosition + 1, hint: GRAMMAR_HINTS[d.message] });
    throw new PgError('42601', (e as Error).message);
  }
  const junk = numericJunk(sql);
  if (junk) throw junk;
  for (const s of tree.stmts ?? []) expandRowEquality(s.stmt);
  const totalBytes = utf8Len(sql, sql.length);
  return (tree.stmts ?? []).map((s) => {
    const loc = s.stmt_location ?? 0;
    const len = s.stmt_len ?? totalBytes - loc;
    const from = byteToCharPosition(sql, loc), to = byteToCharPosition(sql, loc + len);
    return { stmt: s.stmt, location: loc, len, text: sql.slice(from, to).trim() };
  });
}
