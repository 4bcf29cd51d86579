/**
 * Transactions and the transaction-block state machine: BEGIN / COMMIT / ROLLBACK, savepoints, and what an error
 * does inside a block.
 *
 * A session without BEGIN runs each statement in its own transaction (autocommit). BEGIN opens a block; an error
 * inside it leaves the block "failed" (25P02 for every statement until ROLLBACK); COMMIT of a failed block is a
 * ROLLBACK. An xid is assigned only at the first write (first the top-level one, then one per open savepoint);
 * COMMIT writes a commit record (flushed unless synchronous_commit = off), marks the CLOG and releases the locks.
 *
 *     BEGIN;                       -- vxid 3/7, no xid yet            (TBLOCK_INPROGRESS)
 *     UPDATE t SET v = 1;          -- xid 731 assigned, row versions stamped 731
 *     SAVEPOINT a; DELETE ...;     -- subtransaction xid 732
 *     ROLLBACK TO a;               -- 732 aborted, its versions stay, invisible; 731 goes on
 *     COMMIT;                      -- XACT COMMIT record (subxacts: none live), CLOG: 731 committed
 *
 * A released savepoint's xid becomes a child of the enclosing savepoint (it commits or aborts with it). SET is
 * undone with the transaction or savepoint it was made in (guc/guc.ts).
 *
 * Mirrors: src/backend/access/transam/xact.c (StartTransaction, CommitTransaction, AbortTransaction,
 * DefineSavepoint, ReleaseSavepoint, RollbackToSavepoint, the TBLOCK_* states, GetCurrentTransactionId).
 * COMMIT / ROLLBACK AND CHAIN start the next transaction with the same characteristics. Two-phase commit is off as
 * in a default PostgreSQL (max_prepared_transactions = 0): PREPARE TRANSACTION fails and ends the block.
 * Simplifications: max_prepared_transactions cannot be raised, so no transaction is ever prepared. The COMMIT / ABORT record of a transaction that changed
 * catalogs lacks what PostgreSQL's carries (xactRecordLength): its invalidation messages — one catcache message per
 * syscache of every catalog row it inserted, updated or deleted, relcache and snapshot messages per command, 274 to
 * 469 bytes and more for CREATE TABLE, CREATE INDEX, ALTER, TRUNCATE, DROP — the files to drop and the dropped
 * statistics: the engine keeps no catalog rows, so the counts are not reachable (the catalog rows' own Heap records
 * are not logged either); positions after DDL differ from PostgreSQL's (tests/scenarios/walinspect/commit-ddl.spec).
 */
import { atEndOfXactCatalog } from '../catalog/catalogsnapshot.js';
import type { Engine } from '../engine.js';
import { intConst } from '../sql/parser.js';
import { PgError, inFailedSqlTransaction, notSupported } from '../errors.js';
import { LockMode } from '../lock/lock.js';
import { releaseAllLocks, releaseLock, wake } from '../lock/proc.js';
import { crashPointReached } from '../postmaster/postmaster.js';
import { type Session } from '../session/session.js';
import { type XactPayload } from '../wal/records.js';
import { WAL_WRITER_DELAY, WalKind, formatLsn } from '../wal/wal.js';
import { type IsolationLevel, Transaction } from '../xact/xact.js';
import { atEndOfXact, atEndOfSubXacts } from '../pgstat/pgstat_relation.js';
import { atEndOfXactDrops, atEndOfSubXactDrops } from '../pgstat/pgstat_function.js';
import { checkNewXid } from './varsup.js';
import { atAbortPortals, atCommitPortals, atSubAbortPortals, atSubCommitPortals } from '../tcop/portalmem.js';
import { preCommitOnCommitActions } from '../commands/tempcmds.js';
import { atAbortNotify, atCommitNotify, atSubAbortNotify, atSubCommitNotify, preCommitNotify } from '../commands/async.js';

/** GetNewTransactionId's wraparound checks: past the stop limit no xid is handed out; past the warn limit, a WARNING. */
function checkXidLimit(eng: Engine, s: Session): void {
  const xid = eng.xacts.nextXid;
  if (xid < 2_000_000_000) return; // below every possible warn limit (716 + 2^31 - 1 - 40 million)
  const c = checkNewXid(xid, eng.xidLimits());
  if (c.kind === 'Refuse') throw c.error;
  if (c.kind === 'Warn') s.acc.notices.push(c.notice);
}

export function ensureTx(eng: Engine, s: Session): Transaction {
  if (!s.tx) startTx(eng, s, s.gucs.default_transaction_isolation, s.gucs.default_transaction_read_only);
  return s.tx!;
}

export function startTx(eng: Engine, s: Session, iso: IsolationLevel, readOnly: boolean) {
  s.lxid++;
  const vxid = `${s.backendId}/${s.lxid}`;
  s.tx = new Transaction(vxid, iso, readOnly);
  s.xactStartAt = s.stmtStartAt; // xactStartTimestamp = stmtStartTimestamp (StartTransaction)
  eng.deps.begin(vxid, s.name, iso);
  eng.locks.acquire(s.id, { type: 'virtualxid', vxid }, LockMode.Exclusive, eng.clock.now);
}

/**
 * GetCurrentTransactionId: assign an xid at the first write — to the top-level transaction first, then to
 * each open savepoint's subtransaction (a child always gets a later xid than its parent). Returns the xid
 * new versions are stamped with (the innermost subtransaction's).
 */
export function ensureXid(eng: Engine, s: Session): number {
  const t0 = s.tx;
  if (t0 && t0.xid && t0.subs.length === 0) return t0.writeXid; // the common case, once per row in bulk statements
  const tx = ensureTx(eng, s);
  ensureTopXid(eng, s, tx);
  for (const sub of tx.subs) {
    if (sub.xid || sub.aborted) continue;
    checkXidLimit(eng, s);
    sub.xid = eng.xacts.assign(s.id, true);
    tx.assignedXids.push(sub.xid);
    eng.locks.acquire(s.id, { type: 'transactionid', xid: sub.xid }, LockMode.Exclusive, eng.clock.now);
    sub.locks.push({ tag: { type: 'transactionid', xid: sub.xid }, mode: LockMode.Exclusive });
    if (tx.sxact) eng.predicates.mapSubXid(tx.sxact, sub.xid);
    if (eng.tracer.wants('xid')) {
      eng.tracer.emit({ kind: 'xid', session: s.name, xid: sub.xid,
        text: `${s.name}'s savepoint ${sub.name} gets subtransaction id ${sub.xid} at its first write` });
    }
  }
  const inner = tx.subs[tx.subs.length - 1];
  tx.writeXid = inner && inner.xid ? inner.xid : tx.xid;
  return tx.writeXid;
}

/** GetTopTransactionId: the top-level xid only (what txid_current() reports). */
export function ensureTopXid(eng: Engine, s: Session, tx: Transaction = ensureTx(eng, s)): number {
  if (!tx.xid) {
    checkXidLimit(eng, s);
    tx.xid = eng.xacts.assign(s.id);
    tx.walFrom = eng.wal.count;
    tx.assignedXids.push(tx.xid);
    eng.locks.acquire(s.id, { type: 'transactionid', xid: tx.xid }, LockMode.Exclusive, eng.clock.now);
    if (tx.sxact) eng.predicates.setXid(tx.sxact, tx.xid);
    tx.writeXid = tx.xid;
    if (eng.tracer.wants('xid')) {
      eng.tracer.emit({ kind: 'xid', session: s.name, xid: tx.xid,
        text: `${s.name} gets transaction id ${tx.xid} at its first write (and holds ExclusiveLock on it until it ends)` });
    }
  }
  return tx.xid;
}

/**
 * XactLogCommitRecord / XactLogAbortRecord's length for what the engine logs: the header (24), the main data's
 * header (2) and xact_time (8); an xinfo word (4) when a flag is set — subtransactions (then their count and xids)
 * or XACT_XINFO_HAS_AE_LOCKS (the transaction WAL-logged an AccessExclusiveLock). Invalidation messages and files
 * to drop, which a catalog-changing transaction's record also carries, are not modelled.
 */
export function xactRecordLength(nsubxacts: number, aeLocks: boolean): number {
  return 34 + (nsubxacts || aeLocks ? 4 : 0) + (nsubxacts ? 4 + 4 * nsubxacts : 0);
}

/** a COMMIT / ABORT record's payload: its subtransactions, its time (xact_time) and whether catalogs changed */
const xactPayload = (eng: Engine, subXids: number[], catalog: boolean): XactPayload => ({ subXids, at: eng.clock.now, catalog });

export function commitTx(eng: Engine, s: Session) {
  const tx = s.tx!;
  if (tx.sxact) eng.predicates.preCommit(tx.sxact); // may fail with 40001: then the transaction aborts instead
  preCommitOnCommitActions(eng, s); // temporary tables' ON COMMIT DROP / DELETE ROWS
  preCommitNotify(eng, s, tx); // NOTIFY: queued under the transaction's xid (assigned now if need be)
  atCommitPortals(s); // PreCommit_Portals: WITH HOLD cursors kept (their rows are already materialised), the rest closed
  if (tx.xid) {
    const subXids = tx.liveSubXids();
    const catalog = tx.undo.length > 0;
    // wrote_xlog: a transaction that wrote no WAL of its own (only temporary tables) commits asynchronously whatever
    // synchronous_commit says — nothing it did needs the COMMIT record durable at once (RecordTransactionCommit;
    // simplified: a record it wrote before it had an xid, such as a PRUNE by its first SELECT, is not counted)
    const wroteXlog = catalog || eng.wal.hasRecordOf(new Set(tx.assignedXids), tx.walFrom);
    const lsn = eng.wal.insert(WalKind.XactCommit, tx.xid, xactRecordLength(subXids.length, tx.acquiredAccessExclusive),
      0, -1, 0, 0, xactPayload(eng, subXids, catalog));
    eng.wal.noteBackendInsert(s.name);
    const sync = s.gucs.synchronous_commit !== 'off' && wroteXlog;
    crashPointReached(eng, 'commit-before-flush');
    // RecordTransactionCommit: with synchronous_commit on, durable before the client hears COMMIT; off: the wal writer will flush it
    if (sync) eng.wal.flush(lsn);
    else {
      eng.wal.setAsyncXactLsn(lsn, eng.clock.now);
      for (const x of [tx.xid, ...subXids]) eng.xacts.clog.setAsyncCommitLsn(x, lsn);
    }
    crashPointReached(eng, 'commit-after-flush');
    for (const x of subXids) eng.xacts.complete(x, true);
    eng.xacts.complete(tx.xid, true);
    if (eng.tracer.wants('commit')) {
      eng.tracer.emit({ kind: 'commit', session: s.name, xid: tx.xid, lsn: formatLsn(lsn), text: sync
        ? `${s.name} commits ${tx.xid}: COMMIT record flushed to disk up to ${formatLsn(lsn)}, CLOG says committed; no tuple is touched`
        : `${s.name} commits ${tx.xid} asynchronously (${wroteXlog ? 'synchronous_commit = off' : 'it wrote no WAL of its own: only temporary tables'}): COMMIT record at ${formatLsn(lsn)} is only in WAL `
          + `buffers until the wal writer flushes it (t=${eng.clock.now + WAL_WRITER_DELAY} ms); CLOG says committed` });
    }
  } else if (eng.tracer.wants('commit')) {
    eng.tracer.emit({ kind: 'commit', session: s.name, text: `${s.name} ends a transaction that never wrote: no xid, no WAL` });
  }
  if (tx.sxact) { eng.predicates.commit(tx.sxact, eng.xacts.nextXid); eng.wakeSafeSnapshotWaiters(); }
  atCommitNotify(eng, s, tx);
  eng.deps.end(tx.vxid, true, tx.xid, tx.liveSubXids());
  atEndOfXact(s, tx, true);
  atEndOfXactDrops(eng, tx, true);
  s.gucs.atCommit();
  endTx(eng, s);
}

export function abortTx(eng: Engine, s: Session) {
  const tx = s.tx;
  if (!tx) return;
  for (let i = tx.undo.length - 1; i >= 0; i--) tx.undo[i]!();
  atAbortNotify(eng, s, tx);
  atAbortPortals(s);
  if (tx.sxact) { eng.predicates.abort(tx.sxact); eng.wakeSafeSnapshotWaiters(); }
  eng.deps.end(tx.vxid, false, tx.xid, tx.liveSubXids());
  atEndOfXact(s, tx, false);
  atEndOfXactDrops(eng, tx, false);
  if (tx.xid) {
    const subXids = tx.liveSubXids();
    const lsn = eng.wal.insert(WalKind.XactAbort, tx.xid, xactRecordLength(subXids.length, tx.acquiredAccessExclusive),
      0, -1, 0, 0, xactPayload(eng, subXids, tx.undo.length > 0));
    eng.wal.noteBackendInsert(s.name);
    for (const x of subXids) eng.xacts.complete(x, false);
    eng.xacts.complete(tx.xid, false);
    if (eng.tracer.wants('abort')) {
      eng.tracer.emit({ kind: 'abort', session: s.name, xid: tx.xid, lsn: formatLsn(lsn),
        text: `${s.name} aborts ${tx.xid}: ABORT record at ${formatLsn(lsn)}, CLOG says aborted; its tuples stay on the pages, invisible` });
    }
  }
  s.gucs.atAbort();
  endTx(eng, s);
}

/** AbortSubTransaction for levels [from, top): mark their xids aborted, release the locks they took. */
export function abortSubs(eng: Engine, s: Session, from: number, remove: boolean) {
  const tx = s.tx!;
  atEndOfSubXacts(s, tx, from + 1, false);
  atEndOfSubXactDrops(eng, tx, from, false);
  atSubAbortNotify(tx, from + 2); // nesting level of subs[from]: the top level is 1
  atSubAbortPortals(s, from); // cursors opened since the savepoint are closed
  // the rolled-back levels changed catalogs (their ABORT records carry dropped relations PostgreSQL logs; not modelled)
  const catalog = tx.subs[from] ? tx.undo.length > (tx.subs[from]!.undoLevel ?? tx.undo.length) : false;
  if (tx.subs[from]) {
    s.gucs.undoTo(tx.subs[from]!.gucLevel);
    // DDL inside the rolled-back savepoints is undone too (catalog changes are not MVCC here)
    const level = tx.subs[from]!.undoLevel ?? tx.undo.length;
    for (let i = tx.undo.length - 1; i >= level; i--) tx.undo[i]!();
    tx.undo.length = Math.min(tx.undo.length, level);
    if (catalog) eng.catalog.generation++; // a statement waiting for the savepoints' locks analyzes again
  }
  for (let i = tx.subs.length - 1; i >= from; i--) {
    const sub = tx.subs[i]!;
    if (!sub.aborted) {
      if (sub.xid) {
        const subXids = sub.children;
        const lsn = eng.wal.insert(WalKind.XactAbort, sub.xid, xactRecordLength(subXids.length, tx.acquiredAccessExclusive),
          0, -1, 0, 0, xactPayload(eng, subXids, catalog));
        for (const x of subXids) eng.xacts.complete(x, false);
        eng.xacts.complete(sub.xid, false);
        if (eng.tracer.wants('abort')) {
          eng.tracer.emit({ kind: 'abort', session: s.name, xid: sub.xid, lsn: formatLsn(lsn),
            text: `${s.name} rolls back savepoint ${sub.name}: subtransaction ${sub.xid} aborted (its tuples stay, invisible)` });
        }
      }
      for (let j = sub.locks.length - 1; j >= 0; j--) wake(eng, eng.locks.release(s.id, sub.locks[j]!.tag, sub.locks[j]!.mode as LockMode));
      sub.locks = [];
      sub.aborted = true;
    }
    if (remove) tx.subs.pop();
  }
  const inner = tx.subs[tx.subs.length - 1];
  tx.writeXid = inner && inner.xid && !inner.aborted ? inner.xid : tx.xid;
}

/**
 * CommitSubTransaction for levels [i, top) (RELEASE SAVEPOINT, or a PL/pgSQL block with EXCEPTION that ended
 * without error): each xid becomes a child of the enclosing savepoint (or of the transaction), committing or
 * aborting with it; the locks move up, except the subtransaction's own xid lock, which is released — a waiter then
 * finds the xid still in progress and waits for the top level.
 */
export function releaseSubs(eng: Engine, s: Session, i: number) {
  const tx = s.tx!;
  const parent = tx.subs[i - 1];
  atEndOfSubXacts(s, tx, i + 1, true);
  atEndOfSubXactDrops(eng, tx, i, true);
  for (let level = tx.subs.length + 1; level >= i + 2; level--) atSubCommitNotify(tx, level);
  atSubCommitPortals(s, i);
  const into = parent ? parent.children : tx.releasedSubXids;
  const released = tx.subs.slice(i);
  tx.subs.length = i;
  for (const sub of released) {
    if (sub.xid) into.push(sub.xid);
    into.push(...sub.children);
    for (const l of sub.locks) {
      if (l.tag.type === 'transactionid' && l.tag.xid === sub.xid) releaseLock(eng, s, l.tag, l.mode as LockMode);
      else if (parent) parent.locks.push(l);
    }
  }
  const inner = tx.subs[tx.subs.length - 1];
  tx.writeXid = inner && inner.xid ? inner.xid : tx.xid;
}

/** BeginInternalSubTransaction (a PL/pgSQL block with EXCEPTION): a nameless savepoint; returns its level. */
export function beginInternalSub(eng: Engine, s: Session): number {
  const tx = ensureTx(eng, s);
  tx.subs.push({ name: '', xid: 0, aborted: false, locks: [], gucLevel: s.gucs.level, undoLevel: tx.undo.length, children: [] });
  tx.writeXid = tx.xid;
  return tx.subs.length - 1;
}

export function savepointIndex(eng: Engine, s: Session, name: string): number {
  const subs = s.tx?.subs ?? [];
  for (let i = subs.length - 1; i >= 0; i--) if (subs[i]!.name === name) return i;
  throw new PgError('3B001', `savepoint "${name}" does not exist`);
}

export function endTx(eng: Engine, s: Session) {
  // AtEOXact_Inval: the catalog changes are committed or undone before the locks go (catalog/catalogsnapshot.ts)
  if (s.tx) {
    atEndOfXactCatalog(eng.catalog, s.tx.xid);
    if (s.tx.undo.length) eng.catalog.generation++; // its DDL committed or was undone: a waiting statement analyzes again
  }
  s.tx = null;
  releaseAllLocks(eng, s);
}

/** After an ERROR: abort the transaction; inside BEGIN the block becomes "failed" (TBLOCK_ABORT). */
export function abortAfterError(eng: Engine, s: Session) {
  const inner = s.tx?.subs[s.tx.subs.length - 1];
  if (inner && (s.block === 'inprogress' || s.block === 'failed')) {
    // an error inside a savepoint aborts just that subtransaction; ROLLBACK TO SAVEPOINT recovers
    if (!inner.aborted) abortSubs(eng, s, s.tx!.subs.length - 1, false);
    s.block = 'failed';
    return;
  }
  if (s.block === 'inprogress' || s.block === 'failed') {
    if (s.tx) abortTx(eng, s);
    s.block = 'failed';
  } else {
    abortTx(eng, s);
    s.block = 'none';
  }
}

export function transactionStmt(eng: Engine, s: Session, n: Record<string, any>) {
  const kind = n.kind as string;
  const tag = (t: string) => s.acc.results.push({ command: t, columns: null, rows: [] });
  const warn = (sqlstate: string, message: string) => s.acc.notices.push({ severity: 'WARNING', sqlstate, message });
  switch (kind) {
    case 'TRANS_STMT_BEGIN': case 'TRANS_STMT_START': {
      if (s.block === 'failed') throw inFailedSqlTransaction();
      const opts = transactionOptions(n.options ?? []);
      if (s.block === 'inprogress') {
        warn('25001', 'there is already a transaction in progress');
      } else {
        if (!s.tx) startTx(eng, s, opts.isolation ?? s.gucs.default_transaction_isolation, opts.readOnly ?? s.gucs.default_transaction_read_only);
        else {
          if (opts.isolation) setIsolation(eng, s, opts.isolation);
          if (opts.readOnly !== undefined) s.tx.readOnly = opts.readOnly;
        }
        if (opts.deferrable !== undefined) s.tx!.deferrable = opts.deferrable;
        s.block = 'inprogress';
        if (eng.tracer.wants('statement')) {
          eng.tracer.emit({ kind: 'statement', session: s.name,
            text: `${s.name} begins a transaction block (${s.tx!.isolation}); virtual xid ${s.tx!.vxid}, no xid and no snapshot yet` });
        }
      }
      tag(kind === 'TRANS_STMT_BEGIN' ? 'BEGIN' : 'START TRANSACTION');
      return;
    }
    case 'TRANS_STMT_COMMIT': {
      if (n.chain) { chainTx(eng, s, 'COMMIT'); return; }
      if (s.block === 'none') { warn('25P01', 'there is no transaction in progress'); tag('COMMIT'); return; }
      if (s.block === 'failed') { abortTx(eng, s); s.block = 'none'; tag('ROLLBACK'); return; }
      s.block = 'none'; // an error while committing ends the block too (TBLOCK_END → TBLOCK_DEFAULT)
      if (s.tx) commitTx(eng, s);
      tag('COMMIT');
      return;
    }
    case 'TRANS_STMT_ROLLBACK': {
      if (n.chain) { chainTx(eng, s, 'ROLLBACK'); return; }
      if (s.block === 'none') { warn('25P01', 'there is no transaction in progress'); tag('ROLLBACK'); return; }
      abortTx(eng, s);
      s.block = 'none';
      tag('ROLLBACK');
      return;
    }
    case 'TRANS_STMT_SAVEPOINT': case 'TRANS_STMT_RELEASE': case 'TRANS_STMT_ROLLBACK_TO': {
      const what = kind === 'TRANS_STMT_SAVEPOINT' ? 'SAVEPOINT' : kind === 'TRANS_STMT_RELEASE' ? 'RELEASE SAVEPOINT' : 'ROLLBACK TO SAVEPOINT';
      if (s.block === 'failed' && kind !== 'TRANS_STMT_ROLLBACK_TO') throw inFailedSqlTransaction();
      if (s.block !== 'inprogress' && s.block !== 'failed') throw new PgError('25P01', `${what} can only be used in transaction blocks`);
      const name = n.savepoint_name as string;
      const tx = s.tx!;
      if (kind === 'TRANS_STMT_SAVEPOINT') {
        tx.subs.push({ name, xid: 0, aborted: false, locks: [], gucLevel: s.gucs.level, undoLevel: tx.undo.length, children: [] });
        tx.writeXid = tx.xid;
        tag('SAVEPOINT');
        return;
      }
      const i = savepointIndex(eng, s, name);
      if (kind === 'TRANS_STMT_RELEASE') {
        releaseSubs(eng, s, i);
        tag('RELEASE');
        return;
      }
      abortSubs(eng, s, i, true);
      tx.subs.push({ name, xid: 0, aborted: false, locks: [], gucLevel: s.gucs.level, undoLevel: tx.undo.length, children: [] });
      tx.writeXid = tx.xid;
      s.block = 'inprogress';
      tag('ROLLBACK');
      return;
    }
    case 'TRANS_STMT_PREPARE': {
      // PrepareTransactionBlock: outside a block nothing to prepare; a failed block rolls back
      if (s.block === 'none') { warn('25P01', 'there is no transaction in progress'); tag('ROLLBACK'); return; }
      if (s.block === 'failed') { abortTx(eng, s); s.block = 'none'; tag('ROLLBACK'); return; }
      // MarkAsPreparing with max_prepared_transactions = 0 (its default; a postmaster setting): the transaction
      // aborts and the block is over
      s.block = 'none';
      throw new PgError('55000', 'prepared transactions are disabled', { hint: 'Set max_prepared_transactions to a nonzero value.' });
    }
    case 'TRANS_STMT_COMMIT_PREPARED': case 'TRANS_STMT_ROLLBACK_PREPARED': {
      const what = kind === 'TRANS_STMT_COMMIT_PREPARED' ? 'COMMIT PREPARED' : 'ROLLBACK PREPARED';
      if (s.block === 'failed') throw inFailedSqlTransaction();
      if (s.block !== 'none') throw new PgError('25001', `${what} cannot run inside a transaction block`);
      // no transaction can have been prepared (max_prepared_transactions = 0)
      throw new PgError('42704', `prepared transaction with identifier "${n.gid as string}" does not exist`);
    }
    default:
      if (s.block === 'failed') throw inFailedSqlTransaction();
      throw notSupported(`transaction statement ${kind.replace('TRANS_STMT_', '')}`);
  }
}

/**
 * COMMIT AND CHAIN / ROLLBACK AND CHAIN: end the transaction (a failed one is rolled back either way), then start a
 * new one at once with the same isolation level, access mode and deferrability, still inside the block.
 */
function chainTx(eng: Engine, s: Session, what: 'COMMIT' | 'ROLLBACK') {
  if (s.block !== 'inprogress' && s.block !== 'failed') throw new PgError('25P01', `${what} AND CHAIN can only be used in transaction blocks`);
  const tx = s.tx;
  const iso = tx?.isolation ?? s.gucs.default_transaction_isolation, readOnly = tx?.readOnly ?? s.gucs.default_transaction_read_only;
  const deferrable = tx?.deferrable;
  const rolledBack = what === 'ROLLBACK' || s.block === 'failed';
  if (tx) { if (rolledBack) abortTx(eng, s); else commitTx(eng, s); }
  startTx(eng, s, iso, readOnly);
  if (deferrable !== undefined) s.tx!.deferrable = deferrable;
  s.block = 'inprogress';
  s.acc.results.push({ command: rolledBack ? 'ROLLBACK' : 'COMMIT', columns: null, rows: [] });
}

export function transactionOptions(options: Record<string, any>[]): { isolation?: IsolationLevel; readOnly?: boolean; deferrable?: boolean } {
  const out: { isolation?: IsolationLevel; readOnly?: boolean; deferrable?: boolean } = {};
  for (const o of options) {
    const d = o.DefElem;
    const v = d.arg?.A_Const;
    if (d.defname === 'transaction_isolation') out.isolation = ISOLATION_NAMES[v.sval.sval]!;
    else if (d.defname === 'transaction_read_only') out.readOnly = !!(intConst(v) ?? v.boolval?.boolval);
    else if (d.defname === 'transaction_deferrable') out.deferrable = !!(intConst(v) ?? v.boolval?.boolval); // acts with SERIALIZABLE READ ONLY only
  }
  return out;
}

export function setIsolation(eng: Engine, s: Session, iso: IsolationLevel) {
  const tx = s.tx!;
  if (tx.queryRun && tx.isolation !== iso) throw new PgError('25001', 'SET TRANSACTION ISOLATION LEVEL must be called before any query');
  tx.isolation = iso;
}

/** The isolation level names of BEGIN ISOLATION LEVEL ... / SET TRANSACTION (a lookup with no prototype). */
const ISOLATION_NAMES: Record<string, IsolationLevel> = Object.assign(Object.create(null) as Record<string, IsolationLevel>, {
  'read uncommitted': 'read uncommitted', 'read committed': 'read committed',
  'repeatable read': 'repeatable read', serializable: 'serializable',
});
