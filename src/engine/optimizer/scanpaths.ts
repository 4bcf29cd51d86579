/**
 * The paths of one analyzed table, by cost (PostgreSQL's optimizer/path/allpaths.c set_plain_rel_pathlist and
 * indxpath.c create_index_paths, reduced): the Seq Scan, then for each single-column B-tree the WHERE conditions
 * `col op constant` on its column (=, <, <=, >, >=, BETWEEN on an integer column; = on a text one) make an Index Scan (an Index Only Scan when the query
 * reads nothing else) and a Bitmap Heap Scan; add_path keeps the ones no other beats, the cheapest total cost
 * wins (optimizer/indexcost.ts). The index's conditions print as "Index Cond", the rest as "Filter".
 *
 *     r (5,000 rows; id in heap order, b a permutation):  id < 400   Index Scan (correlation 1: ~15 pages in order)
 *                                                       b < 300    Bitmap Heap Scan (uncorrelated: pages once each)
 *                                                       b < 2000   Seq Scan
 *
 * null (the caller's rules decide) when the table has an expression, partial or multi-column index, a condition
 * an index could answer in a way not modelled (OR, IN, IS NULL, NOT, a text range) or a WHERE clause whose
 * selectivity is not estimated. Simplifications: no BitmapAnd (a plan where two indexes' bitmaps might be ANDed is
 * chosen by its single best bitmap and left to EXPLAIN as unsure), no full-index scans without conditions.
 */
import { plannerIndexes, plannerHashIndexes } from '../catalog/catalogsnapshot.js';
import type { Table } from '../catalog/catalog.js';
import type { BtreeIndex } from '../index/btree.js';
import { intConst } from '../sql/parser.js';
import { commutator } from '../sql/operators.js';
import type { ScanPath } from './planner.js';
import { whereSelectivity } from './clausesel.js';
import { estimateRelSize, clampRowEst, type RelSize } from './plancat.js';
import { costSeqScan } from './costsize.js';
import { costIndexPath, costBitmapHeapPath, costBitmapAndPath, type PathEst, type ScanRel } from './indexcost.js';
import { cheapestPath } from './joinpathcost.js';

type N = Record<string, any>;

/** the btree comparison operators a scan key can use */
const BTREE_OPS = new Set(['<', '<=', '=', '>=', '>']);
const INT_TYPES = ['int2', 'int4', 'int8'];
const TEXT_TYPES = ['text', 'varchar'];

/** One conjunct an index on `col` can answer: its comparisons (BETWEEN: two) as a key test. */
interface IndexQual { node: N; col: number; tests: { op: string; v: number | string }[] }

/** An integer index key against the conditions' comparisons. */
const passes = (k: string | number, iq: IndexQual[]) => typeof k === 'number' && iq.every((q) => q.tests.every(({ op, v }) => typeof v === 'number' &&
  (op === '=' ? k === v : op === '<' ? k < v : op === '<=' ? k <= v : op === '>' ? k > v : k >= v)));

const and = (qs: N[]): N => (qs.length === 1 ? qs[0]! : { BoolExpr: { boolop: 'AND_EXPR', args: qs } });

export function costBasedScan(t: Table, where: N | undefined, indexOnly?: (i: BtreeIndex) => boolean,
  disabled: { seq: boolean; index: boolean; bitmap: boolean } = { seq: false, index: false, bitmap: false }): ScanPath | 'UnmodelledIndexQual' | null {
  const hashes = plannerHashIndexes(t);
  if (!where || (!plannerIndexes(t).length && !hashes.length)) return null;
  if (plannerIndexes(t).some((i) => i.def || i.columns.length !== 1)) return null;
  const size = estimateRelSize(t);
  const ws = whereSelectivity(t, size.tuples, where);
  if (!ws) return null;
  const colOf = (x: N | undefined): number => {
    const f = x?.ColumnRef?.fields as N[] | undefined;
    if (!f || f.length > 2 || !f.every((y) => y.String)) return -1;
    return t.columns.findIndex((c) => !c.dropped && c.name === f[f.length - 1]!.String.sval);
  };
  const intOf = (x: N | undefined): number | null => {
    const c = x?.A_Const;
    if (!c || c.isnull || c.sval || c.fval || c.boolval) return null;
    const v = intConst(c);
    return typeof v === 'number' ? v : null;
  };
  const indexed = new Set(plannerIndexes(t).map((i) => i.columns[0]!));
  // a column with only a hash index: its equalities are index conditions, nothing else is
  const hashed = new Set(hashes.map((i) => i.columns[0]!));
  const mentionsIndexed = (x: unknown): boolean => {
    if (!x || typeof x !== 'object') return false;
    if (Array.isArray(x)) return x.some(mentionsIndexed);
    const o = x as N;
    if (o.ColumnRef) { const c = colOf(o); return c >= 0 && indexed.has(c); }
    return Object.values(o).some(mentionsIndexed);
  };
  const conj: N[] = where.BoolExpr?.boolop === 'AND_EXPR' ? where.BoolExpr.args : [where];
  const quals: IndexQual[] = [];
  const other: N[] = [];
  for (const c of conj) {
    const e = c.A_Expr;
    let q: IndexQual | null = null;
    if (e?.kind === 'AEXPR_OP' && e.name?.length === 1 && BTREE_OPS.has(e.name[0].String?.sval as string)) {
      const op = e.name[0].String.sval as string;
      let col = colOf(e.lexpr), v = intOf(e.rexpr), o = op;
      if (col < 0) { col = colOf(e.rexpr); v = intOf(e.lexpr); o = commutator(op)!; }
      if (col >= 0 && v !== null && INT_TYPES.includes(t.columns[col]!.type.name)) q = { node: c, col, tests: [{ op: o, v }] };
      // text = 'constant' (a text range's selectivity is not modelled: the WHERE clause was refused above)
      const sc = colOf(e.lexpr) >= 0 ? e.rexpr : e.lexpr, scol = colOf(e.lexpr) >= 0 ? colOf(e.lexpr) : colOf(e.rexpr);
      if (!q && op === '=' && scol >= 0 && TEXT_TYPES.includes(t.columns[scol]!.type.name) && sc?.A_Const?.sval) q = { node: c, col: scol, tests: [{ op, v: sc.A_Const.sval.sval as string }] };
    } else if (e?.kind === 'AEXPR_BETWEEN') {
      const items = e.rexpr?.List?.items as N[] | undefined;
      const col = colOf(e.lexpr), lo = intOf(items?.[0]), hi = intOf(items?.[1]);
      if (col >= 0 && lo !== null && hi !== null && INT_TYPES.includes(t.columns[col]!.type.name)) q = { node: c, col, tests: [{ op: '>=', v: lo }, { op: '<=', v: hi }] };
    }
    if (q && (indexed.has(q.col) || (hashed.has(q.col) && q.tests.length === 1 && q.tests[0]!.op === '='))) { quals.push(q); continue; }
    if (mentionsIndexed(c) && !q) {
      // an IN list of integers on an indexed column: PostgreSQL may scan the index once per element (a
      // ScalarArrayOpExpr index qual), which no path here runs; a seq scan is kept only when clearly cheaper
      const saop = saopDearer(t, size, ws, c, colOf, intOf);
      if (saop === 'unknown') return null;
      if (saop === 'index') return 'UnmodelledIndexQual';
    }
    other.push(c);
  }
  const rel = scanRel(t, size, ws);
  type Cand = { est: PathEst; path: ScanPath };
  const seq = costSeqScan(size.pages, size.tuples, ws.ops, rel.rows, 0);
  const cands: Cand[] = [{ est: { startup: seq.startup, total: seq.total, rows: rel.rows }, path: { kind: 'SeqScan' } }];
  const bitmaps: { est: PathEst; index: BtreeIndex; iq: IndexQual[]; sel: number }[] = [];
  for (const index of [...plannerIndexes(t), ...hashes]) {
    const iq = quals.filter((q) => q.col === index.columns[0] && (index.am === 'btree' || q.tests.every((x) => x.op === '=')));
    if (!iq.length) continue;
    const textKey = TEXT_TYPES.includes(t.columns[index.columns[0]!]!.type.name);
    // an int8 key beyond 2^53 (kept as text): the rules decide
    if (!textKey && !index.entries.onlySmallInts) for (const [k] of index.entries) if (typeof k !== 'number') return null;
    const e = indexEstimates(rel, ws.ops, index, iq.map((q) => q.node), iq.some((q) => q.tests.some((x) => x.op === '=')), index.am === 'btree' && !!indexOnly?.(index));
    if (!e) return null;
    const { ie, be, isel } = e;
    const test = (k: string | number) => passes(k, iq);
    const nodes = iq.map((q) => q.node);
    const eq = iq.flatMap((q) => q.tests).find((x) => x.op === '=');
    const key = eq ? index.keyOf(Object.assign([], { [index.columns[0]!]: eq.v })) : null;
    if (index.am === 'hash' && (key === null || !eq)) continue;
    const path: ScanPath = key !== null && eq
      ? { kind: 'IndexScan', index, key, cond: nodes[0]!, quals: nodes, est: ie }
      : { kind: 'IndexScanOrdered', index, backward: false, range: test, quals: nodes, est: ie };
    cands.push({ est: ie, path });
    bitmaps.push({ est: be, index, iq, sel: isel.sel });
  }
  // the bitmap paths come after the plain index paths (create_index_paths: choose_bitmap_and over them all)
  if (bitmaps.length) {
    const best = bitmaps.reduce((a, b) => (b.est.total < a.est.total ? b : a));
    const nodes = best.iq.map((q) => q.node);
    const path: ScanPath = { kind: 'BitmapHeapScan', index: best.index, tids: [], cond: nodes[0]!, quals: nodes, est: best.est };
    // choose_bitmap_and: a BitmapAnd of the best bitmap with another that is cheaper is not modelled
    const anded = bitmaps.some((b) => b !== best &&
      costBitmapAndPath(rel, [best, b].map((x) => ({ indexTotal: x.est.indexTotal!, sel: x.sel }))).total < best.est.total);
    if (anded) path.unsure = 'a plan where PostgreSQL may AND two indexes\' bitmaps (BitmapAnd)';
    cands.push({ est: best.est, path });
  }
  // a disabled kind of path costs disable_cost more (costsize.c: enable_seqscan, enable_indexscan, enable_bitmapscan)
  const penalty = (k: ScanPath['kind']) => ((k === 'SeqScan' ? disabled.seq : k === 'BitmapHeapScan' ? disabled.bitmap : disabled.index) ? DISABLE_COST : 0);
  // add_path's fuzzy dominance, then the cheapest total (none of these paths has useful pathkeys)
  const win = cheapestPath(cands.map((c) => {
    const d = penalty(c.path.kind);
    return { what: c.path, cost: { ...c.est, startup: c.est.startup + d, total: c.est.total + d, width: 0 } };
  })).what;
  if (win.kind === 'BitmapHeapScan') {
    // the bitmap's TIDs, sorted (only for the path that runs)
    const best = bitmaps.find((b) => b.index === win.index)!;
    const test = (k: string | number) => passes(k, best.iq);
    const tids: number[] = [];
    const textEq = best.iq[0]!.tests[0]!;
    if (best.index.am === 'hash') {
      const key = best.index.keyOf(Object.assign([], { [best.index.columns[0]!]: textEq.v }))!;
      tids.push(...best.index.lookup(key));
      win.hashKey = key;
    } else if (typeof textEq.v === 'string') tids.push(...best.index.lookup(best.index.keyOf(Object.assign([], { [best.index.columns[0]!]: textEq.v }))!));
    else for (const [k, v] of best.index.entries) if (test(k)) { if (typeof v === 'number') tids.push(v); else tids.push(...v); }
    win.tids = [...new Set(tids)].sort((a, b) => a - b);
  }
  return win;
}

/** costsize.c disable_cost */
const DISABLE_COST = 1.0e10;

function scanRel(t: Table, size: { pages: number; tuples: number }, ws: { sel: number; ops: number }): ScanRel {
  const allvis = t.stats?.relallvisible ?? 0;
  return { table: t, pages: size.pages, tuples: size.tuples, rows: clampRowEst(size.tuples * ws.sel), allOps: ws.ops,
    allvisfrac: allvis > 0 && size.pages > 0 ? Math.min(1, allvis / size.pages) : 0 };
}

/** An index's Index Scan and Bitmap Heap Scan estimates for its conditions `conds` (AND-ed conjuncts of WHERE). */
function indexEstimates(rel: ScanRel, allOps: number, index: BtreeIndex, conds: N[], hasEq: boolean, indexOnly: boolean) {
  const t = rel.table;
  const isel = whereSelectivity(t, rel.tuples, and(conds));
  if (!isel) return null;
  const uniqueEq = index.unique && hasEq;
  const corr = t.stats?.columns?.[index.columns[0]!]?.correlation ?? 0;
  const ie = costIndexPath(rel, index, isel.sel, isel.ops, allOps - isel.ops, uniqueEq, corr, indexOnly);
  const be = costBitmapHeapPath(rel, index, isel.sel, isel.ops, uniqueEq);
  return ie && be ? { ie, be, isel } : null;
}

/**
 * `col IN (integers)` on a single-column index: would PostgreSQL's index paths for it (an Index Scan or a Bitmap
 * Index Scan with num_sa_scans = the list's length) cost less than the seq scan? 'SeqScan' when the seq scan is
 * cheaper by more than a tenth (a margin for what is not modelled), 'index' when an index path may win, 'unknown'
 * for another shape.
 */
function saopDearer(t: Table, size: RelSize, ws: NonNullable<ReturnType<typeof whereSelectivity>>, c: N,
  colOf: (x: N | undefined) => number, intOf: (x: N | undefined) => number | null): 'SeqScan' | 'index' | 'unknown' {
  const e = c.A_Expr;
  if (e?.kind !== 'AEXPR_IN' || e.name?.[0]?.String?.sval !== '=') return 'unknown';
  const col = colOf(e.lexpr);
  const items = (e.rexpr?.List?.items ?? []) as N[];
  if (col < 0 || !INT_TYPES.includes(t.columns[col]!.type.name) || !items.length || items.some((x) => intOf(x) === null)) return 'unknown';
  const index = plannerIndexes(t).find((i) => !i.def && i.columns.length === 1 && i.columns[0] === col);
  if (!index) return 'unknown';
  const rel = scanRel(t, size, ws);
  const isel = whereSelectivity(t, rel.tuples, c);
  if (!isel) return 'unknown';
  const n = new Set(items.map(intOf)).size;
  const corr = t.stats?.columns?.[col]?.correlation ?? 0;
  const seq = costSeqScan(size.pages, size.tuples, ws.ops, rel.rows, 0);
  const ie = costIndexPath(rel, index, isel.sel, 1, ws.ops - isel.ops, index.unique, corr, false, n);
  const be = costBitmapHeapPath(rel, index, isel.sel, 1, index.unique, n);
  if (!ie || !be) return 'unknown';
  return seq.total * 1.1 < Math.min(ie.total, be.total) ? 'SeqScan' : 'index';
}

/**
 * The estimate of a path the rules chose (a table without statistics, optimizer/planner.ts): a Bitmap Heap Scan
 * over one index condition; undefined when not modelled (EXPLAIN then refuses its costs).
 */
export function ruleBitmapEstimate(t: Table, where: N | undefined, index: BtreeIndex, cond: N): PathEst | undefined {
  if (!where || index.def || index.columns.length !== 1) return undefined;
  const e = cond.A_Expr;
  if (!e || (e.kind !== 'AEXPR_OP' && e.kind !== 'AEXPR_BETWEEN')) return undefined;
  const size = estimateRelSize(t);
  const ws = whereSelectivity(t, size.tuples, where);
  if (!ws) return undefined;
  const hasEq = e.kind === 'AEXPR_OP' && e.name?.[0]?.String?.sval === '=';
  return indexEstimates(scanRel(t, size, ws), ws.ops, index, [cond], hasEq, false)?.be;
}
