import { Template, Cluster } from './lib/pgcluster.js';
import { PgDriver } from './lib/pgdriver.js';
import { runScenario } from '../src/engine/scenario/runner.js';
import { loadScenario } from './lib/scenarios.js';
import { formatResultSet } from '../src/engine/scenario/transcript.js';
const t = new Template(); const c = new Cluster(t); await c.start();
const d = new PgDriver(c.connection);
const take = d.take.bind(d);
d.take = (s) => { const r = take(s); console.log(`[${s}]`, r.error?.message ?? '', r.results.map(formatResultSet).join('')); return r; };
const w = d.wait.bind(d);
d.wait = (s) => Promise.race([w(s), new Promise<boolean>((r) => setTimeout(() => r(false), 3000))]);
try { console.log(await runScenario(loadScenario(process.argv[2]!), d)); } catch (e) { console.log('ERR', (e as Error).message); }
c.stopSync(); t.remove(); process.exit(0);
