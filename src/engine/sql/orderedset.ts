/**
 * Ordered-set aggregates (PostgreSQL's utils/adt/orderedsetaggs.c): an aggregate over the group's rows in the order
 * WITHIN GROUP (ORDER BY ...) gives, with "direct" arguments evaluated once per group.
 *
 *     percentile_cont(0.5) WITHIN GROUP (ORDER BY sal)   the median, interpolated: 5 sorted values, row 0.5 × 4 = 2
 *                                                        → the 3rd; 4 values → row 1.5 → 2nd + 0.5 × (3rd − 2nd)
 *     percentile_disc(0.5) WITHIN GROUP (ORDER BY sal)   the first value whose position reaches the fraction:
 *                                                        row ceil(0.5 × n) (the first row for 0)
 *     mode() WITHIN GROUP (ORDER BY dept)                the most frequent value; a tie goes to the first in the order
 *
 * NULL inputs are skipped (ordered_set_transition puts only non-null values in the sort); no rows, or only NULLs,
 * give NULL. The fraction is checked first (22003 "percentile value 1.5 is not between 0 and 1"), and a NULL
 * fraction gives NULL. percentile_cont interpolates float8 (lo + pct × (hi − lo)) or interval (interval_lerp);
 * other numeric inputs are cast to double precision. An array of fractions gives an array of results.
 * Simplifications: no hypothetical-set aggregates (rank(x) WITHIN GROUP ...: 0A000); a fraction that is not a
 * constant is taken from the group's last row (it must be a grouped expression, so every row has the same).
 */
import { PgError, notSupported } from '../errors.js';
import { type SqlType, type Value, PgArray, T, arrayOf, isArray, isIntegral } from './types.js';
import { PgFloat, formatG } from '../adt/float.js';
import type { PgInterval } from '../adt/datetime.js';
import { intervalAdd, intervalMul } from '../adt/timestamp.js';
import { compareValues } from './operators.js';
import { castTo } from './coerce.js';
import { noSuchFunction } from './funcs/registry.js';
import type { AggSpec, Compiled } from './primnodes.js';

export const ORDERED_SET_AGGS: ReadonlySet<string> = new Set(['percentile_cont', 'percentile_disc', 'mode']);
export type OrderedSetKind = 'percentile_cont' | 'percentile_disc' | 'mode';
/** PostgreSQL's hypothetical-set aggregates: the names of window functions too */
const HYPOTHETICAL = new Set(['rank', 'dense_rank', 'percent_rank', 'cume_dist']);
export const isHypotheticalSet = (name: string) => HYPOTHETICAL.has(name);

/**
 * The result type and the (cast) aggregated argument of an ordered-set aggregate call: `direct` are the direct
 * arguments, `key` the WITHIN GROUP sort expression. A combination PostgreSQL has no function for is 42883.
 */
type Signature = { type: SqlType; key: Compiled; fraction: Compiled | null };
export function orderedSetSignature(kind: OrderedSetKind, direct: Compiled[], key: Compiled, pos?: number): Signature {
  const noFn = () => noSuchFunction(kind, [...direct.map((d) => d.type), key.type], pos);
  if (kind === 'mode') {
    if (direct.length) throw noFn();
    const k = key.type.name === 'unknown' ? castTo(key, T.text, false, pos) : key;
    return { type: k.type, key: k, fraction: null };
  }
  if (direct.length !== 1) throw noFn();
  const d = direct[0]!;
  const multi = isArray(d.type);
  const fracType = multi ? d.type.elem! : d.type;
  if (!(isIntegral(fracType) || ['numeric', 'float4', 'float8', 'unknown'].includes(fracType.name))) throw noFn();
  const fraction = castTo(d, multi ? arrayOf(T.float8) : T.float8, false, pos);
  let k = key;
  if (kind === 'percentile_cont') {
    if (isIntegral(key.type) || ['numeric', 'float4', 'unknown'].includes(key.type.name)) k = castTo(key, T.float8, false, pos);
    else if (key.type.name !== 'float8' && key.type.name !== 'interval') throw noFn();
  } else if (key.type.name === 'unknown') k = castTo(key, T.text, false, pos);
  return { type: multi ? arrayOf(k.type) : k.type, key: k, fraction };
}

const f8 = (v: Value) => (v instanceof PgFloat ? v.v : Number(v));
function checkFraction(p: number): void {
  if (!(p >= 0 && p <= 1)) throw new PgError('22003', `percentile value ${formatG(p, 15)} is not between 0 and 1`);
}

/** The transition state: the group's non-null values (in the sort order the executor feeds them), the final function. */
export function orderedSetState(spec: AggSpec, constFraction: { value: Value } | null): { add(v: Value, extra?: Value): void; result(): Value } {
  const kind = spec.kind as OrderedSetKind;
  const vals: NonNullable<Value>[] = [];
  let fraction: Value | undefined = constFraction?.value;
  let rows = 0;
  return {
    add: (v, extra) => {
      rows++;
      if (!constFraction) fraction = extra ?? null;
      if (v !== null) vals.push(v);
    },
    result: () => {
      if (kind === 'mode') {
        if (!vals.length) return null;
        let best = vals[0]!, bestFreq = 0, cur = vals[0]!, freq = 0;
        for (const v of vals) {
          if (compareValues(v, cur) === 0) freq++; else { cur = v; freq = 1; }
          if (freq > bestFreq) { best = cur; bestFreq = freq; }
        }
        return best;
      }
      if (fraction === undefined && rows === 0) return null; // a per-row fraction with no rows: nothing to read
      if (fraction === null || fraction === undefined) return null;
      const one = (p: number): Value => {
        checkFraction(p);
        if (!vals.length) return null;
        if (kind === 'percentile_disc') return vals[Math.max(0, Math.ceil(p * vals.length) - 1)]!;
        const row = p * (vals.length - 1), lo = Math.floor(row), hi = Math.ceil(row);
        const a = vals[lo]!;
        if (hi === lo) return a;
        const b = vals[hi]!, pct = row - lo;
        if (spec.type.name === 'interval' || spec.type.elem?.name === 'interval') {
          return intervalAdd(intervalMul(intervalAdd(b as PgInterval, a as PgInterval, -1), pct), a as PgInterval);
        }
        return new PgFloat(f8(a) + pct * (f8(b) - f8(a)), false);
      };
      if (fraction instanceof PgArray) {
        // percentile_*_multi_final: each fraction checked, NULL elements stay NULL (an empty group: NULL for all)
        const ps = fraction.items as Value[];
        for (const p of ps) if (p !== null) checkFraction(f8(p));
        if (!vals.length) return null;
        return new PgArray(ps.map((p) => (p === null ? null : one(f8(p)))) as ConstructorParameters<typeof PgArray>[0], fraction.dims, fraction.lbs);
      }
      return one(f8(fraction));
    },
  };
}

/** the refusal for an aggregate PostgreSQL has WITHIN GROUP for that the simulator does not model */
export function hypotheticalRefused(name: string, pos?: number): PgError {
  return notSupported(`the hypothetical-set aggregate ${name}(...) WITHIN GROUP`, pos);
}
