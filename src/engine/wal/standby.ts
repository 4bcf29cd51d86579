/**
 * What the primary tells a hot standby about its transactions and AccessExclusiveLocks: the Standby resource
 * manager's two records, which PostgreSQL writes whenever wal_level is replica (the default) — standby or not.
 *
 * - A standby snapshot (LogStandbySnapshot), written by every online checkpoint just after it fixed its redo pointer
 *   (so the redo pointer is the snapshot's first record): a Standby LOCK record listing each AccessExclusiveLock held
 *   by a running transaction, if there are any, then Standby RUNNING_XACTS — the next xid, the latest completed xid,
 *   the oldest running xid, the running top-level xids and, unless a transaction has more than 64 subtransactions
 *   (PGPROC_MAX_CACHED_SUBXIDS: "subxid ovf"), their subtransaction xids. A shutdown or end-of-recovery checkpoint
 *   writes none.
 * - A Standby LOCK record each time a transaction takes an AccessExclusiveLock on a relation it did not hold in that
 *   mode yet (LockAcquireExtended → LogAccessExclusiveLock): the standby must take the same lock before replaying
 *   what follows. Taking it first gives the transaction an xid (LogAccessExclusiveLockPrepare), so LOCK TABLE …
 *   IN ACCESS EXCLUSIVE MODE alone makes a transaction write a COMMIT record.
 *
 *     Standby  RUNNING_XACTS  50  nextXid 726 latestCompletedXid 725 oldestRunningXid 726
 *     XLOG     CHECKPOINT_ONLINE 114  redo (the RUNNING_XACTS above); …
 *     Standby  LOCK           42  xid 728 db 5 rel 16385          (LOCK TABLE b IN ACCESS EXCLUSIVE MODE)
 *     Standby  RUNNING_XACTS  66  nextXid 730 latestCompletedXid 725 oldestRunningXid 726; 3 xacts: 729 728 726
 *
 * (tests/scenarios/walinspect/standby.out.) Lengths: the record header (24), the main data's header (2, or 5 past
 * 255 bytes), xl_running_xacts (24) plus 4 bytes per xid; xl_standby_locks (4) plus 12 per lock.
 *
 * Mirrors: src/backend/storage/ipc/standby.c (LogStandbySnapshot, LogCurrentRunningXacts, LogAccessExclusiveLock),
 * procarray.c (GetRunningTransactionData), lock.c (GetRunningTransactionLocks), rmgrdesc/standbydesc.c.
 * Simplifications: the xids are listed in the order of the backends' PGPROC slots as a fresh server hands them out —
 * the later a session connected, the earlier its xid (the free list is a stack) — without the slot reuse of
 * sessions that disconnected; several locks in one checkpoint's LOCK record are listed by session, then in the
 * order they were taken (PostgreSQL walks its lock hash table); "subxid ovf" counts the subtransactions alive now,
 * not the most ever cached at once. The background writer's snapshot (every 15 s of wall-clock time while WAL is
 * written, LOG_SNAPSHOT_INTERVAL_MS) is not modelled: PostgreSQL times it on the real clock, so where it falls in a
 * recording is not deterministic — scenarios that compare positions keep their runs well under 15 s.
 */
import type { Engine } from '../engine.js';
import type { Session } from '../session/session.js';
import { WalKind } from './wal.js';
import { LockMode } from '../lock/lock.js';

/** PGPROC_MAX_CACHED_SUBXIDS: a backend remembers this many subtransaction xids, then marks its cache overflowed */
const MAX_CACHED_SUBXIDS = 64;
const DB = 5; // the postgres database

/** a Standby LOCK record's payload: xl_standby_lock entries */
export interface StandbyLockPayload { locks: readonly { xid: number; rel: number }[] }
/** a Standby RUNNING_XACTS record's payload (xl_running_xacts) */
export interface RunningXactsPayload {
  nextXid: number; latestCompletedXid: number; oldestRunningXid: number; xids: readonly number[]; subxids: readonly number[]; overflow: boolean;
}

/** XLogRecord + main data header + main data */
export function recordLength(mainData: number): number { return 24 + (mainData > 255 ? 5 : 2) + mainData; }

/** the sessions with an xid, in PGPROC slot order (the latest connection first) */
function runningSessions(eng: Engine): Session[] {
  return eng.sessions.filter((s) => s.tx?.xid).sort((a, b) => b.id - a.id);
}

/** LogStandbySnapshot (the checkpoint's part): LOCK with the running transactions' AccessExclusiveLocks, then RUNNING_XACTS. */
export function logStandbySnapshot(eng: Engine): void {
  const sessions = runningSessions(eng);
  const locks: { xid: number; rel: number }[] = [];
  for (const s of sessions) {
    for (const h of eng.locks.heldBy(s.id)) {
      if (h.tag.type === 'relation' && h.modes.includes(LockMode.AccessExclusive)) locks.push({ xid: s.tx!.xid, rel: h.tag.rel });
    }
  }
  if (locks.length) eng.wal.insert(WalKind.StandbyLock, 0, recordLength(4 + 12 * locks.length), 0, -1, 0, 0, { locks } satisfies StandbyLockPayload);
  const xids = sessions.map((s) => s.tx!.xid);
  const perSession = sessions.map((s) => {
    const live = new Set(s.tx!.liveSubXids());
    return s.tx!.assignedXids.filter((x) => live.has(x));
  });
  const overflow = perSession.some((l) => l.length > MAX_CACHED_SUBXIDS);
  const subxids = overflow ? [] : perSession.flat();
  let oldest = eng.xacts.nextXid;
  for (const x of xids) if (x < oldest) oldest = x;
  const p: RunningXactsPayload = {
    nextXid: eng.xacts.nextXid, latestCompletedXid: eng.xacts.latestCompletedXid, oldestRunningXid: oldest, xids, subxids, overflow,
  };
  eng.wal.insert(WalKind.StandbyRunningXacts, 0, recordLength(24 + 4 * (xids.length + subxids.length)), 0, -1, 0, 0, p);
}

/** LogAccessExclusiveLock: the lock just taken on `rel`, under the current (sub)transaction's xid. */
export function logAccessExclusiveLock(eng: Engine, s: Session, rel: number): void {
  const xid = eng.ensureXid(s);
  eng.wal.insert(WalKind.StandbyLock, xid, recordLength(16), 0, -1, 0, 0, { locks: [{ xid, rel }] } satisfies StandbyLockPayload);
  eng.wal.noteBackendInsert(s.name);
  s.tx!.acquiredAccessExclusive = true;
}

/** standby_desc */
export function standbyDesc(kind: WalKind, p: unknown): string | undefined {
  if (kind === WalKind.StandbyLock) {
    const l = p as StandbyLockPayload | undefined;
    return l?.locks.map((x) => `xid ${x.xid} db ${DB} rel ${x.rel} `).join('');
  }
  const r = p as RunningXactsPayload | undefined;
  if (!r) return undefined;
  return `nextXid ${r.nextXid} latestCompletedXid ${r.latestCompletedXid} oldestRunningXid ${r.oldestRunningXid}`
    + (r.xids.length ? `; ${r.xids.length} xacts: ${r.xids.join(' ')}` : '') + (r.overflow ? '; subxid ovf' : '');
}
