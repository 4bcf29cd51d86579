/**
 * Bloat over time: after every step, each table's size, its live and dead row versions, its free space, and the
 * WAL written so far — the series the Vacuum view plots, with VACUUM and autovacuum runs marked.
 *
 * A version is counted as HeapTupleSatisfiesVacuum sees it at that moment: live (or being inserted / deleted by a
 * running transaction), or dead (dead to everyone, or "recently dead": deleted, but a snapshot may still see it)
 * — plus LP_DEAD line pointers, the stubs VACUUM's second pass frees. Size is pages × 8 kB (the file never
 * shrinks under lazy VACUUM). Free space is PageGetHeapFreeSpace of every page, as pgstattuple's free_space sums
 * it: the room dead versions take comes back as free space only when pruning or VACUUM reclaims it.
 *
 * Heapscope's own instrument (PostgreSQL keeps no such history: pgstattuple and pg_stat_user_tables tell the
 * present). Simplification: a table past 50,000 line pointers is counted by pages only (live and dead omitted),
 * so a bulk load does not pay a full scan per step.
 */
import type { Engine } from '../engine.js';
import { LpFlags } from '../heap/tuple.js';
import { HeapRelation } from '../heap/heap.js';
import { VacState, satisfiesVacuum } from '../vacuum/vacuum.js';
import { removableHorizon, vacuumContext } from '../vacuum/pruneheap.js';

export interface BloatTable { name: string; pages: number; live: number | null; dead: number | null; free: number }
export interface BloatSample {
  seq: number; at: number; label: string; kind: 'statement' | 'vacuum' | 'autovacuum' | 'time';
  walBytes: number; tables: BloatTable[];
}

const MAX_SAMPLES = 500;
const MAX_ITEMS = 50_000;

export class BloatSeries {
  samples: BloatSample[] = [];
  seq = 0;
  /** sampling is on in the app's engine (the host turns it on), off in scenario runs and benchmarks */
  enabled = false;
  clone(): BloatSeries {
    const c = new BloatSeries();
    c.samples = this.samples.map((s) => ({ ...s, tables: s.tables.map((t) => ({ ...t })) }));
    c.seq = this.seq; c.enabled = this.enabled;
    return c;
  }
}

/** Count every table now and append a sample. */
export function sampleBloat(eng: Engine, label: string, kind: BloatSample['kind']): void {
  const series = eng.bloat;
  if (!series.enabled) return;
  const ctx = vacuumContext(eng, removableHorizon(eng));
  const tables: BloatTable[] = [];
  for (const t of eng.catalog.tables.values()) {
    let n = 0, free = 0;
    for (const p of t.heap.pages) { n += p.items.length; free += HeapRelation.freeSpace(p); }
    if (n > MAX_ITEMS) { tables.push({ name: t.name, pages: t.heap.pages.length, live: null, dead: null, free }); continue; }
    let live = 0, dead = 0;
    for (const p of t.heap.pages) for (const it of p.items) {
      if (it.lpFlags === LpFlags.DEAD) { dead++; continue; }
      if (it.lpFlags !== LpFlags.NORMAL) continue;
      const v = satisfiesVacuum({ ...it }, ctx); // a copy: counting sets no hint bit
      if (v === VacState.Dead || v === VacState.RecentlyDead) dead++; else live++;
    }
    tables.push({ name: t.name, pages: t.heap.pages.length, live, dead, free });
  }
  series.samples.push({ seq: series.seq++, at: eng.clock.now, label, kind, walBytes: eng.wal.insertLsn, tables });
  if (series.samples.length > MAX_SAMPLES) series.samples.splice(0, series.samples.length - MAX_SAMPLES);
}
