/**
 * Cursors: DECLARE, FETCH / MOVE, CLOSE and the pg_cursors view.
 *
 * DECLARE name [BINARY] [ASENSITIVE | INSENSITIVE] [[NO] SCROLL] CURSOR [WITH | WITHOUT HOLD] FOR query opens a
 * portal (tcop/portalmem.ts) named in the session: the query is analyzed (its relations locked, AccessShareLock),
 * planned and started with the DECLARE's snapshot, which the cursor keeps registered — every FETCH reads the data
 * as of the DECLARE, whatever commits meanwhile, also under READ COMMITTED. Without WITH HOLD it only lives inside
 * a transaction block (25P01 otherwise) and closes at its end; WITH HOLD it survives COMMIT. Neither SCROLL nor NO
 * SCROLL given: scrollable when the plan can run backward (a scan, a Sort, VALUES, a function in FROM — not an
 * Aggregate, a join, DISTINCT, a Result without FROM) and the query locks no rows. FETCH / MOVE move it
 * (tcop/pquery.ts: every direction and its count, the tag FETCH n / MOVE n); CLOSE name / CLOSE ALL close it.
 *
 *     BEGIN;
 *     DECLARE c CURSOR FOR SELECT k FROM t;   -- snapshot taken, t AccessShareLock'd; nothing read yet
 *     FETCH NEXT FROM c;                       -- k = 1; the scan stays on block 0: a buffer pin VACUUM cannot
 *                                              --   get past (no cleanup lock: it neither prunes nor freezes it)
 *     -- another session: UPDATE t SET k = 10 WHERE k = 2; COMMIT
 *     FETCH ALL FROM c;                        -- k = 2, 3, …: still the DECLARE's snapshot; the scan ended, pin gone
 *
 * Mirrors: src/backend/commands/portalcmds.c (PerformCursorOpen, PerformPortalFetch, PerformPortalClose),
 * executor/execCurrent.c (execCurrentOf), nodeLockRows.c (ExecLockRows),
 * parser/analyze.c (transformDeclareCursorStmt's rules), executor/execAmi.c (ExecSupportsBackwardScan),
 * utils/mmgr/portalmem.c (pg_cursor).
 *
 * How it runs here: the first FETCH or MOVE runs the query's scan, joins, aggregation and sort to their end under
 * the DECLARE's snapshot and command id (a WITH HOLD cursor's at DECLARE: PostgreSQL materialises it at COMMIT);
 * the rows above them are pulled one at a time as FETCH asks — a FOR UPDATE / SHARE cursor's LockRows locks each
 * row then (it may wait for another transaction, get the row's newest version under READ COMMITTED, skip it), the
 * select list is computed then (so a division by zero in row 5 fails the FETCH that reaches row 5; under a Sort it
 * is computed for every row at the first FETCH, make_sort_input_target), LIMIT / OFFSET count them. A streaming
 * scan (a sequential or index scan, its filter, LIMIT) pins the heap page of the row the cursor sits on — from the
 * first FETCH on, none before the first row or once the scan ran off its end (a LIMIT that stopped keeps the last)
 * — and prunes (heap_page_prune_opt) each page only when the cursor reaches it. UPDATE / DELETE ... WHERE CURRENT
 * OF act on the tuple the cursor is on (the locked version, or the scan's, followed to its newest version as the
 * TID scan does), with PostgreSQL's errors (24000) when the cursor is on no row, held, or not a scan of the table.
 *
 * Simplifications: a WHERE condition that errors, or a volatile function in it, is evaluated for every row at the
 * first FETCH (PostgreSQL: as the scan reaches the row); the index pages of an index scan are taken in the order
 * the scan first read them. The planner does not plan for cursor_tuple_fraction (PostgreSQL's fast-start plans for
 * cursors: an index scan where a SELECT would sort — then the cursor is simply updatable and projects row by row).
 * Whether a plan can run backward (the default SCROLL) is judged on the query's shape (a bitmap scan is taken for a
 * plain one). ALTER TABLE, TRUNCATE, DROP TABLE and CREATE INDEX of a table an open cursor of the session reads fail
 * with 55006 ("is being used by active queries", CheckTableNotInUse); the other DDL is not checked (CLUSTER,
 * REINDEX, VACUUM FULL; a view's tables). BINARY cursors can be declared and moved but not fetched from (0A000). An aggressive
 * VACUUM that would wait for the cleanup lock of a page a cursor pins is refused with 0A000 (vacuum/vacuumlazy.ts).
 */
import { virtualTimestamp } from '../adt/timestamp.js';
import type { Engine } from '../engine.js';
import { PgError, notSupported } from '../errors.js';
import type { Executor } from '../executor/executor.js';
import type { N, Gen } from '../executor/util.js';
import { LOCK_CLAUSE_NAME, LOCK_STRENGTH } from '../executor/util.js';
import type { Session, QueryResult } from '../session/session.js';
import { type RawStmt, materializeLiterals } from '../sql/parser.js';
import type { Table } from '../catalog/catalog.js';
import { HEAP_XMAX_INVALID, LpFlags } from '../heap/tuple.js';
import { heapPagePruneOpt, removableHorizon } from '../vacuum/pruneheap.js';
import { T, type SqlType, type Value, formatValue } from '../sql/types.js';
import { CURSOR_OPT, FETCH_ALL, type FetchDirection, currentRow, newPosition, portalRunFetch } from '../tcop/pquery.js';
import type { Portal } from '../tcop/portalmem.js';

/** PerformCursorOpen, with transformDeclareCursorStmt's checks first. */
export function* performCursorOpen(ex: Executor, s: Session, n: N, raw: RawStmt, pl = false): Gen<QueryResult> {
  const opts = (n.options ?? 0) as number;
  const name = n.portalname as string;
  if ((opts & CURSOR_OPT.SCROLL) && (opts & CURSOR_OPT.NO_SCROLL)) throw new PgError('42P11', 'cannot specify both SCROLL and NO SCROLL');
  if ((opts & CURSOR_OPT.ASENSITIVE) && (opts & CURSOR_OPT.INSENSITIVE)) throw new PgError('42P11', 'cannot specify both ASENSITIVE and INSENSITIVE');
  const sel = (n.query?.SelectStmt ?? null) as N | null;
  if (!sel) throw new PgError('42601', 'DECLARE CURSOR needs a SELECT');
  // parse analysis: the query's own errors, its relations locked
  let shape: { names: string[]; types: SqlType[] };
  s.noRows++;
  try { shape = yield* ex.query(s, sel, raw.text, true); } finally { s.noRows--; }
  if (modifyingWith(sel)) throw new PgError('0A000', 'DECLARE CURSOR must not contain data-modifying statements in WITH');
  const lc = (sel.lockingClause as N[] | undefined)?.[0]?.LockingClause;
  if (lc) {
    const what = LOCK_CLAUSE_NAME[LOCK_STRENGTH[lc.strength]!];
    if (opts & CURSOR_OPT.HOLD) throw new PgError('0A000', `DECLARE CURSOR WITH HOLD ... ${what} is not supported`, { detail: 'Holdable cursors must be READ ONLY.' });
    if (opts & CURSOR_OPT.SCROLL) throw new PgError('0A000', `DECLARE SCROLL CURSOR ... ${what} is not supported`, { detail: 'Scrollable cursors must be READ ONLY.' });
    if (opts & CURSOR_OPT.INSENSITIVE) throw new PgError('42P11', `DECLARE INSENSITIVE CURSOR ... ${what} is not valid`, { detail: 'Insensitive cursors must be READ ONLY.' });
  }
  // PerformCursorOpen
  if (!pl && !(opts & CURSOR_OPT.HOLD) && s.block === 'none') throw new PgError('25P01', 'DECLARE CURSOR can only be used in transaction blocks');
  if (name === '') throw new PgError('34000', 'invalid cursor name: must not be empty');
  if (s.portals.has(name)) throw new PgError('42P03', `cursor "${name}" already exists`);
  const tx = s.tx!;
  const holdable = !!(opts & CURSOR_OPT.HOLD);
  const scrollable = opts & CURSOR_OPT.SCROLL ? true : opts & CURSOR_OPT.NO_SCROLL ? false : supportsBackwardScan(sel);
  // the snapshot the cursor keeps: the DECLARE's (a transaction snapshot is taken now if there is none yet)
  const snapshot = s.spiSnapshot?.snapshot ?? tx.stmtSnapshot ?? tx.xactSnapshot ?? ex.eng.snapshotFor(s);
  const portal: Portal = {
    name, sourceText: s.currentQuery, holdable, binary: !!(opts & CURSOR_OPT.BINARY), scrollable,
    createdAt: s.stmtStartAt, level: tx.subs.length, columns: shape.names.map((nm, i) => ({ name: nm, type: shape.types[i]!.name })), rows: [],
    scan: null, lockRel: null, lazy: null, cid: tx.curcid, lockTids: [], snapshot, pos: newPosition(0, !scrollable), started: false,
    pending: { query: materializeLiterals(sel) as N, sql: raw.text, cid: tx.curcid, locks: !!lc }, prune: null, rels: queryRelations(ex, sel),
  };
  // a WITH HOLD cursor's rows are materialised now (PostgreSQL: at COMMIT, with the same snapshot); the others at
  // their first FETCH
  if (holdable) {
    yield* runPortalQuery(ex, s, portal, false);
    if (portal.lazy) yield* pullRows(s, portal, Infinity); // every row now: nothing of this transaction is left to run later
  }
  // a PL/pgSQL cursor (SPI_cursor_open) runs its query now, while the function's variables are its parameters
  if (pl) yield* runPortalQuery(ex, s, portal, true);
  s.portals.set(name, portal);
  if (ex.eng.tracer.wants('statement')) {
    ex.eng.tracer.emit({ kind: 'statement', session: s.name, text: `${s.name} opens cursor ${name} with snapshot ${snapshot.xmin}:${snapshot.xmax}, `
      + `kept until the cursor closes${holdable ? ' (WITH HOLD: its rows materialised, kept past COMMIT)' : ''}` });
  }
  return { command: 'DECLARE CURSOR', columns: null, rows: [] };
}

/**
 * Run the cursor's query to its end with the DECLARE's snapshot and command id; its rows are kept. A streaming scan
 * remembers each row's heap block (the pin) and the pages it reads, which are pruned (heap_page_prune_opt) only as
 * the cursor reaches them; any other plan reads its whole scan now, as PostgreSQL's first FETCH does.
 */
function* runPortalQuery(ex: Executor, s: Session, p: Portal, deferPrune: boolean): Gen<void> {
  const pend = p.pending!;
  const tx = s.tx!;
  const saved = { spi: s.spiSnapshot, cid: tx.curcid };
  const scan: NonNullable<Session['cursorScan']> = {
    plDepth: s.plDepth, claimed: false, rel: null, blks: [], tids: [], limited: false, visits: deferPrune ? [] : null, wantLocks: pend.locks, lockRows: null,
  };
  s.spiSnapshot = { snapshot: p.snapshot!, crosscheck: null };
  tx.curcid = pend.cid;
  s.cursorScan = scan;
  let q: { names: string[]; types: SqlType[]; rows: Value[][] };
  try {
    q = yield* ex.query(s, pend.query, pend.sql, true);
  } finally {
    s.cursorScan = null;
    s.spiSnapshot = saved.spi;
    tx.curcid = saved.cid;
  }
  p.pending = null;
  p.rows = q.rows.map((r) => r.map(formatValue));
  p.pos.nrows = p.rows.length;
  if (scan.lockRows) {
    p.lazy = scan.lockRows;
    if (pend.locks) p.lockRel = lockTarget(ex, pend.query);
    p.pos.nrows = UNKNOWN_END;
  }
  const streaming = scan.rel !== null && (scan.lockRows !== null || scan.blks.length === q.rows.length);
  if (streaming) p.scan = { rel: scan.rel!, blks: scan.blks, tids: scan.tids, keepsLast: scan.limited };
  const visits = scan.visits ?? [];
  const own = streaming ? visits.filter((v) => v.t.oid === scan.rel) : [];
  for (const v of visits) if (!own.includes(v)) prunePage(ex, s, v.t, v.blk); // pages of other relations: read now
  if (own.length) p.prune = { visits: own, done: 0 };
}

/** heap_page_prune_opt for a page the cursor's scan reaches now. */
function prunePage(ex: Executor, s: Session, t: Table, blk: number): void {
  const page = t.heap.pages[blk];
  if (page && page.pruneXid) heapPagePruneOpt(ex.eng, t, page, s.id, () => removableHorizon(ex.eng));
}

/** The pages a streaming scan has read by now (up to the one the cursor sits on; all once it ran off its end). */
function pruneReached(ex: Executor, s: Session, p: Portal): void {
  const pr = p.prune;
  if (!pr || !p.scan) return;
  const row = currentRow(p.pos);
  const past = p.pos.cur > p.pos.nrows;
  const reachedBlk = (r: number) => pr.visits.findIndex((v) => v.blk === p.scan!.blks[r - 1]) + 1;
  // on a row: the pages up to its; past the end: all of them (a LIMIT that stopped: up to the last row's)
  const upTo = row !== null ? reachedBlk(row) : past && !p.scan.keepsLast ? pr.visits.length : past && p.pos.nrows > 0 ? reachedBlk(p.pos.nrows) : 0;
  // the scan prunes a page under its own pin (a cleanup lock needs only that no one else pins it)
  const started = p.started;
  p.started = false;
  try {
    while (pr.done < upTo) { const v = pr.visits[pr.done++]!; prunePage(ex, s, v.t, v.blk); }
  } finally { p.started = started; }
}

/** PerformPortalFetch: FETCH (rows and the tag FETCH n) or MOVE (the tag MOVE n). */
export function* performPortalFetch(ex: Executor, s: Session, n: N): Gen<QueryResult> {
  const name = (n.portalname ?? '') as string;
  if (name === '') throw new PgError('34000', 'invalid cursor name: must not be empty');
  const p = s.portals.get(name);
  if (!p) throw new PgError('34000', `cursor "${name}" does not exist`);
  const isMove = !!n.ismove;
  if (p.binary && !isMove) throw notSupported('FETCH from a BINARY cursor (its rows are sent in binary format)');
  if (p.pending) yield* runPortalQuery(ex, s, p, true);
  const direction = (n.direction ?? 'FETCH_FORWARD') as FetchDirection, howMany = Number(n.howMany ?? 0);
  if (p.lazy) yield* pullRows(s, p, fetchTarget(p.pos, direction, howMany));
  const r = portalRunFetch(p.pos, direction, howMany, isMove);
  pruneReached(ex, s, p);
  p.started = true;
  if (isMove) return { command: `MOVE ${r.count}`, columns: null, rows: [] };
  return { command: `FETCH ${r.count}`, columns: p.columns, rows: r.rows.map((i) => p.rows[i - 1]!) };
}

/** A FOR UPDATE cursor's rows not yet pulled: its end is not known (larger than any row number a FETCH reaches). */
const UNKNOWN_END = Number.MAX_SAFE_INTEGER - 1;

/**
 * How far forward a FETCH on a forward-only cursor may read: the row number it ends on (Infinity: to the end).
 * A FOR UPDATE cursor locks exactly the rows pulled through its LockRows, so no further.
 */
export function fetchTarget(pos: { cur: number }, direction: FetchDirection, count: number): number {
  const all = count === FETCH_ALL;
  switch (direction) {
    case 'FETCH_FORWARD': return all ? Infinity : count >= 0 ? pos.cur + count : pos.cur;
    case 'FETCH_BACKWARD': return count < 0 && -count !== FETCH_ALL ? pos.cur - count : count < 0 ? Infinity : pos.cur;
    case 'FETCH_RELATIVE': return count > 0 ? pos.cur + count : pos.cur;
    case 'FETCH_ABSOLUTE': return count > 0 ? Math.max(pos.cur, count) : count < 0 ? Infinity : pos.cur;
  }
}

/** The rows up to `target` pulled through the top of the plan: locked (FOR UPDATE: it may wait, be rechecked or skipped) and projected. */
function* pullRows(s: Session, p: Portal, target: number): Gen<void> {
  const lz = p.lazy!;
  const tx = s.tx!;
  const saved = { spi: s.spiSnapshot, cid: tx.curcid };
  s.spiSnapshot = { snapshot: p.snapshot!, crosscheck: null };
  tx.curcid = p.cid;
  try {
    while (p.rows.length < target && lz.next < lz.rows.length) {
      const got = yield* lz.fetch(lz.rows[lz.next]!);
      lz.next++;
      if (got === 'end') { lz.next = lz.rows.length; if (p.scan) p.scan.keepsLast = true; break; }
      if (!got) continue;
      p.rows.push(got.vals.map(formatValue));
      p.scan?.blks.push(got.blk);
      p.scan?.tids.push(got.tid);
      if (p.lockRel !== null) p.lockTids.push(got.tid);
    }
  } finally {
    s.spiSnapshot = saved.spi;
    tx.curcid = saved.cid;
  }
  if (lz.next >= lz.rows.length) { p.pos.nrows = p.rows.length; p.lazy = null; }
}

/** The table a FOR UPDATE cursor's query reads (its one FROM item). */
function lockTarget(ex: Executor, q: N): number | null {
  const rv = (q.fromClause as N[] | undefined)?.[0]?.RangeVar;
  if (!rv) return null;
  const t = rv.schemaname ? ex.eng.catalog.getIn(rv.schemaname, rv.relname) : ex.eng.catalog.get(rv.relname);
  return t?.oid ?? null;
}

/**
 * execCurrentOf: UPDATE / DELETE ... WHERE CURRENT OF name becomes WHERE ctid = the tuple the cursor is on — the
 * version it locked (FOR UPDATE / SHARE), or the one its scan returned (a simply updatable scan of the table).
 */
export function currentOf(ex: Executor, s: Session, stmt: N): N {
  const c = stmt.whereClause?.CurrentOfExpr;
  if (!c) return stmt;
  const name = c.cursor_name as string;
  const p = s.portals.get(name);
  if (!p) throw new PgError('34000', `cursor "${name}" does not exist`);
  if (p.level < 0) throw new PgError('24000', `cursor "${name}" is held from a previous transaction`);
  const rv = stmt.relation as N;
  const t = rv.schemaname ? ex.eng.catalog.getIn(rv.schemaname, rv.relname) : ex.eng.catalog.get(rv.relname);
  const tname = (rv.relname ?? '') as string;
  if (p.pending?.locks || p.lockRel !== null) {
    if (!t || (p.lockRel ?? lockTarget(ex, p.pending!.query)) !== t.oid) {
      throw new PgError('24000', `cursor "${name}" does not have a FOR UPDATE/SHARE reference to table "${tname}"`);
    }
  } else if (p.pending ? !t || !simplyUpdatable(ex, p.pending.query, t.oid) : !p.scan || !t || p.scan.rel !== t.oid) {
    throw new PgError('24000', `cursor "${name}" is not a simply updatable scan of table "${tname}"`);
  }
  if (p.pos.atStart || p.pos.atEnd) throw new PgError('24000', `cursor "${name}" is not positioned on a row`);
  const row = currentRow(p.pos);
  const tid = row !== null ? p.scan?.tids[row - 1] : undefined;
  if (!tid || !t) throw notSupported('WHERE CURRENT OF a cursor whose query is not a plain scan of the table');
  const at: [number, number] = [tid[0], tid[1]];
  latestTid(t, at);
  const ctid = { A_Expr: { kind: 'AEXPR_OP', name: [{ String: { sval: '=' } }], lexpr: { ColumnRef: { fields: [{ String: { sval: 'ctid' } }], location: -1 } },
    rexpr: { TypeCast: { arg: { A_Const: { sval: { sval: `(${at[0]},${at[1]})` }, location: -1 } }, typeName: { names: [{ String: { sval: 'tid' } }], typemod: -1, location: -1 }, location: -1 } },
    location: -1 } };
  return { ...stmt, whereClause: ctid };
}

/** heap_get_latest_tid: follow the update chain from the cursor's tuple to the newest version (the TID scan's). */
function latestTid(t: Table, tid: [number, number]): void {
  for (let guard = 0; guard < 10000; guard++) {
    const it = t.heap.pages[tid[0]]?.items[tid[1] - 1];
    if (!it || it.lpFlags !== LpFlags.NORMAL || (it.ctidBlock === tid[0] && it.ctidOffset === tid[1])) return;
    if (it.infomask & HEAP_XMAX_INVALID) return;
    tid[0] = it.ctidBlock; tid[1] = it.ctidOffset;
  }
}

/** A query whose plan is a scan of the table under at most a filter and LIMIT (search_plan_tree finds it). */
function simplyUpdatable(ex: Executor, q: N, oid: number): boolean {
  if (q.op && q.op !== 'SETOP_NONE') return false;
  if (q.sortClause?.length || q.distinctClause || q.groupClause?.length || q.havingClause || hasAggregate(q.targetList) || hasNode(q.targetList, 'WindowDef')) return false;
  return lockTarget(ex, q) === oid && (q.fromClause as N[]).length === 1;
}

/** The tables a query reads (every RangeVar that names one), for CheckTableNotInUse. */
function queryRelations(ex: Executor, q: unknown, out = new Set<number>()): Set<number> {
  if (!q || typeof q !== 'object') return out;
  const rv = (q as N).RangeVar;
  if (rv) {
    const t = rv.schemaname ? ex.eng.catalog.getIn(rv.schemaname, rv.relname) : ex.eng.catalog.get(rv.relname);
    if (t) out.add(t.oid);
  }
  for (const v of Object.values(q as N)) queryRelations(ex, v, out);
  return out;
}

/**
 * CheckTableNotInUse for the statements that rewrite or drop a table (ALTER TABLE, TRUNCATE, DROP TABLE, CREATE
 * INDEX): a cursor of this session still open in its transaction keeps the table open (55006).
 */
export function checkTableNotInUse(ex: Executor, s: Session, type: string, n: N): void {
  if (!s.portals.size) return;
  const open = new Set<number>();
  for (const p of s.portals.values()) if (p.level >= 0) for (const r of p.rels) open.add(r);
  if (!open.size) return;
  const cat = ex.eng.catalog;
  const byRv = (rv: N | undefined) => (rv ? (rv.schemaname ? cat.getIn(rv.schemaname, rv.relname) : cat.get(rv.relname)) : undefined);
  let targets: { t: ReturnType<typeof byRv>; what: string }[] = [];
  if (type === 'AlterTableStmt' && n.objtype === 'OBJECT_TABLE') targets = [{ t: byRv(n.relation), what: 'ALTER TABLE' }];
  else if (type === 'TruncateStmt') targets = ((n.relations ?? []) as N[]).map((r) => ({ t: byRv(r.RangeVar), what: 'TRUNCATE' }));
  else if (type === 'IndexStmt') targets = [{ t: byRv(n.relation), what: 'CREATE INDEX' }];
  else if (type === 'DropStmt' && n.removeType === 'OBJECT_TABLE') {
    targets = ((n.objects ?? []) as N[]).map((o) => {
      const names = ((o.List?.items ?? []) as N[]).map((x) => x.String?.sval as string);
      return { t: names.length === 2 ? cat.getIn(names[0]!, names[1]!) : cat.get(names[names.length - 1]!), what: 'DROP TABLE' };
    });
  }
  for (const { t, what } of targets) {
    if (!t || !open.has(t.oid)) continue;
    // DROP TABLE drops the table's indexes first: one the cursor's plan has open fails as DROP INDEX, which
    // depends on the plan's index scans
    if (what === 'DROP TABLE' && t.indexes.length) throw notSupported('DROP TABLE of a table with indexes that an open cursor of this session reads');
    throw new PgError('55006', `cannot ${what} "${t.name}" because it is being used by active queries in this session`);
  }
}

/** PerformPortalClose: CLOSE name (34000 if there is none) or CLOSE ALL. */
export function performPortalClose(s: Session, n: N): QueryResult {
  const name = n.portalname as string | undefined;
  if (name === undefined) {
    s.portals.clear();
    return { command: 'CLOSE CURSOR ALL', columns: null, rows: [] };
  }
  if (name === '') throw new PgError('34000', 'invalid cursor name: must not be empty');
  if (!s.portals.delete(name)) throw new PgError('34000', `cursor "${name}" does not exist`);
  return { command: 'CLOSE CURSOR', columns: null, rows: [] };
}

/** Does a WITH clause hold INSERT / UPDATE / DELETE / MERGE (hasModifyingCTE)? */
function modifyingWith(sel: N): boolean {
  for (const c of (sel.withClause?.ctes ?? []) as N[]) {
    const q = c.CommonTableExpr?.ctequery as N | undefined;
    if (q && !q.SelectStmt) return true;
    if (q?.SelectStmt && modifyingWith(q.SelectStmt)) return true;
  }
  for (const arm of [sel.larg, sel.rarg] as (N | undefined)[]) if (arm && modifyingWith(arm)) return true;
  return false;
}

/**
 * ExecSupportsBackwardScan on the plan the query would get, judged on its shape: a Sort on top (ORDER BY without
 * DISTINCT), a scan of one table, VALUES, a function in FROM and UNION ALL of such arms can run backward; an
 * Aggregate, a join, DISTINCT, a window function, a set-returning function in the select list, UNION / INTERSECT
 * / EXCEPT and a Result without FROM cannot. Row locks make a cursor NO SCROLL too.
 */
export function supportsBackwardScan(sel: N): boolean {
  if (sel.lockingClause?.length) return false;
  if (sel.op && sel.op !== 'SETOP_NONE') {
    if (sel.sortClause?.length) return true;
    return sel.op === 'SETOP_UNION' && !!sel.all && supportsBackwardScan(sel.larg) && supportsBackwardScan(sel.rarg);
  }
  if (sel.valuesLists) return true;
  if (sel.distinctClause) return false;
  if (hasNode(sel.targetList, 'WindowDef')) return false;
  if (sel.sortClause?.length) return true;
  if (sel.groupClause?.length || sel.havingClause || hasAggregate(sel.targetList)) return false;
  const from = (sel.fromClause ?? []) as N[];
  if (from.length !== 1) return false; // no FROM: a Result; several: a join
  const f = from[0]!;
  if (f.JoinExpr) return false;
  if (f.RangeSubselect) return supportsBackwardScan(f.RangeSubselect.subquery.SelectStmt);
  return !!(f.RangeVar || f.RangeFunction);
}

const AGGREGATES = new Set(['count', 'sum', 'avg', 'min', 'max', 'string_agg', 'array_agg', 'bool_and', 'bool_or', 'every', 'json_agg', 'jsonb_agg',
  'stddev', 'variance', 'bit_and', 'bit_or', 'json_object_agg', 'jsonb_object_agg', 'stddev_pop', 'stddev_samp', 'var_pop', 'var_samp']);
function hasAggregate(x: unknown): boolean {
  if (!x || typeof x !== 'object') return false;
  const o = x as N;
  if (o.SubLink) return false;
  if (o.FuncCall) {
    const fname = (o.FuncCall.funcname as N[]).map((f) => f.String.sval as string).pop()!;
    if (!o.FuncCall.over && (AGGREGATES.has(fname) || o.FuncCall.agg_star)) return true;
  }
  return Object.values(o).some(hasAggregate);
}
function hasNode(x: unknown, key: string): boolean {
  if (!x || typeof x !== 'object') return false;
  const o = x as N;
  if (o.SubLink) return false;
  if (key === 'WindowDef' && o.FuncCall?.over) return true;
  if (Object.hasOwn(o, key)) return true;
  return Object.values(o).some((v) => hasNode(v, key));
}

/** pg_cursors (pg_cursor()): the session's open cursors. */
const PG_CURSORS_COLUMNS: [string, SqlType][] = [
  ['name', T.text], ['statement', T.text], ['is_holdable', T.bool], ['is_binary', T.bool], ['is_scrollable', T.bool], ['creation_time', T.timestamptz],
];
export function pgCursorsView(_eng: Engine, s: Session): { columns: { name: string; type: SqlType }[]; rows: Value[][] } {
  return {
    columns: PG_CURSORS_COLUMNS.map(([name, type]) => ({ name, type })),
    rows: [...s.portals.values()].map((p) => [p.name, p.sourceText, p.holdable, p.binary, p.scrollable, virtualTimestamp(p.createdAt)]),
  };
}
