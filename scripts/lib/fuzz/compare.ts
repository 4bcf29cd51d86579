/**
 * Comparing transcripts and naming what differs.
 *
 * Both sides print through the same scenario runner, so transcripts compare byte for byte. A difference is
 * classified by its first differing line — "UPDATE v WHERE v waits" vs "UPDATE v WHERE v runs", an error text
 * vs a result row, ... — with step names replaced by what the step does and numbers by N, so the same bug found
 * in many random cases gets one signature.
 */
import { parseSpec } from '../../../src/scenario/spec.js';
import { stmtKind } from './model.js';

export interface FirstDiff { line: number; pg: string | undefined; engine: string | undefined }

export function firstDifference(pg: string, engine: string): FirstDiff | null {
  if (pg === engine) return null;
  const a = pg.split('\n'), b = engine.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return { line: i + 1, pg: a[i], engine: b[i] };
  return null;
}

/** A runner error instead of a transcript (the runner threw: a step could never finish, the engine crashed). */
export const RUNNER_ERROR = '<<runner error>> ';

/** A step waited on PostgreSQL longer than the fuzzer's cap (pgside.ts): the case is stuck, the run stops. */
export class StuckError extends Error {}

function kinds(spec: string): Map<string, string> {
  const m = new Map<string, string>();
  try {
    for (const s of parseSpec(spec).sessions) for (const st of s.steps) m.set(st.name, stmtKind(st.sql));
  } catch { /* not a spec: no step names to classify */ }
  return m;
}

function lineClass(line: string | undefined, k: Map<string, string>, context: string): string {
  if (line === undefined) return '<end of transcript>';
  if (line.startsWith(RUNNER_ERROR)) return `runner error: ${line.slice(RUNNER_ERROR.length).replace(/^.*?: /, '').replace(/\b(s\d+_\d+|vac_\d+)\b/g, (n) => k.get(n) ?? n).replace(/\d+/g, 'N')}`;
  let m: RegExpExecArray | null;
  const kind = (name: string) => k.get(name) ?? 'step';
  if ((m = /^step (\S+): <\.\.\. completed>$/.exec(line))) return `${kind(m[1]!)} completes`;
  if ((m = /^step (\S+): .* <waiting \.\.\.>$/.exec(line))) return `${kind(m[1]!)} waits`;
  if ((m = /^step (\S+): /.exec(line))) return `${kind(m[1]!)} runs`;
  if ((m = /^(\S+): (ERROR|WARNING|NOTICE|INFO|FATAL): {2}(.*)$/.exec(line))) return `${m[2]} ${m[3]!.replace(/\d+/g, 'N')}`;
  if ((m = /^(ERROR|FATAL): {2}(.*)$/.exec(line))) return `${m[1]} ${m[2]!.replace(/\d+/g, 'N')} (${context})`;
  if (/^\(\d+ rows?\)$/.test(line)) return `row count (${context})`;
  if (/^[-+]+$/.test(line)) return `rule line (${context})`;
  if (line === '') return `blank line (${context})`;
  if (/^starting permutation:/.test(line)) return 'permutation';
  if (/\|/.test(line) || /^\s*-?\d*\s*$/.test(line)) return `result row (${context})`;
  return line.replace(/\d+/g, 'N');
}

/** The step whose output the line at index `i` belongs to: the last "step X:" line before it. */
function contextAt(lines: string[], i: number, k: Map<string, string>): string {
  for (let j = Math.min(i, lines.length) - 1; j >= 0; j--) {
    const m = /^step (\S+):/.exec(lines[j]!);
    if (m) return `after ${k.get(m[1]!) ?? 'step'}`;
  }
  return 'before any step';
}

/** "postgres: X | engine: Y" for the first differing line, in words that do not depend on the case. */
export function signature(spec: string, pg: string, engine: string): string {
  const d = firstDifference(pg, engine);
  if (!d) return 'same';
  const k = kinds(spec);
  const ctx = contextAt(pg.split('\n'), d.line - 1, k);
  return `postgres: ${lineClass(d.pg, k, ctx)} | engine: ${lineClass(d.engine, k, ctx)}`;
}

/**
 * The engine's refusal (0A000 "... is not supported by Heapscope") where PostgreSQL went on, or null: the first
 * differing line, or the rest of that step's output in the engine's transcript (PostgreSQL waits for a lock
 * the engine never gets to, because it refuses first), says so.
 */
export function engineUnsupported(d: FirstDiff, engine?: string): string | null {
  const refusal = /is not supported by Heapscope/;
  if (d.engine !== undefined && refusal.test(d.engine)) return d.engine;
  if (engine === undefined) return null;
  const lines = engine.split('\n');
  for (let i = d.line; i < lines.length && !/^step /.test(lines[i]!); i++) if (refusal.test(lines[i]!)) return lines[i]!;
  return null;
}

/** What a step printed (result rows as "k|v" lines, errors, notices), on one line. */
function stepOutput(lines: string[], from: number): string {
  const out: string[] = [];
  for (let i = from; i < lines.length && !/^step /.test(lines[i]!); i++) {
    const l = lines[i]!;
    if (l === '' || /^[-+]+$/.test(l) || (i + 1 < lines.length && /^[-+]+$/.test(lines[i + 1]!))) continue; // blank, rule, header
    out.push(l);
  }
  return out.length ? out.join(' ') : 'nothing';
}

/**
 * One line for a reproducer's `#! differs:` marker: the step where the transcripts part and what each side
 * printed there, e.g. `step s3_1 (SELECT ...): PostgreSQL 15 prints "1|10 (1 row)", the engine "(0 rows)"`.
 */
export function describeDifference(spec: string, pg: string, engine: string): string {
  const d = firstDifference(pg, engine);
  if (!d) return 'nothing differs';
  const q = (s: string | undefined) => (s === undefined ? 'nothing more' : JSON.stringify(s));
  if (d.pg?.startsWith(RUNNER_ERROR) || d.engine?.startsWith(RUNNER_ERROR) || /^step /.test(d.pg ?? '') || /^step /.test(d.engine ?? '')) {
    return `PostgreSQL 15 prints ${q(d.pg)}, the engine ${q(d.engine)}`;
  }
  const a = pg.split('\n'), b = engine.split('\n');
  let j = d.line - 2;
  while (j >= 0 && !/^step /.test(a[j]!)) j--;
  if (j < 0) return `line ${d.line}: PostgreSQL 15 prints ${q(d.pg)}, the engine ${q(d.engine)}`;
  const name = /^step (\S+):/.exec(a[j]!)![1]!;
  let sql = '';
  try { sql = parseSpec(spec).sessions.flatMap((s) => s.steps).find((s) => s.name === name)?.sql ?? ''; } catch { /* no spec */ }
  const what = /<\.\.\. completed>/.test(a[j]!) ? `${name} (${sql}) completes` : `${name} (${sql})`;
  return `after step ${what}, PostgreSQL 15 prints ${JSON.stringify(stepOutput(a, j + 1))}, the engine ${JSON.stringify(stepOutput(b, j + 1))}`;
}
