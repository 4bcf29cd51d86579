/**
 * The lesson screens (loaded on first use): the gallery, and a lesson playing in the workspace with its narration.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { useStore } from 'zustand';
import { usePlayer, useWs } from '../hooks';
import { WorkspaceView, usePlayerView } from '../WorkspaceView';
import { LessonPanel } from './LessonPanel';
import { bundledCatalog } from './catalog';
import type { Route } from '../route';
import type { LessonDoc } from '../../store/player';
import { SHARED_LESSON_KEY, lessonSlotKey, FILE_LESSON_KEY } from '../../store/persist';

export { Gallery } from './Gallery';

export function LessonScreen({ route, nav, go, onOpenFile }: { route: Route; nav: ReactNode; go(r: Route): void; onOpenFile(f: File): void }) {
  const player = usePlayer();
  const doc = useStore(player.player, (s) => s.doc);
  const catalog = bundledCatalog();
  const [missing, setMissing] = useState<string | null>(null);
  const bundled = route.kind === 'lesson' || route.kind === 'shared-lesson';
  const id = bundled ? route.id : null;
  const wanted: LessonDoc | null = id !== null ? catalog.lessons.find((d) => d.lesson.meta.id === id) ?? null : null;
  // a lesson plays in its own slot, or in the shared link's (so the same lesson can be open in either)
  const slot = useWs((s) => s.slot);
  const wantedSlot = route.kind === 'shared-lesson' ? SHARED_LESSON_KEY : id !== null ? lessonSlotKey(id) : FILE_LESSON_KEY;
  const matches = !!doc && slot === wantedSlot && (bundled ? doc.source === 'bundled' && doc.lesson.meta.id === id : doc.source === 'file');
  useEffect(() => {
    setMissing(null);
    if (matches) return;
    if (bundled) {
      if (wanted) void player.start(wanted, route.kind === 'shared-lesson' ? { slot: SHARED_LESSON_KEY } : {});
      else setMissing(`There is no lesson "${id}" in this course${route.kind === 'shared-lesson' ? ' (the link was made with another version of Heapscope)' : ''}.`);
    } else if (route.kind === 'lesson-file') {
      void player.resumeFile().then((ok) => { if (!ok) setMissing('No lesson file is open: choose one with Open….'); });
    }
  }, [route, matches, wanted, player, bundled, id]);
  const saved = useWs((s) => s.lesson);
  const pv = usePlayerView(matches ? doc : null);
  if (missing) {
    return (
      <div className="app"><header className="top"><h1>Heapscope</h1>{nav}</header>
        <main><p role="alert" data-testid="lesson-missing">{missing}</p><p><button className="primary" onClick={() => go({ kind: 'gallery' })}>Go to the course</button></p></main>
      </div>
    );
  }
  const ready = matches && pv && saved;
  if (!ready) {
    return <div className="app"><header className="top"><h1>Heapscope</h1>{nav}</header><main><p className="muted loading" data-testid="lesson-loading">Loading the lesson…</p></main></div>;
  }
  const next = ready ? catalog.lessons.filter((d) => d.lesson.meta.prerequisites.includes(doc!.lesson.meta.id)).slice(0, 3) : [];
  if (ready && !next.length) {
    const i = catalog.lessons.findIndex((d) => d.lesson.meta.id === doc!.lesson.meta.id);
    if (i >= 0 && i + 1 < catalog.lessons.length) next.push(catalog.lessons[i + 1]!);
  }
  return (
    <WorkspaceView
      nav={nav} onOpenFile={onOpenFile} doc={doc}
      panel={(onLook) => <LessonPanel doc={doc!} pv={pv} onLook={onLook} onCourse={() => go({ kind: 'gallery' })} next={next} />}
    />
  );
}
