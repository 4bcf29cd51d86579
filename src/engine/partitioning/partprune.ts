/**
 * Partition pruning at plan time: the partitions a scan of a partitioned table need not read, because no row they
 * can hold satisfies the WHERE clause. Only the clauses ANDed at the top of WHERE that compare the key column with
 * a constant (`a = 1`, `1 = a`, `a IN (1, 2)`, `a IS NULL`) are used; a partition is kept when its bound accepts
 * one of the values (the DEFAULT partition when no sibling accepts it).
 *
 *     SELECT * FROM foo WHERE a = 1;        -- only foo1 is scanned (and locked): EXPLAIN shows no Append
 *
 * Mirrors: src/backend/partitioning/partprune.c (gen_partprune_steps for equality, get_matching_partitions).
 * Simplifications: only equality and IS NULL on a single-column key prune; ranges (a < 5), expressions that are
 * stable rather than constant and run-time (executor) pruning are not modelled — those scans read every partition.
 */
import type { Value } from '../sql/types.js';
import { intConst } from '../sql/parser.js';
import { partitionForKey, type BoundOf, type PartitionKey } from './partbounds.js';

type N = Record<string, any>;

function constOf(n: N | undefined): { v: Value } | null {
  const c = n?.A_Const;
  if (!c) return null;
  if (c.isnull) return { v: null };
  if (c.ival) return { v: intConst(c) ?? 0 };
  if (c.sval) return { v: c.sval.sval };
  return null;
}
const colName = (n: N | undefined): string | null => {
  const f = n?.ColumnRef?.fields as N[] | undefined;
  return f?.length ? (f[f.length - 1]!.String?.sval ?? null) : null;
};

/** The key values the WHERE clause allows, or null when it does not restrict the key to a list of constants. */
function keyValues(where: N | undefined, key: PartitionKey): Value[] | null {
  if (!where || key.cols.length !== 1) return null;
  const name = key.names[0]!;
  const ints = key.types[0]!.name.startsWith('int');
  const fit = (c: { v: Value }) => (c.v === null || (ints ? typeof c.v === 'number' : typeof c.v === 'string'));
  if (where.BoolExpr?.boolop === 'AND_EXPR') {
    for (const a of where.BoolExpr.args as N[]) { const vs = keyValues(a, key); if (vs) return vs; }
    return null;
  }
  const e = where.A_Expr;
  if (e?.kind === 'AEXPR_OP' && e.name?.length === 1 && e.name[0].String?.sval === '=') {
    const c = colName(e.lexpr) === name ? constOf(e.rexpr) : colName(e.rexpr) === name ? constOf(e.lexpr) : null;
    return c && c.v !== null && fit(c) ? [c.v] : null;
  }
  if (e?.kind === 'AEXPR_IN' && e.name?.[0]?.String?.sval === '=' && colName(e.lexpr) === name) {
    const cs = ((e.rexpr?.List?.items ?? []) as N[]).map(constOf);
    return cs.every((c) => c && c.v !== null && fit(c)) ? cs.map((c) => c!.v) : null;
  }
  const nt = where.NullTest;
  if (nt?.nulltesttype === 'IS_NULL' && colName(nt.arg) === name) return [null];
  return null;
}

/** get_matching_partitions: the partitions (in bound order) a scan with this WHERE must read. */
export function prunePartitions<T>(parts: BoundOf<T>[], key: PartitionKey, where: N | undefined): T[] {
  const vs = keyValues(where, key);
  if (!vs) return parts.map((p) => p.rel);
  const keep = new Set<T>();
  for (const v of vs) { const p = partitionForKey(parts, [v]); if (p) keep.add(p.rel); }
  return parts.filter((p) => keep.has(p.rel)).map((p) => p.rel);
}
