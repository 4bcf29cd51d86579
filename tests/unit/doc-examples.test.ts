/**
 * The worked examples in the engine's module docs, run through the engine: every xid, LSN, line pointer and
 * hint bit a doc quotes is asserted here, so a change that makes a doc's example false fails this test (then fix
 * the doc along with the code). One test per module doc, named after the file whose example it checks.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';
import { heapPage, indexEntries, locks, waldump } from '../../src/engine/inspect/inspect.js';
import { formatLsn } from '../../src/engine/wal/wal.js';

beforeAll(async () => { await initParser(); });

function engine(sessions: string[]) {
  const e = new Engine();
  for (const s of sessions) e.createSession(s);
  const q = (s: string, sql: string) => {
    const r = e.execute(s, sql);
    if (r.outcome.error) throw new Error(`${s}: ${sql}: ${r.outcome.error.message}`);
    return r;
  };
  /** the rows of the last result set, as text */
  const rows = (s: string, sql: string) => {
    const rs = q(s, sql).outcome.results;
    return rs[rs.length - 1]!.rows.map((r) => r.join(','));
  };
  const page = (t: string, blk = 0) => heapPage(e.catalog.get(t)!, blk);
  /** lp: flags name, xmin, xmax, ctid, infomask flag names */
  const lps = (t: string, blk = 0) => page(t, blk).items.map((i) => [i.lp, i.lp_flags_name, i.t_xmin, i.t_xmax, i.t_ctid, i.flags?.join('|') ?? '']);
  /** pg_waldump lines as "lsn rmgr type rec/tot xid [FPW]" */
  const WALDUMP = /^rmgr: (\S+) +len \(rec\/tot\): +(\d+)\/ *(\d+), tx: +(\d+), lsn: (\S+),.*desc: ([^\s,]+).*?( FPW)?$/;
  const wal = (from: number) => waldump(e, from).map((l) => l.replace(WALDUMP, '$5 $1 $6 $2/$3 $4$7'));
  return { e, q, rows, page, lps, wal };
}

const ACCOUNTS = 'CREATE TABLE accounts (id int PRIMARY KEY, balance int); INSERT INTO accounts VALUES (1, 100), (2, 200);';

describe('module docs: worked examples', () => {
  it('visibility/visibility.ts: a tuple\'s xmin/xmax through the snapshot 725:727:725, and who sets hint bits', () => {
    const { q, rows, lps } = engine(['setup', 'writer', 'clerk', 'reader', 'later']);
    q('setup', 'CREATE TABLE orders (id int PRIMARY KEY, amount int); INSERT INTO orders VALUES (1, 20);');
    q('writer', 'BEGIN');
    q('writer', 'INSERT INTO orders VALUES (2, 35)');
    q('writer', 'DELETE FROM orders WHERE id = 1');
    q('clerk', 'INSERT INTO orders VALUES (3, 50)');
    q('reader', 'BEGIN ISOLATION LEVEL REPEATABLE READ');
    expect(rows('reader', 'SELECT pg_current_snapshot()')).toEqual(['725:727:725']);
    expect(rows('reader', 'SELECT * FROM orders ORDER BY id')).toEqual(['1,20', '3,50']);
    expect(lps('orders')).toEqual([
      [1, 'LP_NORMAL', 724, 725, '(0,1)', 'XMIN_COMMITTED|KEYS_UPDATED'],
      [2, 'LP_NORMAL', 725, 0, '(0,2)', 'XMAX_INVALID'],
      [3, 'LP_NORMAL', 726, 0, '(0,3)', 'XMIN_COMMITTED|XMAX_INVALID'],
    ]);
    q('writer', 'COMMIT');
    expect(rows('reader', 'SELECT * FROM orders ORDER BY id')).toEqual(['1,20', '3,50']);
    expect(lps('orders')[1]![5]).toBe('XMAX_INVALID'); // the old snapshot answered first: still no hint
    expect(rows('later', 'SELECT pg_current_snapshot()')).toEqual(['727:727:']);
    expect(rows('later', 'SELECT * FROM orders ORDER BY id')).toEqual(['2,35', '3,50']);
    expect(lps('orders').map((l) => l[5])).toEqual([
      'XMIN_COMMITTED|XMAX_COMMITTED|KEYS_UPDATED', 'XMIN_COMMITTED|XMAX_INVALID', 'XMIN_COMMITTED|XMAX_INVALID',
    ]);
  });

  it('snapshot/snapshot.ts: xmin:xmax:xip and subxip', () => {
    const { e, q, rows } = engine(['setup', 'a', 'c', 'reader']);
    q('setup', 'CREATE TABLE t (id int PRIMARY KEY)');
    q('a', 'BEGIN');
    q('a', 'INSERT INTO t VALUES (1)');
    q('a', 'SAVEPOINT sp');
    q('a', 'INSERT INTO t VALUES (2)');
    expect(rows('a', 'SELECT pg_current_xact_id(), pg_current_snapshot()')).toEqual(['725,725:725:']);
    q('c', 'INSERT INTO t VALUES (3)');
    q('reader', 'BEGIN ISOLATION LEVEL REPEATABLE READ');
    expect(rows('reader', 'SELECT pg_current_snapshot()')).toEqual(['725:728:725']);
    expect(rows('reader', 'SELECT * FROM t ORDER BY id')).toEqual(['3']);
    const snap = e.session('reader').tx!.xactSnapshot!;
    expect([snap.xmin, snap.xmax, snap.xip, snap.subxip]).toEqual([725, 728, [725], [726]]);
  });

  it('heap/heap.ts and heap/heapam.ts: line pointers, a HOT chain (0,1) → (0,3), a non-HOT key update', () => {
    const { e, q, page, lps, wal } = engine(['setup', 's1']);
    q('setup', ACCOUNTS);
    q('s1', 'UPDATE accounts SET balance = 90 WHERE id = 1');
    const p = page('accounts');
    expect([p.lsn, p.lower, p.upper, p.prune_xid]).toEqual(['0/01500358', 36, 8096, 725]);
    expect(p.items.map((i) => i.lp_off)).toEqual([8160, 8128, 8096]);
    expect(lps('accounts')).toEqual([
      [1, 'LP_NORMAL', 724, 725, '(0,3)', 'XMIN_COMMITTED|HOT_UPDATED'],
      [2, 'LP_NORMAL', 724, 0, '(0,2)', 'XMAX_INVALID'],
      [3, 'LP_NORMAL', 725, 0, '(0,3)', 'XMAX_INVALID|UPDATED|ONLY_TUPLE'],
    ]);
    expect(wal(12)).toEqual(['0/01500310 Heap HOT_UPDATE 71/71 725', '0/01500358 Transaction COMMIT 34/34 725']);
    const n = e.wal.count;
    q('s1', 'UPDATE accounts SET id = 3 WHERE id = 2');
    expect(lps('accounts').slice(1)).toEqual([
      [2, 'LP_NORMAL', 724, 726, '(0,4)', 'XMIN_COMMITTED|KEYS_UPDATED'],
      [3, 'LP_NORMAL', 725, 0, '(0,3)', 'XMAX_INVALID|UPDATED|ONLY_TUPLE'],
      [4, 'LP_NORMAL', 726, 0, '(0,4)', 'XMAX_INVALID|UPDATED'],
    ]);
    expect(wal(n).map((l) => l.split(' ').slice(1, 3).join(' '))).toEqual(['Heap UPDATE', 'Btree INSERT_LEAF', 'Transaction COMMIT']);
    expect(indexEntries(e.catalog.get('accounts')!, 'accounts_pkey')).toEqual([
      { key: '(1)', tid: '(0,1)' }, { key: '(2)', tid: '(0,2)' }, { key: '(3)', tid: '(0,4)' },
    ]);
  });

  it('wal/wal.ts: the LSNs of an INSERT and its COMMIT, pd_lsn and the flush pointer', () => {
    const { e, q, page, wal } = engine(['setup', 's1']);
    q('setup', ACCOUNTS);
    q('setup', 'CHECKPOINT');
    expect(formatLsn(e.wal.flushedLsn)).toBe('0/015003C0');
    const n = e.wal.count - 1;
    q('s1', 'BEGIN');
    q('s1', 'INSERT INTO accounts VALUES (3, 300)');
    expect(page('accounts').lsn).toBe('0/01500480');
    expect(formatLsn(e.wal.flushedLsn)).toBe('0/015003C0');
    q('s1', 'COMMIT');
    expect(formatLsn(e.wal.flushedLsn)).toBe('0/01500548');
    expect(wal(n)).toEqual([
      '0/01500348 XLOG CHECKPOINT_ONLINE 114/114 0',
      '0/015003C0 Heap INSERT 54/186 725 FPW',
      '0/01500480 Btree INSERT_LEAF 53/153 725 FPW',
      '0/01500520 Transaction COMMIT 34/34 725',
    ]);
  });

  it('lock/lock.ts and lock/deadlock.ts: pg_locks of a wait, the cycle and its victim', () => {
    const setup = 'CREATE TABLE products(id int PRIMARY KEY, state int, val int); INSERT INTO products VALUES (123, 1, 5), (124, 1, 3);';
    for (const think of [0, 1500]) {
      const { e, q } = engine(['setup', 's1', 's2']);
      q('setup', setup);
      q('s1', 'BEGIN');
      q('s1', 'UPDATE products SET val = val + 1 WHERE id = 123');
      q('s2', 'BEGIN');
      q('s2', 'UPDATE products SET val = val + 1 WHERE id = 124');
      expect(q('s1', 'UPDATE products SET val = val + 1 WHERE id = 124').outcome.status).toBe('waiting');
      if (think === 0) {
        const rows = locks(e).filter((l) => l.locktype !== 'relation' && l.locktype !== 'virtualxid')
          .map((l) => `${l.locktype} ${l.transactionid ?? `(${l.page},${l.tuple})`} ${l.mode} ${l.granted} ${l.session}`);
        expect(rows.sort()).toEqual([
          'transactionid 725 ExclusiveLock true s1', 'transactionid 726 ExclusiveLock true s2',
          'transactionid 726 ShareLock false s1', 'tuple (0,2) ExclusiveLock true s1',
        ]);
      }
      const early = e.advance(think);
      expect(early.filter((o) => o.error)).toEqual([]);
      expect(q('s2', 'UPDATE products SET val = val + 1 WHERE id = 123').outcome.status).toBe('waiting');
      const out = e.advance(1000);
      const victim = out.find((o) => o.error)!;
      expect(victim.error!.sqlstate).toBe('40P01');
      if (think === 0) {
        expect(victim.session).toBe('s1');
        expect(victim.error!.detail).toBe('Process 1002 waits for ShareLock on transaction 726; blocked by process 1003.\n'
          + 'Process 1003 waits for ShareLock on transaction 725; blocked by process 1002.');
        expect(victim.error!.context).toBe('while updating tuple (0,2) in relation "products"');
      } else {
        expect(victim.session).toBe('s2');
        expect(victim.error!.context).toBe('while updating tuple (0,1) in relation "products"');
      }
    }
  });

  it('recovery/recovery.ts and recovery/redo.ts: REDO from the redo pointer; the page-LSN test skips a written record', () => {
    const { e, q, rows } = engine(['setup', 's1']);
    q('setup', ACCOUNTS);
    q('setup', 'CHECKPOINT');
    expect(formatLsn(e.control.redo)).toBe('0/01500310');
    e.setFullPageWrites(false);
    q('s1', 'INSERT INTO accounts VALUES (3, 300)');
    e.bgwriter();
    q('s1', 'INSERT INTO accounts VALUES (4, 400)');
    expect(formatLsn(e.wal.flushedLsn)).toBe('0/01500510');
    e.crash();
    const { report } = e.restart();
    expect(report.log).toContain('LOG:  redo starts at 0/01500310');
    expect(report.log.some((l) => l.startsWith('LOG:  redo done at 0/015004E8'))).toBe(true);
    expect([report.replayed, report.skipped, report.applied, report.restored]).toEqual([8, 2, 2, 0]);
    const texts = report.steps.map((s) => s.text);
    expect(texts).toContain('REDO 0/015003C0 Heap/INSERT xid 725: accounts block 0: page LSN 0/01500400 ≥ 0/01500400 → already on the page '
      + '(written before the crash), skipped');
    expect(texts).toContain('REDO 0/01500440 Transaction/COMMIT xid 725: commit log: 725 committed');
    expect(texts).toContain('REDO 0/01500468 Heap/INSERT xid 726: accounts block 0: page LSN 0/01500400 < 0/015004A8 → change repeated, '
      + 'page LSN now 0/015004A8');
    expect(rows('s1', 'SELECT * FROM accounts ORDER BY id')).toEqual(['1,100', '2,200', '3,300', '4,400']);
  });

  it('vacuum/vacuum.ts: the horizon, redirect, LP_DEAD → index entry removed → LP_UNUSED → reused', () => {
    const { e, q, rows, page, lps, wal } = engine(['setup', 's1', 's2', 'old', 'vac']);
    q('setup', ACCOUNTS);
    q('old', 'BEGIN ISOLATION LEVEL REPEATABLE READ');
    expect(rows('old', 'SELECT pg_current_snapshot()')).toEqual(['725:725:']);
    q('s1', 'UPDATE accounts SET balance = 90 WHERE id = 1');
    q('s2', 'DELETE FROM accounts WHERE id = 2');
    q('vac', 'VACUUM accounts');
    expect(lps('accounts').map((l) => l.slice(0, 5))).toEqual([
      [1, 'LP_NORMAL', 724, 725, '(0,3)'], [2, 'LP_NORMAL', 724, 726, '(0,2)'], [3, 'LP_NORMAL', 725, 0, '(0,3)'],
    ]);
    q('old', 'COMMIT');
    const n = e.wal.count;
    q('vac', 'VACUUM accounts');
    const p = page('accounts');
    expect(p.items.map((i) => [i.lp_flags_name, i.lp_off])).toEqual([['LP_REDIRECT', 3], ['LP_UNUSED', 0], ['LP_NORMAL', 8160]]);
    expect(p.flags).toBe(5); // PD_HAS_FREE_LINES | PD_ALL_VISIBLE
    expect(indexEntries(e.catalog.get('accounts')!, 'accounts_pkey')).toEqual([{ key: '(1)', tid: '(0,1)' }]);
    expect(wal(n).map((l) => l.split(' ').slice(1, 3).join(' '))).toEqual(['Heap2 PRUNE', 'Btree VACUUM', 'Heap2 VACUUM', 'Heap2 VISIBLE']);
    q('s1', 'INSERT INTO accounts VALUES (3, 300)');
    expect(lps('accounts')[1]!.slice(0, 5)).toEqual([2, 'LP_NORMAL', 727, 0, '(0,2)']);
  });

  it('vacuum/pruneheap.ts: a full page pruned by the next UPDATE, then by a reader', () => {
    const { q, page } = engine(['s0', 's1', 's2']);
    q('s0', 'CREATE TABLE t (id int PRIMARY KEY, v int)');
    q('s0', 'INSERT INTO t SELECT g, 0 FROM generate_series(1, 300) g');
    expect(page('t').items.length).toBe(226);
    q('s0', 'CHECKPOINT');
    q('s1', 'UPDATE t SET v = 1 WHERE id = 1');
    let p = page('t');
    expect([p.prune_xid, p.flags, p.items[0]!.t_xmax, p.items[0]!.t_ctid]).toEqual([726, 2, 726, '(1,75)']);
    q('s1', 'UPDATE t SET v = 1 WHERE id = 2');
    p = page('t');
    expect([p.items[0]!.lp_flags_name, p.items[1]!.t_xmax, p.items[1]!.t_ctid, p.prune_xid, p.flags]).toEqual(['LP_DEAD', 727, '(0,227)', 727, 0]);
    q('s2', 'SELECT count(*) FROM t WHERE v = 1');
    p = page('t');
    expect([p.items[1]!.lp_flags_name, p.items[1]!.lp_off, p.upper, p.prune_xid]).toEqual(['LP_REDIRECT', 227, 992, 0]);
  });

  it('predicate/predicate.ts: write skew of two doctors; the pivot fails at COMMIT', () => {
    const { e, q, rows } = engine(['setup', 's1', 's2']);
    q('setup', "CREATE TABLE doctors(name text PRIMARY KEY, on_call boolean NOT NULL); INSERT INTO doctors VALUES ('alice', true), ('bob', true);");
    q('s1', 'BEGIN ISOLATION LEVEL SERIALIZABLE');
    q('s2', 'BEGIN ISOLATION LEVEL SERIALIZABLE');
    expect(rows('s1', 'SELECT count(*) FROM doctors WHERE on_call')).toEqual(['2']);
    expect(rows('s2', 'SELECT count(*) FROM doctors WHERE on_call')).toEqual(['2']);
    expect(e.predicates.view().map((v) => v.target)).toEqual(['r' + e.catalog.get('doctors')!.oid, 'r' + e.catalog.get('doctors')!.oid]);
    q('s1', "UPDATE doctors SET on_call = false WHERE name = 'alice'");
    q('s2', "UPDATE doctors SET on_call = false WHERE name = 'bob'");
    expect([e.session('s1').tx!.xid, e.session('s2').tx!.xid]).toEqual([725, 726]);
    q('s1', 'COMMIT');
    const err = e.execute('s2', 'COMMIT').outcome.error!;
    expect([err.sqlstate, err.detail]).toEqual(['40001', 'Reason code: Canceled on identification as a pivot, during commit attempt.']);
    expect(rows('s1', 'SELECT * FROM doctors ORDER BY name')).toEqual(['alice,f', 'bob,t']);
  });
  it('vacuum/vacuumlazy.ts: VACUUM VERBOSE, then VACUUM (FREEZE, VERBOSE) of rows 1..10 after deleting 1..4', () => {
    const { e, q, page } = engine(['setup', 's1']);
    q('setup', 'CREATE EXTENSION pageinspect; CREATE EXTENSION pg_visibility; CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t SELECT g, g * 10 FROM generate_series(1, 10) g;');
    q('s1', 'DELETE FROM t WHERE id <= 4');
    const report = (sql: string) => q('s1', sql).outcome.notices.map((n) => n.message).join('\n');
    const r1 = report('VACUUM VERBOSE t');
    expect(r1).toContain('removable cutoff: 726,');
    expect(r1).toContain('tuples: 4 removed, 6 remain');
    expect(r1).toContain('index scan needed: 1 pages from table (100.00% of total) had 4 dead item identifiers removed');
    expect(r1).not.toContain('new relfrozenxid');
    const t = e.catalog.get('t')!;
    expect(page('t').items.map((i) => (i.lp_flags === 0 ? 'unused' : i.t_infomask))).toEqual(['unused', 'unused', 'unused', 'unused', 2304, 2304, 2304, 2304, 2304, 2304]);
    expect(t.heap.vm.get(0)).toBe(1); // all-visible, not all-frozen
    expect(t.relfrozenxid).toBe(724);
    const r2 = report('VACUUM (FREEZE, VERBOSE) t');
    expect(r2).toContain('aggressively vacuuming');
    expect(r2).toContain('new relfrozenxid: 726, which is 2 XIDs ahead of previous value');
    expect(page('t').items.slice(4).map((i) => i.t_infomask)).toEqual([2816, 2816, 2816, 2816, 2816, 2816]);
    expect(t.heap.vm.get(0)).toBe(3);
  });
});
