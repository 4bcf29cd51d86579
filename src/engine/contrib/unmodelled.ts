/**
 * The functions of pg_walinspect and the view of pg_buffercache exist once their extension is created, but their
 * rows are not modelled yet (PostgreSQL's record descriptions and buffer ids have no counterpart in the engine):
 * calling them is a clear 0A000 that points at the views showing the same thing — the WAL view and the Durability
 * view (buffers vs disk).
 *
 * Mirrors: contrib/pg_walinspect/pg_walinspect.c, contrib/pg_buffercache/pg_buffercache_pages.c (by name only).
 */
import { notSupported } from '../errors.js';
import { register, type FuncDef } from '../sql/funcs/registry.js';
import { T } from '../sql/types.js';

const refuse = (name: string, instead: string): FuncDef['build'] => (_a, c) => { throw notSupported(`${name}() (the ${instead} shows it)`, c.pos); };
const defs: FuncDef[] = [
  { name: 'pg_get_wal_records_info', args: ['pg_lsn', 'pg_lsn'], ret: T.text, extension: 'pg_walinspect', build: refuse('pg_get_wal_records_info', 'WAL view') },
  { name: 'pg_get_wal_records_info_till_end_of_wal', args: ['pg_lsn'], ret: T.text, extension: 'pg_walinspect', build: refuse('pg_get_wal_records_info_till_end_of_wal', 'WAL view') },
  { name: 'pg_get_wal_record_info', args: ['pg_lsn'], ret: T.text, extension: 'pg_walinspect', build: refuse('pg_get_wal_record_info', 'WAL view') },
  { name: 'pg_get_wal_stats', args: ['pg_lsn', 'pg_lsn'], ret: T.text, extension: 'pg_walinspect', build: refuse('pg_get_wal_stats', 'WAL view') },
  { name: 'pg_get_wal_stats', args: ['pg_lsn', 'pg_lsn', 'bool'], ret: T.text, extension: 'pg_walinspect', build: refuse('pg_get_wal_stats', 'WAL view') },
  { name: 'pg_get_wal_stats_till_end_of_wal', args: ['pg_lsn'], ret: T.text, extension: 'pg_walinspect', build: refuse('pg_get_wal_stats_till_end_of_wal', 'WAL view') },
  { name: 'pg_buffercache_pages', args: [], ret: T.text, extension: 'pg_buffercache', build: refuse('pg_buffercache_pages', 'Durability view') },
];
register(defs);
