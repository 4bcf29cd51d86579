/**
 * Outer-join reduction (PostgreSQL's optimizer/prep/prepjointree.c reduce_outer_joins): an outer join whose
 * NULL-extended rows a condition above it would throw away anyway is no outer join at all. A condition is
 * *strict* for a relation when it cannot be true while that relation's columns are NULL — `u.w > 1`, `u.w IS
 * NOT NULL`, `u.w = 2 AND ...` — so a strict WHERE condition on the nullable side removes every NULL-extended
 * row, and the planner may plan the join as an inner one (free to choose its order, to push the condition into
 * the scan). A FULL JOIN becomes a LEFT or RIGHT join when only one side's rows are kept non-NULL, an inner
 * join when both are:
 *
 *     t LEFT JOIN u ON t.k = u.k WHERE u.w > 1          ->  t JOIN u ON t.k = u.k   (Hash Join, Filter on u)
 *     t FULL JOIN u ON t.k = u.k WHERE t.v > 10         ->  t LEFT JOIN u ...       (t's rows all non-NULL)
 *     t FULL JOIN u ON t.k = u.k WHERE coalesce(u.w, 0) > 1   stays FULL (COALESCE is not strict)
 *
 * The walk goes top-down as reduce_outer_joins_pass2 does: the relations the conditions above force non-NULL,
 * plus (below an inner join or on an outer join's nullable side) that join's own ON conditions, are handed to
 * the children; nothing crosses a FULL JOIN that stays full.
 *
 * Simplifications: strictness (find_nonnullable_rels) is recognised only in operator expressions over columns
 * and casts (every built-in operator is strict), IS NOT NULL, BETWEEN, IN (...), AND (either arm) and OR (every
 * arm); a function call, CASE, COALESCE, IS DISTINCT FROM count as not strict — the join then stays an outer
 * join, which is right, only perhaps planned differently from PostgreSQL (EXPLAIN then refuses it). No anti-join
 * reduction here (`WHERE u.k IS NULL`: executor/from.ts recognises it itself).
 */
type N = Record<string, any>;

/** Which relation (by its name in FROM) a column reference's fields name; null: none, or not sure. */
export type RelOfColumn = (fields: string[]) => string | null;

/** The relations a condition forces non-NULL (it cannot be true when one of their columns it uses is NULL). */
export function nonNullableRels(q: N | null | undefined, relOf: RelOfColumn): Set<string> {
  const out = new Set<string>();
  if (!q || typeof q !== 'object') return out;
  const b = q.BoolExpr;
  if (b?.boolop === 'AND_EXPR') {
    for (const a of b.args as N[]) for (const r of nonNullableRels(a, relOf)) out.add(r);
    return out;
  }
  if (b?.boolop === 'OR_EXPR') {
    const arms = (b.args as N[]).map((a) => nonNullableRels(a, relOf));
    for (const r of arms[0] ?? []) if (arms.every((x) => x.has(r))) out.add(r);
    return out;
  }
  if (q.NullTest?.nulltesttype === 'IS_NOT_NULL') { strictRels(q.NullTest.arg, relOf, out); return out; }
  const e = q.A_Expr;
  if (e && (e.kind === 'AEXPR_OP' || e.kind === 'AEXPR_BETWEEN' || e.kind === 'AEXPR_LIKE' || e.kind === 'AEXPR_ILIKE')) {
    strictRels(e.lexpr, relOf, out);
    if (e.kind !== 'AEXPR_BETWEEN') strictRels(e.rexpr, relOf, out);
    return out;
  }
  if (e?.kind === 'AEXPR_IN' && e.name?.[0]?.String?.sval === '=') { strictRels(e.lexpr, relOf, out); return out; }
  return out;
}

/** The relations whose NULL column makes this expression NULL (columns, casts, operators over them). */
function strictRels(x: N | undefined, relOf: RelOfColumn, out: Set<string>): void {
  if (!x || typeof x !== 'object') return;
  if (x.ColumnRef) {
    const f = x.ColumnRef.fields as N[];
    if (!f.every((y) => y.String)) return;
    const r = relOf(f.map((y) => y.String.sval as string));
    if (r) out.add(r);
    return;
  }
  if (x.TypeCast) { strictRels(x.TypeCast.arg, relOf, out); return; }
  if (x.A_Expr?.kind === 'AEXPR_OP') { strictRels(x.A_Expr.lexpr, relOf, out); strictRels(x.A_Expr.rexpr, relOf, out); }
}

/** The relation names under a FROM item (leafName names a table, a subquery, a function by its FROM name). */
function relsUnder(f: N, leafName: (item: N) => string): string[] {
  if (f.JoinExpr) return [...relsUnder(f.JoinExpr.larg, leafName), ...relsUnder(f.JoinExpr.rarg, leafName)];
  return [leafName(f)];
}

const overlaps = (a: Set<string>, names: string[]) => names.some((n) => a.has(n));

/**
 * The FROM list with the outer joins WHERE makes pointless reduced (a JoinExpr whose type changes is copied;
 * every other node, the base relations too, is the same object). The same array when nothing changed.
 */
export function reduceOuterJoins(from: N[], where: N | null | undefined, relOf: RelOfColumn, leafName: (item: N) => string): N[] {
  const hasOuter = (f: N): boolean => !!f.JoinExpr && (f.JoinExpr.jointype !== 'JOIN_INNER' || hasOuter(f.JoinExpr.larg) || hasOuter(f.JoinExpr.rarg));
  if (!from.some(hasOuter)) return from;
  const top = nonNullableRels(where, relOf);
  let changed = false;
  const pass = (f: N, nonnull: Set<string>): N => {
    const j = f.JoinExpr;
    if (!j || !hasOuter(f)) return f;
    let jointype = j.jointype as string;
    const leftRels = relsUnder(j.larg, leafName), rightRels = relsUnder(j.rarg, leafName);
    if (jointype === 'JOIN_LEFT' && overlaps(nonnull, rightRels)) jointype = 'JOIN_INNER';
    else if (jointype === 'JOIN_RIGHT' && overlaps(nonnull, leftRels)) jointype = 'JOIN_INNER';
    else if (jointype === 'JOIN_FULL') {
      const l = overlaps(nonnull, leftRels), r = overlaps(nonnull, rightRels);
      jointype = l && r ? 'JOIN_INNER' : l ? 'JOIN_LEFT' : r ? 'JOIN_RIGHT' : 'JOIN_FULL';
    }
    // what the children may rely on: above an inner join (or on an outer join's nullable side) its own ON
    // conditions too; on an outer join's preserved side only what came from above; nothing through a FULL JOIN
    const local = new Set(jointype === 'JOIN_FULL' ? [] : [...nonNullableRels(j.quals, relOf), ...nonnull]);
    const none = new Set<string>();
    const forLeft = jointype === 'JOIN_INNER' ? local : jointype === 'JOIN_LEFT' ? nonnull : jointype === 'JOIN_RIGHT' ? local : none;
    const forRight = jointype === 'JOIN_INNER' ? local : jointype === 'JOIN_RIGHT' ? nonnull : jointype === 'JOIN_LEFT' ? local : none;
    const larg = pass(j.larg, forLeft), rarg = pass(j.rarg, forRight);
    if (jointype === j.jointype && larg === j.larg && rarg === j.rarg) return f;
    changed = true;
    return { ...f, JoinExpr: { ...j, jointype, larg, rarg } };
  };
  const out = from.map((f) => pass(f, top));
  return changed ? out : from;
}
