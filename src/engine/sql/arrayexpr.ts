/**
 * Array expressions in the parser and executor: ARRAY[...] constructors, subscripts and slices (a[1], a[1:2],
 * a[2:]), op ANY / ALL (array), and the array operators = < > (btarraycmp), @> <@ && (containment, overlap) and
 * || (array_cat, array_append, array_prepend).
 *
 * ARRAY[...]: the elements are resolved to one type (select_common_type, "ARRAY types integer and text cannot be
 * matched"); written with inner brackets (ARRAY[[1,2],[3,4]]) or with array-valued elements it builds a
 * multidimensional array whose sub-arrays must have equal dimensions (2202E). A subscript is cast to integer
 * ("array subscript must have type integer" otherwise); a fetch with the wrong number of subscripts, outside the
 * bounds, or with a NULL subscript is NULL; a slice is clamped to the bounds, its lower bounds become 1, and a
 * slice of an empty array (or with more subscripts than dimensions) is '{}'.
 *
 * Mirrors: src/backend/parser/parse_expr.c (transformArrayExpr, transformAExprOpAny / OpAll via make_scalar_array_op),
 * parse_node.c (transformContainerSubscripts), executor/execExprInterp.c (ExecEvalArrayExpr,
 * ExecEvalScalarArrayOp), utils/adt/arraysubs.c (array_subscript_fetch / _fetch_slice / _assign / _assign_slice),
 * arrayfuncs.c (array_get_element, array_get_slice, array_set_element, array_set_slice), array_userfuncs.c
 * (array_cat, array_append, array_prepend), arrayfuncs.c (arraycontains, arraycontained, arrayoverlap).
 * Simplifications: element types are resolved with the engine's unifyTypes (anycompatible for || and append);
 * assigning to a slice of a multidimensional array is refused with 0A000; EXPLAIN of op ANY / ALL (array) and of
 * the array operators is refused (optimizer/ruleutils.ts), and the planner does not use them as index quals.
 */
import { PgError, posOf } from '../errors.js';
import { PgArray, MAXDIM } from '../adt/arrayfuncs.js';
import { PgRecord } from '../adt/rowtypes.js';
import { type SqlType, type Value, T, arrayOf, isArray, typeDisplayName } from './types.js';
import { castTo, commonType, unifyTypes, opNotExist } from './coerce.js';
import type { Row, Compiled, Scope } from './primnodes.js';
type N = Record<string, any>;
type Rec = (n: N, scope: Scope) => Compiled;
type El = Exclude<Value, PgArray>;

const at = (pos?: number) => (pos !== undefined ? { position: pos } : {});

/** ARRAY[...] (transformArrayExpr). `target` is the array type of an enclosing cast (ARRAY[]::int[]). */
export function compileArrayExpr(n: N, scope: Scope, rec: Rec, target?: SqlType): Compiled {
  const pos = posOf(n.location);
  const elems = (n.elements ?? []) as N[];
  if (elems.length === 0) {
    if (!target || !isArray(target)) {
      throw new PgError('42P18', 'cannot determine type of empty array', { hint: 'Explicitly cast to the desired type, for example ARRAY[]::integer[].', ...at(pos) });
    }
    const empty = new PgArray([]);
    return { fn: () => empty, type: target, name: 'array', strength: 2, isConst: true };
  }
  // inner brackets are sub-arrays of the element type; the type is chosen over the leaves
  const nested = elems.some((e) => e.A_ArrayExpr);
  const ca = elems.map((e) => (e.A_ArrayExpr ? compileArrayExpr(e.A_ArrayExpr, scope, rec, target) : rec(e, scope)));
  let arrType: SqlType;
  if (nested || ca.some((c) => isArray(c.type))) {
    const t = target && isArray(target) ? target : commonType(ca, 'ARRAY', pos);
    if (!isArray(t)) throw new PgError('42804', `could not find array type for data type ${typeDisplayName(t)}`, at(pos));
    arrType = t;
  } else {
    const elem = target && isArray(target) ? target.elem : commonType(ca, 'ARRAY', pos);
    arrType = arrayOf(elem);
  }
  const multi = arrType.elem!.name !== 'unknown' && (nested || ca.some((c) => isArray(c.type)));
  const fns = ca.map((c) => castTo(c, multi ? arrType : arrType.elem!, false, pos).fn);
  const fn = multi
    ? (r: Row) => {
      const subs = fns.map((f) => f(r) as PgArray | null);
      // ExecEvalArrayExpr: NULL and empty sub-arrays are skipped; the others must agree in dimensions
      const live = subs.filter((s): s is PgArray => s !== null && s.ndim > 0);
      if (!live.length) return new PgArray([]);
      const first = live[0]!;
      for (const s of live) {
        if (s.ndim !== first.ndim || s.dims.some((d, i) => d !== first.dims[i] || s.lbs[i] !== first.lbs[i])) {
          throw new PgError('2202E', 'multidimensional arrays must have array expressions with matching dimensions');
        }
      }
      if (first.ndim + 1 > MAXDIM) throw new PgError('54000', `number of array dimensions (${first.ndim + 1}) exceeds the maximum allowed (${MAXDIM})`);
      return new PgArray(live.flatMap((s) => s.items), [live.length, ...first.dims], [1, ...first.lbs]);
    }
    : (r: Row) => new PgArray(fns.map((f) => f(r) as El));
  const c: Compiled = { fn, type: arrType, name: 'array', strength: 2 };
  if (ca.every((x) => x.isConst)) { const v = fn(null as never); return { ...c, fn: () => v, isConst: true }; }
  return c;
}

/** A subscript list (A_Indices) compiled: each bound an int4 expression or null (omitted). */
interface Sub { lower: ((r: Row) => Value) | null; upper: ((r: Row) => Value) | null; slice: boolean }
function compileSubscripts(ind: N[], scope: Scope, rec: Rec): Sub[] {
  if (ind.length > MAXDIM) throw new PgError('54000', `number of array dimensions (${ind.length}) exceeds the maximum allowed (${MAXDIM})`);
  const idx = (e: N | undefined) => {
    if (!e) return null;
    const c = rec(e, scope);
    const ok = c.type.name === 'unknown' || c.type.name === 'int4' || c.type.name === 'int2' || c.type.name === 'int8' || c.type.name === 'numeric' || c.type.name === 'float8' || c.type.name === 'float4';
    if (!ok) throw new PgError('42804', 'array subscript must have type integer', at(c.location));
    return castTo(c, T.int4, false, c.location).fn;
  };
  return ind.map((x) => { const a = x.A_Indices; return { lower: idx(a.lidx), upper: idx(a.uidx), slice: !!a.is_slice }; });
}

/**
 * `(x).*` in a select list (ExpandIndirectionStar): one column per field of the row value x, each the field
 * selection (x).field; x is evaluated once per field, as PostgreSQL's expansion does.
 */
export function expandFieldStar(n: N, scope: Scope, rec: Rec): Compiled[] {
  const ind = (n.indirection ?? []) as N[];
  const base = ind.length > 1 ? rec({ A_Indirection: { ...n, indirection: ind.slice(0, -1) } }, scope) : rec(n.arg, scope);
  if (!base.type.composite) throw new PgError('42809', `type ${typeDisplayName(base.type)} is not composite`, at(base.location));
  const f = base.fn;
  return base.type.composite.fields.map((fd, i) => ({
    fn: (r: Row) => { const v = f(r); return v instanceof PgRecord ? v.vals[i]! : null; }, type: fd.type, name: fd.name, strength: 2,
  }));
}

/** a[...][...] on an expression (transformContainerSubscripts + array_subscript_fetch / _fetch_slice). */
export function compileIndirection(n: N, scope: Scope, rec: Rec): Compiled {
  let arg = rec(n.arg, scope);
  const first = arg;
  let ind = (n.indirection ?? []) as N[];
  // (row).field: one field of a row value (ParseFuncOrColumn's field selection), then any subscripts
  for (;;) {
    while (ind[0]?.String && arg.type.composite) {
      const name = ind[0].String.sval as string;
      const i = arg.type.composite.fields.findIndex((f) => f.name === name);
      if (i < 0) {
        // a whole-row reference's field is looked up as the column rel.field would be
        const base = n.arg.ColumnRef?.fields?.length === 1 ? n.arg.ColumnRef.fields[0].String?.sval as string | undefined : undefined;
        if (base !== undefined && arg === first) throw new PgError('42703', `column ${base}.${name} does not exist`, at(arg.location));
        if (arg.type.composite.relName === null) throw new PgError('42703', `could not identify column "${name}" in record data type`, at(arg.location));
        throw new PgError('42703', `column "${name}" not found in data type ${typeDisplayName(arg.type)}`, at(arg.location));
      }
      const f = arg.fn, fd = arg.type.composite.fields[i]!;
      arg = { fn: (r) => { const v = f(r); return v instanceof PgRecord ? v.vals[i]! : null; }, type: fd.type, name, strength: 2 };
      ind = ind.slice(1);
    }
    if (!ind.length) return arg;
    if (ind.some((x) => x.A_Star)) throw new PgError('0A000', 'row expansion (x).* outside a select list is not supported by Heapscope', at(arg.location));
    const k = ind.findIndex((x) => !x.A_Indices);
    if (k === 0) {
      throw new PgError('42809', `column notation .${ind[0]!.String.sval as string} applied to type ${typeDisplayName(arg.type)}, which is not a composite type`, at(arg.location));
    }
    if (!isArray(arg.type)) {
      throw new PgError('42804', `cannot subscript type ${typeDisplayName(arg.type)} because it does not support subscripting`, at(arg.location));
    }
    // a[i].field: the subscripts, then the field of the element they pick
    arg = subscripted(arg, k < 0 ? ind : ind.slice(0, k), scope, rec);
    if (k < 0) return arg;
    ind = ind.slice(k);
  }
}

function subscripted(arg: Compiled, ind: N[], scope: Scope, rec: Rec): Compiled {
  const subs = compileSubscripts(ind, scope, rec);
  const slice = subs.some((s) => s.slice);
  const af = arg.fn;
  if (!slice) {
    const ups = subs.map((s) => s.upper!);
    return {
      fn: (r) => {
        const a = af(r) as PgArray | null;
        if (a === null) return null;
        const ix: number[] = [];
        for (const u of ups) { const v = u(r); if (v === null) return null; ix.push(v as number); }
        return getElement(a, ix);
      }, type: arg.type.elem!, name: arg.strength >= 2 ? arg.name : '?column?', strength: arg.strength >= 2 ? 2 : 0,
    };
  }
  return {
    fn: (r) => {
      const a = af(r) as PgArray | null;
      if (a === null) return null;
      const lo: (number | null)[] = [], hi: (number | null)[] = [];
      for (const s of subs) {
        const l = s.slice ? (s.lower ? s.lower(r) : undefined) : 1;
        const u = s.upper ? s.upper(r) : undefined;
        if (l === null || u === null) return null;
        lo.push(l === undefined ? null : (l as number)); hi.push(u === undefined ? null : (u as number));
      }
      return getSlice(a, lo, hi);
    }, type: arg.type, name: arg.strength >= 2 ? arg.name : '?column?', strength: arg.strength >= 2 ? 2 : 0,
  };
}

/** the flat offset of subscripts ix, or -1 when outside */
function offsetOf(a: PgArray, ix: number[]): number {
  let off = 0;
  for (let d = 0; d < a.ndim; d++) {
    const i = ix[d]! - a.lbs[d]!;
    if (i < 0 || i >= a.dims[d]!) return -1;
    off = off * a.dims[d]! + i;
  }
  return off;
}

/** array_get_element: NULL for the wrong number of subscripts or outside the bounds */
export function getElement(a: PgArray, ix: number[]): Value {
  if (ix.length !== a.ndim) return null;
  const off = offsetOf(a, ix);
  return off < 0 ? null : a.items[off]!;
}

/** array_get_slice: omitted bounds are the array's; clamped; an empty result is '{}' */
export function getSlice(a: PgArray, lo: (number | null)[], hi: (number | null)[]): PgArray {
  if (a.ndim === 0 || lo.length > a.ndim) return new PgArray([]);
  const L: number[] = [], U: number[] = [];
  for (let d = 0; d < a.ndim; d++) {
    const lb = a.lbs[d]!, ub = lb + a.dims[d]! - 1;
    const l = d < lo.length && lo[d] !== null ? Math.max(lo[d]!, lb) : lb;
    const u = d < hi.length && hi[d] !== null ? Math.min(hi[d]!, ub) : ub;
    if (l > u) return new PgArray([]);
    L.push(l); U.push(u);
  }
  const dims = L.map((l, d) => U[d]! - l + 1);
  const items: Value[] = [];
  const walk = (d: number, ix: number[]) => {
    if (d === a.ndim) { items.push(a.items[offsetOf(a, ix)]!); return; }
    for (let i = L[d]!; i <= U[d]!; i++) walk(d + 1, [...ix, i]);
  };
  walk(0, []);
  return new PgArray(items as El[], dims, dims.map(() => 1));
}

/** array_set_element: a NULL array is an empty one; a 1-D array grows (NULL-filled) to take the subscript. */
export function setElement(a0: PgArray | null, ix: number[], v: Value): PgArray {
  const a = a0 ?? new PgArray([]);
  if (a.ndim === 0) {
    if (ix.length !== 1) return new PgArray([v as El], ix.map(() => 1), ix);
    return new PgArray([v as El], [1], [ix[0]!]);
  }
  if (ix.length !== a.ndim) throw new PgError('2202E', 'wrong number of array subscripts');
  if (a.ndim === 1) {
    const lb = a.lbs[0]!, ub = lb + a.dims[0]! - 1, i = ix[0]!;
    const nlb = Math.min(lb, i), nub = Math.max(ub, i);
    const items: El[] = [];
    for (let k = nlb; k <= nub; k++) items.push(k === i ? (v as El) : k >= lb && k <= ub ? (a.items[k - lb] as El) : null);
    return new PgArray(items, [nub - nlb + 1], [nlb]);
  }
  const off = offsetOf(a, ix);
  if (off < 0) throw new PgError('2202E', 'array subscript out of range');
  const items = a.items.slice(); items[off] = v as El;
  return new PgArray(items, a.dims, a.lbs);
}

/** array_set_slice, for one-dimensional targets (and an empty or NULL one). */
export function setSlice(a0: PgArray | null, lo: (number | null)[], hi: (number | null)[], src: PgArray): PgArray {
  const a = a0 ?? new PgArray([]);
  if (a.ndim === 0) {
    if (lo.some((x) => x === null) || hi.some((x) => x === null)) throw new PgError('2202E', 'array slice subscript must provide both boundaries', { detail: 'When assigning to a slice of an empty array value, slice boundaries must be fully specified.' });
    const dims = lo.map((l, d) => hi[d]! - l! + 1);
    const n = dims.reduce((x, y) => x * y, 1);
    if (src.items.length < n) throw new PgError('2202E', 'source array too small');
    return new PgArray(src.items.slice(0, n), dims, lo as number[]);
  }
  if (lo.length !== a.ndim) throw new PgError('2202E', 'wrong number of array subscripts');
  if (a.ndim !== 1) throw new PgError('0A000', 'assignment to a slice of a multidimensional array is not supported by Heapscope');
  const lb = a.lbs[0]!, ub = lb + a.dims[0]! - 1;
  const l = lo[0] ?? lb, u = hi[0] ?? ub;
  if (l > u) return a;
  if (src.items.length < u - l + 1) throw new PgError('2202E', 'source array too small');
  let out = a;
  for (let k = l; k <= u; k++) out = setElement(out, [k], src.items[k - l]!);
  return out;
}

/** op ANY / ALL (array): ExecEvalScalarArrayOp's three-valued OR / AND over the elements */
export function compileScalarArrayOp(n: N, scope: Scope, rec: Rec, compare: (op: string, l: Compiled, r: Compiled, pos?: number) => Compiled): Compiled {
  const op = (n.name as N[]).map((x) => x.String.sval).join('.');
  const pos = posOf(n.location);
  const l = rec(n.lexpr, scope);
  let r = rec(n.rexpr, scope);
  if (r.type.name === 'unknown') r = castTo(r, arrayOf(l.type.name === 'unknown' ? T.text : l.type), false, pos);
  if (!isArray(r.type)) throw new PgError('42809', 'op ANY/ALL (array) requires array on right side', at(pos));
  const slot = { v: null as Value };
  const cmp = compare(op, l, { fn: () => slot.v, type: r.type.elem, name: '', strength: 0 }, pos);
  if (cmp.type.name !== 'bool') throw new PgError('42809', 'op ANY/ALL (array) requires operator to yield boolean', at(pos));
  const cf = cmp.fn, rf = r.fn, all = n.kind === 'AEXPR_OP_ALL';
  return {
    fn: (row) => {
      const a = rf(row) as PgArray | null;
      if (a === null) return null;
      if (a.items.length === 0) return all;
      let nul = false;
      for (const e of a.items) {
        slot.v = e;
        const v = cf(row);
        if (v === null) nul = true;
        else if (v !== all) return !all;
      }
      return nul ? null : all;
    }, type: T.bool, name: '?column?', strength: 0,
  };
}

/** The element type two arrays (or an array and an element) share for ||, @> and friends, or the operator error. */
function sharedElem(op: string, l: Compiled, r: Compiled, lt: SqlType, rt: SqlType, pos?: number): SqlType {
  try { return unifyTypes(lt, rt, op, pos); } catch { throw opNotExist(op, l.type, r.type, pos); }
}

/**
 * Binary array operators; null when neither side is an array (the caller goes on with scalar operators).
 * `cmp` is the engine's value comparison, used for elements.
 */
type Cmp = (a: Exclude<Value, null>, b: Exclude<Value, null>) => number;
export function compileArrayOp(op: string, l0: Compiled, r0: Compiled, cmp: Cmp, pos?: number): Compiled | null {
  const la = isArray(l0.type), ra = isArray(r0.type);
  if (!la && !ra) return null;
  let l = l0, r = r0;
  if (la && r.type.name === 'unknown' && op !== '||') r = castTo(r, l.type, false, pos);
  if (ra && l.type.name === 'unknown' && op !== '||') l = castTo(l, r.type, false, pos);
  const bin = (t: SqlType, g: (a: Exclude<Value, null>, b: Exclude<Value, null>) => Value, strict = true): Compiled => {
    const lf = l.fn, rf = r.fn;
    const c: Compiled = { fn: (row) => { const a = lf(row), b = rf(row); if (strict && (a === null || b === null)) return null; return g(a as never, b as never); }, type: t, name: '?column?', strength: 0 };
    if (l.isConst && r.isConst) { const v = c.fn(null as never); return { ...c, fn: () => v, isConst: true }; }
    return c;
  };
  if (op === '||') {
    if (la && (ra || r.type.name === 'unknown')) {
      if (r.type.name === 'unknown') r = castTo(r, l.type, false, pos);
      const e = sharedElem(op, l0, r0, l.type.elem!, r.type.elem!, pos), t = arrayOf(e);
      l = castTo(l, t, false, pos); r = castTo(r, t, false, pos);
      return bin(t, (a, b) => arrayCat(a as PgArray | null, b as PgArray | null), false);
    }
    if (ra && l.type.name === 'unknown') {
      l = castTo(l, r.type, false, pos);
      return bin(r.type, (a, b) => arrayCat(a as PgArray | null, b as PgArray | null), false);
    }
    if (la) {
      const e = sharedElem(op, l0, r0, l.type.elem!, r.type, pos), t = arrayOf(e);
      l = castTo(l, t, false, pos); r = castTo(r, e, false, pos);
      return bin(t, (a, b) => arrayAppend(a as PgArray | null, b as Value), false);
    }
    const e = sharedElem(op, l0, r0, l.type, r.type.elem!, pos), t = arrayOf(e);
    l = castTo(l, e, false, pos); r = castTo(r, t, false, pos);
    return bin(t, (a, b) => arrayPrepend(a as Value, b as PgArray | null), false);
  }
  if (!(isArray(l.type) && isArray(r.type))) return null;
  if (l.type.elem!.name !== r.type.elem!.name) {
    // integer[] = numeric[] has no operator: the arrays' element types must be the same (anyarray)
    throw opNotExist(op, l.type, r.type, pos);
  }
  const eq = (x: Value, y: Value) => x !== null && y !== null && cmp(x, y) === 0;
  switch (op) {
    case '@>': return bin(T.bool, (a, b) => contains(a as PgArray, b as PgArray, eq));
    case '<@': return bin(T.bool, (a, b) => contains(b as PgArray, a as PgArray, eq));
    case '&&': return bin(T.bool, (a, b) => (a as PgArray).items.some((x) => (b as PgArray).items.some((y) => eq(x, y))));
    default: return null;
  }
}

/** arraycontains: every non-NULL... every element of b equals some element of a (a NULL in b never matches) */
const contains = (a: PgArray, b: PgArray, eq: (x: Value, y: Value) => boolean) => b.items.every((y) => a.items.some((x) => eq(x, y)));

/** array_cat (array_userfuncs.c) */
export function arrayCat(a: PgArray | null, b: PgArray | null): PgArray | null {
  if (a === null) return b;
  if (b === null) return a;
  if (a.ndim === 0) return b;
  if (b.ndim === 0) return a;
  const incompatible = (detail: string) => new PgError('2202E', 'cannot concatenate incompatible arrays', { detail });
  if (a.ndim === b.ndim) {
    for (let d = 1; d < a.ndim; d++) if (a.dims[d] !== b.dims[d] || a.lbs[d] !== b.lbs[d]) throw incompatible('Arrays with differing element dimensions are not compatible for concatenation.');
    return new PgArray([...a.items, ...b.items], [a.dims[0]! + b.dims[0]!, ...a.dims.slice(1)], a.lbs);
  }
  if (a.ndim === b.ndim - 1) {
    for (let d = 0; d < a.ndim; d++) if (a.dims[d] !== b.dims[d + 1] || a.lbs[d] !== b.lbs[d + 1]) throw incompatible('Arrays with differing dimensions are not compatible for concatenation.');
    return new PgArray([...a.items, ...b.items], [b.dims[0]! + 1, ...b.dims.slice(1)], b.lbs);
  }
  if (b.ndim === a.ndim - 1) {
    for (let d = 0; d < b.ndim; d++) if (b.dims[d] !== a.dims[d + 1] || b.lbs[d] !== a.lbs[d + 1]) throw incompatible('Arrays with differing dimensions are not compatible for concatenation.');
    return new PgArray([...a.items, ...b.items], [a.dims[0]! + 1, ...a.dims.slice(1)], a.lbs);
  }
  throw incompatible(`Arrays of ${a.ndim} and ${b.ndim} dimensions are not compatible for concatenation.`);
}

/** array_append: one more element after the upper bound (lower bound kept) */
export function arrayAppend(a: PgArray | null, v: Value): PgArray {
  if (a !== null && a.ndim > 1) throw new PgError('22000', 'argument must be empty or one-dimensional array');
  const r = a === null || a.ndim === 0 ? new PgArray([v as El]) : new PgArray([...a.items, v as El], [a.dims[0]! + 1], a.lbs);
  r.expanded = true; // array_set_element on the expanded input (fetch_array_arg_replace_nulls)
  return r;
}
/** array_prepend: one more element before the first, the lower bound kept */
export function arrayPrepend(v: Value, a: PgArray | null): PgArray {
  if (a !== null && a.ndim > 1) throw new PgError('22000', 'argument must be empty or one-dimensional array');
  const r = a === null || a.ndim === 0 ? new PgArray([v as El]) : new PgArray([v as El, ...a.items], [a.dims[0]! + 1], a.lbs);
  r.expanded = true;
  return r;
}

/** subscripts of an UPDATE target (t.a[2] = ..., a[1:2] = ...): compiled once, applied to the old value */
export interface AssignIndirection { elemType: SqlType; apply: (old: Value, v: Value, r: Row) => Value }
export function compileAssignIndirection(ind: N[], scope: Scope, rec: Rec, colType: SqlType, colName: string, pos?: number): AssignIndirection {
  if (ind.length === 1 && ind[0]!.String) {
    // UPDATE t SET c.a = v (FieldStore): the old row with one field replaced; a NULL row becomes a row of NULLs first
    const field = ind[0]!.String.sval as string;
    if (!colType.composite) {
      throw new PgError('42809', `cannot assign to field "${field}" of column "${colName}" because its type ${typeDisplayName(colType)} is not a composite type`, at(pos));
    }
    const fields = colType.composite.fields, i = fields.findIndex((f) => f.name === field);
    if (i < 0) throw new PgError('42703', `cannot assign to field "${field}" of column "${colName}" because there is no such column in data type ${typeDisplayName(colType)}`, at(pos));
    return {
      elemType: fields[i]!.type,
      apply: (old, v) => {
        const vals = old instanceof PgRecord ? old.vals.slice() : fields.map(() => null as Value);
        vals[i] = v;
        return new PgRecord(vals);
      },
    };
  }
  if (ind.some((x) => !x.A_Indices)) throw new PgError('0A000', 'assignment to a field of a composite column together with subscripts, or to a nested field, is not supported by Heapscope', at(pos));
  if (!isArray(colType)) {
    throw new PgError('42804', `cannot subscript type ${typeDisplayName(colType)} because it does not support subscripting`, at(pos));
  }
  void colName;
  const subs = compileSubscripts(ind, scope, rec);
  const slice = subs.some((s) => s.slice);
  return {
    elemType: slice ? colType : colType.elem,
    apply: (old, v, r) => {
      const lo: (number | null)[] = [], hi: (number | null)[] = [];
      for (const s of subs) {
        const l = s.slice ? (s.lower ? s.lower(r) : undefined) : undefined;
        const u = s.upper ? s.upper(r) : undefined;
        if (l === null || u === null) throw new PgError('22004', 'array subscript in assignment must not be null');
        lo.push(s.slice ? (l === undefined ? null : (l as number)) : (u as number)); hi.push(u === undefined ? null : (u as number));
      }
      if (!slice) return setElement(old as PgArray | null, hi as number[], v);
      if (v === null) return old; // assigning NULL to a slice leaves the array as it was
      return setSlice(old as PgArray | null, lo, hi, v as PgArray);
    },
  };
}
