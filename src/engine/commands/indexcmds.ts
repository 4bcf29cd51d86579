/**
 * What CREATE INDEX computes beyond plain columns: key expressions (`CREATE UNIQUE INDEX ON t (lower(key))`) and a
 * predicate (`CREATE UNIQUE INDEX ON t (k) WHERE active`, a partial index), compiled once into functions of a heap
 * row (index/btree.ts IndexDef), with the text PostgreSQL prints for them in a 23505 DETAIL ("Key (lower(key))=…").
 *
 * ON CONFLICT's inference (infer_arbiter_indexes) matches an index by the same parts: `ON CONFLICT (lower(key))`
 * needs an index on that expression; a partial index is an arbiter only when the ON CONFLICT names its predicate.
 *
 * CREATE INDEX CONCURRENTLY's waits are here too (concurrentBuildWaits, used by REINDEX CONCURRENTLY as well).
 *
 * Mirrors: src/backend/commands/indexcmds.c (DefineIndex and its CONCURRENTLY phases, WaitForOlderSnapshots,
 * ComputeIndexAttrs, CheckPredicate, ChooseIndexColumnNames),
 * optimizer/util/plancat.c (infer_arbiter_indexes). Simplifications: the planner never picks an expression or a
 * partial index for a scan (a sequential scan reads what it would); the predicate must be written as in the
 * index to imply it (no predicate proving); function volatility is checked for the functions whose definition declares
 * it (FuncDef.volatility: to_char), others pass.
 */
import type { Executor } from '../executor/executor.js';
import { PgError, notSupported } from '../errors.js';
import { intConst } from '../sql/parser.js';
import type { Session } from '../session/session.js';
import { compileExpr, castTo, type Row } from '../sql/expr.js';
import { evalWaiting } from '../executor/exprwait.js';
import { isDeclaredMutableFunction } from '../sql/funcs/registry.js';
import { funcName } from '../optimizer/ruleutils.js';
import { T, typeDisplayName, type Value, type SqlType } from '../sql/types.js';
import type { Table } from '../catalog/catalog.js';
import type { BtreeIndex, IndexDef } from '../index/btree.js';
import { type N, type Gen, collectColumnRefs } from '../executor/util.js';
import { LockMode } from '../lock/lock.js';
import { waitForLockers, waitForOlderSnapshots } from '../lock/lmgr.js';

/** Parse trees compared without their positions. */
export function sameNode(a: unknown, b: unknown): boolean {
  const strip = (x: unknown): unknown => JSON.parse(JSON.stringify(x, (k, v) => (k === 'location' ? undefined : v)));
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

/** pg_get_indexdef's spelling of a (simple) index expression. */
export function deparseIndexExpr(n: N): string {
  if (n.ColumnRef) return (n.ColumnRef.fields as N[]).map((f) => f.String?.sval ?? '*').join('.');
  if (n.FuncCall) return `${(n.FuncCall.funcname as N[]).map((x) => x.String.sval).pop()}(${((n.FuncCall.args ?? []) as N[]).map(deparseIndexExpr).join(', ')})`;
  if (n.A_Const) {
    const c = n.A_Const;
    if (c.isnull) return 'NULL';
    if (c.ival !== undefined) return String(intConst(c) ?? 0); // the statement's own literal (the parse cache lifts them)
    if (c.sval) return `'${String(c.sval.sval).replace(/'/g, "''")}'::text`;
    if (c.boolval) return c.boolval.boolval ? 'true' : 'false';
  }
  if (n.A_Expr && n.A_Expr.kind === 'AEXPR_OP') {
    const op = (n.A_Expr.name as N[]).map((x) => x.String.sval).pop();
    return `(${deparseIndexExpr(n.A_Expr.lexpr)} ${op} ${deparseIndexExpr(n.A_Expr.rexpr)})`;
  }
  throw notSupported('this kind of index expression');
}

/** ChooseIndexColumnNames: a function's name for an expression on it, else "expr". */
export const indexColumnName = (n: N): string => (n.FuncCall ? (n.FuncCall.funcname as N[]).map((x) => x.String.sval).pop() : 'expr');

/** ChooseIndexColumnNames: the key and INCLUDE columns' names, a repeated one numbered (d, d1, d2 …). */
export function chooseIndexColumnNames(names: string[]): string[] {
  const out: string[] = [];
  for (const orig of names) {
    let name = orig;
    for (let i = 1; out.includes(name); i++) name = `${orig}${i}`;
    out.push(name);
  }
  return out;
}

/** CheckMutability: a call of a function declared STABLE or VOLATILE (FuncDef.volatility) is refused, 42P17. */
function checkMutability(n: unknown, what: 'expression' | 'predicate'): void {
  if (!n || typeof n !== 'object') return;
  if (Array.isArray(n)) { for (const x of n) checkMutability(x, what); return; }
  const o = n as N;
  if (o.FuncCall && isDeclaredMutableFunction(funcName(o))) throw new PgError('42P17', `functions in index ${what} must be marked IMMUTABLE`);
  for (const v of Object.values(o)) checkMutability(v, what);
}

/**
 * ComputeIndexAttrs / CheckPredicate: the expressions and the predicate as functions of a row — of their folded
 * form when given (foldIndexConstants); the text and the node kept are the ones written.
 */
export function compileIndexDef(ex: Executor, s: Session, t: Table, exprs: N[], pred: N | undefined, folded?: FoldedIndexDef): IndexDef {
  const snap = () => ex.eng.snapshotFor(s);
  const plain = { ...ex.tableScope(t, null, s, snap, ''), hasSystem: false };
  // what is evaluated row by row: the folded trees, their folded calls being parameters
  const scope = folded ? { ...plain, env: { ...plain.env, params: [...(plain.env.params ?? []), ...folded.params] } } : plain;
  const cols = new Set<number>();
  const refs = (n: N) => {
    const names = new Set<string>();
    collectColumnRefs(n, names);
    for (const nm of names) { const i = t.columns.findIndex((c) => !c.dropped && c.name === nm); if (i >= 0) cols.add(i); }
  };
  const row = (values: Value[]): Row => ({ vals: values, item: null, blk: 0, off: 0, aggs: null });
  const def: IndexDef = { exprs: [], pred: null, cols: [], exprNodes: exprs };
  for (const [k, e] of exprs.entries()) {
    const c = compileExpr(folded?.exprs[k] ?? e, scope);
    checkMutability(e, 'expression');
    refs(e);
    def.exprs.push({ fn: (v) => c.fn(row(v)), text: deparseIndexExpr(e) });
  }
  if (pred) {
    let c = compileExpr(folded?.pred ?? pred, scope);
    if (c.type.name === 'unknown') c = castTo(c, T.bool, false);
    if (c.type.name !== 'bool') throw new PgError('42804', `argument of WHERE must be type boolean, not type ${typeDisplayName(c.type)}`);
    checkMutability(pred, 'predicate');
    refs(pred);
    const fn = c.fn;
    // its text as pg_get_indexdef prints it after WHERE ('' where deparseIndexExpr does not model the shape)
    let text = '';
    try { text = deparseIndexExpr(pred); } catch { /* left empty: pg_get_indexdef refuses it */ }
    def.pred = { fn: (v) => fn(row(v)) === true, text, node: pred };
  }
  def.cols = [...cols];
  return def;
}

/** infer_arbiter_indexes for one unique index: same key parts (columns and expressions), and its predicate named. */
export function arbiterMatches(index: BtreeIndex, cols: number[], exprs: N[], where: N | undefined): boolean {
  if (!index.unique) return false;
  const ownCols = index.columns.filter((c) => c >= 0);
  if ([...ownCols].sort().join() !== [...cols].sort().join()) return false;
  const ownExprs = (index.def?.exprNodes ?? []) as N[];
  if (ownExprs.length !== exprs.length || !exprs.every((e) => ownExprs.some((o) => sameNode(o, e)))) return false;
  if (index.def?.pred) return !!where && sameNode(index.def.pred.node, where);
  return true;
}

/**
 * The phases of a concurrent index build (DefineIndex's CONCURRENTLY path, shared by REINDEX CONCURRENTLY), each
 * in a transaction of its own in PostgreSQL:
 *   1. wait for the transactions writing the table (they could not see the new index: WaitForLockers with
 *      ShareLock, on their virtual transaction ids, so later lockers do not queue behind it);
 *   2. build the index under a snapshot of its own (`build`: what it evaluates — the folded predicate — runs here,
 *      while this backend advertises that snapshot's xmin to others);
 *   3. wait for the writers again; take the reference snapshot of validate_index; release it and wait for every
 *      transaction whose snapshot is as old (WaitForOlderSnapshots(limitXmin)), which could see rows the index lacks.
 * An index without expressions and predicate is "safe" (PROC_IN_SAFE_IC from phase 2 on): the other concurrent
 * builds' WaitForOlderSnapshots do not wait for this backend. Simplification: the index is built once, in phase 2.
 */
export function* concurrentBuildWaits(ex: Executor, s: Session, t: Table, cmd: string,
  opts: { safe: boolean; build?: () => Gen<void> }): Gen<void> {
  yield* waitForLockers(ex, s, t, LockMode.Share, `${cmd} waits for the writers of the table before building`);
  s.inSafeIC = opts.safe;
  try {
    const tx = ex.eng.ensureTx(s);
    const saved = tx.stmtSnapshot;
    tx.stmtSnapshot = ex.eng.latestSnapshot(s); // PushActiveSnapshot(GetTransactionSnapshot()) for the build
    try {
      if (opts.build) yield* opts.build();
    } finally { tx.stmtSnapshot = saved; }
    yield* waitForLockers(ex, s, t, LockMode.Share, `${cmd} waits for the writers of the table before validating`);
    const limitXmin = ex.eng.latestSnapshot(s).xmin; // the reference snapshot's xmin
    yield* waitForOlderSnapshots(ex, s, limitXmin, `${cmd} waits for the transactions holding older snapshots`);
  } finally { s.inSafeIC = false; }
}

/**
 * eval_const_expressions over an index's key expressions and predicate, as ExecPrepareQual / ExecPrepareExprList
 * (and the relcache's RelationGetIndexPredicate) run it before an index build: each function call without column
 * references is called once, here — where it may wait (a function taking an advisory lock) — and the build then
 * evaluates the folded expressions row by row. Returns the trees with each such call replaced by a parameter
 * holding its value (`params`, to compile them with). Mutability is checked first (CheckMutability runs in
 * DefineIndex before any build). Simplification: each call is made once per build; PostgreSQL makes it again in
 * CheckMutability's expression_planner and the relcache (measured: a plain CREATE INDEX calls it 3 times, a
 * CONCURRENTLY one 4 times), and, for a predicate folded to true (never cached), once per later statement on the table.
 */
export function* foldIndexConstants(ex: Executor, s: Session, t: Table, exprs: N[], pred: N | undefined): Gen<FoldedIndexDef> {
  checkMutability(exprs, 'expression');
  checkMutability(pred, 'predicate');
  const snap = () => ex.eng.snapshotFor(s);
  const scope = { ...ex.tableScope(t, null, s, snap, ''), hasSystem: false };
  const base = scope.env.params?.length ?? 0;
  const params: { value: Value; type: SqlType }[] = [];
  const empty: Row = { vals: [], item: null, blk: 0, off: 0, aggs: null };
  function* walk(o: unknown): Gen<void> {
    if (!o || typeof o !== 'object') return;
    if (Array.isArray(o)) { for (const x of o) yield* walk(x); return; }
    const node = o as N;
    const fc = node.FuncCall as N | undefined;
    if (fc && !fc.agg_star && !fc.over && !hasColumnRef(fc) && !JSON.stringify(fc).includes('"SubLink"')) {
      const c = compileExpr(node, scope);
      const value = c.gen ? yield* c.gen(empty) : yield* evalWaiting(s, () => c.fn(empty));
      params.push({ value, type: c.type });
      const location = fc.location;
      delete node.FuncCall;
      node.ParamRef = { number: base + params.length, location };
      return;
    }
    for (const v of Object.values(node)) yield* walk(v);
  }
  const copy = (n: N) => JSON.parse(JSON.stringify(n)) as N;
  const out: FoldedIndexDef = { exprs: exprs.map(copy), pred: pred ? copy(pred) : undefined, params };
  yield* walk(out.exprs);
  if (out.pred) yield* walk(out.pred);
  return out;
}

/** An index's expressions and predicate after foldIndexConstants, with the values of the calls it folded. */
export interface FoldedIndexDef { exprs: N[]; pred: N | undefined; params: { value: Value; type: SqlType }[] }

function hasColumnRef(n: unknown): boolean {
  const names = new Set<string>();
  collectColumnRefs(n, names);
  return names.size > 0;
}

/** pg_index.indoption of each key column: DESC (1), and NULLS FIRST (2) — the default with DESC */
export function indexOptions(n: N): number[] {
  return ((n.indexParams ?? []) as N[]).map((p) => {
    const e = p.IndexElem, desc = e.ordering === 'SORTBY_DESC';
    const nullsFirst = e.nulls_ordering === 'SORTBY_NULLS_FIRST' || (desc && e.nulls_ordering !== 'SORTBY_NULLS_LAST');
    return (desc ? 1 : 0) | (nullsFirst ? 2 : 0);
  });
}
