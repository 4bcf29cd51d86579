/**
 * REDO of one WAL record: the startup process's loop body.
 *
 * For every block a record changed, REDO reads the page and compares its LSN with the record's:
 *  - the record carries a full-page image → the page is restored from it (BLK_RESTORED), whatever it held;
 *  - the record initialises the page (INSERT+INIT) → it starts from an empty page and applies;
 *  - page LSN ≥ record LSN → the change is already on the page (written before the crash): skip (BLK_DONE);
 *  - page LSN < record LSN → repeat the change and stamp the page with the record's LSN (BLK_NEEDS_REDO);
 *  - the relation no longer exists → nothing to do (BLK_NOTFOUND).
 * Worked example (engine, the crash of recovery/recovery.ts, full_page_writes off): the background writer wrote heap
 * block 0 with pd_lsn 0/01500400 (after xid 725's INSERT) before xid 726 inserted (4, 400). REDO from 0/01500310:
 *
 *     REDO 0/015003C0 Heap/INSERT xid 725: accounts block 0: page LSN 0/01500400 ≥ 0/01500400
 *                     → already on the page (written before the crash), skipped                    BLK_DONE
 *     REDO 0/01500440 Transaction/COMMIT xid 725: commit log: 725 committed                       XACT
 *     REDO 0/01500468 Heap/INSERT xid 726: accounts block 0: page LSN 0/01500400 < 0/015004A8
 *                     → change repeated, page LSN now 0/015004A8                                  BLK_NEEDS_REDO
 *
 * The test compares the page LSN with the record's *end* (0/015003C0 + 63 bytes, MAXALIGNed = 0/01500400): a page
 * stamped with that LSN already holds the change. Repeating it would add (3, 300) a second time.
 *
 * Transaction records rebuild the commit log; nothing is undone — a transaction whose COMMIT never reached the
 * disk simply has no outcome, and recovery declares it aborted at the end.
 *
 * Mirrors: src/backend/access/transam/xlogrecovery.c (PerformWalRecovery), xlogutils.c
 * (XLogReadBufferForRedo and its XLogRedoAction), heapam.c (heap_xlog_insert/update/delete/lock, heap2 prune/
 * vacuum/visible), nbtxlog.c (btree_xlog_insert, btree_xlog_vacuum), xact.c (xact_redo_commit/abort),
 * sequence.c (seq_redo). Simplifications: an old tuple gets the record's xmax, flags, cmax and ctid (keeping the
 * hint bits on xmin the page already had, as heap_xlog_* do); a Heap2 record puts back the page's line pointers as
 * they were after pruning (PostgreSQL repeats the pruning from the offsets); btree REDO works on the key → TID map;
 * Storage/TRUNCATE cuts the relation again (smgr_redo); MultiXact, catalog and Storage/CREATE records change nothing
 * (those structures survive the simulated crash).
 */
import type { Engine } from '../engine.js';
import { WalKind, formatLsn, WAL_KIND_INFO } from '../wal/wal.js';
import type {
  Heap2Payload, BtreeVacuumPayload, BtreeDeletePayload, BtreeInsertPayload, BtreeXlogPayload, XactPayload, SequencePayload, CheckpointPayload, HeapTuplePayload,
  StorageTruncatePayload, NewPagePayload,
  Heap2VisiblePayload,
} from '../wal/records.js';
import { RF_INIT_NEW_PAGE, RF_NEW_TUPLE, RF_OLD_TUPLE } from '../wal/records.js';
import { btreeValues } from '../wal/records.js';
import type { Wal } from '../wal/wal.js';
import type { Value } from '../sql/types.js';
import { XidStatus } from '../clog/clog.js';
import type { Table } from '../catalog/catalog.js';
import type { Page } from '../heap/heap.js';
import { PAGE_HEADER, PD_ALL_VISIBLE, packTid, emptyPage } from '../heap/heap.js';
import { vmSet, VISIBILITYMAP_ALL_VISIBLE } from '../heap/visibilitymap.js';
import { removeEntriesFrom, truncateHeap } from '../vacuum/vacuum.js';
import { BtreeIndex } from '../index/btree.js';
import { type Item, HEAP_XMIN_COMMITTED, HEAP_XMIN_INVALID, LpFlags } from '../heap/tuple.js';
import { copyItem, pageFromImage, indexFromImage } from '../buffer/bufmgr.js';

/** XLogRedoAction, plus the outcomes of records that touch no page. */
export type RedoAction = 'BLK_NEEDS_REDO' | 'BLK_DONE' | 'BLK_RESTORED' | 'BLK_NOTFOUND' | 'XACT' | 'NOOP';

export interface RedoStep {
  index: number;
  lsn: number;
  end: number;
  action: RedoAction;
  /** the page LSN before REDO looked at it (for block records) */
  pageLsnBefore?: number;
  text: string;
}

const XMIN_HINTS = HEAP_XMIN_COMMITTED | HEAP_XMIN_INVALID;

/** XLogReadBufferExtended: the page, extending the relation with empty pages if it is shorter. */
function readPage(t: Table, blk: number): Page {
  while (t.heap.pages.length <= blk) t.heap.pages.push(emptyPage(t.heap.pages.length));
  return t.heap.pages[blk]!;
}

/** heap_xlog_prune / vacuum / freeze_page: the page's line pointers as the record left them. */
function redoHeap2(t: Table, c: Heap2Payload, end: number, note: RedoNote): RedoAction {
  const page = readPage(t, c.blk);
  note.before = page.lsn; note.blk = c.blk;
  if (c.fpi) {
    const restored = pageFromImage(c.blk, c.fpi);
    t.heap.pages[c.blk] = restored;
    restored.lsn = end;
    return 'BLK_RESTORED';
  }
  if (page.lsn >= end) return 'BLK_DONE';
  if (c.items) page.items = c.items.map(copyItem);
  else {
    // the line pointers as the record left them; a NORMAL one keeps the page's own tuple at its new place
    const lp = c.lp!, n = lp.length / 3, before = page.items, items: Item[] = new Array(n);
    for (let k = 0; k < n; k++) {
      const flags = lp[3 * k]!, off = lp[3 * k + 1]!, len = lp[3 * k + 2]!;
      const old = before[k];
      items[k] = flags === LpFlags.NORMAL && old
        ? { ...old, lpOff: off, lpLen: len }
        : emptyItem(flags as LpFlags, off, len);
    }
    page.items = items;
  }
  page.lower = c.lower; page.upper = c.upper; page.pruneXid = c.pruneXid; page.flags = c.flags;
  page.lsn = end;
  return 'BLK_NEEDS_REDO';
}

/**
 * What applying one record found on its block(s), for describing it afterwards: the apply phase fills it in, the
 * describe phase reads it. redoRecord makes one per record when text is wanted (the fast path reuses a scratch one
 * that nothing reads).
 */
export interface RedoNote {
  /** the block's page LSN before REDO looked at it */
  before: number;
  blk: number;
  /** an UPDATE's other block (the new version's), or -1 */
  otherBlk: number;
  otherAction: RedoAction;
  otherBefore: number;
}
const newNote = (): RedoNote => ({ before: 0, blk: 0, otherBlk: -1, otherAction: 'NOOP', otherBefore: 0 });

/**
 * heap_xlog_insert / heap_xlog_update / heap_xlog_delete / heap_xlog_lock: repeat a tuple change from the
 * record's columns (wal/records.ts) on each block it names, if that block is older than the record.
 */
function redoHeapTuple(
  t: Table, w: Wal, i: number, end: number, p: HeapTuplePayload | Value[] | undefined, note: RedoNote,
): RedoAction {
  const hx = w.hx;
  const f = hx.flags[i]!;
  const blk = w.blkOf(i), off = w.offOf(i);
  const values = Array.isArray(p) ? p : p?.values;
  const fpi = Array.isArray(p) ? undefined : p?.fpi;
  const fpi2 = Array.isArray(p) ? undefined : p?.fpi2;
  const init = w.kindOf(i) === WalKind.HeapInsertInit;
  // the record's own block: the old tuple (update/delete/lock) or the inserted one
  let page = readPage(t, blk);
  note.before = page.lsn; note.blk = blk; note.otherBlk = -1;
  let action: RedoAction;
  if (fpi) {
    page = t.heap.pages[blk] = pageFromImage(blk, fpi);
    page.lsn = end;
    action = 'BLK_RESTORED';
  } else if (!init && page.lsn >= end) {
    action = 'BLK_DONE';
  } else {
    if (init) page = t.heap.pages[blk] = emptyPage(blk);
    if (f & RF_OLD_TUPLE) {
      const it = page.items[off - 1];
      if (it) {
        it.xmax = hx.oXmax[i]!; it.field3 = hx.oField3[i]!; it.ctidBlock = hx.oCtidBlk[i]!; it.ctidOffset = hx.oCtidOff[i]!;
        it.infomask = (hx.oMask[i]! & ~XMIN_HINTS) | (it.infomask & XMIN_HINTS); // the page keeps its own hints on xmin
        it.infomask2 = hx.oMask2[i]!;
      }
    }
    if (f & RF_NEW_TUPLE && hx.nBlk[i] === blk) addTuple(page, w, i, values!);
    page.flags = hx.pFlags[i]!; page.pruneXid = hx.pPrune[i]!;
    page.lsn = end;
    action = 'BLK_NEEDS_REDO';
  }
  // an UPDATE whose new version went to another block: that block's own LSN check
  if (f & RF_NEW_TUPLE && hx.nBlk[i] !== blk) {
    const nb = hx.nBlk[i]!;
    let np = readPage(t, nb);
    note.otherBlk = nb; note.otherBefore = np.lsn;
    if (fpi2) {
      np = t.heap.pages[nb] = pageFromImage(nb, fpi2);
      np.lsn = end;
      note.otherAction = 'BLK_RESTORED';
    } else if (f & RF_INIT_NEW_PAGE || np.lsn < end) {
      if (f & RF_INIT_NEW_PAGE) np = t.heap.pages[nb] = emptyPage(nb);
      addTuple(np, w, i, values!);
      np.flags = hx.pFlags2[i]!;
      np.lsn = end;
      note.otherAction = 'BLK_NEEDS_REDO';
    } else note.otherAction = 'BLK_DONE';
  }
  t.heap.targetBlock = t.heap.pages.length - 1;
  return action;
}

/** A line pointer without a tuple (LP_UNUSED / LP_REDIRECT / LP_DEAD). */
const emptyItem = (lpFlags: LpFlags, lpOff: number, lpLen: number): Item => ({
  lpFlags, lpOff, lpLen, xmin: 0, xmax: 0, field3: 0, ctidBlock: 0, ctidOffset: 0, infomask: 0, infomask2: 0, values: [],
});

/** PageAddItem at the record's offset: the new tuple as heap_insert made it (xmin = the record's xid). */
function addTuple(page: Page, w: Wal, i: number, values: Value[]): void {
  const hx = w.hx;
  const off = hx.nOff[i]!;
  const item: Item = {
    lpFlags: LpFlags.NORMAL, lpOff: hx.nLpOff[i]!, lpLen: hx.nLen[i]!, xmin: w.xidOf(i), xmax: 0, field3: hx.nField3[i]!,
    ctidBlock: hx.nBlk[i]!, ctidOffset: off, infomask: hx.nMask[i]!, infomask2: hx.nMask2[i]!, values,
  };
  const items = page.items;
  while (items.length < off - 1) items.push(emptyItem(LpFlags.UNUSED, 0, 0));
  items[off - 1] = item;
  page.lower = PAGE_HEADER + 4 * items.length;
  page.upper = item.lpOff; // PageAddItem placed it at the new pd_upper
}

const describeAction = (a: RedoAction, before: number, end: number): string => {
  switch (a) {
    case 'BLK_NEEDS_REDO': return `page LSN ${formatLsn(before)} < ${formatLsn(end)} → change repeated, page LSN now ${formatLsn(end)}`;
    case 'BLK_DONE': return `page LSN ${formatLsn(before)} ≥ ${formatLsn(end)} → already on the page (written before the crash), skipped`;
    case 'BLK_RESTORED': return `full-page image restored (page LSN was ${formatLsn(before)}), page LSN now ${formatLsn(end)}`;
    case 'BLK_NOTFOUND': return 'the relation no longer exists → nothing to do';
    default: return '';
  }
};

/** The step returned when no text is wanted: reused, so the caller must not keep it. */
const SCRATCH: RedoStep = { index: 0, lsn: 0, end: 0, action: 'NOOP', text: '' };
/** The note the fast path (no text) hands to the apply phase: written, never read. */
const SCRATCH_NOTE: RedoNote = newNote();
/** A one-entry cache of the relation the previous record named (REDO reads long runs of one relation). */
const NO_RELATION = { t: null, idx: null };
let cachedRel: { eng: Engine; oid: number; t: Table | null; idx: BtreeIndex | null } | null = null;
/** Forget the cached relation (the catalog does not change during REDO; recovery calls this when it starts). */
export function resetRedoCache(): void { cachedRel = null; }
function relation(eng: Engine, oid: number, lsn = Infinity): { t: Table | null; idx: BtreeIndex | null } {
  // a record written before TRUNCATE or a table rewrite gave the relation a new file was for the old file: gone
  const r0 = cachedRel && cachedRel.oid === oid && cachedRel.eng === eng ? cachedRel : null;
  if (r0 && lsn < ((r0.t?.storageLsn ?? r0.idx?.storageLsn) || 0)) return NO_RELATION;
  if (r0) return r0;
  const r = eng.catalog.byOid(oid);
  cachedRel = { eng, oid, t: r && !(r instanceof BtreeIndex) ? r : null, idx: r instanceof BtreeIndex ? r : null };
  if (lsn < ((cachedRel.t?.storageLsn ?? cachedRel.idx?.storageLsn) || 0)) return NO_RELATION;
  return cachedRel;
}

/**
 * Replay record i. `seen.maxXid` collects the highest xid seen (recovery advances nextXid past it). With
 * `wantText` false nothing is allocated: the returned step is a shared scratch object with only the action.
 */
export function redoRecord(eng: Engine, i: number, seen: { maxXid: number }, wantText = true): RedoStep {
  if (!wantText) {
    SCRATCH.index = i; SCRATCH.action = applyRecord(eng, i, seen, SCRATCH_NOTE);
    return SCRATCH;
  }
  const note = newNote();
  const action = applyRecord(eng, i, seen, note);
  const w = eng.wal;
  const lsn = w.startOf(i), end = w.endOf(i), xid = w.xidOf(i);
  const [rmgr, type] = WAL_KIND_INFO[w.kindOf(i)]!;
  const hasPage = action === 'BLK_NEEDS_REDO' || action === 'BLK_DONE' || action === 'BLK_RESTORED';
  return {
    index: i, lsn, end, action, text: `REDO ${formatLsn(lsn)} ${rmgr}/${type}${xid ? ` xid ${xid}` : ''}: ${describeRecord(eng, i, action, note)}`,
    ...(hasPage ? { pageLsnBefore: note.before } : {}),
  };
}

/** The apply phase: what REDO does to pages, the commit log and sequences for record i (what it found → note). */
function applyRecord(eng: Engine, i: number, seen: { maxXid: number }, note: RedoNote): RedoAction {
  const w = eng.wal;
  const kind = w.kindOf(i);
  const end = w.endOf(i);
  const xid = w.xidOf(i);
  if (xid > seen.maxXid) seen.maxXid = xid;
  const p = w.payloadOf(i);
  switch (kind) {
    case WalKind.HeapInsert: case WalKind.HeapInsertInit: case WalKind.HeapUpdate: case WalKind.HeapHotUpdate:
    case WalKind.HeapDelete: case WalKind.HeapLock: case WalKind.Heap2LockUpdated: {
      const t = relation(eng, w.relOf(i), w.startOf(i)).t;
      if (!t) return 'BLK_NOTFOUND';
      return redoHeapTuple(t, w, i, end, p as HeapTuplePayload | Value[] | undefined, note);
    }
    case WalKind.Heap2Prune: case WalKind.Heap2Vacuum: case WalKind.Heap2FreezePage: {
      const t = relation(eng, w.relOf(i), w.startOf(i)).t;
      if (!t || !p) return 'BLK_NOTFOUND';
      return redoHeap2(t, p as Heap2Payload, end, note);
    }
    case WalKind.Heap2Visible: {
      const t = relation(eng, w.relOf(i), w.startOf(i)).t;
      if (!t) return 'BLK_NOTFOUND';
      const page = readPage(t, w.blkOf(i));
      note.before = page.lsn; note.blk = page.blkno;
      // the map's page is replayed whatever the heap page's LSN: the bits the record set (ALL_VISIBLE, ALL_FROZEN or both)
      vmSet(t.heap, page.blkno, (p as Heap2VisiblePayload | undefined)?.vmFlags ?? VISIBILITYMAP_ALL_VISIBLE);
      if (page.lsn >= end) return 'BLK_DONE';
      page.flags |= PD_ALL_VISIBLE; // the heap page's LSN is not changed by this record (no wal_log_hints)
      return 'BLK_NEEDS_REDO';
    }
    case WalKind.BtreeInsertLeaf: case WalKind.BtreeNewroot: case WalKind.BtreeVacuum: case WalKind.BtreeDelete:
    case WalKind.BtreeInsertUpper: case WalKind.BtreeSplitL: case WalKind.BtreeSplitR: case WalKind.BtreeInsertPost: case WalKind.BtreeDedup:
    case WalKind.HashInsert: case WalKind.HashDelete: case WalKind.HashUpdateMetaPage: {
      const idx = relation(eng, w.relOf(i), w.startOf(i)).idx;
      if (!idx) return 'BLK_NOTFOUND';
      note.before = idx.leafLsn;
      // the pages the record changed get its LSN (their full-page images after recovery follow from it)
      const stamp = () => {
        const refs = p && typeof p === 'object' && 'refs' in p ? (p as BtreeXlogPayload).refs : [{ blk: w.blkOf(i) }];
        for (const r of refs) idx.pageLsns.set(r.blk, end);
      };
      const image = p && !Array.isArray(p) ? (p as BtreeInsertPayload).image : undefined;
      if (image) { indexFromImage(idx, { ...image, lsn: end }); stamp(); return 'BLK_RESTORED'; }
      if (idx.leafLsn >= end) return 'BLK_DONE';
      stamp();
      // btree_xlog_insert / btree_xlog_split at the leaf: the insertion repeated (its splits, downlinks and new root
      // follow from it: the records above the leaf, and DEDUP, have nothing left to do — wal/nbtxlog.ts)
      const values = btreeValues(p);
      const leafInsert = kind === WalKind.HashInsert ||
        kind === WalKind.BtreeInsertLeaf || kind === WalKind.BtreeInsertPost || kind === WalKind.BtreeSplitL || kind === WalKind.BtreeSplitR;
      if (leafInsert && values) idx.insert(values, packTid(w.hx.nBlk[i]!, w.hx.nOff[i]!));
      const vacuumed = kind === WalKind.BtreeVacuum || kind === WalKind.HashDelete || kind === WalKind.HashUpdateMetaPage;
      if (vacuumed && (p as BtreeVacuumPayload | undefined)?.deadTids) removeEntriesFrom(idx, (p as BtreeVacuumPayload).deadTids!);
      if (kind === WalKind.BtreeDelete && p) idx.simpleDelete(new Set((p as BtreeDeletePayload).tids));
      idx.leafLsn = end;
      return 'BLK_NEEDS_REDO';
    }
    case WalKind.XactCommit: case WalKind.XactAbort: {
      const st = kind === WalKind.XactCommit ? XidStatus.Committed : XidStatus.Aborted;
      const subs = (p as XactPayload | undefined)?.subXids;
      if (subs) for (const x of subs) { eng.xacts.clog.set(x, st); if (x > seen.maxXid) seen.maxXid = x; }
      eng.xacts.clog.set(xid, st);
      if (xid > eng.xacts.latestCompletedXid) eng.xacts.latestCompletedXid = xid;
      return 'XACT';
    }
    case WalKind.SequenceLog: {
      const seq = [...eng.catalog.sequences.values()].find((x) => x.oid === w.relOf(i));
      if (!seq || !p) return 'BLK_NOTFOUND';
      if ((p as SequencePayload).fork === 'init') return 'NOOP'; // an unlogged sequence's init fork: reset from at the end
      note.before = seq.pageLsn;
      if (seq.pageLsn >= end) return 'BLK_DONE';
      const sp = p as SequencePayload;
      seq.lastValue = sp.lastValue; seq.isCalled = sp.isCalled; seq.logCnt = 0; seq.pageLsn = end;
      return 'BLK_NEEDS_REDO';
    }
    case WalKind.XlogFpi: {
      // xlog_redo of XLOG_FPI: the page is restored from the image, whatever the file holds; an index build's
      // pages (wal/nbtsort_xlog.ts) are on disk already (the build syncs them): nothing to repeat here
      if ((p as { index?: true } | undefined)?.index) return 'NOOP';
      const t = relation(eng, w.relOf(i), w.startOf(i)).t;
      if (!t || !p) return 'BLK_NOTFOUND';
      const page = readPage(t, w.blkOf(i));
      note.before = page.lsn; note.blk = page.blkno;
      const restored = pageFromImage(page.blkno, (p as NewPagePayload).image);
      restored.lsn = end;
      t.heap.pages[page.blkno] = restored;
      return 'BLK_RESTORED';
    }
    case WalKind.StorageTruncate: {
      // smgr_redo: cut the relation (heap, vm, fsm) to the record's length; pages REDO extended it with are gone again
      const t = relation(eng, w.relOf(i), w.startOf(i)).t;
      if (!t || !p) return 'BLK_NOTFOUND';
      note.before = t.heap.pages.length;
      truncateHeap(t.heap, (p as StorageTruncatePayload).blkno);
      return 'NOOP';
    }
    case WalKind.CheckpointOnline: case WalKind.CheckpointShutdown: {
      const cp = p as CheckpointPayload | undefined;
      if (cp && cp.nextXid - 1 > seen.maxXid) seen.maxXid = cp.nextXid - 1;
      return 'NOOP';
    }
    default:
      return 'NOOP';
  }
}

/** The describe phase: one plain-English line for record i, from what applyRecord found (its note). */
function describeRecord(eng: Engine, i: number, action: RedoAction, note: RedoNote): string {
  const w = eng.wal;
  const kind = w.kindOf(i);
  const end = w.endOf(i);
  const p = w.payloadOf(i);
  if (action === 'BLK_NOTFOUND') return describeAction('BLK_NOTFOUND', 0, end);
  switch (kind) {
    case WalKind.HeapInsert: case WalKind.HeapInsertInit: case WalKind.HeapUpdate: case WalKind.HeapHotUpdate:
    case WalKind.HeapDelete: case WalKind.HeapLock: case WalKind.Heap2LockUpdated:
    case WalKind.Heap2Prune: case WalKind.Heap2Vacuum: case WalKind.Heap2FreezePage: {
      const t = relation(eng, w.relOf(i)).t!;
      const heap2 = kind === WalKind.Heap2Prune || kind === WalKind.Heap2Vacuum || kind === WalKind.Heap2FreezePage;
      const other = note.otherBlk >= 0 && !heap2
        ? `; new version's block ${note.otherBlk}: ${describeAction(note.otherAction, note.otherBefore, end)}`
        : '';
      return `${t.name} block ${note.blk}: ${describeAction(action, note.before, end)}${other}`;
    }
    case WalKind.Heap2Visible: {
      const t = relation(eng, w.relOf(i)).t!;
      return `${t.name} block ${note.blk}: ${action === 'BLK_DONE' ? describeAction('BLK_DONE', note.before, end) : 'PD_ALL_VISIBLE set again'}`;
    }
    case WalKind.BtreeInsertLeaf: case WalKind.BtreeNewroot: case WalKind.BtreeVacuum: case WalKind.BtreeDelete:
    case WalKind.BtreeInsertUpper: case WalKind.BtreeSplitL: case WalKind.BtreeSplitR: case WalKind.BtreeInsertPost: case WalKind.BtreeDedup:
    case WalKind.HashInsert: case WalKind.HashDelete: case WalKind.HashUpdateMetaPage:
      return `index ${relation(eng, w.relOf(i)).idx!.name}: ${describeAction(action, note.before, end)}`;
    case WalKind.XactCommit: case WalKind.XactAbort: {
      const subs = (p as XactPayload | undefined)?.subXids ?? [];
      return `commit log: ${[w.xidOf(i), ...subs].join(', ')} ${kind === WalKind.XactCommit ? 'committed' : 'aborted'}`;
    }
    case WalKind.SequenceLog: {
      const seq = [...eng.catalog.sequences.values()].find((x) => x.oid === w.relOf(i))!;
      if (action === 'NOOP') return `sequence ${seq.name}: its init fork (an unlogged sequence is reset from it after recovery)`;
      return action === 'BLK_DONE'
        ? `sequence ${seq.name}: ${describeAction('BLK_DONE', note.before, end)}`
        : `sequence ${seq.name}: last_value ${(p as SequencePayload).lastValue} (the values logged ahead are skipped after a crash)`;
    }
    case WalKind.XlogFpi:
      if ((p as { index?: true } | undefined)?.index) return `index ${relation(eng, w.relOf(i)).idx?.name ?? w.relOf(i)} block ${w.blkOf(i)}: written by its build and synced, nothing to repeat`;
      return `${relation(eng, w.relOf(i)).t?.name ?? 'relation'} block ${note.blk}: ${describeAction(action, note.before, end)}`;
    case WalKind.StorageTruncate:
      return `${relation(eng, w.relOf(i)).t?.name ?? 'relation'}: truncated from ${note.before} to ${(p as StorageTruncatePayload).blkno} blocks (heap, visibility map, free space map)`;
    case WalKind.CheckpointOnline: case WalKind.CheckpointShutdown: {
      const cp = p as CheckpointPayload | undefined;
      return `checkpoint record (redo ${cp ? formatLsn(cp.redo) : '?'}, next xid ${cp?.nextXid ?? '?'})`;
    }
    default:
      return 'nothing to repeat in the simulator (catalog, storage and MultiXact state survive the crash)';
  }
}
