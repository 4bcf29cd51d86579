/**
 * TRUNCATE: empty tables at once, by giving each a new, empty relfilenode (commands/relfile.ts) instead of
 * deleting row by row. It takes AccessExclusiveLock — it waits for every reader and writer, and blocks them
 * until it commits — and it is not MVCC-safe: a REPEATABLE READ transaction whose snapshot predates the
 * TRUNCATE finds the new, empty file once the lock is gone, and sees an empty table where its snapshot says the
 * rows should still be:
 *
 *     s1: BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM other;   -- snapshot taken
 *     s2: TRUNCATE t;                                                            -- commits
 *     s1: SELECT count(*) FROM t;                                                -- 0, not the rows it "should" see
 *
 * A ROLLBACK puts the old file back (the undo keeps the old heap and indexes). RESTART IDENTITY also resets the
 * sequences the tables own (serial columns), transactionally.
 *
 * Mirrors: src/backend/commands/tablecmds.c (ExecuteTruncate, ExecuteTruncateGuts), utils/cache/relcache.c
 * (RelationSetNewRelfilenode). TRUNCATE of an inheritance parent empties its descendants too (another session's
 * temporary child excepted), ONLY the parent alone. A referenced table is truncated only together with the tables
 * referencing it (0A000 otherwise), which CASCADE adds (NOTICE "truncate cascades to table ..."). TRUNCATE of a
 * partitioned table empties all its partitions (it has no storage itself); TRUNCATE ONLY of one is refused (42809).
 * Simplifications: CASCADE does not reach a partitioned table.
 */
import { expandsInheritance, lockInheritanceTree } from '../optimizer/inherit.js';
import { countTruncate } from '../pgstat/pgstat_relation.js';
import type { Executor } from '../executor/executor.js';
import { PgError, notSupported, posOf } from '../errors.js';
import type { Session, QueryResult } from '../session/session.js';
import { LockMode } from '../lock/lock.js';
import type { N, Gen } from '../executor/util.js';
import { newRelfilenode, saveTableDef } from './relfile.js';
import { truncateCheck } from './atforeignkey.js';
import { referencingKeys } from '../ri/ri_triggers.js';
import type { Table } from '../catalog/catalog.js';
import { partitionsOf } from '../executor/execPartition.js';
import { aclCheck, permissionDenied, TABLE_PRIVILEGES } from '../catalog/acl.js';
import { currentRole } from './user.js';
import { type AfterEvent, fireStatementTriggers, fireAfterEvents } from './trigger.js';

export function* truncateStmt(ex: Executor, s: Session, n: N): Gen<QueryResult> {
  ex.checkReadOnly(s, 'TRUNCATE TABLE');
  const cat = ex.eng.catalog;
  const role = currentRole(ex.eng, s);
  const tables: Table[] = [];
  // RangeVarGetRelidExtended per name: RangeVarCallbackForTruncate's checks (relkind, then the TRUNCATE privilege)
  // run before that table's lock is taken
  for (const r of (n.relations ?? []) as N[]) {
    const rv = r.RangeVar as N;
    if (rv.schemaname && (rv.schemaname === 'pg_temp' || /^pg_/.test(rv.schemaname))) throw notSupported(`TRUNCATE in the schema ${rv.schemaname}`, posOf(rv.location));
    const lookup = () => (rv.schemaname ? cat.getIn(rv.schemaname, rv.relname) : cat.get(rv.relname));
    const t0 = lookup();
    const missing = () => {
      if (cat.view(rv.relname) || cat.sequence(rv.relname)) return new PgError('42809', `"${rv.relname}" is not a table`);
      return new PgError('42P01', `relation "${rv.relname}" does not exist`);
    };
    if (!t0) throw missing();
    if (t0.matview) throw new PgError('42809', `"${rv.relname}" is not a table`); // relkind 'm' (commands/matview.ts)
    let t = t0;
    if (t.partKey && !rv.inh) {
      throw new PgError('42809', 'cannot truncate only a partitioned table', { hint: 'Do not specify the ONLY keyword, or use TRUNCATE ONLY on the partitions directly.' });
    }
    if (!aclCheck(t, role, TABLE_PRIVILEGES.truncate!)) throw permissionDenied('table', t.name);
    // looked up again once locked, if DDL committed meanwhile: dropped by another transaction, it is gone
    const locked = yield* ex.lockTableAgain(s, t, LockMode.AccessExclusive, lookup);
    if (!locked) throw missing();
    t = locked;
    tables.push(t);
    // TRUNCATE parent (not ONLY): every descendant too, locked as found; another session's temporary child is
    // locked but left alone (ExecuteTruncate: find_all_inheritors, RELATION_IS_OTHER_TEMP)
    if (t.partKey) {
      // a partitioned table: its partitions, level by level in OID order (find_all_inheritors, a partition pending
      // detach left out as the active snapshot says: executor/execPartition.ts), each locked as found
      const tree = [t];
      for (let i = 0; i < tree.length; i++) {
        if (!tree[i]!.partKey) continue;
        for (const c of partitionsOf(cat, tree[i]!).sort((a, b) => a.oid - b.oid)) {
          yield* ex.lockRelation(s, c, LockMode.AccessExclusive, false);
          tree.push(c);
          if (!tables.includes(c)) tables.push(c);
        }
      }
    } else if (rv.inh && expandsInheritance(cat, t, true)) {
      for (const c of (yield* lockInheritanceTree(ex, s, t, LockMode.AccessExclusive, false)).slice(1)) if (!tables.includes(c)) tables.push(c);
    }
  }
  if (n.behavior === 'DROP_CASCADE') {
    // CASCADE: every table referencing one in the list joins it, round after round (heap_truncate_find_FKs, in OID order)
    for (;;) {
      const more = tables.flatMap((t) => referencingKeys(ex, t)).filter((r) => !r.fk.noAction && !tables.includes(r.table)).map((r) => r.table)
        .filter((x, i, all) => all.indexOf(x) === i).sort((a, b) => a.oid - b.oid);
      if (!more.length) break;
      for (const t of more) {
        yield* ex.eng.acquireLock(s, { type: 'relation', rel: t.oid }, LockMode.AccessExclusive);
        s.acc.notices.push({ severity: 'NOTICE', sqlstate: '00000', message: `truncate cascades to table "${t.name}"` });
        if (t.partKey) throw notSupported('TRUNCATE ... CASCADE reaching a partitioned table');
        if (!aclCheck(t, role, TABLE_PRIVILEGES.truncate!)) throw permissionDenied('table', t.name);
        tables.push(t);
      }
    }
  }
  truncateCheck(ex, tables); // a referenced table only with the tables referencing it
  ex.eng.ensureXid(s);
  // ExecuteTruncateGuts: BEFORE TRUNCATE triggers first, AFTER TRUNCATE ones queued for the statement's end
  const queue: AfterEvent[] = [];
  for (const t of [...new Set(tables)]) yield* fireStatementTriggers(ex, s, t, 'before', 'TRUNCATE', null);
  for (const t of [...new Set(tables)]) {
    if (t.partKey) continue; // no storage of its own
    s.tx!.undo.push(saveTableDef(ex, t));
    newRelfilenode(ex, s, t, true);
    // reindex_relation opens the table with ShareLock to rebuild its (empty) indexes: held to the end, as every lock
    yield* ex.eng.acquireLock(s, { type: 'relation', rel: t.oid }, LockMode.Share);
    countTruncate(s.tx!, t.oid);
    if (n.restart_seqs) {
      for (const seq of cat.sequences.values()) {
        if (seq.ownedBy !== t.name) continue;
        const saved = { lastValue: seq.lastValue, isCalled: seq.isCalled, logCnt: seq.logCnt };
        s.tx!.undo.push(() => Object.assign(seq, saved));
        seq.lastValue = seq.params.start; seq.isCalled = false; seq.logCnt = 0;
      }
    }
  }
  s.tx!.cidUsed = true;
  for (const t of [...new Set(tables)]) yield* fireStatementTriggers(ex, s, t, 'after', 'TRUNCATE', queue);
  yield* fireAfterEvents(ex, s, queue);
  return { command: 'TRUNCATE TABLE', columns: null, rows: [] };
}
