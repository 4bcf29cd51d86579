/**
 * The course as shipped: every lessons/*.md bundled into the app at build time (Vite's import.meta.glob, as text),
 * parsed with the same parser the checker uses. It works offline: nothing is fetched. A lesson that does not
 * parse is listed with its errors (file:line) instead of being played; the rest of the course is unaffected.
 * This module is loaded on demand (the gallery, a lesson), with the Markdown and YAML parsers it needs.
 */
import { parseLesson } from '../../lessons/parse';
import type { Lesson } from '../../lessons/format';
import { hashText, type LessonDoc } from '../../store/player';

export interface Catalog { lessons: LessonDoc[]; broken: { file: string; errors: string[] }[] }

/** Parse lesson files (path → text) into the course, in `order` (then title); README.md is not a lesson. */
export function buildCatalog(files: Record<string, string>): Catalog {
  const lessons: LessonDoc[] = [];
  const broken: Catalog['broken'] = [];
  for (const [path, text] of Object.entries(files)) {
    const file = path.replace(/^\//, '');
    if (/(^|\/)README\.md$/i.test(file)) continue;
    try {
      const r = parseLesson(text, file);
      if (r.lesson) lessons.push({ lesson: r.lesson, hash: hashText(text), source: 'bundled' });
      else broken.push({ file, errors: r.errors.map((e) => e.message) });
    } catch (e) {
      broken.push({ file, errors: [`${file}:1: ${(e as Error).message}`] });
    }
  }
  const rank = (l: Lesson) => l.meta.order ?? Number.MAX_SAFE_INTEGER;
  lessons.sort((a, b) => rank(a.lesson) - rank(b.lesson) || a.lesson.meta.title.localeCompare(b.lesson.meta.title));
  return { lessons, broken };
}

let catalog: Catalog | null = null;
export function bundledCatalog(): Catalog {
  catalog ??= buildCatalog(import.meta.glob('/lessons/*.md', { query: '?raw', import: 'default', eager: true }) as Record<string, string>);
  return catalog;
}
