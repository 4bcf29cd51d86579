/**
 * Transactions: ids, the running set (procarray) and the snapshot computation.
 *
 * - A transaction gets a real transaction id (xid) lazily, at its first write (heap insert/update/delete/lock,
 *   DDL, txid_current()). Read-only transactions never get one; every transaction has a virtual xid
 *   (backendId/localXid) from its start.
 * - latestCompletedXid advances when a transaction with an xid commits or aborts; snapshots use it + 1 as xmax.
 * - Command ids: each command that changed something consumes one (CommandCounterIncrement only advances when
 *   the command id was used), so cmin/cmax count the *writing* commands of a transaction.
 *
 * Mirrors: src/backend/access/transam/varsup.c (GetNewTransactionId), xact.c (GetCurrentTransactionId,
 * CommandCounterIncrement), procarray.c (GetSnapshotData, TransactionIdIsInProgress), combocid.c.
 * Savepoints are subtransactions with their own xids (assigned after the parent's), listed in snapshots' subxip.
 * Simplifications: no subxid overflow, no xid wraparound (xids are plain numbers), no 2PC.
 */
import { Clog, XidStatus } from '../clog/clog.js';
import type { Snapshot } from '../snapshot/snapshot.js';

export type IsolationLevel = 'read uncommitted' | 'read committed' | 'repeatable read' | 'serializable';
export const usesXactSnapshot = (l: IsolationLevel) => l === 'repeatable read' || l === 'serializable';

/** FirstNormalTransactionId after initdb of a PostgreSQL 15 cluster: the first xid a fresh cluster hands out. */
export const FRESH_CLUSTER_NEXT_XID = 724;

/** A savepoint's subtransaction: its own xid (assigned at its first write) and the locks it took. */
export interface SubXact {
  name: string; xid: number; aborted: boolean; locks: { tag: import('../lock/lock.js').LockTag; mode: number }[];
  /** how many SET changes the transaction had made when the savepoint was taken (rolling back undoes the later ones) */
  gucLevel: number;
  /** how many catalog undo actions the transaction had when the savepoint was taken (ROLLBACK TO runs the later ones) */
  undoLevel?: number;
  /** xids of the subtransactions released into this one (RELEASE SAVEPOINT): they commit or abort with it */
  children: number[];
}

export class Transaction {
  xid = 0;
  /** open savepoints, outermost first (the innermost is the current subtransaction) */
  subs: SubXact[] = [];
  /** xids of subtransactions that committed into this one (RELEASE) and stay current until it ends */
  releasedSubXids: number[] = [];
  /** the xid new tuple versions are stamped with: the innermost subtransaction's, else the top-level one */
  writeXid = 0;
  /** every xid the transaction was assigned (top and subtransactions, aborted ones too) and the WAL record count
   *  when the first was: RecordTransactionCommit asks whether the transaction wrote WAL (XactLastRecEnd) */
  assignedXids: number[] = [];
  walFrom = 0;
  /** XACT_FLAGS_ACQUIREDACCESSEXCLUSIVELOCK: an AccessExclusiveLock was WAL-logged (its COMMIT / ABORT records say so) */
  acquiredAccessExclusive = false;
  /** every xid that is "ours" besides the top one (for TransactionIdIsCurrentTransactionId) */
  get subXidSet(): Set<number> | null {
    if (!this.releasedSubXids.length && !this.subs.length) return null;
    const ids = this.liveSubXids();
    return ids.length ? new Set(ids) : null;
  }
  /** the subtransaction xids that commit with this transaction (released ones and those of open savepoints) */
  liveSubXids(): number[] {
    const ids = [...this.releasedSubXids];
    for (const s of this.subs) if (!s.aborted) { if (s.xid) ids.push(s.xid); ids.push(...s.children); }
    return ids;
  }
  curcid = 0;
  cidUsed = false;
  /** OldestMemberMXactId: the next MultiXact id when this transaction first locked, deleted or (no-key) updated a
   *  row — it can be a member of no older MultiXact; 0 = not yet (MultiXactIdSetOldestMember) */
  oldestMemberMxact = 0;
  /** the transaction snapshot (REPEATABLE READ / SERIALIZABLE), taken by the first statement */
  xactSnapshot: Snapshot | null = null;
  /** READ COMMITTED: the running statement's snapshot (its xmin holds the vacuum horizon back while the statement runs) */
  stmtSnapshot: Snapshot | null = null;
  /** the snapshots pg_export_snapshot() named in this transaction (snapshot/snapmgr.ts); replaced, never mutated */
  exports: import('../snapshot/snapmgr.js').ExportedSnapshot[] = [];
  /** has any statement run yet (SET TRANSACTION ISOLATION LEVEL must come before) */
  queryRun = false;
  combos: [number, number][] = [];
  /** the SSI state of a SERIALIZABLE transaction (null otherwise, or for a safe read-only one) */
  sxact: import('../predicate/predicate.js').SerializableXact | null = null;
  /** row changes per table counted at each (sub)transaction level, 0 = top (pgstat/pgstat_relation.ts) */
  pgstat: Map<number, import('../pgstat/pgstat_relation.js').XactCounts>[] = [];
  /** HOT updates per table (counted whatever the transaction's outcome) */
  pgstatHot = new Map<number, number>();
  /** stats_fetch_consistency = cache: the statistics entries and the backend list as first read in this transaction */
  pgstatCache = new Map<number, import('../pgstat/pgstat_relation.js').TableStats>();
  /** the same for the indexes' entries (pg_stat_user_indexes) */
  pgstatIndexCache = new Map<number, import('../pgstat/pgstat_relation.js').IndexCounts>();
  /** the same for the functions' entries; null: there was none (a negative lookup is cached too) */
  pgstatFuncCache = new Map<number, import('../pgstat/pgstat_function.js').FunctionCounts | null>();
  /** pg_stat_slru's counts as first read in this transaction (fixed-amount statistics: 'cache' and 'snapshot') */
  pgstatSlruCache: number[] | null = null;
  /** stats_fetch_consistency = snapshot: every entry was copied into the caches at the first access */
  pgstatSnapshot = false;
  /** track_counts was off when the running statement began: its row changes are counted nowhere */
  pgstatOff = false;
  /** statistics entries to drop when the transaction (or a subtransaction) ends (pgstat/pgstat_function.ts) */
  pgstatDrops: import('../pgstat/pgstat_function.js').PendingDrop[] = [];
  activityCache: unknown = null;
  /** catalog changes to undo if the transaction aborts (the catalog is not MVCC-versioned here) */
  undo: (() => void)[] = [];
  /** the AFTER trigger queue of RI events (ri/aftertriggers.ts), created by the first one */
  afterTriggers: import('../ri/aftertriggers.js').AfterTriggerState | null = null;
  /** LISTEN / UNLISTEN / NOTIFY made in this transaction, applied at commit (commands/async.ts) */
  asyncPending: import('../commands/async.js').PendingAsync | undefined = undefined;
  private comboMap = new Map<number, number>();
  constructor(
    readonly vxid: string,
    public isolation: IsolationLevel,
    public readOnly: boolean,
  ) {}
  /** DEFERRABLE (with SERIALIZABLE READ ONLY: the first snapshot waits until it is safe) */
  deferrable = false;

  /** GetComboCommandId: the combo id for a (cmin, cmax) pair, created on first use. */
  comboFor(cmin: number, cmax: number): number {
    const k = cmin * 1e6 + cmax;
    let id = this.comboMap.get(k);
    if (id === undefined) {
      id = this.combos.length;
      this.combos.push([cmin, cmax]);
      this.comboMap.set(k, id);
    }
    return id;
  }
  /** CommandCounterIncrement */
  commandCounterIncrement(): void {
    if (this.cidUsed) { this.curcid++; this.cidUsed = false; }
  }
}

export class Transactions {
  clog = new Clog();
  nextXid = FRESH_CLUSTER_NEXT_XID;
  latestCompletedXid = FRESH_CLUSTER_NEXT_XID - 1;
  /** running xids → owning backend id */
  readonly running = new Map<number, number>();
  /** running subtransaction xids (they go to snapshots' subxip, not xip) */
  readonly subRunning = new Set<number>();

  assign(backend: number, sub = false): number {
    const xid = this.nextXid++;
    this.running.set(xid, backend);
    if (sub) this.subRunning.add(xid);
    this.clog.set(xid, XidStatus.InProgress);
    return xid;
  }
  clone(): Transactions {
    const t = new Transactions();
    t.clog = this.clog.clone();
    t.nextXid = this.nextXid;
    t.latestCompletedXid = this.latestCompletedXid;
    for (const [k, v] of this.running) t.running.set(k, v);
    for (const x of this.subRunning) t.subRunning.add(x);
    return t;
  }
  isInProgress(xid: number): boolean { return this.running.has(xid); }
  complete(xid: number, committed: boolean): void {
    this.clog.set(xid, committed ? XidStatus.Committed : XidStatus.Aborted);
    this.running.delete(xid);
    this.subRunning.delete(xid);
    if (xid > this.latestCompletedXid) this.latestCompletedXid = xid;
  }
  /** GetSnapshotData */
  snapshot(myXid: number, now: number): Snapshot {
    const xmax = this.latestCompletedXid + 1;
    let xmin = xmax;
    if (myXid && myXid < xmin) xmin = myXid;
    const xip: number[] = [];
    const subxip: number[] = [];
    const me = myXid ? this.running.get(myXid) : undefined;
    for (const [xid, owner] of this.running) {
      if (xid === myXid || xid >= xmax || (me !== undefined && owner === me)) continue;
      if (this.subRunning.has(xid)) { subxip.push(xid); continue; }
      if (xid < xmin) xmin = xid;
      xip.push(xid);
    }
    xip.sort((a, b) => a - b);
    const snap: Snapshot = { xmin, xmax, xip, takenAt: now };
    if (subxip.length) snap.subxip = subxip.sort((a, b) => a - b);
    return snap;
  }
}
