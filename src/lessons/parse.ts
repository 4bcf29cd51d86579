/**
 * Reading a lesson file: YAML front matter, then Markdown (CommonMark + GFM tables) read with mdast-util-from-markdown.
 *
 *   ---                         front matter (yaml), checked against the FrontMatter schema (zod)
 *   ...
 *   ---
 *   Intro narration, and ```sql setup``` blocks (run before the first step, on a separate connection).
 *   ## A step title             every level-2 heading starts a step; in it:
 *   narration                   any Markdown — raw HTML is refused (the player renders Markdown, never HTML)
 *   ```sql alice```             the action: SQL for a session (one per step), or
 *   ```event```                 a server event: crash [point] | restart [n] | checkpoint | bgwriter | advance 1s
 *   ```predict```  (yaml)       a question asked before the action runs
 *   ```expect```   (yaml)       a claim about the state after the action
 *   ```task```     (yaml)       the learner's turn: prompt, session, check (a claim), hint, solution
 *   [text](look:tuple/t/0/1/t_xmax)   a pointer into the views, highlighted by the player
 *
 * Every error carries the file and line. Nothing here runs SQL; check.ts does.
 */
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfm } from 'micromark-extension-gfm';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import {
  FrontMatter, LessonError, MAX_LESSON_BYTES, SESSION_NAME, RESERVED_SESSION_NAMES,
  type Action, type Claim, type Lesson, type LessonStep, type LookTarget, type Question, type QuestionKind, type Task, type TupleRef,
} from './format.js';

type Node = {
  type: string; position?: { start: { line: number; offset?: number }; end: { line: number; offset?: number } }; children?: Node[];
  lang?: string | null; meta?: string | null; value?: string; depth?: number; url?: string;
};

const CRASH_POINTS = ['now', 'commit-before-flush', 'commit-after-flush', 'checkpoint-halfway', 'page-write-after-wal-flush', 'torn-write'];
const QUESTION_KINDS: QuestionKind[] = ['waits', 'outcome', 'rows', 'victim', 'visible', 'field', 'concept'];
const LOOK_KINDS = new Set(['tuple', 'session', 'lock', 'wal', 'view']);
const TUPLE_FIELDS = new Set(['lp_flags', 't_xmin', 't_xmax', 't_field3', 't_ctid', 't_infomask', 't_infomask2', 'flags', 'values']);
/** pg_stat_activity.state, as the engine's sessions report it */
const SESSION_STATES = new Set(['idle', 'idle in transaction', 'idle in transaction (aborted)', 'active']);

export interface ParseResult { lesson: Lesson | null; errors: LessonError[] }

/** Parse a lesson; every problem found is reported (with its line), not just the first. */
export function parseLesson(text: string, file = '<lesson>'): ParseResult {
  const errors: LessonError[] = [];
  const fail = (line: number, msg: string) => { errors.push(new LessonError(file, line, msg)); };
  if (text.length > MAX_LESSON_BYTES) return { lesson: null, errors: [new LessonError(file, 1, `the file is ${text.length} bytes; a lesson may have at most ${MAX_LESSON_BYTES}`)] };
  const src = text.replace(/\r\n?/g, '\n');

  // ---- front matter
  const fm = /^---\n([\s\S]*?)\n---[ \t]*(\n|$)/.exec(src);
  if (!fm) return { lesson: null, errors: [new LessonError(file, 1, 'a lesson starts with front matter: a line "---", YAML (id, title, summary, level, concepts, minutes, prerequisites), and "---"')] };
  let meta: Lesson['meta'] | null = null;
  try {
    const raw = parseYaml(fm[1]!) as unknown;
    const r = FrontMatter.safeParse(raw);
    if (r.success) meta = r.data;
    else for (const issue of r.error.issues) fail(frontMatterLine(fm[1]!, String(issue.path[0] ?? '')), `front matter: ${issue.path.join('.') || '(top)'}: ${issue.message}`);
  } catch (e) {
    fail(1 + yamlLine(e), `front matter is not valid YAML: ${firstLine((e as Error).message)}`);
  }
  const bodyOffsetLines = fm[0].split('\n').length - (fm[2] ? 1 : 0);
  const body = src.slice(fm[0].length);

  // ---- the Markdown body
  const tree = fromMarkdown(body, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] }) as Node;
  const lineOf = (n: Node) => (n.position?.start.line ?? 1) + bodyOffsetLines;
  const sourceOf = (n: Node) => body.slice(n.position!.start.offset!, n.position!.end.offset!);

  const setup: Lesson['setup'] = [];
  const steps: LessonStep[] = [];
  let intro: string[] = [];
  let cur: (LessonStep & { parts: string[] }) | null = null;
  const usedSessions: string[] = [];
  const useSession = (name: string, line: number) => {
    if (!SESSION_NAME.test(name) || RESERVED_SESSION_NAMES.has(name)) { fail(line, `"${name}" is not a session name (lower-case letters, digits and _, at most 16, not "setup")`); return false; }
    if (!usedSessions.includes(name)) usedSessions.push(name);
    return true;
  };

  for (const node of tree.children ?? []) {
    const line = lineOf(node);
    if (node.type === 'heading' && node.depth === 2) {
      if (cur) steps.push(finishStep(cur));
      cur = { title: plainText(node).trim(), narration: '', action: null, predict: null, expect: null, task: null, looks: [], line, parts: [] };
      if (!cur.title) fail(line, 'a step heading needs a title');
      continue;
    }
    if (node.type === 'heading' && node.depth === 1 && !cur && !steps.length && !intro.length) continue; // a title heading (the front matter's title is shown)
    if (node.type === 'html') { fail(line, 'raw HTML is not allowed in a lesson (write Markdown; the player never renders HTML)'); continue; }
    if (hasHtml(node)) { fail(line, 'raw HTML is not allowed in a lesson (write Markdown; the player never renders HTML)'); continue; }
    if (node.type === 'code' && node.lang) {
      const lang = node.lang.toLowerCase();
      const meta0 = (node.meta ?? '').trim();
      const value = node.value ?? '';
      if (lang === 'sql' && meta0) {
        if (meta0 === 'setup') {
          if (cur) fail(line, 'setup blocks belong before the first step (## heading)');
          else if (!value.trim()) fail(line, 'an empty setup block');
          else setup.push({ sql: value.trim(), line });
          continue;
        }
        if (!cur) { fail(line, `SQL for session ${meta0} before the first step: start a step with a "## Title" heading`); continue; }
        if (!useSession(meta0, line)) continue;
        if (!value.trim()) { fail(line, 'an empty SQL block'); continue; }
        setAction(cur, { kind: 'sql', session: meta0, sql: value.trim(), line }, fail);
        continue;
      }
      if (lang === 'event') {
        if (!cur) { fail(line, 'an event before the first step'); continue; }
        const a = parseEvent(value.trim(), line, fail);
        if (a) setAction(cur, a, fail);
        continue;
      }
      if (lang === 'predict' || lang === 'expect' || lang === 'task') {
        if (!cur) { fail(line, `a ${lang} block before the first step`); continue; }
        const y = readYaml(value, line + 1, fail);
        if (y === undefined) continue;
        if (lang === 'predict') {
          if (cur.predict) fail(line, 'a step asks at most one predict question');
          else cur.predict = parseQuestion(y, line, fail);
        } else if (lang === 'expect') {
          if (cur.expect) fail(line, 'a step has at most one expect block');
          else cur.expect = parseClaim(y, line, fail);
        } else {
          if (cur.task) fail(line, 'a step has at most one task');
          else cur.task = parseTask(y, line, fail, useSession);
        }
        continue;
      }
    }
    // narration: Markdown kept as written
    const looks = collectLooks(node, line, fail);
    if (cur) { cur.parts.push(sourceOf(node)); cur.looks.push(...looks); } else { intro.push(sourceOf(node)); if (looks.length) fail(line, 'look: links belong in steps'); }
  }
  if (cur) steps.push(finishStep(cur));
  intro = intro.filter((x) => x.trim());

  // ---- whole-lesson rules
  if (!steps.length) fail(bodyOffsetLines + 1, 'a lesson needs at least one step (a "## Title" heading)');
  for (const s of steps) {
    if (s.task && s.action) fail(s.line, 'a step has either an action or a task (the task\'s solution is the action)');
    if (s.predict && !s.action && !s.task) fail(s.predict.line, 'a predict question needs an action in its step: running the step reveals the answer');
    if (s.expect && !s.action) fail(s.line, 'an expect block needs an action in its step');
  }
  let sessions = usedSessions;
  if (meta?.sessions) {
    for (const u of usedSessions) if (!meta.sessions.includes(u)) fail(1, `front matter: sessions does not list "${u}", which a step uses`);
    sessions = meta.sessions;
  }
  if (sessions.length > 4) fail(1, `a lesson may use at most 4 sessions (this one uses ${sessions.join(', ')})`);
  for (const s of steps) checkSessions(s, sessions, fail);
  if (errors.length || !meta) return { lesson: null, errors };
  return { lesson: { meta, file, intro: intro.join('\n\n'), setup, sessions, steps }, errors };
}

function finishStep(s: LessonStep & { parts: string[] }): LessonStep {
  const { parts, ...step } = s;
  return { ...step, narration: parts.join('\n\n').trim() };
}

function setAction(step: LessonStep, a: Action, fail: (line: number, m: string) => void) {
  if (step.action) fail(a.line, `a step runs one action; this step already has one (line ${step.action.line}) — split it into two steps`);
  else step.action = a;
}

function parseEvent(text: string, line: number, fail: (line: number, m: string) => void): Action | null {
  const [word, arg, extra] = text.split(/\s+/);
  if (extra !== undefined) { fail(line, `an event is one line: "${text}"`); return null; }
  switch (word) {
    case 'crash':
      if (arg !== undefined && !CRASH_POINTS.includes(arg)) { fail(line, `unknown crash point "${arg}" (expected ${CRASH_POINTS.join(', ')})`); return null; }
      return { kind: 'server', action: 'crash', ...(arg && arg !== 'now' ? { arg } : {}), line };
    case 'restart':
      if (arg !== undefined && !/^\d{1,7}$/.test(arg)) { fail(line, `restart takes a number of REDO records after which the power fails again, not "${arg}"`); return null; }
      return { kind: 'server', action: 'restart', ...(arg ? { arg } : {}), line };
    case 'checkpoint': case 'bgwriter':
      if (arg !== undefined) { fail(line, `${word} takes no argument`); return null; }
      return { kind: 'server', action: word, line };
    case 'advance': {
      const m = /^(\d+)(ms|s)$/.exec(arg ?? '');
      if (!m) { fail(line, 'advance needs a duration like 1s or 1500ms'); return null; }
      const ms = Number(m[1]) * (m[2] === 's' ? 1000 : 1);
      if (ms > 86_400_000) { fail(line, 'advance at most a day'); return null; }
      return { kind: 'advance', ms, line };
    }
    default:
      fail(line, `unknown event "${text}" (expected crash [point], restart [n], checkpoint, bgwriter, advance <duration>)`);
      return null;
  }
}

function readYaml(text: string, firstLine: number, fail: (line: number, m: string) => void): Record<string, unknown> | undefined {
  try {
    const y = parseYaml(text) as unknown;
    if (!y || typeof y !== 'object' || Array.isArray(y)) { fail(firstLine, 'expected YAML fields (name: value)'); return undefined; }
    return y as Record<string, unknown>;
  } catch (e) {
    fail(firstLine + yamlLine(e) - 1, `not valid YAML: ${firstLine0((e as Error).message)}`);
    return undefined;
  }
}
const firstLine0 = (s: string) => s.split('\n')[0]!;
const firstLine = firstLine0;
function yamlLine(e: unknown): number { return e instanceof YAMLParseError ? (e.linePos?.[0]?.line ?? 1) : 1; }
function frontMatterLine(yamlText: string, key: string): number {
  const i = yamlText.split('\n').findIndex((l) => l.startsWith(`${key}:`));
  return i < 0 ? 1 : i + 2;
}

const str = (v: unknown) => (v === null || v === undefined ? null : typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : null);

/** "accounts (0,1)" */
export function parseTupleRef(s: string): TupleRef | null {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)\s*$/.exec(s);
  return m ? { table: m[1]!, blk: Number(m[2]), off: Number(m[3]) } : null;
}

/** Rows as text, "(1, 100), (2, 20)" / "no rows", or as YAML lists [[1, 100], [2, 20]] (for values with commas or parentheses). */
function rowsValue(v: unknown): (string | null)[][] | null {
  if (typeof v === 'string') return parseRows(v);
  if (Array.isArray(v) && v.every((r) => Array.isArray(r))) return (v as unknown[][]).map((r) => r.map(str));
  return null;
}

/** Rows written as "(1, 100), (2, 20)" or "no rows". */
export function parseRows(s: string): (string | null)[][] | null {
  if (/^\s*no rows\s*$/i.test(s)) return [];
  const rows: (string | null)[][] = [];
  const re = /\(([^()]*)\)\s*,?\s*/gy;
  let m: RegExpExecArray | null;
  let end = 0;
  const text = s.trim();
  while ((m = re.exec(text))) { rows.push(m[1]!.split(',').map((v) => v.trim()).map((v) => (v === 'null' ? null : v.replace(/^'(.*)'$/, '$1')))); end = re.lastIndex; }
  return rows.length && end === text.length ? rows : null;
}

function sessionList(v: unknown): string[] | null {
  if (v === 'nobody' || v === 'none') return [];
  if (typeof v === 'string') return v.split(',').map((x) => x.trim()).filter(Boolean);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return null;
}

/** A claim in YAML: waits, outcome, rows, tuples, visible, states, victim. */
export function parseClaim(y: Record<string, unknown>, line: number, fail: (line: number, m: string) => void): Claim | null {
  const c: Claim = {};
  let ok = true;
  const bad = (m: string) => { fail(line, m); ok = false; };
  for (const [k, v] of Object.entries(y)) {
    switch (k) {
      case 'waits': { const l = sessionList(v); if (!l) bad('waits: a session, a list of sessions, or nobody'); else c.waits = l; break; }
      case 'outcome': { const o = normalizeOutcome(str(v)); if (!o) bad('outcome: ok, waits, or a five-character SQLSTATE such as "40001"'); else c.outcome = o; break; }
      case 'outcomes': {
        if (!v || typeof v !== 'object' || Array.isArray(v)) { bad('outcomes: { session: ok | waits | SQLSTATE }'); break; }
        c.outcomes = Object.create(null) as Record<string, string>;
        for (const [sess, ov] of Object.entries(v as Record<string, unknown>)) {
          const o = normalizeOutcome(str(ov));
          if (!o) bad(`outcomes: ${sess}: ok, waits or a SQLSTATE`); else c.outcomes[sess] = o;
        }
        break;
      }
      case 'rows': {
        const direct = rowsValue(v);
        if (direct) c.rows = direct;
        else if (v && typeof v === 'object' && !Array.isArray(v)) {
          // rows: { bob: "(1, 110)" } — what another session got in this step (a waiter it woke)
          c.rowsOf = Object.create(null) as Record<string, (string | null)[][]>;
          for (const [sess, rv] of Object.entries(v as Record<string, unknown>)) {
            const r = rowsValue(rv);
            if (!r) bad(`rows: ${sess}: written as "(1, 100), (2, 20)", "no rows" or [[1, 100]]`); else c.rowsOf[sess] = r;
          }
        } else bad('rows: written as "(1, 100), (2, 20)", "no rows" or [[1, 100]], or { session: rows }');
        break;
      }
      case 'message': case 'notice': {
        // a piece of the step session's error message (or of a notice or warning it got): the words PostgreSQL uses
        if (typeof v !== 'string' || !v.trim()) bad(`${k}: the text (or part of it) PostgreSQL says`); else c[k] = v;
        break;
      }
      case 'tuples': {
        if (!v || typeof v !== 'object' || Array.isArray(v)) { bad('tuples: "table (blk,off)": { field: value }'); break; }
        c.tuples = [];
        for (const [ref, fields] of Object.entries(v as Record<string, unknown>)) {
          const t = parseTupleRef(ref);
          if (!t) { bad(`tuples: "${ref}" is not a tuple like "accounts (0,1)"`); continue; }
          if (!fields || typeof fields !== 'object' || Array.isArray(fields)) { bad(`tuples: ${ref}: expected { field: value }`); continue; }
          for (const f of Object.keys(fields)) if (!TUPLE_FIELDS.has(f)) bad(`tuples: unknown field "${f}" (expected ${[...TUPLE_FIELDS].join(', ')})`);
          c.tuples.push({ tuple: t, fields: fields as Record<string, string | number | string[]> });
        }
        break;
      }
      case 'visible': {
        if (!v || typeof v !== 'object' || Array.isArray(v)) { bad('visible: "table (blk,off)": { session: true|false }'); break; }
        c.visible = [];
        for (const [ref, per] of Object.entries(v as Record<string, unknown>)) {
          const t = parseTupleRef(ref);
          if (!t || !per || typeof per !== 'object') { bad(`visible: "${ref}": { session: true|false }`); continue; }
          for (const [sess, vis] of Object.entries(per as Record<string, unknown>)) {
            if (typeof vis !== 'boolean') bad(`visible: ${ref}: ${sess} must be true or false`);
            else c.visible.push({ tuple: t, session: sess, visible: vis });
          }
        }
        break;
      }
      case 'states': {
        if (!v || typeof v !== 'object' || Array.isArray(v)) { bad('states: { session: idle | idle in transaction | idle in transaction (aborted) | active }'); break; }
        c.states = Object.create(null) as Record<string, string>;
        for (const [sess, st] of Object.entries(v as Record<string, unknown>)) {
          if (typeof st !== 'string' || !SESSION_STATES.has(st)) bad(`states: ${sess}: expected one of ${[...SESSION_STATES].join(', ')}`);
          else c.states[sess] = st;
        }
        break;
      }
      case 'victim': { if (typeof v !== 'string') bad('victim: a session name'); else c.victim = v; break; }
      default: bad(`unknown claim "${k}" (expected waits, outcome, outcomes, rows, message, notice, tuples, visible, states, victim)`);
    }
  }
  if (ok && !Object.keys(c).length) { fail(line, 'an empty claim'); return null; }
  return ok ? c : null;
}

export function normalizeOutcome(s: string | null): string | null {
  if (s === null) return null;
  const t = s.trim();
  if (/^(ok|completes|succeeds)$/i.test(t)) return 'ok';
  if (/^waits?$/i.test(t)) return 'waits';
  const m = /^(?:error\s+)?([0-9A-Z]{5})$/i.exec(t);
  return m ? m[1]!.toUpperCase() : null;
}

function parseQuestion(y: Record<string, unknown>, line: number, fail: (line: number, m: string) => void): Question | null {
  const kind = y.kind as QuestionKind;
  if (!QUESTION_KINDS.includes(kind)) { fail(line, `predict: kind must be one of ${QUESTION_KINDS.join(', ')}`); return null; }
  const text = str(y.question);
  const explain = str(y.explain);
  if (!text) fail(line, 'predict: question: the question to ask');
  if (!explain) fail(line, 'predict: explain: what the learner should take away, shown with the answer');
  for (const k of Object.keys(y)) if (!['kind', 'question', 'choices', 'answer', 'explain', 'tuple', 'session', 'field'].includes(k)) fail(line, `predict: unknown field "${k}"`);
  // choices: a list (each label is its own value) or a map label → value
  let labels: string[], values: unknown[];
  if (Array.isArray(y.choices)) { labels = y.choices.map((c) => str(c) ?? JSON.stringify(c)); values = y.choices; } else if (y.choices && typeof y.choices === 'object') { labels = Object.keys(y.choices); values = Object.values(y.choices); } else if (kind === 'visible') { labels = ['yes', 'no']; values = [true, false]; } else { fail(line, 'predict: choices: the answers to pick from (a list, or label: value pairs)'); return null; }
  if (labels.length < 2) fail(line, 'predict: at least two choices');
  const answerText = str(y.answer);
  const matches = labels.map((l, i) => (l === answerText || str(values[i]) === answerText ? i : -1)).filter((i) => i >= 0);
  if (matches.length !== 1) { fail(line, `predict: answer "${answerText ?? ''}" must be exactly one of the choices (${labels.join(' | ')})`); return null; }
  if (new Set(labels).size !== labels.length) fail(line, 'predict: two choices with the same label');
  const answer = matches[0]!;
  const tupleText = str(y.tuple);
  const tuple = tupleText ? parseTupleRef(tupleText) : null;
  const session = str(y.session), field = str(y.field);
  if ((kind === 'visible' || kind === 'field') && !tuple) fail(line, `predict: ${kind} needs tuple: "table (blk,off)"`);
  if (kind === 'visible' && !session) fail(line, 'predict: visible needs session: whose snapshot looks');
  if (session && !['visible', 'outcome', 'rows'].includes(kind)) fail(line, `predict: session: is for visible, outcome and rows questions`);
  if (kind === 'field' && (!field || !TUPLE_FIELDS.has(field))) fail(line, `predict: field needs field: one of ${[...TUPLE_FIELDS].join(', ')}`);
  // each choice makes a claim of the question's kind: exactly one of them must be true after the step (check.ts)
  const choiceClaims: (Claim | null)[] = [];
  if (kind !== 'concept') {
    labels.forEach((l, i) => {
      const c = claimFor(kind, values[i], tuple, session, field);
      if (!c) fail(line, `predict: choice "${l}" is not ${KIND_VALUE[kind]}`);
      choiceClaims.push(c);
    });
  }
  if (!text || !explain || choiceClaims.some((c) => !c)) return null;
  return { kind, text, choices: labels, answer, explain, claim: kind === 'concept' ? null : choiceClaims[answer]!, choiceClaims: choiceClaims as Claim[], line };
}

const KIND_VALUE: Record<QuestionKind, string> = {
  waits: 'a session, a list of sessions or nobody', victim: 'a session', outcome: 'ok, waits or a SQLSTATE',
  rows: 'rows like "(1, 100), (2, 20)", "no rows" or [[1, 100]]', visible: 'yes (true) or no (false)', field: 'a field value', concept: '',
};

function claimFor(kind: QuestionKind, value: unknown, tuple: TupleRef | null, session: string | null, field: string | null): Claim | null {
  switch (kind) {
    case 'waits': { const l = sessionList(value); return l ? { waits: l } : null; }
    case 'victim': return typeof value === 'string' ? { victim: value } : null;
    // outcome and rows: of the step's session, or of another one (session:), e.g. a waiter the step wakes
    case 'outcome': { const o = normalizeOutcome(str(value)); return o ? (session ? { outcomes: { [session]: o } } : { outcome: o }) : null; }
    case 'rows': { const r = rowsValue(value); return r ? (session ? { rowsOf: { [session]: r } } : { rows: r }) : null; }
    case 'visible': {
      const v = value === true || value === 'yes' ? true : value === false || value === 'no' ? false : null;
      return tuple && session && v !== null ? { visible: [{ tuple, session, visible: v }] } : null;
    }
    case 'field': return tuple && field && (typeof value === 'string' || typeof value === 'number') ? { tuples: [{ tuple, fields: { [field]: value } }] } : null;
    default: return null;
  }
}

function parseTask(y: Record<string, unknown>, line: number, fail: (line: number, m: string) => void,
  useSession: (s: string, line: number) => boolean): Task | null {
  for (const k of Object.keys(y)) if (!['prompt', 'session', 'check', 'hint', 'solution'].includes(k)) fail(line, `task: unknown field "${k}"`);
  const prompt = str(y.prompt), session = str(y.session), solution = str(y.solution);
  if (!prompt) fail(line, 'task: prompt: what the learner is asked to do');
  if (!session) fail(line, 'task: session: where the learner types');
  if (!solution) fail(line, 'task: solution: the SQL that reaches the goal (the lesson runs it on its own path)');
  if (!y.check || typeof y.check !== 'object' || Array.isArray(y.check)) { fail(line, 'task: check: the claim that says the goal is reached'); return null; }
  const check = parseClaim(y.check as Record<string, unknown>, line, fail);
  if (!prompt || !session || !solution || !check) return null;
  if (!useSession(session, line)) return null;
  return { prompt, session, check, hint: str(y.hint), solution: solution.trim(), line };
}

/** Sessions named by claims must be the lesson's sessions. */
function checkSessions(s: LessonStep, sessions: string[], fail: (line: number, m: string) => void) {
  const claims: [Claim | null, number][] = [[s.expect, s.line], [s.predict?.claim ?? null, s.predict?.line ?? s.line],
    [s.task?.check ?? null, s.task?.line ?? s.line]];
  for (const [c, line] of claims) {
    if (!c) continue;
    const named = [...(c.waits ?? []), ...(c.victim ? [c.victim] : []), ...(c.visible ?? []).map((v) => v.session), ...Object.keys(c.states ?? {}),
      ...Object.keys(c.rowsOf ?? {}), ...Object.keys(c.outcomes ?? {})];
    for (const n of named) if (!sessions.includes(n)) fail(line, `unknown session "${n}" (the lesson's sessions: ${sessions.join(', ')})`);
  }
  for (const l of s.looks) if (l.kind === 'session' && !sessions.includes(l.path[0] ?? '')) fail(l.line, `look: unknown session "${l.path[0]}"`);
}

function plainText(n: Node): string {
  if (n.value !== undefined && n.type !== 'code') return n.value;
  return (n.children ?? []).map(plainText).join('');
}

function hasHtml(n: Node): boolean {
  return n.type === 'html' || (n.children ?? []).some(hasHtml);
}

/** look: links — tuple/<table>/<blk>/<off>[/<field>], session/<name>, lock/<session>, wal/last, view/<Heap|Index|...> */
function collectLooks(n: Node, line: number, fail: (line: number, m: string) => void): LookTarget[] {
  const out: LookTarget[] = [];
  const walk = (x: Node) => {
    // a reference-style link's URL is in its definition ([1]: …); an image's in the image: both are checked like links
    if ((x.type === 'link' || x.type === 'definition' || x.type === 'image') && x.url) {
      if (x.url.startsWith('look:') && x.type !== 'image') {
        const raw = x.url.slice(5);
        const path = raw.split('/');
        const kind = path.shift()!;
        const at = (x.position?.start.line ?? 0) + line - (n.position?.start.line ?? 0);
        if (!LOOK_KINDS.has(kind)) fail(at, `look:${raw}: expected look:tuple/..., look:session/..., look:lock/..., look:wal/last or look:view/...`);
        else if (kind === 'tuple' && (path.length < 3 || !/^\d+$/.test(path[1]!) || !/^\d+$/.test(path[2]!) || (path[3] !== undefined && !TUPLE_FIELDS.has(path[3])))) fail(at, `look:${raw}: a tuple is look:tuple/<table>/<block>/<offset>[/<field>]`);
        else out.push({ kind: kind as LookTarget['kind'], path, raw, line: at });
      } else if (!/^(https?:|mailto:|#)/.test(x.url) && !/^[\w./-]+$/.test(x.url)) {
        fail(line, `link "${x.url}": only http(s), mailto, #anchors, relative links and look: targets are allowed`);
      }
    }
    for (const c of x.children ?? []) walk(c);
  };
  walk(n);
  return out;
}
