/**
 * A scan's plan node as EXPLAIN prints it (explain.c ExplainNode's scan cases and show_scan_qual): "Seq Scan on
 * t", "Index Scan using t_pkey on t" with its Index Cond, a Bitmap Heap Scan with its Recheck Cond over a Bitmap
 * Index Scan (or a BitmapOr of them); the WHERE conjuncts the index does not take are the node's Filter. Under
 * ANALYZE: the rows returned, "Rows Removed by Filter" and "Heap Blocks: exact=N".
 *
 * Simplifications: EXPLAIN ANALYZE of a BitmapOr is refused (0A000); lossy heap blocks never occur.
 */
import { notSupported } from '../errors.js';
import type { ScanInstr } from '../executor/instrument.js';
import type { ScanPath } from '../optimizer/planner.js';
import { Deparser, quoteIdent } from '../optimizer/ruleutils.js';
import type { N } from '../executor/util.js';
import type { Table } from '../catalog/catalog.js';
import { type PlanNode, node, relLabel } from './plannodes.js';

/** The top-level AND conjuncts of a WHERE clause (the units an index condition is chosen from). */
const conjuncts = (w: N | undefined): N[] => (!w ? [] : w.BoolExpr?.boolop === 'AND_EXPR' ? w.BoolExpr.args : [w]);

/** The scan node for a path, its conditions split between the index and the filter. */
export function scanNode(path: ScanPath, t: Table, alias: string | null, where: N | undefined,
  d: Deparser): { top: PlanNode; scan: PlanNode; index: PlanNode | null } {
  const rel = relLabel(t, alias);
  if (path.kind === 'BitmapHeapScan' && path.unsure) throw notSupported(`EXPLAIN of ${path.unsure}`);
  const cond = 'cond' in path ? path.cond : null;
  // the conjuncts the index answers: a cost-chosen path lists them all (id > 5 AND id < 10), a rule's path has one
  const idxQuals: N[] = ('quals' in path && path.quals) || (cond ? [cond] : []);
  const rest = d.qualsOf(conjuncts(where).filter((c) => !idxQuals.includes(c)));
  const filter = rest.length ? [`Filter: ${d.qualList(rest)}`] : [];
  const indexCond = () => d.qualList(idxQuals.flatMap((q) => d.quals(q)), true);
  switch (path.kind) {
    case 'SeqScan': { const p = node(`Seq Scan on ${rel}`, filter); return { top: p, scan: p, index: null }; }
    case 'IndexScan': {
      const p = node(`Index Scan using ${quoteIdent(path.index.name)} on ${rel}`, [`Index Cond: ${indexCond()}`, ...filter]);
      return { top: p, scan: p, index: null };
    }
    case 'IndexScanOrdered': {
      const conds = path.quals ? [`Index Cond: ${indexCond()}`] : [];
      const p = node(`Index Scan${path.backward ? ' Backward' : ''} using ${quoteIdent(path.index.name)} on ${rel}`, [...conds, ...filter]);
      return { top: p, scan: p, index: null };
    }
    case 'BitmapHeapScan': {
      const c = indexCond();
      const idx = path.or
        ? node('BitmapOr', [], path.or.map((a) => node(`Bitmap Index Scan on ${quoteIdent(a.index.name)}`, [`Index Cond: ${d.qualList(d.quals(a.cond), true)}`])))
        : node(`Bitmap Index Scan on ${quoteIdent(path.index.name)}`, [`Index Cond: ${c}`]);
      const p = node(`Bitmap Heap Scan on ${rel}`, [`Recheck Cond: ${c}`, ...filter], [idx]);
      return { top: p, scan: p, index: idx };
    }
  }
}

/** Scan counts as ANALYZE shows them: the filter's removed rows follow the scan's node (after Index Cond / Filter). */
export function fillScan(sc: { scan: PlanNode; index: PlanNode | null }, instr: ScanInstr, pulled: number | null) {
  const rows = pulled === null ? instr.rows : Math.min(pulled, instr.rows);
  sc.scan.rows = rows;
  const removed = pulled === null || rows === 0 ? (pulled === 0 ? 0 : instr.removed) : instr.removedBefore[rows - 1]!;
  const hasFilter = sc.scan.details.some((x) => x.startsWith('Filter:'));
  if (hasFilter) sc.scan.analyzeDetails.push(`Rows Removed by Filter: ${removed}`);
  if (sc.index) {
    if (sc.index.name === 'BitmapOr') throw notSupported('EXPLAIN ANALYZE of a BitmapOr');
    sc.index.rows = instr.indexRows;
    if (instr.heapBlocks > 0) sc.scan.analyzeDetails.push(`Heap Blocks: exact=${instr.heapBlocks}`);
  }
}
