/**
 * Transcript formatting, byte for byte as PostgreSQL's isolation tester prints it.
 *
 * Result sets go through libpq's PQprint with align on and "|" as separator: every column is as wide as its
 * widest value or header (in bytes), a column is right-aligned when every non-empty value looks numeric
 * (digits, '.', 'e', '-', ' ' and ending in a digit), headers follow their column's alignment, NULL prints as
 * nothing, and the table ends with "(N rows)" and a blank line. A step's error prints as "ERROR:  message"
 * (the tester shows the primary message only); with verbose errors (a Heapscope extension), DETAIL, HINT and
 * CONTEXT lines follow.
 *
 * Notices ("s1: NOTICE:  ...") and the messages of a failed setup or teardown ("setup failed: ERROR:  ...") are
 * what libpq's notice processor and PQerrorMessage hand the tester: libpq's default verbosity — severity and
 * message, the cursor display "LINE n: ..." with a "^" under the error position when there is one, DETAIL,
 * HINT, and CONTEXT for errors only (PQSHOW_CONTEXT_ERRORS).
 *
 * Mirrors: src/interfaces/libpq/fe-print.c (PQprint, do_field, do_header, output_row),
 * fe-protocol3.c (pqBuildErrorMessage3, reportErrorPosition) and src/test/isolation/isolationtester.c
 * (printResultSet, the step/notice lines). Simplified: screen widths count East Asian wide characters as 2 and
 * every other character as 1 (libpq's ucs_wcwidth also knows zero-width ones, which it then prints as 1 anyway);
 * internal queries ("QUERY:" lines of PL/pgSQL errors) are not shown, as no driver reports them.
 */
import type { PgMessage } from '../engine/errors.js';
import { utf8Len } from '../engine/sql/utf8.js';

export interface ResultSet { columns: string[]; rows: (string | null)[][] }

const utf8Bytes = (s: string) => utf8Len(s);
const pad = (s: string, width: number, right: boolean) => {
  const fill = ' '.repeat(Math.max(0, width - utf8Bytes(s)));
  return right ? fill + s : s + fill;
};

function looksNumeric(v: string): boolean {
  let last = '0';
  for (const ch of v) {
    last = ch;
    if (!((ch >= '0' && ch <= '9') || ch === '.' || ch === 'E' || ch === 'e' || ch === ' ' || ch === '-')) return false;
  }
  if (v[0] === 'E' || v[0] === 'e' || !(last >= '0' && last <= '9')) return false;
  return true;
}

export function formatResultSet(rs: ResultSet): string {
  const n = rs.columns.length;
  // no columns and no rows (CREATE TABLE AS): PostgreSQL 15's isolationtester prints nothing for it (measured:
  // tests/scenarios/temp/on-commit.spec, the tester's own output compared by scripts/check-isolationtester.ts)
  if (n === 0 && rs.rows.length === 0) return '';
  const width = rs.columns.map((c) => utf8Bytes(c));
  const numeric = rs.columns.map(() => true);
  for (const row of rs.rows) {
    for (let j = 0; j < n; j++) {
      const v = row[j];
      if (v === null || v === undefined || v === '') continue;
      const len = utf8Bytes(v);
      if (len > width[j]!) width[j] = len;
      if (numeric[j] && !looksNumeric(v)) numeric[j] = false;
    }
  }
  let out = rs.columns.map((c, j) => pad(c, width[j]!, numeric[j]!)).join('|') + '\n';
  out += width.map((w) => '-'.repeat(w)).join('+') + '\n';
  for (const row of rs.rows) out += row.map((v, j) => pad(v ?? '', width[j]!, numeric[j]!)).join('|') + '\n';
  out += `(${rs.rows.length} row${rs.rows.length === 1 ? '' : 's'})\n\n`;
  return out;
}

/** What libpq adds to a FATAL that ends the connection (the server closes it after sending the message). */
export const LIBPQ_CONNECTION_CLOSED = 'server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request.\n';

/** A FATAL as PQerrorMessage hands it to the tester: the server's message, then libpq's note that the connection closed. */
export function connectionClosedMessage(m: PgMessage): PgMessage {
  return { ...m, message: `${m.message}\n${LIBPQ_CONNECTION_CLOSED}` };
}

export function formatMessage(m: PgMessage, verbose: boolean): string {
  let out = `${m.severity}:  ${m.message}\n`;
  if (verbose) {
    if (m.detail) out += `DETAIL:  ${m.detail}\n`;
    if (m.hint) out += `HINT:  ${m.hint}\n`;
    if (m.context) out += `CONTEXT:  ${m.context}\n`;
  }
  return out;
}

/**
 * VACUUM VERBOSE's measurements — I/O rates, buffer hits, WAL volume, CPU and elapsed time — vary from run to run
 * on a real server and are not modelled by the engine: transcripts show them as for an instant run, on both sides.
 */
export function normalizeVacuumReport(text: string): string {
  if (!/^(avg read rate|buffer usage|WAL usage|system usage): /m.test(text)) return text;
  return text
    .replace(/^avg read rate: .*$/gm, 'avg read rate: 0.000 MB/s, avg write rate: 0.000 MB/s')
    .replace(/^buffer usage: .*$/gm, 'buffer usage: 0 hits, 0 misses, 0 dirtied')
    .replace(/^WAL usage: .*$/gm, 'WAL usage: 0 records, 0 full page images, 0 bytes')
    .replace(/^system usage: .*$/gm, 'system usage: CPU: user: 0.00 s, system: 0.00 s, elapsed: 0.00 s');
}

/**
 * An error or notice as libpq formats it at its default verbosity (PQerrorMessage, the notice processor).
 * `query` is the query string the message's position refers to.
 */
export function formatLibpqMessage(m: PgMessage, query: string | null, isError: boolean): string {
  let out = `${m.severity}:  ${normalizeVacuumReport(m.message)}`;
  const cursor = m.position !== undefined && query !== null ? errorCursor(query, m.position) : '';
  if (m.position !== undefined && query === null) out += ` at character ${m.position}`;
  out += '\n' + cursor;
  if (m.detail) out += `DETAIL:  ${m.detail}\n`;
  if (m.hint) out += `HINT:  ${m.hint}\n`;
  if (isError && m.context) out += `CONTEXT:  ${m.context}\n`;
  return out;
}

const DISPLAY_SIZE = 60; // libpq's screen width limit for the cursor display
const MIN_RIGHT_CUT = 10; // keep this many columns right of the cursor when cutting a long line

function screenWidth(ch: string): number {
  const c = ch.codePointAt(0)!;
  const wide = (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf && c !== 0x303f) || (c >= 0xac00 && c <= 0xd7a3)
    || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe6f) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6)
    || (c >= 0x20000 && c <= 0x2fffd) || (c >= 0x30000 && c <= 0x3fffd);
  return wide ? 2 : 1;
}

/**
 * libpq's cursor display: the line of `query` holding 1-based character `position`, as "LINE n: text", cut to
 * about 60 columns around the position with "..." where cut, and a "^" under the position. Tabs show as spaces;
 * "\r\n" ends one line, a lone "\r" or "\n" one each. '' when the position lies past the end.
 */
export function errorCursor(query: string, position: number): string {
  const loc = position - 1;
  if (loc < 0) return '';
  const chars = Array.from(query, (c) => (c === '\t' ? ' ' : c));
  const col: number[] = []; // screen column where each character starts
  let scr = 0, lineNo = 1, beg = 0, end = -1, k = 0;
  for (; k < chars.length; k++) {
    const c = chars[k]!;
    col[k] = scr;
    if (c === '\r' || c === '\n') {
      if (k < loc) {
        if (c === '\r' || k === 0 || chars[k - 1] !== '\r') lineNo++;
        beg = k + 1;
      } else { end = k; break; }
    }
    scr += screenWidth(c);
  }
  if (end < 0) { end = k; col[end] = scr; }
  if (loc > k) return '';
  let cutLeft = false, cutRight = false;
  if (col[end]! - col[beg]! > DISPLAY_SIZE) {
    if (col[beg]! + DISPLAY_SIZE >= col[loc]! + MIN_RIGHT_CUT) {
      while (col[end]! - col[beg]! > DISPLAY_SIZE) end--;
      cutRight = true;
    } else {
      while (col[loc]! + MIN_RIGHT_CUT < col[end]!) { end--; cutRight = true; }
      while (col[end]! - col[beg]! > DISPLAY_SIZE) { beg++; cutLeft = true; }
    }
  }
  const prefix = `LINE ${lineNo}: ${cutLeft ? '...' : ''}`;
  return `${prefix}${chars.slice(beg, end).join('')}${cutRight ? '...' : ''}\n${' '.repeat(prefix.length + col[loc]! - col[beg]!)}^\n`;
}
