/**
 * Lazy VACUUM of one table, as vacuumlazy.c runs it: prune and freeze page by page, vacuum the indexes, make the
 * dead line pointers unused, set the visibility map, record free space, cut off empty pages at the end, and
 * advance pg_class.relfrozenxid. VACUUM VERBOSE prints what it did, in PostgreSQL 15's words.
 *
 * The cutoffs (vacuum_set_xid_limits):
 *   OldestXmin  ("removable cutoff") — the horizon: a version deleted by a transaction older than every snapshot
 *               still in use is dead to everyone and can go; one deleted later is "dead but not yet removable".
 *   FreezeLimit — OldestXmin − vacuum_freeze_min_age (50 million by default, 0 for VACUUM FREEZE): a tuple whose
 *               committed xmin is older is frozen — HEAP_XMIN_COMMITTED | HEAP_XMIN_INVALID (= HEAP_XMIN_FROZEN)
 *               set, t_xmin kept for forensics — so it stays visible after its xid wraps around.
 *   aggressive  — relfrozenxid older than OldestXmin − vacuum_freeze_table_age (150 million; 0 for FREEZE): then
 *               no all-visible page may be skipped ("aggressively vacuuming").
 *
 * Worked example (tests/scenarios/vacuum/freeze.spec, recorded on PostgreSQL 15). The setup creates t (id int PRIMARY
 * KEY, v int) and its rows 1..10 in one transaction, xid 724; rows 1..4 are deleted (xid 725):
 *
 *     VACUUM VERBOSE t            removable cutoff: 726; tuples: 4 removed, 6 remain; index scan needed: 1 pages
 *                                 … had 4 dead item identifiers removed; (0,1)..(0,4) LP_UNUSED, (0,5)..(0,10)
 *                                 t_infomask 2304 (XMIN_COMMITTED | XMAX_INVALID); the block all-visible, not
 *                                 all-frozen (xmin 724 is younger than FreezeLimit); relfrozenxid stays 724
 *     VACUUM (FREEZE, VERBOSE) t  "aggressively vacuuming"; t_infomask 2816 (+ XMIN_INVALID: HEAP_XMIN_FROZEN),
 *                                 Heap2/FREEZE_PAGE, the block all-frozen; new relfrozenxid: 726, which is 2 XIDs
 *                                 ahead of previous value
 *
 * A MultiXact in t_xmax (heapam.c FreezeMultiXactId, tests/scenarios/vacuum/freeze-multixact.spec): one of lockers
 * all finished and older than any a running transaction may be a member of is removed even by a plain VACUUM;
 * VACUUM FREEZE (MultiXactCutoff = OldestMxact, freeze limit = OldestXmin) removes one whose members are all gone,
 * turns one whose only member left is the updater into that plain xid, replaces one with running lockers by a new
 * MultiXact of those, and keeps one no member of which is older than the freeze limit.
 *
 * Index vacuuming is bypassed when fewer than 2 % of the table's pages have dead line pointers (they stay LP_DEAD
 * until a later VACUUM: "index scan bypassed"); a table without indexes makes them unused at once. Each B-tree leaf
 * that loses entries logs its own Btree VACUUM record, in block order (btvacuumpage → _bt_delitems_vacuum: ndeleted,
 * nupdated, the offsets as block data, or the leaf's full-page image), where the index's pages are laid out
 * (index/nbtlayout.ts vacuumPlan); otherwise one record for the index (tests/scenarios/walinspect/btree-vacuum.out).
 *
 * A page another backend pins (an open cursor's scan stopped on it, a statement waiting for one of its rows) gives
 * no cleanup lock: VACUUM only reads it (lazy_scan_noprune) — its tuples are counted, its dead ones "missed" (the
 * VERBOSE line "tuples missed: N dead from M pages not removed due to cleanup lock contention"), its LP_DEAD items
 * still go to the index pass, and what stays unfrozen holds the new relfrozenxid back. An aggressive VACUUM would
 * wait for the pin to go (LockBufferForCleanup) when the page has something to freeze: that wait is not modelled
 * (0A000).
 *
 * Mirrors: src/backend/access/heap/vacuumlazy.c (heap_vacuum_rel, lazy_scan_heap, lazy_scan_noprune, lazy_scan_prune,
 * lazy_vacuum, lazy_vacuum_heap_page, lazy_truncate_heap, should_attempt_truncation), heapam.c
 * (heap_prepare_freeze_tuple, FreezeMultiXactId), multixact.c (GetOldestMultiXactId), commands/vacuum.c
 * (vacuum_set_xid_limits, vac_update_relstats). Simplifications:
 * no page is skipped (the skipping of all-visible runs of 32+ pages, SKIP_PAGES_THRESHOLD, is not modelled: every
 * page is scanned, so relfrozenxid always advances); OldestMxact counts the MultiXacts running transactions may
 * be members of (OldestMemberMXactId), not those they have only looked at (OldestVisibleMXactId), nor those of
 * prepared transactions; the VERBOSE lines about I/O rates, buffer usage and CPU are printed as for an instant
 * run (the recordings normalise them);
 * B-tree pages freed by VACUUM are counted only when an index is emptied.
 */
import { HashIndex } from '../index/hash.js';
import { bucketChain } from '../index/hashpage.js';
import { logAccessExclusiveLock } from '../wal/standby.js';
import type { Engine } from '../engine.js';
import type { Session } from '../session/session.js';
import type { Table } from '../catalog/catalog.js';
import type { Page } from '../heap/heap.js';
import type { Item } from '../heap/tuple.js';
import { multiHintBits } from '../multixact/multixact.js';
import { HeapRelation, PD_ALL_VISIBLE, packTid, formatTid } from '../heap/heap.js';
import {
  LpFlags, HEAP_XMIN_COMMITTED, HEAP_XMIN_FROZEN, HEAP_XMAX_INVALID, HEAP_XMAX_IS_MULTI, HEAP_XMAX_COMMITTED,
  HEAP_XMAX_LOCK_ONLY, HEAP_LOCK_MASK, HEAP_HOT_UPDATED, HEAP_KEYS_UPDATED,
} from '../heap/tuple.js';
/** HEAP_XMAX_BITS: everything t_infomask says about t_xmax */
const HEAP_XMAX_BITS = HEAP_XMAX_COMMITTED | HEAP_XMAX_INVALID | HEAP_XMAX_IS_MULTI | HEAP_LOCK_MASK | HEAP_XMAX_LOCK_ONLY;
import { prunePage, reclaimDead, removeIndexEntries, satisfiesVacuum, VacState, truncateHeap } from './vacuum.js';
import { removableHorizon, vacuumContext, isPinned } from './pruneheap.js';
import { portalPins } from '../tcop/portalmem.js';
import { vmStatus, vmSet, VISIBILITYMAP_ALL_VISIBLE, VISIBILITYMAP_ALL_FROZEN } from '../heap/visibilitymap.js';
import { WalKind, formatLsn, heap2Length } from '../wal/wal.js';
import { vacuumPlan, layoutOrNull } from '../index/nbtlayout.js';
import { pageBounds } from '../index/nbtree.js';
import { heap2Payload, type HashDeletePayload, type BtreeVacuumPayload, type Heap2Payload, type Heap2VisiblePayload, type StorageTruncatePayload } from '../wal/records.js';
import { btreePages } from '../sql/funcs/dbsize.js';
import { type PgMessage, notSupported } from '../errors.js';

export interface VacuumParams {
  freeze: boolean; verbose: boolean; indexCleanup: 'auto' | 'on' | 'off'; truncate: boolean;
  /** DISABLE_PAGE_SKIPPING: aggressive, and no page skipped for its visibility map bits */
  disablePageSkipping?: boolean;
  /** PROCESS_TOAST false: the TOAST table is left alone */
  processToast?: boolean;
  /** xids this VACUUM's earlier tables took (a truncation's AccessExclusiveLock): committed, as far as the horizon goes */
  finished?: ReadonlySet<number>;
}

const FIRST_NORMAL_XID = 3;
/** BYPASS_THRESHOLD_PAGES: index vacuuming is skipped while fewer than 2 % of the pages have LP_DEAD items */
const BYPASS_THRESHOLD_PAGES = 0.02;

const pct = (a: number, b: number) => (b === 0 ? 100 : (100 * a) / b).toFixed(2);

/** The table's relfrozenxid as pg_class has it (set at creation: the creator's RecentXmin). */
export const relFrozenXid = (t: Table) => t.relfrozenxid ?? FIRST_NORMAL_XID;

export function lazyVacuumRel(eng: Engine, s: Session, t: Table, p: VacuumParams): void {
  const tracer = eng.tracer;
  const oldestXmin = removableHorizon(eng, p.finished);
  const ctx = vacuumContext(eng, oldestXmin);
  const setting = (name: string) => Number(eng.currentSetting(s, name) ?? 0);
  const minAge = p.freeze ? 0 : setting('vacuum_freeze_min_age');
  const tableAge = p.freeze ? 0 : Math.min(setting('vacuum_freeze_table_age'), Math.floor(0.95 * setting('autovacuum_freeze_max_age')));
  const clamp = (x: number) => (x < FIRST_NORMAL_XID ? FIRST_NORMAL_XID : x);
  const freezeLimit = clamp(oldestXmin - minAge);
  // DISABLE_PAGE_SKIPPING makes it aggressive too (heap_vacuum_rel; no page is skipped here anyway)
  const aggressive = !!p.disablePageSkipping || relFrozenXid(t) <= clamp(oldestXmin - tableAge);
  const oldFrozenXid = relFrozenXid(t), oldMinMxid = t.relminmxid ?? 1;
  // MultiXactCutoff: OldestMxact − vacuum_multixact_freeze_min_age (5 million; 0 for FREEZE), at least 1
  const oldestMxact = eng.oldestMxact();
  const multiCutoff = Math.max(1, oldestMxact - (p.freeze ? 0 : setting('vacuum_multixact_freeze_min_age')));
  let newFrozenXid = oldestXmin, newMinMxid = oldestMxact;
  const name = `postgres.${t.nsp?.name ?? 'public'}.${t.name}`;
  const info = (message: string) => { if (p.verbose) s.acc.notices.push({ severity: 'INFO', sqlstate: '00000', message } as PgMessage); };
  info(`${aggressive ? 'aggressively vacuuming' : 'vacuuming'} "${name}"`);

  const relPages = t.heap.pages.length;
  let tuplesDeleted = 0, liveTuples = 0, recentlyDead = 0, lpdeadPages = 0, lpdeadItems = 0, scanned = 0, visible = 0;
  const deadByPage = new Map<number, number[]>();
  const walStart = eng.wal.count;

  /** len: the record's length, or for PRUNE / VACUUM the number of offsets its block data holds (heap2Length) */
  const logHeap2 = (kind: WalKind, len: number | { offsets: number }, page: Page, desc?: Pick<Heap2Payload, 'nunused' | 'cutoff' | 'ntuples' | 'latestRemovedXid' | 'nredirected' | 'ndead'>) => {
    const fpi = eng.wal.needsFpi(page.lsn) ? page.lower + (8192 - page.upper) : 0;
    if (typeof len !== 'number') len = heap2Length(kind as WalKind.Heap2Prune | WalKind.Heap2Vacuum, len.offsets, fpi > 0);
    page.lsn = eng.wal.insert(kind, 0, len, t.oid, page.blkno, 0, fpi, { ...heap2Payload(page, fpi > 0, kind === WalKind.Heap2FreezePage), ...desc });
    eng.wal.noteBackendInsert(s.name);
  };
  /**
   * visibility_cutoff_xid (lazy_scan_prune, heap_page_is_all_visible): the newest xmin of the page's tuples, a frozen
   * one counting as FrozenTransactionId (2); InvalidTransactionId (0) for a page without tuples. The first pass takes
   * it before it freezes the page (heap_prepare_freeze_tuple only plans; the plan runs after the scan of the page),
   * the second pass after (its tuples were frozen by the first): tests/scenarios/walinspect/describe-multi-vm.out.
   */
  const newestXmin = (page: Page): number => {
    let cutoff = 0;
    for (const it of page.items) {
      if (it.lpFlags !== LpFlags.NORMAL) continue;
      const xmin = (it.infomask & HEAP_XMIN_FROZEN) === HEAP_XMIN_FROZEN ? 2 : it.xmin;
      if (xmin > cutoff) cutoff = xmin;
    }
    return cutoff;
  };
  /**
   * visibilitymap_set (+ PD_ALL_VISIBLE): Heap2/VISIBLE, with the VM page's image on its first change after a
   * checkpoint. The record's flags are the bits this call sets (only ALL_FROZEN on a page already all-visible, which
   * the first pass logs with cutoff InvalidTransactionId: setting all-frozen causes no recovery conflict).
   */
  const setVisible = (page: Page, frozen: boolean, pageCutoff: number, firstPass: boolean) => {
    const old = vmStatus(t.heap, page.blkno);
    const bits = (old & VISIBILITYMAP_ALL_VISIBLE ? 0 : VISIBILITYMAP_ALL_VISIBLE)
      | (frozen && !(old & VISIBILITYMAP_ALL_FROZEN) ? VISIBILITYMAP_ALL_FROZEN : 0);
    page.flags |= PD_ALL_VISIBLE;
    if (!bits || !vmSet(t.heap, page.blkno, bits)) return;
    const fpi = eng.wal.fullPageWrites && (t.vmLsn ?? 0) <= eng.wal.redoLsn ? 8192 : 0;
    const cutoff = firstPass && old & VISIBILITYMAP_ALL_VISIBLE ? 0 : pageCutoff;
    // XLogRecord 24, the VM block (header 4, RelFileNode 12, block 4; its image header 5 with an image), the heap
    // block (same relation, another fork: header 4, block 4, REGBUF_NO_IMAGE), main data 2 + xl_heap_visible 5
    const len = 24 + 20 + (fpi ? 5 : 0) + 8 + 2 + 5;
    t.vmLsn = eng.wal.insert(WalKind.Heap2Visible, 0, len, t.oid, page.blkno, 0, fpi, { cutoff, vmFlags: bits } satisfies Heap2VisiblePayload);
    visible++;
  };
  /**
   * FreezeMultiXactId for a tuple whose xmax is a MultiXact: remove it (no member left that matters), replace it by
   * its updater's plain xid (the only member left), by a new MultiXact of the members still running, or keep it
   * (no member older than the freeze limit). Returns whether the tuple changed.
   */
  const freezeMulti = (it: Item): boolean => {
    const multi = it.xmax;
    const lockOnly = (it.infomask & HEAP_XMAX_LOCK_ONLY) !== 0;
    const invalidate = () => {
      it.xmax = 0;
      it.infomask = (it.infomask & ~HEAP_XMAX_BITS) | HEAP_XMAX_INVALID;
      it.infomask2 &= ~(HEAP_HOT_UPDATED | HEAP_KEYS_UPDATED);
      return true;
    };
    const toXid = (x: number, committed: boolean) => {
      it.infomask = (it.infomask & ~HEAP_XMAX_BITS) | (committed ? HEAP_XMAX_COMMITTED : 0);
      it.xmax = x;
      if (x < newFrozenXid) newFrozenXid = x;
      return true;
    };
    if (multi < multiCutoff) {
      // older than any transaction may still be a member of: a lockers' one goes, an update's leaves its updater
      if (lockOnly) return invalidate();
      const x = eng.multis.updateXid(multi);
      return x < freezeLimit ? invalidate() : toXid(x, false);
    }
    // GetMultiXactIdMembers: a lockers' MultiXact older than any a running transaction may see has no members
    const members = lockOnly && multi < oldestMxact ? [] : eng.multis.members(multi);
    if (!members.length) return invalidate();
    if (!members.some((m) => m.xid < freezeLimit)) {
      if (multi < newMinMxid) newMinMxid = multi;
      for (const m of members) if (m.xid < newFrozenXid) newFrozenXid = m.xid;
      return false;
    }
    const running = (x: number) => ctx.isInProgress(x);
    let update = 0, committed = false, lockers = false;
    const keep = members.filter((m) => {
      if (m.update) {
        if (running(m.xid)) update = m.xid;
        else if (eng.xacts.clog.didCommit(m.xid)) { update = m.xid; committed = true; } else return false;
        return true;
      }
      if (running(m.xid)) { lockers = true; return true; }
      return false;
    });
    if (!keep.length) return invalidate();
    if (update && !lockers) return toXid(update, committed);
    const id = eng.createMulti(0, keep.map((m) => ({ ...m })));
    const bits = multiHintBits(keep);
    it.infomask = (it.infomask & ~HEAP_XMAX_BITS) | bits.infomask;
    it.infomask2 = (it.infomask2 & ~HEAP_KEYS_UPDATED) | bits.infomask2;
    it.xmax = id;
    for (const m of keep) if (m.xid < newFrozenXid) newFrozenXid = m.xid;
    return true;
  };
  /** heap_prepare_freeze_tuple on every tuple left; what is not frozen holds relfrozenxid back. Returns all-frozen. */
  const freezePage = (page: Page): { frozen: number; allFrozen: boolean } => {
    let frozen = 0, allFrozen = true;
    for (const it of page.items) {
      if (it.lpFlags !== LpFlags.NORMAL) continue;
      let changed = false;
      const xminFrozen = (it.infomask & HEAP_XMIN_FROZEN) === HEAP_XMIN_FROZEN;
      if (!xminFrozen && it.infomask & HEAP_XMIN_COMMITTED && it.xmin < freezeLimit) { it.infomask |= HEAP_XMIN_FROZEN; changed = true; }
      if (!((it.infomask & HEAP_XMIN_FROZEN) === HEAP_XMIN_FROZEN) && it.xmin >= FIRST_NORMAL_XID && it.xmin < newFrozenXid) newFrozenXid = it.xmin;
      if (it.xmax !== 0 && !(it.infomask & HEAP_XMAX_IS_MULTI)) {
        const gone = it.infomask & HEAP_XMAX_INVALID || (it.infomask & HEAP_XMAX_LOCK_ONLY && !ctx.isInProgress(it.xmax));
        if (gone && it.xmax < freezeLimit) {
          // an aborted deleter or a finished locker: t_xmax is cleared (FRM_INVALIDATE_XMAX)
          it.xmax = 0;
          it.infomask = (it.infomask & ~(HEAP_XMAX_COMMITTED | HEAP_LOCK_MASK | HEAP_XMAX_LOCK_ONLY)) | HEAP_XMAX_INVALID;
          it.infomask2 &= ~(HEAP_HOT_UPDATED | HEAP_KEYS_UPDATED);
          changed = true;
        } else if (it.xmax < newFrozenXid) newFrozenXid = it.xmax;
      } else if (it.xmax !== 0 && it.infomask & HEAP_XMAX_IS_MULTI) changed = freezeMulti(it) || changed;
      if (changed) frozen++;
      if (!((it.infomask & HEAP_XMIN_FROZEN) === HEAP_XMIN_FROZEN) || !(it.infomask & HEAP_XMAX_INVALID)) allFrozen = false;
    }
    return { frozen, allFrozen };
  };
  /** heap_page_is_all_visible after pruning: every tuple live and older than OldestXmin, no LP_DEAD */
  const pageAllVisible = (page: Page): boolean => page.items.every((it) => {
    if (it.lpFlags === LpFlags.DEAD) return false;
    if (it.lpFlags !== LpFlags.NORMAL) return true;
    const v = satisfiesVacuum(it, ctx);
    const xmaxSet = !(it.infomask & HEAP_XMAX_INVALID) && !(it.infomask & HEAP_XMAX_LOCK_ONLY);
    return v === VacState.Live && ((it.infomask & HEAP_XMIN_FROZEN) === HEAP_XMIN_FROZEN || it.xmin < oldestXmin) && !xmaxSet;
  });

  /** lazy_vacuum_heap_page: LP_DEAD → LP_UNUSED (the index no longer points at them), then maybe all-visible */
  const secondPass = (page: Page, offs: number[]) => {
    const blk = page.blkno;
    reclaimDead(page, offs);
    logHeap2(WalKind.Heap2Vacuum, { offsets: offs.length }, page, { nunused: offs.length });
    if (tracer.wants('prune')) {
      for (const off of offs) tracer.emit({ kind: 'prune', session: s.name, rel: t.name, blk, off, lsn: formatLsn(page.lsn), outcome: 'unused', text: `VACUUM's second pass: ${t.name} ${formatTid(blk, off)} LP_DEAD → LP_UNUSED (no index entry points at it any more; the slot can be reused)` });
      tracer.emit({ kind: 'wal', session: s.name, rel: t.name, blk, lsn: formatLsn(page.lsn), text: `WAL record appended: Heap2/VACUUM for ${t.name} block ${blk}; page LSN → ${formatLsn(page.lsn)}` });
    }
    if (pageAllVisible(page)) setVisible(page, freezePage(page).allFrozen, newestXmin(page), false);
  };

  /**
   * heap_tuple_would_freeze: the tuple's xids and MultiXact that stay unfrozen (reported to `xid` / `mxid`), and
   * whether any of them is older than the freeze cutoffs (a VACUUM that must advance relfrozenxid would freeze it)
   */
  const wouldFreeze = (it: Item, xid: (x: number) => void, mxid: (m: number) => void): boolean => {
    let would = false;
    const normal = (x: number) => x >= FIRST_NORMAL_XID;
    if (!((it.infomask & HEAP_XMIN_FROZEN) === HEAP_XMIN_FROZEN) && normal(it.xmin)) { xid(it.xmin); if (it.xmin < freezeLimit) would = true; }
    if (it.xmax !== 0 && it.infomask & HEAP_XMAX_IS_MULTI) {
      mxid(it.xmax);
      if (it.xmax < multiCutoff) would = true;
      for (const m of eng.multis.members(it.xmax)) { xid(m.xid); if (m.xid < freezeLimit) would = true; }
    } else if (normal(it.xmax)) { xid(it.xmax); if (it.xmax < freezeLimit) would = true; }
    return would;
  };
  // an aggressive VACUUM must freeze what is older than the cutoffs: on a pinned page it waits for the cleanup lock
  // (LockBufferForCleanup) until the pin goes — a wait on a buffer pin, which is not modelled
  if (aggressive) {
    for (const page of t.heap.pages) {
      if (!isPinned(eng, t.oid, page.blkno, s.id)) continue;
      if (page.items.some((it) => it.lpFlags === LpFlags.NORMAL && wouldFreeze(it, () => {}, () => {}))) {
        throw notSupported(`an aggressive VACUUM of a page another backend pins (it waits for the cleanup lock on ${t.name} block ${page.blkno}: a buffer pin wait)`);
      }
    }
  }
  let missedDead = 0, missedDeadPages = 0;

  // first pass: lazy_scan_heap / lazy_scan_prune, page by page
  for (const page of t.heap.pages) {
    scanned++;
    if (isPinned(eng, t.oid, page.blkno, s.id)) {
      // lazy_scan_noprune: no cleanup lock on a pinned page (a cursor's scan stopped on it, a waiter's row): it is
      // neither pruned nor frozen nor marked all-visible; its tuples are counted, its dead ones "missed", its
      // LP_DEAD items still go to the indexes' cleanup, and what stays unfrozen holds relfrozenxid back
      let missed = 0;
      const dead: number[] = [];
      page.items.forEach((it, k) => {
        if (it.lpFlags === LpFlags.DEAD) { dead.push(k + 1); return; }
        if (it.lpFlags !== LpFlags.NORMAL) return;
        wouldFreeze(it, (x) => { if (x < newFrozenXid) newFrozenXid = x; }, (m) => { if (m < newMinMxid) newMinMxid = m; });
        const v = satisfiesVacuum(it, ctx);
        if (v === VacState.Live || v === VacState.DeleteInProgress) liveTuples++;
        else if (v === VacState.RecentlyDead) recentlyDead++;
        else if (v === VacState.Dead) missed++;
      });
      if (t.indexes.length === 0) missed += dead.length; // one-pass strategy: its LP_DEAD items are counted as missed
      else if (dead.length) { lpdeadPages++; lpdeadItems += dead.length; deadByPage.set(page.blkno, dead); }
      missedDead += missed;
      if (missed) missedDeadPages++;
      if (tracer.wants('prune')) {
        const holder = eng.sessions.find((x) => x.id !== s.id && x.running && x.pin?.rel === t.oid && x.pin.blk === page.blkno)?.name
          ?? eng.sessions.find((x) => x.portals.size && portalPins(x, t.oid, page.blkno))?.name;
        tracer.emit({ kind: 'prune', session: s.name, rel: t.name, blk: page.blkno,
          text: `VACUUM cannot get a cleanup lock on ${t.name} block ${page.blkno}: ${holder ?? 'another backend'} holds a pin on it`
            + `${holder && !eng.session(holder).running ? ' (an open cursor\'s scan stopped there)' : ''}; the page is not pruned or frozen`
            + `${missed ? ` — ${missed} dead tuple(s) missed` : ''}${dead.length ? `, its ${dead.length} LP_DEAD item(s) still go to the index cleanup` : ''}` });
      }
      continue;
    }
    const before = page.items.reduce((n, it) => n + (it.lpFlags === LpFlags.NORMAL ? 1 : 0), 0);
    const r = prunePage(page, ctx);
    const after = page.items.reduce((n, it) => n + (it.lpFlags === LpFlags.NORMAL ? 1 : 0), 0);
    tuplesDeleted += before - after;
    if (r.pruned) {
      logHeap2(WalKind.Heap2Prune, { offsets: 2 * r.redirected + r.deadItems.length + r.unused }, page,
        { latestRemovedXid: r.latestRemovedXid, nredirected: r.redirected, ndead: r.deadItems.length });
      if (tracer.wants('prune')) {
        for (const off of r.changed) {
          const it = page.items[off - 1]!;
          const what = it.lpFlags === LpFlags.REDIRECT ? `LP_REDIRECT → ${formatTid(page.blkno, it.lpOff)} (the HOT chain's root stays, so index entries pointing at it still lead to the live version)`
            : it.lpFlags === LpFlags.DEAD ? 'LP_DEAD (the tuple is gone; the line pointer stays until the index entries pointing at it are removed)'
              : it.lpFlags === LpFlags.UNUSED ? 'LP_UNUSED (a heap-only tuple no index points at: free at once)' : 'kept';
          tracer.emit({ kind: 'prune', session: s.name, rel: t.name, blk: page.blkno, off, lsn: formatLsn(page.lsn), outcome: ['unused', 'normal', 'redirect', 'dead'][it.lpFlags],
            text: `VACUUM prunes ${t.name} ${formatTid(page.blkno, off)} (dead to everyone: older than the horizon ${oldestXmin}) → ${what}` });
        }
        tracer.emit({ kind: 'wal', session: s.name, rel: t.name, blk: page.blkno, lsn: formatLsn(page.lsn), text: `WAL record appended: Heap2/PRUNE for ${t.name} block ${page.blkno}; page LSN → ${formatLsn(page.lsn)}` });
      }
    }
    for (const it of page.items) {
      if (it.lpFlags !== LpFlags.NORMAL) continue;
      const v = satisfiesVacuum(it, ctx);
      if (v === VacState.Live || v === VacState.DeleteInProgress) liveTuples++;
      else if (v === VacState.RecentlyDead) recentlyDead++;
    }
    const cutoffBeforeFreeze = newestXmin(page);
    const fr = freezePage(page);
    if (fr.frozen || r.frozen) {
      logHeap2(WalKind.Heap2FreezePage, 64, page, { cutoff: freezeLimit, ntuples: fr.frozen + r.frozen });
      if (tracer.wants('prune')) tracer.emit({ kind: 'prune', session: s.name, rel: t.name, blk: page.blkno, lsn: formatLsn(page.lsn), text: `VACUUM freezes ${fr.frozen + r.frozen} tuple(s) of ${t.name} block ${page.blkno} (xmin older than the freeze limit ${freezeLimit}: HEAP_XMIN_FROZEN); Heap2/FREEZE_PAGE` });
    }
    const deadItems: number[] = [];
    page.items.forEach((it, k) => { if (it.lpFlags === LpFlags.DEAD) deadItems.push(k + 1); });
    if (deadItems.length) {
      lpdeadPages++; lpdeadItems += deadItems.length;
      // no index points at them: a table without indexes makes them unused right away (one pass)
      if (t.indexes.length === 0) { secondPass(page, deadItems); continue; }
      deadByPage.set(page.blkno, deadItems);
      continue;
    }
    const bits = vmStatus(t.heap, page.blkno);
    if (pageAllVisible(page)) {
      if (!(bits & VISIBILITYMAP_ALL_VISIBLE) || (fr.allFrozen && !(bits & VISIBILITYMAP_ALL_FROZEN))) setVisible(page, fr.allFrozen, cutoffBeforeFreeze, true);
    }
  }
  t.heap.vmExists ||= relPages > 0; // the map's page was pinned for every block

  // lazy_vacuum: the indexes, then the second heap pass — or neither, when bypassed
  let indexScans = 0;
  // do_index_vacuuming: off when bypassed (few pages with LP_DEAD items: they wait for a later VACUUM)
  // INDEX_CLEANUP OFF: off up front (the LP_DEAD items stay, the indexes are not touched, not even cleaned up)
  const doIndexVacuuming = p.indexCleanup !== 'off' && !(deadByPage.size > 0 && p.indexCleanup === 'auto' && lpdeadPages < relPages * BYPASS_THRESHOLD_PAGES);
  const indexStats: { name: string; pages: number; deleted: number }[] = [];
  if (deadByPage.size && doIndexVacuuming) {
    {
      indexScans = 1;
      const deadTids = new Set<number>();
      for (const [b, offs] of deadByPage) for (const o of offs) deadTids.add(packTid(b, o));
      const before = t.indexes.map((i) => i.count);
      // btvacuumscan: each leaf losing entries logs its own VACUUM record (where the pages are laid out)
      const plans = t.indexes.map((i) => (eng.catalog.skipsWal(i.oid) || i instanceof HashIndex ? null : vacuumPlan(i, t.types, deadTids)));
      const hashPlans = t.indexes.map((i) => (i instanceof HashIndex && !eng.catalog.skipsWal(i.oid) ? hashVacuumPlan(i, deadTids) : null));
      removeIndexEntries(t, deadTids);
      t.indexes.forEach((i, k) => {
        const pagesTotal = btreePages(t, i);
        const leaves = pagesTotal - 1 - (pagesTotal > 2 ? 1 : 0); // an emptied index keeps its metapage, root and one leaf
        indexStats.push({ name: i.name, pages: pagesTotal, deleted: i.count === 0 && leaves > 1 ? leaves - 1 : 0 });
        i.stats = { relpages: pagesTotal, reltuples: i.count }; // btvacuumcleanup's counts, into pg_class
        const hp = hashPlans[k];
        if (hp && i instanceof HashIndex) { logHashVacuum(eng, i, hp, deadTids); return; }
        const plan = plans[k];
        const layout = plan && layoutOrNull(i, t.types);
        if (plan && layout) {
          plan.forEach((lv, n) => {
            const pg = layout.pages[lv.blk];
            const hole = pg && eng.wal.needsFpi(i.pageLsns.get(lv.blk) ?? i.leafLsn) ? pageBounds(pg) : undefined;
            const payload: BtreeVacuumPayload = { ndeleted: lv.ndeleted, nupdated: lv.updates.length, imageUnmodelled: false };
            if (n === 0) payload.deadTids = deadTids;
            if (hole) payload.hole = hole;
            // _bt_delitems_vacuum: xl_btree_vacuum (4); block data the deleted offsets, the updated ones and an
            // xl_btree_update (2) with the posting offsets gone (2 each) per updated list — or the image instead
            const data = 2 * lv.ndeleted + lv.updates.reduce((x, nt) => x + 2 + 2 + 2 * nt, 0);
            const len = hole ? 24 + 4 + 5 + 12 + 4 + 2 + 4 : 24 + 20 + data + 2 + 4;
            const lsn = eng.wal.insert(WalKind.BtreeVacuum, 0, len, i.oid, lv.blk, 0, hole ? hole.lower + 8192 - hole.upper : 0, payload);
            if (lsn) { i.pageLsns.set(lv.blk, lsn); i.leafLsn = lsn; }
          });
          if (plan.length && tracer.wants('index')) tracer.emit({ kind: 'index', session: s.name, rel: t.name, lsn: formatLsn(i.leafLsn), text: `VACUUM removes ${before[k]! - i.count} entr${before[k]! - i.count === 1 ? 'y' : 'ies'} from index ${i.name} pointing at LP_DEAD line pointers (${[...deadByPage].flatMap(([b, o]) => o.map((x) => formatTid(b, x))).slice(0, 8).join(', ')}); Btree/VACUUM on ${plan.length} lea${plan.length === 1 ? 'f' : 'ves'}` });
          return;
        }
        if (i.count === before[k]) return;
        const imageUnmodelled = eng.wal.needsFpi(i.leafLsn);
        const payload: BtreeVacuumPayload = { deadTids, ndeleted: before[k]! - i.count, imageUnmodelled };
        i.leafLsn = eng.wal.insert(WalKind.BtreeVacuum, 0, 56, i.oid, i.leafBlock, 0, 0, payload);
        if (tracer.wants('index')) tracer.emit({ kind: 'index', session: s.name, rel: t.name, lsn: formatLsn(i.leafLsn), text: `VACUUM removes ${before[k]! - i.count} entr${before[k]! - i.count === 1 ? 'y' : 'ies'} from index ${i.name} pointing at LP_DEAD line pointers (${[...deadByPage].flatMap(([b, o]) => o.map((x) => formatTid(b, x))).slice(0, 8).join(', ')}); Btree/VACUUM` });
      });
    }
    for (const [blk, offs] of deadByPage) secondPass(t.heap.pages[blk]!, offs);
  }

  // the free space map learns each page's room
  for (const page of t.heap.pages) t.heap.recordFreeSpace(page.blkno, HeapRelation.freeSpace(page));
  t.heap.fsmAsVacuumLeft = true; // FreeSpaceMapVacuumRange: upper levels fixed, fp_next_slot reset

  // lazy_truncate_heap: empty pages at the end are given back, when enough of them and nobody else has the table open
  let removedPages = 0;
  const nonempty = (() => {
    for (let b = t.heap.pages.length - 1; b >= 0; b--) if (t.heap.pages[b]!.items.some((it) => it.lpFlags !== LpFlags.UNUSED)) return b + 1; return 0;
  })();
  const freeable = relPages - nonempty;
  if (p.truncate && freeable > 0 && (freeable >= 1000 || freeable >= relPages / 16)) {
    const others = eng.locks.view().some((l) => l.relation === t.oid && l.owner !== s.id && l.granted);
    if (!others) {
      // ConditionalLockRelation(AccessExclusiveLock): the lock is WAL-logged for standbys, which gives VACUUM's transaction an
      // xid (wal/standby.ts; measured: tests/scenarios/durability/vacuum-truncate-crash.out; an autovacuum worker's is not modelled)
      if (s.tx) logAccessExclusiveLock(eng, s, t.oid);
      // RelationTruncate: log XLOG_SMGR_TRUNCATE (46 bytes: xl_smgr_truncate is 20, no block references) and flush
      // it before the file is cut — the cut cannot be undone, and a crash must not bring the pages back
      // (tests/scenarios/durability/vacuum-truncate-crash.out)
      const lsn = eng.wal.insert(WalKind.StorageTruncate, s.tx?.writeXid ?? 0, 46, t.oid, -1, 0, 0, { blkno: nonempty } satisfies StorageTruncatePayload);
      eng.wal.noteBackendInsert(s.name);
      eng.wal.flush(lsn);
      truncateHeap(t.heap, nonempty);
      removedPages = freeable;
      info(`table "${t.name}": truncated ${relPages} to ${nonempty} pages`);
    }
  }

  // vac_update_relstats: relpages, reltuples, relallvisible; relfrozenxid / relminmxid when every page was scanned
  const frozenxidUpdated = newFrozenXid > oldFrozenXid;
  const minmxidUpdated = newMinMxid > oldMinMxid;
  if (frozenxidUpdated) t.relfrozenxid = newFrozenXid;
  if (minmxidUpdated) t.relminmxid = newMinMxid;
  let allVisible = 0;
  for (const page of t.heap.pages) if (vmStatus(t.heap, page.blkno) & VISIBILITYMAP_ALL_VISIBLE) allVisible++;
  // pg_class's counts; pg_statistic (ANALYZE's column statistics) is left as it was
  t.stats = { relpages: t.heap.pages.length, reltuples: liveTuples, relallvisible: allVisible, distinct: t.stats?.distinct, nullfrac: t.stats?.nullfrac,
    widths: t.stats?.widths, columns: t.stats?.columns };
  t.heap.targetBlock = -1; // pg_class changed: the relation's cache entry is rebuilt and forgets its target block

  if (tracer.wants('wal')) tracer.emit({ kind: 'wal', session: s.name, rel: t.name, text: `VACUUM ${t.name}: horizon ${oldestXmin}; ${tuplesDeleted} dead version(s) removed, ${lpdeadItems} dead item identifier(s), ${visible} page(s) newly all-visible` });
  if (!p.verbose) return;
  const ago = eng.xacts.nextXid - oldestXmin;
  let text = `finished vacuuming "${name}": index scans: ${indexScans}\n`
    + `pages: ${removedPages} removed, ${t.heap.pages.length} remain, ${scanned} scanned (${pct(scanned, relPages)}% of total)\n`
    + `tuples: ${tuplesDeleted} removed, ${liveTuples + recentlyDead + missedDead} remain, ${recentlyDead} are dead but not yet removable\n`
    + (missedDead ? `tuples missed: ${missedDead} dead from ${missedDeadPages} pages not removed due to cleanup lock contention\n` : '')
    + `removable cutoff: ${oldestXmin}, which was ${ago} XIDs old when operation ended\n`;
  if (frozenxidUpdated) text += `new relfrozenxid: ${newFrozenXid}, which is ${newFrozenXid - oldFrozenXid} XIDs ahead of previous value\n`;
  if (minmxidUpdated) text += `new relminmxid: ${newMinMxid}, which is ${newMinMxid - oldMinMxid} MXIDs ahead of previous value\n`;
  if (doIndexVacuuming) {
    text += `index scan ${indexScans ? 'needed' : 'not needed'}: ${lpdeadPages} pages from table (${pct(lpdeadPages, relPages)}% of total) had ${lpdeadItems} dead item identifiers removed\n`;
  } else {
    text += `index scan bypassed: ${lpdeadPages} pages from table (${pct(lpdeadPages, relPages)}% of total) have ${lpdeadItems} dead item identifiers\n`;
  }
  for (const i of indexStats) text += `index "${i.name}": pages: ${i.pages} in total, ${i.deleted} newly deleted, ${i.deleted} currently deleted, 0 reusable\n`;
  const records = eng.wal.records(walStart);
  const fpis = records.filter((r) => r.fpiLen > 0).length;
  const bytes = records.reduce((n, r) => n + r.len + r.fpiLen, 0);
  text += 'avg read rate: 0.000 MB/s, avg write rate: 0.000 MB/s\n'
    + 'buffer usage: 0 hits, 0 misses, 0 dirtied\n'
    + `WAL usage: ${records.length} records, ${fpis} full page images, ${bytes} bytes\n`
    + 'system usage: CPU: user: 0.00 s, system: 0.00 s, elapsed: 0.00 s';
  info(text);
}

/** The TOAST table a table with an unbounded column has: empty, but VACUUM VERBOSE reports it too. */
export function vacuumToast(eng: Engine, s: Session, t: Table, p: VacuumParams): void {
  const oldestXmin = removableHorizon(eng, p.finished);
  const name = `postgres.pg_toast.pg_toast_${t.oid}`;
  const setting = (n: string) => Number(eng.currentSetting(s, n) ?? 0);
  const tableAge = p.freeze ? 0 : Math.min(setting('vacuum_freeze_table_age'), Math.floor(0.95 * setting('autovacuum_freeze_max_age')));
  const old = t.toastFrozenXid ?? relFrozenXid(t);
  const aggressive = !!p.disablePageSkipping || old <= Math.max(FIRST_NORMAL_XID, oldestXmin - tableAge);
  t.toastFrozenXid = Math.max(old, oldestXmin);
  if (!p.verbose) return;
  s.acc.notices.push({ severity: 'INFO', sqlstate: '00000', message: `${aggressive ? 'aggressively vacuuming' : 'vacuuming'} "${name}"` } as PgMessage);
  let text = `finished vacuuming "${name}": index scans: 0\n`
    + 'pages: 0 removed, 0 remain, 0 scanned (100.00% of total)\n'
    + 'tuples: 0 removed, 0 remain, 0 are dead but not yet removable\n'
    + `removable cutoff: ${oldestXmin}, which was ${eng.xacts.nextXid - oldestXmin} XIDs old when operation ended\n`;
  if (oldestXmin > old) text += `new relfrozenxid: ${oldestXmin}, which is ${oldestXmin - old} XIDs ahead of previous value\n`;
  text += (p.indexCleanup === 'off' ? 'index scan bypassed: 0 pages from table (100.00% of total) have 0 dead item identifiers\n'
    : 'index scan not needed: 0 pages from table (100.00% of total) had 0 dead item identifiers removed\n')
    + 'avg read rate: 0.000 MB/s, avg write rate: 0.000 MB/s\n'
    + 'buffer usage: 0 hits, 0 misses, 0 dirtied\n'
    + 'WAL usage: 0 records, 0 full page images, 0 bytes\n'
    + 'system usage: CPU: user: 0.00 s, system: 0.00 s, elapsed: 0.00 s';
  s.acc.notices.push({ severity: 'INFO', sqlstate: '00000', message: text } as PgMessage);
}

/**
 * hashbulkdelete's records for one hash index, planned before the tuples go: a Hash DELETE for each bucket or
 * overflow page that loses tuples (the offsets removed as block data; an overflow page's record names its bucket's
 * primary page too), then UPDATE_META_PAGE with the new tuple count. Not modelled: the SQUEEZE_PAGE /
 * MOVE_PAGE_CONTENTS records of a chain squeezed afterwards, full-page images.
 */
function hashVacuumPlan(i: HashIndex, dead: ReadonlySet<number>): { blk: number; n: number; primary: boolean; bucketBlk: number; clearDead: boolean }[] {
  const l = i.layout();
  const out: { blk: number; n: number; primary: boolean; bucketBlk: number; clearDead: boolean }[] = [];
  for (let b = 0; b <= l.meta.maxbucket; b++) {
    const chain = bucketChain(l, b);
    for (const p of chain) {
      const n = p.items.filter((x) => dead.has(x.tid)).length;
      if (n) out.push({ blk: p.blk, n, primary: p === chain[0], bucketBlk: chain[0]!.blk, clearDead: (p.flag & 128) !== 0 });
    }
  }
  return out;
}

function logHashVacuum(eng: Engine, i: HashIndex, plan: ReturnType<typeof hashVacuumPlan>, deadTids: ReadonlySet<number>): void {
  plan.forEach((d, n) => {
    const payload: HashDeletePayload = { clearDead: d.clearDead, primary: d.primary };
    if (!d.primary) payload.bucketBlk = d.bucketBlk;
    if (n === 0) payload.deadTids = deadTids;
    const lsn = eng.wal.insert(WalKind.HashDelete, 0, (d.primary ? 48 : 56) + 2 * d.n, i.oid, d.blk, 0, 0, payload);
    if (lsn) i.leafLsn = lsn;
  });
  const meta: HashDeletePayload = { ntuples: i.layout().meta.ntuples };
  if (!plan.length) meta.deadTids = deadTids;
  const lsn = eng.wal.insert(WalKind.HashUpdateMetaPage, 0, 54, i.oid, 0, 0, 0, meta);
  if (lsn) i.leafLsn = lsn;
}
