/**
 * Declarative partitioning's bounds: what a partitioned table's key is (PARTITION BY LIST / RANGE), what each
 * partition accepts (FOR VALUES IN (…), FOR VALUES FROM (…) TO (…), DEFAULT), and which partition a row belongs to.
 *
 * A partitioned table (relkind 'p') has no storage: its rows live in its partitions, ordinary tables whose
 * pg_class row says relispartition and whose relpartbound is the bound. The partitions are kept in bound order
 * (PostgreSQL's PartitionDesc): LIST by each partition's smallest accepted value, RANGE by lower bound, the DEFAULT
 * partition last. That order is the order of the Append over them and of UPDATE's passes.
 *
 *     CREATE TABLE foo (a int, b text) PARTITION BY LIST (a);
 *     CREATE TABLE foo2 PARTITION OF foo FOR VALUES IN (2);
 *     CREATE TABLE foo1 PARTITION OF foo FOR VALUES IN (1);      -- bound order: foo1, foo2
 *     INSERT INTO foo VALUES (3, 'x');   -- 23514 no partition of relation "foo" found for row
 *                                        --       DETAIL: Partition key of the failing row contains (a) = (3).
 *
 * Mirrors: src/backend/partitioning/partbounds.c (partition_bounds_create's order, check_new_partition_bound's
 * overlap errors, get_partition_for_tuple's routing, get_qual_for_list / get_qual_for_range as a row test) and
 * utils/adt/ruleutils.c's get_rule_expr for PartitionBoundSpec (pg_get_expr(relpartbound)).
 * HASH partitioning (FOR VALUES WITH (MODULUS m, REMAINDER r)) routes a row by its key's combined extended hash
 * (compute_partition_hash_value) modulo m, so it lands in the partition PostgreSQL would choose.
 * Simplifications: the key is plain columns (no expressions, no non-default operator class or collation); a hash
 * key is of an integer, text / varchar or boolean type (others refuse with 0A000).
 */
import { PgError, notSupported, posOf } from '../errors.js';
import { compareValues } from '../sql/operators.js';
import { formatValue, Bytea, type SqlType, type Value } from '../sql/types.js';
import { hashInt8Extended, hashTextExtended, hashUint32Extended, hashBytesExtended } from '../adt/hashfunc.js';

export type PartStrategy = 'list' | 'range' | 'hash';

/** pg_partitioned_table: the strategy and the key columns (positions in the partitioned table's tuple). */
export interface PartitionKey {
  strategy: PartStrategy;
  cols: number[];
  types: SqlType[];
  names: string[];
}

/** A range bound's datum: a value, or MINVALUE / MAXVALUE (PartitionRangeDatumKind). */
export type RangeDatum = { kind: 'value'; v: Value } | { kind: 'minvalue' } | { kind: 'maxvalue' };

/** pg_class.relpartbound, read. */
export type PartitionBound =
  | { kind: 'default' }
  | { kind: 'list'; values: Value[] }
  | { kind: 'range'; lower: RangeDatum[]; upper: RangeDatum[] }
  | { kind: 'hash'; modulus: number; remainder: number };

/** The same partition of one parent, for the routing functions: a bound and who holds it. */
export interface BoundOf<T> { rel: T; name: string; bound: PartitionBound }

/** Two bound datums compared (neither is null where this is called). */
export const cmp = (a: Value, b: Value) => compareValues(a as Exclude<Value, null>, b as Exclude<Value, null>);

/** partition_rbound_datum_cmp: compare a range bound with a key (-1: the bound is below it). */
function rboundCmp(bound: RangeDatum[], key: Value[]): number {
  for (let i = 0; i < bound.length; i++) {
    const d = bound[i]!;
    if (d.kind === 'minvalue') return -1;
    if (d.kind === 'maxvalue') return 1;
    const c = cmp(d.v, key[i]!);
    if (c !== 0) return c;
  }
  return 0;
}

/** partition_rbound_cmp for two bounds of the same kind (both lower or both upper). */
function rboundsCmp(a: RangeDatum[], b: RangeDatum[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!, y = b[i]!;
    const rank = (d: RangeDatum) => (d.kind === 'minvalue' ? -1 : d.kind === 'maxvalue' ? 1 : 0);
    if (rank(x) !== rank(y)) return rank(x) - rank(y);
    if (x.kind !== 'value' || y.kind !== 'value') return 0; // both MINVALUE or both MAXVALUE: the rest is ignored
    const c = cmp(x.v, y.v);
    if (c !== 0) return c;
  }
  return 0;
}

/** HASH_PARTITION_SEED: the seed of every key column's extended hash */
const HASH_PARTITION_SEED = 0x7A5B22367996DCFDn;
const M64 = (1n << 64n) - 1n;

/** hash_combine64 */
function hashCombine64(a: bigint, b: bigint): bigint {
  return (a ^ ((b + 0x49a0f4dd15e5a8e3n + ((a << 54n) & M64) + (a >> 7n)) & M64)) & M64;
}

/** The key column types hash partitioning models: their hash opclasses' extended functions. */
export const HASHABLE_TYPES = new Set(['int2', 'int4', 'int8', 'text', 'varchar', 'bool', 'bytea']);

/**
 * compute_partition_hash_value: each non-NULL key column's extended hash (seeded with HASH_PARTITION_SEED) combined;
 * an integer of any width hashes as hashint8extended does (which equals hashint4extended in int4's range), a
 * string as hashtextextended, a bytea as hashvarlenaextended, a boolean as hashcharextended.
 */
export function partitionHash(key: Value[]): bigint {
  let h = 0n;
  for (const v of key) {
    if (v === null) continue;
    const x = typeof v === 'number' || typeof v === 'bigint' ? hashInt8Extended(v, HASH_PARTITION_SEED)
      : typeof v === 'boolean' ? hashUint32Extended(v ? 1 : 0, HASH_PARTITION_SEED)
        : typeof v === 'string' ? hashTextExtended(v, HASH_PARTITION_SEED)
          : v instanceof Bytea ? hashBytesExtended(v.data(), HASH_PARTITION_SEED) : null; // hashvarlenaextended
    if (x === null) throw notSupported('hash partitioning on this key type');
    h = hashCombine64(h, x);
  }
  return h;
}

/** Does the bound accept this key (get_qual_for_list / get_qual_for_range / satisfies_hash_partition, as a test of one row's key)? */
export function boundAccepts(bound: PartitionBound, key: Value[]): boolean {
  switch (bound.kind) {
    case 'default': return true;
    case 'hash': return partitionHash(key) % BigInt(bound.modulus) === BigInt(bound.remainder);
    case 'list': {
      const k = key[0]!;
      return bound.values.some((v) => (v === null ? k === null : k !== null && cmp(v, k) === 0));
    }
    case 'range':
      if (key.some((v) => v === null)) return false;
      return rboundCmp(bound.lower, key) <= 0 && rboundCmp(bound.upper, key) > 0;
  }
}

/** partition_bounds_create's order: LIST by smallest non-null value (NULL-only next), RANGE by lower bound, DEFAULT last. */
export function boundOrder(a: PartitionBound, b: PartitionBound): number {
  if (a.kind === 'default' || b.kind === 'default') return (a.kind === 'default' ? 1 : 0) - (b.kind === 'default' ? 1 : 0);
  if (a.kind === 'list' && b.kind === 'list') {
    const least = (vs: Value[]) => { let m: Value | undefined; for (const v of vs) if (v !== null && (m === undefined || cmp(v, m) < 0)) m = v; return m; };
    const x = least(a.values), y = least(b.values);
    if (x === undefined || y === undefined) return (x === undefined ? 1 : 0) - (y === undefined ? 1 : 0);
    return cmp(x, y);
  }
  if (a.kind === 'range' && b.kind === 'range') return rboundsCmp(a.lower, b.lower);
  if (a.kind === 'hash' && b.kind === 'hash') return a.modulus - b.modulus || a.remainder - b.remainder;
  return 0;
}

/**
 * get_partition_for_tuple: the partition whose bound accepts the key — the DEFAULT partition when none does —
 * or null (the caller raises 23514).
 */
export function partitionForKey<T>(parts: BoundOf<T>[], key: Value[]): BoundOf<T> | null {
  let dflt: BoundOf<T> | null = null;
  for (const p of parts) {
    if (p.bound.kind === 'default') { dflt = p; continue; }
    if (boundAccepts(p.bound, key)) return p;
  }
  return dflt;
}

/** ExecFindPartition's error: no partition (and no DEFAULT) accepts the row. */
export function noPartitionError(rel: string, key: PartitionKey, vals: Value[]): PgError {
  return new PgError('23514', `no partition of relation "${rel}" found for row`, {
    detail: `Partition key of the failing row contains (${key.names.join(', ')}) = (${vals.map((v) => formatValue(v) ?? 'null').join(', ')}).`,
  });
}

/** A value as ruleutils prints a constant of a bound: numbers bare, everything else quoted. */
export function boundLiteral(v: Value): string {
  if (v === null) return 'NULL';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return `'${String(formatValue(v)).replace(/'/g, "''")}'`;
}
const rdatum = (d: RangeDatum) => (d.kind === 'minvalue' ? 'MINVALUE' : d.kind === 'maxvalue' ? 'MAXVALUE' : boundLiteral(d.v));

/** pg_get_expr(relpartbound, oid): FOR VALUES IN (1, 2) / FOR VALUES FROM (1) TO (10) / DEFAULT. */
export function boundText(b: PartitionBound): string {
  switch (b.kind) {
    case 'default': return 'DEFAULT';
    case 'list': return `FOR VALUES IN (${b.values.map(boundLiteral).join(', ')})`;
    case 'range': return `FOR VALUES FROM (${b.lower.map(rdatum).join(', ')}) TO (${b.upper.map(rdatum).join(', ')})`;
    case 'hash': return `FOR VALUES WITH (modulus ${b.modulus}, remainder ${b.remainder})`;
  }
}

/**
 * check_new_partition_bound: a new partition's bound may not overlap a sibling's (42P17), a second DEFAULT is
 * refused, and a range must not be empty. `at` is the position of the bound for the error cursor.
 */
export function checkNewBound<T>(name: string, bound: PartitionBound, siblings: BoundOf<T>[], at?: number): void {
  const pos = at !== undefined ? { position: at } : {};
  if (bound.kind === 'default') {
    const d = siblings.find((p) => p.bound.kind === 'default');
    if (d) throw new PgError('42P17', `partition "${name}" conflicts with existing default partition "${d.name}"`, pos);
    return;
  }
  if (bound.kind === 'hash') { checkHashBound(name, bound, siblings, pos); return; }
  if (bound.kind === 'list') {
    for (const p of siblings) {
      if (p.bound.kind !== 'list') continue;
      const pb = p.bound;
      if (bound.values.some((v) => boundAccepts(pb, [v]))) throw new PgError('42P17', `partition "${name}" would overlap partition "${p.name}"`, pos);
    }
    return;
  }
  if (rboundsCmp(bound.lower, bound.upper) >= 0) {
    throw new PgError('42P17', `empty range bound specified for partition "${name}"`, {
      ...pos, detail: `Specified lower bound (${bound.lower.map(rdatum).join(', ')}) is greater than or equal to upper bound (${bound.upper.map(rdatum).join(', ')}).`,
    });
  }
  for (const p of siblings) {
    if (p.bound.kind !== 'range') continue;
    // two ranges [l1, u1) and [l2, u2) overlap when l1 < u2 and l2 < u1
    if (rboundsCmp(bound.lower, p.bound.upper) < 0 && rboundsCmp(p.bound.lower, bound.upper) < 0) {
      throw new PgError('42P17', `partition "${name}" would overlap partition "${p.name}"`, pos);
    }
  }
}

/**
 * check_new_partition_bound for HASH: the moduli, in order, must each divide the next (42P17 "every hash partition
 * modulus must be a factor of the next larger modulus"), and no sibling may take the same remainders.
 */
function checkHashBound<T>(name: string, b: { modulus: number; remainder: number }, siblings: BoundOf<T>[], pos: { position?: number }) {
  const hs = siblings.filter((p) => p.bound.kind === 'hash').map((p) => ({ name: p.name, ...(p.bound as { modulus: number; remainder: number }) }))
    .sort((x, y) => x.modulus - y.modulus || x.remainder - y.remainder);
  if (!hs.length) return;
  // partition_hash_bsearch: the greatest bound <= (modulus, remainder)
  let off = -1;
  hs.forEach((h, i) => { if (h.modulus < b.modulus || (h.modulus === b.modulus && h.remainder <= b.remainder)) off = i; });
  const bad = (detail: string) => new PgError('42P17', 'every hash partition modulus must be a factor of the next larger modulus', { detail });
  if (off < 0) {
    const next = hs[0]!;
    if (next.modulus % b.modulus !== 0) throw bad(`The new modulus ${b.modulus} is not a factor of ${next.modulus}, the modulus of existing partition "${next.name}".`);
  } else {
    const prev = hs[off]!;
    if (b.modulus % prev.modulus !== 0) throw bad(`The new modulus ${b.modulus} is not divisible by ${prev.modulus}, the modulus of existing partition "${prev.name}".`);
    const next = hs[off + 1];
    if (next && next.modulus % b.modulus !== 0) throw bad(`The new modulus ${b.modulus} is not a factor of ${next.modulus}, the modulus of existing partition "${next.name}".`);
  }
  // with the moduli dividing each other, two bounds overlap when their remainders agree modulo the smaller modulus
  const greatest = hs[hs.length - 1]!.modulus;
  for (let r = b.remainder; r < Math.max(greatest, b.modulus); r += b.modulus) {
    const hit = hs.find((h) => r % h.modulus === h.remainder);
    if (hit) throw new PgError('42P17', `partition "${name}" would overlap partition "${hit.name}"`, pos);
  }
}

type N = Record<string, any>;

/**
 * transformPartitionBound: a PartitionBoundSpec's datums, each evaluated as a constant of its key column's type
 * (`evalConst`), checked against the parent's strategy.
 */
export function transformBound(spec: N, key: PartitionKey, parentName: string, evalConst: (e: N, type: SqlType) => Value): PartitionBound {
  if (spec.is_default) {
    if (key.strategy === 'hash') throw new PgError('42P16', 'a hash-partitioned table may not have a default partition');
    return { kind: 'default' };
  }
  if (key.strategy === 'hash') {
    if (spec.strategy !== 'h') throw new PgError('42P16', 'invalid bound specification for a hash partition', { position: posOf(spec.location)! });
    const modulus = Number(spec.modulus ?? 0), remainder = Number(spec.remainder ?? 0); // (the JSON leaves zeros out)
    if (modulus < 1) throw new PgError('42P16', 'modulus for hash partition must be an integer value greater than zero');
    if (remainder < 0) throw new PgError('42P16', 'remainder for hash partition must be an integer value greater than or equal to zero');
    if (remainder >= modulus) throw new PgError('42P16', 'remainder for hash partition must be less than modulus');
    return { kind: 'hash', modulus, remainder };
  }
  if (spec.strategy === 'h') throw new PgError('42P16', `invalid bound specification for a ${key.strategy} partition`, { position: posOf(spec.location)! });
  if (key.strategy === 'list') {
    if (spec.strategy !== 'l') throw new PgError('42P17', `invalid bound specification for a list partition`, { position: posOf(spec.location)! });
    const values: Value[] = [];
    for (const e of (spec.listdatums ?? []) as N[]) {
      const v = evalConst(e, key.types[0]!);
      if (!values.some((x) => (x === null ? v === null : v !== null && cmp(x, v) === 0))) values.push(v);
    }
    return { kind: 'list', values };
  }
  if (spec.strategy !== 'r') throw new PgError('42P17', `invalid bound specification for a range partition`, { position: posOf(spec.location)! });
  const side = (datums: N[], which: string): RangeDatum[] => {
    if (datums.length !== key.cols.length) {
      throw new PgError('42P16', `${which} bound must have ${key.cols.length === 1 ? 'one column' : `${key.cols.length} columns`}`);
    }
    const out = datums.map((e, i): RangeDatum => {
      const cr = e.ColumnRef;
      const word = cr?.fields?.length === 1 ? String(cr.fields[0].String?.sval ?? '').toLowerCase() : '';
      if (word === 'minvalue') return { kind: 'minvalue' };
      if (word === 'maxvalue') return { kind: 'maxvalue' };
      const v = evalConst(e, key.types[i]!);
      if (v === null) throw new PgError('22004', `cannot specify NULL in range bound`);
      return { kind: 'value', v };
    });
    // validateInfiniteBounds: after MINVALUE / MAXVALUE every later datum must be the same
    for (let i = 1; i < out.length; i++) {
      const prev = out[i - 1]!.kind;
      if (prev !== 'value' && out[i]!.kind !== prev) {
        throw new PgError('42P16', `every bound following ${prev.toUpperCase()} must also be ${prev.toUpperCase()}`);
      }
    }
    return out;
  };
  void parentName;
  return { kind: 'range', lower: side(spec.lowerdatums ?? [], 'FROM'), upper: side(spec.upperdatums ?? [], 'TO') };
}
