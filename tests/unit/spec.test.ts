/** The .spec reader: isolation-tester syntax, Heapscope extensions, and errors with file and line. */
import { describe, it, expect } from 'vitest';
import { parseSpec, ScenarioError, allInterleavings } from '../../src/engine/scenario/spec.js';

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

describe('parseSpec', () => {
  it('reads sessions, steps (blanks after { and before } trimmed), permutations and clock advances', () => {
    const sc = parseSpec(ok, 'x.spec');
    expect(sc.sessions.map((s) => s.name)).toEqual(['s1', 's 2']);
    expect(sc.sessions[0]!.setup).toBe("SET deadlock_timeout = '10ms';");
    expect(sc.sessions[0]!.steps[0]!.sql).toBe('SELECT 1;');
    expect(sc.permutations[0]!.map((i) => (i.kind === 'step' ? i.step.name : i.kind === 'advance' ? `+${i.ms}` : `@${i.action}`))).toEqual(['a', 'c', '+1500', 'b']);
    expect(sc.verbose).toBe(false);
  });
  it('generates every interleaving when no permutation is given', () => {
    const sc = parseSpec(ok.replace('permutation a c +1500ms b\n', ''), 'x.spec');
    expect(sc.generated).toBe(true);
    expect(sc.permutations.map((p) => p.map((i) => (i.kind === 'step' ? i.step.name : '')).join(''))).toEqual(['abc', 'acb', 'cab']);
    expect(allInterleavings(sc.sessions)).toHaveLength(3);
  });
  it('reads the verbose directive', () => expect(parseSpec('#! verbose\n' + ok).verbose).toBe(true));
  const bad: [string, string, RegExp][] = [
    ['undefined step', ok.replace('permutation a c', 'permutation a zz'), /x\.spec:10: undefined step "zz"/],
    ['unterminated block', 'setup { SELECT 1;\nsession s1\n', /x\.spec:1: unterminated SQL block/],
    ['no sessions', 'setup { SELECT 1; }\n', /no sessions defined/],
    ['duplicate step', ok.replace('step c', 'step a'), /x\.spec:9: duplicate step name "a"/],
    ['garbage', 'session s1\nstep a { SELECT 1; }\n%%\n', /x\.spec:3: unexpected character "%"/],
    ['session without steps', 'session s1\npermutation\n', /x\.spec:1: session "s1" has no steps/],
  ];
  for (const [name, src, re] of bad) {
    it(`reports ${name} with file and line`, () => {
      expect(() => parseSpec(src, 'x.spec')).toThrow(ScenarioError);
      expect(() => parseSpec(src, 'x.spec')).toThrow(re);
    });
  }
});
