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
 * Simplifications: no subtransactions, no xid wraparound (xids are plain numbers), no 2PC.
 */
import { Clog, XidStatus } from '../clog/clog.js';
import type { Snapshot } from '../snapshot/snapshot.js';

export type IsolationLevel = 'read uncommitted' | 'read committed' | 'repeatable read' | 'serializable';
export const usesXactSnapshot = (l: IsolationLevel) => l === 'repeatable read' || l === 'serializable';

/** FirstNormalTransactionId after initdb of a PostgreSQL 15 cluster: the first xid a fresh cluster hands out. */
export const FRESH_CLUSTER_NEXT_XID = 724;

export class Transaction {
  xid = 0;
  curcid = 0;
  cidUsed = false;
  /** the transaction snapshot (REPEATABLE READ / SERIALIZABLE), taken by the first statement */
  xactSnapshot: Snapshot | null = null;
  /** has any statement run yet (SET TRANSACTION ISOLATION LEVEL must come before) */
  queryRun = false;
  combos: [number, number][] = [];
  /** the SSI state of a SERIALIZABLE transaction (null otherwise, or for a safe read-only one) */
  sxact: import('../predicate/predicate.js').SerializableXact | null = null;
  /** catalog changes to undo if the transaction aborts (the catalog is not MVCC-versioned here) */
  undo: (() => void)[] = [];
  private comboMap = new Map<number, number>();
  constructor(
    readonly vxid: string,
    public isolation: IsolationLevel,
    public readOnly: boolean,
  ) {}

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

  assign(backend: number): number {
    const xid = this.nextXid++;
    this.running.set(xid, backend);
    this.clog.set(xid, XidStatus.InProgress);
    return xid;
  }
  clone(): Transactions {
    const t = new Transactions();
    t.clog = this.clog.clone();
    t.nextXid = this.nextXid;
    t.latestCompletedXid = this.latestCompletedXid;
    for (const [k, v] of this.running) t.running.set(k, v);
    return t;
  }
  isInProgress(xid: number): boolean { return this.running.has(xid); }
  complete(xid: number, committed: boolean): void {
    this.clog.set(xid, committed ? XidStatus.Committed : XidStatus.Aborted);
    this.running.delete(xid);
    if (xid > this.latestCompletedXid) this.latestCompletedXid = xid;
  }
  /** GetSnapshotData */
  snapshot(myXid: number, now: number): Snapshot {
    const xmax = this.latestCompletedXid + 1;
    let xmin = xmax;
    if (myXid && myXid < xmin) xmin = myXid;
    const xip: number[] = [];
    for (const xid of this.running.keys()) {
      if (xid === myXid || xid >= xmax) continue;
      if (xid < xmin) xmin = xid;
      xip.push(xid);
    }
    xip.sort((a, b) => a - b);
    return { xmin, xmax, xip, takenAt: now };
  }
}
