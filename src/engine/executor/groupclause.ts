/**
 * GROUP BY as the parser reads it (parse_clause.c transformGroupClause, flatten_grouping_sets,
 * transformGroupingSet; parse_agg.c parseCheckAggregates): the grouping expressions, each once, and — when the
 * clause has GROUPING SETS, ROLLUP, CUBE or () — the grouping sets over them (optimizer/groupingsets.ts).
 *
 *     GROUP BY a, ROLLUP (b, (a, c))   ->  expressions a b c (refs 1 2 3)
 *                                          sets (1) x ((2, 1, 3) (2) ()) -> (1) (1, 2) (1, 2, 3)
 *
 * A parenthesized list is a row only when written ROW(...): (a, b) at the top level is a and b, inside a grouping
 * set one set of both. A top-level expression named twice counts once (GROUP BY a, a); inside the sets the
 * duplicates stay, since they change how many rows come out. An empty set at the top level is dropped unless
 * nothing is left (GROUP BY () is one empty set); a single set that is not empty is a plain GROUP BY.
 *
 * Simplifications: the refs follow GROUP BY's order (PostgreSQL numbers ORDER BY's expressions first, which only
 * changes the order GROUP BY DISTINCT sorts a set's members into).
 */
import { PgError, posOf } from '../errors.js';
import { type N, firstLocation } from './util.js';
import { expandGroupingSets, type GroupingSetNode } from '../optimizer/groupingsets.js';

export interface GroupClause<T> {
  /** the grouping expressions in ref order (ref i is items[i - 1]) */
  items: T[];
  /** the expanded grouping sets (refs), or null for a plain GROUP BY */
  sets: number[][] | null;
}

const KIND: Record<string, GroupingSetNode['kind']> = {
  GROUPING_SET_EMPTY: 'empty', GROUPING_SET_SIMPLE: 'simple', GROUPING_SET_ROLLUP: 'rollup', GROUPING_SET_CUBE: 'cube', GROUPING_SET_SETS: 'sets',
};

/** Does this GROUP BY need the grouping-set reading (sets, (), or a parenthesized list)? */
export function hasGroupingShape(clause: N[] | undefined): boolean {
  return !!clause?.some((g) => g.GroupingSet || (g.RowExpr && g.RowExpr.row_format === 'COERCE_IMPLICIT_CAST'));
}

/** flatten_grouping_sets: implicit rows to lists, nested GROUPING SETS into their parent; `null` drops an item. */
function flatten(e: unknown, toplevel: boolean, found: { sets: boolean }): unknown {
  if (e === null || e === undefined) return null;
  if (Array.isArray(e)) {
    const out: unknown[] = [];
    for (const x of e) {
      const f = flatten(x, toplevel, found);
      if (f === null) continue;
      if (Array.isArray(f)) out.push(...f); else out.push(f);
    }
    return out;
  }
  const n = e as N;
  if (n.RowExpr && n.RowExpr.row_format === 'COERCE_IMPLICIT_CAST') return flatten(n.RowExpr.args ?? [], false, { sets: false });
  if (n.GroupingSet) {
    found.sets = true;
    const gs = n.GroupingSet;
    if (toplevel && gs.kind === 'GROUPING_SET_EMPTY') return null;
    const content: unknown[] = [];
    for (const c of (gs.content ?? []) as N[]) {
      const f = flatten(c, false, { sets: false });
      if (c.GroupingSet?.kind === 'GROUPING_SET_SETS') content.push(...(f as unknown[])); else content.push(f);
    }
    if (toplevel || gs.kind !== 'GROUPING_SET_SETS') return { GroupingSet: { ...gs, content } };
    return content;
  }
  return n;
}

/**
 * transformGroupClause over `clause` (the raw GROUP BY list). `resolve` finds what an item groups by (an input
 * column, an output column's expression, ...) and a key telling equal ones apart.
 */
export function transformGroupClause<T>(clause: N[], distinct: boolean, resolve: (n: N) => { key: string; item: T }): GroupClause<T> {
  const found = { sets: false };
  let flat = flatten(clause, true, found) as N[];
  if (!flat.length && found.sets) flat = [{ GroupingSet: { kind: 'GROUPING_SET_EMPTY', location: firstLocation(clause) } }];
  const items: T[] = [];
  const refOf = new Map<string, number>();
  const ref = (n: N): number => {
    const r = resolve(n);
    let k = refOf.get(r.key);
    if (k === undefined) { items.push(r.item); k = items.length; refOf.set(r.key, k); }
    return k;
  };
  const transformSet = (n: N): GroupingSetNode => {
    const gs = n.GroupingSet;
    const kind = KIND[gs.kind as string]!;
    if (kind === 'empty') return { kind };
    const content: GroupingSetNode[] = [];
    for (const c of gs.content as unknown[]) {
      if (Array.isArray(c)) {
        const refs: number[] = [];
        for (const x of c as N[]) { const r = ref(x); if (!refs.includes(r)) refs.push(r); }
        content.push({ kind: 'simple', refs });
      } else if ((c as N).GroupingSet) content.push(transformSet(c as N));
      else content.push({ kind: 'simple', refs: [ref(c as N)] });
    }
    if (kind === 'cube' && content.length > 12) throw new PgError('54011', 'CUBE is limited to 12 elements', { position: posOf(gs.location) });
    return { kind, content } as GroupingSetNode;
  };
  const gsets: GroupingSetNode[] = [];
  const seenTop = new Set<number>();
  for (const g of flat) {
    if (g.GroupingSet) { gsets.push(g.GroupingSet.kind === 'GROUPING_SET_EMPTY' ? { kind: 'empty' } : transformSet(g)); continue; }
    const r = ref(g);
    if (seenTop.has(r)) continue;
    seenTop.add(r);
    if (found.sets) gsets.push({ kind: 'simple', refs: [r] });
  }
  if (!found.sets) return { items, sets: null };
  const sets = expandGroupingSets(gsets, distinct, 4096);
  if (!sets) throw new PgError('54001', 'too many grouping sets present (maximum 4096)', { position: posOf(firstLocation(clause)) });
  // parseCheckAggregates: one set, not empty, is a plain GROUP BY
  if (sets.length === 1 && items.length) return { items, sets: null };
  return { items, sets };
}

/**
 * ORDER BY's items as grouping refs (-1: not a grouping expression), for reorder_grouping_sets to follow when one
 * rollup does all the sets.
 */
export function sortGroupRefs(sortClause: N[] | undefined, itemKeys: string[], keyOf: (n: N) => string): number[] {
  return ((sortClause ?? []) as N[]).map((sb) => {
    try { return itemKeys.indexOf(keyOf(sb.SortBy.node)) + 1 || -1; } catch { return -1; }
  });
}
