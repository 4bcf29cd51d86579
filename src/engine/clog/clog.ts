/**
 * The commit log (CLOG, pg_xact): two bits of state per transaction id.
 *
 * A transaction's fate is recorded here, and only here: COMMIT flips its xid to "committed", ROLLBACK (or a
 * crash) to "aborted". Tuples are never touched at commit — readers later consult the CLOG and cache the answer
 * in the tuple's hint bits (HEAP_XMIN_COMMITTED, ...). pg_xact_status() reads this log.
 *
 * Mirrors: src/backend/access/transam/clog.c (TransactionIdSetTreeStatus / TransactionIdGetStatus),
 * transam.c (TransactionIdDidCommit / DidAbort). Simplifications: no SLRU pages or buffers; a released
 * savepoint's xid stays "in progress" (instead of SUB_COMMITTED) until its parent commits or aborts.
 */
export const enum XidStatus { InProgress = 0, Committed = 1, Aborted = 2 }
export const XID_STATUS_NAMES = ['in progress', 'committed', 'aborted'] as const;

export class Clog {
  private states = new Uint8Array(4096);
  /** commit LSNs of asynchronous commits (the clog's group LSNs in PostgreSQL): hint bits wait for their flush */
  private asyncLsn = new Map<number, number>();

  /** TransactionIdAsyncCommitTree: remember where an asynchronous COMMIT record ends. */
  setAsyncCommitLsn(xid: number, lsn: number): void { this.asyncLsn.set(xid, lsn); }
  /**
   * SetHintBits' rule: a "committed" hint bit may not be set while the transaction's COMMIT record is not yet
   * flushed — otherwise the page could reach the disk claiming a commit the log lost in a crash.
   */
  commitHintAllowed(xid: number, flushedLsn: number): boolean {
    const lsn = this.asyncLsn.get(xid);
    if (lsn === undefined) return true;
    if (lsn <= flushedLsn) { this.asyncLsn.delete(xid); return true; }
    return false;
  }

  get(xid: number): XidStatus {
    return xid < this.states.length ? (this.states[xid] as XidStatus) : XidStatus.InProgress;
  }
  set(xid: number, s: XidStatus): void {
    if (xid >= this.states.length) {
      let n = this.states.length;
      while (n <= xid) n *= 2;
      const grown = new Uint8Array(n);
      grown.set(this.states);
      this.states = grown;
    }
    this.states[xid] = s;
  }
  clone(): Clog { const c = new Clog(); c.states = this.states.slice(); c.asyncLsn = new Map(this.asyncLsn); return c; }
  didCommit(xid: number): boolean { return this.get(xid) === XidStatus.Committed; }
  /** Entries for xids in [from, to), for inspection. */
  range(from: number, to: number): { xid: number; status: (typeof XID_STATUS_NAMES)[number] }[] {
    const out = [];
    for (let x = from; x < to; x++) out.push({ xid: x, status: XID_STATUS_NAMES[this.get(x)] });
    return out;
  }
}
