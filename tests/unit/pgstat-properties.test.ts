// Invariants of the cumulative statistics over random single-session workloads (fast-check): once the session has
// flushed, n_live_tup is the table's row count, n_tup_ins / _upd / _del count every attempt (committed or not), and
// n_mod_since_analyze counts the committed ones — whatever mix of autocommit, blocks, savepoints and rollbacks.
import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { initParser } from '../../src/engine/sql/parser.js';
import { Engine } from '../../src/engine/engine.js';

beforeAll(async () => { await initParser(); });

type Op = { kind: 'ins'; n: number } | { kind: 'del'; m: number } | { kind: 'upd'; m: number };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('ins' as const), n: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ kind: fc.constant('del' as const), m: fc.integer({ min: 2, max: 5 }) }),
  fc.record({ kind: fc.constant('upd' as const), m: fc.integer({ min: 2, max: 5 }) }),
);
/** how a group of ops runs: autocommit, a committed block, a rolled-back block, or a block with a rolled-back savepoint */
const wrapArb = fc.constantFrom('auto', 'commit', 'rollback', 'savepoint');

describe('pg_stat_user_tables invariants', () => {
  it('after a flush: live = count(*), attempts counted, committed changes in n_mod_since_analyze', () => {
    fc.assert(fc.property(fc.array(fc.tuple(wrapArb, fc.array(opArb, { minLength: 1, maxLength: 3 })), { minLength: 1, maxLength: 8 }), (groups) => {
      const e = new Engine({ trace: false });
      e.createSession('s');
      const q = (sql: string) => { const o = e.execute('s', sql).outcome; if (o.error) throw new Error(`${sql}: ${o.error.message}`); return o; };
      q('CREATE TABLE t (id int, v int)');
      let next = 1;
      const attempts = { ins: 0, upd: 0, del: 0 }, committed = { n: 0 };
      const count = () => Number(q('SELECT count(*) FROM t').results[0]!.rows[0]![0]);
      const run = (op: Op): number => {
        if (op.kind === 'ins') { const vals = Array.from({ length: op.n }, () => `(${next++}, 0)`).join(', '); q(`INSERT INTO t VALUES ${vals}`); attempts.ins += op.n; return op.n; }
        const r = q(op.kind === 'del' ? `DELETE FROM t WHERE id % ${op.m} = 0` : `UPDATE t SET v = v + 1 WHERE id % ${op.m} = 1`);
        const k = Number(r.results[0]!.command.split(' ').pop());
        if (op.kind === 'del') attempts.del += k; else attempts.upd += k;
        return k;
      };
      for (const [wrap, ops] of groups) {
        if (wrap === 'auto') { for (const op of ops) committed.n += run(op); continue; }
        q('BEGIN');
        let kept = 0;
        if (wrap === 'savepoint') {
          kept += run(ops[0]!);
          q('SAVEPOINT a');
          for (const op of ops.slice(1)) run(op);
          q('ROLLBACK TO a');
          q('COMMIT');
          committed.n += kept;
          continue;
        }
        for (const op of ops) kept += run(op);
        q(wrap === 'commit' ? 'COMMIT' : 'ROLLBACK');
        if (wrap === 'commit') committed.n += kept;
      }
      const rows = count();
      q('SELECT pg_stat_force_next_flush()');
      const st = q("SELECT n_live_tup, n_tup_ins, n_tup_upd, n_tup_del, n_mod_since_analyze FROM pg_stat_user_tables WHERE relname = 't'").results[0]!.rows[0]!.map(Number);
      expect(st).toEqual([rows, attempts.ins, attempts.upd, attempts.del, committed.n]);
    }), { numRuns: 60 });
  });
});
