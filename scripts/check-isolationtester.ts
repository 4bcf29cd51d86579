/**
 * npm run check:isolationtester — validate the recorder itself against PostgreSQL's own isolation tester
 * (Debian's postgresql-client-15 ships it): every scenario that uses no Heapscope extension (+Nms clock advances,
 * @server events, #! verbose) is run by `isolationtester` on a fresh cluster. Its stdout must equal the committed
 * FILE.out and its stderr FILE.err (or nothing). Where the recording has a stderr, the recorder is also run live
 * and must end with the tester's exit status. `#! PGISOLATIONTIMEOUT=N` is handed to the tester as the
 * environment variable of that name. A recording that says the tester "would wait here forever" (a setup or
 * teardown blocked by a session's lock) must make the tester hang: it is stopped after HANG_MS, and what it
 * printed until then must be the recording without that last stderr line. The malformed files of
 * tests/spec-errors/ must make the tester print exactly their NAME.err and exit with 1. The recordings hold no exit
 * status, so the engine's is checked here: the scenario runner on the engine must end with the tester's status.
 * With file arguments, only those scenarios (and no spec-error files) are checked. A scenario that differs is run once
 * more (the real tester is timing-dependent on a loaded machine) and counts as equal only if the second run is.
 */
import { normalizeVacuumReport } from '../src/scenario/transcript.js';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Template, Cluster } from './lib/pgcluster.js';
import { listScenarios, loadScenario, readRecording, firstDifference, expectedErrPath, engineTranscript, SPEC_ERRORS_ROOT, type Recording } from './lib/scenarios.js';
import { recordTranscript, testerRejection, ISOLATIONTESTER as ISO } from './record.js';

const HANG_MS = 4000;
const HANG_LINE = /^.* blocks: .*would wait here forever.*\n$/m;
const usesExtension = (text: string) => /^#!\s*(verbose|differs)|^permutation.*\s(\+\d+m?s|@)/m.test(text);
const only = process.argv.slice(2);
const files = (only.length ? only : listScenarios()).filter((f) => !usesExtension(readFileSync(f, 'utf8')));
const template = new Template(); // installs postgresql-15 (which brings postgresql-client-15's isolationtester) when missing
if (!existsSync(ISO)) { template.remove(); console.error(`isolationtester not found at ${ISO} (Debian package postgresql-client-15)`); process.exit(2); }
let same = 0, differ = 0;
const rejected = only.length ? [] : readdirSync(SPEC_ERRORS_ROOT).filter((f) => f.endsWith('.spec')).map((f) => join(SPEC_ERRORS_ROOT, f));
for (const f of rejected) {
  const r = testerRejection(f);
  const want = existsSync(expectedErrPath(f)) ? readFileSync(expectedErrPath(f), 'utf8') : '<no recording>';
  if (r.status === 1 && r.stdout === '' && r.stderr === want) same++;
  else { differ++; console.log(`${f}: isolationtester says ${JSON.stringify(r.stderr)} (status ${r.status}), the recording ${JSON.stringify(want)}`); }
}
/** one run of the real isolationtester on a fresh cluster against the recording: the first difference, or '' */
async function checkOnce(f: string): Promise<string> {
  const sc = loadScenario(f);
  const want = readRecording(f);
  if (!want) return 'no recording';
  const hangs = HANG_LINE.test(want.stderr);
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.PGISOLATIONTIMEOUT;
  if (sc.stepTimeoutSec !== null) env.PGISOLATIONTIMEOUT = String(sc.stepTimeoutSec);
  const c = new Cluster(template);
  let problem: string;
  try {
    await c.start();
    const r = spawnSync(ISO, [`host=127.0.0.1 port=${c.port} user=postgres dbname=postgres`], {
      input: readFileSync(f), encoding: 'utf8', env, ...(hangs ? { timeout: HANG_MS } : {}),
    });
    // VACUUM VERBOSE's timings and I/O counts are normalised in recordings (src/scenario/transcript.ts)
    const norm = normalizeVacuumReport;
    const got: Recording = { stdout: norm(r.stdout), stderr: norm(r.stderr) };
    const expected: Recording = hangs ? { stdout: want.stdout, stderr: want.stderr.replace(HANG_LINE, '') } : want;
    problem = firstDifference(got, expected, 'isolationtester', 'recording      ');
    if (!problem && hangs && r.signal === null) problem = `the recording says the tester hangs, but it exited with status ${r.status}`;
    // a failure the tester reports on stdout alone (a connection gone: "failed to send query") has no .err: compare
    // the exit status with a live recording's, as for any run with stderr
    if (!problem && !hangs && (want.stderr || r.status !== 0)) {
      const live = await recordTranscript(f, template);
      if (live.exitCode !== r.status) problem = `isolationtester exits with status ${r.status}, the recorder with ${live.exitCode}`;
    }
    if (!problem && !hangs) {
      const eng = await engineTranscript(f);
      if (eng.exitCode !== r.status) problem = `isolationtester exits with status ${r.status}, the engine's runner with ${eng.exitCode}`;
    }
  } finally { c.stopSync(); }
  return problem;
}

// The real tester on the real server is itself timing-dependent on a loaded machine: it can print a waiting step's
// "<... completed>" before the next step's output where an unloaded run prints it after. A spec that differs is run
// once more on a fresh cluster; it counts as equal only when that second run equals the recording, and it is named.
let retried = 0;
try {
  for (const f of files) {
    const problem = await checkOnce(f);
    if (!problem) { same++; continue; }
    const again = problem === 'no recording' ? problem : await checkOnce(f);
    if (again) { differ++; console.log(`${f}: differs at ${again}`); continue; }
    retried++; same++;
    console.log(`${f}: differed on the first run (${problem.split('\n')[0]}), equal on a second run — timing-dependent on this machine`);
  }
} finally { template.remove(); }
console.log(`${same} of ${files.length + rejected.length} recordings equal PostgreSQL's isolationtester output (${differ} differ${retried ? `; ${retried} only on a second run` : ''})`);
process.exit(differ ? 1 : 0);
