/**
 * Where the page is, in the URL's hash: the course gallery (#/), the free workspace (#/workspace), a lesson of the
 * course (#/lesson/<id>) or a lesson opened from a file (#/lesson-file). The browser's back button moves between
 * them. A first visit lands on the gallery; someone with a saved free workspace and no hash lands where they were.
 *
 * A shared link (#/share/<data>, store/share.ts) is opened once, into a slot of its own — then the page is at
 * #/shared (a workspace) or #/shared-lesson/<id> (a lesson), which a reload resumes like any other slot.
 */
import { useEffect, useState } from 'react';
import { HEADER_KEY, STORAGE_KEY, lessonSlotKey, FILE_LESSON_KEY, SHARED_KEY, SHARED_LESSON_KEY } from '../store/persist';

export type Route = { kind: 'gallery' } | { kind: 'workspace' } | { kind: 'lesson'; id: string } | { kind: 'lesson-file' }
  | { kind: 'share'; data: string } | { kind: 'shared' } | { kind: 'shared-lesson'; id: string };

const LAST_ROUTE_KEY = 'heapscope.route.v1';

export function parseRoute(hash: string): Route | null {
  const h = hash.replace(/^#\/?/, '');
  if (h === '' ) return null;
  if (h === 'course' || h === 'gallery') return { kind: 'gallery' };
  if (h === 'workspace') return { kind: 'workspace' };
  if (h === 'lesson-file') return { kind: 'lesson-file' };
  if (h === 'shared') return { kind: 'shared' };
  if (h.startsWith('share/')) return { kind: 'share', data: h.slice('share/'.length) };
  const m = /^(lesson|shared-lesson)\/([a-z0-9]+(?:-[a-z0-9]+)*)$/.exec(h);
  if (m && m[2]!.length <= 60) return { kind: m[1] as 'lesson' | 'shared-lesson', id: m[2]! };
  return { kind: 'gallery' };
}

export function hashOf(r: Route): string {
  switch (r.kind) {
    case 'gallery': return '#/course';
    case 'workspace': return '#/workspace';
    case 'lesson': return `#/lesson/${r.id}`;
    case 'lesson-file': return '#/lesson-file';
    case 'share': return `#/share/${r.data}`;
    case 'shared': return '#/shared';
    case 'shared-lesson': return `#/shared-lesson/${r.id}`;
  }
}

/** The storage slot a route plays in (the gallery keeps whichever workspace is open; a link is not opened yet). */
export function slotOfRoute(r: Route): string | null {
  switch (r.kind) {
    case 'workspace': return HEADER_KEY;
    case 'lesson': return lessonSlotKey(r.id);
    case 'lesson-file': return FILE_LESSON_KEY;
    case 'shared': return SHARED_KEY;
    case 'shared-lesson': return SHARED_LESSON_KEY;
    default: return null;
  }
}

/** The route to open with: the URL's, else the last one, else the free workspace for someone who has one, else the gallery. */
export function initialRoute(storage: Storage | undefined, hash: string): Route {
  const fromUrl = parseRoute(hash);
  if (fromUrl) return fromUrl;
  try {
    const last = storage?.getItem(LAST_ROUTE_KEY);
    const r = last ? parseRoute(last) : null;
    if (r && r.kind !== 'share') return r;
    if (storage?.getItem(HEADER_KEY) !== null && storage?.getItem(HEADER_KEY) !== undefined) return { kind: 'workspace' };
    if (storage?.getItem(STORAGE_KEY)) return { kind: 'workspace' };
  } catch { /* storage may be unavailable: the gallery */ }
  return { kind: 'gallery' };
}

export function useRoute(initial: Route): [Route, (r: Route) => void] {
  const [route, setRoute] = useState<Route>(initial);
  useEffect(() => {
    const onHash = () => setRoute(parseRoute(location.hash) ?? { kind: 'gallery' });
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    // the URL changed before the hashchange listener was there (a link followed while the page was starting):
    // follow the URL instead of writing the stale route over it
    const fromUrl = parseRoute(location.hash);
    if (fromUrl && hashOf(fromUrl) !== hashOf(route)) { setRoute(fromUrl); return; }
    if (route.kind !== 'share') try { localStorage.setItem(LAST_ROUTE_KEY, hashOf(route)); } catch { /* not remembered */ }
    if (location.hash !== hashOf(route)) history.replaceState(null, '', hashOf(route));
  }, [route]);
  const go = (r: Route) => { if (hashOf(r) !== location.hash) location.hash = hashOf(r); else setRoute(r); };
  return [route, go];
}
