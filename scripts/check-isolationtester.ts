/**
 * npm run check:isolationtester — validate the recorder itself against PostgreSQL's own isolation tester
 * (Debian's postgresql-client-15 ships it): every scenario that uses no Heapscope extension (+Nms clock advances,
 * #! verbose) is run by `isolationtester` on a fresh cluster, and its output must equal the committed recording.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { Template, Cluster } from './lib/pgcluster.js';
import { listScenarios, expectedPath } from './lib/scenarios.js';

const ISO = process.env.ISOLATIONTESTER ?? '/usr/lib/postgresql/15/lib/pgxs/src/test/isolation/isolationtester';
const files = listScenarios().filter((f) => !/^#!|^permutation.*\s(\+\d+m?s|@)/m.test(readFileSync(f, 'utf8')));
const template = new Template(); // installs postgresql-15 (which brings postgresql-client-15's isolationtester) when missing
if (!existsSync(ISO)) { template.remove(); console.error(`isolationtester not found at ${ISO} (Debian package postgresql-client-15)`); process.exit(2); }
let same = 0, differ = 0;
try {
  for (const f of files) {
    const c = new Cluster(template);
    try {
      await c.start();
      const r = spawnSync(ISO, [`host=127.0.0.1 port=${c.port} user=postgres dbname=postgres`], { input: readFileSync(f), encoding: 'utf8' });
      const expected = readFileSync(expectedPath(f), 'utf8');
      if (r.stdout === expected) same++;
      else {
        differ++;
        const a = r.stdout.split('\n'), b = expected.split('\n');
        const i = a.findIndex((l, k) => l !== b[k]);
        console.log(`${f}: differs at line ${i + 1}\n  isolationtester: ${JSON.stringify(a[i])}\n  recording:       ${JSON.stringify(b[i])}`);
      }
    } finally { c.stopSync(); }
  }
} finally { template.remove(); }
console.log(`${same} of ${files.length} recordings equal PostgreSQL's isolationtester output (${differ} differ)`);
process.exit(differ ? 1 : 0);
