/**
 * SQL types and values — the small subset of PostgreSQL's type system the engine models.
 *
 * A value is a plain JS value: int2/int4 → number; int8 → number while it is a safe integer (|v| < 2^53) and a
 * bigint beyond (always in that normal form, so === compares int8 values and Map keys stay consistent); bool →
 * boolean, text/varchar/bpchar → string, numeric → Numeric, NULL → null. System types (xid, cid, tid, pg_snapshot) are carried as number or as their
 * PostgreSQL text form. Output follows each type's output function (boolout prints t/f, numeric_out keeps the
 * display scale), so transcripts print exactly what psql/libpq would receive.
 *
 * Mirrors: src/backend/utils/adt/{int.c,int8.c,bool.c,varchar.c,numeric.c} input/output and range checks.
 * Integer arithmetic is exact, with PostgreSQL's overflow errors (int4pl, int8mul, ... in int.c / int8.c).
 * Simplifications: no dates, floats, arrays or composite types.
 */
import { PgError } from '../errors.js';
import { Numeric } from './numeric.js';
import { PG15_TYPES } from '../catalog/pg15names.js';

export type TypeName =
  | 'int2' | 'int4' | 'int8' | 'numeric' | 'text' | 'varchar' | 'bpchar' | 'bool'
  | 'xid' | 'xid8' | 'cid' | 'tid' | 'pg_snapshot' | 'txid_snapshot' | 'unknown';

export type Value = null | number | bigint | boolean | string | Numeric;

export interface SqlType { name: TypeName; typmod: number }

export const T = {
  int2: { name: 'int2', typmod: -1 } as SqlType,
  int4: { name: 'int4', typmod: -1 } as SqlType,
  int8: { name: 'int8', typmod: -1 } as SqlType,
  numeric: { name: 'numeric', typmod: -1 } as SqlType,
  text: { name: 'text', typmod: -1 } as SqlType,
  /** character without a length: what literals compared with character(n) become (no padding) */
  bpchar: { name: 'bpchar', typmod: -1 } as SqlType,
  bool: { name: 'bool', typmod: -1 } as SqlType,
  unknown: { name: 'unknown', typmod: -1 } as SqlType,
  xid: { name: 'xid', typmod: -1 } as SqlType,
  xid8: { name: 'xid8', typmod: -1 } as SqlType,
  cid: { name: 'cid', typmod: -1 } as SqlType,
  tid: { name: 'tid', typmod: -1 } as SqlType,
  pg_snapshot: { name: 'pg_snapshot', typmod: -1 } as SqlType,
  txid_snapshot: { name: 'txid_snapshot', typmod: -1 } as SqlType,
};

export const isIntegral = (t: SqlType) => t.name === 'int2' || t.name === 'int4' || t.name === 'int8';
export const isNumericLike = (t: SqlType) => isIntegral(t) || t.name === 'numeric';
export const isStringLike = (t: SqlType) => t.name === 'text' || t.name === 'varchar' || t.name === 'bpchar' || t.name === 'unknown';

/** The SQL-visible type names PostgreSQL uses in messages ("integer", "character varying", ...). */
export function typeDisplayName(t: SqlType): string {
  switch (t.name) {
    case 'int2': return 'smallint';
    case 'int4': return 'integer';
    case 'int8': return 'bigint';
    case 'bool': return 'boolean';
    case 'varchar': return t.typmod > 0 ? `character varying(${t.typmod})` : 'character varying';
    case 'bpchar': return t.typmod > 0 ? `character(${t.typmod})` : 'character';
    case 'numeric': return 'numeric';
    default: return t.name;
  }
}
/** Names used when an error message talks about input syntax ("invalid input syntax for type integer"). */
function inputTypeName(t: SqlType): string {
  if (t.name === 'varchar') return 'character varying';
  return typeDisplayName({ name: t.name, typmod: -1 });
}

/** Resolve a type name as written in SQL (after the parser's normalisation: pg_catalog.int4 etc.). */
export function resolveTypeName(names: string[], typmods: number[], position?: number): SqlType {
  const n = names[names.length - 1]!.toLowerCase();
  const mod = typmods[0] ?? -1;
  switch (n) {
    case 'int4': case 'integer': case 'int': return T.int4;
    case 'int2': case 'smallint': return T.int2;
    case 'int8': case 'bigint': return T.int8;
    case 'text': return T.text;
    case 'varchar': return { name: 'varchar', typmod: mod };
    case 'bpchar': return { name: 'bpchar', typmod: mod }; // char and character without a length come with typmod 1 from the parser
    case 'bool': case 'boolean': return T.bool;
    case 'numeric': case 'decimal': return { name: 'numeric', typmod: typmods.length ? encodeNumericTypmod(typmods[0]!, typmods[1] ?? 0) : -1 };
    case 'xid': return T.xid;
    case 'xid8': return T.xid8;
    case 'cid': return T.cid;
    case 'tid': return T.tid;
    case 'pg_snapshot': return T.pg_snapshot;
    case 'regclass': return T.text; // a relation name: nextval('t_id_seq'::regclass)
    case 'txid_snapshot': return T.txid_snapshot;
    default: {
      if (PG15_TYPES.has(n)) throw new PgError('0A000', `type ${TYPE_SPELLING[n] ?? n} is not supported by Heapscope`, position !== undefined ? { position } : {});
      throw new PgError('42704', `type "${n}" does not exist`, position !== undefined ? { position } : {});
    }
  }
}
/** format_type's spelling of the built-in types whose SQL name differs from their pg_type name */
const TYPE_SPELLING: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, {
  float4: 'real', float8: 'double precision', char: '"char"', time: 'time without time zone', timetz: 'time with time zone',
  timestamp: 'timestamp without time zone', timestamptz: 'timestamp with time zone', varbit: 'bit varying',
});
const encodeNumericTypmod = (p: number, s: number) => p * 65536 + s;

const INT_RANGE: Record<string, [bigint, bigint, string]> = {
  int2: [-32768n, 32767n, 'smallint out of range'],
  int4: [-2147483648n, 2147483647n, 'integer out of range'],
  int8: [-9223372036854775808n, 9223372036854775807n, 'bigint out of range'],
};
const SMALL_RANGE: Record<string, [number, number]> = { int2: [-32768, 32767], int4: [-2147483648, 2147483647] };

/** An int8 in normal form: a number when it is a safe integer, else the bigint. */
export const normInt8 = (b: bigint): number | bigint => (b >= -9007199254740991n && b <= 9007199254740991n ? Number(b) : b);

/**
 * The range check of a result or cast (22003): `n` is an exact integer — a number, or a bigint when it may lie
 * beyond 2^53. Returns the value in the type's normal form.
 */
export function checkIntRange(n: number | bigint, t: SqlType): number | bigint {
  if (typeof n === 'number') {
    const small = SMALL_RANGE[t.name];
    if (small) { if (n < small[0] || n > small[1]) throw new PgError('22003', INT_RANGE[t.name]![2]); return n; }
    if (t.name === 'int8' && !Number.isSafeInteger(n)) throw new Error(`inexact int8 value ${n}`);
    return n;
  }
  const r = INT_RANGE[t.name];
  if (!r) return n;
  if (n < r[0] || n > r[1]) throw new PgError('22003', r[2]);
  return t.name === 'int8' ? normInt8(n) : Number(n);
}

/** An integer literal's value and type, as make_const types it: int4 if it fits, else int8, else numeric. */
export function integerLiteral(s: string): { value: number | bigint; type: SqlType } | null {
  if (!/^[+-]?\d+$/.test(s)) return null;
  const b = BigInt(s);
  if (b >= -2147483648n && b <= 2147483647n) return { value: Number(b), type: T.int4 };
  if (b >= INT_RANGE.int8![0] && b <= INT_RANGE.int8![1]) return { value: normInt8(b), type: T.int8 };
  return null;
}

/** Text → value, as the type's input function does (int4in, boolin, numeric_in, ...). */
export function parseInput(s: string, t: SqlType): Value {
  switch (t.name) {
    case 'int2': case 'int4': case 'int8': {
      const m = /^\s*([+-]?\d+)\s*$/.exec(s);
      if (!m) throw new PgError('22P02', `invalid input syntax for type ${inputTypeName(t)}: "${s}"`);
      const n = BigInt(m[1]!);
      const r = INT_RANGE[t.name]!;
      if (n < r[0] || n > r[1]) throw new PgError('22003', `value "${s}" is out of range for type ${inputTypeName(t)}`);
      return t.name === 'int8' ? normInt8(n) : Number(n);
    }
    case 'numeric': {
      const v = Numeric.fromString(s);
      if (!v) throw new PgError('22P02', `invalid input syntax for type numeric: "${s}"`);
      return applyNumericTypmod(v, t);
    }
    case 'bool': {
      const v = s.trim().toLowerCase();
      if (['t', 'tr', 'tru', 'true', 'y', 'ye', 'yes', 'on', '1'].includes(v)) return true;
      if (['f', 'fa', 'fal', 'fals', 'false', 'n', 'no', 'of', 'off', '0'].includes(v)) return false;
      throw new PgError('22P02', `invalid input syntax for type boolean: "${s}"`);
    }
    case 'xid': case 'xid8': case 'cid': {
      const m = /^\s*(\d+)\s*$/.exec(s);
      if (!m) throw new PgError('22P02', `invalid input syntax for type ${t.name}: "${s}"`);
      return Number(m[1]);
    }
    case 'varchar': case 'bpchar': return applyStringTypmod(s, t, false);
    default: return s;
  }
}

export function applyNumericTypmod(v: Numeric, t: SqlType): Numeric {
  if (t.typmod < 0) return v;
  const precision = Math.floor(t.typmod / 65536), scale = t.typmod % 65536;
  const r = v.round(scale);
  const intDigits = (r.unscaled < 0n ? -r.unscaled : r.unscaled).toString().length - scale;
  if (r.unscaled !== 0n && intDigits > precision - scale) {
    throw new PgError('22003', 'numeric field overflow', {
      detail: `A field with precision ${precision}, scale ${scale} must round to an absolute value less than ${precision - scale > 0 ? '10^' + (precision - scale) : '1'}.`,
    });
  }
  return r;
}

export function applyStringTypmod(s: string, t: SqlType, explicit: boolean): string {
  if (t.typmod <= 0) return s;
  const chars = [...s];
  if (chars.length <= t.typmod) return t.name === 'bpchar' ? s + ' '.repeat(t.typmod - chars.length) : s;
  const rest = chars.slice(t.typmod).join('');
  if (explicit || /^ *$/.test(rest)) return chars.slice(0, t.typmod).join('');
  throw new PgError('22001', `value too long for type ${typeDisplayName(t)}`);
}

/** Value → text, as the type's output function does. */
export function formatValue(v: Value): string | null {
  if (v === null) return null;
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'string') return v;
  return v.toString();
}

export function toNumeric(v: number | bigint | Numeric): Numeric {
  return typeof v === 'number' || typeof v === 'bigint' ? Numeric.fromInt(v) : v;
}
