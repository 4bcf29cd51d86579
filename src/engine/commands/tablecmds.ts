/**
 * CREATE TABLE and DROP (TABLE, VIEW, SEQUENCE, …): the catalog changes, their locks, and what they write (a
 * relation file: Storage/CREATE in WAL; each PRIMARY KEY / UNIQUE index built empty).
 *
 * Mirrors: src/backend/commands/tablecmds.c (DefineRelation, RemoveRelations), catalog/heap.c
 * (heap_create_with_catalog). Simplifications: catalog changes are not MVCC-versioned (an
 * aborted CREATE is undone by a list of undo actions); the TOAST table (catalog/toasting.ts) of a table that needs one.
 * CREATE / DROP INDEX live in defineindex.ts, ALTER TABLE in altertable.ts, TRUNCATE in truncate.ts, what they do to
 * storage in relfile.ts.
 */
import { dropTransactional } from '../pgstat/pgstat_function.js';
import { waitForXact, grantLock } from '../lock/proc.js';
import { stampCreated, shadowRow, shadowOf, unshadow } from '../catalog/catalogsnapshot.js';
import { ensureTopXid } from '../xact/xactblock.js';
import { logIndexBuild } from '../wal/nbtsort_xlog.js';
import { logAccessExclusiveLock } from '../wal/standby.js';
import type { Executor } from '../executor/executor.js';
import { PgError, notSupported, posOf } from '../errors.js';
import type { Session, QueryResult } from '../session/session.js';
import { countScan } from '../pgstat/pgstat_relation.js';
import { intConst, materializeLiterals } from '../sql/parser.js';
import { recentXmin, lockNewIndex, logToastTable } from './relfile.js';
import { compileExpr } from '../sql/expr.js';
import { typeDependents } from './typecmds.js';
import { resolveTypeName, typeDisplayName, type SqlType } from '../sql/types.js';
import { relKey, tableKey, tempKey, nspKey, type Table, type Column, type CheckConstraint } from '../catalog/catalog.js';
import { markLocal, onCommitOf, tempNamespace } from './tempcmds.js';
import { markUnlogged, logHeapInitFork, logIndexInitFork, markUnloggedSequence, INIT_FORK } from './unlogged.js';
import { HeapRelation } from '../heap/heap.js';
import { BtreeIndex } from '../index/btree.js';
import { Sequence, type SeqParams } from '../sequence/sequence.js';
import { identityParams } from './sequence.js';
import { applyRelOptions, fillfactorOf } from '../catalog/reloptions.js';
import { checkNoDependents, dependentViews, removeView } from './view.js';
import { tupleLengthPacked } from '../heap/tuple.js';
import { LockMode } from '../lock/lock.js';
import { WalKind } from '../wal/wal.js';
import { clonePartitionKeys } from './fkpartition.js';
import { addForeignKey, referencedTableError, dependentKeys, dropKeyFamily } from './atforeignkey.js';
import { referencingKeys, tableByOid } from '../ri/ri_triggers.js';
import { partitionOfStart, partitionKeyOf, checkPartitionBound } from './partitioncmds.js';
import { allPartitions, parentOf } from '../executor/execPartition.js';
import { creationSchema } from './schemacmds.js';
import { tableLike } from './tablelike.js';
import { inheritStart, mergeLocalColumns, mergeLocalChecks, addInhRow, inheritanceDependents, dropDependentTable, dropInheritRows } from './inheritcmds.js';
import { N, Gen, SERIAL_TYPES, needsToast, collectColumnRefs } from '../executor/util.js';
import { makeToastTable } from '../catalog/toasting.js';

export function* createTable(ex: Executor, s: Session, n: N): Gen<QueryResult> {
  const rv = n.relation;
  // CREATE TEMP TABLE, or a table named into pg_temp: the session's temporary schema (commands/tempcmds.ts)
  const temp = rv.relpersistence === 't' || rv.schemaname === 'pg_temp';
  if (rv.schemaname && rv.schemaname !== 'public' && rv.schemaname !== 'pg_temp' && rv.relpersistence === 't') {
    throw new PgError('42P16', 'cannot create temporary relation in non-temporary schema', { position: posOf(rv.location)! });
  }
  const schema = temp ? 'pg_temp' : creationSchema(ex, rv); // public, or a CREATE SCHEMA one (commands/schemacmds.ts)
  const nspRow = temp || schema === 'public' ? undefined : ex.eng.catalog.namespaces.get(schema)!;
  if (nspRow && (n.partbound || n.partspec)) throw notSupported('partitioned tables in a schema other than public');
  if (rv.schemaname === 'public' && rv.relpersistence === 't') throw new PgError('42P16', 'cannot create temporary relation in non-temporary schema', { position: posOf(rv.location)! });
  // CREATE UNLOGGED TABLE (commands/unlogged.ts); not as a partition or a partitioned table, nor with INHERITS here
  if (rv.relpersistence === 'u' && (n.partbound || n.partspec || n.inhRelations?.length)) throw notSupported('unlogged partitioned or inheriting tables');
  // INHERITS (parent, …): the parents' columns and CHECKs, merged (commands/inheritcmds.ts)
  const inh = n.inhRelations?.length && !n.partbound ? yield* inheritStart(ex, s, n, temp) : null;
  // PARTITION OF parent: the parent's columns, checks and unique keys (commands/partitioncmds.ts)
  const part = n.partbound ? yield* partitionOfStart(ex, s, n) : null;
  const onCommit = onCommitOf(n, temp);
  ex.checkReadOnly(s, 'CREATE TABLE'); // even a temporary one (PreventCommandIfReadOnly)
  const cat = ex.eng.catalog;
  const name = rv.relname as string;
  const tempSession = temp ? s.name : undefined;
  const inSchema = nspRow?.name;
  // another session's uncommitted table of this name is not seen here (its pg_type row is waited for below)
  const hiddenOther = !temp && !!cat.hidden(inSchema ? nspKey(inSchema, name) : name);
  let existing: PgError | null = null;
  if (!hiddenOther && cat.relationExists(name, tempSession, inSchema)) {
    if (n.if_not_exists) {
      s.acc.notices.push({ severity: 'NOTICE', sqlstate: '42P07', message: `relation "${name}" already exists, skipping` });
      return { command: 'CREATE TABLE', columns: null, rows: [] };
    }
    // without IF NOT EXISTS the name is taken only in heap_create_with_catalog, after DefineRelation has looked up
    // the column types (CREATE TABLE u (x nosuchtype) is 42704 even when u exists)
    existing = new PgError('42P07', `relation "${name}" already exists`);
  }
  const columns: Column[] = [];
  const checks: CheckConstraint[] = [];
  const uniques: { cols: string[]; primary: boolean; name?: string; include?: string[]; options?: N[]; unique?: boolean; parentIndex?: number }[] = [];
  const checkNames = new Set<string>();
  const serials: { seqName: string; column: string; max: number | bigint; params?: SeqParams }[] = [];
  const foreign: N[] = [];
  const pickName = (base: string) => { let nm = base, i = 0; while (checkNames.has(nm) || cat.relationExists(nm, tempSession, inSchema)) nm = `${base}${++i}`; checkNames.add(nm); return nm; };
  if (part) {
    columns.push(...part.columns);
    for (const u of part.uniques) uniques.push({ cols: u.cols, primary: u.primary, unique: u.unique, parentIndex: u.parentIndex });
  }
  const likeChecks: CheckConstraint[] = [];
  const likeIndexes: typeof uniques = [];
  for (const el of (n.tableElts ?? []) as N[]) {
    if (el.ColumnDef) {
      const cd = el.ColumnDef;
      const tn = cd.typeName;
      const tnames = (tn.names as N[]).map((x) => x.String.sval as string);
      const last = tnames[tnames.length - 1]!.toLowerCase();
      const serial = SERIAL_TYPES.get(last);
      const mods = ((tn.typmods ?? []) as N[]).map((m) => intConst(m.A_Const) ?? 0);
      // CheckAttributeType: an anonymous record is a pseudo-type, no column's type
      if (last === 'record' && tnames.length <= 2) throw new PgError('42P16', `column "${String(cd.colname)}" has pseudo-type record${tn.arrayBounds?.length ? '[]' : ''}`);
      const type = serial ? resolveTypeName([serial], [], posOf(tn.location)) : resolveTypeName(tnames, mods, posOf(tn.location), tn.arrayBounds);
      if (['xid8', 'tid', 'pg_snapshot', 'txid_snapshot', 'pg_lsn'].includes(type.name)) throw notSupported(`columns of type ${type.name}`, posOf(tn.location));
      if (columns.some((c) => c.name === cd.colname)) throw new PgError('42701', `column "${cd.colname}" specified more than once`);
      const col: Column = { name: cd.colname, type, notNull: false, defaultExpr: null, attnum: columns.length + 1 };
      if (serial) {
        // a serial column is an integer with NOT NULL and DEFAULT nextval('<table>_<col>_seq') (transformColumnDefinition)
        let seqName = `${name}_${cd.colname}_seq`;
        for (let k = 1; cat.relationExists(seqName, tempSession) || serials.some((x) => x.seqName === seqName); k++) seqName = `${name}_${cd.colname}_seq${k}`;
        serials.push({ seqName, column: cd.colname, max: type.name === 'int8' ? 9223372036854775807n : type.name === 'int2' ? 32767 : 2147483647 });
        col.notNull = true;
        col.defaultExpr = { FuncCall: { funcname: [{ String: { sval: 'nextval' } }], args: [{ A_Const: { sval: { sval: seqName }, location: -1 } }], location: -1 } };
      }
      let lastCon: N | null = null;
      for (const cn of (cd.constraints ?? []) as N[]) {
        const c = cn.Constraint;
        if (c.contype.startsWith('CONSTR_ATTR_')) { constraintAttr(lastCon, c); continue; }
        lastCon = c;
        switch (c.contype) {
          case 'CONSTR_NOTNULL': col.notNull = true; break;
          case 'CONSTR_NULL': break;
          case 'CONSTR_DEFAULT':
            if (col.identity) throw new PgError('42601', `both default and identity specified for column "${cd.colname}" of table "${name}"`, { position: posOf(c.location)! });
            col.defaultExpr = materializeLiterals(c.raw_expr); break;
          case 'CONSTR_PRIMARY': col.notNull = true; uniques.push({ cols: [cd.colname], primary: true, name: c.conname, options: c.options }); break;
          case 'CONSTR_UNIQUE':
            if (c.nulls_not_distinct) throw notSupported('UNIQUE NULLS NOT DISTINCT', posOf(c.location));
            uniques.push({ cols: [cd.colname], primary: false, name: c.conname, options: c.options }); break;
          case 'CONSTR_CHECK':
            if (c.is_no_inherit) throw notSupported('NO INHERIT check constraints', posOf(c.location));
            checks.push({ name: c.conname ?? '', expr: materializeLiterals(c.raw_expr), base: `${name}_${cd.colname}_check` } as CheckConstraint & { base: string }); break;
          case 'CONSTR_FOREIGN': {
            const fk = { ...c, fk_attrs: [{ String: { sval: cd.colname } }] };
            foreign.push(fk);
            lastCon = fk;
            break;
          }
          case 'CONSTR_IDENTITY': {
            // an identity column: NOT NULL, values from its own sequence t_col_seq (transformColumnDefinition)
            if (!['int2', 'int4', 'int8'].includes(type.name)) throw new PgError('22023', 'identity column type must be smallint, integer, or bigint');
            if (col.defaultExpr || serial) throw new PgError('42601', `both default and identity specified for column "${cd.colname}" of table "${name}"`, { position: posOf(c.location)! });
            let seqName = `${name}_${cd.colname}_seq`;
            for (let k = 1; cat.relationExists(seqName, tempSession) || serials.some((x) => x.seqName === seqName); k++) seqName = `${name}_${cd.colname}_seq${k}`;
            const params = identityParams(ex, (c.options ?? []) as N[], type.name);
            serials.push({ seqName, column: cd.colname, max: params.max, params });
            col.identity = c.generated_when === 'a' ? 'a' : 'd';
            col.notNull = true;
            col.defaultExpr = { FuncCall: { funcname: [{ String: { sval: 'nextval' } }], args: [{ A_Const: { sval: { sval: seqName }, location: -1 } }], location: -1 } };
            break;
          }
          case 'CONSTR_GENERATED':
            if (c.generated_kind === 'v') throw notSupported('virtual generated columns (PostgreSQL 15 has STORED only)', posOf(c.location));
            if (col.defaultExpr || col.identity) throw new PgError('42601', `both default and generation expression specified for column "${cd.colname}" of table "${name}"`, { position: posOf(c.location)! });
            col.generated = materializeLiterals(c.raw_expr);
            break;
          default: throw notSupported(`column constraint ${c.contype}`, posOf(c.location));
        }
      }
      columns.push(col);
    } else if (el.Constraint) {
      const c = el.Constraint;
      const keys = ((c.keys ?? []) as N[]).map((k) => k.String.sval as string);
      switch (c.contype) {
        case 'CONSTR_PRIMARY': case 'CONSTR_UNIQUE':
          if (c.deferrable) throw notSupported('deferrable unique constraints', posOf(c.location));
          if (c.nulls_not_distinct) throw notSupported('UNIQUE NULLS NOT DISTINCT', posOf(c.location));
          uniques.push({ cols: keys, primary: c.contype === 'CONSTR_PRIMARY', name: c.conname, include: ((c.including ?? []) as N[]).map((k) => k.String.sval as string), options: c.options });
          break;
        case 'CONSTR_CHECK': {
          if (c.is_no_inherit) throw notSupported('NO INHERIT check constraints', posOf(c.location));
          const refs = new Set<string>();
          collectColumnRefs(c.raw_expr, refs);
          const base = refs.size === 1 ? `${name}_${[...refs][0]}_check` : `${name}_check`;
          checks.push({ name: c.conname ?? '', expr: materializeLiterals(c.raw_expr), base } as CheckConstraint & { base: string });
          break;
        }
        case 'CONSTR_FOREIGN': foreign.push(c); break;
        case 'CONSTR_EXCLUSION': throw notSupported('exclusion constraints', posOf(c.location));
        default: throw notSupported(`table constraint ${c.contype}`, posOf(c.location));
      }
    } else if (el.TableLikeClause) {
      // LIKE other: its columns here; its CHECKs and indexes (when INCLUDING asks) after the table's own
      const got = yield* tableLike(ex, s, el.TableLikeClause, columns);
      likeChecks.push(...got.checks);
      for (const u of got.indexes) likeIndexes.push({ cols: u.cols, primary: u.primary, unique: u.unique, include: u.include });
    } else throw notSupported(`CREATE TABLE element ${Object.keys(el)[0]}`);
  }
  if (existing) throw existing;
  checks.push(...likeChecks);
  uniques.push(...likeIndexes);
  if (inh) {
    const merged = mergeLocalColumns(s, inh, columns);
    columns.splice(0, columns.length, ...merged);
    const mergedChecks = mergeLocalChecks(s, name, inh, checks as (CheckConstraint & { base: string })[]);
    checks.splice(0, checks.length, ...mergedChecks);
    for (const ch of inh.checks) checkNames.add(ch.name);
  }
  const partKey = n.partspec ? partitionKeyOf(n.partspec, columns, uniques.filter((u) => u.unique !== false), name) : undefined;
  if (part && part.checks.length) throw notSupported('CHECK constraints inherited by a partition');
  if (uniques.filter((u) => u.primary).length > 1) throw new PgError('42P16', `multiple primary keys for table "${name}" are not allowed`);
  if (nspRow && (serials.length || foreign.length)) throw notSupported(`${serials.length ? 'serial and identity columns' : 'foreign keys'} in a schema other than public`);
  const reloptions = n.options?.length ? applyRelOptions(undefined, n.options as N[], false).options : [];
  ex.eng.ensureXid(s);
  const nsp = temp ? tempNamespace(ex.eng, s) : null; // first use: pg_temp_N and pg_toast_temp_N take two OIDs
  // serial columns' sequences are created first (CREATE SEQUENCE runs before CREATE TABLE)
  for (const sq of serials) {
    const seq = new Sequence(cat.allocOid(), sq.seqName, sq.params ?? sq.max, name);
    seq.ownedByColumn = sq.column;
    if (nsp) seq.temp = { session: s.name, nsp: nsp.nsp }; // a temporary table's sequence is temporary: no WAL
    if (rv.relpersistence === 'u') markUnloggedSequence(ex.eng, seq); // an unlogged table's is unlogged
    const key = relKey(seq);
    cat.sequences.set(key, seq);
    if (!nsp) stampCreated(cat, s.name, ensureTopXid(ex.eng, s), seq);
    s.tx!.undo.push(() => cat.sequences.delete(key));
    if (!nsp) ex.eng.wal.insert(WalKind.StorageCreate, s.tx!.writeXid, 42, seq.oid, -1, 0, 0, seq.unlogged ? INIT_FORK : undefined);
  }
  // OIDs in PostgreSQL's order: the table, its array type and row type, one per DEFAULT and CHECK,
  // the TOAST table and its index (when a column is unbounded), then an index + a constraint per key.
  const oid = cat.allocOid();
  cat.allocOid(); cat.allocOid();
  const nDefaults = columns.filter((c) => (c.defaultExpr && !c.identity) || c.generated).length; // an identity column has no pg_attrdef row
  for (let i = 0; i < nDefaults + checks.length; i++) cat.allocOid();
  // CREATE TABLE AS / CREATE MATERIALIZED VIEW (commands/createas.ts): the columns have the query's types
  if (n.ctasTypes) (n.ctasTypes as SqlType[]).forEach((type, i) => { if (columns[i]) columns[i]!.type = type; });
  const toast = !partKey && needsToast(columns); // a partitioned table has no storage, so no TOAST table
  const toastOids = toast ? { rel: cat.allocOid(), index: cat.allocOid() } : undefined;
  for (const ch of checks as (CheckConstraint & { base: string })[]) ch.name ||= pickName(ch.base);
  const table: Table = {
    oid, name, columns,
    checks: checks.map(({ name: nm, expr, inhcount, notLocal }) => ({ name: nm, expr, ...(inhcount ? { inhcount } : {}), ...(notLocal ? { notLocal } : {}) })),
    indexes: [], heap: new HeapRelation(),
    keyColumns: new Set(), indexedColumns: new Set(), types: columns.map((c) => c.type),
  };
  if (nsp) table.temp = { session: s.name, onCommit, ...nsp };
  if (toastOids) table.toastOids = toastOids;
  if (rv.relpersistence === 'u') table.unlogged = true;
  // (a temporary or unlogged table's TOAST table — pg_toast_temp_N, no WAL — is not modelled: heapam refuses a
  // value that would go there)
  if (toastOids && !nsp && !table.unlogged) table.toast = makeToastTable(oid, toastOids.rel, toastOids.index);
  if (nspRow) table.nsp = { name: nspRow.name, oid: nspRow.oid };
  table.relfrozenxid = partKey ? 0 : recentXmin(ex, s); // heapam_relation_set_new_filenode: RecentXmin
  if (partKey) { table.partKey = partKey; table.relminmxid = 0; }
  if (part) {
    yield* checkPartitionBound(ex, s, part.parent, name, part.bound, posOf(n.partbound.location));
    table.partOf = { parent: part.parent.oid, bound: part.bound };
  }
  if (reloptions.length) { table.reloptions = reloptions; table.heap.fillfactor = fillfactorOf(reloptions); }
  if (columns.every((c) => ['int2', 'int4', 'int8', 'bool'].includes(c.type.name))) {
    table.fixedLength = tupleLengthPacked(columns.map(() => 0), table.types);
  }
  for (const u of uniques) {
    const colIdx = u.cols.map((cn) => {
      const i = columns.findIndex((c) => c.name === cn);
      if (i < 0) throw new PgError('42703', `column "${cn}" named in key does not exist`);
      return i;
    });
    if (u.primary) for (const i of colIdx) columns[i]!.notNull = true;
    const unique = u.unique ?? true;
    const iname = u.name ?? pickName(u.primary ? `${name}_pkey` : `${name}_${u.cols.join('_')}_${unique ? 'key' : 'idx'}`);
    const incl = (u.include ?? []).map((cn) => {
      const i = columns.findIndex((c) => c.name === cn);
      if (i < 0) throw new PgError('42703', `column "${cn}" named in key does not exist`);
      return i;
    });
    const index = new BtreeIndex(cat.allocOid(), iname, colIdx, unique, u.primary, incl);
    // PRIMARY KEY / UNIQUE ... WITH (fillfactor = 70): the index's storage parameters
    if (u.options?.length) index.reloptions = applyRelOptions(undefined, u.options, false, 'btree').options;
    if (unique) cat.allocOid(); // its pg_constraint row
    if (u.parentIndex !== undefined) index.parentIndex = u.parentIndex;
    if (!unique) cat.standaloneIndexes.add(iname); // no constraint behind it
    table.indexes.push(index);
    for (const i of colIdx) { if (unique) table.keyColumns.add(i); table.indexedColumns.add(i); }
    for (const i of incl) table.indexedColumns.add(i);
  }
  // validate CHECK and DEFAULT expressions now, as PostgreSQL does at CREATE time
  const snapshot = () => ex.eng.snapshotFor(s);
  for (const ch of table.checks) {
    const c = compileExpr(ch.expr as N, { ...ex.tableScope(table, null, s, snapshot, ''), hasSystem: false });
    if (c.type.name !== 'bool') throw new PgError('42804', `argument of CHECK must be type boolean, not type ${typeDisplayName(c.type)}`);
    ch.compiled = c;
  }
  for (const c of columns) if (c.defaultExpr) ex.assign(compileExpr(c.defaultExpr as N, { relName: null, alias: null, columns: [], hasSystem: false, env: ex.env(s, snapshot), sql: '' }), c, undefined);
  for (const c of columns) {
    if (!c.generated) continue;
    // a generation expression reads the row's other, ordinary columns (checkGeneratedColumns / check_nested_generated)
    const refs = new Set<string>();
    collectColumnRefs(c.generated, refs);
    for (const r of refs) {
      if (columns.some((o) => o.name === r && o.generated)) {
        throw new PgError('42P17', `cannot use generated column "${r}" in column generation expression`, { detail: 'A generated column cannot reference another generated column.' });
      }
    }
    ex.assign(compileExpr(c.generated as N, { ...ex.tableScope(table, null, s, snapshot, ''), hasSystem: false }), c, undefined);
  }
  const key = tableKey(table);
  // another session's uncommitted table of this name: not seen by the name check above, but its pg_type row is in
  // the unique index this CREATE inserts into — wait for its transaction (_bt_check_unique), then fail if it committed
  for (let other = cat.hidden(key); other; other = cat.hidden(key)) {
    yield* waitForXact(ex.eng, s, other.nameXmin!, `creating relation "${name}"`);
    if (cat.tables.get(key) === other) {
      throw new PgError('23505', 'duplicate key value violates unique constraint "pg_type_typname_nsp_index"',
        { detail: `Key (typname, typnamespace)=(${name}, ${table.temp ? table.temp.nsp : table.nsp?.oid ?? 2200}) already exists.` });
    }
  }
  cat.tables.set(key, table);
  // index_build of each PRIMARY KEY / UNIQUE index scans the (empty) heap: pg_stat_user_tables counts a seq_scan
  // for each (heapam_index_build_range_scan's table_beginscan_strat; measured: vacuum/stats-setup.spec)
  if (!table.partKey) for (let i = 0; i < table.indexes.length; i++) countScan(s, table.oid, 'seq', 0);
  // its pg_class row: not in other sessions' catalog snapshots until this transaction commits
  if (!table.temp) stampCreated(cat, s.name, ensureTopXid(ex.eng, s), table);
  markLocal(ex.eng, table);
  markUnlogged(ex.eng, table);
  if (inh) inh.parents.forEach((p, i) => addInhRow(ex, s, oid, p.oid, i + 1));
  s.tx!.undo.push(() => {
    cat.tables.delete(key);
    for (const r of [oid, ...table.indexes.map((i) => i.oid)]) { cat.localRels.delete(r); cat.unloggedRels.delete(r); }
  });
  dropTransactional(s.tx!, 'relation', oid, false); // pgstat_create_relation: its statistics go if the creation aborts
  grantLock(ex.eng, s, { type: 'relation', rel: oid }, LockMode.AccessExclusive);
  logAccessExclusiveLock(ex.eng, s, oid); // the new relation's lock, for standbys (wal/standby.ts)
  if (!partKey) {
    ex.eng.wal.insert(WalKind.StorageCreate, s.tx!.writeXid, 42, oid, -1, 0); // (not logged for an unlogged table)
    logHeapInitFork(ex.eng, s, table); // … but an unlogged table's init fork is
    if (table.toastOids) logToastTable(ex, s, table, table.toastOids); // create_toast_table
    // each PRIMARY KEY / UNIQUE index (index_create): its file, its lock, its (empty) build — the metapage
    for (const index of table.indexes) {
      ex.eng.wal.insert(WalKind.StorageCreate, s.tx!.writeXid, 42, index.oid, -1, 0);
      lockNewIndex(ex, s, index);
      logIndexBuild(ex.eng, s, table, index);
      logIndexInitFork(ex.eng, s, table, index);
    }
  }
  // a partition: the parent's foreign keys are cloned onto it, and keys referencing the parent get a child for it
  // (CloneForeignKeyConstraints; the new table is empty, nothing to check)
  if (part) yield* clonePartitionKeys(ex, s, part.parent, table, false);
  // FOREIGN KEYs come last, as the ALTER TABLE … ADD CONSTRAINT transformCreateStmt leaves after the CREATE
  for (const c of foreign) yield* addForeignKey(ex, s, table, c, true, pickName);
  // CREATE TABLE runs several catalog commands internally (CommandCounterIncrement between them): the next
  // command's cid moves on by 1, +1 for defaults, +1 for checks, +4 for a TOAST table, +2 per index.
  // FOREIGN KEYs: +2 for the ALTER TABLE that adds them, +4 per key (its constraint row and triggers), measured
  // on PostgreSQL 15 (tests/scenarios/fk/cid.spec)
  const cids = 1 + (nDefaults ? 1 : 0) + (checks.length ? 1 : 0) + (toast ? 4 : 0) + 2 * table.indexes.length + 3 * serials.length
    + (foreign.length ? 2 + 4 * foreign.length : 0);
  s.tx!.curcid += cids - 1;
  s.tx!.cidUsed = true;
  return { command: 'CREATE TABLE', columns: null, rows: [] };
}

/** transformConstraintAttrs: DEFERRABLE / INITIALLY DEFERRED after a column constraint belong to it. */
function constraintAttr(last: N | null, c: N): void {
  if (!last || !['CONSTR_FOREIGN', 'CONSTR_PRIMARY', 'CONSTR_UNIQUE', 'CONSTR_EXCLUSION'].includes(last.contype)) {
    throw new PgError('42601', `misplaced ${c.contype === 'CONSTR_ATTR_DEFERRABLE' ? 'DEFERRABLE' : c.contype === 'CONSTR_ATTR_NOT_DEFERRABLE' ? 'NOT DEFERRABLE' : c.contype === 'CONSTR_ATTR_DEFERRED' ? 'INITIALLY DEFERRED' : 'INITIALLY IMMEDIATE'} clause`, { position: posOf(c.location)! });
  }
  if (last.contype !== 'CONSTR_FOREIGN') throw notSupported('deferrable unique constraints', posOf(c.location));
  switch (c.contype) {
    case 'CONSTR_ATTR_DEFERRABLE': last.deferrable = true; break;
    case 'CONSTR_ATTR_NOT_DEFERRABLE': last.deferrable = false; break;
    case 'CONSTR_ATTR_DEFERRED': last.initdeferred = true; last.deferrable = true; break;
    case 'CONSTR_ATTR_IMMEDIATE': last.initdeferred = false; break;
  }
}

export function* dropStmt(ex: Executor, s: Session, n: N): Gen<QueryResult> {
  if (n.removeType === 'OBJECT_INDEX') return yield* ex.dropIndex(s, n);
  if (n.removeType !== 'OBJECT_TABLE' && n.removeType !== 'OBJECT_MATVIEW') throw notSupported(`DROP ${String(n.removeType).replace('OBJECT_', '')}`);
  // DROP MATERIALIZED VIEW: a materialized view is a table with a stored query (commands/matview.ts)
  const mat = n.removeType === 'OBJECT_MATVIEW';
  const word = mat ? 'materialized view' : 'table';
  ex.checkReadOnly(s, mat ? 'DROP MATERIALIZED VIEW' : 'DROP TABLE');
  const cat = ex.eng.catalog;
  const dropping = new Set((n.objects as N[]).map((obj) => (obj.List.items as N[]).map((x) => x.String.sval as string).pop()!));
  // how many of the tables named exist (one: its own name in a dependency error; several: "desired object(s)")
  const existing = (n.objects as N[]).filter((obj) => {
    const parts = (obj.List.items as N[]).map((x) => x.String.sval as string);
    return parts.length === 1 ? !!cat.get(parts[0]!) : false;
  }).length;
  objects: for (const obj of n.objects as N[]) {
    const parts = (obj.List.items as N[]).map((x) => x.String.sval as string);
    const name = parts[parts.length - 1]!;
    const sch = parts.length > 1 ? parts[parts.length - 2]! : null;
    if (sch && sch !== 'public' && sch !== 'pg_temp' && !cat.namespaces.has(sch)) {
      if (!n.missing_ok) throw new PgError('3F000', `schema "${sch}" does not exist`);
      s.acc.notices.push({ severity: 'NOTICE', sqlstate: '00000', message: `schema "${sch}" does not exist, skipping` }); continue;
    }
    const lookup = () => (sch === null ? cat.get(name) : sch === 'pg_temp' ? (cat.current !== null ? cat.tables.get(tempKey(cat.current, name)) : undefined) : cat.getIn(sch, name));
    let t = lookup();
    if (!t && cat.sequence(name)) throw new PgError('42809', `"${name}" is not a ${word}`, { hint: 'Use DROP SEQUENCE to remove a sequence.' });
    if (!t && cat.view(name)) throw new PgError('42809', `"${name}" is not a ${word}`, { hint: 'Use DROP VIEW to remove a view.' });
    if (t && !mat && t.matview) throw new PgError('42809', `"${name}" is not a table`, { hint: 'Use DROP MATERIALIZED VIEW to remove a materialized view.' });
    if (t && mat && !t.matview) throw new PgError('42809', `"${name}" is not a materialized view`, { hint: 'Use DROP TABLE to remove a table.' });
    if (!t) {
      if (n.missing_ok) { s.acc.notices.push({ severity: 'NOTICE', sqlstate: '00000', message: `${word} "${name}" does not exist, skipping` }); continue; }
      throw new PgError('42P01', `${word} "${name}" does not exist`);
    }
    let cascadeViews: { view: string; kind: 'view' | 'materialized view' }[] = [];
    if (!t.nsp) { // views (public only) name the tables they read by bare name
      const deps = n.behavior === 'DROP_CASCADE' ? dependentViews(ex, name).filter((d) => !dropping.has(d.view)) : [];
      // the views and materialized views reading it (and theirs) go with it (reportDependentObjects' NOTICE)
      if (deps.length && mat && deps.some((d) => d.kind !== 'view')) throw notSupported('DROP MATERIALIZED VIEW ... CASCADE of one another materialized view reads');
      if (!deps.length) checkNoDependents(ex, word, name, mat ? dropping : undefined);
      cascadeViews = deps;
    }
    // columns of the table's row type elsewhere depend on the type, which goes with the table
    const rowUsers = typeDependents(cat, (ty) => ty.composite?.typeOid === t!.oid + 2, dropping);
    if (rowUsers.length) {
      if (n.behavior === 'DROP_CASCADE') throw notSupported(`DROP TABLE ... CASCADE of a table whose row type ${rowUsers[0]} uses`);
      throw new PgError('2BP01', `cannot drop table ${name} because other objects depend on it`, {
        detail: rowUsers.map((d) => `${d} depends on type ${name}`).join('\n'), hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
      });
    }
    // a partition: its parent is locked first (RangeVarCallbackForDropRelation); a partitioned table takes its
    // partitions with it (they depend on it), each locked in turn
    const parent = parentOf(cat, t);
    if (parent) yield* ex.eng.acquireLock(s, { type: 'relation', rel: parent.oid }, LockMode.AccessExclusive);
    // looked up again once locked, if DDL committed meanwhile: dropped by another transaction, it is gone
    const locked = yield* ex.lockTableAgain(s, t, LockMode.AccessExclusive, lookup, `waiting for AccessExclusiveLock on ${name} to drop it`);
    if (!locked) {
      if (n.missing_ok) { s.acc.notices.push({ severity: 'NOTICE', sqlstate: '00000', message: `table "${name}" does not exist, skipping` }); continue objects; }
      throw new PgError('42P01', `table "${name}" does not exist`);
    }
    t = locked;
    const partRels = allPartitions(cat, t, true); // (pg_depend's: a partition pending detach too)
    for (const p of partRels) yield* ex.eng.acquireLock(s, { type: 'relation', rel: p.oid }, LockMode.AccessExclusive);
    // the dependencies, once everything is locked: on the table itself first, then on its partitions
    // inheritance children depend on their parent (2BP01 unless CASCADE: commands/inheritcmds.ts)
    const inhDeps = yield* inheritanceDependents(ex, s, t, n.behavior === 'DROP_CASCADE', dropping, existing > 1);
    const fkErr = referencedTableError(ex, t, dropping);
    if (fkErr && n.behavior !== 'DROP_CASCADE') throw fkErr;
    // one NOTICE names every dependent in PostgreSQL: views together with foreign keys or child tables are not merged here
    if (cascadeViews.length && (fkErr || inhDeps.length)) throw notSupported('DROP TABLE ... CASCADE of a table that both views and other tables depend on');
    for (const p of partRels) if (n.behavior !== 'DROP_CASCADE' && referencedTableError(ex, p, dropping)) throw referencedTableError(ex, p, dropping)!;
    for (const p of partRels) {
      const pk = tableKey(p);
      cat.tables.delete(pk);
      const psh = p.temp ? null : shadowRow(cat, s.name, ensureTopXid(ex.eng, s), pk, p.name, p);
      s.tx!.undo.push(() => { cat.tables.set(pk, p); if (psh) unshadow(cat, psh); });
    }
    ex.eng.ensureXid(s);
    // a foreign key's triggers live on both tables: dropping either side locks the other (RemoveTriggerById)
    const others = [...referencingKeys(ex, t).map((r) => r.table), ...(t.fkeys ?? []).map((f) => tableByOid(ex, f.refOid)!)]
      .filter((x, i, all) => x && x !== t && all.indexOf(x) === i);
    if (fkErr) {
      // DROP … CASCADE: the referencing tables' constraints go (the tables stay)
      const gone = dependentKeys(ex, t, dropping);
      const lines = gone.map((r) => `drop cascades to constraint ${r.fk.name} on table ${r.table.name}`);
      s.acc.notices.push(lines.length === 1
        ? { severity: 'NOTICE', sqlstate: '00000', message: lines[0]! }
        : { severity: 'NOTICE', sqlstate: '00000', message: `drop cascades to ${lines.length} other objects`, detail: lines.join('\n') });
      for (const r of gone) dropKeyFamily(ex, s, r.fk);
    }
    for (const o of others) yield* ex.eng.acquireLock(s, { type: 'relation', rel: o.oid }, LockMode.AccessExclusive);
    for (const d of inhDeps) dropDependentTable(ex, s, d);
    if (cascadeViews.length) {
      const lines = cascadeViews.map((v) => `drop cascades to ${v.kind} ${v.view}`);
      s.acc.notices.push(lines.length === 1 ? { severity: 'NOTICE', sqlstate: '00000', message: lines[0]! }
        : { severity: 'NOTICE', sqlstate: '00000', message: `drop cascades to ${lines.length} other objects`, detail: lines.join('\n') });
      for (const { view: vn, kind } of cascadeViews) {
        if (kind === 'materialized view') {
          // a materialized view is a table of its own: its pg_class row, indexes and statistics go
          const mv = cat.get(vn);
          if (!mv?.matview) continue;
          yield* ex.eng.acquireLock(s, { type: 'relation', rel: mv.oid }, LockMode.AccessExclusive);
          dropDependentTable(ex, s, mv);
          for (const oid of [mv.oid, ...mv.indexes.map((i) => i.oid)]) dropTransactional(s.tx!, 'relation', oid, true);
          continue;
        }
        const dv = cat.view(vn);
        if (!dv) continue;
        yield* ex.eng.acquireLock(s, { type: 'relation', rel: dv.oid }, LockMode.AccessExclusive);
        removeView(ex, s, dv);
      }
    }
    dropInheritRows(ex, s, t);
    const key = tableKey(t);
    cat.tables.delete(key);
    // pgstat_drop_relation: the statistics of the table, its partitions and their indexes go when this commits
    for (const r of [t, ...partRels]) for (const oid of [r.oid, ...r.indexes.map((i) => i.oid)]) dropTransactional(s.tx!, 'relation', oid, true);
    // others' catalog snapshots still hold its pg_class row until this transaction commits
    const sh = t.temp ? null : shadowRow(cat, s.name, ensureTopXid(ex.eng, s), key, t.name, t);
    s.tx!.undo.push(() => { cat.tables.set(key, t); if (sh) unshadow(cat, sh); });
    for (const [sn, sq] of [...cat.sequences]) {
      if (t.nsp || sq.ownedBy !== name || sq.temp?.session !== t.temp?.session) continue;
      cat.sequences.delete(sn);
      const ssh = sq.temp ? null : shadowOf(cat, s.name, ensureTopXid(ex.eng, s), sn, sq.name, sq, { seq: sq });
      s.tx!.undo.push(() => { cat.sequences.set(sn, sq); if (ssh) unshadow(cat, ssh); });
    }
    s.tx!.cidUsed = true;
  }
  return { command: mat ? 'DROP MATERIALIZED VIEW' : 'DROP TABLE', columns: null, rows: [] };
}
