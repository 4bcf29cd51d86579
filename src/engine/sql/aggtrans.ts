/**
 * The transition and final functions of the aggregates beyond count / sum / avg / min / max (funccall.ts keeps
 * those): string_agg (utils/adt/varlena.c string_agg_transfn / _finalfn), bool_and / bool_or / every (bool.c
 * booland_statefunc / boolor_statefunc), and the variance family stddev / stddev_samp / stddev_pop / variance /
 * var_samp / var_pop (numeric.c numeric_accum + numeric_stddev_internal for integer and numeric input, float.c
 * float8_accum — the Youngs-Cramer update — + float8_var_samp & co. for real and double precision).
 *
 * Numeric variance is computed as numeric_stddev_internal does, from N, sum(X) and sum(X*X) kept exact:
 * (N * sumX2 - sumX * sumX) / (N * (N - 1)) (or N * N for the population forms) at select_div_scale's scale
 * (Numeric.div), and stddev is its square root at that same scale; a numerator that is not positive gives 0.
 * bit_and / bit_or / bit_xor over integers (int.c int4and & co.) and bit strings (varbit.c bitand & co.).
 * Simplifications: none for these types.
 */
import { Numeric } from './numeric.js';
import { type Value, Bytea, toNumeric, normInt8 } from './types.js';
import { PgBit, bitLogic } from '../adt/varbit.js';
import { PgFloat, f8 } from '../adt/float.js';

export type ExtraAggKind = 'string_agg' | 'bool_and' | 'bool_or' | 'every' | 'array_agg'
  | 'stddev' | 'stddev_samp' | 'stddev_pop' | 'variance' | 'var_samp' | 'var_pop' | 'bit_and' | 'bit_or' | 'bit_xor';
export const EXTRA_AGGS: ReadonlySet<string> = new Set<ExtraAggKind>(['string_agg', 'bool_and', 'bool_or', 'every', 'array_agg',
  'stddev', 'stddev_samp', 'stddev_pop', 'variance', 'var_samp', 'var_pop', 'bit_and', 'bit_or', 'bit_xor']);

export interface AggTrans { add(v: Value, extra?: Value): void; result(): Value }

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) { while (x * x > n) x--; while ((x + 1n) * (x + 1n) <= n) x++; return x; }
    x = y;
  }
}
/** sqrt_var at a given result scale: the root at one more digit, rounded half away from zero */
function sqrtAtScale(v: Numeric, rscale: number): Numeric {
  const e = 2 * (rscale + 1) - v.scale;
  const n = e >= 0 ? v.unscaled * 10n ** BigInt(e) : v.unscaled / 10n ** BigInt(-e);
  return new Numeric(isqrt(n), rscale + 1).round(rscale);
}

/** The transition state of one of these aggregates; `float`: real / double precision input (float8_accum). */
export function extraAggState(kind: ExtraAggKind, float: boolean, dedup: (v: Value) => boolean): AggTrans {
  switch (kind) {
    case 'array_agg': throw new Error('array_agg has its own state (funccall.ts arrayAggState)');
    case 'string_agg': {
      // string_agg_transfn: each non-NULL value is appended after the delimiter given with it (a NULL delimiter
      // adds nothing); the final function drops the first value's delimiter
      let out: string | null = null, bytes: number[] | null = null;
      return {
        add: (v, d) => {
          if (v === null || dedup(v)) return;
          if (v instanceof Bytea) { // bytea_string_agg_transfn
            if (bytes === null) bytes = [];
            else if (d instanceof Bytea) for (const x of d.data()) bytes.push(x);
            for (const x of v.data()) bytes.push(x);
            return;
          }
          if (out === null) out = String(v);
          else out += (d === null || d === undefined ? '' : String(d)) + String(v);
        },
        result: () => (bytes ? new Bytea(Uint8Array.from(bytes)) : out),
      };
    }
    case 'bit_and': case 'bit_or': case 'bit_xor': {
      // int2and / int4and / int8and (and or, xor) or bitand / bitor / bitxor over the non-NULL values, the first one
      // the start (a bit string of another length is 22026)
      const op = kind === 'bit_and' ? '&' : kind === 'bit_or' ? '|' : '#';
      let acc: Value = null;
      return {
        add: (v) => {
          if (v === null || dedup(v)) return;
          if (acc === null) { acc = v; return; }
          if (v instanceof PgBit) { acc = bitLogic(op, acc as PgBit, v); return; }
          const a = BigInt(acc as number | bigint), b = BigInt(v as number | bigint);
          acc = normInt8(op === '&' ? a & b : op === '|' ? a | b : a ^ b);
        },
        result: () => acc,
      };
    }
    case 'bool_and': case 'every': case 'bool_or': {
      let acc: boolean | null = null;
      const and = kind !== 'bool_or';
      return {
        add: (v) => { if (v === null) return; acc = acc === null ? (v as boolean) : and ? acc && (v as boolean) : acc || (v as boolean); },
        result: () => acc,
      };
    }
    default: {
      const sample = kind === 'stddev' || kind === 'stddev_samp' || kind === 'variance' || kind === 'var_samp';
      const root = kind.startsWith('stddev');
      if (float) {
        // float8_accum (Youngs-Cramer): N, Sx, Sxx updated so that Sxx is the sum of squared deviations
        let n = 0, sx = 0, sxx = 0;
        return {
          add: (v) => {
            if (v === null || dedup(v)) return;
            const x = (v as PgFloat).v;
            n += 1; sx += x;
            if (n > 1) { const tmp = x * n - sx; sxx += (tmp * tmp) / (n * (n - 1)); } else sxx = 0 * x;
          },
          result: () => {
            if (n === 0 || (sample && n === 1)) return null;
            const variance = sxx / (sample ? n - 1 : n);
            return f8(root ? Math.sqrt(variance) : variance);
          },
        };
      }
      let n = 0, sumX = Numeric.fromInt(0), sumX2 = Numeric.fromInt(0), special = false;
      return {
        add: (v) => {
          if (v === null || dedup(v)) return;
          const x = toNumeric(v as number | bigint | Numeric);
          n++;
          if (x.special) { special = true; return; }
          sumX = sumX.add(x); sumX2 = sumX2.add(x.mul(x));
        },
        result: () => {
          if (n === 0 || (sample && n === 1)) return null;
          // numeric_stddev_internal: a NaN or an infinity among the inputs makes the result NaN
          if (special) return Numeric.NaN;
          const vN = Numeric.fromInt(n);
          const num = vN.mul(sumX2).sub(sumX.mul(sumX));
          if (num.cmp(Numeric.fromInt(0)) <= 0) return Numeric.fromInt(0);
          const den = vN.mul(sample ? Numeric.fromInt(n - 1) : vN);
          const variance = num.div(den);
          return root ? sqrtAtScale(variance, variance.scale) : variance;
        },
      };
    }
  }
}
