/**
 * SELECT DISTINCT (PostgreSQL's executor/nodeUnique.c over sorted input, or a HashAggregate over unsorted input
 * — the planner's choice, which EXPLAIN prints): a row is returned only if no equal row came before it. Equality
 * is the grouping equality (NULLs equal each other, 1.0 = 1.00), the same as GROUP BY's.
 *
 * DISTINCT ON (exprs) is select.ts's: the first row of each set equal on them, in ORDER BY's order.
 * Simplifications: the rows come out in the order their first copy arrived (a
 * HashAggregate's order in PostgreSQL is its hash table's — give DISTINCT an ORDER BY when order matters).
 */
import { notSupported } from '../errors.js';
import { type Value, groupKey } from '../sql/types.js';
import type { N } from './util.js';

/** A filter that passes each distinct row once (null when the query has no DISTINCT). */
export function distinctFilter(distinctClause: N[] | undefined): { seen: Set<string>; first: (vals: Value[]) => boolean } | null {
  if (!distinctClause) return null;
  if (distinctClause.length && distinctClause[0] && Object.keys(distinctClause[0]).length) throw notSupported('DISTINCT ON');
  const seen = new Set<string>();
  return {
    seen,
    first: (vals) => {
      const key = JSON.stringify(vals.map(groupKey));
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    },
  };
}
