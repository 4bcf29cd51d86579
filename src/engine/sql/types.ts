/**
 * SQL types and values — the small subset of PostgreSQL's type system the engine models.
 *
 * A value is a plain JS value: int2/int4 → number; int8 → number while it is a safe integer (|v| < 2^53) and a
 * bigint beyond (always in that normal form, so === compares int8 values and Map keys stay consistent); bool →
 * boolean, text/varchar/bpchar → string, numeric → Numeric, NULL → null. System types (xid, cid, tid, pg_snapshot) are carried as number or as their
 * PostgreSQL text form. Output follows each type's output function (boolout prints t/f, numeric_out keeps the
 * display scale), so transcripts print exactly what psql/libpq would receive.
 *
 * double precision / real → PgFloat, date → PgDate, timestamp / timestamptz → PgTimestamp, interval → PgInterval
 * (src/engine/adt: their input and output functions), oid → number, regclass → RegClass (the oid and the name it
 * had when cast), regtype → its display name.
 *
 * Mirrors: src/backend/utils/adt/{int.c,int8.c,bool.c,varchar.c,numeric.c,float.c,date.c,timestamp.c,oid.c,
 * regproc.c} input/output and range checks. Integer arithmetic is exact, with PostgreSQL's overflow errors (int4pl,
 * int8mul, ... in int.c / int8.c).
 * Arrays (SqlType.elem; values PgArray, adt/arrayfuncs.ts) of every type here.
 * json → PgJson (its text), jsonb → PgJsonb (its parsed value): adt/jsonb.ts. A row value (record) → PgRecord
 * (adt/rowtypes.ts). bit(n) / bit varying(n) → PgBit (adt/varbit.ts; casts and operators sql/bitops.ts).
 * An enum value → PgEnum (adt/enum.ts); a domain's value is its base type's (SqlType.domain, adt/domains.ts).
 * A named row type (a composite type of CREATE TYPE ... AS (...), a table's) is a record type with its name (adt/rowtypes.ts).
 * time / timetz → PgTime / PgTimeTz (adt/time.ts).
 * Simplifications: TimeZone is UTC; virtual
 * time 0 is 2000-01-01 00:00:00+00 (see adt/timestamp.ts).
 */
import { regtypeIn } from './regtype.js';
import { PgError, notSupported } from '../errors.js';
import { Numeric } from './numeric.js';
import { PG15_TYPES, PG15_CATALOG_RELATIONS } from '../catalog/pg15names.js';
import { PgFloat, floatIn } from '../adt/float.js';
import { PgDate, PgTimestamp, PgInterval, dateTimeIn, intervalIn } from '../adt/datetime.js';
import { PgArray, arrayIn } from '../adt/arrayfuncs.js';
import { PgTime, PgTimeTz, timeIn, adjustTimeForTypmod } from '../adt/time.js';
import { PgJson, PgJsonb, jsonIn, jsonbIn } from '../adt/jsonb.js';
import { PgRecord, type RowField, recordType, rowTypeLookup, recordInFields } from '../adt/rowtypes.js';
import { PgBit, bitIn, applyBitTypmod, checkBitTypmod } from '../adt/varbit.js';
import { byteaIn, byteaOut, byteaCmp, hexEncode } from '../adt/bytea.js';
import { PgEnum, enumLookup, enumIn } from '../adt/enum.js';
import { domainLookup, domainSqlType } from '../adt/domains.js';

/**
 * How regclass input and output find relations: set by the executor for the statement it runs (the catalog is
 * the engine's; like the DateStyle global, this is the backend's state while the statement runs).
 */
export const regclassLookup: { byName(name: string): number | null; byOid(oid: number): string | null } = {
  byName: () => null, byOid: () => null,
};
/** A regclass value: the relation's oid and its name (regclassout prints the name, or the oid if there is none; InvalidOid: "-"). */
export class RegClass {
  constructor(readonly oid: number, readonly name: string | null) {}
  toString(): string { return this.oid === 0 ? '-' : this.name ?? String(this.oid); }
  cmp(o: RegClass): number { return this.oid - o.oid; }
  key(): string { return 'r' + this.oid; }
}

/**
 * How regproc / regprocedure input and output find functions (pg_proc): set with regclassLookup for each statement.
 * byName answers the oids of the functions of that name (a built-in only PostgreSQL 15 has: 'builtin'); bySignature
 * the oid of the one taking exactly those argument types; byOid its name, qualified when regprocin would not find
 * it uniquely, and its signature as format_procedure prints it.
 */
export const regprocLookup: {
  byName(schema: string | null, name: string): { oids: number[]; builtin: boolean };
  bySignature(schema: string | null, name: string, args: SqlType[]): number | null;
  byOid(oid: number): { name: string; signature: string } | null;
} = { byName: () => ({ oids: [], builtin: false }), bySignature: () => null, byOid: () => null };
/** A regproc or regprocedure value: the function's oid and its text (the name, or the signature; '-' for oid 0). */
export class RegProc {
  constructor(readonly oid: number, readonly text: string) {}
  toString(): string { return this.text; }
  cmp(o: RegProc): number { return this.oid - o.oid; }
  key(): string { return 'p' + this.oid; }
}

export type TypeName =
  | 'int2' | 'int4' | 'int8' | 'numeric' | 'text' | 'varchar' | 'bpchar' | 'bool' | 'name'
  | 'xid' | 'xid8' | 'cid' | 'tid' | 'pg_snapshot' | 'txid_snapshot' | 'unknown'
  | 'float4' | 'float8' | 'date' | 'timestamp' | 'timestamptz' | 'interval' | 'time' | 'timetz' | 'oid' | 'regclass' | 'regtype'
  | 'regproc' | 'regprocedure'
  | 'bytea' | 'pg_lsn' | '_text' | '_tid' | 'json' | 'jsonb'
  /** bit(n) and bit varying(n): PgBit values (adt/varbit.ts); typmod is the length n */
  | 'bit' | 'varbit'
  /** a row value (a whole-row reference, ROW(...)): SqlType.composite gives its fields (adt/rowtypes.ts) */
  | 'record'
  /** a value of an enum type (CREATE TYPE ... AS ENUM): SqlType.enumType names it (adt/enum.ts) */
  | 'enum'
  /** an array type: '_' and its element type's name (pg_type's _int4, _text ...); SqlType.elem is the element */
  | `_${string}`
  /** a NUL-terminated C string (typlen -2): what a B-tree index on a name column stores (name_ops' opckeytype) */
  | 'cstring'
  /** what pg_advisory_lock and pg_sleep return: printed as an empty string */
  | 'void'
  /** a cursor reference (PL/pgSQL cursor variables, functions returning a cursor): a portal's name, held as a string */
  | 'refcursor';

/**
 * bytea: bytes (adt/bytea.ts: byteain, byteaout as bytea_output says, byteacmp). A value may be opaque — a raw page
 * from pageinspect's get_raw_page(), which the engine keeps as the page's structure, with its length (8192) and a
 * function laying its bytes out where the engine can (image); where it cannot, reading the bytes is refused with
 * 0A000 and only the inspection functions read it.
 */
export class Bytea {
  private laid: Uint8Array | null = null;
  constructor(
    readonly bytes: Uint8Array | null,
    readonly opaque: { what: string; payload: unknown; length?: number; image?: () => Uint8Array | null } | null = null,
  ) {}
  /** the bytes (an opaque value's laid out once, or 0A000) */
  data(): Uint8Array {
    if (this.bytes) return this.bytes;
    if (!this.laid) this.laid = this.opaque?.image?.() ?? null;
    if (!this.laid) throw notSupported(`the bytes of ${this.opaque?.what ?? 'this bytea value'} (pass it to pageinspect's functions instead)`);
    return this.laid;
  }
  /** octet_length: known without laying an opaque value out */
  get length(): number { return this.bytes ? this.bytes.length : this.opaque?.length ?? this.data().length; }
  toString(): string { return byteaOut(this.data()); }
  key(): string { return 'y' + hexEncode(this.data()); }
  cmp(o: Bytea): number { return byteaCmp(this.data(), o.data()); }
}
export { PgArray, PgJson, PgJsonb, PgRecord, PgBit, PgEnum, PgTime, PgTimeTz };

export type Value = null | number | bigint | boolean | string | Numeric | PgFloat | PgDate | PgTimestamp | PgInterval | PgTime | PgTimeTz
  | RegClass | RegProc | Bytea
  | PgArray | PgJson | PgJsonb | PgRecord | PgBit | PgEnum;

export interface SqlType {
  name: TypeName; typmod: number;
  /** an array type's element type (int4 for integer[]); the array's typmod is its element's (varchar(5)[]) */
  elem?: SqlType;
  /** a row type's fields, and the name of the named row type it is — a table's or a composite type's (null: an
   *  anonymous record), with that type's pg_type oid when known */
  composite?: { fields: RowField[]; relName: string | null; typeOid?: number };
  /** an enum type's pg_type oid and name (its labels: the catalog's, adt/enum.ts enumLookup) */
  enumType?: { oid: number; name: string };
  /** a domain over this (base) type: its pg_type oid and name (adt/domains.ts); values are the base type's */
  domain?: { oid: number; name: string };
}
/** The array type of an element type (get_array_type): its name is '_' and the element's, its typmod the element's. */
export function arrayOf(elem: SqlType): SqlType {
  return { name: `_${elem.name}`, typmod: elem.typmod, elem };
}
export const isArray = (t: SqlType): t is SqlType & { elem: SqlType } => t.elem !== undefined;

export const T = {
  int2: { name: 'int2', typmod: -1 } as SqlType,
  int4: { name: 'int4', typmod: -1 } as SqlType,
  int8: { name: 'int8', typmod: -1 } as SqlType,
  numeric: { name: 'numeric', typmod: -1 } as SqlType,
  text: { name: 'text', typmod: -1 } as SqlType,
  /** character without a length: what literals compared with character(n) become (no padding) */
  bpchar: { name: 'bpchar', typmod: -1 } as SqlType,
  bool: { name: 'bool', typmod: -1 } as SqlType,
  /** name: an identifier, NAMEDATALEN - 1 = 63 bytes at most, stored in a fixed 64 bytes (namein truncates) */
  name: { name: 'name', typmod: -1 } as SqlType,
  refcursor: { name: 'refcursor', typmod: -1 } as SqlType,
  unknown: { name: 'unknown', typmod: -1 } as SqlType,
  xid: { name: 'xid', typmod: -1 } as SqlType,
  xid8: { name: 'xid8', typmod: -1 } as SqlType,
  cid: { name: 'cid', typmod: -1 } as SqlType,
  tid: { name: 'tid', typmod: -1 } as SqlType,
  pg_snapshot: { name: 'pg_snapshot', typmod: -1 } as SqlType,
  txid_snapshot: { name: 'txid_snapshot', typmod: -1 } as SqlType,
  float4: { name: 'float4', typmod: -1 } as SqlType,
  float8: { name: 'float8', typmod: -1 } as SqlType,
  date: { name: 'date', typmod: -1 } as SqlType,
  timestamp: { name: 'timestamp', typmod: -1 } as SqlType,
  timestamptz: { name: 'timestamptz', typmod: -1 } as SqlType,
  interval: { name: 'interval', typmod: -1 } as SqlType,
  time: { name: 'time', typmod: -1 } as SqlType,
  timetz: { name: 'timetz', typmod: -1 } as SqlType,
  oid: { name: 'oid', typmod: -1 } as SqlType,
  regclass: { name: 'regclass', typmod: -1 } as SqlType,
  regtype: { name: 'regtype', typmod: -1 } as SqlType,
  regproc: { name: 'regproc', typmod: -1 } as SqlType,
  regprocedure: { name: 'regprocedure', typmod: -1 } as SqlType,
  bytea: { name: 'bytea', typmod: -1 } as SqlType,
  pg_lsn: { name: 'pg_lsn', typmod: -1 } as SqlType,
  text_array: { name: '_text', typmod: -1, elem: { name: 'text', typmod: -1 } } as SqlType,
  tid_array: { name: '_tid', typmod: -1, elem: { name: 'tid', typmod: -1 } } as SqlType,
  void: { name: 'void', typmod: -1 } as SqlType,
  json: { name: 'json', typmod: -1 } as SqlType,
  jsonb: { name: 'jsonb', typmod: -1 } as SqlType,
};

export const isFloat = (t: SqlType) => t.name === 'float8' || t.name === 'float4';
export const isDateTime = (t: SqlType) => t.name === 'date' || t.name === 'timestamp' || t.name === 'timestamptz';
export const isTimeOfDay = (t: SqlType) => t.name === 'time' || t.name === 'timetz';

export const isIntegral = (t: SqlType) => t.name === 'int2' || t.name === 'int4' || t.name === 'int8';
export const isNumericLike = (t: SqlType) => isIntegral(t) || t.name === 'numeric';
/** the string category (typcategory 'S'): text, character varying, character, name — and an untyped literal */
export const isStringLike = (t: SqlType) => t.name === 'text' || t.name === 'varchar' || t.name === 'bpchar' || t.name === 'name' || t.name === 'unknown';

/** The SQL-visible type names PostgreSQL uses in messages ("integer", "character varying", ...). */
export function typeDisplayName(t: SqlType): string {
  if (t.domain) return t.domain.name;
  if (t.elem) return `${typeDisplayName(t.elem)}[]`;
  switch (t.name) {
    case 'int2': return 'smallint';
    case 'int4': return 'integer';
    case 'int8': return 'bigint';
    case 'bool': return 'boolean';
    case 'varchar': return t.typmod > 0 ? `character varying(${t.typmod})` : 'character varying';
    case 'bpchar': return t.typmod > 0 ? `character(${t.typmod})` : 'character';
    case 'numeric': return 'numeric';
    case 'float8': return 'double precision';
    case 'float4': return 'real';
    case 'timestamp': return t.typmod >= 0 ? `timestamp(${t.typmod}) without time zone` : 'timestamp without time zone';
    case 'timestamptz': return t.typmod >= 0 ? `timestamp(${t.typmod}) with time zone` : 'timestamp with time zone';
    case 'time': return t.typmod >= 0 ? `time(${t.typmod}) without time zone` : 'time without time zone';
    case 'timetz': return t.typmod >= 0 ? `time(${t.typmod}) with time zone` : 'time with time zone';
    case 'record': return t.composite?.relName ?? 'record';
    case 'bit': return t.typmod > 0 ? `bit(${t.typmod})` : 'bit';
    case 'varbit': return t.typmod > 0 ? `bit varying(${t.typmod})` : 'bit varying';
    case 'enum': return t.enumType!.name;
    default: return t.name;
  }
}
/** Names used when an error message talks about input syntax ("invalid input syntax for type integer"). */
function inputTypeName(t: SqlType): string {
  if (t.name === 'varchar') return 'character varying';
  if (t.name === 'timestamp') return 'timestamp';
  return typeDisplayName({ name: t.name, typmod: -1 });
}

/** Resolve a type name as written in SQL (after the parser's normalisation: pg_catalog.int4 etc.). */
export function resolveTypeName(names: string[], typmods: number[], position?: number, arrayBounds?: unknown[]): SqlType {
  // int[], integer[3][3] (the bounds are documentation only), _int4: the element type's array type
  if (arrayBounds?.length) return arrayOf(resolveTypeName(names, typmods, position));
  const n = names[names.length - 1]!.toLowerCase();
  if (n.length > 1 && n.startsWith('_') && !n.startsWith('__') && (PG15_TYPES.has(n.slice(1)) || PG15_TYPES.has(n))) {
    return arrayOf(resolveTypeName([n.slice(1)], typmods, position)); // pg_type's own name of an array type
  }
  const mod = typmods[0] ?? -1;
  switch (n) {
    case 'int4': case 'integer': case 'int': return T.int4;
    case 'int2': case 'smallint': return T.int2;
    case 'int8': case 'bigint': return T.int8;
    case 'text': return T.text;
    case 'name': return T.name;
    case 'refcursor': return T.refcursor;
    case 'varchar': return { name: 'varchar', typmod: mod };
    case 'bpchar': return { name: 'bpchar', typmod: mod }; // char and character without a length come with typmod 1 from the parser
    case 'bool': case 'boolean': return T.bool;
    case 'numeric': case 'decimal': return { name: 'numeric', typmod: typmods.length ? encodeNumericTypmod(typmods[0]!, typmods[1] ?? 0) : -1 };
    case 'xid': return T.xid;
    case 'xid8': return T.xid8;
    case 'cid': return T.cid;
    case 'tid': return T.tid;
    case 'pg_snapshot': return T.pg_snapshot;
    case 'regclass': return T.regclass;
    case 'regtype': return T.regtype;
    case 'regproc': return T.regproc;
    case 'regprocedure': return T.regprocedure;
    case 'oid': return T.oid;
    case 'float8': case 'double precision': return T.float8;
    case 'float4': case 'real': return T.float4;
    case 'float': return mod >= 1 && mod <= 24 ? T.float4 : T.float8;
    case 'date': return T.date;
    case 'timestamp': case 'timestamptz': {
      if (!typmods.length) return n === 'timestamp' ? T.timestamp : T.timestamptz;
      // timestamp(p): fractional seconds rounded to p digits (AdjustTimestampForTypmod); p above 6 is 6
      const p = typmods[0]!;
      if (p < 0) throw new PgError('22023', `TIMESTAMP(${p})${n === 'timestamptz' ? ' WITH TIME ZONE' : ''} precision must not be negative`, position !== undefined ? { position } : {});
      return { name: n, typmod: Math.min(p, 6) };
    }
    case 'time': case 'timetz': {
      // time(p): fractional seconds rounded to p digits (AdjustTimeForTypmod); p above 6 is 6 (the grammar refuses a negative p)
      if (!typmods.length) return n === 'time' ? T.time : T.timetz;
      const p = typmods[0]!;
      if (p < 0) throw new PgError('22023', `TIME(${p})${n === 'timetz' ? ' WITH TIME ZONE' : ''} precision must not be negative`, position !== undefined ? { position } : {});
      return { name: n, typmod: Math.min(p, 6) };
    }
    case 'interval':
      if (typmods.length) throw notSupported('interval fields and precision (interval(p), interval day to second)', position);
      return T.interval;
    case 'txid_snapshot': return T.txid_snapshot;
    case 'pg_lsn': return T.pg_lsn;
    case 'bytea': return T.bytea;
    case 'json': return T.json;
    case 'jsonb': return T.jsonb;
    // bit without a length is bit(1): the grammar gives it the typmod (BitWithoutLength)
    case 'bit': case 'varbit': return { name: n, typmod: typmods.length ? checkBitTypmod(mod, n === 'varbit', position) : -1 };
    default: {
      const e = enumLookup.byName(n);
      if (e) return { name: 'enum', typmod: -1, enumType: { oid: e.oid, name: e.name } };
      const d = domainLookup.byName(n);
      if (d) return domainSqlType(d);
      const rt = rowTypeLookup.byName(n);
      if (rt) return recordType(rt.fields, rt.name, rt.typeOid);
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
  if (t.elem) { const e = t.elem; return arrayIn(s, (x) => parseInput(x, e) as Exclude<Value, PgArray>); }
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
      const v = Numeric.parse(s); // NaN, Infinity, -Infinity too (PostgreSQL 14+)
      if (!v) throw new PgError('22P02', `invalid input syntax for type numeric: "${s}"`);
      return applyNumericTypmod(v, t);
    }
    case 'bool': {
      const v = s.trim().toLowerCase();
      if (['t', 'tr', 'tru', 'true', 'y', 'ye', 'yes', 'on', '1'].includes(v)) return true;
      if (['f', 'fa', 'fal', 'fals', 'false', 'n', 'no', 'of', 'off', '0'].includes(v)) return false;
      throw new PgError('22P02', `invalid input syntax for type boolean: "${s}"`);
    }
    case 'xid': case 'cid': return strtoul32(s); // PostgreSQL 15's xidin / cidin check nothing: strtoul(str, NULL, 0)
    case 'varchar': case 'bpchar': case 'name': return applyStringTypmod(s, t, false);
    case 'refcursor': return s; // textin
    case 'float8': return floatIn(s, false);
    case 'float4': return floatIn(s, true);
    case 'date': return new PgDate(dateTimeIn(s, 'date'));
    case 'timestamp': return new PgTimestamp(roundTimestamp(dateTimeIn(s, 'timestamp'), t.typmod), false);
    case 'timestamptz': return new PgTimestamp(roundTimestamp(dateTimeIn(s, 'timestamptz'), t.typmod), true);
    case 'interval': return intervalIn(s);
    case 'time': return new PgTime(adjustTimeForTypmod(timeIn(s, false).us, t.typmod));
    case 'timetz': { const v = timeIn(s, true); return new PgTimeTz(adjustTimeForTypmod(v.us, t.typmod), v.zone); }
    case 'oid': {
      // oidin: strtoul's range, a negative value wraps (-1 is 4294967295)
      const m = /^\s*([+-]?\d+)\s*$/.exec(s);
      if (!m) throw new PgError('22P02', `invalid input syntax for type oid: "${s}"`);
      const n = BigInt(m[1]!);
      if (n > 4294967295n || n < -2147483648n) throw new PgError('22003', `value "${s}" is out of range for type oid`);
      return Number(n < 0n ? n + 4294967296n : n);
    }
    case 'regclass': {
      // regclassin: a number is an oid as it is; a name must be a relation (42P01)
      const t0 = s.trim();
      if (/^\d+$/.test(t0)) return new RegClass(Number(t0), regclassLookup.byOid(Number(t0)));
      const name = t0.startsWith('"') && t0.endsWith('"') ? t0.slice(1, -1).replace(/""/g, '"') : t0.toLowerCase();
      const bare = name.replace(/^(pg_catalog|public)\./, '');
      const oid = regclassLookup.byName(bare);
      if (oid === null && PG15_CATALOG_RELATIONS.has(bare)) throw notSupported(`the system catalog ${bare} as a regclass`);
      if (oid === null) throw new PgError('42P01', `relation "${name}" does not exist`);
      return new RegClass(oid, regclassLookup.byOid(oid) ?? bare); // regclassout's name: qualified when not visible
    }
    case 'regproc': case 'regprocedure': return regprocIn(s, t.name === 'regprocedure');
    case 'regtype': return regtypeIn(s, (n) => typeDisplayName({ ...resolveTypeName([n], []), typmod: -1 })); // sql/regtype.ts
    case 'xid8': { const m = /^\s*(\d+)/.exec(s); return m ? Number(m[1]) : 0; } // xid8in reads what strtoull reads, 0 for none
    case 'pg_lsn': {
      // pg_lsn_in: two hex numbers of at most 8 digits around a slash; printed as %X/%X
      const m = /^([0-9a-fA-F]{1,8})\/([0-9a-fA-F]{1,8})$/.exec(s);
      if (!m) throw new PgError('22P02', `invalid input syntax for type pg_lsn: "${s}"`);
      return `${parseInt(m[1]!, 16).toString(16).toUpperCase()}/${parseInt(m[2]!, 16).toString(16).toUpperCase()}`;
    }
    case 'json': return jsonIn(s);
    case 'jsonb': return jsonbIn(s);
    case 'enum': return enumIn(s, t.enumType!.oid);
    case 'record': {
      // record_in: a named row type's fields, each through its own input function
      const fields = t.composite?.relName ? t.composite.fields : null;
      if (!fields) throw new PgError('0A000', 'input of anonymous composite types is not implemented');
      const texts = recordInFields(s, fields.length);
      return new PgRecord(texts.map((x, i) => (x === null ? null : parseInput(x, fields[i]!.type))));
    }
    case 'bytea': return new Bytea(byteaIn(s));
    case 'bit': case 'varbit': return applyBitTypmod(bitIn(s), t.typmod, t.name === 'varbit', false); // bit_in / varbit_in with the typmod
    default: return s;
  }
}

/** AdjustTimestampForTypmod: round to p fractional digits (half away from zero). */
export function roundTimestamp(us: number, typmod: number): number {
  if (typmod < 0 || typmod >= 6 || !Number.isFinite(us)) return us;
  const q = 10 ** (6 - typmod);
  return us >= 0 ? Math.floor((us + q / 2) / q) * q : -Math.floor((-us + q / 2) / q) * q;
}

export function applyNumericTypmod(v: Numeric, t: SqlType): Numeric {
  if (t.typmod < 0) return v;
  const precision = Math.floor(t.typmod / 65536), scale = t.typmod % 65536;
  // apply_typmod_special: NaN fits any numeric(p,s), an infinity none
  if (v.isNaN()) return v;
  if (v.isInf()) {
    throw new PgError('22003', 'numeric field overflow', { detail: `A field with precision ${precision}, scale ${scale} cannot hold an infinite value.` });
  }
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
  if (t.name === 'name') return truncateName(s); // namein, text_name, bpchar_name: silently cut to 63 bytes
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

/**
 * The key equal values share when grouped or deduplicated (GROUP BY, DISTINCT, count(DISTINCT)): the equality
 * operator's notion, not the output text — 0 and -0 are one float, '1 day' and '24 hours' one interval, and a
 * date's key does not depend on DateStyle.
 */
export function groupKey(v: Value): string | null {
  if (v !== null && typeof v === 'object' && 'key' in v) return v.key();
  return formatValue(v);
}

export function toNumeric(v: number | bigint | Numeric): Numeric {
  return typeof v === 'number' || typeof v === 'bigint' ? Numeric.fromInt(v) : v;
}

/**
 * C's strtoul(s, NULL, 0) on a 64-bit unsigned long, cast to a 32-bit TransactionId / CommandId, as PostgreSQL 15's
 * xidin and cidin do without any check: leading white space, an optional sign (a minus negates modulo 2^64), 0x for
 * hex, a leading 0 for octal; digits are read as far as they go and the rest ignored ('abc' is 0); overflow gives
 * ULONG_MAX.
 */
export function strtoul32(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?)(.*)$/s.exec(s)!;
  let rest = m[2]!, base = 10;
  if (/^0[xX][0-9a-fA-F]/.test(rest)) { base = 16; rest = rest.slice(2); } else if (rest.startsWith('0')) base = 8;
  const digits = (base === 16 ? /^[0-9a-fA-F]*/ : base === 8 ? /^[0-7]*/ : /^[0-9]*/).exec(rest)![0];
  let v = 0n;
  const max = (1n << 64n) - 1n;
  for (const d of digits) { v = v * BigInt(base) + BigInt(parseInt(d, 16)); if (v > max) { v = max; break; } }
  if (v === max) return 0xffffffff;
  if (m[1] === '-') v = ((1n << 64n) - v) & max;
  return Number(v & 0xffffffffn);
}

/** NAMEDATALEN: a name's storage, its terminating NUL included (pg_config_manual.h) */
export const NAMEDATALEN = 64;
/**
 * namein / text_name: a name longer than NAMEDATALEN - 1 bytes is cut, silently, at the last whole character that
 * fits in 63 bytes of UTF-8 (pg_mbcliplen).
 */
export function truncateName(s: string): string {
  if (s.length < NAMEDATALEN / 4) return s; // at most 4 bytes a character: it fits
  let bytes = 0, end = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    const n = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    if (bytes + n > NAMEDATALEN - 1) return s.slice(0, end);
    bytes += n; end += ch.length;
  }
  return s;
}

/** An oid as regprocout / regprocedureout print it: '-' for 0, the name (or signature), the number when no function has it. */
export function regprocOf(oid: number, signature: boolean): RegProc {
  if (oid === 0) return new RegProc(0, '-');
  const f = regprocLookup.byOid(oid);
  return new RegProc(oid, f ? (signature ? f.signature : f.name) : String(oid));
}

/**
 * regprocin / regprocedurein: a number is an oid as it is, '-' is 0; otherwise a possibly qualified name
 * (stringToQualifiedNameList: unquoted parts folded to lower case), which must name exactly one function
 * (42883 'function "x" does not exist', 42725 'more than one function named "x"'); regprocedure's text carries the
 * argument types, 'f(integer, text)', and names the function taking exactly those.
 */
function regprocIn(s: string, signature: boolean): RegProc {
  if (s === '-') return new RegProc(0, '-');
  if (/^\s*\d+\s*$/.test(s)) return regprocOf(Number(s), signature);
  let text = s, argText: string | null = null;
  if (signature) {
    const open = s.indexOf('(');
    if (open < 0 || !s.trimEnd().endsWith(')')) throw new PgError('22P02', 'expected a left parenthesis');
    text = s.slice(0, open); argText = s.trimEnd().slice(open + 1, -1);
  }
  const parts = qualifiedNameList(text.trim());
  if (parts.length > 2) throw notSupported('a function name qualified with a database (db.schema.function)');
  const name = parts[parts.length - 1]!, schema = parts.length === 2 ? parts[0]! : null;
  if (schema !== null && schema !== 'public' && schema !== 'pg_catalog' && schema !== 'pg_temp') throw notSupported(`functions of the schema ${schema} as a regproc`);
  if (argText !== null) {
    const args = argText.trim() === '' ? [] : argText.split(',').map((a) => resolveTypeName([a.trim().toLowerCase().replace(/\s+/g, ' ')], []));
    const oid = regprocLookup.bySignature(schema, name, args);
    if (oid === null) {
      if (regprocLookup.byName(schema, name).builtin) throw notSupported(`the built-in function ${name} as a regprocedure (its oid is not modelled)`);
      throw new PgError('42883', `function "${s}" does not exist`);
    }
    return regprocOf(oid, true);
  }
  const found = regprocLookup.byName(schema, name);
  const n = found.oids.length + (found.builtin ? 1 : 0);
  if (n === 0) throw new PgError('42883', `function "${s}" does not exist`);
  if (n > 1) throw new PgError('42725', `more than one function named "${s}"`);
  if (found.builtin) throw notSupported(`the built-in function ${name} as a regproc (its oid is not modelled)`);
  return regprocOf(found.oids[0]!, false);
}

/** stringToQualifiedNameList / SplitIdentifierString: dot-separated identifiers, "quoted" ones kept as written. */
function qualifiedNameList(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  const bad = () => new PgError('22P02', 'invalid name syntax');
  for (;;) {
    while (s[i] === ' ') i++;
    if (s[i] === '"') {
      let id = '';
      for (i++; ; i++) {
        if (i >= s.length) throw bad();
        if (s[i] === '"') { if (s[i + 1] === '"') { id += '"'; i++; continue; } i++; break; }
        id += s[i];
      }
      out.push(id);
    } else {
      const m = /^[^ ."]+/.exec(s.slice(i));
      if (!m) throw bad();
      out.push(m[0].toLowerCase()); i += m[0].length;
    }
    while (s[i] === ' ') i++;
    if (i >= s.length) break;
    if (s[i] !== '.') throw bad();
    i++;
  }
  return out;
}
