/**
 * The state as of one trace event: what every view shows while the player steps through a statement.
 *
 * The engine is deterministic, so "the heap after the 37th event of this UPDATE" is found by replaying: take the
 * engine as it was just before the step (a checkpoint copy plus the few steps after it), copy it, and apply the
 * step again with a hook on the tracer (Tracer.onEmit). When event number `seq` is recorded the hook inspects the
 * engine right there, in the middle of the statement — the tuple locked but its xmax not yet stamped, the new
 * version written but its index entry not yet, a REDO record applied and the next not yet — and then switches
 * tracing off so the rest of the statement runs without building text. The copy is thrown away. An event past the
 * trace's detail limit (a bulk statement keeps its first 200 events; the rest are counted, still numbered) is
 * reached the same way: the tracer builds just the events asked for (Tracer.capture), and the state carries the
 * event itself, since the step's batch does not hold it.
 *
 * The engine just before the step is kept (when it can be copied: every session idle), so stepping through one
 * statement's events costs one copy and one run of the statement per event, not a replay from a checkpoint.
 * Nothing here has a PostgreSQL counterpart: it is a debugger's "run to breakpoint" over a deterministic server.
 */
import type { Engine } from '../engine/engine.js';
import type { EngineState, LogEntry, StepResult } from '../shared/api';
import type { Checkpoints, LogPrefixes } from './timetravel';
import { entryKey } from './timetravel';

export interface EventBase {
  prefix: number;
  engine: Engine | null;
  /** states already captured: "prefix of the step:seq" → state (a run captures a few events ahead) */
  cache?: Map<string, EngineState>;
  /** the event asked for last ("prefix of the step:seq") */
  last?: string;
}

/** how many events after the asked one a run captures too while the player steps forward (the next needs no run);
 *  after a jump only the one after it (each capture inspects the whole engine: a jump should not pay for 8) */
export const AHEAD = 8;
const CACHE_LIMIT = 64;

/** Thrown by the hook once everything wanted is captured: the rest of the statement need not run (the copy is dropped). */
class StopAtEvent extends Error {}

export interface StateAtArgs {
  sessionKey: string;
  /** the session list of the host's own engine: prefix numbers are only meaningful for it */
  hostKey: string;
  /** the log to the step (its last entry is the step being stepped through) */
  log: LogEntry[];
  /** the event's number in the step (TraceEvent.seq) */
  seq: number;
  prefixes: LogPrefixes;
  checkpoints: Checkpoints;
  current: { engine: Engine; depth: number; at: number };
  fresh(): Engine;
  apply(entry: LogEntry, e: Engine): StepResult;
  inspect(e: Engine): EngineState;
}

/** The engine's state when event `seq` of the log's last step is recorded; null if the step has no such event. */
export function stateAtEvent(base: EventBase, a: StateAtArgs): EngineState | null {
  const n = a.log.length;
  if (n === 0 || a.sessionKey !== a.hostKey || !Number.isInteger(a.seq) || a.seq < 0) return null;
  const path = a.prefixes.path(a.log.map(entryKey));
  const basePrefix = path[n - 1]!;
  const stepKey = (k: number) => `${path[n]}:${k}`;
  const cache = (base.cache ??= new Map());
  const stepping = base.last === stepKey(a.seq - 1);
  base.last = stepKey(a.seq);
  const hit = cache.get(stepKey(a.seq));
  if (hit) return hit;
  const ahead = stepping ? AHEAD : 1;
  let engine: Engine;
  if (base.prefix === basePrefix && base.engine) engine = base.engine.clone();
  else {
    const cur = a.current;
    let start: Engine, depth: number;
    const best = a.checkpoints.best(path, n - 1);
    if (cur.depth <= n - 1 && path[cur.depth] === cur.at && cur.engine.canClone() && (!best || best.depth <= cur.depth)) {
      start = cur.engine.clone(); depth = cur.depth;
    } else if (best) { start = best.engine.clone(); depth = best.depth; } else { start = a.fresh(); depth = 0; }
    start.tracer.enabled = false;
    for (let i = depth; i < n - 1; i++) a.apply(a.log[i]!, start);
    if (start.canClone()) {
      base.prefix = basePrefix;
      base.engine = start;
      engine = start.clone();
    } else {
      base.prefix = -1;
      base.engine = null;
      engine = start;
    }
  }
  let captured: EngineState | null = null;
  const tracer = engine.tracer;
  tracer.enabled = true;
  tracer.capture = { from: a.seq, to: a.seq + ahead };
  tracer.onEmit = (k, ev) => {
    if (k < a.seq) return;
    const st: EngineState = { ...a.inspect(engine), event: { ...ev } };
    if (k === a.seq) captured = st;
    cache.set(stepKey(k), st);
    if (k >= a.seq + ahead) {
      tracer.onEmit = null;
      tracer.capture = null;
      tracer.enabled = false; // the rest of the statement runs without narration
      throw new StopAtEvent();
    }
  };
  try { a.apply(a.log[n - 1]!, engine); } catch (e) { if (!(e instanceof StopAtEvent)) throw e; } finally { tracer.onEmit = null; tracer.capture = null; }
  while (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  return captured;
}
