/**
 * npm run record:truth: tuple-level truth. Runs tests/truth/*.steps.json against a real PostgreSQL 15 and
 * records, after every step, what pageinspect shows (heap_page_items, page_header, bt_page_items) and which
 * WAL records the step wrote (pg_walinspect), into *.expected.json. tests/unit/truth.test.ts compares the
 * engine with it. pageinspect and pg_walinspect are created first, which takes one transaction id: the test
 * starts the engine one xid later to match.
 */
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { Template, Cluster } from './lib/pgcluster.js';

const dir = 'tests/truth';
const raw = { getTypeParser: () => (v: string) => v };

async function recordOne(file: string, template: Template) {
  const spec = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { table: string; index: string; steps: [string, string][] };
  const cluster = new Cluster(template);
  const clients = new Map<string, pg.Client>();
  try {
    await cluster.start();
    const obs = new pg.Client(cluster.connection);
    await obs.connect();
    await obs.query('CREATE EXTENSION pageinspect; CREATE EXTENSION pg_walinspect;');
    const q = async (sql: string) => (await obs.query({ text: sql, types: raw } as pg.QueryConfig)).rows;
    const ranges: [string, string][] = [];
    const out: unknown[] = [];
    for (const [sess, sql] of spec.steps) {
      let c = clients.get(sess);
      if (!c) { c = new pg.Client(cluster.connection); await c.connect(); clients.set(sess, c); }
      const before = (await q('SELECT pg_current_wal_insert_lsn() AS l'))[0].l;
      let result: unknown;
      try {
        const r = await c.query({ text: sql, types: raw } as pg.QueryConfig); result = { command: r.command, rows: r.rows };
      } catch (e) { result = { error: (e as Error).message }; }
      const after = (await q('SELECT pg_current_wal_insert_lsn() AS l'))[0].l;
      ranges.push([before, after]);
      const exists = (await q(`SELECT to_regclass('${spec.table}') IS NOT NULL AS e`))[0].e === 't';
      const items = exists ? await q(`SELECT lp, lp_flags, lp_off, lp_len, t_xmin, t_xmax, t_field3, t_ctid, t_infomask2, t_infomask FROM heap_page_items(get_raw_page('${spec.table}', 0))`).catch(() => []) : [];
      const header = exists ? (await q(`SELECT lsn, lower, upper, prune_xid, flags FROM page_header(get_raw_page('${spec.table}', 0))`).catch(() => [null]))[0] : null;
      const index = exists ? await q(`SELECT data, ctid FROM bt_page_items('${spec.index}', 1)`).catch(() => []) : [];
      out.push({ session: sess, sql, result, items, header, index });
    }
    await obs.query('CHECKPOINT');
    // records that change pages of other relations (the system catalogs: a reader pruning pg_class, ...) are not the
    // table's story: keep records without block references (commits) and those naming the table or its index
    const nodes = (await q(`SELECT pg_relation_filenode('${spec.table}') AS t, pg_relation_filenode('${spec.index}') AS i`).catch(() => [{}]))[0] as { t?: string; i?: string };
    const ours = (ref: string | null) => !ref || !nodes.t || ref.includes(`/${nodes.t} `) || (!!nodes.i && ref.includes(`/${nodes.i} `));
    for (let i = 0; i < ranges.length; i++) {
      const [a, b] = ranges[i]!;
      const recs = a === b ? [] : await q(`SELECT resource_manager, record_type, fpi_length, xid, block_ref FROM pg_get_wal_records_info('${a}', '${b}')`);
      (out[i] as Record<string, unknown>).wal = recs.filter((r) => (!['Standby', 'XLOG'].includes(r.resource_manager) || r.record_type.startsWith('CHECKPOINT')) && ours(r.block_ref))
        .map((r) => ({ rmgr: r.resource_manager, type: r.record_type, fpi: Number(r.fpi_length) > 0, xid: Number(r.xid) }));
    }
    for (const c of clients.values()) await c.end();
    await obs.end();
    const target = file.replace('.steps.json', '.expected.json');
    writeFileSync(join(dir, target), JSON.stringify({ recordedFrom: 'PostgreSQL 15 (Debian postgresql-15), fresh initdb, pageinspect + pg_walinspect', firstXid: 725, steps: out }, null, 1) + '\n');
    console.log(`recorded ${join(dir, target)}`);
  } finally {
    cluster.stopSync();
  }
}

const template = new Template();
try {
  const only = process.argv.slice(2).map((f) => f.replace(/^.*\//, ''));
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.steps.json') && (!only.length || only.includes(f)))) await recordOne(f, template);
} finally {
  template.remove();
}
