/**
 * The view pg_stats: pg_statistic as a learner reads it — per analyzed column, null_frac, avg_width, n_distinct,
 * the most common values with their frequencies, the histogram's bounds and the correlation, from the statistics
 * ANALYZE computed for the planner (commands/analyze.ts computeScalarStats; commands/vacuum.ts columnStats).
 *
 *     CREATE TABLE t (a int, b text);  INSERT INTO t SELECT i % 3, 'x' || i FROM generate_series(1, 6) i;  ANALYZE t;
 *     SELECT attname, null_frac, avg_width, n_distinct, most_common_vals, most_common_freqs, histogram_bounds, correlation
 *       FROM pg_stats WHERE tablename = 't';
 *     -- a | 0 | 4 | -0.5 | {0,1,2} | {0.33333334,0.33333334,0.33333334} |  | 0.14285715 ...
 *
 * The tables are far below ANALYZE's 30,000-row sample, so the sample is the table and the figures are PostgreSQL's.
 * most_common_vals and histogram_bounds (anyarray) print as an array of the column's type.
 *
 * Mirrors: src/backend/catalog/system_views.sql (pg_stats), commands/analyze.c (compute_scalar_stats: stawidth).
 * Simplifications: only the user's tables (PostgreSQL lists the system catalogs initdb analyzed too); no rows for an
 * inheritance tree's "inherited" statistics — a parent with children or a partitioned table is refused with 0A000;
 * refused when read: avg_width of a column whose stored width is not measured (other than integers, floats,
 * dates, times, booleans, text, varchar, numeric), the element statistics of an array column (array_typanalyze),
 * and schemaname of a temporary table.
 */
import type { Engine } from '../engine.js';
import { T, PgArray, type SqlType, type Value } from '../sql/types.js';
import { floatIn } from '../adt/float.js';
import { notSupported } from '../errors.js';
import { typlenAlign } from '../heap/datum.js';
import type { SystemRelation } from './sysviews.js';
import { visibleClassRows } from './catalogsnapshot.js';
import { inheritanceChildren } from './pg_inherits.js';

const FLOAT4_ARRAY: SqlType = { name: '_float4', typmod: -1, elem: T.float4 };
const f4 = (x: number) => floatIn(String(Math.fround(x)), true);

function refuse(row: Value[], col: number, what: string): void {
  Object.defineProperty(row, col, { enumerable: true, get() { throw notSupported(what); } });
}

const COLUMNS: [string, SqlType][] = [
  ['schemaname', T.name], ['tablename', T.name], ['attname', T.name], ['inherited', T.bool], ['null_frac', T.float4],
  ['avg_width', T.int4], ['n_distinct', T.float4], ['most_common_vals', T.text], ['most_common_freqs', FLOAT4_ARRAY],
  ['histogram_bounds', T.text], ['correlation', T.float4], ['most_common_elems', T.text], ['most_common_elem_freqs', FLOAT4_ARRAY],
  ['elem_count_histogram', FLOAT4_ARRAY],
];

export function pgStatsView(eng: Engine): SystemRelation {
  const rows: Value[][] = [];
  for (const { table: t, name } of visibleClassRows(eng)) {
    const cols = t.stats?.columns;
    if (!cols) continue;
    if (t.partKey || inheritanceChildren(eng.catalog, t).length) throw notSupported(`pg_stats of the inheritance tree of "${name}" (its inherited statistics)`);
    for (const [c, col] of t.columns.entries()) {
      const st = cols[c];
      if (col.dropped || !st) continue;
      const arr = (vals: Value[] | null | undefined) => (vals?.length ? new PgArray(vals as ConstructorParameters<typeof PgArray>[0]) : null);
      const ty = col.type.name;
      const typlen = typlenAlign(col.type)[0];
      const fixed = typlen > 0 ? typlen : undefined;
      const varlen = ['text', 'varchar', 'numeric', 'bit', 'varbit'].includes(ty);
      const width = fixed ?? (varlen ? (st.nullfrac === 1 ? 0 : t.stats!.widths?.[c] ?? null) : null);
      const row: Value[] = [
        t.nsp?.name ?? 'public', name, col.name, false, f4(st.nullfrac), width, f4(st.stadistinct),
        arr(st.mcv?.values), st.mcv ? new PgArray(st.mcv.freqs.map(f4)) : null, arr(st.histogram),
        st.correlation === null ? null : f4(st.correlation), null, null, null,
      ];
      if (t.temp) refuse(row, 0, 'pg_stats.schemaname of a temporary table');
      if (width === null) refuse(row, 5, `pg_stats.avg_width of a ${ty} column`);
      if (col.type.elem) for (const k of [11, 12, 13]) refuse(row, k, `pg_stats.${COLUMNS[k]![0]} of an array column (array_typanalyze)`);
      rows.push(row);
    }
  }
  return {
    columns: COLUMNS.map(([n, type]) => ({ name: n, type })), rows,
    starRefused: '',
  };
}
