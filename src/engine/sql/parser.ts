/**
 * The real PostgreSQL parser (libpg-query: PostgreSQL's own gram.y compiled to WebAssembly).
 *
 * Statements are parsed exactly as PostgreSQL parses them, so a syntax error carries PostgreSQL's own message
 * ("syntax error at or near ...") and cursor position. The WebAssembly module loads once, asynchronously
 * (initParser); after that parsing is synchronous, which keeps the engine synchronous and deterministic.
 *
 * Mirrors: src/backend/parser/gram.y + scan.l, raw_parser(). The parse tree is the JSON form of PostgreSQL's
 * node structs (SelectStmt, UpdateStmt, A_Expr, ...). The library carries PostgreSQL 18's grammar; statements
 * valid in 15 parse the same way.
 */
import { loadModule, parseSync } from 'libpg-query';
import { PgError } from '../errors.js';

let ready: Promise<void> | null = null;
let loaded = false;

export function initParser(): Promise<void> {
  if (!ready) ready = loadModule().then(() => { loaded = true; });
  return ready;
}
export const parserReady = () => loaded;

export interface RawStmt { stmt: Record<string, any>; location: number; len: number; text: string }

export function parseSql(sql: string): RawStmt[] {
  if (!loaded) throw new Error('parser not initialised: await initParser() first');
  let tree: { stmts?: { stmt: Record<string, any>; stmt_location?: number; stmt_len?: number }[] };
  try {
    tree = parseSync(sql) as typeof tree;
  } catch (e) {
    const d = (e as { sqlDetails?: { message: string; cursorPosition: number } }).sqlDetails;
    if (d) throw new PgError('42601', d.message, { position: byteToCharPosition(sql, d.cursorPosition) + 1 });
    throw new PgError('42601', (e as Error).message);
  }
  const totalBytes = utf8Len(sql, sql.length);
  return (tree.stmts ?? []).map((s) => {
    const loc = s.stmt_location ?? 0;
    const len = s.stmt_len ?? totalBytes - loc;
    const from = byteToCharPosition(sql, loc), to = byteToCharPosition(sql, loc + len);
    return { stmt: s.stmt, location: loc, len, text: sql.slice(from, to).trim() };
  });
}

/** UTF-8 length of the first `chars` UTF-16 units of s. */
function utf8Len(s: string, chars: number): number {
  let n = 0;
  for (let i = 0; i < chars; i++) {
    const c = s.charCodeAt(i);
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdbff ? (i++, 4) : 3;
  }
  return n;
}

/** libpg-query reports byte offsets; PostgreSQL's position field counts characters. */
export function byteToCharPosition(sql: string, bytePos: number): number {
  let bytes = 0, i = 0;
  while (i < sql.length && bytes < bytePos) {
    const c = sql.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) { bytes += 4; i += 2; } else { bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3; i++; }
  }
  return i;
}
