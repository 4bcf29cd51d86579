/**
 * Lessons: the parser and the checker on good and bad lessons. A bad lesson gets a clear message with its file and
 * line, and nothing runs; a good one runs through the engine with every claim verified.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseLesson } from '../../src/lessons/parse.js';
import { checkLesson } from '../../src/lessons/check.js';
import { lessonToSpec, specToLesson } from '../../src/lessons/toSpec.js';
import { EngineHost } from '../../src/worker/host.js';
import { initParser } from '../../src/engine/sql/parser.js';

beforeAll(async () => { await initParser(); });

const FRONT = `---
id: t
title: A test lesson
summary: A lesson written for the tests.
level: beginner
concepts: [testing]
minutes: 5
prerequisites: []
---
`;
const SETUP = '\n```sql setup\nCREATE TABLE kv (k int PRIMARY KEY, v int);\nINSERT INTO kv VALUES (1, 10);\n```\n';
const lesson = (body: string) => FRONT + SETUP + body;
const errorsOf = (text: string) => parseLesson(text, 'lessons/t.md').errors.map((e) => e.message);
async function check(text: string) {
  const r = parseLesson(text, 'lessons/t.md');
  if (!r.lesson) return r.errors.map((e) => e.message);
  return (await checkLesson(r.lesson, new EngineHost())).errors.map((e) => e.message);
}

describe('the lesson format', () => {
  it('the template in lessons/README.md parses and passes the checker', async () => {
    const readme = readFileSync('lessons/README.md', 'utf8');
    const template = /## Template\n\n````markdown\n([\s\S]*?)\n````/.exec(readme)![1]!.replace(/ +#.*$/gm, '');
    const r = parseLesson(template, 'lessons/my-lesson.md');
    expect(r.errors.map((e) => e.message)).toEqual([]);
    const c = await checkLesson(r.lesson!, new EngineHost());
    expect(c.errors.map((e) => e.message)).toEqual([]);
    expect(c.questions).toBe(1);
    expect(c.verified).toBe(1);
    expect(c.tasks).toBe(1);
  });

  it('reads steps, actions, questions, claims and look: targets with their lines', () => {
    const r = parseLesson(lesson('\n## One\n\nSee [xmin](look:tuple/kv/0/1/t_xmin).\n\n```sql s1\nSELECT v FROM kv;\n```\n\n```predict\nkind: rows\nquestion: What comes back?\nchoices: ["(10)", no rows]\nanswer: "(10)"\nexplain: The row is there.\n```\n\n## Two\n\n```event\nadvance 1s\n```\n'), 'lessons/t.md');
    expect(r.errors).toEqual([]);
    const [one, two] = r.lesson!.steps;
    expect(one!.action).toEqual({ kind: 'sql', session: 's1', sql: 'SELECT v FROM kv;', line: 20 });
    expect(one!.looks).toEqual([{ kind: 'tuple', path: ['kv', '0', '1', 't_xmin'], raw: 'tuple/kv/0/1/t_xmin', line: 18 }]);
    expect(one!.predict!.claim).toEqual({ rows: [['10']] });
    expect(two!.action).toEqual({ kind: 'advance', ms: 1000, line: 34 });
    expect(r.lesson!.sessions).toEqual(['s1']);
  });
});

describe('bad lessons are refused with file and line, and run nothing', () => {
  it('no front matter', () => expect(errorsOf('# hello\n')).toEqual([expect.stringMatching(/^lessons\/t\.md:1: a lesson starts with front matter/)]));
  it('a front matter field of the wrong kind, at its line', () => {
    expect(errorsOf(FRONT.replace('level: beginner', 'level: expert') + '\n## s\n')).toContainEqual(expect.stringMatching(/^lessons\/t\.md:5: front matter: level:/));
    expect(errorsOf(FRONT.replace('minutes: 5', 'minutes: five') + '\n## s\n')).toContainEqual(expect.stringMatching(/^lessons\/t\.md:7: front matter: minutes/));
    expect(errorsOf(FRONT.replace('minutes: 5', 'minutes: 5\nauthor: me') + '\n## s\n')).toContainEqual(expect.stringMatching(/front matter: \(top\): Unrecognized key/));
  });
  it('raw HTML and script in the narration', () => {
    expect(errorsOf(lesson('\n## s\n\n<script>alert(1)</script>\n'))).toContainEqual(expect.stringMatching(/^lessons\/t\.md:18: raw HTML is not allowed/));
    expect(errorsOf(lesson('\n## s\n\nHello <img src=x onerror=alert(1)> there\n'))).toContainEqual(expect.stringMatching(/^lessons\/t\.md:18: raw HTML is not allowed/));
    expect(errorsOf(lesson('\n## s\n\n[click](javascript:alert(1))\n'))).toContainEqual(expect.stringMatching(/only http\(s\), mailto/));
    // the URL of a reference-style link is in its definition; an image's is checked too
    expect(errorsOf(lesson('\n## s\n\n[click][1]\n\n[1]: javascript:alert(1)\n'))).toContainEqual(expect.stringMatching(/^lessons\/t\.md:20: link "javascript:alert\(1\)": only http\(s\), mailto/));
    expect(errorsOf(lesson('\n## s\n\n![x](javascript:alert(2))\n'))).toContainEqual(expect.stringMatching(/^lessons\/t\.md:18: link "javascript:alert\(2\)"/));
  });
  it('an unknown session in a claim', () => {
    expect(errorsOf(lesson('\n## s\n\n```sql s1\nSELECT 1;\n```\n\n```expect\nwaits: zed\n```\n'))).toContainEqual(expect.stringMatching(/^lessons\/t\.md:\d+: unknown session "zed"/));
  });
  it('a question without exactly one right answer (as written)', () => {
    expect(errorsOf(lesson('\n## s\n\n```sql s1\nSELECT 1;\n```\n\n```predict\nkind: waits\nquestion: Who?\nchoices: [s1, nobody]\nanswer: s2\nexplain: x\n```\n'))).toContainEqual(expect.stringMatching(/answer "s2" must be exactly one of the choices/));
  });
  it('a 10 MB file', () => {
    const big = lesson('\n## s\n\n' + 'x'.repeat(10_000_000));
    expect(errorsOf(big)).toEqual([expect.stringMatching(/^lessons\/t\.md:1: the file is \d+ bytes; a lesson may have at most 200000/)]);
  });
  it('two actions in one step', () => {
    expect(errorsOf(lesson('\n## s\n\n```sql s1\nSELECT 1;\n```\n\n```sql s2\nSELECT 2;\n```\n'))).toContainEqual(expect.stringMatching(/a step runs one action/));
  });
});

describe('the checker runs the lesson and verifies what it claims', () => {
  it('a stated answer the engine contradicts', async () => {
    const errs = await check(lesson('\n## s\n\n```sql s1\nBEGIN; UPDATE kv SET v = 1 WHERE k = 1;\n```\n\n## t\n\n```predict\nkind: waits\nquestion: Who waits?\nchoices: [s2, nobody]\nanswer: nobody\nexplain: x\n```\n\n```sql s2\nUPDATE kv SET v = 2 WHERE k = 1;\n```\n'));
    expect(errs).toEqual([expect.stringMatching(/^lessons\/t\.md:\d+: the stated answer "nobody" is wrong: claims nobody waits, but s2 waits; the engine says "s2"/)]);
  });
  it('a check that cannot pass, and one that passes before the learner acts', async () => {
    const cannot = await check(lesson('\n## s\n\n```task\nprompt: p\nsession: s1\ncheck: { rows: "(99)" }\nsolution: SELECT v FROM kv;\n```\n'));
    expect(cannot).toEqual([expect.stringMatching(/the task's check fails after its own solution: claims s1 gets \(99\), but s1 gets \(10\)/)]);
    const trivial = await check(lesson('\n## s\n\n```task\nprompt: p\nsession: s1\ncheck: { waits: nobody }\nsolution: SELECT v FROM kv;\n```\n'));
    expect(trivial).toEqual([expect.stringMatching(/already holds before the learner does anything/)]);
  });
  it('an error nobody announced, and a syntax error', async () => {
    expect(await check(lesson('\n## s\n\n```sql s1\nINSERT INTO kv VALUES (1, 1);\n```\n'))).toEqual([expect.stringMatching(/s1 fails with ERROR 23505: duplicate key value .* say so \(expect: \{ outcome: "23505" \}\)/)]);
    expect(await check(lesson('\n## s\n\n```sql s1\nINSERT INTO kv VALUES (1, 1);\n```\n\n```expect\noutcome: "23505"\n```\n'))).toEqual([]);
    expect(await check(lesson('\n## s\n\n```sql s1\nSELEC 1;\n```\n'))).toEqual([expect.stringMatching(/the SQL does not parse: syntax error at or near "SELEC"/)]);
  });
  it('a deadlock victim must be announced', async () => {
    const step = (t: string, s: string, sql: string) => `\n## ${t}\n\n\`\`\`sql ${s}\n${sql}\n\`\`\`\n`;
    const body = step('a', 's1', 'INSERT INTO kv VALUES (2, 20);') + step('b', 's1', 'BEGIN; UPDATE kv SET v = 1 WHERE k = 1;') + step('c', 's2', 'BEGIN; UPDATE kv SET v = 2 WHERE k = 2;') +
      step('d', 's1', 'UPDATE kv SET v = 3 WHERE k = 2;') + step('e', 's2', 'UPDATE kv SET v = 4 WHERE k = 1;') + '\n## f\n\n```event\nadvance 1s\n```\n';
    expect(await check(lesson(body))).toEqual([expect.stringMatching(/s1's statement, finishing in this step, fails with ERROR 40P01/)]);
    expect(await check(lesson(body + '\n```expect\nvictim: s1\n```\n'))).toEqual([]);
  });
  it('claims about other sessions, error and notice texts, rows as lists, line pointers by name', async () => {
    const body = '\n## a\n\n```sql s1\nBEGIN; UPDATE kv SET v = 11 WHERE k = 1;\n```\n\n## b\n\n```sql s2\nUPDATE kv SET v = v + 1 WHERE k = 1 RETURNING ctid, v;\n```\n' +
      '\n## c\n\n```predict\nkind: rows\nsession: s2\nquestion: What does s2 get?\nchoices: { "the newest version": [["(0,3)", "12"]], "the old one": [["(0,2)", "11"]] }\nanswer: the newest version\nexplain: x\n```\n\n```sql s1\nCOMMIT;\n```\n\n```expect\noutcomes: { s2: ok }\ntuples:\n  kv (0,1): { lp_flags: LP_NORMAL, t_xmax: 725 }\n```\n' +
      '\n## d\n\n```sql s1\nCOMMIT;\n```\n\n```expect\nnotice: there is no transaction in progress\n```\n' +
      '\n## e\n\n```sql s1\nINSERT INTO kv VALUES (1, 0);\n```\n\n```expect\noutcome: "23505"\nmessage: Key (k)=(1) already exists\n```\n';
    expect(await check(lesson(body))).toEqual([]);
    const wrong = body.replace('message: Key (k)=(1) already exists', 'message: Key (k)=(2) already exists');
    expect(await check(lesson(wrong))).toEqual([expect.stringMatching(/claims s1 is told "Key \(k\)=\(2\) already exists", but s1 is told "duplicate key value violates unique constraint "kv_pkey" Key \(k\)=\(1\) already exists\."/)]);
  });
  it('a look: tuple that does not exist', async () => {
    expect(await check(lesson('\n## s\n\nSee [it](look:tuple/kv/0/9).\n\n```sql s1\nSELECT 1;\n```\n'))).toEqual([expect.stringMatching(/look:tuple\/kv\/0\/9: there is no tuple kv \(0,9\)/)]);
  });
});

describe('lessons and scenarios', () => {
  it('a lesson becomes an isolation-tester scenario (for the PostgreSQL recording)', () => {
    const r = parseLesson(lesson('\n## a\n\n```sql s1\nBEGIN;\n```\n\n## b\n\n```event\nadvance 1s\n```\n\n## c\n\n```event\nbgwriter\n```\n\n## d\n\n```sql s1\nCOMMIT;\n```\n'), 'lessons/t.md');
    const spec = lessonToSpec(r.lesson!);
    expect(spec.text).toContain('permutation s1_1 +1000ms\n');
    expect(spec.truncated).toMatch(/bgwriter cannot be made to happen on a real server/);
  });
  it('an existing .spec converts into a lesson that passes the checker', async () => {
    const md = specToLesson(readFileSync('tests/scenarios/writes/stale-ctid-delete.spec', 'utf8'), 'stale-ctid-delete.spec');
    const r = parseLesson(md, 'lessons/stale-ctid-delete.md');
    expect(r.errors).toEqual([]);
    expect(r.lesson!.steps).toHaveLength(10);
    expect(r.lesson!.intro).toMatch(/A DELETE after a rolled-back HOT update/);
    expect((await checkLesson(r.lesson!, new EngineHost())).errors).toEqual([]);
  });
});
