/**
 * The learner's progress through the course, for the gallery: per lesson, the step reached, whether it is done,
 * and how many questions were answered right. One small localStorage key, validated entry by entry on load (a
 * damaged or foreign entry is dropped, never shown). The lesson itself — its timeline and answers — lives in the
 * lesson's workspace slot; this is only its summary.
 */
export const PROGRESS_KEY = 'heapscope.progress.v1';

export interface LessonProgress {
  /** the step shown (-1: the introduction; `of`: the summary) */
  step: number;
  /** the lesson's number of steps */
  of: number;
  done: boolean;
  /** questions answered right, answered, and asked in the lesson */
  right: number;
  answered: number;
  asked: number;
}

const count = (x: unknown, max = 10_000) => Number.isSafeInteger(x) && (x as number) >= 0 && (x as number) <= max;

/** A progress entry, or null if it is not one. */
export function validProgress(x: unknown): LessonProgress | null {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return null;
  const p = x as Record<string, unknown>;
  if (!count(p.of) || !Number.isSafeInteger(p.step) || (p.step as number) < -1 || (p.step as number) > (p.of as number)) return null;
  if (typeof p.done !== 'boolean' || !count(p.right) || !count(p.answered) || !count(p.asked) || (p.right as number) > (p.answered as number)) return null;
  return { step: p.step as number, of: p.of as number, done: p.done, right: p.right as number, answered: p.answered as number, asked: p.asked as number };
}

/** Every lesson's progress (a Map: ids come from files). */
export function loadProgress(storage: Storage | undefined): Map<string, LessonProgress> {
  const out = new Map<string, LessonProgress>();
  if (!storage) return out;
  let raw: unknown;
  try { raw = JSON.parse(storage.getItem(PROGRESS_KEY) ?? '{}'); } catch { return out; }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return out;
  for (const [id, v] of Object.entries(raw as Record<string, unknown>)) {
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id) || id.length > 60) continue;
    const p = validProgress(v);
    if (p) out.set(id, p);
  }
  return out;
}

/** Record one lesson's progress (a lesson once done stays done). */
export function saveProgress(storage: Storage, id: string, p: LessonProgress) {
  const all = loadProgress(storage);
  const old = all.get(id);
  all.set(id, { ...p, step: Math.min(p.step, p.of), done: p.done || (!!old?.done && old.of === p.of) });
  try { storage.setItem(PROGRESS_KEY, JSON.stringify(Object.fromEntries(all))); } catch { /* full: the gallery shows older progress */ }
}

/** What the gallery card says. */
export function progressText(p: LessonProgress | undefined): string {
  if (!p || p.step < 0 && !p.done) return 'not started';
  const q = p.asked ? ` · ${p.right} of ${p.asked} questions right` : '';
  if (p.done) return `done${q}`;
  return `step ${p.step + 1} of ${p.of}${q}`;
}
