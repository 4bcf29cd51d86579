/**
 * PL/pgSQL's control statements: blocks, IF and CASE, the loops, EXIT / CONTINUE and the RETURNs.
 *
 * These are the part of pl_exec.c that is plain control flow: each exec_stmt_* function here evaluates its
 * conditions or bounds as SQL expressions (through the interpreter's evalExpr, exec.ts) and runs a list of
 * statements, and what it returns — OK, EXIT, CONTINUE or RETURN, with a label — tells the loop or block around it
 * whether to go on. A loop ends at an EXIT naming it (or naming none), goes round again at such a CONTINUE, and hands
 * anything else outwards; a block swallows only an EXIT naming its own label:
 *
 *     <<outer>> LOOP
 *       FOR i IN 1..10 LOOP
 *         CONTINUE WHEN i % 2 = 0;   -- the FOR goes on with i + 1
 *         EXIT outer WHEN i > 5;     -- the FOR hands EXIT outer outwards; the LOOP labelled outer ends
 *       END LOOP;
 *     END LOOP;
 *
 * A block with EXCEPTION runs its body in a subtransaction (BeginInternalSubTransaction): an error rolls back
 * everything the body did, then the first handler whose condition matches the SQLSTATE runs with SQLSTATE and
 * SQLERRM set; no match re-throws to the enclosing block. FOR loops set FOUND once they end (true if any iteration
 * ran); RETURN NEXT and RETURN QUERY add rows to a set-returning function's result, cast to its result shape.
 *
 * Mirrors: src/pl/plpgsql/src/pl_exec.c (exec_stmt_block, exec_stmt_if, exec_stmt_case, exec_stmt_loop,
 * exec_stmt_while, exec_stmt_fori, exec_stmt_fors / exec_stmt_dynfors with exec_for_query, exec_stmt_foreach_a, exec_stmt_exit,
 * exec_stmt_return, exec_stmt_return_next, exec_stmt_return_query; the LOOP_RC_PROCESSING macro is loopRc).
 * Simplifications: FOR over a query reads all rows before the first iteration (PostgreSQL fetches through a
 * portal 10 rows at a time; see exec.ts); the set-returning function's rows are kept in an array, not a tuplestore.
 */
import { PgError } from '../errors.js';
import type { Gen, N } from '../executor/util.js';
import { type SqlType, type Value, PgArray, T, typeDisplayName } from '../sql/types.js';
import { abortSubs, beginInternalSub, releaseSubs } from '../xact/xactblock.js';
import type { PlExec, Rc } from './exec.js';
import { conditionMatches, mark } from './plerrors.js';

const OK: Rc = { k: 'ok' };

/** exec_stmt_if: the first condition that is true runs its statements; none, the ELSE part. */
export function* execIf(x: PlExec, n: N): Gen<Rc> {
  if (yield* x.evalBool(n.cond, n.lineno, 'IF')) return yield* x.execStmts(n.then_body);
  for (const e of (n.elsif_list ?? []) as N[]) {
    const ei = e.PLpgSQL_if_elsif;
    if (yield* x.evalBool(ei.cond, ei.lineno, 'IF')) return yield* x.execStmts(ei.stmts);
  }
  return yield* x.execStmts(n.else_body);
}

/** exec_stmt_case: CASE [expr] WHEN …; no WHEN matching and no ELSE is 20000 case_not_found. */
export function* execCase(x: PlExec, n: N): Gen<Rc> {
  if (n.t_expr) {
    const v = yield* x.evalExpr(n.t_expr.PLpgSQL_expr, n.lineno, 'CASE');
    const slot = x.frame.slots[n.t_varno]!;
    if (slot.kind === 'var') { slot.value = v.value; slot.type = v.type; }
  }
  for (const w of (n.case_when_list ?? []) as N[]) {
    const cw = w.PLpgSQL_case_when;
    if (yield* x.evalBool(cw.expr, cw.lineno, 'CASE')) return yield* x.execStmts(cw.stmts);
  }
  if (n.have_else) return yield* x.execStmts(n.else_stmts);
  throw new PgError('20000', 'case not found', { hint: 'CASE statement is missing ELSE part.' });
}

/** exec_stmt_loop: LOOP … END LOOP, until EXIT or RETURN. */
export function* execLoop(x: PlExec, n: N): Gen<Rc> {
  for (;;) {
    const rc = yield* x.execStmts(n.body);
    const next = loopRc(rc, n.label);
    if (next) return next === 'done' ? OK : next;
    yield* x.tick();
  }
}

/** exec_stmt_while: the condition is tested before each iteration. */
export function* execWhile(x: PlExec, n: N): Gen<Rc> {
  for (;;) {
    if (!(yield* x.evalBool(n.cond, n.lineno, 'WHILE'))) return OK;
    const rc = yield* x.execStmts(n.body);
    const next = loopRc(rc, n.label);
    if (next) return next === 'done' ? OK : next;
  }
}

/** exec_stmt_fors: FOR target IN query LOOP (the rows are read first, see the module doc). */
export function* execFors(x: PlExec, n: N): Gen<Rc> {
  const q = yield* viaUnnamedPortal(x, x.runSql(n.query.PLpgSQL_expr, n.lineno, 'FOR over SELECT rows', null));
  return yield* loopOverRows(x, n, q);
}

/** exec_stmt_dynfors: FOR target IN EXECUTE string LOOP. */
export function* execDynfors(x: PlExec, n: N): Gen<Rc> {
  const q = yield* viaUnnamedPortal(x, x.runDynamic(n, 'FOR over EXECUTE statement'));
  return yield* loopOverRows(x, n, q);
}

/**
 * A FOR loop's query: PostgreSQL runs it through an unnamed portal (SPI_cursor_open → CreateNewPortal), which takes
 * the next "<unnamed portal N>" number once the query is planned — a query failing parse analysis (42xxx) takes none.
 */
function* viaUnnamedPortal<R>(x: PlExec, g: Gen<R>): Gen<R> {
  try {
    const r = yield* g;
    x.s.unnamedPortals++;
    return r;
  } catch (e) {
    if (!(e instanceof PgError && e.sqlstate.startsWith('42'))) x.s.unnamedPortals++;
    throw e;
  }
}

/**
 * exec_stmt_foreach_a: FOREACH x [SLICE n] IN ARRAY expr. Without SLICE each element in storage order (the
 * dimensions flattened, NULLs too), coerced to x's type; with SLICE n each sub-array of the last n dimensions,
 * keeping their lower bounds (array_iterate).
 */
export function* execForeach(x: PlExec, n: N): Gen<Rc> {
  const v = yield* x.evalExpr(n.expr.PLpgSQL_expr, n.lineno, 'FOREACH over array');
  if (v.value === null) throw new PgError('22004', 'FOREACH expression must not be null');
  const at = v.type;
  if (!at?.elem || !(v.value instanceof PgArray)) throw new PgError('42804', `FOREACH expression must yield an array, not type ${at ? typeDisplayName({ ...at, typmod: -1 }) : 'unknown'}`);
  const arr = v.value;
  const slice = Number(n.slice ?? 0);
  if (slice < 0 || slice > arr.ndim) throw new PgError('2202E', `slice dimension (${slice}) is out of the valid range 0..${arr.ndim}`);
  const dno = (n.varno ?? 0) as number;
  const d = x.frame.fn.datums[dno]!;
  const slot = x.frame.slots[dno]!;
  const varIsArray = d.kind === 'var' && slot.kind === 'var' && !!slot.type?.elem;
  if (slice > 0 && !varIsArray) throw new PgError('42804', 'FOREACH ... SLICE loop variable must be of an array type');
  if (slice === 0 && varIsArray) throw new PgError('42804', 'FOREACH loop variable must not be of an array type');
  const assign = (val: Value, type: SqlType) => {
    if (slot.kind === 'rec' || d.kind === 'row') {
      if (val !== null) throw new PgError('42804', 'cannot assign non-composite value to a record variable');
      if (slot.kind === 'rec') slot.rec = null;
      return;
    }
    if (slot.kind === 'var') slot.value = x.coerce(val, type, slot.type, d.name);
  };
  const per = slice === 0 ? 1 : arr.dims.slice(arr.ndim - slice).reduce((a, b) => a * b, 1);
  const count = per === 0 ? 0 : arr.items.length / per;
  let found = false;
  for (let i = 0; i < count; i++) {
    found = true;
    if (slice === 0) assign(arr.items[i] ?? null, at.elem);
    else assign(new PgArray(arr.items.slice(i * per, (i + 1) * per), arr.dims.slice(arr.ndim - slice), arr.lbs.slice(arr.ndim - slice)), at);
    const next = loopRc(yield* x.execStmts(n.body), n.label);
    if (next) { x.setFound(true); return next === 'done' ? OK : next; }
    yield* x.tick();
  }
  x.setFound(found);
  return OK;
}

/** exec_stmt_exit: EXIT / CONTINUE [label] [WHEN cond]. */
export function* execExit(x: PlExec, n: N): Gen<Rc> {
  if (n.cond && !(yield* x.evalBool(n.cond, n.lineno, n.is_exit ? 'EXIT' : 'CONTINUE'))) return OK;
  return n.is_exit ? { k: 'exit', label: n.label ?? null } : { k: 'continue', label: n.label ?? null };
}

/** exec_stmt_return_query: RETURN QUERY [EXECUTE]: the rows are added to the result, FOUND and ROW_COUNT set. */
export function* execReturnQuery(x: PlExec, n: N): Gen<Rc> {
  if (!x.retShape.setof) throw new PgError('42804', 'cannot use RETURN QUERY in a non-SETOF function');
  const q = n.query ? yield* x.runSql(n.query.PLpgSQL_expr, n.lineno, 'RETURN QUERY', null) : yield* x.runDynamic({ ...n, query: n.dynquery }, 'RETURN QUERY');
  for (const r of q.rows) x.out.rows.push(castRow(x, r, q.types));
  x.setFound(q.rows.length > 0);
  x.frame.rowCount = q.rows.length;
  return OK;
}

/** exec_stmt_block: a block with EXCEPTION runs in a subtransaction; the first matching handler runs after its rollback. */
export function* execBlock(x: PlExec, n: N): Gen<Rc> {
  const exceptions = n.exceptions?.PLpgSQL_exception_block?.exc_list as N[] | undefined;
  if (!exceptions) return blockRc(yield* x.execStmts(n.body), n.label);
  const eng = x.ex.eng, s = x.s;
  const level = beginInternalSub(eng, s);
  let err: PgError;
  try {
    const rc = yield* x.execStmts(n.body);
    releaseSubs(eng, s, level);
    return blockRc(rc, n.label);
  } catch (e) {
    if (!(e instanceof PgError)) throw e;
    if (!s.tx || s.tx.subs.length <= level) throw e; // the transaction itself is gone (nothing to roll back to)
    err = e;
    if (s.waiting) { eng.locks.cancelWait(s.id); s.waiting = null; }
    abortSubs(eng, s, level, true);
  }
  const handler = exceptions.map((x) => x.PLpgSQL_exception)
    .find((h: N) => ((h.conditions ?? []) as N[]).some((c) => conditionMatches(c.PLpgSQL_condition.condname, err.sqlstate)));
  if (!handler) throw err;
  const f = x.frame;
  for (const [name, value] of [['sqlstate', err.sqlstate], ['sqlerrm', err.message]] as const) {
    const dno = f.dnoOf(name);
    const slot = dno === undefined ? undefined : f.slots[dno];
    if (slot?.kind === 'var') { slot.value = value; slot.type = T.text; }
  }
  f.caught.push(err);
  try {
    return blockRc(yield* x.execStmts(handler.action), n.label);
  } finally {
    f.caught.pop();
  }
}

/** exec_stmt_fori: FOR i IN [REVERSE] lo..hi [BY step]; the bounds are evaluated once, before the first iteration. */
export function* execFori(x: PlExec, n: N): Gen<Rc> {
  const lo = yield* x.evalExpr(n.lower.PLpgSQL_expr, n.lineno, 'FOR with integer loop variable');
  const hi = yield* x.evalExpr(n.upper.PLpgSQL_expr, n.lineno, 'FOR with integer loop variable');
  const stepV = n.step ? yield* x.evalExpr(n.step.PLpgSQL_expr, n.lineno, 'FOR with integer loop variable') : { value: 1 as Value, type: T.int4 };
  const int = (v: { value: Value; type: SqlType | null }, what: string) => {
    if (v.value === null) throw new PgError('22004', `${what} of FOR loop cannot be null`);
    return Number(x.coerce(v.value, v.type, T.int4, 'i'));
  };
  const a = int(lo, 'lower bound'), b = int(hi, 'upper bound'), step = int(stepV, 'BY value');
  if (step <= 0) throw new PgError('22023', 'BY value of FOR loop must be greater than zero');
  const dno = x.frame.fn.loopVars.get(n) ?? loopVarDno(x, n.var.PLpgSQL_var);
  const slot = x.frame.slots[dno]!;
  let found = false;
  x.frame.scoped.push({ name: String(n.var.PLpgSQL_var.refname).toLowerCase(), dno });
  try {
    for (let i = a; n.reverse ? i >= b : i <= b; i += n.reverse ? -step : step) {
      found = true;
      if (slot.kind === 'var') { slot.value = i; slot.type = T.int4; }
      const rc = yield* x.execStmts(n.body);
      const next = loopRc(rc, n.label);
      if (next) { x.setFound(true); return next === 'done' ? OK : next; }
      yield* x.tick();
    }
  } finally {
    x.frame.scoped.pop();
  }
  x.setFound(found);
  return OK;
}

/** The loop variable's datum number (the compiled tree records it; older trees are searched by name and line). */
function loopVarDno(x: PlExec, v: N): number {
  if (typeof v.dno === 'number') return v.dno;
  const ds = x.frame.fn.datums;
  for (let i = ds.length - 1; i >= 0; i--) if (ds[i]!.kind === 'var' && ds[i]!.name === v.refname && (ds[i] as { lineno?: number }).lineno === v.lineno) return i;
  const dno = x.frame.dnoOf(v.refname);
  if (dno === undefined) throw new PgError('XX000', `loop variable "${v.refname}" not found`);
  return dno;
}

/** The body of FOR over query rows: each row is assigned to the target, then the body runs. */
function* loopOverRows(x: PlExec, n: N, q: { rows: Value[][]; types: SqlType[]; names: string[] }): Gen<Rc> {
  const target = n.var;
  for (const r of q.rows) {
    x.assignInto(target, [r], q.types, q.names, false, '');
    const rc = yield* x.execStmts(n.body);
    const next = loopRc(rc, n.label);
    if (next) { x.setFound(true); return next === 'done' ? OK : next; }
    yield* x.tick();
  }
  x.setFound(q.rows.length > 0);
  return OK;
}

/** exec_stmt_return: the value (or record) the function returns; in a set-returning function, the end of the rows. */
export function* execReturn(x: PlExec, n: N): Gen<Rc> {
  const shape = x.retShape;
  if (shape.setof) return { k: 'return' };
  if (n.retvarno !== undefined || (n.expr === undefined && x.trigger)) {
    const slot = x.frame.slots[n.retvarno ?? 0]!;
    if (slot.kind === 'rec') { x.out.rec = slot.rec?.isNull ? null : slot.rec; return { k: 'return' }; }
    if (slot.kind === 'var') { x.out.value = slot.value; x.out.type = slot.type; return { k: 'return' }; }
  }
  if (!n.expr) {
    if (shape.isVoid || x.trigger) return { k: 'return' };
    const e = new PgError('2F005', 'control reached end of function without RETURN', { context: `PL/pgSQL function ${x.frame.sig}` });
    mark(e, x.frame);
    throw e;
  }
  const v = yield* x.evalExpr(n.expr.PLpgSQL_expr, n.lineno, 'RETURN', !!x.trigger || shape.isRecord);
  if (x.trigger || shape.isRecord) {
    if (v.rec === null && v.value !== null) throw new PgError('42804', 'cannot return non-composite value from function returning composite type');
    x.out.rec = v.rec?.isNull ? null : v.rec;
    return { k: 'return' };
  }
  if (shape.isVoid) { if (v.value !== null) throw new PgError('42804', 'RETURN cannot have a parameter in function returning void'); return { k: 'return' }; }
  x.out.value = shape.type ? x.coerce(v.value, v.type, shape.type, 'RETURN') : v.value;
  x.out.type = shape.type ?? v.type;
  return { k: 'return' };
}

/** exec_stmt_return_next: one more row of a set-returning function. */
export function* execReturnNext(x: PlExec, n: N): Gen<Rc> {
  const shape = x.retShape;
  if (!shape.setof) throw new PgError('42804', 'cannot use RETURN NEXT in a non-SETOF function');
  if (shape.columns && n.retvarno === undefined && !n.expr) {
    // RETURNS TABLE / OUT parameters: the row is the output variables' current values
    const outs = shape.columns.map((c) => { const dno = x.frame.dnoOf(c.name); const sl = dno === undefined ? undefined : x.frame.slots[dno]; return sl?.kind === 'var' ? sl.value : null; });
    x.out.rows.push(outs);
    return OK;
  }
  if (n.retvarno !== undefined) {
    const slot = x.frame.slots[n.retvarno]!;
    const d = x.frame.fn.datums[n.retvarno]!;
    if (d.kind === 'row') {
      x.out.rows.push(d.fields.map((fl) => { const sl = x.frame.slots[fl.varno]; return sl?.kind === 'var' ? sl.value : null; }));
      return OK;
    }
    if (slot.kind === 'var') { x.out.rows.push([shape.type ? x.coerce(slot.value, slot.type, shape.type, 'RETURN NEXT') : slot.value]); return OK; }
    if (slot.kind === 'rec') { if (slot.rec) x.out.rows.push(castRow(x, slot.rec.vals, slot.rec.types)); return OK; }
  }
  const v = yield* x.evalExpr(n.expr.PLpgSQL_expr, n.lineno, 'RETURN NEXT', shape.isRecord);
  if (v.rec) x.out.rows.push(castRow(x, v.rec.vals, v.rec.types));
  else x.out.rows.push([shape.type ? x.coerce(v.value, v.type, shape.type, 'RETURN NEXT') : v.value]);
  return OK;
}

/** A row cast to the function's result shape (exec_move_row into the tuplestore's descriptor). */
export function castRow(x: PlExec, r: Value[], types: SqlType[]): Value[] {
  const cols = x.retShape.columns;
  if (!cols && x.retShape.isRecord) return r.slice(); // SETOF record: the caller's column list decides
  if (!cols) return [x.retShape.type ? x.coerce(r[0] ?? null, types[0] ?? null, x.retShape.type, 'RETURN') : r[0] ?? null];
  if (r.length !== cols.length) {
    throw new PgError('42804', 'structure of query does not match function result type', { detail: `Number of returned columns (${r.length}) does not match expected column count (${cols.length}).` });
  }
  return cols.map((c, i) => x.coerce(r[i]!, types[i] ?? null, c.type, c.name));
}

/** LOOP_RC_PROCESSING: null to go on, 'done' when the loop ends here, or the RC to hand outwards */
export function loopRc(rc: Rc, label: string | undefined): Rc | 'done' | null {
  if (rc.k === 'ok') return null;
  if (rc.k === 'return') return rc;
  if (rc.k === 'exit') return rc.label === null || rc.label === label ? 'done' : rc;
  return rc.label === null || rc.label === label ? null : rc;
}
function blockRc(rc: Rc, label: string | undefined): Rc {
  if (rc.k === 'exit' && rc.label !== null && rc.label === label) return OK;
  return rc;
}
