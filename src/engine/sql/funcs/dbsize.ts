/**
 * Sizes of relations on disk, age(xid), and pg_get_serial_sequence (the sequence a column owns).
 *
 *     pg_relation_size('t')        the main fork: 8192 × blocks (or 'fsm', 'vm': the maps beside it)
 *     pg_table_size('t')           main + free space map + visibility map + the TOAST table and its index
 *     pg_indexes_size('t')         every index of the table
 *     pg_total_relation_size('t')  both
 *     pg_size_pretty(65536)        '64 kB' (units of 1024, rounded half up, switching below 10 × the next unit)
 *     pg_size_bytes('1.5 GB')      1610612736 (its inverse: bytes, kB … PB in any case, rounded half away from zero)
 *     age(relfrozenxid)            transactions since that xid (the current one if it has an xid, else the next)
 *     pg_get_serial_sequence('t', 'id')   'public.t_id_seq' for a serial / identity column, NULL for another
 *
 * A fresh table has no FSM or VM fork: an INSERT that finds a page full records it in the FSM (3 pages for a
 * small table), the first VACUUM creates the VM (1 page). A table with an unbounded varlena column has a TOAST
 * table whose empty index takes one page.
 *
 * Mirrors: src/backend/utils/adt/dbsize.c (pg_relation_size, calculate_table_size, calculate_indexes_size,
 * pg_size_pretty, pg_size_bytes), xid.c (xid_age). A B-tree's size is its pages as nbtree would have laid them out (index/nbtlayout.ts);
 * where that layout is not modelled (posting lists, page deletion, a big index...) it is estimated from the most
 * entries the index held: a metapage, leaves filled to 90 % as rightmost splits leave them, a root above them.
 */
import { HashIndex } from '../../index/hash.js';
import { PgError, notSupported } from '../../errors.js';
import { register, type FuncDef, type CallCtx } from './registry.js';
import { T, RegClass, checkIntRange, type Value } from '../types.js';
import { Numeric } from '../numeric.js';
import { BLCKSZ } from '../../heap/heap.js';
import { MAXALIGN } from '../../heap/tuple.js';
import { relationArg, host } from '../../contrib/host.js';
import { indexDefinition } from '../../catalog/system_views.js';
import { vmPages } from '../../heap/visibilitymap.js';
import { needsToast } from '../../executor/util.js';
import type { Table } from '../../catalog/catalog.js';
import type { BtreeIndex } from '../../index/btree.js';
import { indexLayout } from '../../index/nbtlayout.js';

/** B-tree pages for its entries: the metapage, leaves at 90 % (BTREE_DEFAULT_FILLFACTOR), one root over several leaves. */
export function btreePages(t: Table, i: BtreeIndex): number {
  if (i instanceof HashIndex) return i.layout().nblocks; // a hash index's blocks (index/hashpage.ts)
  // the pages nbtree would have made (index/nbtlayout.ts), when they can be laid out
  try { return indexLayout(i, t.types).pages.length; } catch (e) { if (!(e instanceof PgError) || e.sqlstate !== '0A000') throw e; }
  const n = Math.max(i.peak, i.count);
  if (n === 0) return 1;
  const width: Partial<Record<string, number>> = { int2: 2, int4: 4, int8: 8, bool: 1 };
  const keyLen = i.columns.reduce((s, c) => s + ((c >= 0 ? width[t.types[c]!.name] : undefined) ?? 8), 0); // an expression: 8
  const per = Math.floor((0.9 * (BLCKSZ - 24 - 16)) / (MAXALIGN(8 + keyLen) + 4));
  const leaves = Math.ceil(n / per);
  return 1 + leaves + (leaves > 1 ? 1 : 0);
}

const heapBytes = (t: Table) => t.heap.pages.length * BLCKSZ;
const mapBytes = (t: Table) => (t.heap.fsmPages + vmPages(t.heap)) * BLCKSZ;
// every fork: an unlogged table's index has an init fork holding its metapage
const indexesBytes = (t: Table) => t.indexes.reduce((s, i) => s + (btreePages(t, i) + (t.unlogged ? 1 : 0)) * BLCKSZ, 0);
// the TOAST table (heap/toast_internals.ts) and its index; a table made before it (ALTER, CREATE TABLE AS) still
// counts the empty index's metapage
const toastBytes = (t: Table) => (t.toast ? heapBytes(t.toast) + mapBytes(t.toast) + indexesBytes(t.toast)
  : needsToast(t.columns.filter((c) => !c.dropped)) ? BLCKSZ : 0);

function relationSize(c: CallCtx, rel: Value, fork: string): number {
  const { table, index } = relationArg(c, rel);
  if (!['main', 'fsm', 'vm', 'init'].includes(fork)) throw new PgError('22023', 'invalid fork name', { hint: 'Valid fork names are "main", "fsm", "vm", and "init".' });
  // an unlogged relation's init fork (commands/unlogged.ts): empty for a heap, the metapage for a B-tree
  if (index) return fork === 'main' ? btreePages(table, index) * BLCKSZ : fork === 'init' && table.unlogged ? BLCKSZ : 0;
  switch (fork) {
    case 'main': return heapBytes(table);
    case 'fsm': return table.heap.fsmPages * BLCKSZ;
    case 'vm': return vmPages(table.heap) * BLCKSZ;
    default: return 0; // init
  }
}

/** pg_size_pretty: bytes below 10 kB, then kB, MB, GB, TB, PB, each while under 20 × 1024 half-units (half away from zero). */
export function sizePretty(v: number | bigint): string {
  let size = BigInt(v);
  const abs = (x: bigint) => (x < 0n ? -x : x);
  if (abs(size) < 10n * 1024n) return `${size} bytes`;
  size >>= 9n; // one extra bit for the rounding
  const units = ['kB', 'MB', 'GB', 'TB', 'PB'];
  for (let u = 0; ; u++) {
    if (u === units.length - 1 || abs(size) < 20n * 1024n - 1n) return `${(size + (size < 0n ? -1n : 1n)) / 2n} ${units[u]}`;
    size >>= 10n;
  }
}

/**
 * pg_size_bytes: a number (sign, digits, a fraction, an exponent when digits follow the E) then, after blanks, an
 * optional unit (bytes, kB, MB, GB, TB, PB; any case; multiples of 1024), rounded to bigint half away from zero.
 */
export function sizeBytes(str: string): number | bigint {
  const invalid = (unit?: string) => new PgError('22023', `invalid size: "${str}"`, unit === undefined ? {} : {
    detail: `Invalid size unit: "${unit}".`, hint: 'Valid units are "bytes", "kB", "MB", "GB", "TB", and "PB".',
  });
  const m = /^[ \t\n\r\f\v]*([-+]?(?:\d+(?:\.\d*)?|\.\d+))/.exec(str);
  if (!m) throw invalid();
  let end = m[0].length;
  const exp = /^[eE][-+]?\d+/.exec(str.slice(end)); // strtol: an exponent only when digits follow
  if (exp) end += exp[0].length;
  let num = Numeric.fromString(str.slice(m[0].length - m[1]!.length, end))!;
  const unit = str.slice(end).replace(/^[ \t\n\r\f\v]+/, '').replace(/[ \t\n\r\f\v]+$/, '');
  if (unit !== '') {
    const bits = ({ bytes: 0, kb: 10, mb: 20, gb: 30, tb: 40, pb: 50 } as Record<string, number>)[unit.toLowerCase()];
    if (bits === undefined) throw invalid(unit);
    num = num.mul(Numeric.fromInt(1n << BigInt(bits)));
  }
  return checkIntRange(num.round(0).unscaled, T.int8);
}

const defs: FuncDef[] = [
  { name: 'pg_size_bytes', args: ['text'], ret: T.int8, fn: (v: string) => sizeBytes(String(v)) },
  // pg_get_serial_sequence('t', 'col'): the sequence a serial / identity column (or OWNED BY) owns, schema-qualified;
  // the table name is parsed as SQL (lower-cased unless quoted), the column name taken as written
  {
    name: 'pg_get_serial_sequence', args: ['text', 'text'], ret: T.text,
    build: ([a, b], c) => (r) => {
      const tv = a!.fn(r), cv = b!.fn(r);
      if (tv === null || cv === null) return null;
      const { eng } = host(c);
      const parts = String(tv).match(/"(?:[^"]|"")*"|[^.]+/g)?.map((p) => (p.startsWith('"') ? p.slice(1, -1).replace(/""/g, '"') : p.trim().toLowerCase())) ?? [];
      const rel = parts[parts.length - 1] ?? '', schema = parts.length > 1 ? parts[parts.length - 2] : undefined;
      const t = schema && schema !== 'public' ? eng.catalog.getIn(schema, rel) : eng.catalog.get(rel);
      if (!t) throw new PgError('42P01', `relation "${parts.join('.')}" does not exist`);
      const col = String(cv);
      if (!t.columns.some((x) => !x.dropped && x.name === col)) throw new PgError('42703', `column "${col}" of relation "${t.name}" does not exist`);
      const seq = [...eng.catalog.sequences.values()].find((q) => q.ownedBy === t.name && q.ownedByColumn === col && q.temp?.session === t.temp?.session);
      if (!seq) return null;
      const quote = (x: string) => (/^[a-z_][a-z0-9_$]*$/.test(x) ? x : `"${x.replace(/"/g, '""')}"`);
      return `${quote(t.temp?.schema ?? t.nsp?.name ?? 'public')}.${quote(seq.name)}`;
    },
  },
  // pg_relation_filenode: the data file's number (pg_class.relfilenode; a new one after TRUNCATE, VACUUM FULL)
  { name: 'pg_relation_filenode', args: ['regclass'], ret: T.oid, build: ([a], c) => (r) => { const v = a!.fn(r); if (v === null) return null; const { table, index } = relationArg(c, v); return index ? index.relfilenode ?? index.oid : table.relfilenode ?? table.oid; } },
  { name: 'pg_relation_size', args: ['regclass'], ret: T.int8, build: ([a], c) => (r) => { const v = a!.fn(r); return v === null ? null : relationSize(c, v, 'main'); } },
  { name: 'pg_relation_size', args: ['regclass', 'text'], ret: T.int8, build: ([a, f], c) => (r) => { const v = a!.fn(r), k = f!.fn(r); return v === null || k === null ? null : relationSize(c, v, String(k)); } },
  {
    name: 'pg_table_size', args: ['regclass'], ret: T.int8,
    build: ([a], c) => (r) => {
      const v = a!.fn(r); if (v === null) return null;
      const { table, index } = relationArg(c, v); return index ? btreePages(table, index) * BLCKSZ : heapBytes(table) + mapBytes(table) + toastBytes(table);
    },
  },
  { name: 'pg_indexes_size', args: ['regclass'], ret: T.int8, build: ([a], c) => (r) => { const v = a!.fn(r); if (v === null) return null; const { table, index } = relationArg(c, v); return index ? 0 : indexesBytes(table); } },
  {
    name: 'pg_total_relation_size', args: ['regclass'], ret: T.int8,
    build: ([a], c) => (r) => {
      const v = a!.fn(r); if (v === null) return null; const { table, index } = relationArg(c, v);
      return index ? btreePages(table, index) * BLCKSZ : heapBytes(table) + mapBytes(table) + toastBytes(table) + indexesBytes(table);
    },
  },
  { name: 'pg_size_pretty', args: ['int8'], ret: T.text, fn: (v: number | bigint) => sizePretty(v) },
  {
    name: 'pg_size_pretty', args: ['numeric'], ret: T.text,
    fn: (v: Numeric) => { if (v.special) throw notSupported('pg_size_pretty() of NaN or an infinite numeric value'); return sizePretty(v.round(0).unscaled); },
  },
  {
    name: 'age', args: ['xid'], ret: T.int4,
    build: ([a], c) => (r) => {
      const v = a!.fn(r);
      if (v === null) return null;
      const x = Number(v);
      if (x < 3) return 2147483647; // a permanent xid (frozen, bootstrap) is infinitely old
      const h = c.env.contrib?.();
      const now = c.env.txidCurrent(false) ?? h?.eng.xacts.nextXid ?? x;
      return (now - x) | 0;
    },
  },
  {
    // mxid_age (xid.c): ReadNextMultiXactId() − the multi, as int4; an invalid multi (0) is INT_MAX
    name: 'mxid_age', args: ['xid'], ret: T.int4,
    build: ([a], c) => (r) => {
      const v = a!.fn(r);
      if (v === null) return null;
      const x = Number(v);
      if (x === 0) return 2147483647;
      return (host(c).eng.multis.next - x) | 0;
    },
  },
  {
    // ruleutils.c pg_get_indexdef: the index with this OID as its CREATE INDEX (NULL for an OID that is not an index)
    name: 'pg_get_indexdef', args: ['oid'], ret: T.text,
    build: ([a], c) => (r) => {
      const v = a!.fn(r);
      if (v === null) return null;
      const oid = Number(v instanceof RegClass ? v.oid : v);
      for (const t of host(c).eng.catalog.tables.values()) for (const i of t.indexes) if (i.oid === oid) return indexDefinition(t, i);
      return null;
    },
  },
  { name: 'pg_get_indexdef', args: ['oid', 'int4', 'bool'], ret: T.text, fn: () => { throw notSupported('pg_get_indexdef(index, column, pretty)'); } },
];
register(defs);
