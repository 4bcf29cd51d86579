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
 * Mirrors: src/backend/commands/prepare.c (PrepareQuery, ExecuteQuery, EvaluateParams, DeallocateQuery).
 * Simplifications: the statement is analyzed at EXECUTE, not at PREPARE (so errors in it show at EXECUTE), and
 * re-planned every time (no generic plans); utility statements cannot be prepared (as in PostgreSQL).
 */
import type { Executor } from '../executor/executor.js';
import { PgError, notSupported, posOf } from '../errors.js';
import type { Session, QueryResult } from '../session/session.js';
import { materializeLiterals, intConst, type RawStmt } from '../sql/parser.js';
import { compileExpr, castTo, type Row } from '../sql/expr.js';
import { resolveTypeName, T, type SqlType, type Value } from '../sql/types.js';
import type { N, Gen } from '../executor/util.js';

export interface PreparedStatement { name: string; stmt: Record<string, unknown>; text: string; types: (SqlType | null)[] }

const PREPARABLE = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt', 'ValuesStmt']);

/** The highest $n a statement mentions. */
function maxParam(n: unknown): number {
  if (!n || typeof n !== 'object') return 0;
  if (Array.isArray(n)) return n.reduce((m: number, x) => Math.max(m, maxParam(x)), 0);
  const o = n as N;
  let m = o.ParamRef ? Number(o.ParamRef.number) : 0;
  for (const v of Object.values(o)) m = Math.max(m, maxParam(v));
  return m;
}

export function prepareStmt(ex: Executor, s: Session, n: N, raw: RawStmt): QueryResult {
  if (s.prepared.has(n.name)) throw new PgError('42P05', `prepared statement "${n.name}" already exists`);
  const type = Object.keys(n.query)[0]!;
  if (!PREPARABLE.has(type)) throw new PgError('42601', 'syntax error: only SELECT, INSERT, UPDATE, DELETE and VALUES can be prepared');
  if (type === 'SelectStmt' && n.query.SelectStmt.intoClause) throw notSupported('PREPARE ... SELECT INTO');
  const declared = ((n.argtypes ?? []) as N[]).map((a) => {
    const tn = a.TypeName as N;
    const mods = ((tn.typmods ?? []) as N[]).map((m) => intConst(m.A_Const) ?? 0);
    return resolveTypeName((tn.names as N[]).map((x) => x.String.sval as string), mods, posOf(tn.location), tn.arrayBounds);
  });
  const count = Math.max(declared.length, maxParam(n.query));
  const types = Array.from({ length: count }, (_, i) => declared[i] ?? null);
  s.prepared.set(n.name, { name: n.name, stmt: materializeLiterals(n.query) as Record<string, unknown>, text: raw.text, types });
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
    const c = compileExpr(a, scope);
    const want = p.types[i];
    const conv = want ? castTo(c, want, false) : c;
    return { value: conv.fn(null as unknown as Row), type: want ?? (c.type.name === 'unknown' ? T.unknown : c.type) };
  });
  const type = Object.keys(p.stmt)[0]!;
  const before = s.params;
  s.params = params;
  try {
    return yield* ex.run(s, type, p.stmt[type] as N, { stmt: p.stmt, location: 0, len: p.text.length, text: p.text });
  } finally {
    s.params = before;
  }
}

export function deallocateStmt(s: Session, n: N): QueryResult {
  if (n.isall || !n.name) { s.prepared.clear(); return { command: 'DEALLOCATE ALL', columns: null, rows: [] }; }
  if (!s.prepared.delete(n.name)) throw new PgError('26000', `prepared statement "${n.name}" does not exist`);
  return { command: 'DEALLOCATE', columns: null, rows: [] };
}
