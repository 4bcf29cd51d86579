/**
 * The json / jsonb functions of pg_proc (utils/adt/json.c, jsonb.c, jsonfuncs.c): building values
 * (json_build_object / _array, to_json), inspecting them (json_typeof, json_array_length), printing
 * (jsonb_pretty), editing (jsonb_set, jsonb_strip_nulls), and the set-returning ones read in FROM or the select
 * list (jsonb_array_elements[_text], jsonb_each[_text], jsonb_object_keys and their json twins).
 *
 * json_build_object prints " : " between key and value and ", " between pairs; to_json of an array has no
 * spaces ([1,2]); jsonb's builders print as any jsonb. The aggregates are sql/jsonagg.ts's. Simplifications: no
 * json_populate_record & co., no json_object(text[]).
 */
import { PgError, notSupported } from '../../errors.js';
import { type Value, type SqlType, T, PgArray, PgJson, PgJsonb } from '../types.js';
import { register, noSuchFunction, type FuncDef, type CallCtx } from './registry.js';
import type { PgRecord } from '../../adt/rowtypes.js';
import { castTo } from '../coerce.js';
import type { Compiled, Fn } from '../expr.js';
import { type JV, JObj, JNULL, isScalar, scalarText, jsonbOut, makeObject, fromNode } from '../../adt/jsonb.js';
import type { JNode } from '../../adt/jsonapi.js';
import { escapeJson } from '../../adt/jsonapi.js';
import { toJsonText, toJsonb, jsonbSet, jsonbStripNulls, compositeToJson } from '../jsonops.js';

const bad = (msg: string) => new PgError('22023', msg);
const argType = (a: Compiled): SqlType => (a.type.name === 'unknown' ? T.text : a.type);

function buildObject(jsonb: boolean, as: Compiled[], fname: string): Fn {
  if (as.length % 2 !== 0) {
    throw new PgError('22023', 'argument list must have even number of elements', { hint: `The arguments of ${fname}() must consist of alternating keys and values.` });
  }
  const fs = as.map((a) => a.fn), ts = as.map(argType);
  return (r) => {
    const keys: string[] = [], vals: Value[] = [];
    for (let i = 0; i < fs.length; i += 2) {
      const k = fs[i]!(r);
      if (k === null) {
        if (jsonb) throw new PgError('22004', `argument ${i + 1}: key must not be null`);
        throw new PgError('22004', `argument ${i + 1} cannot be null`, { hint: 'Object keys should be text.' });
      }
      keys.push(String(toJsonbKey(k, ts[i]!)));
      vals.push(fs[i + 1]!(r));
    }
    if (jsonb) return new PgJsonb(makeObject(keys, vals.map((v, i) => toJsonb(v, ts[2 * i + 1]!))));
    return new PgJson('{' + keys.map((k, i) => `${escapeJson(k)} : ${toJsonText(vals[i]!, ts[2 * i + 1]!)}`).join(', ') + '}');
  };
}
const toJsonbKey = (k: Value, t: SqlType) => { const j = toJsonb(k, t); return typeof j === 'string' ? j : scalarText(j) ?? ''; };

function buildArray(jsonb: boolean, as: Compiled[]): Fn {
  const fs = as.map((a) => a.fn), ts = as.map(argType);
  return (r) => {
    const vals = fs.map((f) => f(r));
    if (jsonb) return new PgJsonb(vals.map((v, i) => toJsonb(v, ts[i]!)));
    return new PgJson('[' + vals.map((v, i) => toJsonText(v, ts[i]!)).join(', ') + ']');
  };
}

const kindOf = (v: JV) => (v === JNULL ? 'null' : typeof v === 'string' ? 'string' : typeof v === 'boolean' ? 'boolean' : Array.isArray(v) ? 'array' : v instanceof JObj ? 'object' : 'number');
const nodeKind = (n: JNode) => ({ obj: 'object', arr: 'array', str: 'string', num: 'number', true: 'boolean', false: 'boolean', null: 'null' } as const)[n.t];
const jb = (v: Value) => (v as PgJsonb).v;
const jn = (v: Value) => v as PgJson;

/** a json node's text as typed, a json value of its own */
const sub = (j: PgJson, n: JNode) => new PgJson(j.text.slice(n.s, n.e));
const nodeText = (j: PgJson, n: JNode): Value => (n.t === 'null' ? null : n.t === 'str' ? n.str ?? '' : j.text.slice(n.s, n.e));

/** row_to_json(record [, pretty]): composite_to_json of a row value (a whole-row reference, ROW(...)) */
function rowToJson(as: Compiled[], c: CallCtx): Fn {
  const a = as[0]!;
  if (a.type.name !== 'record') throw noSuchFunction('row_to_json', as.map((x) => x.type), c.pos);
  const f = a.fn, t = a.type, pretty = as[1] ? castTo(as[1], T.bool, false, c.pos) : null;
  return (r) => {
    const v = f(r);
    if (v === null) return null;
    const p = pretty ? pretty.fn(r) : false;
    if (p === null) return null;
    return new PgJson(compositeToJson(v as PgRecord, t, p === true));
  };
}

/** array_to_json(anyarray [, pretty]): to_json of the array; pretty puts a line feed between its top-level elements */
function arrayToJson(as: Compiled[], c: CallCtx): Fn {
  const a = as[0]!;
  if (!a.type.elem) throw noSuchFunction('array_to_json', as.map((x) => x.type), c.pos);
  const f = a.fn, t = a.type, el = a.type.elem, pretty = as[1] ? castTo(as[1], T.bool, false, c.pos) : null;
  return (r) => {
    const v = f(r) as PgArray | null;
    if (v === null) return null;
    const p = pretty ? pretty.fn(r) : false;
    if (p === null) return null;
    if (p !== true || v.ndim <= 1) {
      if (p !== true || v.items.length === 0) return new PgJson(toJsonText(v, t));
      return new PgJson(`[${v.items.map((x) => (x === null ? 'null' : toJsonText(x, el))).join(',\n ')}]`);
    }
    throw notSupported('array_to_json(..., true) of a multidimensional array');
  };
}

const defs: FuncDef[] = [
  { name: 'array_to_json', args: ['any'], ret: T.json, build: (as, c) => arrayToJson(as, c) },
  { name: 'array_to_json', args: ['any', 'bool'], ret: T.json, build: (as, c) => arrayToJson(as, c) },
  { name: 'row_to_json', args: ['any'], ret: T.json, build: (as, c) => rowToJson(as, c) },
  { name: 'row_to_json', args: ['any', 'bool'], ret: T.json, build: (as, c) => rowToJson(as, c) },
  { name: 'to_json', args: ['any'], ret: T.json, build: ([a]) => { const f = a!.fn, t = argType(a!); return (r) => { const v = f(r); return v === null ? null : new PgJson(toJsonText(v, t)); }; } },
  { name: 'to_jsonb', args: ['any'], ret: T.jsonb, build: ([a]) => { const f = a!.fn, t = argType(a!); return (r) => { const v = f(r); return v === null ? null : new PgJsonb(toJsonb(v, t)); }; } },
  { name: 'json_build_object', args: [], variadic: 'any', ret: T.json, build: (as) => buildObject(false, as, 'json_build_object') },
  { name: 'jsonb_build_object', args: [], variadic: 'any', ret: T.jsonb, build: (as) => buildObject(true, as, 'jsonb_build_object') },
  { name: 'json_build_array', args: [], variadic: 'any', ret: T.json, build: (as) => buildArray(false, as) },
  { name: 'jsonb_build_array', args: [], variadic: 'any', ret: T.jsonb, build: (as) => buildArray(true, as) },
  { name: 'json_typeof', args: ['json'], ret: T.text, immutable: true, fn: (v: Value) => nodeKind(jn(v).parse()) },
  { name: 'jsonb_typeof', args: ['jsonb'], ret: T.text, immutable: true, fn: (v: Value) => kindOf(jb(v)) },
  {
    name: 'json_array_length', args: ['json'], ret: T.int4, immutable: true, fn: (v: Value) => {
      const n = jn(v).parse();
      if (n.t === 'arr') return n.items.length;
      throw bad(n.t === 'obj' ? 'cannot get array length of a non-array' : 'cannot get array length of a scalar');
    },
  },
  {
    name: 'jsonb_array_length', args: ['jsonb'], ret: T.int4, immutable: true, fn: (v: Value) => {
      const x = jb(v);
      if (Array.isArray(x)) return x.length;
      throw bad(x instanceof JObj ? 'cannot get array length of a non-array' : 'cannot get array length of a scalar');
    },
  },
  { name: 'jsonb_pretty', args: ['jsonb'], ret: T.text, immutable: true, fn: (v: Value) => jsonbOut(jb(v), true) },
  { name: 'jsonb_strip_nulls', args: ['jsonb'], ret: T.jsonb, immutable: true, fn: (v: Value) => new PgJsonb(jsonbStripNulls(jb(v))) },
  { name: 'jsonb_set', args: ['jsonb', '_text', 'jsonb'], ret: T.jsonb, immutable: true, fn: (v: Value, p: Value, n: Value) => new PgJsonb(jsonbSet(jb(v), p as PgArray, jb(n), true)) },
  { name: 'jsonb_set', args: ['jsonb', '_text', 'jsonb', 'bool'], ret: T.jsonb, immutable: true, fn: (v: Value, p: Value, n: Value, c: Value) => new PgJsonb(jsonbSet(jb(v), p as PgArray, jb(n), c === true)) },
  // set-returning
  {
    name: 'jsonb_array_elements', args: ['jsonb'], ret: T.jsonb,
    table: { columns: [['value', T.jsonb]], set: true, rows: ([v]) => jsonbElems(jb(v!)).map((x) => [new PgJsonb(x)]) },
  },
  {
    name: 'jsonb_array_elements_text', args: ['jsonb'], ret: T.text,
    table: { columns: [['value', T.text]], set: true, rows: ([v]) => jsonbElems(jb(v!)).map((x) => [scalarText(x)]) },
  },
  {
    name: 'json_array_elements', args: ['json'], ret: T.json,
    table: { columns: [['value', T.json]], set: true, rows: ([v]) => jsonElems(jn(v!), 'json_array_elements').map((n) => [sub(jn(v!), n)]) },
  },
  {
    name: 'json_array_elements_text', args: ['json'], ret: T.text,
    table: { columns: [['value', T.text]], set: true, rows: ([v]) => jsonElems(jn(v!), 'json_array_elements_text').map((n) => [nodeText(jn(v!), n)]) },
  },
  {
    name: 'jsonb_each', args: ['jsonb'], ret: T.text,
    table: { columns: [['key', T.text], ['value', T.jsonb]], set: true, rows: ([v]) => jsonbPairs(jb(v!), 'jsonb_each').map(([k, x]) => [k, new PgJsonb(x)]) },
  },
  {
    name: 'jsonb_each_text', args: ['jsonb'], ret: T.text,
    table: { columns: [['key', T.text], ['value', T.text]], set: true, rows: ([v]) => jsonbPairs(jb(v!), 'jsonb_each_text').map(([k, x]) => [k, scalarText(x)]) },
  },
  {
    name: 'json_each', args: ['json'], ret: T.text,
    table: { columns: [['key', T.text], ['value', T.json]], set: true, rows: ([v]) => jsonPairs(jn(v!)).map(([k, n]) => [k, sub(jn(v!), n)]) },
  },
  {
    name: 'json_each_text', args: ['json'], ret: T.text,
    table: { columns: [['key', T.text], ['value', T.text]], set: true, rows: ([v]) => jsonPairs(jn(v!)).map(([k, n]) => [k, nodeText(jn(v!), n)]) },
  },
  {
    name: 'jsonb_object_keys', args: ['jsonb'], ret: T.text,
    table: {
      columns: [['jsonb_object_keys', T.text]], set: true, rows: ([v]) => {
        const x = jb(v!);
        if (x instanceof JObj) return x.keys.map((k) => [k]);
        throw bad(`cannot call jsonb_object_keys on ${Array.isArray(x) ? 'an array' : 'a scalar'}`);
      },
    },
  },
  {
    name: 'json_object_keys', args: ['json'], ret: T.text,
    table: {
      columns: [['json_object_keys', T.text]], set: true, rows: ([v]) => {
        const n = jn(v!).parse();
        if (n.t === 'obj') return n.keys.map((k) => [k]);
        throw bad(`cannot call json_object_keys on ${n.t === 'arr' ? 'an array' : 'a scalar'}`);
      },
    },
  },
];

function jsonbElems(x: JV): JV[] {
  if (Array.isArray(x)) return x;
  throw bad(x instanceof JObj ? 'cannot extract elements from an object' : 'cannot extract elements from a scalar');
}
function jsonElems(j: PgJson, fname: string): JNode[] {
  const n = j.parse();
  if (n.t === 'arr') return n.items;
  throw bad(n.t === 'obj' ? `cannot call ${fname} on a non-array` : `cannot call ${fname} on a scalar`);
}
function jsonbPairs(x: JV, fname: string): [string, JV][] {
  if (x instanceof JObj) return x.keys.map((k, i) => [k, x.vals[i]!]);
  throw bad(`cannot call ${fname} on a non-object`);
}
function jsonPairs(j: PgJson): [string, JNode][] {
  const n = j.parse();
  if (n.t === 'obj') return n.keys.map((k, i) => [k, n.vals[i]!]);
  throw bad(n.t === 'arr' ? 'cannot deconstruct an array as an object' : 'cannot deconstruct a scalar');
}

void isScalar; void fromNode;
register(defs);
