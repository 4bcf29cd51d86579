/**
 * How two relations are joined (PostgreSQL's optimizer/path/joinpath.c add_paths_to_joinrel, choosing among the
 * nested loop, hash join and merge join paths by costsize.c's costs) — reduced to the rules that decide what a
 * learner sees on small tables, checked against EXPLAIN recorded from PostgreSQL 15 (tests/scenarios/plan/joins.spec).
 * The method decides the row order without ORDER BY, so the executor runs exactly the join chosen here.
 *
 * With an equality between a column of each side (a hash- and merge-joinable clause):
 *
 *   - the side whose join column is known unique (a unique index, or ANALYZE saw no duplicate) is hashed: every
 *     probe finds at most one match in a short bucket. Both unique: the side with fewer estimated rows is hashed,
 *     the right-hand one on a tie (add_path keeps the first of equal paths, and the left side is tried as outer
 *     first). Hash Join; for an outer join "Hash Left Join" when the hashed side is the nullable one, else
 *     "Hash Right Join".
 *   - neither unique, both tables never analyzed: each key is assumed to have 200 distinct values, hashing
 *     looks expensive (long buckets), and a Merge Join over two Sorts wins; the side with fewer estimated rows
 *     is the outer one (the left on a tie).
 *   - neither unique, both never analyzed, a WHERE condition on a side: the costs decide as below, with the
 *     planner's defaults for the statistics (200 distinct values, a hash bucket of a tenth of the rows) — a side
 *     the filter leaves small is hashed (tests/scenarios/plan/joins-filtered-never.spec).
 *   - both analyzed: the costs decide (optimizer/joinpathcost.ts, called by executor/from.ts: hash either side,
 *     a nested loop, a merge join over sorts or over a key's Index Scan; a unique key's side inner_unique); the
 *     rules here are only the fallback, and EXPLAIN refuses them.
 *
 * For an inner join of two never-analyzed tables with one unique key these rules are then checked against the
 * costs (optimizer/paramjoin.ts equiJoinChoice: either side hashed, or a parameterized nested loop): a small
 * filtered side with a non-unique key may be hashed instead, or probe the unique side's index.
 *
 * A RIGHT JOIN is first turned into a LEFT JOIN with the sides swapped, as PostgreSQL's planner does; ties are
 * broken after that swap. A FULL JOIN follows the inner join's rules (Hash Full Join, Merge Full Join): both
 * sides are preserved, so either may be hashed; it has no nested loop (executor/from.ts refuses a FULL JOIN
 * without a hash- or merge-joinable equality, as PostgreSQL does). Outer joins a strict WHERE condition makes
 * pointless were reduced before (optimizer/prepjointree.ts).
 *
 *     t(k int PRIMARY KEY, v int), u(k int PRIMARY KEY, w int), n(a int, b text) — never vacuumed:
 *     t JOIN u ON t.k = u.k    Hash Join, Hash on u (both unique, 2,260 rows each: tie)
 *     t JOIN n ON t.k = n.a    Hash Join, Hash on t (t.k unique), n is the outer side
 *     t JOIN u ON t.v = u.w    Merge Join (t.v, u.w not unique), Sort t, Sort u
 *
 * Without such a clause (CROSS JOIN, `ON t.k < u.k`): a Nested Loop over a Materialize of the side with fewer
 * estimated rows (the right on a tie), the other side outer — unless an index serves the comparison, or the
 * equality's unique side is cheaper to probe per outer row than to hash: a parameterized nested loop
 * (optimizer/paramjoin.ts, chosen by executor/from.ts over what these rules say).
 *
 * Estimated rows are estimate_rel_size's (optimizer/plancat.ts) times the default selectivity of the side's own
 * WHERE conditions (`col = const`: 1 / distinct values, 200 assumed; a range 1/3).
 *
 * Where the rules are not sure to agree with PostgreSQL's cost model — a join of more than two relations, a side
 * that is not a plain table, a side with its own WHERE conditions when no key is unique, one side analyzed and
 * the other not, a LIMIT or ORDER BY above the join (PostgreSQL may then prefer a nested loop over an index scan
 * or a merge join over index scans), an index usable by a nested loop's join condition, keys of different types —
 * the executor still runs the join (as these rules say, else as a nested loop), and EXPLAIN refuses it with 0A000
 * naming why: `unsure` below.
 */
import type { Table } from '../catalog/catalog.js';
import type { BtreeIndex } from '../index/btree.js';
import type { SearchPlan } from './joinrels.js';
import type { Cost } from './costsize.js';

type N = Record<string, any>;

/** The join tree as planned, for EXPLAIN: base relations and the join nodes over them. */
export type JoinPlan =
  | {
    kind: 'Scan'; table: Table; name: string; alias: string | null; quals: N[]; actual?: { rows: number; removed: number };
    /** the join order search read it by an Index Scan (optimizer/joinrels.ts): the whole index, or probed with an outer column */
    searchedIndex?: { index: BtreeIndex; col: number; by: { rel: string; col: string } | null; cost: Cost; eq?: { key: string | number; cond: N } };
  }
  | { kind: 'Other'; name: string; what: string }
  | {
    kind: 'Join'; method: JoinMethod; label: '' | ' Left' | ' Right' | ' Full'; kindName: JoinKind; outer: JoinPlan; inner: JoinPlan;
    /** the hash / merge key equality (left / right: the key columns within each side) */
    cond: { outerIsLeft: boolean; qual: N; left: number; right: number } | null;
    /** a parameterized nested loop (optimizer/paramjoin.ts): the inner side is an Index Scan of `index` probing its
     * column innerKey with the outer row's column outerKey */
    param?: ParamProbe;
    /** a nested loop rescanning its inner side without a Materialize (optimizer/joinpathcost.ts) */
    material?: false;
    /** the rest of the join condition ("Join Filter") */
    filter: N[];
    /** WHERE conditions on an outer join's output that could not be pushed below it ("Filter") */
    upper?: N[];
    /** why EXPLAIN cannot vouch for this plan, or null */
    unsure: string | null;
    /** a join of the join order search (optimizer/joinrels.ts): its node's costs, Sorts and Materialize */
    searched?: Extract<SearchPlan, { kind: 'join' }>;
    /** what the join did when it ran (EXPLAIN ANALYZE): rows out, rows read from each side */
    actual?: { rows: number; outerRows: number; innerRows: number;
      /** false: the join ended before it ran its inner side (an empty outer side; EXPLAIN ANALYZE: never executed) */
      innerRun?: boolean;
      /** a merge join's pulls from its inputs (executor/nodeMergejoin.ts mergeJoinCounts) and its Sorts' memory in kB (null: not modelled) */
      merge?: () => { outerFetched: number; innerFetched: number; innerRead: number; outerKb: number | null; innerKb: number | null }; };
  };

export interface JoinSide {
  /** estimated rows (estimate_rel_size x restriction selectivity); null: not a plain table */
  rows: number | null;
  /** the table has statistics (VACUUM or ANALYZE ran) */
  analyzed: boolean;
  /** ANALYZE ran: pg_statistic describes its columns (VACUUM and CREATE INDEX set only relpages / reltuples) */
  columnStats?: boolean;
  /** the side has WHERE conditions of its own */
  restricted: boolean;
  /** its join column is known unique (plancat.ts columnUnique) */
  keyUnique: boolean;
  /** distinct values of its join column as ANALYZE counted them (null: no statistics) */
  keyDistinct: number | null;
  /** an index exists on a column the join condition uses (a parameterized index scan could serve a nested loop) */
  indexOnJoinColumn: boolean;
}

/** A parameterized inner Index Scan: "Index Cond: (innerKey op outer.outerKey)". */
export interface ParamProbe { index: BtreeIndex; outerKey: number; innerKey: number; op: '=' | '<' | '<=' | '>' | '>=' }

/** why a nested loop's plan is unsure when an index could serve its inner side (executor/from.ts may then plan one) */
export const PARAM_UNSURE = 'a nested loop whose inner side could be a parameterized index scan';

export type JoinMethod = 'HashJoin' | 'MergeJoin' | 'NestLoop';
export type JoinKind = 'inner' | 'left' | 'right' | 'full';

export interface JoinChoice {
  method: JoinMethod;
  /** which side drives the join (the probe side of a hash join, the outer loop of a nested loop) */
  outer: 'left' | 'right';
  /** why EXPLAIN cannot vouch for this choice, or null when the rules cover it */
  unsure: string | null;
}

/**
 * The join of two sides: `equi` says whether the join condition has a column = column equality (of one type
 * family) usable as a hash / merge key; `orderedOrLimited`: ORDER BY or LIMIT above the join.
 */
export function chooseJoin(left: JoinSide, right: JoinSide, kind: JoinKind, equi: boolean, orderedOrLimited: boolean): JoinChoice {
  if (kind === 'right') {
    const c = chooseJoin(right, left, 'left', equi, orderedOrLimited);
    return { ...c, outer: c.outer === 'left' ? 'right' : 'left' };
  }
  if (kind === 'full') return chooseJoin(left, right, 'inner', equi, orderedOrLimited); // both sides preserved: the inner join's rules
  let unsure: string | null = null;
  if (left.rows === null || right.rows === null) unsure = 'a join whose input is not a plain table';
  else if (orderedOrLimited) unsure = 'a join under ORDER BY or LIMIT (PostgreSQL weighs index scans and startup cost there)';
  else if (left.analyzed !== right.analyzed && !sizedOnly(left, right, kind, equi)) unsure = 'a join of an analyzed table with a never-analyzed one';
  const lr = left.rows ?? 1000, rr = right.rows ?? 1000;
  if (!equi) {
    if (!unsure && (left.indexOnJoinColumn || right.indexOnJoinColumn) && !(left.analyzed && right.analyzed)) unsure = PARAM_UNSURE;
    // the smaller side is materialized and rescanned; for an outer join the preserved side must be outer
    const outer = kind === 'left' ? 'left' : rr <= lr ? 'left' : 'right';
    return { method: 'NestLoop', outer, unsure };
  }
  let hashed: 'left' | 'right' | null;
  if (left.keyUnique !== right.keyUnique) hashed = left.keyUnique ? 'left' : 'right';
  else if (left.keyUnique) hashed = lr < rr ? 'left' : 'right';
  else if (left.analyzed && right.analyzed) {
    const ld = left.keyDistinct ?? 0, rd = right.keyDistinct ?? 0;
    hashed = ld !== rd ? (ld > rd ? 'left' : 'right') : lr < rr ? 'left' : 'right';
  } else hashed = null;
  if (hashed === null) {
    if (!unsure && (left.restricted || right.restricted)) unsure = 'a join of non-unique keys with WHERE conditions on a side (a small side may be hashed instead)';
    if (!unsure && (left.indexOnJoinColumn || right.indexOnJoinColumn)) unsure = 'a merge join whose input an index on its key may deliver sorted (an Index Scan instead of a Sort)';
    return { method: 'MergeJoin', outer: rr < lr ? 'right' : 'left', unsure };
  }
  if (!unsure && !left.keyUnique && !right.keyUnique && (left.restricted || right.restricted)) unsure = 'a join of non-unique keys with WHERE conditions on a side';
  return { method: 'HashJoin', outer: hashed === 'left' ? 'right' : 'left', unsure };
}

/**
 * An inner equi-join of a never-analyzed table with one that VACUUM or CREATE INDEX sized but ANALYZE never
 * described, a key unique: the planner knows no column of either beyond the defaults (get_variable_numdistinct
 * without statistics), only one side's size is measured — the never-analyzed rules hold, with the sizes as
 * estimate_rel_size reads them, and paramjoin.ts equiJoinChoice weighs the hash joins against a nested loop
 * probing a unique index (a vacuumed side of one row probes the other's primary key).
 */
function sizedOnly(left: JoinSide, right: JoinSide, kind: JoinKind, equi: boolean): boolean {
  return kind === 'inner' && equi && !left.columnStats && !right.columnStats && (left.keyUnique || right.keyUnique);
}

/** The join type as EXPLAIN names it for the chosen outer side: "Left" when the nullable side is inner. */
export function joinTypeLabel(kind: JoinKind, outer: 'left' | 'right'): '' | ' Left' | ' Right' | ' Full' {
  if (kind === 'inner') return '';
  if (kind === 'full') return ' Full';
  const preservedIsOuter = (kind === 'left') === (outer === 'left');
  return preservedIsOuter ? ' Left' : ' Right';
}
