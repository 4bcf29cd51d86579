/**
 * Reading a table: which row versions of `t` this statement sees, and how it finds them.
 *
 * A sequential scan walks every page and line pointer in physical order and asks HeapTupleSatisfiesMVCC about each
 * version (setting hint bits as it goes). With `key = constant` on a single-column index the planner takes an
 * index scan, which follows each entry's HOT chain to its first visible member. A range or IN list on an integer
 * index column of a never-vacuumed table is a bitmap scan: the index gives the TIDs, the heap is read in TID
 * order. Which one runs matters to a learner: it decides which tuples get hint bits and the row order without
 * ORDER BY. Each page read may be pruned first (heap_page_prune_opt). Under SERIALIZABLE every read takes SIREAD
 * locks and reports rw-conflicts (predicate/).
 *
 *     CREATE TABLE t (k int PRIMARY KEY, v int);   -- never vacuumed: the planner assumes 10 pages
 *     SELECT * FROM t WHERE k = 2;                   -- Index Scan using t_pkey: visits k=2's chain only
 *     SELECT * FROM t WHERE k >= 2;                  -- Bitmap Heap Scan: matching TIDs, in TID order
 *     SELECT * FROM t WHERE v = 20;                  -- Seq Scan: every version, hint bits on all
 *
 * Mirrors: src/backend/executor/nodeSeqscan.c, nodeIndexscan.c, nodeBitmapHeapscan.c, access/heap/heapam.c
 * (heap_hot_search_buffer), optimizer/util/plancat.c (the 10-page guess). Simplifications: the plan choice is
 * a rule (checked against PostgreSQL's plans on small tables), not a cost model.
 */
import type { Executor } from './executor.js';
import type { Session } from '../session/session.js';
import { intConst } from '../sql/parser.js';
import {
  compileExpr, castTo, type Compiled, type Scope, type Row, 
} from '../sql/expr.js';
import { type SqlType, type Value, isStringLike } from '../sql/types.js';
import type { Table } from '../catalog/catalog.js';
import { tidBlock, tidOffset, formatTid } from '../heap/heap.js';
import { BtreeIndex } from '../index/btree.js';
import { heapPagePruneOpt, removableHorizon } from '../vacuum/pruneheap.js';
import { type Item, LpFlags } from '../heap/tuple.js';
import {
  satisfiesMVCC, explainVisibility, VIS_VISIBLE, VIS_NAMES, 
} from '../visibility/visibility.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import {
  N, Candidate, hotChain, conflictOutXid, 
} from './util.js';

/**
 * Find the row versions of `t` visible to `snap` that satisfy `where`: a sequential scan, or an index lookup
 * when WHERE has `key = constant` on a single-column unique index.
 */
export function scan(ex: Executor, s: Session, t: Table, snap: Snapshot, where: Compiled | null, whereNode: N | undefined, scope: Scope, orderCol = -1): Candidate[] {
  const vctx = ex.eng.visibilityContext(s);
  const tracer = ex.eng.tracer;
  const deps = ex.eng.deps;
  const out: Candidate[] = [];
  const row: Row = { vals: [], item: null, blk: 0, off: 0, aggs: null };
  const sx = s.tx!.sxact;
  const pred = ex.eng.predicates;
  if (sx) pred.checkReadAllowed(sx);
  const test = (item: Item, blk: number, off: number, tupleLock: boolean): boolean => {
    const v = satisfiesMVCC(item, snap, vctx);
    if (tracer.enabled && tracer.wants('visibility')) {
      tracer.emit({ kind: 'visibility', session: s.name, rel: t.name, blk, off, outcome: VIS_NAMES[v],
        text: `${s.name} reads ${formatTid(blk, off)}: ${explainVisibility(v, item, snap, s.name)}` });
    }
    const visible = VIS_VISIBLE[v]!;
    if (visible && !deps.muted) deps.read(s.tx!.vxid, t.oid, blk, off, item.xmin);
    if (sx) {
      pred.checkConflictOut(sx, conflictOutXid(item, visible, snap, ex.eng));
      if (visible && tupleLock) pred.lockTuple(sx, t.oid, blk, off);
    }
    if (!visible) return false;
    row.vals = item.values; row.item = item; row.blk = blk; row.off = off;
    if (where && where.fn(row) !== true) return false;
    out.push({ vals: item.values, item, blk, off, aggs: null });
    return true;
  };
  const visit = ex.pageVisitor(s, t);
  const probe = ex.indexProbe(t, whereNode, scope);
  if (probe) {
    if (sx) pred.lockPage(sx, probe.index.oid, probe.index.leafBlock);
    for (const tid of probe.index.lookup(probe.key)) {
      visit(tidBlock(tid));
      for (const m of hotChain(t, tidBlock(tid), tidOffset(tid), ex.eng.multis)) if (test(m.item, m.blk, m.off, true)) break;
    }
    return out;
  }
  // A bitmap scan for a range (<, <=, >, >=, BETWEEN, IN) on an integer index column of a never-vacuumed table:
  // the planner's 10-page guess makes the index cheaper. The heap is visited in TID order of the matching
  // entries (each entry's HOT chain to its first visible member), so rows come in that order, not seq scan's.
  // Under SERIALIZABLE the index scan locks the leaf page it read and each visible tuple (not the relation).
  const bitmap = !t.stats ? ex.bitmapProbe(t, whereNode) : null;
  if (bitmap) {
    if (sx) pred.lockPage(sx, bitmap.index.oid, bitmap.index.leafBlock);
    for (const tid of bitmap.tids) {
      visit(tidBlock(tid));
      for (const m of hotChain(t, tidBlock(tid), tidOffset(tid), ex.eng.multis)) if (test(m.item, m.blk, m.off, true)) break;
    }
    return out;
  }
  // A full index scan for ORDER BY on an indexed column when the table has no statistics (never vacuumed or
  // analyzed: the planner assumes 10 pages and prefers reading in index order to sorting). It visits each
  // entry's HOT chain up to the first visible member, so versions behind it are never looked at (no hint bits).
  const ordered = orderCol >= 0 && !t.stats ? t.indexes.find((i) => i.columns[0] === orderCol) : undefined;
  if (ordered && !sx) {
    const tids: number[] = [];
    for (const v of ordered.entries.values()) { if (typeof v === 'number') tids.push(v); else tids.push(...v); }
    for (const e of ordered.nullEntries) tids.push(e.tid);
    for (const tid of tids) {
      visit(tidBlock(tid));
      for (const m of hotChain(t, tidBlock(tid), tidOffset(tid), ex.eng.multis)) if (test(m.item, m.blk, m.off, false)) break;
    }
    return out;
  }
  if (sx) pred.lockRelation(sx, t.oid);
  const pages = t.heap.pages;
  for (let b = 0; b < pages.length; b++) {
    if (pages[b]!.pruneXid) visit(b);
    const items = pages[b]!.items;
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (item.lpFlags !== LpFlags.NORMAL) continue;
      test(item, b, i + 1, false);
    }
  }
  return out;
}

/**
 * A heap page is about to be read (a sequential scan reaching it, an index fetch switching to it): the reader
 * may prune it first (heap_page_prune_opt). Returns the function to call per page; the horizon is computed at
 * most once per scan, and only if some page is a candidate.
 */
export function pageVisitor(ex: Executor, s: Session, t: Table): (blk: number) => void {
  let horizon = -1, last = -1;
  const eng = ex.eng;
  const h = () => (horizon < 0 ? (horizon = removableHorizon(eng)) : horizon);
  return (blk) => {
    if (blk === last) return;
    last = blk;
    const page = t.heap.pages[blk];
    if (page && page.pruneXid) heapPagePruneOpt(eng, t, page, s.id, h);
  };
}

/**
 * The TIDs a Bitmap Index Scan would give for `col op constant` conjuncts on a single-column index over an integer
 * column (sorted, as the bitmap hands them to the heap scan), or null when WHERE has no such condition.
 */
export function bitmapProbe(ex: Executor, t: Table, whereNode: N | undefined): { index: BtreeIndex; tids: number[] } | null {
  if (!whereNode || t.indexes.length === 0) return null;
  const conj: N[] = whereNode.BoolExpr?.boolop === 'AND_EXPR' ? whereNode.BoolExpr.args : [whereNode];
  const intConstOf = (x: N | undefined): number | null => {
    const c = x?.A_Const;
    if (!c || c.isnull || c.ival === undefined && !('ival' in c)) return null;
    const v = intConst(c);
    return typeof v === 'number' ? v : null;
  };
  const colOf = (x: N | undefined): number => {
    const f = x?.ColumnRef?.fields;
    if (!f || f.length !== 1 || !f[0].String) return -1;
    const i = t.columns.findIndex((c) => c.name === f[0].String.sval);
    return i >= 0 && ['int2', 'int4', 'int8'].includes(t.columns[i]!.type.name) ? i : -1;
  };
  const FLIP: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=' };
  for (const c of conj) {
    const e = c.A_Expr;
    if (!e || e.name?.length !== 1) continue;
    const op = e.name[0]?.String?.sval as string;
    let col = -1;
    let match: (k: number) => boolean;
    if (e.kind === 'AEXPR_OP' && op in FLIP && op !== '=') {
      let o = op, v = intConstOf(e.rexpr);
      col = colOf(e.lexpr);
      if (col < 0 || v === null) { col = colOf(e.rexpr); v = intConstOf(e.lexpr); o = FLIP[op]!; }
      if (col < 0 || v === null) continue;
      const x = v;
      match = o === '<' ? (k) => k < x : o === '<=' ? (k) => k <= x : o === '>' ? (k) => k > x : (k) => k >= x;
    } else if (e.kind === 'AEXPR_BETWEEN' && op === 'BETWEEN') {
      col = colOf(e.lexpr);
      const items = e.rexpr?.List?.items as N[] | undefined;
      const lo = intConstOf(items?.[0]), hi = intConstOf(items?.[1]);
      if (col < 0 || lo === null || hi === null) continue;
      match = (k) => k >= lo && k <= hi;
    } else if (e.kind === 'AEXPR_IN' && op === '=') {
      col = colOf(e.lexpr);
      const vals = ((e.rexpr?.List?.items ?? []) as N[]).map(intConstOf);
      if (col < 0 || !vals.length || vals.some((v) => v === null)) continue;
      const set = new Set(vals as number[]);
      match = (k) => set.has(k);
    } else continue;
    const index = t.indexes.find((i) => i.columns.length === 1 && i.columns[0] === col);
    if (!index) continue;
    const tids: number[] = [];
    for (const [k, v] of index.entries) {
      if (typeof k !== 'number') return null; // an int8 key beyond 2^53 (kept as text): leave it to a seq scan
      if (!match(k)) continue;
      if (typeof v === 'number') tids.push(v); else tids.push(...v);
    }
    return { index, tids: [...new Set(tids)].sort((a, b) => a - b) };
  }
  return null;
}

export function indexProbe(ex: Executor, t: Table, whereNode: N | undefined, scope: Scope): { index: BtreeIndex; key: string | number } | null {
  if (!whereNode || t.indexes.length === 0) return null;
  if (t.stats) {
    // With statistics the planner knows the table is small and prefers a sequential scan (cost: pages +
    // 0.0125 per tuple) over an index scan (~8.3: a random index page + a random heap page). Without them it
    // assumes 10 pages for a never-vacuumed table and takes the index.
    const pages = t.heap.pages.length;
    const tuples = (t.stats.reltuples / Math.max(1, t.stats.relpages)) * pages;
    if (pages + 0.0125 * tuples < 8.3) return null;
  }
  const conj: N[] = whereNode.BoolExpr?.boolop === 'AND_EXPR' ? whereNode.BoolExpr.args : [whereNode];
  for (const c of conj) {
    const e = c.A_Expr;
    if (!e || e.kind !== 'AEXPR_OP' || e.name?.[0]?.String?.sval !== '=' || e.name.length !== 1) continue;
    for (const [colSide, constSide] of [[e.lexpr, e.rexpr], [e.rexpr, e.lexpr]] as [N, N][]) {
      const fields = colSide?.ColumnRef?.fields;
      if (!fields || fields.length !== 1 || !fields[0].String) continue;
      const colIdx = t.columns.findIndex((col) => col.name === fields[0].String.sval);
      if (colIdx < 0) continue;
      const index = t.indexes.find((i) => i.columns.length === 1 && i.columns[0] === colIdx);
      if (!index) continue;
      if (!constSide?.A_Const || constSide.A_Const.isnull) continue;
      const colType = t.columns[colIdx]!.type;
      const k = compileExpr(constSide, { ...scope, aggs: undefined });
      // only when comparing in the column's own type (no cross-type semantics to reproduce)
      // bpchar compares ignoring trailing blanks, text and varchar do not: probe only within one of the two semantics
      const blankPadded = (t: SqlType) => t.name === 'bpchar';
      const sameFamily = (k.type.name === 'unknown') || (['int2', 'int4', 'int8'].includes(k.type.name) && ['int2', 'int4', 'int8'].includes(colType.name)) ||
        (isStringLike(k.type) && isStringLike(colType) && (blankPadded(colType) ? k.type.name !== 'text' : !blankPadded(k.type)));
      if (!sameFamily) continue;
      let v: Value;
      try { v = castTo(k, colType, false).fn(null as unknown as Row); } catch { continue; }
      if (v === null) continue;
      const vals: Value[] = [];
      vals[colIdx] = v;
      const key = index.keyOf(vals);
      if (key === null) continue;
      return { index, key };
    }
  }
  return null;
}
