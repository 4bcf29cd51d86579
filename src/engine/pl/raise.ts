/**
 * RAISE, ASSERT and GET DIAGNOSTICS (exec_stmt_raise, exec_stmt_assert, exec_stmt_getdiag).
 *
 * RAISE level 'format', args USING option = value: each % in the format takes the next argument's text (a record as
 * record_out prints it, NULL as <NULL>), %% is a %; EXCEPTION (the default level) throws an error — SQLSTATE P0001
 * unless a condition name or ERRCODE says otherwise — and NOTICE / WARNING / INFO / LOG / DEBUG send a message if
 * client_min_messages lets it through (INFO always). A bare RAISE inside a handler re-throws the error being handled.
 * GET [STACKED] DIAGNOSTICS reads ROW_COUNT of the last statement, or the handled error's fields.
 *
 * ASSERT cond, message fails with P0004 (assert_failure, which WHEN OTHERS does not catch) unless
 * plpgsql.check_asserts is off.
 *
 * Mirrors: src/pl/plpgsql/src/pl_exec.c (exec_stmt_raise, exec_stmt_assert, exec_stmt_getdiag).
 */
import { PgError, notSupported } from '../errors.js';
import type { Gen, N } from '../executor/util.js';
import { type Value, T, formatValue } from '../sql/types.js';
import type { PlExec, Rc } from './exec.js';
import { recordOut } from './frame.js';
import { conditionCode, mark, shouldSend } from './plerrors.js';

const OK: Rc = { k: 'ok' };

export function* execRaise(x: PlExec, n: N): Gen<Rc> {
  const level = (n.elog_level ?? 21) as number;
  if (level >= 21 && !n.message && !n.condname && !n.options?.length) {
    const c = x.frame.caught[x.frame.caught.length - 1];
    if (!c) throw new PgError('0Z002', 'RAISE without parameters cannot be used outside an exception handler');
    throw c;
  }
  const params: string[] = [];
  for (const p of (n.params ?? []) as N[]) {
    const v = yield* x.evalExpr(p.PLpgSQL_expr, n.lineno, 'RAISE', true);
    params.push(v.rec && !v.rec.isNull ? recordOut(v.rec) : formatValue(v.value) ?? '<NULL>');
  }
  let message: string | null = null;
  if (n.message !== undefined) {
    let k = 0;
    message = '';
    const m = n.message as string;
    for (let i = 0; i < m.length; i++) {
      if (m[i] === '%') {
        if (m[i + 1] === '%') { message += '%'; i++; continue; }
        if (k >= params.length) throw new PgError('42601', 'too few parameters specified for RAISE');
        message += params[k++];
      } else message += m[i];
    }
    if (k < params.length) throw new PgError('42601', 'too many parameters specified for RAISE');
  }
  let sqlstate: string | null = null;
  // the condition name (RAISE division_by_zero, ERRCODE = 'division_by_zero') is the message when there is none
  let condname: string | null = null;
  if (n.condname) { sqlstate = conditionCode(n.condname); condname = n.condname; }
  const extra: { detail?: string; hint?: string } = {};
  const fields: NonNullable<PgError['fields']> = {};
  const FIELD: Record<string, keyof typeof fields> = { COLUMN: 'column', CONSTRAINT: 'constraint', DATATYPE: 'datatype', TABLE: 'table', SCHEMA: 'schema' };
  const seen = new Set<string>();
  for (const o of (n.options ?? []) as N[]) {
    const opt = o.PLpgSQL_raise_option;
    const v = yield* x.evalExpr(opt.expr.PLpgSQL_expr, n.lineno, 'RAISE');
    const str = formatValue(v.value);
    const what = ['ERRCODE', 'MESSAGE', 'DETAIL', 'HINT', 'COLUMN', 'CONSTRAINT', 'DATATYPE', 'TABLE', 'SCHEMA'][opt.opt_type ?? 0]!;
    if (str === null) throw new PgError('22004', 'RAISE statement option cannot be null');
    const already = what === 'ERRCODE' ? sqlstate !== null : what === 'MESSAGE' ? message !== null : seen.has(what);
    if (already) throw new PgError('42601', `RAISE option already specified: ${what}`);
    seen.add(what);
    if (what === 'ERRCODE') { sqlstate = conditionCode(str); condname = str; } else if (what === 'MESSAGE') message = str;
    else if (what === 'DETAIL') extra.detail = str;
    else if (what === 'HINT') extra.hint = str;
    else fields[FIELD[what]!] = str;
  }
  sqlstate ??= level >= 21 ? 'P0001' : level === 19 ? '01000' : '00000';
  if (message === null) message = condname ?? sqlstate;
  const context = `PL/pgSQL function ${x.frame.sig} line ${n.lineno ?? 0} at RAISE`;
  if (level >= 21) {
    const e = new PgError(sqlstate, message, { ...extra, context });
    if (Object.keys(fields).length) e.fields = fields;
    mark(e, x.frame);
    throw e;
  }
  if (shouldSend(level, x.s.gucs.get('client_min_messages'))) {
    x.s.acc.notices.push({ severity: level === 19 ? 'WARNING' : level === 17 ? 'INFO' : 'NOTICE', sqlstate, message, ...extra, context });
  }
  return OK;
}

/**
 * exec_stmt_assert: ASSERT cond [, message] — unless plpgsql.check_asserts is off (then nothing is evaluated), a
 * false or NULL condition is P0004 with the message's text (any type, as text) or "assertion failed".
 */
export function* execAssert(x: PlExec, n: N): Gen<Rc> {
  const setting = x.s.gucs.getHidden('plpgsql.check_asserts');
  if (setting !== undefined && parseBool(setting) === false) return OK;
  if (yield* x.evalBool(n.cond, n.lineno, 'ASSERT')) return OK;
  let message: string | null = null;
  if (n.message) {
    const v = yield* x.evalExpr(n.message.PLpgSQL_expr, n.lineno, 'ASSERT', true);
    message = v.rec && !v.rec.isNull ? recordOut(v.rec) : formatValue(v.value);
  }
  throw new PgError('P0004', message ?? 'assertion failed');
}

/** parse_bool: on / off, true / false, yes / no, 1 / 0 and their unique prefixes; null if none. */
function parseBool(v: string): boolean | null {
  const s = v.trim().toLowerCase();
  if (!s) return null;
  if ('true'.startsWith(s) || 'yes'.startsWith(s) || s === 'on' || s === '1') return true;
  if ('false'.startsWith(s) || 'no'.startsWith(s) || (s.length >= 2 && 'off'.startsWith(s)) || s === '0') return false;
  return null;
}

export function execGetdiag(x: PlExec, n: N): Rc {
  for (const it of (n.diag_items ?? []) as N[]) {
    const item = it.PLpgSQL_diag_item;
    const slot = x.frame.slots[item.target ?? 0]!;
    if (slot.kind !== 'var') continue;
    let v: Value;
    const c = x.frame.caught[x.frame.caught.length - 1];
    if (n.is_stacked && !c) throw new PgError('0Z002', 'GET STACKED DIAGNOSTICS cannot be used outside an exception handler');
    switch (item.kind) {
      case 'ROW_COUNT': v = x.frame.rowCount; break;
      case 'RETURNED_SQLSTATE': v = c!.sqlstate; break;
      case 'MESSAGE_TEXT': v = c!.message; break;
      case 'PG_EXCEPTION_DETAIL': v = c!.detail ?? ''; break;
      case 'PG_EXCEPTION_HINT': v = c!.hint ?? ''; break;
      case 'PG_EXCEPTION_CONTEXT': v = c!.context ?? ''; break;
      case 'COLUMN_NAME': v = c!.fields?.column ?? ''; break;
      case 'CONSTRAINT_NAME': v = c!.fields?.constraint ?? ''; break;
      case 'PG_DATATYPE_NAME': v = c!.fields?.datatype ?? ''; break;
      case 'TABLE_NAME': v = c!.fields?.table ?? ''; break;
      case 'SCHEMA_NAME': v = c!.fields?.schema ?? ''; break;
      case 'PG_CONTEXT': v = x.contextNow(); break;
      default: throw notSupported(`GET DIAGNOSTICS ${item.kind}`);
    }
    slot.value = x.coerce(v, typeof v === 'number' ? T.int8 : T.text, slot.type, 'GET DIAGNOSTICS');
  }
  return OK;
}
