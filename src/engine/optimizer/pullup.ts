/**
 * Pulling subqueries up into the query around them (PostgreSQL's optimizer/prep/prepjointree.c
 * pull_up_subqueries / pull_up_simple_subquery) and inlining a WITH query that is read once (subselect.c
 * inline_cte). A subquery in FROM that only selects and filters rows of plain tables adds nothing the outer
 * query cannot do itself, so the planner merges it: its tables join the outer FROM, its WHERE joins the outer
 * WHERE, and every outer reference to one of its columns becomes the expression behind that column.
 *
 *     SELECT * FROM (SELECT a, 10/a AS x FROM t) s WHERE a <> 0
 *       ->  SELECT t.a AS a, 10/t.a AS x FROM t WHERE t.a <> 0          -- 10/a never sees the row a = 0
 *
 *     WITH c AS (SELECT a, b FROM t WHERE 10/b > 1) SELECT * FROM c WHERE a > 1
 *       ->  SELECT t.a, t.b FROM t WHERE 10/t.b > 1 AND t.a > 1         -- the cheaper a > 1 runs first
 *                                                                       -- (qualorder.ts), so b = 0 rows with
 *                                                                       -- a <= 1 raise no division by zero
 *
 * What a learner sees: rows where running the subquery first would fail (the example above), index scans and
 * join orders chosen over the real tables, and EXPLAIN printing the merged plan. A subquery is *simple*
 * (is_simple_subquery) when it has no aggregates, GROUP BY, HAVING, DISTINCT, ORDER BY, LIMIT / OFFSET, window
 * functions, set operations, WITH, FOR UPDATE, set-returning or volatile functions in its select list; a CTE is
 * inlined when it is a plain SELECT read exactly once, not MATERIALIZED and without volatile functions.
 *
 * Renaming: the pulled tables keep their names unless the outer query already uses one (the subquery's own
 * alias counts, as its range-table entry stays), then `t_1`, `t_2` …, the names PostgreSQL's EXPLAIN prints.
 * Every column reference of the merged query is qualified, so no name can be captured by the other side.
 *
 * Simplifications: the rewrite works on the parse tree and gives up (the subquery is then run first as
 * before — the rows are the same, only errors and plans may differ from PostgreSQL) whenever it is not sure:
 * a sublink anywhere in the outer query or the subquery, a view, function, CTE or other subquery in the
 * subquery's FROM (those still nested: pulled bottom-up only when they are themselves simple), JOIN USING /
 * NATURAL, column aliases on the subquery's tables, references to an outer query level, FOR UPDATE outside.
 * Under an outer join's nullable side only subqueries whose columns are strict expressions of their own columns
 * are pulled (PostgreSQL wraps the others in PlaceHolderVars); a subquery with a WHERE only where that WHERE can
 * become part of the join's ON.
 */
import type { SqlType } from '../sql/types.js';
import { PgError, posOf } from '../errors.js';
import type { Gen } from '../executor/util.js';

import {
  type N, type Leaf, GiveUp, giveUp, clone, str, funcName, contains, hasSublink, plainSelect, leavesOf, resolve, mapRefs, andOf, refName,
} from './parsetree.js';

/** A subquery in FROM that can be merged. */
interface Candidate { exprs: N[]; names: string[]; from: N[]; where: N | null; nullable: boolean }

/** What the rewrite asks of the executor. */
export interface PullupEnv {
  /** the columns of a FROM item naming a plain table (not a view, sequence, system relation or WITH query) */
  tableColumns(rv: N): string[] | null;
  /** the columns of a FROM item naming a WITH query in scope, null if it names none */
  cteColumns(rv: N): string[] | null;
  /** a subquery's output names and types, analyzed without running it (its analysis errors are its own) */
  shape(select: N): Gen<{ names: string[]; types: SqlType[] }>;
  /** may a function of this name be called in a pulled-up select list (not volatile, not set-returning)? */
  safeFunction(name: string): boolean;
  /** the query and column names of a view a FROM item names, null if it names none */
  view(rv: N): { query: N; columns: string[] } | null;
  /** is this the name of an aggregate (a call without OVER aggregates the query) */
  isAggregate(name: string): boolean;
}

/** is_simple_subquery, on the parse tree. */
function isSimple(q: N, env: PullupEnv): boolean {
  if (!plainSelect(q) || q.groupClause?.length || q.havingClause || q.distinctClause || q.sortClause?.length
    || q.limitCount || q.limitOffset || q.windowClause?.length || !q.fromClause?.length) return false;
  if (hasSublink(q)) return false;
  // aggregates, window functions, volatile or set-returning functions in the select list
  return !contains(q.targetList, (o) => !!o.FuncCall && (!!o.FuncCall.over || o.FuncCall.agg_star
    || env.isAggregate(funcName(o.FuncCall)) || !env.safeFunction(funcName(o.FuncCall))));
}

/** Strict, and reading a column of the subquery: NULL when its columns are (no PlaceHolderVar needed). */
function strictOfVars(e: N): boolean {
  if (e.ColumnRef) return true;
  if (e.TypeCast) return strictOfVars(e.TypeCast.arg);
  const a = e.A_Expr;
  if (a?.kind === 'AEXPR_OP' && a.lexpr && a.rexpr) {
    const side = (x: N) => strictOfVars(x) ? 1 : x.A_Const && !x.A_Const.isnull ? 0 : -1;
    const l = side(a.lexpr), r = side(a.rexpr);
    return l >= 0 && r >= 0 && l + r > 0;
  }
  return false;
}

/** The output names of a select list, where they are plain to see (ORDER BY a name matches these first). */
function outputNames(targets: N[]): Set<string> {
  const out = new Set<string>();
  for (const t of targets) {
    const rt = t.ResTarget;
    if (rt.name) out.add(rt.name);
    else if (rt.val.FuncCall) out.add(funcName(rt.val.FuncCall));
    else { const r = refName(rt.val); if (r) out.add(r.name); }
  }
  return out;
}

/**
 * The query with its simple subqueries in FROM merged into it, or null when there is none (or the rewrite is
 * not sure). The subqueries' analysis errors come as they would (each is analyzed first, as before).
 */
export function* pullUpSubqueries(q: N, env: PullupEnv): Gen<N | null> {
  if (!q.fromClause?.length || !plainSelect(q)) return null;
  const expanded = expandViews(q, env);
  if (!contains(expanded.fromClause, (o) => !!o.RangeSubselect)) return null;
  try {
    return yield* pullUp(expanded, env);
  } catch (e) {
    if (e instanceof GiveUp) return null;
    throw e;
  }
}

/** A subquery's shape; an error in it: give up, so that the subquery reports it where it always does. */
export function* shapeOrGiveUp(inner: N, env: PullupEnv): Gen<{ names: string[]; types: SqlType[] }> {
  try {
    return yield* env.shape(inner);
  } catch (e) {
    if (e instanceof PgError) giveUp();
    throw e;
  }
}

/**
 * The rewriter's view expansion (rewriteHandler.c ApplyRetrieveRule): a view named in FROM becomes a subquery
 * in FROM with the view's query and column names. The same node when FROM names no view.
 */
export function expandViews(q: N, env: Pick<PullupEnv, 'view'>): N {
  let changed = false;
  const expand = (f: N): N => {
    if (f.JoinExpr) {
      const larg = expand(f.JoinExpr.larg), rarg = expand(f.JoinExpr.rarg);
      return larg === f.JoinExpr.larg && rarg === f.JoinExpr.rarg ? f : { JoinExpr: { ...f.JoinExpr, larg, rarg } };
    }
    const rv = f.RangeVar;
    const v = rv && !rv.alias?.colnames?.length ? env.view(rv) : null;
    if (!v) return f;
    changed = true;
    // the view's tree came from another text: its locations point nowhere here (nor at this statement's literals)
    const query = JSON.parse(JSON.stringify(v.query), (k, x) => (k === 'location' ? -1 : x)) as N;
    return { RangeSubselect: { lateral: false, subquery: { SelectStmt: query },
      alias: { aliasname: rv.alias?.aliasname ?? rv.relname, colnames: v.columns.map(str) } } };
  };
  const from = (q.fromClause as N[]).map(expand);
  return changed ? { ...q, fromClause: from } : q;
}

function* pullUp(q: N, env: PullupEnv): Gen<N | null> {
  if (hasSublink([q.targetList, q.whereClause, q.havingClause, q.groupClause, q.sortClause, q.distinctClause, q.windowClause])) return null;
  const fromLeaves = (q.fromClause as N[]).flatMap((f) => leavesOf(f));
  if (contains(q.fromClause, (o) => !!o.SubLink)) return null;
  const leaves: Leaf<Candidate>[] = [];
  for (const f of fromLeaves) {
    if (f.RangeVar) {
      const rv = f.RangeVar;
      if (rv.alias?.colnames?.length) return null;
      const name = rv.alias?.aliasname ?? rv.relname;
      const cte = rv.schemaname ? null : env.cteColumns(rv);
      const cols = cte ?? env.tableColumns(rv);
      if (!cols) return null;
      leaves.push({ node: f, name, cols, system: !cte });
    } else if (f.RangeSubselect) {
      const rs = f.RangeSubselect;
      if (!rs.alias || rs.lateral || !rs.subquery?.SelectStmt) return null;
      let inner = rs.subquery.SelectStmt as N;
      // bottom-up: a simple subquery inside this one first
      inner = (yield* pullUpSubqueries(inner, env)) ?? inner;
      const shape = yield* shapeOrGiveUp(inner, env);
      const names = aliasColumns(rs, shape.names);
      const leaf: Leaf<Candidate> = { node: f, name: rs.alias.aliasname, cols: names, system: false, sub: null };
      if (isSimple(inner, env)) leaf.sub = candidate(inner, names, shape.types, env);
      leaves.push(leaf);
    } else return null;
  }
  if (new Set(leaves.map((l) => l.name)).size !== leaves.length) return null; // 42712: the original reports it
  if (!leaves.some((l) => l.sub)) return null;

  // the pulled tables' names, as EXPLAIN prints them (ruleutils.c set_rtable_names): the outer query's own tables
  // keep theirs, a pulled subquery's alias names nothing any more, and each pulled table, after them in range
  // table order, takes its name or, when that is taken, the name with _1, _2 … appended
  const used = new Set(leaves.filter((l) => !l.sub).map((l) => l.name));
  for (const l of leaves) {
    if (!l.sub) continue;
    const renames = new Map<string, string>();
    for (const f of l.sub.from.flatMap((x) => leavesOf(x))) {
      const rv = f.RangeVar;
      const old = rv.alias?.aliasname ?? rv.relname;
      let name = old;
      for (let k = 1; used.has(name); k++) name = `${old}_${k}`;
      used.add(name);
      renames.set(old, name);
      if (name !== old) rv.alias = { aliasname: name };
    }
    const requalify = (x: unknown) => mapRefs(x, (cr) => ({ ColumnRef: { ...cr, fields: [str(renames.get(cr.fields[0].String.sval)!), cr.fields[1]] } }));
    l.sub.exprs = l.sub.exprs.map((e) => requalify(e) as N);
    if (l.sub.where) l.sub.where = requalify(l.sub.where) as N;
    l.sub.from = l.sub.from.map((f) => (f.JoinExpr ? requalify(f) as N : f));
  }

  // the outer query's references: a pulled column becomes its expression, every other one is qualified
  const subst = (cr: N): N => {
    const r = resolve(cr.fields as N[], leaves) ?? giveUp();
    if (r.leaf.sub) {
      const i = r.leaf.cols.indexOf(r.col);
      if (i < 0) giveUp();
      return clone(r.leaf.sub.exprs[i]!);
    }
    return { ColumnRef: { ...cr, fields: [str(r.leaf.name), str(r.col)] } };
  };
  const expr = (x: unknown) => mapRefs(x, subst) as N;
  const outNames = outputNames(q.targetList ?? []);
  const out: N = { ...q };
  const targets: N[] = [];
  for (const t of (q.targetList ?? []) as N[]) {
    const rt = t.ResTarget;
    const star = rt.val.ColumnRef && (rt.val.ColumnRef.fields as N[])[rt.val.ColumnRef.fields.length - 1]!.A_Star;
    if (star) {
      const f = rt.val.ColumnRef.fields as N[];
      if (f.length > 2) return null;
      const which = f.length === 2 ? leaves.filter((l) => l.name === f[0]!.String?.sval) : leaves;
      if (!which.length) return null;
      for (const l of which) {
        l.cols.forEach((c, i) => {
          if (l.sub) {
            const e = l.sub.exprs[i]!;
            targets.push({ ResTarget: { name: c, val: clone(e), location: rt.location } });
          } else {
            targets.push({ ResTarget: { val: { ColumnRef: { fields: [str(l.name), str(c)], location: rt.val.ColumnRef.location } }, location: rt.location } });
          }
        });
      }
      continue;
    }
    const named = rt.name ?? refName(rt.val)?.name;
    targets.push({ ResTarget: { ...rt, ...(named !== undefined ? { name: named } : {}), val: expr(rt.val) } });
  }
  out.targetList = targets;
  // ORDER BY / DISTINCT ON a bare name: an output column first (SQL92); GROUP BY: an input column first
  const sortItem = (x: N) => {
    const c = x.ColumnRef;
    if (c && c.fields.length === 1 && c.fields[0].String && outNames.has(c.fields[0].String.sval)) return x;
    return expr(x);
  };
  const groupItem = (x: N) => {
    const c = x.ColumnRef;
    if (c && c.fields.length === 1 && c.fields[0].String && !resolve(c.fields, leaves)) return outNames.has(c.fields[0].String.sval) ? x : giveUp();
    return expr(x);
  };
  if (q.sortClause) out.sortClause = (q.sortClause as N[]).map((s) => ({ SortBy: { ...s.SortBy, node: sortItem(s.SortBy.node) } }));
  if (q.distinctClause) out.distinctClause = (q.distinctClause as N[]).map((d) => (d && Object.keys(d).length ? sortItem(d) : d));
  if (q.groupClause) out.groupClause = (q.groupClause as N[]).map(groupItem);
  if (q.havingClause) out.havingClause = expr(q.havingClause);
  if (q.windowClause) out.windowClause = expr(q.windowClause);

  // FROM: a pulled subquery's tables take its place; its WHERE joins the outer WHERE (or its join's ON)
  const lifted: N[] = [];
  const replaceIn = (f: N, nullable: boolean): N => {
    if (f.JoinExpr) {
      const j = f.JoinExpr;
      const lNull = nullable || j.jointype === 'JOIN_RIGHT' || j.jointype === 'JOIN_FULL';
      const rNull = nullable || j.jointype === 'JOIN_LEFT' || j.jointype === 'JOIN_FULL';
      const extra: N[] = [];
      const side = (x: N, isNullable: boolean, nullableSide: boolean): N => {
        const l = x.RangeSubselect ? leaves.find((y) => y.node === x) : undefined;
        if (!l?.sub) return replaceIn(x, isNullable);
        checkNullable(l.sub, isNullable);
        if (l.sub.from.length !== 1) giveUp();
        if (l.sub.where) {
          // the subquery's WHERE may join this ON only where ON filters its rows: an inner join, the nullable side
          if (j.jointype !== 'JOIN_INNER' && !nullableSide) giveUp();
          extra.push(l.sub.where);
        }
        return l.sub.from[0]!;
      };
      const larg = side(j.larg, lNull, j.jointype === 'JOIN_RIGHT');
      const rarg = side(j.rarg, rNull, j.jointype === 'JOIN_LEFT');
      return { JoinExpr: { ...j, larg, rarg, quals: andOf([...extra, j.quals ? expr(j.quals) : null]) } };
    }
    return f;
  };
  const checkNullable = (c: Candidate, isNullable: boolean) => { if (isNullable && !c.exprs.every(strictOfVars)) giveUp(); };
  const from: N[] = [];
  for (const f of q.fromClause as N[]) {
    const l = f.RangeSubselect ? leaves.find((y) => y.node === f) : undefined;
    if (l?.sub) { from.push(...l.sub.from); if (l.sub.where) lifted.push(l.sub.where); continue; }
    from.push(replaceIn(f, false));
  }
  out.fromClause = from;
  const where = andOf([...lifted, q.whereClause ? expr(q.whereClause) : null]);
  if (where) out.whereClause = where; else delete out.whereClause;
  return out;
}

/** A simple subquery made ready to merge: its select list expanded and qualified, or null when not sure. */
function candidate(inner: N, names: string[], types: SqlType[], env: PullupEnv): Candidate | null {
  try {
    const from = clone(inner.fromClause as N[]);
    const leaves: Leaf[] = [];
    for (const f of from.flatMap((x) => leavesOf(x))) {
      const rv = f.RangeVar;
      if (!rv || rv.alias?.colnames?.length || rv.inh === false) return null;
      if (!rv.schemaname && env.cteColumns(rv)) return null;
      const cols = env.tableColumns(rv);
      if (!cols) return null;
      leaves.push({ node: f, name: rv.alias?.aliasname ?? rv.relname, cols, system: true });
    }
    if (new Set(leaves.map((l) => l.name)).size !== leaves.length) return null;
    const qualify = (x: unknown) => mapRefs(x, (cr) => {
      const r = resolve(cr.fields as N[], leaves) ?? giveUp();
      return { ColumnRef: { ...cr, fields: [str(r.leaf.name), str(r.col)] } };
    }) as N;
    const exprs: N[] = [];
    for (const t of clone(inner.targetList ?? []) as N[]) {
      const v = t.ResTarget.val as N;
      const f = v.ColumnRef?.fields as N[] | undefined;
      if (f && f[f.length - 1]!.A_Star) {
        const which = f.length === 2 ? leaves.filter((l) => l.name === f[0]!.String?.sval) : f.length === 1 ? leaves : [];
        if (!which.length) return null;
        for (const l of which) for (const c of l.cols) exprs.push({ ColumnRef: { fields: [str(l.name), str(c)], location: v.ColumnRef.location } });
        continue;
      }
      exprs.push(qualify(v));
    }
    if (exprs.length !== names.length) return null;
    // an untyped literal in a subquery's select list is resolved to text there (PostgreSQL 10+)
    exprs.forEach((e, i) => {
      if (e.A_Const && (e.A_Const.sval || e.A_Const.isnull) && types[i]?.name === 'text') {
        exprs[i] = { TypeCast: { arg: e, typeName: { names: [str('text')], typemod: -1, location: -1 }, location: -1 } };
      }
    });
    return {
      exprs, names, nullable: false,
      from: from.map((f) => (f.JoinExpr ? qualify(f) : f)),
      where: inner.whereClause ? qualify(clone(inner.whereClause)) : null,
    };
  } catch (e) {
    if (e instanceof GiveUp) return null;
    throw e;
  }
}

/** Marks a subquery in FROM that was a WITH query with its column names (their error still names the WITH query, at its place). */
export const INLINED_CTE = 'heapscopeInlinedCte';

/** A subquery's output names after its alias's column list (parse_relation.c buildRelationAliases):
 *  more aliases than columns is 42P10, raised from the shape alone, before any row is computed. */
export function aliasColumns(rs: N, available: string[]): string[] {
  const colnames = ((rs.alias?.colnames ?? []) as N[]).map((x) => x.String.sval as string);
  if (colnames.length > available.length) {
    const cte = rs[INLINED_CTE] as number | undefined; // a WITH query inlined here (inlineCtes)
    throw new PgError('42P10', `${cte !== undefined ? 'WITH query' : 'table'} "${rs.alias.aliasname}" has ${available.length} columns available but ${colnames.length} columns specified`,
      cte !== undefined ? { position: posOf(cte) } : {});
  }
  return available.map((x, i) => colnames[i] ?? x);
}

/** Count the FROM references to a WITH query's name in a tree (RangeVars without schema). */
function refCount(x: unknown, name: string): number {
  if (!x || typeof x !== 'object') return 0;
  if (Array.isArray(x)) return x.reduce((a: number, y) => a + refCount(y, name), 0);
  const o = x as N;
  let n = o.RangeVar && !o.RangeVar.schemaname && o.RangeVar.relname === name ? 1 : 0;
  for (const v of Object.values(o)) n += refCount(v, name);
  return n;
}

/**
 * inline_cte: each WITH query that is a plain SELECT read once (in the main query's own FROM), not MATERIALIZED,
 * not recursive, without volatile functions and reading no other WITH query of the list, becomes a subquery in
 * FROM at the place it is read. The same node when nothing is inlined.
 */
export function inlineCtes(q: N, env: Pick<PullupEnv, 'safeFunction' | 'isAggregate'>): N {
  const w = q.withClause;
  if (!w || w.recursive) return q;
  const ctes = (w.ctes ?? []) as N[];
  const names = ctes.map((c) => c.CommonTableExpr.ctename as string);
  if (new Set(names).size !== names.length) return q; // 42712, reported by the WITH list itself
  const main = { ...q, withClause: undefined };
  let from = q.fromClause as N[] | undefined;
  const keep: N[] = [];
  for (const c of ctes) {
    const cte = c.CommonTableExpr;
    const body = cte.ctequery?.SelectStmt as N | undefined;
    const name = cte.ctename as string;
    const ok = body && cte.ctematerialized !== 'CTEMaterializeAlways' && !cte.search_clause && !cte.cycle_clause
      && !contains(body, (o) => !!o.lockingClause?.length || (!!o.FuncCall && !o.FuncCall.agg_star
        && !env.isAggregate(funcName(o.FuncCall)) && !env.safeFunction(funcName(o.FuncCall))))
      && !names.some((nm) => refCount(body, nm) > 0)
      && ctes.every((o) => o === c || refCount(o.CommonTableExpr.ctequery, name) === 0)
      && refCount(main, name) === 1;
    let placed = false;
    if (ok) {
      const place = (f: N): N => {
        if (f.JoinExpr) return { JoinExpr: { ...f.JoinExpr, larg: place(f.JoinExpr.larg), rarg: place(f.JoinExpr.rarg) } };
        const rv = f.RangeVar;
        if (!rv || rv.schemaname || rv.relname !== name) return f;
        placed = true;
        const colnames = rv.alias?.colnames ?? cte.aliascolnames;
        const fromCte = rv.alias?.colnames ? {} : { [INLINED_CTE]: cte.location as number };
        const alias = { aliasname: rv.alias?.aliasname ?? name, ...(colnames ? { colnames } : {}) };
        return { RangeSubselect: { lateral: false, ...fromCte, subquery: { SelectStmt: body }, alias } };
      };
      const next = (from ?? []).map(place);
      if (placed) from = next;
    }
    if (!placed) keep.push(c);
  }
  if (keep.length === ctes.length) return q;
  return { ...q, fromClause: from, withClause: keep.length ? { ...w, ctes: keep } : undefined };
}
