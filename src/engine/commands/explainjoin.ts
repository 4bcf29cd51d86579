/**
 * A join's plan nodes as EXPLAIN prints them (explain.c ExplainNode for Hash Join / Merge Join / Nested Loop,
 * show_hash_info): the join chosen by optimizer/joinpath.ts with its Hash / Merge Cond (the outer side's column
 * first) and Join Filter, qualified by relation; a Hash over the hashed side, a Sort over each side of a merge
 * join, a Materialize over a plain nested loop's inner side, or the parameterized Index Scan of a nested loop
 * (optimizer/paramjoin.ts). Under ANALYZE: the rows of each node and the Hash's "Buckets: … Memory Usage" line.
 * Outside text (and under VERBOSE when true) the join's Inner Unique: its inner side proven unique (innerUnique).
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
import { plannerIndexes } from '../catalog/catalogsnapshot.js';
import { type PlanNode, type Prop, node, relTarget, textProp, countProp, sortMethodProp } from './plannodes.js';
import { scanNode, setCount } from './explainscan.js';

/**
 * A join tree as EXPLAIN prints it (optimizer/joinpath.ts chose it): the join node with its Hash / Merge Cond
 * (the outer side's column first) and Join Filter, qualified by relation; a Hash node over the hashed side, a
 * Sort over each side of a merge join, a Materialize over a nested loop's inner side; each scan's own WHERE
 * conditions as its Filter, unqualified.
 */
export function joinNode(ex: Executor, s: Session, p: JoinPlan, d: Deparser, sql: string, analyze = false, verbose = false): PlanNode {
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
        return scanNode({ kind: 'IndexScan', index: si.index, key: si.eq.key, cond: si.eq.cond }, p.table, p.alias, w, new Deparser(scope, verbose)).top;
      }
      const own = verbose ? `${quoteIdent(p.name)}.` : '';
      const cond = si.by ? [textProp('Index Cond', `(${own}${quoteIdent(p.table.columns[si.col]!.name)} = ${quoteIdent(si.by.rel)}.${quoteIdent(si.by.col)})`), countProp('Rows Removed by Index Recheck', 0)] : [];
      return node('Index Scan', cond, [], { scanDir: 'Forward', indexName: si.index.name, target: relTarget(p.table, p.alias) });
    }
    if (chooseScan(p.table, where, scope).kind !== 'SeqScan') throw notSupported('EXPLAIN of a join over an index scan (PostgreSQL may also move the join condition into it)');
    const sc = scanNode({ kind: 'SeqScan' }, p.table, p.alias, where, new Deparser(scope, verbose)).top;
    if (analyze) {
      if (!p.actual) throw notSupported('EXPLAIN ANALYZE of a join side that was not read');
      sc.rows = p.actual.rows;
      setCount(sc, 'Rows Removed by Filter', p.actual.removed);
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
  if (p.param) return paramLoopNode(ex, s, p, d, sql, analyze, verbose);
  // the join ended before it ran its inner side: that subtree prints "(never executed)"
  const innerRun = !analyze || p.actual!.innerRun !== false;
  const outer = joinNode(ex, s, p.outer, d, sql, analyze, verbose), inner = joinNode(ex, s, p.inner, d, sql, analyze && innerRun, verbose);
  const details: Prop[] = [];
  let children: PlanNode[];
  if (p.cond) {
    const e = p.cond.qual.A_Expr;
    // the outer side's column first: which operand is the left input's key
    const lhsIsLeftSide = sideOfColumn(d, e.lexpr, p) === 'left';
    const outerFirst = lhsIsLeftSide === p.cond.outerIsLeft;
    const [a, b] = outerFirst ? [e.lexpr, e.rexpr] : [e.rexpr, e.lexpr];
    details.push(textProp(`${p.method === 'HashJoin' ? 'Hash' : 'Merge'} Cond`, `(${d.expr(a)} = ${d.expr(b)})`));
    if (p.method === 'HashJoin') {
      const hash = node('Hash', [], [inner]);
      if (analyze && innerRun) {
        hash.rows = p.actual!.innerRows;
        hash.props.push(hashMemory(p));
      }
      children = [outer, hash];
    } else if (p.searched) {
      // the join order search's merge join: a side already sorted on the key has no Sort; a Materialize may shield the inner
      const srt = (x: PlanNode, key: N, c: Cost | null) => (c ? sortNode(d.expr(key), x) : x);
      const innerTop = srt(inner, b, p.searched.sortInner), outerTop = srt(outer, a, p.searched.sortOuter);
      const mat = p.searched.material ? node('Materialize', [], [innerTop]) : null;
      if (analyze) mergeCounts(p, outerTop, innerTop, mat);
      children = [outerTop, mat ?? innerTop];
    } else {
      children = [sortNode(d.expr(a), outer), sortNode(d.expr(b), inner)];
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
  if (p.filter.length) details.push(textProp('Join Filter', d.qualList(d.qualsOf(p.filter))), countProp('Rows Removed by Join Filter', 0));
  if (p.upper) details.push(textProp('Filter', d.qualList(d.qualsOf(p.upper))), countProp('Rows Removed by Filter', 0));
  const joinQuals = [...(p.cond ? [p.cond.qual] : []), ...p.filter, ...(p.upper ?? [])];
  const j = node(JOIN_TYPE[p.method], details, children, { joinType: joinTypeOf(p), innerUnique: innerUnique(p), joinQuals });
  if (analyze) j.rows = p.actual!.rows;
  return j;
}

const JOIN_TYPE = { HashJoin: 'Hash Join', MergeJoin: 'Merge Join', NestLoop: 'Nested Loop' } as const;
const joinTypeOf = (p: Extract<JoinPlan, { kind: 'Join' }>) => (p.label === '' ? 'Inner' : p.label.trim());
const sortNode = (key: string, child: PlanNode) => node('Sort', [{ kind: 'list', label: 'Sort Key', value: [key] }], [child]);

/**
 * Inner Unique (analyzejoins.c innerrel_is_unique): the inner side is one table with a unique index every column of
 * which the join's equality condition, or an equality with a constant among the table's own conditions, fixes —
 * each outer row then matches at most one inner row. A join or a function as the inner side: false. Another
 * equality in the join filter that might complete an index: not worked out (null, refused where printed).
 */
function innerUnique(p: Extract<JoinPlan, { kind: 'Join' }>): boolean | null {
  const inner = p.inner;
  if (inner.kind !== 'Scan') return false;
  const fixed = new Set<number>();
  if (p.cond) fixed.add(p.cond.outerIsLeft ? p.cond.right : p.cond.left);
  if (p.param && p.param.op === '=') fixed.add(p.param.innerKey);
  // the join search's parameterized Index Scan: its Index Cond fixes its column
  if (inner.searchedIndex?.by) fixed.add(inner.searchedIndex.col);
  const colOf = (x: N | undefined) => {
    const f = x?.ColumnRef?.fields as N[] | undefined;
    if (!f || !f.every((y) => y.String) || f.length > 2) return -1;
    return inner.table.columns.findIndex((c) => !c.dropped && c.name === f[f.length - 1]!.String.sval);
  };
  for (const q of inner.quals) {
    const e = q.A_Expr;
    if (e?.kind !== 'AEXPR_OP' || e.name?.length !== 1 || e.name[0]?.String?.sval !== '=') continue;
    const c = e.rexpr?.A_Const && !e.rexpr.A_Const.isnull ? colOf(e.lexpr) : e.lexpr?.A_Const && !e.lexpr.A_Const.isnull ? colOf(e.rexpr) : -1;
    if (c >= 0) fixed.add(c);
  }
  const unique = plannerIndexes(inner.table).filter((i) => i.unique);
  if (unique.some((i) => i.def && i.columns.every((c) => c < 0 || fixed.has(c)))) return null; // a partial or expression index
  if (unique.some((i) => !i.def && i.columns.every((c) => fixed.has(c)))) return true;
  if (p.filter.some((f) => JSON.stringify(f).includes('"="'))) return null;
  return false;
}

/**
 * An index scan inside the join tree (a parameterized nested loop's inner side, the join search's Index Scan) of a
 * relation whose every column the query reads is in the index: PostgreSQL makes it an Index Only Scan, which the
 * executor does not run here — refused rather than printed as an Index Scan.
 */
export function refuseIndexOnlyInJoin(p: JoinPlan, n: N, d: Deparser, target: string | null = null) {
  // UPDATE ... FROM / DELETE ... USING / MERGE: the target is fetched for its ctid, and every other table for its
  // row mark's ctid (preprocess_rowmarks, ROW_MARK_REFERENCE): no side can be an Index Only Scan
  if (target !== null) return;
  const rels = d.scope.rels ?? [];
  const used = new Map<string, Set<string>>(rels.map((r) => [r.name, new Set()]));
  const walk = (x: unknown): void => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) { x.forEach(walk); return; }
    const o = x as N;
    if (o.ColumnRef) {
      const f = o.ColumnRef.fields as N[];
      const qual = f.length === 2 ? f[0]!.String?.sval : null;
      const last = f[f.length - 1]!;
      for (const r of rels) {
        if (qual && r.name !== qual) continue;
        for (const c of d.scope.columns.slice(r.offset, r.offset + r.count)) if (last.A_Star || c.name === last.String?.sval) used.get(r.name)!.add(c.name);
      }
      return;
    }
    for (const v of Object.values(o)) walk(v);
  };
  walk(n);
  const check = (table: Extract<JoinPlan, { kind: 'Scan' }>['table'], rel: string, cols: number[]) => {
    const names = new Set(cols.map((c) => table.columns[c]!.name));
    // (an UPDATE / DELETE / MERGE target's rows are fetched for their ctid)
    if (rel !== target && [...(used.get(rel) ?? [])].every((c) => names.has(c))) throw notSupported('EXPLAIN of a join whose index scan reads only indexed columns (PostgreSQL plans an Index Only Scan)');
  };
  const visit = (q: JoinPlan): void => {
    if (q.kind === 'Scan') { if (q.searchedIndex) check(q.table, q.name, q.searchedIndex.index.columns); return; }
    if (q.kind !== 'Join') return;
    if (q.param && q.inner.kind === 'Scan') check(q.inner.table, q.inner.name, q.param.index.columns);
    visit(q.outer); visit(q.inner);
  };
  visit(p);
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
  outer.props.push(sortMethodProp('quicksort', m.outerKb!));
  inner.props.push(sortMethodProp('quicksort', m.innerKb!));
}

/**
 * A parameterized nested loop (optimizer/paramjoin.ts): the outer side's scan, and an Index Scan of the inner
 * table whose Index Cond compares its key column with the outer row's, qualified: "Index Cond: (k = n.a)".
 */
function paramLoopNode(ex: Executor, s: Session, p: Extract<JoinPlan, { kind: 'Join' }>, d: Deparser, sql: string, analyze: boolean, verbose: boolean): PlanNode {
  if (p.inner.kind !== 'Scan' || p.outer.kind !== 'Scan' || p.filter.length) throw notSupported('EXPLAIN of this parameterized nested loop');
  const outer = joinNode(ex, s, p.outer, d, sql, analyze, verbose);
  const t = p.inner.table, param = p.param!;
  const outerCol = p.outer.table.columns[param.outerKey]!.name;
  // the inner column unqualified (the scan's own), qualified under VERBOSE
  const own = verbose ? `${quoteIdent(p.inner.name)}.` : '';
  const cond = `(${own}${quoteIdent(t.columns[param.innerKey]!.name)} ${param.op} ${quoteIdent(p.outer.name)}.${quoteIdent(outerCol)})`;
  // the inner side's own conditions: the probe's Filter
  const innerScope = ex.tableScope(t, p.inner.alias, s, () => ex.eng.snapshotFor(s), sql);
  const innerDeparser = new Deparser(innerScope, verbose);
  const innerFilter = p.inner.quals.length ? [textProp('Filter', innerDeparser.qualList(innerDeparser.qualsOf(p.inner.quals)))] : [];
  if (innerFilter.length && analyze) throw notSupported('EXPLAIN ANALYZE of a parameterized nested loop whose inner side has a Filter');
  const inner = node('Index Scan', [textProp('Index Cond', cond), countProp('Rows Removed by Index Recheck', 0), ...innerFilter], [],
    { scanDir: 'Forward', indexName: param.index.name, target: relTarget(t, p.inner.alias) });
  const j = node('Nested Loop', [], [outer, inner], { joinType: joinTypeOf(p), innerUnique: innerUnique(p), joinQuals: [...p.filter, ...(p.upper ?? [])] });
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
function hashMemory(p: Extract<JoinPlan, { kind: 'Join' }>): Prop {
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
  const kb = Math.ceil((nbuckets * 8 + tupleBytes) / 1024);
  return {
    kind: 'split', analyze: true, text: [`Buckets: ${nbuckets}  Batches: 1  Memory Usage: ${kb}kB`],
    props: [['Hash Buckets', nbuckets], ['Original Hash Buckets', nbuckets], ['Hash Batches', 1], ['Original Hash Batches', 1]]
      .map(([label, value]) => ({ kind: 'int' as const, label: label as string, value: value as number }))
      .concat([{ kind: 'int', label: 'Peak Memory Usage', value: kb, unit: 'kB' } as never]),
  };
}

/** Which input of a join a column reference belongs to: the relations under its left (written first) side. */
function sideOfColumn(d: Deparser, col: N, p: Extract<JoinPlan, { kind: 'Join' }>): 'left' | 'right' {
  const text = d.expr(col);
  const rel = text.includes('.') ? text.slice(0, text.indexOf('.')) : '';
  const leftPlan = p.cond!.outerIsLeft ? p.outer : p.inner;
  const names = (q: JoinPlan): string[] => (q.kind === 'Join' ? [...names(q.outer), ...names(q.inner)] : [quoteIdent(q.name)]);
  return names(leftPlan).includes(rel) ? 'left' : 'right';
}
