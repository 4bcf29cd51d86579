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

describe('the dependency graph', () => {
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
  });
});
