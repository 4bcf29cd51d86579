/**
 * What the Vacuum view shows, in one plain-JSON object: the removable horizon and who holds it (horizon.ts), the
 * bloat series (bloat.ts), each table's statistics as pg_stat_user_tables would print them with autovacuum's
 * thresholds for it (postmaster/autovacuum.ts relation_needs_vacanalyze), and the launcher's state.
 */
import type { Engine } from '../engine.js';
import { type HorizonReport, horizonReport } from './horizon.js';
import type { BloatSample } from './bloat.js';
import { type AutovacRun, type VacAnalyzeDecision, decisionFor } from '../postmaster/autovacuum.js';
import { type TableStats, emptyTableStats } from '../pgstat/pgstat_relation.js';

export interface VacuumTableState { name: string; stats: TableStats; decision: VacAnalyzeDecision; reloptions: string[] }
export interface VacuumState {
  horizon: HorizonReport;
  series: BloatSample[];
  tables: VacuumTableState[];
  autovacuum: { on: boolean; naptimeSec: number; nextWake: number; runs: AutovacRun[] };
  nextXid: number;
  xidLimits: { warnLimit: number; stopLimit: number; wrapLimit: number; vacLimit: number; oldestXid: number; oldestDb: string };
}

export function vacuumState(eng: Engine): VacuumState {
  const l = eng.xidLimits();
  return {
    horizon: horizonReport(eng),
    series: eng.bloat.samples,
    tables: [...eng.catalog.tables.values()].filter((t) => !t.temp).map((t) => ({ // autovacuum never reaches a temporary table
      name: t.name, stats: { ...(eng.pgstat.tables.get(t.oid) ?? emptyTableStats()) }, decision: decisionFor(eng, t), reloptions: t.reloptions?.slice() ?? [],
    })),
    autovacuum: { on: eng.serverConf.bool('autovacuum'), naptimeSec: eng.serverConf.num('autovacuum_naptime'), nextWake: eng.autovacuum.nextWake, runs: eng.autovacuum.runs.slice(-50) },
    nextXid: eng.xacts.nextXid,
    xidLimits: { warnLimit: l.warnLimit, stopLimit: l.stopLimit, wrapLimit: l.wrapLimit, vacLimit: l.vacLimit, oldestXid: l.oldestXid, oldestDb: l.oldestDb },
  };
}
