/** The dependency graph (engine/trace/deps.ts): edges from the engine's reads and the pages' xmin/xmax, anomalies named. */
import { describe, it, expect } from 'vitest';
import { EngineHost } from '../../src/worker/host.js';
import type { LogEntry, DepGraph } from '../../src/shared/api.js';

async function graph(steps: [string, string][]): Promise<DepGraph> {
  const log: LogEntry[] = [
    { kind: 'sql', session: 's1', sql: 'CREATE TABLE doctors(id int PRIMARY KEY, on_call bool)' },
    { kind: 'sql', session: 's1', sql: 'INSERT INTO doctors VALUES (1, true), (2, true)' },
    ...steps.map(([session, sql]): LogEntry => ({ kind: 'sql', session, sql })),
  ];
  return (await new EngineHost().replay(['s1', 's2'], log)).state.deps;
}
const writeSkew = (iso: string): [string, string][] => [
  ['s1', `BEGIN ISOLATION LEVEL ${iso}`], ['s2', `BEGIN ISOLATION LEVEL ${iso}`],
  ['s1', 'SELECT count(*) FROM doctors WHERE on_call'], ['s2', 'SELECT count(*) FROM doctors WHERE on_call'],
  ['s1', 'UPDATE doctors SET on_call = false WHERE id = 1'], ['s2', 'UPDATE doctors SET on_call = false WHERE id = 2'],
  ['s1', 'COMMIT'], ['s2', 'COMMIT'],
];
const edge = (g: DepGraph, i: number) => { const e = g.edges[i]!; const n = (id: string) => g.txns.find((t) => t.id === id)!.xid; return `${n(e.from)} ${e.kind} ${n(e.to)}`; };

/** phantom write skew: each counts the on-call rows of shift 1, then adds one — the other's insert is a phantom to it */
async function phantom(iso: string, shift = 1): Promise<DepGraph> {
  const q = (session: string, sql: string): LogEntry => ({ kind: 'sql', session, sql });
  const log: LogEntry[] = [q('s1', 'CREATE TABLE oncall(name text PRIMARY KEY, shift int)'), q('s1', "INSERT INTO oncall VALUES ('alice', 1), ('bob', 2)"),
    q('s1', `BEGIN ISOLATION LEVEL ${iso}`), q('s2', `BEGIN ISOLATION LEVEL ${iso}`),
    q('s1', 'SELECT count(*) FROM oncall WHERE shift = 1'), q('s2', 'SELECT count(*) FROM oncall WHERE shift = 1'),
    q('s1', `INSERT INTO oncall VALUES ('carol', ${shift})`), q('s2', `INSERT INTO oncall VALUES ('dave', ${shift})`), q('s1', 'COMMIT'), q('s2', 'COMMIT')];
  return (await new EngineHost().replay(['s1', 's2'], log)).state.deps;
}

describe('the dependency graph', () => {
  it('names a phantom (G2, predicate anti-dependencies) at REPEATABLE READ: each search condition matches the row the other inserted, unseen', async () => {
    const g = await phantom('REPEATABLE READ');
    const xid = (session: string) => g.txns.find((t) => t.session === session && t.isolation === 'repeatable read')!.xid;
    expect(g.anomalies[0]).toMatchObject({ name: 'G2', committed: true });
    expect(g.anomalies[0]!.words).toMatch(/phantom/);
    const cyc = g.anomalies[0]!.edges.map((i) => g.edges[i]!);
    expect(cyc.map((_, k) => edge(g, g.anomalies[0]!.edges[k]!)).sort()).toEqual([`${xid('s1')} rw ${xid('s2')}`, `${xid('s2')} rw ${xid('s1')}`].sort());
    // from the scan's own condition, re-evaluated on the inserted versions; no row version was read for them
    for (const e of cyc) {
      expect(e.objects).toEqual([]);
      expect(e.predicates.length).toBe(1);
      expect(e.predicates[0]).toMatch(/^oncall WHERE \(shift = 1\) matches \(0,\d\), which the search did not see$/);
      expect(e.ssi).toBe(false);
    }
  });
  it('at SERIALIZABLE the same phantoms are the rw-conflicts SSI flagged: the dangerous structure, no committed cycle', async () => {
    const g = await phantom('SERIALIZABLE');
    expect(g.anomalies).toEqual([]);
    expect(g.dangerous).not.toBeNull();
    const ds = g.dangerous!.edges.map((i) => g.edges[i]!);
    expect(ds.every((e) => e.ssi && e.predicates.length === 1 && e.objects.length === 0)).toBe(true);
  });
  it('draws no predicate edge for an insert the search condition does not match (shift 2 is not shift 1)', async () => {
    const g = await phantom('REPEATABLE READ', 2);
    expect(g.edges.filter((e) => e.kind === 'rw')).toEqual([]);
    expect(g.anomalies).toEqual([]);
  });
  it('keeps item-only write skew as G2-item (no predicate edge: the updated versions do not match "on_call")', async () => {
    const g = await graph(writeSkew('REPEATABLE READ'));
    expect(g.edges.filter((e) => e.kind === 'rw').every((e) => e.objects.length > 0 && e.predicates.length === 0)).toBe(true);
  });

  it('names write skew at REPEATABLE READ: two rw anti-dependencies between the two committed doctors', async () => {
    const g = await graph(writeSkew('REPEATABLE READ'));
    expect(g.anomalies[0]).toMatchObject({ name: 'G2-item', committed: true });
    expect(g.anomalies[0]!.words).toMatch(/write skew/);
    expect(g.anomalies[0]!.edges.map((i) => edge(g, i)).sort()).toEqual(['726 rw 727', '727 rw 726']);
    expect(g.dangerous).toBeNull();
  });
  it('shows the dangerous structure when SERIALIZABLE cancels the second COMMIT; no committed cycle remains', async () => {
    const g = await graph(writeSkew('SERIALIZABLE'));
    expect(g.anomalies).toEqual([]);
    expect(g.txns.find((t) => t.xid === 727)).toMatchObject({ status: 'aborted', sqlstate: '40001' });
    expect(g.dangerous!.edges.map((i) => g.edges[i]!.ssi)).toEqual([true, true]);
    expect(g.dangerous!.text).toMatch(/T727 as the pivot/);
  });
  it('names a lost update at READ COMMITTED (read, then both write the row) and nothing for the same writes without the stale read', async () => {
    const lost = await graph([
      ['s1', 'BEGIN'], ['s2', 'BEGIN'], ['s1', 'SELECT on_call FROM doctors WHERE id = 1'], ['s2', 'SELECT on_call FROM doctors WHERE id = 1'],
      ['s1', 'UPDATE doctors SET on_call = false WHERE id = 1'], ['s1', 'COMMIT'], ['s2', 'UPDATE doctors SET on_call = true WHERE id = 1'], ['s2', 'COMMIT']]);
    expect(lost.anomalies[0]).toMatchObject({ name: 'G-single' });
    expect(lost.anomalies[0]!.words).toMatch(/lost update/);
    const fine = await graph([
      ['s1', 'BEGIN'], ['s2', 'BEGIN'], ['s1', 'UPDATE doctors SET on_call = false WHERE id = 1'], ['s1', 'COMMIT'],
      ['s2', 'UPDATE doctors SET on_call = true WHERE id = 1'], ['s2', 'COMMIT']]);
    expect(fine.anomalies).toEqual([]);
    expect(fine.edges.map((_, i) => edge(fine, i))).toContain('726 ww 727');
    // an UPDATE that waited and then re-checked the newest version (EvalPlanQual) did not miss it: no phantom, no cycle
    const waited = await graph([
      ['s1', 'BEGIN'], ['s1', 'UPDATE doctors SET on_call = false WHERE id = 1'], ['s2', 'UPDATE doctors SET on_call = true WHERE id = 1'], ['s1', 'COMMIT']]);
    expect(waited.anomalies).toEqual([]);
    expect(waited.edges.filter((e) => e.predicates.length)).toEqual([]);
  });
});
