/**
 * What the executor's modules share: the shapes of rows and sources, small helpers over the parse tree (the first
 * cursor position in a node, whether it calls an aggregate), and value comparison as the heap sees it.
 *
 * Mirrors: bits of src/backend/executor/execUtils.c and parser/parse_agg.c.
 */
import { PG15_AGGREGATES } from '../catalog/pg15names.js';
import { PgError, posOf } from '../errors.js';
import type { Engine } from '../engine.js';
import type { StepYield } from '../session/session.js';
import {
  exprLocation, type Scope, type Row,
} from '../sql/expr.js';
import { type SqlType, type Value, formatValue } from '../sql/types.js';
import { Numeric } from '../sql/numeric.js';
import type { Table } from '../catalog/catalog.js';
import type { ScanPath } from '../optimizer/planner.js';
import { type MultiXacts, updateXidOf } from '../multixact/multixact.js';
import { type Item, LpFlags, isHotUpdated, HEAP_ONLY_TUPLE, HEAP_XMAX_LOCK_ONLY } from '../heap/tuple.js';
import {
  type TupleLockMode,
} from '../heap/heapam.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import type { JoinPlan } from '../optimizer/joinpath.js';

export type N = Record<string, any>;
export type Gen<T> = Generator<StepYield, T, void>;

export interface Source {
  scope: Scope;
  table: Table | null;
  /** rows of a function source (generate_series) or of a join */
  rows?: () => Iterable<Value[]>;
  /** the tables a join reads (locked AccessShare before it runs) */
  tables?: Table[];
  /** the join tree the planner chose (EXPLAIN prints it) */
  joinPlan?: JoinPlan;
}

/** One input of a join: a base table (scanned with the statement's snapshot) or a nested join. */
export interface JoinInput {
  names: string[];
  /** `hidden`: a JOIN ... USING side's USING column (executor/joinusing.ts), reached only qualified */
  columns: { name: string; type: SqlType; dropped?: boolean; hidden?: boolean }[];
  rels: { name: string; count: number; table?: Table }[]; tables: Table[]; rows: () => Value[][]; plan: JoinPlan;
  /** a plain table's rows read through an index path instead (the inner side of a parameterized nested loop, an Index Scan) */
  probe?: (path: ScanPath) => Value[][];
}

/** A row version a scan found; `rel`: the partition it lives in, when the scan was an Append over a partitioned table */
export interface Candidate extends Row { item: Item; rel?: Table }

export const LOCK_STRENGTH: Record<string, TupleLockMode> = {
  LCS_FORKEYSHARE: 'keyshare', LCS_FORSHARE: 'share', LCS_FORNOKEYUPDATE: 'nokeyexclusive', LCS_FORUPDATE: 'exclusive',
};
export const LOCK_CLAUSE_NAME: Record<TupleLockMode, string> = {
  keyshare: 'FOR KEY SHARE', share: 'FOR SHARE', nokeyexclusive: 'FOR NO KEY UPDATE', exclusive: 'FOR UPDATE',
};

/** A bulk statement reports progress (and can be paused or cancelled) every this many rows. */
export const PROGRESS_ROWS = 20000;


/** Members of a HOT chain starting at a root line pointer (following redirects and heap-only successors). */
export function* hotChain(t: Table, blk: number, off: number, multis: MultiXacts): Generator<{ blk: number; off: number; item: Item }> {
  const page = t.heap.pages[blk];
  if (!page) return;
  let item = page.items[off - 1];
  if (item && item.lpFlags === LpFlags.REDIRECT) { off = item.lpOff; item = page.items[off - 1]; }
  let prevXmax = -1;
  while (item && item.lpFlags === LpFlags.NORMAL) {
    if (prevXmax >= 0 && item.xmin !== prevXmax) return;
    yield { blk, off, item };
    if (!isHotUpdated(item) || item.ctidBlock !== blk) return;
    prevXmax = updateXidOf(item, multis);
    off = item.ctidOffset;
    item = page.items[off - 1];
    if (item && !(item.infomask2 & HEAP_ONLY_TUPLE)) return;
  }
}

/**
 * HeapCheckForSerializableConflictOut: which transaction's write did this read skip over? (The inserter of a
 * version we cannot see, or the deleter of one we still see.) 0 when none matters.
 */
export function conflictOutXid(item: Item, visible: boolean, snap: Snapshot, eng: Engine): number {
  const clog = eng.xacts.clog;
  // XMIN_INVALID alone: the inserter aborted; with XMIN_COMMITTED too it is XMIN_FROZEN, a live tuple
  if ((item.infomask & 0x0300) === 0x0200 /* XMIN_INVALID */) return 0;
  const xminRunning = eng.xacts.isInProgress(item.xmin);
  if (!xminRunning && !(item.infomask & 0x0100) && !clog.didCommit(item.xmin)) return 0; // aborted inserter: dead
  if (xminRunning) return item.xmin; // HEAPTUPLE_INSERT_IN_PROGRESS
  const lockOnly = (item.infomask & HEAP_XMAX_LOCK_ONLY) !== 0 || (item.infomask & 0x0800) !== 0 || item.xmax === 0;
  const xmax = updateXidOf(item, eng.multis);
  const xmaxLive = !lockOnly && xmax !== 0 && (eng.xacts.isInProgress(xmax) || clog.didCommit(xmax));
  if (!xmaxLive) return visible ? 0 : item.xmin; // HEAPTUPLE_LIVE
  const xid = visible ? xmax : item.xmin; // RECENTLY_DEAD / DELETE_IN_PROGRESS
  return xid < snap.xmin ? 0 : xid;
}

export const failingRow = (vals: Value[]) => `Failing row contains (${vals.map((v) => formatValue(v) ?? 'null').join(', ')}).`;

export function sameValue(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (a instanceof Numeric && b instanceof Numeric) return a.cmp(b) === 0 && a.scale === b.scale;
  return formatValue(a) === formatValue(b);
}


export const SERIAL_TYPES = new Map([['serial', 'int4'], ['serial4', 'int4'], ['bigserial', 'int8'], ['serial8', 'int8'], ['smallserial', 'int2'], ['serial2', 'int2']]);
export const VACUUM_OPTIONS = new Set(['verbose', 'skip_locked', 'analyze', 'freeze', 'full', 'disable_page_skipping', 'index_cleanup', 'process_toast', 'truncate', 'parallel']);
export const ANALYZE_OPTIONS = new Set(['verbose', 'skip_locked']);

/** transformValuesClause / transformInsertStmt: every VALUES row has the same length (error at the first that differs). */
export function checkValuesLists(lists: N[]): void {
  const width = (lists[0]!.List.items as N[]).length;
  for (const l of lists) {
    const items = l.List.items as N[];
    if (items.length !== width) throw new PgError('42601', 'VALUES lists must all be the same length', { position: posOf(exprLocation(items[0])) });
  }
}

/** A target expression's identity for equal(): a plain column by its position, anything else by its parse tree. */
export function expressionKey(n: N, scope: Scope): string {
  // (t).col and ((t).*)'s col are the column t.col (ParseComplexProjection on a whole-row reference)
  const ai = n.A_Indirection, af = ai?.arg?.ColumnRef?.fields as N[] | undefined;
  if (ai && af?.every((x) => x.String) && ai.indirection.length === 1 && ai.indirection[0].String) {
    return expressionKey({ ColumnRef: { fields: [...af, ai.indirection[0]] } }, scope);
  }
  const f = n.ColumnRef?.fields as N[] | undefined;
  if (f && f.every((x) => x.String)) {
    const name = f[f.length - 1]!.String.sval;
    const qual = f.length === 2 ? f[0]!.String.sval : null;
    if (scope.rels) {
      const rel = qual ? scope.rels.find((r) => r.name === qual) : undefined;
      const hits = scope.columns.map((c, i) => (c.name === name && (!rel || (i >= rel.offset && i < rel.offset + rel.count)) ? i : -1)).filter((i) => i >= 0);
      if (hits.length === 1 && (!qual || rel)) return `column ${hits[0]}`;
    } else if (!qual || qual === (scope.alias ?? scope.relName)) {
      const i = scope.columns.findIndex((c) => c.name === name);
      if (i >= 0) return `column ${i}`;
    }
  }
  return JSON.stringify(n, (k, v) => (k === 'location' ? undefined : v));
}

export function firstLocation(n: N | undefined): number | undefined {
  if (!n || typeof n !== 'object') return undefined;
  if (typeof n.location === 'number') return n.location;
  for (const v of Object.values(n)) {
    if (v && typeof v === 'object') {
      const l = firstLocation(v as N);
      if (l !== undefined) return l;
    }
  }
  return undefined;
}

export { needsToast } from '../heap/heaptoast.js';

/** Does this parse tree call an aggregate function (outside a subquery)? Any of PostgreSQL 15's: the simulator's
 * own, or one it refuses with 0A000 when the call is compiled. */
export function containsAggregate(n: unknown): boolean {
  if (!n || typeof n !== 'object') return false;
  const o = n as N;
  if (o.FuncCall) {
    const names = (o.FuncCall.funcname as N[]).map((x) => x.String.sval as string);
    if (PG15_AGGREGATES.has(names[names.length - 1]!.toLowerCase()) && !o.FuncCall.over) return true;
  }
  if (o.SubLink) return false;
  return Object.values(o).some(containsAggregate);
}

/** Is there a GROUPING(...) call in this tree (not inside a subquery)? It makes the query grouped, as an aggregate does. */
export function containsGroupingFunc(n: unknown): boolean {
  if (!n || typeof n !== 'object') return false;
  const o = n as N;
  if (o.GroupingFunc) return true;
  if (o.SubLink) return false;
  return Object.values(o).some(containsGroupingFunc);
}

export function collectColumnRefs(n: unknown, out: Set<string>) {
  if (!n || typeof n !== 'object') return;
  const o = n as N;
  if (o.ColumnRef) {
    const f = o.ColumnRef.fields;
    if (f[f.length - 1].String) out.add(f[f.length - 1].String.sval);
    return;
  }
  for (const v of Object.values(o)) collectColumnRefs(v, out);
}

/**
 * Does the WHERE call a user function? Then its side effects (a NOTICE, a write) show the executor's order:
 * PostgreSQL's plan is a pipeline — the scan hands ModifyTable one row at a time, so WHERE of the next row runs
 * after the previous row was updated (its triggers fired, its lock waited for). Such statements (and any on a table
 * with triggers) test WHERE row by row in the modify loop instead of during the scan.
 */
export function callsUserFunction(n: unknown, ex: { eng: Engine }): boolean {
  const fns = ex.eng.catalog.functions;
  return fns.size > 0 && calledNames(n).some((name) => fns.has(name));
}

/**
 * The (unqualified) names of the functions a parse tree calls, in tree order: a fact of the tree alone, kept per
 * node of a frozen tree — a cached statement's tree (sql/parser.ts) is shared and never changed, so its walk is done once.
 */
export function calledNames(n: unknown): readonly string[] {
  if (!n || typeof n !== 'object') return NONE;
  let names = CALLED.get(n);
  if (names) return names;
  const found: string[] = [];
  const walk = (x: unknown) => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) { for (const y of x) walk(y); return; }
    const o = x as N;
    if (o.FuncCall) {
      const fname = (o.FuncCall.funcname as N[])[(o.FuncCall.funcname as N[]).length - 1]?.String?.sval as string | undefined;
      if (fname !== undefined) found.push(fname);
    }
    for (const k in o) walk(o[k]);
  };
  walk(n);
  names = found.length ? found : NONE;
  if (Object.isFrozen(n)) CALLED.set(n, names); // a tree someone may still change is walked again next time
  return names;
}
const NONE: readonly string[] = [];
const CALLED = new WeakMap<object, readonly string[]>();
