/**
 * The differential fuzzer's own parts (scripts/lib/fuzz): the seeded generator is deterministic, its cases
 * cover the statement classes issue 9 asks for (and the stale-ctid scenario class), the engine-guided scheduler
 * yields permutations the scenario runner can complete, and the shrinker keeps the failure predicate while it
 * shrinks to a 1-minimal result. No PostgreSQL here: npm test runs the fuzzer itself against a live server.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { initParser } from '../../src/engine/sql/parser.js';
import { parseSpec, type PermutationItem } from '../../src/scenario/spec.js';
import { EngineDriver } from '../../src/scenario/engineDriver.js';
import { Rng, caseRng } from '../../scripts/lib/fuzz/prng.js';
import { generateCase } from '../../scripts/lib/fuzz/generate.js';
import { schedule } from '../../scripts/lib/fuzz/schedule.js';
import { renderSpec, stmtSql, stmtKind, type FuzzCase, type Stmt } from '../../scripts/lib/fuzz/model.js';
import { isStaleCtidClass } from '../../scripts/lib/fuzz/patterns.js';
import { ddmin, shrinkCase, simplerStmts, withPermutation } from '../../scripts/lib/fuzz/shrink.js';
import { signature, firstDifference, describeDifference, engineUnsupported } from '../../scripts/lib/fuzz/compare.js';
import { engineRun, engineRunWatched, racyBefore } from '../../scripts/lib/fuzz/enginerun.js';
import { renumber } from '../../scripts/lib/fuzz/reproduce.js';

beforeAll(async () => { await initParser(); });

const scheduled = async (seed: number, i: number): Promise<FuzzCase | null> => {
  const c = generateCase(caseRng(seed, i), `${seed}-${i}`);
  return (await schedule(c, new EngineDriver(), caseRng(seed ^ 0x5eed, i))) ? c : null;
};

describe('seeded PRNG', () => {
  it('repeats its stream for a seed and differs between seeds', () => {
    const a = new Rng(42), b = new Rng(42), c = new Rng(43);
    const xs = Array.from({ length: 50 }, () => a.u32());
    expect(Array.from({ length: 50 }, () => b.u32())).toEqual(xs);
    expect(Array.from({ length: 50 }, () => c.u32())).not.toEqual(xs);
  });
  it('int(lo, hi) stays in bounds and reaches both ends', () => {
    const r = new Rng(7);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) { const v = r.int(-2, 3); expect(v).toBeGreaterThanOrEqual(-2); expect(v).toBeLessThanOrEqual(3); seen.add(v); }
    expect([...seen].sort((x, y) => x - y)).toEqual([-2, -1, 0, 1, 2, 3]);
  });
  it('case i of a seed does not depend on other cases', () => {
    expect(caseRng(5, 17).u32()).toBe(caseRng(5, 17).u32());
    expect(caseRng(5, 17).u32()).not.toBe(caseRng(5, 18).u32());
    expect(caseRng(5, 17).u32()).not.toBe(caseRng(6, 17).u32());
  });
});

describe('case generator and scheduler', () => {
  it('is deterministic for a seed: the same case and the same permutation', async () => {
    for (let i = 0; i < 20; i++) {
      const a = await scheduled(11, i), b = await scheduled(11, i);
      expect(a).not.toBeNull();
      expect(renderSpec(b!)).toBe(renderSpec(a!));
    }
    expect(renderSpec((await scheduled(11, 0))!)).not.toBe(renderSpec((await scheduled(12, 0))!));
  });

  it('writes specs the parser reads, with every step in the permutation once, and the engine completes them', async () => {
    let advances = 0;
    for (let i = 0; i < 60; i++) {
      const c = (await scheduled(3, i))!;
      const sc = parseSpec(renderSpec(c));
      const steps = sc.sessions.flatMap((s) => s.steps.map((st) => st.name));
      expect(sc.namedPermutations).toHaveLength(1);
      const items = sc.namedPermutations[0]!;
      expect(items.filter((p: PermutationItem) => p.kind === 'step').map((p: PermutationItem) => (p.kind === 'step' ? p.step.name : '')).sort()).toEqual(steps.sort());
      // the only other items are the scheduler's deadlock advances
      for (const p of items) if (p.kind !== 'step') expect(p).toMatchObject({ kind: 'advance', ms: 1100 });
      expect(sc.sessions.length).toBeGreaterThanOrEqual(2);
      expect(sc.sessions.filter((s) => s.name !== 'vac').length).toBeLessThanOrEqual(4);
      const t = await engineRun(renderSpec(c));
      expect(t.startsWith('<<runner error>>'), t).toBe(false);
      advances += items.length - steps.length;
    }
    expect(advances).toBeGreaterThan(0); // some of them deadlock, and the clock runs for them
  });

  it('covers the statement classes of issue 9 within 300 cases', async () => {
    const kinds = new Set<string>();
    const sql: string[] = [];
    for (let i = 0; i < 300; i++) {
      const c = generateCase(caseRng(1, i), `1-${i}`);
      for (const s of c.sessions) for (const st of s.steps) { kinds.add(stmtKind(stmtSql(st.stmt))); sql.push(stmtSql(st.stmt)); }
    }
    const all = sql.join('\n');
    for (const re of [
      /^INSERT INTO \w+ VALUES \(\d+, \d+\);$/m, /ON CONFLICT \(k\) DO NOTHING/, /ON CONFLICT \(k\) DO UPDATE/,
      /^UPDATE \w+ SET k = /m, /^UPDATE \w+ SET v = .* WHERE v /m, /^DELETE FROM \w+ WHERE k = /m,
      /ORDER BY k FOR UPDATE;/, /FOR NO KEY UPDATE/, /FOR SHARE/, /FOR KEY SHARE/, /NOWAIT/, /SKIP LOCKED/,
      /^SAVEPOINT sp1;$/m, /^ROLLBACK TO sp1;$/m, /^RELEASE sp1;$/m, /^VACUUM \w+;$/m,
      /ISOLATION LEVEL READ COMMITTED/, /ISOLATION LEVEL REPEATABLE READ/, /ISOLATION LEVEL SERIALIZABLE/,
      /^COMMIT;$/m, /^ROLLBACK;$/m, /RETURNING \*/, /^SELECT count\(\*\), sum\(v\)/m,
    ]) expect(all, String(re)).toMatch(re);
    expect(kinds.size).toBeGreaterThan(30);
  });

  it('produces the stale-ctid scenario class (rolled-back HOT update, DELETE, VACUUM, INSERT, waiting UPDATE)', async () => {
    const hits: number[] = [];
    for (let i = 0; i < 400 && hits.length < 3; i++) {
      const c = await scheduled(1, i);
      if (c && isStaleCtidClass(c)) hits.push(i);
    }
    expect(hits.length).toBe(3);
  });

  it('recognises the issue\'s own stale-ctid reproducer as that class, and an unrelated case as not', async () => {
    const stmt = (s: Stmt) => s;
    const issue: FuzzCase = {
      id: 'issue-9', tables: [{ name: 'kv', rows: [[1, 10], [2, 20], [3, 30]] }], permutation: [],
      sessions: [
        { name: 's1', steps: [
          { name: 's1b', stmt: stmt({ t: 'begin', iso: null }) },
          { name: 's1u', stmt: stmt({ t: 'update', table: 'kv', col: 'v', op: '+', val: 5, where: { col: 'k', op: '=', val: 1 }, returning: false }) },
          { name: 's1r', stmt: stmt({ t: 'rollback' }) },
          { name: 's1w', stmt: stmt({ t: 'update', table: 'kv', col: 'v', op: '+', val: 1000, where: { col: 'v', op: '>=', val: 0 }, returning: false }) },
        ] },
        { name: 's2', steps: [
          { name: 's2b', stmt: stmt({ t: 'begin', iso: null }) },
          { name: 's2d', stmt: stmt({ t: 'delete', table: 'kv', where: { col: 'k', op: '=', val: 1 }, returning: false }) },
          { name: 's2c', stmt: stmt({ t: 'commit' }) },
          { name: 's2s', stmt: stmt({ t: 'select', table: 'kv', where: null, lock: null, wait: null }) },
        ] },
        { name: 's3', steps: [{ name: 's3i', stmt: stmt({ t: 'insert', table: 'kv', rows: [[9, 90]], onConflict: null, returning: false }) }] },
        { name: 'vac', steps: [{ name: 'vac', stmt: stmt({ t: 'vacuum', table: 'kv' }) }] },
      ],
    };
    const c = withPermutation(issue, ['s1b', 's1u', 's1r', 's2b', 's2d', 'vac', 's1w', 's3i', 's2c', 's2s']);
    expect(isStaleCtidClass(c)).toBe(true);
    // the DELETE committed before the VACUUM: nobody waits for it, not the class
    expect(isStaleCtidClass(withPermutation(issue, ['s1b', 's1u', 's1r', 's2b', 's2d', 's2c', 'vac', 's1w', 's3i', 's2s']))).toBe(false);
  });
});

describe('delta debugging (ddmin)', () => {
  it('returns exactly the elements a "contains all of R" predicate needs, and every tested candidate was a sublist', async () => {
    await fc.assert(fc.asyncProperty(
      fc.uniqueArray(fc.integer({ min: 0, max: 99 }), { minLength: 1, maxLength: 30 }),
      fc.infiniteStream(fc.boolean()),
      async (items, picks) => {
        const it = picks[Symbol.iterator]();
        const required = items.filter(() => it.next().value);
        if (!required.length) required.push(items[0]!);
        const test = async (xs: number[]) => required.every((r) => xs.includes(r));
        const out = await ddmin(items, test);
        expect(await test(out)).toBe(true);
        expect(out).toEqual(items.filter((x) => required.includes(x)));
      },
    ), { numRuns: 200 });
  });
  it('is 1-minimal for a predicate that needs any two of a set', async () => {
    await fc.assert(fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 0, max: 50 }), { minLength: 2, maxLength: 25 }), async (items) => {
      const special = new Set(items.filter((x) => x % 3 === 0));
      if (special.size < 2) return;
      const test = async (xs: number[]) => xs.filter((x) => special.has(x)).length >= 2;
      const out = await ddmin(items, test);
      expect(await test(out)).toBe(true);
      for (let i = 0; i < out.length; i++) expect(await test(out.filter((_, j) => j !== i))).toBe(false);
    }), { numRuns: 200 });
  });
});

describe('case shrinker', () => {
  it('keeps the failure predicate at every accepted step and ends small', async () => {
    for (let i = 0; i < 15; i++) {
      const c = (await scheduled(21, i))!;
      const hasDel = c.sessions.some((s) => s.steps.some((st) => st.stmt.t === 'delete'));
      const hasUpd = c.sessions.some((s) => s.steps.some((st) => st.stmt.t === 'update'));
      if (!hasDel || !hasUpd) continue;
      // "fails" while a DELETE comes after an UPDATE in the permutation
      const kindAt = (x: FuzzCase, n: string) => x.sessions.flatMap((s) => s.steps).find((st) => st.name === n)!.stmt.t;
      const pred = async (x: FuzzCase) => {
        const ks = x.permutation.map((n) => kindAt(x, n));
        const u = ks.indexOf('update');
        return u >= 0 && ks.indexOf('delete', u) > u;
      };
      if (!(await pred(c))) continue;
      const accepted: FuzzCase[] = [];
      const { result } = await shrinkCase(c, async (x) => { const ok = await pred(x); if (ok) accepted.push(x); return ok; }, (x) => renderSpec(x), 400);
      expect(await pred(result)).toBe(true);
      for (const a of accepted) expect(await pred(a)).toBe(true);
      expect(result.permutation).toHaveLength(2);
      expect(result.tables.every((t) => t.rows.length === 0)).toBe(true);
      for (const s of result.sessions) for (const st of s.steps) expect(simplerStmts(st.stmt)).toEqual([]);
      // the shrunk case is still a valid spec, and renumbering keeps it one
      expect(() => parseSpec(renderSpec(renumber(result)))).not.toThrow();
      return;
    }
    throw new Error('no case with an UPDATE before a DELETE in 15 cases');
  });

  it('simplerStmts only ever removes a clause (so shrinking ends)', () => {
    const size = (s: Stmt) => stmtSql(s).length;
    for (let i = 0; i < 200; i++) {
      const c = generateCase(caseRng(8, i), 'x');
      for (const s of c.sessions) for (const st of s.steps) for (const simpler of simplerStmts(st.stmt)) expect(size(simpler)).toBeLessThan(size(st.stmt));
    }
  });

  it('the real predicate shape: the engine still differs from a transcript with the same signature', async () => {
    // a stand-in for PostgreSQL: the engine's own transcript with one result row changed; the signature must
    // survive shrinking away everything else
    const c = (await scheduled(1, 17))!;
    const spec0 = renderSpec(c);
    const eng0 = await engineRun(spec0);
    const fake = (t: string) => t.replace(/^(\s*\d+\|\s*)(\d+)$/m, (_m, a: string, b: string) => `${a}${Number(b) + 1}`);
    if (fake(eng0) === eng0) return; // no result row in this case
    const sig = signature(spec0, fake(eng0), eng0);
    const { result } = await shrinkCase(c, async (x) => {
      const spec = renderSpec(x);
      const e = await engineRun(spec);
      return fake(e) !== e && signature(spec, fake(e), e) === sig;
    }, (x) => renderSpec(x), 300);
    const spec = renderSpec(result);
    const e = await engineRun(spec);
    expect(signature(spec, fake(e), e)).toBe(sig);
    expect(result.permutation.length).toBeLessThan(c.permutation.length);
  });
});

describe('transcript comparison', () => {
  const spec = 'setup { CREATE TABLE kv (k int PRIMARY KEY, v int); }\nsession s1\nstep s1_1 { SELECT * FROM kv ORDER BY k FOR KEY SHARE NOWAIT; }\nstep s1_2 { UPDATE kv SET v = v + 1 WHERE v >= 0; }\npermutation s1_1 s1_2\n';
  const head = 'Parsed test spec with 1 sessions\n\nstarting permutation: s1_1 s1_2\n';
  it('names the first differing line by what the step does, not by its name or numbers', () => {
    const pg = `${head}step s1_1: SELECT * FROM kv ORDER BY k FOR KEY SHARE NOWAIT;\nk| v\n-+--\n1|10\n(1 row)\n\n`;
    const eng = `${head}step s1_1: SELECT * FROM kv ORDER BY k FOR KEY SHARE NOWAIT;\nERROR:  could not obtain lock on row in relation "kv"\n`;
    expect(firstDifference(pg, eng)!.line).toBe(5);
    expect(signature(spec, pg, eng)).toBe('postgres: result row (after SELECT FOR KEY SHARE NOWAIT) | engine: ERROR could not obtain lock on row in relation "kv" (after SELECT FOR KEY SHARE NOWAIT)');
    expect(describeDifference(spec, pg, eng)).toBe('after step s1_1 (SELECT * FROM kv ORDER BY k FOR KEY SHARE NOWAIT;), PostgreSQL 15 prints "1|10 (1 row)", the engine "ERROR:  could not obtain lock on row in relation \\"kv\\""');
    const waits = `${head}step s1_2: UPDATE kv SET v = v + 1 WHERE v >= 0; <waiting ...>\n`;
    const runs = `${head}step s1_2: UPDATE kv SET v = v + 1 WHERE v >= 0;\n`;
    expect(signature(spec, waits, runs)).toBe('postgres: UPDATE v WHERE v waits | engine: UPDATE v WHERE v runs');
    expect(signature(spec, runs, runs)).toBe('same');
  });

  it('counts an engine 0A000 as a refusal when it is the differing line or later output of that step', () => {
    const pg = `${head}step s1_2: UPDATE kv SET v = v + 1 WHERE v >= 0; <waiting ...>\nstep s1_2: <... completed>\n`;
    const refusal = 'ERROR:  changing a row that s2 holds FOR KEY SHARE (that needs an update MultiXact) is not supported by Heapscope';
    const eng = `${head}step s1_2: UPDATE kv SET v = v + 1 WHERE v >= 0;\n${refusal}\n`;
    expect(engineUnsupported(firstDifference(pg, eng)!, eng)).toBe(refusal);
    const later = `${head}step s1_2: UPDATE kv SET v = v + 1 WHERE v >= 0;\nstep s1_3: COMMIT;\n${refusal}\n`;
    expect(engineUnsupported(firstDifference(pg, later)!, later)).toBeNull();
  });

  it('flags a difference that follows two waiters woken by one COMMIT (a race on a real server)', async () => {
    // s2 deletes key 3; s3 (key update to 3) and s1 (INSERT 3) both wait for s2's transaction in the unique check
    const racySpec = `setup { CREATE TABLE kv (k int PRIMARY KEY, v int); INSERT INTO kv VALUES (1, 10), (3, 30); }
session s1
step s1_1 { BEGIN; }
step s1_2 { INSERT INTO kv VALUES (3, 36); }
step s1_3 { COMMIT; }
session s2
step s2_1 { BEGIN; }
step s2_2 { DELETE FROM kv WHERE k = 3; }
step s2_3 { COMMIT; }
session s3
step s3_1 { UPDATE kv SET k = k + 2 WHERE k = 1; }
permutation s2_1 s2_2 s3_1 s1_1 s1_2 s2_3 s1_3
`;
    const { transcript, racy } = await engineRunWatched(racySpec);
    expect(racy).toEqual([6]); // the COMMIT of s2, the sixth step sent
    const lines = transcript.split('\n');
    const at = lines.findIndex((l) => l.startsWith('step s2_3'));
    const swapped = [...lines.slice(0, at + 1), 'step s1_2: <... completed>', ...lines.slice(at + 1)].join('\n');
    expect(racyBefore(swapped, firstDifference(swapped, transcript)!, racy)).toBe(true);
    // a difference before that COMMIT is not excused
    const early = transcript.replace('step s2_1: BEGIN;', 'step s2_1: BEGIN; <waiting ...>');
    expect(racyBefore(early, firstDifference(early, transcript)!, racy)).toBe(false);
  });
});
