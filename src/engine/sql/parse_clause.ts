/**
 * What a JOIN's ON clause may see (transformJoinOnClause, parser/parse_clause.c): only the two sides of that join —
 * not the other items of the same FROM list, even though they are joined to it in the end.
 *
 *   SELECT * FROM t1 r0, t1 r1 JOIN t2 r2 ON r2.a = r0.b;
 *   ERROR:  invalid reference to FROM-clause entry for table "r0"       (42P01: r0 is in FROM, but not in this join)
 *   SELECT * FROM t3, t1 JOIN t2 ON t2.a = d;                           (d is a column of t3 only)
 *   ERROR:  column "d" does not exist                                   (42703)
 *
 * The executor gathers every FROM item and ON condition of an inner-join tree into one join search, so without this
 * check such a reference would resolve, silently answering a query PostgreSQL refuses. A reference inside a
 * subquery of the ON clause counts too, unless the subquery's own FROM defines the name. A bare column name is
 * checked against plain tables (their columns) only.
 *
 * Mirrors: parse_clause.c (transformFromClauseItem's namespace for a JoinExpr's quals), parse_relation.c
 * (errorMissingRTE's "invalid reference to FROM-clause entry", errorMissingColumn). PostgreSQL's HINT lines ("There
 * is an entry for table ..., but it cannot be referenced from this part of the query.") are not reproduced.
 */
import { PgError, posOf } from '../errors.js';

type N = Record<string, any>;

/** the names a FROM item brings into scope (its alias, or the relation's name; a join: both sides') */
function itemNames(item: N): string[] {
  if (item.RangeVar) return [item.RangeVar.alias?.aliasname ?? item.RangeVar.relname];
  if (item.RangeSubselect) return item.RangeSubselect.alias ? [item.RangeSubselect.alias.aliasname] : [];
  if (item.RangeFunction) return item.RangeFunction.alias ? [item.RangeFunction.alias.aliasname] : [];
  if (item.JoinExpr) return item.JoinExpr.alias ? [item.JoinExpr.alias.aliasname] : [...itemNames(item.JoinExpr.larg), ...itemNames(item.JoinExpr.rarg)];
  return [];
}

/** plain tables of a FROM item, with the name they are known by */
function itemTables(item: N): { name: string; rv: N }[] {
  if (item.RangeVar) return [{ name: item.RangeVar.alias?.aliasname ?? item.RangeVar.relname, rv: item.RangeVar }];
  if (item.JoinExpr && !item.JoinExpr.alias) return [...itemTables(item.JoinExpr.larg), ...itemTables(item.JoinExpr.rarg)];
  return [];
}

/** Every column reference of an expression, with the names its enclosing subqueries' FROM lists define. */
function columnRefs(node: unknown, shadow: ReadonlySet<string>, out: { fields: string[]; location: number; shadow: ReadonlySet<string> }[]) {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) { for (const x of node) columnRefs(x, shadow, out); return; }
  const n = node as N;
  if (n.ColumnRef) {
    const fields = (n.ColumnRef.fields as N[]).map((f) => (f.String ? f.String.sval as string : '*'));
    out.push({ fields, location: n.ColumnRef.location, shadow });
    return;
  }
  if (n.SelectStmt) {
    const inner = new Set(shadow);
    for (const f of (n.SelectStmt.fromClause ?? []) as N[]) for (const nm of itemNames(f)) inner.add(nm);
    for (const [k, v] of Object.entries(n.SelectStmt)) columnRefs(v, k === 'fromClause' ? shadow : inner, out);
    return;
  }
  for (const v of Object.values(n)) columnRefs(v, shadow, out);
}

/**
 * Refuse ON conditions that reach outside their join, as PostgreSQL's parser does. `columnsOf` gives a plain
 * table's column names (null: not a table the check can see into).
 */
export function checkJoinOnScope(from: readonly N[], columnsOf: (rv: N) => string[] | null): void {
  const levelNames = new Set(from.flatMap(itemNames));
  const levelTables = from.flatMap(itemTables);
  const visit = (item: N) => {
    const j = item.JoinExpr;
    if (!j) return;
    visit(j.larg);
    visit(j.rarg);
    if (!j.quals) return;
    const here = new Set([...itemNames(j.larg), ...itemNames(j.rarg)]);
    const hereTables = [...itemTables(j.larg), ...itemTables(j.rarg)];
    const refs: { fields: string[]; location: number; shadow: ReadonlySet<string> }[] = [];
    columnRefs(j.quals, new Set(), refs);
    for (const r of refs) {
      if (r.fields.length === 2) {
        const rel = r.fields[0]!;
        if (!here.has(rel) && !r.shadow.has(rel) && levelNames.has(rel)) {
          throw new PgError('42P01', `invalid reference to FROM-clause entry for table "${rel}"`, { position: posOf(r.location) });
        }
      } else if (r.fields.length === 1 && r.shadow.size === 0) {
        const col = r.fields[0]!;
        if (hereTables.length !== here.size) continue; // a side that is no plain table: the check cannot see into it
        const cols = hereTables.map((t) => columnsOf(t.rv));
        if (cols.some((c) => c === null || c.includes(col))) continue; // found here (or a WITH query / view of that name)
        if (levelTables.some((t) => !here.has(t.name) && columnsOf(t.rv)?.includes(col))) {
          throw new PgError('42703', `column "${col}" does not exist`, { position: posOf(r.location) });
        }
      }
    }
  };
  for (const item of from) visit(item);
}
