/**
 * Read-only views of the engine's insides, shaped like the PostgreSQL tools that show them:
 *   heap pages    — pageinspect's page_header() and heap_page_items() (+ decoded infomask flags)
 *   index entries — bt_page_items(): key → heap TID
 *   sessions      — pg_stat_activity (state, backend_xid, backend_xmin) plus the snapshot and the wait
 *   locks         — pg_locks, with session names
 *   commit log    — pg_xact_status() for every xid handed out
 *   WAL           — pg_waldump / pg_get_wal_records_info()
 * and beside it: horizon.ts (who holds the removable horizon back, per dead version), bloat.ts (table size, live and
 * dead versions, WAL after each step), vacuumstate.ts (all of it with the statistics and autovacuum's thresholds,
 * for the Vacuum view).
 * Nothing here changes state (no hint bits are set by looking).
 */
import { type Compressed, compressedOf, storedSize } from '../heap/heaptoast.js';
import type { Engine } from '../engine.js';
import type { Table } from '../catalog/catalog.js';
import { LP_FLAG_NAMES, infomaskFlagNames, HEAP_NATTS_MASK } from '../heap/tuple.js';
import { formatValue } from '../sql/types.js';
import { formatLsn, type WalRecordView } from '../wal/wal.js';
import { isPageDirty, isIndexDirty } from '../buffer/bufmgr.js';
import { formatSnapshot } from '../snapshot/snapshot.js';
import { usesXactSnapshot } from '../xact/xact.js';
import { tidBlock, tidOffset } from '../heap/heap.js';
import { XID_STATUS_NAMES } from '../clog/clog.js';
import { LOCK_MODES } from '../lock/lock.js';

export interface HeapItemView {
  lp: number; lp_flags: number; lp_flags_name: string; lp_off: number; lp_len: number;
  t_xmin: number | null; t_xmax: number | null; t_field3: number | null; t_ctid: string | null;
  t_infomask2: number | null; t_infomask: number | null; natts: number | null; flags: string[]; values: (string | null)[] | null;
  /** values the toaster compressed in this tuple (heap/heaptoast.ts): column number, raw and stored bytes */
  compressed?: { attnum: number; raw: number; stored: number }[];
}
export interface PageView {
  blkno: number; lsn: string; lower: number; upper: number; prune_xid: number; flags: number; items: HeapItemView[]; itemCount: number;
}

const compressedView = (c: readonly (Compressed | undefined)[]) =>
  c.flatMap((x, i) => (x ? [{ attnum: i + 1, raw: x.rawSize, stored: storedSize(x) }] : []));

/** pageinspect's view of one page; with `maxItems`, only the first line pointers are listed (itemCount says how many). */
export function heapPage(table: Table, blk: number, maxItems = Infinity): PageView {
  const p = table.heap.pages[blk];
  if (!p) throw new Error(`block ${blk} of ${table.name} does not exist`);
  return {
    blkno: blk, lsn: formatLsn(p.lsn), lower: p.lower, upper: p.upper, prune_xid: p.pruneXid, flags: p.flags, itemCount: p.items.length,
    items: p.items.slice(0, maxItems).map((it, i) => {
      const normal = it.lpFlags === 1;
      return {
        lp: i + 1, lp_flags: it.lpFlags, lp_flags_name: LP_FLAG_NAMES[it.lpFlags], lp_off: it.lpOff, lp_len: normal ? it.lpLen : 0,
        t_xmin: normal ? it.xmin : null, t_xmax: normal ? it.xmax : null, t_field3: normal ? it.field3 : null,
        t_ctid: normal ? `(${it.ctidBlock},${it.ctidOffset})` : null, t_infomask2: normal ? it.infomask2 : null,
        t_infomask: normal ? it.infomask : null, natts: normal ? it.infomask2 & HEAP_NATTS_MASK : null,
        flags: normal ? infomaskFlagNames(it.infomask, it.infomask2) : [], values: normal ? it.values.map(formatValue) : null,
        ...(normal && compressedOf(it.values) ? { compressed: compressedView(compressedOf(it.values)!) } : {}),
      };
    }),
  };
}

export interface IndexEntryView { key: string; tid: string }
/** Index entries in key order; with `limit`, only the first ones (the sort is cached per index version). */
const entryCache = new WeakMap<object, { count: number; lsn: number; rows: IndexEntryView[] }>();
export function indexEntries(table: Table, indexName: string, limit = Infinity): IndexEntryView[] {
  const idx0 = table.indexes.find((i) => i.name === indexName);
  if (idx0 && limit !== Infinity && idx0.entries.onlySmallInts && !idx0.nullEntries.length) {
    // integer keys come out of the map in key order: the first `limit` need no sort (a time-travel jump shows a fresh
    // copy of the index every time, so a cache keyed by the index object would miss)
    const out: IndexEntryView[] = [];
    for (const [k, v] of idx0.entries) {
      const tids = typeof v === 'number' ? [v] : [...v].sort((a, b) => a - b);
      for (const tid of tids) { out.push({ key: `(${k})`, tid: `(${tidBlock(tid)},${tidOffset(tid)})` }); if (out.length >= limit) return out; }
    }
    return out;
  }
  const cached = idx0 && entryCache.get(idx0);
  if (cached && cached.count === idx0!.count && cached.lsn === idx0!.leafLsn) return cached.rows.slice(0, limit);
  const all = indexEntriesUncached(table, indexName);
  if (idx0) entryCache.set(idx0, { count: idx0.count, lsn: idx0.leafLsn, rows: all });
  return all.slice(0, limit);
}
function indexEntriesUncached(table: Table, indexName: string): IndexEntryView[] {
  const idx = table.indexes.find((i) => i.name === indexName);
  if (!idx) throw new Error(`no index ${indexName} on ${table.name}`);
  const rows: { sort: (string | number)[]; key: string; tid: number }[] = [];
  for (const [k, v] of idx.entries) {
    const tids = typeof v === 'number' ? [v] : v;
    const parts = typeof k === 'number' ? [k] : k.startsWith('s') ? [k.slice(1)] : (JSON.parse(k) as string[]);
    for (const tid of tids) rows.push({ sort: parts, key: `(${parts.join(', ')})`, tid });
  }
  for (const e of idx.nullEntries) rows.push({ sort: [], key: `(${e.key.map((x) => formatValue(x) ?? 'null').join(', ')})`, tid: e.tid });
  rows.sort((a, b) => {
    for (let i = 0; i < Math.max(a.sort.length, b.sort.length); i++) {
      const x = a.sort[i], y = b.sort[i];
      if (x === y) continue;
      if (x === undefined) return 1;
      if (y === undefined) return -1;
      return x < y ? -1 : 1;
    }
    return a.tid - b.tid;
  });
  return rows.map((r) => ({ key: r.key, tid: `(${tidBlock(r.tid)},${tidOffset(r.tid)})` }));
}

export interface SessionView {
  name: string; pid: number; state: string; block: string; isolation: string | null; readOnly: boolean | null;
  vxid: string | null; xid: number | null; snapshot: string | null; backendXmin: number | null;
  waiting: { lock: string; mode: string; since: number; reason: string; blockedBy: string[] } | null;
  /** a sentence saying what the session is doing */
  status: string;
}

export function sessions(eng: Engine): SessionView[] {
  return eng.sessions.map((s) => {
    const tx = s.tx;
    const snap = tx && usesXactSnapshot(tx.isolation) ? tx.xactSnapshot : null;
    const waitInfo = s.waiting ? {
      lock: JSON.stringify(s.waiting.tag), mode: LOCK_MODES[s.waiting.mode]!, since: s.waiting.since, reason: s.waiting.reason,
      blockedBy: eng.locks.blockers(s.id).map((o) => eng.sessions[o]!.name),
    } : null;
    let status: string;
    if (waitInfo) status = `waiting: ${waitInfo.reason}`;
    else if (s.terminated) status = `disconnected: ${s.terminated.message}`;
    else if (s.sleepingUntil !== null) status = `sleeping (pg_sleep) until t=${s.sleepingUntil} ms`;
    else if (s.safeSnapshotWait) status = 'waiting for a safe snapshot (SERIALIZABLE READ ONLY DEFERRABLE): until the read-write serializable transactions that were running end';
    else if (s.block === 'failed') status = s.lastAbortReason === 'deadlock' ? 'failed transaction (aborted by deadlock detection): only ROLLBACK/COMMIT will be accepted' : 'failed transaction: only ROLLBACK/COMMIT will be accepted';
    else if (tx && s.block === 'inprogress') status = `in transaction (${tx.isolation}${tx.xid ? `, xid ${tx.xid}` : ', no xid yet'})`;
    else status = 'idle';
    return {
      name: s.name, pid: s.pid, state: s.state, block: s.block, isolation: tx?.isolation ?? null, readOnly: tx?.readOnly ?? null,
      vxid: tx?.vxid ?? null, xid: tx?.xid || null, snapshot: snap ? formatSnapshot(snap) : null,
      backendXmin: snap ? snap.xmin : null, waiting: waitInfo, status,
    };
  });
}

/** pg_locks: heavyweight locks, then the SSI predicate locks (mode SIReadLock; they never block anyone). */
export function locks(eng: Engine) {
  const rows = eng.locks.view().map((r) => ({ ...r, session: eng.sessions[r.owner]?.name ?? String(r.owner) }));
  for (const p of eng.predicates.view()) {
    const [kind, ...rest] = [p.target[0], ...p.target.slice(1).split('/').map(Number)];
    rows.push({
      locktype: kind === 'r' ? 'relation' : kind === 'p' ? 'page' : 'tuple', relation: rest[0] ?? null,
      page: kind === 'r' ? null : rest[1] ?? null, tuple: kind === 't' ? rest[2] ?? null : null, virtualxid: null,
      transactionid: null, classid: null, objid: null, objsubid: null, owner: p.session, mode: 'SIReadLock', granted: true, fastpath: false, waitstart: null,
      session: eng.sessions[p.session]?.name ?? String(p.session),
    });
  }
  return rows;
}

export function clog(eng: Engine, from = 724, last = Infinity) {
  const start = Math.max(from, eng.xacts.nextXid - last);
  return eng.xacts.clog.range(start, eng.xacts.nextXid).map((e) => ({
    ...e, status: e.status === 'in progress' && !eng.xacts.isInProgress(e.xid) ? XID_STATUS_NAMES[2] : e.status,
  }));
}

export function wal(eng: Engine, from = 0, to = eng.wal.count): WalRecordView[] {
  return eng.wal.records(from, to);
}

/** pg_waldump's text for records [from, to). */
export function waldump(eng: Engine, from = 0, to = eng.wal.count): string[] {
  const out: string[] = [];
  for (let i = Math.max(0, from); i < Math.min(to, eng.wal.count); i++) out.push(eng.wal.dumpLine(i));
  return out;
}

/** The WAL positions pg_control_checkpoint() / pg_current_wal_*_lsn() report. */
export function walPositions(eng: Engine) {
  return {
    insert: formatLsn(eng.wal.insertLsn), flush: formatLsn(eng.wal.flushedLsn), redo: formatLsn(eng.wal.redoLsn),
    unflushedRecords: eng.wal.unflushedCount(), unflushedCommits: eng.wal.unflushedCommits(),
  };
}

/** A table as the views list it: a temporary one is named with its schema (pg_temp_3.t: two sessions may each
 *  have a t, and it may shadow a permanent t) and says whose it is. */
export interface TableSummary {
  name: string; oid: number; columns: { name: string; type: string }[]; pages: number; items: number; indexes: string[];
  temp?: { session: string; schema: string; onCommit: 'preserve' | 'delete' | 'drop' };
}
export function tables(eng: Engine): TableSummary[] {
  return [...eng.catalog.tables.values()].map((t) => ({
    name: displayName(t), oid: t.oid, columns: t.columns.map((c) => ({ name: c.name, type: c.type.name })), pages: t.heap.pages.length,
    items: t.heap.tupleCount, indexes: t.indexes.map((i) => i.name),
    ...(t.temp ? { temp: { session: t.temp.session, schema: t.temp.schema, onCommit: t.temp.onCommit } } : {}),
  }));
}

/** The name the views know a table by: a temporary table's is schema-qualified (pg_temp_N.name). */
export function displayName(t: Table): string { return t.temp ? `${t.temp.schema}.${t.name}` : t.name; }

/** The table a view names (displayName's inverse): no session's search path is involved. */
export function tableByDisplayName(eng: Engine, name: string): Table | undefined {
  const dot = name.indexOf('.');
  if (dot < 0) return eng.catalog.tables.get(name);
  const schema = name.slice(0, dot), rel = name.slice(dot + 1);
  for (const t of eng.catalog.tables.values()) if (t.temp?.schema === schema && t.name === rel) return t;
  return undefined;
}

/** Everything at once (small tables only: pages are included in full). */
export function snapshotOfState(eng: Engine) {
  return {
    clock: eng.clock.now, nextXid: eng.xacts.nextXid, walInsert: formatLsn(eng.wal.insertLsn), walFlush: formatLsn(eng.wal.flushedLsn), walCount: eng.wal.count,
    tables: tables(eng), sessions: sessions(eng), locks: locks(eng), clog: clog(eng),
    pages: [...eng.catalog.tables.values()].map((t) => ({ table: t.name, pages: t.heap.pages.map((_, b) => heapPage(t, b)) })),
  };
}

/** Buffers vs disk, pg_control, the last crash and recovery (the durability view). */
export interface DurabilityState {
  server: 'running' | 'down';
  crashArmed: string | null;
  fullPageWrites: boolean;
  control: { state: string; checkPoint: string; redo: string; nextXid: number; time: number };
  /** every heap page and index: buffer LSN vs disk LSN */
  buffers: { rel: string; /** the relation's OID (shown on hover) */ oid: number; kind: 'heap' | 'index'; blk: number | null; bufferLsn: string; diskLsn: string | null; dirty: boolean; torn: boolean; diskTorn: boolean }[];
  lastCrash: { point: string; at: number; lostRecords: number; lostCommits: number[]; lostDirtyPages: number } | null;
  lastRecovery: {
    outcome: string; replayed: number; applied: number; skipped: number; restored: number; abortedNoOutcome: number[]; corruptPages: string[];
    steps: { lsn: string; action: string; pageLsnBefore: string | null; text: string }[];
  } | null;
  serverLog: string[];
}


/** Buffers vs disk (page LSN in shared buffers vs on disk), pg_control, the last crash and recovery. */
export function durability(eng: Engine, maxBuffers = 400, maxSteps = 400): DurabilityState {
  const buffers: DurabilityState['buffers'] = [];
  for (const t of eng.catalog.tables.values()) {
    if (t.temp) continue; // a temporary table's pages are in its backend's local buffers, never on this list
    for (const p of t.heap.pages) {
      if (buffers.length >= maxBuffers) break;
      const d = t.heap.disk[p.blkno];
      buffers.push({ rel: t.name, oid: t.oid, kind: 'heap', blk: p.blkno, bufferLsn: formatLsn(p.lsn), diskLsn: d ? formatLsn(d.lsn) : null, dirty: isPageDirty(t, p), torn: !!p.torn, diskTorn: !!d?.torn });
    }
    for (const i of t.indexes) {
      buffers.push({ rel: i.name, oid: i.oid, kind: 'index', blk: null, bufferLsn: formatLsn(i.leafLsn), diskLsn: i.disk ? formatLsn(i.disk.lsn) : null, dirty: isIndexDirty(i), torn: false, diskTorn: false });
    }
  }
  const c = eng.control;
  const r = eng.lastRecovery;
  return {
    server: eng.serverState, crashArmed: eng.crashArmed, fullPageWrites: eng.wal.fullPageWrites,
    control: { state: c.state, checkPoint: formatLsn(c.checkPoint), redo: formatLsn(c.redo), nextXid: c.nextXid, time: c.time },
    buffers,
    lastCrash: eng.lastCrash ? {
      point: eng.lastCrash.point, at: eng.lastCrash.at, lostRecords: eng.lastCrash.lostRecords,
      lostCommits: eng.lastCrash.lostCommits, lostDirtyPages: eng.lastCrash.lostDirtyPages,
    } : null,
    lastRecovery: r ? {
      outcome: r.outcome, replayed: r.replayed, applied: r.applied, skipped: r.skipped, restored: r.restored,
      abortedNoOutcome: r.abortedNoOutcome, corruptPages: r.corruptPages,
      steps: r.steps.slice(0, maxSteps).map((s) => ({
        lsn: formatLsn(s.lsn), action: s.action, pageLsnBefore: s.pageLsnBefore !== undefined ? formatLsn(s.pageLsnBefore) : null, text: s.text,
      })),
    } : null,
    serverLog: eng.serverLog.slice(-60),
  };
}
