/**
 * System information functions a learner reaches for beside pg_locks and pg_stat_activity:
 *
 *     pg_blocking_pids(pid)             who pid waits for: the holders of a conflicting lock, then the waiters queued
 *                                       ahead of it with a conflicting request ({} when it waits for nothing)
 *     pg_relation_filepath('t')         base/5/16384 — the file under the data directory (temporary: base/5/t3_16390)
 *     pg_walfile_name('0/1A2B3C4')      000000010000000000000001 — the WAL segment holding the byte before that LSN
 *     pg_wal_lsn_diff(a, b)             a - b in bytes (numeric), the same as a::pg_lsn - b::pg_lsn
 *     pg_visible_in_snapshot(x, snap)   is transaction x's work visible to that snapshot (x < xmin, or not in xip)?
 *     pg_is_in_recovery(), to_regclass('t'), pg_get_userbyid(10), pg_xact_commit_timestamp(xid)
 *
 * Mirrors: src/backend/utils/adt/lockfuncs.c (pg_blocking_pids), utils/adt/dbsize.c (pg_relation_filepath),
 * access/transam/xlogfuncs.c (pg_walfile_name, pg_is_in_recovery), utils/adt/xid8funcs.c (pg_visible_in_snapshot),
 * utils/adt/regproc.c (to_regclass), utils/adt/acl.c (pg_get_userbyid), access/transam/commit_ts.c.
 * Simplifications: one timeline (1) and 16 MB segments; track_commit_timestamp is off (as PostgreSQL's default),
 * so pg_xact_commit_timestamp always refuses as PostgreSQL does then.
 */
import { PgError } from '../../errors.js';
import { register, type FuncDef } from './registry.js';
import { T, RegClass, arrayOf, regclassLookup } from '../types.js';
import { PgArray } from '../../adt/arrayfuncs.js';
import { lsnMinus } from '../adtops.js';
import { withHost } from '../../contrib/host.js';
import { DATABASE_OID } from '../../catalog/catalog.js';
import { BOOTSTRAP_SUPERUSER } from '../../catalog/acl.js';

const WAL_SEGMENT_SIZE = 16 * 1024 * 1024;
const SEGMENTS_PER_XLOGID = 0x100000000 / WAL_SEGMENT_SIZE;
const hex8 = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');
const lsnValue = (s: string) => { const [h, l] = s.split('/'); return parseInt(h!, 16) * 0x100000000 + parseInt(l!, 16); };


const defs: FuncDef[] = [
  {
    // GetBlockerStatusData over the lock the backend waits for: every other holder whose granted modes conflict
    // (hard), then every waiter ahead of it whose requested mode conflicts (soft), each backend once
    name: 'pg_blocking_pids', args: ['int4'], ret: arrayOf(T.int4),
    build: withHost((pid, { eng }) => {
      const s = eng.sessions.find((x) => x.pid === pid);
      if (!s) return new PgArray([]);
      const owners = [...eng.locks.blockers(s.id), ...eng.locks.softBlockers(s.id)];
      return new PgArray([...new Set(owners)].map((o) => eng.sessions[o]?.pid ?? null).filter((p) => p !== null));
    }),
  },
  {
    // relpathbackend: base/<database oid>/<relfilenode>, a temporary relation's t<backend id>_<relfilenode>; NULL for a
    // relation without storage (a view, a partitioned table) or an unknown oid
    name: 'pg_relation_filepath', args: ['regclass'], ret: T.text,
    build: withHost((v, { eng }) => {
      const oid = (v as RegClass).oid;
      let node: number | null = null, temp: string | undefined;
      for (const t of eng.catalog.tables.values()) {
        if (t.oid === oid) node = t.partKey ? null : t.relfilenode ?? t.oid;
        else if (t.indexes.some((i) => i.oid === oid)) node = t.partKey ? null : t.indexes.find((i) => i.oid === oid)!.relfilenode ?? oid;
        else continue;
        temp = t.temp?.schema;
        break;
      }
      if (node === null && eng.catalog.sequence(regclassLookup.byOid(oid) ?? '')?.oid === oid) node = oid;
      if (node === null) return null;
      const backend = temp ? /(\d+)$/.exec(temp)?.[1] : undefined;
      return `base/${DATABASE_OID}/${backend ? `t${backend}_` : ''}${node}`;
    }),
  },
  // XLByteToPrevSeg + XLogFileName: the segment holding the byte just before the position, timeline 1
  {
    name: 'pg_walfile_name', args: ['pg_lsn'], ret: T.text,
    fn: (l) => {
      // unsigned arithmetic: the byte before 0/0 wraps around to the last segment there is
      const seg = ((BigInt(lsnValue(String(l))) - 1n + (1n << 64n)) % (1n << 64n)) / BigInt(WAL_SEGMENT_SIZE);
      const per = BigInt(SEGMENTS_PER_XLOGID);
      return hex8(1) + hex8(Number(seg / per)) + hex8(Number(seg % per));
    },
  },
  // pg_wal_lsn_diff: DirectFunctionCall2(pg_lsn_mi) — the operator's own function
  { name: 'pg_wal_lsn_diff', args: ['pg_lsn', 'pg_lsn'], ret: T.numeric, fn: lsnMinus },
  { name: 'pg_is_in_recovery', args: [], ret: T.bool, fn: () => false },
  {
    // is_visible_in_snapshot: before xmin: yes; at or after xmax: no; else: not in progress (not in xip)
    name: 'pg_visible_in_snapshot', args: ['xid8', 'pg_snapshot'], ret: T.bool,
    fn: (x, snap) => {
      const [xmin, xmax, xip] = String(snap).split(':');
      const xid = Number(x);
      if (xid < Number(xmin)) return true;
      if (xid >= Number(xmax)) return false;
      return !(xip ? xip.split(',').map(Number) : []).includes(xid);
    },
  },
  {
    // to_regclass: the relation, or NULL where the ::regclass cast would fail with 42P01
    name: 'to_regclass', args: ['text'], ret: T.regclass,
    fn: (v) => {
      const t0 = String(v).trim();
      const name = t0.startsWith('"') && t0.endsWith('"') ? t0.slice(1, -1).replace(/""/g, '"') : t0.toLowerCase();
      const oid = regclassLookup.byName(name.replace(/^(pg_catalog|public)\./, ''));
      return oid === null ? null : new RegClass(oid, regclassLookup.byOid(oid) ?? name);
    },
  },
  {
    name: 'pg_get_userbyid', args: ['oid'], ret: T.name,
    build: withHost((v, { eng }) => {
      if (v === BOOTSTRAP_SUPERUSER.oid) return BOOTSTRAP_SUPERUSER.name;
      const role = [...eng.catalog.roles.values()].find((x) => x.oid === v);
      return role ? role.name : `unknown (OID=${String(v)})`;
    }),
  },
  {
    name: 'pg_xact_commit_timestamp', args: ['xid'], ret: T.timestamptz,
    fn: () => {
      throw new PgError('55000', 'could not get commit timestamp data', { hint: 'Make sure the configuration parameter "track_commit_timestamp" is set.' });
    },
  },
];
register(defs);
