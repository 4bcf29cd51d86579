/**
 * Scenario files: PostgreSQL's isolation-tester .spec format, plus two Heapscope extensions.
 *
 *   setup { SQL }            run once per permutation on a separate control connection (several allowed)
 *   teardown { SQL }
 *   session s1               a connection; its setup/teardown blocks and named steps follow
 *     setup { SQL }
 *     step s1u { SQL }
 *   permutation s1u s2u ...  an order of steps; without any permutation, every interleaving of the sessions'
 *                            steps (each session's steps in their written order) is run
 *
 * Extensions (ignored by nothing: only Heapscope's runner and recorder read them):
 *   +1500ms / +2s in a permutation — advance the (virtual) clock: lets think time decide a deadlock's victim.
 *   #! verbose on a line of its own — print DETAIL, HINT and CONTEXT after ERROR lines.
 *   @crash, @crash:<point>, @restart, @restart:<n>, @checkpoint, @bgwriter in a permutation — server events (issue
 *   #5): pull the plug now (or arm a micro-point: commit-before-flush, commit-after-flush, checkpoint-halfway,
 *   page-write-after-wal-flush, torn-write), start the server again (crash recovery; with <n>, the power fails again after n REDO records),
 *   a checkpoint, a background writer round. @crash and @restart also run against a real PostgreSQL (immediate
 *   shutdown and start); the rest only in the engine.
 *
 * Mirrors: src/test/isolation/specparse.y and specscanner.l (SQL blocks keep their text between the braces,
 * minus blanks right after "{" and right before "}"). Step blockers in permutations — "(s1)", "(*)" — are
 * parsed; the runner honours "(*)" (report the step as waiting until it completes) and session-name blockers.
 */
import { CRASH_POINTS } from '../checkpoint/checkpointer.js';

export interface Step { name: string; session: string; sql: string; line: number }
export interface Session { name: string; setup: string | null; teardown: string | null; steps: Step[] }
export type PermutationItem =
  | { kind: 'step'; step: Step; blockers: string[]; line: number }
  | { kind: 'advance'; ms: number; line: number }
  | { kind: 'server'; action: ServerAction; arg?: string; line: number };
export type ServerAction = 'crash' | 'restart' | 'checkpoint' | 'bgwriter';
const SERVER_ACTIONS: readonly ServerAction[] = ['crash', 'restart', 'checkpoint', 'bgwriter'];
const CRASH_POINT_NAMES: readonly string[] = CRASH_POINTS.filter((p) => p !== 'now');
export interface Scenario {
  file: string;
  setup: string[];
  teardown: string | null;
  sessions: Session[];
  permutations: PermutationItem[][];
  /** true when the file listed no permutation (all interleavings are generated) */
  generated: boolean;
  verbose: boolean;
}

export class ScenarioError extends Error {
  constructor(readonly file: string, readonly line: number, message: string) {
    super(`${file}:${line}: ${message}`);
  }
}

type Tok = { t: 'word' | 'sql' | 'punct'; v: string; line: number };

function tokenize(src: string, file: string): { toks: Tok[]; verbose: boolean } {
  const toks: Tok[] = [];
  let i = 0, line = 1, verbose = false;
  while (i < src.length) {
    const ch = src[i]!;
    if (ch === '\n') { line++; i++; continue; }
    if (/[ \t\r\f]/.test(ch)) { i++; continue; }
    if (ch === '#') {
      const end = src.indexOf('\n', i);
      const text = src.slice(i, end < 0 ? src.length : end);
      if (/^#!\s*verbose\s*$/.test(text)) verbose = true;
      i = end < 0 ? src.length : end;
      continue;
    }
    if (ch === '{') {
      const startLine = line;
      i++;
      while (i < src.length && /[ \t\r\f]/.test(src[i]!)) i++;
      const close = src.indexOf('}', i);
      if (close < 0) throw new ScenarioError(file, startLine, 'unterminated SQL block: missing "}"');
      let body = src.slice(i, close);
      for (const c of body) if (c === '\n') line++;
      body = body.replace(/[ \t\r\f]+$/, '');
      toks.push({ t: 'sql', v: body, line: startLine });
      i = close + 1;
      continue;
    }
    if (ch === '"') {
      const close = src.indexOf('"', i + 1);
      if (close < 0) throw new ScenarioError(file, line, 'unterminated quoted name');
      toks.push({ t: 'word', v: src.slice(i + 1, close), line });
      i = close + 1;
      continue;
    }
    if ('(),*'.includes(ch)) { toks.push({ t: 'punct', v: ch, line }); i++; continue; }
    if (ch === '@') {
      const sm = /^@[A-Za-z0-9_:-]*/.exec(src.slice(i))!;
      toks.push({ t: 'word', v: sm[0], line });
      i += sm[0].length;
      continue;
    }
    const m = /^[+]?[A-Za-z0-9_]+/.exec(src.slice(i));
    if (!m) throw new ScenarioError(file, line, `unexpected character "${ch}"`);
    toks.push({ t: 'word', v: m[0], line });
    i += m[0].length;
  }
  return { toks, verbose };
}

export function parseSpec(src: string, file = '<scenario>'): Scenario {
  const { toks, verbose } = tokenize(src, file);
  let p = 0;
  const peek = () => toks[p];
  const next = () => toks[p++];
  const expectSql = (what: string): string => {
    const t = next();
    if (!t || t.t !== 'sql') throw new ScenarioError(file, t?.line ?? lastLine(), `expected a { SQL } block after ${what}`);
    return t.v;
  };
  const lastLine = () => toks[toks.length - 1]?.line ?? 1;
  const sc: Scenario = { file, setup: [], teardown: null, sessions: [], permutations: [], generated: false, verbose };
  const permTokens: Tok[][] = [];
  while (p < toks.length) {
    const t = next()!;
    if (t.t !== 'word') throw new ScenarioError(file, t.line, `unexpected ${t.t === 'sql' ? 'SQL block' : `"${t.v}"`}`);
    switch (t.v) {
      case 'setup': sc.setup.push(expectSql('setup')); break;
      case 'teardown':
        if (sc.teardown !== null) throw new ScenarioError(file, t.line, 'only one teardown block is allowed');
        sc.teardown = expectSql('teardown');
        break;
      case 'session': {
        const nameTok = next();
        if (!nameTok || nameTok.t !== 'word') throw new ScenarioError(file, t.line, 'expected a session name after "session"');
        if (sc.sessions.some((x) => x.name === nameTok.v)) throw new ScenarioError(file, nameTok.line, `session "${nameTok.v}" is defined twice`);
        const sess: Session = { name: nameTok.v, setup: null, teardown: null, steps: [] };
        if (peek()?.v === 'setup') { next(); sess.setup = expectSql('session setup'); }
        while (peek()?.v === 'step') {
          const st = next()!;
          const nm = next();
          if (!nm || nm.t !== 'word') throw new ScenarioError(file, st.line, 'expected a step name after "step"');
          const sql = expectSql(`step ${nm.v}`);
          sess.steps.push({ name: nm.v, session: sess.name, sql, line: nm.line });
        }
        if (peek()?.v === 'teardown') { next(); sess.teardown = expectSql('session teardown'); }
        if (sess.steps.length === 0) throw new ScenarioError(file, nameTok.line, `session "${sess.name}" has no steps`);
        sc.sessions.push(sess);
        break;
      }
      case 'permutation': {
        const items: Tok[] = [];
        while (p < toks.length) {
          const x = peek()!;
          if (x.t === 'word' && ['setup', 'teardown', 'session', 'permutation'].includes(x.v)) break;
          if (x.t === 'sql') throw new ScenarioError(file, x.line, 'unexpected SQL block in a permutation');
          items.push(next()!);
        }
        if (!items.length) throw new ScenarioError(file, t.line, 'empty permutation');
        permTokens.push(items);
        break;
      }
      default:
        throw new ScenarioError(file, t.line, `unexpected "${t.v}" (expected setup, teardown, session or permutation)`);
    }
  }
  if (sc.sessions.length === 0) throw new ScenarioError(file, lastLine(), 'no sessions defined');
  const steps = new Map<string, Step>();
  for (const s of sc.sessions) for (const st of s.steps) {
    if (steps.has(st.name)) throw new ScenarioError(file, st.line, `duplicate step name "${st.name}"`);
    steps.set(st.name, st);
  }
  for (const items of permTokens) {
    const perm: PermutationItem[] = [];
    for (let i = 0; i < items.length; i++) {
      const tk = items[i]!;
      const adv = /^\+(\d+)(ms|s)$/.exec(tk.v);
      if (adv) { perm.push({ kind: 'advance', ms: Number(adv[1]) * (adv[2] === 's' ? 1000 : 1), line: tk.line }); continue; }
      if (tk.v.startsWith('@')) {
        const [action, arg, extra] = tk.v.slice(1).split(':');
        if (!SERVER_ACTIONS.includes(action as ServerAction) || extra !== undefined) throw new ScenarioError(file, tk.line, `unknown server event "${tk.v}" (expected ${SERVER_ACTIONS.map((a) => '@' + a).join(', ')})`);
        if (action === 'crash' && arg !== undefined && !CRASH_POINT_NAMES.includes(arg)) throw new ScenarioError(file, tk.line, `unknown crash point "${arg}" (expected ${CRASH_POINT_NAMES.join(', ')})`);
        if (action === 'restart' && arg !== undefined && !/^\d{1,7}$/.test(arg)) throw new ScenarioError(file, tk.line, `@restart:<n> needs a record count, not "${arg}"`);
        if ((action === 'checkpoint' || action === 'bgwriter') && arg !== undefined) throw new ScenarioError(file, tk.line, `@${action} takes no argument`);
        perm.push({ kind: 'server', action: action as ServerAction, ...(arg !== undefined ? { arg } : {}), line: tk.line });
        continue;
      }
      if (tk.t !== 'word') throw new ScenarioError(file, tk.line, `unexpected "${tk.v}" in permutation`);
      const st = steps.get(tk.v);
      if (!st) throw new ScenarioError(file, tk.line, `undefined step "${tk.v}" in permutation`);
      const blockers: string[] = [];
      if (items[i + 1]?.v === '(') {
        i += 2;
        while (i < items.length && items[i]!.v !== ')') {
          if (items[i]!.v !== ',') blockers.push(items[i]!.v);
          i++;
        }
        if (i >= items.length) throw new ScenarioError(file, tk.line, 'unterminated blocker list');
      }
      perm.push({ kind: 'step', step: st, blockers, line: tk.line });
    }
    sc.permutations.push(perm);
  }
  if (sc.permutations.length === 0) {
    sc.generated = true;
    sc.permutations = allInterleavings(sc.sessions).map((perm) => perm.map((st) => ({ kind: 'step' as const, step: st, blockers: [], line: st.line })));
  }
  return sc;
}

/** Every interleaving of the sessions' step lists that keeps each session's own order (isolationtester's default). */
export function allInterleavings(sessions: Session[]): Step[][] {
  const out: Step[][] = [];
  const idx = sessions.map(() => 0);
  const cur: Step[] = [];
  const total = sessions.reduce((a, s) => a + s.steps.length, 0);
  const rec = () => {
    if (cur.length === total) { out.push(cur.slice()); return; }
    for (let i = 0; i < sessions.length; i++) {
      if (idx[i]! < sessions[i]!.steps.length) {
        cur.push(sessions[i]!.steps[idx[i]!]!);
        idx[i]!++;
        rec();
        idx[i]!--;
        cur.pop();
      }
    }
  };
  rec();
  return out;
}
