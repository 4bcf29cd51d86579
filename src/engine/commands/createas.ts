/**
 * CREATE TABLE ... AS and SELECT ... INTO: a new table, its columns named and typed after the query's output,
 * filled with the query's rows — one command, reported as `SELECT n` (the rows it stored), or `CREATE TABLE AS`
 * with WITH NO DATA or under IF NOT EXISTS when the table is already there.
 *
 *     CREATE TABLE c AS SELECT id, v FROM src WHERE id > 1;   -- SELECT 2
 *     SELECT 1 AS x, 'y' AS y INTO c2;                        -- columns x integer, y text (unknown becomes text)
 *
 * The rows are written like INSERT's (heap inserts with this transaction's xid; WAL), the table gets no
 * constraints, no defaults and no indexes — only what the query's output says.
 *
 * Mirrors: src/backend/commands/createas.c (ExecCreateTableAs, intorel_startup, intorel_receive, create_ctas_nodata).
 * CREATE MATERIALIZED VIEW is made here too (ExecCreateTableAs with is_matview), then marked (commands/matview.ts).
 * Simplifications: the query runs before the table is created (PostgreSQL creates it at executor start), so a
 * query that reads the table it creates cannot be expressed anyway. A temporary target, with its ON COMMIT, is made
 * as CREATE TEMP TABLE makes it (commands/tempcmds.ts); an unlogged one (CREATE UNLOGGED TABLE … AS, SELECT … INTO
 * UNLOGGED) as CREATE UNLOGGED TABLE makes it — its rows not WAL-logged (commands/unlogged.ts); an unlogged
 * materialized view is refused (0A000).
 */
import type { Executor } from '../executor/executor.js';
import { PgError, notSupported } from '../errors.js';
import type { Session, QueryResult } from '../session/session.js';
import type { RawStmt } from '../sql/parser.js';
import { T } from '../sql/types.js';
import { heapInsert } from '../heap/heapam.js';
import type { N, Gen } from '../executor/util.js';
import { refreshColumns } from './relfile.js';
import { createTable } from './tablecmds.js';
import { onCommitOf } from './tempcmds.js';
import { markMatview } from './matview.js';

/**
 * CreateTableAsStmt (objtype table, or matview: CREATE MATERIALIZED VIEW, commands/matview.ts) or a SelectStmt with
 * an INTO clause.
 */
export function* createTableAs(ex: Executor, s: Session, query: N, into: N, ifNotExists: boolean, raw: RawStmt, matview = false): Gen<QueryResult> {
  const tag = matview ? 'CREATE MATERIALIZED VIEW' : 'CREATE TABLE AS';
  const rel = into.rel as N;
  const temp = rel.relpersistence === 't' || rel.schemaname === 'pg_temp';
  if (rel.relpersistence === 'u' && matview) throw notSupported('unlogged materialized views');
  onCommitOf(into, temp); // 42P16 on a permanent table
  if (into.options?.length) throw notSupported('storage parameters in CREATE TABLE AS');
  ex.checkReadOnly(s, tag);
  const cat = ex.eng.catalog;
  if (cat.relationExists(rel.relname, temp ? s.name : undefined)) {
    if (ifNotExists) {
      s.acc.notices.push({ severity: 'NOTICE', sqlstate: '42P07', message: `relation "${rel.relname}" already exists, skipping` });
      return { command: tag, columns: null, rows: [] };
    }
    throw new PgError('42P07', `relation "${rel.relname}" already exists`);
  }
  // WITH NO DATA: the query is planned, never run (create_ctas_nodata) — analyzed as under LIMIT 0, so nothing in it
  // is evaluated (a nextval() in its select list does not advance the sequence)
  if (into.skipData) s.noRows++;
  let q;
  try { q = yield* ex.query(s, query, raw.text, false); } finally { if (into.skipData) s.noRows--; }
  const colNames = ((into.colNames ?? []) as N[]).map((c) => c.String.sval as string);
  if (colNames.length > q.names.length) throw new PgError('42601', 'too many column names were specified');
  const names = q.names.map((nm, i) => colNames[i] ?? nm);
  const dup = names.find((nm, i) => names.indexOf(nm) !== i);
  if (dup !== undefined) throw new PgError('42701', `column "${dup}" specified more than once`);
  const types = q.types.map((t) => (t.name === 'unknown' ? T.text : t));
  // an anonymous record (ROW(...), a subquery's row) is a pseudo-type; a named row type is a column's type like any
  const pseudo = types.findIndex((t) => (t.name === 'record' || t.elem?.name === 'record') && !(t.elem ?? t).composite?.relName);
  if (pseudo >= 0) throw new PgError('42P16', `column "${names[pseudo]!}" has pseudo-type ${types[pseudo]!.elem ? 'record[]' : 'record'}`);
  // create it as CREATE TABLE would (OIDs, lock, Storage/CREATE), then give the columns the query's types
  const def = { relation: rel, oncommit: into.onCommit, ctasTypes: types, tableElts: names.map((colname) => ({ ColumnDef: { colname, typeName: { names: [{ String: { sval: 'text' } }], location: -1 }, constraints: [] } })) };
  yield* createTable(ex, s, def);
  const t = cat.get(rel.relname)!;
  t.columns.forEach((c, i) => { c.type = types[i]!; });
  refreshColumns(t);
  if (matview) markMatview(ex, t, query, raw.text, !into.skipData);
  if (into.skipData) return { command: tag, columns: null, rows: [] };
  s.tx!.commandCounterIncrement();
  const hctx = ex.heapCtx(s);
  for (const r of q.rows) heapInsert(hctx, t, r);
  // the client gets an empty row description before the tag (an isolationtester prints "(0 rows)": measured,
  // tests/scenarios/temp/on-commit.out) — not for a materialized view (tests/scenarios/ddl/matview.out)
  if (matview) return { command: `SELECT ${q.rows.length}`, columns: null, rows: [] };
  return { command: `SELECT ${q.rows.length}`, columns: [], rows: [] };
}
