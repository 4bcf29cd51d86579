/**
 * A join's plan nodes as EXPLAIN prints them (explain.c ExplainNode for Hash Join / Merge Join / Nested Loop,
 * show_hash_info): the join chosen by optimizer/joinpath.ts with its Hash / Merge Cond (the outer side's column
 * first) and Join Filter, qualified by relation; a Hash over the hashed side, a Sort over each side of a merge
 * join, a Materialize over a plain nested loop's inner side, or the parameterized Index Scan of a nested loop
 * (optimizer/paramjoin.ts). Under ANALYZE: the rows of each node and the Hash's "Buckets: … Memory Usage" line.
 *
 * Simplifications, refused with 0A000: a join the planner's rules cannot vouch for (JoinPlan.unsure), a join
 * over an index scan, EXPLAIN ANALYZE of a merge join over a join or an unsorted side, of a join filter, of a parameterized nested loop, and of a
 * Hash whose memory figure depends on tuple bytes the simulator does not model.
 */
import { notSupported } from '../errors.js';
import type { Executor } from '../executor/executor.js';
import type { Session } from '../session/session.js';
import { chooseScan } from '../optimizer/planner.js';
import type { JoinPlan } from '../optimizer/joinpath.js';
import { estimateRelSize, clampRowEst, typeWidth, rint } from '../optimizer/plancat.js';
import { bucketCount } from '../executor/nodeHashjoin.js';
import { whereSelectivity } from '../optimizer/clausesel.js';
import { Deparser, quoteIdent } from '../optimizer/ruleutils.js';
import type { N } from '../executor/util.js';
import type { Cost } from '../optimizer/costsize.js';
import { type PlanNode, node, relLabel } from './plannodes.js';
import { scanNode } from './explainscan.js';

/**
 * A join tree as EXPLAIN prints it (optimizer/joinpath.ts chose it): the join node with its Hash / Merge Cond
 * (the outer side's column first) and Join Filter, qualified by relation; a Hash node over the hashed side, a
 * Sort over each side of a merge join, a Materialize over a nested loop's inner side; each scan's own WHERE
 * conditions as its Filter, unqualified.
 */
export function joinNode(ex: Executor, s: Session, p: JoinPlan, d: Deparser, sql: string, analyze = false): PlanNode {
  if (p.kind === 'Other') throw notSupported(`EXPLAIN of a join with ${p.what}`);
  if (p.kind === 'Scan') {
    const scope = ex.tableScope(p.table, p.alias, s, () => ex.eng.snapshotFor(s), sql);
    const where = p.quals.length === 0 ? undefined : p.quals.length === 1 ? p.quals[0] : { BoolExpr: { boolop: 'AND_EXPR', args: p.quals } };
    const si = p.searchedIndex;
    if (si) {
      // the join order search's Index Scan: the whole index, or probed with the outer row's column ("Index Cond: (k = m.a)")
      if (analyze) throw notSupported('EXPLAIN ANALYZE of an Index Scan inside a join of three or more relations');
      if (si.eq) {
        // the Index Cond, the table's other conditions its Filter
        const cond = JSON.stringify(si.eq.cond), rest = p.quals.filter((q) => JSON.stringify(q) !== cond);
        const w = rest.length === 0 ? undefined : rest.length === 1 ? rest[0] : { BoolExpr: { boolop: 'AND_EXPR', args: rest } };
        return scanNode({ kind: 'IndexScan', index: si.index, key: si.eq.key, cond: si.eq.cond }, p.table, p.alias, w, new Deparser(scope)).top;
      }
      const cond = si.by ? [`Index Cond: (${quoteIdent(p.table.columns[si.col]!.name)} = ${quoteIdent(si.by.rel)}.${quoteIdent(si.by.col)})`] : [];
      return node(`Index Scan using ${quoteIdent(si.index.name)} on ${relLabel(p.table, p.alias)}`, cond);
    }
    if (chooseScan(p.table, where, scope).kind !== 'SeqScan') throw notSupported('EXPLAIN of a join over an index scan (PostgreSQL may also move the join condition into it)');
    const sc = scanNode({ kind: 'SeqScan' }, p.table, p.alias, where, new Deparser(scope)).top;
    if (analyze) {
      if (!p.actual) throw notSupported('EXPLAIN ANALYZE of a join side that was not read');
      sc.rows = p.actual.rows;
      if (where) sc.analyzeDetails.push(`Rows Removed by Filter: ${p.actual.removed}`);
    }
    return sc;
  }
  if (p.unsure) throw notSupported(`EXPLAIN of ${p.unsure}`);
  if (analyze) {
    // the counts a demand-driven executor would show: a merge join stops reading a side early, a join filter
    // counts its rejections — not modelled
    const m = p.method === 'MergeJoin' ? p.actual?.merge?.() : undefined;
    if (m) mergeMemo.set(p, m);
    if (p.method === 'MergeJoin' && (!m || m.outerKb === null || m.innerKb === null || p.outer.kind !== 'Scan' || p.inner.kind !== 'Scan' ||
      (p.searched && (!p.searched.sortOuter || !p.searched.sortInner)))) throw notSupported('EXPLAIN ANALYZE of this Merge Join (use EXPLAIN (COSTS OFF))');
    if (p.filter.length || p.upper) throw notSupported('EXPLAIN ANALYZE of a join with a Join Filter or a Filter');
    if (!p.actual) throw notSupported('EXPLAIN ANALYZE of a join that did not run');
    if (p.actual.outerRows === 0 && p.method !== 'HashJoin' && (p.param || p.method === 'MergeJoin' || p.actual.innerRun !== false)) {
      throw notSupported('EXPLAIN ANALYZE of this join whose outer side returned no rows');
    }
  }
  if (p.param) return paramLoopNode(ex, s, p, d, sql, analyze);
  // the join ended before it ran its inner side: that subtree prints "(never executed)"
  const innerRun = !analyze || p.actual!.innerRun !== false;
  const outer = joinNode(ex, s, p.outer, d, sql, analyze), inner = joinNode(ex, s, p.inner, d, sql, analyze && innerRun);
  const details: string[] = [];
  const name = p.method === 'NestLoop' ? `Nested Loop${p.label ? p.label + ' Join' : ''}` : `${p.method === 'HashJoin' ? 'Hash' : 'Merge'}${p.label} Join`;
  let children: PlanNode[];
  if (p.cond) {
    const e = p.cond.qual.A_Expr;
    // the outer side's column first: which operand is the left input's key
    const lhsIsLeftSide = sideOfColumn(d, e.lexpr, p) === 'left';
    const outerFirst = lhsIsLeftSide === p.cond.outerIsLeft;
    const [a, b] = outerFirst ? [e.lexpr, e.rexpr] : [e.rexpr, e.lexpr];
    details.push(`${p.method === 'HashJoin' ? 'Hash' : 'Merge'} Cond: (${d.expr(a)} = ${d.expr(b)})`);
    if (p.method === 'HashJoin') {
      const hash = node('Hash', [], [inner]);
      if (analyze && innerRun) {
        hash.rows = p.actual!.innerRows;
        hash.analyzeDetails.push(hashMemory(p));
      }
      children = [outer, hash];
    } else if (p.searched) {
      // the join order search's merge join: a side already sorted on the key has no Sort; a Materialize may shield the inner
      const srt = (x: PlanNode, key: N, c: Cost | null) => (c ? node('Sort', [`Sort Key: ${d.expr(key)}`], [x]) : x);
      const innerTop = srt(inner, b, p.searched.sortInner), outerTop = srt(outer, a, p.searched.sortOuter);
      const mat = p.searched.material ? node('Materialize', [], [innerTop]) : null;
      if (analyze) mergeCounts(p, outerTop, innerTop, mat);
      children = [outerTop, mat ?? innerTop];
    } else {
      children = [node('Sort', [`Sort Key: ${d.expr(a)}`], [outer]), node('Sort', [`Sort Key: ${d.expr(b)}`], [inner])];
      if (analyze) mergeCounts(p, children[0]!, children[1]!, null);
    }
  } else {
    if (p.material === false || (p.searched && !p.searched.material)) {
      // the inner Seq Scan itself rescanned once per outer row (optimizer/joinpathcost.ts: cheaper than a Materialize)
      if (analyze) throw notSupported('EXPLAIN ANALYZE of a nested loop rescanning its inner scan');
      children = [outer, inner];
    } else {
      const mat = node('Materialize', [], [inner]);
      if (analyze && innerRun) { mat.rows = p.actual!.innerRows; mat.loops = p.actual!.outerRows; }
      children = [outer, mat];
    }
  }
  if (p.filter.length) details.push(`Join Filter: ${d.qualList(d.qualsOf(p.filter))}`);
  if (p.upper) details.push(`Filter: ${d.qualList(d.qualsOf(p.upper))}`);
  const j = node(name, details, children);
  if (analyze) j.rows = p.actual!.rows;
  return j;
}

/** the merge counts worked out once per EXPLAIN */
const mergeMemo = new WeakMap<JoinPlan, ReturnType<NonNullable<NonNullable<Extract<JoinPlan, { kind: 'Join' }>['actual']>['merge']>>>();

/**
 * A merge join's inputs under ANALYZE: each Sort returned what the join pulled from it (the inner one its re-reads
 * after a restore too — or, under a Materialize, the Materialize did and the Sort gave each row once), and its
 * memory (executor/nodeSort.ts sortSpaceUsedKb).
 */
function mergeCounts(p: Extract<JoinPlan, { kind: 'Join' }>, outer: PlanNode, inner: PlanNode, mat: PlanNode | null) {
  const m = mergeMemo.get(p) ?? p.actual!.merge!();
  outer.rows = m.outerFetched;
  if (mat) { mat.rows = m.innerFetched; inner.rows = m.innerRead; } else inner.rows = m.innerFetched;
  outer.analyzeDetails.push(`Sort Method: quicksort  Memory: ${m.outerKb}kB`);
  inner.analyzeDetails.push(`Sort Method: quicksort  Memory: ${m.innerKb}kB`);
}

/**
 * A parameterized nested loop (optimizer/paramjoin.ts): the outer side's scan, and an Index Scan of the inner
 * table whose Index Cond compares its key column with the outer row's, qualified: "Index Cond: (k = n.a)".
 */
function paramLoopNode(ex: Executor, s: Session, p: Extract<JoinPlan, { kind: 'Join' }>, d: Deparser, sql: string, analyze: boolean): PlanNode {
  if (p.inner.kind !== 'Scan' || p.outer.kind !== 'Scan' || p.filter.length) throw notSupported('EXPLAIN of this parameterized nested loop');
  const outer = joinNode(ex, s, p.outer, d, sql, analyze);
  const t = p.inner.table, param = p.param!;
  const outerCol = p.outer.table.columns[param.outerKey]!.name;
  const cond = `(${quoteIdent(t.columns[param.innerKey]!.name)} ${param.op} ${quoteIdent(p.outer.name)}.${quoteIdent(outerCol)})`;
  const inner = node(`Index Scan using ${quoteIdent(param.index.name)} on ${relLabel(t, p.inner.alias)}`, [`Index Cond: ${cond}`]);
  const j = node(`Nested Loop${p.label ? p.label + ' Join' : ''}`, [], [outer, inner]);
  if (analyze) {
    // the inner scan ran once per outer row (a NULL key too: its probe finds nothing); ANALYZE prints its rows
    // per loop, the average rounded as printf("%.0f") rounds
    inner.loops = p.actual!.outerRows;
    inner.rows = rint(p.actual!.innerRows / p.actual!.outerRows);
    j.rows = p.actual!.rows;
  }
  return j;
}


/**
 * The Hash node's ANALYZE line: the bucket count ExecChooseHashTableSize sized for the planner's estimate, one
 * batch, and the peak memory — the bucket array (8 bytes a bucket) plus the hashed tuples, in kB rounded up. The
 * tuples' exact bytes are not modelled; the figure is printed only when they cannot move it (under 900 bytes).
 */
function hashMemory(p: Extract<JoinPlan, { kind: 'Join' }>): string {
  const inner = p.inner;
  if (inner.kind !== 'Scan') throw notSupported('EXPLAIN ANALYZE of a Hash over a join');
  const est = estimateRelSize(inner.table);
  const sel = inner.quals.length ? whereSelectivity(inner.table, est.tuples, inner.quals.length === 1 ? inner.quals[0] : { BoolExpr: { boolop: 'AND_EXPR', args: inner.quals } }) : { sel: 1, ops: 0 };
  if (!sel) throw notSupported('EXPLAIN ANALYZE of a Hash whose row estimate the simulator does not make');
  const nbuckets = bucketCount(clampRowEst(est.tuples * sel.sel));
  const perTuple = 16 + 32 + inner.table.columns.reduce((a, c) => a + (typeWidth(c.type).exact && c.type.name !== 'text' ? typeWidth(c.type).width : 64), 0);
  const tupleBytes = p.actual!.innerRows * perTuple;
  if (tupleBytes >= 900 || p.actual!.innerRows > nbuckets) throw notSupported('EXPLAIN ANALYZE of a Hash of this size (its memory figure is not modelled)');
  // spacePeak: the bucket array and the tuples, in kB rounded up (an empty hash table: the buckets alone)
  return `Buckets: ${nbuckets}  Batches: 1  Memory Usage: ${Math.ceil((nbuckets * 8 + tupleBytes) / 1024)}kB`;
}

/** Which input of a join a column reference belongs to: the relations under its left (written first) side. */
function sideOfColumn(d: Deparser, col: N, p: Extract<JoinPlan, { kind: 'Join' }>): 'left' | 'right' {
  const text = d.expr(col);
  const rel = text.includes('.') ? text.slice(0, text.indexOf('.')) : '';
  const leftPlan = p.cond!.outerIsLeft ? p.outer : p.inner;
  const names = (q: JoinPlan): string[] => (q.kind === 'Join' ? [...names(q.outer), ...names(q.inner)] : [quoteIdent(q.name)]);
  return names(leftPlan).includes(rel) ? 'left' : 'right';
}
