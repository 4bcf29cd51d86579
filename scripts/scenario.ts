/** npm run scenario -- FILE...: print the engine's transcript of each scenario (in-process, no PostgreSQL). */
import { engineTranscript } from './lib/scenarios.js';
import { ScenarioError } from '../src/engine/scenario/spec.js';

const files = process.argv.slice(2);
if (!files.length) { console.error('usage: npm run scenario -- FILE.spec [...]'); process.exit(2); }
let failed = false;
for (const f of files) {
  try {
    process.stdout.write(await engineTranscript(f));
  } catch (e) {
    failed = true;
    console.error(e instanceof ScenarioError ? e.message : `${f}: ${(e as Error).message}`);
  }
}
process.exit(failed ? 1 : 0);
