/**
 * Pruning by readers (heap_page_prune_opt): VACUUM is not the only one who removes dead versions.
 *
 * Whenever a backend reads a heap page — a sequential scan moving to it, an index scan fetching a tuple from it —
 * it may prune the page on the spot, if that is cheap and worthwhile:
 *   - pd_prune_xid (the oldest updater of a version that will soon be dead) is older than the horizon, so
 *     something on the page is dead to everyone;
 *   - the page is short of room: PD_PAGE_FULL (an UPDATE found no room for its new version) or less free
 *     space than max(fillfactor's reserve, 10% of the page) = 819 bytes;
 *   - nobody else holds a pin on the page (ConditionalLockBufferForCleanup).
 * It then does what VACUUM's first pass does on that page — dead HOT members removed, chain roots redirected, dead
 * roots made LP_DEAD, the page compacted — and logs Heap2/PRUNE. It cannot remove index entries, so LP_DEAD line
 * pointers wait for VACUUM. This is why a plain SELECT can change a page, write WAL, and make the next UPDATE HOT.
 *
 * Worked example (tests/truth/page-full.steps.json, recorded with pageinspect; the xids here are the engine's from a
 * fresh start — the recording's are one higher, as its cluster spent 724 on CREATE EXTENSION). t (id int PRIMARY
 * KEY, v int) is created by xid 724 and filled with 300 rows by xid 725: 226 on block 0, which is then full.
 *
 *     UPDATE t SET v = 1 WHERE id = 1;   -- xid 726: no room on block 0, the new version goes to (1,75); block 0
 *                                        --   gets PD_PAGE_FULL and pd_prune_xid 726
 *     UPDATE t SET v = 1 WHERE id = 2;   -- xid 727 reads block 0 first: 726 committed, below the horizon, page
 *                                        --   full → Heap2/PRUNE: (0,1) becomes LP_DEAD (an index entry points at
 *                                        --   it) and its 32 bytes are reclaimed (free space 32 → 64 bytes), so
 *                                        --   this update fits and is HOT: (0,2) → (0,227)
 *     SELECT count(*) FROM t WHERE v = 1;  -- a reader prunes again (pd_prune_xid 727): (0,2) becomes LP_REDIRECT
 *                                        --   → 227, pd_upper 960 → 992, pd_prune_xid 0
 *
 * The horizon (GetOldestNonRemovableTransactionId): the oldest of every running transaction id and every snapshot
 * still in use (a REPEATABLE READ transaction's, a READ COMMITTED statement's while it runs).
 *
 * Mirrors: src/backend/access/heap/pruneheap.c (heap_page_prune_opt, heap_page_prune), procarray.c (the horizon),
 * bufmgr.c (pins). Simplification: the horizon is one number (PostgreSQL's GlobalVisState keeps two bounds and
 * recomputes lazily); a pin is held only by a statement parked while it waits to change a row and by an open
 * cursor's scan.
 */
import type { Engine } from '../engine.js';
import { portalPins, portalsXmin } from '../tcop/portalmem.js';
import type { Table } from '../catalog/catalog.js';
import type { Page } from '../heap/heap.js';
import { HeapRelation, PD_PAGE_FULL, formatTid } from '../heap/heap.js';
import { LpFlags } from '../heap/tuple.js';
import { WalKind, formatLsn, heap2Length } from '../wal/wal.js';
import { heap2Payload } from '../wal/records.js';
import { prunePage, type VacuumContext } from './vacuum.js';
import { countPrunedDead } from '../pgstat/pgstat_relation.js';

/**
 * The oldest transaction id any running transaction or live snapshot may still need: older dead versions can go.
 * `finished`: xids a multi-table VACUUM's earlier per-table transactions took — PostgreSQL committed each before
 * the next table (vacuum_rel's CommitTransactionCommand), the engine keeps them in the statement's one transaction.
 */
export function removableHorizon(eng: Engine, finished?: ReadonlySet<number>): number {
  let h = eng.xacts.nextXid;
  for (const xid of eng.xacts.running.keys()) if (xid < h && !finished?.has(xid)) h = xid;
  for (const s of eng.sessions) {
    const tx = s.tx;
    if (tx?.xactSnapshot && tx.xactSnapshot.xmin < h) h = tx.xactSnapshot.xmin;
    if (tx?.stmtSnapshot && tx.stmtSnapshot.xmin < h) h = tx.stmtSnapshot.xmin;
    const px = s.portals.size ? portalsXmin(s) : null; // an open cursor's snapshot
    if (px !== null && px < h) h = px;
  }
  return h;
}

/** The visibility facts pruning needs, for a horizon. */
export function vacuumContext(eng: Engine, oldestXmin: number): VacuumContext {
  return {
    clog: eng.xacts.clog, isInProgress: (x) => eng.xacts.isInProgress(x), multiRunning: (m) => eng.multiRunning(m),
    multiUpdater: (m) => eng.multis.updateXid(m), oldestXmin, flushedLsn: () => eng.wal.flushedLsn,
  };
}

/**
 * Does another backend hold a pin on this page (so no cleanup lock can be had)? A parked statement pins the page
 * of the row it waits for; an open cursor pins the page its scan stopped on (tcop/portalmem.ts) — the asking
 * backend's own cursors too (a cleanup lock needs the only pin, and its own scan holds another).
 */
export function isPinned(eng: Engine, rel: number, blk: number, except: number): boolean {
  return eng.sessions.some((s) => (s.id !== except && s.running && s.pin?.rel === rel && s.pin.blk === blk) || (s.portals.size > 0 && portalPins(s, rel, blk)));
}

const MIN_FREE = Math.floor(8192 / 10);

/**
 * heap_page_prune_opt for a page a backend (session id `reader`) is about to read. `horizon` is computed only if
 * the page is a candidate (most pages never are: pd_prune_xid 0).
 */
export function heapPagePruneOpt(eng: Engine, t: Table, page: Page, reader: number, horizon: () => number): void {
  const pruneXid = page.pruneXid;
  if (pruneXid === 0 || eng.serverState !== 'running') return;
  if (!(page.flags & PD_PAGE_FULL) && HeapRelation.freeSpace(page) >= MIN_FREE) return;
  const h = horizon();
  if (pruneXid >= h) return;
  if (isPinned(eng, t.oid, page.blkno, reader)) return;
  const reason = page.flags & PD_PAGE_FULL ? 'marked full by an UPDATE' : 'less than 10% free';
  const r = prunePage(page, vacuumContext(eng, h));
  if (!r.pruned) return; // the new pd_prune_xid and the cleared PD_PAGE_FULL are a hint: no WAL
  const s = eng.sessions[reader];
  countPrunedDead(s, t.oid, r.unused + r.redirected); // the tuples whose storage is reclaimed (not the new LP_DEAD ones)
  const fpi = eng.wal.needsFpi(page.lsn) ? page.lower + (8192 - page.upper) : 0;
  const desc = { latestRemovedXid: r.latestRemovedXid, nredirected: r.redirected, ndead: r.deadItems.length };
  const len = heap2Length(WalKind.Heap2Prune, 2 * r.redirected + r.deadItems.length + r.unused, fpi > 0);
  page.lsn = eng.wal.insert(WalKind.Heap2Prune, s?.tx?.xid ?? 0, len, t.oid, page.blkno, 0, fpi, { ...heap2Payload(page, fpi > 0), ...desc });
  if (eng.tracer.wants('prune')) {
    const changed = r.changed.map((off) => {
      const it = page.items[off - 1]!;
      const to = it.lpFlags === LpFlags.REDIRECT ? ` ${it.lpOff}` : '';
      return `${formatTid(page.blkno, off)} → ${['LP_UNUSED', 'LP_NORMAL', 'LP_REDIRECT', 'LP_DEAD'][it.lpFlags]}${to}`;
    });
    eng.tracer.emit({ kind: 'prune', session: s?.name ?? '', rel: t.name, blk: page.blkno, lsn: formatLsn(page.lsn),
      text: `${s?.name ?? 'a reader'} prunes ${t.name} block ${page.blkno} as it reads it (pd_prune_xid ${pruneXid} < horizon ${h}, `
        + `the page ${reason}): ${changed.join(', ')}; Heap2/PRUNE${fpi ? ' with a full-page image' : ''}` });
  }
}
