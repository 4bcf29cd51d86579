import { readFileSync } from 'node:fs';
import { initParser } from '../src/engine/sql/parser.js';
import { engineRunWatched } from './lib/fuzz/runcase.js';
await initParser();
for (const f of process.argv.slice(2)) { const r = await engineRunWatched(readFileSync(f, 'utf8')); console.log(f, r.racy); }
