/**
 * json and jsonb in expressions (PostgreSQL's utils/adt/jsonfuncs.c, jsonb_op.c, json.c datum_to_json, jsonb.c
 * datum_to_jsonb): the operators, the casts, and any SQL value turned into JSON.
 *
 *     b -> 'k'  b -> 2  b -> -1     the field / element as jsonb (NULL when missing); on json, its text as typed
 *     b ->> 'k'                     the same as text (a string unquoted, JSON null as SQL NULL)
 *     b #> '{a,0}'  b #>> '{a,0}'   by path
 *     b @> c  c <@ b                containment (JsonbDeepContains)
 *     b ? 'k'  b ?| '{k,l}'  b ?& '{k,l}'   a key (or a string element) exists: one of / all of
 *     b || c                        objects merged (the right one wins), anything else concatenated as arrays
 *     b - 'k'  b - 1  b - '{k,l}'::text[]  b #- '{a,0}'   deletion by key, index, keys, path
 *
 * json has only -> ->> #> #>> (42883 for the others, as in PostgreSQL: it has no equality either).
 * A row becomes an object of its fields (composite_to_json, jsonb's the same with its keys sorted and deduplicated).
 * Simplifications: json's -> of a duplicated key gives the last one.
 */
import { PgError, notSupported } from '../errors.js';
import { Numeric } from './numeric.js';
import { type Value, type SqlType, T, PgArray, PgJson, PgJsonb, formatValue, typeDisplayName } from './types.js';
import { PgFloat } from '../adt/float.js';
import { PgDate, PgTimestamp, dateOut, timestampOut } from '../adt/datetime.js';
import { type JV, JObj, JNULL, isScalar, scalarText, jsonbOut, jsonbCmp, jsonbContains, jsonbExists, jsonNumber, fromNode, makeObject } from '../adt/jsonb.js';
import type { JNode } from '../adt/jsonapi.js';
import { escapeJson } from '../adt/jsonapi.js';
import type { Compiled } from './primnodes.js';
import { PgRecord } from '../adt/rowtypes.js';

const isJsonType = (t: SqlType) => t.name === 'json' || t.name === 'jsonb';
export { isJsonType };

// ------------------------------------------------------------------ navigation

/** one step into a jsonb value: a key of an object, or an index of an array (a raw scalar is an array of one) */
function jsonbStep(v: JV, key: string | number, top: boolean): JV | undefined {
  if (typeof key === 'string') return v instanceof JObj ? v.get(key) : undefined;
  const arr = Array.isArray(v) ? v : top && isScalar(v) ? [v] : null;
  if (!arr) return undefined;
  const i = key < 0 ? arr.length + key : key;
  return i >= 0 && i < arr.length ? arr[i] : undefined;
}

/** one step into a json value's tree */
function jsonStep(n: JNode, key: string | number): JNode | undefined {
  if (typeof key === 'string') {
    if (n.t !== 'obj') return undefined;
    const i = n.keys.lastIndexOf(key);
    return i < 0 ? undefined : n.vals[i];
  }
  if (n.t !== 'arr') return undefined;
  const i = key < 0 ? n.items.length + key : key;
  return i >= 0 && i < n.items.length ? n.items[i] : undefined;
}

/** a path element as an array index (strtoint: an integer, nothing else), or null */
const pathIndex = (s: string): number | null => (/^\s*[+-]?\d+$/.test(s) ? Number(s) : null);

function jsonbPath(v: JV, path: (string | null)[]): JV | undefined {
  let cur: JV | undefined = v;
  for (const p of path) {
    if (cur === undefined || p === null) return undefined;
    if (cur instanceof JObj) cur = cur.get(p);
    else if (Array.isArray(cur)) { const i = pathIndex(p); cur = i === null ? undefined : jsonbStep(cur, i, false); } else return undefined;
  }
  return cur;
}
function jsonPath(n: JNode, path: (string | null)[]): JNode | undefined {
  let cur: JNode | undefined = n;
  for (const p of path) {
    if (cur === undefined || p === null) return undefined;
    if (cur.t === 'obj') cur = jsonStep(cur, p);
    else if (cur.t === 'arr') { const i = pathIndex(p); cur = i === null ? undefined : jsonStep(cur, i); } else return undefined;
  }
  return cur;
}

/** a json node's value: its text as typed, or as text for ->> (a string de-escaped, null as SQL NULL) */
function jsonNodeOut(src: string, n: JNode | undefined, asText: boolean): Value {
  if (n === undefined) return null;
  if (!asText) return new PgJson(src.slice(n.s, n.e));
  if (n.t === 'null') return null;
  if (n.t === 'str') return n.str ?? '';
  return src.slice(n.s, n.e);
}
const jsonbResult = (v: JV | undefined, asText: boolean): Value => (v === undefined ? null : asText ? scalarText(v) : new PgJsonb(v));

// ------------------------------------------------------------------ editing

const bad = (msg: string) => new PgError('22023', msg);

/** jsonb_concat (IteratorConcat): two objects merge, otherwise both become arrays (a scalar or object as one element) */
export function jsonbConcat(a: JV, b: JV): JV {
  if (a instanceof JObj && b instanceof JObj) return makeObject([...a.keys, ...b.keys], [...a.vals, ...b.vals]);
  const asArr = (x: JV): JV[] => (Array.isArray(x) ? x : [x]);
  return [...asArr(a), ...asArr(b)];
}

function jsonbDeleteKeys(v: JV, keys: string[]): JV {
  if (isScalar(v)) throw bad('cannot delete from scalar');
  if (v instanceof JObj) {
    const ks: string[] = [], vs: JV[] = [];
    v.keys.forEach((k, i) => { if (!keys.includes(k)) { ks.push(k); vs.push(v.vals[i]!); } });
    return new JObj(ks, vs);
  }
  return (v as JV[]).filter((x) => !(typeof x === 'string' && keys.includes(x)));
}

function jsonbDeleteIdx(v: JV, idx: number): JV {
  if (isScalar(v)) throw bad('cannot delete from scalar');
  if (v instanceof JObj) throw bad('cannot delete from object using integer index');
  const arr = v as JV[];
  const i = idx < 0 ? arr.length + idx : idx;
  if (i < 0 || i >= arr.length) return arr;
  return arr.filter((_, k) => k !== i);
}

function pathElems(a: PgArray, what: string): string[] {
  return a.items.map((x, i) => {
    if (x === null) throw new PgError('22004', `path element at position ${i + 1} is null`);
    void what;
    return String(x);
  });
}
const notInteger = (i: number, s: string) => new PgError('22P02', `path element at position ${i + 1} is not an integer: "${s}"`);

/** setPath (jsonb_set, jsonb_delete_path): replace, create or delete the value at a path */
function setPath(v: JV, path: string[], lvl: number, op: { kind: 'set'; nv: JV; create: boolean } | { kind: 'delete' }): JV {
  if (lvl >= path.length) return v;
  const last = lvl === path.length - 1;
  const p = path[lvl]!;
  if (v instanceof JObj) {
    const i = v.keys.indexOf(p);
    if (i < 0) {
      if (last && op.kind === 'set' && op.create) return makeObject([...v.keys, p], [...v.vals, op.nv]);
      return v;
    }
    if (last) {
      if (op.kind === 'delete') return new JObj(v.keys.filter((_, k) => k !== i), v.vals.filter((_, k) => k !== i));
      return new JObj(v.keys, v.vals.map((x, k) => (k === i ? op.nv : x)));
    }
    const inner = v.vals[i]!;
    if (isScalar(inner)) return v;
    return new JObj(v.keys, v.vals.map((x, k) => (k === i ? setPath(inner, path, lvl + 1, op) : x)));
  }
  if (Array.isArray(v)) {
    const idx0 = pathIndex(p);
    if (idx0 === null) throw notInteger(lvl, p);
    let idx = idx0 < 0 ? v.length + idx0 : idx0;
    if (idx < 0 || idx >= v.length) {
      if (!(last && op.kind === 'set' && op.create)) return v;
      idx = idx < 0 ? -1 : v.length;
      return idx < 0 ? [op.nv, ...v] : [...v, op.nv];
    }
    if (last) return op.kind === 'delete' ? v.filter((_, k) => k !== idx) : v.map((x, k) => (k === idx ? op.nv : x));
    const inner = v[idx]!;
    if (isScalar(inner)) return v;
    return v.map((x, k) => (k === idx ? setPath(inner, path, lvl + 1, op) : x));
  }
  return v;
}

export function jsonbSet(v: JV, path: PgArray, nv: JV, create: boolean): JV {
  if (isScalar(v)) throw bad('cannot set path in scalar');
  return setPath(v, pathElems(path, 'set'), 0, { kind: 'set', nv, create });
}
function jsonbDeletePath(v: JV, path: PgArray): JV {
  if (isScalar(v)) throw bad('cannot delete path in scalar');
  const p = pathElems(path, 'delete');
  if (!p.length) return v;
  return setPath(v, p, 0, { kind: 'delete' });
}

/** jsonb_strip_nulls: object fields whose value is null removed, at every depth */
export function jsonbStripNulls(v: JV): JV {
  if (v instanceof JObj) {
    const ks: string[] = [], vs: JV[] = [];
    v.keys.forEach((k, i) => { const x = v.vals[i]!; if (x !== JNULL) { ks.push(k); vs.push(jsonbStripNulls(x)); } });
    return new JObj(ks, vs);
  }
  if (Array.isArray(v)) return v.map(jsonbStripNulls);
  return v;
}

// ------------------------------------------------------------------ operators

type Cast = (c: Compiled, t: SqlType) => Compiled;
type OpNotExist = () => PgError;

/**
 * The json / jsonb operators, or null when the operator is not one of them. `cast` is castTo (coercing an
 * untyped literal to the operand type the operator takes).
 */
export function compileJsonOp(op: string, l: Compiled, r: Compiled, cast: Cast, notExist: OpNotExist): Compiled | null {
  const lt = l.type.name, rt = r.type.name;
  const jsonish = (t: string) => t === 'json' || t === 'jsonb';
  if (!jsonish(lt) && !jsonish(rt)) return null;
  const bin = (a: Compiled, b: Compiled, type: SqlType, g: (x: Exclude<Value, null>, y: Exclude<Value, null>) => Value): Compiled => {
    const af = a.fn, bf = b.fn;
    return { fn: (row) => { const x = af(row), y = bf(row); if (x === null || y === null) return null; return g(x, y); }, type, name: '?column?', strength: 0 };
  };
  const intLike = (t: string) => t === 'int4' || t === 'int2';
  const textLike = (t: string) => t === 'text' || t === 'varchar' || t === 'bpchar' || t === 'unknown';
  if (op === '->' || op === '->>') {
    const asText = op === '->>';
    const type = asText ? T.text : l.type;
    if (!jsonish(lt)) throw notExist();
    if (intLike(rt)) {
      const rc = cast(r, T.int4);
      if (lt === 'jsonb') return bin(l, rc, type, (x, y) => jsonbResult(jsonbStep((x as PgJsonb).v, y as number, true), asText));
      return bin(l, rc, type, (x, y) => { const j = x as PgJson; return jsonNodeOut(j.text, jsonStep(j.parse(), y as number), asText); });
    }
    if (!textLike(rt)) throw notExist();
    const rc = cast(r, T.text);
    if (lt === 'jsonb') return bin(l, rc, type, (x, y) => jsonbResult(jsonbStep((x as PgJsonb).v, y as string, true), asText));
    return bin(l, rc, type, (x, y) => { const j = x as PgJson; return jsonNodeOut(j.text, jsonStep(j.parse(), y as string), asText); });
  }
  if (op === '#>' || op === '#>>') {
    const asText = op === '#>>';
    if (!jsonish(lt) || !(rt === '_text' || rt === 'unknown')) throw notExist();
    const rc = cast(r, T.text_array);
    const type = asText ? T.text : l.type;
    const path = (y: Value) => (y as PgArray).items.map((x) => (x === null ? null : String(x)));
    if (lt === 'jsonb') {
      return bin(l, rc, type, (x, y) => {
        const p = path(y);
        const v = (x as PgJsonb).v;
        if (p.length === 0) return asText ? jsonbOut(v, false) : x;
        return jsonbResult(jsonbPath(v, p), asText);
      });
    }
    return bin(l, rc, type, (x, y) => { const j = x as PgJson; return jsonNodeOut(j.text, jsonPath(j.parse(), path(y)), asText); });
  }
  // jsonb @? jsonpath, jsonb @@ jsonpath: the SQL/JSON path language is not modelled
  if ((op === '@?' || op === '@@') && lt === 'jsonb' && rt === 'unknown') throw notSupported(`jsonpath (the ${op} operator)`);
  // the rest are jsonb's alone
  if (lt === 'json' || rt === 'json') throw notExist();
  const lb = lt === 'jsonb' ? l : lt === 'unknown' ? cast(l, T.jsonb) : null;
  if (!lb) throw notExist();
  const jb = (x: Value) => (x as PgJsonb).v;
  switch (op) {
    case '@>': case '<@': {
      if (rt !== 'jsonb' && rt !== 'unknown') throw notExist();
      const rb = cast(r, T.jsonb);
      return op === '@>' ? bin(lb, rb, T.bool, (x, y) => jsonbContains(jb(x), jb(y))) : bin(lb, rb, T.bool, (x, y) => jsonbContains(jb(y), jb(x)));
    }
    case '?': {
      if (!textLike(rt)) throw notExist();
      return bin(lb, cast(r, T.text), T.bool, (x, y) => jsonbExists(jb(x), y as string));
    }
    case '?|': case '?&': {
      if (!(rt === '_text' || rt === 'unknown')) throw notExist();
      const any = op === '?|';
      return bin(lb, cast(r, T.text_array), T.bool, (x, y) => {
        const keys = (y as PgArray).items.filter((k) => k !== null).map(String);
        return any ? keys.some((k) => jsonbExists(jb(x), k)) : keys.every((k) => jsonbExists(jb(x), k));
      });
    }
    case '||': {
      if (rt !== 'jsonb' && rt !== 'unknown') throw notExist();
      return bin(lb, cast(r, T.jsonb), T.jsonb, (x, y) => new PgJsonb(jsonbConcat(jb(x), jb(y))));
    }
    case '-': {
      if (intLike(rt)) return bin(lb, cast(r, T.int4), T.jsonb, (x, y) => new PgJsonb(jsonbDeleteIdx(jb(x), y as number)));
      if (textLike(rt)) return bin(lb, cast(r, T.text), T.jsonb, (x, y) => new PgJsonb(jsonbDeleteKeys(jb(x), [y as string])));
      if (rt === '_text') return bin(lb, r, T.jsonb, (x, y) => new PgJsonb(jsonbDeleteKeys(jb(x), (y as PgArray).items.filter((k) => k !== null).map(String))));
      throw notExist();
    }
    case '#-': {
      if (!(rt === '_text' || rt === 'unknown')) throw notExist();
      return bin(lb, cast(r, T.text_array), T.jsonb, (x, y) => new PgJsonb(jsonbDeletePath(jb(x), y as PgArray)));
    }
    default: return null;
  }
}

export { jsonbCmp };

// ------------------------------------------------------------------ SQL values as JSON

/** JsonEncodeDateTime: dates and timestamps in ISO 8601 (XSD) whatever DateStyle says */
const isoDateTime = (v: PgDate | PgTimestamp): string => (v instanceof PgDate ? dateOut(v.d, 'XSD') : timestampOut(v.us, v.tz, 'XSD'));

/** datum_to_json: a value as json text (arrays and records without spaces) */
export function toJsonText(v: Value, t: SqlType): string {
  if (v === null) return 'null';
  if (t.elem && v instanceof PgArray) return arrayToJson(v, t.elem);
  if (v instanceof PgRecord) return compositeToJson(v, t, false);
  if (v instanceof PgJson) return v.text;
  if (v instanceof PgJsonb) return v.toString();
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number' || typeof v === 'bigint' || v instanceof Numeric || v instanceof PgFloat) {
    const s = formatValue(v)!;
    return /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(s) ? s : escapeJson(s);
  }
  if (v instanceof PgDate || v instanceof PgTimestamp) return escapeJson(isoDateTime(v));
  return escapeJson(formatValue(v)!);
}

/** composite_to_json: a row as an object of its fields, in their order; `lineFeeds` (row_to_json's pretty) puts
 * a line break and a space after each comma */
export function compositeToJson(v: PgRecord, t: SqlType, lineFeeds: boolean): string {
  const fields = t.composite?.fields ?? [];
  return '{' + v.vals.map((x, i) => `${escapeJson(fields[i]?.name ?? `f${i + 1}`)}:${toJsonText(x, fields[i]?.type ?? T.text)}`).join(lineFeeds ? ',\n ' : ',') + '}';
}

/** datum_to_json's key_scalar: an object key's text (json_object_agg, jsonb_object_agg); arrays, rows and json are
 * refused, numbers and booleans are their text */
export function jsonKeyText(v: Exclude<Value, null>, t: SqlType): string {
  if (t.elem || t.name === 'record' || t.name === 'json' || t.name === 'jsonb') throw new PgError('22023', 'key value must be scalar, not array, composite, or json');
  const j = toJsonb(v, t);
  return typeof j === 'string' ? j : scalarText(j) ?? '';
}

function arrayToJson(a: PgArray, elem: SqlType): string {
  let k = 0;
  const dim = (d: number): string => {
    const parts: string[] = [];
    for (let i = 0; i < a.dims[d]!; i++) parts.push(d === a.ndim - 1 ? toJsonText(a.items[k++]!, elem) : dim(d + 1));
    return '[' + parts.join(',') + ']';
  };
  return a.ndim === 0 ? '[]' : dim(0);
}

/** datum_to_jsonb: a value as a jsonb tree */
export function toJsonb(v: Value, t: SqlType): JV {
  if (v === null) return JNULL;
  if (t.elem && v instanceof PgArray) {
    let k = 0;
    const elem = t.elem;
    const dim = (d: number): JV[] => {
      const out: JV[] = [];
      for (let i = 0; i < v.dims[d]!; i++) out.push(d === v.ndim - 1 ? toJsonb(v.items[k++]!, elem) : dim(d + 1));
      return out;
    };
    return v.ndim === 0 ? [] : dim(0);
  }
  if (v instanceof PgJsonb) return v.v;
  if (v instanceof PgJson) return fromNode(v.parse(), v.text);
  if (v instanceof PgRecord) {
    const fields = t.composite?.fields ?? [];
    return makeObject(v.vals.map((_, i) => fields[i]?.name ?? `f${i + 1}`), v.vals.map((x, i) => toJsonb(x, fields[i]?.type ?? T.text)));
  }
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return Numeric.fromInt(v);
  if (v instanceof Numeric) return v.special ? v.special : v; // NaN and the infinities are no JSON numbers: strings
  if (v instanceof PgFloat) {
    const s = formatValue(v)!;
    return /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(s) ? jsonNumber(s) : s;
  }
  if (v instanceof PgDate || v instanceof PgTimestamp) return isoDateTime(v);
  return formatValue(v)!;
}

// ------------------------------------------------------------------ casts

/** jsonb's casts to numbers and boolean (jsonb_numeric, jsonb_int4, jsonb_bool ...): a scalar of that kind only */
function jsonbToScalar(target: SqlType): ((v: Value) => Value) | null {
  const numeric = ['numeric', 'int2', 'int4', 'int8', 'float4', 'float8'].includes(target.name);
  if (!numeric && target.name !== 'bool') return null;
  return (v) => {
    const x = (v as PgJsonb).v;
    const kind = x === JNULL ? 'null' : typeof x === 'string' ? 'string' : typeof x === 'boolean' ? 'boolean' : x instanceof Numeric ? 'numeric' : Array.isArray(x) ? 'array' : 'object';
    const want = numeric ? 'numeric' : 'boolean';
    if (kind !== want) throw new PgError('22023', `cannot cast jsonb ${kind} to type ${typeDisplayName(target)}`);
    return x as Value;
  };
}

/**
 * Casts to and from json / jsonb other than text I/O: json ↔ jsonb, jsonb → numbers and boolean. Returns the
 * conversion of a non-null value, or null when there is none (the caller's 42846).
 */
export function jsonCast(from: SqlType, target: SqlType, explicit: boolean): { to: SqlType; fn: (v: Value) => Value } | null {
  if (from.name === 'json' && target.name === 'jsonb') return { to: target, fn: (v) => new PgJsonb(fromNode((v as PgJson).parse(), (v as PgJson).text)) };
  if (from.name === 'jsonb' && target.name === 'json') return { to: target, fn: (v) => new PgJson(String(v)) };
  if (from.name === 'jsonb' && explicit) {
    const g = jsonbToScalar(target);
    if (g) return { to: target.name === 'bool' ? T.bool : T.numeric, fn: g };
  }
  return null;
}
