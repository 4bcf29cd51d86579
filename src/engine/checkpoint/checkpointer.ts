/**
 * Checkpoints, the background writer and pg_control.
 *
 * A checkpoint bounds crash recovery. It remembers the WAL insert position as the *redo pointer*, writes every
 * dirty page to disk (each after the WAL rule has flushed the log up to that page's LSN), writes the commit log
 * and sequences, appends a CHECKPOINT record, flushes it and only then records both positions in pg_control.
 * Recovery starts replaying at the redo pointer: every change before it is already in the data files. From the
 * redo pointer on, the first change to each page logs a full-page image, so a page torn by a crash while it was
 * being written can be rebuilt.
 *
 * A checkpoint that crashes halfway has written some pages but not updated pg_control: recovery starts from the
 * previous redo pointer and skips the records whose pages are already newer.
 *
 * The background writer writes some dirty pages between checkpoints (bgwriter_lru_maxpages = 100 per round), so
 * fewer are left for the checkpoint; it obeys the same WAL rule.
 *
 * Mirrors: src/backend/access/transam/xlog.c (CreateCheckPoint, CheckPointGuts, UpdateControlFile),
 * postmaster/checkpointer.c (checkpoint_timeout), postmaster/bgwriter.c, src/include/catalog/pg_control.h.
 * Simplifications: checkpoints are immediate (no spreading over checkpoint_completion_target); a timed
 * checkpoint happens when the virtual clock passes checkpoint_timeout (5 min) after the last one and WAL was
 * written since; the background writer runs when asked (the simulator's buffers never run out, and PostgreSQL's
 * writes only ahead of buffer replacement); pg_control holds the fields recovery uses.
 */
import type { Engine } from '../engine.js';
import { WalKind, formatLsn } from '../wal/wal.js';
import type { CheckpointPayload } from '../wal/records.js';
import { dirtyBuffers, writeBuffer, bufferLsn, type DirtyBuffer, type WriteResult } from '../buffer/bufmgr.js';
import { FRESH_OLDEST_XID } from '../xact/varsup.js';
import { logStandbySnapshot } from '../wal/standby.js';


export type ClusterState = 'in production' | 'shut down' | 'in crash recovery';

/** pg_control: what the server reads first when it starts. */
export interface ControlFile {
  state: ClusterState;
  /** LSN of the last checkpoint record */
  checkPoint: number;
  /** its redo pointer: where REDO begins */
  redo: number;
  /** next xid as of that checkpoint */
  nextXid: number;
  /** virtual time of that checkpoint ("last known up at") */
  time: number;
  fullPageWrites: boolean;
  /** checkPointCopy: the last checkpoint record's contents (absent until the first checkpoint of this engine) */
  checkPointCopy?: CheckpointPayload;
}

export const CHECKPOINT_TIMEOUT = 300_000;
export const BGWRITER_LRU_MAXPAGES = 100;

/** Micro-points where a crash can be injected; 'now' crashes at once. */
export type CrashPoint =
  | 'now'
  /** the next COMMIT's record is in WAL buffers, not flushed: the commit is lost, the client never heard COMMIT */
  | 'commit-before-flush'
  /** the next COMMIT is flushed but the client has not heard COMMIT yet and no data page was written */
  | 'commit-after-flush'
  /** the next checkpoint writes half of the dirty pages, then the power fails (pg_control still names the old one) */
  | 'checkpoint-halfway'
  /** the next page write: the WAL rule has flushed the log up to the page's LSN, the page itself is not written */
  | 'page-write-after-wal-flush'
  /** the next page write (checkpoint or background writer) tears: half of the 8 kB reach the disk */
  | 'torn-write';
export const CRASH_POINTS: readonly CrashPoint[] = ['now', 'commit-before-flush', 'commit-after-flush', 'checkpoint-halfway', 'page-write-after-wal-flush', 'torn-write'];

/** Thrown at an armed micro-point; the engine catches it at the top of the call and performs the crash. */
export class CrashSignal extends Error {
  constructor(readonly point: CrashPoint) { super(`crash at ${point}`); }
}

export type CheckpointKind = 'immediate' | 'timed' | 'end-of-recovery' | 'shutdown';

export interface CheckpointResult {
  outcome: 'Completed';
  kind: CheckpointKind;
  redo: number;
  checkPoint: number;
  written: number;
  /** writes that had to flush WAL first (the WAL rule) */
  walFlushesForWrites: number;
}

/** Write one dirty buffer, honouring an armed torn-write crash. */
function write(eng: Engine, b: DirtyBuffer, who: string, session: string): WriteResult {
  if (eng.crashArmed === 'page-write-after-wal-flush') {
    const lsn = bufferLsn(b);
    const f = eng.wal.flush(lsn); // FlushBuffer's XLogFlush happened; the power fails before smgrwrite
    if (eng.tracer.wants('buffer')) eng.tracer.emit({ kind: 'buffer', session, lsn: formatLsn(lsn), text: `${who} is about to write ${b.kind === 'heap' ? `${b.table.name} block ${b.page.blkno}` : `index ${b.index.name}`}: ${f.outcome === 'Flushed' ? `the WAL rule flushed the log ${formatLsn(f.from)} → ${formatLsn(f.to)}` : 'the WAL was already flushed past its LSN'} — and the power fails before the page reaches the disk` });
    eng.crashPointReached('page-write-after-wal-flush');
  }
  const torn = eng.crashArmed === 'torn-write' && b.kind === 'heap';
  const r = writeBuffer(eng.wal, b, torn);
  if (eng.tracer.wants('buffer')) {
    const what = b.kind === 'heap' ? `${b.table.name} block ${b.page.blkno}` : `index ${b.index.name}`;
    const rule = r.flushedFrom !== undefined ? `WAL rule: flushed the log ${formatLsn(r.flushedFrom)} → ${formatLsn(r.lsn)} first, then ` : `WAL already on disk up to its LSN ${formatLsn(r.lsn)}; `;
    eng.tracer.emit({
      kind: 'buffer', session, rel: b.kind === 'heap' ? b.table.name : b.index.name, ...(b.kind === 'heap' ? { blk: b.page.blkno } : {}),
      lsn: formatLsn(r.lsn), outcome: r.outcome,
      text: torn ? `${who} writes ${what} — the power fails halfway: only its first 4 kB reach the disk (a torn page)` : `${who} writes ${what}: ${rule}page written (page LSN ${formatLsn(r.lsn)})`,
    });
  }
  if (torn) eng.crashPointReached('torn-write');
  return r;
}

/** CreateCheckPoint. */
export function createCheckpoint(eng: Engine, kind: CheckpointKind, session = ''): CheckpointResult {
  const w = eng.wal;
  const redo = w.insertLsn;
  w.redoLsn = redo; // RedoRecPtr: from here on, the first change of each page logs a full-page image
  if (eng.tracer.wants('checkpoint')) eng.tracer.emit({ kind: 'checkpoint', session, lsn: formatLsn(redo), text: `checkpoint starting: ${kind === 'immediate' ? 'immediate force wait' : kind === 'end-of-recovery' ? 'end-of-recovery immediate wait' : kind === 'shutdown' ? 'shutdown immediate' : 'time'} — redo pointer ${formatLsn(redo)}` });
  // CheckPointGuts: commit log and sequences, then every dirty buffer
  // the commit log's pages obey the WAL rule too: asynchronous COMMITs they record are flushed first (SlruPhysicalWritePage)
  if (w.asyncXactLsn > w.flushedLsn) w.flush(w.asyncXactLsn);
  eng.durable.clog = eng.xacts.clog.clone();
  for (const seq of eng.catalog.sequences.values()) seq.disk = { lastValue: seq.lastValue, isCalled: seq.isCalled, logCnt: seq.logCnt, lsn: seq.pageLsn };
  // BufferSync writes only permanent buffers (BM_PERMANENT): not a temporary table's, not an unlogged one's
  const dirty = dirtyBuffers([...eng.catalog.tables.values()].filter((t) => !t.temp && !t.unlogged));
  let written = 0, flushes = 0;
  for (const b of dirty) {
    if (eng.crashArmed === 'checkpoint-halfway' && written >= Math.floor(dirty.length / 2)) eng.crashPointReached('checkpoint-halfway');
    const r = write(eng, b, 'the checkpointer', session);
    written++;
    if (r.flushedFrom !== undefined) flushes++;
  }
  if (eng.crashArmed === 'checkpoint-halfway') eng.crashPointReached('checkpoint-halfway'); // no dirty page at all
  // GetOldestActiveTransactionId: the oldest xid still running, or nextXid when none is
  // (a shutdown checkpoint logs none: InvalidTransactionId, "oldest running xid 0")
  let oldestActiveXid = eng.xacts.nextXid;
  for (const x of eng.xacts.running.keys()) if (x < oldestActiveXid) oldestActiveXid = x;
  if (kind === 'shutdown' || kind === 'end-of-recovery') oldestActiveXid = 0;
  // the OID counter: an online checkpoint logs its bound (nextOid + oidCount: what GetNewObjectId's last XLOG NEXTOID
  // logged ahead, or nextOid when nothing is prefetched), a shutdown checkpoint the counter itself
  const nextOid = kind === 'shutdown' || kind === 'end-of-recovery' ? eng.catalog.nextOid : Math.max(eng.catalog.nextOid, eng.catalog.oidBound);
  const payload: CheckpointPayload = {
    redo, nextXid: eng.xacts.nextXid, nextMulti: eng.multis.next, fullPageWrites: w.fullPageWrites,
    nextMultiOffset: eng.nextMultiOffset, oldestActiveXid, nextOid, oldestXidFresh: eng.templateFrozenXid === FRESH_OLDEST_XID,
  };
  const rec = kind === 'shutdown' || kind === 'end-of-recovery' ? WalKind.CheckpointShutdown : WalKind.CheckpointOnline;
  // an online checkpoint tells a standby which transactions run and what they lock (wal_level = replica)
  if (rec === WalKind.CheckpointOnline) logStandbySnapshot(eng);
  const end = w.insert(rec, 0, 114, 0, -1, 0, 0, payload);
  const checkPoint = w.startOf(w.count - 1);
  w.flush(end);
  const c = eng.control;
  c.checkPoint = checkPoint; c.redo = redo; c.nextXid = eng.xacts.nextXid; c.time = eng.clock.now; c.fullPageWrites = w.fullPageWrites;
  c.checkPointCopy = payload;
  c.state = kind === 'shutdown' ? 'shut down' : 'in production';
  eng.lastCheckpointAt = eng.clock.now;
  // pgstat_report_checkpointer: the checkpointer publishes its counts at once (pg_stat_bgwriter)
  const cs = eng.pgstat.bgwriter;
  if (kind === 'timed') cs.checkpointsTimed++; else if (kind !== 'end-of-recovery' && kind !== 'shutdown') cs.checkpointsReq++;
  cs.buffersCheckpoint += written;
  if (eng.tracer.wants('checkpoint')) eng.tracer.emit({ kind: 'checkpoint', session, lsn: formatLsn(checkPoint), text: `checkpoint complete: wrote ${written} buffer${written === 1 ? '' : 's'}${flushes ? ` (${flushes} after flushing WAL first)` : ''}; CHECKPOINT record at ${formatLsn(checkPoint)} flushed; pg_control now says redo ${formatLsn(redo)}` });
  return { outcome: 'Completed', kind, redo, checkPoint, written, walFlushesForWrites: flushes };
}

/** One background writer round: up to BGWRITER_LRU_MAXPAGES dirty buffers, oldest page LSN first. */
export function bgwriterRound(eng: Engine, session = ''): { written: number; left: number } {
  // (unlogged buffers are left to the checkpoint that never writes them: commands/unlogged.ts)
  const dirty = dirtyBuffers([...eng.catalog.tables.values()].filter((t) => !t.temp && !t.unlogged)).sort((a, b) => bufferLsn(a) - bufferLsn(b));
  const batch = dirty.slice(0, BGWRITER_LRU_MAXPAGES);
  for (const b of batch) write(eng, b, 'the background writer', session);
  eng.pgstat.bgwriter.buffersClean += batch.length;
  if (batch.length === BGWRITER_LRU_MAXPAGES && dirty.length > batch.length) eng.pgstat.bgwriter.maxwrittenClean++;
  if (eng.tracer.wants('buffer')) eng.tracer.emit({ kind: 'buffer', session, text: `background writer round: wrote ${batch.length} dirty buffer${batch.length === 1 ? '' : 's'}, ${dirty.length - batch.length} left for the next round or checkpoint` });
  return { written: batch.length, left: dirty.length - batch.length };
}
