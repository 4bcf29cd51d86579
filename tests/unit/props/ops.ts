/**
 * Random multi-session schedules for the property tests (metamorphic.test.ts, crash-contention.test.ts).
 *
 * A schedule is three client programs (sessions a, b, c: transactions and runs of autocommit statements) and
 * the order of their turns, with pauses of the virtual clock between them. The statements are what the
 * isolation tester would send: BEGIN at every
 * isolation level, COMMIT, ROLLBACK, SAVEPOINT / ROLLBACK TO / RELEASE, INSERT (also ON CONFLICT DO UPDATE),
 * UPDATE of a non-indexed column (a HOT update), of an indexed column (non-HOT), of the key itself and of a
 * wide column (so pages fill and updates leave the page), DELETE, and SELECT ... ORDER BY with and without
 * FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE. The keys are few (1..6), so sessions contend for the same
 * rows: they wait for each other, READ COMMITTED re-checks rows with EvalPlanQual, REPEATABLE READ and
 * SERIALIZABLE fail with 40001, and opposite lock orders deadlock (a pause of 1100 ms fires deadlock_timeout).
 * "Broad" statements select rows by value (WHERE v >= 15), not by key, so a re-check after a wait can meet a
 * row the statement never chose — the class of the stale-t_ctid bug (issue 9) — and touch several rows.
 *
 * Ops are generated as data and rendered to SQL late, from the session's state at that moment (ROLLBACK TO
 * and RELEASE name a savepoint that exists, or open one), so fewer steps are wasted on errors and fast-check
 * shrinks structure, not strings.
 */
import fc from 'fast-check';

export const SESSIONS = ['a', 'b', 'c'] as const;
export const KEYS = 6;
export type Iso = 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE' | null;
export type LockClause = 'FOR UPDATE' | 'FOR NO KEY UPDATE' | 'FOR SHARE' | 'FOR KEY SHARE';

export type Op =
  | { t: 'begin'; s: number; iso: Iso }
  | { t: 'commit'; s: number }
  | { t: 'rollback'; s: number }
  | { t: 'savepoint'; s: number; sp: number }
  | { t: 'rollbackTo'; s: number; sp: number }
  | { t: 'release'; s: number; sp: number }
  | { t: 'insert'; s: number; k: number; v: number }
  | { t: 'upsert'; s: number; k: number; v: number }
  /** v = v + d: HOT (v is not indexed) */
  | { t: 'updV'; s: number; k: number; d: number }
  /** w = w + d: not HOT (w is indexed) */
  | { t: 'updW'; s: number; k: number; d: number }
  /** the key itself (not HOT; a key update for FOR KEY SHARE) */
  | { t: 'updK'; s: number; k: number; to: number }
  /** the wide column: 0, 500 or 1400 bytes, so pages fill up */
  | { t: 'updPad'; s: number; k: number; len: number }
  | { t: 'del'; s: number; k: number }
  /** by value, several rows, re-checked after waits */
  | { t: 'broadUpd'; s: number; lo: number; d: number }
  | { t: 'broadDel'; s: number; lo: number }
  | { t: 'select'; s: number }
  | { t: 'lockKey'; s: number; k: number; mode: LockClause }
  | { t: 'lockAll'; s: number; lo: number; mode: LockClause }
  | { t: 'agg'; s: number }
  /** SET synchronous_commit (outside a transaction block) */
  | { t: 'sync'; s: number; on: boolean }
  /** let virtual time pass: 1100 ms fires every armed deadlock_timeout (1 s) */
  | { t: 'tick'; ms: number };

export type OpKind = Op['t'];

const sess = fc.integer({ min: 0, max: SESSIONS.length - 1 });
/** keys 1..4 exist at the start and are the most contended; 5 and 6 are for INSERT and key updates */
const key = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 4 }) }, { weight: 1, arbitrary: fc.integer({ min: 5, max: KEYS }) });
const lockMode = fc.constantFrom<LockClause>('FOR UPDATE', 'FOR NO KEY UPDATE', 'FOR SHARE', 'FOR KEY SHARE');

export interface OpOptions {
  /** isolation levels BEGIN may ask for (null = plain BEGIN, READ COMMITTED) */
  isolations: Iso[];
  /** op kinds left out (e.g. the crash oracle has no use for SELECT) */
  exclude?: OpKind[];
  /** only these kinds (default: all) */
  only?: OpKind[];
}

/** An arbitrary op, weighted toward writes on contended keys. */
export function opArb(o: OpOptions): fc.Arbitrary<Op> {
  const all: [OpKind, number, fc.Arbitrary<Op>][] = [
    ['begin', 8, fc.record({ t: fc.constant('begin' as const), s: sess, iso: fc.constantFrom(...o.isolations) })],
    ['commit', 2, fc.record({ t: fc.constant('commit' as const), s: sess })],
    ['rollback', 1, fc.record({ t: fc.constant('rollback' as const), s: sess })],
    ['savepoint', 3, fc.record({ t: fc.constant('savepoint' as const), s: sess, sp: fc.integer({ min: 1, max: 3 }) })],
    ['rollbackTo', 2, fc.record({ t: fc.constant('rollbackTo' as const), s: sess, sp: fc.integer({ min: 1, max: 3 }) })],
    ['release', 2, fc.record({ t: fc.constant('release' as const), s: sess, sp: fc.integer({ min: 1, max: 3 }) })],
    ['insert', 3, fc.record({ t: fc.constant('insert' as const), s: sess, k: key, v: fc.integer({ min: 1, max: 60 }) })],
    ['upsert', 1, fc.record({ t: fc.constant('upsert' as const), s: sess, k: key, v: fc.integer({ min: 1, max: 9 }) })],
    ['updV', 6, fc.record({ t: fc.constant('updV' as const), s: sess, k: key, d: fc.integer({ min: 1, max: 9 }) })],
    ['updW', 2, fc.record({ t: fc.constant('updW' as const), s: sess, k: key, d: fc.integer({ min: 1, max: 9 }) })],
    ['updK', 2, fc.record({ t: fc.constant('updK' as const), s: sess, k: key, to: key })],
    ['updPad', 1, fc.record({ t: fc.constant('updPad' as const), s: sess, k: key, len: fc.constantFrom(0, 500, 1400) })],
    ['del', 3, fc.record({ t: fc.constant('del' as const), s: sess, k: key })],
    ['broadUpd', 2, fc.record({ t: fc.constant('broadUpd' as const), s: sess, lo: fc.constantFrom(0, 15, 30), d: fc.integer({ min: 1, max: 9 }) })],
    ['broadDel', 1, fc.record({ t: fc.constant('broadDel' as const), s: sess, lo: fc.constantFrom(25, 40, 55) })],
    ['select', 2, fc.record({ t: fc.constant('select' as const), s: sess })],
    ['lockKey', 2, fc.record({ t: fc.constant('lockKey' as const), s: sess, k: key, mode: lockMode })],
    ['lockAll', 1, fc.record({ t: fc.constant('lockAll' as const), s: sess, lo: fc.constantFrom(0, 20), mode: lockMode })],
    ['agg', 1, fc.record({ t: fc.constant('agg' as const), s: sess })],
    ['tick', 2, fc.record({ t: fc.constant('tick' as const), ms: fc.constantFrom(250, 1100) })],
  ];
  return fc.oneof(...all.filter(([kind]) => !o.exclude?.includes(kind) && (!o.only || o.only.includes(kind)))
    .map(([, weight, arbitrary]) => ({ weight, arbitrary })));
}

const STATEMENTS: OpKind[] = ['insert', 'upsert', 'updV', 'updW', 'updK', 'updPad', 'del', 'broadUpd', 'broadDel', 'select', 'lockKey', 'lockAll', 'agg'];
const SAVEPOINT_OPS: OpKind[] = ['savepoint', 'savepoint', 'rollbackTo', 'release'];

/**
 * What one session sends, as a client program would: transactions — BEGIN at some isolation level, up to seven
 * statements with savepoints opened, released and rolled back to between them, COMMIT (or ROLLBACK) — and runs
 * of autocommit statements. `extra` adds other units (the crash oracle's SET synchronous_commit).
 */
export function programArb(o: OpOptions, extra?: fc.Arbitrary<Op[]>): fc.Arbitrary<Op[]> {
  const stmt = opArb({ ...o, only: STATEMENTS.filter((k) => !o.exclude?.includes(k)) });
  const sp = opArb({ isolations: o.isolations, only: SAVEPOINT_OPS });
  const block = fc.record({
    iso: fc.constantFrom(...o.isolations),
    body: fc.array(fc.oneof({ weight: 3, arbitrary: stmt }, { weight: 2, arbitrary: sp }), { minLength: 1, maxLength: 7 }),
    end: fc.constantFrom('commit' as const, 'commit' as const, 'commit' as const, 'rollback' as const),
  }).map((b): Op[] => [{ t: 'begin', s: 0, iso: b.iso }, ...b.body, { t: b.end, s: 0 }]);
  const auto = fc.array(stmt, { minLength: 1, maxLength: 3 });
  const units = [{ weight: 3, arbitrary: block }, { weight: 1, arbitrary: auto }, ...(extra ? [{ weight: 1, arbitrary: extra }] : [])];
  return fc.array(fc.oneof(...units), { minLength: 1, maxLength: 4 }).map((u) => u.flat());
}

/** A turn of the schedule: session `s` sends its next statement, or something happens without a session. */
export type Turn<X> = { s: number } | X;
export interface Schedule<X> { programs: Op[][]; turns: Turn<X>[] }

/**
 * Three programs and the order of their turns (interleaved with session-less actions `extra`, e.g. pauses). A
 * turn of a session whose statement still waits is passed over: its program goes on when it is free.
 */
export function scheduleArb<X>(o: OpOptions, extra: fc.Arbitrary<X>, maxTurns: number, unit?: fc.Arbitrary<Op[]>): fc.Arbitrary<Schedule<X>> {
  return fc.record({
    programs: fc.tuple(...SESSIONS.map(() => programArb(o, unit))).map((ps) => ps.map((p, s) => p.map((op) => ({ ...op, s } as Op)))),
    turns: fc.array(fc.oneof({ weight: 10, arbitrary: fc.nat(SESSIONS.length - 1).map((s) => ({ s })) },
      { weight: 1, arbitrary: extra as fc.Arbitrary<Turn<X>> }),
    { minLength: 10, maxLength: maxTurns, size: 'max' }),
  });
}

export const tickArb = fc.record({ t: fc.constant('tick' as const), ms: fc.constantFrom(250, 1100) });

/** The wide column's value: a literal of `len` bytes (below PostgreSQL's TOAST threshold, never compressed). */
export const padLiteral = (len: number) => `'${'x'.repeat(len)}'`;

/** What rendering needs to know about a session: is it in a transaction block, which savepoints are open. */
export interface SessionView { inBlock: boolean; savepoints: string[] }

/** Statements that may touch several rows in physical (sequential scan) order. */
export const isBroad = (op: Op) => op.t === 'broadUpd' || op.t === 'broadDel';
export const isWrite = (op: Op) => ['insert', 'upsert', 'updV', 'updW', 'updK', 'updPad', 'del', 'broadUpd', 'broadDel'].includes(op.t);

/**
 * The SQL of an op for table `rel`, given the session's state; `returning` adds RETURNING to every write (the
 * crash oracle derives each statement's effect from it).
 */
export function render(op: Exclude<Op, { t: 'tick' }>, view: SessionView, rel: string, returning: boolean): string {
  const ret = (cols: string) => (returning ? ` RETURNING ${cols}` : '');
  const sp = (n: number) => `sp${n}`;
  switch (op.t) {
    case 'begin': return op.iso ? `BEGIN ISOLATION LEVEL ${op.iso};` : 'BEGIN;';
    case 'commit': return 'COMMIT;';
    case 'rollback': return 'ROLLBACK;';
    case 'savepoint': return view.inBlock ? `SAVEPOINT ${sp(op.sp)};` : 'BEGIN;';
    case 'rollbackTo':
      if (!view.inBlock) return 'BEGIN;';
      return view.savepoints.length ? `ROLLBACK TO SAVEPOINT ${view.savepoints.includes(sp(op.sp)) ? sp(op.sp) : view.savepoints[view.savepoints.length - 1]};` : `SAVEPOINT ${sp(op.sp)};`;
    case 'release':
      if (!view.inBlock) return 'BEGIN;';
      return view.savepoints.length ? `RELEASE SAVEPOINT ${view.savepoints.includes(sp(op.sp)) ? sp(op.sp) : view.savepoints[view.savepoints.length - 1]};` : `SAVEPOINT ${sp(op.sp)};`;
    case 'insert': return `INSERT INTO ${rel} VALUES (${op.k}, ${op.v}, ${op.k}, '')${ret('k, v, w')};`;
    case 'upsert': return `INSERT INTO ${rel} VALUES (${op.k}, ${op.v}, ${op.k}, '') ON CONFLICT (k) DO UPDATE SET v = ${rel}.v + excluded.v${ret('k, v, w')};`;
    case 'updV': return `UPDATE ${rel} SET v = v + ${op.d} WHERE k = ${op.k}${ret('k, v, w')};`;
    case 'updW': return `UPDATE ${rel} SET w = w + ${op.d} WHERE k = ${op.k}${ret('k, v, w')};`;
    case 'updK': return `UPDATE ${rel} SET k = ${op.to} WHERE k = ${op.k}${ret('k, v, w')};`;
    case 'updPad': return `UPDATE ${rel} SET pad = ${padLiteral(op.len)} WHERE k = ${op.k}${ret('k, v, w')};`;
    case 'del': return `DELETE FROM ${rel} WHERE k = ${op.k}${ret('k')};`;
    case 'broadUpd': return `UPDATE ${rel} SET v = v + ${op.d} WHERE v >= ${op.lo}${ret('k, v, w')};`;
    case 'broadDel': return `DELETE FROM ${rel} WHERE v >= ${op.lo} AND v < ${op.lo + 10}${ret('k')};`;
    case 'select': return `SELECT k, v, w, length(pad) AS pad FROM ${rel} ORDER BY k, v, w;`; // a total order: an old version and a new row can share k (a REPEATABLE READ snapshot)
    case 'lockKey': return `SELECT k, v, w FROM ${rel} WHERE k = ${op.k} ${op.mode};`;
    case 'lockAll': return `SELECT k, v, w FROM ${rel} WHERE v >= ${op.lo} ORDER BY k ${op.mode};`;
    case 'agg': return `SELECT count(*), sum(v), sum(w) FROM ${rel};`;
    case 'sync': return `SET synchronous_commit = ${op.on ? 'on' : 'off'};`;
  }
}

/** The table every schedule starts from: four rows, a primary key and an index on w (w changes are not HOT). */
export function setupSql(rel: string, analyze: boolean): string[] {
  const out = [
    `CREATE TABLE ${rel} (k int PRIMARY KEY, v int NOT NULL, w int, pad text);`,
    `CREATE INDEX ${rel}_w ON ${rel} (w);`,
    `INSERT INTO ${rel} VALUES (1, 10, 1, ''), (2, 20, 2, ''), (3, 30, 3, ''), (4, 40, 4, '');`,
  ];
  if (analyze) out.push(`ANALYZE ${rel};`);
  return out;
}
