/**
 * EXPLAIN of UPDATE, DELETE and INSERT (explain.c's ModifyTable: "Update on t" over its scan, "Insert on t" over
 * a Result or a Values Scan), with ModifyTable's costs (what its subplan costs, zero rows out) and, under
 * ANALYZE, the statement run and its rows counted. UPDATE ... FROM / DELETE ... USING print ModifyTable over the
 * join the executor plans (explainjoin.ts).
 *
 * Simplifications, refused with 0A000: RETURNING's costs, SET expressions other than constants, columns and
 * integer + - *, index scans other than one key of a small unique index, INSERT ... SELECT, ON CONFLICT,
 * costs and ANALYZE of UPDATE ... FROM / DELETE ... USING.
 */
import { notSupported } from '../errors.js';
import type { Executor } from '../executor/executor.js';
import type { Session, QueryResult } from '../session/session.js';
import type { RawStmt } from '../sql/parser.js';
import type { Scope } from '../sql/expr.js';
import { LockMode } from '../lock/lock.js';
import { newScanInstr, type ScanInstr } from '../executor/instrument.js';
import { chooseScan, type ScanPath, unqualifyOwn } from '../optimizer/planner.js';
import { costSeqScan, costIndexScanUniqueEq, costResult, CPU_OPERATOR_COST, CPU_TUPLE_COST } from '../optimizer/costsize.js';
import { estimateRelSize, clampRowEst, typeWidth } from '../optimizer/plancat.js';
import { whereSelectivity } from '../optimizer/clausesel.js';
import { Deparser, opName } from '../optimizer/ruleutils.js';
import type { N, Gen } from '../executor/util.js';
import type { Table } from '../catalog/catalog.js';
import { insertLocksIndexes } from '../executor/nodeModifyTable.js';
import { mergeJoinTree } from '../executor/nodeMerge.js';
import { expandsInheritance } from '../optimizer/inherit.js';
import { hasInheritanceChildren } from '../catalog/pg_inherits.js';
import { type PlanNode, node, type Options, relTarget, noCosts, intConstOrNull } from './plannodes.js';
import { scanNode, fillScan } from './explainscan.js';
import { modifyOutputs, insertOutputs, mergeOutputs } from './explainverbose.js';
import { joinNode, refuseIndexOnlyInJoin } from './explainjoin.js';
import { foldSelectQuals, constantScope, noSnapshot } from '../optimizer/constfold.js';

/** ModifyTable: "Update on t" in text; Node Type ModifyTable, its Operation and target elsewhere */
const modifyNode = (operation: string, t: Table, alias: string | null, child: PlanNode) => node('ModifyTable', [], [child], { operation, target: relTarget(t, alias) });

/**
 * EXPLAIN (COSTS OFF) of UPDATE ... FROM / DELETE ... USING: ModifyTable over the join the executor plans
 * (from.ts joinSource with the target first, as nodeModifyUpdate.ts runs it). Its costs and ANALYZE are refused.
 */
function* explainJoinedModify(ex: Executor, s: Session, type: string, n: N, raw: RawStmt, o: Options, t: Table, alias: string | null): Gen<PlanNode> {
  const what = type === 'UpdateStmt' ? 'UPDATE ... FROM' : 'DELETE ... USING';
  if (o.analyze) throw notSupported(`EXPLAIN ANALYZE of ${what}`);
  if (o.costs) throw noCosts(what);
  const extra = (type === 'UpdateStmt' ? n.fromClause : n.usingClause) as N[];
  if (n.withClause || extra.some((f) => !f.RangeVar)) throw notSupported(`EXPLAIN of ${what} with other than plain tables`);
  yield* ex.lockRelation(s, t, LockMode.RowExclusive);
  const snapshot = ex.eng.snapshotFor(s);
  const item = { RangeVar: n.relation };
  const src = ex.source(s, [item, ...extra], () => snapshot, raw.text, undefined, { where: n.whereClause, target: { item, rows: () => [] } });
  ex.compileWhere(n.whereClause, src.scope); // the errors PostgreSQL's parse analysis reports
  refuseIndexOnlyInJoin(src.joinPlan!, n, new Deparser(src.scope, true), alias ?? t.name);
  const top = joinNode(ex, s, src.joinPlan!, new Deparser(src.scope, true), raw.text);
  return modifyNode(type === 'UpdateStmt' ? 'Update' : 'Delete', t, alias, top);
}

/**
 * EXPLAIN (COSTS OFF) of MERGE: "Merge on t" over the join nodeMerge.ts runs (the target RIGHT JOIN the source, or
 * an inner join without WHEN NOT MATCHED). A source other than a plain table, costs and ANALYZE are refused.
 */
export function* explainMerge(ex: Executor, s: Session, n: N, raw: RawStmt, o: Options): Gen<PlanNode> {
  if (o.analyze) throw notSupported('EXPLAIN ANALYZE of MERGE');
  if (o.costs) throw noCosts('MERGE');
  const t = ex.table(n.relation);
  if (t.partKey) throw notSupported('EXPLAIN of MERGE into a partitioned table');
  if (n.withClause || !n.sourceRelation?.RangeVar) throw notSupported('EXPLAIN of MERGE with other than a plain table as its source');
  yield* ex.lockRelation(s, t, LockMode.RowExclusive);
  const snapshot = ex.eng.snapshotFor(s);
  const { targetItem, joinItem } = mergeJoinTree(n);
  const src = ex.source(s, [joinItem], () => snapshot, raw.text, undefined, { target: { item: targetItem, rows: () => [] } });
  for (const jt of src.tables ?? []) if (jt !== t) yield* ex.lockRelation(s, jt, LockMode.AccessShare);
  refuseIndexOnlyInJoin(src.joinPlan!, n, new Deparser(src.scope, true), n.relation.alias?.aliasname ?? t.name);
  const top = joinNode(ex, s, src.joinPlan!, new Deparser(src.scope, true), raw.text, false, o.verbose);
  const mt = modifyNode('Merge', t, n.relation.alias?.aliasname ?? null, top);
  if (o.verbose) {
    const sr = n.sourceRelation.RangeVar as N;
    const sname = sr.alias?.aliasname ?? sr.relname, st = ex.table(sr);
    mergeOutputs(mt, top, n, t, n.relation.alias?.aliasname ?? t.name, sname, st.columns.filter((c) => !c.dropped).map((c) => c.name));
  }
  return mt;
}

export function* explainUpdateDelete(ex: Executor, s: Session, type: string, n: N, raw: RawStmt, o: Options): Gen<PlanNode> {
  const t = ex.table(n.relation);
  if (t.partKey) throw notSupported(`EXPLAIN of ${type === 'UpdateStmt' ? 'UPDATE' : 'DELETE'} on a partitioned table (an Append of result relations)`);
  if (expandsInheritance(ex.eng.catalog, t, n.relation.inh === true)) throw notSupported(`EXPLAIN of ${type === 'UpdateStmt' ? 'UPDATE' : 'DELETE'} on an inheritance parent (an Append of result relations)`);
  const alias = n.relation.alias?.aliasname ?? null;
  if (n.fromClause?.length || n.usingClause?.length) return yield* explainJoinedModify(ex, s, type, n, raw, o, t, alias);
  const returning = !!n.returningList?.length;
  let instr: ScanInstr | null = null;
  let result: QueryResult | null = null;
  let scope: Scope;
  let path: ScanPath;
  if (o.analyze) {
    instr = newScanInstr();
    ex.scanInstr = instr;
    try { result = yield* ex.run(s, type, n, raw); } finally { ex.scanInstr = null; }
    scope = ex.tableScope(t, alias, s, () => ex.eng.snapshotFor(s), raw.text);
    n = foldSelectQuals(n, constantScope(ex.env(s, noSnapshot), raw.text)); // as the executor planned it (optimizer/constfold.ts)
    path = instr.path ?? chooseScan(t, n.whereClause, scope);
  } else {
    yield* ex.lockRelation(s, t, LockMode.RowExclusive);
    const snapshot = ex.eng.snapshotFor(s);
    scope = ex.tableScope(t, alias, s, () => snapshot, raw.text);
    ex.compileWhere(n.whereClause, scope); // the errors PostgreSQL's parse analysis reports
    n = foldSelectQuals(n, constantScope(ex.env(s, noSnapshot), raw.text)); // WHERE's constants folded (optimizer/constfold.ts)
    path = chooseScan(t, n.whereClause, scope);
  }
  const d = new Deparser(scope, o.verbose);
  const sc = scanNode(path, t, alias, unqualifyOwn(n.whereClause, scope), d);
  const mt = modifyNode(type === 'UpdateStmt' ? 'Update' : 'Delete', t, alias, sc.top);
  if (o.verbose) modifyOutputs(mt, sc.scan, type, n, t, new Deparser(scope));
  if (instr && result) { mt.rows = returning ? result.rows.length : 0; fillScan(sc, instr, null); }
  if (o.costs) {
    // ModifyTable costs what its subplan does; the subplan returns the new values (UPDATE) and the ctid (6 bytes)
    const uniqueProbe = path.kind === 'IndexScan' && path.index.unique && !t.stats && path.index.entries.size + path.index.nullEntries.length <= 200;
    const est = 'est' in path ? path.est : undefined;
    if (path.kind !== 'SeqScan' && !uniqueProbe && !est) throw noCosts('this index scan (btcostestimate of a range, a non-unique or a multi-page index)');
    if (returning) throw noCosts('RETURNING');
    const size = estimateRelSize(t, hasInheritanceChildren(ex.eng.catalog, t)); // ONLY a parent: no 10-page minimum
    const ws = whereSelectivity(t, size.tuples, n.whereClause);
    if (!ws) throw noCosts('this WHERE clause (its selectivity is not estimated)');
    let width = 6, ops = 0;
    for (const tl of (type === 'UpdateStmt' ? n.targetList : []) as N[]) {
      const col = t.columns.findIndex((c) => !c.dropped && c.name === tl.ResTarget.name);
      const v = tl.ResTarget.val as N;
      const e = v.A_Expr;
      const plainInt = (x: N) => intConstOrNull(x) !== null || (x.ColumnRef && t.columns.find((c) => c.name === x.ColumnRef.fields[x.ColumnRef.fields.length - 1]?.String?.sval)?.type.name === 'int4');
      if (col < 0) throw noCosts('this SET list');
      if (v.A_Const && !v.A_Const.isnull && (intConstOrNull(v) !== null || v.A_Const.sval)) { /* a constant: no cost */ } else if (v.ColumnRef && plainInt(v)) { /* a column: no cost */ } else if (e?.kind === 'AEXPR_OP' && ['+', '-', '*'].includes(opName(v)) && e.lexpr && plainInt(e.lexpr) && plainInt(e.rexpr)) ops += 1;
      else throw noCosts('this SET expression');
      const w = typeWidth(t.columns[col]!.type);
      if (!w.exact) throw noCosts('a column whose width the simulator does not measure');
      width += w.width;
    }
    if (uniqueProbe && ops) throw noCosts('expressions over an index scan');
    if (est && ops) throw noCosts('expressions over an index scan');
    // a path chosen by cost (optimizer/scanpaths.ts) carries its estimate; a Bitmap Index Scan 0 .. its index part
    if (est?.indexTotal !== undefined && sc.index) sc.index.cost = { startup: 0, total: est.indexTotal, rows: est.indexRows!, width: 0 };
    sc.scan.cost = est ? { startup: est.startup, total: est.total, rows: est.rows, width }
      : uniqueProbe ? costIndexScanUniqueEq(size.tuples, size.pages, ws.ops - 1, clampRowEst(size.tuples * ws.sel), width)
      : costSeqScan(size.pages, size.tuples, ws.ops, clampRowEst(size.tuples * ws.sel), width, ops);
    mt.cost = { startup: sc.scan.cost.startup, total: sc.scan.cost.total, rows: 0, width: 0 };
  }
  return mt;
}

export function* explainInsert(ex: Executor, s: Session, n: N, raw: RawStmt, o: Options): Gen<PlanNode> {
  if (n.onConflictClause) throw notSupported('EXPLAIN of INSERT ... ON CONFLICT');
  const lists = n.selectStmt?.SelectStmt?.valuesLists as N[] | undefined;
  if (!lists) throw notSupported('EXPLAIN of INSERT ... SELECT');
  const t = ex.table(n.relation);
  const alias = n.relation.alias?.aliasname ?? null;
  const child = lists.length === 1 ? node('Result') : node('Values Scan', [], [], { target: { tag: null, object: null, alias: '*VALUES*' } });
  const mt = modifyNode('Insert', t, alias, child);
  if (o.verbose) insertOutputs(mt, child, n, t, lists);
  if (o.costs) {
    // the row(s) to insert, as wide as the table's columns: a Result costs one tuple, a Values Scan an operator
    // call and a tuple per row (cost_valuesscan)
    if (n.returningList?.length) throw noCosts('RETURNING');
    if (!lists.every((l) => (l.List.items as N[]).every((x) => x.A_Const && !x.A_Const.isnull))) throw noCosts('INSERT of expressions');
    const widths = t.columns.filter((c) => !c.dropped).map((c) => typeWidth(c.type));
    if (widths.some((w) => !w.exact)) throw noCosts('a column whose width the simulator does not measure');
    const width = widths.reduce((a, w) => a + w.width, 0);
    let perRow = CPU_OPERATOR_COST;
    perRow += CPU_TUPLE_COST;
    child.cost = lists.length === 1 ? costResult(width) : { startup: 0, total: perRow * lists.length, rows: lists.length, width };
    mt.cost = { startup: child.cost.startup, total: child.cost.total, rows: 0, width: 0 };
  }
  if (o.analyze) {
    const r = yield* ex.run(s, 'InsertStmt', n, raw);
    mt.rows = n.returningList?.length ? r.rows.length : 0;
    child.rows = lists.length;
  } else {
    yield* ex.lockRelation(s, t, LockMode.RowExclusive, insertLocksIndexes(n));
  }
  return mt;
}
