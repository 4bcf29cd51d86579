/**
 * Running a scenario: PostgreSQL 15's isolation tester, step for step, over any "driver" — the engine (virtual
 * time) or a real PostgreSQL (the recorder). Both print through this one file, so a difference between two
 * transcripts is a difference in behaviour, and scripts/check-isolationtester.ts holds the recorder to the real
 * isolationtester's stdout, stderr and exit status.
 *
 * Before anything, the spec's warnings ("unused step name: x") go to stderr; then "Parsed test spec with N
 * sessions". Permutations come one at a time from spec.permutations() and each is written out as it completes
 * (opts.write), so a spec with billions of interleavings streams instead of filling memory. For each permutation:
 *  - "starting permutation:" and the step names (annotations are not printed);
 *  - the setup blocks on the control connection, then each session's setup. Only the last result of a block is
 *    printed (PQexec keeps the last); an error goes to stderr ("setup failed: " + libpq's message, cursor
 *    included) and ends the run with exit status 1;
 *  - the steps. If the step's session is still busy with an earlier step, wait for it (polling the other waiting
 *    steps meanwhile); then send the step and try to complete it without blocking: after 10 ms with no answer,
 *    ask whether it waits for a lock held by another session — if so print "<waiting ...>" and go on. After each
 *    step, every waiting step is polled in the order it started waiting; one that finished prints
 *    "step x: <... completed>" and its results;
 *  - annotations: (*) prints "<waiting ...>" at once without looking; a step that finished is still not reported
 *    complete while a step it names is running, or while the named step's session has sent fewer notices than
 *    it is to wait for; the polling repeats while that lets another step complete;
 *  - a step that would wait forever is cancelled: once a blocking wait on it (its session's next step, or the end
 *    of the permutation) has lasted longer than the step timeout (max_step_wait: 300 s, PGISOLATIONTIMEOUT or
 *    `#! PGISOLATIONTIMEOUT=N`), print "isolationtester: canceling step x after N seconds" and send a cancel —
 *    the step then completes with "ERROR:  canceling statement due to user request". After twice the timeout,
 *    "step x timed out after N seconds" goes to stderr and the run ends with status 1. Time is the driver's: the
 *    engine's virtual clock jumps, so the engine waits 300 virtual seconds in microseconds;
 *  - at the end, the remaining waiting steps are waited for in order ("failed to complete permutation due to
 *    mutually-blocking steps" on stderr, status 1, if annotations make that impossible), then each session's
 *    teardown and the teardown; a failing teardown is reported on stderr and the run goes on.
 * Notices are printed as "s1: NOTICE:  ..." when the tester reads that session's connection (while completing or
 * polling its step, or running its setup/teardown; a later statement's of a step between its result sets, as
 * libpq hands them over), the control connection's are dropped.
 *
 * Where the tester would hang, the runner stops instead: a setup or teardown statement that waits for a lock
 * held by a session (no step will ever run to release it, and the tester sets no timeout there) is reported on
 * stderr as "<setup|teardown> blocks: ..." with status 1 — the tester's stdout up to that point is the same.
 *
 * Mirrors: run_testspec, run_permutation, try_complete_steps, try_complete_step, step_has_blocker and
 * isotesterNoticeProcessor in src/test/isolation/isolationtester.c (PostgreSQL 15), with libpq's order of
 * reading a multi-statement reply (resultsBefore: a later statement's notices print between the step's result
 * sets, after the step line). NOTIFY messages a connection received are kept (as libpq keeps them for PQnotifies)
 * until a step of that session completes: after its results and error, each prints as
 * 's1: NOTIFY "chan" with payload "x" from s2' (a sender that is no scenario session — the control connection — as
 * "PID n"); those received during a setup or teardown wait for the session's next step.
 */
import type { PgMessage } from '../engine/errors.js';
import { permutations, type Scenario, type PermutationItem, type StepItem, type Blocker } from './spec.js';
import { formatResultSet, formatMessage, formatLibpqMessage, type ResultSet } from './transcript.js';

/** A notice, and where in the query string's reply it came: raised by statement `stmt` (0-based), after or before
 * that statement's RowDescription. Unknown (undefined): as if by the first statement. */
export interface DriverNotice { session: string; message: PgMessage; at?: { stmt: number; afterRowDescription: boolean } }

/**
 * How many of a step's result sets the tester prints before libpq reads this notice. libpq parses the reply
 * only up to a statement's CommandComplete until the application takes that result (PQgetResult), except that
 * notices right behind it are read at once ("NOTICE messages can happen in any state"): a later statement's
 * notices that precede its first other message (a DO, an UPDATE's trigger: all of them; a SELECT's raised while
 * it runs come after its RowDescription) print before the previous statement's result set; the others before
 * their own statement's. So a notice of statement 1, or one right behind it, prints before the step line.
 */
function resultsBefore(n: DriverNotice): number {
  if (!n.at) return 0;
  return n.at.afterRowDescription ? n.at.stmt : Math.max(0, n.at.stmt - 1);
}

/** A NOTIFY message a session's connection received: `sender` is the notifying session's name, or "PID n". */
export interface DriverNotification { session: string; channel: string; payload: string; sender: string }

/** What a query string returned: one entry per statement (null for a command without rows), then its error. */
export interface DriverResult { results: (ResultSet | null)[]; error: PgMessage | null }
/** A setup/teardown statement that waits for a lock the named sessions hold (forever: no step runs then). */
export interface Blocked { blockedBy: string[] }

/** Driver.send on a connection that is gone (the backend exited): the tester says so and exits with status 1. */
export class SendError extends Error {}

/** A connection pool of named sessions plus a control connection; implemented for the engine and for PostgreSQL. */
export interface Driver {
  /** `#! server` settings, before any connection (the recorder's cluster is started with them instead) */
  configure?(settings: Record<string, string>): void;
  open(sessions: string[]): Promise<void>;
  /** PQexec: run a query string on CONTROL or a session to completion (setup, teardown) */
  exec(conn: string, sql: string): Promise<DriverResult | Blocked>;
  /** PQsendQuery: start a step on a session */
  send(session: string, sql: string): Promise<void>;
  /** wait up to `ms` for the session's step to finish; true once it has (0: just look) */
  finished(session: string, ms: number): Promise<boolean>;
  /** pg_isolation_test_session_is_blocked: is the session waiting for a lock held by another scenario session? */
  blocked(session: string): Promise<boolean>;
  /** cancel the session's statement (PQcancel / pg_cancel_backend); null when sent, else why it failed */
  cancel(session: string): Promise<string | null>;
  /** milliseconds on the driver's clock (the engine's virtual clock) */
  now(): number;
  /** nothing to do but wait: let up to `ms` pass (the engine jumps to its next timer) */
  idle(ms: number): Promise<void>;
  /** the finished step's result (clears it) */
  take(session: string): DriverResult;
  /** notices received since the last call, in arrival order */
  notices(): DriverNotice[];
  /** NOTIFY messages received since the last call, in arrival order */
  notifications?(): DriverNotification[];
  /** let time pass (+Nms) */
  sleep(ms: number): Promise<void>;
  /** a server event (@crash, @restart, ...); a driver that cannot do it throws */
  server?(action: import('./spec.js').ServerAction, arg?: string): Promise<string | void>;
  close(): Promise<void>;
}

export const CONTROL = 'control connection';

/** A string literal as libpq's PQescapeLiteral (and node-postgres' escapeLiteral) writes it: quotes doubled, and
 *  with a backslash in it, backslashes doubled behind E'. */
function escapeLiteral(v: string): string {
  const body = v.replace(/'/g, "''");
  return v.includes('\\') ? ` E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}

/** The statement isolationtester.c runs on each connection it opens: the session's name appended to application_name
 *  (one text for the recorder, scripts/lib/pgdriver.ts, and the engine's driver: pg_stat_activity.query shows it) */
export function sessionNameStatement(name: string): string {
  return `SELECT set_config('application_name',\n  current_setting('application_name') || '/' || ${escapeLiteral(name)},\n  false)`;
}

/** how long the tester lets a step run before it asks whether it waits for a lock (its select() timeout) */
export const POLL_MS = 10;
/** isolationtester's max_step_wait in PostgreSQL 15 */
export const DEFAULT_STEP_TIMEOUT_S = 300;

export interface RunOptions {
  /** stdout: called with each piece as it is ready (awaited); without it, the text is returned */
  write?: (chunk: string) => void | Promise<void>;
  /** stderr, likewise */
  writeErr?: (chunk: string) => void | Promise<void>;
  /** the step timeout; the spec's `#! PGISOLATIONTIMEOUT=N` wins over this, which wins over 300 s */
  stepTimeoutSec?: number;
}
export interface RunResult { stdout: string; stderr: string; exitCode: 0 | 1 }

/** Where the tester calls exit(1). */
class Exit extends Error {}

const NONBLOCK = 1, RETRY = 2;
interface Active { item: StepItem; targets: Map<Blocker, number> }
interface Conn { active: Active | null; notices: number; query: string | null; unread: DriverNotice[]; notifies: DriverNotification[] }

export async function runScenario(sc: Scenario, driver: Driver, opts: RunOptions = {}): Promise<RunResult> {
  return new TesterRun(sc, driver, opts).run();
}

class TesterRun {
  private buf = '';
  private stdout = '';
  private stderr = '';
  private conns = new Map<string, Conn>();
  private anyNewNotice = false;
  private completions = 0;
  private readonly maxWait: number;

  constructor(private readonly sc: Scenario, private readonly driver: Driver, private readonly opts: RunOptions) {
    this.maxWait = 1000 * (sc.stepTimeoutSec ?? opts.stepTimeoutSec ?? DEFAULT_STEP_TIMEOUT_S);
    for (const name of [CONTROL, ...sc.sessions.map((s) => s.name)]) this.conns.set(name, { active: null, notices: 0, query: null, unread: [], notifies: [] });
  }

  private print(s: string) {
    this.buf += s;
  }
  private async flush() {
    if (!this.buf) return;
    const chunk = this.buf;
    this.buf = '';
    if (this.opts.write) await this.opts.write(chunk); else this.stdout += chunk;
  }
  private async printErr(s: string) {
    await this.flush();
    if (this.opts.writeErr) await this.opts.writeErr(s); else this.stderr += s;
  }
  private async die(s: string): Promise<never> {
    await this.printErr(s);
    throw new Exit();
  }

  async run(): Promise<RunResult> {
    let exitCode: 0 | 1 = 0;
    let opened = false;
    try {
      for (const w of this.sc.warnings) await this.printErr(`${w}\n`);
      this.print(`Parsed test spec with ${this.sc.sessions.length} sessions\n`); // the tester never singularises
      if (this.sc.server && Object.keys(this.sc.server).length) this.driver.configure?.(this.sc.server);
      await this.driver.open(this.sc.sessions.map((s) => s.name));
      opened = true;
      for (const perm of permutations(this.sc)) {
        await this.runPermutation(perm);
        if (this.buf.length) await this.flush();
      }
    } catch (e) {
      if (!(e instanceof Exit)) throw e;
      exitCode = 1;
    } finally {
      await this.flush();
      if (opened) await this.driver.close();
    }
    return { stdout: this.stdout, stderr: this.stderr, exitCode };
  }

  /**
   * The tester reads a connection: the notices that arrived on it are printed (and counted) now — those libpq reads
   * only once `printed` result sets of the running step have been taken (resultsBefore) wait for that.
   */
  private read(conn: string, printed = 0) {
    for (const n of this.driver.notices()) this.conns.get(n.session)?.unread.push(n);
    const c = this.conns.get(conn)!;
    if (!c.unread.length) return;
    const now = c.active ? c.unread.filter((n) => resultsBefore(n) <= printed) : c.unread;
    if (conn !== CONTROL && now.length) {
      for (const n of now) {
        this.print(`${conn}: ${formatLibpqMessage(n.message, c.query, this.sc.verbose)}`);
        c.notices++;
      }
      this.anyNewNotice = true;
    }
    c.unread = c.unread.filter((n) => !now.includes(n));
  }

  private async runPermutation(perm: PermutationItem[]) {
    this.print(`\nstarting permutation:${perm.map((i) => ` ${itemName(i)}`).join('')}\n`);
    for (const sql of this.sc.setup) await this.setupOrTeardown(CONTROL, sql, 'setup', true);
    for (const s of this.sc.sessions) if (s.setup) await this.setupOrTeardown(s.name, s.setup, `setup of session ${s.name}`, true);

    let waiting: Active[] = [];
    for (const item of perm) {
      if (item.kind === 'server' || item.kind === 'advance') {
        let note: string | void = undefined;
        if (item.kind === 'server') {
          if (!this.driver.server) throw new Error(`${this.sc.file}:${item.line}: this driver cannot run server events`);
          note = await this.driver.server(item.action, item.arg);
        } else await this.driver.sleep(item.ms);
        this.print(item.kind === 'advance' ? `(+${item.ms} ms)\n` : `(${itemName(item)}${note ? `: ${note}` : ''})\n`);
        waiting = await this.tryCompleteSteps(waiting, NONBLOCK | RETRY);
        continue;
      }
      const st = item.step;
      const conn = this.conns.get(st.session)!;
      if (conn.active) waiting = await this.waitForSession(conn, waiting);
      try {
        await this.driver.send(st.session, st.sql);
      } catch (e) {
        if (!(e instanceof SendError)) throw e;
        this.print(`failed to send query for step ${st.name}: ${e.message}\n\n`);
        throw new Exit();
      }
      conn.query = st.sql;
      const active: Active = { item, targets: new Map() };
      conn.active = active;
      for (const b of item.blockers) if (b.kind === 'notices') active.targets.set(b, b.count + this.conns.get(b.step.session)!.notices);
      const mustWait = await this.tryCompleteStep(active, NONBLOCK);
      waiting = await this.tryCompleteSteps(waiting, NONBLOCK | RETRY);
      if (mustWait) waiting.push(active);
    }
    waiting = await this.tryCompleteSteps(waiting, RETRY);
    if (waiting.length) await this.die('failed to complete permutation due to mutually-blocking steps\n');
    for (const s of this.sc.sessions) if (s.teardown) await this.setupOrTeardown(s.name, s.teardown, `teardown of session ${s.name}`, false);
    if (this.sc.teardown) await this.setupOrTeardown(CONTROL, this.sc.teardown, 'teardown', false);
  }

  /** The step's session is still busy: wait for its step, polling the others; give up after twice the timeout. */
  private async waitForSession(conn: Conn, waiting: Active[]): Promise<Active[]> {
    const start = this.driver.now();
    while (conn.active) {
      const old = conn.active;
      const mark = this.progress();
      if (!(await this.tryCompleteStep(old, RETRY))) waiting = waiting.filter((w) => w !== old);
      waiting = await this.tryCompleteSteps(waiting, NONBLOCK | RETRY);
      if (!conn.active) break;
      const td = this.driver.now() - start;
      if (td > 2 * this.maxWait) {
        const busy = [...this.conns.values()].flatMap((c) => (c.active ? [` ${c.active.item.step.name}`] : [])).join('');
        await this.die(`step ${conn.active.item.step.name} timed out after ${seconds(td)} seconds\nactive steps are:${busy}\n`);
      }
      // a step held back by an annotation whose blocker cannot move: only time can change anything now
      if (this.progress() === mark) await this.driver.idle(start + 2 * this.maxWait + POLL_MS - this.driver.now());
    }
    return waiting;
  }

  /** what has happened so far: completions and notices (time passing alone changes nothing it measures) */
  private progress(): string {
    return `${this.completions}/${[...this.conns.values()].map((c) => c.notices).join(',')}`;
  }

  /** Poll the waiting steps (in order); repeat while a completion or notice may have released an annotated one. */
  private async tryCompleteSteps(waiting: Active[], flags: number): Promise<Active[]> {
    for (;;) {
      this.anyNewNotice = false;
      const before = waiting.length;
      let haveBlocker = false;
      const still: Active[] = [];
      for (const a of waiting) {
        if (await this.tryCompleteStep(a, flags)) {
          if (a.item.blockers.length) haveBlocker = true;
          still.push(a);
        }
      }
      waiting = still;
      if (!(haveBlocker && (waiting.length < before || this.anyNewNotice))) return waiting;
    }
  }

  /** try_complete_step: true while the step is (to be reported as) waiting, false once reported complete. */
  private async tryCompleteStep(a: Active, flags: number): Promise<boolean> {
    const st = a.item.step;
    const d = this.driver;
    const waitingLine = () => this.print(`step ${st.name}: ${st.sql} <waiting ...>\n`);
    if (!(flags & RETRY) && a.item.blockers.some((b) => b.kind === 'once')) { waitingLine(); return true; }
    const start = d.now();
    let canceled = false;
    for (;;) {
      this.read(st.session);
      if (await d.finished(st.session, 0)) break;
      // the tester looks every 10 ms; a blocking wait has nothing to do until the next deadline passes
      const deadline = canceled ? 2 * this.maxWait : this.maxWait;
      const wait = flags & NONBLOCK ? POLL_MS : Math.max(POLL_MS, deadline - (d.now() - start) + POLL_MS);
      if (await d.finished(st.session, wait)) break;
      this.read(st.session);
      if (flags & NONBLOCK && await d.blocked(st.session)) {
        this.read(st.session);
        if (await d.finished(st.session, 0)) break;
        if (!(flags & RETRY)) waitingLine();
        return true;
      }
      const td = d.now() - start;
      if (td > this.maxWait && !canceled) {
        const failure = await d.cancel(st.session);
        if (failure === null) {
          this.print(`isolationtester: canceling step ${st.name} after ${seconds(td)} seconds\n`);
          canceled = true;
        } else await this.printErr(`PQcancel failed: ${failure}\n`);
      }
      if (td > 2 * this.maxWait) await this.die(`step ${st.name} timed out after ${seconds(td)} seconds\n`);
    }
    this.read(st.session);
    if (this.hasBlocker(a)) {
      if (!(flags & RETRY)) waitingLine();
      return true;
    }
    this.print(flags & RETRY ? `step ${st.name}: <... completed>\n` : `step ${st.name}: ${st.sql}\n`);
    const r = d.take(st.session);
    r.results.forEach((rs, i) => { this.read(st.session, i); if (rs) this.print(formatResultSet(rs)); });
    this.read(st.session, r.results.length);
    if (r.error) this.print(formatMessage(r.error, this.sc.verbose));
    this.conns.get(st.session)!.active = null;
    this.read(st.session);
    this.printNotifications(st.session);
    this.completions++;
    return false;
  }

  /** try_complete_step's end: the NOTIFY messages this session's connection has received (PQnotifies). */
  private printNotifications(session: string) {
    for (const n of this.driver.notifications?.() ?? []) this.conns.get(n.session)?.notifies.push(n);
    const c = this.conns.get(session)!;
    for (const n of c.notifies) this.print(`${session}: NOTIFY "${n.channel}" with payload "${n.payload}" from ${n.sender}\n`);
    c.notifies = [];
  }

  /** step_has_blocker: a named step still running, or fewer notices than awaited from a session. */
  private hasBlocker(a: Active): boolean {
    for (const b of a.item.blockers) {
      if (b.kind === 'step') {
        const other = this.conns.get(b.step.session)!.active;
        if (other && other.item.step === b.step) return true;
      } else if (b.kind === 'notices' && this.conns.get(b.step.session)!.notices < a.targets.get(b)!) return true;
    }
    return false;
  }

  /** PQexec of a setup or teardown block: the last result is printed; a failure goes to stderr. */
  private async setupOrTeardown(conn: string, sql: string, what: string, fatal: boolean) {
    this.conns.get(conn)!.query = sql;
    const r = await this.driver.exec(conn, sql);
    this.read(conn);
    if ('blockedBy' in r) {
      const by = r.blockedBy.length ? ` held by ${r.blockedBy.join(', ')}` : '';
      await this.die(`${what} blocks: it waits for a lock${by}, and the isolation tester would wait here forever (it sets no timeout on setup and teardown)\n`);
      return;
    }
    if (r.error) {
      const msg = `${what} failed: ${formatLibpqMessage(r.error, sql, true)}`;
      if (fatal) await this.die(msg);
      await this.printErr(msg);
      return;
    }
    const last = r.results[r.results.length - 1];
    if (last) this.print(formatResultSet(last));
  }
}

const seconds = (ms: number) => Math.trunc(ms / 1000);

/** How a permutation item is named on the "starting permutation:" line (step names without annotations). */
const itemName = (i: PermutationItem) => (i.kind === 'advance' ? `+${i.ms}ms` : i.kind === 'server' ? `@${i.action}${i.arg !== undefined ? `:${i.arg}` : ''}` : i.step.name);
