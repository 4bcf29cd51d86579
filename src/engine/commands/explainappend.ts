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
 * Simplifications, refused with 0A000: more than two arms, an arm other than a plain SELECT of columns from one
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
import { setOpArm, hashedSetOp } from '../optimizer/prepunion.js';
import { quoteIdent } from '../optimizer/ruleutils.js';
import { type PlanNode, node, type Options, noCosts } from './plannodes.js';

type ExplainArm = (arm: N) => Gen<PlanNode>;

export function* explainSetOp(ex: Executor, s: Session, n: N, raw: RawStmt, o: Options, explainArm: ExplainArm): Gen<PlanNode> {
  void raw;
  if (o.analyze) throw notSupported('EXPLAIN ANALYZE of UNION / INTERSECT / EXCEPT');
  if (n.sortClause?.length || n.limitCount || n.limitOffset || n.withClause) throw notSupported('EXPLAIN of ORDER BY, LIMIT or WITH over UNION / INTERSECT / EXCEPT');
  const table = plainTableOf(ex, s);
  const l = setOpArm(n.larg, table), r = setOpArm(n.rarg, table);
  if (!l || !r || !l.plain || !r.plain) throw notSupported('EXPLAIN of a set operation whose arms are not plain SELECTs of columns from one table (or of more than two arms)');
  const lt = l.cols.map((c) => l.table.columns[c]!.type.name), rtypes = r.cols.map((c) => r.table.columns[c]!.type.name);
  if (lt.length !== rtypes.length || lt.some((t, i) => t !== rtypes[i])) throw notSupported('EXPLAIN of a set operation whose arms\' columns differ in type');
  if (o.costs) throw noCosts('UNION / INTERSECT / EXCEPT');
  const left = yield* explainArm(n.larg), right = yield* explainArm(n.rarg);
  if (n.op === 'SETOP_UNION') {
    const append = node('Append', [], [left, right]);
    if (n.all) return append;
    if (lt.some((t) => !hashFunctionFor(t))) throw notSupported('EXPLAIN of UNION over columns without a hash function here (Sort + Unique)');
    const rel = quoteIdent(l.alias ?? l.table.name);
    const keys = l.cols.map((c) => `${rel}.${quoteIdent(l.table.columns[c]!.name)}`);
    return node('HashAggregate', [`Group Key: ${keys.join(', ')}`], [append]);
  }
  if (lt.some((t) => !hashFunctionFor(t))) throw notSupported('EXPLAIN of INTERSECT / EXCEPT over columns without a hash function here (sorted SetOp)');
  const h = hashedSetOp(n.op, l, r);
  const sub = (p: PlanNode, i: number) => node(`Subquery Scan on "*SELECT* ${i}"`, [], [p]);
  const arms = h.first === 'left' ? [sub(left, 1), sub(right, 2)] : [sub(right, 2), sub(left, 1)];
  const name = `HashSetOp ${n.op === 'SETOP_INTERSECT' ? 'Intersect' : 'Except'}${n.all ? ' All' : ''}`;
  return node(name, [], [node('Append', [], arms)]);
}
