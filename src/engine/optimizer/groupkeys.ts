/**
 * GROUP BY and a table's primary key: functional dependency.
 *
 * When a query groups by every column of a table's PRIMARY KEY, each group holds at most one row of that table, so
 * the table's other columns have one value per group. PostgreSQL uses this twice:
 *
 * - the parser lets the select list, HAVING and ORDER BY name those other columns ungrouped
 *   (parse_agg.c check_ungrouped_columns_walker -> pg_constraint.c check_functional_grouping):
 *
 *       CREATE TABLE t (a int PRIMARY KEY, b int, c text);
 *       SELECT a, b, c FROM t GROUP BY a;          -- allowed: b and c depend on a
 *       SELECT t.c, u.y FROM t JOIN u ... GROUP BY t.a;   -- ERROR names u.y, not t.c
 *
 * - the planner drops the dependent columns from the grouping keys (planner.c remove_useless_groupby_columns):
 *   `GROUP BY a, b` hashes and sorts on `a` alone, and EXPLAIN prints `Group Key: a`. The hash of the key decides the
 *   order a HashAggregate returns its groups in, so this shows in every result without ORDER BY.
 *
 * Only plain columns count, on both sides: an expression such as `b + 1` in GROUP BY stays a key, and a key column
 * grouped inside an expression does not make the table's other columns dependent. A UNIQUE constraint does not do
 * this (its columns may be NULL), nor does a deferrable primary key (the simulator has none).
 */
import type { Table } from '../catalog/catalog.js';
import { plannerIndexes } from '../catalog/catalogsnapshot.js';

/** A relation of the query's FROM list: where its columns sit in the row, and the table when it is one. */
export interface GroupRel { offset: number; count: number; table?: Table }

/** get_primary_key_attnos: the primary key's columns, or null when the table has none. */
function primaryKeyColumns(t: Table): number[] | null {
  const pk = plannerIndexes(t).find((i) => i.primary);
  return pk && !pk.def?.exprs.length ? [...pk.columns] : null;
}

/**
 * For GROUP BY items (a plain column's position in the row, or an expression): `dependent`, the positions of every
 * column of a relation whose primary key is grouped (the parser accepts them ungrouped), and `useless`, the GROUP
 * BY columns the planner drops as keys (grouped columns of such a relation outside its key).
 */
export function functionalGrouping(rels: GroupRel[], groupItems: readonly (number | object)[]): { dependent: Set<number>; useless: Set<number> } {
  const grouped = new Set(groupItems.filter((x): x is number => typeof x === 'number'));
  const dependent = new Set<number>(), useless = new Set<number>();
  for (const r of rels) {
    const pk = r.table ? primaryKeyColumns(r.table) : null;
    if (!pk || !pk.every((c) => grouped.has(r.offset + c))) continue;
    for (let i = 0; i < r.count; i++) dependent.add(r.offset + i);
    for (const g of grouped) if (g >= r.offset && g < r.offset + r.count && !pk.includes(g - r.offset)) useless.add(g);
  }
  return { dependent, useless };
}
