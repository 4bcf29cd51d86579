// Autovacuum's decisions (autovacuum.c relation_needs_vacanalyze) and the statistics' flush rules (pgstat.c
// pgstat_report_stat), unit by unit; the behaviour end to end is in tests/scenarios/autovacuum (recorded on PG 15).
import { describe, it, expect, beforeAll } from 'vitest';
import { initParser } from '../../src/engine/sql/parser.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { relationNeedsVacAnalyze, type AutovacParams } from '../../src/engine/postmaster/autovacuum.js';
import { BackendStats, SharedStats, reportStat } from '../../src/engine/pgstat/pgstat_relation.js';
import { checkNewXid, xidLimits } from '../../src/engine/xact/varsup.js';
import { Engine } from '../../src/engine/engine.js';
import { horizonReport } from '../../src/engine/inspect/horizon.js';

beforeAll(async () => { await initParser(); });

const defaults: AutovacParams = {
  enabled: true, vacThreshold: 50, vacScaleFactor: 0.2, vacInsThreshold: 1000, vacInsScaleFactor: 0.2,
  anlThreshold: 50, anlScaleFactor: 0.1, freezeMaxAge: 200_000_000,
};
const input = (dead: number, ins = 0, mod = 0, reltuples = 1000) => ({
  reltuples, relfrozenxid: 724, recentXid: 1000, autovacuumOn: true, stats: { dead, insSinceVacuum: ins, modSinceAnalyze: mod },
});

describe('relation_needs_vacanalyze', () => {
  it('vacuums past threshold + scale factor × reltuples, not at it', () => {
    expect(relationNeedsVacAnalyze(defaults, input(250)).dovacuum).toBe(false); // 50 + 0.2 × 1000 = 250
    expect(relationNeedsVacAnalyze(defaults, input(251)).dovacuum).toBe(true);
    expect(relationNeedsVacAnalyze({ ...defaults, vacScaleFactor: 0.01 }, input(61)).dovacuum).toBe(true); // 50 + 10
    expect(relationNeedsVacAnalyze({ ...defaults, vacScaleFactor: 0.01 }, input(60)).dovacuum).toBe(false);
  });
  it('the insert rule: 1000 + 0.2 × reltuples inserts since the last vacuum; -1 turns it off', () => {
    expect(relationNeedsVacAnalyze(defaults, input(0, 1201)).dovacuum).toBe(true);
    expect(relationNeedsVacAnalyze(defaults, input(0, 1200)).dovacuum).toBe(false);
    expect(relationNeedsVacAnalyze({ ...defaults, vacInsThreshold: -1 }, input(0, 99999)).dovacuum).toBe(false);
  });
  it('analyze past 50 + 0.1 × reltuples changes; a never-vacuumed table counts as empty', () => {
    expect(relationNeedsVacAnalyze(defaults, input(0, 0, 151)).doanalyze).toBe(true);
    expect(relationNeedsVacAnalyze(defaults, input(0, 0, 150)).doanalyze).toBe(false);
    expect(relationNeedsVacAnalyze(defaults, input(51, 0, 0, -1)).dovacuum).toBe(true);
  });
  it('autovacuum_enabled = off and autovacuum = off stop it, except against wraparound', () => {
    expect(relationNeedsVacAnalyze({ ...defaults, enabled: false }, input(5000, 0, 5000))).toMatchObject({ dovacuum: false, doanalyze: false });
    const old = { ...input(0), relfrozenxid: 724, recentXid: 724 + 200_000_001, autovacuumOn: false };
    expect(relationNeedsVacAnalyze({ ...defaults, enabled: false }, old)).toMatchObject({ dovacuum: true, doanalyze: false, wraparound: true });
    expect(relationNeedsVacAnalyze(defaults, { ...old, recentXid: 724 + 200_000_000 }).dovacuum).toBe(false);
  });
});

describe('pgstat_report_stat', () => {
  it('flushes at once the first time, then no more than once a second, arming the 10 s idle timer', () => {
    const sh = new SharedStats(), b = new BackendStats();
    b.counts(1).ins = 3;
    expect(reportStat(sh, b, 500, false)).toBe('Flushed');
    b.counts(1).ins = 2;
    expect(reportStat(sh, b, 900, false)).toBe('Deferred');
    expect(b.timerAt).toBe(10_900);
    expect(sh.entry(1).ins).toBe(3);
    expect(reportStat(sh, b, 900, true)).toBe('Flushed');
    expect(sh.entry(1).ins).toBe(5);
    b.counts(1).ins = 1; b.forceNext = true;
    expect(reportStat(sh, b, 950, false)).toBe('Flushed');
  });
});

describe('xid limits (varsup.c SetTransactionIdLimit) from a fresh cluster (oldest datfrozenxid 716, template1)', () => {
  const l = xidLimits(716, 'template1', 200_000_000);
  it('warns within 40 million of the wrap limit and refuses within 3 million', () => {
    expect(l.wrapLimit).toBe(716 + 2 ** 31 - 1);
    expect(checkNewXid(l.warnLimit - 1, l).kind).toBe('Ok');
    const w = checkNewXid(l.warnLimit, l);
    expect(w.kind === 'Warn' && w.notice.message).toBe('database "template1" must be vacuumed within 40000000 transactions');
    const r = checkNewXid(l.stopLimit, l);
    expect(r.kind === 'Refuse' && r.error.sqlstate).toBe('54000');
  });
  it('the engine warns on the xid it hands out past the limit, and the anti-wraparound autovacuum clears it', () => {
    const e = new Engine({ trace: false });
    e.createSession('a');
    e.execute('a', 'CREATE TABLE t (id int)');
    e.consumeXids(e.xidLimits().warnLimit + 5);
    const o = e.execute('a', 'INSERT INTO t VALUES (1)').outcome;
    expect(o.notices[0]?.message).toMatch(/^database "template1" must be vacuumed within \d+ transactions$/);
    e.advance(60_000); // the launcher's wake-up: past xidVacLimit a worker starts even with autovacuum = off
    expect(e.execute('a', 'INSERT INTO t VALUES (2)').outcome.notices).toEqual([]);
  });
  it('the shortcut costs a commit-log page, not a slot for each skipped xid', () => {
    const e = new Engine({ trace: false });
    e.createSession('a');
    e.execute('a', 'CREATE TABLE t (id int)');
    e.consumeXids(e.xidLimits().warnLimit + 5);
    e.execute('a', 'INSERT INTO t VALUES (1)');
    const clog = e.xacts.clog as unknown as { states: Uint8Array; pages: Map<number, Uint8Array> };
    expect(clog.states.length).toBeLessThanOrEqual(4096);
    expect(clog.pages.size).toBe(1);
    expect(e.xactStatus(e.xacts.nextXid - 1)).toBe('committed');
    expect(e.clone().xacts.clog.didCommit(e.xacts.nextXid - 1)).toBe(true);
  });
  it('bad input to the shortcut changes nothing', () => {
    const e = new Engine({ trace: false });
    expect(() => e.consumeXids(100)).toThrow(/only move forward/);
    expect(e.xacts.nextXid).toBe(724);
  });
});

describe('the horizon explainer', () => {
  it('names the REPEATABLE READ session whose snapshot keeps the deleted versions', () => {
    const e = new Engine({ trace: false });
    for (const n of ['rr', 'w']) e.createSession(n);
    e.execute('w', 'CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1), (2)');
    e.execute('rr', 'BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT * FROM t');
    e.execute('w', 'DELETE FROM t WHERE id = 1');
    const r = horizonReport(e);
    expect(r.held).toHaveLength(1);
    expect(r.held[0]!.holders.map((h) => h.session)).toEqual(['rr']);
    e.execute('rr', 'COMMIT');
    expect(horizonReport(e).held).toHaveLength(0);
  });
});

describe('the wraparound messages, as PostgreSQL 15 printed them (tests/messages/wraparound.pg15.txt)', () => {
  const truth = readFileSync(join(__dirname, '../messages/wraparound.pg15.txt'), 'utf8');
  const section = (name: string) => truth.split(`--- ${name}\n`)[1]!.split('\n--- ')[0]!;
  /** "SEVERITY:  SQLSTATE: message\nHINT:  hint lines" up to LOCATION, with the database name and N abstracted */
  const shape = (text: string) => text.split('\nLOCATION:')[0]!.replace(/"[a-z0-9_]+"/g, '"DB"').replace(/within \d+/, 'within N');
  const render = (m: { severity: string; sqlstate: string; message: string; hint?: string }) => `${m.severity}:  ${m.sqlstate}: ${m.message}\nHINT:  ${m.hint}`;
  it('the WARNING past xidWarnLimit: its distance to xidWrapLimit, its HINT; the refusal past xidStopLimit', () => {
    const e = new Engine({ trace: false });
    e.createSession('a');
    e.execute('a', 'CREATE TABLE t (id int)');
    const l = e.xidLimits();
    e.consumeXids(l.wrapLimit - 39984372); // the recording's distance
    const o = e.execute('a', 'INSERT INTO t VALUES (1)').outcome;
    expect(o.notices[0]!.message).toBe(`database "template1" must be vacuumed within 39984372 transactions`);
    expect(shape(render(o.notices[0]!))).toBe(shape(section('warn')));
    expect(o.results[0]!.command).toBe('INSERT 0 1');
    e.consumeXids(l.stopLimit + 8);
    const r = e.execute('a', 'INSERT INTO t VALUES (1)').outcome;
    expect(shape(render(r.error!))).toBe(shape(section('stop')));
    // reading still works: no xid needed
    expect(e.execute('a', 'SELECT count(*) FROM t').outcome.results[0]!.rows).toEqual([['1']]);
  });
});

describe('the #! server line and the server controls', () => {
  it('parses name=value settings and refuses anything else', async () => {
    const { parseSpec } = await import('../../src/scenario/spec.js');
    const ok = parseSpec('#! server autovacuum=on autovacuum_naptime=1\nsession s\nstep a { SELECT 1; }\n', 'x.spec');
    expect(ok.server).toEqual({ autovacuum: 'on', autovacuum_naptime: '1' });
    expect(() => parseSpec('#! server autovacuum\nsession s\nstep a { SELECT 1; }\n', 'x.spec')).toThrow(/name=value/);
  });
  it('a bad setting changes nothing (the whole reload is refused)', () => {
    const e = new Engine({ trace: false });
    expect(() => e.configure({ autovacuum: 'on', autovacuum_naptime: '0' })).toThrow(/outside the valid range/);
    expect(e.serverConf.bool('autovacuum')).toBe(false);
    e.configure({ autovacuum: 'on', autovacuum_naptime: '5' });
    expect(e.serverConf.num('autovacuum_naptime')).toBe(5);
  });
  it('the log accepts configure and consume_xids entries only in their form', async () => {
    const { validEntry } = await import('../../src/store/persist.js');
    expect(validEntry({ kind: 'server', action: 'configure', arg: 'autovacuum=on' })).toBe(true);
    expect(validEntry({ kind: 'server', action: 'configure', arg: 'autovacuum = on' })).toBe(false);
    expect(validEntry({ kind: 'server', action: 'consume_xids', arg: '2107484363' })).toBe(true);
    expect(validEntry({ kind: 'server', action: 'consume_xids', arg: '-1' })).toBe(false);
  });
});

describe("pgstat_relation.ts's worked example", () => {
  it('an INSERT in the session\'s first second shows in pg_stat_user_tables 10 s later, not before', () => {
    const e = new Engine({ trace: false });
    for (const n of ['s1', 's2']) e.createSession(n);
    e.execute('s1', 'CREATE TABLE t (id int)');
    e.execute('s1', 'INSERT INTO t SELECT generate_series(1, 10)');
    const read = () => e.execute('s2', "SELECT n_tup_ins, n_live_tup, n_mod_since_analyze FROM pg_stat_user_tables WHERE relname = 't'").outcome.results[0]!.rows[0];
    expect(read()).toEqual(['0', '0', '0']);
    e.advance(9_999);
    expect(read()).toEqual(['0', '0', '0']);
    e.advance(1);
    expect(read()).toEqual(['10', '10', '10']);
  });
});
