/**
 * Views: CREATE [OR REPLACE] VIEW, DROP VIEW, and reading one in FROM.
 *
 * A view stores no rows, only its query (PostgreSQL keeps it as the view's _RETURN rule in pg_rewrite). Where the
 * view's name appears in FROM the rewriter puts the query in its place — a subquery in FROM — so the view's rows
 * are read with the statement's own snapshot, under the same MVCC rules as the tables it reads:
 *
 *     CREATE VIEW vc (a, b) AS SELECT id, v FROM src;
 *     SELECT a FROM vc WHERE b = 'a';     -- runs as SELECT a FROM (SELECT id AS a, v AS b FROM src) vc WHERE b = 'a'
 *
 * The view's columns (names and types) are fixed at CREATE: OR REPLACE may only add columns at the end (42P16
 * otherwise). The tables and columns a view reads are dependencies: DROP TABLE, DROP COLUMN and DROP VIEW of
 * something a view reads fail with 2BP01 and list the dependents; DROP VIEW ... CASCADE and DROP TABLE ... CASCADE
 * drop the dependent views and materialized views too (commands/tablecmds.ts; a table that both views and other
 * tables — foreign keys, inheritance children — depend on is refused with 0A000).
 *
 * One system view is read the same way: pg_locks (system_views.sql: SELECT * FROM pg_lock_status()), the lock
 * manager's holders and waiters at the moment the statement reads it, in PostgreSQL 15's columns — locktype,
 * database, relation, page, tuple, virtualxid, transactionid, classid, objid, objsubid (advisory locks), virtual-
 * transaction, pid, mode, granted, fastpath (lock/fastpath.ts), waitstart (on the virtual clock). Reading it takes
 * an AccessShareLock on the view itself (oid 12073 in PostgreSQL 15.18), which its own rows show.
 *
 * Mirrors: src/backend/commands/view.c (DefineView, DefineVirtualRelation, checkViewTupleDesc),
 * rewrite/rewriteHandler.c (ApplyRetrieveRule), catalog/dependency.c (reportDependentObjects). INSERT / UPDATE /
 * DELETE through a simple view: commands/viewupdate.ts; materialized views, which store their rows: commands/matview.ts
 * (they take part in the dependencies here). Simplifications: no WITH CHECK OPTION, no ALTER VIEW;
 * a view's table that another session has locked makes the read fail with 0A000 instead of waiting; renaming a
 * table or column a view reads is refused (PostgreSQL tracks them by OID and attnum, this catalog by name).
 */
import { stampCreated, shadowOf, unshadow } from '../catalog/catalogsnapshot.js';
import { ensureTopXid } from '../xact/xactblock.js';
import { logAccessExclusiveLock } from '../wal/standby.js';
import { virtualTimestamp } from '../adt/timestamp.js';
import type { Executor } from '../executor/executor.js';
import { STAT_VIEWS } from '../pgstat/views.js';
import { PG15_TYPES } from '../catalog/pg15names.js';
import { PgError, notSupported, posOf } from '../errors.js';
import type { Session, QueryResult } from '../session/session.js';
import { materializeLiterals } from '../sql/parser.js';
import type { Scope } from '../sql/expr.js';
import { T, type SqlType, type Value, typeDisplayName } from '../sql/types.js';
import { type View, DATABASE_OID, relKey } from '../catalog/catalog.js';
import { CATALOG_READ_LOCKS, SHARED_CATALOGS } from '../catalog/catalocks.js';
import { isTempRelation, schemaOf, tempNamespace } from './tempcmds.js';
import { HeapRelation } from '../heap/heap.js';
import { LockMode } from '../lock/lock.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import type { N, Gen, Source } from '../executor/util.js';
import { sequenceRow } from './sequence.js';
import { systemRelation } from '../catalog/sysviews.js';
import { informationSchemaRelation } from '../catalog/information_schema.js';
import { pgCursorsView } from './portalcmds.js';
import { pgPreparedStatementsView } from './prepare.js';
import { pgSettingsView } from '../guc/pg_settings.js';
import { grantLock } from '../lock/proc.js';

/** The relations a query names (RangeVars anywhere in it) and every column name it mentions. */
export function references(n: unknown, rels: Set<string>, cols: Set<string>, star: { any: boolean }): void {
  if (!n || typeof n !== 'object') return;
  if (Array.isArray(n)) { for (const x of n) references(x, rels, cols, star); return; }
  const o = n as N;
  if (o.RangeVar) rels.add(o.RangeVar.relname);
  if (o.ColumnRef) {
    const f = o.ColumnRef.fields as N[];
    const last = f[f.length - 1];
    if (last?.A_Star) star.any = true; else if (last?.String) cols.add(last.String.sval);
  }
  for (const v of Object.values(o)) references(v, rels, cols, star);
}

/** Run a view's query to get its rows (with the enclosing statement's snapshot) — or only its shape. */
function runQuery(ex: Executor, s: Session, v: { query: unknown; sql: string }, snap: () => Snapshot,
  sql: string): { names: string[]; types: SqlType[]; rows: Value[][] } {
  const outer: NonNullable<Scope['outer']> = { scope: { relName: null, alias: null, columns: [], hasSystem: false, env: ex.env(s, snap), sql }, row: { current: null }, used: false };
  const g = ex.query(s, v.query as N, v.sql, false, { outer, snapshot: snap });
  const r = g.next();
  if (!r.done) { g.return(undefined as never); throw notSupported('reading a view while one of its tables is locked by another session'); }
  return r.value;
}

/**
 * A FROM item that is not a table: a view (its query's rows) or a sequence (its one row). Null for a table
 * (or an unknown name: the caller reports it).
 */

const PG_PREPARED_XACTS_COLUMNS: [string, SqlType][] = [['transaction', T.xid], ['gid', T.text], ['prepared', T.timestamptz], ['owner', T.name], ['database', T.name]];
export function relationSource(ex: Executor, s: Session, rv: N, snap: () => Snapshot, sql: string): Source | null {
  const cat = ex.eng.catalog;
  const alias = rv.alias?.aliasname ?? null;
  const env = ex.env(s, snap);
  if (!rv.schemaname || rv.schemaname === 'pg_catalog') {
    if (Object.hasOwn(CATALOG_READ_LOCKS, rv.relname)) lockSystemRelations(ex, s, CATALOG_READ_LOCKS[rv.relname as string]!);
  }
  // pg_catalog comes first on the search path: pg_class, pg_database (catalog/sysviews.ts), pg_settings (guc/pg_settings.ts)
  const sys = !rv.schemaname || rv.schemaname === 'pg_catalog'
    ? systemRelation(ex.eng, rv.relname) ?? (rv.relname === 'pg_settings' ? pgSettingsView(s.gucs) : null)
    : rv.schemaname === 'information_schema' ? informationSchemaRelation(ex.eng, rv.relname) : null;
  if (sys) {
    const names = (rv.alias?.colnames as N[] | undefined)?.map((c) => c.String.sval as string) ?? [];
    return {
      scope: {
        relName: rv.relname, rowType: rv.relname, alias, columns: sys.columns.map((c, i) => ({ name: names[i] ?? c.name, type: c.type })),
        hasSystem: false, env, sql, starRefused: sys.starRefused },
      table: null, rows: () => sys.rows };
  }
  if (rv.relname === 'pg_prepared_statements' && (!rv.schemaname || rv.schemaname === 'pg_catalog')) {
    const v = pgPreparedStatementsView(s);
    const names = (rv.alias?.colnames as N[] | undefined)?.map((c) => c.String.sval as string) ?? [];
    const columns = v.columns.map((c, i) => ({ name: names[i] ?? c.name, type: c.type }));
    return { scope: { relName: rv.relname, rowType: rv.relname, alias, columns, hasSystem: false, env, sql }, table: null, rows: () => v.rows };
  }
  if (rv.relname === 'pg_prepared_xacts' && (!rv.schemaname || rv.schemaname === 'pg_catalog')) {
    // two-phase commit is off (max_prepared_transactions = 0, xact/xactblock.ts): never a prepared transaction
    const names = (rv.alias?.colnames as N[] | undefined)?.map((c) => c.String.sval as string) ?? [];
    const columns = PG_PREPARED_XACTS_COLUMNS.map(([name, type], i) => ({ name: names[i] ?? name, type }));
    return { scope: { relName: rv.relname, rowType: rv.relname, alias, columns, hasSystem: false, env, sql }, table: null, rows: () => [] };
  }
  if (rv.relname === 'pg_cursors' && (!rv.schemaname || rv.schemaname === 'pg_catalog')) {
    const v = pgCursorsView(ex.eng, s);
    const names = (rv.alias?.colnames as N[] | undefined)?.map((c) => c.String.sval as string) ?? [];
    return { scope: { relName: 'pg_cursors', rowType: 'pg_cursors', alias, columns: v.columns.map((c, i) => ({ name: names[i] ?? c.name, type: c.type })), hasSystem: false, env, sql },
      table: null, rows: () => v.rows };
  }
  if (rv.relname === 'pg_locks' && (!rv.schemaname || rv.schemaname === 'pg_catalog')) {
    return { scope: { relName: 'pg_locks', rowType: 'pg_locks', alias, columns: PG_LOCKS_COLUMNS.map(([name, type]) => ({ name, type })), hasSystem: false, env, sql }, table: null, rows: () => pgLocksRows(ex) };
  }
  // the statistics views (pgstat/views.ts): pg_catalog comes first in every search path
  const inCatalog = !rv.schemaname || rv.schemaname === 'pg_catalog';
  const statView = inCatalog && Object.hasOwn(STAT_VIEWS, rv.relname) ? STAT_VIEWS[rv.relname as string] : undefined;
  if (statView) {
    const v = statView(ex.eng, s);
    const names = (rv.alias?.colnames as N[] | undefined)?.map((c) => c.String.sval as string) ?? [];
    return {
      scope: {
        relName: rv.relname, rowType: rv.relname, alias,
        columns: v.columns.map((c, i) => ({ name: names[i] ?? c.name, type: c.type, ...(c.refused ? { refused: c.refused } : {}) })),
        hasSystem: false, env, sql, ...(v.starRefused ? { starRefused: v.starRefused } : {}),
      },
      table: null, rows: () => v.rows,
    };
  }
  if (inCatalog && /^pg_stat/.test(rv.relname) && PG15_TYPES.has(rv.relname)) {
    throw notSupported(`the statistics view ${rv.relname} (pg_stat_user_tables, pg_stat_all_tables, pg_stat_activity, pg_stat_user_functions, pg_stat_slru, pg_stat_database, pg_stat_bgwriter, pg_stat_wal and pg_stat_progress_vacuum are modelled)`, posOf(rv.location));
  }
  if (rv.schemaname && rv.schemaname !== 'public' && rv.schemaname !== 'pg_temp') return null;
  const view = cat.view(rv.relname, rv.schemaname);
  if (view) {
    const q = runQuery(ex, s, view, snap, sql);
    const names = (rv.alias?.colnames as N[] | undefined)?.map((c) => c.String.sval as string) ?? [];
    return {
      scope: {
        relName: view.name, rowType: view.name, alias, columns: view.columns.map((c, i) => ({ name: names[i] ?? c.name, type: c.type })),
        hasSystem: false, env, sql,
      },
      table: null, rows: () => q.rows,
    };
  }
  const seq = cat.sequence(rv.relname, rv.schemaname);
  if (seq) {
    const r = sequenceRow(seq);
    return {
      scope: { relName: seq.name, rowType: seq.name, alias, columns: r.names.map((name, i) => ({ name, type: r.types[i] === 'bool' ? T.bool : T.int8 })), hasSystem: false, env, sql },
      table: null, rows: () => [r.row],
    };
  }
  return null;
}

/**
 * A system relation named in a query is locked as the parser / rewriter locks any relation it reads
 * (AcquireRewriteLocks; a view's base relations and their indexes too: catalog/catalocks.ts): AccessShareLock until
 * the transaction ends, which nothing here could make wait.
 */
function lockSystemRelations(ex: Executor, s: Session, oids: readonly number[]): void {
  for (const oid of oids) {
    const tag = { type: 'relation', rel: oid } as const;
    if (ex.eng.locks.acquire(s.id, tag, LockMode.AccessShare, ex.eng.clock.now) !== 'granted') throw notSupported('waiting for a lock on a system catalog');
    s.tx?.subs[s.tx.subs.length - 1]?.locks.push({ tag, mode: LockMode.AccessShare });
  }
}

/** pg_locks' columns, in PostgreSQL 15's order. */
const PG_LOCKS_COLUMNS: [string, SqlType][] = [
  ['locktype', T.text], ['database', T.oid], ['relation', T.oid], ['page', T.int4], ['tuple', T.int2], ['virtualxid', T.text],
  ['transactionid', T.xid], ['classid', T.oid], ['objid', T.oid], ['objsubid', T.int2], ['virtualtransaction', T.text],
  ['pid', T.int4], ['mode', T.text], ['granted', T.bool], ['fastpath', T.bool], ['waitstart', T.timestamptz],
];

/**
 * The pg_locks view (pg_lock_status): every heavyweight lock held or awaited, then the SIREAD locks of SERIALIZABLE
 * transactions; waitstart is when the wait began.
 */
function pgLocksRows(ex: Executor): Value[][] {
  const eng = ex.eng;
  const rows: Value[][] = [];
  const owner = (o: number) => eng.sessions[o];
  for (const r of eng.locks.view()) {
    const sess = owner(r.owner);
    // a shared catalog is the same relation in every database: its locks carry database 0
    const db = r.locktype === 'transactionid' || r.locktype === 'virtualxid' ? null : r.relation !== null && SHARED_CATALOGS.has(r.relation) ? 0 : DATABASE_OID;
    rows.push([r.locktype, db, r.relation, r.page, r.tuple, r.virtualxid, r.transactionid, r.classid, r.objid, r.objsubid,
      sess?.tx?.vxid ?? null, sess?.pid ?? null, r.mode, r.granted, r.fastpath, r.waitstart === null ? null : virtualTimestamp(r.waitstart)]);
  }
  for (const p of eng.predicates.view()) {
    const [kind, ...rest] = [p.target[0], ...p.target.slice(1).split('/').map(Number)];
    const sess = owner(p.session);
    rows.push([kind === 'r' ? 'relation' : kind === 'p' ? 'page' : 'tuple', DATABASE_OID, rest[0] ?? null, kind === 'r' ? null : rest[1] ?? null,
      kind === 't' ? rest[2] ?? null : null, null, null, null, null, null, sess?.tx?.vxid ?? null, sess?.pid ?? null, 'SIReadLock', true, false, null]);
  }
  return rows;
}

export function* createView(ex: Executor, s: Session, n: N, sqlText: string): Gen<QueryResult> {
  const done: QueryResult = { command: 'CREATE VIEW', columns: null, rows: [] };
  const rv = n.view as N;
  let temp = isTempRelation(rv);
  if (n.withCheckOption && n.withCheckOption !== 'NO_CHECK_OPTION') throw notSupported('WITH CHECK OPTION');
  if (n.options?.length) throw notSupported('view options');
  ex.checkReadOnly(s, 'CREATE VIEW');
  const cat = ex.eng.catalog;
  const name = rv.relname as string;
  const query = materializeLiterals((n.query as N).SelectStmt);
  const rels = new Set<string>(), cols = new Set<string>(), star = { any: false };
  references(query, rels, cols, star);
  const tables = [...rels].map((r) => cat.get(r)).filter((t) => t !== undefined);
  // a view that reads a temporary relation is temporary itself (isQueryUsingTempRelation)
  if (!temp && (tables.some((t) => t.temp) || [...rels].some((r) => cat.view(r)?.temp || cat.sequence(r)?.temp))) {
    if (rv.schemaname === 'public') throw new PgError('42P16', 'cannot create temporary relation in non-temporary schema', { position: posOf(rv.location)! });
    temp = true;
    s.acc.notices.push({ severity: 'NOTICE', sqlstate: '00000', message: `view "${name}" will be a temporary view` });
  }
  const existing = temp ? cat.view(name, 'pg_temp') : cat.view(name, 'public');
  if (cat.relationExists(name, temp ? s.name : undefined) && !(existing && n.replace)) {
    if (n.replace && (temp ? cat.get(name)?.temp : cat.tables.has(name))) throw new PgError('42809', `"${name}" is not a view`);
    throw new PgError('42P07', `relation "${name}" already exists`);
  }
  // parse analysis: run the query over empty stand-ins of its tables, so it reads (and hints) nothing
  const heaps = tables.map((t) => ({ heap: t.heap, indexes: t.indexes, populated: t.matview?.populated }));
  let shape: { names: string[]; types: SqlType[] };
  try {
    for (const t of tables) { t.heap = new HeapRelation(); t.indexes = []; if (t.matview) t.matview.populated = true; } // analysis never scans
    const snap = () => ex.eng.snapshotFor(s);
    shape = runQuery(ex, s, { query, sql: sqlText }, snap, sqlText);
  } finally {
    tables.forEach((t, i) => { t.heap = heaps[i]!.heap; t.indexes = heaps[i]!.indexes; if (t.matview) t.matview.populated = heaps[i]!.populated!; });
  }
  const aliases = ((n.aliases ?? []) as N[]).map((a) => a.String.sval as string);
  if (aliases.length > shape.names.length) throw new PgError('42601', 'CREATE VIEW specifies more column names than columns');
  const columns = shape.names.map((nm, i) => ({ name: aliases[i] ?? nm, type: shape.types[i]!.name === 'unknown' ? T.text : shape.types[i]! }));
  const dup = columns.find((c, i) => columns.findIndex((x) => x.name === c.name) !== i);
  if (dup) throw new PgError('42701', `column "${dup.name}" specified more than once`);
  if (existing) {
    // checkViewTupleDesc: the old columns must stay, in place, with their names and types
    if (columns.length < existing.columns.length) throw new PgError('42P16', 'cannot drop columns from view');
    existing.columns.forEach((c, i) => {
      const nc = columns[i]!;
      if (nc.name !== c.name) throw new PgError('42P16', `cannot change name of view column "${c.name}" to "${nc.name}"`, { hint: 'Use ALTER VIEW ... RENAME COLUMN ... to change name of view column instead.' });
      if (nc.type.name !== c.type.name) throw new PgError('42P16', `cannot change data type of view column "${c.name}" from ${typeDisplayName(c.type)} to ${typeDisplayName(nc.type)}`);
    });
  }
  const deps = [...rels].filter((r) => cat.get(r) || cat.view(r)).map((r) => {
    const t = cat.get(r);
    const all = t ? t.columns.filter((c) => !c.dropped).map((c) => c.name) : cat.view(r)!.columns.map((c) => c.name);
    return { rel: r, columns: star.any ? all : all.filter((c) => cols.has(c)) };
  });
  ex.eng.ensureXid(s);
  if (existing) {
    yield* ex.eng.acquireLock(s, { type: 'relation', rel: existing.oid }, LockMode.AccessExclusive);
    const saved = { ...existing };
    Object.assign(existing, { query, sql: sqlText, columns, deps });
    s.tx!.undo.push(() => Object.assign(existing, saved));
  } else {
    const nsp = temp ? tempNamespace(ex.eng, s).nsp : 0; // first use: pg_temp_N and pg_toast_temp_N take two OIDs
    const view: View = { oid: cat.allocOid(), name, query, sql: sqlText, columns, deps };
    if (temp) view.temp = { session: s.name, nsp };
    cat.allocOid(); cat.allocOid(); cat.allocOid(); // its row type, array type and _RETURN rule
    const key = relKey(view);
    cat.views.set(key, view);
    if (!temp) stampCreated(cat, s.name, ensureTopXid(ex.eng, s), view); // not in others' catalog snapshots until COMMIT
    s.tx!.undo.push(() => cat.views.delete(key));
    grantLock(ex.eng, s, { type: 'relation', rel: view.oid }, LockMode.AccessExclusive);
    logAccessExclusiveLock(ex.eng, s, view.oid); // the new relation's lock, for standbys (wal/standby.ts)
  }
  s.tx!.cidUsed = true;
  return done;
}

/**
 * reportDependentObjects: the views and materialized views that read `rel`, and theirs in turn, depth first (each
 * level in creation order); `kind` is how the DETAIL names the dependent.
 */
export function dependentViews(ex: Executor, rel: string, seen = new Set<string>()): { view: string; on: string; kind: 'view' | 'materialized view' }[] {
  const out: { view: string; on: string; kind: 'view' | 'materialized view' }[] = [];
  const cat = ex.eng.catalog;
  const readers: { oid: number; name: string; kind: 'view' | 'materialized view' }[] = [];
  for (const v of cat.views.values()) if (v.deps.some((d) => d.rel === rel)) readers.push({ oid: v.oid, name: v.name, kind: 'view' });
  for (const t of cat.tables.values()) if (t.matview?.deps.some((d) => d.rel === rel)) readers.push({ oid: t.oid, name: t.name, kind: 'materialized view' });
  readers.sort((a, b) => a.oid - b.oid);
  for (const r of readers) {
    if (seen.has(r.name)) continue;
    seen.add(r.name);
    out.push({ view: r.name, on: rel, kind: r.kind });
    out.push(...dependentViews(ex, r.name, seen));
  }
  return out;
}

/** 2BP01 when views read the relation being dropped. */
export function checkNoDependents(ex: Executor, kind: 'table' | 'view' | 'materialized view', name: string, dropping?: ReadonlySet<string>): void {
  // a dependent the same DROP names goes too (findDependentObjects: it is among the targets)
  const deps = dependentViews(ex, name).filter((d) => !dropping?.has(d.view));
  if (!deps.length) return;
  const cat = ex.eng.catalog;
  const kindOf = (r: string) => (cat.views.has(r) ? 'view' : cat.get(r)?.matview ? 'materialized view' : 'table');
  throw new PgError('2BP01', `cannot drop ${kind} ${name} because other objects depend on it`, {
    detail: deps.map((d) => `${d.kind} ${d.view} depends on ${kindOf(d.on)} ${d.on}`).join('\n'), hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
  });
}

export function* dropView(ex: Executor, s: Session, n: N): Gen<QueryResult> {
  ex.checkReadOnly(s, 'DROP VIEW');
  const cat = ex.eng.catalog;
  for (const obj of n.objects as N[]) {
    const parts = (obj.List.items as N[]).map((x) => x.String.sval as string);
    const name = parts[parts.length - 1]!;
    const view = cat.view(name, schemaOf({ schemaname: parts[parts.length - 2] }));
    if (!view) {
      if (cat.get(name)?.matview) throw new PgError('42809', `"${name}" is not a view`, { hint: 'Use DROP MATERIALIZED VIEW to remove a materialized view.' });
      if (cat.get(name)) throw new PgError('42809', `"${name}" is not a view`, { hint: 'Use DROP TABLE to remove a table.' });
      if (cat.sequence(name)) throw new PgError('42809', `"${name}" is not a view`, { hint: 'Use DROP SEQUENCE to remove a sequence.' });
      if (n.missing_ok) { s.acc.notices.push({ severity: 'NOTICE', sqlstate: '00000', message: `view "${name}" does not exist, skipping` }); continue; }
      throw new PgError('42P01', `view "${name}" does not exist`);
    }
    // CASCADE: the views reading it (and theirs) go first, named in one NOTICE (reportDependentObjects)
    const deps = n.behavior === 'DROP_CASCADE' ? dependentViews(ex, name) : [];
    if (deps.some((d) => d.kind !== 'view')) throw notSupported('DROP VIEW ... CASCADE of a view a materialized view reads');
    if (!deps.length) checkNoDependents(ex, 'view', name);
    yield* ex.eng.acquireLock(s, { type: 'relation', rel: view.oid }, LockMode.AccessExclusive);
    if (deps.length) {
      const lines = deps.map((d) => `drop cascades to ${d.kind} ${d.view}`);
      s.acc.notices.push(lines.length === 1 ? { severity: 'NOTICE', sqlstate: '00000', message: lines[0]! }
        : { severity: 'NOTICE', sqlstate: '00000', message: `drop cascades to ${lines.length} other objects`, detail: lines.join('\n') });
    }
    for (const d of deps) {
      const dv = [...cat.views.values()].find((v) => v.name === d.view && (!v.temp || v.temp.session === cat.current));
      if (!dv) continue;
      yield* ex.eng.acquireLock(s, { type: 'relation', rel: dv.oid }, LockMode.AccessExclusive);
      removeView(ex, s, dv);
    }
    removeView(ex, s, view);
  }
  return { command: 'DROP VIEW', columns: null, rows: [] };
}

/** A view's pg_class row deleted: others' catalog snapshots keep it until COMMIT, ROLLBACK puts it back. */
export function removeView(ex: Executor, s: Session, view: View): void {
  const cat = ex.eng.catalog;
  ex.eng.ensureXid(s);
  const key = relKey(view);
  cat.views.delete(key);
  const sh = view.temp ? null : shadowOf(cat, s.name, ensureTopXid(ex.eng, s), key, view.name, view, { view });
  s.tx!.undo.push(() => { cat.views.set(key, view); if (sh) unshadow(cat, sh); });
  s.tx!.cidUsed = true;
}
