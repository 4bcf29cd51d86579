import { readFileSync } from 'node:fs';
import { Engine } from '../src/engine/engine.js';
import { initParser } from '../src/engine/sql/parser.js';
import { formatValue } from '../src/engine/sql/types.js';
await initParser();
const eng = new Engine({ nextXid: Number(process.env.XID ?? 724) });
eng.createSession('s');
for (const sql of readFileSync(process.argv[2]!, 'utf8').split(/^;;$/m).map((s) => s.trim()).filter(Boolean)) {
  console.log('>>> ' + sql);
  const r = eng.execute('s', sql);
  for (const n of r.outcome.notices) console.log(`${n.severity}:  ${n.message}`);
  if (r.outcome.error) { const e = r.outcome.error; console.log(`  ERROR ${e.sqlstate}: ${e.message}${e.detail ? ' DETAIL ' + e.detail : ''}${e.hint ? ' HINT ' + e.hint : ''}`); continue; }
  for (const res of r.outcome.results) {
    if (!res.columns) continue;
    console.log('  cols: ' + res.columns.map((c: any) => c.name ?? c).join(' '));
    for (const row of res.rows) console.log('  ' + JSON.stringify(Object.fromEntries(res.columns.map((c: any, i: number) => [c.name ?? c, row[i]]))));
  }
}
