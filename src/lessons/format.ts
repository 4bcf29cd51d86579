/**
 * A lesson, typed: what an instructor writes in lessons/NAME.md once parse.ts has read it.
 *
 * A lesson is a story told in steps. Each step has narration (Markdown) and usually one action — SQL for one
 * session, or a server event (crash, restart, checkpoint, a clock advance, waiting for a session). A step may ask a
 * prediction before its action runs (predict), state what must happen (expect), or hand the keyboard to the
 * learner (task: a goal, a check, and the instructor's solution, which is what the lesson itself then runs).
 *
 * Predictions, expectations and task checks are all *claims* about the engine's state right after the step: who
 * waits, which rows came back, which error, a tuple header field, a tuple's visibility to a session, a session's
 * state, the deadlock victim. The checker (check.ts) evaluates every claim on the engine, and the lesson's
 * transcript is recorded on a real PostgreSQL 15 like any scenario, so a lesson can never teach what PostgreSQL
 * does not do. See lessons/README.md for the file format.
 */
import { z } from '../shared/zod';

export const LEVELS = ['beginner', 'intermediate', 'advanced'] as const;
export type Level = (typeof LEVELS)[number];

/** Session names: as the isolation tester allows them, and never a name an object prototype has. */
export const SESSION_NAME = /^[a-z][a-z0-9_]{0,15}$/;
export const RESERVED_SESSION_NAMES = new Set(['setup', 'constructor', 'prototype', 'tostring', 'valueof', 'hasownproperty']);

export const FrontMatter = z.object({
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'id: lower-case words joined by "-"').max(60),
  title: z.string().min(3).max(100),
  summary: z.string().min(10).max(400),
  level: z.enum(LEVELS),
  concepts: z.array(z.string().min(1).max(40)).min(1).max(12),
  minutes: z.number().int().min(1).max(120),
  prerequisites: z.array(z.string()).max(10).default([]),
  /** display order of the sessions (default: order of first use) */
  sessions: z.array(z.string().regex(SESSION_NAME)).max(4).optional(),
  /** position in the course (gallery order); lessons without one come last, by title */
  order: z.number().int().min(0).max(1000).optional(),
  /** server settings the lesson runs with (postgresql.conf), e.g. { autovacuum: on, autovacuum_naptime: 1 }: the
   *  scenario it records gets a "#! server" line, the app and the checker set them before the setup */
  server: z.record(z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/), z.union([z.string().regex(/^[A-Za-z0-9_.]{1,40}$/), z.number(), z.boolean()])).optional(),
}).strict();
export type LessonMeta = z.infer<typeof FrontMatter>;

/** A tuple named as "table (blk,off)". */
export interface TupleRef { table: string; blk: number; off: number }

/** What must hold right after a step (all listed parts must hold). */
export interface Claim {
  /** the sessions waiting for a lock (empty: nobody) */
  waits?: string[];
  /** the step's own session: 'ok' (finished without error), 'waits', or the SQLSTATE of its error */
  outcome?: string;
  /** other sessions' statements finishing in this step (a waiter it woke): session → ok | waits | SQLSTATE */
  outcomes?: Record<string, string>;
  /** the rows of the last result set the step's session got (values as text, null for NULL) */
  rows?: (string | null)[][];
  /** part of the step session's error message, as PostgreSQL words it */
  message?: string;
  /** part of a NOTICE or WARNING the step session got */
  notice?: string;
  /** the rows another session got in this step (a waiter woken by it) */
  rowsOf?: Record<string, (string | null)[][]>;
  /** tuple header fields, as pageinspect names them (t_xmin, t_xmax, t_ctid, lp_flags, flags: [...]) */
  tuples?: { tuple: TupleRef; fields: Record<string, string | number | string[]> }[];
  /** is the tuple visible to the session's next snapshot? */
  visible?: { tuple: TupleRef; session: string; visible: boolean }[];
  /** session → its state, as pg_stat_activity.state names it: idle, idle in transaction, idle in transaction (aborted), active */
  states?: Record<string, string>;
  /** the session aborted by the deadlock detector during this step */
  victim?: string;
}

export type QuestionKind = 'waits' | 'outcome' | 'rows' | 'victim' | 'visible' | 'field' | 'concept';

export interface Question {
  kind: QuestionKind;
  text: string;
  /** what the learner picks from, shown as written */
  choices: string[];
  /** index into choices */
  answer: number;
  explain: string;
  /** the claim the right answer makes (null for 'concept': a question about ideas, checked only for its form) */
  claim: Claim | null;
  /** the claim each choice makes (empty for 'concept'): the checker requires exactly one to hold */
  choiceClaims: Claim[];
  line: number;
}

export interface Task {
  prompt: string;
  session: string;
  check: Claim;
  hint: string | null;
  /** what the lesson runs in the learner's place, and on its own path */
  solution: string;
  line: number;
}

export type Action =
  | { kind: 'sql'; session: string; sql: string; line: number }
  | { kind: 'server'; action: 'crash' | 'restart' | 'checkpoint' | 'bgwriter'; arg?: string; line: number }
  | { kind: 'advance'; ms: number; line: number };

/** Something the narration points at in the views: [text](look:tuple/accounts/0/1/t_xmax) */
export interface LookTarget { kind: 'tuple' | 'session' | 'lock' | 'wal' | 'view'; path: string[]; raw: string; line: number }

export interface LessonStep {
  title: string;
  /** Markdown (rendered sanitised, no raw HTML) */
  narration: string;
  action: Action | null;
  predict: Question | null;
  expect: Claim | null;
  task: Task | null;
  looks: LookTarget[];
  line: number;
}

export interface Lesson {
  meta: LessonMeta;
  file: string;
  /** narration before the first step */
  intro: string;
  /** run before the first step, each on the setup connection */
  setup: { sql: string; line: number }[];
  sessions: string[];
  steps: LessonStep[];
}

export class LessonError extends Error {
  constructor(readonly file: string, readonly line: number, readonly reason: string) {
    super(`${file}:${line}: ${reason}`);
  }
}

/** The largest lesson file accepted (a lesson is a story, not a data dump). */
export const MAX_LESSON_BYTES = 200_000;
