/**
 * The join order search for three or more relations (PostgreSQL's optimizer/path/allpaths.c standard_join_search
 * and joinrels.c join_search_one_level / make_join_rel, with joinpath.c add_paths_to_joinrel and pathnode.c
 * add_path / set_cheapest): dynamic programming over sets of relations. Level 1 holds the base relations; level
 * k every set of k relations reachable by joining a level k-1 set with one base relation it has a join clause
 * with (and, from level 4, two smaller sets: "bushy" plans). Each join relation keeps the paths add_path lets
 * survive — the cheapest by total cost, within a 1% fuzz (STD_FUZZ_FACTOR), plus any path whose sort order
 * (pathkeys) a later merge join could use — and the final relation's cheapest total path is the plan.
 *
 * The join clauses come from equivalence classes (equivclass.c): `t.k = m.a AND m.a = n.a` puts t.k, m.a and n.a
 * in one class, so t and n can be joined directly on a derived `t.k = n.a`. For a pair of relations the clause
 * is made of the first member of each side in the class's order (generate_join_implied_equalities), and a
 * join relation's row estimate is fixed by the first pair that builds it — so the written order of FROM and of
 * the conditions can change estimates, as it does in PostgreSQL:
 *
 *     a1, a2, a3 (x int, y int), never analyzed (2,260 rows assumed each):
 *     SELECT * FROM a1, a2, a3 WHERE a1.x = a2.x AND a2.x = a3.x      -- one class {a1.x, a2.x, a3.x}
 *       level 2: {a1,a2} {a1,a3} {a2,a3}, each 2260 x 2260 / 200 = 25538 rows; {a1,a2}'s merge join comes
 *                sorted on x and is kept beside its cheaper paths (its order is useful to a later merge join)
 *       level 3: {a1,a2,a3}, first built from {a1,a2} + a3: 25538 x 2260 / 200 = 288579 rows; cheapest:
 *                Merge Join (a3.x = a1.x) of Sort(a3) with a Materialize of the sorted {a1,a2} (no second Sort)
 *
 * For each pair, both sides as outer: a merge join sorting both cheapest paths, nested loops over the inner side
 * (plain and materialized, and each parameterized Index Scan the outer side can feed) for each outer path, merge
 * joins over an outer path already sorted on the key, and hash joins of the cheapest-startup and cheapest-total
 * outer paths (costs: costsize.c's initial / final_cost_* as optimizer/costsize.ts states them; selectivities, hash
 * bucket sizes and merge scan ranges from selfuncs.ts). An inner side that is one table with a unique index on its
 * join column is inner_unique: a probe stops at its first match (the semi-join factors), a merge join never
 * rescans it (skip_mark_restore).
 *
 * Index paths (indxpath.c create_index_paths, costed by paramjoin.ts): a unique index on a join column gives its
 * table a full Index Scan, sorted on the column's class, and for each other member of the class an Index Scan
 * probing with that member's value — parameterized by its relation, the inner side of a nested loop whose outer
 * side holds it ("Index Cond: (k = n.a)"; the join's own clause stays as a Join Filter unless its outer column is
 * that member: join_clause_is_movable_into).
 *
 * Outer joins (SpecialJoinInfo, join_is_legal): a LEFT JOIN (a RIGHT JOIN swapped) whose nullable side is one table
 * joined by one equality: that table joins only a relation holding the other table of the equality (or none
 * yet), the equality sorts each side on its own class (no equivalence: the nullable side may be NULL), the join's
 * rows are at least the preserved side's; JOIN_LEFT (preserved side outer) is tried first, then JOIN_RIGHT (no
 * nested loop; a merge right join's rows are not in order). The nullable table's index on its join column gives
 * it a full Index Scan and an Index Scan probed with the preserved column (the clause is movable into it).
 * Switched-off join methods (enable_hashjoin & co.) cost disable_cost more (SearchUpper.disabled). ORDER BY and LIMIT above: optimizer/orderedpaths.ts
 * (a path sorted for ORDER BY is kept while useful, a LIMIT keeps paths with a cheaper startup: pathnode.ts).
 *
 * Simplifications — the search answers `unsure` (EXPLAIN then refuses 0A000, the executor keeps the written order):
 * plain tables only; after ANALYZE, what selfuncs.ts reads of the statistics (eqjoinsel over the MCV lists,
 * estimate_hash_bucket_stats, mergejoinscansel; a WHERE condition over an MCV list is refused); an index only when
 * unique, single-column, of one leaf page, on a join column of a never-analyzed table without WHERE conditions of
 * its own, or a unique key the table's own condition equates to a constant (an Index Scan, and the table is then
 * inner_unique) — no other index on a WHERE column, no bitmap paths, no Memoize — which never wins without statistics, as
 * ndistinct defaults to the calls — and no Index Only Scan: a query that may read only the indexed column); join
 * conditions equalities between columns of one type (int or text), none
 * on a column the WHERE clause equates to a constant, or comparisons of two tables' integer columns (a third of the
 * pairs, at most one a join); at most one equivalence class between two sides a merge join could use; a hash table
 * that may need batches (over hash_mem) only when its path loses anyway; no FULL JOIN (the written order runs), no outer join whose
 * nullable side is a join or whose preserved table is another's nullable one, none with a condition on its
 * nullable table above it that optimizer/prepjointree.ts did not reduce; no GROUP BY / DISTINCT above, no
 * Incremental Sort. UPDATE ... FROM is searched with SELECT *'s widths (PostgreSQL's are narrower: only the
 * columns it needs), which matters only near work_mem.
 */
import { plannerIndexes } from '../catalog/catalogsnapshot.js';
import type { Table } from '../catalog/catalog.js';
import { CPU_OPERATOR_COST, CPU_TUPLE_COST, SEQ_PAGE_COST, RANDOM_PAGE_COST, costSeqScan, costSort, costIndexScanUniqueEq, type Cost } from './costsize.js';
import { estimateRelSize, clampRowEst, rint } from './plancat.js';
import { eqjoinsel, estimateHashBucketStats, mergejoinscansel, type KeyVar } from './selfuncs.js';
import { whereSelectivity } from './clausesel.js';
import { bucketCount } from '../executor/nodeHashjoin.js';
import type { BtreeIndex } from '../index/btree.js';
import { hasUniqueIndex } from './selfuncs.js';
import { costIndexFullScan, costParamIndexScan, paramIndexFor } from './paramjoin.js';
import { Unsure, unsure, addPath as addPathTo, setCheapest, relationBytes, type Path, type JoinRel } from './pathnode.js';
import { upperPath } from './orderedpaths.js';

type N = Record<string, any>;

const WORK_MEM = 4 * 1024 * 1024;
const HASH_MEM = 2 * WORK_MEM;

/** A base relation of the search: its table, its own (unqualified) WHERE conditions. */
export interface SearchRel {
  table: Table; name: string; quals: N[];
  /** the columns the query reads of it ('all': its every column, or the UPDATE's target; absent: not known) — an
   * index holding them all would be read by an Index Only Scan */
  needed?: Set<number> | 'all';
  /** its own `col = constant` a unique single-column index answers (indxpath.ts indexProbe) */
  eqProbe?: { index: BtreeIndex; key: string | number; cond: N };
}
/** A column of a base relation. */
export interface SearchVar { rel: number; col: number }

/** A join clause of a path: the outer side's column = the inner side's. */
export interface SearchClause { o: SearchVar; i: SearchVar }
/** A join condition outside the equivalence classes (`a.x < b.y`): the relations it names, its selectivity. */
export interface SearchOther { rels: number[]; sel: number }

/**
 * What sits above the join (grouping_planner): ORDER BY — its first key as a base relation's column (null: an
 * expression or a key no path can be sorted on), how many keys — and LIMIT / OFFSET as constants.
 */
export interface SearchUpper {
  order?: { first: SearchVar | null; keys: number; desc: boolean };
  /**
   * The join methods the session switched off (enable_hashjoin / enable_mergejoin / enable_nestloop = off): their
   * paths are still made, but cost disable_cost (1e10) more at startup (costsize.c initial_cost_*), so another
   * method wins wherever one can do the join.
   */
  disabled?: ReadonlySet<'HashJoin' | 'MergeJoin' | 'NestLoop'>;
  limit?: { count: number | null; offset: number };
}

/**
 * A LEFT JOIN (a RIGHT JOIN with its sides swapped) whose nullable side is one base relation joined by one
 * equality `a = b` (b the nullable relation's column) and by nothing else: a SpecialJoinInfo whose min_lefthand is
 * a's relation and min_righthand b's.
 */
export interface SearchOuterJoin { a: SearchVar; b: SearchVar }

/** The chosen plan, with the costs EXPLAIN prints for each node. */
/** An Index Scan of a base relation: the whole index in its order (by: null), or probed with an outer column (a parameterized path). */
export interface SearchIndexScan {
  index: BtreeIndex; col: number; by: SearchVar | null;
  /** an Index Scan for the table's own `col = constant` ("Index Cond: (k = 2)") */
  eq?: { key: string | number; cond: N };
}

export type SearchPlan =
  | { kind: 'scan'; rel: number; cost: Cost; index?: SearchIndexScan }
  | {
    kind: 'join'; method: 'HashJoin' | 'MergeJoin' | 'NestLoop'; outer: SearchPlan; inner: SearchPlan; clauses: SearchClause[]; cost: Cost;
    /** an outer join: 'left' (the outer side preserved), 'right' (the inner side preserved); absent: inner */
    jointype?: 'left' | 'right';
    /** the other join conditions checked here (indexes into the search's `others`): the Join Filter */
    others: number[];
    /** merge join: the Sort over each side (null: that side comes sorted already) */
    sortOuter: Cost | null; sortInner: Cost | null;
    /** a Materialize over the inner side (nested loop; merge join's materialize_inner) */
    material: Cost | null;
    /** the top join's rows come in ORDER BY's order already (no Sort above) */
    presorted?: boolean;
  };


/** costsize.c disable_cost: what a path of a switched-off method costs more */
export const DISABLE_COST = 1.0e10;

/** standard_join_search for `rels` joined by the equalities `eqs` (in the order PostgreSQL distributes them). */
export function standardJoinSearch(rels: SearchRel[], eqs: [SearchVar, SearchVar][], others: SearchOther[] = [], upper: SearchUpper = {},
  ojs: SearchOuterJoin[] = []): SearchPlan | { unsure: string } {
  try { return search(rels, eqs, others, upper, ojs); } catch (e) { if (e instanceof Unsure) return { unsure: e.message }; throw e; }
}

function search(rels: SearchRel[], eqs: [SearchVar, SearchVar][], others: SearchOther[], upper: SearchUpper, ojs: SearchOuterJoin[]): SearchPlan {
  const otherMask = others.map((o) => o.rels.reduce((m, r) => m | (1 << r), 0));
  // consider_startup: a LIMIT (tuple_fraction > 0) keeps paths with a cheaper startup
  const considerStartup = !!upper.limit && upper.limit.count !== null;
  if (rels.length > 8) unsure('more than 8 relations (join_collapse_limit)');
  // equivalence classes, members in the order process_equivalence adds them
  const ecs: SearchVar[][] = [];
  const ecOf = (v: SearchVar) => ecs.findIndex((ec) => ec.some((m) => m.rel === v.rel && m.col === v.col));
  for (const [a, b] of eqs) {
    if (a.rel === b.rel) unsure('a condition between two columns of one table');
    const ta = rels[a.rel]!.table.columns[a.col]!.type.name, tb = rels[b.rel]!.table.columns[b.col]!.type.name;
    if (ta !== tb || !['int4', 'int8', 'int2', 'text'].includes(ta)) unsure('a join condition between columns of different types');
    const ea = ecOf(a), eb = ecOf(b);
    if (ea >= 0 && eb >= 0) { if (ea !== eb) { ecs[ea]!.push(...ecs[eb]!); ecs.splice(eb, 1); } } else if (ea >= 0) ecs[ea]!.push(b);
    else if (eb >= 0) ecs[eb]!.push(a);
    else ecs.push([a, b]);
  }
  for (const ec of ecs) if (new Set(ec.map((m) => m.rel)).size !== ec.length) unsure('a join condition class naming two columns of one table');
  // an outer join's equality is no equivalence (b may be NULL-extended): its sides sort on their own classes
  // (initialize_mergeclause_eclasses: a's class if it has one, else a class of its own; b's always its own)
  for (const oj of ojs) {
    const ta = rels[oj.a.rel]!.table.columns[oj.a.col]!.type.name, tb = rels[oj.b.rel]!.table.columns[oj.b.col]!.type.name;
    if (ta !== tb || !['int4', 'int8', 'int2', 'text'].includes(ta)) unsure('an outer join condition between columns of different types');
    if (ecOf(oj.b) >= 0) unsure('an outer join whose nullable column is joined elsewhere');
    if (ecOf(oj.a) < 0) ecs.push([oj.a]);
    ecs.push([oj.b]);
  }
  const ojMask = ojs.map((oj) => ({ a: 1 << oj.a.rel, b: 1 << oj.b.rel }));
  /** join_is_legal: a relation holding an outer join's nullable side holds its preserved side too, or is that side alone */
  const legal = (mask: number) => ojMask.every((m) => !(mask & m.b) || mask === m.b || (mask & m.a) !== 0);
  // base relations: a Seq Scan each, and the Index Scans of an index on a join column (create_index_paths)
  const indexedBy: BtreeIndex[][] = [];
  const eqPaths: (Path | undefined)[] = [];
  const base = rels.map((r, i): JoinRel => {
    const t = r.table;
    const used = new Set<number>(ecs.flatMap((ec) => ec.filter((m) => m.rel === i).map((m) => m.col)));
    const quals = JSON.stringify(r.quals);
    for (const c of used) if (quals.includes(`"sval":"${t.columns[c]!.name}"`)) unsure('a WHERE condition on a join column (an equivalence class with a constant)');
    const qualCols = t.columns.map((c, ci) => ({ c, ci })).filter((x) => quals.includes(`"sval":"${x.c.name}"`)).map((x) => x.ci);
    const indexed: BtreeIndex[] = [];
    for (const ix of plannerIndexes(t)) {
      if (ix.def) unsure('an expression index on a joined table (index paths)');
      const eqIndex = r.eqProbe?.index === ix && ix.unique && ix.columns.length === 1 && !used.has(ix.columns[0]!);
      if (ix.columns.some((c) => qualCols.includes(c)) && !eqIndex) unsure('an index on a WHERE column of a joined table (its index paths)');
      if (eqIndex) {
        const needed = r.needed;
        if (!needed || (needed !== 'all' && [...needed].every((c) => c === ix.columns[0]))) unsure('a join that may read a table by an Index Only Scan');
        continue;
      }
      if (!ix.columns.some((c) => used.has(c))) continue;
      if (ix.columns.length !== 1) unsure('a multicolumn index on a join column');
      if (t.stats) unsure('an index on a join column of an analyzed table (index correlation is not modelled)');
      if (paramIndexFor(t, ix.columns[0]!) !== ix) unsure('a non-unique index, or one of more than one leaf page, on a join column');
      if (r.quals.length) unsure('an index on a join column of a table with WHERE conditions of its own (a filtered index probe)');
      const needed = r.needed;
      if (!needed || (needed !== 'all' && [...needed].every((c) => c === ix.columns[0]))) unsure('a join that may read a table by an Index Only Scan');
      indexed.push(ix);
    }
    const size = estimateRelSize(t);
    if (!size.exact) unsure('a column whose width the simulator does not measure');
    const where = r.quals.length === 0 ? undefined : r.quals.length === 1 ? r.quals[0] : { BoolExpr: { boolop: 'AND_EXPR', args: r.quals } };
    const ws = whereSelectivity(t, size.tuples, where);
    if (!ws) unsure('a WHERE condition whose selectivity the simulator does not estimate');
    const rows = clampRowEst(size.tuples * ws!.sel);
    const c = costSeqScan(size.pages, size.tuples, ws!.ops, rows, size.width);
    const path: Path = { ...c, pathkey: null, rescanStartup: c.startup, rescanTotal: c.total, markRestore: false, plan: { kind: 'scan', rel: i, cost: c } };
    const rel: JoinRel = { mask: 1 << i, rows, width: size.width, paths: [path], cheapestTotal: path, cheapestStartup: path, paramPaths: [] };
    const eq = r.eqProbe;
    if (eq && eq.index.unique && !used.has(eq.index.columns[0]!)) {
      // the unique key looked up (cost_index): its condition is the Index Cond, the others a Filter
      const ic = costIndexScanUniqueEq(size.tuples, size.pages, ws!.ops - 1, rows, size.width);
      eqPaths[i] = ({ ...ic, pathkey: null, rescanStartup: ic.startup, rescanTotal: ic.total, markRestore: true,
        plan: { kind: 'scan', rel: i, cost: ic, index: { index: eq.index, col: eq.index.columns[0]!, by: null, eq: { key: eq.key, cond: eq.cond } } } });
    }
    indexedBy.push(indexed);
    return rel;
  });
  const baseRows = base.map((b) => b.rows);
  /** a column as selfuncs.ts reads it: its table's statistics, tuples and restricted rows */
  const keyVar = (v: SearchVar): KeyVar => {
    const table = rels[v.rel]!.table;
    return { table, col: v.col, tuples: estimateRelSize(table).tuples, rows: baseRows[v.rel]! };
  };
  /** eqjoinsel (over the MCV lists after ANALYZE) */
  const clauseSel = (c: SearchClause) => eqjoinsel(keyVar(c.o), keyVar(c.i));
  const listSel = (cs: SearchClause[]) => cs.reduce((s, c) => s * clauseSel(c), 1);
  /** generate_join_implied_equalities: per class, the first member of each side */
  const restrictList = (om: number, im: number): { clauses: SearchClause[]; ecs: number[]; others: number[]; mk: { o: number; i: number } | null;
    jointype?: 'left' | 'right'; } => {
    const clauses: SearchClause[] = [], ids: number[] = [];
    // the outer join this pair makes: its one equality, the merge orders of its sides
    const oj = ojs.findIndex((_, k) => ((om & ojMask[k]!.a) && im === ojMask[k]!.b) || ((im & ojMask[k]!.a) && om === ojMask[k]!.b));
    if (oj >= 0) {
      const { a, b } = ojs[oj]!, left = (om & ojMask[oj]!.a) !== 0;
      const c = left ? { o: a, i: b } : { o: b, i: a };
      return { clauses: [c], ecs: [], others: [], mk: { o: ecOf(c.o), i: ecOf(c.i) }, jointype: left ? 'left' : 'right' };
    }
    // the other join conditions first (build_joinrel_restrictlist: the joininfo lists, then the classes')
    const oth = others.map((_, k) => k).filter((k) => (otherMask[k]! & ~(om | im)) === 0 && (otherMask[k]! & om) && (otherMask[k]! & im));
    if (oth.length > 1) unsure('two or more join conditions outside equivalence classes at one join (their order)');
    ecs.forEach((ec, id) => {
      const o = ec.find((m) => (om >> m.rel) & 1), i = ec.find((m) => (im >> m.rel) & 1);
      if (o && i) { clauses.push({ o, i }); ids.push(id); }
    });
    return { clauses, ecs: ids, others: oth, mk: ids.length ? { o: ids[0]!, i: ids[0]! } : null };
  };
  const otherSel = (ks: number[]) => ks.reduce((s, k) => s * others[k]!.sel, 1);
  const hasEcJoins = (mask: number) => ecs.some((ec) => ec.some((m) => (mask >> m.rel) & 1) && ec.some((m) => !((mask >> m.rel) & 1)))
    || otherMask.some((m) => (m & mask) && (m & ~mask)) || ojMask.some((m) => !!(mask & (m.a | m.b)) && (mask & (m.a | m.b)) !== (m.a | m.b));
  // query_pathkeys: ORDER BY's first key, when it is a member of a class (a merge join or an Index Scan may give its order)
  const order = upper.order;
  let queryEc: number | null = null;
  if (order?.first) {
    const f = order.first, ec = ecOf(f);
    if (plannerIndexes(rels[f.rel]!.table).some((ix) => ix.columns[0] === f.col)) {
      if (ec < 0) unsure('ORDER BY a column with an index (an Index Scan may give the order)');
    }
    if (ec >= 0) {
      if (order.keys > 1) unsure('ORDER BY a join column and more keys (an Incremental Sort over a sorted join)');
      if (order.desc) unsure('ORDER BY DESC of a join column (a backward Index Scan)');
      queryEc = ec;
    }
  }
  /** truncate_useless_pathkeys: an order kept while a later merge join (a class with members outside) or ORDER BY may use it */
  const useful = (ec: number | null, mask: number) => (ec !== null && (ec === queryEc || ecs[ec]!.some((m) => !((mask >> m.rel) & 1))
    || ojs.some((oj, k) => (ecOf(oj.a) === ec && !(mask & ojMask[k]!.b)) || (ecOf(oj.b) === ec && !(mask & ojMask[k]!.a)))) ? ec : null);

  const levels: JoinRel[][] = [[], base];
  const byMask = new Map<number, JoinRel>(base.map((b) => [b.mask, b]));

  const addPath = (rel: JoinRel, np: Path) => addPathTo(rel, np, considerStartup);

  // index paths (create_index_paths): a full Index Scan, sorted on the column's class, and for each other member
  // of the class an Index Scan probing with that member's value (a path parameterized by its relation)
  const totalPages = rels.reduce((sum, r) => sum + estimateRelSize(r.table).pages, 0);
  base.forEach((b, i) => {
    const t = rels[i]!.table, size = estimateRelSize(t);
    if (eqPaths[i]) addPath(b, eqPaths[i]!);
    for (const index of indexedBy[i]!) {
      const col = index.columns[0]!, ec = ecOf({ rel: i, col });
      const full = costIndexFullScan(size.tuples, size.pages, 2, totalPages, size.width);
      addPath(b, { ...full, pathkey: ec, rescanStartup: full.startup, rescanTotal: full.total, markRestore: true,
        plan: { kind: 'scan', rel: i, cost: full, index: { index, col, by: null } } });
      // the members of its class, and the preserved column of an outer join whose nullable column it indexes (the
      // join clause is movable into the nullable side's scan: a probe with the preserved row's value)
      const probers = [...ecs[ec]!, ...ojs.filter((oj) => oj.b.rel === i && oj.b.col === col).map((oj) => oj.a)];
      for (const m of probers) {
        if (m.rel === i) continue;
        const probe = costParamIndexScan(size.tuples, size.pages, 2, baseRows[m.rel]!, totalPages, size.width);
        const c: Cost = { ...probe, rows: clampRowEst(b.rows * eqjoinsel(keyVar({ rel: i, col }), keyVar(m))) };
        b.paramPaths.push({ ...c, pathkey: ec, rescanStartup: c.startup, rescanTotal: c.total, markRestore: true, req: 1 << m.rel,
          plan: { kind: 'scan', rel: i, cost: c, index: { index, col, by: m } } });
      }
    }
    setCheapest(b);
  });

  const joinPath = (rel: JoinRel, method: 'HashJoin' | 'MergeJoin' | 'NestLoop', o: Path, i: Path, clauses: SearchClause[], oth: number[], startup: number, total: number,
    pathkey: number | null, extra: { sortOuter?: Cost | null; sortInner?: Cost | null; material?: Cost | null; rescanFree?: boolean }, jointype?: 'left' | 'right'): Path => {
    if (upper.disabled?.has(method)) { startup += DISABLE_COST; total += DISABLE_COST; }
    const cost: Cost = { startup, total, rows: rel.rows, width: rel.width };
    return {
      ...cost, pathkey, markRestore: false,
      rescanStartup: extra.rescanFree ? 0 : startup, rescanTotal: extra.rescanFree ? total - startup : total,
      plan: {
        kind: 'join', method, outer: o.plan, inner: i.plan, clauses, others: oth, cost, sortOuter: extra.sortOuter ?? null, sortInner: extra.sortInner ?? null,
        material: extra.material ?? null, ...(jointype ? { jointype } : {}),
      },
    };
  };
  const asCost = (p: Path): Cost => ({ startup: p.startup, total: p.total, rows: p.rows, width: p.width });
  const overWorkMem = (p: Path) => relationBytes(p.rows, p.width) > WORK_MEM;
  /** cost_sort: in memory, or an external merge sort's page accesses (3/4 sequential) when it spills */
  const sortOf = (p: Path, limit: number | null = null): Cost => {
    // cost_tuplesort: a bounded heap sort keeping the LIMIT's rows when they fit in work_mem and the input does not, or is over twice as big
    const tuples0 = Math.max(p.rows, 2);
    const output = limit !== null && limit < tuples0 ? limit : tuples0;
    if (output < tuples0 && relationBytes(output, p.width) <= WORK_MEM && (tuples0 > 2 * output || overWorkMem(p))) {
      const startup = 2.0 * CPU_OPERATOR_COST * tuples0 * (Math.log(2.0 * output) / 0.693147180559945) + p.total;
      return { startup, total: startup + CPU_OPERATOR_COST * tuples0, rows: p.rows, width: p.width };
    }
    if (!overWorkMem(p)) return costSort(asCost(p), null);
    const tuples = Math.max(p.rows, 2), bytes = relationBytes(tuples, p.width);
    const npages = Math.ceil(bytes / 8192), nruns = bytes / WORK_MEM;
    const mergeOrder = Math.min(500, Math.max(6, Math.floor(WORK_MEM / (2 * 8192 + 32 * 8192))));
    const logRuns = nruns > mergeOrder ? Math.ceil(Math.log(nruns) / Math.log(mergeOrder)) : 1.0;
    let startup = 2.0 * CPU_OPERATOR_COST * tuples * (Math.log(tuples) / 0.693147180559945);
    startup += 2.0 * npages * logRuns * (SEQ_PAGE_COST * 0.75 + RANDOM_PAGE_COST * 0.25);
    startup += p.total;
    return { startup, total: startup + CPU_OPERATOR_COST * tuples, rows: p.rows, width: p.width };
  };
  /** cost_material / cost_rescan: a spilled Materialize writes and rereads its pages */
  const materialOf = (p: Path): Path => {
    const pages = overWorkMem(p) ? Math.ceil(relationBytes(p.rows, p.width) / 8192) : 0;
    const c: Cost = { startup: p.startup, total: p.total + 2 * CPU_OPERATOR_COST * p.rows + SEQ_PAGE_COST * pages, rows: p.rows, width: p.width };
    return { ...c, pathkey: p.pathkey, rescanStartup: 0, rescanTotal: CPU_OPERATOR_COST * p.rows + SEQ_PAGE_COST * pages, markRestore: true, plan: p.plan };
  };

  /** add_paths_to_joinrel's extra: inner_unique, and the semi-join factors its costs use (an inner join: jselec, inner rows) */
  interface Extra { unique: boolean; jselec: number; matchCount: number; jointype?: 'left' | 'right' }
  const nestLoop = (rel: JoinRel, o: Path, i: Path, mat: Path | null, clauses: SearchClause[], oth: number[], x: Extra) => {
    const inner = mat ?? i;
    // a parameterized inner Index Scan enforces the class's clause itself: a clause stays at the join (Join Filter)
    // unless its outer column is of the relation the probe takes its value from (join_clause_is_movable_into)
    const param = !mat && !!i.req;
    const kept = param ? clauses.filter((c) => !((i.req! >> c.o.rel) & 1)) : clauses;
    const quals = kept.length + oth.length;
    let startup = o.startup + inner.startup;
    let run = o.total - o.startup;
    if (o.rows > 1) run += (o.rows - 1) * inner.rescanStartup;
    const innerRun = inner.total - inner.startup, innerRescanRun = inner.rescanTotal - inner.rescanStartup;
    let ntuples: number;
    if (x.unique) {
      // final_cost_nestloop, inner_unique: a matched outer row stops at its first match
      const matched = rint(o.rows * x.jselec), unmatched = o.rows - matched;
      const scanFrac = 2.0 / (x.matchCount + 1.0);
      ntuples = matched * inner.rows * scanFrac;
      run += innerRun * scanFrac;
      if (matched > 1) run += (matched - 1) * innerRescanRun * scanFrac;
      if (param && quals === 0) run += (unmatched * innerRescanRun) / inner.rows; // has_indexed_join_quals
      else { run += unmatched * innerRescanRun; ntuples += unmatched * inner.rows; }
    } else {
      run += innerRun;
      if (o.rows > 1) run += (o.rows - 1) * innerRescanRun;
      ntuples = o.rows * inner.rows;
    }
    run += (CPU_TUPLE_COST + CPU_OPERATOR_COST * quals) * ntuples;
    startup += 0;
    addPath(rel, joinPath(rel, 'NestLoop', o, i, kept, oth, startup, startup + run, useful(o.pathkey, rel.mask), { material: mat ? asCost(mat) : null }, x.jointype));
  };
  const mergeJoin = (rel: JoinRel, o: Path, i: Path, clauses: SearchClause[], oth: number[], mk: { o: number; i: number }, x: Extra) => {
    const sortOuter = o.pathkey === mk.o ? null : sortOf(o), sortInner = i.pathkey === mk.i ? null : sortOf(i);
    const tuples = clampRowEst(o.rows * i.rows * listSel(clauses));
    // mergejoinscansel: the parts of each input the merge reads (0..1 without statistics)
    const sc = mergejoinscansel(keyVar(clauses[0]!.o), keyVar(clauses[0]!.i));
    if (!sc) unsure('a merge join whose key range the simulator does not scale (mergejoinscansel)');
    let os = sc!.leftstart, oe = sc!.leftend, is = sc!.rightstart, ie = sc!.rightend;
    if (os >= oe) { os = 0; oe = 1; }
    if (is >= ie) { is = 0; ie = 1; }
    // an outer join reads its preserved side whole
    if (x.jointype === 'left') { os = 0; oe = 1; }
    if (x.jointype === 'right') { is = 0; ie = 1; }
    const outerRows = clampRowEst(o.rows * oe), innerRows = clampRowEst(i.rows * ie);
    const outerSkip = rint(o.rows * os), innerSkip = rint(i.rows * is);
    os = outerSkip / o.rows; oe = outerRows / o.rows; is = innerSkip / i.rows; ie = innerRows / i.rows;
    let startup = 0, run = 0;
    const os0 = sortOuter ?? asCost(o), is0 = sortInner ?? asCost(i);
    startup += os0.startup + (os0.total - os0.startup) * os;
    run += (os0.total - os0.startup) * (oe - os);
    startup += is0.startup + (is0.total - is0.startup) * is;
    const innerRun = (is0.total - is0.startup) * (ie - is);
    // skip_mark_restore: a unique inner side whose merge clauses are the whole join condition is never rescanned
    const skipMarkRestore = x.unique && oth.length === 0 && clauses.length === 1;
    const rescanned = skipMarkRestore ? 0 : Math.max(0, tuples - i.rows);
    const ratio = 1 + rescanned / innerRows;
    const bare = innerRun * ratio, mat = innerRun + CPU_OPERATOR_COST * innerRows * ratio;
    const materialize = !skipMarkRestore && (mat < bare || (!sortInner && !i.markRestore) || (!!sortInner && overWorkMem(i)));
    run += materialize ? mat : bare;
    startup += CPU_OPERATOR_COST * (outerSkip + innerSkip * ratio);
    run += CPU_OPERATOR_COST * ((outerRows - outerSkip) + (innerRows - innerSkip) * ratio);
    run += (CPU_TUPLE_COST + CPU_OPERATOR_COST * oth.length) * tuples;
    const innerTop = sortInner ?? asCost(i);
    const material = materialize ? { ...innerTop, total: innerTop.total + CPU_OPERATOR_COST * innerTop.rows } : null;
    // build_join_pathkeys: the outer order, none for a right join
    addPath(rel, joinPath(rel, 'MergeJoin', o, i, clauses, oth, startup, startup + run, x.jointype === 'right' ? null : useful(mk.o, rel.mask), { sortOuter, sortInner, material }, x.jointype));
  };
  const hashJoin = (rel: JoinRel, o: Path, i: Path, clauses: SearchClause[], oth: number[], x: Extra) => {
    const n = clauses.length;
    const tupsize = 16 + 16 + Math.ceil(i.width / 8) * 8;
    const batches = i.rows * tupsize > HASH_MEM / 2; // ExecChooseHashTableSize may split it in batches (page costs)
    let startup = o.startup + i.total + (CPU_OPERATOR_COST * n + CPU_TUPLE_COST) * i.rows;
    let run = (o.total - o.startup) + CPU_OPERATOR_COST * n * o.rows;
    const buckets = bucketCount(i.rows);
    let bucketsize = 1, mcvFreq = 1;
    for (const c of clauses) {
      const st = estimateHashBucketStats(keyVar(c.i), buckets);
      bucketsize = Math.min(bucketsize, st.bucketFrac);
      mcvFreq = Math.min(mcvFreq, st.mcvFreq);
    }
    // the bucket of the inner side's most common value over hash_mem: disable_cost (not modelled)
    if (relationBytes(clampRowEst(i.rows * mcvFreq), i.width) > HASH_MEM) unsure('a hash join whose most common value overflows hash_mem');
    if (x.unique) {
      // final_cost_hashjoin, inner_unique: a matched probe stops at its first match, an unmatched one scans a tenth
      const matched = rint(o.rows * x.jselec), scanFrac = 2.0 / (x.matchCount + 1.0);
      run += CPU_OPERATOR_COST * n * matched * clampRowEst(i.rows * bucketsize * scanFrac) * 0.5;
      run += CPU_OPERATOR_COST * n * (o.rows - matched) * clampRowEst(i.rows / buckets) * 0.05;
      run += (CPU_TUPLE_COST + CPU_OPERATOR_COST * oth.length) * matched;
    } else {
      run += CPU_OPERATOR_COST * n * o.rows * clampRowEst(i.rows * bucketsize) * 0.5;
      run += (CPU_TUPLE_COST + CPU_OPERATOR_COST * oth.length) * clampRowEst(o.rows * i.rows * listSel(clauses));
    }
    startup += 0;
    const np = joinPath(rel, 'HashJoin', o, i, clauses, oth, startup, startup + run, null, { rescanFree: true }, x.jointype);
    np.bound = batches;
    addPath(rel, np);
  };

  /** add_paths_to_joinrel for one outer / inner order */
  const addPaths = (rel: JoinRel, outer: JoinRel, inner: JoinRel) => {
    const { clauses, ecs: ids, others: oth, mk, jointype } = restrictList(outer.mask, inner.mask);
    if (ids.length > 1) unsure('two sides joined on two or more equivalence classes (several merge orders)');
    // innerrel_is_unique: the inner side a base relation with a unique index on its column of a join clause
    const innerRel = inner.mask & (inner.mask - 1) ? -1 : Math.log2(inner.mask);
    // (relation_has_unique_index_for: a join clause on the key, or the table's own `key = constant`)
    const unique = innerRel >= 0 && (clauses.some((c) => c.i.rel === innerRel && hasUniqueIndex(rels[innerRel]!.table, c.i.col))
      || !!rels[innerRel]!.eqProbe?.index.unique);
    const x: Extra = { unique, jselec: listSel(clauses) * otherSel(oth), matchCount: Math.max(1, inner.rows), ...(jointype ? { jointype } : {}) };
    // sort_inner_and_outer
    if (mk) mergeJoin(rel, outer.cheapestTotal, inner.cheapestTotal, clauses, oth, mk, x);
    // match_unsorted_outer
    const ict = inner.cheapestTotal;
    const mat = materialOf(ict); // ExecMaterializesOutput: no path here materializes already
    // the inner side's parameterized paths whose parameter the outer side supplies (cheapest_parameterized_paths)
    const params = inner.paramPaths.filter((p) => (p.req! & ~outer.mask) === 0);
    for (const op of [...outer.paths]) {
      // a nested loop cannot preserve its inner side (JOIN_RIGHT)
      if (jointype !== 'right') {
        nestLoop(rel, op, ict, null, clauses, oth, x);
        for (const pp of params) nestLoop(rel, op, pp, null, clauses, oth, x);
        if (mat) nestLoop(rel, op, ict, mat, clauses, oth, x);
      }
      if (mk && op.pathkey === mk.o) {
        mergeJoin(rel, op, ict, clauses, oth, mk, x);
        if (ict.pathkey !== mk.i) {
          const sorted = inner.paths.filter((p) => p.pathkey === mk.i);
          const bestTotal = sorted.reduce<Path | null>((b, p) => (!b || p.total < b.total || (p.total === b.total && p.startup < b.startup) ? p : b), null);
          if (bestTotal) mergeJoin(rel, op, bestTotal, clauses, oth, mk, x);
          const bestStartup = sorted.reduce<Path | null>((b, p) => (!b || p.startup < b.startup || (p.startup === b.startup && p.total < b.total)
            ? p : b), null);
          if (bestStartup && bestStartup !== bestTotal) mergeJoin(rel, op, bestStartup, clauses, oth, mk, x);
        }
      }
    }
    // hash_inner_and_outer
    if (mk) {
      hashJoin(rel, outer.cheapestStartup, ict, clauses, oth, x);
      if (outer.cheapestTotal !== outer.cheapestStartup) hashJoin(rel, outer.cheapestTotal, ict, clauses, oth, x);
    }
  };

  const makeJoinRel = (r1: JoinRel, r2: JoinRel, level: number) => {
    const mask = r1.mask | r2.mask;
    if (!legal(mask)) return;
    let rel = byMask.get(mask);
    if (!rel) {
      const { clauses, others: oth, jointype } = restrictList(r1.mask, r2.mask);
      let rows = r1.rows * r2.rows * listSel(clauses) * otherSel(oth);
      // calc_joinrel_size_estimate, JOIN_LEFT: at least one row per preserved row
      if (jointype) rows = Math.max(rows, jointype === 'left' ? r1.rows : r2.rows);
      rows = clampRowEst(rows);
      const none = null as unknown as Path;
      rel = { mask, rows, width: r1.width + r2.width, paths: [], cheapestTotal: none, cheapestStartup: none, paramPaths: [] };
      byMask.set(mask, rel);
      levels[level]!.push(rel);
    }
    // populate_joinrel_with_paths: an outer join's preserved side is tried as the outer side first (JOIN_LEFT, then JOIN_RIGHT)
    const swap = ojMask.some((m) => r1.mask === m.b && (r2.mask & m.a) !== 0);
    addPaths(rel, swap ? r2 : r1, swap ? r1 : r2);
    addPaths(rel, swap ? r1 : r2, swap ? r2 : r1);
  };
  const relevant = (a: JoinRel, b: JoinRel) => ecs.some((ec) => ec.some((m) => (a.mask >> m.rel) & 1) && ec.some((m) => (b.mask >> m.rel) & 1))
    || otherMask.some((m) => (m & a.mask) && (m & b.mask) && !(m & ~(a.mask | b.mask)))
    || ojMask.some((m) => ((a.mask & m.a) && (b.mask & m.b)) || ((b.mask & m.a) && (a.mask & m.b)));

  for (let level = 2; level <= rels.length; level++) {
    levels[level] = [];
    levels[level - 1]!.forEach((old, idx) => {
      if (hasEcJoins(old.mask)) {
        base.slice(level === 2 ? idx + 1 : 0).forEach((other) => { if (!(old.mask & other.mask) && relevant(old, other)) makeJoinRel(old, other, level); });
      } else base.forEach((other) => { if (!(old.mask & other.mask)) makeJoinRel(old, other, level); });
    });
    for (let k = 2; k <= level - k; k++) {
      const other = level - k;
      levels[k]!.forEach((old, idx) => {
        if (!hasEcJoins(old.mask)) return;
        levels[other]!.slice(k === other ? idx + 1 : 0).forEach((nr) => { if (!(old.mask & nr.mask) && relevant(old, nr)) makeJoinRel(old, nr, level); });
      });
    }
    if (!levels[level]!.length) levels[level - 1]!.forEach((old) => base.forEach((other) => { if (!(old.mask & other.mask)) makeJoinRel(old, other, level); }));
    for (const rel of levels[level]!) setCheapest(rel);
  }
  const top = byMask.get((1 << rels.length) - 1);
  if (!top) return unsure('a join the search did not complete');
  return upperPath(top, upper, queryEc, addPath, sortOf);
}
