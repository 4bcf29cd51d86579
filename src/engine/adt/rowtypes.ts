/**
 * Composite values: a row used as a value (PostgreSQL's utils/adt/rowtypes.c record_out / btrecordcmp, and
 * executor/execExprInterp.c ExecEvalRowNull).
 *
 * A whole-row reference (`SELECT t FROM t`, `row_to_json(t)`, `count(t.*)`) and a row constructor
 * (`ROW(1, 'a')`, `(1, 'a')`) make one: its fields' values and, in its type, the fields' names and types. The row
 * type of a table is named after the table (pg_typeof(t) is `t`); a subquery's row, a ROW(...) and a join's are
 * `record`, whose fields a ROW(...) names f1, f2, ...
 *
 * Text (record_out): the fields' output texts between parentheses, separated by commas; a NULL field is nothing;
 * a field is double-quoted when it is empty or holds a quote, backslash, parenthesis, comma or white space
 * (isspace: space, \t \n \v \f \r), and inside the quotes every " and \ is doubled:
 *
 *     SELECT ROW(1, 'a b', NULL, '', 'say "hi"');    →  (1,"a b",,"","say ""hi""")
 *     SELECT ROW(ROW(1, 2), 'z');                    →  ("(1,2)",z)
 *
 * Order (btrecordcmp, used by ORDER BY, DISTINCT, and = / < on record values): field by field, a NULL field equal
 * to another NULL and greater than any value — so `t = t` is true for a row with NULL fields. A comparison of two
 * written ROW(...) constructors is per field instead (sql/rowexpr.ts: make_row_comparison_op), with SQL's NULLs.
 *
 * IS NULL / IS NOT NULL of a row (ExecEvalRowNull): IS NULL when the row is NULL or every field is NULL, IS NOT
 * NULL when it is not NULL and no field is NULL (a nested row is a field like any other: not looked into).
 *
 * Input (record_in, for a named row type: a composite type of CREATE TYPE ... AS (...) or a table's row type):
 * '(' then the fields separated by commas, then ')' and nothing but white space after it. A field with nothing in
 * it is NULL; "" is the empty string; inside a field, a backslash takes the next character as it is, a double
 * quote starts or ends a quoted run (where commas, parentheses and white space are data) and "" inside quotes is
 * one quote. White space outside quotes is kept as data (only before the '(' and after the ')' is it skipped):
 *
 *     '(1,abc)'::pair      →  (1,abc)            '(,)'::pair     →  (,)   both fields NULL
 *     '( 5 , x y )'::pair  →  (5," x y ")        '(1,a\"b)'    →  a"b
 *     '(1,2,3)', '(1)', '()', 'abc', '(1,2) junk'   →  22P02 malformed record literal: "..."
 *
 * An anonymous record has no input function of its own (0A000 "input of anonymous composite types is not
 * implemented").
 *
 * A named row type's value stored in a table column is a tuple of its own (heap/datum.ts recordImage, the layout
 * heap_page_items' t_data shows).
 *
 * Simplifications: a dropped column of a table's row type is not a field (PostgreSQL keeps it as a NULL field
 * inside the datum); ALTER TYPE on a composite type (ADD / DROP / ALTER ATTRIBUTE, RENAME) is refused (0A000); a
 * table's row type is read from its columns when named, so a value stored before ALTER TABLE changed them is not
 * re-shaped.
 */
import { PgError } from '../errors.js';
import type { SqlType, Value } from '../sql/types.js';

/** one field of a row type: its name and type (a dropped column is not one) */
export interface RowField { name: string; type: SqlType }

/** The type of a row value: `record`, carrying its fields; relName (and its pg_type oid) when it is a named row type. */
export function recordType(fields: RowField[], relName: string | null, typeOid?: number): SqlType {
  return { name: 'record', typmod: -1, composite: typeOid === undefined ? { fields, relName } : { fields, relName, typeOid } };
}

/** A named row type: a composite type's (CREATE TYPE ... AS) or a table's, with its fields and pg_type oid. */
export interface NamedRowType { name: string; typeOid: number; fields: RowField[]; table: boolean }
/** A composite type of CREATE TYPE name AS (...): its pg_type oid, its pg_class row's (relkind 'c'), its fields. */
export interface CompositeType { oid: number; relOid: number; name: string; fields: RowField[]; nameXmin?: number }

/** How type names find row types (composite types, tables): set by the executor for each statement it runs. */
export const rowTypeLookup: { byName(name: string): NamedRowType | undefined } = { byName: () => undefined };

/** The fields of a record_in literal as text (null: a NULL field), or 22P02 malformed record literal. */
export function recordInFields(s: string, nfields: number): (string | null)[] {
  const bad = (detail: string) => new PgError('22P02', `malformed record literal: "${s}"`, { detail });
  let i = 0;
  while (i < s.length && isSpace(s[i]!)) i++;
  if (s[i] !== '(') throw bad('Missing left parenthesis.');
  i++;
  const out: (string | null)[] = [];
  let needComma = false;
  for (let k = 0; k < nfields; k++) {
    if (needComma) {
      if (s[i] === ',') i++;
      else throw bad(s[i] === ')' ? 'Too few columns.' : 'Unexpected end of input.');
    }
    if (s[i] === ',' || s[i] === ')') out.push(null);
    else {
      let buf = '', inQuote = false;
      for (;;) {
        const c = s[i];
        if (c === undefined) throw bad('Unexpected end of input.');
        if (!inQuote && (c === ',' || c === ')')) break;
        i++;
        if (c === '\\') {
          if (i >= s.length) throw bad('Unexpected end of input.');
          buf += s[i++];
        } else if (c === '"') {
          if (!inQuote) inQuote = true;
          else if (s[i] === '"') { buf += '"'; i++; } else inQuote = false;
        } else buf += c;
      }
      out.push(buf);
    }
    needComma = true;
  }
  if (s[i] !== ')') throw bad('Too many columns.');
  i++;
  while (i < s.length && isSpace(s[i]!)) i++;
  if (i < s.length) throw bad('Junk after right parenthesis.');
  return out;
}

/** An output text (as types.ts formatValue; repeated here so that this module imports no value from sql/) */
const out = (v: Value): string | null => (v === null ? null : typeof v === 'boolean' ? (v ? 't' : 'f') : String(v));
/** C's isspace in the "C" locale */
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';

/** record_out */
export function recordOut(vals: readonly Value[]): string {
  let s = '(';
  vals.forEach((v, i) => {
    if (i > 0) s += ',';
    const x = out(v);
    if (x === null) return;
    let quote = x === '';
    for (let k = 0; !quote && k < x.length; k++) { const c = x[k]!; if (c === '"' || c === '\\' || c === '(' || c === ')' || c === ',' || isSpace(c)) quote = true; }
    s += quote ? '"' + x.replace(/["\\]/g, '$&$&') + '"' : x;
  });
  return s + ')';
}

/** A row value: its fields' values, in the order of its type's fields. */
export class PgRecord {
  constructor(readonly vals: Value[]) {}
  toString(): string { return recordOut(this.vals); }
  /** equal rows share it (btrecordcmp's equality: NULL fields equal each other, fields by their own equality) */
  key(): string {
    return 'R' + JSON.stringify(this.vals.map((x) => (x === null ? null : typeof x === 'object' && 'key' in x && typeof x.key === 'function' ? String(x.key()) : out(x))));
  }
}

/** btrecordcmp: field by field, a NULL field after every value; `cmp` compares two non-NULL fields */
export function recordCmp(a: PgRecord, b: PgRecord, cmp: (x: Exclude<Value, null>, y: Exclude<Value, null>) => number): number {
  const n = Math.min(a.vals.length, b.vals.length);
  for (let i = 0; i < n; i++) {
    const x = a.vals[i]!, y = b.vals[i]!;
    if (x === null || y === null) {
      if (x === null && y === null) continue;
      return x === null ? 1 : -1;
    }
    const c = cmp(x, y);
    if (c !== 0) return c;
  }
  if (a.vals.length !== b.vals.length) throw new PgError('42804', 'cannot compare record types with different numbers of columns');
  return 0;
}

/** ExecEvalRowNull: IS NULL (`wantNull`) or IS NOT NULL of a row value */
export function rowNullTest(v: Value, wantNull: boolean): boolean {
  if (v === null) return wantNull;
  if (!(v instanceof PgRecord)) return wantNull ? false : true;
  return wantNull ? v.vals.every((x) => x === null) : v.vals.every((x) => x !== null);
}
