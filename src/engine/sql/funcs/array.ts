/**
 * Array functions, as utils/adt/arrayfuncs.c and array_userfuncs.c define them: array_ndims / array_dims /
 * array_length / array_lower / array_upper / cardinality (NULL for a dimension the array does not have, and for
 * every dimension of an empty array), array_append / array_prepend / array_cat (as the || operator,
 * sql/arrayexpr.ts), array_position(s) and array_remove (one-dimensional arrays only: PostgreSQL's own 0A000),
 * array_replace, array_fill, trim_array, array_to_string and string_to_array (varlena.c).
 *
 * The polymorphic arguments (anyarray, anycompatible) are declared "any" and checked when the call is built: an
 * argument that is not an array is 42883 "function ... does not exist", as no anyarray candidate fits it.
 *
 * Mirrors: src/backend/utils/adt/arrayfuncs.c (array_ndims, array_dims, array_length, array_lower, array_upper,
 * array_cardinality, array_fill, array_replace / array_remove), array_userfuncs.c (array_append, array_prepend,
 * array_cat, array_position, array_positions, trim_array), varlena.c (array_to_text, text_to_array).
 * Simplifications: the anycompatible resolution is the engine's unifyTypes.
 */
import { PgError } from '../../errors.js';
import { PgArray } from '../../adt/arrayfuncs.js';
import { type SqlType, type Value, T, arrayOf, isArray, formatValue } from '../types.js';
import { register, noSuchFunction, type FuncDef } from './registry.js';
import { castTo, unifyTypes } from '../coerce.js';
import { arrayCat, arrayAppend, arrayPrepend } from '../arrayexpr.js';
import { compareValues } from '../operators.js';
import type { Compiled, Fn } from '../primnodes.js';

type El = Exclude<Value, PgArray>;
const ANY2: ('any')[] = ['any', 'any'];

/** enforce_generic_type_consistency: an anyarray argument that is an untyped literal has no type to resolve */
const unknownPolymorphic = (pos?: number) => new PgError('42804', 'could not determine polymorphic type because input has type unknown', pos !== undefined ? { position: pos } : {});
/** the argument as an array, or 42883 for this call */
function arrayArg(args: Compiled[], i: number, name: string, pos?: number): Compiled {
  const a = args[i]!;
  if (isArray(a.type)) return a;
  if (a.type.name === 'unknown') throw unknownPolymorphic(pos);
  throw noSuchFunction(name, args.map((x) => x.type), pos);
}
/** an integer argument (dimension numbers, positions) */
const intArg = (args: Compiled[], i: number, pos?: number) => castTo(args[i]!, T.int4, false, pos);

const dimInfo = (name: string, g: (a: PgArray, d: number) => Value): FuncDef => ({
  name, args: ANY2, ret: T.int4, immutable: true,
  build: (args, c) => {
    const a = arrayArg(args, 0, name, c.pos).fn, d = intArg(args, 1, c.pos).fn;
    return (r) => {
      const x = a(r) as PgArray | null, n = d(r);
      if (x === null || n === null) return null;
      const k = n as number;
      return k < 1 || k > x.ndim ? null : g(x, k - 1);
    };
  },
});
const one = (name: string, ret: SqlType, g: (a: PgArray) => Value): FuncDef => ({
  name, args: ['any'], ret, immutable: true,
  build: (args, c) => { const a = arrayArg(args, 0, name, c.pos).fn; return (r) => { const x = a(r) as PgArray | null; return x === null ? null : g(x); }; },
});

/** elements equal as IS NOT DISTINCT FROM (array_position, array_remove: NULL finds NULL) */
const same = (x: Value, y: Value) => (x === null || y === null ? x === y : compareValues(x, y) === 0);

/** an array and an element resolved to one element type (anycompatiblearray, anycompatible) */
function arrayAndElem(args: Compiled[], ai: number, ei: number, name: string, pos?: number): { a: Fn; e: Fn; type: SqlType } {
  const arr = args[ai]!, el = args[ei]!;
  if (!isArray(arr.type) && arr.type.name !== 'unknown') throw noSuchFunction(name, args.map((x) => x.type), pos);
  if (isArray(el.type)) throw noSuchFunction(name, args.map((x) => x.type), pos);
  if (arr.type.name === 'unknown' && el.type.name === 'unknown') throw unknownPolymorphic(pos);
  const elemT = arr.type.name === 'unknown' ? el.type : el.type.name === 'unknown' ? arr.type.elem! : unifyTypes(arr.type.elem!, el.type, '', pos);
  const t = arrayOf(elemT);
  return { a: castTo(arr, t, false, pos).fn, e: castTo(el, elemT, false, pos).fn, type: t };
}

const oneDim = (a: PgArray, what: string) => { if (a.ndim > 1) throw new PgError('0A000', `${what} in multidimensional arrays is not supported`); };

const defs: FuncDef[] = [
  one('array_ndims', T.int4, (a) => (a.ndim === 0 ? null : a.ndim)),
  one('array_dims', T.text, (a) => (a.ndim === 0 ? null : a.dims.map((n, i) => `[${a.lbs[i]}:${a.lbs[i]! + n - 1}]`).join(''))),
  one('cardinality', T.int4, (a) => a.items.length),
  dimInfo('array_length', (a, d) => a.dims[d]!),
  dimInfo('array_lower', (a, d) => a.lbs[d]!),
  dimInfo('array_upper', (a, d) => a.lbs[d]! + a.dims[d]! - 1),
  {
    name: 'array_append', args: ANY2, ret: (args) => arrayAndElem(args, 0, 1, 'array_append').type, immutable: true,
    build: (args, c) => { const { a, e } = arrayAndElem(args, 0, 1, 'array_append', c.pos); return (r) => arrayAppend(a(r) as PgArray | null, e(r)); },
  },
  {
    name: 'array_prepend', args: ANY2, ret: (args) => arrayAndElem(args, 1, 0, 'array_prepend').type, immutable: true,
    build: (args, c) => { const { a, e } = arrayAndElem(args, 1, 0, 'array_prepend', c.pos); return (r) => arrayPrepend(e(r), a(r) as PgArray | null); },
  },
  {
    name: 'array_cat', args: ANY2, ret: (args) => catType(args, c0()), immutable: true,
    build: (args, c) => {
      const t = catType(args, c);
      const a = castTo(args[0]!, t, false, c.pos).fn, b = castTo(args[1]!, t, false, c.pos).fn;
      return (r) => arrayCat(a(r) as PgArray | null, b(r) as PgArray | null);
    },
  },
  ...[2, 3].map((n): FuncDef => ({
    name: 'array_position', args: n === 2 ? ANY2 : ['any', 'any', 'int4'], ret: T.int4, immutable: true,
    build: (args, c) => {
      const { a, e } = arrayAndElem(args, 0, 1, 'array_position', c.pos);
      const s = n === 3 ? intArg(args, 2, c.pos).fn : null;
      return (r) => {
        const x = a(r) as PgArray | null;
        if (x === null) return null;
        oneDim(x, 'searching for elements');
        const v = e(r);
        const lb = x.lbs[0] ?? 1;
        let from = 0;
        if (s) { const st = s(r); if (st === null) throw new PgError('22004', 'initial position must not be null'); from = Math.max(0, (st as number) - lb); }
        for (let i = from; i < x.items.length; i++) if (same(x.items[i]!, v)) return i + lb;
        return null;
      };
    },
  })),
  {
    name: 'array_positions', args: ANY2, ret: arrayOf(T.int4), immutable: true,
    build: (args, c) => {
      const { a, e } = arrayAndElem(args, 0, 1, 'array_positions', c.pos);
      return (r) => {
        const x = a(r) as PgArray | null;
        if (x === null) return null;
        oneDim(x, 'searching for elements');
        const v = e(r), lb = x.lbs[0] ?? 1, out: number[] = [];
        x.items.forEach((it, i) => { if (same(it, v)) out.push(i + lb); });
        return new PgArray(out);
      };
    },
  },
  {
    name: 'array_remove', args: ANY2, ret: (args) => arrayAndElem(args, 0, 1, 'array_remove').type, immutable: true,
    build: (args, c) => {
      const { a, e } = arrayAndElem(args, 0, 1, 'array_remove', c.pos);
      return (r) => {
        const x = a(r) as PgArray | null;
        if (x === null) return null;
        if (x.ndim > 1) throw new PgError('0A000', 'removing elements from multidimensional arrays is not supported');
        const v = e(r), kept = x.items.filter((it) => !same(it, v));
        return kept.length === x.items.length ? x : kept.length ? new PgArray(kept, [kept.length], x.lbs) : new PgArray([]);
      };
    },
  },
  {
    name: 'array_replace', args: ['any', 'any', 'any'], ret: (args) => arrayAndElem(args, 0, 1, 'array_replace').type, immutable: true,
    build: (args, c) => {
      const { a, e, type } = arrayAndElem(args, 0, 1, 'array_replace', c.pos);
      const w = castTo(args[2]!, type.elem!, false, c.pos).fn;
      return (r) => {
        const x = a(r) as PgArray | null;
        if (x === null) return null;
        const v = e(r), nv = w(r) as El;
        return new PgArray(x.items.map((it) => (same(it, v) ? nv : it)), x.dims, x.lbs);
      };
    },
  },
  ...[2, 3].map((n): FuncDef => ({
    name: 'array_fill', args: n === 2 ? ['any', '_int4'] : ['any', '_int4', '_int4'], ret: (args) => arrayOf(args[0]!.type.name === 'unknown' ? T.text : args[0]!.type), immutable: true,
    build: (args) => {
      const v = args[0]!.fn, d = args[1]!.fn, l = n === 3 ? args[2]!.fn : null;
      return (r) => {
        const dims = d(r) as PgArray | null, lbs = l ? (l(r) as PgArray | null) : null;
        if (dims === null || (l && lbs === null)) throw new PgError('22004', 'dimension array or low bound array cannot be null');
        if (dims.ndim > 1 || (lbs && lbs.ndim > 1)) throw new PgError('2202E', 'wrong number of array subscripts', { detail: 'Dimension array must be one dimensional.' });
        if (dims.items.some((x) => x === null) || lbs?.items.some((x) => x === null)) throw new PgError('22004', 'dimension values cannot be null');
        if (lbs && lbs.items.length !== dims.items.length) throw new PgError('2202E', 'wrong number of array subscripts', { detail: 'Low bound array has different size than dimensions array.' });
        const ds = dims.items as number[];
        if (ds.length === 0 || ds.some((x) => x <= 0)) return new PgArray([]);
        const total = ds.reduce((x, y) => x * y, 1), val = v(r) as El;
        return new PgArray(Array.from({ length: total }, () => val), ds, lbs ? (lbs.items as number[]) : undefined);
      };
    },
  })),
  {
    name: 'trim_array', args: ['any', 'int4'], ret: (args) => args[0]!.type, immutable: true,
    build: (args, c) => {
      const a = arrayArg(args, 0, 'trim_array', c.pos).fn, k = args[1]!.fn;
      return (r) => {
        const x = a(r) as PgArray | null, n = k(r) as number | null;
        if (x === null || n === null) return null;
        const len = x.ndim ? x.dims[0]! : 0;
        if (n < 0 || n > len) throw new PgError('2202E', 'number of elements to trim must be between 0 and ' + len);
        if (n === len) return new PgArray([]);
        const per = x.items.length / (len || 1);
        return new PgArray(x.items.slice(0, (len - n) * per), [len - n, ...x.dims.slice(1)], x.lbs);
      };
    },
  },
  ...[2, 3].map((n): FuncDef => ({
    name: 'array_to_string', args: n === 2 ? ['any', 'text'] : ['any', 'text', 'text'], ret: T.text, immutable: true,
    build: (args, c) => {
      const a = arrayArg(args, 0, 'array_to_string', c.pos).fn, d = args[1]!.fn, ns = n === 3 ? args[2]!.fn : null;
      return (r) => {
        const x = a(r) as PgArray | null, delim = d(r) as string | null;
        if (x === null || delim === null) return null;
        const nullStr = ns ? (ns(r) as string | null) : null;
        const parts: string[] = [];
        for (const it of x.items) { if (it === null) { if (nullStr !== null) parts.push(nullStr); } else parts.push(formatValue(it)!); }
        return parts.join(delim);
      };
    },
  })),
  ...[2, 3].map((n): FuncDef => ({
    name: 'string_to_array', args: n === 2 ? ['text', 'text'] : ['text', 'text', 'text'], ret: T.text_array, immutable: true,
    build: (args) => {
      const s = args[0]!.fn, d = args[1]!.fn, ns = n === 3 ? args[2]!.fn : null;
      return (r) => {
        const str = s(r) as string | null;
        if (str === null) return null;
        const delim = d(r) as string | null, nullStr = ns ? (ns(r) as string | null) : null;
        if (str === '') return new PgArray([]);
        const parts = delim === null ? [...str] : delim === '' ? [str] : str.split(delim);
        return new PgArray(parts.map((p) => (nullStr !== null && p === nullStr ? null : p)));
      };
    },
  })),
];
/** the placeholder context of a ret() computed before the call is built */
const c0 = () => ({ pos: undefined });
/** array_cat's type: both arrays (an untyped literal takes the other's), elements unified (anycompatiblearray) */
function catType(args: Compiled[], c: { pos?: number }): SqlType {
  const [a, b] = args as [Compiled, Compiled];
  const ok = (x: Compiled) => isArray(x.type) || x.type.name === 'unknown';
  if (!ok(a) || !ok(b)) throw noSuchFunction('array_cat', args.map((x) => x.type), c.pos);
  if (!isArray(a.type) && !isArray(b.type)) throw unknownPolymorphic(c.pos);
  if (!isArray(a.type)) return b.type;
  if (!isArray(b.type)) return a.type;
  return arrayOf(unifyTypes(a.type.elem, b.type.elem, '', c.pos));
}
register(defs);
