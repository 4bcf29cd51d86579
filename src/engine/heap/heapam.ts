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
 * Worked example (engine): accounts (id int PRIMARY KEY, balance int) holds (1, 100) at (0,1) and (2, 200) at
 * (0,2), both xmin 724.
 *
 *     UPDATE accounts SET balance = 90 WHERE id = 1;   -- xid 725: no indexed column changed, room on the page
 *        (0,1) t_xmax 725, t_ctid (0,3), HEAP_HOT_UPDATED ──► (0,3) t_xmin 725, HEAP_ONLY_TUPLE | HEAP_UPDATED
 *        WAL: Heap HOT_UPDATE off 1; no index entry — the index still leads to (0,1)
 *     UPDATE accounts SET id = 3 WHERE id = 2;         -- xid 726: the key changed, so not HOT
 *        (0,2) t_xmax 726, t_ctid (0,4), HEAP_KEYS_UPDATED ──► (0,4) t_xmin 726, HEAP_UPDATED
 *        WAL: Heap UPDATE off 2, then Btree INSERT_LEAF for the new entry 3 → (0,4)
 *
 * The index then holds 1 → (0,1), 2 → (0,2), 3 → (0,4): the entry for 2 stays until VACUUM removes it.
 *
 * Mirrors: heap_insert, heap_update, heap_delete, heap_lock_tuple in src/backend/access/heap/heapam.c and
 * HeapTupleHeaderAdjustCmax (combocid.c). When more than one transaction has an interest in a version (compatible
 * row lockers, an update next to a key-share locker, a savepoint updating a row its parent locked), xmax is a
 * MultiXact (heap/xmax.ts). Every change clears the page's PD_ALL_VISIBLE and its visibility-map bits
 * (heap/visibilitymap.ts); a row lock clears only the all-frozen bit (the xmax it sets will need freezing).
 * A row with a value the toaster moves out of line (heaptoast.ts, toast_internals.ts) has its chunks inserted into
 * the TOAST table first; deleting it, or an UPDATE that replaces the value, deletes them (heap_toast_delete).
 */
import { type Compressed, MAX_HEAP_TUPLE_SIZE, TOAST_TUPLE_THRESHOLD, PENDING, compressedOf, needsToast, rowTooBig, setCompressed, toastRow, typeStorage } from './heaptoast.js';
import { chunkRows, externalBytes } from './toast_internals.js';
import { PgError, notSupported } from '../errors.js';
import { countInsert, countUpdate, countDelete } from '../pgstat/pgstat_relation.js';
import {
  type Item, LpFlags, tupleLength, tupleLengthPacked, TL_HASNULL, TL_VARWIDTH, HEAP_XMAX_INVALID, HEAP_XMAX_COMMITTED, HEAP_XMAX_IS_MULTI, HEAP_LOCK_MASK,
  HEAP_XMAX_LOCK_ONLY, HEAP_COMBOCID, HEAP_UPDATED, HEAP_HASNULL, HEAP_HASVARWIDTH, HEAP_KEYS_UPDATED,
  HEAP_HOT_UPDATED, HEAP_ONLY_TUPLE, HEAP_XMAX_KEYSHR_LOCK, MAXALIGN, HEAP_NATTS_MASK, HEAP_HASEXTERNAL,
} from './tuple.js';
import { HeapRelation, type Page, formatTid, PD_ALL_VISIBLE, PD_PAGE_FULL } from './heap.js';
import { vmClear, vmStatus, vmSet, VISIBILITYMAP_ALL_FROZEN, VISIBILITYMAP_ALL_VISIBLE } from './visibilitymap.js';
import type { Table } from '../catalog/catalog.js';
import { type Value, PgArray } from '../sql/types.js';
import { type Wal, WalKind, formatLsn, WAL_KIND_INFO, MAIN_DATA, RECORD_WITH_IMAGE } from '../wal/wal.js';
import type { Tracer } from '../trace/trace.js';
import type { Transaction } from '../xact/xact.js';
import { getCmin } from '../visibility/visibility.js';
import { type HeapTuplePayload, RF_INIT_NEW_PAGE } from '../wal/records.js';
import { pageImage } from '../buffer/bufmgr.js';
import { datumBytes } from './datum.js';
import { type TupleLockMode, TUPLE_LOCK_BITS, tupleLocksConflict, lockModeOfItem, isLockedOnly } from './rowlock.js';
import { type XmaxContext, type NewXmax, computeNewXmax } from './xmax.js';
import { multiHintBits, memberStatusName } from '../multixact/multixact.js';

export interface HeapContext {
  wal: Wal;
  tx: Transaction;
  tracer: Tracer;
  session: string;
  /** transaction status and MultiXacts, to compute a new xmax (heap/xmax.ts) */
  xmax: XmaxContext;
  /** what toast_save_datum needs beyond the heap: a new OID for a value's chunk_id (GetNewOidWithIndex) and the
   *  TOAST index's entry for each chunk (index_insert); absent: out-of-line storage is refused */
  toast?: { allocOid(): number; indexInsert(toast: Table, vals: Value[], blk: number, off: number): void; lock(toast: Table): void };
}

export type { TupleLockMode };
export { TUPLE_LOCK_BITS, tupleLocksConflict, lockModeOfItem };

/** What heap_update learnt about the old version's lockers while deciding whether to wait. */
export interface LockerCheck {
  /** it looked at the lockers (and waited for those in the way) */
  checked: boolean;
  /** some of them remain — the new version must carry them in its xmax */
  remain: boolean;
}
export const NO_LOCKER_CHECK: LockerCheck = Object.freeze({ checked: false, remain: false });

function stampPage(page: Page, lsn: number) { page.lsn = lsn; }
/** A change makes the page no longer all-visible (PageClearAllVisible) and clears its visibility-map bits. */
const clearAllVisible = (table: Table, page: Page): boolean => {
  const was = (page.flags & PD_ALL_VISIBLE) !== 0;
  page.flags &= ~PD_ALL_VISIBLE; vmClear(table.heap, page.blkno);
  return was;
};
/** xl_heap_update's flags: XLH_UPDATE_PREFIX_FROM_OLD, XLH_UPDATE_SUFFIX_FROM_OLD (heapam_xlog.h) */
const XLH_UPDATE_PREFIX_FROM_OLD = 0x20, XLH_UPDATE_SUFFIX_FROM_OLD = 0x40;
/**
 * log_heap_update's record length (without a full-page image). On the same page and with no image to take, the
 * new version's bytes that equal the old one's at the start (prefix) and at the end (suffix) are left out — each
 * only if at least 3 bytes long — and their lengths logged instead (2 bytes each): a HOT update of one int column
 * of (int, int) logs 71 bytes, not 74 (tests/scenarios/walinspect/records.out). The record: XLogRecord (24), block
 * 0's header with its RelFileNode and block number (20), the main data's header (2) and xl_heap_update (14), the
 * prefix/suffix lengths, xl_heap_header (5), then the tuple from its null bitmap on. Elsewhere (another page, an
 * image, a type datum.ts does not lay out) the engine's earlier estimate 35 + t_len is kept (not measured).
 */
function updateRecordLength(ctx: HeapContext, table: Table, oldPage: Page, page: Page, old: Item, item: Item): { len: number; flags: number } {
  const plain = { len: 35 + item.lpLen, flags: 0 };
  if (page !== oldPage) return plain;
  const hoff = (it: Item) => MAXALIGN(23 + (it.infomask & HEAP_HASNULL ? Math.ceil((it.infomask2 & HEAP_NATTS_MASK) / 8) : 0));
  const types = table.columns.map((c) => c.type);
  const ob = datumBytes(old.values, types, compressedOf(old.values)), nb = datumBytes(item.values, types, compressedOf(item.values));
  if (!ob || !nb || ob.length !== old.lpLen - hoff(old) || nb.length !== item.lpLen - hoff(item)) return plain;
  const min = Math.min(ob.length, nb.length);
  let prefix = 0;
  while (prefix < min && ob[prefix] === nb[prefix]) prefix++;
  if (prefix < 3) prefix = 0;
  let suffix = 0;
  while (suffix < min - prefix && ob[ob.length - suffix - 1] === nb[nb.length - suffix - 1]) suffix++;
  if (suffix < 3) suffix = 0;
  const flags = (prefix ? XLH_UPDATE_PREFIX_FROM_OLD : 0) | (suffix ? XLH_UPDATE_SUFFIX_FROM_OLD : 0);
  // with a full-page image the record leaves the tuple out; the flags stay as log_heap_update decided them from the
  // backend's cached redo pointer, which a CHECKPOINT (run by the checkpointer) does not refresh until the backend's
  // next WAL insert — so the first update after it still says prefix/suffix, a later one (the backend has seen the new
  // pointer) not (tests/scenarios/walinspect/describe.out; Wal.backendRedo)
  if (ctx.wal.needsFpi(oldPage.lsn)) return { len: plain.len, flags: ctx.wal.backendRedoStale(ctx.session) ? flags : 0 };
  return { len: 42 + item.lpLen + (prefix ? 2 : 0) + (suffix ? 2 : 0) - prefix - suffix, flags };
}

/** heap_lock_tuple: a locker's xmax must be frozen some day, so the block is no longer all-frozen (still all-visible). */
const clearAllFrozen = (table: Table, blk: number): boolean => {
  const bits = vmStatus(table.heap, blk);
  if (bits & VISIBILITYMAP_ALL_FROZEN) { vmClear(table.heap, blk); vmSet(table.heap, blk, bits & VISIBILITYMAP_ALL_VISIBLE); return true; }
  return false;
};

/** a full-page image's length: the page without its hole */
const imageSize = (p: Page) => p.lower + (8192 - p.upper);

function walForPage(
  ctx: HeapContext, kind: WalKind, len: number, table: Table, page: Page, off: number, initPage: boolean,
  newTuple: { page: Page; off: number; item: Item; init: boolean } | null, oldItem: Item | null, xlFlags = 0,
): number {
  // a temporary table (local buffers) or an unlogged one: no WAL (RelationNeedsWAL), the page LSN stays 0
  if (ctx.wal.localRels?.has(table.oid) || ctx.wal.unloggedRels?.has(table.oid)) return 0;
  const fpi = !initPage && ctx.wal.needsFpi(page.lsn) ? imageSize(page) : 0;
  // an UPDATE that put the new version on another page registers that page too: its own first change since the
  // checkpoint carries its own image (a new page, INSERT+INIT style, needs none)
  const other = newTuple && newTuple.page !== page && !newTuple.init && ctx.wal.needsFpi(newTuple.page.lsn) ? newTuple.page : null;
  const fpi2 = other ? imageSize(other) : 0;
  const w = ctx.wal;
  const payload: HeapTuplePayload | Value[] | undefined = fpi || fpi2
    ? { ...(newTuple ? { values: newTuple.item.values } : {}), ...(fpi ? { fpi: pageImage(page) } : {}), ...(other ? { fpi2: pageImage(other) } : {}) }
    : newTuple?.item.values;
  // with an image of its only block the record is the headers and the main data (the block's data left out:
  // tests/scenarios/walinspect/fpi.out); an UPDATE onto another page keeps the engine's earlier estimate (not measured)
  const oneBlock = !newTuple || newTuple.page === page;
  const recLen = fpi && oneBlock && MAIN_DATA[kind] !== undefined ? RECORD_WITH_IMAGE + MAIN_DATA[kind]! : fpi ? len - 13 : len;
  const lsn = w.insert(kind, ctx.tx.writeXid, recLen, table.oid, page.blkno, off, fpi + fpi2, payload);
  w.noteBackendInsert(ctx.session);
  const i = w.count - 1;
  const hx = w.hx;
  hx.ensure(i + 1);
  if (newTuple) {
    hx.setNew(i, newTuple.page.blkno, newTuple.off, newTuple.item);
    if (newTuple.init) hx.flags[i]! |= RF_INIT_NEW_PAGE;
    hx.pFlags2[i] = newTuple.page.flags;
  }
  if (oldItem) hx.setOld(i, oldItem);
  hx.pFlags[i] = page.flags; hx.pPrune[i] = page.pruneXid; hx.xlFlags[i] = xlFlags;
  if (ctx.tracer.wants('wal')) {
    ctx.tracer.emit({ kind: 'wal', session: ctx.session, rel: table.name, blk: page.blkno, off, xid: ctx.tx.writeXid, lsn: formatLsn(lsn),
      text: `WAL record appended: ${walName(kind)} for ${table.name} block ${page.blkno}${fpi ? ' with a full-page image' : ''}; `
        + `page LSN → ${formatLsn(lsn)}` });
  }
  stampPage(page, lsn);
  return lsn;
}
const walName = (k: WalKind) => WAL_KIND_INFO[k]?.join('/') ?? String(k);

/** the toast_tuple_target storage parameter (reloptions "toast_tuple_target=N"), if set */
function toastTupleTarget(t: Table): number | undefined {
  const o = t.reloptions?.find((x) => x.startsWith('toast_tuple_target='));
  return o ? Number(o.slice('toast_tuple_target='.length)) : undefined;
}

/** Why a table that needs a TOAST table has none here (the 0A000 of a value that would go out of line). */
function missingToastReason(t: Table): string {
  return t.temp ? 'a temporary table' : t.unlogged ? 'an unlogged table' : t.matview ? 'a materialized view'
    : 'a table that needed one only after it was created (ALTER TABLE ... ADD / ALTER COLUMN, CREATE TABLE AS)';
}

/** the array as this tuple stores it: 4-byte header if it was expanded when the tuple was formed */
function storedArray(v: PgArray): PgArray {
  if (!v.expanded && !v.stored4B) return v;
  const c = new PgArray(v.items, v.dims, v.lbs);
  c.stored4B = v.expanded;
  return c;
}

/** an expanded array, or one a tuple stored with a 4-byte header, among the values (a loop: newItem runs per row) */
function hasStoredArray(values: Value[]): boolean {
  for (let i = 0; i < values.length; i++) { const v = values[i]; if (v instanceof PgArray && (v.expanded || v.stored4B)) return true; }
  return false;
}

/** What newItem learnt: heap_update's need_toast (an out-of-line value in the new row, or a row over the threshold) */
interface NewItemInfo { needToast: boolean }

function newItem(values: Value[], table: Table, xid: number, cid: number, updated: boolean, carried?: (Compressed | undefined)[], info?: NewItemInfo): Item {
  let packed = table.fixedLength;
  if (packed !== undefined) for (let i = 0; i < values.length; i++) if (values[i] === null) { packed = undefined; break; }
  if (packed === undefined) packed = tupleLengthPacked(values, table.types, carried);
  let len = packed & 0xffffff;
  // an expanded array is flattened with a 4-byte header; read back from the page it is a plain one (packed short
  // again when a later version is formed): the stored values say which layout this tuple has
  if (hasStoredArray(values)) values = values.map((v) => (v instanceof PgArray ? storedArray(v) : v));
  // heap_prepare_insert / heap_update: a row over TOAST_TUPLE_THRESHOLD goes through the toaster (heaptoast.ts)
  let compressed = carried;
  if (info) info.needToast = len > TOAST_TUPLE_THRESHOLD || (carried?.some((c) => c?.external) ?? false);
  if (len > TOAST_TUPLE_THRESHOLD) {
    const types = table.types, vals = values;
    const hoff = MAXALIGN(23 + (packed & TL_HASNULL ? Math.ceil(values.length / 8) : 0));
    const storage = table.columns.map((c) => c.storage ?? typeStorage(c.type));
    const toast = table.toast !== undefined || (needsToast(table.columns.filter((c) => !c.dropped)) && missingToastReason(table));
    compressed = toastRow(values, types, storage, toast, toastTupleTarget(table), carried,
      (c) => tupleLength(vals, types, c).len - hoff);
    packed = tupleLengthPacked(values, types, compressed);
    len = packed & 0xffffff;
  }
  if (compressed?.some((c) => c)) setCompressed(values, compressed);
  if (len > MAX_HEAP_TUPLE_SIZE) throw rowTooBig(len);
  const external = compressed?.some((c) => c?.external) ?? false;
  return {
    lpFlags: LpFlags.NORMAL, lpOff: 0, lpLen: len, xmin: xid, xmax: 0, field3: cid, ctidBlock: 0, ctidOffset: 0,
    infomask: HEAP_XMAX_INVALID | (updated ? HEAP_UPDATED : 0) | (packed & TL_HASNULL ? HEAP_HASNULL : 0) | (packed & TL_VARWIDTH ? HEAP_HASVARWIDTH : 0)
      | (external ? HEAP_HASEXTERNAL : 0),
    infomask2: table.columns.length,
    values,
  };
}

/**
 * toast_save_datum for each value the toaster moved out of line in this new tuple: a new OID, its chunks inserted
 * into the TOAST table and its index; the tuple's pointer then names them.
 */
function toastSave(ctx: HeapContext, table: Table, item: Item): void {
  const c = compressedOf(item.values);
  if (!c || !c.some((x) => x?.external === PENDING)) return;
  const toast = table.toast;
  if (!toast || !ctx.toast) throw notSupported('storing a value out of line in the TOAST table here');
  const out = c.slice();
  ctx.toast.lock(toast);
  for (let i = 0; i < out.length; i++) {
    const x = out[i];
    if (x?.external !== PENDING) continue;
    const valueId = ctx.toast.allocOid();
    const chunks: { blk: number; off: number }[] = [];
    for (const row of chunkRows(valueId, externalBytes(x))) {
      const data = (row[2]).data();
      const vals: Value[] = row;
      const tid = heapInsert(ctx, toast, vals, [undefined, undefined, { data, rawSize: data.length, raw: true }]);
      ctx.toast.indexInsert(toast, vals, tid.blk, tid.off);
      chunks.push(tid);
    }
    out[i] = { ...x, external: { valueId, toastRelId: toast.oid, chunks } };
  }
  setCompressed(item.values, out);
}

/** toast_delete_datum: the chunks of an out-of-line value get our xmax (VACUUM removes them). */
function toastDelete(ctx: HeapContext, table: Table, c: Compressed): void {
  const toast = table.toast;
  if (!toast || !c.external) return;
  ctx.toast?.lock(toast);
  for (const ch of c.external.chunks) heapDelete(ctx, toast, ch.blk, ch.off);
}

export function heapInsert(ctx: HeapContext, table: Table, values: Value[], stored?: (Compressed | undefined)[]): { blk: number; off: number } {
  const tx = ctx.tx;
  const item = newItem(values, table, tx.writeXid, tx.curcid, false, stored);
  toastSave(ctx, table, item);
  tx.cidUsed = true;
  countInsert(tx, table.oid);
  const page = table.heap.pageFor(item.lpLen);
  const isNew = table.heap.lastPageIsNew;
  const cleared = clearAllVisible(table, page);
  const off = HeapRelation.addItem(page, item);
  item.ctidBlock = page.blkno;
  item.ctidOffset = off;
  if (ctx.tracer.wants('insert')) {
    ctx.tracer.emit({ kind: 'insert', session: ctx.session, rel: table.name, blk: page.blkno, off, xid: tx.writeXid,
      text: `new tuple ${formatTid(page.blkno, off)} in ${table.name}: t_xmin ${tx.writeXid}, t_xmax 0 (XMAX_INVALID), cmin ${tx.curcid}` });
  }
  const init = isNew && off === 1;
  walForPage(ctx, init ? WalKind.HeapInsertInit : WalKind.HeapInsert, 31 + item.lpLen, table, page, off, init,
    { page, off, item, init }, null, cleared ? 1 : 0);
  return { blk: page.blkno, off };
}

const HEAP_XMAX_BITS = HEAP_XMAX_COMMITTED | HEAP_XMAX_INVALID | HEAP_XMAX_IS_MULTI | HEAP_LOCK_MASK | HEAP_XMAX_LOCK_ONLY;

/** Write a computed xmax and its bits into a tuple header. */
function setXmax(item: Item, nx: NewXmax): void {
  item.xmax = nx.xmax;
  item.infomask = (item.infomask & ~HEAP_XMAX_BITS) | nx.infomask;
  item.infomask2 = (item.infomask2 & ~HEAP_KEYS_UPDATED) | nx.infomask2;
}

/** HeapTupleHeaderAdjustCmax: the cmax to store — a combo CID when our own transaction also inserted the version. */
function cmaxFor(ctx: HeapContext, item: Item): { field3: number; combo: boolean } {
  const tx = ctx.tx;
  const mine = item.xmin === tx.xid || (tx.subXidSet?.has(item.xmin) ?? false);
  tx.cidUsed = true;
  if (!mine) return { field3: tx.curcid, combo: false };
  const cmin = getCmin(item, { combos: tx.combos } as never);
  return { field3: tx.comboFor(cmin, tx.curcid), combo: true };
}
function setCmax(item: Item, c: { field3: number; combo: boolean }): void {
  item.field3 = c.field3;
  item.infomask = c.combo ? item.infomask | HEAP_COMBOCID : item.infomask & ~HEAP_COMBOCID;
}

/** How a trace names an xmax: "t_xmax 731" or "t_xmax = MultiXact 3 {730 keysh, 731 nokeyupd}". */
function describeXmax(ctx: HeapContext, nx: NewXmax): string {
  if (!(nx.infomask & HEAP_XMAX_IS_MULTI)) return `t_xmax ${nx.xmax}`;
  const members = ctx.xmax.multis.members(nx.xmax).map((m) => `${m.xid} ${memberStatusName(m)}`).join(', ');
  return `t_xmax = MultiXact ${nx.xmax} {${members}} (HEAP_XMAX_IS_MULTI: more than one transaction still has an interest in this version)`;
}

function setPrunable(page: Page, xid: number) {
  if (page.pruneXid === 0 || xid < page.pruneXid) page.pruneXid = xid;
}

/**
 * heap_update. `mode` is the row-lock strength the update takes (FOR UPDATE strength when a key column's value
 * changes); `lockers` what the caller found about lockers of the old version while deciding whether to wait.
 */
export function heapUpdate(
  ctx: HeapContext, table: Table, blk: number, off: number, values: Value[], indexedChanged: boolean, mode: TupleLockMode,
  lockers: LockerCheck = NO_LOCKER_CHECK,
): UpdateResult {
  const tx = ctx.tx;
  const oldPage = table.heap.pages[blk]!;
  const old = oldPage.items[off - 1]!;
  // the old version's new xmax, computed from what is there now: a lock of ours is upgraded, other lockers still
  // running are kept with us in a MultiXact
  if (mode === 'nokeyexclusive') setOldestMember(ctx); // heap_update: only an update that keeps the key
  const oldX = computeNewXmax(ctx.xmax, old.xmax, old.infomask, old.infomask2, tx.writeXid, mode, true);
  // a compressed value the UPDATE did not change is carried over as it is (the executor never decompressed it)
  const oldCompressed = compressedOf(old.values);
  const carried = oldCompressed?.map((c, i) => (c && values[i] === old.values[i] ? c : undefined));
  const info: NewItemInfo = { needToast: false };
  const item = newItem(values, table, tx.writeXid, tx.curcid, true, carried?.some((c) => c) ? carried : undefined, info);
  // lockers that remain go on to the new version (xmax_new_tuple): only key-share lockers can be there, as the update
  // did not conflict with them (our own lock shows as a key-share one)
  if (!(old.infomask & HEAP_XMAX_INVALID) && !(lockers.checked && !lockers.remain)) {
    item.xmax = old.xmax;
    const bits = old.infomask & HEAP_XMAX_IS_MULTI
      ? multiHintBits(ctx.xmax.multis.members(old.xmax))
      : { infomask: HEAP_XMAX_KEYSHR_LOCK | HEAP_XMAX_LOCK_ONLY, infomask2: 0 };
    item.infomask = (item.infomask & ~HEAP_XMAX_INVALID) | bits.infomask;
    item.infomask2 |= bits.infomask2;
  }
  // heap_update's need_toast: the old or the new version has an out-of-line value, or the new one is over the
  // threshold. The old version is locked (and the lock logged) before the toaster runs, as when the new version
  // must go to another page; then the new values' chunks are written and the replaced values' chunks deleted.
  const needToast = info.needToast || (old.infomask & HEAP_HASEXTERNAL) !== 0;
  let locked = false;
  if (needToast && table.toastOf === undefined) { // (a TOAST table's own rows are never toasted)
    const frozen = (vmStatus(table.heap, oldPage.blkno) & VISIBILITYMAP_ALL_FROZEN) !== 0;
    const lockX = computeNewXmax(ctx.xmax, old.xmax, old.infomask, old.infomask2, tx.writeXid, mode, false);
    lockForUpdate(ctx, table, oldPage, off, old, lockX, cmaxFor(ctx, old), -1, frozen);
    locked = true;
    toastSave(ctx, table, item);
    const kept = compressedOf(item.values);
    oldCompressed?.forEach((c, i) => { if (c?.external && kept?.[i] !== c) toastDelete(ctx, table, c); });
  }
  const sameFits = HeapRelation.fits(oldPage, item.lpLen);
  const hot = !indexedChanged && sameFits;
  const page = table.heap.pageFor(item.lpLen, oldPage);
  const newPageIsNew = table.heap.lastPageIsNew;
  const frozenBefore = (vmStatus(table.heap, oldPage.blkno) & VISIBILITYMAP_ALL_FROZEN) !== 0;
  const oldCleared = clearAllVisible(table, oldPage);
  const newCleared = clearAllVisible(table, page) && page !== oldPage;
  const cmax = cmaxFor(ctx, old);
  if (page !== oldPage && locked) oldPage.flags |= PD_PAGE_FULL;
  if (page !== oldPage && !locked) {
    // heap_update: the new version does not fit here. Before it releases the page to find room elsewhere, it locks
    // the old version (so nobody else updates it meanwhile) and logs that lock, then marks the page full
    const lockX = computeNewXmax(ctx.xmax, old.xmax, old.infomask, old.infomask2, tx.writeXid, mode, false);
    lockForUpdate(ctx, table, oldPage, off, old, lockX, cmax, page.blkno, frozenBefore);
    oldPage.flags |= PD_PAGE_FULL;
  }
  setXmax(old, oldX);
  setCmax(old, cmax);
  old.infomask2 &= ~HEAP_HOT_UPDATED;
  if (hot) { old.infomask2 |= HEAP_HOT_UPDATED; item.infomask2 |= HEAP_ONLY_TUPLE; }
  const newOff = HeapRelation.addItem(page, item);
  item.ctidBlock = page.blkno;
  item.ctidOffset = newOff;
  old.ctidBlock = page.blkno;
  old.ctidOffset = newOff;
  setPrunable(oldPage, tx.writeXid);
  if (ctx.tracer.wants('update')) {
    ctx.tracer.emit({ kind: 'update', session: ctx.session, rel: table.name, blk, off, xid: tx.writeXid, outcome: hot ? 'HOT' : 'non-HOT',
      text: `${hot ? 'HOT ' : ''}update: old version ${formatTid(blk, off)} gets ${describeXmax(ctx, oldX)} and t_ctid → `
        + `${formatTid(page.blkno, newOff)}; new version ${formatTid(page.blkno, newOff)} has t_xmin ${tx.writeXid}`
        + `${hot ? ' (heap-only: no new index entry)' : ''}`
        + `${item.infomask & HEAP_XMAX_INVALID ? '' : ` and keeps the remaining lockers in its t_xmax ${item.xmax}`}` });
  }
  const rec = updateRecordLength(ctx, table, oldPage, page, old, item);
  const lsn = walForPage(ctx, hot ? WalKind.HeapHotUpdate : WalKind.HeapUpdate, rec.len, table, oldPage, off, false,
    { page, off: newOff, item, init: page !== oldPage && newPageIsNew && newOff === 1 }, old, rec.flags | (oldCleared ? 1 : 0) | (newCleared ? 2 : 0));
  if (page !== oldPage) stampPage(page, lsn);
  countUpdate(tx, table.oid, hot);
  return { blk: page.blkno, off: newOff, hot };
}

/** The temporary lock heap_update puts on a version whose successor goes to another page (XLOG_HEAP_LOCK). */
function lockForUpdate(
  ctx: HeapContext, table: Table, page: Page, off: number, item: Item, lockX: NewXmax, cmax: { field3: number; combo: boolean }, newBlk: number,
  clearedAllFrozen: boolean,
): void {
  setXmax(item, lockX);
  setCmax(item, cmax);
  item.infomask2 &= ~HEAP_HOT_UPDATED;
  item.ctidBlock = page.blkno; item.ctidOffset = off;
  if (ctx.tracer.wants('lock-row')) {
    ctx.tracer.emit({ kind: 'lock-row', session: ctx.session, rel: table.name, blk: page.blkno, off, xid: ctx.tx.writeXid,
      text: `${newBlk < 0 ? 'the new version goes through the toaster' : `the new version does not fit on block ${page.blkno} (it goes to block ${newBlk})`}: heap_update first locks `
        + `${formatTid(page.blkno, off)} (${describeXmax(ctx, lockX)}, XMAX_LOCK_ONLY) and logs Heap/LOCK; the page is marked PD_PAGE_FULL` });
  }
  walForPage(ctx, WalKind.HeapLock, 54, table, page, off, false, null, item, clearedAllFrozen ? 1 : 0);
}

/** Where heap_update put the new version, and whether the update was HOT. */
export interface UpdateResult { blk: number; off: number; hot: boolean }

/** MultiXactIdSetOldestMember: from now on this transaction may be made a member of a MultiXact. */
function setOldestMember(ctx: HeapContext): void {
  if (!ctx.tx.oldestMemberMxact) ctx.tx.oldestMemberMxact = ctx.xmax.multis.next;
}

/** ItemPointerSetMovedPartitions: the t_ctid a row moved to another partition keeps (no forward link can be followed) */
export const MOVED_PARTITIONS_BLOCK = 0xFFFFFFFF;
export const MOVED_PARTITIONS_OFFSET = 0xFFFD;
export const movedPartitions = (item: { ctidBlock: number; ctidOffset: number }) =>
  item.ctidBlock === MOVED_PARTITIONS_BLOCK && item.ctidOffset === MOVED_PARTITIONS_OFFSET;
/** What a transaction that meets a moved row gets (heapam_tuple_lock, ExecLockRows). */
export const movedError = () => new PgError('40001', 'tuple to be locked was already moved to another partition due to concurrent update');

export function heapDelete(ctx: HeapContext, table: Table, blk: number, off: number, changingPart = false): void {
  const page = table.heap.pages[blk]!;
  const item = page.items[off - 1]!;
  setOldestMember(ctx);
  const nx = computeNewXmax(ctx.xmax, item.xmax, item.infomask, item.infomask2, ctx.tx.writeXid, 'exclusive', true);
  const cmax = cmaxFor(ctx, item);
  setXmax(item, nx);
  setCmax(item, cmax);
  item.infomask2 &= ~HEAP_HOT_UPDATED;
  // no forward link: a deleted version's t_ctid is its own TID (heap_delete), whatever an earlier, aborted
  // update left there — a chain-follower must never reach past a delete
  item.ctidBlock = blk; item.ctidOffset = off;
  // an UPDATE that moves the row to another partition deletes it here with a t_ctid that says so
  if (changingPart) { item.ctidBlock = MOVED_PARTITIONS_BLOCK; item.ctidOffset = MOVED_PARTITIONS_OFFSET; }
  const cleared = clearAllVisible(table, page);
  setPrunable(page, ctx.tx.writeXid);
  if (ctx.tracer.wants('delete')) {
    ctx.tracer.emit({ kind: 'delete', session: ctx.session, rel: table.name, blk, off, xid: ctx.tx.writeXid,
      text: `delete: ${formatTid(blk, off)} gets ${describeXmax(ctx, nx)} (the tuple stays on the page until vacuum)` });
  }
  walForPage(ctx, WalKind.HeapDelete, 54, table, page, off, false, null, item, cleared ? 1 : 0);
  countDelete(ctx.tx, table.oid);
  // heap_toast_delete: the row's out-of-line values go with it (not when the row only moves to another partition's
  // TOAST table: PostgreSQL deletes them there too, so do we)
  if (item.infomask & HEAP_HASEXTERNAL) for (const c of compressedOf(item.values) ?? []) if (c?.external) toastDelete(ctx, table, c);
}

const LOCK_WORDS: Record<TupleLockMode, string> = { keyshare: 'KEY SHARE', share: 'SHARE', nokeyexclusive: 'NO KEY UPDATE', exclusive: 'UPDATE' };

/**
 * heap_lock_tuple's change to the page, once the caller has decided it may lock (and found we do not hold an
 * equal or stronger lock already): t_xmax becomes us, or a MultiXact of us and those still interested.
 */
export function heapLockTuple(ctx: HeapContext, table: Table, blk: number, off: number, mode: TupleLockMode): void {
  const page = table.heap.pages[blk]!;
  const item = page.items[off - 1]!;
  setOldestMember(ctx);
  const nx = computeNewXmax(ctx.xmax, item.xmax, item.infomask, item.infomask2, ctx.tx.writeXid, mode, false);
  setXmax(item, nx);
  if (isLockedOnly(nx.infomask)) {
    // a lock-only xmax has no forward link: clear what an aborted updater left (HOT_UPDATED, t_ctid); a version
    // that was updated keeps its link (a KEY SHARE lock next to the updater)
    item.infomask2 &= ~HEAP_HOT_UPDATED;
    item.ctidBlock = blk; item.ctidOffset = off;
  }
  const clearedFrozen = clearAllFrozen(table, blk);
  if (ctx.tracer.wants('lock-row')) {
    ctx.tracer.emit({ kind: 'lock-row', session: ctx.session, rel: table.name, blk, off, xid: ctx.tx.writeXid,
      text: `row lock FOR ${LOCK_WORDS[mode]} on ${formatTid(blk, off)}: ${describeXmax(ctx, nx)}`
        + `${isLockedOnly(nx.infomask) ? ' with XMAX_LOCK_ONLY' : ''} (no new version)` });
  }
  walForPage(ctx, WalKind.HeapLock, 54, table, page, off, false, null, item, clearedFrozen ? 1 : 0);
}

/** heap_lock_updated_tuple_rec's change to one newer version of a row we locked (XLOG_HEAP2_LOCK_UPDATED). */
export function heapLockUpdated(ctx: HeapContext, table: Table, blk: number, off: number, mode: TupleLockMode): void {
  const page = table.heap.pages[blk]!;
  const item = page.items[off - 1]!;
  setOldestMember(ctx);
  const nx = computeNewXmax(ctx.xmax, item.xmax, item.infomask, item.infomask2, ctx.tx.writeXid, mode, false);
  setXmax(item, nx);
  const clearedFrozen = clearAllFrozen(table, blk);
  if (ctx.tracer.wants('lock-row')) {
    ctx.tracer.emit({ kind: 'lock-row', session: ctx.session, rel: table.name, blk, off, xid: ctx.tx.writeXid,
      text: `the row was updated since: its newer version ${formatTid(blk, off)} is locked FOR ${LOCK_WORDS[mode]} too `
        + `(${describeXmax(ctx, nx)}), so nobody can delete the key under us` });
  }
  walForPage(ctx, WalKind.Heap2LockUpdated, 54, table, page, off, false, null, item, clearedFrozen ? 1 : 0);
}
