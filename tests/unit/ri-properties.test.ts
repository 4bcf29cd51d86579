/**
 * Property test (fast-check) for foreign keys (issue 15): whatever three sessions do concurrently — insert and
 * re-point children, delete and re-key parents, at any isolation level, with the constraint immediate or
 * deferred, NO ACTION, CASCADE or SET NULL — once every transaction has ended, every child's parent exists
 * (referential integrity is never broken by an interleaving), and every session is still usable.
 * RI_PROPERTY_RUNS sets the number of generated cases (default 300).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';

beforeAll(async () => { await initParser(); });

const RUNS = Number(process.env.RI_PROPERTY_RUNS ?? 300);
const NAMES = ['a', 'b', 'c'];

type Op =
  | { kind: 'begin'; s: number; iso: 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE' }
  | { kind: 'end'; s: number; commit: boolean }
  | { kind: 'sql'; s: number; sql: string };

const sqlArb = fc.oneof(
  fc.record({ id: fc.integer({ min: 1, max: 40 }), p: fc.integer({ min: 1, max: 5 }) }).map(({ id, p }) => `INSERT INTO child VALUES (${id}, ${p})`),
  fc.record({ id: fc.integer({ min: 1, max: 40 }), p: fc.integer({ min: 1, max: 5 }) }).map(({ id, p }) => `UPDATE child SET pid = ${p} WHERE id % 5 = ${id % 5}`),
  fc.integer({ min: 1, max: 5 }).map((p) => `DELETE FROM parent WHERE id = ${p}`),
  fc.integer({ min: 1, max: 5 }).map((p) => `INSERT INTO parent VALUES (${p}) ON CONFLICT DO NOTHING`),
  fc.integer({ min: 1, max: 5 }).map((p) => `UPDATE parent SET id = ${p + 5} WHERE id = ${p}`),
  fc.integer({ min: 1, max: 5 }).map((p) => `SELECT * FROM parent WHERE id = ${p} FOR UPDATE`),
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('begin' as const), s: fc.integer({ min: 0, max: 2 }), iso: fc.constantFrom('READ COMMITTED' as const, 'REPEATABLE READ' as const, 'SERIALIZABLE' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('end' as const), s: fc.integer({ min: 0, max: 2 }), commit: fc.boolean() }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('sql' as const), s: fc.integer({ min: 0, max: 2 }), sql: sqlArb }) },
);
const defArb = fc.record({
  action: fc.constantFrom('NO ACTION', 'CASCADE', 'SET NULL', 'RESTRICT'),
  deferred: fc.constantFrom('', 'DEFERRABLE INITIALLY DEFERRED', 'DEFERRABLE'),
});

function runCase(ops: Op[], def: { action: string; deferred: string }) {
  const e = new Engine({ trace: false });
  for (const n of [...NAMES, 'check']) e.createSession(n);
  const setup = (sql: string) => { const r = e.execute('check', sql); if (r.outcome.error) throw new Error(`${sql}: ${r.outcome.error.message}`); };
  setup('CREATE TABLE parent (id int PRIMARY KEY)');
  setup(`CREATE TABLE child (id int, pid int REFERENCES parent ON DELETE ${def.action} ON UPDATE ${def.action === 'SET NULL' ? 'SET NULL' : def.action} ${def.deferred})`);
  setup('INSERT INTO parent VALUES (1), (2), (3), (4), (5)');
  setup('INSERT INTO child VALUES (100, 1), (101, 2), (102, 3)');
  const drain = () => {
    for (let guard = 0; guard < 30 && NAMES.some((n) => e.session(n).running); guard++) {
      const r = e.advanceToNextTimer();
      if (!r.fired) break;
    }
  };
  for (const op of ops) {
    const name = NAMES[op.s]!;
    if (e.session(name).running) { e.advanceToNextTimer(); continue; }
    const sql = op.kind === 'begin' ? `BEGIN ISOLATION LEVEL ${op.iso}` : op.kind === 'end' ? (op.commit ? 'COMMIT' : 'ROLLBACK') : op.sql;
    e.execute(name, sql);
  }
  // end every transaction (a waiter woken by a COMMIT may then fail, and need its own COMMIT → ROLLBACK)
  for (let round = 0; round < 6; round++) {
    drain();
    for (const n of NAMES) if (!e.session(n).running) e.execute(n, 'COMMIT');
  }
  drain();
  const stuck = NAMES.some((n) => e.session(n).running);
  const orphans = e.execute('check', 'SELECT c.id, c.pid FROM child c WHERE c.pid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM parent p WHERE p.id = c.pid)');
  if (orphans.outcome.error) throw new Error(orphans.outcome.error.message);
  const errs = NAMES.map((n) => (e.session(n).running ? null : e.execute(n, 'SELECT 1').outcome.error)).filter((x) => x);
  return { stuck, orphans: orphans.outcome.results[0]!.rows, usable: errs.length ? JSON.stringify(errs) : true };
}

describe('property: foreign keys hold under any interleaving', () => {
  it('after all transactions end, no child references a missing parent', () => {
    let stuck = 0;
    fc.assert(fc.property(fc.array(opArb, { minLength: 4, maxLength: 30 }), defArb, (ops, def) => {
      const r = runCase(ops, def);
      if (r.stuck) { stuck++; return; }
      expect(r.orphans).toEqual([]);
      expect(r.usable).toBe(true);
    }), { numRuns: RUNS });
    expect(stuck).toBeLessThan(RUNS / 10);
  });
});
