/**
 * Evaluating a claim (format.ts) on the engine: the state right after a step (EngineState) and what the step
 * produced (StepResult: the outcomes of the step's session and of the sessions it woke).
 *
 * Each part of a claim is judged on its own and reports what is actually there, so a wrong prediction or a stale
 * lesson says why: "predicts bob waits; in fact nobody waits". Used by the checker (every predict, expect and task
 * check of every lesson, in CI) and by the player (revealing answers, checking a learner's task).
 */
import type { EngineState, StepResult, SessionOutcome, TableState } from '../shared/api.js';
import type { Claim, TupleRef } from './format.js';

export interface Judgement { holds: boolean; /** what is true, in words */ actual: string; /** what the claim said */ claimed: string }

const LP_NAMES = ['LP_UNUSED', 'LP_NORMAL', 'LP_REDIRECT', 'LP_DEAD'];
/** lp_flags by name (LP_REDIRECT, REDIRECT) or by number (2, as pageinspect prints it) */
function lpFlagNumber(x: string): string {
  const name = x.trim().toUpperCase().replace(/^(LP_)?/, 'LP_');
  const i = LP_NAMES.indexOf(name);
  return i >= 0 ? String(i) : x.trim();
}
const fmtRows = (rows: (string | null)[][]) => (rows.length ? rows.map((r) => `(${r.map((v) => v ?? 'null').join(', ')})`).join(', ') : 'no rows');
const fmtSessions = (s: string[]) => (s.length ? s.join(', ') : 'nobody');
const fmtTuple = (t: TupleRef) => `${t.table} (${t.blk},${t.off})`;

/** The sessions waiting for a lock now. */
export function waitingSessions(state: EngineState): string[] {
  return state.sessions.filter((s) => s.waiting).map((s) => s.name).sort();
}

/** The step's outcome for a session: its last one in this step's result. */
function outcomeOf(result: StepResult, session: string): SessionOutcome | undefined {
  let o: SessionOutcome | undefined;
  for (const x of result.outcomes) if (x.session === session) o = x;
  return o;
}

export function outcomeWord(o: SessionOutcome | undefined): string {
  if (!o) return 'nothing';
  if (o.status === 'waiting' || o.status === 'running') return 'waits';
  if (o.status === 'error') return o.error?.sqlstate ?? 'error';
  return 'ok';
}

/** " (the error's message)" for an outcome that failed, to say what a SQLSTATE means */
function errorText(o: SessionOutcome | undefined): string {
  const m = o?.status === 'error' ? o.error?.message : undefined;
  return m ? ` (${m.length > 90 ? `${m.slice(0, 87)}…` : m})` : '';
}

function lastRows(o: SessionOutcome | undefined): (string | null)[][] | null {
  if (!o) return null;
  const sets = o.results.filter((r) => r.columns);
  return sets.length ? sets[sets.length - 1]!.rows : null;
}

/** A tuple as the heap view shows it, or null when the state has no such line pointer (or its page is not shown). */
export function findTuple(state: EngineState, t: TupleRef): Record<string, unknown> | null {
  const table: TableState | undefined = state.tables.find((x) => x.name === t.table);
  const page = table?.pageViews.find((p) => p.blkno === t.blk);
  const item = page?.items.find((i) => i.lp === t.off);
  return (item as unknown as Record<string, unknown>) ?? null;
}

function tupleField(item: Record<string, unknown>, field: string): string | string[] | null {
  const v = item[field];
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.map(String);
  return String(v);
}

function visibilityOf(state: EngineState, session: string, t: TupleRef): boolean | null {
  const key = `${t.table}:${t.blk}:${t.off}`;
  const vis = state.visibility as unknown;
  const per = vis instanceof Map ? vis.get(session) : (vis as Record<string, Record<string, { visible: boolean }>>)[session];
  const v = per instanceof Map ? per.get(key) : per ? (per as Record<string, { visible: boolean }>)[key] : undefined;
  return v ? (v as { visible: boolean }).visible : null;
}

/** Judge every part of a claim; `session` is the step's own session (for outcome and rows). */
export function judge(claim: Claim, state: EngineState, result: StepResult, session: string | null): Judgement[] {
  const out: Judgement[] = [];
  if (claim.waits) {
    const w = waitingSessions(state);
    const want = [...claim.waits].sort();
    out.push({ holds: w.join() === want.join(), claimed: `${fmtSessions(want)} ${want.length === 1 ? 'waits' : want.length ? 'wait' : 'waits'}`, actual: `${fmtSessions(w)} ${w.length > 1 ? 'wait' : 'waits'}` });
  }
  if (claim.outcome) {
    const oc = session ? outcomeOf(result, session) : undefined;
    const o = session ? outcomeWord(oc) : 'nothing';
    out.push({ holds: o === claim.outcome, claimed: `${session ?? 'the step'}: ${claim.outcome}`, actual: `${session ?? 'the step'}: ${o}${errorText(oc)}` });
  }
  for (const [sess, want] of Object.entries(claim.outcomes ?? {})) {
    const oc = outcomeOf(result, sess);
    const o = outcomeWord(oc);
    out.push({ holds: o === want, claimed: `${sess}: ${want}`, actual: o === 'nothing' ? `${sess} finishes nothing in this step` : `${sess}: ${o}${errorText(oc)}` });
  }
  if (claim.rows) {
    const r = session ? lastRows(outcomeOf(result, session)) : null;
    out.push({ holds: r !== null && fmtRows(r) === fmtRows(claim.rows), claimed: `${session} gets ${fmtRows(claim.rows)}`, actual: r === null ? `${session} gets no result set` : `${session} gets ${fmtRows(r)}` });
  }
  if (claim.message) {
    const o = session ? outcomeOf(result, session) : undefined;
    const m = o?.error ? [o.error.message, o.error.detail, o.error.hint].filter(Boolean).join(' ') : null;
    out.push({ holds: !!m && m.includes(claim.message), claimed: `${session} is told "${claim.message}"`, actual: m ? `${session} is told "${m}"` : `${session} gets no error` });
  }
  if (claim.notice) {
    const ns = session ? result.outcomes.filter((x) => x.session === session).flatMap((x) => x.notices.map((n) => `${n.severity}: ${n.message}`)) : [];
    out.push({ holds: ns.some((n) => n.includes(claim.notice!)), claimed: `${session} gets a notice "${claim.notice}"`, actual: ns.length ? `${session} gets ${ns.map((n) => `"${n}"`).join(', ')}` : `${session} gets no notice` });
  }
  for (const [sess, rows] of Object.entries(claim.rowsOf ?? {})) {
    const r = lastRows(outcomeOf(result, sess));
    out.push({ holds: r !== null && fmtRows(r) === fmtRows(rows), claimed: `${sess} gets ${fmtRows(rows)}`, actual: r === null ? `${sess} gets no result set in this step` : `${sess} gets ${fmtRows(r)}` });
  }
  for (const { tuple, fields } of claim.tuples ?? []) {
    const item = findTuple(state, tuple);
    for (const [f, want] of Object.entries(fields)) {
      if (!item) { out.push({ holds: false, claimed: `${fmtTuple(tuple)} ${f} = ${String(want)}`, actual: `there is no line pointer ${fmtTuple(tuple)}` }); continue; }
      const got = tupleField(item, f);
      if (f === 'flags' || Array.isArray(want)) {
        const wantList = (Array.isArray(want) ? want : String(want).split(/[,\s]+/)).map(String);
        const have = Array.isArray(got) ? got : [];
        out.push({ holds: wantList.every((x) => have.includes(x)), claimed: `${fmtTuple(tuple)} has ${wantList.join(', ')}`, actual: `${fmtTuple(tuple)} flags: ${have.join(', ') || 'none'}` });
      } else {
        const w = String(want);
        const g = got === null ? 'null' : String(got);
        const norm = (x: string) => (f === 'lp_flags' ? lpFlagNumber(x) : x.replace(/\s+/g, ''));
        out.push({ holds: norm(g) === norm(w), claimed: `${fmtTuple(tuple)} ${f} = ${w}`, actual: `${fmtTuple(tuple)} ${f} = ${g}` });
      }
    }
  }
  for (const v of claim.visible ?? []) {
    const got = visibilityOf(state, v.session, v.tuple);
    out.push({
      holds: got === v.visible, claimed: `${fmtTuple(v.tuple)} ${v.visible ? 'is' : 'is not'} visible to ${v.session}`,
      actual: got === null ? `${fmtTuple(v.tuple)} is not shown` : `${fmtTuple(v.tuple)} ${got ? 'is' : 'is not'} visible to ${v.session}`,
    });
  }
  for (const [sess, st] of Object.entries(claim.states ?? {})) {
    const got = state.sessions.find((s) => s.name === sess)?.state ?? 'absent';
    out.push({ holds: got === st, claimed: `${sess} is ${st}`, actual: `${sess} is ${got}` });
  }
  if (claim.victim) {
    const victims = result.outcomes.filter((o) => o.error?.sqlstate === '40P01').map((o) => o.session);
    out.push({ holds: victims.length === 1 && victims[0] === claim.victim, claimed: `${claim.victim} is the deadlock victim`, actual: victims.length ? `${victims.join(', ')} ${victims.length > 1 ? 'are' : 'is'} aborted by the deadlock detector` : 'no deadlock is detected in this step' });
  }
  return out;
}

export const holds = (js: Judgement[]) => js.every((j) => j.holds);
export const describeFailures = (js: Judgement[]) => js.filter((j) => !j.holds).map((j) => `claims ${j.claimed}, but ${j.actual}`).join('; ');
