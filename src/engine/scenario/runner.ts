/**
 * Running a scenario: the isolation tester's algorithm, over any "driver" — the engine, or a real PostgreSQL.
 *
 * For each permutation: run the setup blocks on a control connection, each session's setup, then the steps:
 *  - if the step's session is still blocked on an earlier step, wait for that step to complete first (time
 *    passes: deadlock checks fire), then report any other waiting steps that completed meanwhile;
 *  - send the step; if it blocks on a lock, print "<waiting ...>" and go on;
 *  - after each step, report waiting steps that have completed, in the order they started waiting.
 * At the end, wait for the remaining waiters in order, then run the teardowns.
 * The same code drives PostgreSQL in the recorder, so both sides print with the same rules and any difference
 * in a transcript is a difference in behaviour.
 *
 * Mirrors: run_permutation / try_complete_step(s) in src/test/isolation/isolationtester.c (PostgreSQL 15).
 */
import type { PgMessage } from '../errors.js';
import type { Scenario, Step, PermutationItem } from './spec.js';
import { formatResultSet, formatMessage, type ResultSet } from './transcript.js';

export interface DriverResult { results: ResultSet[]; error: PgMessage | null }

/** A connection pool of named sessions plus a control connection; implemented for the engine and for PostgreSQL. */
export interface Driver {
  open(sessions: string[]): Promise<void>;
  /** run SQL on the control connection to completion */
  control(sql: string): Promise<DriverResult>;
  /** run SQL on a session to completion (session setup/teardown) */
  run(session: string, sql: string): Promise<DriverResult>;
  /** send a step; resolves 'done' once it finished, or 'waiting' once it is seen blocked on a lock */
  send(session: string, sql: string): Promise<'done' | 'waiting'>;
  /** non-blocking: has the session's pending step finished? (if it is running but not blocked, wait for it) */
  poll(session: string): Promise<boolean>;
  /** blocking: wait until the pending step finishes; false if it never can */
  wait(session: string): Promise<boolean>;
  /** the finished step's result (clears it) */
  take(session: string): DriverResult;
  /** notices received since the last call, in arrival order */
  notices(): { session: string; message: PgMessage }[];
  /** let time pass */
  sleep(ms: number): Promise<void>;
  /** a server event (@crash, @restart, ...); a driver that cannot do it throws */
  server?(action: import('./spec.js').ServerAction, arg?: string): Promise<string | void>;
  close(): Promise<void>;
}

export const CONTROL = 'control connection';

export async function runScenario(sc: Scenario, driver: Driver): Promise<string> {
  let out = `Parsed test spec with ${sc.sessions.length} sessions\n`; // isolationtester never singularises
  const emit = (s: string) => { out += s; };
  const flushNotices = () => {
    // like isolationtester: the control connection's notices (setup/teardown) are not printed
    for (const n of driver.notices()) if (n.session !== CONTROL) emit(`${n.session}: ${formatMessage(n.message, sc.verbose)}`);
  };
  const printResult = (r: DriverResult) => {
    for (const rs of r.results) emit(formatResultSet(rs));
    if (r.error) emit(formatMessage(r.error, sc.verbose));
  };
  await driver.open(sc.sessions.map((s) => s.name));
  try {
    for (const perm of sc.permutations) {
      emit(`\nstarting permutation: ${perm.map(itemName).join(' ')}\n`);
      let failed = false;
      for (const sql of sc.setup) {
        const r = await driver.control(sql);
        flushNotices();
        for (const rs of r.results) emit(formatResultSet(rs));
        if (r.error) { emit(`setup failed: ${formatMessage(r.error, sc.verbose)}`); failed = true; break; }
      }
      if (failed) break;
      for (const s of sc.sessions) {
        if (!s.setup) continue;
        const r = await driver.run(s.name, s.setup);
        flushNotices();
        for (const rs of r.results) emit(formatResultSet(rs));
        if (r.error) { emit(`setup of session ${s.name} failed: ${formatMessage(r.error, sc.verbose)}`); failed = true; break; }
      }
      if (failed) break;

      const waiting: Step[] = [];
      const active = new Map<string, Step>();
      const complete = (st: Step) => {
        flushNotices();
        emit(`step ${st.name}: <... completed>\n`);
        printResult(driver.take(st.session));
        active.delete(st.session);
        waiting.splice(waiting.indexOf(st), 1);
      };
      const completeReady = async () => {
        for (const st of waiting.slice()) if (await driver.poll(st.session)) complete(st);
      };
      for (const item of perm) {
        if (item.kind === 'server') {
          if (!driver.server) throw new Error(`${sc.file}:${item.line}: this driver cannot run server events`);
          const note = await driver.server(item.action, item.arg);
          flushNotices();
          emit(`(${itemName(item)}${note ? `: ${note}` : ''})\n`);
          await completeReady();
          continue;
        }
        if (item.kind === 'advance') {
          await driver.sleep(item.ms);
          flushNotices();
          emit(`(+${item.ms} ms)\n`);
          await completeReady();
          continue;
        }
        const st = item.step;
        const prev = active.get(st.session);
        if (prev) {
          if (!(await driver.wait(st.session))) {
            flushNotices();
            throw new Error(`${sc.file}:${item.line}: step ${st.name} cannot start: ${st.session} is still waiting in step ${prev.name} and nothing can wake it`);
          }
          complete(prev);
          await completeReady();
        }
        const status = await driver.send(st.session, st.sql);
        flushNotices();
        if (status === 'waiting') {
          emit(`step ${st.name}: ${st.sql} <waiting ...>\n`);
          active.set(st.session, st);
          waiting.push(st);
        } else {
          emit(`step ${st.name}: ${st.sql}\n`);
          printResult(driver.take(st.session));
        }
        await completeReady();
      }
      for (const st of waiting.slice()) {
        if (!(await driver.wait(st.session))) {
          flushNotices();
          emit('failed to complete permutation due to mutually-blocking steps\n');
          throw new Error(`${sc.file}: permutation cannot complete: steps ${waiting.map((w) => w.name).join(', ')} wait forever`);
        }
        complete(st);
      }
      for (const s of sc.sessions) {
        if (!s.teardown) continue;
        const r = await driver.run(s.name, s.teardown);
        flushNotices();
        for (const rs of r.results) emit(formatResultSet(rs));
        if (r.error) emit(`teardown of session ${s.name} failed: ${formatMessage(r.error, sc.verbose)}`);
      }
      if (sc.teardown) {
        const r = await driver.control(sc.teardown);
        flushNotices();
        for (const rs of r.results) emit(formatResultSet(rs));
        if (r.error) emit(`teardown failed: ${formatMessage(r.error, sc.verbose)}`);
      }
    }
  } finally {
    await driver.close();
  }
  return out;
}

const itemName = (i: PermutationItem) => (i.kind === 'advance' ? `+${i.ms}ms` : i.kind === 'server' ? `@${i.action}${i.arg !== undefined ? `:${i.arg}` : ''}` : i.step.name + (i.blockers.length ? `(${i.blockers.join(',')})` : ''));
