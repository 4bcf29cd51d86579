import { EngineDriver } from '../src/engine/scenario/engineDriver.js';
import { runScenario } from '../src/engine/scenario/runner.js';
import { loadScenario } from './lib/scenarios.js';
import { initParser } from '../src/engine/sql/parser.js';
import { formatResultSet } from '../src/engine/scenario/transcript.js';
await initParser();
const d = new EngineDriver();
const take = d.take.bind(d);
d.take = (s) => { const r = take(s); console.log(`[${s} @${(d.engine as any).clock?.now}]`, r.error?.message ?? '', r.results.map(formatResultSet).join('')); return r; };
try { console.log(await runScenario(loadScenario(process.argv[2]!), d)); } catch (e) { console.log('ERR', (e as Error).message); }
