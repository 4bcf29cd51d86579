/**
 * Reading a table: which row versions of `t` this statement sees, and how it finds them.
 *
 * The planner (optimizer/planner.ts, chooseScan) picks the path; one node module runs it:
 *   nodeSeqscan.ts        every page and line pointer in physical order
 *   nodeIndexscan.ts      an index's entries for one key, or all of them in key order; each entry's HOT chain
 *   nodeBitmapHeapscan.ts the matching TIDs sorted, the heap read in TID order
 * All of them ask HeapTupleSatisfiesMVCC about each version they reach (setting hint bits as it goes) and apply the
 * WHERE clause; a page may be pruned as it is read (heap_page_prune_opt). Under SERIALIZABLE every read takes
 * SIREAD locks and reports rw-conflicts (predicate/).
 *
 *     CREATE TABLE t (k int PRIMARY KEY, v int);   -- never vacuumed: the planner assumes 10 pages
 *     SELECT * FROM t WHERE k = 2;                   -- Index Scan using t_pkey: visits k=2's chain only
 *     SELECT * FROM t WHERE k >= 2;                  -- Bitmap Heap Scan: matching TIDs, in TID order
 *     SELECT * FROM t WHERE v = 20;                  -- Seq Scan: every version, hint bits on all
 *
 * Mirrors: src/backend/executor/execScan.c (ExecScan: fetch, check quals, count rows removed by the filter),
 * access/heap/heapam.c (heap_hot_search_buffer). Simplifications: a scan returns all its rows at once (an array)
 * rather than one per call; where a LIMIT above it will pull only so many rows (`stopAfter`: no sort, grouping,
 * DISTINCT or row locks in between), it stops once it has them, as a pulled scan would — a Seq Scan after
 * finishing the page in hand (page-at-a-time visibility, heapgetpage), an index scan at once. WHERE is then never
 * evaluated on the rows after (`SELECT … WHERE 10 / a > 0 LIMIT 1` does not divide by a later zero), and their
 * pages get no hint bits and no pruning.
 */
import type { Executor } from './executor.js';
import type { Session, StepYield } from '../session/session.js';
import { evalWaiting, mayWait } from './exprwait.js';
import { type Compiled, type Scope, type Row } from '../sql/expr.js';
import { type Table, heapGetattrs } from '../catalog/catalog.js';
import { formatTid } from '../heap/heap.js';
import { heapPagePruneOpt, removableHorizon } from '../vacuum/pruneheap.js';
import type { Item } from '../heap/tuple.js';
import { satisfiesMVCC, explainVisibility, VIS_VISIBLE, VIS_NAMES } from '../visibility/visibility.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import { chooseScan, type ScanPath, type ScanOptions } from '../optimizer/planner.js';
import { N, Candidate, conflictOutXid } from './util.js';
import { execSeqScan } from './nodeSeqscan.js';
import { countScan, countIndexScan } from '../pgstat/pgstat_relation.js';
import type { BtreeIndex } from '../index/btree.js';
import { execIndexScan, execIndexScanOrdered } from './nodeIndexscan.js';
import { execBitmapHeapScan } from './nodeBitmapHeapscan.js';
import { type ScanInstr, newScanInstr } from './instrument.js';
import { Deparser } from '../optimizer/ruleutils.js';
import { getCurrentLiterals, setCurrentLiterals } from '../sql/parser.js';
import { scanLeaves, sameLayout, convertRow } from './execPartition.js';
import { expandsInheritance, inheritanceMembers } from '../optimizer/inherit.js';

/** A running scan: the test every node applies to a version it reaches, and the page visitor. */
export interface ScanState {
  ex: Executor;
  s: Session;
  t: Table;
  /** is this version visible and does it pass WHERE? (pushes it to `out` if so) */
  test(item: Item, blk: number, off: number, tupleLock: boolean): boolean;
  visit(blk: number): void;
  out: Candidate[];
  /** was the version the last test looked at visible to the snapshot (whether or not WHERE then passed it)? */
  visible: boolean;
  /** a LIMIT above has all the rows it will pull (stopAfter reached): the node stops reading */
  done: boolean;
  /** page-at-a-time visibility (heapgetpage) of a version on the page being read after the scan is done */
  checkVisibility(item: Item): void;
  /** index entries an Index Scan got from its index (idx_tup_read) */
  idxRead: number;
  /** live heap tuples fetched on blocks the visibility map calls all-visible (an Index Only Scan does not fetch them) */
  allVisibleFetched: number;
}

/** What the scan counts for the statistics (pgstat/pgstat_relation.ts): a Seq Scan, or one scan of each index used. */
function countScanOf(st: ScanState, path: ScanPath, fetched: number): void {
  const { s, t } = st;
  if (path.kind === 'SeqScan') { countScan(s, t.oid, 'seq', fetched); return; }
  if (path.kind === 'BitmapHeapScan') {
    // each Bitmap Index Scan returns its matching entries (killed ones skipped); the heap fetches are the table's
    const live = (index: BtreeIndex, tids: number[]) => (index.deadTids.size ? tids.filter((x) => !index.deadTids.has(x)).length : tids.length);
    if (path.or) {
      path.or.forEach((arm, i) => countIndexScan(s, t.oid, arm.index.oid, live(arm.index, arm.tids ?? []), i === 0 ? fetched : 0, true));
    } else countIndexScan(s, t.oid, path.index.oid, live(path.index, path.tids), fetched, true);
    return;
  }
  const heapFetched = path.indexOnly ? fetched - st.allVisibleFetched : fetched;
  countIndexScan(s, t.oid, path.index.oid, st.idxRead, heapFetched, false);
}

/**
 * Find the row versions of `t` visible to `snap` that satisfy `where`, by the path the planner chooses (or the one
 * given, when the caller planned already).
 */
export function scan(ex: Executor, s: Session, t: Table, snap: Snapshot, where: Compiled | null, whereNode: N | undefined, scope: Scope,
  opts: ScanOptions | ScanPath = {}, instr?: ScanInstr, stopAfter: number | null = null): Candidate[] {
  if (t.partKey) return appendScan(ex, s, t, snap, where, whereNode, scope, scanLeaves(ex.eng.catalog, t, whereNode), instr, stopAfter);
  // an inheritance parent: itself and its descendants (optimizer/inherit.ts), unless ONLY
  if (scope.inhMembers || (!scope.inhOnly && expandsInheritance(ex.eng.catalog, t, true))) {
    return appendScan(ex, s, t, snap, where, whereNode, scope, scope.inhMembers ?? inheritanceMembers(ex.eng.catalog, t), instr, stopAfter);
  }
  const path: ScanPath = 'kind' in opts ? opts : chooseScan(t, whereNode, scope, { ...opts, serializable: !!s.tx!.sxact });
  // the first scan of a statement run by EXPLAIN ANALYZE (UPDATE / DELETE) counts its rows
  if (!instr && ex.scanInstr) { instr = ex.scanInstr; ex.scanInstr = null; }
  const vctx = ex.eng.visibilityContext(s);
  const tracer = ex.eng.tracer;
  const deps = ex.eng.deps;
  const out: Candidate[] = [];
  const row: Row = { vals: [], item: null, blk: 0, off: 0, aggs: null };
  const sx = s.tx!.sxact;
  const pred = ex.eng.predicates;
  const natts = t.columns.length;
  let fetched = 0;
  const test = (item: Item, blk: number, off: number, tupleLock: boolean): boolean => {
    const v = satisfiesMVCC(item, snap, vctx);
    if (tracer.enabled && tracer.wants('visibility')) {
      tracer.emit({ kind: 'visibility', session: s.name, rel: t.name, blk, off, outcome: VIS_NAMES[v],
        text: `${s.name} reads ${formatTid(blk, off)}: ${explainVisibility(v, item, snap, s.name)}` });
    }
    const visible = VIS_VISIBLE[v]!;
    st.visible = visible;
    if (visible && !deps.muted) deps.read(s.tx!.vxid, t.oid, blk, off, item.xmin);
    if (sx) {
      pred.checkConflictOut(sx, conflictOutXidOf(item, visible, snap, ex));
      if (visible && tupleLock) pred.lockTuple(sx, t.oid, blk, off);
    }
    if (!visible) return false;
    fetched++;
    const vals = item.values.length < natts ? heapGetattrs(t, item.values) : item.values;
    row.vals = vals; row.item = item; row.blk = blk; row.off = off;
    if (where && where.fn(row) !== true) { if (instr) instr.removed++; return false; }
    if (instr) instr.removedBefore.push(instr.removed);
    out.push({ vals, item, blk, off, aggs: null });
    if (stopAfter !== null && out.length >= stopAfter) st.done = true;
    return true;
  };
  const checkVisibility = (item: Item) => {
    const v = satisfiesMVCC(item, snap, vctx);
    if (sx) pred.checkConflictOut(sx, conflictOutXidOf(item, VIS_VISIBLE[v]!, snap, ex));
  };
  const st: ScanState = { ex, s, t, test, visit: ex.pageVisitor(s, t), out, visible: false, done: stopAfter === 0, checkVisibility,
    idxRead: 0, allVisibleFetched: 0 };
  try {
    switch (path.kind) {
      case 'IndexScan': execIndexScan(st, path); break;
      case 'BitmapHeapScan': execBitmapHeapScan(st, path, instr); break;
      case 'IndexScanOrdered': execIndexScanOrdered(st, path); break;
      default: execSeqScan(st);
    }
  } finally {
    // counted when the scan began (initscan's pgstat_count_heap_scan), with the tuples read so far: a scan an
    // error ends (division by zero in WHERE, a serialization failure) still counts, as the scan counters are
    // not transactional
    countScanOf(st, path, fetched);
  }
  if (instr) { instr.rows = out.length; instr.path = path; }
  return out;
}

/**
 * A predicate read for the dependency graph (trace/deps.ts): the scan's search condition, the table and the
 * snapshot, so that a version a concurrent transaction installs and the condition matches — a phantom — is an
 * anti-dependency. Recorded only for a condition about the scanned row alone (see deps.ts): its own columns,
 * constants and operators; anything else (a function call, a subquery, a parameter, an outer column) is not
 * re-evaluated later and records nothing.
 */
export function recordPredicateRead(ex: Executor, s: Session, t: Table, snap: Snapshot, where: Compiled | null, whereNode: N | undefined, scope: Scope) {
  const tx = s.tx;
  if (!tx) return;
  if (whereNode && !rowLocal(whereNode, t, scope)) return;
  // printed when asked (rarely: a phantom's edge), with the statement's own literals put back for it — the parser's
  // literals are the statement's only while it runs (sql/parser.ts setCurrentLiterals); the Deparser reads nothing
  // else that changes: the tree, the scope's columns (copied when the statement began) and those literals
  let text: string | null = whereNode ? null : 'every row';
  const literals = getCurrentLiterals();
  const describe = () => {
    if (text !== null) return text;
    const prev = getCurrentLiterals();
    setCurrentLiterals(literals);
    try { const d = new Deparser(scope); text = `WHERE ${d.qualList(d.quals(whereNode))}`; } catch { text = 'its WHERE condition'; } finally { setCurrentLiterals(prev); }
    return text;
  };
  const row: Row = { vals: [], item: null, blk: 0, off: 0, aggs: null };
  ex.eng.deps.predicateRead(tx.vxid, {
    rel: t.oid, snap, key: whereNode ?? null, describe,
    matches: where ? (values) => { row.vals = values as Row['vals']; return where.fn(row) === true; } : () => true,
  });
}

const NOT_ROW_LOCAL = new Set(['SubLink', 'ParamRef', 'FuncCall', 'SQLValueFunction', 'A_Star', 'CollateClause', 'RowExpr']);
function rowLocal(n: unknown, t: Table, scope: Scope): boolean {
  if (Array.isArray(n)) return n.every((x) => rowLocal(x, t, scope));
  if (!n || typeof n !== 'object') return true;
  for (const [k, v] of Object.entries(n as Record<string, unknown>)) {
    if (NOT_ROW_LOCAL.has(k)) return false;
    if (k === 'ColumnRef') {
      const f = ((v as { fields?: { String?: { sval: string } }[] }).fields ?? []);
      if (!f.length || f.length > 2 || !f.every((x) => x.String)) return false;
      const name = f[f.length - 1]!.String!.sval;
      if (!t.columns.some((c) => !c.dropped && c.name === name)) return false;
      if (f.length === 2 && f[0]!.String!.sval !== (scope.alias ?? t.name)) return false;
      continue;
    }
    if (!rowLocal(v, t, scope)) return false;
  }
  return true;
}

/**
 * scan(), for a WHERE clause that may wait (pg_advisory_lock(…) in it): the visible versions first, then the
 * clause row by row where a call in it can wait (executor/exprwait.ts). Any other clause: scan() as it is.
 */
export function* scanWaiting(ex: Executor, s: Session, t: Table, snap: Snapshot, where: Compiled | null, whereNode: N | undefined, scope: Scope,
  opts: ScanOptions | ScanPath = {}, instr?: ScanInstr, stopAfter: number | null = null): Generator<StepYield, Candidate[], void> {
  if (!where || !mayWait(whereNode)) return scan(ex, s, t, snap, where, whereNode, scope, opts, instr, stopAfter);
  const out = yield* filterWaiting(s, scan(ex, s, t, snap, null, whereNode, scope, opts, instr), where, instr);
  if (instr) instr.rows = out.length;
  return out;
}

/** The rows that pass `where`, evaluated row by row where a call in it can wait. */
export function* filterWaiting<R extends Row>(s: Session, rows: R[], where: Compiled, instr?: { removed: number }): Generator<StepYield, R[], void> {
  const out: R[] = [];
  for (const c of rows) {
    if ((yield* evalWaiting(s, () => where.fn(c))) === true) out.push(c);
    else if (instr) instr.removed++;
  }
  return out;
}

const conflictOutXidOf = (item: Item, visible: boolean, snap: Snapshot, ex: Executor) => conflictOutXid(item, visible, snap, ex.eng);

/**
 * A heap page is about to be read (a sequential scan reaching it, an index fetch switching to it): the reader
 * may prune it first (heap_page_prune_opt). Returns the function to call per page; the horizon is computed at
 * most once per scan, and only if some page is a candidate.
 */
export function pageVisitor(ex: Executor, s: Session, t: Table): (blk: number) => void {
  let horizon = -1, last = -1;
  const eng = ex.eng;
  const h = () => (horizon < 0 ? (horizon = removableHorizon(eng)) : horizon);
  const deferred = s.cursorScan?.visits; // a cursor's scan: pruned as the cursor reaches the page (commands/portalcmds.ts)
  return (blk) => {
    if (blk === last) return;
    last = blk;
    if (deferred) { deferred.push({ t, blk }); return; }
    const page = t.heap.pages[blk];
    if (page && page.pruneXid) heapPagePruneOpt(eng, t, page, s.id, h);
  };
}

/**
 * An Append (nodeAppend.c) over a partitioned table's leaves, pruned at plan time (partitioning/partprune.ts), or
 * over an inheritance parent and its descendants (optimizer/inherit.ts): each member scanned in turn, its rows
 * converted to the parent's layout; each row remembers the relation it came from (`rel`: tableoid, and the heap a
 * row lock or UPDATE acts on).
 */
function appendScan(ex: Executor, s: Session, t: Table, snap: Snapshot, where: Compiled | null, whereNode: N | undefined, scope: Scope,
  members: Table[], instr?: ScanInstr, stopAfter: number | null = null): Candidate[] {
  const out: Candidate[] = [];
  // EXPLAIN ANALYZE: each member counted as its own scan node under the Append
  if (instr) { instr.members = []; instr.appendStarted = stopAfter !== 0; }
  // WHERE tableoid = …: evaluated on each row once it carries its relation (not inside the member's scan)
  const readsTableoid = !!whereNode && JSON.stringify(whereNode).includes('"tableoid"');
  for (const leaf of members) {
    // a LIMIT above has its rows: the members after are never started (ExecAppend stops being pulled; a member's
    // scan begins on its first fetch, so it is not counted either)
    if (stopAfter !== null && out.length >= stopAfter) break;
    const same = sameLayout(leaf, t) && !readsTableoid;
    // each member is read alone (an inheritance parent's own rows as ONLY would read them)
    const lscope: Scope = { ...(same ? scope : ex.tableScope(leaf, null, s, () => snap, scope.sql)), inhOnly: true };
    delete lscope.inhMembers;
    const mi = instr ? newScanInstr() : undefined;
    if (mi) instr!.members!.push(mi);
    const left = stopAfter === null || !same ? null : stopAfter - out.length;
    const before = out.length;
    for (const c of scan(ex, s, leaf, snap, same ? where : null, same ? whereNode : undefined, lscope, {}, mi, left)) {
      // (a member read whole, its rows filtered here: it returned only the rows the LIMIT pulled)
      if (stopAfter !== null && out.length >= stopAfter) { if (mi) mi.rows = out.length - before; break; }
      const cand: Candidate = same ? { ...c, rel: leaf } : { ...c, vals: convertRow(leaf, t, c.vals), rel: leaf };
      if (!same && where && where.fn(cand) !== true) { if (mi) { mi.removed++; mi.rows--; } continue; }
      out.push(cand);
    }
  }
  if (instr) instr.rows = out.length;
  return out;
}
