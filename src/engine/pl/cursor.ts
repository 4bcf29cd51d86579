/**
 * PL/pgSQL explicit cursors: OPEN, FETCH / MOVE, CLOSE and FOR over a cursor.
 *
 * A cursor variable is a refcursor: its value is the name of a portal. A bound one (DECLARE c CURSOR [(args)] FOR
 * query) starts out holding its own name; an unbound one (c refcursor) starts out NULL and is opened with a query
 * of the OPEN (OPEN c FOR query, OPEN c FOR EXECUTE string [USING ...]). OPEN creates the portal — the same object
 * SQL's DECLARE CURSOR creates (commands/portalcmds.ts, tcop/portalmem.ts) — under the variable's value, or, when
 * the variable is NULL, under a new name "<unnamed portal N>" (CreateNewPortal: N counts up for the whole session)
 * that the variable then holds. The variable is an ordinary value: a function can return it, and the caller FETCHes
 * from the portal by that name in SQL, in the same transaction. FETCH and MOVE move in the portal as SQL's FETCH
 * does (tcop/pquery.ts PortalRunFetch), one row into the INTO target, FOUND telling whether there was one; CLOSE
 * drops it. Like any portal it is closed at the end of the transaction and listed in pg_cursors while open.
 *
 *     DECLARE c CURSOR (lo int) FOR SELECT id FROM t WHERE id >= lo;
 *     ...
 *     FOR r IN c(lo := 3) LOOP ... END LOOP;   -- SELECT 3 AS lo INTO the argument, OPEN c, a FETCH per row, CLOSE c
 *
 * A cursor's arguments are variables of its query only; OPEN c(...) first assigns them as a SELECT ... INTO of the
 * argument expressions would (coerced to the declared types; not STRICT), and the query reads them at OPEN.
 * FOR r IN c declares its own record r for the loop; the portal is opened as by OPEN, fetched from one row at a
 * time (so UPDATE ... WHERE CURRENT OF c works inside), and closed when the loop ends; a NULL variable holds the
 * unnamed portal's name during the loop and is NULL again after it.
 *
 * Mirrors: src/pl/plpgsql/src/pl_exec.c (exec_stmt_open, exec_stmt_forc with exec_for_query, exec_stmt_fetch,
 * exec_stmt_close, exec_dynquery_with_params), SPI_cursor_open, SPI_scroll_cursor_fetch / _move,
 * utils/mmgr/portalmem.c (CreateNewPortal).
 * Simplifications: a FOR loop over a query (not a cursor) reads its rows at once and is not listed in pg_cursors
 * (PostgreSQL runs it through an unnamed portal; the portal's number is taken all the same).
 */
import { PgError } from '../errors.js';
import type { Gen, N } from '../executor/util.js';
import { CURSOR_OPT, type FetchDirection } from '../tcop/pquery.js';
import { sqlTypeOf } from '../sql/funcs/registry.js';
import { performPortalFetch } from '../commands/portalcmds.js';
import { T, parseInput, formatValue, type Value } from '../sql/types.js';
import type { Session } from '../session/session.js';
import type { PlExec, Rc } from './exec.js';
import { loopRc } from './control.js';

const OK: Rc = { k: 'ok' };
const DIRECTIONS: FetchDirection[] = ['FETCH_FORWARD', 'FETCH_BACKWARD', 'FETCH_ABSOLUTE', 'FETCH_RELATIVE'];

/** CreateNewPortal: the next "<unnamed portal N>" no open portal has. */
export function newPortalName(s: Session): string {
  for (;;) {
    const name = `<unnamed portal ${++s.unnamedPortals}>`;
    if (!s.portals.has(name)) return name;
  }
}

function cursorVar(x: PlExec, dno: number) {
  const d = x.frame.fn.datums[dno];
  const slot = x.frame.slots[dno];
  if (!d || d.kind !== 'var' || !slot || slot.kind !== 'var') throw new PgError('XX000', 'cursor variable is not a variable');
  return { d, slot };
}

/** The variable's current value, the portal name it holds (null: NULL); a name in use is 42P03. */
function unusedName(x: PlExec, dno: number): string | null {
  const { slot } = cursorVar(x, dno);
  const curname = slot.value === null ? null : String(formatValue(slot.value));
  if (curname !== null && x.s.portals.has(curname)) throw new PgError('42P03', `cursor "${curname}" already in use`);
  return curname;
}

/** OPEN c(args) / FOR r IN c(args): the arguments assigned as SELECT args INTO the cursor's argument row. */
function* bindArgs(x: PlExec, dno: number, argquery: N | undefined, lineno: number): Gen<void> {
  const { d } = cursorVar(x, dno);
  const cur = d.cursor!;
  if (argquery && cur.argrow < 0) throw new PgError('42601', 'arguments given for cursor without arguments');
  if (!argquery && cur.argrow >= 0) throw new PgError('42601', 'arguments required for cursor');
  if (!argquery) return;
  const q = yield* x.evalRow(argquery.PLpgSQL_expr, lineno);
  x.assignInto({ PLpgSQL_row: { fields: cur.args } }, q.rows, q.types, q.names, false, '');
}

/** The portal opened under `name` with the bound cursor's query, its arguments visible to it by name. */
function* openBound(x: PlExec, dno: number, name: string): Gen<void> {
  const { d } = cursorVar(x, dno);
  const cur = d.cursor!;
  const scoped = x.frame.scoped;
  const depth = scoped.length;
  for (const a of cur.args) scoped.push({ name: a.name.toLowerCase(), dno: a.varno });
  try {
    yield* x.openPortal(name, cur.query, cur.options & (CURSOR_OPT.SCROLL | CURSOR_OPT.NO_SCROLL));
  } finally { scoped.length = depth; }
}

/** exec_stmt_open: a bound cursor with its arguments, or an unbound one FOR query / FOR EXECUTE. */
export function* execOpen(x: PlExec, n: N): Gen<Rc> {
  const { d, slot } = cursorVar(x, (n.curvar ?? 0));
  const curname = unusedName(x, (n.curvar ?? 0));
  const opts = (n.cursor_options ?? 0) & (CURSOR_OPT.SCROLL | CURSOR_OPT.NO_SCROLL);
  const name = () => curname ?? newPortalName(x.s);
  let opened: string;
  if (n.query) opened = yield* x.openPortal(name, n.query.PLpgSQL_expr, opts);
  else if (n.dynquery) opened = yield* x.openDynamicPortal(name, n, opts);
  else if (d.cursor) {
    yield* bindArgs(x, (n.curvar ?? 0), n.argquery, n.lineno);
    yield* openBound(x, (n.curvar ?? 0), opened = name());
  } else throw new PgError('XX000', `cursor variable "${d.name}" has no query to open`);
  if (curname === null) { slot.value = opened; slot.type = T.refcursor; }
  return OK;
}

/** exec_stmt_forc: FOR r IN c[(args)] LOOP: opened as by OPEN, a row fetched per iteration, closed at the end. */
export function* execForc(x: PlExec, n: N): Gen<Rc> {
  const { d, slot } = cursorVar(x, (n.curvar ?? 0));
  if (!d.cursor) throw new PgError('XX000', `cursor FOR loop over the unbound cursor "${d.name}"`);
  const curname = unusedName(x, (n.curvar ?? 0));
  yield* bindArgs(x, (n.curvar ?? 0), n.argquery, n.lineno);
  const name = curname ?? newPortalName(x.s);
  yield* openBound(x, (n.curvar ?? 0), name);
  if (curname === null) { slot.value = name; slot.type = T.refcursor; }
  const dno = x.frame.fn.loopVars.get(n) ?? n.var?.PLpgSQL_rec?.dno ?? 0;
  const recName = String(n.var?.PLpgSQL_rec?.refname ?? '').toLowerCase();
  x.frame.scoped.push({ name: recName, dno });
  let found = false;
  let rc: Rc = OK;
  try {
    for (;;) {
      const r = yield* performPortalFetch(x.ex, x.s, { portalname: name, direction: 'FETCH_FORWARD', howMany: 1, ismove: false });
      if (!r.rows.length) break;
      found = true;
      const cols = r.columns ?? [];
      const types = cols.map((c) => sqlTypeOf(c.type as never));
      const row = r.rows[0]!.map((v, i) => (v === null ? null : parseInput(v, types[i]!)));
      x.assignInto(n.var, [row], types, cols.map((c) => c.name), false, '');
      const next = loopRc(yield* x.execStmts(n.body), n.label);
      if (next) { if (next !== 'done') rc = next; break; }
      yield* x.tick();
    }
  } finally {
    x.frame.scoped.pop();
  }
  x.s.portals.delete(name);
  if (curname === null) slot.value = null;
  x.setFound(found);
  return rc;
}

function portalOf(x: PlExec, dno: number): string {
  const { d, slot } = cursorVar(x, dno);
  if (slot.value === null) throw new PgError('22004', `cursor variable "${d.name}" is null`);
  const name = String(formatValue(slot.value));
  if (!x.s.portals.has(name)) throw new PgError('34000', `cursor "${name}" does not exist`);
  return name;
}

/** exec_stmt_fetch: FETCH [direction] c INTO target, or MOVE [direction] c; FOUND and ROW_COUNT set. */
export function* execFetch(x: PlExec, n: N): Gen<Rc> {
  const name = portalOf(x, (n.curvar ?? 0));
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
  const name = portalOf(x, (n.curvar ?? 0));
  x.s.portals.delete(name);
  return OK;
}
