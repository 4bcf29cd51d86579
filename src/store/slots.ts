/**
 * A step's events as the player steps through them. Each batch of the step (one per session outcome) keeps its
 * first events in full and only counts the rest (the trace's detail limit), but every event is numbered (seq), and
 * within a batch the numbers run on without a gap: the kept ones, then the counted ones. So the player can stop at
 * any of them — the worker replays the step to that number and sends the event with the state (worker/events.ts).
 * Slot i is the step's i-th event in that order; `event` is null for one the batch only counted.
 */
import type { StepResult, TraceEvent } from '../shared/api';

export interface EventSlot { seq: number; event: TraceEvent | null }
export interface EventSlots {
  /** how many events the step had, counted ones included */
  length: number;
  /** how many of them the batches kept in full */
  kept: number;
  at(i: number): EventSlot | undefined;
  /** the slot of an event number, or -1 */
  indexOfSeq(seq: number): number;
}

interface Batch { start: number; events: readonly TraceEvent[]; folded: number; base: number }
const memo = new WeakMap<StepResult, EventSlots>();
export const NO_SLOTS: EventSlots = { length: 0, kept: 0, at: () => undefined, indexOfSeq: () => -1 };

export function eventSlots(result: StepResult | null | undefined): EventSlots {
  if (!result) return NO_SLOTS;
  const had = memo.get(result);
  if (had) return had;
  const batches: Batch[] = [];
  let length = 0, kept = 0;
  for (const o of result.outcomes) {
    const events = o.trace.events;
    // counted events are numbered after the kept ones; a batch that kept none cannot say where its numbers start
    const folded = events.length ? Object.values(o.trace.folded).reduce((a: number, v) => a + (v ?? 0), 0) : 0;
    if (!events.length && !folded) continue;
    batches.push({ start: length, events, folded, base: events[0]?.seq ?? 0 });
    length += events.length + folded;
    kept += events.length;
  }
  const slots: EventSlots = {
    length, kept,
    at(i) {
      if (!Number.isInteger(i) || i < 0 || i >= length) return undefined;
      for (const b of batches) {
        const k = i - b.start;
        if (k >= b.events.length + b.folded) continue;
        return k < b.events.length ? { seq: b.events[k]!.seq ?? b.base + k, event: b.events[k]! } : { seq: b.base + k, event: null };
      }
      return undefined;
    },
    indexOfSeq(seq) {
      for (const b of batches) if (seq >= b.base && seq < b.base + b.events.length + b.folded) return b.start + (seq - b.base);
      return -1;
    },
  };
  memo.set(result, slots);
  return slots;
}
