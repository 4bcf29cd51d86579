/**
 * The system catalog: tables, their columns, constraints and indexes.
 *
 * OIDs are handed out from FirstNormalObjectId (16384) in the order PostgreSQL's CREATE TABLE consumes them
 * (the table, its array type and row type, then each index), so lock descriptions name the same relation
 * numbers a fresh cluster would. Constraint and index names follow ChooseConstraintName: t_pkey, t_col_key,
 * t_col_check.
 *
 * A column's place (attnum) never changes: ALTER TABLE ... DROP COLUMN only marks it attisdropped (renamed
 * "........pg.dropped.N........", left out of *), so the bytes old tuples keep for it still line up. ADD COLUMN
 * with a non-volatile DEFAULT (or none) rewrites nothing: the value is stored once as attmissingval and
 * heap_getattr answers it for every tuple with fewer attributes (t_infomask2's natts) — heapGetattrs() below.
 *
 *     CREATE TABLE t (id int);  INSERT INTO t VALUES (1);     -- the tuple has natts 1
 *     ALTER TABLE t ADD COLUMN w int DEFAULT 5;                -- no rewrite: w's attmissingval = 5
 *     SELECT * FROM t;                                         -- 1 | 5  (the tuple still has natts 1)
 *
 * A FOREIGN KEY is kept on its referencing table (Table.fkeys, the referenced table by OID); indexes may carry
 * INCLUDE columns, which are indexed (no HOT update when they change) but no part of the key.
 *
 * Mirrors: pg_class / pg_attribute / pg_constraint / pg_index, heap_create_with_catalog() and
 * ChooseRelationName(), access/common/heaptuple.c (getmissingattr), catalog/namespace.c for the temporary schema.
 *
 * A session's temporary tables live in its own schema pg_temp_N, searched before public (a temporary table shadows
 * a permanent one of the same name): they are kept in `tables` under a key no SQL name can spell (tempKey), and
 * get() / relationExists() answer for the session whose statement runs (`current`, set as each session's
 * statement is stepped, tcop/dispatch.ts). Their relations' OIDs are in `localRels`: the WAL skips them.
 *
 * Which tables and indexes a session's name lookups see is the catalog snapshot's business (catalogsnapshot.ts): a
 * table another session's running transaction created or renamed is not found, one it dropped or renamed away
 * still is (`shadows`).
 *
 * Simplifications: one schema (public) plus each session's temporary one, TOAST tables kept on their table
 * (Table.toast: no pg_class rows); a DDL statement changes
 * the objects in place and a rolled-back one is undone directly by its undo action (only the name lookups of
 * tables and indexes are versioned, catalogsnapshot.ts).
 */
import type { SqlType, Value } from '../sql/types.js';
import type { HeapRelation } from '../heap/heap.js';
import type { BtreeIndex } from '../index/btree.js';
import type { Sequence } from '../sequence/sequence.js';
import type { PartitionKey, PartitionBound } from '../partitioning/partbounds.js';
import type { ScalarStats } from '../commands/analyze.js';
import { BOOTSTRAP_SUPERUSER, type AclItem, type Role } from './acl.js';
import { catalogSees, setActiveCatalog, type Shadow } from './catalogsnapshot.js';
import type { InhRow, InhDeleted } from './pg_inherits.js';
import type { EnumType } from '../adt/enum.js';
import type { DomainType } from '../adt/domains.js';
import type { CompositeType } from '../adt/rowtypes.js';
import type { Snapshot } from '../snapshot/snapshot.js';

export interface Column {
  name: string;
  type: SqlType;
  notNull: boolean;
  /** parse tree of the DEFAULT expression, or null */
  defaultExpr: unknown | null;
  attnum: number;
  /** attisdropped: ALTER TABLE ... DROP COLUMN left the slot (old tuples keep its bytes); invisible to SQL */
  dropped?: boolean;
  /** atthasmissing / attmissingval: the value tuples written before ADD COLUMN answer for it */
  missing?: Value;
  /** attidentity: GENERATED ALWAYS ('a') or BY DEFAULT ('d') AS IDENTITY */
  identity?: 'a' | 'd';
  /** attgenerated 's': GENERATED ALWAYS AS (expr) STORED — computed from the row on every INSERT and UPDATE */
  generated?: unknown;
  /** attinhcount: how many parents this column is inherited from (table inheritance, commands/inheritcmds.ts); absent 0 */
  inhcount?: number;
  /** attstorage set by ALTER COLUMN ... SET STORAGE; absent: the type's typstorage (heap/heaptoast.ts) */
  storage?: 'p' | 'e' | 'm' | 'x';
  /** attislocal false: the column exists only because a parent has it (absent: true, defined by the table itself) */
  notLocal?: boolean;
}
/** A CHECK constraint; `inhcount` / `notLocal` are pg_constraint's coninhcount / NOT conislocal (inheritance) */
/** A CHECK constraint; `notValid`: added NOT VALID (convalidated false: the old rows were not checked) until VALIDATE CONSTRAINT */
export interface CheckConstraint { name: string; expr: unknown; compiled?: unknown; inhcount?: number; notLocal?: boolean; notValid?: boolean }

/** What an ON DELETE / ON UPDATE clause asks for (pg_constraint.confdeltype / confupdtype's letters). */
export type FkAction = 'a' | 'r' | 'c' | 'n' | 'd';
/**
 * A FOREIGN KEY constraint (a pg_constraint row with contype 'f'), kept on the referencing table. Its columns
 * are positions (attnum - 1) in the referencing table (`cols`) and in the referenced one (`refCols`), which is
 * named by OID so a RENAME does not break it. The RI triggers (ri/ri_triggers.ts) enforce it.
 */
export interface ForeignKey {
  name: string;
  oid: number;
  cols: number[];
  refOid: number;
  refCols: number[];
  /** the unique index on the referenced columns the constraint depends on (conindid) */
  refIndex: string;
  onDelete: FkAction;
  onUpdate: FkAction;
  /** ON DELETE SET NULL (col, …) / SET DEFAULT (col, …): only these columns (confdelsetcols), else all of cols */
  delSetCols: number[] | null;
  match: 's' | 'f';
  deferrable: boolean;
  initiallyDeferred: boolean;
  /** convalidated: false after ADD … NOT VALID until VALIDATE CONSTRAINT */
  validated: boolean;
  /**
   * conparentid: the constraint this one was cloned from, on a partitioned table (commands/fkpartition.ts). A clone
   * is either on a partition of the referencing table (`noAction`: it has check triggers only, its parent's
   * referenced-side triggers do the actions) or on the same referencing table for a partition of the referenced
   * one (`noCheck`: action triggers on that partition only). Absent: a constraint of its own.
   */
  parent?: number;
  noAction?: boolean;
  noCheck?: boolean;
}

export interface Table {
  oid: number;
  name: string;
  columns: Column[];
  checks: CheckConstraint[];
  indexes: BtreeIndex[];
  /** FOREIGN KEY constraints of this table (it is the referencing side); absent = none */
  fkeys?: ForeignKey[];
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
  /**
   * pg_class.relpages / reltuples as VACUUM or ANALYZE last set them (absent: never vacuumed); distinct[c] is
   * pg_statistic's n_distinct of column c as ANALYZE measured it over the live rows (-1: every value distinct),
   * nullfrac[c] its stanullfrac, widths[c] its stawidth for a text / varchar column (null: not measured)
   */
  stats?: {
    relpages: number; reltuples: number; relallvisible?: number; distinct?: number[]; nullfrac?: number[]; widths?: (number | null)[];
    /** each column's pg_statistic row as ANALYZE built it (commands/analyze.ts); absent: never analyzed */
    columns?: (ScalarStats | null)[];
  };
  /** pg_class.relfrozenxid: every xid older than this on the table is frozen (set at creation: RecentXmin; VACUUM
   *  advances it to the oldest unfrozen xid it left); relminmxid the same for MultiXacts */
  relfrozenxid?: number;
  relminmxid?: number;
  /** relfrozenxid of the table's TOAST table while it has never had a row, when it has one */
  toastFrozenXid?: number;
  /** the OIDs of its TOAST table and the TOAST table's index (pg_class.reltoastrelid), when it has one. Kept apart
   *  from `toast` because a temporary or unlogged table gets the OIDs (and the pg_class rows) but no stored TOAST
   *  relation here (out-of-line values for those are 0A000); where both exist, toast.oid === toastOids.rel. */
  toastOids?: { rel: number; index: number };
  /** reltoastrelid: the table's TOAST table pg_toast.pg_toast_<oid> (heap/toast_internals.ts), made with it when
   *  needs_toast_table says so; absent: none */
  toast?: Table;
  /** a TOAST table: the OID of the table it belongs to */
  toastOf?: number;
  /** packed tuple length of a tuple without NULLs when every column is fixed-width, else undefined */
  fixedLength?: number;
  /** pg_class.relfilenode: the data file; a new one after TRUNCATE or a rewriting ALTER TABLE (absent = oid) */
  relfilenode?: number;
  /** pg_class.reloptions as PostgreSQL prints them ("fillfactor=50"); absent = none */
  reloptions?: string[];
  /** pg_class.relpersistence 't': a temporary table, visible only to the session that created it, in its schema
   *  pg_temp_N (N the backend ID; `nsp` the schema's OID); ON COMMIT's action (tempcmds.ts) */
  temp?: { session: string; onCommit: 'preserve' | 'delete' | 'drop'; nsp: number; schema: string };
  /** pg_class.relpersistence 'u': CREATE UNLOGGED TABLE — no WAL, emptied by crash recovery (commands/unlogged.ts) */
  unlogged?: boolean;
  /** the LSN from which this relfilenode's WAL starts (REDO skips the table's older records: they were for a file
   *  TRUNCATE or a rewrite replaced) */
  storageLsn?: number;
  /** pg_trigger rows on this table (commands/trigger.ts), in creation order; replaced, never mutated in place */
  triggers?: Trigger[];
  /** relkind 'p': a partitioned table (pg_partitioned_table's key) — no storage, its rows live in its partitions */
  partKey?: PartitionKey;
  /** relispartition: a partition of the table `parent` (by OID) for `bound` (relpartbound; pg_inherits' row);
   *  `detachPending`: pg_inherits.inhdetachpending set by DETACH PARTITION … CONCURRENTLY's first transaction, the
   *  xid that wrote it (the row's xmin: executor/execPartition.ts partitionsOf omits the partition once that xid is
   *  not in progress to the active snapshot); `xmin`: the ATTACH's transaction (others do not route to the partition
   *  until it commits) */
  partOf?: { parent: number; bound: PartitionBound; detachPending?: number; xmin?: number };
  /** relowner (absent: the bootstrap superuser) and relacl (absent: NULL, the owner's default): catalog/acl.ts */
  owner?: number;
  acl?: AclItem[];
  /** the xid that last updated this table's pg_class row without a lock on the table (GRANT / REVOKE): its xmax,
   *  which an inplace update of the row waits for while that transaction runs (lock/lmgr.ts waitForInplaceLock) */
  classXmax?: number;
  /** relnamespace for a table in a schema CREATE SCHEMA made (absent: public, or pg_temp_N for a temporary one) */
  nsp?: { name: string; oid: number };
  /** pg_index.indisclustered: the index (by OID) the last CLUSTER ordered the table by (commands/cluster.ts) */
  clusteredOn?: number;
  /** the xmin of its pg_class row when a transaction that may still be running wrote it (CREATE TABLE, RENAME TO):
   *  other sessions' catalog lookups do not see it until that transaction commits (catalogsnapshot.ts) */
  nameXmin?: number;
  /** relkind 'm': a materialized view (commands/matview.ts) — its stored query (the _RETURN rule's), the text it came
   *  from, whether it is populated (relispopulated) and what it reads (DROP's dependency errors, as a view's) */
  matview?: { query: unknown; sql: string; populated: boolean; deps: { rel: string; columns: string[] }[] };
}

/**
 * A user function (a pg_proc row): LANGUAGE sql or plpgsql, its body kept as text (prosrc) and compiled when first
 * called (pl/compile.ts, as plpgsql_compile caches it per backend). Definitions are immutable: CREATE OR REPLACE
 * puts a new object in the catalog.
 */
export interface PgFunction {
  oid: number;
  name: string;
  /** the input parameters: name (null for an unnamed one) and type ('any' for a polymorphic anyelement / anynonarray) */
  args: { name: string | null; type: SqlType | 'any'; typeName: string; output?: boolean;
    /** DEFAULT expr: its parse tree, compiled and coerced to the parameter's type at each call (sql/funcs/funcmatch.ts) */
    def?: Record<string, any>; }[];
  /** RETURNS: a type, void, trigger or record; `setof` for SETOF / TABLE; `table` the columns of RETURNS TABLE */
  ret: { kind: 'type'; type: SqlType } | { kind: 'void' } | { kind: 'trigger' } | { kind: 'record' } | { kind: 'rowtype'; rel: string };
  setof: boolean;
  /** provariadic: the last input parameter is VARIADIC (its type an array; a call's trailing arguments fill it) */
  variadic?: boolean;
  table: { name: string; type: SqlType }[] | null;
  language: 'sql' | 'plpgsql';
  volatility: 'volatile' | 'stable' | 'immutable';
  strict: boolean;
  /** prokind 'p': a procedure (CREATE PROCEDURE), run by CALL only; absent for a function */
  kind?: 'procedure';
  /** prosrc, and the CREATE FUNCTION text it came from (the PL/pgSQL parser reads the whole statement) */
  body: string;
  source: string;
  /** a function made in pg_temp (CREATE FUNCTION pg_temp.f ...): kept under tempKey(session, name), found only when
   *  a call names pg_temp (or the session's pg_temp_N), dropped with the session's temporary schema */
  temp?: { session: string; nsp: number; schema: string };
}

/** A pg_trigger row: which function runs, when (BEFORE / AFTER), for what (row or statement, the events). */
export interface Trigger {
  oid: number;
  name: string;
  func: string;
  timing: 'before' | 'after';
  row: boolean;
  events: { insert: boolean; update: boolean; delete: boolean; truncate: boolean };
  /** UPDATE OF these columns only (null: any) */
  columns: string[] | null;
  /** WHEN (condition): its parse tree and the CREATE TRIGGER text it points into */
  when: unknown | null;
  whenSql: string;
  args: string[];
  /** ALTER TABLE ... DISABLE TRIGGER: tgenabled 'D' */
  enabled: boolean;
}

/** A view: a stored query (pg_rewrite's _RETURN rule), expanded where its name appears in FROM. */
export interface View {
  oid: number;
  name: string;
  /** the SELECT's parse tree and the text it came from (for column positions in errors) */
  query: unknown;
  sql: string;
  columns: { name: string; type: SqlType }[];
  /** relations (tables or views) and the columns of each this view reads, for DROP's dependency errors */
  deps: { rel: string; columns: string[] }[];
  temp?: { session: string; nsp: number };
  /** its pg_class row's xmin while CREATE VIEW's transaction may still run (catalogsnapshot.ts) */
  nameXmin?: number;
}

/** heap_getattr for every attribute: a tuple shorter than the descriptor answers each missing column's
 *  attmissingval (or NULL) — the tuple itself keeps its natts. */
export function heapGetattrs(t: Table, values: Value[]): Value[] {
  const n = t.columns.length;
  if (values.length >= n) return values;
  const out = values.slice();
  for (let i = values.length; i < n; i++) out.push(t.columns[i]!.missing ?? null);
  return out;
}

/** The columns SQL sees (not dropped), with their positions in the tuple. */
export function liveColumns(t: Table): Column[] {
  return t.columns.filter((c) => !c.dropped);
}

/** The `tables` key of a session's temporary table: no SQL identifier contains a NUL. */
export function tempKey(session: string, name: string): string { return `\0${session}\0${name}`; }
/** The `tables` key of a table in a schema CREATE SCHEMA made (public's tables keep their bare name). */
export function nspKey(schema: string, name: string): string { return `\u0001${schema}\u0001${name}`; }
/** The `tables` key of a table. */
export function tableKey(t: Table): string { return t.temp ? tempKey(t.temp.session, t.name) : t.nsp ? nspKey(t.nsp.name, t.name) : t.name; }

/** A pg_namespace row made by CREATE SCHEMA (public, pg_catalog and pg_temp_N are not kept here). */
export interface Namespace { oid: number; name: string; owner: number }
export const PUBLIC_NAMESPACE_OID = 2200;
/** The `views` / `sequences` key of a view or sequence (a temporary one's as tempKey). */
export function relKey(r: { name: string; temp?: { session: string } | undefined }): string { return r.temp ? tempKey(r.temp.session, r.name) : r.name; }

export const FIRST_NORMAL_OID = 16384;
export const DATABASE_OID = 5;

/** VAR_OID_PREFETCH (varsup.c): OIDs logged ahead by one XLOG NEXTOID record */
export const VAR_OID_PREFETCH = 8192;

/** A deep enough copy of a table for a cloned engine (its heap and indexes copied, its definition arrays too). */
function cloneTable(t: Table): Table {
  return {
    ...t, heap: t.heap.clone(), indexes: t.indexes.map((i) => i.clone()), ...(t.toast ? { toast: cloneTable(t.toast) } : {}),
    checks: t.checks.map((ch) => { const o = { ...ch }; delete o.compiled; return o; }), // compiled forms are rebuilt lazily
    ...(t.fkeys ? { fkeys: t.fkeys.map((f) => ({ ...f })) } : {}),
    columns: t.columns.map((col) => ({ ...col })), types: t.types.slice(),
    keyColumns: new Set(t.keyColumns), indexedColumns: new Set(t.indexedColumns),
    ...(t.reloptions ? { reloptions: t.reloptions.slice() } : {}),
    ...(t.matview ? { matview: { ...t.matview } } : {}),
  };
}

export class Catalog {
  tables = new Map<string, Table>();
  /** indexes made by CREATE INDEX (not backing a constraint: DROP INDEX may remove them) */
  standaloneIndexes = new Set<string>();
  sequences = new Map<string, Sequence>();
  views = new Map<string, View>();
  /** user functions by name (overloads side by side): pg_proc's rows for what CREATE FUNCTION made */
  functions = new Map<string, PgFunction[]>();
  /** pg_description / pg_shdescription: COMMENT ON's descriptions by classoid/objoid/objsubid; null records that an
   *  initdb comment was removed (commands/comment.ts) */
  descriptions = new Map<string, string | null>();
  shdescriptions = new Map<string, string | null>();
  /** pg_extension: the extensions CREATE EXTENSION made, by name (commands/extension.ts) */
  extensions = new Map<string, { oid: number; version: string }>();
  nextOid = FIRST_NORMAL_OID;
  /**
   * The OID counter's logged bound (nextOid + oidCount, varsup.c GetNewObjectId): when nextOid reaches it, the next
   * VAR_OID_PREFETCH OIDs are WAL-logged ahead in one XLOG NEXTOID record (onOidPrefetch). A fresh server starts
   * with none prefetched (so its first OID logs one); after a crash the counter resumes at the bound.
   */
  oidBound = FIRST_NORMAL_OID;
  onOidPrefetch: ((bound: number) => void) | null = null;
  /** the running session's active snapshot (ActiveSnapshotSet / GetActiveSnapshot), wired by the engine; null when
   *  no statement of a session runs (executor/execPartition.ts: a partition pending detach is omitted by it) */
  activeSnapshot: (() => Snapshot | null) | null = null;
  /** bumped by every change to a table's definition or storage (ALTER TABLE, TRUNCATE): a statement that waited
   *  for a lock meanwhile analyzes again */
  generation = 0;
  private currentSession: string | null = null;
  /** the session whose statement runs: its temporary tables come first in name lookups (pg_temp in search_path);
   *  setting it makes this the catalog the planner's index lists are read from (catalogsnapshot.ts plannerIndexes) */
  get current(): string | null { return this.currentSession; }
  set current(v: string | null) { this.currentSession = v; setActiveCatalog(this); }
  /** OIDs of temporary relations (tables and their indexes): not WAL-logged (RelationNeedsWAL is false) */
  localRels = new Set<number>();
  /** OIDs of unlogged relations (CREATE UNLOGGED TABLE and its indexes): shared buffers, but not WAL-logged either;
   *  crash recovery resets them to empty (commands/unlogged.ts) */
  unloggedRels = new Set<number>();
  /** Is nothing logged for this relation (RelationNeedsWAL false: a temporary or an unlogged one)? */
  skipsWal(oid: number): boolean { return this.localRels.has(oid) || this.unloggedRels.has(oid); }
  /** pg_namespace rows made for pg_temp_N / pg_toast_temp_N (InitTempTableNamespace), by backend ID: kept after
   *  the session ends, reused by the next backend with that ID */
  tempNamespaces = new Map<number, number>();
  /** pg_authid: the roles by name (catalog/acl.ts; commands/user.ts makes and drops them); rows are replaced, never mutated */
  roles = new Map<string, Role>([[BOOTSTRAP_SUPERUSER.name, BOOTSTRAP_SUPERUSER]]);
  /** pg_namespace: the schemas CREATE SCHEMA made, by name (commands/schemacmds.ts) */
  namespaces = new Map<string, Namespace>();
  /** pg_type rows of the enum types CREATE TYPE ... AS ENUM made, by name, with their pg_enum rows (commands/typecmds.ts) */
  enums = new Map<string, EnumType>();
  /** pg_type rows of the domains CREATE DOMAIN made, by name (commands/typecmds.ts, adt/domains.ts) */
  domains = new Map<string, DomainType>();
  /** pg_type rows of the composite types CREATE TYPE ... AS (...) made, by name (commands/typecmds.ts, adt/rowtypes.ts) */
  composites = new Map<string, CompositeType>();
  /** the running session's search_path items (set with `current`): unqualified table names are looked up in them */
  searchPath: string[] = ['public'];
  /** relations dropped by a transaction still in progress: their pg_class rows, which other sessions still see
   *  (the catalog is not MVCC-versioned here; only DROP INDEX records them) */
  droppedPending: { row: Value[]; session: string; xid: number }[] = [];
  /** running transactions that changed tables or indexes, by xid, with their session (catalogsnapshot.ts) */
  pendingXids = new Map<number, string>();
  /** pg_class rows of tables a running transaction dropped or renamed away: other sessions still find them */
  shadows: Shadow[] = [];
  /** pg_inherits' rows of table inheritance (catalog/pg_inherits.ts), and the ones a running transaction deleted */
  inherits: InhRow[] = [];
  inhDeleted: InhDeleted[] = [];

  clone(): Catalog {
    const c = new Catalog();
    c.inherits = this.inherits.map((r) => ({ ...r }));
    c.inhDeleted = this.inhDeleted.map((d) => ({ ...d, row: { ...d.row } }));
    c.roles = new Map(this.roles);
    c.namespaces = new Map(this.namespaces);
    for (const [name, e] of this.enums) c.enums.set(name, { ...e, labels: e.labels.slice() });
    c.domains = new Map(this.domains);
    c.composites = new Map(this.composites);
    c.searchPath = this.searchPath;
    c.currentSession = this.currentSession;
    c.localRels = new Set(this.localRels);
    c.unloggedRels = new Set(this.unloggedRels);
    c.tempNamespaces = new Map(this.tempNamespaces);
    c.droppedPending = this.droppedPending.slice();
    c.pendingXids = new Map(this.pendingXids);
    c.nextOid = this.nextOid;
    c.oidBound = this.oidBound;
    c.generation = this.generation;
    c.standaloneIndexes = new Set(this.standaloneIndexes);
    c.extensions = new Map(this.extensions);
    c.descriptions = new Map(this.descriptions);
    c.shdescriptions = new Map(this.shdescriptions);
    for (const [name, sq] of this.sequences) c.sequences.set(name, sq.clone());
    for (const [name, fs] of this.functions) c.functions.set(name, fs.slice());
    for (const [name, v] of this.views) c.views.set(name, { ...v, columns: v.columns.slice(), deps: v.deps.slice() });
    for (const [name, t] of this.tables) c.tables.set(name, cloneTable(t));
    const byOid = new Map([...c.tables.values()].map((t) => [t.oid, t]));
    // a dropped table's shadow: its own copy (it is in no map)
    c.shadows = this.shadows.map((sh) => (sh.table ? { ...sh, table: byOid.get(sh.table.oid) ?? cloneTable(sh.table) }
      : sh.seq ? { ...sh, seq: c.sequences.get(sh.key) ?? sh.seq.clone() } : { ...sh }));
    return c;
  }

  /** pg_proc's functions of this name as the running session sees them: with those another session's running
   *  DROP FUNCTION deleted (its shadow, catalogsnapshot.ts) */
  functionsNamed(name: string, schema?: 'pg_temp'): PgFunction[] | undefined {
    // pg_temp.f: the running session's own temporary functions only (never on the search path, namespace.c's
    // FuncnameGetCandidates skips pg_temp for functions); no other session can see them
    if (schema === 'pg_temp') return this.current === null ? undefined : this.functions.get(tempKey(this.current, name));
    const own = this.functions.get(name);
    if (!this.shadows.length) return own;
    const dropped = this.shadows.filter((sh) => sh.fns && sh.key === `fn:${name}` && sh.session !== this.current).flatMap((sh) => sh.fns!);
    return dropped.length ? [...(own ?? []), ...dropped] : own;
  }

  allocOid(): number {
    if (this.nextOid >= this.oidBound) { this.oidBound = this.nextOid + VAR_OID_PREFETCH; this.onOidPrefetch?.(this.oidBound); }
    return this.nextOid++;
  }
  /** A table by name as the running session sees it: its temporary table first, then public's. */
  get(name: string): Table | undefined {
    if (this.current !== null && this.localRels.size) { const t = this.tables.get(tempKey(this.current, name)); if (t) return t; }
    if (!this.namespaces.size) return this.rel(name);
    for (const sch of this.pathSchemas()) { const t = this.getIn(sch, name); if (t) return t; }
    return undefined;
  }
  /** The schemas of search_path that exist, in order (public, or a CREATE SCHEMA one; "$user" and pg_temp left out). */
  pathSchemas(): string[] { return this.searchPath.filter((x) => x === 'public' || this.namespaces.has(x)); }
  /** A table of one schema ('public' or a CREATE SCHEMA one), by name. */
  getIn(schema: string, name: string): Table | undefined { return this.rel(schema === 'public' ? name : nspKey(schema, name)); }
  /**
   * The table under `key` as the running session's catalog snapshot sees it: not one another session's running
   * transaction created or renamed to this name; one it dropped or renamed away (catalogsnapshot.ts).
   */
  /** The table under `key` that another session's running transaction created or renamed to it (not visible here). */
  hidden(key: string): Table | undefined {
    const t = this.tables.get(key);
    return t && t.nameXmin !== undefined && !catalogSees(this, t.nameXmin) ? t : undefined;
  }
  rel(key: string): Table | undefined {
    const t = this.tables.get(key);
    if (t && (t.nameXmin === undefined || catalogSees(this, t.nameXmin))) return t;
    for (const sh of this.shadows) if (sh.table && sh.key === key && sh.session !== this.current) return sh.table;
    return undefined;
  }
  /** Is the table's schema on search_path (RelationIsVisible, for a table found first by its name)? */
  isVisible(t: Table): boolean { return !!t.temp || this.get(t.name) === t; }
  /** A view by name as the running session sees it: its temporary view first (`schema` 'public' / 'pg_temp': only there). */
  view(name: string, schema?: string): View | undefined { return this.lookup(this.views, name, schema, (sh) => sh.view); }
  /** A sequence by name as the running session sees it: its temporary sequence first. */
  sequence(name: string, schema?: string): Sequence | undefined { return this.lookup(this.sequences, name, schema, (sh) => sh.seq); }
  private lookup<T extends { nameXmin?: number }>(m: Map<string, T>, name: string, schema: string | undefined,
    shadowed: (sh: Shadow) => T | undefined): T | undefined {
    if (schema !== 'public' && this.current !== null) { const r = m.get(tempKey(this.current, name)); if (r || schema === 'pg_temp') return r; }
    if (schema === 'pg_temp') return undefined;
    // the catalog snapshot: not another session's uncommitted CREATE, still its uncommitted DROP's row
    const r = m.get(name);
    if (r && (r.nameXmin === undefined || catalogSees(this, r.nameXmin))) return r;
    for (const sh of this.shadows) if (sh.key === name && sh.session !== this.current) { const o = shadowed(sh); if (o) return o; }
    return undefined;
  }
  /** Is this table visible to the running session (not another session's temporary table)? */
  visible(t: Table): boolean { return !t.temp || t.temp.session === this.current; }
  /** An index by name as the running session sees it (its temporary tables' indexes first). */
  indexByName(name: string): { table: Table; index: BtreeIndex } | undefined {
    let found: { table: Table; index: BtreeIndex } | undefined;
    const path = this.namespaces.size ? this.pathSchemas() : null;
    for (const t of this.tables.values()) {
      if (!this.visible(t) || (path && !t.temp && !path.includes(t.nsp?.name ?? 'public'))) continue;
      const index = t.indexes.find((i) => i.name === name);
      if (index && (t.temp || !found)) { found = { table: t, index }; if (t.temp) break; }
    }
    return found;
  }
  /** pg_toast.pg_toast_<oid> (a table's TOAST table) or pg_toast.pg_toast_<oid>_index, by name */
  toastRel(name: string): { table: Table; index: BtreeIndex | null } | undefined {
    const m = /^pg_toast_(\d+)(_index)?$/.exec(name);
    if (!m) return undefined;
    const oid = Number(m[1]);
    for (const t of this.tables.values()) if (t.oid === oid && t.toast) return { table: t.toast, index: m[2] ? t.toast.indexes[0]! : null };
    return undefined;
  }
  byOid(oid: number): Table | BtreeIndex | undefined {
    for (const t of this.tables.values()) {
      if (t.oid === oid) return t;
      for (const i of t.indexes) if (i.oid === oid) return i;
      if (t.toast && (t.toast.oid === oid || t.toast.indexes[0]!.oid === oid)) return t.toast.oid === oid ? t.toast : t.toast.indexes[0];
    }
    return undefined;
  }
  relationName(oid: number): string {
    const r = this.byOid(oid);
    return r ? r.name : String(oid);
  }
  /** Is the name used by a table or an index? (relations share one namespace) */
  relationExists(name: string, tempSession?: string, schema?: string): boolean {
    if (schema !== undefined && schema !== 'public') {
      // a CREATE SCHEMA schema holds only tables and their indexes here
      return this.tables.has(nspKey(schema, name)) || [...this.tables.values()].some((t) => t.nsp?.name === schema && t.indexes.some((i) => i.name === name));
    }
    if (tempSession !== undefined) {
      // pg_temp_N holds only this session's temporary tables and their indexes here
      const k = tempKey(tempSession, name);
      if (this.tables.has(k) || this.views.has(k) || this.sequences.has(k)) return true;
      for (const t of this.tables.values()) if (t.temp?.session === tempSession && t.indexes.some((i) => i.name === name)) return true;
      return false;
    }
    // another session's uncommitted relation of that name counts (CREATE TABLE waits for it first: tablecmds.ts), and
    // so does the row of one it dropped or renamed away but has not committed
    if (this.tables.has(name) || this.sequences.has(name) || this.views.has(name) || this.composites.has(name)) return true;
    if (this.shadows.some((sh) => sh.key === name && sh.session !== this.current)) return true;
    for (const t of this.tables.values()) if (!t.temp && !t.nsp) for (const i of t.indexes) if (i.name === name) return true;
    return false;
  }
}
