/**
 * JOIN ... USING (cols) and NATURAL JOIN: a join on equality of same-named columns whose output shows each such
 * column once. The parser (PostgreSQL's parser/parse_clause.c transformFromClauseItem) turns the USING list into
 * the condition `l.c = r.c AND ...` (the equality operator chosen for the two sides' own types, so int = bigint
 * needs no cast) and builds one merged column per name (buildMergedJoinVar): both sides coerced to their common
 * type (select_common_type, "JOIN/USING"), then the left side's value for INNER and LEFT joins, the right side's
 * for RIGHT joins and COALESCE(l, r) for FULL joins. NATURAL JOIN's list is the left side's column names that the
 * right side also has, in the left side's order (none: a cross join).
 *
 * The join's visible columns (those an unqualified name or an unqualified * reaches) are the merged ones first,
 * then the left side's others, then the right side's: the sides' USING columns stay in the row but are `hidden`
 * (reached only qualified, t.c, or by t.*). USING (...) AS alias (join_using_alias) names a relation that holds
 * only the merged columns. Without an alias the merged columns belong to a relation no name reaches.
 *
 * Errors, in PostgreSQL's order and text, with no cursor position: a column named twice in the list (42701),
 * one a side has more than once (42702 "common column name ... appears more than once in left table"), one a
 * side lacks (42703 "... specified in USING clause does not exist in left table"), sides of no common type
 * (42804 "JOIN/USING types integer and text cannot be matched"), no = operator for them (42883).
 *
 * Simplifications: a join alias (the whole join named, `(a JOIN b USING (x)) AS j`) is refused as for any join.
 */
import { PgError } from '../errors.js';
import type { Compiled, Row } from '../sql/expr.js';
import { commonType, castTo } from '../sql/coerce.js';
import type { Value } from '../sql/types.js';
import type { N, JoinInput } from './util.js';

/** What the join needs from a USING / NATURAL JoinExpr: the condition to join on, and how to add the merged columns. */
export interface UsingJoin {
  /** `l.c = r.c AND ...` over the sides' columns (null: NATURAL with nothing in common, a cross join) */
  qual: N | null;
  /** an unqualified merged column (or alias.c) as an expression over the sides' columns, for the planner's view of WHERE */
  refs: Map<string, N>;
  /** the join's output with the merged columns first and the sides' USING columns hidden */
  wrap: (joined: JoinInput) => JoinInput;
}

type JoinKind = 'inner' | 'left' | 'right' | 'full';

/** A column the input shows to an unqualified name (not dropped, not a lower USING join's hidden side column). */
const visible = (c: { dropped?: boolean; hidden?: boolean }) => !c.dropped && !c.hidden;

/**
 * The columns of a USING / NATURAL join of `left` and `right` (parse_clause.c's checks, in its order), the
 * join condition, and the wrapper that puts the merged columns in front once the join is built.
 */
export function usingJoin(j: N, left: JoinInput, right: JoinInput, kind: JoinKind): UsingJoin {
  const lnames = left.columns.map((c) => (visible(c) ? c.name : null));
  const rnames = right.columns.map((c) => (visible(c) ? c.name : null));
  let names: string[];
  if (j.isNatural) {
    names = [];
    for (const n of lnames) if (n !== null && rnames.includes(n)) names.push(n);
  } else names = (j.usingClause as N[]).map((x) => x.String.sval as string);
  const pairs: { name: string; l: number; r: number }[] = [];
  const find = (cols: (string | null)[], name: string, side: string): number => {
    let at = -1;
    cols.forEach((c, i) => {
      if (c !== name) return;
      if (at >= 0) throw new PgError('42702', `common column name "${name}" appears more than once in ${side} table`);
      at = i;
    });
    if (at < 0) throw new PgError('42703', `column "${name}" specified in USING clause does not exist in ${side} table`);
    return at;
  };
  for (const name of names) {
    if (pairs.some((p) => p.name === name)) throw new PgError('42701', `column name "${name}" appears more than once in USING clause`);
    pairs.push({ name, l: find(lnames, name, 'left'), r: find(rnames, name, 'right') }); // the left side's error first
  }
  const alias = (j.join_using_alias?.aliasname as string | undefined) ?? null;
  // no name reaches an unaliased join's merged columns (one per join: the sides' relation names are unique)
  const relName = alias ?? `\u0000using(${[...left.rels, ...right.rels].map((r) => r.name).join(',')})`;
  // a reference to a side's column, as the join's condition names it (its relation and name)
  const relAt = (inp: JoinInput, col: number): string => {
    let offset = 0;
    for (const r of inp.rels) { if (col < offset + r.count) return r.name; offset += r.count; }
    throw new Error('column outside its input');
  };
  const ref = (inp: JoinInput, col: number): N => ({
    ColumnRef: { fields: [{ String: { sval: relAt(inp, col) } }, { String: { sval: inp.columns[col]!.name } }], location: -1 },
  });
  const eqs = pairs.map((p) => ({ A_Expr: { kind: 'AEXPR_OP', name: [{ String: { sval: '=' } }], lexpr: ref(left, p.l), rexpr: ref(right, p.r), location: -1 } }));
  const lw = left.columns.length;
  // buildMergedJoinVar: both sides coerced to their common type, then the side (or COALESCE) the join kind gives
  const merged = pairs.map((p) => {
    const typeAt = (i: number) => (i < lw ? left.columns[i]! : right.columns[i - lw]!).type;
    const at = (i: number): Compiled => ({ fn: (row: Row) => row.vals[i]!, type: typeAt(i), name: p.name, strength: 2 });
    const lc = at(p.l), rc = at(lw + p.r);
    const type = commonType([lc, rc], 'JOIN/USING');
    const l = lc.type.name === type.name ? lc : castTo(lc, type, false), r = rc.type.name === type.name ? rc : castTo(rc, type, false);
    const value = kind === 'right' ? r.fn : kind === 'full' ? (row: Row) => { const v = l.fn(row); return v === null ? r.fn(row) : v; } : l.fn;
    const lref = ref(left, p.l), rref = ref(right, p.r);
    const expr: N = kind === 'right' ? rref : kind === 'full' ? { CoalesceExpr: { args: [lref, rref], location: -1 } } : lref;
    return { name: p.name, type, value, expr };
  });
  const refs = new Map<string, N>();
  for (const m of merged) { refs.set(m.name, m.expr); if (alias) refs.set(`${alias}.${m.name}`, m.expr); }
  const qual = eqs.length === 0 ? null : eqs.length === 1 ? eqs[0]! : { BoolExpr: { boolop: 'AND_EXPR', args: eqs, location: -1 } };
  const hide = new Set([...pairs.map((p) => p.l), ...pairs.map((p) => lw + p.r)]);
  const wrap = (joined: JoinInput): JoinInput => {
    if (alias && joined.names.includes(alias)) throw new PgError('42712', `table name "${alias}" specified more than once`);
    const row: Row = { vals: [], item: null, blk: 0, off: 0, aggs: null };
    return {
      names: alias ? [...joined.names, alias] : joined.names,
      columns: [...merged.map((m) => ({ name: m.name, type: m.type })), ...joined.columns.map((c, i) => (hide.has(i) ? { ...c, hidden: true } : c))],
      rels: [{ name: relName, count: merged.length }, ...joined.rels],
      tables: joined.tables,
      rows: () => joined.rows().map((r) => { row.vals = r; return [...merged.map((m): Value => m.value(row)), ...r]; }),
      plan: joined.plan,
    };
  };
  return { qual, refs, wrap };
}

/** WHERE's conjuncts with the merged columns spelled as the planner sees them (over the sides' own columns). */
export function expandMergedRefs(q: N, refs: Map<string, N>): N {
  if (!refs.size) return q;
  const walk = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(walk);
    if (!x || typeof x !== 'object') return x;
    const o = x as N;
    if (o.ColumnRef) {
      const f = o.ColumnRef.fields as N[];
      if (f.every((y) => y.String) && f.length <= 2) { const e = refs.get(f.map((y) => y.String.sval).join('.')); if (e) return e; }
      return o;
    }
    if (o.SubLink) return o; // a subquery's names are its own
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, walk(v)]));
  };
  return walk(q) as N;
}
