/**
 * The json and jsonb types (PostgreSQL's utils/adt/json.c, jsonb.c, jsonb_util.c).
 *
 * json is its input text, validated and kept as typed — spacing, key order, duplicate keys and all:
 *
 *     SELECT '{"b" : 1, "a": 2, "b": 3}'::json;    →  {"b" : 1, "a": 2, "b": 3}
 *
 * jsonb is a parsed value: object keys sorted shorter first, then bytewise (the order of its binary format), the
 * last of duplicate keys kept, numbers as numeric (1.50 keeps its scale), and printed with ", " and ": ":
 *
 *     SELECT '{"b" : 1, "a": 2, "b": 3}'::jsonb;   →  {"a": 2, "b": 3}
 *
 * Its btree order (compareJsonbContainers) is by kind — null < string < number < boolean < array < object —
 * arrays and objects by their number of elements first, then element by element (keys in storage order); a
 * top-level scalar is a one-element "raw scalar" array, which is why `[]` sorts before `null`.
 *
 * On disk (convertToJsonb, jsonbBytes here): a container header (count | JB_FOBJECT / JB_FARRAY | JB_FSCALAR), one
 * 4-byte JEntry per element (objects: all keys, then all values) holding its type and its length — every 32nd its
 * end offset instead — then the elements' data: strings as bytes, numerics as their varlena numeric datum
 * INTALIGNed, nested containers INTALIGNed; alignment counted from the datum's 4-byte varlena header, which the
 * heap tuple then shortens to 1 byte when the datum fits in 127.
 *
 * Simplifications: strings compare by UTF-16 code units (PostgreSQL: the database collation, here C); numbers
 * beyond numeric's short format (a weight or display scale that does not fit its 6 bits) are refused when stored.
 */
import { PgError, notSupported } from '../errors.js';
import { Numeric } from '../sql/numeric.js';
import { utf8Len, utf8Bytes } from '../sql/utf8.js';
import { parseJson, escapeJson, type JNode } from './jsonapi.js';

/** A jsonb value's tree: JSON null is JNULL (SQL NULL stays JS null outside). */
class JNull { readonly jsonNull = true; }
export const JNULL = new JNull();
export type JV = JNull | boolean | string | Numeric | JV[] | JObj;
/** an object: keys unique and in jsonb's order (length, then bytes), values beside them */
export class JObj {
  constructor(readonly keys: string[], readonly vals: JV[]) {}
  get(k: string): JV | undefined { const i = this.keys.indexOf(k); return i < 0 ? undefined : this.vals[i]; }
}

/** json: the text as typed. */
export class PgJson {
  constructor(readonly text: string) {}
  toString(): string { return this.text; }
  /** its tree, with strings de-escaped (for ->, ->>, json_typeof ...) */
  parse(): JNode { return parseJson(this.text, 'json', true); }
}

/** jsonb: a parsed value, printed by JsonbToCString. */
export class PgJsonb {
  constructor(readonly v: JV) {}
  toString(): string { return jsonbOut(this.v, false); }
  /** equal values share it (1 and 1.0 are equal numbers): numbers without their display scale */
  key(): string { return 'j' + canonical(this.v); }
}

function canonical(v: JV): string {
  if (v instanceof Numeric) { const t = v.toString(); return t.includes('.') ? t.replace(/\.?0+$/, '') : t; }
  if (Array.isArray(v)) return '[' + v.map(canonical).join(',') + ']';
  if (v instanceof JObj) return '{' + v.keys.map((k, i) => escapeJson(k) + ':' + canonical(v.vals[i]!)).join(',') + '}';
  return scalarOut(v);
}

/** json_in: validate and keep the text (escapes are checked, not decoded: \u0000 is accepted). */
export function jsonIn(s: string): PgJson {
  parseJson(s, 'json', false);
  return new PgJson(s);
}

/** jsonb_in: parse, normalise. */
export function jsonbIn(s: string): PgJsonb {
  return new PgJsonb(fromNode(parseJson(s, 'jsonb', true), s));
}

/** a JSON number's text as numeric (numeric_in) */
export function jsonNumber(text: string): Numeric {
  const n = Numeric.fromString(text);
  if (!n) throw new PgError('22P02', `invalid input syntax for type numeric: "${text}"`);
  return n;
}

/** A parsed node as a jsonb value (the text it came from gives numbers their digits). */
export function fromNode(n: JNode, src: string): JV {
  switch (n.t) {
    case 'null': return JNULL;
    case 'true': return true;
    case 'false': return false;
    case 'num': return jsonNumber(src.slice(n.s, n.e));
    case 'str': return n.str ?? '';
    case 'arr': return n.items.map((x) => fromNode(x, src));
    case 'obj': return makeObject(n.keys, n.vals.map((x) => fromNode(x, src)));
  }
}

/** jsonb's key order: shorter first, then bytewise (lengthCompareJsonbStringValue) */
export function keyCmp(a: string, b: string): number {
  const ab = utf8Len(a), bb = utf8Len(b);
  if (ab !== bb) return ab - bb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** uniqueifyJsonbObject: sort the pairs by key, the last of equal keys kept */
export function makeObject(keys: string[], vals: JV[]): JObj {
  const m = new Map<string, JV>();
  keys.forEach((k, i) => { m.delete(k); m.set(k, vals[i]!); });
  const ks = [...m.keys()].sort(keyCmp);
  return new JObj(ks, ks.map((k) => m.get(k)!));
}

export const isScalar = (v: JV) => !Array.isArray(v) && !(v instanceof JObj);

/** a scalar's text as ->> gives it: a string as itself, a number / boolean as printed, null as SQL NULL */
export function scalarText(v: JV): string | null {
  if (v === JNULL) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof Numeric) return v.toString();
  return jsonbOut(v, false);
}

function scalarOut(v: JV): string {
  if (v === JNULL) return 'null';
  if (typeof v === 'string') return escapeJson(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return (v as Numeric).toString();
}

/**
 * JsonbToCStringWorker: ", " and ": " between items; indented (jsonb_pretty), a newline and four spaces a level
 * before each item and closing bracket, "," alone between items. Mirrors the iterator walk token by token.
 */
export function jsonbOut(v: JV, indent: boolean): string {
  if (isScalar(v)) return scalarOut(v);
  let out = '';
  const sep = indent ? ',' : ', ';
  const nl = (use: boolean, level: number) => { if (use) out += '\n' + ' '.repeat(level * 4); };
  let first = true, useIndent = false, lastWasKey = false;
  const walk = (x: JV, level: number) => {
    // BEGIN_ARRAY / BEGIN_OBJECT
    if (!first) out += sep;
    nl(useIndent && !lastWasKey, level);
    const isArr = Array.isArray(x);
    out += isArr ? '[' : '{';
    first = true;
    useIndent = indent; lastWasKey = false;
    if (isArr) {
      for (const e of x) {
        if (!isScalar(e)) { walk(e, level + 1); continue; }
        if (!first) out += sep;
        first = false;
        nl(useIndent, level + 1);
        out += scalarOut(e);
        useIndent = indent; lastWasKey = false;
      }
    } else {
      const o = x as JObj;
      o.keys.forEach((k, i) => {
        if (!first) out += sep;
        first = true;
        nl(useIndent, level + 1);
        out += escapeJson(k) + ': ';
        const val = o.vals[i]!;
        if (isScalar(val)) { first = false; out += scalarOut(val); useIndent = indent; lastWasKey = false; } else {
          useIndent = indent; lastWasKey = true;
          // the nested container follows the key on its line: no separator, no indent
          first = true;
          walk(val, level + 1);
        }
      });
    }
    // END_ARRAY / END_OBJECT
    nl(useIndent, level);
    out += isArr ? ']' : '}';
    first = false;
    useIndent = indent; lastWasKey = false;
  };
  walk(v, 0);
  return out;
}

// ------------------------------------------------------------------ comparison, containment, existence

const kindOrder = (v: JV): number => {
  if (v === JNULL) return 0;
  if (typeof v === 'string') return 1;
  if (v instanceof Numeric) return 2;
  if (typeof v === 'boolean') return 3;
  return Array.isArray(v) ? 16 : 17;
};

function scalarCmp(a: JV, b: JV): number {
  if (a === JNULL) return 0;
  if (typeof a === 'string') { const bs = b as string; return a < bs ? -1 : a > bs ? 1 : 0; }
  if (a instanceof Numeric) return a.cmp(b as Numeric);
  return Number(a) - Number(b as boolean);
}

/** compareJsonbContainers, for two values at the top (a scalar is a raw-scalar array of one) */
export function jsonbCmp(a: JV, b: JV): number {
  const ra = isScalar(a), rb = isScalar(b);
  if (ra || rb) {
    if (ra && rb) return elemCmp(a, b);
    if (Array.isArray(ra ? b : a)) {
      // a raw scalar against a real array: rawScalar first, then the element counts (so [] < any scalar)
      const arr = (ra ? b : a) as JV[];
      let res = ra ? -1 : 1;
      if (arr.length !== 1) res = (ra ? 1 : arr.length) > (ra ? arr.length : 1) ? 1 : -1;
      return res;
    }
    return ra ? -1 : 1; // an object above any raw scalar (array < object)
  }
  return elemCmp(a, b);
}

function elemCmp(a: JV, b: JV): number {
  const ka = kindOrder(a), kb = kindOrder(b);
  if (ka !== kb) return ka > kb ? 1 : -1;
  if (ka < 16) return scalarCmp(a, b);
  if (Array.isArray(a)) {
    const bb = b as JV[];
    if (a.length !== bb.length) return a.length > bb.length ? 1 : -1;
    for (let i = 0; i < a.length; i++) { const c = elemCmp(a[i]!, bb[i]!); if (c) return c; }
    return 0;
  }
  const oa = a as JObj, ob = b as JObj;
  if (oa.keys.length !== ob.keys.length) return oa.keys.length > ob.keys.length ? 1 : -1;
  for (let i = 0; i < oa.keys.length; i++) {
    const ka2 = oa.keys[i]!, kb2 = ob.keys[i]!;
    if (ka2 !== kb2) return ka2 < kb2 ? -1 : 1;
    const c = elemCmp(oa.vals[i]!, ob.vals[i]!);
    if (c) return c;
  }
  return 0;
}

const scalarEq = (a: JV, b: JV) => kindOrder(a) === kindOrder(b) && kindOrder(a) < 16 && scalarCmp(a, b) === 0;

/** jsonb_contains (@>): the top levels must both be objects or both not, then JsonbDeepContains */
export function jsonbContains(val: JV, tmpl: JV): boolean {
  if ((val instanceof JObj) !== (tmpl instanceof JObj)) return false;
  return deepContains(val, tmpl, true);
}

function deepContains(val: JV, c: JV, top: boolean): boolean {
  const vRaw = top && isScalar(val), cRaw = top && isScalar(c);
  const vArr = Array.isArray(val) || vRaw, cArr = Array.isArray(c) || cRaw;
  if (val instanceof JObj && c instanceof JObj) {
    if (val.keys.length < c.keys.length) return false;
    for (let i = 0; i < c.keys.length; i++) {
      const lv = val.get(c.keys[i]!);
      if (lv === undefined) return false;
      const cv = c.vals[i]!;
      if (isScalar(lv) || isScalar(cv)) { if (!scalarEq(lv, cv)) return false; continue; }
      if (Array.isArray(lv) !== Array.isArray(cv)) return false;
      if (!deepContains(lv, cv, false)) return false;
    }
    return true;
  }
  if (vArr && cArr) {
    if (vRaw && !cRaw) return false;
    const ve = vRaw ? [val] : (val as JV[]), ce = cRaw ? [c] : (c as JV[]);
    for (const x of ce) {
      if (isScalar(x)) { if (!ve.some((y) => isScalar(y) && scalarEq(x, y))) return false; continue; }
      if (!ve.some((y) => !isScalar(y) && Array.isArray(y) === Array.isArray(x) && deepContains(y, x, false))) return false;
    }
    return true;
  }
  return false;
}

/** jsonb_exists (?): a key of the object, or a string element of the array (or the raw scalar string) */
export function jsonbExists(v: JV, key: string): boolean {
  if (v instanceof JObj) return v.keys.includes(key);
  if (Array.isArray(v)) return v.some((x) => x === key);
  return v === key;
}

// ------------------------------------------------------------------ on-disk format

const JENTRY_HAS_OFF = 0x80000000;
const JENTRY_ISNUMERIC = 0x10000000, JENTRY_ISBOOL_FALSE = 0x20000000, JENTRY_ISBOOL_TRUE = 0x30000000;
const JENTRY_ISNULL = 0x40000000, JENTRY_ISCONTAINER = 0x50000000;
const JB_FSCALAR = 0x10000000, JB_FOBJECT = 0x20000000, JB_FARRAY = 0x40000000;
const JB_OFFSET_STRIDE = 32;

const u32 = (out: number[], at: number, x: number) => {
  out[at] = x & 0xff; out[at + 1] = (x >>> 8) & 0xff; out[at + 2] = (x >>> 16) & 0xff; out[at + 3] = (x >>> 24) & 0xff;
};
const padInt = (out: number[]) => { let n = 0; while (out.length % 4) { out.push(0); n++; } return n; };

/**
 * A numeric datum as make_result builds it in the short format: a 4-byte varlena header, the 2-byte n_header
 * (NUMERIC_SHORT, sign, display scale, weight) and the base-10000 digits, leading and trailing zero digits stripped.
 */
export function numericDatum(n: Numeric): number[] {
  const neg = n.unscaled < 0n;
  const dscale = n.scale;
  const { digits, weight } = n.digits10000();
  if (dscale > 63 || weight > 63 || weight < -64) throw notSupported('storing a jsonb number beyond numeric\'s short format');
  const header = 0x8000 | (neg && digits.length ? 0x2000 : 0) | (dscale << 7) | (weight < 0 ? 0x40 : 0) | (weight & 0x3f);
  const out: number[] = [0, 0, 0, 0, header & 0xff, header >> 8];
  for (const d of digits) out.push(d & 0xff, d >> 8);
  u32(out, 0, out.length << 2);
  return out;
}

/** convertJsonbValue: append one value's data; returns its JEntry (without HAS_OFF) */
function convertValue(out: number[], v: JV, rawScalar: boolean): number {
  if (Array.isArray(v) || v instanceof JObj || rawScalar) {
    const base = out.length;
    padInt(out);
    if (v instanceof JObj) {
      const n = v.keys.length;
      const hdrAt = out.length;
      out.push(0, 0, 0, 0);
      u32(out, hdrAt, n | JB_FOBJECT);
      const jeAt = out.length;
      for (let i = 0; i < 2 * n; i++) out.push(0, 0, 0, 0);
      let total = 0;
      const items: JV[] = [...v.keys, ...v.vals];
      items.forEach((x, i) => {
        let meta = i < n ? convertScalarKey(out, x as string) : convertValue(out, x, false);
        total += meta & 0x0fffffff;
        if (i % JB_OFFSET_STRIDE === 0) meta = ((meta & 0x70000000) | total | JENTRY_HAS_OFF) >>> 0;
        u32(out, jeAt + 4 * i, meta);
      });
    } else {
      const items = rawScalar ? [v] : (v as JV[]);
      const hdrAt = out.length;
      out.push(0, 0, 0, 0);
      u32(out, hdrAt, items.length | JB_FARRAY | (rawScalar ? JB_FSCALAR : 0));
      const jeAt = out.length;
      for (let i = 0; i < items.length; i++) out.push(0, 0, 0, 0);
      let total = 0;
      items.forEach((x, i) => {
        let meta = convertValue(out, x, false);
        total += meta & 0x0fffffff;
        if (i % JB_OFFSET_STRIDE === 0) meta = ((meta & 0x70000000) | total | JENTRY_HAS_OFF) >>> 0;
        u32(out, jeAt + 4 * i, meta);
      });
    }
    return (JENTRY_ISCONTAINER | (out.length - base)) >>> 0;
  }
  if (v === JNULL) return JENTRY_ISNULL;
  if (typeof v === 'boolean') return v ? JENTRY_ISBOOL_TRUE : JENTRY_ISBOOL_FALSE;
  if (typeof v === 'string') return convertScalarKey(out, v);
  const pad = padInt(out);
  const d = numericDatum(v as Numeric);
  out.push(...d);
  return (JENTRY_ISNUMERIC | (pad + d.length)) >>> 0;
}
function convertScalarKey(out: number[], s: string): number {
  const b = utf8Bytes(s);
  out.push(...b);
  return b.length;
}

/** convertToJsonb: the datum's bytes with their 4-byte varlena header. */
export function jsonbBytes(v: JV): number[] {
  const out: number[] = [0, 0, 0, 0];
  convertValue(out, v, isScalar(v));
  u32(out, 0, out.length << 2);
  return out;
}
