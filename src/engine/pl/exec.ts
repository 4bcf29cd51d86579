/**
 * The PL/pgSQL interpreter: a function's statement tree walked one statement at a time.
 *
 * PostgreSQL runs a PL/pgSQL function in pl_exec.c: plpgsql_exec_function sets up the datums (parameters, then
 * the declared variables with their defaults, FOUND = false), and exec_stmt_block runs the body; each statement
 * kind has its exec_stmt_* function, which returns OK, EXIT, CONTINUE or RETURN so that loops and blocks know
 * whether to go on. Everything that is SQL — an IF's condition, the right side of :=, a RAISE parameter, an
 * INSERT — is a query of its own run through SPI (exec_eval_expr, exec_stmt_execsql): parsed by the main parser
 * with the variables as parameters, planned, run with a fresh snapshot in READ COMMITTED (a volatile function's
 * statements see what committed meanwhile), each after a CommandCounterIncrement, so it sees the writes before it
 * (the calling statement's too: an AFTER trigger sees its row). The interpreter itself is plain control flow around those queries:
 *
 *     DO $$ DECLARE n int := 0; BEGIN
 *       FOR i IN 1..3 LOOP n := n + i; END LOOP;          -- exec_stmt_fori: i = 1, 2, 3; "n + i" is SELECT n + i
 *       INSERT INTO t VALUES (n);                         -- exec_stmt_execsql: an INSERT with n as a parameter
 *       RAISE NOTICE 'n = %', n;                          -- the client gets NOTICE:  n = 6
 *     END $$;
 *
 * A block with EXCEPTION runs inside a subtransaction (BeginInternalSubTransaction): an error in its body rolls
 * back everything the body did — its tuples' xid is the subtransaction's, now aborted — and the first handler whose
 * condition matches the SQLSTATE runs; no match re-throws to the enclosing block. WHEN OTHERS catches everything
 * except query_canceled and assert_failure. A statement that waits for a lock waits as any statement does (the
 * session is parked, the function suspended where it stood), and long loops yield to the host every few thousand
 * statements, so a runaway loop can be cancelled (57014) instead of freezing the worker.
 *
 * This file is the entry, the statement dispatch, and the statements that are SQL (assignment, PERFORM, the
 * SQL statement, EXECUTE) with the "SPI" they run through; the control statements (blocks, IF, CASE, loops, EXIT,
 * RETURN) are in control.ts, RAISE and GET DIAGNOSTICS in raise.ts, conditions and CONTEXT lines in plerrors.ts.
 *
 * Mirrors: src/pl/plpgsql/src/pl_exec.c (plpgsql_exec_function, exec_stmts / exec_stmt, exec_stmt_assign,
 * exec_stmt_perform, exec_stmt_execsql, exec_stmt_dynexecute, exec_eval_expr, exec_run_select, exec_move_row
 * for INTO) and _SPI_execute_plan in src/backend/executor/spi.c (the CommandCounterIncrement around each query).
 * Simplifications: DECLARE only in the outermost block (its variables are initialised at function start, which is
 * that block's one entry; a nested DECLARE is 0A000, see compile.ts); FOR rec IN query reads all rows first
 * (PostgreSQL fetches through a cursor, 10 at a time: the rows are the same, row locks of FOR UPDATE are taken all
 * before the first iteration); explicit cursors (OPEN, FETCH, CLOSE, FOR over a cursor, refcursor values) are
 * pl/cursor.ts; FOREACH is control.ts, ASSERT raise.ts; COMMIT / ROLLBACK are pl/transaction.ts. The session keeps
 * the calls' error-context lines as they run (Session.plContext: each function's current statement, the SPI query
 * around a nested call) for GET DIAGNOSTICS ... PG_CONTEXT.
 * A STABLE / IMMUTABLE function's queries skip the CommandCounterIncrement as in PostgreSQL, but take their own snapshots (PostgreSQL reuses the caller's): the
 * difference shows only if such a function waits for a lock midway.
 */
import { PgError, notSupported, setPositionText, getPositionText } from '../errors.js';
import type { Executor } from '../executor/executor.js';
import type { Gen, N } from '../executor/util.js';
import type { Session } from '../session/session.js';
import { castTo, compileExpr, type Compiled, type Row } from '../sql/expr.js';
import { sqlTypeOf } from '../sql/funcs/registry.js';
import { parseSqlUncached, setCurrentLiterals, getCurrentLiterals, type RawStmt } from '../sql/parser.js';
import { type SqlType, type Value, T, PgRecord, formatValue, parseInput, applyStringTypmod } from '../sql/types.js';
import { PgBit, applyBitTypmod } from '../adt/varbit.js';
import { evalWaiting } from '../executor/exprwait.js';
import { keepGlobals, mark, markedBy, stmtTypeName } from './plerrors.js';
import { execRaise, execAssert, execGetdiag } from './raise.js';
import { execBlock, execCase, execDynfors, execExit, execForeach, execFori, execFors, execIf, execLoop, execReturn, execReturnNext, execReturnQuery, execWhile } from './control.js';
import { type PlNames, type PlRecord, PlFrame, UsingParams, recordOut, nullRecord } from './frame.js';
import { plTransactionEnd } from './transaction.js';
import { setStatement } from '../commands/variable.js';
import { performCursorOpen } from '../commands/portalcmds.js';
import { execOpen, execFetch, execClose, execForc } from './cursor.js';

/** RC: what a statement tells the loop or block around it (PLPGSQL_RC_*). */
export type Rc = { k: 'ok' } | { k: 'exit'; label: string | null } | { k: 'continue'; label: string | null } | { k: 'return' };
export const OK: Rc = { k: 'ok' };

/** How often (in statements) a long-running function yields to the host so that it can be cancelled. */
export const PL_YIELD_EVERY = 5000;
/** Where the host cannot be yielded to (a function called inside an expression), how many statements it may run. */
export const PL_STEP_LIMIT = 2_000_000;

export interface PlReturn {
  value: Value;
  type: SqlType | null;
  rec: PlRecord | null;
  /** RETURN NEXT / RETURN QUERY rows of a set-returning function */
  rows: Value[][];
  /** the parameters' values when the body ended (a procedure's INOUT / OUT ones are its result) */
  params?: Value[];
}

/** The trigger call's data: NEW, OLD and the TG_ variables (TriggerData). */
export interface TriggerArgs {
  name: string; when: 'BEFORE' | 'AFTER'; level: 'ROW' | 'STATEMENT'; op: 'INSERT' | 'UPDATE' | 'DELETE' | 'TRUNCATE';
  table: string; relid: number; args: string[];
  newRec: PlRecord | null; oldRec: PlRecord | null;
  /** the table's row type (NEW / OLD that do not apply are NULLs of it) */
  columns: { names: string[]; types: SqlType[] };
}

/** The result shape a set-returning function's rows are cast to. */
export interface ReturnShape {
  setof: boolean; type: SqlType | null; columns: { name: string; type: SqlType }[] | null; isVoid: boolean; isRecord: boolean;
  /** a STABLE or IMMUTABLE function: its queries run read-only, without a CommandCounterIncrement before each */
  readOnly?: boolean;
}

interface Parsed { raw: RawStmt; type: string; node: N; simple?: boolean }
const parsedCache = new WeakMap<object, Parsed>();

/** The step counter shared by a call tree, and whether it may yield to the host. */
export interface PlBudget { steps: number; sinceYield: number; canYield: boolean }

export class PlExec {
  readonly retShape: ReturnShape;
  readonly out: PlReturn = { value: null, type: null, rec: null, rows: [] };
  constructor(
    readonly ex: Executor, readonly s: Session, readonly frame: PlFrame,
    shape: ReturnShape, readonly budget: PlBudget, readonly trigger: TriggerArgs | null,
  ) { this.retShape = shape; }

  // ------------------------------------------------------------------ entry

  *run(): Gen<PlReturn> {
    const f = this.frame;
    // datums: the parameters first (already bound), FOUND, then the declared variables with their defaults
    for (let i = 0; i < f.fn.datums.length; i++) {
      const d = f.fn.datums[i]!;
      const slot = f.slots[i]!;
      if (i < f.params.length) continue;
      if (d.kind === 'var' && slot.kind === 'var') {
        if (d.name === 'found') { slot.value = false; slot.type = T.bool; continue; }
        if (this.trigger && this.bindTriggerVar(d.name, slot)) continue;
        if (d.cursor && !d.defaultExpr) { slot.value = d.name; slot.type = T.refcursor; continue; } // a bound cursor's variable holds its own name
        if (d.defaultExpr) {
          const v = yield* this.evalExpr(d.defaultExpr.PLpgSQL_expr, 0, 'statement block');
          slot.value = this.coerce(v.value, v.type, slot.type, d.name);
        } else if (d.notNull) {
          throw new PgError('22004', `variable "${d.name}" must have a default value, since it's declared NOT NULL`);
        }
      } else if (d.kind === 'rec' && slot.kind === 'rec' && this.trigger) {
        const t = this.trigger;
        const nullRec = (): PlRecord => ({ names: t.columns.names, types: t.columns.types, vals: t.columns.names.map(() => null), isNull: true });
        if (d.name === 'new') slot.rec = t.newRec ?? nullRec();
        else if (d.name === 'old') slot.rec = t.oldRec ?? nullRec();
      }
    }
    const stack = this.s.plContext;
    const depth = stack.length;
    stack.push(() => (this.current ? `PL/pgSQL function ${f.sig} line ${this.current.n.lineno ?? 0} at ${stmtTypeName(this.current.kind, this.current.n)}` : `PL/pgSQL function ${f.sig}`));
    let rc: Rc;
    try { rc = yield* this.execStmt(f.fn.action); } finally { stack.length = depth; }
    if (rc.k !== 'return' && !this.retShape.isVoid && !this.retShape.setof && !this.trigger) {
      throw new PgError('2F005', 'control reached end of function without RETURN', { context: `PL/pgSQL function ${f.sig}` });
    }
    return this.out;
  }

  private bindTriggerVar(name: string, slot: { kind: 'var'; value: Value; type: SqlType | null }): boolean {
    const t = this.trigger!;
    const v: Record<string, Value> = {
      tg_name: t.name, tg_when: t.when, tg_level: t.level, tg_op: t.op, tg_relid: t.relid,
      tg_relname: t.table, tg_table_name: t.table, tg_table_schema: 'public', tg_nargs: t.args.length,
    };
    if (!(name in v)) return false;
    slot.value = v[name]!;
    if (!slot.type) slot.type = name === 'tg_relid' ? T.oid : name === 'tg_nargs' ? T.int4 : T.text;
    return true;
  }

  // ------------------------------------------------------------------ statements

  *execStmts(list: N[] | undefined): Gen<Rc> {
    for (const st of list ?? []) {
      const rc = yield* this.execStmt(st);
      if (rc.k !== 'ok') return rc;
    }
    return OK;
  }

  *tick(): Gen<void> {
    const b = this.budget;
    b.steps++;
    if (++b.sinceYield < PL_YIELD_EVERY) return;
    if (b.canYield && this.s.chunked) { b.sinceYield = 0; yield { kind: 'progress', done: b.steps, total: 0 }; return; }
    if (b.sinceYield > PL_STEP_LIMIT) {
      throw notSupported(`running more than ${PL_STEP_LIMIT} PL/pgSQL statements where the host cannot cancel them (a function called inside an expression, or a statement not run in chunks)`);
    }
  }

  /** the statement being run (estate->err_stmt): the function's line of an error's CONTEXT and of PG_CONTEXT */
  current: { kind: string; n: N } | null = null;

  /** PG_CONTEXT: the context lines of the calls running, innermost first */
  contextNow(): string {
    return [...this.s.plContext].reverse().map((f) => f()).join('\n');
  }

  private *execStmt(st: N): Gen<Rc> {
    const kind = Object.keys(st)[0]!;
    const n = st[kind];
    yield* this.tick();
    const prev = this.current;
    this.current = { kind, n };
    try {
      return yield* this.dispatch(kind, n);
    } catch (e) {
      if (e instanceof PgError && kind !== 'PLpgSQL_stmt_block' && !markedBy(e, this.frame)) {
        const line = `PL/pgSQL function ${this.frame.sig} line ${n.lineno ?? 0} at ${stmtTypeName(kind, n)}`;
        e.context = e.context ? `${e.context}\n${line}` : line;
        mark(e, this.frame);
      }
      throw e;
    } finally {
      this.current = prev;
    }
  }

  private *dispatch(kind: string, n: N): Gen<Rc> {
    switch (kind) {
      case 'PLpgSQL_stmt_block': return yield* execBlock(this, n);
      case 'PLpgSQL_stmt_assign': return yield* this.execAssign(n);
      case 'PLpgSQL_stmt_if': return yield* execIf(this, n);
      case 'PLpgSQL_stmt_case': return yield* execCase(this, n);
      case 'PLpgSQL_stmt_loop': return yield* execLoop(this, n);
      case 'PLpgSQL_stmt_while': return yield* execWhile(this, n);
      case 'PLpgSQL_stmt_fori': return yield* execFori(this, n);
      case 'PLpgSQL_stmt_fors': return yield* execFors(this, n);
      case 'PLpgSQL_stmt_dynfors': return yield* execDynfors(this, n);
      case 'PLpgSQL_stmt_foreach_a': return yield* execForeach(this, n);
      case 'PLpgSQL_stmt_exit': return yield* execExit(this, n);
      case 'PLpgSQL_stmt_return': return yield* execReturn(this, n);
      case 'PLpgSQL_stmt_return_next': return yield* execReturnNext(this, n);
      case 'PLpgSQL_stmt_return_query': return yield* execReturnQuery(this, n);
      case 'PLpgSQL_stmt_raise': return yield* execRaise(this, n);
      case 'PLpgSQL_stmt_assert': return yield* execAssert(this, n);
      case 'PLpgSQL_stmt_perform': {
        const q = yield* this.runSql(n.expr.PLpgSQL_expr, n.lineno, 'PERFORM', null);
        this.setFound(q.rows.length > 0);
        this.frame.rowCount = q.rows.length;
        return OK;
      }
      case 'PLpgSQL_stmt_execsql': return yield* this.execSql(n);
      case 'PLpgSQL_stmt_dynexecute': {
        const q = yield* this.runDynamic(n, 'EXECUTE');
        if (n.into) this.assignInto(n.target, q.rows, q.types, q.names, !!n.strict, q.text);
        this.frame.rowCount = q.count;
        if (n.into) this.setFound(q.rows.length > 0);
        return OK;
      }
      case 'PLpgSQL_stmt_open': return yield* execOpen(this, n);
      case 'PLpgSQL_stmt_forc': return yield* execForc(this, n);
      case 'PLpgSQL_stmt_fetch': return yield* execFetch(this, n);
      case 'PLpgSQL_stmt_close': return execClose(this, n);
      case 'PLpgSQL_stmt_getdiag': return execGetdiag(this, n);
      case 'PLpgSQL_stmt_commit': case 'PLpgSQL_stmt_rollback':
        yield* plTransactionEnd(this.ex, this.s, kind === 'PLpgSQL_stmt_rollback', !!n.chain);
        return OK;
      case 'PLpgSQL_stmt_call': {
        // CALL of a procedure from PL/pgSQL: a statement of its own; inside a non-atomic procedure it is non-atomic
        // too; its INOUT / OUT arguments, variables, receive the values the procedure left in them
        this.s.callOutputs = null;
        yield* this.runSql(n.expr.PLpgSQL_expr, n.lineno, 'CALL', null);
        const outs = this.s.callOutputs as { args: number[]; values: Value[]; argOf?: number[] } | null;
        this.s.callOutputs = null;
        if (outs && n.is_call) this.assignCallOutputs(n.expr.PLpgSQL_expr, outs);
        return OK;
      }
      default:
        throw notSupported(`the PL/pgSQL statement ${stmtTypeName(kind, n)}`);
    }
  }

  /** make_callstmt_target: each output argument of the CALL must be a variable; it gets the parameter's value */
  private assignCallOutputs(e: N, outs: { args: number[]; values: Value[]; argOf?: number[] }) {
    const call = this.parse(e, '').node;
    const args = (call.funccall?.args ?? []) as N[];
    outs.args.forEach((ai, k) => {
      const arg = args[outs.argOf ? outs.argOf[k]! : ai];
      const ref = (arg?.NamedArgExpr ? arg.NamedArgExpr.arg : arg)?.ColumnRef?.fields as N[] | undefined;
      const name = ref?.length === 1 ? ref[0]!.String?.sval as string | undefined : undefined;
      const dno = name !== undefined ? this.frame.dnoOf(name) : undefined;
      const slot = dno === undefined ? undefined : this.frame.slots[dno];
      if (!slot || slot.kind !== 'var') throw new PgError('42601', `procedure parameter ${ai + 1} is an output parameter but corresponding argument is not writable`);
      slot.value = outs.values[k]!;
    });
  }

  private *execAssign(n: N): Gen<Rc> {
    const e = assignmentExpr(n.expr.PLpgSQL_expr);
    const d = this.frame.fn.datums[n.varno ?? 0]!; // varno 0 is left out of the parse tree
    const slot = this.frame.slots[n.varno ?? 0]!;
    if (d.kind === 'rec' && slot.kind === 'rec') {
      const rv = yield* this.evalExpr(e, n.lineno, 'assignment', true);
      if (d.rowType) {
        // a variable of a named row type takes a row value field by field, coerced to its own fields' types
        const src = rv.rec ? (rv.rec.isNull ? null : rv.rec.vals) : rv.value instanceof PgRecord ? rv.value.vals : rv.value === null ? null : undefined;
        if (src === undefined) throw new PgError('42804', 'cannot assign non-composite value to a record variable');
        const into = nullRecord(d.rowType);
        if (src === null) { slot.rec = into; return OK; }
        const srcTypes = rv.rec?.types ?? rv.type?.composite?.fields.map((f) => f.type) ?? [];
        const vals = into.types.map((t, i) => (i < src.length ? this.coerce(src[i]!, srcTypes[i] ?? null, t, into.names[i]!) : null));
        slot.rec = { ...into, isNull: false, vals };
        return OK;
      }
      if (rv.rec || rv.value === null) { slot.rec = rv.rec && !rv.rec.isNull ? { ...rv.rec, vals: rv.rec.vals.slice() } : null; return OK; }
      throw new PgError('42804', 'cannot assign non-composite value to a record variable');
    }
    const v = yield* this.evalExpr(e, n.lineno, 'assignment');
    if (d.kind === 'var' && slot.kind === 'var') {
      if (d.isConst) throw new PgError('22005', `variable "${d.name}" is declared CONSTANT`);
      if (!slot.type && d.typeError) throw d.typeError;
      slot.value = this.coerce(v.value, v.type, slot.type, d.name);
      if (d.notNull && slot.value === null) throw new PgError('22004', `null value cannot be assigned to variable "${d.name}" declared NOT NULL`);
      return OK;
    }
    if (d.kind === 'recfield') {
      const rs = this.frame.slots[d.rec]!;
      const recName = this.frame.fn.datums[d.rec]!.name;
      if (rs.kind !== 'rec' || !rs.rec) throw new PgError('55000', `record "${recName}" is not assigned yet`, { detail: 'The tuple structure of a not-yet-assigned record is indeterminate.' });
      const i = rs.rec.names.indexOf(d.name);
      if (i < 0) throw new PgError('42703', `record "${recName}" has no field "${d.name}"`);
      const vals = rs.rec.vals.slice();
      vals[i] = this.coerce(v.value, v.type, rs.rec.types[i]!, d.name);
      rs.rec = { ...rs.rec, vals, isNull: false }; // a field set makes a NULL row a row
      return OK;
    }
    throw notSupported('this assignment target in PL/pgSQL');
  }

  private *execSql(n: N): Gen<Rc> {
    const q = yield* this.runSql(n.sqlstmt.PLpgSQL_expr, n.lineno, 'SQL statement', null);
    if (n.into) this.assignInto(n.target, q.rows, q.types, q.names, !!n.strict, q.text);
    else if (q.isSelect) throw new PgError('42601', 'query has no destination for result data', { hint: 'If you want to discard the results of a SELECT, use PERFORM instead.' });
    this.frame.rowCount = q.count;
    this.setFound(q.count > 0);
    return OK;
  }

  // ------------------------------------------------------------------ SQL through "SPI"

  setFound(v: boolean) {
    const dno = this.frame.dnoOf('found');
    const slot = dno === undefined ? undefined : this.frame.slots[dno];
    if (slot?.kind === 'var') slot.value = v;
  }

  coerce(v: Value, from: SqlType | null, to: SqlType | null, _what: string): Value {
    if (!to || v === null || !from || (from.name === to.name && from.typmod === to.typmod)) return v;
    const c: Compiled = { fn: () => v, type: from, name: '', strength: 0 };
    // a bit string's length is checked as an assignment checks it (bit(4) := B'1' is 22026, not padded)
    if ((to.name === 'bit' || to.name === 'varbit') && !to.elem && to.typmod > 0) {
      const any = castTo(c, { ...to, typmod: -1 }, true).fn(null as unknown as Row);
      return any instanceof PgBit ? applyBitTypmod(any, to.typmod, to.name === 'varbit', false) : any;
    }
    // so is a string's (exec_cast_value applies the typmod as an assignment: varchar(3) := 'abcdef' is 22001, only
    // blanks are cut silently)
    if ((to.name === 'varchar' || to.name === 'bpchar') && !to.elem && to.typmod > 0) {
      const any = castTo(c, { ...to, typmod: -1 }, true).fn(null as unknown as Row);
      return any === null ? null : applyStringTypmod(String(any), to, false);
    }
    return castTo(c, to, true).fn(null as unknown as Row);
  }

  private parse(e: N, prefix: string): Parsed {
    let p = parsedCache.get(e);
    if (!p) {
      const text = prefix + (e.query as string);
      const stmts = parseSqlUncached(text);
      if (stmts.length !== 1) throw new PgError('42601', stmts.length ? `query "${e.query}" returned more than one row` : 'empty query');
      const raw = stmts[0]!;
      const type = Object.keys(raw.stmt)[0]!;
      p = { raw, type, node: raw.stmt[type] };
      parsedCache.set(e, p);
    }
    return p;
  }

  /** Run code with this call's names visible to the SQL compiler and the query's own text for positions. */
  private *withNames<T>(names: PlNames, text: string, g: () => Gen<T>, context: string, spi = true): Gen<T> {
    const s = this.s;
    const prev = s.plNames;
    const depth = s.plContext.length;
    if (spi) s.plContext.push(() => context); // _SPI_error_callback's line while the query runs
    s.plNames = names;
    const prevLiterals = getCurrentLiterals(), prevText = getPositionText();
    setCurrentLiterals(null);
    setPositionText(text);
    try {
      return yield* keepGlobals(g(), () => { s.plNames = names; setCurrentLiterals(null); setPositionText(text); });
    } catch (e) {
      // _SPI_error_callback: an error with a cursor position points into this query (internalposition, no
      // CONTEXT line of its own); one without gets the query as a CONTEXT line
      if (e instanceof PgError && !markedBy(e, this.frame)) {
        if (e.position !== undefined) delete e.position;
        else if (context.startsWith('SQL statement') || !e.context) e.context = e.context ? `${e.context}\n${context}` : context;
      }
      throw e;
    } finally {
      s.plContext.length = depth;
      s.plNames = prev;
      setCurrentLiterals(prevLiterals);
      setPositionText(prevText);
    }
  }

  /** exec_eval_expr: SELECT <expr>; one column, at most one row (none is NULL). With `recOk` a record may result. */
  *evalExpr(e: N, _lineno: number, _where: string, recOk = false): Gen<{ value: Value; type: SqlType | null; rec: PlRecord | null }> {
    const q = e.query as string;
    const ident = /^\s*([A-Za-z_][A-Za-z0-9_$]*)\s*$/.exec(q);
    if (ident) {
      const dno = this.frame.dnoOf(ident[1]!);
      const slot = dno === undefined ? undefined : this.frame.slots[dno];
      if (slot?.kind === 'rec') {
        if (recOk) return { value: slot.rec && !slot.rec.isNull ? recordOut(slot.rec) : null, type: T.text, rec: slot.rec };
        if (!slot.rec) throw new PgError('55000', `record "${ident[1]}" is not assigned yet`, { detail: 'The tuple structure of a not-yet-assigned record is indeterminate.' });
        return { value: slot.rec.isNull ? null : recordOut(slot.rec), type: T.text, rec: slot.rec };
      }
      if (slot?.kind === 'var') return { value: slot.value, type: slot.type, rec: null };
    }
    const p = this.parse(e, 'SELECT ');
    const sel = p.node;
    p.simple ??= p.type === 'SelectStmt' && !sel.fromClause && !sel.whereClause && !sel.groupClause && !sel.havingClause && !sel.sortClause
      && !sel.limitCount && !sel.limitOffset && !sel.distinctClause && !sel.withClause && (!sel.op || sel.op === 'SETOP_NONE') && !sel.valuesLists && !sel.lockingClause
      && !JSON.stringify(sel.targetList).includes('"SubLink"');
    const simple = p.simple;
    const ex = this.ex, s = this.s;
    const text = p.raw.text;
    const readOnly = !!this.retShape.readOnly;
    const res = yield* this.withNames(this.frame, text, function* () {
      if (simple) {
        const targets = sel.targetList as N[];
        if (targets.length !== 1) throw new PgError('42601', `query "${q}" returned ${targets.length} columns`);
        const env = ex.env(s, () => ex.eng.snapshotFor(s));
        const c = compileExpr(targets[0]!.ResTarget.val, { relName: null, alias: null, columns: [], hasSystem: false, env, sql: text });
        const row: Row = { vals: [], item: null, blk: 0, off: 0, aggs: null };
        // a user function may wait (c.gen); pg_advisory_lock(…) & co. wait through evalWaiting (exprwait.ts)
        return { names: [c.name], types: [c.type], rows: [[c.gen ? yield* c.gen(row) : yield* evalWaiting(s, () => c.fn(row))]] };
      }
      if (!readOnly) s.tx?.commandCounterIncrement();
      return yield* ex.query(s, p.node, text, false);
    }, exprLabel.get(e) ?? `SQL expression "${q}"`, !simple); // a simple expression is evaluated without SPI
    if (res.types.length !== 1) throw new PgError('42601', `query "${q}" returned ${res.types.length} columns`);
    if (res.rows.length > 1) throw new PgError('21000', `query "${q}" returned more than one row`);
    const t = res.types[0]!;
    return { value: res.rows[0]?.[0] ?? null, type: t.name === 'unknown' ? T.text : t, rec: null };
  }

  *evalBool(e: N, lineno: number, where: string): Gen<boolean> {
    const v = yield* this.evalExpr(e.PLpgSQL_expr, lineno, where);
    if (v.type && v.type.name !== 'bool' && v.value !== null) return this.coerce(v.value, v.type, T.bool, where) === true;
    return v.value === true;
  }

  /** exec_stmt_execsql / exec_run_select: one SQL statement of the function, run as a statement of its own. */
  *runSql(e: N, _lineno: number, _where: string,
    using: PlNames | null): Gen<{ rows: Value[][]; types: SqlType[]; names: string[]; count: number; isSelect: boolean; text: string }> {
    const p = this.parse(e, '');
    return yield* this.runParsed(p, using ?? this.frame);
  }

  private *runParsed(p: Parsed, names: PlNames): Gen<{ rows: Value[][]; types: SqlType[]; names: string[]; count: number; isSelect: boolean; text: string }> {
    const ex = this.ex, s = this.s;
    const text = p.raw.text;
    if (p.type === 'TransactionStmt') throw new PgError('0A000', 'unsupported transaction command in PL/pgSQL'); // _SPI_execute_plan
    if (['DoStmt', 'CreateFunctionStmt'].includes(p.type) && s.plDepth > 20) throw new PgError('54001', 'stack depth limit exceeded');
    const readOnly = !!this.retShape.readOnly;
    if (ex.eng.tracer.wants('statement')) {
      ex.eng.tracer.emit({ kind: 'statement', session: s.name, text: `${s.name}'s PL/pgSQL ${this.frame.sig} runs (through SPI, as a statement of its own): ${text.length > 100 ? text.slice(0, 97) + '...' : text}` });
    }
    const out = yield* this.withNames(names, text, function* () {
      // _SPI_execute_plan: a volatile function's statement first makes the writes so far visible (the calling
      // statement's rows included: an AFTER trigger sees the row it fires for) — CommandCounterIncrement
      if (!readOnly) s.tx?.commandCounterIncrement();
      if (p.type === 'SelectStmt' && !p.node.intoClause) {
        const q = yield* ex.query(s, p.node, text, true); // a statement of its own: FOR UPDATE allowed
        return { rows: q.rows, types: q.types, names: q.names, count: q.rows.length, isSelect: true, text };
      }
      // SET inside the code (SPI runs it as a utility statement)
      const r = p.type === 'VariableSetStmt' ? setStatement(ex.eng, s, p.node) : yield* ex.run(s, p.type, p.node, p.raw);
      const count = Number(/(\d+)$/.exec(r.command)?.[1] ?? 0);
      const types = (r.columns ?? []).map((c) => sqlTypeOf(c.type as never));
      const rows = r.rows.map((row) => row.map((v, i) => (v === null ? null : parseInput(v, types[i]!))));
      return { rows, types, names: (r.columns ?? []).map((c) => c.name), count, isSelect: false, text };
    }, `SQL statement "${text}"`);
    s.tx?.commandCounterIncrement();
    return out;
  }

  /** SPI_cursor_open: the cursor's query opened as the portal `name`, the function's variables its parameters. */
  *openPortal(name: string | (() => string), e: N, options: number): Gen<string> {
    return yield* this.openParsed(name, this.parse(e, ''), this.frame, options);
  }

  /** OPEN c FOR EXECUTE string [USING ...] (exec_dynquery_with_params): the string's query opened as a portal;
   *  `name` is asked for once the string is evaluated and parsed (the portal's name is made when it opens) */
  *openDynamicPortal(name: () => string, n: N, options: number): Gen<string> {
    const { raw, params } = yield* this.dynamicQuery({ ...n, query: n.dynquery }, 'OPEN');
    const type = Object.keys(raw.stmt)[0]!;
    return yield* this.openParsed(name, { raw, type, node: raw.stmt[type] }, new UsingParams(params), options);
  }

  private *openParsed(name: string | (() => string), p: Parsed, names: PlNames, options: number): Gen<string> {
    checkCursorQuery(p);
    const ex = this.ex, s = this.s;
    const portalname = typeof name === 'string' ? name : name();
    const node = { portalname, options, query: { SelectStmt: p.node } };
    yield* this.withNames(names, p.raw.text, function* () {
      yield* performCursorOpen(ex, s, node, p.raw, true);
    }, `SQL statement "${p.raw.text}"`);
    return portalname;
  }

  /** exec_eval_expr for a list of expressions (cursor arguments, "1 AS a, 2 AS b"): one row of several columns. */
  *evalRow(e: N, _lineno: number): Gen<{ rows: Value[][]; types: SqlType[]; names: string[] }> {
    const p = this.parse(e, 'SELECT ');
    const ex = this.ex, s = this.s;
    const readOnly = !!this.retShape.readOnly;
    const res = yield* this.withNames(this.frame, p.raw.text, function* () {
      if (!readOnly) s.tx?.commandCounterIncrement();
      return yield* ex.query(s, p.node, p.raw.text, false);
    }, `SQL expression "${e.query}"`);
    if (res.rows.length > 1) throw new PgError('21000', `query "${e.query}" returned more than one row`);
    return { rows: res.rows, types: res.types.map((t) => (t.name === 'unknown' ? T.text : t)), names: res.names };
  }

  /** EXECUTE string [INTO ...] [USING ...]: the string is parsed now; it sees only $n of USING, no variables. */
  *runDynamic(n: N, where: string): Gen<{ rows: Value[][]; types: SqlType[]; names: string[]; count: number; isSelect: boolean; text: string }> {
    const { raw, params } = yield* this.dynamicQuery(n, where);
    const type = Object.keys(raw.stmt)[0]!;
    return yield* this.runParsed({ raw, type, node: raw.stmt[type] }, new UsingParams(params));
  }

  /** EXECUTE's string evaluated and parsed, its USING values evaluated. */
  private *dynamicQuery(n: N, _where: string): Gen<{ raw: RawStmt; params: { value: Value; type: SqlType }[] }> {
    const qv = yield* this.evalExpr(n.query.PLpgSQL_expr, n.lineno, 'EXECUTE');
    if (qv.value === null) throw new PgError('22004', 'query string argument of EXECUTE is null');
    const text = String(formatValue(qv.value));
    const params: { value: Value; type: SqlType }[] = [];
    for (const pe of (n.params ?? []) as N[]) {
      const v = yield* this.evalExpr(pe.PLpgSQL_expr, n.lineno, 'EXECUTE');
      params.push({ value: v.value, type: v.type ?? T.text });
    }
    const stmts = parseSqlUncached(text);
    if (stmts.length !== 1) throw new PgError('42601', stmts.length ? 'EXECUTE of a string with several statements is not supported here' : 'cannot execute an empty query');
    return { raw: stmts[0]!, params };
  }

  /** INTO target: a row (a list of variables) or a record; STRICT wants exactly one row. */
  assignInto(target: N, rows: Value[][], types: SqlType[], names: string[], strict: boolean, text: string): void {
    if (strict && rows.length === 0) throw new PgError('P0002', 'query returned no rows');
    if (strict && rows.length > 1) throw new PgError('P0003', 'query returned more than one row', { hint: 'Make sure the query returns a single row, or use LIMIT 1.' });
    void text;
    const row = rows[0] ?? null;
    const tk = Object.keys(target)[0]!;
    const t = target[tk];
    if (tk === 'PLpgSQL_var') {
      // a single variable as the target: a %ROWTYPE one (a record here) or a scalar taking the first column
      const dno = typeof t.dno === 'number' ? t.dno : this.frame.dnoOf(t.refname) ?? 0;
      const slot = this.frame.slots[dno]!;
      if (slot.kind === 'rec') slot.rec = row ? { names: names.slice(), types: types.slice(), vals: row.slice() } : null;
      else if (slot.kind === 'var') slot.value = this.coerce(row ? row[0] ?? null : null, types[0] ?? null, slot.type, t.refname);
      return;
    }
    if (tk === 'PLpgSQL_rec') {
      const slot = this.frame.slots[t.dno ?? this.frame.dnoOf(t.refname) ?? 0]!;
      if (slot.kind === 'rec') slot.rec = row ? { names: names.slice(), types: types.slice(), vals: row.slice() } : (rows.length === 0 && slot.rec ? { ...slot.rec, vals: slot.rec.vals.map(() => null) } : null);
      return;
    }
    const fields = (t.fields ?? []) as { name: string; varno?: number }[];
    if (fields.length === 1 && this.frame.slots[fields[0]!.varno ?? 0]?.kind === 'rec') {
      const slot = this.frame.slots[fields[0]!.varno ?? 0]! as { kind: 'rec'; rec: PlRecord | null };
      slot.rec = row ? { names: names.slice(), types: types.slice(), vals: row.slice() } : null;
      return;
    }
    fields.forEach((f, i) => {
      const slot = this.frame.slots[f.varno ?? 0]!;
      if (slot.kind !== 'var') return;
      const v = row ? row[i] ?? null : null;
      slot.value = this.coerce(v, types[i] ?? null, slot.type, f.name);
    });
  }
}


/** SPI_cursor_open's check: only a SELECT opens as a cursor (a DML ... RETURNING one is not modelled). */
function checkCursorQuery(p: Parsed): void {
  if (p.type !== 'SelectStmt' && p.node.returningList) throw notSupported(`a PL/pgSQL cursor over ${p.type.replace(/Stmt$/, '').toUpperCase()} ... RETURNING`);
  if (p.type !== 'SelectStmt') throw new PgError('42P11', `cannot open ${p.type.replace(/Stmt$/, '').toUpperCase()} query as cursor`);
}

const assignCache = new WeakMap<object, N>();
/** how a CONTEXT line names an expression that failed: assignments by their whole text */
const exprLabel = new WeakMap<object, string>();
/** An assignment's expression: the text after `target :=` (or `target =`), made once per statement. */
function assignmentExpr(e: N): N {
  let x = assignCache.get(e);
  if (!x) { x = { ...e, query: assignmentSource(e.query as string) }; assignCache.set(e, x); exprLabel.set(x, `PL/pgSQL assignment "${e.query}"`); }
  return x;
}
/** The text after `target :=` (or `target =`) in an assignment's query. */
function assignmentSource(q: string): string {
  const m = /^\s*(?:"[^"]*"|[A-Za-z_][A-Za-z0-9_$]*)(?:\s*\.\s*(?:"[^"]*"|[A-Za-z_][A-Za-z0-9_$]*))*\s*(?::=|=)/.exec(q);
  if (!m) throw notSupported('this assignment target in PL/pgSQL (array elements?)');
  return q.slice(m[0].length);
}
