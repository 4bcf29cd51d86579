/**
 * Index entries for a new row version, and the unique check. For a unique index the check looks at every entry
 * with the same key through the dirty snapshot: a live duplicate is 23505; a version inserted or deleted by a
 * transaction still in progress makes us wait for it, then look again. (Under SERIALIZABLE a conflict on the index
 * page is checked first: 40001 wins over 23505.)
 *
 * Mirrors: src/backend/access/nbtree/nbtinsert.c (_bt_doinsert, _bt_check_unique), executor/execIndexing.c
 * (ExecInsertIndexTuples). The WAL records of the pages' change are wal/nbtxlog.ts's; where the pages are not modelled
 * (index/nbtlayout.ts), one INSERT_LEAF on a single simulated leaf (no page splits).
 */
import { datumBytes, FIXED } from '../heap/datum.js';
import { dataOffset } from '../index/nbtree.js';
import type { Executor } from './executor.js';
import { PgError } from '../errors.js';
import type { Session } from '../session/session.js';
import { type Value, type SqlType } from '../sql/types.js';
import type { Table } from '../catalog/catalog.js';
import { packTid, tidBlock, tidOffset, formatTid } from '../heap/heap.js';
import { BtreeIndex } from '../index/btree.js';
import { HashIndex } from '../index/hash.js';
import { updateXidOf } from '../multixact/multixact.js';
import { LpFlags, isHotUpdated, HEAP_ONLY_TUPLE, MAXALIGN } from '../heap/tuple.js';
import {
  satisfiesDirty,
} from '../visibility/visibility.js';
import { WalKind, formatLsn } from '../wal/wal.js';
import { indexImage } from '../buffer/bufmgr.js';
import { type BtreeInsertPayload } from '../wal/records.js';
import { insertedAt, insertOutcome } from '../index/nbtlayout.js';
import { logBtreeInsert } from '../wal/nbtxlog.js';
import { deleteBeforeInsert } from '../index/nbtdelete.js';
import {
  Gen, sameValue,
} from './util.js';
import { heapTupleIsSurelyDead } from '../snapshot/globalvis.js';

/**
 * Insert an index entry for the heap tuple at (blk, off); for a unique index first look for live rows with the
 * same key (_bt_check_unique), waiting for in-progress inserters/deleters.
 */
export function* indexInsert(
  ex: Executor, s: Session, t: Table, index: BtreeIndex, vals: Value[], blk: number, off: number, updated?: ReadonlySet<number>,
): Gen<void> {
  for (;;) {
    const xwait = ex.uniqueCheck(s, t, index, vals, blk, off);
    if (!xwait) break;
    if (ex.eng.tracer.wants('index')) ex.eng.tracer.emit({ kind: 'index', session: s.name, rel: index.name, text: `unique check on ${index.name}: key ${index.describeKey(vals, t.columns.map((c) => c.name))} belongs to a row of in-progress transaction ${xwait}; wait for it to finish` });
    yield* ex.eng.waitForXact(s, xwait, `while inserting index tuple ${formatTid(blk, off)} in relation "${index.name}"`);
  }
  indexAdd(ex, s, t, index, vals, blk, off, indexUnchanged(index, updated));
}

/**
 * _bt_check_unique: look at every version with the same key through the dirty snapshot. Returns 0 when the key
 * is free, or the id of an in-progress transaction that must finish first; throws 23505 on a live duplicate.
 */
const NO_VISIT = (_blk: number): void => {};

export function uniqueCheck(ex: Executor, s: Session, t: Table, index: BtreeIndex, vals: Value[], blk: number, off: number, keyKept = false): number {
  if (!index.unique || !index.covers(vals)) return 0;
  const key = index.keyOf(vals);
  if (key === null) return 0;
  const e = index.entries.get(key);
  if (e === undefined) return 0;
  const n = typeof e === 'number' ? 1 : e.length;
  const vctx = ex.eng.visibilityContext(s);
  // heapam_index_fetch_tuple prunes a page it moves to — but not one this backend pins twice: an UPDATE that kept the
  // key walks its own row's chain, whose page its scan holds (ConditionalLockBufferForCleanup fails); the engine then
  // prunes nothing (simplified: another page the walk reaches would be pruned in PostgreSQL)
  const visit = keyKept ? NO_VISIT : ex.pageVisitor(s, t);
  // entries whose chains are dead to all: _bt_check_unique marks them LP_DEAD as it goes (it holds the leaf locked)
  let killed: number[] | null = null;
  try {
    for (let i = 0; i < n; i++) {
      const tid = typeof e === 'number' ? e : e[i]!;
      if (index.deadTids.has(tid)) continue; // an LP_DEAD entry is not looked at
      const r = checkChain(ex, s, t, index, vals, blk, off, tid, vctx, visit, keyKept);
      if (r === 'dead') (killed ??= []).push(tid); else if (r) return r;
    }
  } finally {
    if (killed) index.kill(killed, index.keyValues(vals));
  }
  return 0;
}

/** One entry's HOT chain through the dirty snapshot: the xid to wait for, 'dead' (every version dead to all), or 0. */
function checkChain(ex: Executor, s: Session, t: Table, index: BtreeIndex, vals: Value[], blk: number, off: number, tid: number,
  vctx: ReturnType<Executor['eng']['visibilityContext']>, visit: (b: number) => void, keyKept: boolean): number | 'dead' {
  {
    // walk the HOT chain from the entry (heap_hot_search_buffer with SnapshotDirty)
    const cb = tidBlock(tid);
    visit(cb);
    const page = t.heap.pages[cb];
    if (!page) return 0;
    let co = tidOffset(tid);
    let item = page.items[co - 1];
    if (!item) return 0;
    if (item.lpFlags === LpFlags.DEAD || item.lpFlags === LpFlags.UNUSED) return 'dead';
    if (item.lpFlags === LpFlags.REDIRECT) { co = item.lpOff; item = page.items[co - 1]; }
    let prevXmax = -1, allDead = true;
    while (item && item.lpFlags === LpFlags.NORMAL && (prevXmax < 0 || item.xmin === prevXmax)) {
      if (cb === blk && co === off) allDead = false;
      else {
        const d = satisfiesDirty(item, vctx);
        if (d.visible) {
          const xwait = d.waitXmin || d.waitXmax;
          if (xwait) return keyKept ? 0 : xwait;
          // an UPDATE that kept the key: the version it replaces was the key's live holder (never a conflict)
          if (keyKept) return 0;
          // _bt_check_unique: before reporting the duplicate, check for an SSI conflict as a write to this index
          // page would — a serialization failure the unique violation would otherwise mask wins (40001)
          if (s.tx!.sxact) ex.eng.predicates.checkConflictIn(s.tx!.sxact, index.oid, index.leafBlock);
          throw new PgError('23505', `duplicate key value violates unique constraint "${index.name}"`, {
            detail: `Key ${index.describeKey(vals, t.columns.map((c) => c.name))} already exists.`,
          });
        }
        if (allDead && !heapTupleIsSurelyDead(ex.eng, s, item)) allDead = false;
      }
      if (!isHotUpdated(item) || item.ctidBlock !== cb) break;
      prevXmax = updateXidOf(item, ex.eng.multis);
      co = item.ctidOffset;
      item = page.items[co - 1];
      if (item && !(item.infomask2 & HEAP_ONLY_TUPLE)) break;
    }
    return allDead ? 'dead' : 0;
  }
}

/**
 * index_unchanged_by_update (execIndexing.c): the UPDATE's SET list names none of the index's columns — the executor's
 * hint that the new entry is a version of an old one with the same key (B-tree bottom-up deletion, nbtdedup.c).
 */
export function indexUnchanged(index: BtreeIndex, updated: ReadonlySet<number> | undefined): boolean {
  if (!updated) return false;
  const cols = [...index.columns, ...index.include, ...(index.def?.cols ?? [])];
  return cols.every((c) => c < 0 || !updated.has(c));
}

/**
 * An INSERT_LEAF record's length without a full-page image (btinsert → _bt_insertonpg, XLOG_BTREE_INSERT_LEAF): the
 * record header (24), block 0's header, RelFileNode and block number (20), the main data's header (2) and
 * xl_btree_insert (2), and the new index tuple as block data — its 8-byte header (16 with a NULL: the null bitmap),
 * the key's and INCLUDE columns' bytes, MAXALIGNed (IndexTupleSize). An expression index's, or a key whose bytes the
 * engine cannot lay out, counts as 16 bytes (an int4 key's).
 */
export function insertLeafLength(index: BtreeIndex, t: Table, vals: Value[]): number {
  const fixed = fixedEntryLength(index, t.types, vals);
  if (fixed >= 0) return 48 + fixed;
  const kt = index.keyTypes(t.types);
  let size = 16;
  if (kt.every((x) => x)) {
    const all = [...index.keyValues(vals), ...index.include.map((c) => vals[c] ?? null)];
    const data = datumBytes(all, [...(kt as SqlType[]), ...index.include.map((c) => t.types[c]!)]);
    if (data) size = MAXALIGN(dataOffset({ nulls: all.some((v) => v === null) }) + data.length);
  }
  return 48 + size;
}

/**
 * insertLeafLength's index tuple size without laying out its bytes, for a plain index whose key and INCLUDE columns
 * are fixed-width integers and booleans holding integers (or NULL): each value aligned to its type, then its length —
 * what datumBytes would produce. -1 for anything else (the caller lays the bytes out).
 */
function fixedEntryLength(index: BtreeIndex, types: readonly SqlType[], vals: Value[]): number {
  if (index.def) return -1;
  let n = 0, nulls = false;
  const cols = index.columns, inc = index.include;
  for (let k = 0; k < cols.length + inc.length; k++) {
    const c = k < cols.length ? cols[k]! : inc[k - cols.length]!;
    const t = types[c];
    if (!t) return -1;
    const v = k < cols.length ? vals[c] : vals[c] ?? null;
    if (v === null) { nulls = true; continue; }
    const f = t.name === 'name' ? undefined : FIXED[t.name];
    if (!f || (t.name === 'bool' ? false : typeof v !== 'number' || !Number.isInteger(v))) return -1;
    n = ((n + f[1] - 1) & ~(f[1] - 1)) + f[0];
  }
  return MAXALIGN(dataOffset({ nulls }) + n);
}

export function indexAdd(ex: Executor, s: Session, t: Table, index: BtreeIndex, vals: Value[], blk: number, off: number, unchanged = false): void {
  if (!index.covers(vals)) return; // a partial index has no entry for this version
  if (index instanceof HashIndex) { hashAdd(ex, s, t, index, vals, blk, off); return; }
  if (s.tx!.sxact) ex.eng.predicates.checkConflictIn(s.tx!.sxact, index.oid, index.leafBlock);
  // a full leaf deletes LP_DEAD entries and old versions first (index/nbtdelete.ts: Btree DELETE, before this record)
  const d = deleteBeforeInsert(ex, s, t, index, vals, packTid(blk, off), unchanged);
  index.insert(vals, packTid(blk, off), unchanged, d.afterdel, d.budedup);
  const w = ex.eng.wal;
  const xid = s.tx!.writeXid;
  // the pages as PostgreSQL has them: the records of what this insertion did to them (wal/nbtxlog.ts)
  const o = ex.eng.catalog.skipsWal(index.oid) ? null : insertOutcome(index, t.types);
  if (o) {
    const lsn = logBtreeInsert(ex.eng, s, index, vals, blk, off, o.out, o.layout);
    if (lsn !== 0) { w.noteBackendInsert(s.name); index.leafLsn = lsn; }
    if (ex.eng.tracer.wants('index')) ex.eng.tracer.emit({ kind: 'index', session: s.name, rel: index.name, blk, off, lsn: formatLsn(lsn), text: `index ${index.name}: new entry ${index.describeKey(vals, t.columns.map((c) => c.name))} → ${formatTid(blk, off)}${o.out.splits.length ? ` (${o.out.splits.length} page split${o.out.splits.length > 1 ? 's' : ''})` : ''}` });
    return;
  }
  if (index.count === 1) w.insert(WalKind.BtreeNewroot, xid, 90, index.oid, index.leafBlock, 0);
  const fpi = index.count > 1 && w.needsFpi(index.leafLsn) ? Math.min(8192, 64 + 16 * index.count) : 0;
  // REDO payload (btree_xlog_insert): the key's values (shared with the tuple) and the heap TID in the record's columns
  // with a full-page image, the record carries the leaf as it is after the insert (REDO restores it whatever is on disk)
  // the entry's offset on the leaf (xl_btree_insert.offnum), where the engine knows it (0: pg_walinspect refuses its description)
  const lsn = w.insert(WalKind.BtreeInsertLeaf, xid, fpi ? 53 : insertLeafLength(index, t, vals), index.oid,
    index.leafBlock, leafOffnum(index, t, vals, packTid(blk, off)), fpi,
    fpi ? { values: vals, image: indexImage(index) } satisfies BtreeInsertPayload : vals);
  if (lsn !== 0) { // 0: a temporary table's index, not WAL-logged
    w.noteBackendInsert(s.name);
    const ri = w.count - 1;
    w.hx.ensure(ri + 1);
    w.hx.nBlk[ri] = blk; w.hx.nOff[ri] = off;
  }
  index.leafLsn = lsn;
  if (ex.eng.tracer.wants('index')) ex.eng.tracer.emit({ kind: 'index', session: s.name, rel: index.name, blk, off, lsn: formatLsn(lsn), text: `index ${index.name}: new entry ${index.describeKey(vals, t.columns.map((c) => c.name))} → ${formatTid(blk, off)}` });
}

/**
 * hashinsert → _hash_doinsert: a NULL key is not indexed; under SERIALIZABLE the write is checked against SIREAD
 * locks on the bucket's primary page; the Hash INSERT record names the page the tuple went to (block 0 of the
 * record) and the metapage (block 1), its main data the tuple's offset on that page.
 */
function hashAdd(ex: Executor, s: Session, t: Table, index: HashIndex, vals: Value[], blk: number, off: number): void {
  const key = vals[index.columns[0]!]!;
  if (key !== null && s.tx!.sxact) ex.eng.predicates.checkConflictIn(s.tx!.sxact, index.oid, index.bucketBlock(key));
  index.insert(vals, packTid(blk, off));
  if (key === null) return;
  const at = index.placeOf(key, packTid(blk, off));
  const w = ex.eng.wal;
  const lsn = w.insert(WalKind.HashInsert, s.tx!.writeXid, HASH_INSERT_LENGTH, index.oid, at.blk, at.off, 0, vals);
  if (lsn !== 0) {
    w.noteBackendInsert(s.name);
    const ri = w.count - 1;
    w.hx.ensure(ri + 1);
    w.hx.nBlk[ri] = blk; w.hx.nOff[ri] = off;
  }
  index.leafLsn = lsn;
  if (!ex.eng.tracer.wants('index')) return;
  ex.eng.tracer.emit({ kind: 'index', session: s.name, rel: index.name, blk, off, lsn: formatLsn(lsn),
    text: `hash index ${index.name}: new entry ${index.describeKey(vals, t.columns.map((c) => c.name))} → ${formatTid(blk, off)} in block ${at.blk}` });
}
/**
 * XLogRecord 24; block 0's header, RelFileNode and block (20) and the 16-byte index tuple; block 1's header and
 * block (8, the same relation); the main data's header (2) and xl_hash_insert (2)
 */
const HASH_INSERT_LENGTH = 72;

/** up to how many entries the INSERT_LEAF offset is looked up in the replayed pages (a posting list holds up to 222) */
const LAYOUT_OFFSET_LIMIT = 4000;

/**
 * xl_btree_insert.offnum of the entry just added: the quick count (BtreeIndex.leafOffset), else its line pointer on the
 * replayed leaf (index/nbtlayout.ts) when the index is one leaf and the entry is an item of its own (not inside a
 * posting list: PostgreSQL's INSERT_POST); 0 (not known) otherwise.
 */
function leafOffnum(index: BtreeIndex, t: Table, vals: Value[], tid: number): number {
  const quick = index.leafOffset(vals, tid);
  if (quick || !index.log || index.count > LAYOUT_OFFSET_LIMIT) return quick;
  try {
    const at = insertedAt(index, t.types, index.keyValues(vals), tid);
    return at && at.blk === index.leafBlock ? at.off : 0;
  } catch (e) {
    if (e instanceof PgError && e.sqlstate === '0A000') return 0;
    throw e;
  }
}

/**
 * Insert index entries for a new heap tuple, index by index. Returns -1 when all are in, or the position of
 * the index whose unique check must wait (the caller continues with indexInsertRest, which can wait).
 */
export function indexInsertAll(
  ex: Executor, s: Session, t: Table, vals: Value[], blk: number, off: number, oldVals?: Value[], updated?: ReadonlySet<number>,
): number {
  const idx = t.indexes;
  for (let i = 0; i < idx.length; i++) {
    const index = idx[i]!;
    // An UPDATE that keeps this index's key cannot create a duplicate: the version it replaces was the live
    // holder of the key (PostgreSQL still walks the entries; the answer is always "no conflict").
    let keyKept = oldVals !== undefined;
    if (keyKept && index.def) {
      const a = index.keyValues(oldVals!), b = index.keyValues(vals);
      keyKept = index.covers(oldVals!) === index.covers(vals) && a.every((v, k) => sameValue(v, b[k]!));
    } else if (keyKept) for (const c of index.columns) if (!sameValue(oldVals![c]!, vals[c]!)) { keyKept = false; break; }
    // (it still walks the key's entries, as _bt_check_unique does, marking dead ones LP_DEAD)
    if (ex.uniqueCheck(s, t, index, vals, blk, off, keyKept) !== 0) return i;
    indexAdd(ex, s, t, index, vals, blk, off, indexUnchanged(index, updated));
  }
  return -1;
}

export function* indexInsertRest(
  ex: Executor, s: Session, t: Table, from: number, vals: Value[], blk: number, off: number, updated?: ReadonlySet<number>,
): Gen<void> {
  for (let i = from; i < t.indexes.length; i++) yield* indexInsert(ex, s, t, t.indexes[i]!, vals, blk, off, updated);
}
