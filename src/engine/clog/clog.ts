/**
 * The commit log (CLOG, pg_xact): two bits of state per transaction id.
 *
 * A transaction's fate is recorded here, and only here: COMMIT flips its xid to "committed", ROLLBACK (or a
 * crash) to "aborted". Tuples are never touched at commit — readers later consult the CLOG and cache the answer
 * in the tuple's hint bits (HEAP_XMIN_COMMITTED, ...). pg_xact_status() reads this log.
 *
 * Mirrors: src/backend/access/transam/clog.c (TransactionIdSetTreeStatus / TransactionIdGetStatus),
 * transam.c (TransactionIdDidCommit / DidAbort). Simplifications: no SLRU buffers (one dense array for the first
 * 4 million xids, 32,768-xid pages above, as pg_xact's pages are made only for the xids used); a released
 * savepoint's xid stays "in progress" (instead of SUB_COMMITTED) until its parent commits or aborts.
 */
export const enum XidStatus { InProgress = 0, Committed = 1, Aborted = 2 }
export const XID_STATUS_NAMES = ['in progress', 'committed', 'aborted'] as const;

/** xids below this live in one dense array (the common case: a cluster's first few million xids) */
const DENSE_LIMIT = 1 << 22;
/** CLOG_XACTS_PER_PAGE: above the dense part, 32,768 xids per page, a page made at its first xid */
const PAGE_XIDS = 32768;

export class Clog {
  private states = new Uint8Array(4096);
  /** xids from DENSE_LIMIT up, by page (after Heapscope's xid shortcut jumps towards wraparound: pages, not gigabytes) */
  private pages = new Map<number, Uint8Array>();
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
    if (xid < this.states.length) return this.states[xid] as XidStatus;
    if (xid < DENSE_LIMIT) return XidStatus.InProgress;
    const page = this.pages.get(Math.floor(xid / PAGE_XIDS));
    return page ? (page[xid % PAGE_XIDS] as XidStatus) : XidStatus.InProgress;
  }
  set(xid: number, s: XidStatus): void {
    if (xid >= DENSE_LIMIT) {
      const no = Math.floor(xid / PAGE_XIDS);
      let page = this.pages.get(no);
      if (!page) { page = new Uint8Array(PAGE_XIDS); this.pages.set(no, page); }
      page[xid % PAGE_XIDS] = s;
      return;
    }
    if (xid >= this.states.length) {
      let n = this.states.length;
      while (n <= xid) n *= 2;
      const grown = new Uint8Array(n);
      grown.set(this.states);
      this.states = grown;
    }
    this.states[xid] = s;
  }
  clone(): Clog {
    const c = new Clog();
    c.states = this.states.slice();
    for (const [k, v] of this.pages) c.pages.set(k, v.slice());
    c.asyncLsn = new Map(this.asyncLsn);
    return c;
  }
  didCommit(xid: number): boolean { return this.get(xid) === XidStatus.Committed; }
  /** Entries for xids in [from, to), for inspection. */
  range(from: number, to: number): { xid: number; status: (typeof XID_STATUS_NAMES)[number] }[] {
    const out = [];
    for (let x = from; x < to; x++) out.push({ xid: x, status: XID_STATUS_NAMES[this.get(x)] });
    return out;
  }
}
