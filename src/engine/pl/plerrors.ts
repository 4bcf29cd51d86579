/**
 * What the interpreter needs around errors and messages: condition names and classes (exception_matches_conditions),
 * which message levels reach the client (client_min_messages), which frames an error's CONTEXT already names, how
 * CONTEXT lines name a statement (plpgsql_stmt_typename), and keeping a query's parser globals across its waits.
 *
 * Mirrors: src/pl/plpgsql/src/pl_exec.c (exception_matches_conditions, plpgsql_exec_error_callback),
 * pl_funcs.c (plpgsql_stmt_typename), utils/error/elog.c (is_log_level_output).
 */
import { PgError } from '../errors.js';
import type { Gen, N } from '../executor/util.js';
import { CONDITIONS } from './plerrcodes.js';
import type { PlFrame } from './frame.js';

export function conditionCode(name: string): string {
  if (/^[0-9A-Z]{5}$/.test(name)) return name;
  const c = CONDITIONS.get(name.toLowerCase());
  if (!c) throw new PgError('42704', `unrecognized exception condition "${name}"`);
  return c[0]!;
}

/** exception_matches_conditions: a name, a class (code ending 000) or OTHERS (not query_canceled / assert_failure). */
export function conditionMatches(condname: string, sqlstate: string): boolean {
  if (condname === 'others') return sqlstate !== '57014' && sqlstate !== 'P0004';
  const codes = /^[0-9A-Z]{5}$/.test(condname) ? [condname] : CONDITIONS.get(condname.toLowerCase());
  if (!codes) throw new PgError('42704', `unrecognized exception condition "${condname}"`);
  return codes.some((c) => c === sqlstate || (c.endsWith('000') && c.slice(0, 2) === sqlstate.slice(0, 2)));
}

const LEVELS = ['debug5', 'debug4', 'debug3', 'debug2', 'debug1', 'log', 'notice', 'warning', 'error'];
export function shouldSend(elevel: number, clientMin: string): boolean {
  if (elevel === 17) return true; // INFO always goes to the client
  const mine = elevel >= 21 ? 'error' : elevel === 19 ? 'warning' : elevel === 18 ? 'notice' : elevel === 15 ? 'log' : 'debug1';
  return LEVELS.indexOf(mine) >= LEVELS.indexOf(clientMin);
}

/**
 * Run a query's generator with this query's parser globals (no lifted literals, its own text for positions, its
 * names) in force at every step: a lock wait in between lets other statements set theirs, and the query may
 * compile more (a subquery per row) after it resumes.
 */
export function* keepGlobals<T>(g: Gen<T>, set: () => void): Gen<T> {
  let done = false;
  try {
    set();
    let r = g.next();
    for (;;) {
      if (r.done) { done = true; return r.value; }
      let failed = false, thrown: unknown;
      try { yield r.value; } catch (e) { failed = true; thrown = e; }
      set();
      r = failed ? g.throw(thrown) : g.next();
    }
  } finally {
    if (!done) g.return(undefined as never);
  }
}

const MARKS = new WeakMap<PgError, Set<PlFrame>>();
export const markedBy = (e: PgError, f: PlFrame) => MARKS.get(e)?.has(f) ?? false;
export function mark(e: PgError, f: PlFrame) { let m = MARKS.get(e); if (!m) MARKS.set(e, m = new Set()); m.add(f); }

/** plpgsql_stmt_typename: how CONTEXT lines name the statement. */
export function stmtTypeName(kind: string, n: N): string {
  switch (kind) {
    case 'PLpgSQL_stmt_block': return 'statement block';
    case 'PLpgSQL_stmt_assign': return 'assignment';
    case 'PLpgSQL_stmt_if': return 'IF';
    case 'PLpgSQL_stmt_case': return 'CASE';
    case 'PLpgSQL_stmt_loop': return 'LOOP';
    case 'PLpgSQL_stmt_while': return 'WHILE';
    case 'PLpgSQL_stmt_fori': return 'FOR with integer loop variable';
    case 'PLpgSQL_stmt_fors': return 'FOR over SELECT rows';
    case 'PLpgSQL_stmt_dynfors': return 'FOR over EXECUTE statement';
    case 'PLpgSQL_stmt_exit': return n.is_exit ? 'EXIT' : 'CONTINUE';
    case 'PLpgSQL_stmt_return': return 'RETURN';
    case 'PLpgSQL_stmt_return_next': return 'RETURN NEXT';
    case 'PLpgSQL_stmt_return_query': return 'RETURN QUERY';
    case 'PLpgSQL_stmt_raise': return 'RAISE';
    case 'PLpgSQL_stmt_execsql': return 'SQL statement';
    case 'PLpgSQL_stmt_dynexecute': return 'EXECUTE';
    case 'PLpgSQL_stmt_getdiag': return n.is_stacked ? 'GET STACKED DIAGNOSTICS' : 'GET DIAGNOSTICS';
    case 'PLpgSQL_stmt_perform': return 'PERFORM';
    case 'PLpgSQL_stmt_foreach_a': return 'FOREACH over array';
    case 'PLpgSQL_stmt_forc': return 'FOR over cursor';
    case 'PLpgSQL_stmt_open': return 'OPEN';
    case 'PLpgSQL_stmt_fetch': return n.is_move ? 'MOVE' : 'FETCH';
    case 'PLpgSQL_stmt_close': return 'CLOSE';
    case 'PLpgSQL_stmt_assert': return 'ASSERT';
    case 'PLpgSQL_stmt_call': return n.is_call ? 'CALL' : 'DO';
    case 'PLpgSQL_stmt_commit': return 'COMMIT';
    case 'PLpgSQL_stmt_rollback': return 'ROLLBACK';
    default: return kind.replace('PLpgSQL_stmt_', '').toUpperCase();
  }
}
