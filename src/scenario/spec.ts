/**
 * Scenario files: PostgreSQL's isolation-tester .spec format, plus a few Heapscope extensions.
 *
 * The tester's grammar, in its order (specparse.y):
 *   setup { SQL }            zero or more; run once per permutation on a separate control connection
 *   teardown { SQL }         at most one, before the sessions
 *   session s1               one or more: a connection, with an optional setup, its named steps, an optional
 *     setup { SQL }          teardown
 *     step s1u { SQL }
 *     teardown { SQL }
 *   permutation s1u s2u ...  zero or more: an order of steps. Without any, every interleaving of the sessions'
 *                            steps (each session's steps in their written order) is run, in the tester's order.
 * A permutation step may carry blocker annotations, "s2u(*)", "s2u(s1c)", "s2u(s1n notices 2)", "s2u(s1c, *)":
 *   (*)               report the step as waiting as soon as it is sent, without looking at it; it is completed at
 *                     the next chance (a lock wait it may or may not reach then prints the same);
 *   (other)           the step is not reported complete while step `other` (of another session, in this
 *                     permutation) is still running or waiting;
 *   (other notices N) not reported complete until `other`'s session has sent N more notices than it had
 *                     when this step was sent.
 * The parser only records them; runner.ts honours them as isolationtester.c does (try_complete_step for (*),
 * step_has_blocker for the other two).
 * Names are identifiers ([A-Za-z_ or non-ASCII][A-Za-z0-9_$ or non-ASCII]*) or "quoted" ("" for a quote);
 * the keywords notices, permutation, session, setup, step, teardown cannot be unquoted names. `#` starts a comment.
 * SQL blocks keep their text between the braces, minus blanks (not newlines) right after "{" and before "}";
 * a block ends at the first "}".
 *
 * Checks, in the tester's order (check_testspec): duplicate step names; per permutation, undefined steps, then
 * undefined blocking steps and a step blocking on its own session — errors here with file:line, where the tester
 * prints the same sentence to stderr. Steps that no permutation uses are warnings ("unused step name: x"), which
 * the runner prints to stderr before anything else, as the tester does.
 *
 * Extensions (only Heapscope's runner and recorder read them; lines starting "#!" are comments to the tester):
 *   +1500ms / +2s in a permutation — advance the (virtual) clock: lets think time decide a deadlock's victim.
 *   #! verbose on a line of its own — print DETAIL, HINT and CONTEXT after ERROR lines.
 *   #! server name=value ... — server settings (postgresql.conf) the scenario needs, e.g. autovacuum=on
 *     autovacuum_naptime=1: the recorder starts its cluster with them, the engine's driver configures the engine.
 *   #! PGISOLATIONTIMEOUT=N — the tester's step timeout for this file, in seconds (what the environment variable
 *     PGISOLATIONTIMEOUT gives PostgreSQL's tester; check-isolationtester passes it on). Default 300.
 *   @crash, @crash:<point>, @restart, @restart:<n>, @checkpoint, @bgwriter in a permutation — server events (issue
 *   #5): pull the plug now (or arm a micro-point: commit-before-flush, commit-after-flush, checkpoint-halfway,
 *   page-write-after-wal-flush, torn-write), start the server again (crash recovery; with <n>, the power fails again
 *   after n REDO records), a checkpoint, a background writer round. @crash and @restart also run against a real
 *   PostgreSQL (immediate shutdown and start); the rest only in the engine.
 *
 * Permutations are never all built: permutations(sc) yields them one at a time (an iterative next-interleaving,
 * so neither memory nor stack grows with their number), firstPermutation(sc) gives the first, and
 * permutationCount(sc) counts them (a bigint: 3 sessions of 8 steps have 9,465,511,770 interleavings).
 *
 * Mirrors: src/test/isolation/specparse.y, specscanner.l and check_testspec / run_all_permutations_recurse in
 * isolationtester.c (PostgreSQL 15). Differs: two sessions may not share a name (the engine keys sessions by name);
 * error messages say more than the tester's "syntax error at line N".
 */
import { CRASH_POINTS } from '../engine/checkpoint/checkpointer.js';

export interface Step { name: string; session: string; sql: string; line: number }
export interface Session { name: string; setup: string | null; teardown: string | null; steps: Step[] }
export type Blocker =
  | { kind: 'once' }
  | { kind: 'step'; step: Step }
  | { kind: 'notices'; step: Step; count: number };
export type StepItem = { kind: 'step'; step: Step; blockers: Blocker[]; line: number };
export type PermutationItem =
  | StepItem
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
  /** the permutations the file lists; empty when it lists none (then all interleavings run: see permutations()) */
  namedPermutations: PermutationItem[][];
  /** true when the file listed no permutation */
  generated: boolean;
  verbose: boolean;
  /** `#! PGISOLATIONTIMEOUT=N`: the step timeout in seconds, when the file sets one */
  stepTimeoutSec: number | null;
  /** `#! server name=value ...`: server settings the scenario runs with (postgresql.conf; the recorder starts its
   *  cluster with them, the engine configures itself) */
  server: Record<string, string>;
  /** what the tester prints to stderr before running ("unused step name: x") */
  warnings: string[];
}

export class ScenarioError extends Error {
  constructor(readonly file: string, readonly line: number, message: string) {
    super(`${file}:${line}: ${message}`);
  }
}

type TokKind = 'ident' | 'kw' | 'int' | 'sql' | 'punct' | 'advance' | 'server';
type Tok = { t: TokKind; v: string; line: number };
const KEYWORDS = new Set(['notices', 'permutation', 'session', 'setup', 'step', 'teardown']);
const IDENT = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/;

interface Lexed { toks: Tok[]; verbose: boolean; stepTimeoutSec: number | null; server: Record<string, string> }

function tokenize(src: string, file: string): Lexed {
  const toks: Tok[] = [];
  let i = 0, line = 1, verbose = false, stepTimeoutSec: number | null = null;
  const server: Record<string, string> = {};
  const fail = (msg: string, at = line): never => { throw new ScenarioError(file, at, msg); };
  while (i < src.length) {
    const ch = src[i]!;
    if (ch === '\n') { line++; i++; continue; }
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\f') { i++; continue; }
    if (ch === '#') {
      let end = src.indexOf('\n', i);
      if (end < 0) end = src.length;
      const text = src.slice(i, end);
      if (/^#!\s*verbose\s*$/.test(text)) verbose = true;
      const sv = /^#!\s*server\s+(.*)$/.exec(text);
      if (sv) {
        for (const kv of sv[1]!.trim().split(/\s+/)) {
          const m = /^([a-z_][a-z0-9_]*)=([A-Za-z0-9_.]+)$/.exec(kv);
          if (!m) fail(`#! server needs name=value settings, not "${kv}"`);
          server[m![1]!] = m![2]!;
        }
      }
      const tm = /^#!\s*PGISOLATIONTIMEOUT\s*=\s*(\S*)\s*$/.exec(text);
      if (tm) {
        if (!/^[1-9]\d{0,5}$/.test(tm[1]!)) fail(`#! PGISOLATIONTIMEOUT needs a whole number of seconds (1 to 999999), not "${tm[1]}"`);
        stepTimeoutSec = Number(tm[1]);
      }
      i = end;
      continue;
    }
    if (ch === '{') {
      const startLine = line;
      i++;
      while (i < src.length && ' \t\r\f'.includes(src[i]!)) i++;
      const close = src.indexOf('}', i);
      if (close < 0) fail('unterminated SQL block: missing "}"', startLine);
      let body = src.slice(i, close);
      for (const c of body) if (c === '\n') line++;
      body = body.replace(/[ \t\r\f]+$/, '');
      toks.push({ t: 'sql', v: body, line: startLine });
      i = close + 1;
      continue;
    }
    if (ch === '"') {
      let name = '';
      let j = i + 1;
      for (;;) {
        if (j >= src.length) fail('unterminated quoted identifier');
        const c = src[j]!;
        if (c === '\n') fail('unexpected newline in quoted identifier');
        if (c === '"') {
          if (src[j + 1] === '"') { name += '"'; j += 2; continue; }
          break;
        }
        name += c;
        j++;
      }
      toks.push({ t: 'ident', v: name, line });
      i = j + 1;
      continue;
    }
    if ('(),*'.includes(ch)) { toks.push({ t: 'punct', v: ch, line }); i++; continue; }
    const rest = src.slice(i, i + 200);
    if (ch === '@') {
      const m = /^@[A-Za-z0-9_:-]*/.exec(rest)!;
      toks.push({ t: 'server', v: m[0], line });
      i += m[0].length;
      continue;
    }
    if (ch === '+') {
      const m = /^\+\d+(ms|s)\b/.exec(rest);
      if (!m) fail('a clock advance is written +<n>ms or +<n>s');
      toks.push({ t: 'advance', v: m![0], line });
      i += m![0].length;
      continue;
    }
    const num = /^[0-9]+/.exec(rest);
    if (num) { toks.push({ t: 'int', v: num[0], line }); i += num[0].length; continue; }
    const id = IDENT.exec(src.slice(i));
    if (!id) fail(`unexpected character "${ch}"`);
    toks.push({ t: KEYWORDS.has(id![0]) ? 'kw' : 'ident', v: id![0], line });
    i += id![0].length;
  }
  return { toks, verbose, stepTimeoutSec, server };
}

interface RawPermStep { name: string; line: number; blockers: ({ kind: 'once' } | { kind: 'step' | 'notices'; name: string; count: number })[] }
type RawItem = { kind: 'raw'; step: RawPermStep } | Exclude<PermutationItem, StepItem>;

export function parseSpec(src: string, file = '<scenario>'): Scenario {
  const { toks, verbose, stepTimeoutSec, server } = tokenize(src, file);
  let p = 0;
  const lastLine = () => toks[toks.length - 1]?.line ?? 1;
  const fail = (msg: string, at?: Tok | number): never => { throw new ScenarioError(file, typeof at === 'number' ? at : at?.line ?? lastLine(), msg); };
  const describe = (t: Tok | undefined) => (!t ? 'the end of the file' : t.t === 'sql' ? 'an SQL block' : t.t === 'int' ? `the number ${t.v}` : `"${t.v}"`);
  const isKw = (t: Tok | undefined, v: string) => t?.t === 'kw' && t.v === v;
  const expectSql = (what: string): string => {
    const t = toks[p];
    if (t?.t !== 'sql') fail(`expected a { SQL } block after ${what}, found ${describe(t)}`, t ?? toks[p - 1]);
    p++;
    return t!.v;
  };
  const expectName = (what: string): Tok => {
    const t = toks[p];
    if (t?.t !== 'ident') fail(`expected ${what}, found ${describe(t)}${t?.t === 'kw' ? ' (a keyword: write it "quoted")' : ''}`, t ?? toks[p - 1]);
    p++;
    return t!;
  };
  const order = 'a spec lists its setup blocks, then at most one teardown, then the sessions, then the permutations';

  const sc: Scenario = { file, setup: [], teardown: null, sessions: [], namedPermutations: [], generated: false, verbose, stepTimeoutSec, server,
    warnings: [] };
  while (isKw(toks[p], 'setup')) { p++; sc.setup.push(expectSql('setup')); }
  if (isKw(toks[p], 'teardown')) { p++; sc.teardown = expectSql('teardown'); }
  while (isKw(toks[p], 'session')) {
    const kw = toks[p++]!;
    const nameTok = expectName('a session name after "session"');
    if (sc.sessions.some((x) => x.name === nameTok.v)) fail(`session "${nameTok.v}" is defined twice`, nameTok);
    const sess: Session = { name: nameTok.v, setup: null, teardown: null, steps: [] };
    if (isKw(toks[p], 'setup')) { p++; sess.setup = expectSql(`the setup of session ${sess.name}`); }
    while (isKw(toks[p], 'step')) {
      p++;
      const nm = expectName('a step name after "step"');
      sess.steps.push({ name: nm.v, session: sess.name, sql: expectSql(`step ${nm.v}`), line: nm.line });
    }
    if (sess.steps.length === 0) fail(`session "${sess.name}" has no steps`, kw);
    if (isKw(toks[p], 'teardown')) { p++; sess.teardown = expectSql(`the teardown of session ${sess.name}`); }
    sc.sessions.push(sess);
  }
  const rawPerms: { items: RawItem[]; line: number }[] = [];
  while (isKw(toks[p], 'permutation')) {
    const kw = toks[p++]!;
    const items: RawItem[] = [];
    while (p < toks.length && !isKw(toks[p], 'permutation')) items.push(permutationItem());
    if (!items.length) fail('empty permutation', kw);
    rawPerms.push({ items, line: kw.line });
  }
  if (p < toks.length) {
    const t = toks[p]!;
    if (sc.sessions.length === 0 && t.t !== 'kw') fail(`unexpected ${describe(t)} (expected setup, teardown, session or permutation)`, t);
    if (t.t === 'kw' && ['setup', 'teardown', 'session'].includes(t.v)) fail(`unexpected "${t.v}" here: ${order}`, t);
    fail(`unexpected ${describe(t)}`, t);
  }
  if (sc.sessions.length === 0) fail('no sessions defined');

  function permutationItem(): RawItem {
    const tk = toks[p++]!;
    if (tk.t === 'advance') {
      const m = /^\+(\d+)(ms|s)$/.exec(tk.v)!;
      return { kind: 'advance', ms: Number(m[1]) * (m[2] === 's' ? 1000 : 1), line: tk.line };
    }
    if (tk.t === 'server') {
      const [action, arg, extra] = tk.v.slice(1).split(':');
      if (!SERVER_ACTIONS.includes(action as ServerAction) || extra !== undefined) {
        fail(`unknown server event "${tk.v}" (expected ${SERVER_ACTIONS.map((a) => '@' + a).join(', ')})`, tk);
      }
      if (action === 'crash' && arg !== undefined && !CRASH_POINT_NAMES.includes(arg)) {
        fail(`unknown crash point "${arg}" (expected ${CRASH_POINT_NAMES.join(', ')})`, tk);
      }
      if (action === 'restart' && arg !== undefined && !/^\d{1,7}$/.test(arg)) fail(`@restart:<n> needs a record count, not "${arg}"`, tk);
      if ((action === 'checkpoint' || action === 'bgwriter') && arg !== undefined) fail(`@${action} takes no argument`, tk);
      return { kind: 'server', action: action as ServerAction, ...(arg !== undefined ? { arg } : {}), line: tk.line };
    }
    if (tk.t !== 'ident') fail(`unexpected ${describe(tk)} in a permutation${tk.t === 'kw' ? ` (${order})` : ''}`, tk);
    const step: RawPermStep = { name: tk.v, line: tk.line, blockers: [] };
    if (toks[p]?.t === 'punct' && toks[p]!.v === '(') {
      p++;
      for (;;) {
        const b = toks[p++];
        if (b?.t === 'punct' && b.v === '*') step.blockers.push({ kind: 'once' });
        else if (b?.t === 'ident') {
          if (isKw(toks[p], 'notices')) {
            p++;
            const n = toks[p++];
            if (n?.t !== 'int') fail(`expected a number after "${b.v} notices" in the annotation of step ${tk.v}, found ${describe(n)}`, n ?? b);
            step.blockers.push({ kind: 'notices', name: b.v, count: Number(n!.v) });
          } else step.blockers.push({ kind: 'step', name: b.v, count: 0 });
        } else fail(`expected *, a step name or "<step> notices <n>" in the annotation of step ${tk.v}, found ${describe(b)}`, b ?? tk);
        const sep = toks[p++];
        if (sep?.t === 'punct' && sep.v === ')') break;
        if (!(sep?.t === 'punct' && sep.v === ',')) fail(`expected "," or ")" in the annotation of step ${tk.v}, found ${describe(sep)}`, sep ?? tk);
      }
    }
    return { kind: 'raw', step };
  }

  // check_testspec: unique step names, then each permutation's steps and blockers, then unused steps
  const steps = new Map<string, Step>();
  const byName = sc.sessions.flatMap((s) => s.steps).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.line - b.line));
  for (let i = 1; i < byName.length; i++) if (byName[i]!.name === byName[i - 1]!.name) fail(`duplicate step name: ${byName[i]!.name}`, byName[i]!.line);
  for (const st of byName) steps.set(st.name, st);
  const used = new Set<string>();
  for (const { items } of rawPerms) {
    const perm: PermutationItem[] = items.map((it) => {
      if (it.kind !== 'raw') return it;
      const st = steps.get(it.step.name);
      if (!st) fail(`undefined step "${it.step.name}" specified in permutation`, it.step.line);
      used.add(st!.name);
      return { kind: 'step', step: st!, blockers: [], line: it.step.line };
    });
    const inPerm = new Map<string, Step>();
    for (const it of perm) if (it.kind === 'step') inPerm.set(it.step.name, it.step);
    items.forEach((it, k) => {
      if (it.kind !== 'raw') return;
      const target = perm[k] as StepItem;
      for (const b of it.step.blockers) {
        if (b.kind === 'once') { target.blockers.push(b); continue; }
        const other = inPerm.get(b.name);
        const at = it.step.line;
        if (!other) fail(`undefined blocking step "${b.name}" referenced in permutation step "${it.step.name}"`, at);
        if (other!.session === target.step.session) fail(`permutation step "${it.step.name}" cannot block on its own session`, at);
        target.blockers.push(b.kind === 'step' ? { kind: 'step', step: other! } : { kind: 'notices', step: other!, count: b.count });
      }
    });
    sc.namedPermutations.push(perm);
  }
  if (rawPerms.length) for (const st of byName) if (!used.has(st.name)) sc.warnings.push(`unused step name: ${st.name}`);
  sc.generated = rawPerms.length === 0;
  return sc;
}

const stepItem = (st: Step): StepItem => ({ kind: 'step', step: st, blockers: [], line: st.line });

/**
 * Every permutation the runner runs, one at a time: the listed ones, or else every interleaving of the sessions'
 * steps that keeps each session's order, in isolationtester's order (run_all_permutations_recurse picks the
 * lowest-numbered session with steps left first, i.e. the lexicographic order of the session sequence). The next
 * interleaving is computed from the previous one in place (next permutation of a multiset), so the cost is
 * O(steps) per permutation and nothing else is kept.
 */
export function* permutations(sc: Scenario): Generator<PermutationItem[], void, undefined> {
  if (!sc.generated) { yield* sc.namedPermutations; return; }
  const seq: number[] = [];
  sc.sessions.forEach((s, i) => { for (let k = 0; k < s.steps.length; k++) seq.push(i); });
  const taken = new Array<number>(sc.sessions.length);
  for (;;) {
    taken.fill(0);
    yield seq.map((i) => stepItem(sc.sessions[i]!.steps[taken[i]!++]!));
    // next lexicographic arrangement of seq
    let i = seq.length - 2;
    while (i >= 0 && seq[i]! >= seq[i + 1]!) i--;
    if (i < 0) return;
    let j = seq.length - 1;
    while (seq[j]! <= seq[i]!) j--;
    [seq[i], seq[j]] = [seq[j]!, seq[i]!];
    for (let a = i + 1, b = seq.length - 1; a < b; a++, b--) [seq[a], seq[b]] = [seq[b]!, seq[a]!];
  }
}

/** The first permutation (what the app queues): the first listed, or every session's steps one session after another. */
export function firstPermutation(sc: Scenario): PermutationItem[] {
  if (!sc.generated) return sc.namedPermutations[0]!;
  return sc.sessions.flatMap((s) => s.steps.map(stepItem));
}

/** How many permutations run: the listed count, or the multinomial (n1 + … + nk)! / (n1! … nk!). */
export function permutationCount(sc: Scenario): bigint {
  if (!sc.generated) return BigInt(sc.namedPermutations.length);
  let count = 1n, total = 0n;
  for (const s of sc.sessions) {
    // multiply by C(total + n, n), one factor at a time so every intermediate quotient is exact
    for (let k = 1n; k <= BigInt(s.steps.length); k++) count = (count * (total + k)) / k;
    total += BigInt(s.steps.length);
  }
  return count;
}
