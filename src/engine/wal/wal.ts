/**
 * The write-ahead log: every change to a page is first described by a WAL record with a position (LSN).
 *
 * An LSN is a byte position in the log, printed as two hex halves X/XXXXXXXX. Records are MAXALIGNed (8 bytes)
 * and the log is cut into 8 kB pages, each starting with a page header (24 bytes; 40 at the start of a 16 MB
 * segment), so LSNs advance exactly as they do in PostgreSQL for records of the same length. After a change,
 * the page's pd_lsn is set to the *end* of its record — the position the log must be flushed to before the page
 * may be written (the WAL rule). The first change of a page after a checkpoint carries a full-page image.
 *
 * Worked example (engine; tests/truth/seed.steps.json records the same shape — a CHECKPOINT, then the first change
 * with a full-page image — from PostgreSQL 15). After CREATE TABLE accounts (id int PRIMARY KEY, balance int) and
 * INSERT (1, 100), (2, 200) (xid 724) and a CHECKPOINT (the Standby snapshot first, see wal/standby.ts; the redo
 * pointer is its position), the log ends at 0/015003C0, flushed:
 *
 *     lsn          record                         len (rec/tot)  xid
 *     0/01500310   Standby RUNNING_XACTS            50/50          0
 *     0/01500348   XLOG CHECKPOINT_ONLINE          114/114        0
 *     0/015003C0   Heap INSERT off 3, blk 0 FPW     54/186        725   ← BEGIN; INSERT INTO accounts VALUES (3, 300)
 *     0/01500480   Btree INSERT_LEAF, blk 1 FPW     53/153        725      (first change of each page since the
 *     0/01500520   Transaction COMMIT               34/34         725       checkpoint: a full-page image)
 *     0/01500548   (end of log)
 *
 * 0/015003C0 + 186 = 0/0150047A, MAXALIGNed to 0/01500480: that is where the next record starts and what the heap
 * page's pd_lsn becomes. With the image, the record is its headers (51 bytes), the main data (xl_heap_insert, 3)
 * and the image (132: the page without its hole); the new tuple's own bytes are left out, the image has them
 * (lengths measured with pg_walinspect: tests/scenarios/walinspect/fpi.out, btree-fpi-leaf.out). After the INSERT the flush pointer is
 * still 0/015003C0 — the records sit in WAL buffers and the heap page may not be written before they are flushed.
 * COMMIT inserts its record and flushes up to its end, 0/01500548, before the client hears COMMIT.
 *
 * Records are stored column-wise (typed arrays) so a 400,000-row UPDATE's two million records stay small.
 *
 * Mirrors: src/backend/access/transam/xlog.c, xloginsert.c (XLogInsert, XLogRecordAssemble), the record kinds
 * of heapam_xlog.h / nbtxlog.h / xact.h, and pg_waldump's output.
 *
 * The flush pointer (XLogFlush): records are inserted into WAL buffers and reach "disk" only when flushed. A COMMIT
 * flushes the log up to the end of its record before the client hears COMMIT (synchronous_commit = on) — that is
 * why a committed transaction survives a crash. An ABORT record is not flushed (nothing is lost if it vanishes: a
 * transaction with no outcome in the log is treated as aborted). CHECKPOINT flushes everything.
 *
 * synchronous_commit = off: COMMIT only notes its LSN (XLogSetAsyncXactLSN) and returns; the wal writer flushes it on
 * the virtual clock, one wal_writer_delay (200 ms) after the commit — a crash in between loses that commit although
 * the client was told COMMIT. (PostgreSQL guarantees at most three times wal_writer_delay; the simulator uses one.)
 *
 * Every record also carries what REDO needs (its payload, see recovery/redo.ts): the after-image of the line
 * pointers it changed and the page header fields, the full-page image when it has one, the key and TID of an
 * index entry, the subtransactions of a COMMIT. They are kept as object references next to the columns, not as
 * bytes.
 *
 * Simplifications: record lengths follow PostgreSQL's for the common record shapes rather than being serialised
 * bytes (heap_update's prefix/suffix compression is computed: heap/heapam.ts updateRecordLength); payloads are
 * engine objects, not PostgreSQL's byte layout; the wal writer only flushes asynchronous commits
 * (PostgreSQL's also writes out full WAL pages on its own every wal_writer_delay); the Standby records of checkpoints
 * and AccessExclusiveLocks are wal/standby.ts's (the background writer's RUNNING_XACTS is not modelled), a B-tree
 * build's pages wal/nbtsort_xlog.ts's. Not logged: the catalog rows DDL writes (pg_class, pg_attribute, … Heap and
 * Heap2 MULTI_INSERT / INPLACE records) and the invalidation messages of its COMMIT (xact/xactblock.ts), so
 * positions after DDL differ. A B-tree insertion's records (INSERT_LEAF, SPLIT_L / SPLIT_R, INSERT_UPPER, NEWROOT,
 * DEDUP, INSERT_POST) are wal/nbtxlog.ts's, from the pages index/nbtlayout.ts lays out; for an index whose pages are
 * not modelled, one INSERT_LEAF whose length follows its key (executor/indexinsert.ts insertLeafLength).
 */
import { HeapRedoColumns, RF_INIT_NEW_PAGE } from './records.js';

export const enum WalKind {
  HeapInsert, HeapInsertInit, HeapUpdate, HeapHotUpdate, HeapDelete, HeapLock, BtreeInsertLeaf, BtreeNewroot,
  XactCommit, XactAbort, CheckpointOnline, StorageCreate, HeapInplace, MultiXactZeroOffPage, MultiXactZeroMemPage,
  MultiXactCreateId, SequenceLog, Heap2Prune, Heap2Vacuum, Heap2Visible, Heap2FreezePage, BtreeVacuum,
  CheckpointShutdown, Heap2LockUpdated, StorageTruncate, XlogFpi, StandbyLock, StandbyRunningXacts, XlogNextOid, BtreeDelete,
  BtreeInsertUpper, BtreeSplitL, BtreeSplitR, BtreeInsertPost, BtreeDedup, HashInsert, HashDelete, HashUpdateMetaPage,
}
export const WAL_KIND_INFO: readonly [rmgr: string, type: string][] = [
  ['Heap', 'INSERT'], ['Heap', 'INSERT+INIT'], ['Heap', 'UPDATE'], ['Heap', 'HOT_UPDATE'], ['Heap', 'DELETE'],
  ['Heap', 'LOCK'], ['Btree', 'INSERT_LEAF'], ['Btree', 'NEWROOT'], ['Transaction', 'COMMIT'], ['Transaction', 'ABORT'],
  ['XLOG', 'CHECKPOINT_ONLINE'], ['Storage', 'CREATE'], ['Heap', 'INPLACE'], ['MultiXact', 'ZERO_OFF_PAGE'],
  ['MultiXact', 'ZERO_MEM_PAGE'], ['MultiXact', 'CREATE_ID'], ['Sequence', 'LOG'], ['Heap2', 'PRUNE'],
  ['Heap2', 'VACUUM'], ['Heap2', 'VISIBLE'], ['Heap2', 'FREEZE_PAGE'], ['Btree', 'VACUUM'], ['XLOG', 'CHECKPOINT_SHUTDOWN'],
  ['Heap2', 'LOCK_UPDATED'], ['Storage', 'TRUNCATE'], ['XLOG', 'FPI'], ['Standby', 'LOCK'], ['Standby', 'RUNNING_XACTS'], ['XLOG', 'NEXTOID'], ['Btree', 'DELETE'],
  ['Btree', 'INSERT_UPPER'], ['Btree', 'SPLIT_L'], ['Btree', 'SPLIT_R'], ['Btree', 'INSERT_POST'], ['Btree', 'DEDUP'], ['Hash', 'INSERT'], ['Hash', 'DELETE'], ['Hash', 'UPDATE_META_PAGE'],
];

/**
 * The main data of record kinds with a block reference (the xl_heap_* / xl_btree_* struct's size: SizeOfHeapInsert
 * 3, SizeOfHeapDelete 8, SizeOfHeapUpdate 14, SizeOfHeapLock 8, xl_btree_insert 2), measured with pg_walinspect
 * (tests/scenarios/walinspect/records.out). A record whose only block carries a full-page image is then
 * RECORD_WITH_IMAGE + this long: the block's own data is left out, the image replaces it.
 */
export const MAIN_DATA: Partial<Record<WalKind, number>> = {
  [WalKind.HeapInsert]: 3, [WalKind.HeapInsertInit]: 3, [WalKind.HeapDelete]: 8, [WalKind.HeapUpdate]: 14, [WalKind.HeapHotUpdate]: 14,
  [WalKind.HeapLock]: 8, [WalKind.Heap2LockUpdated]: 8, [WalKind.BtreeInsertLeaf]: 2, [WalKind.XlogFpi]: 0, [WalKind.BtreeDelete]: 8,
  // xl_btree_insert (offnum), xl_btree_split (level, firstrightoff, newitemoff, postingoff), xl_btree_dedup (nintervals),
  // xl_btree_newroot (rootblk, level): tests/scenarios/walinspect/btree-split.out
  [WalKind.BtreeInsertUpper]: 2, [WalKind.BtreeInsertPost]: 2, [WalKind.BtreeSplitL]: 10, [WalKind.BtreeSplitR]: 10, [WalKind.BtreeDedup]: 2,
  [WalKind.BtreeNewroot]: 8,
  // xl_hash_insert (offnum)
  [WalKind.HashInsert]: 2,
  // xl_hash_delete (clear_dead_marking, is_primary_bucket_page), xl_hash_update_meta_page (ntuples): tests/scenarios/hash/wal.out
  [WalKind.HashDelete]: 2, [WalKind.HashUpdateMetaPage]: 8,
  // xl_heap_prune (latestRemovedXid, nredirected, ndead), xl_heap_vacuum (nunused), xl_heap_visible (cutoff_xid, flags):
  // tests/scenarios/walinspect/heap2-lengths.out
  [WalKind.Heap2Prune]: 8, [WalKind.Heap2Vacuum]: 2, [WalKind.Heap2Visible]: 5,
};

/**
 * A Heap2 PRUNE / VACUUM record's length without its image: XLogRecord 24, the block header 4 + RelFileNode 12 +
 * block 4, the main data (header 2 + MAIN_DATA) and the block's data — its offset arrays, 2 bytes an offset
 * (PRUNE: each redirect as a pair, then the dead, then the unused; VACUUM: the unused). With a full-page image the
 * block's data is left out (RECORD_WITH_IMAGE + main data).
 */
export function heap2Length(kind: WalKind.Heap2Prune | WalKind.Heap2Vacuum, offsets: number, fpi: boolean): number {
  const main = MAIN_DATA[kind]!;
  return fpi ? RECORD_WITH_IMAGE + main : 46 + main + 2 * offsets;
}
/** XLogRecord (24), the block header (4) with its image header (5), RelFileNode (12) and block number (4), the main data's header (2) */
export const RECORD_WITH_IMAGE = 51;

export const WAL_PAGE = 8192;
/** wal_writer_delay's default (ms); the wal writer flushes asynchronous commits this long after them */
export const WAL_WRITER_DELAY = 200;
export const WAL_SEGMENT = 16 * 1024 * 1024;
/** Wal.payload's chunks: 2^16 records each */
const PAYLOAD_SHIFT = 16;
const PAYLOAD_MASK = (1 << PAYLOAD_SHIFT) - 1;
const SHORT_PHD = 24;
const LONG_PHD = 40;

export function formatLsn(lsn: number): string {
  const hi = Math.floor(lsn / 0x100000000);
  const lo = lsn % 0x100000000;
  return `${hi.toString(16).toUpperCase()}/${lo.toString(16).toUpperCase().padStart(8, '0')}`;
}

/** Outcome of XLogFlush, named like PostgreSQL's results rather than a boolean. */
export interface WalFlushResult { outcome: 'Flushed' | 'AlreadyFlushed'; from: number; to: number }

export interface WalRecordView {
  lsn: string; endLsn: string; prevLsn: string; xid: number; rmgr: string; type: string;
  len: number; fpiLen: number; rel: number | null; blk: number | null; off: number | null;
  /** on disk (before the flush pointer) or still only in WAL buffers */
  flushed: boolean;
}

export class Wal {
  private n = 0;
  private cap = 1024;
  private start = new Float64Array(this.cap);
  private end = new Float64Array(this.cap);
  private xid = new Uint32Array(this.cap);
  private kind = new Uint8Array(this.cap);
  private len = new Uint32Array(this.cap);
  private fpi = new Uint32Array(this.cap);
  private rel = new Uint32Array(this.cap);
  private blk = new Int32Array(this.cap);
  private off = new Uint16Array(this.cap);
  /** what REDO needs to repeat the change (see recovery/redo.ts); undefined for records REDO has nothing to do for —
   *  in chunks of PAYLOAD_CHUNK records (one array of two million slots grows by copying and strains the collector) */
  private payload: unknown[][] = [];
  /** the chunk insert last wrote into, and its number (no lookup of the chunk per record) */
  private lastChunk: unknown[] | null = null;
  private lastChunkAt = -1;
  /** heap tuple records' REDO fields, column-wise (wal/records.ts) */
  hx = new HeapRedoColumns();
  /** position where the next record will be inserted */
  insertLsn: number;
  /** redo pointer of the last checkpoint: a page whose LSN is <= this needs a full-page image */
  redoLsn: number;
  /** everything before this position is on disk (pg_current_wal_flush_lsn) */
  flushedLsn: number;
  /** the latest asynchronous commit's end LSN and when (virtual ms) it happened: the wal writer's next job */
  asyncXactLsn = 0;
  asyncAt = 0;
  /** full_page_writes: log a full-page image with the first change of a page after a checkpoint */
  fullPageWrites = true;
  /**
   * Each backend's cached RedoRecPtr (by session name): the redo pointer as of its last WAL insert. A CHECKPOINT
   * (run by the checkpointer) does not refresh it; log_heap_update decides its prefix/suffix compression from it.
   * A backend not listed counts as stale (it connected before the checkpoint).
   */
  backendRedo = new Map<string, number>();

  constructor(startLsn = 0x01500000) {
    this.insertLsn = startLsn;
    this.redoLsn = startLsn;
    this.flushedLsn = startLsn;
  }

  /**
   * XLogFlush: make the log durable at least up to `upTo` (never moves backwards). If anything is to be flushed,
   * everything inserted so far goes with it — "try to write/flush later additions to XLOG as well": one fsync
   * then covers the later records too. The wal writer asks for exactly its target (`exact`: XLogBackgroundFlush).
   */
  flush(upTo: number, exact = false): WalFlushResult {
    if (Math.min(upTo, this.insertLsn) <= this.flushedLsn) return { outcome: 'AlreadyFlushed', from: this.flushedLsn, to: this.flushedLsn };
    const target = exact ? Math.min(upTo, this.insertLsn) : this.insertLsn; // nothing beyond what has been inserted can be flushed
    if (target <= this.flushedLsn) return { outcome: 'AlreadyFlushed', from: this.flushedLsn, to: this.flushedLsn };
    const from = this.flushedLsn;
    this.flushedLsn = target;
    return { outcome: 'Flushed', from, to: this.flushedLsn };
  }

  /** XLogSetAsyncXactLSN: an asynchronous COMMIT asks the wal writer to flush up to `lsn`. */
  setAsyncXactLsn(lsn: number, now: number): void {
    if (lsn > this.asyncXactLsn) { this.asyncXactLsn = lsn; this.asyncAt = now; }
  }

  /** The wal writer, run lazily when the virtual clock moves: flushes asynchronous commits that are due. */
  walWriter(now: number): WalFlushResult {
    if (this.asyncXactLsn > this.flushedLsn && now >= this.asyncAt + WAL_WRITER_DELAY) return this.flush(this.asyncXactLsn, true);
    return { outcome: 'AlreadyFlushed', from: this.flushedLsn, to: this.flushedLsn };
  }

  /** Index of the first record not yet on disk (record ends grow with the index, so a binary search finds it). */
  firstUnflushed(): number {
    let lo = 0, hi = this.n;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (this.isFlushed(mid)) lo = mid + 1; else hi = mid; }
    return lo;
  }

  /** COMMIT records beyond the flush pointer: transactions a crash now would lose although they reported COMMIT. */
  unflushedCommits(): number[] {
    const xids: number[] = [];
    for (let i = this.firstUnflushed(); i < this.n; i++) if (this.kind[i] === WalKind.XactCommit) xids.push(this.xid[i]!);
    return xids;
  }

  /** Records whose end lies beyond the flush pointer: lost if the power failed now. */
  unflushedCount(): number { return this.n - this.firstUnflushed(); }

  get count(): number { return this.n; }

  private grow() {
    this.cap *= 2;
    const g = <A extends Float64Array | Uint32Array | Uint8Array | Int32Array | Uint16Array>(a: A): A => {
      const x = new (a.constructor as new (n: number) => A)(this.cap);
      x.set(a);
      return x;
    };
    this.start = g(this.start); this.end = g(this.end); this.xid = g(this.xid); this.kind = g(this.kind);
    this.len = g(this.len); this.fpi = g(this.fpi); this.rel = g(this.rel); this.blk = g(this.blk); this.off = g(this.off);
  }

  /** temporary relations (the catalog's localRels): nothing is logged for them — RelationNeedsWAL is false */
  localRels: ReadonlySet<number> | null = null;
  /** unlogged relations (the catalog's unloggedRels): nothing is logged for them either, except the creation of
   *  their init fork (a record whose payload says `fork: 'init'`) */
  unloggedRels: ReadonlySet<number> | null = null;

  /** Append a record; returns its end LSN (what becomes the page LSN) — 0 for a temporary relation, which is not
   *  WAL-logged (its page LSN stays 0, as PostgreSQL never calls PageSetLSN on a local buffer). */
  insert(kind: WalKind, xid: number, len: number, rel = 0, blk = -1, off = 0, fpiLen = 0, payload?: unknown): number {
    if (rel !== 0 && this.localRels?.has(rel)) return 0;
    if (rel !== 0 && this.unloggedRels?.has(rel) && (payload as { fork?: string } | undefined)?.fork !== 'init') return 0;
    if (this.n === this.cap) this.grow();
    let pos = this.insertLsn;
    if (pos % WAL_PAGE === 0) pos += pos % WAL_SEGMENT === 0 ? LONG_PHD : SHORT_PHD;
    const startPos = pos;
    let remaining = len + fpiLen;
    // the common case first: the record ends on the page it starts on
    if (remaining <= WAL_PAGE - (pos % WAL_PAGE)) { pos += remaining; remaining = 0; }
    while (remaining > 0) {
      const pageEnd = (Math.floor(pos / WAL_PAGE) + 1) * WAL_PAGE;
      const avail = pageEnd - pos;
      if (remaining <= avail) {
        pos += remaining; remaining = 0;
      } else {
        remaining -= avail; pos = pageEnd + (pageEnd % WAL_SEGMENT === 0 ? LONG_PHD : SHORT_PHD);
      }
    }
    const i = this.n++;
    this.start[i] = startPos; this.end[i] = pos; this.xid[i] = xid; this.kind[i] = kind;
    this.len[i] = len + fpiLen; this.fpi[i] = fpiLen; this.rel[i] = rel; this.blk[i] = blk; this.off[i] = off;
    // (records come in order: the chunk stays dense)
    let chunk = this.lastChunk;
    const at = i >>> PAYLOAD_SHIFT;
    if (chunk === null || this.lastChunkAt !== at) { chunk = this.payload[at] ??= []; this.lastChunk = chunk; this.lastChunkAt = at; }
    chunk[i & PAYLOAD_MASK] = payload;
    if (i < this.hx.cap) this.hx.flags[i] = 0; // a slot reused after a crash truncated the log
    this.insertLsn = Math.ceil(pos / 8) * 8;
    return this.insertLsn;
  }

  /** Is any record from index `from` on stamped with one of these xids (did the transaction write WAL)? */
  hasRecordOf(xids: ReadonlySet<number>, from: number): boolean {
    for (let i = from; i < this.n; i++) if (xids.has(this.xid[i]!)) return true;
    return false;
  }

  /** A copy (for checkpoints of the deterministic log; see Engine.clone). */
  clone(): Wal {
    const w = new Wal(this.insertLsn);
    w.n = this.n; w.cap = this.cap; w.redoLsn = this.redoLsn; w.flushedLsn = this.flushedLsn;
    w.asyncXactLsn = this.asyncXactLsn; w.asyncAt = this.asyncAt; w.fullPageWrites = this.fullPageWrites;
    w.start = this.start.slice(); w.end = this.end.slice(); w.xid = this.xid.slice(); w.kind = this.kind.slice();
    w.len = this.len.slice(); w.fpi = this.fpi.slice(); w.rel = this.rel.slice(); w.blk = this.blk.slice(); w.off = this.off.slice();
    w.payload = this.payload.map((c) => c.slice()); // payloads are never changed after insertion: sharing them is safe
    w.hx = this.hx.clone();
    w.backendRedo = new Map(this.backendRedo);
    return w;
  }

  /** XLogInsertRecord refreshes the inserting backend's cached redo pointer. */
  noteBackendInsert(session: string): void { this.backendRedo.set(session, this.redoLsn); }
  /** Does this backend still believe in an older redo pointer (no WAL insert since the last checkpoint)? */
  backendRedoStale(session: string): boolean { return (this.backendRedo.get(session) ?? -1) < this.redoLsn; }

  /** Does a change to a page with this LSN need a full-page image (first change since the checkpoint)? */
  needsFpi(pageLsn: number): boolean { return this.fullPageWrites && pageLsn !== 0 && pageLsn <= this.redoLsn; }

  /**
   * The record type's name: its kind's, except an UPDATE whose new version starts a new page, which PostgreSQL logs
   * with XLOG_HEAP_INIT_PAGE: "UPDATE+INIT" (tests/scenarios/walinspect/describe-flags.out).
   */
  typeOf(i: number): string {
    const k = this.kind[i] as WalKind;
    if (k === WalKind.HeapUpdate && i < this.hx.cap && this.hx.flags[i]! & RF_INIT_NEW_PAGE) return 'UPDATE+INIT';
    return WAL_KIND_INFO[k]![1];
  }

  record(i: number): WalRecordView {
    const rmgr = WAL_KIND_INFO[this.kind[i]!]![0], type = this.typeOf(i);
    return {
      lsn: formatLsn(this.start[i]!), endLsn: formatLsn(Math.ceil(this.end[i]! / 8) * 8),
      prevLsn: i > 0 ? formatLsn(this.start[i - 1]!) : '0/00000000', xid: this.xid[i]!, rmgr, type,
      len: this.len[i]!, fpiLen: this.fpi[i]!, rel: this.rel[i] || null, blk: this.blk[i]! >= 0 ? this.blk[i]! : null,
      off: this.off[i] || null, flushed: this.isFlushed(i),
    };
  }
  /**
   * One line in pg_waldump's layout (rmgr padded to 11, len (rec/tot), tx, lsn, prev, desc, blkref). The rec length
   * excludes the full-page image, as pg_waldump's does. desc is the record type plus the offset where the record
   * names one — PostgreSQL's desc routines print more (flags, xmax, infobits) that the engine does not model.
   */
  dumpLine(i: number, db = 5): string {
    const r = this.record(i);
    const rec = r.len - r.fpiLen;
    const desc = r.type + (r.off ? ` off ${r.off}` : '');
    const blk = r.rel ? `, blkref #0: rel 1663/${db}/${r.rel} blk ${r.blk ?? 0}${r.fpiLen ? ' FPW' : ''}` : '';
    return `rmgr: ${r.rmgr.padEnd(11)} len (rec/tot): ${String(rec).padStart(6)}/${String(r.len).padStart(6)}, ` +
      `tx: ${String(r.xid).padStart(10)}, lsn: ${r.lsn}, prev ${r.prevLsn}, desc: ${desc}${blk}`;
  }
  /** Is record i on disk (its end at or before the flush pointer)? */
  isFlushed(i: number): boolean { return this.end[i]! <= this.flushedLsn; }
  kindOf(i: number): WalKind { return this.kind[i] as WalKind; }
  xidOf(i: number): number { return this.xid[i]!; }
  relOf(i: number): number { return this.rel[i]!; }
  blkOf(i: number): number { return this.blk[i]!; }
  offOf(i: number): number { return this.off[i]!; }
  fpiOf(i: number): number { return this.fpi[i]!; }
  /** the record's total length, its full-page image included (XLogRecord.xl_tot_len) */
  lenOf(i: number): number { return this.len[i]!; }
  payloadOf(i: number): unknown { return this.payload[i >>> PAYLOAD_SHIFT]?.[i & PAYLOAD_MASK]; }
  startOf(i: number): number { return this.start[i]!; }
  /** the record's end, MAXALIGNed: the LSN a page it changed is stamped with */
  endOf(i: number): number { return Math.ceil(this.end[i]! / 8) * 8; }

  /** Index of the first record starting at or after `lsn` (where REDO begins for a redo pointer). */
  firstAtOrAfter(lsn: number): number {
    let lo = 0, hi = this.n;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (this.start[mid]! < lsn) lo = mid + 1; else hi = mid; }
    return lo;
  }

  /**
   * A crash: WAL buffers are gone, only what was flushed is on disk. Records past the flush pointer disappear and
   * the next insert continues where the flushed log ends (PostgreSQL finds that end by reading until the first
   * invalid record). Returns how many records were lost.
   */
  truncateToFlushed(): number {
    const keep = this.firstUnflushed();
    const lost = this.n - keep;
    this.n = keep;
    // the chunks past the kept records go; the last one kept is cut to them
    const chunks = Math.ceil(keep / (PAYLOAD_MASK + 1));
    if (this.payload.length > chunks) this.payload.length = chunks;
    this.lastChunk = null; this.lastChunkAt = -1;
    const last = this.payload[chunks - 1];
    if (last && last.length > keep - (chunks - 1) * (PAYLOAD_MASK + 1)) last.length = keep - (chunks - 1) * (PAYLOAD_MASK + 1);
    this.insertLsn = this.flushedLsn; // flushes always end at a record's end
    this.asyncXactLsn = 0;
    this.backendRedo.clear(); // the backends are gone
    return lost;
  }
  /** Records [from, to) for inspection. */
  records(from = 0, to = this.n): WalRecordView[] {
    const out = [];
    for (let i = Math.max(0, from); i < Math.min(to, this.n); i++) out.push(this.record(i));
    return out;
  }
}
