/**
 * PL/pgSQL explicit cursors: OPEN, FETCH / MOVE and CLOSE of a bound cursor variable.
 *
 * A cursor variable (DECLARE c CURSOR FOR query) is a refcursor: its value is the name of a portal. OPEN creates
 * the portal — the same object SQL's DECLARE CURSOR creates (commands/portalcmds.ts, tcop/portalmem.ts) — named
 * after the variable when the variable is NULL, with the snapshot of the OPEN; FETCH and MOVE move in it as SQL's
 * FETCH does (tcop/pquery.ts PortalRunFetch), one row into the INTO target, FOUND telling whether there was one;
 * CLOSE drops the portal. Like any portal it is closed at the end of the transaction and listed in pg_cursors while
 * open.
 *
 * Mirrors: src/pl/plpgsql/src/pl_exec.c (exec_stmt_open, exec_stmt_fetch, exec_stmt_close), SPI_cursor_open,
 * SPI_scroll_cursor_fetch / _move.
 * Simplifications: cursor arguments, OPEN ... FOR query / EXECUTE (unbound refcursor variables), FOR over a cursor
 * and reading the refcursor variable's value in an expression are refused with 0A000.
 */
import { PgError, notSupported } from '../errors.js';
import type { Gen, N } from '../executor/util.js';
import { CURSOR_OPT, type FetchDirection } from '../tcop/pquery.js';
import { sqlTypeOf } from '../sql/funcs/registry.js';
import { performPortalFetch } from '../commands/portalcmds.js';
import { T, parseInput, type Value } from '../sql/types.js';
import type { PlExec, Rc } from './exec.js';

const OK: Rc = { k: 'ok' };
const DIRECTIONS: FetchDirection[] = ['FETCH_FORWARD', 'FETCH_BACKWARD', 'FETCH_ABSOLUTE', 'FETCH_RELATIVE'];

function cursorVar(x: PlExec, dno: number) {
  const d = x.frame.fn.datums[dno];
  if (!d || d.kind !== 'var') throw new PgError('XX000', 'cursor variable is not a variable');
  return d;
}

/** exec_stmt_open for a bound cursor: the portal is named after the variable unless the variable holds a name. */
export function* execOpen(x: PlExec, n: N): Gen<Rc> {
  const d = cursorVar(x, n.curvar);
  if (n.query || n.dynquery) throw notSupported('OPEN of an unbound refcursor variable (OPEN ... FOR query / FOR EXECUTE) in PL/pgSQL');
  if (!d.cursor) throw notSupported('OPEN of an unbound refcursor variable in PL/pgSQL');
  if (d.cursor.argrow >= 0 || n.argquery) throw notSupported('PL/pgSQL cursors with arguments');
  const name = x.cursorNames.get(n.curvar) ?? d.name;
  if (x.s.portals.has(name)) throw new PgError('42P03', `cursor "${name}" already in use`);
  const opts = d.cursor.options & (CURSOR_OPT.SCROLL | CURSOR_OPT.NO_SCROLL);
  yield* x.openPortal(name, d.cursor.query, opts);
  x.cursorNames.set(n.curvar, name);
  return OK;
}

function portalOf(x: PlExec, dno: number): string {
  const d = cursorVar(x, dno);
  // a bound cursor's variable starts out holding its own name (exec_stmt_block's initialisation of a cursor var)
  const name = x.cursorNames.get(dno) ?? (d.cursor ? d.name : undefined);
  if (name === undefined) throw new PgError('22004', `cursor variable "${d.name}" is null`);
  if (!x.s.portals.has(name)) throw new PgError('34000', `cursor "${name}" does not exist`);
  return name;
}

/** exec_stmt_fetch: FETCH [direction] c INTO target, or MOVE [direction] c; FOUND and ROW_COUNT set. */
export function* execFetch(x: PlExec, n: N): Gen<Rc> {
  const name = portalOf(x, n.curvar);
  const direction = DIRECTIONS[n.direction ?? 0]!;
  let howMany = Number(n.how_many ?? 1);
  if (n.expr) {
    const v = yield* x.evalExpr(n.expr.PLpgSQL_expr, n.lineno, n.is_move ? 'MOVE' : 'FETCH');
    if (v.value === null) throw new PgError('22004', 'relative or absolute cursor position is null');
    howMany = Number(x.coerce(v.value, v.type, T.int4, ''));
  }
  const r = yield* performPortalFetch(x.ex, x.s, { portalname: name, direction, howMany, ismove: !!n.is_move });
  const count = Number(/(\d+)$/.exec(r.command)?.[1] ?? 0);
  if (!n.is_move && n.target) {
    const cols = r.columns ?? [];
    const types = cols.map((c) => sqlTypeOf(c.type as never));
    const rows: Value[][] = r.rows.map((row) => row.map((v, i) => (v === null ? null : parseInput(v, types[i]!))));
    x.assignInto(n.target, rows.slice(0, 1), types, cols.map((c) => c.name), false, '');
  }
  x.frame.rowCount = count;
  x.setFound(count > 0);
  return OK;
}

/** exec_stmt_close: the portal dropped; the variable keeps the name. */
export function execClose(x: PlExec, n: N): Rc {
  const name = portalOf(x, n.curvar);
  x.s.portals.delete(name);
  return OK;
}
