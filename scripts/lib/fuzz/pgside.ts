/**
 * The fuzzer's PostgreSQL 15: one throwaway cluster reused for every case, one database per worker.
 *
 * Starting a cluster costs about a second, a case a few tens of milliseconds, so cases share a cluster: each
 * concurrent worker owns a database (fuzz_1, fuzz_2, ...), every case creates its tables in setup and drops
 * them in teardown, and before a case the worker drops whatever a broken case left behind. Databases keep the
 * workers apart where it matters: VACUUM's horizon for a user table only counts backends of the same database.
 * What differs from a fresh cluster — transaction ids, OIDs — never appears in a fuzz transcript.
 *
 * A step that waits for a lock only a later step could release would make the scenario runner wait forever;
 * here waiting is capped (a deadlock check resolves any real deadlock within one deadlock_timeout) and a stuck
 * case's backends are terminated so its connections close.
 */
import pg from 'pg';
import { Template, Cluster } from '../pgcluster.js';
import { PgDriver } from '../pgdriver.js';
import { StuckError } from './compare.js';
import type { Blocked, Driver, DriverResult } from '../../../src/scenario/runner.js';

/** How long the runner may wait for one blocked step before the case counts as stuck. */
export const PG_WAIT_CAP_MS = 2500;

export class FuzzServer {
  private constructor(private readonly template: Template, private readonly cluster: Cluster, readonly workers: WorkerDb[]) {}

  static async start(workers: number): Promise<FuzzServer> {
    const template = new Template();
    const cluster = new Cluster(template);
    try {
      // per worker: a control connection, up to 5 sessions, the driver's observer, the worker's admin connection
      await cluster.start({ max_connections: String(10 + 9 * workers) });
      const admin = new pg.Client(cluster.connection);
      await admin.connect();
      const dbs: WorkerDb[] = [];
      try {
        for (let i = 1; i <= workers; i++) {
          await admin.query(`CREATE DATABASE fuzz_${i}`);
          const w = new WorkerDb({ ...cluster.connection, database: `fuzz_${i}` });
          await w.connect();
          dbs.push(w);
        }
      } finally { await admin.end(); }
      return new FuzzServer(template, cluster, dbs);
    } catch (e) {
      cluster.stopSync();
      template.remove();
      throw e;
    }
  }

  /** the template the cluster came from, for fresh-cluster recordings (scripts/record.ts) */
  get freshTemplate(): Template { return this.template; }

  async stop(): Promise<void> {
    for (const w of this.workers) await w.close();
    this.cluster.stopSync();
    this.template.remove();
  }
}

export class WorkerDb {
  private admin: pg.Client;
  constructor(readonly connection: pg.ClientConfig) { this.admin = new pg.Client(connection); }
  async connect() { await this.admin.connect(); }
  async close() { await this.admin.end().catch(() => undefined); }

  /** End every other backend of this database (a stuck case's sessions). */
  async terminateOthers(): Promise<void> {
    await this.admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
    for (let i = 0; i < 200; i++) {
      const r = await this.admin.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
      if (r.rows[0].n === 0) return;
      await new Promise((res) => setTimeout(res, 10));
    }
  }

  /** Before a case: no leftover sessions, no leftover tables. */
  async reset(tables: string[]): Promise<void> {
    await this.terminateOthers();
    if (tables.length) await this.admin.query(`DROP TABLE IF EXISTS ${tables.join(', ')} CASCADE`);
  }

  driver(): Driver { return new CappedPgDriver(new PgDriver(this.connection), this); }
}

/**
 * PgDriver whose blocking waits give up after PG_WAIT_CAP_MS: the case's backends are terminated (so nothing
 * hangs) and the run ends with StuckError. The runner's short polls (10 ms) pass through unchanged.
 */
class CappedPgDriver implements Driver {
  constructor(private readonly inner: PgDriver, private readonly db: WorkerDb) {}
  open(sessions: string[]) { return this.inner.open(sessions); }
  exec(conn: string, sql: string): Promise<DriverResult | Blocked> { return this.inner.exec(conn, sql); }
  send(session: string, sql: string) { return this.inner.send(session, sql); }
  async finished(session: string, ms: number): Promise<boolean> {
    if (ms <= PG_WAIT_CAP_MS) return this.inner.finished(session, ms);
    if (await this.inner.finished(session, PG_WAIT_CAP_MS)) return true;
    await this.db.terminateOthers();
    throw new StuckError(`step on ${session} still waits after ${PG_WAIT_CAP_MS} ms`);
  }
  blocked(session: string) { return this.inner.blocked(session); }
  cancel(session: string) { return this.inner.cancel(session); }
  now() { return this.inner.now(); }
  idle(ms: number) { return this.inner.idle(ms); }
  take(session: string): DriverResult { return this.inner.take(session); }
  notices() { return this.inner.notices(); }
  sleep(ms: number) { return this.inner.sleep(ms); }
  close() { return this.inner.close(); }
}
