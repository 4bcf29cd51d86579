/**
 * Lessons and isolation-tester scenarios, both ways.
 *
 * lessonToSpec: the lesson's steps as a .spec scenario (setup blocks, one session block per session, one
 * permutation in lesson order), which the conformance suite records on a real PostgreSQL 15 and compares with the
 * engine — so every row, wait and error a lesson shows is PostgreSQL's. Events a real server cannot be made to do
 * on cue (a background-writer round, a crash at a micro-point, a crash during REDO) end the part that can be
 * compared; the generated file says where.
 *
 * specToLesson: an existing .spec as a lesson to edit: its leading # comments become the introduction, the
 * comments before a step's definition become that step's narration, the first permutation the order of steps.
 */
import { parseSpec, firstPermutation, permutationCount, type Scenario, type PermutationItem } from '../scenario/spec.js';
import { type Lesson, LessonError } from './format.js';
import { stepSession, stepSql } from './steps.js';

export interface LessonSpec { text: string; /** null when every step is in it; otherwise why it stops early */ truncated: string | null }

export const LESSON_SPEC_DIR = 'tests/scenarios/lessons';

export function lessonToSpec(lesson: Lesson): LessonSpec {
  const source = lesson.file.replace(/^.*?(lessons\/)/, '$1');
  let head = `# generated from ${source} by "npm run lessons:check -- --write": do not edit here, edit the lesson\n# ${lesson.meta.title}\n`;
  const server = Object.entries(lesson.meta.server ?? {}).map(([k, v]) => `${k}=${v === true ? 'on' : v === false ? 'off' : String(v)}`);
  if (server.length) head += `#! server ${server.join(' ')}\n`;
  const block = (sql: string, line: number) => {
    if (sql.includes('}')) throw new LessonError(lesson.file, line, 'SQL in a lesson may not contain "}": the isolation tester\'s format, which records it on PostgreSQL, ends a step there');
    return `{ ${sql} }`;
  };
  let body = '';
  for (const s of lesson.setup) body += `setup ${block(s.sql, s.line)}\n`;
  const steps = new Map<string, { name: string; sql: string; line: number }[]>(lesson.sessions.map((s) => [s, []]));
  const perm: string[] = [];
  let truncated: string | null = null;
  for (const step of lesson.steps) {
    const a = step.action;
    const session = stepSession(step);
    const sql = stepSql(step);
    if (session && sql !== null) {
      const list = steps.get(session)!;
      const name = `${session}_${list.length + 1}`;
      list.push({ name, sql, line: step.task?.line ?? a!.line });
      perm.push(name);
      continue;
    }
    if (!a) continue;
    if (a.kind === 'advance') { perm.push(`+${a.ms}ms`); continue; }
    if (a.kind === 'server') {
      if ((a.action === 'crash' || a.action === 'restart') && a.arg === undefined) { perm.push(`@${a.action}`); continue; }
      if (a.action === 'checkpoint') { perm.push('@checkpoint'); continue; }
      truncated = `step "${step.title}" (line ${step.line}): ${a.action}${a.arg ? ` ${a.arg}` : ''} cannot be made to happen on a real server; the comparison with PostgreSQL ends before it`;
      break;
    }
  }
  if (truncated) head += `# ${truncated}\n`;
  for (const [session, list] of steps) {
    if (!list.length) continue;
    body += `\nsession ${session}\n`;
    for (const st of list) body += `step ${st.name} ${block(st.sql, st.line)}\n`;
  }
  if (!perm.length) return { text: '', truncated: 'the lesson runs no step a scenario can express' };
  body += `\npermutation ${perm.join(' ')}\n`;
  return { text: head + body, truncated };
}

/** A lesson file (Markdown) from an isolation-tester .spec, to edit: narration from the comments, steps from the first permutation. */
export function specToLesson(specText: string, file: string): string {
  const sc: Scenario = parseSpec(specText, file);
  const id = file.replace(/^.*\//, '').replace(/\.spec$/, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'lesson';
  const lines = specText.replace(/\r\n?/g, '\n').split('\n');
  const commentText = (ls: string[]) => ls.map((l) => l.replace(/^#\s?/, '')).join('\n').trim();
  // the comments at the top of the file, and the comments right above each step definition
  const lead: string[] = [];
  for (const l of lines) { if (/^\s*#(?!!)/.test(l)) lead.push(l.trim()); else if (l.trim() === '' && lead.length === 0) continue; else break; }
  const stepComments = new Map<string, string>();
  for (const s of sc.sessions) for (const st of s.steps) {
    const above: string[] = [];
    for (let k = st.line - 2; k >= 0 && /^\s*#(?!!)/.test(lines[k]!); k--) above.unshift(lines[k]!.trim());
    if (above.length) stepComments.set(st.name, commentText(above));
  }
  const intro = commentText(lead);
  // the first sentence (or clause) of the introduction, else the file name
  const first = /^[^\n.:;]{3,90}/.exec(intro)?.[0]?.trim();
  const title = first ?? id.replace(/-/g, ' ');
  const perm: PermutationItem[] = firstPermutation(sc);
  const sessions = sc.sessions.map((s) => s.name);
  const q = (s: string) => JSON.stringify(s);
  let out = `---\nid: ${id}\ntitle: ${q(title.length >= 3 ? title : `${title} (lesson)`)}\nsummary: ${q((intro.replace(/\n/g, ' ') || `The scenario ${file}, step by step.`).slice(0, 400).padEnd(10, '.'))}\n`;
  out += `level: intermediate\nconcepts: [transactions]\nminutes: ${Math.max(3, Math.ceil(perm.length / 2))}\nprerequisites: []\nsessions: [${sessions.join(', ')}]\n---\n\n`;
  out += `${intro || `Converted from ${file}: write the story here.`}\n\n`;
  for (const sql of sc.setup) out += '```sql setup\n' + sql.trim() + '\n```\n\n';
  let n = 0;
  for (const item of perm) {
    n++;
    if (item.kind === 'advance') { out += `## Time passes\n\n${item.ms} ms go by on the virtual clock.\n\n\`\`\`event\nadvance ${item.ms}ms\n\`\`\`\n\n`; continue; }
    if (item.kind === 'server') { out += `## ${item.action[0]!.toUpperCase()}${item.action.slice(1)}\n\n\`\`\`event\n${item.action}${item.arg !== undefined ? ` ${item.arg}` : ''}\n\`\`\`\n\n`; continue; }
    const st = item.step;
    const firstLine = st.sql.split('\n')[0]!.replace(/;\s*$/, '').slice(0, 60);
    out += `## ${st.session}: \`${firstLine.replace(/`/g, "'")}\`\n\n${stepComments.get(st.name) ?? `Step ${n}.`}\n\n\`\`\`sql ${st.session}\n${st.sql.trim()}\n\`\`\`\n\n`;
  }
  const count = permutationCount(sc);
  if (count > 1n) out += `## What else could happen\n\nThe scenario has ${count.toLocaleString('en-US')} permutations; this lesson follows the first.\n`;
  return out;
}
