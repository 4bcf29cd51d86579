/**
 * REDO of one WAL record: the startup process's loop body.
 *
 * For every block a record changed, REDO reads the page and compares its LSN with the record's:
 *  - the record carries a full-page image → the page is restored from it (BLK_RESTORED), whatever it held;
 *  - the record initialises the page (INSERT+INIT) → it starts from an empty page and applies;
 *  - page LSN ≥ record LSN → the change is already on the page (written before the crash): skip (BLK_DONE);
 *  - page LSN < record LSN → repeat the change and stamp the page with the record's LSN (BLK_NEEDS_REDO);
 *  - the relation no longer exists → nothing to do (BLK_NOTFOUND).
 * Transaction records rebuild the commit log; nothing is undone — a transaction whose COMMIT never reached the
 * disk simply has no outcome, and recovery declares it aborted at the end.
 *
 * Mirrors: src/backend/access/transam/xlogrecovery.c (PerformWalRecovery), xlogutils.c
 * (XLogReadBufferForRedo and its XLogRedoAction), heapam.c (heap_xlog_insert/update/delete/lock, heap2 prune/
 * vacuum/visible), nbtxlog.c (btree_xlog_insert, btree_xlog_vacuum), xact.c (xact_redo_commit/abort),
 * sequence.c (seq_redo). Simplifications: a line pointer's after-image replaces it (keeping the hint bits on xmin
 * the page already had, as heap_xlog_* do by changing only xmax and flags); btree REDO works on the key → TID map;
 * MultiXact, catalog and storage records change nothing (those structures survive the simulated crash).
 */
import type { Engine } from '../engine.js';
import { WalKind, formatLsn, WAL_KIND_INFO } from '../wal/wal.js';
import type { HeapPayload, HeapChange, BtreeInsertPayload, BtreeVacuumPayload, XactPayload, SequencePayload, CheckpointPayload } from '../wal/records.js';
import { XidStatus } from '../clog/clog.js';
import type { Table } from '../catalog/catalog.js';
import type { Page } from '../heap/heap.js';
import { PAGE_HEADER, BLCKSZ, PD_ALL_VISIBLE } from '../heap/heap.js';
import { type Item, HEAP_XMIN_COMMITTED, HEAP_XMIN_INVALID, LpFlags } from '../heap/tuple.js';
import { copyItem, pageFromImage } from '../buffer/bufmgr.js';
import type { BtreeIndex } from '../index/btree.js';

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

function emptyPage(blkno: number): Page {
  return { blkno, lsn: 0, lower: PAGE_HEADER, upper: BLCKSZ, pruneXid: 0, flags: 0, items: [] };
}

/** XLogReadBufferExtended: the page, extending the relation with empty pages if it is shorter. */
function readPage(t: Table, blk: number): Page {
  while (t.heap.pages.length <= blk) t.heap.pages.push(emptyPage(t.heap.pages.length));
  return t.heap.pages[blk]!;
}

function applyChange(page: Page, c: HeapChange): void {
  if (c.all) {
    page.items = c.all.map(copyItem);
  } else {
    for (let k = 0; k < c.items.length; k += 2) {
      const off = c.items[k] as number;
      const after = c.items[k + 1] as Item;
      while (page.items.length < off - 1) page.items.push({ lpFlags: LpFlags.UNUSED, lpOff: 0, lpLen: 0, xmin: 0, xmax: 0, field3: 0, ctidBlock: 0, ctidOffset: 0, infomask: 0, infomask2: 0, values: [] });
      const cur = page.items[off - 1];
      const hints = cur && cur.lpFlags === LpFlags.NORMAL && after.lpFlags === LpFlags.NORMAL && cur.xmin === after.xmin ? cur.infomask & XMIN_HINTS : 0;
      page.items[off - 1] = { ...after, infomask: (after.infomask & ~XMIN_HINTS) | hints };
    }
  }
  page.lower = c.lower; page.upper = c.upper; page.pruneXid = c.pruneXid; page.flags = c.flags;
}

/** One block reference of a heap record. */
function redoHeapBlock(eng: Engine, t: Table, c: HeapChange, end: number): { action: RedoAction; before: number } {
  const page = readPage(t, c.blk);
  const before = page.lsn;
  if (c.fpi) {
    const restored = pageFromImage(c.blk, c.fpi);
    t.heap.pages[c.blk] = restored;
    restored.lsn = end;
    return { action: 'BLK_RESTORED', before };
  }
  if (c.init) {
    const fresh = emptyPage(c.blk);
    t.heap.pages[c.blk] = fresh;
    applyChange(fresh, c);
    fresh.lsn = end;
    return { action: 'BLK_NEEDS_REDO', before };
  }
  if (page.lsn >= end) return { action: 'BLK_DONE', before };
  applyChange(page, c);
  page.lsn = end;
  void eng;
  return { action: 'BLK_NEEDS_REDO', before };
}

function findIndex(eng: Engine, oid: number): { t: Table; i: BtreeIndex } | null {
  for (const t of eng.catalog.tables.values()) for (const i of t.indexes) if (i.oid === oid) return { t, i };
  return null;
}
function findTable(eng: Engine, oid: number): Table | null {
  for (const t of eng.catalog.tables.values()) if (t.oid === oid) return t;
  return null;
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

/** Replay record i. `maxXid` collects the highest xid seen (recovery advances nextXid past it). */
export function redoRecord(eng: Engine, i: number, seen: { maxXid: number }): RedoStep {
  const w = eng.wal;
  const kind = w.kindOf(i);
  const lsn = w.startOf(i), end = w.endOf(i);
  const [rmgr, type] = WAL_KIND_INFO[kind]!;
  const name = `${rmgr}/${type}`;
  const xid = w.xidOf(i);
  if (xid > seen.maxXid) seen.maxXid = xid;
  const p = w.payloadOf(i);
  const step = (action: RedoAction, text: string, pageLsnBefore?: number): RedoStep => ({ index: i, lsn, end, action, text: `REDO ${formatLsn(lsn)} ${name}${xid ? ` xid ${xid}` : ''}: ${text}`, ...(pageLsnBefore !== undefined ? { pageLsnBefore } : {}) });
  switch (kind) {
    case WalKind.HeapInsert: case WalKind.HeapInsertInit: case WalKind.HeapUpdate: case WalKind.HeapHotUpdate:
    case WalKind.HeapDelete: case WalKind.HeapLock: case WalKind.Heap2Prune: case WalKind.Heap2Vacuum: case WalKind.Heap2FreezePage: {
      const t = findTable(eng, w.relOf(i));
      const hp = p as HeapPayload | undefined;
      if (!t || !hp) return step('BLK_NOTFOUND', describeAction('BLK_NOTFOUND', 0, end));
      const a = redoHeapBlock(eng, t, hp.main, end);
      let text = `${t.name} block ${hp.main.blk}: ${describeAction(a.action, a.before, end)}`;
      if (hp.other) {
        const b = redoHeapBlock(eng, t, hp.other, end);
        text += `; new version's block ${hp.other.blk}: ${describeAction(b.action, b.before, end)}`;
      }
      t.heap.targetBlock = t.heap.pages.length - 1;
      return step(a.action, text, a.before);
    }
    case WalKind.Heap2Visible: {
      const t = findTable(eng, w.relOf(i));
      if (!t) return step('BLK_NOTFOUND', describeAction('BLK_NOTFOUND', 0, end));
      const page = readPage(t, w.blkOf(i));
      const before = page.lsn;
      if (page.lsn >= end) return step('BLK_DONE', `${t.name} block ${page.blkno}: ${describeAction('BLK_DONE', before, end)}`, before);
      page.flags |= PD_ALL_VISIBLE; // the heap page's LSN is not changed by this record (no wal_log_hints)
      return step('BLK_NEEDS_REDO', `${t.name} block ${page.blkno}: PD_ALL_VISIBLE set again`, before);
    }
    case WalKind.BtreeInsertLeaf: case WalKind.BtreeNewroot: case WalKind.BtreeVacuum: {
      const found = findIndex(eng, w.relOf(i));
      if (!found) return step('BLK_NOTFOUND', describeAction('BLK_NOTFOUND', 0, end));
      const idx = found.i;
      const before = idx.leafLsn;
      if (before >= end) return step('BLK_DONE', `index ${idx.name}: ${describeAction('BLK_DONE', before, end)}`, before);
      if (kind === WalKind.BtreeInsertLeaf && p) { const b = p as BtreeInsertPayload; idx.insert(b.values, b.tid); }
      if (kind === WalKind.BtreeVacuum && p) {
        const dead = (p as BtreeVacuumPayload).deadTids;
        for (const [key, v] of [...idx.entries]) {
          const tids = typeof v === 'number' ? [v] : v;
          const keep = tids.filter((tid) => !dead.has(tid));
          if (keep.length === tids.length) continue;
          idx.count -= tids.length - keep.length;
          if (!keep.length) idx.entries.delete(key); else idx.entries.set(key, keep.length === 1 ? keep[0]! : keep);
        }
      }
      idx.leafLsn = end;
      return step('BLK_NEEDS_REDO', `index ${idx.name}: ${describeAction('BLK_NEEDS_REDO', before, end)}`, before);
    }
    case WalKind.XactCommit: case WalKind.XactAbort: {
      const commit = kind === WalKind.XactCommit;
      const subs = (p as XactPayload | undefined)?.subXids ?? [];
      for (const x of subs) { eng.xacts.clog.set(x, commit ? XidStatus.Committed : XidStatus.Aborted); if (x > seen.maxXid) seen.maxXid = x; }
      eng.xacts.clog.set(xid, commit ? XidStatus.Committed : XidStatus.Aborted);
      if (xid > eng.xacts.latestCompletedXid) eng.xacts.latestCompletedXid = xid;
      return step('XACT', `commit log: ${[xid, ...subs].join(', ')} ${commit ? 'committed' : 'aborted'}`);
    }
    case WalKind.SequenceLog: {
      const seq = [...eng.catalog.sequences.values()].find((s) => s.oid === w.relOf(i));
      if (!seq || !p) return step('BLK_NOTFOUND', describeAction('BLK_NOTFOUND', 0, end));
      const before = seq.pageLsn;
      if (before >= end) return step('BLK_DONE', `sequence ${seq.name}: ${describeAction('BLK_DONE', before, end)}`, before);
      const sp = p as SequencePayload;
      seq.lastValue = sp.lastValue; seq.isCalled = sp.isCalled; seq.logCnt = 0; seq.pageLsn = end;
      return step('BLK_NEEDS_REDO', `sequence ${seq.name}: last_value ${sp.lastValue} (the values logged ahead are skipped after a crash)`, before);
    }
    case WalKind.CheckpointOnline: case WalKind.CheckpointShutdown: {
      const cp = p as CheckpointPayload | undefined;
      if (cp && cp.nextXid - 1 > seen.maxXid) seen.maxXid = cp.nextXid - 1;
      return step('NOOP', `checkpoint record (redo ${cp ? formatLsn(cp.redo) : '?'}, next xid ${cp?.nextXid ?? '?'})`);
    }
    default:
      return step('NOOP', 'nothing to repeat in the simulator (catalog, storage and MultiXact state survive the crash)');
  }
}
