/**
 * Conditions pushed down into a subquery in FROM, and the subquery's unused columns dropped (PostgreSQL's
 * optimizer/path/allpaths.c set_subquery_pathlist: subquery_is_pushdown_safe, qual_is_pushdown_safe,
 * subquery_push_qual, remove_unused_subquery_outputs). A subquery that could not be pulled up (it groups, sorts,
 * is DISTINCT …) is still planned with what the outer query knows: a WHERE condition that reads only the
 * subquery's columns becomes part of the subquery — its WHERE, or its HAVING when it reads an aggregate — so
 * rows it rejects are never grouped, sorted or computed:
 *
 *     SELECT * FROM (SELECT DISTINCT a, 10/a AS x FROM t) s WHERE a <> 0
 *       ->  SELECT * FROM (SELECT DISTINCT a, 10/a AS x FROM t WHERE a <> 0) s     -- no division by zero
 *
 *     SELECT count(*) FROM (SELECT a, 10/a AS x FROM t GROUP BY a) s
 *       ->  SELECT count(*) FROM (SELECT a, NULL AS x FROM t GROUP BY a) s          -- x is never read
 *
 * Not pushed (as in PostgreSQL): into a subquery with LIMIT / OFFSET (which rows are kept would change), with
 * window functions, DISTINCT ON, or set-returning functions; a condition with a volatile function or a
 * sublink; a condition reading a column whose expression is volatile or set-returning. An unused column is kept
 * when it is volatile, returns a set, or ORDER BY / GROUP BY use it, and nothing is dropped under DISTINCT.
 *
 * Simplifications: only subqueries that are items of the outer FROM list or under inner joins (not under an
 * outer join), no UNION / INTERSECT / EXCEPT subqueries (PostgreSQL pushes into each arm), no pushing into a WITH
 * query; the outer query with a sublink is left alone; `*` in the subquery only over plain tables.
 */
import type { Gen } from '../executor/util.js';
import { type PullupEnv, aliasColumns, expandViews, shapeOrGiveUp } from './pullup.js';
import { type N, type Leaf, GiveUp, giveUp, clone, refName, str, funcName, contains, hasSublink, plainSelect, leavesOf, resolve, mapRefs, andOf } from './parsetree.js';

/** The expressions behind a subquery's output columns (its `*` expanded), or null. */
function outputExprs(inner: N, count: number, env: PullupEnv): N[] | null {
  const exprs: N[] = [];
  for (const t of (inner.targetList ?? []) as N[]) {
    const v = t.ResTarget.val as N;
    const f = v.ColumnRef?.fields as N[] | undefined;
    if (f && f[f.length - 1]!.A_Star) {
      // `*` over the subquery's own plain tables, qualified by their names
      const leaves = ((inner.fromClause ?? []) as N[]).flatMap((x) => leavesOf(x));
      for (const l of leaves) {
        const rv = l.RangeVar;
        if (!rv || rv.alias?.colnames?.length || (!rv.schemaname && env.cteColumns(rv))) return null;
        const name = rv.alias?.aliasname ?? rv.relname;
        if (f.length === 2 && f[0]!.String?.sval !== name) continue;
        const cols = env.tableColumns(rv);
        if (!cols) return null;
        for (const c of cols) exprs.push({ ColumnRef: { fields: [str(name), str(c)], location: v.ColumnRef.location } });
      }
      continue;
    }
    exprs.push(v);
  }
  return exprs.length === count ? exprs : null;
}

const unsafeExpr = (e: N, env: PullupEnv) =>
  contains(e, (o) => !!o.FuncCall && !env.isAggregate(funcName(o.FuncCall)) && !env.safeFunction(funcName(o.FuncCall)));
/** contain_agg_clause: an aggregate call or GROUPING(...) */
const hasAggregate = (e: unknown, env: PullupEnv) =>
  contains(e, (o) => !!o.GroupingFunc || (!!o.FuncCall && !o.FuncCall.over && (o.FuncCall.agg_star || env.isAggregate(funcName(o.FuncCall)))));
const withoutLocations = (x: unknown) => JSON.stringify(x, (k, v) => (k === 'location' ? undefined : v));

/** The conjuncts of a WHERE clause. */
const conjuncts = (w: N | undefined): N[] => (!w ? [] : w.BoolExpr?.boolop === 'AND_EXPR' ? w.BoolExpr.args as N[] : [w]);

/**
 * The query with conditions pushed into its subqueries in FROM and their unused columns dropped; null when
 * nothing changed.
 */
export function* pushDownIntoSubqueries(q: N, env: PullupEnv): Gen<N | null> {
  if (!q.fromClause?.length || !plainSelect(q)) return null;
  q = expandViews(q, env);
  if (![...innerFromItems(q.fromClause as N[])].some((f) => f.RangeSubselect)) return null;
  // the outer query's own expressions and join conditions (a sublink inside a subquery in FROM is that
  // subquery's business: it does not stop a condition from being pushed into it)
  const onQuals = (f: N): unknown[] => (f.JoinExpr ? [f.JoinExpr.quals, ...onQuals(f.JoinExpr.larg), ...onQuals(f.JoinExpr.rarg)] : []);
  if (hasSublink([q.targetList, q.whereClause, q.havingClause, q.groupClause, q.sortClause, q.distinctClause, q.windowClause,
    ...(q.fromClause as N[]).flatMap(onQuals)])) return null;
  try {
    return yield* pushDown(q, env);
  } catch (e) {
    if (e instanceof GiveUp) return null;
    throw e;
  }
}

interface Sub { inner: N; exprs: N[] | null; used: Set<number>; all: boolean; pushed: N[] }

/** The FROM items reached from the FROM list through inner joins only. */
function innerFromItems(from: N[]): Set<N> {
  const out = new Set<N>();
  const walk = (f: N) => {
    if (f.JoinExpr) { if (f.JoinExpr.jointype === 'JOIN_INNER') { walk(f.JoinExpr.larg); walk(f.JoinExpr.rarg); } return; }
    out.add(f);
  };
  from.forEach(walk);
  return out;
}

/** The FROM list with some items replaced, the joins above them rebuilt. */
function replaceItems(from: N[], replaced: Map<N, N>): N[] {
  const rep = (f: N): N => {
    const r = replaced.get(f);
    if (r) return r;
    if (!f.JoinExpr) return f;
    const larg = rep(f.JoinExpr.larg), rarg = rep(f.JoinExpr.rarg);
    return larg === f.JoinExpr.larg && rarg === f.JoinExpr.rarg ? f : { JoinExpr: { ...f.JoinExpr, larg, rarg } };
  };
  return from.map(rep);
}

function* pushDown(q: N, env: PullupEnv): Gen<N | null> {
  const leaves: Leaf<Sub>[] = [];
  const innerItems = innerFromItems(q.fromClause as N[]);
  for (const f of (q.fromClause as N[]).flatMap((x) => leavesOf(x))) {
    if (f.RangeVar) {
      const rv = f.RangeVar;
      if (rv.alias?.colnames?.length) return null;
      const cte = rv.schemaname ? null : env.cteColumns(rv);
      const cols = cte ?? env.tableColumns(rv);
      if (!cols) return null;
      leaves.push({ node: f, name: rv.alias?.aliasname ?? rv.relname, cols, system: !cte });
    } else if (f.RangeSubselect) {
      const rs = f.RangeSubselect;
      if (!rs.alias || rs.lateral || !rs.subquery?.SelectStmt) return null;
      const inner = rs.subquery.SelectStmt as N;
      const shape = yield* shapeOrGiveUp(inner, env);
      const cols = aliasColumns(rs, shape.names);
      // an item of the FROM list itself or under inner joins only (a WHERE condition holds for its rows there
      // too), a plain SELECT (no set operation, WITH or FOR UPDATE)
      const top = innerItems.has(f) && plainSelect(inner);
      leaves.push({ node: f, name: rs.alias.aliasname, cols, system: false,
        sub: top ? { inner, exprs: outputExprs(inner, cols.length, env), used: new Set(), all: false, pushed: [] } : null });
    } else return null;
  }
  if (new Set(leaves.map((l) => l.name)).size !== leaves.length) return null;
  if (!leaves.some((l) => l.sub?.exprs)) return null;

  const outNames = new Set(((q.targetList ?? []) as N[]).map((t) => t.ResTarget.name ?? refName(t.ResTarget.val)?.name));
  // which columns of each subquery the outer query reads
  const mark = (x: unknown) => mapRefs(x, (cr) => {
    const f = cr.fields as N[];
    if (f[f.length - 1]!.A_Star) {
      for (const l of leaves) if (l.sub && (f.length === 1 || f[0]!.String?.sval === l.name)) l.sub.all = true;
    } else {
      const r = resolve(f, leaves);
      // a FROM item's name that is no column: its whole row (SELECT t FROM (...) t) reads every column
      const whole = !r && f.length === 1 ? leaves.find((l) => l.name === f[0]!.String?.sval) : undefined;
      if (whole) { if (whole.sub) whole.sub.all = true; return { ColumnRef: cr }; }
      if (r?.leaf.sub) r.leaf.sub.used.add(r.leaf.cols.indexOf(r.col));
      // a name the FROM items do not resolve: an output column's alias (ORDER BY x), else not sure (an error)
      if (!r && !(f.length === 1 && outNames.has(f[0]!.String?.sval))) giveUp();
    }
    return { ColumnRef: cr };
  });
  const joinQuals = (f: N): N[] => (f.JoinExpr ? [f.JoinExpr.quals, ...joinQuals(f.JoinExpr.larg), ...joinQuals(f.JoinExpr.rarg)] : []);
  mark([q.targetList, q.whereClause, q.havingClause, q.groupClause, q.sortClause, q.distinctClause, q.windowClause,
    ...(q.fromClause as N[]).flatMap(joinQuals)]);

  // the WHERE conditions that read one subquery's columns only, pushed into it
  const keep: N[] = [];
  for (const c of conjuncts(q.whereClause)) {
    const target = pushTarget(c, leaves, env);
    if (target) target.pushed.push(c); else keep.push(c);
  }
  let changed = false;
  const replaced = new Map<N, N>();
  for (const l of leaves) {
    const sub = l.sub;
    if (!sub?.exprs) continue;
    let inner = sub.inner;
    if (sub.pushed.length) {
      const exprs = sub.exprs;
      const conds = sub.pushed.map((c) => mapRefs(c, (cr) => clone(exprs[l.cols.indexOf(resolve(cr.fields as N[], leaves)!.col)]!)) as N);
      const where = conds.filter((c) => !hasAggregate(c, env));
      const having = conds.filter((c) => hasAggregate(c, env));
      const grouped = !!inner.groupClause?.length || hasAggregate(inner.targetList, env) || !!inner.havingClause;
      // a condition without aggregates on an aggregate without GROUP BY stays in HAVING (one row, or none); so does
      // every condition on grouping sets, where a grouped column can read NULL for a set without it (planner.c
      // moves HAVING quals to WHERE only without grouping sets)
      const keep = grouped && (!inner.groupClause?.length || (inner.groupClause as N[]).some((g) => !!g.GroupingSet));
      const toWhere = keep ? [] : where;
      const toHaving = keep ? [...where, ...having] : having;
      inner = { ...inner };
      const w = andOf([inner.whereClause, ...toWhere]);
      if (w) inner.whereClause = w;
      const h = andOf([inner.havingClause, ...toHaving]);
      if (h) inner.havingClause = h;
      changed = true;
    }
    const dropped = dropUnused(inner, sub, l.cols, env);
    if (dropped) { inner = dropped; changed = true; }
    if (inner !== sub.inner) replaced.set(l.node, { RangeSubselect: { ...l.node.RangeSubselect, subquery: { SelectStmt: inner } } });
  }
  if (!changed) return null;
  const out: N = { ...q, fromClause: replaceItems(q.fromClause as N[], replaced) };
  const w = andOf(keep);
  if (w) out.whereClause = w; else delete out.whereClause;
  return out;
}

/** The subquery a WHERE condition may be pushed into (qual_is_pushdown_safe), or null. */
function pushTarget(c: N, leaves: Leaf<Sub>[], env: PullupEnv): Sub | null {
  if (unsafeExpr(c, env)) return null;
  let target: Leaf<Sub> | null = null;
  let ok = true;
  mapRefs(c, (cr) => {
    const f = cr.fields as N[];
    const r = f[f.length - 1]!.A_Star ? null : resolve(f, leaves);
    if (!r || (target && r.leaf !== target)) ok = false;
    else target = r.leaf;
    return { ColumnRef: cr };
  });
  const l = target as Leaf<Sub> | null;
  if (!ok || !l?.sub?.exprs) return null;
  const inner = l.sub.inner;
  // subquery_is_pushdown_safe
  if (inner.limitCount || inner.limitOffset || inner.windowClause?.length || contains(inner.targetList, (o) => !!o.FuncCall?.over)) return null;
  if (inner.distinctClause?.some((d: N) => d && Object.keys(d).length)) return null; // DISTINCT ON
  if (contains(inner.targetList, (o) => !!o.SubLink)) return null;
  // the columns it reads: neither volatile nor set-returning
  let safe = true;
  mapRefs(c, (cr) => {
    const i = l.cols.indexOf(resolve(cr.fields as N[], leaves)!.col);
    if (i < 0 || unsafeExpr(l.sub!.exprs![i]!, env)) safe = false;
    return { ColumnRef: cr };
  });
  return safe ? l.sub : null;
}

/** remove_unused_subquery_outputs: the columns nobody reads become NULL; null when none can. */
function dropUnused(inner: N, sub: Sub, cols: string[], env: PullupEnv): N | null {
  if (sub.all || inner.distinctClause || contains(inner.targetList, (o) => !!o.A_Star)) return null;
  const targets = (inner.targetList ?? []) as N[];
  const clauses = [...((inner.sortClause ?? []) as N[]).map((s) => s.SortBy.node), ...((inner.groupClause ?? []) as N[])];
  const sortGroupRef = (i: number, rt: N) => clauses.some((x) => {
    if (x.A_Const?.ival) return (x.A_Const.ival.ival ?? 0) === i + 1;
    const cr = x.ColumnRef;
    if (cr && cr.fields.length === 1 && cr.fields[0].String?.sval === cols[i]) return true;
    return withoutLocations(x) === withoutLocations(rt.val);
  });
  let changed = false;
  const out = targets.map((t, i) => {
    const rt = t.ResTarget;
    if (sub.used.has(i) || unsafeExpr(rt.val, env) || contains(rt.val, (o) => !!o.FuncCall?.over) || sortGroupRef(i, rt)) return t;
    if (rt.val.A_Const?.isnull) return t;
    changed = true;
    return { ResTarget: { ...rt, name: cols[i], val: { A_Const: { isnull: true, location: -1 } } } };
  });
  if (!changed) return null;
  return { ...inner, targetList: out };
}
