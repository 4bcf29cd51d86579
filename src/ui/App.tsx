/**
 * The page: the course gallery, the free workspace, or a lesson (route.ts). The lesson screens — the gallery, the
 * narration panel, the bundled course and the Markdown and YAML readers they need — load on first use.
 */
import { lazy, Suspense, useEffect, useRef } from 'react';
import { useWorkspace, usePlayer } from './hooks';
import { useRoute, type Route } from './route';
import { WorkspaceView } from './WorkspaceView';
import { HEADER_KEY, SHARED_KEY } from '../store/persist';
import { decodeShare } from '../store/share';
import { routeOfShared, slotOfShared } from './shareLink';

const Gallery = lazy(() => import('./lessons/LessonUi').then((m) => ({ default: m.Gallery })));
const LessonScreen = lazy(() => import('./lessons/LessonUi').then((m) => ({ default: m.LessonScreen })));

export function Nav({ route, go }: { route: Route; go(r: Route): void }) {
  return (
    <nav className="site-nav" aria-label="site">
      <button className={route.kind === 'gallery' ? 'current' : ''} onClick={() => go({ kind: 'gallery' })} data-testid="nav-course">Course</button>
      <button className={route.kind === 'workspace' ? 'current' : ''} onClick={() => go({ kind: 'workspace' })} data-testid="nav-workspace">Free workspace</button>
      {(route.kind === 'shared' || route.kind === 'shared-lesson') && <span className="current shared-badge" data-testid="nav-shared" title="A shared link, kept apart from your own workspace and lessons">Shared link</span>}
    </nav>
  );
}

export function App({ initial }: { initial: Route }) {
  const [route, go] = useRoute(initial);
  const { actions } = useWorkspace();
  const player = usePlayer();
  useEffect(() => {
    if (route.kind === 'workspace') { player.stop(); void actions.openSlot(HEADER_KEY); }
    if (route.kind === 'shared') { player.stop(); void actions.openSlot(SHARED_KEY); }
    if (route.kind === 'gallery') player.stop();
  }, [route.kind, actions, player]);
  // a shared link pasted into the address bar of an open page: opened like one the page started with
  const shareData = route.kind === 'share' ? route.data : null;
  const opening = useRef<string | null>(null); // each link once (the effect runs again with every render's `go`)
  useEffect(() => {
    if (shareData === null || opening.current === shareData) return;
    opening.current = shareData;
    const d = decodeShare(shareData);
    if (!d.ok) {
      actions.notify('error', d.error);
      go({ kind: 'workspace' });
      return;
    }
    player.stop();
    void actions.openShared(slotOfShared(d.shared), d.shared).then(() => go(routeOfShared(d.shared)));
  }, [shareData, actions, player, go]);

  /** Open…: a lesson (.md) plays in a slot of its own; a scenario or workspace file opens in the free workspace. */
  const openFile = async (f: File) => {
    if (/\.md$/i.test(f.name)) {
      if (await player.openFile(f)) go({ kind: 'lesson-file' });
      return;
    }
    if (route.kind !== 'workspace') { player.stop(); go({ kind: 'workspace' }); await actions.openSlot(HEADER_KEY); }
    await actions.openFile(f);
  };
  const onOpenFile = (f: File) => { void openFile(f); };
  const nav = <Nav route={route} go={go} />;
  const loading = <p className="muted loading">Loading the course…</p>;
  if (route.kind === 'workspace' || route.kind === 'shared') return <WorkspaceView nav={nav} onOpenFile={onOpenFile} />;
  if (route.kind === 'share') return <p className="muted loading">Opening the shared link…</p>;
  if (route.kind === 'gallery') return <Suspense fallback={loading}><Gallery nav={nav} go={go} onOpenFile={onOpenFile} /></Suspense>;
  return <Suspense fallback={loading}><LessonScreen route={route} nav={nav} go={go} onOpenFile={onOpenFile} /></Suspense>;
}
