/**
 * MVCC snapshots: which transactions' effects a statement may see.
 *
 * A snapshot is printed as xmin:xmax:xip (pg_current_snapshot()):
 *   xmax — latestCompletedXid + 1: every xid >= xmax is treated as still running (invisible), even if it has
 *          committed since the snapshot was taken. It is NOT "the next xid to be assigned".
 *   xip  — the xids below xmax that were running when the snapshot was taken (never the taker's own xid)
 *   xmin — the oldest xid still running then (the taker's own xid included); every xid < xmin has finished.
 *   subxip — the running *subtransaction* xids of other transactions (a savepoint that wrote got its own xid);
 *          pg_current_snapshot() does not print them, but XidInMVCCSnapshot treats them like xip.
 * READ COMMITTED takes a fresh snapshot for each statement; REPEATABLE READ and SERIALIZABLE take one at the
 * transaction's first statement (not at BEGIN) and keep it.
 *
 * Worked example (engine, fresh cluster: CREATE TABLE t (id int PRIMARY KEY) is xid 724):
 *
 *     a:      BEGIN; INSERT INTO t VALUES (1);      -- xid 725, stays open
 *             SAVEPOINT sp; INSERT INTO t VALUES (2);  -- subtransaction xid 726, open
 *     c:      INSERT INTO t VALUES (3);             -- xid 727, commits: latestCompletedXid = 727
 *     reader: BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT pg_current_snapshot();   → 725:728:725
 *
 *       xid:   724        725        726        727   | 728 ...
 *              done       running    running    done  | xmax: all of these count as running
 *              (< xmin)   xip        subxip     visible
 *
 * The snapshot is { xmin 725, xmax 728, xip [725], subxip [726] }: SELECT * FROM t returns only 3. Asked inside
 * session a, pg_current_snapshot() says 725:725: — the taker's own xid (and its subtransactions) are never in
 * xip, and xmax was 725 then (724 was the latest completed).
 *
 * Mirrors: GetSnapshotData() in src/backend/storage/ipc/procarray.c and XidInMVCCSnapshot() in
 * src/backend/utils/time/snapmgr.c. Simplifications: subxip never overflows (PostgreSQL keeps 64 subxids per
 * backend and then marks the snapshot suboverflowed, asking pg_subtrans instead), no snapshot export.
 */
export interface Snapshot {
  xmin: number;
  xmax: number;
  /** running xids at snapshot time, sorted ascending */
  xip: number[];
  /** running subtransaction xids of other transactions (subxip); not printed by pg_current_snapshot() */
  subxip?: number[];
  /** the virtual-clock time when it was taken, for the timeline */
  takenAt: number;
}

/** Is xid "still running" as far as this snapshot is concerned? */
export function xidInSnapshot(xid: number, s: Snapshot): boolean {
  if (xid < s.xmin) return false;
  if (xid >= s.xmax) return true;
  const xip = s.xip;
  for (let i = 0; i < xip.length; i++) if (xip[i] === xid) return true;
  const sub = s.subxip;
  if (sub) for (let i = 0; i < sub.length; i++) if (sub[i] === xid) return true;
  return false;
}

export function formatSnapshot(s: Snapshot): string {
  return `${s.xmin}:${s.xmax}:${s.xip.join(',')}`;
}
