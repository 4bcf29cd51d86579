// ad-hoc: run a SQL file's statements (separated by lines ';;') on a fresh PG15 cluster; print results with type oids and notices
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { Template, Cluster } from '../scripts/lib/pgcluster.js';
const t = new Template(); const c = new Cluster(t);
try {
  await c.start();
  const cl = new pg.Client(c.connection); await cl.connect();
  cl.on('notice', (n: any) => console.log(`${n.severity}:  ${n.message}`));
  const raw = { getTypeParser: () => (v: string) => v };
  for (const sql of readFileSync(process.argv[2]!, 'utf8').split(/^;;$/m).map((s) => s.trim()).filter(Boolean)) {
    console.log('>>> ' + sql);
    try {
      const r = await cl.query({ text: sql, types: raw } as any);
      for (const rr of (Array.isArray(r) ? r : [r])) {
        if (rr.fields?.length) console.log('  cols: ' + rr.fields.map((f: any) => `${f.name}:${f.dataTypeID}`).join(' '));
        for (const row of rr.rows ?? []) console.log('  ' + JSON.stringify(row));
      }
    } catch (e: any) { console.log(`  ERROR ${e.code}: ${e.message}${e.detail ? ' DETAIL ' + e.detail : ''}${e.hint ? ' HINT ' + e.hint : ''}`); }
  }
  await cl.end();
} finally { c.stopSync(); t.remove(); }
