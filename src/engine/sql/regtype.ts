/**
 * regtype (utils/adt/regproc.c regtypein / regtypeout, format_type.c): a type's name as format_type prints it —
 * 'int4'::regtype and 'integer'::regtype are both integer, 'varchar(10)'::regtype is character varying (no
 * typmod), 'text[]'::regtype is text[] — or its oid. A name that is no type is 42704. The simulator keeps no
 * pg_type: the oids of PostgreSQL 15's common built-in types are listed here (pg_type.dat), so 23::regtype is
 * integer and 'integer'::regtype::oid is 23; an oid not listed prints as the number (as regtypeout does for an
 * oid it does not find), and a type not listed has no oid to give (0A000).
 */
import { PgError, notSupported } from '../errors.js';
import { PG15_TYPES } from '../catalog/pg15names.js';

/** pg_type.dat: oids of the built-in types by format_type's name */
const TYPE_OIDS: Record<string, number> = {
  boolean: 16, bytea: 17, '"char"': 18, name: 19, bigint: 20, smallint: 21, int2vector: 22, integer: 23, regproc: 24, text: 25,
  oid: 26, tid: 27, xid: 28, cid: 29, oidvector: 30, json: 114, xml: 142, point: 600, cidr: 650, real: 700,
  'double precision': 701, unknown: 705, money: 790, macaddr: 829, inet: 869, character: 1042, 'character varying': 1043,
  date: 1082, 'time without time zone': 1083, 'timestamp without time zone': 1114, 'timestamp with time zone': 1184,
  interval: 1186, 'time with time zone': 1266, bit: 1560, 'bit varying': 1562, numeric: 1700, regprocedure: 2202,
  regclass: 2205, regtype: 2206, record: 2249, cstring: 2275, any: 2276, void: 2278, trigger: 2279, anyelement: 2283,
  refcursor: 1790, uuid: 2950, pg_lsn: 3220, jsonb: 3802, txid_snapshot: 2970, pg_snapshot: 5038, xid8: 5069,
  'boolean[]': 1000, 'bytea[]': 1001, 'name[]': 1003, 'smallint[]': 1005, 'integer[]': 1007, 'text[]': 1009,
  'character[]': 1014, 'character varying[]': 1015, 'bigint[]': 1016, 'real[]': 1021, 'double precision[]': 1022,
  'oid[]': 1028, 'timestamp without time zone[]': 1115, 'date[]': 1182, 'timestamp with time zone[]': 1185,
  'interval[]': 1187, 'numeric[]': 1231, 'bit[]': 1561, 'bit varying[]': 1563, 'json[]': 199, 'uuid[]': 2951, 'jsonb[]': 3807,
};
const BY_OID = new Map(Object.entries(TYPE_OIDS).map(([k, v]) => [v, k]));

/** the grammar's spellings of built-in types (gram.y): what parseTypeString makes of them */
const SQL_SPELLING: Record<string, string> = {
  char: 'bpchar', character: 'bpchar', 'character varying': 'varchar', 'char varying': 'varchar', dec: 'numeric',
  'timestamp without time zone': 'timestamp', 'timestamp with time zone': 'timestamptz', 'time without time zone': 'time',
  'time with time zone': 'timetz', 'bit varying': 'varbit', 'national character': 'bpchar', 'national character varying': 'varchar',
};

/** regtypeout of an oid: its type's name, '-' for 0, the number itself for an oid that is no (listed) type */
export function regtypeOfOid(oid: number): string {
  return oid === 0 ? '-' : BY_OID.get(oid) ?? String(oid);
}

/**
 * regtypein: a type name (as SQL writes it: int, double precision, varchar(10), text[], "char") or an oid.
 * `displayName`: format_type's name of a type name the simulator resolves (sql/types.ts), throwing when it is none.
 */
export function regtypeIn(s: string, displayName: (name: string) => string): string {
  let t = s.trim();
  if (t === '-') return '-';
  if (/^\d+$/.test(t)) return regtypeOfOid(Number(t));
  let dims = 0;
  while (/\[\s*\d*\s*\]$/.test(t)) { t = t.replace(/\s*\[\s*\d*\s*\]$/, ''); dims++; }
  t = t.replace(/\s*\(\s*[\d\s,]*\)/g, ''); // typmods: regtype has none
  let n: string;
  const quoted = /^"((?:[^"]|"")*)"$/.exec(t);
  if (quoted) n = quoted[1]!.replace(/""/g, '"');
  else {
    n = t.toLowerCase().replace(/\s+/g, ' ').replace(/^pg_catalog\./, '');
    n = SQL_SPELLING[n] ?? n;
  }
  let base: string;
  if (quoted && n === 'char') return '"char"' + (dims ? '[]' : '');
  try { base = displayName(n); } catch (e) {
    // a PostgreSQL 15 type the simulator does not model is still a type name
    if (e instanceof PgError && e.sqlstate === '0A000' && PG15_TYPES.has(n)) base = n;
    else if (e instanceof PgError) throw new PgError('42704', `type "${s.trim()}" does not exist`);
    else throw e;
  }
  return base + (dims ? '[]' : '');
}

/** regtype → oid: the listed built-in types only */
export function regtypeOid(name: string): number {
  if (name === '-') return 0;
  if (/^\d+$/.test(name)) return Number(name);
  const oid = TYPE_OIDS[name];
  if (oid === undefined) throw notSupported(`the oid of type ${name}`);
  return oid;
}

/**
 * A column type's pg_type oid and its typmod as pg_attribute.atttypmod stores it: varchar(n) / char(n) n + 4,
 * numeric(p,s) ((p << 16) | s) + 4, timestamp(p) p; -1 without one. The oid is null for a type not listed here.
 */
export function typeOidAndTypmod(displayName: string, name: string, typmod: number): { oid: number | null; typmod: number } {
  const oid = TYPE_OIDS[displayName] ?? null;
  if (typmod < 0) return { oid, typmod: -1 };
  switch (name) {
    case 'varchar': case 'bpchar': return { oid, typmod: typmod + 4 };
    case 'numeric': return { oid, typmod: typmod + 4 };
    default: return { oid, typmod };
  }
}

/** format_type(oid, typmod): the type's name with its typmod as SQL writes it (varchar's typmod is the length + 4). */
export function formatType(oid: number, typmod: number | null): string {
  const name = regtypeOfOid(oid);
  // bit with typmod -1 is not bit, which means bit(1): quoted so that it reads back without a typmod
  if (name === 'bit' && typmod !== null && typmod < 0) return '"bit"';
  if (typmod === null || typmod < 0) return name === '-' ? '-' : name;
  switch (name) {
    case 'character varying': case 'character': case 'bit': case 'bit varying':
      return typmod >= 4 || name.startsWith('bit') ? `${name}(${name.startsWith('bit') ? typmod : typmod - 4})` : name;
    case 'numeric': return typmod >= 4 ? `numeric(${(typmod - 4) >> 16},${(typmod - 4) & 0xffff})` : name;
    case 'timestamp without time zone': return `timestamp(${typmod}) without time zone`;
    case 'timestamp with time zone': return `timestamp(${typmod}) with time zone`;
    case 'time without time zone': return `time(${typmod}) without time zone`;
    case 'time with time zone': return `time(${typmod}) with time zone`;
    default: return name;
  }
}
