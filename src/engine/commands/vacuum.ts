/**
 * VACUUM and ANALYZE as statements: prune every page (dead versions out, HOT chains redirected), remove the index
 * entries of dead line pointers, mark those line pointers unused, set the visibility map bit of all-visible pages,
 * record the free space, and update relpages/reltuples. Pages a waiting backend has pinned are skipped.
 *
 * Options: VERBOSE (PostgreSQL 15's INFO report), FREEZE, ANALYZE, INDEX_CLEANUP ON / AUTO / OFF, TRUNCATE,
 * DISABLE_PAGE_SKIPPING, PROCESS_TOAST; the work is
 * vacuum/vacuumlazy.ts.
 *
 * Mirrors: src/backend/commands/vacuum.c (ExecVacuum, vacuum_rel), commands/analyze.c (the relpages/reltuples
 * part, analyzeRel); VACUUM FULL is vacuum/vacuumfull.ts. Simplifications: ANALYZE reads every
 * page (PostgreSQL samples 30,000 rows); its column statistics are commands/analyze.ts's.
 */
import { drainInplace } from '../lock/lmgr.js';
import { numericStoredSize } from '../heap/tuple.js';
import { Numeric } from '../sql/numeric.js';
import { PgBit, bitStoredSize } from '../adt/varbit.js';
import { btreePages } from '../sql/funcs/dbsize.js';
import type { Executor } from '../executor/executor.js';
import { PgError, notSupported, posOf } from '../errors.js';
import type { Session, QueryResult } from '../session/session.js';
import type { Table } from '../catalog/catalog.js';
import { vacuumFull } from '../vacuum/vacuumfull.js';
import { LockMode } from '../lock/lock.js';
import { ownerCheck, type Role } from '../catalog/acl.js';
import { currentRole } from './user.js';
import { allVisibleCount } from '../catalog/sysviews.js';
import { countLiveDead } from '../vacuum/vacuum.js';
import { removableHorizon, vacuumContext } from '../vacuum/pruneheap.js';
import { lazyVacuumRel, vacuumToast, relFrozenXid, type VacuumParams } from '../vacuum/vacuumlazy.js';
import { LpFlags, HEAP_XMAX_LOCK_ONLY } from '../heap/tuple.js';
import { groupKey, type Value } from '../sql/types.js';
import { computeScalarStats } from './analyze.js';
import { utf8Len } from '../sql/utf8.js';
import {
  satisfiesMVCC, VIS_VISIBLE,
} from '../visibility/visibility.js';
import { allPartitions, leafPartitions } from '../executor/execPartition.js';
import { reportVacuumOf, reportAnalyzeOf } from '../pgstat/report.js';
import { advanceCatalogFrozenXid } from '../postmaster/autovacuum.js';
import { commitTx } from '../xact/xactblock.js';
import { freezePendingDetachMarks, PG_INHERITS_OID } from './detachpartition.js';
import {
  N, Gen, VACUUM_OPTIONS, ANALYZE_OPTIONS, needsToast,
} from '../executor/util.js';

/**
 * ANALYZE only feeds the planner, which this engine does not have: it is accepted, and like PostgreSQL it gives
 * its transaction an xid when it writes statistics (the table has rows). VACUUM is accepted while there is
 * nothing for it to remove (it then only sets hint bits, as reading does); removing dead versions is not modelled.
 */
export function* vacuumStmt(ex: Executor, s: Session, n: N): Gen<QueryResult> {
  const isVacuum = n.is_vacuumcmd === true;
  const opts = ((n.options ?? []) as N[]).map((o) => String(o.DefElem.defname));
  // ExecVacuum: PostgreSQL 15's options (16 added process_main, buffer_usage_limit, skip_database_stats, ...)
  const known = isVacuum ? VACUUM_OPTIONS : ANALYZE_OPTIONS;
  for (const o of (n.options ?? []) as N[]) {
    if (!known.has(o.DefElem.defname)) throw new PgError('42601', `unrecognized ${isVacuum ? 'VACUUM' : 'ANALYZE'} option "${o.DefElem.defname}"`, { position: posOf(o.DefElem.location) });
  }
  if (isVacuum && s.block !== 'none') throw new PgError('25001', 'VACUUM cannot run inside a transaction block');
  const boolOpt = (name: string, dflt: boolean) => {
    const o = ((n.options ?? []) as N[]).find((x) => x.DefElem.defname === name);
    if (!o) return dflt;
    const a = o.DefElem.arg;
    if (!a) return true;
    const v = String(a.String?.sval ?? a.A_Const?.sval?.sval ?? a.A_Const?.boolval?.boolval ?? a.A_Const?.ival?.ival ?? a.Integer?.ival ?? a.Boolean?.boolval ?? '');
    return !/^(off|false|0|no|)$/i.test(v) || v === 'true';
  };
  const full = boolOpt('full', false);
  const verbose = boolOpt('verbose', false);
  const params: VacuumParams = {
    freeze: boolOpt('freeze', false), verbose, indexCleanup: opts.includes('index_cleanup') ? (boolOpt('index_cleanup', true) ? 'on' : 'off') : 'auto',
    truncate: boolOpt('truncate', true), disablePageSkipping: boolOpt('disable_page_skipping', false), processToast: boolOpt('process_toast', true),
  };
  if (((n.options ?? []) as N[]).some((o) => o.DefElem.defname === 'index_cleanup' && /^auto$/i.test(String(o.DefElem.arg?.String?.sval ?? '')))) params.indexCleanup = 'auto';
  const analyze = !isVacuum || opts.includes('analyze');
  const skipLocked = boolOpt('skip_locked', false);
  // VACUUM of the catalog pg_inherits: only what it does to a partition pending detach (commands/detachpartition.ts)
  const rels = (n.rels ?? []) as N[];
  const isInherits = (r: N) => r.VacuumRelation.relation?.schemaname === 'pg_catalog' && r.VacuumRelation.relation.relname === 'pg_inherits';
  if (rels.some(isInherits)) {
    if (rels.length > 1 || !isVacuum || full || verbose || analyze) throw notSupported('VACUUM of pg_catalog.pg_inherits with other tables, FULL, VERBOSE or ANALYZE');
    const tag = { type: 'relation' as const, rel: PG_INHERITS_OID };
    yield* ex.eng.acquireLock(s, tag, LockMode.ShareUpdateExclusive);
    if (params.freeze) freezePendingDetachMarks(ex, removableHorizon(ex.eng));
    ex.eng.releaseLock(s, tag, LockMode.ShareUpdateExclusive);
    return { command: 'VACUUM', columns: null, rows: [] };
  }
  const named = rels.map((r) => ex.table(r.VacuumRelation.relation));
  if (!named.length && verbose) throw notSupported(`${isVacuum ? 'VACUUM' : 'ANALYZE'} VERBOSE of the whole database (it would report every system catalog): name the tables`);
  const role = currentRole(ex.eng, s);
  if (!named.length && !role.superuser) throw notSupported(`${isVacuum ? 'VACUUM' : 'ANALYZE'} of the whole database by a role without SUPERUSER (it would skip every system catalog with a WARNING): name the tables`);
  const what = isVacuum ? 'vacuum' : 'analyze';
  // expand_vacuum_rel: a named table is looked up under AccessShareLock (conditionally with SKIP_LOCKED), a
  // partitioned one brings its partitions (find_all_inheritors, no lock, no name: they are skipped silently)
  const vacrels: { t: Table; named: boolean }[] = [];
  for (const t of named) {
    if (!(yield* tryLock(ex, s, t, LockMode.AccessShare, skipLocked))) { warn(s, '55P03', `skipping ${what} of "${t.name}" --- lock not available`); continue; }
    // kept only if the role owns it (the WARNING comes before any table is worked on)
    if (!vacuumIsRelationOwner(s, t, role, what)) { ex.eng.releaseLock(s, { type: 'relation', rel: t.oid }, LockMode.AccessShare); continue; }
    vacrels.push({ t, named: true });
    if (t.partKey) for (const p of allPartitions(ex.eng.catalog, t)) vacrels.push({ t: p, named: false });
    ex.eng.releaseLock(s, { type: 'relation', rel: t.oid }, LockMode.AccessShare);
  }
  // get_all_vacuum_rels: every table of the database (not other sessions' temporary tables)
  if (!named.length) for (const t of ex.eng.catalog.tables.values()) if (ex.eng.catalog.visible(t)) vacrels.push({ t, named: false });
  if (verbose && vacrels.some((r) => r.t.partKey)) throw notSupported(`${isVacuum ? 'VACUUM' : 'ANALYZE'} VERBOSE of a partitioned table`);
  // vacuum(): VACUUM, and ANALYZE of several tables outside a transaction block, give each table a transaction of
  // its own — the table's locks go when it is done
  const ownXacts = isVacuum || (s.block === 'none' && vacrels.length > 1);
  const tables: Table[] = [];
  const gone = (t: Table) => !ex.eng.catalog.byOid(t.oid);
  for (const { t: t0, named: isNamed } of vacrels) {
    let t = t0;
    if (gone(t)) { if (isNamed) warn(s, '42P01', `skipping ${what} of "${t.name}" --- relation no longer exists`); continue; }
    if (!named.length && !vacuumIsRelationOwner(s, t, role, what)) continue; // the whole database: the role's own tables
    if (isVacuum) {
      // vacuum_rel: ShareUpdateExclusiveLock (AccessExclusiveLock for FULL); a partitioned table has nothing to do
      const lmode = full ? LockMode.AccessExclusive : LockMode.ShareUpdateExclusive;
      if (!(yield* tryLock(ex, s, t, lmode, skipLocked))) { if (isNamed) warn(s, '55P03', `skipping vacuum of "${t.name}" --- lock not available`); continue; }
      if (gone(t)) { if (isNamed) warn(s, '42P01', `skipping vacuum of "${t.name}" --- relation no longer exists`); if (ownXacts) releaseRelationLocks(ex, s); continue; }
      t = ex.eng.catalog.byOid(t.oid) as Table; // as it is now that the lock is held
      if (!t.partKey) {
        if (full) yield* vacuumFull(ex, s, t, verbose);
        else { ex.vacuumTable(s, t, params); reportVacuumOf(ex.eng, t, false); }
      }
    }
    if (analyze) {
      // analyze_rel: ShareUpdateExclusiveLock; a partitioned table samples its partitions (acquire_inherited_sample_rows
      // locks them AccessShareLock, waiting even with SKIP_LOCKED)
      if (!(yield* tryLock(ex, s, t, LockMode.ShareUpdateExclusive, skipLocked))) {
        if (isNamed) warn(s, '55P03', `skipping analyze of "${t.name}" --- lock not available`);
        if (ownXacts) releaseRelationLocks(ex, s);
        continue;
      }
      if (gone(t)) { if (isNamed) warn(s, '42P01', `skipping analyze of "${t.name}" --- relation no longer exists`); if (ownXacts) releaseRelationLocks(ex, s); continue; }
      t = ex.eng.catalog.byOid(t.oid) as Table;
      if (t.partKey) {
        const parts = allPartitions(ex.eng.catalog, t);
        for (const p of parts) yield* ex.lockRelation(s, p, LockMode.AccessShare, false);
        analyzeInherited(ex, s, t, leafPartitions(ex.eng.catalog, t).filter((p) => !gone(p)));
      } else { analyzeRel(ex, s, t, verbose); reportAnalyzeOf(ex.eng, s, t, false); }
      tables.push(t);
    }
    // vac_update_relstats is an inplace update of the table's pg_class row: it waits for the row's updater first
    s.inplacePending.add(t);
    yield* drainInplace(ex, s);
    if (ownXacts) releaseRelationLocks(ex, s);
    // vacuum_rel's CommitTransactionCommand / StartTransactionCommand: a table whose truncation took an xid commits
    // it before the next table (whose own truncation then takes a new one; measured: vacuum/verbose-options.spec)
    if (isVacuum && ownXacts && s.tx?.xid) { commitTx(ex.eng, s); ex.eng.ensureTx(s); }
  }
  if (isVacuum && !named.length) advanceCatalogFrozenXid(ex.eng, false); // a database-wide VACUUM also does the catalogs
  if (analyze) {
    const snap = ex.eng.snapshotFor(s);
    const vctx = ex.eng.visibilityContext(s);
    const anyRows = tables.some((t) => !t.partKey && t.heap.pages.some((p) => p.items.some((it) => it.lpFlags === LpFlags.NORMAL &&
      VIS_VISIBLE[satisfiesMVCC(it, snap, vctx)])));
    if (anyRows) ex.eng.ensureTopXid(s);
  }
  return { command: isVacuum ? 'VACUUM' : 'ANALYZE', columns: null, rows: [] };
}

/** the xids this session's VACUUM holds so far, added to those of its earlier tables */
function withOwnXids(s: Session, finished?: ReadonlySet<number>): ReadonlySet<number> {
  const out = new Set(finished ?? []);
  if (s.tx?.xid) out.add(s.tx.xid);
  for (const x of s.tx?.subXidSet ?? []) out.add(x);
  return out;
}

/** vacuum_is_relation_owner: the table's owner (or a superuser) may; anyone else gets a WARNING and the table is skipped. */
function vacuumIsRelationOwner(s: Session, t: Table, role: Role, what: 'vacuum' | 'analyze'): boolean {
  if (ownerCheck(t, role)) return true;
  s.acc.notices.push({ severity: 'WARNING', sqlstate: '01000', message: `skipping "${t.name}" --- only table or database owner can ${what} it` });
  return false;
}

/** A WARNING of VACUUM / ANALYZE skipping a table. */
function warn(s: Session, sqlstate: string, message: string) {
  s.acc.notices.push({ severity: 'WARNING', sqlstate, message });
}

/** vacuum_open_relation's lock: waited for, or with SKIP_LOCKED taken only if free at once (false: it was not). */
function* tryLock(ex: Executor, s: Session, t: Table, mode: LockMode, conditional: boolean): Gen<boolean> {
  const tag = { type: 'relation' as const, rel: t.oid };
  if (!conditional) { yield* ex.eng.acquireLock(s, tag, mode); return true; }
  try {
    yield* ex.eng.acquireLock(s, tag, mode, null, '', { nowait: true });
    return true;
  } catch (e) {
    if (e instanceof PgError && e.sqlstate === '55P03') return false;
    throw e;
  }
}

/** The end of one table's own transaction (vacuum()'s CommitTransactionCommand): its relation locks go. */
export function releaseRelationLocks(ex: Executor, s: Session) {
  for (const h of ex.eng.locks.heldBy(s.id)) {
    if (h.tag.type !== 'relation') continue;
    for (const m of h.modes) while (ex.eng.locks.holds(s.id, h.tag, m)) ex.eng.releaseLock(s, h.tag, m);
  }
}

/**
 * ANALYZE of a partitioned table (do_analyze_rel with inh = true): its reltuples becomes the live rows of its
 * partitions together; it has no pages. Simplification: the inheritance tree's column statistics (pg_statistic
 * rows with stainherit) are not computed.
 */
function analyzeInherited(ex: Executor, s: Session, t: Table, leaves: Table[]) {
  const ctx = vacuumContext(ex.eng, removableHorizon(ex.eng));
  const mine = (x: number) => x !== 0 && (x === s.tx?.xid || (s.tx?.subXidSet?.has(x) ?? false));
  let live = 0;
  for (const p of leaves) live += countLiveDead(p.heap.pages, ctx, mine).live;
  t.stats = { relpages: 0, reltuples: live, relallvisible: 0 };
}

/**
 * ANALYZE's row count (acquire_sample_rows over every page: small tables are read whole): HeapTupleSatisfiesVacuum
 * decides — live rows are sampled, dead and recently dead ones (and LP_DEAD stubs) counted as dead; a row this
 * transaction inserted counts as live, one it deleted as dead, other in-progress inserts not at all. reltuples
 * becomes the live count; VERBOSE reports it as PostgreSQL 15 does.
 */
export function analyzeRel(ex: Executor, s: Session, t: Table, verbose: boolean) {
  const eng = ex.eng;
  const ctx = vacuumContext(eng, removableHorizon(eng));
  const mine = (x: number) => x !== 0 && (x === s.tx?.xid || (s.tx?.subXidSet?.has(x) ?? false));
  const { live, dead } = countLiveDead(t.heap.pages, ctx, mine);
  const pages = t.heap.pages.length;
  t.heap.targetBlock = -1;
  t.stats = { relpages: pages, reltuples: live, relallvisible: allVisibleCount(t), ...columnStats(t) };
  // each index: its pages, and the table's row estimate (a partial index: its own entries)
  for (const i of t.indexes) i.stats = { relpages: btreePages(t, i), reltuples: i.def?.pred ? i.count : live };
  if (!verbose) return;
  s.acc.notices.push({ severity: 'INFO', sqlstate: '00000', message: `analyzing "public.${t.name}"` });
  s.acc.notices.push({ severity: 'INFO', sqlstate: '00000', message: `"${t.name}": scanned ${pages} of ${pages} pages, containing ${live} live rows and ${dead} dead rows; ${live} rows in sample, ${live} estimated total rows` });
}

/**
 * pg_statistic's view of each column over the live rows, as ANALYZE measures it (every row: these tables are far
 * below its 30,000-row sample): n_distinct (-1 when every non-NULL value is distinct), stanullfrac, and stawidth of
 * a text / varchar column. The planner reads them (optimizer/plancat.ts, clausesel.ts).
 */
export function columnStats(t: Table): Pick<NonNullable<Table['stats']>, 'distinct' | 'nullfrac' | 'widths' | 'columns'> {
  let live = 0;
  const colValues = t.columns.map((): Value[] => []);
  const seen = t.columns.map(() => new Set<unknown>()); // one column's values are of one type: numbers and strings as they are
  const nonNull = t.columns.map(() => 0);
  const bytes = t.columns.map(() => 0);
  for (const p of t.heap.pages) {
    for (const it of p.items) {
      if (it.lpFlags === LpFlags.NORMAL && (it.infomask & 0x0300) !== 0x0200 && (it.infomask & 0x0800 || it.infomask & HEAP_XMAX_LOCK_ONLY || it.xmax === 0)) {
        live++;
        colValues.forEach((vals, c) => vals.push(it.values[c] ?? null));
        it.values.forEach((v, c) => { if (v !== null && c < seen.length) { seen[c]!.add(typeof v === 'object' ? groupKey(v)! : v); nonNull[c]!++; if (typeof v === 'string') bytes[c]! += varlenaSize(v); else if (v instanceof Numeric) bytes[c]! += numericStoredSize(v); else if (v instanceof PgBit) bytes[c]! += bitStoredSize(v); } });
      }
    }
  }
  return {
    distinct: seen.map((set, c) => (set.size > 0 && set.size === nonNull[c] ? -1 : set.size)),
    nullfrac: t.columns.map((_, c) => (live > 0 ? (live - nonNull[c]!) / live : 0)),
    // the average stored size of a varlena value (a short one has a 1-byte header), truncated to int
    widths: t.columns.map((col, c) => (['text', 'varchar', 'numeric', 'bit', 'varbit'].includes(col.type.name) && nonNull[c]! > 0 ? Math.trunc(bytes[c]! / nonNull[c]!) : null)),
    // pg_statistic's rows (commands/analyze.ts): stadistinct, the MCV list, the histogram
    columns: colValues.map((vals, c) => (t.columns[c]!.dropped ? null : computeScalarStats(vals))),
  };
}

/**
 * relpages / reltuples as index builds (index.c index_update_stats: pg_class only) and autovacuum's ANALYZE record
 * them (VACUUM records its own counts: vacuumlazy.ts). Column statistics only with `analyze`: a CREATE INDEX on a
 * never-analyzed table leaves the planner without n_distinct, so GROUP BY / DISTINCT estimates keep their defaults.
 */
export function updateStats(ex: Executor, s: Session, t: Table, analyze = false) {
  t.heap.targetBlock = -1; // pg_class is updated: the relation's cache entry is rebuilt (relcache invalidation)
  let live = 0;
  for (const p of t.heap.pages) for (const it of p.items) if (it.lpFlags === LpFlags.NORMAL && (it.infomask & 0x0300) !== 0x0200 &&
    (it.infomask & 0x0800 || it.infomask & HEAP_XMAX_LOCK_ONLY || it.xmax === 0)) live++;
  const cols = analyze ? columnStats(t) : { distinct: t.stats?.distinct, nullfrac: t.stats?.nullfrac, widths: t.stats?.widths, columns: t.stats?.columns };
  t.stats = { relpages: t.heap.pages.length, reltuples: live, relallvisible: allVisibleCount(t), ...cols };
  s.inplacePending.add(t); // an inplace update of its pg_class row: waited for when the statement ends (lmgr.ts)
}

/** VARSIZE_ANY of an uncompressed text value: a 1-byte header up to 126 bytes of data, else 4 (toast is not modelled). */
const varlenaSize = (v: string) => { const n = utf8Len(v); return n + 1 <= 127 ? n + 1 : n + 4; };

/** Lazy VACUUM of one table (vacuum/vacuumlazy.ts), then its TOAST table when it has one. */
export function vacuumTable(ex: Executor, s: Session, t: Table, p: VacuumParams = { freeze: false, verbose: false, indexCleanup: 'auto', truncate: true }) {
  const toast = needsToast(t.columns.filter((c) => !c.dropped));
  if (toast) t.toastFrozenXid ??= relFrozenXid(t);
  lazyVacuumRel(ex.eng, s, t, p);
  // vacuum_rel commits the table's transaction before it vacuums the TOAST table: one that ever held a chunk is
  // vacuumed as any table (its dead chunks removed, the file truncated), one never used is reported empty
  if (!toast || p.processToast === false) return;
  const tp = { ...p, finished: withOwnXids(s, p.finished) };
  if (t.toast && (t.toast.heap.pages.length > 0 || t.toast.relfrozenxid !== undefined)) {
    t.toast.relfrozenxid ??= t.toastFrozenXid;
    lazyVacuumRel(ex.eng, s, t.toast, tp);
    t.toastFrozenXid = t.toast.relfrozenxid;
  } else vacuumToast(ex.eng, s, t, tp);
}
