/**
 * The join problem a FROM list poses (PostgreSQL's optimizer/plan/initsplan.c deconstruct_jointree and
 * distribute_qual_to_rels, reduced): the base relations, each one's own conditions (pushed down into its scan),
 * the equalities between two relations' columns in the order PostgreSQL distributes them (ON conditions
 * bottom-up, then WHERE) and the outer joins' nullable sides, handed to the join order search
 * (optimizer/joinrels.ts) for three or more plain tables. Also the helpers executor/from.ts shares with it: a
 * clause's AND-list, the relations and the column a reference names, a qual unqualified for its scan.
 *
 * Simplifications: what the search cannot vouch for comes back as { unsure } and runs in the written order
 * (EXPLAIN refuses it with 0A000); see optimizer/joinrels.ts for what it covers.
 */
import type { Executor } from './executor.js';
import type { Table } from '../catalog/catalog.js';
import { PgError } from '../errors.js';
import type { Scope } from '../sql/expr.js';
import type { Value } from '../sql/types.js';
import type { ScanPath } from '../optimizer/planner.js';
import type { JoinPlan } from '../optimizer/joinpath.js';
import { runSearchedJoin, type SearchedBase } from './searchjoin.js';
import { standardJoinSearch, type SearchVar, type SearchOther, type SearchUpper, type SearchOuterJoin } from '../optimizer/joinrels.js';
import { indexProbe } from '../optimizer/indxpath.js';
import { intConst } from '../sql/parser.js';
import { N, JoinInput } from './util.js';

/** What the query around a join tells the planner: its WHERE clause, and whether ORDER BY or LIMIT sits above. */
export interface JoinContext {
  where?: N; orderedOrLimited?: boolean;
  /** the SELECT above the join: its ORDER BY, LIMIT / OFFSET and select list (the join search weighs sorted and cheap-startup paths) */
  select?: N;
  /** GROUP BY or DISTINCT above the join (their sort orders are pathkeys the join search would weigh) */
  grouped?: boolean;
  /**
   * UPDATE ... FROM / DELETE ... USING: the target relation's FROM item (by its node) and how its rows are read.
   * Each of its rows carries one more, hidden column after its own (TARGET_TID: a number naming the version's
   * TID), as PostgreSQL's plan carries the target's ctid as a junk column up to ModifyTable.
   */
  target?: { item: N; rows: (t: Table, scope: Scope, path?: ScanPath) => Value[][] };
  /** the join methods switched off (enable_hashjoin & co. = off): a join of two tables is then searched by cost too */
  disabled?: ReadonlySet<'HashJoin' | 'MergeJoin' | 'NestLoop'>;
}

export const conjuncts = (w: N | undefined | null): N[] => (!w ? [] : w.BoolExpr?.boolop === 'AND_EXPR' ? (w.BoolExpr.args as N[]).flatMap(conjuncts) : [w]);

/**
 * The column references of an expression, each as its list of names — or null when it holds something the caller
 * cannot place: a subquery, a reference that is not plain names (t.*), or a node `reject` refuses.
 */
export function columnRefs(q: unknown, reject: (o: N) => boolean = () => false): string[][] | null {
  const out: string[][] = [];
  let ok = true;
  const walk = (x: unknown): void => {
    if (!ok || !x || typeof x !== 'object') return;
    if (Array.isArray(x)) { x.forEach(walk); return; }
    const o = x as N;
    if (o.SubLink || reject(o)) { ok = false; return; }
    if (o.ColumnRef) {
      const f = o.ColumnRef.fields as N[];
      if (!f.every((y) => y.String)) { ok = false; return; }
      out.push(f.map((y) => y.String.sval as string));
      return;
    }
    for (const v of Object.values(o)) walk(v);
  };
  walk(q);
  return ok ? out : null;
}

/** The relations (indexes into rels) a qual's column references name; null when it holds something else that matters (a subquery). */
export function relsOf(q: N, inp: JoinInput): Set<number> | null {
  const refs = columnRefs(q);
  if (!refs) return null;
  const found = new Set<number>();
  for (const names of refs) {
    const r = resolveColumn(names, inp);
    if (!r) return null;
    found.add(r.rel);
  }
  return found;
}

/** A column reference [rel.]col in a join input: which relation and which column of the combined row. */
export function resolveColumn(names: string[], inp: JoinInput): { rel: number; col: number } | null {
  let offset = 0;
  const hits: { rel: number; col: number }[] = [];
  inp.rels.forEach((r, ri) => {
    const cols = inp.columns.slice(offset, offset + r.count);
    if (names.length === 2 && names[0] !== r.name) { offset += r.count; return; }
    const c = cols.findIndex((x) => x.name === names[names.length - 1] && (names.length === 2 || !x.hidden));
    if (c >= 0) hits.push({ rel: ri, col: offset + c });
    offset += r.count;
  });
  return names.length <= 2 && hits.length === 1 ? hits[0]! : null;
}

/** A FROM leaf's name as its columns are qualified (a table's alias or name, a subquery's alias, a function's alias or name). */
export function leafName(f: N): string {
  if (f.RangeVar) return f.RangeVar.alias?.aliasname ?? f.RangeVar.relname;
  if (f.RangeSubselect) return f.RangeSubselect.alias?.aliasname ?? '';
  const fc = f.RangeFunction?.functions?.[0]?.List?.items?.[0]?.FuncCall;
  return f.RangeFunction?.alias?.aliasname ?? fc?.funcname?.map((x: N) => x.String.sval).pop() ?? '';
}
export const leavesOf = (f: N): N[] => (f.JoinExpr ? [...leavesOf(f.JoinExpr.larg), ...leavesOf(f.JoinExpr.rarg)] : [f]);

/** A qual of one relation with its column references unqualified (`t.k = 2` as the scan of t sees it: `k = 2`). */
export function unqualify(q: N): N {
  if (Array.isArray(q)) return q.map(unqualify);
  if (!q || typeof q !== 'object') return q;
  if (q.ColumnRef) return { ColumnRef: { ...q.ColumnRef, fields: (q.ColumnRef.fields as N[]).slice(-1) } };
  return Object.fromEntries(Object.entries(q).map(([k, v]) => [k, unqualify(v as N)]));
}

const INT = new Set(['int2', 'int4', 'int8']);
const STRINGS = new Set(['text', 'varchar']);
/** bit strings: merge-joinable (bitcmp), not hash-joinable (no hash opclass) */
export const BITS: ReadonlySet<string> = new Set(['bit', 'varbit']);
/** Key types a hash or merge join may compare by value (one type family whose equality is value identity). */
export const joinableTypes = (a: string, b: string) => (INT.has(a) && INT.has(b)) || (STRINGS.has(a) && STRINGS.has(b)) || (BITS.has(a) && BITS.has(b));

/**
 * The FROM list of three or more plain tables joined by inner joins (commas, JOIN ... ON) goes to the join order
 * search (optimizer/joinrels.ts): the base relations in FROM's order, each one's own conditions, and the
 * equalities between two tables' columns in the order PostgreSQL distributes them (ON conditions bottom-up, then
 * WHERE). null: not such a FROM list; { unsure }: the search cannot vouch for its plan (the written order runs).
 */
export function searchJoins(ex: Executor, from: N[], base: (item: N) => JoinInput, whereConj: N[], combinedScope: (inp: JoinInput) => Scope,
  ctx: JoinContext): { input: JoinInput } | { unsure: string } | null {
  const items: N[] = [];
  const quals: N[] = [];
  /** LEFT / RIGHT JOINs: the nullable side's item and the ON conditions */
  const outerJoins: { nullable: N; quals: N[] }[] = [];
  const walk = (f: N): boolean => {
    if (f.RangeVar) { items.push(f); return true; }
    const j = f.JoinExpr;
    if (!j || !['JOIN_INNER', 'JOIN_LEFT', 'JOIN_RIGHT'].includes(j.jointype) || j.usingClause?.length || j.isNatural || j.alias) return false;
    if (!walk(j.larg) || !walk(j.rarg)) return false;
    if (j.jointype === 'JOIN_INNER') quals.push(...conjuncts(j.quals));
    else outerJoins.push({ nullable: j.jointype === 'JOIN_LEFT' ? j.rarg : j.larg, quals: conjuncts(j.quals) });
    return true;
  };
  // two tables are planned by rules (executor/from.ts), unless a join method is switched off: the search's costs
  // then tell which of the others wins
  if (!from.every(walk) || items.length < (ctx.disabled?.size ? 2 : 3)) return null;
  const inputs = items.map(base);
  if (inputs.some((inp) => inp.plan.kind !== 'Scan')) return null;
  const names = inputs.map((i) => i.names[0]!);
  const dup = names.find((x, i) => names.indexOf(x) !== i);
  if (dup) throw new PgError('42712', `table name "${dup}" specified more than once`);
  if (ctx.grouped) return { unsure: 'GROUP BY or DISTINCT above it (sorted paths, the groups\' order)' };
  const all: JoinInput = {
    names, columns: inputs.flatMap((i) => i.columns), rels: inputs.flatMap((i) => i.rels), tables: inputs.flatMap((i) => i.tables),
    rows: () => [], plan: { kind: 'Other', name: '', what: '' },
  };
  const offsets: number[] = [];
  inputs.reduce((o, inp) => { offsets.push(o); return o + inp.columns.length; }, 0);
  const varOf = (col: number) => { let r = 0; while (r + 1 < offsets.length && offsets[r + 1]! <= col) r++; return { rel: r, col: col - offsets[r]! }; };
  const own: N[][] = inputs.map(() => []);
  const eqs: [SearchVar, SearchVar][] = [];
  const others: SearchOther[] = [], otherQuals: N[] = [];
  // outer joins: the nullable side one table, joined by one equality; its own ON conditions filter its scan
  const ojs: SearchOuterJoin[] = [];
  const nullable = new Set<number>();
  for (const oj of outerJoins) {
    const b = oj.nullable.RangeVar ? items.indexOf(oj.nullable) : -1;
    if (b < 0) return { unsure: 'an outer join whose nullable side is a join' };
    nullable.add(b);
    let eq: SearchOuterJoin | null = null;
    for (const q of oj.quals) {
      ex.compileWhere(q, combinedScope(all));
      const rels = relsOf(q, all);
      if (!rels) return { unsure: 'an outer join condition with a subquery' };
      if (rels.size === 1 && rels.has(b)) { own[b]!.push(q); continue; }
      const e = q.A_Expr;
      const a: ({ rel: number; col: number } | null)[] | null = !eq && rels.size === 2 && rels.has(b) && e?.kind === 'AEXPR_OP' && e.name?.length === 1 && e.name[0].String?.sval === '=' && e.lexpr?.ColumnRef
        && e.rexpr?.ColumnRef ? [e.lexpr, e.rexpr].map((x: N) => resolveColumn((x.ColumnRef.fields as N[]).map((y) => y.String?.sval), all)) : null;
      if (!a || !a[0] || !a[1]) return { unsure: 'an outer join condition other than one equality with the nullable table (and conditions on it alone)' };
      const va: SearchVar = varOf(a[0].col), vb: SearchVar = varOf(a[1].col);
      eq = va.rel === b ? { a: vb, b: va } : { a: va, b: vb };
    }
    if (!eq) return { unsure: 'an outer join without an equality' };
    ojs.push(eq);
  }
  if (ojs.some((oj) => nullable.has(oj.a.rel))) return { unsure: 'an outer join whose preserved side is the nullable side of another (join order identities)' };
  for (const q of [...quals, ...whereConj]) {
    ex.compileWhere(q, combinedScope(all)); // its errors first
    const rels = relsOf(q, all);
    if (!rels) return { unsure: 'a join condition with a subquery or a whole-row reference' };
    if ([...rels].some((r) => nullable.has(r))) return { unsure: 'a condition on the nullable side of an outer join above it (PostgreSQL may reduce the outer join)' };
    if (rels.size === 1) { own[[...rels][0]!]!.push(q); continue; }
    const e = q.A_Expr;
    const a = e?.kind === 'AEXPR_OP' && e.name?.length === 1 && e.name[0].String?.sval === '=' && e.lexpr?.ColumnRef && e.rexpr?.ColumnRef
      ? [e.lexpr, e.rexpr].map((x: N) => resolveColumn((x.ColumnRef.fields as N[]).map((y) => y.String?.sval), all)) : null;
    if (a && a[0] && a[1] && rels.size === 2) { eqs.push([varOf(a[0].col), varOf(a[1].col)]); continue; }
    // a comparison of two tables' integer columns: a join filter keeping a third of the pairs (DEFAULT_INEQ_SEL)
    const cmp = e?.kind === 'AEXPR_OP' && e.name?.length === 1 && ['<', '<=', '>', '>='].includes(e.name[0].String?.sval) && e.lexpr?.ColumnRef && e.rexpr?.ColumnRef
      ? [e.lexpr, e.rexpr].map((x: N) => resolveColumn((x.ColumnRef.fields as N[]).map((y) => y.String?.sval), all)) : null;
    const ints = cmp?.every((c) => c && ['int4', 'int2', 'int8'].includes(all.columns[c.col]!.type.name));
    if (!cmp || !ints || rels.size !== 2) return { unsure: 'a join condition other than an equality or a comparison of two columns' };
    others.push({ rels: [...rels], sel: 1 / 3 });
    otherQuals.push(q);
  }
  // the columns the query reads of each table (an index holding them all would give an Index Only Scan)
  // UPDATE ... FROM / DELETE ... USING / MERGE: the target returns its ctid, every other table its ctid too (the row
  // mark EvalPlanQual refetches it by: preprocess_rowmarks' ROW_MARK_REFERENCE) — none can be an Index Only Scan
  const needed: (Set<number> | 'all' | undefined)[] = items.map(() => (ctx.target ? 'all' : ctx.select ? new Set<number>() : undefined));
  const need = (r: number, cols: number[]) => { const s0 = needed[r]; if (s0 instanceof Set) for (const c of cols) s0.add(c); };
  const everyColumn = (r: number) => inputs[r]!.columns.map((c, k) => ({ c, k })).filter((x) => !(x.c as { dropped?: boolean }).dropped).map((x) => x.k);
  const walkRefs = (x: unknown): void => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) { x.forEach(walkRefs); return; }
    const o = x as N;
    if (o.ColumnRef) {
      const f = o.ColumnRef.fields as N[];
      const star = f[f.length - 1]?.A_Star;
      if (star && f.length === 1) items.forEach((_, r) => need(r, everyColumn(r)));
      else if (star && f.length === 2 && f[0]?.String) {
        const r = names.indexOf(f[0].String.sval);
        if (r >= 0) need(r, everyColumn(r));
      } else if (f.every((y) => y.String)) {
        const c = resolveColumn(f.map((y) => y.String.sval as string), all);
        if (c) { const v = varOf(c.col); need(v.rel, [v.col]); } else if (f.length === 1 && names.includes(f[0]!.String.sval)) {
          const r = names.indexOf(f[0]!.String.sval); // a whole-row reference: every column of that table
          need(r, everyColumn(r));
        }
      }
      return;
    }
    for (const v of Object.values(o)) walkRefs(v);
  };
  if (ctx.select) walkRefs(ctx.select);
  const upper0 = ctx.orderedOrLimited ? searchUpper(ctx.select, all, varOf) : {};
  if ('unsure' in upper0) return upper0;
  const upper: SearchUpper = ctx.disabled?.size ? { ...upper0, disabled: ctx.disabled } : upper0;
  const plan = standardJoinSearch(inputs.map((inp, i) => {
    const table = (inp.plan as Extract<JoinPlan, { kind: 'Scan' }>).table, quals = own[i]!.map(unqualify);
    // a unique key the table's own conditions equate to a constant (an Index Scan for it: indxpath.ts)
    const eqProbe = quals.length ? indexProbe(table, quals.length === 1 ? quals[0] : { BoolExpr: { boolop: 'AND_EXPR', args: quals } }, combinedScope(inp)) : null;
    return { table, name: names[i]!, quals, ...(needed[i] ? { needed: needed[i] } : {}), ...(eqProbe ? { eqProbe } : {}) };
  }),
  eqs, others, upper, ojs);
  if ('unsure' in plan) return plan;
  // EXPLAIN prints a sort key of a class by the member the target list holds first (SELECT *: FROM's order)
  const star = ((ctx.select?.targetList ?? []) as N[])
    .every((t) => t.ResTarget?.val?.ColumnRef?.fields?.length === 1 && t.ResTarget.val.ColumnRef.fields[0].A_Star);
  const classOf = (v: SearchVar): SearchVar[] => {
    const cls = [v];
    for (let grew = true; grew;) {
      grew = false;
      for (const [a, b] of eqs) {
        const ha = cls.some((m) => m.rel === a.rel && m.col === a.col), hb = cls.some((m) => m.rel === b.rel && m.col === b.col);
        if (ha !== hb) { cls.push(ha ? b : a); grew = true; }
      }
    }
    return cls;
  };
  const sortKeyUnsure = ((ctx.select?.sortClause ?? []) as N[]).some((x) => {
    const fl = x.SortBy.node?.ColumnRef?.fields as N[] | undefined;
    const r = fl?.every((y) => y.String) ? resolveColumn(fl.map((y) => y.String.sval as string), all) : null;
    if (!r) return false;
    const v = varOf(r.col), cls = classOf(v);
    if (cls.length < 2) return false;
    const firstInFrom = cls.reduce((a, b) => (b.rel < a.rel || (b.rel === a.rel && b.col < a.col) ? b : a));
    return !star || firstInFrom.rel !== v.rel || firstInFrom.col !== v.col;
  });
  const andOf = (qs: N[]) => (qs.length === 1 ? qs[0]! : { BoolExpr: { boolop: 'AND_EXPR', args: qs } });
  const bases: SearchedBase[] = inputs.map((inp, i) => ({
    input: inp, quals: own[i]!.map(unqualify), filter: own[i]!.length ? ex.compileWhere(andOf(own[i]!), combinedScope(inp)) : null,
  }));
  const input = runSearchedJoin(bases, plan, otherQuals, (q, inp) => ex.compileWhere(q, combinedScope(inp))!);
  if (sortKeyUnsure && input.plan.kind === 'Join') input.plan.unsure = 'ORDER BY a join column its Sort Key may name by another member of its class';
  return { input };
}

/**
 * ORDER BY and LIMIT above a searched join, as the search weighs them (optimizer/joinrels.ts SearchUpper): the
 * first sort key as a base relation's column (an output column's name or position, or an expression: no path is
 * sorted on it unless it is a plain column), LIMIT and OFFSET as integer constants.
 */
function searchUpper(n: N | undefined, all: JoinInput, varOf: (col: number) => SearchVar): SearchUpper | { unsure: string } {
  if (!n) return { unsure: 'ORDER BY or LIMIT above it' };
  const intOf = (x: N | undefined): number | null | undefined => {
    if (!x) return null;
    const c = x.A_Const;
    if (c?.isnull) return null;
    return c ? intConst(c) : undefined; // (the parse cache lifts small literals out of the tree: intConst reads them back)
  };
  const upper: SearchUpper = {};
  if (n.limitCount || n.limitOffset) {
    const count = intOf(n.limitCount), offset = intOf(n.limitOffset);
    if (count === undefined || offset === undefined || (count !== null && count < 0) || (offset ?? 0) < 0) return { unsure: 'a LIMIT or OFFSET other than an integer constant' };
    if (n.limitOption === 'LIMIT_OPTION_WITH_TIES') return { unsure: 'FETCH ... WITH TIES' };
    upper.limit = { count: count === null ? null : Math.max(1, count), offset: offset ?? 0 };
  }
  const sorts = (n.sortClause ?? []) as N[];
  if (sorts.length) {
    const sb = sorts[0]!.SortBy, k = sb.node as N;
    const outputNames = new Set(((n.targetList ?? []) as N[]).map((t) => t.ResTarget?.name).filter(Boolean));
    const f = k.ColumnRef?.fields as N[] | undefined;
    let first: SearchVar | null = null;
    if (f && f.every((x) => x.String)) {
      const names = f.map((x) => x.String.sval as string);
      if (names.length === 1 && outputNames.has(names[0])) return { unsure: 'ORDER BY an output column\'s name' };
      const r = resolveColumn(names, all);
      if (r) first = varOf(r.col);
    } else if (k.A_Const) return { unsure: 'ORDER BY an output column\'s position' };
    const nulls = sb.sortby_nulls as string;
    const desc = sb.sortby_dir === 'SORTBY_DESC';
    const nullsFirst = nulls === 'SORTBY_NULLS_FIRST' ? true : nulls === 'SORTBY_NULLS_LAST' ? false : desc;
    if (nullsFirst !== desc) first = null; // ASC NULLS FIRST, DESC NULLS LAST: no B-tree order gives it
    upper.order = { first, keys: sorts.length, desc };
  }
  return upper;
}
