/** The .spec reader: isolation-tester syntax and order, annotations, lazy permutations, errors with file and line. */
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSpec, ScenarioError, permutations, firstPermutation, permutationCount, type Scenario, type Session, type Step, type PermutationItem } from '../../src/scenario/spec.js';

const ok = `# comment
setup { CREATE TABLE t(id int); }
teardown { DROP TABLE t; }
session s1
setup { SET deadlock_timeout = '10ms'; }
step a {  SELECT 1;  }
step b { SELECT 2; }
session "s 2"
step c { SELECT 3; }
permutation a c +1500ms b
`;
const names = (p: PermutationItem[]) => p.map((i) => (i.kind === 'step' ? i.step.name : i.kind === 'advance' ? `+${i.ms}` : `@${i.action}`));
const steps = (counts: number[]) => counts.map((n, i) => `session s${i}\n${Array.from({ length: n }, (_, k) => `step s${i}_${k} { SELECT ${k}; }`).join('\n')}\n`).join('');

/** isolationtester's run_all_permutations_recurse, literally: pick from the lowest session with steps left first. */
function reference(sessions: Session[], limit = Infinity): string[] {
  const out: string[] = [];
  const stop = new Error('enough');
  const piles = sessions.map(() => 0);
  const cur: Step[] = [];
  const rec = () => {
    let found = false;
    sessions.forEach((s, i) => {
      if (piles[i]! < s.steps.length) {
        cur.push(s.steps[piles[i]!]!);
        piles[i]!++;
        rec();
        piles[i]!--;
        cur.pop();
        found = true;
      }
    });
    if (!found && out.push(cur.map((st) => st.name).join(' ')) >= limit) throw stop;
  };
  try { rec(); } catch (e) { if (e !== stop) throw e; }
  return out;
}

describe('parseSpec', () => {
  it('reads sessions, steps (blanks after { and before } trimmed), permutations and clock advances', () => {
    const sc = parseSpec(ok, 'x.spec');
    expect(sc.sessions.map((s) => s.name)).toEqual(['s1', 's 2']);
    expect(sc.sessions[0]!.setup).toBe("SET deadlock_timeout = '10ms';");
    expect(sc.sessions[0]!.steps[0]!.sql).toBe('SELECT 1;');
    expect(names(sc.namedPermutations[0]!)).toEqual(['a', 'c', '+1500', 'b']);
    expect(sc.generated).toBe(false);
    expect(sc.verbose).toBe(false);
    expect(sc.stepTimeoutSec).toBeNull();
  });
  it('keeps a newline right after "{" (the tester trims blanks only) and reads "" in a quoted name as a quote', () => {
    const sc = parseSpec('session "a""b"\nstep "x y" {\n  SELECT 1;\n}\n', 'x.spec');
    expect(sc.sessions[0]!.name).toBe('a"b');
    expect(sc.sessions[0]!.steps[0]!.sql).toBe('\n  SELECT 1;\n');
  });
  it('reads the verbose and PGISOLATIONTIMEOUT directives', () => {
    expect(parseSpec('#! verbose\n' + ok).verbose).toBe(true);
    expect(parseSpec('#! PGISOLATIONTIMEOUT=7\n' + ok).stepTimeoutSec).toBe(7);
  });
  it('reads annotations and links blockers to the steps of the same permutation', () => {
    const sc = parseSpec(`session s1\nstep a { SELECT 1; }\nstep b { SELECT 2; }\nsession s2\nstep c { SELECT 3; }\nstep d { SELECT 4; }\npermutation a c(*) b(c) d(a notices 2, *)\n`, 'x.spec');
    const p = sc.namedPermutations[0]!;
    expect(names(p)).toEqual(['a', 'c', 'b', 'd']);
    const blockers = p.map((i) => (i.kind === 'step' ? i.blockers.map((b) => (b.kind === 'once' ? '*' : b.kind === 'step' ? b.step.name : `${b.step.name}:${b.count}`)) : []));
    expect(blockers).toEqual([[], ['*'], ['c'], ['a:2', '*']]);
    const d = p[3]!;
    expect(d.kind === 'step' && d.blockers[0]!.kind === 'notices' && d.blockers[0]!.step).toBe(sc.sessions[0]!.steps[0]);
  });
  it('warns about steps no permutation uses, sorted by name, as the tester does', () => {
    const sc = parseSpec('session s1\nstep z { SELECT 1; }\nstep b { SELECT 2; }\nstep a { SELECT 3; }\npermutation a\n');
    expect(sc.warnings).toEqual(['unused step name: b', 'unused step name: z']);
    expect(parseSpec('session s1\nstep z { SELECT 1; }\n').warnings).toEqual([]); // generated permutations use every step
  });

  const bad: [string, string, RegExp][] = [
    ['an undefined step', ok.replace('permutation a c', 'permutation a zz'), /^x\.spec:10: undefined step "zz" specified in permutation$/],
    ['an undefined blocking step', ok.replace('permutation a c', 'permutation a(zz) c'), /^x\.spec:10: undefined blocking step "zz" referenced in permutation step "a"$/],
    ['a blocker that is a step of another permutation', `${ok}permutation a(b) c\n`, /^x\.spec:11: undefined blocking step "b" referenced in permutation step "a"$/],
    ['a step blocking on its own session', ok.replace('permutation a c +1500ms b', 'permutation a c b(a)'), /^x\.spec:10: permutation step "b" cannot block on its own session$/],
    ['an unterminated annotation', ok.replace('permutation a c', 'permutation a(c c'), /x\.spec:10: expected "," or "\)" in the annotation of step a/],
    ['notices without a count', ok.replace('permutation a c', 'permutation a(c notices) c'), /x\.spec:10: expected a number after "c notices"/],
    ['an empty annotation', ok.replace('permutation a c', 'permutation a() c'), /x\.spec:10: expected \*, a step name/],
    ['an unterminated block', 'setup { SELECT 1;\nsession s1\n', /x\.spec:1: unterminated SQL block/],
    ['an unterminated quoted name', 'session "s1\n', /x\.spec:1: unexpected newline in quoted identifier/],
    ['no sessions', 'setup { SELECT 1; }\n', /no sessions defined/],
    ['a duplicate step', ok.replace('step c', 'step a'), /^x\.spec:9: duplicate step name: a$/],
    ['garbage', 'session s1\nstep a { SELECT 1; }\n%%\n', /x\.spec:3: unexpected character "%"/],
    ['a session without steps', 'session s1\npermutation\n', /x\.spec:1: session "s1" has no steps/],
    ['a keyword as a name', 'session s1\nstep notices { SELECT 1; }\n', /x\.spec:2: expected a step name after "step", found "notices" \(a keyword: write it "quoted"\)/],
    ['a name starting with a digit', 'session s1\nstep 1a { SELECT 1; }\n', /x\.spec:2: expected a step name after "step", found the number 1/],
    ['a setup after the sessions', 'session s1\nstep a { SELECT 1; }\nsetup { SELECT 1; }\n', /x\.spec:3: unexpected "setup" here: a spec lists its setup blocks, then at most one teardown, then the sessions/],
    ['a second teardown', 'teardown { SELECT 1; }\nteardown { SELECT 2; }\nsession s1\nstep a { SELECT 1; }\n', /x\.spec:2: unexpected "teardown" here/],
    ['a session after the permutations', 'session s1\nstep a { SELECT 1; }\npermutation a\nsession s2\nstep b { SELECT 1; }\n', /x\.spec:4: unexpected "session" in a permutation/],
    ['a bad timeout directive', '#! PGISOLATIONTIMEOUT=soon\nsession s1\nstep a { SELECT 1; }\n', /x\.spec:1: #! PGISOLATIONTIMEOUT needs a whole number of seconds/],
  ];
  for (const [name, src, re] of bad) {
    it(`reports ${name} with file and line`, () => {
      expect(() => parseSpec(src, 'x.spec')).toThrow(ScenarioError);
      expect(() => parseSpec(src, 'x.spec')).toThrow(re);
    });
  }

  // recorded from PostgreSQL 15's isolationtester (npm run record -- tests/spec-errors/*.spec)
  const dir = 'tests/spec-errors';
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.spec'))) {
    it(`rejects ${f} with the isolationtester's own words`, () => {
      const said = readFileSync(join(dir, f.replace(/\.spec$/, '.err')), 'utf8').trimEnd();
      const e = (() => { try { parseSpec(readFileSync(join(dir, f), 'utf8'), f); } catch (x) { return x; } return null; })();
      expect(e).toBeInstanceOf(ScenarioError);
      expect((e as Error).message).toMatch(new RegExp(`^${f.replace('.', '\\.')}:\\d+: `));
      expect((e as Error).message.replace(/^[^:]+:\d+: /, '')).toBe(said);
    });
  }
});

describe('permutations', () => {
  it('runs the listed permutations when there are some', () => {
    const sc = parseSpec(`${ok}permutation b a c\n`);
    expect([...permutations(sc)].map(names)).toEqual([['a', 'c', '+1500', 'b'], ['b', 'a', 'c']]);
    expect(permutationCount(sc)).toBe(2n);
    expect(names(firstPermutation(sc))).toEqual(['a', 'c', '+1500', 'b']);
  });
  it('generates every interleaving when no permutation is given', () => {
    const sc = parseSpec(ok.replace('permutation a c +1500ms b\n', ''), 'x.spec');
    expect(sc.generated).toBe(true);
    expect([...permutations(sc)].map((p) => names(p).join(''))).toEqual(['abc', 'acb', 'cab']);
    expect(permutationCount(sc)).toBe(3n);
    expect(names(firstPermutation(sc))).toEqual(['a', 'b', 'c']);
  });
  for (const shape of [[1], [3], [2, 2], [1, 3], [2, 1, 2], [3, 1, 1, 2], [2, 2, 2]]) {
    it(`yields isolationtester's interleavings in its order for sessions of ${shape.join(', ')} steps`, () => {
      const sc = parseSpec(steps(shape));
      const got = [...permutations(sc)].map((p) => names(p).join(' '));
      expect(got).toEqual(reference(sc.sessions));
      expect(permutationCount(sc)).toBe(BigInt(got.length));
      expect(names(firstPermutation(sc)).join(' ')).toBe(got[0]);
    });
  }
  it('starts 3 sessions × 8 steps at once and in bounded memory (9,465,511,770 interleavings)', () => {
    const sc: Scenario = parseSpec(steps([8, 8, 8]));
    expect(permutationCount(sc)).toBe(9_465_511_770n); // 24! / (8!)^3
    const t0 = performance.now();
    const heap0 = process.memoryUsage().heapUsed;
    const first: string[] = [];
    let n = 0;
    for (const p of permutations(sc)) {
      if (first.length < 20_000) first.push(names(p).join(' '));
      if (++n === 200_000) break;
    }
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(process.memoryUsage().heapUsed - heap0).toBeLessThan(100 * 1024 * 1024);
    expect(first).toEqual(reference(sc.sessions, 20_000)); // past the 12,870 that keep session 0's 8 steps first
  });
  it('counts without overflow and generates a 10,000-step session without recursion', () => {
    const fact = (n: number) => { let f = 1n; for (let k = 2n; k <= BigInt(n); k++) f *= k; return f; };
    expect(permutationCount(parseSpec(steps([40, 30, 20])))).toBe(fact(90) / (fact(40) * fact(30) * fact(20)));
    const big = parseSpec(steps([10_000]));
    const all = [...permutations(big)];
    expect(all).toHaveLength(1);
    expect(all[0]).toHaveLength(10_000);
  });
});
