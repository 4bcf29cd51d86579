/**
 * Autovacuum on the virtual clock: the launcher wakes every autovacuum_naptime, a worker looks at each table's
 * statistics (pgstat/pgstat_relation.ts) and vacuums and/or analyzes the tables that need it.
 *
 * relation_needs_vacanalyze's formulas, with reltuples taken as 0 for a table never vacuumed or analyzed:
 *
 *     vacuum  if n_dead_tup         > autovacuum_vacuum_threshold (50) + autovacuum_vacuum_scale_factor (0.2) × reltuples
 *          or n_ins_since_vacuum    > autovacuum_vacuum_insert_threshold (1000) + autovacuum_vacuum_insert_scale_factor (0.2) × reltuples
 *             (the insert rule is off when the insert threshold is -1)
 *     analyze if n_mod_since_analyze > autovacuum_analyze_threshold (50) + autovacuum_analyze_scale_factor (0.1) × reltuples
 *     and always vacuum (anti-wraparound, even with autovacuum = off or autovacuum_enabled = false) when
 *             relfrozenxid is older than autovacuum_freeze_max_age (200 million) transactions
 *
 * A table's own storage parameters (ALTER TABLE t SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_enabled =
 * off)) replace the settings for it. With 1000 rows and the defaults, VACUUM comes after 251 dead rows; with
 * autovacuum_vacuum_scale_factor = 0.01 after 61. The statistics a worker reads are those the sessions have
 * flushed: a change in a session's first second is seen 10 s later (pgstat_relation.ts), so autovacuum follows
 * a burst of writes by up to naptime + 10 s.
 *
 * The run is what a manual VACUUM / ANALYZE does (commands/vacuum.ts), reported to the statistics as
 * autovacuum (last_autovacuum, autovacuum_count); its trace says "autovacuum: VACUUM public.t" as the worker's
 * pg_stat_activity query does. A table another session holds a lock on that conflicts with
 * ShareUpdateExclusiveLock is skipped this round, as the worker's ConditionalLockRelationOid fails.
 *
 * Mirrors: src/backend/postmaster/autovacuum.c (AutoVacLauncherMain's naptime, do_autovacuum,
 * relation_needs_vacanalyze, table_recheck_autovac, autovac_report_activity). Simplifications: one worker, which
 * does every table it finds in one go at the launcher's wake-up (PostgreSQL's workers take time, up to
 * autovacuum_max_workers at once); the launcher's wake-ups are at multiples of the naptime on the virtual clock;
 * no cost-based delay; no toast tables; no multixact-age rule.
 */
import type { Engine } from '../engine.js';
import type { Table } from '../catalog/catalog.js';
import { LockMode } from '../lock/lock.js';
import { removableHorizon } from '../vacuum/pruneheap.js';
import { Session } from '../session/session.js';
import { LpFlags } from '../heap/tuple.js';
import { WalKind } from '../wal/wal.js';
import type { XactPayload } from '../wal/records.js';
import { reportVacuumOf, reportAnalyzeOf } from '../pgstat/report.js';
import { sampleBloat } from '../inspect/bloat.js';
import { checkNewXid } from '../xact/varsup.js';

/** The decision for one table (relation_needs_vacanalyze's outputs and the numbers behind them). */
export interface VacAnalyzeDecision {
  dovacuum: boolean;
  doanalyze: boolean;
  wraparound: boolean;
  vacthresh: number; vacinsthresh: number | null; anlthresh: number;
  vactuples: number; instuples: number; anltuples: number;
  reltuples: number;
}

/** The settings relation_needs_vacanalyze reads, the table's reloptions already applied. */
export interface AutovacParams {
  enabled: boolean;
  vacThreshold: number; vacScaleFactor: number;
  vacInsThreshold: number; vacInsScaleFactor: number;
  anlThreshold: number; anlScaleFactor: number;
  freezeMaxAge: number;
}

/** The table facts it reads: pg_class.reltuples (-1 = never), relfrozenxid, and the shared statistics. */
export interface AutovacInput {
  reltuples: number; relfrozenxid: number; recentXid: number; autovacuumOn: boolean;
  stats: { dead: number; insSinceVacuum: number; modSinceAnalyze: number } | null;
}

/** relation_needs_vacanalyze */
export function relationNeedsVacAnalyze(p: AutovacParams, x: AutovacInput): VacAnalyzeDecision {
  // force a vacuum if the table is at risk of wraparound
  let xidForceLimit = x.recentXid - p.freezeMaxAge;
  if (xidForceLimit < 3) xidForceLimit -= 3;
  const forceVacuum = x.relfrozenxid >= 3 && x.relfrozenxid < xidForceLimit;
  const reltuples = x.reltuples < 0 ? 0 : x.reltuples; // never vacuumed: as if empty
  const vacthresh = p.vacThreshold + p.vacScaleFactor * reltuples;
  const vacinsthresh = p.vacInsThreshold >= 0 ? p.vacInsThreshold + p.vacInsScaleFactor * reltuples : null;
  const anlthresh = p.anlThreshold + p.anlScaleFactor * reltuples;
  const base = {
    wraparound: forceVacuum, vacthresh, vacinsthresh, anlthresh, reltuples,
    vactuples: x.stats?.dead ?? 0, instuples: x.stats?.insSinceVacuum ?? 0, anltuples: x.stats?.modSinceAnalyze ?? 0,
  };
  if (!p.enabled && !forceVacuum) return { ...base, dovacuum: false, doanalyze: false };
  if (x.stats && x.autovacuumOn) {
    const dovacuum = forceVacuum || base.vactuples > vacthresh || (vacinsthresh !== null && base.instuples > vacinsthresh);
    return { ...base, dovacuum, doanalyze: base.anltuples > anlthresh };
  }
  return { ...base, dovacuum: forceVacuum, doanalyze: false };
}

/** One autovacuum run, as the timeline and the bloat plot show it. */
export interface AutovacRun { at: number; table: string; vacuum: boolean; analyze: boolean; wraparound: boolean; query: string }

/** The launcher's state: when it wakes next, and what its workers did. */
export class AutoVacuum {
  /** virtual ms of the launcher's next wake-up (0: not yet scheduled) */
  nextWake = 0;
  runs: AutovacRun[] = [];
  clone(): AutoVacuum {
    const c = new AutoVacuum();
    c.nextWake = this.nextWake; c.runs = this.runs.map((r) => ({ ...r }));
    return c;
  }
  /** Is the launcher process running (autovacuum = on)? PostgreSQL starts it only then. */
  launcherRunning(eng: Engine): boolean { return eng.serverConf.bool('autovacuum'); }
}

const relopt = (t: Table, name: string): string | undefined => t.reloptions?.find((o) => o.startsWith(name + '='))?.slice(name.length + 1);
const BOOL_ON = /^(on|true|yes|1|t|y)$/i;

/** The parameters for one table: its reloptions, else the server's settings (table_recheck_autovac). */
export function autovacParams(eng: Engine, t: Table): AutovacParams {
  const c = eng.serverConf;
  const num = (opt: string, guc: string) => { const v = relopt(t, opt); return v !== undefined ? Number(v) : c.num(guc); };
  const en = relopt(t, 'autovacuum_enabled');
  return {
    enabled: en === undefined ? true : BOOL_ON.test(en),
    vacThreshold: num('autovacuum_vacuum_threshold', 'autovacuum_vacuum_threshold'),
    vacScaleFactor: num('autovacuum_vacuum_scale_factor', 'autovacuum_vacuum_scale_factor'),
    vacInsThreshold: num('autovacuum_vacuum_insert_threshold', 'autovacuum_vacuum_insert_threshold'),
    vacInsScaleFactor: num('autovacuum_vacuum_insert_scale_factor', 'autovacuum_vacuum_insert_scale_factor'),
    anlThreshold: num('autovacuum_analyze_threshold', 'autovacuum_analyze_threshold'),
    anlScaleFactor: num('autovacuum_analyze_scale_factor', 'autovacuum_analyze_scale_factor'),
    // a table's own autovacuum_freeze_max_age can only lower the server's
    freezeMaxAge: Math.min(num('autovacuum_freeze_max_age', 'autovacuum_freeze_max_age'), c.num('autovacuum_freeze_max_age')),
  };
}

/** What relation_needs_vacanalyze decides for a table right now (for the inspection API too). */
export function decisionFor(eng: Engine, t: Table): VacAnalyzeDecision {
  const st = eng.pgstat.tables.get(t.oid);
  return relationNeedsVacAnalyze(autovacParams(eng, t), {
    reltuples: t.stats?.reltuples ?? -1, relfrozenxid: relfrozenxidOf(t), recentXid: eng.xacts.nextXid,
    autovacuumOn: eng.serverConf.bool('autovacuum'),
    stats: st ? { dead: st.dead, insSinceVacuum: st.insSinceVacuum, modSinceAnalyze: st.modSinceAnalyze } : null,
  });
}

/** pg_class.relfrozenxid (set by CREATE TABLE and by VACUUM's freezing where the engine models it). */
export function relfrozenxidOf(t: Table): number {
  const r = (t as Table & { relfrozenxid?: number }).relfrozenxid;
  return r ?? 0;
}

/** Does another backend hold a lock on the table that conflicts with the worker's ShareUpdateExclusiveLock? */
function lockNotAvailable(eng: Engine, t: Table): boolean {
  return !eng.locks.wouldGrant({ type: 'relation', rel: t.oid }, LockMode.ShareUpdateExclusive);
}

/** The launcher's wake-ups up to `now`: each one sends a worker through every table that needs it. */
export function autovacuumUntil(eng: Engine, until: number, runWorker: (t: Table, d: VacAnalyzeDecision, at: number) => void): void {
  const av = eng.autovacuum;
  const napMs = eng.serverConf.num('autovacuum_naptime') * 1000;
  if (av.nextWake === 0) av.nextWake = napMs;
  while (av.nextWake <= until) {
    const at = av.nextWake;
    av.nextWake = at + napMs;
    // without the launcher only the anti-wraparound rule starts a worker (the postmaster's emergency start)
    if (!av.launcherRunning(eng) && !eng.xidLimits().pastVacLimit(eng.xacts.nextXid)) continue;
    for (const t of [...eng.catalog.tables.values()]) {
      if (t.temp) continue; // autovacuum cannot reach temporary tables
      const d = decisionFor(eng, t);
      if (!d.dovacuum && !d.doanalyze) continue;
      if (lockNotAvailable(eng, t)) continue;
      runWorker(t, d, at);
    }
  }
}

/**
 * A database-wide VACUUM vacuums the catalogs too, and datfrozenxid follows; the anti-wraparound autovacuum does the
 * same in template0 and template1 (`templates`). Their relfrozenxid becomes the horizon (measured on PostgreSQL 15:
 * after the emergency autovacuum every database's datfrozenxid was within 3 of the next xid) — the catalog rows'
 * own xids are not modelled, as if they were all old enough to freeze.
 */
export function advanceCatalogFrozenXid(eng: Engine, templates: boolean): void {
  const frozen = removableHorizon(eng);
  if (frozen > eng.catalogFrozenXid) eng.catalogFrozenXid = frozen;
  if (templates && frozen > eng.templateFrozenXid) eng.templateFrozenXid = frozen;
}

/** autovac_report_activity: what the worker's pg_stat_activity row (and the trace) says it runs. */
export function autovacQuery(t: Table, d: VacAnalyzeDecision): string {
  const what = d.dovacuum ? (d.doanalyze ? 'VACUUM ANALYZE' : 'VACUUM') : 'ANALYZE';
  return `autovacuum: ${what} public.${t.name}${d.wraparound ? ' (to prevent wraparound)' : ''}`;
}

/**
 * One worker's run on one table (autovacuum_do_vac_analyze): the lazy VACUUM and/or ANALYZE a session would run,
 * reported to the statistics as autovacuum's. ANALYZE writes pg_statistic when the table has rows: that takes a
 * transaction id, which the worker commits.
 */
export function runAutovacuumWorker(eng: Engine, t: Table, d: VacAnalyzeDecision, at: number): void {
  const ws = new Session(-1, 'autovacuum worker', 995, 0);
  ws.gucs.server = eng.serverConf;
  const query = autovacQuery(t, d);
  if (eng.tracer.wants('autovacuum')) {
    eng.tracer.emit({ kind: 'autovacuum', session: '', rel: t.name, text: `${query} — n_dead_tup ${d.vactuples} vs threshold ${fmt(d.vacthresh)}, `
      + `n_ins_since_vacuum ${d.instuples} vs ${d.vacinsthresh === null ? 'off' : fmt(d.vacinsthresh)}, n_mod_since_analyze ${d.anltuples} vs ${fmt(d.anlthresh)} (reltuples ${d.reltuples})` });
  }
  if (d.dovacuum) {
    eng.executor.vacuumTable(ws, t);
    reportVacuumOf(eng, t, true);
  }
  if (d.doanalyze) {
    const hasRows = t.heap.pages.some((p) => p.items.some((it) => it.lpFlags === LpFlags.NORMAL));
    // past xidStopLimit no transaction id is handed out: the worker's ANALYZE fails (its VACUUM needed none)
    const refused = hasRows && checkNewXid(eng.xacts.nextXid, eng.xidLimits()).kind === 'Refuse';
    if (hasRows && !refused) {
      // update_attstats: a short transaction of the worker's own
      const xid = eng.xacts.assign(-1);
      const lsn = eng.wal.insert(WalKind.XactCommit, xid, 34, 0, -1, 0, 0, { subXids: [], at: eng.clock.now, catalog: true } satisfies XactPayload);
      eng.wal.flush(lsn);
      eng.xacts.complete(xid, true);
    }
    if (!refused) reportAnalyzeOf(eng, null, t, true);
  }
  if (d.dovacuum || d.doanalyze) eng.executor.updateStats(ws, t, d.doanalyze);
  eng.autovacuum.runs.push({ at, table: t.name, vacuum: d.dovacuum, analyze: d.doanalyze, wraparound: d.wraparound, query });
  if (eng.autovacuum.runs.length > 500) eng.autovacuum.runs.shift();
  sampleBloat(eng, query, 'autovacuum');
}

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));
