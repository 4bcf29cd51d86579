/**
 * The scenario driver for the in-process engine: sessions are engine sessions, waiting is virtual.
 *
 * "Wait for a blocked step" means: jump the virtual clock to the next timer (a deadlock_timeout check) until
 * the step finishes; if no timer is pending, nothing can ever wake it.
 */
import { Engine, type SessionOutcome } from '../engine.js';
import { type PgMessage, PgError } from '../errors.js';
import { CONTROL, type Driver, type DriverResult } from './runner.js';
import type { ServerAction } from './spec.js';
import type { CrashPoint } from '../checkpoint/checkpointer.js';

export const POLL_MS = 10;

export class EngineDriver implements Driver {
  private mailbox = new Map<string, SessionOutcome>();
  private pendingNotices: { session: string; message: PgMessage }[] = [];
  constructor(readonly engine: Engine = new Engine()) {}

  async open(sessions: string[]): Promise<void> {
    this.engine.createSession(CONTROL);
    for (const s of sessions) this.engine.createSession(s);
  }
  private deliver(outcomes: SessionOutcome[]) {
    for (const o of outcomes) {
      for (const n of o.notices) this.pendingNotices.push({ session: o.session, message: n });
      if (o.status !== 'waiting') this.mailbox.set(o.session, o);
    }
  }
  private exec(session: string, sql: string): SessionOutcome {
    const r = this.engine.execute(session, sql);
    this.deliver([r.outcome, ...r.woken]);
    return r.outcome;
  }
  private toResult(o: SessionOutcome): DriverResult {
    return {
      results: o.results.filter((r) => r.columns).map((r) => ({ columns: r.columns!.map((c) => c.name), rows: r.rows })),
      error: o.error,
    };
  }
  async control(sql: string): Promise<DriverResult> { return this.run(CONTROL, sql); }
  async run(session: string, sql: string): Promise<DriverResult> {
    const o = this.exec(session, sql);
    if (o.status === 'waiting') {
      await this.wait(session);
    }
    return this.take(session);
  }
  /**
   * A client notices that a step blocks only by looking: the isolation tester gives a step 10 ms to finish
   * before it asks whether the backend is blocked. The same 10 ms pass on the virtual clock here, so a
   * deadlock_timeout shorter than that resolves before the step is ever reported as waiting.
   */
  async send(session: string, sql: string): Promise<'done' | 'waiting'> {
    if (this.exec(session, sql).status !== 'waiting') return 'done';
    this.deliver(this.engine.advance(POLL_MS));
    return this.mailbox.has(session) ? 'done' : 'waiting';
  }
  async poll(session: string): Promise<boolean> { return this.mailbox.has(session); }
  async wait(session: string): Promise<boolean> {
    while (!this.mailbox.has(session)) {
      const r = this.engine.advanceToNextTimer();
      this.deliver(r.finished);
      if (!r.fired) return this.mailbox.has(session);
    }
    return true;
  }
  take(session: string): DriverResult {
    const o = this.mailbox.get(session);
    this.mailbox.delete(session);
    return o ? this.toResult(o) : { results: [], error: null };
  }
  notices() { const n = this.pendingNotices; this.pendingNotices = []; return n; }
  async sleep(ms: number): Promise<void> { this.deliver(this.engine.advance(ms)); }
  /** A server event; one the server refuses (a crash while it is down, a restart while it runs) is reported, not thrown. */
  async server(action: ServerAction, arg?: string): Promise<string | void> {
    try {
      await this.serverEvent(action, arg);
    } catch (err) {
      if (err instanceof PgError) return err.message;
      throw err;
    }
  }
  private async serverEvent(action: ServerAction, arg?: string): Promise<void> {
    const e = this.engine;
    const named = (os: SessionOutcome[]) => os.filter((o) => o.session !== '');
    switch (action) {
      case 'crash': this.deliver(named(e.crash((arg ?? 'now') as CrashPoint))); break;
      case 'restart': {
        const r = e.restart(arg !== undefined ? { crashAfterRecords: Number(arg) } : {});
        this.deliver(named(r.outcomes));
        break;
      }
      case 'checkpoint': this.deliver(named(e.checkpointNow())); break;
      case 'bgwriter': this.deliver(named(e.bgwriter())); break;
    }
  }
  async close(): Promise<void> {}
}
