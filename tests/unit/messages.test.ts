/**
 * Statement-level truth: every step of tests/messages/*.steps.json must give what PostgreSQL 15 gave (recorded by
 * `npm run record:messages`): the same command tags, rows, notices and error — SQLSTATE, message, DETAIL, HINT,
 * CONTEXT and cursor position included, which the scenario transcripts do not show.
 *
 * A step may carry a third element {"engine": "0A000"}: a deliberate difference — PostgreSQL accepts the statement,
 * the simulator does not model the feature and must say so with 0A000 naming it (never a wrong answer).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';

beforeAll(async () => { await initParser(); });

interface Msg { severity: string; sqlstate: string; message: string; detail?: string; hint?: string; context?: string; position?: number }
interface Rec { session: string; sql: string; tags: string[]; rows: (string | null)[][][]; error: Msg | null; notices: Msg[] }

const clean = (m: Msg | null | undefined) => (m ? Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined)) : null);

for (const f of readdirSync('tests/messages').filter((x) => x.endsWith('.expected.json'))) {
  describe(`statement-level truth: ${f}`, () => {
    const exp = JSON.parse(readFileSync(`tests/messages/${f}`, 'utf8')) as { steps: Rec[] };
    const spec = JSON.parse(readFileSync(`tests/messages/${f.replace('.expected.json', '.steps.json')}`, 'utf8')) as { steps: [string, string, { engine?: string }?][] };
    it('every statement answers as PostgreSQL 15 did', () => {
      const eng = new Engine();
      exp.steps.forEach((st, i) => {
        const where = `step ${i + 1} (${st.session}: ${st.sql})`;
        expect(spec.steps[i]![1], 'the recording is stale: npm run record:messages').toBe(st.sql);
        if (!eng.sessions.some((s) => s.name === st.session)) eng.createSession(st.session);
        const { outcome } = eng.execute(st.session, st.sql);
        const deliberate = spec.steps[i]![2]?.engine;
        if (deliberate) {
          expect.soft(outcome.error?.sqlstate, `${where}: a deliberate difference must fail with ${deliberate}`).toBe(deliberate);
          expect.soft(outcome.error?.message, where).toMatch(/not supported by Heapscope/);
          return;
        }
        expect.soft(clean(outcome.error), `${where}: error`).toEqual(clean(st.error));
        expect.soft(outcome.notices.map(clean), `${where}: notices`).toEqual(st.notices.map(clean));
        expect.soft(outcome.results.map((r) => r.command), `${where}: command tags`).toEqual(st.tags);
        // as the recorder: a result with no columns (CREATE TABLE AS's empty row description) records no rows
        expect.soft(outcome.results.filter((r) => r.columns?.length).map((r) => r.rows), `${where}: rows`).toEqual(st.rows);
      });
    });
  });
}
