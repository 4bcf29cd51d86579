/**
 * Nested loop join (PostgreSQL's executor/nodeNestloop.c, with nodeMaterial.c under its inner side): for each
 * row of the outer input, every row of the inner input is tried against the join condition. The inner side is
 * read once and kept (Materialize), so each outer row rescans the kept rows, not the table.
 *
 *     outer t: (1) (2)      inner u: (a) (b)      t CROSS JOIN u  ->  (1,a) (1,b) (2,a) (2,b)
 *
 * Row order: the outer side's order, and for each outer row the inner side's order. A LEFT join (the outer side
 * preserved) adds the outer row with NULLs when nothing matched. The planner (optimizer/joinpath.ts) picks this
 * method when the join condition has no equality to hash or merge on.
 *
 * Deliberate difference: a join's output is built in memory before the nodes above it read it (PostgreSQL streams
 * it), so a join that would produce more than JOIN_ROWS_LIMIT rows — a cross join of three 400-row tables is 64
 * million — is refused with 54000 instead of exhausting the browser tab's memory.
 */
import type { Value } from '../sql/types.js';
import { PgError } from '../errors.js';

/** The most rows one join node builds (see the module doc): some 2 million, a few hundred MB in a browser tab. */
export const JOIN_ROWS_LIMIT = 2_000_000;
export function joinTooLarge(): PgError {
  return new PgError('54000', `Heapscope builds at most ${JOIN_ROWS_LIMIT.toLocaleString('en')} rows in one join, and this join produces more`, {
    hint: 'PostgreSQL would stream them; add a join condition or a WHERE clause, or join smaller tables.',
  });
}

/** One output row of a join: the outer and inner halves (null: the NULL-extended side of an outer join). */
export interface JoinPair { o: Value[] | null; i: Value[] | null }

/**
 * fillInner: the inner side preserved too (a FULL JOIN the simulator runs as a nested loop where it cannot vouch
 * for PostgreSQL's plan — PostgreSQL itself never does: a nested loop cannot preserve its inner side): the inner
 * rows nothing matched follow, NULL-extended, so the rows are right even where their order is not.
 */
export function nestLoop(outer: Iterable<Value[]>, inner: Value[][], match: (o: Value[], i: Value[]) => boolean, fillOuter: boolean,
  fillInner = false): JoinPair[] {
  const out: JoinPair[] = [];
  const matchedInner = fillInner ? new Uint8Array(inner.length) : null;
  for (const o of outer) {
    let matched = false;
    for (let k = 0; k < inner.length; k++) {
      const i = inner[k]!;
      if (!match(o, i)) continue;
      matched = true;
      if (matchedInner) matchedInner[k] = 1;
      if (out.length >= JOIN_ROWS_LIMIT) throw joinTooLarge();
      out.push({ o, i });
    }
    if (!matched && fillOuter) out.push({ o, i: null });
  }
  if (matchedInner) inner.forEach((i, k) => { if (!matchedInner[k]) out.push({ o: null, i }); });
  return out;
}
