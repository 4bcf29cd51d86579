/**
 * Arrays: the value, its text input and output, comparison, and its on-disk size.
 *
 * A PostgreSQL array is one varlena datum holding a rectangular, possibly multidimensional block of elements of
 * one type: ndim dimensions, each with a length and a lower bound (1 unless written otherwise, '[0:2]={5,6,7}'),
 * the elements in row-major order, and a null bitmap when any element is NULL. Here a PgArray keeps exactly that:
 * `items` (row-major, null for a NULL element), `dims` and `lbs`; an empty array has no dimensions.
 *
 * Text form (array_in / array_out): '{1,2,3}', '{{1,2},{3,4}}', '[2:3]={7,8}'. An element is double-quoted on
 * output when it is empty, is the word NULL (any case), or holds a brace, comma, quote, backslash or white space;
 * inside quotes " and \ are backslash-escaped. On input an unquoted NULL is a NULL element, white space around an
 * unquoted element is dropped, and a literal that is not well formed is 22P02 "malformed array literal" with a
 * DETAIL saying what was wrong.
 *
 * Order (btarraycmp): element by element (a NULL element sorts after every value, two NULLs are equal); when one
 * array is a prefix of the other, the one with fewer elements first; then fewer dimensions, then smaller
 * dimension lengths, then smaller lower bounds. Equality (array_eq) is the same test: '{1,2}' and '[0:1]={1,2}'
 * differ.
 *
 * On disk (construct_md_array's layout): a 4-byte length, ndim, dataoffset and element type oid (16 bytes), then
 * ndim lengths and ndim lower bounds (4 bytes each), the null bitmap if any element is NULL, padded to MAXALIGN;
 * then the non-null elements, each padded to its type's typalign (the last one too) — varlena elements (text, numeric) always with
 * a 4-byte header. heap_fill_tuple stores the whole array with a 1-byte header when it fits in 127 bytes — unless
 * the value is an expanded array (the result of array_append / array_prepend), which is flattened with 4 bytes.
 *
 * Mirrors: src/backend/utils/adt/arrayfuncs.c (array_in / ArrayCount / ReadArrayStr, array_out, array_cmp,
 * array_eq, construct_md_array), src/include/utils/array.h (ARR_OVERHEAD_*).
 * Simplifications: array_in's parser is a recursive descent that reports PostgreSQL's DETAIL for the usual
 * mistakes; nested empty sub-arrays ('{{},{}}') are refused with 0A000; arrays are never TOASTed or compressed.
 */
import { PgError, notSupported } from '../errors.js';

/**
 * An element value: the engine's Value (sql/types.ts) without PgArray itself — arrays of arrays are
 * multidimensional arrays. Typed loosely here because this module sits below sql/types.ts.
 */
type Elem = any;

/** MAXDIM: PostgreSQL's limit on the number of dimensions */
export const MAXDIM = 6;

export class PgArray {
  readonly dims: number[];
  readonly lbs: number[];
  /**
   * An expanded array (array_append / array_prepend build one, expandeddatum.h): heap_fill_tuple flattens it with
   * a 4-byte header, aligned, even when it would fit a 1-byte one.
   */
  expanded = false;
  /** stored in a heap tuple with a 4-byte header (it was expanded when written): its bytes on the page */
  stored4B = false;
  constructor(readonly items: Elem[], dims?: number[], lbs?: number[]) {
    this.dims = dims ?? (items.length ? [items.length] : []);
    this.lbs = lbs ?? this.dims.map(() => 1);
  }
  get ndim(): number { return this.dims.length; }
  toString(): string { return arrayOut(this); }
  key(): string {
    const k = (x: Elem) => (x === null ? '\u0000' : typeof x === 'object' && 'key' in x && typeof x.key === 'function' ? String(x.key()) : typeof x === 'boolean' ? (x ? 't' : 'f') : String(x));
    return `${this.dims.join(',')}|${this.lbs.join(',')}|${this.items.map((x) => JSON.stringify(k(x))).join(',')}`;
  }
}

/** An element's output text (the element type's output function). */
const elemOut = (v: Elem): string => (typeof v === 'boolean' ? (v ? 't' : 'f') : String(v));
/** array_isspace: the blanks array_in skips and array_out quotes */
const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';

/** array_out */
export function arrayOut(a: PgArray): string {
  if (a.ndim === 0) return '{}';
  const quoted = a.items.map((v) => {
    if (v === null) return 'NULL';
    const s = elemOut(v);
    let need = s === '' || s.toUpperCase() === 'NULL';
    for (let i = 0; !need && i < s.length; i++) { const c = s[i]!; if (c === '{' || c === '}' || c === ',' || c === '"' || c === '\\' || isSpace(c)) need = true; }
    return need ? `"${s.replace(/["\\]/g, '\\$&')}"` : s;
  });
  let k = 0;
  const level = (d: number): string => {
    const parts: string[] = [];
    for (let i = 0; i < a.dims[d]!; i++) parts.push(d === a.ndim - 1 ? quoted[k++]! : level(d + 1));
    return `{${parts.join(',')}}`;
  };
  const decorate = a.lbs.some((l) => l !== 1) ? a.dims.map((n, i) => `[${a.lbs[i]}:${a.lbs[i]! + n - 1}]`).join('') + '=' : '';
  return decorate + level(0);
}

/** array_in: the text form, each element read by the element type's input function. */
export function arrayIn(s: string, elemIn: (x: string) => Elem): PgArray {
  const malformed = (detail: string) => new PgError('22P02', `malformed array literal: "${s}"`, { detail });
  let p = 0;
  while (isSpace(s[p])) p++;
  let given: { dims: number[]; lbs: number[] } | null = null;
  if (s[p] === '[') {
    given = { dims: [], lbs: [] };
    while (s[p] === '[') {
      p++;
      const num = () => { const m = /^[+-]?\d+/.exec(s.slice(p)); if (!m) throw malformed('Missing array dimension value.'); p += m[0].length; return Number(m[0]); };
      let lb = 1, ub = num();
      if (s[p] === ':') { p++; lb = ub; ub = num(); }
      if (s[p] !== ']') throw malformed('Missing "]" after array dimensions.');
      p++;
      if (ub < lb) throw new PgError('2202E', 'upper bound cannot be less than lower bound');
      given.dims.push(ub - lb + 1); given.lbs.push(lb);
      if (given.dims.length > MAXDIM) throw new PgError('54000', `number of array dimensions (${given.dims.length}) exceeds the maximum allowed (${MAXDIM})`);
      while (isSpace(s[p])) p++;
    }
    if (s[p] !== '=') throw malformed('Missing "=" after array dimensions.');
    p++;
    while (isSpace(s[p])) p++;
    if (s[p] !== '{') throw malformed('Array contents must start with "{".');
  } else if (s[p] !== '{') throw malformed('Array value must start with "{" or dimension information.');

  const raw: { text: string; quoted: boolean }[] = [];
  const unexpected = (c: string) => malformed(`Unexpected "${c}" character.`);
  /** one {...} level: returns its shape (the lengths of this level and those below) */
  const level = (depth: number): number[] => {
    if (depth > MAXDIM) throw new PgError('54000', `number of array dimensions (${depth}) exceeds the maximum allowed (${MAXDIM})`);
    p++; // '{'
    while (isSpace(s[p])) p++;
    if (s[p] === '}') { p++; if (depth > 1) throw notSupported('empty sub-arrays in an array literal'); return []; }
    let count = 0, sub: number[] | null = null, scalars = false;
    for (;;) {
      while (isSpace(s[p])) p++;
      const c = s[p];
      if (c === undefined) throw malformed('Unexpected end of input.');
      if (c === '{') {
        if (scalars) throw unexpected('{');
        const shape = level(depth + 1);
        if (sub && (shape.length !== sub.length || shape.some((n, i) => n !== sub![i]))) throw malformed('Multidimensional arrays must have sub-arrays with matching dimensions.');
        sub = shape;
      } else if (c === '}' || c === ',') throw unexpected(c);
      else {
        if (sub) throw malformed('Unexpected array element.');
        scalars = true;
        raw.push(element());
      }
      count++;
      while (isSpace(s[p])) p++;
      const d = s[p];
      if (d === ',') { p++; continue; }
      if (d === '}') { p++; break; }
      if (d === undefined) throw malformed('Unexpected end of input.');
      if (d === '{' || d === '"') throw unexpected(d);
      throw malformed('Unexpected array element.');
    }
    return [count, ...(sub ?? [])];
  };
  /** one element: quoted, or unquoted up to a delimiter (trailing blanks dropped), backslash escapes in both */
  const element = (): { text: string; quoted: boolean } => {
    let out = '', quoted = false, keep = 0;
    if (s[p] === '"') {
      quoted = true; p++;
      for (;;) {
        const c = s[p];
        if (c === undefined) throw malformed('Unexpected end of input.');
        if (c === '\\') { p++; if (s[p] === undefined) throw malformed('Unexpected end of input.'); out += s[p++]; continue; }
        if (c === '"') { p++; break; }
        out += c; p++;
      }
      return { text: out, quoted };
    }
    for (;;) {
      const c = s[p];
      if (c === undefined || c === ',' || c === '}' || c === '{' || c === '"') break;
      if (c === '\\') { p++; if (s[p] === undefined) throw malformed('Unexpected end of input.'); out += s[p++]; keep = out.length; quoted = true; continue; }
      out += c; p++;
      if (!isSpace(c)) keep = out.length;
    }
    return { text: out.slice(0, keep), quoted };
  };
  const shape = level(1);
  while (isSpace(s[p])) p++;
  if (p < s.length) throw malformed('Junk after closing right brace.');
  if (given) {
    if (shape.length === 0 && given.dims.every((n) => n === 0)) return new PgArray([], [], []);
    if (shape.length !== given.dims.length || shape.some((n, i) => n !== given!.dims[i])) throw malformed('Specified array dimensions do not match array contents.');
  }
  const items = raw.map((r) => (!r.quoted && r.text.toUpperCase() === 'NULL' ? null : elemIn(r.text)));
  return new PgArray(items, shape, given?.lbs);
}

/** array_cmp (btarraycmp), with the element type's comparison */
export function arrayCmp(a: PgArray, b: PgArray, cmp: (x: Elem, y: Elem) => number): number {
  const n = Math.min(a.items.length, b.items.length);
  for (let i = 0; i < n; i++) {
    const x = a.items[i]!, y = b.items[i]!;
    if (x === null && y === null) continue;
    if (x === null) return 1;
    if (y === null) return -1;
    const c = cmp(x, y);
    if (c !== 0) return c < 0 ? -1 : 1;
  }
  if (a.items.length !== b.items.length) return a.items.length < b.items.length ? -1 : 1;
  if (a.ndim !== b.ndim) return a.ndim < b.ndim ? -1 : 1;
  for (let d = 0; d < a.ndim; d++) {
    if (a.dims[d] !== b.dims[d]) return a.dims[d]! < b.dims[d]! ? -1 : 1;
    if (a.lbs[d] !== b.lbs[d]) return a.lbs[d]! < b.lbs[d]! ? -1 : 1;
  }
  return 0;
}

const align = (n: number, a: number) => (n + a - 1) & ~(a - 1);
const MAXALIGN = (n: number) => align(n, 8);

/**
 * The array datum's size in memory (VARSIZE), given each element's stored size and alignment:
 * ARR_OVERHEAD_NONULLS / _WITHNULLS, then the aligned non-null elements.
 */
export function arrayDatumSize(a: PgArray, elemSize: (v: Elem) => number, elemAlign: number): number {
  const hasNull = a.items.some((v) => v === null);
  let off = a.ndim === 0 ? 16 : MAXALIGN(16 + 8 * a.ndim + (hasNull ? (a.items.length + 7) >> 3 : 0));
  for (const v of a.items) if (v !== null) off = align(off + elemSize(v), elemAlign); // each element padded (att_align_nominal)
  return off;
}
