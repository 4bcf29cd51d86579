/**
 * The scenario driver for a real PostgreSQL: one connection per session plus a control connection, as
 * isolationtester.c opens them (control first, then the sessions in spec order, each then running the tester's
 * `SELECT set_config('application_name', current_setting('application_name') || '/' || name, false)`), and no
 * other backend — so pg_stat_activity, pg_locks and the pids a step sees are the tester's.
 *
 * A step is sent with the simple query protocol; it counts as waiting when the server says the backend is
 * blocked by one of the scenario's sessions (pg_isolation_test_session_is_blocked with the sessions' pids, asked
 * on the control connection, as the isolation tester asks) — never by guessing from elapsed time. The runner's
 * step timeout is real time here; a cancel is pg_cancel_backend from the control connection (what the tester's
 * PQcancel amounts to: 57014 "canceling statement due to user request"). Values come back as text, exactly as
 * libpq hands them to psql. One departure: while the control connection itself runs a setup or teardown that
 * does not finish within 10 ms, a side connection is opened for as long as it runs, to ask whether it waits for a
 * session's lock (the tester just waits, forever if so; no step runs meanwhile that could see that connection).
 * Backend pids in messages are rewritten to the engine's deterministic pids (control connection 1001, then
 * 1002, 1003 ... in session order), so deadlock DETAIL lines compare.
 */
import pg from 'pg';
import type { Blocked, Driver, DriverNotice, DriverNotification, DriverResult } from '../../src/scenario/runner.js';
import { CONTROL, SendError, sessionNameStatement } from '../../src/scenario/runner.js';
import { connectionClosedMessage } from '../../src/scenario/transcript.js';
import type { PgMessage, Severity } from '../../src/engine/errors.js';

/** lost: a FATAL that arrived while idle, for the next query; closed: the backend is gone, nothing can be sent */
interface Conn {
  client: pg.Client; pid: number; pending: Promise<void> | null; done: DriverResult | null; lost: PgMessage | null; closed: boolean;
  /** where the reply to the running query string is: statements completed, and whether the current one sent its RowDescription */
  reply: { stmt: number; afterRowDescription: boolean };
  /** the result sets of the statements completed so far (what libpq hands over before a later statement's error) */
  sets: ({ columns: string[]; rows: (string | null)[][] } | null)[];
  current: { columns: string[]; rows: (string | null)[][] } | null;
}

const rawText = { getTypeParser: () => (v: string) => v };

export class PgDriver implements Driver {
  private conns = new Map<string, Conn>();
  /** a connection of its own for asking about the control connection while that one is busy (see above) */
  private side: pg.Client | null = null;
  private noticeQueue: DriverNotice[] = [];
  private notificationQueue: DriverNotification[] = [];
  private pidMap = new Map<string, string>();
  private down = false;
  private nextPidNo = 1001;
  private sessionNames: string[] = [];
  constructor(private connection: pg.ClientConfig, private readonly hooks?: { crash(): void; restart(): Promise<pg.ClientConfig> }) {}

  private rewritePids(s: string | undefined): string | undefined {
    if (s === undefined) return s;
    return s.replace(/\b([Pp]rocess) (\d+)/g, (_m, w: string, pid: string) => `${w} ${this.pidMap.get(pid) ?? pid}`);
  }
  private toMessage(e: { severity?: string; code?: string; message: string; detail?: string; hint?: string; where?: string; position?: string }): PgMessage {
    const m: PgMessage = { severity: (e.severity ?? 'ERROR') as Severity, sqlstate: e.code ?? 'XX000', message: this.rewritePids(e.message)! };
    if (e.detail) m.detail = this.rewritePids(e.detail)!;
    if (e.hint) m.hint = e.hint;
    if (e.where) m.context = e.where;
    if (e.position) m.position = Number(e.position);
    return m;
  }

  async open(sessions: string[]): Promise<void> {
    this.sessionNames = sessions;
    for (const name of [CONTROL, ...sessions]) {
      const client = new pg.Client(this.connection);
      client.on('error', (e) => {
        // a FATAL while the connection is idle (idle_in_transaction_session_timeout): libpq hands it to the next query
        const c = this.conns.get(name);
        if (c && !c.pending && (e as { severity?: string }).severity === 'FATAL' && !c.closed) c.lost = this.toMessage(e as never);
      });
      await client.connect();
      // isolationtester.c: the session name appended to application_name (to find it in pg_stat_activity)
      await client.query({ text: sessionNameStatement(name), rowMode: 'array' } as pg.QueryConfig);
      const pid = (client as unknown as { processID: number }).processID;
      const conn: Conn = {
        client, pid, pending: null, done: null, lost: null, closed: false, reply: { stmt: 0, afterRowDescription: false }, sets: [], current: null,
      };
      // the protocol messages in order (pg's Connection emits each by name): which statement a notice belongs to
      const wire = (client as unknown as { connection: { on(ev: string, f: (m: never) => void): void } }).connection;
      const ended = () => {
        conn.reply = { stmt: conn.reply.stmt + 1, afterRowDescription: false };
        conn.sets.push(conn.current);
        conn.current = null;
      };
      wire.on('dataRow', (m: { fields: (string | null)[] }) => conn.current?.rows.push(m.fields.map((v) => (v === null ? null : String(v)))));
      wire.on('commandComplete', ended);
      wire.on('emptyQuery', ended);
      wire.on('rowDescription', (m: { fields: { name: string }[] }) => {
        conn.reply = { ...conn.reply, afterRowDescription: true };
        conn.current = { columns: m.fields.map((f) => f.name), rows: [] };
      });
      client.on('notice', (msg) => this.noticeQueue.push({ session: name, message: this.toMessage(msg as never), at: { ...conn.reply } }));
      client.on('notification', (m) => this.notificationQueue.push({ session: name, channel: m.channel, payload: m.payload ?? '', sender: this.senderName(m.processId) }));
      this.conns.set(name, conn);
      this.pidMap.set(String(pid), String(this.nextPidNo++)); // the engine numbers backends the same way, restarts included
    }
  }

  /** @crash: immediate shutdown (the closest a script gets to pulling the plug); @restart: start and reconnect. */
  async server(action: 'crash' | 'restart' | 'checkpoint' | 'bgwriter', arg?: string): Promise<string | void> {
    if (!this.hooks) throw new Error('this PostgreSQL driver has no cluster to crash');
    // the same refusals the engine reports
    if (action === 'crash' && this.down) return 'the server is already down: restart it first';
    if (action === 'restart' && !this.down) return 'the server is running: there is nothing to recover (crash it first)';
    if (action === 'crash' && arg === undefined) {
      this.hooks.crash();
      this.down = true;
      for (const c of this.conns.values()) await c.pending?.catch(() => undefined);
      for (const c of this.conns.values()) await c.client.end().catch(() => undefined);
      await this.side?.end().catch(() => undefined);
      this.side = null;
      // a power failure says nothing to clients; the immediate shutdown's farewell (57P01 WARNING to idle
      // backends) is an artifact of how the script pulls the plug, so it is not part of the transcript
      await new Promise((r) => setTimeout(r, 50));
      this.noticeQueue = this.noticeQueue.filter((n) => n.message.sqlstate !== '57P01');
      return;
    }
    if (action === 'restart' && arg === undefined) {
      this.connection = await this.hooks.restart();
      this.down = false;
      const pending = new Map([...this.conns].map(([k, c]) => [k, c.done]));
      this.conns.clear();
      await this.open(this.sessionNames);
      for (const [k, d] of pending) if (d) this.conns.get(k)!.done = d;
      return;
    }
    if (action === 'checkpoint') { await this.exec(CONTROL, 'CHECKPOINT'); return; }
    throw new Error(`@${action}${arg !== undefined ? ':' + arg : ''} cannot be reproduced on a real server (the engine only)`);
  }

  private start(session: string, sql: string) {
    const c = this.conns.get(session)!;
    if (c.closed) throw new SendError('no connection to the server');
    c.done = null;
    c.reply = { stmt: 0, afterRowDescription: false };
    c.sets = [];
    c.current = null;
    c.pending = (async () => {
      if (c.lost) { c.done = { results: [], error: connectionClosedMessage(c.lost) }; c.lost = null; c.closed = true; return; }
      try {
        const r = await c.client.query({ text: sql, rowMode: 'array', types: rawText } as pg.QueryConfig);
        const list = (Array.isArray(r) ? r : [r]) as pg.QueryResult[];
        c.done = {
          results: list.map((x) => (x.fields.length > 0 || x.command === 'SELECT' ? {
            columns: x.fields.map((f) => f.name),
            rows: (x.rows as unknown as (string | null)[][]).map((row) => row.map((v) => (v === null ? null : String(v)))),
          } : null)),
          error: null,
        };
      } catch (e) {
        const m = this.toMessage(e as never);
        // the backend exited (pg_terminate_backend): libpq adds that the connection closed, and nothing more can be sent
        // the statements before the failing one completed: libpq hands over their results first
        const before = c.sets.slice();
        if (m.severity === 'FATAL' && !this.down) { c.closed = true; c.done = { results: before, error: connectionClosedMessage(m) }; } else c.done = { results: before, error: m };
      }
    })();
  }

  /** the scenario sessions' backends (not the control connection's), as the tester's lock-wait query takes them */
  private sessionPids(): number[] {
    return this.sessionNames.map((n) => this.conns.get(n)!.pid);
  }
  /** The connection to ask the server on: the control connection, or while it is busy the side connection. */
  private async asker(): Promise<pg.Client> {
    const control = this.conns.get(CONTROL)!;
    if (!control.pending) return control.client;
    if (!this.side) {
      const side = new pg.Client(this.connection);
      side.on('error', () => { /* the server may be killed under it (@crash) */ });
      await side.connect();
      this.side = side;
    }
    return this.side;
  }
  private async dropSide() {
    const side = this.side;
    this.side = null;
    await side?.end().catch(() => undefined);
  }
  private async isBlocked(conn: string): Promise<boolean> {
    const r = await (await this.asker()).query('SELECT pg_catalog.pg_isolation_test_session_is_blocked($1, $2) AS b', [this.conns.get(conn)!.pid, this.sessionPids()]);
    return r.rows[0].b === true;
  }

  private settle(session: string, ms: number): Promise<boolean> {
    const c = this.conns.get(session)!;
    if (!c.pending) return Promise.resolve(true);
    if (ms <= 0) return Promise.resolve(c.done !== null); // the result has arrived (start() sets it then)
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<boolean>((r) => { timer = setTimeout(() => r(false), ms); });
    return Promise.race([c.pending.then(() => true), timeout]).finally(() => clearTimeout(timer));
  }

  /** PQexec; a statement seen waiting for a lock a session holds would wait forever (no step runs meanwhile). */
  async exec(conn: string, sql: string): Promise<DriverResult | Blocked> {
    this.start(conn, sql);
    while (!(await this.settle(conn, 10))) {
      if (!this.down && await this.isBlocked(conn)) {
        const r = await (await this.asker()).query('SELECT pg_catalog.pg_blocking_pids($1) AS p', [this.conns.get(conn)!.pid]);
        const byPid = new Map([...this.conns].map(([name, c]) => [c.pid, name]));
        return { blockedBy: (r.rows[0].p as number[]).map((p) => byPid.get(p) ?? `process ${p}`) };
      }
    }
    await this.dropSide();
    return this.take(conn);
  }
  async send(session: string, sql: string): Promise<void> { this.start(session, sql); }
  async finished(session: string, ms: number): Promise<boolean> { return this.settle(session, ms); }
  async blocked(session: string): Promise<boolean> { return this.down || this.isBlocked(session); }
  /** What PQcancel does, from the control connection: the backend's statement fails with 57014. */
  async cancel(session: string): Promise<string | null> {
    try {
      await (await this.asker()).query('SELECT pg_catalog.pg_cancel_backend($1)', [this.conns.get(session)!.pid]);
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  }
  now(): number { return performance.now(); }
  async idle(ms: number): Promise<void> { await new Promise((r) => setTimeout(r, Math.max(1, Math.min(ms, 10)))); }
  take(session: string): DriverResult {
    const c = this.conns.get(session)!;
    const d = c.done ?? { results: [], error: null };
    c.done = null;
    c.pending = null;
    return d;
  }
  notices() { const n = this.noticeQueue; this.noticeQueue = []; return n; }
  notifications() { const n = this.notificationQueue; this.notificationQueue = []; return n; }
  /** a scenario session's name (not the control connection's), else "PID n" with the engine's deterministic pid */
  private senderName(pid: number): string {
    for (const name of this.sessionNames) if (this.conns.get(name)?.pid === pid) return name;
    return `PID ${this.pidMap.get(String(pid)) ?? pid}`;
  }
  async sleep(ms: number): Promise<void> { await new Promise((r) => setTimeout(r, ms)); }
  async close(): Promise<void> {
    for (const c of this.conns.values()) await c.client.end().catch(() => {});
    await this.dropSide();
  }
}
