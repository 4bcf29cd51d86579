/**
 * npm run conformance [-- --live] [-- --json FILE]: how many scenarios match PostgreSQL 15.
 *
 * Without --live: the engine's transcript of every scenario vs. its committed recording (no PostgreSQL needed).
 * With --live: first re-record every scenario against a real PostgreSQL 15 and fail if a committed recording
 * is stale, then compare the engine with the fresh recordings.
 * Scenarios marked "#! differs: reason" are known gaps: listed and counted, never failing the run.
 */
import { writeFileSync } from 'node:fs';
import { listScenarios, knownDifference, engineTranscript, readRecording, firstDifference, type Recording } from './lib/scenarios.js';

interface Row { scenario: string; engine: 'match' | 'differ' | 'error' | 'no recording'; known: string | null; live?: 'fresh' | 'stale' | 'error' }


async function main() {
  const args = process.argv.slice(2);
  const live = args.includes('--live');
  const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
  const only = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--json');
  const files = only.length ? only : listScenarios();
  const rows: Row[] = [];
  const fresh = new Map<string, Recording>();
  if (live) {
    const { Template } = await import('./lib/pgcluster.js');
    const { recordTranscript } = await import('./record.js');
    const template = new Template();
    try {
      // each recording has a fresh cluster of its own, so a few run at once (HEAPSCOPE_RECORD_JOBS, default 3)
      const jobs = Math.max(1, Number(process.env.HEAPSCOPE_RECORD_JOBS ?? 3));
      let next = 0;
      const worker = async () => {
        while (next < files.length) {
          const f = files[next++]!;
          try { fresh.set(f, await recordTranscript(f, template)); } catch (e) { console.error(`${f}: recording failed: ${(e as Error).message}`); }
        }
      };
      await Promise.all(Array.from({ length: jobs }, worker));
      // a scenario whose outcome depends on timing (deadlock_timeout races, think time, two waiters woken at once)
      // can come out differently while other clusters load the machine: whatever differs from its committed
      // recording is recorded again alone, and that recording counts
      for (const f of files) {
        const committed = readRecording(f), got = fresh.get(f);
        if (!committed || (got && !firstDifference(committed, got, 'committed', 'postgres '))) continue;
        try { fresh.set(f, await recordTranscript(f, template)); } catch (e) { console.error(`${f}: recording failed: ${(e as Error).message}`); }
      }
    } finally { template.remove(); }
  }
  const details: string[] = [];
  for (const f of files) {
    const row: Row = { scenario: f.replace(/^tests\/scenarios\//, ''), engine: 'no recording', known: knownDifference(f) };
    const committed = readRecording(f);
    const expected = live ? fresh.get(f) : committed;
    if (live) {
      const stale = expected && committed ? firstDifference(committed, expected, 'committed', 'postgres ') : 'missing';
      row.live = expected === undefined ? 'error' : stale ? 'stale' : 'fresh';
      if (row.live === 'stale') details.push(`${f}: committed recording is stale — ${stale}`);
    }
    if (expected !== undefined) {
      try {
        const got = await engineTranscript(f);
        const diff = firstDifference(got, expected, 'engine  ', 'postgres');
        row.engine = diff ? 'differ' : 'match';
        if (row.engine === 'differ' && !row.known) details.push(`${f}: engine differs at ${diff}`);
      } catch (e) {
        row.engine = 'error';
        details.push(`${f}: engine failed: ${(e as Error).message}`);
      }
    }
    rows.push(row);
  }
  const w = Math.max(...rows.map((r) => r.scenario.length), 8);
  console.log(`${'scenario'.padEnd(w)}  ${'engine vs PostgreSQL 15'.padEnd(24)}${live ? '  recording' : ''}`);
  for (const r of rows) {
    const verdict = r.engine === 'match' ? (r.known ? 'match (marked differs!)' : 'match') : r.known ? `known gap: ${r.known}` : r.engine.toUpperCase();
    console.log(`${r.scenario.padEnd(w)}  ${verdict.padEnd(24)}${live ? `  ${r.live}` : ''}`);
  }
  const matched = rows.filter((r) => r.engine === 'match').length;
  const known = rows.filter((r) => r.engine !== 'match' && r.known).length;
  const failures = rows.filter((r) => (r.engine !== 'match' && !r.known) || r.live === 'stale' || r.live === 'error');
  console.log(`\n${matched} of ${rows.length} scenarios match PostgreSQL 15 (${known} known gap${known === 1 ? '' : 's'})`);
  if (details.length) console.log('\n' + details.join('\n'));
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ rows, matched, total: rows.length, known, failures: failures.length }, null, 1));
  process.exit(failures.length ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(1); });
