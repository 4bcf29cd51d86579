/**
 * The partitioning parts of CREATE TABLE: PARTITION BY (the key of a partitioned table, relkind 'p') and
 * PARTITION OF parent FOR VALUES … (a partition: the parent's columns, its bound, checked against its siblings).
 *
 *     CREATE TABLE foo (a int PRIMARY KEY, b text) PARTITION BY LIST (a);  -- foo_pkey: a partitioned index
 *     CREATE TABLE foo1 PARTITION OF foo FOR VALUES IN (1);   -- AccessExclusiveLock on foo; foo1_pkey made too
 *     CREATE TABLE foo9 PARTITION OF foo FOR VALUES IN (1);   -- 42P17 partition "foo9" would overlap partition "foo1"
 *
 * Mirrors: src/backend/commands/tablecmds.c (DefineRelation's partition parts, transformPartitionSpec /
 * ComputePartitionAttrs, MergeAttributes for a partition, check_default_partition_contents), parser/parse_utilcmd.c
 * (transformPartitionBound). Simplifications: the key is plain columns; a PARTITION OF may not add column options
 * or constraints of its own (0A000); foreign keys on either side of a partitioned table are refused (0A000).
 */
import type { Executor } from '../executor/executor.js';
import type { Session } from '../session/session.js';
import { PgError, notSupported, posOf } from '../errors.js';
import type { Table, Column, CheckConstraint } from '../catalog/catalog.js';
import { compileExpr } from '../sql/expr.js';
import { castTo } from '../sql/coerce.js';
import type { SqlType, Value } from '../sql/types.js';
import { LockMode } from '../lock/lock.js';
import { transformBound, checkNewBound, boundAccepts, HASHABLE_TYPES, type PartitionKey, type PartitionBound } from '../partitioning/partbounds.js';
import { boundsOf, partitionsOf } from '../executor/execPartition.js';
import type { N, Gen } from '../executor/util.js';

/** ComputePartitionAttrs: PARTITION BY LIST / RANGE (col, …) over the new table's columns. */
export function partitionKeyOf(spec: N, columns: Column[], uniques: { cols: string[]; primary: boolean }[], name: string): PartitionKey {
  const strat = String(spec.strategy);
  const strategy = /HASH/i.test(strat) ? 'hash' : /LIST/i.test(strat) ? 'list' : 'range';
  const params = (spec.partParams ?? []) as N[];
  if (strategy === 'list' && params.length !== 1) throw new PgError('42P17', 'cannot use "list" partition strategy with more than one column', { position: posOf(spec.location)! });
  const cols: number[] = [];
  for (const p of params) {
    const e = p.PartitionElem;
    if (!e.name) throw notSupported('partition keys that are expressions', posOf(e.location));
    if (e.collation?.length || e.opclass?.length) throw notSupported('a partition key with its own collation or operator class', posOf(e.location));
    const i = columns.findIndex((c) => c.name === e.name);
    if (i < 0) throw new PgError('42703', `column "${e.name}" named in partition key does not exist`, { position: posOf(e.location)! });
    cols.push(i);
  }
  const key: PartitionKey = { strategy, cols, types: cols.map((i) => columns[i]!.type), names: cols.map((i) => columns[i]!.name) };
  const unhashable = strategy === 'hash' ? key.types.find((ty) => !HASHABLE_TYPES.has(ty.name)) : undefined;
  if (unhashable) throw notSupported(`hash partitioning on a key of type ${unhashable.name}`, posOf(spec.location));
  // a unique constraint on a partitioned table is enforced by each partition's index: it must cover the key
  for (const u of uniques) {
    const missing = key.names.find((k) => !u.cols.includes(k));
    if (missing) {
      throw new PgError('0A000', 'unique constraint on partitioned table must include all partitioning columns', {
        detail: `${u.primary ? 'PRIMARY KEY' : 'UNIQUE'} constraint on table "${name}" lacks column "${missing}" which is part of the partition key.`,
      });
    }
  }
  return key;
}

/** What a partition takes from its parent (MergeAttributes): the columns, CHECK constraints and unique keys. */
export interface PartitionOf {
  parent: Table;
  bound: PartitionBound;
  columns: Column[];
  checks: CheckConstraint[];
  /** the parent's indexes, each to be made on the partition (unique ones with their constraint) */
  uniques: { cols: string[]; primary: boolean; unique: boolean; parentIndex: number }[];
}

/**
 * CREATE TABLE … PARTITION OF parent: the parent locked AccessExclusive (DefineRelation), its columns copied, the
 * bound transformed; the overlap check waits for the new table's name (checkPartitionBound, after the catalog rows).
 */
export function* partitionOfStart(ex: Executor, s: Session, n: N): Gen<PartitionOf> {
  const rvs = n.inhRelations as N[];
  const prv = rvs[0]!.RangeVar;
  const parent = ex.table(prv);
  if (!parent.partKey) throw new PgError('42809', `table "${parent.name}" is not partitioned`);
  if ((n.tableElts ?? []).length) throw notSupported('column options or constraints in CREATE TABLE … PARTITION OF');
  if (n.relation.relpersistence === 't' && !parent.temp) throw new PgError('42809', `cannot create a temporary relation as partition of permanent relation "${parent.name}"`);
  yield* ex.lockRelation(s, parent, LockMode.AccessExclusive, false);
  const columns: Column[] = parent.columns.filter((c) => !c.dropped).map((c, i) => ({
    name: c.name, type: c.type, notNull: c.notNull, defaultExpr: c.defaultExpr, attnum: i + 1,
    ...(c.generated ? { generated: c.generated } : {}),
  }));
  const checks = parent.checks.map((c) => ({ name: c.name, expr: c.expr, base: c.name } as CheckConstraint & { base: string }));
  if (parent.indexes.some((i) => i.def)) throw notSupported('PARTITION OF a table with expression or partial indexes');
  const uniques = parent.indexes.map((i) => ({
    cols: i.columns.map((c) => parent.columns[c]!.name), primary: i.primary, unique: i.unique, parentIndex: i.oid,
  }));
  const bound = evalBound(ex, s, n.partbound, parent);
  return { parent, bound, columns, checks, uniques };
}

/** transformPartitionBound with the datums computed as constants of the key's types. */
export function evalBound(ex: Executor, s: Session, spec: N, parent: Table): PartitionBound {
  const snap = () => ex.eng.snapshotFor(s);
  const env = ex.env(s, snap);
  const evalConst = (e: N, type: SqlType): Value => {
    if (e.ColumnRef) throw new PgError('42P10', 'cannot use column reference in partition bound expression', { position: posOf(e.ColumnRef.location)! });
    const c = castTo(compileExpr(e, { relName: null, alias: null, columns: [], hasSystem: false, env, sql: '' }), type, true);
    return c.fn(null as never);
  };
  return transformBound(spec, parent.partKey!, parent.name, evalConst);
}

/**
 * check_new_partition_bound and check_default_partition_contents: no sibling may overlap the new bound, and rows
 * the DEFAULT partition holds that the new partition would now accept are an error (the DEFAULT is locked and read).
 */
export function* checkPartitionBound(ex: Executor, s: Session, parent: Table, name: string, bound: PartitionBound, at?: number): Gen<void> {
  const siblings = boundsOf(ex.eng.catalog, parent).filter((p) => p.name !== name);
  checkNewBound(name, bound, siblings, at);
  const dflt = partitionsOf(ex.eng.catalog, parent).find((p) => p.partOf!.bound.kind === 'default' && p.name !== name);
  if (!dflt || bound.kind === 'default') return;
  if (dflt.partKey) throw notSupported('a sub-partitioned DEFAULT partition');
  yield* ex.lockRelation(s, dflt, LockMode.AccessExclusive, false);
  const snapshot = ex.eng.snapshotFor(s);
  const rows = ex.scan(s, dflt, snapshot, null, undefined, ex.tableScope(dflt, null, s, () => snapshot, ''));
  const key = parent.partKey!;
  if (rows.some((r) => boundAccepts(bound, key.names.map((k) => r.vals[dflt.columns.findIndex((c) => c.name === k)] ?? null)))) {
    throw new PgError('23514', `updated partition constraint for default partition "${dflt.name}" would be violated by some row`);
  }
}
