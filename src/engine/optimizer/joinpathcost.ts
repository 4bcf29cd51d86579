/**
 * The join of two analyzed tables (or of an analyzed one with a never-analyzed one, whose side is costed on the
 * planner's defaults) chosen by cost, as PostgreSQL chooses every join (optimizer/path/joinpath.c
 * add_paths_to_joinrel, pathnode.c add_path and set_cheapest): each way to run the join is costed
 * (costsize.c) and the cheapest total cost wins. For an equality between two keys, the candidates, in the order
 * PostgreSQL generates them — first with the first-written table outer, then with the sides swapped:
 *
 *   - a merge join over two Sorts, reading of each sorted input only the part the other side's key range
 *     reaches (selfuncs.ts mergejoinscansel over the histograms and MCV lists; for text keys only bounded below
 *     by both sorts' startup — a bound within 1% of the winner leaves the choice unsure);
 *   - a nested loop rescanning the inner Seq Scan, and one over a Materialize of it (not for the nullable side of
 *     an outer join as the outer side);
 *   - a merge join whose outer side is read through a B-tree on its key (match_unsorted_outer: the Index Scan
 *     is already in key order, and stops where the other side's keys end), the inner one sorted or read through
 *     its own key's index;
 *   - a hash join hashing the inner side: its cost grows with the bucket size of the hashed key
 *     (selfuncs.ts estimateHashBucketStats: few distinct values or a skewed one make long buckets).
 *
 * An inner key with a unique index makes the join inner_unique: a hash probe or a nested loop stops at the first
 * match, a merge join never goes back (skip_mark_restore).
 *
 *     t(a int PRIMARY KEY) 100 rows, u(a int) 50 rows with a = 0..9, both analyzed:  t JOIN u ON u.a = t.a
 *       Hash Join hashing t (inner_unique)            3.25..4.88
 *       Merge Join, Index Scan on t_pkey, Sort of u    3.08..4.90  (t's index read to a = 9: 13.64 x ~8%)
 *       -> within 1% on total: the lower startup cost and the sorted output keep the Merge Join
 *
 *     m(a int, b text): a = 2,1,2,3,1,2    n(a int, b text): a = 2,1,2    both analyzed
 *     n JOIN m ON n.a = m.a       Hash n: 2.24   Hash m: 2.26   Nested Loop over Materialize: 2.37 / 2.38
 *                                 -> Hash Join, Hash on n (its bucket holds 2 of 3 rows, m's 3 of 6)
 *
 * add_path keeps a new path only if no kept path is fuzzily (1%) as cheap; paths within 1% of each other on total
 * cost are told apart by startup cost, then (nearly exactly) by total cost; set_cheapest takes the lowest total.
 * The join's rows are the same for all: outer x inner x eqjoinsel (at least the outer rows for a LEFT join).
 *
 * Simplifications: a parameterized nested loop (and the Memoize in front of it) is not costed — a lower bound
 * on it (the outer scan, one probe per distinct outer key, cpu_tuple_cost per row) within 1% of the winner, or a
 * non-unique index on a key, leaves the choice unsure (the executor runs the winner; EXPLAIN refuses); a merge
 * join over an Index Scan runs as the executor's merge join over sorts (the same rows in the same order) and
 * EXPLAIN refuses to print it; one batch and a hash table within hash_mem (else unsure).
 */
import { plannerIndexes } from '../catalog/catalogsnapshot.js';
import type { Table } from '../catalog/catalog.js';
import { costHashJoinBuckets, costHashJoinUniqueInner, costMaterial, costNestLoopPlain, costMergeJoinSorted, costSort, CPU_OPERATOR_COST, CPU_TUPLE_COST,
  type Cost } from './costsize.js';
import { clampRowEst, estimateRelSize, rint } from './plancat.js';
import { eqjoinsel, estimateHashBucketStats, hasUniqueIndex, mergejoinscansel, variableNumDistinct, type KeyVar } from './selfuncs.js';
import { costParamIndexScan, paramIndexFor, sideScanCost, type EquiSide } from './paramjoin.js';
import { costIndexPath } from './indexcost.js';
import { bucketCount } from '../executor/nodeHashjoin.js';

/** A join side as costed: its table, key column, Seq Scan cost and the table's estimated tuples. */
export interface CostedSide { table: Table; key: number; scan: Cost; tuples: number }

const keyVar = (s: CostedSide): KeyVar => ({ table: s.table, col: s.key, tuples: s.tuples, rows: s.scan.rows });

/** hash_mem (work_mem 4MB x hash_mem_multiplier 2.0) in bytes */
const HASH_MEM = 8 * 1024 * 1024;
/** work_mem in bytes (a Materialize beyond it spills) */
const WORK_MEM = 4 * 1024 * 1024;
/** relation_byte_size: rows x (MAXALIGN(width) + MAXALIGN(SizeofHeapTupleHeader)) */
const relationByteSize = (rows: number, width: number) => rows * (Math.ceil(width / 8) * 8 + 24);

/** eqjoinsel of the two keys. */
export const joinSelectivity = (a: CostedSide, b: CostedSide): number => eqjoinsel(keyVar(a), keyVar(b));

/**
 * A hash join's cost hashing `i`, `o` probing (initial / final_cost_hashjoin, not inner_unique); refused: why the
 * formula does not hold (more than one batch, the top MCV's bucket over hash_mem: disable_cost).
 */
export function hashJoinCost(o: CostedSide, i: CostedSide, selec: number, innerUnique = false): { cost: Cost; refused: string | null } {
  const nbuckets = bucketCount(i.scan.rows);
  const { mcvFreq, bucketFrac } = estimateHashBucketStats(keyVar(i), nbuckets);
  let refused: string | null = null;
  if (relationByteSize(i.scan.rows, i.scan.width) * 2 > HASH_MEM) refused = 'a hash join that may need more than one batch';
  if (relationByteSize(clampRowEst(i.scan.rows * mcvFreq), i.scan.width) > HASH_MEM) refused = 'a hash join whose most common value overflows hash_mem';
  const tuples = clampRowEst(o.scan.rows * i.scan.rows * selec);
  if (innerUnique) return { cost: costHashJoinUniqueInner(o.scan, i.scan, selec, nbuckets), refused };
  return { cost: costHashJoinBuckets(o.scan, i.scan, bucketFrac, tuples), refused };
}

/** A nested loop's cost over the inner Seq Scan rescanned (material false) or a Materialize of it; the join qual: one operator. */
export function nestLoopCost(o: CostedSide, i: CostedSide, rows: number, material: boolean,
  unique: { selec: number } | null = null): { cost: Cost; mat: Cost | null; refused: string | null } {
  const plain = (inner: Cost, rescanStartup: number, rescanRun: number) => (unique
    ? costNestLoopInnerUnique(o.scan, inner, rescanStartup, rescanRun, unique.selec, i.tuples, rows)
    : costNestLoopPlain(o.scan, inner, rescanStartup, rescanRun, 1, rows));
  if (!material) return { cost: plain(i.scan, i.scan.startup, i.scan.total - i.scan.startup), mat: null, refused: null };
  const { mat, rescanRun } = costMaterial(i.scan);
  const refused = relationByteSize(i.scan.rows, i.scan.width) > WORK_MEM ? 'a Materialize larger than work_mem' : null;
  return { cost: plain(mat, 0, rescanRun), mat, refused };
}

/**
 * initial / final_cost_nestloop for an inner_unique join without indexed join quals: an outer row expected to
 * match stops after a fraction of the inner scan (2 / (match_count + 1)), the others read it whole. The
 * semi-join factors come from compute_semi_anti_join_factors, whose selectivity for a plain inner join is the
 * inner join's own (eqjoinsel looks at the SpecialJoinInfo's jointype, which is JOIN_INNER).
 */
function costNestLoopInnerUnique(o: Cost, i: Cost, rescanStartup: number, rescanRun: number, selec: number, innerTuples: number, rows: number): Cost {
  const startup = o.startup + i.startup;
  let run = o.total - o.startup;
  if (o.rows > 1) run += (o.rows - 1) * rescanStartup;
  const matchCount = selec > 0 ? Math.max(1.0, (selec * innerTuples) / selec) : 1.0;
  let matched = rint(o.rows * selec), unmatched = o.rows - matched;
  const scanFrac = 2.0 / (matchCount + 1.0);
  let ntuples = matched * i.rows * scanFrac;
  ntuples += unmatched * i.rows;
  run += i.total - i.startup;
  if (unmatched >= 1) unmatched -= 1; else matched -= 1;
  if (matched > 0) run += matched * rescanRun * scanFrac;
  if (unmatched > 0) run += unmatched * rescanRun;
  run += (CPU_TUPLE_COST + CPU_OPERATOR_COST) * ntuples;
  return { startup, total: startup + run, rows, width: o.width + i.width };
}

/** A full Index Scan of a side on its key's B-tree (a merge join's input in key order), all columns; null: none or not estimated. */
function keyIndexScan(sd: EquiSide, c: CostedSide): Cost | null {
  if (sd.quals.length) return null;
  const index = plannerIndexes(sd.table).find((x) => !x.def && x.columns.length === 1 && x.columns[0] === sd.key);
  if (!index) return null;
  const size = estimateRelSize(sd.table);
  const allvis = sd.table.stats?.relallvisible ?? 0;
  const rel = { table: sd.table, pages: size.pages, tuples: size.tuples, rows: c.scan.rows, allOps: 0,
    allvisfrac: allvis > 0 && size.pages > 0 ? Math.min(1, allvis / size.pages) : 0 };
  const corr = sd.table.stats?.columns?.[sd.key]?.correlation ?? 0;
  const e = costIndexPath(rel, index, 1.0, 0, 0, false, corr, false);
  return e ? { startup: e.startup, total: e.total, rows: c.scan.rows, width: c.scan.width } : null;
}

/**
 * A merge join's cost over a Sort of each side (mergejoinscansel's fractions; the preserved side of an outer join
 * read whole); null: a key type whose histogram scale is not modelled. refused: a Materialize over the inner Sort.
 */
export function mergeJoinCost(o: CostedSide, i: CostedSide, selec: number, rows: number, jt: 'inner' | 'left' | 'right',
  paths: { outer?: Cost; inner?: Cost; innerUnique?: boolean } = {}): { cost: Cost; refused: string | null } | null {
  const f = mergejoinscansel(keyVar(o), keyVar(i));
  if (!f) return null;
  const sel = { outerstart: f.leftstart, outerend: f.leftend, innerstart: f.rightstart, innerend: f.rightend };
  if (jt === 'left') { sel.outerstart = 0; sel.outerend = 1; }
  if (jt === 'right') { sel.innerstart = 0; sel.innerend = 1; }
  const m = costMergeJoinSorted(paths.outer ?? o.scan, paths.inner ?? i.scan, sel, clampRowEst(o.scan.rows * i.scan.rows * selec), rows,
    { outer: !!paths.outer, inner: !!paths.inner, innerUnique: paths.innerUnique });
  let refused = m.materialize ? 'a merge join that materializes its inner side' : null;
  if ((!paths.inner && relationByteSize(i.scan.rows, i.scan.width) > WORK_MEM) || (!paths.outer && relationByteSize(o.scan.rows, o.scan.width) > WORK_MEM)) {
    refused = 'a sort larger than work_mem';
  }
  return { cost: m.cost, refused };
}

type Fuzzy = 'better1' | 'better2' | 'equal';

/** compare_path_costs_fuzzily without startup-cost interest (no LIMIT: consider_startup is false). */
function fuzzily(a: Cost, b: Cost, fuzz: number): Fuzzy {
  if (a.total > b.total * fuzz) return 'better2';
  if (b.total > a.total * fuzz) return 'better1';
  if (a.startup > b.startup * fuzz) return 'better2';
  if (b.startup > a.startup * fuzz) return 'better1';
  return 'equal';
}

interface Candidate<T> { what: T; cost: Cost; sorted?: boolean }

/**
 * add_path over unparameterized paths of equal rows, a merge join's sorted output counting as better pathkeys
 * than the others' none; then set_cheapest's cheapest total.
 */
export function cheapestPath<T>(candidates: Candidate<T>[]): Candidate<T> {
  let list: Candidate<T>[] = [];
  for (const np of candidates) {
    let accept = true, insertAt = 0;
    const kept: Candidate<T>[] = [];
    for (let k = 0; k < list.length; k++) {
      const old = list[k]!;
      if (!accept) { kept.push(old); continue; }
      let removeOld = false;
      const c = fuzzily(np.cost, old.cost, 1.01);
      const keys = !!np.sorted === !!old.sorted ? 'equal' : np.sorted ? 'better1' : 'better2';
      if (c === 'better1') { if (keys !== 'better2') removeOld = true; } else if (c === 'better2') { if (keys !== 'better1') accept = false; } else if (keys === 'better1') removeOld = true;
      else if (keys === 'better2') accept = false;
      else if (fuzzily(np.cost, old.cost, 1.0000000001) === 'better1') removeOld = true;
      else accept = false;
      if (!removeOld) { kept.push(old); if (np.cost.total >= old.cost.total) insertAt = kept.length; }
    }
    list = kept;
    if (accept) list.splice(insertAt, 0, np);
  }
  let best = list[0]!;
  for (const p of list.slice(1)) if (p.cost.total < best.cost.total || (p.cost.total === best.cost.total && p.cost.startup < best.cost.startup)) best = p;
  return best;
}

/** What the cost model settles on: the method, which side is outer, a nested loop without Materialize. */
export interface CostedJoin { method: 'HashJoin' | 'NestLoop' | 'MergeJoin'; outer: 'left' | 'right'; material: boolean; unsure: string | null; cost: Cost }

/**
 * The cheapest join of `left` and `right` (written in that order) on their keys' equality, both tables
 * analyzed, neither key with a unique index. kind 'left': left preserved (a RIGHT JOIN arrives swapped by the
 * caller). null: a side whose Seq Scan cost is not estimated.
 */
export function analyzedJoinChoice(left: EquiSide, right: EquiSide, kind: 'inner' | 'left'): CostedJoin | null {
  const lc = sideScanCost(left), rc = sideScanCost(right);
  if (!lc || !rc) return null;
  const l: CostedSide = { table: left.table, key: left.key, scan: lc, tuples: estimateRelSize(left.table).tuples };
  const r: CostedSide = { table: right.table, key: right.key, scan: rc, tuples: estimateRelSize(right.table).tuples };
  const selec = joinSelectivity(l, r);
  let rows = clampRowEst(l.scan.rows * r.scan.rows * selec);
  if (kind === 'left' && rows < l.scan.rows) rows = l.scan.rows;
  const refusals: string[] = [];
  type What = { method: 'HashJoin' | 'NestLoop' | 'MergeJoin'; outer: 'left' | 'right'; material: boolean; refused: string | null };
  const candidates: Candidate<What>[] = [];
  let mergeUnknown = false;
  const unique = { left: hasUniqueIndex(left.table, left.key), right: hasUniqueIndex(right.table, right.key) };
  const indexPath = { left: keyIndexScan(left, l), right: keyIndexScan(right, r) };
  for (const [outerName, o, i] of [['left', l, r], ['right', r, l]] as const) {
    const innerName = outerName === 'left' ? 'right' : 'left';
    // extra->inner_unique: the inner key has a unique index, each outer row meets at most one inner row
    const innerUnique = unique[innerName];
    const jt = kind === 'inner' ? 'inner' : outerName === 'left' ? 'left' : 'right';
    // sort_inner_and_outer: both cheapest paths sorted; match_unsorted_outer: the outer's Index Scan in key
    // order, the inner sorted or read through its own index
    const merges: { outer?: Cost; inner?: Cost }[] = [{}];
    if (indexPath[outerName]) {
      merges.push({ outer: indexPath[outerName]! });
      if (indexPath[innerName]) merges.push({ outer: indexPath[outerName]!, inner: indexPath[innerName]! });
    }
    for (const paths of merges) {
      const m = mergeJoinCost(o, i, selec, rows, jt, { ...paths, innerUnique });
      // a merge join over an Index Scan runs as the executor's merge join over sorts: the same rows in the same
      // order (the index's order is the sort's), only EXPLAIN would print another plan
      const viaIndex = paths.outer || paths.inner ? 'a merge join over an Index Scan' : null;
      if (m) candidates.push({ what: { method: 'MergeJoin', outer: outerName, material: false, refused: m.refused ?? viaIndex }, cost: m.cost, sorted: true });
      else mergeUnknown = true;
    }
    // a nested loop cannot preserve its inner side (JOIN_RIGHT)
    if (kind === 'inner' || outerName === 'left') {
      for (const material of [false, true]) {
        const nl = nestLoopCost(o, i, rows, material, innerUnique ? { selec } : null);
        candidates.push({ what: { method: 'NestLoop', outer: outerName, material, refused: nl.refused }, cost: nl.cost });
      }
    }
    const h = hashJoinCost(o, i, selec, innerUnique);
    candidates.push({ what: { method: 'HashJoin', outer: outerName, material: false, refused: h.refused }, cost: { ...h.cost, rows } });
  }
  const best = cheapestPath(candidates);
  if (best.what.refused) refusals.push(best.what.refused);
  if (mergeUnknown) {
    // keys whose histogram scale is not modelled (text): a merge join costs at least both sorts' startup and
    // cpu_tuple_cost per joined row; a bound within add_path's fuzz of the winner leaves the choice unsure
    const bound = costSort(l.scan, null).startup + costSort(r.scan, null).startup + CPU_TUPLE_COST * clampRowEst(l.scan.rows * r.scan.rows * selec);
    if (bound <= best.cost.total * 1.01) refusals.push('a join of analyzed tables a Merge Join may win (mergejoinscansel over text is not modelled)');
  }
  // a parameterized nested loop probing the other side's index (with Memoize in front of it) is not costed: the
  // outer scan, one probe per distinct outer key and cpu_tuple_cost per joined row bound it from below
  for (const [o, isd, ic] of [[l, right, r], [r, left, l]] as const) {
    const keyIndexes = plannerIndexes(isd.table).filter((x) => x.columns[0] === isd.key);
    if (!keyIndexes.length) continue;
    const index = keyIndexes.length === 1 ? paramIndexFor(isd.table, isd.key) : null;
    if (!index) { refusals.push('a join of analyzed tables with an index on a join key (index paths are not costed)'); continue; }
    const size = estimateRelSize(isd.table);
    const nd = Math.min(o.scan.rows, variableNumDistinct(keyVar(o)).nd);
    const probe = costParamIndexScan(size.tuples, size.pages, 2, nd, size.pages + estimateRelSize(o.table).pages, ic.scan.width);
    const bound = o.scan.total + nd * probe.total + CPU_TUPLE_COST * rows;
    if (bound <= best.cost.total * 1.01) refusals.push('a join whose parameterized nested loop (Memoize) may be cheaper (it is not costed)');
  }
  if ([left, right].some((s) => s.quals.length && plannerIndexes(s.table).length)) refusals.push('a join side whose own conditions an index may serve');
  return { method: best.what.method, outer: best.what.outer, material: best.what.material, unsure: refusals[0] ?? null, cost: best.cost };
}
