/**
 * pgrowlocks: which rows of a table are locked right now, by which transactions, in which modes.
 *
 *     CREATE EXTENSION pgrowlocks; CREATE TABLE t (k int PRIMARY KEY, v int); INSERT INTO t VALUES (1, 0), (2, 0);
 *     -- s1: BEGIN; SELECT * FROM t WHERE k = 1 FOR UPDATE;   s2, s3: BEGIN; SELECT * FROM t WHERE k = 2 FOR SHARE;
 *     SELECT * FROM pgrowlocks('t');
 *     --  locked_row | locker | multi |   xids    |     modes      |    pids
 *     --  (0,1)      |    725 | f     | {725}     | {"For Update"} | {1001}          (s1's xid and backend pid)
 *     --  (0,2)      |      1 | t     | {726,727} | {Share,Share}  | {1002,1003}     (MultiXact 1: s2 and s3)
 *
 * A row lock lives in the row itself, not in the lock manager: the locker's xid goes into the tuple's t_xmax with
 * HEAP_XMAX_LOCK_ONLY and bits saying the strength (heap/xmax.ts). pgrowlocks therefore reads the whole heap (with
 * the caller's snapshot, so it sees the versions a SELECT would see; an ordinary sequential scan, counted as one
 * in pg_stat_user_tables) and asks HeapTupleSatisfiesUpdate of each tuple; a row is reported when the answer is
 * "being modified" — its xmax is a locker or updater still running, or a lock of our own transaction (our own
 * update is not: that version is invisible or "self-modified" to us). A committed or aborted locker has left
 * nothing of interest, so the row is not shown although its xmax is still set. Per row:
 *   - locker: the raw t_xmax — a transaction id, or a MultiXact id when multi is true;
 *   - a plain xid: modes is one of For Key Share, For Share, For No Key Update, For Update (a lock: LOCK_ONLY,
 *     FOR UPDATE telling itself from FOR NO KEY UPDATE by HEAP_KEYS_UPDATED), No Key Update or Update (an
 *     UPDATE or DELETE in progress; Update when it changed a key column or deleted the row);
 *   - a MultiXact (several lockers, or lockers and one updater): every member, its status in pg_multixact's
 *     words — Key Share, Share, For No Key Update, For Update, No Key Update, Update (the shared modes lose their
 *     "For"); the members are the MultiXact's as created, so a member that committed since is still listed;
 *   - pids: the backend running each xid (BackendXidGetPid), 0 when none does — the xid committed, or it is a
 *     subtransaction's (only top-level xids are looked up).
 * The argument is a table name as text ('t', 'public.t', '"T"'); another kind of relation is refused
 * ("is not a table", "is a partitioned table": 42809), and the caller needs SELECT on the table.
 *
 * Mirrors: contrib/pgrowlocks/pgrowlocks.c (pgrowlocks), with heapam_visibility.c (HeapTupleSatisfiesUpdate) and
 * procarray.c (BackendXidGetPid). pgrowlocks takes AccessShareLock on the table for the length of its scan and
 * releases it at its end (measured: pg_locks shows none afterwards), so an ACCESS EXCLUSIVE holder makes it wait.
 * Simplifications: that wait is refused with 0A000 (a function's rows are computed in one go, with no way to
 * park the statement); membership of pg_stat_scan_tables, which also admits, is not modelled (catalog/acl.ts has
 * no role memberships).
 */
import { PgError, notSupported } from '../errors.js';
import { LockMode } from '../lock/lock.js';
import type { Table } from '../catalog/catalog.js';
import type { BtreeIndex } from '../index/btree.js';
import { register, type FuncDef, type CallCtx } from '../sql/funcs/registry.js';
import { T, arrayOf, type Value, type SqlType } from '../sql/types.js';
import { PgArray } from '../adt/arrayfuncs.js';
import { formatTid } from '../heap/heap.js';
import { LpFlags, HEAP_XMAX_IS_MULTI, HEAP_KEYS_UPDATED, type Item } from '../heap/tuple.js';
import { isLockedOnly, isShareLocked, isKeyShareLocked, isExclLocked } from '../heap/rowlock.js';
import type { MultiMember } from '../multixact/multixact.js';
import { satisfiesMVCC, satisfiesUpdate, VIS_VISIBLE, TM } from '../visibility/visibility.js';
import { aclCheck, permissionDenied, TABLE_PRIVILEGES } from '../catalog/acl.js';
import { currentRole } from '../commands/user.js';
import { countScan } from '../pgstat/pgstat_relation.js';
import { host, relationArg, type ContribHost } from './host.js';

/** A plain xmax's mode, as pgrowlocks prints it. */
function xmaxMode(it: Item): string {
  const keys = (it.infomask2 & HEAP_KEYS_UPDATED) !== 0;
  if (!isLockedOnly(it.infomask)) return keys ? 'Update' : 'No Key Update';
  if (isShareLocked(it.infomask)) return 'For Share';
  if (isKeyShareLocked(it.infomask)) return 'For Key Share';
  if (isExclLocked(it.infomask)) return keys ? 'For Update' : 'For No Key Update';
  return 'transient upgrade status';
}

/** A MultiXact member's status, in pgrowlocks' words. */
function memberMode(m: MultiMember): string {
  if (m.update) return m.mode === 'exclusive' ? 'Update' : 'No Key Update';
  return { keyshare: 'Key Share', share: 'Share', nokeyexclusive: 'For No Key Update', exclusive: 'For Update' }[m.mode];
}

/** BackendXidGetPid: the pid of the backend whose top-level xid this is, 0 when no running backend has it. */
function backendXidPid({ eng }: ContribHost, xid: number): number {
  const x = eng.xacts;
  if (!x.isInProgress(xid) || x.subRunning.has(xid)) return 0;
  const id = x.running.get(xid);
  return eng.sessions.find((s) => s.id === id)?.pid ?? 0;
}

function pgrowlocks(c: CallCtx, rel: Value): Value[][] {
  const h = host(c);
  const { eng, session } = h;
  const { table, index } = relationArg(c, rel, 'a table');
  const name = index ? index.name : table.name;
  // relation_openrv(AccessShareLock): a function cannot wait here, so a conflicting lock (ACCESS EXCLUSIVE: DDL,
  // LOCK TABLE) is refused rather than read through; the lock is released when the scan ends, as table_close does
  const tag = { type: 'relation', rel: index ? index.oid : table.oid } as const;
  if (eng.locks.acquire(session.id, tag, LockMode.AccessShare, eng.clock.now, { wait: false }) !== 'granted') {
    throw notSupported(`pgrowlocks() waiting for its AccessShareLock on "${name}" (another transaction holds a conflicting lock)`, c.pos);
  }
  try { return scanLocks(h, table, index, name); } finally { eng.releaseLock(session, tag, LockMode.AccessShare); }
}

function scanLocks(h: ContribHost, table: Table, index: BtreeIndex | null, name: string): Value[][] {
  const { eng, session } = h;
  if (!index && table.partKey) {
    throw new PgError('42809', `"${name}" is a partitioned table`, { detail: 'Partitioned tables do not contain rows.' });
  }
  if (index) throw new PgError('42809', `"${name}" is not a table`);
  if (!aclCheck(table, currentRole(eng, session), TABLE_PRIVILEGES.select!)) throw permissionDenied('table', table.name);
  const snap = eng.snapshotFor(session);
  const vctx = eng.visibilityContext(session);
  const out: Value[][] = [];
  let read = 0;
  table.heap.pages.forEach((p, blk) => {
    p.items.forEach((it, i) => {
      if (it.lpFlags !== LpFlags.NORMAL || !VIS_VISIBLE[satisfiesMVCC(it, snap, vctx)]) return;
      read++;
      if (satisfiesUpdate(it, blk, i + 1, vctx) !== TM.BeingModified) return;
      const members: { xid: number; mode: string }[] = it.infomask & HEAP_XMAX_IS_MULTI
        ? eng.multis.members(it.xmax).map((m) => ({ xid: m.xid, mode: memberMode(m) }))
        : [{ xid: it.xmax, mode: xmaxMode(it) }];
      out.push([
        formatTid(blk, i + 1), it.xmax, (it.infomask & HEAP_XMAX_IS_MULTI) !== 0,
        new PgArray(members.map((m) => m.xid)), new PgArray(members.map((m) => m.mode)),
        new PgArray(members.map((m) => backendXidPid(h, m.xid))),
      ]);
    });
  });
  // an ordinary heap scan: a seq_scan in pg_stat_user_tables, each version it returned a seq_tup_read (measured:
  // rowlocks/pgrowlocks-stats.spec)
  countScan(session, table.oid, 'seq', read);
  return out;
}

const COLUMNS: [string, SqlType][] = [
  ['locked_row', T.tid], ['locker', T.xid], ['multi', T.bool], ['xids', arrayOf(T.xid)], ['modes', arrayOf(T.text)], ['pids', arrayOf(T.int4)],
];

const defs: FuncDef[] = [
  { name: 'pgrowlocks', args: ['text'], ret: T.text, extension: 'pgrowlocks', table: { set: true, columns: COLUMNS, rows: ([r], c) => pgrowlocks(c, r!) } },
];
register(defs);
