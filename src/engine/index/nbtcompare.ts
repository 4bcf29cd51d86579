/**
 * The order of a B-tree's entries (PostgreSQL's access/nbtree/nbtcompare.c, the btint4cmp / bttextcmp & co. support
 * functions, and _bt_compare's heap-TID tiebreak): key column by key column, NULLs last (the default NULLS LAST of
 * an ascending index), then the heap TID — since PostgreSQL 12 every leaf entry is unique in (key, TID).
 *
 *     (1, (0,2)) < (1, (0,3)) < (2, (0,1)) < (NULL, (0,4))
 *
 * Arrays compare as btarraycmp does (adt/arrayfuncs.ts), rows as btrecordcmp (adt/rowtypes.ts); floats, numerics, dates and timestamps by their own
 * comparisons (sql/adtops.ts adtCompare).
 * Simplified: other values compare as JavaScript compares them (numbers numerically, text by code unit — the C collation);
 * DESC columns and other collations are not modelled.
 */
import { type Value, PgArray, PgRecord } from '../sql/types.js';
import { recordCmp } from '../adt/rowtypes.js';
import { arrayCmp } from '../adt/arrayfuncs.js';
import { adtCompare } from '../sql/adtops.js';
import { Numeric } from '../sql/numeric.js';

/** one key column's comparison, NULLs last */
export function cmpValue(x: Value, y: Value): number {
  if (x === y) return 0;
  if (x === null) return 1;
  if (y === null) return -1;
  if (x instanceof PgArray && y instanceof PgArray) return arrayCmp(x, y, cmpValue); // btarraycmp
  if (x instanceof PgRecord && y instanceof PgRecord) return recordCmp(x, y, cmpValue); // btrecordcmp: NULL fields last
  // btfloat8cmp (NaN last), numeric_cmp, dates and timestamps by their own comparisons — not by their output text
  if (x instanceof Numeric && y instanceof Numeric) return x.cmp(y);
  if (typeof x === 'object' && typeof y === 'object') { const c = adtCompare(x, y); if (c !== null) return c; }
  return x < y ? -1 : x > y ? 1 : 0;
}

/** a leaf entry's order: (key, heap TID) */
export function leafOrder(a: { key: Value[]; tid: number }, b: { key: Value[]; tid: number }): number {
  for (let i = 0; i < a.key.length; i++) { const c = cmpValue(a.key[i]!, b.key[i]!); if (c) return c; }
  return a.tid - b.tid;
}
