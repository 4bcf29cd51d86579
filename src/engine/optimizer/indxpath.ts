/**
 * Index paths (PostgreSQL's optimizer/path/indxpath.c): which WHERE conditions an index can answer.
 *
 * A B-tree answers `col op constant` for a single-column index on `col`. Two shapes matter on the small tables a
 * learner builds:
 *
 *     WHERE k = 2                 -- an equality: an Index Scan (unique index) looks up one key
 *     WHERE k >= 2 / BETWEEN / IN -- a range on an integer column: a Bitmap Index Scan collects the TIDs, sorted
 *
 * Each probe returns the index, what it found, and the conjunct it used (`cond`): EXPLAIN prints that conjunct as
 * "Index Cond:" and the remaining ones as "Filter:". Simplifications: single-column indexes, constants only (no
 * parameters, no expressions folded except integer arithmetic on constants), no LIKE, no BitmapAnd; OR (BitmapOr)
 * only when every arm is a range or equality on an integer index column, or IS NULL.
 */
import { plannerIndexes, plannerHashIndexes } from '../catalog/catalogsnapshot.js';
import { intConst } from '../sql/parser.js';
import { compileExpr, castTo, type Scope, type Row } from '../sql/expr.js';
import { type SqlType, type Value, isStringLike } from '../sql/types.js';
import { commutator } from '../sql/operators.js';
import type { Table } from '../catalog/catalog.js';
import type { BtreeIndex } from '../index/btree.js';

type N = Record<string, any>;

export interface IndexProbe { index: BtreeIndex; key: string | number; cond: N }
export interface BitmapProbe {
  index: BtreeIndex; tids: number[]; cond: N; or?: { index: BtreeIndex; cond: N; tids?: number[] }[];
  /** every conjunct the index answers, in WHERE order, when more than `cond` */
  quals?: N[];
}

/**
 * The TIDs a Bitmap Index Scan would give for `col op constant` conjuncts on a single-column index over an integer
 * column (sorted, as the bitmap hands them to the heap scan), or null when WHERE has no such condition.
 */
export function bitmapProbe(t: Table, whereNode: N | undefined): BitmapProbe | null {
  if (!whereNode || plannerIndexes(t).length === 0) return null;
  const conj: N[] = whereNode.BoolExpr?.boolop === 'AND_EXPR' ? whereNode.BoolExpr.args : [whereNode];
  const arm = indexArm(t);
  // (already in ascending order, no duplicates: as it is — an integer index's entries usually come so)
  const sorted = (tids: number[]) => {
    for (let i = 1; i < tids.length; i++) if (!(tids[i - 1]! < tids[i]!)) return [...new Set(tids)].sort((a, b) => a - b);
    return tids;
  };
  for (const c of conj) {
    if (c.BoolExpr?.boolop === 'OR_EXPR') {
      // BitmapOr: every arm answered by an index, the TIDs united
      const arms = (c.BoolExpr.args as N[]).map((a) => ({ a, r: arm(a, true) }));
      if (arms.some((x) => x.r === 'abort')) return null;
      if (arms.some((x) => x.r === null)) continue;
      const ok = arms as { a: N; r: { index: BtreeIndex; tids: number[] } }[];
      const or = ok.map((x) => ({ index: x.r.index, cond: x.a, tids: x.r.tids }));
      return { index: ok[0]!.r.index, tids: sorted(ok.flatMap((x) => x.r.tids)), cond: c, or };
    }
    const r = arm(c, false);
    if (r === 'abort') return null;
    if (!r) continue;
    // every later conjunct on the same index column joins the Index Cond (indxpath.c match_clauses_to_index):
    // `a > 10 AND a < 50` is one index range, the TIDs both keep
    const quals = [c];
    let tids: number[] | Set<number> = r.tids;
    for (const d of conj.slice(conj.indexOf(c) + 1)) {
      if (d.BoolExpr?.boolop === 'OR_EXPR') continue;
      const more = arm(d, false);
      if (more === 'abort') return null;
      if (!more || more.index !== r.index) continue;
      quals.push(d);
      const keep = new Set(more.tids);
      tids = new Set([...tids].filter((x) => keep.has(x)));
    }
    return { index: r.index, tids: sorted(tids instanceof Set ? [...tids] : tids), cond: c, ...(quals.length > 1 ? { quals } : {}) };
  }
  return null;
}

/**
 * The conjuncts of WHERE an index on one column answers, in WHERE order (indxpath.c match_clauses_to_index): an
 * equality's Index Scan carries a range on the same column as Index Cond too (`a < 10 AND a = 3`).
 */
export function indexQuals(t: Table, whereNode: N | undefined, index: BtreeIndex, eq: N): N[] {
  const conj: N[] = !whereNode ? [] : whereNode.BoolExpr?.boolop === 'AND_EXPR' ? whereNode.BoolExpr.args : [whereNode];
  const arm = indexArm(t, false);
  return conj.filter((c) => {
    if (c === eq) return true;
    if (c.BoolExpr?.boolop === 'OR_EXPR') return false;
    const r = arm(c, true);
    return r !== null && r !== 'abort' && r.index === index;
  });
}

/**
 * One condition a single Bitmap Index Scan answers: its index and TIDs (without wantTids: none listed); null: none;
 * 'abort': leave it to a seq scan.
 */
function indexArm(t: Table, wantTids = true): (c: N, inOr: boolean) => { index: BtreeIndex; tids: number[] } | null | 'abort' {
  const intConstOf = (x: N | undefined): number | null => {
    const c = x?.A_Const;
    if (!c || c.isnull || c.ival === undefined && !('ival' in c)) return null;
    const v = intConst(c);
    return typeof v === 'number' ? v : null;
  };
  const colOf = (x: N | undefined): number => {
    const f = x?.ColumnRef?.fields;
    if (!f || f.length !== 1 || !f[0].String) return -1;
    const i = t.columns.findIndex((c) => c.name === f[0].String.sval);
    return i >= 0 && ['int2', 'int4', 'int8'].includes(t.columns[i]!.type.name) ? i : -1;
  };
  const BTREE_OPS = new Set(['<', '<=', '=', '>=', '>']);
  const NEGATE: Record<string, string> = { '<': '>=', '<=': '>', '>': '<=', '>=': '<' };
  return (c: N, inOr: boolean): { index: BtreeIndex; tids: number[] } | null | 'abort' => {
    if (c.NullTest?.nulltesttype === 'IS_NULL') {
      const f = c.NullTest.arg?.ColumnRef?.fields;
      if (!f || f.length !== 1 || !f[0].String) return null;
      const col = t.columns.findIndex((x) => x.name === f[0].String.sval);
      const index = plannerIndexes(t).find((i) => !i.def && i.columns.length === 1 && i.columns[0] === col);
      return index ? { index, tids: index.nullEntries.map((e) => e.tid) } : null;
    }
    let negated = false;
    if (c.BoolExpr?.boolop === 'NOT_EXPR' && c.BoolExpr.args.length === 1) { c = c.BoolExpr.args[0]; negated = true; }
    const e = c.A_Expr;
    if (!e || e.name?.length !== 1) return null;
    let op = e.name[0]?.String?.sval as string;
    if (negated) { if (e.kind !== 'AEXPR_OP' || !(op in NEGATE)) return null; op = NEGATE[op]!; }
    let col = -1;
    let match: (k: number) => boolean;
    if (e.kind === 'AEXPR_OP' && BTREE_OPS.has(op) && (op !== '=' || inOr)) {
      let o = op, v = intConstOf(e.rexpr);
      col = colOf(e.lexpr);
      if (col < 0 || v === null) { col = colOf(e.rexpr); v = intConstOf(e.lexpr); o = commutator(op)!; }
      if (col < 0 || v === null) return null;
      const x = v;
      match = o === '<' ? (k) => k < x : o === '<=' ? (k) => k <= x : o === '>' ? (k) => k > x : o === '=' ? (k) => k === x : (k) => k >= x;
    } else if (e.kind === 'AEXPR_BETWEEN' && op === 'BETWEEN' && !negated) {
      col = colOf(e.lexpr);
      const items = e.rexpr?.List?.items as N[] | undefined;
      const lo = intConstOf(items?.[0]), hi = intConstOf(items?.[1]);
      if (col < 0 || lo === null || hi === null) return null;
      match = (k) => k >= lo && k <= hi;
    } else if (e.kind === 'AEXPR_IN' && op === '=' && !negated) {
      col = colOf(e.lexpr);
      const vals = ((e.rexpr?.List?.items ?? []) as N[]).map(intConstOf);
      if (col < 0 || !vals.length || vals.some((v) => v === null)) return null;
      const set = new Set(vals as number[]);
      match = (k) => set.has(k);
    } else return null;
    const index = plannerIndexes(t).find((i) => !i.def && i.columns.length === 1 && i.columns[0] === col);
    if (!index) return null;
    // only which index answers it (indexQuals): no walk over its entries unless a key may be an int8 kept as text
    if (!wantTids && index.entries.onlySmallInts) return { index, tids: [] };
    const tids: number[] = [];
    let abort = false;
    index.entries.each((k, v) => {
      if (typeof k !== 'number') { abort = true; return false; } // an int8 key beyond 2^53 (kept as text): leave it to a seq scan
      if (!match(k)) return;
      if (typeof v === 'number') tids.push(v); else for (const x of v) tids.push(x);
    });
    return abort ? 'abort' : { index, tids };
  };
}

/**
 * `col = constant` (a top-level AND conjunct) on a single-column index, compared in the column's own type family: the
 * key to look up, or null. With statistics a table too small for an index (cost below ~8.3 pages) gets none,
 * unless enable_seqscan is off.
 */
export function indexProbe(t: Table, whereNode: N | undefined, scope: Scope, seqscanDisabled = false): IndexProbe | null {
  // the B-trees first, then the hash indexes (equality is all a hash index answers)
  const indexes = [...plannerIndexes(t), ...plannerHashIndexes(t)];
  if (!whereNode || indexes.length === 0) return null;
  // enable_seqscan = off adds disable_cost (1e10) to the sequential scan: any index path is cheaper
  if (t.stats && !seqscanDisabled) {
    // With statistics the planner knows the table is small and prefers a sequential scan (cost: pages +
    // 0.0125 per tuple) over an index scan (~8.3: a random index page + a random heap page). Without them it
    // assumes 10 pages for a never-vacuumed table and takes the index.
    const pages = t.heap.pages.length;
    const tuples = (t.stats.reltuples / Math.max(1, t.stats.relpages)) * pages;
    if (pages + 0.0125 * tuples < 8.3) return null;
  }
  const conj: N[] = whereNode.BoolExpr?.boolop === 'AND_EXPR' ? whereNode.BoolExpr.args : [whereNode];
  for (const c of conj) {
    const e = c.A_Expr;
    if (!e || e.kind !== 'AEXPR_OP' || e.name?.[0]?.String?.sval !== '=' || e.name.length !== 1) continue;
    for (const [colSide, constSide] of [[e.lexpr, e.rexpr], [e.rexpr, e.lexpr]] as [N, N][]) {
      const fields = colSide?.ColumnRef?.fields;
      if (!fields || fields.length !== 1 || !fields[0].String) continue;
      const colIdx = t.columns.findIndex((col) => col.name === fields[0].String.sval);
      if (colIdx < 0) continue;
      const index = indexes.find((i) => !i.def && i.columns.length === 1 && i.columns[0] === colIdx);
      if (!index) continue;
      // a constant, or an expression of constants (eval_const_expressions folds `2 + 1`)
      // (a parameter of EXECUTE or of an RI trigger's query is a constant by now: a custom plan uses its value)
      // or a literal cast to a type ('\x01'::bytea: a Const of that type once parse analysis ran the input function)
      const castLiteral = !!constSide?.TypeCast?.arg?.A_Const && !constSide.TypeCast.arg.A_Const.isnull;
      if (!constSide || (!castLiteral && (constSide.A_Const ? constSide.A_Const.isnull : constSide.ParamRef ? !scope.env.params?.[constSide.ParamRef.number - 1] : /"(ColumnRef|FuncCall|SubLink|ParamRef)"/.test(JSON.stringify(constSide)) || !constSide.A_Expr))) continue;
      const colType = t.columns[colIdx]!.type;
      const k = compileExpr(constSide, { ...scope, aggs: undefined });
      // only when comparing in the column's own type (no cross-type semantics to reproduce)
      // bpchar compares ignoring trailing blanks, text and varchar do not: probe only within one of the two semantics
      const blankPadded = (t: SqlType) => t.name === 'bpchar';
      const isBit = (t: SqlType) => t.name === 'bit' || t.name === 'varbit';
      const sameFamily = (k.type.name === 'unknown') || (['int2', 'int4', 'int8'].includes(k.type.name) && ['int2', 'int4', 'int8'].includes(colType.name)) ||
        (isStringLike(k.type) && isStringLike(colType) && (blankPadded(colType) ? k.type.name !== 'text' : !blankPadded(k.type)))
        || (isBit(k.type) && isBit(colType))
        || (castLiteral && k.type.name === colType.name && !k.type.elem);
      if (!sameFamily) continue;
      let v: Value;
      // a bit string is compared as it is (bitcmp), whatever the column's length
      try { v = castTo(k, isBit(colType) ? { ...colType, typmod: -1 } : colType, false).fn(null as unknown as Row); } catch { continue; }
      if (v === null) continue;
      const vals: Value[] = [];
      vals[colIdx] = v;
      const key = index.keyOf(vals);
      if (key === null) continue;
      return { index, key, cond: c };
    }
  }
  return null;
}
