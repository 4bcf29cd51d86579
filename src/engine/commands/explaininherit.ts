/**
 * EXPLAIN of a scan of an inheritance parent (optimizer/util/inherit.c expand_inherited_rtentry, as
 * optimizer/inherit.ts expands it for the executor): an Append of the parent and each descendant, each member
 * scanned by its own path and labelled as a child range table entry of the parent's:
 *
 *     SELECT * FROM p WHERE a = 7;          Append
 *                                             ->  Seq Scan on p p_1             Filter: (a = 7)
 *                                             ->  Bitmap Heap Scan on c3 p_2    (c3 has an index on a)
 *
 * With costs: appendCosts below.
 */
import { notSupported } from '../errors.js';
import type { Executor } from '../executor/executor.js';
import type { Session } from '../session/session.js';
import type { Scope } from '../sql/expr.js';
import type { Table } from '../catalog/catalog.js';
import { type N, containsAggregate } from '../executor/util.js';
import { type ScanPath, unqualifyOwn, chooseScan } from '../optimizer/planner.js';
import { Deparser } from '../optimizer/ruleutils.js';
import { costSeqScan, CPU_TUPLE_COST } from '../optimizer/costsize.js';
import { estimateRelSize, columnWidth, clampRowEst } from '../optimizer/plancat.js';
import { whereSelectivity } from '../optimizer/clausesel.js';
import { sameLayout } from '../executor/execPartition.js';
import { plannerIndexes } from '../catalog/catalogsnapshot.js';
import { hasInheritanceChildren } from '../catalog/pg_inherits.js';
import { type PlanNode, type Options, appendNode, noCosts, node, textProp } from './plannodes.js';
import { scanNode } from './explainscan.js';

/**
 * An inheritance parent's scan (optimizer/inherit.ts expand_inherited_rtentry): an Append of one scan per member,
 * the parent first, each by the path the executor's appendScan chooses for it and labelled as the parent's child
 * range table entries are ("Seq Scan on p p_1", "Seq Scan on c1 p_2"). A member whose columns differ from the
 * parent's is read whole and the WHERE tested on its converted rows — refused when it has an index PostgreSQL
 * could use instead; so are CHECK constraints under a WHERE (constraint exclusion may drop a member), a WHERE on
 * tableoid, an index walk in ORDER BY's order (a Merge Append), ANALYZE; costs other than an Append of Seq Scans
 * alone at the top (appendCosts).
 */
export function inheritanceAppend(ex: Executor, s: Session, n: N, members: Table[], parent: Table, alias: string | null, scope: Scope,
  path: ScanPath, o: Options): MemberScans {
  if (members.length < 2) throw notSupported('EXPLAIN of an inheritance parent read alone (a one-member Append)');
  const where = n.whereClause as N | undefined;
  if (where && JSON.stringify(where).includes('"tableoid"')) throw notSupported('EXPLAIN of a WHERE on tableoid over an inheritance tree');
  if (where && members.some((m) => m.checks.length)) throw notSupported('EXPLAIN of an inheritance tree with CHECK constraints under a WHERE (constraint exclusion)');
  if (path.kind === 'IndexScanOrdered' || (path.kind !== 'SeqScan' && n.sortClause?.length)) throw notSupported('EXPLAIN of an inheritance tree under ORDER BY with an index on the parent (Merge Append)');
  const refname = alias ?? parent.name;
  const children = members.map((m, i) => {
    const label = `${refname}_${i + 1}`;
    if (!sameLayout(m, parent)) {
      if (where && plannerIndexes(m).length) throw notSupported('EXPLAIN of an inheritance child with other columns and indexes under a WHERE');
      const lscope = ex.tableScope(m, null, s, () => ex.eng.snapshotFor(s), scope.sql);
      return scanNode({ kind: 'SeqScan' }, m, label, unqualifyOwn(where, scope), new Deparser(o.verbose ? { ...lscope, alias: label } : lscope, o.verbose));
    }
    const lscope: Scope = { ...scope, inhOnly: true };
    delete lscope.inhMembers;
    const mp = chooseScan(m, where, lscope, { serializable: !!s.tx?.sxact });
    if (mp.kind === 'IndexScanOrdered') throw notSupported('EXPLAIN of an inheritance child read in index order');
    // (under VERBOSE its conditions are qualified by the member's own label)
    return scanNode(mp, m, label, unqualifyOwn(where, scope), new Deparser(o.verbose ? { ...lscope, alias: label } : lscope, o.verbose));
  });
  const append = appendNode(children.map((c) => c.top));
  if (o.costs) appendCosts(ex, n, members, parent, append);
  return { top: append, scans: children };
}

/** An Append and its members' scan nodes (for EXPLAIN ANALYZE to fill in, one ScanInstr each). */
export interface MemberScans { top: PlanNode; scans: { top: PlanNode; scan: PlanNode; index: PlanNode | null }[] }

/**
 * A partitioned table's scan (expand_partitioned_rtentry after plan-time pruning, partitioning/partprune.ts): an
 * Append of the leaf partitions left, in bound order, sub-partitions flattened into it and labelled in that order
 * ("Seq Scan on pt1 pt_1", "Seq Scan on pt2a pt_2": an intermediate partitioned table is not scanned and gets no
 * name); none left: a Result that is never run (`One-Time Filter: false`). One partition left is no Append at all:
 * explainselect.ts prints its scan under the parent's name (partitionScanPath).
 */
export function partitionAppend(ex: Executor, s: Session, n: N, leaves: Table[], parent: Table, alias: string | null, scope: Scope,
  path: ScanPath, o: Options): MemberScans {
  if (!leaves.length) {
    const r = node('Result', [textProp('One-Time Filter', 'false')]);
    if (o.costs) throw noCosts('a Result standing for a partitioned table whose partitions were all pruned');
    return { top: r, scans: [] };
  }
  return inheritanceAppend(ex, s, n, leaves, parent, alias, scope, path, o);
}

/** The path of the one partition pruning left (as the executor's appendScan reads it: scan.ts). */
export function partitionScanPath(s: Session, leaf: Table, n: N, scope: Scope): { table: Table; path: ScanPath } {
  const lscope: Scope = { ...scope, inhOnly: true };
  delete lscope.inhMembers;
  const path = chooseScan(leaf, n.whereClause as N | undefined, lscope, { serializable: !!s.tx?.sxact });
  return { table: leaf, path };
}

/**
 * Costs of an Append of Seq Scans (costsize.c cost_append, allpaths.c set_append_rel_size): each member's Seq Scan
 * as a table's alone — except that a table with inheritance children is not assumed to have 10 pages when it has
 * none (estimate_rel_size skips that for relhassubclass: a parent is often empty) — the Append starting with its
 * first member, costing all their totals plus half a cpu_tuple_cost per row, its rows their sum, its width theirs.
 * Refused: an index or bitmap member, a select list other than columns, anything above the Append.
 */
function appendCosts(ex: Executor, n: N, members: Table[], parent: Table, append: PlanNode) {
  const targets = (n.targetList ?? []) as N[];
  const cols = targets.flatMap((t) => {
    const v = t.ResTarget.val as N;
    const f = v.ColumnRef?.fields as N[] | undefined;
    if (f?.some((x) => x.A_Star)) return parent.columns.filter((c) => !c.dropped).map((c) => c.name);
    if (!f || !f.every((x) => x.String)) throw noCosts('an Append of members computing expressions');
    return [f[f.length - 1]!.String.sval as string];
  });
  const upper = n.groupClause || n.havingClause || n.sortClause || n.limitCount || n.limitOffset || n.distinctClause || n.lockingClause || n.windowClause
    || containsAggregate(n.targetList);
  if (upper) throw noCosts('nodes above an Append');
  let total = 0, rows = 0, width: number | null = null;
  append.children.forEach((c, i) => {
    const m = members[i]!;
    if (c.type !== 'Seq Scan') throw noCosts('an Append with an index scan member');
    const size = estimateRelSize(m, hasInheritanceChildren(ex.eng.catalog, m));
    const ws = whereSelectivity(m, size.tuples, n.whereClause);
    if (!ws) throw noCosts('this WHERE clause (its selectivity is not estimated)');
    const w = cols.reduce((a, name) => {
      const ci = m.columns.findIndex((x) => !x.dropped && x.name === name);
      const cw = columnWidth(m, ci);
      if (ci < 0 || !cw.exact) throw noCosts('a column whose width the simulator does not measure');
      return a + cw.width;
    }, 0);
    if (width !== null && w !== width) throw noCosts('an Append of members of different widths');
    width = w;
    c.cost = costSeqScan(size.pages, size.tuples, ws.ops, clampRowEst(size.tuples * ws.sel), w);
    total += c.cost.total;
    rows += c.cost.rows;
  });
  append.cost = { startup: append.children[0]!.cost!.startup, total: total + CPU_TUPLE_COST * 0.5 * rows, rows, width: width ?? 0 };
}
