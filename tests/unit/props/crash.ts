/**
 * Crash properties whose oracle is what the clients were told, not the engine's WAL.
 *
 * Three sessions run a random schedule on the same few keys (ops.ts: they wait for each other, deadlock,
 * re-check rows with EvalPlanQual, fail with 40001), with synchronous_commit switched on and off, CHECKPOINTs,
 * background-writer rounds and VACUUM between steps. Every write says what it did with RETURNING, so the test
 * knows each statement's effect on the table from its answer alone: INSERT / UPDATE return the new row, DELETE
 * the key it removed, an UPDATE of the key removes the key it was asked for (WHERE k = c) and returns the new
 * one. A transaction's effect is the effects of its statements that succeeded, minus those of savepoints
 * rolled back to; it counts when its COMMIT answered COMMIT (an autocommit statement: when it answered at all).
 * The acknowledged commits, in the order the answers arrived, are the test's model of the database.
 *
 * Then the power fails — at a random step (`crash now`) or at a micro-point armed at a random step and reached
 * later (src/engine/checkpoint/checkpointer.ts CRASH_POINTS) — and the server restarts, sometimes crashing again
 * during REDO first. The table must then hold exactly the model after a prefix of the acknowledged commits:
 *  - the prefix contains every commit acknowledged with synchronous_commit = on of a transaction known to
 *    have an xid — one that changed or locked a row; without an xid there is no commit record and nothing is
 *    flushed — (and so every commit before it: WAL is flushed in order), every commit acknowledged before a CHECKPOINT that completed, and every
 *    asynchronous commit acknowledged at least 3 × wal_writer_delay (600 ms) before the crash — PostgreSQL's
 *    promise for synchronous_commit = off;
 *  - commits after it may be missing only if acknowledged with synchronous_commit = off (lost from WAL buffers);
 *  - a COMMIT in flight when the power failed (the call that crashed was a COMMIT or an autocommit write, or an
 *    autocommit write waiting in another session that the call could have woken):
 *      commit-before-flush: its record never reached the disk — it is absent;
 *      commit-after-flush: its record was flushed — present if that session had synchronous_commit = on (which
 *        of the candidates committed the client cannot tell, so one of them is), absent with it off;
 *      an in-flight autocommit write returned nothing, so its effect is computed from the model (and "no
 *        effect" is allowed too: its row may have changed identity while it waited);
 *    any other crash point has no commit in flight.
 *  - a torn page with full_page_writes = off may be reported corrupt (PostgreSQL cannot repair it); then the
 *    rows cannot be checked. Corruption in any other case fails the property.
 * Before the crash, each UPDATE's RETURNING must also agree with the model: a row updated with v = v + d now
 * holds the newest committed (or the transaction's own) value plus d — no update is lost or applied twice.
 * After recovery no tuple may keep a forward t_ctid that no update made (REDO of DELETE and row locks resets
 * it, as heap_xlog_delete / heap_xlog_lock do; see Client.staleForwardLinks).
 * After the first recovery the sessions go on with a second schedule on the recovered table and a second
 * crash, so REDO after an end-of-recovery checkpoint is checked as well.
 */
import fc from 'fast-check';
import { CRASH_POINTS, type CrashPoint } from '../../../src/engine/checkpoint/checkpointer.js';
import { Client, VAC, guarded, type KnownBug } from './drive.js';
import { SESSIONS, scheduleArb, tickArb, render, setupSql, isBroad, isWrite, type Op, type Iso, type Schedule } from './ops.js';
import type { SessionOutcome } from '../../../src/engine/engine.js';

export const REL = 't';
type Row = [number, number | null];
type State = Map<number, Row>;
type Eff = { k: number; row: Row | null };
type Extra = { t: 'tick'; ms: number } | { t: 'checkpoint' } | { t: 'bgwriter' } | { t: 'vacuum' };
type CrashOp = Op | Extra;
export interface Epoch { schedule: Schedule<Extra>; crash: { at: number; point: CrashPoint }; interruptAfter: number | null }
export interface CrashCase { fpw: boolean; prelude: boolean; epochs: Epoch[] }

const ISO: Iso[] = [null, 'READ COMMITTED', 'REPEATABLE READ', 'SERIALIZABLE'];
const extraArb: fc.Arbitrary<Extra> = fc.oneof(
  { weight: 3, arbitrary: tickArb },
  { weight: 1, arbitrary: fc.constant({ t: 'checkpoint' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'bgwriter' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'vacuum' as const }) },
);
const syncUnit: fc.Arbitrary<Op[]> = fc.boolean().map((on) => [{ t: 'sync', s: 0, on }]);
const epochArb = (maxTurns: number): fc.Arbitrary<Epoch> => fc.record({
  schedule: scheduleArb({ isolations: ISO, exclude: ['select', 'agg'] }, extraArb, maxTurns, syncUnit),
  crash: fc.record({ at: fc.integer({ min: 3, max: maxTurns + 3 }), point: fc.constantFrom<CrashPoint>(...CRASH_POINTS, 'commit-after-flush', 'commit-before-flush') }),
  interruptAfter: fc.option(fc.integer({ min: 0, max: 30 }), { freq: 3 }),
});
export const crashCaseArb = (maxTurns: number): fc.Arbitrary<CrashCase> =>
  fc.record({ fpw: fc.boolean(), prelude: fc.boolean(), epochs: fc.array(epochArb(maxTurns), { minLength: 1, maxLength: 2 }) });

export const crashStats = { excused: {} as Partial<Record<KnownBug, number>>, cases: 0, crashes: 0, microFired: 0, inFlight: 0, lostAsync: 0, corrupt: 0,
  acked: 0, waits: 0, deadlocks: 0, serialization: 0, interrupted: 0 };

const applyEffs = (st: State, effs: Eff[]) => { for (const e of effs) { if (e.row) st.set(e.k, e.row); else st.delete(e.k); } };
const show = (st: State) => [...st].sort((a, b) => a[0] - b[0]).map(([k, r]) => `${k}=${r[0]}/${r[1]}`).join(' ');

/** an open transaction: its savepoint levels, and whether it is known to have an xid (it changed or locked a row) */
interface Pending { levels: { name: string | null; effs: Eff[] }[]; wrote: boolean }
/** an acknowledged commit; `flushed`: synchronous_commit was on and the transaction had an xid, so COMMIT flushed WAL */
interface Ack { effs: Eff[]; flushed: boolean; at: number }
/** A statement sent and not answered yet. */
interface Sent { op: CrashOp; sql: string; inBlock: boolean; failed: boolean }

/** What the clients know, and the test's model built from it. */
class Model {
  committed: State;
  acked: Ack[] = [];
  /** index into acked: every commit before it must survive */
  mustSurvive = 0;
  tx: (Pending | null)[] = SESSIONS.map(() => null);
  sync = SESSIONS.map(() => true);
  sent: (Sent | null)[] = SESSIONS.map(() => null);
  constructor(readonly base: State) { this.committed = new Map(base); }

  view(s: number, k: number): Row | undefined {
    const p = this.tx[s];
    if (p) for (let i = p.levels.length - 1; i >= 0; i--) {
      const effs = p.levels[i]!.effs;
      for (let j = effs.length - 1; j >= 0; j--) if (effs[j]!.k === k) return effs[j]!.row ?? undefined;
    }
    return this.committed.get(k);
  }
  ack(effs: Eff[], flushed: boolean, at: number) {
    this.acked.push({ effs, flushed, at });
    applyEffs(this.committed, effs);
    if (flushed) this.mustSurvive = this.acked.length;
    crashStats.acked++;
  }
}

/** The effect a write reported with RETURNING; throws if the answer contradicts the model (a lost update). */
function effectOf(m: Model, s: number, op: CrashOp, rows: (string | null)[][]): Eff[] {
  const num = (x: string | null) => (x === null ? null : Number(x));
  const out: Eff[] = [];
  const check = (k: number, got: Row, want: Row | undefined, what: string) => {
    if (!want || got[0] !== want[0] || got[1] !== want[1]) throw new Error(`${what} returned ${k}=${got.join('/')} but the model says ${want ? want.join('/') : 'no such row'} (before: ${show(m.committed)})`);
  };
  for (const r of rows) {
    const k = Number(r[0]);
    if (op.t === 'del' || op.t === 'broadDel') { out.push({ k, row: null }); continue; }
    const row: Row = [Number(r[1]), num(r[2]!)];
    const before = m.view(s, op.t === 'updK' ? op.k : k);
    if (op.t === 'updV' || op.t === 'broadUpd') check(k, row, before && [before[0] + op.d, before[1]], op.t);
    if (op.t === 'updW') check(k, row, before && [before[0], before[1] === null ? null : before[1] + op.d], op.t);
    if (op.t === 'upsert' && before) check(k, row, [before[0] + op.v, before[1]], op.t);
    if (op.t === 'updK') { check(k, row, before, op.t); out.push({ k: op.k, row: null }); }
    out.push({ k, row });
  }
  return out;
}

/** What an autocommit write that never answered would have done, applied to the newest committed state. */
function inFlightAutocommit(st: State, op: CrashOp): Eff[] {
  const cur = 'k' in op ? st.get(op.k) : undefined;
  switch (op.t) {
    case 'insert': return cur ? [] : [{ k: op.k, row: [op.v, op.k] }];
    case 'upsert': return [{ k: op.k, row: cur ? [cur[0] + op.v, cur[1]] : [op.v, op.k] }];
    case 'updV': return cur ? [{ k: op.k, row: [cur[0] + op.d, cur[1]] }] : [];
    case 'updW': return cur ? [{ k: op.k, row: [cur[0], cur[1] === null ? null : cur[1] + op.d] }] : [];
    case 'updPad': return [];
    case 'updK': return cur && (op.to === op.k || !st.has(op.to)) ? [{ k: op.k, row: null }, { k: op.to, row: cur }] : [];
    case 'del': return cur ? [{ k: op.k, row: null }] : [];
    default: throw new Error(`no autocommit effect for ${op.t}`);
  }
}

class CrashRun {
  readonly c: Client;
  m: Model;
  constructor(readonly cc: CrashCase) {
    this.c = new Client(setupSql(REL, false));
    this.c.e.setFullPageWrites(cc.fpw);
    if (cc.prelude) this.c.step(VAC, 'CHECKPOINT;');
    this.m = new Model(new Map([[1, [10, 1]], [2, [20, 2]], [3, [30, 3]], [4, [40, 4]]]));
  }
  get down() { return this.c.e.serverState === 'down'; }

  /** Take in what the clients were told; returns the sessions whose statement was cut off by a crash. */
  receive(os: SessionOutcome[]): number[] {
    const cut: number[] = [];
    for (const o of os) {
      const s = SESSIONS.indexOf(o.session as typeof SESSIONS[number]);
      if (s < 0 || o.status === 'waiting') { if (o.status === 'waiting') crashStats.waits++; continue; }
      const sent = this.m.sent[s]!;
      this.m.sent[s] = null;
      if (o.error?.sqlstate === '08006') { cut.push(s); this.m.sent[s] = sent; continue; }
      if (o.error?.sqlstate === 'XX000') throw new Error(`${o.session}: ${sent.sql} failed with an internal error: ${o.error.message}`);
      if (o.error?.sqlstate === '40P01') crashStats.deadlocks++;
      if (o.error?.sqlstate === '40001') crashStats.serialization++;
      this.answer(s, sent, o);
    }
    return cut;
  }
  private answer(s: number, sent: Sent, o: SessionOutcome) {
    const m = this.m;
    const ok = o.status === 'done' && !o.error;
    const op = sent.op;
    const tag = o.results[0]?.command ?? '';
    if (op.t === 'sync') { if (ok) m.sync[s] = op.on; return; }
    if (!sent.inBlock) {
      if (sent.sql.startsWith('BEGIN') && ok) m.tx[s] = { levels: [{ name: null, effs: [] }], wrote: false };
      else if (ok && (isWrite(op as Op) || op.t === 'lockKey' || op.t === 'lockAll')) {
        const rows = o.results[0]!.rows;
        m.ack(isWrite(op as Op) ? effectOf(m, s, op, rows) : [], m.sync[s]! && rows.length > 0, o.at);
      }
      return;
    }
    const p = m.tx[s]!;
    if (sent.sql === 'COMMIT;' || sent.sql === 'ROLLBACK;') {
      if (sent.sql === 'COMMIT;' && tag === 'COMMIT' && !o.error) m.ack(p.levels.flatMap((l) => l.effs), m.sync[s]! && p.wrote, o.at);
      m.tx[s] = null;
      return;
    }
    if (!ok) return; // the statement did nothing; the transaction (or its savepoint) is failed
    const name = /^(SAVEPOINT|ROLLBACK TO SAVEPOINT|RELEASE SAVEPOINT) (\w+);$/.exec(sent.sql);
    if (name) {
      const i = p.levels.map((l) => l.name).lastIndexOf(name[2]!);
      if (name[1] === 'SAVEPOINT') p.levels.push({ name: name[2]!, effs: [] });
      else if (name[1] === 'ROLLBACK TO SAVEPOINT') { p.levels.length = i + 1; p.levels[i]!.effs = []; } else { const merged = p.levels.slice(i).flatMap((l) => l.effs); p.levels.length = i; p.levels[i - 1]!.effs.push(...merged); }
      return;
    }
    if ((isWrite(op as Op) || op.t === 'lockKey' || op.t === 'lockAll') && o.results[0]!.rows.length) p.wrote = true;
    if (isWrite(op as Op)) p.levels[p.levels.length - 1]!.effs.push(...effectOf(m, s, op, o.results[0]!.rows));
  }

  /** Run one op; returns the in-flight candidates if the power failed during it, else null. */
  run(op: CrashOp): { s: number; sent: Sent }[] | null {
    const c = this.c;
    let os: SessionOutcome[];
    let caller = -1;
    if (op.t === 'tick') os = c.advance(op.ms);
    else if (op.t === 'bgwriter') os = c.bgwriter();
    else if (op.t === 'checkpoint' || op.t === 'vacuum') {
      const before = this.m.acked.length;
      os = c.step(VAC, op.t === 'checkpoint' ? 'CHECKPOINT;' : `VACUUM ${REL};`);
      if (op.t === 'checkpoint' && !this.down && os[0]!.status === 'done' && !os[0]!.error) this.m.mustSurvive = Math.max(this.m.mustSurvive, before);
    } else {
      const s = op.s, name = SESSIONS[s]!;
      if (c.busy(name)) return null;
      const view = c.view(name);
      if (op.t === 'sync') {
        if (view.inBlock) return null;
        this.m.sent[s] = { op, sql: '', inBlock: false, failed: false };
        os = c.step(name, render(op, view, REL, true));
      } else {
        if (isBroad(op) && !view.inBlock) return null; // an autocommit broad write cut off by a crash has an unknowable effect
        const sql = render(op, view, REL, true);
        this.m.sent[s] = { op, sql, inBlock: view.inBlock, failed: c.e.session(name).block === 'failed' };
        caller = s;
        os = c.step(name, sql);
      }
    }
    const cut = this.receive(os);
    if (!this.down) return null;
    // who may have been committing when the power failed
    const cands: { s: number; sent: Sent }[] = [];
    for (const s of cut) {
      const sent = this.m.sent[s]!;
      const committing = sent.inBlock ? s === caller && sent.sql === 'COMMIT;' && !sent.failed : sent.op.t !== 'sync'; // an autocommit row lock commits too
      if (committing) cands.push({ s, sent });
    }
    return cands;
  }

  /** The states the table may be in after recovery. */
  allowed(point: CrashPoint, fired: boolean, cands: { s: number; sent: Sent }[], crashAt: number): State[] {
    const m = this.m;
    let must = m.mustSurvive;
    m.acked.forEach((a, i) => { if (a.at + 600 <= crashAt) must = Math.max(must, i + 1); });
    const prefixes: State[] = [];
    const st = new Map(m.base);
    for (let j = 0; j <= m.acked.length; j++) {
      if (j > 0) applyEffs(st, m.acked[j - 1]!.effs);
      if (j >= must) prefixes.push(new Map(st));
    }
    if (!(fired && point === 'commit-after-flush')) return prefixes;
    const out: State[] = [];
    for (const { s, sent } of cands) {
      if (!m.sync[s]) { out.push(...prefixes); continue; }
      const options = sent.inBlock ? [m.tx[s]!.levels.flatMap((l) => l.effs)] : isWrite(sent.op as Op) ? [[], inFlightAutocommit(m.committed, sent.op)] : [[]];
      for (const effs of options) { const x = new Map(m.committed); applyEffs(x, effs); out.push(x); }
    }
    return out;
  }

  contents(): State {
    const r = guarded(() => this.c.e.execute('a', `SELECT k, v, w FROM ${REL} ORDER BY k;`)).outcome;
    if (r.error) throw new Error(`reading the table after recovery: ${r.error.message}`);
    return new Map(r.results[0]!.rows.map((x) => [Number(x[0]), [Number(x[1]), x[2] === null ? null : Number(x[2])]]));
  }
}

/** Run a case; returns null if every recovery matched the model, else what went wrong (with the schedule as a .spec). */
export function runCrashCase(cc: CrashCase): string | null {
  const r = new CrashRun(cc);
  crashStats.cases++;
  const fail = (what: string) => `${what}\n\n${r.c.spec([`crash oracle: ${what.split('\n')[0]}`], REL)}`;
  try {
    for (const ep of cc.epochs) {
      let cands: { s: number; sent: Sent }[] = [];
      let fired = false;
      const queues = ep.schedule.programs.map((p) => p.slice());
      const turns = ep.schedule.turns;
      for (let i = 0; i < turns.length && !r.down; i++) {
        if (i === ep.crash.at) {
          if (ep.crash.point === 'now') { r.c.items.push({ kind: 'server', action: 'crash' }); r.receive(guarded(() => r.c.e.crash('now'))); break; }
          r.c.items.push({ kind: 'server', action: `crash:${ep.crash.point}` });
          r.c.e.crash(ep.crash.point);
        }
        const turn = turns[i]!;
        let op: CrashOp | undefined = turn as Extra;
        if ('s' in turn) {
          if (r.c.busy(SESSIONS[turn.s]!)) continue; // its program goes on when the statement it waits in is done
          op = queues[turn.s]!.shift();
          if (!op) continue;
        }
        const got = r.run(op);
        if (r.c.knownBug) { crashStats.excused[r.c.knownBug] = (crashStats.excused[r.c.knownBug] ?? 0) + 1; return null; }
        if (got) { cands = got; fired = true; crashStats.microFired++; }
      }
      if (!r.down) { r.c.items.push({ kind: 'server', action: 'crash' }); r.receive(guarded(() => r.c.e.crash('now'))); }
      crashStats.crashes++;
      if (cands.length) crashStats.inFlight++;
      const point = r.c.e.lastCrash!.point;
      const allowed = r.allowed(point, fired, cands, r.c.e.clock.now);
      // restart, perhaps with a second power failure during REDO
      let rep = guarded(() => r.c.e.restart(ep.interruptAfter !== null ? { crashAfterRecords: ep.interruptAfter } : {})).report;
      r.c.items.push({ kind: 'server', action: ep.interruptAfter !== null ? `restart:${ep.interruptAfter}` : 'restart' });
      if (rep.outcome === 'CrashedDuringRecovery') { crashStats.interrupted++; rep = guarded(() => r.c.e.restart()).report; r.c.items.push({ kind: 'server', action: 'restart' }); }
      if (rep.corruptPages.length) {
        if (point === 'torn-write' && !cc.fpw) { crashStats.corrupt++; return null; }
        return fail(`recovery reports corrupt pages ${rep.corruptPages.join(', ')} after a crash at ${point} with full_page_writes = ${cc.fpw ? 'on' : 'off'}`);
      }
      const stale = r.c.staleForwardLinks(REL);
      if (stale.length) return fail(`after REDO a forward t_ctid no update made: ${stale.join('; ')}`);
      const got = r.contents();
      const match = allowed.find((a) => show(a) === show(got));
      if (!match) {
        return fail(`after a crash (${point}${fired ? ', reached' : ''}) and recovery the table holds\n  ${show(got)}\nbut the acknowledged commits allow only\n${[...new Set(allowed.map(show))].map((x) => `  ${x}`).join('\n') || '  (nothing)'}\nacknowledged: ${JSON.stringify(r.m.acked)}\nmust survive: ${r.m.mustSurvive}, in flight: ${JSON.stringify(cands)}`);
      }
      if (r.m.acked.length > 0 && show(match) !== show(r.m.committed)) crashStats.lostAsync++;
      r.m = new Model(match);
    }
  } catch (e) {
    return fail(`the model disagrees with an answer (or the engine failed): ${(e as Error).message}`);
  }
  return null;
}
