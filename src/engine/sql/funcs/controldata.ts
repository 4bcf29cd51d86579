/**
 * pg_control as SQL shows it — what `pg_controldata` prints, one composite row per function:
 *
 *     SELECT redo_lsn, checkpoint_lsn, timeline_id FROM pg_control_checkpoint();   the last checkpoint
 *     SELECT pg_control_checkpoint();          (0/1500708,0/1500708,000000010000000000000001,1,1,t,0:724,...)
 *     pg_control_system()   pg_control_init()   pg_control_recovery()
 *
 * pg_control_checkpoint reads the engine's control file (checkpoint/checkpointer.ts): the positions of the last
 * checkpoint record and its redo pointer, and the counters that record carries (next xid, next OID, next multixact
 * and offset, the oldest running xid). Before this engine's first checkpoint they are initdb's last checkpoint's
 * (next OID 13572, oldest active xid 0: a shutdown checkpoint), at the engine's first WAL position.
 * In the select list each function prints its row as record_out does (registry.ts buildCall).
 *
 * Mirrors: src/backend/utils/misc/pg_controldata.c (pg_control_system, pg_control_checkpoint, pg_control_recovery,
 * pg_control_init), src/include/catalog/pg_control.h, src/bin/pg_controldata/pg_controldata.c.
 * Deliberate differences: system_identifier is a fixed number (PostgreSQL's is the initdb time and pid);
 * pg_control_last_modified and checkpoint_time are the virtual clock's; one timeline (1), no commit timestamps
 * (track_commit_timestamp = off: both commit-ts xids 0), never in recovery or a backup (pg_control_recovery's zeros).
 */
import { register, type FuncDef } from './registry.js';
import { T, type Value, type SqlType } from '../types.js';
import { host } from '../../contrib/host.js';
import { lsnOut } from '../../contrib/pageinspect.js';
import { virtualTimestamp } from '../../adt/timestamp.js';
import { FRESH_OLDEST_XID } from '../../xact/varsup.js';
import type { Engine } from '../../engine.js';

const WAL_SEGMENT_SIZE = 16 * 1024 * 1024;
const hex8 = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');
/** XLByteToSeg + XLogFileName on timeline 1: the segment holding the position */
const walFileOf = (lsn: number) => {
  const seg = Math.floor(lsn / WAL_SEGMENT_SIZE), per = 0x100000000 / WAL_SEGMENT_SIZE;
  return hex8(1) + hex8(Math.floor(seg / per)) + hex8(seg % per);
};
/** the next OID initdb's last checkpoint recorded (measured on PostgreSQL 15: every fresh cluster says 13572; the first
 *  OID handed out after it is FirstNormalObjectId, GetNewObjectId's jump) */
const INITDB_NEXT_OID = 13572;
/** the oid of each database pg_control names (pg_database: template1 1, template0 4, postgres 5) */
const DB_OID: Record<string, number> = { template1: 1, template0: 4, postgres: 5 };

const CHECKPOINT_COLUMNS: [string, SqlType][] = [
  ['checkpoint_lsn', T.pg_lsn], ['redo_lsn', T.pg_lsn], ['redo_wal_file', T.text], ['timeline_id', T.int4],
  ['prev_timeline_id', T.int4], ['full_page_writes', T.bool], ['next_xid', T.text], ['next_oid', T.oid],
  ['next_multixact_id', T.xid], ['next_multi_offset', T.xid], ['oldest_xid', T.xid], ['oldest_xid_dbid', T.oid],
  ['oldest_active_xid', T.xid], ['oldest_multi_xid', T.xid], ['oldest_multi_dbid', T.oid], ['oldest_commit_ts_xid', T.xid],
  ['newest_commit_ts_xid', T.xid], ['checkpoint_time', T.timestamptz],
];

/** ControlFile->checkPointCopy, as pg_control_checkpoint returns it */
function checkpointRow(eng: Engine): Value[] {
  const c = eng.control, p = c.checkPointCopy;
  const limits = eng.xidLimits();
  const fresh = p ? p.oldestXidFresh !== false : true;
  const oldestXid = fresh ? FRESH_OLDEST_XID : limits.oldestXid;
  const oldestDb = fresh ? 1 : DB_OID[limits.oldestDb] ?? 5;
  return [
    lsnOut(c.checkPoint), lsnOut(c.redo), walFileOf(c.redo), 1, 1, c.fullPageWrites,
    `0:${p ? p.nextXid : c.nextXid}`, p?.nextOid ?? INITDB_NEXT_OID, p?.nextMulti ?? 1, p?.nextMultiOffset ?? 0,
    oldestXid, oldestDb, p?.oldestActiveXid ?? 0, 1, 1, 0, 0, virtualTimestamp(c.time),
  ];
}

const SYSTEM_COLUMNS: [string, SqlType][] = [
  ['pg_control_version', T.int4], ['catalog_version_no', T.int4], ['system_identifier', T.int8], ['pg_control_last_modified', T.timestamptz],
];
/** PG_CONTROL_VERSION and CATALOG_VERSION_NO of PostgreSQL 15 */
const PG_CONTROL_VERSION = 1300, CATALOG_VERSION_NO = 202209061;
const SYSTEM_IDENTIFIER = 7000000000000000000n;

const INIT_COLUMNS: [string, SqlType][] = [
  ['max_data_alignment', T.int4], ['database_block_size', T.int4], ['blocks_per_segment', T.int4], ['wal_block_size', T.int4],
  ['bytes_per_wal_segment', T.int4], ['max_identifier_length', T.int4], ['max_index_columns', T.int4],
  ['max_toast_chunk_size', T.int4], ['large_object_chunk_size', T.int4], ['float8_pass_by_value', T.bool],
  ['data_page_checksum_version', T.int4],
];
/** MAXIMUM_ALIGNOF, BLCKSZ, RELSEG_SIZE, XLOG_BLCKSZ, wal_segment_size, NAMEDATALEN, INDEX_MAX_KEYS, TOAST_MAX_CHUNK_SIZE,
 *  LOBLKSIZE, FLOAT8PASSBYVAL, data_checksum_version (initdb without --data-checksums) */
const INIT_ROW: Value[] = [8, 8192, 131072, 8192, WAL_SEGMENT_SIZE, 64, 32, 1996, 2048, true, 0];

const RECOVERY_COLUMNS: [string, SqlType][] = [
  ['min_recovery_end_lsn', T.pg_lsn], ['min_recovery_end_timeline', T.int4], ['backup_start_lsn', T.pg_lsn],
  ['backup_end_lsn', T.pg_lsn], ['end_of_backup_record_required', T.bool],
];

const defs: FuncDef[] = [
  {
    name: 'pg_control_checkpoint', args: [], ret: T.text,
    table: { set: false, columns: CHECKPOINT_COLUMNS, rows: (_v, c) => [checkpointRow(host(c).eng)] },
  },
  {
    name: 'pg_control_system', args: [], ret: T.text,
    table: {
      set: false, columns: SYSTEM_COLUMNS,
      rows: (_v, c) => [[PG_CONTROL_VERSION, CATALOG_VERSION_NO, SYSTEM_IDENTIFIER, virtualTimestamp(host(c).eng.control.time)]],
    },
  },
  { name: 'pg_control_init', args: [], ret: T.text, table: { set: false, columns: INIT_COLUMNS, rows: () => [INIT_ROW] } },
  { name: 'pg_control_recovery', args: [], ret: T.text, table: { set: false, columns: RECOVERY_COLUMNS, rows: () => [['0/0', 0, '0/0', '0/0', false]] } },
];
register(defs);
