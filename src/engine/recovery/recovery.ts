/**
 * A crash and the crash recovery that follows.
 *
 * The crash (a power failure): everything in memory is gone — shared buffers, WAL buffers (records after the
 * flush pointer), the commit log's unwritten state, locks, snapshots, sessions. What survives is what was on disk:
 * the data files as last written, the WAL up to the flush pointer, the commit log as of the last checkpoint,
 * pg_control.
 *
 * Recovery (StartupXLOG): pg_control says the cluster was not shut down cleanly, so the startup process reads the
 * last checkpoint record, then replays the WAL from its redo pointer to the end of the flushed log, record by record
 * (recovery/redo.ts). Afterwards every transaction with no COMMIT or ABORT in the log is marked aborted — there is
 * no UNDO: the versions it wrote stay on the pages, invisible, for vacuum to remove. An end-of-recovery
 * checkpoint writes everything out, and the server accepts connections again.
 *
 * Worked example (engine): accounts holds (1, 100), (2, 200) (xid 724); CHECKPOINT puts the redo pointer at
 * 0/01500310 (its Standby RUNNING_XACTS, wal/standby.ts); INSERT (3, 300) commits as xid 725, the background writer writes the pages, INSERT (4, 400) commits
 * as xid 726 (its COMMIT flushed the WAL to 0/01500510, its pages stay in shared buffers), and the power fails.
 *
 *     WAL on disk:  0/01500310 RUNNING_XACTS, CHECKPOINT ─ 725: INSERT, INSERT_LEAF, COMMIT ─ 726: INSERT, INSERT_LEAF, COMMIT
 *                   ▲ pg_control's redo     └─ already in the data files ─┘ └─ only in the log ───────────┘
 *
 *     LOG:  database system was not properly shut down; automatic recovery in progress
 *     LOG:  redo starts at 0/01500310
 *     LOG:  redo done at 0/015004E8 ...
 *     LOG:  checkpoint starting: end-of-recovery immediate wait
 *     LOG:  database system is ready to accept connections
 *
 * Eight records are replayed (two skipped by the page-LSN test, two repeated: recovery/redo.ts shows each), and all
 * four rows are back. That run has full_page_writes off; with it on, 725's INSERT would carry the page's image
 * (the first change since the checkpoint) and REDO would restore the image instead of testing the LSN.
 *
 * Mirrors: src/backend/access/transam/xlog.c (StartupXLOG), xlogrecovery.c (InitWalRecovery, PerformWalRecovery),
 * the server log lines PostgreSQL 15 prints on the way. Simplifications: no background writer or checkpointer
 * during recovery (nothing is written until the end-of-recovery checkpoint, so a crash during recovery starts over
 * from the same pg_control); the catalog, MultiXacts and the visibility map are not paged and survive as they are;
 * sessions reconnect by themselves (new backends, new pids) once the server is up.
 */
import { resetUnloggedRelations } from '../commands/unlogged.js';
import type { Engine } from '../engine.js';
import { formatLsn, WalKind } from '../wal/wal.js';
import { XidStatus } from '../clog/clog.js';
import { FRESH_CLUSTER_NEXT_XID } from '../xact/xact.js';
import { pageFromImage, indexFromImage, isPageDirty } from '../buffer/bufmgr.js';
import { emptyPage, PD_ALL_VISIBLE } from '../heap/heap.js';
import { redoRecord, resetRedoCache, type RedoStep } from './redo.js';
import { createCheckpoint } from '../checkpoint/checkpointer.js';
import { dropAllTempTables } from '../commands/tempcmds.js';

export interface CrashReport {
  /** WAL records that were only in WAL buffers */
  lostRecords: number;
  /** transactions whose COMMIT record was lost although the client heard COMMIT (synchronous_commit = off) */
  lostCommits: number[];
  /** buffers whose changes were not on disk */
  lostDirtyPages: number;
}

/** The power fails: keep only what is on disk. */
export function crashState(eng: Engine): CrashReport {
  dropAllTempTables(eng); // local buffers died with their backends; the files go at restart (RemovePgTempFiles)
  const lostCommits = eng.wal.unflushedCommits();
  let lostDirtyPages = 0;
  for (const t of eng.catalog.tables.values()) {
    for (const p of t.heap.pages) if (isPageDirty(t, p)) lostDirtyPages++;
    const blocks: number[] = [];
    t.heap.disk.forEach((_, b) => blocks.push(b));
    const n = blocks.length ? Math.max(...blocks) + 1 : 0;
    t.heap.pages = Array.from({ length: n }, (_, b) => {
      const img = t.heap.disk[b];
      return img ? pageFromImage(b, img) : emptyPage(b);
    });
    t.heap.targetBlock = n - 1;
    // the visibility map's bits are rebuilt by REDO of Heap2/VISIBLE (the bits each record set: all-visible,
    // all-frozen or both); a bit the map had in memory may belong to a change the crash lost
    t.heap.vm.clear();
    for (const i of t.indexes) indexFromImage(i, i.disk);
  }
  for (const seq of eng.catalog.sequences.values()) {
    const d = seq.disk;
    seq.lastValue = d?.lastValue ?? seq.params.start; seq.isCalled = d?.isCalled ?? false; seq.logCnt = d?.logCnt ?? 0; seq.pageLsn = d?.lsn ?? 0;
  }
  const lostRecords = eng.wal.truncateToFlushed();
  resetUnloggedRelations(eng); // (at startup in PostgreSQL: the same empty tables after recovery)
  return { lostRecords, lostCommits, lostDirtyPages };
}

export interface RecoveryReport {
  outcome: 'Recovered' | 'CrashedDuringRecovery';
  replayed: number;
  applied: number;
  skipped: number;
  restored: number;
  /** xids with no outcome in the log, now aborted */
  abortedNoOutcome: number[];
  /** pages still corrupt after REDO (torn, and no full-page image repaired them) */
  corruptPages: string[];
  /** what PostgreSQL's server log says on the way */
  log: string[];
  steps: RedoStep[];
}

/**
 * StartupXLOG after a crash. `crashAfter` injects a second power failure after that many records (a crash during
 * recovery): everything REDO did is lost again with the buffers.
 */
export function startup(eng: Engine, opts: { crashAfter?: number; keepSteps?: number; onRedoDone?: () => void } = {}): RecoveryReport {
  const c = eng.control;
  const w = eng.wal;
  resetRedoCache();
  const log: string[] = [];
  const stateAtStart = c.state;
  log.push(c.state === 'in crash recovery'
    ? `LOG:  database system was interrupted while in recovery at ${at(c.time)}`
    : `LOG:  database system was interrupted; last known up at ${at(c.time)}`);
  log.push('LOG:  database system was not properly shut down; automatic recovery in progress');
  c.state = 'in crash recovery';
  // the commit log as the last checkpoint wrote it; REDO brings it up to date
  eng.xacts.clog = eng.durable.clog.clone();
  eng.xacts.nextXid = c.nextXid;
  const seen = { maxXid: c.nextXid - 1 };
  let first = w.firstAtOrAfter(c.redo);
  // a shutdown checkpoint's redo pointer is its own record, which needs no replay
  if (first < w.count && w.startOf(first) === c.checkPoint && w.kindOf(first) === WalKind.CheckpointShutdown) first++;
  const report: RecoveryReport = {
    outcome: 'Recovered', replayed: 0, applied: 0, skipped: 0, restored: 0, abortedNoOutcome: [], corruptPages: [], log, steps: [],
  };
  const keep = opts.keepSteps ?? 500;
  if (first < w.count) log.push(`LOG:  redo starts at ${formatLsn(w.startOf(first))}`);
  if (eng.tracer.wants('redo')) {
    eng.tracer.emit({ kind: 'redo', session: '', lsn: formatLsn(c.redo),
      text: `recovery: pg_control says "${stateAtStart}" although the server is starting — it was not shut down cleanly, so crash `
        + `recovery runs. The last checkpoint's redo pointer is ${formatLsn(c.redo)}; ${w.count - first} WAL record(s) to replay up `
        + `to the end of the flushed log ${formatLsn(w.flushedLsn)}` });
  }
  for (let i = first; i < w.count; i++) {
    if (opts.crashAfter !== undefined && report.replayed >= opts.crashAfter) {
      report.outcome = 'CrashedDuringRecovery';
      log.push(`(power failure during recovery after ${report.replayed} record(s))`);
      return report;
    }
    const keepThis = report.steps.length < keep;
    const traced = eng.tracer.enabled && eng.tracer.wants('redo');
    const s = redoRecord(eng, i, seen, keepThis || traced);
    report.replayed++;
    if (s.action === 'BLK_NEEDS_REDO') report.applied++;
    else if (s.action === 'BLK_DONE') report.skipped++;
    else if (s.action === 'BLK_RESTORED') report.restored++;
    if (keepThis) report.steps.push(s);
    if (traced) {
      const t = eng.catalog.byOid(w.relOf(i))?.name;
      eng.tracer.emit({
        kind: 'redo', session: '', lsn: formatLsn(s.lsn), outcome: s.action, ...(t ? { rel: t, blk: w.blkOf(i) } : {}),
        ...(w.offOf(i) ? { off: w.offOf(i) } : {}), ...(w.xidOf(i) ? { xid: w.xidOf(i) } : {}), text: s.text,
      });
    }
  }
  opts.onRedoDone?.(); // lets a benchmark time REDO alone, as PostgreSQL's "redo done ... elapsed" does
  if (report.replayed) log.push(`LOG:  redo done at ${formatLsn(w.startOf(w.count - 1))} system usage: <usage>`);
  else log.push('LOG:  redo is not required');
  // transactions with no outcome in the log: they were running when the power failed
  const next = Math.max(c.nextXid, seen.maxXid + 1);
  eng.xacts.nextXid = next;
  eng.xacts.latestCompletedXid = next - 1;
  for (let x = FRESH_CLUSTER_NEXT_XID; x < next; x++) {
    if (eng.xacts.clog.get(x) === XidStatus.InProgress) { eng.xacts.clog.set(x, XidStatus.Aborted); report.abortedNoOutcome.push(x); }
  }
  if (report.abortedNoOutcome.length && eng.tracer.wants('redo')) {
    const one = report.abortedNoOutcome.length === 1;
    eng.tracer.emit({ kind: 'redo', session: '',
      text: `end of REDO: transaction${one ? '' : 's'} ${report.abortedNoOutcome.join(', ')} ha${one ? 's' : 've'} no COMMIT or ABORT in `
        + 'the log — aborted. Nothing is undone: their tuples stay on the pages, invisible, until vacuum' });
  }
  for (const t of eng.catalog.tables.values()) for (const p of t.heap.pages) if (p.torn) report.corruptPages.push(`${t.name} block ${p.blkno}`);
  // a block REDO changed after its Heap2/VISIBLE lost PD_ALL_VISIBLE: its map bit goes too (visibilitymap_clear)
  for (const t of eng.catalog.tables.values()) for (const b of [...t.heap.vm.keys()])
    if (!(t.heap.pages[b] && t.heap.pages[b]!.flags & PD_ALL_VISIBLE)) t.heap.vm.delete(b);
  if (report.corruptPages.length && eng.tracer.wants('redo')) {
    eng.tracer.emit({ kind: 'redo', session: '',
      text: `${report.corruptPages.join(', ')}: torn by the crash and no full-page image in the WAL since the checkpoint to repair it `
        + '(full_page_writes = off) — the page stays corrupt' });
  }
  log.push('LOG:  checkpoint starting: end-of-recovery immediate wait');
  createCheckpoint(eng, 'end-of-recovery');
  log.push('LOG:  database system is ready to accept connections');
  return report;
}

const at = (ms: number) => `t=${ms} ms (virtual clock)`;
