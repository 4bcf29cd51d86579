/**
 * The virtual clock: the engine's only notion of time.
 *
 * Nothing in the engine reads the wall clock. Time moves only when a scenario or the UI says so ("advance
 * 1500 ms") or when a runner has nothing else to do but wait (then it jumps to the next timer). Timers are
 * one-shot and fire in (due time, arming order) — deadlock_timeout checks are such timers, which makes the
 * choice of deadlock victim deterministic and replayable.
 *
 * Mirrors: the role of timeout.c's timers (enable_timeout_after: DEADLOCK_TIMEOUT, LOCK_TIMEOUT, STATEMENT_TIMEOUT,
 * IDLE_IN_TRANSACTION_SESSION_TIMEOUT) and of pg_sleep's WaitLatch, with virtual time.
 */
/**
 * deadlock: a waiter's deadlock_timeout check (lock/proc.ts); lock_timeout, statement_timeout,
 * idle_in_transaction (tcop/interrupts.ts); sleep: the end of a pg_sleep.
 */
export type TimerKind = 'deadlock' | 'lock_timeout' | 'statement_timeout' | 'idle_in_transaction' | 'sleep';
export interface Timer { at: number; seq: number; kind: TimerKind; session: number }

export class VirtualClock {
  now = 0;
  private seq = 0;
  private timers: Timer[] = [];

  clone(): VirtualClock {
    const c = new VirtualClock();
    c.now = this.now; c.seq = this.seq; c.timers = this.timers.map((t) => ({ ...t }));
    return c;
  }

  arm(delayMs: number, kind: Timer['kind'], session: number): Timer {
    const t = { at: this.now + delayMs, seq: this.seq++, kind, session };
    this.timers.push(t);
    this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    return t;
  }
  disarm(session: number, kind: Timer['kind']): void {
    this.timers = this.timers.filter((t) => !(t.session === session && t.kind === kind));
  }
  next(): Timer | undefined { return this.timers[0]; }
  /** Forget every timer (a crash takes the waiting backends with it). */
  disarmAll(): void { this.timers = []; }
  /** Remove and return the next timer due at or before `limit` (before it, if `exclusive`), moving the clock to its time. */
  popDue(limit: number, exclusive = false): Timer | undefined {
    const t = this.timers[0];
    if (!t || t.at > limit || (exclusive && t.at === limit)) return undefined;
    this.timers.shift();
    if (t.at > this.now) this.now = t.at;
    return t;
  }
  pending(): readonly Timer[] { return this.timers; }
}
