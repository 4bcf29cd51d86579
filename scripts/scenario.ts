/**
 * npm run scenario -- FILE...: the engine's transcript of each scenario (in-process, no PostgreSQL), streamed as
 * PostgreSQL's isolation tester prints it: stdout permutation by permutation as each completes, the tester's
 * stderr messages on stderr, exit status 1 when the tester's would be (a failed setup, a step that times out).
 * PGISOLATIONTIMEOUT (seconds) sets the step timeout as for the tester, unless the file sets its own.
 */
import { once } from 'node:events';
import { engineTranscript } from './lib/scenarios.js';
import { ScenarioError } from '../src/scenario/spec.js';

const files = process.argv.slice(2);
if (!files.length) { console.error('usage: npm run scenario -- FILE.spec [...]'); process.exit(2); }
process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(0); throw e; });
const envTimeout = Number.parseInt(process.env.PGISOLATIONTIMEOUT ?? '', 10);
// respect backpressure: a reader that is slower than the engine must not make the output pile up in memory
const write = (chunk: string) => (process.stdout.write(chunk) ? undefined : once(process.stdout, 'drain').then(() => undefined));
const writeErr = (chunk: string) => { process.stderr.write(chunk); };
let failed = false;
for (const f of files) {
  try {
    const r = await engineTranscript(f, { write, writeErr, ...(envTimeout > 0 ? { stepTimeoutSec: envTimeout } : {}) });
    if (r.exitCode) failed = true;
  } catch (e) {
    failed = true;
    console.error(e instanceof ScenarioError ? e.message : `${f}: ${(e as Error).message}`);
  }
}
process.exitCode = failed ? 1 : 0;
