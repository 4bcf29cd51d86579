/**
 * Heap access methods: the physical effect of INSERT, UPDATE, DELETE and SELECT ... FOR UPDATE on a page.
 *
 *  insert — new line pointer + tuple: t_xmin = our xid, t_xmax = 0 (HEAP_XMAX_INVALID), t_field3 = cmin,
 *           t_ctid = its own TID. WAL: Heap INSERT (INSERT+INIT when it starts a new page).
 *  update — never in place: the old version gets t_xmax = our xid, cmax (or a combo CID), t_ctid → new version;
 *           the new version gets HEAP_UPDATED. If no indexed column changed and the new version fits on the same
 *           page, it is a HOT update (old: HEAP_HOT_UPDATED, new: HEAP_ONLY_TUPLE, no new index entry).
 *           Changing a key column sets HEAP_KEYS_UPDATED. WAL: Heap HOT_UPDATE or UPDATE. pd_prune_xid is set.
 *           When the new version must go to another page, the old one is first locked and Heap/LOCK logged (the
 *           page is released while another is found), the old page is marked PD_PAGE_FULL, and the UPDATE record
 *           carries both pages' full-page images when each is its page's first change since the checkpoint.
 *           Updating a version we locked keeps us in the new version's t_xmax as a key-share locker.
 *  delete — t_xmax = our xid, HEAP_KEYS_UPDATED, t_ctid = its own TID; nothing is removed (vacuum does that).
 *           WAL: Heap DELETE.
 *  lock   — a row lock is just t_xmax = our xid with HEAP_XMAX_LOCK_ONLY and lock-strength bits, t_ctid = its
 *           own TID; no new version.
 * t_ctid points forward only from a version a transaction replaced. An aborted update leaves its link behind
 * (nothing is undone), so delete and lock reset it: after VACUUM frees the aborted version's line pointer and an
 * INSERT reuses it, a stale link would lead to an unrelated row. Chain-followers also check that the version
 * they reach was created by the transaction that replaced the one before (t_xmin = prior t_xmax).
 * None of these wait: the waiting (for a concurrent updater) happens in the executor before calling them.
 *
 * Mirrors: heap_insert, heap_update, heap_delete, heap_lock_tuple in src/backend/access/heap/heapam.c and
 * HeapTupleHeaderAdjustCmax (combocid.c). Several compatible row lockers share xmax through a MultiXact
 * (HEAP_XMAX_IS_MULTI). Simplifications: no TOAST, no update MultiXacts, no visibility-map bits to clear yet.
 */
import {
  type Item, LpFlags, tupleLengthPacked, TL_HASNULL, TL_VARWIDTH, HEAP_XMAX_INVALID, HEAP_XMAX_COMMITTED, HEAP_XMAX_IS_MULTI, HEAP_LOCK_MASK,
  HEAP_XMAX_LOCK_ONLY, HEAP_COMBOCID, HEAP_UPDATED, HEAP_HASNULL, HEAP_HASVARWIDTH, HEAP_KEYS_UPDATED,
  HEAP_HOT_UPDATED, HEAP_ONLY_TUPLE, HEAP_XMAX_EXCL_LOCK, HEAP_XMAX_KEYSHR_LOCK, HEAP_XMAX_SHR_LOCK,
} from './tuple.js';
import { HeapRelation, type Page, formatTid, PD_ALL_VISIBLE, PD_PAGE_FULL } from './heap.js';
import type { Table } from '../catalog/catalog.js';
import type { Value } from '../sql/types.js';
import { type Wal, WalKind, formatLsn } from '../wal/wal.js';
import type { Tracer } from '../trace/trace.js';
import type { Transaction } from '../xact/xact.js';
import { getCmin } from '../visibility/visibility.js';
import { type HeapTuplePayload, RF_INIT_NEW_PAGE } from '../wal/records.js';
import { pageImage } from '../buffer/bufmgr.js';

export interface HeapContext {
  wal: Wal;
  tx: Transaction;
  tracer: Tracer;
  session: string;
  /** create a MultiXact of these lockers (MultiXactIdCreate) and return its id */
  newMulti?(members: { xid: number; mode: TupleLockMode }[]): number;
}

/** Row-lock strengths (LockTupleMode) and how they are written into the tuple header. */
export type TupleLockMode = 'keyshare' | 'share' | 'nokeyexclusive' | 'exclusive';
export const TUPLE_LOCK_BITS: Record<TupleLockMode, number> = {
  keyshare: HEAP_XMAX_KEYSHR_LOCK, share: HEAP_XMAX_SHR_LOCK, nokeyexclusive: HEAP_XMAX_EXCL_LOCK, exclusive: HEAP_XMAX_EXCL_LOCK,
};
const STRENGTH: Record<TupleLockMode, number> = { keyshare: 0, share: 1, nokeyexclusive: 2, exclusive: 3 };
/** Do two row-lock strengths conflict? (the tuple lock conflict table in heapam.c) */
export function tupleLocksConflict(a: TupleLockMode, b: TupleLockMode): boolean {
  const sa = STRENGTH[a], sb = STRENGTH[b];
  const t = [
    [false, false, false, true],
    [false, false, true, true],
    [false, true, true, true],
    [true, true, true, true],
  ];
  return t[sa]![sb]!;
}
/** The strength of the row lock recorded in a lock-only xmax. */
export function lockModeOfItem(item: Item): TupleLockMode {
  const bits = item.infomask & HEAP_LOCK_MASK;
  if (bits === HEAP_XMAX_SHR_LOCK) return 'share';
  if (bits === HEAP_XMAX_KEYSHR_LOCK) return 'keyshare';
  return item.infomask2 & HEAP_KEYS_UPDATED ? 'exclusive' : 'nokeyexclusive';
}

function stampPage(page: Page, lsn: number) { page.lsn = lsn; }
/** A change makes the page no longer all-visible (PageClearAllVisible). */
const clearAllVisible = (page: Page) => { page.flags &= ~PD_ALL_VISIBLE; };

function walForPage(
  ctx: HeapContext, kind: WalKind, len: number, table: Table, page: Page, off: number, initPage: boolean,
  newTuple: { page: Page; off: number; item: Item; init: boolean } | null, oldItem: Item | null,
): number {
  const imageSize = (p: Page) => p.lower + (8192 - p.upper);
  const fpi = !initPage && ctx.wal.needsFpi(page.lsn) ? imageSize(page) : 0;
  // an UPDATE that put the new version on another page registers that page too: its own first change since the
  // checkpoint carries its own image (a new page, INSERT+INIT style, needs none)
  const other = newTuple && newTuple.page !== page && !newTuple.init && ctx.wal.needsFpi(newTuple.page.lsn) ? newTuple.page : null;
  const fpi2 = other ? imageSize(other) : 0;
  const w = ctx.wal;
  const payload: HeapTuplePayload | Value[] | undefined = fpi || fpi2
    ? { ...(newTuple ? { values: newTuple.item.values } : {}), ...(fpi ? { fpi: pageImage(page) } : {}), ...(other ? { fpi2: pageImage(other) } : {}) }
    : newTuple?.item.values;
  const lsn = w.insert(kind, ctx.tx.writeXid, fpi ? len - 13 : len, table.oid, page.blkno, off, fpi + fpi2, payload);
  const i = w.count - 1;
  const hx = w.hx;
  hx.ensure(i + 1);
  if (newTuple) {
    hx.setNew(i, newTuple.page.blkno, newTuple.off, newTuple.item);
    if (newTuple.init) hx.flags[i]! |= RF_INIT_NEW_PAGE;
    hx.pFlags2[i] = newTuple.page.flags;
  }
  if (oldItem) hx.setOld(i, oldItem);
  hx.pFlags[i] = page.flags; hx.pPrune[i] = page.pruneXid;
  if (ctx.tracer.wants('wal')) {
    ctx.tracer.emit({ kind: 'wal', session: ctx.session, rel: table.name, blk: page.blkno, off, xid: ctx.tx.writeXid, lsn: formatLsn(lsn),
      text: `WAL record appended: ${walName(kind)} for ${table.name} block ${page.blkno}${fpi ? ' with a full-page image' : ''}; page LSN → ${formatLsn(lsn)}` });
  }
  stampPage(page, lsn);
  return lsn;
}
const walName = (k: WalKind) => ['Heap/INSERT', 'Heap/INSERT+INIT', 'Heap/UPDATE', 'Heap/HOT_UPDATE', 'Heap/DELETE', 'Heap/LOCK'][k] ?? String(k);

function newItem(values: Value[], table: Table, xid: number, cid: number, updated: boolean): Item {
  let packed = table.fixedLength;
  if (packed !== undefined) for (let i = 0; i < values.length; i++) if (values[i] === null) { packed = undefined; break; }
  if (packed === undefined) packed = tupleLengthPacked(values, table.types);
  const len = packed & 0xffffff;
  return {
    lpFlags: LpFlags.NORMAL, lpOff: 0, lpLen: len, xmin: xid, xmax: 0, field3: cid, ctidBlock: 0, ctidOffset: 0,
    infomask: HEAP_XMAX_INVALID | (updated ? HEAP_UPDATED : 0) | (packed & TL_HASNULL ? HEAP_HASNULL : 0) | (packed & TL_VARWIDTH ? HEAP_HASVARWIDTH : 0),
    infomask2: table.columns.length,
    values,
  };
}

export function heapInsert(ctx: HeapContext, table: Table, values: Value[]): { blk: number; off: number } {
  const tx = ctx.tx;
  const item = newItem(values, table, tx.writeXid, tx.curcid, false);
  tx.cidUsed = true;
  const page = table.heap.pageFor(item.lpLen);
  const isNew = table.heap.lastPageIsNew;
  clearAllVisible(page);
  const off = HeapRelation.addItem(page, item);
  item.ctidBlock = page.blkno;
  item.ctidOffset = off;
  if (ctx.tracer.wants('insert')) {
    ctx.tracer.emit({ kind: 'insert', session: ctx.session, rel: table.name, blk: page.blkno, off, xid: tx.writeXid,
      text: `new tuple ${formatTid(page.blkno, off)} in ${table.name}: t_xmin ${tx.writeXid}, t_xmax 0 (XMAX_INVALID), cmin ${tx.curcid}` });
  }
  const init = isNew && off === 1;
  walForPage(ctx, init ? WalKind.HeapInsertInit : WalKind.HeapInsert, 31 + item.lpLen, table, page, off, init, { page, off, item, init }, null);
  return { blk: page.blkno, off };
}

/** Set xmax/cmax on a version we are replacing or deleting (HeapTupleHeaderAdjustCmax + combo CIDs). */
function setXmaxForModify(ctx: HeapContext, item: Item): void {
  const tx = ctx.tx;
  const mine = item.xmin === tx.xid || (tx.subXidSet?.has(item.xmin) ?? false);
  const cmin = mine ? getCmin(item, { combos: tx.combos } as never) : 0;
  item.xmax = tx.writeXid;
  item.infomask &= ~(HEAP_XMAX_COMMITTED | HEAP_XMAX_INVALID | HEAP_XMAX_IS_MULTI | HEAP_LOCK_MASK | HEAP_XMAX_LOCK_ONLY | HEAP_COMBOCID);
  item.infomask2 &= ~(HEAP_KEYS_UPDATED | HEAP_HOT_UPDATED);
  if (mine) {
    item.field3 = tx.comboFor(cmin, tx.curcid);
    item.infomask |= HEAP_COMBOCID;
  } else item.field3 = tx.curcid;
  tx.cidUsed = true;
}

function setPrunable(page: Page, xid: number) {
  if (page.pruneXid === 0 || xid < page.pruneXid) page.pruneXid = xid;
}

export function heapUpdate(
  ctx: HeapContext, table: Table, blk: number, off: number, values: Value[], indexedChanged: boolean, keysChanged: boolean,
): UpdateResult {
  const tx = ctx.tx;
  const oldPage = table.heap.pages[blk]!;
  const old = oldPage.items[off - 1]!;
  const item = newItem(values, table, tx.writeXid, tx.curcid, true);
  const sameFits = HeapRelation.fits(oldPage, item.lpLen);
  const hot = !indexedChanged && sameFits;
  const page = table.heap.pageFor(item.lpLen, oldPage);
  const newPageIsNew = table.heap.lastPageIsNew;
  clearAllVisible(oldPage);
  clearAllVisible(page);
  // a row lock we hold on the old version (SELECT ... FOR UPDATE, or EvalPlanQual's lock on the newest version):
  // the update takes the stronger of the two modes, and the new version keeps us as a key-share locker
  // (heap_update: compute_new_xmax_infomask, xmax_new_tuple with HEAP_XMAX_KEYSHR_LOCK | HEAP_XMAX_LOCK_ONLY)
  const ourLock = (old.infomask & (HEAP_XMAX_LOCK_ONLY | HEAP_XMAX_INVALID | HEAP_XMAX_IS_MULTI)) === HEAP_XMAX_LOCK_ONLY &&
    (old.xmax === tx.xid || (tx.subXidSet?.has(old.xmax) ?? false)) ? lockModeOfItem(old) : null;
  const locker = old.xmax;
  if (page !== oldPage) {
    // heap_update: the new version does not fit here. Before it releases the page to find room elsewhere, it locks
    // the old version (so nobody else updates it meanwhile) and logs that lock, then marks the page full
    lockForUpdate(ctx, table, oldPage, off, old, keysChanged || ourLock === 'exclusive', page.blkno);
    oldPage.flags |= PD_PAGE_FULL;
  }
  setXmaxForModify(ctx, old);
  if (keysChanged || ourLock === 'exclusive') old.infomask2 |= HEAP_KEYS_UPDATED;
  if (ourLock) { item.xmax = locker; item.infomask = (item.infomask & ~HEAP_XMAX_INVALID) | HEAP_XMAX_KEYSHR_LOCK | HEAP_XMAX_LOCK_ONLY; }
  if (hot) { old.infomask2 |= HEAP_HOT_UPDATED; item.infomask2 |= HEAP_ONLY_TUPLE; }
  const newOff = HeapRelation.addItem(page, item);
  item.ctidBlock = page.blkno;
  item.ctidOffset = newOff;
  old.ctidBlock = page.blkno;
  old.ctidOffset = newOff;
  setPrunable(oldPage, tx.writeXid);
  if (ctx.tracer.wants('update')) {
    ctx.tracer.emit({ kind: 'update', session: ctx.session, rel: table.name, blk, off, xid: tx.writeXid, outcome: hot ? 'HOT' : 'non-HOT',
      text: `${hot ? 'HOT ' : ''}update: old version ${formatTid(blk, off)} gets t_xmax ${tx.writeXid} and t_ctid → ${formatTid(page.blkno, newOff)}; new version ${formatTid(page.blkno, newOff)} has t_xmin ${tx.writeXid}${hot ? ' (heap-only: no new index entry)' : ''}` });
  }
  const lsn = walForPage(ctx, hot ? WalKind.HeapHotUpdate : WalKind.HeapUpdate, 35 + item.lpLen, table, oldPage, off, false,
    { page, off: newOff, item, init: page !== oldPage && newPageIsNew && newOff === 1 }, old);
  if (page !== oldPage) stampPage(page, lsn);
  lastUpdate.blk = page.blkno; lastUpdate.off = newOff; lastUpdate.hot = hot;
  return lastUpdate;
}

/** The temporary lock heap_update puts on a version whose successor goes to another page (XLOG_HEAP_LOCK). */
function lockForUpdate(ctx: HeapContext, table: Table, page: Page, off: number, item: Item, keys: boolean, newBlk: number): void {
  setXmaxForModify(ctx, item);
  item.infomask |= HEAP_XMAX_LOCK_ONLY | HEAP_XMAX_EXCL_LOCK;
  if (keys) item.infomask2 |= HEAP_KEYS_UPDATED;
  item.ctidBlock = page.blkno; item.ctidOffset = off;
  if (ctx.tracer.wants('lock-row')) {
    ctx.tracer.emit({ kind: 'lock-row', session: ctx.session, rel: table.name, blk: page.blkno, off, xid: ctx.tx.writeXid,
      text: `the new version does not fit on block ${page.blkno} (it goes to block ${newBlk}): heap_update first locks ${formatTid(page.blkno, off)} (t_xmax ${ctx.tx.writeXid}, XMAX_LOCK_ONLY) and logs Heap/LOCK; the page is marked PD_PAGE_FULL` });
  }
  walForPage(ctx, WalKind.HeapLock, 54, table, page, off, false, null, item);
}

/** Where heap_update put the new version. One shared object (no allocation per row): read it before the next update. */
export interface UpdateResult { blk: number; off: number; hot: boolean }
const lastUpdate: UpdateResult = { blk: 0, off: 0, hot: false };

export function heapDelete(ctx: HeapContext, table: Table, blk: number, off: number): void {
  const page = table.heap.pages[blk]!;
  const item = page.items[off - 1]!;
  setXmaxForModify(ctx, item);
  item.infomask2 |= HEAP_KEYS_UPDATED;
  // no forward link: a deleted version's t_ctid is its own TID (heap_delete), whatever an earlier, aborted
  // update left there — a chain-follower must never reach past a delete
  item.ctidBlock = blk; item.ctidOffset = off;
  clearAllVisible(page);
  setPrunable(page, ctx.tx.writeXid);
  if (ctx.tracer.wants('delete')) {
    ctx.tracer.emit({ kind: 'delete', session: ctx.session, rel: table.name, blk, off, xid: ctx.tx.writeXid,
      text: `delete: ${formatTid(blk, off)} gets t_xmax ${ctx.tx.writeXid} (the tuple stays on the page until vacuum)` });
  }
  walForPage(ctx, WalKind.HeapDelete, 54, table, page, off, false, null, item);
}

export function heapLockTuple(ctx: HeapContext, table: Table, blk: number, off: number, mode: TupleLockMode, otherLockers: { xid: number; mode: TupleLockMode }[] = []): void {
  const page = table.heap.pages[blk]!;
  const item = page.items[off - 1]!;
  const tx = ctx.tx;
  if (otherLockers.length && ctx.newMulti) {
    // other transactions still hold compatible row locks: xmax becomes a MultiXact of all lockers
    const members = [...otherLockers, { xid: tx.writeXid, mode }];
    const strongest = members.reduce((a, m) => (STRENGTH[m.mode] > STRENGTH[a] ? m.mode : a), mode);
    item.xmax = ctx.newMulti(members);
    item.infomask &= ~(HEAP_XMAX_COMMITTED | HEAP_XMAX_INVALID | HEAP_LOCK_MASK);
    item.infomask |= HEAP_XMAX_IS_MULTI | HEAP_XMAX_LOCK_ONLY | TUPLE_LOCK_BITS[strongest];
    item.infomask2 &= ~HEAP_KEYS_UPDATED;
    if (strongest === 'exclusive') item.infomask2 |= HEAP_KEYS_UPDATED;
    item.infomask2 &= ~HEAP_HOT_UPDATED; // a lock-only xmax: no HOT chain, no forward link (heap_lock_tuple)
    item.ctidBlock = blk; item.ctidOffset = off;
    if (ctx.tracer.wants('lock-row')) {
      ctx.tracer.emit({ kind: 'lock-row', session: ctx.session, rel: table.name, blk, off, xid: tx.writeXid,
        text: `row lock on ${formatTid(blk, off)} shared with ${otherLockers.map((m) => m.xid).join(', ')}: t_xmax becomes MultiXact ${item.xmax} (HEAP_XMAX_IS_MULTI) with members ${members.map((m) => `${m.xid} (${m.mode})`).join(', ')}` });
    }
    walForPage(ctx, WalKind.HeapLock, 54, table, page, off, false, null, item);
    return;
  }
  if (item.xmax === tx.writeXid && (item.infomask & HEAP_XMAX_LOCK_ONLY) && STRENGTH[lockModeOfItem(item)] >= STRENGTH[mode]) return;
  if (item.xmax === tx.writeXid && !(item.infomask & HEAP_XMAX_LOCK_ONLY) && !(item.infomask & HEAP_XMAX_INVALID)) return; // we updated/deleted it already
  item.xmax = tx.writeXid;
  item.infomask &= ~(HEAP_XMAX_COMMITTED | HEAP_XMAX_INVALID | HEAP_XMAX_IS_MULTI | HEAP_LOCK_MASK);
  item.infomask |= HEAP_XMAX_LOCK_ONLY | TUPLE_LOCK_BITS[mode];
  item.infomask2 &= ~HEAP_KEYS_UPDATED;
  if (mode === 'exclusive') item.infomask2 |= HEAP_KEYS_UPDATED;
  // a lock-only xmax has no forward link: clear what an aborted updater left (HOT_UPDATED, t_ctid; heap_lock_tuple)
  item.infomask2 &= ~HEAP_HOT_UPDATED;
  item.ctidBlock = blk; item.ctidOffset = off;
  if (ctx.tracer.wants('lock-row')) {
    ctx.tracer.emit({ kind: 'lock-row', session: ctx.session, rel: table.name, blk, off, xid: tx.writeXid,
      text: `row lock FOR ${mode === 'keyshare' ? 'KEY SHARE' : mode === 'share' ? 'SHARE' : mode === 'nokeyexclusive' ? 'NO KEY UPDATE' : 'UPDATE'} on ${formatTid(blk, off)}: t_xmax ${tx.writeXid} with XMAX_LOCK_ONLY (no new version)` });
  }
  walForPage(ctx, WalKind.HeapLock, 54, table, page, off, false, null, item);
}
