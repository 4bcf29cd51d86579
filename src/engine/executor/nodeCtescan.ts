/**
 * WITH queries (PostgreSQL's executor/nodeCtescan.c, nodeRecursiveunion.c, nodeWorktablescan.c; parser/parse_cte.c)
 * and subqueries in FROM (nodeSubqueryscan.c): each is run once, with the statement's snapshot, and read as a
 * relation by name.
 *
 *     WITH big AS (SELECT * FROM t WHERE v > 10) SELECT count(*) FROM big;
 *     SELECT * FROM (SELECT k, v * 2 AS w FROM t) s WHERE w > 20;
 *
 * WITH RECURSIVE: the non-recursive term fills the working table; the recursive term runs against it again and
 * again, each round's new rows becoming the next working table, until a round adds nothing (UNION also drops
 * rows seen before):
 *
 *     WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r;   -- 1, 2, 3
 *
 * A data-modifying WITH (INSERT / UPDATE / DELETE ... RETURNING) runs to completion before the main query, whether
 * or not it is read; all parts share one snapshot, so the main query does not see the rows the WITH changed (they
 * were written by the same command). One that nothing reads runs after the main statement instead (ExecPostprocessPlan):
 *
 *     WITH u AS (UPDATE t SET v = 99 WHERE id = 5) UPDATE t SET v = v + 1 WHERE id = 5;   -- v + 1 wins; u skips the row
 *
 * Simplifications: CTEs are always materialized (PostgreSQL 12+ inlines a side-effect-free CTE read once —
 * the rows are the same, but a scan under it may then use an index); a recursive query that passes 100,000 rows is
 * refused (PostgreSQL reads it lazily: here only a plain SELECT ... FROM r LIMIT n stops an endless one, rowsNeeded,
 * after the round that reaches n rows); LATERAL as a later item
 * of a comma list (FROM t, LATERAL (SELECT ... t.x ...) s: run once per row of the items before it) or as the right
 * side of an inner or LEFT JOIN (nodeSubqueryscan.ts), not on the left side of a JOIN; no SEARCH / CYCLE clauses.
 */
import { PgError, notSupported, posOf } from '../errors.js';
import { functionScan } from '../pl/fmgr.js';
import type { Executor } from './executor.js';
import type { Session, QueryResult } from '../session/session.js';
import { type RawStmt, intConst } from '../sql/parser.js';
import { castTo, type Compiled, type Row, type Scope } from '../sql/expr.js';
import { type Value, formatValue } from '../sql/types.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import { usesXactSnapshot } from '../xact/xact.js';
import { LockMode } from '../lock/lock.js';
import { type N, type Gen, containsAggregate } from './util.js';
import type { QResult } from './nodeSetOp.js';
import { aliasColumns } from '../optimizer/pullup.js';
import { lateralRefusal } from './nodeSubqueryscan.js';

/** the WITH frames of the statement a session is running, innermost last */
const frames = new WeakMap<Session, Map<string, QResult>[]>();
/** RETURNING rows of a data-modifying statement as values (nodeModifyTable.ts dmlResult records them) */
export const dmlValues = new WeakMap<QueryResult, QResult>();

export function lookupCte(s: Session, name: string): QResult | undefined {
  const st = frames.get(s);
  if (!st) return undefined;
  for (let i = st.length - 1; i >= 0; i--) { const r = st[i]!.get(name); if (r) return r; }
  return undefined;
}

const RECURSION_LIMIT = 100000;
type Sub = { outer: NonNullable<Scope['outer']>; snapshot: () => Snapshot } | undefined;

/** Does this parse tree read a relation of this name (unqualified)? */
function refersTo(n: unknown, name: string): boolean {
  if (!n || typeof n !== 'object') return false;
  const o = n as N;
  if (o.RangeVar && !o.RangeVar.schemaname && o.RangeVar.relname === name) return true;
  return Object.values(o).some((v) => refersTo(v, name));
}

export function* withQuery(ex: Executor, s: Session, n: N, sql: string, topLevel: boolean, sub: Sub): Gen<QResult> {
  const main = { ...n, withClause: undefined };
  const run = () => withFrame(ex, s, n.withClause, main, sql, topLevel, sub, () => ex.query(s, main, sql, topLevel, sub));
  const modifies = ((n.withClause.ctes ?? []) as N[]).some((c) => Object.keys(c.CommonTableExpr.ctequery)[0] !== 'SelectStmt');
  return yield* (topLevel && modifies ? oneSnapshot(ex, s, run, modifyTargets(n.withClause, null)) : run());
}

/** WITH in front of INSERT / UPDATE / DELETE: the CTEs first, then the statement (which reads them by name). */
export function* withModify(ex: Executor, s: Session, type: string, n: N, raw: RawStmt): Gen<QueryResult> {
  const main = { ...n, withClause: undefined };
  return yield* oneSnapshot(ex, s, () => withFrame(ex, s, n.withClause, main, raw.text, true, undefined, () => ex.run(s, type, main, raw)),
    modifyTargets(n.withClause, n.relation as N));
}

const MODIFY_TYPES = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);
/** The tables the data-modifying parts of a WITH list (in order), then the statement itself, write to. */
function modifyTargets(w: N, main: N | null): N[] {
  const out: N[] = [];
  for (const c of (w.ctes ?? []) as N[]) {
    const q = c.CommonTableExpr.ctequery as N;
    const type = Object.keys(q)[0]!;
    if (MODIFY_TYPES.has(type) && q[type].relation) out.push(q[type].relation as N);
  }
  if (main) out.push(main);
  return out;
}

/**
 * A statement with data-modifying WITH parts runs every part with one snapshot, also under READ COMMITTED and also
 * after one of them waited for a lock: the main query does not see what committed meanwhile (PortalStart's
 * snapshot is the statement's). That snapshot is taken once parse analysis has locked the tables the parts write
 * (RowExclusiveLock, the WITH list first): a READ COMMITTED statement that waited for one of them sees what the
 * holder committed; a REPEATABLE READ one has its transaction snapshot from before the wait (exec_simple_query).
 * A name that is no table here is left to the part that writes it.
 */
export function* oneSnapshot<T>(ex: Executor, s: Session, body: () => Gen<T>, targets: N[] = []): Gen<T> {
  if (s.spiSnapshot) return yield* body();
  if (targets.length && s.tx && usesXactSnapshot(s.tx.isolation)) ex.eng.snapshotFor(s);
  const cat = ex.eng.catalog;
  for (const rv of targets) {
    const t = rv.schemaname ? cat.getIn(rv.schemaname, rv.relname) : cat.get(rv.relname);
    if (t && !t.matview) yield* ex.lockRelation(s, t, LockMode.RowExclusive, false);
  }
  s.spiSnapshot = { snapshot: ex.eng.snapshotFor(s), crosscheck: null };
  try { return yield* body(); } finally { s.spiSnapshot = null; }
}

/**
 * Run the WITH list, then the statement. A data-modifying part that nothing reads runs after the statement
 * (ExecPostprocessPlan runs such ModifyTable nodes to completion at the end): so when it and the statement change
 * the same row, the statement's change is made and the part's is skipped (the row was already changed by this
 * command). A part that is read runs first (PostgreSQL reads its RETURNING rows as the statement pulls them).
 */
function* withFrame<T>(ex: Executor, s: Session, w: N, main: N, sql: string, topLevel: boolean, sub: Sub, body: () => Gen<T>): Gen<T> {
  let st = frames.get(s);
  if (!st) { st = []; frames.set(s, st); }
  const frame = new Map<string, QResult>();
  st.push(frame);
  const ctes = (w.ctes ?? []) as N[];
  const unread = (c: N) => Object.keys(c.CommonTableExpr.ctequery)[0] !== 'SelectStmt' && topLevel
    && !refersTo(main, c.CommonTableExpr.ctename) && !ctes.some((o) => o !== c && refersTo(o.CommonTableExpr.ctequery, c.CommonTableExpr.ctename));
  try {
    for (const c of ctes) {
      const cte = c.CommonTableExpr;
      const name = cte.ctename as string;
      if (frame.has(name)) throw new PgError('42712', `WITH query name "${name}" specified more than once`, { position: posOf(cte.location) });
      if (cte.search_clause || cte.cycle_clause) throw notSupported('SEARCH / CYCLE in WITH RECURSIVE', posOf(cte.location));
      const colnames = ((cte.aliascolnames ?? []) as N[]).map((x) => x.String.sval as string);
      const q = cte.ctequery as N;
      const type = Object.keys(q)[0]!;
      let r: QResult;
      // parse_cte.c: PostgreSQL 15 parses MERGE as a WITH query, then refuses it
      if (type === 'MergeStmt') throw new PgError('0A000', 'MERGE not supported in WITH query', { position: posOf(cte.location) });
      if (type !== 'SelectStmt') {
        if (topLevel && unread(c)) { frame.set(name, { names: [], types: [], rows: [] }); continue; }
        if (!topLevel) throw new PgError('0A000', 'WITH clause containing a data-modifying statement must be at the top level', { position: posOf(cte.location) });
        // a data-modifying WITH query runs to completion even under LIMIT 0 (ExecPostprocessPlan)
        const res = yield* fullRun(s, () => ex.run(s, type, q[type], { stmt: q, location: 0, len: sql.length, text: sql } as RawStmt));
        r = dmlValues.get(res) ?? { names: [], types: [], rows: [] };
      } else if (w.recursive && refersTo(q, name)) {
        r = yield* recursive(ex, s, q.SelectStmt, name, colnames, frame, sql, sub, cte, rowsNeeded(main, name, ctes));
      } else if (!s.noRows && !hasLocking(q)) {
        r = yield* lazyCte(ex, s, q.SelectStmt, sql, sub);
      } else {
        r = yield* ex.query(s, q.SelectStmt, sql, false, sub);
      }
      if (colnames.length > r.names.length) throw new PgError('42P10', `WITH query "${name}" has ${r.names.length} columns available but ${colnames.length} columns specified`, { position: posOf(cte.location) });
      const res = r; // (its rows may be computed when first read: lazyCte's getter, not copied here)
      frame.set(name, { names: r.names.map((x, i) => colnames[i] ?? x), types: r.types, get rows() { return res.rows; } });
    }
    const result = yield* body();
    for (const c of ctes.filter(unread)) {
      const q = c.CommonTableExpr.ctequery as N;
      const type = Object.keys(q)[0]!;
      yield* fullRun(s, () => ex.run(s, type, q[type], { stmt: q, location: 0, len: sql.length, text: sql } as RawStmt));
    }
    return result;
  } finally {
    st.pop();
  }
}

/**
 * A WITH query that only reads (CteScan): analyzed now — its errors of analysis come first, its columns are known —
 * and run when the statement first reads it, once (its rows kept for every later read). A WITH query nothing reads
 * never runs, as PostgreSQL never plans one: WITH w AS (SELECT 10 / a FROM t) SELECT 1 divides nothing.
 * Simplification: a read runs it to the end (PostgreSQL's CteScan pulls only as far as its reader does).
 */
function* lazyCte(ex: Executor, s: Session, q: N, sql: string, sub: Sub): Gen<QResult> {
  s.noRows++;
  let shape: QResult;
  try { shape = yield* ex.query(s, q, sql, false, sub); } finally { s.noRows--; }
  let rows: Value[][] | null = null;
  const run = (): Value[][] => {
    const saved = s.noRows;
    s.noRows = 0;
    try {
      const g = ex.query(s, q, sql, false, sub);
      const r = g.next();
      if (!r.done) throw notSupported('a WITH query that has to wait for a lock when it is read');
      return r.value.rows;
    } finally { s.noRows = saved; }
  };
  return { names: shape.names, types: shape.types, get rows() { return (rows ??= run()); } };
}
const hasLocking = (x: unknown): boolean => {
  if (!x || typeof x !== 'object') return false;
  const o = x as N;
  if (Array.isArray(o.lockingClause) && o.lockingClause.length) return true;
  return Object.values(o).some(hasLocking);
};

/** Run a statement with every row it produces, also where the query around it produces none (Session.noRows). */
function* fullRun<T>(s: Session, body: () => Gen<T>): Gen<T> {
  const saved = s.noRows;
  s.noRows = 0;
  try { return yield* body(); } finally { s.noRows = saved; }
}

/**
 * How many of a recursive query's rows its reader can take: `SELECT ... FROM r LIMIT n [OFFSET m]` with nothing
 * else (no WHERE, ORDER BY, DISTINCT, grouping, window or set-returning function, join, other reader) takes the
 * first n + m — PostgreSQL's CteScan pulls no more, so an endless recursion under such a LIMIT ends. null: all.
 */
function rowsNeeded(main: N, name: string, ctes: N[]): number | null {
  const from = (main.fromClause ?? []) as N[];
  if (from.length !== 1 || !from[0]!.RangeVar || from[0]!.RangeVar.schemaname || from[0]!.RangeVar.relname !== name) return null;
  if (main.op && main.op !== 'SETOP_NONE') return null;
  if (main.whereClause || main.sortClause?.length || main.distinctClause || main.groupClause?.length || main.havingClause
    || main.windowClause?.length) return null;
  if (ctes.some((c) => c.CommonTableExpr.ctename !== name && refersTo(c.CommonTableExpr.ctequery, name))) return null;
  const tl = JSON.stringify(main.targetList ?? []);
  if (tl.includes('"over"') || tl.includes('SubLink') || tl.includes('FuncCall')) return null; // (no aggregates, SRFs, windows)
  const int = (x: N | undefined) => (x?.A_Const?.ival !== undefined ? intConst(x.A_Const) : undefined);
  const n = int(main.limitCount);
  if (typeof n !== 'number' || main.limitOption === 'LIMIT_OPTION_WITH_TIES') return null;
  const off = main.limitOffset ? int(main.limitOffset) : 0;
  return typeof off === 'number' && n >= 0 && off >= 0 ? n + off : null;
}

function* recursive(ex: Executor, s: Session, q: N, name: string, colnames: string[], frame: Map<string, QResult>, sql: string, sub: Sub,
  cte: N, needed: number | null = null): Gen<QResult> {
  if (q.op !== 'SETOP_UNION') {
    throw new PgError('42P19', `recursive query "${name}" does not have the form non-recursive-term UNION [ALL] recursive-term`, { position: posOf(cte.location) });
  }
  if (refersTo(q.larg, name)) throw new PgError('42P19', `recursive reference to query "${name}" must not appear within its non-recursive term`);
  // checkWellFormedRecursion (parse_cte.c): what a recursive query may not have, found before anything runs
  for (const [has, what] of [[q.sortClause?.length, 'ORDER BY'], [q.limitOffset, 'OFFSET'], [q.limitCount, 'LIMIT'], [q.lockingClause?.length, 'FOR UPDATE/SHARE']] as const) {
    if (has) throw new PgError('0A000', `${what} in a recursive query is not implemented`);
  }
  if (containsAggregate(q.rarg?.targetList) || containsAggregate(q.rarg?.havingClause)) {
    throw new PgError('42P19', 'aggregate functions are not allowed in a recursive query\'s recursive term');
  }
  const base = yield* ex.query(s, q.larg, sql, false, sub);
  const names = base.names.map((x, i) => colnames[i] ?? x);
  const types = base.types;
  const seen = q.all ? null : new Set<string>();
  const key = (r: unknown[]) => JSON.stringify(r.map((v) => formatValue(v as never)));
  const fresh = (rows: QResult['rows']) => (seen ? rows.filter((r) => { const k = key(r); if (seen.has(k)) return false; seen.add(k); return true; }) : rows);
  const all = fresh(base.rows);
  let working = all.slice();
  let rounds = 0;
  while (working.length && (needed === null || all.length < needed)) {
    // each round plans the recursive term again: a long recursion lets the host in now and then (to cancel it)
    if (++rounds % 200 === 0) yield { kind: 'progress', done: all.length, total: 0 };
    frame.set(name, { names, types, rows: working });
    const step = yield* ex.query(s, q.rarg, sql, false, sub);
    if (step.types.length !== types.length) throw new PgError('42601', 'each UNION query must have the same number of columns');
    const casts = step.types.map((t, i) => {
      if (t.name === types[i]!.name) return null;
      if (t.name !== 'unknown') throw new PgError('42804', `recursive query "${name}" column ${i + 1} has type ${types[i]!.name === 'int4' ? 'integer' : types[i]!.name} in non-recursive term but type ${t.name === 'int8' ? 'bigint' : t.name} overall`, { hint: 'Cast the output of the non-recursive term to the correct type.' });
      return castTo({ fn: (r: Row) => r.vals[i]!, type: t, name: '', strength: 0 } as Compiled, types[i]!, false);
    });
    const row: Row = { vals: [], item: null, blk: 0, off: 0, aggs: null };
    const rows = casts.every((c) => !c) ? step.rows : step.rows.map((v) => { row.vals = v; return v.map((x, i) => (casts[i] ? casts[i]!.fn(row) : x)); });
    working = fresh(rows);
    for (const r of working) all.push(r);
    if (all.length > RECURSION_LIMIT) throw notSupported(`a recursive query producing more than ${RECURSION_LIMIT} rows`);
  }
  return { names, types, rows: all };
}

/**
 * Subqueries in FROM, run before the query that reads them (SubqueryScan): each RangeSubselect of the FROM list
 * (joins included) by its parse node.
 */
export function* runFromSubqueries(ex: Executor, s: Session, from: N[] | undefined, sql: string, sub: Sub): Gen<Map<N, QResult>> {
  const out = new Map<N, QResult>();
  /** `top`: the item's place in the comma list (-1 inside a join); `joinType`: the join whose right side it is */
  const walk = function* (item: N, top: number, joinType?: string): Gen<void> {
    if (item.JoinExpr) { yield* walk(item.JoinExpr.larg, -1); yield* walk(item.JoinExpr.rarg, -1, item.JoinExpr.jointype); return; }
    if (item.RangeFunction) {
      const r = yield* functionScan(ex, s, item.RangeFunction, sql);
      if (r) out.set(item, r);
      return;
    }
    const rs = item.RangeSubselect;
    if (!rs) return;
    // LATERAL after the first item of a comma list runs per row of the items before it (from.ts joinSource)
    if (rs.lateral && top > 0) return;
    // ... and so does the right side of an inner or LEFT JOIN LATERAL (from.ts lateralRight); of a RIGHT or FULL
    // JOIN it may name no column of the other side (42P01 below)
    if (rs.lateral && (joinType === 'JOIN_INNER' || joinType === 'JOIN_LEFT')) return;
    if (rs.lateral && !joinType && top < 0) throw notSupported('LATERAL on the left side of a JOIN', posOf(rs.subquery?.SelectStmt?.targetList?.[0]?.ResTarget?.location));
    const lateralAcross = rs.lateral && !!joinType;
    if (!rs.alias) throw new PgError('42601', 'subquery in FROM must have an alias', { hint: 'For example, FROM (SELECT ...) [AS] foo.', position: posOf(firstLoc(rs.subquery)) });
    let r: QResult;
    try { r = yield* ex.query(s, rs.subquery.SelectStmt, sql, false, sub); } catch (e) {
      // a sibling FROM item named without LATERAL (parse_relation.c errorMissingRTE)
      const m = e instanceof PgError && e.sqlstate === '42P01' ? /^missing FROM-clause entry for table "(.*)"$/.exec(e.message) : null;
      if (m && siblings.has(m[1]!) && lateralAcross) lateralRefusal(() => { throw e; }, siblings);
      if (m && siblings.has(m[1]!)) {
        throw new PgError('42P01', `invalid reference to FROM-clause entry for table "${m[1]}"`, { position: (e as PgError).position, hint: `There is an entry for table "${m[1]}", but it cannot be referenced from this part of the query.` });
      }
      throw e;
    }
    out.set(item, { ...r, names: aliasColumns(rs, r.names) });
  };
  const siblings = new Set<string>();
  const names = (f: N): void => {
    if (f.JoinExpr) { names(f.JoinExpr.larg); names(f.JoinExpr.rarg); return; }
    const n = f.RangeVar ? (f.RangeVar.alias?.aliasname ?? f.RangeVar.relname) : f.RangeSubselect?.alias?.aliasname ?? f.RangeFunction?.alias?.aliasname;
    if (n) siblings.add(n);
  };
  for (const f of from ?? []) names(f);
  for (const [i, f] of (from ?? []).entries()) yield* walk(f, i);
  return out;
}

function firstLoc(n: unknown): number | undefined {
  if (!n || typeof n !== 'object') return undefined;
  const o = n as N;
  if (typeof o.location === 'number') return o.location - 1;
  for (const v of Object.values(o)) { const l = firstLoc(v); if (l !== undefined) return l; }
  return undefined;
}
