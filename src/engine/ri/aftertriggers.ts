/**
 * The AFTER trigger queue, as far as foreign keys need it: when their checks run.
 *
 * A FOREIGN KEY is enforced by triggers PostgreSQL creates with the constraint (RI_ConstraintTrigger_a_* on the
 * referenced table for DELETE and UPDATE, RI_ConstraintTrigger_c_* on the referencing table for INSERT and
 * UPDATE). They are AFTER ROW triggers: changing a row only queues an event (AfterTriggerSaveEvent); the events
 * fire when the statement that queued them ends (AfterTriggerEndQuery), in the order they were queued — after
 * every row of the statement has been changed, so `UPDATE t SET id = id + 1` on a self-referencing table does
 * not trip over its own intermediate states. An RI trigger's own statement (a cascaded DELETE) is a query of its
 * own: its events fire when it ends, before the outer statement's next event.
 *
 * A DEFERRABLE constraint's events can wait longer: while the constraint is deferred (INITIALLY DEFERRED, or
 * SET CONSTRAINTS … DEFERRED) they stay queued until COMMIT (PreCommit_Portals → AfterTriggerFireDeferred) or
 * until SET CONSTRAINTS … IMMEDIATE, which fires them at once. An error there fails the COMMIT, and the
 * transaction rolls back.
 *
 *     BEGIN;
 *     SET CONSTRAINTS ALL DEFERRED;
 *     INSERT INTO orders VALUES (1, 99);   -- no product 99 yet: the check is queued, not run
 *     INSERT INTO products VALUES (99);
 *     COMMIT;                              -- the check runs now, finds product 99, and the commit succeeds
 *
 * Whether an event is deferred is decided when its statement ends (afterTriggerMarkEvents asks the constraint's
 * state then), not when it was queued. Events queued inside a savepoint that is rolled back go with it, and so
 * does a SET CONSTRAINTS run inside it.
 *
 * Mirrors: src/backend/commands/trigger.c (AfterTriggerSaveEvent, AfterTriggerBeginQuery / EndQuery,
 * AfterTriggerFireDeferred, AfterTriggerSetState, afterTriggerCheckState). Simplifications: only RI triggers are
 * queued (no user-defined triggers here); events carry the row values rather than TIDs to fetch them by.
 */
import { PgError } from '../errors.js';
import type { Session, QueryResult } from '../session/session.js';
import type { Value } from '../sql/types.js';
import type { Table, ForeignKey } from '../catalog/catalog.js';

/** One queued RI trigger call. */
export interface RiEvent {
  /** 'check': on the referencing table (RI_FKey_check_ins / _upd); 'action': on the referenced one (noaction, restrict, cascade, set null/default) */
  kind: 'check' | 'action';
  op: 'insert' | 'update' | 'delete';
  /** the referencing table's OID and the constraint's name (looked up again when the event fires) */
  fkRel: number;
  constraint: string;
  oldVals: Value[] | null;
  newVals: Value[] | null;
  /** where the new version was put (a check skips a row that was since updated or deleted again) */
  newTid: { blk: number; off: number } | null;
  /** can this event wait until COMMIT (a deferrable constraint's NO ACTION or check trigger)? */
  deferrable: boolean;
}

export interface AfterTriggerState {
  /** one event list per running query, innermost last */
  levels: RiEvent[][];
  /** events of deferred constraints, waiting for COMMIT or SET CONSTRAINTS … IMMEDIATE */
  deferred: RiEvent[];
  /** SET CONSTRAINTS ALL: true = deferred, false = immediate, null = each constraint's INITIALLY */
  all: boolean | null;
  /** SET CONSTRAINTS name, …: per constraint OID */
  byOid: Map<number, boolean>;
}

export function afterTriggerState(s: Session): AfterTriggerState {
  return (s.tx!.afterTriggers ??= { levels: [], deferred: [], all: null, byOid: new Map() });
}

/** AfterTriggerBeginQuery. */
export function beginQuery(s: Session): number {
  if (!s.tx) return -1;
  const st = afterTriggerState(s);
  st.levels.push([]);
  return st.levels.length - 1;
}

/** The events a query at `level` queued, removed from the queue (AfterTriggerEndQuery takes them). */
export function takeLevel(s: Session, level: number): RiEvent[] {
  const st = s.tx?.afterTriggers;
  if (!st || level < 0 || st.levels.length <= level) return [];
  const evs = st.levels[level]!;
  st.levels.length = level;
  return evs;
}

/** Drop the query level (after an error: its events die with the statement). */
export function abandonLevel(s: Session, level: number): void {
  const st = s.tx?.afterTriggers;
  if (st && level >= 0 && st.levels.length > level) st.levels.length = level;
}

/** AfterTriggerSaveEvent: queue an event in the running query. */
export function saveEvent(s: Session, ev: RiEvent): void {
  const st = afterTriggerState(s);
  if (!st.levels.length) st.levels.push([]); // a change outside any query level (DDL rewriting rows): its own
  st.levels[st.levels.length - 1]!.push(ev);
}

/** afterTriggerCheckState: is this constraint deferred right now? */
export function isDeferred(s: Session, fk: ForeignKey): boolean {
  if (!fk.deferrable) return false;
  const st = s.tx?.afterTriggers;
  const own = st?.byOid.get(fk.oid);
  if (own !== undefined) return own;
  if (st && st.all !== null) return st.all;
  return fk.initiallyDeferred;
}

/** Keep an event until COMMIT; a rollback to an earlier savepoint takes it away again. */
export function deferEvent(s: Session, ev: RiEvent): void {
  const st = afterTriggerState(s);
  st.deferred.push(ev);
  s.tx!.undo.push(() => { const i = st.deferred.indexOf(ev); if (i >= 0) st.deferred.splice(i, 1); });
}

/** The deferred events whose constraint is no longer deferred (all of them at COMMIT), taken off the list. */
export function takeDeferred(s: Session, all: boolean, deferredNow: (ev: RiEvent) => boolean): RiEvent[] {
  const st = s.tx?.afterTriggers;
  if (!st || !st.deferred.length) return [];
  const out: RiEvent[] = [], keep: RiEvent[] = [];
  for (const ev of st.deferred) (all || !deferredNow(ev) ? out : keep).push(ev);
  st.deferred = keep;
  return out;
}

export const hasDeferred = (s: Session): boolean => !!s.tx?.afterTriggers?.deferred.length;

/**
 * SET CONSTRAINTS { ALL | name, … } { DEFERRED | IMMEDIATE } (AfterTriggerSetState): the transaction's state
 * changes; the caller then fires the deferred events that became immediate.
 */
export function setConstraints(s: Session, n: Record<string, any>, tables: Iterable<Table>): QueryResult {
  const done: QueryResult = { command: 'SET CONSTRAINTS', columns: null, rows: [] };
  // WarnNoTransactionBlock: outside a block it is run, and has no effect on anything
  if (s.block === 'none') s.acc.notices.push({ severity: 'WARNING', sqlstate: '25P01', message: 'SET CONSTRAINTS can only be used in transaction blocks' });
  const st = afterTriggerState(s);
  const saved = { all: st.all, byOid: new Map(st.byOid) };
  const deferred = !!n.deferred;
  const names = ((n.constraints ?? []) as Record<string, any>[]).map((c) => c.RangeVar?.relname as string);
  if (!names.length) {
    st.all = deferred;
    st.byOid.clear();
  } else {
    const fks = [...tables].flatMap((t) => t.fkeys ?? []);
    for (const name of names) {
      const found = fks.filter((f) => f.name === name);
      if (!found.length) throw new PgError('42704', `constraint "${name}" does not exist`);
      for (const f of found) {
        if (!f.deferrable) throw new PgError('55000', `constraint "${name}" is not deferrable`);
        st.byOid.set(f.oid, deferred);
        // a key on a partitioned table: its clones and children (conparentid, at any depth) follow it
        const family = new Set([f.oid]);
        for (let grew = true; grew;) {
          grew = false;
          for (const c of fks) {
            if (c.parent === undefined || !family.has(c.parent) || family.has(c.oid)) continue;
            family.add(c.oid); st.byOid.set(c.oid, deferred); grew = true;
          }
        }
      }
    }
  }
  s.tx!.undo.push(() => { st.all = saved.all; st.byOid = saved.byOid; });
  return done;
}
