/**
 * What the planner believes about a table's size (PostgreSQL's optimizer/util/plancat.c estimate_rel_size and
 * get_rel_data_width, with access/table/tableam.c table_block_relation_estimate_size): the pages it has now, and
 * the tuples it probably holds — the tuple density VACUUM / ANALYZE last measured (reltuples / relpages) times
 * the pages now, or, for a table never vacuumed, pages full of tuples of the width its column types suggest.
 *
 * A table that was never vacuumed (relpages = 0) and has fewer than 10 pages is assumed to have 10: a table just
 * created is not believed to stay small. So a fresh table of two int columns is planned as 2,260 rows:
 *
 *     tuple width   = 4 + 4 (two int4)  + 24 (tuple header, MAXALIGNed)  + 4 (line pointer)  = 36 bytes
 *     density       = (8192 - 24 page header) / 36  = 226 tuples a page   (integer division)
 *     tuples        = 226 * 10 pages = 2,260          -- "rows=2260" in EXPLAIN
 *
 *     CREATE TABLE n (a int, b text): 4 + 32 (a text column's default width) + 28 = 64 -> 127 * 10 = 1,270 rows
 *
 * After VACUUM or ANALYZE of a one-page table with 5 rows: density 5, tuples = 5 * pages now.
 *
 * Column widths are get_typavgwidth's: a fixed-length type its length, a variable-length one without a type
 * modifier 32, with one (char(n), varchar(n), numeric(p,s)) from its maximum size (char(5) 24, varchar(100) 218);
 * after ANALYZE a text / varchar column's measured average (stawidth) — a column added later has none. Simplifications: other
 * variable-length types' measured widths are not kept (their plans' costs are refused, not guessed); n_distinct
 * is exact over the live rows (ANALYZE samples up to 30,000 rows, which on these tables is all of them).
 */
import { plannerIndexes } from '../catalog/catalogsnapshot.js';
import type { Table } from '../catalog/catalog.js';

const BLCKSZ = 8192;
const PAGE_HEADER = 24;
const TUPLE_OVERHEAD = 24 + 4; // MAXALIGN(SizeofHeapTupleHeader) + sizeof(ItemIdData)

const FIXED_WIDTH: Record<string, number> = { bool: 1, int2: 2, int4: 4, int8: 8, float4: 4, float8: 8, date: 4, timestamp: 8, timestamptz: 8, oid: 4, xid: 4,
  regclass: 4, regproc: 4, regprocedure: 4, interval: 16, tid: 6, name: 64 };

/** get_typavgwidth: the planner's guess at a column's width in bytes, and whether it is the type's exact rule. */
export function typeWidth(type: { name: string; typmod?: number }): { width: number; exact: boolean } {
  const fixed = FIXED_WIDTH[type.name];
  if (fixed) return { width: fixed, exact: true };
  // a variable-length type: 32 without a type modifier; with one (varchar(n), numeric(p,s)) get_typavgwidth
  // slides a scale on type_maximum_size: the maximum itself up to 32 (a bpchar always), then halfway above 32,
  // capped at 1000
  const hasTypmod = typeof type.typmod === 'number' && type.typmod >= 0;
  const known = ['text', 'varchar', 'bpchar', 'numeric', 'bytea', 'bit', 'varbit'].includes(type.name);
  if (!hasTypmod) return { width: 32, exact: known };
  const tm = type.typmod!;
  // type_maximum_size: n characters of at most 4 bytes (UTF8) and the 4-byte header; numeric's header and digit groups
  const max = type.name === 'varchar' || type.name === 'bpchar' ? tm * 4 + 4
    : type.name === 'numeric' ? 8 + (Math.trunc((Math.trunc(tm / 65536) + 3) / 4) + 1) * 2
    : type.name === 'bit' || type.name === 'varbit' ? Math.trunc((tm + 7) / 8) + 8 : 0; // the bytes, the bit length and the header
  if (max <= 0) return { width: 32, exact: false };
  const width = type.name === 'bpchar' || max <= 32 ? max : max < 1000 ? 32 + Math.trunc((max - 32) / 2) : 32 + Math.trunc((1000 - 32) / 2);
  return { width, exact: true };
}

export interface RelSize {
  /** pages the planner counts (at least 10 for a never-vacuumed table) */
  pages: number;
  /** estimated tuples (reltuples scaled to the pages now, or pages x density by width) */
  tuples: number;
  /** the row width EXPLAIN prints for all columns */
  width: number;
  /** every width came from a rule the simulator reproduces exactly */
  exact: boolean;
}

/** A column's width as the planner sees it: ANALYZE's measured average (stawidth) for text, else the type's. */
export function columnWidth(t: Table, col: number): { width: number; exact: boolean } {
  const measured = t.stats?.widths?.[col];
  if (typeof measured === 'number') return { width: measured, exact: true };
  const w = typeWidth(t.columns[col]!.type as { name: string; typmod?: number });
  // a variable-length column ANALYZE saw: PostgreSQL uses a measured width the simulator does not keep. Without
  // ANALYZE (stats from an index build, a rewrite or VACUUM only), or for a column added after it, pg_statistic
  // has no row and the width is get_typavgwidth's.
  const analyzed = t.stats?.widths !== undefined && col < t.stats.widths.length;
  return analyzed && !FIXED_WIDTH[t.columns[col]!.type.name] ? { width: w.width, exact: false } : w;
}

/** estimate_rel_size for a heap table (relhassubclass: it has inheritance children, no 10-page minimum). */
export function estimateRelSize(t: Table, relhassubclass = false): RelSize {
  let curpages = t.heap.pages.length;
  const relpages = t.stats?.relpages ?? 0;
  const reltuples = t.stats?.reltuples ?? -1;
  const cols = t.columns.map((c, i) => ({ c, i })).filter((x) => !x.c.dropped).map((x) => columnWidth(t, x.i));
  const width = cols.reduce((a, c) => a + c.width, 0);
  const exact = cols.every((c) => c.exact);
  // (not for an inheritance parent, which is often empty: relhassubclass)
  if (curpages < 10 && relpages === 0 && !relhassubclass) curpages = 10;
  if (curpages === 0) return { pages: 0, tuples: 0, width, exact };
  const density = relpages > 0 ? reltuples / relpages : Math.floor((BLCKSZ - PAGE_HEADER) / (width + TUPLE_OVERHEAD));
  return { pages: curpages, tuples: rint(density * curpages), width, exact };
}

/**
 * Whether the planner knows column `col` to hold no duplicates: a unique single-column index on it
 * (get_variable_numdistinct's vardata->isunique), or ANALYZE found every value distinct (n_distinct = -1).
 */
export function columnUnique(t: Table, col: number): boolean {
  if (plannerIndexes(t).some((i) => i.unique && i.columns.length === 1 && i.columns[0] === col)) return true;
  return t.stats?.distinct?.[col] === -1;
}

/** C's rint(): round to the nearest integer, halves to even. */
export function rint(x: number): number {
  const f = Math.floor(x), d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** clamp_row_est: a row estimate is at least 1 and a whole number. */
export const clampRowEst = (n: number): number => (n <= 1 ? 1 : rint(n));
