/**
 * EXPLAIN of a WITH query that stays a CTE, and of a subquery in FROM that stays (PostgreSQL's optimizer/plan/subselect.c SS_process_ctes, explain.c's
 * CTE Scan): a CTE the planner does not inline (MATERIALIZED, or read more than once …) is planned on its own, as
 * an InitPlan named "CTE c" hung under the query's top node, and the query reads its rows through a CTE Scan —
 * its WHERE conditions the scan's Filter (unqualified, as show_scan_qual prints a CTE Scan's); the nodes above
 * are those of any one-table query, their keys qualified (the range table now has several entries):
 *
 *     WITH c AS MATERIALIZED (SELECT * FROM t) SELECT * FROM c WHERE k = 1 ORDER BY v;
 *     Sort
 *       Sort Key: c.v
 *       CTE c
 *         ->  Seq Scan on t
 *       ->  CTE Scan on c
 *             Filter: (k = 1)
 *
 * The executor runs such a CTE the same way (executor/nodeCtescan.ts: materialized once, then read by name).
 * EXPLAIN analyzes the query without reading the CTE's rows (Session.noRows), as PostgreSQL plans without running.
 *
 * A subquery in FROM that stays is read the same way, by a Subquery Scan (keptSubquery below).
 *
 * Simplifications, refused with 0A000: WITH RECURSIVE (Recursive Union, WorkTable Scan), several WITH queries,
 * data-modifying ones, a CTE read anywhere but as the query's one FROM item (a join of CTE Scans, a subquery),
 * subqueries beside a CTE (their InitPlan and parameter numbers follow the CTE's), costs, ANALYZE and VERBOSE.
 */
import { notSupported } from '../errors.js';
import type { N } from '../executor/util.js';
import type { Options } from './plannodes.js';

/** The one CTE a query keeps and reads as its FROM item: its name, its query, the alias it is read under. */
export interface KeptCte { name: string; query: N; alias: string | null }

/** How often a parse tree reads a relation of this name (unqualified). */
function references(x: unknown, name: string): number {
  if (!x || typeof x !== 'object') return 0;
  const o = x as N;
  if (o.RangeVar && !o.RangeVar.schemaname && o.RangeVar.relname === name) return 1;
  return Object.values(o).reduce((a: number, v) => a + references(v, name), 0);
}

/** The query's kept CTE in a shape EXPLAIN prints, or a 0A000 naming the shape it does not. */
export function keptCte(n: N, o: Options): KeptCte {
  const w = n.withClause;
  const ctes = (w.ctes ?? []) as N[];
  if (w.recursive) throw notSupported('EXPLAIN of WITH RECURSIVE (Recursive Union, WorkTable Scan)');
  if (ctes.length !== 1) throw notSupported('EXPLAIN of several WITH queries that stay CTEs');
  const c = ctes[0]!.CommonTableExpr;
  const q = c.ctequery as N;
  if (!q.SelectStmt) throw notSupported('EXPLAIN of a data-modifying WITH query');
  if (c.aliascolnames?.length) throw notSupported('EXPLAIN of a WITH query with column aliases');
  const name = c.ctename as string;
  const from = (n.fromClause ?? []) as N[];
  const rv = from.length === 1 ? from[0]!.RangeVar : undefined;
  const main = { ...n, withClause: undefined };
  if (!rv || rv.schemaname || rv.relname !== name || references(main, name) !== 1) {
    throw notSupported('EXPLAIN of a CTE read other than as the query\'s one FROM item (CTE Scans joined, or in a subquery)');
  }
  if (references(q, name)) throw notSupported('EXPLAIN of a WITH query reading itself');
  if (o.analyze) throw notSupported('EXPLAIN ANALYZE of a CTE Scan');
  if (o.verbose) throw notSupported('EXPLAIN (VERBOSE) of a CTE Scan');
  return { name, query: q.SelectStmt, alias: rv.alias?.aliasname ?? null };
}

/** A subquery in FROM that stays (not pulled up): its query and alias. */
export interface KeptSubquery { query: N; alias: string }

/**
 * A subquery in FROM the planner keeps (it has LIMIT, DISTINCT, GROUP BY … and so cannot be pulled up), read by a
 * Subquery Scan whose Filter holds the outer WHERE conditions that could not be pushed into it (subquerypush.ts:
 * not past a LIMIT), qualified as show_scan_qual qualifies a Subquery Scan's:
 *
 *     SELECT * FROM (SELECT * FROM t LIMIT 2) s WHERE v > 1;
 *     Subquery Scan on s
 *       Filter: (s.v > 1)
 *       ->  Limit
 *             ->  Seq Scan on t
 *
 * Without a condition left the Subquery Scan may be dropped (setrefs.c trivial_subqueryscan): only `SELECT * FROM
 * (…) s` is printed so (explainselect.ts trivialWrapper); the rest is refused, as are window functions in the subquery (PostgreSQL 15 turns a condition on one into the
 * WindowAgg's Run Condition), LATERAL, column aliases, a
 * subquery beside other FROM items, costs, ANALYZE and VERBOSE.
 */
export function keptSubquery(n: N, o: Options): KeptSubquery {
  const from = (n.fromClause ?? []) as N[];
  const rs = from[0]!.RangeSubselect;
  if (from.length !== 1 || rs.lateral || rs.alias?.colnames?.length || !rs.subquery?.SelectStmt) throw notSupported('EXPLAIN of this subquery in FROM (Subquery Scan)');
  if (!n.whereClause) throw notSupported('EXPLAIN of a Subquery Scan without conditions of its own (setrefs.c may drop it)');
  // a condition on a window function's result becomes the WindowAgg's Run Condition in PostgreSQL 15 (not modelled)
  if (JSON.stringify(rs.subquery).includes('"over"')) throw notSupported('EXPLAIN of a Subquery Scan over window functions (Run Condition)');
  if (o.analyze) throw notSupported('EXPLAIN ANALYZE of a Subquery Scan');
  if (o.verbose) throw notSupported('EXPLAIN (VERBOSE) of a Subquery Scan');
  return { query: rs.subquery.SelectStmt, alias: rs.alias.aliasname as string };
}
