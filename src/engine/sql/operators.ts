/**
 * Operators (PostgreSQL's parser/parse_oper.c choosing the operator, and the operator functions of utils/adt/*):
 * comparison with three-valued logic, integer / numeric / float / date arithmetic with PostgreSQL's result
 * types and overflow errors (22003, 22012), LIKE / ILIKE, IN lists, BETWEEN, IS DISTINCT FROM — every A_Expr
 * of the parse tree. `42883 operator does not exist` when no operator takes the operand types.
 */
import { PgError, notSupported, posOf } from '../errors.js';
import { Numeric } from './numeric.js';
import { type Value, type SqlType, PgArray, Bytea, T, isArray, isIntegral, isStringLike, toNumeric, formatValue, typeDisplayName } from './types.js';
import { intArith, intNegate, intShift, intNot } from './intarith.js';
import { isRegexOp, compileRegexMatch, similarForMatch } from './regexp.js';
import { resolveFunction, buildCall, isNullConst } from './funcs/registry.js';
import { adtCompare, adtBinary, adtNegate } from './adtops.js';
import { castTo, fold, unifyTypes, rtrimBlanks, opNotExist, pg15HasOperator, selectCommonType } from './coerce.js';
import type { Row, Compiled, Scope } from './primnodes.js';
import { arrayCmp } from '../adt/arrayfuncs.js';
import { compileArrayOp, compileScalarArrayOp } from './arrayexpr.js';
import { compileJsonOp, jsonbCmp } from './jsonops.js';
import { byteaCat } from './funcs/bytea.js';
import { PgJsonb } from '../adt/jsonb.js';
import { PgRecord, recordCmp, recordType } from '../adt/rowtypes.js';
import { compileRowComparison, compileMismatchedRecords } from './rowexpr.js';
import { bitBinary, bitPrefix } from './bitops.js';
type N = Record<string, any>;
/** compileExpr, passed in (this module is below parse_expr's dispatcher: no import cycle) */
type Rec = (n: N, scope: Scope) => Compiled;

function compareValues(a: Exclude<Value, null>, b: Exclude<Value, null>): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (a instanceof Numeric || b instanceof Numeric) return toNumeric(a as number | bigint | Numeric).cmp(toNumeric(b as number | bigint | Numeric));
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (a instanceof PgArray && b instanceof PgArray) return arrayCmp(a, b, compareValues);
  if (a instanceof PgJsonb && b instanceof PgJsonb) return jsonbCmp(a.v, b.v);
  if (a instanceof PgRecord && b instanceof PgRecord) return recordCmp(a, b, compareValues);
  const adt = adtCompare(a, b);
  if (adt !== null) return adt;
  const sa = String(a), sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}
export { compareValues };

/**
 * The commutator of a comparison operator (pg_operator.oprcom, lsyscache.c get_commutator): `a op b` is
 * `b commutator(op) a`. Undefined for an operator that is not a comparison.
 */
const COMMUTATORS: Record<string, string> = { '=': '=', '<>': '<>', '!=': '<>', '<': '>', '>': '<', '<=': '>=', '>=': '<=' };
export const commutator = (op: string): string | undefined => COMMUTATORS[op];

const CMP_OPS: Record<string, (c: number) => boolean> = {
  '=': (c) => c === 0, '<>': (c) => c !== 0, '!=': (c) => c !== 0, '<': (c) => c < 0, '>': (c) => c > 0, '<=': (c) => c <= 0, '>=': (c) => c >= 0,
};

const FEW_COMPARISONS = new Set(['pg_snapshot', 'txid_snapshot', 'xid', 'cid', 'void', 'json']);

export function compileComparison(op: string, l: Compiled, r: Compiled, pos?: number): Compiled {
  // two ROW(...) constructors: field by field (make_row_comparison_op)
  if (l.rowArgs && r.rowArgs) return compileRowComparison(op, l, r, pos, compileComparison);
  if (l.type.name === 'record' && r.type.name === 'record') {
    // record_eq & co. over rows of different shapes (an error only if the comparison reaches the difference)
    const m = compileMismatchedRecords(l, r, (a, b) => compareValues(a!, b!), CMP_OPS[op]!);
    if (m) return m;
  }
  // a row compared with an untyped literal: record_eq & co. take record, and an anonymous record has no input
  if ((l.type.name === 'record' && r.type.name === 'unknown') || (r.type.name === 'record' && l.type.name === 'unknown')) {
    castTo(l.type.name === 'unknown' ? l : r, recordType([], null), false, pos);
  }
  // arrays: both sides of one array type (an untyped literal takes the other side's), compared by btarraycmp
  if ((isArray(l.type) || isArray(r.type)) && !(isArray(l.type) && isArray(r.type)) && l.type.name !== 'unknown' && r.type.name !== 'unknown') throw opNotExist(op, l.type, r.type, pos);
  if (isArray(l.type) && isArray(r.type) && l.type.elem.name !== r.type.elem.name) throw opNotExist(op, l.type, r.type, pos);
  // xid > 0, xid < '800': xid (like cid, json …) has only = and <>, xid = int4 among them — unifying the two sides
  // first would compare them as integers
  if ((FEW_COMPARISONS.has(l.type.name) || FEW_COMPARISONS.has(r.type.name)) && l.type.name !== r.type.name && !pg15HasOperator(op, l.type, r.type)) {
    throw opNotExist(op, l.type, r.type, pos);
  }
  // two row types of the same shape (pair = t): record_eq's field-by-field comparison, no cast of either side
  const t = l.type.name === 'record' && r.type.name === 'record' ? l.type : unifyTypes(l.type, r.type, op, pos);
  // types with few or no comparison operators (none for json or pg_snapshot, only = and <> for xid): as pg_operator has them
  if (FEW_COMPARISONS.has(t.name) && !pg15HasOperator(op, t, t)) throw opNotExist(op, l.type, r.type, pos);
  let lf = castTo(l, t, false, pos).fn, rf = t.name === 'record' ? r.fn : castTo(r, t, false, pos).fn;
  if (t.name === 'bpchar') {
    const lp = lf, rp = rf;
    lf = (row) => { const v = lp(row); return v === null ? null : rtrimBlanks(v as string); };
    rf = (row) => { const v = rp(row); return v === null ? null : rtrimBlanks(v as string); };
  }
  if (t.name === 'pg_lsn') {
    // pg_lsn_cmp: the positions as numbers (their text X/X does not sort)
    const lp = lf, rp = rf, num = (v: Value) => { const [h, lo] = String(v).split('/'); return parseInt(h!, 16) * 0x100000000 + parseInt(lo!, 16); };
    lf = (row) => { const v = lp(row); return v === null ? null : num(v); };
    rf = (row) => { const v = rp(row); return v === null ? null : num(v); };
  }
  if (t.name === 'tid') {
    // tidlt & co.: block, then offset (their text "(19,1)" < "(3,0)" does not sort)
    const lp = lf, rp = rf, num = (v: Value) => { const [b, o] = String(v).slice(1, -1).split(','); return Number(b) * 65536 + Number(o); };
    lf = (row) => { const v = lp(row); return v === null ? null : num(v); };
    rf = (row) => { const v = rp(row); return v === null ? null : num(v); };
  }
  const test = CMP_OPS[op]!;
  if (isNullConst(l) || isNullConst(r)) return nullConst(T.bool);
  if (l.isConst && r.isConst) {
    const a = lf(null as unknown as Row), b = rf(null as unknown as Row);
    const v = a === null || b === null ? null : test(compareValues(a, b));
    return { fn: () => v, type: T.bool, name: '?column?', strength: 0, isConst: true };
  }
  if (op === '=' && (isIntegral(t))) {
    return { fn: (row) => { const a = lf(row), b = rf(row); if (a === null || b === null) return null; return a === b; }, type: T.bool, name: '?column?', strength: 0 };
  }
  return {
    fn: (row) => { const a = lf(row), b = rf(row); if (a === null || b === null) return null; return test(compareValues(a, b)); },
    type: T.bool, name: '?column?', strength: 0,
  };
}

/**
 * A NULL constant operand of a strict operator or function makes the whole call a NULL constant
 * (eval_const_expressions: a strict function with a constant-NULL input is never called) — its other operands are
 * then never evaluated, so a division by zero beside a NULL literal raises nothing. At run time a strict operator
 * evaluates all its operands before it looks for a NULL.
 */
export const nullConst = (type: SqlType): Compiled => ({ fn: () => null, type, name: '?column?', strength: 0, isConst: true });

export function arith(op: string, l: Compiled, r: Compiled, pos?: number): Compiled {
  const c = arithInner(op, l, r, pos);
  // the array operators (array_cat, array_append, array_prepend) are not strict
  if ((isNullConst(l) || isNullConst(r)) && !isArray(c.type) && !isArray(l.type) && !isArray(r.type)) return nullConst(c.type);
  return l.isConst && r.isConst ? fold(c) : c;
}

function arithInner(op: string, l: Compiled, r: Compiled, pos?: number): Compiled {
  const js = compileJsonOp(op, l, r, (x, t) => castTo(x, t, false, pos), () => opNotExist(op, l.type, r.type, pos));
  if (js) return js;
  const arr = compileArrayOp(op, l, r, compareValues, pos);
  if (arr) return arr;
  if (isArray(l.type) || isArray(r.type)) throw opNotExist(op, l.type, r.type, pos);
  const bits = bitBinary(op, l.type, r.type); // & | # << >> || of bit strings (sql/bitops.ts)
  if (bits) {
    const lf = castTo(l, bits.lt, false, pos).fn, rf = castTo(r, bits.rt, false, pos).fn, g = bits.fn;
    return { fn: (row) => { const a = lf(row), b = rf(row); if (a === null || b === null) return null; return g(a, b); }, type: bits.type, name: '?column?', strength: 0 };
  }
  if (op === '||' && byteaPair(l, r)) {
    // byteacat: bytea || bytea (an untyped literal beside a bytea is one); bytea || text is anynonarray || text below
    const lf = castTo(l, T.bytea, false, pos).fn, rf = castTo(r, T.bytea, false, pos).fn;
    return { fn: (row) => { const a = lf(row), b = rf(row); return a === null || b === null ? null : byteaCat(a, b); }, type: T.bytea, name: '?column?', strength: 0 };
  }
  if (op === '||') {
    // textcat / anytextcat / textanycat: a string (or unknown literal) on either side makes it text concatenation
    const stringish = (c: Compiled) => c.type.name === 'unknown' || isStringLike(c.type);
    if (!stringish(l) && !stringish(r)) throw opNotExist(op, l.type, r.type, pos);
    // string operands become text first (so character(n) loses its padding); others use their output function
    const lf = stringish(l) ? castTo(l, T.text, false, pos).fn : l.fn, rf = stringish(r) ? castTo(r, T.text, false, pos).fn : r.fn;
    const str = (v: Value) => (typeof v === 'boolean' ? (v ? 'true' : 'false') : formatValue(v)!); // bool's text cast spells it out
    return { fn: (row) => { const a = lf(row); const b = rf(row); return a === null || b === null ? null : str(a) + str(b); }, type: T.text, name: '?column?', strength: 0 };
  }
  let adt;
  try { adt = adtBinary(op, l.type, r.type); } catch (e) {
    if (e instanceof PgError && pos !== undefined && e.position === undefined) e.position = pos;
    throw e;
  }
  if (adt) {
    const lf = castTo(l, adt.lt, false, pos).fn, rf = castTo(r, adt.rt, false, pos).fn, g = adt.fn;
    return { fn: (row) => { const a = lf(row), b = rf(row); if (a === null || b === null) return null; return g(a, b); }, type: adt.type, name: '?column?', strength: 0 };
  }
  if (op === '^') return compileOperatorFunc('power', [l, r], pos);
  // text ^@ text: starts_with (text_starts_with)
  if (op === '^@' && [l, r].every((c) => c.type.name === 'unknown' || isStringLike(c.type))) return compileOperatorFunc('starts_with', [l, r], pos);
  if ((op === '<<' || op === '>>') && (isIntegral(l.type) || l.type.name === 'unknown') && (r.type.name === 'int2' || r.type.name === 'int4' || r.type.name === 'unknown')) {
    // int4shl & co.: the left operand's type, an int4 count
    const t = l.type.name === 'unknown' ? T.int4 : l.type;
    const lf = castTo(l, t, false, pos).fn, rf = castTo(r, T.int4, false, pos).fn, g = intShift(op, t);
    return { fn: (row) => { const a = lf(row), b = rf(row); return a === null || b === null ? null : g(a as number | bigint, b as number); }, type: t, name: '?column?', strength: 0 };
  }
  if (isRegexOp(op) && (isStringLike(l.type) || l.type.name === 'unknown') && (isStringLike(r.type) || r.type.name === 'unknown')) {
    return compileRegexMatch(op, castTo(l, T.text, false, pos), castTo(r, T.text, false, pos), pos);
  }
  if (isRegexOp(op)) throw opNotExist(op, l.type, r.type, pos);
  if ((op === '~~' || op === '!~~') && byteaPair(l, r)) return compileByteaLike(op.startsWith('!'), l, r, pos);
  if ((op === '~~' || op === '~~*' || op === '!~~' || op === '!~~*') && (isStringLike(l.type) || l.type.name === 'unknown') && (isStringLike(r.type) || r.type.name === 'unknown')) {
    // textlike & co.: LIKE / ILIKE written as their operators
    return compileLike(op.includes('*'), op.startsWith('!'), l.type.name === 'bpchar' ? l : castTo(l, T.text, false, pos), castTo(r, T.text, false, pos));
  }
  const t = unifyTypes(l.type, r.type, op, pos);
  const lf = castTo(l, t, false, pos).fn, rf = castTo(r, t, false, pos).fn;
  if (isIntegral(t)) {
    const g = intArith(op, t);
    if (!g) throw opNotExist(op, l.type, r.type, pos);
    return {
      fn: (row) => {
        const a = lf(row), b = rf(row); if (a === null || b === null) return null; return g(a as number | bigint, b as number | bigint);
      },
      type: t, name: '?column?', strength: 0,
    };
  }
  if (t.name === 'numeric') {
    let g: (a: Numeric, b: Numeric) => Numeric;
    switch (op) {
      case '+': g = (a, b) => a.add(b); break;
      case '-': g = (a, b) => a.sub(b); break;
      case '*': g = (a, b) => a.mul(b); break;
      case '/': g = (a, b) => { if (b.isZero() && !a.isNaN()) throw new PgError('22012', 'division by zero'); return a.div(b); }; break;
      case '%': return compileOperatorFunc('mod', [l, r], pos);
      default: throw opNotExist(op, l.type, r.type, pos);
    }
    return {
      fn: (row) => {
        const a = lf(row), b = rf(row); if (a === null || b === null) return null;
        return g(toNumeric(a as number | bigint | Numeric), toNumeric(b as number | bigint | Numeric));
      },
      type: T.numeric, name: '?column?', strength: 0,
    };
  }
  throw opNotExist(op, l.type, r.type, pos);
}

/** An operator implemented by a function of the catalog (numeric_power for ^, dsqrt for |/ ...). */
export function compileOperatorFunc(fname: string, args: Compiled[], pos?: number): Compiled {
  const def = resolveFunction(fname, args.map((a) => a.type), pos);
  const c = buildCall(def, args, { env: null as never, pos, name: '?column?' }, (x, t) => castTo(x, t, false, pos));
  return { ...c, name: '?column?', strength: 0 };
}


export function likeToRegex(p: string, ci: boolean): RegExp {
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const ch = p[i]!;
    if (ch === '\\' && i + 1 < p.length) { re += p[++i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); continue; }
    if (ch === '%') re += '[\\s\\S]*';
    else if (ch === '_') re += '[\\s\\S]';
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp('^' + re + '$', ci ? 'i' : '');
}

/** bytea beside bytea or an untyped literal: the bytea operator (byteacat, bytealike) */
const byteaPair = (l: Compiled, r: Compiled) => (l.type.name === 'bytea' || r.type.name === 'bytea') && (l.type.name === 'bytea' || l.type.name === 'unknown') && (r.type.name === 'bytea' || r.type.name === 'unknown');
/** bytealike / byteanlike: the pattern matched byte by byte (each byte a character of its own here) */
function compileByteaLike(neg: boolean, l: Compiled, r: Compiled, pos?: number): Compiled {
  const latin = (c: Compiled): Compiled => {
    const f = castTo(c, T.bytea, false, pos).fn;
    return { ...c, type: T.text, fn: (row) => { const v = f(row); return v === null ? null : String.fromCharCode(...(v as Bytea).data()); } };
  };
  return compileLike(false, neg, latin(l), latin(r));
}

/** textlike / texticlike and their negations, the pattern's RegExp cached per value */
function compileLike(ci: boolean, neg: boolean, l: Compiled, r: Compiled): Compiled {
  let cache: [string, RegExp] | null = null;
  return {
    fn: (row) => {
      const a = l.fn(row), b = r.fn(row);
      if (a === null || b === null) return null;
      if (!cache || cache[0] !== b) cache = [b as string, likeToRegex(b as string, ci)];
      const m = cache[1].test(a as string);
      return neg ? !m : m;
    }, type: T.bool, name: '?column?', strength: 0,
  };
}

export function compileAExpr(n: N, scope: Scope, rec: Rec): Compiled {
  const kind = n.kind as string;
  const names = n.name as N[] | undefined;
  const op = !names ? '' : names.length === 1 ? names[0]!.String.sval as string : names.map((x) => x.String.sval).join('.');
  const pos = posOf(n.location);
  switch (kind) {
    case 'AEXPR_OP': {
      if (!n.lexpr) {
        const r = rec(n.rexpr, scope);
        if (op === '-') {
          if (r.isConst && r.type.name === 'int4') { const v = r.fn(null as unknown as Row) as number; return { fn: () => intNegate(v, T.int4), type: T.int4, name: '?column?', strength: 0, isConst: true }; }
          if (isIntegral(r.type)) { const f = r.fn, t = r.type; return { fn: (row) => { const v = f(row); return v === null ? null : intNegate(v as number | bigint, t); }, type: r.type, name: '?column?', strength: 0 }; }
          if (r.type.name === 'numeric') { const f = r.fn; return { fn: (row) => { const v = f(row); return v === null ? null : (v as Numeric).neg(); }, type: T.numeric, name: '?column?', strength: 0 }; }
        }
        if (op === '-') {
          const neg = adtNegate(r.type);
          if (neg) { const f = r.fn; const c: Compiled = { fn: (row) => { const v = f(row); return v === null ? null : neg(v); }, type: r.type, name: '?column?', strength: 0 }; return r.isConst ? fold(c) : c; }
        }
        if (op === '+') return r;
        const bitnot = bitPrefix(op, r.type);
        if (bitnot) { const f = r.fn; const c: Compiled = { fn: (row) => { const v = f(row); return v === null ? null : bitnot(v); }, type: { name: 'bit', typmod: -1 }, name: '?column?', strength: 0 }; return r.isConst ? fold(c) : c; }
        if (op === '~' && (isIntegral(r.type) || r.type.name === 'unknown')) {
          const t = r.type.name === 'unknown' ? T.int4 : r.type, f = castTo(r, t, false, pos).fn;
          const c: Compiled = { fn: (row) => { const v = f(row); return v === null ? null : intNot(v as number | bigint, t); }, type: t, name: '?column?', strength: 0 };
          return r.isConst ? fold(c) : c;
        }
        const fname = op === '|/' ? 'sqrt' : op === '||/' ? 'cbrt' : op === '@' ? 'abs' : null;
        if (fname) return compileOperatorFunc(fname, [r], pos);
        if (op === '-' || !pg15HasOperator(op, null, r.type)) {
          throw new PgError('42883', `operator does not exist: ${op} ${typeDisplayName(r.type)}`, {
            hint: 'No operator matches the given name and argument type. You might need to add an explicit type cast.', ...(pos !== undefined ? { position: pos } : {}),
          });
        }
        throw notSupported(`prefix operator ${op}`, pos);
      }
      const l = rec(n.lexpr, scope), r = rec(n.rexpr, scope);
      if (op in CMP_OPS) return compileComparison(op, l, r, pos);
      return arith(op, l, r, pos);
    }
    case 'AEXPR_OP_ANY': case 'AEXPR_OP_ALL': return compileScalarArrayOp(n, scope, rec, compileComparison);
    case 'AEXPR_IN': {
      const l = rec(n.lexpr, scope);
      const items = (n.rexpr.List?.items ?? []) as N[];
      const cmps = items.map((it) => compileComparison('=', l, rec(it, scope), pos).fn);
      const neg = op === '<>';
      return {
        fn: (row) => {
          let nul = false;
          for (const c of cmps) { const v = c(row); if (v === true) return !neg; if (v === null) nul = true; }
          return nul ? null : neg;
        }, type: T.bool, name: '?column?', strength: 0,
      };
    }
    case 'AEXPR_BETWEEN': case 'AEXPR_NOT_BETWEEN': case 'AEXPR_BETWEEN_SYM': case 'AEXPR_NOT_BETWEEN_SYM': {
      const v = rec(n.lexpr, scope);
      const [lo, hi] = (n.rexpr.List.items as N[]).map((x) => rec(x, scope));
      const ge = compileComparison('>=', v, lo!, pos).fn, le = compileComparison('<=', v, hi!, pos).fn;
      const sym = kind.endsWith('_SYM');
      const ge2 = sym ? compileComparison('>=', v, hi!, pos).fn : null, le2 = sym ? compileComparison('<=', v, lo!, pos).fn : null;
      const neg = kind.includes('NOT');
      const and3 = (a: Value, b: Value) => (a === false || b === false ? false : a === null || b === null ? null : true);
      return {
        fn: (row) => {
          let res = and3(ge(row), le(row));
          if (sym && res !== true) { const r2 = and3(ge2!(row), le2!(row)); res = res === null || r2 === null ? (r2 === true ? true : null) : r2; }
          return res === null ? null : neg ? !res : res;
        }, type: T.bool, name: '?column?', strength: 0,
      };
    }
    case 'AEXPR_LIKE': case 'AEXPR_ILIKE': {
      // bpcharlike matches the padded value: character(n) keeps its trailing blanks here
      const l0 = rec(n.lexpr, scope), r0 = rec(n.rexpr, scope);
      if (kind === 'AEXPR_LIKE' && byteaPair(l0, r0)) return compileByteaLike(op.startsWith('!'), l0, r0, pos);
      // no ~~ (like) operator takes a non-string operand: 42883 before any cast is tried (integer ~~ unknown)
      const str = (t: SqlType) => isStringLike(t) || t.name === 'unknown';
      if (!str(l0.type) || !str(r0.type)) throw opNotExist(op, l0.type, r0.type, pos);
      const l = l0.type.name === 'bpchar' ? l0 : castTo(l0, T.text, false, pos), r = castTo(r0, T.text, false, pos);
      if (!isStringLike(l.type)) throw opNotExist(op, l.type, r.type, pos);
      return compileLike(kind === 'AEXPR_ILIKE', op.startsWith('!'), l, r);
    }
    case 'AEXPR_SIMILAR': {
      // x SIMILAR TO p [ESCAPE e] is parsed as x ~ similar_to_escape(p [, e]) (NOT SIMILAR TO as !~): the SQL
      // regular expression becomes an ARE (regexp.ts similarToEscape) and is matched as ~ matches it
      const l = rec(n.lexpr, scope), r0 = rec(n.rexpr, scope);
      if (!(isStringLike(l.type) || l.type.name === 'unknown')) throw opNotExist(op, l.type, r0.type, pos);
      const rf = r0.fn;
      const r: Compiled = { ...r0, fn: (row) => { const v = rf(row); return v === null ? null : similarForMatch(v as string); } };
      return compileRegexMatch(op, castTo(l, T.text, false, pos), r, pos);
    }
    case 'AEXPR_DISTINCT': case 'AEXPR_NOT_DISTINCT': {
      const l = rec(n.lexpr, scope), r = rec(n.rexpr, scope);
      const eq = compileComparison('=', l, r, pos).fn;
      const lf = l.fn, rf = r.fn;
      const distinct = kind === 'AEXPR_DISTINCT';
      return {
        fn: (row) => {
          const a = lf(row), b = rf(row);
          const same = a === null || b === null ? a === b : eq(row) === true;
          return distinct ? !same : same;
        }, type: T.bool, name: '?column?', strength: 0,
      };
    }
    case 'AEXPR_NULLIF': {
      let l = rec(n.lexpr, scope);
      const r = rec(n.rexpr, scope);
      const eq = compileComparison('=', l, r, pos).fn;
      // the result has the = operator's left input type: an untyped literal resolved as the operator resolved it
      // (nullif(1, 1.5) is numeric: int4 = numeric resolves to numeric = numeric; int4 = int8 has an operator of its own)
      const NUM = ['int2', 'int4', 'int8', 'numeric', 'float4', 'float8'];
      const floats = (t: SqlType) => t.name === 'float4' || t.name === 'float8';
      if (l.type.name === 'unknown') l = castTo(l, r.type.name === 'unknown' ? T.text : r.type, false, pos);
      else if (NUM.includes(l.type.name) && NUM.includes(r.type.name) && l.type.name !== r.type.name
        && !(isIntegral(l.type) && isIntegral(r.type)) && !(floats(l.type) && floats(r.type))) l = castTo(l, selectCommonType(l.type, r.type), false, pos);
      const lf = l.fn;
      return { fn: (row) => (eq(row) === true ? null : lf(row)), type: l.type, name: 'nullif', strength: 2 };
    }
    default: throw notSupported(`operator kind ${kind}`, pos);
  }
}
