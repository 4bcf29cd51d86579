import { initParser } from '../src/engine/sql/parser.js';
import { caseRng } from './lib/fuzz/prng.js';
import { generateCase } from './lib/fuzz/generate.js';
import { schedule } from './lib/fuzz/schedule.js';
import { EngineDriver } from '../src/engine/scenario/engineDriver.js';
import { stmtSql } from './lib/fuzz/model.js';
await initParser();
const [seed, i] = process.argv.slice(2).map(Number) as [number, number];
const c = generateCase(caseRng(seed, i), `${seed}-${i}`);
console.log(JSON.stringify(c.tables), c.plan ?? '');
for (const s of c.sessions) { console.log(s.name); for (const st of s.steps) console.log('  ', st.name, stmtSql(st.stmt)); }
let n = 0;
const mk = () => { const d = new EngineDriver(); console.log('--- replay', n++); const send = d.send.bind(d); d.send = async (s, q) => { const r = await send(s, q); console.log('send', s, q, r); return r; }; const w = d.wait.bind(d); d.wait = async (s) => { const r = await w(s); console.log('wait', s, r); return r; }; return d; };
console.log(await schedule(c, mk, () => caseRng(seed ^ 0x5eed, i)));
