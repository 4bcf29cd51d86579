/**
 * The system catalog: tables, their columns, constraints and indexes.
 *
 * OIDs are handed out from FirstNormalObjectId (16384) in the order PostgreSQL's CREATE TABLE consumes them
 * (the table, its array type and row type, then each index), so lock descriptions name the same relation
 * numbers a fresh cluster would. Constraint and index names follow ChooseConstraintName: t_pkey, t_col_key,
 * t_col_check.
 *
 * Mirrors: pg_class / pg_attribute / pg_constraint / pg_index, heap_create_with_catalog() and
 * ChooseRelationName(). Simplifications: one schema (public), no TOAST tables, no ALTER TABLE, catalog changes
 * are not MVCC (a CREATE TABLE is visible to everyone at once, and a rolled-back CREATE is undone directly).
 */
import type { SqlType } from '../sql/types.js';
import type { HeapRelation } from '../heap/heap.js';
import type { BtreeIndex } from '../index/btree.js';
import type { Sequence } from '../sequence/sequence.js';

export interface Column {
  name: string;
  type: SqlType;
  notNull: boolean;
  /** parse tree of the DEFAULT expression, or null */
  defaultExpr: unknown | null;
  attnum: number;
}
export interface CheckConstraint { name: string; expr: unknown; compiled?: unknown }

export interface Table {
  oid: number;
  name: string;
  columns: Column[];
  checks: CheckConstraint[];
  indexes: BtreeIndex[];
  heap: HeapRelation;
  /** columns that belong to a unique index ("key" columns: changing them is a key update) */
  keyColumns: Set<number>;
  /** columns used by any index: changing one prevents a HOT update */
  indexedColumns: Set<number>;
  /** the column types, in order (kept to avoid rebuilding it per tuple) */
  types: SqlType[];
  /** LSN of the visibility map page (0 = never written) */
  vmLsn?: number;
  /** planner statistics (pg_class relpages/reltuples), set by VACUUM, ANALYZE and CREATE INDEX; absent before */
  stats?: { relpages: number; reltuples: number };
  /** packed tuple length of a tuple without NULLs when every column is fixed-width, else undefined */
  fixedLength?: number;
}

export const FIRST_NORMAL_OID = 16384;
export const DATABASE_OID = 5;

export class Catalog {
  tables = new Map<string, Table>();
  /** indexes made by CREATE INDEX (not backing a constraint: DROP INDEX may remove them) */
  standaloneIndexes = new Set<string>();
  sequences = new Map<string, Sequence>();
  nextOid = FIRST_NORMAL_OID;

  clone(): Catalog {
    const c = new Catalog();
    c.nextOid = this.nextOid;
    c.standaloneIndexes = new Set(this.standaloneIndexes);
    for (const [name, sq] of this.sequences) c.sequences.set(name, sq.clone());
    for (const [name, t] of this.tables) {
      c.tables.set(name, {
        ...t, heap: t.heap.clone(), indexes: t.indexes.map((i) => i.clone()),
        checks: t.checks.map((ch) => ({ name: ch.name, expr: ch.expr })), // compiled forms are rebuilt lazily
      });
    }
    return c;
  }

  allocOid(): number { return this.nextOid++; }
  get(name: string): Table | undefined { return this.tables.get(name); }
  byOid(oid: number): Table | BtreeIndex | undefined {
    for (const t of this.tables.values()) {
      if (t.oid === oid) return t;
      for (const i of t.indexes) if (i.oid === oid) return i;
    }
    return undefined;
  }
  relationName(oid: number): string {
    const r = this.byOid(oid);
    return r ? r.name : String(oid);
  }
  /** Is the name used by a table or an index? (relations share one namespace) */
  relationExists(name: string): boolean {
    if (this.tables.has(name) || this.sequences.has(name)) return true;
    for (const t of this.tables.values()) for (const i of t.indexes) if (i.name === name) return true;
    return false;
  }
}
