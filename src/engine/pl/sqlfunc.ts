/**
 * LANGUAGE sql functions: the body is a list of SQL statements run in order; the result is the last one's.
 *
 * PostgreSQL runs them in functions.c (fmgr_sql): each statement is planned and run in turn, with a
 * CommandCounterIncrement between them so that a later one sees an earlier one's writes; parameters are $1, $2 …
 * or the parameters' names. The function's value is the first row's first column of the last statement (a SELECT
 * or an INSERT / UPDATE / DELETE with RETURNING) — NULL when it returns no row — or all its rows for SETOF.
 *
 *     CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql AS 'SELECT a + b';
 *     SELECT add(1, 2);      -- 3
 *
 * Mirrors: src/backend/executor/functions.c (fmgr_sql, init_sql_fcache, check_sql_fn_retval), sql_fn_post_column_ref.
 * Simplifications: the body is parsed at each call (no plan cache); no inlining of simple SQL functions into the
 * calling query (inline_function), so a SQL function is never "transparent" to the planner.
 */
import { PgError } from '../errors.js';
import type { Executor } from '../executor/executor.js';
import type { Gen } from '../executor/util.js';
import type { PgFunction } from '../catalog/catalog.js';
import type { Session } from '../session/session.js';
import type { Compiled, Scope } from '../sql/expr.js';
import { sqlTypeOf } from '../sql/funcs/registry.js';
import { parseSqlUncached, setCurrentLiterals, getCurrentLiterals } from '../sql/parser.js';
import { setPositionText, getPositionText } from '../errors.js';
import { type SqlType, type Value, parseInput, typeDisplayName } from '../sql/types.js';
import type { PlNames } from './frame.js';
import type { PlReturn } from './exec.js';
import { keepGlobals } from './plerrors.js';

/** A SQL function's parameters, by name and by number (sql_fn_post_column_ref, sql_fn_param_ref). */
class SqlFnParams implements PlNames {
  constructor(readonly f: PgFunction, readonly args: { value: Value; type: SqlType }[]) {}
  variable(names: string[], scope: Scope): Compiled | null {
    if (names.length !== 1) return null;
    const i = this.f.args.findIndex((a) => a.name === names[0]);
    if (i < 0 || scope.columns.some((c) => c.name === names[0])) return null; // a column wins over a parameter
    return this.param(i + 1);
  }
  param(n: number): Compiled | null {
    const a = this.args[n - 1];
    if (!a) return null;
    const v = a.value;
    return { fn: () => v, type: a.type, name: '?column?', strength: 0 };
  }
}

export function* runSqlFunction(ex: Executor, s: Session, f: PgFunction, args: { value: Value; type: SqlType }[]): Gen<PlReturn> {
  const stmts = parseSqlUncached(f.body);
  const names = new SqlFnParams(f, args);
  let last: { rows: Value[][]; types: SqlType[]; returns: boolean } = { rows: [], types: [], returns: false };
  const prev = s.plNames;
  for (const raw of stmts) {
    const type = Object.keys(raw.stmt)[0]!;
    const node = raw.stmt[type];
    if (type === 'TransactionStmt') throw new PgError('0A000', `${node.kind === 'TRANS_STMT_COMMIT' ? 'COMMIT' : 'ROLLBACK'} is not allowed in an SQL function`);
    s.plNames = names;
    const prevLiterals = getCurrentLiterals(), prevText = getPositionText();
    setCurrentLiterals(null);
    setPositionText(raw.text);
    try {
      if (type === 'SelectStmt' && !node.intoClause) {
        const q = yield* keepGlobals(ex.query(s, node, raw.text, false), () => { s.plNames = names; setCurrentLiterals(null); setPositionText(raw.text); });
        last = { rows: q.rows, types: q.types, returns: true };
      } else {
        const r = yield* keepGlobals(ex.run(s, type, node, raw), () => { s.plNames = names; setCurrentLiterals(null); setPositionText(raw.text); });
        const types = (r.columns ?? []).map((c) => sqlTypeOf(c.type as never));
        last = { rows: r.rows.map((row) => row.map((v, i) => (v === null ? null : parseInput(v, types[i]!)))), types, returns: r.columns !== null };
      }
    } catch (e) {
      if (e instanceof PgError) {
        delete e.position;
        const line = `SQL function "${f.name}" statement ${stmts.indexOf(raw) + 1}`;
        e.context = e.context ? `${e.context}\n${line}` : line;
      }
      throw e;
    } finally {
      s.plNames = prev;
      setCurrentLiterals(prevLiterals);
      setPositionText(prevText);
    }
    s.tx?.commandCounterIncrement();
  }
  const out: PlReturn = { value: null, type: null, rec: null, rows: [] };
  if (f.ret.kind === 'void') return out;
  if (!last.returns) {
    throw new PgError('42P13', `return type mismatch in function declared to return ${f.ret.kind === 'type' ? typeDisplayName(f.ret.type) : f.ret.kind}`, {
      detail: "Function's final statement must be SELECT or INSERT/UPDATE/DELETE RETURNING.",
    });
  }
  if (f.setof) { out.rows = last.rows; return out; }
  const row = last.rows[0];
  if (f.ret.kind === 'record' || f.ret.kind === 'rowtype') { out.rec = row ? { names: [], types: last.types, vals: row } : null; return out; }
  out.value = row?.[0] ?? null;
  out.type = last.types[0] ?? null;
  return out;
}
