/**
 * npm run lessons:check [-- FILE.md ...] [-- --write]: parse and verify every lesson (lessons/*.md).
 *
 * For each lesson: the front matter against its schema, the Markdown (no raw HTML), every session and claim, then
 * a run through the engine (src/lessons/check.ts) verifying every predict answer, expect claim, task check and look
 * target; prerequisites must name existing lessons. The lesson's transcript must equal its PostgreSQL 15 recording:
 * the generated scenario tests/scenarios/lessons/ID.spec (written by --write) is part of the conformance suite, so
 * `npm run record -- tests/scenarios/lessons/ID.spec` records it and `npm test` re-records it live.
 * Ends with one line: "lessons: N, steps: S, questions: Q, all checks passed" (or the number of failures).
 */
import { readFileSync, readdirSync, existsSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseLesson } from '../src/lessons/parse.js';
import { checkLesson } from '../src/lessons/check.js';
import { lessonToSpec, LESSON_SPEC_DIR } from '../src/lessons/toSpec.js';
import { LessonError, MAX_LESSON_BYTES, type Lesson } from '../src/lessons/format.js';
import { EngineHost } from '../src/worker/host.js';
import { engineTranscript } from './lib/scenarios.js';

const args = process.argv.slice(2);
const write = args.includes('--write');
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
const files = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--json');
const all = readdirSync('lessons').filter((f) => f.endsWith('.md') && f !== 'README.md').map((f) => join('lessons', f)).sort();
const targets = files.length ? files : all;

const errors: string[] = [];
let steps = 0, questions = 0, verified = 0, lessons = 0;
const parsed = new Map<string, Lesson>();
const ids = new Set<string>();
for (const f of all.filter((x) => !targets.includes(x))) {
  const r = parseLesson(readFileSync(f, 'utf8'), f); // only their ids, for prerequisites
  if (r.lesson) ids.add(r.lesson.meta.id);
}
for (const f of targets) {
  if (!existsSync(f)) { errors.push(`${f}:1: no such file`); continue; }
  if (statSync(f).size > MAX_LESSON_BYTES) { errors.push(`${f}:1: the file is ${statSync(f).size} bytes; a lesson may have at most ${MAX_LESSON_BYTES}`); continue; }
  const r = parseLesson(readFileSync(f, 'utf8'), f);
  errors.push(...r.errors.map((e) => e.message));
  if (!r.lesson) continue;
  if (ids.has(r.lesson.meta.id) || [...parsed.values()].some((l) => l.meta.id === r.lesson!.meta.id)) errors.push(`${f}:1: another lesson has the id "${r.lesson.meta.id}"`);
  if (!f.endsWith(`${r.lesson.meta.id}.md`)) errors.push(`${f}:1: the file of lesson "${r.lesson.meta.id}" must be named ${r.lesson.meta.id}.md`);
  parsed.set(f, r.lesson);
  ids.add(r.lesson.meta.id);
}
for (const [f, lesson] of parsed) {
  lessons++;
  for (const p of lesson.meta.prerequisites) if (!ids.has(p)) errors.push(`${f}:1: prerequisite "${p}" is not a lesson`);
  const res = await checkLesson(lesson, new EngineHost());
  errors.push(...res.errors.map((e) => e.message));
  steps += res.steps; questions += res.questions; verified += res.verified;
  // the transcript PostgreSQL 15 must agree with
  let spec;
  try { spec = lessonToSpec(lesson); } catch (e) { errors.push(e instanceof LessonError ? e.message : `${f}:1: ${(e as Error).message}`); continue; }
  if (!spec.text) continue;
  const specFile = join(LESSON_SPEC_DIR, `${lesson.meta.id}.spec`);
  if (write) { mkdirSync(LESSON_SPEC_DIR, { recursive: true }); writeFileSync(specFile, spec.text); }
  if (!existsSync(specFile) || readFileSync(specFile, 'utf8') !== spec.text) { errors.push(`${f}:1: ${specFile} is missing or stale: run npm run lessons:check -- --write, then npm run record -- ${specFile}`); continue; }
  const out = specFile.replace(/\.spec$/, '.out');
  if (!existsSync(out)) { errors.push(`${f}:1: no PostgreSQL 15 recording of this lesson: npm run record -- ${specFile}`); continue; }
  const got = (await engineTranscript(specFile)).stdout;
  const want = readFileSync(out, 'utf8');
  if (got !== want) {
    const a = got.split('\n'), b = want.split('\n');
    const i = a.findIndex((l, k) => l !== b[k]);
    errors.push(`${f}:1: the engine's transcript differs from PostgreSQL 15's at line ${i + 1} of ${out}:\n    postgres: ${JSON.stringify(b[i] ?? '<end>')}\n    engine:   ${JSON.stringify(a[i] ?? '<end>')}`);
  }
}
for (const e of errors) console.log(e);
const failedFiles = new Set(errors.map((e) => e.split(':')[0]));
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ lessons: targets.length, failed: [...failedFiles].length, errors: errors.length }));
console.log(`${verified} of ${questions} questions verified against the engine (the rest are questions about ideas)`);
console.log(`lessons: ${lessons}, steps: ${steps}, questions: ${questions}, ${errors.length ? `${errors.length} failure${errors.length === 1 ? '' : 's'}` : 'all checks passed'}`);
process.exit(errors.length ? 1 : 0);
