/**
 * Aggregation over grouping sets (nodeAgg.c with several grouping sets: its phases and its hash tables). Every set
 * groups all the input rows again; in a set's groups the grouping columns outside the set read NULL, and a hidden
 * column records which set the group belongs to, for GROUPING() (sql/groupingfunc.ts).
 *
 *     SELECT a, b, sum(v) FROM t GROUP BY ROLLUP (a, b);
 *       MixedAggregate: Hash Key: a, b / Hash Key: a / Group Key: ()
 *       -> the () group (the sorted pass ends with the input), then the (a, b) table's groups, then the (a) table's
 *
 * The passes come in the order optimizer/groupingsets.ts planned: a hash table returns its groups in its own order
 * (execGrouping.ts, sized by the planner's estimate of that set's groups); a sorted rollup pass returns each group
 * as the sorted input leaves it, so a smaller set's group follows the groups of the larger sets it sums up:
 *
 *     rollup (a, b) (a) () over rows sorted on a, b:   (x,1) (x,2) (x,) (y,1) (y,) … ()
 *
 * HAVING filters the groups of every set. Simplifications: each set's groups are computed by a pass of their own
 * over the rows (PostgreSQL advances all of a phase's sets at once; the results are the same).
 */
import type { Executor } from './executor.js';
import type { AggSpec, Compiled, Row } from '../sql/expr.js';
import { aggregate, type HashedOrder } from './nodeAgg.js';
import { compareKeys } from './nodeSort.js';
import type { GroupingSetsPlan } from '../optimizer/groupingsets.js';

export interface GroupingSetsExec {
  plan: GroupingSetsPlan;
  /** ref → the grouping column it reads (refCols[ref - 1]) */
  refCols: number[];
  /** the expanded sets as columns, by set number (what the hidden column holds) */
  sets: Set<number>[];
  /** the hidden column holding the group's set number */
  setCol: number;
  /** the hash table a set's columns get (its order), or undefined for first-seen order */
  orderFor: (cols: number[]) => HashedOrder | undefined;
}

const ASC = [{ desc: false, nullsFirst: false }];

export function aggregateGroupingSets(ex: Executor, rows: Row[], aggs: AggSpec[], gs: GroupingSetsExec, having: Compiled | null,
  removed?: { groupsRemoved: number }): Row[] {
  const allCols = [...new Set(gs.refCols)];
  const setNumber = (cols: number[]) => {
    const i = gs.sets.findIndex((s) => s.size === new Set(cols).size && cols.every((c) => s.has(c)));
    return i < 0 ? 0 : i;
  };
  /** one set's groups, the columns outside it NULL, its number in the hidden column */
  const groupsOf = (cols: number[], order: HashedOrder | undefined): Row[] => {
    const inSet = new Set(cols);
    const num = setNumber(cols);
    return aggregate(ex, rows, aggs, inSet, cols.length > 0, null, undefined, order).map((r) => {
      const vals = r.vals.slice();
      for (const c of allCols) if (!inSet.has(c)) vals[c] = null;
      vals[gs.setCol] = num;
      return { ...r, vals };
    });
  };
  const out: Row[] = [];
  for (const phase of gs.plan.outputOrder) {
    if (phase.hashed) {
      const cols = phase.sets[0]!.map((r) => gs.refCols[r - 1]!);
      out.push(...groupsOf(cols, gs.orderFor(cols)));
      continue;
    }
    // a sorted rollup: its sets are prefixes of the first; a group of a shorter set comes after the longer ones'
    const lead = phase.sets[0]!.map((r) => gs.refCols[r - 1]!);
    const all: { r: Row; len: number; si: number }[] = [];
    phase.sets.forEach((set, si) => { for (const r of groupsOf(set.map((x) => gs.refCols[x - 1]!), undefined)) all.push({ r, len: set.length, si }); });
    all.sort((a, b) => {
      for (let k = 0; k < lead.length; k++) {
        const ah = k < a.len, bh = k < b.len;
        if (!ah && !bh) break;
        if (!ah) return 1;
        if (!bh) return -1;
        const c = compareKeys(ASC, [a.r.vals[lead[k]!]!], [b.r.vals[lead[k]!]!]);
        if (c !== 0) return c;
      }
      return a.si - b.si;
    });
    out.push(...all.map((x) => x.r));
  }
  if (!having) return out;
  return out.filter((r) => {
    if (having.fn(r) === true) return true;
    if (removed) removed.groupsRemoved++;
    return false;
  });
}

/**
 * The planner's estimate of the rows the Agg returns (get_number_of_groups: the sum of every set's groups, 1 for
 * an empty set); null where a set's estimate is not modelled. A DISTINCT above sizes its hash table by it.
 */
export function groupingSetsRows(gs: GroupingSetsExec): number | null {
  let sum = 0;
  for (const ph of gs.plan.outputOrder) {
    for (const set of ph.sets) {
      if (!set.length) { sum += 1; continue; }
      const e = gs.orderFor(set.map((r) => gs.refCols[r - 1]!))?.expected;
      if (e === undefined) return null;
      sum += e;
    }
  }
  return sum;
}
