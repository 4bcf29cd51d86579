/**
 * EXPLAIN of UNION [ALL] / INTERSECT [ALL] / EXCEPT [ALL] (explain.c over the plans prepunion.c builds,
 * optimizer/prepunion.ts):
 *
 *     SELECT k FROM t UNION ALL SELECT w FROM u    Append -> Seq Scan on t, Seq Scan on u
 *     SELECT v FROM t UNION SELECT w FROM u        HashAggregate (Group Key: t.v) -> Append -> ...
 *     SELECT k FROM t INTERSECT SELECT w FROM u    HashSetOp Intersect -> Append -> Subquery Scan on "*SELECT* 2"
 *                                                    -> Seq Scan on u, Subquery Scan on "*SELECT* 1" -> ...
 *
 * UNION's arms are pulled up into the Append (their scans print as they would alone); INTERSECT / EXCEPT keep each
 * arm under a Subquery Scan named "*SELECT* n" (n: its place in the query), the arm read first on top. The Group
 * Key names the first arm's columns, qualified (the range table has several entries).
 *
 * UNION [ALL] of three or more arms is one Append (plan_union_children). Simplifications, refused with 0A000: an
 * arm other than a plain SELECT of columns from one
 * table (prepunion.ts setOpArm), arms whose columns differ in type, ORDER BY / LIMIT over the set operation,
 * EXPLAIN ANALYZE and costs.
 */
import { notSupported } from '../errors.js';
import type { Executor } from '../executor/executor.js';
import type { Session } from '../session/session.js';
import type { RawStmt } from '../sql/parser.js';
import type { N, Gen } from '../executor/util.js';
import { plainTableOf } from '../executor/nodeSetOp.js';
import { hashFunctionFor } from '../executor/nodeHashjoin.js';
import { setOpArm, hashedSetOp, unionFolds, type SetOpArm } from '../optimizer/prepunion.js';
import { quoteIdent } from '../optimizer/ruleutils.js';
import { type PlanNode, node, appendNode, type Options, noCosts, listProp } from './plannodes.js';

type ExplainArm = (arm: N) => Gen<PlanNode>;

/**
 * set_rtable_names: a table scanned by two arms gets its name made unique in the second ("Seq Scan on t1 t1_1"),
 * and so on.
 */
function uniqueScanNames(plans: PlanNode[]): void {
  const used = new Set<string>();
  const visit = (p: PlanNode) => {
    const t = p.target;
    if (t?.tag === 'Relation Name' && t.alias) {
      let name = t.alias;
      for (let k = 1; used.has(name); k++) name = `${t.alias}_${k}`;
      used.add(name);
      if (name !== t.alias) p.target = { ...t, alias: name };
    }
    for (const c of p.children ?? []) visit(c);
  };
  plans.forEach(visit);
}

/** plan_union_children's folding: UNIONs below of the same ALL-ness (or UNION ALL under UNION) join the parent's arms. */
function foldedUnionArms(top: N): N[] {
  const out: N[] = [];
  const walk = (x: N) => {
    if (x !== top && !unionFolds(x, top)) { out.push(x); return; }
    walk(x.larg); walk(x.rarg);
  };
  walk(top);
  return out;
}

export function* explainSetOp(ex: Executor, s: Session, n: N, raw: RawStmt, o: Options, explainArm: ExplainArm): Gen<PlanNode> {
  void raw;
  if (o.analyze) throw notSupported('EXPLAIN ANALYZE of UNION / INTERSECT / EXCEPT');
  if (n.sortClause?.length || n.limitCount || n.limitOffset || n.withClause) throw notSupported('EXPLAIN of ORDER BY, LIMIT or WITH over UNION / INTERSECT / EXCEPT');
  const table = plainTableOf(ex, s);
  // UNION [ALL] folds the UNIONs below it into one Append (plan_union_children; with differing column types the
  // arms are refused below anyway)
  const armNodes = n.op === 'SETOP_UNION' ? foldedUnionArms(n) : [n.larg, n.rarg];
  const sized = armNodes.map((a) => setOpArm(a, table));
  if (sized.some((a) => !a || !a.plain || !a.table)) throw notSupported('EXPLAIN of a set operation whose arms are not plain SELECTs of columns from one table');
  const typesOf = (a: SetOpArm) => a.cols.map((c) => a.table!.columns[c]!.type.name);
  const l = sized[0]!, r = sized[1]!;
  const lTable = l.table!;
  const lt = typesOf(l);
  if (sized.some((a) => { const t = typesOf(a!); return t.length !== lt.length || t.some((x, i) => x !== lt[i]); })) {
    throw notSupported('EXPLAIN of a set operation whose arms\' columns differ in type');
  }
  if (o.costs) throw noCosts('UNION / INTERSECT / EXCEPT');
  const input = sized.reduce((acc, a) => acc + a!.rows, 0);
  const h = n.op === 'SETOP_UNION' ? hashedSetOp(n.op, { ...l, rows: input }, { ...r, rows: 0 }, lt.length) : hashedSetOp(n.op, l, r, lt.length);
  if (h.sorted && !(n.op === 'SETOP_UNION' && n.all)) throw notSupported('EXPLAIN of a set operation PostgreSQL sorts instead of hashing (a tiny input: Unique over Sort, or a sorted SetOp)');
  const plans: PlanNode[] = [];
  for (const a of armNodes) plans.push(yield* explainArm(a));
  uniqueScanNames(plans);
  const [left, right] = plans as [PlanNode, PlanNode];
  if (n.op === 'SETOP_UNION') {
    const append = appendNode(plans);
    if (n.all) return append;
    if (lt.some((t) => !hashFunctionFor(t))) throw notSupported('EXPLAIN of UNION over columns without a hash function here (Sort + Unique)');
    const rel = quoteIdent(l.alias ?? lTable.name);
    const keys = l.cols.map((c) => `${rel}.${quoteIdent(lTable.columns[c]!.name)}`);
    return node('Aggregate', [listProp('Group Key', keys)], [append], { strategy: 'Hashed', partialMode: 'Simple' });
  }
  if (lt.some((t) => !hashFunctionFor(t))) throw notSupported('EXPLAIN of INTERSECT / EXCEPT over columns without a hash function here (sorted SetOp)');
  const sub = (p: PlanNode, i: number) => node('Subquery Scan', [], [p], { target: { tag: null, object: null, alias: `*SELECT* ${i}` } });
  const arms = h.first === 'left' ? [sub(left, 1), sub(right, 2)] : [sub(right, 2), sub(left, 1)];
  const command = `${n.op === 'SETOP_INTERSECT' ? 'Intersect' : 'Except'}${n.all ? ' All' : ''}`;
  return node('SetOp', [], [appendNode(arms)], { strategy: 'Hashed', command });
}
