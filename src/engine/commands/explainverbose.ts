/**
 * EXPLAIN VERBOSE's "Output:" lines (explain.c show_plan_tlist): the columns and expressions each node returns, as
 * createplan.c chose its target list and setrefs.c pointed the upper nodes at their input's:
 *
 *     EXPLAIN (VERBOSE, COSTS OFF) SELECT k, v + 1 FROM t WHERE v > 2 ORDER BY v;
 *     Sort
 *       Output: k, ((v + 1)), v          the Sort passes its input's columns on; an expression computed below
 *       Sort Key: t.v                    prints in one more pair of parentheses, a resjunk sort column follows
 *       ->  Seq Scan on public.t
 *             Output: k, (v + 1), v      the scan computes the select list (exact: a Sort wants a small tuple)
 *             Filter: (t.v > 2)          conditions and keys are qualified under VERBOSE
 *
 * Who computes the select list: the topmost Aggregate, else the scan (or Result, Function Scan, join). Nodes above
 * it (Sort, Limit) pass it on. Under an Aggregate the scan returns the table's whole row (use_physical_tlist:
 * no projection needed) — an Index Only Scan its index's columns. A GROUP BY or ORDER BY item missing from the
 * select list rides along at the end (a resjunk column: ORDER BY's first, then GROUP BY's). Output names are
 * qualified only when the query has several range table entries; relations are schema-qualified ("on public.t",
 * explainformat.ts). A join of two tables returns the select list; a side read directly its whole row, a side
 * under a Hash, Sort or Materialize only the columns needed above it (joinNeeds). FOR UPDATE adds each row's ctid.
 *
 * A CTE Scan or Subquery Scan computes the select list as a scan does (its whole row under an Aggregate), over
 * the inner query's own plan and Output. An inheritance parent's Append: each member returns the select list's columns under its own label (p_1.a).
 *
 * Simplifications, refused with 0A000 (a node whose output is not worked out here): nodes above an Append,
 * window functions, set-returning functions, GroupAggregate, a Bitmap Heap Scan
 * under an Aggregate (an empty target list, no Output at all), joins of three or more tables, InitPlans
 * and SubPlans, recursive and data-modifying CTEs, set operations, VALUES; ModifyTable with RETURNING, UPDATE ...
 * FROM, MERGE other than over a join of two plain tables (mergeOutputs), INSERT of other than int4 / text constants
 * into every column in order.
 */
import { notSupported } from '../errors.js';
import { type Deparser, quoteIdent } from '../optimizer/ruleutils.js';
import type { Scope } from '../sql/expr.js';
import type { N } from '../executor/util.js';
import { intConst } from '../sql/parser.js';
import type { Table } from '../catalog/catalog.js';
import type { PlanNode } from './plannodes.js';

/** One entry of a node's target list: its text, and whether it is a plain column (a Var) at the node computing it. */
interface Item { text: string; isVar: boolean }

const refuse = (what: string) => notSupported(`EXPLAIN (VERBOSE) of ${what} (its Output lines are not worked out here)`);

/** A node passing its input's entries on (set_dummy_tlist_references): an expression gains parentheses. */
const passOn = (items: Item[]): Item[] => items.map((i) => ({ text: i.isVar ? i.text : `(${i.text})`, isVar: true }));
const texts = (items: Item[]) => items.map((i) => i.text);

/** A constant as ruleutils.c get_const_expr prints it in a target list (int4 and text only). */
export function constText(x: N): string | null {
  const c = x.A_Const;
  if (!c || c.isnull || c.fval || c.boolval) return null;
  if (c.sval) { const v = String(c.sval.sval); return v.includes('\\') ? null : `'${v.replace(/'/g, "''")}'::text`; }
  const v = intConst(c);
  return v !== undefined && Number.isSafeInteger(v) && v >= 0 && v < 2 ** 31 ? String(v) : null;
}

/** One select-list expression as the node computing it prints it. */
function itemOf(x: N, d: Deparser): Item {
  if (x.A_Const) {
    const t = constText(x);
    if (t === null) throw refuse('a constant of this type in the select list');
    return { text: t, isVar: false };
  }
  return { text: d.expr(x), isVar: !!x.ColumnRef };
}

const isStar = (x: N) => !!x.ColumnRef?.fields?.some((f: N) => f.A_Star);

/** `*`: every column of every relation in FROM, in order (qualified when the query has several relations) */
function starItems(scope: Scope, out: Deparser): Item[] {
  const rels = scope.rels ?? [{ name: scope.alias ?? scope.relName ?? '', offset: 0, count: scope.columns.length }];
  return rels.flatMap((r) => scope.columns.slice(r.offset, r.offset + r.count)
    .map((c) => ({ text: out.prefix && r.name ? `${quoteIdent(r.name)}.${quoteIdent(c.name)}` : quoteIdent(c.name), isVar: true })));
}

/**
 * The Output of every node of a SELECT's plan (explainselect.ts built it): `out` deparses output entries (qualified
 * when the query has several range table entries), `resolve` maps an ORDER BY / GROUP BY item to its target.
 */
export function selectOutputs(top: PlanNode, n: N, scope: Scope, out: Deparser, resolve: (k: N) => N, table: Table | null) {
  const targets = (n.targetList ?? []) as N[];
  const items: Item[] = [];
  for (const t of targets) {
    const v = t.ResTarget.val as N;
    if (isStar(v)) items.push(...starItems(scope, out));
    else items.push(itemOf(v, out));
  }
  // resjunk entries: ORDER BY items, then GROUP BY items, that the select list lacks
  for (const k of [...((n.sortClause ?? []) as N[]).map((sb) => sb.SortBy.node), ...((n.groupClause ?? []) as N[])]) {
    const r = resolve(k);
    if (targets.some((t) => t.ResTarget.val === r)) continue;
    const it = itemOf(r, out);
    if (!items.some((i) => i.text === it.text)) items.push(it);
  }
  // the chain of nodes down to the one computing the select list
  const chain: PlanNode[] = [];
  let p: PlanNode = top;
  while (['Limit', 'Sort', 'LockRows', 'Unique'].includes(p.type)) { chain.push(p); p = p.children[0]!; }
  // FOR UPDATE / SHARE: each row's ctid rides along to LockRows (the row mark's junk column)
  if (chain.some((q) => q.type === 'LockRows')) items.push({ text: 'ctid', isVar: true });
  let computed: Item[];
  if (p.type === 'Aggregate') {
    if (p.strategy === 'Sorted') throw refuse('a GroupAggregate');
    p.output = texts(items);
    computed = items;
    const leaf = p.children[0]!;
    if (((n.groupClause ?? []) as N[]).some((g) => !resolve(g).ColumnRef)) throw refuse('GROUP BY of an expression');
    if (leaf.type === 'Seq Scan' || leaf.type === 'Index Scan') {
      // use_physical_tlist: the whole row, no projection
      leaf.output = table!.columns.filter((c) => !c.dropped).map((c) => out.expr({ ColumnRef: { fields: [{ String: { sval: c.name } }] } }));
    } else if (leaf.type === 'CTE Scan' || leaf.type === 'Subquery Scan') {
      leaf.output = texts(starItems(scope, out)); // its whole row, every column of the CTE / subquery
    } else throw refuse(`an Aggregate over a ${leaf.type}`);
  } else {
    computed = items;
    leafOutputs(p, n, items, out, chain.length > 0);
  }
  let below = computed;
  for (const q of chain.reverse()) { below = passOn(below); q.output = texts(below); }
}

/** The scan, Result, Function Scan or join that computes the select list. */
function leafOutputs(p: PlanNode, n: N, items: Item[], out: Deparser, chainAbove: boolean) {
  switch (p.type) {
    case 'Seq Scan': case 'Index Scan': case 'Index Only Scan': case 'Result': case 'CTE Scan': case 'Subquery Scan':
      p.output = texts(items);
      return;
    case 'Bitmap Heap Scan':
      p.output = texts(items);
      for (const c of p.children) c.output = null; // Bitmap Index Scan, BitmapOr: no target list
      for (const c of p.children[0]!.children) c.output = null;
      return;
    case 'Append': {
      // an inheritance parent's members, each returning the select list's columns (create_append_plan asks them
      // for an exact target list), named by the member's label; the Append's own Output is suppressed
      const targets = (n.targetList ?? []) as N[];
      if (chainAbove) throw refuse('nodes above an Append');
      p.output = null;
      for (const m of p.children) {
        const label = m.target!.alias;
        const cols = targets.flatMap((t) => {
          const v = t.ResTarget.val as N;
          if (isStar(v)) return starItems(out.scope, out).map((i) => i.text.replace(/^.*\./, ''));
          const f = v.ColumnRef?.fields as N[] | undefined;
          if (!f || !f.every((x) => x.String)) throw refuse('an Append of members computing expressions');
          return [quoteIdent(f[f.length - 1]!.String.sval)];
        });
        m.output = cols.map((c) => `${quoteIdent(label)}.${c}`);
        for (const c of m.children) { c.output = null; for (const g of c.children) g.output = null; }
      }
      return;
    }
    case 'Function Scan': {
      const fc = n.fromClause[0].RangeFunction.functions[0].List.items[0] as N;
      const args = ((fc.FuncCall?.args ?? []) as N[]).map(constText);
      if (args.some((a) => a === null || a.includes("'"))) throw refuse('a function call of these arguments');
      p.props.unshift({ kind: 'text', label: 'Function Call', value: `generate_series(${args.join(', ')})` });
      p.output = texts(items);
      return;
    }
    case 'Hash Join': case 'Merge Join': case 'Nested Loop': {
      p.output = texts(items);
      const needs = joinNeeds(n, p, out);
      p.children.forEach((c, i) => sideOutputs(c, out, needs, p.type === 'Hash Join' ? i === 1 : false));
      return;
    }
    default: throw refuse(`a ${p.type}`);
  }
}

/**
 * The columns each relation of a two-table join must return, in the order the planner added them to its target
 * (build_base_rel_tlists, then the join's conditions): those of the select list and ORDER BY first, then those the
 * join condition, join filter and an outer join's upper filter read.
 */
function joinNeeds(n: N, j: PlanNode, out: Deparser): Map<string, string[]> {
  const rels = out.scope.rels ?? [];
  const needs = new Map<string, string[]>(rels.map((r) => [r.name, []]));
  const add = (rel: string, col: string) => { const l = needs.get(rel); if (l && !l.includes(col)) l.push(col); };
  const walk = (x: unknown): void => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) { x.forEach(walk); return; }
    const o = x as N;
    if (o.ColumnRef) {
      const f = o.ColumnRef.fields as N[];
      if (f.some((y) => y.A_Star)) {
        const rel = f.length === 2 ? f[0]!.String.sval : null;
        for (const r of rels) if (rel === null || r.name === rel) for (const c of out.scope.columns.slice(r.offset, r.offset + r.count)) add(r.name, c.name);
        return;
      }
      const name = f[f.length - 1]!.String?.sval as string;
      const hits = f.length === 2 ? rels.filter((r) => r.name === f[0]!.String?.sval)
        : rels.filter((r) => out.scope.columns.slice(r.offset, r.offset + r.count).some((c) => c.name === name));
      if (hits.length !== 1) throw refuse('a join whose column references are not resolved here');
      add(hits[0]!.name, name);
      return;
    }
    if (o.SubLink) throw refuse('a subquery in a join');
    for (const v of Object.values(o)) walk(v);
  };
  walk(n.targetList);
  walk(((n.sortClause ?? []) as N[]).map((sb) => sb.SortBy.node));
  if (!j.joinQuals) throw refuse('this join');
  walk(j.joinQuals);
  return needs;
}

/**
 * A side of a two-table join: a Hash (or a Sort, a Materialize) wants a small tuple — its scan returns only the
 * columns needed above, and the node passes them on; a scan read directly by the join returns its whole row
 * (use_physical_tlist).
 */
function sideOutputs(p: PlanNode, out: Deparser, needs: Map<string, string[]>, small: boolean) {
  if (p.type === 'Hash' || p.type === 'Sort' || p.type === 'Materialize') {
    sideOutputs(p.children[0]!, out, needs, true);
    p.output = p.children[0]!.output;
    return;
  }
  if (!p.target || p.target.tag !== 'Relation Name' || p.children.length) throw refuse('a join of joins');
  const rel = p.target.alias;
  const r = out.scope.rels?.find((x) => x.name === rel);
  if (!r) throw refuse('this join side');
  const cols = small ? needs.get(rel) ?? [] : out.scope.columns.slice(r.offset, r.offset + r.count).map((c) => c.name);
  p.output = cols.map((c) => `${quoteIdent(rel)}.${quoteIdent(c)}`);
}

/**
 * UPDATE / DELETE: the scan under ModifyTable returns the new values of the SET columns, in column order, then the
 * row's ctid (DELETE: the ctid alone); ModifyTable itself returns nothing without RETURNING.
 */
export function modifyOutputs(mt: PlanNode, scan: PlanNode, type: string, n: N, t: Table, d: Deparser) {
  if (n.returningList?.length) throw refuse('RETURNING');
  mt.output = null;
  const sets = type === 'UpdateStmt' ? ((n.targetList ?? []) as N[]).map((tl) => ({ col: t.columns.findIndex((c) => !c.dropped && c.name === tl.ResTarget.name), val: tl.ResTarget.val as N })) : [];
  if (sets.some((x) => x.col < 0 || (n.targetList as N[]).some((tl) => tl.ResTarget.indirection))) throw refuse('this SET list');
  sets.sort((a, b) => a.col - b.col);
  const vals = sets.map((x) => {
    const ty = t.columns[x.col]!.type.name;
    if (x.val.A_Const) {
      const c = constText(x.val);
      if (c === null || (ty !== 'int4' && ty !== 'text') || (ty === 'int4') !== !c.startsWith("'")) throw refuse('a SET of this constant');
      return c;
    }
    return d.expr(x.val);
  });
  scan.output = [...vals, 'ctid'];
  for (const c of scan.children) { c.output = null; for (const g of c.children) g.output = null; }
}

/** INSERT ... VALUES: the Result (one row) returns the values, a Values Scan its columns; ModifyTable nothing. */
export function insertOutputs(mt: PlanNode, child: PlanNode, n: N, t: Table, lists: N[]) {
  if (n.returningList?.length) throw refuse('RETURNING');
  const cols = t.columns.filter((c) => !c.dropped);
  const named = ((n.cols ?? []) as N[]).map((c) => c.ResTarget.name);
  if (named.length && named.some((x, i) => x !== cols[i]?.name)) throw refuse('INSERT with a column list');
  const rows = lists.map((l) => l.List.items as N[]);
  if (rows.some((r) => r.length !== cols.length)) throw refuse('INSERT of fewer values than columns (defaults)');
  const ok = rows.every((r) => r.every((x, i) => {
    const c = constText(x), ty = cols[i]!.type.name;
    return c !== null && ((ty === 'int4' && !c.startsWith("'")) || (ty === 'text' && c.startsWith("'")));
  }));
  if (!ok) throw refuse('INSERT of these values (only int4 and text constants)');
  mt.output = null;
  child.output = rows.length === 1 ? rows[0]!.map((x) => constText(x)!) : cols.map((_, i) => `"*VALUES*".column${i + 1}`);
}

/**
 * MERGE over a join of two plain tables (preprocess_targetlist for CMD_MERGE): the join returns the target's ctid
 * (the row identity ExecMergeMatched refetches the target row by: the target's other columns are not carried),
 * then every column of the source that a WHEN clause reads — clause by clause, its AND condition before its
 * action's list (an INSERT's values and an UPDATE's SET list each in the target's column order, as
 * rewriteTargetListIU puts them) — then the source's ctid (its row mark, for EvalPlanQual). Each table returns
 * the columns of that list that are its own, then those the ON condition reads; ModifyTable returns nothing.
 */
export function mergeOutputs(mt: PlanNode, join: PlanNode, n: N, t: Table, target: string, source: string, sourceCols: string[]) {
  mt.output = null;
  const out: { rel: string; col: string }[] = [];
  const add = (rel: string, col: string) => { if (!out.some((x) => x.rel === rel && x.col === col)) out.push({ rel, col }); };
  const vars = (x: unknown, matched: boolean, into: (rel: string, col: string) => void): void => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) { x.forEach((y) => vars(y, matched, into)); return; }
    const o = x as N;
    if (o.ColumnRef) {
      const f = o.ColumnRef.fields as N[];
      if (!f.every((y) => y.String) || f.length > 2) throw refuse('a MERGE clause with this column reference');
      const col = f[f.length - 1]!.String.sval as string;
      const rel = f.length === 2 ? f[0]!.String.sval as string
        : sourceCols.includes(col) && !(matched && t.columns.some((c) => !c.dropped && c.name === col)) ? source : target;
      into(rel, col);
      return;
    }
    if (o.SubLink) throw refuse('a subquery in a MERGE clause');
    for (const v of Object.values(o)) vars(v, matched, into);
  };
  const colOrder = (name: string) => t.columns.findIndex((c) => !c.dropped && c.name === name);
  add(target, 'ctid');
  for (const w of ((n.mergeWhenClauses ?? []) as N[]).map((c) => c.MergeWhenClause as N)) {
    const matched = w.matchKind === 'MERGE_WHEN_MATCHED';
    const keep = (rel: string, col: string) => { if (rel === source) add(rel, col); };
    vars(w.condition, matched, keep);
    const tl = (w.targetList ?? []) as N[];
    if (w.commandType === 'CMD_UPDATE') {
      if (tl.some((x) => x.ResTarget.indirection)) throw refuse('this SET list');
      [...tl].sort((a, b) => colOrder(a.ResTarget.name) - colOrder(b.ResTarget.name)).forEach((x) => vars(x.ResTarget.val, matched, keep));
    } else if (w.commandType === 'CMD_INSERT') {
      const values = (w.values ?? []) as N[];
      const cols = tl.length ? tl.map((x) => x.ResTarget.name as string) : t.columns.filter((c) => !c.dropped).map((c) => c.name);
      values.map((v, i) => ({ v, at: colOrder(cols[i]!) })).sort((a, b) => a.at - b.at).forEach((x) => vars(x.v, matched, keep));
    }
  }
  add(source, 'ctid');
  const text = (x: { rel: string; col: string }) => `${quoteIdent(x.rel)}.${x.col === 'ctid' ? 'ctid' : quoteIdent(x.col)}`;
  join.output = out.map(text);
  const onVars: { rel: string; col: string }[] = [];
  vars(n.joinCondition, true, (rel, col) => onVars.push({ rel, col }));
  const sideOut = (p: PlanNode) => {
    if (p.type === 'Hash' || p.type === 'Sort' || p.type === 'Materialize') {
      sideOut(p.children[0]!);
      p.output = p.children[0]!.output;
      return;
    }
    if (!p.target || p.target.tag !== 'Relation Name' || p.children.length) throw refuse('a MERGE over a join of joins');
    const rel = p.target.alias;
    const mine: { rel: string; col: string }[] = [];
    for (const x of [...out, ...onVars]) if (x.rel === rel && !mine.some((y) => y.col === x.col)) mine.push(x);
    p.output = mine.map(text);
  };
  if (!['Hash Join', 'Merge Join', 'Nested Loop'].includes(join.type)) throw refuse(`a MERGE over a ${join.type}`);
  join.children.forEach(sideOut);
}
