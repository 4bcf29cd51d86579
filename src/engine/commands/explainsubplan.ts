/**
 * Subqueries in a query's expressions as EXPLAIN shows them (PostgreSQL's optimizer/plan/subselect.c, explain.c
 * ExplainSubPlans): an uncorrelated scalar subquery runs once, before the node that needs it — an InitPlan whose
 * result is a parameter the expression reads as $n; an uncorrelated `x IN (SELECT ...)` that is not a condition
 * of its own in WHERE (under NOT, or OR) is a SubPlan hashed once into a table each row probes:
 *
 *     WHERE v > (SELECT max(w) FROM u)      Filter: (v > $0)              InitPlan 1 (returns $0) -> Aggregate ...
 *     WHERE v NOT IN (SELECT w FROM u)      Filter: (NOT (hashed SubPlan 1))   SubPlan 1 -> Seq Scan on u
 *
 * Subplans are numbered in the order the planner meets them — the select list first, then WHERE — and an
 * InitPlan's parameter takes the next $n. The InitPlans hang under the query's top node, a SubPlan under the node
 * whose condition uses it; a table the query already named is labelled with a suffix ("Seq Scan on u u_1", as
 * EXPLAIN makes every range table name unique).
 *
 * Simplifications, refused with 0A000: correlated subqueries (a plain SubPlan re-run per row), a subquery other
 * than a SELECT from one table, `IN (SELECT ...)` as a WHERE condition of its own (PostgreSQL makes it a semi
 * join), EXISTS, ANY / ALL with an operator, hashed SubPlans beside InitPlans or beside other AND-ed conditions
 * (their parameter numbers and the order of the conditions are not modelled), costs and ANALYZE.
 */
import { notSupported } from '../errors.js';
import type { Executor } from '../executor/executor.js';
import type { Session } from '../session/session.js';
import type { N, Gen } from '../executor/util.js';
import { Deparser, type SublinkText } from '../optimizer/ruleutils.js';
import { type PlanNode, type Options, noCosts } from './plannodes.js';

/** The subplans of one query level: how each SubLink prints (by its location), and the plans to hang. */
export interface Subplans {
  texts: Map<number, SublinkText>;
  initPlans: { label: string; plan: PlanNode }[];
  subPlans: { id: number; plan: PlanNode }[];
}

/** Does the query's select list or WHERE hold a subquery (outside subqueries in FROM)? */
export function hasSublinks(n: N): boolean {
  return collect([n.targetList, n.whereClause]).length > 0;
}

/** The SubLinks of these expressions in the order the planner meets them (not those inside a SubLink). */
function collect(x: unknown, out: { link: N; topLevel: boolean }[] = [], depth = 0): { link: N; topLevel: boolean }[] {
  if (!x || typeof x !== 'object') return out;
  if (Array.isArray(x)) { for (const y of x) collect(y, out, depth); return out; }
  const o = x as N;
  if (o.SubLink) { out.push({ link: o, topLevel: depth === 0 }); return out; }
  // a WHERE condition of its own: the whole clause, or an argument of its top-level AND
  const and = o.BoolExpr?.boolop === 'AND_EXPR';
  for (const v of Object.values(o)) collect(v, out, and ? depth : depth + 1);
  return out;
}

/** The one table a subquery reads, and whether every column it names is that table's (uncorrelated). */
function plainSubquery(ex: Executor, q: N): { name: string; rel: N } | null {
  if (!q || (q.op && q.op !== 'SETOP_NONE') || q.withClause || q.lockingClause?.length || q.valuesLists) return null;
  const from = q.fromClause as N[] | undefined;
  if (from?.length !== 1 || !from[0]!.RangeVar || from[0]!.RangeVar.schemaname) return null;
  const rv = from[0]!.RangeVar;
  let t;
  try { t = ex.table(rv); } catch { return null; }
  const name = rv.alias?.aliasname ?? rv.relname;
  const cols = new Set(t.columns.filter((c) => !c.dropped).map((c) => c.name));
  let ok = true;
  const walk = (x: unknown): void => {
    if (!ok || !x || typeof x !== 'object') return;
    if (Array.isArray(x)) { x.forEach(walk); return; }
    const o = x as N;
    if (o.SubLink) { ok = false; return; }
    if (o.ColumnRef) {
      const f = o.ColumnRef.fields as N[];
      if (f.some((y) => y.A_Star)) return;
      const names = f.map((y) => y.String?.sval as string);
      if (names.length === 1 ? !cols.has(names[0]!) : names.length !== 2 || names[0] !== name || !cols.has(names[1]!)) ok = false;
      return;
    }
    for (const v of Object.values(o)) walk(v);
  };
  walk([q.targetList, q.whereClause, q.groupClause, q.havingClause, q.sortClause]);
  if (!ok) return null;
  // min(col) / max(col) over an indexed column: PostgreSQL reads the index's first row instead (planagg.c, an
  // InitPlan of its own with a Limit over an Index Only Scan)
  const mm = (x: unknown): boolean => {
    if (!x || typeof x !== 'object') return false;
    if (Array.isArray(x)) return x.some(mm);
    const o = x as N;
    if (o.FuncCall) {
      const fname = (o.FuncCall.funcname as N[]).map((y) => y.String.sval).pop();
      const arg = o.FuncCall.args?.[0]?.ColumnRef?.fields as N[] | undefined;
      const col = arg ? t.columns.findIndex((c) => c.name === arg[arg.length - 1]!.String?.sval) : -1;
      if ((fname === 'min' || fname === 'max') && col >= 0 && t.indexes.some((i) => i.columns[0] === col)) return true;
    }
    return Object.values(o).some(mm);
  };
  if (mm(q.targetList)) throw notSupported('EXPLAIN of min / max over an indexed column in a subquery (an index walk as its own InitPlan)');
  return { name, rel: rv };
}

/**
 * Plan the subqueries of a query level. `usedNames`: the relation names the query itself uses (a subquery's table
 * of the same name is relabelled name_1, name_2, ...); `explainSub` plans one subquery as its own SELECT.
 */
export function* planSubplans(ex: Executor, s: Session, n: N, o: Options, usedNames: string[], explainSub: (q: N) => Gen<PlanNode>): Gen<Subplans> {
  if (o.analyze) throw notSupported('EXPLAIN ANALYZE of subqueries (InitPlan / SubPlan)');
  if (o.costs) throw noCosts('subqueries (InitPlan / SubPlan)');
  const links = collect([n.targetList, n.whereClause]);
  // `k = (SELECT ...)` on an indexed column: PostgreSQL may probe the index with the parameter (Index Cond: (k = $0))
  const tableOf = (rv: N) => { try { return ex.table(rv); } catch { return null; } };
  const outer = n.fromClause?.length === 1 && n.fromClause[0].RangeVar ? tableOf(n.fromClause[0].RangeVar) : null;
  const indexed = (c: N | undefined) => {
    const f = c?.ColumnRef?.fields as N[] | undefined;
    const col = f && outer ? outer.columns.findIndex((x) => x.name === f[f.length - 1]!.String?.sval) : -1;
    return !!outer && col >= 0 && outer.indexes.some((i) => i.columns[0] === col);
  };
  const probes = (x: unknown): boolean => {
    if (!x || typeof x !== 'object') return false;
    if (Array.isArray(x)) return x.some(probes);
    const e = (x as N).A_Expr;
    if (e?.kind === 'AEXPR_OP' && ((e.lexpr?.SubLink && indexed(e.rexpr)) || (e.rexpr?.SubLink && indexed(e.lexpr)))) return true;
    return !(x as N).SubLink && Object.values(x as N).some(probes);
  };
  if (probes(n.whereClause)) throw notSupported('EXPLAIN of an indexed column compared with a subquery (an Index Scan on its parameter)');
  const whereLinks = collect(n.whereClause);
  const used = new Set(usedNames);
  const out: Subplans = { texts: new Map(), initPlans: [], subPlans: [] };
  let id = 0, param = 0;
  for (const { link } of links) {
    const sl = link.SubLink;
    const top = whereLinks.find((w) => w.link === link)?.topLevel ?? false;
    const kind = sl.subLinkType as string;
    if (kind === 'EXISTS_SUBLINK') throw notSupported(`EXPLAIN of ${top ? 'EXISTS as a WHERE condition (PostgreSQL plans a semi / anti join)' : 'EXISTS (SELECT ...)'}`);
    const sub = plainSubquery(ex, sl.subselect?.SelectStmt);
    if (!sub) throw notSupported('EXPLAIN of a correlated subquery or one that is not a SELECT from one table (SubPlan)');
    if (kind === 'ANY_SUBLINK' && top) throw notSupported('EXPLAIN of IN (SELECT ...) as a condition of its own (PostgreSQL plans a semi join)');
    if (kind !== 'EXPR_SUBLINK' && !(kind === 'ANY_SUBLINK' && !sl.operName?.length)) throw notSupported('EXPLAIN of ANY / ALL (SELECT ...) with an operator');
    // the subquery's table, labelled uniquely (select_rtable_names_for_explain)
    let label = sub.name;
    for (let k = 1; used.has(label); k++) label = `${sub.name}_${k}`;
    used.add(label);
    const q = sl.subselect.SelectStmt;
    const renamed = label === sub.name ? q : { ...q, fromClause: [{ RangeVar: { ...sub.rel, alias: { ...(sub.rel.alias ?? {}), aliasname: label } } }] };
    if (label !== sub.name && sub.rel.alias) throw notSupported('EXPLAIN of a subquery whose aliased table needs a unique label');
    const plan = yield* explainSub(renamed);
    id++;
    if (kind === 'EXPR_SUBLINK') {
      const ty = subqueryType(ex, s, q);
      out.texts.set(sl.location, { text: `$${param}`, ty });
      out.initPlans.push({ label: `InitPlan ${id} (returns $${param})`, plan });
      param++;
    } else {
      out.texts.set(sl.location, { text: `(hashed SubPlan ${id})`, ty: 'bool' });
      out.subPlans.push({ id, plan });
    }
  }
  if (out.subPlans.length && (out.initPlans.length || conjunctCount(n.whereClause) > 1)) {
    throw notSupported('EXPLAIN of a hashed SubPlan beside InitPlans or other AND-ed conditions');
  }
  return out;
}

const conjunctCount = (w: N | undefined): number => (!w ? 0 : w.BoolExpr?.boolop === 'AND_EXPR' ? (w.BoolExpr.args as N[]).reduce((a, x) => a + conjunctCount(x), 0) : 1);

/** A scalar subquery's type, as the Deparser types its one output expression over the subquery's table. */
function subqueryType(ex: Executor, s: Session, q: N): SublinkText['ty'] {
  const rv = q.fromClause[0].RangeVar;
  const t = ex.table(rv);
  const scope = ex.tableScope(t, rv.alias?.aliasname ?? null, s, () => ex.eng.snapshotFor(s), '');
  const targets = (q.targetList ?? []) as N[];
  if (targets.length !== 1) throw notSupported('EXPLAIN of a scalar subquery of several columns');
  const ty = new Deparser(scope).typeOf(targets[0]!.ResTarget.val);
  if (ty === 'other' || ty === 'unknown') throw notSupported('EXPLAIN of a scalar subquery of this type');
  return ty;
}

/** Hang the subplans on the finished tree: InitPlans under the top node, each SubPlan under the node that names it. */
export function attachSubplans(top: PlanNode, subs: Subplans): void {
  if (subs.initPlans.length) top.initPlans = [...(top.initPlans ?? []), ...subs.initPlans];
  for (const sp of subs.subPlans) {
    const holder = findNode(top, (p) => p.props.some((d) => d.kind === 'text' && d.value.includes(`SubPlan ${sp.id})`)));
    if (!holder) throw notSupported('EXPLAIN of a SubPlan outside a node\'s conditions');
    holder.subPlans = [...(holder.subPlans ?? []), { label: `SubPlan ${sp.id}`, plan: sp.plan }];
  }
}

function findNode(p: PlanNode, pred: (p: PlanNode) => boolean): PlanNode | null {
  if (pred(p)) return p;
  for (const c of p.children) { const r = findNode(c, pred); if (r) return r; }
  return null;
}
