/**
 * pg_walinspect's description and block_ref columns: each record told in PostgreSQL 15's words (the resource
 * managers' rm_desc routines) and the blocks it references (XLogRecGetBlockRefInfo, detailed format).
 *
 *     Heap        INSERT       off 3 flags 0x00                              blkref #0: rel 1663/5/16390 fork main blk 0
 *     Heap        HOT_UPDATE   off 1 xmax 727 flags 0x60 ; new off 4 xmax 0  blkref #0: rel 1663/5/16390 fork main blk 0
 *     Heap        UPDATE       off 2 xmax 728 flags 0x40 KEYS_UPDATED ; new off 5 xmax 0
 *     Heap        DELETE       off 3 flags 0x00 KEYS_UPDATED
 *     Heap        LOCK         off 4: xid 730: flags 0x00 LOCK_ONLY EXCL_LOCK KEYS_UPDATED
 *     Btree       INSERT_LEAF  off 3                                         blkref #0: rel 1663/5/16393 fork main blk 1
 *     Btree       SPLIT_R      level 0, firstrightoff 367, newitemoff 408, postingoff 0   blkref #0: … blk 1 blkref #1: … blk 2
 *     Btree       DEDUP        nintervals 6;  NEWROOT  lev 1;  INSERT_UPPER  off 3;  VACUUM  ndeleted 122; nupdated 0
 *     Transaction COMMIT       2026-12-02 14:27:10.763056+00
 *     Storage     CREATE       base/5/16394
 *     Storage     TRUNCATE     base/5/16396 to 2 blocks flags 7
 *     Heap2       PRUNE        latestRemovedXid 736 nredirected 1 ndead 3
 *     MultiXact   CREATE_ID    1 offset 1 nmembers 2: 726 (sh) 727 (sh)
 *     Heap2       VISIBLE      cutoff xid 734 flags 0x01   blkref #0: rel … fork vm blk 0 (FPW); hole: offset: 0, length: 0 blkref #1: rel … fork main blk 0
 *
 * (tests/scenarios/walinspect/describe.out, recorded from PostgreSQL 15.) The flags byte is the xl_heap_* struct's:
 * 0x01 the page's all-visible (LOCK: all-frozen) bit was cleared, 0x20 / 0x40 an UPDATE's new version shares a
 * prefix / suffix with the old one (only those bytes are left out of the record); the words after it are the
 * tuple's new infomask bits (compute_infobits: IS_MULTI, LOCK_ONLY, EXCL_LOCK, KEYSHR_LOCK, KEYS_UPDATED). A block
 * reference names the relation's file (tablespace 1663 / database 5 / relfilenode), fork and block; a full-page
 * image adds its hole — the free space between pd_lower and pd_upper, left out of the image (none on a
 * visibility-map page, which is not a standard page).
 *
 * Mirrors: access/rmgrdesc/heapdesc.c (heap_desc, heap2_desc, out_infobits), nbtdesc.c, xactdesc.c
 * (xact_desc_commit, xact_desc_abort), smgrdesc.c, seqdesc.c; access/transam/xlogdesc.c (XLogRecGetBlockRefInfo).
 *
 * What is not described, and why (each such row's column refuses with 0A000 when read, naming the record kind and
 * the reason): CHECKPOINT after the template databases were vacuumed (their oldest xid),
 * COMMIT / ABORT of a transaction that changed catalogs (PostgreSQL's record lists invalidation messages and
 * dropped files), Btree INSERT_LEAF of an index whose pages are not laid out where the entry's place on the leaf is
 * not known (see BtreeIndex.leafOffset; the Btree records of laid-out indexes carry their text: wal/nbtxlog.ts),
 * a record of a relation whose file has changed since (VACUUM FULL, TRUNCATE: the file of the time is not kept) or
 * that is gone; block_ref where the engine's image is not PostgreSQL's (a Btree leaf's full-page image, Btree/
 * VACUUM's, when the index's pages are not laid out). Timestamps are the virtual clock's (2000-01-01 + virtual time), printed in UTC (+00).
 */
import type { IndexNewPagePayload } from '../wal/nbtsort_xlog.js';
import type { Engine } from '../engine.js';
import { WalKind, type Wal } from '../wal/wal.js';
import type {
  HeapTuplePayload, Heap2Payload, Heap2VisiblePayload, BtreeVacuumPayload, BtreeDeletePayload, XactPayload, StorageTruncatePayload, NewPagePayload,
  MultiXactCreatePayload, MultiXactZeroPagePayload, CheckpointPayload, BtreeXlogPayload,
} from '../wal/records.js';
import { lsnOut } from './pageinspect.js';
import { standbyDesc } from '../wal/standby.js';
import { FRESH_OLDEST_XID } from '../xact/varsup.js';
import { RF_NEW_TUPLE, type HashDeletePayload } from '../wal/records.js';
import type { PageImage } from '../buffer/bufmgr.js';
import { BtreeIndex } from '../index/btree.js';
import {
  HEAP_XMAX_IS_MULTI, HEAP_XMAX_LOCK_ONLY, HEAP_XMAX_EXCL_LOCK, HEAP_XMAX_KEYSHR_LOCK, HEAP_KEYS_UPDATED,
} from '../heap/tuple.js';

/** a column's text, or why the engine cannot give PostgreSQL's */
export type DescResult = { text: string } | { refused: string };
const ok = (text: string): DescResult => ({ text });
/** a Btree record written by wal/nbtxlog.ts (its description and blocks recorded with it) */
const isXlog = (p: unknown): p is BtreeXlogPayload => typeof p === 'object' && p !== null && 'refs' in p;
const no = (refused: string): DescResult => ({ refused });

const DB = 5; // the postgres database's oid
const SPC = 1663; // pg_default
/** HEAPBLOCKS_PER_PAGE: heap blocks one visibility-map page covers (2 bits each on 8168 bytes) */
const HEAPBLOCKS_PER_VM_PAGE = (8192 - 24) * 4;

const hex2 = (n: number) => '0x' + n.toString(16).toUpperCase().padStart(2, '0');

/** out_infobits(compute_infobits(infomask, infomask2)) */
function infobits(mask: number, mask2: number): string {
  return (mask & HEAP_XMAX_IS_MULTI ? 'IS_MULTI ' : '') + (mask & HEAP_XMAX_LOCK_ONLY ? 'LOCK_ONLY ' : '')
    + (mask & HEAP_XMAX_EXCL_LOCK ? 'EXCL_LOCK ' : '') + (mask & HEAP_XMAX_KEYSHR_LOCK ? 'KEYSHR_LOCK ' : '')
    + (mask2 & HEAP_KEYS_UPDATED ? 'KEYS_UPDATED ' : '');
}

/** timestamptz_to_str of a virtual-clock moment (ms since 2000-01-01 00:00:00 UTC): ISO, fraction trimmed, +00 */
export function walTimestamp(ms: number): string {
  const d = new Date(Date.UTC(2000, 0, 1) + Math.floor(ms));
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const usec = Math.round((ms - Math.floor(ms)) * 1000) + d.getUTCMilliseconds() * 1000;
  const frac = usec ? '.' + p(usec, 6).replace(/0+$/, '') : '';
  return `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}${frac}+00`;
}

/** The relation's file number when record i was written, or why it is not known. */
function relNode(eng: Engine, w: Wal, i: number): number | { refused: string } {
  // a record about a file the engine keeps no object for (a TOAST table, a file a rewrite replaced in the same
  // command) names its file number itself, as every PostgreSQL record does
  const named = w.payloadOf(i) as { node?: unknown } | undefined;
  if (named && typeof named === 'object' && typeof named.node === 'number') return named.node;
  const r = eng.catalog.byOid(w.relOf(i));
  if (!r) {
    // a sequence keeps its first file here (ALTER SEQUENCE's new relfilenode is not modelled)
    for (const q of eng.catalog.sequences.values()) if (q.oid === w.relOf(i)) return q.oid;
    return { refused: 'its relation no longer exists (the file number of the time is not kept)' };
  }
  const storage = r.storageLsn || 0;
  if (w.endOf(i) < storage) return { refused: 'its relation has had a new file since (VACUUM FULL, TRUNCATE: the file number of the time is not kept)' };
  if (r instanceof BtreeIndex) return r.relfilenode ?? r.oid;
  if (r.relfilenode !== undefined && !storage) return { refused: 'the file number of the time is not kept' };
  return r.relfilenode ?? r.oid;
}

/** rm_desc of record i */
export function walDescription(eng: Engine, i: number): DescResult {
  const w = eng.wal, hx = w.hx, kind = w.kindOf(i), p = w.payloadOf(i);
  switch (kind) {
    case WalKind.HeapInsert: case WalKind.HeapInsertInit:
      return ok(`off ${w.offOf(i)} flags ${hex2(hx.xlFlags[i]!)}`);
    case WalKind.HeapUpdate: case WalKind.HeapHotUpdate:
      if (!(hx.flags[i]! & RF_NEW_TUPLE)) return no('its new version is not recorded');
      return ok(`off ${w.offOf(i)} xmax ${hx.oXmax[i]} flags ${hex2(hx.xlFlags[i]!)} ${infobits(hx.oMask[i]!, hx.oMask2[i]!)}; new off ${hx.nOff[i]} xmax ${hx.nXmax[i]}`);
    case WalKind.HeapDelete:
      return ok(`off ${w.offOf(i)} flags ${hex2(hx.xlFlags[i]!)} ${infobits(hx.oMask[i]!, hx.oMask2[i]!)}`);
    case WalKind.HeapLock:
      return ok(`off ${w.offOf(i)}: xid ${hx.oXmax[i]}: flags ${hex2(hx.xlFlags[i]!)} ${infobits(hx.oMask[i]!, hx.oMask2[i]!)}`);
    case WalKind.Heap2LockUpdated:
      return ok(`off ${w.offOf(i)}: xmax ${hx.oXmax[i]}: flags ${hex2(hx.xlFlags[i]!)} ${infobits(hx.oMask[i]!, hx.oMask2[i]!)}`);
    case WalKind.HeapInplace:
      return w.offOf(i) ? ok(`off ${w.offOf(i)}`) : no('its offset is not recorded');
    case WalKind.Heap2Vacuum: {
      const n = (p as Heap2Payload | undefined)?.nunused;
      return n === undefined ? no('its counts are not recorded') : ok(`nunused ${n}`);
    }
    case WalKind.Heap2FreezePage: {
      const h = p as Heap2Payload | undefined;
      return h?.cutoff === undefined ? no('its cutoff is not recorded') : ok(`cutoff xid ${h.cutoff} ntuples ${h.ntuples}`);
    }
    case WalKind.Heap2Visible: {
      const v = p as Heap2VisiblePayload | undefined;
      return v?.cutoff === undefined ? no('its cutoff xid is not recorded') : ok(`cutoff xid ${v.cutoff} flags ${hex2(v.vmFlags)}`);
    }
    case WalKind.Heap2Prune: {
      const h = p as Heap2Payload | undefined;
      return h?.latestRemovedXid === undefined ? no('its counts are not recorded') : ok(`latestRemovedXid ${h.latestRemovedXid} nredirected ${h.nredirected} ndead ${h.ndead}`);
    }
    case WalKind.HashInsert: return ok(`off ${w.offOf(i)}`);
    case WalKind.HashDelete: {
      const d = p as HashDeletePayload;
      return ok(`clear_dead_marking ${d.clearDead ? 'T' : 'F'}, is_primary ${d.primary ? 'T' : 'F'}`);
    }
    case WalKind.HashUpdateMetaPage: return ok(`ntuples ${(p as HashDeletePayload).ntuples}`);
    case WalKind.BtreeInsertLeaf:
      if (isXlog(p)) return ok(p.desc);
      return w.offOf(i) ? ok(`off ${w.offOf(i)}`) : no('the entry\'s place on the leaf is not modelled for this index (more than one leaf page, non-integer keys, NULLs or posting lists)');
    case WalKind.BtreeNewroot: return ok(isXlog(p) ? p.desc : 'lev 0');
    case WalKind.BtreeInsertUpper: case WalKind.BtreeSplitL: case WalKind.BtreeSplitR: case WalKind.BtreeInsertPost: case WalKind.BtreeDedup:
      return ok((p as BtreeXlogPayload).desc);
    case WalKind.BtreeDelete: {
      const d = p as BtreeDeletePayload;
      return ok(`latestRemovedXid ${d.latestRemovedXid}; ndeleted ${d.ndeleted}; nupdated ${d.nupdated}`);
    }
    case WalKind.BtreeVacuum: {
      const v = p as BtreeVacuumPayload | undefined;
      return v?.ndeleted === undefined ? no('its counts are not recorded') : ok(`ndeleted ${v.ndeleted}; nupdated ${v.nupdated ?? 0}`);
    }
    case WalKind.XactCommit: case WalKind.XactAbort: {
      const x = p as XactPayload | undefined;
      if (x?.at === undefined || x.catalog !== false) return no('a transaction that changed catalogs logs invalidation messages and files to drop, which are not modelled');
      return ok(walTimestamp(x.at) + (x.subXids.length ? '; subxacts: ' + x.subXids.join(' ') : ''));
    }
    case WalKind.StorageCreate: {
      const r = relNode(eng, w, i);
      // smgr_desc's relpathperm: an unlogged relation's init fork is the file with the suffix _init
      const fork = (p as { fork?: string } | undefined)?.fork === 'init' ? '_init' : '';
      return typeof r === 'number' ? ok(`base/${DB}/${r}${fork}`) : r;
    }
    case WalKind.StorageTruncate: {
      const r = relNode(eng, w, i), blkno = (p as StorageTruncatePayload | undefined)?.blkno;
      if (typeof r !== 'number') return r;
      // smgr_desc: the path, the new length, and the forks cut (SMGR_TRUNCATE_HEAP | VM | FSM: RelationTruncate cuts all three)
      return blkno === undefined ? no('its length is not recorded') : ok(`base/${DB}/${r} to ${blkno} blocks flags 7`);
    }
    case WalKind.SequenceLog: {
      const r = relNode(eng, w, i);
      return typeof r === 'number' ? ok(`rel ${SPC}/${DB}/${r}`) : r;
    }
    case WalKind.MultiXactZeroOffPage: case WalKind.MultiXactZeroMemPage: {
      const z = p as MultiXactZeroPagePayload | undefined;
      return z ? ok(String(z.pageno)) : no('its page number is not recorded');
    }
    case WalKind.MultiXactCreateId: {
      // multixact_desc: the id, its first member offset, then each member as "xid (status) "
      const c = p as MultiXactCreatePayload | undefined;
      return c ? ok(`${c.mid} offset ${c.offset} nmembers ${c.members.length}: ` + c.members.map((m) => `${m.xid} (${m.status}) `).join('')) : no('its members are not recorded');
    }
    case WalKind.StandbyLock: case WalKind.StandbyRunningXacts: {
      const d = standbyDesc(kind, p);
      return d === undefined ? no('its contents are not recorded') : ok(d);
    }
    case WalKind.XlogNextOid: { // xlog_desc: the OID logged ahead to
      const b = (p as { nextOid: number } | undefined)?.nextOid;
      return b === undefined ? no('its OID is not recorded') : ok(String(b));
    }
    case WalKind.XlogFpi: return ok(''); // xlog_desc: "no further information to print"
    case WalKind.CheckpointOnline: case WalKind.CheckpointShutdown: {
      // xlog_desc: the CheckPoint struct, field by field (one timeline; no commit timestamps: track_commit_timestamp off)
      const c = p as CheckpointPayload | undefined;
      if (!c || c.oldestActiveXid === undefined || c.nextMultiOffset === undefined) return no('its fields are not recorded');
      if (c.nextOid === undefined) return no('the OID counter is not recorded');
      if (!c.oldestXidFresh) return no('the oldest xid and multixact after a VACUUM of the template databases are not modelled');
      return ok(`redo ${lsnOut(c.redo)}; tli 1; prev tli 1; fpw ${c.fullPageWrites}; xid 0:${c.nextXid}; oid ${c.nextOid}; `
        + `multi ${c.nextMulti}; offset ${c.nextMultiOffset}; oldest xid ${FRESH_OLDEST_XID} in DB 1; oldest multi 1 in DB 1; `
        + `oldest/newest commit timestamp xid: 0/0; oldest running xid ${c.oldestActiveXid}; ${kind === WalKind.CheckpointShutdown ? 'shutdown' : 'online'}`);
    }
    default: return no('its contents are not modelled');
  }
}

/** " (FPW); hole: offset: X, length: Y" — the hole of a standard page: pd_lower to pd_upper */
function imageText(img: { lower: number; upper: number } | null): string {
  if (!img) return ' (FPW); hole: offset: 0, length: 0';
  const hole = img.lower >= 24 && img.upper > img.lower && img.upper <= 8192;
  return ` (FPW); hole: offset: ${hole ? img.lower : 0}, length: ${hole ? img.upper - img.lower : 0}`;
}

/** XLogRecGetBlockRefInfo (detailed, not pretty) of record i */
export function walBlockRef(eng: Engine, i: number): DescResult {
  const w = eng.wal, kind = w.kindOf(i), p = w.payloadOf(i);
  if (w.blkOf(i) < 0) return ok('');
  const r = relNode(eng, w, i);
  if (typeof r !== 'number') return r;
  const ref = (id: number, blk: number, fork = 'main') => `blkref #${id}: rel ${SPC}/${DB}/${r} fork ${fork} blk ${blk}`;
  const blk = w.blkOf(i), fpi = w.fpiOf(i) > 0;
  switch (kind) {
    case WalKind.HeapInsert: case WalKind.HeapInsertInit: case WalKind.HeapDelete: case WalKind.HeapLock:
    case WalKind.Heap2LockUpdated: case WalKind.HeapInplace: case WalKind.HeapUpdate: case WalKind.HeapHotUpdate: {
      const hp = Array.isArray(p) ? undefined : (p as HeapTuplePayload | undefined);
      const isNew = (w.hx.flags[i]! & RF_NEW_TUPLE) !== 0;
      const newBlk = isNew ? w.hx.nBlk[i]! : blk;
      if ((kind === WalKind.HeapUpdate || kind === WalKind.HeapHotUpdate) && newBlk !== blk) {
        // log_heap_update: block 0 is the new version's page, block 1 the old one's
        return ok(`${ref(0, newBlk)}${hp?.fpi2 ? imageText(hp.fpi2) : ''} ${ref(1, blk)}${hp?.fpi ? imageText(hp.fpi) : ''}`);
      }
      if (fpi && !hp?.fpi) return no('its full-page image is not recorded');
      return ok(ref(0, blk) + (hp?.fpi ? imageText(hp.fpi) : ''));
    }
    case WalKind.Heap2Prune: case WalKind.Heap2Vacuum: case WalKind.Heap2FreezePage: {
      const img = (p as Heap2Payload | undefined)?.fpi as PageImage | undefined;
      if (fpi && !img) return no('its full-page image is not recorded');
      return ok(ref(0, blk) + (img ? imageText(img) : ''));
    }
    case WalKind.Heap2Visible:
      // log_heap_visible: the map's page (not a standard page: no hole), then the heap page (no image without checksums)
      return ok(`${ref(0, Math.floor(blk / HEAPBLOCKS_PER_VM_PAGE), 'vm')}${fpi ? imageText(null) : ''} ${ref(1, blk)}`);
    case WalKind.HashDelete: {
      const d = p as HashDeletePayload;
      return ok(d.primary ? ref(1, blk) : `${ref(0, d.bucketBlk!)} ${ref(1, blk)}`);
    }
    case WalKind.HashUpdateMetaPage: return ok(ref(0, 0));
    case WalKind.HashInsert: return fpi ? no('the image of a hash page is not modelled') : ok(`${ref(0, blk)} ${ref(1, 0)}`); // the bucket page, the metapage
    case WalKind.BtreeInsertLeaf: case WalKind.BtreeNewroot: case WalKind.BtreeInsertUpper: case WalKind.BtreeSplitL: case WalKind.BtreeSplitR:
    case WalKind.BtreeInsertPost: case WalKind.BtreeDedup:
      if (isXlog(p)) return ok(p.refs.map((b) => ref(b.id, b.blk) + (b.hole ? imageText(b.hole) : '')).join(' '));
      if (kind === WalKind.BtreeNewroot) return ok(`${ref(0, blk)} ${ref(2, 0)}`); // _bt_getroot: the new root, and the metapage as block 2
      // falls through: an INSERT_LEAF on the single simulated leaf
    case WalKind.BtreeDelete:
      if (kind === WalKind.BtreeDelete && fpi && (p as BtreeDeletePayload).hole) return ok(ref(0, blk) + imageText((p as BtreeDeletePayload).hole!));
      if (fpi) return no('the engine\'s image of a B-tree leaf is not PostgreSQL\'s (its hole is not modelled)');
      return ok(ref(0, blk));
    case WalKind.BtreeVacuum:
      if ((p as BtreeVacuumPayload | undefined)?.imageUnmodelled !== false) return no('PostgreSQL logs the leaf\'s full-page image here, which the engine does not model');
      return ok(ref(0, blk) + ((p as BtreeVacuumPayload).hole ? imageText((p as BtreeVacuumPayload).hole!) : ''));
    case WalKind.SequenceLog: return ok(ref(0, 0, (p as { fork?: string } | undefined)?.fork ?? 'main'));
    case WalKind.XlogFpi: {
      const ip = p as IndexNewPagePayload | undefined;
      if (ip?.index) return ok(ref(0, blk, ip.fork ?? 'main') + imageText(ip)); // a B-tree build's page (wal/nbtsort_xlog.ts)
      const img = (p as NewPagePayload | undefined)?.image;
      return img ? ok(ref(0, blk) + imageText(img)) : no('its image is not recorded');
    }
    default: return no('its block references are not modelled');
  }
}
