/**
 * Functions that wait, inside expressions: pg_advisory_lock(k) in a WHERE clause or a select list, pg_sleep(s).
 *
 * In PostgreSQL a backend evaluating an expression simply sleeps inside the function call. Here statements are
 * generators that pause (yield) where they wait, but an expression is a plain function and cannot pause. So a
 * function that must wait throws an ExprWait before it changes anything; the executor evaluates such expressions
 * through evalWaiting, which catches it, waits (yield* the ExprWait's wait: a lock wait, a sleep) and evaluates the
 * same row again. On the second evaluation the calls already made — the waited one included — are replayed from
 * the session's record (replayOr) instead of being made twice, so pg_advisory_lock(1), pg_advisory_lock(2) takes
 * each lock once even when the second one waited.
 *
 * Where the executor does not evaluate through evalWaiting (a subquery, an index expression, a CHECK constraint),
 * an ExprWait that escapes is what it is: a PgError 0A000 naming the function, raised before anything changed.
 *
 * Mirrors: nothing in PostgreSQL (its backends can block anywhere); this is the engine's way to keep
 * ExecQual / ExecProject of one row restartable. The calls with side effects take part in the replay: the advisory
 * lock functions, pg_sleep, nextval / setval, pg_cancel_backend / pg_terminate_backend.
 */
import { PgError } from '../errors.js';
import type { Session, StepYield } from '../session/session.js';
import type { Value } from '../sql/types.js';
import { calledNames } from './util.js';

export class ExprWait extends PgError {
  constructor(readonly fn: string, readonly result: Value, readonly wait: () => Generator<StepYield, void, void>) {
    super('0A000', `${fn} waiting inside this part of a statement is not supported by Heapscope`);
  }
}

/** Make a waiting-capable call: replay its earlier result after a wait, else perform it (and record the result). */
export function replayOr(s: Session, perform: () => Value): Value {
  const r = s.exprReplay;
  if (r && r.pos < r.results.length) return r.results[r.pos++]!;
  const v = perform();
  if (r) { r.results.push(v); r.pos++; }
  return v;
}

/** Evaluate `f` (one row's expressions), waiting wherever a call in it throws ExprWait, and evaluating again after. */
export function* evalWaiting<T>(s: Session, f: () => T): Generator<StepYield, T, void> {
  const saved = s.exprReplay;
  const r: { results: Value[]; pos: number } = { results: [], pos: 0 };
  try {
    for (;;) {
      s.exprReplay = r;
      r.pos = 0;
      try {
        return f();
      } catch (e) {
        if (!(e instanceof ExprWait)) throw e;
        s.exprReplay = saved;
        yield* e.wait();
        r.results.push(e.result);
      }
    }
  } finally {
    s.exprReplay = saved;
  }
}

const WAITING_FUNCTIONS = new Set([
  'pg_advisory_lock', 'pg_advisory_lock_shared', 'pg_advisory_xact_lock', 'pg_advisory_xact_lock_shared',
  'pg_sleep', 'pg_sleep_for', 'pg_sleep_until',
]);

/** Does this parse tree call a function that may wait? (Then the executor evaluates it through evalWaiting.) */
export function mayWait(node: unknown): boolean {
  return calledNames(node).some((name) => WAITING_FUNCTIONS.has(name));
}
