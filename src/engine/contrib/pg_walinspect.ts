/**
 * pg_walinspect: the write-ahead log read back in SQL, record by record or summed up by record kind.
 *
 *     CREATE EXTENSION pg_walinspect;
 *     CREATE TABLE m (l pg_lsn);  INSERT INTO m SELECT pg_current_wal_insert_lsn();
 *     INSERT INTO t VALUES (3, 30);
 *     SELECT resource_manager, record_type, record_length, fpi_length
 *       FROM pg_get_wal_records_info((SELECT l FROM m), pg_current_wal_flush_lsn());
 *     -- Heap | INSERT+INIT | 63 | 0   (the mark's own row: the first row on m's first page)
 *     -- Transaction | COMMIT | 34 | 0 ... Heap | INSERT | 63 | 0,  Btree | INSERT_LEAF | 64 | 0, ...
 *     SELECT * FROM pg_get_wal_stats((SELECT l FROM m), pg_current_wal_flush_lsn(), true);
 *     -- Transaction/COMMIT | 2 | 40 | 68 | ...   (count, size and full-page-image bytes per record type)
 *
 * The range: a record belongs to [start, end) if it starts at or after the first record boundary at or after
 * start (XLogFindNextRecord) and ends at or before end. PostgreSQL reads only what is flushed: a start at or past
 * the flush pointer is "cannot accept future start LSN", an end past it "cannot accept future end LSN" (both with
 * DETAIL "Last known WAL LSN on the database system is at …", the engine's flush pointer), a start
 * not before the end "WAL start LSN must be less than end LSN", LSN 0/0 "could not read WAL at LSN 0/0".
 * pg_get_wal_record_info(lsn) shows the first record at or after lsn.
 *
 * pg_get_wal_stats sums count, record_size (the record without its full-page image), fpi_size and combined_size per
 * resource manager — every resource manager of PostgreSQL 15 in rmgrlist.h order, with zero rows too — or, with
 * per_record, per record type (rmgr/TYPE, only the types that occur, in the order of their info codes), each with
 * its percentage of the range's total.
 *
 * Mirrors: contrib/pg_walinspect/pg_walinspect.c (ValidateInputLSNs, GetWALRecordsInfo, GetWalStats,
 * FillXLogStatsRow), access/transam/xlogstats.c, access/rmgrlist.h.
 *
 * What is not modelled, and how it is refused: the engine keeps each record's kind, xid, position, length and
 * full-page-image length, not its bytes. So start_lsn, end_lsn, prev_lsn, xid, resource_manager, record_type,
 * record_length and fpi_length are PostgreSQL's; description and block_ref are PostgreSQL 15's text for the record
 * kinds whose fields the engine keeps (contrib/pg_walinspect_desc.ts: heap and Heap2 records, Btree INSERT_LEAF /
 * NEWROOT / VACUUM, COMMIT / ABORT without catalog changes, Storage CREATE, Sequence LOG, MultiXact records, Standby
 * LOCK / RUNNING_XACTS (wal/standby.ts), XLOG NEXTOID, FPI (a B-tree build's pages too: wal/nbtsort_xlog.ts) and
 * CHECKPOINT_ONLINE / CHECKPOINT_SHUTDOWN while the oldest xid is known); main_data_length only for
 * some kinds (below). Reading one of those columns of a record whose value is not modelled is a 0A000 naming the
 * record kind and the reason (the row's value is a getter that refuses: a query that never reads the column runs;
 * one that copies whole rows, SELECT *, refuses only if a row in range is such a record).
 * main_data_length is modelled for records without block references (record length minus the
 * 24-byte header and the main-data header, 2 bytes or 5 past 255) and, measured from PostgreSQL 15, for Heap INSERT (3), DELETE
 * (8), UPDATE / HOT_UPDATE (14), LOCK (8) and Btree INSERT_LEAF (2) (wal/wal.ts MAIN_DATA); block_ref is modelled as '' for records without blocks.
 * The engine's log begins at 0/1500000: positions before it (initdb's records) are refused too. pg_current_wal_lsn()
 * (the write pointer) is the flush pointer here: the engine writes and flushes WAL in one step.
 */
import { PgError, notSupported } from '../errors.js';
import { register, type FuncDef, type CallCtx } from '../sql/funcs/registry.js';
import { T, type Value, type SqlType } from '../sql/types.js';
import { floatIn } from '../adt/float.js';
import { WalKind, WAL_KIND_INFO, WAL_PAGE, MAIN_DATA } from '../wal/wal.js';
import type { Engine } from '../engine.js';
import { walDescription, walBlockRef, type DescResult } from './pg_walinspect_desc.js';
import { host } from './host.js';
import { lsnOut } from './pageinspect.js';

const EXT = 'pg_walinspect';

/** pg_lsn's text (X/X) as a byte position */
export function lsnIn(v: Value): number {
  const [hi, lo] = String(v).split('/');
  return parseInt(hi!, 16) * 0x100000000 + parseInt(lo!, 16);
}

/** PostgreSQL 15's resource managers (rmgrlist.h), in their id order */
export const RMGRS = ['XLOG', 'Transaction', 'Storage', 'CLOG', 'Database', 'Tablespace', 'MultiXact', 'RelMap', 'Standby', 'Heap2', 'Heap',
  'Btree', 'Hash', 'Gin', 'Gist', 'Sequence', 'SPGist', 'BRIN', 'CommitTs', 'ReplicationOrigin', 'Generic', 'LogicalMessage'] as const;

/** each record kind's info code >> 4 (its place among its resource manager's types in per-record statistics) */
const INFO: Record<WalKind, number> = {
  [WalKind.HeapInsert]: 0, [WalKind.HeapDelete]: 1, [WalKind.HeapUpdate]: 2, [WalKind.HeapHotUpdate]: 4, [WalKind.HeapLock]: 6,
  [WalKind.HeapInplace]: 7, [WalKind.HeapInsertInit]: 8,
  [WalKind.Heap2Prune]: 1, [WalKind.Heap2Vacuum]: 2, [WalKind.Heap2FreezePage]: 3, [WalKind.Heap2Visible]: 4, [WalKind.Heap2LockUpdated]: 6,
  [WalKind.BtreeInsertLeaf]: 0, [WalKind.BtreeInsertUpper]: 1, [WalKind.BtreeSplitL]: 3, [WalKind.BtreeSplitR]: 4,
  [WalKind.BtreeInsertPost]: 5, [WalKind.BtreeDedup]: 6, [WalKind.BtreeDelete]: 7, [WalKind.BtreeNewroot]: 10, [WalKind.BtreeVacuum]: 12,
  [WalKind.HashInsert]: 2, [WalKind.HashDelete]: 9, [WalKind.HashUpdateMetaPage]: 11,
  [WalKind.XactCommit]: 0, [WalKind.XactAbort]: 2,
  [WalKind.CheckpointShutdown]: 0, [WalKind.CheckpointOnline]: 1, [WalKind.XlogFpi]: 11,
  [WalKind.StorageCreate]: 1, [WalKind.StorageTruncate]: 2,
  [WalKind.MultiXactZeroOffPage]: 0, [WalKind.MultiXactZeroMemPage]: 1, [WalKind.MultiXactCreateId]: 2,
  [WalKind.SequenceLog]: 0, [WalKind.StandbyLock]: 0, [WalKind.StandbyRunningXacts]: 1, [WalKind.XlogNextOid]: 3,
};

/** a record without blocks, past its SizeOfXLogRecord (24): XLR_BLOCK_ID_DATA_SHORT's header (2) and the main data,
 *  or XLR_BLOCK_ID_DATA_LONG's (5) when the main data is longer than 255 bytes */
const mainDataOf = (rest: number) => (rest - 2 > 255 ? rest - 5 : rest - 2);

function unmodelled(row: Value[], col: number, what: string, kind: WalKind, why = 'not modelled'): void {
  const [rmgr, type] = WAL_KIND_INFO[kind]!;
  Object.defineProperty(row, col, { enumerable: true, get() { throw notSupported(`pg_walinspect's ${what} of a ${rmgr} ${type} record (${why}: select the other columns)`); } });
}

/** a description / block_ref column: PostgreSQL's text (contrib/pg_walinspect_desc.ts) or a refusing getter */
function described(row: Value[], col: number, what: string, kind: WalKind, r: DescResult): void {
  if ('text' in r) row[col] = r.text; else unmodelled(row, col, what, kind, r.refused);
}

function recordRow(eng: Engine, i: number): Value[] {
  const w = eng.wal;
  const kind = w.kindOf(i);
  const rmgr = WAL_KIND_INFO[kind]![0], type = w.typeOf(i);
  const len = w.record(i).len, fpi = w.fpiOf(i);
  const noBlock = w.blkOf(i) < 0;
  const row: Value[] = [lsnOut(w.startOf(i)), lsnOut(w.endOf(i)), i > 0 ? lsnOut(w.startOf(i - 1)) : null, w.xidOf(i), rmgr, type, len, null, fpi, null, null];
  const md = noBlock ? mainDataOf(len - fpi - 24) : MAIN_DATA[kind];
  if (i === 0) unmodelled(row, 2, 'prev_lsn (the engine log\'s first record follows initdb\'s, which are not modelled)', kind);
  if (md === undefined) unmodelled(row, 7, 'main_data_length', kind); else row[7] = md;
  described(row, 9, 'description', kind, walDescription(eng, i));
  described(row, 10, 'block_ref', kind, walBlockRef(eng, i));
  return row;
}

interface Range { from: number; to: number }

/** ValidateInputLSNs and the reader's start: the records of [start, end), or PostgreSQL's refusal. */
function range(c: CallCtx, startV: Value, endV: Value | null): Range {
  const w = host(c).eng.wal;
  const start = lsnIn(startV), flush = w.flushedLsn;
  const detail = `Last known WAL LSN on the database system is at ${lsnOut(flush)}.`;
  if (start >= flush) throw new PgError('22023', 'cannot accept future start LSN', { detail });
  const end = endV === null ? flush : lsnIn(endV);
  if (end > flush) throw new PgError('22023', 'cannot accept future end LSN', { detail });
  if (start >= end) throw new PgError('22023', 'WAL start LSN must be less than end LSN');
  return readable(c, start, end);
}

function readable(c: CallCtx, start: number, end: number): Range {
  const w = host(c).eng.wal;
  if (start === 0) throw new PgError('XX000', 'could not read WAL at LSN 0/0');
  // the engine's log begins on the WAL page of its first record (a start in that page's header finds that record)
  const begin = w.count ? Math.floor(w.startOf(0) / WAL_PAGE) * WAL_PAGE : w.insertLsn;
  if (start < begin) throw notSupported(`reading WAL before ${lsnOut(begin)} (initdb's records are not modelled)`);
  const from = w.firstAtOrAfter(start);
  let to = from;
  while (to < w.count && w.endOf(to) <= end) to++;
  return { from, to };
}

function recordsInfo(c: CallCtx, start: Value, end: Value | null): Value[][] {
  const eng = host(c).eng;
  const { from, to } = range(c, start, end);
  const out: Value[][] = [];
  for (let i = from; i < to; i++) out.push(recordRow(eng, i));
  return out;
}

function recordInfo(c: CallCtx, lsnV: Value): Value[][] {
  const w = host(c).eng.wal;
  const lsn = lsnIn(lsnV);
  if (lsn >= w.flushedLsn) throw new PgError('22023', 'cannot accept future input LSN', { detail: `Last known WAL LSN on the database system is at ${lsnOut(w.flushedLsn)}.` });
  const { from } = readable(c, lsn, w.flushedLsn);
  if (from >= w.count) throw new PgError('XX000', `could not read WAL at ${lsnOut(lsn)}`);
  return [recordRow(host(c).eng, from)];
}

const f8 = (x: number) => floatIn(String(x), false);

/** GetXLogSummaryStats / FillXLogStatsRow: count, sizes and percentages per resource manager or record type. */
function walStats(c: CallCtx, start: Value, end: Value | null, perRecord: boolean): Value[][] {
  const w = host(c).eng.wal;
  const { from, to } = range(c, start, end);
  interface Acc { count: number; rec: number; fpi: number }
  const groups = new Map<string, Acc & { order: number }>();
  if (!perRecord) RMGRS.forEach((r, k) => groups.set(r, { count: 0, rec: 0, fpi: 0, order: k * 256 }));
  let total = 0, totalRec = 0, totalFpi = 0;
  for (let i = from; i < to; i++) {
    const kind = w.kindOf(i);
    const rmgr = WAL_KIND_INFO[kind]![0], type = w.typeOf(i);
    const key = perRecord ? `${rmgr}/${type}` : rmgr;
    let g = groups.get(key);
    // an UPDATE+INIT sorts as XLOG_HEAP_UPDATE | XLOG_HEAP_INIT_PAGE (0xA0)
    const info = type === 'UPDATE+INIT' ? 10 : INFO[kind];
    if (!g) { g = { count: 0, rec: 0, fpi: 0, order: RMGRS.indexOf(rmgr as typeof RMGRS[number]) * 256 + info }; groups.set(key, g); }
    const fpi = w.fpiOf(i), rec = w.record(i).len - fpi;
    g.count++; g.rec += rec; g.fpi += fpi;
    total++; totalRec += rec; totalFpi += fpi;
  }
  const pct = (x: number, of: number) => f8(of ? (100 * x) / of : 0);
  return [...groups.entries()].sort((a, b) => a[1].order - b[1].order).map(([name, g]) => [
    name, g.count, pct(g.count, total), g.rec, pct(g.rec, totalRec), g.fpi, pct(g.fpi, totalFpi),
    g.rec + g.fpi, pct(g.rec + g.fpi, totalRec + totalFpi),
  ]);
}

const RECORD_COLUMNS: [string, SqlType][] = [
  ['start_lsn', T.pg_lsn], ['end_lsn', T.pg_lsn], ['prev_lsn', T.pg_lsn], ['xid', T.xid], ['resource_manager', T.text], ['record_type', T.text],
  ['record_length', T.int4], ['main_data_length', T.int4], ['fpi_length', T.int4], ['description', T.text], ['block_ref', T.text],
];
const STATS_COLUMNS: [string, SqlType][] = [
  ['resource_manager/record_type', T.text], ['count', T.int8], ['count_percentage', T.float8], ['record_size', T.int8],
  ['record_size_percentage', T.float8], ['fpi_size', T.int8], ['fpi_size_percentage', T.float8], ['combined_size', T.int8],
  ['combined_size_percentage', T.float8],
];

const defs: FuncDef[] = [
  { name: 'pg_get_wal_records_info', args: ['pg_lsn', 'pg_lsn'], ret: T.text, extension: EXT, table: { set: true, columns: RECORD_COLUMNS, rows: ([a, b], c) => recordsInfo(c, a!, b!) } },
  { name: 'pg_get_wal_records_info_till_end_of_wal', args: ['pg_lsn'], ret: T.text, extension: EXT, table: { set: true, columns: RECORD_COLUMNS, rows: ([a], c) => recordsInfo(c, a!, null) } },
  { name: 'pg_get_wal_record_info', args: ['pg_lsn'], ret: T.text, extension: EXT, table: { set: false, columns: RECORD_COLUMNS, rows: ([a], c) => recordInfo(c, a!) } },
  { name: 'pg_get_wal_stats', args: ['pg_lsn', 'pg_lsn'], ret: T.text, extension: EXT, table: { set: true, columns: STATS_COLUMNS, rows: ([a, b], c) => walStats(c, a!, b!, false) } },
  { name: 'pg_get_wal_stats', args: ['pg_lsn', 'pg_lsn', 'bool'], ret: T.text, extension: EXT, table: { set: true, columns: STATS_COLUMNS, rows: ([a, b, p], c) => walStats(c, a!, b!, p === true) } },
  { name: 'pg_get_wal_stats_till_end_of_wal', args: ['pg_lsn'], ret: T.text, extension: EXT, table: { set: true, columns: STATS_COLUMNS, rows: ([a], c) => walStats(c, a!, null, false) } },
  { name: 'pg_get_wal_stats_till_end_of_wal', args: ['pg_lsn', 'bool'], ret: T.text, extension: EXT, table: { set: true, columns: STATS_COLUMNS, rows: ([a, p], c) => walStats(c, a!, null, p === true) } },
  // xlogfuncs.c: the insert position, and the write (= flush here, see the module doc) and flush positions
  { name: 'pg_current_wal_insert_lsn', args: [], ret: T.pg_lsn, build: (_a, c) => () => lsnOut(host(c).eng.wal.insertLsn) },
  { name: 'pg_current_wal_lsn', args: [], ret: T.pg_lsn, build: (_a, c) => () => lsnOut(host(c).eng.wal.flushedLsn) },
  { name: 'pg_current_wal_flush_lsn', args: [], ret: T.pg_lsn, build: (_a, c) => () => lsnOut(host(c).eng.wal.flushedLsn) },
];
register(defs);
