/**
 * Share links in the page: where a decoded link opens (a slot and a route of its own, so the visitor's own free
 * workspace and lessons stay as they were) and the URL a workspace's link data makes. The codec is store/share.ts.
 */
import { SHARED_KEY, SHARED_LESSON_KEY } from '../store/persist';
import { SHARE_PREFIX, type Shared } from '../store/share';
import type { Route } from './route';

export const routeOfShared = (sh: Shared): Route => (sh.workspace.lesson ? { kind: 'shared-lesson', id: sh.workspace.lesson.id } : { kind: 'shared' });
export const slotOfShared = (sh: Shared): string => (sh.workspace.lesson ? SHARED_LESSON_KEY : SHARED_KEY);
/** The full app's URL for this link data (the embed page links to the app beside it). */
export function shareUrl(data: string, page = `${location.origin}${location.pathname.replace(/[^/]*$/, '')}`): string {
  return `${page}${SHARE_PREFIX}${data}`;
}
