/**
 * UNION / INTERSECT / EXCEPT [ALL] (PostgreSQL's executor/nodeAppend.c for UNION ALL, nodeSetOp.c for INTERSECT
 * and EXCEPT, a HashAggregate / Unique over an Append for UNION): both inputs run with the statement's snapshot,
 * their columns are resolved to common types (select_common_type), and rows are combined:
 *
 *     SELECT 1 UNION ALL SELECT 1   -> 1, 1        (Append: left's rows, then right's)
 *     SELECT 1 UNION SELECT 1       -> 1           (duplicates removed)
 *     {1,1,2} INTERSECT ALL {1,1,1} -> 1, 1        (each row min(left count, right count) times)
 *     {1,1,2} EXCEPT ALL {1}        -> 1, 2        (each row left count − right count times)
 *
 * ORDER BY, LIMIT and OFFSET written after the last input apply to the combined result; ORDER BY names output
 * columns (by name or position). Without ORDER BY, UNION / INTERSECT / EXCEPT return their rows in the hash
 * table order of PostgreSQL's HashAggregate / HashSetOp (sized as optimizer/prepunion.ts says) when both arms are
 * SELECTs from one table (of columns or expressions, grouped, DISTINCT or with window functions); other shapes
 * keep the first-occurrence order (a simplification: give those an ORDER BY when the order matters). NULLs compare equal, as in PostgreSQL's set operations.
 */
import { PgError, notSupported, posOf } from '../errors.js';
import type { Executor } from './executor.js';
import type { Session } from '../session/session.js';
import { castTo, compareValues, type Compiled, type Row, type Scope } from '../sql/expr.js';
import { selectCommonType } from '../sql/coerce.js';
import { type SqlType, type Value, T, groupKey, isIntegral, typeDisplayName } from '../sql/types.js';
import { intConst } from '../sql/parser.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import type { N, Gen } from './util.js';
import type { Table } from '../catalog/catalog.js';
import { lookupCte } from './nodeCtescan.js';
import { hashFunctionFor } from './nodeHashjoin.js';
import { groupHash, hashTableOrder } from './execGrouping.js';
import { compareKeys } from './nodeSort.js';
import { pgQsort } from './qsort.js';
import { setOpArm, hashedSetOp, unionFolds, type SetOpArm, type HashedSetOp } from '../optimizer/prepunion.js';

export interface QResult { names: string[]; types: SqlType[]; rows: Value[][] }

const OP_NAME: Record<string, string> = { SETOP_UNION: 'UNION', SETOP_INTERSECT: 'INTERSECT', SETOP_EXCEPT: 'EXCEPT' };

/**
 * select_common_type for one output column of a set operation. The column keeps a typmod only when both sides have
 * the same type and typmod (transformSetOperationTree: rescoltypmod is -1 otherwise) — numeric(8,2) UNION 0 is
 * numeric, and varchar(3) UNION 'abcdef' is varchar: the literal is not checked against the length.
 */
function common(a: SqlType, b: SqlType, op: string): SqlType {
  if (a.name === 'unknown' && b.name === 'unknown') return T.text; // both untyped: resolved as text
  if (a.name === b.name && a.typmod === b.typmod) return a;
  const ty = ((): SqlType => {
    if (a.name === b.name || b.name === 'unknown') return a;
    if (a.name === 'unknown') return b;
    if (isIntegral(a) && isIntegral(b)) return a.name === 'int8' || b.name === 'int8' ? T.int8 : T.int4;
    try { return selectCommonType(a, b); } catch {
      throw new PgError('42804', `${op} types ${typeDisplayName(a)} and ${typeDisplayName(b)} cannot be matched`);
    }
  })();
  return ty.typmod < 0 ? ty : { ...ty, typmod: -1 };
}

/** Coerce an arm's untyped literal in output column i to `ty` now (its error, if any, is the statement's). */
function literalCast(arm: N, i: number, ty: SqlType) {
  const val = arm.targetList?.[i]?.ResTarget?.val;
  const text = val?.A_Const?.sval?.sval as string | undefined;
  if (text === undefined || ty.name === 'unknown') return;
  castTo({ fn: () => text, type: T.unknown, name: '', strength: 0 } as unknown as Compiled, ty, false).fn(null as unknown as Row);
}

// equal values share a key whatever their spelling (numeric 3.0 = 3.00: one row of a UNION)
const rowKey = (r: Value[]) => JSON.stringify(r.map(groupKey));

type Sub = { outer: NonNullable<Scope['outer']>; snapshot: () => Snapshot };

/**
 * plan_union_children: the arms of a UNION, with every UNION below it folded in that unionFolds (the same
 * operation and the top's column types), and the top's column types. Each node's types are worked out bottom-up
 * as transformSetOperationTree does (an arm analyzed without rows); the folding then compares each UNION below
 * with the top. (t1 UNION t2) UNION t3 is one HashAggregate over an Append of three arms; with t3 of another type
 * (int UNION int UNION bigint) the inner UNION is planned apart, as one arm.
 */
function* unionArms(ex: Executor, s: Session, top: N, sql: string, sub: Sub | undefined): Gen<{ arms: N[]; types: SqlType[] }> {
  const op = OP_NAME[top.op as string]!;
  const typesOf = new Map<N, SqlType[]>();
  const analyze = function* (x: N): Gen<SqlType[]> {
    const t = x.op === 'SETOP_UNION' ? resolveTypes(op, x, yield* analyze(x.larg), yield* analyze(x.rarg)) : yield* armTypes(ex, s, x, sql, sub);
    typesOf.set(x, t);
    return t;
  };
  const types = yield* analyze(top);
  const arms: N[] = [];
  const collect = (x: N): void => {
    if (x === top || (unionFolds(x, top) && sameTypes(typesOf.get(x)!, types))) { collect(x.larg); collect(x.rarg); } else arms.push(x);
  };
  collect(top);
  return { arms, types };
}
const sameTypes = (a: SqlType[], b: SqlType[]) => a.length === b.length && a.every((t, i) => t.name === b[i]!.name && t.typmod === b[i]!.typmod);
function* armTypes(ex: Executor, s: Session, x: N, sql: string, sub: Sub | undefined): Gen<SqlType[]> {
  s.noRows++;
  try { return (yield* ex.query(s, x, sql, false, sub, true)).types; } finally { s.noRows--; }
}

/** An arm's rows with each column cast to the set operation's type where it differs. */
function castRows(q: QResult, types: SqlType[]): Value[][] {
  const casts = q.types.map((t, i) => (t.name === types[i]!.name ? null : castTo({ fn: (row: Row) => row.vals[i]!, type: t, name: '', strength: 0 } as Compiled, types[i]!, false)));
  if (casts.every((c) => c === null)) return q.rows;
  const row: Row = { vals: [], item: null, blk: 0, off: 0, aggs: null };
  return q.rows.map((v) => { row.vals = v; return v.map((x, i) => (casts[i] ? casts[i]!.fn(row) : x)); });
}

/** transformSetOperationTree's column types of x (larg op rarg): select_common_type column by column. */
function resolveTypes(op: string, n: N, l: SqlType[], r: SqlType[]): SqlType[] {
  if (l.length !== r.length) {
    throw new PgError('42601', `each ${op} query must have the same number of columns`, { position: posOf(n.rarg.targetList?.[0]?.ResTarget?.location) });
  }
  // column by column: the common type, then each arm's untyped literal coerced to it at once (its input error first)
  return l.map((t, i) => {
    const ty = common(t, r[i]!, op);
    if (t.name === 'unknown') literalCast(n.larg, i, ty);
    if (r[i]!.name === 'unknown') literalCast(n.rarg, i, ty);
    return ty;
  });
}

export function* setOpQuery(ex: Executor, s: Session, n: N, sql: string, sub?: Sub): Gen<QResult> {
  const op = OP_NAME[n.op as string]!;
  if (n.op === 'SETOP_UNION' && !n.all && !s.noRows && (unionFolds(n.larg, n) || unionFolds(n.rarg, n))) {
    // a UNION of three or more arms is one HashAggregate over all of them (when the arms fold)
    const { arms, types } = yield* unionArms(ex, s, n, sql, sub);
    if (arms.length > 2) return yield* unionOfArms(ex, s, n, arms, types, sql, sub);
  }
  if (n.lockingClause?.length) throw new PgError('0A000', `FOR UPDATE is not allowed with UNION/INTERSECT/EXCEPT`);
  // an untyped literal ('5', NULL) in an arm's select list stays unknown until select_common_type has seen the other
  // arm: it takes that arm's type (SELECT 1.5 UNION SELECT '2' is numeric; 'x' there fails numeric's input, 22P02)
  // column by column, as transformSetOperationTree does: the common type, then each arm's untyped literal coerced to
  // it at once — the input function runs at parse time, so 'x' against numeric fails even when no row comes back
  const resolve = (l: QResult, r: QResult) => resolveTypes(op, n, l.types, r.types);
  // the whole statement is analyzed before any arm runs: a type mismatch is reported before an arm's runtime error
  if (!s.noRows) {
    s.noRows++;
    try { resolve(yield* ex.query(s, n.larg, sql, false, sub, true), yield* ex.query(s, n.rarg, sql, false, sub, true)); } finally { s.noRows--; }
  }
  const l = yield* ex.query(s, n.larg, sql, false, sub, true);
  const r = yield* ex.query(s, n.rarg, sql, false, sub, true);
  const types = resolve(l, r);
  const left = castRows(l, types), right = castRows(r, types);
  let rows: Value[][];
  const hashed = n.op === 'SETOP_UNION' && n.all ? null : hashedPlan(ex, s, n, types);
  if (hashed) rows = hashedRows(n.op, !!n.all, hashed.first === 'left' ? left : right, hashed.first === 'left' ? right : left, hashed.fns, hashed.expected, hashed.sorted);
  else if (n.op === 'SETOP_UNION') {
    rows = left.concat(right);
    if (!n.all) {
      const seen = new Set<string>();
      rows = rows.filter((x) => { const k = rowKey(x); if (seen.has(k)) return false; seen.add(k); return true; });
    }
  } else {
    const counts = new Map<string, number>();
    for (const x of right) { const k = rowKey(x); counts.set(k, (counts.get(k) ?? 0) + 1); }
    const seen = new Set<string>();
    rows = [];
    for (const x of left) {
      const k = rowKey(x);
      const c = counts.get(k) ?? 0;
      if (n.op === 'SETOP_INTERSECT') {
        if (n.all) { if (c > 0) { rows.push(x); counts.set(k, c - 1); } } else if (c > 0 && !seen.has(k)) { seen.add(k); rows.push(x); }
      } else if (n.all) { if (c > 0) counts.set(k, c - 1); else rows.push(x); } else if (c === 0 && !seen.has(k)) { seen.add(k); rows.push(x); }
    }
  }
  rows = sortLimit(ex, n, l.names, rows);
  return { names: l.names, types, rows };
}

/**
 * UNION over three or more folded arms (generate_union_paths): the arms' rows appended, then one HashAggregate
 * sized for all their rows (or Sort + Unique for tiny inputs), in hash table order; the arms' untyped literals
 * take the common type first. The first arm names the columns.
 */
function* unionOfArms(ex: Executor, s: Session, n: N, arms: N[], types: SqlType[], sql: string, sub: Sub | undefined): Gen<QResult> {
  const results: QResult[] = [];
  for (const a of arms) results.push(yield* ex.query(s, a, sql, false, sub, true));
  const rows = results.flatMap((q) => castRows(q, types));
  const table = plainTableOf(ex, s);
  const fns = types.map((t) => hashFunctionFor(t.name));
  const sized = arms.map((a) => setOpArm(a, table));
  let out: Value[][];
  if (fns.every((f) => f) && sized.every((a) => a)) {
    const input = sized.reduce((acc, a) => acc + a!.rows, 0);
    const plan = hashedSetOp('SETOP_UNION', { ...sized[0]!, rows: input }, { ...sized[0]!, rows: 0 }, types.length);
    out = hashedRows('SETOP_UNION', false, rows, [], fns as ((v: Value) => number)[], plan.expected, plan.sorted);
  } else {
    const seen = new Set<string>();
    out = rows.filter((x) => { const k = rowKey(x); if (seen.has(k)) return false; seen.add(k); return true; });
  }
  return { names: results[0]!.names, types, rows: sortLimit(ex, n, results[0]!.names, out) };
}

/** A set operation arm's FROM item as a plain table: null for a view, a WITH query, a system relation. */
export const plainTableOf = (ex: Executor, s: Session) => (rv: N): Table | null => {
  if (rv.schemaname && rv.schemaname !== 'public') return null;
  if (/^pg_/.test(rv.relname) || lookupCte(s, rv.relname) || ex.eng.catalog.view(rv.relname, rv.schemaname)) return null;
  try { return ex.table(rv); } catch { return null; }
};

/**
 * The hashed plan of UNION / INTERSECT / EXCEPT over two arms the planner can size (optimizer/prepunion.ts), or
 * null (then the rows keep their first-occurrence order).
 */
type HashedPlan = HashedSetOp & { fns: ((v: Value) => number)[]; left: SetOpArm; right: SetOpArm };
export function hashedPlan(ex: Executor, s: Session, n: N, types: SqlType[]): HashedPlan | null {
  const table = plainTableOf(ex, s);
  const fns = types.map((t) => hashFunctionFor(t.name));
  if (fns.some((f) => !f)) return null;
  const l = setOpArm(n.larg, table), r = setOpArm(n.rarg, table);
  if (!l || !r) return null;
  return { ...hashedSetOp(n.op, l, r, types.length), fns: fns as ((v: Value) => number)[], left: l, right: r };
}

/**
 * A HashAggregate (UNION) or HashSetOp (INTERSECT / EXCEPT) over the arms read in this order: the first arm's rows
 * make the groups (UNION: the second's too; else they only count into existing ones), and the groups come out in
 * hash table order (executor/execGrouping.ts), each as often as the operation says.
 */
function hashedRows(op: string, all: boolean, first: Value[][], second: Value[][], fns: ((v: Value) => number)[], expected: number,
  sorted = false): Value[][] {
  const groups = new Map<string, { rep: Value[]; c1: number; c2: number }>();
  const list: { rep: Value[]; c1: number; c2: number }[] = [];
  // UNION's HashAggregate inserts every row of both arms (a row finding its group still runs the grow check);
  // HashSetOp only looks the second arm's rows up (SH_LOOKUP: no grow check)
  const foundAfter: boolean[] = [];
  const add = (x: Value[], isFirst: boolean) => {
    const k = rowKey(x);
    let g = groups.get(k);
    if (!g) {
      if (!isFirst && op !== 'SETOP_UNION') return;
      g = { rep: x, c1: 0, c2: 0 };
      groups.set(k, g); list.push(g);
    } else if (isFirst || op === 'SETOP_UNION') foundAfter[list.length - 1] = true;
    if (isFirst) g.c1++; else g.c2++;
  };
  for (const x of first) add(x, true);
  for (const x of second) add(x, false);
  // Sort + Unique / a sorted SetOp (choose_hashed_setop, tiny inputs): the groups in key order, NULLs last
  const keys = fns.map(() => ({ desc: false, nullsFirst: false }));
  const order = sorted ? pgQsort(list.map((_, i) => i), (a, b) => compareKeys(keys, list[a]!.rep, list[b]!.rep))
    : hashTableOrder(list.map((g) => groupHash(g.rep, fns)), expected, foundAfter);
  const out: Value[][] = [];
  for (const i of order) {
    const g = list[i]!;
    const times = op === 'SETOP_UNION' ? 1
      : op === 'SETOP_INTERSECT' ? (all ? Math.min(g.c1, g.c2) : g.c1 > 0 && g.c2 > 0 ? 1 : 0)
        : all ? Math.max(g.c1 - g.c2, 0) : g.c2 === 0 ? 1 : 0;
    for (let j = 0; j < times; j++) out.push(g.rep);
  }
  return out;
}

/** ORDER BY (output columns by name or position), OFFSET and LIMIT over a materialized result. */
export function sortLimit(ex: Executor, n: N, names: string[], rows: Value[][]): Value[][] {
  const keys: { i: number; desc: boolean; nullsFirst: boolean }[] = [];
  for (const sb of (n.sortClause ?? []) as N[]) {
    const x = sb.SortBy;
    const k = x.node;
    let i: number;
    if (k.A_Const && !k.A_Const.sval && !k.A_Const.fval) {
      const pos = intConst(k.A_Const) ?? 0;
      if (pos < 1 || pos > names.length) throw new PgError('42P10', `ORDER BY position ${pos} is not in select list`, { position: posOf(k.A_Const.location) });
      i = pos - 1;
    } else if (k.ColumnRef?.fields?.length === 1 && k.ColumnRef.fields[0].String) {
      const nm = k.ColumnRef.fields[0].String.sval;
      i = names.indexOf(nm);
      if (i < 0) {
        // errorMissingColumn: a later arm's column of that name is named in the hint ("*SELECT* 2")
        const arm = armColumnNames(n).findIndex((ns, j) => j > 0 && ns.includes(nm));
        throw new PgError('42703', `column "${nm}" does not exist`, {
          position: posOf(k.ColumnRef.location),
          ...(arm > 0 ? { hint: `There is a column named "${nm}" in table "*SELECT* ${arm + 1}", but it cannot be referenced from this part of the query.` } : {}),
        });
      }
    } else if (k.ColumnRef?.fields?.length === 2 && k.ColumnRef.fields[0].String) {
      // a qualified name: the set operation's result has no FROM items to qualify with
      throw new PgError('42P01', `missing FROM-clause entry for table "${k.ColumnRef.fields[0].String.sval}"`, { position: posOf(k.ColumnRef.location) });
    } else throw new PgError('0A000', 'invalid UNION/INTERSECT/EXCEPT ORDER BY clause', { detail: 'Only result column names can be used, not expressions or functions.', hint: 'Add the expression/function to every SELECT, or move the UNION into a FROM clause.' });
    const desc = x.sortby_dir === 'SORTBY_DESC';
    keys.push({ i, desc, nullsFirst: x.sortby_nulls === 'SORTBY_NULLS_FIRST' ? true : x.sortby_nulls === 'SORTBY_NULLS_LAST' ? false : desc });
  }
  if (keys.length) {
    rows = rows.slice().sort((a, b) => {
      for (const k of keys) {
        const x = a[k.i]!, y = b[k.i]!;
        if (x === null || y === null) { if (x === y) continue; return (x === null) === k.nullsFirst ? -1 : 1; }
        const c = compareValues(x, y);
        if (c !== 0) return k.desc ? -c : c;
      }
      return 0;
    });
  }
  const scope: Scope = { relName: null, alias: null, columns: [], hasSystem: false, env: null as unknown as Scope['env'], sql: '' };
  const offset = (n.limitOffset ? ex.constInt(n.limitOffset, scope, 'OFFSET') : 0) ?? 0;
  const limit = n.limitCount ? ex.constInt(n.limitCount, scope, 'LIMIT') : null;
  if (n.limitOption === 'LIMIT_OPTION_WITH_TIES') throw notSupported('FETCH ... WITH TIES');
  return rows.slice(offset, limit === null ? undefined : offset + limit);
}

/** The column names each arm of a set operation gives (its aliases and plain column references), arms in order. */
function armColumnNames(n: N): string[][] {
  if (n.op && n.op !== 'SETOP_NONE' && n.larg) return [...armColumnNames(n.larg), ...armColumnNames(n.rarg)];
  return [((n.targetList ?? []) as N[]).map((t) => {
    const rt = t.ResTarget;
    const f = rt?.val?.ColumnRef?.fields as N[] | undefined;
    return (rt?.name as string | undefined) ?? (f?.[f.length - 1]?.String?.sval as string | undefined) ?? '?column?';
  })];
}
