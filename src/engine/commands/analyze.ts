/**
 * One column's pg_statistic row as ANALYZE builds it (PostgreSQL's commands/analyze.c compute_scalar_stats),
 * over every live row — these tables are far below the 30,000-row sample, so the sample is the table:
 *
 *   - stanullfrac: the fraction of rows whose value is NULL (a float4);
 *   - stadistinct: how many distinct non-NULL values. No value seen twice: -1 x (1 - nullfrac) ("unique"; a
 *     fraction of the rows, so it scales as the table grows). Otherwise the distinct count (Haas and Stokes'
 *     estimator gives exactly that when the whole table was read); when it is more than a tenth of the rows it
 *     too is stored as a negative fraction of the rows: 3 distinct values in 6 rows -> -0.5;
 *   - the most common values (MCV list): the values seen more than once, most frequent first (at most
 *     default_statistics_target = 100), each with its frequency (count / rows, a float4) — with the whole table
 *     read, analyze_mcv_list keeps all of them;
 *   - the histogram: the remaining (non-MCV) values, sorted, cut into equal-count buckets whose bounds are stored
 *     (at most 101 bounds); none when fewer than two distinct values remain;
 *   - the correlation between the values' sorted order and their physical order (a float4 in -1..1; none with
 *     fewer than two non-NULL values): 1 when the heap is in key order — the planner's cost_index reads it.
 *
 *     m.a = 2, 1, 2, 3, 1, 2   ->  nullfrac 0, stadistinct -0.5, MCVs {2: 0.5, 1: 0.33333334}, no histogram
 *
 * The planner reads them in optimizer/selfuncs.ts (get_variable_numdistinct, eqjoinsel, estimate_hash_bucket_stats).
 *
 * Simplifications: values order as nbtcompare.ts compares them (the C collation for text); no value is "too wide"
 * (over 1 kB) to be counted; the non-sortable-type path (compute_distinct_stats) is not built.
 */
import type { Value } from '../sql/types.js';
import { groupKey } from '../sql/types.js';
import { cmpValue } from '../index/nbtcompare.js';

/** A most-common-values list: values[i] has frequency freqs[i] (float4), most frequent first. */
export interface McvList { values: Value[]; freqs: number[] }

export interface ScalarStats {
  nullfrac: number;
  stadistinct: number;
  mcv: McvList | null;
  histogram: Value[] | null;
  /** STATISTIC_KIND_CORRELATION: null with fewer than two non-NULL values */
  correlation: number | null;
}

/** default_statistics_target: the longest MCV list, and the histogram's bucket count */
const STATS_TARGET = 100;

/** compute_scalar_stats over one column's values (NULLs included) of the live rows. */
export function computeScalarStats(values: Value[]): ScalarStats {
  const samplerows = values.length;
  const nonNull = values.filter((v) => v !== null);
  const nullCnt = samplerows - nonNull.length;
  const nullfrac = samplerows > 0 ? Math.fround(nullCnt / samplerows) : 0;
  if (nonNull.length === 0) return { nullfrac: samplerows > 0 ? 1 : 0, stadistinct: 0, mcv: null, histogram: null, correlation: null };
  // compare_scalars: by value, equal values by their position in the sample (tupno)
  const order = nonNull.map((_, i) => i).sort((x, y) => cmpValue(nonNull[x]!, nonNull[y]!) || x - y);
  const sorted = order.map((i) => nonNull[i]!);
  // runs of equal values, in sorted order
  const runs: { value: Value; count: number }[] = [];
  for (const v of sorted) {
    const last = runs[runs.length - 1];
    if (last && groupKey(last.value) === groupKey(v)) last.count++;
    else runs.push({ value: v, count: 1 });
  }
  const ndistinct = runs.length;
  const nmultiple = runs.filter((r) => r.count > 1).length;
  const totalrows = samplerows;
  let stadistinct: number;
  if (nmultiple === 0) stadistinct = -1.0 * (1.0 - nullfrac);
  else stadistinct = ndistinct; // every value repeated, or Haas-Stokes with the whole table sampled (n = N): d
  if (stadistinct > 0.1 * totalrows) stadistinct = -(stadistinct / totalrows);
  stadistinct = Math.fround(stadistinct);
  // the track list: repeated values by count, descending; an equal count keeps the earlier (smaller) value first
  const track: { value: Value; count: number }[] = [];
  for (const r of runs) {
    if (r.count <= 1) continue;
    if (track.length < STATS_TARGET || r.count > track[track.length - 1]!.count) {
      let j = track.length < STATS_TARGET ? track.length : track.length - 1;
      if (track.length < STATS_TARGET) track.push(r);
      for (; j > 0; j--) {
        if (r.count <= track[j - 1]!.count) break;
        track[j] = track[j - 1]!;
      }
      track[j] = r;
    }
  }
  const mcv = track.length ? { values: track.map((x) => x.value), freqs: track.map((x) => Math.fround(x.count / samplerows)) } : null;
  // the histogram of the values left
  const inMcv = new Set(track.map((x) => groupKey(x.value)));
  const rest = sorted.filter((v) => !inMcv.has(groupKey(v)));
  let numHist = ndistinct - track.length;
  if (numHist > STATS_TARGET + 1) numHist = STATS_TARGET + 1;
  let histogram: Value[] | null = null;
  if (numHist >= 2) {
    histogram = [];
    const nvals = rest.length;
    for (let i = 0; i < numHist; i++) histogram.push(rest[Math.floor((i * (nvals - 1)) / (numHist - 1))]!);
  }
  return { nullfrac, stadistinct, mcv, histogram, correlation: correlationOf(order) };
}

/**
 * The correlation entry: Pearson's coefficient between sorted position i and sample position tupno, whose sets
 * are both 0 .. n-1, so sum(x) = sum(y) = (n-1)n/2 and sum(x^2) = sum(y^2) = (n-1)n(2n-1)/6.
 */
function correlationOf(order: number[]): number | null {
  const n = order.length;
  if (n <= 1) return null;
  let xysum = 0;
  for (let i = 0; i < n; i++) xysum += i * order[i]!;
  const xsum = ((n - 1) * n) / 2.0;
  const x2sum = ((n - 1) * n * (2 * n - 1)) / 6.0;
  return Math.fround((n * xysum - xsum * xsum) / (n * x2sum - xsum * xsum));
}
