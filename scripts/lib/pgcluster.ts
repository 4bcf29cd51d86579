/**
 * A throwaway PostgreSQL 15 cluster for recording expected transcripts.
 *
 * Debian's postgresql-15 binaries (installed with apt-get when missing and we are root); initdb runs as a
 * non-root OS user (postgres, or the current user), the data directory lives in a temp dir, the server listens
 * on 127.0.0.1 on a free port only, autovacuum is off (it would consume transaction ids behind our back).
 * Each scenario gets a fresh copy of one initdb'd template, so its transaction ids start where a fresh
 * cluster's do (724) — the same place the engine starts — and transcripts that show xids compare exactly.
 * Every cluster is stopped and removed at the end, on failure and on SIGINT/SIGTERM too.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, chmodSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import pg from 'pg';

/** Throwaway clusters live in memory when the machine has a tmpfs (/dev/shm): copying a data directory to disk
 * costs about a second per cluster, and fsync is off anyway. HEAPSCOPE_PG_DIR overrides. */
const clusterRoot = () => process.env.HEAPSCOPE_PG_DIR ?? (existsSync('/dev/shm') && process.platform === 'linux' ? '/dev/shm' : tmpdir());

export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

function ensureBinaries() {
  if (existsSync(join(PG_BIN, 'postgres'))) return;
  if (process.getuid?.() === 0) {
    console.error('PostgreSQL 15 binaries missing: installing postgresql-15 with apt-get ...');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive', TMPDIR: '/tmp' };
    spawnSync('apt-get', ['update'], { stdio: 'ignore', env });
    const r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'postgresql-15'], { stdio: 'inherit', env });
    if (r.status !== 0 || !existsSync(join(PG_BIN, 'postgres'))) throw new Error('apt-get install postgresql-15 failed');
    return;
  }
  throw new Error(`PostgreSQL 15 server binaries not found in ${PG_BIN}. Install them with: sudo apt-get install -y postgresql-15 (or set PG_BIN)`);
}

const runAsUser = (): string | null => (process.getuid?.() === 0 ? 'postgres' : null);

function ensureUser() {
  if (runAsUser() === null) return;
  const r = spawnSync('id', ['postgres'], { stdio: 'ignore' });
  if (r.status !== 0) execFileSync('useradd', ['--system', '--no-create-home', 'postgres']);
}

/** asUser without blocking the event loop, so several clusters can start at once (the conformance pool). */
function asUserAsync(cmd: string, args: string[]): Promise<string> {
  const u = runAsUser();
  const full = u ? ['runuser', '-u', u, '--', cmd, ...args] : [cmd, ...args];
  return new Promise((resolve, reject) => {
    execFile(full[0]!, full.slice(1), { encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} failed: ${stderr || stdout || err.message}`)); else resolve(stdout);
    });
  });
}

function asUser(cmd: string, args: string[]) {
  const u = runAsUser();
  const full = u ? ['runuser', '-u', u, '--', cmd, ...args] : [cmd, ...args];
  const r = spawnSync(full[0]!, full.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`);
  return r.stdout;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

const live = new Set<{ stopSync(): void }>();
let hooked = false;
function hookExit() {
  if (hooked) return;
  hooked = true;
  const cleanup = () => { for (const c of live) c.stopSync(); };
  process.on('exit', cleanup);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => { cleanup(); process.exit(130); });
}

export class Template {
  readonly dir: string;
  constructor() {
    hookExit();
    ensureBinaries();
    ensureUser();
    this.dir = mkdtempSync(join(clusterRoot(), 'heapscope-pgtemplate-'));
    chmodSync(this.dir, 0o777);
    live.add(this);
    asUser(join(PG_BIN, 'initdb'), ['-D', join(this.dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
  }
  remove() { rmSync(this.dir, { recursive: true, force: true }); live.delete(this); }
  stopSync() { this.remove(); }
}

export class Cluster {
  readonly dir: string;
  readonly data: string;
  port = 0;
  private running = false;
  constructor(template: Template) {
    hookExit();
    this.dir = mkdtempSync(join(clusterRoot(), 'heapscope-pg-'));
    chmodSync(this.dir, 0o777);
    this.data = join(this.dir, 'data');
    // cp -a keeps the template's owner and modes in one process (a JS copy plus chown -R took ~1 s per cluster)
    execFileSync('cp', ['-a', join(template.dir, 'data'), this.data]);
    if (runAsUser()) execFileSync('chown', [`${runAsUser()}:`, this.dir]);
  }
  /** `settings` are extra server settings (`-c name=value`), e.g. more max_connections for the fuzzer's workers. */
  async start(settings: Record<string, string> = {}) {
    live.add(this);
    const all = { max_connections: '20', ...settings };
    const extra = Object.entries(all).map(([k, v]) => `-c ${k}=${v}`).join(' ');
    // clusters may start concurrently: a port taken between freePort() and the server's bind is retried
    for (let attempt = 1; ; attempt++) {
      this.port = await freePort();
      try {
        await asUserAsync(join(PG_BIN, 'pg_ctl'), ['-D', this.data, '-w', '-l', join(this.dir, 'log'), '-o',
          `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c autovacuum=off -c fsync=off ${extra}`, 'start']);
        break;
      } catch (e) {
        if (attempt >= 3) throw e;
      }
    }
    this.running = true;
  }
  /** Pull the plug: `pg_ctl stop -m immediate` (no shutdown checkpoint; the next start runs crash recovery). */
  crash() {
    asUser(join(PG_BIN, 'pg_ctl'), ['-D', this.data, '-m', 'immediate', '-w', 'stop']);
    this.running = false;
  }
  /** The server log (crash recovery reports "redo starts at" / "redo done at" there). */
  get logFile() { return join(this.dir, 'log'); }
  stopSync() {
    if (this.running) {
      try { asUser(join(PG_BIN, 'pg_ctl'), ['-D', this.data, '-m', 'immediate', '-w', 'stop']); } catch { /* already gone */ }
      this.running = false;
    }
    rmSync(this.dir, { recursive: true, force: true });
    live.delete(this);
  }
  get connection() { return { host: '127.0.0.1', port: this.port, user: 'postgres', database: 'postgres' }; }
}

export const currentUser = () => userInfo().username;

/**
 * One throwaway cluster from a fresh template and a client connected to it, for the fuzzers' one-session runs;
 * `stop()` closes the client and removes the cluster and the template.
 */
export async function startClient(): Promise<{ client: pg.Client; stop: () => Promise<void> }> {
  const template = new Template();
  const cluster = new Cluster(template);
  await cluster.start();
  const client = new pg.Client(cluster.connection);
  await client.connect();
  return {
    client,
    stop: async () => { await client.end().catch(() => undefined); cluster.stopSync(); template.remove(); },
  };
}
