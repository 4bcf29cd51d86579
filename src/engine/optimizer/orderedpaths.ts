/**
 * What grouping_planner puts above the join the search found (PostgreSQL's optimizer/plan/planner.c
 * create_ordered_paths and the LIMIT step, pathnode.c create_limit_path): for ORDER BY, the cheapest path under a
 * Sort (a bounded heap sort under LIMIT) and every path already in the order asked for; for LIMIT / OFFSET a
 * Limit over each, costing the fraction of its input it reads (startup + (total - startup) x rows read / rows);
 * each kept by add_path, the cheapest total wins. So a nested loop, whose first rows are cheap, can win under a
 * small LIMIT while a merge join wins the whole result.
 *
 * Simplifications: no Incremental Sort (the search refuses ORDER BY a join column followed by more keys), no
 * GROUP BY or DISTINCT (refused), LIMIT and OFFSET integer constants.
 */
import type { Cost } from './costsize.js';
import type { SearchPlan, SearchUpper } from './joinrels.js';
import { unsure, type Path, type JoinRel } from './pathnode.js';

/** The plan above the top join relation: its ordered and limited paths, the cheapest. */
export function upperPath(top: JoinRel, upper: SearchUpper, queryEc: number | null, addPath: (rel: JoinRel, p: Path) => void,
  sortOf: (p: Path, limit: number | null) => Cost): SearchPlan {
  const lim = upper.limit;
  const bound = lim && lim.count !== null ? lim.count + lim.offset : null;
  let paths = top.paths;
  const sortedPath = new Set<Path>();
  if (upper.order) {
    const ordered: JoinRel = { ...top, paths: [] };
    for (const p of top.paths) {
      if (queryEc !== null && p.pathkey === queryEc) { sortedPath.add(p); addPath(ordered, p); } else if (p === top.cheapestTotal) {
        const c = sortOf(p, bound);
        addPath(ordered, { ...p, ...c, pathkey: queryEc });
      }
    }
    paths = ordered.paths;
  }
  if (lim) {
    const final: JoinRel = { ...top, paths: [] };
    for (const p of paths) {
      // cost_limit (adjust_limit_rows_costs): the part of the rows read
      let startup = p.startup, total = p.total;
      const rows = p.rows;
      if (lim.offset > 0) startup += (p.total - p.startup) * Math.min(lim.offset, rows) / rows;
      if (lim.count !== null) total = startup + (p.total - p.startup) * Math.min(lim.count, Math.max(1, rows - Math.min(lim.offset, rows))) / rows;
      addPath(final, { ...p, startup, total });
    }
    paths = final.paths;
  }
  let best: Path | null = null;
  for (const p of paths) if (!best || p.total < best.total || (p.total === best.total && p.startup < best.startup)) best = p;
  const plan = best!.plan;
  if (upper.order && plan.kind === 'join') return { ...plan, presorted: [...sortedPath].some((p) => p.plan === plan) };
  if (upper.order && plan.kind !== 'join') unsure('a join the search did not complete');
  return plan;
}
