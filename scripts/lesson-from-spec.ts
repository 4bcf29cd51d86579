/**
 * npm run lesson:from-spec -- FILE.spec [OUT.md]: turn an isolation-tester scenario into a lesson to edit.
 * The spec's leading comments become the introduction, the comments above each step its narration, the first
 * permutation the steps. Writes lessons/<name>.md (or OUT.md); refuses to overwrite an existing file.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { basename } from 'node:path';
import { specToLesson } from '../src/lessons/toSpec.js';
import { ScenarioError } from '../src/scenario/spec.js';

const [file, outArg] = process.argv.slice(2);
if (!file) { console.error('usage: npm run lesson:from-spec -- FILE.spec [OUT.md]'); process.exit(2); }
try {
  const md = specToLesson(readFileSync(file, 'utf8'), file);
  const id = /^id: (.*)$/m.exec(md)![1]!;
  const out = outArg ?? `lessons/${id}.md`;
  if (existsSync(out)) { console.error(`${out} exists; give another output file`); process.exit(1); }
  writeFileSync(out, md);
  console.log(`wrote ${out} from ${basename(file)}: add predict questions and narration, then npm run lessons:check -- ${out} --write`);
} catch (e) {
  console.error(e instanceof ScenarioError ? e.message : `${file}: ${(e as Error).message}`);
  process.exit(1);
}
