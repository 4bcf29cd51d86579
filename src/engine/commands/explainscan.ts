/**
 * A scan's plan node as EXPLAIN prints it (explain.c ExplainNode's scan cases and show_scan_qual): "Seq Scan on
 * t", "Index Scan using t_pkey on t" with its Index Cond, a Bitmap Heap Scan with its Recheck Cond over a Bitmap
 * Index Scan (or a BitmapOr of them); the WHERE conjuncts the index does not take are the node's Filter. Under
 * ANALYZE: the rows returned, "Rows Removed by Filter" / "by Index Recheck" (text leaves zeros out) and "Heap
 * Blocks: exact=N".
 *
 * Simplifications: EXPLAIN ANALYZE of a BitmapOr is refused (0A000); lossy heap blocks never occur.
 */
import { notSupported } from '../errors.js';
import type { ScanInstr } from '../executor/instrument.js';
import type { ScanPath } from '../optimizer/planner.js';
import type { Deparser } from '../optimizer/ruleutils.js';
import type { N } from '../executor/util.js';
import type { Table } from '../catalog/catalog.js';
import { type PlanNode, type Prop, node, relTarget, textProp, countProp } from './plannodes.js';

/** The top-level AND conjuncts of a WHERE clause (the units an index condition is chosen from). */
const conjuncts = (w: N | undefined): N[] => (!w ? [] : w.BoolExpr?.boolop === 'AND_EXPR' ? w.BoolExpr.args : [w]);

/** The scan node for a path, its conditions split between the index and the filter. */
export function scanNode(path: ScanPath, t: Table, alias: string | null, where: N | undefined,
  d: Deparser): { top: PlanNode; scan: PlanNode; index: PlanNode | null } {
  const target = relTarget(t, alias);
  if ((path.kind === 'BitmapHeapScan' || path.kind === 'SeqScan') && path.unsure) throw notSupported(`EXPLAIN of ${path.unsure}`);
  const cond = 'cond' in path ? path.cond : null;
  // the conjuncts the index answers: a cost-chosen path lists them all (id > 5 AND id < 10), a rule's path has one
  const idxQuals: N[] = ('quals' in path && path.quals) || (cond ? [cond] : []);
  const rest = d.qualsOf(conjuncts(where).filter((c) => !idxQuals.includes(c)));
  // show_scan_qual and show_instrumentation_count, in ExplainNode's order
  const filter: Prop[] = rest.length ? [textProp('Filter', d.qualList(rest)), countProp('Rows Removed by Filter', 0)] : [];
  const indexCond = () => d.qualList(idxQuals.flatMap((q) => d.quals(q)), true);
  const recheck = (label: string, c: string): Prop[] => [textProp(label, c), countProp('Rows Removed by Index Recheck', 0)];
  switch (path.kind) {
    case 'SeqScan': { const p = node('Seq Scan', filter, [], { target }); return { top: p, scan: p, index: null }; }
    case 'IndexScan': {
      const p = node('Index Scan', [...recheck('Index Cond', indexCond()), ...filter], [], { scanDir: 'Forward', indexName: path.index.name, target });
      return { top: p, scan: p, index: null };
    }
    case 'IndexScanOrdered': {
      const conds = path.quals ? recheck('Index Cond', indexCond()) : [];
      const p = node('Index Scan', [...conds, ...filter], [], { scanDir: path.backward ? 'Backward' : 'Forward', indexName: path.index.name, target });
      return { top: p, scan: p, index: null };
    }
    case 'BitmapHeapScan': {
      const c = indexCond();
      const bitmapIndex = (name: string, ic: string) => node('Bitmap Index Scan', [textProp('Index Cond', ic)], [], { indexName: name });
      const idx = path.or
        ? node('BitmapOr', [], path.or.map((a) => bitmapIndex(a.index.name, d.qualList(d.quals(a.cond), true))))
        : bitmapIndex(path.index.name, c);
      const p = node('Bitmap Heap Scan', [...recheck('Recheck Cond', c), ...filter], [idx], { target });
      return { top: p, scan: p, index: idx };
    }
  }
}

/** Scan counts as ANALYZE shows them: the rows the filter removed, the heap blocks a bitmap scan read. */
export function fillScan(sc: { scan: PlanNode; index: PlanNode | null }, instr: ScanInstr, pulled: number | null) {
  const rows = pulled === null ? instr.rows : Math.min(pulled, instr.rows);
  sc.scan.rows = rows;
  const removed = pulled === null || rows === 0 ? (pulled === 0 ? 0 : instr.removed) : instr.removedBefore[rows - 1]!;
  setCount(sc.scan, 'Rows Removed by Filter', removed);
  if (sc.index) {
    if (sc.index.type === 'BitmapOr') throw notSupported('EXPLAIN ANALYZE of a BitmapOr');
    sc.index.rows = instr.indexRows;
    sc.scan.props.push(heapBlocksProp(instr.heapBlocks));
  }
}

/** set a node's ANALYZE count (placed when the node was built: "Rows Removed by Filter" after its Filter) */
export function setCount(p: PlanNode, label: string, value: number) {
  for (const x of p.props) if (x.kind === 'count' && x.label === label) x.value = value;
}

/** show_tidbitmap_info: "Heap Blocks: exact=N" in text (none when no block was read), two figures elsewhere */
const heapBlocksProp = (exact: number): Prop => ({
  kind: 'split', analyze: true, text: exact > 0 ? [`Heap Blocks: exact=${exact}`] : [],
  props: [{ kind: 'int', label: 'Exact Heap Blocks', value: exact }, { kind: 'int', label: 'Lossy Heap Blocks', value: 0 }],
});
