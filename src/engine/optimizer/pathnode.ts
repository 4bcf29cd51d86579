/**
 * The paths a relation keeps (PostgreSQL's optimizer/util/pathnode.c add_path and set_cheapest), for the join
 * order search (optimizer/joinrels.ts). A new path is kept unless a kept one is fuzzily (1%, STD_FUZZ_FACTOR) as
 * cheap on total cost and as well sorted (its pathkeys: here one equivalence class or none); kept paths it beats
 * go. Startup cost only breaks near-ties — except under a LIMIT (consider_startup), where a path fuzzily worse on
 * total but better on startup is kept beside (COSTS_DIFFERENT). The list stays ordered by total cost;
 * set_cheapest then names the cheapest startup and total paths (an exact tie: the first kept).
 *
 *     {a1,a2}: a Hash Join (unsorted) and a dearer Merge Join sorted on x -> both kept (the merge join's order
 *     may save a later Sort); a Nested Loop dearer than the hash join and unsorted too -> dropped
 *
 * Simplifications: pathkeys of one class; parameterized paths are kept apart (JoinRel.paramPaths) rather than
 * compared by their required outer relations; rows and parallel safety are not compared (equal here).
 */
import type { SearchPlan } from './joinrels.js';

const STD_FUZZ_FACTOR = 1.01;

/** Why the search cannot vouch for its plan (standardJoinSearch answers { unsure }). */
export class Unsure extends Error {}
export const unsure = (why: string): never => { throw new Unsure(why); };

export interface Path {
  startup: number; total: number; rows: number; width: number;
  /** the equivalence class the rows come sorted by (null: unsorted) */
  pathkey: number | null;
  /** cost_rescan */
  rescanStartup: number; rescanTotal: number;
  markRestore: boolean;
  /** a parameterized path: the relations (a mask) the outer side must hold */
  req?: number;
  /** its cost is a lower bound (a hash table over hash_mem: its batches' page costs are not modelled) */
  bound?: boolean;
  plan: SearchPlan;
}

export interface JoinRel { mask: number; rows: number; width: number; paths: Path[]; cheapestTotal: Path; cheapestStartup: Path; paramPaths: Path[] }

export const relationBytes = (rows: number, width: number) => rows * (Math.ceil(width / 8) * 8 + 24);

/** add_path: keep the new path unless an old one is fuzzily as cheap and as well sorted; drop the old ones it beats */
export function addPath(rel: JoinRel, np: Path, considerStartup: boolean): void {
  let accept = true, insertAt = 0;
  const kept: Path[] = [];
  for (const op of rel.paths) {
    let removeOld = false;
    // compare_path_costs_fuzzily: under a LIMIT (consider_startup) a path worse on total but better on startup differs (3)
    const costcmp = np.total > op.total * STD_FUZZ_FACTOR ? (considerStartup && !np.req && op.startup > np.startup * STD_FUZZ_FACTOR ? 3 : 2)
      : op.total > np.total * STD_FUZZ_FACTOR ? (considerStartup && !op.req && np.startup > op.startup * STD_FUZZ_FACTOR ? 3 : 1)
        : np.startup > op.startup * STD_FUZZ_FACTOR ? 2 : op.startup > np.startup * STD_FUZZ_FACTOR ? 1 : 0;
    // compare_pathkeys of single keys: equal, one longer (better), or different
    const keyscmp = np.pathkey === op.pathkey ? 0 : op.pathkey === null ? 1 : np.pathkey === null ? 2 : 3;
    if (keyscmp !== 3 && costcmp !== 3) {
      if (costcmp === 0) {
        if (keyscmp === 1) removeOld = true;
        else if (keyscmp === 2) accept = false;
        else if (np.total < op.total / 1.0000000001 || (np.total <= op.total * 1.0000000001 && np.startup < op.startup / 1.0000000001)) removeOld = true;
        else accept = false;
      } else if (costcmp === 1) { if (keyscmp !== 2) removeOld = true; } else if (keyscmp !== 1) accept = false;
    }
    if (!removeOld) { kept.push(op); if (np.total >= op.total) insertAt = kept.length; }
    if (!accept) { kept.push(...rel.paths.slice(rel.paths.indexOf(op) + 1)); break; }
  }
  if (accept) kept.splice(insertAt, 0, np);
  // a path costed below its true cost that survives could be the plan, or displace the one that is
  if (accept && np.bound) unsure('a hash join that may need several batches (their page costs)');
  rel.paths = kept;
}

/** set_cheapest: the cheapest startup and total paths (exact ties: the first kept) */
export function setCheapest(rel: JoinRel): void {
  let st: Path | null = null, tt: Path | null = null;
  for (const p of rel.paths) {
    if (!st || p.startup < st.startup || (p.startup === st.startup && p.total < st.total)) st = p;
    if (!tt || p.total < tt.total || (p.total === tt.total && p.startup < tt.startup)) tt = p;
  }
  rel.cheapestStartup = st!; rel.cheapestTotal = tt!;
}
