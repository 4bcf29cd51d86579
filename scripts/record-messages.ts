/**
 * npm run record:messages: statement-level truth. Runs tests/messages/*.steps.json against a real PostgreSQL 15
 * and records, for every step, the command tags, the rows (as text), the notices and the error exactly as the
 * server sends them — SQLSTATE, message, DETAIL, HINT, CONTEXT and the cursor position, which transcripts do not
 * show. tests/unit/messages.test.ts compares the engine with it. A step is [session, sql]; sessions are separate
 * connections created on first use.
 */
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { Template, Cluster } from './lib/pgcluster.js';

const dir = 'tests/messages';
const raw = { getTypeParser: () => (v: string) => v };

export interface RecordedMessage { severity: string; sqlstate: string; message: string; detail?: string; hint?: string; context?: string; position?: number }
export interface RecordedStep {
  session: string; sql: string; tags: string[]; rows: (string | null)[][][]; error: RecordedMessage | null; notices: RecordedMessage[];
}

function message(e: Record<string, string | undefined>): RecordedMessage {
  const m: RecordedMessage = { severity: e.severity ?? 'ERROR', sqlstate: e.code ?? '', message: e.message ?? '' };
  if (e.detail) m.detail = e.detail;
  if (e.hint) m.hint = e.hint;
  if (e.where) m.context = e.where;
  if (e.position) m.position = Number(e.position);
  return m;
}

async function recordOne(file: string, template: Template) {
  const spec = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { description: string; steps: [string, string][] };
  const cluster = new Cluster(template);
  const clients = new Map<string, { client: pg.Client; notices: RecordedMessage[]; tags: string[] }>();
  try {
    await cluster.start();
    const out: RecordedStep[] = [];
    for (const [session, sql] of spec.steps) {
      let c = clients.get(session);
      if (!c) {
        const client = new pg.Client(cluster.connection);
        await client.connect();
        const entry = { client, notices: [] as RecordedMessage[], tags: [] as string[] };
        client.on('notice', (n) => entry.notices.push(message(n as never)));
        // the full command tag ("CREATE TABLE", "INSERT 0 2"): pg's Result keeps only its first word
        (client as unknown as { connection: { on(ev: string, f: (m: { text: string }) => void): void } }).connection.on('commandComplete', (m) => entry.tags.push(m.text));
        clients.set(session, entry);
        c = entry;
      }
      c.notices.length = 0;
      c.tags.length = 0;
      const step: RecordedStep = { session, sql, tags: [], rows: [], error: null, notices: [] };
      try {
        const r = await c.client.query({ text: sql, types: raw, rowMode: 'array' } as pg.QueryConfig);
        for (const x of (Array.isArray(r) ? r : [r]) as pg.QueryResult[]) if (x.fields.length) step.rows.push(x.rows as unknown as (string | null)[][]);
      } catch (e) {
        step.error = message(e as never);
      }
      step.notices = c.notices.slice();
      step.tags = c.tags.slice();
      out.push(step);
    }
    for (const c of clients.values()) await c.client.end();
    const target = file.replace('.steps.json', '.expected.json');
    writeFileSync(join(dir, target), JSON.stringify({ recordedFrom: 'PostgreSQL 15 (Debian postgresql-15), fresh initdb', description: spec.description, steps: out }, null, 1) + '\n');
    console.log(`recorded ${join(dir, target)}`);
  } finally {
    cluster.stopSync();
  }
}

const only = process.argv.slice(2).map((f) => f.replace(/^.*\//, ''));
const template = new Template();
try {
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.steps.json') && (!only.length || only.includes(f)))) await recordOne(f, template);
} finally {
  template.remove();
}
