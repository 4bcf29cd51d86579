/**
 * The server around the sessions: the virtual clock's background work (deadlock timers, the wal writer, the
 * checkpointer's checkpoint_timeout), a crash (the power fails now, or at an armed micro-point) and the restart
 * that runs crash recovery.
 *
 * After a crash every session's connection is gone (08006) until restart(); restart runs the startup process
 * (recovery/recovery.ts: REDO from the last checkpoint's redo pointer) and ends with an end-of-recovery checkpoint.
 *
 * Mirrors: src/backend/postmaster/postmaster.c (crash handling, the startup process), walwriter.c, checkpointer.c
 * (checkpoint_timeout). Simplifications: no background processes run by themselves — the wal writer, checkpointer
 * and background writer act when the virtual clock passes their time or when asked; so do the backends'
 * idle-stats-update timers (pgstat/) and the autovacuum launcher (autovacuum.ts).
 */
import type { Engine } from '../engine.js';
import { CHECKPOINT_TIMEOUT, CRASH_POINTS, type CrashPoint, CrashSignal } from '../checkpoint/checkpointer.js';
import { type ExecuteResponse, type SessionOutcome } from '../engine.js';
import { PgError, type PgMessage } from '../errors.js';
import { LockManager } from '../lock/lock.js';
import { fireTimeout } from '../tcop/interrupts.js';
import { PredicateLockManager } from '../predicate/predicate.js';
import { type RecoveryReport, crashState, startup } from '../recovery/recovery.js';
import { Session } from '../session/session.js';
import { drainRunnable } from '../tcop/dispatch.js';
import { WalKind, formatLsn } from '../wal/wal.js';
import { Transactions } from '../xact/xact.js';
import { SharedStats, reportStat } from '../pgstat/pgstat_relation.js';
import { advanceCatalogFrozenXid, autovacuumUntil, runAutovacuumWorker } from './autovacuum.js';

/**
 * Advance the virtual clock, firing due timers (deadlock checks, timeouts, the ends of pg_sleeps) and the background
 * work (statistics flushes, autovacuum) in time order; returns the sessions that finished meanwhile. `exclusive`: a
 * timer (or background work) due exactly at the end is left for later (a client that looks after N ms looks a moment
 * before a timer of N ms armed by what it just sent: the server needed time to start waiting).
 */
export function advance(eng: Engine, ms: number, exclusive = false): SessionOutcome[] {
  const target = eng.clock.now + ms;
  const out: SessionOutcome[] = [];
  let background = false;
  try {
    for (;;) {
      const t = eng.clock.next();
      const due = (at: number) => at < target || (at === target && !exclusive);
      const tAt = t && due(t.at) ? t.at : Infinity;
      const b = nextBackground(eng);
      const bAt = due(b) ? b : Infinity;
      if (tAt === Infinity && bAt === Infinity) break;
      if (tAt <= bAt) {
        const fired = eng.clock.popDue(target, exclusive)!;
        fireTimeout(eng, fired);
        out.push(...drainRunnable(eng));
      } else {
        if (bAt > eng.clock.now) eng.clock.now = bAt;
        const before = eng.tracer.events.length;
        runBackground(eng, bAt);
        if (eng.tracer.events.length > before) background = true;
      }
    }
    eng.clock.now = Math.max(eng.clock.now, target);
    if (eng.serverState === 'running') {
      eng.wal.walWriter(eng.clock.now); // no background process: the wal writer's flush happens when time passes it
      // the checkpointer's checkpoint_timeout, if WAL was written since the last checkpoint
      if (eng.clock.now >= eng.lastCheckpointAt + CHECKPOINT_TIMEOUT && eng.wal.count > 0 &&
        eng.wal.kindOf(eng.wal.count - 1) !== WalKind.CheckpointOnline && eng.wal.kindOf(eng.wal.count - 1) !== WalKind.CheckpointShutdown) {
        eng.checkpoint('timed');
      }
    }
    // what autovacuum and the statistics flushes did is the server's outcome (its trace goes with this advance)
    if (background) out.push(serverOutcome(eng));
  } catch (e) {
    if (!(e instanceof CrashSignal)) throw e;
    const r = crashDuring(eng, e.point, null);
    out.push(...r.woken);
  }
  return out;
}

/** The next moment background work is due: a backend's idle-stats-update timer, or the autovacuum launcher's wake-up. */
function nextBackground(eng: Engine): number {
  if (eng.serverState !== 'running') return Infinity;
  let at = Infinity;
  for (const x of eng.sessions) if (x.pgstat.timerAt !== null && x.pgstat.timerAt < at) at = x.pgstat.timerAt;
  const wake = eng.autovacuum.nextWake || eng.serverConf.num('autovacuum_naptime') * 1000;
  return Math.min(at, wake);
}

function runBackground(eng: Engine, at: number): void {
  for (const x of eng.sessions) {
    if (x.pgstat.timerAt === null || x.pgstat.timerAt > at) continue;
    // IDLE_STATS_UPDATE_TIMEOUT: the idle backend flushes, whatever the interval. pgstat_report_stat's "now" is
    // GetCurrentTransactionStopTimestamp — the end of its last transaction, not the timer's moment: that is what
    // the next flush's 1 s is counted from (measured: tests/scenarios/autovacuum/stats-delay.spec)
    const r = reportStat(eng.pgstat, x.pgstat, x.idleSince, true);
    if (r === 'Flushed' && eng.tracer.wants('stats')) eng.tracer.emit({ kind: 'stats', session: x.name, text: `${x.name}'s idle-stats-update timeout: its pending table counts reach the shared statistics (pg_stat_user_tables) at t=${at} ms` });
  }
  const wake = eng.autovacuum.nextWake || eng.serverConf.num('autovacuum_naptime') * 1000;
  if (wake <= at) {
    const emergency = eng.xidLimits().pastVacLimit(eng.xacts.nextXid);
    autovacuumUntil(eng, at, (t, d, when) => runAutovacuumWorker(eng, t, d, when));
    if (emergency) advanceCatalogFrozenXid(eng, true);
  }
}

/** Jump to the next pending timer (what a client blocked on a waiting session experiences). */
export function advanceToNextTimer(eng: Engine): { fired: boolean; finished: SessionOutcome[] } {
  const t = eng.clock.next();
  if (!t) return { fired: false, finished: [] };
  return { fired: true, finished: advance(eng, t.at - eng.clock.now) };
}

/** At an armed micro-point: the power fails here (the caller's statement never finishes). */
export function crashPointReached(eng: Engine, point: CrashPoint): void {
  if (eng.crashArmed !== point) return;
  eng.crashArmed = null;
  throw new CrashSignal(point);
}

/** A server-level outcome (no session): what crash/restart/checkpoint controls report, with their trace. */
export function serverOutcome(eng: Engine): SessionOutcome {
  return { session: '', status: 'done', results: [], error: null, notices: [], trace: eng.tracer.take(), at: eng.clock.now };
}

/**
 * Pull the plug (point 'now'), or arm a micro-point that crashes when the engine reaches it. Returns the
 * server's outcome and, for a crash, the error every session in the middle of a statement gets.
 */
export function crash(eng: Engine, point: CrashPoint = 'now'): SessionOutcome[] {
  if (!CRASH_POINTS.includes(point)) throw new PgError('22023', `unknown crash point "${String(point)}"`, { hint: `Crash points: ${CRASH_POINTS.join(', ')}.` });
  if (eng.serverState === 'down') throw new PgError('55000', 'the server is already down: restart it first');
  if (point !== 'now') {
    eng.crashArmed = point;
    if (eng.tracer.wants('crash')) eng.tracer.emit({ kind: 'crash', session: '', text: `crash armed: the power will fail ${CRASH_POINT_WORDS[point]}` });
    return [serverOutcome(eng)];
  }
  const r = crashDuring(eng, 'now', null);
  return [r.outcome, ...r.woken];
}

/** Perform the crash; `s` is the session whose call reached the crash point (it loses its connection). */
export function crashDuring(eng: Engine, point: CrashPoint, s: Session | null): ExecuteResponse {
  const report = crashState(eng);
  const lost: SessionOutcome[] = [];
  const connectionLost: PgMessage = { severity: 'FATAL', sqlstate: '08006', message: 'server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request.' };
  for (const x of eng.sessions) {
    const wasBusy = !!x.running || x === s;
    x.running = null; x.waiting = null; x.progress = null; x.tx = null; x.block = 'none'; x.vctx = null; x.spiSnapshot = null;
    x.portals.clear(); x.cursorScan = null; // its cursors went with the backend
    if (wasBusy) { x.acc = { results: [], notices: [], error: null }; lost.push({ session: x.name, status: 'error', results: [], error: connectionLost, notices: [], trace: { events: [], folded: {} }, at: eng.clock.now }); }
  }
  const w = eng as unknown as Record<string, unknown>;
  w.locks = new LockManager();
  w.predicates = new PredicateLockManager();
  eng.wirePredicates();
  w.xacts = new Transactions();
  eng.xacts.nextXid = eng.control.nextXid;
  eng.runnable = [];
  eng.finished = [];
  eng.clock.disarmAll();
  eng.serverState = 'down';
  eng.crashArmed = null;
  eng.pgstat = new SharedStats(); // after a crash the statistics are discarded (pgstat_discard_stats at startup)
  eng.pgstat.walFrom = eng.wal.count;
  eng.pgstat.slruKnown = false; // the restart's own SLRU zeroing is not modelled (pgstat/pgstat_slru.ts)
  eng.lastCrash = { ...report, point, at: eng.clock.now };
  eng.serverLog.push(`(power failure at t=${eng.clock.now} ms${point === 'now' ? '' : `, ${CRASH_POINT_WORDS[point]}`})`);
  if (eng.tracer.wants('crash')) {
    eng.tracer.emit({ kind: 'crash', session: '', text: `CRASH${point === 'now' ? '' : ` ${CRASH_POINT_WORDS[point]}`}: shared buffers, WAL buffers, locks and sessions are gone. Lost: ${report.lostRecords} WAL record(s) not yet flushed, ${report.lostDirtyPages} page(s) changed since they were last written${report.lostCommits.length ? `, and the COMMITs of ${report.lostCommits.join(', ')} (synchronous_commit = off: reported committed, never flushed)` : ''}. On disk: data files as last written, WAL up to ${formatLsn(eng.wal.flushedLsn)}, pg_control (redo ${formatLsn(eng.control.redo)})` });
  }
  const server = serverOutcome(eng);
  const own = s ? lost.find((o) => o.session === s.name) : undefined;
  // the server outcome carries the trace; the session whose call crashed gets the connection error first
  if (own) { own.trace = server.trace; return { outcome: own, woken: lost.filter((o) => o !== own) }; }
  return { outcome: server, woken: lost };
}

/**
 * Start the server after a crash: crash recovery (recovery/recovery.ts), then sessions reconnect as new
 * backends. `crashAfterRecords` makes the power fail again during REDO after that many records.
 */
export function restart(eng: Engine,
  opts: { crashAfterRecords?: number; onRedoDone?: () => void } = {}): { outcomes: SessionOutcome[]; report: RecoveryReport } {
  if (eng.serverState !== 'down') throw new PgError('55000', 'the server is running: there is nothing to recover (crash it first)');
  // StartupXLOG: the OID counter resumes at the bound the last XLOG NEXTOID logged (the prefetched rest is skipped), none prefetched
  eng.catalog.nextOid = Math.max(eng.catalog.nextOid, eng.catalog.oidBound);
  const report = startup(eng, { ...(opts.crashAfterRecords !== undefined ? { crashAfter: opts.crashAfterRecords } : {}),
    ...(opts.onRedoDone ? { onRedoDone: opts.onRedoDone } : {}) });
  eng.lastRecovery = report;
  eng.serverLog.push(...report.log);
  if (report.outcome === 'CrashedDuringRecovery') {
    crashState(eng); // REDO's work was only in buffers
    const w = eng as unknown as Record<string, unknown>;
    w.xacts = new Transactions();
    if (eng.tracer.wants('crash')) eng.tracer.emit({ kind: 'crash', session: '', text: `CRASH during recovery after ${report.replayed} record(s): nothing REDO did had been written; pg_control still says "in crash recovery" with redo ${formatLsn(eng.control.redo)} — the next start replays the same records again` });
    return { outcomes: [serverOutcome(eng)], report };
  }
  eng.serverState = 'running';
  for (let i = 0; i < eng.sessions.length; i++) {
    const old = eng.sessions[i]!;
    const n = new Session(old.id, old.name, eng.nextPid++, old.backendId);
    n.gucs.server = eng.serverConf;
    n.backendStartAt = n.idleSince = eng.clock.now;
    n.pgstat.lastFlush = eng.clock.now;
    eng.sessions[i] = n;
  }
  if (eng.tracer.wants('redo')) eng.tracer.emit({ kind: 'redo', session: '', text: `recovery done: ${report.replayed} record(s) replayed (${report.applied} applied, ${report.skipped} skipped as already on the page, ${report.restored} full-page image(s) restored); end-of-recovery checkpoint written; sessions reconnect as new backends (pids ${eng.sessions.map((x) => x.pid).join(', ')})` });
  return { outcomes: [serverOutcome(eng)], report };
}

/** Work the server does on its own (no session): refused while down; an armed crash point may stop it. */
export function serverWork(eng: Engine, work: () => void): SessionOutcome[] {
  if (eng.serverState === 'down') throw new PgError('55000', 'the server is down');
  try {
    work();
  } catch (e) {
    if (!(e instanceof CrashSignal)) throw e;
    const r = crashDuring(eng, e.point, null);
    return [r.outcome, ...r.woken];
  }
  return [serverOutcome(eng)];
}

/** full_page_writes (a server setting: postgresql.conf + reload). */
export function setFullPageWrites(eng: Engine, on: boolean): SessionOutcome[] {
  eng.wal.fullPageWrites = on;
  if (eng.tracer.wants('checkpoint')) eng.tracer.emit({ kind: 'checkpoint', session: '', text: `full_page_writes = ${on ? 'on' : 'off'}${on ? ': the first change of each page after a checkpoint logs the whole page' : ': no full-page images — a page torn by a crash cannot be repaired'}` });
  return [serverOutcome(eng)];
}

/** How the trace names each crash micro-point. */
const CRASH_POINT_WORDS: Record<CrashPoint, string> = {
  now: 'now',
  'commit-before-flush': 'at the next COMMIT, after its record is in WAL buffers and before the flush',
  'commit-after-flush': 'at the next COMMIT, after its record is flushed and before the client hears COMMIT',
  'checkpoint-halfway': 'halfway through the next checkpoint (some dirty pages written, pg_control not updated)',
  'page-write-after-wal-flush': 'at the next page write, after the WAL rule flushed the log and before the page is written',
  'torn-write': 'during the next page write, which tears (half of the page reaches the disk)',
};
