/**
 * PREPARE, EXECUTE, DEALLOCATE: a statement kept by name in this session, run later with parameter values.
 *
 *     PREPARE p (int) AS SELECT * FROM src WHERE id = $1;   -- PREPARE
 *     EXECUTE p(2);                                          -- SELECT 1 (the statement's own command tag)
 *     EXECUTE p('x');                                        -- 22P02: the value is converted to the declared type
 *
 * A parameter without a declared type ($2 in INSERT INTO src VALUES ($1, $2)) takes its type from where it is
 * used, as an untyped literal would. Prepared statements belong to the session: another session cannot EXECUTE
 * them, and they disappear at DEALLOCATE [ALL] or when the session ends. They are not transactional.
 *
 * pg_prepared_statements lists them (pgPreparedStatementsView). A statement whose result columns change after DDL
 * (SELECT * and ALTER TABLE ADD COLUMN) fails at EXECUTE with 0A000 "cached plan must not change result type".
 *
 * Mirrors: src/backend/commands/prepare.c (PrepareQuery, ExecuteQuery, EvaluateParams, DeallocateQuery,
 * pg_prepared_statement), utils/cache/plancache.c (RevalidateCachedQuery).
 *
 * Simplifications: the statement is analyzed at EXECUTE, not at PREPARE (so errors in it show at EXECUTE; PREPARE
 * only works out a SELECT's result columns, a DML statement's RETURNING columns are first known at its first
 * EXECUTE), and re-planned every time (no generic plans); utility statements cannot be prepared (as in PostgreSQL).
 */
import type { Executor } from '../executor/executor.js';
import { PgError, notSupported, posOf } from '../errors.js';
import type { Session, QueryResult } from '../session/session.js';
import { materializeLiterals, intConst, type RawStmt } from '../sql/parser.js';
import { compileExpr, castTo, type Row } from '../sql/expr.js';
import { resolveTypeName, typeDisplayName, PgArray, T, type SqlType, type Value } from '../sql/types.js';
import { virtualTimestamp } from '../adt/timestamp.js';
import type { N, Gen } from '../executor/util.js';
import { usesXactSnapshot } from '../xact/xact.js';
import { LockMode } from '../lock/lock.js';

/**
 * A prepared statement; `resultShape`: the result columns (name and type) its first EXECUTE returned — the plan
 * cache's result descriptor, which a later EXECUTE may not change.
 */
export interface PreparedStatement {
  name: string; stmt: Record<string, unknown>; text: string; types: (SqlType | null)[]; resultShape?: string;
  /** pg_prepared_statements: the whole query string PREPARE came in, and its statement's start (virtual clock) */
  sourceText?: string; preparedAt?: number;
}

const PREPARABLE = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt', 'ValuesStmt']);

/** Every $n a statement mentions. */
function paramsUsed(n: unknown, out = new Set<number>()): Set<number> {
  if (!n || typeof n !== 'object') return out;
  if (Array.isArray(n)) { for (const x of n) paramsUsed(x, out); return out; }
  const o = n as N;
  if (o.ParamRef) out.add(Number(o.ParamRef.number));
  for (const v of Object.values(o)) paramsUsed(v, out);
  return out;
}

/** Does an EXECUTE argument contain a subquery? */
function hasSubLink(n: unknown): boolean {
  if (!n || typeof n !== 'object') return false;
  if (Array.isArray(n)) return n.some(hasSubLink);
  return 'SubLink' in (n as N) || Object.values(n as N).some(hasSubLink);
}

/**
 * The result columns of a prepared SELECT as PREPARE's parse analysis sees them: the query analyzed without rows
 * (as under LIMIT 0). Not worked out when that would take a REPEATABLE READ transaction's snapshot (PREPARE takes
 * none) or fails (its errors are the EXECUTE's here). With undeclared parameters only the names count: their types
 * come from the EXECUTE's values here, not from PREPARE's inference.
 */
function* describe(ex: Executor, s: Session, p: PreparedStatement): Gen<string | undefined> {
  const stmt = p.stmt.SelectStmt as N | undefined;
  if (!stmt || !s.tx || (usesXactSnapshot(s.tx.isolation) && !s.tx.xactSnapshot)) return undefined;
  const before = s.params;
  s.params = p.types.map((t) => ({ value: null, type: t ?? T.unknown }));
  s.noRows++;
  try {
    const q = yield* ex.query(s, stmt, p.text, false);
    return shapeOf(q.names.map((name, i) => ({ name, type: q.types[i]!.name })), p);
  } catch (e) {
    if (e instanceof PgError) return undefined;
    throw e;
  } finally {
    s.noRows--;
    s.params = before;
  }
}

/** What EXECUTE compares: the columns' names and (all parameters declared) types. */
function shapeOf(cols: { name: string; type: string }[] | null, p: PreparedStatement): string {
  const typed = p.types.every((t) => t !== null);
  return JSON.stringify(cols?.map((c) => (typed ? [c.name, c.type] : [c.name])) ?? null);
}

export function* prepareStmt(ex: Executor, s: Session, n: N, raw: RawStmt): Gen<QueryResult> {
  if (s.prepared.has(n.name)) throw new PgError('42P05', `prepared statement "${n.name}" already exists`);
  const type = Object.keys(n.query)[0]!;
  if (!PREPARABLE.has(type)) throw new PgError('42601', 'syntax error: only SELECT, INSERT, UPDATE, DELETE and VALUES can be prepared');
  if (type === 'SelectStmt' && n.query.SelectStmt.intoClause) throw notSupported('PREPARE ... SELECT INTO');
  const declared = ((n.argtypes ?? []) as N[]).map((a) => {
    const tn = a.TypeName as N;
    const mods = ((tn.typmods ?? []) as N[]).map((m) => intConst(m.A_Const) ?? 0);
    // a parameter has a type oid only (typenameTypeId): PREPARE p(bit) takes a bit string of any length
    const t = resolveTypeName((tn.names as N[]).map((x) => x.String.sval as string), mods, posOf(tn.location), tn.arrayBounds);
    return t.name === 'bit' || t.name === 'varbit' ? { ...t, typmod: -1 } : t;
  });
  const used = paramsUsed(n.query);
  const count = Math.max(declared.length, ...used);
  const types = Array.from({ length: count }, (_, i) => declared[i] ?? null);
  // an undeclared parameter the statement never uses has no type to infer (parse analysis: 42P18)
  const untyped = types.findIndex((t, i) => t === null && !used.has(i + 1));
  if (untyped >= 0) throw new PgError('42P18', `could not determine data type of parameter $${untyped + 1}`);
  const p: PreparedStatement = { name: n.name, stmt: materializeLiterals(n.query) as Record<string, unknown>, text: raw.text, types,
    sourceText: s.currentQuery, preparedAt: s.stmtStartAt };
  // PortalRunUtility runs PREPARE with an active snapshot (under REPEATABLE READ: the transaction's, taken now), and
  // its parse analysis locks the table an INSERT / UPDATE / DELETE writes (RowExclusiveLock, until the transaction ends)
  ex.eng.snapshotFor(s);
  const target = (n.query[type] as N).relation as N | undefined;
  if (type !== 'SelectStmt' && target) {
    const t = target.schemaname ? ex.eng.catalog.getIn(target.schemaname, target.relname) : ex.eng.catalog.get(target.relname);
    if (t) yield* ex.eng.acquireLock(s, { type: 'relation', rel: t.oid }, LockMode.RowExclusive);
  }
  p.resultShape = yield* describe(ex, s, p);
  s.prepared.set(n.name, p);
  return { command: 'PREPARE', columns: null, rows: [] };
}

export function* executeStmt(ex: Executor, s: Session, n: N, raw: RawStmt): Gen<QueryResult> {
  const p = s.prepared.get(n.name);
  if (!p) throw new PgError('26000', `prepared statement "${n.name}" does not exist`);
  const args = (n.params ?? []) as N[];
  if (args.length !== p.types.length) {
    throw new PgError('42601', `wrong number of parameters for prepared statement "${p.name}"`, { detail: `Expected ${p.types.length} parameters but got ${args.length}.` });
  }
  // EvaluateParams: each value computed and converted to its parameter's type, in the EXECUTE's own context
  const snap = () => ex.eng.snapshotFor(s);
  const scope = { relName: null, alias: null, columns: [], hasSystem: false, env: ex.env(s, snap), sql: raw.text };
  const params: { value: Value; type: SqlType }[] = args.map((a, i) => {
    if (hasSubLink(a)) throw new PgError('0A000', 'cannot use subquery in EXECUTE parameter', { position: posOf(a.SubLink?.location) ?? 0 });
    const c = compileExpr(a, scope);
    const want = p.types[i];
    const conv = want ? castTo(c, want, false) : c;
    return { value: conv.fn(null as unknown as Row), type: want ?? (c.type.name === 'unknown' ? T.unknown : c.type) };
  });
  const type = Object.keys(p.stmt)[0]!;
  const before = s.params;
  s.params = params;
  try {
    const r = yield* ex.run(s, type, p.stmt[type] as N, { stmt: p.stmt, location: 0, len: p.text.length, text: p.text });
    // RevalidateCachedQuery: the statement analyzed again after DDL must return the columns it returned before
    const shape = shapeOf(r.columns, p);
    if (p.resultShape !== undefined && p.resultShape !== shape) throw new PgError('0A000', 'cached plan must not change result type');
    p.resultShape = shape;
    return r;
  } finally {
    s.params = before;
  }
}

export function deallocateStmt(s: Session, n: N): QueryResult {
  if (n.isall || !n.name) { s.prepared.clear(); return { command: 'DEALLOCATE ALL', columns: null, rows: [] }; }
  if (!s.prepared.delete(n.name)) throw new PgError('26000', `prepared statement "${n.name}" does not exist`);
  return { command: 'DEALLOCATE', columns: null, rows: [] };
}

const REGTYPE_ARRAY: SqlType = { name: '_regtype', typmod: -1, elem: T.regtype };

/**
 * pg_prepared_statements: this session's prepared statements — name, the query string PREPARE came in, when, the
 * parameter types (only when all were declared: PostgreSQL infers the others at PREPARE, the engine at EXECUTE),
 * from_sql. generic_plans / custom_plans are not modelled (every EXECUTE is planned afresh here): reading them is a 0A000.
 */
export function pgPreparedStatementsView(s: Session): { columns: { name: string; type: SqlType }[]; rows: Value[][] } {
  const rows = [...s.prepared.values()].map((p) => {
    const row: Value[] = [p.name, p.sourceText ?? p.text, virtualTimestamp(p.preparedAt ?? 0), null, true, null, null];
    if (p.types.every((t) => t !== null)) row[3] = new PgArray(p.types.map((t) => typeDisplayName(t!)));
    else refuse(row, 3, 'pg_prepared_statements.parameter_types of a statement with undeclared parameter types');
    refuse(row, 5, 'pg_prepared_statements.generic_plans (the engine plans every EXECUTE afresh)');
    refuse(row, 6, 'pg_prepared_statements.custom_plans (the engine plans every EXECUTE afresh)');
    return row;
  });
  return {
    columns: [['name', T.text], ['statement', T.text], ['prepare_time', T.timestamptz], ['parameter_types', REGTYPE_ARRAY], ['from_sql', T.bool],
      ['generic_plans', T.int8], ['custom_plans', T.int8]].map(([name, type]) => ({ name: name as string, type: type as SqlType })),
    rows,
  };
}

function refuse(row: Value[], col: number, what: string): void {
  Object.defineProperty(row, col, { enumerable: true, get() { throw notSupported(what); } });
}
