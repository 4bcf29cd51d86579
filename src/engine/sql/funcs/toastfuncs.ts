/**
 * pg_column_size and pg_column_compression: how a value is stored.
 *
 *     pg_column_size(s)          bytes the value takes: in a row, a short string has a 1-byte header ('abc' → 4),
 *                                a long one 4 bytes, a compressed one its pglz bytes + 8 (repeat('x', 3000) → 44);
 *                                a value computed by the query (not read from a row) has a 4-byte header ('abc'::text → 7)
 *     pg_column_compression(s)   'pglz' for a value the toaster compressed (heap/heaptoast.ts), else NULL
 *     a value stored out of line: pg_column_size is its size in the TOAST table (toast_internals.ts externalSize)
 *
 * Mirrors: src/backend/utils/adt/varlena.c (pg_column_size, pg_column_compression), toast_datum_size.
 * Simplifications: a compressed value is recognised only when it is read straight from a table's row (a column
 * of a single-table scan); the types sized here are the fixed-width ones, text-like ones, bytea and numeric (others: 0A000).
 */
import { notSupported } from '../../errors.js';
import { register, type FuncDef } from './registry.js';
import { T, Bytea, PgRecord, formatValue, type SqlType, type Value } from '../types.js';
import { Numeric } from '../numeric.js';
import { numericStoredSize, tupleLength } from '../../heap/tuple.js';
import { typlenAlign } from '../../heap/datum.js';
import { compressedOf, columnSize, TEXTLIKE, type Compressed } from '../../heap/heaptoast.js';
import { utf8Len } from '../utf8.js';
import type { Row } from '../primnodes.js';
import { PgBit } from '../../adt/varbit.js';

/** the compressed form of v in the row being read, if the row's tuple stores it compressed */
function compressedIn(r: Row, v: Value): Compressed | undefined {
  const it = r.item;
  if (!it) return undefined;
  const c = compressedOf(it.values);
  if (!c) return undefined;
  for (let k = 0; k < c.length; k++) if (c[k] && it.values[k] === v) return c[k];
  return undefined;
}

/** toast_datum_size / VARSIZE_ANY: the stored size of a value read from a row (short header) or computed (4 bytes) */
function datumSize(v: Value, t: SqlType, fromRow: boolean): number {
  const [len] = typlenAlign(t);
  if (len > 0) return len;
  if (t.name === 'unknown' || t.name === 'cstring') return utf8Len(String(formatValue(v))) + 1; // a C string and its NUL
  if (TEXTLIKE.has(t.name) || v instanceof Bytea) {
    const n = v instanceof Bytea ? v.length : utf8Len(String(formatValue(v)));
    return fromRow && n + 1 <= 127 ? n + 1 : n + 4;
  }
  if (v instanceof PgBit) { const n = 4 + v.bytes.length; return fromRow && n + 1 <= 127 ? n + 1 : n + 4; } // bit length + bytes
  if (v instanceof PgRecord && t.composite) { // a composite datum: a tuple of its own (heap/datum.ts recordImage)
    const s = tupleLength(v.vals, t.composite.fields.map((f) => f.type)).len;
    return fromRow && s - 3 <= 127 ? s - 3 : s;
  }
  if (t.name === 'numeric' && v instanceof Numeric) { const s = numericStoredSize(v); return fromRow ? s : s > 127 ? s : s + 3; }
  throw notSupported(`pg_column_size() of a value of type ${t.name}`);
}

const defs: FuncDef[] = [
  {
    name: 'pg_column_size', args: ['any'], ret: T.int4,
    build: ([a]) => {
      const fromRow = !!a!.columnRef;
      return (r) => {
        const v = a!.fn(r);
        if (v === null) return null;
        const c = fromRow ? compressedIn(r, v) : undefined;
        return c ? columnSize(c) : datumSize(v, a!.type, fromRow);
      };
    },
  },
  {
    name: 'pg_column_compression', args: ['any'], ret: T.text,
    build: ([a]) => (r) => {
      const v = a!.fn(r);
      if (v === null) return null;
      const c = a!.columnRef ? compressedIn(r, v) : undefined;
      return c && !c.raw ? 'pglz' : null; // compressed, in the row or out of line
    },
  },
];
register(defs);
