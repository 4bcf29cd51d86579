/**
 * Type coercion (PostgreSQL's parser/parse_coerce.c): casting a compiled expression to a type (implicit casts
 * along pg_cast's paths, explicit ones with CAST / ::), the common type of CASE / COALESCE / UNION arms
 * (select_common_type), and coercing a condition to boolean (coerce_to_boolean, 42804). A cast of a constant is
 * folded once (eval_const_expressions). bpchar's trailing blanks are dropped when it becomes text.
 */
import { PgError, notSupported } from '../errors.js';
import { PG15_OPERATORS } from '../catalog/pg15names.js';
import { canCoerceImplicitly } from './funcs/registry.js';
import { Numeric } from './numeric.js';
import { type SqlType, type TypeName, type Value, PgArray, PgRecord, T, isIntegral, isStringLike, parseInput, checkIntRange, toNumeric, formatValue, typeDisplayName, applyNumericTypmod, applyStringTypmod } from './types.js';
import { adtCast, adtUnify } from './adtops.js';
import { domainLookup } from '../adt/domains.js';
import { jsonCast } from './jsonops.js';
import { bitCast, bitUnify } from './bitops.js';
import type { Row, Compiled } from './primnodes.js';

export function coerceBool(c: Compiled, ctx: string): Compiled {
  if (c.type.name === 'bool') return c;
  if (c.type.name === 'unknown') return castTo(c, T.bool, false);
  throw new PgError('42804', `argument of ${ctx} must be type boolean, not type ${typeDisplayName(c.type)}`);
}

/** The type both sides of an operator are converted to, PostgreSQL-style. */
export function unifyTypes(a: SqlType, b: SqlType, op: string, pos?: number): SqlType {
  // a domain over an enum matches no anyenum operator (PostgreSQL 15: operator does not exist: d > unknown)
  if ((a.domain && a.enumType) || (b.domain && b.enumType)) throw opNotExist(op, a, b, pos);
  const bits = bitUnify(a, b); // bit strings compare by bitcmp whatever their lengths (sql/bitops.ts)
  if (bits) return bits;
  // character(n) has operators of its own that ignore trailing blanks (bpchareq, bpcharlt, ...): chosen when the
  // other side is character(n), character varying or an untyped literal; against text, both sides are text
  if (a.name === 'bpchar' && (b.name === 'bpchar' || b.name === 'varchar' || b.name === 'unknown')) return T.bpchar;
  if (b.name === 'bpchar' && (a.name === 'varchar' || a.name === 'unknown')) return T.bpchar;
  if (a.name === 'unknown' && b.name === 'unknown') return T.text;
  if (a.name === 'unknown') return b.name === 'varchar' ? T.text : b;
  if (b.name === 'unknown') return a.name === 'varchar' ? T.text : a;
  if (isIntegral(a) && isIntegral(b)) return a.name === 'int8' || b.name === 'int8' ? T.int8 : a.name === 'int2' && b.name === 'int2' ? T.int2 : T.int4;
  if ((isIntegral(a) || a.name === 'numeric') && (isIntegral(b) || b.name === 'numeric')) return T.numeric;
  if (a.name === 'name' && b.name === 'name') return T.name; // nameeq, namelt ... (collation C)
  if (isStringLike(a) && isStringLike(b)) return T.text;
  if (a.name === b.name && a.enumType?.oid === b.enumType?.oid) return a;
  if (a.elem || b.elem || a.enumType || b.enumType) throw opNotExist(op, a, b, pos);
  const adt = adtUnify(a, b);
  if (adt) return adt;
  const xidLike = (t: SqlType) => t.name === 'xid' || t.name === 'xid8' || t.name === 'cid';
  if ((xidLike(a) && (xidLike(b) || isIntegral(b))) || (xidLike(b) && isIntegral(a))) return T.int8;
  throw opNotExist(op, a, b, pos);
}

/**
 * Does PostgreSQL 15 have an operator of this name the operands could take (pg_operator as recorded in
 * catalog/pg15names.ts: an operand of its type, an implicit cast to it, or an untyped literal)? Then what the
 * simulator lacks is a feature (0A000 naming it), not PostgreSQL's 42883.
 */
export function pg15HasOperator(op: string, left: SqlType | null, right: SqlType): boolean {
  const fits = (t: SqlType, cand: string) => t.name === 'unknown' || t.name === cand || canCoerceImplicitly(t, cand as TypeName);
  for (const o of PG15_OPERATORS) {
    const [name, lt, rt] = o.split(':') as [string, string, string];
    if (name !== op) continue;
    if (left === null ? lt === '-' : lt !== '-' && fits(left, lt)) { if (fits(right, rt)) return true; }
  }
  return false;
}

/** 42883 operator does not exist — or 0A000 when PostgreSQL 15 has it and the simulator does not */
export function opNotExist(op: string, a: SqlType, b: SqlType, pos?: number): PgError {
  if (pg15HasOperator(op, a, b)) return notSupported(`the operator ${typeDisplayName(a)} ${op} ${typeDisplayName(b)}`, pos);
  const bare = (t: SqlType) => typeDisplayName(t.elem ? t : { ...t, typmod: -1 }); // format_type_be: no typmods
  return new PgError('42883', `operator does not exist: ${bare(a)} ${op} ${bare(b)}`, {
    hint: 'No operator matches the given name and argument types. You might need to add explicit type casts.',
    ...(pos !== undefined ? { position: pos } : {}),
  });
}

/** the numeric category's types in the order their implicit casts go (pg_cast: int2 -> ... -> float8, never back) */
const NUMERIC_UP = ['int2', 'int4', 'int8', 'numeric', 'float4', 'float8'];

/**
 * select_common_type's step for two types: within the numeric category the one the other casts to implicitly
 * (int and real resolve to real, numeric and double precision to double precision — not an operator's float8);
 * otherwise as an operator's operands unify (unifyTypes).
 */
export function selectCommonType(a: SqlType, b: SqlType, pos?: number): SqlType {
  const i = NUMERIC_UP.indexOf(a.name), j = NUMERIC_UP.indexOf(b.name);
  if (i >= 0 && j >= 0 && a.name !== b.name) return i > j ? a : b;
  // name beside another string type: kept unless the first is text (text and name cast to each other implicitly;
  // character varying and character cast to name implicitly, name back to them only by assignment)
  if (a.name === 'name' && (b.name === 'text' || b.name === 'varchar' || b.name === 'bpchar')) return a;
  if (b.name === 'name' && (a.name === 'varchar' || a.name === 'bpchar')) return b;
  // text, character varying and character cast to one another implicitly both ways: the first is kept (text only
  // because it is the category's preferred type) — 'x'::varchar UNION 'y'::text is character varying
  const STR = ['text', 'varchar', 'bpchar'];
  if (STR.includes(a.name) && STR.includes(b.name) && a.name !== b.name) return a.typmod < 0 ? a : { ...a, typmod: -1 };
  return unifyTypes(a, b, '', pos);
}

/** select_common_type: the type a list of expressions (CASE results, COALESCE arguments, ...) is resolved to. */
export function commonType(args: Compiled[], ctx: string, pos?: number): SqlType {
  let t: SqlType = T.unknown;
  for (const a of args) {
    if (a.type.name === 'unknown') continue;
    if (t.name === 'unknown') { t = a.type; continue; }
    try { t = selectCommonType(t, a.type, pos); } catch {
      const at = a.location ?? pos;
      throw new PgError('42804', `${ctx} types ${typeDisplayName(t)} and ${typeDisplayName(a.type)} cannot be matched`, at !== undefined ? { position: at } : {});
    }
  }
  if (t.name === 'unknown') return T.text;
  // select_common_type chooses a type, not a typmod: each input is coerced with typmod -1, and the result keeps a
  // typmod only when every input already has this type and that typmod (exprTypmod of a CASE / COALESCE /
  // ARRAY / JOIN USING column) — COALESCE(numeric(8,2) column, 0) is numeric, so its 0 prints as 0, not 0.00
  const first = args[0]!.type;
  if (args.every((a) => a.type.name === first.name && a.type.typmod === first.typmod)) return first;
  return t.typmod < 0 ? t : { ...t, typmod: -1 };
}

/** Convert a compiled expression to another type (explicit CAST or implicit/assignment coercion). */
export function castTo(c: Compiled, target: SqlType, explicit: boolean, pos?: number): Compiled {
  if (target.domain && c.type.domain?.oid !== target.domain.oid) return castToDomain(c, target, explicit, pos);
  const r = castToInner(c, target, explicit, pos);
  if (!c.isConst || r === c) return r;
  // an untyped literal is converted by parse analysis itself (coerce_type calls the input function): always now
  return c.type.name === 'unknown' && c.literal ? foldNow(r) : fold(r);
}

/** CoerceToDomain: to the base type, then the domain's constraints — NOT NULL among them, so NULL is checked too. */
function castToDomain(c: Compiled, target: SqlType, explicit: boolean, pos?: number): Compiled {
  const { domain: _d, ...base } = target;
  const b = castTo(c.type.domain ? { ...c, type: stripDomain(c.type) } : c, base, explicit, pos);
  const check = domainLookup.checker(target.domain!.oid), f = b.fn;
  // not folded (eval_const_expressions keeps a CoerceToDomain): a violating default fails only when it is used
  return { ...b, type: target, isConst: false, fn: (row) => { const v = f(row); check(v); return v; } };
}
const stripDomain = (t: SqlType): SqlType => { const { domain: _d, ...base } = t; return base; };

let foldingOff = 0;
/**
 * Compile without constant folding: eval_const_expressions never simplifies what a constant before it already
 * decided — the arms after CASE WHEN true, an arm whose WHEN is constant false, COALESCE's arguments after a
 * non-null constant, AND's after false and OR's after true — so CASE WHEN 1 > 0 THEN 1 ELSE 1/0 END divides nothing.
 */
export function withoutFolding<R>(f: () => R): R {
  foldingOff++;
  try { return f(); } finally { foldingOff--; }
}

/**
 * Constant folding (eval_const_expressions): an expression over constants is computed once at compile time,
 * so its errors ("invalid input syntax", "division by zero") come before any row is read, as in PostgreSQL.
 */
export function fold(c: Compiled): Compiled {
  return foldingOff ? c : foldNow(c);
}
function foldNow(c: Compiled): Compiled {
  const v = c.fn(null as unknown as Row);
  return { ...c, fn: () => v, isConst: true };
}

function castToInner(c: Compiled, target: SqlType, explicit: boolean, pos?: number): Compiled {
  const from = c.type;
  const f = c.fn;
  if (target.name === 'record' && target.composite?.relName && from.name === 'record') {
    // to a named row type: the same type as it is; an anonymous record field by field; another named type: no cast
    if (from.composite?.relName === target.composite.relName) return c;
    if (!from.composite?.relName) return coerceRecordToComplex(c, target, explicit, pos);
  }
  const same = from.name === target.name && (target.typmod < 0 || from.typmod === target.typmod) && from.enumType?.oid === target.enumType?.oid
    && (from.name !== 'record' || !target.composite?.relName);
  if (same) return c;
  const wrap = (g: (v: Exclude<Value, null>) => Value): Compiled => ({
    ...c, type: target, fn: (r) => { const v = f(r); return v === null ? null : g(v); },
  });
  const bits = bitCast(from, target, explicit); // bit(n) and bit varying(n): sql/bitops.ts
  if (bits) {
    const at = c.literal ? c.location : pos;
    return wrap((v) => {
      try { return bits(v); } catch (e) {
        // the input function's errors point at the literal; the length coercion's do not
        if (e instanceof PgError && at !== undefined && e.position === undefined && from.name === 'unknown' && e.sqlstate === '22P02') e.position = at;
        throw e;
      }
    });
  }
  if (from.name === 'unknown' || (explicit && (isStringLike(from) || from.name === 'tid' || from.name === 'pg_snapshot'))) {
    if (isStringLike(target) && target.name !== 'unknown') {
      if (from.name === 'bpchar' && target.name !== 'bpchar') return wrap((v) => applyStringTypmod(rtrimBlanks(v as string), target, explicit));
      return wrap((v) => applyStringTypmod(String(v), target, explicit));
    }
    const at = c.literal ? c.location : pos; // coerce_type points at the literal's own text
    return wrap((v) => {
      try { return parseInput(typeof v === 'string' ? v : formatValue(v)!, target); } catch (e) {
        if (e instanceof PgError && at !== undefined && e.position === undefined) e.position = at;
        throw e;
      }
    });
  }
  if (isIntegral(target) && isIntegral(from)) return wrap((v) => checkIntRange(v as number | bigint, target));
  // bytea, pg_lsn and arrays to a string type: their output text (an opaque raw page refuses, types.ts Bytea)
  if (explicit && isStringLike(target) && ['bytea', 'pg_lsn'].includes(from.name)) return wrap((v) => applyStringTypmod(formatValue(v)!, target, explicit));
  // an array to a string type: array_out's text (an I/O conversion cast, allowed in assignment too)
  if (from.elem && isStringLike(target)) return wrap((v) => applyStringTypmod(formatValue(v)!, target, explicit));
  if (from.elem && target.elem) {
    // array_map: each element cast as the element types are (integer[] → numeric[], text[] → integer[])
    const slot = { v: null as Value };
    let ec: Compiled;
    try { ec = castTo({ fn: () => slot.v, type: from.elem, name: '', strength: 0 }, target.elem, explicit, pos); } catch (e) {
      if (e instanceof PgError && e.sqlstate === '42846') throw new PgError('42846', `cannot cast type ${typeDisplayName(from)} to ${typeDisplayName(target)}`, pos !== undefined ? { position: pos } : {});
      throw e;
    }
    const g = ec.fn;
    const each = (x: Value) => { if (x === null) return null; slot.v = x; return g(null as never) as Exclude<Value, PgArray>; };
    return wrap((v) => { const a = v as PgArray; return new PgArray(a.items.map(each), a.dims, a.lbs); });
  }
  const jc = jsonCast(from, target, explicit);
  if (jc) {
    const mid = { ...wrap(jc.fn), type: jc.to };
    return jc.to.name === target.name ? mid : castTo(mid, target, explicit, pos);
  }
  const adt = adtCast(from, target, explicit);
  if (adt) return wrap(adt);
  // booltext: a boolean cast to a string type is spelled out
  if (from.name === 'bool' && isStringLike(target)) return wrap((v) => applyStringTypmod(v ? 'true' : 'false', target, explicit));
  if (isIntegral(target) && from.name === 'numeric') {
    const name = target.name === 'int2' ? 'smallint' : target.name === 'int4' ? 'integer' : 'bigint';
    return wrap((v) => {
      const n = v as Numeric;
      // numeric_int4 & co.: the special values have no integer (0A000, as numeric.c raises it)
      if (n.special) throw new PgError('0A000', `cannot convert ${n.isNaN() ? 'NaN' : 'infinity'} to ${name}`);
      return checkIntRange(n.round(0).unscaled, target);
    });
  }
  if (target.name === 'numeric' && (isIntegral(from) || from.name === 'numeric')) {
    return wrap((v) => applyNumericTypmod(toNumeric(v as number | bigint | Numeric), target));
  }
  if (isStringLike(target)) {
    // character(n) → text / character varying drops the padding (rtrim1)
    if (from.name === 'bpchar' && target.name !== 'bpchar') return wrap((v) => applyStringTypmod(rtrimBlanks(v as string), target, explicit));
    if (isStringLike(from) || explicit) return wrap((v) => applyStringTypmod(formatValue(v)!, target, explicit));
  }
  if (target.name === 'bool' && isIntegral(from) && explicit && from.name === 'int4') return wrap((v) => v !== 0);
  if (isIntegral(target) && from.name === 'bool' && explicit && target.name === 'int4') return wrap((v) => (v ? 1 : 0));
  const xidLike = (t: SqlType) => t.name === 'xid' || t.name === 'xid8' || t.name === 'cid';
  // (an integer meets an xid only through xideqint4 & co.: implicitly; 42::xid is no cast PostgreSQL has)
  if (xidLike(target) && (xidLike(from) || (isIntegral(from) && !explicit))) return { ...c, type: target };
  if (isIntegral(target) && xidLike(from) && !explicit) return { ...c, type: target };
  if (target.name === 'text' && from.name === 'pg_snapshot') return { ...c, type: target };
  // format_type_be: the names without their typmods
  const bare = (t: SqlType) => typeDisplayName(t.elem ? t : { ...t, typmod: -1 });
  throw new PgError('42846', `cannot cast type ${bare(from)} to ${bare(target)}`, pos !== undefined ? { position: pos } : {});
}

/**
 * coerce_record_to_complex: an anonymous record (ROW(...), a subquery's row) to a named row type, each field
 * coerced to the type's field in the cast's context — ROW(1.5, 'y')::pair rounds 1.5 to 2 — and 42846 when the
 * numbers of fields differ or a field has no such cast.
 */
function coerceRecordToComplex(c: Compiled, target: SqlType, explicit: boolean, pos?: number): Compiled {
  const want = target.composite!.fields;
  const have = c.rowArgs?.map((a) => a.type) ?? c.type.composite?.fields.map((f) => f.type) ?? [];
  const cannot = (detail?: string) => new PgError('42846', `cannot cast type record to ${typeDisplayName(target)}`, { ...(detail ? { detail } : {}), ...(pos !== undefined ? { position: pos } : {}) });
  // only a ROW(...) or a whole-row reference is taken apart (a subquery's, a CASE's, an INSERT ... SELECT's row is not)
  if (!c.rowArgs && !c.wholeRow) throw cannot();
  if (have.length > want.length) throw cannot('Input has too many columns.');
  if (have.length < want.length) throw cannot('Input has too few columns.');
  const slot = { v: null as Value };
  const casts = want.map((w, i) => {
    const src = c.rowArgs?.[i];
    const arg: Compiled = src?.isConst ? src : { fn: () => slot.v, type: have[i]!, name: '', strength: 0 };
    try {
      return { cast: castTo(arg, w.type, explicit, pos), fromSlot: !src?.isConst };
    } catch (e) {
      if (e instanceof PgError && e.sqlstate === '42846') throw cannot(`Cannot cast type ${typeDisplayName(have[i]!)} to ${typeDisplayName(w.type)} in column ${i + 1}.`);
      throw e;
    }
  });
  const f = c.fn;
  return {
    ...c, type: target, rowArgs: undefined,
    fn: (r) => {
      const v = f(r);
      if (!(v instanceof PgRecord)) return null;
      return new PgRecord(casts.map((k, i) => { if (!k.fromSlot) return k.cast.fn(r); slot.v = v.vals[i]!; return k.cast.fn(r); }));
    },
  };
}

/** Trailing blanks of a character(n) value, which its comparisons, length() and casts to text ignore (bcTruelen). */
export const rtrimBlanks = (s: string) => { let e = s.length; while (e > 0 && s.charCodeAt(e - 1) === 32) e--; return e === s.length ? s : s.slice(0, e); };
