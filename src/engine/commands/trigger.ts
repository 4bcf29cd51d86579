/**
 * Triggers: CREATE / DROP TRIGGER, ALTER TABLE ENABLE / DISABLE TRIGGER, and firing them.
 *
 * A trigger (a pg_trigger row) ties a function RETURNS trigger to a table: BEFORE or AFTER, FOR EACH ROW or FOR
 * EACH STATEMENT, on INSERT / UPDATE [OF columns] / DELETE / TRUNCATE, optionally WHEN (condition). The executor
 * fires them around its work (nodeModifyTable.c calls into trigger.c):
 *
 *   BEFORE STATEMENT — once, before the first row (ExecBSInsertTriggers & co.);
 *   BEFORE ROW       — for each row, before it is written: the function sees NEW (INSERT, UPDATE) and OLD (UPDATE,
 *                      DELETE); what it returns is what gets written — NEW changed, or NULL to skip the row
 *                      (ExecBRInsertTriggers / ExecBRUpdateTriggers / ExecBRDeleteTriggers). For UPDATE and DELETE
 *                      the row is locked first (GetTupleForTrigger): a row a concurrent transaction changed is
 *                      waited for and, in READ COMMITTED, re-checked by EvalPlanQual, and the trigger sees the newest
 *                      version as OLD;
 *   AFTER ROW        — queued when the row is written (AfterTriggerSaveEvent) and fired when the statement ends
 *                      (AfterTriggerEndQuery), in the order the rows were written; their return value is ignored;
 *   AFTER STATEMENT  — queued after the rows, fired with them at the statement's end.
 * Several triggers for the same event fire in the order of their names. CREATE TRIGGER and ENABLE / DISABLE
 * TRIGGER take ShareRowExclusiveLock on the table (they conflict with writers, not with readers); DROP TRIGGER
 * takes AccessExclusiveLock.
 *
 *     CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$
 *       BEGIN NEW.v := upper(NEW.v); RETURN NEW; END $$;
 *     CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW EXECUTE FUNCTION stamp();
 *     INSERT INTO a VALUES (1, 'x');          -- the row written is (1, 'X')
 *
 * Mirrors: src/backend/commands/trigger.c (CreateTrigger, RemoveTriggerById, EnableDisableTrigger,
 * ExecBR*Triggers, ExecAR*Triggers, ExecBS/AS*Triggers, TriggerEnabled, AfterTriggerSaveEvent,
 * AfterTriggerEndQuery, GetTupleForTrigger).
 * Simplifications: no constraint triggers (DEFERRABLE), no INSTEAD OF triggers (no updatable views), no
 * transition tables (REFERENCING), no triggers on ON CONFLICT or data-modifying WITH statements (0A000); the AFTER
 * queue is per statement (an AFTER trigger of a statement run inside a trigger fires at that inner statement's end,
 * as in PostgreSQL); TG_ARGV is not available (no arrays).
 */
import type { Executor } from '../executor/executor.js';
import type { Gen, N } from '../executor/util.js';
import { PgError, notSupported, posOf } from '../errors.js';
import { type Table, type Trigger, liveColumns } from '../catalog/catalog.js';
import type { Session, QueryResult } from '../session/session.js';
import { LockMode } from '../lock/lock.js';
import { compileExpr, castTo, type Compiled, type Scope, type Row } from '../sql/expr.js';
import { type Value, T } from '../sql/types.js';
import { setCurrentLiterals, getCurrentLiterals } from '../sql/parser.js';
import { setPositionText, getPositionText } from '../errors.js';
import { callFunction } from '../pl/fmgr.js';
import type { PlNames, PlRecord } from '../pl/frame.js';
import type { TriggerArgs } from '../pl/exec.js';

export type TriggerOp = 'INSERT' | 'UPDATE' | 'DELETE' | 'TRUNCATE';
export interface AfterEvent { trigger: Trigger; table: Table; op: TriggerOp; row: boolean; oldVals: Value[] | null; newVals: Value[] | null }

const TRIGGER_TYPE_BEFORE = 1 << 1, TRIGGER_TYPE_INSERT = 1 << 2, TRIGGER_TYPE_DELETE = 1 << 3, TRIGGER_TYPE_UPDATE = 1 << 4, TRIGGER_TYPE_TRUNCATE = 1 << 5,
  TRIGGER_TYPE_INSTEAD = 1 << 6;

export function* createTrigger(ex: Executor, s: Session, n: N, text: string): Gen<QueryResult> {
  if (n.isconstraint) throw notSupported('constraint triggers (CREATE CONSTRAINT TRIGGER)');
  if (n.transitionRels?.length) throw notSupported('transition tables (REFERENCING OLD / NEW TABLE)');
  const timing = (n.timing ?? 0) as number;
  if (timing & TRIGGER_TYPE_INSTEAD) throw notSupported('INSTEAD OF triggers');
  const events = (n.events ?? 0) as number;
  const t = ex.table(n.relation);
  if (t.partKey) throw notSupported('triggers on partitioned tables');
  const fnames = (n.funcname as N[]).map((x) => x.String.sval as string);
  const fname = fnames[fnames.length - 1]!;
  if (fnames.length > 1 && fnames[0] !== 'public') throw notSupported(`trigger functions in the schema ${fnames[0]}`);
  const row = !!n.row;
  if (row && events & TRIGGER_TYPE_TRUNCATE) throw new PgError('0A000', 'TRUNCATE FOR EACH ROW triggers are not supported');
  const fn = ex.eng.catalog.functions.get(fname)?.find((f) => f.args.length === 0);
  if (!fn) throw new PgError('42883', `function ${fname}() does not exist`);
  if (fn.ret.kind !== 'trigger') throw new PgError('42P17', `function ${fname} must return type trigger`);
  if (n.whenClause) {
    const refs = JSON.stringify(n.whenClause);
    if (!row && /"sval":"(new|old)"/.test(refs)) throw new PgError('42P17', "statement trigger's WHEN condition cannot reference column values", { position: posOf(n.whenClause?.location) });
    if (events === TRIGGER_TYPE_INSERT && /"sval":"old"/.test(refs)) throw new PgError('42P17', "INSERT trigger's WHEN condition cannot reference OLD values");
    if (events === TRIGGER_TYPE_DELETE && /"sval":"new"/.test(refs)) throw new PgError('42P17', "DELETE trigger's WHEN condition cannot reference NEW values");
  }
  const columns = n.columns?.length ? (n.columns as N[]).map((c) => c.String.sval as string) : null;
  for (const c of columns ?? []) if (!liveColumns(t).some((x) => x.name === c)) throw new PgError('42703', `column "${c}" of relation "${t.name}" does not exist`);
  yield* ex.eng.acquireLock(s, { type: 'relation', rel: t.oid }, LockMode.ShareRowExclusive, null, `waiting for ShareRowExclusiveLock on ${t.name} to create a trigger`);
  const existing = (t.triggers ?? []).find((x) => x.name === n.trigname);
  if (existing && !n.replace) throw new PgError('42710', `trigger "${n.trigname}" for relation "${t.name}" already exists`);
  ex.eng.ensureXid(s);
  s.tx!.cidUsed = true;
  const tg: Trigger = {
    oid: existing?.oid ?? ex.eng.catalog.allocOid(), name: n.trigname, func: fname,
    timing: timing & TRIGGER_TYPE_BEFORE ? 'before' : 'after', row,
    events: {
      insert: !!(events & TRIGGER_TYPE_INSERT), update: !!(events & TRIGGER_TYPE_UPDATE),
      delete: !!(events & TRIGGER_TYPE_DELETE), truncate: !!(events & TRIGGER_TYPE_TRUNCATE) },
    columns, when: n.whenClause ?? null, whenSql: text,
    args: ((n.args ?? []) as N[]).map((a) => a.String.sval as string), enabled: true,
  };
  const before = t.triggers;
  t.triggers = [...(t.triggers ?? []).filter((x) => x !== existing), tg];
  s.tx!.undo.push(() => { t.triggers = before; });
  return { command: 'CREATE TRIGGER', columns: null, rows: [] };
}

export function* dropTrigger(ex: Executor, s: Session, n: N): Gen<QueryResult> {
  for (const obj of n.objects as N[]) {
    const parts = (obj.List.items as N[]).map((x) => x.String.sval as string);
    const trig = parts[parts.length - 1]!, rel = parts[parts.length - 2]!;
    const t = ex.eng.catalog.get(rel);
    if (!t) {
      if (n.missing_ok) { s.acc.notices.push({ severity: 'NOTICE', sqlstate: '00000', message: `relation "${rel}" does not exist, skipping` }); continue; }
      throw new PgError('42P01', `relation "${rel}" does not exist`);
    }
    const tg = (t.triggers ?? []).find((x) => x.name === trig);
    if (!tg) {
      if (n.missing_ok) { s.acc.notices.push({ severity: 'NOTICE', sqlstate: '00000', message: `trigger "${trig}" for relation "${rel}" does not exist, skipping` }); continue; }
      throw new PgError('42704', `trigger "${trig}" for table "${rel}" does not exist`);
    }
    yield* ex.eng.acquireLock(s, { type: 'relation', rel: t.oid }, LockMode.AccessExclusive, null, `waiting for AccessExclusiveLock on ${t.name} to drop a trigger`);
    ex.eng.ensureXid(s);
    s.tx!.cidUsed = true;
    const before = t.triggers;
    t.triggers = (t.triggers ?? []).filter((x) => x !== tg);
    s.tx!.undo.push(() => { t.triggers = before; });
  }
  return { command: 'DROP TRIGGER', columns: null, rows: [] };
}

/** ALTER TABLE ... ENABLE / DISABLE TRIGGER name | ALL | USER (EnableDisableTrigger). */
export function setTriggersEnabled(ex: Executor, s: Session, t: Table, name: string | null, enabled: boolean): void {
  const list = t.triggers ?? [];
  if (name !== null && !list.some((x) => x.name === name)) throw new PgError('42704', `trigger "${name}" for table "${t.name}" does not exist`);
  const before = t.triggers;
  t.triggers = list.map((x) => (name === null || x.name === name ? { ...x, enabled } : x));
  s.tx!.undo.push(() => { t.triggers = before; });
}

/** The enabled triggers for an event, in name order (RelationBuildTriggers sorts them by name). */
export function triggersFor(t: Table, timing: 'before' | 'after', row: boolean, op: TriggerOp, updatedCols?: ReadonlySet<string>): Trigger[] {
  if (!t.triggers?.length) return [];
  const key = op === 'INSERT' ? 'insert' : op === 'UPDATE' ? 'update' : op === 'DELETE' ? 'delete' : 'truncate';
  return t.triggers.filter((x) => x.enabled && x.timing === timing && x.row === row && x.events[key]
    && (op !== 'UPDATE' || !x.columns || !updatedCols || x.columns.some((c) => updatedCols.has(c))))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
export const hasRowTriggers = (t: Table, op: TriggerOp) => (t.triggers ?? []).some((x) => x.enabled && x.row && x.events[op === 'INSERT' ? 'insert' : op === 'UPDATE' ? 'update' : 'delete']);

function record(t: Table, vals: Value[] | null): PlRecord | null {
  if (!vals) return null;
  const cols = liveColumns(t);
  return { names: cols.map((c) => c.name), types: cols.map((c) => c.type), vals: cols.map((c) => vals[c.attnum - 1] ?? null) };
}

/** NEW and OLD as the WHEN condition sees them. */
class WhenNames implements PlNames {
  constructor(readonly newRec: PlRecord | null, readonly oldRec: PlRecord | null) {}
  variable(names: string[]): Compiled | null {
    if (names.length !== 2 || (names[0] !== 'new' && names[0] !== 'old')) return null;
    const rec = names[0] === 'new' ? this.newRec : this.oldRec;
    if (!rec) return { fn: () => null, type: T.text, name: names[1]!, strength: 2 };
    const i = rec.names.indexOf(names[1]!);
    if (i < 0) throw new PgError('42703', `column ${names[0]}.${names[1]} does not exist`);
    return { fn: () => rec.vals[i] ?? null, type: rec.types[i]!, name: names[1]!, strength: 2 };
  }
  param(): Compiled | null { return null; }
}

function whenPasses(ex: Executor, s: Session, tg: Trigger, newRec: PlRecord | null, oldRec: PlRecord | null): boolean {
  if (!tg.when) return true;
  const prev = s.plNames;
  s.plNames = new WhenNames(newRec, oldRec);
  const prevLiterals = getCurrentLiterals(), prevText = getPositionText();
  setCurrentLiterals(null);
  setPositionText(tg.whenSql);
  try {
    const scope: Scope = { relName: null, alias: null, columns: [], hasSystem: false, env: ex.env(s, () => ex.eng.snapshotFor(s)), sql: tg.whenSql };
    return compileExpr(tg.when as N, scope).fn(null as unknown as Row) === true;
  } finally {
    s.plNames = prev;
    setCurrentLiterals(prevLiterals);
    setPositionText(prevText);
  }
}

function* fire(ex: Executor, s: Session, tg: Trigger, t: Table, op: TriggerOp, row: boolean, newRec: PlRecord | null,
  oldRec: PlRecord | null): Gen<PlRecord | null> {
  const f = ex.eng.catalog.functions.get(tg.func)?.find((x) => x.args.length === 0 && x.ret.kind === 'trigger');
  if (!f) throw new PgError('42883', `function ${tg.func}() does not exist`);
  const args: TriggerArgs = {
    name: tg.name, when: tg.timing === 'before' ? 'BEFORE' : 'AFTER', level: row ? 'ROW' : 'STATEMENT', op,
    table: t.name, relid: t.oid, args: tg.args, newRec, oldRec,
    columns: { names: liveColumns(t).map((c) => c.name), types: liveColumns(t).map((c) => c.type) },
  };
  const r = yield* callFunction(ex, s, f, [], true, args);
  return r.rec;
}

/** BEFORE / AFTER STATEMENT: fire the BEFORE ones now; AFTER ones go to the queue. */
export function* fireStatementTriggers(ex: Executor, s: Session, t: Table, timing: 'before' | 'after', op: TriggerOp, queue: AfterEvent[] | null, updatedCols?: ReadonlySet<string>): Gen<void> {
  for (const tg of triggersFor(t, timing, false, op, updatedCols)) {
    if (timing === 'after' && queue) { if (whenPasses(ex, s, tg, null, null)) queue.push({ trigger: tg, table: t, op, row: false, oldVals: null, newVals: null }); continue; }
    if (whenPasses(ex, s, tg, null, null)) yield* fire(ex, s, tg, t, op, false, null, null);
  }
}

/**
 * BEFORE ROW triggers of one row: each gets the previous one's result as NEW; NULL skips the row (null returned),
 * else the values to write (for DELETE, the old values back).
 */
export function* fireBeforeRow(ex: Executor, s: Session, t: Table, op: TriggerOp, oldVals: Value[] | null, newVals: Value[] | null,
  updatedCols?: ReadonlySet<string>): Gen<Value[] | null> {
  const tgs = triggersFor(t, 'before', true, op, updatedCols);
  if (!tgs.length) return op === 'DELETE' ? oldVals : newVals;
  const oldRec = record(t, oldVals);
  let cur = newVals ? newVals.slice() : null;
  for (const tg of tgs) {
    const newRec = record(t, cur);
    if (!whenPasses(ex, s, tg, newRec, oldRec)) continue;
    const r = yield* fire(ex, s, tg, t, op, true, newRec, oldRec);
    if (!r) return null;
    if (op === 'DELETE') continue;
    const cols = liveColumns(t);
    if (r.vals.length !== cols.length) throw new PgError('42804', 'returned row structure does not match the structure of the triggering table', { detail: 'Number of returned columns does not match expected column count.' });
    const next = cur!.slice();
    cols.forEach((c, i) => {
      const v = r.vals[i] ?? null;
      const from = r.types[i];
      next[c.attnum - 1] = from && v !== null && from.name !== c.type.name ? castTo({ fn: () => v, type: from, name: '', strength: 0 }, c.type, true).fn(null as unknown as Row) : v;
    });
    cur = next;
  }
  return op === 'DELETE' ? oldVals : cur;
}

/** AfterTriggerSaveEvent for a row: the AFTER ROW triggers whose WHEN holds, queued for the statement's end. */
export function queueAfterRow(ex: Executor, s: Session, queue: AfterEvent[], t: Table, op: TriggerOp, oldVals: Value[] | null, newVals: Value[] | null,
  updatedCols?: ReadonlySet<string>): void {
  for (const tg of triggersFor(t, 'after', true, op, updatedCols)) {
    if (whenPasses(ex, s, tg, record(t, newVals), record(t, oldVals))) queue.push({ trigger: tg, table: t, op, row: true, oldVals, newVals });
  }
}

/** AfterTriggerEndQuery: fire the statement's queued AFTER events in order. */
export function* fireAfterEvents(ex: Executor, s: Session, queue: AfterEvent[]): Gen<void> {
  for (const ev of queue) yield* fire(ex, s, ev.trigger, ev.table, ev.op, ev.row, record(ev.table, ev.newVals), record(ev.table, ev.oldVals));
  queue.length = 0;
}
