/**
 * GROUPING SETS, ROLLUP and CUBE: which sets a GROUP BY asks for, and how the planner arranges them into passes.
 *
 * A grouping set is a list of grouping expressions; the query returns the groups of every set, one after the
 * other, a column outside the current set reading NULL (GROUPING() tells that NULL from a NULL value). The parser
 * turns the clause into a tree of sets over the expressions' sortgroup refs (1, 2, … here) and
 * parse_agg.c expand_grouping_sets multiplies it out:
 *
 *     ROLLUP (a, b)          -> (a, b) (a) ()
 *     CUBE (a, b)            -> () (a) (b) (a, b)          (bit i of the set's number takes element i)
 *     a, ROLLUP (b, c)       -> (a, b, c) (a, b) (a)       (the cartesian product of the top-level items)
 *
 * then sorts the sets by length (list_sort: pg_qsort, not stable), and with GROUP BY DISTINCT sorts each set and
 * drops the duplicates. planner.c extract_rollup_sets splits the sets into the fewest chains of sets each contained
 * in the next (a minimum chain cover, found as a maximum bipartite matching by lib/bipartite_match.c's
 * Hopcroft-Karp); a chain is a "rollup", aggregated in one pass over input sorted on its largest set.
 * reorder_grouping_sets lists a rollup's sets largest first, each one's columns as a prefix of the next larger's.
 *
 * consider_groupingsets_paths then hashes each non-empty set in a hash table of its own (HashAggregate, with the
 * empty sets done by a plain pass: MixedAggregate) when every set can be hashed and no aggregate needs sorted
 * input; otherwise each rollup is a GroupAggregate pass, the first over the input's Sort, each further one
 * re-sorting the rows for itself.
 *
 * Simplifications: the planner's cost comparison between the all-hashed path and the sorted or partly-sorted
 * (MixedAggregate with sorted rollups) ones is not modelled: hashed whenever it can be (what PostgreSQL picks on
 * small tables); hash_mem is never exceeded; no unsortable grouping sets.
 */
import { pgQsort } from '../executor/qsort.js';

/** A grouping set tree as transformGroupingSet leaves it: SIMPLE sets hold refs. */
export type GroupingSetNode =
  | { kind: 'empty' }
  | { kind: 'simple'; refs: number[] }
  | { kind: 'rollup' | 'cube' | 'sets'; content: GroupingSetNode[] };

/** list_union_int: `a`, then the members of `b` not in it. */
function unionInt(a: number[], b: number[]): number[] {
  const out = [...a];
  for (const x of b) if (!out.includes(x)) out.push(x);
  return out;
}

/** parse_agg.c expand_groupingset_node: one node's sets. */
function expandNode(gs: GroupingSetNode): number[][] {
  switch (gs.kind) {
    case 'empty': return [[]];
    case 'simple': return [gs.refs];
    case 'rollup': {
      const out: number[][] = [];
      for (let size = gs.content.length; size > 0; size--) {
        out.push(gs.content.slice(0, size).flatMap((c) => (c.kind === 'simple' ? c.refs : [])));
      }
      out.push([]);
      return out;
    }
    case 'cube': {
      const out: number[][] = [];
      for (let i = 0; i < 1 << gs.content.length; i++) {
        out.push(gs.content.flatMap((c, bit) => (i & (1 << bit) && c.kind === 'simple' ? c.refs : [])));
      }
      return out;
    }
    case 'sets': return gs.content.flatMap(expandNode);
  }
}

const cmpLen = (a: number[], b: number[]) => a.length - b.length;
const cmpLenContents = (a: number[], b: number[]) => {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
};

/**
 * parse_agg.c expand_grouping_sets: the sets of the top-level items' cartesian product, sorted by length (the
 * duplicates of one set's members removed; with DISTINCT each set sorted and the duplicate sets dropped). null when
 * the product would exceed `limit` sets (parseCheckAggregates' 4096: 54001).
 */
export function expandGroupingSets(items: GroupingSetNode[], distinct: boolean, limit = -1): number[][] | null {
  if (!items.length) return [];
  const expanded: number[][][] = [];
  let numsets = 1;
  for (const it of items) {
    const cur = expandNode(it);
    numsets *= cur.length;
    if (limit >= 0 && numsets > limit) return null;
    expanded.push(cur);
  }
  let result = expanded[0]!.map((s) => unionInt([], s));
  for (const p of expanded.slice(1)) {
    const next: number[][] = [];
    for (const q of result) for (const s of p) next.push(unionInt(q, s));
    result = next;
  }
  if (!distinct || result.length < 2) return pgQsort(result, cmpLen);
  for (const s of result) pgQsort(s, (x, y) => x - y);
  pgQsort(result, cmpLenContents);
  return result.filter((s, i) => i === 0 || cmpLenContents(s, result[i - 1]!) !== 0);
}

const HK_INFINITY = 0x7fff;

/**
 * lib/bipartite_match.c BipartiteMatch: Hopcroft-Karp maximum matching. `adjacency[u]` lists the v's u may pair
 * with (1-based; 0 is the NIL node); tried from the list's end, as PostgreSQL's [n, v1 … vn] arrays are.
 * Returns pair_uv and pair_vu.
 */
export function bipartiteMatch(size: number, adjacency: (number[] | null)[]): { pairUV: number[]; pairVU: number[] } {
  const pairUV = new Array<number>(size + 1).fill(0), pairVU = new Array<number>(size + 1).fill(0);
  const distance = new Array<number>(size + 1).fill(0);
  const breadth = (): boolean => {
    const queue: number[] = [];
    distance[0] = HK_INFINITY;
    for (let u = 1; u <= size; u++) {
      if (pairUV[u] === 0) { distance[u] = 0; queue.push(u); } else distance[u] = HK_INFINITY;
    }
    for (let qt = 0; qt < queue.length; qt++) {
      const u = queue[qt]!;
      if (distance[u]! < distance[0]!) {
        const adj = adjacency[u] ?? [];
        for (let i = adj.length - 1; i >= 0; i--) {
          const next = pairVU[adj[i]!]!;
          if (distance[next] === HK_INFINITY) { distance[next] = 1 + distance[u]!; queue.push(next); }
        }
      }
    }
    return distance[0] !== HK_INFINITY;
  };
  const depth = (u: number): boolean => {
    if (u === 0) return true;
    if (distance[u] === HK_INFINITY) return false;
    const nextdist = distance[u]! + 1;
    const adj = adjacency[u] ?? [];
    for (let i = adj.length - 1; i >= 0; i--) {
      const v = adj[i]!;
      if (distance[pairVU[v]!] === nextdist && depth(pairVU[v]!)) { pairVU[v] = u; pairUV[u] = v; return true; }
    }
    distance[u] = HK_INFINITY;
    return false;
  };
  while (breadth()) for (let u = 1; u <= size; u++) if (pairUV[u] === 0) depth(u);
  return { pairUV, pairVU };
}

const subset = (a: number[], b: number[]) => a.every((x) => b.includes(x));
const sameSet = (a: number[], b: number[]) => a.length === b.length && subset(a, b);

/**
 * planner.c extract_rollup_sets: the sets (sorted by length) as the fewest chains of nested sets. The empty sets
 * go to the first chain; a duplicate set joins the chain of its first copy, next to it.
 */
export function extractRollupSets(sets: number[][]): number[][][] {
  let first = 0;
  while (first < sets.length && sets[first]!.length === 0) first++;
  const empties = sets.slice(0, first);
  if (first === sets.length) return [sets];
  const orig: number[][][] = [[]], masks: number[][] = [[]];
  const adjacency: (number[] | null)[] = [null];
  let jSize = 0, j = 0, i = 1;
  for (const cand of sets.slice(first)) {
    let dupOf = 0;
    if (jSize === cand.length) {
      for (let k = j; k < i; k++) if (sameSet(masks[k]!, cand)) { dupOf = k; break; }
    } else if (jSize < cand.length) { jSize = cand.length; j = i; }
    if (dupOf > 0) { orig[dupOf]!.push(cand); continue; }
    orig[i] = [cand];
    masks[i] = cand;
    // the smaller sets it contains, from the highest index down (adjacency_buf); BipartiteMatch reads the list
    // from its end, so it tries the lowest-numbered subset first
    const adj: number[] = [];
    for (let k = j - 1; k > 0; k--) if (subset(masks[k]!, cand)) adj.push(k);
    adjacency[i] = adj.length ? adj : null;
    i++;
  }
  const numSets = i - 1;
  const { pairUV, pairVU } = bipartiteMatch(numSets, adjacency);
  const chains = new Array<number>(numSets + 1).fill(0);
  let numChains = 0;
  for (let s = 1; s <= numSets; s++) {
    const u = pairVU[s]!, v = pairUV[s]!;
    if (u > 0 && u < s) chains[s] = chains[u]!;
    else if (v > 0 && v < s) chains[s] = chains[v]!;
    else chains[s] = ++numChains;
  }
  const results: number[][][] = Array.from({ length: numChains + 1 }, () => []);
  for (let s = 1; s <= numSets; s++) results[chains[s]!]!.push(...orig[s]!);
  results[1] = [...empties, ...results[1]!];
  return results.slice(1);
}

/**
 * planner.c reorder_grouping_sets: a rollup's sets (smallest first) as prefixes of one another, largest first;
 * the new members of each set follow ORDER BY's refs while they agree (`sortRefs`, -1 for an ORDER BY item that is
 * not a grouping expression).
 */
export function reorderGroupingSets(sets: number[][], sortRefs: number[]): number[][] {
  let previous: number[] = [];
  let sort = sortRefs;
  const out: number[][] = [];
  for (const cand of sets) {
    const fresh = cand.filter((x) => !previous.includes(x));
    while (sort.length > previous.length && fresh.length > 0) {
      const ref = sort[previous.length]!;
      const at = fresh.indexOf(ref);
      if (at >= 0) { previous = [...previous, ref]; fresh.splice(at, 1); } else { sort = []; break; }
    }
    previous = [...previous, ...fresh];
    out.unshift([...previous]);
  }
  return out;
}

/** One pass of the Agg: a hash table for one set, or a sorted rollup (its sets largest first). */
export interface GroupingPhase { hashed: boolean; sets: number[][] }

/**
 * The Agg node the planner builds for these sets (sorted by length, as expand_grouping_sets returns them):
 * its strategy, its passes in the order EXPLAIN lists them (the top node's, then its chain), and in the order
 * their groups come out (a MixedAggregate returns its sorted pass's groups first, then each hash table's).
 */
export interface GroupingSetsPlan {
  strategy: 'Plain' | 'Sorted' | 'Hashed' | 'Mixed';
  explainOrder: GroupingPhase[];
  outputOrder: GroupingPhase[];
}

export function planGroupingSets(sets: number[][], sortRefs: number[], canHash: boolean): GroupingSetsPlan {
  const chains = extractRollupSets(sets);
  const rollups = chains.map((c) => reorderGroupingSets(c, chains.length === 1 ? sortRefs : []));
  if (canHash) {
    const all = rollups.flat();
    const hashed = all.filter((s) => s.length).map((s) => ({ hashed: true, sets: [s] }));
    const empty = all.filter((s) => !s.length);
    if (hashed.length) {
      if (!empty.length) return { strategy: 'Hashed', explainOrder: hashed, outputOrder: hashed };
      const plain = { hashed: false, sets: empty };
      return { strategy: 'Mixed', explainOrder: [...hashed, plain], outputOrder: [plain, ...hashed] };
    }
  }
  const phases = rollups.map((r) => ({ hashed: false, sets: r }));
  return { strategy: phases[0]!.sets[0]!.length ? 'Sorted' : 'Plain', explainOrder: phases, outputOrder: phases };
}
