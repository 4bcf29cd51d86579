/**
 * The scenario driver for the in-process engine: sessions are engine sessions, time is the engine's virtual clock.
 *
 * The engine runs a statement synchronously until it finishes or waits for a lock; only time (a timer: the
 * deadlock_timeout check) or another session's statement can end a wait. So "wait up to N ms for a step" jumps
 * the virtual clock from timer to timer until the step has finished or N ms have passed, and the runner's
 * 300-second step timeout costs microseconds. A step counts as blocked (pg_isolation_test_session_is_blocked)
 * while it waits for a lock that one of the scenario's sessions holds; a cancel is Engine.cancel
 * (pg_cancel_backend: "57014 canceling statement due to user request").
 */
import { Engine, type SessionOutcome } from '../engine/engine.js';
import { PgError } from '../engine/errors.js';
import { CONTROL, SendError, sessionNameStatement, type Blocked, type Driver, type DriverNotice, type DriverNotification, type DriverResult } from './runner.js';
import { connectionClosedMessage } from './transcript.js';
import type { ServerAction } from './spec.js';
import type { CrashPoint } from '../engine/checkpoint/checkpointer.js';

export class EngineDriver implements Driver {
  private mailbox = new Map<string, SessionOutcome>();
  private pendingNotices: DriverNotice[] = [];
  private pendingNotifications: DriverNotification[] = [];
  private names = new Set<string>();
  /** a transcript shows no trace, so an engine made here records none (faster; same behaviour) */
  constructor(readonly engine: Engine = new Engine({ trace: false })) {}

  configure(settings: Record<string, string>): void { this.engine.configure(settings); }
  async open(sessions: string[]): Promise<void> {
    // as the isolation tester (and the recorder, scripts/lib/pgdriver.ts) opens each connection: the session's name
    // appended to application_name, by a statement of its own
    for (const s of [CONTROL, ...sessions]) {
      this.engine.createSession(s);
      this.engine.execute(s, sessionNameStatement(s));
    }
    this.names = new Set(sessions);
  }
  private deliver(outcomes: SessionOutcome[]) {
    for (const o of outcomes) {
      o.notices.forEach((n, i) => this.pendingNotices.push({ session: o.session, message: n, at: o.noticeAt?.[i] }));
      for (const n of o.notifications ?? []) {
        this.pendingNotifications.push({ session: o.session, channel: n.channel, payload: n.payload, sender: this.senderName(n.pid) });
      }
      if (o.status !== 'waiting') this.mailbox.set(o.session, o);
    }
  }
  private execute(session: string, sql: string): SessionOutcome {
    const r = this.engine.execute(session, sql);
    this.deliver([r.outcome, ...r.woken]);
    return r.outcome;
  }
  private toResult(o: SessionOutcome): DriverResult {
    return {
      results: o.results.map((r) => (r.columns ? { columns: r.columns.map((c) => c.name), rows: r.rows } : null)),
      // a FATAL ends the connection: libpq says so after the server's message (not the crash's own 08006)
      error: o.error && o.error.severity === 'FATAL' && o.error.sqlstate !== '08006' ? connectionClosedMessage(o.error) : o.error,
    };
  }
  /**
   * Let virtual time pass up to `ms`, timer by timer, stopping early once `until()` holds. `exclusive`: a timer due
   * exactly at the end stays pending — the tester polling a step it sent N ms ago looks just before the N ms timer
   * that step's wait armed (on a real server the wait begins a moment after the query is sent).
   */
  private passTime(ms: number, until: () => boolean, exclusive = false) {
    const target = this.engine.clock.now + Math.max(0, ms);
    while (!until()) {
      const next = this.engine.clock.next();
      if (!next || next.at > target || (exclusive && next.at === target)) {
        this.deliver(this.engine.advance(target - this.engine.clock.now, { exclusive })); return;
      }
      this.deliver(this.engine.advance(next.at - this.engine.clock.now));
    }
  }

  /** Setup and teardown: no step runs meanwhile, so once no timer is left a wait lasts forever. */
  async exec(conn: string, sql: string): Promise<DriverResult | Blocked> {
    if (this.execute(conn, sql).status === 'waiting') {
      while (!this.mailbox.has(conn)) {
        const r = this.engine.advanceToNextTimer();
        this.deliver(r.finished);
        if (!r.fired) break;
      }
      if (!this.mailbox.has(conn)) return { blockedBy: this.blockers(conn) };
    }
    return this.take(conn);
  }
  async send(session: string, sql: string): Promise<void> {
    if (this.engine.session(session).connectionClosed) throw new SendError('no connection to the server');
    this.execute(session, sql);
  }
  async finished(session: string, ms: number): Promise<boolean> {
    if (ms > 0) this.passTime(ms, () => this.mailbox.has(session), true);
    return this.mailbox.has(session);
  }
  private blockers(session: string): string[] {
    const e = this.engine;
    return e.locks.blockers(e.session(session).id).map((id) => e.sessions[id]!.name);
  }
  /** Waiting for a lock held by another scenario session (a holder we cannot name — a queue ahead — counts too). */
  async blocked(session: string): Promise<boolean> {
    const s = this.engine.session(session);
    // the tester asks on its control connection, whose backend then goes idle again (and may flush its statistics)
    this.engine.probeQuery(CONTROL, `SELECT pg_catalog.pg_isolation_test_session_is_blocked($1, '{${[...this.names].map((n) => this.engine.session(n).pid).join(',')}}')`);
    if (s.safeSnapshotWait) return true; // GetSafeSnapshotBlockingPids: the tester counts this wait as blocked
    if (!s.waiting) return false;
    const by = this.blockers(session);
    return by.length === 0 || by.some((n) => this.names.has(n));
  }
  async cancel(session: string): Promise<string | null> {
    if (!this.engine.session(session).running) return null; // nothing to cancel: PostgreSQL ignores it too
    const r = this.engine.cancel(session);
    this.deliver([r.outcome, ...r.woken]);
    return null;
  }
  now(): number { return this.engine.clock.now; }
  async idle(ms: number): Promise<void> { this.passTime(Math.min(ms, this.untilNextTimer(ms)), () => false); }
  private untilNextTimer(ms: number): number {
    const next = this.engine.clock.next();
    return next ? Math.max(0, next.at - this.engine.clock.now) : ms;
  }
  take(session: string): DriverResult {
    const o = this.mailbox.get(session);
    this.mailbox.delete(session);
    return o ? this.toResult(o) : { results: [], error: null };
  }
  notices() { const n = this.pendingNotices; this.pendingNotices = []; return n; }
  notifications() { const n = this.pendingNotifications; this.pendingNotifications = []; return n; }
  /** the isolation tester names a sender among the scenario's sessions, else by its pid */
  private senderName(pid: number): string {
    const s = this.engine.sessions.find((x) => x.pid === pid);
    return s && this.names.has(s.name) ? s.name : `PID ${pid}`;
  }
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
