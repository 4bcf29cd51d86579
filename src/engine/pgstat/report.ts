/**
 * What VACUUM and ANALYZE tell the statistics when they finish: the live and dead rows they counted.
 *
 * VACUUM (lazy_scan_prune) counts, after pruning, the versions still there: live ones and those being deleted by
 * a running transaction as live, "recently dead" ones (dead, but some snapshot may still see them) as dead —
 * these are VACUUM VERBOSE's "N are dead but not yet removable". A version being inserted by a running
 * transaction is not counted (its inserter reports it at commit). ANALYZE (acquire_sample_rows) counts dead and
 * recently dead versions and LP_DEAD line pointers as dead, its own transaction's inserts as live and its own
 * deletes as dead.
 *
 * Mirrors: src/backend/access/heap/vacuumlazy.c (lazy_scan_prune's live_tuples / recently_dead_tuples,
 * heap_vacuum_rel's pgstat_report_vacuum call), commands/analyze.c (acquire_sample_rows, do_analyze_rel).
 * Simplification: ANALYZE reads every row (PostgreSQL samples 30,000 rows at most: the same on small tables).
 */
import type { Engine } from '../engine.js';
import type { Table } from '../catalog/catalog.js';
import type { Session } from '../session/session.js';
import { LpFlags } from '../heap/tuple.js';
import { VacState, satisfiesVacuum, countLiveDead } from '../vacuum/vacuum.js';
import { removableHorizon, vacuumContext } from '../vacuum/pruneheap.js';
import { reportAnalyze, reportVacuum } from './pgstat_relation.js';

/** live and dead (not yet removable) versions as VACUUM counts them, at a horizon */
export function vacuumCounts(eng: Engine, t: Table, horizon = removableHorizon(eng)): { live: number; dead: number } {
  const ctx = vacuumContext(eng, horizon);
  let live = 0, dead = 0;
  for (const p of t.heap.pages) for (const it of p.items) {
    if (it.lpFlags !== LpFlags.NORMAL) continue;
    const v = satisfiesVacuum(it, ctx);
    if (v === VacState.Live || v === VacState.DeleteInProgress) live++;
    else if (v === VacState.RecentlyDead || v === VacState.Dead) dead++;
  }
  return { live, dead };
}

/** pgstat_report_vacuum after a VACUUM of `t` (manual or autovacuum). */
export function reportVacuumOf(eng: Engine, t: Table, auto: boolean): void {
  const c = vacuumCounts(eng, t);
  reportVacuum(eng.pgstat, t.oid, c.live, c.dead, auto, eng.clock.now);
}

/** pgstat_report_analyze after an ANALYZE of `t` run by `s` (null: autovacuum). */
export function reportAnalyzeOf(eng: Engine, s: Session | null, t: Table, auto: boolean): void {
  const ctx = vacuumContext(eng, removableHorizon(eng));
  const mine = (x: number) => !!s?.tx && x !== 0 && (x === s.tx.xid || (s.tx.subXidSet?.has(x) ?? false));
  const { live, dead } = countLiveDead(t.heap.pages, ctx, mine);
  reportAnalyze(eng.pgstat, s, t.oid, live, dead, auto, eng.clock.now);
}
