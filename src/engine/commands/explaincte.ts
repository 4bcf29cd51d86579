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
 * WITH RECURSIVE: the CTE's plan is a Recursive Union of its first arm's plan and a WorkTable Scan (recursiveUnion).
 *
 * A data-modifying WITH query with RETURNING * read by SELECT * FROM it: its ModifyTable plan (modifyingCte).
 *
 * Simplifications, refused with 0A000: a recursive arm that joins the work table, groups or calls functions; several WITH queries,
 * other data-modifying ones (an unread one, RETURNING of columns), a CTE read anywhere but as the query's one FROM item (a join of CTE Scans, a subquery),
 * subqueries beside a CTE (their InitPlan and parameter numbers follow the CTE's), costs, ANALYZE and VERBOSE.
 */
import { notSupported } from '../errors.js';
import type { N } from '../executor/util.js';
import type { Scope } from '../sql/expr.js';
import type { Executor } from '../executor/executor.js';
import type { Session } from '../session/session.js';
import type { RawStmt } from '../sql/parser.js';
import type { Gen } from '../executor/util.js';
import { explainInsert, explainUpdateDelete } from './explainmodify.js';
import { Deparser } from '../optimizer/ruleutils.js';
import { type Options, type PlanNode, node, textProp, countProp, noCosts } from './plannodes.js';

/** The one CTE a query keeps and reads as its FROM item: its name, its query, the alias it is read under. */
export interface KeptCte {
  name: string; query: N; alias: string | null;
  /** a data-modifying WITH query (INSERT / UPDATE / DELETE … RETURNING *) */
  modify?: { type: string; stmt: N };
  /** WITH RECURSIVE: the non-recursive arm (planned as any query) and the recursive one (read from the work table) */
  recursive?: { first: N; rest: N };
}

const isStar = (x: N) => !!x?.ColumnRef?.fields?.some((f: N) => f.A_Star);

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
  if (ctes.length !== 1) throw notSupported('EXPLAIN of several WITH queries that stay CTEs');
  const c = ctes[0]!.CommonTableExpr;
  const q = c.ctequery as N;
  const name = c.ctename as string;
  const from = (n.fromClause ?? []) as N[];
  const rv = from.length === 1 ? from[0]!.RangeVar : undefined;
  const main = { ...n, withClause: undefined };
  if (!rv || rv.schemaname || rv.relname !== name || references(main, name) !== 1) {
    throw notSupported('EXPLAIN of a CTE read other than as the query\'s one FROM item (CTE Scans joined, or in a subquery)');
  }
  if (o.analyze) throw notSupported('EXPLAIN ANALYZE of a CTE Scan');
  if (o.verbose && references(q, name)) throw notSupported('EXPLAIN (VERBOSE) of a recursive CTE');
  if (o.verbose && !q.SelectStmt) throw notSupported('EXPLAIN (VERBOSE) of a data-modifying CTE');
  const type = Object.keys(q)[0]!;
  if (type !== 'SelectStmt') {
    // a data-modifying WITH query: planned (not run), read as `SELECT * FROM d [WHERE …]` of its RETURNING *
    const m = q[type];
    const ret = (m.returningList ?? []) as N[];
    const bare = ((n.targetList ?? []) as N[]).length === 1 && isStar(n.targetList[0].ResTarget.val) && !n.groupClause && !n.havingClause
      && !n.sortClause && !n.limitCount && !n.limitOffset && !n.distinctClause && !n.windowClause && !n.lockingClause && !JSON.stringify(n).includes('"SubLink"');
    if (!['InsertStmt', 'UpdateStmt', 'DeleteStmt'].includes(type) || m.withClause || ret.length !== 1 || !isStar(ret[0]!.ResTarget.val) || !bare || c.aliascolnames?.length) {
      throw notSupported('EXPLAIN of a data-modifying WITH query other than one with RETURNING * read by SELECT * FROM it');
    }
    return { name, query: q, alias: rv.alias?.aliasname ?? null, modify: { type, stmt: m } };
  }
  const sel = q.SelectStmt;
  const kept: KeptCte = { name, query: sel, alias: rv.alias?.aliasname ?? null };
  if (references(sel, name)) {
    // WITH RECURSIVE: the non-recursive arm UNION [ALL] the recursive one, which reads the work table alone
    const rest = sel.rarg as N | undefined;
    const plain = (x: N | undefined) => !!x && (!x.op || x.op === 'SETOP_NONE') && !x.withClause;
    if (!w.recursive || sel.op !== 'SETOP_UNION' || !plain(sel.larg) || !plain(rest) || references(sel.larg, name)
      || sel.sortClause || sel.limitCount || sel.limitOffset) throw notSupported('EXPLAIN of this recursive WITH query');
    if (!rest) throw notSupported('EXPLAIN of this recursive WITH query');
    const rf = (rest.fromClause ?? []) as N[];
    if (rf.length !== 1 || !rf[0]!.RangeVar || rf[0]!.RangeVar.relname !== name || rf[0]!.RangeVar.schemaname || references(rest, name) !== 1
      || rest.groupClause || rest.havingClause || rest.sortClause || rest.limitCount || rest.limitOffset || rest.distinctClause
      || rest.windowClause || JSON.stringify(rest).includes('"SubLink"') || JSON.stringify(rest.targetList).includes('"FuncCall"')) {
      throw notSupported('EXPLAIN of a recursive WITH query whose recursive arm does more than read the work table (a join, a subquery, grouping, a function)');
    }
    kept.recursive = { first: sel.larg, rest: rest! };
  }
  return kept;
}

/**
 * A recursive CTE's plan: Recursive Union over the non-recursive arm's plan and a WorkTable Scan of the rows the
 * last round produced, the recursive arm's WHERE its Filter (unqualified). The work table's range table entry
 * is named after the CTE, made unique beside the query's own CTE Scan ("WorkTable Scan on r r_1").
 */
export function recursiveUnion(first: PlanNode, k: KeptCte, scope: Scope): PlanNode {
  const rest = k.recursive!.rest;
  const rv = rest.fromClause[0].RangeVar;
  const outer = k.alias ?? k.name;
  const alias = rv.alias?.aliasname ?? (outer === k.name ? `${k.name}_1` : k.name);
  const d = new Deparser({ ...scope, alias: null, relName: k.name });
  const w = d.quals(rest.whereClause);
  const wt = node('WorkTable Scan', w.length ? [textProp('Filter', d.qualList(w)), countProp('Rows Removed by Filter', 0)] : [], [],
    { target: { tag: 'CTE Name', object: k.name, alias } });
  return node('Recursive Union', [], [first, wt]);
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
 * (…) s` is printed so (explainselect.ts trivialWrapper); the rest is refused, as are window functions in the
 * subquery (PostgreSQL 15 turns a condition on one into the
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
  return { query: rs.subquery.SelectStmt, alias: rs.alias.aliasname as string };
}

/**
 * A data-modifying WITH query read by `SELECT * FROM d [WHERE …]` (plain EXPLAIN runs neither): the CTE Scan of its
 * RETURNING rows, its Filter the query's WHERE, over the statement's ModifyTable plan (explainmodify.ts) as
 * InitPlan "CTE d". The WHERE is analyzed against the target table's columns, which RETURNING * returns.
 */
export function* modifyingCte(ex: Executor, s: Session, n: N, raw: RawStmt, o: Options, k: KeptCte): Gen<PlanNode> {
  if (o.costs) throw noCosts('a CTE Scan');
  const { type, stmt } = k.modify!;
  const t = ex.table(stmt.relation);
  const plan = type === 'InsertStmt' ? yield* explainInsert(ex, s, stmt, raw, o) : yield* explainUpdateDelete(ex, s, type, stmt, raw, o);
  const scope = ex.tableScope(t, k.alias ?? k.name, s, () => ex.eng.snapshotFor(s), raw.text);
  ex.compileWhere(n.whereClause, scope); // the errors PostgreSQL's parse analysis reports
  const d = new Deparser(scope);
  const w = d.quals(n.whereClause);
  const top = node('CTE Scan', w.length ? [textProp('Filter', d.qualList(w)), countProp('Rows Removed by Filter', 0)] : [], [],
    { target: { tag: 'CTE Name', object: k.name, alias: k.alias ?? k.name } });
  top.initPlans = [{ label: `CTE ${k.name}`, plan }];
  return top;
}
