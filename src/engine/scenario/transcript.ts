/**
 * Transcript formatting, byte for byte as PostgreSQL's isolation tester prints it.
 *
 * Result sets go through libpq's PQprint with align on and "|" as separator: every column is as wide as its
 * widest value or header (in bytes), a column is right-aligned when every non-empty value looks numeric
 * (digits, '.', 'e', '-', ' ' and ending in a digit), headers follow their column's alignment, NULL prints as
 * nothing, and the table ends with "(N rows)" and a blank line. Errors print as "ERROR:  message" (terse);
 * notices as "session: NOTICE:  message". With verbose errors (a Heapscope extension), DETAIL, HINT and
 * CONTEXT lines follow.
 *
 * Mirrors: src/interfaces/libpq/fe-print.c (PQprint, do_field, do_header, output_row) and
 * src/test/isolation/isolationtester.c (printResultSet, the step/notice lines).
 */
import type { PgMessage } from '../errors.js';
import { utf8Len } from '../sql/utf8.js';

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

export function formatMessage(m: PgMessage, verbose: boolean): string {
  let out = `${m.severity}:  ${m.message}\n`;
  if (verbose) {
    if (m.detail) out += `DETAIL:  ${m.detail}\n`;
    if (m.hint) out += `HINT:  ${m.hint}\n`;
    if (m.context) out += `CONTEXT:  ${m.context}\n`;
  }
  return out;
}
